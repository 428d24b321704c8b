package identifiers

import "time"

// NIKNumber is a parsed NIK: PP RR DD ddmmyy SSSS, the province, regency
// and district codes of the place of first registration, the birth date
// (women have 40 added to the day) and a serial number. The zero value
// holds no number; its methods return zero values.
type NIKNumber struct {
	s string // 16 digits, or "" for the zero value
}

// ParseNIK parses s as a [NIK] in mode m. A NIK parsed in [Lenient] mode
// may carry a birth date that does not exist; [NIKNumber.BirthDate] then
// reports false.
func ParseNIK(s string, m Mode) (NIKNumber, error) {
	return parse[NIKNumber](NIK, s, m)
}

// String returns the 16 digits.
func (n NIKNumber) String() string { return n.s }

// Format returns the display form: the 16 digits, as the e-KTP prints them.
func (n NIKNumber) Format() string { return n.s }

func (n NIKNumber) part(i, j int) string {
	if len(n.s) != 16 {
		return ""
	}
	return n.s[i:j]
}

// Province returns the 2-digit Kemendagri province code of the place where
// the NIK was first registered, such as "32" (Jawa Barat).
func (n NIKNumber) Province() string { return n.part(0, 2) }

// Regency returns the 4-digit Kemendagri regency or city code (kabupaten or
// kota), such as "3273", written 32.73 in Kemendagri tables. Codes are
// reassigned when provinces split and an old NIK keeps its old code, so
// look it up in a union of historical tables, not only the current one.
func (n NIKNumber) Regency() string { return n.part(0, 4) }

// District returns the 6-digit Kemendagri district (kecamatan) code, such
// as "327306", written 32.73.06 in Kemendagri tables.
func (n NIKNumber) District() string { return n.part(0, 6) }

// Serial returns the 4-digit serial number, "0001" and up.
func (n NIKNumber) Serial() string { return n.part(12, 16) }

// Female reports whether the day code is above 40, which marks a woman.
func (n NIKNumber) Female() bool { return len(n.s) == 16 && num2(n.s, 6) > 40 }

// nikPivot is the fixed century pivot of [NIKNumber.BirthDate]: two-digit
// years below it are read as 20yy, the others as 19yy.
const nikPivot = 30

// BirthDate returns the birth date encoded in the NIK, at midnight UTC. The
// NIK holds only two digits of the year, so the century is a best guess
// with a fixed pivot that does not depend on today's date: 00–29 read as
// 2000–2029 and 30–99 as 1930–1999, unless the date exists in only one of
// the two centuries (29 February of year 00 exists only in 2000). To guess
// relative to a date of your own, use [NIKNumber.BirthDateAsOf]. It reports
// false when the digits hold no date, which only a NIK parsed in [Lenient]
// mode can do.
//
// The date is only what the number encodes: Dukcapil does not reissue a
// NIK that does not match its holder's real birth date.
func (n NIKNumber) BirthDate() (time.Time, bool) {
	early, late, ok := n.birthDates()
	switch {
	case !ok:
		return time.Time{}, false
	case early.IsZero():
		return late, true
	case late.IsZero(), early.Year()%100 >= nikPivot:
		return early, true
	}
	return late, true
}

// BirthDateAsOf is [NIKNumber.BirthDate] with the century chosen relative
// to now, which the caller supplies (from its injectable clock): the 20yy
// reading unless it is after now's date, else the 19yy reading. A date
// that exists in only one century is read in that century.
func (n NIKNumber) BirthDateAsOf(now time.Time) (time.Time, bool) {
	early, late, ok := n.birthDates()
	y, m, d := now.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case !ok:
		return time.Time{}, false
	case early.IsZero():
		return late, true
	case late.IsZero(), late.After(today):
		return early, true
	}
	return late, true
}

// birthDates returns the readings of the date in 19yy and 20yy, each zero
// when the date does not exist in that century, and false when it exists
// in neither.
func (n NIKNumber) birthDates() (early, late time.Time, ok bool) {
	if len(n.s) != 16 {
		return time.Time{}, time.Time{}, false
	}
	day, month, ok := nikDate(n.s[6:12])
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	yy := num2(n.s, 10)
	in := func(year int) time.Time {
		if day > daysIn(month, isLeap(year)) {
			return time.Time{}
		}
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	}
	return in(1900 + yy), in(2000 + yy), true
}

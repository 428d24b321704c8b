package identifiers

import "time"

// NIPNumber is a parsed NIP of a civil servant (PNS) or a contract
// employee (PPPK), 18 digits (Perka BKN 22/2007):
//
//	PNS:  YYYYMMDD YYYYMM G NNN  birth date, year and month of appointment (TMT CPNS), sex, serial
//	PPPK: YYYYMMDD YYYY2F G NNN  birth date, year of appointment, PPPK code 21–29, sex, serial
//
// The zero value holds no number; its methods return zero values.
type NIPNumber struct {
	s string // 18 digits, or "" for the zero value
}

// ParseNIP parses s as a [NIP] in mode m. Both the PNS and the PPPK forms
// are accepted; [NIPNumber.IsPPPK] tells them apart.
func ParseNIP(s string, m Mode) (NIPNumber, error) {
	return parse[NIPNumber](NIP, s, m)
}

// String returns the 18 digits.
func (n NIPNumber) String() string { return n.s }

// Format returns the display form BKN prints, "YYYYMMDD YYYYMM G NNN".
func (n NIPNumber) Format() string {
	if len(n.s) != 18 {
		return ""
	}
	return format(NIP, n.s)
}

func (n NIPNumber) part(i, j int) string {
	if len(n.s) != 18 {
		return ""
	}
	return n.s[i:j]
}

// BirthDate returns the birth date, at midnight UTC. It reports false when
// the digits hold no date, which only a NIP parsed in [Lenient] mode can
// do.
func (n NIPNumber) BirthDate() (time.Time, bool) {
	if len(n.s) != 18 {
		return time.Time{}, false
	}
	y, m, d := num4(n.s, 0), num2(n.s, 4), num2(n.s, 6)
	if d < 1 || d > daysIn(m, isLeap(y)) {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// IsPPPK reports whether digits 13–14 are a PPPK code, 2 followed by 1–9,
// rather than a month.
func (n NIPNumber) IsPPPK() bool {
	return len(n.s) == 18 && n.s[12] == '2' && n.s[13] >= '1' && n.s[13] <= '9'
}

// AppointmentYear returns the year of first appointment (TMT), digits
// 9–12.
func (n NIPNumber) AppointmentYear() int {
	if len(n.s) != 18 {
		return 0
	}
	return num4(n.s, 8)
}

// AppointmentMonth returns the month of first appointment (TMT CPNS) of a
// PNS, 1–12, or 0 for a PPPK or for digits that are neither.
func (n NIPNumber) AppointmentMonth() int {
	if len(n.s) != 18 {
		return 0
	}
	if m := num2(n.s, 12); m >= 1 && m <= 12 {
		return m
	}
	return 0
}

// PPPKCode returns digits 13–14 of a PPPK NIP, "21" to "29", or "" for a
// PNS. BKN is reported to call them "jumlah perjanjian kerja", and one
// library reads them as 2 followed by the number of contracts; no
// regulation confirming that was found.
func (n NIPNumber) PPPKCode() string {
	if !n.IsPPPK() {
		return ""
	}
	return n.s[12:14]
}

// Female reports whether the sex digit, digit 15, is 2.
func (n NIPNumber) Female() bool { return n.part(14, 15) == "2" }

// Serial returns the 3-digit serial: "001" unless the first 15 digits of
// another NIP are the same.
func (n NIPNumber) Serial() string { return n.part(15, 18) }

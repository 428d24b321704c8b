package identifiers

// NPWPNumber is a parsed NPWP, held in its 16-digit form: either a
// resident individual's NIK, or 0 followed by the legacy 15 digits
// AA BBBBBB C DDD EEE (taxpayer type, serial, check digit, tax office,
// branch). The zero value holds no number; its methods return zero values.
type NPWPNumber struct {
	s string // 16 digits, or "" for the zero value
}

// ParseNPWP parses s, in the 15- or the 16-digit form, as an [NPWP] in
// mode m.
func ParseNPWP(s string, m Mode) (NPWPNumber, error) {
	return parse[NPWPNumber](NPWP, s, m)
}

// String returns the 16-digit form, the canonical form of [NPWP].
func (n NPWPNumber) String() string { return n.s }

// Format returns the display form: the 16 digits, ungrouped, as DJP shows
// the NPWP16. [NPWPNumber.Format15] gives the legacy grouping.
func (n NPWPNumber) Format() string { return n.s }

// IsNIK reports whether the number is a resident individual's NIK used as
// NPWP, which has no legacy 15-digit form.
func (n NPWPNumber) IsNIK() bool { return len(n.s) == 16 && n.s[0] != '0' }

// NIK returns the NIK the number is, when [NPWPNumber.IsNIK].
func (n NPWPNumber) NIK() (NIKNumber, bool) {
	if !n.IsNIK() {
		return NIKNumber{}, false
	}
	return NIKNumber(n), true
}

// NPWP15 returns the legacy 15-digit form: the 16 digits without their
// leading 0. It reports false for a NIK, whose holder's legacy NPWP
// cannot be derived from it.
//
// The other way round, PMK 112/PMK.03/2022 makes 0 + the 15 digits the
// NPWP16 only of non-individuals and non-resident individuals; a resident
// individual's NPWP16 is their NIK, which no rule derives from the 15
// digits. A 15-digit number cannot tell which holder it belongs to, so
// [ParseNPWP] and [Canonical] prefix it with 0 for everyone: a consistent
// account key, but not the official NPWP16 of a resident individual.
func (n NPWPNumber) NPWP15() (string, bool) {
	if len(n.s) != 16 || n.IsNIK() {
		return "", false
	}
	return n.s[1:], true
}

// Format15 returns the legacy 15-digit form grouped for display,
// 99.999.999.9-999.999, or false for a NIK.
func (n NPWPNumber) Format15() (string, bool) {
	s, ok := n.NPWP15()
	if !ok {
		return "", false
	}
	return format(NPWP15, s), true
}

func (n NPWPNumber) legacyPart(i, j int) string {
	if len(n.s) != 16 || n.IsNIK() {
		return ""
	}
	return n.s[1+i : 1+j]
}

// TaxpayerType returns the 2-digit taxpayer-type code AA of a legacy
// number, or "" for a NIK. Which codes mean what is folklore (01–03 for
// entities, 04–09 for individuals, but real numbers carry 21, 31, 66,
// 70–90 and more), so this package accepts every code.
func (n NPWPNumber) TaxpayerType() string { return n.legacyPart(0, 2) }

// Serial returns the 6-digit taxpayer serial of a legacy number, or "" for
// a NIK.
func (n NPWPNumber) Serial() string { return n.legacyPart(2, 8) }

// CheckDigit returns the check digit of a legacy number, the Luhn check
// digit of the 8 digits before it, or "" for a NIK.
func (n NPWPNumber) CheckDigit() string { return n.legacyPart(8, 9) }

// TaxOffice returns the 3-digit code of the tax office (KPP) that issued a
// legacy number, or "" for a NIK.
func (n NPWPNumber) TaxOffice() string { return n.legacyPart(9, 12) }

// Branch returns the 3-digit status code of a legacy number: "000" for a
// head office or single taxpayer, "001" and up for a branch, or "" for a
// NIK. Since 2024 branches are identified by a [NITKU] instead.
func (n NPWPNumber) Branch() string { return n.legacyPart(12, 15) }

// NITKUNumber is a parsed NITKU: the taxpayer's 16-digit NPWP followed by
// a 6-digit place-of-business sequence, 000000 for the head office (PER-6/
// PJ/2024). The zero value holds no number; its methods return zero values.
type NITKUNumber struct {
	s string // 22 digits, or "" for the zero value
}

// ParseNITKU parses s as a [NITKU] in mode m: its first 16 digits must be
// a valid [NPWP16] in that mode.
func ParseNITKU(s string, m Mode) (NITKUNumber, error) {
	return parse[NITKUNumber](NITKU, s, m)
}

// String returns the 22 digits.
func (n NITKUNumber) String() string { return n.s }

// Format returns the display form: the 22 digits, for which no official
// grouping is published.
func (n NITKUNumber) Format() string { return n.s }

// NPWP returns the taxpayer's NPWP, the first 16 digits.
func (n NITKUNumber) NPWP() NPWPNumber {
	if len(n.s) != 22 {
		return NPWPNumber{}
	}
	return NPWPNumber{n.s[:16]}
}

// Branch returns the 6-digit place-of-business sequence: "000000" for the
// head office, "000001" and up for the others.
func (n NITKUNumber) Branch() string {
	if len(n.s) != 22 {
		return ""
	}
	return n.s[16:]
}

// IsHeadOffice reports whether the sequence is 000000, the head office.
func (n NITKUNumber) IsHeadOffice() bool { return n.Branch() == "000000" }

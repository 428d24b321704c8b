package identifiers

import "strings"

// A mobile number's national significant number (NSN, the digits after
// +62 or after the trunk 0) is 8, then a network digit, then 7 to 10
// more: 9 to 12 digits, so 10 to 13 when written with the 0. The
// pattern is libphonenumber's for Indonesian mobiles (PhoneNumberMetadata.xml,
// v9.0.35), which excludes 080x (freephone, UAN, premium) and 084x.
const (
	phoneMinNSN = 9
	phoneMaxNSN = 12
)

// operators names the networks that hold each mobile prefix 08XY, indexed
// by XY, as libphonenumber's carrier file for +62 lists them
// (resources/carrier/en/62.txt, last changed February 2023). An entry of
// zero is a prefix no operator holds: [Strict] mode refuses it (reason
// [Operator]), [Lenient] mode accepts every prefix of the mobile pattern.
var operators = [100]operator{
	11: telkomsel, 12: telkomsel, 13: telkomsel,
	21: telkomsel, 22: telkomsel, 23: telkomsel,
	51: telkomsel, 52: telkomsel, 53: telkomsel,
	14: indosat, 15: indosat, 16: indosat,
	55: indosat, 56: indosat, 57: indosat, 58: indosat,
	95: indosat, 96: indosat, 97: indosat, 98: indosat, 99: indosat,
	17: xl, 18: xl, 19: xl, 59: xl, 77: xl, 78: xl, 79: xl,
	31: axis, 32: axis, 33: axis, 38: axis,
	81: smartfren, 82: smartfren, 83: smartfren, 87: smartfren, 88: smartfren, 89: smartfren,
}

// operator is a mobile network, as numbers' prefixes name it.
type operator uint8

const (
	telkomsel operator = iota + 1
	indosat
	xl
	axis
	smartfren
)

// operatorNames are the networks' names as their subscribers know them.
// Indosat and Tri merged in 2022 (their prefixes are all Indosat Ooredoo
// Hutchison's); XL Axiata and Smartfren merged into XLSMART in 2025, but
// their networks keep their names and prefixes.
var operatorNames = [...]string{
	telkomsel: "Telkomsel",
	indosat:   "Indosat Ooredoo Hutchison",
	xl:        "XL",
	axis:      "AXIS",
	smartfren: "Smartfren",
}

// validatePhone reads s as an Indonesian mobile number and returns its
// NSN, a slice of buf. It accepts ASCII digits, spaces, dots, dashes,
// parentheses and one "+" before the first digit; then:
//
//   - with the "+", or without it when the digits start with 62 (as
//     wa.me links write numbers), 62 is the country code, and one 0 after
//     it is dropped ("+62 0812...", a common doubling of the trunk
//     prefix); with the "+", another country code is refused;
//   - otherwise a leading 0 is the trunk prefix, and anything else is
//     refused: 00 is an international call prefix, and a bare 8... may be
//     a foreign number typed without its "+" (82 10... is Korean), so a
//     form with a fixed "+62" box must send it with the box's "+62".
//
// The NSN must then start with 8 and a network digit other than 0 and 4,
// in Strict mode with a prefix an operator holds, and have 9 to 12
// digits. The prefix is checked before the length, so that a wrong
// prefix is reported while the number is still being typed.
func validatePhone(s string, m Mode, buf *[bufLen]byte) ([]byte, *Error) {
	t := strings.TrimSpace(s)
	n := 0
	plus := false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c-'0' <= 9:
			if n < bufLen {
				buf[n] = c
			}
			n++
		case c == ' ' || c == '.' || c == '-' || c == '(' || c == ')':
		case c == '+' && n == 0 && !plus:
			plus = true
		default:
			return nil, characterError(Phone, s, i)
		}
	}
	if n == 0 {
		return nil, &Error{Kind: Phone, Reason: Empty}
	}
	// head holds the first digits, all of them for any number of a valid
	// length; n counts them all.
	head := buf[:min(n, bufLen)]
	off := 0
	switch cc := len(head) >= 2 && head[0] == '6' && head[1] == '2'; {
	case cc:
		off = 2
		if len(head) > 2 && head[2] == '0' {
			off = 3
		}
	case plus, head[0] != '0', len(head) > 1 && head[1] == '0':
		return nil, &Error{Kind: Phone, Reason: Country}
	default:
		off = 1
	}
	nsn, size := head[off:], n-off
	switch {
	case size == 0:
		return nil, &Error{Kind: Phone, Reason: Length, Want: phoneMinNSN + 1}
	case nsn[0] != '8', size >= 2 && (nsn[1] == '0' || nsn[1] == '4'):
		return nil, &Error{Kind: Phone, Reason: Prefix}
	case size >= 3 && m != Lenient && operators[num2(nsn, 1)] == 0:
		return nil, &Error{Kind: Phone, Reason: Operator}
	case size < phoneMinNSN:
		return nil, &Error{Kind: Phone, Reason: Length, Want: phoneMinNSN + 1, Got: size + 1}
	case size > phoneMaxNSN:
		return nil, &Error{Kind: Phone, Reason: Length, Want: phoneMaxNSN + 1, Got: size + 1}
	}
	return nsn, nil
}

// formatPhone groups a canonical number c ("+62" and the NSN) the way
// Indonesians write it: 0 and the network's three digits, then the rest
// in two groups, the second as long as the first or one longer:
// 0812-345-678, 0812-345-6789, 0812-3456-7890, 0812-3456-78901.
func formatPhone(c string) string {
	nsn := c[3:]
	rest := nsn[3:]
	g := len(rest) / 2
	return "0" + nsn[:3] + "-" + rest[:g] + "-" + rest[g:]
}

// PhoneNumber is a valid Indonesian mobile number, held in its canonical
// E.164 form. Its zero value is not a number: its methods return "".
type PhoneNumber struct{ s string }

// ParsePhone validates s as a [Phone] number in mode m and returns it.
func ParsePhone(s string, m Mode) (PhoneNumber, error) {
	return parse[PhoneNumber](Phone, s, m)
}

// String returns the canonical form, as E164 does.
func (p PhoneNumber) String() string { return p.s }

// E164 returns the number in E.164 form, "+6281234567890": the form to
// store, to compare and to key lockout counters by.
func (p PhoneNumber) E164() string { return p.s }

// International returns the E.164 digits without the "+",
// "6281234567890", the form the WhatsApp Cloud API and many SMS gateways
// take.
func (p PhoneNumber) International() string {
	if p.s == "" {
		return ""
	}
	return p.s[1:]
}

// National returns the number as dialled within Indonesia, with the trunk
// 0 and no separators: "081234567890".
func (p PhoneNumber) National() string {
	if p.s == "" {
		return ""
	}
	return "0" + p.s[3:]
}

// Format returns the national form grouped for reading,
// "0812-3456-7890", as the package's [Format] does.
func (p PhoneNumber) Format() string {
	if p.s == "" {
		return ""
	}
	return formatPhone(p.s)
}

// Operator returns the name of the network that holds the number's
// prefix ("Telkomsel", "Indosat Ooredoo Hutchison", "XL", "AXIS",
// "Smartfren"), or "" for a prefix no operator held when the table was
// made. It is a hint for display only: people keep their numbers when
// they change networks, and operators reuse the numbers of lapsed
// prepaid cards.
func (p PhoneNumber) Operator() string {
	if len(p.s) < 6 {
		return ""
	}
	op := operators[num2(p.s, 4)]
	if op == 0 {
		return ""
	}
	return operatorNames[op]
}

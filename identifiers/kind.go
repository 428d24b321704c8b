package identifiers

import (
	"strconv"
	"strings"
)

// Kind names a kind of Indonesian identifier. The zero Kind names none:
// every function given it reports [ErrUnknownKind].
type Kind uint8

// The kinds of identifier this package knows.
const (
	// NIK is the Nomor Induk Kependudukan, the 16-digit population number.
	NIK Kind = iota + 1
	// NPWP15 is the legacy 15-digit taxpayer number (99.999.999.9-999.999).
	NPWP15
	// NPWP16 is the 16-digit taxpayer number in force since 2024: a
	// resident's NIK, or 0 followed by the 15 legacy digits.
	NPWP16
	// NPWP accepts either the 15- or the 16-digit form. Its canonical form
	// is always 16 digits: a 15-digit number gains a leading 0, so both
	// typings of one taxpayer's number map to the same string.
	NPWP
	// NITKU is the 22-digit place-of-business number: an NPWP16 followed
	// by a 6-digit sequence (000000 for the head office).
	NITKU
	// NIP is the 18-digit number of a civil servant (PNS) or a contract
	// employee (PPPK).
	NIP
	// BPJSKesehatan is the 13-digit national health insurance (JKN-KIS)
	// card number.
	BPJSKesehatan
	// KPJ is the 11-digit BPJS Ketenagakerjaan membership number.
	KPJ
	// NIB is the 13-digit business identification number (Nomor Induk
	// Berusaha).
	NIB
	// NUPTK is the 16-digit number of a teacher or lecturer.
	NUPTK
	// NISN is the 10-digit national student number.
	NISN
	// Phone is an Indonesian mobile number, typed in any of the ways
	// people write one (0812-3456-7890, +62 812 3456 7890, 62812...,
	// (0812) 3456 7890). Its canonical form is E.164, "+6281234567890":
	// unlike every other kind, it starts with "+" and its length varies
	// (9 to 12 digits after "+62"). Fixed lines, toll-free and premium
	// numbers are not Phone numbers.
	Phone

	kindEnd // one past the last kind
)

var kindNames = [kindEnd]string{
	NIK:           "nik",
	NPWP15:        "npwp15",
	NPWP16:        "npwp16",
	NPWP:          "npwp",
	NITKU:         "nitku",
	NIP:           "nip",
	BPJSKesehatan: "bpjs_kesehatan",
	KPJ:           "kpj",
	NIB:           "nib",
	NUPTK:         "nuptk",
	NISN:          "nisn",
	Phone:         "phone",
}

// kindLengths holds the number of digits of each kind. NPWP also accepts
// 15 digits.
var kindLengths = [kindEnd]uint8{
	NIK:           16,
	NPWP15:        15,
	NPWP16:        16,
	NPWP:          16,
	NITKU:         22,
	NIP:           18,
	BPJSKesehatan: 13,
	KPJ:           11,
	NIB:           13,
	NUPTK:         16,
	NISN:          10,
	// Phone: the most digits of its canonical form after the "+" (62 and
	// a 12-digit national number); shorter numbers are valid too.
	Phone: 14,
}

// bufLen is the size of the buffer digits are gathered in: a power of two
// at least the length of the longest kind (22).
const bufLen = 32

func (k Kind) valid() bool { return k > 0 && k < kindEnd }

// String returns the kind's stable lowercase name, such as "nik" or
// "bpjs_kesehatan", which [ParseKind] reads back. An unknown kind reads
// "kind(N)".
func (k Kind) String() string {
	if !k.valid() {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// Len returns the number of digits of the kind's canonical form, or 0 for
// an unknown kind. For [NPWP] it is 16, the canonical length; NPWP input
// may also have 15 digits. For [Phone], whose length varies, it is the
// most digits its canonical form holds after the "+" (14).
func (k Kind) Len() int {
	if !k.valid() {
		return 0
	}
	return int(kindLengths[k])
}

// ParseKind returns the kind named by name, one of the names
// [Kind.String] returns, ignoring ASCII case and surrounding space.
func ParseKind(name string) (Kind, error) {
	name = strings.TrimSpace(name)
	for k := NIK; k < kindEnd; k++ {
		if asciiEqualFold(name, kindNames[k]) {
			return k, nil
		}
	}
	return 0, &Error{Reason: UnknownKind}
}

// asciiEqualFold is strings.EqualFold for ASCII only: Unicode folding
// would read the Kelvin sign as "k".
func asciiEqualFold(s, t string) bool {
	if len(s) != len(t) {
		return false
	}
	for i := 0; i < len(s); i++ {
		a, b := s[i], t[i]
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

// MarshalText implements [encoding.TextMarshaler] with the name that
// [Kind.String] returns, so a kind can sit in a configuration file.
func (k Kind) MarshalText() ([]byte, error) {
	if !k.valid() {
		return nil, &Error{Kind: k, Reason: UnknownKind}
	}
	return []byte(kindNames[k]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler] with [ParseKind].
func (k *Kind) UnmarshalText(text []byte) error {
	v, err := ParseKind(string(text))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Kinds returns every kind this package knows, in the order of their
// values.
func Kinds() []Kind {
	ks := make([]Kind, 0, kindEnd-1)
	for k := NIK; k < kindEnd; k++ {
		ks = append(ks, k)
	}
	return ks
}

// Mode chooses how many rules a number must pass. Any value other than
// [Lenient] is treated as [Strict].
type Mode uint8

// The modes.
const (
	// Strict, the zero Mode, applies every rule: length, characters,
	// check digits, dates, province codes, sex digits and serials.
	Strict Mode = iota
	// Lenient applies only the length, the character set, and the NPWP
	// rules where they are known to apply (to 15-digit numbers and to
	// 16-digit numbers that start with 0): the check digit, and a serial
	// that is not 000000, which no real number has. Use it where a portal
	// must not lock out holders of irregular legacy numbers.
	Lenient
)

// String returns "strict" or "lenient".
func (m Mode) String() string {
	switch m {
	case Strict:
		return "strict"
	case Lenient:
		return "lenient"
	}
	return "mode(" + strconv.Itoa(int(m)) + ")"
}

package identifiers

import "strings"

// Validate reports whether s is a valid number of kind k in mode m, and if
// not, why, as an [*Error]. It builds nothing: on valid input it does not
// allocate.
func Validate(k Kind, s string, m Mode) error {
	var buf [bufLen]byte
	if k == Phone {
		if _, err := validatePhone(s, m, &buf); err != nil {
			return err
		}
		return nil
	}
	if _, _, err := validate(k, s, m, &buf); err != nil {
		return err
	}
	return nil
}

// Canonical validates s as a number of kind k in mode m and returns its
// canonical form: the digits alone, without separators. For [NPWP] the
// canonical form is always 16 digits, a 15-digit number gaining a leading
// 0, so that 01.312.166.0-091.000, 013121660091000 and 0013121660091000
// are one number. For [Phone] it is the E.164 form, "+6281234567890".
// Use it to turn a typed username into an account key.
func Canonical(k Kind, s string, m Mode) (string, error) {
	var buf [bufLen]byte
	if k == Phone {
		nsn, err := validatePhone(s, m, &buf)
		if err != nil {
			return "", err
		}
		if t := strings.TrimSpace(s); len(t) == len(nsn)+3 && t[:3] == "+62" && t[3:] == string(nsn) {
			return t, nil // already canonical, as a stored key is
		}
		return "+62" + string(nsn), nil
	}
	t, n, err := validate(k, s, m, &buf)
	if err != nil {
		return "", err
	}
	d := t
	if n != len(t) {
		d = string(buf[:n])
	}
	if k == NPWP && n == 15 {
		return "0" + d, nil
	}
	return d, nil
}

// Format returns the display form of a number of kind k: 99.999.999.9-999.999
// for [NPWP15], "YYYYMMDD YYYYMM G NNN" for [NIP], 0812-3456-7890 for
// [Phone], and the canonical digits
// for every other kind, for which no official grouping is published (the
// e-KTP prints the NIK as 16 plain digits; DJP shows the NPWP16 plain).
//
// Format accepts every number that [Lenient] mode accepts, so that a
// portal can always display a number it has stored. [Canonical] reads the
// display form back.
func Format(k Kind, s string) (string, error) {
	c, err := Canonical(k, s, Lenient)
	if err != nil {
		return "", err
	}
	return format(k, c), nil
}

// format groups the canonical digits c of kind k for display.
func format(k Kind, c string) string {
	switch k {
	case NPWP15:
		return c[0:2] + "." + c[2:5] + "." + c[5:8] + "." + c[8:9] + "-" + c[9:12] + "." + c[12:15]
	case NIP:
		return c[0:8] + " " + c[8:14] + " " + c[14:15] + " " + c[15:18]
	case Phone:
		return formatPhone(c)
	}
	return c
}

// Candidates returns the kinds that s is a valid number of in [Strict]
// mode, in the order of their values, or nil if none. Lengths overlap (16
// digits may be a [NIK], an [NPWP16] and so an [NPWP], and a [NUPTK]; 13
// digits a [BPJSKesehatan] number or a [NIB]; a [Phone] number of 10 to
// 13 digits starting 08 may also be a [NISN], a [KPJ], a [BPJSKesehatan]
// number or a [NIB]), so a portal should not
// guess: it should ask for the kind it expects and use Candidates only to
// suggest what a rejected number might have been meant as.
func Candidates(s string) []Kind {
	var ks []Kind
	for k := NIK; k < kindEnd; k++ {
		if Validate(k, s, Strict) == nil {
			ks = append(ks, k)
		}
	}
	return ks
}

// parse returns the canonical form of s as a typed value of kind k.
func parse[T ~struct{ s string }](k Kind, s string, m Mode) (T, error) {
	c, err := Canonical(k, s, m)
	if err != nil {
		return T{}, err
	}
	return T{s: c}, nil
}

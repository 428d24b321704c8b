package identifiers_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/identifiers"
)

// A portal whose users log in by NPWP turns every typing of a number into
// the same account key.
func ExampleCanonical() {
	for _, typed := range []string{"01.312.166.0-091.000", "013121660091000", " 0013121660091000 "} {
		key, err := identifiers.Canonical(identifiers.NPWP, typed, identifiers.Strict)
		fmt.Println(key, err)
	}
	// Output:
	// 0013121660091000 <nil>
	// 0013121660091000 <nil>
	// 0013121660091000 <nil>
}

// The error says what is wrong, in words a portal can show.
func ExampleValidate() {
	err := identifiers.Validate(identifiers.NPWP, "01.451.869.7-054.000", identifiers.Strict)
	fmt.Println(errors.Is(err, identifiers.ErrCheckDigit))
	fmt.Println(err)

	err = identifiers.Validate(identifiers.NIK, "3171O11708450001", identifiers.Strict)
	var e *identifiers.Error
	if errors.As(err, &e) {
		fmt.Println(e.Reason, e.Pos)
		fmt.Println(e.Message("id"))
		fmt.Println(e.Message("en"))
	}
	// Output:
	// true
	// identifiers: npwp: wrong check digit
	// character 5
	// Karakter 'O' pada posisi 5 tidak diperbolehkan. NIK hanya boleh berisi angka (spasi, titik dan tanda hubung diabaikan).
	// The character 'O' at position 5 is not allowed. The NIK may contain only digits (spaces, dots and dashes are ignored).
}

// Lenient mode accepts irregular legacy numbers that strict mode rejects.
func ExampleValidate_lenient() {
	const nik = "3273010119800002" // month 19
	fmt.Println(identifiers.Validate(identifiers.NIK, nik, identifiers.Strict))
	fmt.Println(identifiers.Validate(identifiers.NIK, nik, identifiers.Lenient))
	// Output:
	// identifiers: nik: invalid birth date
	// <nil>
}

func ExampleFormat() {
	for _, c := range []struct {
		kind identifiers.Kind
		in   string
	}{
		{identifiers.NPWP15, "013121660091000"},
		{identifiers.NIP, "198609262015051001"},
		{identifiers.NIK, "3171-0117-0845-0001"},
	} {
		s, _ := identifiers.Format(c.kind, c.in)
		fmt.Println(s)
	}
	// Output:
	// 01.312.166.0-091.000
	// 19860926 201505 1 001
	// 3171011708450001
}

// Sixteen digits can be several kinds: the portal must say which it
// expects.
func ExampleCandidates() {
	fmt.Println(identifiers.Candidates("3171011708450001"))
	fmt.Println(identifiers.Candidates("0011336526592"))
	// Output:
	// [nik npwp16 npwp nuptk]
	// [bpjs_kesehatan nib]
}

func ExampleDigits() {
	d, err := identifiers.Digits(" 19860926 201505 1 001 ")
	fmt.Println(d, err)
	// Output:
	// 198609262015051001 <nil>
}

func ExampleParseNIK() {
	n, err := identifiers.ParseNIK("3171015708450001", identifiers.Strict)
	if err != nil {
		panic(err)
	}
	born, _ := n.BirthDate()
	fmt.Println(n.Province(), n.Regency(), n.District(), n.Serial())
	fmt.Println(born.Format(time.DateOnly), n.Female())
	// Output:
	// 31 3171 317101 0001
	// 1945-08-17 true
}

// The century of a NIK's birth year is a guess; BirthDateAsOf makes it
// relative to a date from the caller's clock.
func ExampleNIKNumber_BirthDateAsOf() {
	n, _ := identifiers.ParseNIK("3171010101250001", identifiers.Strict)
	fixed, _ := n.BirthDate()
	asOf, _ := n.BirthDateAsOf(time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(fixed.Year(), asOf.Year())
	// Output:
	// 2025 1925
}

func ExampleParseNPWP() {
	n, err := identifiers.ParseNPWP("01.312.166.0-091.000", identifiers.Strict)
	if err != nil {
		panic(err)
	}
	fmt.Println(n)
	legacy, _ := n.Format15()
	fmt.Println(legacy)
	fmt.Println(n.TaxpayerType(), n.Serial(), n.CheckDigit(), n.TaxOffice(), n.Branch())

	// A resident individual's NPWP is their NIK.
	p, _ := identifiers.ParseNPWP("3171011708450001", identifiers.Strict)
	_, ok := p.NPWP15()
	fmt.Println(p.IsNIK(), ok)
	// Output:
	// 0013121660091000
	// 01.312.166.0-091.000
	// 01 312166 0 091 000
	// true false
}

func ExampleParseNITKU() {
	n, err := identifiers.ParseNITKU("0013121660091000 000001", identifiers.Strict)
	if err != nil {
		panic(err)
	}
	fmt.Println(n.NPWP(), n.Branch(), n.IsHeadOffice())
	// Output:
	// 0013121660091000 000001 false
}

func ExampleParseNIP() {
	for _, s := range []string{"19860926 201505 1 001", "199009132025242014"} {
		n, err := identifiers.ParseNIP(s, identifiers.Strict)
		if err != nil {
			panic(err)
		}
		born, _ := n.BirthDate()
		fmt.Println(n.Format(), born.Format(time.DateOnly), n.IsPPPK(),
			n.AppointmentYear(), n.AppointmentMonth(), n.PPPKCode(), n.Female(), n.Serial())
	}
	// Output:
	// 19860926 201505 1 001 1986-09-26 false 2015 5  false 001
	// 19900913 202524 2 014 1990-09-13 true 2025 0 24 true 014
}

func ExampleParseKind() {
	k, err := identifiers.ParseKind("bpjs_kesehatan")
	fmt.Println(k == identifiers.BPJSKesehatan, err)
	// Output:
	// true <nil>
}

func ExampleParsePhone() {
	// Every way of typing one number is one key.
	for _, s := range []string{"0812-3456-7890", "+62 (812) 3456 7890", "62 0812 3456 7890"} {
		p, err := identifiers.ParsePhone(s, identifiers.Strict)
		if err != nil {
			panic(err)
		}
		fmt.Println(p.E164(), p.International(), p.National(), p.Format(), p.Operator())
	}
	// A landline cannot receive a code by SMS.
	_, err := identifiers.ParsePhone("(021) 5795-1234", identifiers.Strict)
	var e *identifiers.Error
	if errors.As(err, &e) {
		fmt.Println(e.Message("en"))
	}
	// Output:
	// +6281234567890 6281234567890 081234567890 0812-3456-7890 Telkomsel
	// +6281234567890 6281234567890 081234567890 0812-3456-7890 Telkomsel
	// +6281234567890 6281234567890 081234567890 0812-3456-7890 Telkomsel
	// The mobile number is not valid: it does not start with a mobile prefix (08xx). Landline numbers cannot be used.
}

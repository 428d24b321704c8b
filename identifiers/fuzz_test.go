package identifiers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/masuk-id/masuk/identifiers"
)

// fuzzKind maps any byte to a kind, including the zero and out-of-range
// kinds.
func fuzzKind(b byte) identifiers.Kind { return identifiers.Kind(b % 14) }

func fuzzMode(lenient bool) identifiers.Mode {
	if lenient {
		return identifiers.Lenient
	}
	return identifiers.Strict
}

func addVectorSeeds(f *testing.F, add func(v vector)) {
	for _, v := range loadVectors(f) {
		add(v)
	}
}

// FuzzCanonical checks, for any input and kind, that nothing panics, that
// Validate agrees with Canonical, that canonicalisation is idempotent,
// that Format then Canonical round-trips, that strict implies lenient, and
// that the typed parsers agree.
func FuzzCanonical(f *testing.F) {
	addVectorSeeds(f, func(v vector) { f.Add(byte(v.kind), v.input, v.mode == identifiers.Lenient) })
	f.Fuzz(func(t *testing.T, kb byte, s string, lenient bool) {
		k, m := fuzzKind(kb), fuzzMode(lenient)
		c, err := identifiers.Canonical(k, s, m)
		verr := identifiers.Validate(k, s, m)
		if (err == nil) != (verr == nil) {
			t.Fatalf("Canonical error %v, Validate error %v", err, verr)
		}
		if err != nil {
			var e, ve *identifiers.Error
			if !errors.As(err, &e) || !errors.As(verr, &ve) || *e != *ve {
				t.Fatalf("errors differ: %#v and %#v", err, verr)
			}
			if e.Kind != k || e.Reason == 0 || e.Error() == "" || e.Message("id") == "" || e.Message("en") == "" {
				t.Fatalf("incomplete error %#v", e)
			}
			if (e.Reason == identifiers.Character) != (e.Pos > 0) {
				t.Fatalf("position %d for reason %v", e.Pos, e.Reason)
			}
			return
		}
		checkCanonicalShape(t, k, c)
		if again, err := identifiers.Canonical(k, c, m); err != nil || again != c {
			t.Fatalf("Canonical(%q) = %q, %v; not idempotent", c, again, err)
		}
		shown, err := identifiers.Format(k, s)
		if err != nil {
			t.Fatalf("Format(%q) failed after Canonical succeeded: %v", s, err)
		}
		if back, err := identifiers.Canonical(k, shown, m); err != nil || back != c {
			t.Fatalf("Canonical(Format(%q)) = %q, %v, want %q", s, back, err, c)
		}
		if d, err := identifiers.Digits(s); k != identifiers.Phone && (err != nil || (d != c && "0"+d != c)) {
			t.Fatalf("Digits(%q) = %q, %v; canonical %q", s, d, err, c)
		}
		if m == identifiers.Strict {
			if l, err := identifiers.Canonical(k, s, identifiers.Lenient); err != nil || l != c {
				t.Fatalf("strict accepts %q but lenient gives %q, %v", s, l, err)
			}
		}
		checkTyped(t, k, s, m, c)
	})
}

// checkCanonicalShape checks the shape of a canonical form c of kind k:
// k.Len() digits, or for a phone "+62" and 9 to 12 digits.
func checkCanonicalShape(t *testing.T, k identifiers.Kind, c string) {
	digits := c
	if k == identifiers.Phone {
		var ok bool
		if digits, ok = strings.CutPrefix(c, "+62"); !ok || len(digits) < 9 || len(digits) > 12 || digits[0] != '8' {
			t.Fatalf("canonical phone %q", c)
		}
	} else if len(c) != k.Len() {
		t.Fatalf("canonical %q has %d digits, want %d", c, len(c), k.Len())
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			t.Fatalf("canonical %q holds a non-digit", c)
		}
	}
}

// checkTyped parses s with the typed parser of kind k, if it has one, and
// checks that it agrees with the canonical form c.
func checkTyped(t *testing.T, k identifiers.Kind, s string, m identifiers.Mode, c string) {
	var got, shown string
	switch k {
	case identifiers.NIK:
		n, err := identifiers.ParseNIK(s, m)
		if err != nil {
			t.Fatal(err)
		}
		_, ok := n.BirthDate()
		if m == identifiers.Strict && !ok {
			t.Fatalf("strict NIK %q without a birth date", c)
		}
		got, shown = n.String(), n.Format()
	case identifiers.NPWP:
		n, err := identifiers.ParseNPWP(s, m)
		if err != nil {
			t.Fatal(err)
		}
		if legacy, ok := n.NPWP15(); ok == n.IsNIK() || (ok && "0"+legacy != c) {
			t.Fatalf("NPWP %q: legacy form %q, %v", c, legacy, ok)
		}
		got, shown = n.String(), n.Format()
	case identifiers.NITKU:
		n, err := identifiers.ParseNITKU(s, m)
		if err != nil {
			t.Fatal(err)
		}
		if n.NPWP().String()+n.Branch() != c {
			t.Fatalf("NITKU %q: parts %q %q", c, n.NPWP(), n.Branch())
		}
		got, shown = n.String(), n.Format()
	case identifiers.Phone:
		n, err := identifiers.ParsePhone(s, m)
		if err != nil {
			t.Fatal(err)
		}
		if n.E164() != c || "+"+n.International() != c || "+62"+n.National()[1:] != c || n.National()[:2] != "08" {
			t.Fatalf("phone %q: forms %q %q %q", c, n.E164(), n.International(), n.National())
		}
		if m == identifiers.Strict && n.Operator() == "" {
			t.Fatalf("strict phone %q without an operator", c)
		}
		got, shown = n.String(), n.Format()
	case identifiers.NIP:
		n, err := identifiers.ParseNIP(s, m)
		if err != nil {
			t.Fatal(err)
		}
		_, ok := n.BirthDate()
		if m == identifiers.Strict && (!ok || (n.IsPPPK() == (n.AppointmentMonth() != 0))) {
			t.Fatalf("strict NIP %q: birth date %v, PPPK %v, month %d", c, ok, n.IsPPPK(), n.AppointmentMonth())
		}
		got, shown = n.String(), n.Format()
	default:
		return
	}
	if want, _ := identifiers.Format(k, c); got != c || shown != want {
		t.Fatalf("typed value of %q reads %q, shows %q (want %q)", c, got, shown, want)
	}
}

// FuzzDigits checks that Digits never panics, returns only digits, is
// idempotent, and rejects exactly what Canonical rejects as a character.
func FuzzDigits(f *testing.F) {
	addVectorSeeds(f, func(v vector) { f.Add(v.input) })
	f.Fuzz(func(t *testing.T, s string) {
		d, err := identifiers.Digits(s)
		_, cerr := identifiers.Canonical(identifiers.NIK, s, identifiers.Lenient)
		if errors.Is(err, identifiers.ErrCharacter) != errors.Is(cerr, identifiers.ErrCharacter) {
			t.Fatalf("Digits error %v, Canonical error %v", err, cerr)
		}
		if err != nil {
			if d != "" {
				t.Fatalf("Digits(%q) = %q with error %v", s, d, err)
			}
			return
		}
		for i := 0; i < len(d); i++ {
			if d[i] < '0' || d[i] > '9' {
				t.Fatalf("Digits(%q) = %q", s, d)
			}
		}
		if again, err := identifiers.Digits(d); err != nil || again != d {
			t.Fatalf("Digits(%q) = %q, %v; not idempotent", d, again, err)
		}
	})
}

// FuzzParseKind checks that ParseKind never panics and reads back what
// String writes.
func FuzzParseKind(f *testing.F) {
	for _, k := range identifiers.Kinds() {
		f.Add(k.String())
	}
	f.Add("NPWP")
	f.Add("kind(0)")
	f.Fuzz(func(t *testing.T, s string) {
		k, err := identifiers.ParseKind(s)
		if err != nil {
			return
		}
		if back, err := identifiers.ParseKind(k.String()); err != nil || back != k {
			t.Fatalf("ParseKind(%q) = %v, but %v reads back as %v, %v", s, k, k, back, err)
		}
	})
}

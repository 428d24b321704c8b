package identifiers_test

import (
	"testing"

	"github.com/masuk-id/masuk/identifiers"
)

// benchInputs holds one valid number of each kind, as a user would type
// it plain; the NPWP15 and NIP are also given in their display forms.
var benchInputs = []struct {
	name string
	kind identifiers.Kind
	in   string
}{
	{"nik", identifiers.NIK, "3171015708450001"},
	{"npwp15", identifiers.NPWP15, "013121660091000"},
	{"npwp15_display", identifiers.NPWP15, "01.312.166.0-091.000"},
	{"npwp16", identifiers.NPWP16, "0013121660091000"},
	{"npwp16_nik", identifiers.NPWP16, "3171015708450001"},
	{"npwp", identifiers.NPWP, "013121660091000"},
	{"nitku", identifiers.NITKU, "0013121660091000000001"},
	{"nip", identifiers.NIP, "198609262015051001"},
	{"nip_display", identifiers.NIP, "19860926 201505 1 001"},
	{"nip_pppk", identifiers.NIP, "199009132025242014"},
	{"bpjs_kesehatan", identifiers.BPJSKesehatan, "0011336526592"},
	{"kpj", identifiers.KPJ, "19012345678"},
	{"nib", identifiers.NIB, "9120001234567"},
	{"nuptk", identifiers.NUPTK, "1234567890123456"},
	{"nisn", identifiers.NISN, "0081234567"},
	{"phone", identifiers.Phone, "081234567890"},
	{"phone_display", identifiers.Phone, "+62 812-3456-7890"},
	{"phone_e164", identifiers.Phone, "+6281234567890"},
}

func BenchmarkValidate(b *testing.B) {
	for _, bi := range benchInputs {
		b.Run(bi.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := identifiers.Validate(bi.kind, bi.in, identifiers.Strict); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCanonical(b *testing.B) {
	for _, bi := range benchInputs {
		b.Run(bi.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := identifiers.Canonical(bi.kind, bi.in, identifiers.Strict); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkValidateInvalid(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if identifiers.Validate(identifiers.NPWP15, "01.451.869.7-054.000", identifiers.Strict) == nil {
			b.Fatal("accepted")
		}
	}
}

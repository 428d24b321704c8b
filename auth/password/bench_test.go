package password

import (
	"context"
	"testing"
)

// Benchmarks run at the default parameters: these are the numbers to
// compare with a login's latency budget.

func BenchmarkHash(b *testing.B) {
	h, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(ctx, "kuda laut biru makan pisang"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	h, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	encoded, err := h.Hash(ctx, "kuda laut biru makan pisang")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Verify(ctx, "kuda laut biru makan pisang", encoded); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyTooLong is what a 10 MiB password costs.
func BenchmarkVerifyTooLong(b *testing.B) {
	h, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	pw := string(make([]byte, 10<<20))
	const encoded = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE"
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Verify(ctx, pw, encoded); err != ErrTooLong {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	p, err := NewPolicy(PolicyConfig{})
	if err != nil {
		b.Fatal(err)
	}
	c := Context{Username: "198503122010011001", Email: "budi.santoso@example.go.id", Realm: "simpeg", Words: []string{"Kementerian Keuangan"}}
	for _, bc := range []struct{ name, pw string }{
		{"accepted", "kuda laut biru makan pisang"},
		{"rejected", "Santoso19850312"},
		{"common", "password123"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = p.Check(b.Context(), bc.pw, c)
			}
		})
	}
}

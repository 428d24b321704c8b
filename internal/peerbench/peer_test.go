// Package peerbench measures masuk against other Go libraries side by side,
// in one run. It is a module of its own so that the peers never enter
// masuk's go.mod.
//
//	cd internal/peerbench && go test -run '^$' -bench . -benchtime 2s -count 5
package peerbench

import (
	"bytes"
	"testing"

	"github.com/masuk-id/masuk/captcha"
	"github.com/mojocn/base64Captcha"
)

// BenchmarkCaptchaImage is what a portal pays per image challenge: a new
// answer, its image drawn and encoded as PNG, at 240×80 with 6 digits.
//
// base64Captcha is v1.3.8's digit driver as its README uses it: an id and
// answer, the drawing, and the PNG as the base64 data URL that
// Captcha.Generate returns (the only encoding its Captcha type offers).
// masuk is an answer and its PNG written to a reused buffer.
func BenchmarkCaptchaImage(b *testing.B) {
	b.Run("base64Captcha", func(b *testing.B) {
		benchBase64Captcha(b, base64Captcha.NewDriverDigit(80, 240, 6, 0.7, 80), "bytes/img")
	})
	b.Run("masuk", func(b *testing.B) {
		benchMasuk(b, "bytes/img", func(g *captcha.Generator, out *bytes.Buffer, answer string) error {
			return g.Image(out, answer)
		})
	})
}

// BenchmarkCaptchaAudio is the same for one recording of a six-digit
// answer in English, for reference (issue 6 asks for the image pair).
func BenchmarkCaptchaAudio(b *testing.B) {
	b.Run("base64Captcha", func(b *testing.B) {
		benchBase64Captcha(b, base64Captcha.NewDriverAudio(6, "en"), "bytes/rec")
	})
	b.Run("masuk", func(b *testing.B) {
		benchMasuk(b, "bytes/rec", func(g *captcha.Generator, out *bytes.Buffer, answer string) error {
			return g.Audio(out, answer, "en")
		})
	})
}

// benchBase64Captcha makes one challenge per iteration with driver and
// reports the length of the data URL as unit.
func benchBase64Captcha(b *testing.B, driver base64Captcha.Driver, unit string) {
	b.ReportAllocs()
	var n int
	for b.Loop() {
		_, q, _ := driver.GenerateIdQuestionAnswer()
		item, err := driver.DrawCaptcha(q)
		if err != nil {
			b.Fatal(err)
		}
		n = len(item.EncodeB64string())
	}
	b.ReportMetric(float64(n), unit)
}

// benchMasuk makes one answer per iteration and renders it with render
// into a reused buffer, reporting the bytes written as unit.
func benchMasuk(b *testing.B, unit string, render func(*captcha.Generator, *bytes.Buffer, string) error) {
	g, err := captcha.NewGenerator(captcha.Config{Width: 240, Height: 80, Length: 6})
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		a, err := g.Answer()
		if err != nil {
			b.Fatal(err)
		}
		out.Reset()
		if err := render(g, &out, a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), unit)
}

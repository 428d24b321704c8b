// Package peerbench measures masuk against other Go libraries side by side,
// in one run. It is a module of its own so that the peers never enter
// masuk's go.mod.
package peerbench

import (
	"bytes"
	"testing"

	"github.com/masuk-id/masuk/captcha"
	"github.com/mojocn/base64Captcha"
)

// The pair below is what a portal pays per image challenge: a new answer,
// its image drawn and encoded as PNG, at 240×80 with 6 digits.

// BenchmarkCaptchaImage/base64Captcha is v1.3.8's digit driver as its
// README uses it: an id and answer, the drawing, and the PNG as the base64
// data URL that Captcha.Generate returns.
//
// BenchmarkCaptchaImage/masuk is an answer and its PNG written to a reused
// buffer.
func BenchmarkCaptchaImage(b *testing.B) {
	b.Run("base64Captcha", func(b *testing.B) {
		driver := base64Captcha.NewDriverDigit(80, 240, 6, 0.7, 80)
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
		b.ReportMetric(float64(n), "bytes/img")
	})
	b.Run("masuk", func(b *testing.B) {
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
			if err := g.Image(&out, a); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(out.Len()), "bytes/img")
	})
}

// The audio pair, for reference (issue 6 asks only for the image pair):
// one recording of a six-digit answer in English, base64Captcha's as the
// base64 data URL it returns, masuk's as WAV bytes.
func BenchmarkCaptchaAudio(b *testing.B) {
	b.Run("base64Captcha", func(b *testing.B) {
		driver := base64Captcha.NewDriverAudio(6, "en")
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
		b.ReportMetric(float64(n), "bytes/rec")
	})
	b.Run("masuk", func(b *testing.B) {
		g, err := captcha.NewGenerator(captcha.Config{Length: 6})
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
			if err := g.Audio(&out, a, "en"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(out.Len()), "bytes/rec")
	})
}

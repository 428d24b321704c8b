package captcha

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalize(t *testing.T) {
	for typed, want := range map[string]string{
		"123456":              "123456",
		" 123456 ":            "123456",
		"12 34 56":            "123456",
		"\t1 2 3\r\n4 5 6\n":  "123456",
		"ace479":              "ACE479",
		"AcE479":              "ACE479",
		"a":                   "A",
		"1234567890":          "1234567890",
		"  1 2 3 4 5 6 7 8  ": "12345678",
		"\v\f9":               "9",
	} {
		got, ok := Normalize(typed)
		assert.True(t, ok, "%q", typed)
		assert.Equal(t, want, got, "%q", typed)
	}
	for _, typed := range []string{
		// Case 47: nothing typed must never be an answer.
		"", " ", "   ", "\t", "\r\n", " \t \n ",
		// Punctuation, controls, non-ASCII.
		"12-34", "12,34", "123.", "12\x0034", "\x7f", "１２３４５６", "١٢٣٤", "12\u00a034", "ÉCOLE", "12\u200b34",
		// Longer than any answer.
		"12345678901", strings.Repeat(" ", maxTyped+1), strings.Repeat("1", 1000),
	} {
		got, ok := Normalize(typed)
		assert.False(t, ok, "%q", typed)
		assert.Empty(t, got, "%q", typed)
	}
}

func TestNormalizeDoesNotAllocate(t *testing.T) {
	for _, typed := range []string{"123456", "ACE479", "", "12-34"} {
		assert.Zero(t, testing.AllocsPerRun(100, func() { Normalize(typed) }), typed)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", " ", "123456", " 12 34 56 ", "ace479", "１２３", "\x00", "12345678901"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		got, ok := Normalize(typed)
		if !ok {
			if got != "" {
				t.Fatalf("Normalize(%q) = %q, false", typed, got)
			}
			return
		}
		if len(got) < 1 || len(got) > MaxLength {
			t.Fatalf("Normalize(%q) = %q: length %d", typed, got, len(got))
		}
		for i := 0; i < len(got); i++ {
			if !isAnswerByte(got[i]) {
				t.Fatalf("Normalize(%q) = %q: byte %q", typed, got, got[i])
			}
		}
		// What it keeps is exactly the input without white space,
		// upper-cased.
		if want := strings.ToUpper(strings.Join(strings.Fields(typed), "")); got != want {
			t.Fatalf("Normalize(%q) = %q, want %q", typed, got, want)
		}
		if again, ok := Normalize(got); !ok || again != got {
			t.Fatalf("Normalize(Normalize(%q)) = %q, %v", typed, again, ok)
		}
	})
}

func TestAlphabets(t *testing.T) {
	require.NoError(t, Digits.check())
	require.NoError(t, DigitsLetters.check())
	for _, c := range "0OQD1IL2Z5S6G8BUVFP" {
		assert.NotContains(t, string(DigitsLetters), string(c))
	}
	for a, msg := range map[Alphabet]string{
		"":     "at least 2",
		"7":    "at least 2",
		"1231": "repeats",
		"abc":  "not a digit",
		"12 3": "not a digit",
		"ÄB":   "not a digit",
		Alphabet(strings.Repeat("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2)): "more than 36",
	} {
		assert.ErrorContains(t, a.check(), msg, "%q", a)
	}
	require.NoError(t, Alphabet("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ").check())
}

// Bytes at or above the largest multiple of the alphabet's size are
// skipped, so every character is equally likely.
func TestAnswerRejectsBiasedBytes(t *testing.T) {
	// 17 characters: 255 = 15·17 is the first byte skipped.
	src := bytes.NewReader([]byte{255, 0, 16, 254, 17, 33, 34, 255, 255, 1, 2, 3})
	a, err := randomAnswer(src, DigitsLetters, 6)
	require.NoError(t, err)
	d := DigitsLetters
	assert.Equal(t, string([]byte{d[0], d[16], d[254%17], d[0], d[16], d[0]}), a)

	// Ten digits: 250..255 are skipped.
	src = bytes.NewReader([]byte{250, 251, 252, 253, 254, 255, 249, 9, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8})
	a, err = randomAnswer(src, Digits, 4)
	require.NoError(t, err)
	assert.Equal(t, "9900", a)
}

func TestAnswerUniform(t *testing.T) {
	src := rand.NewChaCha8([32]byte{7})
	for _, alpha := range []Alphabet{Digits, DigitsLetters, "AB"} {
		counts := map[byte]int{}
		const answers = 5000
		for range answers {
			a, err := randomAnswer(src, alpha, 6)
			require.NoError(t, err)
			require.Len(t, a, 6)
			for i := 0; i < len(a); i++ {
				counts[a[i]]++
			}
		}
		require.Len(t, counts, len(alpha))
		// Chi-square with len(alpha)-1 degrees of freedom: 70 is far
		// beyond the 99.99th percentile for 16 of them. (It catches gross
		// mistakes; TestAnswerRejectsBiasedBytes pins the exact mapping.)
		want := float64(answers*6) / float64(len(alpha))
		var chi2 float64
		for _, n := range counts {
			chi2 += (float64(n) - want) * (float64(n) - want) / want
		}
		assert.Less(t, chi2, 70.0, "alphabet %s", alpha)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type constReader byte

func (c constReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(c)
	}
	return len(p), nil
}

func TestAnswerBrokenSource(t *testing.T) {
	boom := errors.New("boom")
	g, err := NewGenerator(Config{Rand: errReader{boom}})
	require.NoError(t, err)
	_, err = g.Answer()
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, g.Image(io.Discard, "123456"), boom)
	assert.ErrorIs(t, g.Audio(io.Discard, "123456", "id"), boom)

	_, err = randomAnswer(bytes.NewReader([]byte{1, 2}), Digits, 6)
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)

	// A source stuck on a byte that is always skipped ends in an error,
	// not a loop.
	_, err = randomAnswer(constReader(255), Digits, 6)
	assert.ErrorContains(t, err, "unusable")
}

func BenchmarkNormalize(b *testing.B) {
	for _, typed := range []string{"123456", " 12 34 56 "} {
		b.Run(typed, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Normalize(typed)
			}
		})
	}
}

func BenchmarkAnswer(b *testing.B) {
	g, err := NewGenerator(Config{})
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Answer(); err != nil {
			b.Fatal(err)
		}
	}
}

package captcha

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wav is a WAV file's format and samples, read back by parseWAV.
type wav struct {
	format, channels, bits uint16
	rate, byteRate         uint32
	blockAlign             uint16
	data                   []byte
}

// parseWAV reads a canonical 44-byte-header WAV file, checking every
// length it states; written apart from the package's own reader on
// purpose.
func parseWAV(t *testing.T, b []byte) wav {
	t.Helper()
	require.GreaterOrEqual(t, len(b), 44)
	require.Equal(t, "RIFF", string(b[0:4]))
	require.Equal(t, uint32(len(b)-8), binary.LittleEndian.Uint32(b[4:]), "RIFF size")
	require.Equal(t, "WAVE", string(b[8:12]))
	require.Equal(t, "fmt ", string(b[12:16]))
	require.Equal(t, uint32(16), binary.LittleEndian.Uint32(b[16:]))
	w := wav{
		format:     binary.LittleEndian.Uint16(b[20:]),
		channels:   binary.LittleEndian.Uint16(b[22:]),
		rate:       binary.LittleEndian.Uint32(b[24:]),
		byteRate:   binary.LittleEndian.Uint32(b[28:]),
		blockAlign: binary.LittleEndian.Uint16(b[32:]),
		bits:       binary.LittleEndian.Uint16(b[34:]),
	}
	require.Equal(t, "data", string(b[36:40]))
	require.Equal(t, uint32(len(b)-44), binary.LittleEndian.Uint32(b[40:]), "data size")
	w.data = b[44:]
	return w
}

// seeded returns a Generator whose answers and distortion come from seed.
func seeded(t testing.TB, cfg Config, seed byte) *Generator {
	cfg.Rand = rand.NewChaCha8([32]byte{seed})
	g, err := NewGenerator(cfg)
	require.NoError(t, err)
	return g
}

func TestAudioFormat(t *testing.T) {
	for _, cfg := range []Config{{}, {Alphabet: DigitsLetters, Length: MaxLength}, {Length: MinLength}} {
		g := seeded(t, cfg, 1)
		for _, lang := range AudioLanguages() {
			a, err := g.Answer()
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, g.Audio(&b, a, lang))
			w := parseWAV(t, b.Bytes())
			assert.Equal(t, wav{format: 1, channels: 1, rate: 8000, byteRate: 8000, blockAlign: 1, bits: 8, data: w.data}, w)
			// Every character is at least 0.2 s and at most 1 s with its
			// pause; lead and tail add 0.6 to 1.1 s.
			secs := float64(len(w.data)) / 8000
			n := float64(len(a))
			assert.Greater(t, secs, 0.6+0.2*n, "answer %s in %s", a, lang)
			assert.Less(t, secs, 1.1+1.5*n, "answer %s in %s", a, lang)
			assert.Zero(t, len(w.data)%2)
			// Normalised: the peak is near full scale and nothing clips.
			lo, hi := byte(255), byte(0)
			for _, s := range w.data {
				lo, hi = min(lo, s), max(hi, s)
			}
			assert.GreaterOrEqual(t, max(int(hi)-128, 128-int(lo)), 118)
			assert.GreaterOrEqual(t, int(lo), 128-122)
			assert.LessOrEqual(t, int(hi), 128+122)
		}
	}
}

// The same answer in the two languages, and twice in one, are different
// recordings; the same seed makes the same one.
func TestAudioVaries(t *testing.T) {
	render := func(g *Generator, lang string) []byte {
		var b bytes.Buffer
		require.NoError(t, g.Audio(&b, "123456", lang))
		return b.Bytes()
	}
	g := seeded(t, Config{}, 2)
	id1, id2, en := render(g, "id"), render(g, "id"), render(g, "en")
	assert.NotEqual(t, id1, id2)
	assert.NotEqual(t, id1, en)
	assert.Equal(t, id1, render(seeded(t, Config{}, 2), "id"))
}

func TestAudioLanguage(t *testing.T) {
	g := seeded(t, Config{}, 3)
	for _, lang := range []string{"id", "ID", "id-ID", "in", "en", "en-GB", "EN_us"} {
		assert.NoError(t, g.Audio(new(bytes.Buffer), "1234", lang), lang)
	}
	for _, lang := range []string{"", "fr", "jv", "-id", "english"} {
		var b bytes.Buffer
		err := g.Audio(&b, "1234", lang)
		assert.ErrorIs(t, err, ErrLanguage, lang)
		assert.Zero(t, b.Len(), "nothing written for %q", lang)
	}
}

func TestAudioUnrenderable(t *testing.T) {
	g := seeded(t, Config{}, 4)
	for _, a := range []string{"", "12345A", "1234567", " 1234", "١٢٣٤"} {
		var b bytes.Buffer
		assert.ErrorIs(t, g.Audio(&b, a, "id"), ErrUnrenderable, a)
		assert.Zero(t, b.Len())
	}
}

// Every recording parses, in every language, and none is empty or long.
func TestRecordings(t *testing.T) {
	vs, err := voices()
	require.NoError(t, err)
	require.Len(t, vs, 2)
	for lang, v := range vs {
		for i, s := range v {
			secs := float64(len(s)) / sampleRate
			assert.True(t, secs > 0.1 && secs < 1, "%s/%d lasts %.2f s", lang, i, secs)
		}
	}
	_, err = wavSamples([]byte("RIFF\x00\x00\x00\x00WAVE"))
	assert.Error(t, err)
}

func TestWriteAudioSamples(t *testing.T) {
	if !*writeSamples {
		t.Skip("run with -samples")
	}
	dir := filepath.Join(os.TempDir(), "masuk-captcha-audio")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	g := seeded(t, Config{Alphabet: DigitsLetters}, 5)
	for _, lang := range AudioLanguages() {
		for _, a := range []string{"731940", "ACE479"} {
			g := g
			if a[0] <= '9' {
				g = seeded(t, Config{}, 5)
			}
			var b bytes.Buffer
			require.NoError(t, g.Audio(&b, a, lang))
			name := filepath.Join(dir, lang+"-"+a+".wav")
			require.NoError(t, os.WriteFile(name, b.Bytes(), 0o644))
			t.Logf("%s: %d bytes", name, b.Len())
		}
	}
}

// BenchmarkAudio is one recording of a six-digit answer.
func BenchmarkAudio(b *testing.B) {
	g, err := NewGenerator(Config{})
	require.NoError(b, err)
	for _, lang := range AudioLanguages() {
		b.Run(lang, func(b *testing.B) {
			var out bytes.Buffer
			b.ReportAllocs()
			for b.Loop() {
				out.Reset()
				if err := g.Audio(&out, "123456", lang); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(out.Len()), "wav-bytes")
		})
	}
}

func TestAudioLanguageNames(t *testing.T) {
	for lang, want := range map[string]string{"id": "id", "ID-id": "id", "in": "id", "en": "en", "en_US": "en", "En": "en"} {
		got, ok := AudioLanguage(lang)
		assert.True(t, ok, lang)
		assert.Equal(t, want, got, lang)
	}
	for _, lang := range []string{"", "fr", "-", "ind", "eng"} {
		got, ok := AudioLanguage(lang)
		assert.False(t, ok, lang)
		assert.Empty(t, got, lang)
	}
}

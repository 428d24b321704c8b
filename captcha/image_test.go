package captcha

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var writeSamples = flag.Bool("samples", false, "write sample images and recordings to testdata/samples")

func TestWriteSamples(t *testing.T) {
	if !*writeSamples {
		t.Skip("run with -samples to write testdata/samples")
	}
	for _, s := range []struct {
		name string
		cfg  Config
	}{
		{"digits", Config{}},
		{"digits-letters", Config{Alphabet: DigitsLetters}},
	} {
		g, err := NewGenerator(s.cfg)
		require.NoError(t, err)
		for i := range 3 {
			a, err := g.Answer()
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, g.Image(&b, a))
			_, err = png.Decode(bytes.NewReader(b.Bytes()))
			require.NoError(t, err)
			name := filepath.Join("testdata", "samples", s.name+"-"+string(rune('0'+i))+"-"+a+".png")
			require.NoError(t, os.WriteFile(name, b.Bytes(), 0o644))
			t.Logf("%s: %d bytes", name, b.Len())
		}
	}
}

// TestWriteZoomed writes the first sample three times as large, to look at.
func TestWriteZoomed(t *testing.T) {
	if !*writeSamples {
		t.Skip("run with -samples")
	}
	g, err := NewGenerator(Config{Alphabet: DigitsLetters})
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, g.Image(&b, "WARTJ7"))
	m, err := png.Decode(&b)
	require.NoError(t, err)
	big := image.NewRGBA(image.Rect(0, 0, 3*m.Bounds().Dx(), 3*m.Bounds().Dy()))
	for y := range big.Rect.Dy() {
		for x := range big.Rect.Dx() {
			big.Set(x, y, m.At(x/3, y/3))
		}
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "zoom.png"))
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, big))
	require.NoError(t, f.Close())
	require.NoError(t, os.Rename(f.Name(), "/tmp/zoom.png"))
}

// BenchmarkChallenge is what a portal pays for one image challenge: an
// answer and its PNG. internal/peerbench runs it beside base64Captcha.
func BenchmarkChallenge(b *testing.B) {
	g, err := NewGenerator(Config{})
	require.NoError(b, err)
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
	b.ReportMetric(float64(out.Len()), "png-bytes")
}

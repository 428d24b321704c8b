package captcha

import (
	"bytes"
	"compress/zlib"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var writeSamples = flag.Bool("samples", false, "write sample images to testdata/samples and recordings to a temporary directory")

func TestNewGenerator(t *testing.T) {
	g, err := NewGenerator(Config{})
	require.NoError(t, err)
	assert.Equal(t, 240, g.width)
	assert.Equal(t, 80, g.height)
	assert.Equal(t, 6, g.Length())
	assert.Equal(t, Digits, g.Alphabet())
	assert.Nil(t, g.randMu, "crypto/rand needs no lock")

	for _, cfg := range []Config{
		{Length: MinLength}, {Length: MaxLength}, {Alphabet: DigitsLetters},
		{Width: 120, Height: 40, Length: 4}, {Width: 1600, Height: 400}, {Height: 32, Width: 241},
	} {
		_, err := NewGenerator(cfg)
		assert.NoError(t, err, "%+v", cfg)
	}
	for _, c := range []struct {
		cfg Config
		msg string
	}{
		{Config{Length: 3}, "length 3"},
		{Config{Length: 11}, "length 11"},
		{Config{Length: -1}, "length -1"},
		{Config{Height: 31}, "height 31"},
		{Config{Height: 401}, "height 401"},
		{Config{Width: -5}, "width -5"},
		{Config{Width: 1601}, "width 1601"},
		{Config{Width: 80, Length: 10}, "pixels tall"},
		{Config{Alphabet: "abc"}, "not a digit"},
		{Config{Alphabet: "11"}, "repeats"},
	} {
		_, err := NewGenerator(c.cfg)
		assert.ErrorContains(t, err, c.msg, "%+v", c.cfg)
	}
}

// decode checks that b is a PNG of g's size with a 16-colour palette, and
// returns it.
func decode(t testing.TB, g *Generator, b []byte) *image.Paletted {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(b))
	require.NoError(t, err)
	p, ok := m.(*image.Paletted)
	require.True(t, ok, "a %T", m)
	require.Equal(t, image.Rect(0, 0, g.width, g.height), p.Bounds())
	require.Len(t, p.Palette, levels)
	return p
}

func TestImage(t *testing.T) {
	for _, cfg := range []Config{
		{},
		{Alphabet: DigitsLetters},
		{Alphabet: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", Length: 10, Width: 400, Height: 100},
		{Width: 121, Height: 40, Length: 4}, // odd width: the last byte of a row holds one pixel
		{Width: 600, Height: 200},
	} {
		t.Run(fmt.Sprintf("%dx%d/%d/%s", cfg.Width, cfg.Height, cfg.Length, cfg.Alphabet), func(t *testing.T) {
			g := seeded(t, cfg, 1)
			var total int
			const n = 5
			for range n {
				a, err := g.Answer()
				require.NoError(t, err)
				var b bytes.Buffer
				require.NoError(t, g.Image(&b, a))
				total += b.Len()
				p := decode(t, g, b.Bytes())
				// Some ink, mostly background.
				ink := 0
				for _, l := range p.Pix {
					if l >= levels/2 {
						ink++
					}
				}
				frac := float64(ink) / float64(len(p.Pix))
				assert.True(t, frac > 0.05 && frac < 0.5, "ink covers %.2f of %s", frac, a)
			}
			if cfg == (Config{}) {
				avg := total / n
				assert.True(t, avg > 2000 && avg < 8000, "a default PNG averages %d bytes", avg)
			}
		})
	}
}

// Every palette reads as dark ink on a light background: the contrast
// ratio of WCAG 2 between the ends is above 7:1 (level AAA).
func TestPaletteContrast(t *testing.T) {
	lum := func(r, g, b byte) float64 {
		lin := func(c byte) float64 {
			v := float64(c) / 255
			if v <= 0.04045 {
				return v / 12.92
			}
			return math.Pow((v+0.055)/1.055, 2.4)
		}
		return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
	}
	for i, p := range palettes {
		bg := lum(p[0], p[1], p[2])
		ink := lum(p[3*(levels-1)], p[3*(levels-1)+1], p[3*(levels-1)+2])
		ratio := (bg + 0.05) / (ink + 0.05)
		assert.Greater(t, ratio, 7.0, "palette %d", i)
		// Levels darken monotonically.
		for l := 1; l < levels; l++ {
			assert.LessOrEqual(t, lum(p[3*l], p[3*l+1], p[3*l+2]), lum(p[3*l-3], p[3*l-2], p[3*l-1]), "palette %d level %d", i, l)
		}
	}
}

// The same source gives the same image; the next call a different one.
func TestImageVaries(t *testing.T) {
	render := func(g *Generator) []byte {
		var b bytes.Buffer
		require.NoError(t, g.Image(&b, "123456"))
		return b.Bytes()
	}
	g := seeded(t, Config{}, 9)
	first, second := render(g), render(g)
	assert.NotEqual(t, first, second)
	assert.Equal(t, first, render(seeded(t, Config{}, 9)))
}

func TestImageUnrenderable(t *testing.T) {
	g := seeded(t, Config{Alphabet: DigitsLetters}, 2)
	for _, a := range []string{"", "ACE4790", "ace479", "ACE 47", "ACE47O", "ACE47\x00", "ACÉ47"} {
		var b bytes.Buffer
		assert.ErrorIs(t, g.Image(&b, a), ErrUnrenderable, "%q", a)
		assert.Zero(t, b.Len())
	}
	// Shorter answers than Length render, spread out.
	assert.NoError(t, g.Image(io.Discard, "A"))
}

// Generators are safe for concurrent use, with crypto/rand or with a
// caller's source that is not.
func TestImageConcurrent(t *testing.T) {
	for _, g := range []*Generator{must(NewGenerator(Config{})), seeded(t, Config{}, 3)} {
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for range 3 {
					a, err := g.Answer()
					assert.NoError(t, err)
					var b bytes.Buffer
					assert.NoError(t, g.Image(&b, a))
					assert.NoError(t, g.Audio(&b, a, "en"))
				}
			})
		}
		wg.Wait()
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestImageAllocations(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("allocation counts need a normal build")
	}
	g := must(NewGenerator(Config{}))
	var b bytes.Buffer
	require.NoError(t, g.Image(&b, "123456"))
	allocs := testing.AllocsPerRun(50, func() {
		b.Reset()
		_ = g.Image(&b, "123456")
	})
	assert.LessOrEqual(t, allocs, 2.0)
}

// The DEFLATE writer round-trips through compress/zlib whatever the data.
func TestZlibRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name   string
		data   []byte
		stride int
	}{
		{"empty", nil, 1},
		{"one byte", []byte{7}, 1},
		{"zeros", make([]byte, 100000), 121},
		{"random", randomBytes(r, 5000, 256), 121},
		{"few values", randomBytes(r, 20000, 3), 33},
		{"long runs", bytes.Repeat([]byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3}, 3000), 13},
		{"stride 801", randomBytes(r, 8010, 2), 801},
	} {
		t.Run(c.name, func(t *testing.T) { checkZlib(t, c.data, c.stride) })
	}
}

func randomBytes(r *rand.Rand, n, values int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.IntN(values))
	}
	return b
}

func checkZlib(t *testing.T, data []byte, stride int) {
	z := appendZlib(nil, data, stride)
	zr, err := zlib.NewReader(bytes.NewReader(z))
	require.NoError(t, err)
	got, err := io.ReadAll(zr)
	require.NoError(t, err)
	require.Equal(t, len(data), len(got))
	require.True(t, bytes.Equal(data, got))
	require.NoError(t, zr.Close())
}

func FuzzZlib(f *testing.F) {
	f.Add([]byte{}, 1)
	f.Add([]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb"), 3)
	f.Add(bytes.Repeat([]byte{0, 0x11, 0xf0}, 400), 121)
	f.Fuzz(func(t *testing.T, data []byte, stride int) {
		if stride < 1 || stride > 32768 {
			stride = 1 + int(uint(stride)%32768)
		}
		checkZlib(t, data, stride)
	})
}

// Any string given to Image or Audio renders or is refused with
// ErrUnrenderable; nothing panics.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "123456", "ACE479", "1", "12345678901", "ab", "\xff", "１２"} {
		f.Add(s)
	}
	g := seeded(f, Config{Alphabet: "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", Length: MaxLength, Width: 300}, 4)
	f.Fuzz(func(t *testing.T, answer string) {
		var b bytes.Buffer
		err := g.Image(&b, answer)
		if err != nil {
			if err != ErrUnrenderable || b.Len() != 0 {
				t.Fatalf("Image(%q): %v, %d bytes", answer, err, b.Len())
			}
			if err := g.Audio(&b, answer, "id"); err != ErrUnrenderable {
				t.Fatalf("Audio(%q): %v", answer, err)
			}
			return
		}
		decode(t, g, b.Bytes())
		b.Reset()
		if err := g.Audio(&b, answer, "en"); err != nil {
			t.Fatalf("Audio(%q): %v", answer, err)
		}
	})
}

// TestWriteSamples writes sample images to testdata/samples and a zoomed
// copy of the first to a temporary directory, to look at.
func TestWriteSamples(t *testing.T) {
	if !*writeSamples {
		t.Skip("run with -args -samples")
	}
	for _, s := range []struct {
		name string
		cfg  Config
		seed byte
		n    int
	}{
		{"digits", Config{}, 1, 2},
		{"digits-letters", Config{Alphabet: DigitsLetters}, 2, 1},
	} {
		g := seeded(t, s.cfg, s.seed)
		for i := range s.n {
			a, err := g.Answer()
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, g.Image(&b, a))
			decode(t, g, b.Bytes())
			name := filepath.Join("testdata", "samples", fmt.Sprintf("%s-%d-%s.png", s.name, i, a))
			require.NoError(t, os.WriteFile(name, b.Bytes(), 0o644))
			t.Logf("%s: %d bytes", name, b.Len())
			if i == 0 {
				m := decode(t, g, b.Bytes())
				big := image.NewRGBA(image.Rect(0, 0, 3*g.width, 3*g.height))
				for y := range big.Rect.Dy() {
					for x := range big.Rect.Dx() {
						big.Set(x, y, m.At(x/3, y/3))
					}
				}
				var z bytes.Buffer
				require.NoError(t, png.Encode(&z, big))
				zoom := filepath.Join(os.TempDir(), "masuk-captcha-"+s.name+"-zoom.png")
				require.NoError(t, os.WriteFile(zoom, z.Bytes(), 0o644))
				t.Logf("%s: 3× zoom", zoom)
			}
		}
	}
}

// BenchmarkChallenge is what a portal pays for one image challenge: an
// answer and its PNG. internal/peerbench runs the same beside
// base64Captcha.
func BenchmarkChallenge(b *testing.B) {
	g := must(NewGenerator(Config{}))
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

func BenchmarkImageParallel(b *testing.B) {
	g := must(NewGenerator(Config{}))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		var out bytes.Buffer
		for pb.Next() {
			out.Reset()
			if err := g.Image(&out, "123456"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkPNGEncoders compresses one drawn image with this package's
// writer and with image/png at its levels: time and bytes.
func BenchmarkPNGEncoders(b *testing.B) {
	g := seeded(b, Config{}, 5)
	g.glyphsOnce.Do(g.rasterise)
	c := g.newCanvas()
	require.NoError(b, c.rng.seed(g.source()))
	pal := g.draw(c, "480520")
	p := &image.Paletted{Pix: make([]uint8, g.width*g.height), Stride: g.width, Rect: image.Rect(0, 0, g.width, g.height)}
	for i := range levels {
		p.Palette = append(p.Palette, color.RGBA{pal[3*i], pal[3*i+1], pal[3*i+2], 0xff})
	}
	stride := scanline(g.width)
	for y := range g.height {
		for x := range g.width {
			p.Pix[y*g.width+x] = c.raw[y*stride+1+x/2] >> (4 * (1 - x&1)) & 0xf
		}
	}
	var out []byte
	b.Run("masuk", func(b *testing.B) {
		for b.Loop() {
			out = appendPNG(out[:0], g.width, g.height, pal, c.raw, &c.deflate)
		}
		b.ReportMetric(float64(len(out)), "png-bytes")
	})
	for _, l := range []struct {
		name  string
		level png.CompressionLevel
	}{{"BestSpeed", png.BestSpeed}, {"Default", png.DefaultCompression}, {"BestCompression", png.BestCompression}} {
		level := l.level
		b.Run("image-png-"+l.name, func(b *testing.B) {
			enc := png.Encoder{CompressionLevel: level}
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := enc.Encode(&buf, p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(buf.Len()), "png-bytes")
		})
	}
}

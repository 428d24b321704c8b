package captcha

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"image/color"
	"io"
	"math"
	"math/bits"
	mrand "math/rand/v2"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/gomonobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// ErrUnrenderable is returned by [Generator.Image] and [Generator.Audio]
// for an answer they cannot render: empty, longer than the Generator's
// Length, or with a character outside its alphabet. Answers from
// [Generator.Answer] always render.
var ErrUnrenderable = errors.New("captcha: answer is not 1 to Length characters of the generator's alphabet")

// Config says what a [Generator] makes. The zero value is the default: six
// digits on a 240×80 image.
type Config struct {
	// Width and Height are the image's size in pixels. Zero: 240 and 80.
	// Height is 32 to 400, Width up to 1600, and the image must be wide
	// enough for Length characters at least 14 pixels tall.
	Width, Height int
	// Length is how many characters an answer has, MinLength to
	// MaxLength. Zero: 6.
	Length int
	// Alphabet is what answers are made of. Empty: Digits.
	Alphabet Alphabet
	// Rand is the source of answers and of the random distortion of images
	// and audio (each image and recording reads 16 bytes from it to seed a
	// fast generator). Nil: crypto/rand.Reader. Anything else must be a
	// cryptographically secure source outside tests; calls to it are
	// serialised, so it need not be safe for concurrent use.
	Rand io.Reader
}

// Defaults of Config's zero fields.
const (
	DefaultWidth  = 240
	DefaultHeight = 80
	DefaultLength = 6
)

// Generator makes answers and renders them as images and audio. It is
// safe for concurrent use. The glyphs of its size are rasterised once, on
// the first call to Image.
type Generator struct {
	width, height, length int
	alphabet              Alphabet
	glyphOf               [256]int8 // 1 + the index in alphabet, 0 if absent

	rand   io.Reader
	randMu *sync.Mutex // set when rand is the caller's, to serialise reads

	glyphsOnce sync.Once
	glyphs     [numFonts][]glyph // by font, then by index in alphabet
	glyphsErr  error

	// Sizes of the layout, in pixels, derived from the config.
	capHeight, cell, margin float64

	canvases sync.Pool // *canvas
}

// NewGenerator returns a Generator for cfg, or an error if cfg asks for
// something it cannot make well: a size outside the bounds, characters too
// small to read, a length outside MinLength..MaxLength, or an alphabet that
// is not distinct digits and upper-case ASCII letters.
func NewGenerator(cfg Config) (*Generator, error) {
	g := &Generator{
		width: cfg.Width, height: cfg.Height, length: cfg.Length,
		alphabet: cfg.Alphabet, rand: cfg.Rand,
	}
	if g.width == 0 {
		g.width = DefaultWidth
	}
	if g.height == 0 {
		g.height = DefaultHeight
	}
	if g.length == 0 {
		g.length = DefaultLength
	}
	if g.alphabet == "" {
		g.alphabet = Digits
	}
	if g.rand == nil {
		g.rand = rand.Reader
	} else {
		g.randMu = new(sync.Mutex)
	}
	switch {
	case g.length < MinLength || g.length > MaxLength:
		return nil, fmt.Errorf("captcha: length %d is outside %d..%d", g.length, MinLength, MaxLength)
	case g.height < 32 || g.height > 400:
		return nil, fmt.Errorf("captcha: height %d is outside 32..400", g.height)
	case g.width < 1 || g.width > 1600:
		return nil, fmt.Errorf("captcha: width %d is outside 1..1600", g.width)
	}
	if err := g.alphabet.check(); err != nil {
		return nil, err
	}
	for i := 0; i < len(g.alphabet); i++ {
		g.glyphOf[g.alphabet[i]] = int8(i + 1)
	}

	// Layout: characters 55% of the height tall (their cap height) in
	// equal cells between margins, smaller when the cells are too narrow
	// for them: a digit is about two thirds as wide as it is tall.
	g.margin = 0.04 * float64(g.width)
	g.cell = (float64(g.width) - 2*g.margin) / float64(g.length)
	g.capHeight = min(0.55*float64(g.height), 1.3*g.cell)
	if g.capHeight < 14 {
		return nil, fmt.Errorf("captcha: a %d×%d image leaves %d characters %.0f pixels tall; at least 14 are needed",
			g.width, g.height, g.length, g.capHeight)
	}

	return g, nil
}

// Length returns how many characters the Generator's answers have.
func (g *Generator) Length() int { return g.length }

// Alphabet returns the alphabet the Generator's answers are drawn from.
func (g *Generator) Alphabet() Alphabet { return g.alphabet }

// Answer returns a new answer: Length characters drawn uniformly and
// independently from the alphabet, reading Config.Rand.
func (g *Generator) Answer() (string, error) {
	return randomAnswer(g.source(), g.alphabet, g.length)
}

// source returns the Generator's random source, serialised if it is the
// caller's.
func (g *Generator) source() io.Reader {
	if g.randMu == nil {
		return g.rand
	}
	return lockedReader{g.randMu, g.rand}
}

type lockedReader struct {
	mu *sync.Mutex
	r  io.Reader
}

func (l lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return io.ReadFull(l.r, p)
}

// checkAnswer reports whether answer is something g can render.
func (g *Generator) checkAnswer(answer string) error {
	if len(answer) == 0 || len(answer) > g.length {
		return ErrUnrenderable
	}
	for i := 0; i < len(answer); i++ {
		if g.glyphOf[answer[i]] == 0 {
			return ErrUnrenderable
		}
	}
	return nil
}

// Image writes answer as a PNG image of the Generator's size to w, in one
// Write: the characters rotated, scaled and moved one by one, crossed by
// two or three curves, sprinkled with dots and warped by sine waves, in one
// of a few dark inks on a light background (contrast ratio above 7:1). Each
// call draws new distortion from Config.Rand, so two images of one answer
// differ. A default image is 3 to 5 KB: 16 shades of one ink, 4 bits a
// pixel.
func (g *Generator) Image(w io.Writer, answer string) error {
	if err := g.checkAnswer(answer); err != nil {
		return err
	}
	g.glyphsOnce.Do(g.rasterise)
	if g.glyphsErr != nil {
		return g.glyphsErr
	}
	c, _ := g.canvases.Get().(*canvas)
	if c == nil {
		c = g.newCanvas()
	}
	defer g.canvases.Put(c)
	if err := c.rng.seed(g.source()); err != nil {
		return err
	}
	pal := g.draw(c, answer)
	c.out = appendPNG(c.out[:0], g.width, g.height, pal, c.raw, &c.deflate)
	_, err := w.Write(c.out)
	return err
}

// The fonts glyphs are drawn from, each character in a randomly chosen
// one: Go Bold and Go Mono Bold, from golang.org/x/image/font/gofont.
const numFonts = 2

var fontSources = [numFonts][]byte{gobold.TTF, gomonobold.TTF}

// capWidthRatio is how much wider than its cap height a glyph may be drawn;
// wider glyphs (W, M) are drawn smaller.
const capWidthRatio = 0.8

// fonts returns the parsed fonts, parsing them on first use.
var fonts = sync.OnceValues(func() ([numFonts]*opentype.Font, error) {
	var fs [numFonts]*opentype.Font
	for i, src := range fontSources {
		f, err := opentype.Parse(src)
		if err != nil {
			return fs, fmt.Errorf("captcha: parsing font: %w", err)
		}
		fs[i] = f
	}
	return fs, nil
})

// glyph is one character's coverage mask, with a border of zeros.
type glyph struct {
	mask   []uint8
	w, h   int
	ax, ay float64 // the anchor, in mask pixels: the centre of the ink horizontally, of the cap height vertically
}

// rasterise fills g.glyphs, once.
func (g *Generator) rasterise() {
	fs, err := fonts()
	if err != nil {
		g.glyphsErr = err
		return
	}
	for fi, f := range fs {
		g.glyphs[fi] = make([]glyph, len(g.alphabet))
		for i := 0; i < len(g.alphabet); i++ {
			if g.glyphs[fi][i], err = rasteriseGlyph(f, rune(g.alphabet[i]), g.capHeight); err != nil {
				g.glyphsErr = err
				return
			}
		}
	}
}

// rasteriseGlyph draws r with its cap height capPx pixels tall, smaller if
// that would make it wider than capWidthRatio times that.
func rasteriseGlyph(f *opentype.Font, r rune, capPx float64) (glyph, error) {
	var buf sfnt.Buffer
	const unit = 1000
	m, err := f.Metrics(&buf, fixed.I(unit), font.HintingNone)
	if err != nil {
		return glyph{}, fmt.Errorf("captcha: font metrics: %w", err)
	}
	size := capPx * unit / (float64(m.CapHeight) / 64)
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return glyph{}, fmt.Errorf("captcha: font face: %w", err)
	}
	defer func() { face.Close() }()
	b, _, ok := face.GlyphBounds(r)
	if !ok {
		return glyph{}, fmt.Errorf("captcha: font has no glyph for %q", r)
	}
	if w := float64(b.Max.X-b.Min.X) / 64; w > capWidthRatio*capPx {
		size *= capWidthRatio * capPx / w
		capPx *= capWidthRatio * capPx / w
		face.Close()
		if face, err = opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}); err != nil {
			return glyph{}, fmt.Errorf("captcha: font face: %w", err)
		}
	}
	dr, mask, maskp, _, ok := face.Glyph(fixed.Point26_6{}, r)
	if !ok {
		return glyph{}, fmt.Errorf("captcha: font has no glyph for %q", r)
	}
	// A zero border of one pixel lets bilinear sampling fade edges out
	// without bounds checks of its own.
	const pad = 1
	gl := glyph{w: dr.Dx() + 2*pad, h: dr.Dy() + 2*pad}
	gl.mask = make([]uint8, gl.w*gl.h)
	for y := 0; y < dr.Dy(); y++ {
		for x := 0; x < dr.Dx(); x++ {
			_, _, _, a := mask.At(maskp.X+x, maskp.Y+y).RGBA()
			gl.mask[(y+pad)*gl.w+x+pad] = uint8(a >> 8)
		}
	}
	gl.ax = float64(dr.Dx())/2 + pad
	gl.ay = -capPx/2 - float64(dr.Min.Y) + pad
	return gl, nil
}

// canvas is the working memory of one image, pooled.
type canvas struct {
	cov     []uint8 // ink coverage before the warp, 0..255, a byte a pixel
	raw     []byte  // the PNG's scanlines: a filter byte, then 4 bits a pixel
	out     []byte  // the PNG file
	deflate []byte  // the compressed scanlines
	rng     prng
	dx      []int32 // the warp's horizontal shift of each row, 24.8 fixed point
	dy      []int32 // the warp's vertical shift of each column, 24.8 fixed point
}

func (g *Generator) newCanvas() *canvas {
	return &canvas{
		cov: make([]uint8, g.width*g.height),
		raw: make([]byte, g.height*scanline(g.width)),
		dx:  make([]int32, g.height),
		dy:  make([]int32, g.width),
	}
}

// scanline is the length of one row of a 4-bit PNG, filter byte included.
func scanline(width int) int { return 1 + (width+1)/2 }

// Palettes: 16 levels from a light background (index 0) to a dark ink
// (index 15), so the PNG has 4 bits a pixel; each image picks one.
const levels = 16

var palettes = func() [][3 * levels]byte {
	type pair struct{ bg, ink color.RGBA }
	pairs := []pair{
		{color.RGBA{0xfb, 0xf8, 0xef, 0xff}, color.RGBA{0x1b, 0x2a, 0x6b, 0xff}}, // navy on cream
		{color.RGBA{0xf2, 0xf7, 0xf2, 0xff}, color.RGBA{0x1e, 0x4d, 0x2b, 0xff}}, // green on mint
		{color.RGBA{0xfa, 0xf1, 0xf0, 0xff}, color.RGBA{0x6e, 0x1a, 0x1a, 0xff}}, // maroon on rose
		{color.RGBA{0xf5, 0xf5, 0xf5, 0xff}, color.RGBA{0x22, 0x22, 0x22, 0xff}}, // charcoal on grey
		{color.RGBA{0xf6, 0xf2, 0xfa, 0xff}, color.RGBA{0x44, 0x1f, 0x63, 0xff}}, // purple on lavender
		{color.RGBA{0xef, 0xf8, 0xf8, 0xff}, color.RGBA{0x0d, 0x4a, 0x4f, 0xff}}, // teal on ice
		{color.RGBA{0xfc, 0xf6, 0xea, 0xff}, color.RGBA{0x5a, 0x34, 0x12, 0xff}}, // brown on sand
	}
	ps := make([][3 * levels]byte, len(pairs))
	for i, p := range pairs {
		for l := range levels {
			mix := func(a, b uint8) uint8 { return uint8((int(a)*(levels-1-l) + int(b)*l + (levels-1)/2) / (levels - 1)) }
			ps[i][3*l+0] = mix(p.bg.R, p.ink.R)
			ps[i][3*l+1] = mix(p.bg.G, p.ink.G)
			ps[i][3*l+2] = mix(p.bg.B, p.ink.B)
		}
	}
	return ps
}()

// levelOf maps a coverage to a palette index, rounding.
var levelOf = func() (t [256]uint8) {
	for v := range t {
		t[v] = uint8((v*(levels-1) + 127) / 255)
	}
	return t
}()

// draw renders answer into c.raw, as PNG scanlines of palette levels, and
// returns the palette.
func (g *Generator) draw(c *canvas, answer string) *[3 * levels]byte {
	clear(c.cov)
	r := &c.rng
	w, h := float64(g.width), float64(g.height)
	fi := r.intn(numFonts)

	// The characters, centred as a group with some slack either way.
	n := float64(len(answer))
	slack := (w - 2*g.margin - n*g.cell) / 2
	x0 := g.margin + slack + r.between(-0.5, 0.5)*g.margin
	for i := 0; i < len(answer); i++ {
		if r.float() < 0.3 {
			fi = r.intn(numFonts)
		}
		gl := &g.glyphs[fi][g.glyphOf[answer[i]]-1]
		cx := x0 + (float64(i)+0.5)*g.cell + r.between(-0.08, 0.08)*g.cell
		cy := h/2 + r.between(-0.06, 0.06)*h
		c.drawGlyph(g.width, g.height, gl, cx, cy,
			r.between(-0.38, 0.38), r.between(0.82, 1.02), r.between(0.88, 1.1))
	}

	// Two or three curves across most of the width, as thin as a quarter
	// of a stroke to under half of one, each in its own band of the
	// height so that they do not bunch into one thick bar.
	stroke := 0.16 * g.capHeight
	k := 2 + r.intn(2)
	for j := range k {
		band := (float64(j) + r.between(0.2, 0.8)) / float64(k)
		c.drawCurve(g.width, g.height,
			r.between(0, 0.15)*w, r.between(0.85, 1)*w, // from, to
			(0.25+0.5*band)*h, r.between(-0.1, 0.1)*h/w, // y at 0, slope
			r.between(0.06, 0.18)*h, r.between(0.5, 1.4)*w, r.between(0, 2*math.Pi), // wave
			r.between(0.25, 0.45)*stroke)
	}

	// Dots of ink, and of background punched into the ink.
	dot := max(1, int(math.Round(h/60)))
	for k := g.width * g.height / 150; k > 0; k-- {
		x, y := r.intn(g.width-dot+1), r.intn(g.height-dot+1)
		v := uint8(100 + r.intn(156))
		if r.float() < 0.3 {
			v = 0
		}
		size := 1 + r.intn(dot+1)
		for yy := y; yy < min(y+size, g.height); yy++ {
			row := c.cov[yy*g.width:]
			for xx := x; xx < min(x+size, g.width); xx++ {
				row[xx] = v
			}
		}
	}

	// The warp: each row shifted sideways and each column up or down by
	// sine waves of random phase and period.
	ax, px, fx := r.between(0.02, 0.05)*h, r.between(0.7, 1.4)*h, r.between(0, 2*math.Pi)
	ay, py, fy := r.between(0.04, 0.07)*h, r.between(0.35, 0.7)*w, r.between(0, 2*math.Pi)
	for y := range c.dx {
		c.dx[y] = int32(math.Round(256 * ax * math.Sin(2*math.Pi*float64(y)/px+fx)))
	}
	for x := range c.dy {
		c.dy[x] = int32(math.Round(256 * ay * math.Sin(2*math.Pi*float64(x)/py+fy)))
	}
	c.warp(g.width, g.height)
	return &palettes[r.intn(len(palettes))]
}

// drawGlyph draws gl into c.cov with its anchor at (cx, cy), rotated by
// theta radians and scaled by sx, sy, sampling the mask bilinearly.
// Coverage combines by maximum, so overlapping strokes stay solid.
func (c *canvas) drawGlyph(width, height int, gl *glyph, cx, cy, theta, sx, sy float64) {
	sin, cos := math.Sincos(theta)
	// Forward: p = C + R·S·(q - A). The bounding box of the mask's corners.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, q := range [4][2]float64{{0, 0}, {float64(gl.w), 0}, {0, float64(gl.h)}, {float64(gl.w), float64(gl.h)}} {
		ux, uy := (q[0]-gl.ax)*sx, (q[1]-gl.ay)*sy
		px, py := cx+cos*ux-sin*uy, cy+sin*ux+cos*uy
		minX, maxX = min(minX, px), max(maxX, px)
		minY, maxY = min(minY, py), max(maxY, py)
	}
	x0, x1 := max(0, int(math.Floor(minX))), min(width, int(math.Ceil(maxX)))
	y0, y1 := max(0, int(math.Floor(minY))), min(height, int(math.Ceil(maxY)))
	if x0 >= x1 || y0 >= y1 {
		return
	}
	// Inverse: q = A + S⁻¹·R⁻¹·(p - C), sampled at pixel centres, in
	// 16.16 fixed point; -0.5 puts mask pixel centres at integers.
	const one = 1 << 16
	dudx, dvdx := cos/sx, -sin/sy
	dudy, dvdy := sin/sx, cos/sy
	ex, ey := float64(x0)+0.5-cx, float64(y0)+0.5-cy
	u0 := gl.ax - 0.5 + dudx*ex + dudy*ey
	v0 := gl.ay - 0.5 + dvdx*ex + dvdy*ey
	du, dv := int(dudx*one), int(dvdx*one)
	mw, mh := gl.w, gl.h
	mask := gl.mask
	for y := y0; y < y1; y++ {
		fy := float64(y - y0)
		u := int((u0 + dudy*fy) * one)
		v := int((v0 + dvdy*fy) * one)
		row := c.cov[y*width : y*width+width]
		for x := x0; x < x1; x, u, v = x+1, u+du, v+dv {
			iu, iv := u>>16, v>>16
			if uint(iu) >= uint(mw-1) || uint(iv) >= uint(mh-1) {
				continue
			}
			fu, fv := (u>>8)&0xff, (v>>8)&0xff
			i := iv*mw + iu
			top := int(mask[i])*(256-fu) + int(mask[i+1])*fu
			bot := int(mask[i+mw])*(256-fu) + int(mask[i+mw+1])*fu
			s := uint8((top*(256-fv) + bot*fv) >> 16)
			if s > row[x] {
				row[x] = s
			}
		}
	}
}

// drawCurve draws y(x) = y0 + slope·x + amp·sin(2πx/period + phase) from
// x = from to x = to, thick pixels wide, anti-aliased, column by column.
func (c *canvas) drawCurve(width, height int, from, to, y0, slope, amp, period, phase, thick float64) {
	k := 2 * math.Pi / period
	for x := max(0, int(from)); x < min(width, int(to)); x++ {
		fx := float64(x) + 0.5
		s, co := math.Sincos(k*fx + phase)
		yc := y0 + slope*fx + amp*s
		d := slope + amp*k*co // dy/dx
		half := thick / 2 * math.Sqrt(1+d*d)
		for y := max(0, int(yc-half-1)); y < min(height, int(yc+half+2)); y++ {
			cover := half + 0.5 - math.Abs(float64(y)+0.5-yc)
			if cover <= 0 {
				continue
			}
			v := uint8(255)
			if cover < 1 {
				v = uint8(cover * 255)
			}
			if i := y*width + x; v > c.cov[i] {
				c.cov[i] = v
			}
		}
	}
}

// warp writes c.raw: c.cov displaced by c.dx and c.dy, sampled
// bilinearly, as palette levels packed two to a byte after each row's
// filter byte (0, none: the usual choice for palette images).
func (c *canvas) warp(width, height int) {
	cov := c.cov
	stride := scanline(width)
	for y := range height {
		out := c.raw[y*stride : (y+1)*stride]
		clear(out)
		shx, fx := int(c.dx[y]>>8), c.dx[y]&0xff
		// Columns whose source pixel and its right neighbour are inside.
		x0, x1 := max(0, -shx), min(width, width-1-shx)
		for x := x0; x < x1; x++ {
			d := c.dy[x]
			iy := y + int(d>>8)
			if uint(iy) >= uint(height-1) {
				continue
			}
			i := iy*width + x + shx
			top := cov[i : i+2]
			bot := cov[i+width : i+width+2]
			if top[0]|top[1]|bot[0]|bot[1] == 0 {
				continue
			}
			fy := d & 0xff
			t := int32(top[0])*(256-fx) + int32(top[1])*fx
			u := int32(bot[0])*(256-fx) + int32(bot[1])*fx
			l := levelOf[uint8((t*(256-fy)+u*fy)>>16)]
			out[1+x/2] |= l << (4 * (1 - x&1))
		}
	}
}

// prng is the fast generator that distortion draws from, seeded from the
// Generator's source for each image and recording.
type prng struct{ pcg mrand.PCG }

func (p *prng) seed(r io.Reader) error {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return fmt.Errorf("captcha: reading random source: %w", err)
	}
	p.pcg.Seed(binary.LittleEndian.Uint64(b[:8]), binary.LittleEndian.Uint64(b[8:]))
	return nil
}

// float returns a number in [0, 1).
func (p *prng) float() float64 { return float64(p.pcg.Uint64()>>11) * 0x1p-53 }

// between returns a number in [lo, hi).
func (p *prng) between(lo, hi float64) float64 { return lo + (hi-lo)*p.float() }

// intn returns a number in [0, n), n > 0; its bias is below 2⁻³², which is
// nothing for distortion (answers never use it).
func (p *prng) intn(n int) int { return int((p.pcg.Uint64() >> 32) * uint64(n) >> 32) }

// A PNG writer for what Image draws: 4-bit palette images, their
// scanlines compressed as one DEFLATE block with the fixed Huffman codes
// (RFC 1951 §3.2.6) and, as its only matches, runs of a repeated byte
// (distance 1) and repeats of the row above (distance one scanline). Such
// an image is mostly background runs, which this finds in one pass; a
// general compressor (compress/flate at any level) spends more time
// building its Huffman tables than drawing the image takes, for PNGs no
// more than a few hundred bytes smaller.

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// appendPNG appends to dst the PNG of a width×height image with the 4-bit
// scanlines raw (filter bytes included) and the 16-colour palette pal. z is
// scratch space for the compressed data, grown as needed.
func appendPNG(dst []byte, width, height int, pal *[3 * levels]byte, raw []byte, z *[]byte) []byte {
	*z = appendZlib((*z)[:0], raw, scanline(width))
	dst = append(dst, pngSignature...)
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], uint32(width))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(height))
	ihdr[8] = 4 // bit depth
	ihdr[9] = 3 // colour type: palette
	// compression, filter and interlace methods: 0
	dst = appendChunk(dst, "IHDR", ihdr[:])
	dst = appendChunk(dst, "PLTE", pal[:])
	dst = appendChunk(dst, "IDAT", *z)
	return appendChunk(dst, "IEND", nil)
}

func appendChunk(dst []byte, typ string, data []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(data)))
	start := len(dst)
	dst = append(dst, typ...)
	dst = append(dst, data...)
	return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
}

// appendZlib appends the zlib stream (RFC 1950) of data to dst, matching
// runs and repeats at distance stride.
func appendZlib(dst, data []byte, stride int) []byte {
	dst = append(dst, 0x78, 0x01) // deflate, 32 KB window, fastest
	bw := bitWriter{out: dst}
	bw.write(1|1<<1, 3) // BFINAL, BTYPE 01: fixed Huffman codes
	strideCode := distanceCode(stride)
	n := len(data)
	for i := 0; i < n; {
		run, above := 0, 0
		if i >= 1 {
			run = matchLen(data, i, i-1)
		}
		if i >= stride && run < maxMatch {
			above = matchLen(data, i, i-stride)
		}
		switch {
		case run >= minMatch && run >= above:
			bw.write(lengthCodes[run].bits, uint(lengthCodes[run].n))
			bw.write(distanceOne.bits, uint(distanceOne.n))
			i += run
		case above >= minMatch:
			bw.write(lengthCodes[above].bits, uint(lengthCodes[above].n))
			bw.write(strideCode.bits, uint(strideCode.n))
			i += above
		default:
			bw.write(literalCodes[data[i]].bits, uint(literalCodes[data[i]].n))
			i++
		}
	}
	bw.write(0, 7) // end of block: symbol 256, seven zero bits
	dst = bw.flush()
	return binary.BigEndian.AppendUint32(dst, adler32.Checksum(data))
}

const (
	minMatch = 3
	maxMatch = 258
)

// matchLen returns how many bytes from data[i] equal those from data[j],
// j < i, up to maxMatch.
func matchLen(data []byte, i, j int) int {
	limit := min(maxMatch, len(data)-i)
	k := 0
	for k+8 <= limit {
		x := binary.LittleEndian.Uint64(data[i+k:]) ^ binary.LittleEndian.Uint64(data[j+k:])
		if x != 0 {
			return k + bits.TrailingZeros64(x)/8
		}
		k += 8
	}
	for k < limit && data[i+k] == data[j+k] {
		k++
	}
	return k
}

// code is a DEFLATE code as written: bits, least significant first, with
// any extra bits after the Huffman code.
type code struct {
	bits uint32
	n    uint8
}

// fixedCode returns the fixed Huffman code of a literal/length symbol,
// bit-reversed as DEFLATE writes Huffman codes.
func fixedCode(sym int) code {
	var c, n int
	switch {
	case sym < 144:
		c, n = 0x30+sym, 8
	case sym < 256:
		c, n = 0x190+sym-144, 9
	case sym < 280:
		c, n = sym-256, 7
	default:
		c, n = 0xc0+sym-280, 8
	}
	return code{uint32(bits.Reverse16(uint16(c)) >> (16 - n)), uint8(n)}
}

var literalCodes = func() (t [256]code) {
	for i := range t {
		t[i] = fixedCode(i)
	}
	return t
}()

// lengthCodes[l] is the length symbol of a match of l bytes with its extra
// bits (RFC 1951 §3.2.5).
var lengthCodes = func() (t [maxMatch + 1]code) {
	base := [...]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	extra := [...]int{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	for s := len(base) - 1; s >= 0; s-- {
		for l := base[s]; l <= maxMatch && (s == len(base)-1 || l < base[s+1]); l++ {
			if t[l].n != 0 {
				continue
			}
			c := fixedCode(257 + s)
			c.bits |= uint32(l-base[s]) << c.n
			c.n += uint8(extra[s])
			t[l] = c
		}
	}
	return t
}()

// distanceCode returns the fixed code of distance d, 1 to 32768, with its
// extra bits.
func distanceCode(d int) code {
	s, base := 0, 1
	for {
		extra := max(0, s/2-1)
		if d < base+1<<extra || s == 29 {
			c := uint32(bits.Reverse8(uint8(s)) >> 3) // 5-bit codes
			return code{c | uint32(d-base)<<5, uint8(5 + extra)}
		}
		base += 1 << extra
		s++
	}
}

var distanceOne = distanceCode(1)

// bitWriter packs codes least significant bit first.
type bitWriter struct {
	out []byte
	acc uint64
	n   uint
}

// write appends the low n bits of b, n <= 32.
func (w *bitWriter) write(b uint32, n uint) {
	w.acc |= uint64(b) << w.n
	w.n += n
	if w.n >= 32 {
		w.out = binary.LittleEndian.AppendUint32(w.out, uint32(w.acc))
		w.acc >>= 32
		w.n -= 32
	}
}

// flush writes what is left, padded to a byte, and returns the output.
func (w *bitWriter) flush() []byte {
	for ; w.n > 0; w.n -= min(w.n, 8) {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
	}
	return w.out
}

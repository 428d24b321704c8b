package captcha

import (
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
)

// ErrLanguage is returned by [Generator.Audio] for a language it has no
// recordings in.
var ErrLanguage = errors.New("captcha: no audio in that language")

// Languages of the audio.
const (
	Indonesian = "id"
	English    = "en"
)

// AudioLanguages returns the languages [Generator.Audio] speaks, Indonesian
// first.
func AudioLanguages() []string { return []string{Indonesian, English} }

// The recordings: every digit and upper-case letter in each language, made
// by internal/sounds/generate.sh with espeak-ng, as 8 kHz 8-bit mono WAV.
//
//go:embed internal/sounds/id/*.wav internal/sounds/en/*.wav
var soundFiles embed.FS

// Audio format, of the recordings and of what Audio writes.
const (
	sampleRate = 8000
	wavHeader  = 44
)

// voice holds one language's recordings as unsigned 8-bit samples, indexed
// by character: 0-9, then A-Z.
type voice [36][]byte

func charIndex(c byte) int {
	if c <= '9' {
		return int(c - '0')
	}
	return 10 + int(c-'A')
}

// voices parses the embedded recordings, once.
var voices = sync.OnceValues(func() (map[string]*voice, error) {
	vs := map[string]*voice{}
	for _, lang := range AudioLanguages() {
		v := new(voice)
		for i := range v {
			c := "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i]
			name := "internal/sounds/" + lang + "/" + string(c) + ".wav"
			b, err := soundFiles.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("captcha: recording %s: %w", name, err)
			}
			if v[i], err = wavSamples(b); err != nil {
				return nil, fmt.Errorf("captcha: recording %s: %w", name, err)
			}
		}
		vs[lang] = v
	}
	return vs, nil
})

// wavSamples returns the samples of a WAV file of 8 kHz, 8-bit, mono PCM.
func wavSamples(b []byte) ([]byte, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, errors.New("not a WAV file")
	}
	var sawFormat bool
	for p := 12; p+8 <= len(b); {
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:]))
		p += 8
		if size > len(b)-p {
			return nil, errors.New("truncated chunk")
		}
		body := b[p : p+size]
		switch id {
		case "fmt ":
			if size < 16 ||
				binary.LittleEndian.Uint16(body[0:]) != 1 || // PCM
				binary.LittleEndian.Uint16(body[2:]) != 1 || // mono
				binary.LittleEndian.Uint32(body[4:]) != sampleRate ||
				binary.LittleEndian.Uint16(body[14:]) != 8 {
				return nil, errors.New("not 8 kHz 8-bit mono PCM")
			}
			sawFormat = true
		case "data":
			if !sawFormat {
				return nil, errors.New("data before format")
			}
			if len(body) == 0 {
				return nil, errors.New("no samples")
			}
			return body, nil
		}
		p += size + size&1 // chunks are padded to an even length
	}
	return nil, errors.New("no data chunk")
}

// AudioLanguage returns the language [Generator.Audio] speaks for lang
// ("id" or "en"), and false if it speaks none. It accepts either in any
// case, alone or with a region ("id-ID", "en_GB"), and "in", the old code
// for Indonesian that Java still uses: use it to key stored recordings by
// what a browser or app asks for.
func AudioLanguage(lang string) (string, bool) {
	if i := strings.IndexAny(lang, "-_"); i >= 0 {
		lang = lang[:i]
	}
	switch strings.ToLower(lang) {
	case "id", "in":
		return Indonesian, true
	case "en":
		return English, true
	}
	return "", false
}

// Audio writes answer spoken in lang as a WAV file (8 kHz, 8-bit mono PCM)
// to w, in one Write: the characters one by one, each a little faster or
// slower, higher or lower, and louder or softer than the last, with pauses
// of random length between them, over background noise and a quiet babble
// of other characters played backwards. lang is "id" (Indonesian digit and
// letter names: nol, satu, dua, ...; a, be, ce, ...) or "en" (English);
// regional forms such as "id-ID" and "en-GB" are accepted. A six-digit
// answer lasts about six seconds and takes about 50 KB.
//
// Each call draws new variation from Config.Rand. Audio is the WCAG 1.1.1
// alternative to [Generator.Image]: offer it beside every image, for the
// same challenge.
func (g *Generator) Audio(w io.Writer, answer string, lang string) error {
	if err := g.checkAnswer(answer); err != nil {
		return err
	}
	l, ok := AudioLanguage(lang)
	if !ok {
		return fmt.Errorf("%w: %q", ErrLanguage, lang)
	}
	vs, err := voices()
	if err != nil {
		return err
	}
	v := vs[l]

	m, _ := mixers.Get().(*mixer)
	if m == nil {
		m = new(mixer)
	}
	defer mixers.Put(m)
	if err := m.rng.seed(g.source()); err != nil {
		return err
	}
	m.out = m.render(m.out[:0], v, answer, g.alphabet)
	_, err = w.Write(m.out)
	return err
}

var mixers sync.Pool // *mixer

// mixer is the working memory of one recording, pooled.
type mixer struct {
	rng prng
	buf []float32
	out []byte
}

// Timing and levels, relative to the recordings' peaks (-1 dBFS).
const (
	leadMin, leadMax = 0.3, 0.6   // seconds before the first character
	gapMin, gapMax   = 0.35, 0.75 // between characters
	tailMin, tailMax = 0.3, 0.5   // after the last
	rateMin, rateMax = 0.9, 1.12  // playback rate of a character: its speed and pitch
	gainMin, gainMax = 0.75, 1.0  // loudness of a character
	noiseLevel       = 0.06       // background noise, RMS
	babbleMin        = 0.1        // loudness of the babble
	babbleMax        = 0.2
)

// render appends the WAV file of answer spoken by v to dst.
func (m *mixer) render(dst []byte, v *voice, answer string, alphabet Alphabet) []byte {
	r := &m.rng
	sec := func(lo, hi float64) int { return int(r.between(lo, hi) * sampleRate) }

	// Plan: where each character starts, at what rate and gain.
	type placed struct {
		samples    []byte
		at, length int
		rate, gain float64
		reversed   bool
	}
	var plan [MaxLength + MaxLength + 4]placed
	n := 0
	pos := sec(leadMin, leadMax)
	for i := 0; i < len(answer); i++ {
		if i > 0 {
			pos += sec(gapMin, gapMax)
		}
		p := placed{samples: v[charIndex(answer[i])], at: pos, rate: r.between(rateMin, rateMax), gain: r.between(gainMin, gainMax)}
		p.length = int(float64(len(p.samples)-1) / p.rate)
		plan[n] = p
		n++
		pos += p.length
	}
	total := pos + sec(tailMin, tailMax)
	total += total & 1 // an even data chunk needs no pad byte
	// The babble: characters of the same alphabet, backwards and quiet,
	// anywhere, so that no silence tells where a character begins.
	for k := len(answer) + 2; k > 0; k-- {
		p := placed{
			samples: v[charIndex(alphabet[r.intn(len(alphabet))])],
			rate:    r.between(0.8, 1.25), gain: r.between(babbleMin, babbleMax), reversed: true,
		}
		p.length = int(float64(len(p.samples)-1) / p.rate)
		p.at = r.intn(max(1, total-p.length))
		plan[n] = p
		n++
	}

	// Mix: noise, then every placed recording, resampled linearly.
	if cap(m.buf) < total {
		m.buf = make([]float32, total)
	}
	buf := m.buf[:total]
	m.noise(buf)
	for _, p := range plan[:n] {
		s := p.samples
		last := len(s) - 1
		out := buf[p.at:min(total, p.at+p.length)]
		gain, rate := float32(p.gain)/128, float32(p.rate)
		for j := range out {
			x := float32(j) * rate
			i := int(x)
			f := x - float32(i)
			var a, b float32
			if !p.reversed {
				a, b = float32(s[i]), float32(s[min(i+1, last)])
			} else {
				a, b = float32(s[last-i]), float32(s[max(last-i-1, 0)])
			}
			out[j] += gain * (a - 128 + (b-a)*f)
		}
	}

	// Normalise the peak to 95% of full scale and quantise. (Plain
	// comparisons: the builtin max, which must order NaNs, is several
	// times slower here.)
	var lo, hi float32
	for _, x := range buf {
		if x > hi {
			hi = x
		} else if x < lo {
			lo = x
		}
	}
	scale := float32(0)
	if peak := max(hi, -lo); peak > 0 {
		scale = 0.95 * 127 / peak
	}
	dst = appendWAVHeader(dst, total)
	dst = slices.Grow(dst, total)
	samples := dst[len(dst) : len(dst)+total]
	for i, x := range buf {
		// x·scale is within ±120.65, so the sum is positive and the
		// conversion, which truncates, rounds to nearest.
		samples[i] = uint8(x*scale + 128.5)
	}
	return dst[:len(dst)+total]
}

// noise fills buf with background noise at noiseLevel RMS: white noise
// through a one-pole low-pass filter (y += (1-a)(x-y)), which puts most of
// its energy below about 600 Hz, where it masks speech less than a hiss
// does and sounds like a room rather than a radio.
func (m *mixer) noise(buf []float32) {
	const a = 0.6
	// Uniform noise on [-1, 1) has RMS 1/√3; the filter scales RMS by
	// √((1-a)/(1+a)).
	g := float32(noiseLevel * math.Sqrt(3) * math.Sqrt((1+a)/(1-a)))
	var y float32
	var bits uint64
	for i := range buf {
		if i&3 == 0 {
			bits = m.rng.pcg.Uint64()
		}
		white := float32(int16(bits)) / 32768
		bits >>= 16
		y += (1 - a) * (white - y)
		buf[i] = g * y
	}
}

// appendWAVHeader appends the 44-byte header of a WAV file of n samples of
// 8 kHz, 8-bit mono PCM, n even.
func appendWAVHeader(dst []byte, n int) []byte {
	le32 := binary.LittleEndian.AppendUint32
	le16 := binary.LittleEndian.AppendUint16
	dst = append(dst, "RIFF"...)
	dst = le32(dst, uint32(wavHeader-8+n))
	dst = append(dst, "WAVEfmt "...)
	dst = le32(dst, 16)
	dst = le16(dst, 1) // PCM
	dst = le16(dst, 1) // mono
	dst = le32(dst, sampleRate)
	dst = le32(dst, sampleRate) // bytes per second
	dst = le16(dst, 1)          // bytes per sample frame
	dst = le16(dst, 8)          // bits per sample
	dst = append(dst, "data"...)
	return le32(dst, uint32(n))
}

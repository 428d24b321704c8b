package captcha

import (
	"errors"
	"fmt"
	"io"
)

// Alphabet is the set of characters answers are drawn from, as a string of
// distinct digits and upper-case ASCII letters: the characters [Normalize]
// can return.
type Alphabet string

// The alphabets masuk ships.
const (
	// Digits is the default: ten shapes nobody confuses, and names every
	// listener knows in both languages, which makes the audio easiest.
	Digits Alphabet = "0123456789"
	// DigitsLetters is digits and upper-case letters without the ones
	// that read alike once rotated, warped and crossed by lines (0 O Q D,
	// 1 I L, 2 Z, 5 S, 6 G, 8 B, U V) or that a crossing line turns into
	// another (F into E, P into R). Its 17 characters give about 4.1 bits
	// each, against 3.3 for Digits.
	DigitsLetters Alphabet = "3479ACEHJKMNRTWXY"
)

// Bounds of an answer's length.
const (
	MinLength = 4
	MaxLength = 10
)

// maxTyped bounds what Normalize reads: no answer with any spacing a person
// types is longer.
const maxTyped = 64

// check returns an error unless a is a usable alphabet.
func (a Alphabet) check() error {
	if len(a) < 2 {
		return errors.New("captcha: alphabet needs at least 2 characters")
	}
	if len(a) > 36 {
		return errors.New("captcha: alphabet has more than 36 characters")
	}
	var seen [256]bool
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !isAnswerByte(c) {
			return fmt.Errorf("captcha: alphabet character %q is not a digit or an upper-case ASCII letter", c)
		}
		if seen[c] {
			return fmt.Errorf("captcha: alphabet repeats %q", c)
		}
		seen[c] = true
	}
	return nil
}

func isAnswerByte(c byte) bool {
	return '0' <= c && c <= '9' || 'A' <= c && c <= 'Z'
}

// Normalize turns what a person typed into the form answers are compared
// in: it drops ASCII white space anywhere (leading, trailing and between
// characters, so "12 34 56" is "123456") and upper-cases ASCII letters. It
// reports false, and returns "", when nothing is left, when anything else
// is typed (punctuation, control or non-ASCII characters such as
// full-width digits), or when the result is longer than [MaxLength]:
// such input answers no challenge.
//
// Hash or compare answers only after Normalize, and treat false as a wrong
// answer: never as a match (an empty answer verifying as right was
// base64Captcha's CVE-2023-45292).
func Normalize(typed string) (string, bool) {
	if len(typed) > maxTyped {
		return "", false
	}
	var buf [MaxLength]byte
	n := 0
	changed := false
	for i := 0; i < len(typed); i++ {
		c := typed[i]
		switch {
		case c == ' ' || '\t' <= c && c <= '\r':
			changed = true
			continue
		case 'a' <= c && c <= 'z':
			c -= 'a' - 'A'
			changed = true
		case !isAnswerByte(c):
			return "", false
		}
		if n == len(buf) {
			return "", false
		}
		buf[n] = c
		n++
	}
	if n == 0 {
		return "", false
	}
	if !changed {
		return typed, true
	}
	return string(buf[:n]), true
}

// randomAnswer returns n characters drawn uniformly from a, reading r.
// Bytes at or above the largest multiple of len(a) below 256 are
// discarded, so no character is likelier than another.
func randomAnswer(r io.Reader, a Alphabet, n int) (string, error) {
	limit := 256 - 256%len(a)
	out := make([]byte, 0, n)
	var buf [2 * MaxLength]byte
	// A good source rejects a byte with probability under 1/2 (len(a) <= 36
	// wastes at most 4 of 256 values), so 64 reads all coming back
	// rejected means the source is broken, not unlucky.
	for reads := 0; len(out) < n; reads++ {
		if reads == 64 {
			return "", errors.New("captcha: random source keeps returning unusable bytes")
		}
		// Ask for a little more than is left, so one read usually does.
		want := min(len(buf), 2*(n-len(out)))
		if _, err := io.ReadFull(r, buf[:want]); err != nil {
			return "", fmt.Errorf("captcha: reading random source: %w", err)
		}
		for _, b := range buf[:want] {
			if int(b) < limit {
				out = append(out, a[int(b)%len(a)])
				if len(out) == n {
					break
				}
			}
		}
	}
	return string(out), nil
}

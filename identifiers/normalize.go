package identifiers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// squeeze gathers the digits of the trimmed input t into buf, skipping
// spaces, dots and dashes; the first from bytes of t are digits. It
// returns the count n of digits found and, when t holds any other
// character, that character's byte offset in t, else -1. Past len(buf)
// digits, buf holds garbage: n is still counted for the length error that
// must follow.
func squeeze(t string, from int, buf *[bufLen]byte) (n, bad int) {
	copy(buf[:], t[:from])
	u := uint(from)
	for i := from; i < len(t); i++ {
		c := t[i]
		class := charClass[c]
		if class == 0 {
			return int(u), i
		}
		// A separator is stored too, and overwritten by the next digit.
		buf[u%bufLen] = c
		u += uint(class & 1)
	}
	return int(u), -1
}

// charClass sorts input bytes: 1 for an ASCII digit, 2 for a separator,
// 0 for anything else.
var charClass = [256]uint8{
	'0': 1, '1': 1, '2': 1, '3': 1, '4': 1, '5': 1, '6': 1, '7': 1, '8': 1, '9': 1,
	' ': 2, '.': 2, '-': 2,
}

// digitPrefix returns the number of ASCII digits s starts with. It tests
// eight bytes at a time while it can: in a 64-bit word of bytes that all
// have the high nibble 3, adding 6 to each keeps that nibble (no byte
// carries into the next) exactly when every low nibble is at most 9.
func digitPrefix(s string) int {
	const high, threes, sixes = 0xF0F0F0F0F0F0F0F0, 0x3030303030303030, 0x0606060606060606
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if v&high != threes || (v+sixes)&high != threes {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i]-'0' > 9 {
			return i
		}
	}
	return len(s)
}

// characterError builds the error for the character at byte offset bad of
// the trimmed input, with its position counted in runes of the input s as
// given.
func characterError(k Kind, s string, bad int) *Error {
	lead := len(s) - len(strings.TrimLeftFunc(s, unicode.IsSpace))
	r, _ := utf8.DecodeRuneInString(s[lead+bad:])
	return &Error{
		Kind:   k,
		Reason: Character,
		Pos:    utf8.RuneCountInString(s[:lead+bad]) + 1,
		Char:   r,
	}
}

// validate normalises s and applies the rules of kind k in mode m. It
// returns the trimmed input t and the count n of its digits: when n is
// len(t), t is the digits; otherwise they are in buf[:n]. Input that needs
// no separators removed is checked in place, without a copy.
func validate(k Kind, s string, m Mode, buf *[bufLen]byte) (t string, n int, err *Error) {
	if !k.valid() {
		return "", 0, &Error{Kind: k, Reason: UnknownKind}
	}
	t = s
	if len(s) == 0 || s[0]-'0' > 9 || s[len(s)-1]-'0' > 9 {
		t = strings.TrimSpace(s)
	}
	var r Reason
	if p := digitPrefix(t); p == len(t) {
		n = len(t)
		if err := lengthError(k, n); err != nil {
			return t, n, err
		}
		r = check(k, t, m)
	} else {
		var bad int
		n, bad = squeeze(t, p, buf)
		if bad >= 0 {
			return t, n, characterError(k, s, bad)
		}
		if err := lengthError(k, n); err != nil {
			return t, n, err
		}
		r = check(k, buf[:n], m)
	}
	if r != 0 {
		return t, n, &Error{Kind: k, Reason: r}
	}
	return t, n, nil
}

// lengthError returns the error for n digits of kind k, or nil when n is
// a length of the kind.
func lengthError(k Kind, n int) *Error {
	want := int(kindLengths[k])
	switch {
	case n == want || (k == NPWP && n == 15):
		return nil
	case n == 0:
		return &Error{Kind: k, Reason: Empty}
	case k == NPWP && n < 15:
		want = 15
	}
	return &Error{Kind: k, Reason: Length, Want: want, Got: n}
}

// Digits trims s, removes the spaces, dots and dashes in it and returns the
// digits that remain, checking nothing but the character set: any other
// character is an error of reason [Character], and input without digits
// one of reason [Empty]. It suits uses that need the digits of whatever was
// typed, such as the context words of a password policy; to turn a number
// into an account key use [Canonical].
func Digits(s string) (string, error) {
	t := strings.TrimSpace(s)
	if digitPrefix(t) == len(t) {
		if t == "" {
			return "", &Error{Reason: Empty}
		}
		return t, nil
	}
	d := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		switch charClass[t[i]] {
		case 0:
			return "", characterError(0, s, i)
		case 1:
			d = append(d, t[i])
		}
	}
	if len(d) == 0 {
		return "", &Error{Reason: Empty}
	}
	return string(d), nil
}

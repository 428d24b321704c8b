package identifiers

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// scan trims s, drops spaces, dots and dashes, and copies the digits into
// buf. It returns the trimmed input t, the count n of digits found (which
// may exceed len(buf); the excess is counted, not stored), and, when a
// character other than an ASCII digit or a separator is found, the byte
// offset of that character in t (else -1).
func scan(s string, buf *[maxDigits]byte) (t string, n, bad int) {
	t = strings.TrimSpace(s)
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
			if n < len(buf) {
				buf[n] = c
			}
			n++
		case c == ' ' || c == '.' || c == '-':
		default:
			return t, n, i
		}
	}
	return t, n, -1
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

// digitsOf normalises s and checks its length for kind k. On success d is
// the digits, held in buf, and t the trimmed input.
func digitsOf(k Kind, s string, buf *[maxDigits]byte) (d []byte, t string, err *Error) {
	if !k.valid() {
		return nil, "", &Error{Kind: k, Reason: UnknownKind}
	}
	t, n, bad := scan(s, buf)
	if bad >= 0 {
		return nil, t, characterError(k, s, bad)
	}
	if n == 0 {
		return nil, t, &Error{Kind: k, Reason: Empty}
	}
	want := int(kindLengths[k])
	if n == want || (k == NPWP && n == 15) {
		return buf[:n], t, nil
	}
	if k == NPWP && n < 16 {
		want = 15
	}
	return nil, t, &Error{Kind: k, Reason: Length, Want: want, Got: n}
}

// Digits trims s, removes the spaces, dots and dashes in it and returns the
// digits that remain, checking nothing but the character set: any other
// character is an error of reason [Character], and input without digits
// one of reason [Empty]. It suits uses that need the digits of whatever was
// typed, such as the context words of a password policy; to turn a number
// into an account key use [Canonical].
func Digits(s string) (string, error) {
	t := strings.TrimSpace(s)
	clean := true
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c >= '0' && c <= '9':
		case c == ' ' || c == '.' || c == '-':
			clean = false
		default:
			return "", characterError(0, s, i)
		}
	}
	if clean {
		if t == "" {
			return "", &Error{Reason: Empty}
		}
		return t, nil
	}
	d := make([]byte, 0, len(t))
	for i := 0; i < len(t); i++ {
		if c := t[i]; c >= '0' && c <= '9' {
			d = append(d, c)
		}
	}
	if len(d) == 0 {
		return "", &Error{Reason: Empty}
	}
	return string(d), nil
}

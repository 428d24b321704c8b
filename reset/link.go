package reset

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// Sizes of a [LinkToken]'s halves, in bytes, and of its text form.
const (
	SelectorSize = 16 // 128 bits, looked up
	SecretSize   = 32 // 256 bits, of which only a hash is stored
	// LinkTokenLen is the length of [LinkToken.String]: both halves in
	// lowercase hex around a dot.
	LinkTokenLen = 2*SelectorSize + 1 + 2*SecretSize
)

// linkHashPrefix separates link token hashes from any other SHA-256. It is
// the prefix the auth package hashed its pending-login and
// remembered-device tokens with before it used [LinkToken], so that the
// tokens it stored then still verify.
const linkHashPrefix = "masuk/auth token v1\x00"

// LinkToken is a bearer token in two halves: a random selector, which the
// store looks the token up by, and a random secret, of which only
// [LinkToken.Hash] is stored and which is compared in constant time. Its
// text form, [LinkToken.String], is the selector and the secret in
// lowercase hex around a dot, 97 characters that are safe in a URL query,
// a cookie or a form field.
//
// [Tokens] uses it for links sent by email; the auth package also uses it
// for its pending logins and remembered devices, with purposes of their
// own. Anyone who holds the text holds the token: never log it.
//
// The zero LinkToken is all zeros; use [NewLinkToken] or [ParseLinkToken].
type LinkToken struct {
	selector [SelectorSize]byte
	secret   [SecretSize]byte
}

// NewLinkToken returns a new token, with a 128-bit selector and a 256-bit
// secret read from r, or from crypto/rand if r is nil.
func NewLinkToken(r io.Reader) (LinkToken, error) {
	if r == nil {
		r = rand.Reader
	}
	var t LinkToken
	if _, err := io.ReadFull(r, t.selector[:]); err != nil {
		return LinkToken{}, fmt.Errorf("reset: reading random source: %w", err)
	}
	if _, err := io.ReadFull(r, t.secret[:]); err != nil {
		return LinkToken{}, fmt.Errorf("reset: reading random source: %w", err)
	}
	return t, nil
}

// ParseLinkToken reads the text form of a token. It accepts exactly what
// [LinkToken.String] writes, 32 lowercase hex digits, a dot and 64
// lowercase hex digits, and reports false for anything else, without
// reading further than it must.
func ParseLinkToken(s string) (LinkToken, bool) {
	if len(s) != LinkTokenLen || s[2*SelectorSize] != '.' {
		return LinkToken{}, false
	}
	sel, sec := s[:2*SelectorSize], s[2*SelectorSize+1:]
	if !isLowerHex(sel) || !isLowerHex(sec) {
		return LinkToken{}, false
	}
	var t LinkToken
	if _, err := hex.Decode(t.selector[:], []byte(sel)); err != nil {
		return LinkToken{}, false
	}
	if _, err := hex.Decode(t.secret[:], []byte(sec)); err != nil {
		return LinkToken{}, false
	}
	return t, true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Selector returns the half of the token that the store looks it up by,
// in lowercase hex: [store.Token.Selector]. It is not secret enough to
// redeem the token, but it is not for display either.
func (t LinkToken) Selector() string { return hex.EncodeToString(t.selector[:]) }

// String returns the token's text form, "selector.secret", to send. It is
// the bearer token itself.
func (t LinkToken) String() string {
	var b [LinkTokenLen]byte
	hex.Encode(b[:2*SelectorSize], t.selector[:])
	b[2*SelectorSize] = '.'
	hex.Encode(b[2*SelectorSize+1:], t.secret[:])
	return string(b[:])
}

// Hash returns what is stored for the token when it is issued for
// purpose, [store.Token.Hash]: the SHA-256 of a fixed prefix, the
// purpose, a NUL and the secret in hex, 32 bytes. A token issued for one
// purpose never verifies as another's, and as the secret has 256 bits a
// plain hash is enough: nobody can find the secret from it.
func (t LinkToken) Hash(purpose string) []byte {
	var sec [2 * SecretSize]byte
	hex.Encode(sec[:], t.secret[:])
	h := sha256.New()
	h.Write([]byte(linkHashPrefix))
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(sec[:])
	return h.Sum(nil)
}

package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
)

// Sizes of a [Token]'s halves, in bytes, and of its text form.
const (
	SelectorSize = 16 // 128 bits, looked up
	VerifierSize = 32 // 256 bits, of which only a hash is stored
	// TokenLen is the length of [Token.String]: both halves in lowercase
	// hex around a dot. [ParseToken] accepts nothing longer or shorter.
	TokenLen = 2*SelectorSize + 1 + 2*VerifierSize
)

// tokenHashPrefix separates token hashes from any other SHA-256. It names
// the auth package, where the first tokens were hashed with it, and must
// not change: stored tokens (reset links, pending logins, remembered
// devices, sessions) are checked against hashes made with it.
const tokenHashPrefix = "masuk/auth token v1\x00"

// Token is a bearer token in two halves: a random selector, which the
// store looks the token up by, and a random verifier, of which only
// [Token.Hash] is stored and which [Token.Verify] compares in constant
// time. Its text form, [Token.String], is the selector and the verifier
// in lowercase hex around a dot, 97 characters that are safe in a URL
// query, a cookie or a form field.
//
// Package reset sends it in links; the auth package uses it for pending
// logins, remembered devices and sessions, each with a purpose of its
// own. Anyone who holds the text holds the token: never log it.
//
// The zero Token is all zeros; use [NewToken] or [ParseToken].
type Token struct {
	selector [SelectorSize]byte
	verifier [VerifierSize]byte
}

// NewToken returns a new token, with a 128-bit selector and a 256-bit
// verifier read from r, or from crypto/rand if r is nil.
func NewToken(r io.Reader) (Token, error) {
	if r == nil {
		r = rand.Reader
	}
	var t Token
	if _, err := io.ReadFull(r, t.selector[:]); err != nil {
		return Token{}, fmt.Errorf("secret: reading random source: %w", err)
	}
	if _, err := io.ReadFull(r, t.verifier[:]); err != nil {
		return Token{}, fmt.Errorf("secret: reading random source: %w", err)
	}
	return t, nil
}

// ParseToken reads the text form of a token. It accepts exactly what
// [Token.String] writes, 32 lowercase hex digits, a dot and 64 lowercase
// hex digits, and reports false, with the zero Token, for anything else,
// without reading further than it must.
func ParseToken(s string) (Token, bool) {
	if len(s) != TokenLen || s[2*SelectorSize] != '.' {
		return Token{}, false
	}
	sel, ver := s[:2*SelectorSize], s[2*SelectorSize+1:]
	if !isLowerHex(sel) || !isLowerHex(ver) {
		return Token{}, false
	}
	var t Token
	if _, err := hex.Decode(t.selector[:], []byte(sel)); err != nil {
		return Token{}, false
	}
	if _, err := hex.Decode(t.verifier[:], []byte(ver)); err != nil {
		return Token{}, false
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
// in lowercase hex: store.Token.Selector. It is not enough to redeem the
// token, but it is not for display either.
func (t Token) Selector() string { return hex.EncodeToString(t.selector[:]) }

// String returns the token's text form, "selector.verifier", to send. It
// is the bearer token itself.
func (t Token) String() string {
	var b [TokenLen]byte
	hex.Encode(b[:2*SelectorSize], t.selector[:])
	b[2*SelectorSize] = '.'
	hex.Encode(b[2*SelectorSize+1:], t.verifier[:])
	return string(b[:])
}

// Hash returns what is stored for the token when it is issued for
// purpose, store.Token.Hash: the SHA-256 of a fixed prefix, the purpose,
// a NUL and the verifier in hex, 32 bytes. A token issued for one purpose
// never verifies as another's, and as the verifier has 256 bits a plain
// hash is enough: nobody can find the verifier from it.
func (t Token) Hash(purpose string) []byte {
	var ver [2 * VerifierSize]byte
	hex.Encode(ver[:], t.verifier[:])
	h := sha256.New()
	h.Write([]byte(tokenHashPrefix))
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(ver[:])
	return h.Sum(nil)
}

// Verify checks the token against hash, what [Token.Hash] gave when it was
// issued for purpose, in constant time. It returns nil for a match and
// [ErrWrongToken] otherwise, a damaged or empty hash included.
func (t Token) Verify(hash []byte, purpose string) error {
	if subtle.ConstantTimeCompare(hash, t.Hash(purpose)) != 1 {
		return ErrWrongToken
	}
	return nil
}

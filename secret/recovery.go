package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"io"
)

// Recovery codes.
const (
	// RecoveryCodeBits is the entropy of a recovery code: 24 symbols of 5
	// bits each, every one of the 2^120 codes equally likely. That is at
	// least the 112 bits with which ASVS 6.5.2 lets a lookup secret be
	// stored with a plain hash, well above NIST's 64.
	RecoveryCodeBits = 120
	// DefaultRecoveryCodes is how many codes [NewRecoveryCodes] makes
	// when asked for 0.
	DefaultRecoveryCodes = 10
	// MaxRecoveryCodes bounds a set.
	MaxRecoveryCodes = 100
)

// recoveryAlphabet is Crockford's base32: digits and capitals without
// I, L, O and U. NormalizeRecoveryCode reads i, l as 1 and o as 0.
const recoveryAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var recoveryEncoding = base32.NewEncoding(recoveryAlphabet).WithPadding(base32.NoPadding)

const (
	recoverySymbols  = RecoveryCodeBits / 5 // 24
	recoveryGroup    = 4                    // symbols between dashes
	recoveryDisplay  = recoverySymbols + recoverySymbols/recoveryGroup - 1
	maxTypedRecovery = 100 // bytes NormalizeRecoveryCode reads
)

// NewRecoveryCodes returns n new recovery codes ([DefaultRecoveryCodes]
// if n is 0, at most [MaxRecoveryCodes]) read from r, or from
// crypto/rand if r is nil.
//
// A code is [RecoveryCodeBits] bits written as 24 characters of
// Crockford's base32 (digits and capitals without I, L, O and U) in six
// groups of four: "7KQM-2XHD-9RTA-P4WN-CJ3F-VY8E". Show the set once,
// store only [HashRecoveryCode] of each, and replace the whole set when
// the user asks for a new one.
func NewRecoveryCodes(r io.Reader, n int) ([]string, error) {
	if n == 0 {
		n = DefaultRecoveryCodes
	}
	if n < 0 || n > MaxRecoveryCodes {
		return nil, fmt.Errorf("secret: %d recovery codes, want 1 to %d", n, MaxRecoveryCodes)
	}
	if r == nil {
		r = rand.Reader
	}
	raw := make([]byte, n*RecoveryCodeBits/8)
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, fmt.Errorf("secret: reading random source: %w", err)
	}
	codes := make([]string, n)
	seen := make(map[string]bool, n)
	for i := range codes {
		c := groupRecovery(recoveryEncoding.EncodeToString(raw[i*RecoveryCodeBits/8 : (i+1)*RecoveryCodeBits/8]))
		if seen[c] {
			// 2^-120 for a working source: this one repeats itself.
			return nil, fmt.Errorf("secret: the random source gave the same recovery code twice")
		}
		seen[c] = true
		codes[i] = c
	}
	return codes, nil
}

// groupRecovery writes 24 symbols in groups of four joined by dashes.
func groupRecovery(s string) string {
	var b [recoveryDisplay]byte
	j := 0
	for i := 0; i < len(s); i++ {
		if i > 0 && i%recoveryGroup == 0 {
			b[j] = '-'
			j++
		}
		b[j] = s[i]
		j++
	}
	return string(b[:])
}

// NormalizeRecoveryCode returns a typed recovery code in the form
// [NewRecoveryCodes] writes it. It ignores case, blanks and dashes
// wherever they are, and reads the letters people type for digits as
// the digits (I and L as 1, O as 0). It reports false, with "", for
// anything else: another character (U, punctuation, a non-ASCII or
// full-width character), the wrong number of symbols, or more than 100
// bytes. Such a string is no recovery code.
func NormalizeRecoveryCode(typed string) (string, bool) {
	c, ok := compactRecovery(typed)
	if !ok {
		return "", false
	}
	return groupRecovery(string(c[:])), true
}

// compactRecovery returns the symbols of a typed recovery code, without
// the dashes.
func compactRecovery(typed string) (c [recoverySymbols]byte, ok bool) {
	if len(typed) > maxTypedRecovery {
		return c, false
	}
	n := 0
	for i := 0; i < len(typed); i++ {
		b := typed[i]
		switch {
		case b == ' ' || b == '-':
			continue
		case 'a' <= b && b <= 'z':
			b -= 'a' - 'A'
		}
		switch b {
		case 'I', 'L':
			b = '1'
		case 'O':
			b = '0'
		case 'U':
			return c, false
		}
		if !('0' <= b && b <= '9' || 'A' <= b && b <= 'Z') || n == recoverySymbols {
			return c, false
		}
		c[n] = b
		n++
	}
	return c, n == recoverySymbols
}

// recoveryHashPrefix separates recovery code hashes from any other
// SHA-256 of the same text. It names the totp package, where recovery
// codes were first hashed, and must not change: sets shown to users are
// checked against hashes made with it.
const recoveryHashPrefix = "masuk/totp recovery code v1\x00"

// HashRecoveryCode returns what is stored for a recovery code: the
// SHA-256 of the normalized code (see [NormalizeRecoveryCode]) after a
// fixed prefix, 32 bytes. Hash the codes of [NewRecoveryCodes] with it,
// and what a user types: both are normalized first, so any way of typing
// a code gives the same hash. A malformed code returns [ErrInvalidCode].
//
// The hash is unsalted, so that a store can find and delete a used code
// by its hash in one atomic operation. ASVS 6.5.2 allows that for codes
// of 112 bits or more; these have 120.
func HashRecoveryCode(code string) ([]byte, error) {
	c, ok := compactRecovery(code)
	if !ok {
		return nil, ErrInvalidCode
	}
	h := sha256.New()
	h.Write([]byte(recoveryHashPrefix))
	h.Write(c[:])
	return h.Sum(nil), nil
}

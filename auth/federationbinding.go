package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
)

// MaxFederationBindings is how many bindings one answer may offer in
// FederationCallback.Binding and Bindings together: a browser with a few
// logins or links begun at once (in several tabs) keeps the binding of
// each, and the answer finds its own among them. More are refused
// without spending the state.
const MaxFederationBindings = 4

// maxBindingLen bounds each offered binding: Begin's are 64 characters.
const maxBindingLen = 128

// bindingCandidates returns the bindings a callback offers, or false when
// they are too many or too long to be a browser's.
func bindingCandidates(c *FederationCallback) ([]string, bool) {
	out := make([]string, 0, 1+len(c.Bindings))
	for _, b := range append([]string{c.Binding}, c.Bindings...) {
		if b != "" {
			out = append(out, b)
		}
	}
	if len(out) == 0 || len(out) > MaxFederationBindings {
		return nil, false
	}
	for _, b := range out {
		if len(b) > maxBindingLen {
			return nil, false
		}
	}
	return out, true
}

// matchBinding returns the candidate whose hash is want (hex SHA-256, as
// Begin keeps it). Every candidate is hashed and compared in constant
// time, whichever matches: the token's one attempt checks them all.
func matchBinding(candidates []string, want string) (string, bool) {
	found, ok := "", 0
	for _, b := range candidates {
		sum := sha256.Sum256([]byte(b))
		m := subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(want))
		if m == 1 {
			found = b
		}
		ok |= m
	}
	return found, ok == 1
}

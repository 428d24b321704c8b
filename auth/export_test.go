package auth

import "github.com/masuk-id/masuk/notify"

// CanonicalUnicode exposes the general path of CanonicalUsername, so tests
// can check that the ASCII fast path agrees with it.
var CanonicalUnicode = canonicalUnicode

// MaskPhone exposes how a second step shows the phone number a code went
// to, for numbers too short to register today but possibly stored.
func MaskPhone(to string) string { return mask(notify.SMS, to) }

// FreshAuth exposes the check of an ID token's "auth_time" against the
// start of a re-authentication through a provider.
var FreshAuth = freshAuth

package auth

// CanonicalUnicode exposes the general path of CanonicalUsername, so tests
// can check that the ASCII fast path agrees with it.
var CanonicalUnicode = canonicalUnicode

// Package secret makes the secrets that masuk hands to people, and the
// hashes it stores instead of them: bearer tokens for links and cookies,
// short numeric codes to type, and recovery codes to print. It keeps
// nothing and logs nothing; each function draws, hashes or compares, and
// the caller stores what it returns.
//
// Most hosts never call it: package reset sends its links and codes with
// it, and auth.Authenticator its pending logins, remembered devices,
// sessions, sent codes and recovery codes. Use it directly to build a
// flow of your own that hands out a secret.
//
// # Which to reach for
//
//   - Something a link, a cookie or a header carries, that nobody types:
//     a [Token]. [NewToken] draws it; store its [Token.Selector] and
//     [Token.Hash]; send [Token.String]. When it comes back,
//     [ParseToken] reads it, the store finds the record by the selector,
//     and [Token.Verify] checks the stored hash.
//   - Something a person reads in an email, SMS or WhatsApp message and
//     types, often on another device: a code. [NewCode] draws it; store
//     [HashCode] of it, bound to the flow and the account; check what the
//     person types with [VerifyCode].
//   - A second factor of last resort, printed or written down and typed
//     months later: a set of recovery codes. [NewRecoveryCodes] draws
//     them; store [HashRecoveryCode] of each; hash what the person types
//     the same way and let the store find and delete it.
//     [NormalizeRecoveryCode] shows a typed code in its printed form.
//
// Every function that draws takes an io.Reader, and reads crypto/rand when
// it is nil. Pass nil in a server, and a fixed source in a test that must
// know what was drawn.
//
// # How much each one holds
//
// A [Token] is a 128-bit selector and a 256-bit verifier. The selector is
// an index, not a secret: it lets the store find the record without
// comparing secrets in a database query. The verifier is the secret, and
// nobody guesses 256 bits.
//
// A code has log2(10), about 3.32, bits a digit: 6 digits ([MinCodeDigits],
// [DefaultCodeDigits]), the least ASVS 6.5.4 allows, are about 20 bits, 8
// about 27, 10 ([MaxCodeDigits]) about 33. That is far too little to
// withstand guessing on its own. What makes such a code safe is kept by
// the caller and the store: a short life (ASVS 6.5.5: at most 10 minutes
// for a second factor), a cap on attempts per code, a pause before a
// resend, and deletion on first use. Every code is equally likely:
// [NewCode] draws without the bias of a plain modulo.
//
// A recovery code is [RecoveryCodeBits], 120 bits: 24 symbols of
// Crockford's base32 (digits and capitals without I, L, O and U) in six
// groups of four, "7KQM-2XHD-9RTA-P4WN-CJ10-VY8E", for reading aloud and
// typing. NIST SP 800-63B asks 64 bits of a look-up secret; ASVS 6.5.2
// lets one of 112 bits or more be stored with a plain hash. A set has ten
// codes ([DefaultRecoveryCodes]) unless asked for another number.
//
// # Only hashes are stored
//
// A secret's hash is what goes into the store; the secret itself goes
// only to the person. Each hash is a SHA-256 after a fixed prefix of its
// kind, so that no hash of one kind ever equals a hash of another:
//
//   - [Token.Hash] covers the purpose the token was issued for, so a
//     session's token never verifies as a remembered device's.
//   - [HashCode] covers the purpose and the account, so an emailed reset
//     code is not a second factor, and a code sent to one account never
//     verifies for another. With a code's few bits, anyone who reads the
//     hash can try every code in a moment; the hash keeps codes out of
//     backups, dumps and logs, and the limits above protect them.
//   - [HashRecoveryCode] hashes the code as [NormalizeRecoveryCode]
//     writes it, so any way of typing a code gives its hash. It is
//     unsalted, so that the store can find and delete a used code by its
//     hash in one atomic operation (store.Recovery.UseRecoveryCode).
//
// A plain SHA-256 is the right hash here, not a password hash: tokens and
// recovery codes have too many bits to be guessed from their hashes, and
// codes too few for any hash to save them.
//
// The prefixes, and so the hashes, never change: tokens, codes and
// recovery codes stored by any earlier version keep verifying. They name
// where each kind was first hashed ("masuk/auth token v1",
// "masuk/totp delivered code v1", "masuk/totp recovery code v1"), and the
// known answers in testdata hold them to it.
//
// # Comparisons are constant-time
//
// Every comparison of a secret with a stored hash in this package,
// [Token.Verify] and [VerifyCode], runs in constant time (crypto/subtle),
// so how long a refusal takes tells nothing about how close a guess came.
// A recovery code is not compared here: its hash is the key the store
// looks it up by. [VerifyCode] and [HashRecoveryCode] refuse a malformed
// code with [ErrInvalidCode] before any hash; a well-formed one that does
// not match is [ErrWrongCode], and a token that does not is
// [ErrWrongToken]. Count both as failed attempts.
//
// # Single use is the store's
//
// A secret is safe only if it works once. Nothing here remembers a use:
// the caller consumes a token or a code, and deletes a recovery code, in
// one atomic store operation (store.Tokens, store.Recovery), so that of
// any number of parallel requests with one secret exactly one succeeds.
//
// # Secrets are never logged
//
// Tokens, codes and recovery codes are for the person's screen, the
// message sent to them and, hashed, the store. Never put them in a log
// line, an error or an event. Errors of this package name what was wrong
// and never the value.
//
// # References
//
//   - OWASP ASVS 5.0.0, chapter 6.5 (general multi-factor requirements)
//   - NIST SP 800-63B, §5.1.2 (look-up secrets) and §5.1.3 (out-of-band
//     devices)
//   - Crockford's base32: https://www.crockford.com/base32.html
//   - Split tokens (selector and verifier):
//     https://paragonie.com/blog/2017/02/split-tokens-token-based-authentication-protocols-without-side-channels
package secret

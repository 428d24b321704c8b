// Package totp holds masuk's authenticator-app second factor: TOTP codes
// (RFC 6238) checked without replay, enrollment by otpauth URI and QR
// code, and the keyring that seals the secrets at rest. It keeps nothing:
// each function computes, checks or seals, and the single use that makes
// a code safe is one atomic operation of the store, which the caller
// performs with what these functions return.
//
// Package [github.com/masuk-id/masuk/secret] draws, hashes and checks
// the other codes of a second step: recovery codes and codes sent by
// email or SMS. Unlike a TOTP secret, which must be read to check a code,
// those are stored hashed.
//
// Most hosts never call it: auth.Authenticator enrolls factors, checks
// codes and records their use. Use it directly to build a second-factor
// flow of your own, or a tool that reseals secrets after a key rotation.
//
// # Which API to reach for
//
//   - Enrolling an authenticator app: [NewSecret] makes the secret;
//     [Enrollment] turns it into the otpauth URI ([Enrollment.URI]), its
//     QR code ([Enrollment.QR]) and the key to type by hand
//     ([Enrollment.ManualKey]). Keep the factor unconfirmed until the user
//     types a code that [Params.Match] accepts, and record that code's
//     step when confirming (store.Factors.ConfirmFactor), so the code
//     that confirmed the factor cannot also log in.
//   - Checking an authenticator code: [Params.Match], then the store's
//     compare-and-set of the step it returns (below).
//   - Storing the secret: [Keyring.Seal], [Keyring.Open] and
//     [Keyring.NeedsReseal].
//   - Reading a stored factor's algorithm name back: [ParseAlgorithm].
//
// # Checking a code without replay
//
// A TOTP code stays valid for every time step in the window, 90 seconds
// with the default skew; whoever sees it over a shoulder or through a
// phishing page can send it again. [Params.Match] therefore returns the
// time step the code belongs to, never a bare bool, and the caller
// accepts the code only if it can move the factor's last accepted step
// forward to that step, in one atomic compare-and-set in the store:
//
//	step, err := p.Match(secret, code, time.Now())
//	if err != nil {
//		return err // ErrInvalidCode or ErrWrongCode: count a failed attempt
//	}
//	if err := factors.AcceptStep(ctx, accountID, factorID, step); err != nil {
//		return err // store.ErrStale: the code, or a later one, was used already
//	}
//
// Reading the last step, comparing in Go and writing it back is not the
// same thing: two requests with one code would both pass. With the
// compare-and-set, of any number of parallel submissions of a code
// exactly one succeeds, and once the code of step T is accepted, the
// codes of T and of T−1 are refused: steps only move forward (RFC 6238
// §5.2, ASVS 6.5.1, NIST SP 800-63B §5.1.4.2).
//
// Match takes the time from its caller; pass the server's clock (ASVS
// 6.5.8), never a time the client sent.
//
// # Parameters and where they come from
//
// The zero [Params] is what every authenticator app supports and RFC
// 6238 recommends: HMAC-SHA-1, 6 digits, a 30-second period, and one
// step of skew either side. Unlike pquerna/otp, where an unset Digits
// rejects every code, every zero field here means its documented
// default, and [Params.Validate] refuses anything out of range instead
// of weakening it. Algorithm, Digits and Period are part of the factor:
// they go into the otpauth URI, must be stored with the factor, and must
// not change after enrollment. SHA-256, SHA-512 and 8 digits are
// supported, but some apps ignore them and show wrong codes.
//
// ASVS 6.5.5 asks that a TOTP live at most 30 seconds. The period is 30
// seconds; the skew of one step, which RFC 6238 §5.2 recommends for
// clocks that drift and people who type slowly, accepts a code for up
// to 90 seconds, but only once, because of the compare-and-set above.
// A verifier that must hold to 30 seconds sets Skew to [NoSkew] and
// accepts that some users with a slow phone clock will be refused.
//
// Codes are taken exactly as typed: [Params.Digits] ASCII digits.
// Anything else (a blank, a full-width or Arabic-Indic digit, the wrong
// length) is [ErrInvalidCode]; a form that lets people type "123 456"
// removes the blank first.
//
// # Sealing and key rotation
//
// A TOTP secret is needed in clear to check a code, so it cannot be
// hashed; it is stored sealed with AES-256-GCM under a key the host
// holds outside the database ([Keyring]). Each sealed secret names the
// id of its key. To rotate, add a new key to the ring and make it the
// current one: new secrets are sealed under it, old ones still open, and
// [Keyring.NeedsReseal] says which to seal again (when the factor is
// next used, or in a batch, with store.Factors.ResealFactor). When none
// is left, remove the old key. Seal with additional data naming the
// owner, such as the factor's id, so a sealed secret copied to another
// row does not open.
//
// # Secrets are never logged
//
// Nothing in this package logs. Secrets, codes, URIs and sealed secrets
// are for the user's screen and the store only: never put them in a log
// line, an error or an event. Errors of this package name what was wrong
// (a length, a key id) and never the value. An [Enrollment], which holds
// the secret, prints and logs without it; a [Keyring] prints no key
// material.
//
// # Testing
//
// In a test of a portal's second factors, [github.com/masuk-id/masuk/auth/authtest.Kit.EnrollTOTP] enrolls an
// app through auth and keeps its secret, and [github.com/masuk-id/masuk/auth/authtest.Kit.TOTPCode] is the code
// it shows at the test's clock.
//
// # References
//
//   - RFC 4226, HOTP: https://www.rfc-editor.org/rfc/rfc4226
//   - RFC 6238, TOTP: https://www.rfc-editor.org/rfc/rfc6238
//   - Key Uri Format: https://github.com/google/google-authenticator/wiki/Key-Uri-Format
//   - OWASP ASVS 5.0.0, chapter 6.5 (general multi-factor requirements)
//   - NIST SP 800-63B, §5.1.4 (single-factor OTP)
package totp

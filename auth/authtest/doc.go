// Package authtest lets a portal unit-test its own authentication policy,
// as net/http/httptest lets it test its handlers: no database, no mail
// server, no browser, and a clock that moves only when the test says so.
// Import it from _test.go files only.
//
// # A Kit
//
// [New] takes the portal's own auth.Config (its realms with their
// password, lockout, captcha, reset and activation policies, links) and
// fills in what a test must control: a memstore, a fast test [Hasher], a
// [Clock], a deterministic [Rand], a notify.Outbox as the sender and,
// when a realm asks for one, a captcha service whose answers the Kit
// knows. The lockout is the portal's own (Realm.Lockout), on the Kit's
// store and clock. The test then drives [Kit.Auth], the real
// Authenticator, through its services and asserts what the portal's users
// would see:
//
//	k := authtest.New(t, auth.Config{Realms: portal.Realms})
//	k.FailLogins(t, "lpse", "budi", "203.0.113.9", 5)
//	_, err := k.Auth.Logins().Login(ctx, right) // a *lockout.LockedError
//	k.Advance(t, 15*time.Minute)
//	_, err = k.Auth.Logins().Login(ctx, right)  // nil
//
// # Helpers
//
//   - Time: [Kit.Advance] moves the clock of the Authenticator, its
//     realms' lockouts, its tokens and its captcha service together.
//   - Lockout: [Kit.FailLogins] fails n logins from an address (solving
//     captchas on the way, so every failure counts).
//   - Captcha: [Kit.SolveCaptcha] issues a challenge and returns its
//     answer. The Kit's challenges are real captcha.Service challenges
//     (single use, expiring, bound to their flow) whose generator reads a
//     constant random source, so they all have one answer: they test when
//     the portal asks for a captcha and what a missing or wrong one does,
//     not how legible its images are.
//   - Messages: [Kit.LastMessage], [Kit.LastCode], [Kit.LastLink] and
//     [Kit.LastToken] read what was sent to an address, after waiting for
//     the messages the Authenticator sends in the background
//     (Authenticator.Close).
//   - Second factors: [Kit.EnrollTOTP] enrolls an authenticator app and
//     keeps its secret; [Kit.TOTPCode] is the code the app shows at the
//     Kit's time, with the TOTP parameters of the account's realm.
//   - Audit: [Kit.Events] lists a realm's events, newest first.
//
// Every helper takes a [TB] (a *testing.T) and fails the test, with
// Fatalf, when it cannot do its job.
//
// # Never in production
//
// The [Hasher] is one SHA-256, the [Rand] is predictable, and the keyring
// New provides when Config.Keyring is nil has an all-zero
// key. Each is there to make tests fast and repeatable, and each would be
// a vulnerability in a running portal. Nothing in this package is meant
// to be imported by non-test code.
package authtest

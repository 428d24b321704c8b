// Package auth is the part of masuk most hosts call: it checks credentials,
// registers accounts, changes passwords and records every attempt, on top of
// the storage contract in package store and the hashing and policy in
// package auth/password.
//
// # Getting started
//
// Build one [Authenticator] from a [Config]; only the store is required:
//
//	a, err := auth.New(auth.Config{Store: memstore.New()})
//	acct, err := a.Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: pw})
//	res, err := a.Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "Budi", Password: pw})
//
// # Storage roles, and stores that wrap stores
//
// masuk keeps its records through one small interface per role (accounts,
// credentials, events, attempt counters, tokens, sessions, factors,
// recovery codes, remembered devices). Each role is a field of [Config];
// one left nil is taken from Config.Store when Store implements it, and
// that is the only rule. A feature that is on (second factors and sessions
// are on unless turned off) and finds no store for its role makes [New]
// fail with a [*MissingRoleError] naming the role, and a field holding a
// typed nil is refused too: no composition of stores switches a
// protection off unseen.
//
// A host that wraps its store in a decorator, to trace or count its calls,
// usually embeds store.Store, which hides every other role of the store it
// wraps. Either implement the roles on the decorator too, or name the
// inner store's roles in Config (see the example of [New]):
//
//	cfg := auth.Config{Store: traced, Attempts: inner, Tokens: inner, Sessions: inner,
//		Factors: inner, Recovery: inner, Devices: inner}
//
// # Uniform answers
//
// [Authenticator.Login] answers an unknown username, a wrong password and a
// disabled account with the same [ErrInvalidCredentials], and an unknown
// username costs one password verification at the same parameters as a
// known one (against a stand-in hash computed by [New]), so neither the
// answer nor its timing tells who has an account. Only after the password
// verified does Login reveal what its owner must know:
// [ErrPendingConfirmation] or [ErrPendingApproval].
//
// The reason a login failed is recorded for operators (an event's "reason"
// detail: [ReasonUnknownUser], [ReasonBadPassword], [ReasonDisabled], ...)
// and never returned.
//
// # Realms and usernames
//
// Every account belongs to a realm: one person holds separate accounts, with
// separate passwords, on separate portals. Usernames are unique per realm in
// their canonical form ([CanonicalUsername]): trimmed, NFKC-normalised and
// case-folded, so "Alice", "ALICE" and "ＡＬＩＣＥ" are one account. Control,
// bidi and zero-width characters and mixed Latin, Greek and Cyrillic letters
// are refused with a [*UsernameError], since they serve only to make two
// names look alike.
//
// # Passwords
//
// New passwords pass the [PasswordPolicy] (by default password.NewPolicy's:
// 8 to 256 characters, not a common password, not containing the username,
// email or realm). Hashes are argon2id by default; hashes a portal migrated
// from an older system (bcrypt, salted MD5/SHA digests) verify and are
// upgraded at the next successful login through store.Credentials'
// SwapCredential, which only replaces the hash it verified, so an upgrade
// never undoes a password change made meanwhile.
//
// Hashing is bounded in concurrency by the hasher: when too many hashes are
// running, Login returns an error wrapping password.ErrBusy (show "try again
// in a moment"), whether or not the username exists.
//
// # Second factors
//
// Second factors are on unless Config.SecondFactor.Off: an account with a
// confirmed second factor logs in in two steps. Login checks
// the password as always and then, instead of a result, returns a
// [*SecondFactorRequired] error (errors.Is [ErrSecondFactorRequired]): a
// host that forgets the second step lets nobody in. It carries the pending
// login, which lasts 5 minutes, is bound to the account's current password
// (a change or reset voids it) and completes once, and the methods the
// account can use:
//
//	res, err := a.Login(ctx, req)
//	var sfr *auth.SecondFactorRequired
//	if errors.As(err, &sfr) {
//		// keep sfr.Pending server-side; ask for a code by sfr.Methods
//	}
//	res, err = a.VerifySecondFactor(ctx, auth.SecondFactorRequest{
//		Realm: "lpse", Pending: pending, Method: auth.MethodTOTP, Code: typed})
//
// The methods are an authenticator app ([MethodTOTP]), a code sent by email
// or SMS ([MethodEmail], [MethodSMS], sent by [Authenticator.SendCode] to
// the address on record, valid 5 minutes, 60 seconds between sends, 5
// tries), and a recovery code ([MethodRecovery]). Wrong codes count on the
// lockout's second-factor counter. An authenticator code is accepted once:
// the store moves the factor's last accepted time step forward by
// compare-and-set, so a code, or an older one, never works twice, however
// many requests carry it at once. A code is checked first and used up
// only after the pending login is consumed, so that no code, recovery
// codes included, is ever used up without the login it completes. Every
// secret is stored hashed or, for the authenticator's, sealed with
// Config.SecondFactor.Keyring.
//
// Enrolling an app takes two calls: [Authenticator.BeginTOTP] (which needs
// the current password and returns the QR code) and
// [Authenticator.ConfirmTOTP] with the first code, which also returns the
// first recovery codes, shown once. [Authenticator.AddCodeFactor],
// [Authenticator.RemoveFactor] and [Authenticator.RegenerateRecoveryCodes]
// need the current password too, and every change is told to the owner
// through Config.Sender. A device may be remembered
// (SecondFactorRequest.Remember) for 30 days; a password change forgets
// every remembered device.
//
// # Registration, activation and approval
//
// A realm's [Realm.Activation] makes new accounts confirm their email
// address by a link or a code ([Authenticator.ConfirmAccount],
// [Authenticator.ResendActivation]), and [Realm.Approval] makes them wait
// for an operator ([Authenticator.Approve], [Authenticator.Reject], with
// who and why recorded and the applicant told). In such a realm a
// registration whose username or email is taken answers exactly as a new
// one does, and the owner of the address is told instead, at most once a
// day.
//
// Registrations are bounded before any hash ([RegistrationConfig]): per
// client address, per username and per email, with an optional captcha
// ([CaptchaPolicy.Registration]); every field is bounded, a profile out of
// bounds is a [*FieldError]; and new passwords hash in at most half the
// hasher's slots, so a flood of registrations cannot starve logins. An
// account that never confirms its address expires after 7 days and frees
// its username and email.
//
// # Forgotten passwords
//
// [Authenticator.RequestReset] takes a username (NIP, NPWP, ...) or an email
// address and answers the same, in the same time, whether or not it names
// an account: it checks the form and the client address's rate
// ([ResetConfig.PerAddress]) and returns; the lookup, the account's own
// limits and the message happen in the background ([Authenticator.Close]
// waits for them). Every request gets a link or code of its own, bound to
// the flow it returns ([ResetStarted.Flow]): nobody who asks for resets in
// the owner's name can void the owner's code or use it up with wrong
// guesses, and past the account's limits mail silently stops (see
// [ResetConfig] for the arithmetic that bounds guessing). The realm's [Realm.Reset] sends a
// link to [Links.Reset] (built from configuration, never from a Host
// header) or, as MySAPK does, a code. [Authenticator.CompleteReset] checks
// the new password against the policy before it uses the link or code up,
// sets it with a new security stamp (voiding pending logins, remembered
// devices and every other token), ends the lockout's locks, tells the
// owner, and logs no one in: the next login still asks for the second
// factor. Links and codes are single use, expire (1 hour and 15 minutes),
// allow 3 tries, and are stored hashed: see package reset.
//
// [Authenticator.RequestEmailChange] and [Authenticator.ConfirmEmailChange]
// change an address only once the new one is confirmed, and tell the old
// one.
//
// # Sessions
//
// After both steps, [Authenticator.StartSession] begins a server-side
// session and returns its token for the cookie (package auth/httpauth sets
// it and loads it on every request). [Authenticator.LoadSession] checks the
// session's idle timeout (30 minutes) and absolute lifetime (12 hours), and
// on every load the account: a disabled account, or a security stamp that
// changed (a password change or reset, an operator's forced reset), ends
// the session at the very next request, not at a later re-check. A busy
// session's last use is written once a minute. Owners list their sessions
// ([Authenticator.Sessions]) and end one, the others or all
// ([Authenticator.RevokeSession], [Authenticator.RevokeOtherSessions],
// [Authenticator.Logout]); a password change ends them all, so start a new
// session after it.
//
// # Activity and alerts
//
// [Authenticator.Activity] pages through an account's history: logins and
// failures, locks, resets, factor changes, sessions ended and operators'
// actions with who did them. A login from a browser or network (an IPv4
// /24, an IPv6 /48) the account has not logged in from in its recent
// history tells the owner by email, with a link to [Links.Activity].
//
// # Operators
//
// [Authenticator.Unlock], [Authenticator.ForceReset],
// [Authenticator.Disable], [Authenticator.Enable],
// [Authenticator.EndSessions], [Authenticator.Approve] and
// [Authenticator.Reject] act on one account and record the operator and
// the reason in its history; [Authenticator.ListAccounts] finds accounts by
// state and by the beginning of a username or email. Each action carries
// the operator's Scope, the realms it may act in ([ErrOutOfScope] outside
// them), and an operator cannot act on its own account ([ErrSelfAction]).
//
// # Events
//
// Every login attempt, registration and password change is appended to the
// store's event log and written to the configured *slog.Logger, with the
// client address and user agent from [Request]. Neither ever holds a
// password; usernames are logged only in canonical form, which cannot
// contain a line break. A failure to record is logged, not returned, so a
// full audit table cannot stop logins. The log keeps events for
// [Config.EventRetention] (400 days by default) and prunes older ones as
// new ones are written; a login whose username no account can have counts
// against its client address, and once the address is locked its
// refusals write nothing.
//
// # Work after the answer
//
// Messages and alerts go out after the request's answer, in at most 64
// background jobs; [Authenticator.Close] waits for them and
// [Authenticator.Background] counts them. A job that panics (a host's
// buggy Sender) is recovered, logged with its stack and counted: the
// process goes on.
//
// # Testing a portal's policy
//
// Package auth/authtest builds an Authenticator from a host's own Config on
// memory, a clock that moves when told and an outbox, so a portal can
// unit-test its lockout, captcha, reset and second-factor policies in
// milliseconds: see [github.com/masuk-id/masuk/auth/authtest.New].
//
// # Errors
//
// Outcomes are sentinel errors for errors.Is. Store failures and a canceled
// ctx come back wrapped: every operation fails closed.
package auth

// Package auth is the part of masuk most hosts call: it checks credentials,
// registers accounts, resets passwords, runs second factors and sessions,
// and records every attempt, on top of the storage contract in package
// store and the hashing and policy in package auth/password.
//
// # Getting started
//
// Build one [Authenticator] from a [Config]; only the store is required.
// The Authenticator is the root: it hands out services, each with one
// concern, and every method of a service takes a context and one value.
//
//	a, err := auth.New(auth.Config{Store: memstore.New()})
//	reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: pw})
//	res, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "Budi", Password: pw})
//	sess, err := a.Sessions().Start(ctx, auth.StartSession{Account: res.Account})
//
// # Which service does what
//
//   - [Authenticator.Logins] ([Logins]): Login, the second step
//     (SecondStep, SendCode for a code by email or SMS, BeginPasskey for a
//     passkey), PasskeyLogin for a login with a passkey alone, and
//     CaptchaNeeded for a login form.
//   - [Authenticator.Accounts] ([Accounts]): Register, Confirm and
//     ResendActivation for a new account's address, RequestReset and
//     CompleteReset for a forgotten password, ChangePassword,
//     RequestEmailChange and ConfirmEmailChange, RequestPhoneChange and
//     ConfirmPhoneChange, Get, and the owner's rights over the data kept
//     (Indonesia's UU 27/2022): Export, and Erase, which removes the
//     account and everything keyed to it and deletes or pseudonymises its
//     events as the realm's Retention says.
//   - [Authenticator.Sessions] ([Sessions]): Start after a login, Load on
//     every request, List, Logout, Revoke and RevokeOthers for the owner's
//     sessions page, Reauthenticate before sensitive actions. Package auth/httpauth wraps them for net/http.
//   - [Authenticator.Factors] ([Factors]): the owner's second factors:
//     Summary, BeginTOTP and ConfirmTOTP for an authenticator app, AddCodes
//     for codes by email or SMS, BeginPasskey, ConfirmPasskey, Passkeys and
//     RenamePasskey for passkeys, Remove, RegenerateRecoveryCodes, and
//     ForgetDevice for a remembered device.
//   - [Authenticator.Activity] ([Activity]): List pages through an
//     account's history, for its owner.
//   - [Authenticator.Operator] ([Operator]): the only way to operators'
//     actions, obtained with the operator's identity and the realms it may
//     act in: Account, List and Activity to look; LockStatus and Unlock;
//     Approve and Reject a registration; ForceReset, Disable, Enable and
//     EndSessions; Passkeys and RemovePasskey; Erase.
//   - The Authenticator itself: Close (waits for the messages sent after
//     the answer), Background (counts that work) and PruneEvents.
//   - [Classify] turns any error of these into a stable code, an HTTP
//     status, the fields it concerns and a message in Indonesian or
//     English.
//
// A public handler that holds only a Logins cannot reach an operator's
// Disable: hand each part of a portal the service it needs.
//
// # Configuration: stores by role, settings by realm
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
// Everything a portal sets per realm is a field of [Realm]: its links,
// messages and portal name, password policy, lockout policy, captcha
// policy, registration limits and approval, activation, reset and
// email-change flows (each with its own lifetimes, code lengths, tries and
// limits: no flow borrows another's), session timeouts and second-factor
// requirement. Config.Realm holds the defaults; each entry of
// Config.Realms takes what it leaves zero from them, field by field. [New]
// resolves and checks every realm at once and names the realm and the
// setting it refuses (an [ErrConfig]): a captcha with no checker, a
// second-factor requirement this version cannot meet, reset or activation
// codes that could be guessed.
//
// # Uniform answers
//
// [Logins.Login] answers an unknown username, a wrong password and a
// disabled account with the same [ErrInvalidCredentials], and an unknown
// username costs one password verification at the same parameters as a
// known one (against a stand-in hash computed by [New]), so neither the
// answer nor its timing tells who has an account. Only after the password
// verified does Login reveal what its owner must know:
// [ErrPendingConfirmation] or [ErrPendingApproval].
//
// The reason a login failed is recorded for operators (an event's "reason"
// detail: [ReasonUnknownUser], [ReasonBadPassword], [ReasonDisabled], ...)
// and never returned. Event kinds and reasons are constants of their own
// types, [EventKind] and [Reason].
//
// # Realms and usernames
//
// Every account belongs to a realm: one person holds separate accounts,
// with separate passwords, on separate portals. Usernames are unique per
// realm in their canonical form ([CanonicalUsername]): trimmed,
// NFKC-normalised and case-folded, so "Alice", "ALICE" and "ＡＬＩＣＥ" are
// one account. Control, bidi and zero-width characters and mixed Latin,
// Greek and Cyrillic letters are refused with a [*UsernameError], since
// they serve only to make two names look alike. A realm whose usernames
// are national numbers ([Realm.Username]: NIP, NPWP, KPJ, ...) accepts any
// typing of the same number and says which part of a wrong one is wrong.
//
// # Passwords
//
// New passwords pass the realm's [PasswordPolicy] (by default
// password.NewPolicy's: 8 to 256 characters, not a common password, not
// containing the username, email or realm; a breached-password check when
// the host configures one). Hashes are argon2id by default; hashes a
// portal migrated from an older system (bcrypt, salted MD5/SHA digests)
// verify and are upgraded at the next successful login through
// store.Credentials' SwapCredential, which only replaces the hash it
// verified, so an upgrade never undoes a password change made meanwhile.
//
// Hashing is bounded in concurrency by the hasher: when too many hashes
// are running, Login returns an error wrapping password.ErrBusy (show "try
// again in a moment"), whether or not the username exists. New passwords
// (registrations, changes, resets) hash in at most half the slots, so a
// flood of them cannot starve logins.
//
// # Second factors
//
// An account with a confirmed second factor logs in in two steps. Login
// checks the password as always and then, instead of a result, returns a
// [*SecondFactorRequired] error (errors.Is [ErrSecondFactorRequired]): a
// host that forgets the second step lets nobody in. It carries the pending
// login, which lasts 5 minutes, is bound to the account's current password
// (a change or reset voids it) and completes once, and the methods the
// account can use:
//
//	res, err := a.Logins().Login(ctx, req)
//	var sfr *auth.SecondFactorRequired
//	if errors.As(err, &sfr) {
//		// keep sfr.Pending server-side; ask for a code by sfr.Methods
//	}
//	res, err = a.Logins().SecondStep(ctx, auth.SecondStepRequest{
//		Realm: "lpse", Pending: pending, Method: auth.MethodTOTP, Code: typed})
//
// The methods are an authenticator app ([MethodTOTP]), a code sent by
// email, SMS or WhatsApp ([MethodEmail], [MethodSMS], [MethodWhatsApp],
// sent by [Logins.SendCode] to the address or phone on record; a realm's
// SecondFactor.PhoneCodes says which phone channels it sends, in the order
// a person falls back from one to the next), and a recovery code
// ([MethodRecovery]). Wrong
// codes count on the lockout's second-factor counter. An authenticator
// code is accepted once: the store moves the factor's last accepted time
// step forward by compare-and-set, so a code, or an older one, never works
// twice, however many requests carry it at once. A code is checked first
// and used up only after the pending login is consumed, so that no code,
// recovery codes included, is ever used up without the login it
// completes. Every secret is stored hashed or, for the authenticator's,
// sealed with Config.Keyring.
//
// A realm whose [SecondFactorPolicy.Requirement] is
// [SecondFactorMandatory] requires a factor of every account. The first
// login of an account without one stops at an [*EnrollmentRequired],
// whose pending enrollment takes the place of a password in
// [Factors.BeginTOTP] and [Factors.ConfirmTOTP] (confirming the app
// completes the login) or [Factors.AddCodes] (the login goes on to its
// second step with the new codes alone, whose first code proves the
// address; no recovery codes are made before it). Such a realm keeps the
// last factor ([ErrLastFactor]).
//
// Enrolling an app outside a login takes two calls, BeginTOTP (which needs
// the current password and returns the QR code) and ConfirmTOTP with the
// first code, which also returns the first recovery codes, shown once.
// AddCodes, Remove and RegenerateRecoveryCodes need the current password
// too, and every change is told to the owner. A device may be remembered
// (SecondStepRequest.Remember) for the realm's RememberFor; a password
// change forgets every remembered device.
//
// # Passkeys
//
// A realm whose [Realm.Passkeys] names a relying party ID (the portal's
// domain) and its origins has passkeys: WebAuthn credentials that the
// browser binds to the portal's domain, so that a look-alike site can
// neither use nor relay them, as it relays a password and a code. New
// checks the ID and origins ([ErrConfig] for an IP address, an http origin
// other than localhost, an origin outside the ID's domain) and needs a
// store for the Passkeys role, with Tokens for the ceremonies' challenges,
// each kept 5 minutes and used once, before anything is verified.
//
// An owner adds one as any factor, after the password:
// [Factors.BeginPasskey] returns the options for the browser's
// navigator.credentials.create, and [Factors.ConfirmPasskey] verifies its
// answer and stores the public key. At the second step a passkey comes
// first among the methods: [Logins.BeginPasskey] with the pending login
// returns the options for navigator.credentials.get, and
// [Logins.SecondStep] with [MethodPasskey] takes the browser's answer as
// its Code. A signature counter that goes back (a copied key) is refused
// and recorded as [EventPasskeyCloned].
//
// A realm with Passkeys.Passwordless offers a login with a passkey alone:
// [Logins.BeginPasskey] without a pending login, then [Logins.PasskeyLogin]
// with the challenge's Ceremony and the answer. The authenticator must
// verify its user (a PIN, a fingerprint), which makes the passkey both
// factors; the login passes the account's second-factor lock (a failure
// counts as a wrong code does; a password lock, which anyone who knows
// the username can cause, does not stop it), its state, the activity log
// and the new-device alert. Its refusals are one [ErrPasskeyRefused].
//
// A realm whose requirement is [SecondFactorPhishingResistant] accepts
// passkeys only: no code, recovery code or remembered device stands in.
// An account without a passkey enrolls one at its next login: after the
// second step with the factors it has, if it has any, so that a password
// alone never adds a passkey over an authenticator app.
// Operators list and remove an account's passkeys ([Operator.Passkeys],
// [Operator.RemovePasskey]). Package auth/authtest has a software
// authenticator for tests ([github.com/masuk-id/masuk/auth/authtest.NewSoftAuthenticator]).
//
// # Logging in through a provider (INApas)
//
// A realm logs in through OpenID Connect providers listed in
// Realm.Federation: INApas, Indonesia's national digital identity, a
// ministry's single sign-on, Google or Microsoft for staff. Each [Provider]
// names its issuer (discovered and kept), the realm's client and its
// authentication (private_key_jwt with an ECDSA key, whose public half
// [Authenticator.JWKS] publishes for the provider, or a client secret),
// and its own callback URL:
//
//	"sapk": {Username: identifiers.NIP, Federation: auth.FederationPolicy{Providers: []auth.Provider{{
//		Name: "inapas", Label: "INApas", Issuer: "https://…", ClientID: "mysapk",
//		ClientKey: key, ClientKeyID: "mysapk-2026", RedirectURL: "https://sapk.example.go.id/sapk/inapas/kembali",
//		Link: auth.LinkByClaim, UsernameClaim: "nip", AcceptMFA: []string{"mfa"},
//	}}}},
//
// [Federation.Begin] returns the provider's URL and a binding to keep in
// the browser; [Federation.Callback] takes the answer back. Between them
// masuk runs the authorization code flow with PKCE (S256), a single-use
// state and a nonce bound to the browser (derived from the binding, so
// that neither is kept), RFC 9207's issuer check against mix-ups, and
// every check of the ID token (signature by the provider's current keys,
// refetched on an unknown key ID; issuer, audience, authorized party,
// expiry, issue time, nonce, access-token hash). Every failure is one
// answer, [ErrFederationRefused].
//
// A browser may begin several logins at once, one per tab. Keep each
// start's binding ([FederationRedirect].Binding) rather than overwrite the
// last: at most [MaxFederationBindings] per browser, the oldest dropped,
// each until its ExpiresAt. Either pick the answer's own by its state (the
// example portal keys each entry of its cookie by a hash of the state in
// the URL, and keeps the intent and the page to go on to beside it), or
// pass them all in [FederationCallback].Bindings: the answer is checked
// against every one in constant time, as one of the state's few attempts.
//
// Starts are budgeted per client address (FederationPolicy.PerAddress)
// and for the realm as a whole (FederationPolicy.PerRealm), before the
// provider is asked anything and before the state is kept. The provider's
// discovery document is read by one caller at a time, with no lock held
// over the network: the others wait each until its own context ends. A
// failed read pauses the provider's logins for a few seconds, growing
// with each failure in a row up to a minute, so that a provider that is
// down is not asked again by every login; they fail at once meanwhile
// (code "unavailable").
//
// An identity (issuer and subject) links to one account of the realm
// (store.Federation). [LinkSignedIn], the default, links only an account
// whose owner signed in and proved the password; [LinkByClaim] also links
// or makes, at the first login, the account whose username (a NIK or NIP
// claim) or verified email the provider vouches for, but never one that
// has a password, which a squatter could have registered first (a
// registration that never confirmed its address and has expired gives way
// to the account Provider.Create makes, as it would to a registration).
// A login through a provider asks for a sign-in there within the realm's
// Session.ReauthWithin ("max_age") and is refused when the ID token's
// "auth_time" is older (the session it starts holds a proof of its
// owner, as a password login's does), then ends where a password login
// does: the account's state, its lock, the realm's second factor (unless the ID token's "amr"
// holds a method of Provider.AcceptMFA, or its "acr" a level of
// Provider.AcceptACR), the activity log, the new-device
// alert; the host starts a session. Links and unlinks are events and
// notices to the owner; [Federation.Unlink] keeps at least one way in.
// [Federation.LogoutURL] logs out at the provider too.
//
// An account a provider made (Provider.Create) has no password
// ([Accounts.HasPassword]), so it cannot prove one before the sensitive
// actions (links, factors, address and phone changes, erasure). It proves
// its owner through the provider instead: [Federation.Begin] with
// FederationStart.Reauthenticate, the account and its signed-in session
// (Request.Session), asks the provider for a fresh sign-in ("prompt=login",
// "max_age=0"); [Federation.Callback], given the account, that same
// session and FederationCallback.Reauthenticate, records the proof in
// the session only when the ID token passes every check above, names the very identity linked to the account, and
// says ("auth_time") that the person signed in at the provider after
// Begin, so that a long single sign-on session there proves nothing.
// Anything else is [ErrFederationRefused], recorded as
// [EventReauthFailed] (reasons [ReasonOtherIdentity],
// [ReasonStaleAuthentication]). Within Session.ReauthWithin of the proof,
// [Accounts.SetFirstPassword] gives such an account a first password (the
// realm's policy applies; [ErrHasPassword] when it has one; stored only if
// none exists, atomically), with [EventPasswordSet] and the notice
// notify.PasswordSet; the other sessions go on, since no secret changed
// (but for an account no notice reaches, whose other sessions end).
//
// # Registration, activation and approval
//
// A realm's [Realm.Activation] makes new accounts confirm their email
// address by a link or a code ([Accounts.Confirm],
// [Accounts.ResendActivation]), each bound to the flow that asked for it
// ([Registered.Flow], [ActivationStarted.Flow]), and
// [RegistrationPolicy.Approval] makes them wait for an operator. In such a
// realm a registration whose username or email is taken answers exactly
// as a new one does, and the owner of the address is told instead, at
// most once a day.
//
// Registrations are bounded before any hash ([RegistrationPolicy]): per
// client address, per username and per email, with an optional captcha
// ([CaptchaPolicy.Registration]); every field is bounded, and a profile
// out of bounds is a [*FieldError]. An account that never confirms its
// address expires after 7 days and frees its username and email.
//
// # Forgotten passwords
//
// [Accounts.RequestReset] takes a username (NIP, NPWP, ...) or an email
// address and answers the same, in the same time, whether or not it names
// an account: it checks the form and the client address's rate
// ([ResetPolicy.PerAddress]) and returns; the lookup, the account's own
// limits and the message happen in the background. Every request gets a
// link or code of its own, bound to the flow it returns
// ([ResetStarted.Flow]): nobody who asks for resets in the owner's name can
// void the owner's code or use it up with wrong guesses, and past the
// account's limits mail silently stops (see [ResetPolicy] for the
// arithmetic that bounds guessing). The realm's [ResetPolicy.Delivery]
// sends a link to [Links.Reset] (built from configuration, never from a
// Host header) or, as MySAPK does, a code. [Accounts.CompleteReset] checks
// the new password against the policy before it uses the link or code up,
// sets it with a new security stamp (voiding pending logins, remembered
// devices and every other token), ends the lockout's locks (unless
// lockout.Policy.KeepLockOnReset), tells the owner, and logs no one in:
// the next login still asks for the second factor.
//
// A realm whose [ResetPolicy].Phone lists SMS or WhatsApp also resets by
// a code to the account's registered number: the person types the
// username and the number ([ResetRequest].Phone), and the code goes only
// when the number is the account's, with the same answer either way.
//
// [Accounts.RequestEmailChange] and [Accounts.ConfirmEmailChange] change
// an address only once the new one is confirmed, and tell the old one.
// [Accounts.RequestPhoneChange] and [Accounts.ConfirmPhoneChange] do the
// same for the phone number, with a code by SMS or WhatsApp to the new
// number; the old number and the email address are told.
//
// A realm whose [LoginPolicy].ByEmail is set takes the email address at
// login as well as the username; both count against one lock.
//
// # Sessions
//
// After both steps, [Sessions.Start] begins a server-side session and
// returns its token for the cookie. [Sessions.Load] checks the session's
// idle timeout and absolute lifetime ([SessionPolicy]) and, on every load,
// the account: a disabled account, or a security stamp that changed (a
// password change or reset, an operator's forced reset), ends the session
// at the very next request. A busy session's last use is written once a
// minute. A password change ends every session, so start a new one after
// it.
//
// A load is one read of the session store when that store also keeps the
// accounts (sqlstore: the session's row keeps a copy of its account), or
// keeps copies of them beside the sessions ([store.AccountCopies]:
// redisstore with the accounts in SQL). In the second case every account
// write of the Authenticator drops the account's copies first and is
// refused when it cannot; a write made around masuk shows in the
// account's sessions within redisstore's Config.AccountCopyFor.
//
// Sensitive actions (second factors, recovery codes, the email address,
// the phone number) take the owner's password. Given [Request].Session
// instead, they go through without it when the owner proved the password
// in that session within the realm's [SessionPolicy].ReauthWithin (10
// minutes unless set): at login, with [Sessions.Reauthenticate], or with
// any action's right password. Past that they answer ErrReauthRequired,
// so a page with several such forms asks for the password once.
// [Principal].ReauthUntil says until when.
//
// # Activity, events and alerts
//
// Every login attempt, registration, reset, factor change and operator's
// action is appended to the store's event log and written to
// Config.Logger, with the client address and user agent from [Request].
// Neither ever holds a password or a secret. A failure to record is
// logged, not returned, so a full audit table cannot stop logins. The log
// keeps a realm's events for its [RetentionPolicy].EventsFor, or
// Config.EventRetention (400 days by default), and prunes older ones as
// new ones are written, each realm by its own cutoff: a social-security
// portal that keeps two years beside a partner portal that keeps one.
// With Config.Realms, the events of realms it does not list are left
// alone ([Authenticator.PruneEvents]). A login from a browser or network
// the account has not logged in from recently tells the owner by email,
// with a link to [Links.Activity].
//
// # Telemetry
//
// masuk speaks OpenTelemetry through its API only; the host brings the
// SDK and an exporter (Prometheus, OTLP) and passes its providers as
// Config.MeterProvider and Config.TracerProvider. Left nil, nothing is
// measured and nothing is wrapped: a login costs what it did without.
//
// The metrics (meter [InstrumentationName]):
//
//   - masuk.logins: login attempts by masuk.realm, masuk.login.step
//     (password, second_step, passkey) and masuk.outcome (succeeded, or
//     the [Code] of the error: invalid_credentials, locked,
//     captcha_required, second_factor_required, ...);
//   - masuk.lockout.locks and masuk.lockout.unlocks, by realm;
//   - masuk.captchas: captchas asked for and answers checked at login,
//     by realm and outcome;
//   - masuk.messages: emails, SMS and WhatsApp messages handed to the
//     Sender, by channel, purpose and outcome (sent, failed);
//   - masuk.resets: by realm and stage (requested, completed);
//   - masuk.sessions.loaded: by realm and outcome;
//   - masuk.events: every event recorded, by realm and kind;
//   - masuk.background.running, .dropped and .panics, and
//     masuk.events.dropped, the events Config.EventSink never received.
//
// The default Hasher reports to the same MeterProvider
// (masuk.password.duration, the time of each hash by algorithm;
// masuk.password.wait, the wait for a slot of the concurrency limit;
// masuk.password.rejected, the refusals of a full queue); a Hasher of the
// host's own takes password.Config.MeterProvider, and a captcha.Service
// captcha.ServiceConfig.MeterProvider (challenges issued, answers
// verified).
//
// The traces: every public call of a service is a span named
// masuk.<Service>.<Method> ("masuk.Logins.Login"), and every store call
// it makes a child span named masuk.store.<role>.<Method>. A span's
// attributes are its realm, its outcome (the error's [Code]) and, for a
// store call, its result (ok, not_found, conflict, stale, invalid, error).
// Only a failure of the service (a store down, a busy hasher, a bad
// configuration: a 5xx of [Classify]) sets a span's status to Error.
//
// No metric or span carries a username, an email or phone number, an
// account ID, a client address, an error's text or a secret. Realm labels
// are the names in Config.Realms ("unknown" for others); with Realms nil,
// at most 64 names are kept apart and the rest counted as "other", so that
// invented realm names cannot grow a metric without end.
//
// # Operators
//
// [Authenticator.Operator] takes an [OperatorIdentity]: a name, the
// operator's own account, and the realms it may act in. Every action
// records the operator and the reason in the account's history, refuses
// an account of another realm ([ErrOutOfScope]) and the operator's own
// account ([ErrSelfAction]). The host decides who is an operator; the
// service trusts the identity it is given.
//
// # Errors
//
// Methods return sentinel errors and typed errors for errors.Is and
// errors.As; store failures and a canceled ctx come back wrapped, and every
// operation fails closed. [Classify] gives each an [Outcome]: nothing a
// person can cause is a 5xx, and a store's failure says nothing of its
// cause.
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
// Package auth/authtest builds an Authenticator from a host's own Config
// on memory, a clock that moves when told and an outbox, so a portal can
// unit-test its lockout, captcha, reset and second-factor policies in
// milliseconds: see [github.com/masuk-id/masuk/auth/authtest.New].
package auth

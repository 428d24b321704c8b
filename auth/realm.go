package auth

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/totp"
)

// ErrUnknownRealm means Config.Realms is set and does not name the realm.
var ErrUnknownRealm = errors.New("auth: unknown realm")

// Realm configures one realm: one portal's separate set of accounts, and
// everything that portal sets for them.
//
// Config.Realm holds the defaults of every realm. A realm of
// Config.Realms takes each field it leaves zero from Config.Realm, field
// by field, down into the policies (a realm that sets only
// Reset.Delivery keeps Config.Realm's reset lifetimes and limits), and
// what both leave zero takes the default each field documents. A policy
// that is a unit (a lockout.Rule, a lockout.Rate, totp.Params) is taken
// whole.
//
// The choices whose zero value would be a choice of its own have a
// Default zero value instead (ActivationDefault, DeliveryDefault,
// SecondFactorDefault, CaptchaDefault), so a realm can pick
// ActivationNone, ByLink or SecondFactorOptional over Config.Realm's. A
// few zero values cannot be told apart from "unset": a bool a realm leaves
// false, free-form usernames (Username zero) and identifiers.Strict
// (UsernameMode zero) take Config.Realm's. Set those in the realms that
// want them rather than in Config.Realm: when Config.Realms is set, New
// refuses the defaults that would weaken every realm beyond undoing,
// UsernameMode identifiers.Lenient (no realm could be Strict again) and
// SecondFactor.EmailFallback.
type Realm struct {
	// Username is the kind of national number that the realm's usernames
	// are, e.g. identifiers.NPWP for an LPSE portal, identifiers.NIP for a
	// civil-servant portal, identifiers.KPJ for BPJS Ketenagakerjaan. Any
	// typing of the same number ("01.312.166.0-091.000",
	// "013121660091000") is then the same account. The zero value means
	// free-form usernames, canonicalised by [CanonicalUsername].
	Username identifiers.Kind
	// UsernameMode is how strictly registration checks the number: the zero
	// value, identifiers.Strict, applies every published rule;
	// identifiers.Lenient only length, digits and the NPWP check digit, for
	// portals whose members hold irregular numbers. Login looks an account
	// up by the number's digits whatever the mode, so tightening the mode
	// never locks out an account registered under the looser one.
	UsernameMode identifiers.Mode
	// Messages names the portal and its helpdesk in what Config.Sender
	// sends to the realm's accounts.
	Messages Messages
	// Links are the pages the realm's emails link to.
	Links Links
	// Policy checks the realm's new passwords, at registration, change and
	// reset. Nil means password.NewPolicy with its defaults (8 to 256
	// characters, the blocklist, context words, no composition rules).
	Policy PasswordPolicy
	// Lockout is the realm's lockout policy: how many failures lock, for
	// how long (15 or 30 minutes, growing), or until an operator unlocks
	// (lockout.Rule.UntilUnlocked). Its zero value is lockout's
	// recommended policy.
	Lockout lockout.Policy
	// Captcha says when the realm's logins and registrations need a solved
	// captcha.
	Captcha CaptchaPolicy
	// Registration bounds the realm's registrations and says whether an
	// operator approves them.
	Registration RegistrationPolicy
	// Activation is how the realm's new accounts confirm their email
	// address.
	Activation ActivationPolicy
	// Reset is how the realm's forgotten passwords are reset.
	Reset ResetPolicy
	// EmailChange bounds changes of an account's email address.
	EmailChange EmailChangePolicy
	// Session sets the timeouts of the realm's sessions.
	Session SessionPolicy
	// SecondFactor says whether the realm's accounts need a second factor,
	// and how the second step works.
	SecondFactor SecondFactorPolicy
	// Login says what the realm's login form accepts to name an account.
	Login LoginPolicy
	// Passkeys configures the realm's passkeys: a second factor that a
	// phishing page cannot relay, and a login without a password where
	// the realm offers it. Off unless RPID is set.
	Passkeys PasskeyPolicy
	// Federation is the OpenID Connect providers the realm logs in
	// through (INApas, a ministry's single sign-on), and their limits.
	// Off while Providers is empty.
	Federation FederationPolicy
	// Retention says how long the realm keeps its events, and what an
	// erasure does with an erased account's.
	Retention RetentionPolicy
}

// LoginPolicy says what a realm's login form accepts to name an account.
type LoginPolicy struct {
	// ByEmail lets an account log in with its email address as well as
	// with its username, as a BPN partner portal does: whatever holds an
	// "@" is taken for an address. The lockout and the captcha count
	// both ways of typing against the account's username, so that typing
	// the address does not double the guesses a lock allows; an address
	// no account has is counted under itself. Registration in such a
	// realm refuses free-form usernames with an "@"
	// (UsernameAtSign), which could otherwise be mistaken for another
	// account's address. Off by default.
	ByEmail bool
}

// Messages describes a portal in the emails and SMS that masuk sends.
type Messages struct {
	// PortalName is the portal's name as its users know it, such as "LPSE
	// Kementerian Keuangan". Every realm needs one when Config.Sender is
	// set: its own, or Config.Realm's (which, when Config.Realms lists the
	// realms, needs none of its own).
	PortalName string
	// Support says where to get help, such as "helpdesk@lpse.go.id atau
	// 1500-123"; optional. Messages about a change the owner may not have
	// made point there.
	Support string
	// Location is the time zone of the times in messages. Nil means WIB
	// (UTC+7, Asia/Jakarta).
	Location *time.Location
	// Locale is the language of messages when the request does not name
	// one: "id" or "en". Empty means "id".
	Locale string
	// GreetBy is the field of an account's Profile that messages greet
	// its owner by: "name" for a person's portal, "company" for a
	// company's, so that an email reads "Yth. PT Maju Jaya" rather than
	// "Yth. 01.312.166.0-091.000". Empty, or a field the account left
	// empty (or over 200 bytes), greets by the username.
	GreetBy string
}

// Links are the pages that masuk's emails point to: absolute http or https
// URLs, to which a link's token is added as the "token" query parameter.
// They come from configuration and never from a request's Host header, so
// a forged Host cannot send someone's reset link to another site.
type Links struct {
	// Reset is the page that sets a new password, for realms that reset
	// by link.
	Reset string
	// Activate is the page that confirms a new account's email address,
	// for realms that activate by link.
	Activate string
	// ConfirmEmail is the page that confirms a changed email address.
	ConfirmEmail string
	// Login is the login page, linked from the approval notice; optional.
	Login string
	// Forgot is the forgotten-password page, linked from the notices that
	// send the owner there; optional.
	Forgot string
	// Activity is the page of the account's history, linked from the
	// new-device alert; optional.
	Activity string
}

// CaptchaMode says when a realm's logins need a captcha.
type CaptchaMode uint8

// The captcha modes.
const (
	// CaptchaDefault is CaptchaAfterFailures when Config.Captcha is set,
	// and CaptchaNever when it is not.
	CaptchaDefault CaptchaMode = iota
	// CaptchaNever never asks.
	CaptchaNever
	// CaptchaAlways asks at every login.
	CaptchaAlways
	// CaptchaAfterFailures asks once the account (the username, whether or
	// not it exists) or the client address has After failed attempts in
	// its lockout window.
	CaptchaAfterFailures
)

// CaptchaPolicy is a realm's captcha rule.
type CaptchaPolicy struct {
	// Mode says when logins need a captcha.
	Mode CaptchaMode
	// After is the number of failures from which CaptchaAfterFailures
	// (and the default) asks. Zero means 3.
	After int
	// Registration, when true, makes every registration carry a solved
	// captcha (Registration.Captcha), checked before its limits and any
	// hash. The zero value asks none.
	Registration bool
}

// RegistrationPolicy bounds a realm's registrations, which anyone may send
// and each of which hashes a password. Every limit is checked before any
// hash.
type RegistrationPolicy struct {
	// Approval, when true, makes every new account wait for an operator
	// to approve it (after confirming its address), as LPSE does while it
	// checks a company's documents.
	Approval bool
	// PerAddress limits registrations from one client address (an IPv6
	// /64). Zero means 20 an hour.
	PerAddress lockout.Rate
	// PerUsername and PerEmail limit registrations that pass the password
	// policy and name one username or one email address, taken or not.
	// Zero means 5 an hour each.
	PerUsername, PerEmail lockout.Rate
	// NoticeEvery is how often the owner of an address may be told that
	// someone registered with it: one notice per address per NoticeEvery,
	// the rest are dropped. Zero means 24 hours.
	NoticeEvery time.Duration
	// UnconfirmedFor is how long a new account waits for its email
	// confirmation. Past it, the account no longer holds its username and
	// email: a registration that names either deletes it and takes its
	// place, and it can no longer be confirmed or sent a new activation.
	// Zero means 7 days; at least the activation's lifetime.
	UnconfirmedFor time.Duration
}

// ActivationMode is how a realm's new accounts confirm their email
// address.
type ActivationMode uint8

// The activation modes. The zero value leaves the choice to Config.Realm,
// so that a realm can choose ActivationNone over a default that confirms.
const (
	// ActivationDefault is Config.Realm's mode, and ActivationNone when
	// Config.Realm leaves it zero too.
	ActivationDefault ActivationMode = iota
	// ActivationNone: new accounts need no confirmation.
	ActivationNone
	// ActivationLink: a link is sent to the address (Links.Activate).
	ActivationLink
	// ActivationCode: a code is sent to the address, typed with the
	// username.
	ActivationCode
)

// ActivationPolicy is how a realm's new accounts confirm their email
// address. As with resets, each registration and each resend gets a link
// or code of its own, bound to its flow (Registered.Flow,
// ActivationStarted.Flow), so that a stranger can neither void it nor
// spend its tries.
type ActivationPolicy struct {
	// Mode is how: ActivationNone (the default), not at all;
	// ActivationLink or ActivationCode by a message to the address, which
	// makes an email address required at registration.
	Mode ActivationMode
	// For is how long an activation link or code works. Zero means 24
	// hours, the most allowed.
	For time.Duration
	// CodeDigits is the length of an activation code: 6 to 8. Zero means
	// 6.
	CodeDigits int
	// Attempts is how many times one link or code may be tried. Zero
	// means 3.
	Attempts int
	// Cooldown is how long after one activation message another may go to
	// the same account and flow. Zero means 60 seconds.
	Cooldown time.Duration
	// PerAccount limits the activation messages ResendActivation sends to
	// one account: past it the answer stays the same and nothing is sent.
	// Zero means 15 a day; New refuses more than keeps guessing of an
	// account's codes within 1 in 10,000 a day.
	PerAccount lockout.Rate
	// PerAccountAddress limits them per client address (an IPv6 /64).
	// Zero means 2 a day.
	PerAccountAddress lockout.Rate
	// PerAddress limits the activation requests from one client address,
	// whatever they name: past it they are refused with a
	// *lockout.ThrottledError. Zero means 30 an hour.
	PerAddress lockout.Rate
	// Tries limits the activation links and codes tried from one client
	// address, right or wrong: past it they are refused with a
	// *lockout.ThrottledError before any is looked at. Zero means 60 an
	// hour.
	Tries lockout.Rate
}

// Delivery is how a realm sends a secret that proves control of a mailbox
// for a reset: a link to click or a code to type.
type Delivery uint8

// The deliveries. The zero value leaves the choice to Config.Realm.
const (
	// DeliveryDefault is Config.Realm's delivery, and ByLink when
	// Config.Realm leaves it zero too.
	DeliveryDefault Delivery = iota
	// ByLink sends a link to Links.Reset.
	ByLink
	// ByCode sends a numeric code, which the person types together with
	// the username, as MySAPK does.
	ByCode
)

// ResetPolicy is how a realm's forgotten passwords are reset.
//
// # Availability and guessing
//
// Whoever knows a person's username and email can ask for resets on their
// behalf. Four things keep that from stopping the owner. Every request gets
// its own link or code (a new one does not void the others), bound to the
// request's flow (ResetStarted.Flow), so nobody else's guesses can use it
// up. The messages one account receives are limited per client address
// (PerAccountAddress) and in all, and past a limit the answer stays the
// same while mail silently stops; so only the client address's own
// requests are ever refused visibly (PerAddress). The limit in all is two
// budgets: one for requests from networks the account has logged in from
// (PerAccountKnown), which a stranger elsewhere cannot spend, and one for
// the rest (PerAccount). With the defaults, an attacker working from 14
// addresses gets at most 28 of the 30 messages a day that strangers'
// networks may cause, and none of the 10 that the owner's own networks
// have.
//
// Guessing is bounded per account. A code sent to a network the account
// has logged in from has CodeDigits digits; one sent anywhere else, where
// an attacker asks from, has NewNetworkCodeDigits; each is tried at most
// Attempts times. New refuses settings under which the chance of guessing
// any reset code of one account within any 24 hours exceeds 1 in 10,000,
// counting that a fixed window's budget can be spent twice within a day
// at its turn: with the defaults, 2 × (30 × 3 / 10⁸ + 10 × 3 / 10⁶), or
// 0.62 in 10,000.
type ResetPolicy struct {
	// Delivery is how: ByLink (the default), by a link to Links.Reset;
	// ByCode by a code typed with the username, as MySAPK does.
	Delivery Delivery
	// LinkFor is how long a reset link works. Zero means 1 hour; at most
	// 24 hours.
	LinkFor time.Duration
	// CodeFor is how long a reset code works. Zero means 15 minutes; at
	// most 24 hours.
	CodeFor time.Duration
	// CodeDigits is the length of a reset code sent at the request of a
	// network the account has logged in from: 6 to 8. Zero means 6.
	CodeDigits int
	// NewNetworkCodeDigits is the length of a reset code sent at the
	// request of any other network: 6 to 8, at least CodeDigits. Zero
	// means 8: the requests an attacker can make come from there, and the
	// longer code keeps guessing bounded while the owner keeps three
	// tries.
	NewNetworkCodeDigits int
	// Attempts is how many times one link or code may be tried. Zero
	// means 3.
	Attempts int
	// PerAccount limits the reset messages one account receives at the
	// request of networks it has not logged in from: past it RequestReset
	// answers as usual and sends nothing. Zero means 30 a day.
	PerAccount lockout.Rate
	// PerAccountKnown limits those at the request of networks it has
	// logged in from recently (an IPv4 /24, an IPv6 /48): a budget of
	// their own, which requests from elsewhere cannot spend. Zero means
	// 10 a day.
	PerAccountKnown lockout.Rate
	// PerAccountAddress limits the reset messages one account receives
	// at the request of one client address (an IPv6 /64): past it the
	// answer stays the same and nothing is sent. Zero means 2 a day.
	PerAccountAddress lockout.Rate
	// PerAddress limits the reset requests from one client address,
	// whatever they name: past it they are refused with a
	// *lockout.ThrottledError. Zero means 30 an hour.
	PerAddress lockout.Rate
	// Tries limits the reset links and codes tried from one client
	// address, right or wrong: past it they are refused with a
	// *lockout.ThrottledError before any is looked at. Zero means 60 an
	// hour.
	Tries lockout.Rate
	// Phone lists the ways a reset code may go to the account's
	// registered phone number instead of its email address, MethodSMS and
	// MethodWhatsApp, in the order a form offers them, as BPJS
	// Ketenagakerjaan does. The person types the username (or email) and
	// the number (ResetRequest.Phone); the code goes only when the number
	// is the account's, and the answer is the same either way. A reset by
	// phone always sends a code, of the lengths, lifetime, tries and
	// limits above, which one budget counts with the email's. Numbers
	// are not unique, so one number also receives no more than one
	// account may (PerAccount, PerAccountKnown), however many accounts
	// have it. Nil, the default, resets by email only.
	Phone []Method
}

// EmailChangePolicy bounds changes of an account's email address, which
// complete only once the new address confirms.
type EmailChangePolicy struct {
	// LinkFor is how long the confirmation link works. Zero means 1 hour;
	// at most 24 hours.
	LinkFor time.Duration
	// Attempts is how many times one confirmation link may be tried.
	// Zero means 3.
	Attempts int
	// Cooldown is how long after one confirmation another may go for the
	// same account. Zero means 60 seconds.
	Cooldown time.Duration
	// PerAccount limits the changes one account asks for. Zero means 5 an
	// hour.
	PerAccount lockout.Rate
	// PerAddress limits them per client address. Zero means 30 an hour.
	PerAddress lockout.Rate
	// PerRecipient limits the confirmations one address receives, from
	// every account that asks to move to it. Zero means 3 a day.
	PerRecipient lockout.Rate
	// Tries limits the confirmation links tried from one client address,
	// right or wrong. Zero means 60 an hour.
	Tries lockout.Rate
}

// SessionPolicy sets the timeouts of a realm's sessions.
type SessionPolicy struct {
	// IdleTimeout ends a session that has not been used for that long.
	// Zero means 30 minutes.
	IdleTimeout time.Duration
	// Lifetime ends a session that long after it began, however busy.
	// Zero means 12 hours.
	Lifetime time.Duration
	// TouchEvery is how often a busy session's last use is written: a
	// session used many times a minute is written once a minute. Zero
	// means 1 minute; it is at most a tenth of IdleTimeout.
	TouchEvery time.Duration
	// ReauthWithin is how recently the owner must have proved a password
	// in the session for a sensitive action (adding or removing a second
	// factor, new recovery codes, changing the email address or phone
	// number) to go without asking for it again, as Kratos' privileged
	// sessions do: the login that began the session counts, and so does
	// each password given since (Sessions.Reauthenticate, or a sensitive
	// action's own). Zero means 10 minutes; at most IdleTimeout. See
	// Request.Session.
	ReauthWithin time.Duration
}

// Requirement says whether a realm's accounts need a second factor.
type Requirement uint8

// The requirements. The zero value leaves the choice to Config.Realm, so
// that a realm can choose SecondFactorOptional over a default that
// requires one.
const (
	// SecondFactorDefault is Config.Realm's requirement, and
	// SecondFactorOptional when Config.Realm leaves it zero too.
	SecondFactorDefault Requirement = iota
	// SecondFactorOptional: an account with a confirmed second factor
	// must pass it at every login; one without logs in with its password.
	SecondFactorOptional
	// SecondFactorMandatory: every account needs one. A login of an account
	// without one stops at an *EnrollmentRequired, which lets its owner
	// enroll one (an authenticator app, or codes by email or SMS) and
	// pass it before the login completes.
	SecondFactorMandatory
	// SecondFactorPhishingResistant: every account needs a factor that a
	// look-alike site cannot relay: a passkey. Codes, authenticator apps,
	// recovery codes and remembered devices do not count. A login of an
	// account without a passkey stops at an *EnrollmentRequired that
	// offers only MethodPasskey: at once, for an account without factors,
	// or after a second step with the factors it has (SecondStep then
	// returns the *EnrollmentRequired instead of a result). The realm
	// must have passkeys (Passkeys.RPID).
	SecondFactorPhishingResistant
	// SecondFactorOff: no second factor is ever asked, and none can be
	// enrolled. When every realm is off, the Factors, Recovery and Devices
	// roles are not needed.
	SecondFactorOff
)

// SecondFactorPolicy says whether a realm's accounts need a second factor,
// and how the second step works.
type SecondFactorPolicy struct {
	// Requirement is whether a second factor is needed. The default,
	// SecondFactorOptional, asks it of the accounts that have one.
	Requirement Requirement
	// Issuer names the portal in authenticator apps, such as "LPSE
	// Kemenkeu": two realms should be two entries in the app. Empty means
	// Messages.PortalName.
	Issuer string
	// TOTP gives the algorithm, digits and period of new enrollments and
	// the skew of verification. The zero value is SHA-1, 6 digits, 30
	// seconds, one step either side.
	TOTP totp.Params
	// PendingFor is how long a login waits for its second factor (or its
	// first enrollment). Zero means 5 minutes; at most 15.
	PendingFor time.Duration
	// PendingAttempts is how many second-step calls (codes tried, codes
	// sent) one pending login allows. Zero means 10. The lockout's
	// second-factor rule limits wrong codes across pending logins.
	PendingAttempts int
	// CodeFor is how long a code sent by email or SMS is valid. Zero means
	// 5 minutes; at most 10 (ASVS 6.5.5).
	CodeFor time.Duration
	// CodeCooldown is how long after one code another may be sent. Zero
	// means 60 seconds.
	CodeCooldown time.Duration
	// CodeAttempts is how many times one sent code may be tried. Zero
	// means 5.
	CodeAttempts int
	// CodeDigits is the length of a sent code: 6 to 10. Zero means 6.
	CodeDigits int
	// CodesPerAccount limits the codes sent to one account for its second
	// step, and CodesPerAddress those sent at the request of one client
	// address. Zero means 5 an hour and 30 an hour.
	CodesPerAccount, CodesPerAddress lockout.Rate
	// RememberFor is how long a device the owner asked to remember skips
	// the second factor. Zero means 30 days, at most a year; a negative
	// value turns remembering off.
	RememberFor time.Duration
	// EmailFallback, when true, offers a code by email to every account
	// that has a confirmed second factor and an email address, as a way
	// back in for someone who lost the phone with the authenticator app.
	// The zero value offers it only to accounts that added codes by email
	// as a factor: with the fallback on, whoever controls the mailbox and
	// knows the password passes both steps.
	EmailFallback bool
	// PhoneCodes are the ways codes go to a phone, MethodWhatsApp and
	// MethodSMS, in the order a login offers them: the order in which a
	// person falls back, by asking for the next when a code does not come
	// (never automatically: that doubles the cost, and is what SMS-pumping
	// fraud exploits). An account that enrolled codes to its phone by
	// either gets the channel it chose first, then the others. Each
	// channel has its own cooldown; the realm's CodesPerAccount counts
	// them together. Nil means []Method{MethodSMS}. The Sender must
	// deliver each channel listed (for WhatsApp, a notify.WhatsAppCloud
	// behind it).
	PhoneCodes []Method
}

// checkDefaults refuses, in the Config.Realm of a Config with Realms, a
// setting that every realm would take and none could set back to the
// stronger zero value (a realm's zero field is the default's).
func (r Realm) checkDefaults() error {
	const undo = "which every realm of Config.Realms would take and none could set back to %s: set it in the realms that want it"
	switch {
	case r.UsernameMode == identifiers.Lenient:
		return fmt.Errorf("UsernameMode is Lenient, "+undo, "Strict")
	case r.SecondFactor.EmailFallback:
		return fmt.Errorf("SecondFactor.EmailFallback is true, "+undo, "false")
	}
	return nil
}

// realmConfig is a realm's settings resolved: Config.Realm's under the
// realm's own, the defaults under both, checked, with what they build.
type realmConfig struct {
	*resolved
	name string
}

// resolved is what a realm's settings resolve to, shared by every name
// that has them: with Config.Realms nil, every realm name is Config.Realm's
// settings under a name of its own, and a request copies only the name.
type resolved struct {
	Realm
	// guard is the realm's lockout.
	guard *lockout.Guard
	// resets, activations and emailChanges issue and redeem the realm's
	// links and codes; nil without a token store.
	resets, activations, emailChanges, phoneChanges *reset.Tokens
	// webauthn is the realm's relying party; nil without passkeys.
	webauthn *webauthn.WebAuthn
	// providers are the realm's OpenID providers, by name.
	providers map[string]*relyingParty
}

// atomicTypes are the struct types a Realm takes whole from its default:
// settings that are one unit.
var atomicTypes = map[reflect.Type]bool{
	reflect.TypeFor[lockout.Rule](): true,
	reflect.TypeFor[lockout.Rate](): true,
	reflect.TypeFor[totp.Params]():  true,
}

// inherit sets every zero field of dst to def's, field by field, into the
// structs it holds (but those of atomicTypes, taken whole).
func inherit(dst, def reflect.Value) {
	for i := range dst.NumField() {
		d, f := dst.Field(i), def.Field(i)
		if d.Kind() == reflect.Struct && !atomicTypes[d.Type()] {
			inherit(d, f)
			continue
		}
		if d.IsZero() {
			d.Set(f)
		}
	}
}

// merged returns r with its zero fields taken from def.
func merged(r, def Realm) Realm {
	inherit(reflect.ValueOf(&r).Elem(), reflect.ValueOf(def))
	return r
}

// checkName refuses a realm name that is not well formed, or a kind of
// username or mode masuk does not know.
func (r Realm) check(name string) error {
	if name != "" {
		if err := checkRealm(name); err != nil {
			return err
		}
	}
	if r.Username != 0 {
		if _, err := identifiers.ParseKind(r.Username.String()); err != nil {
			return fmt.Errorf("username kind: %w", err)
		}
	}
	switch {
	case r.UsernameMode != identifiers.Strict && r.UsernameMode != identifiers.Lenient:
		return fmt.Errorf("unknown username mode %d", r.UsernameMode)
	case r.Activation.Mode > ActivationCode:
		return fmt.Errorf("unknown activation mode %d", r.Activation.Mode)
	case r.Reset.Delivery > ByCode:
		return fmt.Errorf("unknown reset delivery %d", r.Reset.Delivery)
	case r.SecondFactor.Requirement > SecondFactorOff:
		return fmt.Errorf("unknown second-factor requirement %d", r.SecondFactor.Requirement)
	case r.Retention.Events > ErasedEventsDelete:
		return fmt.Errorf("unknown erased-events setting %d", r.Retention.Events)
	}
	return nil
}

// realm returns the settings of the named realm after checking the name:
// its own, or, when Config.Realms is nil, the defaults for every name.
func (a *Authenticator) realm(name string) (*realmConfig, error) {
	if err := checkRealm(name); err != nil {
		return nil, err
	}
	if a.realms == nil {
		return a.anyRealm(name), nil
	}
	r, ok := a.realms[name]
	if !ok {
		return nil, ErrUnknownRealm
	}
	return r, nil
}

// anyRealm is the default realm's settings under the name of a realm that
// Config.Realms (nil) does not list.
func (a *Authenticator) anyRealm(name string) *realmConfig {
	r := *a.defaults
	r.name = name
	return &r
}

// realmOf returns the settings of an account's realm, which New or the
// account's creation checked: an account of a realm no longer configured
// gets the defaults.
func (a *Authenticator) realmOf(name string) *realmConfig {
	if r, ok := a.realms[name]; ok {
		return r
	}
	return a.anyRealm(name)
}

// settingsOf returns what realm name's settings resolve to, without its
// name: for the per-request paths (a session's load) that need one
// setting and no copy.
func (a *Authenticator) settingsOf(name string) *resolved {
	if r, ok := a.realms[name]; ok {
		return r.resolved
	}
	return a.defaults.resolved
}

// username returns the canonical form of a typed username in realm r. At
// registration it applies the realm's mode; at login it only
// needs the digits that name the account.
func (r Realm) username(typed string, registering bool) (string, error) {
	if r.Username == 0 {
		return CanonicalUsername(typed)
	}
	mode := r.UsernameMode
	if !registering {
		mode = identifiers.Lenient
	}
	return identifiers.Canonical(r.Username, typed, mode)
}

// Realm returns the settings realm name resolves to: its own in
// Config.Realms, what it left zero taken from Config.Realm, and the
// defaults each field documents filled in; for a page that shows them
// ("remember this device for 30 days", the name an authenticator app will
// show). With Config.Realms nil, every well-formed name has Config.Realm's
// settings. Its errors: ErrInvalidRealm, ErrUnknownRealm.
func (a *Authenticator) Realm(name string) (Realm, error) {
	if a == nil {
		return Realm{}, errNoAuthenticator
	}
	r, err := a.realm(name)
	if err != nil {
		return Realm{}, err
	}
	out := r.Realm
	// The caller's copy: the slices are shared by every request.
	out.SecondFactor.PhoneCodes = slices.Clone(out.SecondFactor.PhoneCodes)
	out.Reset.Phone = slices.Clone(out.Reset.Phone)
	out.Passkeys.Origins = slices.Clone(out.Passkeys.Origins)
	return out, nil
}

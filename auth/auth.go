package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// Outcomes a caller branches on. Unknown user, wrong password and disabled
// account all give ErrInvalidCredentials; the pending states are told only
// to someone who gave the right password.
var (
	// ErrInvalidCredentials: the username and password do not open an
	// active account. The caller learns nothing more.
	ErrInvalidCredentials = errors.New("auth: invalid username or password")
	// ErrWrongPassword: the current password a logged-in owner typed to
	// confirm a change (ChangePassword, RequestEmailChange, the Factors
	// service) is wrong. It is an ErrInvalidCredentials (errors.Is), with a
	// message of its own: the form has no username to be wrong.
	ErrWrongPassword = fmt.Errorf("%w: the current password is wrong", ErrInvalidCredentials)
	// ErrPendingConfirmation: the password is right, but the owner has not
	// confirmed the email address yet.
	ErrPendingConfirmation = errors.New("auth: email address not confirmed")
	// ErrPendingApproval: the password is right, but an operator has not
	// approved the registration yet.
	ErrPendingApproval = errors.New("auth: registration awaiting approval")
	// ErrAccountExists: Register found the username or email taken in the
	// realm.
	ErrAccountExists = errors.New("auth: account already exists")
	// ErrConcurrentChange: the password was changed by another request
	// while this one ran; nothing was written.
	ErrConcurrentChange = errors.New("auth: password changed concurrently")
)

// Hasher hashes and verifies passwords. *password.Hasher is the
// implementation masuk ships; tests may wrap it to count verifications.
type Hasher interface {
	Hash(ctx context.Context, password string) (string, error)
	Verify(ctx context.Context, password, encoded string) (password.Verified, error)
}

// PasswordPolicy decides whether a new password may be set. *password.Policy
// is the implementation masuk ships. Check may do I/O (a breached-password
// lookup, password.PolicyConfig.Breach) and ends it with ctx.
type PasswordPolicy interface {
	Check(ctx context.Context, password string, c password.Context) error
}

// Config configures an [Authenticator].
//
// # Storage roles
//
// masuk keeps its records through one small interface per role (see the
// store package). Each role below is a field of its own; a role left nil
// is taken from Store when Store implements it, and that is the only rule.
// A feature that is on and finds no store for its role makes New fail
// with a *MissingRoleError naming the role: nothing is switched off in
// silence. A host that wraps its store in a decorator (tracing, metrics)
// must therefore expose the roles it keeps, by implementing them on the
// decorator or by naming the inner store's roles here; a decorator that
// embeds only store.Store hides second factors, tokens and sessions, and
// New says so.
//
// # Realms
//
// Realm holds the settings of every realm, and Realms the realms a portal
// serves, each taking what it leaves zero from Realm (see [Realm]): one
// Authenticator serves an LPSE portal by NPWP with activation by link and
// an operator's approval, and a MySAPK portal by NIP with resets by code,
// each with its own policies, limits, lockout and messages.
type Config struct {
	// Store is the default store of every role below that it implements
	// (memstore and sqlstore implement them all). Required unless
	// Accounts, Credentials and Events are all set.
	Store store.Store
	// Accounts, Credentials and Events keep accounts, their password
	// hashes and the activity log. Nil means Store.
	Accounts    store.Accounts
	Credentials store.Credentials
	Events      store.Events
	// Attempts keeps the lockout's counters and the budgets of every
	// entry point; every instance of a portal must share it (a redisstore
	// for many). Nil means Store. Required.
	Attempts store.Attempts
	// Tokens keeps short-lived tokens: logins waiting for their second
	// factor, codes sent by email or SMS, reset, activation and
	// email-change links and codes. Nil means Store. Required when second
	// factors are on in any realm or Sender is set; to share them among
	// instances through Redis, pass a redisstore.
	Tokens store.Tokens
	// Sessions keeps server-side sessions. Nil means Store. Required
	// unless SessionsOff; for many instances, a redisstore.
	Sessions store.Sessions
	// Factors, Recovery and Devices keep second factors, recovery codes
	// and remembered devices. Nil means Store. Required unless every realm
	// turns second factors off (SecondFactorOff); Devices also unless
	// remembering is off (a negative SecondFactor.RememberFor) everywhere.
	Factors  store.Factors
	Recovery store.Recovery
	Devices  store.Devices
	// Lister lists a realm's accounts for operators. Nil means Store when
	// it implements store.AccountLister; without one, Operator.List
	// returns ErrNotConfigured.
	Lister store.AccountLister
	// Passkeys keeps passkeys. Nil means Store. Required when a realm
	// has passkeys (Realm.Passkeys.RPID set); their ceremonies' challenges
	// are kept by Tokens, so that any instance can finish what another
	// began.
	Passkeys store.Passkeys
	// Federation keeps the identities at OpenID providers linked to
	// accounts. Nil means Store. Required when a realm has
	// Federation.Providers; the logins under way are kept by Tokens.
	Federation store.Federation

	// Hasher hashes and verifies passwords. Nil means password.New with
	// its defaults (argon2id, m=19456 KiB, t=2, p=1).
	Hasher Hasher
	// Now is the clock, of the Authenticator and of its lockout. Nil
	// means time.Now.
	Now func() time.Time
	// Rand is the source of account IDs, security stamps and every secret.
	// Nil means crypto/rand.Reader.
	Rand io.Reader
	// Logger receives one record per event, besides the store's log. Nil
	// means no logging. Passwords never reach it.
	Logger *slog.Logger
	// Sender sends codes and notices by email and SMS. Nil means no codes
	// are sent (the second step offers authenticator apps and recovery
	// codes only), no notices, and none of the flows that send links or
	// codes.
	Sender notify.Sender
	// Templates write every message Sender sends: notify.NewTemplates
	// gives masuk's with a host's wording in place of any of them, checked
	// when it is built. Nil, and a nil *notify.Templates, means masuk's
	// own.
	Templates *notify.Templates
	// Captcha verifies the captchas of the realms whose CaptchaPolicy asks
	// for one: captcha.Checker(svc) for masuk's own challenges,
	// captcha.HostedChecker(v) for a hosted service. Nil means no captcha;
	// a realm that asks for one is then refused by New.
	Captcha CaptchaChecker
	// Keyring seals the secrets of authenticator apps at rest. Nil means
	// authenticator apps cannot be enrolled (and enrolled ones cannot be
	// verified: keep the keys).
	Keyring *totp.Keyring
	// SessionsOff turns masuk's sessions off, for a host that keeps
	// sessions of its own: the Sessions role is not needed, the Sessions
	// service returns ErrNotConfigured, and ending an account's sessions
	// (after a password change or reset, a Disable) is the host's to do.
	SessionsOff bool
	// Realm is the settings of every realm: those a realm of Realms leaves
	// zero, and those of every realm when Realms is nil. With Realms, New
	// refuses the settings here that no realm could undo (see [Realm]).
	Realm Realm
	// Realms configures realms by name. Nil means every well-formed realm
	// name is accepted, with Realm's settings; otherwise a realm not
	// listed is refused with ErrUnknownRealm.
	Realms map[string]Realm
	// EventRetention is how long the activity log keeps an event: older
	// ones are pruned as new ones are written. Zero means 400 days; a
	// negative value keeps every event (the host prunes the log itself).
	// It is the default of every realm's Retention.EventsFor: a realm
	// that sets its own (or takes Config.Realm's) is pruned by that.
	EventRetention time.Duration
	// EventSink receives every event as it is recorded (JSONLines writes
	// them for a SIEM). Nil means none. EventBuffer is how many events
	// wait for a slow sink before more are dropped and counted; zero
	// means DefaultEventBuffer.
	EventSink   EventSink
	EventBuffer int

	// MeterProvider and TracerProvider receive masuk's metrics and spans
	// (see "Telemetry" in the package documentation); masuk uses the
	// OpenTelemetry API only, the host brings the SDK and the exporter.
	// Nil means none: nothing is measured, nothing is wrapped, nothing
	// allocates for it.
	MeterProvider  metric.MeterProvider
	TracerProvider trace.TracerProvider
}

// ErrConfig is wrapped by every error New returns for a configuration it
// refuses.
var ErrConfig = errors.New("auth: invalid configuration")

// MissingRoleError is the error New returns when a feature that is on has
// no store for its role (errors.Is ErrConfig).
type MissingRoleError struct {
	// Role is the Config field that is missing, such as "Factors".
	Role string
	// Feature is what needs it, such as "second factors".
	Feature string
	// Interface is the store interface the role is, such as
	// "store.Factors".
	Interface string
}

func (e *MissingRoleError) Error() string {
	return fmt.Sprintf("auth: invalid configuration: %s need a store for the %s role: set Config.%s, or give a Config.Store that implements %s", e.Feature, e.Role, e.Role, e.Interface)
}

// Is makes errors.Is(err, ErrConfig) true.
func (e *MissingRoleError) Is(target error) bool { return target == ErrConfig }

// Authenticator is the root of masuk: it holds the configuration and
// the stores, and hands out the services that do the work, each with one
// concern (see the package documentation for the map). It is safe for
// concurrent use, and so is every service it hands out. A service that no
// Authenticator handed out (a zero value, a nil pointer) answers every
// call with an error wrapping ErrNotConfigured.
type Authenticator struct {
	// store is the accounts, credentials and events roles.
	store  store.Store
	roles  roles
	hasher Hasher
	now    func() time.Time
	rand   io.Reader
	log    *slog.Logger
	// realms are the configured realms, nil when any name goes; defaults
	// is the settings of a realm Realms does not list.
	realms   map[string]*realmConfig
	defaults *realmConfig
	// defaultPolicy is the password policy of a realm that sets none.
	defaultPolicy PasswordPolicy
	// captcha verifies captcha answers; nil when there is none.
	captcha  CaptchaChecker
	tokens   store.Tokens
	sender   notify.Sender
	keyring  *totp.Keyring
	sessions store.Sessions
	// factors, recovery and devices are nil when second factors are off
	// everywhere.
	factors  store.Factors
	recovery store.Recovery
	devices  store.Devices
	// passkeys is nil unless a realm has passkeys.
	passkeys store.Passkeys
	// fed is nil unless a realm logs in through a provider.
	fed    store.Federation
	bg     background
	events eventLog
	sink   sink
	tel    telemetry
	// dummy is a hash at the hasher's parameters that no password matches;
	// logins for unknown usernames verify against it, so they cost what a
	// known username costs.
	dummy string
	// templates write the messages; nil is masuk's own.
	templates *notify.Templates

	logins   *Logins
	accounts *Accounts
	sessSvc  *Sessions
	factSvc  *Factors
	actSvc   *Activity
	fedSvc   *Federation
}

// New returns an Authenticator for cfg. It computes one password hash, the
// stand-in that unknown usernames are verified against, and does no other
// I/O.
//
// It validates the whole configuration and fails closed: a missing store
// for a role that a feature needs is a *MissingRoleError, a field holding a
// typed nil (an interface set to a nil pointer) or a setting out of bounds
// or contradictory is an error wrapping ErrConfig that names it. Nothing
// is switched off in silence.
func New(cfg Config) (*Authenticator, error) {
	rs, err := resolveRoles(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.TracerProvider != nil {
		rs = rs.traced(cfg.TracerProvider.Tracer(InstrumentationName))
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	rs = rs.copying(logger)
	a := &Authenticator{
		store:   durable{rs.accounts, rs.credentials, rs.events},
		roles:   rs,
		hasher:  cfg.Hasher,
		now:     cfg.Now,
		rand:    cfg.Rand,
		log:     logger,
		captcha: cfg.Captcha,
		tokens:  rs.tokens,
		sender:  cfg.Sender,
		keyring: cfg.Keyring,

		templates: cfg.Templates,
	}
	if a.hasher == nil {
		h, err := password.New(password.Config{MeterProvider: cfg.MeterProvider})
		if err != nil {
			return nil, fmt.Errorf("auth: default hasher: %w", err)
		}
		a.hasher = h
	}
	if a.defaultPolicy, err = password.NewPolicy(password.PolicyConfig{}); err != nil {
		return nil, fmt.Errorf("auth: default password policy: %w", err)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.rand == nil {
		a.rand = rand.Reader
	}
	if !cfg.SessionsOff {
		a.sessions = rs.sessions
	}
	if secondFactorsOn(cfg) {
		a.factors, a.recovery, a.devices = rs.factors, rs.recovery, rs.devices
	}
	if passkeysOn(cfg) {
		a.passkeys = rs.passkeys
	}
	if federationOn(cfg) {
		a.fed = rs.federation
	}
	// The realms' retentions default to Config.EventRetention.
	if err := a.events.init(cfg.EventRetention); err != nil {
		return nil, err
	}
	if a.defaults, err = a.resolveRealm("", Realm{}, cfg.Realm, cfg); err != nil {
		return nil, err
	}
	if cfg.Realms != nil {
		if err := cfg.Realm.checkDefaults(); err != nil {
			return nil, fmt.Errorf("%w: Config.Realm: %w", ErrConfig, err)
		}
		a.realms = make(map[string]*realmConfig, len(cfg.Realms))
		for name, r := range cfg.Realms {
			if a.realms[name], err = a.resolveRealm(name, r, cfg.Realm, cfg); err != nil {
				return nil, err
			}
		}
	}
	a.events.plan(a.defaults, a.realms)
	if err := a.checkClientKeys(); err != nil {
		return nil, err
	}
	if cfg.EventSink != nil && isNil(cfg.EventSink) {
		return nil, fmt.Errorf("%w: Config.EventSink holds a nil %T", ErrConfig, cfg.EventSink)
	}
	if err := a.sink.init(cfg.EventSink, cfg.EventBuffer, func(err error) {
		a.log.Error("masuk: the event sink failed", "error", err)
	}); err != nil {
		return nil, err
	}
	if err := a.tel.init(a, cfg.MeterProvider, cfg.TracerProvider); err != nil {
		return nil, err
	}
	a.bg.init(a.backgroundPanicked)
	a.logins, a.accounts, a.sessSvc, a.factSvc, a.actSvc, a.fedSvc = &Logins{a}, &Accounts{a}, &Sessions{a}, &Factors{a}, &Activity{a}, &Federation{a}
	secret, err := a.randomHex(32)
	if err != nil {
		return nil, err
	}
	if a.dummy, err = a.hasher.Hash(context.Background(), secret); err != nil {
		return nil, fmt.Errorf("auth: computing the stand-in hash: %w", err)
	}
	return a, nil
}

// Logins logs people in: the password, the captcha when the realm asks,
// the lockout, the second step.
func (a *Authenticator) Logins() *Logins {
	if a == nil {
		return nil // whose methods answer ErrNotConfigured
	}
	return a.logins
}

// Accounts registers and activates accounts, resets forgotten passwords,
// and changes passwords and email addresses.
func (a *Authenticator) Accounts() *Accounts {
	if a == nil {
		return nil // whose methods answer ErrNotConfigured
	}
	return a.accounts
}

// Sessions begins, loads, lists and ends server-side sessions.
func (a *Authenticator) Sessions() *Sessions {
	if a == nil {
		return nil // whose methods answer ErrNotConfigured
	}
	return a.sessSvc
}

// Factors enrolls and removes second factors, recovery codes and
// remembered devices.
func (a *Authenticator) Factors() *Factors {
	if a == nil {
		return nil // whose methods answer ErrNotConfigured
	}
	return a.factSvc
}

// Activity reads an account's history, for its owner.
func (a *Authenticator) Activity() *Activity {
	if a == nil {
		return nil // whose methods answer ErrNotConfigured
	}
	return a.actSvc
}

// randomHex returns n random bytes, hex-encoded.
func (a *Authenticator) randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(a.rand, b); err != nil {
		return "", fmt.Errorf("auth: reading randomness: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// newStamp returns a fresh security stamp of 128 random bits.
func (a *Authenticator) newStamp() (string, error) { return a.randomHex(16) }

// errNoAuthenticator is what every method of a service answers when the
// service is a zero value (or a nil pointer) that no Authenticator handed
// out: an error a handler can answer, not a nil-pointer panic.
var errNoAuthenticator = fmt.Errorf("%w: the service is a zero value; obtain it from an Authenticator (auth.New)", ErrNotConfigured)

func (l *Logins) unset() bool   { return l == nil || l.a == nil }
func (s *Accounts) unset() bool { return s == nil || s.a == nil }
func (v *Sessions) unset() bool { return v == nil || v.a == nil }
func (v *Factors) unset() bool  { return v == nil || v.a == nil }
func (v *Activity) unset() bool { return v == nil || v.a == nil }
func (o *Operator) unset() bool { return o == nil || o.a == nil }

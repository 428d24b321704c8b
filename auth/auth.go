package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"time"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/store"
)

// Outcomes a caller branches on. Unknown user, wrong password and disabled
// account all give ErrInvalidCredentials; the pending states are told only
// to someone who gave the right password.
var (
	// ErrInvalidCredentials: the username and password do not open an
	// active account. The caller learns nothing more.
	ErrInvalidCredentials = errors.New("auth: invalid username or password")
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
	// Attempts keeps the lockout's counters when Lockout is nil. Nil means
	// Store, which must then implement store.Attempts.
	Attempts store.Attempts
	// Tokens keeps short-lived tokens: logins waiting for their second
	// factor, codes sent by email or SMS, reset, activation and
	// email-change links and codes. Nil means Store. Required when second
	// factors are on (the default) or Sender is set; to share them among
	// instances through Redis, pass a redisstore.
	Tokens store.Tokens
	// Sessions keeps server-side sessions. Nil means Store. Required
	// unless Session.Off; for many instances, a redisstore.
	Sessions store.Sessions
	// Factors, Recovery and Devices keep second factors, recovery codes
	// and remembered devices. Nil means Store. Factors and Recovery are
	// required unless SecondFactor.Off; Devices unless SecondFactor.Off
	// or SecondFactor.RememberFor is negative.
	Factors  store.Factors
	Recovery store.Recovery
	Devices  store.Devices
	// Lister lists a realm's accounts for operators. Nil means Store when
	// it implements store.AccountLister; without one, ListAccounts returns
	// ErrNotConfigured.
	Lister store.AccountLister

	// Hasher hashes and verifies passwords. Nil means password.New with
	// its defaults (argon2id, m=19456 KiB, t=2, p=1).
	Hasher Hasher
	// Policy checks new passwords at registration and change. Nil means
	// password.NewPolicy with its defaults (8 to 256 characters, the
	// blocklist, context words, no composition rules).
	Policy PasswordPolicy
	// Now is the clock, of the Authenticator and of its lockout Guard.
	// Nil means time.Now.
	Now func() time.Time
	// Rand is the source of account IDs and security stamps. Nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// Logger receives one record per event, besides the store's log. Nil
	// means no logging. Passwords never reach it.
	Logger *slog.Logger
	// Lockout is asked before every password check. Nil means a Guard with
	// the recommended lockout.Policy on Attempts. To share counters among
	// instances through Redis, build the Guard on a redisstore. The Guard
	// follows Now whatever clock it was built with: one Authenticator has
	// one clock.
	Lockout *lockout.Guard
	// Captcha verifies the captchas of the realms whose CaptchaPolicy asks
	// for one: CaptchaService(svc) for masuk's own challenges,
	// CaptchaHosted(v) for a hosted service. Nil means no captcha; a realm
	// that asks for one is then refused by New.
	Captcha CaptchaChecker
	// Realms configures realms by name. Nil means every well-formed realm
	// name is accepted, with free-form usernames; otherwise a realm not
	// listed is refused with ErrUnknownRealm.
	Realms map[string]Realm
	// Sender sends codes and notices by email and SMS. Nil means no codes
	// are sent (the second step offers authenticator apps and recovery
	// codes only) and no notices.
	Sender notify.Sender
	// Messages describes the portal in what Sender sends.
	Messages Messages
	// Links are the pages the emails link to. Required for the flows that
	// send links: reset and activation by link, email change.
	Links Links
	// Reset configures forgotten-password resets.
	Reset ResetConfig
	// Activation configures how new accounts confirm their email
	// address.
	Activation ActivationConfig
	// Session configures sessions' timeouts.
	Session SessionConfig
	// SecondFactor configures second factors. They are on unless
	// SecondFactor.Off: an account that has a confirmed factor must pass
	// it at every login.
	SecondFactor SecondFactorConfig
	// Registration bounds registrations.
	Registration RegistrationConfig
	// EventRetention is how long the activity log keeps an event: older
	// ones are pruned as new ones are written. Zero means 400 days; a
	// negative value keeps every event (the host prunes the log itself).
	EventRetention time.Duration
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

// Authenticator checks credentials and manages accounts. It is safe for
// concurrent use.
type Authenticator struct {
	// store is the accounts, credentials and events roles.
	store  store.Store
	roles  roles
	hasher Hasher
	policy PasswordPolicy
	now    func() time.Time
	rand   io.Reader
	log    *slog.Logger
	realms map[string]Realm
	guard  *lockout.Guard
	// captcha verifies captcha answers; nil when there is none.
	captcha    CaptchaChecker
	tokens     store.Tokens
	sender     notify.Sender
	messages   Messages
	sf         secondFactor
	links      Links
	sessions   store.Sessions
	session    SessionConfig
	reset      ResetConfig
	activation ActivationConfig
	register   RegistrationConfig
	// resets and activations issue and redeem the links and codes of
	// resets and activations; nil without a token store.
	resets, activations *reset.Tokens
	bg                  background
	events              eventLog
	// dummy is a hash at the hasher's parameters that no password matches;
	// logins for unknown usernames verify against it, so they cost what a
	// known username costs.
	dummy string
}

// New returns an Authenticator for cfg. It computes one password hash, the
// stand-in that unknown usernames are verified against.
//
// It validates the whole configuration and fails closed: a missing store
// for a role that a feature needs is a *MissingRoleError, a field holding a
// typed nil (an interface set to a nil pointer) or a setting out of bounds
// is an error wrapping ErrConfig. Nothing is switched off in silence.
func New(cfg Config) (*Authenticator, error) {
	rs, err := resolveRoles(cfg)
	if err != nil {
		return nil, err
	}
	if err := checkRealms(cfg.Realms); err != nil {
		return nil, err
	}
	if err := checkCaptchaPolicies(cfg.Realms, cfg.Captcha); err != nil {
		return nil, err
	}
	a := &Authenticator{
		store:   durable{rs.accounts, rs.credentials, rs.events},
		roles:   rs,
		hasher:  cfg.Hasher,
		policy:  cfg.Policy,
		now:     cfg.Now,
		rand:    cfg.Rand,
		log:     cfg.Logger,
		realms:  maps.Clone(cfg.Realms),
		captcha: cfg.Captcha,
	}
	a.tokens, a.sender, a.messages = rs.tokens, cfg.Sender, cfg.Messages
	if err := a.messages.fill(a.sender); err != nil {
		return nil, err
	}
	if a.sf, err = newSecondFactor(cfg.SecondFactor, rs, a.messages); err != nil {
		return nil, err
	}
	if a.hasher == nil {
		h, err := password.New(password.Config{})
		if err != nil {
			return nil, fmt.Errorf("auth: default hasher: %w", err)
		}
		a.hasher = h
	}
	if a.policy == nil {
		p, err := password.NewPolicy(password.PolicyConfig{})
		if err != nil {
			return nil, fmt.Errorf("auth: default password policy: %w", err)
		}
		a.policy = p
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.rand == nil {
		a.rand = rand.Reader
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.links, a.reset = cfg.Links, cfg.Reset
	a.session = cfg.Session
	if !a.session.Off {
		a.sessions = rs.sessions
	}
	if err := a.session.fill(); err != nil {
		return nil, err
	}
	if err := a.links.check(); err != nil {
		return nil, err
	}
	if err := a.reset.fill(); err != nil {
		return nil, err
	}
	a.activation = cfg.Activation
	if err := a.activation.fill(); err != nil {
		return nil, err
	}
	if err := checkGuessing(a.realms, a.reset, a.activation); err != nil {
		return nil, err
	}
	a.register = cfg.Registration
	if err := a.register.fill(); err != nil {
		return nil, err
	}
	if err := a.events.init(cfg.EventRetention); err != nil {
		return nil, err
	}
	a.bg.init(a.backgroundPanicked)
	if a.resets, err = newResetTokens(a.tokens, ResetConfig{LinkFor: a.reset.LinkFor, CodeFor: a.reset.CodeFor, CodeDigits: a.reset.CodeDigits, Attempts: a.reset.Attempts}, a.now, a.rand); err != nil {
		return nil, fmt.Errorf("auth: Config.Reset: %w", err)
	}
	act := a.activation
	if a.activations, err = newResetTokens(a.tokens, ResetConfig{LinkFor: act.For, CodeFor: act.For, CodeDigits: act.CodeDigits, Attempts: act.Attempts}, a.now, a.rand); err != nil {
		return nil, fmt.Errorf("auth: Config.Activation: %w", err)
	}
	if cfg.Lockout != nil {
		// One Authenticator, one clock: a Guard built with another clock
		// would judge locks at another time than the events record.
		a.guard = cfg.Lockout.WithClock(a.now)
	} else {
		g, err := lockout.New(lockout.Config{Store: rs.attempts, Now: a.now})
		if err != nil {
			return nil, fmt.Errorf("auth: default lockout: %w", err)
		}
		a.guard = g
	}
	secret, err := a.randomHex(32)
	if err != nil {
		return nil, err
	}
	if a.dummy, err = a.hasher.Hash(context.Background(), secret); err != nil {
		return nil, fmt.Errorf("auth: computing the stand-in hash: %w", err)
	}
	return a, nil
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

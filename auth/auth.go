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
// is the implementation masuk ships.
type PasswordPolicy interface {
	Check(password string, c password.Context) error
}

// Config configures an [Authenticator]. Only Store is required.
type Config struct {
	// Store keeps accounts, credentials and events. Required.
	Store store.Store
	// Hasher hashes and verifies passwords. Nil means password.New with
	// its defaults (argon2id, m=19456 KiB, t=2, p=1).
	Hasher Hasher
	// Policy checks new passwords at registration and change. Nil means
	// password.NewPolicy with its defaults (8 to 256 characters, the
	// blocklist, context words, no composition rules).
	Policy PasswordPolicy
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Rand is the source of account IDs and security stamps. Nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// Logger receives one record per event, besides the store's log. Nil
	// means no logging. Passwords never reach it.
	Logger *slog.Logger
	// Lockout is asked before every password check. Nil means a Guard with
	// the recommended lockout.Policy on Store, which must then implement
	// store.Attempts (memstore and sqlstore do). To share counters among
	// instances through Redis, build the Guard on a redisstore.
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
	// Tokens keeps short-lived tokens: logins waiting for their second
	// factor and codes sent by email or SMS. Nil means Store, when it
	// implements store.Tokens (memstore and sqlstore do); to share them
	// among instances through Redis, pass a redisstore.
	Tokens store.Tokens
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
	// ActivationFor is how long an activation link or code works. Zero
	// means 24 hours, the most allowed.
	ActivationFor time.Duration
	// Sessions keeps server-side sessions. Nil means Store, when it
	// implements store.Sessions (memstore and sqlstore do); for many
	// instances, a redisstore.
	Sessions store.Sessions
	// Session configures sessions' timeouts.
	Session SessionConfig
	// SecondFactor configures second factors. They are on whenever Store
	// implements store.Factors: an account that has a confirmed factor
	// must pass it at every login.
	SecondFactor SecondFactorConfig
}

// Authenticator checks credentials and manages accounts. It is safe for
// concurrent use.
type Authenticator struct {
	store  store.Store
	hasher Hasher
	policy PasswordPolicy
	now    func() time.Time
	rand   io.Reader
	log    *slog.Logger
	realms map[string]Realm
	guard  *lockout.Guard
	// captcha verifies captcha answers; nil when there is none.
	captcha  CaptchaChecker
	tokens   store.Tokens
	sender   notify.Sender
	messages Messages
	sf       secondFactor
	links    Links
	sessions store.Sessions
	session  SessionConfig
	reset    ResetConfig
	// resets and activations issue and redeem the links and codes of
	// resets and activations; nil without a token store.
	resets, activations *reset.Tokens
	bg                  background
	// dummy is a hash at the hasher's parameters that no password matches;
	// logins for unknown usernames verify against it, so they cost what a
	// known username costs.
	dummy string
}

// New returns an Authenticator for cfg. It computes one password hash, the
// stand-in that unknown usernames are verified against.
func New(cfg Config) (*Authenticator, error) {
	if cfg.Store == nil {
		return nil, errors.New("auth: Config.Store is required")
	}
	if err := checkRealms(cfg.Realms); err != nil {
		return nil, err
	}
	if err := checkCaptchaPolicies(cfg.Realms, cfg.Captcha); err != nil {
		return nil, err
	}
	a := &Authenticator{
		store:   cfg.Store,
		hasher:  cfg.Hasher,
		policy:  cfg.Policy,
		now:     cfg.Now,
		rand:    cfg.Rand,
		log:     cfg.Logger,
		realms:  maps.Clone(cfg.Realms),
		guard:   cfg.Lockout,
		captcha: cfg.Captcha,
	}
	a.tokens, a.sender, a.messages = cfg.Tokens, cfg.Sender, cfg.Messages
	if a.tokens == nil {
		a.tokens, _ = cfg.Store.(store.Tokens)
	}
	if err := a.messages.fill(a.sender); err != nil {
		return nil, err
	}
	sf, err := newSecondFactor(cfg.SecondFactor, cfg.Store, a.messages)
	if err != nil {
		return nil, err
	}
	a.sf = sf
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
	a.links, a.reset = cfg.Links, cfg.Reset
	a.sessions, a.session = cfg.Sessions, cfg.Session
	if a.sessions == nil {
		a.sessions, _ = cfg.Store.(store.Sessions)
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
	a.bg.init()
	if a.resets, err = newResetTokens(a.tokens, cfg.Reset, a.now, a.rand); err != nil {
		return nil, fmt.Errorf("auth: Config.Reset: %w", err)
	}
	actFor := cfg.ActivationFor
	if actFor == 0 {
		actFor = 24 * time.Hour
	}
	if a.activations, err = newResetTokens(a.tokens, ResetConfig{LinkFor: actFor, CodeFor: actFor, CodeDigits: cfg.Reset.CodeDigits, Attempts: cfg.Reset.Attempts}, a.now, a.rand); err != nil {
		return nil, fmt.Errorf("auth: Config.ActivationFor: %w", err)
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.guard == nil {
		attempts, ok := cfg.Store.(store.Attempts)
		if !ok {
			return nil, errors.New("auth: Config.Lockout is nil and Config.Store does not implement store.Attempts")
		}
		g, err := lockout.New(lockout.Config{Store: attempts, Now: a.now})
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

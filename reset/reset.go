package reset

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// ErrInvalidToken means a link or code does not redeem: it is malformed,
// unknown, wrong, expired, already used, voided by a newer token or a
// [Tokens.Void], or out of attempts. It is one error for all of these, so
// that the answer tells a guesser nothing; tell the person to ask for a
// new link or code.
var ErrInvalidToken = errors.New("reset: invalid or expired token")

// Defaults and bounds of [Config].
const (
	DefaultLinkFor     = time.Hour
	DefaultCodeFor     = 15 * time.Minute
	MaxLifetime        = 24 * time.Hour // NIST SP 800-63B rev 4, codes sent by email
	DefaultCodeDigits  = 6
	MinCodeDigits      = 6
	MaxCodeDigits      = 8
	DefaultMaxAttempts = 5
)

// Config configures [Tokens]. Only Store is required; the zero value of
// every other field is the recommended setting.
type Config struct {
	// Store keeps the tokens, hashed. Required.
	Store store.Tokens
	// Now tells the time. Nil means time.Now.
	Now func() time.Time
	// Rand is the source of selectors, verifiers and codes. Nil means
	// crypto/rand.Reader.
	Rand io.Reader
	// LinkFor is how long a link works after it is issued. Zero means 1
	// hour; at most 24 hours.
	LinkFor time.Duration
	// CodeFor is how long a code works after it is issued. Zero means 15
	// minutes; at most 24 hours.
	CodeFor time.Duration
	// CodeDigits is the length of a code: 6 to 8. Zero means 6, about 20
	// bits, the least ASVS 6.5.4 allows.
	CodeDigits int
	// MaxAttempts is how many times one link or code may be tried, right
	// or wrong: 1 to 100. Zero means 5.
	MaxAttempts int
}

// Tokens issues and redeems one-time links and codes. It is safe for
// concurrent use; everything it shares lives in the store.
type Tokens struct {
	store       store.Tokens
	now         func() time.Time
	rand        io.Reader
	linkFor     time.Duration
	codeFor     time.Duration
	digits      int
	maxAttempts int
}

// New returns Tokens with the settings of c. It returns an error when
// Store is nil or a setting is out of bounds; it never weakens one.
func New(c Config) (*Tokens, error) {
	t := &Tokens{store: c.Store, now: c.Now, rand: c.Rand, linkFor: c.LinkFor, codeFor: c.CodeFor, digits: c.CodeDigits, maxAttempts: c.MaxAttempts}
	if t.store == nil {
		return nil, errors.New("reset: Config.Store is nil")
	}
	if t.now == nil {
		t.now = time.Now
	}
	if t.rand == nil {
		t.rand = rand.Reader
	}
	if t.linkFor == 0 {
		t.linkFor = DefaultLinkFor
	}
	if t.linkFor < 0 || t.linkFor > MaxLifetime {
		return nil, fmt.Errorf("reset: Config.LinkFor is %v, want above zero and at most %v", c.LinkFor, MaxLifetime)
	}
	if t.codeFor == 0 {
		t.codeFor = DefaultCodeFor
	}
	if t.codeFor < 0 || t.codeFor > MaxLifetime {
		return nil, fmt.Errorf("reset: Config.CodeFor is %v, want above zero and at most %v", c.CodeFor, MaxLifetime)
	}
	if t.digits == 0 {
		t.digits = DefaultCodeDigits
	}
	if t.digits < MinCodeDigits || t.digits > MaxCodeDigits {
		return nil, fmt.Errorf("reset: Config.CodeDigits is %d, want %d to %d", c.CodeDigits, MinCodeDigits, MaxCodeDigits)
	}
	if t.maxAttempts == 0 {
		t.maxAttempts = DefaultMaxAttempts
	}
	if t.maxAttempts < 1 || t.maxAttempts > store.MaxTokenAttempts {
		return nil, fmt.Errorf("reset: Config.MaxAttempts is %d, want 1 to %d", c.MaxAttempts, store.MaxTokenAttempts)
	}
	return t, nil
}

// Issue asks for a token.
type Issue struct {
	// AccountID is the account the token is for. Required.
	AccountID string
	// Purpose names what the token is for, such as "reset" or "activate":
	// 1 to 64 bytes. A token redeems only for its purpose, and an account
	// holds one live token per purpose.
	Purpose string
	// Data holds facts the purpose needs, returned by the redemption: the
	// new address of an email change, the account's security stamp (see
	// the package doc). At most 32 entries of 1 KiB; never a secret, as it
	// is stored as given.
	Data map[string]string
	// Binding tells apart tokens of the account and purpose that live at
	// once (the resets asked for from two browsers): a new token voids
	// only the one of the same binding, and a code redeems only with its
	// own binding ([Key.Binding]). Empty is a binding like any other; a
	// caller that never sets one has one token per purpose. At most 128
	// bytes.
	Binding string
	// CodeDigits, for a code, is its length, 6 to 8; zero means
	// Config.CodeDigits. A caller may ask for longer codes where guessing
	// is easier to attempt (auth sends 8 digits to a request from a
	// network the account has not logged in from).
	CodeDigits int
	// Cooldown, when above zero, refuses a new token while the account's
	// live token of the purpose and binding is younger than it, with a
	// *store.CooldownError. Zero means no cooldown.
	Cooldown time.Duration
}

// Key names the code [Tokens.VerifyCode] checks: the account, purpose and
// binding it was issued for.
type Key struct {
	AccountID, Purpose, Binding string
}

// Issued is a token issued.
type Issued struct {
	// Token is what to send: the link token's text form, to put in a URL,
	// or the code. It is not kept anywhere; only its hash is stored.
	Token string
	// ExpiresAt is when it stops working.
	ExpiresAt time.Time
}

// IssueLink issues a link token for i, valid for Config.LinkFor, and voids
// the account's other tokens of the purpose. Issued.Token is
// [secret.Token.String]; the account it is for is found from the token
// alone. A cooldown refusal is the store's *store.CooldownError
// (errors.Is store.ErrCooldown), not wrapped.
func (t *Tokens) IssueLink(ctx context.Context, i Issue) (Issued, error) {
	lt, err := secret.NewToken(t.rand)
	if err != nil {
		return Issued{}, fmt.Errorf("reset: %w", err)
	}
	return t.issue(ctx, i, lt.Selector(), lt.Hash(i.Purpose), t.linkFor, lt.String())
}

// IssueCode issues a numeric code of Config.CodeDigits digits (or
// Issue.CodeDigits) for i,
// valid for Config.CodeFor, and voids the account's other tokens of the
// purpose. The code is bound to the account and the purpose: it redeems
// only with [Tokens.VerifyCode] for both. A cooldown refusal is the
// store's *store.CooldownError (errors.Is store.ErrCooldown), not wrapped.
func (t *Tokens) IssueCode(ctx context.Context, i Issue) (Issued, error) {
	digits := t.digits
	if i.CodeDigits != 0 {
		digits = i.CodeDigits
	}
	if digits < MinCodeDigits || digits > MaxCodeDigits {
		return Issued{}, fmt.Errorf("reset: Issue.CodeDigits is %d, want %d to %d", i.CodeDigits, MinCodeDigits, MaxCodeDigits)
	}
	code, err := secret.NewCode(t.rand, digits)
	if err != nil {
		return Issued{}, fmt.Errorf("reset: %w", err)
	}
	// A code is looked up by account and purpose, but a token still needs
	// a unique selector: a random one, never shown.
	lt, err := secret.NewToken(t.rand)
	if err != nil {
		return Issued{}, fmt.Errorf("reset: %w", err)
	}
	return t.issue(ctx, i, lt.Selector(), secret.HashCode(i.Purpose, i.AccountID, code), t.codeFor, code)
}

func (t *Tokens) issue(ctx context.Context, i Issue, selector string, hash []byte, ttl time.Duration, send string) (Issued, error) {
	if i.Cooldown < 0 {
		return Issued{}, fmt.Errorf("reset: Issue.Cooldown is %v, want zero or above", i.Cooldown)
	}
	now := t.now().UTC()
	tok := store.Token{
		Selector:    selector,
		AccountID:   i.AccountID,
		Purpose:     i.Purpose,
		Binding:     i.Binding,
		Hash:        hash,
		Data:        maps.Clone(i.Data),
		MaxAttempts: t.maxAttempts,
		IssuedAt:    now,
		ExpiresAt:   now.Add(ttl),
	}
	// Checked here too, so that a host's own store need not.
	if err := store.CheckToken(tok); err != nil {
		return Issued{}, fmt.Errorf("reset: issuing a token: %w", err)
	}
	if err := t.store.IssueToken(ctx, tok, i.Cooldown); err != nil {
		if errors.Is(err, store.ErrCooldown) {
			return Issued{}, err
		}
		return Issued{}, fmt.Errorf("reset: issuing a token: %w", err)
	}
	return Issued{Token: send, ExpiresAt: tok.ExpiresAt}, nil
}

// Redemption is a token that verified and may be consumed. It is a value
// of the caller's to check; the token stays usable until [Tokens.Consume].
type Redemption struct {
	// AccountID is the account the token was issued for.
	AccountID string
	// Purpose is what it was issued for.
	Purpose string
	// Data is Issue.Data as issued, a copy of the caller's own.
	Data map[string]string
	// IssuedAt and ExpiresAt are when it was issued and when it stops
	// working.
	IssuedAt, ExpiresAt time.Time

	selector string
	hash     []byte
}

// VerifyLink charges an attempt to the link token s and checks it, in
// constant time, against the hash stored for purpose. It returns the
// redemption, without consuming the token, or [ErrInvalidToken]. The
// account comes from the token alone. A malformed s is refused without
// touching the store; a wrong verifier leaves the token usable until its
// attempts are spent.
func (t *Tokens) VerifyLink(ctx context.Context, purpose, s string) (Redemption, error) {
	lt, ok := secret.ParseToken(s)
	if !ok || purpose == "" {
		return Redemption{}, ErrInvalidToken
	}
	tok, err := t.attempt(ctx, store.TokenKey{Selector: lt.Selector()})
	if err != nil {
		return Redemption{}, err
	}
	if tok.Purpose != purpose || lt.Verify(tok.Hash, purpose) != nil {
		return Redemption{}, ErrInvalidToken
	}
	return redemption(tok), nil
}

// VerifyCode charges an attempt to the account's live code for k's
// purpose and binding and checks code against it in constant time. It
// returns the redemption, without consuming the code, or
// [ErrInvalidToken]. A code that is not 6 to 8 ASCII digits is refused
// without touching the store; a wrong code leaves the right one usable
// until its attempts are spent; a code of another binding is never
// touched.
func (t *Tokens) VerifyCode(ctx context.Context, k Key, code string) (Redemption, error) {
	if k.AccountID == "" || k.Purpose == "" || !isCode(code) {
		return Redemption{}, ErrInvalidToken
	}
	tok, err := t.attempt(ctx, store.TokenKey{AccountID: k.AccountID, Purpose: k.Purpose, Binding: k.Binding})
	if err != nil {
		return Redemption{}, err
	}
	if tok.AccountID != k.AccountID || tok.Purpose != k.Purpose || tok.Binding != k.Binding ||
		secret.VerifyCode(tok.Hash, k.Purpose, k.AccountID, code) != nil {
		return Redemption{}, ErrInvalidToken
	}
	return redemption(tok), nil
}

// isCode reports whether s may be a code of any length Config allows, so
// that codes issued before the length changed still redeem.
func isCode(s string) bool {
	if len(s) < MinCodeDigits || len(s) > MaxCodeDigits {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func (t *Tokens) attempt(ctx context.Context, k store.TokenKey) (store.Token, error) {
	tok, err := t.store.AttemptToken(ctx, k, t.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrInvalid):
		return store.Token{}, ErrInvalidToken
	case err != nil:
		return store.Token{}, fmt.Errorf("reset: verifying a token: %w", err)
	}
	return tok, nil
}

func redemption(tok store.Token) Redemption {
	return Redemption{
		AccountID: tok.AccountID,
		Purpose:   tok.Purpose,
		Data:      maps.Clone(tok.Data),
		IssuedAt:  tok.IssuedAt,
		ExpiresAt: tok.ExpiresAt,
		selector:  tok.Selector,
		hash:      tok.Hash,
	}
}

// Consume uses up the token r came from, so that it never redeems again.
// Of any number of concurrent calls for one token, from any number of
// processes, exactly one returns nil; the others, and a call for a token
// consumed, voided, replaced or expired since it verified, return
// [ErrInvalidToken]. Call it once the caller's own checks have passed and
// before acting on the redemption.
func (t *Tokens) Consume(ctx context.Context, r Redemption) error {
	if r.selector == "" || !t.now().Before(r.ExpiresAt) {
		return ErrInvalidToken
	}
	switch err := t.store.ConsumeToken(ctx, r.selector, r.hash); {
	case errors.Is(err, store.ErrNotFound):
		return ErrInvalidToken
	case err != nil:
		return fmt.Errorf("reset: consuming a token: %w", err)
	}
	return nil
}

// RedeemLink is [Tokens.VerifyLink] then [Tokens.Consume], for flows that
// check nothing in between, such as confirming an email address.
func (t *Tokens) RedeemLink(ctx context.Context, purpose, s string) (Redemption, error) {
	r, err := t.VerifyLink(ctx, purpose, s)
	if err != nil {
		return Redemption{}, err
	}
	if err := t.Consume(ctx, r); err != nil {
		return Redemption{}, err
	}
	return r, nil
}

// RedeemCode is [Tokens.VerifyCode] then [Tokens.Consume], for flows that
// check nothing in between.
func (t *Tokens) RedeemCode(ctx context.Context, k Key, code string) (Redemption, error) {
	r, err := t.VerifyCode(ctx, k, code)
	if err != nil {
		return Redemption{}, err
	}
	if err := t.Consume(ctx, r); err != nil {
		return Redemption{}, err
	}
	return r, nil
}

// Void voids the account's tokens of the given purposes, links and codes
// alike, or of every purpose when none is given: a password change voids
// the outstanding reset tokens.
func (t *Tokens) Void(ctx context.Context, accountID string, purposes ...string) error {
	if err := t.store.VoidTokens(ctx, accountID, purposes...); err != nil {
		return fmt.Errorf("reset: voiding tokens: %w", err)
	}
	return nil
}

package store

import (
	"context"
	"errors"
	"time"
)

// ErrCooldown means a token of the same account, purpose and binding was
// issued too recently to issue another; nothing was written. IssueToken returns it
// inside a *CooldownError that says until when.
var ErrCooldown = errors.New("store: cooling down")

// CooldownError is the error IssueToken returns when the account's live
// token of the same purpose and binding is younger than the cooldown asked
// for.
type CooldownError struct {
	// Until is when a new token may be issued.
	Until time.Time
}

func (e *CooldownError) Error() string {
	return "store: cooling down until " + e.Until.UTC().Format(time.RFC3339)
}

// Is reports whether target is ErrCooldown.
func (e *CooldownError) Is(target error) bool { return target == ErrCooldown }

// Token is a short-lived secret bound to an account and a purpose: a code
// sent by email or SMS, a password-reset link or code, an activation link,
// the pending state of a login between its two factors. Only a hash of the
// secret is kept.
//
// An account holds at most one live token per purpose and binding: a new
// one voids the old. Tokens of one purpose with different bindings live
// side by side (a pending login in each of two browsers), up to
// [MaxTokensPerPurpose] of them.
type Token struct {
	// Selector names the token: 16 to 128 bytes, unique. For a link it is
	// the random half of the link that is looked up; for a code typed by
	// hand, which is looked up by account and purpose, it is still unique
	// (random).
	Selector string
	// AccountID is the account the token belongs to.
	AccountID string
	// Purpose names what the token is for, such as "login.email" or
	// "reset"; 1 to 64 bytes.
	Purpose string
	// Binding tells apart tokens of one account and purpose that are live
	// at once, such as the pending logins of two browsers: 0 to 128 bytes,
	// chosen by the caller. A new token voids only the account's token of
	// the same purpose and binding. The empty binding is one binding like
	// any other; a caller that never sets one has one token per purpose.
	Binding string
	// Hash is a hash of the secret, 16 to 64 bytes; never the secret.
	Hash []byte
	// Data holds facts the purpose needs (the new address of an email
	// change, the methods a pending login may use), at most 32 entries of
	// 1 KiB. It never holds a secret.
	Data map[string]string
	// Attempts is how many attempts have been charged to the token; the
	// store sets it. MaxAttempts is how many it allows, 1 to 100: an
	// attempt after the last allowed one is refused, and the token stays,
	// refused, until it expires or is consumed, voided or replaced.
	Attempts, MaxAttempts int
	// IssuedAt is when it was made, and ExpiresAt when it stops being
	// usable, by the caller's clock.
	IssuedAt, ExpiresAt time.Time
}

// TokenKey finds a token: by Selector when it is not empty, otherwise by
// AccountID, Purpose and Binding ("" finds the token issued without one).
type TokenKey struct {
	Selector           string
	AccountID, Purpose string
	Binding            string
}

// Tokens keeps tokens. Expiry is checked on every read, not left to a
// sweeper.
//
// A token is redeemed in two steps, each atomic: [Tokens.AttemptToken]
// charges an attempt and returns the token, the caller compares the hash
// of what was typed in constant time, and on a match [Tokens.ConsumeToken]
// deletes it. Charging before comparing means no more than MaxAttempts
// guesses are ever compared, however many arrive at once; consuming by
// conditional delete means of any number of concurrent redemptions exactly
// one succeeds.
//
// A token that runs out of attempts is kept, not deleted: a caller that
// was charged one of the allowed attempts may still be comparing, and its
// ConsumeToken must find the token. Were the token deleted by the next
// attempt, parallel redemptions of a valid secret, more of them than
// MaxAttempts, could all fail, and a one-time secret burn without a
// winner. A spent token is refused by every later attempt and counts for
// the cooldown of IssueToken until it expires, so attempting it to death
// does not buy an early replacement.
type Tokens interface {
	// IssueToken stores t, with Attempts zero, and voids the account's
	// token of the same purpose and binding, in one atomic step. When
	// cooldown is above zero and that token is live at t.IssuedAt (not
	// expired, whatever its attempts) and was issued less than cooldown
	// before it, nothing is written and a *CooldownError (errors.Is
	// ErrCooldown) says when a new one may be issued; tokens of other
	// bindings do not cool down this one. When the account would then hold
	// more than [MaxTokensPerPurpose] live tokens of t.Purpose, across
	// bindings, the same step voids those that expire first (of those that
	// expire together, the ones issued first), never t. It returns
	// ErrConflict when the selector is taken by a token that would not be
	// voided (another account's, purpose's or binding's), and ErrInvalid
	// when a field is missing or out of bounds (see [CheckToken]); either
	// way nothing is written.
	IssueToken(ctx context.Context, t Token, cooldown time.Duration) error
	// AttemptToken charges one attempt to the token that k finds (by
	// selector, or by account, purpose and binding) and
	// returns it, with Attempts counting this one, if it is live at time
	// at (before ExpiresAt) and has attempts left, in one atomic step.
	// Otherwise it returns ErrNotFound: it deletes the token if it has
	// expired at time at, and changes nothing if it has only run out of
	// attempts, so that a caller charged its last allowed attempt can
	// still consume it. Of any number of concurrent calls for one token,
	// at most MaxAttempts (less those charged before) succeed.
	AttemptToken(ctx context.Context, k TokenKey, at time.Time) (Token, error)
	// ConsumeToken deletes the token with the selector if its hash is
	// hash, and returns ErrNotFound otherwise (consumed already, voided,
	// replaced). Of any number of concurrent calls for one token, exactly
	// one succeeds. It checks neither expiry nor attempts: the caller
	// consumes a token that AttemptToken just returned, and passes the
	// hash that came with it.
	ConsumeToken(ctx context.Context, selector string, hash []byte) error
	// VoidTokens deletes the account's tokens of the given purposes, of
	// every binding, or of every purpose when none is given, in one atomic
	// step: a password change voids the outstanding reset tokens.
	VoidTokens(ctx context.Context, accountID string, purposes ...string) error
}

// Bounds checked by [CheckToken] and [CheckTokenKey].
const (
	MaxTokenPurpose  = 64
	MaxTokenBinding  = 128
	MaxTokenData     = 32
	MaxTokenDataSize = 1 << 10
	MaxTokenAttempts = 100
)

// MaxTokensPerPurpose is how many live tokens of one purpose an account
// holds across bindings; issuing one more voids the one that expires
// first. It bounds the tokens a caller that makes up bindings (one per
// browser, say) can pile up for one account.
const MaxTokensPerPurpose = 32

// CheckToken returns ErrInvalid, wrapped with the reason, when t is not a
// token IssueToken may store, for implementations.
func CheckToken(t Token) error {
	switch {
	case len(t.Selector) < 16 || len(t.Selector) > 128:
		return invalid("token selector is not 16 to 128 bytes")
	case t.AccountID == "":
		return invalid("token account id is empty")
	case t.Purpose == "" || len(t.Purpose) > MaxTokenPurpose:
		return invalid("token purpose is not 1 to 64 bytes")
	case len(t.Binding) > MaxTokenBinding:
		return invalid("token binding is longer than 128 bytes")
	case len(t.Hash) < 16 || len(t.Hash) > 64:
		return invalid("token hash is not 16 to 64 bytes")
	case t.MaxAttempts < 1 || t.MaxAttempts > MaxTokenAttempts:
		return invalid("token max attempts is not 1 to 100")
	case t.IssuedAt.IsZero() || !t.ExpiresAt.After(t.IssuedAt):
		return invalid("token times are missing or expire before issue")
	case len(t.Data) > MaxTokenData:
		return invalid("token data has too many entries")
	}
	for k, v := range t.Data {
		if k == "" || len(k) > MaxTokenDataSize || len(v) > MaxTokenDataSize {
			return invalid("token data entry is empty or too large")
		}
	}
	return nil
}

// CheckTokenKey returns ErrInvalid when k names no token, for
// implementations: it has neither a selector nor an account and purpose,
// or a binding longer than [MaxTokenBinding].
func CheckTokenKey(k TokenKey) error {
	switch {
	case k.Selector == "" && (k.AccountID == "" || k.Purpose == ""):
		return invalid("token key has neither a selector nor an account and purpose")
	case len(k.Binding) > MaxTokenBinding:
		return invalid("token key binding is longer than 128 bytes")
	}
	return nil
}

package store

import (
	"context"
	"time"
)

// Session is a logged-in browser or client, kept server-side: the cookie
// carries only the selector and a secret, of which the store holds a hash.
type Session struct {
	// Selector names the session: 16 to 128 bytes, unique.
	Selector string
	// Hash is a hash of the cookie's secret, 16 to 64 bytes; never the
	// secret.
	Hash []byte
	// AccountID and Realm are the account that logged in.
	AccountID, Realm string
	// Stamp is the account's security stamp when the session began: the
	// caller ends the session when the account's stamp is another (a
	// password change or reset), on every load.
	Stamp string
	// ClientAddr and UserAgent describe where the session began, for the
	// owner's list of sessions: at most 64 and 512 bytes.
	ClientAddr, UserAgent string
	// CreatedAt is when the session began; LastSeenAt when it was last
	// used, as recorded by TouchSession.
	CreatedAt, LastSeenAt time.Time
	// VerifiedAt is when the owner last proved a password or a second
	// factor in this session: the login that began it, or a later
	// VerifySession. Zero at CreateSession means CreatedAt, and reads
	// back so. A host asks for the proof again before a sensitive action
	// when it is older than its window.
	VerifiedAt time.Time
	// IdleUntil is when the session ends unless it is used again, and
	// ExpiresAt when it ends regardless (its absolute lifetime). A session
	// is live at t when t is before both. IdleUntil is at most ExpiresAt.
	IdleUntil, ExpiresAt time.Time
	// Data holds small facts about the session (how the second factor
	// was passed), at most 16 entries of 1 KiB; never a secret.
	Data map[string]string
}

// MaxSessionsPerAccount is how many live sessions a store keeps for one
// account; beginning one more ends the one that would go idle first.
const MaxSessionsPerAccount = 50

// Sessions keeps server-side sessions. Expiry is checked on every read.
type Sessions interface {
	// CreateSession stores s. When the account has MaxSessionsPerAccount
	// live sessions (at s.CreatedAt), the one with the earliest IdleUntil
	// ends in the same atomic step. It returns ErrConflict when the
	// selector is taken and ErrInvalid when a field is missing or out of
	// bounds (see [CheckSession]).
	CreateSession(ctx context.Context, s Session) error
	// Session returns the session with the selector if it is live at
	// time at, or ErrNotFound.
	Session(ctx context.Context, selector string, at time.Time) (Session, error)
	// TouchSession records a use of the session at time seen: LastSeenAt
	// becomes seen and IdleUntil becomes idleUntil (at most ExpiresAt),
	// each only if that moves it forward, in one atomic step, when the
	// session is live at seen; otherwise ErrNotFound. Concurrent touches
	// never move either time back.
	TouchSession(ctx context.Context, selector string, seen, idleUntil time.Time) error
	// VerifySession records that the session's owner proved a password or
	// a second factor again at time at: VerifiedAt becomes at, only if
	// that moves it forward, in one atomic step, when the session is live
	// at at; otherwise ErrNotFound. Concurrent calls never move it back.
	VerifySession(ctx context.Context, selector string, at time.Time) error
	// Sessions returns the account's sessions live at time at, the most
	// recently seen first.
	Sessions(ctx context.Context, accountID string, at time.Time) ([]Session, error)
	// DeleteSession ends one session of the account, or returns
	// ErrNotFound.
	DeleteSession(ctx context.Context, accountID, selector string) error
	// DeleteSessions ends every session of the account but the one with
	// the selector except ("" ends them all), and returns how many ended.
	DeleteSessions(ctx context.Context, accountID, except string) (int, error)
}

// Bounds checked by [CheckSession].
const (
	MaxSessionAddr      = 64
	MaxSessionUserAgent = 512
	MaxSessionData      = 16
)

// CheckSession returns ErrInvalid, wrapped with the reason, when s is not a
// session CreateSession may store, for implementations.
func CheckSession(s Session) error {
	switch {
	case len(s.Selector) < 16 || len(s.Selector) > 128:
		return invalid("session selector is not 16 to 128 bytes")
	case len(s.Hash) < 16 || len(s.Hash) > 64:
		return invalid("session hash is not 16 to 64 bytes")
	case s.AccountID == "" || s.Realm == "":
		return invalid("session account or realm is empty")
	case s.Stamp == "":
		return invalid("session stamp is empty")
	case len(s.ClientAddr) > MaxSessionAddr || len(s.UserAgent) > MaxSessionUserAgent:
		return invalid("session client address or user agent is too long")
	case s.CreatedAt.IsZero() || s.LastSeenAt.Before(s.CreatedAt):
		return invalid("session times are missing or out of order")
	case !s.VerifiedAt.IsZero() && s.VerifiedAt.After(s.CreatedAt):
		return invalid("session verified after it began")
	case !s.IdleUntil.After(s.CreatedAt) || s.ExpiresAt.Before(s.IdleUntil):
		return invalid("session ends before it begins, or goes idle after it expires")
	case len(s.Data) > MaxSessionData:
		return invalid("session data has too many entries")
	}
	for k, v := range s.Data {
		if k == "" || len(k) > MaxTokenDataSize || len(v) > MaxTokenDataSize {
			return invalid("session data entry is empty or too large")
		}
	}
	return nil
}

// AccountQuery selects accounts for an operator's list, ordered by
// username.
type AccountQuery struct {
	// Realm is required.
	Realm string
	// State, when not empty, keeps only accounts in that state.
	State AccountState
	// Search, when not empty, keeps accounts whose canonical username or
	// email begins with it.
	Search string
	// After, when not empty, keeps accounts whose username sorts after it
	// (bytewise): pass the last username of one page to get the next.
	After string
	// Limit is the most accounts returned: 0 means 50; above 1000 is 1000.
	Limit int
}

// EffectiveLimit returns the page size q asks for after applying the
// default and the cap, for implementations.
func (q AccountQuery) EffectiveLimit() int {
	return EventQuery{Limit: q.Limit}.EffectiveLimit()
}

// AccountLister lists accounts, for operators. It is apart from Accounts
// because a host's own store may not offer it.
type AccountLister interface {
	// ListAccounts returns the accounts q selects, ordered by username
	// bytewise. It returns ErrInvalid when q.Realm is empty or q.State is
	// not empty and not a valid state.
	ListAccounts(ctx context.Context, q AccountQuery) ([]Account, error)
}

// SessionAccounts is implemented by a store that keeps both the sessions
// and the accounts, and can read a session together with its account in
// one step (sqlstore: one SELECT of the session's row, which keeps a copy
// of its account that every account write rewrites in its transaction).
// A store that keeps such a copy must never return it older than the
// last completed write of the account, whichever method wrote it.
// It only saves a round trip: the caller still compares the account's
// state and security stamp with the session's, on every load, as it does
// with Session and AccountByID. The Authenticator uses it when its
// session store is also its account store.
type SessionAccounts interface {
	// SessionAccount returns the session with the selector if it is live
	// at time at, and its account, as Session and AccountByID would
	// return them, read at one moment; ErrNotFound when there is no such
	// session or its account does not exist.
	SessionAccount(ctx context.Context, selector string, at time.Time) (Session, Account, error)
}

package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// ErrNoSession: the request carries no session, or one that is unknown,
// ended, idle too long, past its lifetime, or issued under a password that
// has changed since. The person logs in again.
var ErrNoSession = errors.New("auth: no session")

// SessionConfig configures server-side sessions. Its zero value is the
// recommended one.
type SessionConfig struct {
	// Off turns masuk's sessions off, for a host that keeps sessions of
	// its own: the Sessions role is not needed, the session methods
	// return ErrNotConfigured, and ending an account's sessions (after a
	// password change or reset, Disable) is the host's to do. The zero
	// value keeps them on, and New refuses a configuration without a
	// store for them.
	Off bool
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
}

func (c *SessionConfig) fill() error {
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.Lifetime == 0 {
		c.Lifetime = 12 * time.Hour
	}
	if c.TouchEvery == 0 {
		c.TouchEvery = min(time.Minute, c.IdleTimeout/10)
	}
	switch {
	case c.IdleTimeout < time.Minute || c.Lifetime < c.IdleTimeout:
		return errors.New("auth: Config.Session: IdleTimeout must be at least a minute and Lifetime at least IdleTimeout")
	case c.TouchEvery < 0 || c.TouchEvery > c.IdleTimeout/10:
		return errors.New("auth: Config.Session: TouchEvery must be at most a tenth of IdleTimeout")
	}
	return nil
}

// NewSession is a session just begun: set Token as the session cookie.
type NewSession struct {
	// Token is the cookie's value. It is a bearer secret: never log it,
	// never put it in a URL.
	Token string `json:"-"`
	// ID names the session in the owner's list.
	ID string `json:"id"`
	// ExpiresAt is when the session ends at the latest; IdleUntil when it
	// ends unless used.
	ExpiresAt time.Time `json:"expires_at"`
	IdleUntil time.Time `json:"idle_until"`
}

// SessionInfo describes a session for its owner's list.
type SessionInfo struct {
	ID         string    `json:"id"`
	ClientAddr string    `json:"client_addr"`
	UserAgent  string    `json:"user_agent"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Current marks the session the list was asked from.
	Current bool `json:"current"`
}

// Principal is who a request acts for: the account of its session.
type Principal struct {
	Account store.Account `json:"-"`
	// AccountID, Realm and Username are the account's, for an API.
	AccountID string `json:"account_id"`
	Realm     string `json:"realm"`
	Username  string `json:"username"`
	// Session is the session the request carried.
	Session SessionInfo `json:"session"`
}

// sessionStore returns the session store, or ErrNotConfigured.
func (a *Authenticator) sessionStore() (store.Sessions, error) {
	if a.sessions == nil {
		return nil, fmt.Errorf("%w: no session store (Config.Sessions, or a Store that implements store.Sessions)", ErrNotConfigured)
	}
	return a.sessions, nil
}

const purposeSession = "session"

// StartSession begins a session for an account that has just logged in
// (both steps), and returns its token for the cookie. Call it again after
// any change of privilege (a password change, an operator's elevation): a
// new token each time, so a token seen before the change is worth nothing
// after it.
func (a *Authenticator) StartSession(ctx context.Context, acct store.Account, req Request) (*NewSession, error) {
	ss, err := a.sessionStore()
	if err != nil {
		return nil, err
	}
	if acct.State != store.StateActive {
		return nil, ErrInvalidCredentials
	}
	t, err := secret.NewToken(a.rand)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	now := a.now().UTC()
	s := store.Session{
		Selector:   t.Selector(),
		Hash:       t.Hash(purposeSession),
		AccountID:  acct.ID,
		Realm:      acct.Realm,
		Stamp:      acct.SecurityStamp,
		ClientAddr: cut(req.ClientAddr, store.MaxSessionAddr),
		UserAgent:  cut(deviceName(req.UserAgent), store.MaxSessionUserAgent),
		CreatedAt:  now,
		LastSeenAt: now,
		ExpiresAt:  now.Add(a.session.Lifetime),
	}
	s.IdleUntil = minTime(now.Add(a.session.IdleTimeout), s.ExpiresAt)
	if err := ss.CreateSession(ctx, s); err != nil {
		return nil, fmt.Errorf("auth: starting a session: %w", err)
	}
	// The caller's copy of the account may be older than a Disable or a
	// password change that ended the account's sessions meanwhile: the
	// session stands only if the account, read after it was stored, still
	// allows it.
	now2, err := a.store.AccountByID(ctx, acct.ID)
	if err != nil || now2.State != store.StateActive || now2.SecurityStamp != acct.SecurityStamp {
		if derr := ss.DeleteSession(context.WithoutCancel(ctx), acct.ID, s.Selector); derr != nil && !errors.Is(derr, store.ErrNotFound) {
			a.log.ErrorContext(ctx, "masuk: ending a session begun on a stale account", "account", acct.ID, "error", derr)
		}
		if err != nil {
			return nil, fmt.Errorf("auth: starting a session: %w", err)
		}
		return nil, ErrInvalidCredentials
	}
	return &NewSession{Token: t.String(), ID: s.Selector, ExpiresAt: s.ExpiresAt, IdleUntil: s.IdleUntil}, nil
}

// LoadSession returns who the session token acts for, and records the use
// (at most once every SessionConfig.TouchEvery, which moves the idle
// deadline forward). On every load it checks the account: a disabled
// account, or a password changed since the session began (a change, a
// reset, an operator's forced reset), ends the session at once, at the
// very next request, not at some later re-check.
//
// Its errors: ErrNoSession, and wrapped store failures (fail closed).
func (a *Authenticator) LoadSession(ctx context.Context, token string) (*Principal, error) {
	ss, err := a.sessionStore()
	if err != nil {
		return nil, err
	}
	t, ok := secret.ParseToken(token)
	if !ok {
		return nil, ErrNoSession
	}
	now := a.now().UTC()
	s, err := ss.Session(ctx, t.Selector(), now)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNoSession
	case err != nil:
		return nil, fmt.Errorf("auth: loading a session: %w", err)
	}
	if subtle.ConstantTimeCompare(s.Hash, t.Hash(purposeSession)) != 1 {
		return nil, ErrNoSession
	}
	acct, err := a.store.AccountByID(ctx, s.AccountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNoSession
	case err != nil:
		return nil, fmt.Errorf("auth: loading a session: %w", err)
	}
	if acct.State != store.StateActive || subtle.ConstantTimeCompare([]byte(acct.SecurityStamp), []byte(s.Stamp)) != 1 {
		if err := ss.DeleteSession(context.WithoutCancel(ctx), s.AccountID, s.Selector); err != nil && !errors.Is(err, store.ErrNotFound) {
			a.log.ErrorContext(ctx, "masuk: ending a stale session", "account", s.AccountID, "error", err)
		}
		return nil, ErrNoSession
	}
	if now.Sub(s.LastSeenAt) >= a.session.TouchEvery {
		idle := minTime(now.Add(a.session.IdleTimeout), s.ExpiresAt)
		switch err := ss.TouchSession(ctx, s.Selector, now, idle); {
		case errors.Is(err, store.ErrNotFound):
			return nil, ErrNoSession
		case err != nil:
			return nil, fmt.Errorf("auth: recording a session's use: %w", err)
		}
		s.LastSeenAt, s.IdleUntil = now, idle
	}
	return &Principal{
		Account: acct, AccountID: acct.ID, Realm: acct.Realm, Username: acct.DisplayUsername,
		Session: sessionInfo(s, s.Selector),
	}, nil
}

func sessionInfo(s store.Session, current string) SessionInfo {
	return SessionInfo{ID: s.Selector, ClientAddr: s.ClientAddr, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt,
		LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, Current: s.Selector == current}
}

// Sessions lists the account's live sessions, the most recently used
// first; current, the ID of the session asking, is marked.
func (a *Authenticator) Sessions(ctx context.Context, accountID, current string) ([]SessionInfo, error) {
	ss, err := a.sessionStore()
	if err != nil {
		return nil, err
	}
	list, err := ss.Sessions(ctx, accountID, a.now().UTC())
	if err != nil {
		return nil, fmt.Errorf("auth: sessions: %w", err)
	}
	out := make([]SessionInfo, len(list))
	for i, s := range list {
		out[i] = sessionInfo(s, current)
	}
	return out, nil
}

// Logout ends the session the token names, if any: a token that names no
// live session is not an error, so logging out twice is harmless.
func (a *Authenticator) Logout(ctx context.Context, token string, req Request) error {
	ss, err := a.sessionStore()
	if err != nil {
		return err
	}
	t, ok := secret.ParseToken(token)
	if !ok {
		return nil
	}
	s, err := ss.Session(ctx, t.Selector(), a.now().UTC())
	if errors.Is(err, store.ErrNotFound) || (err == nil && subtle.ConstantTimeCompare(s.Hash, t.Hash(purposeSession)) != 1) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("auth: logout: %w", err)
	}
	if err := ss.DeleteSession(ctx, s.AccountID, s.Selector); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("auth: logout: %w", err)
	}
	ev := a.event(EventLogout, s.Realm, req)
	ev.AccountID = s.AccountID
	ev.Details = map[string]string{"session": s.Selector}
	a.record(ctx, ev)
	return nil
}

// RevokeSession ends one session of the account, by its ID from Sessions
// (a session on a device the owner no longer has).
func (a *Authenticator) RevokeSession(ctx context.Context, accountID, id string, req Request) error {
	ss, err := a.sessionStore()
	if err != nil {
		return err
	}
	if err := ss.DeleteSession(ctx, accountID, id); err != nil {
		return fmt.Errorf("auth: revoke session: %w", err)
	}
	a.sessionsRevoked(ctx, accountID, 1, "one", "", req)
	return nil
}

// RevokeOtherSessions ends every session of the account but current ("log
// out everywhere else"); with current empty, every session ("log out
// everywhere"). It returns how many ended.
func (a *Authenticator) RevokeOtherSessions(ctx context.Context, accountID, current string, req Request) (int, error) {
	ss, err := a.sessionStore()
	if err != nil {
		return 0, err
	}
	n, err := ss.DeleteSessions(ctx, accountID, current)
	if err != nil {
		return n, fmt.Errorf("auth: revoke sessions: %w", err)
	}
	which := "others"
	if current == "" {
		which = "all"
	}
	a.sessionsRevoked(ctx, accountID, n, which, "", req)
	return n, nil
}

// endSessions ends every session of an account whose credentials just
// changed, so its list is clean (the changed stamp already refuses them).
func (a *Authenticator) endSessions(ctx context.Context, acct store.Account, by string, req Request) {
	if a.sessions == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	n, err := a.sessions.DeleteSessions(ctx, acct.ID, "")
	if err != nil {
		a.log.ErrorContext(ctx, "masuk: ending sessions", "account", acct.ID, "error", err)
		return
	}
	if n > 0 {
		a.sessionsRevoked(ctx, acct.ID, n, "all", by, req)
	}
}

func (a *Authenticator) sessionsRevoked(ctx context.Context, accountID string, n int, which, by string, req Request) {
	acct, err := a.store.AccountByID(ctx, accountID)
	if err != nil {
		return
	}
	ev := a.event(EventSessionsRevoked, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"which": which, "count": fmt.Sprint(n)}
	if by != "" {
		ev.Details["by"] = by
	}
	a.record(ctx, ev)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// cut shortens s to at most n bytes, at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

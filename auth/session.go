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
	// ReauthUntil is until when the session's sensitive actions need no
	// password (Request.Session): the last proof of the password plus the
	// realm's Session.ReauthWithin. A page asks for the password when it
	// is past.
	ReauthUntil time.Time `json:"reauth_until"`
}

// Sessions begins, loads, lists and ends server-side sessions. Obtain it
// from [Authenticator.Sessions].
type Sessions struct{ a *Authenticator }

// sessionStore returns the session store, or ErrNotConfigured.
func (a *Authenticator) sessionStore() (store.Sessions, error) {
	if a.sessions == nil {
		return nil, fmt.Errorf("%w: no session store (Config.Sessions, or a Store that implements store.Sessions)", ErrNotConfigured)
	}
	return a.sessions, nil
}

const purposeSession = "session"

// StartSession begins a session.
type StartSession struct {
	// Account is the account that has just logged in, both steps: the
	// LoginResult's.
	Account store.Account
	Request
}

// Start begins a session for an account that has just logged in (both
// steps), and returns its token for the cookie, with the timeouts of the
// account's realm. Call it again after any change of privilege (a
// password change, an operator's elevation): a new token each time, so a
// token seen before the change is worth nothing after it.
func (v *Sessions) Start(ctx context.Context, st StartSession) (_ *NewSession, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Sessions.Start")
	defer sp.end(&err)
	a, acct, req := v.a, st.Account, st.Request
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
	policy := a.realmOf(acct.Realm).Session
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
		ExpiresAt:  now.Add(policy.Lifetime),
	}
	s.IdleUntil = minTime(now.Add(policy.IdleTimeout), s.ExpiresAt)
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

// Load returns who the session token acts for, and records the use (at
// most once every the realm's Session.TouchEvery, which moves the idle
// deadline forward). On every load it checks the account: a disabled
// account, or a password changed since the session began (a change, a
// reset, an operator's forced reset), ends the session at once, at the
// very next request, not at some later re-check.
//
// Its errors: ErrNoSession, and wrapped store failures (fail closed).
func (v *Sessions) Load(ctx context.Context, token string) (p *Principal, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Sessions.Load")
	defer sp.end(&err)
	p, err = v.a.load(ctx, token)
	if v.a.tel.metrics {
		realm := ""
		if p != nil {
			realm = p.Realm
		}
		v.a.tel.session(ctx, realm, err)
	}
	return p, err
}

// load is Load's work.
func (a *Authenticator) load(ctx context.Context, token string) (*Principal, error) {
	ss, err := a.sessionStore()
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	s, acct, err := a.sessionAccount(ctx, ss, token, now)
	if err != nil {
		return nil, err
	}
	if acct.State != store.StateActive || subtle.ConstantTimeCompare([]byte(acct.SecurityStamp), []byte(s.Stamp)) != 1 {
		if err := ss.DeleteSession(context.WithoutCancel(ctx), s.AccountID, s.Selector); err != nil && !errors.Is(err, store.ErrNotFound) {
			a.log.ErrorContext(ctx, "masuk: ending a stale session", "account", s.AccountID, "error", err)
		}
		return nil, ErrNoSession
	}
	if policy := a.settingsOf(s.Realm).Session; now.Sub(s.LastSeenAt) >= policy.TouchEvery {
		idle := minTime(now.Add(policy.IdleTimeout), s.ExpiresAt)
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
		Session:     sessionInfo(s, s.Selector),
		ReauthUntil: s.VerifiedAt.Add(a.settingsOf(s.Realm).Session.ReauthWithin),
	}, nil
}

// sessionAccount returns the session a token names, live at now and whose
// secret the token holds, and its account: ErrNoSession for any other
// token or a session whose account is gone, a wrapped error when a store
// fails. It is one read when the session store also reads the account
// (store.SessionAccounts) or holds a current copy of it
// (store.AccountCopies); otherwise the session, then the account, which
// is kept as the session's copy when the store keeps copies (see
// accountcopies.go). Either way the caller compares the account's state
// and stamp with the session's.
func (a *Authenticator) sessionAccount(ctx context.Context, ss store.Sessions, token string, now time.Time) (store.Session, store.Account, error) {
	t, ok := secret.ParseToken(token)
	if !ok {
		return store.Session{}, store.Account{}, ErrNoSession
	}
	var (
		s    store.Session
		acct store.Account
		read bool // acct was read with s
		err  error
	)
	copies := a.roles.copies
	switch {
	case copies != nil && a.roles.copyReads:
		s, acct, read, err = copies.SessionCopy(ctx, t.Selector(), now)
	case a.roles.joined != nil:
		s, acct, err = a.roles.joined.SessionAccount(ctx, t.Selector(), now)
		read = true
	default:
		copies = nil
		s, err = ss.Session(ctx, t.Selector(), now)
	}
	if err = sessionErr(err); err != nil {
		return store.Session{}, store.Account{}, err
	}
	if subtle.ConstantTimeCompare(s.Hash, t.Hash(purposeSession)) != 1 {
		return store.Session{}, store.Account{}, ErrNoSession
	}
	if read {
		return s, acct, nil
	}
	if copies == nil {
		acct, err = a.store.AccountByID(ctx, s.AccountID)
		return s, acct, sessionErr(err)
	}
	acct, err = a.keptCopy(ctx, copies, s, now)
	return s, acct, err
}

// sessionErr is a session read's error as Load answers it: ErrNoSession
// for a session or account that is not there, wrapped otherwise.
func sessionErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ErrNoSession
	case err != nil:
		return fmt.Errorf("auth: loading a session: %w", err)
	}
	return nil
}

// tokenSession returns the session a token names, live at now and whose
// secret the token holds: ErrNoSession for any other token, a wrapped
// error when the store fails.
func tokenSession(ctx context.Context, ss store.Sessions, token string, now time.Time) (store.Session, error) {
	t, ok := secret.ParseToken(token)
	if !ok {
		return store.Session{}, ErrNoSession
	}
	s, err := ss.Session(ctx, t.Selector(), now)
	if err = sessionErr(err); err != nil {
		return store.Session{}, err
	}
	if subtle.ConstantTimeCompare(s.Hash, t.Hash(purposeSession)) != 1 {
		return store.Session{}, ErrNoSession
	}
	return s, nil
}

func sessionInfo(s store.Session, current string) SessionInfo {
	return SessionInfo{ID: s.Selector, ClientAddr: s.ClientAddr, UserAgent: s.UserAgent, CreatedAt: s.CreatedAt,
		LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, Current: s.Selector == current}
}

// SessionQuery asks for an account's sessions.
type SessionQuery struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Current is the ID of the session asking, which the list marks.
	Current string
}

// List lists the account's live sessions, the most recently used first,
// the one asking marked.
func (v *Sessions) List(ctx context.Context, q SessionQuery) (_ []SessionInfo, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Sessions.List")
	defer sp.end(&err)
	a, accountID, current := v.a, q.AccountID, q.Current
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

// LogoutRequest ends the session of a request.
type LogoutRequest struct {
	// Token is the session's token, from the cookie or the bearer header.
	Token string
	Request
}

// Logout ends the session the token names, if any: a token that names no
// live session is not an error, so logging out twice is harmless.
func (v *Sessions) Logout(ctx context.Context, l LogoutRequest) (err error) {
	if v.unset() {
		return errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Sessions.Logout")
	defer sp.end(&err)
	a, token, req := v.a, l.Token, l.Request
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

// Revocation ends one session of an account.
type Revocation struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// SessionID is the session's ID, from List.
	SessionID string
	Request
}

// Revoke ends one session of the account, by its ID from List (a session
// on a device the owner no longer has).
func (v *Sessions) Revoke(ctx context.Context, r Revocation) (err error) {
	if v.unset() {
		return errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Sessions.Revoke")
	defer sp.end(&err)
	a, accountID, id, req := v.a, r.AccountID, r.SessionID, r.Request
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

// OthersRevocation ends every session of an account but one.
type OthersRevocation struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Current is the ID of the session to keep; empty ends every one.
	Current string
	Request
}

// Revoked says how many sessions ended.
type Revoked struct {
	Count int `json:"count"`
}

// RevokeOthers ends every session of the account but Current ("log out
// everywhere else"); with Current empty, every session ("log out
// everywhere").
func (v *Sessions) RevokeOthers(ctx context.Context, r OthersRevocation) (_ Revoked, err error) {
	if v.unset() {
		return Revoked{}, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Sessions.RevokeOthers")
	defer sp.end(&err)
	a := v.a
	ss, err := a.sessionStore()
	if err != nil {
		return Revoked{}, err
	}
	n, err := ss.DeleteSessions(ctx, r.AccountID, r.Current)
	if err != nil {
		return Revoked{Count: n}, fmt.Errorf("auth: revoke sessions: %w", err)
	}
	which := "others"
	if r.Current == "" {
		which = "all"
	}
	a.sessionsRevoked(ctx, r.AccountID, n, which, "", r.Request)
	return Revoked{Count: n}, nil
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

package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// ErrReauthRequired: a sensitive action came without the password, and
// the session it came with (Request.Session) has no proof of the password
// recent enough (Session.ReauthWithin), or is not the account's. Ask for
// the password, then try again (or call Sessions.Reauthenticate first).
var ErrReauthRequired = errors.New("auth: the password must be given again")

// Reauthentication is the owner proving the password again in a session,
// before sensitive actions.
type Reauthentication struct {
	// Token is the session's token, NewSession.Token.
	Token string
	// Password is the owner's current password.
	Password string
	Request
}

// Reauthenticate checks the owner's password in the session the token
// names (a wrong one counts toward the lock, as at login) and records the
// proof in the session, so that for the realm's Session.ReauthWithin the
// sensitive actions given Request.Session need no password: a page that
// holds several of them asks once. It returns the session's Principal with
// its new ReauthUntil.
//
// Its errors: ErrNoSession; ErrWrongPassword (errors.Is
// ErrInvalidCredentials); a *lockout.LockedError; wrapped store failures.
func (v *Sessions) Reauthenticate(ctx context.Context, r Reauthentication) (_ *Principal, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Sessions.Reauthenticate")
	defer sp.end(&err)
	a := v.a
	p, err := v.Load(ctx, r.Token)
	if err != nil {
		return nil, err
	}
	ev := a.event(EventReauthFailed, p.Realm, r.Request)
	ev.AccountID, ev.Username = p.AccountID, p.Account.Username
	att, err := a.begin(ctx, a.realmOf(p.Realm), lockout.Password, ev)
	if err != nil {
		return nil, err
	}
	_, err = a.checkCurrent(ctx, ev, p.Account, r.Password)
	a.settle(ctx, att, ev, err)
	if err != nil {
		return nil, err
	}
	now, err := a.verifySession(ctx, p.Session.ID)
	if err != nil {
		return nil, err
	}
	ev.Kind = string(EventReauthenticated)
	a.record(ctx, ev)
	p.ReauthUntil = now.Add(a.settingsOf(p.Realm).Session.ReauthWithin)
	return p, nil
}

// verifySession records a proof of the password in the session now.
func (a *Authenticator) verifySession(ctx context.Context, selector string) (time.Time, error) {
	ss, err := a.sessionStore()
	if err != nil {
		return time.Time{}, err
	}
	now := a.now().UTC()
	switch err := ss.VerifySession(ctx, selector, now); {
	case errors.Is(err, store.ErrNotFound):
		return time.Time{}, ErrNoSession
	case err != nil:
		return time.Time{}, fmt.Errorf("auth: recording a reauthentication: %w", err)
	}
	return now, nil
}

// ownSession returns the live session the token names, if it is acct's
// and began under its current password.
func (a *Authenticator) ownSession(ctx context.Context, acct store.Account, token string) (store.Session, error) {
	ss, err := a.sessionStore()
	if err != nil {
		return store.Session{}, err
	}
	s, err := tokenSession(ctx, ss, token, a.now().UTC())
	if errors.Is(err, ErrNoSession) || (err == nil && (s.AccountID != acct.ID ||
		subtle.ConstantTimeCompare([]byte(s.Stamp), []byte(acct.SecurityStamp)) != 1)) {
		return store.Session{}, ErrReauthRequired
	}
	return s, err
}

// recentProof lets a sensitive action of acct through without the
// password when the session the token names proved it recently enough,
// and refuses it with ErrReauthRequired otherwise. It fails closed: a
// store that cannot say is an error, never a pass.
func (a *Authenticator) recentProof(ctx context.Context, acct store.Account, token string) error {
	if acct.State != store.StateActive {
		return ErrInvalidCredentials
	}
	s, err := a.ownSession(ctx, acct, token)
	if err != nil {
		return err
	}
	within := a.settingsOf(acct.Realm).Session.ReauthWithin
	if verified := s.VerifiedAt; verified.IsZero() || a.now().Sub(verified) >= within {
		return ErrReauthRequired
	}
	return nil
}

// proved records, after a sensitive action's password was right, the
// proof in the session it came with, when that session is the owner's.
func (a *Authenticator) proved(ctx context.Context, acct store.Account, token string) {
	s, err := a.ownSession(ctx, acct, token)
	if err == nil {
		_, err = a.verifySession(context.WithoutCancel(ctx), s.Selector)
	}
	if err != nil && !errors.Is(err, ErrReauthRequired) {
		a.log.ErrorContext(ctx, "masuk: recording a proof of the password", "account", acct.ID, "error", err)
	}
}

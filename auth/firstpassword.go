package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// ErrHasPassword: the account has a password already; a first password is
// for an account that has none (one an identity provider made). Change
// it with Accounts.ChangePassword, which asks for the current one.
var ErrHasPassword = errors.New("auth: the account already has a password")

// FirstPassword is a request by a signed-in owner whose account has no
// password to set one.
type FirstPassword struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// New is the password, exactly as typed.
	New string
	// Request.Session is required: the session must hold a recent proof
	// (Session.ReauthWithin) of its owner, for an account without a
	// password the re-authentication through its provider
	// (FederationStart.Reauthenticate).
	Request
}

// HasPassword reports whether the account has a password: one without
// (made by an identity provider) re-authenticates through its provider
// and may set one with SetFirstPassword.
func (s *Accounts) HasPassword(ctx context.Context, accountID string) (_ bool, err error) {
	if s.unset() {
		return false, errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.HasPassword")
	defer sp.end(&err)
	if _, err := s.a.store.AccountByID(ctx, accountID); err != nil {
		return false, fmt.Errorf("auth: %w", err)
	}
	switch _, err := s.a.store.CredentialByAccount(ctx, accountID); {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("auth: %w", err)
	}
	return true, nil
}

// SetFirstPassword gives an active account that has no password (one an
// identity provider made) its first, so that it can log in without the
// provider too, and unlink it. No current password is asked, since there
// is none: the session the request came with (Request.Session) must
// instead hold a recent proof of its owner, which for such an account is
// a re-authentication through its provider. The password must pass the
// realm's policy. It is stored only if the account still has none, in one
// atomic store step: of parallel requests one wins, and none ever
// replaces a password.
//
// The security stamp is kept: the account's other sessions go on. A
// password change ends them because the old password may be known to
// whoever changed it; here no secret is replaced, the owner proved
// themselves through the provider moments ago, and the new way in is
// told to the owner by a notice (notify.PasswordSet) and in the
// activity log. An owner who suspects another session ends it from the
// list of sessions. An account no notice can reach (no email, no phone)
// keeps only the session that set the password: its others end.
//
// Its errors: ErrReauthRequired when the session holds no recent proof
// (or is not the owner's, or is missing); ErrInvalidCredentials when the
// account is not active; ErrHasPassword when it has a password; a
// *password.PolicyError (errors.Is password.ErrPolicy), password.ErrBusy;
// a wrapped store.ErrNotFound for an unknown account ID.
func (s *Accounts) SetFirstPassword(ctx context.Context, f FirstPassword) (err error) {
	if s.unset() {
		return errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.SetFirstPassword")
	defer sp.end(&err)
	a := s.a
	acct, err := a.store.AccountByID(ctx, f.AccountID)
	if err != nil {
		return fmt.Errorf("auth: first password: %w", err)
	}
	if f.Session == "" {
		return ErrReauthRequired
	}
	if err := a.recentProof(ctx, acct, f.Session); err != nil {
		return err
	}
	// Cheap refusals before the hash: an account that has a password
	// spends none.
	switch _, err := a.store.CredentialByAccount(ctx, acct.ID); {
	case err == nil:
		return ErrHasPassword
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("auth: first password: %w", err)
	}
	realm := a.realmOf(acct.Realm)
	pc := password.Context{Username: acct.Username, Email: acct.Email, Realm: acct.Realm, Words: []string{acct.DisplayUsername}}
	if err := realm.Policy.Check(ctx, f.New, pc); err != nil {
		return err
	}
	hash, err := a.hasher.Hash(ctx, f.New)
	if err != nil {
		return fmt.Errorf("auth: first password: %w", err)
	}
	// The stamp is kept (see above): "" leaves it as it is.
	switch err := a.store.AddCredential(ctx, store.Credential{AccountID: acct.ID, Hash: hash, ChangedAt: a.now().UTC()}, ""); {
	case errors.Is(err, store.ErrConflict):
		return ErrHasPassword
	case err != nil:
		return fmt.Errorf("auth: first password: %w", err)
	}
	ev := a.event(EventPasswordSet, acct.Realm, f.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	if acct.Email == "" && acct.Phone == "" && a.sessions != nil {
		// No notice can reach this owner (an account a claim such as a
		// NIP made): the account's other sessions end, so that a password
		// set by whoever held one of them does not go unseen beside the
		// owner's.
		if t, ok := secret.ParseToken(f.Session); ok {
			n, err := a.sessions.DeleteSessions(context.WithoutCancel(ctx), acct.ID, t.Selector())
			if err != nil {
				return fmt.Errorf("auth: first password: the password is set, but the account's other sessions could not be ended: %w", err)
			}
			if n > 0 {
				a.sessionsRevoked(ctx, acct.ID, n, "others", "", f.Request)
			}
		}
		return nil
	}
	a.notice(ctx, acct, notify.PasswordSet, f.Request, notify.Data{})
	return nil
}

package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// EmailChange is a request by a logged-in owner to change the account's
// email address.
type EmailChange struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Password is the owner's current password.
	Password string
	// NewEmail is the new address as typed.
	NewEmail string
	Request
}

// RequestEmailChange starts changing the account's email address, after
// checking the current password (a wrong one counts toward the lock). The
// new address gets a link to the realm's Links.ConfirmEmail, and the old one is
// told which address will replace it; nothing changes until the link is
// followed (ConfirmEmailChange). A new request voids the previous one.
//
// The answer is the same, in the same time, whether or not the new address
// belongs to another account of the realm: after the password and the
// rates (the realm's EmailChange.PerAccount and PerAddress) it returns, and the
// messages go out in the background. When the address is taken, its owner
// is told instead, and the change can never complete.
//
// Its errors: ErrInvalidCredentials, ErrInvalidEmail, a
// *lockout.ThrottledError, ErrNotConfigured (no Sender or no
// Links.ConfirmEmail).
func (v *Accounts) RequestEmailChange(ctx context.Context, c EmailChange) (err error) {
	if v.unset() {
		return errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Accounts.RequestEmailChange")
	defer sp.end(&err)
	a := v.a
	if a.sender == nil || a.tokens == nil {
		return ErrNotConfigured
	}
	email, err := CanonicalEmail(c.NewEmail)
	if err != nil {
		return err
	}
	acct, err := a.checkOwner(ctx, actionEmailChange, c.AccountID, c.Password, c.Request)
	if err != nil {
		return err
	}
	realm := a.realmOf(acct.Realm)
	if realm.Links.ConfirmEmail == "" {
		return ErrNotConfigured
	}
	if email == acct.Email {
		return nil
	}
	s := lockout.Subject{Realm: acct.Realm, Username: acct.Username, Addr: c.ClientAddr}
	if err := realm.guard.Throttle(ctx, "email_change", s, realm.EmailChange.PerAccount, realm.EmailChange.PerAddress); err != nil {
		return err
	}
	a.later(ctx, "email change", func(ctx context.Context) { a.sendEmailChange(ctx, realm, acct, email, c.Request) })
	return nil
}

// sendEmailChange is the background half of RequestEmailChange.
func (a *Authenticator) sendEmailChange(ctx context.Context, realm *realmConfig, acct store.Account, email string, req Request) {
	ev := a.event(EventEmailChangeRequested, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	if _, err := a.store.AccountByEmail(ctx, acct.Realm, email); err == nil {
		a.record(ctx, withReason(ev, ReasonTaken))
		if a.mayNotice(ctx, realm, email) {
			a.sendAccountExists(ctx, realm, email, req.Locale)
		}
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		a.record(ctx, withReason(ev, ReasonError))
		return
	}
	// Whoever holds accounts can ask each to move to a stranger's
	// address: what goes to one address is limited, whoever asks.
	if !a.mayMailTo(ctx, "email_change_to", realm, email, realm.EmailChange.PerRecipient) {
		a.record(ctx, withReason(ev, ReasonThrottled))
		return
	}
	t := mailedToken{tokens: realm.emailChanges, purpose: purposeEmailChange, page: realm.Links.ConfirmEmail,
		link: notify.EmailChangeConfirm, cooldown: realm.EmailChange.Cooldown, data: map[string]string{dataEmail: email, "from": acct.Email}}
	err := a.mailToken(ctx, t, acct, email, req, a.messageData(acct))
	if errors.Is(err, store.ErrCooldown) {
		a.record(ctx, withReason(ev, ReasonCooldown))
		return
	}
	if err != nil {
		ev = withReason(ev, ReasonError)
		ev.Details["error"] = err.Error()
		a.record(ctx, ev)
		return
	}
	a.record(ctx, ev)
	if acct.Email != "" {
		n := a.messageData(acct)
		n.NewAddress, n.Time = email, a.now()
		if err := a.send(ctx, acct.Realm, notify.Email, acct.Email, notify.EmailChangeNotice, req.Locale, n); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling the old address", "account", acct.ID, "error", err)
		}
	}
}

// EmailChangeConfirmation completes an email change.
type EmailChangeConfirmation struct {
	// Realm is the realm of the account; it may be empty: the token names
	// its realm.
	Realm string
	// Token is the token of the link sent to the new address.
	Token string
	Request
}

// EmailChanged is the account with its new address.
type EmailChanged struct {
	Account store.Account
}

// ConfirmEmailChange completes an email change with the token of the link
// sent to the new address, and returns the account with its new address.
// The change holds only if the address and the password are still what
// they were when it was asked for.
//
// Its errors: ErrInvalidToken; ErrAccountExists when the address was taken
// meanwhile; a *lockout.ThrottledError past the client address's tries.
func (v *Accounts) ConfirmEmailChange(ctx context.Context, c EmailChangeConfirmation) (_ EmailChanged, err error) {
	if v.unset() {
		return EmailChanged{}, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Accounts.ConfirmEmailChange")
	defer sp.end(&err)
	a := v.a
	budget := a.defaults
	if c.Realm != "" {
		r, err := a.realm(c.Realm)
		if err != nil {
			return EmailChanged{}, err
		}
		budget = r
	}
	if budget.emailChanges == nil {
		return EmailChanged{}, ErrNotConfigured
	}
	red, acct, err := a.redeem(ctx, budget, budget.emailChanges, redemption{realm: c.Realm, purpose: purposeEmailChange, token: c.Token, req: c.Request})
	if err != nil {
		return EmailChanged{}, err
	}
	to, from := red.Data[dataEmail], red.Data["from"]
	if to == "" || acct.Email != from {
		return EmailChanged{}, ErrInvalidToken
	}
	if err := budget.emailChanges.Consume(ctx, red); err != nil {
		return EmailChanged{}, err
	}
	now := a.now().UTC()
	switch err := a.store.SetEmail(ctx, acct.ID, from, to, now); {
	case errors.Is(err, store.ErrConflict):
		return EmailChanged{}, ErrAccountExists
	case errors.Is(err, store.ErrStale):
		return EmailChanged{}, ErrInvalidToken
	case err != nil:
		return EmailChanged{}, fmt.Errorf("auth: email change: %w", err)
	}
	acct.Email, acct.UpdatedAt = to, now
	// What was sent to the old address (a reset link, a login code) must
	// not outlive it.
	if err := a.tokens.VoidTokens(context.WithoutCancel(ctx), acct.ID, purposeReset, purposeEmail, purposeEmailChange); err != nil {
		a.log.ErrorContext(ctx, "masuk: voiding the old address's tokens", "account", acct.ID, "error", err)
	}
	ev := a.event(EventEmailChanged, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	return EmailChanged{Account: acct}, nil
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

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
// new address gets a link to Config.Links.ConfirmEmail, and the old one is
// told which address will replace it; nothing changes until the link is
// followed (ConfirmEmailChange). A new request voids the previous one.
//
// The answer is the same, in the same time, whether or not the new address
// belongs to another account of the realm: after the password and the
// rate (ResetConfig's, per account and address) it returns, and the
// messages go out in the background. When the address is taken, its owner
// is told instead, and the change can never complete.
//
// Its errors: ErrInvalidCredentials, ErrInvalidEmail, a
// *lockout.ThrottledError, ErrNotConfigured (no Sender or no
// Links.ConfirmEmail).
func (a *Authenticator) RequestEmailChange(ctx context.Context, c EmailChange) error {
	if a.sender == nil || a.resets == nil || a.links.ConfirmEmail == "" {
		return ErrNotConfigured
	}
	email, err := CanonicalEmail(c.NewEmail)
	if err != nil {
		return err
	}
	acct, err := a.checkOwner(ctx, c.AccountID, c.Password, c.Request)
	if err != nil {
		return err
	}
	if email == acct.Email {
		return nil
	}
	s := lockout.Subject{Realm: acct.Realm, Username: acct.Username, Addr: c.ClientAddr}
	if err := a.guard.Throttle(ctx, "email_change", s, a.reset.PerIdentifier, a.reset.PerAddress); err != nil {
		return err
	}
	a.later(ctx, "email change", func(ctx context.Context) { a.sendEmailChange(ctx, acct, email, c.Request) })
	return nil
}

// emailChangePerRecipient is how many email-change confirmations one
// address receives, from every account that asks to move to it.
var emailChangePerRecipient = lockout.Rate{Requests: 3, Window: 24 * time.Hour}

// sendEmailChange is the background half of RequestEmailChange.
func (a *Authenticator) sendEmailChange(ctx context.Context, acct store.Account, email string, req Request) {
	ev := a.event(EventEmailChangeRequested, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	if _, err := a.store.AccountByEmail(ctx, acct.Realm, email); err == nil {
		a.record(ctx, withReason(ev, "taken"))
		if a.mayNotice(ctx, acct.Realm, email) {
			a.sendAccountExists(ctx, acct.Realm, email, req.Locale)
		}
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		a.record(ctx, withReason(ev, ReasonError))
		return
	}
	// Whoever holds accounts can ask each to move to a stranger's
	// address: what goes to one address is limited, whoever asks.
	if !a.mayMailTo(ctx, "email_change_to", acct.Realm, email, emailChangePerRecipient) {
		a.record(ctx, withReason(ev, ReasonThrottled))
		return
	}
	t := mailedToken{tokens: a.resets, purpose: purposeEmailChange, page: a.links.ConfirmEmail,
		link: notify.EmailChangeConfirm, cooldown: a.reset.Cooldown, data: map[string]string{dataEmail: email, "from": acct.Email}}
	err := a.mailToken(ctx, t, acct, email, req, a.messageData(acct))
	if errors.Is(err, store.ErrCooldown) {
		a.record(ctx, withReason(ev, "cooldown"))
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
		if err := a.send(ctx, notify.Email, acct.Email, notify.EmailChangeNotice, req.Locale, n); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling the old address", "account", acct.ID, "error", err)
		}
	}
}

// ConfirmEmailChange completes an email change with the token of the link
// sent to the new address, and returns the account with its new address.
// The change holds only if the address and the password are still what
// they were when it was asked for.
//
// The realm may be empty: the token names its realm.
//
// Its errors: ErrInvalidToken; ErrAccountExists when the address was taken
// meanwhile.
func (a *Authenticator) ConfirmEmailChange(ctx context.Context, realm, token string, req Request) (store.Account, error) {
	if realm != "" {
		if _, err := a.realm(realm); err != nil {
			return store.Account{}, err
		}
	}
	if a.resets == nil {
		return store.Account{}, ErrNotConfigured
	}
	red, acct, err := a.redeem(ctx, a.resets, redemption{realm: realm, purpose: purposeEmailChange, token: token, req: req})
	if err != nil {
		return store.Account{}, err
	}
	to, from := red.Data[dataEmail], red.Data["from"]
	if to == "" || acct.Email != from {
		return store.Account{}, ErrInvalidToken
	}
	if err := a.resets.Consume(ctx, red); err != nil {
		return store.Account{}, err
	}
	now := a.now().UTC()
	switch err := a.store.SetEmail(ctx, acct.ID, from, to, now); {
	case errors.Is(err, store.ErrConflict):
		return store.Account{}, ErrAccountExists
	case errors.Is(err, store.ErrStale):
		return store.Account{}, ErrInvalidToken
	case err != nil:
		return store.Account{}, fmt.Errorf("auth: email change: %w", err)
	}
	acct.Email, acct.UpdatedAt = to, now
	// What was sent to the old address (a reset link, a login code) must
	// not outlive it.
	if err := a.tokens.VoidTokens(context.WithoutCancel(ctx), acct.ID, purposeReset, purposeEmail, purposeEmailChange); err != nil {
		a.log.ErrorContext(ctx, "masuk: voiding the old address's tokens", "account", acct.ID, "error", err)
	}
	ev := a.event(EventEmailChanged, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	return acct, nil
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/reset"
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
// When the new address belongs to another account of the realm, the answer
// is the same, and that address's owner is told instead; the change can
// never complete.
//
// Its errors: ErrInvalidCredentials, ErrInvalidEmail, ErrNotConfigured
// (no Sender or no Links.ConfirmEmail), a *store.CooldownError when asked
// again within ResetConfig.Cooldown.
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
	ev := a.event(EventEmailChangeRequested, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	if _, err := a.store.AccountByEmail(ctx, acct.Realm, email); err == nil {
		a.record(ctx, withReason(ev, "taken"))
		d := notify.Data{PortalName: a.portalName(acct.Realm), Support: a.messages.Support, Link: a.links.Forgot}
		a.bg.run(ctx, func(ctx context.Context) {
			if err := a.send(ctx, notify.Email, email, notify.AccountExists, c.Locale, d); err != nil {
				a.log.ErrorContext(ctx, "masuk: telling the owner of a taken address", "error", err)
			}
		})
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("auth: email change: %w", err)
	}
	issued, err := a.resets.IssueLink(ctx, reset.Issue{
		AccountID: acct.ID,
		Purpose:   purposeEmailChange,
		Data:      map[string]string{dataRealm: acct.Realm, dataStamp: acct.SecurityStamp, dataEmail: email, "from": acct.Email},
		Cooldown:  a.reset.Cooldown,
	})
	if err != nil {
		if errors.Is(err, store.ErrCooldown) {
			return err
		}
		return fmt.Errorf("auth: email change: %w", err)
	}
	d := a.messageData(acct)
	if d.Link, err = link(a.links.ConfirmEmail, issued.Token); err != nil {
		return err
	}
	d.ExpiresIn = issued.ExpiresAt.Sub(a.now()).Round(time.Minute)
	if err := a.send(ctx, notify.Email, email, notify.EmailChangeConfirm, c.Locale, d); err != nil {
		return err
	}
	a.record(ctx, ev)
	if acct.Email != "" {
		n := a.messageData(acct)
		n.NewAddress, n.Time = email, a.now()
		if err := a.send(context.WithoutCancel(ctx), notify.Email, acct.Email, notify.EmailChangeNotice, c.Locale, n); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling the old address", "account", acct.ID, "error", err)
		}
	}
	return nil
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
	red, acct, err := a.redeem(ctx, a.resets, realm, purposeEmailChange, token, "", "")
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
	ev := a.event(EventEmailChanged, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	return acct, nil
}

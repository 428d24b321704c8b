package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// Errors of registration and its approval.
var (
	// ErrEmailRequired: the realm confirms new accounts by email, and the
	// registration has no address.
	ErrEmailRequired = errors.New("auth: email address required")
	// ErrWrongState: an operator's decision named an account that is not
	// in the state the decision applies to (say, approving one that is
	// already active).
	ErrWrongState = errors.New("auth: account is not in a state this action applies to")
	// ErrReasonRequired: rejecting a registration needs a reason, which
	// the applicant is told.
	ErrReasonRequired = errors.New("auth: a reason is required")
)

// Activation is how a realm's new accounts confirm their email address.
type Activation uint8

// The activations.
const (
	// ActivationNone: new accounts need no confirmation.
	ActivationNone Activation = iota
	// ActivationLink: a link is sent to the address (Config.Links.Activate).
	ActivationLink
	// ActivationCode: a code is sent to the address, typed with the
	// username.
	ActivationCode
)

// activation is the state a new account of realm r starts in, and the state
// confirming its address leads to.
func (r Realm) activation() (start, confirmed store.AccountState) {
	confirmed = store.StateActive
	if r.Approval {
		confirmed = store.StatePendingApproval
	}
	if r.Activation == ActivationNone {
		return confirmed, confirmed
	}
	return store.StatePendingConfirmation, confirmed
}

// registered sends the activation message of a new account, in the
// background.
func (a *Authenticator) registered(ctx context.Context, realm Realm, acct store.Account, req Request) {
	if realm.Activation == ActivationNone {
		return
	}
	a.later(ctx, "activation message", func(ctx context.Context) {
		if err := a.sendActivation(ctx, realm, acct, req, 0); err != nil {
			a.log.ErrorContext(ctx, "masuk: sending an activation message", "account", acct.ID, "error", err)
		}
	})
}

// registeredAgain tells the owner of a taken email address, or the
// applicant when the username was taken, that the account exists, in the
// background, so that the registration answers as for a new account.
func (a *Authenticator) registeredAgain(ctx context.Context, r Registration, email string) {
	ev := a.event(EventRegisteredAgain, r.Realm, r.Request)
	a.later(ctx, "account-exists notice", func(ctx context.Context) {
		to := email
		if owner, err := a.store.AccountByEmail(ctx, r.Realm, email); err == nil {
			ev.AccountID, ev.Username = owner.ID, owner.Username
		}
		a.record(ctx, ev)
		d := notify.Data{PortalName: a.portalName(r.Realm), Support: a.messages.Support, Link: a.links.Forgot}
		if err := a.send(ctx, notify.Email, to, notify.AccountExists, r.Locale, d); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling an owner of a second registration", "error", err)
		}
	})
}

// sendActivation issues and sends an activation link or code.
func (a *Authenticator) sendActivation(ctx context.Context, realm Realm, acct store.Account, req Request, cooldown time.Duration) error {
	t := mailedToken{tokens: a.activations, purpose: purposeActivate, byCode: realm.Activation == ActivationCode, page: a.links.Activate,
		link: notify.ActivationLink, code: notify.ActivationCode, cooldown: cooldown}
	return a.mailToken(ctx, t, acct, acct.Email, req, a.messageData(acct))
}

// Confirmation confirms a new account's email address.
type Confirmation struct {
	// Realm is the realm of the account. With a link's Token it may be
	// empty: the token names its realm.
	Realm string
	// Token is the token of the activation link (ActivationLink).
	Token string
	// Identifier and Code, for ActivationCode: the username or email as
	// typed, and the code from the email.
	Identifier, Code string
	Request
}

// ConfirmAccount confirms a new account's email address with the
// activation link's token or code. The account becomes active or, in a
// realm with Approval, waits for an operator; the returned account says
// which. It logs no one in.
//
// Its errors: ErrInvalidToken for every link or code that does not confirm
// a pending account.
func (a *Authenticator) ConfirmAccount(ctx context.Context, c Confirmation) (store.Account, error) {
	if c.Token == "" || c.Realm != "" {
		if _, err := a.realm(c.Realm); err != nil {
			return store.Account{}, err
		}
	}
	if a.activations == nil {
		return store.Account{}, ErrNotConfigured
	}
	red, acct, err := a.redeem(ctx, a.activations, c.Realm, purposeActivate, c.Token, c.Identifier, c.Code)
	if err != nil {
		return store.Account{}, err
	}
	realm, err := a.realm(acct.Realm)
	if err != nil {
		return store.Account{}, err
	}
	_, next := realm.activation()
	if acct.State != store.StatePendingConfirmation {
		return store.Account{}, ErrInvalidToken
	}
	if err := a.activations.Consume(ctx, red); err != nil {
		return store.Account{}, err
	}
	now := a.now().UTC()
	switch err := a.store.SetAccountState(ctx, acct.ID, store.StatePendingConfirmation, next, now); {
	case errors.Is(err, store.ErrStale):
		return store.Account{}, ErrInvalidToken
	case err != nil:
		return store.Account{}, fmt.Errorf("auth: confirm: %w", err)
	}
	acct.State, acct.UpdatedAt = next, now
	ev := a.event(EventConfirmed, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"state": string(next)}
	a.record(ctx, ev)
	return acct, nil
}

// ResendActivation sends a new activation link or code to an account that
// has not confirmed its address yet; the earlier one stops working. It
// answers like RequestReset: the same whether or not such an account
// exists, with the message sent in the background at most once a
// ResetConfig.Cooldown, and a *lockout.ThrottledError when requests come
// too often.
func (a *Authenticator) ResendActivation(ctx context.Context, r ResetRequest) error {
	realm, err := a.realm(r.Realm)
	if err != nil {
		return err
	}
	if realm.Activation == ActivationNone || a.sender == nil || a.activations == nil {
		return ErrNotConfigured
	}
	id, byEmail, err := a.throttle(ctx, "activate", realm, r)
	if err != nil {
		return err
	}
	a.later(ctx, "activation message (resend)", func(ctx context.Context) {
		acct, err := a.lookup(ctx, r.Realm, id, byEmail)
		if err != nil || acct.State != store.StatePendingConfirmation || acct.Email == "" {
			return
		}
		if err := a.sendActivation(ctx, realm, acct, r.Request, a.reset.Cooldown); err != nil && !errors.Is(err, store.ErrCooldown) {
			a.log.ErrorContext(ctx, "masuk: resending an activation message", "account", acct.ID, "error", err)
		}
	})
	return nil
}

// Decision is an operator's decision on a registration.
type Decision struct {
	// AccountID is the account decided on.
	AccountID string
	// Operator identifies who decided, for the log. Required.
	Operator string
	// Reason says why. Required to reject: the applicant is told it.
	Reason string
	Request
}

// Approve lets an account that waits for approval log in, records who
// approved it, and tells the applicant.
//
// Its errors: ErrWrongState when the account is not waiting for approval,
// a wrapped store.ErrNotFound for an unknown account.
func (a *Authenticator) Approve(ctx context.Context, d Decision) (store.Account, error) {
	return a.decide(ctx, d, store.StateActive, EventApproved, notify.RegistrationApproved)
}

// Reject refuses a registration that waits for approval (or for its email
// confirmation): the account is disabled, who rejected it and why are
// recorded, and the applicant is told the reason.
//
// Its errors: ErrReasonRequired, ErrWrongState, a wrapped store.ErrNotFound.
func (a *Authenticator) Reject(ctx context.Context, d Decision) (store.Account, error) {
	if d.Reason == "" {
		return store.Account{}, ErrReasonRequired
	}
	return a.decide(ctx, d, store.StateDisabled, EventRejected, notify.RegistrationRejected)
}

func (a *Authenticator) decide(ctx context.Context, d Decision, to store.AccountState, kind string, p notify.Purpose) (store.Account, error) {
	if d.Operator == "" {
		return store.Account{}, errors.New("auth: the operator is required")
	}
	acct, err := a.store.AccountByID(ctx, d.AccountID)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	from := acct.State
	if from != store.StatePendingApproval && (to != store.StateDisabled || from != store.StatePendingConfirmation) {
		return store.Account{}, ErrWrongState
	}
	now := a.now().UTC()
	switch err := a.store.SetAccountState(ctx, acct.ID, from, to, now); {
	case errors.Is(err, store.ErrStale):
		return store.Account{}, ErrWrongState
	case err != nil:
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	acct.State, acct.UpdatedAt = to, now
	ev := a.event(kind, acct.Realm, d.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"by": d.Operator, "reason": d.Reason}
	a.record(ctx, ev)
	if acct.Email != "" && a.sender != nil {
		md := a.messageData(acct)
		md.Reason, md.Link = d.Reason, a.links.Login
		if err := a.send(context.WithoutCancel(ctx), notify.Email, acct.Email, p, d.Locale, md); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling an applicant", "account", acct.ID, "error", err)
		}
	}
	return acct, nil
}

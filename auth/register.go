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

// Errors of registration and its approval.
var (
	// ErrEmailRequired: the realm confirms new accounts by email, and the
	// registration has no address.
	ErrEmailRequired = errors.New("auth: email address required")
)

// activation is the state a new account of realm r starts in, and the state
// confirming its address leads to.
func (r Realm) activation() (start, confirmed store.AccountState) {
	confirmed = store.StateActive
	if r.Registration.Approval {
		confirmed = store.StatePendingApproval
	}
	if r.Activation.Mode == ActivationNone {
		return confirmed, confirmed
	}
	return store.StatePendingConfirmation, confirmed
}

// registered sends the activation message of a new account, bound to the
// registration's flow, in the background.
func (a *Authenticator) registered(ctx context.Context, realm *realmConfig, acct store.Account, req Request, flow string) {
	if realm.Activation.Mode == ActivationNone {
		return
	}
	a.later(ctx, "activation message", func(ctx context.Context) {
		if err := a.sendActivation(ctx, realm, acct, req, 0, flow); err != nil {
			a.log.ErrorContext(ctx, "masuk: sending an activation message", "account", acct.ID, "error", err)
		}
	})
}

// registeredAgain tells the owner of a taken email address, or the
// applicant when the username was taken, that the account exists, in the
// background, so that the registration answers as for a new account.
func (a *Authenticator) registeredAgain(ctx context.Context, realm *realmConfig, r Registration, email string) {
	ev := a.event(EventRegisteredAgain, r.Realm, r.Request)
	a.later(ctx, "account-exists notice", func(ctx context.Context) {
		if owner, err := a.store.AccountByEmail(ctx, r.Realm, email); err == nil {
			ev.AccountID, ev.Username = owner.ID, owner.Username
		}
		if !a.mayNotice(ctx, realm, email) {
			a.record(ctx, withReason(ev, ReasonNoticeDropped))
			return
		}
		a.record(ctx, ev)
		a.sendAccountExists(ctx, realm, email, r.Locale)
	})
}

// mayNotice counts an "account exists" notice to the address to and
// reports whether it may go: one per Registration.NoticeEvery, so that
// nobody can fill a stranger's mailbox by registering with the address.
func (a *Authenticator) mayNotice(ctx context.Context, realm *realmConfig, to string) bool {
	return a.mayMailTo(ctx, "exists_notice", realm, to, lockout.Rate{Requests: 1, Window: realm.Registration.NoticeEvery})
}

// mayMailTo counts a message of a kind to the address to, whoever asked
// for it, and reports whether it may go within rate. It counts in the
// budget realm: when any realm name goes, a fresh name must not buy the
// address a fresh budget.
func (a *Authenticator) mayMailTo(ctx context.Context, action string, realm *realmConfig, to string, rate lockout.Rate) bool {
	s := lockout.Subject{Realm: a.budgetRealm(realm.name), Username: to}
	err := realm.guard.Throttle(ctx, action, s, rate, lockout.Rate{})
	if err != nil && !errors.Is(err, lockout.ErrThrottled) {
		a.log.ErrorContext(ctx, "masuk: counting a notice", "error", err)
	}
	return err == nil
}

// sendAccountExists tells the owner of the address to that someone tried
// to use it for another account.
func (a *Authenticator) sendAccountExists(ctx context.Context, realm *realmConfig, to, locale string) {
	d := notify.Data{PortalName: realm.Messages.PortalName, Support: realm.Messages.Support, Link: realm.Links.Forgot}
	if err := a.send(ctx, realm.name, notify.Email, to, notify.AccountExists, locale, d); err != nil {
		a.log.ErrorContext(ctx, "masuk: telling the owner of an address it is taken", "error", err)
	}
}

// sendActivation issues and sends an activation link or code, bound to
// the flow that asked for it.
func (a *Authenticator) sendActivation(ctx context.Context, realm *realmConfig, acct store.Account, req Request, cooldown time.Duration, flow string) error {
	t := mailedToken{tokens: realm.activations, purpose: purposeActivate, byCode: realm.Activation.Mode == ActivationCode, page: realm.Links.Activate,
		link: notify.ActivationLink, code: notify.ActivationCode, cooldown: cooldown, binding: flowBinding(flow)}
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
	// Flow is the flow of the registration or resend that sent the code
	// (Registered.Flow, ActivationStarted.Flow): a code redeems only with
	// its own.
	Flow string
	Request
}

// Confirmed is what Confirm answers.
type Confirmed struct {
	// Account is the account as it now is: active, or, in a realm with
	// Registration.Approval, waiting for an operator.
	Account store.Account
}

// Confirm confirms a new account's email address with the activation
// link's token or code. The account becomes active or, in a realm with
// Registration.Approval, waits for an operator; the result says which. It
// logs no one in.
//
// Its errors: ErrInvalidToken for every link or code that does not confirm
// a pending account (a code redeems only with the flow of the request that
// sent it); a *lockout.ThrottledError past the client address's tries.
func (s *Accounts) Confirm(ctx context.Context, c Confirmation) (_ Confirmed, err error) {
	if s.unset() {
		return Confirmed{}, errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.Confirm")
	defer sp.end(&err)
	a := s.a
	var realm *realmConfig
	if c.Token == "" || c.Realm != "" {
		r, err := a.realm(c.Realm)
		if err != nil {
			return Confirmed{}, err
		}
		realm = r
	}
	budget := a.defaults
	if realm != nil {
		budget = realm
	}
	if budget.activations == nil {
		return Confirmed{}, ErrNotConfigured
	}
	red, acct, err := a.redeem(ctx, budget, budget.activations, redemption{realm: c.Realm, purpose: purposeActivate, token: c.Token, identifier: c.Identifier, code: c.Code, flow: c.Flow, req: c.Request})
	if err != nil {
		return Confirmed{}, err
	}
	realm = a.realmOf(acct.Realm)
	_, next := realm.activation()
	if acct.State != store.StatePendingConfirmation || a.expired(acct) {
		return Confirmed{}, ErrInvalidToken
	}
	if err := realm.activations.Consume(ctx, red); err != nil {
		return Confirmed{}, err
	}
	now := a.now().UTC()
	switch err := a.store.SetAccountState(ctx, acct.ID, store.StatePendingConfirmation, next, now); {
	case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
		// Expired and deleted meanwhile, or confirmed by another request.
		return Confirmed{}, ErrInvalidToken
	case err != nil:
		return Confirmed{}, fmt.Errorf("auth: confirm: %w", err)
	}
	acct.State, acct.UpdatedAt = next, now
	ev := a.event(EventConfirmed, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"state": string(next)}
	a.record(ctx, ev)
	return Confirmed{Account: acct}, nil
}

// ActivationRequest asks for a new activation link or code.
type ActivationRequest struct {
	// Realm is the realm of the account.
	Realm string
	// Identifier is the username or the email address as typed.
	Identifier string
	Request
}

// ActivationStarted is ResendActivation's answer: the same whether or not
// the identifier names an account waiting for its confirmation.
type ActivationStarted struct {
	// Flow binds the code on its way to this request: pass it back in
	// Confirmation.Flow with the code.
	Flow string `json:"flow"`
}

// ResendActivation sends a new activation link or code to an account that
// has not confirmed its address yet, bound to the flow it returns; the
// codes of other flows keep working. It answers like RequestReset: the
// same whether or not such an account exists, with the message sent in
// the background at most once an Activation.Cooldown per flow and within
// the account's limits (Activation.PerAccount and PerAccountAddress,
// silently), and a *lockout.ThrottledError when the client address asks
// too often. An account unconfirmed for longer than
// Registration.UnconfirmedFor gets nothing: it has expired.
func (s *Accounts) ResendActivation(ctx context.Context, r ActivationRequest) (_ ActivationStarted, err error) {
	if s.unset() {
		return ActivationStarted{}, errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.ResendActivation")
	defer sp.end(&err)
	a := s.a
	realm, err := a.realm(r.Realm)
	if err != nil {
		return ActivationStarted{}, err
	}
	if realm.Activation.Mode == ActivationNone || a.sender == nil || realm.activations == nil {
		return ActivationStarted{}, ErrNotConfigured
	}
	id, byEmail, err := a.mailRequest(ctx, "activate", realm.Activation.PerAddress, realm, r.Identifier, r.ClientAddr)
	if err != nil {
		return ActivationStarted{}, err
	}
	flow, err := a.randomHex(16)
	if err != nil {
		return ActivationStarted{}, err
	}
	a.later(ctx, "activation message (resend)", func(ctx context.Context) {
		acct, err := a.lookup(ctx, r.Realm, id, byEmail)
		if err != nil || acct.State != store.StatePendingConfirmation || acct.Email == "" || a.expired(acct) {
			return
		}
		b := mailBudget{action: "activate_mail", perAddr: realm.Activation.PerAccountAddress, perTotal: realm.Activation.PerAccount}
		if !a.mayMail(ctx, realm, b, acct, r.ClientAddr) {
			return
		}
		if err := a.sendActivation(ctx, realm, acct, r.Request, realm.Activation.Cooldown, flow); err != nil && !errors.Is(err, store.ErrCooldown) {
			a.log.ErrorContext(ctx, "masuk: resending an activation message", "account", acct.ID, "error", err)
		}
	})
	return ActivationStarted{Flow: flow}, nil
}

// expired reports whether acct has waited for its email confirmation
// longer than its realm's Registration.UnconfirmedFor.
func (a *Authenticator) expired(acct store.Account) bool {
	return acct.State == store.StatePendingConfirmation && acct.UpdatedAt.Before(a.now().Add(-a.realmOf(acct.Realm).Registration.UnconfirmedFor))
}

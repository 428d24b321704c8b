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

// RegistrationConfig bounds registrations, which anyone may send and each
// of which hashes a password. Every limit is checked before any hash. Its
// zero value is the recommended one.
type RegistrationConfig struct {
	// PerAddress limits registrations from one client address (an IPv6
	// /64) in a realm. Zero means 20 an hour.
	PerAddress lockout.Rate
	// PerUsername and PerEmail limit registrations naming one username or
	// one email address in a realm, taken or not. Zero means 5 an hour
	// each.
	PerUsername, PerEmail lockout.Rate
	// NoticeEvery is how often the owner of an address may be told that
	// someone registered with it (or asked to move another account to
	// it): one notice per address per NoticeEvery, the rest are dropped.
	// Zero means 24 hours.
	NoticeEvery time.Duration
	// UnconfirmedFor is how long a new account waits for its email
	// confirmation. Past it, the account no longer holds its username and
	// email: a registration that names either deletes it and takes its
	// place, and it can no longer be confirmed or sent a new activation.
	// Zero means 7 days; at least the activation's lifetime.
	UnconfirmedFor time.Duration
}

func (c *RegistrationConfig) fill() error {
	for _, r := range []struct {
		rate *lockout.Rate
		def  lockout.Rate
	}{
		{&c.PerAddress, lockout.Rate{Requests: 20, Window: time.Hour}},
		{&c.PerUsername, lockout.Rate{Requests: 5, Window: time.Hour}},
		{&c.PerEmail, lockout.Rate{Requests: 5, Window: time.Hour}},
	} {
		if *r.rate == (lockout.Rate{}) {
			*r.rate = r.def
		}
		if r.rate.Requests < 1 || r.rate.Requests > 100 || r.rate.Window <= 0 {
			return fmt.Errorf("%w: Config.Registration: a rate must allow 1 to 100 requests in a positive window", ErrConfig)
		}
	}
	if c.NoticeEvery == 0 {
		c.NoticeEvery = 24 * time.Hour
	}
	if c.UnconfirmedFor == 0 {
		c.UnconfirmedFor = 7 * 24 * time.Hour
	}
	switch {
	case c.NoticeEvery < 0:
		return fmt.Errorf("%w: Config.Registration.NoticeEvery is negative", ErrConfig)
	case c.UnconfirmedFor < 24*time.Hour:
		return fmt.Errorf("%w: Config.Registration.UnconfirmedFor is below 24 hours, the activation's longest lifetime", ErrConfig)
	}
	return nil
}

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

// registered sends the activation message of a new account, bound to the
// registration's flow, in the background.
func (a *Authenticator) registered(ctx context.Context, realm Realm, acct store.Account, req Request, flow string) {
	if realm.Activation == ActivationNone {
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
func (a *Authenticator) registeredAgain(ctx context.Context, r Registration, email string) {
	ev := a.event(EventRegisteredAgain, r.Realm, r.Request)
	a.later(ctx, "account-exists notice", func(ctx context.Context) {
		if owner, err := a.store.AccountByEmail(ctx, r.Realm, email); err == nil {
			ev.AccountID, ev.Username = owner.ID, owner.Username
		}
		if !a.mayNotice(ctx, r.Realm, email) {
			a.record(ctx, withReason(ev, ReasonNoticeDropped))
			return
		}
		a.record(ctx, ev)
		a.sendAccountExists(ctx, r.Realm, email, r.Locale)
	})
}

// mayNotice counts an "account exists" notice to the address to and
// reports whether it may go: one per Registration.NoticeEvery, so that
// nobody can fill a stranger's mailbox by registering with the address.
func (a *Authenticator) mayNotice(ctx context.Context, realm, to string) bool {
	return a.mayMailTo(ctx, "exists_notice", realm, to, lockout.Rate{Requests: 1, Window: a.register.NoticeEvery})
}

// mayMailTo counts a message of a kind to the address to, whoever asked
// for it, and reports whether it may go within rate.
func (a *Authenticator) mayMailTo(ctx context.Context, action, realm, to string, rate lockout.Rate) bool {
	s := lockout.Subject{Realm: realm, Username: to}
	err := a.guard.Throttle(ctx, action, s, rate, lockout.Rate{})
	if err != nil && !errors.Is(err, lockout.ErrThrottled) {
		a.log.ErrorContext(ctx, "masuk: counting a notice", "error", err)
	}
	return err == nil
}

// sendAccountExists tells the owner of the address to that someone tried
// to use it for another account.
func (a *Authenticator) sendAccountExists(ctx context.Context, realm, to, locale string) {
	d := notify.Data{PortalName: a.portalName(realm), Support: a.messages.Support, Link: a.links.Forgot}
	if err := a.send(ctx, notify.Email, to, notify.AccountExists, locale, d); err != nil {
		a.log.ErrorContext(ctx, "masuk: telling the owner of an address it is taken", "error", err)
	}
}

// sendActivation issues and sends an activation link or code, bound to
// the flow that asked for it.
func (a *Authenticator) sendActivation(ctx context.Context, realm Realm, acct store.Account, req Request, cooldown time.Duration, flow string) error {
	t := mailedToken{tokens: a.activations, purpose: purposeActivate, byCode: realm.Activation == ActivationCode, page: a.links.Activate,
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
	red, acct, err := a.redeem(ctx, a.activations, redemption{realm: c.Realm, purpose: purposeActivate, token: c.Token, identifier: c.Identifier, code: c.Code, flow: c.Flow, req: c.Request})
	if err != nil {
		return store.Account{}, err
	}
	realm, err := a.realm(acct.Realm)
	if err != nil {
		return store.Account{}, err
	}
	_, next := realm.activation()
	if acct.State != store.StatePendingConfirmation || a.expired(acct) {
		return store.Account{}, ErrInvalidToken
	}
	if err := a.activations.Consume(ctx, red); err != nil {
		return store.Account{}, err
	}
	now := a.now().UTC()
	switch err := a.store.SetAccountState(ctx, acct.ID, store.StatePendingConfirmation, next, now); {
	case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
		// Expired and deleted meanwhile, or confirmed by another request.
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
// the background at most once a Activation.Cooldown per flow and within
// the account's limits (Activation.PerAccount and PerAccountAddress,
// silently), and a *lockout.ThrottledError when the client address asks
// too often. An account unconfirmed for longer than
// Registration.UnconfirmedFor gets nothing: it has expired.
func (a *Authenticator) ResendActivation(ctx context.Context, r ActivationRequest) (ActivationStarted, error) {
	realm, err := a.realm(r.Realm)
	if err != nil {
		return ActivationStarted{}, err
	}
	if realm.Activation == ActivationNone || a.sender == nil || a.activations == nil {
		return ActivationStarted{}, ErrNotConfigured
	}
	id, byEmail, err := a.mailRequest(ctx, "activate", realm, r.Realm, r.Identifier, r.ClientAddr)
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
		b := mailBudget{action: "activate_mail", perAddr: a.activation.PerAccountAddress, perTotal: a.activation.PerAccount}
		if !a.mayMail(ctx, b, acct, r.ClientAddr) {
			return
		}
		if err := a.sendActivation(ctx, realm, acct, r.Request, a.activation.Cooldown, flow); err != nil && !errors.Is(err, store.ErrCooldown) {
			a.log.ErrorContext(ctx, "masuk: resending an activation message", "account", acct.ID, "error", err)
		}
	})
	return ActivationStarted{Flow: flow}, nil
}

// expired reports whether acct has waited for its email confirmation
// longer than Registration.UnconfirmedFor.
func (a *Authenticator) expired(acct store.Account) bool {
	return acct.State == store.StatePendingConfirmation && acct.UpdatedAt.Before(a.now().Add(-a.register.UnconfirmedFor))
}

// Decision is an operator's decision on a registration.
type Decision struct {
	// AccountID is the account decided on.
	AccountID string
	// Operator identifies who decided, for the log. Required.
	Operator string
	// OperatorAccount is the operator's own account ID, if it has one:
	// an operator may not decide on its own registration (ErrSelfAction).
	OperatorAccount string
	// Scope lists the realms whose registrations the operator may decide
	// on (AnyRealm for all). Required: another realm's account, or an
	// empty Scope, is refused with ErrOutOfScope.
	Scope []string
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
	acct, err := a.operatorAccount(ctx, OperatorAction{AccountID: d.AccountID, Operator: d.Operator, OperatorAccount: d.OperatorAccount, Scope: d.Scope, Reason: d.Reason})
	if err != nil {
		return store.Account{}, err
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

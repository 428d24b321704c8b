package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// LoginRequest is one attempt to log in.
type LoginRequest struct {
	// Realm is the realm the account belongs to.
	Realm string
	// Username is the username as typed.
	Username string
	// Password is the password exactly as typed. It is never logged.
	Password string
	// Captcha is the captcha the form carried, if any.
	Captcha CaptchaAnswer
	// Device is the cookie of a device its owner asked to remember
	// (RememberedDevice.Token), if the request carried one: a login from
	// it skips the second factor.
	Device string
	Request
}

// LoginResult is a successful login.
type LoginResult struct {
	// Account is the account that logged in.
	Account store.Account `json:"-"`
	// Device, set when SecondStep was asked to remember the device, is
	// the cookie to set.
	Device *RememberedDevice `json:"device,omitempty"`
}

// Logins logs people in. Obtain it from [Authenticator.Logins].
type Logins struct{ a *Authenticator }

// Login checks a username and password.
//
// Before any hash runs, and before the attempt counts, it checks the
// realm's captcha policy (ErrCaptchaRequired, ErrCaptchaInvalid). Then it
// asks the realm's lockout: a locked username, address or pair is refused
// with a *lockout.LockedError (errors.Is lockout.ErrLocked) carrying when
// the lock ends, whether the password is right or wrong and whether the
// account exists. A wrong password counts toward the locks; a right one
// clears the account's count.
//
// Its errors are the outcomes a caller branches on: ErrInvalidCredentials
// for an unknown username, a wrong password or a disabled account alike (an
// unknown username costs one password hash at the same parameters as a known
// one, so timing does not tell them apart); ErrPendingConfirmation and
// ErrPendingApproval only after the password verified; a
// *SecondFactorRequired (errors.Is ErrSecondFactorRequired) carrying the
// pending login when the account has a second factor, or an
// *EnrollmentRequired when the realm requires one and the account has
// none: never a result, so that a host that forgets the second step lets
// nobody in; password.ErrBusy when too many hashes are already running,
// for a "try again" page; ErrInvalidRealm or ErrUnknownRealm for the
// realm. Any other error is a failure of the store or of ctx, wrapped: the
// login fails closed.
//
// A successful login on an outdated hash upgrades it, through a conditional
// update that a concurrent password change wins. Every attempt is recorded.
func (l *Logins) Login(ctx context.Context, req LoginRequest) (_ *LoginResult, err error) {
	if l.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := l.a.span(ctx, "masuk.Logins.Login")
	defer sp.end(&err)
	sp.realm(l.a, req.Realm)
	defer func() { l.a.tel.login(ctx, req.Realm, "password", err) }()
	a := l.a
	realm, err := a.realm(req.Realm)
	if err != nil {
		return nil, err
	}
	ev := a.event(EventLoginFailed, req.Realm, req.Request)
	username, ok, err := a.loginName(ctx, realm, req.Username)
	if err != nil {
		a.record(ctx, withReason(ev, ReasonError))
		return nil, err
	}
	if !ok {
		return nil, a.malformed(ctx, realm, ev)
	}
	ev.Username = username
	solved, err := a.checkCaptcha(ctx, realm, ev, req.Captcha)
	if err != nil {
		return nil, err
	}
	att, err := a.begin(ctx, realm, lockout.Password, ev)
	if err != nil {
		return nil, err
	}
	if err := a.enforceCaptcha(ctx, realm, ev, att, solved); err != nil {
		return nil, err
	}
	res, err := a.login(ctx, realm, ev, req)
	a.settle(ctx, att, ev, err)
	if errors.Is(err, ErrInvalidCredentials) && att.Remaining() >= 0 {
		err = &CredentialsError{Remaining: att.Remaining()}
	}
	return res, err
}

// CredentialsError is ErrInvalidCredentials (errors.Is matches it) that
// says how many more failures the username's lock allows, for a page that
// warns before the lock ("2 attempts left"). A username without an account
// counts as one with, so the number tells nothing of whether an account
// exists. It counts everyone's failures on the username, though: a first
// try that sees fewer than the lock's threshold learns that someone failed
// on that name recently, and in a realm that logs in by email, that the
// address typed and a username share one count. A page that finds this
// too much shows the warning only near the lock (Remaining of 2 or less),
// where it helps the owner most. [Classify] gives it as Outcome.Remaining.
type CredentialsError struct {
	// Remaining is how many more wrong passwords the lock allows; 0
	// means this failure locked the username.
	Remaining int
}

// Error is ErrInvalidCredentials' message: logs and tests that compare
// messages see one refusal, whatever is left.
func (e *CredentialsError) Error() string { return ErrInvalidCredentials.Error() }

// Is makes errors.Is(err, ErrInvalidCredentials) true.
func (e *CredentialsError) Is(target error) bool { return target == ErrInvalidCredentials }

// loginName returns the username that what was typed at login names, and
// false when no account can have it. In a realm that logs in by email an
// address names its account's username, or itself when no account has it,
// so that the locks of an account count both ways of typing it and an
// unknown address costs what an unknown username costs: one lookup more
// either way, and the hash of a refusal.
func (a *Authenticator) loginName(ctx context.Context, r *realmConfig, typed string) (string, bool, error) {
	if !r.Login.ByEmail || !strings.Contains(typed, "@") {
		username, err := r.username(typed, false)
		return username, err == nil, nil
	}
	email, err := CanonicalEmail(typed)
	if err != nil {
		return "", false, nil
	}
	acct, err := a.store.AccountByEmail(ctx, r.name, email)
	switch {
	case err == nil:
		return acct.Username, true, nil
	case errors.Is(err, store.ErrNotFound):
		return email, true, nil
	default:
		return "", false, fmt.Errorf("auth: login: %w", err)
	}
}

// malformed refuses a login whose username no account can have. Failing
// fast reveals nothing, and costs no hash; the attempt still counts as a
// failure of the client address, so that a flood of them locks the
// address as a flood of wrong passwords would (and its refusals stop
// costing even an event each).
func (a *Authenticator) malformed(ctx context.Context, r *realmConfig, ev store.Event) error {
	att, err := r.guard.Begin(ctx, lockout.Password, lockout.Subject{Realm: ev.Realm, Addr: ev.ClientAddr})
	if err != nil {
		// A lock of the address, or a store that fails: either way no
		// hash ran and nothing is learnt, so nothing is recorded.
		if errors.Is(err, lockout.ErrLocked) {
			return err
		}
		return fmt.Errorf("auth: %w", err)
	}
	a.record(ctx, withReason(ev, ReasonInvalidUsername))
	a.settle(ctx, att, ev, ErrInvalidCredentials)
	return ErrInvalidCredentials
}

// login checks the password of an attempt the guard let through.
func (a *Authenticator) login(ctx context.Context, r *realmConfig, ev store.Event, req LoginRequest) (*LoginResult, error) {
	pw := req.Password
	acct, err := a.store.AccountByUsername(ctx, ev.Realm, ev.Username)
	if errors.Is(err, store.ErrNotFound) {
		return nil, a.refuse(ctx, ev, pw, ReasonUnknownUser)
	}
	if err != nil {
		a.record(ctx, withReason(ev, ReasonError))
		return nil, fmt.Errorf("auth: login: %w", err)
	}
	ev.AccountID = acct.ID
	cred, err := a.store.CredentialByAccount(ctx, acct.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, a.refuse(ctx, ev, pw, ReasonNoCredential)
	}
	if err != nil {
		a.record(ctx, withReason(ev, ReasonError))
		return nil, fmt.Errorf("auth: login: %w", err)
	}

	verified, err := a.hasher.Verify(ctx, pw, cred.Hash)
	if err != nil {
		return nil, a.failed(ctx, ev, err, ReasonBadPassword)
	}
	switch acct.State {
	case store.StateActive:
	case store.StatePendingConfirmation:
		a.record(ctx, withReason(ev, ReasonPendingConfirmation))
		return nil, ErrPendingConfirmation
	case store.StatePendingApproval:
		a.record(ctx, withReason(ev, ReasonPendingApproval))
		return nil, ErrPendingApproval
	default:
		a.record(ctx, withReason(ev, ReasonDisabled))
		return nil, ErrInvalidCredentials
	}
	if verified.NeedsRehash {
		a.upgrade(ctx, ev, cred, pw)
	}
	how, err := a.secondStep(ctx, r, acct, req.Device)
	if err != nil {
		return nil, a.secondStepFailed(ctx, ev, err)
	}
	if how != "" {
		ev.Details = map[string]string{"second_factor": how}
	}
	a.loggedIn(ctx, ev, acct, req.Request)
	return &LoginResult{Account: acct}, nil
}

// refuse verifies the password against the stand-in hash, so that a login
// without an account or credential costs what a wrong password costs, and
// fails it.
func (a *Authenticator) refuse(ctx context.Context, ev store.Event, pw string, reason Reason) error {
	_, err := a.hasher.Verify(ctx, pw, a.dummy)
	if err == nil {
		// No password matches the stand-in; if the hasher says otherwise,
		// it is broken, and the login still fails.
		err = password.ErrMismatch
	}
	return a.failed(ctx, ev, err, reason)
}

// failed records a failed attempt whose verification returned err and
// returns the error for the caller: ErrInvalidCredentials for every
// mismatch, the error itself when the hasher was busy or ctx ended.
func (a *Authenticator) failed(ctx context.Context, ev store.Event, err error, reason Reason) error {
	switch {
	case errors.Is(err, password.ErrMismatch), errors.Is(err, password.ErrTooLong):
		a.record(ctx, withReason(ev, reason))
		return ErrInvalidCredentials
	case errors.Is(err, password.ErrBusy):
		a.record(ctx, withReason(ev, ReasonBusy))
		return fmt.Errorf("auth: %w", err)
	case errors.Is(err, password.ErrMalformed):
		// A stored hash masuk cannot read: fail closed, tell the operator.
		ev = withReason(ev, ReasonError)
		ev.Details["error"] = "stored hash is malformed"
		a.record(ctx, ev)
		return ErrInvalidCredentials
	default:
		a.record(ctx, withReason(ev, ReasonError))
		return fmt.Errorf("auth: %w", err)
	}
}

// upgrade replaces an outdated hash with one at the current parameters. It
// only ever replaces the hash it verified, so a password changed meanwhile
// stays changed; a failure leaves the old hash, which still works.
func (a *Authenticator) upgrade(ctx context.Context, ev store.Event, cred store.Credential, pw string) {
	hash, err := a.hasher.Hash(ctx, pw)
	if err == nil {
		next := store.Credential{AccountID: cred.AccountID, Hash: hash, ChangedAt: cred.ChangedAt}
		err = a.store.SwapCredential(ctx, cred.Hash, next, "")
	}
	ev.Kind = string(EventPasswordUpgraded)
	if err != nil {
		ev = withReason(ev, ReasonNotUpgraded)
		ev.Details["error"] = err.Error()
	}
	a.record(ctx, ev)
}

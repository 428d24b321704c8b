package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// Captcha outcomes, decided before any password hash runs.
var (
	// ErrCaptchaRequired: this attempt needs a solved captcha and came
	// without one. Show one and let the person try again.
	ErrCaptchaRequired = errors.New("auth: captcha required")
	// ErrCaptchaInvalid: the captcha answer was wrong, or its challenge
	// unknown, expired or used. The challenge is used up: show a new one.
	ErrCaptchaInvalid = errors.New("auth: captcha answer is wrong")
)

// CaptchaAnswer is the captcha a form sent, if any; a form with neither
// ID nor Answer carries none.
type CaptchaAnswer struct {
	// ID is the challenge's ID, from the form's hidden field (masuk's own
	// challenges).
	ID string
	// Flow is what the challenge was issued for (the form's or session's
	// identifier): an answer for another flow is refused.
	Flow string
	// Answer is what the person typed, or a hosted service's token.
	Answer string
}

// CaptchaChecker verifies the captcha a form carried. Package captcha
// holds the two that masuk ships: captcha.Checker, for its own challenges,
// and captcha.HostedChecker, for Turnstile, hCaptcha or reCAPTCHA. The
// interface takes plain values, so that auth needs none of the captcha
// package's image and audio code.
//
// CheckCaptcha returns nil when the answer solves the challenge, an error
// that implements [CaptchaRejection] (reporting true) when it does not,
// and any other error when it could not check: the login or registration
// then fails closed.
type CaptchaChecker interface {
	CheckCaptcha(ctx context.Context, id, flow, answer, clientAddr string) error
}

// CaptchaRejection is implemented by the errors a CaptchaChecker returns
// for an answer that does not solve its challenge (captcha.ErrWrong,
// captcha.ErrHostedRejected): auth answers them with ErrCaptchaInvalid.
type CaptchaRejection interface {
	error
	CaptchaRejected() bool
}

// checkAnswer asks the checker about ans, given in realm: nil,
// ErrCaptchaInvalid, or the checker's failure, wrapped.
func (a *Authenticator) checkAnswer(ctx context.Context, realm string, ans CaptchaAnswer, clientAddr string) (err error) {
	defer func() { a.tel.captcha(ctx, realm, err) }()
	err = a.captcha.CheckCaptcha(ctx, ans.ID, ans.Flow, ans.Answer, clientAddr)
	var rej CaptchaRejection
	switch {
	case err == nil:
		return nil
	case errors.As(err, &rej) && rej.CaptchaRejected():
		return ErrCaptchaInvalid
	default:
		return fmt.Errorf("auth: checking the captcha: %w", err)
	}
}

// captchaAfter returns how many failures make realm r ask for a captcha:
// 0 for always, -1 for never.
func (a *Authenticator) captchaAfter(r *realmConfig) int {
	mode := r.Captcha.Mode
	if mode == CaptchaDefault {
		mode = CaptchaNever
		if a.captcha != nil {
			mode = CaptchaAfterFailures
		}
	}
	switch mode {
	case CaptchaAlways:
		return 0
	case CaptchaAfterFailures:
		if r.Captcha.After > 0 {
			return r.Captcha.After
		}
		return 3
	}
	return -1
}

// needsCaptcha reports whether an attempt in realm r for the subject
// needs a captcha; when its counters are locked it returns the lock
// instead.
func (a *Authenticator) needsCaptcha(ctx context.Context, r *realmConfig, s lockout.Subject) (bool, error) {
	after := a.captchaAfter(r)
	if after < 0 {
		return false, nil
	}
	// A realm that always asks reads the counters too: a lock is told
	// before a captcha the attempt would be refused after anyway.
	p, err := r.guard.Peek(ctx, lockout.Password, s)
	if err != nil {
		return false, fmt.Errorf("auth: %w", err)
	}
	if p.Locked != nil {
		return false, p.Locked
	}
	return p.Failures >= after, nil
}

// checkCaptcha refuses, before the attempt is charged or any hash runs, an
// attempt that needs a captcha and has not solved one, and reports whether
// the attempt solved one. Its decision rests on a read of the counters that
// parallel attempts can race past; enforceCaptcha repeats it on the charge.
func (a *Authenticator) checkCaptcha(ctx context.Context, r *realmConfig, ev store.Event, ans CaptchaAnswer) (bool, error) {
	need, err := a.needsCaptcha(ctx, r, lockout.Subject{Realm: ev.Realm, Username: ev.Username, Addr: ev.ClientAddr})
	var le *lockout.LockedError
	switch {
	case errors.As(err, &le):
		return false, a.refusedLocked(ctx, ev, le)
	case err != nil:
		a.record(ctx, withReason(ev, ReasonError))
		return false, err
	case ans.ID == "" && ans.Answer == "":
		if !need {
			return false, nil
		}
		a.record(ctx, withReason(ev, ReasonCaptchaRequired))
		return false, ErrCaptchaRequired
	case a.captchaAfter(r) < 0:
		// The realm never asks; a captcha sent anyway is not looked at.
		return false, nil
	}
	// A captcha that came with the attempt is checked even when the counters
	// read here did not ask for one: they may lag the charge, which
	// enforceCaptcha then judges.
	switch err := a.checkAnswer(ctx, ev.Realm, ans, ev.ClientAddr); {
	case errors.Is(err, ErrCaptchaInvalid):
		a.record(ctx, withReason(ev, ReasonCaptchaInvalid))
		return false, err
	case err != nil:
		a.record(ctx, withReason(ev, ReasonError))
		return false, err
	}
	return true, nil
}

// enforceCaptcha refuses a charged attempt that, by the counters its
// charge returned, needed a captcha it did not solve: one that raced past
// checkCaptcha alongside others. Its charge is given back.
func (a *Authenticator) enforceCaptcha(ctx context.Context, r *realmConfig, ev store.Event, att *lockout.Attempt, solved bool) error {
	after := a.captchaAfter(r)
	if solved || after <= 0 || att.Before() < after {
		return nil
	}
	if err := att.Abandon(context.WithoutCancel(ctx)); err != nil {
		a.log.ErrorContext(ctx, "masuk: giving back an attempt", "realm", ev.Realm, "username", ev.Username, "error", err)
	}
	a.record(ctx, withReason(ev, ReasonCaptchaRequired))
	return ErrCaptchaRequired
}

// registrationCaptcha refuses a registration in a realm that asks for a
// captcha at registration unless it carries a solved one.
func (a *Authenticator) registrationCaptcha(ctx context.Context, r *realmConfig, reg Registration) error {
	if !r.Captcha.Registration {
		return nil
	}
	if reg.Captcha.ID == "" && reg.Captcha.Answer == "" {
		return ErrCaptchaRequired
	}
	return a.checkAnswer(ctx, r.name, reg.Captcha, reg.ClientAddr)
}

// CaptchaQuery asks whether a login needs a captcha.
type CaptchaQuery struct {
	// Realm is the realm of the login.
	Realm string
	// Username is the username as typed; empty when the form has none
	// yet.
	Username string
	// ClientAddr is the client's address.
	ClientAddr string
}

// CaptchaNeed is whether a login needs a captcha.
type CaptchaNeed struct {
	// Required means the next login must carry a solved captcha: show
	// one.
	Required bool `json:"required"`
}

// CaptchaNeeded reports whether the next login for a username from a
// client address must carry a solved captcha: call it to decide whether
// the login form shows one. It changes nothing. When the account or the
// address is locked it returns the *lockout.LockedError instead, so the
// form can say until when.
func (l *Logins) CaptchaNeeded(ctx context.Context, q CaptchaQuery) (_ CaptchaNeed, err error) {
	if l.unset() {
		return CaptchaNeed{}, errNoAuthenticator
	}
	ctx, sp := l.a.span(ctx, "masuk.Logins.CaptchaNeeded")
	defer sp.end(&err)
	a := l.a
	r, err := a.realm(q.Realm)
	if err != nil {
		return CaptchaNeed{}, err
	}
	username, ok, err := a.loginName(ctx, r, q.Username)
	if err != nil {
		return CaptchaNeed{}, err
	}
	if !ok {
		// No account can have this name; the login will fail without a
		// hash. Ask for a captcha if the address alone would.
		username = ""
	}
	need, err := a.needsCaptcha(ctx, r, lockout.Subject{Realm: q.Realm, Username: username, Addr: q.ClientAddr})
	return CaptchaNeed{Required: need}, err
}

package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// Captcha outcomes of Login, decided before any password hash runs.
var (
	// ErrCaptchaRequired: this attempt needs a solved captcha and came
	// without one. Show one and let the person try again.
	ErrCaptchaRequired = errors.New("auth: captcha required")
	// ErrCaptchaInvalid: the captcha answer was wrong, or its challenge
	// unknown, expired or used. The challenge is used up: show a new one.
	ErrCaptchaInvalid = errors.New("auth: captcha answer is wrong")
)

// CaptchaMode says when a realm's logins need a captcha.
type CaptchaMode uint8

// The captcha modes.
const (
	// CaptchaDefault is CaptchaAfterFailures when Config.Captcha is set,
	// and CaptchaNever when it is not.
	CaptchaDefault CaptchaMode = iota
	// CaptchaNever never asks.
	CaptchaNever
	// CaptchaAlways asks at every login.
	CaptchaAlways
	// CaptchaAfterFailures asks once the account (the username, whether or
	// not it exists) or the client address has After failed attempts in
	// its lockout window.
	CaptchaAfterFailures
)

// CaptchaPolicy is a realm's captcha rule.
type CaptchaPolicy struct {
	// Mode says when logins need a captcha.
	Mode CaptchaMode
	// After is the number of failures from which CaptchaAfterFailures
	// (and the default) asks. Zero means 3.
	After int
	// Registration, when true, makes every registration carry a solved
	// captcha (Registration.Captcha), checked before its limits and any
	// hash. The zero value asks none.
	Registration bool
}

// CaptchaAnswer is the captcha a login form sent, if any; a login with
// neither ID nor Answer carries none.
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

// CaptchaChecker verifies the captcha a login carried. A nil error means
// solved; an error matching captcha.ErrWrong or captcha.ErrHostedRejected
// means not solved (ErrCaptchaInvalid); any other error means it could not
// be checked, and the login fails closed.
type CaptchaChecker interface {
	CheckCaptcha(ctx context.Context, ans CaptchaAnswer, clientAddr string) error
}

// CaptchaService checks answers against masuk's own challenges.
func CaptchaService(s *captcha.Service) CaptchaChecker { return serviceChecker{s} }

type serviceChecker struct{ s *captcha.Service }

func (c serviceChecker) CheckCaptcha(ctx context.Context, ans CaptchaAnswer, _ string) error {
	return c.s.Verify(ctx, ans.ID, ans.Flow, ans.Answer)
}

// CaptchaHosted checks answers with a hosted service (Turnstile, hCaptcha,
// reCAPTCHA): the answer is the token the service's widget put in the form
// (its ID and Flow are not used, and need not be set).
func CaptchaHosted(v captcha.Verifier) CaptchaChecker { return hostedChecker{v} }

type hostedChecker struct{ v captcha.Verifier }

func (c hostedChecker) CheckCaptcha(ctx context.Context, ans CaptchaAnswer, clientAddr string) error {
	return c.v.Verify(ctx, ans.Answer, clientAddr)
}

// captchaAfter returns how many failures make realm r ask for a captcha:
// 0 for always, -1 for never.
func (a *Authenticator) captchaAfter(r Realm) int {
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

func checkCaptchaPolicies(realms map[string]Realm, svc CaptchaChecker) error {
	for name, r := range realms {
		if r.Captcha.Registration && svc == nil {
			return fmt.Errorf("%w: Config.Realms: %q asks for a captcha at registration, but Config.Captcha is nil", ErrConfig, name)
		}
		switch r.Captcha.Mode {
		case CaptchaDefault, CaptchaNever:
		case CaptchaAlways, CaptchaAfterFailures:
			if svc == nil {
				return fmt.Errorf("auth: Config.Realms: %q asks for a captcha, but Config.Captcha is nil", name)
			}
		default:
			return fmt.Errorf("auth: Config.Realms: %q: unknown captcha mode %d", name, r.Captcha.Mode)
		}
		if r.Captcha.After < 0 || r.Captcha.After > 100 {
			return fmt.Errorf("auth: Config.Realms: %q: captcha After %d is not between 0 and 100", name, r.Captcha.After)
		}
	}
	return nil
}

// needsCaptcha reports whether an attempt in realm r for ev's username and
// address needs a captcha; when its counters are locked it returns the
// lock instead.
func (a *Authenticator) needsCaptcha(ctx context.Context, r Realm, s lockout.Subject) (bool, error) {
	after := a.captchaAfter(r)
	switch {
	case after < 0:
		return false, nil
	case after == 0:
		return true, nil
	}
	p, err := a.guard.Peek(ctx, lockout.Password, s)
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
func (a *Authenticator) checkCaptcha(ctx context.Context, r Realm, ev store.Event, ans CaptchaAnswer) (bool, error) {
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
	switch err := a.captcha.CheckCaptcha(ctx, ans, ev.ClientAddr); {
	case errors.Is(err, captcha.ErrWrong), errors.Is(err, captcha.ErrHostedRejected):
		a.record(ctx, withReason(ev, ReasonCaptchaInvalid))
		return false, ErrCaptchaInvalid
	case err != nil:
		a.record(ctx, withReason(ev, ReasonError))
		return false, fmt.Errorf("auth: %w", err)
	}
	return true, nil
}

// enforceCaptcha refuses a charged attempt that, by the counters its
// charge returned, needed a captcha it did not solve: one that raced past
// checkCaptcha alongside others. Its charge is given back.
func (a *Authenticator) enforceCaptcha(ctx context.Context, r Realm, ev store.Event, att *lockout.Attempt, solved bool) error {
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
func (a *Authenticator) registrationCaptcha(ctx context.Context, r Realm, reg Registration) error {
	if !r.Captcha.Registration {
		return nil
	}
	ans := reg.Captcha
	if ans.ID == "" && ans.Answer == "" {
		return ErrCaptchaRequired
	}
	switch err := a.captcha.CheckCaptcha(ctx, ans, reg.ClientAddr); {
	case errors.Is(err, captcha.ErrWrong), errors.Is(err, captcha.ErrHostedRejected):
		return ErrCaptchaInvalid
	case err != nil:
		return fmt.Errorf("auth: %w", err)
	}
	return nil
}

// NeedsCaptcha reports whether the next login for a username (as typed)
// from clientAddr in a realm must carry a solved captcha: call it to decide
// whether the login form shows one. It changes nothing. When the account
// is locked it returns the *lockout.LockedError instead, so the form can
// say until when.
func (a *Authenticator) NeedsCaptcha(ctx context.Context, realmName, typed, clientAddr string) (bool, error) {
	r, err := a.realm(realmName)
	if err != nil {
		return false, err
	}
	username, err := r.username(typed, false)
	if err != nil {
		// No account can have this name; the login will fail without a
		// hash. Ask for a captcha if the address alone would.
		username = ""
	}
	return a.needsCaptcha(ctx, r, lockout.Subject{Realm: realmName, Username: username, Addr: clientAddr})
}

package captcha

import "context"

// rejection is the type of the errors that say an answer does not solve
// its challenge (ErrWrong, ErrHostedRejected): its CaptchaRejected method
// tells a caller that knows no captcha type, such as package auth, that
// the person must try again, rather than that the check failed.
type rejection string

func (e rejection) Error() string { return string(e) }

// CaptchaRejected reports true: the answer was checked and refused.
func (e rejection) CaptchaRejected() bool { return true }

// Checker is the captcha checker of package auth for a Service's
// challenges: pass Checker(svc) as auth.Config.Captcha. Its CheckCaptcha
// verifies the answer to the challenge id, issued for flow; the client
// address is not used.
func Checker(s *Service) ServiceChecker { return ServiceChecker{s} }

// ServiceChecker checks answers against a Service's challenges.
type ServiceChecker struct{ s *Service }

// CheckCaptcha implements auth.CaptchaChecker: nil, ErrWrong, or the
// store's failure.
func (c ServiceChecker) CheckCaptcha(ctx context.Context, id, flow, answer, _ string) error {
	if c.s == nil {
		return errNilService
	}
	return c.s.Verify(ctx, id, flow, answer)
}

// HostedChecker is the captcha checker of package auth for a hosted
// service (Turnstile, hCaptcha, reCAPTCHA): pass HostedChecker(v) as
// auth.Config.Captcha. The answer is the token the service's widget put
// in the form; the challenge's id and flow are not used.
func HostedChecker(v Verifier) VerifierChecker { return VerifierChecker{v} }

// VerifierChecker checks answers with a hosted service.
type VerifierChecker struct{ v Verifier }

// CheckCaptcha implements auth.CaptchaChecker: nil, an error wrapping
// ErrHostedRejected, or one wrapping ErrHostedUnavailable.
func (c VerifierChecker) CheckCaptcha(ctx context.Context, _, _, answer, clientAddr string) error {
	if c.v == nil {
		return errNilService
	}
	return c.v.Verify(ctx, answer, clientAddr)
}

// errNilService is what a checker built around nothing answers: never a
// pass.
var errNilService = errorString("captcha: the checker has no service")

type errorString string

func (e errorString) Error() string { return string(e) }

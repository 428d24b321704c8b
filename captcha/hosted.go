package captcha

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"
)

// Verifier checks the token that a hosted captcha widget (Cloudflare
// Turnstile, hCaptcha, reCAPTCHA) put into a form.
type Verifier interface {
	// Verify returns nil if response is a token the service issued to
	// this site and has not yet accepted. Otherwise it returns an error
	// that wraps ErrHostedRejected (the token is missing, wrong, expired,
	// used, for another site or action, or scored too low) or
	// ErrHostedUnavailable (the service could not be asked or gave no
	// usable answer). Both are failures: a Verifier never lets a request
	// through because the service is down. remoteAddr is the client's
	// address, with or without a port, or "".
	Verify(ctx context.Context, response, remoteAddr string) error
}

var (
	// ErrHostedRejected means the hosted service, or a check of its
	// answer, refused the token: ask the person to solve the widget again.
	ErrHostedRejected error = rejection("captcha: hosted service rejected the response")
	// ErrHostedUnavailable means the hosted service could not be reached in
	// time, or answered with something other than a verdict (an HTTP
	// error, a malformed body, a complaint about the secret). The request
	// must be refused all the same: an attacker who can slow the service
	// down must not thereby skip the captcha.
	ErrHostedUnavailable = errors.New("captcha: hosted service unavailable")
)

// HostedError is what [Hosted.Verify] returns. It wraps ErrHostedRejected
// or ErrHostedUnavailable, and the underlying error if there is one (a
// network error, context.DeadlineExceeded), for errors.Is.
type HostedError struct {
	// Service is "turnstile", "hcaptcha" or "recaptcha".
	Service string
	// Kind is ErrHostedRejected or ErrHostedUnavailable.
	Kind error
	// Codes are the service's error-codes, if it answered with any.
	Codes []string
	// Reason says what was wrong, for logs. It never holds the secret or
	// the token.
	Reason string
	// Err is the underlying error, or nil.
	Err error
}

func (e *HostedError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.Error())
	b.WriteString(" (")
	b.WriteString(e.Service)
	b.WriteString("): ")
	b.WriteString(e.Reason)
	if len(e.Codes) > 0 {
		b.WriteString(" [")
		b.WriteString(strings.Join(e.Codes, " "))
		b.WriteString("]")
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns Kind and, if set, Err.
func (e *HostedError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// The services' documented verification endpoints.
const (
	TurnstileURL = "https://challenges.cloudflare.com/turnstile/v0/siteverify"
	HCaptchaURL  = "https://api.hcaptcha.com/siteverify"
	ReCAPTCHAURL = "https://www.google.com/recaptcha/api/siteverify"
)

// Defaults of the hosted verifiers' options.
const (
	DefaultHostedTimeout = 5 * time.Second
	DefaultMinScore      = 0.5
)

// Bounds: tokens longer than maxToken are refused without asking (a
// Turnstile token is at most 2048 characters, the others shorter than
// this); answers longer than maxHostedBody are treated as malformed.
const (
	maxToken      = 16 << 10
	maxHostedBody = 64 << 10
)

// Hosted is a [Verifier] for a siteverify API: Cloudflare Turnstile,
// hCaptcha or reCAPTCHA (v2 and v3), which share one protocol: a form POST
// of the secret, the widget's response token and the client's address, and
// a JSON answer with "success" and "error-codes". Make one with
// [NewTurnstile], [NewHCaptcha] or [NewReCAPTCHA]; it is safe for
// concurrent use.
type Hosted struct {
	service   string
	url       string
	secret    string
	client    *http.Client
	timeout   time.Duration
	hostnames []string
	action    string
	minScore  float64 // reCAPTCHA only
	siteKey   string  // hCaptcha only
}

var _ Verifier = (*Hosted)(nil)

// HostedOption sets an option of a [Hosted] verifier.
type HostedOption func(*Hosted)

// HostedClient makes the verifier send its requests with c, for a proxy or
// custom TLS settings. Default: a client that follows no redirects (a
// redirected siteverify request is a misconfiguration, and following a 307
// would send the secret elsewhere).
func HostedClient(c *http.Client) HostedOption {
	return func(h *Hosted) {
		if c != nil {
			h.client = c
		}
	}
}

// HostedTimeout bounds each verification, from sending the request to
// reading the answer; past it, Verify fails with ErrHostedUnavailable.
// Default (and for d <= 0): DefaultHostedTimeout, 5 seconds. A deadline on
// Verify's context applies too.
func HostedTimeout(d time.Duration) HostedOption {
	return func(h *Hosted) {
		if d > 0 {
			h.timeout = d
		}
	}
}

// HostedHostnames makes the verifier refuse tokens solved on a site other
// than these (compared without regard to case), as the services advise
// when "verify the origin of solutions" is turned off in their dashboards.
// Default: the hostname is not checked.
func HostedHostnames(hostnames ...string) HostedOption {
	return func(h *Hosted) { h.hostnames = append([]string(nil), hostnames...) }
}

// HostedAction makes the verifier refuse tokens whose widget was given
// another action (Turnstile's data-action, reCAPTCHA v3's action), so that
// a token solved on the registration form cannot log in. Default: not
// checked.
func HostedAction(action string) HostedOption {
	return func(h *Hosted) { h.action = action }
}

// HostedMinScore sets the lowest reCAPTCHA v3 score (0.0, a bot, to 1.0, a
// person) the verifier accepts; answers without a score (reCAPTCHA v2) are
// not checked. Default: DefaultMinScore, 0.5, as Google suggests to start
// with. Values outside 0..1 are clamped. Other services ignore it.
func HostedMinScore(score float64) HostedOption {
	return func(h *Hosted) { h.minScore = min(max(score, 0), 1) }
}

// HostedSiteKey sends hCaptcha the site key the widget used, so that it
// refuses tokens issued for another of the account's sites. Other services
// ignore it.
func HostedSiteKey(siteKey string) HostedOption {
	return func(h *Hosted) { h.siteKey = siteKey }
}

// HostedURL sends verifications to u instead of the service's documented
// endpoint: a test server, or www.recaptcha.net where google.com is
// blocked.
func HostedURL(u string) HostedOption {
	return func(h *Hosted) { h.url = u }
}

// NewTurnstile returns a Verifier for Cloudflare Turnstile with the
// widget's secret key. An empty secret makes every Verify fail with
// ErrHostedUnavailable.
func NewTurnstile(secret string, opts ...HostedOption) *Hosted {
	return newHosted("turnstile", TurnstileURL, secret, opts)
}

// NewHCaptcha returns a Verifier for hCaptcha with the account's secret
// key. An empty secret makes every Verify fail with ErrHostedUnavailable.
func NewHCaptcha(secret string, opts ...HostedOption) *Hosted {
	return newHosted("hcaptcha", HCaptchaURL, secret, opts)
}

// NewReCAPTCHA returns a Verifier for Google reCAPTCHA v2 or v3 with the
// site's secret key. An empty secret makes every Verify fail with
// ErrHostedUnavailable.
func NewReCAPTCHA(secret string, opts ...HostedOption) *Hosted {
	return newHosted("recaptcha", ReCAPTCHAURL, secret, opts)
}

// defaultHostedClient refuses redirects; Verify's context bounds its time.
var defaultHostedClient = &http.Client{
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func newHosted(service, u, secret string, opts []HostedOption) *Hosted {
	h := &Hosted{
		service: service, url: u, secret: secret,
		client: defaultHostedClient, timeout: DefaultHostedTimeout, minScore: DefaultMinScore,
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// siteverifyAnswer is what the services answer; fields not named here are
// ignored.
type siteverifyAnswer struct {
	Success    *bool    `json:"success"`
	ErrorCodes []string `json:"error-codes"`
	Hostname   string   `json:"hostname"`
	Action     string   `json:"action"`
	Score      *float64 `json:"score"`
}

// serviceFaults are error codes that blame the site's configuration or the
// service, not the token: the person did nothing wrong, and operators must
// hear of it.
var serviceFaults = map[string]bool{
	"missing-input-secret":    true,
	"invalid-input-secret":    true,
	"bad-request":             true,
	"internal-error":          true,
	"sitekey-secret-mismatch": true,
	"invalid-sitekey":         true,
}

// Verify asks the service whether response is a valid token, then checks
// the hostname, action and score it reports against the options. See
// [Verifier] for the errors.
func (h *Hosted) Verify(ctx context.Context, response, remoteAddr string) error {
	switch {
	case h.secret == "":
		return h.fail(ErrHostedUnavailable, "no secret configured", nil, nil)
	case strings.TrimSpace(response) == "":
		return h.fail(ErrHostedRejected, "empty response token", nil, nil)
	case len(response) > maxToken:
		return h.fail(ErrHostedRejected, "response token too long", nil, nil)
	}
	form := url.Values{"secret": {h.secret}, "response": {response}}
	if ip, ok := clientIP(remoteAddr); ok {
		form.Set("remoteip", ip)
	}
	if h.siteKey != "" && h.service == "hcaptcha" {
		form.Set("sitekey", h.siteKey)
	}

	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.url, strings.NewReader(form.Encode()))
	if err != nil {
		return h.fail(ErrHostedUnavailable, "bad siteverify URL", nil, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := h.client.Do(req)
	if err != nil {
		return h.fail(ErrHostedUnavailable, "request failed", nil, stripURL(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return h.fail(ErrHostedUnavailable, fmt.Sprintf("HTTP status %d", resp.StatusCode), nil, nil)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxHostedBody+1))
	if err != nil {
		return h.fail(ErrHostedUnavailable, "reading the answer failed", nil, stripURL(err))
	}
	return h.judge(body)
}

// judge turns the body of a siteverify answer into Verify's result.
func (h *Hosted) judge(body []byte) error {
	if len(body) > maxHostedBody {
		return h.fail(ErrHostedUnavailable, "answer too large", nil, nil)
	}
	var a siteverifyAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return h.fail(ErrHostedUnavailable, "malformed answer", nil, err)
	}
	if a.Success == nil {
		return h.fail(ErrHostedUnavailable, `answer has no "success"`, a.ErrorCodes, nil)
	}
	// A success that still lists error codes is not trusted.
	if !*a.Success || len(a.ErrorCodes) > 0 {
		for _, c := range a.ErrorCodes {
			if serviceFaults[c] {
				return h.fail(ErrHostedUnavailable, "the service refused the request", a.ErrorCodes, nil)
			}
		}
		return h.fail(ErrHostedRejected, "the service rejected the token", a.ErrorCodes, nil)
	}
	if len(h.hostnames) > 0 && !containsFold(h.hostnames, a.Hostname) {
		return h.fail(ErrHostedRejected, fmt.Sprintf("token solved on %q", a.Hostname), nil, nil)
	}
	if h.action != "" && a.Action != h.action {
		return h.fail(ErrHostedRejected, fmt.Sprintf("token for action %q", a.Action), nil, nil)
	}
	if h.service == "recaptcha" && a.Score != nil && !(*a.Score >= h.minScore) {
		return h.fail(ErrHostedRejected, fmt.Sprintf("score %.2f below %.2f", *a.Score, h.minScore), nil, nil)
	}
	return nil
}

func (h *Hosted) fail(kind error, reason string, codes []string, err error) error {
	return &HostedError{Service: h.service, Kind: kind, Codes: codes, Reason: reason, Err: err}
}

// clientIP returns the IP address in remoteAddr ("203.0.113.7",
// "203.0.113.7:4711", "[2001:db8::1]:443"), or false if there is none.
func clientIP(remoteAddr string) (string, bool) {
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		remoteAddr = host
	}
	ip, err := netip.ParseAddr(remoteAddr)
	if err != nil {
		return "", false
	}
	return ip.Unmap().WithZone("").String(), true
}

// stripURL returns err without the *url.Error around it, whose message
// repeats the endpoint: the cause is what a log needs.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

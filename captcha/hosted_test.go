package captcha

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testSecret = "0x4AAAAAAA-the-secret"
	testToken  = "XXXX.DUMMY.TOKEN.XXXX"
)

// siteverify is a fake siteverify endpoint: it records the last request's
// form and answers with status and body.
type siteverify struct {
	srv      *httptest.Server
	requests atomic.Int32
	form     atomic.Pointer[url.Values]
	status   int
	body     string
	hold     chan struct{} // if set, answers only when it is closed or the request is cancelled
}

func newSiteverify(t *testing.T, status int, body string) *siteverify {
	s := &siteverify{status: status, body: body}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			http.Error(w, "want a form POST", http.StatusBadRequest)
			return
		}
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		form := r.PostForm
		s.form.Store(&form)
		if s.hold != nil {
			select {
			case <-s.hold:
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(s.status)
		_, _ = w.Write([]byte(s.body))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// The documented answers.
const (
	turnstileOK = `{"success":true,"challenge_ts":"2026-11-22T02:00:00.000Z","hostname":"lpse.example.go.id","error-codes":[],"action":"login","cdata":"session-1"}`
	hcaptchaOK  = `{"success":true,"challenge_ts":"2026-11-22T02:00:00Z","hostname":"lpse.example.go.id","credit":false}`
	recaptchaV3 = `{"success":true,"score":0.9,"action":"login","challenge_ts":"2026-11-22T02:00:00Z","hostname":"lpse.example.go.id"}`
	recaptchaV2 = `{"success":true,"challenge_ts":"2026-11-22T02:00:00Z","hostname":"lpse.example.go.id"}`
)

type constructor func(string, ...HostedOption) *Hosted

var services = map[string]constructor{"turnstile": NewTurnstile, "hcaptcha": NewHCaptcha, "recaptcha": NewReCAPTCHA}

func TestHostedAccepts(t *testing.T) {
	for name, body := range map[string]string{"turnstile": turnstileOK, "hcaptcha": hcaptchaOK, "recaptcha": recaptchaV3} {
		t.Run(name, func(t *testing.T) {
			s := newSiteverify(t, http.StatusOK, body)
			v := services[name](testSecret, HostedURL(s.srv.URL), HostedSiteKey("site-key"))
			require.NoError(t, v.Verify(context.Background(), testToken, "203.0.113.7:4711"))
			form := *s.form.Load()
			assert.Equal(t, testSecret, form.Get("secret"))
			assert.Equal(t, testToken, form.Get("response"))
			assert.Equal(t, "203.0.113.7", form.Get("remoteip"))
			if name == "hcaptcha" {
				assert.Equal(t, "site-key", form.Get("sitekey"))
			} else {
				assert.False(t, form.Has("sitekey"))
			}
		})
	}
}

func TestHostedRemoteIP(t *testing.T) {
	s := newSiteverify(t, http.StatusOK, turnstileOK)
	v := NewTurnstile(testSecret, HostedURL(s.srv.URL))
	for addr, want := range map[string]string{
		"203.0.113.7":        "203.0.113.7",
		"[2001:db8::1]:443":  "2001:db8::1",
		"::ffff:192.0.2.1":   "192.0.2.1",
		"fe80::1%eth0":       "fe80::1",
		"":                   "",
		"not an address":     "",
		"proxy.example:8080": "",
	} {
		require.NoError(t, v.Verify(context.Background(), testToken, addr))
		form := *s.form.Load()
		assert.Equal(t, want, form.Get("remoteip"), addr)
		assert.Equal(t, want != "", form.Has("remoteip"), addr)
	}
}

func TestHostedRefuses(t *testing.T) {
	for _, c := range []struct {
		name    string
		service string
		status  int
		body    string
		opts    []HostedOption
		kind    error
		codes   []string
	}{
		{"wrong token", "turnstile", 200, `{"success":false,"error-codes":["invalid-input-response"]}`, nil, ErrHostedRejected, []string{"invalid-input-response"}},
		{"used token", "recaptcha", 200, `{"success":false,"error-codes":["timeout-or-duplicate"]}`, nil, ErrHostedRejected, []string{"timeout-or-duplicate"}},
		{"hcaptcha seen", "hcaptcha", 200, `{"success":false,"error-codes":["invalid-or-already-seen-response"]}`, nil, ErrHostedRejected, []string{"invalid-or-already-seen-response"}},
		{"failure without codes", "hcaptcha", 200, `{"success":false}`, nil, ErrHostedRejected, nil},
		{"success with codes", "recaptcha", 200, `{"success":true,"error-codes":["invalid-input-response"]}`, nil, ErrHostedRejected, []string{"invalid-input-response"}},
		{"bad secret", "turnstile", 200, `{"success":false,"error-codes":["invalid-input-secret"]}`, nil, ErrHostedUnavailable, []string{"invalid-input-secret"}},
		{"service error", "turnstile", 200, `{"success":false,"error-codes":["internal-error"]}`, nil, ErrHostedUnavailable, []string{"internal-error"}},
		{"sitekey mismatch", "hcaptcha", 200, `{"success":false,"error-codes":["sitekey-secret-mismatch"]}`, nil, ErrHostedUnavailable, []string{"sitekey-secret-mismatch"}},
		{"other site", "turnstile", 200, turnstileOK, []HostedOption{HostedHostnames("portal.example.go.id")}, ErrHostedRejected, nil},
		{"no hostname", "hcaptcha", 200, `{"success":true}`, []HostedOption{HostedHostnames("lpse.example.go.id")}, ErrHostedRejected, nil},
		{"other action", "turnstile", 200, turnstileOK, []HostedOption{HostedAction("register")}, ErrHostedRejected, nil},
		{"low score", "recaptcha", 200, `{"success":true,"score":0.3,"action":"login","hostname":"lpse.example.go.id"}`, nil, ErrHostedRejected, nil},
		{"low score, stricter", "recaptcha", 200, recaptchaV3, []HostedOption{HostedMinScore(0.95)}, ErrHostedRejected, nil},
		{"HTTP 500", "turnstile", 500, `{"success":true}`, nil, ErrHostedUnavailable, nil},
		{"HTTP 429", "hcaptcha", 429, ``, nil, ErrHostedUnavailable, nil},
		{"redirect", "recaptcha", 307, ``, nil, ErrHostedUnavailable, nil},
		{"garbage", "turnstile", 200, `<html>Bad gateway</html>`, nil, ErrHostedUnavailable, nil},
		{"truncated", "turnstile", 200, `{"success":tr`, nil, ErrHostedUnavailable, nil},
		{"null", "recaptcha", 200, `null`, nil, ErrHostedUnavailable, nil},
		{"no success field", "hcaptcha", 200, `{"hostname":"lpse.example.go.id"}`, nil, ErrHostedUnavailable, nil},
		{"success as string", "turnstile", 200, `{"success":"true"}`, nil, ErrHostedUnavailable, nil},
		{"too large", "turnstile", 200, `{"success":true,"cdata":"` + strings.Repeat("x", maxHostedBody) + `"}`, nil, ErrHostedUnavailable, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newSiteverify(t, c.status, c.body)
			v := services[c.service](testSecret, append(c.opts, HostedURL(s.srv.URL))...)
			err := v.Verify(context.Background(), testToken, "203.0.113.7")
			require.Error(t, err)
			assert.ErrorIs(t, err, c.kind)
			other := ErrHostedRejected
			if c.kind == ErrHostedRejected {
				other = ErrHostedUnavailable
			}
			assert.NotErrorIs(t, err, other)
			var he *HostedError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, c.service, he.Service)
			assert.Equal(t, c.codes, he.Codes)
			assert.NotContains(t, err.Error(), testSecret)
			assert.NotContains(t, err.Error(), testToken)
			assert.Equal(t, int32(1), s.requests.Load())
		})
	}
}

// Scores at the threshold pass, and reCAPTCHA v2 answers have none to
// check; hostnames compare without case.
func TestHostedBoundaries(t *testing.T) {
	for _, c := range []struct {
		body string
		opts []HostedOption
	}{
		{`{"success":true,"score":0.5}`, nil},
		{`{"success":true,"score":0.3}`, []HostedOption{HostedMinScore(0.3)}},
		{`{"success":true,"score":0}`, []HostedOption{HostedMinScore(-1)}},
		{recaptchaV2, []HostedOption{HostedMinScore(0.9)}},
		{recaptchaV3, []HostedOption{HostedHostnames("portal.example.go.id", "LPSE.example.go.id"), HostedAction("login")}},
	} {
		s := newSiteverify(t, 200, c.body)
		v := NewReCAPTCHA(testSecret, append(c.opts, HostedURL(s.srv.URL))...)
		assert.NoError(t, v.Verify(context.Background(), testToken, ""), c.body)
	}
	// hCaptcha's enterprise score is a risk score (high is bad): never
	// compared with the minimum.
	s := newSiteverify(t, 200, `{"success":true,"score":0.1}`)
	assert.NoError(t, NewHCaptcha(testSecret, HostedURL(s.srv.URL), HostedMinScore(0.9)).Verify(context.Background(), testToken, ""))
}

// A service slower than the timeout fails closed, without the test
// waiting any longer than the verifier's own timeout.
func TestHostedTimeout(t *testing.T) {
	s := newSiteverify(t, 200, turnstileOK)
	s.hold = make(chan struct{})
	defer close(s.hold)
	v := NewTurnstile(testSecret, HostedURL(s.srv.URL), HostedTimeout(50*time.Millisecond))
	start := time.Now()
	err := v.Verify(context.Background(), testToken, "")
	assert.ErrorIs(t, err, ErrHostedUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestHostedCallerContext(t *testing.T) {
	s := newSiteverify(t, 200, turnstileOK)
	s.hold = make(chan struct{})
	defer close(s.hold)
	ctx, cancel := context.WithCancel(context.Background())
	v := NewTurnstile(testSecret, HostedURL(s.srv.URL))
	done := make(chan error)
	go func() { done <- v.Verify(ctx, testToken, "") }()
	require.Eventually(t, func() bool { return s.requests.Load() == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	err := <-done
	assert.ErrorIs(t, err, ErrHostedUnavailable)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestHostedNetworkError(t *testing.T) {
	s := newSiteverify(t, 200, turnstileOK)
	s.srv.Close()
	for _, u := range []string{s.srv.URL, "http://[::1]:bad", "\x00"} {
		err := NewTurnstile(testSecret, HostedURL(u)).Verify(context.Background(), testToken, "")
		assert.ErrorIs(t, err, ErrHostedUnavailable, u)
	}
}

// Some requests are refused without asking the service.
func TestHostedRefusesLocally(t *testing.T) {
	s := newSiteverify(t, 200, turnstileOK)
	for _, c := range []struct {
		secret, token string
		kind          error
	}{
		{"", testToken, ErrHostedUnavailable},
		{testSecret, "", ErrHostedRejected},
		{testSecret, " \t\n", ErrHostedRejected},
		{testSecret, strings.Repeat("t", maxToken+1), ErrHostedRejected},
	} {
		for name, newV := range services {
			err := newV(c.secret, HostedURL(s.srv.URL)).Verify(context.Background(), c.token, "")
			assert.ErrorIs(t, err, c.kind, name)
		}
	}
	assert.Zero(t, s.requests.Load())
}

func TestHostedOptions(t *testing.T) {
	h := NewReCAPTCHA("s", HostedClient(nil), HostedTimeout(0), HostedMinScore(7))
	assert.Same(t, defaultHostedClient, h.client)
	assert.Equal(t, DefaultHostedTimeout, h.timeout)
	assert.Equal(t, 1.0, h.minScore)
	assert.Equal(t, ReCAPTCHAURL, h.url)
	assert.Equal(t, TurnstileURL, NewTurnstile("s").url)
	assert.Equal(t, HCaptchaURL, NewHCaptcha("s").url)
	c := &http.Client{}
	assert.Same(t, c, NewHCaptcha("s", HostedClient(c)).client)

	names := []string{"a.example"}
	h = NewTurnstile("s", HostedHostnames(names...))
	names[0] = "b.example"
	assert.Equal(t, []string{"a.example"}, h.hostnames, "the list is copied")
}

func TestHostedErrorMessage(t *testing.T) {
	err := &HostedError{Service: "turnstile", Kind: ErrHostedUnavailable, Reason: "request failed", Codes: []string{"x", "y"}, Err: errors.New("boom")}
	assert.Equal(t, "captcha: hosted service unavailable (turnstile): request failed [x y]: boom", err.Error())
}

// Whatever a service answers, Verify's verdict is nil only for a success
// without error codes, and otherwise one of the two errors; it never
// panics.
func FuzzHostedAnswer(f *testing.F) {
	for _, body := range []string{turnstileOK, hcaptchaOK, recaptchaV3, recaptchaV2,
		`{"success":false,"error-codes":["invalid-input-response"]}`, `{"success":false,"error-codes":["internal-error"]}`,
		`{"success":true,"score":0.1}`, `null`, `[]`, `{"success":1}`, `{"success":true,"error-codes":"x"}`, `{"score":1e400}`, ``} {
		f.Add([]byte(body))
	}
	verifiers := []*Hosted{
		NewTurnstile(testSecret), NewHCaptcha(testSecret),
		NewReCAPTCHA(testSecret, HostedHostnames("lpse.example.go.id"), HostedAction("login")),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, h := range verifiers {
			err := h.judge(body)
			if err == nil {
				var a siteverifyAnswer
				if json.Unmarshal(body, &a) != nil || a.Success == nil || !*a.Success || len(a.ErrorCodes) > 0 {
					t.Fatalf("%s accepted %q", h.service, body)
				}
				continue
			}
			var he *HostedError
			if !errors.As(err, &he) || (he.Kind != ErrHostedRejected && he.Kind != ErrHostedUnavailable) {
				t.Fatalf("%s: %q: %v", h.service, body, err)
			}
		}
	})
}

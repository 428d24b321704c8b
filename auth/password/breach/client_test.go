package breach_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/auth/password/breach"
	"github.com/masuk-id/masuk/internal/fakepwned"
)

// corpus is the fake API's: passwords the local rules accept, with made-up
// counts.
var corpus = map[string]int{
	"correcthorsebatterystaple": 384,
	"Qwerty123!":                52256179,
	"Jakarta#2024":              3,
	"sekali-bocor-88":           1,
}

// logBuffer collects what a checker logs.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

func newClient(t *testing.T, cfg breach.ClientConfig) *breach.Client {
	t.Helper()
	c, err := breach.NewClient(cfg)
	require.NoError(t, err)
	return c
}

func TestNewClient(t *testing.T) {
	tests := []struct {
		name string
		cfg  breach.ClientConfig
		ok   bool
	}{
		{"zero", breach.ClientConfig{}, true},
		{"mirror with a path", breach.ClientConfig{BaseURL: "https://mirror.example.go.id/pwned/"}, true},
		{"plain http", breach.ClientConfig{BaseURL: "http://10.0.0.7:8080"}, true},
		{"no scheme", breach.ClientConfig{BaseURL: "api.pwnedpasswords.com"}, false},
		{"ftp", breach.ClientConfig{BaseURL: "ftp://api.pwnedpasswords.com"}, false},
		{"no host", breach.ClientConfig{BaseURL: "https:///range"}, false},
		{"query", breach.ClientConfig{BaseURL: "https://api.pwnedpasswords.com/?mode=ntlm"}, false},
		{"fragment", breach.ClientConfig{BaseURL: "https://api.pwnedpasswords.com/#x"}, false},
		{"unparsable", breach.ClientConfig{BaseURL: "https://[::1"}, false},
		{"negative timeout", breach.ClientConfig{Timeout: -time.Second}, false},
		{"negative MinCount", breach.ClientConfig{MinCount: -1}, false},
		{"MinCount 10", breach.ClientConfig{MinCount: 10}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := breach.NewClient(tt.cfg)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.True(t, strings.HasPrefix(err.Error(), "breach: "), err.Error())
			}
		})
	}
}

// The request is the API's: a GET of /range/ and five upper-case hex
// digits, with padding asked for and a User-Agent; the other 35 digits
// never leave, nor does the password.
func TestClientSendsOnlyThePrefix(t *testing.T) {
	api := fakepwned.New(t, corpus)
	c := newClient(t, breach.ClientConfig{BaseURL: api.URL})
	for pw := range corpus {
		_, err := c.Breached(t.Context(), pw)
		require.NoError(t, err)
	}
	reqs := api.Requests()
	require.Len(t, reqs, len(corpus))
	prefixRE := regexp.MustCompile(`^/range/[0-9A-F]{5}$`)
	sent := map[string]bool{}
	for _, r := range reqs {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Regexp(t, prefixRE, r.Path)
		assert.Empty(t, r.RawQuery)
		assert.Equal(t, "true", r.Header.Get("Add-Padding"))
		assert.Equal(t, breach.DefaultUserAgent, r.Header.Get("User-Agent"))
		sent[strings.TrimPrefix(r.Path, "/range/")] = true
		var all strings.Builder
		all.WriteString(r.Path + "?" + r.RawQuery)
		for k, vs := range r.Header {
			all.WriteString(k + ": " + strings.Join(vs, ",") + "\n")
		}
		for pw := range corpus {
			_, suffix := fakepwned.Hash(pw)
			assert.NotContains(t, strings.ToUpper(all.String()), suffix[:8])
			assert.NotContains(t, all.String(), pw)
		}
	}
	for pw := range corpus {
		prefix, _ := fakepwned.Hash(pw)
		assert.True(t, sent[prefix], "range of %q asked", pw)
	}

	c = newClient(t, breach.ClientConfig{BaseURL: api.URL, UserAgent: "LPSE Kemenkeu"})
	_, err := c.Breached(t.Context(), "x")
	require.NoError(t, err)
	reqs = api.Requests()
	assert.Equal(t, "LPSE Kemenkeu", reqs[len(reqs)-1].Header.Get("User-Agent"))
}

// Counts come from the padded answer; padding lines never count, and
// MinCount raises the bar.
func TestClientCounts(t *testing.T) {
	api := fakepwned.New(t, corpus)
	runVectors(t, func(minCount int) password.BreachChecker {
		return newClient(t, breach.ClientConfig{BaseURL: api.URL, MinCount: minCount})
	})
}

// runVectors is what every checker answers for corpus: the shared test of
// Client and Dir.
func runVectors(t *testing.T, newChecker func(minCount int) password.BreachChecker) {
	t.Helper()
	tests := []struct {
		pw       string
		minCount int
		want     int
	}{
		{"correcthorsebatterystaple", 0, 384},
		{"Qwerty123!", 0, 52256179},
		{"Jakarta#2024", 0, 3},
		{"sekali-bocor-88", 0, 1},
		{"sekali-bocor-88", 1, 1},
		{"kuda laut biru makan pisang", 0, 0},
		{"qwerty123!", 0, 0}, // case matters: another hash
		{"", 0, 0},
		{"Jakarta#2024", 3, 3},
		{"Jakarta#2024", 4, 0},
		{"sekali-bocor-88", 2, 0},
		{"Qwerty123!", 1000, 52256179},
	}
	checkers := map[int]password.BreachChecker{}
	for _, tt := range tests {
		if checkers[tt.minCount] == nil {
			checkers[tt.minCount] = newChecker(tt.minCount)
		}
		got, err := checkers[tt.minCount].Breached(t.Context(), tt.pw)
		require.NoError(t, err, tt.pw)
		assert.Equal(t, tt.want, got, "%q with MinCount %d", tt.pw, tt.minCount)
	}
}

func TestClientBaseURLWithPath(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/pwned/", http.StripPrefix("/pwned", fakepwned.NewHandler(corpus)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for _, base := range []string{srv.URL + "/pwned", srv.URL + "/pwned/"} {
		c := newClient(t, breach.ClientConfig{BaseURL: base})
		n, err := c.Breached(t.Context(), "Jakarta#2024")
		require.NoError(t, err, base)
		assert.Equal(t, 3, n, base)
	}
}

// largePage is an error page larger than the Client reads of one.
var largePage = bytes.Repeat([]byte("<p>down</p>"), 1<<20)

// shortTimeout is the Timeout of the failures that are about it; the
// others have a minute, so that a slow machine does not turn them into
// timeouts.
const shortTimeout = 100 * time.Millisecond

// failures are the ways an API can fail, each answered by a fault handler
// of the fake.
var failures = []struct {
	name    string
	fault   http.HandlerFunc
	status  int
	is      error
	timeout time.Duration
}{
	{"404", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, 404, nil, 0},
	{"429", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "slow down", http.StatusTooManyRequests) }, 429, nil, 0},
	{"500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) }, 500, nil, 0},
	{"503 with a large page", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(largePage)
	}, 503, nil, 0},
	{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path, http.StatusFound)
	}, 0, nil, 0},
	{"HTML instead of a range", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<html><body>Maintenance</body></html>")
	}, 200, breach.ErrMalformed, 0},
	{"oversized range", func(w http.ResponseWriter, r *http.Request) {
		line := strings.Repeat("A", 35) + ":1\r\n"
		_, _ = io.WriteString(w, strings.Repeat(line, breach.MaxRangeBytes/len(line)+1))
	}, 200, breach.ErrTooLarge, 0},
	{"endless range", func(w http.ResponseWriter, r *http.Request) {
		line := []byte(strings.Repeat("B", 35) + ":1\r\n")
		for r.Context().Err() == nil {
			if _, err := w.Write(line); err != nil {
				return
			}
		}
	}, 200, breach.ErrTooLarge, 0},
	{"connection cut mid-range", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		_, _ = io.WriteString(w, strings.Repeat("C", 35)+":1\r\n")
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}, 200, io.ErrUnexpectedEOF, 0},
	{"no answer within the timeout", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}, 0, context.DeadlineExceeded, shortTimeout},
	{"headers, then silence", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}, 200, context.DeadlineExceeded, shortTimeout},
}

func timeoutOf(d time.Duration) time.Duration {
	if d == 0 {
		return time.Minute
	}
	return d
}

// Failing closed, every failure is a *LookupError that says what happened
// and names neither the password nor its range.
func TestClientFailClosed(t *testing.T) {
	api := fakepwned.New(t, corpus)
	prefix, suffix := fakepwned.Hash("Qwerty123!")
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			api.Fail(f.fault)
			t.Cleanup(func() { api.Fail(nil) })
			var logs logBuffer
			c := newClient(t, breach.ClientConfig{BaseURL: api.URL, FailClosed: true, Timeout: timeoutOf(f.timeout), Logger: logs.logger()})
			n, err := c.Breached(t.Context(), "Qwerty123!")
			assert.Zero(t, n)
			var le *breach.LookupError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, f.status, le.StatusCode, err.Error())
			if f.is != nil {
				assert.ErrorIs(t, err, f.is)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "breach: range API: "), err.Error())
			for _, s := range []string{prefix, strings.ToLower(prefix), suffix[:8], "Qwerty123!", "/range/"} {
				assert.NotContains(t, err.Error(), s)
			}
			assert.Empty(t, logs.String(), "failing closed logs nothing: the caller has the error")
		})
	}
}

// Failing open, every failure lets the password through and is logged,
// without the password or its range.
func TestClientFailOpen(t *testing.T) {
	api := fakepwned.New(t, corpus)
	prefix, suffix := fakepwned.Hash("Qwerty123!")
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			api.Fail(f.fault)
			t.Cleanup(func() { api.Fail(nil) })
			var logs logBuffer
			c := newClient(t, breach.ClientConfig{BaseURL: api.URL, Timeout: timeoutOf(f.timeout), Logger: logs.logger()})
			n, err := c.Breached(t.Context(), "Qwerty123!")
			require.NoError(t, err)
			assert.Zero(t, n)
			log := logs.String()
			assert.Contains(t, log, "level=WARN")
			assert.Contains(t, log, "fail open")
			assert.Contains(t, log, "breach: range API")
			for _, s := range []string{prefix, strings.ToLower(prefix), suffix[:8], "Qwerty123!", "/range/"} {
				assert.NotContains(t, log, s)
			}
		})
	}
}

func TestClientUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	c := newClient(t, breach.ClientConfig{BaseURL: "http://" + addr, FailClosed: true})
	_, err = c.Breached(t.Context(), "Qwerty123!")
	var le *breach.LookupError
	require.ErrorAs(t, err, &le)
	assert.Zero(t, le.StatusCode)
	var oe *net.OpError
	assert.ErrorAs(t, err, &oe)
}

// The caller's context ending is never let through, failing open or
// not: the context's own error comes back.
func TestClientContext(t *testing.T) {
	api := fakepwned.New(t, corpus)
	entered := make(chan struct{}, 1)
	api.Fail(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-r.Context().Done()
	})
	for _, closed := range []bool{false, true} {
		var logs logBuffer
		c := newClient(t, breach.ClientConfig{BaseURL: api.URL, FailClosed: closed, Timeout: time.Minute, Logger: logs.logger()})

		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := c.Breached(ctx, "Qwerty123!")
		assert.ErrorIs(t, err, context.Canceled)

		ctx, cancel = context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := c.Breached(ctx, "Qwerty123!")
			done <- err
		}()
		<-entered
		cancel()
		assert.ErrorIs(t, <-done, context.Canceled)

		cause := errors.New("client went away")
		ctx, cancelCause := context.WithCancelCause(t.Context())
		cancelCause(cause)
		_, err = c.Breached(ctx, "Qwerty123!")
		assert.ErrorIs(t, err, cause)
		assert.Empty(t, logs.String())
	}
}

// A Policy with a Client reports a breached password with the local
// rules' violations, and refuses to decide when the lookup fails closed.
func TestPolicyWithClient(t *testing.T) {
	api := fakepwned.New(t, corpus)
	c := newClient(t, breach.ClientConfig{BaseURL: api.URL, FailClosed: true})
	p, err := password.NewPolicy(password.PolicyConfig{MinLength: 15, Breach: c})
	require.NoError(t, err)

	require.NoError(t, p.Check(t.Context(), "kuda laut biru makan pisang", password.Context{}))

	err = p.Check(t.Context(), "Jakarta#2024", password.Context{Realm: "jakarta"})
	var pe *password.PolicyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []password.Violation{
		{Rule: password.RuleTooShort, Limit: 15},
		{Rule: password.RuleContext, Context: password.ContextRealm},
		{Rule: password.RuleBreached, Limit: 3},
	}, pe.Violations)

	err = p.Check(t.Context(), "correcthorsebatterystaple", password.Context{})
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []string{"This password has appeared 384 times in data breaches."}, pe.Messages("en"))

	// A blocklisted password is refused without asking.
	before := len(api.Requests())
	require.ErrorIs(t, p.Check(t.Context(), "password", password.Context{}), password.ErrPolicy)
	assert.Len(t, api.Requests(), before)

	api.Fail(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusBadGateway) })
	err = p.Check(t.Context(), "kuda laut biru makan pisang", password.Context{})
	require.ErrorIs(t, err, password.ErrBreachUnavailable)
	assert.NotErrorIs(t, err, password.ErrPolicy)
	var le *breach.LookupError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, http.StatusBadGateway, le.StatusCode)
	assert.Equal(t, "password: breached-password check unavailable: breach: range API: 502 Bad Gateway", err.Error())

	// The local rules still refuse what they refuse.
	err = p.Check(t.Context(), "kuda laut", password.Context{})
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, []password.Violation{{Rule: password.RuleTooShort, Limit: 15}}, pe.Violations)
}

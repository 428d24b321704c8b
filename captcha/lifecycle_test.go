package captcha_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/internal/fakerand"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

const answer = "333333"

type lifecycle struct {
	svc   *captcha.Service
	store *memstore.Store
	now   time.Time
}

func newLifecycle(t *testing.T, mutate ...func(*captcha.ServiceConfig)) *lifecycle {
	t.Helper()
	gen, err := captcha.NewGenerator(captcha.Config{Rand: fakerand.Repeat(3)})
	require.NoError(t, err)
	l := &lifecycle{store: memstore.New(), now: time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	cfg := captcha.ServiceConfig{Store: l.store, Generator: gen, Now: func() time.Time { return l.now }}
	for _, m := range mutate {
		m(&cfg)
	}
	l.svc, err = captcha.NewService(cfg)
	require.NoError(t, err)
	return l
}

func (l *lifecycle) issue(t *testing.T, flow string) captcha.Issued {
	t.Helper()
	is, err := l.svc.Issue(context.Background(), flow, "203.0.113.7")
	require.NoError(t, err)
	return is
}

func TestIssueAndVerify(t *testing.T) {
	l := newLifecycle(t)
	is := l.issue(t, "login-form-1")
	assert.Equal(t, l.now.Add(10*time.Minute), is.ExpiresAt)
	assert.GreaterOrEqual(t, len(is.ID), 22, "at least 128 bits")
	require.NoError(t, l.svc.Verify(context.Background(), is.ID, "login-form-1", " 333 333 "))
}

// TestSolvedTwice is matrix case 45.
func TestSolvedTwice(t *testing.T) {
	l := newLifecycle(t)
	is := l.issue(t, "f")
	require.NoError(t, l.svc.Verify(context.Background(), is.ID, "f", answer))
	require.ErrorIs(t, l.svc.Verify(context.Background(), is.ID, "f", answer), captcha.ErrWrong)
}

// TestOtherFlow is matrix case 46: solved in one session, submitted in
// another.
func TestOtherFlow(t *testing.T) {
	l := newLifecycle(t)
	is := l.issue(t, "session-A")
	require.ErrorIs(t, l.svc.Verify(context.Background(), is.ID, "session-B", answer), captcha.ErrWrong)
	require.ErrorIs(t, l.svc.Verify(context.Background(), is.ID, "session-A", answer), captcha.ErrWrong, "the failed attempt used it up")
}

// TestNeverVerifies is matrix case 47, the regression test for
// base64Captcha's CVE-2023-45292 and its issue #122: an unknown id, an
// empty answer and a blank one never verify.
func TestNeverVerifies(t *testing.T) {
	l := newLifecycle(t)
	ctx := context.Background()
	for _, c := range []struct{ id, answer string }{
		{"does-not-exist", ""}, {"does-not-exist", "   "}, {"does-not-exist", answer}, {"", ""}, {"", answer},
		{strings.Repeat("x", 10000), answer},
	} {
		require.ErrorIs(t, l.svc.Verify(ctx, c.id, "f", c.answer), captcha.ErrWrong, "%q %q", c.id, c.answer)
	}
	for _, blank := range []string{"", "   ", "\t\n"} {
		is := l.issue(t, "f")
		require.ErrorIs(t, l.svc.Verify(ctx, is.ID, "f", blank), captcha.ErrWrong, "%q", blank)
	}
}

// TestExpiryAtVerify is matrix case 48: expiry is checked when the answer
// arrives, by the injected clock.
func TestExpiryAtVerify(t *testing.T) {
	l := newLifecycle(t, func(c *captcha.ServiceConfig) { c.TTL = time.Minute })
	a, b := l.issue(t, "f"), l.issue(t, "f")
	l.now = l.now.Add(time.Minute - time.Second)
	require.NoError(t, l.svc.Verify(context.Background(), a.ID, "f", answer))
	l.now = l.now.Add(time.Second)
	require.ErrorIs(t, l.svc.Verify(context.Background(), b.ID, "f", answer), captcha.ErrWrong)
}

// TestWrongAnswerConsumes is matrix case 49.
func TestWrongAnswerConsumes(t *testing.T) {
	l := newLifecycle(t)
	is := l.issue(t, "f")
	require.ErrorIs(t, l.svc.Verify(context.Background(), is.ID, "f", "123456"), captcha.ErrWrong)
	require.ErrorIs(t, l.svc.Verify(context.Background(), is.ID, "f", answer), captcha.ErrWrong)
}

// TestIssuanceLimited is matrix case 50: a flood from one address is cut
// at the issuance limit without rendering or storing anything more, and
// other addresses are unaffected.
func TestIssuanceLimited(t *testing.T) {
	l := newLifecycle(t, func(c *captcha.ServiceConfig) { c.IssueLimit = 5 })
	ctx := context.Background()
	issued := 0
	for range 100_000 {
		_, err := l.svc.Issue(ctx, "f", "2001:db8:5:6::1")
		if err == nil {
			issued++
			continue
		}
		require.ErrorIs(t, err, captcha.ErrTooMany)
	}
	assert.Equal(t, 5, issued)
	_, err := l.svc.Issue(ctx, "f", "2001:db8:5:6:ffff::2")
	require.ErrorIs(t, err, captcha.ErrTooMany, "the same /64")
	_, err = l.svc.Issue(ctx, "f", "198.51.100.1")
	require.NoError(t, err)
	// One /48 holds 65,536 /64s: together they get 100 a window.
	issued = 0
	for i := range 1000 {
		if _, err := l.svc.Issue(ctx, "f", fmt.Sprintf("2001:db8:7:%x::1", i)); err == nil {
			issued++
		}
	}
	assert.Equal(t, 100, issued, "challenges to one /48")
	l.now = l.now.Add(10 * time.Minute)
	_, err = l.svc.Issue(ctx, "f", "2001:db8:5:6::1")
	require.NoError(t, err, "a new window")
}

// TestIssuanceLimitSaysWhen: a refused issue says when the address may ask
// again (the end of its window's lock), and it may then.
func TestIssuanceLimitSaysWhen(t *testing.T) {
	l := newLifecycle(t, func(c *captcha.ServiceConfig) { c.IssueLimit = 2; c.IssueWindow = 5 * time.Minute })
	ctx := context.Background()
	start := l.now
	for range 2 {
		_, err := l.svc.Issue(ctx, "f", "198.51.100.7")
		require.NoError(t, err)
	}
	l.now = l.now.Add(time.Minute)
	_, err := l.svc.Refresh(ctx, "", "f", "198.51.100.7")
	var tm *captcha.TooManyError
	require.ErrorAs(t, err, &tm)
	require.ErrorIs(t, err, captcha.ErrTooMany)
	assert.True(t, tm.RetryAt.After(l.now), "%v is after %v", tm.RetryAt, l.now)
	assert.False(t, tm.RetryAt.After(start.Add(6*time.Minute+time.Second)), "%v is within the window's lock", tm.RetryAt)
	l.now = tm.RetryAt
	_, err = l.svc.Issue(ctx, "f", "198.51.100.7")
	require.NoError(t, err, "at RetryAt")
}

// TestAudioAlternative is matrix case 51: every challenge has audio in
// both languages, served under the same single-use rules as its image.
func TestAudioAlternative(t *testing.T) {
	l := newLifecycle(t)
	is := l.issue(t, "f")
	srv := httptest.NewServer(l.svc.Handler())
	defer srv.Close()
	get := func(query string) (*http.Response, []byte) {
		resp, err := http.Get(srv.URL + "?" + query)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp, body
	}
	resp, body := get("id=" + is.ID)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "image/png", resp.Header.Get("Content-Type"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	assert.True(t, strings.HasPrefix(string(body), "\x89PNG"))
	for _, lang := range captcha.AudioLanguages() {
		resp, body = get("id=" + is.ID + "&audio=" + lang)
		require.Equal(t, http.StatusOK, resp.StatusCode, lang)
		assert.Equal(t, "audio/wav", resp.Header.Get("Content-Type"))
		assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
		assert.True(t, strings.HasPrefix(string(body), "RIFF"), lang)
	}
	resp, _ = get("id=" + is.ID + "&audio=id-ID")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "a language tag")
	resp, _ = get("id=" + is.ID + "&audio=fr")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	require.NoError(t, l.svc.Verify(context.Background(), is.ID, "f", answer))
	for _, q := range []string{"id=" + is.ID, "id=" + is.ID + "&audio=id", "id=unknown", ""} {
		resp, _ = get(q)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "after use: %s", q)
	}
	r := httptest.NewRecorder()
	l.svc.Handler().ServeHTTP(r, httptest.NewRequest(http.MethodPost, "/?id=x", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, r.Code)
}

func TestRefresh(t *testing.T) {
	l := newLifecycle(t)
	old := l.issue(t, "f")
	fresh, err := l.svc.Refresh(context.Background(), old.ID, "f", "203.0.113.7")
	require.NoError(t, err)
	assert.NotEqual(t, old.ID, fresh.ID)
	require.ErrorIs(t, l.svc.Verify(context.Background(), old.ID, "f", answer), captcha.ErrWrong, "the old one is gone")
	require.NoError(t, l.svc.Verify(context.Background(), fresh.ID, "f", answer))
}

func TestStoredAnswerIsHashed(t *testing.T) {
	l := newLifecycle(t)
	is := l.issue(t, "f")
	c, err := l.store.Challenge(context.Background(), is.ID, l.now)
	require.NoError(t, err)
	assert.NotContains(t, string(c.AnswerHash), answer)
	assert.Len(t, c.AnswerHash, 32)
}

func TestServiceConfigChecked(t *testing.T) {
	for name, cfg := range map[string]captcha.ServiceConfig{
		"no store":     {},
		"long TTL":     {Store: memstore.New(), TTL: 2 * time.Hour},
		"limit of 101": {Store: memstore.New(), IssueLimit: 101},
		"no limiter":   {Store: challengesOnly{memstore.New()}},
	} {
		_, err := captcha.NewService(cfg)
		assert.Error(t, err, name)
	}
}

type challengesOnly struct{ store.Challenges }

func FuzzVerify(f *testing.F) {
	for _, s := range []string{"", " ", "333333", "does-not-exist", "\x00", strings.Repeat("9", 200)} {
		f.Add(s, s)
	}
	l := newLifecycle(&testing.T{})
	f.Fuzz(func(t *testing.T, id, typed string) {
		if err := l.svc.Verify(context.Background(), id, "f", typed); err == nil {
			t.Fatalf("Verify(%q, %q) succeeded without a challenge", id, typed)
		}
		_ = fmt.Sprint(captcha.Normalize(typed))
	})
}

package httpauth_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

const pw = "kopi tubruk di pagi hari"

// portal is a tiny host: a login endpoint, a protected endpoint, logout.
type portal struct {
	t     *testing.T
	auth  *auth.Authenticator
	store *memstore.Store
	sess  *httpauth.Sessions
	h     http.Handler
	mu    sync.Mutex
	now   time.Time
}

func newPortal(t *testing.T, cfg httpauth.Config) *portal {
	t.Helper()
	p := &portal{t: t, store: memstore.New(), now: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	a, err := auth.New(auth.Config{Store: p.store, Hasher: &authtest.Hasher{}, Now: p.clock})
	require.NoError(t, err)
	p.auth = a
	cfg.Auth = a
	p.sess, err = httpauth.New(cfg)
	require.NoError(t, err)
	_, err = a.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: pw})
	require.NoError(t, err)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		res, err := a.Logins().Login(r.Context(), auth.LoginRequest{Realm: "lpse", Username: r.FormValue("username"), Password: r.FormValue("password"), Request: p.sess.Request(r)})
		if err != nil {
			httpauth.WriteError(w, err)
			return
		}
		if _, err := p.sess.Begin(w, r, res.Account); err != nil {
			httpauth.WriteError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("GET /me", p.sess.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr, _ := httpauth.PrincipalFrom(r.Context())
		httpauth.WriteJSON(w, http.StatusOK, pr)
	})))
	mux.Handle("/logout", p.sess.LogoutHandler(""))
	p.h = p.sess.Middleware(mux)
	return p
}

func (p *portal) clock() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.now
}

func (p *portal) advance(d time.Duration) {
	p.mu.Lock()
	p.now = p.now.Add(d)
	p.mu.Unlock()
}

func (p *portal) do(method, path string, form url.Values, cookie *http.Cookie, header ...string) *httptest.ResponseRecorder {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, "https://portal.example"+path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	if cookie != nil {
		r.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	p.h.ServeHTTP(w, r)
	return w
}

func (p *portal) login() *http.Cookie {
	p.t.Helper()
	w := p.do("POST", "/login", url.Values{"username": {"budi"}, "password": {pw}}, nil)
	require.Equal(p.t, http.StatusNoContent, w.Code, w.Body.String())
	cs := w.Result().Cookies()
	require.Len(p.t, cs, 1)
	return cs[0]
}

func TestCookieAttributes(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	c := p.login()
	assert.Equal(t, "__Host-masuk", c.Name)
	assert.True(t, c.Secure)
	assert.True(t, c.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
	assert.Equal(t, "/", c.Path)
	assert.Empty(t, c.Domain)
	assert.Equal(t, p.now.Add(12*time.Hour), c.Expires.UTC())
	assert.Len(t, c.Value, 97)

	_, err := httpauth.New(httpauth.Config{Auth: p.auth, CookieName: "session"})
	require.Error(t, err, "a name without __Host- needs Insecure")
	dev := newPortal(t, httpauth.Config{Insecure: true})
	c = dev.login()
	assert.Equal(t, "masuk", c.Name)
	assert.False(t, c.Secure)
}

func TestRequireAuth(t *testing.T) {
	p := newPortal(t, httpauth.Config{LoginURL: "/masuk"})
	w := p.do("GET", "/me", nil, nil)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	var e httpauth.Error
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	assert.Equal(t, auth.CodeUnauthenticated, e.Code)
	assert.NotEmpty(t, e.Message["id"])

	w = p.do("GET", "/me?x=1", nil, nil, "Accept", "text/html,application/xhtml+xml")
	assert.Equal(t, http.StatusSeeOther, w.Code)
	assert.Equal(t, "/masuk?next=%2Fme%3Fx%3D1", w.Header().Get("Location"))

	c := p.login()
	w = p.do("GET", "/me", nil, c)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "no-store", w.Header().Get("Cache-Control"))
	var pr auth.Principal
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &pr))
	assert.Equal(t, "budi", pr.Username)
	assert.Equal(t, "lpse", pr.Realm)
	assert.True(t, pr.Session.Current)

	// A forged or garbled cookie is no session, and is cleared.
	forged := *c
	forged.Value = c.Value[:96] + "0"
	if forged.Value == c.Value {
		forged.Value = c.Value[:96] + "1"
	}
	w = p.do("GET", "/me", nil, &forged)
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	require.Len(t, w.Result().Cookies(), 1)
	assert.Equal(t, -1, w.Result().Cookies()[0].MaxAge)
}

func TestLogout(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	c := p.login()
	assert.Equal(t, http.StatusMethodNotAllowed, p.do("GET", "/logout", nil, c).Code)
	assert.Equal(t, http.StatusOK, p.do("GET", "/me", nil, c).Code, "a GET does not log out")
	w := p.do("POST", "/logout", url.Values{}, c)
	assert.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, -1, w.Result().Cookies()[0].MaxAge)
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c).Code)

	// Everywhere: the other browser's session ends too.
	c1, c2 := p.login(), p.login()
	assert.Equal(t, http.StatusNoContent, p.do("POST", "/logout", url.Values{"everywhere": {"1"}}, c1).Code)
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c2).Code)
}

// TestPasswordChangeEndsSessions: the very next request after a password
// change is refused, in this browser and the others.
func TestPasswordChangeEndsSessions(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	c1, c2 := p.login(), p.login()
	acct, err := p.store.AccountByUsername(t.Context(), "lpse", "budi")
	require.NoError(t, err)
	require.NoError(t, p.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: pw, New: "teh manis hangat sekali"}))
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c1).Code)
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c2).Code)
}

// TestOperatorDisableEndsSessions: disabling ends the session at the next
// request.
func TestOperatorDisableEndsSessions(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	c := p.login()
	acct, err := p.store.AccountByUsername(t.Context(), "lpse", "budi")
	require.NoError(t, err)
	op, err := p.auth.Operator(auth.OperatorIdentity{Name: "op-1", Realms: []string{"lpse"}})
	require.NoError(t, err)
	require.NoError(t, op.Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "laporan penyalahgunaan"}))
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c).Code)
}

// TestSessionExpiry: idle 30 minutes ends a session; use keeps it alive,
// until its 12 hours are up.
func TestSessionExpiry(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	c := p.login()
	p.advance(30*time.Minute - time.Second)
	assert.Equal(t, http.StatusOK, p.do("GET", "/me", nil, c).Code)
	for range 23 {
		p.advance(29 * time.Minute)
		require.Equal(t, http.StatusOK, p.do("GET", "/me", nil, c).Code)
	}
	// 11 h 36 min 59 s in; the next use would be past 12 h.
	p.advance(23*time.Minute + time.Second)
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c).Code, "the absolute lifetime")

	c = p.login()
	p.advance(30 * time.Minute)
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c).Code, "idle")
}

// TestTouchThrottled: a busy session writes its last use once a minute.
func TestTouchThrottled(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	c := p.login()
	acct, err := p.store.AccountByUsername(t.Context(), "lpse", "budi")
	require.NoError(t, err)
	lastSeen := func() time.Time {
		ss, err := p.auth.Sessions().List(t.Context(), auth.SessionQuery{AccountID: acct.ID})
		require.NoError(t, err)
		require.Len(t, ss, 1)
		return ss[0].LastSeenAt
	}
	start := lastSeen()
	p.advance(59 * time.Second)
	p.do("GET", "/me", nil, c)
	assert.Equal(t, start, lastSeen())
	p.advance(time.Second)
	p.do("GET", "/me", nil, c)
	assert.Equal(t, start.Add(time.Minute), lastSeen())
}

// TestParallelUse: one session used by 50 requests at once.
func TestParallelUse(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	c := p.login()
	p.advance(2 * time.Minute)
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Go(func() { codes[i] = p.do("GET", "/me", nil, c).Code })
	}
	wg.Wait()
	for _, code := range codes {
		assert.Equal(t, http.StatusOK, code)
	}
}

// TestWriteError: outcomes get their status, code and retry time; other
// errors say only "unavailable".
func TestWriteError(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	for range 5 {
		w := p.do("POST", "/login", url.Values{"username": {"budi"}, "password": {"salah"}}, nil)
		assert.Equal(t, http.StatusUnauthorized, w.Code)
		var e httpauth.Error
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
		assert.Equal(t, auth.CodeInvalidCredentials, e.Code)
		assert.Equal(t, []string{"username", "password"}, e.Fields)
		assert.Empty(t, w.Header().Get("Retry-After"))
	}
	w := p.do("POST", "/login", url.Values{"username": {"budi"}, "password": {pw}}, nil)
	assert.Equal(t, http.StatusTooManyRequests, w.Code)
	var e httpauth.Error
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &e))
	assert.Equal(t, auth.CodeLocked, e.Code)
	assert.Equal(t, p.now.Add(15*time.Minute), e.RetryAfter.UTC())
	assert.NotEmpty(t, w.Header().Get("Retry-After"))

	// A password the policy refuses: every rule it breaks, in both
	// languages, and never the password.
	_, err := p.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "siti", Password: "siti1"})
	require.ErrorIs(t, err, password.ErrPolicy)
	rec := httptest.NewRecorder()
	httpauth.WriteError(rec, err)
	assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
	e = httpauth.Error{}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
	assert.Equal(t, auth.CodePolicy, e.Code)
	assert.Equal(t, []string{"password"}, e.Fields)
	require.NotEmpty(t, e.Violations)
	for _, v := range e.Violations {
		assert.NotEmpty(t, v["id"])
		assert.NotEmpty(t, v["en"])
	}
	assert.NotContains(t, rec.Body.String(), "siti1")

	rec = httptest.NewRecorder()
	httpauth.WriteError(rec, errors.New("pq: connection refused to 10.0.0.5"))
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.NotContains(t, rec.Body.String(), "10.0.0.5")
}

func TestLocale(t *testing.T) {
	s, err := httpauth.New(httpauth.Config{Auth: newPortal(t, httpauth.Config{}).auth})
	require.NoError(t, err)
	for _, c := range []struct{ cookie, accept, want string }{
		{"", "", "id"},
		{"", "en-US,en;q=0.9", "en"},
		{"", "fr-FR, id;q=0.8", "id"},
		{"en", "id", "en"},
		{"xx", "en", "en"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if c.cookie != "" {
			r.AddCookie(&http.Cookie{Name: "lang", Value: c.cookie})
		}
		r.Header.Set("Accept-Language", c.accept)
		assert.Equal(t, c.want, s.Locale(r), "%+v", c)
	}
}

// TestAcceptLocale: the header's preference, by weight, region and alias,
// decides between Indonesian and English; anything else is Indonesian.
func TestAcceptLocale(t *testing.T) {
	for _, c := range []struct{ accept, want string }{
		{"", "id"},
		{"en", "en"},
		{"en-US,en;q=0.9", "en"},
		{"en-GB;q=0.6, id;q=0.9", "id"},
		{"id;q=0.2, en;q=0.8", "en"},
		{"fr-FR, de;q=0.9, en;q=0.5", "en"},
		{"fr-FR, de;q=0.9", "id"},
		{"in", "id"},
		{"in-ID, en;q=0.5", "id"},
		{"ms-MY, en;q=0.1", "en"}, // Malay is not Indonesian to the matcher; English was accepted
		{"*", "id"},
		{"en;q=0", "id"},
		{"en;q=abc", "id"},
		{";;;,,,", "id"},
		{strings.Repeat("en-US,", 200) + "en", "id"}, // longer than 1 KiB
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", c.accept)
		assert.Equal(t, c.want, httpauth.AcceptLocale(r), "%q", c.accept)
	}
}

// TestPendingAndDeviceCookies: the cookies of the second step and of a
// remembered device carry the session cookie's attributes and expiries.
func TestPendingAndDeviceCookies(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	sfr := &auth.SecondFactorRequired{Pending: "pending-token", ExpiresAt: p.now.Add(5 * time.Minute)}
	w := httptest.NewRecorder()
	assert.True(t, p.sess.SetPending(w, sfr))
	assert.False(t, p.sess.SetPending(w, auth.ErrInvalidCredentials), "another error sets nothing")
	p.sess.SetDevice(w, &auth.RememberedDevice{Token: "device-token", ExpiresAt: p.now.Add(30 * 24 * time.Hour), Realm: "lpse"})
	p.sess.SetDevice(w, nil)
	cs := w.Result().Cookies()
	require.Len(t, cs, 2)
	for _, c := range cs {
		assert.True(t, strings.HasPrefix(c.Name, "__Host-masuk-"), c.Name)
		assert.True(t, c.Secure && c.HttpOnly)
		assert.Equal(t, http.SameSiteLaxMode, c.SameSite)
		assert.Equal(t, "/", c.Path)
	}
	assert.Equal(t, sfr.ExpiresAt, cs[0].Expires.UTC())
	r := httptest.NewRequest("GET", "/", nil)
	for _, c := range cs {
		r.AddCookie(c)
	}
	assert.Equal(t, "pending-token", p.sess.Pending(r))
	assert.Equal(t, "device-token", p.sess.Device(r, "lpse"))
	assert.Equal(t, "", p.sess.Device(r, "sapk"), "each realm its own device cookie")
	w = httptest.NewRecorder()
	p.sess.ClearPending(w)
	assert.Equal(t, -1, w.Result().Cookies()[0].MaxAge)
	assert.Equal(t, "", p.sess.Pending(httptest.NewRequest("GET", "/", nil)))
}

// Found in review, fixed: a __Host- name with Insecure, a cross-origin or
// middleware-less "log out everywhere", and "not found" answered as 503.
func TestReviewFixes(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	_, err := httpauth.New(httpauth.Config{Auth: p.auth, Insecure: true, CookieName: "__Host-x"})
	require.Error(t, err)

	c1, c2 := p.login(), p.login()
	assert.Positive(t, c1.MaxAge)
	w := p.do("POST", "/logout", url.Values{"everywhere": {"1"}}, c1, "Origin", "https://blog.portal.example", "Sec-Fetch-Site", "same-site")
	assert.Equal(t, http.StatusForbidden, w.Code)
	assert.Equal(t, http.StatusOK, p.do("GET", "/me", nil, c2).Code)

	// Without Middleware in front, "everywhere" still ends every session.
	bare := p.sess.LogoutHandler("")
	r := httptest.NewRequest("POST", "https://portal.example/logout", strings.NewReader("everywhere=1"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(c1)
	rec := httptest.NewRecorder()
	bare.ServeHTTP(rec, r)
	assert.Equal(t, http.StatusNoContent, rec.Code)
	assert.Equal(t, http.StatusUnauthorized, p.do("GET", "/me", nil, c2).Code)

	rec = httptest.NewRecorder()
	httpauth.WriteError(rec, fmt.Errorf("auth: revoke session: %w", store.ErrNotFound))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	rec = httptest.NewRecorder()
	httpauth.WriteError(rec, auth.ErrWrongState)
	assert.Equal(t, http.StatusConflict, rec.Code)
}

// TestWriteErrorAfterAHostEditsAnOutcome: a host that renames the fields
// of one auth.Outcome for its own form ("nip" for "username") changes
// nothing that WriteError, or the next Classify, says.
func TestWriteErrorAfterAHostEditsAnOutcome(t *testing.T) {
	o := auth.Classify(auth.ErrInvalidCredentials)
	require.Equal(t, []string{"username", "password"}, o.Fields)
	o.Fields[0] = "nip"

	rec := httptest.NewRecorder()
	httpauth.WriteError(rec, auth.ErrInvalidCredentials)
	var e httpauth.Error
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &e))
	assert.Equal(t, []string{"username", "password"}, e.Fields)
	assert.Equal(t, []string{"username", "password"}, auth.Classify(auth.ErrInvalidCredentials).Fields)
}

// TestEnrollmentAnswers: a login stopped at its first enrollment answers
// with the methods and the expiry, never the pending enrollment itself,
// and keeps it in the pending cookie, whose Max-Age counts on Config.Now.
func TestEnrollmentAnswers(t *testing.T) {
	p := newPortal(t, httpauth.Config{})
	er := &auth.EnrollmentRequired{Pending: "secret-pending", Methods: []auth.Method{auth.MethodTOTP}, ExpiresAt: p.now.Add(5 * time.Minute)}
	w := httptest.NewRecorder()
	httpauth.WriteError(w, fmt.Errorf("login: %w", er))
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.NotContains(t, w.Body.String(), "secret-pending")
	var body httpauth.Error
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body))
	assert.Equal(t, auth.CodeEnrollmentRequired, body.Code)
	require.NotNil(t, body.Enrollment)
	assert.Equal(t, []auth.Method{auth.MethodTOTP}, body.Enrollment.Methods)
	assert.Equal(t, er.ExpiresAt, body.Enrollment.ExpiresAt.UTC())

	// The portal's clock is a fixed date in the past: Max-Age is counted
	// on it, not on the wall clock.
	sess, err := httpauth.New(httpauth.Config{Auth: p.auth, Now: p.clock})
	require.NoError(t, err)
	w = httptest.NewRecorder()
	require.True(t, sess.SetPending(w, er))
	c := w.Result().Cookies()[0]
	assert.Equal(t, "secret-pending", c.Value)
	assert.Equal(t, 300, c.MaxAge)
}

// TestRequestCarriesTheSession: Request passes the session cookie's token
// on, so that auth can let a recently proved session's sensitive actions
// skip the password; without the cookie it carries none.
func TestRequestCarriesTheSession(t *testing.T) {
	p := newPortal(t, httpauth.Config{Insecure: true})
	r := httptest.NewRequest(http.MethodPost, "/akun/keamanan", nil)
	assert.Empty(t, p.sess.Request(r).Session)
	r.AddCookie(&http.Cookie{Name: "masuk", Value: "selector.secret"})
	assert.Equal(t, "selector.secret", p.sess.Request(r).Session)
}

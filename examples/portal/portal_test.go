package main

import (
	"context"
	"encoding/base32"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/totp"
)

// zeros makes every captcha answer "000000", so that tests can solve it.
var zeros zeroRand

// zeroRand is a random source whose every byte is zero.
type zeroRand struct{}

func (zeroRand) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type portal struct {
	t     *testing.T
	app   *app
	srv   *httptest.Server
	clock *authtest.Clock
}

// newPortal starts a portal on a test server, with the configuration
// the changes give.
func newPortal(t *testing.T, changes ...func(*config)) *portal {
	t.Helper()
	// The fake clock starts at the real time: the cookie jar expires
	// cookies by the real clock.
	clk := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
	cfg := config{
		BaseURL:     "http://127.0.0.1:8080",
		SQLite:      filepath.Join(t.TempDir(), "portal.db"),
		Now:         clk.Now,
		CaptchaRand: zeros,
	}
	for _, change := range changes {
		change(&cfg)
	}
	a, h, err := newApp(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, a.Close())
	})
	return &portal{t: t, app: a, srv: srv, clock: clk}
}

// browser is one person's browser: a cookie jar that follows redirects.
type browser struct {
	p *portal
	c *http.Client
	// url is where the last answer came from, after redirects.
	url *url.URL
}

func (p *portal) browser() *browser {
	jar, err := cookiejar.New(nil)
	require.NoError(p.t, err)
	return &browser{p: p, c: &http.Client{Jar: jar}}
}

func (b *browser) do(req *http.Request) (int, string) {
	b.p.t.Helper()
	req.Header.Set("Accept", "text/html")
	resp, err := b.c.Do(req)
	require.NoError(b.p.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.p.t, err)
	b.url = resp.Request.URL
	return resp.StatusCode, html.UnescapeString(string(body))
}

func (b *browser) get(path string) (int, string) {
	req, err := http.NewRequest(http.MethodGet, b.p.srv.URL+path, nil)
	require.NoError(b.p.t, err)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	req, err := http.NewRequest(http.MethodPost, b.p.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(b.p.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// login posts the login form and returns the page it ends on.
func (b *browser) login(realm, username, password string, extra ...string) (int, string) {
	f := url.Values{"username": {username}, "password": {password}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return b.post("/"+realm+"/masuk", f)
}

// mail waits for the newest email to an address.
func (p *portal) mail(to string) notify.Message {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := p.app.outbox.Wait(ctx, to)
	require.NoError(p.t, err)
	return m
}

// mailOf waits for the newest email of one purpose to an address: a
// message sent in the background (a reset link) may arrive after an
// earlier one to the same address (the lock notice), and Wait alone
// would return that one.
func (p *portal) mailOf(to string, purpose notify.Purpose) notify.Message {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ms := p.app.outbox.Messages()
		for i := len(ms) - 1; i >= 0; i-- {
			if ms[i].To == to && ms[i].Purpose == purpose {
				return ms[i]
			}
		}
		if time.Now().After(deadline) {
			require.FailNow(p.t, "no message", "%v to %s", purpose, to)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pathOf turns a link from an email (built from the base URL) into a path
// on the test server.
func pathOf(t *testing.T, link string) string {
	u, err := url.Parse(link)
	require.NoError(t, err)
	return u.RequestURI()
}

// manualKey reads the authenticator key an enrollment page shows, in its
// groups of four.
func manualKey(t *testing.T, body string) []byte {
	t.Helper()
	key := find(t, body, `<code class="key">((?:<span>[A-Z2-7]+</span> ?)+)</code>`)
	key = regexp.MustCompile(`</?span>| `).ReplaceAllString(key, "")
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key)
	require.NoError(t, err)
	return secret
}

func find(t *testing.T, body, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(body)
	require.NotNil(t, m, "no %q in the page", pattern)
	return m[1]
}

const (
	npwp     = "01.312.166.0-091.000"
	nip      = "198609262015051001"
	sapkPass = "Rahasia2026kita"
)

// activeSAPK registers and activates a SAPK account.
func (p *portal) activeSAPK(b *browser, email string) {
	t := p.t
	status, body := b.post("/sapk/daftar", url.Values{"consent": {"1"}, "username": {nip}, "name": {"Siti Aminah"}, "email": {email},
		"password": {sapkPass}, "password2": {sapkPass}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "reg.done.code"))
	m := p.mail(email)
	assert.Contains(t, m.Text, "Yth. Siti Aminah,", "a civil servant is greeted by name")
	code, ok := notify.ExtractCode(m)
	require.True(t, ok)
	status, body = b.post("/sapk/aktivasi", url.Values{"identifier": {nip}, "flow": {flowOf(t, body)}, "code": {code}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "act.active"))
}

func t2(lang, key string) string { return t(lang, key) }

// flowOf is the flow a page keeps in its hidden field: the code on its way
// redeems only with it.
func flowOf(tb testing.TB, body string) string {
	tb.Helper()
	m := regexp.MustCompile(`name="flow" value="([0-9a-f]+)"`).FindStringSubmatch(body)
	require.Len(tb, m, 2, "the page carries the flow")
	return m[1]
}

func TestLPSERegisterActivateApproveLogin(t *testing.T) {
	p := newPortal(t)
	b := p.browser()

	// A mistyped NPWP is refused with the identifier's own message.
	bad := "01.312.166.0-091.00"
	want := identifiers.Validate(identifiers.NPWP, bad, identifiers.Strict).(*identifiers.Error).Message("id")
	status, body := b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {bad}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"},
		"password": {"pengadaan barang 2026"}, "password2": {"pengadaan barang 2026"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, want)

	status, body = b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"},
		"password": {"pengadaan barang 2026"}, "password2": {"pengadaan barang 2026"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "reg.done.link"))

	// The activation link: its page only shows a button; the POST confirms.
	// The email greets the company by its name, not by its NPWP (issue
	// 17, defect 6).
	activation := p.mail("budi@example.co.id")
	assert.Contains(t, activation.Text, "Yth. PT Contoh,")
	link, ok := notify.ExtractLink(activation)
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(link, "http://127.0.0.1:8080/lpse/aktivasi?token="), link)
	status, body = b.get(pathOf(t, link))
	require.Equal(t, http.StatusOK, status)
	token := find(t, body, `name="token" value="([^"]+)"`)
	status, body = b.post("/lpse/aktivasi", url.Values{"token": {token}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "act.approval"))

	// Waiting for the operator.
	status, body = b.login("lpse", npwp, "pengadaan barang 2026")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, t2("id", "login.pending.approval"))

	// The operator approves, with a reason.
	op := p.browser()
	_, body = op.login("operator", operatorUsername, p.app.seededPassword)
	require.Equal(t, "/operator", op.url.Path, body)
	_, body = op.get("/operator?realm=lpse&state=pending_approval")
	assert.Contains(t, body, npwp)
	id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
	status, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"approve"}, "reason": {""}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "err.reason"))
	p.app.outbox.Reset() // so that the activation's email cannot pass for the approval's
	status, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"approve"}, "reason": {"Dokumen lengkap"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "state.active"))
	assert.Contains(t, body, "Dokumen lengkap")
	approved := p.mail("budi@example.co.id")
	assert.Equal(t, notify.RegistrationApproved, approved.Purpose)
	assert.Equal(t, "id", approved.Locale)

	// A supplier cannot open the operator's pages.
	status, body = b.login("lpse", "013121660091000", "pengadaan barang 2026")
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", b.url.Path)
	assert.Contains(t, body, npwp)
	status, _ = b.get("/operator")
	assert.Equal(t, http.StatusForbidden, status)
}

func TestSAPKResetByCode(t *testing.T) {
	p := newPortal(t)
	b := p.browser()

	// SAPK's policy asks for a capital letter and a digit.
	status, body := b.post("/sapk/daftar", url.Values{"consent": {"1"}, "username": {nip}, "name": {"Siti"}, "email": {"siti@example.go.id"},
		"password": {"rahasiakitasemua"}, "password2": {"rahasiakitasemua"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "huruf kapital")
	p.activeSAPK(b, "siti@example.go.id")

	p.app.outbox.Reset()
	status, body = b.post("/sapk/lupa-sandi", url.Values{"identifier": {nip}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "forgot.sent"))
	assert.Contains(t, body, `name="code"`)
	m := p.mail("siti@example.go.id")
	assert.Equal(t, notify.ResetCode, m.Purpose)
	code, ok := notify.ExtractCode(m)
	require.True(t, ok)
	// The page keeps the request's flow, which the code is bound to.
	flow := []string{"", flowOf(t, body)}

	status, body = b.post("/sapk/atur-sandi", url.Values{"identifier": {nip}, "flow": {flow[1]}, "code": {"000000"}, "password": {"BaruLagi2027x"}, "password2": {"BaruLagi2027x"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, auth.Classify(auth.ErrInvalidToken).Message("id"))
	status, _ = b.post("/sapk/atur-sandi", url.Values{"identifier": {nip}, "code": {code}, "password": {"BaruLagi2027x"}, "password2": {"BaruLagi2027x"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, "without its flow, the code is refused")
	assert.Contains(t, body, auth.Classify(auth.ErrInvalidToken).Message("id"))
	status, body = b.post("/sapk/atur-sandi", url.Values{"identifier": {nip}, "flow": {flow[1]}, "code": {code}, "password": {"BaruLagi2027x"}, "password2": {"BaruLagi2027x"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/sapk/masuk", b.url.Path)
	assert.Contains(t, body, t2("id", "login.reset.done"))

	status, body = b.login("sapk", nip, sapkPass)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, tf("id", "login.invalid", "NIP"))
	_, body = b.login("sapk", nip, "BaruLagi2027x")
	assert.Equal(t, "/akun", b.url.Path, body)
}

// fail makes n failed logins for a username and returns the last page.
func fail(b *browser, realm, username string, n int, extra ...string) (int, string) {
	var status int
	var body string
	for range n {
		status, body = b.login(realm, username, "salah-sekali", extra...)
	}
	return status, body
}

func TestCaptchaAfterThreeFailures(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	_, body := b.get("/sapk/masuk")
	assert.NotContains(t, body, `name="captcha_id"`)
	_, body = fail(b, "sapk", nip, 2)
	assert.Contains(t, body, tf("id", "login.invalid", "NIP"))
	assert.NotContains(t, body, `name="captcha_id"`)
	_, body = fail(b, "sapk", nip, 1)
	id := find(t, body, `name="captcha_id" value="([^"]+)"`)

	// The picture and the sound in both languages.
	for _, q := range []string{"", "&audio=id", "&audio=en"} {
		resp, err := http.Get(p.srv.URL + "/captcha?id=" + id + q)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode)
	}

	// Without an answer the login is refused before the password is
	// checked; "new picture" gives another challenge.
	status, body := b.login("sapk", nip, "salah-sekali")
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, t2("id", "login.captcha.required"))
	id = find(t, body, `name="captcha_id" value="([^"]+)"`)
	_, body = b.post("/sapk/masuk", url.Values{"username": {nip}, "captcha_id": {id}, "refresh": {"1"}})
	id2 := find(t, body, `name="captcha_id" value="([^"]+)"`)
	assert.NotEqual(t, id, id2)
	_, body = b.login("sapk", nip, "salah-sekali", "captcha_id", id2, "captcha", "123456")
	assert.Contains(t, body, t2("id", "login.captcha.invalid"))
}

func TestLockoutAfterFiveFailures(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	_, body := fail(b, "sapk", nip, 3)
	for range 2 {
		id := find(t, body, `name="captcha_id" value="([^"]+)"`)
		_, body = b.login("sapk", nip, "salah-sekali", "captcha_id", id, "captcha", "000000")
	}
	assert.Contains(t, body, "Coba lagi dalam 15 menit")
	// The right password does not open a locked account either.
	status, body := b.login("sapk", nip, sapkPass)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Contains(t, body, "Coba lagi dalam 15 menit")
	p.clock.Advance(10 * time.Minute)
	_, body = b.login("sapk", nip, sapkPass)
	assert.Contains(t, body, "Coba lagi dalam 5 menit")
	// Issue 17, defect 7: English has a singular, Indonesian no plural.
	p.clock.Advance(4 * time.Minute)
	_, body = b.login("sapk", nip, sapkPass)
	assert.Contains(t, body, "Coba lagi dalam 1 menit (pukul")
	b.get("/bahasa?lang=en&next=/sapk/masuk")
	_, body = b.login("sapk", nip, sapkPass)
	assert.Contains(t, body, "Try again in 1 minute (at")
	p.clock.Advance(-3 * time.Minute)
	_, body = b.login("sapk", nip, sapkPass)
	assert.Contains(t, body, "Try again in 4 minutes (at")
}

func TestTOTPEnrollmentAndSecondStep(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	_, body := b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path, body)

	status, body := b.post("/akun/keamanan/totp", url.Values{"password": {sapkPass}, "label": {"Ponsel Siti"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `src="data:image/png;base64,`)
	secret := manualKey(t, body)
	factor := find(t, body, `name="factor_id" value="([^"]+)"`)

	status, body = b.post("/akun/keamanan/totp/konfirmasi", url.Values{"factor_id": {factor}, "code": {"000000"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "enroll.retry"))
	code, err := totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	status, body = b.post("/akun/keamanan/totp/konfirmasi", url.Values{"factor_id": {factor}, "code": {code}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "codes.title"))
	recovery := regexp.MustCompile(`<li><code>([^<]+)</code></li>`).FindAllStringSubmatch(body, -1)
	require.NotEmpty(t, recovery)

	// Log out; the next login asks for the code.
	_, body = b.post("/keluar", nil)
	assert.Equal(t, "/sapk/masuk", b.url.Path)
	assert.Contains(t, body, t2("id", "login.loggedout"))
	status, _ = b.get("/akun")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "/", b.url.Path, "a page that needs a session sends to the home page")

	p.clock.Advance(time.Minute)
	_, body = b.login("sapk", nip, sapkPass)
	require.Equal(t, "/sapk/verifikasi", b.url.Path, body)
	assert.Contains(t, body, t2("id", "sf.totp"))
	assert.Contains(t, body, t2("id", "sf.recovery"))
	_, body = b.post("/sapk/verifikasi?m=totp,recovery", url.Values{"method": {"totp"}, "code": {"000000"}})
	assert.Contains(t, body, auth.Classify(auth.ErrInvalidCode).Message("id"))
	code, err = totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	_, body = b.post("/sapk/verifikasi?m=totp,recovery", url.Values{"method": {"totp"}, "code": {code}, "remember": {"1"}})
	require.Equal(t, "/akun", b.url.Path, body)

	// The remembered device skips the second step; a recovery code works
	// from another browser.
	b.post("/keluar", nil)
	_, body = b.login("sapk", nip, sapkPass)
	assert.Equal(t, "/akun", b.url.Path, body)
	other := p.browser()
	_, body = other.login("sapk", nip, sapkPass)
	require.Equal(t, "/sapk/verifikasi", other.url.Path, body)
	_, body = other.post("/sapk/verifikasi?m=totp,recovery", url.Values{"method": {"recovery"}, "code": {recovery[0][1]}})
	assert.Equal(t, "/akun", other.url.Path, body)

	// Two sessions; "log out everywhere else" ends the other one.
	_, body = b.get("/akun/sesi")
	assert.Contains(t, body, t2("id", "sess.current"))
	assert.Equal(t, 2, strings.Count(body, "<li>"))
	// Issue 17, defect 5: a device by its name, not its raw header (the
	// test's client sends Go's).
	assert.Contains(t, body, `<strong title="Go-http-client/1.1">perangkat tidak dikenal</strong>`)
	_, body = b.post("/akun/sesi/lainnya", nil)
	assert.Contains(t, body, t2("id", "sess.others.done")[:10])
	other.get("/akun")
	assert.Equal(t, "/", other.url.Path)
	_, body = b.get("/akun/aktivitas")
	assert.Contains(t, body, eventLabel("id", "factor.added"))
	assert.Contains(t, body, eventLabel("id", "recovery.used"))
}

func TestLanguageSwitch(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	_, body := b.get("/lpse/masuk")
	assert.Contains(t, body, "Masuk ke LPSE")
	_, body = b.get("/bahasa?lang=en&next=/lpse/masuk")
	assert.Equal(t, "/lpse/masuk", b.url.Path)
	assert.Contains(t, body, "Log in to LPSE")
	assert.Contains(t, body, `<html lang="en">`)

	// The identifier's error in English too.
	bad := "01.312.166.0-091.00"
	want := identifiers.Validate(identifiers.NPWP, bad, identifiers.Strict).(*identifiers.Error).Message("en")
	_, body = b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {bad}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"},
		"password": {"pengadaan barang 2026"}, "password2": {"pengadaan barang 2026"}})
	assert.Contains(t, body, want)

	// The switch never sends anyone to another site.
	b.get("/bahasa?lang=id&next=//evil.example/")
	assert.Equal(t, "/", b.url.Path)
	assert.Equal(t, strings.TrimPrefix(p.srv.URL, "http://"), b.url.Host)
}

func TestCrossOriginPostRefused(t *testing.T) {
	p := newPortal(t)
	form := url.Values{"username": {nip}, "password": {"x"}}.Encode()
	for name, h := range map[string][2]string{
		"origin":         {"Origin", "https://evil.example"},
		"sec-fetch-site": {"Sec-Fetch-Site", "cross-site"},
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/sapk/masuk", strings.NewReader(form))
			require.NoError(t, err)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set(h[0], h[1])
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusForbidden, resp.StatusCode)
		})
	}
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/sapk/masuk", strings.NewReader(form))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.srv.URL)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a same-origin login is let through")
}

func TestSecurityHeaders(t *testing.T) {
	p := newPortal(t)
	resp, err := http.Get(p.srv.URL + "/")
	require.NoError(t, err)
	resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	assert.Contains(t, csp, "frame-ancestors 'none'")
	// Scripts from the portal's own files only (the show-password
	// toggle): never inline script, never another site's.
	assert.Contains(t, csp, "script-src 'self';")
	assert.NotContains(t, csp, "unsafe-inline")
	assert.Contains(t, csp, "default-src 'none'")
	assert.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))
	assert.Equal(t, "DENY", resp.Header.Get("X-Frame-Options"))
	assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"))
}

// TestMessages checks that every message a template asks for exists in
// both languages.
func TestMessages(t *testing.T) {
	names, err := filepath.Glob("templates/*.html")
	require.NoError(t, err)
	keys := regexp.MustCompile(`\.(T|Tf) "([a-z0-9._]+)"`)
	realmKeys := regexp.MustCompile(`\.RealmT "([a-z0-9._]+)"`)
	for _, name := range names {
		b, err := templateFS.ReadFile("templates/" + filepath.Base(name))
		require.NoError(t, err)
		for _, m := range keys.FindAllStringSubmatch(string(b), -1) {
			assert.Contains(t, messages, m[2], "%s", name)
		}
		for _, m := range realmKeys.FindAllStringSubmatch(string(b), -1) {
			for _, r := range portals {
				assert.Contains(t, messages, m[1]+"."+r, "%s", name)
			}
		}
	}
	assert.Empty(t, duplicateMessages, "keys defined by two sets of messages")
	for _, r := range append([]string{operatorRealm}, portals...) {
		assert.Contains(t, messages, "realm."+r)
		assert.Contains(t, messages, "realm."+r+".short")
	}
	for k, v := range messages {
		if !strings.HasPrefix(k, "username.hint.operator") {
			assert.True(t, v[0] != "" && v[1] != "", "message %q", k)
		}
	}
}

func TestPasswordChangeKeepsThisSessionOnly(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	b.login("sapk", nip, sapkPass)
	other := p.browser()
	other.login("sapk", nip, sapkPass)

	status, body := b.post("/akun/sandi", url.Values{"current": {"salah"}, "password": {"GantiSandi2027"}, "password2": {"GantiSandi2027"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "err.password"))
	status, body = b.post("/akun/sandi", url.Values{"current": {sapkPass}, "password": {"GantiSandi2027"}, "password2": {"GantiSandi2027"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "pw.done"))
	b.get("/akun")
	assert.Equal(t, "/akun", b.url.Path, "this browser has a new session")
	other.get("/akun")
	assert.Equal(t, "/", other.url.Path, "the other session ended")
}

func TestEmailCodeSecondFactor(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	b.login("sapk", nip, sapkPass)
	status, body := b.post("/akun/keamanan/email", url.Values{"password": {sapkPass}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "codes.title"))
	b.post("/keluar", nil)

	_, body = b.login("sapk", nip, sapkPass)
	require.Equal(t, "/sapk/verifikasi", b.url.Path, body)
	m := b.url.Query().Get("m")
	assert.Contains(t, m, "email")
	p.app.outbox.Reset()
	_, body = b.post("/sapk/verifikasi?m="+m, url.Values{"method": {"email"}, "send": {"1"}})
	assert.Contains(t, body, "s***@example.go.id")
	code, ok := notify.ExtractCode(p.mail("siti@example.go.id"))
	require.True(t, ok)
	_, body = b.post("/sapk/verifikasi?m="+m, url.Values{"method": {"email"}, "code": {code}})
	assert.Equal(t, "/akun", b.url.Path, body)
}

func TestOperatorUnlockAndDisable(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	_, body := fail(b, "sapk", nip, 3)
	for range 2 {
		id := find(t, body, `name="captcha_id" value="([^"]+)"`)
		_, body = b.login("sapk", nip, "salah-sekali", "captcha_id", id, "captcha", "000000")
	}
	require.Contains(t, body, "Coba lagi dalam")

	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body = op.get("/operator?realm=sapk&q=1986")
	id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
	_, body = op.get("/operator/akun?id=" + id)
	assert.Contains(t, body, "Terkunci sampai")
	_, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"unlock"}, "reason": {"Telepon dari pemilik, identitas dicek"}})
	assert.Contains(t, body, t2("id", "op.lock.none"))

	// The address's failures still ask for a captcha: the unlock ended the
	// account's lock only.
	_, body = b.login("sapk", nip, sapkPass)
	assert.Contains(t, body, t2("id", "login.captcha.required"))
	cid := find(t, body, `name="captcha_id" value="([^"]+)"`)
	_, body = b.login("sapk", nip, sapkPass, "captcha_id", cid, "captcha", "000000")
	require.Equal(t, "/akun", b.url.Path, body)
	_, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"disable"}, "reason": {"Pensiun"}})
	assert.Contains(t, body, t2("id", "state.disabled"))
	b.get("/akun")
	assert.Equal(t, "/", b.url.Path, "a disabled account's session ends at once")
	_, body = b.get("/sapk/masuk")
	cid = find(t, body, `name="captcha_id" value="([^"]+)"`)
	_, body = b.login("sapk", nip, sapkPass, "captcha_id", cid, "captcha", "000000")
	assert.Contains(t, body, tf("id", "login.invalid", "NIP"))
	_, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"enable"}, "reason": {"Salah orang"}})
	assert.Contains(t, body, t2("id", "state.active"))
	p.app.outbox.Reset()
	_, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"force_reset"}, "reason": {"Akun dicurigai"}})
	assert.Contains(t, body, eventLabel("id", "operator.forced_reset"))
	assert.Equal(t, notify.ResetRequired, p.mail("siti@example.go.id").Purpose, "in a realm that resets by code, the owner is told to ask for a code")
}

// TestPages opens every page in both languages, as the person it is for.
func TestPages(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body := op.get("/operator?realm=sapk")
	id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
	b.login("sapk", nip, sapkPass)
	anon := p.browser()
	for _, lang := range []string{"id", "en"} {
		for _, c := range []*browser{b, op, anon} {
			c.get("/bahasa?lang=" + lang)
		}
		for _, path := range []string{"/", "/lpse/masuk", "/lpse/daftar", "/lpse/lupa-sandi", "/lpse/atur-sandi?token=x",
			"/lpse/aktivasi?token=x", "/sapk/aktivasi", "/sapk/lupa-sandi", "/sapk/atur-sandi", "/operator/masuk", "/dev/outbox"} {
			status, body := anon.get(path)
			assert.Equal(t, http.StatusOK, status, "%s %s: %s", lang, path, body)
		}
		for _, path := range []string{"/akun", "/akun/sandi", "/akun/keamanan", "/akun/sesi", "/akun/aktivitas"} {
			status, body := b.get(path)
			assert.Equal(t, http.StatusOK, status, "%s %s: %s", lang, path, body)
			assert.Equal(t, path, b.url.Path)
		}
		for _, path := range []string{"/operator", "/operator?realm=lpse&state=active", "/operator/akun?id=" + id} {
			status, body := op.get(path)
			assert.Equal(t, http.StatusOK, status, "%s %s: %s", lang, path, body)
		}
		status, _ := anon.get("/operator/daftar")
		assert.Equal(t, http.StatusNotFound, status)
	}
}

func TestLPSEResetByLink(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	const pw = "pengadaan barang 2026"
	b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"}, "password": {pw}, "password2": {pw}})
	link, _ := notify.ExtractLink(p.mail("budi@example.co.id"))
	_, body := b.get(pathOf(t, link))
	b.post("/lpse/aktivasi", url.Values{"token": {find(t, body, `name="token" value="([^"]+)"`)}})
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body = op.get("/operator?realm=lpse&state=pending_approval")
	op.post("/operator/akun", url.Values{"id": {find(t, body, `/operator/akun\?id=([0-9a-f]+)`)}, "action": {"approve"}, "reason": {"ok"}})

	p.app.outbox.Reset()
	status, body := b.post("/lpse/lupa-sandi", url.Values{"identifier": {"budi@example.co.id"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "forgot.sent"))
	m := p.mail("budi@example.co.id")
	assert.Equal(t, notify.ResetLink, m.Purpose)
	link, ok := notify.ExtractLink(m)
	require.True(t, ok)
	_, body = b.get(pathOf(t, link))
	token := find(t, body, `name="token" value="([^"]+)"`)
	status, body = b.post("/lpse/atur-sandi", url.Values{"token": {token}, "password": {"password"}, "password2": {"password"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, "a common password is refused, and the link stays usable")
	assert.Contains(t, body, `name="token"`)
	_, body = b.post("/lpse/atur-sandi", url.Values{"token": {token}, "password": {"tender jembatan baru 2027"}, "password2": {"tender jembatan baru 2027"}})
	assert.Contains(t, body, t2("id", "login.reset.done"))
	_, body = b.login("lpse", npwp, "tender jembatan baru 2027")
	assert.Equal(t, "/akun", b.url.Path, body)
}

func TestQuantity(t *testing.T) {
	assert.Equal(t, "1 menit", quantity("id", 1, "minute"))
	assert.Equal(t, "15 menit", quantity("id", 15, "minute"))
	assert.Equal(t, "1 minute", quantity("en", 1, "minute"))
	assert.Equal(t, "15 minutes", quantity("en", 15, "minute"))
	assert.Equal(t, "1 day", quantity("en", 1, "day"))
	assert.Equal(t, "30 hari", quantity("id", 30, "day"))
}

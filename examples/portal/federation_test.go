package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/totp"
)

// The tests of this file hold "Masuk dengan INApas" (issue 20, item 7):
// the portal's configuration, the login through a local OpenID provider
// standing in for INApas, the binding cookie that ties an answer to the
// browser that started, the pages of an answer that logs nobody in, and
// the security page's link and unlink.

// inapasPortal is a portal whose SAPK, BPJS and BPN log in through a
// local provider, as the client "portal-masuk" with a private_key_jwt key.
type inapasPortal struct {
	*portal
	op *oidcprovider.Provider
}

func newINApasPortal(t *testing.T, changes ...func(*config)) *inapasPortal {
	t.Helper()
	op := oidcprovider.New()
	t.Cleanup(op.Close)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalECPrivateKey(key)
	require.NoError(t, err)
	keyFile := filepath.Join(t.TempDir(), "inapas.pem")
	require.NoError(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600))
	p := newLocalhostPortal(t, append([]func(*config){func(c *config) {
		c.INApasIssuer, c.INApasClientID, c.INApasKeyFile, c.INApasKeyID = op.Issuer, "portal-masuk", keyFile, "portal-2026"
	}}, changes...)...)
	op.Now = p.clock.Now
	var uris []string
	for realm := range inapasRealms {
		uris = append(uris, p.srv.URL+"/"+realm+"/inapas/kembali")
	}
	op.Register(oidcprovider.Client{ID: "portal-masuk", RedirectURIs: uris,
		Keys: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "portal-2026", Algorithm: "ES256", Use: "sig"}}}})
	return &inapasPortal{portal: p, op: op}
}

// start opens a realm's "Masuk dengan INApas" (or, with a form, posts
// the security page's link) without following the redirect, keeping the
// binding cookie in b's jar, and returns the provider's URL.
func (p *inapasPortal) start(b *browser, method, path string) string {
	t := p.t
	t.Helper()
	req, err := http.NewRequest(method, p.srv.URL+path, nil)
	require.NoError(t, err)
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, p.op.Issuer+"/authorize?"), loc)
	return loc
}

// approve approves at the provider and returns the path and query of the
// portal's callback it sends the browser to.
func (p *inapasPortal) approve(authURL string) string {
	p.t.Helper()
	back, err := p.op.AuthorizeURL(authURL)
	require.NoError(p.t, err)
	require.True(p.t, strings.HasPrefix(back, p.srv.URL+"/"), back)
	return strings.TrimPrefix(back, p.srv.URL)
}

// TestINApasSAPKLogin: the login page offers "Masuk dengan INApas"; its
// start keeps the binding in an HttpOnly, SameSite=Lax cookie that only
// the realm's start and callback receive, for the time at the provider; approved
// there, a civil servant whose NIP has no account gets one and is signed
// in; the cookie is cleared. The portal's JWKS publishes the client's key.
func TestINApasSAPKLogin(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip, "name": "Siti Aminah"})
	b := p.browser()
	_, body := b.get("/sapk/masuk")
	assert.Contains(t, body, `href="/sapk/inapas"`)
	assert.Contains(t, body, t2("id", "fed.login.button"))
	_, body = b.get("/lpse/masuk")
	assert.NotContains(t, body, "/inapas", "LPSE's accounts are companies'")

	req, err := http.NewRequest(http.MethodGet, p.srv.URL+"/sapk/inapas", nil)
	require.NoError(t, err)
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, resp.Cookies(), 1)
	ck := resp.Cookies()[0]
	assert.Equal(t, "masuk-inapas", ck.Name, "plain http on localhost: no __Secure- prefix")
	assert.Equal(t, "/sapk/inapas", ck.Path, "the start (for a second tab's) and the callback only")
	assert.True(t, ck.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, ck.SameSite)
	assert.True(t, ck.MaxAge > 0 && ck.MaxAge <= 600, "for the ten minutes at the provider: %d", ck.MaxAge)
	assert.NotContains(t, resp.Header.Get("Location"), strings.Split(ck.Value, ".")[1], "the binding never leaves the browser's cookie")
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "form-action 'self' "+p.op.Issuer+";",
		"the forms that link INApas and log out lead there")

	_, body = b.get("/sapk/masuk?next=/akun/sesi")
	assert.Contains(t, body, `href="/sapk/inapas?next=%2fakun%2fsesi"`)
	back := p.approve(p.start(b, http.MethodGet, "/sapk/inapas?next=%2fakun%2fsesi"))
	status, body := b.get(back)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun/sesi", b.url.Path, "where the login was going")
	_, body = b.get("/akun")
	assert.Contains(t, body, nip)
	u, _ := url.Parse(p.srv.URL + "/sapk/inapas/kembali")
	for _, c := range b.c.Jar.Cookies(u) {
		assert.NotEqual(t, "masuk-inapas", c.Name, "the callback cleared the binding")
	}

	_, body = b.get("/.well-known/jwks.json")
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal([]byte(body), &set), body)
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "portal-2026", set.Keys[0].KeyID)
	assert.True(t, set.Keys[0].IsPublic())

	// The session came from INApas: the logout goes there too, and back.
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})
	status, body = b.post("/keluar", url.Values{})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/sapk/masuk", b.url.Path)
	assert.Contains(t, body, t2("id", "login.loggedout"))
	require.Len(t, p.op.Logouts(), 1)
	assert.Equal(t, p.srv.URL+"/sapk/masuk?ok=loggedout", p.op.Logouts()[0].Get("post_logout_redirect_uri"))
}

// TestINApasBinding: an answer is taken only by the browser that
// started, with its cookie, once: a callback without the cookie, with
// another browser's, or replayed, is refused with the page that says to
// start again, and signs nobody in.
func TestINApasBinding(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-rahmat", "kpj": kpj})
	refused := func(b *browser, path string) {
		t.Helper()
		status, body := b.get(path)
		assert.Equal(t, http.StatusUnauthorized, status, body)
		assert.Contains(t, body, t2("id", "fed.refused"))
		_, body = b.get("/akun")
		assert.Equal(t, "/", b.url.Path, "nobody signed in: %s", body)
	}

	// Without the cookie: the answer reached another browser, which
	// neither signs in nor spends it.
	victim, attacker := p.browser(), p.browser()
	back := p.approve(p.start(victim, http.MethodGet, "/bpjs/inapas"))
	refused(attacker, back)

	// With another browser's cookie: each start is bound to its own.
	p.start(attacker, http.MethodGet, "/bpjs/inapas")
	back = p.approve(p.start(victim, http.MethodGet, "/bpjs/inapas"))
	refused(attacker, back)

	// Replayed: the first use signs in, the second (the cookie put back)
	// is refused.
	b := p.browser()
	auth := p.start(b, http.MethodGet, "/bpjs/inapas")
	u, _ := url.Parse(p.srv.URL + "/bpjs/inapas/kembali")
	saved := b.c.Jar.Cookies(u)
	back = p.approve(auth)
	status, body := b.get(back)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", b.url.Path)
	replay := p.browser()
	replay.c.Jar.SetCookies(u, saved)
	refused(replay, back)

	// The person cancelled at INApas.
	b = p.browser()
	auth = p.start(b, http.MethodGet, "/bpjs/inapas")
	q, _ := url.Parse(auth)
	refused(b, "/bpjs/inapas/kembali?error=access_denied&state="+url.QueryEscape(q.Query().Get("state")))
}

// TestINApasNotLinked: an INApas identity whose NIP names an account
// with a password is not let in (a squatter's account must not receive
// its owner's logins, nor the other way round): the page says to log in
// with the password and link INApas on the security page. There, after
// the login's password, "Hubungkan INApas" links it; the section lists
// it with when; INApas then logs in; "Putuskan" unlinks it.
func TestINApasNotLinked(t *testing.T) {
	p := newINApasPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})

	status, body := b.get(p.approve(p.start(b, http.MethodGet, "/sapk/inapas")))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, body, tf("id", "fed.notlinked", "NIP"))
	assert.Contains(t, body, `href="/sapk/masuk"`)

	_, body = b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path, body)
	_, body = b.get("/akun/keamanan")
	assert.Contains(t, body, t2("id", "fed.none"))
	assert.Contains(t, body, `action="/akun/keamanan/inapas"`)
	status, body = b.get(p.approve(p.start(b, http.MethodPost, "/akun/keamanan/inapas")))
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun/keamanan", b.url.Path)
	assert.Contains(t, body, t2("id", "fed.linked.done"))
	assert.Contains(t, body, tf("id", "fed.linked.on", stamp("id", p.clock.Now())))
	assert.Contains(t, body, t2("id", "pk.unused"))
	assert.Contains(t, body, `action="/akun/keamanan/inapas/putuskan"`)

	other := p.browser()
	status, body = other.get(p.approve(p.start(other, http.MethodGet, "/sapk/inapas")))
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", other.url.Path)
	_, body = other.get("/akun/keamanan")
	assert.NotContains(t, body, t2("id", "pk.unused"), "last used now")

	status, body = b.post("/akun/keamanan/inapas/putuskan", url.Values{})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "fed.unlinked.done"))
	assert.Contains(t, body, t2("id", "fed.none"))
}

// TestINApasLastWayIn: an account INApas made has no password: unlinking
// INApas would leave no way in, which the section says beside its button.
func TestINApasLastWayIn(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})
	b := p.browser()
	_, _ = b.get(p.approve(p.start(b, http.MethodGet, "/sapk/inapas")))
	require.Equal(t, "/akun", b.url.Path)
	status, body := b.post("/akun/keamanan/inapas/putuskan", url.Values{})
	assert.Equal(t, http.StatusConflict, status, body)
	assert.Contains(t, body, `id="inapas-error"`)
	assert.Contains(t, body, "Ini satu-satunya cara masuk")
}

// bpnWithApp registers and activates a BPN partner, logs in with the
// password and enrolls an authenticator app, as BPN requires: b ends
// signed in. It returns the app's key.
func (p *inapasPortal) bpnWithApp(b *browser, username, email string) []byte {
	t := p.t
	t.Helper()
	status, body := b.post("/bpn/daftar", url.Values{"consent": {"1"}, "username": {username}, "name": {"Sari Wulandari, S.H., M.Kn."},
		"email": {email}, "password": {bpnPass}, "password2": {bpnPass}})
	require.Equal(t, http.StatusOK, status, body)
	link, ok := notify.ExtractLink(p.mail(email))
	require.True(t, ok)
	_, body = b.get(pathOf(t, link))
	status, body = b.post("/bpn/aktivasi", url.Values{"token": {find(t, body, `name="token" value="([^"]+)"`)}})
	require.Equal(t, http.StatusOK, status, body)
	_, body = b.login("bpn", username, bpnPass)
	require.Equal(t, "/bpn/pasang-verifikasi", b.url.Path, body)
	status, body = b.post(b.url.RequestURI(), url.Values{"method": {"totp"}})
	require.Equal(t, http.StatusOK, status, body)
	secret := manualKey(t, body)
	code, err := totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	status, body = b.post("/bpn/pasang-verifikasi/konfirmasi", url.Values{"factor_id": {find(t, body, `name="factor_id" value="([^"]+)"`)}, "code": {code}})
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, t2("id", "codes.title"))
	return secret
}

// TestINApasBPN: BPN links only a signed-in account: INApas alone finds
// none, whatever its claims; linked after the password, INApas logs in,
// and BPN's own second factor follows (no -inapas-accept-mfa), on the
// portal's second-step page.
func TestINApasBPN(t *testing.T) {
	p := newINApasPortal(t)
	b := p.browser()
	secret := p.bpnWithApp(b, "sari.notaris", "sari@notaris.example.id")
	p.op.SignIn(map[string]any{"sub": "inapas-sari", "nip": nip, "email": "sari@notaris.example.id", "email_verified": true})

	anon := p.browser()
	status, body := anon.get(p.approve(p.start(anon, http.MethodGet, "/bpn/inapas")))
	assert.Equal(t, http.StatusForbidden, status, body)
	assert.Contains(t, body, tf("id", "fed.notlinked", (&view{Lang: "id", Username: p.app.realms[bpnRealm].Realm.Username}).IDName()))

	status, body = b.get(p.approve(p.start(b, http.MethodPost, "/akun/keamanan/inapas")))
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "fed.linked.done"))

	status, body = anon.get(p.approve(p.start(anon, http.MethodGet, "/bpn/inapas")))
	require.Equal(t, http.StatusOK, status, body)
	require.Equal(t, "/bpn/verifikasi", anon.url.Path, body)
	assert.Contains(t, body, t2("id", "fed.sf.intro"))
	assert.NotContains(t, body, t2("id", "sf.intro"), "no password was typed")
	p.clock.Advance(30 * time.Second)
	code, err := totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	status, body = anon.post(anon.url.RequestURI(), url.Values{"method": {"totp"}, "code": {"000000"}})
	require.Equal(t, http.StatusUnauthorized, status, body)
	assert.Contains(t, body, t2("id", "fed.sf.intro"), "still, after a wrong code")
	status, body = anon.post(anon.url.RequestURI(), url.Values{"method": {"totp"}, "code": {code}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", anon.url.Path)
	assert.Contains(t, body, "sari.notaris")
	status, body = anon.post("/keluar", url.Values{})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/bpn/masuk", anon.url.Path)
	assert.Len(t, p.op.Logouts(), 1, "the session came from INApas, through the second step")
	status, body = b.post("/keluar", url.Values{})
	require.Equal(t, http.StatusOK, status, body)
	assert.Len(t, p.op.Logouts(), 1, "the password's session does not go to INApas")

	// Another partner cannot link the same INApas: the page says so and
	// leads back to the security page.
	other := p.browser()
	p.bpnWithApp(other, "budi.ppat", "budi@ppat.example.id")
	status, body = other.get(p.approve(p.start(other, http.MethodPost, "/akun/keamanan/inapas")))
	assert.Equal(t, http.StatusConflict, status, body)
	assert.Contains(t, body, t2("id", "fed.failed"))
	assert.Contains(t, body, `href="/akun/keamanan#inapas"`)
}

// TestINApasAcceptMFA: with -inapas-accept-mfa, INApas's own second
// factor stands in for BPN's.
func TestINApasAcceptMFA(t *testing.T) {
	p := newINApasPortal(t, func(c *config) { c.INApasAcceptMFA = []string{"mfa"} })
	b := p.browser()
	p.bpnWithApp(b, "sari.notaris", "sari@notaris.example.id")
	p.op.SignIn(map[string]any{"sub": "inapas-sari", "amr": []string{"pwd", "mfa"}})
	_, _ = b.get(p.approve(p.start(b, http.MethodPost, "/akun/keamanan/inapas")))
	anon := p.browser()
	status, body := anon.get(p.approve(p.start(anon, http.MethodGet, "/bpn/inapas")))
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", anon.url.Path)
}

// TestINApasConfig: INApas's settings are all or nothing, and refused
// at the start when they could not work.
func TestINApasConfig(t *testing.T) {
	dir := t.TempDir()
	notKey := filepath.Join(dir, "bukan.pem")
	require.NoError(t, os.WriteFile(notKey, []byte("bukan kunci"), 0o600))
	for name, c := range map[string]config{
		"client without issuer": {INApasClientID: "x"},
		"no client":             {INApasIssuer: "https://inapas.example.id", INApasSecret: "s"},
		"no key nor secret":     {INApasIssuer: "https://inapas.example.id", INApasClientID: "x"},
		"key and secret":        {INApasIssuer: "https://inapas.example.id", INApasClientID: "x", INApasSecret: "s", INApasKeyFile: notKey, INApasKeyID: "k"},
		"key without id":        {INApasIssuer: "https://inapas.example.id", INApasClientID: "x", INApasKeyFile: notKey},
		"not a key":             {INApasIssuer: "https://inapas.example.id", INApasClientID: "x", INApasKeyFile: notKey, INApasKeyID: "k"},
		"http issuer":           {INApasIssuer: "http://inapas.example.id", INApasClientID: "x", INApasSecret: "s"},
	} {
		t.Run(name, func(t *testing.T) {
			c.BaseURL, c.SQLite = "http://127.0.0.1:8080", filepath.Join(t.TempDir(), "portal.db")
			_, _, err := newApp(c)
			assert.Error(t, err)
		})
	}
	// With a client secret: no JWKS to publish, an empty set.
	p := newPortal(t, func(c *config) {
		c.INApasIssuer, c.INApasClientID, c.INApasSecret = "https://inapas.example.id", "x", "s"
	})
	_, body := p.browser().get("/.well-known/jwks.json")
	assert.JSONEq(t, `{"keys":[]}`, body)
	_, body = p.browser().get("/bpjs/masuk")
	assert.Contains(t, body, `href="/bpjs/inapas"`)
}

// TestINApasFlags: the flags and the environment set INApas's
// configuration; the secret comes from the environment only.
func TestINApasFlags(t *testing.T) {
	t.Setenv("MASUK_INAPAS_SECRET", "rahasia")
	t.Setenv("MASUK_INAPAS_CLIENT_ID", "portal-env")
	cfg, err := parseFlags([]string{"-inapas-issuer", "https://inapas.example.id", "-inapas-key", "k.pem", "-inapas-key-id", "k1", "-inapas-accept-mfa", "mfa, hwk,"})
	require.NoError(t, err)
	assert.Equal(t, "https://inapas.example.id", cfg.INApasIssuer)
	assert.Equal(t, "portal-env", cfg.INApasClientID)
	assert.Equal(t, "k.pem", cfg.INApasKeyFile)
	assert.Equal(t, "k1", cfg.INApasKeyID)
	assert.Equal(t, "rahasia", cfg.INApasSecret)
	assert.Equal(t, []string{"mfa", "hwk"}, cfg.INApasAcceptMFA)
}

// TestINApasLocked: INApas does not open an account that is locked: the
// page says so, as the login form would.
func TestINApasLocked(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-rahmat", "kpj": kpj})
	b := p.browser()
	_, _ = b.get(p.approve(p.start(b, http.MethodGet, "/bpjs/inapas")))
	require.Equal(t, "/akun", b.url.Path)
	_, _ = b.post("/keluar", url.Values{})

	// Five wrong passwords (BPJS asks for the captcha every time; the
	// test's captcha is all zeros) lock the member until an operator
	// unlocks.
	for range 5 {
		_, body := b.get("/bpjs/masuk")
		b.login("bpjs", kpj, "salah-sekali", "captcha_id", captchaID(body), "captcha", "000000")
	}
	status, body := b.get(p.approve(p.start(b, http.MethodGet, "/bpjs/inapas")))
	assert.Equal(t, http.StatusTooManyRequests, status, body)
	assert.Contains(t, body, t2("id", "fed.failed"))
	_, body = b.get("/akun")
	assert.Equal(t, "/", b.url.Path, "nobody signed in: %s", body)
}

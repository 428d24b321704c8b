package main

import (
	"bytes"
	"encoding/base32"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// The tests of this file hold issue 18's passkeys in the portal: the
// realms' relying party from the base URL, the pages' forms with and
// without script, the operators' -operator-passkeys, and, in Chromium
// with a virtual authenticator, a passkey added on the security page and
// used as the second step and for a login without a password, and
// removed by an operator.

// newLocalhostPortal starts a portal on a test server whose base URL is
// its own address by the name localhost: a passkey is bound to a domain,
// which 127.0.0.1 is not, and browsers make passkeys only in a secure
// context, which http://localhost is. The changes may pick a backend.
func newLocalhostPortal(t *testing.T, changes ...func(*config)) *portal {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://localhost:" + strings.TrimPrefix(l.Addr().String(), "127.0.0.1:")
	clk := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
	cfg := config{
		BaseURL:     base,
		SQLite:      filepath.Join(t.TempDir(), "portal.db"),
		Now:         clk.Now,
		CaptchaRand: zeros,
	}
	for _, change := range changes {
		change(&cfg)
	}
	a, h, err := newApp(cfg)
	if err != nil {
		l.Close()
	}
	require.NoError(t, err)
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	srv.URL = base
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, a.Close())
	})
	return &portal{t: t, app: a, srv: srv, clock: clk}
}

// forBackends runs f on SQLite, and on PostgreSQL with Redis where the
// environment names them (MASUK_TEST_POSTGRES, MASUK_TEST_REDIS; the
// subtest skips otherwise): backend is the change that picks it.
func forBackends(t *testing.T, f func(t *testing.T, backend func(*config))) {
	t.Run("sqlite", func(t *testing.T) { f(t, func(*config) {}) })
	t.Run("postgres+redis", func(t *testing.T) {
		_, schema := testdb.Postgres(t)
		_, prefix := testdb.Redis(t)
		f(t, func(c *config) {
			c.SQLite, c.Postgres, c.Schema = "", os.Getenv(testdb.PostgresEnv), schema
			c.Redis, c.RedisPrefix = os.Getenv(testdb.RedisEnv), prefix
			// Not the development key's file, which PostgreSQL would put
			// in the working folder.
			c.KeyringHex = strings.Repeat("ab", 32)
		})
	})
}

// TestPasskeySite: the realms' passkeys are bound to the base URL's host
// and used on its origin; a base URL on an IP address (the default)
// leaves them off with a warning, and makes -operator-passkeys an error
// rather than operators without passkeys.
func TestPasskeySite(t *testing.T) {
	for _, c := range []struct{ base, rpID, origin string }{
		{"http://localhost:8080", "localhost", "http://localhost:8080"},
		{"https://Portal.Example.go.id", "portal.example.go.id", "https://portal.example.go.id"},
		{"https://portal.example.go.id:443/masuk", "portal.example.go.id", "https://portal.example.go.id"},
		{"https://portal.example.go.id:8443", "portal.example.go.id", "https://portal.example.go.id:8443"},
		{"http://127.0.0.1:8080", "", ""},
		{"http://[::1]:8080", "", ""},
		{"https://203.0.113.5", "", ""},
	} {
		t.Run(c.base, func(t *testing.T) {
			u, err := url.Parse(c.base)
			require.NoError(t, err)
			var log bytes.Buffer
			a := &app{base: u, log: slog.New(slog.NewTextHandler(&log, nil))}
			require.NoError(t, a.passkeySite())
			assert.Equal(t, c.rpID, a.rpID)
			assert.Equal(t, c.origin, a.origin)
			if c.rpID == "" {
				assert.Contains(t, log.String(), "passkeys are off")
				assert.Zero(t, a.passkeys(true), "no realm has passkeys")
				a.cfg.OperatorPasskeys = true
				assert.ErrorContains(t, a.passkeySite(), "-operator-passkeys")
			} else {
				assert.Empty(t, log.String())
				assert.Equal(t, auth.PasskeyPolicy{RPID: c.rpID, Origins: []string{c.origin}, Passwordless: true}, a.passkeys(true))
			}
		})
	}

	// The portal with a base URL on 127.0.0.1, as every other test's:
	// no passkey anywhere on its pages.
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	_, body := b.get("/sapk/masuk")
	assert.NotContains(t, body, "data-passkey")
	b.login("sapk", nip, sapkPass)
	_, body = b.get("/akun/keamanan")
	assert.NotContains(t, body, "/akun/keamanan/passkey")
	_, _, err := newApp(config{BaseURL: "http://127.0.0.1:8080", SQLite: filepath.Join(t.TempDir(), "portal.db"), OperatorPasskeys: true})
	assert.ErrorContains(t, err, "-operator-passkeys")
}

// passkeyForm returns the attributes of the page's form marked
// data-passkey, unescaped.
func passkeyForm(t *testing.T, body string) map[string]string {
	t.Helper()
	tag := regexp.MustCompile(`(?s)<form [^>]*data-passkey="[^>]*>`).FindString(body)
	require.NotEmpty(t, tag, "no passkey form in the page")
	attrs := map[string]string{}
	for _, a := range htmlAttr.FindAllStringSubmatch(tag, -1) {
		attrs[a[1]] = a[2]
	}
	return attrs
}

// TestPasskeyForms: the forms that make and use passkeys carry masuk's
// options in an attribute (no inline script), and the login without a
// password its ceremony in a hidden field, never in an address. Sent
// without the browser's answer (no script), each says why without
// spending its ceremony; sent with an answer that is no passkey's, the
// login is refused as a wrong password is. LPSE offers no login without
// a password; SAPK, BPN and BPJS do.
func TestPasskeyForms(t *testing.T) {
	p := newLocalhostPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")

	for realm, offers := range map[string]bool{lpseRealm: false, sapkRealm: true, bpnRealm: true, bpjsRealm: true, operatorRealm: false} {
		_, body := b.get("/" + realm + "/masuk")
		assert.Equal(t, offers, strings.Contains(body, `action="/`+realm+`/masuk/passkey"`), realm)
	}
	raw := func(path string) string {
		resp, err := b.c.Get(p.srv.URL + path)
		require.NoError(t, err)
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, err = buf.ReadFrom(resp.Body)
		require.NoError(t, err)
		return buf.String()
	}
	page := raw("/sapk/masuk")
	assert.NotRegexp(t, `<script>|<script [^>]*type="application/json"`, page, "no inline script")
	f := passkeyForm(t, page)
	assert.Equal(t, "get", f["data-passkey"])
	assert.Equal(t, "/sapk/masuk/passkey", f["action"], "the ceremony is not in the address")
	assert.Contains(t, f["data-options"], "&#34;publicKey&#34;:", "the options' JSON, escaped in its attribute")
	ceremony := find(t, page, `name="ceremony" value="([^"]+)"`)

	status, body := b.post("/sapk/masuk/passkey", url.Values{"ceremony": {ceremony}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "pk.noscript"))
	status, body = b.post("/sapk/masuk/passkey", url.Values{"ceremony": {ceremony}, "response": {`{"id":"AAAA","type":"public-key"}`}})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, auth.Classify(auth.ErrPasskeyRefused).Message("id"))
	assert.Contains(t, body, `<p class="field-error" id="passkey-error">`, "beside the passkey's button")

	// Each login page's ceremony is stored: past the address's budget
	// (Passkeys.PerAddress, 60 in 10 minutes), the page says until when,
	// and the password still logs in.
	for i := 0; !strings.Contains(body, tf("id", "pk.login.throttled", clock("id", p.clock.Now().Add(10*time.Minute)))); i++ {
		require.Less(t, i, 70)
		_, body = b.get("/sapk/masuk")
	}
	assert.NotContains(t, body, "data-passkey")

	// The security page adds one after its password check; the page that
	// makes it carries the options only, bound to the account in masuk.
	b.login("sapk", nip, sapkPass)
	_, body = b.get("/akun/keamanan")
	assert.Contains(t, body, `<form method="post" action="/akun/keamanan/passkey" class="form">`)
	assert.Contains(t, body, t2("id", "pk.none"))
	status, body = b.post("/akun/keamanan/passkey", url.Values{})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `<form method="post" action="/akun/keamanan/passkey/konfirmasi" class="form"`)
	assert.Contains(t, body, `data-passkey="create"`)
	assert.Contains(t, body, `"residentKey":"required"`, "a realm with logins without a password makes discoverable passkeys")
	assert.NotContains(t, body, `name="ceremony"`)
	status, body = b.post("/akun/keamanan/passkey/konfirmasi", url.Values{"label": {"Ponsel Siti"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "pk.noscript"))
	assert.Contains(t, body, `value="Ponsel Siti"`, "the name typed stays")
	assert.Contains(t, body, `data-passkey="create"`, "a new ceremony, to try again")
	status, body = b.post("/akun/keamanan/passkey/konfirmasi", url.Values{"label": {"Ponsel Siti"}, "response": {`{"id":"AAAA"}`}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "pk.create.refused"))

	// Past the password's window, the page asks for it first.
	p.clock.Advance(11 * time.Minute)
	status, body = b.post("/akun/keamanan/passkey", url.Values{})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "sec.reauth.expired"))
	assert.NotContains(t, body, `data-passkey="create"`)
}

// TestOperatorPasskeys: with -operator-passkeys, an operator's login
// stops at the setup of a passkey, the only factor offered; the page that
// makes it goes on to the operators' pages. Without it, the operator logs
// in with the password (as every other test does).
func TestOperatorPasskeys(t *testing.T) {
	p := newLocalhostPortal(t, func(c *config) { c.OperatorPasskeys = true })
	b := p.browser()
	_, body := b.login(operatorRealm, operatorUsername, p.app.seededPassword)
	require.Equal(t, "/operator/pasang-verifikasi", b.url.Path, body)
	assert.Contains(t, body, tf("id", "setup.intro.passkeyonly", "Portal Masuk Operator"))
	assert.Equal(t, 1, strings.Count(body, `name="method"`), "a passkey, and nothing else")
	assert.Contains(t, body, `name="method" value="passkey"`)
	status, body := b.post("/operator/pasang-verifikasi", url.Values{"method": {"passkey"}, "next": {"/operator"}})
	require.Equal(t, http.StatusOK, status, body)
	f := passkeyForm(t, body)
	assert.Equal(t, "/operator/pasang-verifikasi/passkey", f["action"])
	assert.Contains(t, body, `name="next" value="/operator"`)
	status, body = b.post("/operator/pasang-verifikasi/passkey", url.Values{"next": {"/operator"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "pk.noscript"))

	p = newLocalhostPortal(t)
	b = p.browser()
	b.login(operatorRealm, operatorUsername, p.app.seededPassword)
	assert.Equal(t, "/operator", b.url.Path)
}

// virtualAuthenticator gives the tab a platform authenticator that makes
// discoverable passkeys, verifies its user and is present at once, as a
// phone with a fingerprint reader; its passkeys are synced (backup
// eligible). WebAuthn's domain works on the page loaded: call it after
// the first navigation.
func (b *tab) virtualAuthenticator() webauthn.AuthenticatorID {
	b.c.t.Helper()
	_, err := chromedp.Call(b.ctx, webauthn.Enable, webauthn.EnableParams{})
	require.NoError(b.c.t, err)
	res, err := chromedp.Call(b.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
		DefaultBackupEligibility: true, DefaultBackupState: true,
	}})
	require.NoError(b.c.t, err)
	return res.AuthenticatorID
}

// TestBrowserPasskeys walks a civil servant's passkey in Chromium with a
// virtual authenticator, at a phone's width (375 px), in each language,
// on SQLite and on PostgreSQL with Redis: added on the security page
// (after the login's password, within its window), named and renamed;
// used as the second step after the password; used alone at the login
// page's "log in with a passkey"; removed by an operator with a reason,
// after which it opens nothing. Without script, the passkey's button
// says why. Each page is fully translated and no wider than the screen,
// shot (on SQLite) as lang-375-pk-page.png.
func TestBrowserPasskeys(t *testing.T) {
	forLanguages(t, func(t *testing.T, lang string) {
		forBackends(t, func(t *testing.T, backend func(*config)) {
			p := newLocalhostPortal(t, backend)
			p.activeSAPK(p.browser(), "siti@example.go.id")
			c := newChrome(t, p)
			c.timeout = 3 * time.Minute
			shots := !strings.Contains(t.Name(), "postgres")
			page := func(b *tab, name string) {
				t.Helper()
				assert.Empty(t, untranslated(lang, b.text()), name)
				assert.False(t, eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`), "%s is wider than the screen", name)
				if shots {
					b.shot(lang + "-375-pk-" + name)
				}
			}
			logout := func(b *tab) {
				t.Helper()
				b.click(`header form[action="/keluar"] > button`)
				require.Equal(t, "/sapk/masuk", strings.Split(b.path(), "?")[0])
			}

			b := c.personIn(lang)
			b.do(chromedp.EmulateViewport(375, 800))
			b.login("sapk", nip, sapkPass)
			require.Equal(t, "/akun", b.path())
			authenticator := b.virtualAuthenticator()

			// Added on the security page: the name, then the browser's
			// ceremony; the first recovery codes come with it.
			b.open("/akun/keamanan")
			assert.Contains(t, b.text(), t2(lang, "pk.none"))
			page(b, "keamanan-kosong")
			b.click(`form[action="/akun/keamanan/passkey"] > button`)
			b.fill("#label", "Ponsel Siti")
			page(b, "buat")
			b.click(`#passkey`)
			assert.Contains(t, b.text(), t2(lang, "codes.title"))
			creds, err := chromedp.Call(b.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: authenticator})
			require.NoError(t, err)
			require.Len(t, creds.Credentials, 1)
			assert.Equal(t, "localhost", creds.Credentials[0].RpID)
			assert.True(t, creds.Credentials[0].IsResidentCredential, "discoverable, for the login without a password")
			assert.Equal(t, nip, creds.Credentials[0].UserName)

			b.open("/akun/keamanan")
			text := b.text()
			assert.Contains(t, text, "Ponsel Siti")
			assert.Contains(t, text, t2(lang, "pk.synced"))
			assert.Contains(t, text, t2(lang, "pk.unused"))
			page(b, "keamanan")
			b.fill(`form[action="/akun/keamanan/passkey/nama"] input[name="label"]`, "Ponsel dinas Siti")
			b.click(`form[action="/akun/keamanan/passkey/nama"] > button`)
			assert.Contains(t, b.text(), t2(lang, "pk.renamed"))
			assert.Equal(t, "Ponsel dinas Siti", eval[string](b, `document.querySelector('form[action="/akun/keamanan/passkey/nama"] input[name="label"]').value`))

			// The second step after the password.
			logout(b)
			b.login("sapk", nip, sapkPass)
			require.Equal(t, "/sapk/verifikasi", strings.Split(b.path(), "?")[0])
			assert.Contains(t, b.text(), t2(lang, "sf.passkey.use"))
			page(b, "verifikasi")
			b.click(`#passkey`)
			require.Equal(t, "/akun", b.path(), "the passkey completed the login")

			// The whole login, with no username or password.
			logout(b)
			assert.Contains(t, b.text(), t2(lang, "pk.login.button"))
			page(b, "masuk")
			b.click(`#passkey`)
			require.Equal(t, "/akun", b.path(), "the passkey alone logged in")
			b.open("/akun/keamanan")
			assert.NotContains(t, b.text(), t2(lang, "pk.unused"), "its last use is shown")
			b.open("/akun/aktivitas")
			page(b, "aktivitas")

			// An operator removes it, with a reason (Siti's phone was
			// lost).
			op := c.personIn(lang)
			op.do(chromedp.EmulateViewport(375, 800))
			op.login("operator", operatorUsername, p.app.seededPassword)
			op.open("/operator?realm=sapk&q=" + nip[:6])
			id := regexp.MustCompile(`/operator/akun\?id=([0-9a-f]+)`).FindStringSubmatch(op.html())
			require.NotNil(t, id)
			op.open("/operator/akun?id=" + id[1])
			assert.Contains(t, op.text(), "Ponsel dinas Siti")
			// The browser asks for the reason (required); so does the
			// portal, beside the passkey's own field.
			eval[bool](op, `(() => { document.querySelector('form:has(input[name="passkey_id"]) input[name="reason"]').required = false; return true })()`)
			op.click(`button[name="action"][value="remove_passkey"]`)
			assert.Equal(t, t2(lang, "err.reason"), op.read(chromedp.Text(chromedp.CSS(`form:has(input[name="passkey_id"]) .field-error`))))
			op.fill(`form:has(input[name="passkey_id"]) input[name="reason"]`, "Ponsel hilang, dilaporkan pemilik")
			page(op, "operator-akun")
			op.click(`button[name="action"][value="remove_passkey"]`)
			text = op.text()
			assert.Contains(t, text, tf(lang, "op.done", t2(lang, "action.remove_passkey")))
			assert.Contains(t, text, t2(lang, "op.passkeys.none"))
			assert.Contains(t, text, "Ponsel hilang, dilaporkan pemilik", "the history keeps the reason")
			page(op, "operator-dihapus")

			// The phone still holds it; the portal takes it no more.
			logout(b)
			b.click(`#passkey`)
			assert.Equal(t, "/sapk/masuk/passkey", b.path())
			assert.Contains(t, b.text(), auth.Classify(auth.ErrPasskeyRefused).Message(lang))
			page(b, "masuk-ditolak")

			// Without script, the button says why instead of nothing.
			plain := c.personIn(lang)
			plain.do(chromedp.EmulateViewport(375, 800))
			_, err = chromedp.Call(plain.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			require.NoError(t, err)
			plain.open("/sapk/masuk")
			plain.click(`#passkey`)
			assert.Contains(t, plain.text(), t2(lang, "pk.noscript"))
			if shots {
				plain.shot(lang + "-375-pk-tanpa-skrip")
			}
		})
	})
}

// TestBrowserPasskeySetup: in Chromium with a virtual authenticator, at
// 375 px, in each language, a BPN partner's first login offers a passkey
// first among the factors BPN requires; making it completes the login
// and shows the first recovery codes, and the next login takes it as the
// second step. With -operator-passkeys, an operator's first login offers
// a passkey alone, which completes the login without recovery codes
// (none would open the realm), and the next login asks for nothing else.
// Shot as lang-375-pk-page.png.
func TestBrowserPasskeySetup(t *testing.T) {
	forLanguages(t, func(t *testing.T, lang string) {
		p := newLocalhostPortal(t, func(c *config) { c.OperatorPasskeys = true })
		username, email := "sari."+lang, "sari."+lang+"@notaris.example.id"
		hb := p.browser()
		status, body := hb.post("/bpn/daftar", url.Values{"consent": {"1"}, "username": {username}, "name": {"Sari Wulandari, S.H., M.Kn."},
			"email": {email}, "password": {bpnPass}, "password2": {bpnPass}})
		require.Equal(t, http.StatusOK, status, body)
		link, ok := notify.ExtractLink(p.mail(email))
		require.True(t, ok)
		_, body = hb.get(pathOf(t, link))
		_, body = hb.post("/bpn/aktivasi", url.Values{"token": {find(t, body, `name="token" value="([^"]+)"`)}})
		require.Contains(t, body, t2("id", "act.active"))

		c := newChrome(t, p)
		c.timeout = 2 * time.Minute
		page := func(b *tab, name string) {
			t.Helper()
			assert.Empty(t, untranslated(lang, b.text()), name)
			assert.False(t, eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`), "%s is wider than the screen", name)
			b.shot(lang + "-375-pk-" + name)
		}
		b := c.personIn(lang)
		b.do(chromedp.EmulateViewport(375, 800))
		b.login("bpn", username, bpnPass)
		require.Equal(t, "/bpn/pasang-verifikasi", strings.Split(b.path(), "?")[0])
		assert.Contains(t, b.text(), tf(lang, "setup.intro.passkey", "Portal Masuk Mitra BPN"))
		assert.Equal(t, "passkey", eval[string](b, `document.querySelector('input[name="method"]').value`), "the passkey first")
		page(b, "bpn-pasang-verifikasi")
		b.virtualAuthenticator()
		b.click(`form:has(input[name="method"][value="passkey"]) > button`)
		require.Equal(t, "/bpn/pasang-verifikasi", b.path())
		b.fill("#label", "Laptop kantor notaris")
		page(b, "bpn-buat")
		b.click(`#passkey`)
		text := b.text()
		assert.Contains(t, text, t2(lang, "setup.passkey.done"))
		assert.Contains(t, text, t2(lang, "codes.title"))
		page(b, "bpn-kode-pemulihan")
		b.click(`a.button[href="/akun"]`)
		require.Equal(t, "/akun", b.path())
		b.click(`header form[action="/keluar"] > button`)
		b.login("bpn", email, bpnPass)
		require.Equal(t, "/bpn/verifikasi", strings.Split(b.path(), "?")[0])
		b.click(`#passkey`)
		assert.Equal(t, "/akun", b.path(), "the passkey is the second step")

		op := c.personIn(lang)
		op.do(chromedp.EmulateViewport(375, 800))
		op.login("operator", operatorUsername, p.app.seededPassword)
		require.Equal(t, "/operator/pasang-verifikasi", strings.Split(op.path(), "?")[0])
		assert.Contains(t, op.text(), tf(lang, "setup.intro.passkeyonly", "Portal Masuk Operator"))
		page(op, "operator-pasang-verifikasi")
		op.virtualAuthenticator()
		op.click(`form:has(input[name="method"][value="passkey"]) > button`)
		op.click(`#passkey`)
		require.Equal(t, "/operator", op.path(), "logged in, with no recovery codes to show")
		op.click(`header form[action="/keluar"] > button`)
		op.login("operator", operatorUsername, p.app.seededPassword)
		require.Equal(t, "/operator/verifikasi", strings.Split(op.path(), "?")[0])
		assert.Equal(t, 1, eval[int](op, `document.querySelectorAll("main form").length`), "the passkey, and nothing else")
		page(op, "operator-verifikasi")
		op.click(`#passkey`)
		assert.Equal(t, "/operator", op.path())
	})
}

// TestOperatorPasskeysAfterApp: an operator who set up an authenticator
// app before the portal required passkeys passes it once more, and only
// then sets up a passkey: the password alone never adds one.
func TestOperatorPasskeysAfterApp(t *testing.T) {
	p := newLocalhostPortal(t, func(c *config) { c.OperatorPasskeys = true })
	ctx := t.Context()
	op, err := p.app.auth.Operator(auth.OperatorIdentity{Name: "test", Realms: []string{auth.AnyRealm}})
	require.NoError(t, err)
	accts, err := op.List(ctx, store.AccountQuery{Realm: operatorRealm, Limit: 10})
	require.NoError(t, err)
	require.Len(t, accts, 1)
	e, err := p.app.auth.Factors().BeginTOTP(ctx, auth.FactorChange{AccountID: accts[0].ID, Password: p.app.seededPassword})
	require.NoError(t, err)
	u, err := url.Parse(e.URI)
	require.NoError(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	require.NoError(t, err)
	code, err := totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	_, err = p.app.auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: accts[0].ID, FactorID: e.FactorID, Code: code})
	require.NoError(t, err)
	p.clock.Advance(30 * time.Second)

	b := p.browser()
	_, body := b.login(operatorRealm, operatorUsername, p.app.seededPassword)
	require.Equal(t, "/operator/verifikasi", b.url.Path, body)
	assert.NotContains(t, body, `data-passkey="get"`, "no passkey yet")
	code, err = totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	_, body = b.post("/operator/verifikasi", url.Values{"method": {"totp"}, "code": {code}})
	require.Equal(t, "/operator/pasang-verifikasi", b.url.Path, body)
	assert.Contains(t, body, `name="method" value="passkey"`)
	assert.Equal(t, 1, strings.Count(body, `name="method"`), "a passkey, and nothing else")
}

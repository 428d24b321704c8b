package main

import (
	"html"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
)

// TestINApasVerifyThenFirstPassword: an account INApas made has no
// password. Past the login's window, the security page asks to verify
// with INApas where it would ask for the password; a stale sign-in at
// INApas verifies nothing; a fresh one opens the page, whose "Set a
// password" form then gives the account a first password, which logs in.
func TestINApasVerifyThenFirstPassword(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})
	b := p.browser()
	_, _ = b.get(p.approve(p.start(b, http.MethodGet, "/sapk/inapas")))
	require.Equal(t, "/akun", b.url.Path)

	p.clock.Advance(11 * time.Minute)
	status, body := b.get("/akun/keamanan")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `action="/akun/keamanan/inapas/verifikasi"`)
	assert.Contains(t, body, html.EscapeString(t2("id", "fed.reauth.button")))
	assert.NotContains(t, body, `id="reauth-password"`, "no password to ask for")
	assert.Contains(t, body, `action="/akun/keamanan/kata-sandi"`)
	assert.Contains(t, body, `disabled aria-describedby="reauth-note"`, "the forms wait for the verification")

	status, body = b.post("/akun/keamanan/kata-sandi", url.Values{"password": {"Teh-Manis-Hangat-2026"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, body)
	assert.Contains(t, body, `id="inapas-reauth-error"`)
	assert.Contains(t, body, html.EscapeString(t2("id", "fed.reauth.expired")))

	// INApas let an old sign-in stand: no verification.
	p.op.SetFaults(oidcprovider.Faults{StaleAuthTime: true})
	authURL := p.start(b, http.MethodPost, "/akun/keamanan/inapas/verifikasi")
	q, err := url.Parse(authURL)
	require.NoError(t, err)
	assert.Equal(t, "login", q.Query().Get("prompt"))
	assert.Equal(t, "0", q.Query().Get("max_age"))
	status, body = b.get(p.approve(authURL))
	assert.Equal(t, http.StatusUnauthorized, status, body)
	assert.Contains(t, body, `href="/akun/keamanan#inapas"`)
	p.op.SetFaults(oidcprovider.Faults{})
	status, body = b.post("/akun/keamanan/kata-sandi", url.Values{"password": {"Teh-Manis-Hangat-2026"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, body)

	status, body = b.get(p.approve(p.start(b, http.MethodPost, "/akun/keamanan/inapas/verifikasi")))
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun/keamanan", b.url.Path)
	assert.Contains(t, body, html.EscapeString(t2("id", "fed.reauth.done")))
	assert.NotContains(t, body, `disabled aria-describedby="reauth-note"`)

	status, body = b.post("/akun/keamanan/kata-sandi", url.Values{"password": {"pendek"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, body)
	assert.Contains(t, body, `id="first-password-error"`)
	status, body = b.post("/akun/keamanan/kata-sandi", url.Values{"password": {"Teh-Manis-Hangat-2026"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, html.EscapeString(t2("id", "fed.pw.done")))
	assert.NotContains(t, body, `action="/akun/keamanan/kata-sandi"`, "the account has a password now")
	assert.NotContains(t, body, `action="/akun/keamanan/inapas/verifikasi"`)

	other := p.browser()
	status, body = other.login("sapk", nip, "Teh-Manis-Hangat-2026")
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", other.url.Path, "the first password logs in")
}

// TestINApasVerifyEnglish: the page's texts in English.
func TestINApasVerifyEnglish(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})
	b := p.browser()
	_, _ = b.get(p.approve(p.start(b, http.MethodGet, "/sapk/inapas")))
	p.clock.Advance(11 * time.Minute)
	_, body := b.get("/bahasa?lang=en&next=%2fakun%2fkeamanan")
	assert.Contains(t, body, html.EscapeString(t2("en", "fed.reauth.button")))
	assert.Contains(t, body, html.EscapeString(t2("en", "fed.pw.button")))
}

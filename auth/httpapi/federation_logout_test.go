package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestProviderLogout: POST logout with the provider a session's login
// went through ends the session and answers the provider's logout URL
// (RP-initiated logout), which logs out there; an unknown provider ends
// nothing; an account without that provider still logs out, without a
// URL; without provider, logout answers 204 as before.
func TestProviderLogout(t *testing.T) {
	e := newFedEnv(t)
	who := map[string]any{"sub": "inapas-keluar", "nip": fedNIP}
	tok := str(e.expect(e.providerLogin("sapk", who), http.StatusOK, "").body, "session", "token")

	e.expect(e.post("/sapk/logout", map[string]any{"provider": "bukan-ini"}, tok), http.StatusNotFound, "unknown_provider")
	e.expect(e.get("/sapk/account", tok), http.StatusOK, "")

	out := e.expect(e.post("/sapk/logout", map[string]any{"provider": "inapas"}, tok), http.StatusOK, "")
	logout := str(out.body, "logout_url")
	u, err := url.Parse(logout)
	require.NoError(t, err)
	assert.Equal(t, e.op.Issuer+"/logout", u.Scheme+"://"+u.Host+u.Path)
	assert.Equal(t, "app-sapk", u.Query().Get("client_id"))
	e.expect(e.get("/sapk/account", tok), http.StatusUnauthorized, "unauthenticated")
	resp, err := http.Get(logout)
	require.NoError(t, err)
	resp.Body.Close()
	require.Len(t, e.op.Logouts(), 1, "the app's browser logs out at the provider")

	// An account that has no identity of the provider: no URL.
	e.register("bpn", "notaris.jaya", "notaris@example.go.id", pw)
	tok = e.login("bpn", "notaris.jaya", pw)
	out = e.expect(e.post("/bpn/logout", map[string]any{"provider": "inapas"}, tok), http.StatusOK, "")
	assert.Empty(t, out.body["logout_url"])
	e.expect(e.get("/bpn/account", tok), http.StatusUnauthorized, "unauthenticated")

	// Everywhere: every session ends.
	first := str(e.expect(e.providerLogin("sapk", who), http.StatusOK, "").body, "session", "token")
	second := str(e.expect(e.providerLogin("sapk", who), http.StatusOK, "").body, "session", "token")
	out = e.expect(e.post("/sapk/logout", map[string]any{"provider": "inapas", "everywhere": true}, first), http.StatusOK, "")
	assert.NotEmpty(t, out.body["logout_url"])
	e.expect(e.get("/sapk/account", second), http.StatusUnauthorized, "unauthenticated")

	// Without provider, as before.
	third := str(e.expect(e.providerLogin("sapk", who), http.StatusOK, "").body, "session", "token")
	e.expect(e.post("/sapk/logout", nil, third), http.StatusNoContent, "")
}

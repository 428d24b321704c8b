package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
)

// TestProviderReauthThenFirstPassword: an account the provider made has
// no password; past the login's window it proves its owner again through
// the provider, then sets a first password, which logs in.
func TestProviderReauthThenFirstPassword(t *testing.T) {
	e := newFedEnv(t)
	who := map[string]any{"sub": "inapas-reauth", "nip": fedNIP}
	first := e.expect(e.providerLogin("sapk", who), http.StatusOK, "")
	tok := str(first.body, "session", "token")
	me := e.expect(e.get("/sapk/account", tok), http.StatusOK, "")
	assert.Equal(t, false, me.body["has_password"])

	e.kit.Advance(t, 11*time.Minute)
	e.expect(e.post("/sapk/password/set", map[string]any{"new": "Teh-Manis-Hangat-2026"}, tok), http.StatusUnauthorized, "reauth_required")
	e.expect(e.post("/sapk/identities/inapas/remove", map[string]any{}, tok), http.StatusUnauthorized, "reauth_required")

	// Another person at the provider proves nothing.
	u, binding := e.start("/sapk/reauthenticate/providers/inapas/start", map[string]any{}, tok)
	q, err := url.Parse(u)
	require.NoError(t, err)
	assert.Equal(t, "login", q.Query().Get("prompt"))
	assert.Equal(t, "0", q.Query().Get("max_age"))
	e.expect(e.post("/sapk/reauthenticate/providers/inapas/finish", e.approve(u, binding, map[string]any{"sub": "inapas-stranger", "nip": "199001012015031001"}), tok),
		http.StatusUnauthorized, "federation_refused")
	// Nor does a sign-in the provider let stand from before the start.
	e.op.SetFaults(oidcprovider.Faults{StaleAuthTime: true})
	u, binding = e.start("/sapk/reauthenticate/providers/inapas/start", nil, tok)
	e.expect(e.post("/sapk/reauthenticate/providers/inapas/finish", e.approve(u, binding, who), tok), http.StatusUnauthorized, "federation_refused")
	e.op.SetFaults(oidcprovider.Faults{})
	// Nor a login's answer.
	u, binding = e.start("/sapk/login/providers/inapas/start", nil, "")
	e.expect(e.post("/sapk/reauthenticate/providers/inapas/finish", e.approve(u, binding, who), tok), http.StatusUnauthorized, "federation_refused")
	// Nor a re-authentication's answer brought to a link's finish.
	u, binding = e.start("/sapk/reauthenticate/providers/inapas/start", nil, tok)
	e.expect(e.post("/sapk/identities/inapas/finish", e.approve(u, binding, who), tok), http.StatusUnauthorized, "federation_refused")
	e.expect(e.post("/sapk/password/set", map[string]any{"new": "Teh-Manis-Hangat-2026"}, tok), http.StatusUnauthorized, "reauth_required")

	u, binding = e.start("/sapk/reauthenticate/providers/inapas/start", nil, tok)
	ok := e.expect(e.post("/sapk/reauthenticate/providers/inapas/finish", e.approve(u, binding, who), tok), http.StatusOK, "")
	assert.Equal(t, e.kit.Now().Add(10*time.Minute).UTC().Format(time.RFC3339Nano), str(ok.body, "reauth_until"))

	e.expect(e.post("/sapk/password/set", map[string]any{"new": "pendek"}, tok), http.StatusUnprocessableEntity, "policy")
	e.expect(e.post("/sapk/password/set", map[string]any{"new": "Teh-Manis-Hangat-2026"}, tok), http.StatusNoContent, "")
	e.expect(e.post("/sapk/password/set", map[string]any{"new": "Kopi-Tubruk-Pahit-2026"}, tok), http.StatusConflict, "has_password")
	me = e.expect(e.get("/sapk/account", tok), http.StatusOK, "")
	assert.Equal(t, true, me.body["has_password"], "the session goes on")
	e.expect(e.post("/sapk/login", map[string]any{"username": fedNIP, "password": "Teh-Manis-Hangat-2026"}, ""), http.StatusOK, "")
}

// TestProviderReauthNeedsLinkAndSession: the start needs the bearer's
// session and an identity of the provider linked to the account.
func TestProviderReauthNeedsLinkAndSession(t *testing.T) {
	e := newFedEnv(t)
	e.register("bpn", "notaris.jaya", "notaris@example.go.id", "Teh-Manis-Hangat-2026")
	tok := e.login("bpn", "notaris.jaya", "Teh-Manis-Hangat-2026")
	e.expect(e.post("/bpn/reauthenticate/providers/inapas/start", nil, tok), http.StatusForbidden, "not_linked")
	e.expect(e.post("/bpn/reauthenticate/providers/nope/start", nil, tok), http.StatusNotFound, "unknown_provider")
}

package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/authtest"
)

// TestExportAndErase: the owner downloads the account's data, with its
// history and without a secret; a wrong password erases nothing; the
// right one erases the account, and its token and password with it.
func TestExportAndErase(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "Budi", "budi@example.id", pw)
	tok := e.login("bebas", "budi", pw)

	x := e.expect(e.get("/bebas/account/export", tok), http.StatusOK, "")
	assert.Equal(t, "budi", x.body["username"])
	assert.Equal(t, "Budi", x.body["display_username"])
	assert.Equal(t, "budi@example.id", x.body["email"])
	var logins int
	for _, en := range x.body["activity"].([]any) {
		if obj(en)["kind"] == "login.succeeded" {
			logins++
		}
	}
	assert.Equal(t, 1, logins, "%s", x.raw)
	sessions := x.body["sessions"].([]any)
	require.Len(t, sessions, 1)
	assert.Equal(t, true, obj(sessions[0])["current"])
	raw := string(x.raw)
	assert.NotContains(t, raw, tok, "no session token")
	assert.NotContains(t, raw, authtest.Prefix, "no password hash")
	assert.NotContains(t, raw, pw)

	// A wrong password erases nothing.
	e.expect(e.post("/bebas/account/erase", map[string]any{"password": "salah sekali"}, tok), http.StatusUnauthorized, "wrong_password")
	e.expect(e.get("/bebas/account", tok), http.StatusOK, "")

	e.expect(e.post("/bebas/account/erase", map[string]any{"password": pw}, tok), http.StatusNoContent, "")
	e.expect(e.get("/bebas/account", tok), http.StatusUnauthorized, "unauthenticated")
	e.expect(e.get("/bebas/account/export", tok), http.StatusUnauthorized, "unauthenticated")
	e.expect(e.post("/bebas/login", map[string]any{"username": "budi", "password": pw}, ""), http.StatusUnauthorized, "invalid_credentials")
	// The username and email are free again.
	e.register("bebas", "budi", "budi@example.id", pw)
}

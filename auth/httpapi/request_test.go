package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/httpapi"
)

func TestCORS(t *testing.T) {
	e := newEnv(t)
	preflight := func(from string) answer {
		return e.send(call{method: http.MethodOptions, path: "/bebas/login", unlisted: true, header: map[string]string{
			"Origin": from, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, authorization"}})
	}
	ok := preflight(origin)
	assert.Equal(t, http.StatusNoContent, ok.status)
	assert.Equal(t, origin, ok.header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, ok.header.Get("Access-Control-Allow-Headers"), "Authorization")
	assert.Contains(t, ok.header.Get("Access-Control-Allow-Methods"), "POST")
	assert.Contains(t, ok.header.Values("Vary"), "Origin")
	assert.Empty(t, ok.header.Get("Access-Control-Allow-Credentials"))

	refused := preflight("https://evil.example")
	e.expect(refused, http.StatusForbidden, "origin_not_allowed")
	assert.Empty(t, refused.header.Get("Access-Control-Allow-Origin"))

	// The request itself: allowed from the listed origin, refused from
	// another, whatever it asks.
	e.register("bebas", "budi", "budi@example.id", pw)
	login := map[string]any{"username": "budi", "password": pw}
	a := e.send(call{method: http.MethodPost, path: "/bebas/login", body: login, header: map[string]string{"Origin": origin}})
	e.expect(a, http.StatusOK, "")
	assert.Equal(t, origin, a.header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, a.header.Values("Vary"), "Origin")
	e.expect(e.send(call{method: http.MethodPost, path: "/bebas/login", body: login, header: map[string]string{"Origin": "https://evil.example"}}),
		http.StatusForbidden, "origin_not_allowed")
	// A page of the API's own origin needs no listing.
	same := e.send(call{method: http.MethodPost, path: "/bebas/login", body: login, header: map[string]string{"Origin": e.srv.URL}})
	e.expect(same, http.StatusOK, "")
	assert.Empty(t, same.header.Get("Access-Control-Allow-Origin"))
}

func TestRequestErrors(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "budi", "budi@example.id", pw)
	login := `{"username": "budi", "password": "` + pw + `"}`
	raw := func(body, contentType string) answer {
		return e.send(call{method: http.MethodPost, path: "/bebas/login", raw: []byte(body), contentType: contentType, invalid: true})
	}

	e.expect(raw(login, "text/plain"), http.StatusUnsupportedMediaType, "unsupported_media_type")
	e.expect(raw(login, ""), http.StatusUnsupportedMediaType, "unsupported_media_type")
	e.expect(raw(login, "application/json; charset=utf-8"), http.StatusOK, "")
	big := e.expect(raw(`{"username": "`+strings.Repeat("a", 20<<10)+`"}`, "application/json"), http.StatusRequestEntityTooLarge, "request_too_large")
	assert.Equal(t, "Permintaan terlalu besar.", str(big.body, "error", "message"))

	unknown := e.expect(raw(`{"username": "budi", "password": "x", "admin": true}`, "application/json"), http.StatusBadRequest, "malformed_request")
	fields := unknown.body["error"].(map[string]any)["fields"].([]any)
	require.Len(t, fields, 1)
	assert.Equal(t, map[string]any{"field": "admin", "code": "unknown_field", "message": "Isian ini tidak dikenal."}, fields[0])
	typed := e.expect(raw(`{"username": 42, "password": "x"}`, "application/json"), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, "invalid_type", obj(typed.body["error"].(map[string]any)["fields"].([]any)[0])["code"])
	e.expect(raw(login+login, "application/json"), http.StatusBadRequest, "malformed_request")
	e.expect(raw(login+" garbage", "application/json"), http.StatusBadRequest, "malformed_request")
	e.expect(raw(`["budi"]`, "application/json"), http.StatusBadRequest, "malformed_request")
	e.expect(raw(`null`, "application/json"), http.StatusBadRequest, "malformed_request")
	e.expect(raw(``, "application/json"), http.StatusBadRequest, "malformed_request")

	// A 10,000-character username is an ordinary wrong login, and an
	// invalid username at registration: never a 5xx, nothing stored.
	long := strings.Repeat("a", 10000)
	e.expect(e.post("/bebas/login", map[string]any{"username": long, "password": pw}, ""), http.StatusUnauthorized, "invalid_credentials")
	reg := e.expect(e.post("/bebas/register", map[string]any{"username": long, "email": "x@example.id", "password": pw}, ""), http.StatusUnprocessableEntity, "username_invalid")
	assert.Equal(t, "username", obj(reg.body["error"].(map[string]any)["fields"].([]any)[0])["field"])
	e.expect(e.post("/bebas/register", map[string]any{"username": "x", "email": "x@example.id", "password": pw}, ""), http.StatusAccepted, "")

	// Paths and methods the API does not have, and realms it does not serve.
	e.expect(e.send(call{method: http.MethodGet, path: "/bebas/nothing", unlisted: true}), http.StatusNotFound, "not_found")
	wrong := e.expect(e.send(call{method: http.MethodGet, path: "/bebas/login", unlisted: true}), http.StatusMethodNotAllowed, "method_not_allowed")
	assert.Equal(t, "POST", wrong.header.Get("Allow"))
	e.expect(e.send(call{method: http.MethodPost, path: "/operator/login", body: map[string]any{"username": "x", "password": "y"}, invalid: true}),
		http.StatusNotFound, "unknown_realm")
	e.expect(e.send(call{method: http.MethodPost, path: "/Tidak Ada/login", body: map[string]any{"username": "x", "password": "y"}, invalid: true}),
		http.StatusNotFound, "unknown_realm")
	e.expect(e.send(call{method: http.MethodGet, path: "/bebas/account", invalid: true}), http.StatusUnauthorized, "unauthenticated")
	e.expect(e.send(call{method: http.MethodGet, path: "/bebas/account", header: map[string]string{"Authorization": "Basic YnVkaTp4"}, invalid: true}),
		http.StatusUnauthorized, "unauthenticated")
}

// TestSingleRealm: with Config.Realm the paths have no realm segment, and
// the document served says so.
func TestSingleRealm(t *testing.T) {
	e := newEnv(t, func(c *httpapi.Config) { c.Realm, c.Realms = "bebas", nil })
	e.register("", "budi", "budi@example.id", pw)
	tok := e.login("", "budi", pw)
	e.expect(e.get("/account", tok), http.StatusOK, "")
	e.expect(e.send(call{method: http.MethodPost, path: "/bebas/login", unlisted: true}), http.StatusNotFound, "not_found")
}

func TestNewRefuses(t *testing.T) {
	kit := authtest.New(t, auth.Config{Realms: realms()})
	for name, cfg := range map[string]httpapi.Config{
		"no auth":          {},
		"wildcard origin":  {Auth: kit.Auth, AllowedOrigins: []string{"*"}},
		"origin with path": {Auth: kit.Auth, AllowedOrigins: []string{"https://app.example.go.id/"}},
		"base path":        {Auth: kit.Auth, BasePath: "api/"},
		"unknown realm":    {Auth: kit.Auth, Realm: "tidak-ada"},
		"unknown realms":   {Auth: kit.Auth, Realms: []string{"bebas", "tidak-ada"}},
		"empty realms":     {Auth: kit.Auth, Realms: []string{}},
		"media base":       {Auth: kit.Auth, MediaBase: "portal.example.go.id/api"},
		"negative body":    {Auth: kit.Auth, MaxBodyBytes: -1},
	} {
		_, err := httpapi.New(cfg)
		assert.Error(t, err, name)
	}
}

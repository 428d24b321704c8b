package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/httpapi"
)

// The relying party of the passkey realms, and the origin their pages
// are served from.
const (
	rpID     = "lpse.example.go.id"
	rpOrigin = "https://lpse.example.go.id"
)

// passkeyRealms: "lpse" has passkeys and offers a login with a passkey
// alone; "aman" requires a passkey (phishing-resistant); "bebas" has
// none.
func passkeyRealms() map[string]auth.Realm {
	links := auth.Links{Reset: "https://portal.example.go.id/reset", Activate: "https://portal.example.go.id/aktivasi",
		ConfirmEmail: "https://portal.example.go.id/email"}
	pk := auth.PasskeyPolicy{RPID: rpID, Origins: []string{rpOrigin}, Passwordless: true}
	return map[string]auth.Realm{
		"lpse":  {Links: links, Passkeys: pk},
		"aman":  {Links: links, Passkeys: pk, SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorPhishingResistant}},
		"bebas": {Links: links},
	}
}

func newPasskeyEnv(t *testing.T, mod ...func(*httpapi.Config)) *env {
	t.Helper()
	return newEnvOf(t, passkeyRealms(), []string{"lpse", "aman", "bebas"}, mod...)
}

// options reads the WebAuthn options of a ceremony's answer, as the
// server sent them.
func (e *env) options(a answer) []byte {
	e.t.Helper()
	var v struct {
		Options json.RawMessage `json:"options"`
	}
	require.NoError(e.t, json.Unmarshal(a.raw, &v))
	require.NotEmpty(e.t, v.Options)
	return v.Options
}

// create makes a passkey on key for a creation's options and returns its
// credential, as an app sends it.
func (e *env) create(key *authtest.SoftAuthenticator, a answer) json.RawMessage {
	e.t.Helper()
	cred, err := key.Create(e.options(a))
	require.NoError(e.t, err)
	return cred
}

// use answers a request's options with a passkey of key and returns the
// credential, as an app sends it.
func (e *env) use(key *authtest.SoftAuthenticator, a answer) json.RawMessage {
	e.t.Helper()
	cred, err := key.Get(e.options(a))
	require.NoError(e.t, err)
	return cred
}

// addPasskey adds a passkey made on key to the account of the session
// tok, and returns its id.
func (e *env) addPasskey(realm, tok string, key *authtest.SoftAuthenticator, name string) string {
	e.t.Helper()
	opts := e.expect(e.post("/"+realm+"/factors/passkey", map[string]any{"password": pw}, tok), http.StatusOK, "")
	assert.Equal(e.t, rpID, str(opts.body, "options", "publicKey", "rp", "id"))
	assert.NotContains(e.t, opts.body, "ceremony")
	en := e.expect(e.post("/"+realm+"/factors/passkey/confirm", map[string]any{"credential": e.create(key, opts), "name": name}, tok), http.StatusOK, "")
	id := str(en.body, "factor_id")
	require.NotEmpty(e.t, id)
	return id
}

// passkeyPending logs in with the password, with a captcha when the
// failures before ask for one, and returns the second step's pending
// login, which offers a passkey.
func (e *env) passkeyPending(realm, username string) string {
	e.t.Helper()
	a := e.expect(e.post("/"+realm+"/login", e.withCaptcha(realm, map[string]any{"username": username, "password": pw}), ""), http.StatusUnauthorized, "second_factor_required")
	sf := obj(a.body, "error", "second_factor")
	assert.Contains(e.t, sf["methods"], "passkey")
	require.NotEmpty(e.t, sf["pending"])
	return sf["pending"].(string)
}

// passkeysOf lists the passkeys of the session tok.
func (e *env) passkeysOf(realm, tok string) []any {
	e.t.Helper()
	list := e.expect(e.get("/"+realm+"/passkeys", tok), http.StatusOK, "")
	ks, ok := list.body["passkeys"].([]any)
	require.True(e.t, ok, "%s", list.raw)
	return ks
}

// TestPasskeyJourney: a passkey added with the password is the second
// step of the next login, and a login on its own; each answer of the
// authenticator works once, and only for the portal's origin; the owner
// renames, lists and removes it.
func TestPasskeyJourney(t *testing.T) {
	e := newPasskeyEnv(t)
	e.register("lpse", "budi", "budi@example.id", pw)
	tok := e.login("lpse", "budi", pw)
	phone := authtest.NewSoftAuthenticator(rpOrigin)

	// Adding a passkey takes the password, as any factor does.
	e.expect(e.post("/lpse/factors/passkey", map[string]any{"password": "salah sekali"}, tok), http.StatusUnauthorized, "wrong_password")
	opts := e.expect(e.post("/lpse/factors/passkey", map[string]any{"password": pw}, tok), http.StatusOK, "")
	en := e.expect(e.post("/lpse/factors/passkey/confirm", map[string]any{"credential": e.create(phone, opts), "name": "HP Budi"}, tok), http.StatusOK, "")
	id := str(en.body, "factor_id")
	require.NotEmpty(t, id)
	assert.Len(t, en.body["recovery_codes"], 10, "the first factor comes with recovery codes")
	ks := e.passkeysOf("lpse", tok)
	require.Len(t, ks, 1)
	assert.Equal(t, id, obj(ks[0])["id"])
	assert.Equal(t, "HP Budi", obj(ks[0])["name"])
	assert.NotContains(t, obj(ks[0]), "last_used_at")
	f := e.expect(e.get("/lpse/factors", tok), http.StatusOK, "")
	require.Len(t, f.body["passkeys"], 1)
	assert.Empty(t, f.body["factors"])
	e.expect(e.post("/lpse/logout", nil, tok), http.StatusNoContent, "")

	// The password, then the passkey.
	pending := e.passkeyPending("lpse", "budi")
	opts = e.expect(e.post("/lpse/login/passkey/options", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	assert.NotContains(t, opts.body, "ceremony", "a second step's ceremony is bound to its pending login")
	require.Len(t, obj(opts.body, "options", "publicKey")["allowCredentials"], 1)
	cred := e.use(phone, opts)
	done := e.expect(e.post("/lpse/login/second-step", map[string]any{"pending": pending, "method": "passkey", "credential": cred}, ""), http.StatusOK, "")
	tok = str(done.body, "session", "token")
	e.expect(e.get("/lpse/account", tok), http.StatusOK, "")
	// The same answer, to another pending login's challenge, is refused.
	pending = e.passkeyPending("lpse", "budi")
	e.expect(e.post("/lpse/login/passkey/options", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	replay := e.expect(e.post("/lpse/login/second-step", map[string]any{"pending": pending, "method": "passkey", "credential": cred}, ""), http.StatusUnauthorized, "invalid_code")
	assert.Equal(t, "credential", obj(replay.body["error"].(map[string]any)["fields"].([]any)[0])["field"])

	// A login with the passkey alone.
	start := e.expect(e.post("/lpse/login/passkey/options", nil, ""), http.StatusOK, "")
	ceremony := str(start.body, "ceremony")
	require.NotEmpty(t, ceremony)
	assert.Equal(t, "required", str(start.body, "options", "publicKey", "userVerification"))
	cred = e.use(phone, start)
	in := e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": ceremony, "credential": cred}, ""), http.StatusOK, "")
	assert.Equal(t, "budi", str(in.body, "account", "username"))
	e.expect(e.get("/lpse/account", str(in.body, "session", "token")), http.StatusOK, "")

	// Replayed, to its own ceremony (used up) or to a new one, the answer
	// is refused, in the error shape.
	again := e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": ceremony, "credential": cred}, ""), http.StatusUnauthorized, "passkey_refused")
	assert.NotEmpty(t, str(again.body, "error", "message"))
	start = e.expect(e.post("/lpse/login/passkey/options", map[string]any{}, ""), http.StatusOK, "")
	e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": str(start.body, "ceremony"), "credential": cred}, ""), http.StatusUnauthorized, "passkey_refused")

	// A look-alike site's page gets an answer that names its own origin:
	// refused, alone or as the second step.
	phone.Origin = "https://lpse.example.go.id.evil.example"
	start = e.expect(e.post("/lpse/login/passkey/options", nil, ""), http.StatusOK, "")
	e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": str(start.body, "ceremony"), "credential": e.use(phone, start)}, ""), http.StatusUnauthorized, "passkey_refused")
	pending = e.passkeyPending("lpse", "budi")
	opts = e.expect(e.post("/lpse/login/passkey/options", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	e.expect(e.post("/lpse/login/second-step", map[string]any{"pending": pending, "method": "passkey", "credential": e.use(phone, opts)}, ""), http.StatusUnauthorized, "invalid_code")
	phone.Origin = rpOrigin

	// Rename, list, remove.
	e.expect(e.post("/lpse/passkeys/"+id+"/rename", map[string]any{"name": "Laptop Budi"}, tok), http.StatusNoContent, "")
	ks = e.passkeysOf("lpse", tok)
	require.Len(t, ks, 1)
	assert.Equal(t, "Laptop Budi", obj(ks[0])["name"])
	assert.NotEmpty(t, obj(ks[0])["last_used_at"])
	e.expect(e.post("/lpse/passkeys/AAAA/rename", map[string]any{"name": "x"}, tok), http.StatusNotFound, "not_found")
	long := e.expect(e.send(call{method: http.MethodPost, path: "/lpse/passkeys/" + id + "/rename", body: map[string]any{"name": strings.Repeat("n", 201)}, token: tok, invalid: true}),
		http.StatusUnprocessableEntity, "field_invalid")
	assert.Equal(t, "name", obj(long.body["error"].(map[string]any)["fields"].([]any)[0])["field"])
	e.expect(e.post("/lpse/factors/"+id+"/remove", map[string]any{"password": pw}, tok), http.StatusNoContent, "")
	assert.Empty(t, e.passkeysOf("lpse", tok))
	// One step again (with a captcha: the refused passkeys counted as
	// failed logins).
	e.expect(e.post("/lpse/login", e.withCaptcha("lpse", map[string]any{"username": "budi", "password": pw}), ""), http.StatusOK, "")
}

// TestPasskeyOnce: one answer of the authenticator, sent many times at
// once, logs in exactly once.
func TestPasskeyOnce(t *testing.T) {
	e := newPasskeyEnv(t)
	e.register("lpse", "budi", "budi@example.id", pw)
	phone := authtest.NewSoftAuthenticator(rpOrigin)
	e.addPasskey("lpse", e.login("lpse", "budi", pw), phone, "")
	start := e.expect(e.post("/lpse/login/passkey/options", nil, ""), http.StatusOK, "")
	body := map[string]any{"ceremony": str(start.body, "ceremony"), "credential": e.use(phone, start)}

	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 8 {
		wg.Go(func() {
			a := e.post("/lpse/login/passkey", body, "")
			mu.Lock()
			statuses[a.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusUnauthorized: 7}, statuses)
}

// TestPasskeyEnrollmentRequired: a realm that requires a passkey makes
// the first login add one, which completes it; later logins take the
// passkey, and nothing else, as the second step.
func TestPasskeyEnrollmentRequired(t *testing.T) {
	e := newPasskeyEnv(t)
	e.register("aman", "siti", "siti@example.id", pw)
	a := e.expect(e.post("/aman/login", map[string]any{"username": "siti", "password": pw}, ""), http.StatusUnauthorized, "enrollment_required")
	assert.Equal(t, []any{"passkey"}, obj(a.body, "error", "enrollment")["methods"])
	pending := str(a.body, "error", "enrollment", "pending")

	key := authtest.NewSoftAuthenticator(rpOrigin)
	e.expect(e.post("/aman/login/enroll/totp", map[string]any{"pending": pending}, ""), http.StatusBadRequest, "method_unavailable")
	opts := e.expect(e.post("/aman/login/enroll/passkey", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	cred := e.create(key, opts)
	e.expect(e.post("/aman/login/enroll/passkey/confirm", map[string]any{"pending": "tidak-ada", "credential": cred}, ""), http.StatusUnauthorized, "login_expired")
	done := e.expect(e.post("/aman/login/enroll/passkey/confirm", map[string]any{"pending": pending, "credential": cred, "name": "Kunci Siti"}, ""), http.StatusOK, "")
	assert.Equal(t, "siti", str(done.body, "account", "username"))
	assert.Empty(t, done.body["recovery_codes"], "a realm that accepts passkeys alone makes no recovery codes")
	tok := str(done.body, "session", "token")
	ks := e.passkeysOf("aman", tok)
	require.Len(t, ks, 1)
	assert.Equal(t, "Kunci Siti", obj(ks[0])["name"])

	a = e.expect(e.post("/aman/login", map[string]any{"username": "siti", "password": pw}, ""), http.StatusUnauthorized, "second_factor_required")
	assert.Equal(t, []any{"passkey"}, obj(a.body, "error", "second_factor")["methods"])
	pending = str(a.body, "error", "second_factor", "pending")
	opts = e.expect(e.post("/aman/login/passkey/options", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	e.expect(e.post("/aman/login/second-step", map[string]any{"pending": pending, "method": "passkey", "credential": e.use(key, opts)}, ""), http.StatusOK, "")
	// The realm keeps the last passkey.
	e.expect(e.post("/aman/factors/"+obj(ks[0])["id"].(string)+"/remove", map[string]any{"password": pw}, tok), http.StatusConflict, "last_factor")
}

// TestPasskeyRequestErrors: a credential that is not an object, one
// where a code belongs, one too long, and a realm without passkeys.
func TestPasskeyRequestErrors(t *testing.T) {
	e := newPasskeyEnv(t)
	e.register("lpse", "budi", "budi@example.id", pw)
	e.register("bebas", "budi", "budi@example.id", pw)
	tok := e.login("lpse", "budi", pw)
	phone := authtest.NewSoftAuthenticator(rpOrigin)
	e.addPasskey("lpse", tok, phone, "")

	field := func(a answer) map[string]any {
		fields, _ := obj(a.body, "error")["fields"].([]any)
		require.Len(t, fields, 1, "%s", a.raw)
		return obj(fields[0])
	}
	start := e.expect(e.post("/lpse/login/passkey/options", nil, ""), http.StatusOK, "")
	for _, bad := range []any{"{}", 42, nil, []any{}} {
		a := e.expect(e.send(call{method: http.MethodPost, path: "/lpse/login/passkey", invalid: true,
			body: map[string]any{"ceremony": str(start.body, "ceremony"), "credential": bad}}), http.StatusBadRequest, "malformed_request")
		assert.Equal(t, map[string]any{"field": "credential", "code": "invalid_type", "message": "Isian ini berjenis salah."}, field(a))
	}
	// The ceremony was not used up: it still logs in.
	e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": str(start.body, "ceremony"), "credential": e.use(phone, start)}, ""), http.StatusOK, "")

	pending := e.passkeyPending("lpse", "budi")
	opts := e.expect(e.post("/lpse/login/passkey/options", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	cred := e.use(phone, opts)
	a := e.expect(e.post("/lpse/login/second-step", map[string]any{"pending": pending, "method": "recovery", "code": "x", "credential": cred}, ""), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, "credential", field(a)["field"])
	a = e.expect(e.post("/lpse/login/second-step", map[string]any{"pending": pending, "method": "passkey", "code": "123456", "credential": cred}, ""), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, "code", field(a)["field"])
	a = e.expect(e.post("/lpse/login/second-step", map[string]any{"pending": pending, "method": "passkey"}, ""), http.StatusBadRequest, "malformed_request")
	assert.Equal(t, "credential", field(a)["field"])
	e.expect(e.post("/lpse/login/second-step", map[string]any{"pending": pending, "method": "passkey", "credential": cred}, ""), http.StatusOK, "")

	// A body with a credential is bounded by MaxBodyBytes when it is set
	// (16 KiB here).
	huge := map[string]any{"id": strings.Repeat("A", 20<<10), "rawId": "AA", "type": "public-key",
		"response": map[string]any{"clientDataJSON": "AA", "authenticatorData": "AA", "signature": "AA"}}
	e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": "x", "credential": huge}, ""), http.StatusRequestEntityTooLarge, "request_too_large")

	// A realm without passkeys says so.
	e.expect(e.post("/bebas/login/passkey/options", nil, ""), http.StatusForbidden, "passkeys_unavailable")
	bebas := e.login("bebas", "budi", pw)
	e.expect(e.post("/bebas/factors/passkey", map[string]any{"password": pw}, bebas), http.StatusForbidden, "passkeys_unavailable")
	assert.Empty(t, e.passkeysOf("bebas", bebas))
}

// TestPasskeyBodyLimit: by default, a body with a credential may be
// auth.MaxPasskeyResponse longer than the others, and a credential
// longer than that is refused by name.
func TestPasskeyBodyLimit(t *testing.T) {
	e := newPasskeyEnv(t, func(c *httpapi.Config) { c.MaxBodyBytes = 0 })
	cred := func(n int) map[string]any {
		return map[string]any{"id": strings.Repeat("A", n), "rawId": "AA", "type": "public-key",
			"response": map[string]any{"clientDataJSON": "AA", "authenticatorData": "AA", "signature": "AA"}}
	}
	long := e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": "x", "credential": cred(auth.MaxPasskeyResponse)}, ""), http.StatusUnprocessableEntity, "field_invalid")
	assert.Equal(t, "credential", obj(long.body["error"].(map[string]any)["fields"].([]any)[0])["field"])
	e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": "x", "credential": cred(httpapi.DefaultMaxBodyBytes + auth.MaxPasskeyResponse)}, ""),
		http.StatusRequestEntityTooLarge, "request_too_large")
	// The other bodies keep the default bound.
	e.expect(e.post("/lpse/login", map[string]any{"username": strings.Repeat("a", httpapi.DefaultMaxBodyBytes), "password": pw}, ""),
		http.StatusRequestEntityTooLarge, "request_too_large")
	// A credential within the bound reaches auth, which refuses it.
	e.expect(e.post("/lpse/login/passkey", map[string]any{"ceremony": "x", "credential": cred(auth.MaxPasskeyResponse - 1000)}, ""), http.StatusUnauthorized, "passkey_refused")
}

package httpapi_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
	"github.com/masuk-id/masuk/identifiers"
)

const fedNIP = "198503302003121002"

// fedEnv is an API whose realms log in through a local provider: "sapk"
// links by the NIP the provider vouches for and makes accounts; "bpn"
// links only to a signed-in account; "ketat" does too, and requires a
// second factor, for which the provider's fingerprint or "mfa" stands in.
type fedEnv struct {
	*env
	op *oidcprovider.Provider
}

func newFedEnv(t *testing.T) *fedEnv {
	t.Helper()
	op := oidcprovider.New()
	t.Cleanup(op.Close)
	links := auth.Links{Reset: "https://portal.example.go.id/reset", Activate: "https://portal.example.go.id/aktivasi",
		ConfirmEmail: "https://portal.example.go.id/email"}
	provider := func(realm string) auth.Provider {
		redirect := "https://app.example.go.id/masuk/" + realm
		op.Register(oidcprovider.Client{ID: "app-" + realm, Secret: "rahasia-" + realm, RedirectURIs: []string{redirect}})
		return auth.Provider{Name: "inapas", Label: "INApas", Issuer: op.Issuer, ClientID: "app-" + realm,
			ClientSecret: "rahasia-" + realm, RedirectURL: redirect}
	}
	sapk := provider("sapk")
	sapk.Link, sapk.UsernameClaim, sapk.Create = auth.LinkByClaim, "nip", true
	ketat := provider("ketat")
	ketat.AcceptMFA = []string{"mfa", "fpt"}
	rs := map[string]auth.Realm{
		"sapk": {Links: links, Username: identifiers.NIP, Federation: auth.FederationPolicy{Providers: []auth.Provider{sapk}}},
		"bpn":  {Links: links, Federation: auth.FederationPolicy{Providers: []auth.Provider{provider("bpn")}}},
		"ketat": {Links: links, SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory},
			Federation: auth.FederationPolicy{Providers: []auth.Provider{ketat}}},
		"bebas": {Links: links},
	}
	e := newEnvOf(t, rs, []string{"sapk", "bpn", "ketat", "bebas"})
	op.Now = e.kit.Now
	return &fedEnv{env: e, op: op}
}

// start begins a login (or, at an identities path, a link) and returns
// the authorization URL and the binding.
func (e *fedEnv) start(path string, body any, token string) (string, string) {
	e.t.Helper()
	a := e.expect(e.post(path, body, token), http.StatusOK, "")
	u, binding := str(a.body, "url"), str(a.body, "binding")
	require.NotEmpty(e.t, u)
	require.NotEmpty(e.t, binding)
	require.NotEmpty(e.t, str(a.body, "expires_at"))
	return u, binding
}

// approve has the provider sign in the person claims names and returns
// the answer as the app would send it, from the redirect it received.
func (e *fedEnv) approve(authURL, binding string, claims map[string]any) map[string]any {
	e.t.Helper()
	e.op.SignIn(claims)
	back, err := e.op.AuthorizeURL(authURL)
	require.NoError(e.t, err)
	u, err := url.Parse(back)
	require.NoError(e.t, err)
	q := u.Query()
	body := map[string]any{"code": q.Get("code"), "state": q.Get("state"), "binding": binding}
	if iss := q.Get("iss"); iss != "" {
		body["iss"] = iss
	}
	return body
}

// providerLogin logs in through the provider in realm as claims names,
// and returns the finish's answer.
func (e *fedEnv) providerLogin(realm string, claims map[string]any) answer {
	e.t.Helper()
	u, binding := e.start("/"+realm+"/login/providers/inapas/start", nil, "")
	return e.post("/"+realm+"/login/providers/inapas/finish", e.approve(u, binding, claims), "")
}

// TestProviderLoginByClaim: a login through the provider makes the
// account the NIP claim names, then logs it in again; a replayed answer
// is refused; the provider the account was made by is its last way in.
func TestProviderLoginByClaim(t *testing.T) {
	e := newFedEnv(t)
	list := e.expect(e.get("/sapk/login/providers", ""), http.StatusOK, "")
	assert.Equal(t, []any{map[string]any{"name": "inapas", "label": "INApas"}}, list.body["providers"])
	none := e.expect(e.get("/bebas/login/providers", ""), http.StatusOK, "")
	assert.Equal(t, []any{}, none.body["providers"])

	who := map[string]any{"sub": "inapas-1", "nip": fedNIP}
	u, binding := e.start("/sapk/login/providers/inapas/start", map[string]any{}, "")
	ans := e.approve(u, binding, who)
	first := e.expect(e.post("/sapk/login/providers/inapas/finish", ans, ""), http.StatusOK, "")
	assert.Equal(t, true, first.body["created"])
	assert.Equal(t, true, first.body["linked"])
	assert.Equal(t, "inapas", first.body["provider"])
	assert.Equal(t, fedNIP, str(first.body, "account", "username"))
	tok := str(first.body, "session", "token")
	e.expect(e.get("/sapk/account", tok), http.StatusOK, "")

	// The answer is used once.
	e.expect(e.post("/sapk/login/providers/inapas/finish", ans, ""), http.StatusUnauthorized, "federation_refused")
	// Another app's binding does not take it either.
	u, _ = e.start("/sapk/login/providers/inapas/start", nil, "")
	_, other := e.start("/sapk/login/providers/inapas/start", nil, "")
	e.expect(e.post("/sapk/login/providers/inapas/finish", e.approve(u, other, who), ""), http.StatusUnauthorized, "federation_refused")
	// The person cancelled at the provider.
	u, binding = e.start("/sapk/login/providers/inapas/start", nil, "")
	cancelled := e.approve(u, binding, who)
	delete(cancelled, "code")
	cancelled["error"] = "access_denied"
	e.expect(e.post("/sapk/login/providers/inapas/finish", cancelled, ""), http.StatusUnauthorized, "federation_refused")

	again := e.expect(e.providerLogin("sapk", who), http.StatusOK, "")
	assert.Equal(t, false, again.body["created"])
	assert.Equal(t, false, again.body["linked"])
	assert.Equal(t, str(first.body, "account", "id"), str(again.body, "account", "id"))

	ids := e.expect(e.get("/sapk/identities", tok), http.StatusOK, "")
	require.Len(t, ids.body["identities"], 1)
	id := ids.body["identities"].([]any)[0].(map[string]any)
	assert.Equal(t, "inapas", id["provider"])
	assert.Equal(t, "INApas", id["label"])
	assert.NotEmpty(t, id["last_used_at"])
	x := e.expect(e.get("/sapk/account/export", tok), http.StatusOK, "")
	assert.Len(t, x.body["identities"], 1, "the export lists the provider")

	// The account has no password: the provider is its only way in.
	e.expect(e.post("/sapk/identities/inapas/remove", nil, tok), http.StatusConflict, "last_way_in")
	e.expect(e.providerLogin("sapk", who), http.StatusOK, "")
}

// TestProviderUnknown: a provider the realm does not have is 404
// unknown_provider, on every route that names one.
func TestProviderUnknown(t *testing.T) {
	e := newFedEnv(t)
	e.register("bpn", "notaris.jaya", "notaris@example.go.id", pw)
	tok := e.login("bpn", "notaris.jaya", pw)
	e.expect(e.post("/bpn/login/providers/lain/start", nil, ""), http.StatusNotFound, "unknown_provider")
	e.expect(e.post("/bebas/login/providers/inapas/start", nil, ""), http.StatusNotFound, "unknown_provider")
	e.expect(e.post("/bpn/login/providers/lain/finish", map[string]any{"state": "x", "code": "y", "binding": "z"}, ""), http.StatusNotFound, "unknown_provider")
	e.expect(e.post("/bpn/identities/lain/start", map[string]any{"password": pw}, tok), http.StatusNotFound, "unknown_provider")
	e.expect(e.post("/bpn/identities/lain/finish", map[string]any{"state": "x", "code": "y", "binding": "z"}, tok), http.StatusNotFound, "unknown_provider")
	e.expect(e.post("/bpn/identities/lain/remove", map[string]any{"password": pw}, tok), http.StatusNotFound, "unknown_provider")
	// A field longer than any provider's is refused before the provider
	// is asked.
	long := make([]byte, 4096)
	for i := range long {
		long[i] = 'a'
	}
	a := e.send(call{method: http.MethodPost, path: "/bpn/login/providers/inapas/finish", body: map[string]any{"state": "x", "code": string(long), "binding": "z"}, invalid: true})
	e.expect(a, http.StatusBadRequest, "malformed_request")
}

// TestProviderLinkThenLogin: a realm that links while signed in only
// refuses the provider until the owner links it, after the password; the
// provider then logs in, until it is unlinked.
func TestProviderLinkThenLogin(t *testing.T) {
	e := newFedEnv(t)
	e.register("bpn", "notaris.jaya", "notaris@example.go.id", pw)
	who := map[string]any{"sub": "inapas-777"}
	e.expect(e.providerLogin("bpn", who), http.StatusForbidden, "not_linked")

	tok := e.login("bpn", "notaris.jaya", pw)
	empty := e.expect(e.get("/bpn/identities", tok), http.StatusOK, "")
	assert.Equal(t, []any{}, empty.body["identities"])
	e.expect(e.post("/bpn/identities/inapas/start", map[string]any{"password": "salah sekali"}, tok), http.StatusUnauthorized, "wrong_password")
	e.expect(e.send(call{method: http.MethodPost, path: "/bpn/identities/inapas/start", invalid: true}), http.StatusUnauthorized, "unauthenticated")
	// The login just proved the password: it may be left out.
	u, binding := e.start("/bpn/identities/inapas/start", nil, tok)
	linked := e.expect(e.post("/bpn/identities/inapas/finish", e.approve(u, binding, who), tok), http.StatusOK, "")
	assert.Equal(t, map[string]any{"linked": true, "provider": "inapas"}, linked.body)

	in := e.expect(e.providerLogin("bpn", who), http.StatusOK, "")
	assert.Equal(t, "notaris.jaya", str(in.body, "account", "username"))
	assert.Equal(t, false, in.body["linked"])
	e.expect(e.get("/bpn/account", str(in.body, "session", "token")), http.StatusOK, "")
	ids := e.expect(e.get("/bpn/identities", tok), http.StatusOK, "")
	require.Len(t, ids.body["identities"], 1)

	// The account has a provider of the kind already; another account
	// cannot take the identity.
	u, binding = e.start("/bpn/identities/inapas/start", map[string]any{"password": pw}, tok)
	e.expect(e.post("/bpn/identities/inapas/finish", e.approve(u, binding, map[string]any{"sub": "inapas-778"}), tok), http.StatusConflict, "already_linked")
	e.register("bpn", "notaris.lain", "lain@example.go.id", pw)
	other := e.login("bpn", "notaris.lain", pw)
	u, binding = e.start("/bpn/identities/inapas/start", nil, other)
	e.expect(e.post("/bpn/identities/inapas/finish", e.approve(u, binding, who), other), http.StatusConflict, "already_linked")

	// A link's answer brought to the login starts no session, and a
	// login's brought to the link links nothing.
	u, binding = e.start("/bpn/login/providers/inapas/start", nil, "")
	e.expect(e.post("/bpn/identities/inapas/finish", e.approve(u, binding, who), other), http.StatusUnauthorized, "federation_refused")
	ids = e.expect(e.get("/bpn/identities", other), http.StatusOK, "")
	assert.Equal(t, []any{}, ids.body["identities"])
	u, binding = e.start("/bpn/identities/inapas/start", nil, other)
	e.expect(e.post("/bpn/login/providers/inapas/finish", e.approve(u, binding, map[string]any{"sub": "inapas-779"}), ""), http.StatusUnauthorized, "federation_refused")
	ids = e.expect(e.get("/bpn/identities", other), http.StatusOK, "")
	assert.Equal(t, []any{}, ids.body["identities"], "nor is the link made: a link's answer completes only at the link's finish")

	e.expect(e.post("/bpn/identities/inapas/remove", map[string]any{"password": "salah sekali"}, tok), http.StatusUnauthorized, "wrong_password")
	e.expect(e.post("/bpn/identities/inapas/remove", map[string]any{"password": pw}, tok), http.StatusNoContent, "")
	e.expect(e.post("/bpn/identities/inapas/remove", nil, tok), http.StatusForbidden, "not_linked")
	e.expect(e.providerLogin("bpn", who), http.StatusForbidden, "not_linked")
}

// TestProviderLoginSecondStep: in a realm that requires a second factor,
// a login through the provider asks for it as POST login does, and the
// second step completes it; an account without a factor is asked to
// enroll one.
func TestProviderLoginSecondStep(t *testing.T) {
	e := newFedEnv(t)
	ctx := context.Background()
	link := func(username, sub string) string {
		reg, err := e.kit.Auth.Accounts().Register(ctx, auth.Registration{Realm: "ketat", Username: username, Email: username + "@example.go.id", Password: pw})
		require.NoError(t, err)
		r, err := e.kit.Auth.Federation().Begin(ctx, auth.FederationStart{Realm: "ketat", Provider: "inapas", AccountID: reg.Account.ID, Password: pw})
		require.NoError(t, err)
		ans := e.approve(r.URL, r.Binding, map[string]any{"sub": sub})
		res, err := e.kit.Auth.Federation().Callback(ctx, auth.FederationCallback{Realm: "ketat", Provider: "inapas",
			Code: ans["code"].(string), State: ans["state"].(string), Issuer: ans["iss"].(string), Binding: r.Binding, AccountID: reg.Account.ID})
		require.NoError(t, err)
		require.True(t, res.Linked)
		return reg.Account.ID
	}
	id := link("budi", "inapas-8")
	secret, _ := e.kit.EnrollTOTP(t, id, pw)
	e.kit.Advance(t, 30*time.Second) // the confirming code is used

	a := e.expect(e.providerLogin("ketat", map[string]any{"sub": "inapas-8", "amr": []string{"pwd"}}), http.StatusUnauthorized, "second_factor_required")
	sf := obj(a.body, "error", "second_factor")
	assert.Contains(t, sf["methods"], "totp")
	done := e.expect(e.post("/ketat/login/second-step", map[string]any{"pending": sf["pending"], "method": "totp", "code": e.kit.TOTPCode(t, secret)}, ""), http.StatusOK, "")
	assert.Equal(t, id, str(done.body, "account", "id"))

	link("ani", "inapas-9")
	a = e.expect(e.providerLogin("ketat", map[string]any{"sub": "inapas-9"}), http.StatusUnauthorized, "enrollment_required")
	pending := str(a.body, "error", "enrollment", "pending")
	require.NotEmpty(t, pending)
	en := e.expect(e.post("/ketat/login/enroll/totp", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	secret = totpSecret(t, str(en.body, "uri"))
	done = e.expect(e.post("/ketat/login/enroll/totp/confirm", map[string]any{"pending": pending, "factor_id": en.body["factor_id"], "code": e.kit.TOTPCode(t, secret)}, ""), http.StatusOK, "")
	assert.Len(t, done.body["recovery_codes"], 10, "the enrollment completes the provider's login")
	assert.Equal(t, "ani", str(done.body, "account", "username"))

	// A provider that vouches for a second factor the realm accepts
	// stands in for it.
	e.kit.Advance(t, 30*time.Second)
	e.expect(e.providerLogin("ketat", map[string]any{"sub": "inapas-8", "amr": []string{"fpt"}}), http.StatusOK, "")
}

// TestProviderStartsThrottled: a client address starts a limited number
// of logins through providers (30 in 10 minutes by default), and is told
// when to try again.
func TestProviderStartsThrottled(t *testing.T) {
	e := newFedEnv(t)
	for range 30 {
		e.start("/bpn/login/providers/inapas/start", nil, "")
	}
	a := e.expect(e.post("/bpn/login/providers/inapas/start", nil, ""), http.StatusTooManyRequests, "throttled")
	assert.NotEmpty(t, a.header.Get("Retry-After"))
	assert.NotEmpty(t, str(a.body, "error", "retry_at"))
	e.kit.Advance(t, 11*time.Minute)
	e.start("/bpn/login/providers/inapas/start", nil, "")
}

package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

const (
	fedAddr     = "203.0.113.50"
	fedPassword = "Teh-Manis-Hangat-2026"
	fedNIP      = "198503302003121002"
)

// fedKit is a Kit whose realms log in through a local provider: "sapk"
// links by the NIP the provider vouches for (and makes accounts), with
// private_key_jwt; "bpn" links only to a signed-in account, with a client
// secret.
type fedKit struct {
	*authtest.Kit
	op  *oidcprovider.Provider
	key *ecdsa.PrivateKey
}

func newFedKit(t *testing.T, mutate ...func(*auth.Config)) *fedKit {
	t.Helper()
	op := oidcprovider.New()
	t.Cleanup(op.Close)
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return newFedKitOf(t, op, key, mutate...)
}

// newFedKitOf is newFedKit on a provider and a client key already made:
// a second instance of one portal.
func newFedKitOf(t *testing.T, op *oidcprovider.Provider, key *ecdsa.PrivateKey, mutate ...func(*auth.Config)) *fedKit {
	t.Helper()
	op.Register(oidcprovider.Client{ID: "mysapk", Keys: jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: "sapk-1", Algorithm: "ES256", Use: "sig"}}},
		RedirectURIs: []string{"http://localhost:8080/sapk/inapas/kembali"}})
	op.Register(oidcprovider.Client{ID: "mitra-bpn", Secret: "rahasia-klien-bpn", RedirectURIs: []string{"http://localhost:8080/bpn/inapas/kembali"}})
	cfg := auth.Config{
		Realms: map[string]auth.Realm{
			"sapk": {Username: identifiers.NIP, Federation: auth.FederationPolicy{Providers: []auth.Provider{{
				Name: "inapas", Label: "INApas", Issuer: op.Issuer, ClientID: "mysapk", ClientKey: key, ClientKeyID: "sapk-1",
				RedirectURL: "http://localhost:8080/sapk/inapas/kembali", PostLogoutURL: "http://localhost:8080/sapk/",
				Link: auth.LinkByClaim, UsernameClaim: "nip", Create: true,
			}}}},
			"bpn": {Federation: auth.FederationPolicy{Providers: []auth.Provider{{
				Name: "inapas", Label: "INApas", Issuer: op.Issuer, ClientID: "mitra-bpn", ClientSecret: "rahasia-klien-bpn",
				RedirectURL: "http://localhost:8080/bpn/inapas/kembali",
			}}}},
		},
	}
	for _, m := range mutate {
		m(&cfg)
	}
	k := &fedKit{Kit: authtest.New(t, cfg), op: op, key: key}
	op.Now = k.Now
	return k
}

// begin starts a login (or, with accountID, a link) and returns the
// redirect.
func (k *fedKit) begin(t *testing.T, realm, accountID, pw string) *auth.FederationRedirect {
	t.Helper()
	r, err := k.Auth.Federation().Begin(context.Background(), auth.FederationStart{Realm: realm, Provider: "inapas", AccountID: accountID, Password: pw, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	return r
}

// answer has the provider approve and returns its answer as the browser
// brings it back.
func (k *fedKit) answer(t *testing.T, realm string, r *auth.FederationRedirect) auth.FederationCallback {
	t.Helper()
	back, err := k.op.AuthorizeURL(r.URL)
	require.NoError(t, err)
	u, err := url.Parse(back)
	require.NoError(t, err)
	q := u.Query()
	return auth.FederationCallback{Realm: realm, Provider: "inapas", Code: q.Get("code"), State: q.Get("state"), Issuer: q.Get("iss"), Error: q.Get("error"),
		Binding: r.Binding, Request: auth.Request{ClientAddr: fedAddr}}
}

// linkAnswer begins a link of accountID after the password and returns
// the provider's answer, as the signed-in owner's browser brings it back.
func (k *fedKit) linkAnswer(t *testing.T, realm, accountID string) auth.FederationCallback {
	t.Helper()
	c := k.answer(t, realm, k.begin(t, realm, accountID, fedPassword))
	c.AccountID = accountID
	return c
}

// signIn logs in through the provider as the person claims names.
func (k *fedKit) signIn(t *testing.T, realm string, claims map[string]any) (*auth.FederationResult, error) {
	t.Helper()
	k.op.SignIn(claims)
	c := k.answer(t, realm, k.begin(t, realm, "", ""))
	return k.Auth.Federation().Callback(context.Background(), c)
}

func (k *fedKit) register(t *testing.T, realm, username string) string {
	t.Helper()
	reg, err := k.Auth.Accounts().Register(context.Background(), auth.Registration{Realm: realm, Username: username, Email: username + "@example.go.id", Password: fedPassword})
	require.NoError(t, err)
	return reg.Account.ID
}

// TestFederationLinkThenLogin: a signed-in owner links the provider after
// the password; the provider's login then opens the account.
func TestFederationLinkThenLogin(t *testing.T) {
	k := newFedKit(t)
	id := k.register(t, "bpn", "notaris.jaya")
	_, err := k.signIn(t, "bpn", map[string]any{"sub": "inapas-777"})
	require.ErrorIs(t, err, auth.ErrNotLinked, "nothing is linked yet, and bpn links while signed in only")

	_, err = k.Auth.Federation().Begin(context.Background(), auth.FederationStart{Realm: "bpn", Provider: "inapas", AccountID: id, Password: "salah", Request: auth.Request{ClientAddr: fedAddr}})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials, "linking needs the password")
	k.op.SignIn(map[string]any{"sub": "inapas-777"})
	res, err := k.Auth.Federation().Callback(context.Background(), k.linkAnswer(t, "bpn", id))
	require.NoError(t, err)
	assert.True(t, res.Linked)
	assert.Nil(t, res.Login, "a link logs nobody in")

	res, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-777"})
	require.NoError(t, err)
	require.NotNil(t, res.Login)
	assert.Equal(t, id, res.Login.Account.ID)
	ids, err := k.Auth.Federation().Identities(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, ids, 1)
	assert.Equal(t, "inapas", ids[0].Provider)
	assert.Equal(t, "INApas", ids[0].Label)
	assert.False(t, ids[0].LastUsedAt.IsZero())

	x, err := k.Auth.Accounts().Export(context.Background(), id)
	require.NoError(t, err)
	require.Len(t, x.Identities, 1, "the owner's export lists the provider")
	assert.Equal(t, "INApas", x.Identities[0].Label)

	kinds := map[string]int{}
	for _, e := range k.Events(t, "bpn") {
		kinds[e.Kind]++
	}
	assert.Equal(t, 1, kinds[string(auth.EventIdentityLinked)])
	assert.Equal(t, 1, kinds[string(auth.EventLoginSucceeded)])

	// Another account cannot take the same identity.
	other := k.register(t, "bpn", "notaris.lain")
	k.op.SignIn(map[string]any{"sub": "inapas-777"})
	_, err = k.Auth.Federation().Callback(context.Background(), k.linkAnswer(t, "bpn", other))
	assert.ErrorIs(t, err, auth.ErrAlreadyLinked)
}

// TestFederationByClaim: sapk links by the NIP the provider vouches for,
// and makes the account when there is none, but never takes over an
// account that has a password (a squatter may have registered the NIP).
func TestFederationByClaim(t *testing.T) {
	k := newFedKit(t)
	res, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-1", "nip": fedNIP})
	require.NoError(t, err)
	assert.True(t, res.Created)
	assert.True(t, res.Linked)
	require.NotNil(t, res.Login)
	assert.Equal(t, fedNIP, res.Login.Account.Username)
	again, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-1", "nip": fedNIP})
	require.NoError(t, err)
	assert.Equal(t, res.Login.Account.ID, again.Login.Account.ID)
	assert.False(t, again.Created)

	squatted := "199001012015031001"
	k.register(t, "sapk", squatted)
	_, err = k.signIn(t, "sapk", map[string]any{"sub": "inapas-2", "nip": squatted})
	assert.ErrorIs(t, err, auth.ErrNotLinked, "an account with a password links while signed in")
	_, err = k.signIn(t, "sapk", map[string]any{"sub": "inapas-3", "nip": "bukan-nip"})
	assert.ErrorIs(t, err, auth.ErrNotLinked)
}

// TestFederationByEmailNeedsVerified: an address the provider has not
// verified never links or makes an account.
func TestFederationByEmailNeedsVerified(t *testing.T) {
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["bpn"]
		p := &r.Federation.Providers[0]
		p.Link, p.ByEmail, p.Create, p.Scopes = auth.LinkByClaim, true, true, []string{"email"}
		c.Realms["bpn"] = r
	})
	for _, verified := range []any{false, nil, "true"} {
		claims := map[string]any{"sub": "g-1", "email": "staf@example.go.id"}
		if verified != nil {
			claims["email_verified"] = verified
		}
		_, err := k.signIn(t, "bpn", claims)
		assert.ErrorIs(t, err, auth.ErrNotLinked, "email_verified %v", verified)
	}
	res, err := k.signIn(t, "bpn", map[string]any{"sub": "g-1", "email": "Staf@Example.go.id", "email_verified": true})
	require.NoError(t, err)
	assert.True(t, res.Created)
	assert.Equal(t, "staf@example.go.id", res.Login.Account.Email)
}

// TestFederationRefusals: every answer an attacker or a broken provider
// could bring is refused, with one error, and logs nobody in.
func TestFederationRefusals(t *testing.T) {
	k := newFedKit(t)
	_, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-9", "nip": fedNIP})
	require.NoError(t, err)
	ctx := context.Background()
	who := map[string]any{"sub": "inapas-9", "nip": fedNIP}

	t.Run("replayed answer", func(t *testing.T) {
		k.op.SignIn(who)
		c := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
		_, err := k.Auth.Federation().Callback(ctx, c)
		require.NoError(t, err)
		_, err = k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	t.Run("replayed code under a new state", func(t *testing.T) {
		k.op.SignIn(who)
		first := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
		_, err := k.Auth.Federation().Callback(ctx, first)
		require.NoError(t, err)
		r := k.begin(t, "sapk", "", "")
		second := k.answer(t, "sapk", r)
		second.Code = first.Code
		_, err = k.Auth.Federation().Callback(ctx, second)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	t.Run("another browser", func(t *testing.T) {
		k.op.SignIn(who)
		c := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
		c.Binding = k.begin(t, "sapk", "", "").Binding
		_, err := k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	t.Run("cancelled at the provider", func(t *testing.T) {
		k.op.SignIn(who)
		c := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
		c.Code, c.Error = "", "access_denied"
		_, err := k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	t.Run("too late", func(t *testing.T) {
		k.op.SignIn(who)
		c := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
		k.Advance(t, 11*time.Minute)
		_, err := k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	for name, f := range map[string]oidcprovider.Faults{
		"wrong nonce":                  {Nonce: "bukan-nonce-nya"},
		"wrong audience":               {WrongAudience: true},
		"extra audience without azp":   {Audience: "klien-lain"},
		"azp of another client":        {Audience: "klien-lain", AuthorizedParty: "klien-lain"},
		"expired ID token":             {Expired: true},
		"ID token issued long ago":     {IssuedLongAgo: true},
		"unsigned ID token":            {Unsigned: true},
		"ID token of another issuer":   {Issuer: "https://idp.penipu.example"},
		"answer names another issuer":  {CallbackIssuer: "https://idp.penipu.example"},
		"answer without its issuer":    {NoCallbackIssuer: true},
		"access token hash mismatched": {AccessTokenHash: "AAAAAAAAAAAAAAAAAAAAAA"},
	} {
		t.Run(name, func(t *testing.T) {
			k.op.SetFaults(f)
			defer k.op.SetFaults(oidcprovider.Faults{})
			_, err := k.signIn(t, "sapk", who)
			assert.ErrorIs(t, err, auth.ErrFederationRefused)
		})
	}
	t.Run("key rotated out", func(t *testing.T) {
		k.op.Rotate(false)
		_, err := k.signIn(t, "sapk", who)
		require.NoError(t, err, "a new key is fetched when an ID token names it")
		k.op.Rotate(false)
		_, err = k.signIn(t, "sapk", who)
		require.NoError(t, err)
		k.op.SignWithRetired(true)
		_, err = k.signIn(t, "sapk", who)
		k.op.SignWithRetired(false)
		assert.ErrorIs(t, err, auth.ErrFederationRefused, "a key no longer published is not trusted")

		// A key still cached, which the provider stopped publishing, is
		// trusted for at most 15 minutes, though no token names a new one.
		k.op.Rotate(false)
		k.op.SignWithRetired(true)
		_, err = k.signIn(t, "sapk", who)
		require.NoError(t, err, "the retired key is still in the cache")
		k.Advance(t, 16*time.Minute)
		_, err = k.signIn(t, "sapk", who)
		k.op.SignWithRetired(false)
		assert.ErrorIs(t, err, auth.ErrFederationRefused, "after 15 minutes the key set is read again")
	})
	t.Run("state of another realm", func(t *testing.T) {
		k.op.SignIn(who)
		c := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
		c.Realm = "bpn"
		_, err := k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	for _, e := range k.Events(t, "sapk") {
		if e.Kind == string(auth.EventLoginFailed) {
			assert.Equal(t, "federation", e.Details["method"])
		}
	}
}

// TestFederationMixUp: with two providers, an answer for one presented at
// the other's callback is refused.
func TestFederationMixUp(t *testing.T) {
	evil := oidcprovider.New()
	t.Cleanup(evil.Close)
	evil.Register(oidcprovider.Client{ID: "mysapk-evil", Secret: "s", RedirectURIs: []string{"http://localhost:8080/sapk/lain/kembali"}})
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["sapk"]
		r.Federation.Providers = append(r.Federation.Providers, auth.Provider{Name: "lain", Label: "Lain", Issuer: evil.Issuer, ClientID: "mysapk-evil", ClientSecret: "s", RedirectURL: "http://localhost:8080/sapk/lain/kembali"})
		c.Realms["sapk"] = r
	})
	_, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-5", "nip": fedNIP})
	require.NoError(t, err)
	// The person starts at the evil provider, whose answer is then
	// replayed at INApas's callback.
	evil.SignIn(map[string]any{"sub": "inapas-5"})
	r, err := k.Auth.Federation().Begin(context.Background(), auth.FederationStart{Realm: "sapk", Provider: "lain", Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	back, err := evil.AuthorizeURL(r.URL)
	require.NoError(t, err)
	u, _ := url.Parse(back)
	_, err = k.Auth.Federation().Callback(context.Background(), auth.FederationCallback{Realm: "sapk", Provider: "inapas", Code: u.Query().Get("code"), State: u.Query().Get("state"), Issuer: u.Query().Get("iss"), Binding: r.Binding})
	assert.ErrorIs(t, err, auth.ErrFederationRefused)
}

// TestFederationSecondFactor: the realm's second factor is asked after
// the provider unless the provider's amr holds a method it accepts, or
// its acr a level it accepts (an acr that is not a string is none). A
// login asks for the levels.
func TestFederationSecondFactor(t *testing.T) {
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["bpn"]
		r.SecondFactor.Requirement = auth.SecondFactorMandatory
		r.Federation.Providers[0].AcceptMFA = []string{"mfa", "fpt"}
		r.Federation.Providers[0].AcceptACR = []string{"urn:inapas:loa:3", "urn:inapas:loa:4"}
		c.Realms["bpn"] = r
	})
	id := k.register(t, "bpn", "notaris.jaya")
	k.EnrollTOTP(t, id, fedPassword)
	k.op.SignIn(map[string]any{"sub": "inapas-8"})
	_, err := k.Auth.Federation().Callback(context.Background(), k.linkAnswer(t, "bpn", id))
	require.NoError(t, err)

	_, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-8", "amr": []string{"pwd"}})
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr, "a password at the provider is not the realm's second factor")
	res, err := k.signIn(t, "bpn", map[string]any{"sub": "inapas-8", "amr": []string{"fpt", "pin"}})
	require.NoError(t, err, "a fingerprint at INApas is")
	assert.Equal(t, id, res.Login.Account.ID)

	u, err := url.Parse(k.begin(t, "bpn", "", "").URL)
	require.NoError(t, err)
	assert.Equal(t, "urn:inapas:loa:3 urn:inapas:loa:4", u.Query().Get("acr_values"))
	for _, acr := range []any{"urn:inapas:loa:2", 3, ""} {
		_, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-8", "acr": acr})
		require.ErrorAs(t, err, &sfr, "acr %v", acr)
	}
	res, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-8", "acr": "urn:inapas:loa:3"})
	require.NoError(t, err, "a level the realm accepts")
	assert.Equal(t, id, res.Login.Account.ID)
}

// TestFederationLockAndState: a lock in force and an account that is not
// active refuse the provider's login as they refuse a password.
func TestFederationLockAndState(t *testing.T) {
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["bpn"]
		r.Lockout = lockout.Policy{Account: lockout.Rule{Threshold: 3, Lock: 30 * time.Minute}}
		c.Realms["bpn"] = r
	})
	id := k.register(t, "bpn", "notaris.jaya")
	k.op.SignIn(map[string]any{"sub": "inapas-4"})
	_, err := k.Auth.Federation().Callback(context.Background(), k.linkAnswer(t, "bpn", id))
	require.NoError(t, err)
	k.FailLogins(t, "bpn", "notaris.jaya", "198.51.100.2", 3)
	_, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-4"})
	assert.ErrorIs(t, err, lockout.ErrLocked)
	k.Advance(t, 31*time.Minute)
	_, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-4"})
	require.NoError(t, err)

	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "petugas", AccountID: "op", Realms: []string{"bpn"}})
	require.NoError(t, err)
	require.NoError(t, op.Disable(context.Background(), auth.OperatorAction{AccountID: id, Reason: "uji"}))
	_, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-4"})
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
}

// TestFederationUnlink: a provider goes after the password, unless it is
// the account's last way in.
func TestFederationUnlink(t *testing.T) {
	k := newFedKit(t)
	res, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-6", "nip": fedNIP})
	require.NoError(t, err)
	ns, err := k.Auth.Sessions().Start(context.Background(), auth.StartSession{Account: res.Login.Account})
	require.NoError(t, err)
	err = k.Auth.Federation().Unlink(context.Background(), auth.FederationUnlink{AccountID: res.Login.Account.ID, Provider: "inapas", Request: auth.Request{Session: ns.Token}})
	assert.ErrorIs(t, err, auth.ErrLastWayIn, "an account made by the provider has no password")

	id := k.register(t, "bpn", "notaris.jaya")
	k.op.SignIn(map[string]any{"sub": "inapas-7"})
	_, err = k.Auth.Federation().Callback(context.Background(), k.linkAnswer(t, "bpn", id))
	require.NoError(t, err)
	require.ErrorIs(t, k.Auth.Federation().Unlink(context.Background(), auth.FederationUnlink{AccountID: id, Provider: "inapas", Password: "salah"}), auth.ErrInvalidCredentials)
	require.NoError(t, k.Auth.Federation().Unlink(context.Background(), auth.FederationUnlink{AccountID: id, Provider: "inapas", Password: fedPassword}))
	_, err = k.signIn(t, "bpn", map[string]any{"sub": "inapas-7"})
	assert.ErrorIs(t, err, auth.ErrNotLinked)
}

// TestFederationLogoutAndJWKS: RP-initiated logout goes to the provider's
// end_session_endpoint; the realm's public key is published.
func TestFederationLogoutAndJWKS(t *testing.T) {
	k := newFedKit(t)
	u, err := k.Auth.Federation().LogoutURL(context.Background(), auth.FederationLogout{Realm: "sapk", Provider: "inapas", State: "s1"})
	require.NoError(t, err)
	parsed, err := url.Parse(u)
	require.NoError(t, err)
	assert.Equal(t, k.op.Issuer+"/logout", parsed.Scheme+"://"+parsed.Host+parsed.Path)
	assert.Equal(t, "mysapk", parsed.Query().Get("client_id"))
	assert.Equal(t, "http://localhost:8080/sapk/", parsed.Query().Get("post_logout_redirect_uri"))

	raw, err := k.Auth.JWKS()
	require.NoError(t, err)
	var set jose.JSONWebKeySet
	require.NoError(t, json.Unmarshal(raw, &set))
	require.Len(t, set.Keys, 1)
	assert.Equal(t, "sapk-1", set.Keys[0].KeyID)
	assert.True(t, set.Keys[0].IsPublic())
	pub, ok := set.Keys[0].Key.(*ecdsa.PublicKey)
	require.True(t, ok)
	assert.True(t, pub.Equal(k.key.Public()))
}

// TestFederationBudget: one address starts at most PerAddress logins.
func TestFederationBudget(t *testing.T) {
	k := newFedKit(t)
	var err error
	for i := 0; i < 31 && err == nil; i++ {
		_, err = k.Auth.Federation().Begin(context.Background(), auth.FederationStart{Realm: "sapk", Provider: "inapas", Request: auth.Request{ClientAddr: fedAddr}})
	}
	assert.ErrorIs(t, err, lockout.ErrThrottled)
}

// TestFederationConfig: providers that could not work, or would not be
// safe, are refused at New.
func TestFederationConfig(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	good := auth.Provider{Name: "inapas", Label: "INApas", Issuer: "https://sso.inapas.go.id", ClientID: "c", ClientKey: key, ClientKeyID: "k1", RedirectURL: "https://portal.example.go.id/cb"}
	for name, change := range map[string]func(*auth.Provider){
		"bad name":           func(p *auth.Provider) { p.Name = "INApas!" },
		"no label":           func(p *auth.Provider) { p.Label = "" },
		"http issuer":        func(p *auth.Provider) { p.Issuer = "http://sso.inapas.go.id" },
		"no client":          func(p *auth.Provider) { p.ClientID = "" },
		"both secrets":       func(p *auth.Provider) { p.ClientSecret = "s" },
		"no secret":          func(p *auth.Provider) { p.ClientKey = nil },
		"key without id":     func(p *auth.Provider) { p.ClientKeyID = "" },
		"http redirect":      func(p *auth.Provider) { p.RedirectURL = "http://portal.example.go.id/cb" },
		"claim without link": func(p *auth.Provider) { p.UsernameClaim = "nik" },
		"link without claim": func(p *auth.Provider) { p.Link = auth.LinkByClaim },
		"email, no scope":    func(p *auth.Provider) { p.Link, p.ByEmail = auth.LinkByClaim, true },
	} {
		p := good
		change(&p)
		_, err := auth.New(auth.Config{Store: authtest.New(t, auth.Config{}).Store, Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{"sapk": {Federation: auth.FederationPolicy{Providers: []auth.Provider{p}}}}})
		assert.ErrorIs(t, err, auth.ErrConfig, name)
	}
	_, err = auth.New(auth.Config{Store: authtest.New(t, auth.Config{}).Store, Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{"sapk": {Federation: auth.FederationPolicy{Providers: []auth.Provider{good, good}}}}})
	assert.ErrorIs(t, err, auth.ErrConfig, "a name twice")
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	second := good
	second.ClientKey = other
	_, err = auth.New(auth.Config{Store: authtest.New(t, auth.Config{}).Store, Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{
		"sapk": {Federation: auth.FederationPolicy{Providers: []auth.Provider{good}}},
		"bpjs": {Federation: auth.FederationPolicy{Providers: []auth.Provider{second}}},
	}})
	assert.ErrorIs(t, err, auth.ErrConfig, "one key ID for two keys")
	assert.ErrorContains(t, err, "ClientKeyID")
	second.ClientKey = key
	_, err = auth.New(auth.Config{Store: authtest.New(t, auth.Config{}).Store, Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{
		"sapk": {Federation: auth.FederationPolicy{Providers: []auth.Provider{good}}},
		"bpjs": {Federation: auth.FederationPolicy{Providers: []auth.Provider{second}}},
	}})
	assert.NoError(t, err, "one key shared by two realms")
	_, err = auth.New(auth.Config{Store: authtest.New(t, auth.Config{}).Store, Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{"sapk": {Federation: auth.FederationPolicy{Providers: []auth.Provider{good}}}}})
	assert.NoError(t, err)
	assert.False(t, errors.Is(err, auth.ErrConfig))
}

// TestFederationTraced: with tracing on, the federation store is traced
// too, and the callback is a span of its own.
func TestFederationTraced(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	k := newFedKit(t, func(c *auth.Config) {
		c.TracerProvider = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	})
	_, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-t", "nip": fedNIP})
	require.NoError(t, err)
	names := map[string]bool{}
	for _, s := range spans.Ended() {
		names[s.Name()] = true
	}
	for _, want := range []string{"masuk.Federation.Begin", "masuk.Federation.Callback", "masuk.store.federation.FederatedIdentity", "masuk.store.federation.LinkIdentity", "masuk.store.tokens.AttemptToken"} {
		assert.True(t, names[want], want)
	}
}

// TestFederationOnEveryBackend: a login through the provider, begun on one
// instance and answered on another, on memstore, SQLite, PostgreSQL, and
// PostgreSQL with the logins under way in Redis; an answer replayed at
// the second instance is refused.
func TestFederationOnEveryBackend(t *testing.T) {
	for _, be := range everyBackend() {
		t.Run(be.name, func(t *testing.T) {
			st, hot := be.open(t)
			shared := func(c *auth.Config) { c.Store, c.Tokens, c.Sessions = st, tokensOf(hot), sessionsOf(hot) }
			one := newFedKit(t, shared)
			two := newFedKitOf(t, one.op, one.key, shared)
			one.op.SignIn(map[string]any{"sub": "inapas-b", "nip": fedNIP})
			c := one.answer(t, "sapk", one.begin(t, "sapk", "", ""))
			res, err := two.Auth.Federation().Callback(context.Background(), c)
			require.NoError(t, err)
			assert.True(t, res.Created)
			_, err = one.Auth.Federation().Callback(context.Background(), c)
			assert.ErrorIs(t, err, auth.ErrFederationRefused)
			again, err := one.signIn(t, "sapk", map[string]any{"sub": "inapas-b", "nip": fedNIP})
			require.NoError(t, err)
			assert.Equal(t, res.Login.Account.ID, again.Login.Account.ID)
		})
	}
}

// TestFederationIntent: a link's answer completes no login, a login's
// answer no link, and a link another account began is not completed by
// a signed-in stranger's callback.
func TestFederationIntent(t *testing.T) {
	k := newFedKit(t)
	ctx := context.Background()
	id := k.register(t, "bpn", "notaris.jaya")
	other := k.register(t, "bpn", "notaris.lain")
	k.op.SignIn(map[string]any{"sub": "inapas-i"})

	c := k.linkAnswer(t, "bpn", id)
	c.AccountID = ""
	_, err := k.Auth.Federation().Callback(ctx, c)
	assert.ErrorIs(t, err, auth.ErrFederationRefused, "a link's answer at a login's callback")
	c = k.linkAnswer(t, "bpn", id)
	c.AccountID = other
	_, err = k.Auth.Federation().Callback(ctx, c)
	assert.ErrorIs(t, err, auth.ErrFederationRefused, "another account's link")
	ids, err := k.Auth.Federation().Identities(ctx, id)
	require.NoError(t, err)
	assert.Empty(t, ids, "no link was made")

	_, err = k.Auth.Federation().Callback(ctx, k.answer(t, "bpn", k.begin(t, "bpn", other, fedPassword)))
	assert.ErrorIs(t, err, auth.ErrFederationRefused, "a link's answer without its account")
	l := k.answer(t, "bpn", k.begin(t, "bpn", "", ""))
	l.AccountID = other
	_, err = k.Auth.Federation().Callback(ctx, l)
	assert.ErrorIs(t, err, auth.ErrFederationRefused, "a login's answer at a link's callback")
}

// TestFederationKeysRotatedBackToBack: keys rotated between logins in
// quick succession are each found, and a retired one is never brought
// back by a fetch that began before it retired (go-oidc's RemoteKeySet
// did both, about once in 70 rotations, when its fetches overlapped).
func TestFederationKeysRotatedBackToBack(t *testing.T) {
	k := newFedKit(t)
	who := map[string]any{"sub": "inapas-r", "nip": fedNIP}
	for i := range 600 {
		if i%10 == 0 {
			k.Advance(t, 10*time.Minute) // past the address's budget of starts
		}
		_, err := k.signIn(t, "sapk", who)
		require.NoError(t, err, "rotation %d", i)
		k.op.Rotate(false)
		if i%10 == 9 {
			_, err := k.signIn(t, "sapk", who)
			require.NoError(t, err)
			k.op.SignWithRetired(true)
			_, err = k.signIn(t, "sapk", who)
			k.op.SignWithRetired(false)
			require.ErrorIs(t, err, auth.ErrFederationRefused, "rotation %d: the retired key", i)
		}
	}
}

// TestFederationBoundedAnswers: a provider's answer over 1 MiB (here its
// discovery document) is refused unread, and fails closed.
func TestFederationBoundedAnswers(t *testing.T) {
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"issuer":"` + strings.Repeat("x", 2<<20) + `"}`))
	}))
	t.Cleanup(huge.Close)
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["bpn"]
		r.Federation.Providers[0].Issuer = huge.URL
		c.Realms["bpn"] = r
	})
	_, err := k.Auth.Federation().Begin(context.Background(), auth.FederationStart{Realm: "bpn", Provider: "inapas", Request: auth.Request{ClientAddr: fedAddr}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "larger than 1 MiB")
}

// TestFederationParallelAnswers: one answer sent 16 times at once logs in
// once.
func TestFederationParallelAnswers(t *testing.T) {
	k := newFedKit(t)
	k.op.SignIn(map[string]any{"sub": "inapas-p", "nip": fedNIP})
	c := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := k.Auth.Federation().Callback(context.Background(), c); err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 1, ok.Load())
}

// TestFederationStateNotSpentByAnotherBrowser: whoever saw a state in a
// URL and sends it first, from a browser without its binding, does not
// spend it for its owner.
func TestFederationStateNotSpentByAnotherBrowser(t *testing.T) {
	k := newFedKit(t)
	k.op.SignIn(map[string]any{"sub": "inapas-s", "nip": fedNIP})
	victim := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
	attacker := victim
	attacker.Code, attacker.Binding = "kode-lain", "bukan-pengikat-korban"
	_, err := k.Auth.Federation().Callback(context.Background(), attacker)
	require.ErrorIs(t, err, auth.ErrFederationRefused)
	_, err = k.Auth.Federation().Callback(context.Background(), victim)
	require.NoError(t, err, "the owner's answer still completes")
}

// TestFederationLinkVoidAfterPasswordChange: a link begun with a password
// that then changed (the owner took the account back from whoever knew
// it) completes nothing.
func TestFederationLinkVoidAfterPasswordChange(t *testing.T) {
	k := newFedKit(t)
	ctx := context.Background()
	id := k.register(t, "bpn", "notaris.jaya")
	k.op.SignIn(map[string]any{"sub": "penyusup"})
	pending := k.linkAnswer(t, "bpn", id)
	require.NoError(t, k.Auth.Accounts().ChangePassword(ctx, auth.PasswordChange{AccountID: id, Current: fedPassword, New: "Kopi-Tubruk-Pahit-2027"}))
	_, err := k.Auth.Federation().Callback(ctx, pending)
	require.ErrorIs(t, err, auth.ErrFederationRefused)
	_, err = k.signIn(t, "bpn", map[string]any{"sub": "penyusup"})
	assert.ErrorIs(t, err, auth.ErrNotLinked, "the intruder has no way in")
}

// TestFederationAcceptMFANotPhishingResistant: a realm that requires a
// passkey of its own cannot take a provider's "amr" instead.
func TestFederationAcceptMFANotPhishingResistant(t *testing.T) {
	k := newFedKit(t)
	r := auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorPhishingResistant}, Messages: auth.Messages{PortalName: "Mitra BPN"},
		Passkeys: auth.PasskeyPolicy{RPID: "localhost", Origins: []string{"http://localhost:8080"}},
		Federation: auth.FederationPolicy{Providers: []auth.Provider{{Name: "inapas", Label: "INApas", Issuer: k.op.Issuer, ClientID: "c", ClientSecret: "s",
			RedirectURL: "http://localhost:8080/bpn/inapas/kembali", AcceptMFA: []string{"mfa"}}}}}
	_, err := auth.New(auth.Config{Store: k.Store, Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{"bpn": r}})
	assert.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorContains(t, err, "AcceptMFA")
}

// TestFederationCreateAwaitsApproval: in a realm whose operators approve
// every account, one a provider's claim makes waits for them too.
func TestFederationCreateAwaitsApproval(t *testing.T) {
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["sapk"]
		r.Registration.Approval = true
		c.Realms["sapk"] = r
	})
	who := map[string]any{"sub": "inapas-a", "nip": fedNIP}
	_, err := k.signIn(t, "sapk", who)
	require.ErrorIs(t, err, auth.ErrPendingApproval)
	acct, err := k.Store.AccountByUsername(context.Background(), "sapk", fedNIP)
	require.NoError(t, err)
	assert.Equal(t, store.StatePendingApproval, acct.State)
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "petugas", AccountID: "op", Realms: []string{"sapk"}})
	require.NoError(t, err)
	_, err = op.Approve(context.Background(), auth.Decision{AccountID: acct.ID})
	require.NoError(t, err)
	res, err := k.signIn(t, "sapk", who)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Login.Account.ID)
	assert.True(t, res.Linked)
}

// TestFederationNoLinkToDisabled: a disabled account gets no new way in
// by a claim: nothing is linked that would work once it is enabled.
func TestFederationNoLinkToDisabled(t *testing.T) {
	k := newFedKit(t)
	ctx := context.Background()
	res, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-d", "nip": fedNIP})
	require.NoError(t, err)
	id := res.Login.Account.ID
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "petugas", AccountID: "op", Realms: []string{"sapk"}})
	require.NoError(t, err)
	require.NoError(t, op.Disable(ctx, auth.OperatorAction{AccountID: id, Reason: "uji"}))
	_, err = k.signIn(t, "sapk", map[string]any{"sub": "inapas-lain", "nip": fedNIP})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	ids, err := k.Auth.Federation().Identities(ctx, id)
	require.NoError(t, err)
	assert.Len(t, ids, 1, "only the first identity")
}

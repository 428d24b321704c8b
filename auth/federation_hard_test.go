package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// confirming makes the kit's sapk realm confirm new accounts by a link,
// so that a registration waits unconfirmed.
func confirming(c *auth.Config) {
	r := c.Realms["sapk"]
	r.Activation.Mode = auth.ActivationLink
	r.Links.Activate = "http://localhost:8080/sapk/aktivasi"
	c.Realms["sapk"] = r
}

// TestFederationCreateReplacesStaleSquatter: a registration of someone's
// NIP that never confirmed its address and is past
// Registration.UnconfirmedFor gives way to the person the provider
// vouches for, as it would to a registration; an account that confirmed,
// or is not yet stale, stays and blocks.
func TestFederationCreateReplacesStaleSquatter(t *testing.T) {
	ctx := context.Background()
	k := newFedKit(t, confirming)
	squatter := k.register(t, "sapk", fedNIP)
	held, err := k.Store.AccountByID(ctx, squatter)
	require.NoError(t, err)
	require.Equal(t, store.StatePendingConfirmation, held.State)

	who := map[string]any{"sub": "inapas-owner", "nip": fedNIP}
	_, err = k.signIn(t, "sapk", who)
	require.ErrorIs(t, err, auth.ErrNotLinked, "a fresh registration is not replaced")
	_, err = k.Store.AccountByID(ctx, squatter)
	require.NoError(t, err)

	k.Advance(t, 7*24*time.Hour+time.Minute)
	res, err := k.signIn(t, "sapk", who)
	require.NoError(t, err, "a stale unconfirmed registration gives way")
	assert.True(t, res.Created)
	assert.NotEqual(t, squatter, res.Login.Account.ID)
	assert.Equal(t, fedNIP, res.Login.Account.Username)
	_, err = k.Store.AccountByID(ctx, squatter)
	assert.ErrorIs(t, err, store.ErrNotFound, "the squatter is deleted")
	var expired bool
	for _, e := range k.Events(t, "sapk") {
		expired = expired || (e.Kind == string(auth.EventExpired) && e.AccountID == squatter)
	}
	assert.True(t, expired, "the deletion is recorded as registration's is")
}

// TestFederationCreateKeepsConfirmedAndStaleNotPending: Create never
// replaces an account that is active, waiting for approval, or disabled,
// however old, and a stale unconfirmed account confirmed meanwhile (the
// store's state guard) stays.
func TestFederationCreateKeepsConfirmedAndStaleNotPending(t *testing.T) {
	ctx := context.Background()
	for _, state := range []store.AccountState{store.StateActive, store.StatePendingApproval, store.StateDisabled} {
		t.Run(string(state), func(t *testing.T) {
			k := newFedKit(t, confirming)
			id := k.register(t, "sapk", fedNIP)
			require.NoError(t, k.Store.SetAccountState(ctx, id, store.StatePendingConfirmation, state, k.Now()))
			k.Advance(t, 30*24*time.Hour)
			_, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-owner", "nip": fedNIP})
			require.ErrorIs(t, err, auth.ErrNotLinked)
			acct, err := k.Store.AccountByID(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, state, acct.State)
		})
	}
	t.Run("realm without Create", func(t *testing.T) {
		k := newFedKit(t, confirming, func(c *auth.Config) {
			r := c.Realms["sapk"]
			r.Federation.Providers[0].Create = false
			c.Realms["sapk"] = r
		})
		id := k.register(t, "sapk", fedNIP)
		k.Advance(t, 30*24*time.Hour)
		_, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-owner", "nip": fedNIP})
		require.ErrorIs(t, err, auth.ErrNotLinked)
		_, err = k.Store.AccountByID(ctx, id)
		assert.NoError(t, err, "nothing is deleted when nothing would take its place")
	})
}

// TestFederationRealmBudget: many addresses, each within its own
// PerAddress, start at most Federation.PerRealm logins in the realm;
// another realm keeps its own budget, and the window's end restores it.
func TestFederationRealmBudget(t *testing.T) {
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["sapk"]
		r.Federation.PerRealm = lockout.Rate{Requests: 3, Window: time.Minute}
		c.Realms["sapk"] = r
	})
	ctx := context.Background()
	begin := func(realm string, i int) error {
		_, err := k.Auth.Federation().Begin(ctx, auth.FederationStart{Realm: realm, Provider: "inapas", Request: auth.Request{ClientAddr: fmt.Sprintf("198.51.%d.7", i)}})
		return err
	}
	for i := range 3 {
		require.NoError(t, begin("sapk", i))
	}
	err := begin("sapk", 3)
	var te *lockout.ThrottledError
	require.ErrorAs(t, err, &te, "a fresh address finds the realm's budget spent")
	assert.Equal(t, k.Now().Add(time.Minute).Unix(), te.RetryAt.Unix())
	assert.Equal(t, auth.CodeThrottled, auth.Classify(err).Code)
	require.NoError(t, begin("bpn", 3), "another realm's budget is its own")
	k.Advance(t, time.Minute)
	require.NoError(t, begin("sapk", 4))
}

// TestFederationRealmBudgetConfig: a realm budget the guard could not
// count is refused at New.
func TestFederationRealmBudgetConfig(t *testing.T) {
	for _, rate := range []lockout.Rate{{Requests: 101, Window: time.Second}, {Requests: 5}} {
		k := newFedKit(t)
		_, err := auth.New(auth.Config{Store: k.Store, Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{"bpn": {Federation: auth.FederationPolicy{
			PerRealm: rate, Providers: []auth.Provider{{Name: "inapas", Label: "INApas", Issuer: k.op.Issuer, ClientID: "c", ClientSecret: "s",
				RedirectURL: "http://localhost:8080/bpn/inapas/kembali"}}}}}})
		assert.ErrorIs(t, err, auth.ErrConfig)
		assert.ErrorContains(t, err, "PerRealm")
	}
}

// TestFederationTwoTabs: a browser that began two logins (two tabs) and
// keeps both bindings completes both, each answer finding its own among
// the bindings offered; wrong bindings cost one attempt per answer, not
// one per binding; more than MaxFederationBindings refuse the answer
// without spending it.
func TestFederationTwoTabs(t *testing.T) {
	k := newFedKit(t)
	ctx := context.Background()
	k.op.SignIn(map[string]any{"sub": "inapas-tabs", "nip": fedNIP})
	first := k.begin(t, "sapk", "", "")
	second := k.begin(t, "sapk", "", "")
	kept := []string{second.Binding, first.Binding} // newest first, as a cookie keeps them

	a1 := k.answer(t, "sapk", first)
	a2 := k.answer(t, "sapk", second)
	a1.Binding, a1.Bindings = "", kept
	a2.Binding, a2.Bindings = "", kept

	res, err := k.Auth.Federation().Callback(ctx, a1)
	require.NoError(t, err, "the first tab's answer completes though the second began later")
	require.NotNil(t, res.Login)
	res, err = k.Auth.Federation().Callback(ctx, a2)
	require.NoError(t, err, "and so does the second's")
	require.NotNil(t, res.Login)

	// Wrong bindings: each answer is one attempt of the state's three.
	third := k.begin(t, "sapk", "", "")
	a3 := k.answer(t, "sapk", third)
	wrong := a3
	wrong.Binding, wrong.Bindings = "", []string{"salah-1", "salah-2", "salah-3", "salah-4"}
	for range 2 {
		_, err = k.Auth.Federation().Callback(ctx, wrong)
		require.ErrorIs(t, err, auth.ErrFederationRefused)
	}
	tooMany := a3
	tooMany.Bindings = []string{"a", "b", "c", "d"}
	_, err = k.Auth.Federation().Callback(ctx, tooMany)
	require.ErrorIs(t, err, auth.ErrFederationRefused, "five bindings are more than a browser keeps")
	a3.Bindings = []string{"salah-1", "salah-2", "salah-3"}
	_, err = k.Auth.Federation().Callback(ctx, a3)
	require.NoError(t, err, "the owner's answer, with its binding among others, still completes on the last attempt")
}

// TestFederationCreateReplacesStaleSquatterByEmail: the same by a
// verified email: a stale unconfirmed registration that holds the address
// gives way.
func TestFederationCreateReplacesStaleSquatterByEmail(t *testing.T) {
	ctx := context.Background()
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["bpn"]
		r.Activation.Mode = auth.ActivationLink
		r.Links.Activate = "http://localhost:8080/bpn/aktivasi"
		p := &r.Federation.Providers[0]
		p.Link, p.ByEmail, p.Create, p.Scopes = auth.LinkByClaim, true, true, []string{"email"}
		c.Realms["bpn"] = r
	})
	reg, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "bpn", Username: "penyerobot", Email: "siti@example.go.id", Password: fedPassword})
	require.NoError(t, err)
	who := map[string]any{"sub": "inapas-siti", "email": "siti@example.go.id", "email_verified": true}
	_, err = k.signIn(t, "bpn", who)
	require.ErrorIs(t, err, auth.ErrNotLinked)
	k.Advance(t, 7*24*time.Hour+time.Minute)
	res, err := k.signIn(t, "bpn", who)
	require.NoError(t, err)
	assert.True(t, res.Created)
	assert.Equal(t, "siti@example.go.id", res.Login.Account.Email)
	_, err = k.Store.AccountByID(ctx, reg.Account.ID)
	assert.ErrorIs(t, err, store.ErrNotFound)
}

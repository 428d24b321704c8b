package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

const fedEmail = "wulan@example.go.id"

// withMailRealm adds a realm "bpjs" whose provider links and makes
// accounts by a verified email, so that their notices have an address.
// Its AuthParams ask for no fresh sign-in, which a re-authentication's
// start overrides.
func withMailRealm(issuer string) func(*auth.Config) {
	return func(c *auth.Config) {
		c.Realms["bpjs"] = auth.Realm{Federation: auth.FederationPolicy{Providers: []auth.Provider{{
			Name: "inapas", Label: "INApas", Issuer: issuer, ClientID: "bpjs", ClientSecret: "rahasia-klien-bpjs",
			RedirectURL: "http://localhost:8080/bpjs/inapas/kembali", Scopes: []string{"email"},
			Link: auth.LinkByClaim, ByEmail: true, Create: true, AuthParams: map[string]string{"prompt": "consent", "max_age": "86400"},
		}}}}
	}
}

// madeByProvider signs in through the provider of realm "bpjs" as a new
// person, whose account the provider makes, and starts a session; the
// login's own proof is then let lapse.
func madeByProvider(t *testing.T) (*fedKit, store.Account, string) {
	t.Helper()
	op := oidcprovider.New()
	t.Cleanup(op.Close)
	op.Register(oidcprovider.Client{ID: "bpjs", Secret: "rahasia-klien-bpjs", RedirectURIs: []string{"http://localhost:8080/bpjs/inapas/kembali"}})
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	k := newFedKitOf(t, op, key, withMailRealm(op.Issuer))
	res, err := k.signIn(t, "bpjs", map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
	require.NoError(t, err)
	require.True(t, res.Created)
	ns, err := k.Auth.Sessions().Start(context.Background(), auth.StartSession{Account: res.Login.Account, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	k.Advance(t, 11*time.Minute)
	return k, res.Login.Account, ns.Token
}

// reauthAnswer begins a re-authentication in the session and returns the
// provider's answer, as the signed-in owner's browser brings it back.
func (k *fedKit) reauthAnswer(t *testing.T, realm, accountID, session string) auth.FederationCallback {
	t.Helper()
	r, err := k.Auth.Federation().Begin(context.Background(), auth.FederationStart{Realm: realm, Provider: "inapas", AccountID: accountID, Reauthenticate: true,
		Request: auth.Request{ClientAddr: fedAddr, Session: session}})
	require.NoError(t, err)
	c := k.answer(t, realm, r)
	c.AccountID, c.Session, c.Reauthenticate = accountID, session, true
	return c
}

// phoneChange is a sensitive action without the password.
func phoneChange(k *fedKit, accountID, session string) error {
	_, err := k.Auth.Accounts().RequestPhoneChange(context.Background(), auth.PhoneChange{
		AccountID: accountID, NewPhone: "0812-3456-7890", Request: auth.Request{ClientAddr: fedAddr, Session: session},
	})
	return err
}

// TestFederationReauthThenFirstPassword is the gap of accounts a provider
// made: past the login's window, no sensitive action goes through; the
// provider re-authenticates the owner, and the owner sets a first
// password, which then logs in.
func TestFederationReauthThenFirstPassword(t *testing.T) {
	k, acct, sess := madeByProvider(t)
	ctx := context.Background()
	require.ErrorIs(t, phoneChange(k, acct.ID, sess), auth.ErrReauthRequired, "past the login's window")
	has, err := k.Auth.Accounts().HasPassword(ctx, acct.ID)
	require.NoError(t, err)
	assert.False(t, has)
	err = k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: acct.ID, New: fedPassword, Request: auth.Request{Session: sess}})
	require.ErrorIs(t, err, auth.ErrReauthRequired, "a first password needs a recent proof too")

	r, err := k.Auth.Federation().Begin(ctx, auth.FederationStart{Realm: "bpjs", Provider: "inapas", AccountID: acct.ID, Reauthenticate: true,
		Request: auth.Request{ClientAddr: fedAddr, Session: sess}})
	require.NoError(t, err)
	u, err := url.Parse(r.URL)
	require.NoError(t, err)
	assert.Equal(t, "login", u.Query().Get("prompt"), "the provider is asked for a fresh sign-in")
	assert.Equal(t, "0", u.Query().Get("max_age"))
	c := k.answer(t, "bpjs", r)
	c.AccountID, c.Session, c.Reauthenticate = acct.ID, sess, true
	res, err := k.Auth.Federation().Callback(ctx, c)
	require.NoError(t, err)
	assert.True(t, res.Reauthenticated)
	assert.False(t, res.Linked)
	assert.Nil(t, res.Login)
	assert.Equal(t, k.Now().Add(10*time.Minute), res.ReauthUntil)
	p, err := k.Auth.Sessions().Load(ctx, sess)
	require.NoError(t, err)
	assert.Equal(t, res.ReauthUntil, p.ReauthUntil)
	require.NoError(t, phoneChange(k, acct.ID, sess), "the provider's proof stands in for the password")

	err = k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: acct.ID, New: "pendek", Request: auth.Request{Session: sess}})
	require.ErrorIs(t, err, password.ErrPolicy)
	has, err = k.Auth.Accounts().HasPassword(ctx, acct.ID)
	require.NoError(t, err)
	assert.False(t, has, "a password the policy refuses is not stored")

	other, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	require.NoError(t, k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: acct.ID, New: fedPassword, Request: auth.Request{ClientAddr: fedAddr, Session: sess}}))
	has, err = k.Auth.Accounts().HasPassword(ctx, acct.ID)
	require.NoError(t, err)
	assert.True(t, has)
	_, err = k.Auth.Sessions().Load(ctx, other.Token)
	require.NoError(t, err, "the stamp is kept: the owner's other sessions go on")
	err = k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: acct.ID, New: "Kopi-Tubruk-Pahit-2026", Request: auth.Request{Session: sess}})
	require.ErrorIs(t, err, auth.ErrHasPassword, "never a way to replace a password without the current one")
	assert.Equal(t, auth.CodeHasPassword, auth.Classify(err).Code)

	login, err := k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpjs", Username: acct.Username, Password: fedPassword, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err, "the first password logs in")
	assert.Equal(t, acct.ID, login.Account.ID)

	var kinds []string
	for _, e := range k.Events(t, "bpjs") {
		if e.AccountID == acct.ID {
			kinds = append(kinds, e.Kind)
			if e.Kind == string(auth.EventReauthenticated) {
				assert.Equal(t, map[string]string{"method": "federation", "provider": "inapas"}, e.Details)
			}
		}
	}
	assert.Contains(t, kinds, string(auth.EventReauthenticated))
	assert.Contains(t, kinds, string(auth.EventPasswordSet))
	m := k.LastMessage(t, fedEmail)
	assert.Equal(t, notify.PasswordSet, m.Purpose)
}

// TestFederationReauthRefusals: only the very identity linked to the
// account, signed in after Begin, in the session that began, proves the
// owner; everything else is refused and recorded, and proves nothing.
func TestFederationReauthRefusals(t *testing.T) {
	ctx := context.Background()
	refusedWith := func(t *testing.T, k *fedKit, acct store.Account, reason auth.Reason) {
		t.Helper()
		var found bool
		for _, e := range k.Events(t, "bpjs") {
			if e.Kind == string(auth.EventReauthFailed) && e.AccountID == acct.ID && e.Details["reason"] == string(reason) {
				found = true
				assert.Equal(t, "reauthenticate", e.Details["action"])
				assert.Equal(t, "inapas", e.Details["provider"])
			}
		}
		assert.True(t, found, "a failed re-authentication with reason %s is recorded", reason)
	}
	for _, tc := range []struct {
		name   string
		setup  func(k *fedKit, acct store.Account, sess string, c *auth.FederationCallback)
		before func(k *fedKit, acct store.Account)
		reason auth.Reason
	}{
		{name: "another person at the provider", reason: auth.ReasonOtherIdentity,
			before: func(k *fedKit, _ store.Account) {
				k.op.SignIn(map[string]any{"sub": "inapas-stranger", "email": "orang.lain@example.go.id", "email_verified": true})
			}},
		{name: "an identity linked to another account", reason: auth.ReasonOtherIdentity,
			before: func(k *fedKit, _ store.Account) {
				_, err := k.signIn(t, "bpjs", map[string]any{"sub": "inapas-neighbour", "email": "tetangga@example.go.id", "email_verified": true})
				require.NoError(t, err)
			}},
		{name: "a sign-in from before Begin", reason: auth.ReasonStaleAuthentication,
			before: func(k *fedKit, _ store.Account) { k.op.SetFaults(oidcprovider.Faults{StaleAuthTime: true}) }},
		{name: "no auth_time", reason: auth.ReasonStaleAuthentication,
			before: func(k *fedKit, _ store.Account) { k.op.SetFaults(oidcprovider.Faults{NoAuthTime: true}) }},
		{name: "another session of the account", reason: auth.ReasonNoCode,
			setup: func(k *fedKit, acct store.Account, _ string, c *auth.FederationCallback) {
				ns, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: acct})
				require.NoError(t, err)
				c.Session = ns.Token
			}},
		{name: "no session", reason: auth.ReasonNoCode,
			setup: func(_ *fedKit, _ store.Account, _ string, c *auth.FederationCallback) { c.Session = "" }},
		{name: "the account's stamp changed", reason: auth.ReasonPendingUsed,
			setup: func(k *fedKit, acct store.Account, _ string, _ *auth.FederationCallback) {
				require.NoError(t, k.Store.SetCredential(ctx, store.Credential{AccountID: acct.ID, Hash: "$argon2id$x", ChangedAt: k.Now()}, "stamp-after-reset"))
			}},
		{name: "a wrong nonce", reason: auth.ReasonBadCode,
			before: func(k *fedKit, _ store.Account) { k.op.SetFaults(oidcprovider.Faults{Nonce: "someone-elses"}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, acct, sess := madeByProvider(t)
			if tc.before != nil {
				tc.before(k, acct)
			} else {
				k.op.SignIn(map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
			}
			c := k.reauthAnswer(t, "bpjs", acct.ID, sess)
			if tc.setup != nil {
				tc.setup(k, acct, sess, &c)
			}
			_, err := k.Auth.Federation().Callback(ctx, c)
			require.ErrorIs(t, err, auth.ErrFederationRefused)
			refusedWith(t, k, acct, tc.reason)
			assert.ErrorIs(t, phoneChange(k, acct.ID, sess), auth.ErrReauthRequired, "a refused answer proves nothing")
		})
	}

	t.Run("an answer of another kind", func(t *testing.T) {
		k, acct, sess := madeByProvider(t)
		k.op.SignIn(map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
		c := k.reauthAnswer(t, "bpjs", acct.ID, sess)
		c.AccountID = ""
		res, err := k.Auth.Federation().Callback(ctx, c)
		require.ErrorIs(t, err, auth.ErrFederationRefused, "a re-authentication's answer at a login's callback logs nobody in")
		assert.Nil(t, res)

		c = k.reauthAnswer(t, "bpjs", acct.ID, sess)
		c.Reauthenticate = false
		_, err = k.Auth.Federation().Callback(ctx, c)
		require.ErrorIs(t, err, auth.ErrFederationRefused, "nor, taken for a link's, does it prove anything")
		assert.ErrorIs(t, phoneChange(k, acct.ID, sess), auth.ErrReauthRequired)

		// A link's answer taken for a re-authentication's proves nothing
		// and links nothing.
		id := k.register(t, "bpn", "notaris.jaya")
		k.op.SignIn(map[string]any{"sub": "inapas-notaris"})
		lc := k.linkAnswer(t, "bpn", id)
		lc.Reauthenticate = true
		_, err = k.Auth.Federation().Callback(ctx, lc)
		require.ErrorIs(t, err, auth.ErrFederationRefused)
		ids, err := k.Auth.Federation().Identities(ctx, id)
		require.NoError(t, err)
		assert.Empty(t, ids)
	})
}

// TestFederationReauthBegin: a re-authentication starts only for a
// signed-in owner of an active account linked to the provider, without a
// password.
func TestFederationReauthBegin(t *testing.T) {
	k, acct, sess := madeByProvider(t)
	ctx := context.Background()
	begin := func(s auth.FederationStart) error {
		s.Provider, s.Reauthenticate = "inapas", true
		s.ClientAddr = fedAddr
		_, err := k.Auth.Federation().Begin(ctx, s)
		return err
	}
	assert.ErrorIs(t, begin(auth.FederationStart{Realm: "bpjs", AccountID: acct.ID}), auth.ErrNoSession)
	assert.ErrorIs(t, begin(auth.FederationStart{Realm: "bpjs", Request: auth.Request{Session: sess}}), auth.ErrNoSession)
	assert.ErrorIs(t, begin(auth.FederationStart{Realm: "bpjs", AccountID: acct.ID, Request: auth.Request{Session: "garbage"}}), auth.ErrNoSession)
	assert.ErrorIs(t, begin(auth.FederationStart{Realm: "bpjs", AccountID: acct.ID, Password: fedPassword, Request: auth.Request{Session: sess}}), auth.ErrInvalidField)
	assert.ErrorIs(t, begin(auth.FederationStart{Realm: "sapk", AccountID: acct.ID, Request: auth.Request{Session: sess}}), auth.ErrUnknownRealm)

	// Another account's session is not this account's.
	res, err := k.signIn(t, "bpjs", map[string]any{"sub": "inapas-other", "email": "lain@example.go.id", "email_verified": true})
	require.NoError(t, err)
	ns, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: res.Login.Account})
	require.NoError(t, err)
	assert.ErrorIs(t, begin(auth.FederationStart{Realm: "bpjs", AccountID: acct.ID, Request: auth.Request{Session: ns.Token}}), auth.ErrNoSession)

	// An account with no identity of the provider has nothing to prove
	// itself with there.
	id := k.register(t, "bpn", "notaris.jaya")
	login, err := k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "notaris.jaya", Password: fedPassword, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	bs, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: login.Account})
	require.NoError(t, err)
	assert.ErrorIs(t, begin(auth.FederationStart{Realm: "bpn", AccountID: id, Request: auth.Request{Session: bs.Token}}), auth.ErrNotLinked)
}

// TestFirstPasswordNeverReplaces: an account with a password, even with a
// fresh proof in its session, cannot set a "first" one; parallel first
// passwords store exactly one.
func TestFirstPasswordNeverReplaces(t *testing.T) {
	k := newFedKit(t)
	ctx := context.Background()
	id := k.register(t, "bpn", "notaris.jaya")
	login, err := k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "notaris.jaya", Password: fedPassword, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	ns, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: login.Account})
	require.NoError(t, err)
	err = k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: id, New: "Kopi-Tubruk-Pahit-2026", Request: auth.Request{Session: ns.Token}})
	require.ErrorIs(t, err, auth.ErrHasPassword)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "notaris.jaya", Password: fedPassword, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err, "the password is the one it was")

	k2, acct, sess := madeByProvider(t)
	k2.op.SignIn(map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
	_, err = k2.Auth.Federation().Callback(ctx, k2.reauthAnswer(t, "bpjs", acct.ID, sess))
	require.NoError(t, err)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = k2.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: acct.ID, New: fedPassword + string(rune('a'+i)), Request: auth.Request{Session: sess}})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			assert.ErrorIs(t, err, auth.ErrHasPassword)
		}
	}
	assert.Equal(t, 1, won, "exactly one first password")
}

// TestFreshAuth: "auth_time" must be a number of seconds after the start
// (less half a minute of clock skew) and not in the future.
func TestFreshAuth(t *testing.T) {
	begun := time.Date(2026, 12, 7, 3, 0, 0, 500_000_000, time.UTC)
	now := begun.Add(2 * time.Minute)
	sec := func(t time.Time) float64 { return float64(t.Unix()) }
	for _, tc := range []struct {
		name string
		v    any
		want bool
	}{
		{"signed in after the start", sec(begun.Add(time.Minute)), true},
		{"in the start's second", sec(begun), true},
		{"within the skew before it", sec(begun.Add(-29 * time.Second)), true},
		{"past the skew before it", sec(begun.Add(-31 * time.Second)), false},
		{"an hour before", sec(begun.Add(-time.Hour)), false},
		{"in the future", sec(now.Add(2 * time.Minute)), false},
		{"missing", nil, false},
		{"a string", "1796612400", false},
		{"a boolean", true, false},
		{"negative", -1.0, false},
		{"huge", 1e300, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, auth.FreshAuth(tc.v, begun, now))
		})
	}
}

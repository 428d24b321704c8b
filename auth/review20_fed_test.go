package auth_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// Review of issue 20 (federated login): attempts, as an attacker and as a
// host would make them; each that found a defect is now its regression
// test.

// TestReview20StaleProviderLoginGivesProof: a re-authentication through
// the provider refuses an "auth_time" from before Begin (a long single
// sign-on session is no proof made now), but a login through the same
// provider, with the same stale "auth_time", starts a session that holds
// a recent proof at once (sessions are verified when they start): whoever
// finds the provider's single sign-on session open (a shared computer)
// logs in and changes the phone, unlinks, or, on an account the provider
// made, sets a first password of their own, with no fresh sign-in
// anywhere.
func TestReview20StaleProviderLoginGivesProof(t *testing.T) {
	k, acct, _ := madeByProvider(t)
	ctx := context.Background()
	k.op.SetFaults(oidcprovider.Faults{StaleAuthTime: true})

	// The re-authentication is refused...
	k.op.SignIn(map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
	ns, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	k.Advance(t, 11*time.Minute)
	_, err = k.Auth.Federation().Callback(ctx, k.reauthAnswer(t, "bpjs", acct.ID, ns.Token))
	require.ErrorIs(t, err, auth.ErrFederationRefused, "a stale auth_time proves nothing in a re-authentication")

	// ...and so is the login on the same stale sign-in, which would start
	// a session holding a proof: found in review, fixed (a login asks for
	// max_age and checks auth_time against the realm's ReauthWithin).
	_, err = k.signIn(t, "bpjs", map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
	assert.ErrorIs(t, err, auth.ErrFederationRefused, "a login on an hour-old sign-in at the provider")
	k.op.SetFaults(oidcprovider.Faults{})
	res, err := k.signIn(t, "bpjs", map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
	require.NoError(t, err, "a login on a fresh sign-in")
	require.Equal(t, acct.ID, res.Login.Account.ID)
}

// countingTransport records the size of every request body sent to the
// provider's token endpoint.
type countingTransport struct{ max atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && strings.HasSuffix(r.URL.Path, "/token") {
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if n := int64(len(b)); n > c.max.Load() {
			c.max.Store(n)
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return http.DefaultTransport.RoundTrip(r)
}

// TestReview20LongCodeReachesProvider: the library sends a code of any
// length to the provider's token endpoint (only httpapi bounds it, at
// 2048; the portal and any other host pass the query string on as it
// came, up to the server's header limit).
func TestReview20LongCodeReachesProvider(t *testing.T) {
	ct := &countingTransport{}
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["bpn"]
		r.Federation.Providers[0].HTTPClient = &http.Client{Transport: ct, Timeout: 10 * time.Second}
		c.Realms["bpn"] = r
	})
	k.op.SignIn(map[string]any{"sub": "inapas-long"})
	c := k.answer(t, "bpn", k.begin(t, "bpn", "", ""))
	c.Code = strings.Repeat("A", 100_000)
	_, err := k.Auth.Federation().Callback(context.Background(), c)
	require.Error(t, err)
	assert.Less(t, ct.max.Load(), int64(8192), "a 100,000-character code went to the provider's token endpoint")
}

// TestReview20ReauthHeld: what held.
func TestReview20ReauthHeld(t *testing.T) {
	ctx := context.Background()
	k, victim, victimSess := madeByProvider(t)
	// The attacker: an account of their own, made by the provider, with a
	// fresh session.
	att, err := k.signIn(t, "bpjs", map[string]any{"sub": "inapas-attacker", "email": "penyerang@example.go.id", "email_verified": true})
	require.NoError(t, err)
	attSess, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: att.Login.Account, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)

	t.Run("begin for the victim with the attacker's session", func(t *testing.T) {
		_, err := k.Auth.Federation().Begin(ctx, auth.FederationStart{Realm: "bpjs", Provider: "inapas", AccountID: victim.ID, Reauthenticate: true,
			Request: auth.Request{ClientAddr: fedAddr, Session: attSess.Token}})
		assert.ErrorIs(t, err, auth.ErrNoSession)
	})
	t.Run("the victim's answer with the attacker's session", func(t *testing.T) {
		k.op.SignIn(map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
		c := k.reauthAnswer(t, "bpjs", victim.ID, victimSess)
		c.Session = attSess.Token
		_, err := k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
		c.Session = victimSess
		_, err = k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused, "the answer was used up")
	})
	t.Run("the attacker's own answer for the victim's account", func(t *testing.T) {
		k.op.SignIn(map[string]any{"sub": "inapas-attacker", "email": "penyerang@example.go.id", "email_verified": true})
		c := k.reauthAnswer(t, "bpjs", att.Login.Account.ID, attSess.Token)
		c.AccountID, c.Session = victim.ID, victimSess
		_, err := k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	t.Run("a reauthentication's answer as a link or a login", func(t *testing.T) {
		k.op.SignIn(map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
		c := k.reauthAnswer(t, "bpjs", victim.ID, victimSess)
		c.Reauthenticate = false
		_, err := k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused, "as a link")
		c = k.reauthAnswer(t, "bpjs", victim.ID, victimSess)
		c.Reauthenticate, c.AccountID = false, ""
		_, err = k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused, "as a login")
		l := k.answer(t, "bpjs", k.begin(t, "bpjs", "", ""))
		l.AccountID, l.Session, l.Reauthenticate = victim.ID, victimSess, true
		_, err = k.Auth.Federation().Callback(ctx, l)
		assert.ErrorIs(t, err, auth.ErrFederationRefused, "a login's answer as a re-authentication")
	})
	t.Run("first password with the attacker's proof", func(t *testing.T) {
		err := k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: victim.ID, New: "Kopi-Tubruk-Pahit-2026", Request: auth.Request{Session: attSess.Token}})
		assert.ErrorIs(t, err, auth.ErrReauthRequired)
	})
	t.Run("unlinked meanwhile", func(t *testing.T) {
		k.op.SignIn(map[string]any{"sub": "inapas-attacker", "email": "penyerang@example.go.id", "email_verified": true})
		c := k.reauthAnswer(t, "bpjs", att.Login.Account.ID, attSess.Token)
		fed, ok := k.Store.(store.Federation)
		require.True(t, ok)
		fis, err := fed.FederatedIdentities(ctx, att.Login.Account.ID)
		require.NoError(t, err)
		require.Len(t, fis, 1)
		require.NoError(t, fed.UnlinkIdentity(ctx, att.Login.Account.ID, fis[0].Issuer, fis[0].Subject, false))
		_, err = k.Auth.Federation().Callback(ctx, c)
		assert.ErrorIs(t, err, auth.ErrFederationRefused)
	})
	t.Run("disabled account", func(t *testing.T) {
		require.NoError(t, k.Store.SetAccountState(ctx, victim.ID, store.StateActive, store.StateDisabled, k.Now()))
		err := k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: victim.ID, New: "Kopi-Tubruk-Pahit-2026", Request: auth.Request{Session: victimSess}})
		assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	})
}

// TestReview20RealmBudgetBlocksSignedIn: anonymous login starts from
// many addresses spend Federation.PerRealm, which the signed-in owner's
// re-authentication (the only proof an account the provider made has)
// and link starts are charged to as well: whoever floods the login
// button locks every owner of the realm out of its sensitive actions.
func TestReview20RealmBudgetBlocksSignedIn(t *testing.T) {
	op := oidcprovider.New()
	t.Cleanup(op.Close)
	op.Register(oidcprovider.Client{ID: "bpjs", Secret: "rahasia-klien-bpjs", RedirectURIs: []string{"http://localhost:8080/bpjs/inapas/kembali"}})
	k := newFedKitOf(t, op, mustKey(t), withMailRealm(op.Issuer), func(c *auth.Config) {
		r := c.Realms["bpjs"]
		r.Federation.PerRealm = lockout.Rate{Requests: 5, Window: time.Minute}
		c.Realms["bpjs"] = r
	})
	ctx := context.Background()
	res, err := k.signIn(t, "bpjs", map[string]any{"sub": "inapas-wulan", "email": fedEmail, "email_verified": true})
	require.NoError(t, err)
	ns, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: res.Login.Account, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	for i := range 10 {
		_, _ = k.Auth.Federation().Begin(ctx, auth.FederationStart{Realm: "bpjs", Provider: "inapas", Request: auth.Request{ClientAddr: fmt.Sprintf("198.51.%d.7", i)}})
	}
	_, err = k.Auth.Federation().Begin(ctx, auth.FederationStart{Realm: "bpjs", Provider: "inapas", AccountID: res.Login.Account.ID, Reauthenticate: true,
		Request: auth.Request{ClientAddr: fedAddr, Session: ns.Token}})
	assert.NoError(t, err, "the owner's re-authentication is refused because anonymous starts spent the realm's budget")
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	return k
}

// TestReview20LongParameters: 10,000-character values in every field of
// a start and an answer, on every backend: each is refused as a request
// (never a store error or a panic), and nothing is started.
func TestReview20LongParameters(t *testing.T) {
	long := strings.Repeat("9", 10_000)
	for _, be := range everyBackend() {
		t.Run(be.name, func(t *testing.T) {
			st, hot := be.open(t)
			k := newFedKit(t, func(c *auth.Config) { c.Store, c.Tokens, c.Sessions = st, tokensOf(hot), sessionsOf(hot) })
			ctx := context.Background()
			for name, s := range map[string]auth.FederationStart{
				"addr":     {Realm: "sapk", Provider: "inapas", Request: auth.Request{ClientAddr: long}},
				"agent":    {Realm: "sapk", Provider: "inapas", Request: auth.Request{ClientAddr: fedAddr, UserAgent: long}},
				"account":  {Realm: "sapk", Provider: "inapas", AccountID: long, Password: long, Request: auth.Request{ClientAddr: fedAddr}},
				"reauth":   {Realm: "sapk", Provider: "inapas", AccountID: long, Reauthenticate: true, Request: auth.Request{ClientAddr: fedAddr, Session: long}},
				"provider": {Realm: "sapk", Provider: long, Request: auth.Request{ClientAddr: fedAddr}},
				"realm":    {Realm: long, Provider: "inapas", Request: auth.Request{ClientAddr: fedAddr}},
			} {
				_, err := k.Auth.Federation().Begin(ctx, s)
				if name == "addr" || name == "agent" {
					assert.NoError(t, err, name)
					continue
				}
				if err != nil {
					assert.NotEqual(t, 500, auth.Classify(err).Status, "%s: %v", name, err)
				}
			}
			k.op.SignIn(map[string]any{"sub": "inapas-long", "nip": fedNIP})
			// Each on an answer of its own: one that spends its state
			// (a long session, refused after the state is taken) must not
			// decide the next one's outcome, in whatever order they run.
			for name, mod := range map[string]func(*auth.FederationCallback){
				"state":   func(c *auth.FederationCallback) { c.State = long },
				"binding": func(c *auth.FederationCallback) { c.Binding = long },
				"iss":     func(c *auth.FederationCallback) { c.Issuer = long },
				"session": func(c *auth.FederationCallback) { c.Session, c.AccountID, c.Reauthenticate = long, long, true },
				"addr":    func(c *auth.FederationCallback) { c.ClientAddr = long },
			} {
				x := k.answer(t, "sapk", k.begin(t, "sapk", "", ""))
				mod(&x)
				_, err := k.Auth.Federation().Callback(ctx, x)
				if name == "addr" {
					// As Begin takes a long address, so does the answer:
					// the address is the budget's key, not a value kept.
					assert.NoError(t, err, name)
					continue
				}
				if assert.Error(t, err, name) {
					assert.NotEqual(t, 500, auth.Classify(err).Status, "%s: %v", name, err)
				}
			}
		})
	}
}

// TestReview20FirstPasswordUntold: SetFirstPassword keeps the account's
// other sessions because "the new way in is told to the owner by a
// notice"; an account a provider made by a username claim (SAPK's NIP)
// has no address, so no one is told, and a session that set a password
// of its own (whoever held it: see TestReview20StaleProviderLoginGivesProof)
// leaves the owner's other sessions, and the password, in place unseen.
func TestReview20FirstPasswordUntold(t *testing.T) {
	k := newFedKit(t)
	ctx := context.Background()
	res, err := k.signIn(t, "sapk", map[string]any{"sub": "inapas-nip", "nip": fedNIP})
	require.NoError(t, err)
	require.True(t, res.Created)
	acct := res.Login.Account
	assert.Empty(t, acct.Email, "an account made by the NIP claim has no address")
	owner, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: fedAddr}})
	require.NoError(t, err)
	other, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: "198.51.100.66"}})
	require.NoError(t, err)
	require.NoError(t, k.Auth.Accounts().SetFirstPassword(ctx, auth.FirstPassword{AccountID: acct.ID, New: "Kopi-Tubruk-Pahit-2026", Request: auth.Request{ClientAddr: "198.51.100.66", Session: other.Token}}))
	_, err = k.Auth.Sessions().Load(ctx, owner.Token)
	assert.Error(t, err, "no notice can reach this owner, yet their session goes on beside the one that set a password")
}

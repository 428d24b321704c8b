package auth_test

import (
	"encoding/base32"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// exactlyOne runs try n times at once and returns how many succeeded.
func exactlyOne(n int, try func() error) int32 {
	var ok atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			if try() == nil {
				ok.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	return ok.Load()
}

// TestOneTimeSecretsHaveOneWinner is issue 15's item 2: of N parallel
// redemptions of one valid reset code, reset link, emailed code,
// authenticator code or recovery code, exactly one succeeds, for N from 1
// to 1,000, on every backend. A secret out of tries is kept until the
// redemptions it let through are done, and a second factor is used up only
// with the login it completes.
func TestOneTimeSecretsHaveOneWinner(t *testing.T) {
	for _, b := range everyBackend() {
		t.Run(b.name, func(t *testing.T) {
			st, hot := b.open(t)
			ns := []int{1, 6, 1000}
			if b.name == "memstore" {
				ns = []int{1, 2, 3, 5, 6, 10, 11, 100, 1000}
			}
			for _, n := range ns {
				t.Run(fmt.Sprint(n), func(t *testing.T) { oneWinner(t, st, tokensOf(hot), n) })
			}
		})
	}
}

func oneWinner(t *testing.T, st store.Store, tokens store.Tokens, n int) {
	clk := authtest.NewClock(time.Now().Truncate(time.Second))
	clock := clk.Now
	ring, err := totp.NewKeyring("k", map[string][]byte{"k": make([]byte, totp.KeySize)})
	require.NoError(t, err)
	ob := &notify.Outbox{}
	realm := fmt.Sprintf("r%d-%d", n, time.Now().UnixNano()%1e9)
	a, err := auth.New(auth.Config{
		Store: st, Tokens: tokens, Hasher: &authtest.Hasher{}, Sender: ob, Now: clock, Keyring: ring,
		Realm: auth.Realm{
			Links:    links,
			Messages: auth.Messages{PortalName: "Uji"},
		},
		// The email fallback is set in the realms: New refuses it as a
		// default no realm could set back.
		Realms: map[string]auth.Realm{
			realm:       {Reset: auth.ResetPolicy{Delivery: auth.ByCode}, SecondFactor: auth.SecondFactorPolicy{EmailFallback: true}},
			realm + "l": {Reset: auth.ResetPolicy{Delivery: auth.ByLink}, SecondFactor: auth.SecondFactorPolicy{EmailFallback: true}},
		},
	})
	require.NoError(t, err)
	ctx := t.Context()
	r := auth.Request{ClientAddr: "203.0.113.9", UserAgent: "test"}
	newAccount := func(realm, name string) store.Account {
		acct, err := accountOf(a.Accounts().Register(ctx, auth.Registration{Realm: realm, Username: name, Email: name + "@example.id", Password: goodPassword, Request: r}))
		require.NoError(t, err)
		return acct
	}
	lastOf := func(to string) notify.Message {
		require.NoError(t, a.Close())
		m, ok := ob.Last(to)
		require.True(t, ok, to)
		return m
	}

	t.Run("reset code", func(t *testing.T) {
		newAccount(realm, "kode")
		started, err := a.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: realm, Identifier: "kode", Request: r})
		require.NoError(t, err)
		code, ok := notify.ExtractCode(lastOf("kode@example.id"))
		require.True(t, ok)
		assert.Equal(t, int32(1), exactlyOne(n, func() error {
			return a.Accounts().CompleteReset(ctx, auth.ResetCompletion{Realm: realm, Identifier: "kode", Flow: started.Flow, Code: code, NewPassword: "teh manis hangat baru"})
		}))
	})
	t.Run("reset link", func(t *testing.T) {
		newAccount(realm+"l", "tautan")
		_, err := a.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: realm + "l", Identifier: "tautan", Request: r})
		require.NoError(t, err)
		l, ok := notify.ExtractLink(lastOf("tautan@example.id"))
		require.True(t, ok)
		u, err := url.Parse(l)
		require.NoError(t, err)
		assert.Equal(t, int32(1), exactlyOne(n, func() error {
			return a.Accounts().CompleteReset(ctx, auth.ResetCompletion{Token: u.Query().Get("token"), NewPassword: "teh manis hangat baru"})
		}))
	})

	// The second factors: an account with an authenticator app, and one
	// pending login that every submission shares.
	acct := newAccount(realm, "dua")
	e, err := a.Factors().BeginTOTP(ctx, auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: r})
	require.NoError(t, err)
	u, err := url.Parse(e.URI)
	require.NoError(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	require.NoError(t, err)
	app := func() string {
		c, err := totp.Params{}.Code(secret, clk.Now())
		require.NoError(t, err)
		return c
	}
	enrolled, err := a.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: acct.ID, FactorID: e.FactorID, Code: app(), Request: r})
	require.NoError(t, err)
	pending := func() string {
		_, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: realm, Username: "dua", Password: goodPassword, Request: r})
		var sfr *auth.SecondFactorRequired
		require.ErrorAs(t, err, &sfr)
		return sfr.Pending
	}
	verify := func(p string, m auth.Method, code string) func() error {
		return func() error {
			_, err := a.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: realm, Pending: p, Method: m, Code: code, Request: r})
			return err
		}
	}
	op, err := a.Operator(auth.OperatorIdentity{Name: "test", Realms: []string{realm}})
	require.NoError(t, err)
	unlock := func() {
		_, err := op.Unlock(ctx, auth.UnlockRequest{Realm: realm, Username: "dua"})
		require.NoError(t, err)
	}
	t.Run("authenticator code", func(t *testing.T) {
		clk.Advance(time.Minute)
		assert.Equal(t, int32(1), exactlyOne(n, verify(pending(), auth.MethodTOTP, app())))
		unlock()
	})
	t.Run("recovery code", func(t *testing.T) {
		assert.Equal(t, int32(1), exactlyOne(n, verify(pending(), auth.MethodRecovery, enrolled.RecoveryCodes[0])))
		unlock()
	})
	t.Run("emailed code", func(t *testing.T) {
		p := pending()
		_, err := a.Logins().SendCode(ctx, auth.SendCodeRequest{Realm: realm, Pending: p, Method: auth.MethodEmail, Request: r})
		require.NoError(t, err)
		code, ok := notify.ExtractCode(lastOf("dua@example.id"))
		require.True(t, ok)
		assert.Equal(t, int32(1), exactlyOne(n, verify(p, auth.MethodEmail, code)))
		unlock()
	})
}

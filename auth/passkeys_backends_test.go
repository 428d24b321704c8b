package auth_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store"
)

// TestPasskeysOnEveryBackend: on every backend, with two Authenticator
// instances sharing the stores (the ceremonies in Redis where a portal
// keeps its tokens there), a passkey is added, completes a second step
// and logs in alone, each ceremony begun on one instance and finished on
// the other; a ceremony is used once however many instances race to
// finish it.
func TestPasskeysOnEveryBackend(t *testing.T) {
	for _, b := range everyBackend() {
		t.Run(b.name, func(t *testing.T) {
			st, hot := b.open(t)
			var insts [2]*auth.Authenticator
			for i := range insts {
				a, err := auth.New(auth.Config{
					Store: st, Tokens: tokensOf(hot), Sessions: sessionsOf(hot), Hasher: &authtest.Hasher{},
					Realm: auth.Realm{
						Messages: auth.Messages{PortalName: "LPSE Uji"},
						Passkeys: auth.PasskeyPolicy{RPID: pkRPID, Origins: []string{pkOrigin}, Passwordless: true},
					},
				})
				require.NoError(t, err)
				insts[i] = a
			}
			a, b := insts[0], insts[1]
			ctx := t.Context()
			reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword})
			require.NoError(t, err)
			acct := reg.Account
			key := authtest.NewSoftAuthenticator(pkOrigin)

			ch, err := a.Factors().BeginPasskey(ctx, auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req})
			require.NoError(t, err)
			resp, err := key.Create(ch.Options)
			require.NoError(t, err)
			_, err = b.Factors().ConfirmPasskey(ctx, auth.PasskeyConfirmation{AccountID: acct.ID, Response: resp, Request: req})
			require.NoError(t, err)

			_, err = b.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Request: req})
			var sfr *auth.SecondFactorRequired
			require.ErrorAs(t, err, &sfr)
			ch, err = a.Logins().BeginPasskey(ctx, auth.PasskeyStart{Realm: "lpse", Pending: sfr.Pending, Request: req})
			require.NoError(t, err)
			resp, err = key.Get(ch.Options)
			require.NoError(t, err)
			res, err := b.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "lpse", Pending: sfr.Pending, Method: auth.MethodPasskey, Code: string(resp), Request: req})
			require.NoError(t, err)
			assert.Equal(t, acct.ID, res.Account.ID)

			ch, err = b.Logins().BeginPasskey(ctx, auth.PasskeyStart{Realm: "lpse", Request: req})
			require.NoError(t, err)
			resp, err = key.Get(ch.Options)
			require.NoError(t, err)
			var ok atomic.Int32
			var wg sync.WaitGroup
			for i := range 8 {
				wg.Go(func() {
					_, err := insts[i%2].Logins().PasskeyLogin(ctx, auth.PasskeyLoginRequest{Realm: "lpse", Ceremony: ch.Ceremony, Response: resp, Request: req})
					if err == nil {
						ok.Add(1)
					} else {
						assert.ErrorIs(t, err, auth.ErrPasskeyRefused)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int32(1), ok.Load(), "one login per ceremony, across instances")

			ks, err := st.(store.Passkeys).Passkeys(ctx, acct.ID)
			require.NoError(t, err)
			require.Len(t, ks, 1)
			assert.Equal(t, uint32(2), ks[0].SignCount, "each login's count is kept")
		})
	}
}

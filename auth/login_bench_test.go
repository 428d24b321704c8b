package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// BenchmarkLoginWithHistory is a successful login of an account with 200
// earlier logins in its history, on a portal that sends mail (so new-device
// alerts are on): what the answer costs, with the test hash, on memstore
// and SQLite. The new-device check runs after the answer.
func BenchmarkLoginWithHistory(b *testing.B) {
	for _, be := range everyBackend()[:2] {
		b.Run(be.name, func(b *testing.B) {
			st, _ := be.open(b)
			now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
			a, err := auth.New(auth.Config{Store: st, Hasher: &authtest.Hasher{}, Sender: &notify.Outbox{Max: 10},
				Realm: auth.Realm{Messages: auth.Messages{PortalName: "LPSE"}}, Now: func() time.Time { return now }})
			require.NoError(b, err)
			acct, err := accountOf(a.Accounts().Register(b.Context(), auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: goodPassword}))
			require.NoError(b, err)
			for range 200 {
				_, err := st.AppendEvent(b.Context(), store.Event{Kind: string(auth.EventLoginSucceeded), Realm: "lpse", AccountID: acct.ID, Time: now,
					ClientAddr: "203.0.113.9", UserAgent: "Firefox"})
				require.NoError(b, err)
			}
			req := auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword,
				Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "Firefox"}}
			for b.Loop() {
				if _, err := a.Logins().Login(b.Context(), req); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			require.NoError(b, a.Close())
		})
	}
}

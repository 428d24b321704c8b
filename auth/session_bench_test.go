package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
)

// BenchmarkLoadSession is what every request of a logged-in person costs:
// the session by its cookie, its account (for the security stamp and the
// state), and, once a minute, the write of its last use. "load" is a
// request within the minute; "load+touch" one that writes.
func BenchmarkLoadSession(b *testing.B) {
	for _, be := range everyBackend() {
		b.Run(be.name, func(b *testing.B) {
			st, hot := be.open(b)
			ss := sessionsOf(hot)
			clock := authtest.NewClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
			a, err := auth.New(auth.Config{Store: st, Sessions: ss, Hasher: &authtest.Hasher{}, Now: clock.Now})
			require.NoError(b, err)
			acct, err := accountOf(a.Accounts().Register(b.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword}))
			require.NoError(b, err)
			ns, err := a.Sessions().Start(b.Context(), auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "bench"}})
			require.NoError(b, err)
			b.Run("load", func(b *testing.B) {
				for b.Loop() {
					if _, err := a.Sessions().Load(b.Context(), ns.Token); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("load+touch", func(b *testing.B) {
				i := 0
				for b.Loop() {
					// A minute a request writes each time; a session lasts
					// 12 hours, so a new one every 600 requests.
					if i%600 == 0 {
						b.StopTimer()
						ns, err = a.Sessions().Start(b.Context(), auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "bench"}})
						require.NoError(b, err)
						b.StartTimer()
					}
					i++
					clock.Advance(time.Minute)
					if _, err := a.Sessions().Load(b.Context(), ns.Token); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

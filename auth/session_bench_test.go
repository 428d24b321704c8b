package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// BenchmarkLoadSession is what every request of a logged-in person costs:
// the session by its cookie, its account (for the security stamp and the
// state), and, once a minute, the write of its last use. "load" is a
// request within the minute; "load+touch" one that writes.
func BenchmarkLoadSession(b *testing.B) {
	backends := []struct {
		name string
		open func(b *testing.B) (store.Store, store.Sessions)
	}{
		{"memstore", func(b *testing.B) (store.Store, store.Sessions) { return memstore.New(), nil }},
		{"SQLite", func(b *testing.B) (store.Store, store.Sessions) {
			s, err := sqlstore.New(testdb.SQLite(b), sqlstore.Config{Dialect: sqlstore.SQLite})
			require.NoError(b, err)
			require.NoError(b, s.Migrate(b.Context()))
			return s, nil
		}},
		{"PostgreSQL", func(b *testing.B) (store.Store, store.Sessions) {
			db, schema := testdb.Postgres(b)
			s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres, Schema: schema})
			require.NoError(b, err)
			require.NoError(b, s.Migrate(b.Context()))
			return s, nil
		}},
		{"PostgreSQL+Redis", func(b *testing.B) (store.Store, store.Sessions) {
			db, schema := testdb.Postgres(b)
			s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres, Schema: schema})
			require.NoError(b, err)
			require.NoError(b, s.Migrate(b.Context()))
			client, prefix := testdb.Redis(b)
			rs, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
			require.NoError(b, err)
			return s, rs
		}},
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			st, ss := be.open(b)
			now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
			a, err := auth.New(auth.Config{Store: st, Sessions: ss, Hasher: &authtest.Hasher{}, Now: func() time.Time { return now }})
			require.NoError(b, err)
			acct, err := a.Register(b.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword})
			require.NoError(b, err)
			ns, err := a.StartSession(b.Context(), acct, auth.Request{ClientAddr: "203.0.113.9", UserAgent: "bench"})
			require.NoError(b, err)
			b.Run("load", func(b *testing.B) {
				for b.Loop() {
					if _, err := a.LoadSession(b.Context(), ns.Token); err != nil {
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
						ns, err = a.StartSession(b.Context(), acct, auth.Request{ClientAddr: "203.0.113.9", UserAgent: "bench"})
						require.NoError(b, err)
						b.StartTimer()
					}
					i++
					now = now.Add(time.Minute)
					if _, err := a.LoadSession(b.Context(), ns.Token); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

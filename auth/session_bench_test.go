package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
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

// BenchmarkLoadSessionVsRaw sets Sessions.Load beside the least a request
// could cost on the same backend, in the same run: on PostgreSQL a
// single-row primary-key SELECT (database/sql, pgx) of a row as large as
// the session and its account, and with sessions in Redis a GET of a
// value as large as the session's hash. Run it with -count so that the
// three alternate.
func BenchmarkLoadSessionVsRaw(b *testing.B) {
	clock := authtest.NewClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	db, schema := testdb.Postgres(b)
	st := sqlStore(b, db, sqlstore.Postgres, schema)
	client, prefix := testdb.Redis(b)
	rs, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
	require.NoError(b, err)
	ctx := b.Context()

	start := func(ss store.Sessions, username string) (*auth.Authenticator, *auth.NewSession) {
		a, err := auth.New(auth.Config{Store: st, Sessions: ss, Hasher: &authtest.Hasher{}, Now: clock.Now})
		require.NoError(b, err)
		acct, err := accountOf(a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: username, Password: goodPassword}))
		require.NoError(b, err)
		ns, err := a.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "bench"}})
		require.NoError(b, err)
		return a, ns
	}
	load := func(a *auth.Authenticator, token string) func(b *testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				if _, err := a.Sessions().Load(b.Context(), token); err != nil {
					b.Fatal(err)
				}
			}
		}
	}

	// PostgreSQL: the row a load reads, the session's and the account's
	// columns, in bytes of text; a row of one key and that many bytes.
	pg, pgSession := start(nil, "budi")
	var size int
	require.NoError(b, db.QueryRowContext(ctx, `SELECT octet_length(s::text) + octet_length(a::text)
		FROM `+schema+`.masuk_sessions s JOIN `+schema+`.masuk_accounts a ON a.id = s.account_id WHERE s.selector = $1`, pgSession.ID).Scan(&size))
	_, err = db.ExecContext(ctx, `CREATE TABLE `+schema+`.raw_rows (id text PRIMARY KEY, payload text NOT NULL)`)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, `INSERT INTO `+schema+`.raw_rows VALUES ($1, $2)`, pgSession.ID, strings.Repeat("x", size))
	require.NoError(b, err)
	rawSelect := `SELECT id, payload FROM ` + schema + `.raw_rows WHERE id = $1`
	b.Logf("PostgreSQL: session and account row %d bytes of text", size)

	// Redis: the session's hash, in bytes of fields and values; a string
	// of that many bytes.
	hot, hotSession := start(rs, "wati")
	fields, err := client.HGetAll(ctx, prefix+"session:"+hotSession.ID).Result()
	require.NoError(b, err)
	size = 0
	for k, v := range fields {
		size += len(k) + len(v)
	}
	rawKey := prefix + "raw:" + hotSession.ID
	require.NoError(b, client.Set(ctx, rawKey, strings.Repeat("x", size), 0).Err())
	b.Cleanup(func() { client.Del(context.Background(), rawKey) })
	b.Logf("Redis: session hash %d bytes", size)

	b.Run("PostgreSQL/load", load(pg, pgSession.Token))
	b.Run("PostgreSQL/raw-select", func(b *testing.B) {
		var id, payload string
		for b.Loop() {
			if err := db.QueryRowContext(b.Context(), rawSelect, pgSession.ID).Scan(&id, &payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The load's own query, without Go's work around it: how much of the
	// gap is the join on the server.
	rawJoin := `SELECT s.selector, s.account_id, s.realm, s.hash, s.stamp, s.client_addr, s.user_agent,
		s.created_at, s.last_seen_at, s.idle_until, s.expires_at, s.data, coalesce(s.verified_at, s.created_at),
		a.id, a.realm, a.username, a.display_username, a.email, a.phone, a.state, a.security_stamp, a.profile, a.created_at, a.updated_at
		FROM ` + schema + `.masuk_sessions s JOIN ` + schema + `.masuk_accounts a ON a.id = s.account_id
		WHERE s.selector = $1 AND s.idle_until > $2 AND s.expires_at > $2`
	b.Run("PostgreSQL/raw-join", func(b *testing.B) {
		dest := make([]any, 24)
		for i := range dest {
			dest[i] = new(any)
		}
		now := clock.Now()
		for b.Loop() {
			if err := db.QueryRowContext(b.Context(), rawJoin, pgSession.ID, now).Scan(dest...); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("PostgreSQL+Redis/load", load(hot, hotSession.Token))
	b.Run("PostgreSQL+Redis/raw-get", func(b *testing.B) {
		for b.Loop() {
			if _, err := client.Get(b.Context(), rawKey).Result(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

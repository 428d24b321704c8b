package auth_test

import (
	"context"
	"slices"
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
// value as large as the session's hash; on SQLite a single-row
// primary-key SELECT of a row as large as PostgreSQL's. Each runs alone,
// and then all in turn in "interleaved", which reports their ratios.
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
	load := func(a *auth.Authenticator, token string) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := a.Sessions().Load(ctx, token)
			return err
		}
	}

	// PostgreSQL: what a load reads, the session's and the account's
	// columns, in bytes of text; a row of one key and that many bytes.
	pg, pgSession := start(nil, "budi")
	var size int
	// The session's own columns, as many before 0013_session_account as
	// after, which adds the account's copy to its row.
	require.NoError(b, db.QueryRowContext(ctx, `SELECT octet_length(row(s.selector, s.account_id, s.realm, s.hash, s.stamp, s.client_addr,
		s.user_agent, s.created_at, s.last_seen_at, s.idle_until, s.expires_at, s.data, s.verified_at)::text) + octet_length(a::text)
		FROM `+schema+`.masuk_sessions s JOIN `+schema+`.masuk_accounts a ON a.id = s.account_id WHERE s.selector = $1`, pgSession.ID).Scan(&size))
	_, err = db.ExecContext(ctx, `CREATE TABLE `+schema+`.raw_rows (id text PRIMARY KEY, payload text NOT NULL)`)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, `INSERT INTO `+schema+`.raw_rows VALUES ($1, $2)`, pgSession.ID, strings.Repeat("x", size))
	require.NoError(b, err)
	rawSelect := `SELECT id, payload FROM ` + schema + `.raw_rows WHERE id = $1`
	b.Logf("PostgreSQL: session and account row %d bytes of text", size)
	pgSize := size

	// Redis: the session's hash with its account's copy, in bytes of
	// fields and values; a string of that many bytes.
	hot, hotSession := start(rs, "wati")
	// The first load keeps the account's copy in the session's hash,
	// which every later load reads with it.
	require.NoError(b, load(hot, hotSession.Token)(ctx))
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

	// The load's own query before 0013_session_account, the session
	// joined to its account, without Go's work around it: how much of
	// the gap is the join on the server.
	rawJoin := `SELECT s.selector, s.account_id, s.realm, s.hash, s.stamp, s.client_addr, s.user_agent,
		s.created_at, s.last_seen_at, s.idle_until, s.expires_at, s.data, coalesce(s.verified_at, s.created_at),
		a.id, a.realm, a.username, a.display_username, a.email, a.phone, a.state, a.security_stamp, a.profile, a.created_at, a.updated_at
		FROM ` + schema + `.masuk_sessions s JOIN ` + schema + `.masuk_accounts a ON a.id = s.account_id
		WHERE s.selector = $1 AND s.idle_until > $2 AND s.expires_at > $2`
	// Its query since then, the session's row with its copy of the
	// account, by the primary key alone (before that step there is no
	// such copy, and no raw-row).
	rawRow := `SELECT selector, account_id, realm, hash, stamp, client_addr, user_agent,
		created_at, last_seen_at, idle_until, expires_at, data, coalesce(verified_at, created_at),
		account_realm, account_username, account_display_username, account_email, account_phone,
		account_state, account_security_stamp, account_profile, account_created_at, account_updated_at
		FROM ` + schema + `.masuk_sessions WHERE selector = $1 AND account_state IS NOT NULL`
	var copied bool
	require.NoError(b, db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM information_schema.columns
		WHERE table_schema = $1 AND table_name = 'masuk_sessions' AND column_name = 'account_state')`, schema).Scan(&copied))
	scanAny := func(query string, args ...any) func(context.Context) error {
		if query == rawRow && !copied {
			return nil // dropped below
		}
		rows, err := db.QueryContext(ctx, query, args...)
		require.NoError(b, err)
		columns, err := rows.Columns()
		require.NoError(b, err)
		require.NoError(b, rows.Close())
		dest := make([]any, len(columns))
		for i := range dest {
			dest[i] = new(any)
		}
		return func(ctx context.Context) error { return db.QueryRowContext(ctx, query, args...).Scan(dest...) }
	}

	// SQLite: the same load on a SQLite file, and a single-row
	// primary-key SELECT there of a row of the same payload as
	// PostgreSQL's, as any query and prepared once (as the load's own
	// query is since 0013_session_account).
	lite := testdb.SQLite(b)
	liteStore := sqlStore(b, lite, sqlstore.SQLite, "")
	la, err := auth.New(auth.Config{Store: liteStore, Hasher: &authtest.Hasher{}, Now: clock.Now})
	require.NoError(b, err)
	liteAcct, err := accountOf(la.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "sari", Password: goodPassword}))
	require.NoError(b, err)
	liteSession, err := la.Sessions().Start(ctx, auth.StartSession{Account: liteAcct, Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "bench"}})
	require.NoError(b, err)
	_, err = lite.ExecContext(ctx, `CREATE TABLE raw_rows (id TEXT PRIMARY KEY, payload TEXT NOT NULL)`)
	require.NoError(b, err)
	_, err = lite.ExecContext(ctx, `INSERT INTO raw_rows VALUES (?, ?)`, liteSession.ID, strings.Repeat("x", pgSize))
	require.NoError(b, err)
	liteRaw := `SELECT id, payload FROM raw_rows WHERE id = ?`
	liteStmt, err := lite.PrepareContext(ctx, liteRaw)
	require.NoError(b, err)
	b.Cleanup(func() { _ = liteStmt.Close() })

	var id, payload string
	now := clock.Now()
	type benchOp struct {
		name string
		op   func(context.Context) error
	}
	ops := []benchOp{
		{"PostgreSQL/load", load(pg, pgSession.Token)},
		{"PostgreSQL/raw-select", func(ctx context.Context) error {
			return db.QueryRowContext(ctx, rawSelect, pgSession.ID).Scan(&id, &payload)
		}},
		{"PostgreSQL/raw-join", scanAny(rawJoin, pgSession.ID, now)},
		{"PostgreSQL/raw-row", scanAny(rawRow, pgSession.ID)},
		{"SQLite/load", load(la, liteSession.Token)},
		{"SQLite/raw-select", func(ctx context.Context) error {
			return lite.QueryRowContext(ctx, liteRaw, liteSession.ID).Scan(&id, &payload)
		}},
		{"SQLite/raw-select-prepared", func(ctx context.Context) error {
			return liteStmt.QueryRowContext(ctx, liteSession.ID).Scan(&id, &payload)
		}},
		{"PostgreSQL+Redis/load", load(hot, hotSession.Token)},
		{"PostgreSQL+Redis/raw-get", func(ctx context.Context) error { return client.Get(ctx, rawKey).Err() }},
		// The load's own command sent by hand, without Go's work around
		// it: how much of the gap is the hash's fields.
		{"PostgreSQL+Redis/raw-hgetall", func(ctx context.Context) error {
			return client.HGetAll(ctx, prefix+"session:"+hotSession.ID).Err()
		}},
	}
	if !copied {
		ops = slices.DeleteFunc(ops, func(o benchOp) bool { return o.name == "PostgreSQL/raw-row" })
	}
	for _, o := range ops {
		b.Run(o.name, func(b *testing.B) {
			for b.Loop() {
				if err := o.op(b.Context()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	// interleaved: each iteration is a round of 50 calls of each of the
	// above in turn, the order rotating; it reports the median over the
	// rounds of each one's time per call, and for each pair below the
	// median over the rounds of the ratio of their times in the round.
	// On a machine shared with other work, the calls compared ran
	// milliseconds apart, not seconds.
	b.Run("interleaved", func(b *testing.B) {
		const batch = 50
		times := make([][]time.Duration, len(ops))
		round := 0
		for b.Loop() {
			for k := range ops {
				i := (k + round) % len(ops)
				start := time.Now()
				for range batch {
					if err := ops[i].op(b.Context()); err != nil {
						b.Fatal(err)
					}
				}
				times[i] = append(times[i], time.Since(start))
			}
			round++
		}
		index := make(map[string]int, len(ops))
		for i, o := range ops {
			index[o.name] = i
			per := slices.Clone(times[i])
			slices.Sort(per)
			b.ReportMetric(float64(per[len(per)/2].Nanoseconds())/batch/1000, strings.ReplaceAll(o.name, "/", ":")+"-µs")
		}
		for _, p := range [][2]string{
			{"PostgreSQL/load", "PostgreSQL/raw-select"},
			{"PostgreSQL/load", "PostgreSQL/raw-join"},
			{"PostgreSQL/load", "PostgreSQL/raw-row"},
			{"PostgreSQL/raw-join", "PostgreSQL/raw-select"},
			{"PostgreSQL/raw-row", "PostgreSQL/raw-select"},
			{"SQLite/load", "SQLite/raw-select"},
			{"SQLite/load", "SQLite/raw-select-prepared"},
			{"PostgreSQL+Redis/load", "PostgreSQL+Redis/raw-get"},
			{"PostgreSQL+Redis/load", "PostgreSQL+Redis/raw-hgetall"},
			{"PostgreSQL+Redis/raw-hgetall", "PostgreSQL+Redis/raw-get"},
		} {
			x, ok1 := index[p[0]]
			y, ok2 := index[p[1]]
			if !ok1 || !ok2 {
				continue
			}
			ratios := make([]float64, round)
			for r := range ratios {
				ratios[r] = float64(times[x][r]) / float64(times[y][r])
			}
			slices.Sort(ratios)
			b.ReportMetric(ratios[len(ratios)/2], strings.ReplaceAll(p[0]+"÷"+p[1], "/", ":")+"-ratio")
		}
	})
}

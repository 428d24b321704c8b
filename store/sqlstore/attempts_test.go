package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
	"github.com/masuk-id/masuk/store/storetest"
)

var attemptLimit = store.Limit{Threshold: 2, Window: time.Minute, LockBase: time.Hour, LockMax: time.Hour, Forget: 2 * time.Hour}

// attemptRows returns how many counters the attempts table holds.
func attemptRows(t *testing.T, db *sql.DB, schema string) int {
	t.Helper()
	return column[int](t, db, "SELECT count(*) FROM "+table(schema, "attempts"))[0]
}

// failTwice takes and fails two attempts at key at time at, which locks
// it under attemptLimit.
func failTwice(t *testing.T, s *sqlstore.Store, at time.Time, k store.AttemptKey) store.Counter {
	t.Helper()
	var cs []store.Counter
	for range 2 {
		tk, err := s.TakeAttempt(t.Context(), at, []store.AttemptKey{k})
		require.NoError(t, err)
		require.True(t, tk.Allowed)
		cs, err = s.FailAttempt(t.Context(), at, []store.AttemptKey{k})
		require.NoError(t, err)
	}
	return cs[0]
}

// TestPruneAttempts deletes the counters that have settled to nothing, and
// only those.
func TestPruneAttempts(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			ctx := t.Context()
			locked := store.AttemptKey{Key: "locked", Limit: attemptLimit}
			failTwice(t, s, t0, locked)
			perm := attemptLimit
			perm.PermanentAfter = 1
			permanent := store.AttemptKey{Key: "permanent", Limit: perm}
			now := failTwice(t, s, t0, permanent).LockedUntil
			require.True(t, failTwice(t, s, now, permanent).Permanent)
			once := store.AttemptKey{Key: "once", Limit: attemptLimit}
			_, err := s.TakeAttempt(ctx, t0, []store.AttemptKey{once})
			require.NoError(t, err)
			// A refused attempt leaves no row behind.
			_, err = s.TakeAttempt(ctx, t0.Add(time.Second), []store.AttemptKey{{Key: "refused", Limit: attemptLimit}, locked})
			require.NoError(t, err)
			require.Equal(t, 3, attemptRows(t, db, schema))

			n, err := s.PruneAttempts(ctx, t0.Add(attemptLimit.Forget-time.Microsecond))
			require.NoError(t, err)
			assert.Zero(t, n, "pruned before the history is forgotten")
			n, err = s.PruneAttempts(ctx, t0.Add(attemptLimit.Forget))
			require.NoError(t, err)
			assert.EqualValues(t, 2, n, "pruned when the history is forgotten")
			require.Equal(t, 1, attemptRows(t, db, schema))
			n, err = s.PruneAttempts(ctx, now.Add(100*365*24*time.Hour))
			require.NoError(t, err)
			assert.Zero(t, n, "a permanent lock pruned")
			c, err := s.Counter(ctx, now.Add(100*365*24*time.Hour), permanent)
			require.NoError(t, err)
			assert.True(t, c.Permanent)
		})
	}
}

// TestPruneAttemptsLockOutlivesForget: a lock that ends after the history
// would be forgotten keeps its row until it ends.
func TestPruneAttemptsLockOutlivesForget(t *testing.T) {
	b := sqliteBackend
	s, db, schema := b.newStore(t)
	l := attemptLimit
	l.Window, l.LockBase, l.LockMax, l.Forget = time.Hour, time.Hour, time.Hour, time.Hour
	k := store.AttemptKey{Key: "k", Limit: l}
	_, err := s.TakeAttempt(t.Context(), t0, []store.AttemptKey{k})
	require.NoError(t, err)
	_, err = s.TakeAttempt(t.Context(), t0.Add(30*time.Minute), []store.AttemptKey{k})
	require.NoError(t, err)
	// The lock starts at the failure, later than the last attempt.
	cs, err := s.FailAttempt(t.Context(), t0.Add(50*time.Minute), []store.AttemptKey{k})
	require.NoError(t, err)
	require.Equal(t, t0.Add(110*time.Minute), cs[0].LockedUntil)
	n, err := s.PruneAttempts(t.Context(), t0.Add(110*time.Minute-time.Microsecond))
	require.NoError(t, err)
	assert.Zero(t, n)
	n, err = s.PruneAttempts(t.Context(), t0.Add(110*time.Minute))
	require.NoError(t, err)
	assert.EqualValues(t, 1, n)
	require.Zero(t, attemptRows(t, db, schema))
}

// TestCounterDoesNotWrite reads counters that do not exist and that have
// run out: no row is added or changed.
func TestCounterDoesNotWrite(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			k := store.AttemptKey{Key: "k", Limit: attemptLimit}
			c, err := s.Counter(t.Context(), t0, k)
			require.NoError(t, err)
			require.Equal(t, store.Counter{Key: "k"}, c)
			require.Zero(t, attemptRows(t, db, schema))

			locked := failTwice(t, s, t0, k)
			c, err = s.Counter(t.Context(), locked.LockedUntil, k)
			require.NoError(t, err)
			require.Equal(t, store.Counter{Key: "k", Locks: 1, LastAttempt: t0}, c, "settled")
			c, err = s.Counter(t.Context(), t0, k)
			require.NoError(t, err)
			require.Equal(t, locked, c, "the row after Counter")
		})
	}
}

// TestAttemptDeadlineWhileLocked runs TakeAttempt while another connection
// holds the lock its transaction needs, until its deadline passes: it
// fails with context.DeadlineExceeded and charges nothing.
func TestAttemptDeadlineWhileLocked(t *testing.T) {
	f := newFixture(t, postgresBackend)
	keys := f.attemptKeys()
	ctx := context.WithoutCancel(t.Context())
	tx, err := f.db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "INSERT INTO "+table(f.schema, "attempts")+" (key) VALUES ($1)", keys[1].Key)
	require.NoError(t, err)

	dctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	_, err = f.s.TakeAttempt(dctx, t0, keys)
	requireFailedClosed(t, method{name: "TakeAttempt"}, err, context.DeadlineExceeded)
	require.NoError(t, tx.Rollback())
	f.requireUnchanged(t)
}

// TestSwapCountersAllOrNothing: the conditional UPDATE writes every row
// when every version is as read, and no row when any is not.
func TestSwapCountersAllOrNothing(t *testing.T) {
	s, db, schema := postgresBackend.newStore(t)
	ctx := t.Context()
	keys := []store.AttemptKey{{Key: "b", Limit: attemptLimit}, {Key: "a", Limit: attemptLimit}}
	tk, err := s.TakeAttempt(ctx, t0, keys)
	require.NoError(t, err)
	before := tk.Counters
	versions := func() []int64 {
		var vs []int64
		for _, k := range keys {
			vs = append(vs, column[int64](t, db, "SELECT version FROM "+table(schema, "attempts")+" WHERE key = $1", k.Key)[0])
		}
		return vs
	}
	read := versions()
	next := []store.Counter{before[0], before[1]}
	next[0].Attempts, next[1].Attempts = 7, 8
	counters := func() []store.Counter {
		var cs []store.Counter
		for _, k := range keys {
			c, err := s.Counter(ctx, t0, k)
			require.NoError(t, err)
			cs = append(cs, c)
		}
		return cs
	}
	for _, stale := range [][]int64{{read[0] + 1, read[1]}, {read[0], read[1] + 1}, {read[0] + 1, read[1] + 1}} {
		ok, err := s.SwapCounters(ctx, keys, stale, next, t0)
		require.NoError(t, err)
		require.False(t, ok, "a stale version")
		require.Equal(t, before, counters(), "written with a stale version")
		require.Equal(t, read, versions())
	}
	ok, err := s.SwapCounters(ctx, keys, read, next, t0)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, next, counters())
	after := versions()
	require.NotEqual(t, read[0], after[0], "the version did not change")
	require.NotEqual(t, read[1], after[1], "the version did not change")
	ok, err = s.SwapCounters(ctx, keys, read, before, t0)
	require.NoError(t, err)
	require.False(t, ok, "the same versions twice")
}

// TestInstances runs the Attempts conformance clauses across three
// stores, each with a connection pool of its own to one database, one
// call to each in turn: among them the parallel-attempt proof, 1,000
// parallel attempts at threshold 5 of which exactly 5 get through.
func TestInstances(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			var dbs []*sql.DB
			var schema string
			if b.dialect == sqlstore.SQLite {
				path := filepath.Join(t.TempDir(), "masuk.db")
				for range 3 {
					dbs = append(dbs, testdb.OpenSQLite(t, sqlstore.SQLiteDSN(path)))
				}
			} else {
				var db *sql.DB
				db, schema = testdb.Postgres(t)
				dbs = append(dbs, db)
				for range 2 {
					db, err := sql.Open("pgx", os.Getenv(testdb.PostgresEnv))
					require.NoError(t, err)
					t.Cleanup(func() { _ = db.Close() })
					db.SetMaxOpenConns(10)
					dbs = append(dbs, db)
				}
			}
			var stores []store.Attempts
			for _, db := range dbs {
				s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema})
				require.NoError(t, err)
				require.NoError(t, s.Migrate(t.Context()))
				stores = append(stores, s)
			}
			storetest.Run(t, func(*testing.T) any { return testdb.RoundRobin(stores...) })
		})
	}
}

// TestPruneSkipsHeldRows: on PostgreSQL, pruning neither waits for a
// counter a login holds nor deletes it.
func TestPruneSkipsHeldRows(t *testing.T) {
	s, db, schema := postgresBackend.newStore(t)
	ctx := t.Context()
	for _, key := range []string{"held", "free"} {
		_, err := s.TakeAttempt(ctx, t0, []store.AttemptKey{{Key: key, Limit: attemptLimit}})
		require.NoError(t, err)
	}
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, err = tx.ExecContext(ctx, "SELECT 1 FROM "+table(schema, "attempts")+" WHERE key = 'held' FOR UPDATE")
	require.NoError(t, err)

	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	n, err := s.PruneAttempts(pctx, t0.Add(attemptLimit.Forget))
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	require.NoError(t, tx.Rollback())
	require.Equal(t, []string{"held"}, column[string](t, db, "SELECT key FROM "+table(schema, "attempts")))
}

// TestReleaseWritesOnlyRows: a release never inserts a row for a key
// without one, and one that takes nothing back writes nothing.
func TestReleaseWritesOnlyRows(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			ctx := t.Context()
			seen := store.AttemptKey{Key: "seen", Limit: attemptLimit}
			unseen := store.AttemptKey{Key: "unseen", Limit: attemptLimit}
			require.NoError(t, s.ReleaseAttempts(ctx, t0, []store.AttemptKey{unseen}))
			require.Zero(t, attemptRows(t, db, schema))

			_, err := s.TakeAttempt(ctx, t0, []store.AttemptKey{seen})
			require.NoError(t, err)
			require.NoError(t, s.ReleaseAttempts(ctx, t0, []store.AttemptKey{unseen, seen}))
			require.Equal(t, 1, attemptRows(t, db, schema))
			c, err := s.Counter(ctx, t0, seen)
			require.NoError(t, err)
			require.Equal(t, store.Counter{Key: "seen"}, c, "a release that leaves nothing to remember empties the counter")

			version := column[int64](t, db, "SELECT version FROM "+table(schema, "attempts"))
			require.NoError(t, s.ReleaseAttempts(ctx, t0, []store.AttemptKey{seen, unseen}), "nothing to take back")
			require.Equal(t, version, column[int64](t, db, "SELECT version FROM "+table(schema, "attempts")), "written")
		})
	}
}

// TestReleaseParallel takes and gives back attempts from many goroutines
// at once, on keys with and without rows: no release is lost, so that
// every attempt is allowed and none is left charged.
func TestReleaseParallel(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			l := attemptLimit
			l.Threshold = 100
			shared := store.AttemptKey{Key: "pw|ip|192.0.2.1", Limit: l}
			const n = 16
			errs := make(chan error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					keys := []store.AttemptKey{shared, {Key: fmt.Sprintf("pw|a|%d", i%4), Limit: l}}
					for j := range 4 {
						tk, err := s.TakeAttempt(t.Context(), t0, keys)
						if err == nil && !tk.Allowed {
							err = fmt.Errorf("refused: %+v", tk.Counters)
						}
						if err == nil {
							release := keys
							if j%2 == 1 {
								// A key without a row sends it down the
								// locked transaction on PostgreSQL too.
								release = append(release, store.AttemptKey{Key: fmt.Sprintf("pw|p|%d-%d", i, j), Limit: l})
							}
							err = s.ReleaseAttempts(t.Context(), t0, release)
						}
						if err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			for _, key := range []string{shared.Key, "pw|a|0", "pw|a|3"} {
				c, err := s.Counter(t.Context(), t0, store.AttemptKey{Key: key, Limit: l})
				require.NoError(t, err)
				require.Zero(t, c.Attempts, key)
				require.True(t, c.WindowStart.IsZero(), key)
			}
		})
	}
}

// TestLockOrderIgnoresCollation: on PostgreSQL every write that waits for
// several counters locks them in the byte order of their keys, the order
// in which the transaction of TakeAttempt inserts and locks them, even
// where the column's collation sorts them otherwise ("B" after "a" in
// English), so that the writes never lock two rows in opposite orders.
// It holds the row that comes second in byte order and checks that the
// write, waiting for it, has locked the first.
func TestLockOrderIgnoresCollation(t *testing.T) {
	s, db, schema := postgresBackend.newStore(t)
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, "ALTER TABLE "+table(schema, "attempts")+` ALTER COLUMN key TYPE text COLLATE "en-x-icu"`); err != nil {
		t.Skipf("no ICU collation on this server: %v", err)
	}
	first := store.AttemptKey{Key: "pw|a|B", Limit: attemptLimit}
	second := store.AttemptKey{Key: "pw|a|a", Limit: attemptLimit}
	require.Equal(t, []bool{true}, column[bool](t, db, `SELECT $1::text COLLATE "en-x-icu" > $2`, first.Key, second.Key))
	for name, write := range map[string]func(context.Context) error{
		"ClearAttempts": func(ctx context.Context) error { return s.ClearAttempts(ctx, []string{second.Key, first.Key}) },
		"ReleaseAttempts": func(ctx context.Context) error {
			return s.ReleaseAttempts(ctx, t0, []store.AttemptKey{second, first})
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := s.TakeAttempt(ctx, t0, []store.AttemptKey{first, second})
			require.NoError(t, err)
			tx, err := db.BeginTx(ctx, nil)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback() }()
			_, err = tx.ExecContext(ctx, "SELECT 1 FROM "+table(schema, "attempts")+" WHERE key = $1 FOR UPDATE", second.Key)
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() { done <- write(ctx) }()
			require.Eventually(t, func() bool {
				return len(column[int](t, db, `SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%' || $1 || '%'`, schema)) > 0
			}, 5*time.Second, 10*time.Millisecond, "the write never waited for the held row")
			_, err = db.ExecContext(ctx, "SELECT 1 FROM "+table(schema, "attempts")+" WHERE key = $1 FOR UPDATE NOWAIT", first.Key)
			var state interface{ SQLState() string }
			require.ErrorAs(t, err, &state, "the row first in byte order is not locked")
			require.Equal(t, "55P03", state.SQLState(), "lock_not_available")
			require.NoError(t, tx.Rollback())
			require.NoError(t, <-done)
		})
	}
}

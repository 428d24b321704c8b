package auth_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// instance is one Authenticator of a portal that runs several.
type instance struct {
	auth   *auth.Authenticator
	hasher *authtest.Hasher
}

func sqlStore(t testing.TB, db *sql.DB, d sqlstore.Dialect, schema string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: d, Schema: schema})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

func newInstance(t *testing.T, st store.Store, attempts store.Attempts) instance {
	t.Helper()
	h := &authtest.Hasher{}
	a, err := auth.New(auth.Config{Store: st, Attempts: attempts, Hasher: h})
	require.NoError(t, err)
	return instance{a, h}
}

// backend is one way a portal keeps its records: accounts in memstore,
// SQLite or PostgreSQL, and the hot state (tokens, sessions) in that store
// or, for "PostgreSQL+Redis", in Redis (hot is nil otherwise).
type backend struct {
	name string
	open func(tb testing.TB) (st store.Store, hot *redisstore.Store)
}

// everyBackend lists the backends the journeys and benchmarks run on;
// PostgreSQL and Redis skip without their variables.
func everyBackend() []backend {
	postgres := func(tb testing.TB) store.Store {
		db, schema := testdb.Postgres(tb)
		return sqlStore(tb, db, sqlstore.Postgres, schema)
	}
	return []backend{
		{"memstore", func(testing.TB) (store.Store, *redisstore.Store) { return memstore.New(), nil }},
		{"SQLite", func(tb testing.TB) (store.Store, *redisstore.Store) {
			return sqlStore(tb, testdb.SQLite(tb), sqlstore.SQLite, ""), nil
		}},
		{"PostgreSQL", func(tb testing.TB) (store.Store, *redisstore.Store) { return postgres(tb), nil }},
		{"PostgreSQL+Redis", func(tb testing.TB) (store.Store, *redisstore.Store) {
			st := postgres(tb)
			client, prefix := testdb.Redis(tb)
			rs, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
			require.NoError(tb, err)
			return st, rs
		}},
	}
}

// tokensOf and sessionsOf are a backend's hot store as the Config field
// wants it: nil, not a nil pointer in an interface, when there is none.
func tokensOf(hot *redisstore.Store) store.Tokens {
	if hot == nil {
		return nil
	}
	return hot
}

func sessionsOf(hot *redisstore.Store) store.Sessions {
	if hot == nil {
		return nil
	}
	return hot
}

// fireParallel sends n logins with a wrong password for one account,
// spread over the instances, and returns how many verifications all of
// them ran and how the logins ended.
func fireParallel(t *testing.T, insts []instance, n, parallel int) (int64, map[string]int) {
	t.Helper()
	var before int64
	for _, in := range insts {
		before += in.hasher.Verifies()
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	sem := make(chan struct{}, parallel) // a busy portal, not 1,000 database connections
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			in := insts[i%len(insts)]
			_, err := in.auth.Logins().Login(context.Background(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "guess"})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, lockout.ErrLocked):
				outcomes["locked"]++
			case errors.Is(err, auth.ErrInvalidCredentials):
				outcomes["invalid"]++
			default:
				outcomes["other: "+errString(err)]++
			}
		})
	}
	wg.Wait()
	var after int64
	for _, in := range insts {
		after += in.hasher.Verifies()
	}
	return after - before, outcomes
}

func errString(err error) string {
	if err == nil {
		return "success"
	}
	return err.Error()
}

func registerBudi(t *testing.T, a *auth.Authenticator) {
	t.Helper()
	_, err := a.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword})
	require.NoError(t, err)
}

// TestParallelGuessesOnEveryBackend is the proof of issue 5: 1,000
// parallel wrong passwords at one account, threshold 5, run exactly 5
// verifications on PostgreSQL, on Redis, and with three Authenticator
// instances (each with its own connection pools) sharing one PostgreSQL
// and one Redis.
func TestParallelGuessesOnEveryBackend(t *testing.T) {
	want := map[string]int{"invalid": 5, "locked": 995}
	const sqliteN = 200
	t.Run("PostgreSQL", func(t *testing.T) {
		db, schema := testdb.Postgres(t)
		st := sqlStore(t, db, sqlstore.Postgres, schema)
		in := newInstance(t, st, st)
		registerBudi(t, in.auth)
		verifies, outcomes := fireParallel(t, []instance{in}, 1000, 64)
		assert.Equal(t, int64(5), verifies)
		assert.Equal(t, want, outcomes)
	})
	t.Run("SQLite", func(t *testing.T) {
		// SQLite has one writer at a time: at 64 concurrent writers (and
		// under the race detector) some wait out the busy timeout and fail
		// closed. A single-process portal on SQLite sees far fewer.
		st := sqlStore(t, testdb.SQLite(t), sqlstore.SQLite, "")
		in := newInstance(t, st, st)
		registerBudi(t, in.auth)
		verifies, outcomes := fireParallel(t, []instance{in}, sqliteN, 8)
		assert.Equal(t, int64(5), verifies)
		assert.Equal(t, map[string]int{"invalid": 5, "locked": sqliteN - 5}, outcomes)
	})
	t.Run("Redis", func(t *testing.T) {
		client, prefix := testdb.Redis(t)
		rs, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
		require.NoError(t, err)
		st := memstore.New()
		in := newInstance(t, st, rs)
		registerBudi(t, in.auth)
		verifies, outcomes := fireParallel(t, []instance{in}, 1000, 64)
		assert.Equal(t, int64(5), verifies)
		assert.Equal(t, want, outcomes)
	})
	t.Run("ThreeInstances", func(t *testing.T) {
		db, schema := testdb.Postgres(t)
		client, prefix := testdb.Redis(t)
		var insts []instance
		for i := range 3 {
			// Each instance has pools of its own, as separate processes do.
			pool := db
			rc := client
			if i > 0 {
				var err error
				pool, err = sql.Open("pgx", os.Getenv(testdb.PostgresEnv))
				require.NoError(t, err)
				t.Cleanup(func() { _ = pool.Close() })
				rc = redis.NewClient(client.Options())
				t.Cleanup(func() { _ = rc.Close() })
			}
			st := sqlStore(t, pool, sqlstore.Postgres, schema)
			rs, err := redisstore.New(rc, redisstore.Config{Prefix: prefix})
			require.NoError(t, err)
			insts = append(insts, newInstance(t, st, rs))
		}
		registerBudi(t, insts[0].auth)
		verifies, outcomes := fireParallel(t, insts, 1000, 64)
		assert.Equal(t, int64(5), verifies)
		assert.Equal(t, want, outcomes)
		// The lock made through one instance holds on the others.
		for i, in := range insts {
			_, err := in.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword})
			require.ErrorIs(t, err, lockout.ErrLocked, "instance %d", i)
		}
		op, err := insts[2].auth.Operator(auth.OperatorIdentity{Name: "helpdesk", Realms: []string{"lpse"}})
		require.NoError(t, err)
		st, err := op.LockStatus(t.Context(), auth.LockQuery{Realm: "lpse", Username: "budi"})
		require.NoError(t, err)
		assert.Equal(t, 1, st.Password.Locks)
	})
}

package redisstore_test

import (
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/storetest"
)

// newStore returns a store under a key prefix of the test's own on the
// server MASUK_TEST_REDIS names; it skips the test when that is not set.
func newStore(t testing.TB) *redisstore.Store {
	t.Helper()
	client, prefix := testdb.Redis(t)
	s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	return s
}

// TestConformance runs the storetest suite. The store implements
// store.Attempts only, so the other groups skip.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) any { return newStore(t) })
}

// TestInstancesShareCounters is the parallel-attempt proof across
// instances: three stores, each with a client of its own, on one prefix,
// take 1,000 parallel attempts at one account with a threshold of 5:
// exactly 5 get through, and the account is locked once.
func TestInstancesShareCounters(t *testing.T) {
	first, prefix := testdb.Redis(t)
	clients := []*redis.Client{first}
	for range 2 {
		opt, err := redis.ParseURL(os.Getenv(testdb.RedisEnv))
		require.NoError(t, err)
		c := redis.NewClient(opt)
		t.Cleanup(func() { _ = c.Close() })
		clients = append(clients, c)
	}
	var stores []store.Attempts
	for _, c := range clients {
		s, err := redisstore.New(c, redisstore.Config{Prefix: prefix})
		require.NoError(t, err)
		stores = append(stores, s)
	}
	account := store.AttemptKey{Key: "pw|a|lpse|198503122010011001", Limit: store.Limit{Threshold: 5, Window: time.Hour, LockBase: time.Hour, LockMax: time.Hour, Forget: time.Hour}}
	address := store.AttemptKey{Key: "pw|ip|192.0.2.1", Limit: store.Limit{Threshold: 100, Window: time.Hour, LockBase: time.Hour, LockMax: time.Hour, Forget: time.Hour}}
	require.Equal(t, 5, testdb.Contend(t, stores, t0, []store.AttemptKey{account, address}, 1000))
	c, err := stores[1].Counter(t.Context(), t0, account)
	require.NoError(t, err)
	require.True(t, c.Locked(t0))
	require.Equal(t, 1, c.Locks)
	c, err = stores[2].Counter(t.Context(), t0, address)
	require.NoError(t, err)
	require.Equal(t, 5, c.Attempts)
}

package redisstore_test

import (
	"os"
	"testing"

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
// store.Attempts, store.Challenges, store.Tokens and store.Sessions, so
// the other groups skip.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) any { return newStore(t) })
}

// TestInstances runs the conformance suite across three stores, each with
// a client of its own, on one prefix, one call to each in turn: among the
// clauses the parallel-attempt proof, 1,000 parallel attempts at threshold
// 5 of which exactly 5 get through.
func TestInstances(t *testing.T) {
	first, prefix := testdb.Redis(t)
	var stores []store.Attempts
	for i := range 3 {
		client := first
		if i > 0 {
			opt, err := redis.ParseURL(os.Getenv(testdb.RedisEnv))
			require.NoError(t, err)
			client = redis.NewClient(opt)
			t.Cleanup(func() { _ = client.Close() })
		}
		s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
		require.NoError(t, err)
		stores = append(stores, s)
	}
	storetest.Run(t, func(*testing.T) any { return testdb.RoundRobin(stores...) })
}

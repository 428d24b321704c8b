package redisstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
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

package redisstore_test

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
)

// newChallenge returns a valid challenge issued at t0 that expires after
// ttl.
func newChallenge(ttl time.Duration) store.Challenge { return testdb.Challenge(t0, ttl) }

// newBoundedStore returns a store that keeps at most max challenges, its
// client and its prefix.
func newBoundedStore(t *testing.T, max int) (*redisstore.Store, *redis.Client, string) {
	t.Helper()
	client, prefix := testdb.Redis(t)
	s, err := redisstore.New(client, redisstore.Config{Prefix: prefix, MaxChallenges: max})
	require.NoError(t, err)
	return s, client, prefix
}

// TestChallengeFieldsExact: what is stored reads back as it was, binary
// bytes included, to the microsecond, an empty image, audio map or WAV as
// nil, as sqlstore does.
func TestChallengeFieldsExact(t *testing.T) {
	testdb.ChallengeFields(t, newStore(t))
}

// TestChallengeTTL: Redis drops a challenge when its TTL has passed since
// it was stored, and the index when the last challenge in it expires.
func TestChallengeTTL(t *testing.T) {
	s, client, prefix := newBoundedStore(t, 0)
	ctx := t.Context()
	short, long := newChallenge(time.Minute), newChallenge(10*time.Minute)
	long.ExpiresAt = long.ExpiresAt.Add(time.Microsecond) // rounded up to the millisecond
	for _, c := range []store.Challenge{long, short} {
		require.NoError(t, s.CreateChallenge(ctx, c))
	}
	for _, tc := range []struct {
		key  string
		want time.Duration
	}{
		{prefix + "challenge:" + short.ID, time.Minute},
		{prefix + "challenge:" + long.ID, 10*time.Minute + time.Millisecond},
		{prefix + "challenges", 10*time.Minute + time.Millisecond},
	} {
		ttl, err := client.PTTL(ctx, tc.key).Result()
		require.NoError(t, err)
		require.LessOrEqual(t, ttl, tc.want, tc.key)
		require.Greater(t, ttl, tc.want-5*time.Second, tc.key)
	}
}

// TestChallengeCapacity: a full store refuses new challenges until one is
// taken or expires by the caller's clock, though Redis still has it.
func TestChallengeCapacity(t *testing.T) {
	s, client, prefix := newBoundedStore(t, 3)
	ctx := t.Context()
	cs := testdb.ChallengeCapacity(t, s, t0)
	n, err := client.ZCard(ctx, prefix+"challenges").Result()
	require.NoError(t, err)
	require.EqualValues(t, 3, n)
	require.ErrorIs(t, s.CreateChallenge(ctx, cs[1]), store.ErrConflict, "an ID in use, full or not")
}

// TestChallengeUnbounded: a negative MaxChallenges bounds nothing and
// keeps no index.
func TestChallengeUnbounded(t *testing.T) {
	s, client, prefix := newBoundedStore(t, -1)
	ctx := t.Context()
	c := newChallenge(time.Minute)
	for range 5 {
		c = newChallenge(time.Minute)
		require.NoError(t, s.CreateChallenge(ctx, c))
	}
	_, err := s.TakeChallenge(ctx, c.ID, t0)
	require.NoError(t, err)
	n, err := client.Exists(ctx, prefix+"challenges").Result()
	require.NoError(t, err)
	require.Zero(t, n)
}

// TestChallengeTimeOutOfRange: the index scores times in float64
// microseconds, exact for the years 1970 to 2112 only.
func TestChallengeTimeOutOfRange(t *testing.T) {
	s := newStore(t)
	c := newChallenge(time.Minute)
	c.IssuedAt = time.Unix(0, 0)
	require.ErrorIs(t, s.CreateChallenge(t.Context(), c), store.ErrInvalid)
	c = newChallenge(time.Minute)
	c.ExpiresAt = time.Date(2113, 1, 1, 0, 0, 0, 0, time.UTC)
	require.ErrorIs(t, s.CreateChallenge(t.Context(), c), store.ErrInvalid)
}

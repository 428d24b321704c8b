package redisstore_test

import (
	"crypto/rand"
	"encoding/hex"
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
func newChallenge(ttl time.Duration) store.Challenge {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return store.Challenge{
		ID:         "ch-" + hex.EncodeToString(id),
		Flow:       "login-form",
		AnswerHash: []byte("0123456789abcdef0123456789abcdef"),
		Image:      []byte("\x89PNG\r\n\x1a\n\x00image"),
		Audio:      map[string][]byte{"id": []byte("RIFF\x00\xffid"), "en": []byte("RIFF en")},
		IssuedAt:   t0,
		ExpiresAt:  t0.Add(ttl),
	}
}

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
	s := newStore(t)
	for name, tc := range map[string]struct{ mutate, want func(c *store.Challenge) }{
		"as issued":          {func(*store.Challenge) {}, func(*store.Challenge) {}},
		"no image, no audio": {func(c *store.Challenge) { c.Image, c.Audio = nil, nil }, func(*store.Challenge) {}},
		"empty image":        {func(c *store.Challenge) { c.Image = []byte{} }, func(c *store.Challenge) { c.Image = nil }},
		"empty audio":        {func(c *store.Challenge) { c.Audio = map[string][]byte{} }, func(c *store.Challenge) { c.Audio = nil }},
		"nil and empty WAV": {func(c *store.Challenge) { c.Audio = map[string][]byte{"id": nil, "en": {}} },
			func(c *store.Challenge) { c.Audio = map[string][]byte{"id": nil, "en": nil} }},
		"nanoseconds": {func(c *store.Challenge) { c.IssuedAt, c.ExpiresAt = c.IssuedAt.Add(999), c.ExpiresAt.Add(999) },
			func(c *store.Challenge) { c.IssuedAt, c.ExpiresAt = c.IssuedAt.Add(-999), c.ExpiresAt.Add(-999) }},
	} {
		c := newChallenge(time.Minute)
		tc.mutate(&c)
		require.NoError(t, s.CreateChallenge(t.Context(), c), name)
		want := c
		tc.want(&want)
		got, err := s.Challenge(t.Context(), c.ID, t0)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
		got, err = s.TakeChallenge(t.Context(), c.ID, t0)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
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
// taken or expires by the caller's clock.
func TestChallengeCapacity(t *testing.T) {
	s, client, prefix := newBoundedStore(t, 3)
	ctx := t.Context()
	cs := make([]store.Challenge, 3)
	for i := range cs {
		cs[i] = newChallenge(time.Duration(i+1) * time.Minute)
		require.NoError(t, s.CreateChallenge(ctx, cs[i]))
	}
	require.ErrorIs(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), store.ErrCapacity)
	require.ErrorIs(t, s.CreateChallenge(ctx, cs[0]), store.ErrConflict, "an ID in use, full or not")
	_, err := s.TakeChallenge(ctx, cs[2].ID, t0)
	require.NoError(t, err)
	require.NoError(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), "after a take")
	require.ErrorIs(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), store.ErrCapacity)

	// Issued when the first two have expired, by the caller's clock,
	// though Redis still has them: they give their room.
	late := newChallenge(time.Minute)
	late.IssuedAt, late.ExpiresAt = t0.Add(time.Minute), t0.Add(2*time.Minute)
	require.NoError(t, s.CreateChallenge(ctx, late))
	require.NoError(t, s.CreateChallenge(ctx, newChallenge(time.Minute)))
	require.ErrorIs(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), store.ErrCapacity)
	n, err := client.ZCard(ctx, prefix+"challenges").Result()
	require.NoError(t, err)
	require.EqualValues(t, 3, n)
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

package redisstore_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
)

// countedStore returns a store whose client counts its round trips.
func countedStore(t testing.TB) (*redisstore.Store, *redis.Client, *testdb.RoundTrips) {
	t.Helper()
	client, prefix := testdb.Redis(t)
	h := new(testdb.RoundTrips)
	client.AddHook(h)
	s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	return s, client, h
}

// TestRoundTrips: every method is one round trip, and a script that Redis
// has lost (a restart, SCRIPT FLUSH) costs one more, once.
func TestRoundTrips(t *testing.T) {
	s, client, h := countedStore(t)
	ctx := t.Context()
	for _, m := range methods {
		_ = m.call(ctx, s) // loads the script if Redis lacks it
	}
	c := newChallenge(time.Minute)
	c.ID = challengeID
	require.NoError(t, s.CreateChallenge(ctx, c), "the challenge the methods read and take")
	for _, m := range methods {
		h.N.Store(0)
		require.NoError(t, m.call(ctx, s), m.name)
		require.EqualValues(t, 1, h.N.Load(), m.name)
	}
	require.NoError(t, client.ScriptFlush(ctx).Err())
	h.N.Store(0)
	tk, err := s.TakeAttempt(ctx, t0, keys)
	require.NoError(t, err)
	require.True(t, tk.Allowed)
	require.EqualValues(t, 2, h.N.Load(), "EVALSHA, then EVAL")
	h.N.Store(0)
	_, err = s.TakeAttempt(ctx, t0, keys)
	require.NoError(t, err)
	require.EqualValues(t, 1, h.N.Load(), "EVALSHA")
}

var (
	accountLimit = store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 48 * time.Hour}
	addressLimit = store.Limit{Threshold: 100, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 48 * time.Hour}
)

// failedLoginKeys are the keys of the i-th failed login of goroutine g:
// an account of its own every five failures (its threshold) and an
// address of its own every hundred.
func failedLoginKeys(g string, i int) []store.AttemptKey {
	return []store.AttemptKey{
		{Key: "pw|a|" + g + "-" + strconv.Itoa(i/5), Limit: accountLimit},
		{Key: "pw|ip|" + g + "-" + strconv.Itoa(i/100), Limit: addressLimit},
	}
}

// BenchmarkFailedAttempt records failed logins one at a time: a
// TakeAttempt and a FailAttempt on the account's and the address's keys,
// and reports the round trips they take. Run with
//
//	MASUK_TEST_REDIS=redis://127.0.0.1:6379/0 go test -run '^$' -bench . ./store/redisstore/
func BenchmarkFailedAttempt(b *testing.B) {
	s, _, h := countedStore(b)
	ctx := b.Context()
	at := time.Now()
	h.N.Store(0)
	b.ResetTimer()
	for i := range b.N {
		keys := failedLoginKeys("serial", i)
		if t, err := s.TakeAttempt(ctx, at, keys); err != nil || !t.Allowed {
			b.Fatal(t, err)
		}
		if _, err := s.FailAttempt(ctx, at, keys); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(h.N.Load())/float64(b.N), "roundtrips/op")
}

// BenchmarkFailedAttemptParallel records failed logins from 8×GOMAXPROCS
// goroutines at once (testdb.BenchmarkFailures, each goroutine with
// accounts and an address of its own).
func BenchmarkFailedAttemptParallel(b *testing.B) {
	s, _, h := countedStore(b)
	h.N.Store(0)
	testdb.BenchmarkFailures(b, s, false)
	b.ReportMetric(float64(h.N.Load())/float64(b.N), "roundtrips/op")
}

// BenchmarkRefuseLocked refuses attempts at a locked account.
func BenchmarkRefuseLocked(b *testing.B) {
	s, _, h := countedStore(b)
	ctx := b.Context()
	at := time.Now()
	keys := failedLoginKeys("locked", 0)
	for range accountLimit.Threshold {
		_, err := s.TakeAttempt(ctx, at, keys)
		require.NoError(b, err)
		_, err = s.FailAttempt(ctx, at, keys)
		require.NoError(b, err)
	}
	h.N.Store(0)
	b.ResetTimer()
	for range b.N {
		if t, err := s.TakeAttempt(ctx, at, keys); err != nil || t.Allowed {
			b.Fatal(t, err)
		}
	}
	b.ReportMetric(float64(h.N.Load())/float64(b.N), "roundtrips/op")
}

// BenchmarkSession loads one session, as every request of a logged-in
// client does: one HGETALL.
func BenchmarkSession(b *testing.B) {
	s, _, h := countedStore(b)
	ctx := b.Context()
	sess := newSession("acc-bench", 30*time.Minute, 12*time.Hour)
	require.NoError(b, s.CreateSession(ctx, sess))
	h.N.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := s.Session(ctx, sess.Selector, t0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(h.N.Load())/float64(b.N), "roundtrips/op")
}

// BenchmarkTouchSession records a use of one session, each a microsecond
// after the last: one script.
func BenchmarkTouchSession(b *testing.B) {
	s, _, h := countedStore(b)
	ctx := b.Context()
	sess := newSession("acc-bench", 30*time.Minute, 12*time.Hour)
	require.NoError(b, s.CreateSession(ctx, sess))
	require.NoError(b, s.TouchSession(ctx, sess.Selector, t0, sess.IdleUntil)) // loads the script
	h.N.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		seen := t0.Add(time.Duration(i) * time.Microsecond)
		if err := s.TouchSession(ctx, sess.Selector, seen, seen.Add(30*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(h.N.Load())/float64(b.N), "roundtrips/op")
}

package redisstore

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
)

// TestScriptsMirrorStateMachine runs the scripts on random stored counters
// and limits, leased or not, to the microsecond, and checks that they
// decide, return and store what store.TakeCounter, store.FailCounter and
// store.ReleaseCounter do, with the TTL at which each stored counter
// settles to nothing.
func TestScriptsMirrorStateMachine(t *testing.T) {
	client, prefix := testdb.Redis(t)
	s, err := New(client, Config{Prefix: prefix})
	require.NoError(t, err)
	ctx := t.Context()
	rng := rand.New(rand.NewPCG(5, 2026))
	at := time.Date(2026, 3, 17, 8, 30, 15, 123456000, time.UTC)
	releases, fails := 0, 0
	for i := range 1000 {
		keys := make([]store.AttemptKey, 1+rng.IntN(3))
		stored := make([]store.Counter, len(keys))
		for j := range keys {
			keys[j] = store.AttemptKey{Key: fmt.Sprintf("k%d-%d", i, j), Limit: randomLimit(rng)}
			stored[j] = randomCounter(rng, keys[j].Key, at)
		}
		name := fmt.Sprintf("case %d: %+v %+v", i, keys, stored)

		// TakeAttempt.
		put(t, s, stored)
		want := store.Take{Allowed: true, Counters: make([]store.Counter, len(keys))}
		settled := make([]store.Counter, len(keys))
		for j, k := range keys {
			var ok bool
			settled[j], want.Counters[j], ok = store.TakeCounter(stored[j], k.Limit, at)
			want.Allowed = want.Allowed && ok
		}
		after := stored
		if want.Allowed {
			after = want.Counters
		} else {
			want.Counters = settled
		}
		got, err := s.TakeAttempt(ctx, at, keys)
		require.NoError(t, err, name)
		require.Equal(t, want, got, "TakeAttempt: "+name)
		requireStored(t, s, at, keys, after, func(int) bool { return want.Allowed }, "TakeAttempt: "+name)

		// FailAttempt and ReleaseAttempts, from the same counters, as far
		// as the state machine reaches them: an attempt charged sets the
		// last attempt.
		charged := make([]store.Counter, len(keys))
		for j := range keys {
			charged[j] = stored[j]
			if charged[j].Attempts > 0 && charged[j].LastAttempt.IsZero() {
				charged[j].LastAttempt = at.Add(-time.Minute)
			}
		}
		put(t, s, charged)
		wantFail := make([]store.Counter, len(keys))
		after = make([]store.Counter, len(keys))
		changed := make([]bool, len(keys))
		for j, k := range keys {
			wantFail[j] = store.FailCounter(charged[j], k.Limit, at)
			after[j] = charged[j]
			if wantFail[j] != store.Settle(charged[j], k.Limit, at) {
				after[j], changed[j] = wantFail[j], true
				fails++
			}
		}
		gotFail, err := s.FailAttempt(ctx, at, keys)
		require.NoError(t, err, name)
		require.Equal(t, wantFail, gotFail, "FailAttempt: "+name)
		requireStored(t, s, at, keys, after, func(i int) bool { return changed[i] }, "FailAttempt: "+name)

		released := make([]bool, len(keys))
		for j, k := range keys {
			after[j] = charged[j]
			if c := store.ReleaseCounter(charged[j], k.Limit, at); c != store.Settle(charged[j], k.Limit, at) {
				after[j], released[j] = c, true
				releases++
			}
		}
		put(t, s, charged)
		require.NoError(t, s.ReleaseAttempts(ctx, at, keys), name)
		requireStored(t, s, at, keys, after, func(i int) bool { return released[i] }, "ReleaseAttempts: "+name)
	}
	t.Logf("%d keys had a failure recorded, %d an attempt taken back", fails, releases)
	require.Greater(t, fails, 50, "too few cases record a failure")
	require.Greater(t, releases, 50, "too few cases take an attempt back")
}

// put stores the counters as they are, without a TTL.
func put(t *testing.T, s *Store, cs []store.Counter) {
	t.Helper()
	for _, c := range cs {
		key := s.attemptKey(c.Key)
		require.NoError(t, s.client.Del(t.Context(), key).Err())
		if c == (store.Counter{Key: c.Key}) {
			continue
		}
		fields := []any{"attempts", c.Attempts, "window", unixMicro(c.WindowStart), "until", unixMicro(c.LockedUntil),
			"permanent", map[bool]int{false: 0, true: 1}[c.Permanent], "locks", c.Locks, "last", unixMicro(c.LastAttempt)}
		if c.InFlight != 0 || !c.LeaseUntil.IsZero() {
			// A counter written before leases has neither field.
			fields = append(fields, "inflight", c.InFlight, "lease", unixMicro(c.LeaseUntil))
		}
		require.NoError(t, s.client.HSet(t.Context(), key, fields...).Err())
	}
}

// requireStored checks that the keys hold the counters want and that
// those the script wrote expire when they would settle to nothing.
func requireStored(t *testing.T, s *Store, at time.Time, keys []store.AttemptKey, want []store.Counter, written func(i int) bool, name string) {
	t.Helper()
	for i, k := range keys {
		v, err := s.client.HMGet(t.Context(), s.attemptKey(k.Key), counterFields...).Result()
		require.NoError(t, err)
		c, err := fieldsCounter(k.Key, v)
		require.NoError(t, err)
		require.Equal(t, want[i], c, "stored: "+name)
		ttl, err := s.client.PTTL(t.Context(), s.attemptKey(k.Key)).Result()
		require.NoError(t, err)
		switch {
		case c == store.Counter{Key: k.Key}:
			require.Equal(t, time.Duration(-2), ttl, "a stored empty counter: "+name)
		case !written(i) || c.Permanent:
			require.Equal(t, time.Duration(-1), ttl, "TTL: "+name)
		default:
			ends := c.LastAttempt.Add(k.Limit.Forget)
			if c.LockedUntil.After(ends) {
				ends = c.LockedUntil
			}
			wantTTL := ends.Sub(at).Round(time.Millisecond)
			if wantTTL < ends.Sub(at) {
				wantTTL += time.Millisecond
			}
			require.InDelta(t, wantTTL, ttl, float64(2*time.Second), "TTL: "+name)
			require.LessOrEqual(t, ttl, wantTTL, "TTL: "+name)
		}
	}
}

func unixMicro(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// randomDuration returns a duration of whole microseconds from 1 µs to
// about max.
func randomDuration(rng *rand.Rand, max time.Duration) time.Duration {
	return time.Duration(1+rng.Int64N(int64(max/time.Microsecond))) * time.Microsecond
}

func randomLimit(rng *rand.Rand) store.Limit {
	l := store.Limit{
		Threshold:      1 + rng.IntN(5),
		Window:         randomDuration(rng, time.Hour),
		LockBase:       randomDuration(rng, time.Hour),
		PermanentAfter: rng.IntN(4),
	}
	l.LockMax = l.LockBase + randomDuration(rng, 4*time.Hour)
	if rng.IntN(4) == 0 {
		l.LockMax = l.LockBase
	}
	l.Forget = max(l.Window, l.LockMax) + randomDuration(rng, time.Hour)
	if rng.IntN(4) == 0 {
		l.Forget = max(l.Window, l.LockMax)
	}
	if rng.IntN(3) > 0 {
		l.Lease = randomDuration(rng, time.Minute)
	}
	return l
}

// randomCounter returns a counter near time at, not necessarily one the
// state machine reaches.
func randomCounter(rng *rand.Rand, key string, at time.Time) store.Counter {
	c := store.Counter{Key: key}
	if rng.IntN(5) == 0 {
		return c
	}
	c.Attempts = rng.IntN(7)
	if rng.IntN(4) > 0 {
		c.WindowStart = at.Add(-randomDuration(rng, 2*time.Hour))
	}
	if rng.IntN(2) == 0 {
		c.LockedUntil = at.Add(randomDuration(rng, 2*time.Hour) - time.Hour)
	}
	c.Permanent = rng.IntN(10) == 0
	c.Locks = rng.IntN(6)
	if rng.IntN(8) > 0 {
		c.LastAttempt = at.Add(-randomDuration(rng, 6*time.Hour))
	}
	if c.Attempts > 0 && rng.IntN(2) == 0 {
		c.InFlight = 1 + rng.IntN(c.Attempts)
		c.LeaseUntil = at.Add(randomDuration(rng, 2*time.Minute) - time.Minute)
	}
	return c
}

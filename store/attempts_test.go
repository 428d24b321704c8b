package store_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/masuk-id/masuk/store"
)

func TestLockDuration(t *testing.T) {
	l := store.Limit{LockBase: 15 * time.Minute, LockMax: 24 * time.Hour}
	want := []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 16 * time.Hour, 24 * time.Hour, 24 * time.Hour}
	for locks, w := range want {
		assert.Equal(t, w, l.LockDuration(locks), "after %d locks", locks)
	}
	assert.Equal(t, 24*time.Hour, l.LockDuration(1000), "no overflow")
}

func TestLimitValid(t *testing.T) {
	ok := store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 24 * time.Hour}
	assert.True(t, ok.Valid())
	for name, mutate := range map[string]func(*store.Limit){
		"threshold 0":        func(l *store.Limit) { l.Threshold = 0 },
		"threshold over 100": func(l *store.Limit) { l.Threshold = 101 },
		"no window":          func(l *store.Limit) { l.Window = 0 },
		"no lock":            func(l *store.Limit) { l.LockBase = 0 },
		"max below base":     func(l *store.Limit) { l.LockMax = time.Minute },
		"forget below max":   func(l *store.Limit) { l.Forget = time.Hour },
		"below every lock":   func(l *store.Limit) { l.PermanentAfter = store.EveryLockPermanent - 1 },
		"negative lease":     func(l *store.Limit) { l.Lease = -time.Second },
	} {
		l := ok
		mutate(&l)
		assert.False(t, l.Valid(), name)
	}
	every := ok
	every.PermanentAfter = store.EveryLockPermanent
	assert.True(t, every.Valid(), "every lock permanent")
}

func TestSettleAndTake(t *testing.T) {
	l := store.Limit{Threshold: 2, Window: time.Minute, LockBase: time.Minute, LockMax: time.Hour, Forget: 2 * time.Hour}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := store.Counter{Key: "k"}
	_, c, ok := store.TakeCounter(c, l, t0)
	assert.True(t, ok)
	_, c, ok = store.TakeCounter(c, l, t0.Add(time.Second))
	assert.True(t, ok)
	_, _, ok = store.TakeCounter(c, l, t0.Add(2*time.Second))
	assert.False(t, ok, "no attempts left, though none has failed yet")
	c = store.FailCounter(c, l, t0.Add(2*time.Second))
	assert.Equal(t, t0.Add(2*time.Second+time.Minute), c.LockedUntil)
	assert.Equal(t, c, store.FailCounter(c, l, t0.Add(3*time.Second)), "a failure while locked changes nothing")
	assert.Equal(t, store.Counter{Key: "k", Locks: 1, LastAttempt: t0.Add(time.Second)}, store.Settle(c, l, c.LockedUntil))
}

// TestLeaseStateMachine runs random sequences of takes, failures, releases
// and clears under a leased limit, and checks after each step what the
// contract promises: charges in flight are among the attempts, the lease
// is set exactly while some are in flight, nothing in flight is given back
// before the lease ends, and a failure always leaves a mark (it settles a
// charge in flight, counts afresh, or finds the key locked).
func TestLeaseStateMachine(t *testing.T) {
	l := store.Limit{Threshold: 4, Window: time.Minute, LockBase: time.Minute, LockMax: time.Hour, Forget: 2 * time.Hour, Lease: 10 * time.Second}
	rng := rand.New(rand.NewPCG(15, 2026))
	for run := range 200 {
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		c := store.Counter{Key: "k"}
		for step := range 60 {
			at = at.Add(time.Duration(rng.IntN(4000)) * time.Millisecond)
			before := store.Settle(c, l, at)
			if c.InFlight > 0 && at.Before(c.LeaseUntil) && !c.Locked(at) && before.InFlight != c.InFlight &&
				(c.WindowStart.IsZero() || at.Sub(c.WindowStart) < l.Window) {
				t.Fatalf("run %d step %d: charges given back before the lease ends: %+v -> %+v", run, step, c, before)
			}
			switch op := rng.IntN(10); {
			case op < 4:
				_, charged, ok := store.TakeCounter(c, l, at)
				if ok {
					c = charged
				} else {
					c = before
				}
			case op < 8:
				c = store.FailCounter(c, l, at)
				if !before.Locked(at) && c.Attempts == before.Attempts && c.InFlight == before.InFlight {
					t.Fatalf("run %d step %d: a failure left no mark: %+v -> %+v", run, step, before, c)
				}
			case op < 9:
				c = store.ReleaseCounter(c, l, at)
				if c.Attempts < before.Attempts && before.InFlight == 0 {
					t.Fatalf("run %d step %d: a release took back a failure: %+v -> %+v", run, step, before, c)
				}
			default:
				c = before
				c.Attempts, c.WindowStart, c.InFlight, c.LeaseUntil = 0, time.Time{}, 0, time.Time{}
			}
			if c.InFlight < 0 || c.InFlight > c.Attempts || (c.InFlight == 0) != c.LeaseUntil.IsZero() {
				t.Fatalf("run %d step %d: %+v breaks the counter's invariants", run, step, c)
			}
		}
	}
}

func TestLeaseGivesBackAtItsEnd(t *testing.T) {
	l := store.Limit{Threshold: 2, Window: time.Hour, LockBase: time.Minute, LockMax: time.Hour, Forget: 2 * time.Hour, Lease: 10 * time.Second}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	_, c, _ := store.TakeCounter(store.Counter{Key: "k"}, l, t0)
	_, c, _ = store.TakeCounter(c, l, t0.Add(3*time.Second))
	assert.Equal(t, store.Counter{Key: "k", Attempts: 2, InFlight: 2, LeaseUntil: t0.Add(13 * time.Second), WindowStart: t0, LastAttempt: t0.Add(3 * time.Second)}, c)
	_, _, ok := store.TakeCounter(c, l, t0.Add(13*time.Second-1))
	assert.False(t, ok, "before the latest lease ends")
	assert.Equal(t, store.Counter{Key: "k", LastAttempt: t0.Add(3 * time.Second)}, store.Settle(c, l, t0.Add(13*time.Second)))
	c = store.FailCounter(c, l, t0.Add(20*time.Second))
	assert.Equal(t, store.Counter{Key: "k", Attempts: 1, WindowStart: t0.Add(20 * time.Second), LastAttempt: t0.Add(20 * time.Second)}, c, "a failure after the lease counts afresh")
}

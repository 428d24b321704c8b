package store_test

import (
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
		"negative permanent": func(l *store.Limit) { l.PermanentAfter = -1 },
	} {
		l := ok
		mutate(&l)
		assert.False(t, l.Valid(), name)
	}
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

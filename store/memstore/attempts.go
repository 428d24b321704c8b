package memstore

import (
	"context"
	"time"

	"github.com/masuk-id/masuk/store"
)

var _ store.Attempts = (*Store)(nil)

// attemptEntry is a counter with the limit it was last charged under, so
// that idle entries can be swept.
type attemptEntry struct {
	c store.Counter
	l store.Limit
}

// sweepEvery is how many new counters memstore creates between sweeps of
// the idle ones, which bound its memory under a flood of made-up
// usernames.
const sweepEvery = 4096

// TakeAttempt implements [store.Attempts].
func (s *Store) TakeAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) (store.Take, error) {
	if err := ctx.Err(); err != nil {
		return store.Take{}, err
	}
	if err := store.CheckAttemptKeys(keys); err != nil {
		return store.Take{}, err
	}
	at = at.UTC()
	out := make([]store.Counter, len(keys))
	var buf [4]store.Counter // charged counters, off the heap for the usual ≤ 3 keys
	charged := buf[:0]
	allowed := true
	s.amu.Lock()
	defer s.amu.Unlock()
	for i, k := range keys {
		var c store.Counter
		var ok bool
		out[i], c, ok = store.TakeCounter(s.counterLocked(k.Key), k.Limit, at)
		charged = append(charged, c)
		allowed = allowed && ok
	}
	if !allowed {
		return store.Take{Counters: out}, nil
	}
	for i, k := range keys {
		s.putCounterLocked(charged[i], k.Limit, at)
	}
	copy(out, charged)
	return store.Take{Allowed: true, Counters: out}, nil
}

// FailAttempt implements [store.Attempts].
func (s *Store) FailAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) ([]store.Counter, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := store.CheckAttemptKeys(keys); err != nil {
		return nil, err
	}
	at = at.UTC()
	out := make([]store.Counter, len(keys))
	s.amu.Lock()
	defer s.amu.Unlock()
	for i, k := range keys {
		out[i] = store.FailCounter(s.counterLocked(k.Key), k.Limit, at)
		s.putCounterLocked(out[i], k.Limit, at)
	}
	return out, nil
}

// ClearAttempts implements [store.Attempts].
func (s *Store) ClearAttempts(ctx context.Context, keys []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.amu.Lock()
	defer s.amu.Unlock()
	for _, k := range keys {
		if e, ok := s.attempts[k]; ok {
			e.c.Attempts, e.c.WindowStart, e.c.InFlight, e.c.LeaseUntil = 0, time.Time{}, 0, time.Time{}
			if !e.c.Permanent {
				e.c.Locks = 0
			}
			s.attempts[k] = e
		}
	}
	return nil
}

// Unlock implements [store.Attempts].
func (s *Store) Unlock(ctx context.Context, key string) (store.Counter, error) {
	if err := ctx.Err(); err != nil {
		return store.Counter{}, err
	}
	s.amu.Lock()
	defer s.amu.Unlock()
	before := s.counterLocked(key)
	delete(s.attempts, key)
	return before, nil
}

// Counter implements [store.Attempts].
func (s *Store) Counter(ctx context.Context, at time.Time, key store.AttemptKey) (store.Counter, error) {
	if err := ctx.Err(); err != nil {
		return store.Counter{}, err
	}
	s.amu.Lock()
	defer s.amu.Unlock()
	return store.Settle(s.counterLocked(key.Key), key.Limit, at.UTC()), nil
}

func (s *Store) counterLocked(key string) store.Counter {
	if e, ok := s.attempts[key]; ok {
		return e.c
	}
	return store.Counter{Key: key}
}

func (s *Store) putCounterLocked(c store.Counter, l store.Limit, at time.Time) {
	if _, ok := s.attempts[c.Key]; !ok {
		s.created++
		if s.created%sweepEvery == 0 {
			s.sweepLocked(at)
		}
	}
	s.attempts[c.Key] = attemptEntry{c, l}
}

// sweepLocked removes the counters that have settled to nothing.
func (s *Store) sweepLocked(at time.Time) {
	for k, e := range s.attempts {
		if store.Settle(e.c, e.l, at) == (store.Counter{Key: k}) {
			delete(s.attempts, k)
		}
	}
}

// ReleaseAttempts implements [store.Attempts].
func (s *Store) ReleaseAttempts(ctx context.Context, at time.Time, keys []store.AttemptKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckAttemptKeys(keys); err != nil {
		return err
	}
	at = at.UTC()
	s.amu.Lock()
	defer s.amu.Unlock()
	for _, k := range keys {
		if e, ok := s.attempts[k.Key]; ok {
			e.c = store.ReleaseCounter(e.c, k.Limit, at)
			s.attempts[k.Key] = e
		}
	}
	return nil
}

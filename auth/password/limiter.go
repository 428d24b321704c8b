package password

import (
	"context"
	"fmt"
	"sync/atomic"
)

// limiter bounds the hashes running at once (a semaphore of slots) and the
// callers waiting for a slot. It starts no goroutines and holds no locks.
type limiter struct {
	slots      chan struct{}
	waiting    atomic.Int64
	maxWaiting int64
	// onWait, when set by a test, runs once the caller has joined the
	// waiters and before it blocks.
	onWait func()
}

func newLimiter(maxConcurrent, maxWaiting int) *limiter {
	return &limiter{slots: make(chan struct{}, maxConcurrent), maxWaiting: int64(maxWaiting)}
}

// acquire takes a slot, waiting for one if fewer than maxWaiting callers
// already wait; it returns ErrBusy when they do, and ctx's error, wrapped,
// when ctx ends first. A successful acquire must be paired with release.
func (l *limiter) acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("password: %w", err)
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	default:
	}
	// Join the waiters only if there is room. Counting first and backing
	// out keeps the count race-free without a lock: a caller proceeds only
	// when its own increment stayed within the bound.
	if l.waiting.Add(1) > l.maxWaiting {
		l.waiting.Add(-1)
		return ErrBusy
	}
	defer l.waiting.Add(-1)
	if l.onWait != nil {
		l.onWait()
	}
	select {
	case l.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("password: waiting for a hashing slot: %w", ctx.Err())
	}
}

func (l *limiter) release() { <-l.slots }

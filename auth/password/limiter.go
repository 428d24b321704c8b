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
	// share bounds the hashes of new passwords: a caller of
	// acquireShared takes one of its slots (half of slots, at least one)
	// before one of slots, and waits for it in a queue of its own (half
	// of maxWaiting, at least one), so that a flood of registrations and
	// resets holds at most half the slots, or places in the queue that
	// logins wait in.
	share *limiter
	// onWait, when set by a test, runs once the caller has joined the
	// waiters and before it blocks.
	onWait func()
}

func newLimiter(maxConcurrent, maxWaiting int) *limiter {
	l := &limiter{slots: make(chan struct{}, maxConcurrent), maxWaiting: int64(maxWaiting)}
	shareWaiting := 0
	if maxWaiting > 0 {
		shareWaiting = max(1, maxWaiting/2)
	}
	l.share = &limiter{slots: make(chan struct{}, max(1, maxConcurrent/2)), maxWaiting: int64(shareWaiting)}
	l.share.onWait = func() {
		if l.onWait != nil {
			l.onWait()
		}
	}
	return l
}

// acquireShared takes a slot for the hash of a new password: one of the
// share's slots first, then one of the whole, as any caller would. Holders
// of share slots are at most half the whole, so they hold at most that
// many of its slots and places in its queue. A successful acquireShared
// must be paired with releaseShared.
func (l *limiter) acquireShared(ctx context.Context) error {
	if err := l.share.acquire(ctx); err != nil {
		return err
	}
	if err := l.acquire(ctx); err != nil {
		l.share.release()
		return err
	}
	return nil
}

func (l *limiter) releaseShared() {
	l.release()
	l.share.release()
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

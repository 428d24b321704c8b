package auth

import (
	"context"
	"sync"
	"time"
)

// Bounds of the work that runs after its request returned.
const (
	// maxBackground is how many jobs run at once; a job that finds them
	// all busy is dropped and logged, never run inside the request, whose
	// answer must not depend on it (an attacker who fills the slots must
	// not be able to time the answer).
	maxBackground = 64
	// backgroundTimeout bounds each job, so that a sender that hangs cannot
	// hold the slots for good.
	backgroundTimeout = 30 * time.Second
)

// background runs the work of a request whose answer must not depend on
// it: a reset request or a registration answers the same, in the same
// time, whether or not the account exists, so the lookup and the message
// happen after the answer. Close waits for it.
type background struct {
	mu      sync.Mutex
	running int
	idle    *sync.Cond
}

func (b *background) init() { b.idle = sync.NewCond(&b.mu) }

// run starts f with a context that keeps ctx's values but not its
// cancellation (the request ends first), bounded by backgroundTimeout. It
// reports false, and does not run f, when maxBackground jobs are running.
func (b *background) run(ctx context.Context, f func(ctx context.Context)) bool {
	b.mu.Lock()
	if b.running >= maxBackground {
		b.mu.Unlock()
		return false
	}
	b.running++
	b.mu.Unlock()
	go func() {
		defer func() {
			b.mu.Lock()
			if b.running--; b.running == 0 {
				b.idle.Broadcast()
			}
			b.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), backgroundTimeout)
		defer cancel()
		f(ctx)
	}()
	return true
}

// wait blocks until no job runs.
func (b *background) wait() {
	b.mu.Lock()
	for b.running > 0 {
		b.idle.Wait()
	}
	b.mu.Unlock()
}

// later runs f in the background, and logs a job dropped because the
// background is full.
func (a *Authenticator) later(ctx context.Context, what string, f func(ctx context.Context)) {
	if !a.bg.run(ctx, f) {
		a.log.WarnContext(ctx, "masuk: dropped background work: too much running", "work", what)
	}
}

// Close waits for the messages that requests left to send in the
// background (reset links, activation codes, notices to the owners of
// addresses registered twice, new-device alerts). Call it before the
// program exits, and in tests before reading an outbox. The Authenticator
// stays usable.
func (a *Authenticator) Close() error {
	a.bg.wait()
	return nil
}

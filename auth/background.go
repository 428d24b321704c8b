package auth

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
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
	// onPanic is told of a job that panicked, which run recovers: a bug in
	// a host's Sender or store must not take the whole process down.
	onPanic         func(ctx context.Context, what string, v any, stack []byte)
	dropped, panics atomic.Int64
}

func (b *background) init(onPanic func(ctx context.Context, what string, v any, stack []byte)) {
	b.idle = sync.NewCond(&b.mu)
	b.onPanic = onPanic
}

// run starts f with a context that keeps ctx's values but not its
// cancellation (the request ends first), bounded by backgroundTimeout. It
// reports false, and does not run f, when maxBackground jobs are running.
func (b *background) run(ctx context.Context, what string, f func(ctx context.Context)) bool {
	b.mu.Lock()
	if b.running >= maxBackground {
		b.mu.Unlock()
		b.dropped.Add(1)
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
		defer func() {
			if v := recover(); v != nil {
				b.panics.Add(1)
				b.onPanic(ctx, what, v, debug.Stack())
			}
		}()
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
	if !a.bg.run(ctx, what, f) {
		a.log.WarnContext(ctx, "masuk: dropped background work: too much running", "work", what)
	}
}

// backgroundPanicked logs a background job that panicked; the job is
// over, and the process goes on.
func (a *Authenticator) backgroundPanicked(ctx context.Context, what string, v any, stack []byte) {
	a.log.ErrorContext(ctx, "masuk: background work panicked", "work", what, "panic", fmt.Sprint(v), "stack", string(stack))
}

// BackgroundStats counts the work that requests left to run after their
// answer (messages, new-device checks, log pruning).
type BackgroundStats struct {
	// Running is how many jobs run now.
	Running int
	// Dropped is how many jobs were not run because too many were running
	// (each is also logged).
	Dropped int64
	// Panicked is how many jobs panicked. The panic was recovered and
	// logged with its stack; watch this number, it is a bug.
	Panicked int64
	// EventsDropped is how many events Config.EventSink never received
	// because too many were waiting for it (Config.EventBuffer).
	EventsDropped int64
}

// Background returns the counts of background work since New, for a
// health check or a metric.
func (a *Authenticator) Background() BackgroundStats {
	a.bg.mu.Lock()
	n := a.bg.running
	a.bg.mu.Unlock()
	return BackgroundStats{Running: n, Dropped: a.bg.dropped.Load(), Panicked: a.bg.panics.Load(), EventsDropped: a.sink.dropped.Load()}
}

// Close waits for the messages that requests left to send in the
// background (reset links, activation codes, notices to the owners of
// addresses registered twice, new-device alerts), and for the events
// recorded so far to reach Config.EventSink. Call it before the program
// exits, and in tests before reading an outbox. The Authenticator stays
// usable.
func (a *Authenticator) Close() error {
	a.bg.wait()
	a.sink.wait()
	return nil
}

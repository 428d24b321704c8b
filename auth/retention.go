package auth

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"
)

// Bounds of the activity log's retention.
const (
	// DefaultEventRetention is how long events are kept when
	// Config.EventRetention is zero: a little over a year, so that a
	// yearly audit sees the whole year.
	DefaultEventRetention = 400 * 24 * time.Hour
	// minEventRetention is the shortest retention New accepts: an owner
	// must be able to review a month of activity.
	minEventRetention = 30 * 24 * time.Hour
	// pruneEvery is how many events are recorded between two prunings of
	// the log, and pruneGap the least time between two.
	pruneEvery = 1024
	pruneGap   = time.Minute
)

// eventLog keeps the activity log within its retention: every pruneEvery
// events recorded, the events older than the retention are deleted in
// the background. Every instance of a portal does the same, which costs
// one cheap delete each time; no goroutine runs on its own.
type eventLog struct {
	retention time.Duration
	recorded  atomic.Int64
	// pruned is when the last pruning began, in Unix nanoseconds.
	pruned atomic.Int64
}

func (l *eventLog) init(retention time.Duration) error {
	switch {
	case retention == 0:
		retention = DefaultEventRetention
	case retention > 0 && retention < minEventRetention:
		return fmt.Errorf("%w: Config.EventRetention is below 30 days", ErrConfig)
	}
	l.retention = retention
	return nil
}

// recordedOne counts an event recorded and, every pruneEvery, prunes the
// log in the background.
func (a *Authenticator) recordedOne(ctx context.Context) {
	if a.events.retention < 0 || a.events.recorded.Add(1)%pruneEvery != 0 {
		return
	}
	now := a.now()
	last := a.events.pruned.Load()
	if now.UnixNano()-last < int64(pruneGap) || !a.events.pruned.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	a.later(ctx, "event pruning", func(ctx context.Context) {
		if _, err := a.PruneEvents(ctx); err != nil {
			a.log.ErrorContext(ctx, "masuk: pruning the activity log", "error", err)
		}
	})
}

// pruneBatch is how many events one store call deletes: a large backlog
// (the first pruning of a log kept for years) goes in many short
// transactions rather than one long one.
const pruneBatch = 5000

// PruneEvents deletes the events older than Config.EventRetention now, in
// batches, and returns how many went; ctx bounds the work, and what it
// did not reach waits for the next pruning. The Authenticator also does
// it by itself as events are recorded; a host with a negative retention,
// which turns that off, may prune with the Events store directly.
func (a *Authenticator) PruneEvents(ctx context.Context) (int, error) {
	if a.events.retention < 0 {
		return 0, nil
	}
	before := a.now().Add(-a.events.retention)
	total := 0
	for {
		n, err := a.store.PruneEvents(ctx, before, pruneBatch)
		total += n
		if err != nil {
			return total, fmt.Errorf("auth: pruning events: %w", err)
		}
		if n < pruneBatch {
			return total, nil
		}
	}
}

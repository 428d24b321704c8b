package auth

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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

// eventLog keeps the activity log within its retentions: every
// pruneEvery events recorded, the events older than their realm's
// retention are deleted in the background. Every instance of a portal
// does the same, which costs one cheap delete a realm each time; no
// goroutine runs on its own.
type eventLog struct {
	// retention is Config.EventRetention with its default, the default
	// of every realm's Retention.EventsFor.
	retention time.Duration
	// prunes are what one pruning deletes, in the order of the realms'
	// names; none when no realm is pruned.
	prunes   []realmPrune
	recorded atomic.Int64
	// pruned is when the last pruning began, in Unix nanoseconds.
	pruned atomic.Int64
}

// realmPrune is one realm's part of a pruning: its events older than keep
// go. An empty realm is every realm's events, with Config.Realms nil.
type realmPrune struct {
	realm string
	keep  time.Duration
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

// plan sets what a pruning deletes, from the realms' settings resolved.
// With Config.Realms, each realm listed is pruned by its own retention and
// the realms not listed are left alone: their events may be another
// application's, in a database it shares, and a deletion cannot be undone.
// With Config.Realms nil, every realm has def's retention, and one
// pruning of the whole log applies it.
func (l *eventLog) plan(def *realmConfig, realms map[string]*realmConfig) {
	l.prunes = nil
	if realms == nil {
		if keep := def.Retention.EventsFor; keep > 0 {
			l.prunes = []realmPrune{{"", keep}}
		}
		return
	}
	for _, name := range slices.Sorted(maps.Keys(realms)) {
		if keep := realms[name].Retention.EventsFor; keep > 0 {
			l.prunes = append(l.prunes, realmPrune{name, keep})
		}
	}
}

// recordedOne counts an event recorded and, every pruneEvery, prunes the
// log in the background.
func (a *Authenticator) recordedOne(ctx context.Context) {
	if len(a.events.prunes) == 0 || a.events.recorded.Add(1)%pruneEvery != 0 {
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

// PruneEvents deletes the events older than their realm's retention now
// (Realm.Retention.EventsFor, Config.EventRetention by default), in
// batches, and returns how many went; ctx bounds the work, and what it
// did not reach waits for the next pruning. The Authenticator also does
// it by itself as events are recorded.
//
// With Config.Realms, each realm listed is pruned by its own retention,
// one store call (store.Events.PruneRealmEvents) per realm and batch, and
// the events of realms not listed are left alone: they may be another
// application's, in a database it shares, or a realm's since removed,
// which the host prunes with the store directly. With Config.Realms nil,
// every realm has Config.Realm's retention and the whole log is pruned by
// it (store.Events.PruneEvents). A realm whose retention is negative is
// never pruned. A realm that fails does not stop the others: the errors
// come back joined, with the count of what did go.
func (a *Authenticator) PruneEvents(ctx context.Context) (int, error) {
	now := a.now()
	total := 0
	var errs []error
	for _, p := range a.events.prunes {
		n, err := a.pruneRealm(ctx, p.realm, now.Add(-p.keep))
		total += n
		if err != nil {
			errs = append(errs, err)
			if ctx.Err() != nil {
				break
			}
		}
	}
	return total, errors.Join(errs...)
}

// pruneRealm deletes realm's events before before, or every realm's when
// realm is empty, in batches.
func (a *Authenticator) pruneRealm(ctx context.Context, realm string, before time.Time) (int, error) {
	total := 0
	for {
		var n int
		var err error
		if realm == "" {
			n, err = a.store.PruneEvents(ctx, before, pruneBatch)
		} else {
			n, err = a.store.PruneRealmEvents(ctx, realm, before, pruneBatch)
		}
		total += n
		switch {
		case err != nil && realm == "":
			return total, fmt.Errorf("auth: pruning events: %w", err)
		case err != nil:
			return total, fmt.Errorf("auth: pruning the events of realm %q: %w", realm, err)
		case n < pruneBatch:
			return total, nil
		}
	}
}

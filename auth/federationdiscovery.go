package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// The pause after a provider's discovery document could not be read: it
// doubles with each failure in a row, up to discoveryBackoffMax.
const (
	discoveryBackoff    = 2 * time.Second
	discoveryBackoffMax = time.Minute
)

// discovery is a provider's discovery document, read at the first use and
// kept. One caller reads it at a time, with its own context, and holds no
// lock while it does: the others wait for that read, each until its own
// context ends, and a read its caller gave up on (a context canceled or
// past its deadline) leaves the next waiter to read again. A read that
// failed is not tried again, by anyone, for a pause that grows with each
// failure in a row (discoveryBackoff, doubling, at most
// discoveryBackoffMax): a provider that is down is not asked again by
// every login, and every login is answered at once meanwhile.
//
// The key set is not kept here: keySet fetches it, one fetch at a time,
// for reasons its comment gives.
type discovery struct {
	mu       sync.Mutex
	provider *oidc.Provider
	meta     providerMeta
	// busy is closed when the read in progress ends; nil when none is.
	busy chan struct{}
	// failures counts the reads that failed in a row; lastErr is the last
	// one's error, and retryAt when the next read may start.
	failures int
	lastErr  error
	retryAt  time.Time
}

// discoveryPausedError wraps the last failure while reads pause.
type discoveryPausedError struct {
	err   error
	until time.Time
}

func (e *discoveryPausedError) Error() string {
	return fmt.Sprintf("%v (not asked again before %s)", e.err, e.until.UTC().Format(time.RFC3339))
}

func (e *discoveryPausedError) Unwrap() error { return e.err }

// get returns the document, reading it with read when no one has yet.
func (d *discovery) get(ctx context.Context, now func() time.Time, read func(context.Context) (*oidc.Provider, providerMeta, error)) (*oidc.Provider, providerMeta, error) {
	d.mu.Lock()
	for {
		if d.provider != nil {
			pr, meta := d.provider, d.meta
			d.mu.Unlock()
			return pr, meta, nil
		}
		if d.failures > 0 {
			if t := now(); t.Before(d.retryAt) && !t.Before(d.retryAt.Add(-discoveryBackoffMax)) {
				err := &discoveryPausedError{err: d.lastErr, until: d.retryAt}
				d.mu.Unlock()
				return nil, providerMeta{}, err
			}
		}
		if d.busy == nil {
			break
		}
		busy := d.busy
		d.mu.Unlock()
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, providerMeta{}, fmt.Errorf("auth: waiting for the provider's discovery: %w", ctx.Err())
		}
		d.mu.Lock()
	}
	busy := make(chan struct{})
	d.busy = busy
	d.mu.Unlock()

	pr, meta, err := read(ctx)

	d.mu.Lock()
	defer d.mu.Unlock()
	d.busy = nil
	close(busy)
	switch {
	case err == nil:
		d.provider, d.meta, d.failures, d.lastErr = pr, meta, 0, nil
	case ctx.Err() != nil:
		// Its caller gave up: that says nothing of the provider, and a
		// waiter reads again.
	default:
		d.failures++
		wait := min(discoveryBackoff<<min(d.failures-1, 10), discoveryBackoffMax)
		d.lastErr, d.retryAt = err, now().Add(wait)
	}
	return pr, meta, err
}

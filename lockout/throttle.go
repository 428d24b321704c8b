package lockout

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/store"
)

// ErrThrottled means a request came more often than its rate allows.
// Throttle returns it inside a *ThrottledError.
var ErrThrottled = errors.New("lockout: too many requests")

// ThrottledError says when a throttled request may be made again.
type ThrottledError struct {
	// RetryAt is when the window that refused it ends.
	RetryAt time.Time
}

func (e *ThrottledError) Error() string {
	return "lockout: too many requests; retry at " + e.RetryAt.UTC().Format(time.RFC3339)
}

// Is reports whether target is ErrThrottled.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// Rate is how often a request may be made: Requests in each Window.
type Rate struct {
	Requests int
	Window   time.Duration
}

func (r Rate) limit() store.Limit {
	// The counter never fails, so it never locks; the lock fields only
	// have to be valid. Its requests are never settled either, so they
	// are not leased: each counts until its window ends.
	return store.Limit{Threshold: r.Requests, Window: r.Window, LockBase: r.Window, LockMax: r.Window, Forget: r.Window}
}

// Throttle counts a request for action (such as "reset") by s, on the
// subject's counter at perSubject and on the client address's at
// perAddress, in one atomic step, and returns a *ThrottledError (errors.Is
// ErrThrottled) when either is spent: then nothing is charged. A zero
// Rate skips its counter. Unlike [Guard.Begin], every request counts,
// whatever its outcome, and nothing ever locks: the counters fill up and
// empty with their windows.
//
// Count a subject the same way whether or not it names an account (the
// identifier as typed, canonicalised), so that the throttle itself does
// not tell who has one.
func (g *Guard) Throttle(ctx context.Context, action string, s Subject, perSubject, perAddress Rate) error {
	keys := make([]store.AttemptKey, 0, 2)
	if perSubject.Requests > 0 {
		keys = append(keys, store.AttemptKey{Key: action + "|a|" + s.Realm + "|" + s.Username, Limit: perSubject.limit()})
	}
	if addr, ok := g.addrKey(s.Addr); ok && perAddress.Requests > 0 {
		keys = append(keys, store.AttemptKey{Key: action + "|i|" + s.Realm + "|" + addr, Limit: perAddress.limit()})
	}
	for _, k := range keys {
		if !k.Limit.Valid() {
			return fmt.Errorf("%w: throttle %q: a rate of 1 to 100 requests in a positive window", ErrConfig, action)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	at := g.now()
	tk, err := g.store.TakeAttempt(ctx, at, keys)
	if err != nil {
		return fmt.Errorf("lockout: %w", err)
	}
	if tk.Allowed {
		return nil
	}
	var retry time.Time
	for i, c := range tk.Counters {
		if c.Attempts >= keys[i].Limit.Threshold {
			if end := c.WindowStart.Add(keys[i].Limit.Window); end.After(retry) {
				retry = end
			}
		}
	}
	return &ThrottledError{RetryAt: retry}
}

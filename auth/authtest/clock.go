package authtest

import (
	"sync"
	"time"
)

// Start is the time a [Kit]'s clock starts at unless [WithStart] says
// otherwise: a Monday morning, on a whole minute, so that TOTP steps of 30
// seconds begin on it.
var Start = time.Date(2026, time.November, 23, 9, 0, 0, 0, time.UTC)

// Clock is a clock that moves only when told to. Its Now method is the
// Config.Now of everything a Kit builds. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock reading t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d (backward, if d is negative) and
// returns the new time.
func (c *Clock) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	return c.now
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

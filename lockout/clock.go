package lockout

import "time"

// WithClock returns a Guard that shares g's store and policy and reads the
// time from now (time.Now when nil). An application with one clock gives
// it to every part: auth.New makes the Guard it is given follow its own
// Config.Now this way, so that locks are judged at the time its events
// record.
func (g *Guard) WithClock(now func() time.Time) *Guard {
	c := *g
	c.now = now
	if c.now == nil {
		c.now = time.Now
	}
	return &c
}

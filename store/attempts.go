package store

import (
	"context"
	"time"
)

// Attempts keeps attempt counters and locks: the hot state of lockout,
// shared by every instance of a portal.
//
// An attempt is charged before the work it guards (a password hash) runs,
// in the same atomic step that checks for a lock, and a success clears the
// charge afterwards. Checking first and counting after the hash would let
// every one of a thousand parallel requests pass the check before the first
// failure is counted; charging first means exactly Threshold of them are
// let through.
//
// # Leases
//
// A charge whose outcome never comes must not count for ever: a call that
// gave up waiting for a stalled store may have been applied with no one
// left to give it back, and a process may die mid-attempt. Under a limit
// with a Lease, a charge is in flight until its attempt fails
// (FailAttempt settles it into a failure) or is given back
// (ReleaseAttempts), and when the lease of the latest charge to a counter
// ends with charges still in flight, those are given back by themselves
// ([Settle]). A failure that comes after its charge was given back counts
// afresh, so a slow attempt is never a free guess. Under a limit without
// a Lease (a throttle, whose requests are never settled) charges are not
// tracked: they count until the window ends, and ReleaseAttempts takes
// back any.
//
// The state machine every implementation follows is [Settle],
// [TakeCounter], [FailCounter] and [ReleaseCounter]; memstore and sqlstore
// call them under a lock or in a row-locked transaction, redisstore
// mirrors them in a script, and storetest checks that they agree.
type Attempts interface {
	// TakeAttempt charges one attempt to every key, in one atomic step,
	// unless any key is locked at time at or has no attempts left in its
	// window: then it charges none. It returns whether the attempt was
	// allowed and every key's counter afterwards, in the order of keys.
	// Keys must be distinct; ErrInvalid for an empty key or a limit that
	// is not valid.
	TakeAttempt(ctx context.Context, at time.Time, keys []AttemptKey) (Take, error)
	// FailAttempt records that an attempt charged by TakeAttempt failed,
	// in one atomic step: under a limit with a Lease, it settles one of the
	// key's charges in flight into a failure, or, when none is in flight
	// (its lease ran out and it was given back), counts the failure
	// afresh, unless the key is locked. Then each key whose attempts have
	// reached its threshold, and that is not locked, becomes locked. It
	// returns every key's counter afterwards, in the order of keys.
	FailAttempt(ctx context.Context, at time.Time, keys []AttemptKey) ([]Counter, error)
	// ReleaseAttempts takes back one attempt charged by TakeAttempt from
	// each key that is not locked, in one atomic step: the attempt
	// succeeded on a counter that counts only failures (a client
	// address), or was never made (the hasher was busy). Under a limit
	// with a Lease it takes back only a charge still in flight, never a
	// failure already settled; without one, any attempt. A key's attempts
	// never go below zero; keys without a counter are skipped.
	ReleaseAttempts(ctx context.Context, at time.Time, keys []AttemptKey) error
	// ClearAttempts zeroes the attempts of the named keys (a success),
	// those in flight included (a failure that comes later counts
	// afresh), and, unless a key is locked for good, forgets its lock
	// count: the limits are on consecutive failures (NIST SP 800-63B
	// §3.2.2), so an owner who logs in between an attacker's rounds is not
	// pushed toward ever longer or permanent locks. A lock in force stays
	// until it ends. Keys without a counter are skipped.
	ClearAttempts(ctx context.Context, keys []string) error
	// Unlock ends a key's lock, a permanent one too, zeroes its attempts
	// and forgets its lock count (an operator's unlock, or a completed
	// password reset). It returns the counter as it was before, so the
	// caller can tell whether anything was locked; a key without a counter
	// returns a zero Counter with Key set.
	Unlock(ctx context.Context, key string) (Counter, error)
	// Counter returns a key's counter as of time at, settled under the
	// key's limit (a window or lock that has run out reads as over), or a
	// zero Counter with Key set when the key has none. It changes nothing.
	Counter(ctx context.Context, at time.Time, key AttemptKey) (Counter, error)
}

// Limit is the rule one counter follows.
type Limit struct {
	// Threshold is how many attempts a window allows; when that many have
	// failed, the key locks. 1 to 100 (NIST SP 800-63B §3.2.2).
	Threshold int
	// Window is how long a charged attempt counts: the window starts at the
	// first attempt charged to a fresh counter.
	Window time.Duration
	// LockBase is the length of the first lock; each further lock doubles
	// it, up to LockMax.
	LockBase, LockMax time.Duration
	// PermanentAfter, when above zero, makes the lock that follows that
	// many temporary locks permanent, until Unlock; [EveryLockPermanent]
	// (-1) makes every lock permanent; zero, none.
	PermanentAfter int
	// Forget is how long after its last attempt a key's lock count is
	// kept. At least Window and LockMax.
	Forget time.Duration
	// Lease, when above zero, is how long a charge stays in flight
	// without news of its attempt: when the lease of the latest charge
	// ends, the charges still in flight are given back (see Settle).
	// Zero means charges are not leased: they count until the window
	// ends, for counters whose attempts are never settled (a throttle).
	// Not negative.
	Lease time.Duration
}

// EveryLockPermanent, as Limit.PermanentAfter, makes every lock last until
// Unlock: a portal whose accounts stay locked until an operator unlocks
// them.
const EveryLockPermanent = -1

// Valid reports whether l is a limit a store may apply.
func (l Limit) Valid() bool {
	return l.Threshold >= 1 && l.Threshold <= 100 && l.Window > 0 && l.LockBase > 0 &&
		l.LockMax >= l.LockBase && l.PermanentAfter >= EveryLockPermanent && l.Forget >= l.Window && l.Forget >= l.LockMax &&
		l.Lease >= 0
}

// LockDuration returns how long the lock that follows locks earlier ones
// lasts: LockBase doubled per earlier lock, capped at LockMax.
func (l Limit) LockDuration(locks int) time.Duration {
	d := l.LockBase
	for range locks {
		if d >= l.LockMax/2 {
			return l.LockMax
		}
		d *= 2
	}
	return min(d, l.LockMax)
}

// AttemptKey names a counter and the limit it follows.
type AttemptKey struct {
	Key   string
	Limit Limit
}

// Counter is the state of one key.
type Counter struct {
	Key string
	// Attempts is how many attempts are charged in the current window,
	// those still in flight included.
	Attempts int
	// InFlight is how many of Attempts are charges under a lease whose
	// attempts have not yet failed or been given back; at most Attempts.
	InFlight int
	// LeaseUntil is when the lease of the latest charge in flight ends,
	// and with it every charge still in flight; zero when none is.
	LeaseUntil time.Time
	// WindowStart is when the current window began; zero when none has.
	WindowStart time.Time
	// LockedUntil is when the current lock ends; zero when not locked.
	LockedUntil time.Time
	// Permanent means locked until Unlock.
	Permanent bool
	// Locks is how many times the key has been locked since its history
	// was last forgotten or unlocked.
	Locks int
	// LastAttempt is when the last attempt was charged.
	LastAttempt time.Time
}

// Locked reports whether c is locked at time at.
func (c Counter) Locked(at time.Time) bool {
	return c.Permanent || (!c.LockedUntil.IsZero() && at.Before(c.LockedUntil))
}

// Take is what TakeAttempt decided.
//
// An error from a store that is reached over a network does not prove that
// nothing was charged: a call cancelled in flight may have been applied.
// Callers treat such an attempt as charged and refused; under a limit with
// a Lease the charge, if it landed, is given back when its lease ends.
type Take struct {
	// Allowed means the attempt was charged to every key and may run.
	Allowed bool
	// Counters holds every key's counter afterwards, in the order asked.
	Counters []Counter
}

// Settle returns c as it stands at time at under l: the charges in flight
// when their lease has ended are given back, a lock that has ended and a
// window that has run out are over (and with them any charge in flight),
// and a history idle for l.Forget is forgotten. Stores call it on every
// counter they read.
//
// The lease is the counter's, not each charge's: every charge extends it,
// and all the charges in flight are given back at its end, never before
// the latest one's lease is over.
func Settle(c Counter, l Limit, at time.Time) Counter {
	if c.Permanent {
		return c
	}
	if c.InFlight > 0 && !at.Before(c.LeaseUntil) {
		c.Attempts = max(c.Attempts-c.InFlight, 0)
		c.InFlight, c.LeaseUntil = 0, time.Time{}
		if c.Attempts == 0 {
			c.WindowStart = time.Time{}
		}
	}
	if !c.LockedUntil.IsZero() && !at.Before(c.LockedUntil) {
		c.LockedUntil, c.Attempts, c.WindowStart, c.InFlight, c.LeaseUntil = time.Time{}, 0, time.Time{}, 0, time.Time{}
	}
	if c.LockedUntil.IsZero() && !c.WindowStart.IsZero() && at.Sub(c.WindowStart) >= l.Window {
		c.Attempts, c.WindowStart, c.InFlight, c.LeaseUntil = 0, time.Time{}, 0, time.Time{}
	}
	if c.LockedUntil.IsZero() && !c.LastAttempt.IsZero() && at.Sub(c.LastAttempt) >= l.Forget {
		c = Counter{Key: c.Key}
	}
	return c
}

// TakeCounter is the state machine of TakeAttempt for one key: it returns
// the settled counter and whether it allows one more attempt, and, if it
// does, the counter with the attempt charged, in flight under l's Lease.
// A store charges every key only when every key allows it.
func TakeCounter(c Counter, l Limit, at time.Time) (settled, charged Counter, allowed bool) {
	c = Settle(c, l, at)
	if c.Locked(at) || c.Attempts >= l.Threshold {
		return c, c, false
	}
	charged = c
	if charged.WindowStart.IsZero() {
		charged.WindowStart = at
	}
	charged.Attempts++
	charged.LastAttempt = at
	if l.Lease > 0 {
		charged.InFlight++
		if end := at.Add(l.Lease); end.After(charged.LeaseUntil) {
			charged.LeaseUntil = end
		}
	}
	return c, charged, true
}

// FailCounter is the state machine of FailAttempt for one key. A locked
// counter does not change: a failure while locked is not counted and does
// not extend the lock.
func FailCounter(c Counter, l Limit, at time.Time) Counter {
	c = Settle(c, l, at)
	if c.Locked(at) {
		return c
	}
	switch {
	case c.InFlight > 0:
		c = settleOne(c)
	case l.Lease > 0:
		// The charge was given back (its lease ran out, or its window or
		// a success ended it): the failure counts all the same.
		if c.WindowStart.IsZero() {
			c.WindowStart = at
		}
		c.Attempts++
		c.LastAttempt = at
	}
	if c.Attempts < l.Threshold {
		return c
	}
	if l.PermanentAfter == EveryLockPermanent || (l.PermanentAfter > 0 && c.Locks >= l.PermanentAfter) {
		c.Permanent = true
	} else {
		c.LockedUntil = at.Add(l.LockDuration(c.Locks))
	}
	c.Locks++
	// The charges still in flight no longer matter: while the key is
	// locked their outcomes change nothing, and the lock's end starts
	// afresh.
	c.InFlight, c.LeaseUntil = 0, time.Time{}
	return c
}

// settleOne takes one charge of c out of flight.
func settleOne(c Counter) Counter {
	c.InFlight--
	if c.InFlight == 0 {
		c.LeaseUntil = time.Time{}
	}
	return c
}

// ReleaseCounter is the state machine of ReleaseAttempts for one key.
func ReleaseCounter(c Counter, l Limit, at time.Time) Counter {
	c = Settle(c, l, at)
	if c.Locked(at) || c.Attempts == 0 {
		return c
	}
	switch {
	case c.InFlight > 0:
		c = settleOne(c)
	case l.Lease > 0:
		// Nothing in flight: what is left are failures, which a release
		// never takes back.
		return c
	}
	c.Attempts--
	if c.Attempts == 0 {
		c.WindowStart = time.Time{}
		if c.Locks == 0 {
			// Nothing is left to remember: the counter goes, so attempts
			// given back (a busy hasher) do not keep made-up usernames'
			// counters for a day.
			return Counter{Key: c.Key}
		}
	}
	return c
}

// CheckAttemptKeys returns ErrInvalid, wrapped with the reason, when keys is
// not a list TakeAttempt or FailAttempt may apply, for implementations.
func CheckAttemptKeys(keys []AttemptKey) error {
	if len(keys) == 0 {
		return invalid("no attempt keys")
	}
	for i, k := range keys {
		if k.Key == "" {
			return invalid("empty attempt key")
		}
		if !k.Limit.Valid() {
			return invalid("attempt limit is not valid")
		}
		for _, j := range keys[:i] {
			if j.Key == k.Key {
				return invalid("attempt key given twice")
			}
		}
	}
	return nil
}

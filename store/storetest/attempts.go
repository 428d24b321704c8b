package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func attemptClauses() []clause {
	return []clause{
		{"TakeFailLock", testTakeFailLock},
		{"LockBoundary", testLockBoundary},
		{"Escalation", testEscalation},
		{"Permanent", testPermanentLock},
		{"EveryLockPermanent", testEveryLockPermanent},
		{"WindowExpires", testWindowExpires},
		{"ClearForgetsHistory", testClearForgetsHistory},
		{"Unlock", testUnlock},
		{"Release", testRelease},
		{"AllOrNothing", testAllOrNothing},
		{"FailWhileLockedDoesNotExtend", testFailWhileLocked},
		{"Forget", testForget},
		{"Invalid", testAttemptsInvalid},
		{"ConcurrentTake", testConcurrentTake},
		{"CanceledContext", testAttemptsCanceled},
		{"LeasedTakeFailLock", testLeasedTakeFailLock},
		{"LeaseExpiryGivesBack", testLeaseExpiry},
		{"FailAfterLeaseCounts", testFailAfterLease},
		{"ReleaseAfterLeaseChangesNothing", testReleaseAfterLease},
		{"ClearEndsFlight", testClearEndsFlight},
		{"UnleasedAsBefore", testUnleased},
	}
}

var testLimit = store.Limit{
	Threshold: 3,
	Window:    15 * time.Minute,
	LockBase:  15 * time.Minute,
	LockMax:   time.Hour,
	Forget:    24 * time.Hour,
}

// leaseLimit is testLimit with charges leased for 10 seconds, as lockout
// leases a login's.
var leaseLimit = func() store.Limit {
	l := testLimit
	l.Lease = 10 * time.Second
	return l
}()

func key(l store.Limit) store.AttemptKey {
	return store.AttemptKey{Key: newID("pw|a|realm|"), Limit: l}
}

// failN takes and fails n attempts on keys at time at, requiring each to be
// allowed, and returns the counters after the last.
func failN(t *testing.T, s store.Attempts, at time.Time, n int, keys ...store.AttemptKey) []store.Counter {
	t.Helper()
	var out []store.Counter
	for i := range n {
		tk, err := s.TakeAttempt(ctx(t), at, keys)
		noErr(t, err, "TakeAttempt")
		if !tk.Allowed {
			t.Fatalf("attempt %d of %d refused: %+v", i+1, n, tk.Counters)
		}
		out, err = s.FailAttempt(ctx(t), at, keys)
		noErr(t, err, "FailAttempt")
	}
	return out
}

func refused(t *testing.T, s store.Attempts, at time.Time, keys ...store.AttemptKey) store.Take {
	t.Helper()
	tk, err := s.TakeAttempt(ctx(t), at, keys)
	noErr(t, err, "TakeAttempt")
	if tk.Allowed {
		t.Fatalf("attempt at %v allowed, want refused: %+v", at, tk.Counters)
	}
	return tk
}

func testTakeFailLock(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	tk, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt")
	equal(t, tk, store.Take{Allowed: true, Counters: []store.Counter{{Key: k.Key, Attempts: 1, WindowStart: at, LastAttempt: at}}}, "first take")
	c, err := s.FailAttempt(ctx(t), at, []store.AttemptKey{k})
	noErr(t, err, "FailAttempt")
	equal(t, c[0].LockedUntil, time.Time{}, "locked after one failure of three")

	cs := failN(t, s, at.Add(time.Second), 2, k)
	want := store.Counter{Key: k.Key, Attempts: 3, WindowStart: at, LockedUntil: at.Add(time.Second + 15*time.Minute), Locks: 1, LastAttempt: at.Add(time.Second)}
	equal(t, cs[0], want, "counter after the third failure")

	tk = refused(t, s, at.Add(time.Minute), k)
	equal(t, tk.Counters[0], want, "a refused attempt charges nothing")
	got, err := s.Counter(ctx(t), at.Add(time.Minute), k)
	noErr(t, err, "Counter")
	equal(t, got, want, "Counter")
}

// testLockBoundary is matrix case 3: denied at end − 1 s, allowed at end.
func testLockBoundary(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	cs := failN(t, s, at, 3, k)
	end := cs[0].LockedUntil
	refused(t, s, end.Add(-time.Second), k)
	refused(t, s, end.Add(-time.Microsecond), k)
	tk, err := s.TakeAttempt(ctx(t), end, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt at the lock's end")
	if !tk.Allowed || tk.Counters[0].Attempts != 1 || tk.Counters[0].Locks != 1 {
		t.Fatalf("at the lock's end: %+v, want allowed with a fresh window and the lock remembered", tk)
	}
}

func testEscalation(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	now := at
	for i, want := range []time.Duration{15 * time.Minute, 30 * time.Minute, time.Hour, time.Hour} {
		cs := failN(t, s, now, 3, k)
		if got := cs[0].LockedUntil.Sub(now); got != want {
			t.Fatalf("lock %d lasts %v, want %v", i+1, got, want)
		}
		equal(t, cs[0].Locks, i+1, "lock count")
		now = cs[0].LockedUntil
	}
}

func testPermanentLock(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	l := testLimit
	l.PermanentAfter = 2
	k := key(l)
	now := at
	for range 2 {
		cs := failN(t, s, now, 3, k)
		if cs[0].Permanent {
			t.Fatal("a temporary lock is permanent")
		}
		now = cs[0].LockedUntil
	}
	cs := failN(t, s, now, 3, k)
	if !cs[0].Permanent || !cs[0].LockedUntil.IsZero() {
		t.Fatalf("third lock after two temporary ones: %+v, want permanent", cs[0])
	}
	refused(t, s, now.Add(365*24*time.Hour), k)
	before, err := s.Unlock(ctx(t), k.Key)
	noErr(t, err, "Unlock")
	if !before.Permanent {
		t.Fatalf("Unlock returned %+v, want the permanent lock it ended", before)
	}
	failN(t, s, now.Add(time.Hour), 1, k)
}

// testEveryLockPermanent: with PermanentAfter EveryLockPermanent, the
// first lock already lasts until Unlock; a ClearAttempts (a success
// somewhere) does not end it.
func testEveryLockPermanent(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	l := testLimit
	l.PermanentAfter = store.EveryLockPermanent
	k := key(l)
	cs := failN(t, s, at, 3, k)
	if !cs[0].Permanent || !cs[0].LockedUntil.IsZero() {
		t.Fatalf("first lock: %+v, want permanent", cs[0])
	}
	refused(t, s, at.Add(10*365*24*time.Hour), k)
	noErr(t, s.ClearAttempts(ctx(t), []string{k.Key}), "ClearAttempts")
	refused(t, s, at.Add(time.Hour), k)
	before, err := s.Unlock(ctx(t), k.Key)
	noErr(t, err, "Unlock")
	if !before.Permanent {
		t.Fatalf("Unlock returned %+v, want the permanent lock it ended", before)
	}
	failN(t, s, at.Add(time.Hour), 1, k)
}

func testWindowExpires(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	failN(t, s, at, 2, k)
	// The window runs from the first attempt: at its end both failures are
	// forgotten, and three more are needed to lock.
	cs := failN(t, s, at.Add(testLimit.Window), 2, k)
	equal(t, cs[0].Attempts, 2, "attempts in the new window")
	equal(t, cs[0].LockedUntil, time.Time{}, "lock")
	equal(t, cs[0].WindowStart, at.Add(testLimit.Window), "window start")
}

// testClearForgetsHistory: a success zeroes the attempts and forgets the
// lock count (limits are on consecutive failures), so the next lock is the
// first length again; a lock in force stays, and a permanent one keeps its
// count.
func testClearForgetsHistory(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	cs := failN(t, s, at, 3, k)
	now := cs[0].LockedUntil
	failN(t, s, now, 2, k)
	noErr(t, s.ClearAttempts(ctx(t), []string{k.Key, newID("never-used-")}), "ClearAttempts")
	got, err := s.Counter(ctx(t), now, k)
	noErr(t, err, "Counter")
	if got.Attempts != 0 || got.Locks != 0 {
		t.Fatalf("after clear: %+v, want no attempts and no lock count", got)
	}
	cs = failN(t, s, now, 3, k)
	equal(t, cs[0].LockedUntil, now.Add(testLimit.LockBase), "the lock after a success is the first length")

	// Clearing a locked key leaves the lock in force.
	noErr(t, s.ClearAttempts(ctx(t), []string{k.Key}), "ClearAttempts")
	refused(t, s, now.Add(time.Minute), k)

	// A permanent lock keeps its count.
	l := testLimit
	l.PermanentAfter = 1
	p := key(l)
	cs = failN(t, s, at, 3, p)
	failN(t, s, cs[0].LockedUntil, 3, p)
	noErr(t, s.ClearAttempts(ctx(t), []string{p.Key}), "ClearAttempts on a permanent lock")
	got, err = s.Counter(ctx(t), at.Add(48*time.Hour), p)
	noErr(t, err, "Counter")
	if !got.Permanent || got.Locks != 2 {
		t.Fatalf("a permanent lock after clear: %+v, want it kept with its count", got)
	}
}

func testUnlock(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	cs := failN(t, s, at, 3, k)
	before, err := s.Unlock(ctx(t), k.Key)
	noErr(t, err, "Unlock")
	equal(t, before, cs[0], "Unlock returns the counter before")
	tk, err := s.TakeAttempt(ctx(t), at.Add(time.Second), []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt")
	if !tk.Allowed || tk.Counters[0].Locks != 0 {
		t.Fatalf("after Unlock: %+v, want allowed and the lock count forgotten", tk)
	}
	unknown := newID("never-used-")
	before, err = s.Unlock(ctx(t), unknown)
	noErr(t, err, "Unlock(unknown)")
	equal(t, before, store.Counter{Key: unknown}, "Unlock(unknown)")
}

// testAllOrNothing: a locked address must not be able to charge, and so
// lock, the accounts it keeps trying.
func testAllOrNothing(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	addr, acct := key(testLimit), key(testLimit)
	failN(t, s, at, 3, addr)
	tk := refused(t, s, at.Add(time.Second), acct, addr)
	equal(t, tk.Counters[0], store.Counter{Key: acct.Key}, "the account's counter")
	got, err := s.Counter(ctx(t), at.Add(time.Second), acct)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: acct.Key}, "the account was charged")
}

func testFailWhileLocked(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	cs := failN(t, s, at, 3, k)
	// Late failures of attempts charged before the lock (they ran in
	// parallel) change nothing.
	for i := range 5 {
		got, err := s.FailAttempt(ctx(t), at.Add(time.Duration(i+1)*time.Minute), []store.AttemptKey{k})
		noErr(t, err, "FailAttempt while locked")
		equal(t, got[0], cs[0], "counter after a failure while locked")
	}
}

func testForget(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	cs := failN(t, s, at, 3, k)
	later := cs[0].LastAttempt.Add(testLimit.Forget)
	got, err := s.Counter(ctx(t), later.Add(-time.Second), k)
	noErr(t, err, "Counter")
	equal(t, got.Locks, 1, "lock count before Forget")
	got, err = s.Counter(ctx(t), later, k)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: k.Key}, "counter after Forget")
	cs = failN(t, s, later, 3, k)
	equal(t, cs[0].LockedUntil, later.Add(testLimit.LockBase), "the first lock again")
}

func testAttemptsInvalid(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	bad := testLimit
	bad.Threshold = 101
	negative := leaseLimit
	negative.Lease = -time.Second
	for name, keys := range map[string][]store.AttemptKey{
		"no keys":        nil,
		"empty key":      {{Limit: testLimit}},
		"threshold 101":  {{Key: k.Key, Limit: bad}},
		"zero limit":     {{Key: k.Key}},
		"twice":          {k, k},
		"negative lease": {{Key: k.Key, Limit: negative}},
	} {
		_, err := s.TakeAttempt(ctx(t), at, keys)
		isErr(t, err, store.ErrInvalid, "TakeAttempt: "+name)
		_, err = s.FailAttempt(ctx(t), at, keys)
		isErr(t, err, store.ErrInvalid, "FailAttempt: "+name)
	}
	got, err := s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: k.Key}, "counter after invalid calls")
}

// testConcurrentTake is matrix case 1 at the store: of 1,000 parallel
// attempts at a threshold of 5, exactly 5 are let through, and their
// failures lock the key once; with charges leased or not.
func testConcurrentTake(t *testing.T, open Opener) {
	for _, lease := range []time.Duration{0, leaseLimit.Lease} {
		t.Run("lease="+lease.String(), func(t *testing.T) { concurrentTake(t, open, lease) })
	}
}

func concurrentTake(t *testing.T, open Opener, lease time.Duration) {
	s := as[store.Attempts](t, open)
	l := testLimit
	l.Threshold = 5
	l.Lease = lease
	k := key(l)
	addr := key(store.Limit{Threshold: 100, Window: time.Hour, LockBase: time.Minute, LockMax: time.Hour, Forget: time.Hour, Lease: lease})
	const n = 1000
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		allowed int
		first   error
	)
	sem := make(chan struct{}, 50)
	for range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			tk, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k, addr})
			if err == nil && tk.Allowed {
				_, err = s.FailAttempt(ctx(t), at, []store.AttemptKey{k, addr})
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			if err == nil && tk.Allowed {
				allowed++
			}
		})
	}
	wg.Wait()
	noErr(t, first, "parallel attempts")
	if allowed != 5 {
		t.Fatalf("%d of %d parallel attempts were let through, want exactly 5", allowed, n)
	}
	c, err := s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	if c.Locks != 1 || !c.Locked(at) || c.Attempts != 5 || c.InFlight != 0 {
		t.Fatalf("after the parallel attempts: %+v, want 5 attempts, none in flight, and one lock", c)
	}
	c, err = s.Counter(ctx(t), at, addr)
	noErr(t, err, "Counter(addr)")
	equal(t, c.Attempts, 5, "the address's attempts")
	equal(t, c.InFlight, 0, "the address's attempts in flight")
}

func testAttemptsCanceled(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	c, cancel := contextWithCancel(t)
	cancel()
	if _, err := s.TakeAttempt(c, at, []store.AttemptKey{k}); err == nil {
		t.Fatal("TakeAttempt with a canceled context succeeded")
	}
	got, err := s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: k.Key}, "charged under a canceled context")
}

// testRelease: a success on a counter that counts only failures (a client
// address) gives its charge back, so fifty good logins from one office's
// address lock nothing.
func testRelease(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(testLimit)
	for i := range 50 {
		tk, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
		noErr(t, err, "TakeAttempt")
		if !tk.Allowed {
			t.Fatalf("attempt %d refused though every earlier one was released", i+1)
		}
		noErr(t, s.ReleaseAttempts(ctx(t), at, []store.AttemptKey{k, key(testLimit)}), "ReleaseAttempts")
	}
	got, err := s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	if got.Attempts != 0 || !got.WindowStart.IsZero() {
		t.Fatalf("after releasing every attempt: %+v, want none charged and no window", got)
	}
	// Never below zero.
	noErr(t, s.ReleaseAttempts(ctx(t), at, []store.AttemptKey{k}), "ReleaseAttempts with nothing charged")
	failN(t, s, at, 2, k)
	got, err = s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	equal(t, got.Attempts, 2, "attempts after two failures")
	// A locked key keeps its count.
	cs := failN(t, s, at, 1, k)
	noErr(t, s.ReleaseAttempts(ctx(t), at, []store.AttemptKey{k}), "ReleaseAttempts on a locked key")
	got, err = s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	equal(t, got, cs[0], "a locked counter after a release")
	_, err = s.TakeAttempt(ctx(t), at, nil)
	isErr(t, err, store.ErrInvalid, "no keys")
	isErr(t, s.ReleaseAttempts(ctx(t), at, nil), store.ErrInvalid, "ReleaseAttempts without keys")
}

// testLeasedTakeFailLock: under a lease, a charge is in flight until its
// failure settles it, and the lease ends with the last charge in flight.
func testLeasedTakeFailLock(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(leaseLimit)
	lease := leaseLimit.Lease
	tk, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt")
	equal(t, tk, store.Take{Allowed: true, Counters: []store.Counter{{Key: k.Key, Attempts: 1, InFlight: 1, LeaseUntil: at.Add(lease), WindowStart: at, LastAttempt: at}}}, "first take")
	later := at.Add(time.Second)
	tk, err = s.TakeAttempt(ctx(t), later, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt")
	equal(t, tk.Counters[0], store.Counter{Key: k.Key, Attempts: 2, InFlight: 2, LeaseUntil: later.Add(lease), WindowStart: at, LastAttempt: later}, "a second charge extends the lease")
	cs, err := s.FailAttempt(ctx(t), later, []store.AttemptKey{k})
	noErr(t, err, "FailAttempt")
	equal(t, cs[0], store.Counter{Key: k.Key, Attempts: 2, InFlight: 1, LeaseUntil: later.Add(lease), WindowStart: at, LastAttempt: later}, "a failure settles one charge")
	cs, err = s.FailAttempt(ctx(t), later, []store.AttemptKey{k})
	noErr(t, err, "FailAttempt")
	equal(t, cs[0], store.Counter{Key: k.Key, Attempts: 2, WindowStart: at, LastAttempt: later}, "the last charge in flight settled")
	got, err := s.Counter(ctx(t), later.Add(time.Hour-time.Minute), k)
	noErr(t, err, "Counter")
	equal(t, got.Attempts, 0, "attempts once the window is over")

	k = key(leaseLimit)
	cs = failN(t, s, at, 3, k)
	want := store.Counter{Key: k.Key, Attempts: 3, WindowStart: at, LockedUntil: at.Add(15 * time.Minute), Locks: 1, LastAttempt: at}
	equal(t, cs[0], want, "counter after the third failure")
	refused(t, s, at.Add(lease), k)
	got, err = s.Counter(ctx(t), at.Add(time.Minute), k)
	noErr(t, err, "Counter")
	equal(t, got, want, "the lock after the lease")
}

// testLeaseExpiry: charges whose outcome never comes (the reply was lost,
// the process died) are given back when the lease of the latest one ends,
// and not a moment before.
func testLeaseExpiry(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(leaseLimit)
	lease := leaseLimit.Lease
	var last time.Time
	for i := range 3 {
		last = at.Add(time.Duration(i) * time.Second)
		tk, err := s.TakeAttempt(ctx(t), last, []store.AttemptKey{k})
		noErr(t, err, "TakeAttempt")
		if !tk.Allowed {
			t.Fatalf("charge %d refused: %+v", i+1, tk.Counters)
		}
	}
	inFlight := store.Counter{Key: k.Key, Attempts: 3, InFlight: 3, LeaseUntil: last.Add(lease), WindowStart: at, LastAttempt: last}
	tk := refused(t, s, at.Add(lease), k)
	equal(t, tk.Counters[0], inFlight, "at the first charge's lease end")
	tk = refused(t, s, last.Add(lease-time.Microsecond), k)
	equal(t, tk.Counters[0], inFlight, "a moment before the lease ends")
	got, err := s.Counter(ctx(t), last.Add(lease), k)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: k.Key, LastAttempt: last}, "at the lease's end")
	end := last.Add(lease)
	tk, err = s.TakeAttempt(ctx(t), end, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt at the lease's end")
	equal(t, tk, store.Take{Allowed: true, Counters: []store.Counter{{Key: k.Key, Attempts: 1, InFlight: 1, LeaseUntil: end.Add(lease), WindowStart: end, LastAttempt: end}}}, "a charge at the lease's end")

	// Charges given back among failures: only the charges go.
	k = key(leaseLimit)
	failN(t, s, at, 1, k)
	for range 2 {
		_, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
		noErr(t, err, "TakeAttempt")
	}
	refused(t, s, at.Add(time.Second), k)
	got, err = s.Counter(ctx(t), at.Add(lease), k)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: k.Key, Attempts: 1, WindowStart: at, LastAttempt: at}, "the failure stays")
}

// testFailAfterLease: a failure whose charge was given back when its lease
// ran out counts all the same, so a slow attempt is never a free guess;
// and failures that come after fresh charges were made lock the key.
func testFailAfterLease(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(leaseLimit)
	lease := leaseLimit.Lease
	_, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt")
	late := at.Add(lease + time.Second)
	cs, err := s.FailAttempt(ctx(t), late, []store.AttemptKey{k})
	noErr(t, err, "FailAttempt after the lease")
	equal(t, cs[0], store.Counter{Key: k.Key, Attempts: 1, WindowStart: late, LastAttempt: late}, "a failure after its lease")
	cs = failN(t, s, late, 2, k)
	if !cs[0].Locked(late) || cs[0].Attempts != 3 {
		t.Fatalf("after three failures, one of them late: %+v, want locked", cs[0])
	}

	// Three slow attempts outlive their lease, three more are charged, and
	// the slow ones' failures lock the key: a lease shorter than a login
	// lets more attempts run at once, never more guesses go uncounted.
	k = key(leaseLimit)
	for range 3 {
		_, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
		noErr(t, err, "TakeAttempt")
	}
	end := at.Add(lease)
	for range 3 {
		tk, err := s.TakeAttempt(ctx(t), end, []store.AttemptKey{k})
		noErr(t, err, "TakeAttempt after the lease")
		if !tk.Allowed {
			t.Fatalf("a charge after the lease refused: %+v", tk.Counters)
		}
	}
	cs, err = s.FailAttempt(ctx(t), end, []store.AttemptKey{k})
	noErr(t, err, "FailAttempt")
	if !cs[0].Locked(end) || cs[0].Attempts != 3 || cs[0].InFlight != 0 {
		t.Fatalf("a slow attempt's failure among three new charges: %+v, want locked", cs[0])
	}

	// A failure while locked is not counted, whatever its lease.
	got, err := s.FailAttempt(ctx(t), end.Add(2*lease), []store.AttemptKey{k})
	noErr(t, err, "FailAttempt while locked")
	equal(t, got[0], cs[0], "a failure while locked")
}

// testReleaseAfterLease: a release takes back only a charge still in
// flight; once the lease has given it back, or a failure has settled it,
// a release changes nothing.
func testReleaseAfterLease(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(leaseLimit)
	lease := leaseLimit.Lease
	failN(t, s, at, 2, k)
	_, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt")
	noErr(t, s.ReleaseAttempts(ctx(t), at, []store.AttemptKey{k}), "ReleaseAttempts in flight")
	got, err := s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	settled := store.Counter{Key: k.Key, Attempts: 2, WindowStart: at, LastAttempt: at}
	equal(t, got, settled, "a release in flight")
	noErr(t, s.ReleaseAttempts(ctx(t), at, []store.AttemptKey{k}), "ReleaseAttempts of a failure")
	got, err = s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	equal(t, got, settled, "a release of nothing in flight")

	_, err = s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt")
	late := at.Add(lease)
	noErr(t, s.ReleaseAttempts(ctx(t), late, []store.AttemptKey{k}), "ReleaseAttempts after the lease")
	got, err = s.Counter(ctx(t), late, k)
	noErr(t, err, "Counter")
	equal(t, got, settled, "a release after the lease")
}

// testClearEndsFlight: a success clears the charges in flight with the
// rest; a failure that comes after it counts afresh.
func testClearEndsFlight(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	k := key(leaseLimit)
	for range 2 {
		_, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
		noErr(t, err, "TakeAttempt")
	}
	noErr(t, s.ClearAttempts(ctx(t), []string{k.Key}), "ClearAttempts")
	got, err := s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: k.Key, LastAttempt: at}, "after clear")
	cs, err := s.FailAttempt(ctx(t), at.Add(time.Second), []store.AttemptKey{k})
	noErr(t, err, "FailAttempt")
	equal(t, cs[0], store.Counter{Key: k.Key, Attempts: 1, WindowStart: at.Add(time.Second), LastAttempt: at.Add(time.Second)}, "a failure after clear")
}

// testUnleased: a limit without a lease (a throttle's) tracks nothing in
// flight, keeps its charges until the window ends, and lets a release take
// back any attempt, as before leases.
func testUnleased(t *testing.T, open Opener) {
	s := as[store.Attempts](t, open)
	l := store.Limit{Threshold: 3, Window: time.Hour, LockBase: time.Hour, LockMax: time.Hour, Forget: time.Hour}
	k := key(l)
	for i := range 3 {
		tk, err := s.TakeAttempt(ctx(t), at, []store.AttemptKey{k})
		noErr(t, err, "TakeAttempt")
		equal(t, tk, store.Take{Allowed: true, Counters: []store.Counter{{Key: k.Key, Attempts: i + 1, WindowStart: at, LastAttempt: at}}}, "an unleased charge")
	}
	refused(t, s, at.Add(time.Hour-time.Microsecond), k)
	tk, err := s.TakeAttempt(ctx(t), at.Add(time.Hour), []store.AttemptKey{k})
	noErr(t, err, "TakeAttempt at the window's end")
	if !tk.Allowed || tk.Counters[0].Attempts != 1 {
		t.Fatalf("at the window's end: %+v, want allowed afresh", tk)
	}

	k = key(l)
	failN(t, s, at, 2, k)
	noErr(t, s.ReleaseAttempts(ctx(t), at, []store.AttemptKey{k}), "ReleaseAttempts")
	got, err := s.Counter(ctx(t), at, k)
	noErr(t, err, "Counter")
	equal(t, got, store.Counter{Key: k.Key, Attempts: 1, WindowStart: at, LastAttempt: at}, "an unleased release takes back a failure")
	// A late failure is not counted afresh: without a lease nothing tells
	// it from the charge it settles.
	cs, err := s.FailAttempt(ctx(t), at.Add(time.Hour), []store.AttemptKey{k})
	noErr(t, err, "FailAttempt")
	equal(t, cs[0].Attempts, 0, "an unleased failure after the window")
}

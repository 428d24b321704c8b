package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Copies of accounts in sessions (store.AccountCopies) need no account
// store: the clauses keep the accounts themselves, as the caller reads
// them from its account store.

func accountCopyClauses() []clause {
	return []clause{
		{"NoCopyUntilKept", testNoCopyUntilKept},
		{"KeepAndRead", testKeepCopy},
		{"KeepRefused", testKeepCopyRefused},
		{"WriteDropsEveryCopy", testWriteDropsCopies},
		{"OverlappingWrites", testOverlappingWrites},
		{"ConcurrentWritesAndLoads", testCopiesRace},
		{"CanceledContext", testCopiesCanceled},
	}
}

// copySessions is what the AccountCopies clauses need.
type copySessions interface {
	store.Sessions
	store.AccountCopies
}

// asCopies returns the store, and skips the test unless it keeps copies.
func asCopies(t *testing.T, open Opener) copySessions {
	t.Helper()
	s := as[copySessions](t, open)
	if s.CopyFor() <= 0 {
		t.Skipf("%T keeps no copies (CopyFor is %v)", s, s.CopyFor())
	}
	if s.CopyStore() != store.AccountCopies(s) {
		t.Fatalf("%T's CopyStore is %T, not the store itself", s, s.CopyStore())
	}
	return s
}

// withSessions returns a new account and n sessions of it, begun.
func withSessions(t *testing.T, s store.Sessions, n int) (store.Account, []store.Session) {
	t.Helper()
	a := account(newID("realm-"), "198503302010011001")
	a.Email, a.Phone = "budi@example.id", "+6281234567890"
	a.Profile = map[string]string{"instansi": "BKN", "nip": "198503302010011001"}
	ss := make([]store.Session, n)
	for i := range ss {
		ss[i] = session(a.ID)
		ss[i].Realm, ss[i].Stamp = a.Realm, a.SecurityStamp
		begin(t, s, ss[i])
	}
	return a, ss
}

// keep keeps a copy of a in the session with the selector, with the
// account's generation as it is now, and checks that it was kept.
func keep(t *testing.T, s store.AccountCopies, selector string, a store.Account, when time.Time) {
	t.Helper()
	gen, err := s.CopyGeneration(ctx(t), a.ID)
	noErr(t, err, "CopyGeneration")
	kept, err := s.KeepCopy(ctx(t), selector, a, gen, when)
	noErr(t, err, "KeepCopy")
	equal(t, kept, true, "KeepCopy kept the copy")
}

// copyOf reads the session with the selector and its copy, which must be
// live at time when.
func copyOf(t *testing.T, s store.AccountCopies, selector string, when time.Time) (store.Account, bool) {
	t.Helper()
	_, a, ok, err := s.SessionCopy(ctx(t), selector, when)
	noErr(t, err, "SessionCopy")
	return a, ok
}

// testNoCopyUntilKept: a session holds no copy until one is kept;
// SessionCopy reads the session as Session does, and finds no session
// that is unknown or dead at the time.
func testNoCopyUntilKept(t *testing.T, open Opener) {
	s := asCopies(t, open)
	_, ss := withSessions(t, s, 1)
	x := ss[0]
	when := at.Add(time.Minute)
	got, _, ok, err := s.SessionCopy(ctx(t), x.Selector, when)
	noErr(t, err, "SessionCopy")
	equal(t, ok, false, "a copy in a new session")
	equal(t, readSession(t, got), sessionAt(t, s, x.Selector, when), "SessionCopy's session")
	_, _, _, err = s.SessionCopy(ctx(t), newID("session-"), when)
	isErr(t, err, store.ErrNotFound, "SessionCopy(unknown)")
	_, _, _, err = s.SessionCopy(ctx(t), x.Selector, x.IdleUntil)
	isErr(t, err, store.ErrNotFound, "SessionCopy of a session idle at the time")
}

// testKeepCopy: a kept copy reads back as it was given, every field (a
// profile, none, an empty one), until CopyFor after it was kept; the
// session reads as before.
func testKeepCopy(t *testing.T, open Opener) {
	s := asCopies(t, open)
	a, ss := withSessions(t, s, 3)
	when := at.Add(time.Minute)
	none, empty := a, a
	none.Profile, empty.Profile = nil, map[string]string{}
	for i, want := range []store.Account{a, none, empty} {
		keep(t, s, ss[i].Selector, want, when)
		got, ok := copyOf(t, s, ss[i].Selector, when)
		equal(t, ok, true, "a kept copy is there")
		equal(t, got, want, fmt.Sprintf("the copy kept (%d)", i))
		sess, _, _, err := s.SessionCopy(ctx(t), ss[i].Selector, when)
		noErr(t, err, "SessionCopy")
		equal(t, readSession(t, sess), sessionAt(t, s, ss[i].Selector, when), "the session beside its copy")
	}
	until := when.Add(s.CopyFor())
	if until.Before(ss[0].IdleUntil) {
		_, ok := copyOf(t, s, ss[0].Selector, until.Add(-time.Microsecond))
		equal(t, ok, true, "a copy a microsecond before it lapses")
		_, ok = copyOf(t, s, ss[0].Selector, until)
		equal(t, ok, false, "a copy at the time it lapses")
	}
	// A copy kept by a clock ahead of the reader's is as none.
	ahead := when.Add(time.Second)
	keep(t, s, ss[1].Selector, a, ahead)
	_, ok := copyOf(t, s, ss[1].Selector, when)
	equal(t, ok, false, "a copy kept a second after the time read at")
	_, ok = copyOf(t, s, ss[1].Selector, ahead)
	equal(t, ok, true, "a copy at the time it was kept")
	// A later keep replaces the copy.
	b := a
	b.Email, b.UpdatedAt = "budi.santoso@example.id", at.Add(time.Second)
	keep(t, s, ss[0].Selector, b, when)
	got, _ := copyOf(t, s, ss[0].Selector, when)
	equal(t, got, b, "the copy kept last")
}

// testKeepCopyRefused: KeepCopy keeps nothing, and creates nothing, for a
// session that is unknown, another account's or dead at the time, with a
// generation that a write has moved on, or while a write is under way.
func testKeepCopyRefused(t *testing.T, open Opener) {
	s := asCopies(t, open)
	a, ss := withSessions(t, s, 1)
	x := ss[0]
	other, _ := withSessions(t, s, 0)
	when := at.Add(time.Minute)
	gen, err := s.CopyGeneration(ctx(t), a.ID)
	noErr(t, err, "CopyGeneration")
	refused := func(selector string, acct store.Account, gen uint64, when time.Time, what string) {
		t.Helper()
		kept, err := s.KeepCopy(ctx(t), selector, acct, gen, when)
		noErr(t, err, "KeepCopy "+what)
		equal(t, kept, false, "KeepCopy "+what)
	}

	unknown := newID("session-")
	refused(unknown, a, gen, when, "of an unknown session")
	_, err = s.Session(ctx(t), unknown, when)
	isErr(t, err, store.ErrNotFound, "Session after KeepCopy of an unknown session")
	otherGen, err := s.CopyGeneration(ctx(t), other.ID)
	noErr(t, err, "CopyGeneration")
	refused(x.Selector, other, otherGen, when, "of another account's")
	refused(x.Selector, a, gen, x.IdleUntil, "of a session idle at the time")

	noErr(t, s.BeginAccountWrite(ctx(t), a.ID), "BeginAccountWrite")
	refused(x.Selector, a, gen, when, "with the generation before the write began")
	now, err := s.CopyGeneration(ctx(t), a.ID)
	noErr(t, err, "CopyGeneration")
	if now == gen {
		t.Fatalf("BeginAccountWrite left the generation at %d", gen)
	}
	refused(x.Selector, a, now, when, "while a write is under way")
	noErr(t, s.EndAccountWrite(ctx(t), a.ID), "EndAccountWrite")
	refused(x.Selector, a, now, when, "with the generation read while the write was under way")
	_, ok := copyOf(t, s, x.Selector, when)
	equal(t, ok, false, "a copy after refused keeps")
	keep(t, s, x.Selector, a, when)
}

// testWriteDropsCopies: beginning a write drops the copy in each of the
// account's sessions, and in no other account's.
func testWriteDropsCopies(t *testing.T, open Opener) {
	s := asCopies(t, open)
	a, ss := withSessions(t, s, 3)
	b, others := withSessions(t, s, 1)
	when := at.Add(time.Minute)
	for _, x := range ss {
		keep(t, s, x.Selector, a, when)
	}
	keep(t, s, others[0].Selector, b, when)
	noErr(t, s.BeginAccountWrite(ctx(t), a.ID), "BeginAccountWrite")
	for _, x := range ss {
		_, ok := copyOf(t, s, x.Selector, when)
		equal(t, ok, false, "a copy in the account's session once a write began")
	}
	got, ok := copyOf(t, s, others[0].Selector, when)
	equal(t, ok, true, "another account's copy once a write began")
	equal(t, got, b, "another account's copy")
	noErr(t, s.EndAccountWrite(ctx(t), a.ID), "EndAccountWrite")
	a.State = store.StateDisabled
	keep(t, s, ss[1].Selector, a, when)
	got, _ = copyOf(t, s, ss[1].Selector, when)
	equal(t, got, a, "the copy kept after the write")
}

// testOverlappingWrites: copies are kept again only when the last of two
// overlapping writes has ended.
func testOverlappingWrites(t *testing.T, open Opener) {
	s := asCopies(t, open)
	a, ss := withSessions(t, s, 1)
	when := at.Add(time.Minute)
	noErr(t, s.BeginAccountWrite(ctx(t), a.ID), "first BeginAccountWrite")
	noErr(t, s.BeginAccountWrite(ctx(t), a.ID), "second BeginAccountWrite")
	noErr(t, s.EndAccountWrite(ctx(t), a.ID), "first EndAccountWrite")
	gen, err := s.CopyGeneration(ctx(t), a.ID)
	noErr(t, err, "CopyGeneration")
	kept, err := s.KeepCopy(ctx(t), ss[0].Selector, a, gen, when)
	noErr(t, err, "KeepCopy")
	equal(t, kept, false, "KeepCopy while the second write is under way")
	noErr(t, s.EndAccountWrite(ctx(t), a.ID), "second EndAccountWrite")
	keep(t, s, ss[0].Selector, a, when)
}

// testCopiesRace: writers follow the protocol around writes of an account
// (here a value the clause keeps, as an account store would) while
// loaders read the session's copy, or, without one, the generation, the
// account and then keep it. No load reads an account older than a write
// that had completed when it began, and when all is done the copy, if
// any, is the account as it is.
func testCopiesRace(t *testing.T, open Opener) {
	s := asCopies(t, open)
	a, ss := withSessions(t, s, 2)
	when := at.Add(time.Minute)
	var (
		mu      sync.Mutex
		current = a
		done    atomic.Int64
		stop    atomic.Bool
		wg      sync.WaitGroup
		fails   []string
		hits    atomic.Int64
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fails = append(fails, fmt.Sprintf(format, args...))
	}
	read := func() store.Account {
		mu.Lock()
		defer mu.Unlock()
		return current
	}
	version := func(x store.Account) int64 { return int64(x.UpdatedAt.Sub(at) / time.Second) }
	for i := range 4 {
		selector := ss[i%len(ss)].Selector
		wg.Go(func() {
			for !stop.Load() {
				want := done.Load()
				_, got, ok, err := s.SessionCopy(ctx(t), selector, when)
				if err != nil {
					fail("SessionCopy: %v", err)
					return
				}
				if ok {
					hits.Add(1)
				} else {
					gen, err := s.CopyGeneration(ctx(t), a.ID)
					if err != nil {
						fail("CopyGeneration: %v", err)
						return
					}
					got = read()
					if _, err := s.KeepCopy(ctx(t), selector, got, gen, when); err != nil {
						fail("KeepCopy: %v", err)
						return
					}
				}
				if v := version(got); v < want {
					fail("a load read version %d after version %d was written (copy: %v)", v, want, ok)
				}
			}
		})
	}
	const writes = 40
	for n := int64(1); n <= writes; n++ {
		noErr(t, s.BeginAccountWrite(ctx(t), a.ID), "BeginAccountWrite")
		mu.Lock()
		current.UpdatedAt = at.Add(time.Duration(n) * time.Second)
		current.Email = fmt.Sprintf("budi%d@example.id", n)
		mu.Unlock()
		done.Store(n)
		noErr(t, s.EndAccountWrite(ctx(t), a.ID), "EndAccountWrite")
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	for _, f := range fails {
		t.Error(f)
	}
	for _, x := range ss {
		if got, ok := copyOf(t, s, x.Selector, when); ok {
			equal(t, got, read(), "the copy once all is done")
		}
	}
	t.Logf("%d loads read a copy", hits.Load())
}

// testCopiesCanceled: with a canceled context every call fails, and
// changes nothing.
func testCopiesCanceled(t *testing.T, open Opener) {
	s := asCopies(t, open)
	a, ss := withSessions(t, s, 1)
	when := at.Add(time.Minute)
	keep(t, s, ss[0].Selector, a, when)
	c, cancel := contextWithCancel(t)
	cancel()
	_, _, _, err := s.SessionCopy(c, ss[0].Selector, when)
	isErr(t, err, c.Err(), "SessionCopy with a canceled context")
	_, err = s.CopyGeneration(c, a.ID)
	isErr(t, err, c.Err(), "CopyGeneration with a canceled context")
	b := a
	b.State = store.StateDisabled
	_, err = s.KeepCopy(c, ss[0].Selector, b, 0, when)
	isErr(t, err, c.Err(), "KeepCopy with a canceled context")
	isErr(t, s.BeginAccountWrite(c, a.ID), c.Err(), "BeginAccountWrite with a canceled context")
	isErr(t, s.EndAccountWrite(c, a.ID), c.Err(), "EndAccountWrite with a canceled context")
	got, ok := copyOf(t, s, ss[0].Selector, when)
	equal(t, ok, true, "the copy after canceled calls")
	equal(t, got, a, "the copy after canceled calls")
}

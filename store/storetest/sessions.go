package storetest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Sessions do not check that their account exists, so these clauses need
// nothing but store.Sessions: account IDs are made up.

func sessionClauses() []clause {
	return []clause{
		{"CreateAndRead", testSessionRoundTrip},
		{"LiveBeforeIdleAndExpiry", testSessionExpiry},
		{"Touch", testTouchSession},
		{"TouchEachTimeForwardOnly", testTouchForwardOnly},
		{"TouchIdleOrUnknown", testTouchGone},
		{"ConcurrentTouch", testConcurrentTouch},
		{"Verify", testVerifySession},
		{"VerifyDeadOrUnknown", testVerifyGone},
		{"ConcurrentVerify", testConcurrentVerify},
		{"ListLiveMostRecentlySeenFirst", testSessionsList},
		{"Delete", testDeleteSession},
		{"DeleteAll", testDeleteSessions},
		{"Capacity", testSessionCapacity},
		{"SelectorConflict", testSessionConflict},
		{"Invalid", testSessionInvalid},
		{"AtBounds", testSessionBounds},
		{"ReturnedCopies", testSessionCopies},
		{"CanceledContext", testSessionsCanceled},
		{"SessionWithAccount", testSessionAccount},
		{"SessionWithAccountAfterEachWrite", testSessionAccountWrites},
		{"SessionWithAccountConcurrentWrites", testSessionAccountRace},
	}
}

const (
	sessionIdle = 30 * time.Minute
	sessionTTL  = 12 * time.Hour
)

func session(accountID string) store.Session {
	return store.Session{
		Selector:   newID("session-"),
		Hash:       hashes(1, 32)[0],
		AccountID:  accountID,
		Realm:      "lpse",
		Stamp:      newID("stamp-"),
		ClientAddr: "203.0.113.7",
		UserAgent:  "Mozilla/5.0 (Android 14; Mobile; rv:140.0) Gecko/140.0 Firefox/140.0",
		CreatedAt:  at,
		LastSeenAt: at,
		IdleUntil:  at.Add(sessionIdle),
		ExpiresAt:  at.Add(sessionTTL),
		Data:       map[string]string{"second_factor": "totp", "amr": "pwd,otp"},
	}
}

// normSession is s as a store reads it back: times in UTC, and empty Data
// as nil (a store may read back either).
func normSession(s store.Session) store.Session {
	s.CreatedAt, s.LastSeenAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC()
	s.IdleUntil, s.ExpiresAt = s.IdleUntil.UTC(), s.ExpiresAt.UTC()
	if s.VerifiedAt.IsZero() {
		s.VerifiedAt = s.CreatedAt
	}
	s.VerifiedAt = s.VerifiedAt.UTC()
	if len(s.Data) == 0 {
		s.Data = nil
	}
	return s
}

// readSession is normSession for what a store returned, after checking
// that its times are in UTC.
func readSession(t *testing.T, s store.Session) store.Session {
	t.Helper()
	for _, tm := range []time.Time{s.CreatedAt, s.LastSeenAt, s.IdleUntil, s.ExpiresAt, s.VerifiedAt} {
		if tm.Location() != time.UTC {
			t.Fatalf("session time %v is not in UTC", tm)
		}
	}
	if len(s.Data) == 0 {
		s.Data = nil
	}
	return s
}

func begin(t *testing.T, s store.Sessions, ss ...store.Session) {
	t.Helper()
	for _, x := range ss {
		noErr(t, s.CreateSession(ctx(t), x), "CreateSession "+x.Selector)
	}
}

// sessionAt reads the session with the selector, which must be live at
// time when.
func sessionAt(t *testing.T, s store.Sessions, selector string, when time.Time) store.Session {
	t.Helper()
	got, err := s.Session(ctx(t), selector, when)
	noErr(t, err, fmt.Sprintf("Session(%s) at %v", selector, when))
	return readSession(t, got)
}

func sessionGone(t *testing.T, s store.Sessions, selector string, when time.Time, what string) {
	t.Helper()
	_, err := s.Session(ctx(t), selector, when)
	isErr(t, err, store.ErrNotFound, what)
}

func sessionsOf(t *testing.T, s store.Sessions, accountID string, when time.Time) []store.Session {
	t.Helper()
	ss, err := s.Sessions(ctx(t), accountID, when)
	noErr(t, err, "Sessions")
	for i := range ss {
		ss[i] = readSession(t, ss[i])
	}
	return ss
}

func sessionSelectors(ss []store.Session) []string {
	out := make([]string, len(ss))
	for i, x := range ss {
		out[i] = x.Selector
	}
	return out
}

func testSessionRoundTrip(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	acc := newID("acc-")
	x := session(acc)
	x.LastSeenAt = at.Add(time.Second)
	x.CreatedAt, x.LastSeenAt = x.CreatedAt.In(wib), x.LastSeenAt.In(wib)
	x.IdleUntil, x.ExpiresAt = x.IdleUntil.In(wib), x.ExpiresAt.In(wib)
	begin(t, s, x)
	equal(t, sessionAt(t, s, x.Selector, at.Add(time.Minute)), normSession(x), "Session")
	equal(t, sessionsOf(t, s, acc, at.Add(time.Minute)), []store.Session{normSession(x)}, "Sessions")
	sessionGone(t, s, newID("session-"), at, "Session(unknown)")
	equal(t, len(sessionsOf(t, s, newID("acc-"), at)), 0, "sessions of an account without any")

	// Data, the client address and the user agent are optional: no data
	// may read back as nil or empty.
	for name, data := range map[string]map[string]string{"nil": nil, "empty": {}} {
		bare := session(newID("acc-"))
		bare.Data, bare.ClientAddr, bare.UserAgent = data, "", ""
		begin(t, s, bare)
		equal(t, sessionAt(t, s, bare.Selector, at), normSession(bare), "Session with "+name+" data")
	}
}

// testSessionExpiry: as for tokens, a session is live strictly before
// IdleUntil and strictly before ExpiresAt, by the caller's clock.
func testSessionExpiry(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	acc := newID("acc-")
	idle := session(acc)
	capped := session(acc)
	capped.IdleUntil = at.Add(time.Hour)
	capped.ExpiresAt = capped.IdleUntil
	begin(t, s, idle, capped)

	sessionAt(t, s, idle.Selector, idle.IdleUntil.Add(-time.Microsecond))
	equal(t, len(sessionsOf(t, s, acc, idle.IdleUntil.Add(-time.Microsecond))), 2, "Sessions just before one goes idle")
	sessionGone(t, s, idle.Selector, idle.IdleUntil, "Session at IdleUntil")
	equal(t, sessionSelectors(sessionsOf(t, s, acc, idle.IdleUntil)), []string{capped.Selector}, "Sessions at one's IdleUntil")
	sessionGone(t, s, idle.Selector, idle.IdleUntil.Add(time.Hour), "Session after IdleUntil")

	sessionAt(t, s, capped.Selector, capped.ExpiresAt.Add(-time.Microsecond))
	sessionGone(t, s, capped.Selector, capped.ExpiresAt, "Session at ExpiresAt")
	equal(t, len(sessionsOf(t, s, acc, capped.ExpiresAt)), 0, "Sessions at the last one's ExpiresAt")
	sessionGone(t, s, capped.Selector, capped.ExpiresAt.Add(sessionTTL), "Session after ExpiresAt")
}

// testTouchSession: a touch moves LastSeenAt and IdleUntil forward, keeps
// the session alive past the IdleUntil it had, and never moves IdleUntil
// past ExpiresAt.
func testTouchSession(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	x := session(newID("acc-"))
	x.ExpiresAt = at.Add(2 * time.Hour)
	begin(t, s, x)
	want := normSession(x)

	seen := at.Add(20 * time.Minute)
	noErr(t, s.TouchSession(ctx(t), x.Selector, seen.In(wib), seen.Add(sessionIdle).In(wib)), "TouchSession")
	want.LastSeenAt, want.IdleUntil = seen, seen.Add(sessionIdle)
	equal(t, sessionAt(t, s, x.Selector, x.IdleUntil), want, "Session at the IdleUntil it had before the touch")
	sessionAt(t, s, x.Selector, want.IdleUntil.Add(-time.Microsecond))
	sessionGone(t, s, x.Selector, want.IdleUntil, "Session at the IdleUntil the touch set")

	// The next use asks for more than ExpiresAt: IdleUntil stops there.
	seen = at.Add(40 * time.Minute)
	noErr(t, s.TouchSession(ctx(t), x.Selector, seen, x.ExpiresAt.Add(time.Hour)), "TouchSession past ExpiresAt")
	want.LastSeenAt, want.IdleUntil = seen, x.ExpiresAt.UTC()
	equal(t, sessionAt(t, s, x.Selector, seen), want, "Session after a touch past ExpiresAt")
	sessionAt(t, s, x.Selector, x.ExpiresAt.Add(-time.Microsecond))
	sessionGone(t, s, x.Selector, x.ExpiresAt, "Session at ExpiresAt after touches")
	isErr(t, s.TouchSession(ctx(t), x.Selector, x.ExpiresAt, x.ExpiresAt.Add(time.Hour)), store.ErrNotFound, "TouchSession at ExpiresAt")
}

// testTouchForwardOnly: LastSeenAt and IdleUntil each move only forward,
// the one independently of the other, and a touch that moves neither is
// no error on a live session.
func testTouchForwardOnly(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	x := session(newID("acc-"))
	begin(t, s, x)
	want := normSession(x)
	touch := func(seen, idle time.Duration, what string) {
		t.Helper()
		noErr(t, s.TouchSession(ctx(t), x.Selector, at.Add(seen), at.Add(idle)), what)
		equal(t, sessionAt(t, s, x.Selector, at), want, "Session after "+what)
	}
	want.LastSeenAt, want.IdleUntil = at.Add(10*time.Minute), at.Add(40*time.Minute)
	touch(10*time.Minute, 40*time.Minute, "a touch moving both")
	want.IdleUntil = at.Add(50 * time.Minute)
	touch(5*time.Minute, 50*time.Minute, "a touch with an earlier seen and a later idle")
	want.LastSeenAt = at.Add(20 * time.Minute)
	touch(20*time.Minute, 45*time.Minute, "a touch with a later seen and an earlier idle")
	touch(15*time.Minute, 30*time.Minute, "a touch with both earlier")
	touch(20*time.Minute, 50*time.Minute, "a touch with both the same")
}

// testTouchGone: a touch finds nothing in a session that is not live at
// seen, or unknown, and does not revive it.
func testTouchGone(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	x := session(newID("acc-"))
	begin(t, s, x)
	isErr(t, s.TouchSession(ctx(t), x.Selector, x.IdleUntil, x.IdleUntil.Add(sessionIdle)), store.ErrNotFound, "TouchSession at IdleUntil")
	sessionGone(t, s, x.Selector, x.IdleUntil, "Session after a touch at IdleUntil")
	isErr(t, s.TouchSession(ctx(t), x.Selector, x.IdleUntil.Add(time.Minute), x.ExpiresAt), store.ErrNotFound, "TouchSession after IdleUntil")
	sessionGone(t, s, x.Selector, x.IdleUntil.Add(time.Minute), "Session after a touch past IdleUntil")
	isErr(t, s.TouchSession(ctx(t), newID("session-"), at, at.Add(sessionIdle)), store.ErrNotFound, "TouchSession(unknown)")
}

// testConcurrentTouch: 100 touches at once, with times in no order, leave
// each time at the latest asked for, and a reader never sees either time
// move back.
func testConcurrentTouch(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	x := session(newID("acc-"))
	begin(t, s, x)
	const n = 100
	// Each is a permutation of 0 to 99 seconds; the latest seen (i = 73)
	// and the latest idle (i = 41) come from different touches.
	seenOf := func(i int) time.Time { return at.Add(time.Duration(i*63%n) * time.Second) }
	idleOf := func(i int) time.Time { return x.IdleUntil.Add(time.Duration(i*39%n) * time.Second) }
	done := make(chan struct{})
	var readers, wg sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			var last store.Session
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := s.Session(ctx(t), x.Selector, at)
				if err != nil {
					t.Errorf("Session during the touches: %v", err)
					return
				}
				if got.LastSeenAt.Before(last.LastSeenAt) || got.IdleUntil.Before(last.IdleUntil) {
					t.Errorf("a touch moved a time back: LastSeenAt %v after %v, IdleUntil %v after %v",
						got.LastSeenAt, last.LastSeenAt, got.IdleUntil, last.IdleUntil)
					return
				}
				last = got
			}
		})
	}
	for i := range n {
		wg.Go(func() {
			if err := s.TouchSession(ctx(t), x.Selector, seenOf(i), idleOf(i)); err != nil {
				t.Errorf("TouchSession: %v", err)
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	if t.Failed() {
		t.FailNow()
	}
	want := normSession(x)
	want.LastSeenAt, want.IdleUntil = at.Add((n-1)*time.Second), x.IdleUntil.Add((n-1)*time.Second)
	equal(t, sessionAt(t, s, x.Selector, at), want, "Session after the parallel touches")
}

func testSessionsList(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a, b := newID("acc-"), newID("acc-")
	mk := func(acc string, created, seen, idle time.Duration) store.Session {
		x := session(acc)
		x.CreatedAt, x.LastSeenAt, x.IdleUntil = at.Add(created), at.Add(seen), at.Add(idle)
		return x
	}
	// Made in one order, seen in another, going idle in a third.
	old := mk(a, 0, 20*time.Minute, 50*time.Minute)
	recent := mk(a, 5*time.Minute, 25*time.Minute, 55*time.Minute)
	mid := mk(a, 10*time.Minute, 22*time.Minute, 2*time.Hour)
	idle := mk(a, 0, 29*time.Minute, 30*time.Minute)
	other := mk(b, 0, 28*time.Minute, time.Hour)
	begin(t, s, mid, idle, old, other, recent)
	readAt := at.Add(30 * time.Minute)
	equal(t, sessionsOf(t, s, a, readAt), []store.Session{normSession(recent), normSession(mid), normSession(old)}, "Sessions, most recently seen first")
	equal(t, sessionsOf(t, s, b, readAt), []store.Session{normSession(other)}, "Sessions of the other account")

	noErr(t, s.TouchSession(ctx(t), old.Selector, at.Add(40*time.Minute), at.Add(70*time.Minute)), "TouchSession")
	equal(t, sessionSelectors(sessionsOf(t, s, a, at.Add(41*time.Minute))), []string{old.Selector, recent.Selector, mid.Selector}, "Sessions after the oldest was used")
	equal(t, sessionSelectors(sessionsOf(t, s, a, at.Add(55*time.Minute))), []string{old.Selector, mid.Selector}, "Sessions once another went idle")
}

func testDeleteSession(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a, b := newID("acc-"), newID("acc-")
	x, y := session(a), session(a)
	y.LastSeenAt = at.Add(time.Second)
	theirs := session(b)
	begin(t, s, x, y, theirs)
	isErr(t, s.DeleteSession(ctx(t), b, x.Selector), store.ErrNotFound, "DeleteSession through another account")
	sessionAt(t, s, x.Selector, at.Add(time.Second))
	noErr(t, s.DeleteSession(ctx(t), a, x.Selector), "DeleteSession")
	sessionGone(t, s, x.Selector, at.Add(time.Second), "Session after DeleteSession")
	isErr(t, s.TouchSession(ctx(t), x.Selector, at.Add(time.Second), at.Add(time.Hour)), store.ErrNotFound, "TouchSession after DeleteSession")
	equal(t, sessionSelectors(sessionsOf(t, s, a, at.Add(time.Second))), []string{y.Selector}, "Sessions after DeleteSession")
	isErr(t, s.DeleteSession(ctx(t), a, x.Selector), store.ErrNotFound, "DeleteSession again")
	isErr(t, s.DeleteSession(ctx(t), a, newID("session-")), store.ErrNotFound, "DeleteSession(unknown)")
	isErr(t, s.DeleteSession(ctx(t), a, theirs.Selector), store.ErrNotFound, "DeleteSession of another account's session")
	sessionAt(t, s, theirs.Selector, at.Add(time.Second))
}

// testDeleteSessions: logging out everywhere but here, then everywhere,
// counts what ended and leaves other accounts alone. (Only live sessions
// are counted here: whether a backend counts one that has expired but is
// still kept is not part of the contract.)
func testDeleteSessions(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a, b := newID("acc-"), newID("acc-")
	here := session(a)
	ss := []store.Session{session(a), session(a), session(a), here}
	theirs := session(b)
	begin(t, s, append(ss, theirs)...)
	n, err := s.DeleteSessions(ctx(t), a, here.Selector)
	noErr(t, err, "DeleteSessions(except here)")
	equal(t, n, 3, "sessions ended by DeleteSessions(except here)")
	for _, x := range ss[:3] {
		sessionGone(t, s, x.Selector, at, "Session after DeleteSessions(except here)")
	}
	equal(t, sessionsOf(t, s, a, at), []store.Session{normSession(here)}, "Sessions after DeleteSessions(except here)")
	equal(t, sessionsOf(t, s, b, at), []store.Session{normSession(theirs)}, "another account's sessions")

	// A selector that is not the account's own spares nothing of it, and
	// does not end that other session either.
	n, err = s.DeleteSessions(ctx(t), a, theirs.Selector)
	noErr(t, err, "DeleteSessions(except another account's session)")
	equal(t, n, 1, "sessions ended by DeleteSessions(except another account's session)")
	sessionGone(t, s, here.Selector, at, "Session after DeleteSessions(except another account's session)")
	sessionAt(t, s, theirs.Selector, at)

	begin(t, s, session(a), session(a))
	n, err = s.DeleteSessions(ctx(t), a, "")
	noErr(t, err, "DeleteSessions(all)")
	equal(t, n, 2, "sessions ended by DeleteSessions(all)")
	equal(t, len(sessionsOf(t, s, a, at)), 0, "Sessions after DeleteSessions(all)")
	n, err = s.DeleteSessions(ctx(t), a, "")
	noErr(t, err, "DeleteSessions with nothing to end")
	equal(t, n, 0, "sessions ended by DeleteSessions with nothing to end")
	n, err = s.DeleteSessions(ctx(t), newID("acc-"), "")
	noErr(t, err, "DeleteSessions(an account without sessions)")
	equal(t, n, 0, "sessions ended by DeleteSessions(an account without sessions)")
	sessionAt(t, s, theirs.Selector, at)
}

// testSessionCapacity: beginning one session more than
// MaxSessionsPerAccount ends the one that goes idle first (not the oldest,
// nor the least recently seen), judging which are live at the new one's
// CreatedAt; a refused session ends nothing.
func testSessionCapacity(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a, b := newID("acc-"), newID("acc-")
	const n, first = store.MaxSessionsPerAccount, 13
	ss := make([]store.Session, n)
	for i := range ss {
		ss[i] = session(a)
		ss[i].CreatedAt = at.Add(time.Duration(i) * time.Minute)
		ss[i].LastSeenAt = ss[i].CreatedAt
		// ss[first] goes idle first, though it is neither the oldest nor
		// the newest.
		ss[i].IdleUntil = at.Add(2*time.Hour + time.Duration((i+n-first)%n)*time.Minute)
	}
	theirs := session(b)
	theirs.IdleUntil = at.Add(3 * time.Hour)
	begin(t, s, ss...)
	begin(t, s, theirs)

	readAt := at.Add(time.Hour)
	conflict := session(a)
	conflict.Selector = ss[0].Selector
	conflict.CreatedAt, conflict.LastSeenAt, conflict.IdleUntil = readAt, readAt, readAt.Add(sessionIdle)
	isErr(t, s.CreateSession(ctx(t), conflict), store.ErrConflict, "CreateSession with a taken selector at the bound")
	invalid := conflict
	invalid.Selector, invalid.Stamp = newID("session-"), ""
	isErr(t, s.CreateSession(ctx(t), invalid), store.ErrInvalid, "CreateSession of an invalid session at the bound")
	equal(t, len(sessionsOf(t, s, a, readAt)), n, "Sessions after refused sessions")
	sessionAt(t, s, ss[first].Selector, readAt)

	extra := session(a)
	extra.CreatedAt, extra.LastSeenAt = readAt, readAt
	extra.IdleUntil = at.Add(3 * time.Hour)
	begin(t, s, extra)
	sessionGone(t, s, ss[first].Selector, readAt, "the session that goes idle first")
	want := []string{extra.Selector}
	for i := n - 1; i >= 0; i-- {
		if i != first {
			want = append(want, ss[i].Selector)
		}
	}
	equal(t, sessionSelectors(sessionsOf(t, s, a, readAt)), want, "Sessions after one more began")
	equal(t, len(sessionsOf(t, s, b, readAt)), 1, "sessions of another account")

	// Once one has gone idle, there is room for another without ending
	// a live one.
	later := at.Add(2*time.Hour + time.Minute) // ss[first+1] goes idle
	more := session(a)
	more.CreatedAt, more.LastSeenAt = later, later
	more.IdleUntil = later.Add(sessionIdle)
	begin(t, s, more)
	want = append([]string{more.Selector}, slices.DeleteFunc(want, func(sel string) bool { return sel == ss[first+1].Selector })...)
	equal(t, sessionSelectors(sessionsOf(t, s, a, later)), want, "Sessions after one more began when one had gone idle")
}

// testSessionConflict: a selector is taken whichever account holds it; a
// conflict writes nothing.
func testSessionConflict(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a, b := newID("acc-"), newID("acc-")
	x := session(a)
	begin(t, s, x)
	for name, acc := range map[string]string{"same account": a, "another account": b} {
		y := session(acc)
		y.Selector = x.Selector
		y.LastSeenAt = at.Add(time.Second)
		isErr(t, s.CreateSession(ctx(t), y), store.ErrConflict, name)
	}
	equal(t, sessionAt(t, s, x.Selector, at), normSession(x), "the first session survives")
	equal(t, len(sessionsOf(t, s, b, at)), 0, "sessions of the other account")
	equal(t, len(sessionsOf(t, s, a, at)), 1, "sessions of the account")
}

// testSessionInvalid: the rules of CheckSession; a refused session writes
// nothing.
func testSessionInvalid(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	acc := newID("acc-")
	kept := session(acc)
	begin(t, s, kept)
	tooMany := make(map[string]string, store.MaxSessionData+1)
	for i := range store.MaxSessionData + 1 {
		tooMany[fmt.Sprint("k", i)] = "v"
	}
	for name, mutate := range map[string]func(*store.Session){
		"short selector":       func(x *store.Session) { x.Selector = strings.Repeat("s", 15) },
		"long selector":        func(x *store.Session) { x.Selector = newID("") + strings.Repeat("s", 113) },
		"no hash":              func(x *store.Session) { x.Hash = nil },
		"short hash":           func(x *store.Session) { x.Hash = x.Hash[:15] },
		"long hash":            func(x *store.Session) { x.Hash = make([]byte, 65) },
		"no account":           func(x *store.Session) { x.AccountID = "" },
		"no realm":             func(x *store.Session) { x.Realm = "" },
		"no stamp":             func(x *store.Session) { x.Stamp = "" },
		"long address":         func(x *store.Session) { x.ClientAddr = strings.Repeat("a", store.MaxSessionAddr+1) },
		"long user agent":      func(x *store.Session) { x.UserAgent = strings.Repeat("u", store.MaxSessionUserAgent+1) },
		"no creation":          func(x *store.Session) { x.CreatedAt = time.Time{} },
		"no last seen":         func(x *store.Session) { x.LastSeenAt = time.Time{} },
		"seen before begun":    func(x *store.Session) { x.LastSeenAt = x.CreatedAt.Add(-time.Microsecond) },
		"verified after begun": func(x *store.Session) { x.VerifiedAt = x.CreatedAt.Add(time.Microsecond) },
		"no idle":              func(x *store.Session) { x.IdleUntil = time.Time{} },
		"idle at creation":     func(x *store.Session) { x.IdleUntil = x.CreatedAt },
		"idle before":          func(x *store.Session) { x.IdleUntil = x.CreatedAt.Add(-time.Minute) },
		"no expiry":            func(x *store.Session) { x.ExpiresAt = time.Time{} },
		"expires before idle":  func(x *store.Session) { x.ExpiresAt = x.IdleUntil.Add(-time.Microsecond) },
		"too much data":        func(x *store.Session) { x.Data = tooMany },
		"empty data key":       func(x *store.Session) { x.Data = map[string]string{"": "v"} },
		"long data key":        func(x *store.Session) { x.Data = map[string]string{strings.Repeat("k", store.MaxTokenDataSize+1): "v"} },
		"long data value":      func(x *store.Session) { x.Data = map[string]string{"k": strings.Repeat("v", store.MaxTokenDataSize+1)} },
	} {
		x := session(acc)
		mutate(&x)
		if store.CheckSession(x) == nil {
			t.Fatalf("%s: store.CheckSession accepts the session", name)
		}
		isErr(t, s.CreateSession(ctx(t), x), store.ErrInvalid, name)
		if len(x.Selector) >= 16 && len(x.Selector) <= 128 {
			sessionGone(t, s, x.Selector, at, name+": the refused session")
		}
	}
	equal(t, sessionsOf(t, s, acc, at), []store.Session{normSession(kept)}, "Sessions after invalid creates")
}

// testSessionBounds: the bounds of CheckSession are inclusive.
func testSessionBounds(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	acc := newID("acc-")
	full := make(map[string]string, store.MaxSessionData)
	for i := range store.MaxSessionData {
		k := fmt.Sprintf("%04d", i) + strings.Repeat("k", store.MaxTokenDataSize-4)
		full[k] = strings.Repeat(string(rune('a'+i)), store.MaxTokenDataSize)
	}
	big := session(acc)
	big.Selector = newID("") + strings.Repeat("s", 112)
	big.Hash = hashes(1, 64)[0]
	big.ClientAddr = strings.Repeat("2001:db8::", 7)[:store.MaxSessionAddr]
	big.UserAgent = strings.Repeat("u", store.MaxSessionUserAgent)
	big.Data = full
	small := session(acc)
	small.Selector = newID("")
	small.Hash = hashes(1, 16)[0]
	small.LastSeenAt = small.CreatedAt.Add(-time.Second)
	small.CreatedAt = small.LastSeenAt
	small.IdleUntil = small.CreatedAt.Add(time.Microsecond)
	small.ExpiresAt = small.IdleUntil
	small.Data = map[string]string{"k": ""}
	begin(t, s, big, small)
	equal(t, sessionAt(t, s, big.Selector, at), normSession(big), "Session at the upper bounds")
	equal(t, sessionAt(t, s, small.Selector, small.CreatedAt), normSession(small), "Session at the lower bounds")
}

func testSessionCopies(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	x := session(newID("acc-"))
	want := x
	want.Hash = slices.Clone(x.Hash)
	want.Data = maps.Clone(x.Data)
	begin(t, s, x)
	x.Hash[0] ^= 0xff // the caller's slice and map are the caller's
	x.Data["second_factor"] = "none"
	x.Data["extra"] = "x"
	got := sessionAt(t, s, want.Selector, at)
	equal(t, got, normSession(want), "Session after the caller changed what it created")
	got.Hash[0] ^= 0xff
	got.Data["second_factor"] = "none"
	delete(got.Data, "amr")
	equal(t, sessionAt(t, s, want.Selector, at), normSession(want), "Session after the caller changed what it read")
	list := sessionsOf(t, s, want.AccountID, at)
	list[0].Hash[0] ^= 0xff
	list[0].Data["extra"] = "x"
	equal(t, sessionsOf(t, s, want.AccountID, at), []store.Session{normSession(want)}, "Sessions after the caller changed what it listed")
}

func testSessionsCanceled(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	x := session(newID("acc-"))
	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.CreateSession(c, x); err == nil {
		t.Fatal("CreateSession with a canceled context succeeded")
	}
	sessionGone(t, s, x.Selector, at, "a session created under a canceled context")
	begin(t, s, x)
	if _, err := s.Session(c, x.Selector, at); err == nil {
		t.Fatal("Session with a canceled context succeeded")
	}
	if err := s.TouchSession(c, x.Selector, at.Add(time.Minute), at.Add(time.Hour)); err == nil {
		t.Fatal("TouchSession with a canceled context succeeded")
	}
	if _, err := s.Sessions(c, x.AccountID, at); err == nil {
		t.Fatal("Sessions with a canceled context succeeded")
	}
	if err := s.DeleteSession(c, x.AccountID, x.Selector); err == nil {
		t.Fatal("DeleteSession with a canceled context succeeded")
	}
	if n, err := s.DeleteSessions(c, x.AccountID, ""); err == nil || n != 0 {
		t.Fatalf("DeleteSessions with a canceled context: %d, %v", n, err)
	}
	equal(t, sessionAt(t, s, x.Selector, at), normSession(x), "Session after calls under a canceled context")
}

// testVerifySession: VerifiedAt is CreatedAt unless given, and
// VerifySession moves it forward only, touching nothing else.
func testVerifySession(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a := session(newID("acc-"))
	noErr(t, s.CreateSession(ctx(t), a), "CreateSession")
	got, err := s.Session(ctx(t), a.Selector, at)
	noErr(t, err, "Session")
	equal(t, got.VerifiedAt, at.UTC(), "VerifiedAt of a session created without one")

	b := session(a.AccountID)
	b.VerifiedAt = at.Add(-time.Second).In(wib)
	noErr(t, s.CreateSession(ctx(t), b), "CreateSession with VerifiedAt")
	got, err = s.Session(ctx(t), b.Selector, at)
	noErr(t, err, "Session(b)")
	equal(t, readSession(t, got), normSession(b), "session created with VerifiedAt")

	later := at.Add(10 * time.Minute)
	noErr(t, s.VerifySession(ctx(t), a.Selector, later.In(wib)), "VerifySession")
	want := normSession(a)
	want.VerifiedAt = later.UTC()
	got, err = s.Session(ctx(t), a.Selector, later)
	noErr(t, err, "Session after VerifySession")
	equal(t, readSession(t, got), want, "session after VerifySession")

	noErr(t, s.VerifySession(ctx(t), a.Selector, at.Add(time.Minute)), "VerifySession with an earlier time")
	got, err = s.Session(ctx(t), a.Selector, later)
	noErr(t, err, "Session after an earlier VerifySession")
	equal(t, got.VerifiedAt, later.UTC(), "VerifiedAt moved back")
	list, err := s.Sessions(ctx(t), a.AccountID, later)
	noErr(t, err, "Sessions")
	for _, x := range list {
		if x.Selector == a.Selector {
			equal(t, x.VerifiedAt, later.UTC(), "VerifiedAt in the list")
		}
	}
}

// testVerifyGone: a session that is idle, expired, deleted or unknown is
// not verified.
func testVerifyGone(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a := session(newID("acc-"))
	noErr(t, s.CreateSession(ctx(t), a), "CreateSession")
	isErr(t, s.VerifySession(ctx(t), a.Selector, a.IdleUntil), store.ErrNotFound, "at IdleUntil")
	isErr(t, s.VerifySession(ctx(t), newID("session-"), at), store.ErrNotFound, "unknown")
	isErr(t, s.VerifySession(ctx(t), "session-\x00\xff-0123456789", at), store.ErrNotFound, "a selector no store can hold")
	noErr(t, s.DeleteSession(ctx(t), a.AccountID, a.Selector), "DeleteSession")
	isErr(t, s.VerifySession(ctx(t), a.Selector, at.Add(time.Minute)), store.ErrNotFound, "deleted")
}

// testConcurrentVerify: of parallel verifications, the latest time wins,
// whatever their order.
func testConcurrentVerify(t *testing.T, open Opener) {
	s := as[store.Sessions](t, open)
	a := session(newID("acc-"))
	noErr(t, s.CreateSession(ctx(t), a), "CreateSession")
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.VerifySession(ctx(t), a.Selector, at.Add(time.Duration(i+1)*time.Second)) })
	}
	wg.Wait()
	for _, err := range errs {
		noErr(t, err, "VerifySession")
	}
	got, err := s.Session(ctx(t), a.Selector, at.Add(time.Minute))
	noErr(t, err, "Session")
	equal(t, got.VerifiedAt, at.Add(n*time.Second).UTC(), "VerifiedAt after parallel verifications")
}

// testSessionAccount: a store that implements store.SessionAccounts (and
// store.Accounts) reads a live session and its account as Session and
// AccountByID would, and neither when either is missing or the session is
// dead (idle or expired, to the microsecond). A new stamp shows at the
// next read.
func testSessionAccount(t *testing.T, open Opener) {
	st := open(t)
	sa, ok1 := st.(store.SessionAccounts)
	accts, ok2 := st.(store.Accounts)
	ss, ok3 := st.(store.Sessions)
	if !ok1 || !ok2 || !ok3 {
		t.Skipf("%T does not implement store.SessionAccounts, store.Accounts and store.Sessions", st)
	}
	a := account(newID("realm-"), "budi")
	a.Profile = map[string]string{"nip": "198503302010011001"}
	noErr(t, accts.CreateAccount(ctx(t), a, nil), "CreateAccount")
	x := session(a.ID)
	x.Realm, x.Stamp = a.Realm, a.SecurityStamp
	begin(t, ss, x)

	when := at.Add(time.Minute)
	gotS, gotA, err := sa.SessionAccount(ctx(t), x.Selector, when)
	noErr(t, err, "SessionAccount")
	wantA, err := accts.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, readSession(t, gotS), sessionAt(t, ss, x.Selector, when), "SessionAccount's session")
	equal(t, gotA, wantA, "SessionAccount's account")

	_, _, err = sa.SessionAccount(ctx(t), x.Selector, x.IdleUntil)
	isErr(t, err, store.ErrNotFound, "SessionAccount of a session idle at the time")
	_, _, err = sa.SessionAccount(ctx(t), x.Selector, x.IdleUntil.Add(-time.Microsecond))
	noErr(t, err, "SessionAccount a microsecond before the session goes idle")
	y := session(a.ID)
	y.Realm, y.Stamp, y.IdleUntil = a.Realm, a.SecurityStamp, y.ExpiresAt
	begin(t, ss, y)
	_, _, err = sa.SessionAccount(ctx(t), y.Selector, y.ExpiresAt.Add(-time.Microsecond))
	noErr(t, err, "SessionAccount a microsecond before the session expires")
	_, _, err = sa.SessionAccount(ctx(t), y.Selector, y.ExpiresAt)
	isErr(t, err, store.ErrNotFound, "SessionAccount of a session expired at the time")
	_, _, err = sa.SessionAccount(ctx(t), newID("session-"), when)
	isErr(t, err, store.ErrNotFound, "SessionAccount(unknown)")
	orphan := session(newID("acc-"))
	begin(t, ss, orphan)
	_, _, err = sa.SessionAccount(ctx(t), orphan.Selector, when)
	isErr(t, err, store.ErrNotFound, "SessionAccount of a session whose account does not exist")

	if creds, ok := st.(store.Credentials); ok {
		stamp := newID("stamp-")
		noErr(t, creds.SetCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: "$test$new", ChangedAt: when}, stamp), "SetCredential")
		_, gotA, err = sa.SessionAccount(ctx(t), x.Selector, when)
		noErr(t, err, "SessionAccount after SetCredential")
		equal(t, gotA.SecurityStamp, stamp, "account's stamp after SetCredential")
	}
}

// sessionAccounts is what the SessionAccount clauses need.
type sessionAccounts interface {
	store.SessionAccounts
	store.Accounts
	store.Sessions
}

// asSessionAccounts skips the test unless the store implements
// store.SessionAccounts, store.Accounts and store.Sessions.
func asSessionAccounts(t *testing.T, open Opener) (sessionAccounts, any) {
	t.Helper()
	st := open(t)
	s, ok := st.(sessionAccounts)
	if !ok {
		t.Skipf("%T does not implement store.SessionAccounts, store.Accounts and store.Sessions", st)
	}
	return s, st
}

// sameAccount checks that SessionAccount reads, through each selector,
// the account AccountByID reads: every field, as of the last write.
func sameAccount(t *testing.T, s sessionAccounts, id string, when time.Time, what string, selectors ...string) {
	t.Helper()
	want, err := s.AccountByID(ctx(t), id)
	noErr(t, err, "AccountByID "+what)
	for _, sel := range selectors {
		_, got, err := s.SessionAccount(ctx(t), sel, when)
		noErr(t, err, "SessionAccount "+what)
		equal(t, got, want, "SessionAccount's account "+what)
	}
}

// testSessionAccountWrites: SessionAccount reads the account as of every
// kind of write to it, in each of the account's sessions: its creation
// after a session named it, a new state, email and phone, a new
// credential and stamp by SetCredential and SwapCredential, and a write
// that only locks it (CreateFactor); after DeleteAccount and
// EraseAccount, it finds nothing. A session begun after the writes reads
// them too.
func testSessionAccountWrites(t *testing.T, open Opener) {
	s, st := asSessionAccounts(t, open)
	a := account(newID("realm-"), "198503302010011001")
	a.Email, a.Phone = "budi@example.id", "+6281234567890"
	a.Profile = map[string]string{"instansi": "BKN", "nip": "198503302010011001"}
	x, y := session(a.ID), session(a.ID)
	x.Realm, y.Realm = a.Realm, a.Realm
	begin(t, s, x, y) // before the account exists
	when := at.Add(time.Minute)
	for _, sel := range []string{x.Selector, y.Selector} {
		_, _, err := s.SessionAccount(ctx(t), sel, when)
		isErr(t, err, store.ErrNotFound, "SessionAccount before its account exists")
	}
	noErr(t, s.CreateAccount(ctx(t), a, &store.Credential{AccountID: a.ID, Hash: "$test$old", ChangedAt: at}), "CreateAccount")
	sameAccount(t, s, a.ID, when, "after CreateAccount", x.Selector, y.Selector)

	noErr(t, s.SetAccountState(ctx(t), a.ID, store.StateActive, store.StateDisabled, at.Add(time.Second)), "SetAccountState")
	sameAccount(t, s, a.ID, when, "after SetAccountState", x.Selector, y.Selector)
	isErr(t, s.SetAccountState(ctx(t), a.ID, store.StateActive, store.StatePendingApproval, at.Add(2*time.Second)), store.ErrStale, "SetAccountState from a stale state")
	sameAccount(t, s, a.ID, when, "after a stale SetAccountState", x.Selector, y.Selector)
	noErr(t, s.SetAccountState(ctx(t), a.ID, store.StateDisabled, store.StateActive, at.Add(3*time.Second)), "SetAccountState")
	sameAccount(t, s, a.ID, when, "after SetAccountState back", x.Selector, y.Selector)

	noErr(t, s.SetEmail(ctx(t), a.ID, a.Email, "budi.santoso@example.id", at.Add(4*time.Second)), "SetEmail")
	sameAccount(t, s, a.ID, when, "after SetEmail", x.Selector, y.Selector)
	noErr(t, s.SetEmail(ctx(t), a.ID, "budi.santoso@example.id", "", at.Add(5*time.Second)), "SetEmail to none")
	sameAccount(t, s, a.ID, when, "after SetEmail to none", x.Selector, y.Selector)
	noErr(t, s.SetPhone(ctx(t), a.ID, a.Phone, "+6285712345678", at.Add(6*time.Second)), "SetPhone")
	sameAccount(t, s, a.ID, when, "after SetPhone", x.Selector, y.Selector)

	if creds, ok := st.(store.Credentials); ok {
		noErr(t, creds.SetCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: "$test$new", ChangedAt: when}, newID("stamp-")), "SetCredential")
		sameAccount(t, s, a.ID, when, "after SetCredential", x.Selector, y.Selector)
		noErr(t, creds.SwapCredential(ctx(t), "$test$new", store.Credential{AccountID: a.ID, Hash: "$test$newer", ChangedAt: when}, newID("stamp-")), "SwapCredential")
		sameAccount(t, s, a.ID, when, "after SwapCredential", x.Selector, y.Selector)
		noErr(t, creds.SwapCredential(ctx(t), "$test$newer", store.Credential{AccountID: a.ID, Hash: "$test$upgraded", ChangedAt: when}, ""), "SwapCredential keeping the stamp")
		sameAccount(t, s, a.ID, when, "after SwapCredential keeping the stamp", x.Selector, y.Selector)
	}
	if fs, ok := st.(store.Factors); ok {
		noErr(t, fs.CreateFactor(ctx(t), totpFactor(a.ID)), "CreateFactor")
		sameAccount(t, s, a.ID, when, "after CreateFactor", x.Selector, y.Selector)
	}
	z := session(a.ID)
	z.Realm = a.Realm
	begin(t, s, z)
	sameAccount(t, s, a.ID, when, "in a session begun after the writes", x.Selector, y.Selector, z.Selector)

	// A deleted account's sessions go, and read as nothing even if a
	// store kept them.
	noErr(t, s.SetAccountState(ctx(t), a.ID, store.StateActive, store.StatePendingConfirmation, at.Add(7*time.Second)), "SetAccountState")
	noErr(t, s.DeleteAccount(ctx(t), a.ID, store.StatePendingConfirmation, at.Add(time.Hour)), "DeleteAccount")
	for _, sel := range []string{x.Selector, y.Selector, z.Selector} {
		_, _, err := s.SessionAccount(ctx(t), sel, when)
		isErr(t, err, store.ErrNotFound, "SessionAccount after DeleteAccount")
	}

	if er, ok := st.(store.Erasure); ok {
		b := account(newID("realm-"), "198503302010011002")
		noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount")
		w := session(b.ID)
		w.Realm = b.Realm
		begin(t, s, w)
		sameAccount(t, s, b.ID, when, "before EraseAccount", w.Selector)
		_, err := er.EraseAccount(ctx(t), b.ID, store.EventsDelete, erasureEvent(b))
		noErr(t, err, "EraseAccount")
		_, _, err = s.SessionAccount(ctx(t), w.Selector, when)
		isErr(t, err, store.ErrNotFound, "SessionAccount after EraseAccount")
	}
}

// testSessionAccountRace: account writes (state, email, phone, stamp)
// race loads of the account's session and the creation of more of its
// sessions. A load never reads an account older than a write that had
// completed when the load began, and when all is done every session
// reads the account as it is.
func testSessionAccountRace(t *testing.T, open Opener) {
	s, st := asSessionAccounts(t, open)
	creds, _ := st.(store.Credentials)
	a := account(newID("realm-"), "198503302010011001")
	a.SecurityStamp = "stamp-0"
	noErr(t, s.CreateAccount(ctx(t), a, &store.Credential{AccountID: a.ID, Hash: "$test$0", ChangedAt: at}), "CreateAccount")
	x := session(a.ID)
	x.Realm, x.IdleUntil = a.Realm, x.ExpiresAt // the last the new ones could evict
	begin(t, s, x)
	when := at.Add(time.Minute)

	// Each write's UpdatedAt is at plus its number in seconds, each stamp
	// "stamp-<number>"; done holds the numbers of the last completed.
	const writes = 24
	var doneUpdate, doneStamp atomic.Int64
	stampNumber := func(stamp string) int64 {
		n, err := strconv.ParseInt(strings.TrimPrefix(stamp, "stamp-"), 10, 64)
		if err != nil {
			return -1
		}
		return n
	}
	var (
		wg       sync.WaitGroup
		stop     atomic.Bool
		mu       sync.Mutex
		failures []string
		created  []string
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf(format, args...))
	}
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				wantUpdate, wantStamp := doneUpdate.Load(), doneStamp.Load()
				_, got, err := s.SessionAccount(ctx(t), x.Selector, when)
				if err != nil {
					fail("SessionAccount: %v", err)
					return
				}
				if got.UpdatedAt.Before(at.Add(time.Duration(wantUpdate) * time.Second)) {
					fail("a load read UpdatedAt %v after the write of %v completed", got.UpdatedAt, at.Add(time.Duration(wantUpdate)*time.Second))
				}
				if creds != nil && stampNumber(got.SecurityStamp) < wantStamp {
					fail("a load read stamp %q after stamp-%d was set", got.SecurityStamp, wantStamp)
				}
			}
		})
	}
	wg.Go(func() {
		for range 8 {
			if stop.Load() {
				return
			}
			y := session(a.ID)
			y.Realm = a.Realm
			if err := s.CreateSession(ctx(t), y); err != nil {
				fail("CreateSession: %v", err)
				return
			}
			mu.Lock()
			created = append(created, y.Selector)
			mu.Unlock()
		}
	})
	func() {
		defer stop.Store(true)
		state, email, phone := store.StateActive, "", ""
		for i := int64(1); i <= writes; i++ {
			updated := at.Add(time.Duration(i) * time.Second)
			var err error
			switch i % 4 {
			case 0:
				to := map[store.AccountState]store.AccountState{store.StateActive: store.StateDisabled, store.StateDisabled: store.StateActive}[state]
				if err = s.SetAccountState(ctx(t), a.ID, state, to, updated); err == nil {
					state = to
				}
			case 1:
				to := fmt.Sprintf("budi%d@example.id", i)
				if err = s.SetEmail(ctx(t), a.ID, email, to, updated); err == nil {
					email = to
				}
			case 2:
				to := fmt.Sprintf("+62812%08d", i)
				if err = s.SetPhone(ctx(t), a.ID, phone, to, updated); err == nil {
					phone = to
				}
			case 3:
				if creds == nil {
					continue
				}
				err = creds.SetCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: fmt.Sprintf("$test$%d", i), ChangedAt: updated}, fmt.Sprintf("stamp-%d", i))
				if err == nil {
					doneStamp.Store(i)
				}
			}
			if err != nil {
				fail("write %d: %v", i, err)
				return
			}
			if i%4 != 3 {
				doneUpdate.Store(i)
			}
		}
	}()
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	if t.Failed() {
		t.FailNow()
	}
	sameAccount(t, s, a.ID, when, "after the writes", append(created, x.Selector)...)
}

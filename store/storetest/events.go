package storetest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func eventClauses() []clause {
	return []clause{
		{"AppendAndList", testAppendAndList},
		{"Paging", testEventPaging},
		{"FilterAndIsolation", testEventFilter},
		{"Invalid", testEventInvalid},
		{"ConcurrentAppend", testConcurrentAppend},
		{"Prune", testPruneEvents},
		{"PruneLimit", testPruneEventsLimit},
		{"PruneRealm", testPruneRealmEvents},
		{"PruneRealmLimit", testPruneRealmEventsLimit},
		{"PruneRealmInvalid", testPruneRealmEventsInvalid},
		{"PruneRealmConcurrent", testPruneRealmEventsConcurrent},
	}
}

func event(realm, kind string, i int) store.Event {
	return store.Event{
		Kind:       kind,
		Realm:      realm,
		AccountID:  "acc-1",
		Username:   "198503122010011001",
		Time:       at.Add(time.Duration(i) * time.Second),
		ClientAddr: "203.0.113.7",
		UserAgent:  "Mozilla/5.0 (Linux; Android 14)",
		Details:    map[string]string{"reason": "bad_password", "n": fmt.Sprint(i)},
	}
}

func testAppendAndList(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	realm := newID("realm-")
	var want []store.Event
	var last int64
	for i := range 3 {
		e := event(realm, "login.failed", i)
		id, err := s.AppendEvent(ctx(t), e)
		noErr(t, err, "AppendEvent")
		if id <= last {
			t.Fatalf("event IDs do not grow: %d after %d", id, last)
		}
		last, e.ID = id, id
		want = append([]store.Event{e}, want...) // newest first
	}
	noDetails := store.Event{Kind: "login.succeeded", Realm: realm, Time: at.Add(time.Hour)}
	id, err := s.AppendEvent(ctx(t), noDetails)
	noErr(t, err, "AppendEvent without details")
	noDetails.ID = id

	got, err := s.ListEvents(ctx(t), store.EventQuery{Realm: realm})
	noErr(t, err, "ListEvents")
	if len(got) != 4 {
		t.Fatalf("ListEvents returned %d events, want 4", len(got))
	}
	if len(got[0].Details) != 0 {
		t.Errorf("details of an event appended without any: %v", got[0].Details)
	}
	got[0].Details = nil
	equal(t, got[0], noDetails, "newest event")
	equal(t, got[1:], want, "older events, newest first")
}

func testEventPaging(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	realm := newID("realm-")
	var ids []int64
	for i := range 7 {
		id, err := s.AppendEvent(ctx(t), event(realm, "login.failed", i))
		noErr(t, err, "AppendEvent")
		ids = append([]int64{id}, ids...)
	}
	var seen []int64
	q := store.EventQuery{Realm: realm, Limit: 3}
	for page := 0; ; page++ {
		got, err := s.ListEvents(ctx(t), q)
		noErr(t, err, "ListEvents")
		if len(got) == 0 {
			break
		}
		if page > 3 || len(got) > 3 {
			t.Fatalf("page %d has %d events; paging does not end", page, len(got))
		}
		for _, e := range got {
			seen = append(seen, e.ID)
		}
		q.Before = got[len(got)-1].ID
	}
	equal(t, seen, ids, "IDs over all pages")
}

func testEventFilter(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	r1, r2 := newID("realm-"), newID("realm-")
	a := event(r1, "login.succeeded", 0)
	a.AccountID = "acc-a"
	b := event(r1, "login.succeeded", 1)
	b.AccountID = "acc-b"
	c := event(r2, "login.succeeded", 2)
	c.AccountID = "acc-a"
	for _, e := range []store.Event{a, b, c} {
		_, err := s.AppendEvent(ctx(t), e)
		noErr(t, err, "AppendEvent")
	}
	got, err := s.ListEvents(ctx(t), store.EventQuery{Realm: r1, AccountID: "acc-a"})
	noErr(t, err, "ListEvents")
	if len(got) != 1 || got[0].AccountID != "acc-a" || got[0].Realm != r1 {
		t.Fatalf("ListEvents(realm, account) = %+v, want the one event of acc-a in %s", got, r1)
	}
	got, err = s.ListEvents(ctx(t), store.EventQuery{Realm: newID("realm-")})
	noErr(t, err, "ListEvents(empty realm)")
	if len(got) != 0 {
		t.Fatalf("an unused realm has %d events", len(got))
	}
}

func testEventInvalid(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	realm := newID("realm-")
	for name, e := range map[string]store.Event{
		"no kind":  {Realm: realm, Time: at},
		"no realm": {Kind: "x", Time: at},
		"no time":  {Kind: "x", Realm: realm},
	} {
		_, err := s.AppendEvent(ctx(t), e)
		isErr(t, err, store.ErrInvalid, name)
	}
	_, err := s.ListEvents(ctx(t), store.EventQuery{})
	isErr(t, err, store.ErrInvalid, "ListEvents without a realm")
	got, err := s.ListEvents(ctx(t), store.EventQuery{Realm: realm})
	noErr(t, err, "ListEvents")
	if len(got) != 0 {
		t.Fatalf("invalid events were stored: %+v", got)
	}
}

func testConcurrentAppend(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	realm := newID("realm-")
	const n = 40
	ids := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			id, err := s.AppendEvent(ctx(t), event(realm, "login.failed", i))
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	seen := make(map[int64]bool)
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("event ID %d given twice", id)
		}
		seen[id] = true
	}
	got, err := s.ListEvents(ctx(t), store.EventQuery{Realm: realm, Limit: 1000})
	noErr(t, err, "ListEvents")
	if len(got) != n {
		t.Fatalf("ListEvents returned %d of %d appended events", len(got), n)
	}
}

// testPruneEvents: PruneEvents deletes the events, of every realm, whose
// Time is before the time given, whatever the order they were appended
// in, counts them, keeps the one at that time, and never gives an ID
// again. The clause's events are at a time of their own, a random hour of
// 1950 to 1990, before every other clause's, so that a store shared with
// other runs counts only them; it first prunes whatever an earlier run
// left before that.
func testPruneEvents(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	base := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rand.N(40*365*24)) * time.Hour)
	_, err := s.PruneEvents(ctx(t), base, 1<<30)
	noErr(t, err, "PruneEvents before the clause's events")
	minute := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	r1, r2 := newID("realm-"), newID("realm-")
	var seen []int64
	appendAt := func(realm string, when time.Time) int64 {
		e := event(realm, "login.succeeded", 0)
		e.Time = when
		id, err := s.AppendEvent(ctx(t), e)
		noErr(t, err, "AppendEvent")
		seen = append(seen, id)
		return id
	}
	byMinute := map[int]int64{}
	for _, i := range []int{5, 0, 3, 1, 4, 2} { // not in the order of time
		byMinute[i] = appendAt(r1, minute(i).In(wib))
	}
	appendAt(r2, minute(1))
	appendAt(r2, minute(4))
	recent := appendAt(r1, at)
	highest := slices.Max(seen)
	ids := func(realm string) []int64 {
		es, err := s.ListEvents(ctx(t), store.EventQuery{Realm: realm, Limit: 100})
		noErr(t, err, "ListEvents")
		var got []int64
		for _, e := range es {
			got = append(got, e.ID)
		}
		return got
	}

	n, err := s.PruneEvents(ctx(t), minute(3), 1000)
	noErr(t, err, "PruneEvents")
	equal(t, n, 4, "events pruned before the 3rd minute, of both realms")
	equal(t, ids(r1), []int64{recent, byMinute[4], byMinute[3], byMinute[5]}, "events left, newest first")
	equal(t, len(ids(r2)), 1, "events left in the other realm")
	n, err = s.PruneEvents(ctx(t), minute(3), 1000)
	noErr(t, err, "PruneEvents again")
	equal(t, n, 0, "events pruned again before the 3rd minute")
	n, err = s.PruneEvents(ctx(t), minute(3).Add(time.Microsecond), 1000)
	noErr(t, err, "PruneEvents")
	equal(t, n, 1, "events pruned before just after the 3rd minute: the one at it")

	n, err = s.PruneEvents(ctx(t), minute(60).In(wib), 1000)
	noErr(t, err, "PruneEvents")
	equal(t, n, 3, "events pruned before the hour's end")
	equal(t, ids(r1), []int64{recent}, "events left: the recent one")
	equal(t, len(ids(r2)), 0, "events left in the other realm")
	n, err = s.PruneEvents(ctx(t), time.Time{}, 1000)
	noErr(t, err, "PruneEvents(zero time)")
	equal(t, n, 0, "events pruned before the zero time")

	// No ID is given again, not even the newest pruned one's.
	last := appendAt(r2, minute(30))
	if last <= highest {
		t.Fatalf("an event appended after pruning got ID %d, not above %d, the highest given before", last, highest)
	}
	n, err = s.PruneEvents(ctx(t), minute(60), 1000)
	noErr(t, err, "PruneEvents")
	equal(t, n, 1, "events pruned: the one appended last")
	if next := appendAt(r2, minute(30)); next <= last {
		t.Fatalf("an event appended after the newest was pruned got ID %d, not above %d", next, last)
	}
	_, err = s.PruneEvents(ctx(t), minute(60), 1000)
	noErr(t, err, "PruneEvents")

	c, cancel := contextWithCancel(t)
	cancel()
	if _, err := s.PruneEvents(c, at.Add(time.Hour), 1000); err == nil {
		t.Fatal("PruneEvents with a canceled context succeeded")
	}
	equal(t, ids(r1), []int64{recent}, "events after PruneEvents with a canceled context")
}

// testPruneEventsLimit: PruneEvents deletes at most limit events, the
// oldest first whatever the order they were appended in, so that a caller
// deletes a backlog in short batches; a limit below 1 is ErrInvalid.
func testPruneEventsLimit(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	base := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rand.N(40*365*24)) * time.Hour)
	_, err := s.PruneEvents(ctx(t), base, 1<<30)
	noErr(t, err, "PruneEvents before the clause's events")
	realm := newID("realm-")
	minute := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	for _, i := range []int{4, 0, 3, 1, 2} {
		e := event(realm, "login.succeeded", 0)
		e.Time = minute(i)
		_, err := s.AppendEvent(ctx(t), e)
		noErr(t, err, "AppendEvent")
	}
	left := func() []time.Time {
		es, err := s.ListEvents(ctx(t), store.EventQuery{Realm: realm, Limit: 100})
		noErr(t, err, "ListEvents")
		var ts []time.Time
		for _, e := range es {
			ts = append(ts, e.Time.UTC())
		}
		slices.SortFunc(ts, time.Time.Compare)
		return ts
	}
	n, err := s.PruneEvents(ctx(t), minute(10), 2)
	noErr(t, err, "PruneEvents(limit 2)")
	equal(t, n, 2, "events pruned with a limit of 2")
	equal(t, left(), []time.Time{minute(2), minute(3), minute(4)}, "the two oldest went")
	n, err = s.PruneEvents(ctx(t), minute(10), 2)
	noErr(t, err, "PruneEvents(limit 2) again")
	equal(t, n, 2, "events pruned in the second batch")
	n, err = s.PruneEvents(ctx(t), minute(10), 2)
	noErr(t, err, "PruneEvents(limit 2) a third time")
	equal(t, n, 1, "the last one")
	for _, limit := range []int{0, -1} {
		_, err := s.PruneEvents(ctx(t), minute(10), limit)
		isErr(t, err, store.ErrInvalid, "PruneEvents with a limit below 1")
	}
}

// realmBase is the time around which the PruneRealm clauses put their
// events: far after every time the clauses and a host's tests prune
// every realm before, so that a store shared with them loses none of
// them but to the realm's own pruning.
var realmBase = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// realmLog appends events to s and reads back what is left.
type realmLog struct {
	t *testing.T
	s store.Events
}

func (l realmLog) add(realm string, when time.Time) int64 {
	e := event(realm, "login.succeeded", 0)
	e.Time = when
	id, err := l.s.AppendEvent(ctx(l.t), e)
	noErr(l.t, err, "AppendEvent")
	return id
}

// ids returns the IDs of realm's events, newest first.
func (l realmLog) ids(realm string) []int64 {
	es, err := l.s.ListEvents(ctx(l.t), store.EventQuery{Realm: realm, Limit: 1000})
	noErr(l.t, err, "ListEvents")
	got := []int64{}
	for _, e := range es {
		got = append(got, e.ID)
	}
	return got
}

// testPruneRealmEvents: PruneRealmEvents deletes the realm's events whose
// Time is before the time given, whatever the order they were appended
// in, counts them, keeps the one at that time, leaves every other realm's
// events however old, and never gives an ID again.
func testPruneRealmEvents(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	l := realmLog{t, s}
	minute := func(i int) time.Time { return realmBase.Add(time.Duration(i) * time.Minute) }
	r1, r2 := newID("realm-"), newID("realm-")
	byMinute := map[int]int64{}
	var other []int64
	for _, i := range []int{5, 0, 3, 1, 4, 2} { // not in the order of time
		byMinute[i] = l.add(r1, minute(i).In(wib))
		other = append([]int64{l.add(r2, minute(i-60))}, other...)
	}
	highest := slices.Max(append(slices.Collect(maps.Values(byMinute)), other...))

	n, err := s.PruneRealmEvents(ctx(t), r1, minute(3), 1000)
	noErr(t, err, "PruneRealmEvents")
	equal(t, n, 3, "events of the realm pruned before the 3rd minute")
	equal(t, l.ids(r1), []int64{byMinute[4], byMinute[3], byMinute[5]}, "the realm's events left, by ID")
	equal(t, l.ids(r2), other, "the other realm's events, all older")
	n, err = s.PruneRealmEvents(ctx(t), r1, minute(3), 1000)
	noErr(t, err, "PruneRealmEvents again")
	equal(t, n, 0, "events pruned again before the 3rd minute")
	n, err = s.PruneRealmEvents(ctx(t), r1, minute(3).Add(time.Microsecond).In(wib), 1000)
	noErr(t, err, "PruneRealmEvents")
	equal(t, n, 1, "events pruned before just after the 3rd minute: the one at it")
	n, err = s.PruneRealmEvents(ctx(t), r1, time.Time{}, 1000)
	noErr(t, err, "PruneRealmEvents(zero time)")
	equal(t, n, 0, "events pruned before the zero time")
	n, err = s.PruneRealmEvents(ctx(t), newID("realm-"), minute(60), 1000)
	noErr(t, err, "PruneRealmEvents(a realm without events)")
	equal(t, n, 0, "events pruned in a realm without any")
	equal(t, l.ids(r2), other, "the other realm's events after every pruning of the first")

	n, err = s.PruneRealmEvents(ctx(t), r1, minute(60), 1000)
	noErr(t, err, "PruneRealmEvents")
	equal(t, n, 2, "the realm's last events")
	equal(t, l.ids(r1), []int64{}, "the realm's events left")
	// No ID is given again, not even the newest pruned one's.
	if next := l.add(r1, minute(30)); next <= highest {
		t.Fatalf("an event appended after pruning got ID %d, not above %d, the highest given before", next, highest)
	}

	c, cancel := contextWithCancel(t)
	cancel()
	if _, err := s.PruneRealmEvents(c, r2, minute(60), 1000); err == nil {
		t.Fatal("PruneRealmEvents with a canceled context succeeded")
	}
	equal(t, l.ids(r2), other, "events after PruneRealmEvents with a canceled context")
}

// testPruneRealmEventsLimit: PruneRealmEvents deletes at most limit events,
// the oldest of the realm first whatever the order they were appended in,
// even when another realm holds older ones.
func testPruneRealmEventsLimit(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	l := realmLog{t, s}
	realm, other := newID("realm-"), newID("realm-")
	minute := func(i int) time.Time { return realmBase.Add(time.Duration(i) * time.Minute) }
	for _, i := range []int{4, 0, 3, 1, 2} {
		l.add(realm, minute(i))
		l.add(other, minute(i-10))
	}
	left := func() []time.Time {
		es, err := s.ListEvents(ctx(t), store.EventQuery{Realm: realm, Limit: 100})
		noErr(t, err, "ListEvents")
		ts := []time.Time{}
		for _, e := range es {
			ts = append(ts, e.Time.UTC())
		}
		slices.SortFunc(ts, time.Time.Compare)
		return ts
	}
	for _, step := range []struct {
		n    int
		left []time.Time
	}{
		{2, []time.Time{minute(2), minute(3), minute(4)}},
		{2, []time.Time{minute(4)}},
		{1, []time.Time{}},
		{0, []time.Time{}},
	} {
		n, err := s.PruneRealmEvents(ctx(t), realm, minute(10), 2)
		noErr(t, err, "PruneRealmEvents(limit 2)")
		equal(t, n, step.n, "events pruned with a limit of 2")
		equal(t, left(), step.left, "the realm's events left: the oldest went first")
	}
	equal(t, len(l.ids(other)), 5, "the other realm's events")
}

// testPruneRealmEventsInvalid: an empty realm or a limit below 1 is
// ErrInvalid and deletes nothing, of the realm or of any other.
func testPruneRealmEventsInvalid(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	l := realmLog{t, s}
	realm := newID("realm-")
	want := []int64{l.add(realm, realmBase.Add(time.Minute)), l.add(realm, realmBase)}
	for _, c := range []struct {
		name  string
		realm string
		limit int
	}{
		{"an empty realm", "", 1000},
		{"a limit of 0", realm, 0},
		{"a negative limit", realm, -1},
		{"an empty realm and a limit of 0", "", 0},
	} {
		n, err := s.PruneRealmEvents(ctx(t), c.realm, realmBase.Add(time.Hour), c.limit)
		isErr(t, err, store.ErrInvalid, "PruneRealmEvents with "+c.name)
		equal(t, n, 0, "events counted by PruneRealmEvents with "+c.name)
	}
	equal(t, l.ids(realm), []int64{want[1], want[0]}, "the realm's events after the invalid prunings")
}

// testPruneRealmEventsConcurrent: prunings of one realm that run at once
// delete each event once: their counts add up to the events that were
// old, and the rest stay.
func testPruneRealmEventsConcurrent(t *testing.T, open Opener) {
	s := as[store.Events](t, open)
	l := realmLog{t, s}
	realm := newID("realm-")
	const old, kept, workers = 30, 5, 6
	for i := range old + kept {
		l.add(realm, realmBase.Add(time.Duration(i)*time.Second))
	}
	want := l.ids(realm)[:kept]
	var total atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				n, err := s.PruneRealmEvents(ctx(t), realm, realmBase.Add(old*time.Second), 4)
				if err != nil {
					t.Error(err)
					return
				}
				total.Add(int64(n))
				if n == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	equal(t, total.Load(), int64(old), "events the concurrent prunings counted")
	equal(t, l.ids(realm), want, "the realm's events left")
}

package memstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
)

func loginEvent(i int) store.Event {
	return store.Event{
		Kind:       "login.succeeded",
		Realm:      "lpse",
		AccountID:  fmt.Sprintf("acc-%024d", i%1000),
		Username:   "198503122010011001",
		Time:       time.Date(2026, 3, 17, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		ClientAddr: "203.0.113.7",
		UserAgent:  "Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Mobile Safari/537.36",
		Details:    map[string]string{"method": "totp"},
	}
}

// TestEventsBounded: 200,000 appends to a store from New keep the newest
// DefaultMaxEvents, in an array that does not grow past twice that; the
// IDs go on growing and page as before.
func TestEventsBounded(t *testing.T) {
	s := New()
	ctx := t.Context()
	const n = 2 * DefaultMaxEvents
	for i := range n {
		id, err := s.AppendEvent(ctx, loginEvent(i))
		require.NoError(t, err)
		require.EqualValues(t, i+1, id)
		if len(s.events) > DefaultMaxEvents || cap(s.events) > 2*DefaultMaxEvents {
			t.Fatalf("after %d appends the log holds %d events in an array of %d", i+1, len(s.events), cap(s.events))
		}
	}
	require.Len(t, s.events, DefaultMaxEvents)
	require.EqualValues(t, n-DefaultMaxEvents+1, s.events[0].ID, "the oldest kept")

	page, err := s.ListEvents(ctx, store.EventQuery{Realm: "lpse", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []int64{n, n - 1}, []int64{page[0].ID, page[1].ID})
	page, err = s.ListEvents(ctx, store.EventQuery{Realm: "lpse", Before: n - DefaultMaxEvents + 3, Limit: 10})
	require.NoError(t, err)
	require.Len(t, page, 2, "the two oldest kept, before an ID")
	require.EqualValues(t, n-DefaultMaxEvents+1, page[1].ID)
	page, err = s.ListEvents(ctx, store.EventQuery{Realm: "lpse", Before: 1000, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, page, "events dropped")
}

// TestEventsMaxEvents: Config.MaxEvents bounds the log, or with a
// negative value does not; PruneEvents works alongside.
func TestEventsMaxEvents(t *testing.T) {
	ctx := t.Context()
	s := NewWithConfig(Config{MaxEvents: 3})
	for i := range 5 {
		_, err := s.AppendEvent(ctx, loginEvent(i))
		require.NoError(t, err)
	}
	got, err := s.ListEvents(ctx, store.EventQuery{Realm: "lpse"})
	require.NoError(t, err)
	require.Equal(t, []int64{5, 4, 3}, ids(got))
	pruned, err := s.PruneEvents(ctx, loginEvent(4).Time, 1000)
	require.NoError(t, err)
	require.Equal(t, 2, pruned)
	id, err := s.AppendEvent(ctx, loginEvent(0))
	require.NoError(t, err)
	require.EqualValues(t, 6, id)

	unbounded := NewWithConfig(Config{MaxEvents: -1})
	for i := range 2 * sweepEvery {
		_, err := unbounded.AppendEvent(ctx, loginEvent(i))
		require.NoError(t, err)
	}
	require.Len(t, unbounded.events, 2*sweepEvery)
}

func ids(es []store.Event) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

// TestEventsBoundKeepsAccounts: past the bound, events that name no
// account go first, so that a flood of logins for made-up usernames
// cannot push an account's history out of the log.
func TestEventsBoundKeepsAccounts(t *testing.T) {
	ctx := t.Context()
	s := NewWithConfig(Config{MaxEvents: 10})
	owned := loginEvent(0)
	owned.AccountID = "budi"
	for range 3 {
		_, err := s.AppendEvent(ctx, owned)
		require.NoError(t, err)
	}
	for i := range 1000 {
		e := loginEvent(i)
		e.AccountID = ""
		_, err := s.AppendEvent(ctx, e)
		require.NoError(t, err)
	}
	mine, err := s.ListEvents(ctx, store.EventQuery{Realm: "lpse", AccountID: "budi", Limit: 100})
	require.NoError(t, err)
	require.Len(t, mine, 3, "the account's history survives the flood")
	all, err := s.ListEvents(ctx, store.EventQuery{Realm: "lpse", Limit: 100})
	require.NoError(t, err)
	require.Len(t, all, 10, "the bound holds")
	require.EqualValues(t, 1003, all[0].ID, "newest first, across both logs")
	require.EqualValues(t, 1, all[9].ID)
	// With only accounts' events, the oldest of them goes.
	for range 10 {
		_, err := s.AppendEvent(ctx, owned)
		require.NoError(t, err)
	}
	mine, err = s.ListEvents(ctx, store.EventQuery{Realm: "lpse", AccountID: "budi", Limit: 100})
	require.NoError(t, err)
	require.Len(t, mine, 10)
}

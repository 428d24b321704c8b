package memstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
)

// TestSessionSweep: sessions that go idle unread do not pile up; they are
// swept while new ones begin, with their accounts' index.
func TestSessionSweep(t *testing.T) {
	s := New()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	mk := func(i int, at time.Time) store.Session {
		return store.Session{
			Selector: fmt.Sprintf("session-%012d", i), Hash: make([]byte, 32),
			AccountID: fmt.Sprint("acc-", i), Realm: "r", Stamp: "s",
			CreatedAt: at, LastSeenAt: at, IdleUntil: at.Add(time.Minute), ExpiresAt: at.Add(time.Hour),
		}
	}
	for i := range sweepEvery - 1 {
		require.NoError(t, s.CreateSession(t.Context(), mk(i, t0)))
	}
	require.NoError(t, s.CreateSession(t.Context(), mk(-1, t0.Add(time.Minute))))
	require.Len(t, s.sessions, 1, "the idle sessions were swept")
	require.Len(t, s.accountSessions, 1, "and their accounts' index")
}

// TestSessionsDropped: an account's sessions that are no longer live are
// dropped when it begins another, and DeleteSessions leaves no index
// behind.
func TestSessionsDropped(t *testing.T) {
	s := New()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	mk := func(i int, at time.Time) store.Session {
		return store.Session{
			Selector: fmt.Sprintf("session-%012d", i), Hash: make([]byte, 32),
			AccountID: "acc-1", Realm: "r", Stamp: "s",
			CreatedAt: at, LastSeenAt: at, IdleUntil: at.Add(time.Minute), ExpiresAt: at.Add(time.Hour),
		}
	}
	for i := range 5 {
		require.NoError(t, s.CreateSession(t.Context(), mk(i, t0)))
	}
	require.NoError(t, s.CreateSession(t.Context(), mk(5, t0.Add(time.Minute))))
	require.Len(t, s.sessions, 1)
	require.Equal(t, []string{"session-000000000005"}, s.accountSessions["acc-1"])
	n, err := s.DeleteSessions(t.Context(), "acc-1", "")
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Empty(t, s.sessions)
	require.Empty(t, s.accountSessions)
}

// TestListAccountsCap: a Limit above 1000 returns 1000, which the shared
// suite leaves unchecked to spare the databases 1001 accounts.
func TestListAccountsCap(t *testing.T) {
	s := New()
	for i := range 1001 {
		a := store.Account{ID: fmt.Sprint("acc-", i), Realm: "r", Username: fmt.Sprintf("user%04d", i), State: store.StateActive, SecurityStamp: "s"}
		require.NoError(t, s.CreateAccount(t.Context(), a, nil))
	}
	got, err := s.ListAccounts(t.Context(), store.AccountQuery{Realm: "r", Limit: 5000})
	require.NoError(t, err)
	require.Len(t, got, 1000)
	require.Equal(t, "user0999", got[999].Username)
}

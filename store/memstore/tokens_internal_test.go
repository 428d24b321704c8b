package memstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
)

// TestTokenSweep: tokens that expire unread do not pile up; they are swept
// while new ones are issued.
func TestTokenSweep(t *testing.T) {
	s := New()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	mk := func(i int, at time.Time) store.Token {
		return store.Token{
			Selector: fmt.Sprintf("token-%012d", i), AccountID: fmt.Sprint("acc-", i), Purpose: "reset",
			Hash: make([]byte, 32), MaxAttempts: 5, IssuedAt: at, ExpiresAt: at.Add(time.Minute),
		}
	}
	for i := range sweepEvery - 1 {
		require.NoError(t, s.IssueToken(t.Context(), mk(i, t0), 0))
	}
	require.NoError(t, s.IssueToken(t.Context(), mk(-1, t0.Add(time.Minute)), 0))
	require.Len(t, s.tokens, 1, "the expired tokens were swept")
	require.Len(t, s.owners, 1, "and their owners' index")
}

// TestDeviceSweep: an account's expired devices are dropped when it
// remembers another.
func TestDeviceSweep(t *testing.T) {
	s := New()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	a := store.Account{ID: "acc-1", Realm: "r", Username: "u", State: store.StateActive, SecurityStamp: "s"}
	require.NoError(t, s.CreateAccount(t.Context(), a, nil))
	mk := func(i int, at time.Time) store.Device {
		return store.Device{
			Selector: fmt.Sprintf("device-%012d", i), AccountID: a.ID, Hash: make([]byte, 32), Stamp: "s",
			CreatedAt: at, ExpiresAt: at.Add(time.Hour),
		}
	}
	for i := range 5 {
		require.NoError(t, s.RememberDevice(t.Context(), mk(i, t0)))
	}
	require.NoError(t, s.RememberDevice(t.Context(), mk(5, t0.Add(time.Hour))))
	require.Len(t, s.devices, 1)
	require.Equal(t, []string{"device-000000000005"}, s.accountDevices[a.ID])
}

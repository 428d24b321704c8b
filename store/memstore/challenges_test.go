package memstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

// TestChallengeCapacity is matrix case 50 at memstore: a flood of
// challenges from many addresses fills the store to its bound and no
// further, and expired challenges make room again.
func TestChallengeCapacity(t *testing.T) {
	s := memstore.New()
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	mk := func(i int, at time.Time) store.Challenge {
		return store.Challenge{ID: fmt.Sprintf("challenge-%012d", i), Flow: "f", AnswerHash: make([]byte, 32), IssuedAt: at, ExpiresAt: at.Add(time.Minute)}
	}
	for i := range memstore.MaxChallenges {
		require.NoError(t, s.CreateChallenge(t.Context(), mk(i, t0)))
	}
	require.ErrorIs(t, s.CreateChallenge(t.Context(), mk(-1, t0.Add(time.Second))), store.ErrCapacity)
	require.NoError(t, s.CreateChallenge(t.Context(), mk(-2, t0.Add(time.Minute))), "the expired ones made room")
}

package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// newChallenge returns a valid challenge issued at t0 that expires after
// ttl.
func newChallenge(ttl time.Duration) store.Challenge { return testdb.Challenge(t0, ttl) }

// newBoundedStore returns a migrated store of b that keeps at most max
// challenges.
func newBoundedStore(t testing.TB, b backend, max int) *sqlstore.Store {
	t.Helper()
	db, schema := b.open(t)
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema, MaxChallenges: max})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// TestChallengeFieldsExact: what is stored reads back as it was, binary
// bytes included, to the microsecond, an empty image, audio map or WAV as
// nil.
func TestChallengeFieldsExact(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			testdb.ChallengeFields(t, s)
		})
	}
}

// TestChallengeCapacity: a full table refuses new challenges until one is
// taken or expires; expired ones are deleted to make room.
func TestChallengeCapacity(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s := newBoundedStore(t, b, 3)
			cs := testdb.ChallengeCapacity(t, s, t0)
			_, err := s.Challenge(t.Context(), cs[1].ID, t0)
			require.NoError(t, err, "a live challenge deleted to make room")
			_, err = s.Challenge(t.Context(), cs[0].ID, t0)
			require.ErrorIs(t, err, store.ErrNotFound, "an expired challenge kept")
		})
	}
}

// TestChallengeUnbounded: a negative MaxChallenges bounds nothing.
func TestChallengeUnbounded(t *testing.T) {
	s := newBoundedStore(t, sqliteBackend, -1)
	for range 5 {
		require.NoError(t, s.CreateChallenge(t.Context(), newChallenge(time.Minute)))
	}
	s = newBoundedStore(t, sqliteBackend, 0)
	for range 5 {
		require.NoError(t, s.CreateChallenge(t.Context(), newChallenge(time.Minute)), "zero is the default bound")
	}
}

// TestPruneChallenges deletes the challenges expired at the time given,
// and only those.
func TestPruneChallenges(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			ctx := t.Context()
			for i := range 4 {
				require.NoError(t, s.CreateChallenge(ctx, newChallenge(time.Duration(i+1)*time.Minute)))
			}
			n, err := s.PruneChallenges(ctx, t0.Add(time.Minute-time.Microsecond))
			require.NoError(t, err)
			require.Zero(t, n)
			n, err = s.PruneChallenges(ctx, t0.Add(2*time.Minute))
			require.NoError(t, err)
			require.EqualValues(t, 2, n)
			require.Len(t, column[string](t, db, "SELECT id FROM "+table(schema, "challenges")), 2)
		})
	}
}

// TestChallengeIDNotText: PostgreSQL's text cannot hold every string; an
// ID or flow it cannot is invalid to create and never found.
func TestChallengeIDNotText(t *testing.T) {
	s, _, _ := postgresBackend.newStore(t)
	for _, bad := range []string{"ch-\xff\xfe-0123456789abcdef", "ch-\x00-0123456789abcdef"} {
		c := newChallenge(time.Minute)
		c.ID = bad
		require.ErrorIs(t, s.CreateChallenge(t.Context(), c), store.ErrInvalid, "%q", bad)
		c = newChallenge(time.Minute)
		c.Flow = bad
		require.ErrorIs(t, s.CreateChallenge(t.Context(), c), store.ErrInvalid, "%q", bad)
		_, err := s.Challenge(t.Context(), bad, t0)
		require.ErrorIs(t, err, store.ErrNotFound, "%q", bad)
		_, err = s.TakeChallenge(t.Context(), bad, t0)
		require.ErrorIs(t, err, store.ErrNotFound, "%q", bad)
	}
}

// BenchmarkCreateTakeChallenge measures a challenge's life, as large as
// the captcha package makes them, in a table kept near its bound.
func BenchmarkCreateTakeChallenge(b *testing.B) {
	for _, be := range backends() {
		b.Run(be.name, func(b *testing.B) {
			s := newBoundedStore(b, be, 0)
			wav := make([]byte, 50<<10)
			c := newChallenge(10 * time.Minute)
			c.Image, c.Audio = make([]byte, 4<<10), map[string][]byte{"id": wav, "en": wav}
			for i := range 1000 {
				c.ID = fmt.Sprintf("ch-fill-%d-%s", i, randomHex(8))
				require.NoError(b, s.CreateChallenge(b.Context(), c))
			}
			for i := 0; b.Loop(); i++ {
				c.ID = fmt.Sprintf("ch-%d-%s", i, randomHex(8))
				if err := s.CreateChallenge(b.Context(), c); err != nil {
					b.Fatal(err)
				}
				if _, err := s.TakeChallenge(b.Context(), c.ID, t0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

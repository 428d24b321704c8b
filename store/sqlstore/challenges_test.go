package sqlstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// newChallenge returns a valid challenge issued at t0 that expires after
// ttl.
func newChallenge(ttl time.Duration) store.Challenge {
	return store.Challenge{
		ID:         "ch-" + randomHex(16),
		Flow:       "login-" + randomHex(4),
		AnswerHash: []byte("0123456789abcdef0123456789abcdef"),
		Image:      []byte("\x89PNG\r\n\x1a\n\x00image"),
		Audio:      map[string][]byte{"id": []byte("RIFF\x00\xffid"), "en": []byte("RIFF en")},
		IssuedAt:   t0,
		ExpiresAt:  t0.Add(ttl),
	}
}

// storedChallenge returns c as a store reads it back: its times to the
// microsecond, an empty image, audio map or WAV as nil.
func storedChallenge(c store.Challenge) store.Challenge {
	c.IssuedAt, c.ExpiresAt = c.IssuedAt.Truncate(time.Microsecond), c.ExpiresAt.Truncate(time.Microsecond)
	if len(c.Image) == 0 {
		c.Image = nil
	}
	if len(c.Audio) == 0 {
		c.Audio = nil
	}
	for lang, wav := range c.Audio {
		if len(wav) == 0 {
			c.Audio[lang] = nil
		}
	}
	return c
}

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
			for name, mutate := range map[string]func(c *store.Challenge){
				"as issued":          func(*store.Challenge) {},
				"no image, no audio": func(c *store.Challenge) { c.Image, c.Audio = nil, nil },
				"empty image":        func(c *store.Challenge) { c.Image = []byte{} },
				"empty audio":        func(c *store.Challenge) { c.Audio = map[string][]byte{} },
				"nil and empty WAV":  func(c *store.Challenge) { c.Audio = map[string][]byte{"id": nil, "en": {}} },
				"nanoseconds":        func(c *store.Challenge) { c.IssuedAt, c.ExpiresAt = c.IssuedAt.Add(999), c.ExpiresAt.Add(999) },
			} {
				c := newChallenge(time.Minute)
				mutate(&c)
				require.NoError(t, s.CreateChallenge(t.Context(), c), name)
				want := storedChallenge(c)
				got, err := s.Challenge(t.Context(), c.ID, t0)
				require.NoError(t, err, name)
				require.Equal(t, want, got, name)
				got, err = s.TakeChallenge(t.Context(), c.ID, t0)
				require.NoError(t, err, name)
				require.Equal(t, want, got, name)
			}
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
			ctx := t.Context()
			cs := make([]store.Challenge, 3)
			for i := range cs {
				cs[i] = newChallenge(time.Duration(i+1) * time.Minute)
				require.NoError(t, s.CreateChallenge(ctx, cs[i]))
			}
			require.ErrorIs(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), store.ErrCapacity)
			_, err := s.TakeChallenge(ctx, cs[2].ID, t0)
			require.NoError(t, err)
			require.NoError(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), "after a take")
			require.ErrorIs(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), store.ErrCapacity)

			// Issued when the first has expired: it gives its room.
			late := newChallenge(time.Minute)
			late.IssuedAt, late.ExpiresAt = t0.Add(time.Minute), t0.Add(2*time.Minute)
			require.NoError(t, s.CreateChallenge(ctx, late))
			_, err = s.Challenge(ctx, cs[1].ID, t0)
			require.NoError(t, err, "a live challenge deleted to make room")
			_, err = s.Challenge(ctx, cs[0].ID, t0)
			require.ErrorIs(t, err, store.ErrNotFound, "an expired challenge kept")
			require.NoError(t, s.CreateChallenge(ctx, newChallenge(time.Minute)))
			require.ErrorIs(t, s.CreateChallenge(ctx, newChallenge(time.Minute)), store.ErrCapacity, "full, and nothing expired")
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

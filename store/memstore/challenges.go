package memstore

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/masuk-id/masuk/store"
)

var _ store.Challenges = (*Store)(nil)

// MaxChallenges is how many live captcha challenges a Store keeps; more
// are refused with store.ErrCapacity. Issuance is also limited per client
// address by the captcha package; this bounds a flood from many addresses.
// A challenge with its image and two recordings is about 100 KB, so the
// bound is about 1 GB: the default of sqlstore and redisstore too.
const MaxChallenges = 10_000

// CreateChallenge implements [store.Challenges].
func (s *Store) CreateChallenge(ctx context.Context, c store.Challenge) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckChallenge(c); err != nil {
		return err
	}
	c = cloneChallenge(c)
	c.IssuedAt, c.ExpiresAt = c.IssuedAt.UTC(), c.ExpiresAt.UTC()
	s.cmu.Lock()
	defer s.cmu.Unlock()
	if _, ok := s.challenges[c.ID]; ok {
		return store.ErrConflict
	}
	if len(s.challenges) >= MaxChallenges {
		// Expired challenges are dropped only when room is needed: a
		// sweep costs a pass over all of them.
		for id, old := range s.challenges {
			if !c.IssuedAt.Before(old.ExpiresAt) {
				delete(s.challenges, id)
			}
		}
		if len(s.challenges) >= MaxChallenges {
			return store.ErrCapacity
		}
	}
	s.challenges[c.ID] = c
	return nil
}

// Challenge implements [store.Challenges].
func (s *Store) Challenge(ctx context.Context, id string, at time.Time) (store.Challenge, error) {
	if err := ctx.Err(); err != nil {
		return store.Challenge{}, err
	}
	s.cmu.Lock()
	defer s.cmu.Unlock()
	c, ok := s.challenges[id]
	if !ok || !at.Before(c.ExpiresAt) {
		return store.Challenge{}, store.ErrNotFound
	}
	return cloneChallenge(c), nil
}

// TakeChallenge implements [store.Challenges].
func (s *Store) TakeChallenge(ctx context.Context, id string, at time.Time) (store.Challenge, error) {
	if err := ctx.Err(); err != nil {
		return store.Challenge{}, err
	}
	s.cmu.Lock()
	defer s.cmu.Unlock()
	c, ok := s.challenges[id]
	if !ok {
		return store.Challenge{}, store.ErrNotFound
	}
	delete(s.challenges, id)
	if !at.Before(c.ExpiresAt) {
		return store.Challenge{}, store.ErrNotFound
	}
	return c, nil
}

func cloneChallenge(c store.Challenge) store.Challenge {
	c.AnswerHash = slices.Clone(c.AnswerHash)
	c.Image = slices.Clone(c.Image)
	c.Audio = maps.Clone(c.Audio)
	for k, v := range c.Audio {
		c.Audio[k] = slices.Clone(v)
	}
	return c
}

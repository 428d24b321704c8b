package memstore

import (
	"context"
	"crypto/subtle"
	"maps"
	"slices"
	"time"

	"github.com/masuk-id/masuk/store"
)

var _ store.Tokens = (*Store)(nil)

// Tokens are kept under a lock of their own, apart from accounts: they do
// not check that their account exists. An account holds at most one token
// per purpose; a token is deleted when it is consumed, voided, replaced, or
// found expired (one out of attempts stays until then). Tokens that are never read again are
// swept, once every sweepEvery issues, when they have expired by the
// issuing caller's clock, so memory is bounded by the tokens live at once
// (at most one per account and purpose) and sweepEvery more.

// IssueToken implements [store.Tokens]. A selector held by a token that has
// expired at t.IssuedAt is not taken: that token is dropped.
func (s *Store) IssueToken(ctx context.Context, t store.Token, cooldown time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckToken(t); err != nil {
		return err
	}
	t = cloneToken(t)
	t.Attempts = 0
	t.IssuedAt, t.ExpiresAt = t.IssuedAt.UTC(), t.ExpiresAt.UTC()
	s.tmu.Lock()
	defer s.tmu.Unlock()
	if held, ok := s.tokens[t.Selector]; ok && (held.AccountID != t.AccountID || held.Purpose != t.Purpose) {
		if t.IssuedAt.Before(held.ExpiresAt) {
			return store.ErrConflict
		}
		s.deleteTokenLocked(held)
	}
	if sel, ok := s.owners[t.AccountID][t.Purpose]; ok {
		prev := s.tokens[sel]
		if until := prev.IssuedAt.Add(cooldown); cooldown > 0 && t.IssuedAt.Before(prev.ExpiresAt) && t.IssuedAt.Before(until) {
			return &store.CooldownError{Until: until}
		}
		s.deleteTokenLocked(prev)
	}
	s.tokens[t.Selector] = t
	owned := s.owners[t.AccountID]
	if owned == nil {
		owned = make(map[string]string, 1)
		s.owners[t.AccountID] = owned
	}
	owned[t.Purpose] = t.Selector
	s.issued++
	if s.issued%sweepEvery == 0 {
		for _, old := range s.tokens {
			if !t.IssuedAt.Before(old.ExpiresAt) {
				s.deleteTokenLocked(old)
			}
		}
	}
	return nil
}

// AttemptToken implements [store.Tokens]. A key that names no token is
// ErrInvalid.
func (s *Store) AttemptToken(ctx context.Context, k store.TokenKey, at time.Time) (store.Token, error) {
	if err := ctx.Err(); err != nil {
		return store.Token{}, err
	}
	if err := store.CheckTokenKey(k); err != nil {
		return store.Token{}, err
	}
	s.tmu.Lock()
	defer s.tmu.Unlock()
	sel := k.Selector
	if sel == "" {
		sel = s.owners[k.AccountID][k.Purpose]
	}
	t, ok := s.tokens[sel]
	if !ok {
		return store.Token{}, store.ErrNotFound
	}
	if !at.Before(t.ExpiresAt) {
		s.deleteTokenLocked(t)
		return store.Token{}, store.ErrNotFound
	}
	if t.Attempts >= t.MaxAttempts {
		return store.Token{}, store.ErrNotFound // kept: see store.Tokens
	}
	t.Attempts++
	s.tokens[sel] = t
	return cloneToken(t), nil
}

// ConsumeToken implements [store.Tokens].
func (s *Store) ConsumeToken(ctx context.Context, selector string, hash []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.tmu.Lock()
	defer s.tmu.Unlock()
	t, ok := s.tokens[selector]
	if !ok || subtle.ConstantTimeCompare(t.Hash, hash) != 1 {
		return store.ErrNotFound
	}
	s.deleteTokenLocked(t)
	return nil
}

// VoidTokens implements [store.Tokens].
func (s *Store) VoidTokens(ctx context.Context, accountID string, purposes ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.tmu.Lock()
	defer s.tmu.Unlock()
	owned := s.owners[accountID]
	if len(purposes) == 0 {
		purposes = slices.Collect(maps.Keys(owned))
	}
	for _, p := range purposes {
		if sel, ok := owned[p]; ok {
			s.deleteTokenLocked(s.tokens[sel])
		}
	}
	return nil
}

// deleteTokenLocked removes t and its place in its owner's index.
func (s *Store) deleteTokenLocked(t store.Token) {
	delete(s.tokens, t.Selector)
	owned := s.owners[t.AccountID]
	if owned[t.Purpose] == t.Selector {
		delete(owned, t.Purpose)
		if len(owned) == 0 {
			delete(s.owners, t.AccountID)
		}
	}
}

func cloneToken(t store.Token) store.Token {
	t.Hash = slices.Clone(t.Hash)
	t.Data = maps.Clone(t.Data)
	return t
}

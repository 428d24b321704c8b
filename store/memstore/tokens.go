package memstore

import (
	"cmp"
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
// per purpose and binding, and store.MaxTokensPerPurpose live ones per
// purpose; a token is deleted when it is consumed, voided, replaced or
// found expired (one out of attempts stays until then). Tokens that are
// never read again are swept, once every sweepEvery issues, when they have
// expired by the issuing caller's clock, and an account's expired tokens
// of a purpose when it is issued another, so memory is bounded by the
// tokens live at once and sweepEvery more.

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
	if held, ok := s.tokens[t.Selector]; ok && (held.AccountID != t.AccountID || held.Purpose != t.Purpose || held.Binding != t.Binding) {
		if t.IssuedAt.Before(held.ExpiresAt) {
			return store.ErrConflict
		}
		s.deleteTokenLocked(held)
	}
	if sel, ok := s.owners[t.AccountID][t.Purpose][t.Binding]; ok {
		prev := s.tokens[sel]
		if until := prev.IssuedAt.Add(cooldown); cooldown > 0 && t.IssuedAt.Before(prev.ExpiresAt) && t.IssuedAt.Before(until) {
			return &store.CooldownError{Until: until}
		}
		s.deleteTokenLocked(prev)
	}
	// The bound: drop the purpose's expired tokens, then the live ones
	// that expire first until there is room for t.
	var live []store.Token
	for _, sel := range s.owners[t.AccountID][t.Purpose] {
		if old := s.tokens[sel]; t.IssuedAt.Before(old.ExpiresAt) {
			live = append(live, old)
		} else {
			s.deleteTokenLocked(old)
		}
	}
	if over := len(live) + 1 - store.MaxTokensPerPurpose; over > 0 {
		slices.SortFunc(live, func(a, b store.Token) int {
			return cmp.Or(a.ExpiresAt.Compare(b.ExpiresAt), a.IssuedAt.Compare(b.IssuedAt), cmp.Compare(a.Selector, b.Selector))
		})
		for _, old := range live[:over] {
			s.deleteTokenLocked(old)
		}
	}
	s.tokens[t.Selector] = t
	owned := s.owners[t.AccountID]
	if owned == nil {
		owned = make(map[string]map[string]string, 1)
		s.owners[t.AccountID] = owned
	}
	bound := owned[t.Purpose]
	if bound == nil {
		bound = make(map[string]string, 1)
		owned[t.Purpose] = bound
	}
	bound[t.Binding] = t.Selector
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
		sel = s.owners[k.AccountID][k.Purpose][k.Binding]
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
	s.voidTokensLocked(accountID, purposes...)
	return nil
}

// voidTokensLocked deletes the account's tokens of the purposes, of every
// binding, or of every purpose when none is given.
func (s *Store) voidTokensLocked(accountID string, purposes ...string) {
	owned := s.owners[accountID]
	if len(purposes) == 0 {
		purposes = slices.Collect(maps.Keys(owned))
	}
	for _, p := range purposes {
		for _, sel := range owned[p] {
			s.deleteTokenLocked(s.tokens[sel])
		}
	}
}

// deleteTokenLocked removes t and its place in its owner's index.
func (s *Store) deleteTokenLocked(t store.Token) {
	delete(s.tokens, t.Selector)
	owned := s.owners[t.AccountID]
	bound := owned[t.Purpose]
	if bound[t.Binding] == t.Selector {
		delete(bound, t.Binding)
		if len(bound) == 0 {
			delete(owned, t.Purpose)
		}
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

package memstore

import (
	"bytes"
	"cmp"
	"context"
	"slices"

	"github.com/masuk-id/masuk/store"
)

// Passkeys belong to accounts and are kept under the accounts' lock, as
// factors are, so that "the account exists" and the write are one atomic
// step, and UsePasskey's compare-and-set is one step too. They are keyed
// by their credential ID as a string, which holds any bytes, and each
// account has at most MaxPasskeysPerAccount of them. Every byte slice is
// copied on the way in and on the way out: neither the caller nor the
// store sees the other's writes.

var _ store.Passkeys = (*Store)(nil)

// CreatePasskey implements [store.Passkeys].
func (s *Store) CreatePasskey(ctx context.Context, p store.Passkey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckPasskey(p); err != nil {
		return err
	}
	p = clonePasskey(p)
	p.CreatedAt, p.LastUsedAt = p.CreatedAt.UTC(), p.LastUsedAt.UTC()
	id := string(p.ID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.accountLocked(p.AccountID); err != nil {
		return err
	}
	if _, ok := s.passkeys[id]; ok {
		return store.ErrConflict
	}
	if len(s.accountPasskeys[p.AccountID]) >= store.MaxPasskeysPerAccount {
		return store.ErrCapacity
	}
	s.passkeys[id] = p
	s.accountPasskeys[p.AccountID] = append(s.accountPasskeys[p.AccountID], id)
	return nil
}

// Passkeys implements [store.Passkeys].
func (s *Store) Passkeys(ctx context.Context, accountID string) ([]store.Passkey, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.accountPasskeys[accountID]
	out := make([]store.Passkey, 0, len(ids))
	for _, id := range ids {
		out = append(out, clonePasskey(s.passkeys[id]))
	}
	slices.SortFunc(out, func(a, b store.Passkey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), bytes.Compare(a.ID, b.ID))
	})
	return out, nil
}

// Passkey implements [store.Passkeys].
func (s *Store) Passkey(ctx context.Context, id []byte) (store.Passkey, error) {
	if err := ctx.Err(); err != nil {
		return store.Passkey{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.passkeys[string(id)]
	if !ok {
		return store.Passkey{}, store.ErrNotFound
	}
	return clonePasskey(p), nil
}

// UsePasskey implements [store.Passkeys].
func (s *Store) UsePasskey(ctx context.Context, u store.PasskeyUse) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.passkeyLocked(u.AccountID, u.ID)
	if !ok {
		return store.ErrNotFound
	}
	if p.SignCount != u.From {
		return store.ErrStale
	}
	p.SignCount, p.BackedUp, p.LastUsedAt = u.To, u.BackedUp, u.At.UTC()
	s.passkeys[string(u.ID)] = p
	return nil
}

// RenamePasskey implements [store.Passkeys].
func (s *Store) RenamePasskey(ctx context.Context, accountID string, id []byte, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckPasskeyName(name); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.passkeyLocked(accountID, id)
	if !ok {
		return store.ErrNotFound
	}
	p.Name = name
	s.passkeys[string(id)] = p
	return nil
}

// DeletePasskey implements [store.Passkeys].
func (s *Store) DeletePasskey(ctx context.Context, accountID string, id []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.passkeyLocked(accountID, id); !ok {
		return store.ErrNotFound
	}
	key := string(id)
	delete(s.passkeys, key)
	ids := slices.DeleteFunc(s.accountPasskeys[accountID], func(x string) bool { return x == key })
	if len(ids) == 0 {
		delete(s.accountPasskeys, accountID)
	} else {
		s.accountPasskeys[accountID] = ids
	}
	return nil
}

// passkeyLocked returns the account's passkey with the credential ID: a
// passkey is never changed through another account.
func (s *Store) passkeyLocked(accountID string, id []byte) (store.Passkey, bool) {
	p, ok := s.passkeys[string(id)]
	if !ok || p.AccountID != accountID {
		return store.Passkey{}, false
	}
	return p, true
}

// clonePasskey copies p's slices, so that the caller's and the stored ones
// never share, and makes empty ones nil.
func clonePasskey(p store.Passkey) store.Passkey {
	p.ID = cloneBytes(p.ID)
	p.PublicKey = cloneBytes(p.PublicKey)
	p.AAGUID = cloneBytes(p.AAGUID)
	if len(p.Transports) == 0 {
		p.Transports = nil
	} else {
		p.Transports = slices.Clone(p.Transports)
	}
	return p
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return slices.Clone(b)
}

package memstore

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Federated identities belong to accounts and are kept under the
// accounts' lock, as passkeys are, so that "the account exists, in this
// realm" and the write are one atomic step, and so is UnlinkIdentity's
// check that the account keeps another way to log in (its credential,
// another identity, a passkey, all under the same lock). They are keyed
// by (realm, issuer, subject); each account lists its own.

var _ store.Federation = (*Store)(nil)

type federatedKey struct{ realm, issuer, subject string }

// LinkIdentity implements [store.Federation].
func (s *Store) LinkIdentity(ctx context.Context, f store.FederatedIdentity) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckFederatedIdentity(f); err != nil {
		return err
	}
	f.CreatedAt, f.LastUsedAt = f.CreatedAt.UTC(), f.LastUsedAt.UTC()
	k := federatedKey{f.Realm, f.Issuer, f.Subject}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(f.AccountID)
	if err != nil {
		return err
	}
	if a.Realm != f.Realm {
		return store.ErrNotFound
	}
	if _, ok := s.federated[k]; ok {
		return store.ErrConflict
	}
	for _, o := range s.accountFederated[f.AccountID] {
		if o.issuer == f.Issuer {
			return store.ErrConflict
		}
	}
	s.federated[k] = f
	s.accountFederated[f.AccountID] = append(s.accountFederated[f.AccountID], k)
	return nil
}

// FederatedIdentity implements [store.Federation].
func (s *Store) FederatedIdentity(ctx context.Context, realm, issuer, subject string) (store.FederatedIdentity, error) {
	if err := ctx.Err(); err != nil {
		return store.FederatedIdentity{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	f, ok := s.federated[federatedKey{realm, issuer, subject}]
	if !ok {
		return store.FederatedIdentity{}, store.ErrNotFound
	}
	return f, nil
}

// FederatedIdentities implements [store.Federation].
func (s *Store) FederatedIdentities(ctx context.Context, accountID string) ([]store.FederatedIdentity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	keys := s.accountFederated[accountID]
	out := make([]store.FederatedIdentity, 0, len(keys))
	for _, k := range keys {
		out = append(out, s.federated[k])
	}
	slices.SortFunc(out, func(a, b store.FederatedIdentity) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.Issuer, b.Issuer))
	})
	return out, nil
}

// UseFederatedIdentity implements [store.Federation].
func (s *Store) UseFederatedIdentity(ctx context.Context, realm, issuer, subject string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if at.IsZero() {
		return store.ErrInvalid
	}
	k := federatedKey{realm, issuer, subject}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.federated[k]
	if !ok {
		return store.ErrNotFound
	}
	f.LastUsedAt = at.UTC()
	s.federated[k] = f
	return nil
}

// UnlinkIdentity implements [store.Federation].
func (s *Store) UnlinkIdentity(ctx context.Context, accountID, issuer, subject string, keepAWay bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := s.accountFederated[accountID]
	i := slices.IndexFunc(keys, func(k federatedKey) bool { return k.issuer == issuer && k.subject == subject })
	if i < 0 {
		return store.ErrNotFound
	}
	if keepAWay {
		_, hasCredential := s.creds[accountID]
		if !hasCredential && len(keys) < 2 && len(s.accountPasskeys[accountID]) == 0 {
			return store.ErrStale
		}
	}
	delete(s.federated, keys[i])
	if len(keys) == 1 {
		delete(s.accountFederated, accountID)
	} else {
		s.accountFederated[accountID] = slices.Delete(keys, i, i+1)
	}
	return nil
}

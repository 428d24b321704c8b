package memstore

import (
	"cmp"
	"context"
	"crypto/subtle"
	"slices"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Factors, recovery codes and remembered devices belong to accounts and are
// kept under the accounts' lock, so that "the account exists" and the write
// are one atomic step. Each is bounded per account: MaxFactorsPerAccount
// factors, one set of MaxRecoveryCodes codes, MaxDevicesPerAccount live
// devices (expired ones are dropped when they are read or when the account
// remembers another).

var (
	_ store.Factors  = (*Store)(nil)
	_ store.Recovery = (*Store)(nil)
	_ store.Devices  = (*Store)(nil)
)

type recoverySet struct {
	hashes    [][]byte
	createdAt time.Time
}

// CreateFactor implements [store.Factors].
func (s *Store) CreateFactor(ctx context.Context, f store.Factor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckFactor(f); err != nil {
		return err
	}
	f.Secret = slices.Clone(f.Secret)
	f.CreatedAt, f.ConfirmedAt = f.CreatedAt.UTC(), f.ConfirmedAt.UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.accountLocked(f.AccountID); err != nil {
		return err
	}
	if _, ok := s.factors[f.ID]; ok {
		return store.ErrConflict
	}
	if len(s.accountFactors[f.AccountID]) >= store.MaxFactorsPerAccount {
		return store.ErrCapacity
	}
	s.factors[f.ID] = f
	s.accountFactors[f.AccountID] = append(s.accountFactors[f.AccountID], f.ID)
	return nil
}

// Factors implements [store.Factors].
func (s *Store) Factors(ctx context.Context, accountID string) ([]store.Factor, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := s.accountFactors[accountID]
	out := make([]store.Factor, 0, len(ids))
	for _, id := range ids {
		f := s.factors[id]
		f.Secret = slices.Clone(f.Secret)
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b store.Factor) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// ConfirmFactor implements [store.Factors]. A zero at is ErrInvalid: it
// would leave the factor unconfirmed.
func (s *Store) ConfirmFactor(ctx context.Context, accountID, id string, step int64, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if at.IsZero() {
		return store.ErrInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.factorLocked(accountID, id)
	if !ok {
		return store.ErrNotFound
	}
	if f.Confirmed() || step <= f.LastStep {
		return store.ErrStale
	}
	f.ConfirmedAt, f.LastStep = at.UTC(), step
	s.factors[id] = f
	return nil
}

// AcceptStep implements [store.Factors].
func (s *Store) AcceptStep(ctx context.Context, accountID, id string, step int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.factorLocked(accountID, id)
	if !ok || !f.Confirmed() {
		return store.ErrNotFound
	}
	if step <= f.LastStep {
		return store.ErrStale
	}
	f.LastStep = step
	s.factors[id] = f
	return nil
}

// ResealFactor implements [store.Factors]. Only a TOTP factor has a secret
// to reseal: for the others it returns ErrInvalid, as CreateFactor would
// for such a factor with a secret.
func (s *Store) ResealFactor(ctx context.Context, accountID, id string, old, secret []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(secret) == 0 || len(secret) > store.MaxFactorSecret {
		return store.ErrInvalid
	}
	secret = slices.Clone(secret)
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.factorLocked(accountID, id)
	if !ok {
		return store.ErrNotFound
	}
	if f.Kind != store.FactorTOTP {
		return store.ErrInvalid
	}
	if subtle.ConstantTimeCompare(f.Secret, old) != 1 {
		return store.ErrStale
	}
	f.Secret = secret
	s.factors[id] = f
	return nil
}

// DeleteFactor implements [store.Factors].
func (s *Store) DeleteFactor(ctx context.Context, accountID, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.factorLocked(accountID, id); !ok {
		return store.ErrNotFound
	}
	delete(s.factors, id)
	ids := slices.DeleteFunc(s.accountFactors[accountID], func(x string) bool { return x == id })
	if len(ids) == 0 {
		delete(s.accountFactors, accountID)
	} else {
		s.accountFactors[accountID] = ids
	}
	return nil
}

// factorLocked returns the account's factor with the ID: a factor is never
// reached through another account.
func (s *Store) factorLocked(accountID, id string) (store.Factor, bool) {
	f, ok := s.factors[id]
	if !ok || f.AccountID != accountID {
		return store.Factor{}, false
	}
	return f, true
}

// SetRecoveryCodes implements [store.Recovery].
func (s *Store) SetRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckRecoveryCodes(accountID, hashes); err != nil {
		return err
	}
	set := recoverySet{hashes: make([][]byte, len(hashes)), createdAt: at.UTC()}
	for i, h := range hashes {
		set.hashes[i] = slices.Clone(h)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.accountLocked(accountID); err != nil {
		return err
	}
	if len(hashes) == 0 {
		delete(s.recovery, accountID)
		return nil
	}
	s.recovery[accountID] = set
	return nil
}

// UseRecoveryCode implements [store.Recovery]. A set whose codes are all
// used is kept, with its CreatedAt, until it is replaced or removed.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	set, ok := s.recovery[accountID]
	if !ok {
		return 0, store.ErrNotFound
	}
	// Every code is compared, in constant time, whichever matches.
	match := -1
	for i, h := range set.hashes {
		if subtle.ConstantTimeCompare(h, hash) == 1 {
			match = i
		}
	}
	if match < 0 {
		return 0, store.ErrNotFound
	}
	set.hashes = slices.Delete(set.hashes, match, match+1)
	s.recovery[accountID] = set
	return len(set.hashes), nil
}

// FindRecoveryCode implements [store.Recovery]. Every code of the set is
// compared, in constant time, whichever matches.
func (s *Store) FindRecoveryCode(ctx context.Context, accountID string, hash []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	found := 0
	for _, h := range s.recovery[accountID].hashes {
		found |= subtle.ConstantTimeCompare(h, hash)
	}
	if found != 1 {
		return store.ErrNotFound
	}
	return nil
}

// RecoveryCodes implements [store.Recovery].
func (s *Store) RecoveryCodes(ctx context.Context, accountID string) (store.RecoveryCodes, error) {
	if err := ctx.Err(); err != nil {
		return store.RecoveryCodes{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	set, ok := s.recovery[accountID]
	if !ok {
		return store.RecoveryCodes{}, nil
	}
	return store.RecoveryCodes{Remaining: len(set.hashes), CreatedAt: set.createdAt}, nil
}

// RememberDevice implements [store.Devices]. Which devices are live, for
// the bound, is judged at d.CreatedAt; the expired ones are dropped then.
func (s *Store) RememberDevice(ctx context.Context, d store.Device) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckDevice(d); err != nil {
		return err
	}
	d.Hash = slices.Clone(d.Hash)
	d.CreatedAt, d.ExpiresAt = d.CreatedAt.UTC(), d.ExpiresAt.UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.accountLocked(d.AccountID); err != nil {
		return err
	}
	if _, ok := s.devices[d.Selector]; ok {
		return store.ErrConflict
	}
	live := slices.DeleteFunc(s.accountDevices[d.AccountID], func(sel string) bool {
		if !d.CreatedAt.Before(s.devices[sel].ExpiresAt) {
			delete(s.devices, sel)
			return true
		}
		return false
	})
	for len(live) >= store.MaxDevicesPerAccount {
		first := 0
		for i, sel := range live {
			if s.devices[sel].ExpiresAt.Before(s.devices[live[first]].ExpiresAt) {
				first = i
			}
		}
		delete(s.devices, live[first])
		live = slices.Delete(live, first, first+1)
	}
	s.devices[d.Selector] = d
	s.accountDevices[d.AccountID] = append(live, d.Selector)
	return nil
}

// Device implements [store.Devices].
func (s *Store) Device(ctx context.Context, selector string, at time.Time) (store.Device, error) {
	if err := ctx.Err(); err != nil {
		return store.Device{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[selector]
	if !ok {
		return store.Device{}, store.ErrNotFound
	}
	if !at.Before(d.ExpiresAt) {
		s.forgetDeviceLocked(d)
		return store.Device{}, store.ErrNotFound
	}
	d.Hash = slices.Clone(d.Hash)
	return d, nil
}

// Devices implements [store.Devices]. Devices made at the same time are
// listed by selector.
func (s *Store) Devices(ctx context.Context, accountID string, at time.Time) ([]store.Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []store.Device{}
	for _, sel := range s.accountDevices[accountID] {
		d := s.devices[sel]
		if at.Before(d.ExpiresAt) {
			d.Hash = slices.Clone(d.Hash)
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b store.Device) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(a.Selector, b.Selector))
	})
	return out, nil
}

// ForgetDevice implements [store.Devices].
func (s *Store) ForgetDevice(ctx context.Context, accountID, selector string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.devices[selector]
	if !ok || d.AccountID != accountID {
		return store.ErrNotFound
	}
	s.forgetDeviceLocked(d)
	return nil
}

// ForgetDevices implements [store.Devices].
func (s *Store) ForgetDevices(ctx context.Context, accountID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sel := range s.accountDevices[accountID] {
		delete(s.devices, sel)
	}
	delete(s.accountDevices, accountID)
	return nil
}

func (s *Store) forgetDeviceLocked(d store.Device) {
	delete(s.devices, d.Selector)
	sels := slices.DeleteFunc(s.accountDevices[d.AccountID], func(x string) bool { return x == d.Selector })
	if len(sels) == 0 {
		delete(s.accountDevices, d.AccountID)
	} else {
		s.accountDevices[d.AccountID] = sels
	}
}

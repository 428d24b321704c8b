package sqlstore_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
)

// TestReview18PasskeyRaces: on SQLite and PostgreSQL, one credential ID
// raced onto many accounts lands on exactly one (the others get
// ErrConflict, not a driver error); a counter raced from one value to
// many moves exactly once; a synced passkey's 0 → 0 is not a
// compare-and-set at all (replay protection is the ceremony's alone).
func TestReview18PasskeyRaces(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := b.newStore(t)
			ctx := t.Context()
			var accts []string
			for i := range 8 {
				a, c := newAccount("budi" + randomHex(3) + string(rune('a'+i)))
				require.NoError(t, s.CreateAccount(ctx, a, &c))
				accts = append(accts, a.ID)
			}
			id := []byte(randomHex(16))
			var won atomic.Int32
			var wg sync.WaitGroup
			for _, acct := range accts {
				wg.Go(func() {
					err := s.CreatePasskey(ctx, store.Passkey{ID: id, AccountID: acct, PublicKey: []byte{1}, SignCount: 5, CreatedAt: t0})
					switch {
					case err == nil:
						won.Add(1)
					case !errors.Is(err, store.ErrConflict):
						t.Errorf("CreatePasskey: %v", err)
					}
				})
			}
			wg.Wait()
			require.Equal(t, int32(1), won.Load())
			p, err := s.Passkey(ctx, id)
			require.NoError(t, err)

			won.Store(0)
			for i := range 16 {
				wg.Go(func() {
					err := s.UsePasskey(ctx, store.PasskeyUse{AccountID: p.AccountID, ID: id, From: 5, To: uint32(6 + i), At: t0})
					switch {
					case err == nil:
						won.Add(1)
					case !errors.Is(err, store.ErrStale):
						t.Errorf("UsePasskey: %v", err)
					}
				})
			}
			wg.Wait()
			require.Equal(t, int32(1), won.Load())

			synced := []byte(randomHex(16))
			require.NoError(t, s.CreatePasskey(ctx, store.Passkey{ID: synced, AccountID: accts[0], PublicKey: []byte{1}, BackupEligible: true, CreatedAt: t0}))
			won.Store(0)
			for range 16 {
				wg.Go(func() {
					if s.UsePasskey(ctx, store.PasskeyUse{AccountID: accts[0], ID: synced, From: 0, To: 0, BackedUp: true, At: t0}) == nil {
						won.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int32(16), won.Load(), "0 → 0 succeeds every time, as the contract says")

			err = s.UsePasskey(ctx, store.PasskeyUse{AccountID: accts[1], ID: id, From: 5, To: 9, At: t0})
			if p.AccountID != accts[1] {
				require.ErrorIs(t, err, store.ErrNotFound, "another account's passkey")
			}
			err = s.RenamePasskey(ctx, accts[0], synced, "a\x00b")
			t.Logf("a name with NUL: %v", err)
			err = s.RenamePasskey(ctx, accts[0], synced, "line\nbreak \u202egnp.exe")
			assert.NoError(t, err, "control and bidi characters are the host's to escape")
		})
	}
}

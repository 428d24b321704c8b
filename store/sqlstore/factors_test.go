package sqlstore_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// The storetest suite checks the contract of factors, recovery codes,
// devices and tokens; these tests check what it leaves to the backend:
// that the bounds and counts hold when many calls race on one database,
// and pruning.

// parallel runs f(i) for i in [0, n) at once and returns their errors.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errs
}

// newOwner returns a store of b holding one account, and the account's ID.
func newOwner(t *testing.T, b backend) (*sqlstore.Store, string) {
	t.Helper()
	s, _, _ := b.newStore(t)
	a, c := newAccount("owner")
	require.NoError(t, s.CreateAccount(t.Context(), a, &c))
	return s, a.ID
}

func newFactor(accountID string, i int) store.Factor {
	return store.Factor{
		ID: fmt.Sprintf("factor-%03d-%s", i, randomHex(8)), AccountID: accountID, Kind: store.FactorEmail,
		CreatedAt: t0.Add(time.Duration(i) * time.Second),
	}
}

func newDevice(accountID string, i int) store.Device {
	return store.Device{
		Selector: fmt.Sprintf("device-%03d-%s", i, randomHex(8)), AccountID: accountID,
		Hash: []byte(randomHex(16)), Stamp: "stamp", CreatedAt: t0, ExpiresAt: t0.Add(time.Duration(i+1) * time.Hour),
	}
}

func newToken(accountID string) store.Token {
	return store.Token{
		Selector: "token-" + randomHex(12), AccountID: accountID, Purpose: "reset",
		Hash: []byte(randomHex(16)), MaxAttempts: 5, IssuedAt: t0, ExpiresAt: t0.Add(time.Hour),
	}
}

// TestCreateFactorParallel: of many factors created at once for one
// account, exactly MaxFactorsPerAccount are kept.
func TestCreateFactorParallel(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, id := newOwner(t, b)
			const n = 2 * store.MaxFactorsPerAccount
			errs := parallel(n, func(i int) error { return s.CreateFactor(t.Context(), newFactor(id, i)) })
			created := 0
			for _, err := range errs {
				if err == nil {
					created++
				} else {
					require.ErrorIs(t, err, store.ErrCapacity)
				}
			}
			require.Equal(t, store.MaxFactorsPerAccount, created)
			fs, err := s.Factors(t.Context(), id)
			require.NoError(t, err)
			require.Len(t, fs, store.MaxFactorsPerAccount)
		})
	}
}

// TestRememberDeviceParallel: of many devices remembered at once for one
// account, every call succeeds and MaxDevicesPerAccount are kept.
func TestRememberDeviceParallel(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, id := newOwner(t, b)
			const n = 3 * store.MaxDevicesPerAccount
			errs := parallel(n, func(i int) error { return s.RememberDevice(t.Context(), newDevice(id, i)) })
			for _, err := range errs {
				require.NoError(t, err)
			}
			ds, err := s.Devices(t.Context(), id, t0)
			require.NoError(t, err)
			require.Len(t, ds, store.MaxDevicesPerAccount)
		})
	}
}

// TestRememberDeviceDropsExpired: the account's devices expired when a
// new one is remembered are deleted, and do not count.
func TestRememberDeviceDropsExpired(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			a, c := newAccount("devices")
			require.NoError(t, s.CreateAccount(t.Context(), a, &c))
			for i := range store.MaxDevicesPerAccount {
				require.NoError(t, s.RememberDevice(t.Context(), newDevice(a.ID, i)))
			}
			later := newDevice(a.ID, 100)
			later.CreatedAt = t0.Add(2 * time.Hour) // devices 0 and 1 have expired
			require.NoError(t, s.RememberDevice(t.Context(), later))
			rows := column[string](t, db, "SELECT selector FROM "+table(schema, "devices")+" WHERE account_id = $1", a.ID)
			require.Len(t, rows, store.MaxDevicesPerAccount-1)
		})
	}
}

// TestUseRecoveryCodeParallel: each of many codes used at once leaves a
// different count, as if they had been used one after another.
func TestUseRecoveryCodeParallel(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, id := newOwner(t, b)
			const n = store.MaxRecoveryCodes
			hashes := make([][]byte, n)
			for i := range hashes {
				hashes[i] = []byte(randomHex(16))
			}
			require.NoError(t, s.SetRecoveryCodes(t.Context(), id, hashes, t0))
			left := make([]int, n)
			errs := parallel(n, func(i int) (err error) {
				left[i], err = s.UseRecoveryCode(t.Context(), id, hashes[i])
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			slices.Sort(left)
			for i, l := range left {
				require.Equal(t, i, l, "the counts left by parallel uses")
			}
			rc, err := s.RecoveryCodes(t.Context(), id)
			require.NoError(t, err)
			require.Equal(t, store.RecoveryCodes{CreatedAt: t0}, rc)
		})
	}
}

// TestSetRecoveryCodesWhileUsed: a use racing with a replacement either
// uses a code of the old set before it is replaced or finds it gone, and
// the new set is whole.
func TestSetRecoveryCodesWhileUsed(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, id := newOwner(t, b)
			old := [][]byte{[]byte(randomHex(16)), []byte(randomHex(16)), []byte(randomHex(16))}
			fresh := [][]byte{[]byte(randomHex(16)), []byte(randomHex(16))}
			require.NoError(t, s.SetRecoveryCodes(t.Context(), id, old, t0))
			errs := parallel(len(old)+1, func(i int) error {
				if i == len(old) {
					return s.SetRecoveryCodes(t.Context(), id, fresh, t0.Add(time.Hour))
				}
				_, err := s.UseRecoveryCode(t.Context(), id, old[i])
				if errors.Is(err, store.ErrNotFound) {
					return nil
				}
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			rc, err := s.RecoveryCodes(t.Context(), id)
			require.NoError(t, err)
			require.Equal(t, store.RecoveryCodes{Remaining: 2, CreatedAt: t0.Add(time.Hour)}, rc)
		})
	}
}

// TestIssueTokenParallel: many tokens issued at once for one account and
// purpose that has none: with a cooldown exactly one is stored and the
// others are told until when; without, each replaces the one before, and
// one is left.
func TestIssueTokenParallel(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			const n = 50
			for _, cooldown := range []time.Duration{time.Minute, 0} {
				account := "acc-" + randomHex(8)
				toks := make([]store.Token, n)
				for i := range toks {
					toks[i] = newToken(account)
					toks[i].IssuedAt = t0.Add(time.Duration(i) * time.Millisecond)
				}
				errs := parallel(n, func(i int) error { return s.IssueToken(t.Context(), toks[i], cooldown) })
				kept := column[string](t, db, "SELECT selector FROM "+table(schema, "tokens")+" WHERE account_id = $1", account)
				require.Len(t, kept, 1, "tokens of the account and purpose")
				winner := slices.IndexFunc(toks, func(tk store.Token) bool { return tk.Selector == kept[0] })
				require.GreaterOrEqual(t, winner, 0)
				for i, err := range errs {
					if cooldown == 0 || i == winner {
						require.NoError(t, err, "issuer %d", i)
						continue
					}
					var cerr *store.CooldownError
					require.ErrorAs(t, err, &cerr, "issuer %d", i)
					assert.Equal(t, toks[winner].IssuedAt.Add(cooldown), cerr.Until)
				}
				got, err := s.AttemptToken(t.Context(), store.TokenKey{AccountID: account, Purpose: "reset"}, t0)
				require.NoError(t, err)
				require.Equal(t, kept[0], got.Selector)
				require.Equal(t, 1, got.Attempts)
			}
		})
	}
}

// TestIssueTokenOwnSelector: a token may be issued again under the
// selector of the token it voids.
func TestIssueTokenOwnSelector(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			tok := newToken("acc-" + randomHex(8))
			require.NoError(t, s.IssueToken(t.Context(), tok, 0))
			_, err := s.AttemptToken(t.Context(), store.TokenKey{Selector: tok.Selector}, t0)
			require.NoError(t, err)
			tok.Hash = []byte(randomHex(16))
			tok.IssuedAt = t0.Add(time.Minute)
			require.NoError(t, s.IssueToken(t.Context(), tok, 0))
			got, err := s.AttemptToken(t.Context(), store.TokenKey{Selector: tok.Selector}, t0.Add(time.Minute))
			require.NoError(t, err)
			require.Equal(t, 1, got.Attempts, "the new token's attempts start at zero")
			require.Equal(t, tok.Hash, got.Hash)
		})
	}
}

// TestPruneDevicesAndTokens deletes the devices and tokens expired at the
// time given, and only those.
func TestPruneDevicesAndTokens(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, id := newOwner(t, b)
			ctx := t.Context()
			for i := range 4 {
				require.NoError(t, s.RememberDevice(ctx, newDevice(id, i))) // expire after 1h, 2h, 3h, 4h
				tok := newToken(fmt.Sprintf("acc-%d", i))
				tok.ExpiresAt = t0.Add(time.Duration(i+1) * time.Hour)
				require.NoError(t, s.IssueToken(ctx, tok, 0))
			}
			for _, prune := range []func(time.Time) (int64, error){
				func(at time.Time) (int64, error) { return s.PruneDevices(ctx, at) },
				func(at time.Time) (int64, error) { return s.PruneTokens(ctx, at) },
			} {
				n, err := prune(t0.Add(time.Hour - time.Microsecond))
				require.NoError(t, err)
				require.Zero(t, n)
				n, err = prune(t0.Add(2 * time.Hour))
				require.NoError(t, err)
				require.EqualValues(t, 2, n)
			}
			ds, err := s.Devices(ctx, id, t0)
			require.NoError(t, err)
			require.Len(t, ds, 2)
			for i := range 4 {
				_, err := s.AttemptToken(ctx, store.TokenKey{AccountID: fmt.Sprintf("acc-%d", i), Purpose: "reset"}, t0)
				if i < 2 {
					require.ErrorIs(t, err, store.ErrNotFound)
				} else {
					require.NoError(t, err)
				}
			}
		})
	}
}

// TestFactorsNotText: PostgreSQL's text cannot hold every string; a
// record whose text it cannot hold is invalid to store and never found.
func TestFactorsNotText(t *testing.T) {
	s, id := newOwner(t, postgresBackend)
	ctx := t.Context()
	const bad = "bad-\xff\x00-0123456789abcdef"
	f := newFactor(id, 0)
	f.Label = bad
	require.ErrorIs(t, s.CreateFactor(ctx, f), store.ErrInvalid)
	d := newDevice(id, 0)
	d.Selector = bad
	require.ErrorIs(t, s.RememberDevice(ctx, d), store.ErrInvalid)
	tok := newToken(id)
	tok.Purpose = bad
	require.ErrorIs(t, s.IssueToken(ctx, tok, 0), store.ErrInvalid)
	tok = newToken(id)
	tok.Data = map[string]string{"k": bad}
	require.ErrorIs(t, s.IssueToken(ctx, tok, 0), store.ErrInvalid)

	require.ErrorIs(t, s.AcceptStep(ctx, id, bad, 1), store.ErrNotFound)
	require.ErrorIs(t, s.ConfirmFactor(ctx, bad, bad, 1, t0), store.ErrNotFound)
	_, err := s.Device(ctx, bad, t0)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.AttemptToken(ctx, store.TokenKey{Selector: bad}, t0)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.UseRecoveryCode(ctx, bad, []byte(randomHex(16)))
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, s.ConsumeToken(ctx, bad, []byte(randomHex(16))), store.ErrNotFound)
	require.NoError(t, s.VoidTokens(ctx, id, bad))
	fs, err := s.Factors(ctx, bad)
	require.NoError(t, err)
	require.Empty(t, fs)
}

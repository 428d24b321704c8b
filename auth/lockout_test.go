package auth_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
)

func lockedErr(t *testing.T, err error) *lockout.LockedError {
	t.Helper()
	var le *lockout.LockedError
	require.ErrorAs(t, err, &le)
	require.ErrorIs(t, err, lockout.ErrLocked)
	return le
}

// TestLockoutThroughLogin covers matrix cases 2, 3 and 6 at the
// Authenticator: after five wrong passwords even the right one is refused,
// before any hash, with when the lock ends; at its end the right password
// works; and an unknown username locks in exactly the same way.
func TestLockoutThroughLogin(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "budi")
	for _, username := range []string{"budi", "nobody"} {
		for range 5 {
			_, err := f.login(t, "lpse", username, "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}
		evs := f.events(t, "lpse")
		assert.Equal(t, auth.EventLocked, evs[0].Kind, username)
		assert.Equal(t, "account", evs[0].Details["scope"])

		verifies := f.hasher.Verifies()
		for _, pw := range []string{goodPassword, "wrong password"} {
			_, err := f.login(t, "lpse", username, pw)
			le := lockedErr(t, err)
			assert.Equal(t, f.now.Add(15*time.Minute), le.Until)
			assert.Equal(t, lockout.ScopeAccount, le.Scope)
		}
		assert.Equal(t, verifies, f.hasher.Verifies(), "a locked login ran a hash")
		assert.Equal(t, auth.ReasonLocked, f.events(t, "lpse")[0].Details["reason"])
	}

	f.now = f.now.Add(15*time.Minute - time.Second)
	_, err := f.login(t, "lpse", "budi", goodPassword)
	lockedErr(t, err)
	f.now = f.now.Add(time.Second)
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
}

func TestSuccessResetsTheCount(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "siti")
	for range 3 {
		for range 4 {
			_, err := f.login(t, "lpse", "siti", "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}
		_, err := f.login(t, "lpse", "siti", goodPassword)
		require.NoError(t, err)
	}
}

// TestParallelGuessesCostExactlyTheThreshold is the proof of issue 5 on
// memstore: 1,000 parallel wrong passwords at one account with a
// threshold of 5 run exactly 5 verifications.
func TestParallelGuessesCostExactlyTheThreshold(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "budi")
	before := f.hasher.Verifies()
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for i := range 1000 {
		wg.Go(func() {
			_, err := f.auth.Login(context.Background(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "guess",
				Request: auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", i%200)}})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				outcomes["success"]++
			case errors.Is(err, lockout.ErrLocked):
				outcomes["locked"]++
			default:
				outcomes[err.Error()]++
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int64(5), f.hasher.Verifies()-before, "verifications")
	assert.Equal(t, map[string]int{auth.ErrInvalidCredentials.Error(): 5, "locked": 995}, outcomes)
	st, err := f.auth.LockStatus(t.Context(), "lpse", "BUDI")
	require.NoError(t, err)
	assert.True(t, st.Locked())
	assert.Equal(t, 1, st.Password.Locks)
}

// TestWrongCurrentPasswordCounts is matrix case 54.
func TestWrongCurrentPasswordCounts(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "sapk", "wati")
	for range 5 {
		err := f.auth.ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: "wrong password", New: "sandi baru yang panjang"})
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	err := f.auth.ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "sandi baru yang panjang"})
	lockedErr(t, err)
	_, err = f.login(t, "sapk", "wati", goodPassword)
	lockedErr(t, err)
}

func TestOperatorUnlock(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "lpse", "agus")
	for range 5 {
		_, _ = f.login(t, "lpse", "agus", "wrong password")
	}
	_, err := f.auth.Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "agus"})
	require.Error(t, err, "an unlock without an operator")

	before, err := f.auth.Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "AGUS", Operator: "helpdesk-7", Scope: []string{auth.AnyRealm}, Reason: "called from the office"})
	require.NoError(t, err)
	assert.True(t, before.Locked())
	ev := f.events(t, "lpse")[0]
	assert.Equal(t, auth.EventUnlocked, ev.Kind)
	assert.Equal(t, acct.ID, ev.AccountID)
	assert.Equal(t, map[string]string{"by": "helpdesk-7", "reason": "called from the office", "was_locked": "true"}, ev.Details)
	_, err = f.login(t, "lpse", "agus", goodPassword)
	require.NoError(t, err)
}

// TestBusyDoesNotCount: logins the hasher was too busy to check do not
// count toward a lock.
func TestBusyDoesNotCount(t *testing.T) {
	busy := false
	f := newFixture(t)
	f.register(t, "lpse", "rudi")
	a, err := auth.New(auth.Config{Store: f.store, Hasher: switchHasher{f.hasher, &busy}})
	require.NoError(t, err)
	busy = true
	for range 20 {
		_, err := a.Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "rudi", Password: goodPassword, Request: auth.Request{ClientAddr: "203.0.113.5"}})
		require.ErrorIs(t, err, password.ErrBusy)
	}
	busy = false
	_, err = a.Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "rudi", Password: goodPassword, Request: auth.Request{ClientAddr: "203.0.113.5"}})
	require.NoError(t, err)
}

// switchHasher is busy while *busy is true.
type switchHasher struct {
	auth.Hasher
	busy *bool
}

func (h switchHasher) Verify(ctx context.Context, pw, encoded string) (password.Verified, error) {
	if *h.busy {
		return password.Verified{}, password.ErrBusy
	}
	return h.Hasher.Verify(ctx, pw, encoded)
}

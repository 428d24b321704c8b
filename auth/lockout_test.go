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
		assert.Equal(t, auth.EventLocked, kindOf(evs[0]), username)
		assert.Equal(t, "account", evs[0].Details["scope"])

		verifies := f.hasher.Verifies()
		for _, pw := range []string{goodPassword, "wrong password"} {
			_, err := f.login(t, "lpse", username, pw)
			le := lockedErr(t, err)
			assert.Equal(t, f.clock.Now().Add(15*time.Minute), le.Until)
			assert.Equal(t, lockout.ScopeAccount, le.Scope)
		}
		assert.Equal(t, verifies, f.hasher.Verifies(), "a locked login ran a hash")
		assert.Equal(t, auth.ReasonLocked, reasonOf(f.events(t, "lpse")[0]))
	}

	f.clock.Advance(15*time.Minute - time.Second)
	_, err := f.login(t, "lpse", "budi", goodPassword)
	lockedErr(t, err)
	f.clock.Advance(time.Second)
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
			_, err := f.auth.Logins().Login(context.Background(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "guess",
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
	st, err := f.operator(t, "helpdesk", "lpse").LockStatus(t.Context(), auth.LockQuery{Realm: "lpse", Username: "BUDI"})
	require.NoError(t, err)
	assert.True(t, st.Locked())
	assert.Equal(t, 1, st.Password.Locks)
}

// TestWrongCurrentPasswordCounts is matrix case 54.
func TestWrongCurrentPasswordCounts(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "sapk", "wati")
	for range 5 {
		err := f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: "wrong password", New: "sandi baru yang panjang"})
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	err := f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "sandi baru yang panjang"})
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
	_, err := f.auth.Operator(auth.OperatorIdentity{Realms: []string{auth.AnyRealm}})
	require.Error(t, err, "an unlock without an operator")

	before, err := f.operator(t, "helpdesk-7", auth.AnyRealm).Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "AGUS", Reason: "called from the office"})
	require.NoError(t, err)
	assert.True(t, before.Locked())
	ev := f.events(t, "lpse")[0]
	assert.Equal(t, auth.EventUnlocked, kindOf(ev))
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
		_, err := a.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "rudi", Password: goodPassword, Request: auth.Request{ClientAddr: "203.0.113.5"}})
		require.ErrorIs(t, err, password.ErrBusy)
	}
	busy = false
	_, err = a.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "rudi", Password: goodPassword, Request: auth.Request{ClientAddr: "203.0.113.5"}})
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

// TestLockoutPerRealm: each realm has its own lockout policy, on the one
// Attempts store: BPJS locks after 3 failures until an operator unlocks,
// LPSE after 5, for 15 minutes, as Config.Realm says.
func TestLockoutPerRealm(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		c.Realm.Lockout.Account = lockout.Rule{Threshold: 5}
		c.Realms = map[string]auth.Realm{
			"lpse": {},
			"bpjs": {Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 3, UntilUnlocked: true}}},
		}
	})
	for _, realm := range []string{"lpse", "bpjs"} {
		f.register(t, realm, "budi")
	}
	for range 3 {
		for _, realm := range []string{"lpse", "bpjs"} {
			_, err := f.login(t, realm, "budi", "wrong password")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials, realm)
		}
	}
	_, err := f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err, "3 failures do not lock LPSE")
	_, err = f.login(t, "bpjs", "budi", goodPassword)
	le := lockedErr(t, err)
	assert.True(t, le.Permanent, "BPJS locks until an operator unlocks")
	assert.Equal(t, "permanent", f.lastEvent(t, "bpjs", auth.EventLocked).Details["until"])
	f.clock.Advance(48 * time.Hour)
	_, err = f.login(t, "bpjs", "budi", goodPassword)
	lockedErr(t, err)
	_, err = f.operator(t, "helpdesk", "bpjs").Unlock(t.Context(), auth.UnlockRequest{Realm: "bpjs", Username: "budi", Reason: "peserta meminta buka kunci", IdentityCheck: "KTP diperiksa"})
	require.NoError(t, err)
	_, err = f.login(t, "bpjs", "budi", goodPassword)
	require.NoError(t, err)
}

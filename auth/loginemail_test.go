package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// leKit is a BPN-like realm that logs in by username or email, beside one
// that does not.
func leKit(t *testing.T) *authtest.Kit {
	t.Helper()
	return authtest.New(t, auth.Config{
		Realms: map[string]auth.Realm{
			"bpn": {
				Login:   auth.LoginPolicy{ByEmail: true},
				Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 5, Lock: 30 * time.Minute}},
			},
			"other": {},
		},
	})
}

func leRegister(t *testing.T, k *authtest.Kit, realm, username, email string) store.Account {
	t.Helper()
	r, err := k.Auth.Accounts().Register(context.Background(), auth.Registration{
		Realm: realm, Username: username, Email: email, Password: prPassword,
		Request: auth.Request{ClientAddr: prAddr},
	})
	require.NoError(t, err)
	return r.Account
}

func leLogin(k *authtest.Kit, realm, typed, pw string) (*auth.LoginResult, error) {
	return k.Auth.Logins().Login(context.Background(), auth.LoginRequest{
		Realm: realm, Username: typed, Password: pw, Request: auth.Request{ClientAddr: prAddr},
	})
}

// TestLoginByEmail: a realm with Login.ByEmail takes the address, in any
// case, as well as the username; a realm without it does not.
func TestLoginByEmail(t *testing.T) {
	k := leKit(t)
	acct := leRegister(t, k, "bpn", "mitra.jaya", "Kantor@Mitra.example.id")
	for _, typed := range []string{"mitra.jaya", "kantor@mitra.example.id", " KANTOR@Mitra.Example.ID "} {
		res, err := leLogin(k, "bpn", typed, prPassword)
		require.NoError(t, err, typed)
		assert.Equal(t, acct.ID, res.Account.ID, typed)
	}
	leRegister(t, k, "other", "mitra.jaya", "kantor@mitra.example.id")
	_, err := leLogin(k, "other", "kantor@mitra.example.id", prPassword)
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	// An address no account has, and a malformed one, fail as a wrong
	// password does.
	for _, typed := range []string{"nobody@mitra.example.id", "a@@b", "@"} {
		_, err := leLogin(k, "bpn", typed, prPassword)
		assert.ErrorIs(t, err, auth.ErrInvalidCredentials, typed)
	}
}

// TestLoginByEmailSharesTheLock: failures typed as the address and as the
// username count against one lock, so switching between them does not
// double the guesses.
func TestLoginByEmailSharesTheLock(t *testing.T) {
	k := leKit(t)
	leRegister(t, k, "bpn", "mitra.jaya", "kantor@mitra.example.id")
	for i := range 5 {
		typed := "mitra.jaya"
		if i%2 == 1 {
			typed = "kantor@mitra.example.id"
		}
		_, err := leLogin(k, "bpn", typed, "salah-"+typed)
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	for _, typed := range []string{"mitra.jaya", "KANTOR@mitra.example.id"} {
		_, err := leLogin(k, "bpn", typed, prPassword)
		var locked *lockout.LockedError
		require.True(t, errors.As(err, &locked), "%s: %v", typed, err)
		assert.Equal(t, k.Now().Add(30*time.Minute), locked.Until)
	}
}

// TestRegisterRefusesAtSignWhereEmailLogsIn: a username that reads as an
// address is refused in a realm that logs in by email, and only there.
func TestRegisterRefusesAtSignWhereEmailLogsIn(t *testing.T) {
	k := leKit(t)
	victim := leRegister(t, k, "bpn", "korban", "korban@mitra.example.id")
	_, err := k.Auth.Accounts().Register(context.Background(), auth.Registration{
		Realm: "bpn", Username: "korban@mitra.example.id", Email: "penyerang@mitra.example.id", Password: prPassword,
		Request: auth.Request{ClientAddr: prAddr},
	})
	var ue *auth.UsernameError
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, auth.UsernameAtSign, ue.Reason)
	assert.Equal(t, []string{"username"}, auth.Classify(err).Fields)
	res, err := leLogin(k, "bpn", "korban@mitra.example.id", prPassword)
	require.NoError(t, err)
	assert.Equal(t, victim.ID, res.Account.ID)

	leRegister(t, k, "other", "nama@rumah", "")
}

// TestLoginByEmailStoreDownFailsClosed: when the address cannot be looked
// up, the login is an error, not a refusal that counts or a login.
func TestLoginByEmailStoreDownFailsClosed(t *testing.T) {
	k := leKit(t)
	leRegister(t, k, "bpn", "mitra.jaya", "kantor@mitra.example.id")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "kantor@mitra.example.id", Password: prPassword})
	require.Error(t, err)
	assert.NotErrorIs(t, err, auth.ErrInvalidCredentials)
}

// TestRemainingAttempts: a wrong password says how many more the lock
// allows, the same for a username without an account, and Classify
// passes it on; the failure that locks says 0.
func TestRemainingAttempts(t *testing.T) {
	k := leKit(t)
	leRegister(t, k, "bpn", "mitra.jaya", "kantor@mitra.example.id")
	for _, name := range []string{"mitra.jaya", "tidak.ada"} {
		for want := 4; want >= 0; want-- {
			_, err := leLogin(k, "bpn", name, "salah")
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			var ce *auth.CredentialsError
			require.ErrorAs(t, err, &ce, name)
			assert.Equal(t, want, ce.Remaining, name)
			o := auth.Classify(err)
			assert.Equal(t, want, o.Remaining)
			assert.Equal(t, auth.CodeInvalidCredentials, o.Code)
		}
		_, err := leLogin(k, "bpn", name, prPassword)
		assert.ErrorIs(t, err, lockout.ErrLocked, name)
	}
	assert.Equal(t, -1, auth.Classify(auth.ErrInvalidCredentials).Remaining)
	assert.Equal(t, -1, auth.Classify(auth.ErrInvalidToken).Remaining)
}

// TestLockNotice: the failure that locks an account emails its owner once,
// with when the lock ends; a username without an account mails nobody.
func TestLockNotice(t *testing.T) {
	k := leKit(t)
	leRegister(t, k, "bpn", "mitra.jaya", "kantor@mitra.example.id")
	before := k.Outbox.Len()
	for range 7 {
		_, _ = leLogin(k, "bpn", "mitra.jaya", "salah")
		_, _ = leLogin(k, "bpn", "tidak.ada", "salah")
	}
	require.NoError(t, k.Auth.Close())
	require.Equal(t, before+1, k.Outbox.Len(), "one notice for one lock")
	m := k.LastMessage(t, "kantor@mitra.example.id")
	assert.Equal(t, notify.AccountLocked, m.Purpose)
	assert.Contains(t, m.Text, "16.30", "the lock's end, 30 minutes on, in WIB")
}

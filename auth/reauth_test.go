package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
)

// TestReauthWindow is defect 14: a sensitive action without the password
// goes through within Session.ReauthWithin of the login, is refused with
// ErrReauthRequired after it, and Reauthenticate (or the password given
// to an action) opens the window again.
func TestReauthWindow(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	sess, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	change := func(phone string) error {
		_, err := k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{
			AccountID: acct.ID, NewPhone: phone, Request: auth.Request{ClientAddr: prAddr, Session: sess.Token},
		})
		return err
	}
	p, err := k.Auth.Sessions().Load(ctx, sess.Token)
	require.NoError(t, err)
	assert.Equal(t, k.Now().Add(10*time.Minute), p.ReauthUntil)

	k.Advance(t, 9*time.Minute)
	require.NoError(t, change("0857-1111-2222"), "within the window of the login")
	k.Advance(t, 2*time.Minute)
	assert.ErrorIs(t, change("0857-1111-3333"), auth.ErrReauthRequired)
	assert.Equal(t, auth.CodeReauthRequired, auth.Classify(auth.ErrReauthRequired).Code)

	_, err = k.Auth.Sessions().Reauthenticate(ctx, auth.Reauthentication{Token: sess.Token, Password: "salah", Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.ErrorIs(t, change("0857-1111-3333"), auth.ErrReauthRequired, "a wrong password opens nothing")
	p, err = k.Auth.Sessions().Reauthenticate(ctx, auth.Reauthentication{Token: sess.Token, Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	assert.Equal(t, k.Now().Add(10*time.Minute), p.ReauthUntil)
	require.NoError(t, change("0857-1111-3333"))

	// The password given to an action renews the window too.
	k.Advance(t, 11*time.Minute)
	_, err = k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{
		AccountID: acct.ID, Password: prPassword, NewPhone: "0857-1111-4444", Request: auth.Request{ClientAddr: prAddr, Session: sess.Token},
	})
	require.NoError(t, err)
	require.NoError(t, change("0857-1111-5555"))
}

// TestReauthOtherSessions: a session of another account, a garbled token,
// or none at all never stands in for the password.
func TestReauthOtherSessions(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	other, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "bpjs", Username: "19012345679", Email: "lain@contoh.example.id", Phone: "0813-2222-3333", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	theirs, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: other.Account, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	for name, token := range map[string]string{
		"another account's": theirs.Token,
		"garbled":           "x" + theirs.Token,
		"10,000 characters": string(make([]byte, 10000)),
	} {
		_, err := k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{
			AccountID: acct.ID, NewPhone: "0857-1111-2222", Request: auth.Request{ClientAddr: prAddr, Session: token},
		})
		assert.ErrorIs(t, err, auth.ErrReauthRequired, name)
	}
	_, err = k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{AccountID: acct.ID, NewPhone: "0857-1111-2222", Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials, "no session and no password")
}

// TestReauthEndsWithThePassword: a password change ends the sessions, and
// with them their proofs.
func TestReauthEndsWithThePassword(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	sess, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	require.NoError(t, k.Auth.Accounts().ChangePassword(ctx, auth.PasswordChange{AccountID: acct.ID, Current: prPassword, New: "Sandi-Baru-2026!z", Request: auth.Request{ClientAddr: prAddr}}))
	_, err = k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{AccountID: acct.ID, NewPhone: "0857-1111-2222", Request: auth.Request{ClientAddr: prAddr, Session: sess.Token}})
	assert.ErrorIs(t, err, auth.ErrReauthRequired)
	_, err = k.Auth.Sessions().Reauthenticate(ctx, auth.Reauthentication{Token: sess.Token, Password: "Sandi-Baru-2026!z"})
	assert.ErrorIs(t, err, auth.ErrNoSession)
}

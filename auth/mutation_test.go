package auth_test

// Tests that fail when a defence is removed from the code: each names the
// defence it holds in place (issue 15, item 6).

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// twoFactorSession logs budi in with both steps, asking to remember the
// device, and starts a session: the state a reset must end.
func (f *mfaFixture) twoFactorSession(t *testing.T, acct store.Account, secret []byte) (device, session string) {
	t.Helper()
	f.clock.Advance(time.Minute)
	p := f.pending(t, acct.Realm, acct.Username)
	res, err := f.auth.Logins().SecondStep(t.Context(), auth.SecondStepRequest{Realm: acct.Realm, Pending: p.Pending, Method: auth.MethodTOTP,
		Code: code(t, secret, f.clock.Now()), Remember: true, Request: req})
	require.NoError(t, err)
	require.NotNil(t, res.Device)
	s, err := f.auth.Sessions().Start(t.Context(), auth.StartSession{Account: res.Account, Request: req})
	require.NoError(t, err)
	return res.Device.Token, s.Token
}

// A reset rotates the security stamp and ends the sessions: the sessions
// and remembered devices of the old password die at the next request.
// Removing both defences at once must fail this test.
func TestResetKillsOldSessionsAndDevices(t *testing.T) {
	f := newMFAFixture(t, withLinks)
	acct := f.register(t, "lpse", "budi")
	secret, _ := f.enroll(t, acct)
	device, session := f.twoFactorSession(t, acct, secret)

	pw := f.resetPassword(t, "budi", 1)
	_, err := f.auth.Sessions().Load(t.Context(), session)
	require.ErrorIs(t, err, auth.ErrNoSession)
	_, err = f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: pw, Device: device, Request: req})
	require.ErrorIs(t, err, auth.ErrSecondFactorRequired, "the remembered device is forgotten")
}

// Each layer alone: a reset and a password change each end the sessions
// in the store (not only refuse them by the stamp), and each rotates the
// stamp (not only end the sessions).
func TestResetAndChangeEachLayer(t *testing.T) {
	for _, how := range []string{"reset", "change"} {
		t.Run(how, func(t *testing.T) {
			f := newMFAFixture(t, withLinks)
			acct := f.register(t, "lpse", "budi")
			_, err := f.auth.Sessions().Start(t.Context(), auth.StartSession{Account: acct, Request: req})
			require.NoError(t, err)
			if how == "reset" {
				f.resetPassword(t, "budi", 1)
			} else {
				require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "nasi goreng kambing pedas", Request: req}))
			}
			left, err := f.store.Sessions(t.Context(), acct.ID, f.clock.Now())
			require.NoError(t, err)
			assert.Empty(t, left, "the sessions are gone from the store")
			got, err := f.store.AccountByID(t.Context(), acct.ID)
			require.NoError(t, err)
			assert.NotEqual(t, acct.SecurityStamp, got.SecurityStamp, "the stamp changed")
		})
	}
}

// A registration of a taken username hashes, as a new one does, and tells
// the owner in the background, not inline.
func TestTakenRegistrationCostsAHashAndMailsLater(t *testing.T) {
	block := make(chan struct{})
	sender := &blockingSender{release: block}
	f := newFixture(t, withLinks, func(c *auth.Config) {
		c.Sender, c.Realm.Messages.PortalName = sender, "Uji"
		c.Realms = map[string]auth.Realm{"lpse": {Activation: auth.ActivationPolicy{Mode: auth.ActivationLink}}}
	})
	defer close(block)
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: goodPassword})
	require.NoError(t, err)
	before := f.hasher.Hashes()
	done := make(chan error, 1)
	go func() {
		_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Email: "lain@example.id", Password: goodPassword})
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err, "the same answer as a new registration")
	case <-time.After(10 * time.Second):
		t.Fatal("Register waited for the notice: it must go in the background")
	}
	assert.Equal(t, before+1, f.hasher.Hashes(), "a taken username costs the hash a new one does")
}

// countingTokens counts the store work of redemptions.
type countingTokens struct {
	store.Tokens
	attempts atomic.Int64
}

func (c *countingTokens) AttemptToken(ctx context.Context, k store.TokenKey, at time.Time) (store.Token, error) {
	c.attempts.Add(1)
	return c.Tokens.AttemptToken(ctx, k, at)
}

// A code reset for an unknown identifier does the store work of a known
// one, so that the time does not tell which usernames exist.
func TestResetCodeUnknownCostsTheSame(t *testing.T) {
	var ct *countingTokens
	f := newFlowFixture(t, func(c *auth.Config) {
		ct = &countingTokens{Tokens: c.Store.(store.Tokens)}
		c.Tokens = ct
	})
	f.registerNIP(t)
	for _, id := range []string{nip, "199009132025242014"} {
		before := ct.attempts.Load()
		err := f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: id, Flow: "f", Code: "123456", NewPassword: "Teh manis 7 hangat"})
		require.ErrorIs(t, err, auth.ErrInvalidToken)
		assert.Equal(t, int64(1), ct.attempts.Load()-before, id)
	}
}

// A password change and a reset check the new password against the
// account's username, email and display name.
func TestNewPasswordsCheckContextWords(t *testing.T) {
	f := newMFAFixture(t, withLinks)
	acct := f.register(t, "lpse", "budiman")
	for _, pw := range []string{"budiman tanpa tanding", "saya adalah budiman@example.id"} {
		err := f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: pw, Request: req})
		var pe *password.PolicyError
		require.ErrorAs(t, err, &pe, "change: %q", pw)
		_, err = f.auth.Accounts().RequestReset(t.Context(), auth.ResetRequest{Realm: "lpse", Identifier: "budiman", Request: req})
		require.NoError(t, err)
		tok := f.lastToken(t, "budiman@example.id", links.Reset)
		err = f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Token: tok, NewPassword: pw, Request: req})
		require.ErrorAs(t, err, &pe, "reset: %q", pw)
	}
}

// Of parallel submissions of one valid authenticator code, each on a
// pending login of its own, exactly one logs in: the store's
// compare-and-set of the step decides, not the pending login they share.
func TestParallelTOTPOwnPendingLogins(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	secret, _ := f.enroll(t, acct)
	f.clock.Advance(time.Minute)
	const n = 20
	pendings := make([]string, n)
	for i := range pendings {
		pendings[i] = f.pending(t, "lpse", "budi").Pending
	}
	c := code(t, secret, f.clock.Now())
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := f.verify(t, "lpse", pendings[i], auth.MethodTOTP, c); err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
}

var _ notify.Sender = (*blockingSender)(nil)

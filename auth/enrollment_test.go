package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store"
)

// enKit is a portal whose "bpn" realm requires a second factor and whose
// "lpse" realm does not.
func enKit(t *testing.T) *authtest.Kit {
	t.Helper()
	return authtest.New(t, auth.Config{
		Realm: auth.Realm{Links: auth.Links{Reset: "https://mitra.example.go.id/atur-sandi"}},
		Realms: map[string]auth.Realm{
			"bpn":  {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory, PendingAttempts: 4}},
			"lpse": {},
		},
	})
}

// enAccount registers an account in realm and returns it.
func enAccount(t *testing.T, k *authtest.Kit, realm, username string) store.Account {
	t.Helper()
	r, err := k.Auth.Accounts().Register(context.Background(), auth.Registration{Realm: realm, Username: username, Email: username + "@example.go.id", Password: prPassword})
	require.NoError(t, err)
	return r.Account
}

// enLogin logs in and returns the pending enrollment it stops at.
func enLogin(t *testing.T, k *authtest.Kit, realm, username string) *auth.EnrollmentRequired {
	t.Helper()
	_, err := k.Auth.Logins().Login(context.Background(), auth.LoginRequest{Realm: realm, Username: username, Password: prPassword})
	var er *auth.EnrollmentRequired
	require.ErrorAs(t, err, &er)
	require.ErrorIs(t, err, auth.ErrEnrollmentRequired)
	return er
}

// TestEnrollmentByEmailCodes: in a realm that requires a second factor, a
// first login enrolls codes by email with its pending enrollment, then
// passes the second step with a code sent to the address on record.
func TestEnrollmentByEmailCodes(t *testing.T) {
	k := enKit(t)
	ctx := context.Background()
	acct := enAccount(t, k, "bpn", "notaris")
	er := enLogin(t, k, "bpn", "notaris")
	assert.Contains(t, er.Methods, auth.MethodTOTP)
	assert.Contains(t, er.Methods, auth.MethodEmail)
	assert.Equal(t, k.Now().Add(5*time.Minute), er.ExpiresAt)

	en, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "bpn", Pending: er.Pending}})
	require.NoError(t, err)
	require.NotNil(t, en.SecondStep, "the login goes on to its second step")
	assert.Nil(t, en.Login, "codes by email prove nothing yet")
	assert.Empty(t, en.RecoveryCodes, "no recovery codes before the address is proven")
	assert.Equal(t, []auth.Method{auth.MethodEmail}, en.SecondStep.Methods)

	// The enrollment's pending is not the second step's.
	_, err = k.Auth.Logins().SendCode(ctx, auth.SendCodeRequest{Realm: "bpn", Pending: er.Pending, Method: auth.MethodEmail})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)

	_, err = k.Auth.Logins().SendCode(ctx, auth.SendCodeRequest{Realm: "bpn", Pending: en.SecondStep.Pending, Method: auth.MethodEmail})
	require.NoError(t, err)
	res, err := k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "bpn", Pending: en.SecondStep.Pending, Method: auth.MethodEmail, Code: k.LastCode(t, acct.Email)})
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)

	// The next login asks for the factor, not for an enrollment.
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "notaris", Password: prPassword})
	assert.ErrorIs(t, err, auth.ErrSecondFactorRequired)
}

// TestEnrollmentPendingIsBound: a pending enrollment works once, in its
// realm, for its account, within its attempts, and dies with a password
// change.
func TestEnrollmentPendingIsBound(t *testing.T) {
	k := enKit(t)
	ctx := context.Background()
	a := enAccount(t, k, "bpn", "notaris-a")
	b := enAccount(t, k, "bpn", "notaris-b")
	ea, eb := enLogin(t, k, "bpn", "notaris-a"), enLogin(t, k, "bpn", "notaris-b")

	// Another realm's name does not take it.
	_, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "lpse", Pending: ea.Pending})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)
	// Nor does the second step.
	_, err = k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "bpn", Pending: ea.Pending, Method: auth.MethodTOTP, Code: "123456"})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)

	// b's pending cannot confirm a's app.
	ta, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: ea.Pending})
	require.NoError(t, err)
	secretA := prManualKey(t, ta.ManualKey)
	_, err = k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: eb.Pending, FactorID: ta.FactorID, Code: k.TOTPCode(t, secretA)})
	assert.ErrorIs(t, err, store.ErrNotFound)
	sum, err := k.Auth.Factors().Summary(ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, sum.Factors, "a's app is not confirmed by b's try")

	// a's pending confirms it once, completing the login.
	done, err := k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: ea.Pending, FactorID: ta.FactorID, Code: k.TOTPCode(t, secretA)})
	require.NoError(t, err)
	require.NotNil(t, done.Login)
	assert.Equal(t, a.ID, done.Login.Account.ID)
	_, err = k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: ea.Pending})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin, "used up")

	// A password change (here, a reset's) voids b's pending enrollment.
	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "bpn", Identifier: "notaris-b"})
	require.NoError(t, err)
	require.NoError(t, k.Auth.Accounts().CompleteReset(ctx, auth.ResetCompletion{Realm: "bpn", Token: k.LastToken(t, b.Email), NewPassword: "Sandi-Baru-2026!z"}))
	_, err = k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: eb.Pending})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)
}

// TestEnrollmentPendingAttempts: every call with a pending enrollment
// spends one of its attempts, so one password check cannot buy unbounded
// work; and it expires.
func TestEnrollmentPendingAttempts(t *testing.T) {
	k := enKit(t)
	ctx := context.Background()
	enAccount(t, k, "bpn", "notaris")
	er := enLogin(t, k, "bpn", "notaris")
	for range 4 {
		_, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: er.Pending})
		require.NoError(t, err)
	}
	_, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: er.Pending})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin, "PendingAttempts is 4")

	er = enLogin(t, k, "bpn", "notaris")
	k.Advance(t, 5*time.Minute+time.Second)
	_, err = k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: er.Pending})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin, "expired")
}

// TestEnrollmentConfirmRace: of parallel confirmations of one pending
// enrollment with a right code, exactly one completes the login.
func TestEnrollmentConfirmRace(t *testing.T) {
	k := enKit(t)
	ctx := context.Background()
	enAccount(t, k, "bpn", "notaris")
	er := enLogin(t, k, "bpn", "notaris")
	te, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: er.Pending})
	require.NoError(t, err)
	code := k.TOTPCode(t, prManualKey(t, te.ManualKey))
	var wg sync.WaitGroup
	var mu sync.Mutex
	logins := 0
	for range 3 {
		wg.Go(func() {
			done, err := k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: er.Pending, FactorID: te.FactorID, Code: code})
			if err == nil && done.Login != nil {
				mu.Lock()
				logins++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1, logins)
}

// TestLastFactorStays: a realm that requires a second factor keeps the
// last one; a realm that does not lets it go.
func TestLastFactorStays(t *testing.T) {
	k := enKit(t)
	ctx := context.Background()
	acct := enAccount(t, k, "bpn", "notaris")
	er := enLogin(t, k, "bpn", "notaris")
	en, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "bpn", Pending: er.Pending}})
	require.NoError(t, err)
	err = k.Auth.Factors().Remove(ctx, auth.FactorRemoval{FactorID: en.FactorID, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: prPassword}})
	require.ErrorIs(t, err, auth.ErrLastFactor)
	assert.Equal(t, auth.CodeLastFactor, auth.Classify(err).Code)

	// With a second one, the first may go.
	second, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: prPassword}})
	require.NoError(t, err)
	require.NoError(t, k.Auth.Factors().Remove(ctx, auth.FactorRemoval{FactorID: en.FactorID, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: prPassword}}))
	err = k.Auth.Factors().Remove(ctx, auth.FactorRemoval{FactorID: second.FactorID, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: prPassword}})
	assert.ErrorIs(t, err, auth.ErrLastFactor)

	other := enAccount(t, k, "lpse", "pt-maju")
	f, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: other.ID, Password: prPassword}})
	require.NoError(t, err)
	assert.NoError(t, k.Auth.Factors().Remove(ctx, auth.FactorRemoval{FactorID: f.FactorID, FactorChange: auth.FactorChange{AccountID: other.ID, Password: prPassword}}))
}

// TestAddCodesRefusesOtherKinds: a kind that is not codes is the
// caller's mistake, not an outage.
func TestAddCodesRefusesOtherKinds(t *testing.T) {
	k := enKit(t)
	acct := enAccount(t, k, "lpse", "pt-maju")
	_, err := k.Auth.Factors().AddCodes(context.Background(), auth.CodeFactor{Kind: store.FactorTOTP, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: prPassword}})
	assert.ErrorIs(t, err, auth.ErrMethodUnavailable)
	assert.Less(t, auth.Classify(err).Status, 500)
}

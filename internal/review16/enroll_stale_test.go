package review16_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// Attack: the thief of a password logs in to an account that has no
// second factor yet, in a realm that requires one, and keeps the pending
// enrollment. Minutes later the owner logs in and enrolls an
// authenticator app. The thief's pending enrollment still stands: the
// thief enrolls an app of its own with it and is logged in, past the
// owner's factor.
func TestPendingEnrollmentEndsWithTheFirstFactor(t *testing.T) {
	k := mandatory(t, auth.Config{})
	register(t, k, "bpn", "notaris")
	thief := enrollment(t, k, "bpn", "notaris")
	owner := enrollment(t, k, "bpn", "notaris")

	// The owner enrolls an app.
	te, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: owner.Pending, Request: req()})
	require.NoError(t, err)
	secret := manualKeySecret(t, te.ManualKey)
	_, err = k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: owner.Pending, FactorID: te.FactorID, Code: k.TOTPCode(t, secret), Request: req()})
	require.NoError(t, err)
	k.Advance(t, 30*time.Second)

	// The thief's enrollment no longer stands, by any of its ways.
	_, err = k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: thief.Pending, Request: req()})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)
	_, err = k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "bpn", Pending: thief.Pending, Request: req()}})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)
}

// Attack, on the confirmation: the thief began its enrollment before the
// owner enrolled, and confirms it after.
func TestPendingEnrollmentConfirmAfterTheOwnersFactor(t *testing.T) {
	k := mandatory(t, auth.Config{})
	register(t, k, "bpn", "notaris")
	thief := enrollment(t, k, "bpn", "notaris")
	tte, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: thief.Pending, Request: req()})
	require.NoError(t, err)
	thiefSecret := manualKeySecret(t, tte.ManualKey)

	owner := enrollment(t, k, "bpn", "notaris")
	_, err = k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "bpn", Pending: owner.Pending, Request: req()}})
	require.NoError(t, err)
	// (The owner goes on to its second step; the account has a factor.)

	_, err = k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: thief.Pending, FactorID: tte.FactorID, Code: k.TOTPCode(t, thiefSecret), Request: req()})
	require.Error(t, err, "a pending enrollment confirmed a factor, and logged in, after the account had one")
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)
}

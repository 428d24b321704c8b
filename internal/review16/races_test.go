package review16_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// Checked, holds: a double submit of ConfirmTOTP with one pending
// enrollment (the same factor and code, or two factors begun with it)
// completes one login, and confirms one factor.
func TestEnrollmentConfirmDoubleSubmit(t *testing.T) {
	k := mandatory(t, auth.Config{})
	acct := register(t, k, "bpn", "notaris")
	er := enrollment(t, k, "bpn", "notaris")
	te1, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: er.Pending, Request: req()})
	require.NoError(t, err)
	code1 := k.TOTPCode(t, manualKeySecret(t, te1.ManualKey))

	errs := parallel(8, func(int) error {
		_, err := k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: er.Pending, FactorID: te1.FactorID, Code: code1, Request: req()})
		return err
	})
	assert.Equal(t, 1, successes(errs), "%v", errs)
	sum, err := k.Auth.Factors().Summary(ctx, acct.ID)
	require.NoError(t, err)
	assert.Len(t, sum.Factors, 1)
}

// Checked, holds: the second step that codes enrolled at a login lead to
// completes once, however often its code is submitted at once.
func TestEnrolledCodesSecondStepDoubleSubmit(t *testing.T) {
	k := mandatory(t, auth.Config{})
	acct := register(t, k, "bpn", "notaris")
	er := enrollment(t, k, "bpn", "notaris")
	en, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "bpn", Pending: er.Pending, Request: req()}})
	require.NoError(t, err)
	_, err = k.Auth.Logins().SendCode(ctx, auth.SendCodeRequest{Realm: "bpn", Pending: en.SecondStep.Pending, Method: auth.MethodEmail, Request: req()})
	require.NoError(t, err)
	code := k.LastCode(t, acct.Email)
	errs := parallel(8, func(int) error {
		_, err := k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "bpn", Pending: en.SecondStep.Pending, Method: auth.MethodEmail, Code: code, Request: req()})
		return err
	})
	assert.Equal(t, 1, successes(errs), "%v", errs)
}

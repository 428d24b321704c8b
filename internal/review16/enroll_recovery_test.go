package review16_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// Attack: the thief of a password, in a realm that requires a second
// factor, enrolls codes by email for an account that has none. The
// codes go to the owner's mailbox, which the thief does not hold; but
// AddCodes handed out the account's first recovery codes with the
// enrollment, and the second step it led to offered them. The thief
// completes the login with a recovery code and keeps the other nine for
// later logins: codes by email that nobody ever received become a second
// factor that the password alone passes.
func TestEnrolledCodesAreProvenBeforeTheLoginCompletes(t *testing.T) {
	k := mandatory(t, auth.Config{})
	acct := register(t, k, "bpn", "notaris")
	er := enrollment(t, k, "bpn", "notaris")
	require.Contains(t, er.Methods, auth.MethodEmail)

	en, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "bpn", Pending: er.Pending, Request: req()}})
	require.NoError(t, err)
	require.NotNil(t, en.SecondStep)
	assert.Equal(t, []auth.Method{auth.MethodEmail}, en.SecondStep.Methods, "the second step proves the address just enrolled")

	for _, code := range en.RecoveryCodes {
		_, err := k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "bpn", Pending: en.SecondStep.Pending, Method: auth.MethodRecovery, Code: code, Request: req()})
		require.Error(t, err, "a recovery code handed out with an unproven enrollment completed the login")
	}
	// Nor do they open a later login.
	_, err = login(k, "bpn", "notaris")
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr)
	for _, code := range en.RecoveryCodes {
		_, err := k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "bpn", Pending: sfr.Pending, Method: auth.MethodRecovery, Code: code, Request: req()})
		require.Error(t, err, "a recovery code handed out with an unproven enrollment opened a later login")
	}

	// The owner, who holds the mailbox, completes the login with the code
	// it received, and makes recovery codes once logged in.
	_, err = k.Auth.Logins().SendCode(ctx, auth.SendCodeRequest{Realm: "bpn", Pending: sfr.Pending, Method: auth.MethodEmail, Request: req()})
	require.NoError(t, err)
	res, err := k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "bpn", Pending: sfr.Pending, Method: auth.MethodEmail, Code: k.LastCode(t, acct.Email), Request: req()})
	require.NoError(t, err)
	rc, err := k.Auth.Factors().RegenerateRecoveryCodes(ctx, auth.FactorChange{AccountID: res.Account.ID, Password: pw, Request: req()})
	require.NoError(t, err)
	assert.NotEmpty(t, rc.Codes)
}

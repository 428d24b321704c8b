package review16_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// Attack: with a stolen session and the password (or by a double click of
// the owner's), two factors are removed at once in a realm that requires
// one. Each Remove counted the other factor as left, so both went: the
// account has no second factor, and its next login enrolls one with the
// password alone (and its recovery codes stay behind).
func TestRemoveLastFactorRace(t *testing.T) {
	k, gf := gatedKit(t)
	acct := register(t, k, "bpn", "notaris")
	er := enrollment(t, k, "bpn", "notaris")
	te, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: er.Pending, Request: req()})
	require.NoError(t, err)
	_, err = k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: er.Pending, FactorID: te.FactorID, Code: k.TOTPCode(t, manualKeySecret(t, te.ManualKey)), Request: req()})
	require.NoError(t, err)
	ec, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: pw, Request: req()}})
	require.NoError(t, err)

	ids := []string{te.FactorID, ec.FactorID}
	gf.read.arm()
	errs := parallel(2, func(i int) error {
		return k.Auth.Factors().Remove(ctx, auth.FactorRemoval{FactorID: ids[i], FactorChange: auth.FactorChange{AccountID: acct.ID, Password: pw, Request: req()}})
	})
	for _, err := range errs {
		if err != nil {
			assert.ErrorIs(t, err, auth.ErrLastFactor)
		}
	}
	sum, err := k.Auth.Factors().Summary(ctx, acct.ID)
	require.NoError(t, err)
	assert.NotEmpty(t, sum.Factors, "both factors were removed in a realm that requires one (%v)", errs)
	assert.LessOrEqual(t, successes(errs), 1)

	// The account still logs in with a second step, not an enrollment.
	_, err = login(k, "bpn", "notaris")
	assert.ErrorIs(t, err, auth.ErrSecondFactorRequired)
	assert.False(t, errors.Is(err, auth.ErrEnrollmentRequired))
}

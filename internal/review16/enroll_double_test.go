package review16_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// Attack: a double submit (or a script) sends AddCodes twice at once with
// one pending enrollment. The pending enrollment was used up only after
// the factor had been stored, the recovery codes made and the owner told:
// both requests stored a factor (the account now has codes by email
// twice), made a set of recovery codes (the second silently replacing
// the first, whose holder was told to keep them) and mailed the owner,
// and one of them then failed.
func TestEnrollmentAddCodesDoubleSubmit(t *testing.T) {
	k, gf := gatedKit(t)
	acct := register(t, k, "bpn", "notaris")
	er := enrollment(t, k, "bpn", "notaris")

	gf.create.arm()
	errs := parallel(2, func(int) error {
		_, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "bpn", Pending: er.Pending, Request: req()}})
		return err
	})
	require.Equal(t, 1, successes(errs), "%v", errs)
	for _, err := range errs {
		if err != nil {
			assert.ErrorIs(t, err, auth.ErrNoPendingLogin)
		}
	}
	fs, err := k.Store.(store.Factors).Factors(ctx, acct.ID)
	require.NoError(t, err)
	assert.Len(t, fs, 1, "one pending enrollment stores one factor")
}

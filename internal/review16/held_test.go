package review16_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

// Checked, holds: every method of an operator scoped to one realm refuses
// the accounts, lists, histories and locks of another, reads included,
// and an operator without realms is refused outright.
func TestOperatorScopeOnEveryMethod(t *testing.T) {
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"bpn": {}, "lpse": {}}})
	other := register(t, k, "lpse", "budi")
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "op", Realms: []string{"bpn"}})
	require.NoError(t, err)

	_, err = op.Account(ctx, other.ID)
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = op.Activity(ctx, auth.ActivityQuery{AccountID: other.ID})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = op.List(ctx, store.AccountQuery{Realm: "lpse"})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = op.LockStatus(ctx, auth.LockQuery{Realm: "lpse", Username: "budi"})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = op.Unlock(ctx, auth.UnlockRequest{Realm: "lpse", Username: "budi"})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	act := auth.OperatorAction{AccountID: other.ID}
	assert.ErrorIs(t, op.Disable(ctx, act), auth.ErrOutOfScope)
	assert.ErrorIs(t, op.Enable(ctx, act), auth.ErrOutOfScope)
	assert.ErrorIs(t, op.ForceReset(ctx, act), auth.ErrOutOfScope)
	_, err = op.EndSessions(ctx, act)
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = op.Approve(ctx, auth.Decision{AccountID: other.ID})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = op.Reject(ctx, auth.Decision{AccountID: other.ID, Reason: "x"})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)

	// A realm spelt otherwise is another realm: out of scope, never in.
	op2, err := k.Auth.Operator(auth.OperatorIdentity{Name: "op", Realms: []string{"LPSE", " lpse", ""}})
	require.NoError(t, err)
	_, err = op2.Account(ctx, other.ID)
	assert.ErrorIs(t, err, auth.ErrOutOfScope)

	_, err = k.Auth.Operator(auth.OperatorIdentity{Name: "op"})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = k.Auth.Operator(auth.OperatorIdentity{Name: "op", Realms: []string{}})
	assert.ErrorIs(t, err, auth.ErrOutOfScope)
}

// Checked, holds: realm names are one spelling. New refuses a realm name
// that is not lower-case, and a login that names a realm otherwise is
// refused, so one realm's account is never served under another realm's
// settings.
func TestRealmNamesHaveOneSpelling(t *testing.T) {
	_, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{"LPSE": {}}})
	assert.ErrorIs(t, err, auth.ErrConfig)

	k := mandatory(t, auth.Config{Realms: map[string]auth.Realm{"lpse": {}}})
	register(t, k, "bpn", "notaris")
	for _, name := range []string{"BPN", "bpn ", " bpn", "bpn\x00"} {
		_, err := login(k, name, "notaris")
		assert.ErrorIs(t, err, auth.ErrInvalidRealm, "%q", name)
	}
	// Nor is a pending enrollment of "bpn" taken in "lpse".
	er := enrollment(t, k, "bpn", "notaris")
	_, err = k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "lpse", Pending: er.Pending}})
	assert.ErrorIs(t, err, auth.ErrNoPendingLogin)
}

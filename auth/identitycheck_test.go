package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
)

// TestUnlockRecordsTheIdentityCheck: where only an operator ends a lock,
// an unlock without a record of how the owner's identity was checked is
// refused and unlocks nothing; with it, the record is in the log. Where
// locks end by themselves it is optional.
func TestUnlockRecordsTheIdentityCheck(t *testing.T) {
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{
		"bpjs": {Username: identifiers.KPJ, Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 5, UntilUnlocked: true}}},
		"bpn":  {Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 5, Lock: 30 * time.Minute}}},
	}})
	ctx := context.Background()
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "petugas.cabang", AccountID: "op-1", Realms: []string{"bpjs", "bpn"}})
	require.NoError(t, err)
	for _, c := range []struct{ realm, username string }{{"bpjs", rpKPJ}, {"bpn", "mitra.jaya"}} {
		_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: c.realm, Username: c.username, Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
		require.NoError(t, err)
		k.FailLogins(t, c.realm, c.username, prAddr, 5)
	}

	for _, check := range []string{"", "   "} {
		_, err = op.Unlock(ctx, auth.UnlockRequest{Realm: "bpjs", Username: rpKPJ, Reason: "peserta datang ke kantor", IdentityCheck: check})
		assert.ErrorIs(t, err, auth.ErrIdentityCheckRequired)
	}
	assert.Equal(t, []string{"identity_check"}, auth.Classify(auth.ErrIdentityCheckRequired).Fields)
	_, err = leLogin(k, "bpjs", rpKPJ, prPassword)
	assert.ErrorIs(t, err, lockout.ErrLocked, "a refused unlock unlocks nothing")

	before, err := op.Unlock(ctx, auth.UnlockRequest{Realm: "bpjs", Username: rpKPJ, Reason: "peserta datang ke kantor", IdentityCheck: "KTP asli dan kartu peserta diperiksa di kantor cabang"})
	require.NoError(t, err)
	assert.True(t, before.Locked())
	_, err = leLogin(k, "bpjs", rpKPJ, prPassword)
	require.NoError(t, err)
	var found bool
	for _, e := range k.Events(t, "bpjs") {
		if e.Kind == string(auth.EventUnlocked) {
			found = true
			assert.Equal(t, "KTP asli dan kartu peserta diperiksa di kantor cabang", e.Details["identity_check"])
			assert.Equal(t, "petugas.cabang", e.Details["by"])
		}
	}
	assert.True(t, found)

	_, err = op.Unlock(ctx, auth.UnlockRequest{Realm: "bpn", Username: "mitra.jaya", Reason: "telepon mitra"})
	require.NoError(t, err, "optional where locks end by themselves")
}

package auth_test

import (
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store"
)

// TestEraseOnEveryBackend: on every backend, sessions in Redis included,
// a wrong password erases nothing; the owner's erasure (events
// pseudonymised) and an operator's (events deleted) leave nothing of the
// account: its login fails as for an unknown user, its sessions are gone,
// its username registers again, and the erasure's event is kept.
func TestEraseOnEveryBackend(t *testing.T) {
	for _, b := range everyBackend() {
		t.Run(b.name, func(t *testing.T) {
			st, hot := b.open(t)
			a, err := auth.New(auth.Config{
				Store: st, Tokens: tokensOf(hot), Sessions: sessionsOf(hot), Hasher: &authtest.Hasher{},
				Realm: auth.Realm{Messages: auth.Messages{PortalName: "LPSE Uji"}},
				Realms: map[string]auth.Realm{
					"lpse": {},
					"sso":  {Retention: auth.RetentionPolicy{Events: auth.ErasedEventsDelete}},
				},
			})
			require.NoError(t, err)
			ctx := t.Context()
			for _, tc := range []struct {
				realm    string
				operator bool
			}{{"lpse", false}, {"sso", true}} {
				reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: tc.realm, Username: "budi", Password: goodPassword})
				require.NoError(t, err)
				acct := reg.Account
				res, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: tc.realm, Username: "budi", Password: goodPassword, Request: req})
				require.NoError(t, err)
				sess, err := a.Sessions().Start(ctx, auth.StartSession{Account: res.Account, Request: req})
				require.NoError(t, err)

				err = a.Accounts().Erase(ctx, auth.AccountErasure{AccountID: acct.ID, Password: "salah sekali kata sandinya", Request: req})
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)
				_, err = a.Sessions().Load(ctx, sess.Token)
				require.NoError(t, err, "a wrong password erases nothing")

				by := "owner"
				if tc.operator {
					op, err := a.Operator(auth.OperatorIdentity{Name: "op-1", Realms: []string{auth.AnyRealm}})
					require.NoError(t, err)
					require.NoError(t, op.Erase(ctx, auth.OperatorAction{AccountID: acct.ID, Reason: "permintaan pemilik", Request: req}))
					by = "op-1"
				} else {
					require.NoError(t, a.Accounts().Erase(ctx, auth.AccountErasure{AccountID: acct.ID, Password: goodPassword, Request: req}))
				}

				_, err = a.Sessions().Load(ctx, sess.Token)
				require.Error(t, err, "the session of an erased account")
				if hot != nil {
					left, err := hot.Sessions(ctx, acct.ID, res.Account.CreatedAt)
					require.NoError(t, err)
					assert.Empty(t, left, "sessions in Redis")
				}
				_, err = st.AccountByID(ctx, acct.ID)
				require.ErrorIs(t, err, store.ErrNotFound)
				_, err = a.Logins().Login(ctx, auth.LoginRequest{Realm: tc.realm, Username: "budi", Password: goodPassword, Request: req})
				require.ErrorIs(t, err, auth.ErrInvalidCredentials)

				named, err := st.ListEvents(ctx, store.EventQuery{Realm: tc.realm, AccountID: acct.ID})
				require.NoError(t, err)
				assert.Empty(t, named, "events naming the erased account")
				kept, err := st.ListEvents(ctx, store.EventQuery{Realm: tc.realm, AccountID: store.Pseudonym(acct.ID)})
				require.NoError(t, err)
				require.NotEmpty(t, kept)
				assert.Equal(t, string(auth.EventErased), kept[0].Kind)
				assert.Equal(t, by, kept[0].Details["by"])
				for _, e := range kept {
					assert.Empty(t, e.Username)
				}
				if tc.operator {
					assert.Len(t, kept, 1, "events deleted")
				} else {
					assert.Greater(t, len(kept), 1, "events pseudonymised")
					assert.Empty(t, kept[1].ClientAddr)
				}

				again, err := a.Accounts().Register(ctx, auth.Registration{Realm: tc.realm, Username: "budi", Password: goodPassword})
				require.NoError(t, err, "the username is free again")
				assert.NotEqual(t, acct.ID, again.Account.ID)
			}
		})
	}
}

// TestExport: an export holds the profile, sessions and history of the
// account, and no secret.
func TestExport(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	acct := f.register(t, "lpse", "budi")
	res, err := f.auth.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Request: req})
	require.NoError(t, err)
	sess, err := f.auth.Sessions().Start(ctx, auth.StartSession{Account: res.Account, Request: req})
	require.NoError(t, err)

	x, err := f.auth.Accounts().Export(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "budi", x.Username)
	assert.Equal(t, store.StateActive, x.State)
	require.Len(t, x.Sessions, 1)
	assert.Equal(t, sess.ID, x.Sessions[0].ID)
	require.NotEmpty(t, x.Activity)
	assert.Equal(t, auth.EventLoginSucceeded, x.Activity[0].Kind)

	b, err := json.Marshal(x)
	require.NoError(t, err)
	cred, err := f.store.CredentialByAccount(ctx, acct.ID)
	require.NoError(t, err)
	assert.NotContains(t, string(b), cred.Hash)
	assert.NotContains(t, string(b), sess.Token)
	assert.NotContains(t, string(b), acct.SecurityStamp)

	_, err = f.auth.Accounts().Export(ctx, "no-such-account")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// TestExportFactorsWithoutSecrets: an export lists the TOTP factor and the
// number of recovery codes left, and holds neither the factor's secret
// nor a recovery code.
func TestExportFactorsWithoutSecrets(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	secret, recovery := f.enroll(t, acct)
	x, err := f.auth.Accounts().Export(t.Context(), acct.ID)
	require.NoError(t, err)
	require.Len(t, x.Factors.Factors, 1)
	assert.Equal(t, store.FactorTOTP, x.Factors.Factors[0].Kind)
	assert.Equal(t, len(recovery), x.Factors.RecoveryCodes)
	b, err := json.Marshal(x)
	require.NoError(t, err)
	for _, s := range append([]string{
		base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret),
		hex.EncodeToString(secret),
		string(secret),
	}, recovery...) {
		assert.NotContains(t, string(b), s)
	}
}

// TestEraseNeedsErasure: a store without store.Erasure erases nothing,
// and says so before the password is checked.
func TestEraseNeedsErasure(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		ms := c.Store
		c.Store = struct{ store.Store }{ms}
		c.Attempts, c.Sessions, c.Tokens = ms.(store.Attempts), ms.(store.Sessions), ms.(store.Tokens)
		c.Factors, c.Recovery, c.Devices = ms.(store.Factors), ms.(store.Recovery), ms.(store.Devices)
	})
	acct := f.register(t, "lpse", "budi")
	err := f.auth.Accounts().Erase(t.Context(), auth.AccountErasure{AccountID: acct.ID, Password: goodPassword})
	require.ErrorIs(t, err, auth.ErrNotConfigured)
	op, err := f.auth.Operator(auth.OperatorIdentity{Name: "op-1", Realms: []string{auth.AnyRealm}})
	require.NoError(t, err)
	require.ErrorIs(t, op.Erase(t.Context(), auth.OperatorAction{AccountID: acct.ID}), auth.ErrNotConfigured)
	_, err = f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
}

// TestOperatorExport: an operator's copy of an account's data needs a
// reason, stays in the operator's realms, and is in the owner's history
// with the operator's name.
func TestOperatorExport(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	acct := f.register(t, "lpse", "budi")
	op, err := f.auth.Operator(auth.OperatorIdentity{Name: "petugas.lpse", Realms: []string{"lpse"}})
	require.NoError(t, err)
	_, err = op.Export(ctx, auth.OperatorAction{AccountID: acct.ID, Reason: "  "})
	require.ErrorIs(t, err, auth.ErrReasonRequired)
	other, err := f.auth.Operator(auth.OperatorIdentity{Name: "petugas.sapk", Realms: []string{"sapk"}})
	require.NoError(t, err)
	_, err = other.Export(ctx, auth.OperatorAction{AccountID: acct.ID, Reason: "permintaan pemilik"})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	for _, e := range f.events(t, "lpse") {
		require.NotEqual(t, string(auth.EventExported), e.Kind, "a refused export records none")
	}

	x, err := op.Export(ctx, auth.OperatorAction{AccountID: acct.ID, Reason: "permintaan pemilik lewat surat", Request: req})
	require.NoError(t, err)
	assert.Equal(t, "budi", x.Username)
	e := f.events(t, "lpse")[0]
	assert.Equal(t, string(auth.EventExported), e.Kind)
	assert.Equal(t, acct.ID, e.AccountID)
	assert.Equal(t, "petugas.lpse", e.Details["by"])
	assert.Equal(t, "permintaan pemilik lewat surat", e.Details["reason"])
}

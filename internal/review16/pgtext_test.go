package review16_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// pgKit is a Kit on PostgreSQL, or skips.
func pgKit(t *testing.T) *authtest.Kit {
	t.Helper()
	if os.Getenv(testdb.PostgresEnv) == "" {
		t.Skipf("set %s to run against PostgreSQL", testdb.PostgresEnv)
	}
	db, schema := testdb.Postgres(t)
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres, Schema: schema})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return authtest.New(t, auth.Config{Store: s, Realm: auth.Realm{Links: auth.Links{Reset: "https://p.example.go.id/reset", ConfirmEmail: "https://p.example.go.id/email"}}})
}

// Attack: an account ID that is not UTF-8 (an operator's URL, a host's
// API path parameter: Operator.Account, Operator.Activity, Accounts.Get,
// ChangePassword) reached PostgreSQL, which refused the query: a 503
// "service unavailable", as if the database were down, where no account
// has such an ID (404).
func TestNonUTF8AccountIDIsNotFoundOnPostgres(t *testing.T) {
	k := pgKit(t)
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "op", Realms: []string{auth.AnyRealm}})
	require.NoError(t, err)
	for _, id := range []string{"\xff\xfe", "abc\x00def"} {
		_, err := op.Account(ctx, id)
		assert.ErrorIs(t, err, store.ErrNotFound)
		assert.Less(t, auth.Classify(err).Status, 500, "%v", err)
		_, err = k.Auth.Accounts().Get(ctx, id)
		assert.ErrorIs(t, err, store.ErrNotFound)
		err = k.Auth.Accounts().ChangePassword(ctx, auth.PasswordChange{AccountID: id, Current: pw, New: pw + "x"})
		assert.ErrorIs(t, err, store.ErrNotFound)
	}
}

// Attack: a client address that is not an IP address and not UTF-8 (a
// host that reads X-Real-IP itself, which a client can set when the proxy
// does not overwrite it) went into the lockout's counter keys as it was;
// PostgreSQL refused them, so registrations, reset and activation
// requests, email changes and codes sent with such an address answered
// 503 (Login cleaned its address first and was spared).
func TestNonUTF8ClientAddrOnPostgres(t *testing.T) {
	k := pgKit(t)
	acct := register(t, k, "bpn", "budi")
	bad := auth.Request{ClientAddr: "\xff\x00not-an-ip"}
	_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "bpn", Username: "siti", Password: pw, Request: bad})
	assert.NoError(t, err)
	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "bpn", Identifier: "budi", Request: bad})
	assert.NoError(t, err)
	err = k.Auth.Accounts().RequestEmailChange(ctx, auth.EmailChange{AccountID: acct.ID, Password: pw, NewEmail: "budi2@example.go.id", Request: bad})
	assert.NoError(t, err)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "budi", Password: pw, Request: bad})
	assert.NoError(t, err)
}

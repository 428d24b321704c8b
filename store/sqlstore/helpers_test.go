package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// backend opens databases of one dialect for the tests, each test's
// database separate from every other's: a file in t.TempDir() for SQLite, a
// schema of its own for PostgreSQL.
type backend struct {
	name    string
	dialect sqlstore.Dialect
	// open returns a fresh, empty database and the Config.Schema to use
	// with it.
	open func(t testing.TB) (db *sql.DB, schema string)
}

// backends returns SQLite and PostgreSQL, whose tests skip unless
// MASUK_TEST_POSTGRES is set.
func backends() []backend { return []backend{sqliteBackend, postgresBackend} }

var (
	sqliteBackend   = backend{"SQLite", sqlstore.SQLite, func(t testing.TB) (*sql.DB, string) { return testdb.SQLite(t), "" }}
	postgresBackend = backend{"Postgres", sqlstore.Postgres, testdb.Postgres}
)

// newStore returns a migrated store on a fresh database of b.
func (b backend) newStore(t testing.TB) (*sqlstore.Store, *sql.DB, string) {
	t.Helper()
	db, schema := b.open(t)
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s, db, schema
}

// table returns the qualified name of a table with the default prefix.
func table(schema, name string) string {
	if schema == "" {
		return sqlstore.DefaultTablePrefix + name
	}
	return schema + "." + sqlstore.DefaultTablePrefix + name
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

var t0 = time.Date(2026, 3, 17, 8, 30, 15, 123456000, time.UTC)

// newAccount returns a valid, active account in a realm of its own, with
// its credential.
func newAccount(username string) (store.Account, store.Credential) {
	a := store.Account{
		ID:              "acc-" + randomHex(8),
		Realm:           "realm-" + randomHex(8),
		Username:        username,
		DisplayUsername: username,
		Email:           username + "@example.id",
		State:           store.StateActive,
		SecurityStamp:   "stamp-" + randomHex(8),
		CreatedAt:       t0,
		UpdatedAt:       t0,
	}
	return a, store.Credential{AccountID: a.ID, Hash: "$argon2id$" + username, ChangedAt: t0}
}

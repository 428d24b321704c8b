package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// postgresEnv names the variable that enables the PostgreSQL tests.
const postgresEnv = "MASUK_TEST_POSTGRES"

// backend opens databases of one dialect for the tests, each test's
// database separate from every other's: a file in t.TempDir() for SQLite, a
// schema of its own for PostgreSQL.
type backend struct {
	name    string
	dialect sqlstore.Dialect
	// open returns a fresh, empty database and the Config.Schema to use
	// with it.
	open func(t *testing.T) (db *sql.DB, schema string)
}

// backends returns SQLite and PostgreSQL, whose tests skip unless
// MASUK_TEST_POSTGRES is set.
func backends() []backend { return []backend{sqliteBackend, postgresBackend} }

var (
	sqliteBackend   = backend{"SQLite", sqlstore.SQLite, openSQLiteDB}
	postgresBackend = backend{"Postgres", sqlstore.Postgres, openPostgresDB}
)

func openSQLiteDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	return openSQLite(t, sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "masuk.db"))), ""
}

func openSQLite(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// openPostgresDB creates a schema of its own on the server that
// MASUK_TEST_POSTGRES names and drops it when the test ends, so that test
// packages and runs never share tables. It skips the test when the
// variable is not set.
func openPostgresDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	url := os.Getenv(postgresEnv)
	if url == "" {
		t.Skipf("PostgreSQL tests are off: set %s, e.g. %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable", postgresEnv, postgresEnv)
	}
	// admin creates and drops the schema, so that tests may close db.
	admin, err := sql.Open("pgx", url)
	require.NoError(t, err)
	schema := "masuk_test_" + randomHex(6)
	_, err = admin.ExecContext(t.Context(), `CREATE SCHEMA `+schema)
	require.NoError(t, err, "create schema")
	db, err := sql.Open("pgx", url)
	require.NoError(t, err)
	// Real parallel connections, but not so many that parallel test
	// packages exhaust the server's max_connections.
	db.SetMaxOpenConns(25)
	t.Cleanup(func() {
		_ = db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`)
		_ = admin.Close()
		require.NoError(t, err, "drop schema")
	})
	return db, schema
}

// newStore returns a migrated store on a fresh database of b.
func (b backend) newStore(t *testing.T) (*sqlstore.Store, *sql.DB, string) {
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

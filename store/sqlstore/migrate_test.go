package sqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
	"github.com/masuk-id/masuk/store/storetest"
)

func TestMigrationSQL(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres, sqlstore.SQLite} {
		t.Run(d.String(), func(t *testing.T) {
			ms, err := sqlstore.MigrationSQL(d, "")
			require.NoError(t, err)
			require.NotEmpty(t, ms)
			for i, m := range ms {
				assert.Equal(t, i+1, m.Version, m.Name)
				assert.Regexp(t, `(CREATE|ALTER) TABLE `+sqlstore.DefaultTablePrefix, m.SQL, m.Name)
			}
			assert.Equal(t, "accounts", ms[0].Name)

			custom, err := sqlstore.MigrationSQL(d, "portal_")
			require.NoError(t, err)
			require.Len(t, custom, len(ms))
			for i, m := range custom {
				assert.NotContains(t, m.SQL, sqlstore.DefaultTablePrefix, m.Name)
				assert.Equal(t, ms[i].SQL, strings.ReplaceAll(m.SQL, "portal_", sqlstore.DefaultTablePrefix), m.Name)
			}

			_, err = sqlstore.MigrationSQL(d, "Portal")
			require.Error(t, err)
		})
	}
	_, err := sqlstore.MigrationSQL(0, "")
	require.Error(t, err)
}

func TestNew(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:") // sql.Open does not connect
	require.NoError(t, err)
	defer db.Close()
	for name, cfg := range map[string]sqlstore.Config{
		"no dialect":             {},
		"unknown dialect":        {Dialect: 3},
		"uppercase prefix":       {Dialect: sqlstore.Postgres, TablePrefix: "Masuk_"},
		"prefix with a digit":    {Dialect: sqlstore.Postgres, TablePrefix: "1masuk_"},
		"prefix with a hyphen":   {Dialect: sqlstore.Postgres, TablePrefix: "masuk-"},
		"prefix with a quote":    {Dialect: sqlstore.Postgres, TablePrefix: `m"`},
		"prefix too long":        {Dialect: sqlstore.Postgres, TablePrefix: strings.Repeat("m", 33)},
		"schema on SQLite":       {Dialect: sqlstore.SQLite, Schema: "auth"},
		"schema with a quote":    {Dialect: sqlstore.Postgres, Schema: `auth"; DROP`},
		"schema with a hyphen":   {Dialect: sqlstore.Postgres, Schema: "auth-x"},
		"schema name too long":   {Dialect: sqlstore.Postgres, Schema: strings.Repeat("s", 64)},
		"schema starting digits": {Dialect: sqlstore.Postgres, Schema: "1auth"},
	} {
		_, err := sqlstore.New(db, cfg)
		assert.Error(t, err, name)
	}
	_, err = sqlstore.New(nil, sqlstore.Config{Dialect: sqlstore.SQLite})
	assert.Error(t, err, "nil db")
	for _, cfg := range []sqlstore.Config{
		{Dialect: sqlstore.SQLite},
		{Dialect: sqlstore.SQLite, TablePrefix: "portal_2_"},
		{Dialect: sqlstore.Postgres, TablePrefix: strings.Repeat("m", 32), Schema: "Auth_1"},
	} {
		_, err := sqlstore.New(db, cfg)
		assert.NoError(t, err, "%+v", cfg)
	}
	assert.Equal(t, "postgres", sqlstore.Postgres.String())
	assert.Equal(t, "sqlite", sqlstore.SQLite.String())
	assert.Equal(t, "Dialect(0)", sqlstore.Dialect(0).String())
}

// appliedVersions returns the versions the migrations table records.
func appliedVersions(t *testing.T, db *sql.DB, schema string) []int {
	t.Helper()
	return column[int](t, db, "SELECT version FROM "+table(schema, "schema_migrations")+" ORDER BY version")
}

// column returns the first column of the rows query selects.
func column[T any](t *testing.T, db *sql.DB, query string, args ...any) []T {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var values []T
	for rows.Next() {
		var v T
		require.NoError(t, rows.Scan(&v))
		values = append(values, v)
	}
	require.NoError(t, rows.Err())
	return values
}

func allVersions(t *testing.T, d sqlstore.Dialect) []int {
	t.Helper()
	ms, err := sqlstore.MigrationSQL(d, "")
	require.NoError(t, err)
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.Version)
	}
	return vs
}

func TestMigrateTwice(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			a, c := newAccount("twice")
			require.NoError(t, s.CreateAccount(t.Context(), a, &c))
			require.NoError(t, s.Migrate(t.Context()), "second Migrate")
			require.Equal(t, allVersions(t, b.dialect), appliedVersions(t, db, schema))
			got, err := s.AccountByID(t.Context(), a.ID)
			require.NoError(t, err)
			require.Equal(t, a, got)
		})
	}
}

// TestConcurrentMigrate starts several Migrates at once on a fresh
// database, each on its own connection, as processes starting together
// do: all succeed and each migration is applied once.
func TestConcurrentMigrate(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db, schema := b.open(t)
			const n = 4
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema})
					if err == nil {
						err = s.Migrate(t.Context())
					}
					errs[i] = err
				})
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			require.Equal(t, allVersions(t, b.dialect), appliedVersions(t, db, schema))
		})
	}
}

// tables returns the names of the tables in the test's database.
func tables(t *testing.T, b backend, db *sql.DB, schema string) []string {
	t.Helper()
	if b.dialect == sqlstore.Postgres {
		return column[string](t, db, `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, schema)
	}
	return column[string](t, db, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
}

// TestTablePrefix keeps two stores with different prefixes in one
// database: each has its own tables, and the same account fits in both.
func TestTablePrefix(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			def, db, schema := b.newStore(t)
			portal, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema, TablePrefix: "portal_"})
			require.NoError(t, err)
			require.NoError(t, portal.Migrate(t.Context()))
			require.Equal(t, []string{
				"masuk_accounts", "masuk_attempts", "masuk_challenges", "masuk_credentials", "masuk_devices", "masuk_events",
				"masuk_factors", "masuk_federated_identities", "masuk_passkeys", "masuk_recovery_codes", "masuk_recovery_sets", "masuk_schema_migrations", "masuk_sessions", "masuk_tokens",
				"portal_accounts", "portal_attempts", "portal_challenges", "portal_credentials", "portal_devices", "portal_events",
				"portal_factors", "portal_federated_identities", "portal_passkeys", "portal_recovery_codes", "portal_recovery_sets", "portal_schema_migrations", "portal_sessions", "portal_tokens",
			}, tables(t, b, db, schema))

			a, c := newAccount("prefixed")
			require.NoError(t, def.CreateAccount(t.Context(), a, &c))
			require.NoError(t, portal.CreateAccount(t.Context(), a, &c), "the same account under another prefix")
		})
	}
}

// TestMigrationSQLByHand applies the exported migrations the way a host's
// own migration tool would, and runs the conformance suite on the result.
func TestMigrationSQLByHand(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db, schema := b.open(t)
			ms, err := sqlstore.MigrationSQL(b.dialect, "hand_")
			require.NoError(t, err)
			for _, m := range ms {
				applyByHand(t, db, schema, m.SQL)
			}
			s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema, TablePrefix: "hand_"})
			require.NoError(t, err)
			require.NoError(t, s.Check(t.Context()))
			storetest.Run(t, func(*testing.T) any { return s })
		})
	}
}

// applyByHand runs one migration in a transaction, in schema when it is
// not empty.
func applyByHand(t *testing.T, db *sql.DB, schema, script string) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	if schema != "" {
		_, err = tx.ExecContext(ctx, "SET LOCAL search_path TO "+schema)
		require.NoError(t, err)
	}
	_, err = tx.ExecContext(ctx, script)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
}

// TestCheckSQLiteSettings opens SQLite without the pragmas SQLiteDSN sets:
// Check and Migrate refuse it.
func TestCheckSQLiteSettings(t *testing.T) {
	db := testdb.OpenSQLite(t, "file:"+t.TempDir()+"/plain.db")
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	require.NoError(t, err)
	err = s.Check(t.Context())
	require.ErrorContains(t, err, "foreign_keys=0")
	require.ErrorContains(t, s.Migrate(t.Context()), "SQLiteDSN")
}

// TestSQLiteDSNPath opens a file whose path holds the characters a SQLite
// URI gives meaning to.
func TestSQLiteDSNPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a?b#c%20d")
	require.NoError(t, os.Mkdir(dir, 0o700))
	s, err := sqlstore.New(testdb.OpenSQLite(t, sqlstore.SQLiteDSN(filepath.Join(dir, "masuk.db"))), sqlstore.Config{Dialect: sqlstore.SQLite})
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	require.FileExists(t, filepath.Join(dir, "masuk.db"))
}

// TestProfileOfOlderRows applies the migrations before 0006_account_profile,
// writes an account the way the store did then, and applies the rest: the
// account reads back with a nil profile, and the store can change its
// email.
func TestProfileOfOlderRows(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db, schema := b.open(t)
			ms, err := sqlstore.MigrationSQL(b.dialect, "")
			require.NoError(t, err)
			require.Greater(t, len(ms), 5)
			for _, m := range ms[:5] {
				applyByHand(t, db, schema, m.SQL)
			}
			a, _ := newAccount("older")
			var created any = a.CreatedAt
			insert := `INSERT INTO ` + table(schema, "accounts") + ` (id, realm, username, display_username, email, phone, state, security_stamp, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`
			if b.dialect == sqlstore.SQLite {
				created, insert = a.CreatedAt.UnixMicro(), strings.ReplaceAll(insert, "$", "?")
			}
			_, err = db.ExecContext(t.Context(), insert,
				a.ID, a.Realm, a.Username, a.DisplayUsername, a.Email, a.Phone, string(a.State), a.SecurityStamp, created)
			require.NoError(t, err)
			for _, m := range ms[5:] {
				applyByHand(t, db, schema, m.SQL)
			}

			s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema})
			require.NoError(t, err)
			got, err := s.AccountByID(t.Context(), a.ID)
			require.NoError(t, err)
			require.Equal(t, a, got)
			require.Nil(t, got.Profile)
			require.NoError(t, s.SetEmail(t.Context(), a.ID, a.Email, "", a.UpdatedAt))
		})
	}
}

// TestTokensOfOlderRows applies the migrations before
// 0008_token_bindings_event_time, writes a token the way the store did
// then, and applies the rest: the token is the account's token of the
// purpose with the empty binding, found as it was, replaced by a new
// token without a binding, and not by one with a binding.
func TestTokensOfOlderRows(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db, schema := b.open(t)
			ms, err := sqlstore.MigrationSQL(b.dialect, "")
			require.NoError(t, err)
			require.Greater(t, len(ms), 7)
			for _, m := range ms[:7] {
				applyByHand(t, db, schema, m.SQL)
			}
			old := newToken("acc-" + randomHex(8))
			var issued, expires any = old.IssuedAt, old.ExpiresAt
			insert := `INSERT INTO ` + table(schema, "tokens") + ` (selector, account_id, purpose, hash, data, attempts, max_attempts, issued_at, expires_at)
				VALUES ($1, $2, $3, $4, NULL, 0, $5, $6, $7)`
			if b.dialect == sqlstore.SQLite {
				issued, expires, insert = old.IssuedAt.UnixMicro(), old.ExpiresAt.UnixMicro(), strings.ReplaceAll(insert, "$", "?")
			}
			_, err = db.ExecContext(t.Context(), insert, old.Selector, old.AccountID, old.Purpose, old.Hash, old.MaxAttempts, issued, expires)
			require.NoError(t, err)
			for _, m := range ms[7:] {
				applyByHand(t, db, schema, m.SQL)
			}

			s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema})
			require.NoError(t, err)
			ctx := t.Context()
			got, err := s.AttemptToken(ctx, store.TokenKey{AccountID: old.AccountID, Purpose: old.Purpose}, t0)
			require.NoError(t, err)
			old.Attempts = 1
			require.Equal(t, old, got)

			bound := newToken(old.AccountID)
			bound.Binding = "browser-1"
			require.NoError(t, s.IssueToken(ctx, bound, 0))
			_, err = s.AttemptToken(ctx, store.TokenKey{Selector: old.Selector}, t0)
			require.NoError(t, err, "the older token, beside a bound one")
			next := newToken(old.AccountID)
			require.NoError(t, s.IssueToken(ctx, next, 0))
			_, err = s.AttemptToken(ctx, store.TokenKey{Selector: old.Selector}, t0)
			require.ErrorIs(t, err, store.ErrNotFound, "the older token, replaced by one without a binding")
			_, err = s.AttemptToken(ctx, store.TokenKey{AccountID: old.AccountID, Purpose: old.Purpose, Binding: "browser-1"}, t0)
			require.NoError(t, err)
		})
	}
}

// TestAttemptsOfOlderRows applies the migrations before
// 0009_attempt_leases, writes a counter the way the store did then (two
// attempts charged, nothing known of their outcome), and applies the rest:
// the counter reads back with nothing in flight, its charges count until
// its window ends, as they did, and new charges are leased.
func TestAttemptsOfOlderRows(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db, schema := b.open(t)
			ms, err := sqlstore.MigrationSQL(b.dialect, "")
			require.NoError(t, err)
			require.Greater(t, len(ms), 7)
			for _, m := range ms[:8] {
				applyByHand(t, db, schema, m.SQL)
			}
			var start, expires any = t0, t0.Add(24 * time.Hour)
			insert := `INSERT INTO ` + table(schema, "attempts") + ` (key, attempts, window_start, last_attempt, expires_at, version)
				VALUES ($1, 2, $2, $2, $3, 1)`
			if b.dialect == sqlstore.SQLite {
				start, expires, insert = t0.UnixMicro(), t0.Add(24*time.Hour).UnixMicro(), strings.ReplaceAll(insert, "$", "?")
			}
			_, err = db.ExecContext(t.Context(), insert, "older", start, expires)
			require.NoError(t, err)
			for _, m := range ms[8:] {
				applyByHand(t, db, schema, m.SQL)
			}

			s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema})
			require.NoError(t, err)
			l := attemptLimit
			l.Threshold, l.Lease = 3, 10*time.Second
			k := store.AttemptKey{Key: "older", Limit: l}
			c, err := s.Counter(t.Context(), t0.Add(time.Hour), store.AttemptKey{Key: "older", Limit: store.Limit{Window: 2 * time.Hour, Forget: 2 * time.Hour}})
			require.NoError(t, err)
			require.Equal(t, store.Counter{Key: "older", Attempts: 2, WindowStart: t0, LastAttempt: t0}, c)
			at := t0.Add(time.Second)
			tk, err := s.TakeAttempt(t.Context(), at, []store.AttemptKey{k})
			require.NoError(t, err)
			require.Equal(t, store.Take{Allowed: true, Counters: []store.Counter{
				{Key: "older", Attempts: 3, InFlight: 1, LeaseUntil: at.Add(l.Lease), WindowStart: t0, LastAttempt: at},
			}}, tk)
			c, err = s.Counter(t.Context(), at.Add(l.Lease), k)
			require.NoError(t, err)
			require.Equal(t, store.Counter{Key: "older", Attempts: 2, WindowStart: t0, LastAttempt: at}, c, "the older charges stay, the leased one goes")
		})
	}
}

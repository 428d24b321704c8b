package sqlstore_test

import (
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/golang-migrate/migrate/v4"
	"github.com/golang-migrate/migrate/v4/database"
	migratepgx "github.com/golang-migrate/migrate/v4/database/pgx/v5"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store/sqlstore"
	"github.com/masuk-id/masuk/store/storetest"
)

// migrateTable is the version table golang-migrate keeps in the tests.
const migrateTable = "masuk_migrate_versions"

// TestMigrationDown checks that every step has its revert, and that the
// files of the module source are named as MigrationSQL reads them.
func TestMigrationDown(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres, sqlstore.SQLite} {
		t.Run(d.String(), func(t *testing.T) {
			ms, err := sqlstore.MigrationSQL(d, "portal_")
			require.NoError(t, err)
			for _, m := range ms {
				assert.Regexp(t, `^-- Reverts `+fmt.Sprintf("%04d_%s", m.Version, m.Name)+`:`, m.Down)
				assert.Regexp(t, `(DROP TABLE|ALTER TABLE) portal_`, m.Down, m.Name)
				assert.NotContains(t, m.Down, sqlstore.DefaultTablePrefix, m.Name)
			}
		})
	}
}

// TestGolangMigrateFS checks the layout golang-migrate reads: an up and a
// down file per step, and nothing else.
func TestGolangMigrateFS(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres, sqlstore.SQLite} {
		t.Run(d.String(), func(t *testing.T) {
			ms, err := sqlstore.MigrationSQL(d, "portal_")
			require.NoError(t, err)
			fsys, err := sqlstore.GolangMigrateFS(d, "portal_")
			require.NoError(t, err)
			var names []string
			for _, m := range ms {
				up, down := fmt.Sprintf("%04d_%s.up.sql", m.Version, m.Name), fmt.Sprintf("%04d_%s.down.sql", m.Version, m.Name)
				names = append(names, up, down)
				assertFile(t, fsys, up, m.SQL)
				assertFile(t, fsys, down, m.Down)
			}
			require.NoError(t, fstest.TestFS(fsys, names...))
			entries, err := fs.ReadDir(fsys, ".")
			require.NoError(t, err)
			require.Len(t, entries, len(names))

			src, err := iofs.New(fsys, ".")
			require.NoError(t, err)
			v, err := src.First()
			require.NoError(t, err)
			for _, m := range ms {
				require.Equal(t, uint(m.Version), v)
				v, err = src.Next(v)
				if m.Version == len(ms) {
					require.ErrorIs(t, err, fs.ErrNotExist)
				} else {
					require.NoError(t, err)
				}
			}
		})
	}
	_, err := sqlstore.GolangMigrateFS(0, "")
	require.Error(t, err)
	_, err = sqlstore.GolangMigrateFS(sqlstore.SQLite, "Portal")
	require.Error(t, err)
}

// TestGooseFS checks the layout goose reads: a file per step, the step
// under "-- +goose Up" and its revert under "-- +goose Down", each one
// statement, with no other annotation.
func TestGooseFS(t *testing.T) {
	for _, d := range []sqlstore.Dialect{sqlstore.Postgres, sqlstore.SQLite} {
		t.Run(d.String(), func(t *testing.T) {
			ms, err := sqlstore.MigrationSQL(d, "portal_")
			require.NoError(t, err)
			fsys, err := sqlstore.GooseFS(d, "portal_")
			require.NoError(t, err)
			var names []string
			for _, m := range ms {
				name := fmt.Sprintf("%04d_%s.sql", m.Version, m.Name)
				names = append(names, name)
				b, err := fs.ReadFile(fsys, name)
				require.NoError(t, err)
				up, down, ok := strings.Cut(string(b), "\n-- +goose Down\n")
				require.True(t, ok, name)
				assert.Equal(t, "-- +goose Up\n-- +goose StatementBegin\n"+m.SQL+"-- +goose StatementEnd\n", up, name)
				assert.Equal(t, "-- +goose StatementBegin\n"+m.Down+"-- +goose StatementEnd\n", down, name)
				assert.NotContains(t, m.SQL, "+goose", name)
				assert.NotContains(t, m.Down, "+goose", name)
				assert.True(t, strings.HasSuffix(m.SQL, "\n") && strings.HasSuffix(m.Down, "\n"), name)
			}
			require.NoError(t, fstest.TestFS(fsys, names...))
			matches, err := fs.Glob(fsys, "*.sql")
			require.NoError(t, err)
			require.Equal(t, names, matches)
		})
	}
	_, err := sqlstore.GooseFS(0, "")
	require.Error(t, err)
}

// TestGolangMigrate applies the steps with golang-migrate, one at a time,
// checking after each that the schema is the one the same steps build by
// hand; runs the conformance suite on the result; reverts them one at a
// time, checking after each that the schema is the one before the step;
// and applies them again, to the schema Store.Migrate builds.
func TestGolangMigrate(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			ms, err := sqlstore.MigrationSQL(b.dialect, "")
			require.NoError(t, err)

			// The schema after each step, applied by hand.
			hand, handSchema := b.open(t)
			want := []map[string][]string{schemaOf(t, b, hand, handSchema)}
			for _, m := range ms {
				applyByHand(t, hand, handSchema, m.SQL)
				want = append(want, schemaOf(t, b, hand, handSchema))
			}
			require.Empty(t, want[0])
			_, builtin, builtinSchema := b.newStore(t)
			db, schema := b.open(t)
			m := golangMigrate(t, b, db, schema)

			for i := range ms {
				require.NoError(t, m.Steps(1), "up %d", i+1)
				require.Equal(t, want[i+1], schemaOf(t, b, db, schema), "after up %d", i+1)
			}
			s, err := sqlstore.New(db, sqlstore.Config{Dialect: b.dialect, Schema: schema})
			require.NoError(t, err)
			require.NoError(t, s.Check(t.Context()))
			t.Run("conformance", func(t *testing.T) {
				storetest.Run(t, func(*testing.T) any { return s })
			})

			for i := len(ms); i > 0; i-- {
				require.NoError(t, m.Steps(-1), "down %d", i)
				require.Equal(t, want[i-1], schemaOf(t, b, db, schema), "after down %d", i)
			}
			require.Equal(t, []string{migrateTable}, tables(t, b, db, schema), "what the reverts leave")

			require.NoError(t, m.Up())
			require.Equal(t, schemaOf(t, b, builtin, builtinSchema), schemaOf(t, b, db, schema), "the tool's schema and Migrate's")
			a, c := newAccount("migrated")
			require.NoError(t, s.CreateAccount(t.Context(), a, &c))
			got, err := s.AccountByID(t.Context(), a.ID)
			require.NoError(t, err)
			require.Equal(t, a, got)
		})
	}
}

// golangMigrate returns golang-migrate, with the migrations of
// GolangMigrateFS, on the test's database. On PostgreSQL it migrates
// through a pool of its own whose search_path is the test's schema, as
// the migrations name no schema.
func golangMigrate(t *testing.T, b backend, db *sql.DB, schema string) *migrate.Migrate {
	t.Helper()
	fsys, err := sqlstore.GolangMigrateFS(b.dialect, "")
	require.NoError(t, err)
	src, err := iofs.New(fsys, ".")
	require.NoError(t, err)
	var drv database.Driver
	if b.dialect == sqlstore.Postgres {
		u, err := url.Parse(os.Getenv(testdb.PostgresEnv))
		require.NoError(t, err)
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		db, err = sql.Open("pgx", u.String())
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		drv, err = migratepgx.WithInstance(db, &migratepgx.Config{MigrationsTable: migrateTable})
		require.NoError(t, err)
	} else {
		drv, err = migratesqlite.WithInstance(db, &migratesqlite.Config{MigrationsTable: migrateTable})
		require.NoError(t, err)
	}
	m, err := migrate.NewWithInstance("iofs", src, b.dialect.String(), drv)
	require.NoError(t, err)
	return m
}

// schemaOf describes the masuk tables of the test's database, by table:
// its columns in order, its indexes, its triggers, and on PostgreSQL its
// constraints and storage options, or on SQLite its foreign keys; on
// PostgreSQL also the schema's functions, under "(functions)". The
// migrations tables are left out, and the schema's name too.
func schemaOf(t *testing.T, b backend, db *sql.DB, schema string) map[string][]string {
	t.Helper()
	described := make(map[string][]string)
	for _, table := range tables(t, b, db, schema) {
		if table == sqlstore.DefaultTablePrefix+"schema_migrations" || table == migrateTable {
			continue
		}
		var d []string
		if b.dialect == sqlstore.Postgres {
			qualified := schema + "." + table
			d = append(d, column[string](t, db, `SELECT 'column ' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
				FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`, schema, table)...)
			d = append(d, column[string](t, db, `SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`, schema, table)...)
			d = append(d, column[string](t, db, `SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`, qualified)...)
			d = append(d, column[string](t, db, `SELECT 'options ' || coalesce(array_to_string(reloptions, ','), '') FROM pg_class WHERE oid = $1::regclass`, qualified)...)
			d = append(d, column[string](t, db, `SELECT 'trigger ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = $1::regclass AND NOT tgisinternal ORDER BY tgname`, qualified)...)
			for i := range d {
				d[i] = strings.ReplaceAll(d[i], schema+".", "")
			}
		} else {
			d = append(d, column[string](t, db, `SELECT 'column ' || name || ' ' || type || ' ' || "notnull" || ' ' || coalesce(dflt_value, '') || ' ' || pk
				FROM pragma_table_info(?) ORDER BY cid`, table)...)
			d = append(d, column[string](t, db, `SELECT 'index ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name`, table)...)
			d = append(d, column[string](t, db, `SELECT 'foreign key ' || "from" || ' ' || "table" || ' ' || "to" || ' ' || on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`, table)...)
			d = append(d, column[string](t, db, `SELECT 'trigger ' || name || ' ' || sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? ORDER BY name`, table)...)
		}
		described[table] = d
	}
	if b.dialect == sqlstore.Postgres {
		// The schema's functions (the triggers'), with the schema's name,
		// which a function's search_path holds, left out.
		fns := column[string](t, db, `SELECT 'function ' || pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = $1 ORDER BY p.proname`, schema)
		for i := range fns {
			fns[i] = strings.ReplaceAll(fns[i], schema, "<schema>")
		}
		if len(fns) > 0 {
			described["(functions)"] = fns
		}
	}
	return described
}

// assertFile checks that fsys holds the file name with the text want.
func assertFile(t *testing.T, fsys fs.FS, name, want string) {
	t.Helper()
	b, err := fs.ReadFile(fsys, name)
	if assert.NoError(t, err, name) {
		assert.Equal(t, want, string(b), name)
	}
}

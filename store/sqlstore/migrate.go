package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one versioned step of the schema, from the embedded files
// migrations/<dialect>/NNNN_name.sql and NNNN_name.down.sql.
type Migration struct {
	// Version is NNNN: 1, 2, ... without gaps, in the order to apply.
	Version int
	// Name is the file's name part, e.g. "accounts".
	Name string
	// SQL is the file's statements, with the table prefix applied.
	SQL string
	// Down is the statements that revert SQL, from NNNN_name.down.sql,
	// with the table prefix applied: for a migration tool that can step
	// back. Reverting a step drops what it added, and the data in it.
	Down string
}

var (
	migrationFile = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)(\.down)?\.sql$`)
	// The files name every table and index with the default prefix.
	defaultPrefixWord = regexp.MustCompile(`\b` + DefaultTablePrefix)
)

// MigrationSQL returns the migrations of the dialect, in order, rendered
// for the table prefix (empty means DefaultTablePrefix), for a host that
// applies them with its own migration tool instead of [Store.Migrate].
// Apply each once, in order, and each in a transaction where the dialect
// allows. They create unqualified names, so on PostgreSQL they land in the
// first schema of the search_path. [GooseFS] and [GolangMigrateFS] lay
// them out as files those tools read.
func MigrationSQL(d Dialect, prefix string) ([]Migration, error) {
	if d != Postgres && d != SQLite {
		return nil, fmt.Errorf("sqlstore: no migrations for %v", d)
	}
	prefix, err := tablePrefix(prefix)
	if err != nil {
		return nil, err
	}
	dir := "migrations/" + d.String()
	entries, err := migrationFS.ReadDir(dir) // sorted by name
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	ms := make([]Migration, 0, len(entries)/2)
	downs := make(map[string]string) // by NNNN_name
	for _, e := range entries {
		m := migrationFile.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("sqlstore: migration %s/%s is not named NNNN_name.sql or NNNN_name.down.sql", dir, e.Name())
		}
		b, err := migrationFS.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		text := defaultPrefixWord.ReplaceAllLiteralString(string(b), prefix)
		if m[3] != "" {
			downs[m[1]+"_"+m[2]] = text
			continue
		}
		version, _ := strconv.Atoi(m[1])
		if version != len(ms)+1 {
			return nil, fmt.Errorf("sqlstore: migration %s/%s is out of sequence, want version %d", dir, e.Name(), len(ms)+1)
		}
		ms = append(ms, Migration{Version: version, Name: m[2], SQL: text})
	}
	for i, m := range ms {
		key := fmt.Sprintf("%04d_%s", m.Version, m.Name)
		down, ok := downs[key]
		if !ok {
			return nil, fmt.Errorf("sqlstore: migration %s/%s.sql has no %s.down.sql", dir, key, key)
		}
		ms[i].Down = down
		delete(downs, key)
	}
	for key := range downs {
		return nil, fmt.Errorf("sqlstore: migration %s/%s.down.sql has no %s.sql", dir, key, key)
	}
	return ms, nil
}

// Migrate brings the database's tables up to date: it applies, in order,
// each migration of [MigrationSQL] that the table <prefix>schema_migrations
// does not record, and records it. All pending migrations apply in one
// transaction that holds a lock, so a second process migrating at the same
// time waits and then finds nothing left to do: on PostgreSQL a
// transaction-scoped advisory lock, on SQLite the write lock of BEGIN
// IMMEDIATE. Migrate calls [Store.Check] first.
func (s *Store) Migrate(ctx context.Context) error {
	check := func() error { return s.check(ctx, "Migrate") }
	if s.dialect == SQLite {
		// Migrate is idempotent: on SQLite, where starting instances race
		// to set up a new file, it tries again.
		if err := retryBusy(ctx, check); err != nil {
			return err
		}
	} else if err := check(); err != nil {
		return err
	}
	ms, err := MigrationSQL(s.dialect, s.prefix)
	if err != nil {
		return err
	}
	if s.dialect == Postgres {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if s.schema != "" {
				if _, err := tx.ExecContext(ctx, `SET LOCAL search_path TO "`+s.schema+`"`); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, s.migrationLockKey()); err != nil {
				return err
			}
			return s.applyMigrations(ctx, tx, ms)
		})
	} else {
		err = retryBusy(ctx, func() error { return s.migrateSQLite(ctx, ms) })
	}
	if err != nil {
		return dbError(ctx, "Migrate", err)
	}
	return nil
}

// retryBusy runs f again when SQLite answers SQLITE_BUSY at once, which
// it does, busy timeout or not, while several connections to a new file
// race to switch it to write-ahead logging (several instances starting
// together): the pragma runs as each connection opens. It stops with ctx,
// or after about two seconds. Only what is safe to repeat goes through it.
func retryBusy(ctx context.Context, f func() error) error {
	var err error
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		if err = f(); err == nil || !sqliteBusy(err) || wait > time.Second {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
}

// sqliteBusy reports whether err is SQLite's "database is locked".
func sqliteBusy(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked")
}

// migrateSQLite applies ms on one connection inside BEGIN IMMEDIATE, which
// takes the write lock before the applied versions are read; database/sql's
// BeginTx cannot ask for that.
func (s *Store) migrateSQLite(ctx context.Context, ms []Migration) error {
	unlock, err := s.db.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	conn, err := s.db.pool.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		err = s.applyMigrations(ctx, conn, ms)
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			// The transaction may still be open: never hand this
			// connection back to the pool.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}
	return err
}

// migrationsTable records the versions Migrate has applied.
var migrationsTable = map[Dialect]string{
	Postgres: `CREATE TABLE IF NOT EXISTS {p}schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`,
	SQLite: `CREATE TABLE IF NOT EXISTS {p}schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP)`,
}

type execQuerier interface {
	querier
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// applyMigrations applies the migrations of ms that the migrations table
// does not record, inside the caller's locked transaction.
func (s *Store) applyMigrations(ctx context.Context, q execQuerier, ms []Migration) error {
	if _, err := q.ExecContext(ctx, render(s.dialect, s.prefix, migrationsTable[s.dialect])); err != nil {
		return err
	}
	applied, err := appliedVersions(ctx, q, render(s.dialect, s.prefix, `SELECT version FROM {p}schema_migrations`))
	if err != nil {
		return err
	}
	record := render(s.dialect, s.prefix, `INSERT INTO {p}schema_migrations (version, name) VALUES ($1, $2)`)
	for _, m := range ms {
		if applied[m.Version] {
			continue
		}
		if _, err := q.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		if _, err := q.ExecContext(ctx, record, m.Version, m.Name); err != nil {
			return err
		}
	}
	return nil
}

func appliedVersions(ctx context.Context, q execQuerier, query string) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := make(map[int]bool)
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// migrationLockKey is the PostgreSQL advisory lock that serializes
// migrations of one schema and prefix.
func (s *Store) migrationLockKey() int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/masuk-id/masuk/store/sqlstore migrate " + s.schema + "." + s.prefix))
	return int64(h.Sum64())
}

// render writes query, with $N parameters and {p} for the table prefix, for
// the dialect and the tables.
func render(d Dialect, tables, query string) string {
	query = strings.ReplaceAll(query, "{p}", tables)
	if d == SQLite {
		// SQLite's numbered parameters are ?N; $N would be a name.
		query = strings.ReplaceAll(query, "$", "?")
	}
	return query
}

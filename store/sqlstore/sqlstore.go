package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Dialect is the SQL dialect of the database behind a [Store].
type Dialect int

// The supported dialects. The zero Dialect is none, and [New] rejects it.
const (
	// Postgres is PostgreSQL 12 or later, through a driver whose errors
	// have a SQLState() string method (pgx's stdlib, lib/pq).
	Postgres Dialect = iota + 1
	// SQLite is SQLite 3.35 or later, through a driver whose errors have a
	// Code() int method returning extended result codes
	// (modernc.org/sqlite), opened with the settings [SQLiteDSN] applies.
	SQLite
)

// String returns "postgres" or "sqlite".
func (d Dialect) String() string {
	switch d {
	case Postgres:
		return "postgres"
	case SQLite:
		return "sqlite"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// DefaultTablePrefix begins every table and index name when
// [Config.TablePrefix] is empty.
const DefaultTablePrefix = "masuk_"

// Config says how a [Store] uses its database.
type Config struct {
	// Dialect is the database's dialect, Postgres or SQLite. It is required.
	Dialect Dialect
	// TablePrefix begins the name of every table and index: lowercase
	// letters, digits and underscores, starting with a letter, at most 32
	// bytes. Empty means DefaultTablePrefix, "masuk_".
	TablePrefix string
	// Schema is the PostgreSQL schema that holds the tables; it must
	// already exist. Empty means the connection's search_path. It must be
	// empty for SQLite.
	Schema string
	// MaxChallenges bounds how many captcha challenges the table holds,
	// expired ones that are not yet deleted included: CreateChallenge
	// deletes the expired ones when the table is full, and refuses a new
	// one with store.ErrCapacity while it still is. Zero means
	// DefaultMaxChallenges; a negative value means no bound, for a host
	// that bounds the table otherwise. See the package documentation.
	MaxChallenges int
}

// DefaultMaxChallenges is how many captcha challenges a Store keeps when
// [Config.MaxChallenges] is zero: about 1.3 GB of them, at about 130 KB
// a row with an image and audio in two languages, the audio in base64.
const DefaultMaxChallenges = 10_000

// Store keeps every masuk record in a PostgreSQL or SQLite database. It is
// safe for concurrent use. The zero value is not usable; call [New].
type Store struct {
	db      handle // on SQLite, takes the writes one at a time
	dialect Dialect
	prefix  string
	schema  string
	tables  string             // the prefix, qualified with the schema if any
	q       [numQueries]string // the queries, rendered for dialect and tables
	// maxChallenges is Config.MaxChallenges, DefaultMaxChallenges for
	// zero; negative for no bound.
	maxChallenges int
	// sessionAccount is qSessionAccount prepared, on SQLite, once
	// SessionAccount has first run; prepare serializes its preparation.
	sessionAccount atomic.Pointer[sql.Stmt]
	prepare        sync.Mutex
}

var (
	_ store.Store         = (*Store)(nil)
	_ store.Accounts      = (*Store)(nil)
	_ store.Credentials   = (*Store)(nil)
	_ store.Events        = (*Store)(nil)
	_ store.Attempts      = (*Store)(nil)
	_ store.Challenges    = (*Store)(nil)
	_ store.Factors       = (*Store)(nil)
	_ store.Recovery      = (*Store)(nil)
	_ store.Devices       = (*Store)(nil)
	_ store.Tokens        = (*Store)(nil)
	_ store.Sessions      = (*Store)(nil)
	_ store.AccountLister = (*Store)(nil)
)

var (
	prefixPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	schemaPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)
)

// New returns a store that keeps its records in db. It does no I/O: call
// [Store.Migrate] (or apply [MigrationSQL] yourself) before using it.
func New(db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, errors.New("sqlstore: db is nil")
	}
	if cfg.Dialect != Postgres && cfg.Dialect != SQLite {
		return nil, errors.New("sqlstore: Config.Dialect must be Postgres or SQLite")
	}
	prefix, err := tablePrefix(cfg.TablePrefix)
	if err != nil {
		return nil, err
	}
	if cfg.Schema != "" {
		if cfg.Dialect != Postgres {
			return nil, errors.New("sqlstore: Config.Schema is for PostgreSQL only")
		}
		if !schemaPattern.MatchString(cfg.Schema) {
			return nil, fmt.Errorf("sqlstore: schema %q is not letters, digits and underscores", cfg.Schema)
		}
	}
	s := &Store{db: newHandle(db, cfg.Dialect), dialect: cfg.Dialect, prefix: prefix, schema: cfg.Schema, tables: prefix, maxChallenges: cfg.MaxChallenges}
	if s.maxChallenges == 0 {
		s.maxChallenges = DefaultMaxChallenges
	}
	if cfg.Schema != "" {
		s.tables = `"` + cfg.Schema + `".` + prefix
	}
	for i, q := range queries {
		s.q[i] = render(cfg.Dialect, s.tables, q)
	}
	return s, nil
}

func tablePrefix(p string) (string, error) {
	if p == "" {
		return DefaultTablePrefix, nil
	}
	if !prefixPattern.MatchString(p) {
		return "", fmt.Errorf("sqlstore: table prefix %q is not [a-z][a-z0-9_]*, at most 32 bytes", p)
	}
	return p, nil
}

// SQLiteDSN returns the modernc.org/sqlite data source name for the
// database file at path with the settings a Store needs on every
// connection: write-ahead logging, so readers and the writer do not block
// each other; a five-second busy timeout, so concurrent writers wait for
// each other instead of failing; foreign keys on; recursive triggers on,
// so that an INSERT OR REPLACE that deletes an account fires the trigger
// that empties its sessions' copies of it; and write transactions that
// take the write lock when they begin. Open the database with
//
//	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
func SQLiteDSN(path string) string {
	// The DSN is a SQLite URI, in which these three are not literal.
	path = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=recursive_triggers(1)&_txlock=immediate"
}

// Check verifies that the connections to the database have the settings
// the store relies on. On SQLite, foreign keys must be on and the busy
// timeout above zero (see [SQLiteDSN]); on PostgreSQL, the server must
// answer. [Store.Migrate] calls it first; a host that applies the
// migrations itself can call it at startup.
func (s *Store) Check(ctx context.Context) error {
	return s.check(ctx, "Check")
}

func (s *Store) check(ctx context.Context, op string) error {
	if s.dialect == Postgres {
		if err := s.db.PingContext(ctx); err != nil {
			return dbError(ctx, op, err)
		}
		return nil
	}
	var fk, busy, rec int
	err := s.db.QueryRowContext(ctx, "SELECT foreign_keys, timeout, recursive_triggers FROM pragma_foreign_keys, pragma_busy_timeout, pragma_recursive_triggers").Scan(&fk, &busy, &rec)
	if err != nil {
		return dbError(ctx, op, err)
	}
	if fk != 1 || busy <= 0 || rec != 1 {
		return fmt.Errorf("sqlstore: %s: SQLite connection has foreign_keys=%d, busy_timeout=%d and recursive_triggers=%d; open it with SQLiteDSN or the same pragmas", op, fk, busy, rec)
	}
	return nil
}

// Error is a failure of the database rather than an outcome the store
// contract names: a cancelled context, a closed database, a lost
// connection, a server error. Nothing was written. errors.Is sees its
// cause: context.Canceled, context.DeadlineExceeded, [ErrClosed], the
// driver's own errors.
type Error struct {
	// Op is the method that failed, e.g. "CreateAccount".
	Op string
	// Err is the cause. When the context was done, it wraps both the
	// context's error and the driver's.
	Err error

	closed bool
}

// ErrClosed is what errors.Is matches an [*Error] against when the
// *sql.DB was closed.
var ErrClosed = errors.New("sqlstore: database is closed")

// Error returns "sqlstore: <Op>: <cause>".
func (e *Error) Error() string { return "sqlstore: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is [ErrClosed] and the database was closed.
func (e *Error) Is(target error) bool { return target == ErrClosed && e.closed }

// fail turns the error of the operation op into what the store returns:
// nil, an outcome of the contract (store.ErrNotFound, ...), or an *Error.
func (s *Store) fail(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	for _, outcome := range []error{store.ErrNotFound, store.ErrConflict, store.ErrStale, store.ErrInvalid, store.ErrCapacity, store.ErrCooldown} {
		if errors.Is(err, outcome) {
			return err
		}
	}
	switch s.constraint(err) {
	case uniqueViolation:
		return store.ErrConflict
	case foreignKeyViolation:
		return store.ErrNotFound
	}
	return dbError(ctx, op, err)
}

// dbError wraps err, a failure of the database during op, in an *Error.
func dbError(ctx context.Context, op string, err error) error {
	// database/sql does not export the error of a closed *sql.DB.
	closed := err.Error() == "sql: database is closed"
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		// The driver reported what the cancellation did to it (SQLite
		// "interrupted", PostgreSQL "canceling statement"); keep both.
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return &Error{Op: op, Err: err, closed: closed}
}

type violation int

const (
	noViolation violation = iota
	uniqueViolation
	foreignKeyViolation
)

// constraint tells which integrity constraint err reports, if any, by the
// methods the drivers' error types have, so that the package imports no
// driver.
func (s *Store) constraint(err error) violation {
	switch s.dialect {
	case Postgres:
		var e interface{ SQLState() string }
		if errors.As(err, &e) {
			switch e.SQLState() {
			case "23505": // unique_violation
				return uniqueViolation
			case "23503": // foreign_key_violation
				return foreignKeyViolation
			}
		}
	case SQLite:
		var e interface{ Code() int }
		if errors.As(err, &e) {
			switch e.Code() {
			case 2067, 1555: // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
				return uniqueViolation
			case 787: // SQLITE_CONSTRAINT_FOREIGNKEY
				return foreignKeyViolation
			}
		}
	}
	return noViolation
}

// inTx runs fn in a transaction and commits it, or rolls it back when fn
// fails. database/sql rolls it back by itself when ctx is done. On SQLite
// the transaction holds the store's write lock from its beginning to its
// end (see handle); fn must run its statements on tx, never on s.db.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	unlock, err := s.db.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	tx, err := s.db.pool.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// timeArg returns t as the store keeps it: to the microsecond, in UTC; as a
// timestamptz on PostgreSQL, as Unix microseconds on SQLite.
func (s *Store) timeArg(t time.Time) any {
	if s.dialect == SQLite {
		return t.UnixMicro()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// storedTime returns t as timeArg stores it, as a time: to the
// microsecond, in UTC.
func (s *Store) storedTime(t time.Time) time.Time {
	if s.dialect == SQLite {
		return time.UnixMicro(t.UnixMicro()).UTC()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// nullTimeArg is timeArg, but NULL for the zero time.
func (s *Store) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.timeArg(t)
}

// utcTime scans either representation timeArg writes into a UTC time, and
// NULL into the zero time.
type utcTime struct{ t *time.Time }

func (u utcTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*u.t = time.Time{}
	case time.Time:
		*u.t = v.UTC()
	case int64:
		*u.t = time.UnixMicro(v).UTC()
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a time", src)
	}
	return nil
}

// lockAccount locks the account's row for the rest of tx, so that the
// writes an account bounds (its factors, its devices) serialize on it, or
// returns store.ErrNotFound when there is no such account.
func (s *Store) lockAccount(ctx context.Context, tx *sql.Tx, id string) error {
	if s.dialect == SQLite {
		n, err := rowsAffected(tx.ExecContext(ctx, s.q[qLockAccountSQLite], id))
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	}
	var one int
	err := tx.QueryRowContext(ctx, s.q[qLockAccount], id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// text reports whether the database can hold every one of vs as text:
// SQLite can; PostgreSQL's text only UTF-8 without NUL.
func (s *Store) text(vs ...string) bool {
	if s.dialect != Postgres {
		return true
	}
	for _, v := range vs {
		if !pgText(v) {
			return false
		}
	}
	return true
}

// rowsAffected returns how many rows the statement that returned res wrote.
func rowsAffected(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

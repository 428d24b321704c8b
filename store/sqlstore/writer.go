package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"sync"
	"unicode"
)

// handle is a Store's database. On SQLite it takes the store's writes one
// at a time: every statement that may write, and every transaction, runs
// while holding write, a lock of the Store's own, while reads run on the
// pool at once as before.
//
// SQLite lets one connection write at a time and makes the others wait
// in its busy handler, which sleeps and retries until the busy timeout
// runs out. That wait is not a queue: under a thousand concurrent logins
// some writers lose every retry for five seconds and fail with
// SQLITE_BUSY. Waiting on write instead is a queue (goroutines blocked
// on a channel are served in turn), it honours the caller's context, and
// a writer that holds it finds SQLite's lock free, unless another process
// holds it, which the busy timeout still covers. A mutex around each
// write was chosen over a second *sql.DB of one connection for writes
// because the host hands the Store a *sql.DB, not its data source name,
// and a connection pinned out of the host's pool would have to be
// reopened by hand when it breaks.
//
// On PostgreSQL write is nil and handle adds nothing.
type handle struct {
	pool  *sql.DB
	write chan struct{}
}

func newHandle(db *sql.DB, d Dialect) handle {
	h := handle{pool: db}
	if d == SQLite {
		h.write = make(chan struct{}, 1)
	}
	return h
}

// lock takes the write lock, or returns ctx's error if ctx ends first. The
// lock must be released with the function it returns.
func (h handle) lock(ctx context.Context) (unlock func(), err error) {
	if h.write == nil {
		return func() {}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case h.write <- struct{}{}:
		return func() { <-h.write }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// serialized reports whether query must hold the write lock: on SQLite,
// every statement but a SELECT, which cannot write.
func (h handle) serialized(query string) bool {
	if h.write == nil {
		return false
	}
	q := strings.TrimLeftFunc(query, func(r rune) bool { return unicode.IsSpace(r) || r == '(' })
	return len(q) < 6 || !strings.EqualFold(q[:6], "select")
}

// ExecContext runs a statement, holding the write lock on SQLite.
func (h handle) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !h.serialized(query) {
		return h.pool.ExecContext(ctx, query, args...)
	}
	unlock, err := h.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return h.pool.ExecContext(ctx, query, args...)
}

// QueryContext runs a query. A query that may write (INSERT, UPDATE or
// DELETE ... RETURNING) holds the write lock on SQLite until it has
// finished, its rows read and closed, and the rows are returned from
// memory.
func (h handle) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !h.serialized(query) {
		return h.pool.QueryContext(ctx, query, args...)
	}
	r := h.queryWrite(ctx, query, args)
	if r.err != nil {
		return nil, r.err
	}
	return r.rows(ctx)
}

// QueryRowContext runs a query that returns at most one row, as
// QueryContext does.
func (h handle) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if !h.serialized(query) {
		return h.pool.QueryRowContext(ctx, query, args...)
	}
	return h.queryWrite(ctx, query, args).row(ctx)
}

// PingContext pings the database.
func (h handle) PingContext(ctx context.Context) error { return h.pool.PingContext(ctx) }

// queryWrite runs a query that may write while holding the write lock,
// and reads its rows into memory. An SQLite statement that writes holds
// the database's write lock until its rows are closed; a *sql.Row is
// closed only when the caller scans it, which may be after the next
// writer has begun, so it is read here, under the lock, instead.
func (h handle) queryWrite(ctx context.Context, query string, args []any) *buffered {
	unlock, err := h.lock(ctx)
	if err != nil {
		return &buffered{err: err}
	}
	defer unlock()
	rows, err := h.pool.QueryContext(ctx, query, args...)
	if err != nil {
		return &buffered{err: err}
	}
	defer rows.Close()
	b := &buffered{}
	if b.columns, err = rows.Columns(); err != nil {
		return &buffered{err: err}
	}
	for rows.Next() {
		v := make([]any, len(b.columns))
		p := make([]any, len(v))
		for i := range v {
			p[i] = &v[i]
		}
		// Scanning into *any keeps the driver's values as they are ([]byte
		// copied), so the caller's Scan converts them as it would have.
		if err := rows.Scan(p...); err != nil {
			return &buffered{err: err}
		}
		b.values = append(b.values, v)
	}
	b.rowsErr = rows.Err()
	if err := rows.Close(); err != nil && b.rowsErr == nil {
		b.rowsErr = err
	}
	return b
}

// buffered is what a query returned: its error, or its columns, rows and
// the error that ended them.
type buffered struct {
	err     error
	columns []string
	values  [][]any
	rowsErr error
}

// rows returns b as *sql.Rows, through the replay driver.
func (b *buffered) rows(ctx context.Context) (*sql.Rows, error) {
	return replayDB().QueryContext(context.WithValue(context.WithoutCancel(ctx), replayKey{}, b), "")
}

// row returns b as a *sql.Row, through the replay driver.
func (b *buffered) row(ctx context.Context) *sql.Row {
	return replayDB().QueryRowContext(context.WithValue(context.WithoutCancel(ctx), replayKey{}, b), "")
}

// replayDB is a *sql.DB whose driver answers every query with the
// *buffered its context carries: the only way to hand the store's code a
// *sql.Row or *sql.Rows whose values were read earlier. It holds nothing
// but the goroutine every *sql.DB has, made on the first write through
// QueryRowContext of a SQLite store and kept for the life of the process.
var replayDB = sync.OnceValue(func() *sql.DB { return sql.OpenDB(replayConnector{}) })

type replayKey struct{}

type replayConnector struct{}

func (replayConnector) Connect(context.Context) (driver.Conn, error) { return replayConn{}, nil }
func (replayConnector) Driver() driver.Driver                        { return replayDriver{} }

type replayDriver struct{}

func (replayDriver) Open(string) (driver.Conn, error) { return replayConn{}, nil }

var errReplay = errors.New("sqlstore: the replay driver only replays queries")

type replayConn struct{}

func (replayConn) Prepare(string) (driver.Stmt, error) { return nil, errReplay }
func (replayConn) Close() error                        { return nil }
func (replayConn) Begin() (driver.Tx, error)           { return nil, errReplay }

func (replayConn) QueryContext(ctx context.Context, _ string, _ []driver.NamedValue) (driver.Rows, error) {
	b, ok := ctx.Value(replayKey{}).(*buffered)
	if !ok {
		return nil, errReplay
	}
	if b.err != nil {
		return nil, b.err
	}
	return &replayRows{b: b}, nil
}

type replayRows struct {
	b    *buffered
	next int
}

func (r *replayRows) Columns() []string { return r.b.columns }
func (r *replayRows) Close() error      { return nil }

func (r *replayRows) Next(dest []driver.Value) error {
	if r.next == len(r.b.values) {
		if r.b.rowsErr != nil {
			return r.b.rowsErr
		}
		return io.EOF
	}
	for i, v := range r.b.values[r.next] {
		dest[i] = v
	}
	r.next++
	return nil
}

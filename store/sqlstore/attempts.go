package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/masuk-id/masuk/store"
)

// The attempt counters' table is <prefix>attempts, one row per key; see
// migrations/*/0003_attempts.sql and 0009_attempt_leases.sql. The state machine is the store
// package's: TakeAttempt, FailAttempt and ReleaseAttempts read the rows,
// run store.TakeCounter, store.FailCounter or store.ReleaseCounter on them
// in Go, and write back what changed only if the rows are still as read
// (swapCounters), or else decide again on rows locked in a transaction
// (lockCounters).

const attemptColumns = `key, attempts, window_start, locked_until, permanent, locks, last_attempt, in_flight, lease_until`

// stored is what the attempts table holds for a list of keys.
type stored struct {
	counters []store.Counter // in the order of the keys; zero without a row
	versions []int64         // the rows' versions
	exists   []bool          // whether the key has a row
	missing  bool            // some key has no row
}

// errUnchanged rolls back a transaction of update that, on the locked
// rows, finds nothing to write.
var errUnchanged = errors.New("sqlstore: nothing to write")

// TakeAttempt implements [store.Attempts].
//
// A refusal writes nothing, so a plain read of the rows decides it: a
// flood of attempts at a locked key is refused without waiting for, or
// writing, any row. An attempt that the read allows is charged, on
// PostgreSQL when every key has a row, by one UPDATE that writes all the
// rows only if none has changed since the read. Otherwise (a new key, a
// concurrent write, SQLite) it is decided again in one transaction that
// locks the rows of all keys, inserting those missing, and, when it is
// still allowed, writes them back in one statement.
func (s *Store) TakeAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) (store.Take, error) {
	if err := store.CheckAttemptKeys(keys); err != nil {
		return store.Take{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	var t store.Take
	_, err := s.update(ctx, keys, at, true, func(current []store.Counter) ([]store.Counter, bool) {
		t = take(current, keys, at)
		return t.Counters, t.Allowed
	})
	if err != nil {
		return store.Take{}, s.fail(ctx, "TakeAttempt", err)
	}
	return t, nil
}

// take runs store.TakeCounter on every key's stored counter: the attempt
// is allowed, and every counter charged, only when every key allows it.
func take(current []store.Counter, keys []store.AttemptKey, at time.Time) store.Take {
	settled := make([]store.Counter, len(keys))
	charged := make([]store.Counter, len(keys))
	allowed := true
	for i, k := range keys {
		var ok bool
		settled[i], charged[i], ok = store.TakeCounter(current[i], k.Limit, at)
		allowed = allowed && ok
	}
	if !allowed {
		return store.Take{Counters: micros(settled)}
	}
	return store.Take{Allowed: true, Counters: micros(charged)}
}

// FailAttempt implements [store.Attempts].
//
// A failure that changes no counter (without a lease, one that locks
// nothing; one at a locked key) writes nothing: a plain read of the rows
// decides that. Otherwise (a charge in flight settled, a failure counted
// afresh, a key to lock) the rows are written as by TakeAttempt: by one
// conditional UPDATE, or in a transaction that locks them.
func (s *Store) FailAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) ([]store.Counter, error) {
	if err := store.CheckAttemptKeys(keys); err != nil {
		return nil, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	out, err := s.update(ctx, keys, at, true, func(current []store.Counter) ([]store.Counter, bool) {
		return apply(store.FailCounter, current, keys, at)
	})
	if err != nil {
		return nil, s.fail(ctx, "FailAttempt", err)
	}
	return out, nil
}

// update reads the counters of keys and asks decide for the counters
// they become and whether to write them. If so, it writes them with
// swapCounters when it can, and otherwise in a transaction that locks the
// rows, inserting those missing if insert is set, and asks decide again
// on what it locked. It writes only keys that have a row or were
// inserted. It returns the counters decide returned last.
func (s *Store) update(ctx context.Context, keys []store.AttemptKey, at time.Time, insert bool, decide func(current []store.Counter) ([]store.Counter, bool)) ([]store.Counter, error) {
	st, err := s.counters(ctx, s.db, keys)
	if err != nil {
		return nil, err
	}
	out, write := decide(st.counters)
	if !write {
		return out, nil
	}
	if s.dialect == Postgres && !st.missing {
		swapped, err := s.swapCounters(ctx, keys, st.versions, out, at)
		if err != nil || swapped {
			return out, err
		}
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := s.lockCounters(ctx, tx, keys, at, insert)
		if err != nil {
			return err
		}
		if out, write = decide(st.counters); !write {
			return errUnchanged
		}
		var wkeys []store.AttemptKey
		var wout []store.Counter
		for i, ok := range st.exists {
			if ok {
				wkeys, wout = append(wkeys, keys[i]), append(wout, out[i])
			}
		}
		return s.putCounters(ctx, tx, wkeys, wout, at)
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return out, err
}

// apply runs step, store.FailCounter or store.ReleaseCounter, on every
// key's stored counter, and reports whether that changes any counter
// (settles a charge in flight, counts a failure, locks one, takes an
// attempt back) from what it settles to.
func apply(step func(store.Counter, store.Limit, time.Time) store.Counter, current []store.Counter, keys []store.AttemptKey, at time.Time) (out []store.Counter, changed bool) {
	out = make([]store.Counter, len(keys))
	for i, k := range keys {
		out[i] = step(current[i], k.Limit, at)
		changed = changed || out[i] != store.Settle(current[i], k.Limit, at)
	}
	return micros(out), changed
}

// ReleaseAttempts implements [store.Attempts].
//
// A release that takes nothing back (every key locked, without attempts
// or without a row) writes nothing: a plain read of the rows decides it.
// Otherwise the rows are written as by TakeAttempt, except that a key
// without a row is skipped, never inserted: on PostgreSQL, when every key
// has a row, by one UPDATE conditional on the rows' versions; else in one
// transaction that locks the rows there are, in the order of the keys'
// text, decides again on them and writes them back.
func (s *Store) ReleaseAttempts(ctx context.Context, at time.Time, keys []store.AttemptKey) error {
	if err := store.CheckAttemptKeys(keys); err != nil {
		return err
	}
	at = at.UTC().Truncate(time.Microsecond)
	_, err := s.update(ctx, keys, at, false, func(current []store.Counter) ([]store.Counter, bool) {
		return apply(store.ReleaseCounter, current, keys, at)
	})
	return s.fail(ctx, "ReleaseAttempts", err)
}

// ClearAttempts implements [store.Attempts] with one UPDATE, which on
// PostgreSQL locks the rows in the order of the keys' text, byte by byte
// whatever the column's collation, as every other write of several
// counters does, so that they never deadlock.
func (s *Store) ClearAttempts(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	args = append(args, newVersion())
	rows := `key IN (` + params(1, len(keys)) + `)`
	if s.dialect == Postgres {
		rows = `key IN (SELECT key FROM {p}attempts WHERE ` + rows + ` ORDER BY key COLLATE "C" FOR UPDATE)`
	}
	q := s.render(`UPDATE {p}attempts SET attempts = 0, window_start = NULL, in_flight = 0, lease_until = NULL,
		locks = CASE WHEN permanent THEN locks ELSE 0 END, version = $` + strconv.Itoa(len(args)) + ` WHERE ` + rows)
	_, err := s.db.ExecContext(ctx, q, args...)
	return s.fail(ctx, "ClearAttempts", err)
}

// Unlock implements [store.Attempts] with one DELETE ... RETURNING.
func (s *Store) Unlock(ctx context.Context, key string) (store.Counter, error) {
	var c store.Counter
	err := scanCounter(s.db.QueryRowContext(ctx, s.q[qDeleteAttempt], key), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Counter{Key: key}, nil
	}
	if err != nil {
		return store.Counter{}, s.fail(ctx, "Unlock", err)
	}
	return c, nil
}

// Counter implements [store.Attempts] with one SELECT.
func (s *Store) Counter(ctx context.Context, at time.Time, key store.AttemptKey) (store.Counter, error) {
	var c store.Counter
	err := scanCounter(s.db.QueryRowContext(ctx, s.q[qAttempt], key.Key), &c)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Counter{Key: key.Key}, nil
	}
	if err != nil {
		return store.Counter{}, s.fail(ctx, "Counter", err)
	}
	return store.Settle(c, key.Limit, at.UTC()), nil
}

// PruneAttempts deletes the attempt counters that have settled to nothing
// by time at (their attempts' window, lock and history all over), and
// returns how many it deleted. The store never deletes them by itself:
// a host runs PruneAttempts now and then, say every hour, so that a flood
// of attempts at made-up usernames does not grow the table for ever.
// Counters that are not yet over, and permanent locks, stay. On
// PostgreSQL it skips the rows that logins hold at the time, so that it
// never waits for them or makes them wait.
//
// A counter's end is reckoned with the limit it was last written under;
// a host that shortens its policy's durations sees the old counters go
// when their old end comes.
func (s *Store) PruneAttempts(ctx context.Context, at time.Time) (int64, error) {
	q := s.q[qPruneAttempts]
	if s.dialect == Postgres {
		q = s.q[qPruneAttemptsSkipLocked]
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, q, s.timeArg(at)))
	if err != nil {
		return 0, s.fail(ctx, "PruneAttempts", err)
	}
	return n, nil
}

// counters reads the stored counters of keys.
func (s *Store) counters(ctx context.Context, q execQuerier, keys []store.AttemptKey) (stored, error) {
	return s.keyRows(ctx, q, keys, `SELECT `+attemptColumns+`, version FROM {p}attempts WHERE key IN (`+params(1, len(keys))+`)`)
}

// keyRows runs query, whose parameters are the keys, and returns the
// counters of keys in the rows of attemptColumns and version it returns.
func (s *Store) keyRows(ctx context.Context, q execQuerier, keys []store.AttemptKey, query string) (stored, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k.Key
	}
	rows, err := q.QueryContext(ctx, s.render(query), args...)
	if err != nil {
		return stored{}, err
	}
	return scanStored(rows, keys)
}

// lockCounters locks the rows of keys for the rest of tx, inserting those
// missing if insert is set, and returns their counters in the order of
// keys. It locks them in the order of the keys' text, byte by byte, so
// that transactions whose keys overlap never wait for each other in a
// cycle. On SQLite the transaction already holds the database's write
// lock (BEGIN IMMEDIATE, see SQLiteDSN), or takes it with the statement,
// which writes.
func (s *Store) lockCounters(ctx context.Context, tx *sql.Tx, keys []store.AttemptKey, at time.Time, insert bool) (stored, error) {
	if !insert && s.dialect == SQLite {
		return s.keyRows(ctx, tx, keys, `UPDATE {p}attempts SET version = version WHERE key IN (`+params(1, len(keys))+`)
			RETURNING `+attemptColumns+`, version`)
	}
	if !insert {
		return s.keyRows(ctx, tx, keys, `SELECT `+attemptColumns+`, version FROM {p}attempts WHERE key IN (`+params(1, len(keys))+`)
			ORDER BY key COLLATE "C" FOR UPDATE`)
	}
	args := make([]any, 0, len(keys)+1)
	args = append(args, s.timeArg(at))
	values := make([]string, len(keys))
	for i, k := range sortedKeys(keys) {
		args = append(args, k.Key)
		values[i] = "($" + strconv.Itoa(i+2) + ", $1)"
	}
	// A new row expires at once: if the transaction writes nothing to it
	// it is rolled back anyway, and otherwise it is written over.
	rows, err := tx.QueryContext(ctx, s.render(`INSERT INTO {p}attempts (key, expires_at) VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (key) DO UPDATE SET key = excluded.key
		RETURNING `+attemptColumns+`, version`), args...)
	if err != nil {
		return stored{}, err
	}
	return scanStored(rows, keys)
}

// swapCounters writes the counters cs of keys, in one UPDATE, only if
// every key's row still has the version read: it locks the rows that do,
// in the order of the keys' text, and writes all of them if that is all of
// them, else none. A row that another transaction has locked is about to
// change, so it skips it rather than wait. It reports whether it wrote
// them. PostgreSQL only.
func (s *Store) swapCounters(ctx context.Context, keys []store.AttemptKey, versions []int64, cs []store.Counter, at time.Time) (bool, error) {
	const columns = 11
	n := len(keys)
	args := make([]any, 0, 2*n+columns*n+1)
	read := make([]string, n)
	for i, k := range keys {
		args = append(args, k.Key, versions[i])
		read[i] = "($" + strconv.Itoa(2*i+1) + ", $" + strconv.Itoa(2*i+2) + "::bigint)"
	}
	values := make([]string, n)
	version := newVersion()
	for i, k := range keys {
		c := cs[i]
		p := len(args)
		args = append(args, c.Key, c.Attempts, s.nullTimeArg(c.WindowStart), s.nullTimeArg(c.LockedUntil),
			c.Permanent, c.Locks, s.nullTimeArg(c.LastAttempt), c.InFlight, s.nullTimeArg(c.LeaseUntil), s.expiresAt(c, k.Limit, at), version)
		values[i] = fmt.Sprintf("($%d::text, $%d::integer, $%d::timestamptz, $%d::timestamptz, $%d::boolean, $%d::integer, $%d::timestamptz, $%d::integer, $%d::timestamptz, $%d::timestamptz, $%d::bigint)",
			p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8, p+9, p+10, p+11)
	}
	args = append(args, n)
	q := s.render(`WITH unchanged AS (
			SELECT key FROM {p}attempts WHERE (key, version) IN (` + strings.Join(read, ", ") + `)
			ORDER BY key COLLATE "C" FOR UPDATE SKIP LOCKED)
		UPDATE {p}attempts AS a SET attempts = v.attempts, window_start = v.window_start,
			locked_until = v.locked_until, permanent = v.permanent, locks = v.locks,
			last_attempt = v.last_attempt, in_flight = v.in_flight, lease_until = v.lease_until,
			expires_at = v.expires_at, version = v.version
		FROM (VALUES ` + strings.Join(values, ", ") + `)
			AS v (key, attempts, window_start, locked_until, permanent, locks, last_attempt, in_flight, lease_until, expires_at, version)
		WHERE a.key = v.key AND (SELECT count(*) FROM unchanged) = $` + strconv.Itoa(len(args)))
	written, err := rowsAffected(s.db.ExecContext(ctx, q, args...))
	return written == int64(n), err
}

// newVersion returns a version for a write of counters: random, so that
// a row deleted and made again never has the version it had.
func newVersion() int64 { return rand.Int64() }

// putCounters writes the counters cs of keys, whose rows tx has locked,
// in one statement.
func (s *Store) putCounters(ctx context.Context, tx *sql.Tx, keys []store.AttemptKey, cs []store.Counter, at time.Time) error {
	const columns = 11
	args := make([]any, 0, columns*len(keys))
	values := make([]string, len(keys))
	version := newVersion()
	for i, k := range keys {
		c := cs[i]
		args = append(args, c.Key, c.Attempts, s.nullTimeArg(c.WindowStart), s.nullTimeArg(c.LockedUntil),
			c.Permanent, c.Locks, s.nullTimeArg(c.LastAttempt), c.InFlight, s.nullTimeArg(c.LeaseUntil), s.expiresAt(c, k.Limit, at), version)
		values[i] = "(" + params(i*columns+1, columns) + ")"
	}
	_, err := tx.ExecContext(ctx, s.render(`INSERT INTO {p}attempts (`+attemptColumns+`, expires_at, version)
		VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (key) DO UPDATE SET attempts = excluded.attempts, window_start = excluded.window_start,
			locked_until = excluded.locked_until, permanent = excluded.permanent, locks = excluded.locks,
			last_attempt = excluded.last_attempt, in_flight = excluded.in_flight, lease_until = excluded.lease_until,
			expires_at = excluded.expires_at, version = excluded.version`), args...)
	return err
}

// expiresAt returns when c will have settled to nothing under l: when its
// lock has ended and l.Forget has passed since its last attempt; NULL for
// a permanent lock, which never does.
func (s *Store) expiresAt(c store.Counter, l store.Limit, at time.Time) any {
	if c.Permanent {
		return nil
	}
	end := at
	if !c.LastAttempt.IsZero() {
		end = c.LastAttempt.Add(l.Forget)
	}
	if c.LockedUntil.After(end) {
		end = c.LockedUntil
	}
	return s.timeArg(end)
}

// sortedKeys returns keys sorted by their text.
func sortedKeys(keys []store.AttemptKey) []store.AttemptKey {
	return slices.SortedFunc(slices.Values(keys), func(a, b store.AttemptKey) int { return strings.Compare(a.Key, b.Key) })
}

// scanStored scans rows of attemptColumns and version into what is stored
// for keys.
func scanStored(rows *sql.Rows, keys []store.AttemptKey) (stored, error) {
	defer rows.Close()
	type row struct {
		c       store.Counter
		version int64
	}
	byKey := make(map[string]row, len(keys))
	for rows.Next() {
		var r row
		if err := scanCounter(rows, &r.c, &r.version); err != nil {
			return stored{}, err
		}
		byKey[r.c.Key] = r
	}
	if err := rows.Err(); err != nil {
		return stored{}, err
	}
	st := stored{counters: make([]store.Counter, len(keys)), versions: make([]int64, len(keys)), exists: make([]bool, len(keys))}
	for i, k := range keys {
		r, ok := byKey[k.Key]
		if !ok {
			r.c = store.Counter{Key: k.Key}
			st.missing = true
		}
		st.counters[i], st.versions[i], st.exists[i] = r.c, r.version, ok
	}
	return st, nil
}

// scanCounter scans a row of attemptColumns, and of more columns into
// more.
func scanCounter(row interface{ Scan(...any) error }, c *store.Counter, more ...any) error {
	return row.Scan(append([]any{&c.Key, &c.Attempts, utcTime{&c.WindowStart}, utcTime{&c.LockedUntil}, &c.Permanent, &c.Locks, utcTime{&c.LastAttempt},
		&c.InFlight, utcTime{&c.LeaseUntil}}, more...)...)
}

// micros returns cs with their times to the microsecond, as the store
// keeps them.
func micros(cs []store.Counter) []store.Counter {
	for i := range cs {
		c := &cs[i]
		c.WindowStart = c.WindowStart.Truncate(time.Microsecond)
		c.LockedUntil = c.LockedUntil.Truncate(time.Microsecond)
		c.LastAttempt = c.LastAttempt.Truncate(time.Microsecond)
		c.LeaseUntil = c.LeaseUntil.Truncate(time.Microsecond)
	}
	return cs
}

// params returns n parameters numbered from first: "$1, $2, $3".
func params(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
	}
	return b.String()
}

// render renders a query built at run time for the store's dialect and
// tables.
func (s *Store) render(query string) string { return render(s.dialect, s.tables, query) }

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/masuk-id/masuk/store"
)

// The attempt counters' table is <prefix>attempts, one row per key; see
// migrations/*/0003_attempts.sql. The state machine is the store
// package's: TakeAttempt and FailAttempt read the rows, lock them when
// they must change, and run store.TakeCounter or store.FailCounter on
// them in Go.

const attemptColumns = `key, attempts, window_start, locked_until, permanent, locks, last_attempt`

// errUnchanged rolls back a transaction of TakeAttempt or FailAttempt
// that, on the locked rows, finds nothing to write.
var errUnchanged = errors.New("sqlstore: nothing to write")

// TakeAttempt implements [store.Attempts].
//
// A refusal writes nothing, so a plain read of the rows decides it first:
// a flood of attempts at a locked key is refused without waiting for, or
// writing, any row. An attempt that read allows is decided again in one
// transaction that locks the rows of all keys, in the order of the keys'
// text, inserting those missing; when it is still allowed, one statement
// writes the charged counters back.
func (s *Store) TakeAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) (store.Take, error) {
	if err := store.CheckAttemptKeys(keys); err != nil {
		return store.Take{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	stored, err := s.counters(ctx, s.db, keys)
	if err != nil {
		return store.Take{}, s.fail(ctx, "TakeAttempt", err)
	}
	if t := take(stored, keys, at); !t.Allowed {
		return t, nil
	}
	var t store.Take
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		stored, err := s.lockCounters(ctx, tx, keys, at)
		if err != nil {
			return err
		}
		if t = take(stored, keys, at); !t.Allowed {
			return errUnchanged
		}
		return s.putCounters(ctx, tx, keys, t.Counters, at)
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return store.Take{}, s.fail(ctx, "TakeAttempt", err)
	}
	return t, nil
}

// take runs store.TakeCounter on every key's stored counter: the attempt
// is allowed, and every counter charged, only when every key allows it.
func take(stored []store.Counter, keys []store.AttemptKey, at time.Time) store.Take {
	settled := make([]store.Counter, len(keys))
	charged := make([]store.Counter, len(keys))
	allowed := true
	for i, k := range keys {
		var ok bool
		settled[i], charged[i], ok = store.TakeCounter(stored[i], k.Limit, at)
		allowed = allowed && ok
	}
	if !allowed {
		return store.Take{Counters: micros(settled)}
	}
	return store.Take{Allowed: true, Counters: micros(charged)}
}

// FailAttempt implements [store.Attempts].
//
// Most failures lock nothing, and so write nothing: a plain read of the
// rows decides that first. When a key is to lock, one transaction locks
// the rows, decides again and writes them back in one statement.
func (s *Store) FailAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) ([]store.Counter, error) {
	if err := store.CheckAttemptKeys(keys); err != nil {
		return nil, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	stored, err := s.counters(ctx, s.db, keys)
	if err != nil {
		return nil, s.fail(ctx, "FailAttempt", err)
	}
	out, locks := fail(stored, keys, at)
	if !locks {
		return out, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		stored, err := s.lockCounters(ctx, tx, keys, at)
		if err != nil {
			return err
		}
		if out, locks = fail(stored, keys, at); !locks {
			return errUnchanged
		}
		return s.putCounters(ctx, tx, keys, out, at)
	})
	if err != nil && !errors.Is(err, errUnchanged) {
		return nil, s.fail(ctx, "FailAttempt", err)
	}
	return out, nil
}

// fail runs store.FailCounter on every key's stored counter, and reports
// whether that locks any key, which is all it can change.
func fail(stored []store.Counter, keys []store.AttemptKey, at time.Time) (out []store.Counter, locks bool) {
	out = make([]store.Counter, len(keys))
	for i, k := range keys {
		out[i] = store.FailCounter(stored[i], k.Limit, at)
		locks = locks || out[i] != store.Settle(stored[i], k.Limit, at)
	}
	return micros(out), locks
}

// ClearAttempts implements [store.Attempts] with one UPDATE.
func (s *Store) ClearAttempts(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	q := s.render(`UPDATE {p}attempts SET attempts = 0, window_start = NULL WHERE key IN (` + params(1, len(keys)) + `)`)
	_, err := s.db.ExecContext(ctx, q, args...)
	return s.fail(ctx, "ClearAttempts", err)
}

// Unlock implements [store.Attempts] with one DELETE ... RETURNING.
func (s *Store) Unlock(ctx context.Context, key string) (store.Counter, error) {
	c, err := scanCounter(s.db.QueryRowContext(ctx, s.q[qDeleteAttempt], key))
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
	c, err := scanCounter(s.db.QueryRowContext(ctx, s.q[qAttempt], key.Key))
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
// Counters that are not yet over, and permanent locks, stay.
//
// A counter's end is reckoned with the limit it was last written under;
// a host that shortens its policy's durations sees the old counters go
// when their old end comes.
func (s *Store) PruneAttempts(ctx context.Context, at time.Time) (int64, error) {
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qPruneAttempts], s.timeArg(at)))
	if err != nil {
		return 0, s.fail(ctx, "PruneAttempts", err)
	}
	return n, nil
}

// counters reads the stored counters of keys, in their order: a key
// without a row has a zero counter.
func (s *Store) counters(ctx context.Context, q execQuerier, keys []store.AttemptKey) ([]store.Counter, error) {
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k.Key
	}
	rows, err := q.QueryContext(ctx, s.render(`SELECT `+attemptColumns+` FROM {p}attempts WHERE key IN (`+params(1, len(keys))+`)`), args...)
	if err != nil {
		return nil, err
	}
	return scanCounters(rows, keys)
}

// lockCounters locks the rows of keys for the rest of tx, inserting those
// missing, and returns their counters in the order of keys. It locks them
// in the order of the keys' text, so that transactions whose keys overlap
// never wait for each other in a cycle. On SQLite the transaction already
// holds the database's write lock (BEGIN IMMEDIATE, see SQLiteDSN); the
// statement is the same.
func (s *Store) lockCounters(ctx context.Context, tx *sql.Tx, keys []store.AttemptKey, at time.Time) ([]store.Counter, error) {
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
		RETURNING `+attemptColumns), args...)
	if err != nil {
		return nil, err
	}
	return scanCounters(rows, keys)
}

// putCounters writes the counters cs of keys, whose rows tx has locked,
// in one statement.
func (s *Store) putCounters(ctx context.Context, tx *sql.Tx, keys []store.AttemptKey, cs []store.Counter, at time.Time) error {
	const columns = 8
	args := make([]any, 0, columns*len(keys))
	values := make([]string, len(keys))
	for i, k := range keys {
		c := cs[i]
		args = append(args, c.Key, c.Attempts, s.nullTimeArg(c.WindowStart), s.nullTimeArg(c.LockedUntil),
			c.Permanent, c.Locks, s.nullTimeArg(c.LastAttempt), s.expiresAt(c, k.Limit, at))
		values[i] = "(" + params(i*columns+1, columns) + ")"
	}
	_, err := tx.ExecContext(ctx, s.render(`INSERT INTO {p}attempts (`+attemptColumns+`, expires_at)
		VALUES `+strings.Join(values, ", ")+`
		ON CONFLICT (key) DO UPDATE SET attempts = excluded.attempts, window_start = excluded.window_start,
			locked_until = excluded.locked_until, permanent = excluded.permanent, locks = excluded.locks,
			last_attempt = excluded.last_attempt, expires_at = excluded.expires_at`), args...)
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

func scanCounters(rows *sql.Rows, keys []store.AttemptKey) ([]store.Counter, error) {
	defer rows.Close()
	byKey := make(map[string]store.Counter, len(keys))
	for rows.Next() {
		c, err := scanCounter(rows)
		if err != nil {
			return nil, err
		}
		byKey[c.Key] = c
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cs := make([]store.Counter, len(keys))
	for i, k := range keys {
		c, ok := byKey[k.Key]
		if !ok {
			c = store.Counter{Key: k.Key}
		}
		cs[i] = c
	}
	return cs, nil
}

func scanCounter(row interface{ Scan(...any) error }) (store.Counter, error) {
	var c store.Counter
	err := row.Scan(&c.Key, &c.Attempts, utcTime{&c.WindowStart}, utcTime{&c.LockedUntil}, &c.Permanent, &c.Locks, utcTime{&c.LastAttempt})
	return c, err
}

// micros returns cs with their times to the microsecond, as the store
// keeps them.
func micros(cs []store.Counter) []store.Counter {
	for i := range cs {
		c := &cs[i]
		c.WindowStart = c.WindowStart.Truncate(time.Microsecond)
		c.LockedUntil = c.LockedUntil.Truncate(time.Microsecond)
		c.LastAttempt = c.LastAttempt.Truncate(time.Microsecond)
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

package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// TestSerializedStatements: on SQLite every statement but a SELECT takes
// the write lock; on PostgreSQL none does.
func TestSerializedStatements(t *testing.T) {
	s, _, _ := sqliteBackend.newStore(t)
	for q, want := range map[string]bool{
		"SELECT 1":                                   false,
		"  \n\tselect key FROM masuk_attempts":       false,
		"(SELECT 1) UNION (SELECT 2)":                false,
		"INSERT INTO t VALUES (1) RETURNING id":      true,
		"UPDATE t SET a = 1":                         true,
		"DELETE FROM t RETURNING *":                  true,
		"WITH x AS (SELECT 1) DELETE FROM t":         true,
		"PRAGMA wal_checkpoint":                      true,
		"SEL":                                        true,
		"selection":                                  false, // not a statement the store runs
		"\u00a0INSERT INTO t VALUES (1) RETURNING *": true,
	} {
		assert.Equal(t, want, s.Serialized(q), "%q", q)
	}
	pg, err := sqlstore.New(&sql.DB{}, sqlstore.Config{Dialect: sqlstore.Postgres})
	require.NoError(t, err)
	assert.False(t, pg.Serialized("INSERT INTO t VALUES (1)"))
}

// TestWritesWaitForTheWriteLock: while the store's write lock is held,
// reads go on, and writes of every kind (a transaction, a statement, a
// statement that returns rows) wait, and give up with their context's
// error when it ends; once it is free they run, and return what they
// would have.
func TestWritesWaitForTheWriteLock(t *testing.T) {
	s, _, _ := sqliteBackend.newStore(t)
	ctx := t.Context()
	a, cred := newAccount("penunggu")
	require.NoError(t, s.CreateAccount(ctx, a, &cred))
	k := store.AttemptKey{Key: "k", Limit: attemptLimit}
	failTwice(t, s, t0, k)

	release, err := s.HoldWrites(ctx)
	require.NoError(t, err)
	short := func() context.Context {
		c, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		t.Cleanup(cancel)
		return c
	}
	writes := map[string]func(context.Context) error{
		"TakeAttempt (a transaction)": func(c context.Context) error {
			_, err := s.TakeAttempt(c, t0, []store.AttemptKey{{Key: "other", Limit: attemptLimit}})
			return err
		},
		"ClearAttempts (a statement)": func(c context.Context) error { return s.ClearAttempts(c, []string{"other"}) },
		"Unlock (DELETE ... RETURNING)": func(c context.Context) error {
			_, err := s.Unlock(c, "k")
			return err
		},
		"AppendEvent (INSERT ... RETURNING)": func(c context.Context) error {
			_, err := s.AppendEvent(c, store.Event{Kind: "login.failed", Realm: a.Realm, Username: a.Username, Time: t0})
			return err
		},
	}
	for name, write := range writes {
		err := write(short())
		assert.ErrorIs(t, err, context.DeadlineExceeded, name)
		var serr *sqlstore.Error
		assert.True(t, errors.As(err, &serr), "%s: %T", name, err)
	}
	got, err := s.AccountByUsername(ctx, a.Realm, a.Username)
	require.NoError(t, err, "a read while the write lock is held")
	assert.Equal(t, a.ID, got.ID)
	c, err := s.Counter(ctx, t0, k)
	require.NoError(t, err, "a read while the write lock is held")
	require.True(t, c.Locked(t0))

	release()
	before, err := s.Unlock(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, c, before, "Unlock's row, read under the lock")
	_, err = s.Unlock(ctx, "k")
	require.NoError(t, err, "no row")
	id, err := s.AppendEvent(ctx, store.Event{Kind: "login.failed", Realm: a.Realm, Username: a.Username, Time: t0})
	require.NoError(t, err)
	assert.Positive(t, id)
	for name, write := range writes {
		assert.NoError(t, write(ctx), name)
	}
}

// TestWriteRowsReplayed: the rows of a statement that writes, read under
// the write lock and handed back from memory, scan as the driver's own
// would, and its errors keep their causes.
func TestWriteRowsReplayed(t *testing.T) {
	s, _, _ := sqliteBackend.newStore(t)
	ctx := t.Context()
	insert := `INSERT INTO masuk_attempts (key, attempts, window_start, expires_at) VALUES ($1, 1, $2, NULL), ($3, 2, NULL, NULL)
		RETURNING key, attempts, window_start, expires_at, CAST(key AS BLOB)`
	rows, err := s.Query(ctx, insert, "a", t0.UnixMicro(), "b")
	require.NoError(t, err)
	var got []string
	for rows.Next() {
		var (
			key     string
			n       int
			start   sql.NullInt64
			expires any
			raw     []byte
		)
		require.NoError(t, rows.Scan(&key, &n, &start, &expires, &raw))
		got = append(got, fmt.Sprintf("%s %d %v %v %q", key, n, start, expires, raw))
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	assert.ElementsMatch(t, []string{fmt.Sprintf("a 1 {%d true} <nil> \"a\"", t0.UnixMicro()), "b 2 {0 false} <nil> \"b\""}, got)

	var key string
	err = s.QueryRow(ctx, `INSERT INTO masuk_attempts (key) VALUES ('a') RETURNING key`).Scan(&key)
	require.Error(t, err)
	require.ErrorIs(t, s.Fail(ctx, "test", err), store.ErrConflict, "the driver's error, through the replay")
	err = s.QueryRow(ctx, `DELETE FROM masuk_attempts WHERE key = 'none' RETURNING key`).Scan(&key)
	require.ErrorIs(t, err, sql.ErrNoRows)
	require.NoError(t, s.QueryRow(ctx, `DELETE FROM masuk_attempts WHERE key = 'a' RETURNING key`).Scan(&key))
	require.Equal(t, "a", key)
}

package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/masuk-id/masuk/store"
)

// SwapCounters exposes swapCounters to the tests.
func (s *Store) SwapCounters(ctx context.Context, keys []store.AttemptKey, versions []int64, cs []store.Counter, at time.Time) (bool, error) {
	return s.swapCounters(ctx, keys, versions, cs, at)
}

// HoldWrites takes the store's write lock (on SQLite) until the function
// it returns is called.
func (s *Store) HoldWrites(ctx context.Context) (func(), error) { return s.db.lock(ctx) }

// Serialized reports whether the store runs query under its write lock.
func (s *Store) Serialized(query string) bool { return s.db.serialized(query) }

// Query and QueryRow run a query as the store runs its own.
func (s *Store) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, q, args...)
}

func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, q, args...)
}

// Fail exposes fail to the tests.
func (s *Store) Fail(ctx context.Context, op string, err error) error { return s.fail(ctx, op, err) }

package sqlstore

import (
	"context"
	"time"

	"github.com/masuk-id/masuk/store"
)

// SwapCounters exposes swapCounters to the tests.
func (s *Store) SwapCounters(ctx context.Context, keys []store.AttemptKey, versions []int64, cs []store.Counter, at time.Time) (bool, error) {
	return s.swapCounters(ctx, keys, versions, cs, at)
}

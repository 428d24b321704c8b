package sqlstore_test

import (
	"testing"

	"github.com/masuk-id/masuk/store/storetest"
)

// TestConformance runs the storetest suite on a fresh database for every
// clause: a SQLite file, and a PostgreSQL schema when MASUK_TEST_POSTGRES
// is set.
func TestConformance(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			storetest.Run(t, func(t *testing.T) any {
				s, _, _ := b.newStore(t)
				return s
			})
		})
	}
}

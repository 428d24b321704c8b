package storebench_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// attemptStores are the backends of store.Attempts: memstore, SQLite,
// PostgreSQL and Redis (the last two skip without their variables).
var attemptStores = []struct {
	name string
	open func(b *testing.B) store.Attempts
}{
	{"memstore", func(*testing.B) store.Attempts { return memstore.New() }},
	{"sqlite", func(b *testing.B) store.Attempts {
		return migrated(b, sqlstore.SQLite, testdb.SQLite(b), "").(store.Attempts)
	}},
	{"postgres", func(b *testing.B) store.Attempts {
		db, schema := testdb.Postgres(b)
		return migrated(b, sqlstore.Postgres, db, schema).(store.Attempts)
	}},
	{"redis", func(b *testing.B) store.Attempts {
		client, prefix := testdb.Redis(b)
		s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}},
}

// BenchmarkAttempts measures, one call at a time, the lockout counters'
// share of a login on each backend, with the account's and the address's
// limits of lockout's default policy (attemptLimits): "take" charges an
// attempt (TakeAttempt), "take+fail" charges and fails one (a wrong
// password), "take+release" charges one and gives the address's charge
// back (what a right password does to the address). Every attempt is
// allowed: the account's key changes every four attempts and the
// address's every forty, below their thresholds. Run with
//
//	MASUK_TEST_POSTGRES=... MASUK_TEST_REDIS=... \
//	  go test -run '^$' -bench Attempts -benchtime 2000x ./internal/bench/storebench
func BenchmarkAttempts(b *testing.B) {
	account, address := attemptLimits()
	for _, st := range attemptStores {
		b.Run(st.name, func(b *testing.B) {
			s := st.open(b)
			ctx := context.Background()
			at := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
			for _, mode := range []string{"take", "take+fail", "take+release"} {
				b.Run(mode, func(b *testing.B) {
					run := mode + "|" + strconv.FormatInt(time.Now().UnixNano(), 36)
					i := 0
					for b.Loop() {
						keys := []store.AttemptKey{
							{Key: "pw|a|" + run + "|" + strconv.Itoa(i/4), Limit: account},
							{Key: "pw|ip|" + run + "|" + strconv.Itoa(i/40), Limit: address},
						}
						i++
						tk, err := s.TakeAttempt(ctx, at, keys)
						if err != nil || !tk.Allowed {
							b.Fatal(tk, err)
						}
						switch mode {
						case "take+fail":
							_, err = s.FailAttempt(ctx, at, keys)
						case "take+release":
							err = s.ReleaseAttempts(ctx, at, keys[1:])
						}
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

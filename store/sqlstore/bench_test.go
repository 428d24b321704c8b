package sqlstore_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// BenchmarkRecordedFailures measures failed logins recorded per second:
// each operation is a TakeAttempt and a FailAttempt on an account's key
// and its client address's, as a login with a wrong password makes, from
// 8×GOMAXPROCS goroutines at once. "distinct" gives each goroutine
// accounts and an address of its own, a new account every five failures
// (its threshold) and a new address every hundred; "shared" sends every
// goroutine at one account at a time (threshold 100, then the next), so
// that they contend for its row. Run with
//
//	MASUK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//		go test -run '^$' -bench RecordedFailures -benchtime 5s ./store/sqlstore/
func BenchmarkRecordedFailures(b *testing.B) {
	for _, bk := range backends() {
		b.Run(bk.name, func(b *testing.B) {
			b.Run("distinct", func(b *testing.B) { benchmarkFailures(b, bk, false) })
			b.Run("shared", func(b *testing.B) { benchmarkFailures(b, bk, true) })
		})
	}
}

func benchmarkFailures(b *testing.B, bk backend, shared bool) {
	s, _, _ := bk.newStore(b)
	account := store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 48 * time.Hour}
	address := account
	address.Threshold = 100
	if shared {
		account = address
	}
	at := time.Now()
	run := randomHex(4) // keys of their own for each run of the benchmark
	var (
		goroutines atomic.Int64
		next       atomic.Int64 // the shared account's attempts
		refused    atomic.Int64
	)
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		g := strconv.FormatInt(goroutines.Add(1), 10)
		ctx := b.Context()
		for i := 0; pb.Next(); i++ {
			acct := "pw|a|" + run + "|" + g + "-" + strconv.Itoa(i/5)
			if shared {
				acct = "pw|a|" + run + "|shared-" + strconv.FormatInt(next.Add(1)/100, 10)
			}
			keys := []store.AttemptKey{
				{Key: acct, Limit: account},
				{Key: "pw|ip|" + run + "|" + g + "-" + strconv.Itoa(i/100), Limit: address},
			}
			t, err := s.TakeAttempt(ctx, at, keys)
			if err != nil {
				b.Error(err)
				return
			}
			if !t.Allowed {
				refused.Add(1)
				continue
			}
			if _, err := s.FailAttempt(ctx, at, keys); err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.ReportMetric(float64(int64(b.N)-refused.Load())/elapsed.Seconds(), "failures/s")
	b.ReportMetric(float64(refused.Load()), "refused")
}

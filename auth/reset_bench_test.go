package auth_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/notify"
)

// BenchmarkRequestReset measures case 11: the time RequestReset takes to
// answer for a NIP that has an account and for one that has none, in one
// run. The lookup and the message happen after the answer, so the two
// should take the same time; BENCHMARKS.md records the ratio.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

func BenchmarkRequestReset(b *testing.B) {
	for _, be := range everyBackend()[:2] { // memstore, SQLite
		b.Run(be.name, func(b *testing.B) {
			st, _ := be.open(b)
			var mu sync.Mutex
			now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			a, err := auth.New(auth.Config{
				Store: st, Hasher: &authtest.Hasher{}, Sender: &notify.Outbox{Max: 10},
				Now:    clock,
				Realm:  auth.Realm{Messages: auth.Messages{PortalName: "MySAPK"}},
				Realms: map[string]auth.Realm{"sapk": {Username: identifiers.NIP, Reset: auth.ResetPolicy{Delivery: auth.ByCode}}},
			})
			require.NoError(b, err)
			_, err = a.Accounts().Register(b.Context(), auth.Registration{Realm: "sapk", Username: nip, Email: "pns@example.go.id", Password: sapkPassword})
			require.NoError(b, err)
			// Known and unknown requests alternate, each timed from call to
			// answer with the previous request's background work done; the
			// medians and their ratio are reported. (b.StopTimer reads the
			// memory statistics, which stops the world while the background
			// work of the request just answered runs, and skews ns/op.)
			var known, unknown []time.Duration
			for b.Loop() {
				for _, id := range []string{nip, "199009132025242014"} {
					require.NoError(b, a.Close())
					mu.Lock()
					now = now.Add(2 * time.Hour)
					mu.Unlock()
					start := time.Now()
					_, err := a.Accounts().RequestReset(b.Context(), auth.ResetRequest{Realm: "sapk", Identifier: id, Request: auth.Request{ClientAddr: "203.0.113.9"}})
					d := time.Since(start)
					require.NoError(b, err)
					if id == nip {
						known = append(known, d)
					} else {
						unknown = append(unknown, d)
					}
				}
			}
			require.NoError(b, a.Close())
			k, u := median(known), median(unknown)
			b.ReportMetric(float64(k.Nanoseconds()), "known-p50-ns")
			b.ReportMetric(float64(u.Nanoseconds()), "unknown-p50-ns")
			b.ReportMetric(float64(k)/float64(u), "known/unknown")
		})
	}
}

package storebench_test

import (
	"time"

	"github.com/masuk-id/masuk/store"
)

// attemptLimits returns the limits lockout's default policy gives the
// account's and the address's counters, their 10-second lease included.
func attemptLimits() (account, address store.Limit) {
	account = store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 24 * time.Hour, Lease: 10 * time.Second}
	address = store.Limit{Threshold: 50, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: time.Hour, Forget: 24 * time.Hour, Lease: 10 * time.Second}
	return account, address
}

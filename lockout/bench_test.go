package lockout_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/masuk-id/masuk/lockout"
)

// BenchmarkRefuseLocked measures the cost of refusing an attempt at a
// locked account on memstore: the whole answer to a flood at one account,
// with no hash. Goal (issue 5): ≤ 1 µs.
func BenchmarkRefuseLocked(b *testing.B) {
	g, _ := newGuard(&testing.T{}, lockout.Policy{})
	ctx := context.Background()
	for range 5 {
		a, err := g.Begin(ctx, lockout.Password, budi)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Failed(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := g.Begin(ctx, lockout.Password, budi); !errors.Is(err, lockout.ErrLocked) {
			b.Fatalf("not refused: %v", err)
		}
	}
}

// BenchmarkFailedAttempt measures Begin + Failed for an unlocked account
// on memstore: what lockout adds to each wrong password.
func BenchmarkFailedAttempt(b *testing.B) {
	g, c := newGuard(&testing.T{}, lockout.Policy{Account: lockout.Rule{Threshold: 100, Window: time.Second, Lock: time.Second}, Address: lockout.Rule{Off: true}})
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		c.advance(time.Second) // every attempt opens a fresh window
		a, err := g.Begin(ctx, lockout.Password, budi)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Failed(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

package lockout_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store/memstore"
)

// A host guards a secret of its own (the PIN that signs a tender's
// documents) with the lockout auth uses for passwords: the attempt is
// charged before the PIN is checked and settled after, so parallel
// guesses get no extra tries. After three wrong PINs the fourth attempt
// is refused before any check, right PIN or not.
func ExampleGuard_Begin() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // time.Now in a server
	g, err := lockout.New(lockout.Config{
		Store:  memstore.New(), // a redisstore or sqlstore shared by every instance
		Policy: lockout.Policy{Account: lockout.Rule{Threshold: 3}},
		Now:    func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	who := lockout.Subject{Realm: "lpse", Username: "budi", Addr: "203.0.113.9"}

	for range 3 {
		att, err := g.Begin(ctx, lockout.Password, who)
		if err != nil {
			panic(err)
		}
		fmt.Println("checking the PIN, failures left before the lock:", att.Remaining())
		// ... the PIN was wrong:
		locked, err := att.Failed(ctx)
		if err != nil {
			panic(err)
		}
		if locked != nil {
			fmt.Println("locked by the", locked.Scope, "counter")
		}
	}

	_, err = g.Begin(ctx, lockout.Password, who)
	fmt.Println("fourth attempt refused:", errors.Is(err, lockout.ErrLocked))
	var le *lockout.LockedError
	if errors.As(err, &le) {
		fmt.Println("until now +", le.Until.Sub(now), "retry after", le.RetryAfter(now))
	}

	now = now.Add(15 * time.Minute)
	att, err := g.Begin(ctx, lockout.Password, who)
	if err != nil {
		panic(err)
	}
	// ... the PIN was right: the account's count starts again.
	fmt.Println("15 minutes later:", att.Succeeded(ctx))
	// Output:
	// checking the PIN, failures left before the lock: 2
	// checking the PIN, failures left before the lock: 1
	// checking the PIN, failures left before the lock: 0
	// locked by the account counter
	// fourth attempt refused: true
	// until now + 15m0s retry after 15m0s
	// 15 minutes later: <nil>
}

// A "send the activation code again" button may be pressed three times an
// hour for one account and twenty times an hour from one address. Every
// press counts, whatever it sends, and nothing locks: the fourth press is
// refused until the hour of the first ends.
func ExampleGuard_Throttle() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	g, err := lockout.New(lockout.Config{Store: memstore.New(), Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	perAccount := lockout.Rate{Requests: 3, Window: time.Hour}
	perAddress := lockout.Rate{Requests: 20, Window: time.Hour}
	// The identifier as typed, canonicalised, whether or not it names an
	// account: the throttle must not tell who has one.
	who := lockout.Subject{Realm: "oss", Username: "pt.maju@example.co.id", Addr: "203.0.113.9"}

	for i := range 4 {
		err := g.Throttle(ctx, "resend_activation", who, perAccount, perAddress)
		var te *lockout.ThrottledError
		switch {
		case errors.As(err, &te):
			fmt.Println("press", i+1, "throttled:", errors.Is(err, lockout.ErrThrottled), "retry in", te.RetryAt.Sub(now))
		case err != nil:
			panic(err)
		default:
			fmt.Println("press", i+1, "sent")
		}
		now = now.Add(10 * time.Minute)
	}
	// Output:
	// press 1 sent
	// press 2 sent
	// press 3 sent
	// press 4 throttled: true retry in 30m0s
}

package redisstore_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
)

// A portal's instances share their attempt counters through Redis: each
// login is charged to the account and the client address before the
// password is checked, and a wrong password is recorded after. (The
// example needs a Redis server, so it is compiled but not run.)
func Example() {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379", ContextTimeoutEnabled: true})
	defer client.Close()
	s, err := redisstore.New(client, redisstore.Config{Prefix: "portal:"})
	if err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	limit := store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 48 * time.Hour}
	keys := []store.AttemptKey{
		{Key: "pw|a|lpse|198503122010011001", Limit: limit},
		{Key: "pw|ip|203.0.113.7", Limit: store.Limit{Threshold: 100, Window: time.Hour, LockBase: time.Hour, LockMax: 24 * time.Hour, Forget: 48 * time.Hour}},
	}
	now := time.Now()
	take, err := s.TakeAttempt(ctx, now, keys) // one round trip
	if err != nil {
		log.Fatal(err) // fail closed: no password check without a count
	}
	if !take.Allowed {
		fmt.Println("locked until", take.Counters[0].LockedUntil)
		return
	}
	// ... the password was wrong:
	counters, err := s.FailAttempt(ctx, now, keys) // one round trip
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("attempts:", counters[0].Attempts, "locked:", counters[0].Locked(now))
}

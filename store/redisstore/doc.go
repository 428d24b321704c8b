// Package redisstore keeps masuk's hot, expiring state in Redis, for
// portals that run many instances: attempt counters and locks
// ([store.Attempts]) now; captcha challenges, one-time tokens and sessions
// as they come. Accounts, credentials and the activity log belong in a
// database (store/sqlstore); a host combines the two.
//
// The host opens the client with github.com/redis/go-redis/v9, as it
// chooses (a single server, Sentinel, Cluster), and hands it to [New]:
//
//	client := redis.NewClient(&redis.Options{Addr: "redis.internal:6379", ContextTimeoutEnabled: true})
//	s, err := redisstore.New(client, redisstore.Config{})
//
// A [*Store] passes the storetest conformance suite for the interfaces it
// implements.
//
// # Attempt counters
//
// [Store.TakeAttempt] and [Store.FailAttempt] are each one Lua script, so
// one round trip (EVALSHA; the first call after Redis has lost its script
// cache sends the script again with EVAL, one more). A failed login is
// two round trips, and refusing an attempt at a locked account one. The
// scripts are the store package's state machine, [store.Settle],
// [store.TakeCounter] and [store.FailCounter], line for line; Redis runs a
// script alone, so each call is atomic across all its keys, and of any
// number of parallel attempts exactly a key's threshold get through.
// [Store.ReleaseAttempts] ([store.ReleaseCounter]), [Store.ClearAttempts]
// and [Store.Unlock] are one script each, and [Store.Counter] one HMGET
// that writes nothing.
//
// The store never reads Redis's clock: the time passed to each call is the
// clock, as the contract has it, so tests with a fake clock work, and the
// instances of a portal should keep their clocks in sync (NTP), as a
// clock that runs ahead ends windows and locks early. Times are kept to
// the microsecond, and durations rounded up to whole microseconds. The
// scripts compute in Lua's float64 numbers, which are exact for
// microseconds from 1970 to 2112: a time outside those years is
// store.ErrInvalid, and a duration longer than 142 years counts as 142
// years.
//
// # Keys
//
// Every key begins with [Config.Prefix], "masuk:" unless set. A counter is
// the hash
//
//	<prefix>attempt:<key>
//
// where <key> is the store.AttemptKey's Key as given, with the fields
// attempts, window (the window's start), until (the lock's end), permanent
// (0 or 1), locks and last (the last attempt): times in Unix microseconds,
// 0 for none. A counter expires (PEXPIRE) when it will have settled to
// nothing: when its lock has ended and its limit's Forget has passed since
// its last attempt, whichever is later; a permanent lock has no TTL. So a
// flood of attempts at made-up usernames costs memory (about 200 bytes a
// key) for Forget at most, and no sweeping is needed. The TTL is reckoned
// from the caller's time and run by Redis's clock.
//
// # Redis Cluster
//
// A TakeAttempt touches several keys (the account's, the address's, the
// pair's), and Redis Cluster runs a script only when all its keys are in
// one hash slot. With a *redis.ClusterClient (or a *redis.Ring, which
// shards the same way), the prefix must therefore begin with a hash tag,
// such as
//
//	redisstore.Config{Prefix: "{masuk}:"}
//
// which puts every key of the store in the slot of "masuk", on one shard;
// [New] refuses a cluster client whose prefix has none. The counters are
// small and each call is a short script, so one shard carries a large
// portal; a host that needs more can run one Store per realm, each with a
// hash tag of its own. A plain *redis.Client pointed at a cluster node
// cannot be told from a single server, and gets CROSSSLOT errors without
// the tag.
//
// # When Redis restarts
//
// What survives a restart is what Redis persisted:
//
//   - Without persistence (no RDB snapshots, appendonly no), every counter
//     and lock is lost. An account that was locked can be tried again, up
//     to its threshold, and a permanent lock is forgotten too; the lock
//     count that makes locks grow starts again. The store fails open for
//     locks, and only for locks: no account, password or session is kept
//     here, so nothing else is affected.
//   - With RDB snapshots only, Redis comes back with the counters of the
//     last snapshot, minutes old.
//   - With the append-only file, counters and locks survive, TTLs
//     included: with appendfsync everysec (Redis's default for AOF) at
//     most about a second of attempts is lost in a crash, with
//     appendfsync always none.
//
// Recommended for lockout: appendonly yes with appendfsync everysec, and
// maxmemory-policy noeviction, so that Redis, when full, refuses writes
// (TakeAttempt then fails, and the login with it) instead of evicting
// counters and so forgetting locks. Replication is asynchronous: a
// failover to a replica can lose the last writes before it, as a crash
// does.
//
// Redis also loses its script cache when it restarts; the store sends the
// scripts again on first use, without the host's help.
//
// # Errors and retries
//
// The outcomes the store contract names come back as its sentinels
// (store.ErrInvalid). A failure of Redis or of the connection to it is an
// [*Error] that names the method and wraps the cause, so that errors.Is
// sees context.Canceled, context.DeadlineExceeded, redis.ErrClosed and
// network errors. Set redis.Options.ContextTimeoutEnabled so that a
// context's deadline bounds each call; without it go-redis waits for its
// own ReadTimeout.
//
// go-redis retries a command after a network error (Options.MaxRetries).
// A TakeAttempt whose reply was lost and that is retried may be charged
// twice, which locks a key sooner, never later; FailAttempt, ClearAttempts and
// Unlock may be repeated without harm. A ReleaseAttempts retried so may
// take back two attempts for one, which allows one more attempt in the
// key's window; it never ends a lock. Set MaxRetries to -1 where that
// matters more than riding out a dropped connection.
package redisstore

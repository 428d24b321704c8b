// Package redisstore keeps masuk's hot, expiring state in Redis, for
// portals that run many instances: attempt counters and locks
// ([store.Attempts]), captcha challenges ([store.Challenges]), short-lived
// tokens ([store.Tokens]) and server-side sessions ([store.Sessions]),
// which every request of every instance loads. Accounts, credentials, the
// activity log and what belongs to accounts (second factors, passkeys,
// federated identities) belong in a database (store/sqlstore); a host
// combines the two: a [*Store] implements none of store.Accounts,
// store.Factors, store.Passkeys or store.Federation, and storetest skips
// their clauses.
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
// [store.TakeCounter] and [store.FailCounter], line for line, leases on
// charges in flight included; Redis runs a
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
// (0 or 1), locks, last (the last attempt), inflight (the charges in
// flight under a lease) and lease (when their lease ends): times in Unix
// microseconds, 0 for none. A counter written before leases, without the
// last two, has nothing in flight. A counter expires (PEXPIRE) when it will have settled to
// nothing: when its lock has ended and its limit's Forget has passed since
// its last attempt, whichever is later; a permanent lock has no TTL. So a
// flood of attempts at made-up usernames costs memory (about 200 bytes a
// key) for Forget at most, and no sweeping is needed. The TTL is reckoned
// from the caller's time and run by Redis's clock.
//
// A captcha challenge is the hash
//
//	<prefix>challenge:<id>
//
// with the fields flow, answer (the answer's hash), issued and expires
// (Unix microseconds), image (absent when empty) and audio:<language>
// for each WAV, all binary as given. Unless the store is unbounded, the
// sorted set
//
//	<prefix>challenges
//
// holds the IDs of the challenges, each scored with its expiry, for the
// capacity bound (see Captcha challenges below); it expires when the
// last challenge in it would.
//
// A token is the hash
//
//	<prefix>token:<selector>
//
// with the fields account, purpose, binding (absent when empty), hash
// (binary, as given), attempts, max (MaxAttempts), issued and expires
// (Unix microseconds), and data:<key> for each entry of its Data. The hash
//
//	<prefix>tokens:<account ID>
//
// is the account's index: a field for each purpose and binding, whose
// value is the selector of the account's token of that purpose and
// binding. The field of the empty binding is the purpose, as it was before
// bindings; that of another binding is a 65-byte header (the purpose's
// length as a byte, the purpose, NUL bytes to fill), longer than any
// purpose, followed by the binding. A token expires (PEXPIRE) after its
// lifetime, ExpiresAt less IssuedAt, counted from when it is stored, and
// the index when the last token written into it would.
//
// A session is the hash
//
//	<prefix>session:<selector>
//
// with the fields account, created, seen, idle, expires and verified
// (CreatedAt, LastSeenAt, IdleUntil, ExpiresAt and VerifiedAt, in Unix
// microseconds), which scripts read and move; s, the parts that never
// change (realm, hash, stamp, ClientAddr, UserAgent and Data) packed in
// one value, so that a load reads few fields; and acct, the copy of its
// account, when one is kept (see "Copies of accounts" below). A session
// stored by an earlier version, with a field per part, reads as it did.
// The sorted set
//
//	<prefix>sessions:<account ID>
//
// is the account's index: its members are the selectors of the account's
// sessions, each scored with its IdleUntil. A session expires (PEXPIRE)
// when it goes idle: its TTL is IdleUntil less the caller's time, set
// when it is created and lengthened by a touch that moves IdleUntil on,
// never shortened, and, as IdleUntil is at most ExpiresAt, never past its
// absolute end; but a TTL is at least a minute. The index expires when
// the longest-lived session written into it would.
//
// Beside them, per account, <prefix>account-gen:<account ID> and
// <prefix>account-writes:<account ID>, the counters of the copies'
// protocol.
//
// # Captcha challenges
//
// [Store.CreateChallenge] stores a challenge with one script: it refuses
// an ID that exists with store.ErrConflict, and gives the hash a TTL
// (PEXPIRE) of the challenge's lifetime, ExpiresAt less IssuedAt, counted
// from when it is stored, so that Redis drops it when it expires and no
// sweeping is needed. [Store.TakeChallenge] reads and deletes it in one
// script, so of any number of parallel takes exactly one gets it.
// [Store.Challenge] is one HGETALL. As Redis's clock is not the caller's,
// both check expiry against the time the caller passes too: a challenge
// expired by that clock is not found (and a take deletes it), whether or
// not Redis has dropped it yet. An empty image, audio map or WAV reads
// back nil.
//
// A portal issues challenges to clients that have not logged in, so the
// store bounds how many it keeps: [Config.MaxChallenges], 10,000
// ([DefaultMaxChallenges]) unless set. At about 100 KB a challenge (a
// 5 KB image and a 50 KB WAV in each of two languages, as the captcha
// package makes them) the default is about 1 GB of Redis's memory. The
// creating script counts the challenges in the sorted set, after
// dropping those expired by the new one's IssuedAt, and refuses it with
// store.ErrCapacity when there are as many as the bound; the count is
// exact, as Redis runs a script alone. A take removes its ID. Set the
// bound to what the server can spare and the portal's peak needs
// (issuances per minute times the TTL in minutes): with maxmemory-policy
// noeviction, a Redis that a flood of challenges filled would refuse the
// attempt counters' writes too, and every login with them. A negative
// bound turns it off and keeps no sorted set; then the TTL and the
// captcha package's per-address issuance limit are all that bound the
// memory, and a flood from many addresses gets past the limit.
//
// # Tokens
//
// Each method of [store.Tokens] is one script, one round trip, so each is
// atomic. [Store.IssueToken] refuses a selector that another account's,
// purpose's or binding's token holds, checks the cooldown against the
// account's live token of the purpose and binding, stores the new token
// in place of the old one and in the account's index, and, when the
// account then has more than store.MaxTokensPerPurpose live tokens of the
// purpose, deletes those that expire first, all in one step; refused, it
// writes nothing. [Store.AttemptToken] finds the token by its selector, or
// through the index by account, purpose and binding, and charges an
// attempt only when it is live at the time the caller passes and has
// attempts left; otherwise it returns store.ErrNotFound, and deletes the
// token if it has expired (one that has run out of attempts stays,
// refused, for the caller charged its last attempt to consume). So of any
// number of parallel attempts exactly MaxAttempts are charged, and of any
// number of parallel [Store.ConsumeToken] calls, which delete the token
// only when the hash matches, exactly one succeeds. [Store.VoidTokens]
// deletes the tokens of every binding of the purposes given, or of every
// purpose in the index. Deleting a token also removes its entry from the
// index, and an index left empty goes with it.
//
// As with challenges, Redis's clock only frees the memory: expiry is
// decided by the caller's time, so a token expired by that clock is not
// found, and is deleted, whether or not Redis has dropped it yet. An
// account holds one token per purpose and binding and at most
// store.MaxTokensPerPurpose per purpose, so the tokens' memory grows with
// the accounts that ask for them, not with the requests, and every key
// has a TTL. No data reads back nil.
//
// # Copies of accounts
//
// A request's session is loaded with its account: with the accounts in a
// database and the sessions here, that would be two round trips to two
// servers. A [*Store] implements [store.AccountCopies] instead: a
// session's hash keeps a copy of its account, so that a load is one
// HGETALL (measured at about 1.4 times a GET of as many bytes on a
// loaded machine, against 5 times for the two reads; see BENCHMARKS.md).
// The Authenticator uses it by itself when its sessions are here and its
// accounts elsewhere, and follows the protocol store.AccountCopies
// describes around each write of an account: a write that cannot first
// drop the account's copies here is not made, and a copy is never older
// than the last write that completed. Both settings are in [Config]:
//
//   - AccountCopyFor (a minute by default) is how long a copy serves.
//     It bounds how long a write of an account made around masuk (a
//     host's own SQL, an administrative script) goes unseen by the
//     account's sessions. A host that writes accounts itself either
//     calls BeginAccountWrite and EndAccountWrite around its writes, or
//     accepts that bound, or turns copies off with a negative value
//     (every load then reads the session here and the account there).
//   - AccountWriteFor (a minute by default) is how long a write that
//     began and never ended (its instance died between the two) holds
//     back new copies of the account; loads meanwhile read the account
//     from its store.
//
// Every instance that shares the sessions must share the copies: the
// same server and prefix, as it must anyway. A service that writes the
// same accounts without sessions of its own (an operators' console)
// passes this store as its Config.Sessions with Config.SessionsOff: it
// then drops the copies around its writes too. A decorator that embeds
// a [*Store] is read through its own Session (copies are read from the
// store itself, see store.AccountCopies.CopyStore). Three consequences
// to know:
//
//   - While Redis is unreachable, account writes (a disable, a reset, a
//     confirmation) are refused, as sessions and logins are: a write
//     that cannot drop the copies first is not made.
//   - Losing Redis's writes (a failover to a lagging replica, a restore
//     from a snapshot) can bring back a copy a lost write had dropped, as
//     it brings back a session a lost logout had ended: end every
//     session after such an event. A lost or evicted generation is
//     safe: it comes back as a new random number.
//   - Sessions begun by this version store their unchanging parts in one
//     field, which versions before it do not read: during a rolling
//     upgrade (or after a rollback) a session begun on a new instance
//     does not load on an old one, and instances of the old version
//     write accounts without the protocol, seen within AccountCopyFor.
//     Upgrade every instance at once, or accept that.
//
// # Sessions
//
// [Store.Session], which a portal calls on every request, is one HGETALL
// that writes nothing; the liveness check (the caller's time before
// IdleUntil and before ExpiresAt) is made on what it returns. Every other
// method of [store.Sessions] is one script, one round trip, so each is
// atomic. [Store.CreateSession] refuses a selector whose hash exists with
// store.ErrConflict; otherwise it drops from the account's index the
// sessions that are dead at the new one's CreatedAt, ends the sessions
// that go idle first (the lowest score; of equal scores the one created
// first, then the least selector) while the account has
// store.MaxSessionsPerAccount or more, and stores the new one, all in one
// step, so that parallel logins never leave more than the cap.
// [Store.TouchSession] sets LastSeenAt and IdleUntil each to the later of
// what is stored and what is given, IdleUntil at most ExpiresAt, only when
// the session is live at the time seen: Redis runs scripts one at a time,
// so parallel touches never move either time back. It moves the
// session's score with its IdleUntil, and puts the session back in its
// index if the index was lost. [Store.Sessions] walks the index, reads
// each session, and sorts them by LastSeenAt, the latest first (then by
// CreatedAt, the latest first, then by selector). [Store.DeleteSession]
// deletes a session only when it is the account's, and
// [Store.DeleteSessions] deletes every session in the index but the one
// excepted, and counts them.
//
// As with tokens, Redis's TTL only frees the memory, and the caller's time
// decides what is live. The scripts that walk an account's index
// (CreateSession and Sessions) drop the members whose session is gone or
// is another account's (a selector reused after Redis dropped the first),
// and delete the sessions dead at the caller's time with their members,
// so that an index holds about MaxSessionsPerAccount members at most.
// DeleteSessions counts the sessions it deleted, which may include some
// dead by the caller's clock that no walk had removed yet. A session's
// TTL is at least a minute, so that one that lives less than that (in a
// test) is not dropped before it is read; every key has a TTL.
//
// # Redis Cluster
//
// A TakeAttempt touches several keys (the account's, the address's, the
// pair's), CreateChallenge and TakeChallenge a challenge's and the sorted
// set, a token's or a session's method the token or session and its
// account's index, and Redis
// Cluster runs a script only when all its keys are in one hash slot. With a *redis.ClusterClient (or a *redis.Ring, which
// shards the same way), the prefix must therefore begin with a hash tag,
// such as
//
//	redisstore.Config{Prefix: "{masuk}:"}
//
// which puts every key of the store in the slot of "masuk", on one shard;
// [New] refuses a cluster client whose prefix has none. The counters are
// small and each call is a short script, so one shard carries a large
// portal; a host that needs more can run one Store per realm, each with a
// hash tag of its own.
//
// Putting the whole store in one slot is also what lets a token or a
// session be found by its selector alone in one atomic step (a session's
// touch reaches its account's index the same way). A token script starts from
// the key it is given (the token for a selector, the index for an account
// and purpose) and reaches the other, which it learns only by reading the
// first; the script builds that key from the prefix, so it is in the same
// slot. Tagging each account's keys with the account instead would spread
// tokens over the cluster but put a selector, which names no account, in
// another slot than its token's, and a lookup by selector, or the check
// that a new selector is free, would take two steps that do not hold
// together.
//
// A plain *redis.Client pointed at a cluster node
// cannot be told from a single server, and gets CROSSSLOT errors without
// the tag.
//
// # When Redis restarts
//
// What survives a restart is what Redis persisted:
//
//   - Without persistence (no RDB snapshots, appendonly no), every counter
//     and lock is lost, and every captcha challenge (a person answering
//     one is told the answer is wrong, and gets a new one). An account
//     that was locked can be tried again, up to its threshold, and a
//     permanent lock is forgotten too; the lock count that makes locks
//     grow starts again. Every token is lost too: a person waiting for a
//     code or holding a link is told it is not valid, and asks for a new
//     one. Every session is lost: every user of the portal is logged out,
//     and logs in again. The store fails open for locks, and only for
//     locks: no account or password is kept here, and a lost session
//     lets no one in.
//   - With RDB snapshots only, Redis comes back with the counters of the
//     last snapshot, minutes old, and with its sessions: those begun
//     since are lost, and those ended since (a logout, DeleteSessions)
//     come back, until they go idle. A password change still ends them,
//     as the caller checks the security stamp, which the database keeps,
//     on every load.
//   - With the append-only file, counters, locks and sessions survive,
//     TTLs included: with appendfsync everysec (Redis's default for AOF)
//     at most about a second of writes is lost in a crash, with
//     appendfsync always none.
//
// Recommended for lockout and for sessions: appendonly yes with
// appendfsync everysec, and maxmemory-policy noeviction, so that Redis,
// when full, refuses writes (TakeAttempt then fails, and the login with
// it) instead of evicting counters and so forgetting locks, or sessions
// and so logging people out. Replication is asynchronous: a
// failover to a replica can lose the last writes before it, as a crash
// does.
//
// Redis also loses its script cache when it restarts; the store sends the
// scripts again on first use, without the host's help.
//
// # Errors and retries
//
// The outcomes the store contract names come back as its sentinels
// (store.ErrInvalid, store.ErrNotFound, store.ErrConflict,
// store.ErrCapacity). A failure of Redis or of the connection to it is an
// [*Error] that names the method and wraps the cause, so that errors.Is
// sees context.Canceled, context.DeadlineExceeded, redis.ErrClosed and
// network errors. Set redis.Options.ContextTimeoutEnabled so that a
// context's deadline bounds each call; without it go-redis waits for its
// own ReadTimeout.
//
// go-redis retries a command after a network error (Options.MaxRetries).
// A TakeAttempt whose reply was lost and that is retried may be charged
// twice; under a lease the extra charge is given back when the lease ends,
// and without one it counts until the window ends. A FailAttempt retried
// so may count one failure twice, which locks a key sooner, never later;
// ClearAttempts and Unlock may be repeated without harm. A
// ReleaseAttempts retried so may take back two charges in flight for one,
// which allows one more attempt in the key's window; it never takes back
// a failure or ends a lock. Set MaxRetries to -1 where that
// matters more than riding out a dropped connection. A CreateChallenge
// retried so finds its own challenge and returns store.ErrConflict, and a
// TakeChallenge store.ErrNotFound: the person is asked again, with a new
// challenge. An IssueToken retried so stores the same token again, with
// no cooldown against itself; an AttemptToken may be charged twice; a
// ConsumeToken retried so returns store.ErrNotFound for a token it has
// deleted, and the person asks for a new one; VoidTokens may be repeated
// without harm. A CreateSession retried so finds its own session and
// returns store.ErrConflict (the login fails and is tried again; the
// session it stored is never used, and goes idle); TouchSession may be
// repeated without harm; a DeleteSession retried so returns
// store.ErrNotFound for the session it deleted, and a DeleteSessions
// retried so counts none the second time.
//
// Redis must not evict the store's keys (maxmemory-policy noeviction, as
// above): a token whose index entry was evicted would be found by its
// selector but not voided by a new token or by VoidTokens, and a session
// whose index was evicted would not be listed, counted for the cap or
// ended by DeleteSessions until its next touch put it back (the security
// stamp, which the caller checks on every load, still ends it after a
// password change).
package redisstore

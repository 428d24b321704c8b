// Package lockout limits how many wrong passwords and second-factor codes an
// attacker may try, exactly and across every instance of a portal, without
// handing the attacker a way to lock people out for good.
//
// Most hosts never call it: auth.Authenticator asks its [Guard] before every
// password check. Use it directly to guard a secret of your own, to show
// operators why an account is locked ([Guard.Status]) or to unlock it
// ([Guard.Unlock]).
//
// # How an attempt is counted
//
// [Guard.Begin] is called before any password hash runs. In one atomic
// store operation it checks every counter the attempt concerns and charges
// the attempt to all of them, or, when one is locked or has as many
// attempts running as it allows, charges none and returns a [*LockedError].
// Because the attempt is charged before the hash, not after, a thousand
// parallel guesses at a threshold of five cost exactly five hashes: the
// sixth request is refused while the first five are still being checked.
// [Attempt.Failed] then locks every counter that has reached its
// threshold; [Attempt.Succeeded] clears the account's attempts. Nothing is
// read, changed in Go and written back, and logins of one account are never
// serialised: a correct password from a second device is checked in
// parallel with the first.
//
// The price of that exactness: at most Threshold attempts for one account
// are checked at the same moment. A further concurrent attempt, right
// password or not, is refused with a [*LockedError] whose InProgress is set
// and whose Until is when the running attempts' lease ends (below), at
// most [Policy.Lease] away; a person's browser sends one login at a time
// and never meets it. A program that logs one account in many times at
// once should use sessions, not more logins.
//
// # Attempts in flight
//
// A charge is in flight until [Attempt.Failed], [Attempt.Succeeded] or
// [Attempt.Abandon] settles it. Some never are: when the store stalls and
// a login gives up waiting for [Guard.Begin], the charge it sent may still
// land, with no attempt left to give it back, and a process may die in
// the middle of a login. So every charge is leased: when the lease of the
// latest charge to a counter ends, the charges still in flight are given
// back by themselves. The refusal of an attempt that finds a counter full
// of them says Until that moment, so RetryAfter is never shorter than the
// real wait. A failure that comes after its charge was given back counts
// all the same: a slow attempt is never a free guess.
//
// [Policy.Lease] sets the lease, [DefaultLease] (10 seconds) unless set.
// Choose it a few seconds longer than a login can take. A login waits for
// a hashing slot in a bounded queue (auth/password's MaxWaiting, eight
// waiters per slot by default, so a waiter starts within about eight hash
// times, well under a second at the default argon2id parameters), hashes,
// and makes a few store calls. The trade-off:
//
//   - Too short, and the charges of logins still being checked are given
//     back while they run: more than Threshold attempts at one account can
//     then be checked at once. Every one of their failures still counts,
//     and locks the account, but a flood costs more hashes. New refuses a
//     lease under [MinLease] (one second).
//   - Too long, and an owner whose logins' charges were lost, or who meets
//     a burst of parallel attempts, waits that long before trying again.
//
// # What is counted
//
// The [Policy] has a [Rule] for each counter:
//
//   - Account: password failures for a username in a realm, whether or not
//     an account has it, so that a lock tells nothing about who exists.
//     Default: 5 in 15 minutes lock for 15 minutes, each further lock twice
//     as long, up to 24 hours.
//   - Address: password failures from one client address across all
//     usernames; it stops password spraying (one guess each at many
//     accounts) without locking any of those accounts. Default: 50 in 15
//     minutes; IPv6 addresses count per /64.
//   - Pair: failures for one username from one address; off by default.
//   - SecondFactor: wrong TOTP, emailed or SMS codes and recovery codes, on
//     counters of their own.
//
// A Rule's zero fields take its counter's defaults, so Rule{Threshold: 3}
// changes only the threshold; a Pair rule takes the Account counter's. A
// threshold above 100 is refused (NIST SP 800-63B §3.2.2); New never
// quietly raises or lowers a setting.
//
// # Lockout as a weapon
//
// Anyone who knows a username can lock its account. masuk's answers to that
// (ASVS 6.1.1 asks for them to be documented):
//
//   - Locks are temporary by default and grow only while failures follow
//     each other: a success (the owner logging in between an attacker's
//     rounds) forgets the count, so the limits are on consecutive failures,
//     as NIST SP 800-63B §3.2.2 words them. Permanent locks are opt-in
//     (Rule.PermanentAfter).
//   - A failure made while a counter is locked is not counted and does not
//     extend the lock; a refused attempt costs the store one operation and
//     no hash.
//   - A completed password reset is to end the lock ([Policy.KeepLockOnReset]
//     turns that off): the owner, who controls the mailbox, can always get
//     back in, and the attacker cannot keep them out. The reset flow that
//     calls [Guard.Unlock] for it comes with masuk's reset package; until
//     then an operator's unlock, or the lock's end, is the way back.
//   - The Pair counter can lock an attacker's address out of an account
//     before the account locks for everyone.
//   - [Guard.Status] tells operators why an account is locked and until
//     when; auth records "lockout.locked" and "lockout.unlocked" events.
//
// # Client addresses
//
// The Address and Pair counters are only as good as the address they are
// given. Behind a reverse proxy every request arrives from the proxy: use
// [ClientAddr] with the proxy's networks, which reads X-Forwarded-For from
// the right and stops at the first address the proxies did not add. It
// never trusts the header by default.
//
// # Storage
//
// Counters live in a store.Attempts: memstore for one process, sqlstore or
// redisstore for a portal with several instances, which must share one.
//
// To test a portal's lockout policy through auth,
// [github.com/masuk-id/masuk/auth/authtest.WithLockout] builds the Guard on a fake clock and
// [github.com/masuk-id/masuk/auth/authtest.Kit.FailLogins] fails logins from an address.
package lockout

// Package store is the storage contract of masuk: the records an
// authentication system keeps, the small interfaces that keep them, and the
// errors those interfaces return.
//
// A host either picks a backend that ships with masuk ([memstore] for tests
// and single-process programs, sqlstore for PostgreSQL and SQLite, redisstore
// for the hot, expiring state of many instances) or implements the
// interfaces itself and proves its implementation with the conformance suite
// in [storetest].
//
// # Interfaces
//
// Each interface holds one concern, so a host can keep durable records in
// SQL and hot state elsewhere:
//
//   - [Accounts]: realm-scoped accounts with canonical, unique usernames and
//     emails, a bounded profile, conditional changes of state and of email
//     address, and a conditional delete (of a registration never
//     confirmed) that takes every record keyed to the account with it.
//   - [Credentials]: the password hash of an account, replaced either
//     unconditionally together with a new security stamp (a password change
//     or reset) or conditionally on the hash the caller read (an upgrade of
//     an old hash at login, which must never undo a concurrent change).
//   - [Events]: the activity log, appended to and pruned by age (the
//     whole log, or one realm by a retention of its own), never changed.
//   - [Attempts]: lockout counters, charged before a password is hashed.
//   - [Challenges]: captcha challenges, each used once.
//   - [Factors]: second factors; a TOTP factor's last accepted time step
//     only moves forward, by compare-and-set, so no code works twice.
//   - [Recovery]: hashed recovery codes, each removed atomically when used,
//     and checked without being used, so that a code is spent only
//     together with the login it completes.
//   - [Devices]: browsers remembered after a second factor.
//   - [Federation]: an account's identities at OpenID Connect providers,
//     each the provider's issuer and subject, linked once per realm and
//     once per provider per account, and unlinked, when asked, only while
//     the account keeps another way to log in.
//   - [Sessions]: server-side sessions with an idle and an absolute
//     expiry, touched forward only, revoked one by one or all at once.
//   - [AccountLister]: accounts by state and by username or email prefix,
//     for operators.
//   - [Tokens]: short-lived secrets bound to an account, a purpose and
//     optionally a binding (codes by email or SMS, reset and activation
//     links, a login waiting for its second factor, one per browser):
//     charged an attempt before they are compared, consumed by a
//     conditional delete, and kept, refused, once out of attempts, so that
//     a right secret is never burnt without a winner.
//
// [Store] is the union that the auth package needs.
//
// # Atomicity
//
// Every operation that can race in a real deployment is a single store
// operation whose outcome the store decides: creating an account fails with
// [ErrConflict] when its canonical username or email is taken in its realm,
// however many requests try at once; a conditional update fails with
// [ErrStale] when the record is no longer what the caller read. masuk never
// reads a record, changes it in Go and writes it back.
//
// # Time
//
// Stores never read the clock. Every time a record carries is given by the
// caller, which takes it from its own injectable clock; stores keep times
// to at least microsecond precision and return them in UTC.
//
// # Errors
//
// A miss is [ErrNotFound], never a nil record or a boolean. Implementations
// wrap their own errors (a lost connection, a cancelled context) so that
// errors.Is sees the cause, and such a failure leaves nothing half-written.
//
// [memstore]: https://pkg.go.dev/github.com/masuk-id/masuk/store/memstore
// [storetest]: https://pkg.go.dev/github.com/masuk-id/masuk/store/storetest
package store

// Package sqlstore keeps the masuk store interfaces (accounts, credentials,
// the activity log, attempt counters and locks, captcha challenges, second
// factors, recovery codes, remembered devices, passkeys, federated
// identities, one-time tokens and sessions) in PostgreSQL or SQLite,
// through database/sql.
//
// The package imports no driver. The host opens the database with the
// driver it chooses, names the dialect, and brings the tables up to date:
//
//	db, err := sql.Open("pgx", "postgres://masuk@db.internal/portal") // github.com/jackc/pgx/v5/stdlib
//	...
//	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres})
//	...
//	err = s.Migrate(ctx)
//
// A [*Store] implements store.Store, store.AccountLister, store.Attempts,
// store.Challenges, store.Factors, store.Recovery, store.Devices,
// store.Passkeys, store.Federation, store.Erasure, store.Tokens and
// store.Sessions, and passes the storetest conformance suite on both
// dialects.
//
// # Choosing a dialect
//
// Use [Postgres] when the portal runs more than one instance, or wherever a
// database server is already run and backed up. Use [SQLite] for a single
// process on one machine: one file, no server. SQLite lets one writer at a
// time through, which is plenty for logins, where every write is one short
// transaction (the Store queues its writes itself; see below), but the
// file cannot be shared between machines.
//
// The package is tested with github.com/jackc/pgx/v5/stdlib and
// modernc.org/sqlite (pure Go, no cgo). It recognises a unique or
// foreign-key violation by a method on the driver's error: SQLState() on
// PostgreSQL (pgx and lib/pq have it), Code() returning SQLite's extended
// result code (modernc.org/sqlite has it; mattn/go-sqlite3 does not, so
// there a duplicate username would come back as an [*Error] instead of
// store.ErrConflict).
//
// # SQLite settings
//
// SQLite applies its settings per connection, and database/sql opens
// connections as it needs them, so the settings belong in the data source
// name. [SQLiteDSN] builds it for modernc.org/sqlite:
//
//	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN("/var/lib/portal/masuk.db"))
//
// which is
//
//	file:/var/lib/portal/masuk.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_txlock=immediate
//
// Write-ahead logging lets readers run while a write is in progress.
// Foreign keys keep credentials tied to accounts. _txlock=immediate makes
// every transaction take the write lock when it begins, so it never has
// to upgrade a read lock later (which SQLite cannot wait for); the store's
// transactions begin with a write anyway. The busy timeout makes a
// connection that finds the write lock taken by another process (a second
// process on the file, an operator's sqlite3 shell) wait up to five
// seconds for it instead of failing with SQLITE_BUSY. [Store.Check] and
// [Store.Migrate] refuse a connection that has foreign keys off or no
// busy timeout.
//
// # SQLite writes, one at a time
//
// SQLite lets one connection write at a time, and its busy timeout is not
// a queue: a waiting connection sleeps and retries, and under a thousand
// concurrent logins some lose every retry for five seconds and fail. So a
// SQLite Store takes its own writes one at a time: every transaction and
// every statement other than a SELECT waits for a lock of the Store's own,
// in turn, for as long as the caller's context allows (a context that
// ends while waiting returns its error, wrapped in an [*Error]), and then
// finds SQLite's write lock free. Reads do not wait for it and run
// concurrently with the write and each other, as write-ahead logging
// allows. A statement that writes and returns rows (DELETE ... RETURNING)
// keeps the lock until its rows are read: the Store reads them under the
// lock and hands them back from memory. Writes of one process no longer
// wait on each other in the busy handler, at any concurrency; the busy
// timeout is left for other processes, so give the file to one process,
// and one Store, as the one lock is the Store's.
//
// SQLite does not end its wait for another process's write lock when a
// context is done: such a call returns when the busy timeout runs out,
// with both the context's error and SQLITE_BUSY. An in-memory database
// (":memory:") is a different database on every connection; use a file.
//
// # Connection pools
//
// database/sql keeps a pool of connections per *sql.DB, and the host
// sizes it. A login holds a connection only for the few short statements
// it makes (reading the account and credential, charging and settling
// the lockout counters, appending an event), never while its password
// hash runs: the hash is bounded by auth/password's MaxConcurrent (2 ×
// GOMAXPROCS unless set), not by the pool, and the store's calls take
// about a millisecond each. So the pool needs to cover the store calls in
// flight, not the logins.
//
// On PostgreSQL, SetMaxOpenConns to about the hashing concurrency plus
// what the portal's other requests use at once (sessions loaded on every
// page): 2 to 4 × GOMAXPROCS is a good start, within the server's
// max_connections divided among the portal's instances (and what a
// pooler such as PgBouncer allows). A call that finds every connection
// busy waits for one, for as long as its context allows; an unbounded
// pool instead opens a connection per concurrent call, which under a
// flood of logins exhausts the server's connections for every instance.
// Set SetMaxIdleConns to the same number: database/sql keeps only two
// idle connections unless told, and closes and reopens the rest under
// load. SetConnMaxIdleTime (a few minutes) lets a quiet portal give them
// back. Writes to one counter serialize on its row, so more connections
// do not make one account's attempts faster.
//
// On SQLite, writes go one at a time whatever the pool; reads use as many
// connections as run at once. Each connection keeps a page cache of its
// own (about 2 MB by default), so SetMaxOpenConns to a few times
// GOMAXPROCS bounds memory under a flood without slowing the writer.
//
// # Migrations
//
// The tables are created by versioned migrations embedded in the package,
// one file per step, migrations/<dialect>/NNNN_name.sql, with its revert
// beside it in NNNN_name.down.sql, which Migrate never runs. There are two
// ways to apply them; choose one per database.
//
// [Store.Migrate] applies the steps the database has not seen yet, all in
// one transaction, and records them in the table <prefix>schema_migrations.
// It is idempotent and safe when several processes start at once: they
// take turns on a lock (a transaction-scoped advisory lock on PostgreSQL,
// BEGIN IMMEDIATE on SQLite), and all but the first find nothing to do.
// Calling it at startup is the simple choice.
//
// [MigrationSQL] returns the same steps as SQL text, each with its revert,
// rendered for a table prefix, for hosts whose own migration tool (goose,
// golang-migrate, Atlas, a DBA's review) must own every schema change:
// write each step into the tool's directory under its version and apply
// them in order, or hand the tool the files of [GooseFS] or
// [GolangMigrateFS] (see Migrating with your own tool below). The files in
// the module source are the same text for the default prefix. A database
// set up this way must not also be migrated with Migrate, which does not
// know what the tool applied; call [Store.Check] at startup instead.
//
// A released step never changes. Later versions of masuk add tables and
// columns as new numbered steps, as 0003_attempts added the attempt
// counters, 0004_challenges the captcha challenges, 0005_factors_tokens
// the second factors, recovery codes, remembered devices and one-time
// tokens, 0006_account_profile the accounts' profile column,
// 0007_sessions the sessions (and, on PostgreSQL, the indexes that list
// accounts bytewise), 0008_token_bindings_event_time the tokens'
// bindings and an index on the events' time, 0009_attempt_leases the
// attempt counters' leases on charges in flight, 0010_session_verified
// when a session's owner last proved a secret, 0011_passkeys the
// passkeys, 0012_federated_identities the links to identities at OpenID
// Connect providers, and 0013_session_account each session's copy of its
// account and the triggers that keep it, so upgrading masuk means
// migrating again.
//
// # Migrating with your own tool
//
// [GooseFS] and [GolangMigrateFS] return the steps, rendered for a dialect
// and table prefix, as an fs.FS in the layout goose
// (github.com/pressly/goose) and golang-migrate
// (github.com/golang-migrate/migrate) read: for goose a file per step
// with the step under "-- +goose Up" and its revert under
// "-- +goose Down", for golang-migrate NNNN_name.up.sql and
// NNNN_name.down.sql. One layout cannot serve both: goose would read
// golang-migrate's two files of a step as two migrations of one version.
// Give the tool a version table of masuk's own, so that masuk's step
// numbers never meet the host's. With goose:
//
//	fsys, err := sqlstore.GooseFS(sqlstore.Postgres, "")
//	...
//	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
//		goose.WithTableName("masuk_goose_db_version"))
//	...
//	_, err = p.Up(ctx)
//
// and golang-migrate reads [GolangMigrateFS] through its source/iofs, as
// the example of GolangMigrateFS shows. The steps name no schema: on PostgreSQL, connect the
// tool with [Config.Schema] first in its search_path (search_path=auth in
// a pgx URL), and it creates the tables, and its version table, there.
//
// A revert drops what its step added, and the data in it: reverting
// 0008_token_bindings_event_time deletes the bound tokens, as an account
// then holds one token per purpose, and reverting 0001_accounts deletes
// every account. Revert only what a downgrade of masuk needs, and back up
// first. The package's tests apply the steps with golang-migrate on both
// dialects, revert them one at a time, and check the schema after each
// against the one the steps build by hand and the one Migrate builds.
//
// # Table prefix and schema
//
// Every table and index name begins with [Config.TablePrefix], "masuk_"
// unless set, so the tables can live beside the host's own, and two stores
// with different prefixes can share one database. On PostgreSQL,
// [Config.Schema] puts the tables in a schema of their own: the store
// qualifies every name with it, and Migrate creates the tables there (the
// schema must exist).
//
// # Concurrency
//
// A Store is safe for concurrent use, and each operation that can race is
// one statement or one short transaction whose outcome the database
// decides:
//
//   - CreateAccount inserts the account and its credential in one
//     transaction; the unique indexes on (realm, username), on (realm,
//     email) for non-empty emails, and on the ID decide which of any
//     number of concurrent registrations wins.
//   - SetAccountState is one UPDATE conditional on the current state.
//   - DeleteAccount is one DELETE conditional on the state and the time
//     of the last update, whose foreign keys cascade to the credential,
//     factors, recovery codes, devices, passkeys and federated
//     identities, followed in its transaction by
//     the DELETEs of the account's tokens and sessions: of it and a
//     concurrent SetAccountState out of that state, exactly one succeeds.
//   - SetEmail is one UPDATE conditional on the current address (the
//     empty string for none, never NULL); the unique index on (realm,
//     email) for non-empty emails lets exactly one of any number of
//     concurrent moves to one address through, and the others get
//     store.ErrConflict.
//   - SetPhone is one UPDATE conditional on the current number (numbers
//     are not unique): of concurrent changes from one number, one lands.
//   - SwapCredential updates the credential only where its hash is still
//     the one the caller read, and sets the stamp, in one transaction.
//   - SetCredential upserts the credential and sets the stamp in one
//     transaction.
//   - TakeAttempt, FailAttempt and ReleaseAttempts write counters with
//     one UPDATE conditional on the rows' versions, or in one short
//     transaction that locks the rows; see Attempt counters below.
//   - TakeChallenge is one DELETE ... RETURNING: of any number of takes
//     of one challenge, the database lets exactly one delete the row.
//   - ConfirmFactor and AcceptStep are each one UPDATE conditional on the
//     step being above the stored one: of concurrent calls with one TOTP
//     step, exactly one succeeds.
//   - CreateFactor and RememberDevice lock the account's row (on SQLite,
//     take the write lock) before they count the account's factors or
//     devices, so that no race takes an account past its bound.
//   - LinkIdentity is one INSERT ... SELECT that inserts only when the
//     account exists in the identity's realm; the primary key on (realm,
//     issuer, subject) and the unique index on (account_id, issuer) let
//     exactly one of concurrent links of one identity, or of one issuer
//     to one account, through. UnlinkIdentity, when it must keep the
//     account a way to log in, locks the account's row (on SQLite, takes
//     the write lock), deletes the identity and counts the credential,
//     identities and passkeys left, and rolls back when there are none,
//     so that concurrent unlinks of an account's last identities take
//     turns and the second sees what the first left.
//   - UseRecoveryCode deletes the code and counts those left in one
//     transaction, which on PostgreSQL first locks the set's row, as
//     SetRecoveryCodes does when it replaces the set.
//   - IssueToken serializes on the account and purpose (on PostgreSQL a
//     transaction-scoped advisory lock, on SQLite the write lock) and
//     upserts on the unique index on (account_id, purpose, binding), then
//     voids the purpose's tokens past store.MaxTokensPerPurpose;
//     AttemptToken is one UPDATE ... RETURNING conditional on attempts
//     left and expiry; ConsumeToken one DELETE conditional on the hash.
//     See Tokens below.
//   - CreateSession serializes on the account (on PostgreSQL a
//     transaction-scoped advisory lock keyed by the account's ID, on
//     SQLite the write lock) before it counts the account's live sessions
//     and ends the one that goes idle first, so that no race takes an
//     account past store.MaxSessionsPerAccount. TouchSession is one UPDATE
//     that moves each time only forward; DeleteSessions one DELETE that
//     counts what it deleted. See Sessions below.
//
// PostgreSQL's default isolation, READ COMMITTED, suffices: a conditional
// UPDATE that waited for a concurrent one re-checks its condition against
// the row that one committed. Event IDs come from a sequence (PostgreSQL)
// or AUTOINCREMENT (SQLite) and only grow, even past events that
// [Store.PruneEvents] deleted; on PostgreSQL an event whose transaction
// commits late can carry a smaller ID than one already visible.
// PruneEvents is one DELETE by the events' time, which an index on it
// (from 0008_token_bindings_event_time) serves: run it daily, say, so
// that each run deletes a day's events. PruneRealmEvents, one realm's
// pruning, is one DELETE too, which reads the index entries of the
// events before its time that other realms keep longer (PostgreSQL) or
// of the realm's events (SQLite): there is no index on a realm's events
// by time, which PostgreSQL's planner would not choose when few are old.
//
// Times are stored to the microsecond (timestamptz on PostgreSQL, integer
// Unix microseconds on SQLite) and returned in UTC.
//
// # Accounts
//
// Accounts live in <prefix>accounts, one row per account, and their
// password hashes in <prefix>credentials. An account without an email has
// the empty string in the email column. Its profile is a JSON object of
// strings, as text, NULL when it is empty (and in the rows created before
// 0006_account_profile added the column): an empty profile reads back as
// nil. store.CheckAccount bounds it and refuses NUL and invalid UTF-8, so
// it fits both dialects.
//
// [Store.DeleteAccount] deletes an account's row, and with it, through
// the foreign keys' ON DELETE CASCADE, its credential, factors, recovery
// codes, remembered devices, passkeys and federated identities, then its
// tokens and sessions, in one
// transaction. The events stay: the log is the record of what happened.
//
// [Store.ListAccounts] is one SELECT in the order of the usernames' bytes:
// in the "C" collation on PostgreSQL, whatever the database's (with
// indexes on (realm, username) and (realm, email) in that collation, from
// 0007_sessions), and in SQLite's default BINARY. Its search is a range of
// strings, not a LIKE pattern, so that no character of it is a wildcard
// and it matches exactly in case (SQLite's LIKE folds ASCII case).
//
// # Attempt counters
//
// The lockout counters of [store.Attempts] live in the table
// <prefix>attempts, one row per key (an account, a client address, the
// pair): its attempts in the current window, when the window started, the
// end of its lock, whether the lock is permanent, how many locks it has
// had, its last attempt, how many of its attempts are charges in flight
// (in_flight) and when their lease ends (lease_until, from
// 0009_attempt_leases), and expires_at, when it will have settled to
// nothing.
//
// The state machine is the store package's own, [store.Settle],
// [store.TakeCounter], [store.FailCounter] and [store.ReleaseCounter], run
// in Go, so that every backend counts alike; the database only decides
// which write wins. A lease that has run out is settled when the row is
// next read, as every read settles it; nothing sweeps. A refusal, a
// failure that changes nothing (an unleased failure that locks nothing, a
// failure while locked) and a release that takes nothing back write
// nothing, so a plain read of the rows decides them: a flood of attempts
// at a locked account is refused without taking a lock or writing a row. A write happens in one of two ways:
//
//   - On PostgreSQL, when every key already has a row, one UPDATE writes
//     all the rows if none has changed since the read, and none
//     otherwise: it locks the rows whose version (a random number that
//     every write changes) is still the one read, in the order of the
//     keys' text and skipping rows another transaction holds, and writes
//     only if that is all of them. An attempt at keys the portal has seen
//     before costs two statements and no explicit transaction.
//   - Otherwise (a new key, a row that changed meanwhile, SQLite), one
//     short transaction inserts the missing rows and locks all of them in
//     one statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING, in the
//     order of the keys' text, so that transactions never deadlock; on
//     SQLite the transaction holds the write lock from BEGIN IMMEDIATE),
//     decides again on what it locked, and writes the rows back in one
//     statement. ReleaseAttempts inserts nothing: it locks the rows there
//     are (SELECT ... FOR UPDATE, in the same order) and skips the keys
//     without one.
//
// Either way a decision is made on rows no one else can change before it
// is written, so of any number of parallel attempts exactly a key's
// threshold get through. Counter only reads. Writes to one key serialize
// on its row; writes to different keys do not wait for each other on
// PostgreSQL. Every write of several rows (ClearAttempts too) locks them
// in the order of the keys' text, byte by byte whatever the database's
// collation, and pruning skips the rows in use, so none of them
// deadlock.
//
// Counters that have settled to nothing stay in the table until
// [Store.PruneAttempts] deletes them: run it periodically, say hourly, so
// that attempts at made-up usernames do not grow the table without end.
// Pruning never changes what a counter reads as.
//
// # Captcha challenges
//
// The challenges of [store.Challenges] live in the table
// <prefix>challenges, one row per challenge: its ID, flow, answer hash,
// image (bytea or BLOB), audio (a JSON object of the WAV in each
// language, base64: jsonb on PostgreSQL, TEXT on SQLite), and when it was
// issued and expires. Each method is one statement. [Store.TakeChallenge]
// deletes the row and returns it (DELETE ... RETURNING), then checks its
// expiry: a challenge is used once, and an expired one is deleted too.
// [Store.Challenge] reads only a challenge that has not expired. Expiry
// is by the caller's clock, the time passed to each call, on every read;
// no sweeper runs.
//
// An unauthenticated client can make a portal issue challenges, so the
// table is bounded: it holds at most [Config.MaxChallenges] rows,
// [DefaultMaxChallenges] (10,000) unless set, expired ones included until
// they are deleted. When it is full, [Store.CreateChallenge] deletes the
// expired ones and, if that frees no room, returns store.ErrCapacity. A
// challenge as the captcha package makes it is about 100 KB (a 5 KB image
// and a 50 KB WAV in each of two languages, a third more in base64), so
// the default bound is about 1.3 GB of table; set the bound to what the
// database can spare and the portal's peak needs (issuances per minute
// times the challenges' TTL in minutes). Counting the rows costs each
// CreateChallenge a scan: on PostgreSQL of the rows without their media,
// which it keeps apart (about 1.5 ms at the default bound), on SQLite of
// an index. On PostgreSQL, concurrent calls may overshoot the bound by as
// many as run at once. A negative bound turns it off; then the captcha
// package's per-address issuance limit and pruning are all that bound
// the table.
//
// Expired challenges stay until [Store.PruneChallenges] deletes them, or
// CreateChallenge does when the table is full; running PruneChallenges
// now and then, say hourly with PruneAttempts, returns their space
// sooner.
//
// # Second factors, recovery codes and remembered devices
//
// The factors of [store.Factors] live in the table <prefix>factors, one
// row per factor: its kind, label, sealed TOTP secret and parameters, the
// last time step accepted, and when it was created and confirmed (NULL
// while the enrollment is in progress). A factor, a set of recovery codes
// and a remembered device belong to an account by a foreign key, and go
// with it when it is deleted; creating one for an account that does not
// exist is store.ErrNotFound. An account keeps at most
// [store.MaxFactorsPerAccount] factors: [Store.CreateFactor] locks the
// account's row, counts and inserts in one transaction, and refuses one
// more with store.ErrCapacity.
//
// An account's recovery codes are a row of <prefix>recovery_sets, with
// when the set was made, and a row of <prefix>recovery_codes per unused
// code's hash. [Store.SetRecoveryCodes] replaces the codes in one
// transaction; [Store.UseRecoveryCode] deletes one; [Store.FindRecoveryCode]
// reads one and writes nothing; a set whose codes are all used reads as
// none remaining, with the time it was made.
//
// Remembered devices live in <prefix>devices, one row per device: its
// selector, the hash of its secret, the account's security stamp when it
// was remembered, its label, and when it was remembered and expires.
// Expiry is by the caller's clock, on every read. [Store.RememberDevice]
// locks the account's row, deletes the account's devices expired at the
// new one's CreatedAt, inserts it and, when the account then has more than
// [store.MaxDevicesPerAccount], deletes the ones that expire first, in one
// transaction. Expired devices of accounts that remember no more stay until
// [Store.PruneDevices] deletes them.
//
// # Tokens
//
// The one-time tokens of [store.Tokens] live in <prefix>tokens, one row
// per token: its selector, account, purpose and binding, the hash of its
// secret, its data (a JSON object, as text), the attempts charged and
// allowed, and when it was issued and expires. A token's account has no
// foreign key: the contract lets a token name any account.
//
// A unique index on (account_id, purpose, binding) keeps one token per
// account, purpose and binding (the column is the empty string for none,
// which every token had before 0008_token_bindings_event_time added it).
// [Store.IssueToken] is one short transaction that serializes on the
// account and purpose: on PostgreSQL by a transaction-scoped advisory lock
// on a hash of the schema, prefix, account and purpose, on SQLite by the
// write lock its first statement takes. It deletes the purpose's tokens
// expired when the new one is issued, writes the new token with one
// INSERT ... ON CONFLICT (account_id, purpose, binding) DO UPDATE over
// the old one of its binding, which voids it (with a cooldown, only if
// the old one is dead or old enough, a condition the database checks on
// the row it has locked; a refused issuer reads that row to say until
// when), and then deletes the purpose's tokens past
// store.MaxTokensPerPurpose, those that expire first. So of concurrent
// issuers within a cooldown exactly one writes, even when the account had
// no token of the purpose, and no race takes an account past the bound.
// [Store.AttemptToken] charges an attempt with one UPDATE ... RETURNING
// that only a live token with attempts left matches, so that concurrent
// attempts never charge more than it allows, and deletes a token it finds
// expired (one that has run out of attempts stays, refused, for the
// caller charged its last attempt to consume); [Store.ConsumeToken] is
// one DELETE of the selector with its hash. Expired tokens no one comes
// back for stay until [Store.PruneTokens] deletes them, or the account is
// issued another of their purpose: run PruneTokens, and PruneDevices,
// with PruneAttempts.
//
// # Sessions
//
// The sessions of [store.Sessions] live in <prefix>sessions, one row per
// session: its selector, the hash of its secret, its account and realm,
// the account's security stamp when it began, where it began (client
// address and user agent), its data (a JSON object, as text), and when it
// began, was last seen, goes idle and expires. A session is live at a time
// when it has neither gone idle nor expired by it, by the caller's clock,
// checked on every read. Like a token, a session's account has no foreign
// key: the contract lets a session name any account.
//
// [Store.CreateSession] runs one transaction that serializes on the
// account, deletes the account's sessions no longer live when the new one
// begins, inserts it and, when the account then has more than
// store.MaxSessionsPerAccount live sessions, ends the ones that go idle
// first. On PostgreSQL the lock is a transaction-scoped advisory lock on a
// hash of the schema, prefix and account ID (an account may have no row to
// lock); on SQLite the transaction's first statement, a write, takes the
// database's write lock. [Store.TouchSession] is one UPDATE, conditional
// on the session being live when seen, that sets last_seen_at to
// greatest(last_seen_at, seen) and idle_until to least(expires_at,
// greatest(idle_until, idleUntil)), computed by the database from the row
// it has locked, so that concurrent touches never move either time back.
// No index covers those two columns, so that on PostgreSQL a touch is a
// HOT update. Sessions gone idle or expired stay until CreateSession
// deletes an account's own or [Store.PruneSessions] deletes them: run it
// with PruneAttempts. It scans the table.
//
// [Store.SessionAccount], what every request of a logged-in person costs,
// reads one row by its primary key: each session's row keeps a copy of
// its account's columns (account_realm, account_username, ...,
// account_state NULL when there is no such account), so that a load need
// not join the accounts. Triggers, from 0013_session_account, keep the
// copy in the statement that writes: an INSERT, UPDATE or DELETE of an
// account rewrites the copies in its sessions, and a new session copies
// its account. Every writer of the accounts, Store's own or a host's
// (an operator's UPDATE by hand), so keeps its sessions current in its
// own transaction, and a load never reads an account older than the last
// committed write. An UPDATE that changes nothing leaves the copies
// alone. On PostgreSQL, where the trigger functions keep the search_path
// of the migration that made them, CreateSession locks the account's row
// (an UPDATE that changes nothing) before it touches a session, and the
// trigger that copies the account into a new session locks it FOR SHARE:
// an account write that races a new session waits for it and then,
// reading with a snapshot of its own, rewrites its copy; under REPEATABLE
// READ it fails to serialize instead. A session whose account is created
// while the session is being created (nothing in masuk does that) may
// read as having no account: an error, never a stale account. On SQLite
// writes take turns and the question does not arise; there the query is
// prepared once per Store, as SQLite takes longer to parse it than to run
// it.
//
// On PostgreSQL a text column cannot hold every Go string (not invalid
// UTF-8, not NUL): a factor, device, token or session with such a field is
// store.ErrInvalid, and looking one up is store.ErrNotFound. Token and
// session data must be UTF-8 on both dialects, as JSON holds nothing else.
//
// # Errors
//
// The outcomes the store contract names come back as its sentinels:
// store.ErrNotFound, store.ErrConflict (a unique violation),
// store.ErrStale, store.ErrInvalid, store.ErrCapacity and, from
// IssueToken, a *store.CooldownError. Anything else is a failure of the
// database, returned as an [*Error] that names the method and wraps the
// cause, so that errors.Is sees context.Canceled or
// context.DeadlineExceeded, [ErrClosed] for a closed *sql.DB, and the
// driver's own errors (errors.As finds *pgconn.PgError, for instance). A
// failed operation writes nothing: its transaction is rolled back. As with
// any database, a connection lost while COMMIT is in flight leaves unknown
// whether the transaction committed.
package sqlstore

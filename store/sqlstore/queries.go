package sqlstore

// The store's queries, written with $N parameters and {p} for the table
// prefix (schema-qualified when Config.Schema is set). New renders them
// once for the dialect: SQLite gets ?N parameters, which it binds by
// number like PostgreSQL's $N. The attempt counters' queries that take a
// list of keys are built per call, in attempts.go.
const (
	qInsertAccount = iota
	qAccountByID
	qAccountByUsername
	qAccountByEmail
	qSetState
	qSetEmail
	qSetPhone
	qDeleteAccount
	qDeleteAccountSessions
	qAccountExists
	qSetStamp
	qInsertCredential
	qCredentialByAccount
	qUpsertCredential
	qSwapCredential
	qAppendEvent
	qListEvents
	qListAccountEvents
	qPruneEvents
	qPruneRealmEvents
	qAttempt
	qDeleteAttempt
	qPruneAttempts
	qPruneAttemptsSkipLocked
	qInsertChallenge
	qInsertChallengeBounded
	qChallenge
	qTakeChallenge
	qPruneChallenges
	qLockAccount
	qLockAccountSQLite
	qLockAccountForSession
	qAdvisoryLock
	qInsertFactor
	qCountFactors
	qFactors
	qConfirmFactor
	qAcceptStep
	qFactorConfirmed
	qResealFactor
	qDeleteFactor
	qUpsertRecoverySet
	qDeleteRecoverySet
	qDeleteRecoveryCodes
	qLockRecoverySet
	qUseRecoveryCode
	qFindRecoveryCode
	qCountRecoveryCodes
	qRecoveryCodes
	qInsertDevice
	qDeleteExpiredDevices
	qCountDevices
	qEvictDevices
	qDevice
	qDevices
	qForgetDevice
	qForgetDevices
	qPruneDevices
	qDeleteExpiredTokensOfPurpose
	qIssueToken
	qIssueTokenCooldown
	qTokenIssued
	qEvictTokens
	qEvictTokensSQLite
	qAttemptToken
	qAttemptTokenByPurpose
	qDeleteExpiredToken
	qDeleteExpiredTokenByPurpose
	qConsumeToken
	qVoidTokens
	qPruneTokens
	qInsertSession
	qDeleteDeadSessions
	qCountSessions
	qEvictSessions
	qSession
	qSessionAccount
	qTouchSession
	qTouchSessionSQLite
	qVerifySession
	qVerifySessionSQLite
	qSessions
	qDeleteSession
	qDeleteSessions
	qPruneSessions
	qEraseAccount
	qDeleteAccountEvents
	qPseudonymiseEvents
	numQueries
)

const (
	accountColumns   = `id, realm, username, display_username, email, phone, state, security_stamp, profile, created_at, updated_at`
	eventColumns     = `id, kind, realm, account_id, username, occurred_at, client_addr, user_agent, details`
	challengeColumns = `id, flow, answer_hash, image, audio, issued_at, expires_at`
	factorColumns    = `id, account_id, kind, label, secret, algorithm, digits, period, last_step, created_at, confirmed_at`
	deviceColumns    = `selector, account_id, hash, stamp, label, created_at, expires_at`
	tokenColumns     = `selector, account_id, purpose, binding, hash, data, attempts, max_attempts, issued_at, expires_at`
	sessionColumns   = `selector, account_id, realm, hash, stamp, client_addr, user_agent, created_at, last_seen_at, idle_until, expires_at, data, verified_at`
	// sessionSelect reads sessionColumns; a session begun before
	// verified_at existed was verified when it began.
	sessionSelect = `selector, account_id, realm, hash, stamp, client_addr, user_agent, created_at, last_seen_at, idle_until, expires_at, data, coalesce(verified_at, created_at)`
)

var queries = [numQueries]string{
	qInsertAccount: `INSERT INTO {p}accounts (` + accountColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
	qAccountByID:       `SELECT ` + accountColumns + ` FROM {p}accounts WHERE id = $1`,
	qAccountByUsername: `SELECT ` + accountColumns + ` FROM {p}accounts WHERE realm = $1 AND username = $2`,
	qAccountByEmail:    `SELECT ` + accountColumns + ` FROM {p}accounts WHERE realm = $1 AND email = $2 AND email <> ''`,
	qSetState:          `UPDATE {p}accounts SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2`,
	qSetEmail:          `UPDATE {p}accounts SET email = $3, updated_at = $4 WHERE id = $1 AND email = $2`,
	qSetPhone:          `UPDATE {p}accounts SET phone = $3, updated_at = $4 WHERE id = $1 AND phone = $2`,
	// The foreign keys' ON DELETE CASCADE deletes the account's
	// credential, factors, recovery codes, devices, passkeys and federated
	// identities; its tokens and sessions, which have none, are deleted by
	// account_id.
	qDeleteAccount:         `DELETE FROM {p}accounts WHERE id = $1 AND state = $2 AND updated_at < $3`,
	qDeleteAccountSessions: `DELETE FROM {p}sessions WHERE account_id = $1`,
	qAccountExists:         `SELECT 1 FROM {p}accounts WHERE id = $1`,
	qSetStamp:              `UPDATE {p}accounts SET security_stamp = $2 WHERE id = $1`,

	qInsertCredential:    `INSERT INTO {p}credentials (account_id, hash, changed_at) VALUES ($1, $2, $3)`,
	qCredentialByAccount: `SELECT account_id, hash, changed_at FROM {p}credentials WHERE account_id = $1`,
	qUpsertCredential: `INSERT INTO {p}credentials (account_id, hash, changed_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id) DO UPDATE SET hash = excluded.hash, changed_at = excluded.changed_at`,
	qSwapCredential: `UPDATE {p}credentials SET hash = $3, changed_at = $4 WHERE account_id = $1 AND hash = $2`,

	qAppendEvent: `INSERT INTO {p}events (kind, realm, account_id, username, occurred_at, client_addr, user_agent, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
	qListEvents: `SELECT ` + eventColumns + ` FROM {p}events
		WHERE realm = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
	qListAccountEvents: `SELECT ` + eventColumns + ` FROM {p}events
		WHERE realm = $1 AND account_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4`,
	qPruneEvents: `DELETE FROM {p}events WHERE id IN (
		SELECT id FROM {p}events WHERE occurred_at < $1 ORDER BY occurred_at, id LIMIT $2)`,
	qPruneRealmEvents: `DELETE FROM {p}events WHERE id IN (
		SELECT id FROM {p}events WHERE realm = $1 AND occurred_at < $2 ORDER BY occurred_at, id LIMIT $3)`,

	qAttempt:       `SELECT ` + attemptColumns + ` FROM {p}attempts WHERE key = $1`,
	qDeleteAttempt: `DELETE FROM {p}attempts WHERE key = $1 RETURNING ` + attemptColumns,
	qPruneAttempts: `DELETE FROM {p}attempts WHERE expires_at <= $1`,
	qPruneAttemptsSkipLocked: `DELETE FROM {p}attempts WHERE key IN (
		SELECT key FROM {p}attempts WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)`,

	qInsertChallenge: `INSERT INTO {p}challenges (` + challengeColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
	qInsertChallengeBounded: `INSERT INTO {p}challenges (` + challengeColumns + `)
		SELECT $1, $2, $3, $4, $5, $6, $7 WHERE (SELECT count(*) FROM {p}challenges) < $8`,
	qChallenge:       `SELECT ` + challengeColumns + ` FROM {p}challenges WHERE id = $1 AND expires_at > $2`,
	qTakeChallenge:   `DELETE FROM {p}challenges WHERE id = $1 RETURNING ` + challengeColumns,
	qPruneChallenges: `DELETE FROM {p}challenges WHERE expires_at <= $1`,

	// A lock on the account's row, which serializes the writes that an
	// account bounds (its factors, its devices). FOR NO KEY UPDATE does not
	// block the inserts that reference the account. SQLite's UPDATE, which
	// changes nothing, takes the database's write lock if the transaction
	// does not hold it yet.
	qLockAccount:       `SELECT 1 FROM {p}accounts WHERE id = $1 FOR NO KEY UPDATE`,
	qLockAccountSQLite: `UPDATE {p}accounts SET state = state WHERE id = $1`,
	// The lock CreateSession takes on PostgreSQL on the account's row,
	// if any, before it writes a session, whose copy of the account an
	// account write rewrites (see migrations/postgres/0013_session_account.sql):
	// an UPDATE that changes nothing, so that under REPEATABLE READ a
	// racing account write fails to serialize instead of missing the
	// new session.
	qLockAccountForSession: `UPDATE {p}accounts SET state = state WHERE id = $1`,
	// A transaction-scoped advisory lock on PostgreSQL, on a key drawn from
	// what it serializes, whether or not there is a row to lock: the
	// creation of an account's sessions, the issue of an account's tokens
	// of a purpose (neither has a foreign key to its account).
	qAdvisoryLock: `SELECT pg_advisory_xact_lock($1)`,

	qInsertFactor:    `INSERT INTO {p}factors (` + factorColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
	qCountFactors:    `SELECT count(*) FROM {p}factors WHERE account_id = $1`,
	qFactors:         `SELECT ` + factorColumns + ` FROM {p}factors WHERE account_id = $1`,
	qConfirmFactor:   `UPDATE {p}factors SET last_step = $3, confirmed_at = $4 WHERE account_id = $1 AND id = $2 AND confirmed_at IS NULL AND last_step < $3`,
	qAcceptStep:      `UPDATE {p}factors SET last_step = $3 WHERE account_id = $1 AND id = $2 AND confirmed_at IS NOT NULL AND last_step < $3`,
	qFactorConfirmed: `SELECT confirmed_at IS NOT NULL FROM {p}factors WHERE account_id = $1 AND id = $2`,
	qResealFactor:    `UPDATE {p}factors SET secret = $4 WHERE account_id = $1 AND id = $2 AND secret = $3`,
	qDeleteFactor:    `DELETE FROM {p}factors WHERE account_id = $1 AND id = $2`,

	qUpsertRecoverySet: `INSERT INTO {p}recovery_sets (account_id, created_at) VALUES ($1, $2)
		ON CONFLICT (account_id) DO UPDATE SET created_at = excluded.created_at`,
	qDeleteRecoverySet:   `DELETE FROM {p}recovery_sets WHERE account_id = $1`,
	qDeleteRecoveryCodes: `DELETE FROM {p}recovery_codes WHERE account_id = $1`,
	qLockRecoverySet:     `SELECT 1 FROM {p}recovery_sets WHERE account_id = $1 FOR UPDATE`,
	qUseRecoveryCode:     `DELETE FROM {p}recovery_codes WHERE account_id = $1 AND hash = $2`,
	qFindRecoveryCode:    `SELECT 1 FROM {p}recovery_codes WHERE account_id = $1 AND hash = $2`,
	qCountRecoveryCodes:  `SELECT count(*) FROM {p}recovery_codes WHERE account_id = $1`,
	qRecoveryCodes: `SELECT s.created_at, (SELECT count(*) FROM {p}recovery_codes AS c WHERE c.account_id = s.account_id)
		FROM {p}recovery_sets AS s WHERE s.account_id = $1`,

	qInsertDevice:         `INSERT INTO {p}devices (` + deviceColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
	qDeleteExpiredDevices: `DELETE FROM {p}devices WHERE account_id = $1 AND expires_at <= $2`,
	qCountDevices:         `SELECT count(*) FROM {p}devices WHERE account_id = $1 AND selector <> $2`,
	qEvictDevices: `DELETE FROM {p}devices WHERE selector IN (
		SELECT selector FROM {p}devices WHERE account_id = $1 AND selector <> $2 ORDER BY expires_at, created_at LIMIT $3)`,
	qDevice:        `SELECT ` + deviceColumns + ` FROM {p}devices WHERE selector = $1 AND expires_at > $2`,
	qDevices:       `SELECT ` + deviceColumns + ` FROM {p}devices WHERE account_id = $1 AND expires_at > $2`,
	qForgetDevice:  `DELETE FROM {p}devices WHERE account_id = $1 AND selector = $2`,
	qForgetDevices: `DELETE FROM {p}devices WHERE account_id = $1`,
	qPruneDevices:  `DELETE FROM {p}devices WHERE expires_at <= $1`,

	// IssueToken, in a transaction that serializes on the account and
	// purpose, first deletes the purpose's tokens expired at $3. A new token
	// then takes the row of the account's token of its purpose and binding,
	// if there is one, by the unique index on (account_id, purpose,
	// binding); with a cooldown, only if that token is dead or old enough.
	// The database decides on the row as it is when it locks it, and locks
	// it even when the cooldown refuses. Last, the purpose's tokens past
	// the MaxTokensPerPurpose-1 others that expire last are voided: those
	// that expire first, then those issued first. SQLite's LIMIT -1 is
	// PostgreSQL's LIMIT ALL.
	qDeleteExpiredTokensOfPurpose: `DELETE FROM {p}tokens WHERE account_id = $1 AND purpose = $2 AND expires_at <= $3`,
	qIssueToken: `INSERT INTO {p}tokens AS t (` + tokenColumns + `) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)
		ON CONFLICT (account_id, purpose, binding) DO UPDATE SET ` + tokenReplace,
	qIssueTokenCooldown: `INSERT INTO {p}tokens AS t (` + tokenColumns + `) VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9)
		ON CONFLICT (account_id, purpose, binding) DO UPDATE SET ` + tokenReplace + `
		WHERE NOT (t.expires_at > excluded.issued_at AND t.issued_at > $10)`,
	qTokenIssued: `SELECT issued_at FROM {p}tokens WHERE account_id = $1 AND purpose = $2 AND binding = $3`,
	qEvictTokens: `DELETE FROM {p}tokens WHERE selector IN (
		SELECT selector FROM {p}tokens WHERE account_id = $1 AND purpose = $2 AND selector <> $3
		ORDER BY expires_at DESC, issued_at DESC, selector DESC LIMIT ALL OFFSET $4)`,
	qEvictTokensSQLite: `DELETE FROM {p}tokens WHERE selector IN (
		SELECT selector FROM {p}tokens WHERE account_id = $1 AND purpose = $2 AND selector <> $3
		ORDER BY expires_at DESC, issued_at DESC, selector DESC LIMIT -1 OFFSET $4)`,
	qAttemptToken: `UPDATE {p}tokens SET attempts = attempts + 1
		WHERE selector = $1 AND attempts < max_attempts AND expires_at > $2 RETURNING ` + tokenColumns,
	qAttemptTokenByPurpose: `UPDATE {p}tokens SET attempts = attempts + 1
		WHERE account_id = $1 AND purpose = $2 AND binding = $3 AND attempts < max_attempts AND expires_at > $4 RETURNING ` + tokenColumns,
	qDeleteExpiredToken:          `DELETE FROM {p}tokens WHERE selector = $1 AND expires_at <= $2`,
	qDeleteExpiredTokenByPurpose: `DELETE FROM {p}tokens WHERE account_id = $1 AND purpose = $2 AND binding = $3 AND expires_at <= $4`,
	qConsumeToken:                `DELETE FROM {p}tokens WHERE selector = $1 AND hash = $2`,
	qVoidTokens:                  `DELETE FROM {p}tokens WHERE account_id = $1`,
	qPruneTokens:                 `DELETE FROM {p}tokens WHERE expires_at <= $1`,

	// A session is live at $t when idle_until > $t AND expires_at > $t.
	qInsertSession: `INSERT INTO {p}sessions (` + sessionColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
	// The account's sessions no longer live at $2, and the session that
	// holds the selector $3 if it is no longer live: a dead session does
	// not keep its selector taken.
	qDeleteDeadSessions: `DELETE FROM {p}sessions WHERE (account_id = $1 OR selector = $3) AND (idle_until <= $2 OR expires_at <= $2)`,
	qCountSessions: `SELECT count(*) FROM {p}sessions
		WHERE account_id = $1 AND selector <> $2 AND idle_until > $3 AND expires_at > $3`,
	qEvictSessions: `DELETE FROM {p}sessions WHERE selector IN (
		SELECT selector FROM {p}sessions WHERE account_id = $1 AND selector <> $2 AND idle_until > $3 AND expires_at > $3
		ORDER BY idle_until, created_at, selector LIMIT $4)`,
	qSession: `SELECT ` + sessionSelect + ` FROM {p}sessions WHERE selector = $1 AND idle_until > $2 AND expires_at > $2`,
	// A session and its account, from the session's row, which keeps a
	// copy of the account (see migrations/*/0013_session_account.sql):
	// sessionSelect, then accountColumns but the ID, which is the
	// session's account_id. account_state is NULL when the account does
	// not exist. The caller checks that the session is live: a query of
	// the primary key alone, as cheap as a read can be.
	qSessionAccount: `SELECT ` + sessionSelect + `,
		account_realm, account_username, account_display_username, account_email, account_phone,
		account_state, account_security_stamp, account_profile, account_created_at, account_updated_at
		FROM {p}sessions WHERE selector = $1 AND account_state IS NOT NULL`,
	// One UPDATE that moves each time only forward, computed from the row
	// as it is when the UPDATE has locked it (PostgreSQL re-reads a row a
	// concurrent UPDATE changed; SQLite has one writer), and only while
	// the session is live at $2. SQLite's max() and min() of several
	// arguments are PostgreSQL's greatest() and least().
	qTouchSession: `UPDATE {p}sessions SET last_seen_at = greatest(last_seen_at, $2),
		idle_until = least(expires_at, greatest(idle_until, $3))
		WHERE selector = $1 AND idle_until > $2 AND expires_at > $2`,
	qVerifySession: `UPDATE {p}sessions SET verified_at = greatest(coalesce(verified_at, created_at), $2)
		WHERE selector = $1 AND idle_until > $2 AND expires_at > $2`,
	qVerifySessionSQLite: `UPDATE {p}sessions SET verified_at = max(coalesce(verified_at, created_at), $2)
		WHERE selector = $1 AND idle_until > $2 AND expires_at > $2`,
	qTouchSessionSQLite: `UPDATE {p}sessions SET last_seen_at = max(last_seen_at, $2),
		idle_until = min(expires_at, max(idle_until, $3))
		WHERE selector = $1 AND idle_until > $2 AND expires_at > $2`,
	qSessions:       `SELECT ` + sessionSelect + ` FROM {p}sessions WHERE account_id = $1 AND idle_until > $2 AND expires_at > $2`,
	qDeleteSession:  `DELETE FROM {p}sessions WHERE account_id = $1 AND selector = $2`,
	qDeleteSessions: `DELETE FROM {p}sessions WHERE account_id = $1 AND selector <> $2`,
	qPruneSessions:  `DELETE FROM {p}sessions WHERE idle_until <= $1 OR expires_at <= $1`,

	// EraseAccount: the foreign keys take what they take for
	// qDeleteAccount; the realm returned lets the events' statements use
	// the index on (realm, account_id, id).
	qEraseAccount:        `DELETE FROM {p}accounts WHERE id = $1 RETURNING realm`,
	qDeleteAccountEvents: `DELETE FROM {p}events WHERE realm = $1 AND account_id = $2`,
	qPseudonymiseEvents: `UPDATE {p}events SET account_id = $3, username = '', client_addr = '', user_agent = '', details = NULL
		WHERE realm = $1 AND account_id = $2`,
}

// tokenReplace writes the new token over the old in IssueToken's upsert.
const tokenReplace = `selector = excluded.selector, hash = excluded.hash, data = excluded.data, attempts = 0,
		max_attempts = excluded.max_attempts, issued_at = excluded.issued_at, expires_at = excluded.expires_at`

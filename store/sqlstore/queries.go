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
	qAccountExists
	qSetStamp
	qInsertCredential
	qCredentialByAccount
	qUpsertCredential
	qSwapCredential
	qAppendEvent
	qListEvents
	qListAccountEvents
	qAttempt
	qDeleteAttempt
	qPruneAttempts
	qPruneAttemptsSkipLocked
	qInsertChallenge
	qInsertChallengeBounded
	qChallenge
	qTakeChallenge
	qPruneChallenges
	numQueries
)

const (
	accountColumns   = `id, realm, username, display_username, email, phone, state, security_stamp, created_at, updated_at`
	eventColumns     = `id, kind, realm, account_id, username, occurred_at, client_addr, user_agent, details`
	challengeColumns = `id, flow, answer_hash, image, audio, issued_at, expires_at`
)

var queries = [numQueries]string{
	qInsertAccount: `INSERT INTO {p}accounts (` + accountColumns + `)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
	qAccountByID:       `SELECT ` + accountColumns + ` FROM {p}accounts WHERE id = $1`,
	qAccountByUsername: `SELECT ` + accountColumns + ` FROM {p}accounts WHERE realm = $1 AND username = $2`,
	qAccountByEmail:    `SELECT ` + accountColumns + ` FROM {p}accounts WHERE realm = $1 AND email = $2 AND email <> ''`,
	qSetState:          `UPDATE {p}accounts SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2`,
	qAccountExists:     `SELECT 1 FROM {p}accounts WHERE id = $1`,
	qSetStamp:          `UPDATE {p}accounts SET security_stamp = $2 WHERE id = $1`,

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
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/masuk-id/masuk/store"
)

// The passkeys' table is <prefix>passkeys, one row per passkey, keyed by
// its credential ID; see migrations/*/0011_passkeys.sql. Its account_id
// has a foreign key to the accounts' table with ON DELETE CASCADE, so
// DeleteAccount takes an account's passkeys with it. UsePasskey is one
// conditional UPDATE, so that the database lets exactly one of any number
// of concurrent calls from one sign count move it.
//
// Its queries are kept here rather than in the table of queries.go, which
// New renders once, and are rendered for the dialect and tables on each
// call: two string replacements, next to a round trip to the database.

var _ store.Passkeys = (*Store)(nil)

const passkeyColumns = `id, account_id, public_key, sign_count, transports, aaguid, backup_eligible, backed_up, name, created_at, last_used_at`

const (
	qsCountPasskeys = `SELECT count(*) FROM {p}passkeys WHERE account_id = $1`
	qsInsertPasskey = `INSERT INTO {p}passkeys (` + passkeyColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`
	// In the order of the index on (account_id, created_at), then of the
	// credential IDs' bytes: bytea and BLOB compare byte by byte, with no
	// collation.
	qsPasskeys      = `SELECT ` + passkeyColumns + ` FROM {p}passkeys WHERE account_id = $1 ORDER BY created_at, id`
	qsPasskey       = `SELECT ` + passkeyColumns + ` FROM {p}passkeys WHERE id = $1`
	qsUsePasskey    = `UPDATE {p}passkeys SET sign_count = $4, backed_up = $5, last_used_at = $6 WHERE account_id = $1 AND id = $2 AND sign_count = $3`
	qsHasPasskey    = `SELECT 1 FROM {p}passkeys WHERE account_id = $1 AND id = $2`
	qsRenamePasskey = `UPDATE {p}passkeys SET name = $3 WHERE account_id = $1 AND id = $2`
	qsDeletePasskey = `DELETE FROM {p}passkeys WHERE account_id = $1 AND id = $2`
)

// CreatePasskey implements [store.Passkeys] in one transaction that locks
// the account's row, counts its passkeys and inserts the new one, so that
// concurrent calls never take an account past
// [store.MaxPasskeysPerAccount]. The primary key on the credential ID
// decides a conflict. Transports are stored as a JSON array, so each must
// be UTF-8 (the JSON encoder would replace other bytes); on PostgreSQL the
// account ID and the name must be UTF-8 without NUL, which its text can
// hold. Otherwise it returns store.ErrInvalid.
func (s *Store) CreatePasskey(ctx context.Context, p store.Passkey) error {
	if err := store.CheckPasskey(p); err != nil {
		return err
	}
	if !s.text(p.AccountID, p.Name) {
		return fmt.Errorf("sqlstore: passkey field is not UTF-8 without NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	transports, err := encodeTransports(p.Transports)
	if err != nil {
		return err
	}
	var aaguid any // NULL
	if len(p.AAGUID) > 0 {
		aaguid = p.AAGUID
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAccount(ctx, tx, p.AccountID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.render(qsCountPasskeys), p.AccountID).Scan(&n); err != nil {
			return err
		}
		if n >= store.MaxPasskeysPerAccount {
			return store.ErrCapacity
		}
		_, err := tx.ExecContext(ctx, s.render(qsInsertPasskey),
			p.ID, p.AccountID, p.PublicKey, int64(p.SignCount), transports, aaguid, p.BackupEligible, p.BackedUp,
			p.Name, s.timeArg(p.CreatedAt), s.nullTimeArg(p.LastUsedAt))
		return err
	})
	return s.fail(ctx, "CreatePasskey", err)
}

// encodeTransports returns transports as the JSON array the table keeps,
// or store.ErrInvalid when one is not UTF-8.
func encodeTransports(transports []string) (string, error) {
	for _, t := range transports {
		if !utf8.ValidString(t) {
			return "", fmt.Errorf("sqlstore: passkey transport is not UTF-8: %w", store.ErrInvalid)
		}
	}
	if transports == nil {
		transports = []string{}
	}
	b, err := json.Marshal(transports)
	if err != nil {
		return "", fmt.Errorf("sqlstore: passkey transports: %w", err)
	}
	return string(b), nil
}

// Passkeys implements [store.Passkeys] with one SELECT.
func (s *Store) Passkeys(ctx context.Context, accountID string) ([]store.Passkey, error) {
	ps := []store.Passkey{}
	if !s.text(accountID) {
		return ps, nil // never stored
	}
	rows, err := s.db.QueryContext(ctx, s.render(qsPasskeys), accountID)
	if err != nil {
		return nil, s.fail(ctx, "Passkeys", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p store.Passkey
		if err := scanPasskey(rows, &p); err != nil {
			return nil, s.fail(ctx, "Passkeys", err)
		}
		ps = append(ps, p)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "Passkeys", err)
	}
	return ps, nil
}

// Passkey implements [store.Passkeys] with one SELECT by the primary key.
func (s *Store) Passkey(ctx context.Context, id []byte) (store.Passkey, error) {
	if len(id) == 0 || len(id) > store.MaxPasskeyID {
		return store.Passkey{}, store.ErrNotFound // never stored
	}
	var p store.Passkey
	err := scanPasskey(s.db.QueryRowContext(ctx, s.render(qsPasskey), id), &p)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Passkey{}, store.ErrNotFound
	}
	if err != nil {
		return store.Passkey{}, s.fail(ctx, "Passkey", err)
	}
	return p, nil
}

// scanPasskey scans a row of passkeyColumns. Empty byte slices and no
// transports read back nil.
func scanPasskey(row interface{ Scan(...any) error }, p *store.Passkey) error {
	var signCount int64
	var transports string
	err := row.Scan(&p.ID, &p.AccountID, &p.PublicKey, &signCount, &transports, &p.AAGUID,
		&p.BackupEligible, &p.BackedUp, &p.Name, utcTime{&p.CreatedAt}, utcTime{&p.LastUsedAt})
	if err != nil {
		return err
	}
	if signCount < 0 || signCount > 1<<32-1 {
		return fmt.Errorf("sign count %d of a passkey of account %q is not a uint32", signCount, p.AccountID)
	}
	p.SignCount = uint32(signCount)
	if err := json.Unmarshal([]byte(transports), &p.Transports); err != nil {
		return fmt.Errorf("transports of a passkey of account %q: %w", p.AccountID, err)
	}
	if len(p.Transports) == 0 {
		p.Transports = nil
	}
	if len(p.AAGUID) == 0 {
		p.AAGUID = nil
	}
	return nil
}

// UsePasskey implements [store.Passkeys] with one UPDATE conditional on
// the sign count being u.From: a compare-and-set that the database
// decides on the row as it is when it locks it (PostgreSQL re-reads a
// row a concurrent UPDATE changed; SQLite has one writer), so that of
// concurrent calls from one count exactly one moves it. Only when it
// changes nothing does a second query tell a stale count from a missing
// passkey. A zero u.At is stored as NULL, and reads back zero.
func (s *Store) UsePasskey(ctx context.Context, u store.PasskeyUse) error {
	if !s.text(u.AccountID) || len(u.ID) == 0 || len(u.ID) > store.MaxPasskeyID {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.render(qsUsePasskey),
		u.AccountID, u.ID, int64(u.From), int64(u.To), u.BackedUp, s.nullTimeArg(u.At)))
	if err == nil && n == 0 {
		err = s.hasPasskey(ctx, u.AccountID, u.ID)
		if err == nil {
			err = store.ErrStale
		}
	}
	return s.fail(ctx, "UsePasskey", err)
}

// hasPasskey returns nil when the account has a passkey with the ID, and
// store.ErrNotFound when it has none.
func (s *Store) hasPasskey(ctx context.Context, accountID string, id []byte) error {
	var one int
	err := s.db.QueryRowContext(ctx, s.render(qsHasPasskey), accountID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

// RenamePasskey implements [store.Passkeys] with one UPDATE. On
// PostgreSQL a name that is not UTF-8 without NUL, which its text cannot
// hold, is store.ErrInvalid.
func (s *Store) RenamePasskey(ctx context.Context, accountID string, id []byte, name string) error {
	if err := store.CheckPasskeyName(name); err != nil {
		return err
	}
	if !s.text(name) {
		return fmt.Errorf("sqlstore: passkey name holds NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	if !s.text(accountID) || len(id) == 0 || len(id) > store.MaxPasskeyID {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.render(qsRenamePasskey), accountID, id, name))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "RenamePasskey", err)
}

// DeletePasskey implements [store.Passkeys] with one DELETE.
func (s *Store) DeletePasskey(ctx context.Context, accountID string, id []byte) error {
	if !s.text(accountID) || len(id) == 0 || len(id) > store.MaxPasskeyID {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.render(qsDeletePasskey), accountID, id))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "DeletePasskey", err)
}

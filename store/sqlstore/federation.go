package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/masuk-id/masuk/store"
)

// The federated identities' table is <prefix>federated_identities, one
// row per identity, keyed by (realm, issuer, subject), with a unique index
// on (account_id, issuer); see migrations/*/0012_federated_identities.sql.
// Its account_id has a foreign key to the accounts' table with ON DELETE
// CASCADE, so DeleteAccount and EraseAccount take an account's identities
// with it. The keys decide conflicts: of concurrent links of one identity,
// or of two identities of one issuer to one account, the database lets
// exactly one through.
//
// Its queries are kept here rather than in the table of queries.go, as the
// passkeys' are, and rendered for the dialect and tables on each call.

var _ store.Federation = (*Store)(nil)

const federatedColumns = `realm, issuer, subject, account_id, created_at, last_used_at`

const (
	// One statement: it inserts only when the account exists in the
	// realm, and the foreign key refuses it when a concurrent deletion of
	// the account commits first.
	qsLinkIdentity = `INSERT INTO {p}federated_identities (` + federatedColumns + `)
		SELECT $1, $2, $3, id, $5, $6 FROM {p}accounts WHERE id = $4 AND realm = $1`
	qsFederatedIdentity = `SELECT ` + federatedColumns + ` FROM {p}federated_identities WHERE realm = $1 AND issuer = $2 AND subject = $3`
	// In the order of the issuers' bytes after the time ({c} is COLLATE
	// "C" on PostgreSQL; SQLite's default collation is bytewise).
	qsFederatedIdentities  = `SELECT ` + federatedColumns + ` FROM {p}federated_identities WHERE account_id = $1 ORDER BY created_at, issuer{c}`
	qsUseFederatedIdentity = `UPDATE {p}federated_identities SET last_used_at = $4 WHERE realm = $1 AND issuer = $2 AND subject = $3`
	qsUnlinkIdentity       = `DELETE FROM {p}federated_identities WHERE account_id = $1 AND issuer = $2 AND subject = $3`
	// The ways to log in an account has left: its credential, its
	// federated identities and its passkeys.
	qsWaysIn = `SELECT (SELECT count(*) FROM {p}credentials WHERE account_id = $1)
		+ (SELECT count(*) FROM {p}federated_identities WHERE account_id = $1)
		+ (SELECT count(*) FROM {p}passkeys WHERE account_id = $1)`
)

// renderFederated renders a query of this file for the dialect and tables.
func (s *Store) renderFederated(q string) string {
	c := ""
	if s.dialect == Postgres {
		c = ` COLLATE "C"`
	}
	return s.render(strings.ReplaceAll(q, "{c}", c))
}

// LinkIdentity implements [store.Federation] with one INSERT ... SELECT
// that inserts the identity only if the account exists in f.Realm; the
// primary key on (realm, issuer, subject) and the unique index on
// (account_id, issuer) decide a conflict.
func (s *Store) LinkIdentity(ctx context.Context, f store.FederatedIdentity) error {
	if err := store.CheckFederatedIdentity(f); err != nil {
		return err
	}
	if !s.text(f.Realm, f.AccountID) {
		return store.ErrNotFound // no such account was ever stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.renderFederated(qsLinkIdentity),
		f.Realm, f.Issuer, f.Subject, f.AccountID, s.timeArg(f.CreatedAt), s.nullTimeArg(f.LastUsedAt)))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "LinkIdentity", err)
}

// FederatedIdentity implements [store.Federation] with one SELECT by the
// primary key.
func (s *Store) FederatedIdentity(ctx context.Context, realm, issuer, subject string) (store.FederatedIdentity, error) {
	if !s.text(realm, issuer, subject) {
		return store.FederatedIdentity{}, store.ErrNotFound // never stored
	}
	var f store.FederatedIdentity
	err := scanFederated(s.db.QueryRowContext(ctx, s.renderFederated(qsFederatedIdentity), realm, issuer, subject), &f)
	if errors.Is(err, sql.ErrNoRows) {
		return store.FederatedIdentity{}, store.ErrNotFound
	}
	if err != nil {
		return store.FederatedIdentity{}, s.fail(ctx, "FederatedIdentity", err)
	}
	return f, nil
}

// FederatedIdentities implements [store.Federation] with one SELECT.
func (s *Store) FederatedIdentities(ctx context.Context, accountID string) ([]store.FederatedIdentity, error) {
	fs := []store.FederatedIdentity{}
	if !s.text(accountID) {
		return fs, nil // never stored
	}
	rows, err := s.db.QueryContext(ctx, s.renderFederated(qsFederatedIdentities), accountID)
	if err != nil {
		return nil, s.fail(ctx, "FederatedIdentities", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f store.FederatedIdentity
		if err := scanFederated(rows, &f); err != nil {
			return nil, s.fail(ctx, "FederatedIdentities", err)
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "FederatedIdentities", err)
	}
	return fs, nil
}

// scanFederated scans a row of federatedColumns.
func scanFederated(row interface{ Scan(...any) error }, f *store.FederatedIdentity) error {
	return row.Scan(&f.Realm, &f.Issuer, &f.Subject, &f.AccountID, utcTime{&f.CreatedAt}, utcTime{&f.LastUsedAt})
}

// UseFederatedIdentity implements [store.Federation] with one UPDATE by
// the primary key.
func (s *Store) UseFederatedIdentity(ctx context.Context, realm, issuer, subject string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("sqlstore: UseFederatedIdentity: a zero time: %w", store.ErrInvalid)
	}
	if !s.text(realm, issuer, subject) {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.renderFederated(qsUseFederatedIdentity), realm, issuer, subject, s.timeArg(at)))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "UseFederatedIdentity", err)
}

// UnlinkIdentity implements [store.Federation]. Without keepAWay it is one
// DELETE. With it, it is one transaction that locks the account's row (on
// SQLite, takes the write lock), deletes the identity and counts the ways
// in the account has left (its credential, its identities, its passkeys),
// and rolls back when there are none; the lock makes concurrent unlinks of
// one account's identities take turns, so that the second counts what the
// first left.
func (s *Store) UnlinkIdentity(ctx context.Context, accountID, issuer, subject string, keepAWay bool) error {
	if !s.text(accountID, issuer, subject) {
		return store.ErrNotFound // never stored
	}
	unlink := func(q querier) error {
		n, err := rowsAffected(q.ExecContext(ctx, s.renderFederated(qsUnlinkIdentity), accountID, issuer, subject))
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		return err
	}
	if !keepAWay {
		return s.fail(ctx, "UnlinkIdentity", unlink(s.db))
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAccount(ctx, tx, accountID); err != nil {
			return err
		}
		if err := unlink(tx); err != nil {
			return err
		}
		var left int
		if err := tx.QueryRowContext(ctx, s.renderFederated(qsWaysIn), accountID).Scan(&left); err != nil {
			return err
		}
		if left == 0 {
			return store.ErrStale
		}
		return nil
	})
	return s.fail(ctx, "UnlinkIdentity", err)
}

package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/masuk-id/masuk/store"
)

// The second factors' table is <prefix>factors, one row per factor, and
// the recovery codes' are <prefix>recovery_sets, one row per account that
// has a set, and <prefix>recovery_codes, one row per unused code; see
// migrations/*/0005_factors_tokens.sql. ConfirmFactor and AcceptStep are
// each one conditional UPDATE, so that the database lets exactly one of
// any number of concurrent calls with one step move LastStep.

// CreateFactor implements [store.Factors] in one transaction that locks
// the account's row, counts its factors and inserts the new one, so that
// concurrent calls never take an account past
// [store.MaxFactorsPerAccount]. An empty secret is stored as none, and
// reads back nil.
func (s *Store) CreateFactor(ctx context.Context, f store.Factor) error {
	if err := store.CheckFactor(f); err != nil {
		return err
	}
	if !s.text(f.ID, f.AccountID, string(f.Kind), f.Label, f.Algorithm) {
		return fmt.Errorf("sqlstore: factor field is not UTF-8 without NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	var secret any // NULL
	if len(f.Secret) > 0 {
		secret = f.Secret
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAccount(ctx, tx, f.AccountID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q[qCountFactors], f.AccountID).Scan(&n); err != nil {
			return err
		}
		if n >= store.MaxFactorsPerAccount {
			return store.ErrCapacity
		}
		_, err := tx.ExecContext(ctx, s.q[qInsertFactor],
			f.ID, f.AccountID, string(f.Kind), f.Label, secret, f.Algorithm, f.Digits, f.Period, f.LastStep,
			s.timeArg(f.CreatedAt), s.nullTimeArg(f.ConfirmedAt))
		return err
	})
	return s.fail(ctx, "CreateFactor", err)
}

// Factors implements [store.Factors] with one SELECT.
func (s *Store) Factors(ctx context.Context, accountID string) ([]store.Factor, error) {
	fs := []store.Factor{}
	if !s.text(accountID) {
		return fs, nil // never stored
	}
	rows, err := s.db.QueryContext(ctx, s.q[qFactors], accountID)
	if err != nil {
		return nil, s.fail(ctx, "Factors", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f store.Factor
		err := rows.Scan(&f.ID, &f.AccountID, &f.Kind, &f.Label, &f.Secret, &f.Algorithm, &f.Digits, &f.Period,
			&f.LastStep, utcTime{&f.CreatedAt}, utcTime{&f.ConfirmedAt})
		if err != nil {
			return nil, s.fail(ctx, "Factors", err)
		}
		if len(f.Secret) == 0 {
			f.Secret = nil
		}
		fs = append(fs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "Factors", err)
	}
	// In Go, so that IDs compare byte by byte whatever the collation.
	slices.SortFunc(fs, func(a, b store.Factor) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return fs, nil
}

// ConfirmFactor implements [store.Factors] with one UPDATE conditional on
// the factor being unconfirmed and the step above LastStep. Only when it
// changes nothing does a second query tell a stale call from a missing
// factor.
func (s *Store) ConfirmFactor(ctx context.Context, accountID, id string, step int64, at time.Time) error {
	if !s.text(accountID, id) {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qConfirmFactor], accountID, id, step, s.timeArg(at)))
	if err == nil && n == 0 {
		_, err = s.factorConfirmed(ctx, accountID, id)
		if err == nil {
			err = store.ErrStale
		}
	}
	return s.fail(ctx, "ConfirmFactor", err)
}

// AcceptStep implements [store.Factors] with one UPDATE conditional on
// the factor being confirmed and the step above LastStep: a compare-and-
// set that the database decides on the row as it is when it locks it, so
// that of concurrent calls with one step exactly one changes it. Only when
// it changes nothing does a second query tell a stale step from a missing
// or unconfirmed factor.
func (s *Store) AcceptStep(ctx context.Context, accountID, id string, step int64) error {
	if !s.text(accountID, id) {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qAcceptStep], accountID, id, step))
	if err == nil && n == 0 {
		var confirmed bool
		confirmed, err = s.factorConfirmed(ctx, accountID, id)
		switch {
		case err != nil:
		case !confirmed:
			err = store.ErrNotFound
		default:
			err = store.ErrStale
		}
	}
	return s.fail(ctx, "AcceptStep", err)
}

// factorConfirmed reports whether the account's factor is confirmed, or
// returns store.ErrNotFound when it has no factor with the ID.
func (s *Store) factorConfirmed(ctx context.Context, accountID, id string) (bool, error) {
	var confirmed bool
	err := s.db.QueryRowContext(ctx, s.q[qFactorConfirmed], accountID, id).Scan(&confirmed)
	if errors.Is(err, sql.ErrNoRows) {
		return false, store.ErrNotFound
	}
	return confirmed, err
}

// ResealFactor implements [store.Factors] with one UPDATE conditional on
// the stored secret. A factor without a secret (not TOTP) has nothing to
// reseal: ErrStale.
func (s *Store) ResealFactor(ctx context.Context, accountID, id string, old, secret []byte) error {
	if len(secret) == 0 || len(secret) > store.MaxFactorSecret {
		return fmt.Errorf("sqlstore: factor secret is empty or too long: %w", store.ErrInvalid)
	}
	if !s.text(accountID, id) {
		return store.ErrNotFound // never stored
	}
	if old == nil {
		old = []byte{} // never NULL: a NULL would compare as unknown
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qResealFactor], accountID, id, old, secret))
	if err == nil && n == 0 {
		_, err = s.factorConfirmed(ctx, accountID, id)
		if err == nil {
			err = store.ErrStale
		}
	}
	return s.fail(ctx, "ResealFactor", err)
}

// DeleteFactor implements [store.Factors] with one DELETE.
func (s *Store) DeleteFactor(ctx context.Context, accountID, id string) error {
	if !s.text(accountID, id) {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qDeleteFactor], accountID, id))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "DeleteFactor", err)
}

// SetRecoveryCodes implements [store.Recovery] in one transaction: it
// writes the set's row (which locks it, and fails the foreign key when
// the account does not exist), deletes the old codes and inserts the new
// ones in one statement. No hashes deletes the set's row and its codes.
func (s *Store) SetRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte, at time.Time) error {
	if err := store.CheckRecoveryCodes(accountID, hashes); err != nil {
		return err
	}
	if !s.text(accountID) {
		return fmt.Errorf("sqlstore: account id is not UTF-8 without NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if len(hashes) == 0 {
			if _, err := tx.ExecContext(ctx, s.q[qDeleteRecoveryCodes], accountID); err != nil {
				return err
			}
			n, err := rowsAffected(tx.ExecContext(ctx, s.q[qDeleteRecoverySet], accountID))
			if err == nil && n == 0 {
				err = s.accountExists(ctx, tx, accountID)
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q[qUpsertRecoverySet], accountID, s.timeArg(at)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q[qDeleteRecoveryCodes], accountID); err != nil {
			return err
		}
		args := make([]any, 0, 1+len(hashes))
		args = append(args, accountID)
		values := make([]string, len(hashes))
		for i, h := range hashes {
			args = append(args, h)
			values[i] = "($1, $" + strconv.Itoa(i+2) + ")"
		}
		_, err := tx.ExecContext(ctx, s.render(`INSERT INTO {p}recovery_codes (account_id, hash) VALUES `+strings.Join(values, ", ")), args...)
		return err
	})
	return s.fail(ctx, "SetRecoveryCodes", err)
}

// UseRecoveryCode implements [store.Recovery] in one transaction that
// deletes the code and counts those left. The DELETE decides which of
// concurrent uses of one code succeeds. On PostgreSQL the transaction
// first locks the set's row, as SetRecoveryCodes does, so that the count
// is of the set as this use leaves it, not missing a concurrent use of
// another code; on SQLite the transaction holds the write lock.
func (s *Store) UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (int, error) {
	if !s.text(accountID) {
		return 0, store.ErrNotFound // never stored
	}
	var remaining int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == Postgres {
			var one int
			err := tx.QueryRowContext(ctx, s.q[qLockRecoverySet], accountID).Scan(&one)
			if errors.Is(err, sql.ErrNoRows) {
				return store.ErrNotFound
			}
			if err != nil {
				return err
			}
		}
		n, err := rowsAffected(tx.ExecContext(ctx, s.q[qUseRecoveryCode], accountID, hash))
		if err == nil && n == 0 {
			err = store.ErrNotFound
		}
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, s.q[qCountRecoveryCodes], accountID).Scan(&remaining)
	})
	if err != nil {
		return 0, s.fail(ctx, "UseRecoveryCode", err)
	}
	return remaining, nil
}

// FindRecoveryCode implements [store.Recovery] with one SELECT of the
// code's row, which writes nothing.
func (s *Store) FindRecoveryCode(ctx context.Context, accountID string, hash []byte) error {
	if !s.text(accountID) || len(hash) == 0 {
		return store.ErrNotFound // never stored
	}
	var one int
	err := s.db.QueryRowContext(ctx, s.q[qFindRecoveryCode], accountID, hash).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return s.fail(ctx, "FindRecoveryCode", err)
}

// RecoveryCodes implements [store.Recovery] with one SELECT of the set's
// row and the count of its codes. A set whose codes are all used reads as
// Remaining zero with the time it was made.
func (s *Store) RecoveryCodes(ctx context.Context, accountID string) (store.RecoveryCodes, error) {
	var rc store.RecoveryCodes
	if !s.text(accountID) {
		return rc, nil // never stored
	}
	err := s.db.QueryRowContext(ctx, s.q[qRecoveryCodes], accountID).Scan(utcTime{&rc.CreatedAt}, &rc.Remaining)
	if errors.Is(err, sql.ErrNoRows) {
		return store.RecoveryCodes{}, nil
	}
	if err != nil {
		return store.RecoveryCodes{}, s.fail(ctx, "RecoveryCodes", err)
	}
	return rc, nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/masuk-id/masuk/store"
)

// CredentialByAccount implements [store.Credentials].
func (s *Store) CredentialByAccount(ctx context.Context, accountID string) (store.Credential, error) {
	var c store.Credential
	err := s.db.QueryRowContext(ctx, s.q[qCredentialByAccount], accountID).Scan(&c.AccountID, &c.Hash, utcTime{&c.ChangedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return store.Credential{}, store.ErrNotFound
	}
	if err != nil {
		return store.Credential{}, s.fail(ctx, "CredentialByAccount", err)
	}
	return c, nil
}

// SetCredential implements [store.Credentials]: one transaction upserts
// the credential and sets the security stamp.
func (s *Store) SetCredential(ctx context.Context, c store.Credential, stamp string) error {
	if err := store.CheckCredential(c); err != nil {
		return err
	}
	if err := store.CheckStamp(stamp); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// A missing account fails the foreign key here (store.ErrNotFound
		// by fail), or, were foreign keys off, the stamp update below.
		if _, err := tx.ExecContext(ctx, s.q[qUpsertCredential], c.AccountID, c.Hash, s.timeArg(c.ChangedAt)); err != nil {
			return err
		}
		return s.setStamp(ctx, tx, c.AccountID, stamp)
	})
	return s.fail(ctx, "SetCredential", err)
}

// SwapCredential implements [store.Credentials]: one transaction updates
// the credential only where the stored hash is still oldHash and then sets
// the security stamp. Concurrent swaps from one old hash serialize on the
// credential's row, and all but the first find the hash changed.
func (s *Store) SwapCredential(ctx context.Context, oldHash string, c store.Credential, stamp string) error {
	if err := store.CheckCredential(c); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := rowsAffected(tx.ExecContext(ctx, s.q[qSwapCredential], c.AccountID, oldHash, c.Hash, s.timeArg(c.ChangedAt)))
		switch {
		case err != nil:
			return err
		case n == 0:
			if err := s.accountExists(ctx, tx, c.AccountID); err != nil {
				return err
			}
			return store.ErrStale
		case stamp == "":
			return nil
		}
		return s.setStamp(ctx, tx, c.AccountID, stamp)
	})
	return s.fail(ctx, "SwapCredential", err)
}

// AddCredential implements [store.Credentials]: one transaction checks
// that the account exists and inserts the credential, which the
// credentials' primary key refuses (store.ErrConflict) when the account
// has one already, then sets the security stamp when one is given.
// Concurrent first passwords serialize on that key: one inserts, the
// others conflict.
func (s *Store) AddCredential(ctx context.Context, c store.Credential, stamp string) error {
	if err := store.CheckCredential(c); err != nil {
		return err
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.accountExists(ctx, tx, c.AccountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q[qInsertCredential], c.AccountID, c.Hash, s.timeArg(c.ChangedAt)); err != nil {
			return err
		}
		if stamp == "" {
			return nil
		}
		return s.setStamp(ctx, tx, c.AccountID, stamp)
	})
	return s.fail(ctx, "AddCredential", err)
}

// setStamp gives the account a new security stamp, or returns
// store.ErrNotFound when there is no such account.
func (s *Store) setStamp(ctx context.Context, tx *sql.Tx, accountID, stamp string) error {
	n, err := rowsAffected(tx.ExecContext(ctx, s.q[qSetStamp], accountID, stamp))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return err
}

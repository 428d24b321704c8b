package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/store"
)

// The remembered devices' table is <prefix>devices, one row per device;
// see migrations/*/0005_factors_tokens.sql. Expiry is by the caller's
// clock, checked on every read.

// RememberDevice implements [store.Devices] in one transaction that locks
// the account's row, deletes the account's devices expired at
// d.CreatedAt, inserts d and then, when the account has more than
// [store.MaxDevicesPerAccount] devices, deletes those that expire first.
// Concurrent calls for one account serialize on its row, so an account
// never keeps more devices than the bound, expired ones included.
func (s *Store) RememberDevice(ctx context.Context, d store.Device) error {
	if err := store.CheckDevice(d); err != nil {
		return err
	}
	if !s.text(d.Selector, d.AccountID, d.Stamp, d.Label) {
		return fmt.Errorf("sqlstore: device field is not UTF-8 without NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAccount(ctx, tx, d.AccountID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q[qDeleteExpiredDevices], d.AccountID, s.timeArg(d.CreatedAt)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q[qInsertDevice], d.Selector, d.AccountID, d.Hash, d.Stamp, d.Label,
			s.timeArg(d.CreatedAt), s.timeArg(d.ExpiresAt))
		if err != nil {
			return err
		}
		var others int
		if err := tx.QueryRowContext(ctx, s.q[qCountDevices], d.AccountID, d.Selector).Scan(&others); err != nil {
			return err
		}
		if over := others + 1 - store.MaxDevicesPerAccount; over > 0 {
			_, err = tx.ExecContext(ctx, s.q[qEvictDevices], d.AccountID, d.Selector, over)
		}
		return err
	})
	return s.fail(ctx, "RememberDevice", err)
}

// Device implements [store.Devices] with one SELECT of the device if it
// has not expired at time at.
func (s *Store) Device(ctx context.Context, selector string, at time.Time) (store.Device, error) {
	if !s.text(selector) {
		return store.Device{}, store.ErrNotFound // never stored
	}
	var d store.Device
	err := scanDevice(s.db.QueryRowContext(ctx, s.q[qDevice], selector, s.timeArg(at)), &d)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Device{}, store.ErrNotFound
	}
	if err != nil {
		return store.Device{}, s.fail(ctx, "Device", err)
	}
	return d, nil
}

// Devices implements [store.Devices] with one SELECT of the account's
// devices that have not expired at time at.
func (s *Store) Devices(ctx context.Context, accountID string, at time.Time) ([]store.Device, error) {
	ds := []store.Device{}
	if !s.text(accountID) {
		return ds, nil // never stored
	}
	rows, err := s.db.QueryContext(ctx, s.q[qDevices], accountID, s.timeArg(at))
	if err != nil {
		return nil, s.fail(ctx, "Devices", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d store.Device
		if err := scanDevice(rows, &d); err != nil {
			return nil, s.fail(ctx, "Devices", err)
		}
		ds = append(ds, d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "Devices", err)
	}
	// Newest first; in Go, so that selectors compare byte by byte
	// whatever the collation.
	slices.SortFunc(ds, func(a, b store.Device) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), strings.Compare(a.Selector, b.Selector))
	})
	return ds, nil
}

// ForgetDevice implements [store.Devices] with one DELETE.
func (s *Store) ForgetDevice(ctx context.Context, accountID, selector string) error {
	if !s.text(accountID, selector) {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qForgetDevice], accountID, selector))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "ForgetDevice", err)
}

// ForgetDevices implements [store.Devices] with one DELETE.
func (s *Store) ForgetDevices(ctx context.Context, accountID string) error {
	if !s.text(accountID) {
		return nil // never stored
	}
	_, err := s.db.ExecContext(ctx, s.q[qForgetDevices], accountID)
	return s.fail(ctx, "ForgetDevices", err)
}

// PruneDevices deletes the remembered devices that have expired by time
// at, and returns how many it deleted. Expired devices are never read,
// and RememberDevice deletes an account's own when it remembers another,
// so pruning only returns the space of accounts that remember no more: a
// host runs it now and then, say hourly with PruneAttempts.
func (s *Store) PruneDevices(ctx context.Context, at time.Time) (int64, error) {
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qPruneDevices], s.timeArg(at)))
	if err != nil {
		return 0, s.fail(ctx, "PruneDevices", err)
	}
	return n, nil
}

// scanDevice scans a row of deviceColumns.
func scanDevice(row interface{ Scan(...any) error }, d *store.Device) error {
	return row.Scan(&d.Selector, &d.AccountID, &d.Hash, &d.Stamp, &d.Label, utcTime{&d.CreatedAt}, utcTime{&d.ExpiresAt})
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/store"
)

// CreateAccount implements [store.Accounts]. The account and its
// credential are inserted in one transaction; the unique indexes decide
// conflicts, so of any number of concurrent registrations of one username
// exactly one succeeds. The profile is stored as a JSON object, or NULL
// when it is empty.
func (s *Store) CreateAccount(ctx context.Context, a store.Account, cred *store.Credential) error {
	if err := store.CheckAccount(a, cred); err != nil {
		return err
	}
	var profile any // NULL
	if len(a.Profile) > 0 {
		b, err := json.Marshal(a.Profile)
		if err != nil {
			return fmt.Errorf("sqlstore: account profile: %w", err)
		}
		profile = string(b)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q[qInsertAccount],
			a.ID, a.Realm, a.Username, a.DisplayUsername, a.Email, a.Phone,
			string(a.State), a.SecurityStamp, profile, s.timeArg(a.CreatedAt), s.timeArg(a.UpdatedAt))
		if err != nil || cred == nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q[qInsertCredential], cred.AccountID, cred.Hash, s.timeArg(cred.ChangedAt))
		return err
	})
	return s.fail(ctx, "CreateAccount", err)
}

// AccountByID implements [store.Accounts].
func (s *Store) AccountByID(ctx context.Context, id string) (store.Account, error) {
	return s.account(ctx, "AccountByID", qAccountByID, id)
}

// AccountByUsername implements [store.Accounts].
func (s *Store) AccountByUsername(ctx context.Context, realm, username string) (store.Account, error) {
	return s.account(ctx, "AccountByUsername", qAccountByUsername, realm, username)
}

// AccountByEmail implements [store.Accounts].
func (s *Store) AccountByEmail(ctx context.Context, realm, email string) (store.Account, error) {
	if email == "" {
		return store.Account{}, store.ErrNotFound
	}
	return s.account(ctx, "AccountByEmail", qAccountByEmail, realm, email)
}

func (s *Store) account(ctx context.Context, op string, query int, args ...any) (store.Account, error) {
	var a store.Account
	var profile sql.NullString
	err := s.db.QueryRowContext(ctx, s.q[query], args...).Scan(
		&a.ID, &a.Realm, &a.Username, &a.DisplayUsername, &a.Email, &a.Phone,
		&a.State, &a.SecurityStamp, &profile, utcTime{&a.CreatedAt}, utcTime{&a.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return store.Account{}, store.ErrNotFound
	}
	if err == nil && profile.Valid {
		if err = json.Unmarshal([]byte(profile.String), &a.Profile); err != nil {
			err = fmt.Errorf("profile of account %q: %w", a.ID, err)
		}
		if len(a.Profile) == 0 {
			a.Profile = nil
		}
	}
	if err != nil {
		return store.Account{}, s.fail(ctx, op, err)
	}
	return a, nil
}

// SetAccountState implements [store.Accounts] with one conditional
// UPDATE. Only when it changes nothing does a second query tell a stale
// state from a missing account.
func (s *Store) SetAccountState(ctx context.Context, id string, from, to store.AccountState, at time.Time) error {
	if !to.Valid() {
		return fmt.Errorf("sqlstore: account state %q: %w", to, store.ErrInvalid)
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qSetState], id, string(from), string(to), s.timeArg(at)))
	if err == nil && n == 0 {
		err = s.accountExists(ctx, s.db, id)
		if err == nil {
			err = store.ErrStale
		}
	}
	return s.fail(ctx, "SetAccountState", err)
}

// SetEmail implements [store.Accounts] with one UPDATE conditional on the
// current address, which is the empty string for none, as CreateAccount
// stores it (not NULL). The partial unique index on (realm, email) for
// non-empty emails decides a conflict: of concurrent moves of accounts of
// a realm to one address, the database lets exactly one through, and the
// others' unique violations come back as store.ErrConflict. Only when the
// UPDATE changes nothing does a second query tell a stale address from a
// missing account.
func (s *Store) SetEmail(ctx context.Context, id, from, to string, at time.Time) error {
	if err := store.CheckEmail(to); err != nil {
		return err
	}
	if !s.text(id) {
		return store.ErrNotFound // never stored
	}
	var err error
	var n int64
	if s.text(from) { // else no stored address is from
		n, err = rowsAffected(s.db.ExecContext(ctx, s.q[qSetEmail], id, from, to, s.timeArg(at)))
	}
	if err == nil && n == 0 {
		err = s.accountExists(ctx, s.db, id)
		if err == nil {
			err = store.ErrStale
		}
	}
	return s.fail(ctx, "SetEmail", err)
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// accountExists returns nil when the account exists and store.ErrNotFound
// when it does not.
func (s *Store) accountExists(ctx context.Context, q querier, id string) error {
	var one int
	err := q.QueryRowContext(ctx, s.q[qAccountExists], id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

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

func (s *Store) account(ctx context.Context, op string, query int, args ...string) (store.Account, error) {
	if !s.text(args...) {
		// PostgreSQL refuses such text in a query; no account has it.
		return store.Account{}, store.ErrNotFound
	}
	var a store.Account
	qargs := make([]any, len(args))
	for i, v := range args {
		qargs[i] = v
	}
	err := scanAccount(s.db.QueryRowContext(ctx, s.q[query], qargs...), &a)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Account{}, store.ErrNotFound
	}
	if err != nil {
		return store.Account{}, s.fail(ctx, op, err)
	}
	return a, nil
}

// scanAccount scans a row of accountColumns.
func scanAccount(row interface{ Scan(...any) error }, a *store.Account) error {
	var profile sql.NullString
	err := row.Scan(&a.ID, &a.Realm, &a.Username, &a.DisplayUsername, &a.Email, &a.Phone,
		&a.State, &a.SecurityStamp, &profile, utcTime{&a.CreatedAt}, utcTime{&a.UpdatedAt})
	if err != nil || !profile.Valid {
		return err
	}
	if err := json.Unmarshal([]byte(profile.String), &a.Profile); err != nil {
		return fmt.Errorf("profile of account %q: %w", a.ID, err)
	}
	if len(a.Profile) == 0 {
		a.Profile = nil
	}
	return nil
}

// ListAccounts implements [store.AccountLister] with one SELECT built for
// the query, in the order of the usernames' bytes: on PostgreSQL in the
// "C" collation, whatever the database's, and on SQLite in BINARY, its
// default. A search is a range, not a LIKE pattern: the usernames and
// emails that begin with q.Search are those from q.Search up to the
// least string above every string that begins with it. So no character
// of the search is a wildcard, the match is exact in case (SQLite's LIKE
// is not), and the indexes on (realm, username) and (realm, email) serve
// it, in the "C" collation on PostgreSQL (see
// migrations/postgres/0007_sessions.sql).
//
// On PostgreSQL, whose text holds only UTF-8 without NUL, a realm or a
// search that is not such text matches nothing, and an After that is not
// UTF-8 is store.ErrInvalid.
func (s *Store) ListAccounts(ctx context.Context, q store.AccountQuery) ([]store.Account, error) {
	switch {
	case q.Realm == "":
		return nil, fmt.Errorf("sqlstore: account query has no realm: %w", store.ErrInvalid)
	case q.State != "" && !q.State.Valid():
		// The state is not repeated: an operator's form sent it, of any
		// length.
		return nil, fmt.Errorf("sqlstore: account query state is not a state: %w", store.ErrInvalid)
	}
	as := []store.Account{}
	if !s.text(q.Realm, q.Search) {
		return as, nil // never stored, nor any text that begins with it
	}
	after := q.After
	if s.dialect == Postgres {
		// No stored username holds NUL: those above After are those
		// above what comes before its first NUL.
		after, _, _ = strings.Cut(after, "\x00")
		if !utf8.ValidString(after) {
			return nil, fmt.Errorf("sqlstore: account query after is not UTF-8: %w", store.ErrInvalid)
		}
	}
	bytewise := ""
	if s.dialect == Postgres {
		bytewise = ` COLLATE "C"`
	}
	var b strings.Builder
	args := []any{q.Realm}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	b.WriteString(`SELECT ` + accountColumns + ` FROM {p}accounts WHERE realm = $1`)
	if q.State != "" {
		b.WriteString(` AND state = ` + arg(string(q.State)))
	}
	if q.Search != "" {
		from := arg(q.Search)
		within := func(col string) string { return col + bytewise + ` >= ` + from }
		if end, ok := prefixEnd(q.Search, s.dialect == Postgres); ok {
			to := arg(end)
			within = func(col string) string { return col + bytewise + ` >= ` + from + ` AND ` + col + bytewise + ` < ` + to }
		}
		b.WriteString(` AND ((` + within("username") + `) OR (email <> '' AND ` + within("email") + `))`)
	}
	if q.After != "" {
		b.WriteString(` AND username` + bytewise + ` > ` + arg(after))
	}
	b.WriteString(` ORDER BY username` + bytewise + ` LIMIT ` + arg(q.EffectiveLimit()))

	rows, err := s.db.QueryContext(ctx, s.render(b.String()), args...)
	if err != nil {
		return nil, s.fail(ctx, "ListAccounts", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a store.Account
		if err := scanAccount(rows, &a); err != nil {
			return nil, s.fail(ctx, "ListAccounts", err)
		}
		as = append(as, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "ListAccounts", err)
	}
	return as, nil
}

// prefixEnd returns the least string above every string that begins with
// p, and false when there is none (p is empty or all its bytes are 0xff).
// With runes, p must be UTF-8 and so is the answer: its last character
// that is not the greatest is followed by the next one (skipping the
// surrogates), which orders the same, byte by byte, for UTF-8 strings.
// Without, its last byte that is not 0xff is followed by the next byte.
func prefixEnd(p string, runes bool) (string, bool) {
	if !runes {
		b := []byte(p)
		for len(b) > 0 && b[len(b)-1] == 0xff {
			b = b[:len(b)-1]
		}
		if len(b) == 0 {
			return "", false
		}
		b[len(b)-1]++
		return string(b), true
	}
	rs := []rune(p)
	for len(rs) > 0 && rs[len(rs)-1] == utf8.MaxRune {
		rs = rs[:len(rs)-1]
	}
	if len(rs) == 0 {
		return "", false
	}
	rs[len(rs)-1]++
	if rs[len(rs)-1] == 0xd800 {
		rs[len(rs)-1] = 0xe000 // past the surrogates, which UTF-8 cannot hold
	}
	return string(rs), true
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

// SetPhone implements [store.Accounts] with one UPDATE conditional on the
// current number, the empty string for none, as CreateAccount stores it.
// Only when the UPDATE changes nothing does a second query tell a stale
// number from a missing account.
func (s *Store) SetPhone(ctx context.Context, id, from, to string, at time.Time) error {
	if err := store.CheckPhone(to); err != nil {
		return err
	}
	if !s.text(id) {
		return store.ErrNotFound // never stored
	}
	var err error
	var n int64
	if s.text(from) { // else no stored number is from
		n, err = rowsAffected(s.db.ExecContext(ctx, s.q[qSetPhone], id, from, to, s.timeArg(at)))
	}
	if err == nil && n == 0 {
		err = s.accountExists(ctx, s.db, id)
		if err == nil {
			err = store.ErrStale
		}
	}
	return s.fail(ctx, "SetPhone", err)
}

// DeleteAccount implements [store.Accounts] in one transaction: one
// DELETE of the account's row conditional on its state and UpdatedAt,
// whose foreign keys' ON DELETE CASCADE take its credential, factors,
// recovery codes, devices, passkeys and federated identities with it (on
// SQLite only with foreign keys on,
// which [Store.Check] requires), then the DELETEs of its tokens and
// sessions, which have no foreign key. A concurrent SetAccountState
// waits for the row, or the DELETE for it, and the second re-checks its
// condition on what the first committed, so of the two exactly one
// succeeds. Only when the DELETE changes nothing does a second query tell
// a stale account from a missing one.
func (s *Store) DeleteAccount(ctx context.Context, id string, state store.AccountState, updatedBefore time.Time) error {
	if !state.Valid() || updatedBefore.IsZero() {
		return fmt.Errorf("sqlstore: DeleteAccount: state %q or a zero time: %w", state, store.ErrInvalid)
	}
	if !s.text(id) {
		return store.ErrNotFound // never stored
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n, err := rowsAffected(tx.ExecContext(ctx, s.q[qDeleteAccount], id, string(state), s.timeArg(updatedBefore)))
		if err != nil {
			return err
		}
		if n == 0 {
			if err := s.accountExists(ctx, tx, id); err != nil {
				return err
			}
			return store.ErrStale
		}
		if _, err := tx.ExecContext(ctx, s.q[qVoidTokens], id); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, s.q[qDeleteAccountSessions], id)
		return err
	})
	return s.fail(ctx, "DeleteAccount", err)
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

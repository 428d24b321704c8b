package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masuk-id/masuk/store"
)

// The sessions' table is <prefix>sessions, one row per session; see
// migrations/*/0007_sessions.sql, and 0013_session_account.sql for the
// copy of its account that each row keeps. A session is live at a time t
// when its idle_until and its expires_at are both after t, by the
// caller's clock, checked on every read.

// CreateSession implements [store.Sessions] in one transaction that
// serializes the creation of the account's sessions (on PostgreSQL by a
// transaction-scoped advisory lock keyed by the account, as sessions have
// no foreign key to lock the account's row by; on SQLite by the database's
// write lock, which its first statement takes), deletes the account's
// sessions no longer live at s.CreatedAt (and the one holding s.Selector,
// if it is no longer live: as in memstore, a dead session does not keep
// its selector taken), inserts s and then, when the account has more than
// [store.MaxSessionsPerAccount] live sessions, ends those with the
// earliest IdleUntil. Concurrent calls for one account never keep more
// than the bound.
//
// The session's row keeps a copy of its account's, for SessionAccount,
// which a trigger writes as the row is inserted; on PostgreSQL the
// transaction locks the account's row first (by an UPDATE that changes
// nothing), before it touches any session, so that a concurrent account
// write waits for it and then rewrites the new session's copy.
//
// Data is stored as a JSON object; empty Data reads back nil. A key or
// value that is not UTF-8 is ErrInvalid, as JSON cannot hold it.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	if err := store.CheckSession(sess); err != nil {
		return err
	}
	if !s.text(sess.Selector, sess.AccountID, sess.Realm, sess.Stamp, sess.ClientAddr, sess.UserAgent) {
		return fmt.Errorf("sqlstore: session field is not UTF-8 without NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	data, err := mapJSON(sess.Data)
	if err != nil {
		return fmt.Errorf("sqlstore: session data: %w", err)
	}
	at := s.timeArg(sess.CreatedAt)
	verified := sess.VerifiedAt
	if verified.IsZero() {
		verified = sess.CreatedAt
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, s.q[qAdvisoryLock], s.sessionLockKey(sess.AccountID)); err != nil {
				return err
			}
			// The account's row, before any session: an account write
			// waits for this session and then rewrites its copy.
			if _, err := tx.ExecContext(ctx, s.q[qLockAccountForSession], sess.AccountID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q[qDeleteDeadSessions], sess.AccountID, at, sess.Selector); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q[qInsertSession], sess.Selector, sess.AccountID, sess.Realm, sess.Hash, sess.Stamp,
			sess.ClientAddr, sess.UserAgent, at, s.timeArg(sess.LastSeenAt), s.timeArg(sess.IdleUntil), s.timeArg(sess.ExpiresAt), data, s.timeArg(verified))
		if err != nil {
			return err
		}
		var others int
		if err := tx.QueryRowContext(ctx, s.q[qCountSessions], sess.AccountID, sess.Selector, at).Scan(&others); err != nil {
			return err
		}
		if over := others + 1 - store.MaxSessionsPerAccount; over > 0 {
			_, err = tx.ExecContext(ctx, s.q[qEvictSessions], sess.AccountID, sess.Selector, at, over)
		}
		return err
	})
	return s.fail(ctx, "CreateSession", err)
}

// sessionLockKey is the PostgreSQL advisory lock that serializes the
// creation of the account's sessions in this schema and prefix. Two
// accounts whose keys collide only wait for each other.
func (s *Store) sessionLockKey(accountID string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/masuk-id/masuk/store/sqlstore sessions " + s.schema + "." + s.prefix + "\x00" + accountID))
	return int64(h.Sum64())
}

// Session implements [store.Sessions] with one SELECT of the session if
// it is live at time at.
func (s *Store) Session(ctx context.Context, selector string, at time.Time) (store.Session, error) {
	if !s.text(selector) {
		return store.Session{}, store.ErrNotFound // never stored
	}
	var sess store.Session
	err := scanSession(s.db.QueryRowContext(ctx, s.q[qSession], selector, s.timeArg(at)), &sess)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, store.ErrNotFound
	}
	if err != nil {
		return store.Session{}, s.fail(ctx, "Session", err)
	}
	return sess, nil
}

var _ store.SessionAccounts = (*Store)(nil)

// SessionAccount implements [store.SessionAccounts] with one SELECT, by
// its primary key, of the session's row, which it returns if the session
// is live at time at: the row keeps a copy of the account's, which the
// triggers of migrations/*/0013_session_account.sql rewrite in every
// transaction that writes the account, so it is never older than the
// last committed account write. One round trip and one row, read at one
// moment.
func (s *Store) SessionAccount(ctx context.Context, selector string, at time.Time) (store.Session, store.Account, error) {
	if !s.text(selector) {
		return store.Session{}, store.Account{}, store.ErrNotFound // never stored
	}
	var (
		sess          store.Session
		acct          store.Account
		data, profile sql.NullString
	)
	err := s.sessionAccountRow(ctx, selector).Scan(
		&sess.Selector, &sess.AccountID, &sess.Realm, &sess.Hash, &sess.Stamp, &sess.ClientAddr, &sess.UserAgent,
		utcTime{&sess.CreatedAt}, utcTime{&sess.LastSeenAt}, utcTime{&sess.IdleUntil}, utcTime{&sess.ExpiresAt}, &data, utcTime{&sess.VerifiedAt},
		&acct.Realm, &acct.Username, &acct.DisplayUsername, &acct.Email, &acct.Phone,
		&acct.State, &acct.SecurityStamp, &profile, utcTime{&acct.CreatedAt}, utcTime{&acct.UpdatedAt})
	// Live at at, as the queries of the other reads decide it: both
	// times after at, to the microsecond the store keeps.
	if err == nil && (!sess.IdleUntil.After(s.storedTime(at)) || !sess.ExpiresAt.After(s.storedTime(at))) {
		err = sql.ErrNoRows
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.Session{}, store.Account{}, store.ErrNotFound
	}
	acct.ID = sess.AccountID
	if err == nil {
		err = unmarshalMap(data, &sess.Data, "data of session", sess.Selector)
	}
	if err == nil {
		err = unmarshalMap(profile, &acct.Profile, "profile of account", acct.ID)
	}
	if err != nil {
		return store.Session{}, store.Account{}, s.fail(ctx, "SessionAccount", err)
	}
	return sess, acct, nil
}

// sessionAccountRow runs qSessionAccount. On SQLite it runs it as a
// statement prepared once per Store (on each connection it meets, until
// the connection closes): SQLite parses its two dozen columns in more
// time than it takes to run it, and database/sql would have it parsed
// anew on every call. When preparing fails, it runs the query as it is,
// which reports the trouble if it lasts, and prepares again next time.
// On PostgreSQL, where pgx keeps prepared statements of its own, it runs
// the query as it is.
func (s *Store) sessionAccountRow(ctx context.Context, selector string) *sql.Row {
	if s.dialect != SQLite {
		return s.db.QueryRowContext(ctx, s.q[qSessionAccount], selector)
	}
	stmt := s.sessionAccount.Load()
	if stmt == nil {
		s.prepare.Lock()
		if stmt = s.sessionAccount.Load(); stmt == nil {
			if p, err := s.db.pool.PrepareContext(ctx, s.q[qSessionAccount]); err == nil {
				s.sessionAccount.Store(p)
				stmt = p
			}
		}
		s.prepare.Unlock()
		if stmt == nil {
			return s.db.QueryRowContext(ctx, s.q[qSessionAccount], selector)
		}
	}
	return stmt.QueryRowContext(ctx, selector)
}

// unmarshalMap decodes the JSON object v into m, leaving m nil when v is
// NULL or empty, as scanSession and scanAccount do.
func unmarshalMap(v sql.NullString, m *map[string]string, what, id string) error {
	if !v.Valid {
		return nil
	}
	if err := json.Unmarshal([]byte(v.String), m); err != nil {
		return fmt.Errorf("%s %q: %w", what, id, err)
	}
	if len(*m) == 0 {
		*m = nil
	}
	return nil
}

// TouchSession implements [store.Sessions] with one UPDATE, conditional
// on the session being live at seen, that sets last_seen_at to the later
// of its value and seen, and idle_until to the later of its value and
// idleUntil but no later than expires_at. The database computes both from
// the row it has locked, so concurrent touches never move either back.
func (s *Store) TouchSession(ctx context.Context, selector string, seen, idleUntil time.Time) error {
	if !s.text(selector) {
		return store.ErrNotFound // never stored
	}
	q := qTouchSession
	if s.dialect == SQLite {
		q = qTouchSessionSQLite
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[q], selector, s.timeArg(seen), s.timeArg(idleUntil)))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "TouchSession", err)
}

// VerifySession implements [store.Sessions] with one UPDATE, conditional
// on the session being live at at, that sets verified_at to the later of
// its value and at, computed from the locked row as TouchSession's times
// are.
func (s *Store) VerifySession(ctx context.Context, selector string, at time.Time) error {
	if !s.text(selector) {
		return store.ErrNotFound // never stored
	}
	q := qVerifySession
	if s.dialect == SQLite {
		q = qVerifySessionSQLite
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[q], selector, s.timeArg(at)))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "VerifySession", err)
}

// Sessions implements [store.Sessions] with one SELECT of the account's
// sessions live at time at.
func (s *Store) Sessions(ctx context.Context, accountID string, at time.Time) ([]store.Session, error) {
	ss := []store.Session{}
	if !s.text(accountID) {
		return ss, nil // never stored
	}
	rows, err := s.db.QueryContext(ctx, s.q[qSessions], accountID, s.timeArg(at))
	if err != nil {
		return nil, s.fail(ctx, "Sessions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var sess store.Session
		if err := scanSession(rows, &sess); err != nil {
			return nil, s.fail(ctx, "Sessions", err)
		}
		ss = append(ss, sess)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "Sessions", err)
	}
	// The most recently seen first, as memstore orders them; in Go, so
	// that selectors compare byte by byte whatever the collation.
	slices.SortFunc(ss, func(a, b store.Session) int {
		return cmp.Or(b.LastSeenAt.Compare(a.LastSeenAt), strings.Compare(a.Selector, b.Selector))
	})
	return ss, nil
}

// DeleteSession implements [store.Sessions] with one DELETE.
func (s *Store) DeleteSession(ctx context.Context, accountID, selector string) error {
	if !s.text(accountID, selector) {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qDeleteSession], accountID, selector))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "DeleteSession", err)
}

// DeleteSessions implements [store.Sessions] with one DELETE, and counts
// the rows it deleted.
func (s *Store) DeleteSessions(ctx context.Context, accountID, except string) (int, error) {
	if !s.text(accountID) {
		return 0, nil // never stored
	}
	if !s.text(except) {
		except = "" // no stored selector is except
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qDeleteSessions], accountID, except))
	if err != nil {
		return 0, s.fail(ctx, "DeleteSessions", err)
	}
	return int(n), nil
}

// PruneSessions deletes the sessions that are no longer live at time at,
// and returns how many it deleted. Such sessions are never read, and
// CreateSession deletes an account's own when it begins another, so
// pruning only returns the space of sessions no one came back to: a host
// runs it now and then, say hourly with PruneAttempts. It scans the
// table: no index covers the times TouchSession writes.
func (s *Store) PruneSessions(ctx context.Context, at time.Time) (int64, error) {
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qPruneSessions], s.timeArg(at)))
	if err != nil {
		return 0, s.fail(ctx, "PruneSessions", err)
	}
	return n, nil
}

// scanSession scans a row of sessionColumns.
func scanSession(row interface{ Scan(...any) error }, sess *store.Session) error {
	var data sql.NullString
	err := row.Scan(&sess.Selector, &sess.AccountID, &sess.Realm, &sess.Hash, &sess.Stamp, &sess.ClientAddr, &sess.UserAgent,
		utcTime{&sess.CreatedAt}, utcTime{&sess.LastSeenAt}, utcTime{&sess.IdleUntil}, utcTime{&sess.ExpiresAt}, &data, utcTime{&sess.VerifiedAt})
	if err != nil {
		return err
	}
	if data.Valid {
		if err := json.Unmarshal([]byte(data.String), &sess.Data); err != nil {
			return fmt.Errorf("data of session %q: %w", sess.Selector, err)
		}
		if len(sess.Data) == 0 {
			sess.Data = nil
		}
	}
	return nil
}

// mapJSON returns m as a JSON object, or nil (NULL) when it is empty. A
// key or value that is not UTF-8 is store.ErrInvalid: JSON would replace
// its bytes.
func mapJSON(m map[string]string) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	for k, v := range m {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("not UTF-8, which JSON cannot hold: %w", store.ErrInvalid)
		}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"time"
	"unicode/utf8"

	"github.com/masuk-id/masuk/store"
)

// The tokens' table is <prefix>tokens, one row per token, with a unique
// index on (account_id, purpose, binding): an account holds at most one
// token per purpose and binding, and a new one takes the old one's row.
// See migrations/*/0005_factors_tokens.sql and
// migrations/*/0008_token_bindings_event_time.sql. AttemptToken is an
// UPDATE ... RETURNING conditional on attempts left and expiry,
// ConsumeToken a DELETE conditional on the hash, each one statement whose
// outcome the database decides on the row as it is when it locks it;
// IssueToken is one short transaction.

// IssueToken implements [store.Tokens] in one transaction that serializes
// the issue of the account's tokens of t.Purpose (on PostgreSQL by a
// transaction-scoped advisory lock keyed by the account and purpose, as
// tokens have no row to lock before the first is issued; on SQLite by the
// database's write lock, which its first statement takes). It deletes the
// purpose's tokens expired at t.IssuedAt, then stores t with one INSERT
// ... ON CONFLICT (account_id, purpose, binding) DO UPDATE, which voids
// the account's token of the purpose and binding by writing the new one
// over it. With a cooldown the update is conditional on the old token
// being dead at t.IssuedAt or issued at least cooldown before; when it
// writes nothing, the row it locked says until when. Last, one DELETE
// voids the purpose's tokens past [store.MaxTokensPerPurpose], those that
// expire first. Concurrent calls for one account and purpose never keep
// more than the bound, and of concurrent issuers within a cooldown
// exactly one writes.
//
// Data is stored as a JSON object; empty Data reads back nil. A key or
// value that is not UTF-8 is ErrInvalid, as JSON cannot hold it.
func (s *Store) IssueToken(ctx context.Context, t store.Token, cooldown time.Duration) error {
	if err := store.CheckToken(t); err != nil {
		return err
	}
	if !s.text(t.Selector, t.AccountID, t.Purpose, t.Binding) {
		return fmt.Errorf("sqlstore: token field is not UTF-8 without NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	var data any // NULL
	if len(t.Data) > 0 {
		for k, v := range t.Data {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return fmt.Errorf("sqlstore: token data is not UTF-8, which JSON cannot hold: %w", store.ErrInvalid)
			}
		}
		b, err := json.Marshal(t.Data)
		if err != nil {
			return s.fail(ctx, "IssueToken", err)
		}
		data = string(b)
	}
	issuedAt := s.timeArg(t.IssuedAt)
	issue, args := qIssueToken, []any{t.Selector, t.AccountID, t.Purpose, t.Binding, t.Hash, data, t.MaxAttempts, issuedAt, s.timeArg(t.ExpiresAt)}
	if cooldown > 0 {
		// The token that refuses was issued after since, to the
		// microsecond, as the database compares it.
		issue, args = qIssueTokenCooldown, append(args, s.timeArg(t.IssuedAt.Add(-cooldown).Truncate(time.Microsecond)))
	}
	evict := qEvictTokens
	if s.dialect == SQLite {
		evict = qEvictTokensSQLite
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, s.q[qAdvisoryLock], s.tokenLockKey(t.AccountID, t.Purpose)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q[qDeleteExpiredTokensOfPurpose], t.AccountID, t.Purpose, issuedAt); err != nil {
			return err
		}
		n, err := rowsAffected(tx.ExecContext(ctx, s.q[issue], args...))
		if err != nil {
			return err
		}
		if n == 0 {
			var issued time.Time
			if err := tx.QueryRowContext(ctx, s.q[qTokenIssued], t.AccountID, t.Purpose, t.Binding).Scan(utcTime{&issued}); err != nil {
				return err
			}
			return &store.CooldownError{Until: issued.Add(cooldown)}
		}
		_, err = tx.ExecContext(ctx, s.q[evict], t.AccountID, t.Purpose, t.Selector, store.MaxTokensPerPurpose-1)
		return err
	})
	return s.fail(ctx, "IssueToken", err)
}

// tokenLockKey is the PostgreSQL advisory lock that serializes the issue
// of the account's tokens of the purpose in this schema and prefix. Two
// whose keys collide only wait for each other.
func (s *Store) tokenLockKey(accountID, purpose string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/masuk-id/masuk/store/sqlstore tokens " + s.schema + "." + s.prefix + "\x00" + accountID + "\x00" + purpose))
	return int64(h.Sum64())
}

// AttemptToken implements [store.Tokens] with one UPDATE ... RETURNING
// that charges the attempt only if the token is live at time at and has
// attempts left: concurrent attempts serialize on the row, and never more
// than MaxAttempts are charged. When it finds no such token, one DELETE
// removes the token if it has expired; a token that has only run out of
// attempts stays, for the caller charged its last attempt to consume.
func (s *Store) AttemptToken(ctx context.Context, k store.TokenKey, at time.Time) (store.Token, error) {
	if err := store.CheckTokenKey(k); err != nil {
		return store.Token{}, err
	}
	attempt, expired, args := qAttemptToken, qDeleteExpiredToken, []any{k.Selector, s.timeArg(at)}
	if k.Selector == "" {
		attempt, expired, args = qAttemptTokenByPurpose, qDeleteExpiredTokenByPurpose, []any{k.AccountID, k.Purpose, k.Binding, s.timeArg(at)}
	}
	if !s.text(k.Selector) || k.Selector == "" && !s.text(k.AccountID, k.Purpose, k.Binding) {
		return store.Token{}, store.ErrNotFound // never stored
	}
	t, err := scanToken(s.db.QueryRowContext(ctx, s.q[attempt], args...))
	if errors.Is(err, sql.ErrNoRows) {
		if _, err = s.db.ExecContext(ctx, s.q[expired], args...); err == nil {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		return store.Token{}, s.fail(ctx, "AttemptToken", err)
	}
	return t, nil
}

// ConsumeToken implements [store.Tokens] with one DELETE of the token
// with the selector and the hash: of concurrent calls, the database lets
// exactly one delete it.
func (s *Store) ConsumeToken(ctx context.Context, selector string, hash []byte) error {
	if !s.text(selector) || len(hash) == 0 {
		return store.ErrNotFound // never stored
	}
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qConsumeToken], selector, hash))
	if err == nil && n == 0 {
		err = store.ErrNotFound
	}
	return s.fail(ctx, "ConsumeToken", err)
}

// VoidTokens implements [store.Tokens] with one DELETE.
func (s *Store) VoidTokens(ctx context.Context, accountID string, purposes ...string) error {
	if !s.text(accountID) {
		return nil // never stored
	}
	args := []any{accountID}
	q := s.q[qVoidTokens]
	if len(purposes) > 0 {
		for _, p := range purposes {
			if s.text(p) {
				args = append(args, p)
			}
		}
		if len(args) == 1 {
			return nil // none ever stored
		}
		q += s.render(` AND purpose IN (` + params(2, len(args)-1) + `)`)
	}
	_, err := s.db.ExecContext(ctx, q, args...)
	return s.fail(ctx, "VoidTokens", err)
}

// PruneTokens deletes the tokens that have expired by time at, and
// returns how many it deleted. Expired tokens are never read, and
// AttemptToken deletes those it finds, so pruning only returns the space
// of tokens no one came back for: a host runs it now and then, say hourly
// with PruneAttempts.
func (s *Store) PruneTokens(ctx context.Context, at time.Time) (int64, error) {
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qPruneTokens], s.timeArg(at)))
	if err != nil {
		return 0, s.fail(ctx, "PruneTokens", err)
	}
	return n, nil
}

// scanToken scans a row of tokenColumns.
func scanToken(row *sql.Row) (store.Token, error) {
	var t store.Token
	var data sql.NullString
	err := row.Scan(&t.Selector, &t.AccountID, &t.Purpose, &t.Binding, &t.Hash, &data, &t.Attempts, &t.MaxAttempts,
		utcTime{&t.IssuedAt}, utcTime{&t.ExpiresAt})
	if err != nil {
		return store.Token{}, err
	}
	if data.Valid {
		if err := json.Unmarshal([]byte(data.String), &t.Data); err != nil {
			return store.Token{}, fmt.Errorf("data of token %q: %w", t.Selector, err)
		}
	}
	return t, nil
}

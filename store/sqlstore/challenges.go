package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masuk-id/masuk/store"
)

// The captcha challenges' table is <prefix>challenges, one row per
// challenge; see migrations/*/0004_challenges.sql. Each method is one
// statement: TakeChallenge is a DELETE ... RETURNING, so that of any
// number of takes of one challenge the database lets exactly one delete
// it.

// CreateChallenge implements [store.Challenges] with one INSERT. An empty
// image, audio map or WAV is stored as none, and reads back nil.
//
// Unless Config.MaxChallenges is negative, the INSERT inserts only while
// the table holds fewer rows than that. When it is full, CreateChallenge
// deletes the challenges expired at c.IssuedAt and tries once more. On
// SQLite the bound is exact; on PostgreSQL concurrent calls may each see
// room for one more, so the table can exceed it by as many calls as run
// at once.
func (s *Store) CreateChallenge(ctx context.Context, c store.Challenge) error {
	if err := store.CheckChallenge(c); err != nil {
		return err
	}
	if s.dialect == Postgres && (!pgText(c.ID) || !pgText(c.Flow)) {
		return fmt.Errorf("sqlstore: challenge id or flow is not UTF-8 without NUL, which PostgreSQL's text cannot hold: %w", store.ErrInvalid)
	}
	args := []any{c.ID, c.Flow, c.AnswerHash, nil, nil, s.timeArg(c.IssuedAt), s.timeArg(c.ExpiresAt)}
	if len(c.Image) > 0 {
		args[3] = c.Image
	}
	if len(c.Audio) > 0 {
		b, err := json.Marshal(c.Audio) // each WAV in base64
		if err != nil {
			return s.fail(ctx, "CreateChallenge", err)
		}
		args[4] = string(b)
	}
	if s.maxChallenges < 0 {
		_, err := s.db.ExecContext(ctx, s.q[qInsertChallenge], args...)
		return s.fail(ctx, "CreateChallenge", err)
	}
	args = append(args, s.maxChallenges)
	for pruned := false; ; pruned = true {
		n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qInsertChallengeBounded], args...))
		if err != nil {
			return s.fail(ctx, "CreateChallenge", err)
		}
		if n == 1 {
			return nil
		}
		if pruned {
			return store.ErrCapacity
		}
		n, err = rowsAffected(s.db.ExecContext(ctx, s.q[qPruneChallenges], s.timeArg(c.IssuedAt)))
		if err != nil {
			return s.fail(ctx, "CreateChallenge", err)
		}
		if n == 0 {
			return store.ErrCapacity
		}
	}
}

// Challenge implements [store.Challenges] with one SELECT of the
// challenge if it has not expired at time at.
func (s *Store) Challenge(ctx context.Context, id string, at time.Time) (store.Challenge, error) {
	if s.dialect == Postgres && !pgText(id) {
		return store.Challenge{}, store.ErrNotFound // never stored
	}
	c, err := scanChallenge(s.db.QueryRowContext(ctx, s.q[qChallenge], id, s.timeArg(at)))
	if err != nil {
		return store.Challenge{}, s.fail(ctx, "Challenge", err)
	}
	return c, nil
}

// TakeChallenge implements [store.Challenges] with one DELETE ...
// RETURNING: a challenge that has expired at time at is deleted too, and
// not returned.
func (s *Store) TakeChallenge(ctx context.Context, id string, at time.Time) (store.Challenge, error) {
	if s.dialect == Postgres && !pgText(id) {
		return store.Challenge{}, store.ErrNotFound // never stored
	}
	c, err := scanChallenge(s.db.QueryRowContext(ctx, s.q[qTakeChallenge], id))
	if err != nil {
		return store.Challenge{}, s.fail(ctx, "TakeChallenge", err)
	}
	if !at.Before(c.ExpiresAt) {
		return store.Challenge{}, store.ErrNotFound
	}
	return c, nil
}

// PruneChallenges deletes the captcha challenges that have expired by
// time at, and returns how many it deleted. Expired challenges are never
// read, and CreateChallenge deletes them itself when the table is full,
// so pruning only returns their space sooner: a host runs it now and
// then, say every hour, and must if Config.MaxChallenges is negative.
func (s *Store) PruneChallenges(ctx context.Context, at time.Time) (int64, error) {
	n, err := rowsAffected(s.db.ExecContext(ctx, s.q[qPruneChallenges], s.timeArg(at)))
	if err != nil {
		return 0, s.fail(ctx, "PruneChallenges", err)
	}
	return n, nil
}

// scanChallenge scans a row of challengeColumns; no row is
// store.ErrNotFound.
func scanChallenge(row *sql.Row) (store.Challenge, error) {
	var c store.Challenge
	var audio sql.NullString
	err := row.Scan(&c.ID, &c.Flow, &c.AnswerHash, &c.Image, &audio, utcTime{&c.IssuedAt}, utcTime{&c.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return store.Challenge{}, store.ErrNotFound
	}
	if err != nil {
		return store.Challenge{}, err
	}
	if len(c.Image) == 0 {
		c.Image = nil // SQLite's driver reads an empty blob as nil, PostgreSQL's not
	}
	if audio.Valid {
		if err := json.Unmarshal([]byte(audio.String), &c.Audio); err != nil {
			return store.Challenge{}, fmt.Errorf("audio of challenge %q: %w", c.ID, err)
		}
		for lang, wav := range c.Audio {
			if len(wav) == 0 {
				c.Audio[lang] = nil // JSON "", as nil is null
			}
		}
	}
	return c, nil
}

// pgText reports whether PostgreSQL's text can hold v: UTF-8 without NUL.
func pgText(v string) bool {
	return utf8.ValidString(v) && !strings.ContainsRune(v, 0)
}

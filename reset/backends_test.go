package reset_test

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// backends are the stores every behavioural test runs on: memory always,
// SQLite always, Redis and PostgreSQL when testdb's variables name a
// server.
var backends = []struct {
	name string
	open func(t *testing.T) store.Tokens
}{
	{"memstore", func(*testing.T) store.Tokens { return memstore.New() }},
	{"sqlite", func(t *testing.T) store.Tokens {
		return sqlTokens(t, testdb.SQLite(t), sqlstore.Config{Dialect: sqlstore.SQLite})
	}},
	{"postgres", func(t *testing.T) store.Tokens {
		db, schema := testdb.Postgres(t)
		return sqlTokens(t, db, sqlstore.Config{Dialect: sqlstore.Postgres, Schema: schema})
	}},
	{"redis", func(t *testing.T) store.Tokens {
		client, prefix := testdb.Redis(t)
		s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
		require.NoError(t, err)
		return s
	}},
}

// sqlTokens returns a migrated sqlstore on db.
func sqlTokens(t *testing.T, db *sql.DB, cfg sqlstore.Config) store.Tokens {
	t.Helper()
	s, err := sqlstore.New(db, cfg)
	require.NoError(t, err)
	require.NoError(t, s.Migrate(t.Context()))
	return s
}

// eachBackend runs test on every backend, each in a fresh store.
func eachBackend(t *testing.T, test func(t *testing.T, s store.Tokens)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			test(t, b.open(t))
		})
	}
}

// clock is a fake clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

var t0 = time.Date(2026, 3, 17, 8, 30, 0, 0, time.UTC)

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recorder is a store.Tokens that counts the calls it passes on and keeps
// every token it is asked to issue, to show what reaches the store.
type recorder struct {
	store.Tokens
	calls  atomic.Int64
	mu     sync.Mutex
	issued []store.Token
}

func (r *recorder) IssueToken(ctx context.Context, t store.Token, cooldown time.Duration) error {
	r.calls.Add(1)
	r.mu.Lock()
	r.issued = append(r.issued, t)
	r.mu.Unlock()
	return r.Tokens.IssueToken(ctx, t, cooldown)
}

func (r *recorder) AttemptToken(ctx context.Context, k store.TokenKey, at time.Time) (store.Token, error) {
	r.calls.Add(1)
	return r.Tokens.AttemptToken(ctx, k, at)
}

func (r *recorder) ConsumeToken(ctx context.Context, selector string, hash []byte) error {
	r.calls.Add(1)
	return r.Tokens.ConsumeToken(ctx, selector, hash)
}

func (r *recorder) VoidTokens(ctx context.Context, accountID string, purposes ...string) error {
	r.calls.Add(1)
	return r.Tokens.VoidTokens(ctx, accountID, purposes...)
}

// newTokens returns Tokens on s with cfg's settings and a fake clock.
func newTokens(t *testing.T, s store.Tokens, cfg reset.Config) (*reset.Tokens, *clock) {
	t.Helper()
	c := newClock()
	cfg.Store, cfg.Now = s, c.Now
	tk, err := reset.New(cfg)
	require.NoError(t, err)
	return tk, c
}

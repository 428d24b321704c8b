// Package testdb opens the databases masuk's tests run against, each test's
// separate from every other's: a SQLite file in the test's temporary
// directory, a PostgreSQL schema of its own, a Redis key prefix of its own.
// The servers' tests skip, saying how to enable them, unless
// MASUK_TEST_POSTGRES or MASUK_TEST_REDIS names a server:
//
//	export MASUK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	export MASUK_TEST_REDIS=redis://127.0.0.1:6379/0
//
// [RoundRobin] spreads calls over stores that share one database, as over
// the instances of a portal, [BenchmarkFailures] is the one workload
// every backend's benchmark of recorded failures runs, and
// [ChallengeFields] and [ChallengeCapacity] the checks of how a backend
// keeps a challenge's fields and bounds how many it keeps.
//
// It is test support: it fails the test through [testing.TB] instead of
// returning errors, and it imports the drivers.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// The variables that enable the tests that need a server.
const (
	PostgresEnv = "MASUK_TEST_POSTGRES"
	RedisEnv    = "MASUK_TEST_REDIS"
)

// cleanupTimeout bounds the work a cleanup does on a server.
const cleanupTimeout = 10 * time.Second

// SQLite returns a fresh database in a file in t.TempDir(), opened with
// [sqlstore.SQLiteDSN] and closed when the test ends.
func SQLite(t testing.TB) *sql.DB {
	t.Helper()
	return OpenSQLite(t, sqlstore.SQLiteDSN(filepath.Join(t.TempDir(), "masuk.db")))
}

// OpenSQLite opens the SQLite data source name dsn with modernc.org/sqlite
// and closes it when the test ends, for tests that need settings other
// than SQLiteDSN's.
func OpenSQLite(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatalf("testdb: open SQLite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Postgres returns a connection pool to the server MASUK_TEST_POSTGRES
// names and a schema of the test's own, which it creates empty and drops,
// with everything in it, when the test ends; it skips the test when the
// variable is not set. The pool is closed when the test ends, and may be
// closed earlier by the test.
func Postgres(t testing.TB) (db *sql.DB, schema string) {
	t.Helper()
	url := os.Getenv(PostgresEnv)
	if url == "" {
		t.Skipf("PostgreSQL tests are off: set %s, e.g. %s=postgres://postgres@127.0.0.1:5432/test?sslmode=disable", PostgresEnv, PostgresEnv)
	}
	// admin creates and drops the schema, so that the test may close db.
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("testdb: open PostgreSQL: %v", err)
	}
	schema = "masuk_test_" + randomHex(6)
	if _, err := admin.ExecContext(context.Background(), `CREATE SCHEMA `+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("testdb: create schema on %s: %v", PostgresEnv, err)
	}
	db, err = sql.Open("pgx", url)
	if err != nil {
		t.Fatalf("testdb: open PostgreSQL: %v", err)
	}
	// Real parallel connections, but not so many that parallel test
	// packages exhaust the server's max_connections.
	db.SetMaxOpenConns(25)
	db.SetMaxIdleConns(25)
	t.Cleanup(func() {
		_ = db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		_, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`)
		_ = admin.Close()
		if err != nil {
			t.Errorf("testdb: drop schema %s: %v", schema, err)
		}
	})
	return db, schema
}

// Redis returns a client of the server MASUK_TEST_REDIS names (a
// redis:// URL) and a key prefix of the test's own, which is a Redis
// Cluster hash tag, "{masuk-test-<random>}:", so that every key under it
// lives in one hash slot. When the test ends it deletes the keys under the
// prefix and closes the client; it skips the test when the variable is not
// set, and fails it when the server does not answer.
func Redis(t testing.TB) (client *redis.Client, prefix string) {
	t.Helper()
	url := os.Getenv(RedisEnv)
	if url == "" {
		t.Skipf("Redis tests are off: set %s, e.g. %s=redis://127.0.0.1:6379/0", RedisEnv, RedisEnv)
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("testdb: %s: %v", RedisEnv, err)
	}
	client = redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		t.Fatalf("testdb: Redis at %s: %v", RedisEnv, err)
	}
	prefix = "{masuk-test-" + randomHex(6) + "}:"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		if err := deleteKeys(ctx, client, prefix); err != nil {
			t.Errorf("testdb: delete the keys under %q: %v", prefix, err)
		}
		_ = client.Close()
	})
	return client, prefix
}

// deleteKeys deletes every key that begins with prefix, with SCAN and DEL,
// a batch at a time.
func deleteKeys(ctx context.Context, client redis.UniversalClient, prefix string) error {
	iter := client.Scan(ctx, 0, globEscaper.Replace(prefix)+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := client.Del(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return client.Del(ctx, batch...).Err()
	}
	return nil
}

// globEscaper escapes the characters a SCAN MATCH pattern gives meaning to.
var globEscaper = strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// RoundRobin returns a store.Attempts that sends each call to the next of
// stores in turn, as the instances of a portal behind a load balancer
// share one database: run storetest on it, and every clause, the
// concurrent ones included, runs across the instances.
func RoundRobin(stores ...store.Attempts) store.Attempts {
	return &roundRobin{stores: stores}
}

type roundRobin struct {
	stores []store.Attempts
	next   atomic.Uint64
}

func (r *roundRobin) pick() store.Attempts {
	return r.stores[(r.next.Add(1)-1)%uint64(len(r.stores))]
}

func (r *roundRobin) TakeAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) (store.Take, error) {
	return r.pick().TakeAttempt(ctx, at, keys)
}

func (r *roundRobin) FailAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) ([]store.Counter, error) {
	return r.pick().FailAttempt(ctx, at, keys)
}

func (r *roundRobin) ReleaseAttempts(ctx context.Context, at time.Time, keys []store.AttemptKey) error {
	return r.pick().ReleaseAttempts(ctx, at, keys)
}

func (r *roundRobin) ClearAttempts(ctx context.Context, keys []string) error {
	return r.pick().ClearAttempts(ctx, keys)
}

func (r *roundRobin) Unlock(ctx context.Context, key string) (store.Counter, error) {
	return r.pick().Unlock(ctx, key)
}

func (r *roundRobin) Counter(ctx context.Context, at time.Time, key store.AttemptKey) (store.Counter, error) {
	return r.pick().Counter(ctx, at, key)
}

// BenchmarkFailures measures failed logins recorded per second on s: each
// operation is a TakeAttempt and a FailAttempt on an account's key and
// its client address's, as a login with a wrong password makes, from
// 8×GOMAXPROCS goroutines at once. Unless shared, each goroutine has
// accounts and an address of its own, a new account every five failures
// (its threshold) and a new address every hundred; if shared, every
// goroutine tries one account at a time (threshold 100, then the next),
// so that they contend for it. It reports failures/s.
func BenchmarkFailures(b *testing.B, s store.Attempts, shared bool) {
	account := store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 48 * time.Hour}
	address := account
	address.Threshold = 100
	if shared {
		account = address
	}
	at := time.Now()
	run := randomHex(4) // keys of their own for each run
	var goroutines, next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		g := strconv.FormatInt(goroutines.Add(1), 10)
		ctx := b.Context()
		for i := 0; pb.Next(); i++ {
			acct := "pw|a|" + run + "|" + g + "-" + strconv.Itoa(i/5)
			if shared {
				acct = "pw|a|" + run + "|shared-" + strconv.FormatInt(next.Add(1)/100, 10)
			}
			keys := []store.AttemptKey{
				{Key: acct, Limit: account},
				{Key: "pw|ip|" + run + "|" + g + "-" + strconv.Itoa(i/100), Limit: address},
			}
			t, err := s.TakeAttempt(ctx, at, keys)
			if err == nil && !t.Allowed {
				err = fmt.Errorf("attempt %d of goroutine %s refused: %+v", i, g, t.Counters)
			}
			if err == nil {
				_, err = s.FailAttempt(ctx, at, keys)
			}
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "failures/s")
}

// Challenge returns a valid challenge with an ID of its own, issued at
// issued, that expires after ttl; its image and audio are a few bytes,
// binary ones among them.
func Challenge(issued time.Time, ttl time.Duration) store.Challenge {
	return store.Challenge{
		ID:         "ch-" + randomHex(16),
		Flow:       "login-" + randomHex(4),
		AnswerHash: []byte("0123456789abcdef0123456789abcdef"),
		Image:      []byte("\x89PNG\r\n\x1a\n\x00\xffimage"),
		Audio:      map[string][]byte{"id": []byte("RIFF\x00\xffid"), "en": []byte("RIFF en")},
		IssuedAt:   issued,
		ExpiresAt:  issued.Add(ttl),
	}
}

// ChallengeFields stores challenges whose fields are edge cases in s, and
// checks that Challenge and TakeChallenge return each as sqlstore and
// redisstore keep it: bytes as given, binary included, times to the
// microsecond, and an empty image, audio map or WAV as nil.
func ChallengeFields(t *testing.T, s store.Challenges) {
	t.Helper()
	at := time.Date(2026, 3, 17, 8, 30, 15, 123456000, time.UTC)
	for _, tc := range []struct {
		name   string
		mutate func(c *store.Challenge)
	}{
		{"as issued", func(*store.Challenge) {}},
		{"no image, no audio", func(c *store.Challenge) { c.Image, c.Audio = nil, nil }},
		{"empty image", func(c *store.Challenge) { c.Image = []byte{} }},
		{"empty audio", func(c *store.Challenge) { c.Audio = map[string][]byte{} }},
		{"nil and empty WAV", func(c *store.Challenge) { c.Audio = map[string][]byte{"id": nil, "en": {}} }},
		{"nanoseconds", func(c *store.Challenge) { c.IssuedAt, c.ExpiresAt = c.IssuedAt.Add(999), c.ExpiresAt.Add(999) }},
	} {
		c := Challenge(at, time.Minute)
		tc.mutate(&c)
		want := c
		want.IssuedAt, want.ExpiresAt = c.IssuedAt.Truncate(time.Microsecond), c.ExpiresAt.Truncate(time.Microsecond)
		if len(c.Image) == 0 {
			want.Image = nil
		}
		want.Audio = maps.Clone(c.Audio)
		if len(c.Audio) == 0 {
			want.Audio = nil
		}
		for lang, wav := range want.Audio {
			if len(wav) == 0 {
				want.Audio[lang] = nil
			}
		}
		if err := s.CreateChallenge(t.Context(), c); err != nil {
			t.Fatalf("%s: CreateChallenge: %v", tc.name, err)
		}
		for i, read := range []func(context.Context, string, time.Time) (store.Challenge, error){s.Challenge, s.TakeChallenge} {
			op := []string{"Challenge", "TakeChallenge"}[i]
			got, err := read(t.Context(), c.ID, at)
			if err != nil {
				t.Fatalf("%s: %s: %v", tc.name, op, err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %s:\n got  %#v\n want %#v", tc.name, op, got, want)
			}
		}
	}
}

// ChallengeCapacity runs s, which must keep at most 3 challenges, through
// its bound: full, it refuses a new challenge with store.ErrCapacity until
// one is taken or, by the new one's IssuedAt, expires. It returns the
// first three challenges, issued at t0 with TTLs of 1, 2 and 3 minutes,
// for checks of the backend's own.
func ChallengeCapacity(t *testing.T, s store.Challenges, t0 time.Time) []store.Challenge {
	t.Helper()
	create := func(c store.Challenge, want error, what string) {
		t.Helper()
		if err := s.CreateChallenge(t.Context(), c); !errors.Is(err, want) {
			t.Fatalf("CreateChallenge %s: got error %v, want %v", what, err, want)
		}
	}
	cs := make([]store.Challenge, 3)
	for i := range cs {
		cs[i] = Challenge(t0, time.Duration(i+1)*time.Minute)
		create(cs[i], nil, fmt.Sprint(i+1, " of 3"))
	}
	create(Challenge(t0, time.Minute), store.ErrCapacity, "when full")
	if _, err := s.TakeChallenge(t.Context(), cs[2].ID, t0); err != nil {
		t.Fatalf("TakeChallenge: %v", err)
	}
	create(Challenge(t0, time.Minute), nil, "after a take")
	create(Challenge(t0, time.Minute), store.ErrCapacity, "full again")
	// Issued when the first and the one after the take have expired.
	create(Challenge(t0.Add(time.Minute), time.Minute), nil, "when two have expired")
	create(Challenge(t0, time.Minute), nil, "in the second room")
	create(Challenge(t0, time.Minute), store.ErrCapacity, "full, nothing expired")
	return cs
}

// RoundTrips is a go-redis hook that counts the commands and pipelines a
// client sends: its round trips to Redis. Add it with client.AddHook.
type RoundTrips struct{ N atomic.Int64 }

// DialHook implements redis.Hook.
func (h *RoundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

// ProcessHook implements redis.Hook.
func (h *RoundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.N.Add(1)
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook implements redis.Hook.
func (h *RoundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.N.Add(1)
		return next(ctx, cmds)
	}
}

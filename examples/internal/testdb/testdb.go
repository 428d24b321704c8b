// Package testdb gives the examples' tests a PostgreSQL schema and a Redis
// key prefix of their own on the servers MASUK_TEST_POSTGRES and
// MASUK_TEST_REDIS name, and skips them, saying how to enable them, when
// the variable is not set:
//
//	export MASUK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//	export MASUK_TEST_REDIS=redis://127.0.0.1:6379/0
//
// It is the part of the library's internal/testdb that the examples use,
// copied: the examples are a module of their own, and a module cannot
// import another's internal packages.
//
// It is test support: it fails the test through [testing.TB] instead of
// returning errors, and it imports the drivers.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
	"github.com/redis/go-redis/v9"
)

// The variables that enable the tests that need a server.
const (
	PostgresEnv = "MASUK_TEST_POSTGRES"
	RedisEnv    = "MASUK_TEST_REDIS"
)

// cleanupTimeout bounds the work a cleanup does on a server.
const cleanupTimeout = 10 * time.Second

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

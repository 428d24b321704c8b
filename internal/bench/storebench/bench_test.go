package storebench_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

type backend struct {
	name string
	open func(b *testing.B) store.Store
}

var backends = []backend{
	{"memstore", func(*testing.B) store.Store { return memstore.New() }},
	{"sqlite", func(b *testing.B) store.Store { return migrated(b, sqlstore.SQLite, testdb.SQLite(b), "") }},
	{"postgres", func(b *testing.B) store.Store {
		db, schema := testdb.Postgres(b)
		return migrated(b, sqlstore.Postgres, db, schema)
	}},
}

func migrated(b *testing.B, d sqlstore.Dialect, db *sql.DB, schema string) store.Store {
	b.Helper()
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: d, Schema: schema})
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Migrate(context.Background()); err != nil {
		b.Fatal(err)
	}
	return s
}

type hasher struct {
	name string
	new  func(b *testing.B) auth.Hasher
}

var hashers = []hasher{
	{"test-hash", func(*testing.B) auth.Hasher { return &authtest.Hasher{} }},
	{"argon2id", func(b *testing.B) auth.Hasher {
		h, err := password.New(password.Config{})
		if err != nil {
			b.Fatal(err)
		}
		return h
	}},
}

// clock moves one second per reading, so every attempt opens a fresh
// lockout window and the benchmark measures the store, not a lock.
type clock struct{ n atomic.Int64 }

func (c *clock) now() time.Time {
	return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC).Add(time.Duration(c.n.Add(1)) * time.Second)
}

const pw = "kata sandi untuk pengukuran"

func BenchmarkAuth(b *testing.B) {
	for _, be := range backends {
		for _, h := range hashers {
			b.Run(be.name+"/"+h.name, func(b *testing.B) {
				st := be.open(b)
				c := &clock{}
				rule := lockout.Rule{Threshold: 100, Window: time.Second, Lock: time.Second}
				a, err := auth.New(auth.Config{Store: st, Hasher: h.new(b), Now: c.now,
					Realm: auth.Realm{Lockout: lockout.Policy{Account: rule, Address: rule}}})
				if err != nil {
					b.Fatal(err)
				}
				accounts, logins := a.Accounts(), a.Logins()
				ctx := context.Background()
				client := auth.Request{ClientAddr: "203.0.113.7", UserAgent: "bench"}
				if _, err := accounts.Register(ctx, auth.Registration{Realm: "bench", Username: "pengguna", Password: pw, Request: client}); err != nil {
					b.Fatal(err)
				}
				// Each registration comes from an address of its own: one
				// address may register 20 an hour (Registration.PerAddress),
				// and every registration still takes and charges that budget.
				n := 0
				b.Run("register", func(b *testing.B) {
					for b.Loop() {
						n++
						from := auth.Request{ClientAddr: fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255), UserAgent: "bench"}
						if _, err := accounts.Register(ctx, auth.Registration{Realm: "bench", Username: fmt.Sprintf("user%d", n), Password: pw, Request: from}); err != nil {
							b.Fatal(err)
						}
					}
				})
				login := func(username, password string, want error) func(b *testing.B) {
					return func(b *testing.B) {
						for b.Loop() {
							_, err := logins.Login(ctx, auth.LoginRequest{Realm: "bench", Username: username, Password: password, Request: client})
							if !errors.Is(err, want) {
								b.Fatalf("got %v, want %v", err, want)
							}
						}
					}
				}
				b.Run("login-success", login("pengguna", pw, nil))
				b.Run("login-wrong-password", login("pengguna", "salah", auth.ErrInvalidCredentials))
				b.Run("login-unknown-user", login("tidak-ada", "salah", auth.ErrInvalidCredentials))
			})
		}
	}
}

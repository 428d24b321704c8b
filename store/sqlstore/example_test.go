package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golang-migrate/migrate/v4"
	migratesqlite "github.com/golang-migrate/migrate/v4/database/sqlite"
	"github.com/golang-migrate/migrate/v4/source/iofs"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// A portal on one machine keeps its accounts in a SQLite file: open it with
// the settings SQLiteDSN applies, migrate at startup, and use the store.
func Example() {
	dir, err := os.MkdirTemp("", "portal")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(filepath.Join(dir, "masuk.db")))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		log.Fatal(err)
	}

	now := time.Date(2026, 3, 17, 8, 30, 0, 0, time.UTC)
	nip := store.Account{
		ID:              "acc-1",
		Realm:           "lpse",
		Username:        "198503122010011001",
		DisplayUsername: "19850312 201001 1 001",
		State:           store.StatePendingApproval,
		SecurityStamp:   "stamp-1",
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	cred := store.Credential{AccountID: nip.ID, Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", ChangedAt: now}
	if err := s.CreateAccount(ctx, nip, &cred); err != nil {
		log.Fatal(err)
	}

	// The same NIP registered again in the realm is a conflict.
	again := nip
	again.ID = "acc-2"
	err = s.CreateAccount(ctx, again, nil)
	fmt.Println("second registration:", errors.Is(err, store.ErrConflict))

	// An operator approves the account; a second approval finds it stale.
	fmt.Println("approve:", s.SetAccountState(ctx, nip.ID, store.StatePendingApproval, store.StateActive, now.Add(time.Hour)))
	err = s.SetAccountState(ctx, nip.ID, store.StatePendingApproval, store.StateActive, now.Add(time.Hour))
	fmt.Println("approve again:", errors.Is(err, store.ErrStale))

	a, err := s.AccountByUsername(ctx, "lpse", "198503122010011001")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(a.ID, a.State, a.UpdatedAt)
	// Output:
	// second registration: true
	// approve: <nil>
	// approve again: true
	// acc-1 active 2026-03-17 09:30:00 +0000 UTC
}

// A host whose own migration tool owns the schema writes the steps out
// under their versions and applies them with it.
func ExampleMigrationSQL() {
	ms, err := sqlstore.MigrationSQL(sqlstore.Postgres, "portal_")
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range ms {
		// e.g. os.WriteFile(filepath.Join("db/migrations", name), []byte(m.SQL), 0o644)
		name := fmt.Sprintf("%04d_masuk_%s.sql", m.Version, m.Name)
		fmt.Println(name)
	}
	// Output:
	// 0001_masuk_accounts.sql
	// 0002_masuk_events.sql
	// 0003_masuk_attempts.sql
	// 0004_masuk_challenges.sql
	// 0005_masuk_factors_tokens.sql
	// 0006_masuk_account_profile.sql
	// 0007_masuk_sessions.sql
	// 0008_masuk_token_bindings_event_time.sql
	// 0009_masuk_attempt_leases.sql
	// 0010_masuk_session_verified.sql
	// 0011_masuk_passkeys.sql
	// 0012_masuk_federated_identities.sql
	// 0013_masuk_session_account.sql
}

// A host whose schema golang-migrate owns migrates masuk's tables with it,
// keeping their versions in a table of their own, and checks the
// connection at startup instead of calling Migrate.
func ExampleGolangMigrateFS() {
	dir, err := os.MkdirTemp("", "portal")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(filepath.Join(dir, "masuk.db")))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	fsys, err := sqlstore.GolangMigrateFS(sqlstore.SQLite, "")
	if err != nil {
		log.Fatal(err)
	}
	src, err := iofs.New(fsys, ".")
	if err != nil {
		log.Fatal(err)
	}
	drv, err := migratesqlite.WithInstance(db, &migratesqlite.Config{MigrationsTable: "masuk_schema_versions"})
	if err != nil {
		log.Fatal(err)
	}
	m, err := migrate.NewWithInstance("iofs", src, "sqlite", drv)
	if err != nil {
		log.Fatal(err)
	}
	if err := m.Up(); err != nil && !errors.Is(err, migrate.ErrNoChange) {
		log.Fatal(err)
	}
	version, dirty, err := m.Version()
	fmt.Println("version:", version, "dirty:", dirty, err)

	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("check:", s.Check(context.Background()))
	// Output:
	// version: 13 dirty: false <nil>
	// check: <nil>
}

// GooseFS lays each step out as one file that goose reads, the step and
// its revert under goose's annotations. A host hands it to
//
//	goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithTableName("masuk_goose_db_version"))
func ExampleGooseFS() {
	fsys, err := sqlstore.GooseFS(sqlstore.Postgres, "")
	if err != nil {
		log.Fatal(err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(names[0], "...", names[len(names)-1])
	b, err := fs.ReadFile(fsys, names[0])
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "-- +goose") || strings.HasPrefix(line, "DROP") {
			fmt.Println(line)
		}
	}
	// Output:
	// 0001_accounts.sql ... 0013_session_account.sql
	// -- +goose Up
	// -- +goose StatementBegin
	// -- +goose StatementEnd
	// -- +goose Down
	// -- +goose StatementBegin
	// DROP TABLE masuk_credentials;
	// DROP TABLE masuk_accounts;
	// -- +goose StatementEnd
}

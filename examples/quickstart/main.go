// Command quickstart walks through masuk's basic flow: it registers an
// account, refuses a weak password, fails a login, succeeds at one, locks
// the account after five wrong passwords, has an operator unlock it, and
// prints the activity log that every attempt left behind.
//
//	cd examples
//	go run ./quickstart                 # in memory
//	go run ./quickstart -db masuk.db    # in a SQLite file: run it twice
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

func main() {
	lang := flag.String("lang", "en", `language of the messages to the person: "id" or "en"`)
	dbPath := flag.String("db", "", "keep accounts and the log in this SQLite file (default: in memory)")
	flag.Parse()
	ctx := context.Background()
	var st store.Store = memstore.New()
	if *dbPath != "" {
		s, closeDB, err := openSQLite(ctx, *dbPath)
		if err != nil {
			log.Fatal(err)
		}
		defer closeDB()
		st = s
	}
	if err := run(ctx, os.Stdout, st, *lang); err != nil {
		log.Fatal(err)
	}
}

// openSQLite opens (creating if need be) and migrates a SQLite database.
func openSQLite(ctx context.Context, path string) (*sqlstore.Store, func(), error) {
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(path))
	if err != nil {
		return nil, nil, err
	}
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	if err == nil {
		err = s.Migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return s, func() { db.Close() }, nil
}

func run(ctx context.Context, w io.Writer, st store.Store, lang string) error {
	a, err := auth.New(auth.Config{Store: st})
	if err != nil {
		return err
	}
	// The Authenticator hands out a service per concern.
	accounts, logins := a.Accounts(), a.Logins()
	const realm = "lpse"
	client := auth.Request{ClientAddr: "203.0.113.7", UserAgent: "quickstart"}
	fmt.Fprintf(w, "masuk quickstart, realm %q\n\n", realm)

	fmt.Fprintln(w, `1. Register "Budi.Santoso" with the password "password123"`)
	_, err = accounts.Register(ctx, auth.Registration{Realm: realm, Username: "Budi.Santoso", Email: "budi@example.id", Password: "password123", Request: client})
	var pe *password.PolicyError
	if !errors.As(err, &pe) {
		return fmt.Errorf("a common password was not refused: %v", err)
	}
	for _, v := range pe.Violations {
		fmt.Fprintf(w, "   refused: %s\n", v.Message(lang))
	}

	const pw = "nasi uduk betawi pagi"
	fmt.Fprintf(w, "\n2. Register again with %q\n", pw)
	reg, err := accounts.Register(ctx, auth.Registration{Realm: realm, Username: "Budi.Santoso", Email: "budi@example.id", Password: pw, Request: client})
	switch {
	case errors.Is(err, auth.ErrAccountExists):
		fmt.Fprintln(w, "   already registered, by an earlier run on this database")
	case err != nil:
		return err
	default:
		acct := reg.Account
		fmt.Fprintf(w, "   ok: account %s…, stored as %q, shown as %q\n", acct.ID[:8], acct.Username, acct.DisplayUsername)
	}

	attempts := []struct{ what, username, password string }{
		{"the wrong password", "budi.santoso", "nasi goreng"},
		{"a username nobody has", "siti", pw},
		{"the right password, typed as BUDI.SANTOSO", "BUDI.SANTOSO", pw},
	}
	for i, at := range attempts {
		fmt.Fprintf(w, "\n%d. Log in with %s\n", i+3, at.what)
		res, err := logins.Login(ctx, auth.LoginRequest{Realm: realm, Username: at.username, Password: at.password, Request: client})
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
			// The same answer for both: what Classify tells the person.
			o := auth.Classify(err)
			fmt.Fprintf(w, "   refused (%s): %s\n", o.Code, o.Message(lang))
		case err != nil:
			return err
		default:
			fmt.Fprintf(w, "   welcome, %s\n", res.Account.DisplayUsername)
		}
	}

	fmt.Fprintln(w, "\n6. Someone else tries five wrong passwords, then Budi types the right one")
	intruder := auth.Request{ClientAddr: "198.51.100.23", UserAgent: "curl/8.5"}
	for range 5 {
		if _, err := logins.Login(ctx, auth.LoginRequest{Realm: realm, Username: "budi.santoso", Password: "tebak-tebakan", Request: intruder}); !errors.Is(err, auth.ErrInvalidCredentials) {
			return fmt.Errorf("a wrong password: %v", err)
		}
	}
	_, err = logins.Login(ctx, auth.LoginRequest{Realm: realm, Username: "budi.santoso", Password: pw, Request: client})
	var le *lockout.LockedError
	if !errors.As(err, &le) {
		return fmt.Errorf("the account did not lock: %v", err)
	}
	fmt.Fprintf(w, "   refused before any hash: locked for %v more (%s)\n", le.RetryAfter(time.Now()).Round(time.Minute), le.Scope)

	fmt.Fprintln(w, "\n7. The helpdesk unlocks the account, and Budi logs in")
	// An operator acts under its own name, within the realms it looks after.
	op, err := a.Operator(auth.OperatorIdentity{Name: "helpdesk-1", Realms: []string{realm}})
	if err != nil {
		return err
	}
	if _, err := op.Unlock(ctx, auth.UnlockRequest{Realm: realm, Username: "budi.santoso", Reason: "owner called"}); err != nil {
		return err
	}
	if _, err := logins.Login(ctx, auth.LoginRequest{Realm: realm, Username: "budi.santoso", Password: pw, Request: client}); err != nil {
		return err
	}
	fmt.Fprintln(w, "   welcome back")

	fmt.Fprintln(w, "\n8. The activity log, newest first (the reason is for operators only):")
	events, err := st.ListEvents(ctx, store.EventQuery{Realm: realm, Limit: 12})
	if err != nil {
		return err
	}
	for _, e := range events {
		fmt.Fprintf(w, "   #%-3d %-18s user=%-15s reason=%-15s from %s\n", e.ID, e.Kind, strconv.Quote(e.Username), strconv.Quote(e.Details["reason"]), e.ClientAddr)
	}
	return nil
}

// Command quickstart walks through masuk's basic flow: it registers an
// account, refuses a weak password, fails a login, succeeds at one, and
// prints the activity log that every attempt left behind.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strconv"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

func main() {
	lang := flag.String("lang", "en", `language of the policy messages: "id" or "en"`)
	flag.Parse()
	if err := run(context.Background(), os.Stdout, memstore.New(), *lang); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, st store.Store, lang string) error {
	a, err := auth.New(auth.Config{Store: st})
	if err != nil {
		return err
	}
	const realm = "lpse"
	client := auth.Request{ClientAddr: "203.0.113.7", UserAgent: "quickstart"}
	fmt.Fprintf(w, "masuk quickstart, realm %q\n\n", realm)

	fmt.Fprintln(w, `1. Register "Budi.Santoso" with the password "password123"`)
	_, err = a.Register(ctx, auth.Registration{Realm: realm, Username: "Budi.Santoso", Email: "budi@example.id", Password: "password123", Request: client})
	var pe *password.PolicyError
	if !errors.As(err, &pe) {
		return fmt.Errorf("a common password was not refused: %v", err)
	}
	for _, v := range pe.Violations {
		fmt.Fprintf(w, "   refused: %s\n", v.Message(lang))
	}

	const pw = "nasi uduk betawi pagi"
	fmt.Fprintf(w, "\n2. Register again with %q\n", pw)
	acct, err := a.Register(ctx, auth.Registration{Realm: realm, Username: "Budi.Santoso", Email: "budi@example.id", Password: pw, Request: client})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   ok: account %s…, stored as %q, shown as %q\n", acct.ID[:8], acct.Username, acct.DisplayUsername)

	attempts := []struct{ what, username, password string }{
		{"the wrong password", "budi.santoso", "nasi goreng"},
		{"a username nobody has", "siti", pw},
		{"the right password, typed as BUDI.SANTOSO", "BUDI.SANTOSO", pw},
	}
	for i, at := range attempts {
		fmt.Fprintf(w, "\n%d. Log in with %s\n", i+3, at.what)
		res, err := a.Login(ctx, auth.LoginRequest{Realm: realm, Username: at.username, Password: at.password, Request: client})
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
			fmt.Fprintf(w, "   refused: %v\n", err)
		case err != nil:
			return err
		default:
			fmt.Fprintf(w, "   welcome, %s\n", res.Account.DisplayUsername)
		}
	}

	fmt.Fprintln(w, "\n6. The activity log, newest first (the reason is for operators only):")
	events, err := st.ListEvents(ctx, store.EventQuery{Realm: realm})
	if err != nil {
		return err
	}
	for _, e := range events {
		fmt.Fprintf(w, "   #%d %-18s user=%-15s reason=%-15s from %s\n", e.ID, e.Kind, strconv.Quote(e.Username), strconv.Quote(e.Details["reason"]), e.ClientAddr)
	}
	return nil
}

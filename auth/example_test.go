package auth_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

func Example() {
	ctx := context.Background()
	a, err := auth.New(auth.Config{Store: memstore.New()})
	if err != nil {
		panic(err)
	}
	_, err = a.Accounts().Register(ctx, auth.Registration{Realm: "ppid", Username: "Dewi.Lestari", Password: "teh manis hangat sore"})
	if err != nil {
		panic(err)
	}

	for _, try := range []struct{ username, password string }{
		{"dewi.lestari", "teh tawar"},
		{"nobody", "teh manis hangat sore"},
		{"DEWI.LESTARI", "teh manis hangat sore"},
	} {
		res, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: "ppid", Username: try.username, Password: try.password})
		switch {
		case errors.Is(err, auth.ErrInvalidCredentials):
			fmt.Println("refused:", err)
		case err != nil:
			panic(err)
		default:
			fmt.Println("welcome,", res.Account.DisplayUsername)
		}
	}
	// Output:
	// refused: auth: invalid username or password
	// refused: auth: invalid username or password
	// welcome, Dewi.Lestari
}

// An LPSE-style realm whose usernames are NPWPs: the policy explains every
// rule a password breaks, and a mistyped number says what is wrong with it.
func ExampleAccounts_Register() {
	ctx := context.Background()
	a, err := auth.New(auth.Config{
		Store:  memstore.New(),
		Realms: map[string]auth.Realm{"lpse": {Username: identifiers.NPWP}},
	})
	if err != nil {
		panic(err)
	}
	accounts := a.Accounts()
	_, err = accounts.Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Password: "sandi"})
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		for _, v := range pe.Violations {
			fmt.Println("id:", v.Message("id"))
			fmt.Println("en:", v.Message("en"))
		}
	}
	_, err = accounts.Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.1-091.000", Password: "pecel lele lamongan"})
	var ie *identifiers.Error
	if errors.As(err, &ie) {
		fmt.Println("id:", ie.Message("id"))
	}
	reg, err := accounts.Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Password: "pecel lele lamongan"})
	if err != nil {
		panic(err)
	}
	fmt.Println("account key:", reg.Account.Username)
	// Output:
	// id: Kata sandi minimal 8 karakter.
	// en: Password must be at least 8 characters long.
	// id: Kata sandi ini terlalu umum dan mudah ditebak.
	// en: This password is too common and easy to guess.
	// id: NPWP tidak valid: digit pemeriksa tidak cocok. Periksa kembali nomor yang diisi.
	// account key: 0013121660091000
}

// Every error of the package has a stable code, an HTTP status, the form
// fields it concerns and a message in Indonesian and English, for a page
// or an API that answers it.
func ExampleClassify() {
	ctx := context.Background()
	a, err := auth.New(auth.Config{Store: memstore.New()})
	if err != nil {
		panic(err)
	}
	_, err = a.Accounts().Register(ctx, auth.Registration{Realm: "ppid", Username: "dewi", Password: "pendek"})
	o := auth.Classify(err)
	fmt.Println(o.Code, o.Status, o.Fields)
	fmt.Println("en:", o.Message("en"))

	_, err = a.Logins().Login(ctx, auth.LoginRequest{Realm: "ppid", Username: "dewi", Password: "teh manis hangat sore"})
	o = auth.Classify(err)
	fmt.Println(o.Code, o.Status, o.Fields)
	fmt.Println("id:", o.Message("id"))
	// Output:
	// policy 422 [password]
	// en: The password does not meet the rules: Password must be at least 8 characters long.
	// invalid_credentials 401 [username password]
	// id: Nama pengguna atau kata sandi salah.
}

// tracing is a host's store decorator that counts calls. Embedding
// store.Store, it hides every other role of the store it wraps.
type tracing struct {
	store.Store
	calls int
}

func (t *tracing) AccountByUsername(ctx context.Context, realm, username string) (store.Account, error) {
	t.calls++
	return t.Store.AccountByUsername(ctx, realm, username)
}

// A store decorator cannot switch second factors off: New names the role
// it hides, and the fix is to name the wrapped store's roles.
func ExampleNew_decorator() {
	inner := memstore.New()
	traced := &tracing{Store: inner}
	_, err := auth.New(auth.Config{Store: traced, Attempts: inner})
	fmt.Println(err)

	a, err := auth.New(auth.Config{Store: traced, Attempts: inner, Tokens: inner, Sessions: inner,
		Factors: inner, Recovery: inner, Devices: inner})
	if err != nil {
		panic(err)
	}
	_, err = a.Logins().Login(context.Background(), auth.LoginRequest{Realm: "ppid", Username: "nobody", Password: "teh manis"})
	fmt.Println(err, "after", traced.calls, "traced lookup")
	// Output:
	// auth: invalid configuration: second factors (on unless every realm's SecondFactor.Requirement is SecondFactorOff) need a store for the Factors role: set Config.Factors, or give a Config.Store that implements store.Factors
	// auth: invalid username or password after 1 traced lookup
}

// One Authenticator serves two portals. Config.Realm holds what they
// share; each realm of Config.Realms sets what is its own and takes every
// field it leaves zero from Config.Realm: here MySAPK's NIP usernames and
// resets by code, and LPSE's NPWP usernames and stricter lockout.
func ExampleConfig_realms() {
	ctx := context.Background()
	a, err := auth.New(auth.Config{
		Store: memstore.New(),
		Realm: auth.Realm{
			Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 5}},
		},
		Realms: map[string]auth.Realm{
			"sapk": {Username: identifiers.NIP, Reset: auth.ResetPolicy{Delivery: auth.ByCode}},
			"lpse": {Username: identifiers.NPWP, Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 3}}},
		},
	})
	if err != nil {
		panic(err)
	}
	reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Password: "pecel lele lamongan"})
	if err != nil {
		panic(err)
	}
	fmt.Println("registered", reg.Account.Username)
	for i := range 4 {
		_, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "013121660091000", Password: "tebakan salah"})
		fmt.Println("attempt", i+1, auth.Classify(err).Code)
	}
	_, err = a.Accounts().Register(ctx, auth.Registration{Realm: "ppid", Username: "dewi", Password: "teh manis hangat sore"})
	fmt.Println("ppid:", auth.Classify(err).Code)
	// Output:
	// registered 0013121660091000
	// attempt 1 invalid_credentials
	// attempt 2 invalid_credentials
	// attempt 3 invalid_credentials
	// attempt 4 locked
	// ppid: unknown_realm
}

// An operator acts within its realms, and every action is in the
// account's history with who did it and why.
func ExampleAuthenticator_Operator() {
	ctx := context.Background()
	a, err := auth.New(auth.Config{Store: memstore.New()})
	if err != nil {
		panic(err)
	}
	reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari"})
	if err != nil {
		panic(err)
	}
	// The host checks that the person logged in may act as an operator,
	// and for which realms, before it asks for the service.
	op, err := a.Operator(auth.OperatorIdentity{Name: "helpdesk-7", Realms: []string{"lpse"}})
	if err != nil {
		panic(err)
	}
	err = op.Disable(ctx, auth.OperatorAction{AccountID: reg.Account.ID, Reason: "tiket #1207"})
	fmt.Println("disabled:", err == nil)
	history, err := op.Activity(ctx, auth.ActivityQuery{AccountID: reg.Account.ID})
	if err != nil {
		panic(err)
	}
	fmt.Println(history[0].Kind, history[0].Details["by"], history[0].Details["reason"])

	other, err := a.Operator(auth.OperatorIdentity{Name: "helpdesk-9", Realms: []string{"sapk"}})
	if err != nil {
		panic(err)
	}
	err = other.Enable(ctx, auth.OperatorAction{AccountID: reg.Account.ID})
	fmt.Println(err)
	// Output:
	// disabled: true
	// account.disabled helpdesk-7 tiket #1207
	// auth: account is outside the operator's realms
}

// Each realm keeps its activity log as long as its rules say: here a BPJS
// member portal two years and a partner portal one. A pruning, which the
// Authenticator also runs by itself as events are written, deletes each
// realm's events by its own cutoff, so an event of 500 days goes from
// the partner portal only.
func ExampleRetentionPolicy() {
	ctx := context.Background()
	s := memstore.New()
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	a, err := auth.New(auth.Config{
		Store: s,
		Now:   func() time.Time { return now },
		Realms: map[string]auth.Realm{
			"bpjs":  {Retention: auth.RetentionPolicy{EventsFor: 2 * 365 * 24 * time.Hour}},
			"mitra": {Retention: auth.RetentionPolicy{EventsFor: 365 * 24 * time.Hour}},
		},
	})
	if err != nil {
		panic(err)
	}
	for _, realm := range []string{"bpjs", "mitra"} {
		for _, days := range []int{30, 500, 800} {
			e := store.Event{Kind: "login.succeeded", Realm: realm, Time: now.AddDate(0, 0, -days)}
			if _, err := s.AppendEvent(ctx, e); err != nil {
				panic(err)
			}
		}
	}
	n, err := a.PruneEvents(ctx)
	if err != nil {
		panic(err)
	}
	fmt.Println("pruned", n)
	for _, realm := range []string{"bpjs", "mitra"} {
		evs, err := s.ListEvents(ctx, store.EventQuery{Realm: realm})
		if err != nil {
			panic(err)
		}
		fmt.Println(realm, "keeps", len(evs))
	}
	// Output:
	// pruned 3
	// bpjs keeps 2
	// mitra keeps 1
}

package auth_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

func Example() {
	ctx := context.Background()
	a, err := auth.New(auth.Config{Store: memstore.New()})
	if err != nil {
		panic(err)
	}
	_, err = a.Register(ctx, auth.Registration{Realm: "ppid", Username: "Dewi.Lestari", Password: "teh manis hangat sore"})
	if err != nil {
		panic(err)
	}

	for _, try := range []struct{ username, password string }{
		{"dewi.lestari", "teh tawar"},
		{"nobody", "teh manis hangat sore"},
		{"DEWI.LESTARI", "teh manis hangat sore"},
	} {
		res, err := a.Login(ctx, auth.LoginRequest{Realm: "ppid", Username: try.username, Password: try.password})
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
func ExampleAuthenticator_Register() {
	ctx := context.Background()
	a, err := auth.New(auth.Config{
		Store:  memstore.New(),
		Realms: map[string]auth.Realm{"lpse": {Username: identifiers.NPWP}},
	})
	if err != nil {
		panic(err)
	}
	_, err = a.Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Password: "sandi"})
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		for _, v := range pe.Violations {
			fmt.Println("id:", v.Message("id"))
			fmt.Println("en:", v.Message("en"))
		}
	}
	_, err = a.Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.1-091.000", Password: "pecel lele lamongan"})
	var ie *identifiers.Error
	if errors.As(err, &ie) {
		fmt.Println("id:", ie.Message("id"))
	}
	reg, err := a.Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Password: "pecel lele lamongan"})
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
	_, err = a.Login(context.Background(), auth.LoginRequest{Realm: "ppid", Username: "nobody", Password: "teh manis"})
	fmt.Println(err, "after", traced.calls, "traced lookup")
	// Output:
	// auth: invalid configuration: second factors (on unless SecondFactor.Off) need a store for the Factors role: set Config.Factors, or give a Config.Store that implements store.Factors
	// auth: invalid username or password after 1 traced lookup
}

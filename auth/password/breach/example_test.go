package breach_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/auth/password/breach"
)

// A Policy that refuses passwords found by the range API. Here a local
// server stands in for api.pwnedpasswords.com; leave BaseURL empty to ask
// the real one.
func ExampleClient() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// SHA-1("correcthorsebatterystaple") is BFD36 17727EAB0E800E62A776C76381DEFBC4145:
		// the range BFD36 holds its suffix, with a count, among others;
		// the line with count 0 is padding.
		if r.URL.Path == "/range/BFD36" {
			io.WriteString(w, "17727EAB0E800E62A776C76381DEFBC4145:384\r\n"+
				"1B0E9BD5DCF1D4AD2A7F85A0E7F5B4A2C3D:0\r\n"+
				"F8D3F5AD1A0D2F6E7C2BF0E0A3F0E5C1D2E:12")
		}
	}))
	defer api.Close()

	checker, err := breach.NewClient(breach.ClientConfig{BaseURL: api.URL, FailClosed: true})
	if err != nil {
		log.Fatal(err)
	}
	policy, err := password.NewPolicy(password.PolicyConfig{Breach: checker})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	err = policy.Check(ctx, "correcthorsebatterystaple", password.Context{})
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		fmt.Println(pe.Messages("id")[0])
		fmt.Println(pe.Messages("en")[0])
	}
	fmt.Println(policy.Check(ctx, "kuda laut biru makan pisang", password.Context{}))

	api.Close() // the API goes away: failing closed, nothing is accepted
	err = policy.Check(ctx, "kuda laut biru makan pisang", password.Context{})
	fmt.Println(errors.Is(err, password.ErrBreachUnavailable))
	// Output:
	// Kata sandi ini telah muncul 384 kali dalam kebocoran data.
	// This password has appeared 384 times in data breaches.
	// <nil>
	// true
}

// The downloaded corpus: a directory of range files, 00000.txt to
// FFFFF.txt. This one holds four ranges, enough for the example.
func ExampleDir() {
	checker, err := breach.NewDir(breach.DirConfig{FS: os.DirFS("testdata/ranges")})
	if err != nil {
		log.Fatal(err)
	}
	n, err := checker.Breached(context.Background(), "Qwerty123!")
	fmt.Println(n, err)
	// Output:
	// 52256179 <nil>
}

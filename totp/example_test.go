package totp_test

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/totp"
)

// Checking a code from an authenticator app, with replay protection. The
// variable last stands for the factor's last accepted step in the store,
// which store.Factors.AcceptStep moves forward in one atomic
// compare-and-set.
func ExampleParams_Match() {
	secret := []byte("12345678901234567890") // from NewSecret, opened with Keyring.Open
	now := time.Unix(1234567890, 0)          // time.Now() in a server
	p := totp.Params{}                       // SHA-1, 6 digits, 30 s, skew 1

	var last int64 = 41152262 // the step of the code accepted before
	accept := func(code string) error {
		step, err := p.Match(secret, code, now)
		if err != nil {
			return err
		}
		if step <= last { // AcceptStep in a store, never a read then a write
			return errors.New("replayed")
		}
		last = step
		return nil
	}

	code, _ := p.Code(secret, now) // what the user's app shows
	fmt.Println(code, accept(code))
	fmt.Println(code, accept(code))
	fmt.Println("000000", accept("000000"))
	fmt.Println("12 34 56", accept("12 34 56"))
	// Output:
	// 005924 <nil>
	// 005924 replayed
	// 000000 totp: wrong code
	// 12 34 56 totp: invalid code
}

func ExampleEnrollment() {
	e := totp.Enrollment{
		Issuer:  "LPSE Kemenkeu",
		Account: "budi@example.go.id",
		Secret:  []byte("12345678901234567890"), // from NewSecret
	}
	uri, err := e.URI()
	if err != nil {
		panic(err)
	}
	fmt.Println(uri)
	fmt.Println(e.ManualKey())
	fmt.Println(e) // the secret is never printed
	// Output:
	// otpauth://totp/LPSE%20Kemenkeu:budi%40example.go.id?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=LPSE%20Kemenkeu&algorithm=SHA1&digits=6&period=30
	// GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ
	// {Issuer:LPSE Kemenkeu Account:budi@example.go.id Secret:[redacted] Params:{Algorithm:SHA1 Digits:0 Period:0s Skew:0}}
}

// Sealing a secret for the store, and a key rotation.
func ExampleKeyring() {
	key2025 := bytes.Repeat([]byte{1}, totp.KeySize) // from the host's secret store
	key2026 := bytes.Repeat([]byte{2}, totp.KeySize)
	secret := []byte("12345678901234567890")
	factorID := []byte("factor-7f3a")

	old, _ := totp.NewKeyring("2025", map[string][]byte{"2025": key2025})
	sealed, _ := old.Seal(secret, factorID)

	// The rotation: 2026 is current, 2025 still opens.
	ring, _ := totp.NewKeyring("2026", map[string][]byte{"2025": key2025, "2026": key2026})
	opened, err := ring.Open(sealed, factorID)
	fmt.Println(bytes.Equal(opened, secret), err, ring.NeedsReseal(sealed))
	resealed, _ := ring.Seal(opened, factorID)
	fmt.Println(ring.NeedsReseal(resealed))

	// Another factor's id does not open it.
	_, err = ring.Open(resealed, []byte("factor-0000"))
	fmt.Println(err)
	// Output:
	// true <nil> true
	// false
	// totp: invalid sealed secret: it does not authenticate
}

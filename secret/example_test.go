package secret_test

import (
	"bytes"
	"fmt"

	"github.com/masuk-id/masuk/internal/fakerand"
	"github.com/masuk-id/masuk/secret"
)

// A token for a link or a cookie: sent as text, stored as its selector
// and its hash, checked when it comes back.
func ExampleToken() {
	tok, err := secret.NewToken(fakerand.Repeat(0x2a)) // nil in a server: crypto/rand
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Selector())  // store.Token.Selector
	fmt.Println(tok)             // what the link or cookie carries
	stored := tok.Hash("device") // store.Token.Hash

	back, ok := secret.ParseToken(tok.String())
	fmt.Println(ok, back.Verify(stored, "device"))
	fmt.Println(back.Verify(stored, "session"))
	_, ok = secret.ParseToken("not a token")
	fmt.Println(ok)
	// Output:
	// 2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a
	// 2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a.2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a
	// true <nil>
	// secret: wrong token
	// false
}

// A code sent by email: made, stored hashed, and checked.
func ExampleVerifyCode() {
	src := bytes.NewReader([]byte{0, 0, 0, 0, 0, 0, 0x30, 0x39}) // nil in a server: crypto/rand
	code, _ := secret.NewCode(src, 6)
	hash := secret.HashCode("login", "acct-42", code) // stored with its expiry
	fmt.Println(code)
	fmt.Println(secret.VerifyCode(hash, "login", "acct-42", code))
	fmt.Println(secret.VerifyCode(hash, "reset", "acct-42", code))
	fmt.Println(secret.VerifyCode(hash, "login", "acct-42", "12345"))
	// Output:
	// 012345
	// <nil>
	// secret: wrong code
	// secret: invalid code
}

func ExampleNewRecoveryCodes() {
	src := bytes.NewReader([]byte("a fixed source of randomness, 45 bytes long..")) // nil in a server: crypto/rand
	codes, err := secret.NewRecoveryCodes(src, 3)
	if err != nil {
		panic(err)
	}
	for _, c := range codes {
		fmt.Println(c)
	}
	// Output:
	// C4G6-CTBR-CNJ2-0WVF-ENS6-6S90
	// DXK2-0WK1-DSJ6-YVBE-CNSQ-6B10
	// 6GTJ-0RKS-EHJQ-683C-DXQ6-EBHE
}

func ExampleHashRecoveryCode() {
	stored, _ := secret.HashRecoveryCode("7KQM-2XHD-9RTA-P4WN-CJ10-VY8E") // when the set is made
	typed, _ := secret.HashRecoveryCode("7kqm 2xhd 9rta p4wn cjio vy8e")  // what the user typed
	fmt.Println(bytes.Equal(stored, typed))
	_, err := secret.HashRecoveryCode("7KQM-2XHD")
	fmt.Println(err)
	// Output:
	// true
	// secret: invalid code
}

func ExampleNormalizeRecoveryCode() {
	for _, typed := range []string{
		" 7kqm2xhd 9rta-p4wn cjio vy8e", // case, blanks, I for 1 and O for 0
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8U", // U is no symbol
	} {
		code, ok := secret.NormalizeRecoveryCode(typed)
		fmt.Printf("%q %v\n", code, ok)
	}
	// Output:
	// "7KQM-2XHD-9RTA-P4WN-CJ10-VY8E" true
	// "" false
}

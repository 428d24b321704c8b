package password_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/masuk-id/masuk/auth/password"
)

func ExampleHasher() {
	ctx := context.Background()
	h, err := password.New(password.Config{}) // argon2id, m=19456 KiB, t=2, p=1
	if err != nil {
		log.Fatal(err)
	}

	encoded, err := h.Hash(ctx, "kuda laut biru makan pisang")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(encoded[:30])

	v, err := h.Verify(ctx, "kuda laut biru makan pisang", encoded)
	fmt.Println("match:", err == nil, "needs rehash:", v.NeedsRehash)

	_, err = h.Verify(ctx, "kuda laut biru", encoded)
	fmt.Println("mismatch:", errors.Is(err, password.ErrMismatch))
	// Output:
	// $argon2id$v=19$m=19456,t=2,p=1
	// match: true needs rehash: false
	// mismatch: true
}

// A hash carried over from a PHP portal verifies, and asks to be replaced.
func ExampleHasher_Verify_bcrypt() {
	ctx := context.Background()
	h, err := password.New(password.Config{})
	if err != nil {
		log.Fatal(err)
	}
	stored := "$2y$04$rl99KMlcPjWnLgSGo8ueI.6BUx/vZZkMQxw8LO7VwrqjM02Bosx8q" // PHP password_hash, cost 4
	v, err := h.Verify(ctx, "rahasia123", stored)
	if err != nil {
		log.Fatal(err)
	}
	if v.NeedsRehash {
		upgraded, err := h.Hash(ctx, "rahasia123")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("store", upgraded[:9], "in place of", stored[:4])
	}
	// Output:
	// store $argon2id in place of $2y$
}

// Importing salted SHA-1 digests from an old system, where the salt was
// appended to the password.
func ExampleEncodeLegacy() {
	encoded, err := password.EncodeLegacy(password.LegacySHA1, "s4lt!", password.SaltSuffix,
		"0d341d717cb08c4cca8052e5380588f5d8c6a509")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(encoded)

	h, err := password.New(password.Config{})
	if err != nil {
		log.Fatal(err)
	}
	v, err := h.Verify(context.Background(), "rahasia123", encoded)
	fmt.Println("match:", err == nil, "needs rehash:", v.NeedsRehash)
	// Output:
	// $masuk-sha1$salt=suffix$73346c7421$0d341d717cb08c4cca8052e5380588f5d8c6a509
	// match: true needs rehash: true
}

func ExamplePolicy_Check() {
	ctx := context.Background()
	p, err := password.NewPolicy(password.PolicyConfig{}) // 8 to 256 characters, blocklist, context words
	if err != nil {
		log.Fatal(err)
	}
	c := password.Context{Username: "198503122010011001", Email: "budi.santoso@example.go.id", Realm: "simpeg"}

	fmt.Println(p.Check(ctx, "kuda laut biru makan pisang", c))

	err = p.Check(ctx, "Santoso19850312", c)
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		for _, v := range pe.Violations {
			fmt.Printf("%s: %s / %s\n", v.Rule, v.Message("id"), v.Message("en"))
		}
	}
	fmt.Println(errors.Is(p.Check(ctx, "Sayang123", c), password.ErrPolicy))
	// Output:
	// <nil>
	// context: Kata sandi tidak boleh memuat alamat email Anda. / Password must not contain your email address.
	// context_digits: Kata sandi tidak boleh memuat 6 angka berurutan dari nama pengguna Anda (misalnya tanggal lahir). / Password must not contain 6 consecutive digits of your username (such as a birth date).
	// true
}

func ExamplePolicyError_Error() {
	ctx := context.Background()
	p, err := password.NewPolicy(password.PolicyConfig{MinLength: 12, Composition: password.CompositionMySAPK})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.Check(ctx, "password", password.Context{}))
	// Output:
	// password: does not satisfy the policy: too_short (12), common, needs_upper (1), needs_digit (1)
}

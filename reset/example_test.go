package reset_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/store/memstore"
)

// exampleTokens returns Tokens on a memory store, with a fixed clock and a
// fixed random source so that the examples print the same every time. A
// host leaves Now and Rand nil.
func exampleTokens() *reset.Tokens {
	at := time.Date(2026, 3, 17, 8, 30, 0, 0, time.UTC)
	tokens, err := reset.New(reset.Config{
		Store: memstore.New(),
		Now:   func() time.Time { return at },
		Rand:  rand.NewChaCha8([32]byte{'m', 'a', 's', 'u', 'k'}),
	})
	if err != nil {
		panic(err)
	}
	return tokens
}

// A forgotten-password reset by link: verify, check the new password,
// and only then consume, so that a refused password does not burn the
// link.
func Example() {
	ctx := context.Background()
	tokens := exampleTokens()

	// The person asked for a reset; the host found the account and
	// emails the link.
	sent, err := tokens.IssueLink(ctx, reset.Issue{AccountID: "acct-42", Purpose: "reset"})
	if err != nil {
		panic(err)
	}
	fmt.Println("https://portal.example.go.id/reset?token=" + sent.Token)
	fmt.Println("expires", sent.ExpiresAt.Format(time.DateTime))

	// The person follows it and sends a new password.
	setPassword := func(token, password string) error {
		red, err := tokens.VerifyLink(ctx, "reset", token)
		if err != nil {
			return err // ErrInvalidToken: ask for a new link
		}
		if len(password) < 15 { // the host's policy
			return errors.New("password too short")
		}
		if err := tokens.Consume(ctx, red); err != nil {
			return err // another request used the link first
		}
		fmt.Println("setting the password of", red.AccountID)
		return nil
	}
	fmt.Println("first try:", setPassword(sent.Token, "rahasia"))
	fmt.Println("second try:", setPassword(sent.Token, "kuda-baterai-staples-benar"))
	fmt.Println("link used again:", setPassword(sent.Token, "kuda-baterai-staples-benar"))
	// Output:
	// https://portal.example.go.id/reset?token=384fd76e2a01f892b8e27f252b7d36eb.02784df074025f3c491264a7f46870cd16c4f6b75d2cb452398ff6548f71492a
	// expires 2026-03-17 09:30:00
	// first try: password too short
	// setting the password of acct-42
	// second try: <nil>
	// link used again: reset: invalid or expired token
}

// A code sent by email, redeemed with the account the person names.
func ExampleTokens_IssueCode() {
	ctx := context.Background()
	tokens := exampleTokens()

	sent, err := tokens.IssueCode(ctx, reset.Issue{AccountID: "acct-42", Purpose: "activate", Cooldown: time.Minute})
	if err != nil {
		panic(err)
	}
	fmt.Println("code", sent.Token)

	_, err = tokens.IssueCode(ctx, reset.Issue{AccountID: "acct-42", Purpose: "activate", Cooldown: time.Minute})
	fmt.Println("resend:", err)

	_, err = tokens.RedeemCode(ctx, reset.Key{AccountID: "acct-42", Purpose: "activate"}, "000000")
	fmt.Println("a wrong code:", err)
	_, err = tokens.RedeemCode(ctx, reset.Key{AccountID: "acct-7", Purpose: "activate"}, sent.Token)
	fmt.Println("another account:", err)
	red, err := tokens.RedeemCode(ctx, reset.Key{AccountID: "acct-42", Purpose: "activate"}, sent.Token)
	fmt.Println("the right one:", red.AccountID, red.Purpose, err)
	// Output:
	// code 252882
	// resend: store: cooling down until 2026-03-17T08:31:00Z
	// a wrong code: reset: invalid or expired token
	// another account: reset: invalid or expired token
	// the right one: acct-42 activate <nil>
}

// A token bound to the account's security stamp dies when the password
// changes, whether or not the host voids it.
func ExampleTokens_VerifyLink_securityStamp() {
	ctx := context.Background()
	tokens := exampleTokens()
	stamp := "stamp-1" // the account's security stamp

	sent, err := tokens.IssueLink(ctx, reset.Issue{
		AccountID: "acct-42",
		Purpose:   "email_change",
		Data:      map[string]string{"stamp": stamp, "email": "budi@example.go.id"},
	})
	if err != nil {
		panic(err)
	}

	confirm := func() error {
		red, err := tokens.VerifyLink(ctx, "email_change", sent.Token)
		if err != nil {
			return err
		}
		if red.Data["stamp"] != stamp {
			return reset.ErrInvalidToken
		}
		return tokens.Consume(ctx, red)
	}

	stamp = "stamp-2" // the password changed meanwhile
	fmt.Println(confirm())
	// Output:
	// reset: invalid or expired token
}

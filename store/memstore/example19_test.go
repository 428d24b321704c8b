package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

// A store for tests and single-process programs: an account with its
// credential goes in in one atomic call and is read back by its
// canonical username; a username nobody has is store.ErrNotFound. (Most
// hosts only pass the store to auth.New, which does this for them.)
func ExampleNew() {
	ctx := context.Background()
	s := memstore.New()
	now := time.Date(2026, 3, 17, 8, 30, 0, 0, time.UTC)
	a := store.Account{
		ID:              "acc-1",
		Realm:           "sapk",
		Username:        "198503122010011001",    // the canonical NIP
		DisplayUsername: "19850312 201001 1 001", // as it was typed
		Email:           "pns@example.go.id",
		State:           store.StateActive,
		SecurityStamp:   "stamp-1",
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	cred := store.Credential{AccountID: a.ID, Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", ChangedAt: now}
	if err := s.CreateAccount(ctx, a, &cred); err != nil {
		panic(err)
	}

	got, err := s.AccountByUsername(ctx, "sapk", "198503122010011001")
	if err != nil {
		panic(err)
	}
	fmt.Println(got.ID, got.DisplayUsername, got.State)

	// Usernames are per realm: the same NIP in another realm is nobody.
	_, err = s.AccountByUsername(ctx, "lpse", "198503122010011001")
	fmt.Println(errors.Is(err, store.ErrNotFound))

	// A second account with the username in the realm is a conflict.
	again := a
	again.ID, again.Email = "acc-2", ""
	fmt.Println(errors.Is(s.CreateAccount(ctx, again, nil), store.ErrConflict))
	// Output:
	// acc-1 19850312 201001 1 001 active
	// true
	// true
}

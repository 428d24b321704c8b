package store_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/store"
)

// kvStore is the start of a host's own backend, on a key-value database
// (a map here).
type kvStore struct {
	accounts map[string]store.Account
}

// CreateAccount checks the record before it writes anything: every
// backend then refuses the same records, with the same error, as the
// storetest suite expects.
func (s *kvStore) CreateAccount(ctx context.Context, a store.Account, cred *store.Credential) error {
	if err := store.CheckAccount(a, cred); err != nil {
		return err
	}
	if _, ok := s.accounts[a.ID]; ok {
		return store.ErrConflict
	}
	// ... and the username and email in the realm, the credential, all
	// in one transaction.
	s.accounts[a.ID] = a
	return nil
}

// A backend author calls CheckAccount at the top of CreateAccount; the
// reason it gives is for logs, and callers branch on store.ErrInvalid.
func ExampleCheckAccount() {
	ctx := context.Background()
	s := &kvStore{accounts: map[string]store.Account{}}
	now := time.Date(2026, 3, 17, 8, 30, 0, 0, time.UTC)
	a := store.Account{
		ID:            "acc-1",
		Realm:         "lpse",
		Username:      "0013121660091000",
		State:         store.StatePendingConfirmation,
		SecurityStamp: "stamp-1",
		Profile:       map[string]string{"company": "PT Maju Jaya", "nib": "9120001234567"},
		CreatedAt:     now,
		UpdatedAt:     now,
	}

	err := s.CreateAccount(ctx, a, &store.Credential{AccountID: "acc-2", Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"})
	fmt.Println(errors.Is(err, store.ErrInvalid), err)

	noStamp := a
	noStamp.SecurityStamp = ""
	err = s.CreateAccount(ctx, noStamp, nil)
	fmt.Println(errors.Is(err, store.ErrInvalid), err)

	fmt.Println(s.CreateAccount(ctx, a, &store.Credential{AccountID: a.ID, Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", ChangedAt: now}))
	// Output:
	// true store: invalid record: credential names another account
	// true store: invalid record: account security stamp is empty
	// <nil>
}

package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func credentialClauses() []clause {
	return []clause{
		{"SetAndRead", testSetCredential},
		{"SetUnknownAccount", testSetCredentialUnknown},
		{"SetInvalid", testSetCredentialInvalid},
		{"Swap", testSwapCredential},
		{"SwapStaleWritesNothing", testSwapStale},
		{"UpgradeCannotUndoChange", testUpgradeCannotUndoChange},
		{"ConcurrentSwap", testConcurrentSwap},
		{"AddFirst", testAddCredential},
		{"AddNeverReplaces", testAddCredentialConflict},
		{"AddUnknownAccount", testAddCredentialUnknown},
		{"AddInvalid", testAddCredentialInvalid},
		{"ConcurrentAdd", testConcurrentAdd},
	}
}

type accountsAndCredentials interface {
	store.Accounts
	store.Credentials
}

// withAccount creates an account holding hash and returns it.
func withAccount(t *testing.T, s accountsAndCredentials, hash string) store.Account {
	t.Helper()
	a := account(newID("realm-"), "user")
	noErr(t, s.CreateAccount(ctx(t), a, &store.Credential{AccountID: a.ID, Hash: hash, ChangedAt: at}), "CreateAccount")
	return a
}

func stampOf(t *testing.T, s store.Accounts, id string) string {
	t.Helper()
	a, err := s.AccountByID(ctx(t), id)
	noErr(t, err, "AccountByID")
	return a.SecurityStamp
}

func testSetCredential(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := account(newID("realm-"), "putri")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	c := store.Credential{AccountID: a.ID, Hash: "$argon2id$one", ChangedAt: at.Add(time.Minute)}
	noErr(t, s.SetCredential(ctx(t), c, "stamp-2"), "SetCredential (first)")
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got, c, "credential")
	equal(t, stampOf(t, s, a.ID), "stamp-2", "security stamp")

	c2 := store.Credential{AccountID: a.ID, Hash: "$argon2id$two", ChangedAt: at.Add(time.Hour)}
	noErr(t, s.SetCredential(ctx(t), c2, "stamp-3"), "SetCredential (replace)")
	got, err = s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got, c2, "replaced credential")
	equal(t, stampOf(t, s, a.ID), "stamp-3", "security stamp after replace")
}

func testSetCredentialUnknown(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	id := newID("acc-")
	err := s.SetCredential(ctx(t), store.Credential{AccountID: id, Hash: "$argon2id$x", ChangedAt: at}, "stamp")
	isErr(t, err, store.ErrNotFound, "SetCredential(unknown account)")
	_, err = s.CredentialByAccount(ctx(t), id)
	isErr(t, err, store.ErrNotFound, "CredentialByAccount after failed set")
	err = s.SwapCredential(ctx(t), "$argon2id$x", store.Credential{AccountID: id, Hash: "$argon2id$y", ChangedAt: at}, "")
	isErr(t, err, store.ErrNotFound, "SwapCredential(unknown account)")
}

func testSetCredentialInvalid(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := withAccount(t, s, "$argon2id$orig")
	isErr(t, s.SetCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: "", ChangedAt: at}, "stamp"), store.ErrInvalid, "empty hash")
	isErr(t, s.SetCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: "$argon2id$x", ChangedAt: at}, ""), store.ErrInvalid, "empty stamp")
	isErr(t, s.SwapCredential(ctx(t), "$argon2id$orig", store.Credential{AccountID: a.ID, Hash: "", ChangedAt: at}, ""), store.ErrInvalid, "swap to empty hash")
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got.Hash, "$argon2id$orig", "hash after invalid updates")
	equal(t, stampOf(t, s, a.ID), a.SecurityStamp, "stamp after invalid updates")
}

func testSwapCredential(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := withAccount(t, s, "$2b$10$legacy")
	// An upgrade keeps the stamp and ChangedAt the caller passes.
	up := store.Credential{AccountID: a.ID, Hash: "$argon2id$upgraded", ChangedAt: at}
	noErr(t, s.SwapCredential(ctx(t), "$2b$10$legacy", up, ""), "SwapCredential (upgrade)")
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got, up, "upgraded credential")
	equal(t, stampOf(t, s, a.ID), a.SecurityStamp, "stamp after upgrade")
	// A change rotates the stamp.
	ch := store.Credential{AccountID: a.ID, Hash: "$argon2id$changed", ChangedAt: at.Add(time.Hour)}
	noErr(t, s.SwapCredential(ctx(t), "$argon2id$upgraded", ch, "stamp-new"), "SwapCredential (change)")
	equal(t, stampOf(t, s, a.ID), "stamp-new", "stamp after change")
}

func testSwapStale(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := withAccount(t, s, "$argon2id$current")
	err := s.SwapCredential(ctx(t), "$argon2id$not-current", store.Credential{AccountID: a.ID, Hash: "$argon2id$new", ChangedAt: at}, "stamp-new")
	isErr(t, err, store.ErrStale, "SwapCredential with the wrong old hash")
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got.Hash, "$argon2id$current", "hash after stale swap")
	equal(t, stampOf(t, s, a.ID), a.SecurityStamp, "stamp after stale swap")

	b := account(newID("realm-"), "nocred")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount")
	err = s.SwapCredential(ctx(t), "", store.Credential{AccountID: b.ID, Hash: "$argon2id$new", ChangedAt: at}, "")
	isErr(t, err, store.ErrStale, "SwapCredential on an account without a credential")
}

// testUpgradeCannotUndoChange is the race the closest Go peer lost: a login
// reads the old hash, a reset replaces the password meanwhile, and the
// login's upgrade of the old hash must then fail instead of restoring the
// old password.
func testUpgradeCannotUndoChange(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := withAccount(t, s, "$2y$10$old")
	read, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount (login reads)")
	noErr(t, s.SetCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: "$argon2id$reset", ChangedAt: at}, "stamp-reset"), "SetCredential (reset)")
	err = s.SwapCredential(ctx(t), read.Hash, store.Credential{AccountID: a.ID, Hash: "$argon2id$rehash-of-old", ChangedAt: read.ChangedAt}, "")
	isErr(t, err, store.ErrStale, "upgrade after reset")
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got.Hash, "$argon2id$reset", "hash")
}

// testConcurrentSwap: of many parallel changes from the same old password,
// exactly one wins.
func testConcurrentSwap(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := withAccount(t, s, "$argon2id$start")
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := store.Credential{AccountID: a.ID, Hash: newID("$argon2id$"), ChangedAt: at}
			errs[i] = s.SwapCredential(ctx(t), "$argon2id$start", c, newID("stamp-"))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		isErr(t, err, store.ErrStale, "loser")
	}
	if won != 1 {
		t.Fatalf("%d of %d parallel swaps succeeded, want exactly 1", won, n)
	}
}

// testAddCredential: an account without a credential gets its first one;
// an empty stamp keeps the account's, a given one replaces it.
func testAddCredential(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := account(newID("realm-"), "sari")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	c := store.Credential{AccountID: a.ID, Hash: "$argon2id$first", ChangedAt: at.Add(time.Minute)}
	noErr(t, s.AddCredential(ctx(t), c, ""), "AddCredential")
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got, c, "credential")
	equal(t, stampOf(t, s, a.ID), a.SecurityStamp, "stamp kept")

	b := account(newID("realm-"), "tono")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount")
	noErr(t, s.AddCredential(ctx(t), store.Credential{AccountID: b.ID, Hash: "$argon2id$b", ChangedAt: at}, "stamp-b"), "AddCredential (new stamp)")
	equal(t, stampOf(t, s, b.ID), "stamp-b", "stamp given")
}

// testAddCredentialConflict: an account that has a credential keeps it and
// its stamp; AddCredential is never a way to replace a password.
func testAddCredentialConflict(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := withAccount(t, s, "$argon2id$owner")
	err := s.AddCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: "$argon2id$intruder", ChangedAt: at}, "stamp-intruder")
	isErr(t, err, store.ErrConflict, "AddCredential on an account with a credential")
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got.Hash, "$argon2id$owner", "hash after refused add")
	equal(t, stampOf(t, s, a.ID), a.SecurityStamp, "stamp after refused add")
}

func testAddCredentialUnknown(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	id := newID("acc-")
	isErr(t, s.AddCredential(ctx(t), store.Credential{AccountID: id, Hash: "$argon2id$x", ChangedAt: at}, ""), store.ErrNotFound, "AddCredential(unknown account)")
	isErr(t, s.AddCredential(ctx(t), store.Credential{AccountID: id, Hash: "$argon2id$x", ChangedAt: at}, "stamp"), store.ErrNotFound, "AddCredential(unknown account, stamp)")
	_, err := s.CredentialByAccount(ctx(t), id)
	isErr(t, err, store.ErrNotFound, "CredentialByAccount after failed add")
}

func testAddCredentialInvalid(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := account(newID("realm-"), "wati")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	isErr(t, s.AddCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: "", ChangedAt: at}, ""), store.ErrInvalid, "empty hash")
	_, err := s.CredentialByAccount(ctx(t), a.ID)
	isErr(t, err, store.ErrNotFound, "CredentialByAccount after invalid add")
}

// testConcurrentAdd: of many parallel first passwords, exactly one is
// stored, and it is the winner's.
func testConcurrentAdd(t *testing.T, open Opener) {
	s := as[accountsAndCredentials](t, open)
	a := account(newID("realm-"), "budi")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	const n = 20
	errs := make([]error, n)
	hashes := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		hashes[i] = newID("$argon2id$")
		wg.Go(func() {
			errs[i] = s.AddCredential(ctx(t), store.Credential{AccountID: a.ID, Hash: hashes[i], ChangedAt: at}, "")
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		if err == nil {
			if won >= 0 {
				t.Fatalf("two parallel AddCredential calls succeeded")
			}
			won = i
			continue
		}
		isErr(t, err, store.ErrConflict, "loser")
	}
	if won < 0 {
		t.Fatalf("none of %d parallel AddCredential calls succeeded", n)
	}
	got, err := s.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got.Hash, hashes[won], "the winner's hash")
}

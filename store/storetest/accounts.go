package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func accountClauses() []clause {
	return []clause{
		{"CreateAndRead", testCreateAndRead},
		{"NotFound", testAccountNotFound},
		{"UsernameUniquePerRealm", testUsernameUniquePerRealm},
		{"EmailUniquePerRealm", testEmailUniquePerRealm},
		{"DuplicateID", testDuplicateID},
		{"Invalid", testAccountInvalid},
		{"CreateWithCredential", testCreateWithCredential},
		{"ConflictWritesNothing", testConflictWritesNothing},
		{"ConcurrentRegistration", testConcurrentRegistration},
		{"SetState", testSetState},
		{"ConcurrentSetState", testConcurrentSetState},
		{"Profile", testProfile},
		{"ProfileBounds", testProfileBounds},
		{"SetEmail", testSetEmail},
		{"SetEmailStale", testSetEmailStale},
		{"SetEmailConflict", testSetEmailConflict},
		{"SetEmailNotFound", testSetEmailNotFound},
		{"SetEmailRemove", testSetEmailRemove},
		{"SetEmailInvalid", testSetEmailInvalid},
		{"ConcurrentSetEmail", testConcurrentSetEmail},
		{"DeleteAccount", testDeleteAccount},
		{"DeleteAccountRefused", testDeleteAccountRefused},
		{"ConcurrentDeleteAndConfirm", testConcurrentDeleteAndConfirm},
		{"CanceledContext", testAccountsCanceled},
	}
}

func testCreateAndRead(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "alice")
	a.DisplayUsername = "Alice"
	a.Email = "alice@example.id"
	a.Phone = "+6281234567890"
	a.State = store.StatePendingConfirmation
	a.UpdatedAt = at.Add(time.Second)
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")

	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, a, "AccountByID")
	got, err = s.AccountByUsername(ctx(t), realm, "alice")
	noErr(t, err, "AccountByUsername")
	equal(t, got, a, "AccountByUsername")
	got, err = s.AccountByEmail(ctx(t), realm, "alice@example.id")
	noErr(t, err, "AccountByEmail")
	equal(t, got, a, "AccountByEmail")
	if got.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt is in %v, want UTC", got.CreatedAt.Location())
	}
}

func testAccountNotFound(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "budi")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")

	_, err := s.AccountByID(ctx(t), newID("acc-"))
	isErr(t, err, store.ErrNotFound, "AccountByID(unknown)")
	_, err = s.AccountByUsername(ctx(t), realm, "budi2")
	isErr(t, err, store.ErrNotFound, "AccountByUsername(unknown)")
	_, err = s.AccountByUsername(ctx(t), newID("realm-"), "budi")
	isErr(t, err, store.ErrNotFound, "AccountByUsername(other realm)")
	_, err = s.AccountByEmail(ctx(t), realm, "")
	isErr(t, err, store.ErrNotFound, "AccountByEmail(empty) when an account has no email")
	_, err = s.AccountByEmail(ctx(t), realm, "nobody@example.id")
	isErr(t, err, store.ErrNotFound, "AccountByEmail(unknown)")
}

func testUsernameUniquePerRealm(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	r1, r2 := newID("realm-"), newID("realm-")
	noErr(t, s.CreateAccount(ctx(t), account(r1, "citra"), nil), "first")
	isErr(t, s.CreateAccount(ctx(t), account(r1, "citra"), nil), store.ErrConflict, "same username, same realm")
	noErr(t, s.CreateAccount(ctx(t), account(r2, "citra"), nil), "same username, other realm")
}

func testEmailUniquePerRealm(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	r1, r2 := newID("realm-"), newID("realm-")
	a := account(r1, "dewi")
	a.Email = "dewi@example.id"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "first")
	b := account(r1, "dewi2")
	b.Email = "dewi@example.id"
	isErr(t, s.CreateAccount(ctx(t), b, nil), store.ErrConflict, "same email, same realm")
	c := account(r2, "dewi")
	c.Email = "dewi@example.id"
	noErr(t, s.CreateAccount(ctx(t), c, nil), "same email, other realm")
	// Accounts without an email never conflict with each other.
	noErr(t, s.CreateAccount(ctx(t), account(r1, "eka"), nil), "no email 1")
	noErr(t, s.CreateAccount(ctx(t), account(r1, "fajar"), nil), "no email 2")
}

func testDuplicateID(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "gita")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "first")
	b := account(newID("realm-"), "hadi")
	b.ID = a.ID
	isErr(t, s.CreateAccount(ctx(t), b, nil), store.ErrConflict, "same id")
	_, err := s.AccountByUsername(ctx(t), b.Realm, "hadi")
	isErr(t, err, store.ErrNotFound, "the conflicting account")
}

func testAccountInvalid(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	for name, mutate := range map[string]func(*store.Account, *store.Credential){
		"no id":           func(a *store.Account, _ *store.Credential) { a.ID = "" },
		"no realm":        func(a *store.Account, _ *store.Credential) { a.Realm = "" },
		"no username":     func(a *store.Account, _ *store.Credential) { a.Username = "" },
		"bad state":       func(a *store.Account, _ *store.Credential) { a.State = "frozen" },
		"no stamp":        func(a *store.Account, _ *store.Credential) { a.SecurityStamp = "" },
		"foreign cred":    func(_ *store.Account, c *store.Credential) { c.AccountID = "someone-else" },
		"empty cred hash": func(_ *store.Account, c *store.Credential) { c.Hash = "" },
	} {
		a := account(realm, "ivan")
		c := &store.Credential{AccountID: a.ID, Hash: "$argon2id$x", ChangedAt: at}
		mutate(&a, c)
		isErr(t, s.CreateAccount(ctx(t), a, c), store.ErrInvalid, name)
	}
	_, err := s.AccountByUsername(ctx(t), realm, "ivan")
	isErr(t, err, store.ErrNotFound, "after invalid creates")
}

func testCreateWithCredential(t *testing.T, open Opener) {
	s := open(t)
	accounts := s.(store.Accounts)
	creds, ok := s.(store.Credentials)
	if !ok {
		t.Skipf("%T does not implement store.Credentials", s)
	}
	a := account(newID("realm-"), "joko")
	c := store.Credential{AccountID: a.ID, Hash: "$argon2id$v=19$m=19456,t=2,p=1$abc$def", ChangedAt: at}
	noErr(t, accounts.CreateAccount(ctx(t), a, &c), "CreateAccount")
	got, err := creds.CredentialByAccount(ctx(t), a.ID)
	noErr(t, err, "CredentialByAccount")
	equal(t, got, c, "credential")

	b := account(a.Realm, "kartika")
	noErr(t, accounts.CreateAccount(ctx(t), b, nil), "CreateAccount without credential")
	_, err = creds.CredentialByAccount(ctx(t), b.ID)
	isErr(t, err, store.ErrNotFound, "CredentialByAccount(no credential)")
}

func testConflictWritesNothing(t *testing.T, open Opener) {
	s := open(t)
	accounts := s.(store.Accounts)
	realm := newID("realm-")
	a := account(realm, "lina")
	noErr(t, accounts.CreateAccount(ctx(t), a, nil), "first")
	// The second account conflicts on its username but carries a new email
	// and a credential: neither may be left behind.
	b := account(realm, "lina")
	b.Email = "lina.other@example.id"
	c := store.Credential{AccountID: b.ID, Hash: "$argon2id$x", ChangedAt: at}
	isErr(t, accounts.CreateAccount(ctx(t), b, &c), store.ErrConflict, "conflict")
	_, err := accounts.AccountByEmail(ctx(t), realm, "lina.other@example.id")
	isErr(t, err, store.ErrNotFound, "email of the rejected account")
	if creds, ok := s.(store.Credentials); ok {
		_, err = creds.CredentialByAccount(ctx(t), b.ID)
		isErr(t, err, store.ErrNotFound, "credential of the rejected account")
	}
}

// testConcurrentRegistration is the race every registration form invites:
// the canonical forms of "Alice", "alice" and "ALICE" are one username, and
// of 50 parallel attempts exactly one may win, while the same name in
// another realm is unaffected.
func testConcurrentRegistration(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	r1, r2 := newID("realm-"), newID("realm-")
	typed := []string{"Alice", "alice", "ALICE"}
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a := account(r1, "alice")
			a.DisplayUsername = typed[i%len(typed)]
			errs[i] = s.CreateAccount(ctx(t), a, nil)
		})
	}
	var other error
	wg.Go(func() { other = s.CreateAccount(ctx(t), account(r2, "alice"), nil) })
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		default:
			isErr(t, err, store.ErrConflict, "loser "+typed[i%len(typed)])
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d parallel registrations succeeded, want exactly 1", won, n)
	}
	noErr(t, other, "same username in another realm")
}

func testSetState(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "made")
	a.State = store.StatePendingConfirmation
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")

	later := at.Add(time.Hour)
	noErr(t, s.SetAccountState(ctx(t), a.ID, store.StatePendingConfirmation, store.StatePendingApproval, later), "confirm")
	isErr(t, s.SetAccountState(ctx(t), a.ID, store.StatePendingConfirmation, store.StateActive, later), store.ErrStale, "from a state it is no longer in")
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got.State, store.StatePendingApproval, "state after the stale change")
	equal(t, got.UpdatedAt, later, "UpdatedAt")
	isErr(t, s.SetAccountState(ctx(t), newID("acc-"), store.StateActive, store.StateDisabled, later), store.ErrNotFound, "unknown account")
	isErr(t, s.SetAccountState(ctx(t), a.ID, store.StatePendingApproval, "frozen", later), store.ErrInvalid, "invalid target state")
}

// testConcurrentSetState: two operators approving the same registration at
// once must not both succeed.
func testConcurrentSetState(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "nanda")
	a.State = store.StatePendingApproval
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.SetAccountState(ctx(t), a.ID, store.StatePendingApproval, store.StateActive, at)
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
		t.Fatalf("%d of %d parallel state changes succeeded, want exactly 1", won, n)
	}
}

func testAccountsCanceled(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "oki")
	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.CreateAccount(c, a, nil); err == nil {
		t.Fatal("CreateAccount with a canceled context succeeded")
	}
	_, err := s.AccountByID(ctx(t), a.ID)
	isErr(t, err, store.ErrNotFound, "account created under a canceled context")
	if _, err := s.AccountByUsername(c, a.Realm, a.Username); err == nil {
		t.Fatal("AccountByUsername with a canceled context succeeded")
	}
	a.Email = "oki@example.id"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	if err := s.SetEmail(c, a.ID, a.Email, "oki.baru@example.id", at.Add(time.Hour)); err == nil {
		t.Fatal("SetEmail with a canceled context succeeded")
	}
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, a, "account after SetEmail under a canceled context")
}

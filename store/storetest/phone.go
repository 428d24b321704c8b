package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func phoneClauses() []clause {
	return []clause{
		{"SetPhone", testSetPhone},
		{"SetPhoneStale", testSetPhoneStale},
		{"SetPhoneNotFound", testSetPhoneNotFound},
		{"SetPhoneInvalid", testSetPhoneInvalid},
		{"ConcurrentSetPhone", testConcurrentSetPhone},
		{"SetPhoneCanceled", testSetPhoneCanceled},
	}
}

// testSetPhone: the new number is the account's, nothing else changes, a
// number may be shared, and "" removes it.
func testSetPhone(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "tini")
	a.Email = "tini@example.id"
	a.Phone = "+6281234567890"
	a.Profile = map[string]string{"name": "Tini"}
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")

	later := at.Add(time.Hour)
	noErr(t, s.SetPhone(ctx(t), a.ID, "+6281234567890", "+6285712345678", later.In(wib)), "SetPhone")
	want := a
	want.Phone, want.UpdatedAt = "+6285712345678", later
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, want, "account after SetPhone")
	if got.UpdatedAt.Location() != time.UTC {
		t.Errorf("UpdatedAt is in %v, want UTC", got.UpdatedAt.Location())
	}

	// Another account may have the same number (a family's phone).
	b := account(realm, "toni")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount without a phone")
	noErr(t, s.SetPhone(ctx(t), b.ID, "", "+6285712345678", later), "SetPhone from none to a shared number")
	got, err = s.AccountByID(ctx(t), b.ID)
	noErr(t, err, "AccountByID(b)")
	equal(t, got.Phone, "+6285712345678", "b's shared number")

	later2 := later.Add(time.Minute)
	noErr(t, s.SetPhone(ctx(t), a.ID, "+6285712345678", "", later2), "remove the number")
	want.Phone, want.UpdatedAt = "", later2
	got, err = s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID after removal")
	equal(t, got, want, "account without its number")
	noErr(t, s.SetPhone(ctx(t), a.ID, "", "", later2), "remove a number that is not there")
}

// testSetPhoneStale: a number that changed since the caller read it
// leaves the account as it is.
func testSetPhoneStale(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "vivi")
	a.Phone = "+6281234567890"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	later := at.Add(time.Hour)
	isErr(t, s.SetPhone(ctx(t), a.ID, "+6281111111111", "+6285712345678", later), store.ErrStale, "from another number")
	isErr(t, s.SetPhone(ctx(t), a.ID, "", "+6285712345678", later), store.ErrStale, "from none, when it has one")
	isErr(t, s.SetPhone(ctx(t), a.ID, "+62812\xff", "+6285712345678", later), store.ErrStale, "from a number no store can hold")
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, a, "account after stale changes")

	b := account(a.Realm, "wati")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount without a phone")
	isErr(t, s.SetPhone(ctx(t), b.ID, "+6281234567890", "+6285712345678", later), store.ErrStale, "from a number, when it has none")
}

func testSetPhoneNotFound(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	later := at.Add(time.Hour)
	isErr(t, s.SetPhone(ctx(t), newID("acc-"), "", "+6281234567890", later), store.ErrNotFound, "unknown account")
	isErr(t, s.SetPhone(ctx(t), "acc-\x00\xff", "", "+6281234567890", later), store.ErrNotFound, "an ID no store can hold")
}

// testSetPhoneInvalid: a number not in E.164 form is ErrInvalid and writes
// nothing.
func testSetPhoneInvalid(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "dodi")
	a.Phone = "+6281234567890"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	for name, to := range map[string]string{
		"national":     "081234567890",
		"no plus":      "6281234567890",
		"leading zero": "+06281234567",
		"too short":    "+6281234",
		"too long":     "+6281234567890123",
		"dash":         "+62812-3456-7890",
		"space":        "+62 81234567890",
		"not UTF-8":    "+62812\xff4567890",
		"NUL":          "+62812\x004567890",
	} {
		isErr(t, s.SetPhone(ctx(t), a.ID, a.Phone, to, at.Add(time.Hour)), store.ErrInvalid, name)
	}
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, a, "account after invalid changes")
	noErr(t, s.SetPhone(ctx(t), a.ID, a.Phone, "+123456789012345", at.Add(time.Hour)), "the longest number")
	noErr(t, s.SetPhone(ctx(t), a.ID, "+123456789012345", "+12345678", at.Add(time.Hour)), "the shortest number")
}

// testConcurrentSetPhone is the race of two confirmations of a change
// from one number: of 20 parallel changes of one account from its number,
// exactly one lands.
func testConcurrentSetPhone(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "eka")
	a.Phone = "+6281200000000"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.SetPhone(ctx(t), a.ID, a.Phone, fmt.Sprintf("+628130000%04d", i), at.Add(time.Hour))
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("changes %d and %d both landed from one number", winner, i)
			}
			winner = i
			continue
		}
		isErr(t, err, store.ErrStale, "loser")
	}
	if winner < 0 {
		t.Fatalf("none of %d parallel changes landed, want exactly 1", n)
	}
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got.Phone, fmt.Sprintf("+628130000%04d", winner), "the winner's number")
}

func testSetPhoneCanceled(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	a := account(newID("realm-"), "oka")
	a.Phone = "+6281234567890"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.SetPhone(c, a.ID, a.Phone, "+6285712345678", at.Add(time.Hour)); err == nil {
		t.Fatal("SetPhone with a canceled context succeeded")
	}
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, a, "account after SetPhone under a canceled context")
}

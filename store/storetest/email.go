package storetest

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// The clauses of Account.Profile and Accounts.SetEmail.

// testProfile: the profile a registration collected reads back from every
// lookup, at the bounds too, and is the caller's own copy.
func testProfile(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "putri")
	a.Email = "putri@example.id"
	a.Profile = map[string]string{
		"company": "PT Maju Bersama <Tbk> & Rekan",
		"nib":     "9120001234567",
		"office":  "Kantor Pusat — Jl. Merdeka No. 1, Jakarta 🇮🇩",
		"note":    "baris satu\nbaris dua\t\"kutip\" \u2028 \\",
		"empty":   "",
	}
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	want := a
	want.Profile = map[string]string{}
	for k, v := range a.Profile {
		want.Profile[k] = v
	}
	a.Profile["company"] = "changed by the caller after CreateAccount"

	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, want, "AccountByID")
	got.Profile["nib"] = "changed by the caller after AccountByID"
	got, err = s.AccountByUsername(ctx(t), realm, "putri")
	noErr(t, err, "AccountByUsername")
	equal(t, got, want, "AccountByUsername")
	got, err = s.AccountByEmail(ctx(t), realm, "putri@example.id")
	noErr(t, err, "AccountByEmail")
	equal(t, got, want, "AccountByEmail")

	// The largest profile the contract allows.
	b := account(realm, "qori")
	b.Profile = make(map[string]string, store.MaxProfileFields)
	for i := range store.MaxProfileFields {
		k := fmt.Sprintf("%02d", i)
		b.Profile[k+strings.Repeat("k", store.MaxProfileKeyBytes-len(k))] = strings.Repeat("é", store.MaxProfileValueBytes/2)
	}
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount with the largest profile")
	got, err = s.AccountByID(ctx(t), b.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, b, "the largest profile")

	// An empty profile reads back as nil.
	c := account(realm, "rudi")
	c.Profile = map[string]string{}
	noErr(t, s.CreateAccount(ctx(t), c, nil), "CreateAccount with an empty profile")
	got, err = s.AccountByID(ctx(t), c.ID)
	noErr(t, err, "AccountByID")
	if got.Profile != nil {
		t.Fatalf("an empty profile read back as %#v, want nil", got.Profile)
	}
}

// testProfileBounds: a profile out of bounds is ErrInvalid and writes
// nothing.
func testProfileBounds(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	tooMany := make(map[string]string, store.MaxProfileFields+1)
	for i := range store.MaxProfileFields + 1 {
		tooMany[fmt.Sprint("field", i)] = "x"
	}
	for name, profile := range map[string]map[string]string{
		"too many fields":       tooMany,
		"empty key":             {"": "x"},
		"key too long":          {strings.Repeat("k", store.MaxProfileKeyBytes+1): "x"},
		"value too long":        {"company": strings.Repeat("v", store.MaxProfileValueBytes+1)},
		"key not UTF-8":         {"nib\xff": "x"},
		"value not UTF-8":       {"nib": "\xc3\x28"},
		"NUL in key":            {"n\x00ib": "x"},
		"NUL in value":          {"nib": "91200\x0001"},
		"surrogate half (CESU)": {"nib": "\xed\xa0\x80"},
	} {
		a := account(realm, "sari")
		a.Profile = profile
		c := &store.Credential{AccountID: a.ID, Hash: "$argon2id$x", ChangedAt: at}
		isErr(t, s.CreateAccount(ctx(t), a, c), store.ErrInvalid, name)
		_, err := s.AccountByID(ctx(t), a.ID)
		isErr(t, err, store.ErrNotFound, name+": the rejected account")
	}
	_, err := s.AccountByUsername(ctx(t), realm, "sari")
	isErr(t, err, store.ErrNotFound, "after invalid creates")
}

// testSetEmail: the new address finds the account, the old one no longer
// does and is free again, and nothing else about the account changes.
func testSetEmail(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "tono")
	a.Email = "tono@example.id"
	a.Phone = "+6281234567890"
	a.Profile = map[string]string{"company": "CV Tono"}
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")

	later := at.Add(time.Hour)
	noErr(t, s.SetEmail(ctx(t), a.ID, "tono@example.id", "tono.baru@example.id", later.In(wib)), "SetEmail")
	want := a
	want.Email, want.UpdatedAt = "tono.baru@example.id", later
	got, err := s.AccountByEmail(ctx(t), realm, "tono.baru@example.id")
	noErr(t, err, "AccountByEmail(new)")
	equal(t, got, want, "AccountByEmail(new)")
	if got.UpdatedAt.Location() != time.UTC {
		t.Errorf("UpdatedAt is in %v, want UTC", got.UpdatedAt.Location())
	}
	got, err = s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, want, "AccountByID")
	_, err = s.AccountByEmail(ctx(t), realm, "tono@example.id")
	isErr(t, err, store.ErrNotFound, "AccountByEmail(old)")

	// The old address is free for another account.
	b := account(realm, "tono2")
	b.Email = "tono@example.id"
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount with the freed address")

	// Setting the address the account already has changes only UpdatedAt.
	later2 := later.Add(time.Minute)
	noErr(t, s.SetEmail(ctx(t), a.ID, "tono.baru@example.id", "tono.baru@example.id", later2), "SetEmail to the same address")
	want.UpdatedAt = later2
	got, err = s.AccountByEmail(ctx(t), realm, "tono.baru@example.id")
	noErr(t, err, "AccountByEmail after the same address")
	equal(t, got, want, "after the same address")

	// An account without an address gets one, from "".
	c := account(realm, "umar")
	noErr(t, s.CreateAccount(ctx(t), c, nil), "CreateAccount without an email")
	noErr(t, s.SetEmail(ctx(t), c.ID, "", "umar@example.id", later), "SetEmail from none")
	got, err = s.AccountByEmail(ctx(t), realm, "umar@example.id")
	noErr(t, err, "AccountByEmail after SetEmail from none")
	equal(t, got.ID, c.ID, "account found by its first address")
}

// testSetEmailStale: an address that changed since the caller read it
// leaves the account as it is.
func testSetEmailStale(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "vina")
	a.Email = "vina@example.id"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	later := at.Add(time.Hour)
	isErr(t, s.SetEmail(ctx(t), a.ID, "vina.lama@example.id", "vina.baru@example.id", later), store.ErrStale, "from another address")
	isErr(t, s.SetEmail(ctx(t), a.ID, "", "vina.baru@example.id", later), store.ErrStale, "from none, when it has one")
	isErr(t, s.SetEmail(ctx(t), a.ID, "VINA@example.id", "vina.baru@example.id", later), store.ErrStale, "from the address in other case")
	isErr(t, s.SetEmail(ctx(t), a.ID, "vina\xff@example.id", "vina.baru@example.id", later), store.ErrStale, "from an address no store can hold")
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, a, "account after stale changes")
	_, err = s.AccountByEmail(ctx(t), realm, "vina.baru@example.id")
	isErr(t, err, store.ErrNotFound, "the address of a stale change")

	b := account(realm, "wawan")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount without an email")
	isErr(t, s.SetEmail(ctx(t), b.ID, "wawan@example.id", "wawan.baru@example.id", later), store.ErrStale, "from an address, when it has none")
	got, err = s.AccountByID(ctx(t), b.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, b, "account without an email after a stale change")
}

// testSetEmailConflict: another account's address in the realm is
// ErrConflict and writes nothing; the same address in another realm is
// free.
func testSetEmailConflict(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	r1, r2 := newID("realm-"), newID("realm-")
	a := account(r1, "yanti")
	a.Email = "yanti@example.id"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount a")
	b := account(r1, "yudi")
	b.Email = "yudi@example.id"
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount b")
	c := account(r1, "zaki")
	noErr(t, s.CreateAccount(ctx(t), c, nil), "CreateAccount c, without an email")

	later := at.Add(time.Hour)
	isErr(t, s.SetEmail(ctx(t), b.ID, "yudi@example.id", "yanti@example.id", later), store.ErrConflict, "another account's address")
	isErr(t, s.SetEmail(ctx(t), c.ID, "", "yanti@example.id", later), store.ErrConflict, "another account's address, from none")
	for _, want := range []store.Account{a, b, c} {
		got, err := s.AccountByID(ctx(t), want.ID)
		noErr(t, err, "AccountByID")
		equal(t, got, want, "account after the conflict")
	}
	got, err := s.AccountByEmail(ctx(t), r1, "yanti@example.id")
	noErr(t, err, "AccountByEmail")
	equal(t, got.ID, a.ID, "owner of the contested address")

	d := account(r2, "yanti")
	d.Email = "yanti.lain@example.id"
	noErr(t, s.CreateAccount(ctx(t), d, nil), "CreateAccount in another realm")
	noErr(t, s.SetEmail(ctx(t), d.ID, "yanti.lain@example.id", "yanti@example.id", later), "the same address in another realm")
}

func testSetEmailNotFound(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	later := at.Add(time.Hour)
	isErr(t, s.SetEmail(ctx(t), newID("acc-"), "", "nobody@example.id", later), store.ErrNotFound, "unknown account")
	isErr(t, s.SetEmail(ctx(t), newID("acc-"), "nobody@example.id", "", later), store.ErrNotFound, "unknown account, removing")
	isErr(t, s.SetEmail(ctx(t), "acc-\x00\xff", "", "nobody@example.id", later), store.ErrNotFound, "an ID no store can hold")
	_, err := s.AccountByID(ctx(t), newID("acc-"))
	isErr(t, err, store.ErrNotFound, "AccountByID(unknown)")
}

// testSetEmailRemove: "" removes the address, which frees it, and any
// number of accounts of a realm may have none.
func testSetEmailRemove(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "agus")
	a.Email = "agus@example.id"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount a")
	b := account(realm, "bayu")
	b.Email = "bayu@example.id"
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount b")

	later := at.Add(time.Hour)
	noErr(t, s.SetEmail(ctx(t), a.ID, "agus@example.id", "", later), "remove a's address")
	noErr(t, s.SetEmail(ctx(t), b.ID, "bayu@example.id", "", later), "remove b's address")
	want := a
	want.Email, want.UpdatedAt = "", later
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, want, "account without its address")
	_, err = s.AccountByEmail(ctx(t), realm, "agus@example.id")
	isErr(t, err, store.ErrNotFound, "AccountByEmail(removed)")
	_, err = s.AccountByEmail(ctx(t), realm, "")
	isErr(t, err, store.ErrNotFound, "AccountByEmail(empty)")

	noErr(t, s.SetEmail(ctx(t), a.ID, "", "", later), "remove an address that is not there")
	c := account(realm, "cahya")
	c.Email = "agus@example.id"
	noErr(t, s.CreateAccount(ctx(t), c, nil), "CreateAccount with the removed address")
}

// testSetEmailInvalid: an address that is not canonical is ErrInvalid and
// writes nothing.
func testSetEmailInvalid(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	a := account(realm, "dedi")
	a.Email = "dedi@example.id"
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	for name, to := range map[string]string{
		"upper case":    "Dedi@example.id",
		"no @":          "dedi.example.id",
		"no local part": "@example.id",
		"no domain":     "dedi@",
		"space":         "dedi baru@example.id",
		"surrounded":    " dedi.baru@example.id",
		"control":       "dedi\tbaru@example.id",
		"NUL":           "dedi\x00@example.id",
		"not UTF-8":     "dedi\xff@example.id",
		"format char":   "dedi\u200b@example.id",
		"too long":      strings.Repeat("d", store.MaxEmailBytes-len("@example.id")+1) + "@example.id",
	} {
		isErr(t, s.SetEmail(ctx(t), a.ID, "dedi@example.id", to, at.Add(time.Hour)), store.ErrInvalid, name)
	}
	longest := strings.Repeat("d", store.MaxEmailBytes-len("@example.id")) + "@example.id"
	got, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, got, a, "account after invalid changes")
	noErr(t, s.SetEmail(ctx(t), a.ID, "dedi@example.id", longest, at.Add(time.Hour)), "the longest address")
	got, err = s.AccountByEmail(ctx(t), realm, longest)
	noErr(t, err, "AccountByEmail(longest)")
	equal(t, got.ID, a.ID, "account found by the longest address")
	noErr(t, s.SetEmail(ctx(t), a.ID, longest, "dédi@éxample.id", at.Add(time.Hour)), "a non-ASCII address")
}

// testConcurrentSetEmail is the race of two owners confirming a change to
// one address at once: of 50 accounts of a realm moving to one address
// in parallel, exactly one gets it, and the others keep theirs.
func testConcurrentSetEmail(t *testing.T, open Opener) {
	s := as[store.Accounts](t, open)
	realm := newID("realm-")
	const n = 50
	accounts := make([]store.Account, n)
	for i := range accounts {
		a := account(realm, fmt.Sprint("eko", i))
		a.Email = fmt.Sprintf("eko%d@example.id", i)
		noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
		accounts[i] = a
	}
	later := at.Add(time.Hour)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, a := range accounts {
		wg.Go(func() { errs[i] = s.SetEmail(ctx(t), a.ID, a.Email, "eko@example.id", later) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		if err == nil {
			if winner >= 0 {
				t.Fatalf("accounts %d and %d both moved to one address", winner, i)
			}
			winner = i
			continue
		}
		isErr(t, err, store.ErrConflict, "loser")
	}
	if winner < 0 {
		t.Fatalf("none of %d parallel moves to one address succeeded, want exactly 1", n)
	}
	got, err := s.AccountByEmail(ctx(t), realm, "eko@example.id")
	noErr(t, err, "AccountByEmail(contested)")
	equal(t, got.ID, accounts[winner].ID, "owner of the contested address")
	equal(t, got.UpdatedAt, later, "the winner's UpdatedAt")
	_, err = s.AccountByEmail(ctx(t), realm, accounts[winner].Email)
	isErr(t, err, store.ErrNotFound, "the winner's old address")
	for i, a := range accounts {
		if i == winner {
			continue
		}
		got, err := s.AccountByEmail(ctx(t), realm, a.Email)
		noErr(t, err, "a loser's address")
		equal(t, got, a, "a loser")
	}
}

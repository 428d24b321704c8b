package storetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func factorClauses() []clause {
	return []clause{
		{"CreateAndRead", testFactorRoundTrip},
		{"OldestFirst", testFactorOrder},
		{"DuplicateID", testFactorDuplicate},
		{"UnknownAccount", testFactorUnknownAccount},
		{"Invalid", testFactorInvalid},
		{"AtBounds", testFactorBounds},
		{"Capacity", testFactorCapacity},
		{"Confirm", testConfirmFactor},
		{"AcceptStep", testAcceptStep},
		{"ConcurrentAcceptStep", testConcurrentAcceptStep},
		{"ConcurrentIncreasingSteps", testConcurrentIncreasingSteps},
		{"Reseal", testResealFactor},
		{"Delete", testDeleteFactor},
		{"OtherAccount", testFactorOtherAccount},
		{"ReturnedCopies", testFactorCopies},
		{"CanceledContext", testFactorsCanceled},
	}
}

type accountsAndFactors interface {
	store.Accounts
	store.Factors
}

// wib is Western Indonesian Time: times handed to a store in it must come
// back as the same instants in UTC.
var wib = time.FixedZone("WIB", 7*60*60)

// newAccount creates an account and returns its ID.
func newAccount(t *testing.T, s store.Accounts) string {
	t.Helper()
	a := account(newID("realm-"), "user")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	return a.ID
}

func totpFactor(accountID string) store.Factor {
	return store.Factor{
		ID:        newID("factor-"),
		AccountID: accountID,
		Kind:      store.FactorTOTP,
		Label:     "Budi's phone",
		Secret:    []byte("sealed:0123456789abcdef0123456789"),
		Algorithm: "SHA1",
		Digits:    6,
		Period:    30,
		CreatedAt: at,
	}
}

func emailFactor(accountID string) store.Factor {
	return store.Factor{ID: newID("factor-"), AccountID: accountID, Kind: store.FactorEmail, CreatedAt: at}
}

// normFactor puts f in the form the store returns: times in UTC and an
// empty secret as nil (a store may read back either).
func normFactor(f store.Factor) store.Factor {
	f.CreatedAt, f.ConfirmedAt = f.CreatedAt.UTC(), f.ConfirmedAt.UTC()
	if len(f.Secret) == 0 {
		f.Secret = nil
	}
	return f
}

func factorsOf(t *testing.T, s store.Factors, accountID string) []store.Factor {
	t.Helper()
	fs, err := s.Factors(ctx(t), accountID)
	noErr(t, err, "Factors")
	for i := range fs {
		for _, tm := range []time.Time{fs[i].CreatedAt, fs[i].ConfirmedAt} {
			if !tm.IsZero() && tm.Location() != time.UTC {
				t.Fatalf("factor time %v is not in UTC", tm)
			}
		}
		if len(fs[i].Secret) == 0 {
			fs[i].Secret = nil
		}
	}
	return fs
}

func factorOf(t *testing.T, s store.Factors, accountID, id string) store.Factor {
	t.Helper()
	for _, f := range factorsOf(t, s, accountID) {
		if f.ID == id {
			return f
		}
	}
	t.Fatalf("account %s has no factor %s", accountID, id)
	return store.Factor{}
}

func create(t *testing.T, s store.Factors, fs ...store.Factor) {
	t.Helper()
	for _, f := range fs {
		noErr(t, s.CreateFactor(ctx(t), f), "CreateFactor "+f.ID)
	}
}

// confirmed creates a TOTP factor and confirms it at step.
func confirmed(t *testing.T, s store.Factors, accountID string, step int64) store.Factor {
	t.Helper()
	f := totpFactor(accountID)
	create(t, s, f)
	noErr(t, s.ConfirmFactor(ctx(t), accountID, f.ID, step, at.Add(time.Minute)), "ConfirmFactor")
	f.LastStep, f.ConfirmedAt = step, at.Add(time.Minute)
	return f
}

func testFactorRoundTrip(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	equal(t, len(factorsOf(t, s, id)), 0, "factors of an account without any")

	f := totpFactor(id)
	f.LastStep = 59_000_041 // a TOTP factor's LastStep starts as given
	f.CreatedAt = at.In(wib)
	e := emailFactor(id)
	e.Label = ""
	e.CreatedAt = at.Add(time.Second).In(wib)
	m := emailFactor(id)
	m.Kind, m.Label = store.FactorSMS, "+62 812-3456-7890"
	m.CreatedAt = at.Add(2 * time.Second)
	w := emailFactor(id)
	w.Kind, w.Label = store.FactorWhatsApp, "WhatsApp"
	w.CreatedAt = at.Add(3 * time.Second)
	create(t, s, f, e, m, w)

	got := factorsOf(t, s, id)
	equal(t, got, []store.Factor{normFactor(f), normFactor(e), normFactor(m), normFactor(w)}, "Factors")
	for _, g := range got {
		if g.Confirmed() {
			t.Fatalf("factor %s is confirmed before ConfirmFactor", g.ID)
		}
	}
}

// testFactorOrder: oldest first, by CreatedAt, then by ID.
func testFactorOrder(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	base := newID("factor-")
	mk := func(suffix string, d time.Duration) store.Factor {
		f := emailFactor(id)
		f.ID, f.CreatedAt = base+suffix, at.Add(d)
		return f
	}
	create(t, s, mk("c", 2*time.Second), mk("b", time.Second), mk("a", time.Second), mk("d", 0))
	var ids []string
	for _, f := range factorsOf(t, s, id) {
		ids = append(ids, strings.TrimPrefix(f.ID, base))
	}
	equal(t, ids, []string{"d", "a", "b", "c"}, "order of Factors")
}

// testFactorDuplicate: IDs are unique across accounts.
func testFactorDuplicate(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	f := totpFactor(a)
	create(t, s, f)
	g := emailFactor(a)
	g.ID = f.ID
	isErr(t, s.CreateFactor(ctx(t), g), store.ErrConflict, "same ID, same account")
	g.AccountID = b
	isErr(t, s.CreateFactor(ctx(t), g), store.ErrConflict, "same ID, another account")
	equal(t, factorsOf(t, s, a), []store.Factor{normFactor(f)}, "factors of the first account")
	equal(t, len(factorsOf(t, s, b)), 0, "factors of the second account")
}

func testFactorUnknownAccount(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	f := totpFactor(newID("acc-"))
	isErr(t, s.CreateFactor(ctx(t), f), store.ErrNotFound, "CreateFactor(unknown account)")
	// The ID was not taken by the refused factor.
	f.AccountID = newAccount(t, s)
	create(t, s, f)
}

func testFactorInvalid(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	for name, mutate := range map[string]func(*store.Factor){
		"short id":           func(f *store.Factor) { f.ID = strings.Repeat("f", 15) },
		"long id":            func(f *store.Factor) { f.ID = newID("") + strings.Repeat("f", 113) },
		"no account":         func(f *store.Factor) { f.AccountID = "" },
		"bad kind":           func(f *store.Factor) { f.Kind = "webauthn" },
		"no kind":            func(f *store.Factor) { f.Kind = "" },
		"long label":         func(f *store.Factor) { f.Label = strings.Repeat("l", store.MaxFactorLabel+1) },
		"no creation time":   func(f *store.Factor) { f.CreatedAt = time.Time{} },
		"long secret":        func(f *store.Factor) { f.Secret = make([]byte, store.MaxFactorSecret+1) },
		"totp, no secret":    func(f *store.Factor) { f.Secret = nil },
		"totp, no algorithm": func(f *store.Factor) { f.Algorithm = "" },
		"totp, no digits":    func(f *store.Factor) { f.Digits = 0 },
		"totp, no period":    func(f *store.Factor) { f.Period = -30 },
		"email with secret":  func(f *store.Factor) { f.Kind = store.FactorEmail },
		"sms with secret":    func(f *store.Factor) { f.Kind = store.FactorSMS },
		"whatsapp w/ secret": func(f *store.Factor) { f.Kind = store.FactorWhatsApp },
	} {
		f := totpFactor(id)
		mutate(&f)
		isErr(t, s.CreateFactor(ctx(t), f), store.ErrInvalid, name)
	}
	equal(t, len(factorsOf(t, s, id)), 0, "factors after invalid creates")
}

// testFactorBounds: the bounds of CheckFactor are inclusive.
func testFactorBounds(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := totpFactor(id)
	f.ID = newID("")
	f.Label = strings.Repeat("l", store.MaxFactorLabel)
	f.Secret = bytes.Repeat([]byte{0xa5}, store.MaxFactorSecret)
	g := emailFactor(id)
	g.ID = newID("") + strings.Repeat("g", 112)
	g.CreatedAt = at.Add(time.Second)
	create(t, s, f, g)
	equal(t, factorsOf(t, s, id), []store.Factor{normFactor(f), normFactor(g)}, "Factors")
}

// testFactorCapacity: an account may have MaxFactorsPerAccount factors,
// confirmed or not; one more is ErrCapacity and is not written.
func testFactorCapacity(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	var first store.Factor
	for i := range store.MaxFactorsPerAccount {
		f := emailFactor(a)
		f.CreatedAt = at.Add(time.Duration(i) * time.Second)
		create(t, s, f)
		if i%2 == 0 {
			noErr(t, s.ConfirmFactor(ctx(t), a, f.ID, 1, at), "ConfirmFactor")
		}
		if i == 0 {
			first = f
		}
	}
	extra := totpFactor(a)
	extra.CreatedAt = at.Add(time.Hour)
	isErr(t, s.CreateFactor(ctx(t), extra), store.ErrCapacity, "one factor too many")
	fs := factorsOf(t, s, a)
	equal(t, len(fs), store.MaxFactorsPerAccount, "factors after the refusal")
	if slices.ContainsFunc(fs, func(f store.Factor) bool { return f.ID == extra.ID }) {
		t.Fatal("the refused factor was written")
	}
	create(t, s, totpFactor(b)) // another account is not affected
	noErr(t, s.DeleteFactor(ctx(t), a, first.ID), "DeleteFactor")
	create(t, s, extra)
}

func testConfirmFactor(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := totpFactor(id)
	f.LastStep = 10
	create(t, s, f)

	isErr(t, s.ConfirmFactor(ctx(t), id, f.ID, 10, at), store.ErrStale, "ConfirmFactor at LastStep")
	isErr(t, s.ConfirmFactor(ctx(t), id, f.ID, 9, at), store.ErrStale, "ConfirmFactor below LastStep")
	equal(t, factorOf(t, s, id, f.ID), normFactor(f), "factor after stale confirmations")

	when := at.Add(time.Minute).In(wib)
	noErr(t, s.ConfirmFactor(ctx(t), id, f.ID, 11, when), "ConfirmFactor")
	want := f
	want.LastStep, want.ConfirmedAt = 11, when
	got := factorOf(t, s, id, f.ID)
	equal(t, got, normFactor(want), "confirmed factor")
	if !got.Confirmed() {
		t.Fatal("Confirmed() is false after ConfirmFactor")
	}

	isErr(t, s.ConfirmFactor(ctx(t), id, f.ID, 12, at.Add(time.Hour)), store.ErrStale, "second ConfirmFactor")
	equal(t, factorOf(t, s, id, f.ID), normFactor(want), "factor after a second confirmation")
	isErr(t, s.ConfirmFactor(ctx(t), id, newID("factor-"), 12, at), store.ErrNotFound, "ConfirmFactor(unknown)")
}

func testAcceptStep(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := totpFactor(id)
	create(t, s, f)
	isErr(t, s.AcceptStep(ctx(t), id, f.ID, 5), store.ErrNotFound, "AcceptStep on an unconfirmed factor")
	equal(t, factorOf(t, s, id, f.ID), normFactor(f), "unconfirmed factor after AcceptStep")

	noErr(t, s.ConfirmFactor(ctx(t), id, f.ID, 5, at), "ConfirmFactor")
	want := f
	want.LastStep, want.ConfirmedAt = 5, at
	isErr(t, s.AcceptStep(ctx(t), id, f.ID, 5), store.ErrStale, "the step that confirmed the factor")
	isErr(t, s.AcceptStep(ctx(t), id, f.ID, 4), store.ErrStale, "an older step")
	noErr(t, s.AcceptStep(ctx(t), id, f.ID, 6), "the next step")
	want.LastStep = 6
	equal(t, factorOf(t, s, id, f.ID), normFactor(want), "factor after AcceptStep")
	isErr(t, s.AcceptStep(ctx(t), id, f.ID, 6), store.ErrStale, "the same step again")
	noErr(t, s.AcceptStep(ctx(t), id, f.ID, 1_000), "a step far ahead")
	isErr(t, s.AcceptStep(ctx(t), id, f.ID, 7), store.ErrStale, "a step behind")
	want.LastStep = 1_000
	equal(t, factorOf(t, s, id, f.ID), normFactor(want), "factor after a stale step")
	isErr(t, s.AcceptStep(ctx(t), id, newID("factor-"), 2_000), store.ErrNotFound, "AcceptStep(unknown)")
}

// testConcurrentAcceptStep: one TOTP code submitted 100 times at once logs
// in once.
func testConcurrentAcceptStep(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := confirmed(t, s, id, 1)
	const n = 100
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.AcceptStep(ctx(t), id, f.ID, 2) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrStale):
			t.Fatalf("AcceptStep: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d parallel AcceptStep calls with one step succeeded, want exactly 1", won, n)
	}
	equal(t, factorOf(t, s, id, f.ID).LastStep, int64(2), "LastStep")
}

// testConcurrentIncreasingSteps: concurrent calls with different steps
// never move LastStep backward, as a read-modify-write in the caller would.
func testConcurrentIncreasingSteps(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := confirmed(t, s, id, 1)
	const n = 100
	errs := make([]error, n)
	done := make(chan struct{})
	var reader sync.WaitGroup
	reader.Go(func() {
		last := int64(1)
		for {
			select {
			case <-done:
				return
			default:
			}
			fs, err := s.Factors(ctx(t), id)
			if err != nil || len(fs) != 1 {
				t.Errorf("Factors during AcceptStep: %v, %d factors", err, len(fs))
				return
			}
			if fs[0].LastStep < last {
				t.Errorf("LastStep moved backward from %d to %d", last, fs[0].LastStep)
				return
			}
			last = fs[0].LastStep
		}
	})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.AcceptStep(ctx(t), id, f.ID, int64(2+(i*37)%n)) })
	}
	wg.Wait()
	close(done)
	reader.Wait()
	for i, err := range errs {
		step := 2 + (i*37)%n // 2 to n+1, shuffled
		switch {
		case step == n+1 && err != nil:
			t.Fatalf("AcceptStep of the highest step: %v", err)
		case err != nil && !errors.Is(err, store.ErrStale):
			t.Fatalf("AcceptStep(%d): %v", step, err)
		}
	}
	equal(t, factorOf(t, s, id, f.ID).LastStep, int64(n+1), "LastStep after all steps")
	isErr(t, s.AcceptStep(ctx(t), id, f.ID, n), store.ErrStale, "AcceptStep of an earlier step afterwards")
}

func testResealFactor(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := confirmed(t, s, id, 7)
	old := slices.Clone(f.Secret)
	resealed := []byte("sealed-under-key-2:0123456789abcdef")

	noErr(t, s.ResealFactor(ctx(t), id, f.ID, old, resealed), "ResealFactor")
	want := f
	want.Secret = resealed
	equal(t, factorOf(t, s, id, f.ID), normFactor(want), "factor after ResealFactor")

	isErr(t, s.ResealFactor(ctx(t), id, f.ID, old, []byte("sealed-under-key-3:0123456789")), store.ErrStale, "ResealFactor from the replaced secret")
	isErr(t, s.ResealFactor(ctx(t), id, f.ID, []byte("something else entirely"), []byte("sealed-under-key-3:0123456789")), store.ErrStale, "ResealFactor from a wrong secret")
	isErr(t, s.ResealFactor(ctx(t), id, f.ID, resealed, nil), store.ErrInvalid, "ResealFactor to no secret")
	isErr(t, s.ResealFactor(ctx(t), id, f.ID, resealed, []byte{}), store.ErrInvalid, "ResealFactor to an empty secret")
	equal(t, factorOf(t, s, id, f.ID), normFactor(want), "factor after refused reseals")
	isErr(t, s.ResealFactor(ctx(t), id, newID("factor-"), resealed, old), store.ErrNotFound, "ResealFactor(unknown)")
}

func testDeleteFactor(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := confirmed(t, s, id, 3)
	g := emailFactor(id)
	g.CreatedAt = at.Add(time.Second)
	create(t, s, g)
	noErr(t, s.DeleteFactor(ctx(t), id, f.ID), "DeleteFactor")
	equal(t, factorsOf(t, s, id), []store.Factor{normFactor(g)}, "factors after DeleteFactor")
	isErr(t, s.DeleteFactor(ctx(t), id, f.ID), store.ErrNotFound, "DeleteFactor again")
	isErr(t, s.AcceptStep(ctx(t), id, f.ID, 4), store.ErrNotFound, "AcceptStep on a deleted factor")
	isErr(t, s.DeleteFactor(ctx(t), id, newID("factor-")), store.ErrNotFound, "DeleteFactor(unknown)")
}

// testFactorOtherAccount: a factor is reachable only through its own
// account: naming its ID with another account's ID finds nothing.
func testFactorOtherAccount(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	f := confirmed(t, s, a, 3)
	g := totpFactor(a)
	g.CreatedAt = at.Add(time.Second)
	create(t, s, g)
	want := []store.Factor{normFactor(f), normFactor(g)}

	equal(t, len(factorsOf(t, s, b)), 0, "factors of the other account")
	isErr(t, s.ConfirmFactor(ctx(t), b, g.ID, 1, at), store.ErrNotFound, "ConfirmFactor through another account")
	isErr(t, s.AcceptStep(ctx(t), b, f.ID, 4), store.ErrNotFound, "AcceptStep through another account")
	isErr(t, s.ResealFactor(ctx(t), b, f.ID, f.Secret, []byte("sealed-by-the-other-account")), store.ErrNotFound, "ResealFactor through another account")
	isErr(t, s.DeleteFactor(ctx(t), b, f.ID), store.ErrNotFound, "DeleteFactor through another account")
	equal(t, factorsOf(t, s, a), want, "the owner's factors")
}

func testFactorCopies(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	f := totpFactor(id)
	secret := slices.Clone(f.Secret)
	create(t, s, f)
	f.Secret[0] ^= 0xff // the caller's slice is the caller's
	got := factorOf(t, s, id, f.ID)
	equal(t, got.Secret, secret, "secret after the caller changed its slice")
	got.Secret[0] ^= 0xff
	equal(t, factorOf(t, s, id, f.ID).Secret, secret, "secret after the caller changed a returned slice")

	resealed := []byte("sealed-under-key-2:0123456789abcdef")
	mine := slices.Clone(resealed)
	noErr(t, s.ResealFactor(ctx(t), id, f.ID, secret, mine), "ResealFactor")
	mine[0] ^= 0xff
	equal(t, factorOf(t, s, id, f.ID).Secret, resealed, "secret after the caller changed the resealed slice")
}

func testFactorsCanceled(t *testing.T, open Opener) {
	s := as[accountsAndFactors](t, open)
	id := newAccount(t, s)
	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.CreateFactor(c, totpFactor(id)); err == nil {
		t.Fatal("CreateFactor with a canceled context succeeded")
	}
	equal(t, len(factorsOf(t, s, id)), 0, "factors created under a canceled context")
	if _, err := s.Factors(c, id); err == nil {
		t.Fatal("Factors with a canceled context succeeded")
	}
	f := confirmed(t, s, id, 1)
	if err := s.AcceptStep(c, id, f.ID, 2); err == nil {
		t.Fatal("AcceptStep with a canceled context succeeded")
	}
	equal(t, factorOf(t, s, id, f.ID).LastStep, int64(1), "LastStep after AcceptStep under a canceled context")
}

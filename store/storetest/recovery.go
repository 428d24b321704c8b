package storetest

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func recoveryClauses() []clause {
	return []clause{
		{"SetUseCount", testRecoveryRoundTrip},
		{"ReplaceVoidsOld", testRecoveryReplace},
		{"EmptyRemoves", testRecoveryEmpty},
		{"Invalid", testRecoveryInvalid},
		{"AtBounds", testRecoveryBounds},
		{"UnknownAccount", testRecoveryUnknownAccount},
		{"OtherAccount", testRecoveryOtherAccount},
		{"ConcurrentUseOne", testRecoveryConcurrentOne},
		{"ConcurrentUseAll", testRecoveryConcurrentAll},
		{"FindChangesNothing", testRecoveryFind},
		{"ConcurrentFindThenUse", testRecoveryFindThenUse},
		{"CallerSlices", testRecoveryCopies},
		{"CanceledContext", testRecoveryCanceled},
	}
}

type accountsAndRecovery interface {
	store.Accounts
	store.Recovery
}

// hashes returns n random hashes of size bytes.
func hashes(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = make([]byte, size)
		_, _ = rand.Read(out[i])
	}
	return out
}

func recoveryCodesOf(t *testing.T, s store.Recovery, accountID string) store.RecoveryCodes {
	t.Helper()
	rc, err := s.RecoveryCodes(ctx(t), accountID)
	noErr(t, err, "RecoveryCodes")
	if !rc.CreatedAt.IsZero() && rc.CreatedAt.Location() != time.UTC {
		t.Fatalf("RecoveryCodes.CreatedAt %v is not in UTC", rc.CreatedAt)
	}
	return rc
}

func use(t *testing.T, s store.Recovery, accountID string, hash []byte, remaining int) {
	t.Helper()
	n, err := s.UseRecoveryCode(ctx(t), accountID, hash)
	noErr(t, err, "UseRecoveryCode")
	equal(t, n, remaining, "codes remaining after UseRecoveryCode")
}

func unusable(t *testing.T, s store.Recovery, accountID string, hash []byte, what string) {
	t.Helper()
	_, err := s.UseRecoveryCode(ctx(t), accountID, hash)
	isErr(t, err, store.ErrNotFound, what)
}

func testRecoveryRoundTrip(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{}, "RecoveryCodes before any set")
	unusable(t, s, id, hashes(1, 32)[0], "UseRecoveryCode without a set")

	hs := hashes(10, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at.In(wib)), "SetRecoveryCodes")
	equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{Remaining: 10, CreatedAt: at}, "RecoveryCodes")
	use(t, s, id, hs[3], 9)
	unusable(t, s, id, hs[3], "a used code")
	use(t, s, id, hs[0], 8)
	use(t, s, id, hs[9], 7)
	unusable(t, s, id, hashes(1, 32)[0], "a code never made")
	equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{Remaining: 7, CreatedAt: at}, "RecoveryCodes after three uses")
}

func testRecoveryReplace(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	old := hashes(10, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, old, at), "SetRecoveryCodes (first)")
	use(t, s, id, old[0], 9)
	later := at.Add(24 * time.Hour)
	fresh := hashes(5, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, fresh, later), "SetRecoveryCodes (replace)")
	equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{Remaining: 5, CreatedAt: later}, "RecoveryCodes after replacing")
	for _, h := range old[1:] {
		unusable(t, s, id, h, "a code of the replaced set")
	}
	use(t, s, id, fresh[4], 4)
	// A new set may hold a hash of the old one: it is then usable again.
	again := append([][]byte{old[0]}, hashes(2, 32)...)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, again, later.Add(time.Hour)), "SetRecoveryCodes (reusing a hash)")
	use(t, s, id, old[0], 2)
	unusable(t, s, id, fresh[0], "a code of the second set")
}

// testRecoveryEmpty: no hashes removes the set.
func testRecoveryEmpty(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	for name, none := range map[string][][]byte{"nil": nil, "empty": {}} {
		hs := hashes(3, 32)
		noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
		noErr(t, s.SetRecoveryCodes(ctx(t), id, none, at.Add(time.Hour)), "SetRecoveryCodes("+name+")")
		equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{}, "RecoveryCodes after SetRecoveryCodes("+name+")")
		unusable(t, s, id, hs[0], "a code of the removed set")
	}
	other := newAccount(t, s)
	noErr(t, s.SetRecoveryCodes(ctx(t), other, nil, at), "SetRecoveryCodes(nil) without a set")
	equal(t, recoveryCodesOf(t, s, other), store.RecoveryCodes{}, "RecoveryCodes")
}

// testRecoveryInvalid: a refused set writes nothing: the old set still
// works.
func testRecoveryInvalid(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	old := hashes(4, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, old, at), "SetRecoveryCodes")
	dup := hashes(3, 32)
	dup[2] = slices.Clone(dup[0])
	for name, hs := range map[string][][]byte{
		"too many":   hashes(store.MaxRecoveryCodes+1, 32),
		"too short":  append(hashes(2, 32), make([]byte, store.MinRecoveryHash-1)),
		"too long":   append(hashes(2, 32), make([]byte, store.MaxRecoveryHash+1)),
		"empty hash": append(hashes(2, 32), nil),
		"duplicate":  dup,
	} {
		isErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at.Add(time.Hour)), store.ErrInvalid, name)
		unusable(t, s, id, hs[0], "a code of a refused set ("+name+")")
	}
	isErr(t, s.SetRecoveryCodes(ctx(t), "", hashes(2, 32), at), store.ErrInvalid, "no account id")
	equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{Remaining: 4, CreatedAt: at}, "RecoveryCodes after refused sets")
	use(t, s, id, old[1], 3)
}

// testRecoveryBounds: the bounds of CheckRecoveryCodes are inclusive.
func testRecoveryBounds(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	hs := hashes(store.MaxRecoveryCodes-2, 32)
	hs = append(hs, hashes(1, store.MinRecoveryHash)[0], hashes(1, store.MaxRecoveryHash)[0])
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
	equal(t, recoveryCodesOf(t, s, id).Remaining, store.MaxRecoveryCodes, "Remaining")
	use(t, s, id, hs[len(hs)-2], store.MaxRecoveryCodes-1)
	use(t, s, id, hs[len(hs)-1], store.MaxRecoveryCodes-2)
}

func testRecoveryUnknownAccount(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newID("acc-")
	hs := hashes(3, 32)
	isErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), store.ErrNotFound, "SetRecoveryCodes(unknown account)")
	unusable(t, s, id, hs[0], "UseRecoveryCode(unknown account)")
}

func testRecoveryOtherAccount(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	ha, hb := hashes(3, 32), hashes(3, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), a, ha, at), "SetRecoveryCodes(a)")
	noErr(t, s.SetRecoveryCodes(ctx(t), b, hb, at), "SetRecoveryCodes(b)")
	unusable(t, s, b, ha[0], "another account's code")
	equal(t, recoveryCodesOf(t, s, b).Remaining, 3, "codes of the account that tried another's")
	use(t, s, a, ha[0], 2)
	// Replacing one account's set leaves the other's alone.
	noErr(t, s.SetRecoveryCodes(ctx(t), a, nil, at), "SetRecoveryCodes(a, none)")
	use(t, s, b, hb[0], 2)
}

// testRecoveryConcurrentOne: one recovery code submitted 100 times at once
// logs in once.
func testRecoveryConcurrentOne(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	hs := hashes(10, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
	const n = 100
	errs := make([]error, n)
	left := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { left[i], errs[i] = s.UseRecoveryCode(ctx(t), id, hs[5]) })
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
			equal(t, left[i], 9, "remaining returned to the winner")
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("UseRecoveryCode: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d parallel uses of one code succeeded, want exactly 1", won, n)
	}
	equal(t, recoveryCodesOf(t, s, id).Remaining, 9, "Remaining")
}

// testRecoveryConcurrentAll: every code used at once succeeds once, and
// each use sees its own count of what is left.
func testRecoveryConcurrentAll(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	const n = 20
	hs := hashes(n, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
	errs := make([]error, n)
	left := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { left[i], errs[i] = s.UseRecoveryCode(ctx(t), id, hs[i]) })
	}
	wg.Wait()
	for _, err := range errs {
		noErr(t, err, "UseRecoveryCode")
	}
	slices.Sort(left)
	want := make([]int, n)
	for i := range want {
		want[i] = i
	}
	equal(t, left, want, "the counts the parallel uses returned")
	equal(t, recoveryCodesOf(t, s, id).Remaining, 0, "Remaining")
}

func findable(t *testing.T, s store.Recovery, accountID string, hash []byte, what string) {
	t.Helper()
	noErr(t, s.FindRecoveryCode(ctx(t), accountID, hash), "FindRecoveryCode("+what+")")
}

func notFindable(t *testing.T, s store.Recovery, accountID string, hash []byte, what string) {
	t.Helper()
	isErr(t, s.FindRecoveryCode(ctx(t), accountID, hash), store.ErrNotFound, "FindRecoveryCode("+what+")")
}

// testRecoveryFind: FindRecoveryCode finds an unused code of the
// account's set, and nothing else, and changes nothing: a code found any
// number of times is still there to use, once.
func testRecoveryFind(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id, other := newAccount(t, s), newAccount(t, s)
	hs, theirs := hashes(5, 32), hashes(2, 32)
	notFindable(t, s, id, hs[0], "an account without a set")
	notFindable(t, s, newID("acc-"), hs[0], "an unknown account")
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
	noErr(t, s.SetRecoveryCodes(ctx(t), other, theirs, at), "SetRecoveryCodes(other)")
	for range 3 {
		for i, h := range hs {
			findable(t, s, id, h, fmt.Sprint("code ", i))
		}
	}
	equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{Remaining: 5, CreatedAt: at}, "RecoveryCodes after finding every code")
	notFindable(t, s, id, theirs[0], "another account's code")
	notFindable(t, s, id, hashes(1, 32)[0], "a code never made")
	notFindable(t, s, id, hs[0][:16], "a prefix of a code")
	notFindable(t, s, id, nil, "no hash")
	use(t, s, id, hs[2], 4)
	notFindable(t, s, id, hs[2], "a used code")
	findable(t, s, id, hs[3], "a code left after another was used")
	use(t, s, id, hs[3], 3)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hashes(2, 32), at.Add(time.Hour)), "SetRecoveryCodes (replace)")
	notFindable(t, s, id, hs[0], "a code of the replaced set")
	findable(t, s, other, theirs[1], "the other account's code")
	equal(t, recoveryCodesOf(t, s, other).Remaining, 2, "the other account's codes")

	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.FindRecoveryCode(c, other, theirs[0]); err == nil {
		t.Fatal("FindRecoveryCode with a canceled context succeeded")
	}
}

// testRecoveryFindThenUse: 50 callers at once each find one code and then
// use it, as auth does around the login the code completes: all find it,
// exactly one uses it.
func testRecoveryFindThenUse(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	hs := hashes(3, 32)
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
	const n = 50
	var found, wg sync.WaitGroup
	found.Add(n)
	finds, uses := make([]error, n), make([]error, n)
	for i := range n {
		wg.Go(func() {
			finds[i] = s.FindRecoveryCode(ctx(t), id, hs[1])
			found.Done()
			found.Wait()
			_, uses[i] = s.UseRecoveryCode(ctx(t), id, hs[1])
		})
	}
	wg.Wait()
	won := 0
	for i := range n {
		noErr(t, finds[i], "FindRecoveryCode before any use")
		switch err := uses[i]; {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("UseRecoveryCode: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d callers that found one code used it, want exactly 1", won, n)
	}
	equal(t, recoveryCodesOf(t, s, id).Remaining, 2, "Remaining")
}

func testRecoveryCopies(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	hs := hashes(2, 32)
	h0, h1 := slices.Clone(hs[0]), slices.Clone(hs[1])
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
	hs[0][0] ^= 0xff // the caller's slices are the caller's
	hs[1] = hashes(1, 32)[0]
	use(t, s, id, h0, 1)
	use(t, s, id, h1, 0)
}

func testRecoveryCanceled(t *testing.T, open Opener) {
	s := as[accountsAndRecovery](t, open)
	id := newAccount(t, s)
	hs := hashes(3, 32)
	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.SetRecoveryCodes(c, id, hs, at); err == nil {
		t.Fatal("SetRecoveryCodes with a canceled context succeeded")
	}
	equal(t, recoveryCodesOf(t, s, id), store.RecoveryCodes{}, "RecoveryCodes set under a canceled context")
	noErr(t, s.SetRecoveryCodes(ctx(t), id, hs, at), "SetRecoveryCodes")
	if _, err := s.UseRecoveryCode(c, id, hs[0]); err == nil {
		t.Fatal("UseRecoveryCode with a canceled context succeeded")
	}
	use(t, s, id, hs[0], 2)
}

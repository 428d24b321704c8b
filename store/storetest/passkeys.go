package storetest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func passkeyClauses() []clause {
	return []clause{
		{"CreateAndRead", testPasskeyRoundTrip},
		{"OldestFirst", testPasskeyOrder},
		{"ByID", testPasskeyByID},
		{"DuplicateID", testPasskeyDuplicate},
		{"UnknownAccount", testPasskeyUnknownAccount},
		{"Invalid", testPasskeyInvalid},
		{"AtBounds", testPasskeyBounds},
		{"Capacity", testPasskeyCapacity},
		{"ConcurrentCapacity", testPasskeyConcurrentCapacity},
		{"Use", testUsePasskey},
		{"ConcurrentUse", testConcurrentUsePasskey},
		{"Rename", testRenamePasskey},
		{"Delete", testDeletePasskey},
		{"OtherAccount", testPasskeyOtherAccount},
		{"ReturnedCopies", testPasskeyCopies},
		{"DeleteAccount", testPasskeysDeleteAccount},
		{"CanceledContext", testPasskeysCanceled},
	}
}

type accountsAndPasskeys interface {
	store.Accounts
	store.Passkeys
}

// passkeyID returns a random credential ID of n bytes (at least 8), so
// that clauses run against a shared, persistent database never collide
// with earlier runs.
func passkeyID(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

// passkey returns a valid passkey of the account, with every field set.
func passkey(accountID string) store.Passkey {
	return store.Passkey{
		ID:        passkeyID(32),
		AccountID: accountID,
		// A COSE EC2 key's first bytes, then noise: any bytes, NUL
		// included, must come back as they went in.
		PublicKey:      append([]byte{0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x00}, passkeyID(64)...),
		SignCount:      41,
		Transports:     []string{"internal", "hybrid"},
		AAGUID:         []byte{0xfb, 0xfc, 0x30, 0x07, 0x15, 0x4e, 0x4e, 0xcc, 0x8c, 0x0b, 0x6e, 0x02, 0x05, 0x57, 0xd7, 0xbd},
		BackupEligible: true,
		BackedUp:       true,
		Name:           "Budi's phone",
		CreatedAt:      at,
	}
}

// normPasskey puts p in the form the store returns: times in UTC and
// empty slices as nil (a store may read back either).
func normPasskey(p store.Passkey) store.Passkey {
	p.CreatedAt, p.LastUsedAt = p.CreatedAt.UTC(), p.LastUsedAt.UTC()
	if len(p.AAGUID) == 0 {
		p.AAGUID = nil
	}
	if len(p.Transports) == 0 {
		p.Transports = nil
	}
	return p
}

// checkPasskey requires the times of a returned passkey to be in UTC and
// normalizes its empty slices.
func checkPasskey(t *testing.T, p store.Passkey) store.Passkey {
	t.Helper()
	for _, tm := range []time.Time{p.CreatedAt, p.LastUsedAt} {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("passkey time %v is not in UTC", tm)
		}
	}
	return normPasskey(p)
}

func passkeysOf(t *testing.T, s store.Passkeys, accountID string) []store.Passkey {
	t.Helper()
	ps, err := s.Passkeys(ctx(t), accountID)
	noErr(t, err, "Passkeys")
	if ps == nil {
		t.Fatal("Passkeys returned a nil slice, want an empty one")
	}
	for i := range ps {
		ps[i] = checkPasskey(t, ps[i])
	}
	return ps
}

func passkeyOf(t *testing.T, s store.Passkeys, id []byte) store.Passkey {
	t.Helper()
	p, err := s.Passkey(ctx(t), id)
	noErr(t, err, "Passkey")
	return checkPasskey(t, p)
}

func noPasskey(t *testing.T, s store.Passkeys, id []byte, what string) {
	t.Helper()
	_, err := s.Passkey(ctx(t), id)
	isErr(t, err, store.ErrNotFound, what)
}

func createPasskeys(t *testing.T, s store.Passkeys, ps ...store.Passkey) {
	t.Helper()
	for _, p := range ps {
		noErr(t, s.CreatePasskey(ctx(t), p), "CreatePasskey")
	}
}

func passkeyIDs(ps []store.Passkey) [][]byte {
	ids := make([][]byte, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func testPasskeyRoundTrip(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	equal(t, len(passkeysOf(t, s, id)), 0, "passkeys of an account without any")

	p := passkey(id)
	p.CreatedAt = at.In(wib)
	p.LastUsedAt = at.Add(time.Minute).In(wib)
	p.SignCount = 1<<32 - 1 // the counter's whole range
	// A security key: no backup, no name, one transport.
	q := passkey(id)
	q.SignCount = 0
	q.Transports = []string{"usb"}
	q.BackupEligible, q.BackedUp = false, false
	q.Name = ""
	q.CreatedAt = at.Add(time.Second)
	// A synced passkey: eligible but not backed up yet, no AAGUID, no
	// transports, never used.
	r := passkey(id)
	r.SignCount = 0
	r.AAGUID = nil
	r.Transports = nil
	r.BackedUp = false
	r.Name = "Kunci Budi — laptop kantor"
	r.CreatedAt = at.Add(2 * time.Second)
	createPasskeys(t, s, p, q, r)

	want := []store.Passkey{normPasskey(p), normPasskey(q), normPasskey(r)}
	equal(t, passkeysOf(t, s, id), want, "Passkeys")
	for _, w := range want {
		equal(t, passkeyOf(t, s, w.ID), w, "Passkey")
	}
}

// testPasskeyOrder: oldest first, by CreatedAt, then by the bytes of the
// credential ID, unsigned.
func testPasskeyOrder(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	base := passkeyID(8)
	mk := func(suffix []byte, d time.Duration) store.Passkey {
		p := passkey(id)
		p.ID, p.CreatedAt = append(slices.Clone(base), suffix...), at.Add(d)
		return p
	}
	a := mk([]byte{0x01}, time.Second)
	b := mk([]byte{0x01, 0x00}, time.Second)
	c := mk([]byte{0x7f}, time.Second)
	d := mk([]byte{0x80}, time.Second)
	e := mk([]byte{0xff}, time.Second)
	f := mk([]byte{0x00}, 2*time.Second)
	g := mk([]byte{0xff, 0xff}, 0)
	createPasskeys(t, s, f, e, c, a, d, g, b)
	equal(t, passkeyIDs(passkeysOf(t, s, id)), passkeyIDs([]store.Passkey{g, a, b, c, d, e, f}), "order of Passkeys")
}

// testPasskeyByID: Passkey finds a passkey by its credential ID alone,
// whichever account it belongs to.
func testPasskeyByID(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	p, q := passkey(a), passkey(b)
	createPasskeys(t, s, p, q)
	equal(t, passkeyOf(t, s, p.ID), normPasskey(p), "Passkey of the first account")
	equal(t, passkeyOf(t, s, q.ID), normPasskey(q), "Passkey of the second account")
	noPasskey(t, s, passkeyID(32), "Passkey(unknown)")
	noPasskey(t, s, p.ID[:len(p.ID)-1], "Passkey(a prefix of an ID)")
	noPasskey(t, s, nil, "Passkey(nil)")
	noPasskey(t, s, []byte{}, "Passkey(empty)")
}

// testPasskeyDuplicate: credential IDs are unique across accounts.
func testPasskeyDuplicate(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	p := passkey(a)
	createPasskeys(t, s, p)
	q := passkey(a)
	q.ID = slices.Clone(p.ID)
	q.Name = "the other one"
	isErr(t, s.CreatePasskey(ctx(t), q), store.ErrConflict, "same ID, same account")
	q.AccountID = b
	isErr(t, s.CreatePasskey(ctx(t), q), store.ErrConflict, "same ID, another account")
	equal(t, passkeysOf(t, s, a), []store.Passkey{normPasskey(p)}, "passkeys of the first account")
	equal(t, len(passkeysOf(t, s, b)), 0, "passkeys of the second account")
	equal(t, passkeyOf(t, s, p.ID), normPasskey(p), "Passkey")
}

func testPasskeyUnknownAccount(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	p := passkey(newID("acc-"))
	isErr(t, s.CreatePasskey(ctx(t), p), store.ErrNotFound, "CreatePasskey(unknown account)")
	noPasskey(t, s, p.ID, "Passkey of the refused passkey")
	// The ID was not taken by the refused passkey.
	p.AccountID = newAccount(t, s)
	createPasskeys(t, s, p)
}

// testPasskeyInvalid: each bound of CheckPasskey is ErrInvalid, and
// nothing is written.
func testPasskeyInvalid(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	for name, mutate := range map[string]func(*store.Passkey){
		"no id":                     func(p *store.Passkey) { p.ID = nil },
		"empty id":                  func(p *store.Passkey) { p.ID = []byte{} },
		"long id":                   func(p *store.Passkey) { p.ID = passkeyID(store.MaxPasskeyID + 1) },
		"no account":                func(p *store.Passkey) { p.AccountID = "" },
		"no public key":             func(p *store.Passkey) { p.PublicKey = nil },
		"long public key":           func(p *store.Passkey) { p.PublicKey = make([]byte, store.MaxPasskeyKey+1) },
		"short aaguid":              func(p *store.Passkey) { p.AAGUID = p.AAGUID[:15] },
		"long aaguid":               func(p *store.Passkey) { p.AAGUID = append(p.AAGUID, 0) },
		"too many transports":       func(p *store.Passkey) { p.Transports = slices.Repeat([]string{"usb"}, store.MaxPasskeyTransports+1) },
		"empty transport":           func(p *store.Passkey) { p.Transports = []string{"usb", ""} },
		"long transport":            func(p *store.Passkey) { p.Transports = []string{strings.Repeat("t", store.MaxPasskeyTransport+1)} },
		"no creation time":          func(p *store.Passkey) { p.CreatedAt = time.Time{} },
		"backed up, not eligible":   func(p *store.Passkey) { p.BackupEligible, p.BackedUp = false, true },
		"long name":                 func(p *store.Passkey) { p.Name = strings.Repeat("n", store.MaxFactorLabel+1) },
		"name not UTF-8":            func(p *store.Passkey) { p.Name = "Budi\xff" },
		"long name of multibyte":    func(p *store.Passkey) { p.Name = strings.Repeat("é", store.MaxFactorLabel/2) + "x" },
		"aaguid and key both wrong": func(p *store.Passkey) { p.AAGUID, p.PublicKey = []byte{1}, nil },
	} {
		p := passkey(id)
		mutate(&p)
		isErr(t, s.CreatePasskey(ctx(t), p), store.ErrInvalid, name)
		if len(p.ID) > 0 {
			noPasskey(t, s, p.ID, name+": Passkey of the refused passkey")
		}
	}
	equal(t, len(passkeysOf(t, s, id)), 0, "passkeys after invalid creates")
}

// testPasskeyBounds: the bounds of CheckPasskey are inclusive.
func testPasskeyBounds(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	p := passkey(id)
	p.ID = passkeyID(store.MaxPasskeyID)
	p.PublicKey = bytes.Repeat([]byte{0xa5, 0x00}, store.MaxPasskeyKey/2)
	p.Transports = make([]string, store.MaxPasskeyTransports)
	for i := range p.Transports {
		p.Transports[i] = strings.Repeat(string(rune('a'+i)), store.MaxPasskeyTransport)
	}
	p.Name = strings.Repeat("é", store.MaxFactorLabel/2) // 200 bytes
	q := passkey(id)
	q.ID = passkeyID(1)
	q.PublicKey = []byte{0}
	q.AAGUID = make([]byte, 16) // all zero, as for most synced passkeys
	q.Transports = []string{"b"}
	q.CreatedAt = at.Add(time.Second)
	createPasskeys(t, s, p, q)
	equal(t, passkeysOf(t, s, id), []store.Passkey{normPasskey(p), normPasskey(q)}, "Passkeys")
}

// testPasskeyCapacity: an account may have MaxPasskeysPerAccount
// passkeys; one more is ErrCapacity and is not written.
func testPasskeyCapacity(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	var first store.Passkey
	for i := range store.MaxPasskeysPerAccount {
		p := passkey(a)
		p.CreatedAt = at.Add(time.Duration(i) * time.Second)
		createPasskeys(t, s, p)
		if i == 0 {
			first = p
		}
	}
	extra := passkey(a)
	extra.CreatedAt = at.Add(time.Hour)
	isErr(t, s.CreatePasskey(ctx(t), extra), store.ErrCapacity, "one passkey too many")
	equal(t, len(passkeysOf(t, s, a)), store.MaxPasskeysPerAccount, "passkeys after the refusal")
	noPasskey(t, s, extra.ID, "Passkey of the refused passkey")
	createPasskeys(t, s, passkey(b)) // another account is not affected
	noErr(t, s.DeletePasskey(ctx(t), a, first.ID), "DeletePasskey")
	createPasskeys(t, s, extra)
}

// testPasskeyConcurrentCapacity: of many passkeys created at once for one
// account, exactly MaxPasskeysPerAccount are kept.
func testPasskeyConcurrentCapacity(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	const n = 2 * store.MaxPasskeysPerAccount
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p := passkey(id)
			p.CreatedAt = at.Add(time.Duration(i) * time.Second)
			errs[i] = s.CreatePasskey(ctx(t), p)
		})
	}
	wg.Wait()
	created := 0
	for _, err := range errs {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, store.ErrCapacity):
			t.Fatalf("CreatePasskey: %v", err)
		}
	}
	equal(t, created, store.MaxPasskeysPerAccount, "passkeys created at once")
	equal(t, len(passkeysOf(t, s, id)), store.MaxPasskeysPerAccount, "passkeys kept")
}

// testUsePasskey: UsePasskey is a compare-and-set of the sign count; a
// stale count, an unknown passkey or another account's passkey change
// nothing.
func testUsePasskey(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id, other := newAccount(t, s), newAccount(t, s)
	p := passkey(id)
	p.BackedUp = false
	createPasskeys(t, s, p)
	want := normPasskey(p)

	use := func(from, to uint32, backedUp bool, when time.Time) store.PasskeyUse {
		return store.PasskeyUse{AccountID: id, ID: slices.Clone(p.ID), From: from, To: to, BackedUp: backedUp, At: when}
	}
	isErr(t, s.UsePasskey(ctx(t), use(40, 42, true, at)), store.ErrStale, "UsePasskey from a count below")
	isErr(t, s.UsePasskey(ctx(t), use(42, 43, true, at)), store.ErrStale, "UsePasskey from a count above")
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after stale uses")

	when := at.Add(time.Hour).In(wib)
	noErr(t, s.UsePasskey(ctx(t), use(41, 42, true, when)), "UsePasskey")
	want.SignCount, want.BackedUp, want.LastUsedAt = 42, true, when.UTC()
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after UsePasskey")
	equal(t, passkeysOf(t, s, id), []store.Passkey{want}, "Passkeys after UsePasskey")

	isErr(t, s.UsePasskey(ctx(t), use(41, 43, false, when.Add(time.Minute))), store.ErrStale, "UsePasskey from the count it replaced")
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after a stale use")

	// The store sets the count; whether it went forward is the caller's
	// to judge. A synced passkey's count stays 0, and 0 to 0 succeeds
	// every time; the backup state may go either way.
	noErr(t, s.UsePasskey(ctx(t), use(42, 0, false, when.Add(time.Minute))), "UsePasskey to 0")
	noErr(t, s.UsePasskey(ctx(t), use(0, 0, true, when.Add(2*time.Minute))), "UsePasskey from 0 to 0")
	noErr(t, s.UsePasskey(ctx(t), use(0, 0, false, when.Add(3*time.Minute))), "UsePasskey from 0 to 0 again")
	want.SignCount, want.BackedUp, want.LastUsedAt = 0, false, when.Add(3*time.Minute).UTC()
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after uses from 0 to 0")

	u := use(0, 1, true, at)
	u.ID = passkeyID(32)
	isErr(t, s.UsePasskey(ctx(t), u), store.ErrNotFound, "UsePasskey(unknown)")
	u = use(0, 1, true, at)
	u.AccountID = other
	isErr(t, s.UsePasskey(ctx(t), u), store.ErrNotFound, "UsePasskey through another account")
	u.AccountID = newID("acc-")
	isErr(t, s.UsePasskey(ctx(t), u), store.ErrNotFound, "UsePasskey through an unknown account")
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after uses that found nothing")
}

// testConcurrentUsePasskey: one sign count read by many logins at once is
// moved by one of them only, so that a cloned authenticator racing the
// real one cannot both log in from one count.
func testConcurrentUsePasskey(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	p := passkey(id)
	createPasskeys(t, s, p)
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.UsePasskey(ctx(t), store.PasskeyUse{
				AccountID: id, ID: p.ID, From: p.SignCount, To: p.SignCount + 1 + uint32(i),
				BackedUp: true, At: at.Add(time.Duration(i+1) * time.Second),
			})
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("UsePasskey calls %d and %d from one count both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrStale):
			t.Fatalf("UsePasskey: %v", err)
		}
	}
	if winner < 0 {
		t.Fatalf("none of %d parallel UsePasskey calls from one count succeeded, want exactly 1", n)
	}
	got := passkeyOf(t, s, p.ID)
	equal(t, got.SignCount, p.SignCount+1+uint32(winner), "SignCount, the winner's")
	equal(t, got.LastUsedAt, at.Add(time.Duration(winner+1)*time.Second), "LastUsedAt, the winner's")
}

func testRenamePasskey(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	p := passkey(id)
	createPasskeys(t, s, p)
	want := normPasskey(p)

	noErr(t, s.RenamePasskey(ctx(t), id, p.ID, "Ponsel kerja"), "RenamePasskey")
	want.Name = "Ponsel kerja"
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after RenamePasskey")
	noErr(t, s.RenamePasskey(ctx(t), id, p.ID, "Ponsel kerja"), "RenamePasskey to the same name")
	long := strings.Repeat("n", store.MaxFactorLabel)
	noErr(t, s.RenamePasskey(ctx(t), id, p.ID, long), "RenamePasskey to the longest name")
	want.Name = long
	noErr(t, s.RenamePasskey(ctx(t), id, p.ID, ""), "RenamePasskey to no name")
	want.Name = ""
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after renames")

	isErr(t, s.RenamePasskey(ctx(t), id, p.ID, long+"n"), store.ErrInvalid, "RenamePasskey to a long name")
	isErr(t, s.RenamePasskey(ctx(t), id, p.ID, "\xff"), store.ErrInvalid, "RenamePasskey to a name that is not UTF-8")
	equal(t, passkeyOf(t, s, p.ID), want, "passkey after refused renames")
	isErr(t, s.RenamePasskey(ctx(t), id, passkeyID(32), "x"), store.ErrNotFound, "RenamePasskey(unknown)")
}

func testDeletePasskey(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	p := passkey(id)
	q := passkey(id)
	q.CreatedAt = at.Add(time.Second)
	createPasskeys(t, s, p, q)
	noErr(t, s.DeletePasskey(ctx(t), id, p.ID), "DeletePasskey")
	equal(t, passkeysOf(t, s, id), []store.Passkey{normPasskey(q)}, "passkeys after DeletePasskey")
	noPasskey(t, s, p.ID, "Passkey of a deleted passkey")
	isErr(t, s.DeletePasskey(ctx(t), id, p.ID), store.ErrNotFound, "DeletePasskey again")
	isErr(t, s.UsePasskey(ctx(t), store.PasskeyUse{AccountID: id, ID: p.ID, From: p.SignCount, To: p.SignCount + 1, At: at}),
		store.ErrNotFound, "UsePasskey of a deleted passkey")
	isErr(t, s.RenamePasskey(ctx(t), id, p.ID, "x"), store.ErrNotFound, "RenamePasskey of a deleted passkey")
	isErr(t, s.DeletePasskey(ctx(t), id, passkeyID(32)), store.ErrNotFound, "DeletePasskey(unknown)")
	// Its ID is free again.
	createPasskeys(t, s, p)
	equal(t, passkeyOf(t, s, p.ID), normPasskey(p), "the passkey created again")
}

// testPasskeyOtherAccount: a passkey is changed only through its own
// account: naming its ID with another account's ID finds nothing.
func testPasskeyOtherAccount(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	a, b := newAccount(t, s), newAccount(t, s)
	p := passkey(a)
	createPasskeys(t, s, p)
	want := []store.Passkey{normPasskey(p)}

	equal(t, len(passkeysOf(t, s, b)), 0, "passkeys of the other account")
	isErr(t, s.UsePasskey(ctx(t), store.PasskeyUse{AccountID: b, ID: p.ID, From: p.SignCount, To: p.SignCount + 1, BackedUp: true, At: at}),
		store.ErrNotFound, "UsePasskey through another account")
	isErr(t, s.RenamePasskey(ctx(t), b, p.ID, "stolen"), store.ErrNotFound, "RenamePasskey through another account")
	isErr(t, s.DeletePasskey(ctx(t), b, p.ID), store.ErrNotFound, "DeletePasskey through another account")
	equal(t, passkeysOf(t, s, a), want, "the owner's passkeys")
	equal(t, passkeyOf(t, s, p.ID), want[0], "Passkey")
}

// testPasskeyCopies: the store keeps its own copies of the slices it is
// given and hands out copies of its own.
func testPasskeyCopies(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	p := passkey(id)
	want := normPasskey(p)
	want.ID, want.PublicKey, want.AAGUID = slices.Clone(p.ID), slices.Clone(p.PublicKey), slices.Clone(p.AAGUID)
	want.Transports = slices.Clone(p.Transports)
	createPasskeys(t, s, p)
	// The caller's slices are the caller's.
	p.ID[0] ^= 0xff
	p.PublicKey[0] ^= 0xff
	p.AAGUID[0] ^= 0xff
	p.Transports[0] = "usb"
	equal(t, passkeyOf(t, s, want.ID), want, "passkey after the caller changed its slices")

	mutate := func(got store.Passkey) {
		got.ID[0] ^= 0xff
		got.PublicKey[0] ^= 0xff
		got.AAGUID[0] ^= 0xff
		got.Transports[0] = "nfc"
	}
	mutate(passkeyOf(t, s, want.ID))
	equal(t, passkeyOf(t, s, want.ID), want, "passkey after the caller changed what Passkey returned")
	mutate(passkeysOf(t, s, id)[0])
	equal(t, passkeysOf(t, s, id), []store.Passkey{want}, "passkeys after the caller changed what Passkeys returned")

	u := store.PasskeyUse{AccountID: id, ID: slices.Clone(want.ID), From: want.SignCount, To: want.SignCount + 1, BackedUp: true, At: at}
	noErr(t, s.UsePasskey(ctx(t), u), "UsePasskey")
	u.ID[0] ^= 0xff
	want.SignCount, want.LastUsedAt = want.SignCount+1, at
	equal(t, passkeyOf(t, s, want.ID), want, "passkey after the caller changed the ID it used")
}

// testPasskeysDeleteAccount: DeleteAccount takes the account's passkeys
// with it, and leaves another account's; their credential IDs are free
// again.
func testPasskeysDeleteAccount(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	realm := newID("realm-")
	pending := account(realm, "199001012020121001")
	pending.State = store.StatePendingConfirmation
	noErr(t, s.CreateAccount(ctx(t), pending, nil), "CreateAccount")
	neighbour := account(realm, "199001012020121002")
	neighbour.State = store.StatePendingConfirmation
	noErr(t, s.CreateAccount(ctx(t), neighbour, nil), "CreateAccount")
	p, q := passkey(pending.ID), passkey(pending.ID)
	q.CreatedAt = at.Add(time.Second)
	n := passkey(neighbour.ID)
	createPasskeys(t, s, p, q, n)

	noErr(t, s.DeleteAccount(ctx(t), pending.ID, store.StatePendingConfirmation, at.Add(7*24*time.Hour)), "DeleteAccount")
	equal(t, len(passkeysOf(t, s, pending.ID)), 0, "passkeys of a deleted account")
	for _, k := range []store.Passkey{p, q} {
		noPasskey(t, s, k.ID, "Passkey of a deleted account's passkey")
		isErr(t, s.UsePasskey(ctx(t), store.PasskeyUse{AccountID: pending.ID, ID: k.ID, From: k.SignCount, To: k.SignCount + 1, At: at}),
			store.ErrNotFound, "UsePasskey of a deleted account's passkey")
	}
	equal(t, passkeysOf(t, s, neighbour.ID), []store.Passkey{normPasskey(n)}, "the other account's passkeys")

	p.AccountID = neighbour.ID
	createPasskeys(t, s, p)
	equal(t, passkeyOf(t, s, p.ID), normPasskey(p), "a deleted account's credential ID, taken by another account")
}

func testPasskeysCanceled(t *testing.T, open Opener) {
	s := as[accountsAndPasskeys](t, open)
	id := newAccount(t, s)
	c, cancel := contextWithCancel(t)
	cancel()
	p := passkey(id)
	if err := s.CreatePasskey(c, p); err == nil {
		t.Fatal("CreatePasskey with a canceled context succeeded")
	}
	equal(t, len(passkeysOf(t, s, id)), 0, "passkeys created under a canceled context")
	if _, err := s.Passkeys(c, id); err == nil {
		t.Fatal("Passkeys with a canceled context succeeded")
	}
	createPasskeys(t, s, p)
	if _, err := s.Passkey(c, p.ID); err == nil {
		t.Fatal("Passkey with a canceled context succeeded")
	}
	u := store.PasskeyUse{AccountID: id, ID: p.ID, From: p.SignCount, To: p.SignCount + 1, At: at}
	if err := s.UsePasskey(c, u); err == nil {
		t.Fatal("UsePasskey with a canceled context succeeded")
	}
	if err := s.RenamePasskey(c, id, p.ID, "x"); err == nil {
		t.Fatal("RenamePasskey with a canceled context succeeded")
	}
	if err := s.DeletePasskey(c, id, p.ID); err == nil {
		t.Fatal("DeletePasskey with a canceled context succeeded")
	}
	equal(t, passkeyOf(t, s, p.ID), normPasskey(p), "passkey after calls under a canceled context")
}

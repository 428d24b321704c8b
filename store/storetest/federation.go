package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func federationClauses() []clause {
	return []clause{
		{"LinkAndRead", testLinkIdentity},
		{"OldestFirst", testFederatedOrder},
		{"ExactMatch", testFederatedExactMatch},
		{"Realms", testFederatedRealms},
		{"UnknownAccount", testLinkUnknownAccount},
		{"Invalid", testLinkInvalid},
		{"AtBounds", testLinkBounds},
		{"Conflict", testLinkConflict},
		{"OnePerProvider", testLinkOnePerProvider},
		{"ConcurrentLink", testConcurrentLink},
		{"ConcurrentOnePerProvider", testConcurrentOnePerProvider},
		{"Use", testUseFederatedIdentity},
		{"Unlink", testUnlinkIdentity},
		{"UnlinkKeepAWay", testUnlinkKeepAWay},
		{"ConcurrentUnlink", testConcurrentUnlink},
		{"DeleteAccount", testFederatedDeleteAccount},
		{"EraseAccount", testFederatedEraseAccount},
		{"CanceledContext", testFederationCanceled},
	}
}

type accountsAndFederation interface {
	store.Accounts
	store.Federation
}

// The issuers of the clauses: INApas's, Google's (exactly as its ID
// tokens carry it, no trailing slash) and a ministry's.
const (
	issuerINApas   = "https://sso.inapas.go.id"
	issuerGoogle   = "https://accounts.google.com"
	issuerMinistry = "https://sso.kemenkeu.go.id/realms/pegawai"
)

// identity returns a link of the account of realm to a random subject at
// issuer, created at at.
func identity(realm, accountID, issuer string) store.FederatedIdentity {
	return store.FederatedIdentity{
		Realm:     realm,
		Issuer:    issuer,
		Subject:   newID("sub-"),
		AccountID: accountID,
		CreatedAt: at,
	}
}

// newRealmAccount creates an account in a realm of its own, without a
// credential, and returns it.
func newRealmAccount(t *testing.T, s store.Accounts) store.Account {
	t.Helper()
	a := account(newID("realm-"), "user")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	return a
}

// normFederated puts f in the form the store returns: times in UTC.
func normFederated(f store.FederatedIdentity) store.FederatedIdentity {
	f.CreatedAt, f.LastUsedAt = f.CreatedAt.UTC(), f.LastUsedAt.UTC()
	return f
}

// checkFederated requires the times of a returned identity to be in UTC.
func checkFederated(t *testing.T, f store.FederatedIdentity) store.FederatedIdentity {
	t.Helper()
	for _, tm := range []time.Time{f.CreatedAt, f.LastUsedAt} {
		if !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("federated identity time %v is not in UTC", tm)
		}
	}
	return normFederated(f)
}

func link(t *testing.T, s store.Federation, fs ...store.FederatedIdentity) {
	t.Helper()
	for _, f := range fs {
		noErr(t, s.LinkIdentity(ctx(t), f), "LinkIdentity")
	}
}

func identityOf(t *testing.T, s store.Federation, f store.FederatedIdentity) store.FederatedIdentity {
	t.Helper()
	got, err := s.FederatedIdentity(ctx(t), f.Realm, f.Issuer, f.Subject)
	noErr(t, err, "FederatedIdentity")
	return checkFederated(t, got)
}

func noIdentity(t *testing.T, s store.Federation, realm, issuer, subject, what string) {
	t.Helper()
	_, err := s.FederatedIdentity(ctx(t), realm, issuer, subject)
	isErr(t, err, store.ErrNotFound, what)
}

func identitiesOf(t *testing.T, s store.Federation, accountID string) []store.FederatedIdentity {
	t.Helper()
	fs, err := s.FederatedIdentities(ctx(t), accountID)
	noErr(t, err, "FederatedIdentities")
	if fs == nil {
		t.Fatal("FederatedIdentities returned a nil slice, want an empty one")
	}
	for i := range fs {
		fs[i] = checkFederated(t, fs[i])
	}
	return fs
}

func issuersOf(fs []store.FederatedIdentity) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Issuer
	}
	return out
}

// testLinkIdentity: a link reads back as it went in, by its key and in
// the account's list; LastUsedAt is kept, zero or not.
func testLinkIdentity(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	equal(t, len(identitiesOf(t, s, a.ID)), 0, "identities of an account without any")
	noIdentity(t, s, a.Realm, issuerINApas, "nobody", "FederatedIdentity(unknown)")

	f := identity(a.Realm, a.ID, issuerINApas)
	f.CreatedAt = at.In(wib)
	g := identity(a.Realm, a.ID, issuerGoogle)
	g.Subject = "110169484474386276334" // Google's subjects are digits
	g.CreatedAt = at.Add(time.Second)
	g.LastUsedAt = at.Add(time.Minute).In(wib)
	link(t, s, f, g)

	want := []store.FederatedIdentity{normFederated(f), normFederated(g)}
	equal(t, identitiesOf(t, s, a.ID), want, "FederatedIdentities")
	for _, w := range want {
		equal(t, identityOf(t, s, w), w, "FederatedIdentity")
	}
	equal(t, len(identitiesOf(t, s, newID("acc-"))), 0, "identities of an unknown account")
}

// testFederatedOrder: oldest first, by CreatedAt, then by the bytes of
// the issuer.
func testFederatedOrder(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	mk := func(issuer string, d time.Duration) store.FederatedIdentity {
		f := identity(a.Realm, a.ID, issuer)
		f.CreatedAt = at.Add(d)
		return f
	}
	// Bytewise, "Z" (0x5a) < "_" (0x5f) < "a" (0x61) < "é" (0xc3 0xa9),
	// which a case-insensitive or linguistic collation would not keep.
	b := mk("https://b.example", time.Second)
	z := mk("https://Z.example", time.Second)
	u := mk("https://_.example", time.Second)
	e := mk("https://é.example", time.Second)
	first := mk("https://z.example", 0)
	last := mk("https://a.example", 2*time.Second)
	link(t, s, last, e, b, first, u, z)
	equal(t, issuersOf(identitiesOf(t, s, a.ID)), issuersOf([]store.FederatedIdentity{first, z, u, b, e, last}), "order of FederatedIdentities")
}

// testFederatedExactMatch: realm, issuer and subject are compared byte for
// byte: a trailing slash, another case or a prefix is another identity.
func testFederatedExactMatch(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	f := identity(a.Realm, a.ID, issuerGoogle)
	f.Subject = "Sub-AbC"
	link(t, s, f)
	for name, k := range map[string][3]string{
		"issuer with a trailing slash": {a.Realm, issuerGoogle + "/", f.Subject},
		"issuer in upper case":         {a.Realm, strings.ToUpper(issuerGoogle), f.Subject},
		"issuer over http":             {a.Realm, "http://accounts.google.com", f.Subject},
		"subject in lower case":        {a.Realm, issuerGoogle, "sub-abc"},
		"a prefix of the subject":      {a.Realm, issuerGoogle, "Sub-Ab"},
		"the subject and more":         {a.Realm, issuerGoogle, "Sub-AbC "},
		"realm in upper case":          {strings.ToUpper(a.Realm), issuerGoogle, f.Subject},
		"empty realm":                  {"", issuerGoogle, f.Subject},
		"empty issuer":                 {a.Realm, "", f.Subject},
		"empty subject":                {a.Realm, issuerGoogle, ""},
		"subject with NUL":             {a.Realm, issuerGoogle, f.Subject + "\x00"},
		"subject not UTF-8":            {a.Realm, issuerGoogle, f.Subject + "\xff"},
	} {
		noIdentity(t, s, k[0], k[1], k[2], "FederatedIdentity of "+name)
		isErr(t, s.UseFederatedIdentity(ctx(t), k[0], k[1], k[2], at), store.ErrNotFound, "UseFederatedIdentity of "+name)
		if k[0] == a.Realm { // UnlinkIdentity names the account, not the realm
			isErr(t, s.UnlinkIdentity(ctx(t), a.ID, k[1], k[2], false), store.ErrNotFound, "UnlinkIdentity of "+name)
		}
	}
	// The near misses are identities of their own.
	other := newRealmAccount(t, s)
	g := identity(other.Realm, other.ID, issuerGoogle+"/")
	g.Subject = f.Subject
	link(t, s, g)
	equal(t, identityOf(t, s, f), normFederated(f), "the first identity")
	equal(t, identityOf(t, s, g), normFederated(g), "the identity at the issuer with a trailing slash")
}

// testFederatedRealms: one subject of one issuer is one identity per
// realm: it may be linked to an account in each realm, and each realm
// finds its own.
func testFederatedRealms(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a, b := newRealmAccount(t, s), newRealmAccount(t, s)
	f := identity(a.Realm, a.ID, issuerINApas)
	g := f
	g.Realm, g.AccountID = b.Realm, b.ID
	link(t, s, f, g)
	equal(t, identityOf(t, s, f), normFederated(f), "the identity in the first realm")
	equal(t, identityOf(t, s, g), normFederated(g), "the identity in the second realm")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(f)}, "identities of the first account")
	equal(t, identitiesOf(t, s, b.ID), []store.FederatedIdentity{normFederated(g)}, "identities of the second account")
	noIdentity(t, s, newID("realm-"), f.Issuer, f.Subject, "the identity in a third realm")

	noErr(t, s.UseFederatedIdentity(ctx(t), b.Realm, g.Issuer, g.Subject, at.Add(time.Hour)), "UseFederatedIdentity in the second realm")
	equal(t, identityOf(t, s, f), normFederated(f), "the identity in the first realm after a use in the second")
	noErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, false), "UnlinkIdentity in the first realm")
	g.LastUsedAt = at.Add(time.Hour)
	equal(t, identityOf(t, s, g), normFederated(g), "the identity in the second realm after an unlink in the first")
}

// testLinkUnknownAccount: linking to an account that does not exist, or
// that is in another realm than the link's, is ErrNotFound and writes
// nothing.
func testLinkUnknownAccount(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	f := identity(a.Realm, newID("acc-"), issuerINApas)
	isErr(t, s.LinkIdentity(ctx(t), f), store.ErrNotFound, "LinkIdentity(unknown account)")
	noIdentity(t, s, f.Realm, f.Issuer, f.Subject, "the identity refused for an unknown account")

	f.AccountID, f.Realm = a.ID, newID("realm-")
	isErr(t, s.LinkIdentity(ctx(t), f), store.ErrNotFound, "LinkIdentity(account of another realm)")
	noIdentity(t, s, f.Realm, f.Issuer, f.Subject, "the identity refused for an account of another realm")
	equal(t, len(identitiesOf(t, s, a.ID)), 0, "identities of the account of another realm")

	// Neither refusal took the identity or the account's issuer.
	f.Realm = a.Realm
	link(t, s, f)
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(f)}, "identities after the refusals")
}

// testLinkInvalid: each bound of CheckFederatedIdentity is ErrInvalid, and
// nothing is written.
func testLinkInvalid(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	for name, mutate := range map[string]func(*store.FederatedIdentity){
		"no realm":    func(f *store.FederatedIdentity) { f.Realm = "" },
		"no account":  func(f *store.FederatedIdentity) { f.AccountID = "" },
		"no issuer":   func(f *store.FederatedIdentity) { f.Issuer = "" },
		"long issuer": func(f *store.FederatedIdentity) { f.Issuer = "https://" + strings.Repeat("i", store.MaxIssuerBytes-7) },
		"long issuer of runes": func(f *store.FederatedIdentity) {
			f.Issuer = "https://" + strings.Repeat("é", (store.MaxIssuerBytes-8)/2) + "x"
		},
		"issuer not UTF-8":  func(f *store.FederatedIdentity) { f.Issuer = issuerINApas + "\xff" },
		"issuer with NUL":   func(f *store.FederatedIdentity) { f.Issuer = issuerINApas + "\x00" },
		"no subject":        func(f *store.FederatedIdentity) { f.Subject = "" },
		"long subject":      func(f *store.FederatedIdentity) { f.Subject = strings.Repeat("s", store.MaxSubjectBytes+1) },
		"subject not UTF-8": func(f *store.FederatedIdentity) { f.Subject = "\xc3" },
		"subject with NUL":  func(f *store.FederatedIdentity) { f.Subject = "sub\x00" },
		"no creation time":  func(f *store.FederatedIdentity) { f.CreatedAt = time.Time{} },
		"no creation time, used": func(f *store.FederatedIdentity) {
			f.CreatedAt, f.LastUsedAt = time.Time{}, at
		},
	} {
		f := identity(a.Realm, a.ID, issuerINApas)
		mutate(&f)
		isErr(t, s.LinkIdentity(ctx(t), f), store.ErrInvalid, name)
		if f.Realm != "" && f.Issuer != "" && f.Subject != "" {
			noIdentity(t, s, f.Realm, f.Issuer, f.Subject, name+": FederatedIdentity of the refused link")
		}
	}
	equal(t, len(identitiesOf(t, s, a.ID)), 0, "identities after invalid links")
	// An invalid link of an unknown account is ErrInvalid too.
	f := identity(a.Realm, newID("acc-"), issuerINApas)
	f.Subject = ""
	isErr(t, s.LinkIdentity(ctx(t), f), store.ErrInvalid, "invalid link of an unknown account")
}

// testLinkBounds: the bounds of CheckFederatedIdentity are inclusive, and
// any UTF-8 fits.
func testLinkBounds(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	f := identity(a.Realm, a.ID, "https://"+strings.Repeat("i", store.MaxIssuerBytes-8-len("/x"))+"/x")
	f.Subject = strings.Repeat("s", store.MaxSubjectBytes)
	g := identity(a.Realm, a.ID, "https://"+strings.Repeat("é", (store.MaxIssuerBytes-8)/2))
	g.Subject = strings.Repeat("ü", store.MaxSubjectBytes/2) + "x"
	g.CreatedAt = at.Add(time.Second)
	h := identity(a.Realm, a.ID, "i")
	h.Subject = "s"
	h.CreatedAt = at.Add(2 * time.Second)
	equal(t, [...]int{len(f.Issuer), len(f.Subject), len(g.Issuer), len(g.Subject)},
		[...]int{store.MaxIssuerBytes, store.MaxSubjectBytes, store.MaxIssuerBytes, store.MaxSubjectBytes}, "lengths of the identities at the bounds")
	link(t, s, f, g, h)
	want := []store.FederatedIdentity{normFederated(f), normFederated(g), normFederated(h)}
	equal(t, identitiesOf(t, s, a.ID), want, "FederatedIdentities")
	for _, w := range want {
		equal(t, identityOf(t, s, w), w, "FederatedIdentity")
	}
}

// testLinkConflict: an identity is linked once per realm: again to the
// same account or to another account of the realm is ErrConflict, and
// writes nothing.
func testLinkConflict(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	b := account(a.Realm, "other")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount")
	f := identity(a.Realm, a.ID, issuerINApas)
	link(t, s, f)

	again := f
	again.CreatedAt = at.Add(time.Hour)
	isErr(t, s.LinkIdentity(ctx(t), again), store.ErrConflict, "the same link again")
	taken := f
	taken.AccountID = b.ID
	isErr(t, s.LinkIdentity(ctx(t), taken), store.ErrConflict, "the identity to another account of the realm")
	equal(t, identityOf(t, s, f), normFederated(f), "the identity after the conflicts")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(f)}, "identities of the owner")
	equal(t, len(identitiesOf(t, s, b.ID)), 0, "identities of the other account")

	// Unlinked, it is free for the other account.
	noErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, false), "UnlinkIdentity")
	link(t, s, taken)
	equal(t, identityOf(t, s, f), normFederated(taken), "the identity, now the other account's")
}

// testLinkOnePerProvider: an account has at most one identity of each
// issuer; another issuer, or another account, may have the next.
func testLinkOnePerProvider(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	b := account(a.Realm, "other")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount")
	f := identity(a.Realm, a.ID, issuerINApas)
	link(t, s, f)

	second := identity(a.Realm, a.ID, issuerINApas)
	second.CreatedAt = at.Add(time.Second)
	isErr(t, s.LinkIdentity(ctx(t), second), store.ErrConflict, "a second identity of one issuer")
	noIdentity(t, s, second.Realm, second.Issuer, second.Subject, "the refused second identity")

	g := identity(a.Realm, a.ID, issuerGoogle)
	g.Subject = f.Subject // a subject is the issuer's: another issuer's is another identity
	g.CreatedAt = at.Add(time.Second)
	link(t, s, g)
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(f), normFederated(g)}, "identities of one account at two issuers")

	second.AccountID = b.ID
	link(t, s, second)

	// Once the first is unlinked, the account may link another of the
	// issuer.
	noErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, false), "UnlinkIdentity")
	third := identity(a.Realm, a.ID, issuerINApas)
	third.CreatedAt = at.Add(2 * time.Second)
	link(t, s, third)
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(g), normFederated(third)}, "identities after relinking the issuer")
}

// testConcurrentLink: of 16 links of one identity at once, each to
// another account of the realm, exactly one succeeds, and the identity is
// the winner's.
func testConcurrentLink(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	realm := newID("realm-")
	const n = 16
	ids := make([]string, n)
	for i := range ids {
		a := account(realm, fmt.Sprint("user-", i))
		noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
		ids[i] = a.ID
	}
	for round := range 3 {
		base := identity(realm, "", issuerINApas)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				f := base
				f.AccountID = ids[i]
				errs[i] = s.LinkIdentity(ctx(t), f)
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("round %d: LinkIdentity of one identity to accounts %d and %d both succeeded", round, winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, store.ErrConflict):
				t.Fatalf("LinkIdentity: %v", err)
			}
		}
		if winner < 0 {
			t.Fatalf("round %d: none of %d concurrent links of one identity succeeded, want exactly 1", round, n)
		}
		got := identityOf(t, s, base)
		equal(t, got.AccountID, ids[winner], "the identity's account, the winner's")
		for i, id := range ids {
			want := 0
			if i == winner {
				want = 1
			}
			equal(t, len(identitiesOf(t, s, id)), want, fmt.Sprint("identities of account ", i))
		}
		noErr(t, s.UnlinkIdentity(ctx(t), ids[winner], base.Issuer, base.Subject, false), "UnlinkIdentity")
	}
}

// testConcurrentOnePerProvider: of 16 links at once of one account to 16
// subjects of one issuer, exactly one succeeds.
func testConcurrentOnePerProvider(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	const n = 16
	fs := make([]store.FederatedIdentity, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		fs[i] = identity(a.Realm, a.ID, issuerMinistry)
		wg.Go(func() { errs[i] = s.LinkIdentity(ctx(t), fs[i]) })
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Fatalf("LinkIdentity of two subjects %d and %d of one issuer to one account both succeeded", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrConflict):
			t.Fatalf("LinkIdentity: %v", err)
		}
	}
	if winner < 0 {
		t.Fatalf("none of %d concurrent links of one issuer succeeded, want exactly 1", n)
	}
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(fs[winner])}, "identities, the winner's")
}

// testUseFederatedIdentity: UseFederatedIdentity sets LastUsedAt of the
// link and nothing else; an unknown link is ErrNotFound, a zero time
// ErrInvalid.
func testUseFederatedIdentity(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	f := identity(a.Realm, a.ID, issuerINApas)
	g := identity(a.Realm, a.ID, issuerGoogle)
	g.CreatedAt = at.Add(time.Second)
	link(t, s, f, g)

	when := at.Add(time.Hour).In(wib)
	noErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, f.Issuer, f.Subject, when), "UseFederatedIdentity")
	wantF, wantG := normFederated(f), normFederated(g)
	wantF.LastUsedAt = when.UTC()
	equal(t, identityOf(t, s, f), wantF, "the identity after UseFederatedIdentity")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{wantF, wantG}, "identities after UseFederatedIdentity")

	// It sets the time it is given; whether time went forward is the
	// caller's to judge.
	later := when.Add(time.Minute)
	noErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, f.Issuer, f.Subject, later), "UseFederatedIdentity again")
	noErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, f.Issuer, f.Subject, later), "UseFederatedIdentity at the same time")
	wantF.LastUsedAt = later.UTC()
	equal(t, identityOf(t, s, f), wantF, "the identity after a second use")

	isErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, f.Issuer, f.Subject, time.Time{}), store.ErrInvalid, "UseFederatedIdentity at a zero time")
	isErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, f.Issuer, newID("sub-"), at), store.ErrNotFound, "UseFederatedIdentity(unknown subject)")
	isErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, issuerMinistry, f.Subject, at), store.ErrNotFound, "UseFederatedIdentity(unknown issuer)")
	isErr(t, s.UseFederatedIdentity(ctx(t), newID("realm-"), f.Issuer, f.Subject, at), store.ErrNotFound, "UseFederatedIdentity(another realm)")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{wantF, wantG}, "identities after uses that found nothing")
}

// testUnlinkIdentity: without keepAWay, UnlinkIdentity deletes the link,
// the last one too, only through its own account.
func testUnlinkIdentity(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	b := account(a.Realm, "other")
	noErr(t, s.CreateAccount(ctx(t), b, nil), "CreateAccount")
	f := identity(a.Realm, a.ID, issuerINApas)
	g := identity(a.Realm, a.ID, issuerGoogle)
	g.CreatedAt = at.Add(time.Second)
	link(t, s, f, g)

	isErr(t, s.UnlinkIdentity(ctx(t), b.ID, f.Issuer, f.Subject, false), store.ErrNotFound, "UnlinkIdentity through another account")
	isErr(t, s.UnlinkIdentity(ctx(t), newID("acc-"), f.Issuer, f.Subject, false), store.ErrNotFound, "UnlinkIdentity through an unknown account")
	isErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, g.Subject, false), store.ErrNotFound, "UnlinkIdentity of another identity's subject")
	isErr(t, s.UnlinkIdentity(ctx(t), a.ID, g.Issuer, f.Subject, false), store.ErrNotFound, "UnlinkIdentity of another identity's issuer")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(f), normFederated(g)}, "identities after unlinks that found nothing")

	noErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, false), "UnlinkIdentity")
	noIdentity(t, s, f.Realm, f.Issuer, f.Subject, "FederatedIdentity of an unlinked identity")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(g)}, "identities after UnlinkIdentity")
	isErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, false), store.ErrNotFound, "UnlinkIdentity again")
	isErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, true), store.ErrNotFound, "UnlinkIdentity again, keeping a way in")
	isErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, f.Issuer, f.Subject, at), store.ErrNotFound, "UseFederatedIdentity of an unlinked identity")

	// Without keepAWay even the last way in goes: an operator may leave
	// an account no way to log in.
	noErr(t, s.UnlinkIdentity(ctx(t), a.ID, g.Issuer, g.Subject, false), "UnlinkIdentity of the last identity")
	equal(t, len(identitiesOf(t, s, a.ID)), 0, "identities after unlinking the last")
}

// testUnlinkKeepAWay: with keepAWay, UnlinkIdentity deletes the link only
// while the account keeps a password, another identity or (where the
// store keeps them) a passkey; otherwise it is ErrStale and writes
// nothing.
func testUnlinkKeepAWay(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)

	// Two identities and nothing else: the first goes, the last stays.
	a := newRealmAccount(t, s)
	f := identity(a.Realm, a.ID, issuerINApas)
	g := identity(a.Realm, a.ID, issuerGoogle)
	g.CreatedAt = at.Add(time.Second)
	link(t, s, f, g)
	noErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, true), "UnlinkIdentity of one of two identities")
	isErr(t, s.UnlinkIdentity(ctx(t), a.ID, g.Issuer, g.Subject, true), store.ErrStale, "UnlinkIdentity of the last way in")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(g)}, "identities after a refused unlink")
	isErr(t, s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, true), store.ErrNotFound, "UnlinkIdentity, keeping a way in, of an identity already unlinked")

	// A password is a way in.
	withPassword := account(newID("realm-"), "user")
	cred := store.Credential{AccountID: withPassword.ID, Hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", ChangedAt: at}
	noErr(t, s.CreateAccount(ctx(t), withPassword, &cred), "CreateAccount with a credential")
	h := identity(withPassword.Realm, withPassword.ID, issuerINApas)
	link(t, s, h)
	noErr(t, s.UnlinkIdentity(ctx(t), withPassword.ID, h.Issuer, h.Subject, true), "UnlinkIdentity of an account with a password")
	equal(t, len(identitiesOf(t, s, withPassword.ID)), 0, "identities of the account with a password")

	// A passkey is one too, where the store keeps passkeys.
	if pks, ok := s.(store.Passkeys); ok {
		withPasskey := newRealmAccount(t, s)
		createPasskeys(t, pks, passkey(withPasskey.ID))
		k := identity(withPasskey.Realm, withPasskey.ID, issuerINApas)
		link(t, s, k)
		noErr(t, s.UnlinkIdentity(ctx(t), withPasskey.ID, k.Issuer, k.Subject, true), "UnlinkIdentity of an account with a passkey")
		equal(t, len(identitiesOf(t, s, withPasskey.ID)), 0, "identities of the account with a passkey")
	}

	// The refused one goes once the account has another way in.
	other := identity(a.Realm, a.ID, issuerMinistry)
	other.CreatedAt = at.Add(2 * time.Second)
	link(t, s, other)
	noErr(t, s.UnlinkIdentity(ctx(t), a.ID, g.Issuer, g.Subject, true), "UnlinkIdentity once another identity is linked")
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(other)}, "identities at the end")
}

// testConcurrentUnlink: an account whose only ways in are two identities
// cannot lose both to two unlinks at once that keep a way in: exactly one
// succeeds, the other is ErrStale, and one identity stays.
func testConcurrentUnlink(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	for round := range 10 {
		a := newRealmAccount(t, s)
		fs := []store.FederatedIdentity{identity(a.Realm, a.ID, issuerINApas), identity(a.Realm, a.ID, issuerGoogle)}
		fs[1].CreatedAt = at.Add(time.Second)
		link(t, s, fs...)
		errs := make([]error, len(fs))
		var wg sync.WaitGroup
		for i, f := range fs {
			wg.Go(func() { errs[i] = s.UnlinkIdentity(ctx(t), a.ID, f.Issuer, f.Subject, true) })
		}
		wg.Wait()
		var kept []store.FederatedIdentity
		for i, err := range errs {
			switch {
			case err == nil:
			case errors.Is(err, store.ErrStale):
				kept = append(kept, normFederated(fs[i]))
			default:
				t.Fatalf("UnlinkIdentity: %v", err)
			}
		}
		if len(kept) != 1 {
			t.Fatalf("round %d: of two concurrent unlinks of an account's last two identities, %d succeeded, want exactly 1 (errors %v)", round, 2-len(kept), errs)
		}
		equal(t, identitiesOf(t, s, a.ID), kept, "the identity left, the refused unlink's")
	}
}

// testFederatedDeleteAccount: DeleteAccount takes the account's
// identities with it, and leaves another account's; the identities are
// free again.
func testFederatedDeleteAccount(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	realm := newID("realm-")
	pending := account(realm, "199001012020121001")
	pending.State = store.StatePendingConfirmation
	noErr(t, s.CreateAccount(ctx(t), pending, nil), "CreateAccount")
	neighbour := account(realm, "199001012020121002")
	neighbour.State = store.StatePendingConfirmation
	noErr(t, s.CreateAccount(ctx(t), neighbour, nil), "CreateAccount")
	f := identity(realm, pending.ID, issuerINApas)
	g := identity(realm, pending.ID, issuerGoogle)
	n := identity(realm, neighbour.ID, issuerINApas)
	link(t, s, f, g, n)

	noErr(t, s.DeleteAccount(ctx(t), pending.ID, store.StatePendingConfirmation, at.Add(7*24*time.Hour)), "DeleteAccount")
	federatedGone(t, s, pending.ID, f, g)
	equal(t, identitiesOf(t, s, neighbour.ID), []store.FederatedIdentity{normFederated(n)}, "identities of the other account")

	// The identities are free again, for a new account.
	again := account(realm, pending.Username)
	noErr(t, s.CreateAccount(ctx(t), again, nil), "CreateAccount with the deleted account's username")
	f.AccountID, g.AccountID = again.ID, again.ID
	link(t, s, f, g)
	// Linked at one time, they come in the order of their issuers.
	equal(t, identitiesOf(t, s, again.ID), []store.FederatedIdentity{normFederated(g), normFederated(f)}, "the deleted account's identities, linked again")
}

// federatedGone requires the account to have no identities, and each of
// fs to be gone.
func federatedGone(t *testing.T, s store.Federation, accountID string, fs ...store.FederatedIdentity) {
	t.Helper()
	equal(t, len(identitiesOf(t, s, accountID)), 0, "identities of a deleted account")
	for _, f := range fs {
		noIdentity(t, s, f.Realm, f.Issuer, f.Subject, "FederatedIdentity of a deleted account's identity")
		isErr(t, s.UseFederatedIdentity(ctx(t), f.Realm, f.Issuer, f.Subject, at), store.ErrNotFound, "UseFederatedIdentity of a deleted account's identity")
		isErr(t, s.UnlinkIdentity(ctx(t), accountID, f.Issuer, f.Subject, false), store.ErrNotFound, "UnlinkIdentity of a deleted account's identity")
	}
}

// testFederatedEraseAccount: EraseAccount, where the store has it, takes
// the account's identities with it, and leaves another account's; the
// identities are free again.
func testFederatedEraseAccount(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	erasure, ok := s.(store.Erasure)
	if _, events := s.(store.Events); !ok || !events {
		t.Skipf("%T does not implement store.Erasure and store.Events", s)
	}
	realm := newID("realm-")
	a := account(realm, "199001012020121001")
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	neighbour := account(realm, "199001012020121002")
	noErr(t, s.CreateAccount(ctx(t), neighbour, nil), "CreateAccount")
	f := identity(realm, a.ID, issuerINApas)
	g := identity(realm, a.ID, issuerGoogle)
	n := identity(realm, neighbour.ID, issuerINApas)
	link(t, s, f, g, n)

	for _, mode := range []store.EventErasure{store.EventsPseudonymise, store.EventsDelete} {
		_, err := erasure.EraseAccount(ctx(t), a.ID, mode, erasureEvent(a))
		noErr(t, err, "EraseAccount")
		federatedGone(t, s, a.ID, f, g)
		equal(t, identitiesOf(t, s, neighbour.ID), []store.FederatedIdentity{normFederated(n)}, "identities of the other account")

		// The identities are free again, for a new account.
		a = account(realm, "199001012020121001")
		noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount after the erasure")
		f.AccountID, g.AccountID = a.ID, a.ID
		link(t, s, f, g)
		equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(g), normFederated(f)}, "the erased account's identities, linked again")
	}
}

func testFederationCanceled(t *testing.T, open Opener) {
	s := as[accountsAndFederation](t, open)
	a := newRealmAccount(t, s)
	c, cancel := contextWithCancel(t)
	cancel()
	f := identity(a.Realm, a.ID, issuerINApas)
	if err := s.LinkIdentity(c, f); err == nil {
		t.Fatal("LinkIdentity with a canceled context succeeded")
	}
	equal(t, len(identitiesOf(t, s, a.ID)), 0, "identities linked under a canceled context")
	if _, err := s.FederatedIdentities(c, a.ID); err == nil {
		t.Fatal("FederatedIdentities with a canceled context succeeded")
	}
	g := identity(a.Realm, a.ID, issuerGoogle)
	g.CreatedAt = at.Add(time.Second)
	link(t, s, f, g)
	if _, err := s.FederatedIdentity(c, f.Realm, f.Issuer, f.Subject); err == nil {
		t.Fatal("FederatedIdentity with a canceled context succeeded")
	}
	if err := s.UseFederatedIdentity(c, f.Realm, f.Issuer, f.Subject, at.Add(time.Hour)); err == nil {
		t.Fatal("UseFederatedIdentity with a canceled context succeeded")
	}
	for _, keepAWay := range []bool{false, true} {
		if err := s.UnlinkIdentity(c, a.ID, f.Issuer, f.Subject, keepAWay); err == nil {
			t.Fatalf("UnlinkIdentity(keepAWay %v) with a canceled context succeeded", keepAWay)
		}
	}
	equal(t, identitiesOf(t, s, a.ID), []store.FederatedIdentity{normFederated(f), normFederated(g)}, "identities after calls under a canceled context")
}

package storetest

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func listerClauses() []clause {
	return []clause{
		{"RealmScoped", testListRealm},
		{"OrderedBytewise", testListOrder},
		{"StateFilter", testListState},
		{"SearchPrefix", testListSearch},
		{"SearchLiteral", testListSearchLiteral},
		{"Paging", testListPaging},
		{"Invalid", testListInvalid},
		{"ReturnedCopies", testListCopies},
		{"CanceledContext", testListCanceled},
	}
}

type accountsAndLister interface {
	store.Accounts
	store.AccountLister
}

// listed returns the usernames of the accounts q selects.
func listed(t *testing.T, s store.AccountLister, q store.AccountQuery) []string {
	t.Helper()
	accs, err := s.ListAccounts(ctx(t), q)
	noErr(t, err, fmt.Sprintf("ListAccounts(%+v)", q))
	out := make([]string, len(accs))
	for i, a := range accs {
		if a.Realm != q.Realm {
			t.Fatalf("ListAccounts(%+v) returned %q of realm %q", q, a.Username, a.Realm)
		}
		out[i] = a.Username
	}
	return out
}

// createAccounts creates accounts of the realm with the usernames, in a
// random order, and returns them by username.
func createAccounts(t *testing.T, s store.Accounts, realm string, usernames ...string) map[string]store.Account {
	t.Helper()
	out := make(map[string]store.Account, len(usernames))
	for _, i := range rand.Perm(len(usernames)) {
		a := account(realm, usernames[i])
		noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount "+a.Username)
		out[a.Username] = a
	}
	return out
}

func testListRealm(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	r1, r2 := newID("realm-"), newID("realm-")
	createAccounts(t, s, r1, "ani", "budi")
	createAccounts(t, s, r2, "budi", "cici")
	equal(t, listed(t, s, store.AccountQuery{Realm: r1}), []string{"ani", "budi"}, "accounts of one realm")
	equal(t, listed(t, s, store.AccountQuery{Realm: r2}), []string{"budi", "cici"}, "accounts of the other realm")
	equal(t, len(listed(t, s, store.AccountQuery{Realm: newID("realm-")})), 0, "accounts of a realm without any")
}

// testListOrder: usernames are ordered byte by byte, as Go compares
// strings, not by a database's collation (which would put "alpha" before
// "Zeta", or ignore punctuation).
func testListOrder(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	realm := newID("realm-")
	names := []string{"alpha", "Zeta", "beta", "a-b", "ab", "a b", "aB", "10", "9", "é", "e", "z", "ä"}
	created := createAccounts(t, s, realm, names...)
	rich := account(realm, "zz")
	rich.DisplayUsername = "ZZ"
	rich.Email = "zz@example.id"
	rich.Phone = "+6281234567890"
	rich.State = store.StatePendingApproval
	rich.Profile = map[string]string{"company": "PT Maju Jaya", "nib": "9120001234567"}
	rich.UpdatedAt = at.Add(time.Hour)
	noErr(t, s.CreateAccount(ctx(t), rich, nil), "CreateAccount "+rich.Username)
	created[rich.Username] = rich

	got, err := s.ListAccounts(ctx(t), store.AccountQuery{Realm: realm})
	noErr(t, err, "ListAccounts")
	want := make([]store.Account, 0, len(created))
	for _, name := range slices.Sorted(maps.Keys(created)) {
		want = append(want, created[name])
	}
	equal(t, got, want, "ListAccounts, ordered by username bytewise")
}

func testListState(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	realm := newID("realm-")
	states := map[string]store.AccountState{
		"ani":  store.StatePendingConfirmation,
		"budi": store.StatePendingApproval,
		"cici": store.StateActive,
		"dodi": store.StateDisabled,
		"eka":  store.StatePendingApproval,
		"fajr": store.StateActive,
	}
	for name, state := range states {
		a := account(realm, name)
		a.State = state
		noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount "+name)
	}
	for state, want := range map[store.AccountState][]string{
		store.StatePendingConfirmation: {"ani"},
		store.StatePendingApproval:     {"budi", "eka"},
		store.StateActive:              {"cici", "fajr"},
		store.StateDisabled:            {"dodi"},
	} {
		accs, err := s.ListAccounts(ctx(t), store.AccountQuery{Realm: realm, State: state})
		noErr(t, err, "ListAccounts")
		var got []string
		for _, a := range accs {
			if a.State != state {
				t.Fatalf("ListAccounts(State: %s) returned %s in state %s", state, a.Username, a.State)
			}
			got = append(got, a.Username)
		}
		equal(t, got, want, "accounts in state "+string(state))
	}
	equal(t, len(listed(t, s, store.AccountQuery{Realm: realm})), len(states), "accounts in every state")
	noErr(t, s.SetAccountState(ctx(t), accountID(t, s, realm, "budi"), store.StatePendingApproval, store.StateActive, at), "SetAccountState")
	equal(t, listed(t, s, store.AccountQuery{Realm: realm, State: store.StateActive}), []string{"budi", "cici", "fajr"}, "active accounts after an approval")
}

func accountID(t *testing.T, s store.Accounts, realm, username string) string {
	t.Helper()
	a, err := s.AccountByUsername(ctx(t), realm, username)
	noErr(t, err, "AccountByUsername")
	return a.ID
}

// testListSearch: Search keeps the accounts whose username or email
// begins with it, and combines with the other fields of the query.
func testListSearch(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	realm := newID("realm-")
	for _, a := range []struct {
		username, email string
		state           store.AccountState
	}{
		{"santi", "", store.StateActive},
		{"budi", "santoso@example.id", store.StateActive},
		{"sanjaya", "sanjaya@example.id", store.StateDisabled},
		{"xsan", "x.san@example.id", store.StateActive},
		{"susan", "susan@san.example.id", store.StateActive},
		{"anis", "anis@example.id", store.StateActive},
	} {
		acc := account(realm, a.username)
		acc.Email, acc.State = a.email, a.state
		noErr(t, s.CreateAccount(ctx(t), acc, nil), "CreateAccount "+a.username)
	}
	other := account(newID("realm-"), "sandra")
	noErr(t, s.CreateAccount(ctx(t), other, nil), "CreateAccount in another realm")

	for _, c := range []struct {
		q    store.AccountQuery
		want []string
	}{
		{store.AccountQuery{Search: "san"}, []string{"budi", "sanjaya", "santi"}},
		{store.AccountQuery{Search: "santi"}, []string{"santi"}},
		{store.AccountQuery{Search: "santos"}, []string{"budi"}},
		{store.AccountQuery{Search: "santoso@example.id"}, []string{"budi"}},
		{store.AccountQuery{Search: "a"}, []string{"anis"}},
		{store.AccountQuery{Search: "s"}, []string{"budi", "sanjaya", "santi", "susan"}},
		{store.AccountQuery{Search: "san", State: store.StateActive}, []string{"budi", "santi"}},
		{store.AccountQuery{Search: "san", Limit: 2}, []string{"budi", "sanjaya"}},
		{store.AccountQuery{Search: "san", After: "sanjaya"}, []string{"santi"}},
		{store.AccountQuery{Search: "example"}, nil},
		{store.AccountQuery{Search: "nobody"}, nil},
	} {
		c.q.Realm = realm
		got := listed(t, s, c.q)
		if len(got) == 0 {
			got = nil
		}
		equal(t, got, c.want, fmt.Sprintf("ListAccounts(%+v)", c.q))
	}
}

// testListSearchLiteral: Search is a prefix byte for byte: its "%", "_"
// and "\" are not wildcards or escapes (a SQL backend that matches with
// LIKE must escape them), and it does not fold case.
func testListSearchLiteral(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	realm := newID("realm-")
	createAccounts(t, s, realm, "a_b", "axb", "a%c", "abc", `a\b`, `a\_`, "Mixed", "mixer")
	for _, email := range []struct{ username, email string }{
		{"m1", "p_q@example.id"},
		{"m2", "pxq@example.id"},
		{"m3", "p%q@example.id"},
	} {
		a := account(realm, email.username)
		a.Email = email.email
		noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount "+a.Username)
	}
	for search, want := range map[string][]string{
		"a_":   {"a_b"},
		"a%":   {"a%c"},
		`a\`:   {`a\_`, `a\b`},
		`a\_`:  {`a\_`},
		`a\b`:  {`a\b`},
		"a":    {"a%c", `a\_`, `a\b`, "a_b", "abc", "axb"},
		"%":    nil,
		"_":    nil,
		"%b":   nil,
		"p_":   {"m1"},
		"p%":   {"m3"},
		"M":    {"Mixed"},
		"m":    {"m1", "m2", "m3", "mixer"},
		"mix":  {"mixer"},
		"MIX":  nil,
		"P_Q@": nil,
	} {
		got := listed(t, s, store.AccountQuery{Realm: realm, Search: search})
		if len(got) == 0 {
			got = nil
		}
		equal(t, got, want, fmt.Sprintf("ListAccounts(Search: %q)", search))
	}
}

// testListPaging: Limit defaults to 50, and After pages through the realm
// without skipping or repeating an account.
func testListPaging(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	realm := newID("realm-")
	const n = 60
	all := make([]string, n)
	for i := range all {
		all[i] = fmt.Sprintf("user%03d", i)
	}
	createAccounts(t, s, realm, all...)
	createAccounts(t, s, newID("realm-"), "user000", "user0305", "zzz")

	equal(t, listed(t, s, store.AccountQuery{Realm: realm}), all[:50], "the first page by default")
	equal(t, listed(t, s, store.AccountQuery{Realm: realm, After: all[49]}), all[50:], "the second page by default")
	equal(t, listed(t, s, store.AccountQuery{Realm: realm, Limit: 1000}), all, "a page of 1000")
	equal(t, listed(t, s, store.AccountQuery{Realm: realm, Limit: 5000}), all, "a page above the cap")
	equal(t, listed(t, s, store.AccountQuery{Realm: realm, Limit: 1}), all[:1], "a page of one")
	equal(t, listed(t, s, store.AccountQuery{Realm: realm, After: "user0305", Limit: 3}), all[31:34], "After a username that is not in the realm")
	equal(t, listed(t, s, store.AccountQuery{Realm: realm, After: "user"}), all[:50], "After a prefix of every username")
	equal(t, len(listed(t, s, store.AccountQuery{Realm: realm, After: all[n-1]})), 0, "After the last username")

	var paged []string
	after := ""
	for range n {
		page := listed(t, s, store.AccountQuery{Realm: realm, After: after, Limit: 7})
		paged = append(paged, page...)
		if len(page) < 7 {
			break
		}
		after = page[len(page)-1]
	}
	equal(t, paged, all, "every page of 7")
}

func testListInvalid(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	realm := newID("realm-")
	createAccounts(t, s, realm, "ani")
	for name, q := range map[string]store.AccountQuery{
		"no realm":              {},
		"no realm, with search": {Search: "ani"},
		"invalid state":         {Realm: realm, State: "frozen"},
	} {
		_, err := s.ListAccounts(ctx(t), q)
		isErr(t, err, store.ErrInvalid, name)
	}
}

func testListCopies(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	a := account(newID("realm-"), "tono")
	a.Profile = map[string]string{"company": "PT Maju Jaya"}
	noErr(t, s.CreateAccount(ctx(t), a, nil), "CreateAccount")
	got, err := s.ListAccounts(ctx(t), store.AccountQuery{Realm: a.Realm})
	noErr(t, err, "ListAccounts")
	equal(t, got, []store.Account{a}, "ListAccounts")
	got[0].Profile["company"] = "PT Lain"
	got[0].Profile["extra"] = "x"
	again, err := s.AccountByID(ctx(t), a.ID)
	noErr(t, err, "AccountByID")
	equal(t, again, a, "account after the caller changed what it listed")
}

func testListCanceled(t *testing.T, open Opener) {
	s := as[accountsAndLister](t, open)
	realm := newID("realm-")
	createAccounts(t, s, realm, "ani")
	c, cancel := contextWithCancel(t)
	cancel()
	if _, err := s.ListAccounts(c, store.AccountQuery{Realm: realm}); err == nil {
		t.Fatal("ListAccounts with a canceled context succeeded")
	}
}

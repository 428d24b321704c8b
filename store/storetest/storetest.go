// Package storetest is the conformance suite for implementations of the
// masuk store interfaces, in the manner of testing/fstest.TestFS and
// golang.org/x/net/nettest.TestConn.
//
// Every backend that ships with masuk runs it, and so should a host's own
// implementation:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) any {
//			return mystore.New(testDB(t))
//		})
//	}
//
// [Run] runs one subtest for each clause of the contract of each interface
// the value implements, concurrency clauses included, and skips, with a
// message, the interfaces it does not implement. Each clause gets a value of
// its own from the opener and works in realms of its own, so the opener may
// also return stores that share one database.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Opener returns the store a clause runs against. It may register cleanup
// with t.Cleanup.
type Opener func(t *testing.T) any

type clause struct {
	name string
	run  func(t *testing.T, open Opener)
}

type group struct {
	name    string
	has     func(s any) bool
	clauses []clause
}

func groups() []group {
	return []group{
		{"Accounts", implements[store.Accounts], append(accountClauses(), phoneClauses()...)},
		{"Credentials", implements2[store.Accounts, store.Credentials], credentialClauses()},
		{"Events", implements[store.Events], eventClauses()},
		{"Attempts", implements[store.Attempts], attemptClauses()},
		{"Challenges", implements[store.Challenges], challengeClauses()},
		// A factor, a recovery code, a device, a passkey or a federated
		// identity needs an account to belong to; a token does not
		// (redisstore keeps tokens without accounts).
		{"Factors", implements2[store.Accounts, store.Factors], factorClauses()},
		{"Recovery", implements2[store.Accounts, store.Recovery], recoveryClauses()},
		{"Devices", implements2[store.Accounts, store.Devices], deviceClauses()},
		{"Passkeys", implements2[store.Accounts, store.Passkeys], passkeyClauses()},
		{"Federation", implements2[store.Accounts, store.Federation], federationClauses()},
		{"Tokens", implements[store.Tokens], tokenClauses()},
		// Sessions do not check that their account exists either
		// (redisstore keeps them apart from accounts).
		{"Sessions", implements[store.Sessions], sessionClauses()},
		// Copies of accounts in sessions need no account store either:
		// the clauses keep the accounts, as the caller would.
		{"AccountCopies", implements2[store.Sessions, store.AccountCopies], accountCopyClauses()},
		{"AccountLister", implements2[store.Accounts, store.AccountLister], listerClauses()},
		{"Erasure", implements3[store.Accounts, store.Events, store.Erasure], erasureClauses()},
	}
}

func implements[I any](s any) bool { _, ok := s.(I); return ok }

func implements2[I, J any](s any) bool { return implements[I](s) && implements[J](s) }

func implements3[I, J, K any](s any) bool { return implements2[I, J](s) && implements[K](s) }

// Run runs the conformance suite against the stores open returns.
func Run(t *testing.T, open Opener) {
	t.Helper()
	probe := open(t)
	for _, g := range groups() {
		t.Run(g.name, func(t *testing.T) {
			if !g.has(probe) {
				t.Skipf("%T does not implement %s", probe, g.name)
			}
			for _, c := range g.clauses {
				t.Run(c.name, func(t *testing.T) { c.run(t, open) })
			}
		})
	}
}

// newID returns a random identifier, so that clauses run against a shared,
// persistent database never collide with earlier runs.
func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// at is a fixed instant with microsecond precision, the least every store
// must keep.
var at = time.Date(2026, 3, 17, 8, 30, 15, 123456000, time.UTC)

func account(realm, username string) store.Account {
	return store.Account{
		ID:              newID("acc-"),
		Realm:           realm,
		Username:        username,
		DisplayUsername: username,
		State:           store.StateActive,
		SecurityStamp:   newID("stamp-"),
		CreatedAt:       at,
		UpdatedAt:       at,
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

func as[I any](t *testing.T, open Opener) I {
	t.Helper()
	return open(t).(I)
}

func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	return context.WithCancel(t.Context())
}

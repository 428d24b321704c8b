package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/masuk-id/masuk/store"
)

// Clauses of Erasure.EraseAccount.

func erasureClauses() []clause {
	return []clause{
		{"EraseAccount", testEraseAccount},
		{"EraseAccountRefused", testEraseAccountRefused},
		{"ConcurrentEraseAccount", testConcurrentEraseAccount},
	}
}

// erasureEvent is the event an erasure of the account appends.
func erasureEvent(a store.Account) store.Event {
	e := event(a.Realm, "account.erased", 60)
	e.AccountID, e.Username, e.ClientAddr, e.UserAgent = store.Pseudonym(a.ID), "", "", ""
	e.Details = map[string]string{"by": "operator-1"}
	return e
}

// accountEvents returns the events of the realm naming accountID.
func accountEvents(t *testing.T, s any, realm, accountID string) []store.Event {
	t.Helper()
	es, err := s.(store.Events).ListEvents(ctx(t), store.EventQuery{Realm: realm, AccountID: accountID, Limit: 1000})
	noErr(t, err, "ListEvents")
	return es
}

// testEraseAccount: an account of any state goes with everything keyed to
// it, passkeys included; its events go or lose whatever names it, as the
// mode says; the erasure's event is kept; the username and email are free
// again; the neighbour keeps everything.
func testEraseAccount(t *testing.T, open Opener) {
	for _, mode := range []store.EventErasure{store.EventsPseudonymise, store.EventsDelete} {
		s := open(t)
		realm := newID("realm-")
		r := withRecords(t, s, realm, "199001012020121001", store.StateActive)
		neighbour := withRecords(t, s, realm, "199001012020121002", store.StateActive)
		var pk store.Passkey
		pks, hasPasskeys := s.(store.Passkeys)
		if hasPasskeys {
			pk = passkey(r.account.ID)
			createPasskeys(t, pks, pk)
		}
		// One more event of the account, with everything that names it.
		more := event(realm, "login.succeeded", 30)
		more.AccountID = r.account.ID
		_, err := s.(store.Events).AppendEvent(ctx(t), more)
		noErr(t, err, "AppendEvent")

		e := erasureEvent(r.account)
		id, err := s.(store.Erasure).EraseAccount(ctx(t), r.account.ID, mode, e)
		noErr(t, err, "EraseAccount")
		r.recordsGone(t, s)
		if hasPasskeys {
			noPasskey(t, pks, pk.ID, "a passkey of an erased account")
		}
		neighbour.kept(t, s, "the other account of the realm")
		equal(t, len(accountEvents(t, s, realm, neighbour.account.ID)), 1, "events of the other account")
		equal(t, len(accountEvents(t, s, realm, r.account.ID)), 0, "events naming the erased account")

		kept := accountEvents(t, s, realm, store.Pseudonym(r.account.ID))
		if len(kept) == 0 || kept[0].ID != id {
			t.Fatalf("events of the pseudonym: %+v, want the erasure's (%d) first", kept, id)
		}
		got := kept[0]
		equal(t, [...]string{got.Kind, got.Realm, got.AccountID, got.Details["by"]}, [...]string{e.Kind, realm, e.AccountID, "operator-1"}, "the erasure's event")
		switch mode {
		case store.EventsDelete:
			equal(t, len(kept), 1, "events of an erased account after EventsDelete, besides the erasure's")
		case store.EventsPseudonymise:
			if len(kept) != 3 {
				t.Fatalf("events of the pseudonym after EventsPseudonymise: %+v, want the account's 2 and the erasure's", kept)
			}
			for _, ev := range kept[1:] {
				want := store.Event{ID: ev.ID, Kind: ev.Kind, Realm: realm, AccountID: store.Pseudonym(r.account.ID), Time: ev.Time}
				if len(ev.Details) == 0 {
					ev.Details = nil
				}
				equal(t, ev, want, "a pseudonymised event")
			}
			equal(t, [...]string{kept[1].Kind, kept[2].Kind}, [...]string{"login.succeeded", "account.registered"}, "kinds of the pseudonymised events")
			equal(t, kept[1].Time, more.Time, "time of a pseudonymised event")
		}

		accounts := s.(store.Accounts)
		_, err = s.(store.Erasure).EraseAccount(ctx(t), r.account.ID, mode, e)
		isErr(t, err, store.ErrNotFound, "EraseAccount again")
		again := account(realm, r.account.Username)
		again.Email = r.account.Email
		noErr(t, accounts.CreateAccount(ctx(t), again, nil), "CreateAccount with the erased account's username and email")

		// Any state goes.
		pending := withRecords(t, s, realm, "199001012020121003", store.StatePendingConfirmation)
		_, err = s.(store.Erasure).EraseAccount(ctx(t), pending.account.ID, mode, erasureEvent(pending.account))
		noErr(t, err, "EraseAccount of a pending account")
		pending.recordsGone(t, s)
	}
}

// testEraseAccountRefused: an unknown account is ErrNotFound, an invalid
// mode or event ErrInvalid; each writes nothing.
func testEraseAccountRefused(t *testing.T, open Opener) {
	s := open(t)
	erasure := s.(store.Erasure)
	realm := newID("realm-")
	r := withRecords(t, s, realm, "199001012020121001", store.StateActive)
	noKind := erasureEvent(r.account)
	noKind.Kind = ""
	noTime := erasureEvent(r.account)
	noTime.Time = store.Event{}.Time
	for name, tc := range map[string]struct {
		id   string
		mode store.EventErasure
		e    store.Event
		want error
	}{
		"unknown account": {newID("acc-"), store.EventsDelete, erasureEvent(r.account), store.ErrNotFound},
		"zero mode":       {r.account.ID, 0, erasureEvent(r.account), store.ErrInvalid},
		"unknown mode":    {r.account.ID, store.EventsDelete + 1, erasureEvent(r.account), store.ErrInvalid},
		"event kind":      {r.account.ID, store.EventsDelete, noKind, store.ErrInvalid},
		"event time":      {r.account.ID, store.EventsPseudonymise, noTime, store.ErrInvalid},
	} {
		_, err := erasure.EraseAccount(ctx(t), tc.id, tc.mode, tc.e)
		isErr(t, err, tc.want, name)
	}
	c, cancel := contextWithCancel(t)
	cancel()
	if _, err := erasure.EraseAccount(c, r.account.ID, store.EventsDelete, erasureEvent(r.account)); err == nil {
		t.Fatal("EraseAccount with a canceled context succeeded")
	}
	r.kept(t, s, "after refused erasures")
	equal(t, len(accountEvents(t, s, realm, r.account.ID)), 1, "events of the account after refused erasures")
	equal(t, len(accountEvents(t, s, realm, store.Pseudonym(r.account.ID))), 0, "erasure events after refused erasures")
}

// testConcurrentEraseAccount: of concurrent erasures of one account,
// exactly one succeeds and one erasure event is kept.
func testConcurrentEraseAccount(t *testing.T, open Opener) {
	s := open(t)
	erasure := s.(store.Erasure)
	realm := newID("realm-")
	for round := range 5 {
		r := withRecords(t, s, realm, newID("user-"), store.StateActive)
		errs := make([]error, 8)
		var wg sync.WaitGroup
		for i := range errs {
			mode := store.EventsPseudonymise
			if i%2 == 1 {
				mode = store.EventsDelete
			}
			wg.Go(func() { _, errs[i] = erasure.EraseAccount(ctx(t), r.account.ID, mode, erasureEvent(r.account)) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrNotFound):
				t.Fatalf("EraseAccount: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("round %d: %d erasures succeeded, want exactly one", round, ok)
		}
		r.recordsGone(t, s)
		n := 0
		for _, e := range accountEvents(t, s, realm, store.Pseudonym(r.account.ID)) {
			if e.Kind == "account.erased" {
				n++
			}
		}
		equal(t, n, 1, "erasure events")
	}
}

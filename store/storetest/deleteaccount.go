package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Clauses of Accounts.DeleteAccount. A store that keeps more than
// accounts (credentials, factors, recovery codes, devices, federated
// identities, tokens, sessions, events) is checked for each of them: the records keyed to the
// account go with it, the log stays, and no other account's record goes.

// accountRecords is what an account holds in a store, of the roles the
// store has.
type accountRecords struct {
	account  store.Account
	cred     store.Credential
	factor   store.Factor
	recovery [][]byte
	device   store.Device
	fed      store.FederatedIdentity
	token    store.Token
	session  store.Session
	event    int64
}

// withRecords creates an account of the realm in state state and gives it
// one record of each role the store has.
func withRecords(t *testing.T, s any, realm, username string, state store.AccountState) accountRecords {
	t.Helper()
	r := accountRecords{account: account(realm, username)}
	r.account.Email = username + "@example.id"
	r.account.State = state
	r.cred = store.Credential{AccountID: r.account.ID, Hash: "$argon2id$" + username, ChangedAt: at}
	var cred *store.Credential
	if _, ok := s.(store.Credentials); ok {
		cred = &r.cred
	}
	noErr(t, s.(store.Accounts).CreateAccount(ctx(t), r.account, cred), "CreateAccount")
	if f, ok := s.(store.Factors); ok {
		r.factor = totpFactor(r.account.ID)
		create(t, f, r.factor)
	}
	if rc, ok := s.(store.Recovery); ok {
		r.recovery = hashes(3, 32)
		noErr(t, rc.SetRecoveryCodes(ctx(t), r.account.ID, r.recovery, at), "SetRecoveryCodes")
	}
	if d, ok := s.(store.Devices); ok {
		r.device = device(r.account.ID)
		remember(t, d, r.device)
	}
	if fd, ok := s.(store.Federation); ok {
		r.fed = identity(realm, r.account.ID, issuerINApas)
		link(t, fd, r.fed)
	}
	if tk, ok := s.(store.Tokens); ok {
		r.token = token(r.account.ID, "activate")
		issue(t, tk, r.token)
	}
	if ss, ok := s.(store.Sessions); ok {
		r.session = session(r.account.ID)
		begin(t, ss, r.session)
	}
	if ev, ok := s.(store.Events); ok {
		e := event(realm, "account.registered", 0)
		e.AccountID = r.account.ID
		id, err := ev.AppendEvent(ctx(t), e)
		noErr(t, err, "AppendEvent")
		r.event = id
	}
	return r
}

// kept requires the account and each of its records to be there.
func (r accountRecords) kept(t *testing.T, s any, what string) {
	t.Helper()
	got, err := s.(store.Accounts).AccountByID(ctx(t), r.account.ID)
	noErr(t, err, what+": AccountByID")
	equal(t, got.ID, r.account.ID, what+": the account")
	if c, ok := s.(store.Credentials); ok {
		_, err := c.CredentialByAccount(ctx(t), r.account.ID)
		noErr(t, err, what+": CredentialByAccount")
	}
	if f, ok := s.(store.Factors); ok {
		equal(t, len(factorsOf(t, f, r.account.ID)), 1, what+": factors")
	}
	if rc, ok := s.(store.Recovery); ok {
		equal(t, recoveryCodesOf(t, rc, r.account.ID).Remaining, len(r.recovery), what+": recovery codes")
	}
	if d, ok := s.(store.Devices); ok {
		equal(t, selectors(devicesOf(t, d, r.account.ID, at)), []string{r.device.Selector}, what+": devices")
	}
	if fd, ok := s.(store.Federation); ok {
		equal(t, identitiesOf(t, fd, r.account.ID), []store.FederatedIdentity{normFederated(r.fed)}, what+": federated identities")
	}
	if tk, ok := s.(store.Tokens); ok {
		// Charging an attempt is the only read: allow a few.
		_, err := tk.AttemptToken(ctx(t), bySelector(r.token), at)
		noErr(t, err, what+": AttemptToken")
	}
	if ss, ok := s.(store.Sessions); ok {
		sessionAt(t, ss, r.session.Selector, at)
	}
}

// deleted requires the account and every record keyed to it to be gone, and
// its events to stay.
func (r accountRecords) deleted(t *testing.T, s any) {
	t.Helper()
	r.recordsGone(t, s)
	if ev, ok := s.(store.Events); ok {
		es, err := ev.ListEvents(ctx(t), store.EventQuery{Realm: r.account.Realm, AccountID: r.account.ID})
		noErr(t, err, "ListEvents")
		if len(es) != 1 || es[0].ID != r.event {
			t.Fatalf("events of a deleted account: %+v, want the one appended (%d): the log keeps them", es, r.event)
		}
	}
}

// recordsGone requires the account and every record keyed to it but its
// events to be gone.
func (r accountRecords) recordsGone(t *testing.T, s any) {
	t.Helper()
	accounts := s.(store.Accounts)
	_, err := accounts.AccountByID(ctx(t), r.account.ID)
	isErr(t, err, store.ErrNotFound, "AccountByID of a deleted account")
	_, err = accounts.AccountByUsername(ctx(t), r.account.Realm, r.account.Username)
	isErr(t, err, store.ErrNotFound, "AccountByUsername of a deleted account")
	_, err = accounts.AccountByEmail(ctx(t), r.account.Realm, r.account.Email)
	isErr(t, err, store.ErrNotFound, "AccountByEmail of a deleted account")
	if c, ok := s.(store.Credentials); ok {
		_, err := c.CredentialByAccount(ctx(t), r.account.ID)
		isErr(t, err, store.ErrNotFound, "CredentialByAccount of a deleted account")
	}
	if f, ok := s.(store.Factors); ok {
		equal(t, len(factorsOf(t, f, r.account.ID)), 0, "factors of a deleted account")
		isErr(t, f.AcceptStep(ctx(t), r.account.ID, r.factor.ID, 1), store.ErrNotFound, "AcceptStep of a deleted account's factor")
	}
	if rc, ok := s.(store.Recovery); ok {
		equal(t, recoveryCodesOf(t, rc, r.account.ID), store.RecoveryCodes{}, "recovery codes of a deleted account")
		unusable(t, rc, r.account.ID, r.recovery[0], "a recovery code of a deleted account")
	}
	if d, ok := s.(store.Devices); ok {
		equal(t, len(devicesOf(t, d, r.account.ID, at)), 0, "devices of a deleted account")
		_, err := d.Device(ctx(t), r.device.Selector, at)
		isErr(t, err, store.ErrNotFound, "Device of a deleted account")
	}
	if fd, ok := s.(store.Federation); ok {
		federatedGone(t, fd, r.account.ID, r.fed)
	}
	if tk, ok := s.(store.Tokens); ok {
		gone(t, tk, bySelector(r.token), at, "a token of a deleted account")
		isErr(t, tk.ConsumeToken(ctx(t), r.token.Selector, r.token.Hash), store.ErrNotFound, "ConsumeToken of a deleted account's token")
	}
	if ss, ok := s.(store.Sessions); ok {
		sessionGone(t, ss, r.session.Selector, at, "a session of a deleted account")
	}
}

// testDeleteAccount: an unconfirmed account older than the cutoff goes,
// with everything keyed to it, and frees its username and email; its
// neighbour keeps everything.
func testDeleteAccount(t *testing.T, open Opener) {
	s := open(t)
	accounts := s.(store.Accounts)
	realm := newID("realm-")
	r := withRecords(t, s, realm, "199001012020121001", store.StatePendingConfirmation)
	neighbour := withRecords(t, s, realm, "199001012020121002", store.StatePendingConfirmation)
	cutoff := at.Add(7 * 24 * time.Hour)
	noErr(t, accounts.DeleteAccount(ctx(t), r.account.ID, store.StatePendingConfirmation, cutoff.In(wib)), "DeleteAccount")
	r.deleted(t, s)
	neighbour.kept(t, s, "the other account of the realm")
	isErr(t, accounts.DeleteAccount(ctx(t), r.account.ID, store.StatePendingConfirmation, cutoff), store.ErrNotFound, "DeleteAccount again")

	// The username and email are free again.
	again := account(realm, r.account.Username)
	again.Email = r.account.Email
	noErr(t, accounts.CreateAccount(ctx(t), again, nil), "CreateAccount with the deleted account's username and email")
	got, err := accounts.AccountByEmail(ctx(t), realm, r.account.Email)
	noErr(t, err, "AccountByEmail")
	equal(t, got.ID, again.ID, "the account that now has the email")

	// Any state may be asked for; the cutoff is strict.
	active := withRecords(t, s, realm, "199001012020121003", store.StateActive)
	noErr(t, accounts.DeleteAccount(ctx(t), active.account.ID, store.StateActive, at.Add(time.Microsecond)), "DeleteAccount(an active account updated just before the cutoff)")
	active.deleted(t, s)
}

// testDeleteAccountRefused: a wrong state or a cutoff the account was
// updated at or after is ErrStale, an unknown account ErrNotFound, an
// invalid state or a zero cutoff ErrInvalid; each writes nothing.
func testDeleteAccountRefused(t *testing.T, open Opener) {
	s := open(t)
	accounts := s.(store.Accounts)
	realm := newID("realm-")
	r := withRecords(t, s, realm, "199001012020121001", store.StatePendingConfirmation)
	for name, tc := range map[string]struct {
		state  store.AccountState
		cutoff time.Time
		want   error
	}{
		"another state":                {store.StatePendingApproval, at.Add(time.Hour), store.ErrStale},
		"active":                       {store.StateActive, at.Add(time.Hour), store.ErrStale},
		"updated at the cutoff":        {store.StatePendingConfirmation, at, store.ErrStale},
		"updated after the cutoff":     {store.StatePendingConfirmation, at.Add(-time.Microsecond), store.ErrStale},
		"updated long after":           {store.StatePendingConfirmation, at.Add(-7 * 24 * time.Hour), store.ErrStale},
		"invalid state":                {"frozen", at.Add(time.Hour), store.ErrInvalid},
		"empty state":                  {"", at.Add(time.Hour), store.ErrInvalid},
		"zero cutoff":                  {store.StatePendingConfirmation, time.Time{}, store.ErrInvalid},
		"invalid state, stale as well": {"frozen", at, store.ErrInvalid},
	} {
		isErr(t, accounts.DeleteAccount(ctx(t), r.account.ID, tc.state, tc.cutoff), tc.want, name)
	}
	isErr(t, accounts.DeleteAccount(ctx(t), newID("acc-"), store.StatePendingConfirmation, at.Add(time.Hour)), store.ErrNotFound, "an unknown account")
	r.kept(t, s, "after refused deletions")
	got, err := accounts.AccountByID(ctx(t), r.account.ID)
	noErr(t, err, "AccountByID")
	want := r.account
	want.CreatedAt, want.UpdatedAt = want.CreatedAt.UTC(), want.UpdatedAt.UTC()
	equal(t, got, want, "the account after refused deletions")

	// A confirmation moves UpdatedAt on: a cutoff the account was old
	// enough for no longer is.
	confirmed := at.Add(8 * 24 * time.Hour)
	noErr(t, accounts.SetAccountState(ctx(t), r.account.ID, store.StatePendingConfirmation, store.StatePendingApproval, confirmed), "SetAccountState")
	isErr(t, accounts.DeleteAccount(ctx(t), r.account.ID, store.StatePendingApproval, at.Add(7*24*time.Hour)), store.ErrStale, "a cutoff before the confirmation")
	noErr(t, accounts.DeleteAccount(ctx(t), r.account.ID, store.StatePendingApproval, confirmed.Add(time.Second)), "a cutoff after it")

	c, cancel := contextWithCancel(t)
	cancel()
	other := withRecords(t, s, realm, "199001012020121002", store.StatePendingConfirmation)
	if err := accounts.DeleteAccount(c, other.account.ID, store.StatePendingConfirmation, at.Add(time.Hour)); err == nil {
		t.Fatal("DeleteAccount with a canceled context succeeded")
	}
	other.kept(t, s, "after DeleteAccount with a canceled context")
}

// testConcurrentDeleteAndConfirm: a registration's expiry races its
// confirmation. Of a DeleteAccount and a SetAccountState out of
// StatePendingConfirmation, exactly one succeeds, and a confirmed account
// is never deleted; with many of each at once, still exactly one.
func testConcurrentDeleteAndConfirm(t *testing.T, open Opener) {
	s := open(t)
	accounts := s.(store.Accounts)
	realm := newID("realm-")
	cutoff := at.Add(7 * 24 * time.Hour)
	confirmedAt := cutoff.Add(time.Hour)
	for round := range 20 {
		each := 1
		if round%4 == 3 {
			each = 10
		}
		r := withRecords(t, s, realm, fmt.Sprint("user-", round), store.StatePendingConfirmation)
		deletes, confirms := make([]error, each), make([]error, each)
		var wg sync.WaitGroup
		for i := range each {
			wg.Go(func() {
				deletes[i] = accounts.DeleteAccount(ctx(t), r.account.ID, store.StatePendingConfirmation, cutoff)
			})
			wg.Go(func() {
				confirms[i] = accounts.SetAccountState(ctx(t), r.account.ID, store.StatePendingConfirmation, store.StatePendingApproval, confirmedAt)
			})
		}
		wg.Wait()
		deleted, confirmed := 0, 0
		for i := range each {
			switch err := deletes[i]; {
			case err == nil:
				deleted++
			case !errors.Is(err, store.ErrStale) && !errors.Is(err, store.ErrNotFound):
				t.Fatalf("DeleteAccount: %v", err)
			}
			switch err := confirms[i]; {
			case err == nil:
				confirmed++
			case !errors.Is(err, store.ErrStale) && !errors.Is(err, store.ErrNotFound):
				t.Fatalf("SetAccountState: %v", err)
			}
		}
		if deleted+confirmed != 1 {
			t.Fatalf("round %d: %d deletions and %d confirmations succeeded, want exactly one of either", round, deleted, confirmed)
		}
		got, err := accounts.AccountByID(ctx(t), r.account.ID)
		if deleted == 1 {
			r.deleted(t, s)
			continue
		}
		noErr(t, err, "AccountByID of the confirmed account")
		equal(t, got.State, store.StatePendingApproval, "state of the confirmed account")
		equal(t, got.UpdatedAt, confirmedAt, "UpdatedAt of the confirmed account")
		r.kept(t, s, "the confirmed account")
	}
}

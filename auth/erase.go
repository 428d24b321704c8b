package auth

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/masuk-id/masuk/store"
)

// ErasedEvents is what erasing an account does with its events.
type ErasedEvents uint8

// The settings of RetentionPolicy.Events.
const (
	// ErasedEventsDefault is ErasedEventsPseudonymise.
	ErasedEventsDefault ErasedEvents = iota
	// ErasedEventsPseudonymise keeps the events, for the audit, with the
	// account named by store.Pseudonym and the username, client address,
	// user agent and details cleared.
	ErasedEventsPseudonymise
	// ErasedEventsDelete deletes the events.
	ErasedEventsDelete
)

// RetentionPolicy is what a realm keeps of its activity log: for how
// long, and what of an erased account's events.
type RetentionPolicy struct {
	// Events is what an erasure does with the account's events. The zero
	// value pseudonymises them.
	Events ErasedEvents
	// EventsFor is how long the realm's events are kept: older ones are
	// pruned as new ones are written ([Authenticator.PruneEvents]), by
	// the realm's own cutoff, so that a portal that keeps its activity
	// two years loses none of it to a realm that keeps one. Zero means
	// Config.EventRetention (400 days unless set); New refuses less than
	// 30 days; a negative value keeps every event of the realm (the host
	// prunes them itself, with store.Events.PruneRealmEvents).
	EventsFor time.Duration
}

// fill gives EventsFor its default, def (Config.EventRetention's, checked),
// and checks it.
func (p *RetentionPolicy) fill(def time.Duration) error {
	if p.EventsFor == 0 {
		p.EventsFor = def
	}
	if p.EventsFor > 0 && p.EventsFor < minEventRetention {
		return errors.New("Retention.EventsFor is below 30 days")
	}
	return nil
}

func (e ErasedEvents) store() store.EventErasure {
	if e == ErasedEventsDelete {
		return store.EventsDelete
	}
	return store.EventsPseudonymise
}

// AccountErasure is an owner's request to erase the account.
type AccountErasure struct {
	// AccountID is the account, as the host's session knows it, and
	// Password the owner's current password. With Request.Session set, an
	// empty Password is accepted when the session proved the password
	// recently (Sessions.Reauthenticate).
	AccountID, Password string
	Request
}

// Erase erases the account for good, at its owner's request (the right to
// erasure of UU 27/2022): after a check of the current password, the
// account, its credential, factors, recovery codes, devices, passkeys,
// tokens and sessions are deleted and its events deleted or pseudonymised
// (Realm.Retention), in one atomic step of the store, which must
// implement store.Erasure; an EventErased that says the owner did it is
// kept. The username and email are then free. A wrong password erases
// nothing and counts toward the lock.
func (s *Accounts) Erase(ctx context.Context, r AccountErasure) (err error) {
	if s.unset() {
		return errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.Erase")
	defer sp.end(&err)
	a := s.a
	if _, err := a.erasure(); err != nil {
		return err
	}
	acct, err := a.checkOwner(ctx, actionErase, r.AccountID, r.Password, r.Request)
	if err != nil {
		return err
	}
	// The owner's address and browser are the owner's data: not kept.
	return a.erase(ctx, acct, map[string]string{"by": "owner"}, Request{})
}

// Erase erases the account for good, as Accounts.Erase does, at an
// operator's hands; the EventErased kept names the operator and the
// reason.
func (o *Operator) Erase(ctx context.Context, op OperatorAction) (err error) {
	if o.unset() {
		return errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Erase")
	defer sp.end(&err)
	if _, err := o.a.erasure(); err != nil {
		return err
	}
	acct, err := o.account(ctx, op.AccountID, op.Reason, true)
	if err != nil {
		return err
	}
	return o.a.erase(ctx, acct, map[string]string{"by": o.id.Name, "reason": op.Reason}, op.Request)
}

// Export returns an account's data as Accounts.Export does, for an
// operator answering an owner's request for it (UU 27/2022) or an
// authority's; it needs a reason, and records an EventExported that names
// the operator and the reason, so that the owner's history shows who took
// a copy. ErrReasonRequired without a reason, ErrOutOfScope for an
// account of another realm.
func (o *Operator) Export(ctx context.Context, op OperatorAction) (_ AccountExport, err error) {
	if o.unset() {
		return AccountExport{}, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Export")
	defer sp.end(&err)
	if strings.TrimSpace(op.Reason) == "" {
		return AccountExport{}, ErrReasonRequired
	}
	acct, err := o.account(ctx, op.AccountID, op.Reason, false)
	if err != nil {
		return AccountExport{}, err
	}
	x, err := (&Accounts{o.a}).Export(ctx, acct.ID)
	if err != nil {
		return AccountExport{}, err
	}
	o.record(ctx, EventExported, acct, op.Reason, op.Request)
	return x, nil
}

// erasure returns the store that erases accounts: the accounts role's,
// which must keep the activity log too, so that the account and its
// events go in one step.
func (a *Authenticator) erasure() (store.Erasure, error) {
	if a.roles.erasure == nil {
		return nil, fmt.Errorf("%w: erasure needs an Accounts store that implements store.Erasure and is also the Events store", ErrNotConfigured)
	}
	return a.roles.erasure, nil
}

// sameStore reports whether x and y are the same store: of one type, a
// comparable one, and equal (a store of a type that cannot be compared is
// taken as another store, so that comparing never panics).
func sameStore(x, y any) bool {
	t := reflect.TypeOf(x)
	return t != nil && t == reflect.TypeOf(y) && t.Comparable() && x == y
}

// erase erases acct and records it with details, then ends what a
// separate store keeps of it (sessions and tokens in Redis).
func (a *Authenticator) erase(ctx context.Context, acct store.Account, details map[string]string, req Request) error {
	es, err := a.erasure()
	if err != nil {
		return err
	}
	ev := a.event(EventErased, acct.Realm, req)
	ev.AccountID, ev.Details = store.Pseudonym(acct.ID), details
	cleanDetails(ev.Details)
	mode := a.realmOf(acct.Realm).Retention.Events.store()
	id, err := es.EraseAccount(ctx, acct.ID, mode, ev)
	if err != nil {
		return fmt.Errorf("auth: erase: %w", err)
	}
	ev.ID = id
	a.sink.send(ev)
	a.log.InfoContext(ctx, "masuk: "+ev.Kind, "realm", ev.Realm, "account", ev.AccountID, "event_id", id)
	// The erasure is done; what a store apart from the accounts keeps of
	// the account no longer opens anything (a session needs its account),
	// and goes now. On the same store these find nothing.
	ctx = context.WithoutCancel(ctx)
	var errs []error
	if a.sessions != nil {
		if _, err := a.sessions.DeleteSessions(ctx, acct.ID, ""); err != nil {
			errs = append(errs, err)
		}
	}
	if a.tokens != nil {
		if err := a.tokens.VoidTokens(ctx, acct.ID); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("auth: erase: the account is erased, but its sessions or tokens could not be ended: %w", err)
	}
	return nil
}

// AccountExport is an account's data, for its owner (the right of access
// of UU 27/2022), ready for encoding/json. It holds no secret: no
// password hash, factor secret, recovery code or session token.
type AccountExport struct {
	AccountID       string             `json:"account_id"`
	Realm           string             `json:"realm"`
	Username        string             `json:"username"`
	DisplayUsername string             `json:"display_username"`
	Email           string             `json:"email,omitempty"`
	Phone           string             `json:"phone,omitempty"`
	State           store.AccountState `json:"state"`
	Profile         map[string]string  `json:"profile,omitempty"`
	CreatedAt       time.Time          `json:"created_at"`
	UpdatedAt       time.Time          `json:"updated_at"`
	// Factors are the second factors, recovery codes left, remembered
	// devices and passkeys; empty when second factors are off.
	Factors FactorsSummary `json:"factors"`
	// Identities are the identity providers linked to the account.
	Identities []LinkedIdentity `json:"identities"`
	// Sessions are the live sessions.
	Sessions []SessionInfo `json:"sessions"`
	// Activity is the account's whole history, newest first.
	Activity []ActivityEntry `json:"activity"`
}

// Export returns the account's data, for its owner to download: the
// profile, second factors and passkeys without their secrets, the live
// sessions and the whole history.
func (s *Accounts) Export(ctx context.Context, accountID string) (_ AccountExport, err error) {
	if s.unset() {
		return AccountExport{}, errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.Export")
	defer sp.end(&err)
	a := s.a
	acct, err := a.store.AccountByID(ctx, accountID)
	if err != nil {
		return AccountExport{}, fmt.Errorf("auth: export: %w", err)
	}
	x := AccountExport{
		AccountID: acct.ID, Realm: acct.Realm, Username: acct.Username, DisplayUsername: acct.DisplayUsername,
		Email: acct.Email, Phone: acct.Phone, State: acct.State, Profile: acct.Profile,
		CreatedAt: acct.CreatedAt, UpdatedAt: acct.UpdatedAt,
		Identities: []LinkedIdentity{}, Sessions: []SessionInfo{}, Activity: []ActivityEntry{},
	}
	x.Factors, err = (&Factors{a}).Summary(ctx, acct.ID)
	switch {
	case errors.Is(err, ErrFactorsUnavailable):
		if x.Factors.Passkeys, err = a.passkeyInfos(ctx, acct.ID); err != nil {
			return AccountExport{}, err
		}
	case err != nil:
		return AccountExport{}, err
	}
	if x.Identities, err = a.identities(ctx, acct); err != nil {
		return AccountExport{}, err
	}
	if a.sessions != nil {
		if x.Sessions, err = (&Sessions{a}).List(ctx, SessionQuery{AccountID: acct.ID}); err != nil {
			return AccountExport{}, err
		}
	}
	q := store.EventQuery{Realm: acct.Realm, AccountID: acct.ID, Limit: 1000}
	for {
		es, err := a.store.ListEvents(ctx, q)
		if err != nil {
			return AccountExport{}, fmt.Errorf("auth: export: %w", err)
		}
		for _, e := range es {
			x.Activity = append(x.Activity, ActivityEntry{ID: e.ID, Kind: EventKind(e.Kind), Time: e.Time, ClientAddr: e.ClientAddr, UserAgent: e.UserAgent, Details: e.Details})
		}
		if len(es) < q.EffectiveLimit() {
			return x, nil
		}
		q.Before = es[len(es)-1].ID
	}
}

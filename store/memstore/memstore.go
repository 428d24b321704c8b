// Package memstore keeps every masuk store interface in memory.
//
// It is the embedded default for tests, examples and single-process
// programs. All methods are safe for concurrent use; each is atomic because
// it runs under one lock, which also makes memstore the reference for how the
// other backends must behave: it passes the same [storetest] suite.
//
// Nothing survives the process. memstore starts no goroutines: attempt
// counters that have settled to nothing are swept while new ones are
// created, which bounds memory under a flood of made-up usernames, expired
// tokens are swept while new ones are issued, and sessions that are no
// longer live while new ones begin.
//
// # The activity log
//
// The log is the one record a process appends to for as long as it runs,
// every login adding an event, so it is bounded: a [Store] from [New]
// keeps the newest [DefaultMaxEvents] (100,000) events and drops the
// oldest as new ones come, which at about 700 bytes an event (a login's,
// with its user agent and a detail or two) is about 70 MB.
// [NewWithConfig] sets another bound, or none, with [Config.MaxEvents].
// [Store.PruneEvents] and [Store.PruneRealmEvents] delete events by age,
// as with any store.
//
// [storetest]: https://pkg.go.dev/github.com/masuk-id/masuk/store/storetest
package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Store holds every masuk record in memory. The zero value is not usable;
// call [New].
type Store struct {
	// mu guards accounts and what belongs to them. A method that needs
	// more than one lock takes mu first, then tmu, then smu; the others
	// never take mu while they hold one of those.
	mu         sync.RWMutex
	accounts   map[string]store.Account
	byUsername map[realmKey]string // → account ID
	byEmail    map[realmKey]string // → account ID
	creds      map[string]store.Credential
	// events and anonymous are the log, each oldest first, so in the
	// order of their IDs: events of an account, and events of none (a
	// login for a username no account has). Together at most maxEvents of
	// them unless it is negative; past it, the oldest anonymous event goes
	// first, so that a flood of logins for made-up names cannot push an
	// account's history out.
	events      []store.Event
	anonymous   []store.Event
	lastEventID int64
	maxEvents   int

	// Attempt counters have a lock of their own: they are the hot path of
	// every login and must not wait behind account reads.
	amu      sync.Mutex
	attempts map[string]attemptEntry
	created  int

	cmu        sync.Mutex
	challenges map[string]store.Challenge

	// Factors, recovery codes, devices, passkeys and federated
	// identities are kept under mu, with the accounts they belong to.
	factors          map[string]store.Factor                  // by ID
	accountFactors   map[string][]string                      // account ID → factor IDs
	recovery         map[string]recoverySet                   // by account ID
	devices          map[string]store.Device                  // by selector
	accountDevices   map[string][]string                      // account ID → selectors
	passkeys         map[string]store.Passkey                 // by credential ID, as a string
	accountPasskeys  map[string][]string                      // account ID → credential IDs
	federated        map[federatedKey]store.FederatedIdentity // by (realm, issuer, subject)
	accountFederated map[string][]federatedKey                // account ID → its identities

	tmu    sync.Mutex
	tokens map[string]store.Token                  // by selector
	owners map[string]map[string]map[string]string // account ID → purpose → binding → selector
	issued int

	smu             sync.RWMutex
	sessions        map[string]store.Session // by selector
	accountSessions map[string][]string      // account ID → selectors
	begun           int
}

type realmKey struct{ realm, name string }

var (
	_ store.Store       = (*Store)(nil)
	_ store.Accounts    = (*Store)(nil)
	_ store.Credentials = (*Store)(nil)
	_ store.Events      = (*Store)(nil)
)

// DefaultMaxEvents is how many events a [Store] keeps when
// [Config.MaxEvents] is zero, as it is for [New]: the newest 100,000,
// about 70 MB of them.
const DefaultMaxEvents = 100_000

// Config says how a [Store] bounds what it keeps. The zero Config is what
// [New] uses.
type Config struct {
	// MaxEvents is how many events of the activity log the store keeps:
	// appending one more drops the oldest event that names no account, or
	// the oldest of all when every event names one. Zero means
	// DefaultMaxEvents; a
	// negative value means no bound, for a program that prunes the log
	// with PruneEvents itself, or does not run for long.
	MaxEvents int
}

// New returns an empty store that keeps the newest [DefaultMaxEvents]
// events: NewWithConfig(Config{}).
func New() *Store { return NewWithConfig(Config{}) }

// NewWithConfig returns an empty store with the bounds of cfg.
func NewWithConfig(cfg Config) *Store {
	maxEvents := cfg.MaxEvents
	if maxEvents == 0 {
		maxEvents = DefaultMaxEvents
	}
	return &Store{
		maxEvents: maxEvents,

		accounts:   make(map[string]store.Account),
		byUsername: make(map[realmKey]string),
		byEmail:    make(map[realmKey]string),
		creds:      make(map[string]store.Credential),
		attempts:   make(map[string]attemptEntry),
		challenges: make(map[string]store.Challenge),

		factors:        make(map[string]store.Factor),
		accountFactors: make(map[string][]string),
		recovery:       make(map[string]recoverySet),
		devices:        make(map[string]store.Device),
		accountDevices: make(map[string][]string),

		passkeys:        make(map[string]store.Passkey),
		accountPasskeys: make(map[string][]string),

		federated:        make(map[federatedKey]store.FederatedIdentity),
		accountFederated: make(map[string][]federatedKey),

		tokens: make(map[string]store.Token),
		owners: make(map[string]map[string]map[string]string),

		sessions:        make(map[string]store.Session),
		accountSessions: make(map[string][]string),
	}
}

// CreateAccount implements [store.Accounts].
func (s *Store) CreateAccount(ctx context.Context, a store.Account, cred *store.Credential) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckAccount(a, cred); err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	a.Profile = cloneProfile(a.Profile)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[a.ID]; ok {
		return store.ErrConflict
	}
	if _, ok := s.byUsername[realmKey{a.Realm, a.Username}]; ok {
		return store.ErrConflict
	}
	if a.Email != "" {
		if _, ok := s.byEmail[realmKey{a.Realm, a.Email}]; ok {
			return store.ErrConflict
		}
		s.byEmail[realmKey{a.Realm, a.Email}] = a.ID
	}
	s.byUsername[realmKey{a.Realm, a.Username}] = a.ID
	s.accounts[a.ID] = a
	if cred != nil {
		c := *cred
		c.ChangedAt = c.ChangedAt.UTC()
		s.creds[a.ID] = c
	}
	return nil
}

// AccountByID implements [store.Accounts].
func (s *Store) AccountByID(ctx context.Context, id string) (store.Account, error) {
	if err := ctx.Err(); err != nil {
		return store.Account{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.accountCopyLocked(id)
}

// AccountByUsername implements [store.Accounts].
func (s *Store) AccountByUsername(ctx context.Context, realm, username string) (store.Account, error) {
	return s.accountByIndex(ctx, s.byUsername, realmKey{realm, username})
}

// AccountByEmail implements [store.Accounts].
func (s *Store) AccountByEmail(ctx context.Context, realm, email string) (store.Account, error) {
	if email == "" {
		return store.Account{}, store.ErrNotFound
	}
	return s.accountByIndex(ctx, s.byEmail, realmKey{realm, email})
}

func (s *Store) accountByIndex(ctx context.Context, index map[realmKey]string, k realmKey) (store.Account, error) {
	if err := ctx.Err(); err != nil {
		return store.Account{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := index[k]
	if !ok {
		return store.Account{}, store.ErrNotFound
	}
	return s.accountCopyLocked(id)
}

func (s *Store) accountLocked(id string) (store.Account, error) {
	a, ok := s.accounts[id]
	if !ok {
		return store.Account{}, store.ErrNotFound
	}
	return a, nil
}

// accountCopyLocked is accountLocked for a caller outside the store: the
// stored profile map is never written to, but the caller may write to the
// one it gets.
func (s *Store) accountCopyLocked(id string) (store.Account, error) {
	a, err := s.accountLocked(id)
	a.Profile = cloneProfile(a.Profile)
	return a, err
}

// cloneProfile copies p, so that the caller's map and the stored one never
// share, and makes an empty profile nil.
func cloneProfile(p map[string]string) map[string]string {
	if len(p) == 0 {
		return nil
	}
	return maps.Clone(p)
}

// SetAccountState implements [store.Accounts].
func (s *Store) SetAccountState(ctx context.Context, id string, from, to store.AccountState, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !to.Valid() {
		return store.ErrInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(id)
	if err != nil {
		return err
	}
	if a.State != from {
		return store.ErrStale
	}
	a.State, a.UpdatedAt = to, at.UTC()
	s.accounts[id] = a
	return nil
}

// SetPhone implements [store.Accounts].
func (s *Store) SetPhone(ctx context.Context, id, from, to string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckPhone(to); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return store.ErrNotFound
	}
	if a.Phone != from {
		return store.ErrStale
	}
	a.Phone, a.UpdatedAt = to, at.UTC()
	s.accounts[id] = a
	return nil
}

// SetEmail implements [store.Accounts].
func (s *Store) SetEmail(ctx context.Context, id, from, to string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckEmail(to); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.accounts[id]
	if !ok {
		return store.ErrNotFound
	}
	if a.Email != from {
		return store.ErrStale
	}
	if to != "" {
		if owner, ok := s.byEmail[realmKey{a.Realm, to}]; ok && owner != id {
			return store.ErrConflict
		}
	}
	if a.Email != "" {
		delete(s.byEmail, realmKey{a.Realm, a.Email})
	}
	if to != "" {
		s.byEmail[realmKey{a.Realm, to}] = id
	}
	a.Email, a.UpdatedAt = to, at.UTC()
	s.accounts[id] = a
	return nil
}

// DeleteAccount implements [store.Accounts]. It holds the accounts' lock,
// the tokens' and the sessions' at once, so that the account and
// everything keyed to it go in one step. The event log keeps the account's events.
func (s *Store) DeleteAccount(ctx context.Context, id string, state store.AccountState, updatedBefore time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !state.Valid() || updatedBefore.IsZero() {
		return store.ErrInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(id)
	if err != nil {
		return err
	}
	if a.State != state || !a.UpdatedAt.Before(updatedBefore) {
		return store.ErrStale
	}
	s.tmu.Lock()
	defer s.tmu.Unlock()
	s.smu.Lock()
	defer s.smu.Unlock()
	s.removeAccountLocked(a)
	return nil
}

// removeAccountLocked removes the account a and everything keyed to it
// but its events. The caller holds mu, tmu and smu.
func (s *Store) removeAccountLocked(a store.Account) {
	id := a.ID
	delete(s.accounts, id)
	delete(s.byUsername, realmKey{a.Realm, a.Username})
	if a.Email != "" {
		delete(s.byEmail, realmKey{a.Realm, a.Email})
	}
	delete(s.creds, id)
	for _, f := range s.accountFactors[id] {
		delete(s.factors, f)
	}
	delete(s.accountFactors, id)
	delete(s.recovery, id)
	for _, sel := range s.accountDevices[id] {
		delete(s.devices, sel)
	}
	delete(s.accountDevices, id)
	for _, k := range s.accountPasskeys[id] {
		delete(s.passkeys, k)
	}
	delete(s.accountPasskeys, id)
	for _, k := range s.accountFederated[id] {
		delete(s.federated, k)
	}
	delete(s.accountFederated, id)
	s.voidTokensLocked(id)
	for _, sel := range s.accountSessions[id] {
		delete(s.sessions, sel)
	}
	delete(s.accountSessions, id)
}

// CredentialByAccount implements [store.Credentials].
func (s *Store) CredentialByAccount(ctx context.Context, accountID string) (store.Credential, error) {
	if err := ctx.Err(); err != nil {
		return store.Credential{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.creds[accountID]
	if !ok {
		return store.Credential{}, store.ErrNotFound
	}
	return c, nil
}

// SetCredential implements [store.Credentials].
func (s *Store) SetCredential(ctx context.Context, c store.Credential, stamp string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckCredential(c); err != nil {
		return err
	}
	if err := store.CheckStamp(stamp); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.putCredentialLocked(c, stamp)
}

// SwapCredential implements [store.Credentials].
func (s *Store) SwapCredential(ctx context.Context, oldHash string, c store.Credential, stamp string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckCredential(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.accountLocked(c.AccountID); err != nil {
		return err
	}
	if cur, ok := s.creds[c.AccountID]; !ok || cur.Hash != oldHash {
		return store.ErrStale
	}
	return s.putCredentialLocked(c, stamp)
}

// AddCredential implements [store.Credentials].
func (s *Store) AddCredential(ctx context.Context, c store.Credential, stamp string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckCredential(c); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.accountLocked(c.AccountID); err != nil {
		return err
	}
	if _, ok := s.creds[c.AccountID]; ok {
		return store.ErrConflict
	}
	return s.putCredentialLocked(c, stamp)
}

// putCredentialLocked stores c and, when stamp is not empty, the account's
// new security stamp.
func (s *Store) putCredentialLocked(c store.Credential, stamp string) error {
	a, err := s.accountLocked(c.AccountID)
	if err != nil {
		return err
	}
	c.ChangedAt = c.ChangedAt.UTC()
	s.creds[c.AccountID] = c
	if stamp != "" {
		a.SecurityStamp = stamp
		s.accounts[a.ID] = a
	}
	return nil
}

// AppendEvent implements [store.Events].
func (s *Store) AppendEvent(ctx context.Context, e store.Event) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := store.CheckEvent(e); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendEventLocked(e), nil
}

// appendEventLocked appends e, checked, and returns its ID. The caller
// holds mu.
func (s *Store) appendEventLocked(e store.Event) int64 {
	e.Time = e.Time.UTC()
	e.Details = maps.Clone(e.Details)
	s.lastEventID++
	e.ID = s.lastEventID
	if e.AccountID == "" {
		s.anonymous = append(s.anonymous, e)
	} else {
		s.events = append(s.events, e)
	}
	if s.maxEvents >= 0 && len(s.events)+len(s.anonymous) > s.maxEvents {
		if len(s.anonymous) > 0 {
			s.anonymous = dropOldest(s.anonymous)
		} else {
			s.events = dropOldest(s.events)
		}
	}
	return e.ID
}

// dropOldest drops the first event of log. Its place is zeroed, so that it
// holds on to nothing; append copies the kept ones to a new array when
// this one is used up, and the old one goes.
func dropOldest(log []store.Event) []store.Event {
	log[0] = store.Event{}
	return log[1:]
}

// PruneEvents implements [store.Events]. It scans the whole log.
func (s *Store) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	return s.pruneEvents(ctx, "", before, limit)
}

// PruneRealmEvents implements [store.Events]. It scans the whole log.
func (s *Store) PruneRealmEvents(ctx context.Context, realm string, before time.Time, limit int) (int, error) {
	if realm == "" {
		return 0, store.ErrInvalid
	}
	return s.pruneEvents(ctx, realm, before, limit)
}

// pruneEvents deletes the oldest limit events before before, of realm, or
// of every realm when realm is empty.
func (s *Store) pruneEvents(ctx context.Context, realm string, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if limit < 1 {
		return 0, store.ErrInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The oldest limit of those before before, by time and then ID.
	var old []store.Event
	for _, log := range [][]store.Event{s.events, s.anonymous} {
		for _, e := range log {
			if e.Time.Before(before) && (realm == "" || e.Realm == realm) {
				old = append(old, e)
			}
		}
	}
	if len(old) == 0 {
		return 0, nil
	}
	slices.SortFunc(old, func(a, b store.Event) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.ID, b.ID))
	})
	old = old[:min(limit, len(old))]
	gone := make(map[int64]bool, len(old))
	for _, e := range old {
		gone[e.ID] = true
	}
	drop := func(e store.Event) bool { return gone[e.ID] }
	s.events = slices.DeleteFunc(s.events, drop)
	s.anonymous = slices.DeleteFunc(s.anonymous, drop)
	return len(old), nil
}

// ListEvents implements [store.Events].
func (s *Store) ListEvents(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Realm == "" {
		return nil, store.ErrInvalid
	}
	limit := q.EffectiveLimit()
	s.mu.RLock()
	defer s.mu.RUnlock()
	// Newest first from the account's log, merged with the anonymous
	// one when the query is not for one account.
	logs := [][]store.Event{s.events}
	if q.AccountID == "" {
		logs = append(logs, s.anonymous)
	}
	ends := make([]int, len(logs))
	for i, log := range logs {
		ends[i] = len(log)
		if q.Before > 0 {
			ends[i], _ = slices.BinarySearchFunc(log, q.Before, func(e store.Event, id int64) int { return cmp.Compare(e.ID, id) })
		}
	}
	var out []store.Event
	for len(out) < limit {
		// The log whose next event (going back) is the newest.
		pick := -1
		for i, log := range logs {
			if ends[i] > 0 && (pick < 0 || log[ends[i]-1].ID > logs[pick][ends[pick]-1].ID) {
				pick = i
			}
		}
		if pick < 0 {
			break
		}
		ends[pick]--
		e := logs[pick][ends[pick]]
		if e.Realm != q.Realm || (q.AccountID != "" && e.AccountID != q.AccountID) {
			continue
		}
		e.Details = maps.Clone(e.Details)
		out = append(out, e)
	}
	return out, nil
}

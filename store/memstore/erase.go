package memstore

import (
	"context"
	"slices"

	"github.com/masuk-id/masuk/store"
)

var _ store.Erasure = (*Store)(nil)

// EraseAccount implements [store.Erasure]. It holds the accounts' lock,
// which also guards the log, the tokens' and the sessions' at once, so
// that the account, everything keyed to it and its events go, and the
// erasure's event comes, in one step. Events the erasure keeps, with
// their account pseudonymised, stay in the log of accounts' events.
func (s *Store) EraseAccount(ctx context.Context, id string, mode store.EventErasure, e store.Event) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := store.CheckErasure(mode, e); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(id)
	if err != nil {
		return 0, err
	}
	s.tmu.Lock()
	defer s.tmu.Unlock()
	s.smu.Lock()
	defer s.smu.Unlock()
	s.removeAccountLocked(a)
	if mode == store.EventsDelete {
		s.events = slices.DeleteFunc(s.events, func(e store.Event) bool { return e.AccountID == id })
	} else {
		pseudonym := store.Pseudonym(id)
		for i := range s.events {
			if s.events[i].AccountID == id {
				s.events[i] = store.Event{ID: s.events[i].ID, Kind: s.events[i].Kind, Realm: s.events[i].Realm, AccountID: pseudonym, Time: s.events[i].Time}
			}
		}
	}
	return s.appendEventLocked(e), nil
}

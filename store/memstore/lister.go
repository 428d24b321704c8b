package memstore

import (
	"context"
	"slices"
	"strings"

	"github.com/masuk-id/masuk/store"
)

var _ store.AccountLister = (*Store)(nil)

// ListAccounts implements [store.AccountLister]. It scans every account
// of the store and sorts the realm's that q selects, which is fine for the
// accounts a process holds in memory but is no model for a database: there
// an index on realm and username serves the order and the paging.
func (s *Store) ListAccounts(ctx context.Context, q store.AccountQuery) ([]store.Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if q.Realm == "" || (q.State != "" && !q.State.Valid()) {
		return nil, store.ErrInvalid
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []store.Account{}
	for _, a := range s.accounts {
		switch {
		case a.Realm != q.Realm,
			q.State != "" && a.State != q.State,
			q.After != "" && a.Username <= q.After,
			q.Search != "" && !strings.HasPrefix(a.Username, q.Search) &&
				(a.Email == "" || !strings.HasPrefix(a.Email, q.Search)):
			continue
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b store.Account) int { return strings.Compare(a.Username, b.Username) })
	out = out[:min(len(out), q.EffectiveLimit())]
	for i := range out {
		out[i].Profile = cloneProfile(out[i].Profile)
	}
	return slices.Clip(out), nil
}

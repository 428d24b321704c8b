package memstore

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"time"

	"github.com/masuk-id/masuk/store"
)

var _ store.Sessions = (*Store)(nil)

// Sessions are kept under a lock of their own, apart from accounts: they
// do not check that their account exists, and reading one is on the path
// of every request, so it takes only a read lock. A session is deleted
// when it is ended; one that is no longer live is dropped when its account
// begins another (which is also when the bound of MaxSessionsPerAccount
// live sessions is applied) and, across every account, once every
// sweepEvery sessions begun, when it is no longer live at the new one's
// CreatedAt. Memory is so bounded by the sessions live at once and
// sweepEvery more.

// CreateSession implements [store.Sessions]. Which sessions are live, for
// the bound and for the selector, is judged at s.CreatedAt: a selector
// held by a session that is no longer live is not taken, and that session
// is dropped.
func (s *Store) CreateSession(ctx context.Context, x store.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := store.CheckSession(x); err != nil {
		return err
	}
	x = cloneSession(x)
	x.CreatedAt, x.LastSeenAt = x.CreatedAt.UTC(), x.LastSeenAt.UTC()
	if x.VerifiedAt.IsZero() {
		x.VerifiedAt = x.CreatedAt
	}
	x.VerifiedAt = x.VerifiedAt.UTC()
	x.IdleUntil, x.ExpiresAt = x.IdleUntil.UTC(), x.ExpiresAt.UTC()
	s.smu.Lock()
	defer s.smu.Unlock()
	if held, ok := s.sessions[x.Selector]; ok {
		if sessionLive(held, x.CreatedAt) {
			return store.ErrConflict
		}
		s.deleteSessionLocked(held)
	}
	live := slices.DeleteFunc(s.accountSessions[x.AccountID], func(sel string) bool {
		if !sessionLive(s.sessions[sel], x.CreatedAt) {
			delete(s.sessions, sel)
			return true
		}
		return false
	})
	for len(live) >= store.MaxSessionsPerAccount {
		first := 0
		for i, sel := range live {
			if s.sessions[sel].IdleUntil.Before(s.sessions[live[first]].IdleUntil) {
				first = i
			}
		}
		delete(s.sessions, live[first])
		live = slices.Delete(live, first, first+1)
	}
	s.sessions[x.Selector] = x
	s.accountSessions[x.AccountID] = append(live, x.Selector)
	s.begun++
	if s.begun%sweepEvery == 0 {
		for _, old := range s.sessions {
			if !sessionLive(old, x.CreatedAt) {
				s.deleteSessionLocked(old)
			}
		}
	}
	return nil
}

// Session implements [store.Sessions].
func (s *Store) Session(ctx context.Context, selector string, at time.Time) (store.Session, error) {
	if err := ctx.Err(); err != nil {
		return store.Session{}, err
	}
	s.smu.RLock()
	defer s.smu.RUnlock()
	x, ok := s.sessions[selector]
	if !ok || !sessionLive(x, at) {
		return store.Session{}, store.ErrNotFound
	}
	return cloneSession(x), nil
}

// TouchSession implements [store.Sessions].
func (s *Store) TouchSession(ctx context.Context, selector string, seen, idleUntil time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	x, ok := s.sessions[selector]
	if !ok || !sessionLive(x, seen) {
		return store.ErrNotFound
	}
	if seen.After(x.LastSeenAt) {
		x.LastSeenAt = seen.UTC()
	}
	if idleUntil.After(x.ExpiresAt) {
		idleUntil = x.ExpiresAt
	}
	if idleUntil.After(x.IdleUntil) {
		x.IdleUntil = idleUntil.UTC()
	}
	s.sessions[selector] = x
	return nil
}

// VerifySession implements [store.Sessions].
func (s *Store) VerifySession(ctx context.Context, selector string, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	x, ok := s.sessions[selector]
	if !ok || !sessionLive(x, at) {
		return store.ErrNotFound
	}
	if at.After(x.VerifiedAt) {
		x.VerifiedAt = at.UTC()
		s.sessions[selector] = x
	}
	return nil
}

// Sessions implements [store.Sessions]. Sessions last seen at the same
// time are listed by selector.
func (s *Store) Sessions(ctx context.Context, accountID string, at time.Time) ([]store.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.smu.RLock()
	defer s.smu.RUnlock()
	out := []store.Session{}
	for _, sel := range s.accountSessions[accountID] {
		if x := s.sessions[sel]; sessionLive(x, at) {
			out = append(out, cloneSession(x))
		}
	}
	slices.SortFunc(out, func(a, b store.Session) int {
		return cmp.Or(b.LastSeenAt.Compare(a.LastSeenAt), cmp.Compare(a.Selector, b.Selector))
	})
	return out, nil
}

// DeleteSession implements [store.Sessions]. It ends a session of the
// account that is no longer live as well.
func (s *Store) DeleteSession(ctx context.Context, accountID, selector string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	x, ok := s.sessions[selector]
	if !ok || x.AccountID != accountID {
		return store.ErrNotFound
	}
	s.deleteSessionLocked(x)
	return nil
}

// DeleteSessions implements [store.Sessions]. The count includes the
// account's sessions that were no longer live but not yet dropped.
func (s *Store) DeleteSessions(ctx context.Context, accountID, except string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.smu.Lock()
	defer s.smu.Unlock()
	ended := 0
	kept := slices.DeleteFunc(s.accountSessions[accountID], func(sel string) bool {
		if sel == except {
			return false
		}
		delete(s.sessions, sel)
		ended++
		return true
	})
	if len(kept) == 0 {
		delete(s.accountSessions, accountID)
	} else {
		s.accountSessions[accountID] = kept
	}
	return ended, nil
}

// sessionLive reports whether x is live at t: before both IdleUntil and
// ExpiresAt.
func sessionLive(x store.Session, t time.Time) bool {
	return t.Before(x.IdleUntil) && t.Before(x.ExpiresAt)
}

// deleteSessionLocked removes x and its place in its account's index.
func (s *Store) deleteSessionLocked(x store.Session) {
	delete(s.sessions, x.Selector)
	sels := slices.DeleteFunc(s.accountSessions[x.AccountID], func(sel string) bool { return sel == x.Selector })
	if len(sels) == 0 {
		delete(s.accountSessions, x.AccountID)
	} else {
		s.accountSessions[x.AccountID] = sels
	}
}

func cloneSession(x store.Session) store.Session {
	x.Hash = slices.Clone(x.Hash)
	x.Data = maps.Clone(x.Data)
	return x
}

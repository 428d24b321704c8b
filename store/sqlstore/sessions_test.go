package sqlstore_test

import (
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// The storetest suite checks the contract of sessions and of listing
// accounts; these tests check what it leaves to the backend: that touches
// and the cap hold when many calls race on one database, that a search
// matches its characters literally and pages go bytewise, and pruning.

// newSession returns the i-th session of the account: it began at t0,
// goes idle i minutes after an hour, and expires after a day.
func newSession(a store.Account, i int) store.Session {
	return store.Session{
		Selector: fmt.Sprintf("session-%03d-%s", i, randomHex(8)), Hash: []byte(randomHex(16)),
		AccountID: a.ID, Realm: a.Realm, Stamp: a.SecurityStamp, ClientAddr: "192.0.2.7", UserAgent: "Firefox on Linux",
		CreatedAt: t0, LastSeenAt: t0, IdleUntil: t0.Add(time.Hour + time.Duration(i)*time.Minute), ExpiresAt: t0.Add(24 * time.Hour),
		Data: map[string]string{"factor": "totp"},
	}
}

// TestTouchSessionParallel touches one session from many goroutines at
// once, in no order, while another reads it: neither time ever moves
// back, and each ends at the latest any touch asked for, IdleUntil no
// later than ExpiresAt.
func TestTouchSessionParallel(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			a, _ := newAccount("toucher")
			sess := newSession(a, 0)
			sess.ExpiresAt = t0.Add(2 * time.Hour)
			require.NoError(t, s.CreateSession(t.Context(), sess))

			const n = 60
			var done atomic.Bool
			readErr := make(chan error, 1)
			go func() {
				last := sess
				for !done.Load() {
					got, err := s.Session(t.Context(), sess.Selector, t0)
					if err == nil && (got.LastSeenAt.Before(last.LastSeenAt) || got.IdleUntil.Before(last.IdleUntil)) {
						err = fmt.Errorf("went back: %v %v after %v %v", got.LastSeenAt, got.IdleUntil, last.LastSeenAt, last.IdleUntil)
					}
					if err != nil {
						readErr <- err
						return
					}
					last = got
				}
				readErr <- nil
			}()
			// Touch i is seen at t0 + i seconds and keeps the session
			// for 90 minutes more: the last few ask beyond ExpiresAt.
			errs := parallel(n, func(i int) error {
				seen := t0.Add(time.Duration((i*37)%n) * time.Second)
				return s.TouchSession(t.Context(), sess.Selector, seen, seen.Add(90*time.Minute+time.Duration(i)*time.Minute))
			})
			done.Store(true)
			require.NoError(t, <-readErr)
			for _, err := range errs {
				require.NoError(t, err)
			}
			got, err := s.Session(t.Context(), sess.Selector, t0)
			require.NoError(t, err)
			assert.Equal(t, t0.Add((n-1)*time.Second), got.LastSeenAt)
			assert.Equal(t, sess.ExpiresAt, got.IdleUntil, "no later than ExpiresAt")
		})
	}
}

// TestTouchSessionBounds: a touch moves each time only forward, never
// IdleUntil past ExpiresAt, and finds only a session live when seen.
func TestTouchSessionBounds(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			a, _ := newAccount("bounds")
			sess := newSession(a, 0) // idle at t0+1h, expires at t0+24h
			require.NoError(t, s.CreateSession(t.Context(), sess))
			get := func() store.Session {
				t.Helper()
				got, err := s.Session(t.Context(), sess.Selector, t0)
				require.NoError(t, err)
				return got
			}

			require.NoError(t, s.TouchSession(t.Context(), sess.Selector, t0.Add(time.Minute), t0.Add(30*time.Minute)))
			got := get()
			assert.Equal(t, t0.Add(time.Minute), got.LastSeenAt)
			assert.Equal(t, sess.IdleUntil, got.IdleUntil, "an earlier idleUntil does not move it back")

			require.NoError(t, s.TouchSession(t.Context(), sess.Selector, t0, t0.Add(2*time.Hour)))
			got = get()
			assert.Equal(t, t0.Add(time.Minute), got.LastSeenAt, "an earlier seen does not move it back")
			assert.Equal(t, t0.Add(2*time.Hour), got.IdleUntil)

			require.NoError(t, s.TouchSession(t.Context(), sess.Selector, t0.Add(time.Hour), t0.Add(48*time.Hour)))
			assert.Equal(t, sess.ExpiresAt, get().IdleUntil, "at most ExpiresAt")

			require.ErrorIs(t, s.TouchSession(t.Context(), sess.Selector, sess.ExpiresAt, sess.ExpiresAt.Add(time.Hour)), store.ErrNotFound, "expired")
			require.ErrorIs(t, s.TouchSession(t.Context(), "session-unknown-0123456789", t0, t0.Add(time.Hour)), store.ErrNotFound)
			require.ErrorIs(t, s.TouchSession(t.Context(), "session-\x00\xff-0123456789", t0, t0.Add(time.Hour)), store.ErrNotFound)

			idle := newSession(a, 1)
			require.NoError(t, s.CreateSession(t.Context(), idle))
			require.ErrorIs(t, s.TouchSession(t.Context(), idle.Selector, idle.IdleUntil, idle.IdleUntil.Add(time.Hour)), store.ErrNotFound, "gone idle")
			_, err := s.Session(t.Context(), idle.Selector, idle.IdleUntil)
			require.ErrorIs(t, err, store.ErrNotFound)

			// A session no longer live does not keep its selector taken,
			// whichever account begins the next.
			other, _ := newAccount("other")
			reuse := newSession(other, 0)
			reuse.Selector = idle.Selector
			reuse.CreatedAt, reuse.LastSeenAt = idle.IdleUntil, idle.IdleUntil
			reuse.IdleUntil = reuse.CreatedAt.Add(time.Hour)
			require.NoError(t, s.CreateSession(t.Context(), reuse))
			got, err = s.Session(t.Context(), idle.Selector, reuse.CreatedAt)
			require.NoError(t, err)
			require.Equal(t, other.ID, got.AccountID)
		})
	}
}

// TestCreateSessionParallel: of many sessions begun at once for one
// account, with or without an account row, every call succeeds and
// MaxSessionsPerAccount stay live.
func TestCreateSessionParallel(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			a, c := newAccount("crowd")
			require.NoError(t, s.CreateAccount(t.Context(), a, &c))
			ghost, _ := newAccount("ghost") // no row
			for _, a := range []store.Account{a, ghost} {
				const n = store.MaxSessionsPerAccount + 10
				errs := parallel(n, func(i int) error { return s.CreateSession(t.Context(), newSession(a, i)) })
				for _, err := range errs {
					require.NoError(t, err)
				}
				ss, err := s.Sessions(t.Context(), a.ID, t0)
				require.NoError(t, err)
				require.Len(t, ss, store.MaxSessionsPerAccount, a.Username)
			}
		})
	}
}

// TestCreateSessionCap: at the cap, a new session ends the one that goes
// idle first; sessions no longer live do not count, and a taken selector
// ends nothing.
func TestCreateSessionCap(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			a, _ := newAccount("capped")
			var all []store.Session
			for i := range store.MaxSessionsPerAccount {
				sess := newSession(a, store.MaxSessionsPerAccount-i) // the last goes idle first
				require.NoError(t, s.CreateSession(t.Context(), sess))
				all = append(all, sess)
			}
			first := all[len(all)-1]

			again := newSession(a, 100)
			again.Selector = all[0].Selector
			require.ErrorIs(t, s.CreateSession(t.Context(), again), store.ErrConflict)
			ss, err := s.Sessions(t.Context(), a.ID, t0)
			require.NoError(t, err)
			require.Len(t, ss, store.MaxSessionsPerAccount, "a conflict ends nothing")

			more := newSession(a, 0) // goes idle before every other, and stays
			require.NoError(t, s.CreateSession(t.Context(), more))
			ss, err = s.Sessions(t.Context(), a.ID, t0)
			require.NoError(t, err)
			require.Len(t, ss, store.MaxSessionsPerAccount)
			_, err = s.Session(t.Context(), first.Selector, t0)
			require.ErrorIs(t, err, store.ErrNotFound, "the one that went idle first ended")
			_, err = s.Session(t.Context(), more.Selector, t0)
			require.NoError(t, err)

			// Later, when the new one and the next have gone idle, a new
			// session ends none of those still live.
			later := newSession(a, 200)
			later.CreatedAt, later.LastSeenAt = all[len(all)-2].IdleUntil, all[len(all)-2].IdleUntil
			require.NoError(t, s.CreateSession(t.Context(), later))
			ss, err = s.Sessions(t.Context(), a.ID, later.CreatedAt)
			require.NoError(t, err)
			require.Len(t, ss, store.MaxSessionsPerAccount-1)
		})
	}
}

// TestSessionsOrderAndDelete: an account's sessions come most recently
// seen first; DeleteSessions ends all but one and counts them.
func TestSessionsOrderAndDelete(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, _, _ := b.newStore(t)
			a, _ := newAccount("lister")
			var sels []string
			for i := range 4 {
				sess := newSession(a, i)
				sess.Data = nil
				require.NoError(t, s.CreateSession(t.Context(), sess))
				require.NoError(t, s.TouchSession(t.Context(), sess.Selector, t0.Add(time.Duration(i)*time.Minute), sess.IdleUntil))
				sels = append(sels, sess.Selector)
			}
			ss, err := s.Sessions(t.Context(), a.ID, t0)
			require.NoError(t, err)
			var got []string
			for _, sess := range ss {
				got = append(got, sess.Selector)
				assert.Nil(t, sess.Data)
			}
			slices.Reverse(sels)
			require.Equal(t, sels, got)

			n, err := s.DeleteSessions(t.Context(), a.ID, sels[1])
			require.NoError(t, err)
			require.Equal(t, 3, n)
			ss, err = s.Sessions(t.Context(), a.ID, t0)
			require.NoError(t, err)
			require.Len(t, ss, 1)
			require.Equal(t, sels[1], ss[0].Selector)
			require.ErrorIs(t, s.DeleteSession(t.Context(), "another account", sels[1]), store.ErrNotFound)
			require.NoError(t, s.DeleteSession(t.Context(), a.ID, sels[1]))
			require.ErrorIs(t, s.DeleteSession(t.Context(), a.ID, sels[1]), store.ErrNotFound)
			n, err = s.DeleteSessions(t.Context(), a.ID, "")
			require.NoError(t, err)
			require.Zero(t, n)
		})
	}
}

// TestPruneSessions deletes the sessions gone idle or expired, and only
// those.
func TestPruneSessions(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			a, _ := newAccount("pruned")
			idle, live := newSession(a, 0), newSession(a, 10)
			require.NoError(t, s.CreateSession(t.Context(), idle))
			require.NoError(t, s.CreateSession(t.Context(), live))
			n, err := s.PruneSessions(t.Context(), idle.IdleUntil)
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			require.Equal(t, []string{live.Selector}, column[string](t, db, "SELECT selector FROM "+table(schema, "sessions")))
			n, err = s.PruneSessions(t.Context(), live.ExpiresAt)
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
		})
	}
}

// TestListAccountsLiteral: a search matches its characters literally and
// exactly in case (no LIKE wildcards, no case folding), against usernames
// and emails; pages go in the order of the usernames' bytes. On
// PostgreSQL the columns get a collation that orders otherwise (ICU's
// English, which puts "abc" before "ABC" and ignores punctuation first),
// as a database's default may.
func TestListAccountsLiteral(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			s, db, schema := b.newStore(t)
			if b.dialect == sqlstore.Postgres {
				_, err := db.ExecContext(t.Context(), `ALTER TABLE `+table(schema, "accounts")+`
					ALTER COLUMN username TYPE text COLLATE "en-x-icu",
					ALTER COLUMN email TYPE text COLLATE "en-x-icu"`)
				require.NoError(t, err, "a PostgreSQL built with ICU")
			}
			realm := "realm-" + randomHex(8)
			usernames := []string{"a%b", "a_b", "axb", `a\b`, "abc", "ABC", "Zed", "~tilde", "émile", "\ud7ffx", "\ue000", "\U0010ffff\U0010ffff"}
			for i, u := range usernames {
				a, _ := newAccount(u)
				a.Realm, a.Email = realm, fmt.Sprintf("user%d@example.id", i)
				if u == "Zed" {
					a.Email = "a_mail@example.id"
				}
				require.NoError(t, s.CreateAccount(t.Context(), a, nil))
			}
			list := func(q store.AccountQuery) []string {
				t.Helper()
				q.Realm = realm
				as, err := s.ListAccounts(t.Context(), q)
				require.NoError(t, err)
				names := []string{}
				for _, a := range as {
					names = append(names, a.Username)
				}
				return names
			}
			for search, want := range map[string][]string{
				"a%":                       {"a%b"},
				"a_":                       {"Zed", "a_b"}, // Zed by its email
				`a\`:                       {`a\b`},
				"a":                        {"Zed", "a%b", `a\b`, "a_b", "abc", "axb"},
				"A":                        {"ABC"},
				"é":                        {"émile"},
				"\ud7ff":                   {"\ud7ffx"},
				"\U0010ffff":               {"\U0010ffff\U0010ffff"},
				"user1":                    {"a_b", "\ue000", "\U0010ffff\U0010ffff"}, // by their emails user1, user10, user11
				"%":                        {},
				"_":                        {},
				"nobody":                   {},
				"user11@example.id":        {"\U0010ffff\U0010ffff"},
				"user11@example.id.longer": {},
			} {
				assert.Equal(t, want, list(store.AccountQuery{Search: search}), "search %q", search)
			}

			// Bytewise: uppercase before lowercase, ASCII before the rest.
			sorted := slices.Clone(usernames)
			slices.Sort(sorted)
			require.Equal(t, sorted, list(store.AccountQuery{}))
			var paged []string
			for after := ""; ; {
				page := list(store.AccountQuery{After: after, Limit: 5})
				paged = append(paged, page...)
				if len(page) < 5 {
					break
				}
				after = page[len(page)-1]
			}
			require.Equal(t, sorted, paged)
			require.Equal(t, []string{"ABC"}, list(store.AccountQuery{After: "A\x00B", Limit: 1}))
		})
	}
}

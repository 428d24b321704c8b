package sqlstore_test

// Review of issue 19 item 6 (a session's copy of its account, kept by
// triggers): probes. Each fails when the copy can be stale.

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
)

// TestReview20ReplicaRoleBypassesCopyProbe: PostgreSQL fires ordinary
// triggers only in session_replication_role "origin". A logical
// replication subscriber applies with "replica", and pg_restore
// --disable-triggers and many sync/ETL tools set it too: an account
// disabled (and its password stamp changed) by such a writer leaves its
// sessions loading the active account with the old stamp.
func TestReview20ReplicaRoleBypassesCopyProbe(t *testing.T) {
	s, db, schema := postgresBackend.newStore(t)
	ctx := t.Context()
	a, c := newAccount("replika")
	require.NoError(t, s.CreateAccount(ctx, a, &c))
	sess := newSession(a, 0)
	require.NoError(t, s.CreateSession(ctx, sess))

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `SET session_replication_role = replica`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `UPDATE `+table(schema, "accounts")+` SET state = 'disabled', security_stamp = 'changed' WHERE id = $1`, a.ID)
	require.NoError(t, err)
	_, _ = conn.ExecContext(ctx, `SET session_replication_role = origin`)

	got, err := s.AccountByID(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, store.StateDisabled, got.State, "the account is disabled")
	_, acct, err := s.SessionAccount(ctx, sess.Selector, t0)
	if err == nil {
		assert.Equal(t, store.StateDisabled, acct.State, "the session loads the account as %s with stamp %q", acct.State, acct.SecurityStamp)
	}
}

// TestReview20TruncateBypassesCopyProbe: TRUNCATE fires no row trigger;
// sessions have no foreign key to the accounts, so TRUNCATE ... CASCADE
// leaves them, each with a copy of an account that no longer exists,
// which SessionAccount returns as live.
func TestReview20TruncateBypassesCopyProbe(t *testing.T) {
	s, db, schema := postgresBackend.newStore(t)
	ctx := t.Context()
	a, c := newAccount("terpotong")
	require.NoError(t, s.CreateAccount(ctx, a, &c))
	sess := newSession(a, 0)
	require.NoError(t, s.CreateSession(ctx, sess))
	_, err := db.ExecContext(ctx, `TRUNCATE `+table(schema, "accounts")+` CASCADE`)
	require.NoError(t, err)
	_, err = s.AccountByID(ctx, a.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	_, acct, err := s.SessionAccount(ctx, sess.Selector, t0)
	assert.ErrorIs(t, err, store.ErrNotFound, "the session of a truncated account loads %+v", acct)
}

// TestReview20SQLiteReplaceBypassesCopyProbe: on SQLite, INSERT OR
// REPLACE deletes the row it conflicts with without firing DELETE
// triggers (unless PRAGMA recursive_triggers is on): a host that re-imports
// an account under a new id by REPLACE leaves the old id's sessions with
// the copy of an account that no longer exists.
func TestReview20SQLiteReplaceBypassesCopyProbe(t *testing.T) {
	s, db, schema := sqliteBackend.newStore(t)
	ctx := t.Context()
	a, c := newAccount("ganti")
	require.NoError(t, s.CreateAccount(ctx, a, &c))
	sess := newSession(a, 0)
	require.NoError(t, s.CreateSession(ctx, sess))
	_, err := db.ExecContext(ctx, `INSERT OR REPLACE INTO `+table(schema, "accounts")+`
		(id, realm, username, display_username, email, phone, state, security_stamp, profile, created_at, updated_at)
		SELECT 'acc-new', realm, username, display_username, email, phone, 'disabled', 'x', profile, created_at, updated_at
		FROM `+table(schema, "accounts")+` WHERE id = ?`, a.ID)
	require.NoError(t, err)
	_, err = s.AccountByID(ctx, a.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "the old row is gone")
	_, acct, err := s.SessionAccount(ctx, sess.Selector, t0)
	assert.ErrorIs(t, err, store.ErrNotFound, "the session of the replaced account loads %+v", acct)
}

// TestReview20CreateSessionRacesAccountWriteHolds: a session created while
// its account is disabled or deleted never loads the account as active
// (held if it passes).
func TestReview20CreateSessionRacesAccountWriteHolds(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := b.newStore(t)
			ctx := t.Context()
			for i := 0; i < 150; i++ {
				a, c := newAccount(fmt.Sprintf("balapan-%d", i))
				require.NoError(t, s.CreateAccount(ctx, a, &c))
				sess := newSession(a, 0)
				var wg sync.WaitGroup
				wg.Add(2)
				go func() {
					defer wg.Done()
					if i%2 == 0 {
						_ = s.SetAccountState(ctx, a.ID, store.StateActive, store.StateDisabled, t0.Add(time.Second))
					} else {
						_ = s.DeleteAccount(ctx, a.ID, store.StateActive, t0.Add(time.Hour))
					}
				}()
				go func() { defer wg.Done(); _ = s.CreateSession(ctx, sess) }()
				wg.Wait()
				_, acct, err := s.SessionAccount(ctx, sess.Selector, t0)
				if err == nil && acct.State == store.StateActive {
					t.Fatalf("round %d: the session loads an active account after its account was disabled or deleted", i)
				}
			}
		})
	}
}

// TestReview20PruneRealmEventsScopeHolds: one realm's pruning never takes
// another's events, however alike their names (held if it passes).
func TestReview20PruneRealmEventsScopeHolds(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s, _, _ := b.newStore(t)
			ctx := t.Context()
			realms := []string{"lpse", "LPSE", "lpse ", "lps_", "lps%", "lpse2", "lpsé", "lpse\u200b"}
			for _, r := range realms {
				_, err := s.AppendEvent(ctx, store.Event{Kind: "login_failed", Realm: r, Time: t0})
				require.NoError(t, err)
			}
			for _, r := range []string{"lps_", "lps%"} {
				n, err := s.PruneRealmEvents(ctx, r, t0.Add(time.Hour), 100)
				require.NoError(t, err)
				assert.Equal(t, 1, n, r)
			}
			_, err := s.PruneRealmEvents(ctx, "", t0.Add(time.Hour), 100)
			assert.ErrorIs(t, err, store.ErrInvalid)
			_, err = s.PruneRealmEvents(ctx, "lpse", t0.Add(time.Hour), 0)
			assert.ErrorIs(t, err, store.ErrInvalid)
			n, err := s.PruneRealmEvents(ctx, "lpse", t0.Add(time.Hour), 100)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			for _, r := range []string{"LPSE", "lpse ", "lpse2", "lpsé", "lpse\u200b"} {
				es, err := s.ListEvents(ctx, store.EventQuery{Realm: r, Limit: 10})
				require.NoError(t, err)
				assert.Len(t, es, 1, r)
			}
		})
	}
}

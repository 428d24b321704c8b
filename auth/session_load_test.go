package auth_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// countingStore is a sqlstore that counts its reads of sessions and
// accounts.
type countingStore struct {
	*sqlstore.Store
	sessions, accounts, joined atomic.Int64
}

func (c *countingStore) Session(ctx context.Context, selector string, at time.Time) (store.Session, error) {
	c.sessions.Add(1)
	return c.Store.Session(ctx, selector, at)
}

func (c *countingStore) AccountByID(ctx context.Context, id string) (store.Account, error) {
	c.accounts.Add(1)
	return c.Store.AccountByID(ctx, id)
}

func (c *countingStore) SessionAccount(ctx context.Context, selector string, at time.Time) (store.Session, store.Account, error) {
	c.joined.Add(1)
	return c.Store.SessionAccount(ctx, selector, at)
}

// TestLoadOneRoundTrip: on a store that keeps both sessions and accounts
// and reads them together, a load is that one read, and a password change
// still ends the session at the next load.
func TestLoadOneRoundTrip(t *testing.T) {
	cs := &countingStore{Store: sqlStore(t, testdb.SQLite(t), sqlstore.SQLite, "")}
	clock := authtest.NewClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC))
	a, err := auth.New(auth.Config{Store: cs, Hasher: &authtest.Hasher{}, Now: clock.Now})
	require.NoError(t, err)
	ctx := t.Context()
	acct, err := accountOf(a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword}))
	require.NoError(t, err)
	ns, err := a.Sessions().Start(ctx, auth.StartSession{Account: acct})
	require.NoError(t, err)

	cs.sessions.Store(0)
	cs.accounts.Store(0)
	p, err := a.Sessions().Load(ctx, ns.Token)
	require.NoError(t, err)
	require.Equal(t, acct.ID, p.AccountID)
	require.Equal(t, int64(1), cs.joined.Load(), "SessionAccount calls")
	require.Zero(t, cs.sessions.Load()+cs.accounts.Load(), "Session and AccountByID calls")

	// A new stamp, written behind the Authenticator's back (no session is
	// deleted): the join reads it, and the load refuses the session.
	require.NoError(t, cs.SetCredential(ctx, store.Credential{AccountID: acct.ID, Hash: "$test$other", ChangedAt: clock.Now()}, "stamp-after-change"))
	_, err = a.Sessions().Load(ctx, ns.Token)
	require.ErrorIs(t, err, auth.ErrNoSession)
	_, err = cs.Session(ctx, ns.ID, clock.Now())
	require.ErrorIs(t, err, store.ErrNotFound, "the stale session is ended")
}

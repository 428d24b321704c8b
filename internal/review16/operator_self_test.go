package review16_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

// foldingStore finds accounts by ID as a MySQL table with its default
// collation (case-insensitive, trailing spaces ignored) or a CHAR(32)
// column does: a host's own store, which the contract lets compare IDs
// so.
type foldingStore struct{ *memstore.Store }

func (s foldingStore) AccountByID(ctx context.Context, id string) (store.Account, error) {
	return s.Store.AccountByID(ctx, strings.ToLower(strings.TrimRight(id, " ")))
}

// Attack: an operator disables, approves, force-resets or ends the
// sessions of its own account, which ErrSelfAction forbids, by typing its
// account ID in capitals (or with a trailing space): the check compared
// the typed ID with the operator's, and the store found the operator's
// account all the same.
func TestOperatorSelfActionThroughAnotherSpellingOfTheID(t *testing.T) {
	k := authtest.New(t, auth.Config{Store: foldingStore{memstore.New()}, Realm: auth.Realm{Links: auth.Links{Reset: "https://bpn.example.go.id/reset"}}})
	me := register(t, k, "bpn", "operator1")
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "operator1", AccountID: me.ID, Realms: []string{"bpn"}})
	require.NoError(t, err)

	for _, id := range []string{strings.ToUpper(me.ID), me.ID + " "} {
		// The store does find the operator's own account by this ID.
		got, err := op.Account(ctx, id)
		require.NoError(t, err)
		require.Equal(t, me.ID, got.ID)

		act := auth.OperatorAction{AccountID: id, Reason: "x", Request: req()}
		assert.ErrorIs(t, op.Disable(ctx, act), auth.ErrSelfAction)
		assert.ErrorIs(t, op.ForceReset(ctx, act), auth.ErrSelfAction)
		_, err = op.EndSessions(ctx, act)
		assert.ErrorIs(t, err, auth.ErrSelfAction)
		_, err = op.Approve(ctx, auth.Decision{AccountID: id, Reason: "x"})
		assert.ErrorIs(t, err, auth.ErrSelfAction)
	}
	acct, err := k.Auth.Accounts().Get(ctx, me.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StateActive, acct.State)
	_, err = login(k, "bpn", "operator1")
	assert.NoError(t, err, "the operator's password still works")
}

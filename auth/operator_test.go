package auth_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// TestNewDeviceAlert: a login from a browser or a network the account has
// not logged in from recently tells the owner; the first login and a
// familiar one do not.
func TestNewDeviceAlert(t *testing.T) {
	f := newMFAFixture(t, func(c *auth.Config) { c.Links.Activity = "https://lpse.example.go.id/aktivitas" })
	f.register(t, "lpse", "budi")
	login := func(addr, ua string) {
		t.Helper()
		_, err := f.auth.Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword,
			Request: auth.Request{ClientAddr: addr, UserAgent: ua}})
		require.NoError(t, err)
		require.NoError(t, f.auth.Close())
	}
	alerts := func() int {
		n := 0
		for _, m := range f.outbox.Messages() {
			if m.Purpose == notify.NewDevice {
				n++
			}
		}
		return n
	}
	login("203.0.113.9", "Firefox di Linux")
	assert.Zero(t, alerts(), "the first login")
	login("203.0.113.77", "Firefox di Linux")
	assert.Zero(t, alerts(), "the same browser in the same /24")
	login("198.51.100.4", "Firefox di Linux")
	assert.Equal(t, 1, alerts(), "a new network")
	m, _ := f.outbox.Last("budi@example.id")
	assert.Contains(t, m.Text, "198.51.100.4")
	assert.Contains(t, m.Text, "https://lpse.example.go.id/aktivitas")
	login("198.51.100.4", "Chrome di Android")
	assert.Equal(t, 2, alerts(), "a new browser")
	login("198.51.100.4", "Chrome di Android")
	assert.Equal(t, 2, alerts())
	n := 0
	for _, e := range f.events(t, "lpse") {
		if e.Kind == auth.EventNewDevice {
			n++
		}
	}
	assert.Equal(t, 2, n, "one event per alert")
	assert.Equal(t, auth.EventLoginSucceeded, f.events(t, "lpse")[0].Kind)
}

// TestActivity: the owner's history, newest first, paged, with operators'
// actions and who did them.
func TestActivity(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	f.register(t, "lpse", "siti")
	_, err := f.login(t, "lpse", "budi", "wrong password")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
	_, err = f.auth.Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "budi", Operator: "op-7", Scope: []string{auth.AnyRealm}, Reason: "permintaan via telepon"})
	require.NoError(t, err)

	page, err := f.auth.Activity(t.Context(), acct.ID, auth.ActivityQuery{Limit: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.Equal(t, auth.EventUnlocked, page[0].Kind)
	assert.Equal(t, "op-7", page[0].Details["by"])
	assert.Equal(t, auth.EventLoginSucceeded, page[1].Kind)
	assert.Equal(t, "203.0.113.9", page[1].ClientAddr)
	rest, err := f.auth.Activity(t.Context(), acct.ID, auth.ActivityQuery{Before: page[1].ID})
	require.NoError(t, err)
	kinds := []string{}
	for _, e := range rest {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []string{auth.EventLoginFailed, auth.EventRegistered}, kinds, "only budi's")
}

// TestOperatorActions: disable and enable, force a reset, end sessions,
// list accounts; each recorded with the operator and the reason.
func TestOperatorActions(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	op := auth.OperatorAction{AccountID: acct.ID, Operator: "op-3", Scope: []string{auth.AnyRealm}, Reason: "tiket #1207", Request: req}
	_, err := f.auth.StartSession(t.Context(), acct, req)
	require.NoError(t, err)

	require.Error(t, f.auth.Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID}), "the operator is required")
	require.NoError(t, f.auth.Disable(t.Context(), op))
	require.ErrorIs(t, f.auth.Disable(t.Context(), op), auth.ErrWrongState)
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	ev := f.events(t, "sapk")
	assert.Equal(t, auth.ReasonDisabled, ev[0].Details["reason"])
	assert.Equal(t, auth.EventSessionsRevoked, ev[1].Kind)
	assert.Equal(t, auth.EventDisabled, ev[2].Kind)
	assert.Equal(t, map[string]string{"by": "op-3", "reason": "tiket #1207"}, ev[2].Details)
	require.NoError(t, f.auth.Enable(t.Context(), op))
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.NoError(t, err)

	// Force a reset: the old password stops working, and in a realm that
	// resets by code the owner is told to ask for one (no code goes out
	// that no flow holds, which anyone's wrong guesses could use up); the
	// owner's own request sets the new password.
	require.NoError(t, f.auth.ForceReset(t.Context(), op))
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	notice := f.lastMessage(t, "pns@example.go.id")
	assert.Equal(t, notify.ResetRequired, notice.Purpose)
	assert.Contains(t, notice.Text, links.Forgot)
	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip, Request: req})
	code := f.lastCode(t, "pns@example.go.id")
	require.NoError(t, f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code, NewPassword: "Teh manis 7 hangat"}))
	_, err = f.login(t, "sapk", nip, "Teh manis 7 hangat")
	require.NoError(t, err)

	// End sessions. A session cannot begin from a copy of the account
	// older than its password.
	_, err = f.auth.StartSession(t.Context(), acct, req)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	acct, err = f.auth.Account(t.Context(), acct.ID)
	require.NoError(t, err)
	for range 5 {
		_, err := f.auth.StartSession(t.Context(), acct, req)
		require.NoError(t, err)
	}
	n, err := f.auth.EndSessions(t.Context(), op)
	require.NoError(t, err)
	assert.Equal(t, 5, n)

	// List: by state, by the beginning of the username as typed.
	_, err = f.auth.Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Email: "pt.maju@example.co.id", Password: sapkPassword})
	require.NoError(t, err)
	_, err = f.auth.Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.000.161.8-092.000", Email: "cv.jaya@example.co.id", Password: sapkPassword})
	require.NoError(t, err)
	list, err := f.auth.ListAccounts(t.Context(), store.AccountQuery{Realm: "lpse", State: store.StatePendingConfirmation})
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "0010001618092000", list[0].Username)
	list, err = f.auth.ListAccounts(t.Context(), store.AccountQuery{Realm: "lpse", Search: "PT.MAJU@"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "0013121660091000", list[0].Username)
	list, err = f.auth.ListAccounts(t.Context(), store.AccountQuery{Realm: "lpse", Search: "0013.12"})
	require.NoError(t, err)
	require.Len(t, list, 1, "the beginning of an NPWP's canonical digits, typed with a dot")
	require.NoError(t, f.auth.Close())
}

// Operators act within their realms, and not on themselves.
func TestOperatorScope(t *testing.T) {
	f := newFixture(t)
	lpse := f.register(t, "lpse", "budi")
	op := f.register(t, "ops", "operator")
	for name, err := range map[string]error{
		"disable":     f.auth.Disable(t.Context(), auth.OperatorAction{AccountID: lpse.ID, Operator: "op-1", Scope: []string{"sapk"}}),
		"force reset": f.auth.ForceReset(t.Context(), auth.OperatorAction{AccountID: lpse.ID, Operator: "op-1", Scope: []string{"sapk"}}),
		"no scope":    f.auth.Disable(t.Context(), auth.OperatorAction{AccountID: lpse.ID, Operator: "op-1"}),
		"enable":      f.auth.Enable(t.Context(), auth.OperatorAction{AccountID: lpse.ID, Operator: "op-1", Scope: []string{"ops"}}),
	} {
		require.ErrorIs(t, err, auth.ErrOutOfScope, name)
	}
	_, err := f.auth.Approve(t.Context(), auth.Decision{AccountID: lpse.ID, Operator: "op-1", Scope: []string{"sapk"}})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = f.auth.Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "budi", Operator: "op-1", Scope: []string{"sapk"}})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = f.auth.EndSessions(t.Context(), auth.OperatorAction{AccountID: lpse.ID, Operator: "op-1", Scope: nil})
	require.ErrorIs(t, err, auth.ErrOutOfScope)

	// Not on itself, even within its scope.
	self := auth.OperatorAction{AccountID: op.ID, Operator: "operator", OperatorAccount: op.ID, Scope: []string{auth.AnyRealm}}
	require.ErrorIs(t, f.auth.Disable(t.Context(), self), auth.ErrSelfAction)
	require.ErrorIs(t, f.auth.ForceReset(t.Context(), self), auth.ErrSelfAction)
	got, err := f.store.AccountByID(t.Context(), op.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StateActive, got.State, "nothing changed")

	// Within its scope, on another account, it acts.
	require.NoError(t, f.auth.Disable(t.Context(), auth.OperatorAction{AccountID: lpse.ID, Operator: "operator", OperatorAccount: op.ID, Scope: []string{"lpse"}}))
}

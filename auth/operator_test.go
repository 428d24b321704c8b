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
	f := newMFAFixture(t, func(c *auth.Config) { c.Realm.Links.Activity = "https://lpse.example.go.id/aktivitas" })
	f.register(t, "lpse", "budi")
	login := func(addr, ua string) {
		t.Helper()
		_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword,
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
		if kindOf(e) == auth.EventNewDevice {
			n++
		}
	}
	assert.Equal(t, 2, n, "one event per alert")
	assert.Equal(t, auth.EventLoginSucceeded, kindOf(f.events(t, "lpse")[0]))
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
	op := f.operator(t, "op-7", auth.AnyRealm)
	_, err = op.Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "budi", Reason: "permintaan via telepon"})
	require.NoError(t, err)

	page, err := f.auth.Activity().List(t.Context(), auth.ActivityQuery{AccountID: acct.ID, Limit: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.Equal(t, auth.EventUnlocked, page[0].Kind)
	assert.Equal(t, "op-7", page[0].Details["by"])
	assert.Equal(t, auth.EventLoginSucceeded, page[1].Kind)
	assert.Equal(t, "203.0.113.9", page[1].ClientAddr)
	rest, err := f.auth.Activity().List(t.Context(), auth.ActivityQuery{AccountID: acct.ID, Before: page[1].ID})
	require.NoError(t, err)
	kinds := []auth.EventKind{}
	for _, e := range rest {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []auth.EventKind{auth.EventLoginFailed, auth.EventRegistered}, kinds, "only budi's")

	// An operator reads the same history, within the operator's realms.
	all, err := op.Activity(t.Context(), auth.ActivityQuery{AccountID: acct.ID})
	require.NoError(t, err)
	assert.Equal(t, append(page, rest...), all)
	_, err = f.operator(t, "op-8", "sapk").Activity(t.Context(), auth.ActivityQuery{AccountID: acct.ID})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
}

// TestOperatorActions: disable and enable, force a reset, end sessions,
// list accounts; each recorded with the operator and the reason.
func TestOperatorActions(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	ops := f.operator(t, "op-3", auth.AnyRealm)
	op := auth.OperatorAction{AccountID: acct.ID, Reason: "tiket #1207", Request: req}
	_, err := f.auth.Sessions().Start(t.Context(), auth.StartSession{Account: acct, Request: req})
	require.NoError(t, err)

	_, err = f.auth.Operator(auth.OperatorIdentity{Realms: []string{auth.AnyRealm}})
	require.Error(t, err, "the operator is required")
	require.NoError(t, ops.Disable(t.Context(), op))
	require.ErrorIs(t, ops.Disable(t.Context(), op), auth.ErrWrongState)
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	ev := f.events(t, "sapk")
	assert.Equal(t, auth.ReasonDisabled, reasonOf(ev[0]))
	assert.Equal(t, auth.EventSessionsRevoked, kindOf(ev[1]))
	assert.Equal(t, auth.EventDisabled, kindOf(ev[2]))
	assert.Equal(t, map[string]string{"by": "op-3", "reason": "tiket #1207"}, ev[2].Details)
	require.NoError(t, ops.Enable(t.Context(), op))
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.NoError(t, err)

	// Force a reset: the old password stops working, and in a realm that
	// resets by code the owner is told to ask for one (no code goes out
	// that no flow holds, which anyone's wrong guesses could use up); the
	// owner's own request sets the new password.
	require.NoError(t, ops.ForceReset(t.Context(), op))
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	notice := f.lastMessage(t, "pns@example.go.id")
	assert.Equal(t, notify.ResetRequired, notice.Purpose)
	assert.Contains(t, notice.Text, links.Forgot)
	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip, Request: req})
	code := f.lastCode(t, "pns@example.go.id")
	require.NoError(t, f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code, NewPassword: "Teh manis 7 hangat"}))
	_, err = f.login(t, "sapk", nip, "Teh manis 7 hangat")
	require.NoError(t, err)

	// End sessions. A session cannot begin from a copy of the account
	// older than its password.
	_, err = f.auth.Sessions().Start(t.Context(), auth.StartSession{Account: acct, Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	acct, err = f.auth.Accounts().Get(t.Context(), acct.ID)
	require.NoError(t, err)
	seen, err := ops.Account(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, acct, seen, "the operator sees the account as the host does")
	for range 5 {
		_, err := f.auth.Sessions().Start(t.Context(), auth.StartSession{Account: acct, Request: req})
		require.NoError(t, err)
	}
	n, err := ops.EndSessions(t.Context(), op)
	require.NoError(t, err)
	assert.Equal(t, 5, n.Count)

	// List: by state, by the beginning of the username as typed.
	_, err = f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Email: "pt.maju@example.co.id", Password: sapkPassword})
	require.NoError(t, err)
	_, err = f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.000.161.8-092.000", Email: "cv.jaya@example.co.id", Password: sapkPassword})
	require.NoError(t, err)
	list, err := ops.List(t.Context(), store.AccountQuery{Realm: "lpse", State: store.StatePendingConfirmation})
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, "0010001618092000", list[0].Username)
	list, err = ops.List(t.Context(), store.AccountQuery{Realm: "lpse", Search: "PT.MAJU@"})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "0013121660091000", list[0].Username)
	list, err = ops.List(t.Context(), store.AccountQuery{Realm: "lpse", Search: "0013.12"})
	require.NoError(t, err)
	require.Len(t, list, 1, "the beginning of an NPWP's canonical digits, typed with a dot")
	require.NoError(t, f.auth.Close())
}

// Operators act within their realms, and not on themselves.
func TestOperatorScope(t *testing.T) {
	f := newFixture(t)
	lpse := f.register(t, "lpse", "budi")
	self := f.register(t, "ops", "operator")
	sapkOp := f.operator(t, "op-1", "sapk")
	opsOp := f.operator(t, "op-1", "ops")
	for name, err := range map[string]error{
		"disable":     sapkOp.Disable(t.Context(), auth.OperatorAction{AccountID: lpse.ID}),
		"force reset": sapkOp.ForceReset(t.Context(), auth.OperatorAction{AccountID: lpse.ID}),
		"enable":      opsOp.Enable(t.Context(), auth.OperatorAction{AccountID: lpse.ID}),
	} {
		require.ErrorIs(t, err, auth.ErrOutOfScope, name)
	}
	_, err := f.auth.Operator(auth.OperatorIdentity{Name: "op-1"})
	require.ErrorIs(t, err, auth.ErrOutOfScope, "no realms")
	_, err = f.auth.Operator(auth.OperatorIdentity{Name: "op-1", Realms: []string{}})
	require.ErrorIs(t, err, auth.ErrOutOfScope, "no realms")
	_, err = sapkOp.Approve(t.Context(), auth.Decision{AccountID: lpse.ID})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = sapkOp.Reject(t.Context(), auth.Decision{AccountID: lpse.ID, Reason: "x"})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = sapkOp.Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "budi"})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = sapkOp.LockStatus(t.Context(), auth.LockQuery{Realm: "lpse", Username: "budi"})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = sapkOp.EndSessions(t.Context(), auth.OperatorAction{AccountID: lpse.ID})
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = sapkOp.Account(t.Context(), lpse.ID)
	require.ErrorIs(t, err, auth.ErrOutOfScope)
	_, err = sapkOp.List(t.Context(), store.AccountQuery{Realm: "lpse"})
	require.ErrorIs(t, err, auth.ErrOutOfScope)

	// The identity's realms are the operator's own: changing the slice
	// given to Operator afterwards widens nothing.
	realms := []string{"sapk"}
	widened, err := f.auth.Operator(auth.OperatorIdentity{Name: "op-1", Realms: realms})
	require.NoError(t, err)
	realms[0] = auth.AnyRealm
	require.ErrorIs(t, widened.Disable(t.Context(), auth.OperatorAction{AccountID: lpse.ID}), auth.ErrOutOfScope)

	// Not on itself, even within its realms.
	me, err := f.auth.Operator(auth.OperatorIdentity{Name: "operator", AccountID: self.ID, Realms: []string{auth.AnyRealm}})
	require.NoError(t, err)
	own := auth.OperatorAction{AccountID: self.ID}
	require.ErrorIs(t, me.Disable(t.Context(), own), auth.ErrSelfAction)
	require.ErrorIs(t, me.ForceReset(t.Context(), own), auth.ErrSelfAction)
	require.ErrorIs(t, me.Enable(t.Context(), own), auth.ErrSelfAction)
	_, err = me.EndSessions(t.Context(), own)
	require.ErrorIs(t, err, auth.ErrSelfAction)
	_, err = me.Approve(t.Context(), auth.Decision{AccountID: self.ID})
	require.ErrorIs(t, err, auth.ErrSelfAction)
	_, err = me.Reject(t.Context(), auth.Decision{AccountID: self.ID, Reason: "x"})
	require.ErrorIs(t, err, auth.ErrSelfAction)
	_, err = me.Unlock(t.Context(), auth.UnlockRequest{Realm: "ops", Username: "OPERATOR"})
	require.ErrorIs(t, err, auth.ErrSelfAction)
	got, err := f.store.AccountByID(t.Context(), self.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StateActive, got.State, "nothing changed")
	// It may read its own account.
	_, err = me.Account(t.Context(), self.ID)
	require.NoError(t, err)

	// Within its realms, on another account, it acts.
	me, err = f.auth.Operator(auth.OperatorIdentity{Name: "operator", AccountID: self.ID, Realms: []string{"lpse"}})
	require.NoError(t, err)
	require.NoError(t, me.Disable(t.Context(), auth.OperatorAction{AccountID: lpse.ID}))
}

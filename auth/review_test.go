package auth_test

// Regression tests for the findings of the attack review of issue 15:
// each fails on the code before its fix.

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

func newActivationFixture(t *testing.T) *mfaFixture {
	return newFlowFixture(t, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{
			"sapk": {Username: identifiers.NIP, Reset: auth.ResetPolicy{Delivery: auth.ByCode}, Activation: auth.ActivationPolicy{Mode: auth.ActivationCode}, Messages: auth.Messages{PortalName: "MySAPK"}},
		}
	})
}

// A stranger who knows a pending account's NIP cannot spend the owner's
// activation code: it is bound to the registration's flow, and the
// stranger's wrong guesses touch only the stranger's flows.
func TestActivationCodeBoundToFlow(t *testing.T) {
	f := newActivationFixture(t)
	owner := auth.Request{ClientAddr: "203.0.113.9"}
	attacker := auth.Request{ClientAddr: "198.51.100.66"}
	reg, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: nip, Email: "pns@example.go.id", Password: sapkPassword, Request: owner})
	require.NoError(t, err)
	require.NotEmpty(t, reg.Flow)
	code := f.lastCode(t, "pns@example.go.id")
	for _, flow := range []string{"", "0123456789abcdef0123456789abcdef"} {
		for g := range 5 {
			_, err := f.auth.Accounts().Confirm(t.Context(), auth.Confirmation{Realm: "sapk", Identifier: nip, Flow: flow, Code: fmt.Sprintf("%06d", g), Request: attacker})
			require.ErrorIs(t, err, auth.ErrInvalidToken)
		}
	}
	_, err = f.auth.Accounts().Confirm(t.Context(), auth.Confirmation{Realm: "sapk", Identifier: nip, Code: code, Request: owner})
	require.ErrorIs(t, err, auth.ErrInvalidToken, "without its flow the code does not redeem")
	confirmed, err := f.auth.Accounts().Confirm(t.Context(), auth.Confirmation{Realm: "sapk", Identifier: nip, Flow: reg.Flow, Code: code, Request: owner})
	require.NoError(t, err, "the owner's own code, with its flow, after the stranger's guesses")
	got := confirmed.Account
	assert.Equal(t, store.StateActive, got.State)
	// The wrong guesses are in the account's history.
	failed := 0
	for _, e := range f.events(t, "sapk") {
		if kindOf(e) == auth.EventTokenFailed && e.AccountID == got.ID {
			failed++
		}
	}
	assert.Equal(t, 11, failed)
}

// Resends of activation codes stop silently at the account's limit, and
// New refuses activation settings under which guessing exceeds 1 in
// 10,000 a day.
func TestActivationGuessingBounded(t *testing.T) {
	f := newActivationFixture(t)
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: nip, Email: "pns@example.go.id", Password: sapkPassword, Request: req})
	require.NoError(t, err)
	for a := range 20 {
		for range 2 {
			f.clock.Advance(61 * time.Second)
			_, err := f.auth.Accounts().ResendActivation(t.Context(), auth.ActivationRequest{Realm: "sapk", Identifier: nip,
				Request: auth.Request{ClientAddr: fmt.Sprintf("2001:db8:0:%x::1", a+1)}})
			require.NoError(t, err)
		}
	}
	require.NoError(t, f.auth.Close())
	codes := 0
	for _, m := range f.outbox.Messages() {
		if m.To == "pns@example.go.id" && m.Purpose == notify.ActivationCode {
			codes++
		}
	}
	assert.Equal(t, 1+15, codes, "the registration's code and 15 resends a day")

	for _, c := range []auth.ActivationPolicy{{Attempts: 5}, {PerAccount: lockout.Rate{Requests: 30, Window: 24 * time.Hour}}} {
		// Set for every realm, and a realm that activates by code takes
		// it...
		_, cfg := fixtureConfig([]func(*auth.Config){func(cfg *auth.Config) {
			cfg.Realm.Activation = c
			cfg.Realms = map[string]auth.Realm{"sapk": {Activation: auth.ActivationPolicy{Mode: auth.ActivationCode}}}
		}})
		_, err := auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig, "%+v", c)
		// ...or set in the realm itself.
		_, cfg = fixtureConfig([]func(*auth.Config){func(cfg *auth.Config) {
			c.Mode = auth.ActivationCode
			cfg.Realms = map[string]auth.Realm{"ppid": {}, "sapk": {Activation: c}}
		}})
		_, err = auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig, "%+v", c)
	}
}

// Strangers who spend the account's daily budget from 15 IPv6 networks
// cannot silence the owner at home: requests from a network the account
// has logged in from have a budget of their own. Strangers' codes are 8
// digits; the owner's, 6.
func TestResetOwnersNetworkHasItsOwnBudget(t *testing.T) {
	f := newFlowFixture(t)
	f.registerNIP(t)
	_, err := f.login(t, "sapk", nip, sapkPassword) // from 203.0.113.9, home
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	f.outbox.Reset()
	for a := range 20 {
		r := auth.Request{ClientAddr: fmt.Sprintf("2001:db8:1:%x::1", a)}
		for range 2 {
			_, err := f.auth.Accounts().RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: nip, Request: r})
			require.NoError(t, err)
		}
	}
	require.NoError(t, f.auth.Close())
	require.Equal(t, 30, f.outbox.Len(), "strangers' networks get 30 a day")
	code, ok := notify.ExtractCode(f.lastMessage(t, "pns@example.go.id"))
	require.True(t, ok)
	assert.Len(t, code, 8, "a code sent to a network the account never logged in from")
	f.outbox.Reset()

	f.clock.Advance(time.Hour)
	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip, Request: auth.Request{ClientAddr: "203.0.113.77"}})
	code = f.lastCode(t, "pns@example.go.id")
	assert.Len(t, code, 6, "a code sent to the owner's network")
	require.NoError(t, f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code,
		NewPassword: "Teh manis 7 hangat", Request: req}))
}

// Email-change confirmations to one address are limited, whoever asks:
// four throwaway accounts used to send a stranger 20 in five minutes.
func TestEmailChangeMailsPerRecipientBounded(t *testing.T) {
	f := newMFAFixture(t, withLinks)
	const victim = "korban@example.id"
	var ids []string
	for i := range 4 {
		acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: fmt.Sprintf("spam%d", i), Email: fmt.Sprintf("spam%d@example.id", i),
			Password: goodPassword, Request: auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", i)}}))
		require.NoError(t, err)
		ids = append(ids, acct.ID)
	}
	for range 5 {
		for i, id := range ids {
			err := f.auth.Accounts().RequestEmailChange(t.Context(), auth.EmailChange{AccountID: id, Password: goodPassword, NewEmail: victim,
				Request: auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", i)}})
			require.NoError(t, err)
		}
		require.NoError(t, f.auth.Close())
		f.clock.Advance(61 * time.Second)
	}
	n := 0
	for _, m := range f.outbox.Messages() {
		if m.To == victim {
			n++
		}
	}
	assert.Equal(t, 3, n)
}

// With Config.Realms nil, a client address's budgets count across realm
// names: varying the name buys no fresh budget.
func TestBudgetsAcrossRealmNames(t *testing.T) {
	f := newFixture(t)
	ok := 0
	for r := range 5 {
		for i := range 10 {
			_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: fmt.Sprintf("t%d", r), Username: fmt.Sprintf("u%d", i), Password: goodPassword,
				Request: auth.Request{ClientAddr: "198.51.100.7"}})
			if err == nil {
				ok++
			} else {
				require.ErrorIs(t, err, lockout.ErrThrottled)
			}
		}
	}
	assert.Equal(t, 20, ok, "20 an hour from one address, whatever the realm")
}

// Tries of links and codes count per client address, right or wrong,
// before any is looked at.
func TestRedemptionTriesPerAddress(t *testing.T) {
	f := newFlowFixture(t)
	f.registerNIP(t)
	attacker := auth.Request{ClientAddr: "198.51.100.66"}
	throttled := 0
	for g := range 70 {
		err := f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: "f", Code: fmt.Sprintf("%06d", g),
			NewPassword: "Penyerang 123 menang", Request: attacker})
		if errors.Is(err, lockout.ErrThrottled) {
			throttled++
			continue
		}
		require.ErrorIs(t, err, auth.ErrInvalidToken)
	}
	assert.Equal(t, 10, throttled, "60 tries an hour from one address")
}

// An event with NUL in the user agent or an operator's reason is still
// recorded on PostgreSQL, which refuses NUL in text and jsonb.
func TestNULDoesNotHideEvents(t *testing.T) {
	db, schema := testdb.Postgres(t)
	st := sqlStore(t, db, sqlstore.Postgres, schema)
	a, err := auth.New(auth.Config{Store: st, Hasher: &authtest.Hasher{}})
	require.NoError(t, err)
	acct, err := accountOf(a.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword}))
	require.NoError(t, err)
	count := func() int {
		require.NoError(t, a.Close())
		evs, err := st.ListEvents(t.Context(), store.EventQuery{Realm: "lpse", AccountID: acct.ID, Limit: 1000})
		require.NoError(t, err)
		return len(evs)
	}
	n0 := count()
	_, err = a.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "tebakan salah",
		Request: auth.Request{ClientAddr: "198.51.100.66", UserAgent: "evil\x00agent"}})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, n0+1, count(), "the failed login is in the history")
	op, err := a.Operator(auth.OperatorIdentity{Name: "op#1", Realms: []string{auth.AnyRealm}})
	require.NoError(t, err)
	require.NoError(t, op.Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "x\x00y"}))
	assert.Equal(t, n0+2, count(), "the operator's action is in the history")
}

// A factor's label, an operator's name and reason are bounded before any
// work, with a typed error.
func TestOperatorAndLabelBounds(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	verifies := f.hasher.Verifies()
	long := string(make([]byte, 10_000))
	_, err := f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Label: long, Request: req})
	var fe *auth.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "label", fe.Field)
	_, err = f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Label: long, Request: req}})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, verifies, f.hasher.Verifies(), "no password check for a label out of bounds")
	op := f.operator(t, "op", auth.AnyRealm)
	require.ErrorAs(t, op.Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: long}), &fe)
	assert.Equal(t, "reason", fe.Field)
	_, err = f.auth.Operator(auth.OperatorIdentity{Name: long, Realms: []string{auth.AnyRealm}})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "operator", fe.Field)
	_, err = op.Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "budi", Reason: long})
	require.ErrorAs(t, err, &fe)
	for name, do := range map[string]func() error{
		"approve": func() error {
			_, err := op.Approve(t.Context(), auth.Decision{AccountID: acct.ID, Reason: long})
			return err
		},
		"reject": func() error {
			_, err := op.Reject(t.Context(), auth.Decision{AccountID: acct.ID, Reason: long})
			return err
		},
		"enable":      func() error { return op.Enable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: long}) },
		"force reset": func() error { return op.ForceReset(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: long}) },
		"end sessions": func() error {
			_, err := op.EndSessions(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: long})
			return err
		},
	} {
		require.ErrorAs(t, do(), &fe, name)
		assert.Equal(t, "reason", fe.Field, name)
	}
	got, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StateActive, got.State)
}

// deletingStore deletes the account being confirmed as its state is set:
// the expiry of an unconfirmed registration by another instance.
type deletingStore struct{ store.Store }

func (d deletingStore) SetAccountState(ctx context.Context, id string, from, to store.AccountState, at time.Time) error {
	return store.ErrNotFound
}

// A confirmation that loses to the account's expiry answers
// ErrInvalidToken, not a store error.
func TestConfirmLosingToExpiry(t *testing.T) {
	f := newMFAFixture(t, withLinks, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{"lpse": {Activation: auth.ActivationPolicy{Mode: auth.ActivationLink}}}
	})
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: goodPassword})
	require.NoError(t, err)
	tok := f.lastToken(t, "budi@example.id", links.Activate)
	mem := f.store
	a, err := auth.New(auth.Config{Store: deletingStore{mem}, Attempts: mem, Tokens: mem, Sessions: mem, Factors: mem, Recovery: mem, Devices: mem,
		Hasher: f.hasher, Now: f.clock.Now})
	require.NoError(t, err)
	_, err = a.Accounts().Confirm(t.Context(), auth.Confirmation{Token: tok})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
}

// Typed nils are refused by the constructors of the Guard and the captcha
// service too: the usual `var rs *redisstore.Store`.
func TestTypedNilStoresRefusedEverywhere(t *testing.T) {
	var rs *redisstore.Store
	_, err := lockout.New(lockout.Config{Store: rs})
	require.ErrorIs(t, err, lockout.ErrConfig)
	_, err = captcha.NewService(captcha.ServiceConfig{Store: rs})
	require.Error(t, err)
}

// Registrations that fail the password policy do not count on the
// username: junk cannot spend the owner's budget for free.
func TestRegistrationJunkDoesNotBlockOwner(t *testing.T) {
	f := newFixture(t)
	for i := range 10 {
		_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: "x",
			Request: auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", i)}})
		require.Error(t, err)
		require.NotErrorIs(t, err, lockout.ErrThrottled)
	}
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword, Request: req})
	require.NoError(t, err)
}

// A backlog of events older than the retention is pruned in batches, all
// of it.
func TestPruneInBatches(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.EventRetention = -1 })
	for i := range 12_000 {
		_, err := f.store.AppendEvent(t.Context(), store.Event{Kind: "x", Realm: "lpse", Time: t0.Add(-time.Duration(i) * time.Minute)})
		require.NoError(t, err)
	}
	g := newFixture(t, func(c *auth.Config) { c.Store, c.EventRetention = f.store, 31*24*time.Hour })
	g.clock.Set(t0.Add(31*24*time.Hour + time.Minute))
	n, err := g.auth.PruneEvents(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 12_000, n)
}

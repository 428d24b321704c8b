package auth_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

const (
	pkRPID   = "lpse.example.go.id"
	pkOrigin = "https://lpse.example.go.id"
)

// passkeyRealm turns passkeys on in every realm of the fixture.
func passkeyRealm(passwordless bool) func(*auth.Config) {
	return func(c *auth.Config) {
		c.Realm.Passkeys = auth.PasskeyPolicy{RPID: pkRPID, Origins: []string{pkOrigin}, Passwordless: passwordless}
	}
}

// addPasskey adds a passkey made by key to acct, with the password.
func (f *mfaFixture) addPasskey(t *testing.T, acct store.Account, key *authtest.SoftAuthenticator) *auth.Enrolled {
	t.Helper()
	ch, err := f.auth.Factors().BeginPasskey(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req})
	require.NoError(t, err)
	resp, err := key.Create(ch.Options)
	require.NoError(t, err)
	e, err := f.auth.Factors().ConfirmPasskey(t.Context(), auth.PasskeyConfirmation{AccountID: acct.ID, Response: resp, Name: "Ponsel Budi", Request: req})
	require.NoError(t, err)
	return e
}

// passkeyStep logs in with the password and answers the second step's
// passkey challenge with key: it returns the answer, for SecondStep.
func (f *mfaFixture) passkeyStep(t *testing.T, username string, key *authtest.SoftAuthenticator) (*auth.SecondFactorRequired, string) {
	t.Helper()
	sfr := f.pending(t, "lpse", username)
	ch, err := f.auth.Logins().BeginPasskey(t.Context(), auth.PasskeyStart{Realm: "lpse", Pending: sfr.Pending, Request: req})
	require.NoError(t, err)
	assert.Empty(t, ch.Ceremony, "a second step's ceremony is bound to its pending login")
	resp, err := key.Get(ch.Options)
	require.NoError(t, err)
	return sfr, string(resp)
}

// TestPasskeySecondFactor: a passkey is added after the password, is
// offered first at the second step, completes it, and is told to the
// owner; its assertion is not accepted twice.
func TestPasskeySecondFactor(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(false))
	acct := f.register(t, "lpse", "budi")
	key := authtest.NewSoftAuthenticator(pkOrigin)

	_, err := f.auth.Factors().BeginPasskey(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: "salah", Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)

	e := f.addPasskey(t, acct, key)
	assert.Len(t, e.RecoveryCodes, 10, "the first factor comes with recovery codes")
	m, ok := f.outbox.Last("budi@example.id")
	require.True(t, ok)
	assert.Equal(t, notify.FactorAdded, m.Purpose)
	assert.Contains(t, m.Text, "passkey")

	s, err := f.auth.Factors().Summary(t.Context(), acct.ID)
	require.NoError(t, err)
	require.Len(t, s.Passkeys, 1)
	assert.Equal(t, e.FactorID, s.Passkeys[0].ID)
	assert.Equal(t, "Ponsel Budi", s.Passkeys[0].Name)
	assert.True(t, s.Passkeys[0].LastUsedAt.IsZero())

	sfr, resp := f.passkeyStep(t, "budi", key)
	assert.Equal(t, auth.MethodPasskey, sfr.Methods[0], "the passkey is offered first")
	for _, garbled := range []string{"", "{", `{"id":"x"}`, string(make([]byte, auth.MaxPasskeyResponse+1))} {
		_, err = f.verify(t, "lpse", sfr.Pending, auth.MethodPasskey, garbled)
		require.ErrorIs(t, err, auth.ErrInvalidCode)
	}
	res, err := f.verify(t, "lpse", sfr.Pending, auth.MethodPasskey, resp)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)
	s, err = f.auth.Factors().Summary(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, f.clock.Now().UTC(), s.Passkeys[0].LastUsedAt.UTC(), "the use is recorded")

	// The same assertion, replayed against a new login, answers a
	// challenge that is not its own.
	sfr2 := f.pending(t, "lpse", "budi")
	_, err = f.auth.Logins().BeginPasskey(t.Context(), auth.PasskeyStart{Realm: "lpse", Pending: sfr2.Pending, Request: req})
	require.NoError(t, err)
	_, err = f.verify(t, "lpse", sfr2.Pending, auth.MethodPasskey, resp)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	// And the ceremony it used up is gone: a right answer must begin
	// again.
	_, err = f.verify(t, "lpse", sfr2.Pending, auth.MethodPasskey, resp)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
}

// TestPasskeySecondStepRefusals: every assertion the relying party must
// refuse is refused, as a wrong code, and counts toward the lock.
func TestPasskeySecondStepRefusals(t *testing.T) {
	for name, spoil := range map[string]func(k *authtest.SoftAuthenticator){
		"wrong origin":  func(k *authtest.SoftAuthenticator) { k.Origin = "https://lpse.example.go.id.evil.example" },
		"wrong rp id":   func(k *authtest.SoftAuthenticator) { k.RPID = "evil.example" },
		"http origin":   func(k *authtest.SoftAuthenticator) { k.Origin = "http://lpse.example.go.id" },
		"another realm": func(k *authtest.SoftAuthenticator) { k.Origin = "https://bpn.example.go.id" },
	} {
		t.Run(name, func(t *testing.T) {
			f := newMFAFixture(t, passkeyRealm(false))
			acct := f.register(t, "lpse", "budi")
			key := authtest.NewSoftAuthenticator(pkOrigin)
			f.addPasskey(t, acct, key)
			spoil(key)
			sfr, resp := f.passkeyStep(t, "budi", key)
			_, err := f.verify(t, "lpse", sfr.Pending, auth.MethodPasskey, resp)
			require.ErrorIs(t, err, auth.ErrInvalidCode)
			ev := f.lastEvent(t, "lpse", auth.EventLoginFailed)
			assert.Equal(t, acct.ID, ev.AccountID)
			assert.Equal(t, auth.ReasonBadCode, reasonOf(ev))
		})
	}
}

// TestPasskeyClonedAuthenticator: a counter that goes back is refused and
// recorded as a cloned authenticator; the passkey's count is unchanged.
func TestPasskeyClonedAuthenticator(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(false))
	acct := f.register(t, "lpse", "budi")
	key := authtest.NewSoftAuthenticator(pkOrigin)
	f.addPasskey(t, acct, key)
	for range 3 {
		sfr, resp := f.passkeyStep(t, "budi", key)
		_, err := f.verify(t, "lpse", sfr.Pending, auth.MethodPasskey, resp)
		require.NoError(t, err)
	}
	// A copy of the key, made after the first login, signs with the
	// count it had then.
	key.SetSignCount(key.Credentials()[0].ID, 1)
	sfr, resp := f.passkeyStep(t, "budi", key)
	_, err := f.verify(t, "lpse", sfr.Pending, auth.MethodPasskey, resp)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	cloned := f.lastEvent(t, "lpse", auth.EventPasskeyCloned)
	assert.Equal(t, acct.ID, cloned.AccountID, "the clone is recorded for operators")
	assert.Equal(t, "3", cloned.Details["stored"])
	assert.Equal(t, "2", cloned.Details["sent"])
	assert.Equal(t, auth.ReasonPasskeyCloned, reasonOf(f.lastEvent(t, "lpse", auth.EventLoginFailed)))
}

// TestPasskeyParallelSecondStep: of parallel completions with one
// assertion, exactly one logs in.
func TestPasskeyParallelSecondStep(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(false))
	acct := f.register(t, "lpse", "budi")
	key := authtest.NewSoftAuthenticator(pkOrigin)
	f.addPasskey(t, acct, key)
	sfr, resp := f.passkeyStep(t, "budi", key)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if _, err := f.verify(t, "lpse", sfr.Pending, auth.MethodPasskey, resp); err == nil {
				ok.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
}

// TestPasskeyPasswordless: in a realm that offers it, a passkey that
// verified its user logs in alone, through the lockout and the log; the
// refusals are one answer.
func TestPasskeyPasswordless(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(true))
	acct := f.register(t, "lpse", "budi")
	key := authtest.NewSoftAuthenticator(pkOrigin)
	f.addPasskey(t, acct, key)

	login := func(t *testing.T, k *authtest.SoftAuthenticator) (*auth.LoginResult, error) {
		t.Helper()
		ch, err := f.auth.Logins().BeginPasskey(t.Context(), auth.PasskeyStart{Realm: "lpse", Request: req})
		require.NoError(t, err)
		require.NotEmpty(t, ch.Ceremony)
		resp, err := k.Get(ch.Options)
		require.NoError(t, err)
		return f.auth.Logins().PasskeyLogin(t.Context(), auth.PasskeyLoginRequest{Realm: "lpse", Ceremony: ch.Ceremony, Response: resp, Request: req})
	}
	res, err := login(t, key)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)
	ev := f.lastEvent(t, "lpse", auth.EventLoginSucceeded)
	assert.Equal(t, "true", ev.Details["passwordless"])

	t.Run("the ceremony is used once", func(t *testing.T) {
		ch, err := f.auth.Logins().BeginPasskey(t.Context(), auth.PasskeyStart{Realm: "lpse", Request: req})
		require.NoError(t, err)
		resp, err := key.Get(ch.Options)
		require.NoError(t, err)
		var ok atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				_, err := f.auth.Logins().PasskeyLogin(t.Context(), auth.PasskeyLoginRequest{Realm: "lpse", Ceremony: ch.Ceremony, Response: resp, Request: req})
				if err == nil {
					ok.Add(1)
				} else {
					assert.ErrorIs(t, err, auth.ErrPasskeyRefused)
				}
			})
		}
		wg.Wait()
		assert.Equal(t, int32(1), ok.Load())
	})
	t.Run("user not verified", func(t *testing.T) {
		key.NoUserVerification = true
		defer func() { key.NoUserVerification = false }()
		_, err := login(t, key)
		require.ErrorIs(t, err, auth.ErrPasskeyRefused)
	})
	t.Run("unknown passkey", func(t *testing.T) {
		other := authtest.NewSoftAuthenticator(pkOrigin)
		o := f.register(t, "bpn", "sari")
		f.addPasskey(t, o, other) // of another realm
		_, err := login(t, other)
		require.ErrorIs(t, err, auth.ErrPasskeyRefused)
	})
	t.Run("forged ceremony", func(t *testing.T) {
		ch, err := f.auth.Logins().BeginPasskey(t.Context(), auth.PasskeyStart{Realm: "lpse", Request: req})
		require.NoError(t, err)
		resp, err := key.Get(ch.Options)
		require.NoError(t, err)
		for _, c := range []string{"", "x", ch.Ceremony + "0", ch.Ceremony[:len(ch.Ceremony)-1] + "A"} {
			_, err = f.auth.Logins().PasskeyLogin(t.Context(), auth.PasskeyLoginRequest{Realm: "lpse", Ceremony: c, Response: resp, Request: req})
			require.ErrorIs(t, err, auth.ErrPasskeyRefused)
		}
		_, err = f.auth.Logins().PasskeyLogin(t.Context(), auth.PasskeyLoginRequest{Realm: "bpn", Ceremony: ch.Ceremony, Response: resp, Request: req})
		require.ErrorIs(t, err, auth.ErrPasskeyRefused, "a ceremony of another realm")
	})
	t.Run("a response too long", func(t *testing.T) {
		_, err := f.auth.Logins().PasskeyLogin(t.Context(), auth.PasskeyLoginRequest{Realm: "lpse", Ceremony: "x", Response: make([]byte, auth.MaxPasskeyResponse+1), Request: req})
		require.ErrorIs(t, err, auth.ErrInvalidField)
	})
	t.Run("disabled account", func(t *testing.T) {
		op := f.operator(t, "ops", auth.AnyRealm)
		require.NoError(t, op.Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "test"}))
		_, err := login(t, key)
		require.ErrorIs(t, err, auth.ErrPasskeyRefused)
		require.NoError(t, op.Enable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "test"}))
	})
	t.Run("locks", func(t *testing.T) {
		// Strangers who know the username lock its password; the owner's
		// passkey, which nobody can guess, still logs in.
		for range 10 {
			_, err := f.login(t, "lpse", "budi", "salah sekali")
			if errors.Is(err, lockout.ErrLocked) {
				break
			}
		}
		_, err := login(t, key)
		require.NoError(t, err, "a password lock does not stop a passkey")
		// Failed passkeys count on the account's second-factor lock,
		// which then stops the right one too.
		key.Origin = "https://lpse.example.go.id.evil.example"
		for range 20 {
			if _, err = login(t, key); errors.Is(err, lockout.ErrLocked) {
				break
			}
			require.ErrorIs(t, err, auth.ErrPasskeyRefused)
		}
		require.ErrorIs(t, err, lockout.ErrLocked)
		key.Origin = pkOrigin
		_, err = login(t, key)
		require.ErrorIs(t, err, lockout.ErrLocked)
	})
}

// TestPasskeyPasswordlessNeedsUV: in a realm that logs in by passkey
// alone, a passkey made without verifying its user is refused.
func TestPasskeyPasswordlessNeedsUV(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(true))
	acct := f.register(t, "lpse", "budi")
	key := authtest.NewSoftAuthenticator(pkOrigin)
	key.NoUserVerification = true
	ch, err := f.auth.Factors().BeginPasskey(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req})
	require.NoError(t, err)
	resp, err := key.Create(ch.Options)
	require.NoError(t, err)
	_, err = f.auth.Factors().ConfirmPasskey(t.Context(), auth.PasskeyConfirmation{AccountID: acct.ID, Response: resp, Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	ks, err := f.auth.Factors().Passkeys(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Empty(t, ks)
}

// TestPasskeyPhishingResistant: a realm that requires a
// phishing-resistant factor accepts only passkeys: an account with an
// authenticator app enrolls a passkey at its next login, which completes
// the login, and is then asked for the passkey alone.
func TestPasskeyPhishingResistant(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(false), func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{
			"lpse":     {},
			"operator": {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorPhishingResistant}},
		}
	})
	acct := f.register(t, "operator", "ani")
	secret, _ := f.enroll(t, acct)
	key := authtest.NewSoftAuthenticator(pkOrigin)

	// The account's authenticator app proves its owner before a passkey
	// is added: a password alone never adds one.
	_, err := f.login(t, "operator", "ani", goodPassword)
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr)
	assert.NotContains(t, sfr.Methods, auth.MethodPasskey)
	f.clock.Advance(30 * time.Second) // past the step that confirmed the app
	_, err = f.verify(t, "operator", sfr.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	var enr *auth.EnrollmentRequired
	require.ErrorAs(t, err, &enr, "the second step leads to the passkey's enrollment, not a login")
	assert.Equal(t, []auth.Method{auth.MethodPasskey}, enr.Methods, "only a passkey meets the requirement")
	_, err = f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{Realm: "operator", Pending: enr.Pending, Request: req})
	require.ErrorIs(t, err, auth.ErrMethodUnavailable)
	ch, err := f.auth.Factors().BeginPasskey(t.Context(), auth.FactorChange{Realm: "operator", Pending: enr.Pending, Request: req})
	require.NoError(t, err)
	resp, err := key.Create(ch.Options)
	require.NoError(t, err)
	e, err := f.auth.Factors().ConfirmPasskey(t.Context(), auth.PasskeyConfirmation{Realm: "operator", Pending: enr.Pending, Response: resp, Request: req})
	require.NoError(t, err)
	require.NotNil(t, e.Login, "enrolling the passkey completes the login")

	_, err = f.login(t, "operator", "ani", goodPassword)
	require.ErrorAs(t, err, &sfr)
	assert.Equal(t, []auth.Method{auth.MethodPasskey}, sfr.Methods, "no code, no recovery code")
	_, err = f.verify(t, "operator", sfr.Pending, auth.MethodTOTP, "123456")
	require.ErrorIs(t, err, auth.ErrMethodUnavailable)

	err = f.auth.Factors().Remove(t.Context(), auth.FactorRemoval{FactorID: e.FactorID, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
	require.ErrorIs(t, err, auth.ErrLastFactor, "the app does not count: the passkey is the last factor")

	// A new operator's first passkey comes with no recovery codes, which
	// the realm would never accept.
	joko := f.register(t, "operator", "joko")
	_, err = f.login(t, "operator", "joko", goodPassword)
	require.ErrorAs(t, err, &enr)
	ch, err = f.auth.Factors().BeginPasskey(t.Context(), auth.FactorChange{Realm: "operator", Pending: enr.Pending, Request: req})
	require.NoError(t, err)
	resp, err = authtest.NewSoftAuthenticator(pkOrigin).Create(ch.Options)
	require.NoError(t, err)
	e, err = f.auth.Factors().ConfirmPasskey(t.Context(), auth.PasskeyConfirmation{Realm: "operator", Pending: enr.Pending, Response: resp, Request: req})
	require.NoError(t, err)
	assert.Empty(t, e.RecoveryCodes)
	s, err := f.auth.Factors().Summary(t.Context(), joko.ID)
	require.NoError(t, err)
	assert.Zero(t, s.RecoveryCodes)
}

// TestPasskeyRenameRemove: the owner renames and removes a passkey; the
// owner is told of the removal; the last factor of a realm that requires
// one stays.
func TestPasskeyRenameRemove(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(false), func(c *auth.Config) {
		c.Realm.SecondFactor.Requirement = auth.SecondFactorMandatory
	})
	acct := f.register(t, "lpse", "budi")
	key := authtest.NewSoftAuthenticator(pkOrigin)
	_, err := f.login(t, "lpse", "budi", goodPassword)
	var enr *auth.EnrollmentRequired
	require.ErrorAs(t, err, &enr)
	assert.Equal(t, auth.MethodPasskey, enr.Methods[0])

	e := f.addPasskey(t, acct, key)
	require.NoError(t, f.auth.Factors().RenamePasskey(t.Context(), auth.PasskeyRename{AccountID: acct.ID, PasskeyID: e.FactorID, Name: "Laptop kantor"}))
	ks, err := f.auth.Factors().Passkeys(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "Laptop kantor", ks[0].Name)
	err = f.auth.Factors().RenamePasskey(t.Context(), auth.PasskeyRename{AccountID: acct.ID, PasskeyID: e.FactorID, Name: string(make([]byte, 201))})
	require.ErrorIs(t, err, auth.ErrInvalidField)
	other := f.register(t, "lpse", "sari")
	err = f.auth.Factors().RenamePasskey(t.Context(), auth.PasskeyRename{AccountID: other.ID, PasskeyID: e.FactorID, Name: "mine"})
	require.ErrorIs(t, err, store.ErrNotFound, "another account's passkey")

	remove := func(id string) error {
		return f.auth.Factors().Remove(t.Context(), auth.FactorRemoval{FactorID: id, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
	}
	require.ErrorIs(t, remove(e.FactorID), auth.ErrLastFactor)
	f.enroll(t, acct)
	require.NoError(t, remove(e.FactorID))
	m, ok := f.outbox.Last("budi@example.id")
	require.True(t, ok)
	assert.Equal(t, notify.FactorRemoved, m.Purpose)
	ks, err = f.auth.Factors().Passkeys(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Empty(t, ks)
	require.ErrorIs(t, remove(e.FactorID), store.ErrNotFound)
}

// TestPasskeyOperator: an operator lists an account's passkeys and
// removes one, even the last, with a reason the log keeps.
func TestPasskeyOperator(t *testing.T) {
	f := newMFAFixture(t, passkeyRealm(false), func(c *auth.Config) {
		c.Realm.SecondFactor.Requirement = auth.SecondFactorMandatory
	})
	acct := f.register(t, "lpse", "budi")
	e := f.addPasskey(t, acct, authtest.NewSoftAuthenticator(pkOrigin))
	op := f.operator(t, "Ani (helpdesk)", "lpse")
	ks, err := op.Passkeys(t.Context(), acct.ID)
	require.NoError(t, err)
	require.Len(t, ks, 1)
	_, err = f.operator(t, "Joko", "bpn").Passkeys(t.Context(), acct.ID)
	require.ErrorIs(t, err, auth.ErrOutOfScope)

	err = op.RemovePasskey(t.Context(), auth.PasskeyRemoval{PasskeyID: e.FactorID, OperatorAction: auth.OperatorAction{AccountID: acct.ID, Reason: "ponsel hilang, dilaporkan 6 Des", Request: req}})
	require.NoError(t, err)
	ev := f.lastEvent(t, "lpse", auth.EventFactorRemoved)
	assert.Equal(t, "Ani (helpdesk)", ev.Details["by"])
	assert.Equal(t, "ponsel hilang, dilaporkan 6 Des", ev.Details["reason"])
	ks, err = op.Passkeys(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Empty(t, ks)
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.ErrorIs(t, err, auth.ErrEnrollmentRequired, "the owner enrolls a new factor at the next login")
}

// TestPasskeyConfig: New refuses passkey settings no browser could use,
// and a realm with passkeys but no store for them.
func TestPasskeyConfig(t *testing.T) {
	for name, p := range map[string]auth.PasskeyPolicy{
		"ip rp id":             {RPID: "10.0.0.1", Origins: []string{"https://10.0.0.1"}},
		"rp id with scheme":    {RPID: "https://lpse.example.go.id", Origins: []string{pkOrigin}},
		"rp id with port":      {RPID: "lpse.example.go.id:443", Origins: []string{pkOrigin}},
		"upper-case rp id":     {RPID: "LPSE.example.go.id", Origins: []string{pkOrigin}},
		"no origins":           {RPID: pkRPID},
		"http origin":          {RPID: pkRPID, Origins: []string{"http://lpse.example.go.id"}},
		"origin elsewhere":     {RPID: pkRPID, Origins: []string{"https://example.go.id"}},
		"origin look-alike":    {RPID: pkRPID, Origins: []string{"https://evillpse.example.go.id"}},
		"origin with path":     {RPID: pkRPID, Origins: []string{pkOrigin + "/masuk"}},
		"origins without rpid": {Origins: []string{pkOrigin}},
		"passwordless alone":   {Passwordless: true},
		"too many a minute":    {RPID: pkRPID, Origins: []string{pkOrigin}, PerAddress: lockout.Rate{Requests: 1000, Window: 1}},
	} {
		t.Run(name, func(t *testing.T) {
			_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
				c.Realm.Messages.PortalName = "LPSE Uji"
				c.Realm.Passkeys = p
			}})
			_, err := auth.New(cfg)
			require.ErrorIs(t, err, auth.ErrConfig)
			assert.Contains(t, err.Error(), "Passkeys", "refused for its passkey settings")
		})
	}
	t.Run("phishing resistant without passkeys", func(t *testing.T) {
		_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
			c.Realm.SecondFactor.Requirement = auth.SecondFactorPhishingResistant
		}})
		_, err := auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig)
	})
	t.Run("localhost for development", func(t *testing.T) {
		_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
			c.Realm.Messages.PortalName = "LPSE Uji"
			c.Realm.Passkeys = auth.PasskeyPolicy{RPID: "localhost", Origins: []string{"http://localhost:8080"}}
		}})
		_, err := auth.New(cfg)
		require.NoError(t, err)
	})
	t.Run("no store for passkeys", func(t *testing.T) {
		f, cfg := fixtureConfig([]func(*auth.Config){passkeyRealm(false), func(c *auth.Config) {
			c.Realm.Messages.PortalName = "LPSE Uji"
		}})
		ms := f.store
		cfg.Store = onlyStore{ms}
		cfg.Attempts, cfg.Tokens, cfg.Sessions, cfg.Factors, cfg.Recovery, cfg.Devices = ms, ms, ms, ms, ms, ms
		_, err := auth.New(cfg)
		var mre *auth.MissingRoleError
		require.ErrorAs(t, err, &mre)
		assert.Equal(t, "Passkeys", mre.Role)
	})
}

// onlyStore hides every role of the store it wraps but the three of
// store.Store, as a host's decorator that embeds store.Store does.
type onlyStore struct{ store.Store }

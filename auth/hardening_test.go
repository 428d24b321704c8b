package auth_test

// Regression tests for what the security review of issues 7 to 9 found.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

func withLinks(c *auth.Config) { c.Realm.Links = links }

// resetPassword runs the whole forgotten-password flow by link, as
// whoever reads the account's mailbox, and returns the new password.
func (f *mfaFixture) resetPassword(t *testing.T, username string, i int) string {
	t.Helper()
	f.requestReset(t, auth.ResetRequest{Realm: "lpse", Identifier: username, Request: req})
	tok := f.lastToken(t, username+"@example.id", links.Reset)
	pw := fmt.Sprintf("attacker owns the mailbox %d", i)
	require.NoError(t, f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Token: tok, NewPassword: pw, Request: req}))
	return pw
}

// Found in review, fixed: a completed reset ends the SECOND-FACTOR lock and forgets its
// escalation, so whoever controls the mailbox gets a fresh TOTP budget
// after each reset.
func TestResetKeepsSecondFactorLock(t *testing.T) {
	f := newMFAFixture(t, withLinks)
	acct := f.register(t, "lpse", "budi")
	f.enroll(t, acct)
	f.clock.Advance(time.Minute)
	p := f.pending(t, "lpse", "budi")
	for range 5 {
		_, err := f.verify(t, "lpse", p.Pending, auth.MethodTOTP, "000000")
		require.ErrorIs(t, err, auth.ErrInvalidCode)
	}
	_, err := f.verify(t, "lpse", p.Pending, auth.MethodTOTP, "000000")
	lockedErr(t, err) // the second factor is locked for 15 minutes

	pw := f.resetPassword(t, "budi", 1)
	res, err := f.login(t, "lpse", "budi", pw)
	require.Nil(t, res)
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr)
	// Expected: still locked. Actual: a fresh budget of guesses.
	_, err = f.verify(t, "lpse", sfr.Pending, auth.MethodTOTP, "000000")
	assert.ErrorIs(t, err, lockout.ErrLocked, "the reset ended the second-factor lock; got %v", err)
}

// Found in review, fixed: lockout.Policy.KeepLockOnReset is ignored by auth; only
// ResetConfig.KeepLock is read. In v2 the realm's Lockout policy is the
// one setting, and a realm that sets it keeps its locks through a reset
// while another realm's reset unlocks.
func TestKeepLockOnResetHonoured(t *testing.T) {
	f := newMFAFixture(t, withLinks, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{"lpse": {Lockout: lockout.Policy{KeepLockOnReset: true}}, "ppid": {}}
	})
	f.register(t, "lpse", "budi")
	f.kit.FailLogins(t, "lpse", "budi", "198.51.100.1", 5)
	_, err := f.login(t, "lpse", "budi", goodPassword)
	lockedErr(t, err)
	pw := f.resetPassword(t, "budi", 1)
	_, err = f.login(t, "lpse", "budi", pw)
	assert.ErrorIs(t, err, lockout.ErrLocked, "the realm's Lockout.KeepLockOnReset was ignored; got %v", err)

	// The realm that leaves it unset unlocks at a reset.
	f.register(t, "ppid", "budi")
	f.kit.FailLogins(t, "ppid", "budi", "198.51.100.1", 5)
	_, err = f.login(t, "ppid", "budi", goodPassword)
	lockedErr(t, err)
	f.requestReset(t, auth.ResetRequest{Realm: "ppid", Identifier: "budi", Request: req})
	tok := f.lastToken(t, "budi@example.id", links.Reset)
	require.NoError(t, f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Token: tok, NewPassword: "pemilik kotak surat 2", Request: req}))
	_, err = f.login(t, "ppid", "budi", "pemilik kotak surat 2")
	assert.NoError(t, err, "a reset in a realm without KeepLockOnReset ends the lock")
}

// Found in review, fixed: mask panics on a 9-character phone and shows all of a 10-character
// one. Such numbers no longer register (CanonicalPhone takes Indonesian
// mobiles only, of 12 characters or more), but a store may hold them.
func TestMaskShortPhone(t *testing.T) {
	for _, phone := range []string{"", "+1", "+12345678", "+123456789"} {
		masked := auth.MaskPhone(phone)
		assert.NotEqual(t, phone, masked)
		assert.GreaterOrEqual(t, strings.Count(masked, "*"), 4, "%q shows as %q", phone, masked)
	}
	for _, phone := range []string{"+12345678", "+123456789"} {
		_, err := newMFAFixture(t).auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Phone: phone, Password: goodPassword})
		require.ErrorIs(t, err, auth.ErrInvalidPhone)
	}
	for _, phone := range []string{"+62812345678", "0812-3456-7890"} {
		t.Run(phone, func(t *testing.T) {
			f := newMFAFixture(t)
			acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Phone: phone, Password: goodPassword}))
			require.NoError(t, err)
			_, err = f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorSMS, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
			require.NoError(t, err)
			p := f.pending(t, "lpse", "budi")
			var sent auth.SentCode
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("SendCode panicked: %v", r)
					}
				}()
				sent, err = f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodSMS, Request: req})
			}()
			if err == nil {
				assert.NotEqual(t, phone, sent.To, "the masked number is the whole number")
			}
		})
	}
}

// Found in review, fixed: RequestEmailChange answers an address that is free with a cooldown
// error, and an address that is taken with nil, so a logged-in user
// learns which addresses have accounts.
func TestEmailChangeUniform(t *testing.T) {
	f := newMFAFixture(t, withLinks)
	me := f.register(t, "lpse", "mallory")
	f.register(t, "lpse", "victim") // victim@example.id
	ask := func(email string) error {
		return f.auth.Accounts().RequestEmailChange(t.Context(), auth.EmailChange{AccountID: me.ID, Password: goodPassword, NewEmail: email, Request: req})
	}
	require.NoError(t, ask("mallory2@example.id")) // starts a cooldown
	errTaken := ask("victim@example.id")
	errFree := ask("nobody@example.id")
	assert.Equal(t, errTaken == nil, errFree == nil, "taken -> %v, free -> %v", errTaken, errFree)
}

// Found in review, fixed: an email change voids neither the reset links sent to the old
// address nor anything else issued to it.
func TestEmailChangeVoidsOldAddressTokens(t *testing.T) {
	f := newMFAFixture(t, withLinks)
	acct := f.register(t, "lpse", "budi")
	// The attacker, reading the old mailbox, asks for a reset link.
	f.requestReset(t, auth.ResetRequest{Realm: "lpse", Identifier: "budi", Request: req})
	old := f.lastToken(t, "budi@example.id", links.Reset)
	// The owner moves the account to a new mailbox.
	require.NoError(t, f.auth.Accounts().RequestEmailChange(t.Context(), auth.EmailChange{AccountID: acct.ID, Password: goodPassword, NewEmail: "budi.baru@example.id", Request: req}))
	tok := f.lastToken(t, "budi.baru@example.id", links.ConfirmEmail)
	_, err := f.auth.Accounts().ConfirmEmailChange(t.Context(), auth.EmailChangeConfirmation{Token: tok, Request: req})
	require.NoError(t, err)
	err = f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Token: old, NewPassword: "attacker new password 1", Request: req})
	assert.ErrorIs(t, err, auth.ErrInvalidToken, "the link sent to the old address still resets the password")
}

// Found in review, fixed: the second step's code lifetime is unbounded (ASVS 6.5.5: 10 min).
func TestSecondFactorLifetimesBounded(t *testing.T) {
	_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
		c.Realm.Messages = auth.Messages{PortalName: "x"}
		c.Sender = &notify.Outbox{}
		c.Realm.SecondFactor.CodeFor = 30 * 24 * time.Hour
		c.Realm.SecondFactor.PendingFor = 30 * 24 * time.Hour
	}})
	_, err := auth.New(cfg)
	assert.Error(t, err, "New accepts codes by email/SMS valid for 30 days")
	// Each bound alone, in a realm of its own as in the defaults.
	for name, sf := range map[string]auth.SecondFactorPolicy{
		"CodeFor 11 minutes":    {CodeFor: 11 * time.Minute},
		"PendingFor 16 minutes": {PendingFor: 16 * time.Minute},
	} {
		_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
			c.Realms = map[string]auth.Realm{"lpse": {}, "sapk": {SecondFactor: sf}}
		}})
		_, err := auth.New(cfg)
		assert.ErrorIs(t, err, auth.ErrConfig, name)
	}
}

// blockingSender blocks every Send until released.
type blockingSender struct {
	release chan struct{}
	mu      sync.Mutex
	n       int
}

func (b *blockingSender) Send(ctx context.Context, m notify.Message) error {
	b.mu.Lock()
	b.n++
	b.mu.Unlock()
	<-b.release
	return nil
}

// gateSender tells of every Send as it begins, and blocks it until
// released.
type gateSender struct {
	entered chan string
	release chan struct{}
}

func (g *gateSender) Send(ctx context.Context, m notify.Message) error {
	g.entered <- m.To
	<-g.release
	return nil
}

// Found in review, fixed: once 64 background sends are in flight, RequestReset runs the
// lookup and the send inline: a known account then answers as slowly as
// the mail server, an unknown one at once. With every background slot
// held by a send that blocks, no Send can begin but inside a request: a
// request that returns without one began did not send inline, whatever
// the machine's speed.
func TestBackgroundNeverInline(t *testing.T) {
	gs := &gateSender{entered: make(chan string), release: make(chan struct{})}
	f := newMFAFixture(t, withLinks, func(c *auth.Config) { c.Sender = gs })
	for i := range 70 {
		f.register(t, "lpse", fmt.Sprintf("user%d", i))
	}
	for i := range 64 { // fill the background, from many addresses
		r := auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", i)}
		f.requestReset(t, auth.ResetRequest{Realm: "lpse", Identifier: fmt.Sprintf("user%d", i), Request: r})
	}
	for range 64 {
		<-gs.entered
	}
	require.Equal(t, 64, f.auth.Background().Running)
	defer close(gs.release)
	for _, id := range []string{"no-such-user", "user65"} {
		done := make(chan error, 1)
		go func() {
			_, err := f.auth.Accounts().RequestReset(context.Background(), auth.ResetRequest{Realm: "lpse", Identifier: id, Request: auth.Request{ClientAddr: "192.0.2.1"}})
			done <- err
		}()
		select {
		case err := <-done:
			require.NoError(t, err, id)
		case to := <-gs.entered:
			t.Fatalf("RequestReset(%s) sent to %s inline, while the background was full", id, to)
		}
	}
	assert.Equal(t, int64(2), f.auth.Background().Dropped, "the work of both requests was dropped, not run inline")
}

var _ = errors.Is
var _ = totp.Params{}

// Found in review, fixed: ResetConfig's rates are not checked at New: a negative rate turns
// the throttle off silently, and one above 100 makes every request fail.
func TestResetRatesChecked(t *testing.T) {
	// ResetConfig.PerIdentifier is SecondFactor.CodesPerAccount and
	// EmailChange.PerAccount in v2; every rate of every policy is checked,
	// in Config.Realm and in each realm.
	for _, r := range []lockout.Rate{{Requests: -1, Window: time.Hour}, {Requests: 500, Window: time.Hour}, {Requests: 5}} {
		for name, set := range map[string]func(*auth.Realm){
			"SecondFactor.CodesPerAccount": func(m *auth.Realm) { m.SecondFactor.CodesPerAccount = r },
			"SecondFactor.CodesPerAddress": func(m *auth.Realm) { m.SecondFactor.CodesPerAddress = r },
			"EmailChange.PerAccount":       func(m *auth.Realm) { m.EmailChange.PerAccount = r },
			"EmailChange.PerAddress":       func(m *auth.Realm) { m.EmailChange.PerAddress = r },
			"Reset.PerAddress":             func(m *auth.Realm) { m.Reset.PerAddress = r },
			"Reset.Tries":                  func(m *auth.Realm) { m.Reset.Tries = r },
		} {
			_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) { set(&c.Realm) }})
			_, err := auth.New(cfg)
			assert.ErrorIs(t, err, auth.ErrConfig, "Config.Realm.%s %+v", name, r)
			_, cfg = fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
				var sapk auth.Realm
				set(&sapk)
				c.Realms = map[string]auth.Realm{"lpse": {}, "sapk": sapk}
			}})
			_, err = auth.New(cfg)
			assert.ErrorIs(t, err, auth.ErrConfig, "Config.Realms[sapk].%s %+v", name, r)
		}
	}
}

// Found in review, fixed: a session begun from a copy of the account taken
// before a Disable does not come back with Enable.
func TestDisableEnableEndsRacingSessions(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "lpse", "budi")
	res, err := f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
	ops := f.operator(t, "op-1", auth.AnyRealm)
	op := auth.OperatorAction{AccountID: acct.ID, Reason: "dicurigai"}
	require.NoError(t, ops.Disable(t.Context(), op))
	_, err = f.auth.Sessions().Start(t.Context(), auth.StartSession{Account: res.Account, Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials, "the stale copy says active; the store says disabled")
	require.NoError(t, ops.Enable(t.Context(), op))
	require.ErrorIs(t, ops.Enable(t.Context(), op), auth.ErrWrongState)
}

// Found in review, fixed: a User-Agent that is not UTF-8, or is huge, is
// cleaned before it is logged, so the attempt is recorded on every store.
func TestEventsCleanClientHeaders(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "budi")
	_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "salah",
		Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "Mozilla/5.0 \xff" + strings.Repeat("x", 1<<20)}})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	ev := f.events(t, "lpse")[0]
	assert.True(t, utf8.ValidString(ev.UserAgent))
	assert.LessOrEqual(t, len(ev.UserAgent), store.MaxSessionUserAgent)
}

// Found in review, fixed: an operator's search for a name in a realm of
// national numbers does not list every account.
func TestSearchWithoutDigits(t *testing.T) {
	f := newFlowFixture(t)
	f.registerNIP(t)
	op := f.operator(t, "helpdesk", "sapk")
	list, err := op.List(t.Context(), store.AccountQuery{Realm: "sapk", Search: "budi"})
	require.NoError(t, err)
	assert.Empty(t, list)
	list, err = op.List(t.Context(), store.AccountQuery{Realm: "sapk", Search: "pns@"})
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

// hookHasher runs a hook before its next hash, once.
type hookHasher struct {
	authtest.Hasher
	mu   sync.Mutex
	hook func()
}

func (h *hookHasher) Hash(ctx context.Context, pw string) (string, error) {
	h.mu.Lock()
	hook := h.hook
	h.hook = nil
	h.mu.Unlock()
	if hook != nil {
		hook()
	}
	return h.Hasher.Hash(ctx, pw)
}

// Found in review, fixed: a password change that lands while a reset is
// being completed (during its hash) voids the reset: the older code never
// overwrites the newer password.
func TestResetLosesToConcurrentChange(t *testing.T) {
	h := &hookHasher{}
	f := newFlowFixture(t, func(c *auth.Config) { c.Hasher = h })
	acct := f.registerNIP(t)
	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip})
	code := f.lastCode(t, "pns@example.go.id")
	h.mu.Lock()
	h.hook = func() {
		require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: sapkPassword, New: "Es teler 77 segar"}))
	}
	h.mu.Unlock()
	err := f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code, NewPassword: "Teh manis 7 hangat"})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
	_, err = f.login(t, "sapk", nip, "Es teler 77 segar")
	require.NoError(t, err)
}

// Found in review, fixed: codes for the second step are rate-limited per
// account and address, not only spaced by the cooldown.
func TestSendCodeThrottled(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	_, err := f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
	require.NoError(t, err)
	var errs []error
	for range 6 {
		p := f.pending(t, "lpse", "budi")
		_, err := f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodEmail, Request: req})
		errs = append(errs, err)
		f.clock.Advance(61 * time.Second)
	}
	for _, err := range errs[:5] {
		require.NoError(t, err)
	}
	require.ErrorIs(t, errs[5], lockout.ErrThrottled)
}

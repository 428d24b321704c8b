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

func withLinks(c *auth.Config) { c.Links = links }

// resetPassword runs the whole forgotten-password flow by link, as
// whoever reads the account's mailbox, and returns the new password.
func (f *mfaFixture) resetPassword(t *testing.T, username string, i int) string {
	t.Helper()
	f.requestReset(t, auth.ResetRequest{Realm: "lpse", Identifier: username, Request: req})
	tok := f.lastToken(t, username+"@example.id", links.Reset)
	pw := fmt.Sprintf("attacker owns the mailbox %d", i)
	require.NoError(t, f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Token: tok, NewPassword: pw, Request: req}))
	return pw
}

// Found in review, fixed: a completed reset ends the SECOND-FACTOR lock and forgets its
// escalation, so whoever controls the mailbox gets a fresh TOTP budget
// after each reset.
func TestResetKeepsSecondFactorLock(t *testing.T) {
	f := newMFAFixture(t, withLinks)
	acct := f.register(t, "lpse", "budi")
	f.enroll(t, acct)
	f.now = f.now.Add(time.Minute)
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
// ResetConfig.KeepLock is read.
func TestGuardKeepLockOnResetHonoured(t *testing.T) {
	f := newKitFixture(t, []authtest.Option{authtest.WithLockout(lockout.Policy{KeepLockOnReset: true})},
		func(c *auth.Config) { c.Messages = auth.Messages{PortalName: "LPSE Uji"}; c.Links = links })
	require.True(t, f.kit.Lockout.KeepLockOnReset())
	f.register(t, "lpse", "budi")
	f.kit.FailLogins(t, "lpse", "budi", "198.51.100.1", 5)
	_, err := f.login(t, "lpse", "budi", goodPassword)
	lockedErr(t, err)
	pw := f.resetPassword(t, "budi", 1)
	_, err = f.login(t, "lpse", "budi", pw)
	assert.ErrorIs(t, err, lockout.ErrLocked, "the guard's KeepLockOnReset was ignored; got %v", err)
}

// Found in review, fixed: mask panics on a 9-character phone and shows all of a 10-character
// one.
func TestMaskShortPhone(t *testing.T) {
	for _, phone := range []string{"+12345678", "+123456789"} {
		t.Run(phone, func(t *testing.T) {
			f := newMFAFixture(t)
			acct, err := accountOf(f.auth.Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Phone: phone, Password: goodPassword}))
			require.NoError(t, err)
			_, _, err = f.auth.AddCodeFactor(t.Context(), store.FactorSMS, auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req})
			require.NoError(t, err)
			p := f.pending(t, "lpse", "budi")
			var sent auth.SentCode
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("SendCode panicked: %v", r)
					}
				}()
				sent, err = f.auth.SendCode(t.Context(), auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodSMS, Request: req})
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
		return f.auth.RequestEmailChange(t.Context(), auth.EmailChange{AccountID: me.ID, Password: goodPassword, NewEmail: email, Request: req})
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
	require.NoError(t, f.auth.RequestEmailChange(t.Context(), auth.EmailChange{AccountID: acct.ID, Password: goodPassword, NewEmail: "budi.baru@example.id", Request: req}))
	tok := f.lastToken(t, "budi.baru@example.id", links.ConfirmEmail)
	_, err := f.auth.ConfirmEmailChange(t.Context(), "", tok, req)
	require.NoError(t, err)
	err = f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Token: old, NewPassword: "attacker new password 1", Request: req})
	assert.ErrorIs(t, err, auth.ErrInvalidToken, "the link sent to the old address still resets the password")
}

// Found in review, fixed: the second step's code lifetime is unbounded (ASVS 6.5.5: 10 min).
func TestSecondFactorLifetimesBounded(t *testing.T) {
	_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
		c.Messages = auth.Messages{PortalName: "x"}
		c.Sender = &notify.Outbox{}
		c.SecondFactor.CodeFor = 30 * 24 * time.Hour
		c.SecondFactor.PendingFor = 30 * 24 * time.Hour
	}})
	_, err := auth.New(cfg)
	assert.Error(t, err, "New accepts codes by email/SMS valid for 30 days")
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

// Found in review, fixed: once 64 background sends are in flight, RequestReset runs the
// lookup and the send inline: a known account then answers as slowly as
// the mail server, an unknown one at once.
func TestBackgroundNeverInline(t *testing.T) {
	bs := &blockingSender{release: make(chan struct{})}
	f := newMFAFixture(t, withLinks, func(c *auth.Config) { c.Sender = bs })
	for i := range 70 {
		f.register(t, "lpse", fmt.Sprintf("user%d", i))
	}
	for i := range 64 { // fill the semaphore, from many addresses
		r := auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", i)}
		f.requestReset(t, auth.ResetRequest{Realm: "lpse", Identifier: fmt.Sprintf("user%d", i), Request: r})
	}
	timed := func(id string) time.Duration {
		done := make(chan struct{})
		start := time.Now()
		go func() {
			_, _ = f.auth.RequestReset(context.Background(), auth.ResetRequest{Realm: "lpse", Identifier: id, Request: auth.Request{ClientAddr: "192.0.2.1"}})
			close(done)
		}()
		select {
		case <-done:
			return time.Since(start)
		case <-time.After(300 * time.Millisecond):
			return -1 // still blocked
		}
	}
	unknown := timed("no-such-user")
	known := timed("user65")
	close(bs.release)
	t.Logf("unknown: %v, known: %v (-1 = still waiting on the mail server)", unknown, known)
	assert.True(t, unknown >= 0 && known >= 0, "a known account's reset request blocks on the sender; an unknown one does not")
}

var _ = errors.Is
var _ = totp.Params{}

// Found in review, fixed: ResetConfig's rates are not checked at New: a negative rate turns
// the throttle off silently, and one above 100 makes every request fail.
func TestResetRatesChecked(t *testing.T) {
	for _, r := range []lockout.Rate{{Requests: -1, Window: time.Hour}, {Requests: 500, Window: time.Hour}, {Requests: 5}} {
		_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) { c.Reset.PerIdentifier = r }})
		_, err := auth.New(cfg)
		assert.Error(t, err, "%+v", r)
		_, cfg = fixtureConfig([]func(*auth.Config){func(c *auth.Config) { c.Reset.PerAddress = r }})
		_, err = auth.New(cfg)
		assert.Error(t, err, "%+v", r)
	}
}

// Found in review, fixed: a session begun from a copy of the account taken
// before a Disable does not come back with Enable.
func TestDisableEnableEndsRacingSessions(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "lpse", "budi")
	res, err := f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
	op := auth.OperatorAction{AccountID: acct.ID, Operator: "op-1", Scope: []string{auth.AnyRealm}, Reason: "dicurigai"}
	require.NoError(t, f.auth.Disable(t.Context(), op))
	_, err = f.auth.StartSession(t.Context(), res.Account, req)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials, "the stale copy says active; the store says disabled")
	require.NoError(t, f.auth.Enable(t.Context(), op))
	require.ErrorIs(t, f.auth.Enable(t.Context(), op), auth.ErrWrongState)
}

// Found in review, fixed: a User-Agent that is not UTF-8, or is huge, is
// cleaned before it is logged, so the attempt is recorded on every store.
func TestEventsCleanClientHeaders(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "budi")
	_, err := f.auth.Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "salah",
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
	list, err := f.auth.ListAccounts(t.Context(), store.AccountQuery{Realm: "sapk", Search: "budi"})
	require.NoError(t, err)
	assert.Empty(t, list)
	list, err = f.auth.ListAccounts(t.Context(), store.AccountQuery{Realm: "sapk", Search: "pns@"})
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
		require.NoError(t, f.auth.ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: sapkPassword, New: "Es teler 77 segar"}))
	}
	h.mu.Unlock()
	err := f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code, NewPassword: "Teh manis 7 hangat"})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
	_, err = f.login(t, "sapk", nip, "Es teler 77 segar")
	require.NoError(t, err)
}

// Found in review, fixed: codes for the second step are rate-limited per
// account and address, not only spaced by the cooldown.
func TestSendCodeThrottled(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	_, _, err := f.auth.AddCodeFactor(t.Context(), store.FactorEmail, auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req})
	require.NoError(t, err)
	var errs []error
	for range 6 {
		p := f.pending(t, "lpse", "budi")
		_, err := f.auth.SendCode(t.Context(), auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodEmail, Request: req})
		errs = append(errs, err)
		f.now = f.now.Add(61 * time.Second)
	}
	for _, err := range errs[:5] {
		require.NoError(t, err)
	}
	require.ErrorIs(t, errs[5], lockout.ErrThrottled)
}

package auth_test

import (
	"encoding/base32"
	"errors"
	"net/url"
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
	"github.com/masuk-id/masuk/totp"
)

// mfaFixture is a fixture built by authtest, with second factors on: a
// keyring, an outbox as the sender.
type mfaFixture struct {
	*fixture
	kit    *authtest.Kit
	outbox *notify.Outbox
}

func newMFAFixture(t *testing.T, mutate ...func(*auth.Config)) *mfaFixture {
	t.Helper()
	return newKitFixture(t, nil, append([]func(*auth.Config){func(c *auth.Config) {
		c.Realm.Messages = auth.Messages{PortalName: "LPSE Uji"}
	}}, mutate...)...)
}

// newKitFixture is a fixture whose Authenticator authtest builds: it
// fills in the sender, keyring, lockout and captcha the fixture leaves
// unset.
func newKitFixture(t *testing.T, opts []authtest.Option, mutate ...func(*auth.Config)) *mfaFixture {
	t.Helper()
	f, cfg := fixtureConfig(mutate)
	k := authtest.New(t, cfg, opts...)
	f.auth = k.Auth
	return &mfaFixture{fixture: f, kit: k, outbox: k.Outbox}
}

var req = auth.Request{ClientAddr: "203.0.113.9", UserAgent: "Mozilla/5.0 (test)"}

// enroll enrolls an authenticator app for acct and returns its secret and
// the recovery codes the confirmation gave.
func (f *mfaFixture) enroll(t *testing.T, acct store.Account) ([]byte, []string) {
	t.Helper()
	return f.enrollWith(t, acct, goodPassword)
}

func (f *mfaFixture) enrollWith(t *testing.T, acct store.Account, pw string) ([]byte, []string) {
	t.Helper()
	secret, recovery := f.kit.EnrollTOTP(t, acct.ID, pw)
	require.Len(t, secret, 20)
	return secret, recovery
}

// pending logs in with the right password and returns the pending login.
func (f *mfaFixture) pending(t *testing.T, realm, username string) *auth.SecondFactorRequired {
	t.Helper()
	res, err := f.login(t, realm, username, goodPassword)
	require.Nil(t, res)
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr)
	require.ErrorIs(t, err, auth.ErrSecondFactorRequired)
	return sfr
}

func (f *mfaFixture) verify(t *testing.T, realm, pending string, m auth.Method, code string) (*auth.LoginResult, error) {
	t.Helper()
	return f.auth.Logins().SecondStep(t.Context(), auth.SecondStepRequest{Realm: realm, Pending: pending, Method: m, Code: code, Request: req})
}

func (f *mfaFixture) unlock(t *testing.T) {
	t.Helper()
	_, err := f.operator(t, "test", auth.AnyRealm).Unlock(t.Context(), auth.UnlockRequest{Realm: "lpse", Username: "budi"})
	require.NoError(t, err)
}

// code6 is code, for tests whose variables are named code.
var code6 = code

func code(t *testing.T, secret []byte, at time.Time) string {
	t.Helper()
	c, err := totp.Params{}.Code(secret, at)
	require.NoError(t, err)
	return c
}

// TestTOTPEnrollAndLogin is matrix cases 37, 38 and 42 through the
// Authenticator: enrollment needs the password and a first code, that code
// cannot then log in, a code is accepted once, and steps only move forward.
func TestTOTPEnrollAndLogin(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")

	_, err := f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: "wrong password", Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)

	e, err := f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req})
	require.NoError(t, err)
	assert.Contains(t, e.URI, "otpauth://totp/LPSE%20Uji:budi?")
	assert.Equal(t, "image/png", httpContentType(e.QR))
	// Before confirmation the factor asks nothing at login.
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
	_, err = f.auth.Factors().ConfirmTOTP(t.Context(), auth.TOTPConfirmation{AccountID: acct.ID, FactorID: e.FactorID, Code: "000000"})
	require.ErrorIs(t, err, auth.ErrInvalidCode)

	secret, recovery := f.enroll(t, acct)
	assert.Len(t, recovery, 10)
	m, ok := f.outbox.Last("budi@example.id")
	require.True(t, ok)
	assert.Equal(t, notify.FactorAdded, m.Purpose)

	// The code that confirmed the enrollment cannot log in (case 42).
	p := f.pending(t, "lpse", "budi")
	assert.Equal(t, []auth.Method{auth.MethodTOTP, auth.MethodRecovery}, p.Methods)
	assert.Equal(t, f.clock.Now().Add(5*time.Minute), p.ExpiresAt)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	assert.Equal(t, auth.ReasonReplayedCode, reasonOf(f.events(t, "lpse")[0]))

	// The next step's code logs in, with blanks typed between the groups.
	f.clock.Advance(30 * time.Second)
	c := code(t, secret, f.clock.Now())
	res, err := f.verify(t, "lpse", p.Pending, auth.MethodTOTP, c[:3]+" "+c[3:])
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)
	assert.Equal(t, "totp", f.lastEvent(t, "lpse", auth.EventLoginSucceeded).Details["second_factor"])

	// Replayed in a new login, in the same step: refused (case 37).
	p = f.pending(t, "lpse", "budi")
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, c)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	// The previous step's code is within the skew but behind the last
	// accepted step: refused (case 38).
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now().Add(-30*time.Second)))
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	// The next step's code, within the skew, works (case 40).
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now().Add(30*time.Second)))
	require.NoError(t, err)
}

func httpContentType(b []byte) string {
	if len(b) > 8 && string(b[1:4]) == "PNG" {
		return "image/png"
	}
	return "unknown"
}

// TestTOTPSecretSealed is the at-rest half of case 42: the store holds the
// secret sealed, bound to its account and factor, and the log never sees it.
func TestTOTPSecretSealed(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	secret, _ := f.enroll(t, acct)
	fs, err := f.store.Factors(t.Context(), acct.ID)
	require.NoError(t, err)
	require.Len(t, fs, 1)
	assert.NotContains(t, string(fs[0].Secret), string(secret))
	assert.Equal(t, "SHA1", fs[0].Algorithm)
	assert.Equal(t, 6, fs[0].Digits)
	assert.Equal(t, 30, fs[0].Period)
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret)
	assert.NotContains(t, f.logs.String(), b32)
}

// TestSecondStepRefusals is matrix case 43: the second step without a
// pending login, with a malformed, expired, used, or another realm's one,
// or after the password changed, is refused.
func TestSecondStepRefusals(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	secret, _ := f.enroll(t, acct)
	f.clock.Advance(time.Minute)

	for _, p := range []string{"", "x", "%00", string(make([]byte, 10<<10)), "0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		_, err := f.verify(t, "lpse", p, auth.MethodTOTP, code(t, secret, f.clock.Now()))
		require.ErrorIs(t, err, auth.ErrNoPendingLogin, "%.20q", p)
	}

	p := f.pending(t, "lpse", "budi")
	_, err := f.verify(t, "other", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.ErrorIs(t, err, auth.ErrNoPendingLogin, "another realm")
	// A tampered secret half does not open it.
	tampered := p.Pending[:len(p.Pending)-1] + string("0123456789abcdef"[(int(p.Pending[len(p.Pending)-1])+1)%16])
	_, err = f.verify(t, "lpse", tampered, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.ErrorIs(t, err, auth.ErrNoPendingLogin, "tampered")
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodSMS, "123456")
	require.ErrorIs(t, err, auth.ErrMethodUnavailable)

	// Expired.
	f.clock.Advance(5 * time.Minute)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.ErrorIs(t, err, auth.ErrNoPendingLogin, "expired")

	// Used.
	p = f.pending(t, "lpse", "budi")
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.NoError(t, err)
	f.clock.Advance(30 * time.Second)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.ErrorIs(t, err, auth.ErrNoPendingLogin, "used")

	// Voided by a password change between the steps.
	p = f.pending(t, "lpse", "budi")
	require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "teh manis hangat sekali"}))
	f.clock.Advance(30 * time.Second)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.ErrorIs(t, err, auth.ErrNoPendingLogin, "after a password change")
}

// TestSecondStepOtherAccount: a pending login completes only with its own
// account's factor: another account's valid code does not open it.
func TestSecondStepOtherAccount(t *testing.T) {
	f := newMFAFixture(t)
	budi := f.register(t, "lpse", "budi")
	siti := f.register(t, "lpse", "siti")
	f.enroll(t, budi)
	sitiSecret, _ := f.enroll(t, siti)
	f.clock.Advance(time.Minute)
	p := f.pending(t, "lpse", "budi")
	_, err := f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, sitiSecret, f.clock.Now()))
	require.ErrorIs(t, err, auth.ErrInvalidCode)
}

// TestParallelSameTOTPCode is matrix case 39 through the Authenticator: of
// 100 parallel submissions of one valid code, exactly one logs in.
func TestParallelSameTOTPCode(t *testing.T) {
	f := newMFAFixture(t, func(c *auth.Config) {
		c.Realm.SecondFactor.PendingAttempts = 100
	})
	acct := f.register(t, "lpse", "budi")
	secret, recovery := f.enroll(t, acct)
	f.clock.Advance(time.Minute)

	for _, tc := range []struct {
		m    auth.Method
		code string
	}{{auth.MethodTOTP, code(t, secret, f.clock.Now())}, {auth.MethodRecovery, recovery[0]}} {
		t.Run(string(tc.m), func(t *testing.T) {
			var ok atomic.Int32
			var wg sync.WaitGroup
			pendings := make([]string, 100)
			// One pending login per submission would void each other (an
			// account waits on one at a time), so all share one.
			p := f.pending(t, "lpse", "budi")
			for i := range pendings {
				pendings[i] = p.Pending
			}
			for i := range 100 {
				wg.Go(func() {
					_, err := f.verify(t, "lpse", pendings[i], tc.m, tc.code)
					if err == nil {
						ok.Add(1)
					} else if !errors.Is(err, auth.ErrInvalidCode) && !errors.Is(err, auth.ErrNoPendingLogin) && !errors.Is(err, lockout.ErrLocked) {
						t.Errorf("unexpected error: %v", err)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int32(1), ok.Load())
			f.clock.Advance(30 * time.Minute)
			f.unlock(t)
		})
	}
}

// TestWrongCodesLockTheSecondFactor is matrix case 8: wrong codes count,
// on the second-factor counter, and a locked second step refuses even the
// right code.
func TestWrongCodesLockTheSecondFactor(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	secret, _ := f.enroll(t, acct)
	f.clock.Advance(time.Minute)
	p := f.pending(t, "lpse", "budi")
	for range 5 {
		_, err := f.verify(t, "lpse", p.Pending, auth.MethodTOTP, "000000")
		require.ErrorIs(t, err, auth.ErrInvalidCode)
	}
	_, err := f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	le := lockedErr(t, err)
	assert.Equal(t, lockout.ScopeSecondFactor, le.Scope)
	// The password itself is not locked: the owner can still be told the
	// password was right, and nothing more.
	f.pending(t, "lpse", "budi")
}

// TestEmailCode covers codes by email as a second factor: sent to the
// address on record, hashed, resend cooldown, expiry and the attempt cap.
func TestEmailCode(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")

	_, err := f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: "wrong password"}})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	enrolled, err := f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
	require.NoError(t, err)
	assert.Len(t, enrolled.RecoveryCodes, 10)
	assert.NotEmpty(t, enrolled.FactorID)

	p := f.pending(t, "lpse", "budi")
	assert.Equal(t, []auth.Method{auth.MethodEmail, auth.MethodRecovery}, p.Methods)
	send := func() (auth.SentCode, error) {
		return f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodEmail, Request: req})
	}
	sent, err := send()
	require.NoError(t, err)
	assert.Equal(t, "b***@example.id", sent.To)
	assert.Equal(t, f.clock.Now().Add(5*time.Minute), sent.ExpiresAt)
	assert.Equal(t, f.clock.Now().Add(time.Minute), sent.ResendAt)
	m, ok := f.outbox.Last("budi@example.id")
	require.True(t, ok)
	assert.Equal(t, notify.SecondFactorCode, m.Purpose)
	first, ok := notify.ExtractCode(m)
	require.True(t, ok)
	assert.Len(t, first, 6)

	// Resend within a minute: refused, saying when.
	f.clock.Advance(59 * time.Second)
	_, err = send()
	var ce *store.CooldownError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, sent.ResendAt, ce.Until)
	f.clock.Advance(time.Second)
	_, err = send()
	require.NoError(t, err)
	m, _ = f.outbox.Last("budi@example.id")
	second, _ := notify.ExtractCode(m)

	// The first code was voided by the second.
	if first != second {
		_, err = f.verify(t, "lpse", p.Pending, auth.MethodEmail, first)
		require.ErrorIs(t, err, auth.ErrInvalidCode)
	}
	res, err := f.verify(t, "lpse", p.Pending, auth.MethodEmail, second)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)

	// Expiry: a code 5 minutes old is refused.
	p = f.pending(t, "lpse", "budi")
	_, err = send()
	require.NoError(t, err)
	m, _ = f.outbox.Last("budi@example.id")
	c, _ := notify.ExtractCode(m)
	f.clock.Advance(5 * time.Minute)
	p2 := f.pending(t, "lpse", "budi")
	_, err = f.verify(t, "lpse", p2.Pending, auth.MethodEmail, c)
	require.ErrorIs(t, err, auth.ErrInvalidCode)

	// The attempt cap: after 5 wrong tries the code is void.
	f.clock.Advance(time.Hour)
	p = f.pending(t, "lpse", "budi")
	_, err = send()
	require.NoError(t, err)
	m, _ = f.outbox.Last("budi@example.id")
	c, _ = notify.ExtractCode(m)
	f.unlock(t)
	wrong := "000000"
	if c == wrong {
		wrong = "111111"
	}
	for range 4 {
		_, err = f.verify(t, "lpse", p.Pending, auth.MethodEmail, wrong)
		require.ErrorIs(t, err, auth.ErrInvalidCode)
	}
	f.unlock(t)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodEmail, wrong)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodEmail, c)
	require.ErrorIs(t, err, auth.ErrInvalidCode, "the sixth try, with the right code, finds the code void")
	assert.NotContains(t, f.logs.String(), c)
}

// TestEmailFallback: with the fallback on, an account with an
// authenticator app can also get a code by email; with it off (the
// default) it cannot.
func TestEmailFallback(t *testing.T) {
	for _, on := range []bool{false, true} {
		f := newMFAFixture(t, func(c *auth.Config) { c.Realm.SecondFactor.EmailFallback = on })
		acct := f.register(t, "lpse", "budi")
		f.enroll(t, acct)
		p := f.pending(t, "lpse", "budi")
		_, err := f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodEmail})
		if on {
			assert.Contains(t, p.Methods, auth.MethodEmail)
			require.NoError(t, err)
		} else {
			assert.NotContains(t, p.Methods, auth.MethodEmail)
			require.ErrorIs(t, err, auth.ErrMethodUnavailable)
		}
	}
}

// TestRecoveryCodes is matrix case 44 through the Authenticator: a code
// logs in once, its use is told to the owner, and a new set voids the old.
func TestRecoveryCodes(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	_, codes := f.enroll(t, acct)

	p := f.pending(t, "lpse", "budi")
	_, err := f.verify(t, "lpse", p.Pending, auth.MethodRecovery, "not-a-code")
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodRecovery, codes[0])
	require.NoError(t, err)
	m, _ := f.outbox.Last("budi@example.id")
	assert.Equal(t, notify.RecoveryCodeUsed, m.Purpose)
	sum, err := f.auth.Factors().Summary(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, 9, sum.RecoveryCodes)

	p = f.pending(t, "lpse", "budi")
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodRecovery, codes[0])
	require.ErrorIs(t, err, auth.ErrInvalidCode, "used twice")

	_, err = f.auth.Factors().RegenerateRecoveryCodes(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: "wrong password"})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	fresh, err := f.auth.Factors().RegenerateRecoveryCodes(t.Context(), auth.FactorChange{AccountID: acct.ID, Password: goodPassword})
	require.NoError(t, err)
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodRecovery, codes[1])
	require.ErrorIs(t, err, auth.ErrInvalidCode, "a code of the old set")
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodRecovery, fresh.Codes[0])
	require.NoError(t, err)
}

// TestRememberDevice: a remembered device skips the second factor until
// it expires, until the password changes, or until it is forgotten.
func TestRememberDevice(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	secret, _ := f.enroll(t, acct)
	f.clock.Advance(time.Minute)

	remember := func() string {
		p := f.pending(t, "lpse", "budi")
		res, err := f.auth.Logins().SecondStep(t.Context(), auth.SecondStepRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodTOTP, Code: code(t, secret, f.clock.Now()), Remember: true, Request: req})
		require.NoError(t, err)
		require.NotNil(t, res.Device)
		assert.Equal(t, f.clock.Now().Add(30*24*time.Hour), res.Device.ExpiresAt)
		f.clock.Advance(30 * time.Second)
		return res.Device.Token
	}
	loginWith := func(device string) error {
		_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Device: device, Request: req})
		return err
	}

	device := remember()
	require.NoError(t, loginWith(device))
	assert.Equal(t, "remembered_device", f.events(t, "lpse")[0].Details["second_factor"])
	require.ErrorIs(t, loginWith(device+"0"), auth.ErrSecondFactorRequired)
	require.ErrorIs(t, loginWith("garbage"), auth.ErrSecondFactorRequired)
	// The device does not stand in for the password.
	err := loginWith(device)
	require.NoError(t, err)
	_, err = f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "wrong password", Device: device})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)

	// Expiry.
	f.clock.Advance(30 * 24 * time.Hour)
	require.ErrorIs(t, loginWith(device), auth.ErrSecondFactorRequired)

	// A password change ends it.
	device = remember()
	require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: goodPassword + " lagi"}))
	_, err = f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword + " lagi", Device: device})
	require.ErrorIs(t, err, auth.ErrSecondFactorRequired)
}

// TestRemoveFactor: removing needs the password and tells the owner;
// without a confirmed factor left, logins need the password only and the
// recovery codes are gone.
func TestRemoveFactor(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	f.enroll(t, acct)
	sum, err := f.auth.Factors().Summary(t.Context(), acct.ID)
	require.NoError(t, err)
	require.Len(t, sum.Factors, 1)
	assert.Equal(t, authtest.TOTPLabel, sum.Factors[0].Label)
	id := sum.Factors[0].ID

	err = f.auth.Factors().Remove(t.Context(), auth.FactorRemoval{FactorID: id, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: "wrong password"}})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, auth.EventFactorChangeFailed, kindOf(f.events(t, "lpse")[0]))
	require.NoError(t, f.auth.Factors().Remove(t.Context(), auth.FactorRemoval{FactorID: id, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}}))
	m, _ := f.outbox.Last("budi@example.id")
	assert.Equal(t, notify.FactorRemoved, m.Purpose)
	assert.Equal(t, auth.EventFactorRemoved, kindOf(f.events(t, "lpse")[0]))

	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
	sum, err = f.auth.Factors().Summary(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Empty(t, sum.Factors)
	assert.Zero(t, sum.RecoveryCodes)
}

// TestSecondFactorFailsClosed: an account whose only factor this portal
// cannot use (an authenticator app, with the keyring gone) is refused,
// not let in on the password alone.
func TestSecondFactorFailsClosed(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	f.enroll(t, acct)
	require.NoError(t, f.store.SetRecoveryCodes(t.Context(), acct.ID, nil, f.clock.Now()))
	g, err := auth.New(auth.Config{Store: f.store, Hasher: f.hasher, Now: f.clock.Now})
	require.NoError(t, err)
	_, err = g.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword})
	require.ErrorIs(t, err, auth.ErrSecondFactorUnavailable)
}

// enrollmentRequired logs in with the right password and returns the
// pending enrollment.
func (f *mfaFixture) enrollmentRequired(t *testing.T, realm, username string) *auth.EnrollmentRequired {
	t.Helper()
	res, err := f.login(t, realm, username, goodPassword)
	require.Nil(t, res)
	var er *auth.EnrollmentRequired
	require.ErrorAs(t, err, &er)
	require.ErrorIs(t, err, auth.ErrEnrollmentRequired)
	return er
}

// totpSecret is the secret of an authenticator app's otpauth URI.
func totpSecret(t *testing.T, uri string) []byte {
	t.Helper()
	u, err := url.Parse(uri)
	require.NoError(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	require.NoError(t, err)
	return secret
}

// TestMandatorySecondFactorEnrollsAtLogin: in a realm that requires a
// second factor, an account without one logs in only by enrolling one,
// with the pending enrollment in place of a password; the enrollment
// completes the login, and the next login asks for the factor. Another
// realm of the same Authenticator asks nothing.
func TestMandatorySecondFactorEnrollsAtLogin(t *testing.T) {
	f := newMFAFixture(t, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{"lpse": {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}}, "ppid": {}}
	})
	acct := f.register(t, "lpse", "budi")
	f.register(t, "ppid", "budi")
	_, err := f.login(t, "ppid", "budi", goodPassword)
	require.NoError(t, err, "a realm that requires nothing")

	er := f.enrollmentRequired(t, "lpse", "budi")
	assert.Equal(t, []auth.Method{auth.MethodTOTP, auth.MethodEmail}, er.Methods)
	assert.Equal(t, f.clock.Now().Add(5*time.Minute), er.ExpiresAt)
	assert.Equal(t, auth.EventEnrollmentRequired, kindOf(f.events(t, "lpse")[0]))

	// The pending enrollment is not a pending login, nor one of another
	// realm, nor a password.
	_, err = f.verify(t, "lpse", er.Pending, auth.MethodTOTP, "000000")
	require.ErrorIs(t, err, auth.ErrNoPendingLogin)
	_, err = f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{Realm: "ppid", Pending: er.Pending, Request: req})
	require.ErrorIs(t, err, auth.ErrNoPendingLogin, "another realm")
	_, err = f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorSMS, FactorChange: auth.FactorChange{Realm: "lpse", Pending: er.Pending, Request: req}})
	require.ErrorIs(t, err, auth.ErrMethodUnavailable, "a method the enrollment does not offer")

	e, err := f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{Realm: "lpse", Pending: er.Pending, Request: req})
	require.NoError(t, err)
	secret := totpSecret(t, e.URI)
	_, err = f.auth.Factors().ConfirmTOTP(t.Context(), auth.TOTPConfirmation{Realm: "lpse", Pending: er.Pending, FactorID: e.FactorID, Code: "000000"})
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	enrolled, err := f.auth.Factors().ConfirmTOTP(t.Context(), auth.TOTPConfirmation{Realm: "lpse", Pending: er.Pending, FactorID: e.FactorID, Code: code(t, secret, f.clock.Now()), Request: req})
	require.NoError(t, err)
	require.NotNil(t, enrolled.Login, "the enrollment completes the login")
	assert.Equal(t, acct.ID, enrolled.Login.Account.ID)
	assert.Len(t, enrolled.RecoveryCodes, 10)
	assert.Equal(t, "totp_enrolled", f.lastEvent(t, "lpse", auth.EventLoginSucceeded).Details["second_factor"])

	// Used up: it enrolls nothing more.
	_, err = f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{Realm: "lpse", Pending: er.Pending, Request: req})
	require.ErrorIs(t, err, auth.ErrNoPendingLogin)

	// The next login asks for the factor.
	f.clock.Advance(30 * time.Second)
	p := f.pending(t, "lpse", "budi")
	_, err = f.verify(t, "lpse", p.Pending, auth.MethodTOTP, code(t, secret, f.clock.Now()))
	require.NoError(t, err)
}

// TestMandatoryEnrollmentByEmail: adding codes by email with the pending
// enrollment leads to the login's second step with them.
func TestMandatoryEnrollmentByEmail(t *testing.T) {
	f := newMFAFixture(t, func(c *auth.Config) { c.Realm.SecondFactor.Requirement = auth.SecondFactorMandatory })
	acct := f.register(t, "lpse", "budi")
	er := f.enrollmentRequired(t, "lpse", "budi")
	enrolled, err := f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{Realm: "lpse", Pending: er.Pending, Request: req}})
	require.NoError(t, err)
	assert.Nil(t, enrolled.Login, "codes by email prove nothing until one is typed")
	require.NotNil(t, enrolled.SecondStep)
	assert.Contains(t, enrolled.SecondStep.Methods, auth.MethodEmail)
	_, err = f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "lpse", Pending: enrolled.SecondStep.Pending, Method: auth.MethodEmail, Request: req})
	require.NoError(t, err)
	res, err := f.verify(t, "lpse", enrolled.SecondStep.Pending, auth.MethodEmail, f.lastCode(t, "budi@example.id"))
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)
}

// TestMandatoryEnrollmentVoided: a password change voids a pending
// enrollment, and a realm that requires a factor no account can enroll
// (no keyring, no sender) fails closed.
func TestMandatoryEnrollmentVoided(t *testing.T) {
	f := newMFAFixture(t, func(c *auth.Config) { c.Realm.SecondFactor.Requirement = auth.SecondFactorMandatory })
	acct := f.register(t, "lpse", "budi")
	er := f.enrollmentRequired(t, "lpse", "budi")
	require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "teh manis hangat sekali", Request: req}))
	_, err := f.auth.Factors().BeginTOTP(t.Context(), auth.FactorChange{Realm: "lpse", Pending: er.Pending, Request: req})
	require.ErrorIs(t, err, auth.ErrNoPendingLogin)

	g, err := auth.New(auth.Config{Store: f.store, Hasher: f.hasher, Now: f.clock.Now,
		Realm: auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}}})
	require.NoError(t, err)
	res, err := g.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "teh manis hangat sekali"})
	assert.Nil(t, res)
	require.ErrorIs(t, err, auth.ErrSecondFactorUnavailable)
}

// A factor of codes is by email or SMS: any other kind, which an API's
// client can send, is refused as a method this portal does not offer, a
// 400, before the password is checked, and adds nothing.
func TestAddCodesOtherKindRefused(t *testing.T) {
	f := newMFAFixture(t)
	acct := f.register(t, "lpse", "budi")
	verifies := f.hasher.Verifies()
	for _, kind := range []store.FactorKind{store.FactorTOTP, "", "passkey"} {
		_, err := f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: kind, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
		require.ErrorIs(t, err, auth.ErrMethodUnavailable, "%q", kind)
		o := auth.Classify(err)
		assert.Equal(t, auth.CodeMethodUnavailable, o.Code, "%q", kind)
		assert.Equal(t, 400, o.Status, "%q", kind)
	}
	assert.Equal(t, verifies, f.hasher.Verifies())
	sum, err := f.auth.Factors().Summary(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Empty(t, sum.Factors)
}

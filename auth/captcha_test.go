package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

// captchaFixture's captcha service, built by authtest, answers every
// challenge with "333333".
func captchaFixture(t *testing.T, realms map[string]auth.Realm) (*fixture, *captcha.Service) {
	t.Helper()
	f := newKitFixture(t, []authtest.Option{authtest.WithCaptcha(captcha.Config{})}, func(c *auth.Config) { c.Realms = realms })
	return f.fixture, f.kit.Captcha
}

func (f *fixture) loginWithCaptcha(t *testing.T, username, pw string, ans auth.CaptchaAnswer) error {
	t.Helper()
	_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: username, Password: pw, Captcha: ans,
		Request: auth.Request{ClientAddr: "203.0.113.9"}})
	return err
}

// TestCaptchaAfterFailures: by default a captcha is asked from the third
// failure on, before any hash runs and before the attempt counts.
func TestCaptchaAfterFailures(t *testing.T) {
	f, svc := captchaFixture(t, map[string]auth.Realm{"lpse": {}})
	f.register(t, "lpse", "budi")
	need, err := f.auth.Logins().CaptchaNeeded(t.Context(), auth.CaptchaQuery{Realm: "lpse", Username: "budi", ClientAddr: "203.0.113.9"})
	require.NoError(t, err)
	assert.False(t, need.Required)
	for range 3 {
		require.ErrorIs(t, f.loginWithCaptcha(t, "budi", "wrong password", auth.CaptchaAnswer{}), auth.ErrInvalidCredentials)
	}
	need, err = f.auth.Logins().CaptchaNeeded(t.Context(), auth.CaptchaQuery{Realm: "lpse", Username: "BUDI", ClientAddr: "198.51.100.1"})
	require.NoError(t, err)
	assert.True(t, need.Required, "the account has 3 failures, from any address")

	verifies := f.hasher.Verifies()
	require.ErrorIs(t, f.loginWithCaptcha(t, "budi", goodPassword, auth.CaptchaAnswer{}), auth.ErrCaptchaRequired)
	is, err := svc.Issue(t.Context(), "form-1", "203.0.113.9")
	require.NoError(t, err)
	require.ErrorIs(t, f.loginWithCaptcha(t, "budi", goodPassword, auth.CaptchaAnswer{ID: is.ID, Flow: "form-1", Answer: "123456"}), auth.ErrCaptchaInvalid)
	require.ErrorIs(t, f.loginWithCaptcha(t, "budi", goodPassword, auth.CaptchaAnswer{ID: is.ID, Flow: "form-1", Answer: "333333"}), auth.ErrCaptchaInvalid, "used up by the wrong answer")
	assert.Equal(t, verifies, f.hasher.Verifies(), "captcha refusals ran a hash")
	st, err := f.operator(t, "helpdesk", "lpse").LockStatus(t.Context(), auth.LockQuery{Realm: "lpse", Username: "budi"})
	require.NoError(t, err)
	assert.Equal(t, 3, st.Password.Attempts, "captcha refusals counted as attempts")
	assert.Equal(t, auth.ReasonCaptchaInvalid, reasonOf(f.events(t, "lpse")[0]))

	is, err = svc.Issue(t.Context(), "form-1", "203.0.113.9")
	require.NoError(t, err)
	require.NoError(t, f.loginWithCaptcha(t, "budi", goodPassword, auth.CaptchaAnswer{ID: is.ID, Flow: "form-1", Answer: "333 333"}))
	need, err = f.auth.Logins().CaptchaNeeded(t.Context(), auth.CaptchaQuery{Realm: "lpse", Username: "budi", ClientAddr: "198.51.100.1"})
	require.NoError(t, err)
	assert.False(t, need.Required, "a success cleared the account's count")
}

func TestCaptchaAlwaysAndNever(t *testing.T) {
	f, svc := captchaFixture(t, map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways}}, "ppid": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaNever}}})
	f.register(t, "lpse", "siti")
	require.ErrorIs(t, f.loginWithCaptcha(t, "siti", goodPassword, auth.CaptchaAnswer{}), auth.ErrCaptchaRequired)
	is, err := svc.Issue(t.Context(), "form-2", "203.0.113.9")
	require.NoError(t, err)
	require.NoError(t, f.loginWithCaptcha(t, "siti", goodPassword, auth.CaptchaAnswer{ID: is.ID, Flow: "form-2", Answer: "333333"}))

	f.register(t, "ppid", "siti")
	for range 4 {
		_, err := f.login(t, "ppid", "siti", "wrong password")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	_, err = f.login(t, "ppid", "siti", goodPassword)
	require.NoError(t, err, "a realm that never asks")
}

func TestCaptchaLockReportedBeforeCaptcha(t *testing.T) {
	f, svc := captchaFixture(t, nil)
	f.register(t, "lpse", "eko")
	for i := range 5 {
		ans := auth.CaptchaAnswer{}
		if i >= 3 {
			is, err := svc.Issue(t.Context(), "f", "203.0.113.9")
			require.NoError(t, err)
			ans = auth.CaptchaAnswer{ID: is.ID, Flow: "f", Answer: "333333"}
		}
		require.ErrorIs(t, f.loginWithCaptcha(t, "eko", "wrong password", ans), auth.ErrInvalidCredentials, "attempt %d", i+1)
	}
	err := f.loginWithCaptcha(t, "eko", goodPassword, auth.CaptchaAnswer{})
	var le *lockout.LockedError
	require.ErrorAs(t, err, &le, "a locked account says so, rather than asking for a captcha it would refuse anyway")
	assert.Equal(t, f.clock.Now().Add(15*time.Minute), le.Until)
	_, err = f.auth.Logins().CaptchaNeeded(t.Context(), auth.CaptchaQuery{Realm: "lpse", Username: "eko", ClientAddr: "203.0.113.9"})
	require.ErrorAs(t, err, &le)
}

// TestCaptchaAlwaysLockReportedBeforeCaptcha: in a realm that asks for a
// captcha at every login, a locked account says so too, at CaptchaNeeded
// and at a login without a captcha, as in one that asks after failures.
func TestCaptchaAlwaysLockReportedBeforeCaptcha(t *testing.T) {
	f, svc := captchaFixture(t, map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways},
		Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 5, UntilUnlocked: true}}}})
	f.register(t, "lpse", "eko")
	for i := range 5 {
		is, err := svc.Issue(t.Context(), "f", "203.0.113.9")
		require.NoError(t, err)
		err = f.loginWithCaptcha(t, "eko", "wrong password", auth.CaptchaAnswer{ID: is.ID, Flow: "f", Answer: "333333"})
		require.ErrorIs(t, err, auth.ErrInvalidCredentials, "attempt %d", i+1)
	}
	var le *lockout.LockedError
	_, err := f.auth.Logins().CaptchaNeeded(t.Context(), auth.CaptchaQuery{Realm: "lpse", Username: "eko", ClientAddr: "198.51.100.1"})
	require.ErrorAs(t, err, &le, "CaptchaNeeded returns the lock, as its doc says")
	assert.True(t, le.Permanent)
	require.ErrorAs(t, f.loginWithCaptcha(t, "eko", goodPassword, auth.CaptchaAnswer{}), &le)
	// An unlocked name still needs its captcha.
	need, err := f.auth.Logins().CaptchaNeeded(t.Context(), auth.CaptchaQuery{Realm: "lpse", Username: "siapa", ClientAddr: "198.51.100.1"})
	require.NoError(t, err)
	assert.True(t, need.Required)
}

func TestCaptchaPolicyChecked(t *testing.T) {
	_, err := auth.New(auth.Config{Store: memstore.New(), Realms: map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways}}}})
	require.Error(t, err, "a realm asking for a captcha without a captcha service")
	_, err = auth.New(auth.Config{Store: memstore.New(), Realms: map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Mode: 9}}}})
	require.Error(t, err)
}

// fakeHosted answers like a hosted service: "ok" solves, "down" cannot be
// checked, anything else is rejected.
type fakeHosted struct{}

func (fakeHosted) Verify(_ context.Context, token, _ string) error {
	switch token {
	case "ok":
		return nil
	case "down":
		return captcha.ErrHostedUnavailable
	}
	return captcha.ErrHostedRejected
}

func TestCaptchaHosted(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		c.Captcha = captcha.HostedChecker(fakeHosted{})
		c.Realms = map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways}}}
	})
	f.register(t, "lpse", "tuti")
	require.ErrorIs(t, f.loginWithCaptcha(t, "tuti", goodPassword, auth.CaptchaAnswer{}), auth.ErrCaptchaRequired)
	require.ErrorIs(t, f.loginWithCaptcha(t, "tuti", goodPassword, auth.CaptchaAnswer{Answer: "forged"}), auth.ErrCaptchaInvalid)
	err := f.loginWithCaptcha(t, "tuti", goodPassword, auth.CaptchaAnswer{Answer: "down"})
	require.ErrorIs(t, err, captcha.ErrHostedUnavailable, "fails closed")
	require.NotErrorIs(t, err, auth.ErrCaptchaInvalid)
	require.NoError(t, f.loginWithCaptcha(t, "tuti", goodPassword, auth.CaptchaAnswer{Answer: "ok"}))
}

// racyPeek is a store whose reads of the counters lag behind its writes,
// as a replica or a slow network can: every Peek sees nothing charged.
type racyPeek struct{ *memstore.Store }

func (r racyPeek) Counter(_ context.Context, _ time.Time, k store.AttemptKey) (store.Counter, error) {
	return store.Counter{Key: k.Key}, nil
}

// TestCaptchaCannotBeRacedPast: attempts sent in parallel all pass the
// pre-check, but the policy is enforced again on the atomic charge.
func TestCaptchaCannotBeRacedPast(t *testing.T) {
	f := newKitFixture(t, []authtest.Option{authtest.WithCaptcha(captcha.Config{})}, func(c *auth.Config) {
		c.Store = racyPeek{memstore.New()}
	})
	svc := f.kit.Captcha
	f.register(t, "lpse", "budi")
	verifies := f.hasher.Verifies()
	outcomes := map[auth.Code]int{}
	for range 10 {
		err := f.loginWithCaptcha(t, "budi", "wrong password", auth.CaptchaAnswer{})
		outcomes[auth.Classify(err).Code]++
	}
	assert.Equal(t, map[auth.Code]int{auth.CodeInvalidCredentials: 3, auth.CodeCaptchaRequired: 7}, outcomes)
	assert.Equal(t, int64(3), f.hasher.Verifies()-verifies, "hashes without a captcha")
	is, err := svc.Issue(t.Context(), "f", "203.0.113.9")
	require.NoError(t, err)
	require.ErrorIs(t, f.loginWithCaptcha(t, "budi", "wrong password", auth.CaptchaAnswer{ID: is.ID, Flow: "f", Answer: "333333"}), auth.ErrInvalidCredentials, "with a captcha the attempt runs")
}

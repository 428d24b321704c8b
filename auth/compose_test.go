package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/redisstore"
)

// traced is the decorator a host writes to trace or count store calls: it
// embeds store.Store, and so hides every other role of the store it wraps.
type traced struct {
	store.Store
	calls atomic.Int64
}

func (s *traced) AccountByUsername(ctx context.Context, realm, username string) (store.Account, error) {
	s.calls.Add(1)
	return s.Store.AccountByUsername(ctx, realm, username)
}

// A decorator that hides the factors of the store it wraps used to turn
// second factors off in silence: an account with an authenticator app
// then logged in with its password alone. New now refuses it, naming the
// role.
func TestDecoratorCannotSwitchSecondFactorsOff(t *testing.T) {
	inner := memstore.New()
	_, err := auth.New(auth.Config{Store: &traced{Store: inner}, Hasher: &authtest.Hasher{}})
	require.ErrorIs(t, err, auth.ErrConfig)
	var mr *auth.MissingRoleError
	require.ErrorAs(t, err, &mr)
	assert.Equal(t, "Attempts", mr.Role, "the first role missing, in the order New checks")

	cfg := auth.Config{Store: &traced{Store: inner}, Hasher: &authtest.Hasher{}, Attempts: inner}
	_, err = auth.New(cfg)
	require.ErrorAs(t, err, &mr)
	assert.Equal(t, "Factors", mr.Role)
	assert.Contains(t, err.Error(), "Config.Factors")
	assert.Contains(t, err.Error(), "second factors")

	// Naming the roles the decorator hides brings them back, and the
	// account's authenticator app is asked for.
	w := &traced{Store: inner}
	f := newMFAFixture(t, func(c *auth.Config) {
		c.Store, c.Attempts, c.Factors, c.Recovery, c.Devices, c.Tokens, c.Sessions = w, inner, inner, inner, inner, inner, inner
	})
	acct := f.register(t, "lpse", "budi")
	f.enroll(t, acct)
	f.clock.Advance(30 * time.Second)
	f.pending(t, "lpse", "budi")
	assert.Positive(t, w.calls.Load(), "the decorator sees the calls")
}

// Each role a feature needs is named when missing; a feature turned off
// explicitly needs none.
func TestMissingRolesNamed(t *testing.T) {
	inner := memstore.New()
	base := func() auth.Config {
		return auth.Config{Store: &traced{Store: inner}, Hasher: &authtest.Hasher{}, Attempts: inner,
			Factors: inner, Recovery: inner, Devices: inner, Tokens: inner, Sessions: inner}
	}
	for _, tc := range []struct {
		role   string
		mutate func(*auth.Config)
	}{
		{"Recovery", func(c *auth.Config) { c.Recovery = nil }},
		{"Devices", func(c *auth.Config) { c.Devices = nil }},
		{"Tokens", func(c *auth.Config) { c.Tokens = nil }},
		{"Sessions", func(c *auth.Config) { c.Sessions = nil }},
		{"Tokens", func(c *auth.Config) {
			c.Tokens, c.Realm.SecondFactor.Requirement = nil, auth.SecondFactorOff
			c.Sender, c.Realm.Messages.PortalName = &notify.Outbox{}, "Uji"
		}},
		{"Factors", func(c *auth.Config) {
			// Off by default, on in one realm: that realm needs them.
			c.Factors, c.Realm.SecondFactor.Requirement = nil, auth.SecondFactorOff
			c.Realms = map[string]auth.Realm{"lpse": {}, "sapk": {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}}}
		}},
		{"Accounts", func(c *auth.Config) { c.Store = nil }},
	} {
		cfg := base()
		tc.mutate(&cfg)
		_, err := auth.New(cfg)
		var mr *auth.MissingRoleError
		require.ErrorAs(t, err, &mr, tc.role)
		assert.Equal(t, tc.role, mr.Role)
	}

	// Off is off: no factors, no devices, no tokens, no sessions needed.
	cfg := auth.Config{Store: &traced{Store: inner}, Hasher: &authtest.Hasher{}, Attempts: inner}
	cfg.Realm.SecondFactor.Requirement, cfg.SessionsOff = auth.SecondFactorOff, true
	a, err := auth.New(cfg)
	require.NoError(t, err)
	_, err = a.Sessions().Start(t.Context(), auth.StartSession{Account: store.Account{ID: "x", State: store.StateActive}})
	assert.ErrorIs(t, err, auth.ErrNotConfigured)
	// With second factors on, remembered devices alone may be turned off.
	cfg = base()
	cfg.Devices, cfg.Realm.SecondFactor.RememberFor = nil, -1
	_, err = auth.New(cfg)
	require.NoError(t, err)
	// Accounts, Credentials and Events may all be named, with no Store.
	_, err = auth.New(auth.Config{Accounts: inner, Credentials: inner, Events: inner, Attempts: inner,
		Hasher: &authtest.Hasher{}, SessionsOff: true, Realm: auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOff}}})
	require.NoError(t, err)
}

// nilChecker is a captcha checker whose methods have pointer receivers,
// so that a nil *nilChecker is a typed nil.
type nilChecker struct{}

func (*nilChecker) CheckCaptcha(context.Context, string, string, string, string) error { return nil }

// A typed nil (an interface holding a nil pointer) is refused by New,
// instead of panicking at first use or inside background work.
func TestTypedNilsRefused(t *testing.T) {
	for name, mutate := range map[string]func(*auth.Config){
		"Store":                 func(c *auth.Config) { c.Store = (*memstore.Store)(nil) },
		"Tokens":                func(c *auth.Config) { c.Tokens = (*redisstore.Store)(nil) },
		"Sessions":              func(c *auth.Config) { c.Sessions = (*redisstore.Store)(nil) },
		"Attempts":              func(c *auth.Config) { c.Attempts = (*redisstore.Store)(nil) },
		"Sender":                func(c *auth.Config) { c.Sender, c.Realm.Messages.PortalName = (*notify.Outbox)(nil), "Uji" },
		"Realm.Policy":          func(c *auth.Config) { c.Realm.Policy = (*password.Policy)(nil) },
		`Realms["lpse"].Policy`: func(c *auth.Config) { c.Realms = map[string]auth.Realm{"lpse": {Policy: (*password.Policy)(nil)}} },
		"Hasher":                func(c *auth.Config) { c.Hasher = (*password.Hasher)(nil) },
		"Captcha":               func(c *auth.Config) { c.Captcha = (*nilChecker)(nil) },
		"Factors":               func(c *auth.Config) { c.Factors = (*memstore.Store)(nil) },
	} {
		_, cfg := fixtureConfig([]func(*auth.Config){mutate})
		var err error
		require.NotPanics(t, func() { _, err = auth.New(cfg) }, name)
		require.ErrorIs(t, err, auth.ErrConfig, name)
		assert.Contains(t, err.Error(), "Config."+name, name)
	}
}

// A captcha checker built around no service is not a typed nil, and New
// takes it; it passes no answer, so a realm that asks for a captcha fails
// closed rather than letting every login through.
func TestCaptchaCheckerWithoutServiceFailsClosed(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		c.Captcha = captcha.Checker(nil)
		c.Realm.Captcha.Mode = auth.CaptchaAlways
	})
	f.register(t, "lpse", "budi")
	_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword,
		Captcha: auth.CaptchaAnswer{ID: "x", Flow: "f", Answer: "333333"}, Request: req})
	require.Error(t, err)
	assert.NotErrorIs(t, err, auth.ErrCaptchaInvalid, "a checker that cannot check is a failure, not a wrong answer")
}

// The lockout runs on Config.Now, the Authenticator's clock: a lock judged
// by another clock (the real one, or a frozen one) would end at the wrong
// time, or never. In v1 a host could pass a Guard with a clock of its own,
// which New made follow Config.Now; in v2 the realm's lockout is a Policy,
// and New builds its Guard on Config.Now and Config.Attempts.
func TestLockoutFollowsConfigClock(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.Attempts = memstore.New() })
	f.register(t, "lpse", "budi")
	for range 5 {
		_, err := f.login(t, "lpse", "budi", "salah sekali")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	_, err := f.login(t, "lpse", "budi", goodPassword)
	le := lockedErr(t, err)
	assert.Equal(t, f.clock.Now().Add(15*time.Minute), le.Until, "the lock's end by Config.Now")
	f.clock.Advance(16 * time.Minute)
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err, "the lock ends by the Authenticator's clock")
}

// panickySender panics, as a host's buggy sender might.
type panickySender struct{}

func (panickySender) Send(context.Context, notify.Message) error { panic("sender bug") }

// A panic in background work is recovered, logged and counted; the
// process goes on and the Authenticator keeps working.
func TestBackgroundPanicRecovered(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, withLinks, func(c *auth.Config) {
		c.Sender, c.Realm.Messages.PortalName = panickySender{}, "Uji"
		c.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	})
	f.register(t, "lpse", "budi")
	_, err := f.auth.Accounts().RequestReset(t.Context(), auth.ResetRequest{Realm: "lpse", Identifier: "budi", Request: req})
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	st := f.auth.Background()
	assert.Equal(t, int64(1), st.Panicked)
	assert.Zero(t, st.Running)
	assert.Contains(t, logs.String(), "background work panicked")
	assert.Contains(t, logs.String(), "sender bug")
	// Still working.
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
}

// Disable ends the sessions of the account on every composition that has
// sessions; a composition without them is refused by New, not skipped at
// Disable.
func TestDisableNeverSkipsSessions(t *testing.T) {
	inner := memstore.New()
	type (
		factors  interface{ store.Factors }
		devices  interface{ store.Devices }
		recovery interface{ store.Recovery }
	)
	noSessions := struct {
		store.Store
		store.Attempts
		store.Tokens
		factors
		recovery
		devices
	}{inner, inner, inner, inner, inner, inner}
	_, err := auth.New(auth.Config{Store: noSessions, Hasher: &authtest.Hasher{}})
	var mr *auth.MissingRoleError
	require.ErrorAs(t, err, &mr)
	assert.Equal(t, "Sessions", mr.Role)
	require.False(t, errors.Is(err, auth.ErrNotConfigured))
}

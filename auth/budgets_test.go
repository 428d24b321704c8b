package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// Malformed usernames cost no hash, but count as failures of the client
// address: a flood of them locks the address, and once locked they stop
// writing an event each (200,000 of them used to grow the log for good).
func TestMalformedLoginsThrottledPerAddress(t *testing.T) {
	f := newFixture(t)
	before := len(f.events(t, "lpse"))
	locked := 0
	for i := range 1000 {
		_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: fmt.Sprintf("bad\x00name%d", i), Password: "x",
			Request: auth.Request{ClientAddr: "198.51.100.7"}})
		switch {
		case errors.Is(err, lockout.ErrLocked):
			locked++
		default:
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		}
	}
	assert.Zero(t, f.hasher.Verifies(), "no hash for a name no account can have")
	assert.Equal(t, 950, locked, "the address's 50 failures lock it")
	evs := len(f.events(t, "lpse")) - before
	assert.LessOrEqual(t, evs, 60, "a locked address's refusals write no event each")
	// Another address still logs in.
	f.register(t, "lpse", "budi")
	_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Request: auth.Request{ClientAddr: "203.0.113.50"}})
	require.NoError(t, err)
}

// A 10,000-character company name is refused before any hash, with a
// typed error that names the field.
func TestLongFieldsRefusedBeforeHash(t *testing.T) {
	f := newFixture(t)
	for name, p := range map[string]map[string]string{
		"profile.company": {"company": strings.Repeat("PT Maju ", 1250)},
		"profile":         manyFields(store.MaxProfileFields + 1),
	} {
		_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: goodPassword, Profile: p})
		var fe *auth.FieldError
		require.ErrorAs(t, err, &fe, name)
		require.ErrorIs(t, err, auth.ErrInvalidField)
		assert.Equal(t, name, fe.Field)
		assert.NotEmpty(t, fe.Message("id"))
		assert.NotEmpty(t, fe.Message("en"))
	}
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword, Profile: map[string]string{"company": "PT\x00"}})
	require.ErrorIs(t, err, auth.ErrInvalidField)
	assert.Zero(t, f.hasher.Hashes()-1, "only New's stand-in hash ran")
}

// Issue 17, defect 13: a name or company that holds a control character
// or a bidirectional override reorders, hides or breaks what operators
// read of it (U+202E shows what follows it reversed). Such values are
// refused with a FieldError that names the field and never the value;
// scripts' own characters, emoji and the joiners they need are not.
func TestProfileRefusesHiddenCharacters(t *testing.T) {
	f := newFixture(t)
	for i, v := range []string{
		"PT Maju\u202Eaidnoken", "PT\u202DMaju", "Budi\u2066 \u2069", "Budi\u200F", "Bu\u200Bdi", "PT\tMaju", "PT\nMaju",
		"PT\rMaju", "Budi\x1b[31m", "\uFEFFBudi", "Budi\u2028Santoso", "Budi\u00ADSantoso", "Budi\x7f", "Budi\u0085", "Budi\uFFFE", "Budi\uFDD0",
	} {
		_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: fmt.Sprintf("budi%d", i), Password: goodPassword, Profile: map[string]string{"name": v}})
		var fe *auth.FieldError
		require.ErrorAs(t, err, &fe, "%q", v)
		assert.Equal(t, "profile.name", fe.Field)
		assert.NotContains(t, err.Error(), v)
	}
	for i, v := range []string{"Budi Santoso", "PT Maju Jaya (Persero) Tbk.", "\u0645\u062d\u0645\u062f", "Nguy\u1ec5n Th\u1ecb Minh Khai", "\U0001F468\u200D\U0001F469\u200D\U0001F467", "\u0915\u094d\u200D\u0937", "\u062f\u064a\u200C\u0633"} {
		_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: fmt.Sprintf("ok%d", i), Password: goodPassword, Profile: map[string]string{"name": v}})
		require.NoError(t, err, "%q", v)
	}
}

func manyFields(n int) map[string]string {
	m := make(map[string]string, n)
	for i := range n {
		m[fmt.Sprintf("f%d", i)] = "x"
	}
	return m
}

// Registration has budgets per client address, username and email,
// checked before any hash: one client at 48 parallel requests used to make
// every login answer "busy".
func TestRegistrationBudgets(t *testing.T) {
	f := newFixture(t)
	var ok, throttled atomic.Int32
	var wg sync.WaitGroup
	for i := range 48 {
		wg.Go(func() {
			_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: fmt.Sprintf("user%d", i),
				Email: fmt.Sprintf("user%d@example.id", i), Password: goodPassword, Request: auth.Request{ClientAddr: "198.51.100.7"}})
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, lockout.ErrThrottled):
				throttled.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(20), ok.Load(), "20 an hour from one address")
	assert.Equal(t, int32(28), throttled.Load())
	assert.Equal(t, int64(1+20), f.hasher.Hashes(), "no hash for a throttled registration")

	// One username, and one email, from many addresses.
	for i := range 8 {
		_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "sasaran", Password: goodPassword,
			Request: auth.Request{ClientAddr: fmt.Sprintf("203.0.113.%d", i)}})
		if i < 5 {
			require.True(t, err == nil || errors.Is(err, auth.ErrAccountExists), "%v", err)
		} else {
			require.ErrorIs(t, err, lockout.ErrThrottled, "5 an hour for one username")
		}
	}
	for i := range 8 {
		_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: fmt.Sprintf("lain%d", i), Email: "sasaran@example.id",
			Password: goodPassword, Request: auth.Request{ClientAddr: fmt.Sprintf("192.0.2.%d", i)}})
		if i < 5 {
			require.True(t, err == nil || errors.Is(err, auth.ErrAccountExists), "%v", err)
		} else {
			require.ErrorIs(t, err, lockout.ErrThrottled, "5 an hour for one email")
		}
	}
}

// A realm may ask for a captcha at every registration.
func TestRegistrationCaptcha(t *testing.T) {
	f, svc := captchaFixture(t, map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaNever, Registration: true}}})
	reg := auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword, Request: req}
	_, err := f.auth.Accounts().Register(t.Context(), reg)
	require.ErrorIs(t, err, auth.ErrCaptchaRequired)
	reg.Captcha = auth.CaptchaAnswer{ID: "nope", Flow: "register", Answer: "WRONG"}
	_, err = f.auth.Accounts().Register(t.Context(), reg)
	require.ErrorIs(t, err, auth.ErrCaptchaInvalid)
	assert.Zero(t, f.hasher.Hashes()-1)
	is, err := svc.Issue(t.Context(), "register", req.ClientAddr)
	require.NoError(t, err)
	reg.Captcha = auth.CaptchaAnswer{ID: is.ID, Flow: "register", Answer: "333333"}
	_, err = f.auth.Accounts().Register(t.Context(), reg)
	require.NoError(t, err)

	// A realm that asks for one needs a checker.
	_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Registration: true}}}
	}})
	_, err = auth.New(cfg)
	require.ErrorIs(t, err, auth.ErrConfig)
}

// Whoever registers again and again with a stranger's address sends the
// stranger at most one "account exists" notice a day: it used to be 1,096
// emails in 6 seconds.
func TestAccountExistsNoticeOncePerDay(t *testing.T) {
	f := newMFAFixture(t, withLinks, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{"lpse": {Activation: auth.ActivationPolicy{Mode: auth.ActivationLink}}}
	})
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "korban", Email: "korban@example.id", Password: goodPassword})
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	sent := f.outbox.Len()
	// Four more tries: the email's own limit (5 an hour) ends the rest.
	for i := range 4 {
		acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: fmt.Sprintf("peniru%d", i), Email: "korban@example.id", Password: goodPassword,
			Request: auth.Request{ClientAddr: fmt.Sprintf("203.0.113.%d", i)}}))
		require.NoError(t, err, "the same answer as a new registration")
		assert.Zero(t, acct.ID)
	}
	require.NoError(t, f.auth.Close())
	assert.Equal(t, sent+1, f.outbox.Len(), "one notice")
	f.clock.Advance(24 * time.Hour)
	_, err = f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "peniru99", Email: "korban@example.id", Password: goodPassword, Request: req})
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	assert.Equal(t, sent+2, f.outbox.Len(), "and another the next day")
	assert.Equal(t, notify.AccountExists, f.lastMessage(t, "korban@example.id").Purpose)
}

// A lockout store that fails lets no login through.
func TestFailingLockoutStoreDenies(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "budi")
	a, err := auth.New(auth.Config{Store: f.store, Attempts: failingAttempts{}, Hasher: f.hasher})
	require.NoError(t, err)
	res, err := a.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Request: req})
	require.Error(t, err)
	assert.Nil(t, res)
	assert.NotErrorIs(t, err, auth.ErrInvalidCredentials)
}

type failingAttempts struct{ store.Attempts }

func (failingAttempts) TakeAttempt(context.Context, time.Time, []store.AttemptKey) (store.Take, error) {
	return store.Take{}, errors.New("attempts store down")
}

// An account that never confirms its address holds its username and email
// for 7 days only: a registration after that takes its place. Before, the
// squatter keeps them.
func TestUnconfirmedAccountsExpire(t *testing.T) {
	f := newMFAFixture(t, withLinks, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{"lpse": {Activation: auth.ActivationPolicy{Mode: auth.ActivationLink}}}
	})
	squat, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "198609262015051001", Email: "pns@example.go.id", Password: goodPassword}))
	require.NoError(t, err)
	require.NotEmpty(t, squat.ID)

	require.NoError(t, f.auth.Close()) // the activation sent in the background reads the clock
	f.clock.Advance(7*24*time.Hour - time.Minute)
	again, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "198609262015051001", Email: "lain@example.go.id", Password: goodPassword, Request: req}))
	require.NoError(t, err)
	assert.Empty(t, again.ID, "still held")

	require.NoError(t, f.auth.Close())
	f.clock.Advance(2 * time.Minute)
	// The expired account gets no new activation.
	_, err = f.auth.Accounts().ResendActivation(t.Context(), auth.ActivationRequest{Realm: "lpse", Identifier: "pns@example.go.id", Request: req})
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	sent := f.outbox.Len()
	owner, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "198609262015051001", Email: "pns@example.go.id", Password: goodPassword, Request: req}))
	require.NoError(t, err)
	require.NotEmpty(t, owner.ID, "the expired registration freed the username and email")
	assert.NotEqual(t, squat.ID, owner.ID)
	_, err = f.store.AccountByID(t.Context(), squat.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	assert.Equal(t, squat.ID, f.lastEvent(t, "lpse", auth.EventExpired).AccountID)
	require.NoError(t, f.auth.Close())
	assert.Equal(t, sent+1, f.outbox.Len(), "the new owner's activation")
}

// The activity log keeps events for Config.EventRetention and prunes older
// ones as new ones are written; a host may prune by hand too.
func TestEventRetention(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.EventRetention = 31 * 24 * time.Hour })
	f.register(t, "lpse", "budi")
	for range 10 {
		_, err := f.login(t, "lpse", "budi", goodPassword)
		require.NoError(t, err)
	}
	old := len(f.events(t, "lpse"))
	require.Equal(t, 11, old)
	f.clock.Advance(32 * 24 * time.Hour)
	// 1,024 more events trigger a pruning in the background.
	for range 1024 {
		_, err := f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Request: req})
		require.NoError(t, err)
	}
	evs := f.events(t, "lpse")
	for _, e := range evs {
		require.True(t, e.Time.After(f.clock.Now().Add(-31*24*time.Hour)), "an event older than the retention survived")
	}
	n, err := f.auth.PruneEvents(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n, "the background pruning left nothing to prune")

	for _, r := range []time.Duration{time.Hour, 29 * 24 * time.Hour} {
		_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) { c.EventRetention = r }})
		_, err := auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig)
	}
}

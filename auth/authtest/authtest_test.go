package authtest_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/totp"
)

// fatalT records the first Fatalf and stops the helper that called it, as
// testing.T's FailNow does.
type fatalT struct{ msg string }

func (*fatalT) Helper()        {}
func (*fatalT) Cleanup(func()) {}
func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f)
}

func fatal(fn func(t authtest.TB)) (msg string) {
	ft := &fatalT{}
	defer func() {
		if r := recover(); r != nil && r != ft {
			panic(r)
		}
		msg = ft.msg
	}()
	fn(ft)
	return ""
}

func TestClockConcurrent(t *testing.T) {
	c := authtest.NewClock(authtest.Start)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() { c.Advance(time.Second); _ = c.Now() })
	}
	wg.Wait()
	assert.Equal(t, authtest.Start.Add(100*time.Second), c.Now())
	c.Set(authtest.Start)
	assert.Equal(t, authtest.Start, c.Now())
}

func TestRandDeterministic(t *testing.T) {
	a, b, c := make([]byte, 64), make([]byte, 64), make([]byte, 64)
	_, _ = authtest.NewRand(7).Read(a)
	_, _ = authtest.NewRand(7).Read(b)
	_, _ = authtest.NewRand(8).Read(c)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, c)
}

func TestHasher(t *testing.T) {
	ctx := context.Background()
	h := &authtest.Hasher{}
	enc, err := h.Hash(ctx, "sandi")
	require.NoError(t, err)
	assert.Contains(t, enc, authtest.Prefix+"1$")
	v, err := h.Verify(ctx, "sandi", enc)
	require.NoError(t, err)
	assert.False(t, v.NeedsRehash)
	_, err = h.Verify(ctx, "Sandi", enc)
	require.ErrorIs(t, err, password.ErrMismatch)
	for _, bad := range []string{"", "sandi", "$authtest$", "$authtest$1", "$authtest$$ab", "$fake$1$ab", "$authtest$1$ab$cd"} {
		_, err = h.Verify(ctx, "sandi", bad)
		require.ErrorIs(t, err, password.ErrMalformed, "%q", bad)
	}
	_, err = h.Hash(ctx, string(make([]byte, 4097)))
	require.ErrorIs(t, err, password.ErrTooLong)
	assert.Equal(t, int64(1), h.Hashes())
	assert.Equal(t, int64(2), h.Verifies())

	old, err := (&authtest.Hasher{Version: "0"}).Hash(ctx, "sandi")
	require.NoError(t, err)
	v, err = h.Verify(ctx, "sandi", old)
	require.NoError(t, err)
	assert.True(t, v.NeedsRehash)
}

func TestNewFillsOnlyWhatIsUnset(t *testing.T) {
	k := authtest.New(t, auth.Config{})
	assert.NotNil(t, k.Clock)
	assert.NotNil(t, k.Hasher)
	assert.NotNil(t, k.Outbox)
	assert.NotNil(t, k.Rand)
	assert.Nil(t, k.Captcha, "no realm asks for a captcha")
	assert.Equal(t, authtest.Start, k.Now())

	mem := memstore.New()
	h := &authtest.Hasher{Version: "2"}
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return start }
	k = authtest.New(t, auth.Config{Store: mem, Hasher: h, Now: now})
	assert.Same(t, mem, k.Store)
	assert.Nil(t, k.Hasher)
	assert.Nil(t, k.Clock)
	assert.Equal(t, start, k.Now())
	assert.Contains(t, fatal(func(t authtest.TB) { k.Advance(t, time.Second) }), "Config.Now")

	k = authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"lpse": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways}}}})
	assert.NotNil(t, k.Captcha)
}

// TestNewRefusals: New fails the test on a configuration auth.New refuses,
// the portal's lockout policy included (v1 had a Kit option for it; the
// policy now lives in the realm, so a weak one is refused there, in the
// defaults or in one realm), and on two captchas.
func TestNewRefusals(t *testing.T) {
	weak := lockout.Policy{Account: lockout.Rule{Threshold: 500, Window: time.Minute, Lock: time.Minute}}
	for name, fn := range map[string]func(t authtest.TB){
		"weak lockout": func(t authtest.TB) {
			authtest.New(t, auth.Config{Realm: auth.Realm{Lockout: weak}})
		},
		"weak lockout in a realm": func(t authtest.TB) {
			authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"lpse": {Lockout: weak}}})
		},
		"two captchas": func(t authtest.TB) {
			authtest.New(t, auth.Config{Captcha: captcha.HostedChecker(nil)}, authtest.WithCaptcha(captchaConfig))
		},
		"bad realm": func(t authtest.TB) {
			authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"LPSE Pusat": {}}})
		},
	} {
		assert.NotEmpty(t, fatal(fn), name)
	}
}

func TestHelpersFailTheTest(t *testing.T) {
	k := authtest.New(t, auth.Config{})
	_, err := k.Auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari"})
	require.NoError(t, err)
	assert.Contains(t, fatal(func(t authtest.TB) { k.LastMessage(t, "nobody@example.id") }), "no message")
	assert.Contains(t, fatal(func(t authtest.TB) { k.SolveCaptcha(t, "f", "203.0.113.9") }), "no captcha")
	// The sixth failure is a lock, not a wrong password.
	assert.Contains(t, fatal(func(t authtest.TB) { k.FailLogins(t, "lpse", "budi", "203.0.113.9", 6) }), "attempt 6 of 6")
}

// TestFailLoginsSolvesCaptchas: past the captcha threshold the failures
// still reach the password check, so they lock the account.
func TestFailLoginsSolvesCaptchas(t *testing.T) {
	k := authtest.New(t, auth.Config{}, authtest.WithCaptcha(captchaConfig))
	require.NotNil(t, k.Captcha)
	k.FailLogins(t, "lpse", "nobody", "203.0.113.9", 5)
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "helpdesk", Realms: []string{"lpse"}})
	require.NoError(t, err)
	st, err := op.LockStatus(t.Context(), auth.LockQuery{Realm: "lpse", Username: "nobody"})
	require.NoError(t, err)
	assert.True(t, st.Locked())
	// The answer is the generator's, in the host's alphabet and length.
	ans := k.SolveCaptcha(t, "f", "203.0.113.9")
	assert.Len(t, ans.Answer, 5)
	require.NoError(t, k.Captcha.Verify(t.Context(), ans.ID, "f", ans.Answer))
	require.Error(t, k.Captcha.Verify(t.Context(), ans.ID, "f", ans.Answer), "used once")
}

var captchaConfig = captcha.Config{Length: 5, Alphabet: captcha.DigitsLetters}

// TestCodeRealms: a realm that resets or activates by code builds with the
// defaults, and New refuses one whose codes would be too easy to guess,
// counting the defaults it filled in. (auth.New once ran that check on the
// realm as it was before its defaults were filled: the zero windows of a
// realm that left its rates to the defaults divided by zero, and a realm
// that set its rates was checked with zero attempts, so never refused.)
func TestCodeRealms(t *testing.T) {
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{
		"sapk": {Reset: auth.ResetPolicy{Delivery: auth.ByCode}},
		"lpse": {Activation: auth.ActivationPolicy{Mode: auth.ActivationCode}},
	}})
	require.NotNil(t, k.Auth)

	day := 24 * time.Hour
	for name, r := range map[string]auth.Realm{
		// 2 × (30 × 3 + 10 × 3) / 10⁶ with six-digit codes everywhere.
		"reset codes": {Reset: auth.ResetPolicy{Delivery: auth.ByCode, NewNetworkCodeDigits: 6,
			PerAccount: lockout.Rate{Requests: 30, Window: day}, PerAccountKnown: lockout.Rate{Requests: 10, Window: day}}},
		// (2 × 40 + 1) × 3 / 10⁶.
		"activation codes": {Activation: auth.ActivationPolicy{Mode: auth.ActivationCode,
			PerAccount: lockout.Rate{Requests: 40, Window: day}}},
	} {
		msg := fatal(func(t authtest.TB) { authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"sapk": r}}) })
		assert.Contains(t, msg, "1 in 10,000", name)
	}
}

// TestTOTPOfARealm: EnrollTOTP and TOTPCode compute an app's codes with
// the parameters of the account's realm, which may be its own: here eight
// digits in one realm, the default six in the other.
func TestTOTPOfARealm(t *testing.T) {
	const pass = "kopi tubruk di pagi hari"
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{
		"bpjs": {SecondFactor: auth.SecondFactorPolicy{TOTP: totp.Params{Digits: 8, Algorithm: totp.SHA256}}},
		"lpse": {},
	}})
	for realm, digits := range map[string]int{"bpjs": 8, "lpse": 6} {
		reg, err := k.Auth.Accounts().Register(t.Context(), auth.Registration{Realm: realm, Username: "budi", Password: pass})
		require.NoError(t, err)
		secret, recovery := k.EnrollTOTP(t, reg.Account.ID, pass)
		assert.Len(t, recovery, 10)
		k.Advance(t, 30*time.Second)

		_, err = k.Auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: realm, Username: "budi", Password: pass})
		var sfr *auth.SecondFactorRequired
		require.ErrorAs(t, err, &sfr, realm)
		code := k.TOTPCode(t, secret)
		assert.Len(t, code, digits, realm)
		_, err = k.Auth.Logins().SecondStep(t.Context(), auth.SecondStepRequest{Realm: realm, Pending: sfr.Pending, Method: auth.MethodTOTP, Code: code})
		require.NoError(t, err, realm)
	}
}

// TestKitPasskeys: the kit adds a passkey with the password, answers a
// second step with it, and logs in with it alone.
func TestKitPasskeys(t *testing.T) {
	k := authtest.New(t, auth.Config{Realm: auth.Realm{
		Messages: auth.Messages{PortalName: "SAPK Uji"},
		Passkeys: auth.PasskeyPolicy{RPID: "sapk.example.go.id", Origins: []string{"https://sapk.example.go.id"}, Passwordless: true},
	}})
	reg, err := k.Auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: "siti", Password: "kopi tubruk di pagi hari"})
	require.NoError(t, err)
	key := authtest.NewSoftAuthenticator("https://sapk.example.go.id")
	id := k.AddPasskey(t, reg.Account.ID, "kopi tubruk di pagi hari", key)
	assert.NotEmpty(t, id)

	_, err = k.Auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: "sapk", Username: "siti", Password: "kopi tubruk di pagi hari"})
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr)
	res, err := k.Auth.Logins().SecondStep(t.Context(), auth.SecondStepRequest{Realm: "sapk", Pending: sfr.Pending,
		Method: auth.MethodPasskey, Code: k.PasskeyAnswer(t, "sapk", sfr.Pending, key)})
	require.NoError(t, err)
	assert.Equal(t, "siti", res.Account.Username)

	res, err = k.PasskeyLogin(t, "sapk", "203.0.113.9", key)
	require.NoError(t, err)
	assert.Equal(t, "siti", res.Account.Username)
	other, err := k.Auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari"})
	require.NoError(t, err)
	key2 := authtest.NewSoftAuthenticator("https://sapk.example.go.id")
	k.AddPasskey(t, other.Account.ID, "kopi tubruk di pagi hari", key2)
	_, err = k.PasskeyLogin(t, "sapk", "203.0.113.9", key2)
	require.ErrorIs(t, err, auth.ErrPasskeyRefused, "another realm's passkey")
}

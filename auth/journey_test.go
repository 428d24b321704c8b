package auth_test

import (
	"encoding/base32"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// TestSecondFactorJourneyOnEveryBackend is what issue 7 is done by: a user
// enrolls an authenticator app by its QR code's URI, logs in with password
// then app code, falls back to an emailed code and to a recovery code, and
// remembers a device, on memstore, SQLite, PostgreSQL, and PostgreSQL with
// the tokens in Redis.
func TestSecondFactorJourneyOnEveryBackend(t *testing.T) {
	for _, b := range everyBackend() {
		t.Run(b.name, func(t *testing.T) {
			st, hot := b.open(t)
			journey(t, st, tokensOf(hot))
		})
	}
}

func journey(t *testing.T, st store.Store, tokens store.Tokens) {
	clock := authtest.NewClock(time.Now().Truncate(time.Second))
	ring, err := totp.NewKeyring("2026-11", map[string][]byte{"2026-11": []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	ob := &notify.Outbox{}
	a, err := auth.New(auth.Config{
		Store: st, Tokens: tokens, Hasher: &authtest.Hasher{}, Sender: ob, Keyring: ring,
		Now: clock.Now,
		Realm: auth.Realm{
			Messages:     auth.Messages{PortalName: "LPSE Uji"},
			SecondFactor: auth.SecondFactorPolicy{EmailFallback: true},
		},
	})
	require.NoError(t, err)
	ctx := t.Context()
	acct, err := accountOf(a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: goodPassword}))
	require.NoError(t, err)

	// Enroll by the QR code's URI, as an app would read it.
	e, err := a.Factors().BeginTOTP(ctx, auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Label: "HP"})
	require.NoError(t, err)
	u, err := url.Parse(e.URI)
	require.NoError(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	require.NoError(t, err)
	app := func() string {
		c, err := totp.Params{}.Code(secret, clock.Now())
		require.NoError(t, err)
		return c
	}
	enrolled, err := a.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: acct.ID, FactorID: e.FactorID, Code: app()})
	require.NoError(t, err)
	require.Len(t, enrolled.RecoveryCodes, 10)

	pending := func() *auth.SecondFactorRequired {
		_, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword})
		var sfr *auth.SecondFactorRequired
		require.ErrorAs(t, err, &sfr)
		return sfr
	}
	verify := func(p string, m auth.Method, code string, remember bool) (*auth.LoginResult, error) {
		return a.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "lpse", Pending: p, Method: m, Code: code, Remember: remember})
	}

	// Password, then the app; the enrollment's code is spent.
	p := pending()
	assert.Equal(t, []auth.Method{auth.MethodTOTP, auth.MethodEmail, auth.MethodRecovery}, p.Methods)
	_, err = verify(p.Pending, auth.MethodTOTP, app(), false)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	clock.Advance(30 * time.Second)
	res, err := verify(p.Pending, auth.MethodTOTP, app(), false)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)
	_, err = verify(p.Pending, auth.MethodTOTP, app(), false)
	require.ErrorIs(t, err, auth.ErrNoPendingLogin)

	// Fall back to a code by email.
	p = pending()
	_, err = a.Logins().SendCode(ctx, auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodEmail})
	require.NoError(t, err)
	m, ok := ob.Last("budi@example.id")
	require.True(t, ok)
	code, ok := notify.ExtractCode(m)
	require.True(t, ok)
	_, err = verify(p.Pending, auth.MethodEmail, code, false)
	require.NoError(t, err)
	p = pending()
	_, err = verify(p.Pending, auth.MethodEmail, code, false)
	require.ErrorIs(t, err, auth.ErrInvalidCode, "an emailed code works once")

	// Fall back to a recovery code, and remember the device.
	res, err = verify(p.Pending, auth.MethodRecovery, enrolled.RecoveryCodes[3], true)
	require.NoError(t, err)
	require.NotNil(t, res.Device)
	sum, err := a.Factors().Summary(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, 9, sum.RecoveryCodes)
	require.Len(t, sum.Devices, 1)

	// The remembered device skips the second step.
	_, err = a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Device: res.Device.Token})
	require.NoError(t, err)
	require.NoError(t, a.Factors().ForgetDevice(ctx, auth.DeviceForget{AccountID: acct.ID}))
	_, err = a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Device: res.Device.Token})
	require.ErrorIs(t, err, auth.ErrSecondFactorRequired)
}

// TestSessionsOnEveryBackend is issue 9's proof on each backend: a session
// loads, survives its idle timeout while used, ends when idle, ends at the
// very next load after a password change, and is listed and revoked.
func TestSessionsOnEveryBackend(t *testing.T) {
	for _, b := range everyBackend() {
		t.Run(b.name, func(t *testing.T) {
			st, hot := b.open(t)
			ss := sessionsOf(hot)
			clock := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
			a, err := auth.New(auth.Config{Store: st, Sessions: ss, Hasher: &authtest.Hasher{}, Now: clock.Now})
			require.NoError(t, err)
			ctx := t.Context()
			acct, err := accountOf(a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword}))
			require.NoError(t, err)
			r := auth.Request{ClientAddr: "203.0.113.9", UserAgent: "Firefox"}
			s1, err := a.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: r})
			require.NoError(t, err)
			s2, err := a.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: "198.51.100.4", UserAgent: "Chrome"}})
			require.NoError(t, err)

			for range 3 {
				clock.Advance(20 * time.Minute)
				p, err := a.Sessions().Load(ctx, s1.Token)
				require.NoError(t, err)
				assert.Equal(t, acct.ID, p.AccountID)
			}
			_, err = a.Sessions().Load(ctx, s2.Token)
			require.ErrorIs(t, err, auth.ErrNoSession, "idle for an hour")

			list, err := a.Sessions().List(ctx, auth.SessionQuery{AccountID: acct.ID, Current: s1.ID})
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.True(t, list[0].Current)
			assert.Equal(t, "Firefox", list[0].UserAgent)

			require.NoError(t, a.Accounts().ChangePassword(ctx, auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "teh manis hangat sekali"}))
			_, err = a.Sessions().Load(ctx, s1.Token)
			require.ErrorIs(t, err, auth.ErrNoSession, "the very next load after a password change")

			acct, err = a.Accounts().Get(ctx, acct.ID)
			require.NoError(t, err)
			s3, err := a.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: r})
			require.NoError(t, err)
			require.NoError(t, a.Sessions().Revoke(ctx, auth.Revocation{AccountID: acct.ID, SessionID: s3.ID, Request: r}))
			_, err = a.Sessions().Load(ctx, s3.Token)
			require.ErrorIs(t, err, auth.ErrNoSession)
		})
	}
}

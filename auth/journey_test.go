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
	now := time.Now().Truncate(time.Second)
	ring, err := totp.NewKeyring("2026-11", map[string][]byte{"2026-11": []byte("0123456789abcdef0123456789abcdef")})
	require.NoError(t, err)
	ob := &notify.Outbox{}
	a, err := auth.New(auth.Config{
		Store: st, Tokens: tokens, Hasher: &authtest.Hasher{}, Sender: ob,
		Now:          func() time.Time { return now },
		Messages:     auth.Messages{PortalName: "LPSE Uji"},
		SecondFactor: auth.SecondFactorConfig{Keyring: ring, EmailFallback: true},
	})
	require.NoError(t, err)
	ctx := t.Context()
	acct, err := accountOf(a.Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: goodPassword}))
	require.NoError(t, err)

	// Enroll by the QR code's URI, as an app would read it.
	e, err := a.BeginTOTP(ctx, auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Label: "HP"})
	require.NoError(t, err)
	u, err := url.Parse(e.URI)
	require.NoError(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	require.NoError(t, err)
	app := func() string {
		c, err := totp.Params{}.Code(secret, now)
		require.NoError(t, err)
		return c
	}
	enrolled, err := a.ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: acct.ID, FactorID: e.FactorID, Code: app()})
	require.NoError(t, err)
	require.Len(t, enrolled.RecoveryCodes, 10)

	pending := func() *auth.SecondFactorRequired {
		_, err := a.Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword})
		var sfr *auth.SecondFactorRequired
		require.ErrorAs(t, err, &sfr)
		return sfr
	}
	verify := func(p string, m auth.Method, code string, remember bool) (*auth.LoginResult, error) {
		return a.VerifySecondFactor(ctx, auth.SecondFactorRequest{Realm: "lpse", Pending: p, Method: m, Code: code, Remember: remember})
	}

	// Password, then the app; the enrollment's code is spent.
	p := pending()
	assert.Equal(t, []auth.Method{auth.MethodTOTP, auth.MethodEmail, auth.MethodRecovery}, p.Methods)
	_, err = verify(p.Pending, auth.MethodTOTP, app(), false)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	now = now.Add(30 * time.Second)
	res, err := verify(p.Pending, auth.MethodTOTP, app(), false)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)
	_, err = verify(p.Pending, auth.MethodTOTP, app(), false)
	require.ErrorIs(t, err, auth.ErrNoPendingLogin)

	// Fall back to a code by email.
	p = pending()
	_, err = a.SendCode(ctx, auth.SendCodeRequest{Realm: "lpse", Pending: p.Pending, Method: auth.MethodEmail})
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
	sum, err := a.Factors(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, 9, sum.RecoveryCodes)
	require.Len(t, sum.Devices, 1)

	// The remembered device skips the second step.
	_, err = a.Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Device: res.Device.Token})
	require.NoError(t, err)
	require.NoError(t, a.ForgetDevice(ctx, acct.ID, "", auth.Request{}))
	_, err = a.Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword, Device: res.Device.Token})
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
			now := time.Now().UTC().Truncate(time.Second)
			a, err := auth.New(auth.Config{Store: st, Sessions: ss, Hasher: &authtest.Hasher{}, Now: func() time.Time { return now }})
			require.NoError(t, err)
			ctx := t.Context()
			acct, err := accountOf(a.Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword}))
			require.NoError(t, err)
			r := auth.Request{ClientAddr: "203.0.113.9", UserAgent: "Firefox"}
			s1, err := a.StartSession(ctx, acct, r)
			require.NoError(t, err)
			s2, err := a.StartSession(ctx, acct, auth.Request{ClientAddr: "198.51.100.4", UserAgent: "Chrome"})
			require.NoError(t, err)

			for range 3 {
				now = now.Add(20 * time.Minute)
				p, err := a.LoadSession(ctx, s1.Token)
				require.NoError(t, err)
				assert.Equal(t, acct.ID, p.AccountID)
			}
			_, err = a.LoadSession(ctx, s2.Token)
			require.ErrorIs(t, err, auth.ErrNoSession, "idle for an hour")

			list, err := a.Sessions(ctx, acct.ID, s1.ID)
			require.NoError(t, err)
			require.Len(t, list, 1)
			assert.True(t, list[0].Current)
			assert.Equal(t, "Firefox", list[0].UserAgent)

			require.NoError(t, a.ChangePassword(ctx, auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "teh manis hangat sekali"}))
			_, err = a.LoadSession(ctx, s1.Token)
			require.ErrorIs(t, err, auth.ErrNoSession, "the very next load after a password change")

			acct, err = st.AccountByID(ctx, acct.ID)
			require.NoError(t, err)
			s3, err := a.StartSession(ctx, acct, r)
			require.NoError(t, err)
			require.NoError(t, a.RevokeSession(ctx, acct.ID, s3.ID, r))
			_, err = a.LoadSession(ctx, s3.Token)
			require.ErrorIs(t, err, auth.ErrNoSession)
		})
	}
}

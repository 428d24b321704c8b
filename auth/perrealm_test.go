package auth_test

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/totp"
)

// Two portals on one Authenticator, set apart in every flow: what each
// realm sets is its own, and what it leaves zero comes from Config.Realm.
const (
	prLPSE = "lpse" // links, approval, 3 failures lock for 20 minutes
	prSAPK = "sapk" // codes, MySAPK passwords, locks until unlocked, 2FA required
	// prAddr is the client address of the tests' requests.
	prAddr = "203.0.113.40"
	// prPassword passes both realms' password policies.
	prPassword = "Sandi-Kuat-2026!x"
)

func prTwoPortals(t *testing.T) *authtest.Kit {
	t.Helper()
	sapkPolicy, err := password.NewPolicy(password.PolicyConfig{Composition: password.CompositionMySAPK})
	require.NoError(t, err)
	return authtest.New(t, auth.Config{
		// Defaults of both: one reset lifetime, a generic name, a
		// per-address reset limit.
		Realm: auth.Realm{
			Messages: auth.Messages{PortalName: "Portal Induk"},
			Links:    auth.Links{Reset: "https://induk.example.go.id/reset", Login: "https://induk.example.go.id/"},
			Reset:    auth.ResetPolicy{LinkFor: 2 * time.Hour, CodeFor: 20 * time.Minute},
		},
		Realms: map[string]auth.Realm{
			prLPSE: {
				Messages: auth.Messages{PortalName: "LPSE Kemenkeu"},
				Links: auth.Links{
					Reset:    "https://lpse.example.go.id/atur-sandi",
					Activate: "https://lpse.example.go.id/aktivasi",
				},
				Lockout:      lockout.Policy{Account: lockout.Rule{Threshold: 3, Lock: 20 * time.Minute}},
				Registration: auth.RegistrationPolicy{Approval: true},
				Activation:   auth.ActivationPolicy{Mode: auth.ActivationLink},
				Session:      auth.SessionPolicy{IdleTimeout: 10 * time.Minute},
				SecondFactor: auth.SecondFactorPolicy{Issuer: "LPSE Kemenkeu"},
			},
			prSAPK: {
				Messages:     auth.Messages{PortalName: "MySAPK"},
				Policy:       sapkPolicy,
				Lockout:      lockout.Policy{Account: lockout.Rule{Threshold: 3, UntilUnlocked: true}},
				Captcha:      auth.CaptchaPolicy{Mode: auth.CaptchaAlways},
				Activation:   auth.ActivationPolicy{Mode: auth.ActivationCode, CodeDigits: 8},
				Reset:        auth.ResetPolicy{Delivery: auth.ByCode, CodeDigits: 7, NewNetworkCodeDigits: 7},
				Session:      auth.SessionPolicy{IdleTimeout: time.Hour},
				SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory, Issuer: "MySAPK"},
			},
		},
	})
}

// prReady registers and confirms an account in realm, approving it where
// the realm asks, and returns it.
func prReady(t *testing.T, k *authtest.Kit, realm, username, email string) store.Account {
	t.Helper()
	ctx := context.Background()
	reg := auth.Registration{Realm: realm, Username: username, Email: email, Password: prPassword, Request: auth.Request{ClientAddr: prAddr}}
	if realm == prSAPK {
		reg.Captcha = k.SolveCaptcha(t, "register", prAddr)
	}
	r, err := k.Auth.Accounts().Register(ctx, reg)
	require.NoError(t, err)
	c := auth.Confirmation{Realm: realm, Flow: r.Flow, Request: auth.Request{ClientAddr: prAddr}}
	if realm == prLPSE {
		c.Token = k.LastToken(t, email)
	} else {
		c.Identifier, c.Code = username, k.LastCode(t, email)
	}
	got, err := k.Auth.Accounts().Confirm(ctx, c)
	require.NoError(t, err)
	acct := got.Account
	if realm == prLPSE {
		op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "operator", AccountID: "op-1", Realms: []string{prLPSE}})
		require.NoError(t, err)
		acct, err = op.Approve(ctx, auth.Decision{AccountID: acct.ID, Reason: "dokumen lengkap", Request: auth.Request{ClientAddr: prAddr}})
		require.NoError(t, err)
	}
	return acct
}

// TestRealmsOwnMessagesAndLinks: each realm's mail names its own portal
// and links to its own pages; what a realm leaves unset comes from
// Config.Realm.
func TestRealmsOwnMessagesAndLinks(t *testing.T) {
	k := prTwoPortals(t)
	ctx := context.Background()

	// prLPSE activates by link, on its own page, and names itself.
	_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: prLPSE, Username: "pt-maju", Email: "maju@example.co.id", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	m := k.LastMessage(t, "maju@example.co.id")
	assert.Contains(t, m.Text, "LPSE Kemenkeu")
	assert.NotContains(t, m.Text, "Portal Induk")
	link, err := url.Parse(k.LastLink(t, "maju@example.co.id"))
	require.NoError(t, err)
	assert.Equal(t, "lpse.example.go.id", link.Host)
	assert.Equal(t, "/aktivasi", link.Path)

	// prSAPK activates by an 8-digit code, and names itself.
	_, err = k.Auth.Accounts().Register(ctx, auth.Registration{Realm: prSAPK, Username: "199001012015031001", Email: "asn@example.go.id", Password: prPassword, Captcha: k.SolveCaptcha(t, "register", prAddr), Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	m = k.LastMessage(t, "asn@example.go.id")
	assert.Contains(t, m.Text, "MySAPK")
	assert.NotContains(t, m.Text, "LPSE")
	assert.Len(t, k.LastCode(t, "asn@example.go.id"), 8)
}

// TestRealmsOwnResets: prLPSE resets by a link to its page that lasts the
// default 2 hours; prSAPK by a 7-digit code that lasts the default 20
// minutes.
func TestRealmsOwnResets(t *testing.T) {
	k := prTwoPortals(t)
	ctx := context.Background()
	prReady(t, k, prLPSE, "pt-maju", "maju@example.co.id")
	prReady(t, k, prSAPK, "asn-1", "asn@example.go.id")
	req := auth.Request{ClientAddr: prAddr}

	_, err := k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: prLPSE, Identifier: "pt-maju", Request: req})
	require.NoError(t, err)
	link, err := url.Parse(k.LastLink(t, "maju@example.co.id"))
	require.NoError(t, err)
	assert.Equal(t, "https://lpse.example.go.id/atur-sandi", link.Scheme+"://"+link.Host+link.Path)
	token := link.Query().Get("token")

	started, err := k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: prSAPK, Identifier: "asn-1", Request: req})
	require.NoError(t, err)
	code := k.LastCode(t, "asn@example.go.id")
	assert.Len(t, code, 7)
	assert.Contains(t, k.LastMessage(t, "asn@example.go.id").Text, "MySAPK")

	// Past the default code lifetime (20 minutes) the code is dead, and
	// the link (2 hours) still works.
	k.Advance(t, 21*time.Minute)
	err = k.Auth.Accounts().CompleteReset(ctx, auth.ResetCompletion{Realm: prSAPK, Identifier: "asn-1", Code: code, Flow: started.Flow, NewPassword: "Baru-Kuat-2026!y", Request: req})
	assert.ErrorIs(t, err, auth.ErrInvalidToken)
	err = k.Auth.Accounts().CompleteReset(ctx, auth.ResetCompletion{Realm: prLPSE, Token: token, NewPassword: "Baru-Kuat-2026!y", Request: req})
	assert.NoError(t, err)
}

// TestRealmsOwnPasswordPolicy: prSAPK's MySAPK composition refuses what
// prLPSE accepts.
func TestRealmsOwnPasswordPolicy(t *testing.T) {
	k := prTwoPortals(t)
	ctx := context.Background()
	const plain = "gunung rinjani tinggi sekali"
	_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: prLPSE, Username: "pt-a", Email: "a@example.co.id", Password: plain, Request: auth.Request{ClientAddr: prAddr}})
	assert.NoError(t, err)
	_, err = k.Auth.Accounts().Register(ctx, auth.Registration{Realm: prSAPK, Username: "asn-a", Email: "a@example.go.id", Password: plain, Captcha: k.SolveCaptcha(t, "register", prAddr), Request: auth.Request{ClientAddr: prAddr}})
	var pe *password.PolicyError
	require.ErrorAs(t, err, &pe)
	assert.Equal(t, auth.CodePolicy, auth.Classify(err).Code)
}

// TestRealmsOwnLockout: three failures lock prLPSE's account for 20
// minutes, and prSAPK's until an operator unlocks it.
func TestRealmsOwnLockout(t *testing.T) {
	k := prTwoPortals(t)
	ctx := context.Background()
	prReady(t, k, prLPSE, "pt-maju", "maju@example.co.id")
	prReady(t, k, prSAPK, "asn-1", "asn@example.go.id")

	k.FailLogins(t, prLPSE, "pt-maju", prAddr, 3)
	_, err := k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prLPSE, Username: "pt-maju", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	var le *lockout.LockedError
	require.ErrorAs(t, err, &le)
	assert.False(t, le.Permanent)
	assert.Equal(t, k.Now().Add(20*time.Minute), le.Until)

	k.FailLogins(t, prSAPK, "asn-1", prAddr, 3)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prSAPK, Username: "asn-1", Password: prPassword, Captcha: k.SolveCaptcha(t, "login", prAddr), Request: auth.Request{ClientAddr: prAddr}})
	require.ErrorAs(t, err, &le)
	assert.True(t, le.Permanent)
	o := auth.Classify(err)
	assert.True(t, o.Permanent)
	assert.True(t, o.RetryAt.IsZero())

	// A day later prLPSE's lock is over and prSAPK's is not.
	k.Advance(t, 24*time.Hour)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prLPSE, Username: "pt-maju", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	assert.NoError(t, err)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prSAPK, Username: "asn-1", Password: prPassword, Captcha: k.SolveCaptcha(t, "login", prAddr), Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorAs(t, err, &le)
}

// TestRealmsOwnCaptcha: prSAPK asks for a captcha at every login; prLPSE only
// after failures.
func TestRealmsOwnCaptcha(t *testing.T) {
	k := prTwoPortals(t)
	ctx := context.Background()
	need, err := k.Auth.Logins().CaptchaNeeded(ctx, auth.CaptchaQuery{Realm: prSAPK, Username: "asn-1", ClientAddr: prAddr})
	require.NoError(t, err)
	assert.True(t, need.Required)
	need, err = k.Auth.Logins().CaptchaNeeded(ctx, auth.CaptchaQuery{Realm: prLPSE, Username: "pt-maju", ClientAddr: prAddr})
	require.NoError(t, err)
	assert.False(t, need.Required)

	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prSAPK, Username: "asn-1", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrCaptchaRequired)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prLPSE, Username: "nobody", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
}

// TestRealmsOwnSessionsAndSecondFactor: prSAPK requires a second factor
// (an enrollment at the first login), names itself in the authenticator
// app, and keeps an idle session an hour; prLPSE keeps it 10 minutes.
func TestRealmsOwnSessionsAndSecondFactor(t *testing.T) {
	k := prTwoPortals(t)
	ctx := context.Background()
	req := auth.Request{ClientAddr: prAddr}
	prReady(t, k, prLPSE, "pt-maju", "maju@example.co.id")
	prReady(t, k, prSAPK, "asn-1", "asn@example.go.id")

	lres, err := k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prLPSE, Username: "pt-maju", Password: prPassword, Request: req})
	require.NoError(t, err, "lpse's second factor is optional")

	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prSAPK, Username: "asn-1", Password: prPassword, Captcha: k.SolveCaptcha(t, "login", prAddr), Request: req})
	var er *auth.EnrollmentRequired
	require.ErrorAs(t, err, &er)
	assert.Equal(t, auth.CodeEnrollmentRequired, auth.Classify(err).Code)
	en, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{Realm: prSAPK, Pending: er.Pending, Request: req})
	require.NoError(t, err)
	u, err := url.Parse(en.URI)
	require.NoError(t, err)
	assert.Equal(t, "MySAPK", u.Query().Get("issuer"))
	assert.True(t, strings.HasPrefix(u.Path, "/MySAPK:"), u.Path)

	secret := prManualKey(t, en.ManualKey)
	done, err := k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: prSAPK, Pending: er.Pending, FactorID: en.FactorID, Code: k.TOTPCode(t, secret), Request: req})
	require.NoError(t, err)
	require.NotNil(t, done.Login, "confirming the app completes the login")
	assert.NotEmpty(t, done.RecoveryCodes)

	ls, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: lres.Account, Request: req})
	require.NoError(t, err)
	ss, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: done.Login.Account, Request: req})
	require.NoError(t, err)
	k.Advance(t, 20*time.Minute)
	_, err = k.Auth.Sessions().Load(ctx, ls.Token)
	assert.ErrorIs(t, err, auth.ErrNoSession, "lpse's sessions idle out after 10 minutes")
	_, err = k.Auth.Sessions().Load(ctx, ss.Token)
	assert.NoError(t, err, "sapk's last an hour idle")
}

// TestRealmsOwnApproval: prLPSE's accounts wait for an operator; prSAPK's do
// not.
func TestRealmsOwnApproval(t *testing.T) {
	k := prTwoPortals(t)
	ctx := context.Background()
	r, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: prLPSE, Username: "pt-b", Email: "b@example.co.id", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	_, err = k.Auth.Accounts().Confirm(ctx, auth.Confirmation{Realm: prLPSE, Token: k.LastToken(t, "b@example.co.id"), Flow: r.Flow})
	require.NoError(t, err)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prLPSE, Username: "pt-b", Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrPendingApproval)

	prReady(t, k, prSAPK, "asn-b", "b@example.go.id")
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: prSAPK, Username: "asn-b", Password: prPassword, Captcha: k.SolveCaptcha(t, "login", prAddr), Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrEnrollmentRequired, "past the password, prSAPK's next step is its required second factor, not an approval")
}

// TestRealmSettingsAreChecked: New checks each realm's settings after
// inheritance, and names the realm it refuses.
func TestRealmSettingsAreChecked(t *testing.T) {
	base := func() auth.Config {
		return auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}}
	}
	cfg := base()
	cfg.Realms = map[string]auth.Realm{
		"bpjs": {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorPhishingResistant}},
	}
	_, err := auth.New(cfg)
	require.ErrorIs(t, err, auth.ErrConfig)
	assert.Contains(t, err.Error(), "bpjs")
	assert.Contains(t, err.Error(), "passkeys")

	// A reset code whose guessing the defaults would allow, set on one
	// realm only, is refused in that realm.
	cfg = base()
	cfg.Realms = map[string]auth.Realm{
		"ok":  {},
		"bad": {Reset: auth.ResetPolicy{Delivery: auth.ByCode, CodeDigits: 6, NewNetworkCodeDigits: 6, Attempts: 10}},
	}
	_, err = auth.New(cfg)
	require.ErrorIs(t, err, auth.ErrConfig)
	assert.Contains(t, err.Error(), `"bad"`)

	// A captcha a realm asks for, with no checker, is refused.
	cfg = base()
	cfg.Realms = map[string]auth.Realm{"sapk": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways}}}
	_, err = auth.New(cfg)
	require.ErrorIs(t, err, auth.ErrConfig)

	// An unlisted realm is refused at every entry point.
	cfg = base()
	cfg.Realms = map[string]auth.Realm{"lpse": {}}
	a, err := auth.New(cfg)
	require.NoError(t, err)
	defer a.Close()
	_, err = a.Logins().Login(context.Background(), auth.LoginRequest{Realm: "other", Username: "x", Password: prPassword})
	assert.ErrorIs(t, err, auth.ErrUnknownRealm)
	_, err = a.Accounts().RequestReset(context.Background(), auth.ResetRequest{Realm: "other", Identifier: "x"})
	assert.ErrorIs(t, err, auth.ErrUnknownRealm)
}

// TestTooManyFactors: the 21st factor is a person's mistake, with a code
// of its own, not an outage.
func TestTooManyFactors(t *testing.T) {
	k := authtest.New(t, auth.Config{})
	ctx := context.Background()
	r, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.co.id", Password: prPassword})
	require.NoError(t, err)
	id := r.Account.ID
	for i := range store.MaxFactorsPerAccount {
		_, err := k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: id, Password: prPassword}})
		require.NoError(t, err, "factor %d", i+1)
	}
	_, err = k.Auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: id, Password: prPassword}})
	require.ErrorIs(t, err, auth.ErrTooManyFactors)
	o := auth.Classify(err)
	assert.Equal(t, auth.CodeTooManyFactors, o.Code)
	assert.Less(t, o.Status, 500)
	_, err = k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{AccountID: id, Password: prPassword})
	assert.ErrorIs(t, err, auth.ErrTooManyFactors)
	if errors.Is(err, store.ErrCapacity) {
		t.Error("the store's error does not leak through")
	}
}

// prManualKey decodes the key a person would type into the app.
func prManualKey(t *testing.T, key string) []byte {
	t.Helper()
	key = strings.ToUpper(strings.ReplaceAll(key, " ", ""))
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key)
	require.NoError(t, err)
	return b
}

// TestRealmChoosesTheZeroOption: a realm can choose no activation, reset
// by link and an optional second factor over defaults that say otherwise.
func TestRealmChoosesTheZeroOption(t *testing.T) {
	k := authtest.New(t, auth.Config{
		Realm: auth.Realm{
			Links:        auth.Links{Reset: "https://induk.example.go.id/reset", Activate: "https://induk.example.go.id/aktivasi"},
			Activation:   auth.ActivationPolicy{Mode: auth.ActivationLink},
			Reset:        auth.ResetPolicy{Delivery: auth.ByCode},
			SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory},
		},
		Realms: map[string]auth.Realm{
			"strict": {},
			"loose": {
				Activation:   auth.ActivationPolicy{Mode: auth.ActivationNone},
				Reset:        auth.ResetPolicy{Delivery: auth.ByLink},
				SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOptional},
			},
		},
	})
	ctx := context.Background()
	req := auth.Request{ClientAddr: prAddr}

	_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "loose", Username: "budi", Email: "budi@example.go.id", Password: prPassword, Request: req})
	require.NoError(t, err)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "loose", Username: "budi", Password: prPassword, Request: req})
	require.NoError(t, err, "no activation, no second factor required")
	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "loose", Identifier: "budi", Request: req})
	require.NoError(t, err)
	assert.Contains(t, k.LastLink(t, "budi@example.go.id"), "https://induk.example.go.id/reset?")

	_, err = k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "strict", Username: "sari", Email: "sari@example.go.id", Password: prPassword, Request: req})
	require.NoError(t, err)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "strict", Username: "sari", Password: prPassword, Request: req})
	assert.ErrorIs(t, err, auth.ErrPendingConfirmation, "the default's activation")
}

// TestEmailChangeHasItsOwnAttempts: an email change's link allows
// EmailChange.Attempts tries, not the reset's.
func TestEmailChangeHasItsOwnAttempts(t *testing.T) {
	k := authtest.New(t, auth.Config{Realm: auth.Realm{
		Links:       auth.Links{ConfirmEmail: "https://induk.example.go.id/email"},
		Reset:       auth.ResetPolicy{Attempts: 5},
		EmailChange: auth.EmailChangePolicy{Attempts: 1},
	}})
	ctx := context.Background()
	req := auth.Request{ClientAddr: prAddr}
	r, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.go.id", Password: prPassword, Request: req})
	require.NoError(t, err)
	require.NoError(t, k.Auth.Accounts().RequestEmailChange(ctx, auth.EmailChange{AccountID: r.Account.ID, Password: prPassword, NewEmail: "budi.baru@example.go.id", Request: req}))
	token := k.LastToken(t, "budi.baru@example.go.id")
	// The same selector with a wrong verifier spends the link's one try.
	wrong := token[:len(token)-1] + map[bool]string{true: "0", false: "1"}[token[len(token)-1] != '0']
	_, err = k.Auth.Accounts().ConfirmEmailChange(ctx, auth.EmailChangeConfirmation{Realm: "lpse", Token: wrong, Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
	_, err = k.Auth.Accounts().ConfirmEmailChange(ctx, auth.EmailChangeConfirmation{Realm: "lpse", Token: token, Request: req})
	assert.ErrorIs(t, err, auth.ErrInvalidToken, "one try, used up")
}

// TestFlowsHaveTheirOwnBudgets: a client address that spent the reset's
// request and try budgets still has the activation's and the email
// change's, each set apart.
func TestFlowsHaveTheirOwnBudgets(t *testing.T) {
	k := authtest.New(t, auth.Config{Realm: auth.Realm{
		Links:       auth.Links{Reset: "https://induk.example.go.id/reset", Activate: "https://induk.example.go.id/aktivasi"},
		Activation:  auth.ActivationPolicy{Mode: auth.ActivationLink, PerAddress: lockout.Rate{Requests: 3, Window: time.Hour}, Tries: lockout.Rate{Requests: 3, Window: time.Hour}},
		Reset:       auth.ResetPolicy{PerAddress: lockout.Rate{Requests: 1, Window: time.Hour}, Tries: lockout.Rate{Requests: 1, Window: time.Hour}},
		EmailChange: auth.EmailChangePolicy{Tries: lockout.Rate{Requests: 2, Window: time.Hour}},
	}})
	ctx := context.Background()
	req := auth.Request{ClientAddr: prAddr}
	var throttled *lockout.ThrottledError

	// The reset's budgets: one request, one try.
	_, err := k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "lpse", Identifier: "siapa", Request: req})
	require.NoError(t, err)
	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "lpse", Identifier: "siapa", Request: req})
	require.ErrorAs(t, err, &throttled)
	bogus := strings.Repeat("a", 32) + "." + strings.Repeat("b", 64)
	err = k.Auth.Accounts().CompleteReset(ctx, auth.ResetCompletion{Realm: "lpse", Token: bogus, NewPassword: prPassword, Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
	err = k.Auth.Accounts().CompleteReset(ctx, auth.ResetCompletion{Realm: "lpse", Token: bogus, NewPassword: prPassword, Request: req})
	require.ErrorAs(t, err, &throttled)

	// The activation's are whole.
	for range 3 {
		_, err = k.Auth.Accounts().ResendActivation(ctx, auth.ActivationRequest{Realm: "lpse", Identifier: "siapa", Request: req})
		require.NoError(t, err)
	}
	_, err = k.Auth.Accounts().ResendActivation(ctx, auth.ActivationRequest{Realm: "lpse", Identifier: "siapa", Request: req})
	require.ErrorAs(t, err, &throttled)
	for range 3 {
		_, err = k.Auth.Accounts().Confirm(ctx, auth.Confirmation{Realm: "lpse", Token: bogus, Request: req})
		require.ErrorIs(t, err, auth.ErrInvalidToken)
	}
	_, err = k.Auth.Accounts().Confirm(ctx, auth.Confirmation{Realm: "lpse", Token: bogus, Request: req})
	require.ErrorAs(t, err, &throttled)

	// And so are the email change's.
	for range 2 {
		_, err = k.Auth.Accounts().ConfirmEmailChange(ctx, auth.EmailChangeConfirmation{Realm: "lpse", Token: bogus, Request: req})
		require.ErrorIs(t, err, auth.ErrInvalidToken)
	}
	_, err = k.Auth.Accounts().ConfirmEmailChange(ctx, auth.EmailChangeConfirmation{Realm: "lpse", Token: bogus, Request: req})
	require.ErrorAs(t, err, &throttled)
}

// TestOperatorLearnsNoOtherRealms: outside its scope an operator gets
// ErrOutOfScope whether or not the realm exists.
func TestOperatorLearnsNoOtherRealms(t *testing.T) {
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"lpse": {}, "sapk": {}}})
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "op", AccountID: "op-1", Realms: []string{"lpse"}})
	require.NoError(t, err)
	ctx := context.Background()
	for _, realm := range []string{"sapk", "bpjs"} {
		_, err := op.LockStatus(ctx, auth.LockQuery{Realm: realm, Username: "budi"})
		assert.ErrorIs(t, err, auth.ErrOutOfScope, realm)
		_, err = op.Unlock(ctx, auth.UnlockRequest{Realm: realm, Username: "budi", Reason: "x"})
		assert.ErrorIs(t, err, auth.ErrOutOfScope, realm)
		_, err = op.List(ctx, store.AccountQuery{Realm: realm})
		assert.ErrorIs(t, err, auth.ErrOutOfScope, realm)
	}
}

// TestDefaultsNeedNoPortalName: with every realm named in Config.Realms,
// Config.Realm need not name a portal; a realm that names none is refused.
func TestDefaultsNeedNoPortalName(t *testing.T) {
	kr, err := totp.NewKeyring("k1", map[string][]byte{"k1": make([]byte, totp.KeySize)})
	require.NoError(t, err)
	cfg := auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Sender: &notify.Outbox{}, Keyring: kr,
		Realms: map[string]auth.Realm{
			"lpse": {Messages: auth.Messages{PortalName: "LPSE Kemenkeu"}},
			"sapk": {Messages: auth.Messages{PortalName: "MySAPK"}},
		}}
	a, err := auth.New(cfg)
	require.NoError(t, err, "Config.Realm needs no portal name of its own")
	require.NoError(t, a.Close())

	cfg.Realms["bpjs"] = auth.Realm{}
	_, err = auth.New(cfg)
	require.ErrorIs(t, err, auth.ErrConfig)
	assert.Contains(t, err.Error(), `"bpjs"`)
}

// TestRealmSettingsReadable: a host reads what a realm resolved to, and an
// enrollment names the app's entry.
func TestRealmSettingsReadable(t *testing.T) {
	k := prTwoPortals(t)
	rs, err := k.Auth.Realm(prSAPK)
	require.NoError(t, err)
	assert.Equal(t, "MySAPK", rs.Messages.PortalName)
	assert.Equal(t, auth.ByCode, rs.Reset.Delivery)
	assert.Equal(t, 20*time.Minute, rs.Reset.CodeFor, "from Config.Realm")
	assert.Equal(t, 30*24*time.Hour, rs.SecondFactor.RememberFor, "the documented default")
	assert.Equal(t, auth.SecondFactorMandatory, rs.SecondFactor.Requirement)
	rs, err = k.Auth.Realm(prLPSE)
	require.NoError(t, err)
	assert.Equal(t, auth.SecondFactorOptional, rs.SecondFactor.Requirement)
	_, err = k.Auth.Realm("bpjs")
	assert.ErrorIs(t, err, auth.ErrUnknownRealm)

	acct := prReady(t, k, prLPSE, "pt-maju", "maju@example.co.id")
	en, err := k.Auth.Factors().BeginTOTP(context.Background(), auth.FactorChange{AccountID: acct.ID, Password: prPassword})
	require.NoError(t, err)
	assert.Equal(t, "LPSE Kemenkeu", en.Issuer)
	assert.Equal(t, "pt-maju", en.AccountName)
}

// TestOwnerFormsSayWrongPassword: a wrong current password on an owner's
// form says so, without a username to blame, and is still an
// ErrInvalidCredentials that counts toward the lock.
func TestOwnerFormsSayWrongPassword(t *testing.T) {
	k := authtest.New(t, auth.Config{})
	ctx := context.Background()
	r, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.go.id", Password: prPassword})
	require.NoError(t, err)
	for _, err := range []error{
		k.Auth.Accounts().ChangePassword(ctx, auth.PasswordChange{AccountID: r.Account.ID, Current: "salah sekali", New: "Sandi-Baru-2026!z"}),
		func() error {
			_, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{AccountID: r.Account.ID, Password: "salah sekali"})
			return err
		}(),
	} {
		require.ErrorIs(t, err, auth.ErrWrongPassword)
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		o := auth.Classify(err)
		assert.Equal(t, auth.CodeWrongPassword, o.Code)
		assert.Equal(t, []string{"password"}, o.Fields)
		assert.NotContains(t, o.Message("id"), "pengguna")
	}
	// Login keeps its one answer.
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "salah sekali"})
	assert.Equal(t, auth.CodeInvalidCredentials, auth.Classify(err).Code)
	assert.NotErrorIs(t, err, auth.ErrWrongPassword)
}

// TestRegisteredHidesTheAccountInJSON: a host that serializes Register's
// answer does not tell which names are taken.
func TestRegisteredHidesTheAccountInJSON(t *testing.T) {
	b, err := json.Marshal(auth.Registered{Account: store.Account{ID: "a1", Username: "budi"}, Flow: "f"})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "budi")
	assert.NotContains(t, string(b), "a1")
}

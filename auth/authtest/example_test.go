package authtest_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
)

// t stands in for the *testing.T of a real test, which an Example function
// does not have: in a test, pass yours.
var t exampleT

type exampleT struct{}

func (exampleT) Helper()                           {}
func (exampleT) Cleanup(func())                    {}
func (exampleT) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

// The portal's lockout policy: after 5 failures in 15 minutes the account
// locks for 15 minutes; the sixth attempt is refused even with the right
// password, before any hash runs; 15 minutes later it works.
func Example_lockout() {
	ctx := context.Background()
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"lpse": {
		Lockout: lockout.Policy{
			Account: lockout.Rule{Threshold: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute},
		},
	}}})
	if _, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari"}); err != nil {
		panic(err)
	}
	login := auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari",
		Request: auth.Request{ClientAddr: "203.0.113.9"}}

	k.FailLogins(t, "lpse", "budi", "203.0.113.9", 5)
	hashes := k.Hasher.Verifies()
	_, err := k.Auth.Logins().Login(ctx, login)
	var le *lockout.LockedError
	if errors.As(err, &le) {
		fmt.Println("sixth attempt, right password: locked for", le.RetryAfter(k.Now()))
	}
	fmt.Println("hashes run:", k.Hasher.Verifies()-hashes)

	k.Advance(t, 15*time.Minute)
	res, err := k.Auth.Logins().Login(ctx, login)
	if err != nil {
		panic(err)
	}
	fmt.Println("15 minutes later: welcome,", res.Account.Username)
	// Output:
	// sixth attempt, right password: locked for 15m0s
	// hashes run: 0
	// 15 minutes later: welcome, budi
}

// The realm asks for a captcha from the third failure on: the next login
// is refused until it carries a solved one.
func Example_captcha() {
	ctx := context.Background()
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{
		"lpse": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAfterFailures, After: 3}},
	}})
	if _, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "siti", Password: "nasi uduk betawi asli"}); err != nil {
		panic(err)
	}
	form := auth.CaptchaQuery{Realm: "lpse", Username: "siti", ClientAddr: "203.0.113.9"}
	need, _ := k.Auth.Logins().CaptchaNeeded(ctx, form)
	fmt.Println("captcha before any failure:", need.Required)

	k.FailLogins(t, "lpse", "siti", "203.0.113.9", 3)
	need, _ = k.Auth.Logins().CaptchaNeeded(ctx, form)
	fmt.Println("captcha after 3 failures:", need.Required)

	login := auth.LoginRequest{Realm: "lpse", Username: "siti", Password: "nasi uduk betawi asli",
		Request: auth.Request{ClientAddr: "203.0.113.9"}}
	_, err := k.Auth.Logins().Login(ctx, login)
	fmt.Println("without a captcha:", errors.Is(err, auth.ErrCaptchaRequired))

	login.Captcha = k.SolveCaptcha(t, "login-form", "203.0.113.9")
	_, err = k.Auth.Logins().Login(ctx, login)
	fmt.Println("with a solved captcha:", err)
	// Output:
	// captcha before any failure: false
	// captcha after 3 failures: true
	// without a captcha: true
	// with a solved captcha: <nil>
}

// MySAPK's "Lupa Kata Sandi": a civil servant gives the NIP and receives a
// code by email, which expires after 15 minutes.
func Example_resetCodeExpires() {
	ctx := context.Background()
	policy, err := password.NewPolicy(password.PolicyConfig{Composition: password.CompositionMySAPK})
	if err != nil {
		panic(err)
	}
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"sapk": {
		Username: identifiers.NIP,
		Policy:   policy,
		Reset:    auth.ResetPolicy{Delivery: auth.ByCode},
	}}})
	accounts := k.Auth.Accounts()
	const nip = "198609262015051001"
	if _, err := accounts.Register(ctx, auth.Registration{Realm: "sapk", Username: nip, Email: "pns@example.go.id", Password: "Kopi tubruk 2026"}); err != nil {
		panic(err)
	}

	started, err := accounts.RequestReset(ctx, auth.ResetRequest{Realm: "sapk", Identifier: "19860926 201505 1 001"})
	if err != nil {
		panic(err)
	}
	code := k.LastCode(t, "pns@example.go.id")
	k.Advance(t, 15*time.Minute)
	err = accounts.CompleteReset(ctx, auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: started.Flow, Code: code, NewPassword: "Teh manis 7 hangat"})
	fmt.Println("after 15 minutes:", errors.Is(err, auth.ErrInvalidToken))

	if started, err = accounts.RequestReset(ctx, auth.ResetRequest{Realm: "sapk", Identifier: nip}); err != nil {
		panic(err)
	}
	code = k.LastCode(t, "pns@example.go.id")
	k.Advance(t, 14*time.Minute)
	err = accounts.CompleteReset(ctx, auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: started.Flow, Code: code, NewPassword: "Teh manis 7 hangat"})
	fmt.Println("a new code, 14 minutes later:", err)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "sapk", Username: nip, Password: "Teh manis 7 hangat"})
	fmt.Println("login with the new password:", err)
	// Output:
	// after 15 minutes: true
	// a new code, 14 minutes later: <nil>
	// login with the new password: <nil>
}

// An authenticator app's code is accepted once: the same code, sent again
// (by an attacker who saw it, or a double click), is refused.
func Example_totpReplay() {
	ctx := context.Background()
	k := authtest.New(t, auth.Config{Realm: auth.Realm{Messages: auth.Messages{PortalName: "LPSE Uji"}}})
	logins := k.Auth.Logins()
	reg, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: "kopi tubruk di pagi hari"})
	if err != nil {
		panic(err)
	}
	secret, recovery := k.EnrollTOTP(t, reg.Account.ID, "kopi tubruk di pagi hari")
	fmt.Println("recovery codes:", len(recovery))
	k.Advance(t, 30*time.Second) // the code that confirmed the app is used up

	second := func() string {
		_, err := logins.Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari"})
		var sfr *auth.SecondFactorRequired
		if !errors.As(err, &sfr) {
			panic(err)
		}
		return sfr.Pending
	}
	code := k.TOTPCode(t, secret)
	pending := second()
	_, err = logins.SecondStep(ctx, auth.SecondStepRequest{Realm: "lpse", Pending: pending, Method: auth.MethodTOTP, Code: code})
	fmt.Println("first use:", err)

	pending = second()
	_, err = logins.SecondStep(ctx, auth.SecondStepRequest{Realm: "lpse", Pending: pending, Method: auth.MethodTOTP, Code: code})
	fmt.Println("replayed:", errors.Is(err, auth.ErrInvalidCode))

	k.Advance(t, 30*time.Second)
	_, err = logins.SecondStep(ctx, auth.SecondStepRequest{Realm: "lpse", Pending: pending, Method: auth.MethodTOTP, Code: k.TOTPCode(t, secret)})
	fmt.Println("the next step's code:", err)
	// Output:
	// recovery codes: 10
	// first use: <nil>
	// replayed: true
	// the next step's code: <nil>
}

// An LPSE registration: a company registers with its NPWP, confirms its
// email address by a link, and waits for an operator's approval before it
// can log in.
func Example_registrationApproval() {
	ctx := context.Background()
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"lpse": {
		Username:     identifiers.NPWP,
		Activation:   auth.ActivationPolicy{Mode: auth.ActivationLink},
		Registration: auth.RegistrationPolicy{Approval: true},
		Links:        auth.Links{Activate: "https://lpse.example.go.id/aktivasi", Login: "https://lpse.example.go.id/masuk"},
	}}})
	accounts, logins := k.Auth.Accounts(), k.Auth.Logins()
	reg, err := accounts.Register(ctx, auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Email: "pt.maju@example.co.id", Password: "Kopi tubruk 2026"})
	if err != nil {
		panic(err)
	}
	acct := reg.Account
	login := auth.LoginRequest{Realm: "lpse", Username: "013121660091000", Password: "Kopi tubruk 2026"}
	_, err = logins.Login(ctx, login)
	fmt.Println("registered:", acct.State, errors.Is(err, auth.ErrPendingConfirmation))

	got, err := accounts.Confirm(ctx, auth.Confirmation{Realm: "lpse", Token: k.LastToken(t, "pt.maju@example.co.id")})
	if err != nil {
		panic(err)
	}
	_, err = logins.Login(ctx, login)
	fmt.Println("link followed:", got.Account.State, errors.Is(err, auth.ErrPendingApproval))

	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "op-1", Realms: []string{"lpse"}})
	if err != nil {
		panic(err)
	}
	if _, err := op.Approve(ctx, auth.Decision{AccountID: acct.ID, Reason: "dokumen lengkap"}); err != nil {
		panic(err)
	}
	fmt.Println("told:", k.LastMessage(t, "pt.maju@example.co.id").Purpose)
	_, err = logins.Login(ctx, login)
	fmt.Println("approved, login:", err)
	// Output:
	// registered: pending_confirmation true
	// link followed: pending_approval true
	// told: registration_approved
	// approved, login: <nil>
}

// An operators' realm that requires a phishing-resistant factor: the
// authenticator app an operator had proves the operator once more, then
// the login asks for a passkey; afterwards the passkey alone completes the
// second step, and a phishing page that relays its challenge gets
// nothing.
func Example_phishingResistant() {
	ctx := context.Background()
	k := authtest.New(t, auth.Config{Realms: map[string]auth.Realm{"operator": {
		Messages: auth.Messages{PortalName: "Portal Operator"},
		Passkeys: auth.PasskeyPolicy{RPID: "portal.example.go.id", Origins: []string{"https://portal.example.go.id"}},
		SecondFactor: auth.SecondFactorPolicy{
			Requirement: auth.SecondFactorPhishingResistant,
		},
	}}})
	const pw = "kopi tubruk di pagi hari"
	reg, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "operator", Username: "ani", Password: pw})
	if err != nil {
		panic(err)
	}
	app, _ := k.EnrollTOTP(t, reg.Account.ID, pw)
	k.Advance(t, 30*time.Second)

	login := auth.LoginRequest{Realm: "operator", Username: "ani", Password: pw}
	_, err = k.Auth.Logins().Login(ctx, login)
	var sfr *auth.SecondFactorRequired
	fmt.Println(errors.As(err, &sfr), sfr.Methods)
	_, err = k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "operator", Pending: sfr.Pending,
		Method: auth.MethodTOTP, Code: k.TOTPCode(t, app)})
	var enr *auth.EnrollmentRequired
	fmt.Println(errors.As(err, &enr), enr.Methods)

	key := authtest.NewSoftAuthenticator("https://portal.example.go.id")
	ch, err := k.Auth.Factors().BeginPasskey(ctx, auth.FactorChange{Realm: "operator", Pending: enr.Pending})
	if err != nil {
		panic(err)
	}
	made, err := key.Create(ch.Options)
	if err != nil {
		panic(err)
	}
	e, err := k.Auth.Factors().ConfirmPasskey(ctx, auth.PasskeyConfirmation{Realm: "operator", Pending: enr.Pending, Response: made})
	fmt.Println(err, e.Login.Account.Username)

	_, err = k.Auth.Logins().Login(ctx, login)
	errors.As(err, &sfr)
	fmt.Println(sfr.Methods)
	// A passkey that answers for another site (a phishing page that
	// relays the challenge) is refused.
	key.Origin = "https://portal-example.go.id.phish.example"
	_, err = k.Auth.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "operator", Pending: sfr.Pending,
		Method: auth.MethodPasskey, Code: k.PasskeyAnswer(t, "operator", sfr.Pending, key)})
	fmt.Println(err)
	// Output:
	// true [totp recovery]
	// true [passkey]
	// <nil> ani
	// [passkey]
	// auth: invalid or expired code
}

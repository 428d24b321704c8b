package auth_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/totp"
)

// appSecret reads the secret of an otpauth URI, as an authenticator app
// does when it scans the QR code.
func appSecret(uri string) []byte {
	u, err := url.Parse(uri)
	if err != nil {
		panic(err)
	}
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(u.Query().Get("secret"))
	if err != nil {
		panic(err)
	}
	return secret
}

// A login of an account with an authenticator app: the right password
// is not enough, Login returns the second step as an error (a host that
// forgets it lets nobody in), and SecondStep completes the login with the
// app's code.
func ExampleLogins_Login() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // time.Now in a server
	// The key that seals the apps' secrets, from the host's secret store.
	ring, err := totp.NewKeyring("2026", map[string][]byte{"2026": bytes.Repeat([]byte{7}, totp.KeySize)})
	if err != nil {
		panic(err)
	}
	a, err := auth.New(auth.Config{
		Store:   memstore.New(),
		Hasher:  &authtest.Hasher{}, // the default argon2id in a server
		Now:     func() time.Time { return now },
		Keyring: ring,
		Realm:   auth.Realm{Messages: auth.Messages{PortalName: "LPSE Kemenkeu"}}, // the apps list the account under it
	})
	if err != nil {
		panic(err)
	}
	const pw = "kopi tubruk di pagi hari"
	reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: pw})
	if err != nil {
		panic(err)
	}
	// Budi scans the QR code of his settings page and confirms the app.
	e, err := a.Factors().BeginTOTP(ctx, auth.FactorChange{AccountID: reg.Account.ID, Password: pw})
	if err != nil {
		panic(err)
	}
	app := appSecret(e.URI)
	code, _ := totp.Params{}.Code(app, now)
	if _, err := a.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: reg.Account.ID, FactorID: e.FactorID, Code: code}); err != nil {
		panic(err)
	}
	now = now.Add(time.Minute) // the confirming code is used up

	_, err = a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: pw})
	var sfr *auth.SecondFactorRequired
	if !errors.As(err, &sfr) {
		panic(err)
	}
	// Keep sfr.Pending server-side or in an HttpOnly cookie, and offer
	// the methods in their order.
	fmt.Println("second step:", sfr.Methods)

	_, err = a.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "lpse", Pending: sfr.Pending, Method: auth.MethodTOTP, Code: "000000"})
	fmt.Println("a wrong code:", errors.Is(err, auth.ErrInvalidCode))

	code, _ = totp.Params{}.Code(app, now)
	res, err := a.Logins().SecondStep(ctx, auth.SecondStepRequest{Realm: "lpse", Pending: sfr.Pending, Method: auth.MethodTOTP, Code: code})
	if err != nil {
		panic(err)
	}
	fmt.Println("welcome,", res.Account.DisplayUsername)
	// Output:
	// second step: [totp recovery]
	// a wrong code: true
	// welcome, budi
}

// A login begins a session: the token goes into the cookie, and each
// request loads who it acts for; logging out ends it.
func ExampleSessions_Load() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	if _, err := a.Accounts().Register(ctx, auth.Registration{Realm: "ppid", Username: "Dewi.Lestari", Password: "teh manis hangat sore"}); err != nil {
		panic(err)
	}
	from := auth.Request{ClientAddr: "203.0.113.9"}
	res, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: "ppid", Username: "dewi.lestari", Password: "teh manis hangat sore", Request: from})
	if err != nil {
		panic(err) // a *SecondFactorRequired too: see ExampleLogins_Login
	}
	s, err := a.Sessions().Start(ctx, auth.StartSession{Account: res.Account, Request: from})
	if err != nil {
		panic(err)
	}
	fmt.Println("ends in", s.ExpiresAt.Sub(now), "unless idle for", s.IdleUntil.Sub(now))

	now = now.Add(10 * time.Minute)
	p, err := a.Sessions().Load(ctx, s.Token) // the cookie's value
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Realm, p.Username, p.Session.ClientAddr)

	if err := a.Sessions().Logout(ctx, auth.LogoutRequest{Token: s.Token, Request: from}); err != nil {
		panic(err)
	}
	_, err = a.Sessions().Load(ctx, s.Token)
	fmt.Println("after logout:", errors.Is(err, auth.ErrNoSession))
	// Output:
	// ends in 12h0m0s unless idle for 30m0s
	// ppid Dewi.Lestari 203.0.113.9
	// after logout: true
}

// The settings page of an authenticator app: show the QR code (or the
// manual key) once, then confirm the app with its first code. The first
// factor comes with recovery codes, to show once.
func ExampleFactors_BeginTOTP() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ring, err := totp.NewKeyring("2026", map[string][]byte{"2026": bytes.Repeat([]byte{7}, totp.KeySize)})
	if err != nil {
		panic(err)
	}
	a, err := auth.New(auth.Config{
		Store:   memstore.New(),
		Hasher:  &authtest.Hasher{},
		Now:     func() time.Time { return now },
		Keyring: ring,
		Realm:   auth.Realm{SecondFactor: auth.SecondFactorPolicy{Issuer: "LPSE Kemenkeu"}},
	})
	if err != nil {
		panic(err)
	}
	const pw = "kopi tubruk di pagi hari"
	reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "Budi.Santoso", Password: pw})
	if err != nil {
		panic(err)
	}
	factors := a.Factors()

	// The current password, not the session alone: a stolen session must
	// not change how the account logs in.
	_, err = factors.BeginTOTP(ctx, auth.FactorChange{AccountID: reg.Account.ID, Password: "tebakan"})
	fmt.Println(errors.Is(err, auth.ErrInvalidCredentials))

	e, err := factors.BeginTOTP(ctx, auth.FactorChange{AccountID: reg.Account.ID, Password: pw, Label: "Ponsel Budi"})
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Issuer, "/", e.AccountName, http.DetectContentType(e.QR), strings.HasPrefix(e.URI, "otpauth://totp/"))

	code, _ := totp.Params{}.Code(appSecret(e.URI), now) // what the app shows
	done, err := factors.ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: reg.Account.ID, FactorID: e.FactorID, Code: code})
	if err != nil {
		panic(err)
	}
	fmt.Println("recovery codes:", len(done.RecoveryCodes))
	sum, err := factors.Summary(ctx, reg.Account.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(sum.Factors[0].Kind, sum.Factors[0].Label, sum.RecoveryCodes)
	// Output:
	// true
	// LPSE Kemenkeu / Budi.Santoso image/png true
	// recovery codes: 10
	// totp Ponsel Budi 10
}

// An account's history, newest first, for a page where its owner can
// spot a login that was not theirs.
func ExampleActivity_List() {
	ctx := context.Background()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	now := start
	a, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari",
		Request: auth.Request{ClientAddr: "203.0.113.9"}})
	if err != nil {
		panic(err)
	}
	for _, try := range []struct{ addr, password string }{
		{"198.51.100.23", "kopi susu"},
		{"203.0.113.9", "kopi tubruk di pagi hari"},
	} {
		now = now.Add(time.Hour)
		_, _ = a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: try.password,
			Request: auth.Request{ClientAddr: try.addr}})
	}

	history, err := a.Activity().List(ctx, auth.ActivityQuery{AccountID: reg.Account.ID, Limit: 20})
	if err != nil {
		panic(err)
	}
	for _, e := range history {
		fmt.Println(e.Time.Sub(start), e.Kind, e.ClientAddr, e.Details)
	}
	// Output:
	// 2h0m0s login.succeeded 203.0.113.9 map[]
	// 1h0m0s login.failed 198.51.100.23 map[reason:bad_password]
	// 0s account.registered 203.0.113.9 map[state:active]
}

// A realm that offers "log in with a passkey": no username and no
// password, the authenticator finds the passkey and verifies its user. A
// page on another origin (a phishing site relaying the challenge) gets
// nothing.
func ExampleLogins_PasskeyLogin() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	a, err := auth.New(auth.Config{
		Store:  memstore.New(),
		Hasher: &authtest.Hasher{},
		Now:    func() time.Time { return now },
		Realms: map[string]auth.Realm{"lpse": {
			Messages: auth.Messages{PortalName: "LPSE Kemenkeu"}, // what authenticators show
			Passkeys: auth.PasskeyPolicy{
				RPID:         "lpse.example.go.id",
				Origins:      []string{"https://lpse.example.go.id"},
				Passwordless: true,
			},
		}},
	})
	if err != nil {
		panic(err)
	}
	const pw = "kopi tubruk di pagi hari"
	reg, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: pw})
	if err != nil {
		panic(err)
	}
	// The browser's navigator.credentials, played by a software
	// authenticator.
	browser := authtest.NewSoftAuthenticator("https://lpse.example.go.id")

	// Budi adds a passkey on his settings page, with his password.
	ch, err := a.Factors().BeginPasskey(ctx, auth.FactorChange{AccountID: reg.Account.ID, Password: pw})
	if err != nil {
		panic(err)
	}
	made, err := browser.Create(ch.Options) // navigator.credentials.create
	if err != nil {
		panic(err)
	}
	if _, err := a.Factors().ConfirmPasskey(ctx, auth.PasskeyConfirmation{AccountID: reg.Account.ID, Response: made, Name: "Ponsel Budi"}); err != nil {
		panic(err)
	}

	login := func() (*auth.LoginResult, error) {
		ch, err := a.Logins().BeginPasskey(ctx, auth.PasskeyStart{Realm: "lpse", Request: auth.Request{ClientAddr: "203.0.113.9"}})
		if err != nil {
			return nil, err
		}
		answer, err := browser.Get(ch.Options) // navigator.credentials.get
		if err != nil {
			return nil, err
		}
		return a.Logins().PasskeyLogin(ctx, auth.PasskeyLoginRequest{Realm: "lpse", Ceremony: ch.Ceremony, Response: answer,
			Request: auth.Request{ClientAddr: "203.0.113.9"}})
	}
	res, err := login()
	if err != nil {
		panic(err)
	}
	fmt.Println("welcome,", res.Account.Username)

	browser.Origin = "https://lpse-example.go.id.phish.example"
	_, err = login()
	fmt.Println("from another origin:", errors.Is(err, auth.ErrPasskeyRefused))
	// Output:
	// welcome, budi
	// from another origin: true
}

// "Lupa kata sandi": the answer is the same whether or not the address
// names an account, and the link is sent in the background; Close waits
// for it (in a server, at shutdown).
func ExampleAccounts_RequestReset() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var outbox notify.Outbox // an *notify.SMTP in a server
	a, err := auth.New(auth.Config{
		Store:  memstore.New(),
		Hasher: &authtest.Hasher{},
		Now:    func() time.Time { return now },
		Sender: &outbox,
		Realm: auth.Realm{
			Messages: auth.Messages{PortalName: "LPSE Kemenkeu"},
			Links:    auth.Links{Reset: "https://lpse.example.go.id/atur-ulang"},
		},
	})
	if err != nil {
		panic(err)
	}
	if _, err := a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: "kopi tubruk di pagi hari"}); err != nil {
		panic(err)
	}

	for _, typed := range []string{"Budi@Example.id", "siapa@example.id"} {
		started, err := a.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "lpse", Identifier: typed,
			Request: auth.Request{ClientAddr: "203.0.113.9", Locale: "id"}})
		if err != nil {
			panic(err)
		}
		// Keep started.Flow with the form: a code redeems only with it.
		fmt.Println(typed, "answered:", started.Flow != "")
	}
	a.Close()

	fmt.Println("messages sent:", outbox.Len())
	m, _ := outbox.Last("budi@example.id")
	link, _ := notify.ExtractLink(m)
	fmt.Println(m.Purpose, m.Locale, strings.HasPrefix(link, "https://lpse.example.go.id/atur-ulang?"))
	// Output:
	// Budi@Example.id answered: true
	// siapa@example.id answered: true
	// messages sent: 1
	// reset_link id true
}

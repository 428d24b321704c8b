package authtest

import (
	"context"

	"github.com/masuk-id/masuk/auth"
)

// AddPasskey adds a passkey that key makes to the account, after checking
// the password, as an owner's settings page does, and returns its ID
// (auth.PasskeyInfo.ID). The account's realm must have passkeys, with
// key.Origin among its origins.
func (k *Kit) AddPasskey(t TB, accountID, password string, key *SoftAuthenticator) string {
	t.Helper()
	ctx := context.Background()
	r := auth.Request{UserAgent: UserAgent}
	ch, err := k.Auth.Factors().BeginPasskey(ctx, auth.FactorChange{AccountID: accountID, Password: password, Request: r})
	if err != nil {
		t.Fatalf("authtest: AddPasskey: %v", err)
	}
	resp, err := key.Create(ch.Options)
	if err != nil {
		t.Fatalf("authtest: AddPasskey: %v", err)
	}
	e, err := k.Auth.Factors().ConfirmPasskey(ctx, auth.PasskeyConfirmation{AccountID: accountID, Response: resp, Name: TOTPLabel, Request: r})
	if err != nil {
		t.Fatalf("authtest: AddPasskey: %v", err)
	}
	return e.FactorID
}

// PasskeyAnswer begins the passkey ceremony of a pending login (from a
// *auth.SecondFactorRequired) and returns key's answer, to pass to
// Logins.SecondStep as the Code of auth.MethodPasskey.
func (k *Kit) PasskeyAnswer(t TB, realm, pending string, key *SoftAuthenticator) string {
	t.Helper()
	ch, err := k.Auth.Logins().BeginPasskey(context.Background(), auth.PasskeyStart{Realm: realm, Pending: pending, Request: auth.Request{UserAgent: UserAgent}})
	if err != nil {
		t.Fatalf("authtest: PasskeyAnswer: %v", err)
	}
	resp, err := key.Get(ch.Options)
	if err != nil {
		t.Fatalf("authtest: PasskeyAnswer: %v", err)
	}
	return string(resp)
}

// PasskeyLogin logs in to the realm with key's passkey alone, as the
// "log in with a passkey" button of a realm that offers it does, from the
// client address addr, and returns what Logins.PasskeyLogin returns.
func (k *Kit) PasskeyLogin(t TB, realm, addr string, key *SoftAuthenticator) (*auth.LoginResult, error) {
	t.Helper()
	ctx := context.Background()
	r := auth.Request{ClientAddr: addr, UserAgent: UserAgent}
	ch, err := k.Auth.Logins().BeginPasskey(ctx, auth.PasskeyStart{Realm: realm, Request: r})
	if err != nil {
		return nil, err
	}
	resp, err := key.Get(ch.Options)
	if err != nil {
		t.Fatalf("authtest: PasskeyLogin: %v", err)
	}
	return k.Auth.Logins().PasskeyLogin(ctx, auth.PasskeyLoginRequest{Realm: realm, Ceremony: ch.Ceremony, Response: resp, Request: r})
}

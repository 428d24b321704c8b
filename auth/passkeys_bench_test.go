package auth_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/totp"
)

// benchUser is one account with one passkey, as go-webauthn sees it.
type benchUser struct{ creds []webauthn.Credential }

func (u *benchUser) WebAuthnID() []byte                         { return []byte("0123456789abcdef0123456789abcdef") }
func (u *benchUser) WebAuthnName() string                       { return "budi" }
func (u *benchUser) WebAuthnDisplayName() string                { return "Budi" }
func (u *benchUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// BenchmarkPasskeyVerify is what checking a second step's passkey costs
// the server: parsing the browser's answer and verifying it (client data,
// RP ID hash, flags, the ES256 signature), as Logins.SecondStep does,
// against TOTP's Params.Match in the same run. The answers are made
// before the timer starts, one per challenge.
func BenchmarkPasskeyVerify(b *testing.B) {
	w, err := webauthn.New(&webauthn.Config{RPID: pkRPID, RPDisplayName: "LPSE", RPOrigins: []string{pkOrigin}})
	if err != nil {
		b.Fatal(err)
	}
	key := authtest.NewSoftAuthenticator(pkOrigin)
	u := &benchUser{}
	creation, sd, err := w.BeginRegistration(u)
	if err != nil {
		b.Fatal(err)
	}
	resp, err := key.Create(mustJSON(b, creation))
	if err != nil {
		b.Fatal(err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(resp)
	if err != nil {
		b.Fatal(err)
	}
	cred, err := w.CreateCredential(u, *sd, parsed)
	if err != nil {
		b.Fatal(err)
	}
	u.creds = []webauthn.Credential{*cred}

	type answer struct {
		sd   webauthn.SessionData
		resp []byte
	}
	const n = 512
	answers := make([]answer, n)
	for i := range answers {
		assertion, sd, err := w.BeginLogin(u)
		if err != nil {
			b.Fatal(err)
		}
		resp, err := key.Get(mustJSON(b, assertion))
		if err != nil {
			b.Fatal(err)
		}
		answers[i] = answer{*sd, resp}
	}
	b.Run("passkey", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a := answers[i%n]
			i++
			p, err := protocol.ParseCredentialRequestResponseBytes(a.resp)
			if err != nil {
				b.Fatal(err)
			}
			// The stored credential keeps the count it was made with, so
			// every answer verifies as the first would.
			if _, err := w.ValidateLogin(u, a.sd, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("totp", func(b *testing.B) {
		secret := []byte("12345678901234567890")
		now := time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC)
		code, err := totp.Params{}.Code(secret, now)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := (totp.Params{}).Match(secret, code, now); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func mustJSON(b *testing.B, v any) []byte {
	b.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

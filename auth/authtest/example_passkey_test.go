package authtest_test

import (
	"encoding/json"
	"fmt"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/masuk-id/masuk/auth/authtest"
)

// passkeyUser is the smallest webauthn.User: a random user handle, a name,
// and the credentials the server saved.
type passkeyUser struct {
	handle []byte
	name   string
	creds  []webauthn.Credential
}

func (u *passkeyUser) WebAuthnID() []byte                         { return u.handle }
func (u *passkeyUser) WebAuthnName() string                       { return u.name }
func (u *passkeyUser) WebAuthnDisplayName() string                { return u.name }
func (u *passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// A passkey registered and used twice, verified by go-webauthn, without a
// browser; then the same passkey, used from a page on another origin, is
// refused.
func ExampleSoftAuthenticator() {
	wa, err := webauthn.New(&webauthn.Config{
		RPID:          "lpse.example.go.id",
		RPDisplayName: "LPSE",
		RPOrigins:     []string{"https://lpse.example.go.id"},
	})
	if err != nil {
		panic(err)
	}
	budi := &passkeyUser{handle: []byte("budi's random handle"), name: "budi"}
	passkeys := authtest.NewSoftAuthenticator("https://lpse.example.go.id")

	// Registration: the server's options go to the authenticator, its
	// answer back to the server.
	creation, session, err := wa.BeginRegistration(budi)
	if err != nil {
		panic(err)
	}
	options, _ := json.Marshal(creation)
	answer, err := passkeys.Create(options)
	if err != nil {
		panic(err)
	}
	parsed, err := protocol.ParseCredentialCreationResponseBytes(answer)
	if err != nil {
		panic(err)
	}
	cred, err := wa.CreateCredential(budi, *session, parsed)
	if err != nil {
		panic(err)
	}
	budi.creds = append(budi.creds, *cred)
	fmt.Println("registered:", cred.AttestationFormat, cred.Transport, "user verified:", cred.Flags.UserVerified)

	login := func() (*webauthn.Credential, error) {
		assertion, session, err := wa.BeginLogin(budi, webauthn.WithUserVerification(protocol.VerificationRequired))
		if err != nil {
			return nil, err
		}
		options, _ := json.Marshal(assertion)
		answer, err := passkeys.Get(options)
		if err != nil {
			return nil, err
		}
		parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
		if err != nil {
			return nil, err
		}
		return wa.ValidateLogin(budi, *session, parsed)
	}
	for range 2 {
		cred, err := login()
		if err != nil {
			panic(err)
		}
		budi.creds[0] = *cred // save the new sign count
		fmt.Println("logged in, sign count", cred.Authenticator.SignCount)
	}

	passkeys.Origin = "https://lpse.example.go.id.evil.example"
	_, err = login()
	fmt.Println("from another origin:", err)
	// Output:
	// registered: none [internal] user verified: true
	// logged in, sign count 1
	// logged in, sign count 2
	// from another origin: Error validating origin
}

package authtest_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/protocol/webauthncose"
	"github.com/go-webauthn/webauthn/webauthn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/authtest"
)

const (
	pkRPID   = "lpse.example.go.id"
	pkOrigin = "https://lpse.example.go.id"
)

func newRP(t *testing.T) *webauthn.WebAuthn {
	t.Helper()
	wa, err := webauthn.New(&webauthn.Config{RPID: pkRPID, RPDisplayName: "LPSE", RPOrigins: []string{pkOrigin}})
	require.NoError(t, err)
	return wa
}

func newPasskeyUser(name string) *passkeyUser {
	return &passkeyUser{handle: []byte("handle of " + name), name: name}
}

// register runs a registration ceremony and saves the credential to u.
func register(t *testing.T, wa *webauthn.WebAuthn, sa *authtest.SoftAuthenticator, u *passkeyUser, opts ...webauthn.RegistrationOption) *webauthn.Credential {
	t.Helper()
	cred, err := tryRegister(t, wa, sa, u, opts...)
	require.NoError(t, err)
	u.creds = append(u.creds, *cred)
	return cred
}

// tryRegister runs a registration ceremony up to the server's verdict.
func tryRegister(t *testing.T, wa *webauthn.WebAuthn, sa *authtest.SoftAuthenticator, u *passkeyUser, opts ...webauthn.RegistrationOption) (*webauthn.Credential, error) {
	t.Helper()
	creation, session, err := wa.BeginRegistration(u, opts...)
	require.NoError(t, err)
	options, err := json.Marshal(creation)
	require.NoError(t, err)
	answer, err := sa.Create(options)
	require.NoError(t, err)
	parsed, err := protocol.ParseCredentialCreationResponseBytes(answer)
	require.NoError(t, err)
	return wa.CreateCredential(u, *session, parsed)
}

// beginLogin starts a login for u and returns the options to hand to the
// authenticator.
func beginLogin(t *testing.T, wa *webauthn.WebAuthn, u *passkeyUser, opts ...webauthn.LoginOption) ([]byte, *webauthn.SessionData) {
	t.Helper()
	assertion, session, err := wa.BeginLogin(u, opts...)
	require.NoError(t, err)
	options, err := json.Marshal(assertion)
	require.NoError(t, err)
	return options, session
}

// tryLogin runs a login ceremony for u up to the server's verdict.
func tryLogin(t *testing.T, wa *webauthn.WebAuthn, sa *authtest.SoftAuthenticator, u *passkeyUser, opts ...webauthn.LoginOption) (*webauthn.Credential, error) {
	t.Helper()
	options, session := beginLogin(t, wa, u, opts...)
	answer, err := sa.Get(options)
	require.NoError(t, err)
	parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
	require.NoError(t, err)
	return wa.ValidateLogin(u, *session, parsed)
}

// login runs a login ceremony that must succeed and saves the new counter
// and flags to u, as a server does.
func login(t *testing.T, wa *webauthn.WebAuthn, sa *authtest.SoftAuthenticator, u *passkeyUser, opts ...webauthn.LoginOption) *webauthn.Credential {
	t.Helper()
	cred, err := tryLogin(t, wa, sa, u, opts...)
	require.NoError(t, err)
	save(u, cred)
	return cred
}

func save(u *passkeyUser, cred *webauthn.Credential) {
	for i := range u.creds {
		if bytes.Equal(u.creds[i].ID, cred.ID) {
			u.creds[i] = *cred
		}
	}
}

// refusedFor asserts that go-webauthn refused a ceremony, for the reason
// want names.
func refusedFor(t *testing.T, err error, want string) {
	t.Helper()
	var perr *protocol.Error
	require.ErrorAs(t, err, &perr)
	assert.Contains(t, perr.Details+" "+perr.DevInfo, want)
}

var uvRequired = webauthn.WithUserVerification(protocol.VerificationRequired)

func uuidString(b []byte) string {
	if len(b) != 16 {
		return fmt.Sprintf("%x", b)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func TestSoftAuthenticatorRegisterAndLogin(t *testing.T) {
	wa := newRP(t)
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	sa.BackupEligible, sa.BackedUp = true, true
	u := newPasskeyUser("budi")

	cred := register(t, wa, sa, u, webauthn.WithExtensions(webauthn.WithExtensionCredProps()))
	assert.Equal(t, "none", cred.AttestationFormat)
	assert.Equal(t, authtest.SoftAAGUID, uuidString(cred.Authenticator.AAGUID))
	assert.Len(t, cred.ID, 32)
	assert.Equal(t, []protocol.AuthenticatorTransport{protocol.Internal}, cred.Transport)
	assert.Equal(t, protocol.Platform, cred.Authenticator.Attachment)
	assert.True(t, cred.Flags.UserPresent)
	assert.True(t, cred.Flags.UserVerified)
	assert.True(t, cred.Flags.BackupEligible)
	assert.True(t, cred.Flags.BackupState)
	assert.Zero(t, cred.Authenticator.SignCount)
	require.NotNil(t, cred.Extensions.RK, "credProps answered")
	assert.True(t, *cred.Extensions.RK)

	held := sa.Credentials()
	require.Len(t, held, 1)
	assert.Equal(t, authtest.SoftCredential{ID: cred.ID, RPID: pkRPID, UserHandle: u.handle, SignCount: 0}, held[0])

	for want := uint32(1); want <= 2; want++ {
		got := login(t, wa, sa, u, uvRequired)
		assert.Equal(t, cred.ID, got.ID)
		assert.Equal(t, want, got.Authenticator.SignCount)
		assert.False(t, got.Authenticator.CloneWarning)
		assert.True(t, got.Flags.UserVerified)
	}
	assert.Equal(t, uint32(2), sa.Credentials()[0].SignCount)
}

func TestSoftAuthenticatorDeviceBound(t *testing.T) {
	wa := newRP(t)
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	u := newPasskeyUser("siti")
	cred := register(t, wa, sa, u)
	assert.False(t, cred.Flags.BackupEligible)
	assert.False(t, cred.Flags.BackupState)
	assert.Nil(t, cred.Extensions.RK, "no credProps unless asked")
}

func TestSoftAuthenticatorDiscoverableLogin(t *testing.T) {
	wa := newRP(t)
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	users := map[string]*passkeyUser{}
	for _, name := range []string{"budi", "siti"} {
		u := newPasskeyUser(name)
		users[string(u.handle)] = u
		register(t, wa, sa, u, webauthn.WithResidentKeyRequirement(protocol.ResidentKeyRequirementRequired))
	}

	assertion, session, err := wa.BeginDiscoverableLogin(uvRequired)
	require.NoError(t, err)
	options, err := json.Marshal(assertion)
	require.NoError(t, err)
	answer, err := sa.Get(options)
	require.NoError(t, err)
	parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
	require.NoError(t, err)

	var asked []byte
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		asked = userHandle
		if u, ok := users[string(userHandle)]; ok {
			return u, nil
		}
		return nil, errors.New("no such user")
	}
	user, cred, err := wa.ValidatePasskeyLogin(handler, *session, parsed)
	require.NoError(t, err)
	assert.Equal(t, []byte("handle of siti"), asked, "the newest credential answers")
	assert.Equal(t, "siti", user.WebAuthnName())
	assert.Equal(t, uint32(1), cred.Authenticator.SignCount)
}

func TestSoftAuthenticatorFixedCounter(t *testing.T) {
	wa := newRP(t)
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	sa.BackupEligible, sa.BackedUp, sa.FixedCounter = true, true, true
	u := newPasskeyUser("budi")
	register(t, wa, sa, u)
	for range 2 {
		cred := login(t, wa, sa, u)
		assert.Zero(t, cred.Authenticator.SignCount)
		assert.False(t, cred.Authenticator.CloneWarning, "0 and 0 is what synced passkeys report")
	}
	assert.Zero(t, sa.Credentials()[0].SignCount)
}

// TestSoftAuthenticatorBareOptions: a portal that sends the inner
// publicKey object, as PublicKeyCredential.parse*OptionsFromJSON takes it.
func TestSoftAuthenticatorBareOptions(t *testing.T) {
	wa := newRP(t)
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	u := newPasskeyUser("budi")

	creation, session, err := wa.BeginRegistration(u)
	require.NoError(t, err)
	options, err := json.Marshal(creation.Response)
	require.NoError(t, err)
	require.NotContains(t, string(options), `"publicKey"`)
	answer, err := sa.Create(options)
	require.NoError(t, err)
	parsed, err := protocol.ParseCredentialCreationResponseBytes(answer)
	require.NoError(t, err)
	cred, err := wa.CreateCredential(u, *session, parsed)
	require.NoError(t, err)
	u.creds = append(u.creds, *cred)

	assertion, lsession, err := wa.BeginLogin(u)
	require.NoError(t, err)
	options, err = json.Marshal(assertion.Response)
	require.NoError(t, err)
	answer, err = sa.Get(options)
	require.NoError(t, err)
	lparsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
	require.NoError(t, err)
	_, err = wa.ValidateLogin(u, *lsession, lparsed)
	require.NoError(t, err)
}

// TestSoftAuthenticatorResponseShape checks the JSON against what a
// browser's toJSON() gives, member by member.
func TestSoftAuthenticatorResponseShape(t *testing.T) {
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	challenge := base64.RawURLEncoding.EncodeToString([]byte("a challenge of 32 bytes, exactly"))
	answer, err := sa.Create([]byte(`{"publicKey":{"rp":{"id":"lpse.example.go.id","name":"LPSE"},
		"user":{"id":"aGFuZGxl","name":"budi","displayName":"budi"},"challenge":"` + challenge + `",
		"pubKeyCredParams":[{"type":"public-key","alg":-8},{"type":"public-key","alg":-7}]}}`))
	require.NoError(t, err)

	var created struct {
		ID       string `json:"id"`
		RawID    string `json:"rawId"`
		Type     string `json:"type"`
		Response struct {
			ClientDataJSON     string   `json:"clientDataJSON"`
			AttestationObject  string   `json:"attestationObject"`
			AuthenticatorData  string   `json:"authenticatorData"`
			PublicKeyAlgorithm int      `json:"publicKeyAlgorithm"`
			Transports         []string `json:"transports"`
		} `json:"response"`
		AuthenticatorAttachment string         `json:"authenticatorAttachment"`
		ClientExtensionResults  map[string]any `json:"clientExtensionResults"`
	}
	require.NoError(t, json.Unmarshal(answer, &created))
	assert.Equal(t, created.ID, created.RawID)
	assert.Equal(t, "public-key", created.Type)
	assert.Equal(t, "platform", created.AuthenticatorAttachment)
	assert.Equal(t, map[string]any{}, created.ClientExtensionResults)
	assert.Equal(t, []string{"internal"}, created.Response.Transports)
	assert.Equal(t, -7, created.Response.PublicKeyAlgorithm)
	assert.NotContains(t, string(answer), "=", "base64url without padding")
	cdj, err := base64.RawURLEncoding.DecodeString(created.Response.ClientDataJSON)
	require.NoError(t, err)
	assert.JSONEq(t, `{"type":"webauthn.create","challenge":"`+challenge+`","origin":"https://lpse.example.go.id","crossOrigin":false}`, string(cdj))
	ad, err := base64.RawURLEncoding.DecodeString(created.Response.AuthenticatorData)
	require.NoError(t, err)
	assert.Equal(t, byte(0x45), ad[32], "UP, UV and AT")
	assert.Equal(t, []byte{0, 0, 0, 0}, ad[33:37], "the counter starts at zero")
	assert.Equal(t, []byte("masuk-authtest01"), ad[37:53], "AAGUID")
	assert.Equal(t, []byte{0, 32}, ad[53:55], "credential ID length")
	id, err := base64.RawURLEncoding.DecodeString(created.ID)
	require.NoError(t, err)
	assert.Equal(t, id, ad[55:87])

	answer, err = sa.Get([]byte(`{"challenge":"` + challenge + `","rpId":"lpse.example.go.id"}`))
	require.NoError(t, err)
	var got struct {
		ID       string `json:"id"`
		Response struct {
			ClientDataJSON    string `json:"clientDataJSON"`
			AuthenticatorData string `json:"authenticatorData"`
			Signature         string `json:"signature"`
			UserHandle        string `json:"userHandle"`
		} `json:"response"`
		ClientExtensionResults map[string]any `json:"clientExtensionResults"`
	}
	require.NoError(t, json.Unmarshal(answer, &got))
	assert.Equal(t, created.ID, got.ID)
	assert.Equal(t, "aGFuZGxl", got.Response.UserHandle)
	assert.NotEmpty(t, got.Response.Signature)
	ad, err = base64.RawURLEncoding.DecodeString(got.Response.AuthenticatorData)
	require.NoError(t, err)
	assert.Len(t, ad, 37)
	assert.Equal(t, byte(0x05), ad[32], "UP and UV")
	assert.Equal(t, []byte{0, 0, 0, 1}, ad[33:37])
	cdj, err = base64.RawURLEncoding.DecodeString(got.Response.ClientDataJSON)
	require.NoError(t, err)
	assert.Contains(t, string(cdj), `"type":"webauthn.get"`)
}

// TestSoftAuthenticatorRefused: each response a server must refuse is
// refused by go-webauthn.
func TestSoftAuthenticatorRefused(t *testing.T) {
	t.Run("registration from another origin", func(t *testing.T) {
		sa := authtest.NewSoftAuthenticator("https://lpse.example.go.id.evil.example")
		_, err := tryRegister(t, newRP(t), sa, newPasskeyUser("budi"))
		refusedFor(t, err, "origin")
	})
	t.Run("registration with another RP ID", func(t *testing.T) {
		sa := authtest.NewSoftAuthenticator(pkOrigin)
		sa.RPID = "evil.example"
		_, err := tryRegister(t, newRP(t), sa, newPasskeyUser("budi"))
		refusedFor(t, err, "RP Hash mismatch")
	})
	t.Run("registration without UV when UV is required", func(t *testing.T) {
		sa := authtest.NewSoftAuthenticator(pkOrigin)
		sa.NoUserVerification = true
		_, err := tryRegister(t, newRP(t), sa, newPasskeyUser("budi"),
			webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{UserVerification: protocol.VerificationRequired}))
		refusedFor(t, err, "User verification required")
	})

	cases := []struct {
		name  string
		setup func(sa *authtest.SoftAuthenticator)
		want  string
	}{
		{"login from another origin", func(sa *authtest.SoftAuthenticator) { sa.Origin = "https://lpse.example.go.id.evil.example" }, "origin"},
		{"login with another RP ID", func(sa *authtest.SoftAuthenticator) { sa.RPID = "evil.example" }, "RP Hash mismatch"},
		{"login without UV when UV is required", func(sa *authtest.SoftAuthenticator) { sa.NoUserVerification = true }, "User verification required"},
		{"login with a BE flag that changed", func(sa *authtest.SoftAuthenticator) { sa.BackupEligible = true }, "Backup Eligible"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wa := newRP(t)
			sa := authtest.NewSoftAuthenticator(pkOrigin)
			u := newPasskeyUser("budi")
			register(t, wa, sa, u)
			login(t, wa, sa, u, uvRequired) // it works before the change
			c.setup(sa)
			cred, err := tryLogin(t, wa, sa, u, uvRequired)
			refusedFor(t, err, c.want)
			assert.Nil(t, cred)
		})
	}

	t.Run("a response replayed against a new session", func(t *testing.T) {
		wa := newRP(t)
		sa := authtest.NewSoftAuthenticator(pkOrigin)
		u := newPasskeyUser("budi")
		register(t, wa, sa, u)
		options, session := beginLogin(t, wa, u)
		answer, err := sa.Get(options)
		require.NoError(t, err)
		parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
		require.NoError(t, err)
		cred, err := wa.ValidateLogin(u, *session, parsed)
		require.NoError(t, err)
		save(u, cred)

		_, session = beginLogin(t, wa, u)
		parsed, err = protocol.ParseCredentialRequestResponseBytes(answer)
		require.NoError(t, err)
		_, err = wa.ValidateLogin(u, *session, parsed)
		refusedFor(t, err, "challenge")
	})

	t.Run("a counter that went backwards", func(t *testing.T) {
		wa := newRP(t)
		sa := authtest.NewSoftAuthenticator(pkOrigin)
		u := newPasskeyUser("budi")
		cred := register(t, wa, sa, u)
		login(t, wa, sa, u)
		login(t, wa, sa, u)
		sa.SetSignCount(cred.ID, 0)
		assert.Zero(t, sa.Credentials()[0].SignCount)
		got, err := tryLogin(t, wa, sa, u)
		require.NoError(t, err, "go-webauthn signals a clone; the policy is the portal's")
		assert.True(t, got.Authenticator.CloneWarning)
	})

	t.Run("an excluded credential", func(t *testing.T) {
		wa := newRP(t)
		sa := authtest.NewSoftAuthenticator(pkOrigin)
		u := newPasskeyUser("budi")
		register(t, wa, sa, u)
		creation, _, err := wa.BeginRegistration(u, webauthn.WithExclusions(webauthn.Credentials(u.creds).CredentialDescriptors()))
		require.NoError(t, err)
		options, err := json.Marshal(creation)
		require.NoError(t, err)
		_, err = sa.Create(options)
		require.ErrorContains(t, err, "excludeCredentials")
		assert.Len(t, sa.Credentials(), 1)

		// Excluding another authenticator's credential is no reason to refuse.
		other := authtest.NewSoftAuthenticator(pkOrigin)
		_, err = other.Create(options)
		require.NoError(t, err)
	})
}

func TestSoftAuthenticatorCreateRefuses(t *testing.T) {
	wa := newRP(t)
	creation, _, err := wa.BeginRegistration(newPasskeyUser("budi"),
		webauthn.WithCredentialParameters([]protocol.CredentialParameter{{Type: protocol.PublicKeyCredentialType, Algorithm: webauthncose.AlgRS256}}))
	require.NoError(t, err)
	rs256, err := json.Marshal(creation)
	require.NoError(t, err)

	const chal = `"challenge":"Y2hhbGxlbmdlIGNoYWxsZW5nZQ"`
	cases := []struct {
		name, options, want string
	}{
		{"RS256 only", string(rs256), "ES256"},
		{"not JSON", `{"publicKey":`, "options"},
		{"no challenge", `{"rp":{"id":"lpse.example.go.id"},"user":{"id":"aGFuZGxl"}}`, "challenge"},
		{"no user id", `{"rp":{"id":"lpse.example.go.id"},` + chal + `}`, "user.id"},
		{"an excluded id not base64url", `{"user":{"id":"aGFuZGxl"},` + chal + `,"excludeCredentials":[{"type":"public-key","id":"!!"}]}`, "excludeCredentials"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sa := authtest.NewSoftAuthenticator(pkOrigin)
			_, err := sa.Create([]byte(c.options))
			require.ErrorContains(t, err, c.want)
			assert.Contains(t, err.Error(), "authtest: ")
			assert.Empty(t, sa.Credentials())
		})
	}

	t.Run("no origin", func(t *testing.T) {
		var sa authtest.SoftAuthenticator
		_, err := sa.Create([]byte(`{"user":{"id":"aGFuZGxl"},` + chal + `}`))
		require.ErrorContains(t, err, "Origin")
	})
	t.Run("no RP ID: the origin's host", func(t *testing.T) {
		sa := authtest.NewSoftAuthenticator(pkOrigin)
		_, err := sa.Create([]byte(`{"user":{"id":"aGFuZGxl"},` + chal + `,"pubKeyCredParams":[]}`))
		require.NoError(t, err)
		assert.Equal(t, pkRPID, sa.Credentials()[0].RPID)
	})
}

func TestSoftAuthenticatorGetRefuses(t *testing.T) {
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	const chal = `"challenge":"Y2hhbGxlbmdlIGNoYWxsZW5nZQ"`
	_, err := sa.Get([]byte(`{` + chal + `,"rpId":"lpse.example.go.id"}`))
	require.ErrorContains(t, err, "NotAllowedError", "holds nothing yet")

	_, err = sa.Create([]byte(`{"rp":{"id":"lpse.example.go.id"},"user":{"id":"aGFuZGxl"},` + chal + `}`))
	require.NoError(t, err)
	cases := []struct {
		name, options, want string
	}{
		{"another RP's discoverable login", `{` + chal + `,"rpId":"sirup.example.go.id"}`, "NotAllowedError"},
		{"a credential it does not hold", `{` + chal + `,"allowCredentials":[{"type":"public-key","id":"AAAA"}]}`, "NotAllowedError"},
		{"an allowed id not base64url", `{` + chal + `,"allowCredentials":[{"type":"public-key","id":"!!"}]}`, "allowCredentials"},
		{"no challenge", `{"rpId":"lpse.example.go.id"}`, "challenge"},
		{"not JSON", `[`, "options"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := sa.Get([]byte(c.options))
			require.ErrorContains(t, err, c.want)
		})
	}
	assert.Zero(t, sa.Credentials()[0].SignCount, "a refusal advances no counter")
}

// TestSoftAuthenticatorCredentialChoice: allowCredentials picks the first
// credential listed that it holds; a new credential for the same RP and
// user replaces the old one, as authenticators do.
func TestSoftAuthenticatorCredentialChoice(t *testing.T) {
	wa := newRP(t)
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	budi, siti := newPasskeyUser("budi"), newPasskeyUser("siti")
	b := register(t, wa, sa, budi)
	s := register(t, wa, sa, siti)

	both := &passkeyUser{handle: budi.handle, name: "budi", creds: []webauthn.Credential{{ID: []byte("held elsewhere")}, *s, *b}}
	options, _ := beginLogin(t, wa, both)
	answer, err := sa.Get(options)
	require.NoError(t, err)
	parsed, err := protocol.ParseCredentialRequestResponseBytes(answer)
	require.NoError(t, err)
	assert.Equal(t, s.ID, []byte(parsed.RawID))

	again := register(t, wa, sa, budi)
	held := sa.Credentials()
	require.Len(t, held, 2)
	assert.Equal(t, s.ID, held[0].ID)
	assert.Equal(t, again.ID, held[1].ID)
	assert.NotEqual(t, b.ID, again.ID)

	// Credentials returns copies.
	held[0].ID[0] ^= 0xff
	assert.Equal(t, s.ID, sa.Credentials()[0].ID)
	sa.SetSignCount([]byte("not held"), 7) // changes nothing
	held = sa.Credentials()
	assert.Equal(t, uint32(1), held[0].SignCount, "siti's signed once")
	assert.Zero(t, held[1].SignCount)
}

func TestSoftAuthenticatorConcurrent(t *testing.T) {
	wa := newRP(t)
	sa := authtest.NewSoftAuthenticator(pkOrigin)
	u := newPasskeyUser("budi")
	register(t, wa, sa, u)
	options, _ := beginLogin(t, wa, u)

	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Go(func() {
			_, err := sa.Get(options)
			errs <- err
		})
		wg.Go(func() {
			_, err := sa.Create(fmt.Appendf(nil, `{"rp":{"id":"lpse.example.go.id"},"user":{"id":"%s"},"challenge":"Y2hhbGxlbmdlIGNoYWxsZW5nZQ"}`,
				base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "user %d", i))))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	held := sa.Credentials()
	require.Len(t, held, n+1)
	assert.Equal(t, uint32(n), held[0].SignCount)
}

// FuzzSoftAuthenticatorOptions: whatever a server sends, Create and Get
// answer or fail; they never panic.
func FuzzSoftAuthenticatorOptions(f *testing.F) {
	wa, err := webauthn.New(&webauthn.Config{RPID: pkRPID, RPDisplayName: "LPSE", RPOrigins: []string{pkOrigin}})
	require.NoError(f, err)
	u := newPasskeyUser("budi")
	creation, _, err := wa.BeginRegistration(u, webauthn.WithExtensions(webauthn.WithExtensionCredProps()))
	require.NoError(f, err)
	b, err := json.Marshal(creation)
	require.NoError(f, err)
	f.Add(b)
	assertion, _, err := wa.BeginDiscoverableLogin()
	require.NoError(f, err)
	b, err = json.Marshal(assertion)
	require.NoError(f, err)
	f.Add(b)
	f.Add([]byte(`{"publicKey":null,"challenge":"AA","user":{"id":"AA"},"pubKeyCredParams":[{"type":"public-key","alg":-7}]}`))
	f.Add([]byte(`{"challenge":"AA==","allowCredentials":[{"id":""}],"rpId":""}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, options []byte) {
		sa := authtest.NewSoftAuthenticator(pkOrigin)
		_, _ = sa.Create(options)
		_, _ = sa.Get(options)
	})
}

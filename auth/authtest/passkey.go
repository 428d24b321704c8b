package authtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/fxamacker/cbor/v2"
)

// SoftAAGUID is the AAGUID of every credential a [SoftAuthenticator]
// makes, in the form go-webauthn's Credential.Authenticator.AAGUID takes
// when formatted as a UUID (its 16 bytes spell "masuk-authtest01"). A
// portal that permits or prohibits AAGUIDs (webauthn.Config.Filtering)
// lists it to let the soft authenticator in, or out.
const SoftAAGUID = "6d617375-6b2d-6175-7468-746573743031"

// softAAGUID is SoftAAGUID's 16 bytes.
const softAAGUID = "masuk-authtest01"

// COSE (RFC 9053) and authenticator data (WebAuthn §6.1) constants.
const (
	coseKeyTypeEC2 = 2
	coseAlgES256   = -7
	coseCurveP256  = 1

	flagUP = 0x01 // user present
	flagUV = 0x04 // user verified
	flagBE = 0x08 // backup eligible
	flagBS = 0x10 // backed up
	flagAT = 0x40 // attested credential data included
)

// ctap2 encodes CBOR canonically, as CTAP2 authenticators do.
var ctap2 = func() cbor.EncMode {
	em, err := cbor.CTAP2EncOptions().EncMode()
	if err != nil {
		panic("authtest: CTAP2 CBOR options: " + err.Error())
	}
	return em
}()

// SoftAuthenticator is a software passkey provider: it answers the
// options of a WebAuthn ceremony (what the server hands to
// navigator.credentials.create and .get) with the JSON a browser's
// PublicKeyCredential.toJSON() sends back, so a test runs real
// registrations and logins, verified by the server's own WebAuthn code,
// without a browser:
//
//	sa := authtest.NewSoftAuthenticator("https://lpse.example.go.id")
//	creation, session, _ := wa.BeginRegistration(user)
//	options, _ := json.Marshal(creation)
//	response, err := sa.Create(options)
//	parsed, _ := protocol.ParseCredentialCreationResponseBytes(response)
//	cred, err := wa.CreateCredential(user, *session, parsed)
//
// Its credentials are discoverable P-256 (ES256) keys with attestation
// "none", the AAGUID [SoftAAGUID] and the transport "internal", like a
// platform authenticator's. Its fields let a test make the responses a
// server must refuse: another origin, another RP ID, no user
// verification, backup flags that change, a counter that goes backwards
// ([SoftAuthenticator.SetSignCount]).
//
// A SoftAuthenticator is safe for concurrent use; its fields are read at
// each ceremony, so set them before the ceremonies that should see them,
// not while another goroutine runs one. Its keys are real and random
// (crypto/rand), so its responses differ from run to run. Never use it
// outside tests: its private keys are in memory, and it signs whatever it
// is given.
type SoftAuthenticator struct {
	// Origin is the origin the simulated browser reports in
	// clientDataJSON ("https://lpse.example.go.id"). Required: Create and
	// Get fail without it. When the options name no RP ID, the browser's
	// default, Origin's host, is used.
	Origin string
	// RPID, when set, is the RP ID hashed into the authenticator data
	// instead of the one the options name (to test a wrong RP ID). The
	// default, empty, hashes the options' RP ID.
	RPID string
	// NoUserVerification makes attestations and assertions without the
	// UV flag (a user who touched the key but gave no PIN or biometric).
	// The default, false, sets UV.
	NoUserVerification bool
	// BackupEligible and BackedUp set the BE and BS flags (a synced
	// passkey). They are read at every ceremony, so changing
	// BackupEligible after Create makes the assertions a server refuses
	// (BE must not change). The defaults, false, make a device-bound
	// passkey. BackedUp without BackupEligible is invalid, and sent as
	// set, for the server to refuse.
	BackupEligible, BackedUp bool
	// FixedCounter, when true, keeps the sign counters where they are
	// (zero, as synced passkeys report) instead of advancing them by one
	// at each assertion, the default.
	FixedCounter bool

	mu    sync.Mutex
	creds []*softCredential // oldest first
}

// SoftCredential is what a [SoftAuthenticator] holds for one credential,
// for a test to assert.
type SoftCredential struct {
	// ID is the credential ID (32 random bytes).
	ID []byte
	// RPID is the RP ID the creation options named (or Origin's host when
	// they named none), which discoverable logins look credentials up by.
	RPID string
	// UserHandle is the user.id of the creation options, returned in each
	// assertion.
	UserHandle []byte
	// SignCount is the counter the next assertion advances from.
	SignCount uint32
}

type softCredential struct {
	id         []byte
	rpID       string
	userHandle []byte
	key        *ecdsa.PrivateKey
	count      uint32
}

// NewSoftAuthenticator returns a SoftAuthenticator for pages served from
// origin ("https://lpse.example.go.id"), holding no credentials.
func NewSoftAuthenticator(origin string) *SoftAuthenticator {
	return &SoftAuthenticator{Origin: origin}
}

// descriptor is a PublicKeyCredentialDescriptor in its JSON form.
type descriptor struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// creationOptions is the part of PublicKeyCredentialCreationOptionsJSON
// an authenticator acts on.
type creationOptions struct {
	RP struct {
		ID string `json:"id"`
	} `json:"rp"`
	User struct {
		ID string `json:"id"`
	} `json:"user"`
	Challenge        string `json:"challenge"`
	PubKeyCredParams []struct {
		Type string `json:"type"`
		Alg  int64  `json:"alg"`
	} `json:"pubKeyCredParams"`
	ExcludeCredentials []descriptor `json:"excludeCredentials"`
	Extensions         struct {
		CredProps bool `json:"credProps"`
	} `json:"extensions"`
}

// requestOptions is the part of PublicKeyCredentialRequestOptionsJSON an
// authenticator acts on.
type requestOptions struct {
	Challenge        string       `json:"challenge"`
	RPID             string       `json:"rpId"`
	AllowCredentials []descriptor `json:"allowCredentials"`
}

// clientData is CollectedClientData, its members in the order browsers
// write them.
type clientData struct {
	Type        string `json:"type"`
	Challenge   string `json:"challenge"`
	Origin      string `json:"origin"`
	CrossOrigin bool   `json:"crossOrigin"`
}

// credentialJSON is PublicKeyCredential.toJSON()'s shape, for both
// ceremonies.
type credentialJSON struct {
	ID                      string         `json:"id"`
	RawID                   string         `json:"rawId"`
	Type                    string         `json:"type"`
	Response                any            `json:"response"`
	AuthenticatorAttachment string         `json:"authenticatorAttachment"`
	ClientExtensionResults  map[string]any `json:"clientExtensionResults"`
}

type attestationResponseJSON struct {
	ClientDataJSON     string   `json:"clientDataJSON"`
	AuthenticatorData  string   `json:"authenticatorData"`
	Transports         []string `json:"transports"`
	PublicKey          string   `json:"publicKey"`
	PublicKeyAlgorithm int64    `json:"publicKeyAlgorithm"`
	AttestationObject  string   `json:"attestationObject"`
}

type assertionResponseJSON struct {
	ClientDataJSON    string `json:"clientDataJSON"`
	AuthenticatorData string `json:"authenticatorData"`
	Signature         string `json:"signature"`
	UserHandle        string `json:"userHandle"`
}

var b64 = base64.RawURLEncoding

// decodeB64 decodes base64url, with or without padding, as browsers'
// parse*OptionsFromJSON do.
func decodeB64(s string) ([]byte, error) {
	return b64.DecodeString(strings.TrimRight(s, "="))
}

// unwrap decodes options into v: either {"publicKey":{...}} (as
// go-webauthn's CredentialCreation and CredentialAssertion marshal) or
// the bare inner object.
func unwrap(options []byte, v any) error {
	var outer struct {
		PublicKey json.RawMessage `json:"publicKey"`
	}
	if err := json.Unmarshal(options, &outer); err != nil {
		return fmt.Errorf("authtest: options: %w", err)
	}
	inner := []byte(outer.PublicKey)
	if len(inner) == 0 || string(inner) == "null" {
		inner = options
	}
	if err := json.Unmarshal(inner, v); err != nil {
		return fmt.Errorf("authtest: options: %w", err)
	}
	return nil
}

// rpIDs returns the RP ID the options scope the ceremony to (named, or
// the origin's host as a browser defaults it) and the one to hash into
// the authenticator data.
func (s *SoftAuthenticator) rpIDs(named string) (scope, hashed string, err error) {
	if s.Origin == "" {
		return "", "", errors.New("authtest: SoftAuthenticator has no Origin")
	}
	scope = named
	if scope == "" {
		u, err := url.Parse(s.Origin)
		if err != nil || u.Hostname() == "" {
			return "", "", fmt.Errorf("authtest: options name no RP ID and origin %q has no host", s.Origin)
		}
		scope = u.Hostname()
	}
	hashed = scope
	if s.RPID != "" {
		hashed = s.RPID
	}
	return scope, hashed, nil
}

// challenge returns the options' challenge as the browser reports it in
// clientDataJSON: base64url without padding.
func challenge(c string) (string, error) {
	raw, err := decodeB64(c)
	if err != nil || len(raw) == 0 {
		return "", errors.New("authtest: options have no base64url challenge")
	}
	return b64.EncodeToString(raw), nil
}

func (s *SoftAuthenticator) clientDataJSON(typ, challenge string) ([]byte, error) {
	return json.Marshal(clientData{Type: typ, Challenge: challenge, Origin: s.Origin})
}

// flags returns the authenticator data flags for the fields' settings.
func (s *SoftAuthenticator) flags() byte {
	f := byte(flagUP)
	if !s.NoUserVerification {
		f |= flagUV
	}
	if s.BackupEligible {
		f |= flagBE
	}
	if s.BackedUp {
		f |= flagBS
	}
	return f
}

// authData starts authenticator data: rpIdHash ‖ flags ‖ signCount.
func authData(rpID string, flags byte, count uint32) []byte {
	h := sha256.Sum256([]byte(rpID))
	d := append(h[:], flags)
	return binary.BigEndian.AppendUint32(d, count)
}

// Create answers navigator.credentials.create. options is the JSON the
// server sent: {"publicKey":{...}}, as go-webauthn's
// protocol.CredentialCreation marshals, or the bare inner object. Create
// makes a new discoverable P-256 credential for the options' RP ID and
// user.id and returns the JSON of PublicKeyCredential.toJSON():
// base64url fields, attestation "none", transports ["internal"],
// attachment "platform", and credProps {"rk":true} when the options ask
// for it. The counter starts at zero.
//
// As a browser does, Create fails when pubKeyCredParams is not empty and
// does not list ES256 (alg -7), and when excludeCredentials lists one of
// its credentials (a browser's InvalidStateError); and a new credential
// replaces the one it held for the same RP ID and user handle.
func (s *SoftAuthenticator) Create(options []byte) ([]byte, error) {
	var o creationOptions
	if err := unwrap(options, &o); err != nil {
		return nil, err
	}
	scope, hashed, err := s.rpIDs(o.RP.ID)
	if err != nil {
		return nil, err
	}
	chal, err := challenge(o.Challenge)
	if err != nil {
		return nil, err
	}
	userHandle, err := decodeB64(o.User.ID)
	if err != nil || len(userHandle) == 0 {
		return nil, errors.New("authtest: options have no base64url user.id")
	}
	es256 := len(o.PubKeyCredParams) == 0 // empty: the browser's defaults, ES256 among them
	for _, p := range o.PubKeyCredParams {
		es256 = es256 || p.Type == "public-key" && p.Alg == coseAlgES256
	}
	if !es256 {
		return nil, errors.New("authtest: pubKeyCredParams do not include ES256 (alg -7)")
	}
	exclude := make([][]byte, 0, len(o.ExcludeCredentials))
	for _, d := range o.ExcludeCredentials {
		id, err := decodeB64(d.ID)
		if err != nil {
			return nil, errors.New("authtest: excludeCredentials: an id is not base64url")
		}
		exclude = append(exclude, id)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("authtest: generate key: %w", err)
	}
	id := make([]byte, 32)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("authtest: credential id: %w", err)
	}
	cose, err := coseKey(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	spki, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("authtest: public key: %w", err)
	}
	cdj, err := s.clientDataJSON("webauthn.create", chal)
	if err != nil {
		return nil, err
	}

	ad := authData(hashed, s.flags()|flagAT, 0)
	ad = append(ad, softAAGUID...)
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(id)))
	ad = append(ad, id...)
	ad = append(ad, cose...)
	att, err := ctap2.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": ad})
	if err != nil {
		return nil, fmt.Errorf("authtest: attestation object: %w", err)
	}

	if err := s.add(&softCredential{id: id, rpID: scope, userHandle: userHandle, key: key}, exclude); err != nil {
		return nil, err
	}

	ext := map[string]any{}
	if o.Extensions.CredProps {
		ext["credProps"] = map[string]bool{"rk": true}
	}
	return json.Marshal(credentialJSON{
		ID:    b64.EncodeToString(id),
		RawID: b64.EncodeToString(id),
		Type:  "public-key",
		Response: attestationResponseJSON{
			ClientDataJSON:     b64.EncodeToString(cdj),
			AuthenticatorData:  b64.EncodeToString(ad),
			Transports:         []string{"internal"},
			PublicKey:          b64.EncodeToString(spki),
			PublicKeyAlgorithm: coseAlgES256,
			AttestationObject:  b64.EncodeToString(att),
		},
		AuthenticatorAttachment: "platform",
		ClientExtensionResults:  ext,
	})
}

// add stores c, unless one of the excluded IDs is already held, and drops
// the credential it replaces (same RP ID and user handle).
func (s *SoftAuthenticator) add(c *softCredential, exclude [][]byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, held := range s.creds {
		for _, id := range exclude {
			if bytes.Equal(held.id, id) {
				return errors.New("authtest: a credential in excludeCredentials is already on this authenticator (InvalidStateError)")
			}
		}
	}
	kept := s.creds[:0]
	for _, held := range s.creds {
		if held.rpID != c.rpID || !bytes.Equal(held.userHandle, c.userHandle) {
			kept = append(kept, held)
		}
	}
	clear(s.creds[len(kept):])
	s.creds = append(kept, c)
	return nil
}

// coseKey encodes pub as a COSE_Key (RFC 9053 §7.1.1): EC2, ES256, P-256.
func coseKey(pub *ecdsa.PublicKey) ([]byte, error) {
	// The uncompressed point is 0x04 ‖ X ‖ Y, each 32 bytes, left-padded.
	point, err := pub.Bytes()
	if err != nil {
		return nil, fmt.Errorf("authtest: public key: %w", err)
	}
	k, err := ctap2.Marshal(map[int]any{
		1:  coseKeyTypeEC2,
		3:  coseAlgES256,
		-1: coseCurveP256,
		-2: point[1:33],
		-3: point[33:65],
	})
	if err != nil {
		return nil, fmt.Errorf("authtest: COSE key: %w", err)
	}
	return k, nil
}

// Get answers navigator.credentials.get. options is the JSON the server
// sent: {"publicKey":{...}}, as go-webauthn's protocol.CredentialAssertion
// marshals, or the bare inner object. With allowCredentials, Get uses the
// first credential listed that it holds; without (a discoverable login),
// its newest credential for the options' RP ID. It advances that
// credential's counter by one (unless FixedCounter) and returns the JSON
// of PublicKeyCredential.toJSON(), with the credential's user handle.
// It fails, as a browser's NotAllowedError, when it holds no such
// credential.
func (s *SoftAuthenticator) Get(options []byte) ([]byte, error) {
	var o requestOptions
	if err := unwrap(options, &o); err != nil {
		return nil, err
	}
	scope, hashed, err := s.rpIDs(o.RPID)
	if err != nil {
		return nil, err
	}
	chal, err := challenge(o.Challenge)
	if err != nil {
		return nil, err
	}
	allow := make([][]byte, 0, len(o.AllowCredentials))
	for _, d := range o.AllowCredentials {
		id, err := decodeB64(d.ID)
		if err != nil {
			return nil, errors.New("authtest: allowCredentials: an id is not base64url")
		}
		allow = append(allow, id)
	}

	c, count, err := s.use(scope, allow)
	if err != nil {
		return nil, err
	}
	cdj, err := s.clientDataJSON("webauthn.get", chal)
	if err != nil {
		return nil, err
	}
	ad := authData(hashed, s.flags(), count)
	cdh := sha256.Sum256(cdj)
	digest := sha256.Sum256(append(bytes.Clone(ad), cdh[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, c.key, digest[:])
	if err != nil {
		return nil, fmt.Errorf("authtest: sign: %w", err)
	}
	return json.Marshal(credentialJSON{
		ID:    b64.EncodeToString(c.id),
		RawID: b64.EncodeToString(c.id),
		Type:  "public-key",
		Response: assertionResponseJSON{
			ClientDataJSON:    b64.EncodeToString(cdj),
			AuthenticatorData: b64.EncodeToString(ad),
			Signature:         b64.EncodeToString(sig),
			UserHandle:        b64.EncodeToString(c.userHandle),
		},
		AuthenticatorAttachment: "platform",
		ClientExtensionResults:  map[string]any{},
	})
}

// use picks the credential for an assertion and advances its counter,
// returning the count to report. Its id, user handle and key never change,
// so the caller may read them without the lock.
func (s *SoftAuthenticator) use(rpID string, allow [][]byte) (*softCredential, uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c *softCredential
	if len(allow) > 0 {
	find:
		for _, id := range allow {
			for _, held := range s.creds {
				if bytes.Equal(held.id, id) {
					c = held
					break find
				}
			}
		}
		if c == nil {
			return nil, 0, errors.New("authtest: holds none of the allowCredentials (NotAllowedError)")
		}
	} else {
		for i := len(s.creds) - 1; i >= 0 && c == nil; i-- {
			if s.creds[i].rpID == rpID {
				c = s.creds[i]
			}
		}
		if c == nil {
			return nil, 0, fmt.Errorf("authtest: holds no credential for RP ID %q (NotAllowedError)", rpID)
		}
	}
	if !s.FixedCounter {
		c.count++
	}
	return c, c.count, nil
}

// Credentials lists the credentials it holds, oldest first.
func (s *SoftAuthenticator) Credentials() []SoftCredential {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]SoftCredential, len(s.creds))
	for i, c := range s.creds {
		out[i] = SoftCredential{
			ID:         bytes.Clone(c.id),
			RPID:       c.rpID,
			UserHandle: bytes.Clone(c.userHandle),
			SignCount:  c.count,
		}
	}
	return out
}

// SetSignCount sets the counter of credential id to n; the next assertion
// reports n+1 (or n, with FixedCounter). Setting it below what the server
// last saw simulates a cloned authenticator. An id it does not hold
// changes nothing.
func (s *SoftAuthenticator) SetSignCount(id []byte, n uint32) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.creds {
		if bytes.Equal(c.id, id) {
			c.count = n
			return
		}
	}
}

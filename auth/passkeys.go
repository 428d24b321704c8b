package auth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// MethodPasskey is a passkey (WebAuthn): the second step's answer is the
// browser's assertion, which a look-alike site cannot relay.
const MethodPasskey Method = "passkey"

// ErrPasskeyRefused: a login with a passkey alone did not verify: an
// unknown passkey, a wrong signature, origin or relying party, an
// authenticator that did not verify its user, a counter that went back (a
// cloned authenticator), or a ceremony that expired or was used. One
// answer for all, as a wrong password is one answer; the reason is in the
// activity log.
var ErrPasskeyRefused = errors.New("auth: the passkey was not accepted")

// ErrPasskeysUnavailable: the realm has no passkeys (Realm.Passkeys.RPID
// is empty), or, for a login without a password, does not offer one
// (Realm.Passkeys.Passwordless).
var ErrPasskeysUnavailable = errors.New("auth: passkeys are not configured for this realm")

// PasskeyPolicy configures a realm's passkeys (WebAuthn credentials): a
// second factor that a phishing site cannot relay, since the browser binds
// each passkey to the site it was made for, and, where the realm offers
// it, a login without a password.
type PasskeyPolicy struct {
	// RPID is the relying party ID the realm's passkeys are bound to: the
	// portal's domain or a parent of it, without scheme or port
	// ("lpse.example.go.id"), never an IP address. Passkeys are bound to
	// it for life: changing it makes every passkey of the realm useless.
	// Empty means the realm has no passkeys.
	RPID string
	// Origins are the origins the realm's pages are served from
	// ("https://lpse.example.go.id"): https, or http only for localhost;
	// each host the RPID or a subdomain of it. Required with RPID.
	Origins []string
	// Name is the portal's name that authenticators show when a passkey
	// is made. Empty means SecondFactor.Issuer.
	Name string
	// Passwordless lets the realm's login page offer "log in with a
	// passkey": no username, no password, the authenticator finds the
	// passkey and verifies its user (a PIN, a fingerprint), which is both
	// factors. Passkeys made in such a realm are discoverable and verify
	// their user. Such a login asks for no captcha, even where the
	// realm's password logins always do: there is nothing to guess. It is
	// bounded by PerAddress and by the account's lock.
	Passwordless bool
	// PerAddress limits the passkey logins one client address may start
	// (each stores a challenge); the requests that come without an
	// address (Request.ClientAddr empty) share one such budget. Zero
	// means 60 every 10 minutes.
	PerAddress lockout.Rate
}

// errNoCeremony is ErrInvalidCode for a second step's passkey answer
// whose ceremony is gone (expired, used by an earlier submission of the
// same answer, never begun): nothing is verified, so it does not count
// toward the lock.
var errNoCeremony = fmt.Errorf("%w: the passkey's challenge expired or was used", ErrInvalidCode)

// ceremonyFor is how long a passkey ceremony's challenge lives.
const ceremonyFor = 5 * time.Minute

// MaxPasskeyResponse is the longest browser response (the JSON of a
// PublicKeyCredential) that masuk reads, in bytes.
const MaxPasskeyResponse = 64 << 10

// Token purposes of passkey ceremonies.
const (
	purposePasskeyCreate = "passkey.create"
	purposePasskeyLogin  = "passkey.login"
	purposePasskeyAlone  = "passkey.passwordless"
)

// fill checks a realm's passkey settings and builds its relying party.
func (p *PasskeyPolicy) fill(sf SecondFactorPolicy) (*webauthn.WebAuthn, error) {
	if p.RPID == "" {
		switch {
		case len(p.Origins) > 0:
			return nil, errors.New("Passkeys.Origins is set without Passkeys.RPID")
		case p.Passwordless:
			return nil, errors.New("Passkeys.Passwordless is set without Passkeys.RPID")
		case sf.Requirement == SecondFactorPhishingResistant:
			return nil, errors.New("SecondFactor.Requirement is SecondFactorPhishingResistant, which only passkeys meet, and Passkeys.RPID is empty")
		}
		return nil, nil
	}
	if sf.Requirement == SecondFactorOff {
		return nil, errors.New("Passkeys.RPID is set and SecondFactor.Requirement is SecondFactorOff")
	}
	if err := checkRPID(p.RPID); err != nil {
		return nil, err
	}
	if len(p.Origins) == 0 {
		return nil, errors.New("Passkeys.Origins is empty: name the origins the realm's pages are served from")
	}
	for _, o := range p.Origins {
		if err := checkOrigin(o, p.RPID); err != nil {
			return nil, err
		}
	}
	if p.Name == "" {
		p.Name = sf.Issuer
	}
	if p.Name == "" {
		return nil, errors.New("Passkeys.Name, SecondFactor.Issuer and Messages.PortalName are empty: name the portal for authenticators")
	}
	if p.PerAddress == (lockout.Rate{}) {
		p.PerAddress = lockout.Rate{Requests: 60, Window: 10 * time.Minute}
	}
	if p.PerAddress.Requests < 1 || p.PerAddress.Requests > 100 || p.PerAddress.Window <= 0 {
		return nil, errors.New("Passkeys.PerAddress must allow 1 to 100 requests in a positive window")
	}
	p.Origins = append([]string(nil), p.Origins...)
	uv, resident := protocol.VerificationPreferred, protocol.ResidentKeyRequirementPreferred
	if p.Passwordless {
		uv, resident = protocol.VerificationRequired, protocol.ResidentKeyRequirementRequired
	}
	w, err := webauthn.New(&webauthn.Config{
		RPID:                  p.RPID,
		RPDisplayName:         p.Name,
		RPOrigins:             p.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey:      resident,
			UserVerification: uv,
		},
		// The ceremony's token expires by masuk's clock; the timeout here
		// is only the hint the browser gets.
		Timeouts: webauthn.TimeoutsConfig{
			Login:        webauthn.TimeoutConfig{Timeout: ceremonyFor, TimeoutUVD: ceremonyFor},
			Registration: webauthn.TimeoutConfig{Timeout: ceremonyFor, TimeoutUVD: ceremonyFor},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("Passkeys: %w", err)
	}
	return w, nil
}

// checkRPID refuses a relying party ID that no browser accepts: empty
// labels, a scheme, a port, an IP address, upper case.
func checkRPID(id string) error {
	bad := func(why string) error { return fmt.Errorf("Passkeys.RPID %q %s", id, why) }
	switch {
	case strings.Contains(id, "://") || strings.ContainsAny(id, ":/?#@ "):
		return bad("is not a bare domain (no scheme, port or path)")
	case net.ParseIP(strings.Trim(id, "[]")) != nil:
		return bad("is an IP address, which cannot be a relying party ID")
	case len(id) > 253 || strings.ToLower(id) != id:
		return bad("is not a lower-case domain of at most 253 bytes")
	}
	for label := range strings.SplitSeq(id, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return bad("has an empty or malformed label")
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return bad("holds a character a domain may not (write an IDN in its xn-- form)")
			}
		}
	}
	return nil
}

// checkOrigin refuses an origin whose pages could not use passkeys of the
// relying party ID: not https (but for localhost), with a path, or on a
// host outside the ID's domain.
func checkOrigin(o, rpID string) error {
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("Passkeys.Origins: %q is not an origin (scheme://host[:port])", o)
	}
	host := u.Hostname()
	switch {
	case u.Scheme == "http" && host != "localhost":
		return fmt.Errorf("Passkeys.Origins: %q is http, which browsers allow passkeys on only for localhost", o)
	case u.Scheme != "https" && u.Scheme != "http":
		return fmt.Errorf("Passkeys.Origins: %q is neither https nor http", o)
	case host != rpID && !strings.HasSuffix(host, "."+rpID):
		return fmt.Errorf("Passkeys.Origins: %q is not on %s or a subdomain of it", o, rpID)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("Passkeys.Origins: %q has a bad port", o)
		}
	}
	return nil
}

// PasskeyChallenge is a passkey ceremony begun: hand Options to the
// browser's navigator.credentials (create or get), and bring back what it
// answers within 5 minutes. Each challenge is used once.
type PasskeyChallenge struct {
	// Options is the JSON the browser needs: {"publicKey": {...}}, for
	// PublicKeyCredential.parseCreationOptionsFromJSON or
	// parseRequestOptionsFromJSON (of its publicKey member).
	Options json.RawMessage `json:"options"`
	// Ceremony names a login without a password, to give back with the
	// answer (PasskeyLoginRequest.Ceremony): a bearer secret, to keep in
	// the page's form or the app's memory, never in a URL or a log.
	// Empty for the other ceremonies, which are bound to the account (or
	// the pending login) they were begun for.
	Ceremony string `json:"ceremony,omitempty"`
	// ExpiresAt is when the challenge ends.
	ExpiresAt time.Time `json:"expires_at"`
}

// PasskeyInfo describes a passkey for its owner's settings page, or an
// operator's. It holds no key.
type PasskeyInfo struct {
	// ID is the passkey's credential ID in base64url, to name it to
	// RenamePasskey and Remove.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Synced reports whether the passkey may be copied between the
	// owner's devices (backup eligible), BackedUp whether it is now.
	Synced     bool      `json:"synced"`
	BackedUp   bool      `json:"backed_up"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// passkeyID encodes a credential ID for pages and APIs.
func passkeyID(id []byte) string { return base64.RawURLEncoding.EncodeToString(id) }

// parsePasskeyID decodes what passkeyID encoded; false when it cannot be
// a credential ID.
func parsePasskeyID(s string) ([]byte, bool) {
	if s == "" || len(s) > base64.RawURLEncoding.EncodedLen(store.MaxPasskeyID) {
		return nil, false
	}
	id, err := base64.RawURLEncoding.DecodeString(s)
	return id, err == nil && len(id) > 0
}

func passkeyInfo(p store.Passkey) PasskeyInfo {
	return PasskeyInfo{ID: passkeyID(p.ID), Name: p.Name, Synced: p.BackupEligible, BackedUp: p.BackedUp, CreatedAt: p.CreatedAt, LastUsedAt: p.LastUsedAt}
}

// userHandle is the WebAuthn user ID of an account: a hash of its ID, so
// that it names the account to masuk alone and holds nothing personal
// (never a username or a NIK, which authenticators keep and show).
func userHandle(accountID string) []byte {
	h := sha256.Sum256([]byte("masuk/passkey-user\x00" + accountID))
	return h[:]
}

// passkeyUser is an account as go-webauthn sees it.
type passkeyUser struct {
	acct store.Account
	keys []store.Passkey
}

func (u passkeyUser) WebAuthnID() []byte { return userHandle(u.acct.ID) }

func (u passkeyUser) WebAuthnName() string {
	if u.acct.DisplayUsername != "" {
		return u.acct.DisplayUsername
	}
	return u.acct.Username
}

func (u passkeyUser) WebAuthnDisplayName() string {
	if n := u.acct.Profile["name"]; n != "" {
		return n
	}
	return u.WebAuthnName()
}

func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential {
	cs := make([]webauthn.Credential, len(u.keys))
	for i, k := range u.keys {
		ts := make([]protocol.AuthenticatorTransport, len(k.Transports))
		for j, t := range k.Transports {
			ts[j] = protocol.AuthenticatorTransport(t)
		}
		cs[i] = webauthn.Credential{
			ID:              k.ID,
			PublicKey:       k.PublicKey,
			AttestationType: "none",
			Transport:       ts,
			Flags:           webauthn.CredentialFlags{BackupEligible: k.BackupEligible, BackupState: k.BackedUp},
			Authenticator:   webauthn.Authenticator{AAGUID: k.AAGUID, SignCount: k.SignCount},
		}
	}
	return cs
}

// passkeysOf returns the relying party of realm r, or
// ErrPasskeysUnavailable.
func (a *Authenticator) passkeysOf(r *realmConfig) (*webauthn.WebAuthn, error) {
	if r.webauthn == nil || a.passkeys == nil {
		return nil, ErrPasskeysUnavailable
	}
	return r.webauthn, nil
}

// ceremonyChunk is how much of a ceremony's session data (JSON) one of
// its token's data entries holds: they hold at most 1 KiB each.
const ceremonyChunk = 1000

// saveCeremony stores a ceremony's session data in a single-use token
// that lives 5 minutes.
func (a *Authenticator) saveCeremony(ctx context.Context, realm, accountID, purpose, binding string, sd *webauthn.SessionData) (store.Token, string, error) {
	// The allowed credentials need not be kept: the credential that
	// answers must be one of the account's own either way.
	sd.AllowedCredentialIDs = nil
	raw, err := json.Marshal(sd)
	if err != nil {
		return store.Token{}, "", fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	data := map[string]string{dataRealm: realm}
	for i := 0; len(raw) > 0; i++ {
		n := min(len(raw), ceremonyChunk)
		if i >= store.MaxTokenData-1 {
			return store.Token{}, "", errors.New("auth: passkey ceremony: session data too large")
		}
		data["s"+strconv.Itoa(i)] = string(raw[:n])
		raw = raw[n:]
	}
	st, err := secret.NewToken(a.rand)
	if err != nil {
		return store.Token{}, "", fmt.Errorf("auth: %w", err)
	}
	if accountID == "" {
		// A login without a username has no account yet: each ceremony
		// is an account of its own to the token store, so that no number
		// of them crowds out another's.
		accountID, binding = "~passkey/"+st.Selector(), ""
	}
	now := a.now().UTC()
	t := store.Token{
		Selector: st.Selector(), AccountID: accountID, Purpose: purpose, Binding: binding,
		Hash: st.Hash(purpose), Data: data, MaxAttempts: 1,
		IssuedAt: now, ExpiresAt: now.Add(ceremonyFor),
	}
	if err := a.tokens.IssueToken(ctx, t, 0); err != nil {
		return store.Token{}, "", fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	return t, st.String(), nil
}

// takeCeremony finds a ceremony's token, by key or (with a zero key) by
// the secret that names it, and uses it up before anything is verified: of any number of
// answers to one challenge, one is ever checked. It returns false when
// there is none to take (expired, used, voided, of another realm).
func (a *Authenticator) takeCeremony(ctx context.Context, realm string, k store.TokenKey, named string) (webauthn.SessionData, bool, error) {
	var sd webauthn.SessionData
	var st secret.Token
	byName := k == (store.TokenKey{})
	if byName {
		var ok bool
		if st, ok = secret.ParseToken(named); !ok {
			return sd, false, nil
		}
		k = store.TokenKey{Selector: st.Selector()}
	}
	t, err := a.tokens.AttemptToken(ctx, k, a.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return sd, false, nil
	case err != nil:
		return sd, false, fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	if byName && (t.Purpose != purposePasskeyAlone || st.Verify(t.Hash, t.Purpose) != nil) {
		return sd, false, nil
	}
	if t.Data[dataRealm] != realm {
		return sd, false, nil
	}
	switch err := a.tokens.ConsumeToken(ctx, t.Selector, t.Hash); {
	case errors.Is(err, store.ErrNotFound):
		return sd, false, nil
	case err != nil:
		return sd, false, fmt.Errorf("auth: passkey ceremony: %w", err)
	}
	var raw strings.Builder
	for i := 0; ; i++ {
		s, ok := t.Data["s"+strconv.Itoa(i)]
		if !ok {
			break
		}
		raw.WriteString(s)
	}
	if err := json.Unmarshal([]byte(raw.String()), &sd); err != nil || sd.Challenge == "" {
		return sd, false, nil
	}
	return sd, true, nil
}

// options marshals a ceremony's options for the browser.
func options(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("auth: passkey options: %w", err)
	}
	return b, nil
}

// checkResponse refuses, before anything is parsed, a browser response
// longer than any authenticator sends.
func checkResponse(resp []byte) error {
	if len(resp) > MaxPasskeyResponse {
		return &FieldError{Field: "credential", Max: MaxPasskeyResponse}
	}
	return nil
}

// BeginPasskey starts adding a passkey: after the same check as every
// factor change (the current password, a recent reauthentication, or the
// pending enrollment a login required), it returns the options for the
// browser's navigator.credentials.create. The passkey is made on the
// owner's device and stored by ConfirmPasskey. A new ceremony voids the
// account's earlier one.
//
// Its errors: ErrPasskeysUnavailable, the errors of the owner's check
// (ErrInvalidCredentials, *lockout.LockedError, ErrReauthRequired,
// ErrNoPendingLogin, ErrMethodUnavailable), ErrTooManyFactors.
func (v *Factors) BeginPasskey(ctx context.Context, c FactorChange) (_ *PasskeyChallenge, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.BeginPasskey")
	defer sp.end(&err)
	a := v.a
	if a.passkeys == nil {
		return nil, ErrPasskeysUnavailable
	}
	if c.Pending == "" {
		acct, err := a.store.AccountByID(ctx, c.AccountID)
		if err != nil {
			return nil, fmt.Errorf("auth: passkey: %w", err)
		}
		if _, err := a.passkeysOf(a.realmOf(acct.Realm)); err != nil {
			return nil, err
		}
	} else if r, err := a.realm(c.Realm); err != nil {
		return nil, err
	} else if _, err := a.passkeysOf(r); err != nil {
		return nil, err
	}
	e, err := a.enrollee(ctx, c, MethodPasskey)
	if err != nil {
		return nil, err
	}
	w, _ := a.passkeysOf(e.realm)
	keys, err := a.passkeys.Passkeys(ctx, e.acct.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkey: %w", err)
	}
	if len(keys) >= store.MaxPasskeysPerAccount {
		return nil, ErrTooManyFactors
	}
	u := passkeyUser{acct: e.acct, keys: keys}
	creation, sd, err := w.BeginRegistration(u,
		webauthn.WithExclusions(webauthn.Credentials(u.WebAuthnCredentials()).CredentialDescriptors()),
		webauthn.WithExtensions(webauthn.WithExtensionCredProps()))
	if err != nil {
		return nil, fmt.Errorf("auth: passkey: %w", err)
	}
	binding := ""
	if e.pending != nil {
		binding = e.pending.token.Selector
	}
	t, _, err := a.saveCeremony(ctx, e.acct.Realm, e.acct.ID, purposePasskeyCreate, binding, sd)
	if err != nil {
		return nil, err
	}
	opts, err := options(creation)
	if err != nil {
		return nil, err
	}
	return &PasskeyChallenge{Options: opts, ExpiresAt: t.ExpiresAt}, nil
}

// PasskeyConfirmation completes adding a passkey with the browser's
// answer.
type PasskeyConfirmation struct {
	// AccountID is the account, as the host's session knows it; or, for
	// an enrollment a login requires, Realm and Pending, as they were
	// given to BeginPasskey.
	AccountID, Realm, Pending string
	// Response is the JSON of the PublicKeyCredential that
	// navigator.credentials.create returned (its toJSON()).
	Response []byte
	// Name is the owner's name for the passkey ("Budi's phone");
	// optional, at most 200 bytes.
	Name string
	Request
}

// ConfirmPasskey verifies the browser's answer to BeginPasskey's
// challenge (the origin, the relying party, the challenge, used once) and
// stores the passkey. When the account had no recovery codes, a set is
// made and returned; the owner is told that a passkey was added. For an
// enrollment a login required, the pending enrollment is used up and the
// login completes (Enrolled.Login): making the passkey proved the device.
//
// Its errors: ErrInvalidCode when the answer does not verify, its
// challenge expired or was used (begin again), or the passkey is
// registered already; a *FieldError for a name or response too long;
// ErrNoPendingLogin, ErrTooManyFactors, ErrPasskeysUnavailable.
func (v *Factors) ConfirmPasskey(ctx context.Context, c PasskeyConfirmation) (_ *Enrolled, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.ConfirmPasskey")
	defer sp.end(&err)
	a := v.a
	if err := checkResponse(c.Response); err != nil {
		return nil, err
	}
	if err := checkName(c.Name); err != nil {
		return nil, err
	}
	var acct store.Account
	var pending *pendingLogin
	binding := ""
	if c.Pending != "" {
		p, err := a.pending(ctx, c.Realm, purposeEnroll, c.Pending)
		if err != nil {
			return nil, err
		}
		acct, pending, binding = p.acct, &p, p.token.Selector
	} else {
		var err error
		if acct, err = a.store.AccountByID(ctx, c.AccountID); err != nil {
			return nil, fmt.Errorf("auth: passkey: %w", err)
		}
	}
	w, err := a.passkeysOf(a.realmOf(acct.Realm))
	if err != nil {
		return nil, err
	}
	// What cannot be an answer is refused before the ceremony is used
	// up, so that a garbled request does not cost the owner a new one.
	parsed, err := protocol.ParseCredentialCreationResponseBytes(c.Response)
	if err != nil {
		return nil, a.passkeyRefused(ctx, acct, EventFactorChangeFailed, ReasonBadCode, err, c.Request, ErrInvalidCode)
	}
	sd, ok, err := a.takeCeremony(ctx, acct.Realm, store.TokenKey{AccountID: acct.ID, Purpose: purposePasskeyCreate, Binding: binding}, "")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrInvalidCode
	}
	keys, err := a.passkeys.Passkeys(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkey: %w", err)
	}
	cred, err := w.CreateCredential(passkeyUser{acct: acct, keys: keys}, sd, parsed)
	if err != nil {
		return nil, a.passkeyRefused(ctx, acct, EventFactorChangeFailed, ReasonBadCode, err, c.Request, ErrInvalidCode)
	}
	if a.realmOf(acct.Realm).Passkeys.Passwordless && !cred.Flags.UserVerified {
		return nil, a.passkeyRefused(ctx, acct, EventFactorChangeFailed, ReasonNotVerified, errors.New("the authenticator did not verify its user"), c.Request, ErrInvalidCode)
	}
	k := store.Passkey{
		ID: cred.ID, AccountID: acct.ID, PublicKey: cred.PublicKey, SignCount: cred.Authenticator.SignCount,
		AAGUID: cred.Authenticator.AAGUID, BackupEligible: cred.Flags.BackupEligible, BackedUp: cred.Flags.BackupState,
		Name: c.Name, CreatedAt: a.now().UTC(),
	}
	if len(k.AAGUID) != 16 {
		k.AAGUID = nil
	}
	for _, t := range cred.Transport {
		if len(k.Transports) < store.MaxPasskeyTransports && t != "" && len(t) <= store.MaxPasskeyTransport {
			k.Transports = append(k.Transports, string(t))
		}
	}
	switch err := a.passkeys.CreatePasskey(ctx, k); {
	case errors.Is(err, store.ErrCapacity):
		return nil, ErrTooManyFactors
	case errors.Is(err, store.ErrConflict):
		return nil, a.passkeyRefused(ctx, acct, EventFactorChangeFailed, ReasonTaken, err, c.Request, ErrInvalidCode)
	case err != nil:
		return nil, fmt.Errorf("auth: passkey: %w", err)
	}
	if pending != nil {
		// The pending enrollment is used up once the passkey is stored,
		// so that a refusal of the store leaves the login to try again.
		// Its ceremony was bound to it and is spent: no other answer can
		// reach here for it.
		if err := a.tokens.ConsumeToken(ctx, pending.token.Selector, pending.token.Hash); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, ErrNoPendingLogin
			}
			return nil, fmt.Errorf("auth: passkey: %w", err)
		}
	}
	out := &Enrolled{FactorID: passkeyID(k.ID)}
	// A realm that accepts passkeys alone would never accept a recovery
	// code either: it makes none.
	if a.realmOf(acct.Realm).SecondFactor.Requirement != SecondFactorPhishingResistant {
		if out.RecoveryCodes, err = a.firstRecoveryCodes(ctx, acct.ID); err != nil {
			a.log.ErrorContext(ctx, "masuk: making recovery codes", "account", acct.ID, "error", err)
		}
	}
	a.passkeyChanged(ctx, acct, EventFactorAdded, k, c.Request, nil)
	if pending != nil {
		ev := a.event(EventLoginSucceeded, acct.Realm, c.Request)
		ev.AccountID, ev.Username = acct.ID, acct.Username
		ev.Details = map[string]string{"second_factor": "passkey_enrolled"}
		a.loggedIn(ctx, ev, acct, c.Request)
		out.Login = &LoginResult{Account: acct}
	}
	return out, nil
}

// checkName refuses a passkey's name that the store would refuse or a
// page could not show: too long, not UTF-8, or holding a control
// character (NUL included).
func checkName(name string) error {
	if len(name) > store.MaxFactorLabel {
		return &FieldError{Field: "name", Max: store.MaxFactorLabel}
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, isControl) >= 0 {
		return &FieldError{Field: "name"}
	}
	return nil
}

// passkeyRefused records a passkey ceremony that did not verify, with the
// library's reason for operators, and returns answer.
func (a *Authenticator) passkeyRefused(ctx context.Context, acct store.Account, kind EventKind, reason Reason, cause error, req Request, answer error) error {
	ev := withReason(a.event(kind, acct.Realm, req), reason)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details["method"] = string(MethodPasskey)
	ev.Details["error"] = clean(passkeyError(cause), maxPasskeyError)
	a.record(ctx, ev)
	return answer
}

// maxPasskeyError bounds what a refusal logs of go-webauthn's error, which
// may quote what the client sent (an extension's name).
const maxPasskeyError = 200

// passkeyError is what a refusal records of go-webauthn's error: its
// details, which name the check that failed and hold nothing secret.
func passkeyError(err error) string {
	var pe *protocol.Error
	if errors.As(err, &pe) && pe.Details != "" {
		return pe.Details
	}
	return err.Error()
}

// passkeyChanged records a passkey added or removed and tells the owner;
// by names the operator who removed it, if one did.
func (a *Authenticator) passkeyChanged(ctx context.Context, acct store.Account, kind EventKind, k store.Passkey, req Request, details map[string]string) {
	ev := a.event(kind, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"factor": string(MethodPasskey), "factor_id": passkeyID(k.ID)}
	for key, val := range details {
		ev.Details[key] = val
	}
	a.record(ctx, ev)
	p := notify.FactorAdded
	if kind == EventFactorRemoved {
		p = notify.FactorRemoved
	}
	a.notice(ctx, acct, p, req, notify.Data{Factor: notify.FactorPasskey})
}

// PasskeyRename renames a passkey.
type PasskeyRename struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// PasskeyID is PasskeyInfo.ID; Name the new name, at most 200 bytes.
	PasskeyID, Name string
}

// RenamePasskey changes a passkey's name, which only its owner sees: no
// password is asked. Its errors: a *FieldError for a name too long, a
// wrapped store.ErrNotFound for a passkey the account does not have.
func (v *Factors) RenamePasskey(ctx context.Context, r PasskeyRename) (err error) {
	if v.unset() {
		return errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.RenamePasskey")
	defer sp.end(&err)
	a := v.a
	if a.passkeys == nil {
		return ErrPasskeysUnavailable
	}
	if err := checkName(r.Name); err != nil {
		return err
	}
	id, ok := parsePasskeyID(r.PasskeyID)
	if !ok {
		return fmt.Errorf("auth: rename passkey: %w", store.ErrNotFound)
	}
	if err := a.passkeys.RenamePasskey(ctx, r.AccountID, id, r.Name); err != nil {
		return fmt.Errorf("auth: rename passkey: %w", err)
	}
	return nil
}

// removePasskey removes one of the account's passkeys, keeping the
// realm's rule on the last factor unless an operator removes it (force),
// and tells the owner.
func (a *Authenticator) removePasskey(ctx context.Context, acct store.Account, id []byte, force bool, req Request, details map[string]string) error {
	keys, err := a.passkeys.Passkeys(ctx, acct.ID)
	if err != nil {
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	var gone *store.Passkey
	for i := range keys {
		if bytes.Equal(keys[i].ID, id) {
			gone = &keys[i]
		}
	}
	if gone == nil {
		return fmt.Errorf("auth: remove passkey: %w", store.ErrNotFound)
	}
	r := a.realmOf(acct.Realm)
	left, err := a.factorsLeft(ctx, acct.ID, r, len(keys)-1)
	if err != nil {
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	keep := !force && (r.SecondFactor.Requirement == SecondFactorMandatory || r.SecondFactor.Requirement == SecondFactorPhishingResistant)
	if left == 0 && keep {
		return ErrLastFactor
	}
	if err := a.passkeys.DeletePasskey(ctx, acct.ID, id); err != nil {
		return fmt.Errorf("auth: remove passkey: %w", err)
	}
	if keep {
		// Two removals at once each counted the other's as left: look
		// again, and put this one back when none is left. It fails
		// closed: when the factors cannot be read, the passkey goes back.
		now, err := a.passkeys.Passkeys(ctx, acct.ID)
		if err == nil {
			left, err = a.factorsLeft(ctx, acct.ID, r, len(now))
		}
		if err != nil || left == 0 {
			if cerr := a.passkeys.CreatePasskey(context.WithoutCancel(ctx), *gone); cerr != nil {
				a.log.ErrorContext(ctx, "masuk: putting back the last passkey", "account", acct.ID, "error", cerr)
				return fmt.Errorf("auth: remove passkey: the last factor was removed and could not be put back: %w", cerr)
			}
			if err != nil {
				return fmt.Errorf("auth: remove passkey: %w", err)
			}
			return ErrLastFactor
		}
	}
	switch has, err := a.hasConfirmedFactor(ctx, acct.ID); {
	case err != nil:
		a.log.ErrorContext(ctx, "masuk: reading factors", "account", acct.ID, "error", err)
	case !has:
		a.lastFactorGone(ctx, acct.ID)
	}
	a.passkeyChanged(ctx, acct, EventFactorRemoved, *gone, req, details)
	return nil
}

// factorsLeft counts the factors of an account that meet its realm's
// requirement, given the passkeys it keeps: only passkeys in a realm that
// requires a phishing-resistant factor.
func (a *Authenticator) factorsLeft(ctx context.Context, accountID string, r *realmConfig, passkeys int) (int, error) {
	if r.SecondFactor.Requirement == SecondFactorPhishingResistant {
		return passkeys, nil
	}
	fs, err := a.factors.Factors(ctx, accountID)
	if err != nil {
		return 0, err
	}
	for _, f := range fs {
		if f.Confirmed() {
			passkeys++
		}
	}
	return passkeys, nil
}

// passkeyFlags reads the flags of an assertion's authenticator data.
func passkeyFlags(p *protocol.ParsedCredentialAssertionData) (counter uint32, uv, backedUp bool) {
	d := p.Response.AuthenticatorData
	return d.Counter, d.Flags.HasUserVerified(), d.Flags.HasBackupState()
}

// cloned reports whether an assertion's counter went back (or stood
// still) from the one stored: a sign that the key was copied out of its
// authenticator. Passkeys that keep no counter send 0 for ever.
func cloned(stored, sent uint32) bool {
	return (stored != 0 || sent != 0) && sent <= stored
}

// PasskeyStart begins a login's passkey ceremony.
type PasskeyStart struct {
	// Realm is the realm of the login.
	Realm string
	// Pending is SecondFactorRequired.Pending, for a passkey as the
	// second step; empty for a login with a passkey alone, which the
	// realm must offer (Realm.Passkeys.Passwordless).
	Pending string
	Request
}

// BeginPasskey starts a login's passkey ceremony and returns the options
// for the browser's navigator.credentials.get.
//
// As the second step (Pending set), the options list the account's
// passkeys, the ceremony is bound to the pending login (a new one voids
// the earlier), and the browser's answer goes to Logins.SecondStep with
// MethodPasskey, as its Code. It charges the pending login an attempt.
//
// Without Pending, it begins a login with a passkey alone: no username,
// the browser offers the passkeys it holds for the realm, and the answer
// goes to PasskeyLogin with the challenge's Ceremony. Each client address
// may begin Realm.Passkeys.PerAddress of these (a *lockout.ThrottledError
// past it).
//
// Its errors: ErrPasskeysUnavailable, ErrNoPendingLogin,
// ErrMethodUnavailable (the pending login has no passkey),
// *lockout.ThrottledError.
func (l *Logins) BeginPasskey(ctx context.Context, s PasskeyStart) (_ *PasskeyChallenge, err error) {
	if l.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := l.a.span(ctx, "masuk.Logins.BeginPasskey")
	defer sp.end(&err)
	a := l.a
	r, err := a.realm(s.Realm)
	if err != nil {
		return nil, err
	}
	w, err := a.passkeysOf(r)
	if err != nil {
		return nil, err
	}
	if s.Pending == "" {
		if !r.Passkeys.Passwordless {
			return nil, ErrPasskeysUnavailable
		}
		sub, perSubject := lockout.Subject{Realm: a.budgetRealm(r.name), Addr: s.ClientAddr}, lockout.Rate{}
		if s.ClientAddr == "" {
			// Every begin stores a challenge: those whose address the
			// host did not give share one address's budget.
			sub.Username, perSubject = "~no-address", r.Passkeys.PerAddress
		}
		if err := r.guard.Throttle(ctx, "passkey_login", sub, perSubject, r.Passkeys.PerAddress); err != nil {
			return nil, err
		}
		assertion, sd, err := w.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
		if err != nil {
			return nil, fmt.Errorf("auth: passkey: %w", err)
		}
		t, named, err := a.saveCeremony(ctx, r.name, "", purposePasskeyAlone, "", sd)
		if err != nil {
			return nil, err
		}
		opts, err := options(assertion)
		if err != nil {
			return nil, err
		}
		return &PasskeyChallenge{Options: opts, Ceremony: named, ExpiresAt: t.ExpiresAt}, nil
	}
	p, err := a.pending(ctx, s.Realm, purposePending, s.Pending)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(p.methods, MethodPasskey) {
		return nil, ErrMethodUnavailable
	}
	keys, err := a.passkeys.Passkeys(ctx, p.acct.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkey: %w", err)
	}
	if len(keys) == 0 {
		return nil, ErrMethodUnavailable
	}
	assertion, sd, err := w.BeginLogin(passkeyUser{acct: p.acct, keys: keys})
	if err != nil {
		return nil, fmt.Errorf("auth: passkey: %w", err)
	}
	t, _, err := a.saveCeremony(ctx, r.name, p.acct.ID, purposePasskeyLogin, p.token.Selector, sd)
	if err != nil {
		return nil, err
	}
	opts, err := options(assertion)
	if err != nil {
		return nil, err
	}
	return &PasskeyChallenge{Options: opts, ExpiresAt: t.ExpiresAt}, nil
}

// checkPasskeyStep checks the second step's passkey answer against the
// ceremony begun for the pending login, which it uses up first. It
// changes nothing else; the returned useCode records the new counter by
// compare-and-set, so that of two logins with one assertion only one
// ever completes.
func (a *Authenticator) checkPasskeyStep(ctx context.Context, r *realmConfig, p pendingLogin, resp string, req Request) (useCode, Reason, error) {
	w, err := a.passkeysOf(r)
	if err != nil {
		return nil, ReasonNoCode, ErrMethodUnavailable
	}
	if len(resp) > MaxPasskeyResponse {
		return nil, ReasonBadCode, ErrInvalidCode
	}
	parsed, err := protocol.ParseCredentialRequestResponseBytes([]byte(resp))
	if err != nil {
		return nil, ReasonBadCode, ErrInvalidCode
	}
	sd, ok, err := a.takeCeremony(ctx, r.name, store.TokenKey{AccountID: p.acct.ID, Purpose: purposePasskeyLogin, Binding: p.token.Selector}, "")
	switch {
	case err != nil:
		return nil, ReasonError, err
	case !ok:
		return nil, ReasonNoCode, errNoCeremony
	}
	keys, err := a.passkeys.Passkeys(ctx, p.acct.ID)
	if err != nil {
		return nil, ReasonError, fmt.Errorf("auth: passkey: %w", err)
	}
	if _, err := w.ValidateLogin(passkeyUser{acct: p.acct, keys: keys}, sd, parsed); err != nil {
		a.log.InfoContext(ctx, "masuk: a passkey did not verify", "account", p.acct.ID, "error", clean(passkeyError(err), maxPasskeyError))
		return nil, ReasonBadCode, ErrInvalidCode
	}
	return a.passkeyUse(ctx, p.acct, keys, parsed, req)
}

// passkeyUse checks the counter of a verified assertion and returns how to
// record it: a counter that went back is refused, and recorded as a
// cloned authenticator.
func (a *Authenticator) passkeyUse(ctx context.Context, acct store.Account, keys []store.Passkey, parsed *protocol.ParsedCredentialAssertionData, req Request) (useCode, Reason, error) {
	var k store.Passkey
	for _, x := range keys {
		if bytes.Equal(x.ID, parsed.RawID) {
			k = x
		}
	}
	if k.ID == nil {
		return nil, ReasonBadCode, ErrInvalidCode
	}
	sent, _, backedUp := passkeyFlags(parsed)
	if cloned(k.SignCount, sent) {
		ev := a.event(EventPasskeyCloned, acct.Realm, req)
		ev.AccountID, ev.Username = acct.ID, acct.Username
		ev.Details = map[string]string{"factor_id": passkeyID(k.ID), "stored": strconv.FormatUint(uint64(k.SignCount), 10), "sent": strconv.FormatUint(uint64(sent), 10)}
		a.record(ctx, ev)
		return nil, ReasonPasskeyCloned, ErrInvalidCode
	}
	use := func(ctx context.Context) (Reason, error) {
		err := a.passkeys.UsePasskey(ctx, store.PasskeyUse{AccountID: acct.ID, ID: k.ID, From: k.SignCount, To: sent, BackedUp: backedUp, At: a.now().UTC()})
		switch {
		case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
			return ReasonReplayedCode, ErrInvalidCode
		case err != nil:
			return ReasonError, fmt.Errorf("auth: passkey: %w", err)
		}
		return "", nil
	}
	return use, "", nil
}

// PasskeyLoginRequest completes a login with a passkey alone.
type PasskeyLoginRequest struct {
	// Realm is the realm of the login.
	Realm string
	// Ceremony is PasskeyChallenge.Ceremony from BeginPasskey.
	Ceremony string
	// Response is the JSON of the PublicKeyCredential that
	// navigator.credentials.get returned (its toJSON()).
	Response []byte
	Request
}

// PasskeyLogin completes a login without a password: the browser's
// answer to BeginPasskey's challenge names the passkey, and through it
// the account; the authenticator must have verified its user (a PIN, a
// fingerprint), which makes the passkey both factors. It passes what a
// password login passes: the lockout (a failed passkey counts on the
// account's second-factor lock, as a wrong code does, and a lock there
// refuses it with its *lockout.LockedError; a passkey that names no
// account counts on the client address as a wrong password does), the
// account's state, the activity log and the new-device alert. A lock of
// the account's password, which anyone who knows the username can bring
// about, does not stop it: nobody can guess an assertion. A counter that went back is refused and recorded as
// a cloned authenticator.
//
// Its errors: ErrPasskeyRefused for every refusal of the passkey (one
// answer: the reason is logged), *lockout.LockedError, a *FieldError for
// a response too long, ErrPasskeysUnavailable, and wrapped store
// failures.
func (l *Logins) PasskeyLogin(ctx context.Context, req PasskeyLoginRequest) (_ *LoginResult, err error) {
	if l.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := l.a.span(ctx, "masuk.Logins.PasskeyLogin")
	defer sp.end(&err)
	sp.realm(l.a, req.Realm)
	defer func() { l.a.tel.login(ctx, req.Realm, "passkey", err) }()
	a := l.a
	r, err := a.realm(req.Realm)
	if err != nil {
		return nil, err
	}
	w, err := a.passkeysOf(r)
	if err != nil {
		return nil, err
	}
	if !r.Passkeys.Passwordless {
		return nil, ErrPasskeysUnavailable
	}
	if err := checkResponse(req.Response); err != nil {
		return nil, err
	}
	ev := a.event(EventLoginFailed, r.name, req.Request)
	parsed, err := protocol.ParseCredentialRequestResponseBytes(req.Response)
	if err != nil {
		return nil, a.addressFailed(ctx, r, ev, ReasonBadCode)
	}
	sd, ok, err := a.takeCeremony(ctx, r.name, store.TokenKey{}, req.Ceremony)
	if err != nil {
		return nil, err
	}
	if !ok {
		a.record(ctx, withReason(ev, ReasonNoCode))
		return nil, ErrPasskeyRefused
	}
	k, err := a.passkeys.Passkey(ctx, parsed.RawID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, a.addressFailed(ctx, r, ev, ReasonUnknownPasskey)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: passkey login: %w", err)
	}
	acct, err := a.store.AccountByID(ctx, k.AccountID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && acct.Realm != r.name) {
		return nil, a.addressFailed(ctx, r, ev, ReasonUnknownPasskey)
	}
	if err != nil {
		return nil, fmt.Errorf("auth: passkey login: %w", err)
	}
	ev.AccountID, ev.Username = acct.ID, acct.Username
	// The passkey counts on the account's second-factor lock, as a wrong
	// code does: a password lock, which anyone who knows the username
	// can bring about, does not stop an assertion nobody can guess.
	att, err := a.begin(ctx, r, lockout.SecondFactor, ev)
	if err != nil {
		return nil, err
	}
	res, reason, err := a.passkeyLogin(ctx, w, acct, k, sd, parsed, req.Request)
	if errors.Is(err, ErrPasskeyRefused) {
		a.settle(ctx, att, ev, ErrInvalidCredentials)
		ev = withReason(ev, reason)
		ev.Details["method"] = string(MethodPasskey)
		a.record(ctx, ev)
		return nil, err
	}
	a.settle(ctx, att, ev, err)
	if err != nil {
		a.record(ctx, withReason(ev, ReasonError))
		return nil, err
	}
	ev.Details = map[string]string{"second_factor": string(MethodPasskey), "passwordless": "true"}
	a.loggedIn(ctx, ev, acct, req.Request)
	return res, nil
}

// passkeyLogin verifies a login with a passkey alone, for an attempt the
// guard let through; ErrPasskeyRefused, with the reason, when it does
// not open the account.
func (a *Authenticator) passkeyLogin(ctx context.Context, w *webauthn.WebAuthn, acct store.Account, k store.Passkey, sd webauthn.SessionData, parsed *protocol.ParsedCredentialAssertionData, req Request) (*LoginResult, Reason, error) {
	if acct.State != store.StateActive {
		return nil, ReasonDisabled, ErrPasskeyRefused
	}
	// The passkey the answer names, read by its ID, is all the account
	// need offer: no second read of the account's others.
	keys := []store.Passkey{k}
	u := passkeyUser{acct: acct, keys: keys}
	found := func(rawID, handle []byte) (webauthn.User, error) {
		if subtle.ConstantTimeCompare(handle, u.WebAuthnID()) != 1 {
			return nil, errors.New("the user handle is not the passkey's account's")
		}
		return u, nil
	}
	if _, _, err := w.ValidatePasskeyLogin(found, sd, parsed); err != nil {
		a.log.InfoContext(ctx, "masuk: a passkey did not verify", "account", acct.ID, "error", clean(passkeyError(err), maxPasskeyError))
		return nil, ReasonBadCode, ErrPasskeyRefused
	}
	if _, uv, _ := passkeyFlags(parsed); !uv {
		return nil, ReasonNotVerified, ErrPasskeyRefused
	}
	use, reason, err := a.passkeyUse(ctx, acct, keys, parsed, req)
	if err == nil {
		reason, err = use(ctx)
	}
	if errors.Is(err, ErrInvalidCode) {
		return nil, reason, ErrPasskeyRefused
	}
	if err != nil {
		return nil, reason, err
	}
	return &LoginResult{Account: acct}, "", nil
}

// addressFailed records a login with a passkey that names no account of
// the realm, counting it on the client address as a wrong password is.
func (a *Authenticator) addressFailed(ctx context.Context, r *realmConfig, ev store.Event, reason Reason) error {
	att, err := r.guard.Begin(ctx, lockout.Password, lockout.Subject{Realm: ev.Realm, Addr: ev.ClientAddr})
	if err != nil {
		if errors.Is(err, lockout.ErrLocked) {
			return err
		}
		return fmt.Errorf("auth: %w", err)
	}
	ev = withReason(ev, reason)
	ev.Details["method"] = string(MethodPasskey)
	a.record(ctx, ev)
	a.settle(ctx, att, ev, ErrInvalidCredentials)
	return ErrPasskeyRefused
}

// Passkeys lists an account's passkeys, for its owner's settings page.
func (v *Factors) Passkeys(ctx context.Context, accountID string) (_ []PasskeyInfo, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.Passkeys")
	defer sp.end(&err)
	return v.a.passkeyInfos(ctx, accountID)
}

func (a *Authenticator) passkeyInfos(ctx context.Context, accountID string) ([]PasskeyInfo, error) {
	out := []PasskeyInfo{}
	if a.passkeys == nil {
		return out, nil
	}
	keys, err := a.passkeys.Passkeys(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("auth: passkeys: %w", err)
	}
	for _, k := range keys {
		out = append(out, passkeyInfo(k))
	}
	return out, nil
}

// Passkeys lists an account's passkeys, for the operator's page.
func (o *Operator) Passkeys(ctx context.Context, accountID string) (_ []PasskeyInfo, err error) {
	if o.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Passkeys")
	defer sp.end(&err)
	acct, err := o.account(ctx, accountID, "", false)
	if err != nil {
		return nil, err
	}
	return o.a.passkeyInfos(ctx, acct.ID)
}

// PasskeyRemoval is an operator's removal of an account's passkey, say
// of a phone its owner reported lost.
type PasskeyRemoval struct {
	// PasskeyID is PasskeyInfo.ID.
	PasskeyID string
	OperatorAction
}

// RemovePasskey removes an account's passkey, say of a phone its owner
// reported lost, recorded with the operator's name and reason; the owner
// is told. An operator may remove the last one, even where the realm
// requires a factor: the owner's next login then checks the password and
// stops at an *EnrollmentRequired until a new factor is enrolled. Its
// errors: ErrOutOfScope, ErrSelfAction, a *FieldError for a reason too
// long, a wrapped store.ErrNotFound.
func (o *Operator) RemovePasskey(ctx context.Context, r PasskeyRemoval) (err error) {
	if o.unset() {
		return errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.RemovePasskey")
	defer sp.end(&err)
	a := o.a
	if a.passkeys == nil {
		return ErrPasskeysUnavailable
	}
	acct, err := o.account(ctx, r.AccountID, r.Reason, true)
	if err != nil {
		return err
	}
	id, ok := parsePasskeyID(r.PasskeyID)
	if !ok {
		return fmt.Errorf("auth: remove passkey: %w", store.ErrNotFound)
	}
	return a.removePasskey(ctx, acct, id, true, r.Request, map[string]string{"by": o.id.Name, "reason": r.Reason})
}

package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"golang.org/x/oauth2"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// Errors of federated login.
var (
	// ErrFederationRefused: the provider's answer does not log anyone in:
	// the person cancelled at the provider, the answer came to another
	// browser or after its time, it was used already, or its ID token
	// failed a check (issuer, audience, nonce, signature, expiry). One
	// answer for all, so that a prober learns nothing from which.
	ErrFederationRefused = errors.New("auth: the sign-in through the provider was refused")
	// ErrUnknownProvider: the realm has no provider of that name.
	ErrUnknownProvider = errors.New("auth: no such identity provider in the realm")
	// ErrNotLinked: the provider signed the person in, but no account of
	// the realm is linked to that identity, and the provider's policy
	// does not link or create one: the person logs in with the password
	// and links the provider on the account's page.
	ErrNotLinked = errors.New("auth: no account is linked to this identity")
	// ErrAlreadyLinked: the identity is linked to another account, or
	// the account already has an identity of that provider.
	ErrAlreadyLinked = errors.New("auth: the identity or the account is already linked")
	// ErrLastWayIn: unlinking would leave the account no way to log in
	// (no password, no other provider).
	ErrLastWayIn = errors.New("auth: the account would have no way left to log in")
)

// LinkPolicy says how a provider's identities find their accounts.
type LinkPolicy uint8

const (
	// LinkSignedIn links an identity only to an account that is signed
	// in and proved its password (or a recent re-authentication): the
	// safe default, for any provider.
	LinkSignedIn LinkPolicy = iota
	// LinkByClaim also links, at the first login through the provider,
	// the account whose username the provider vouches for in
	// Provider.UsernameClaim (INApas's NIK, for a realm whose usernames
	// are NIKs) or whose email it vouches for (Provider.ByEmail, with
	// "email_verified" true), and with Provider.Create makes one when
	// none exists. It never links an account that has a password: a
	// squatter who registered someone's NIK or address first must not
	// receive that person's logins (pre-account hijacking); such an
	// account links while signed in. Create does take the place of a
	// registration that never confirmed its address and is older than
	// Registration.UnconfirmedFor, as Register does: the store deletes it
	// only if it is still unconfirmed and that old.
	LinkByClaim
)

// Provider is an OpenID Connect provider a realm logs in through:
// INApas, a ministry's single sign-on, Google or Microsoft for staff.
type Provider struct {
	// Name names the provider in URLs, events and requests: 1 to 32 of
	// a-z, 0-9 and "-" ("inapas").
	Name string
	// Label is what a button says ("INApas").
	Label string
	// Issuer is the provider's issuer identifier; its discovery document
	// is read from Issuer + "/.well-known/openid-configuration" at the
	// first use and kept, and must name the same issuer.
	Issuer string
	// ClientID is the realm's client at the provider.
	ClientID string
	// ClientKey and ClientKeyID make the realm authenticate with
	// private_key_jwt (an ECDSA key: P-256, P-384 or P-521), the key's
	// public half published by Federation.JWKS under ClientKeyID.
	// ClientSecret instead authenticates with client_secret_basic. One
	// of the two is required, not both.
	ClientKey    *ecdsa.PrivateKey
	ClientKeyID  string
	ClientSecret string
	// AssertionAudience is the "aud" of the private_key_jwt assertion.
	// Empty means the provider's token endpoint; some providers want
	// their issuer.
	AssertionAudience string
	// RedirectURL is the realm's callback for this provider, exactly as
	// registered: one per provider, so that an answer meant for one
	// provider is never taken for another's (mix-up attacks).
	RedirectURL string
	// PostLogoutURL is where the provider sends the person back after
	// Federation.LogoutURL's logout; empty sends none.
	PostLogoutURL string
	// Scopes are asked besides "openid". Nil means "openid" alone; a
	// provider that links by email needs "email".
	Scopes []string
	// AuthParams are added to the authorization request, for a provider
	// that needs its own (INApas's audience).
	AuthParams map[string]string
	// Link says how identities find their accounts (see LinkPolicy), and
	// UsernameClaim, ByEmail and Create what LinkByClaim goes by.
	Link          LinkPolicy
	UsernameClaim string
	ByEmail       bool
	Create        bool
	// AcceptMFA are the "amr" values of the ID token (RFC 8176: "mfa",
	// "hwk", "fpt", "face", "pin", ...) that stand in for the realm's
	// own second factor; nil means the realm asks for its own after the
	// provider, as after a password.
	AcceptMFA []string
	// AcceptACR are the "acr" values of the ID token (the levels of
	// assurance the provider defines: a level that needs a second factor
	// there) that stand in for the realm's second factor, as AcceptMFA's
	// do. A login asks for them ("acr_values", which a provider may
	// ignore: the ID token's "acr" is what counts).
	AcceptACR []string
	// HTTPClient makes the requests to the provider. Nil means a client
	// with a 10-second timeout that follows no redirect. Either way an
	// answer larger than 1 MiB is refused unread.
	HTTPClient *http.Client
}

// FederationPolicy is a realm's providers and the limits of logging in
// through them.
type FederationPolicy struct {
	// Providers are the realm's providers. Nil means none.
	Providers []Provider
	// PerAddress limits the logins through a provider one client address
	// may start and finish. Zero means 30 per 10 minutes.
	PerAddress lockout.Rate
	// PerRealm limits the logins and links through the realm's providers
	// that all client addresses together may start, each of which writes
	// a token: many addresses within their PerAddress must not fill the
	// token store. It is charged after PerAddress, before the provider is
	// asked anything, and refuses with a *lockout.ThrottledError. Zero
	// means 100 per second.
	PerRealm lockout.Rate
	// For is how long a person may take at the provider. Zero means 10
	// minutes; at most 30.
	For time.Duration
}

var providerName = regexp.MustCompile(`^[a-z0-9-]{1,32}$`)

// fill checks the realm's providers and makes their relying parties.
func (f *FederationPolicy) fill(sf SecondFactorPolicy) (map[string]*relyingParty, error) {
	if f.PerAddress == (lockout.Rate{}) {
		f.PerAddress = lockout.Rate{Requests: 30, Window: 10 * time.Minute}
	}
	if f.PerAddress.Requests < 1 || f.PerAddress.Requests > 100 || f.PerAddress.Window <= 0 {
		return nil, errors.New("Federation.PerAddress must allow 1 to 100 requests in a positive window")
	}
	if f.PerRealm == (lockout.Rate{}) {
		f.PerRealm = lockout.Rate{Requests: 100, Window: time.Second}
	}
	if f.PerRealm.Requests < 1 || f.PerRealm.Requests > 100 || f.PerRealm.Window <= 0 {
		return nil, errors.New("Federation.PerRealm must allow 1 to 100 requests in a positive window")
	}
	switch {
	case f.For == 0:
		f.For = 10 * time.Minute
	case f.For < time.Minute || f.For > 30*time.Minute:
		return nil, errors.New("Federation.For must be 1 to 30 minutes")
	}
	if len(f.Providers) == 0 {
		return nil, nil
	}
	rps := make(map[string]*relyingParty, len(f.Providers))
	for _, p := range f.Providers {
		if err := p.check(); err != nil {
			return nil, fmt.Errorf("Federation provider %q: %w", p.Name, err)
		}
		if rps[p.Name] != nil {
			return nil, fmt.Errorf("Federation provider %q: named twice", p.Name)
		}
		if len(p.AcceptMFA)+len(p.AcceptACR) > 0 && sf.Requirement == SecondFactorPhishingResistant {
			// A provider's "amr" or "acr" says a second factor was used,
			// not that a phishing page could not relay it.
			return nil, fmt.Errorf("Federation provider %q: AcceptMFA or AcceptACR in a realm whose second factor must resist phishing (a passkey of its own)", p.Name)
		}
		rps[p.Name] = newRelyingParty(p)
	}
	return rps, nil
}

// check refuses a provider's settings that could not work or would not be
// safe.
func (p Provider) check() error {
	iss, err := url.Parse(p.Issuer)
	redirect, rerr := url.Parse(p.RedirectURL)
	switch {
	case !providerName.MatchString(p.Name):
		return errors.New("the Name must be 1 to 32 of a-z, 0-9 and -")
	case p.Label == "" || len(p.Label) > 64 || !utf8.ValidString(p.Label) || strings.IndexFunc(p.Label, isControl) >= 0:
		return errors.New("a Label is required: at most 64 bytes of text without control characters")
	case err != nil || iss.Host == "" || (iss.Scheme != "https" && !loopbackHost(iss.Hostname())) || iss.RawQuery != "" || iss.Fragment != "":
		return errors.New("the Issuer must be an https URL (http only on this machine) without query or fragment")
	case p.ClientID == "":
		return errors.New("ClientID is required")
	case (p.ClientKey == nil) == (p.ClientSecret == ""):
		return errors.New("exactly one of ClientKey (private_key_jwt) and ClientSecret (client_secret_basic) is required")
	case p.ClientKey != nil && p.ClientKeyID == "":
		return errors.New("ClientKeyID is required with ClientKey")
	case p.ClientKey != nil && curveAlg(p.ClientKey.Curve) == "":
		return errors.New("ClientKey must be on P-256, P-384 or P-521")
	case rerr != nil || redirect.Host == "" || (redirect.Scheme != "https" && !loopbackHost(redirect.Hostname())) || redirect.Fragment != "":
		return errors.New("RedirectURL must be an https URL (http only on this machine) without fragment")
	case p.Link > LinkByClaim:
		return fmt.Errorf("unknown Link policy %d", p.Link)
	case p.Link == LinkByClaim && p.UsernameClaim == "" && !p.ByEmail:
		return errors.New("LinkByClaim needs UsernameClaim or ByEmail")
	case p.Link != LinkByClaim && (p.UsernameClaim != "" || p.ByEmail || p.Create):
		return errors.New("UsernameClaim, ByEmail and Create need Link: LinkByClaim")
	case p.ByEmail && !slices.Contains(p.Scopes, "email"):
		return errors.New(`ByEmail needs the "email" scope`)
	}
	return nil
}

// loopbackHost reports whether host is this machine.
func loopbackHost(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// curveAlg is the JWS algorithm of an ECDSA key's curve.
func curveAlg(c elliptic.Curve) jose.SignatureAlgorithm {
	switch c {
	case elliptic.P256():
		return jose.ES256
	case elliptic.P384():
		return jose.ES384
	case elliptic.P521():
		return jose.ES512
	}
	return ""
}

// relyingParty is a realm's client of one provider: the provider's
// discovered configuration and key set, kept after the first use.
type relyingParty struct {
	p      Provider
	client *http.Client
	// disc is the discovery document (federationdiscovery.go).
	disc discovery

	mu       sync.Mutex
	verifier *oidc.IDTokenVerifier
	// keysAt is when the key set was made: it is made again after
	// keySetMaxAge, so that a key the provider stopped publishing is
	// trusted no longer than that, even when no token names a new one
	// (go-oidc refetches only for an unknown key ID).
	keysAt time.Time
}

// keySetMaxAge is how long a provider's key set is kept.
const keySetMaxAge = 15 * time.Minute

// providerMeta is what the discovery document says that go-oidc does not
// read.
type providerMeta struct {
	EndSession string `json:"end_session_endpoint"`
	// IssParam: the provider adds "iss" to its authorization responses
	// (RFC 9207), which must then be checked.
	IssParam bool `json:"authorization_response_iss_parameter_supported"`
}

func newRelyingParty(p Provider) *relyingParty {
	c := p.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	return &relyingParty{p: p, client: bounded(c)}
}

// discover returns the provider's configuration, read at the first use
// (see discovery: one read at a time, none held under a lock, a pause
// after a failure).
func (rp *relyingParty) discover(ctx context.Context, now func() time.Time) (*oidc.Provider, *oidc.IDTokenVerifier, providerMeta, error) {
	pr, meta, err := rp.disc.get(ctx, now, rp.readDiscovery)
	if err != nil {
		return nil, nil, providerMeta{}, err
	}
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if t := now(); rp.verifier == nil || t.Sub(rp.keysAt) >= keySetMaxAge || t.Before(rp.keysAt) {
		// The key set outlives the request that first needed it: its
		// fetches (and refetches on an unknown key ID) use the
		// provider's client.
		algs := signingAlgs(pr)
		keys := &keySet{url: endpointOf(pr, "jwks_uri"), client: rp.client}
		for _, a := range algs {
			keys.algs = append(keys.algs, jose.SignatureAlgorithm(a))
		}
		rp.verifier = oidc.NewVerifier(rp.p.Issuer, keys, &oidc.Config{ClientID: rp.p.ClientID, Now: now, SupportedSigningAlgs: algs})
		rp.keysAt = t
	}
	return pr, rp.verifier, meta, nil
}

// readDiscovery reads the provider's discovery document.
func (rp *relyingParty) readDiscovery(ctx context.Context) (*oidc.Provider, providerMeta, error) {
	pr, err := oidc.NewProvider(oidc.ClientContext(ctx, rp.client), rp.p.Issuer)
	if err != nil {
		return nil, providerMeta{}, fmt.Errorf("auth: discovering %s: %w", rp.p.Name, err)
	}
	var meta providerMeta
	if err := pr.Claims(&meta); err != nil {
		return nil, providerMeta{}, fmt.Errorf("auth: discovering %s: %w", rp.p.Name, err)
	}
	return pr, meta, nil
}

// endpointOf returns one endpoint of a discovery document.
func endpointOf(pr *oidc.Provider, name string) string {
	var m map[string]any
	if err := pr.Claims(&m); err != nil {
		return ""
	}
	s, _ := m[name].(string)
	return s
}

// signingAlgs are the algorithms an ID token may be signed with: those
// the provider announces that masuk accepts (never "none", never a
// shared-secret HS*), or RS256, the default of OpenID Connect.
func signingAlgs(pr *oidc.Provider) []string {
	var m struct {
		Algs []string `json:"id_token_signing_alg_values_supported"`
	}
	_ = pr.Claims(&m)
	var out []string
	for _, a := range m.Algs {
		switch a {
		case oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512, oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA:
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		out = []string{oidc.RS256}
	}
	return out
}

// oauth is the provider's OAuth 2.0 client configuration.
func (rp *relyingParty) oauth(pr *oidc.Provider) *oauth2.Config {
	ep := pr.Endpoint()
	ep.AuthStyle = oauth2.AuthStyleInHeader
	if rp.p.ClientKey != nil {
		// Only client_id goes in the body beside the assertion: never a
		// secret, never HTTP Basic.
		ep.AuthStyle = oauth2.AuthStyleInParams
	}
	return &oauth2.Config{
		ClientID: rp.p.ClientID, ClientSecret: rp.p.ClientSecret, Endpoint: ep, RedirectURL: rp.p.RedirectURL,
		Scopes: append([]string{oidc.ScopeOpenID}, rp.p.Scopes...),
	}
}

// assertion signs the private_key_jwt client assertion of a token
// request to endpoint.
func (rp *relyingParty) assertion(endpoint, jti string, now time.Time) (string, error) {
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: curveAlg(rp.p.ClientKey.Curve), Key: rp.p.ClientKey},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", rp.p.ClientKeyID))
	if err != nil {
		return "", err
	}
	aud := rp.p.AssertionAudience
	if aud == "" {
		aud = endpoint
	}
	return jwt.Signed(s).Claims(jwt.Claims{
		Issuer: rp.p.ClientID, Subject: rp.p.ClientID, Audience: jwt.Audience{aud}, ID: jti,
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(2 * time.Minute)),
	}).Serialize()
}

// Federation logs people in through OpenID Connect providers and links
// their identities to accounts. Obtain it from [Authenticator.Federation].
type Federation struct{ a *Authenticator }

func (v *Federation) unset() bool { return v == nil || v.a == nil }

// Federation returns the service of logins through identity providers.
func (a *Authenticator) Federation() *Federation {
	if a == nil {
		return nil
	}
	return a.fedSvc
}

// purposeFederation is the token of a login or link started at a
// provider, and federationAttempts the answers it takes: one is used up,
// the others are answers from another browser, refused without using it.
const (
	purposeFederation  = "federation"
	federationAttempts = 3
)

// The facts of a started login, in its token's Data.
const (
	dataProvider = "provider"
	dataIntent   = "intent"
	dataBinding  = "binding"
)

// FederationStart starts a login, or a link, through a provider.
type FederationStart struct {
	Realm, Provider string
	// AccountID, when set, links the provider to that account instead of
	// logging in: the owner proves the password (Password) or a recent
	// re-authentication (Request.Session) first.
	AccountID, Password string
	// Reauthenticate, with AccountID and the owner's signed-in session
	// (Request.Session), re-authenticates the owner through a provider
	// already linked to the account instead, without a password: the
	// proof, recorded in that session by Callback, lets the sensitive
	// actions through for Session.ReauthWithin as a password would.
	Reauthenticate bool
	Request
}

// FederationRedirect is where to send the browser, and what to keep in it.
type FederationRedirect struct {
	// URL is the provider's authorization URL.
	URL string
	// Binding ties the answer to this browser: set it in a cookie
	// (HttpOnly, Secure, SameSite=Lax, so that the provider's redirect
	// back carries it) and pass it back in FederationCallback.Binding.
	// A browser may begin several at once (a login in two tabs): keep
	// each start's binding rather than overwrite the last (at most
	// MaxFederationBindings, the oldest dropped, each until its
	// ExpiresAt), and pass them all back in FederationCallback.Bindings,
	// or pick the start's own by the answer's state where the host keeps
	// them by it.
	Binding string
	// ExpiresAt is when the person must be back.
	ExpiresAt time.Time
}

// Begin starts a login, a link or a re-authentication (see
// FederationStart) through a provider: a state, a nonce and
// a PKCE verifier, bound to the browser, single use, for
// Realm.Federation.For. Neither the nonce nor the verifier is kept: both
// are derived from the browser's Binding, which only its hash is kept of.
// A client address starts at most Federation.PerAddress of these, and
// the realm at most Federation.PerRealm (a *lockout.ThrottledError,
// before the provider is asked anything and before the token is kept).
func (v *Federation) Begin(ctx context.Context, s FederationStart) (_ *FederationRedirect, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Federation.Begin")
	defer sp.end(&err)
	a := v.a
	r, rp, err := a.providerOf(s.Realm, s.Provider)
	if err != nil {
		return nil, err
	}
	if err := a.federationBudget(ctx, r, "federation_begin", s.ClientAddr); err != nil {
		return nil, err
	}
	if s.AccountID == "" && !s.Reauthenticate {
		// Only anonymous starts share the realm's budget: a flood of
		// them must not stop signed-in owners from linking or proving
		// themselves (the only proof an account a provider made has).
		if err := a.federationRealmBudget(ctx, r); err != nil {
			return nil, err
		}
	}
	intent, accountID, stamp := "login", "", ""
	var re *reauthStart
	if s.Reauthenticate {
		if re, err = a.beginReauth(ctx, r, rp, s); err != nil {
			return nil, err
		}
		intent, accountID, stamp = intentReauth, re.accountID, re.stamp
	} else if s.AccountID != "" {
		acct, err := a.checkOwner(ctx, actionFederation, s.AccountID, s.Password, s.Request)
		if err != nil {
			return nil, err
		}
		if acct.Realm != r.name {
			return nil, ErrUnknownRealm
		}
		intent, accountID, stamp = "link", acct.ID, acct.SecurityStamp
	}
	pr, _, _, err := rp.discover(ctx, a.now)
	if err != nil {
		return nil, err
	}
	st, err := secret.NewToken(a.rand)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	binding, err := a.randomHex(32)
	if err != nil {
		return nil, err
	}
	if accountID == "" {
		// A login has no account yet: each start is an account of its own
		// to the token store, so that no number of them crowds out another.
		accountID = "~federation/" + st.Selector()
	}
	now := a.now().UTC()
	bh := sha256.Sum256([]byte(binding))
	t := store.Token{
		Selector: st.Selector(), AccountID: accountID, Purpose: purposeFederation, Binding: st.Selector(),
		Hash: st.Hash(purposeFederation), MaxAttempts: federationAttempts, IssuedAt: now, ExpiresAt: now.Add(r.Federation.For),
		Data: map[string]string{dataRealm: r.name, dataProvider: rp.p.Name, dataIntent: intent, dataBinding: hex.EncodeToString(bh[:])},
	}
	if stamp != "" {
		// A link begun before a password change (or an operator's
		// disabling) is void after it: the owner proved a password that
		// no longer holds.
		t.Data[dataStamp] = stamp
	}
	re.keep(t.Data)
	if err := a.tokens.IssueToken(ctx, t, 0); err != nil {
		return nil, fmt.Errorf("auth: starting a federated login: %w", err)
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(derived("pkce", binding)), oidc.Nonce(derived("nonce", binding))}
	for k, val := range rp.p.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, val))
	}
	opts = append(opts, re.authOptions()...)
	if intent == "login" {
		// After the provider's AuthParams, which cannot lengthen it.
		opts = append(opts, oauth2.SetAuthURLParam("max_age", strconv.Itoa(int(a.settingsOf(r.name).Session.ReauthWithin/time.Second))))
		if len(rp.p.AcceptACR) > 0 {
			opts = append(opts, oauth2.SetAuthURLParam("acr_values", strings.Join(rp.p.AcceptACR, " ")))
		}
	}
	return &FederationRedirect{URL: rp.oauth(pr).AuthCodeURL(st.String(), opts...), Binding: binding, ExpiresAt: t.ExpiresAt}, nil
}

// derived is a value derived from the browser's binding: the PKCE
// verifier (43 characters of base64url, RFC 7636) or the nonce.
func derived(what, binding string) string {
	sum := sha256.Sum256([]byte("masuk/federation/" + what + "\x00" + binding))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// providerOf returns a realm and its provider.
func (a *Authenticator) providerOf(realm, name string) (*realmConfig, *relyingParty, error) {
	r, err := a.realm(realm)
	if err != nil {
		return nil, nil, err
	}
	rp := r.providers[name]
	if rp == nil || a.fed == nil {
		return nil, nil, ErrUnknownProvider
	}
	return r, rp, nil
}

// federationBudget charges a start or an answer to the client address.
func (a *Authenticator) federationBudget(ctx context.Context, r *realmConfig, action, addr string) error {
	sub, perSubject := lockout.Subject{Realm: a.budgetRealm(r.name), Addr: addr}, lockout.Rate{}
	if addr == "" {
		sub.Username, perSubject = "~no-address", r.Federation.PerAddress
	}
	return r.guard.Throttle(ctx, action, sub, perSubject, r.Federation.PerAddress)
}

// federationRealmBudget charges a start to the realm, whichever address
// asked: Federation.PerRealm.
func (a *Authenticator) federationRealmBudget(ctx context.Context, r *realmConfig) error {
	sub := lockout.Subject{Realm: a.budgetRealm(r.name), Username: "~realm"}
	return r.guard.Throttle(ctx, "federation_begin_realm", sub, r.Federation.PerRealm, lockout.Rate{})
}

// FederationCallback is the provider's answer, as the browser brought it
// to Provider.RedirectURL.
type FederationCallback struct {
	Realm, Provider string
	// Code, State, Issuer and Error are the answer's "code", "state",
	// "iss" and "error" parameters.
	Code, State, Issuer, Error string
	// Binding is the value Begin gave, from the browser's cookie.
	// Bindings are more of them, for a browser that began several
	// logins or links at once (one per tab) and keeps each one's: the
	// answer is checked against every one, in constant time and within
	// its one attempt, and completes with its own. At most
	// MaxFederationBindings in all; more refuse the answer.
	Binding  string
	Bindings []string
	// AccountID is the signed-in account whose link this answer
	// completes; empty for a login. An answer of the other kind, or of a
	// link another account began, is refused (ErrFederationRefused):
	// neither a link completed at a login's callback nor a login at a
	// link's.
	AccountID string
	// Reauthenticate, with AccountID, completes a re-authentication
	// (FederationStart.Reauthenticate). A re-authentication's answer
	// without it, or another's with it, is refused: an answer completes
	// only the kind of flow that began it.
	Reauthenticate bool
	Request
}

// FederationResult is what a provider's answer did.
type FederationResult struct {
	// Login is the login it completed, as Logins.Login's: start a
	// session for it. Nil for a link.
	Login *LoginResult
	// Linked is true when the answer linked the identity to an account:
	// the signed-in owner's, or one found by a claim at a first login.
	Linked bool
	// Created is true when the answer made the account.
	Created bool
	// Reauthenticated is true when the answer re-authenticated the
	// signed-in owner (FederationStart.Reauthenticate), whose session's
	// sensitive actions need no password until ReauthUntil.
	Reauthenticated bool
	ReauthUntil     time.Time
	// Provider is the provider's name.
	Provider string
}

// Callback completes what Begin started, with the provider's answer. The
// state is used up before anything is checked; the answer must come back
// to the browser that began, within its time, from the provider it was
// sent to (RFC 9207's "iss" where the provider sends one); the code is
// exchanged with the PKCE verifier and the realm's client
// authentication; the ID token's signature, issuer, audience, authorized
// party, expiry, issue time, nonce and access-token hash are checked. Any
// failure of these is ErrFederationRefused.
//
// A login then finds the identity's account (or links or makes one as
// the provider's LinkPolicy says; otherwise ErrNotLinked), refuses an
// account that is not active or whose lock is in force, and asks for the
// realm's second factor (a *SecondFactorRequired) unless the provider's
// "amr" holds one of Provider.AcceptMFA. A link links the identity to the
// signed-in owner's account (ErrAlreadyLinked when either is taken). A
// re-authentication (FederationStart.Reauthenticate) records the proof in the
// session that began it, given again in Request.Session, when the
// provider signed the person in after Begin ("auth_time") as the very
// identity linked to the account; otherwise ErrFederationRefused.
func (v *Federation) Callback(ctx context.Context, c FederationCallback) (_ *FederationResult, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Federation.Callback")
	defer sp.end(&err)
	sp.realm(v.a, c.Realm)
	a := v.a
	r, rp, err := a.providerOf(c.Realm, c.Provider)
	if err != nil {
		return nil, err
	}
	if len(c.Code) > maxAnswerParam || len(c.State) > maxAnswerParam || len(c.Issuer) > maxAnswerParam || len(c.Error) > maxAnswerParam {
		// Nothing this long is an answer; none of it goes to the
		// provider's token endpoint.
		return nil, ErrFederationRefused
	}
	if err := a.federationBudget(ctx, r, "federation_answer", c.ClientAddr); err != nil {
		return nil, err
	}
	ev := a.event(EventLoginFailed, r.name, c.Request)
	ev.Details = map[string]string{"method": "federation", "provider": rp.p.Name}
	t, ok, err := a.takeFederation(ctx, r, rp, &c)
	if err != nil {
		return nil, err
	}
	if !ok {
		a.record(ctx, fedReason(ev, ReasonNoCode))
		return nil, ErrFederationRefused
	}
	if signedIn := forAccount(t.Data[dataIntent]); signedIn != (c.AccountID != "") || (signedIn && c.AccountID != t.AccountID) ||
		(t.Data[dataIntent] == intentReauth) != c.Reauthenticate {
		a.record(ctx, fedReason(ev, ReasonNoCode))
		return nil, ErrFederationRefused
	}
	switch t.Data[dataIntent] {
	case "link":
		ev.Kind, ev.AccountID = string(EventFactorChangeFailed), t.AccountID
	case intentReauth:
		ev = reauthEvent(ev, t)
	}
	id, claims, err := a.exchange(ctx, rp, c)
	if err != nil {
		if errors.Is(err, ErrFederationRefused) {
			a.log.InfoContext(ctx, "masuk: a provider's answer was refused", "provider", rp.p.Name, "error", err)
			a.record(ctx, fedReason(ev, ReasonBadCode))
			return nil, ErrFederationRefused
		}
		a.record(ctx, fedReason(ev, ReasonError))
		return nil, err
	}
	switch t.Data[dataIntent] {
	case "link":
		return a.linkSignedIn(ctx, r, rp, t, id, ev, c.Request)
	case intentReauth:
		return a.reauthenticated(ctx, r, rp, t, id, claims, ev, c.Request)
	}
	// A login starts a session that holds a proof of its owner for the
	// realm's ReauthWithin, as a password login's does: the sign-in at
	// the provider must be that recent (Begin asked for it with max_age),
	// not a single sign-on session left open for hours on a shared
	// computer.
	if !recentAuth(claims.raw["auth_time"], a.now(), a.settingsOf(r.name).Session.ReauthWithin) {
		a.record(ctx, fedReason(ev, ReasonStaleAuthentication))
		return nil, ErrFederationRefused
	}
	return a.federatedLogin(ctx, r, rp, id, claims, ev, c.Request)
}

// takeFederation uses up the state's token and checks that the answer
// belongs to it: this realm and provider, this browser (one of the
// bindings offered, which becomes c.Binding).
func (a *Authenticator) takeFederation(ctx context.Context, r *realmConfig, rp *relyingParty, c *FederationCallback) (store.Token, bool, error) {
	st, ok := secret.ParseToken(c.State)
	candidates, fit := bindingCandidates(c)
	if !ok || !fit {
		return store.Token{}, false, nil
	}
	t, err := a.tokens.AttemptToken(ctx, store.TokenKey{Selector: st.Selector()}, a.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Token{}, false, nil
	case err != nil:
		return store.Token{}, false, fmt.Errorf("auth: federated login: %w", err)
	}
	if t.Purpose != purposeFederation || st.Verify(t.Hash, t.Purpose) != nil {
		return store.Token{}, false, nil
	}
	// The browser, realm and provider are checked before the state is
	// used up, so that whoever saw a state in a URL cannot spend it for
	// its owner; each such try is one of the token's few attempts.
	binding, matched := matchBinding(candidates, t.Data[dataBinding])
	if t.Data[dataRealm] != r.name || t.Data[dataProvider] != rp.p.Name || !matched {
		return store.Token{}, false, nil
	}
	c.Binding = binding
	switch err := a.tokens.ConsumeToken(ctx, t.Selector, t.Hash); {
	case errors.Is(err, store.ErrNotFound):
		return store.Token{}, false, nil
	case err != nil:
		return store.Token{}, false, fmt.Errorf("auth: federated login: %w", err)
	}
	return t, true, nil
}

// idClaims are the ID token's claims masuk reads besides go-oidc's.
type idClaims struct {
	AuthorizedParty string `json:"azp"`
	Email           string `json:"email"`
	// EmailVerified is verified only when it is the JSON true: a string
	// "true", as some providers send, is not.
	EmailVerified any      `json:"email_verified"`
	AMR           []string `json:"amr"`
	// ACR is the "acr" claim; a value that is not a string counts as
	// none.
	ACR any `json:"acr"`
	raw map[string]any
}

// maxAnswerParam bounds each of an answer's parameters (code, state, iss,
// error), in bytes.
const maxAnswerParam = 4096

// maxIDTokenAge is how old an ID token's "iat" may be.
const maxIDTokenAge = 10 * time.Minute

// exchange checks the answer, trades its code for tokens and verifies the
// ID token; every refusal wraps ErrFederationRefused.
func (a *Authenticator) exchange(ctx context.Context, rp *relyingParty, c FederationCallback) (*oidc.IDToken, idClaims, error) {
	refused := func(why string) (*oidc.IDToken, idClaims, error) {
		return nil, idClaims{}, fmt.Errorf("%w: %s", ErrFederationRefused, why)
	}
	pr, verifier, meta, err := rp.discover(ctx, a.now)
	if err != nil {
		return nil, idClaims{}, err
	}
	switch {
	case c.Error != "":
		return refused("the provider answered " + clean(c.Error, 64))
	case c.Code == "":
		return refused("no code")
	case c.Issuer != "" && c.Issuer != rp.p.Issuer:
		return refused("the answer names another issuer")
	case c.Issuer == "" && meta.IssParam:
		return refused("the answer names no issuer, which this provider always does")
	}
	opts := []oauth2.AuthCodeOption{oauth2.VerifierOption(derived("pkce", c.Binding))}
	if rp.p.ClientKey != nil {
		jti, err := a.randomHex(16)
		if err != nil {
			return nil, idClaims{}, err
		}
		assertion, err := rp.assertion(pr.Endpoint().TokenURL, jti, a.now())
		if err != nil {
			return nil, idClaims{}, fmt.Errorf("auth: signing the client assertion: %w", err)
		}
		opts = append(opts,
			oauth2.SetAuthURLParam("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
			oauth2.SetAuthURLParam("client_assertion", assertion))
	}
	tok, err := rp.oauth(pr).Exchange(oidc.ClientContext(ctx, rp.client), c.Code, opts...)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode < 500 {
			return refused("the token endpoint refused the code: " + clean(re.ErrorCode, 64))
		}
		return nil, idClaims{}, fmt.Errorf("auth: the provider's token endpoint: %w", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return refused("no ID token")
	}
	id, err := verifier.Verify(ctx, raw)
	if err != nil {
		return refused("ID token: " + err.Error())
	}
	var cl idClaims
	if err := id.Claims(&cl); err != nil {
		return refused("ID token claims")
	}
	if err := id.Claims(&cl.raw); err != nil {
		return refused("ID token claims")
	}
	now := a.now()
	switch {
	case len(id.Audience) > 1 && cl.AuthorizedParty == "":
		return refused("several audiences and no azp")
	case cl.AuthorizedParty != "" && cl.AuthorizedParty != rp.p.ClientID:
		return refused("azp is another client")
	case subtle.ConstantTimeCompare([]byte(id.Nonce), []byte(derived("nonce", c.Binding))) != 1:
		return refused("wrong nonce")
	case id.IssuedAt.After(now.Add(time.Minute)) || now.Sub(id.IssuedAt) > maxIDTokenAge:
		return refused("iat out of range")
	case id.Subject == "" || len(id.Subject) > 255:
		return refused("sub missing or too long")
	}
	if id.AccessTokenHash != "" {
		if err := id.VerifyAccessToken(tok.AccessToken); err != nil {
			return refused("at_hash")
		}
	}
	return id, cl, nil
}

// linkSignedIn links the identity to the signed-in owner's account.
func (a *Authenticator) linkSignedIn(ctx context.Context, r *realmConfig, rp *relyingParty, t store.Token, id *oidc.IDToken, ev store.Event, req Request) (*FederationResult, error) {
	acct, err := a.store.AccountByID(ctx, t.AccountID)
	if err != nil {
		return nil, fmt.Errorf("auth: linking %s: %w", rp.p.Name, err)
	}
	if acct.State != store.StateActive || subtle.ConstantTimeCompare([]byte(acct.SecurityStamp), []byte(t.Data[dataStamp])) != 1 {
		a.record(ctx, fedReason(ev, ReasonPendingUsed))
		return nil, ErrFederationRefused
	}
	if err := a.link(ctx, rp, acct, id.Subject, "signed_in", req); err != nil {
		return nil, err
	}
	return &FederationResult{Linked: true, Provider: rp.p.Name}, nil
}

// link stores the link of acct to the identity and records it.
func (a *Authenticator) link(ctx context.Context, rp *relyingParty, acct store.Account, subject, how string, req Request) error {
	err := a.fed.LinkIdentity(ctx, store.FederatedIdentity{Realm: acct.Realm, Issuer: rp.p.Issuer, Subject: subject, AccountID: acct.ID, CreatedAt: a.now().UTC()})
	switch {
	case errors.Is(err, store.ErrConflict):
		return ErrAlreadyLinked
	case err != nil:
		return fmt.Errorf("auth: linking %s: %w", rp.p.Name, err)
	}
	ev := a.event(EventIdentityLinked, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"provider": rp.p.Name, "how": how}
	a.record(ctx, ev)
	a.notice(ctx, acct, notify.IdentityLinked, req, notify.Data{Provider: rp.p.Label})
	return nil
}

// federatedLogin logs in the account of the identity the provider vouched
// for.
func (a *Authenticator) federatedLogin(ctx context.Context, r *realmConfig, rp *relyingParty, id *oidc.IDToken, cl idClaims, ev store.Event, req Request) (*FederationResult, error) {
	res := &FederationResult{Provider: rp.p.Name}
	fi, err := a.fed.FederatedIdentity(ctx, r.name, rp.p.Issuer, id.Subject)
	var acct store.Account
	switch {
	case err == nil:
		acct, err = a.store.AccountByID(ctx, fi.AccountID)
		if err != nil {
			a.record(ctx, fedReason(ev, ReasonError))
			return nil, fmt.Errorf("auth: federated login: %w", err)
		}
	case errors.Is(err, store.ErrNotFound):
		if acct, res.Created, err = a.byClaim(ctx, r, rp, cl, req); err != nil {
			if errors.Is(err, ErrNotLinked) {
				a.record(ctx, fedReason(ev, ReasonUnknownUser))
			}
			return nil, err
		}
		res.Linked = true
	default:
		a.record(ctx, fedReason(ev, ReasonError))
		return nil, fmt.Errorf("auth: federated login: %w", err)
	}
	ev.AccountID, ev.Username = acct.ID, acct.Username
	switch acct.State {
	case store.StateActive:
	case store.StatePendingConfirmation:
		a.record(ctx, fedReason(ev, ReasonPendingConfirmation))
		return nil, ErrPendingConfirmation
	case store.StatePendingApproval:
		a.record(ctx, fedReason(ev, ReasonPendingApproval))
		return nil, ErrPendingApproval
	default:
		a.record(ctx, fedReason(ev, ReasonDisabled))
		return nil, ErrInvalidCredentials
	}
	if st, err := r.guard.Status(ctx, r.name, acct.Username); err != nil {
		return nil, fmt.Errorf("auth: federated login: %w", err)
	} else if st.Locked() {
		a.record(ctx, fedReason(ev, ReasonLocked))
		return nil, &lockout.LockedError{Until: st.LockedUntil}
	}
	if res.Linked {
		// Linked by its claim only now that the account may log in: a
		// disabled or locked account gets no new way in.
		if err := a.link(ctx, rp, acct, id.Subject, "claim", req); err != nil {
			return nil, err
		}
	}
	if err := a.fed.UseFederatedIdentity(ctx, r.name, rp.p.Issuer, id.Subject, a.now().UTC()); err != nil {
		a.log.ErrorContext(ctx, "masuk: recording a federated identity's use", "provider", rp.p.Name, "error", err)
	}
	how := ""
	if acr, _ := cl.ACR.(string); !mfaAccepted(rp.p.AcceptMFA, cl.AMR) && (acr == "" || !slices.Contains(rp.p.AcceptACR, acr)) {
		if how, err = a.secondStep(ctx, r, acct, ""); err != nil {
			return nil, a.secondStepFailed(ctx, ev, err)
		}
	} else {
		how = "provider_mfa"
	}
	ev.Details["second_factor"] = how
	a.loggedIn(ctx, ev, acct, req)
	res.Login = &LoginResult{Account: acct}
	return res, nil
}

// fedReason is ev, a federated login's event, with the reason it failed
// beside its method and provider.
func fedReason(ev store.Event, reason Reason) store.Event {
	d := maps.Clone(ev.Details)
	if d == nil {
		d = map[string]string{}
	}
	d["reason"] = string(reason)
	ev.Details = d
	return ev
}

// mfaAccepted reports whether the ID token's "amr" holds a method the
// provider's settings accept as the second factor.
func mfaAccepted(accept, amr []string) bool {
	for _, m := range amr {
		if slices.Contains(accept, m) {
			return true
		}
	}
	return false
}

// byClaim finds, or makes, the account a provider's claim names, for a
// provider that links by claim: never one with a password.
func (a *Authenticator) byClaim(ctx context.Context, r *realmConfig, rp *relyingParty, cl idClaims, req Request) (store.Account, bool, error) {
	p := rp.p
	if p.Link != LinkByClaim {
		return store.Account{}, false, ErrNotLinked
	}
	var acct store.Account
	var err error
	username, email := "", ""
	switch {
	case p.UsernameClaim != "":
		v, _ := cl.raw[p.UsernameClaim].(string)
		if username, err = r.username(v, false); err != nil {
			return store.Account{}, false, ErrNotLinked
		}
		acct, err = a.store.AccountByUsername(ctx, r.name, username)
	default:
		if v, ok := cl.EmailVerified.(bool); !ok || !v {
			// Never by an address the provider has not verified.
			return store.Account{}, false, ErrNotLinked
		}
		if email, err = CanonicalEmail(cl.Email); err != nil {
			return store.Account{}, false, ErrNotLinked
		}
		acct, err = a.store.AccountByEmail(ctx, r.name, email)
	}
	if err == nil && p.Create && a.expired(acct) {
		// A registration that never confirmed its address and is past
		// Registration.UnconfirmedFor holds the name as a registration
		// would find it: createFederated takes its place, as Register
		// does.
		err = store.ErrNotFound
	}
	switch {
	case err == nil:
		_, cerr := a.store.CredentialByAccount(ctx, acct.ID)
		switch {
		case errors.Is(cerr, store.ErrNotFound):
			return acct, false, nil
		case cerr != nil:
			return store.Account{}, false, fmt.Errorf("auth: federated login: %w", cerr)
		}
		// An account with a password links while signed in only.
		return store.Account{}, false, ErrNotLinked
	case !errors.Is(err, store.ErrNotFound):
		return store.Account{}, false, fmt.Errorf("auth: federated login: %w", err)
	case !p.Create:
		return store.Account{}, false, ErrNotLinked
	}
	if username == "" {
		username = email
	}
	acct, err = a.createFederated(ctx, r, username, email, req)
	if err != nil {
		return store.Account{}, false, err
	}
	return acct, true, nil
}

// createFederated makes an active account without a password for a
// person a provider vouched for.
func (a *Authenticator) createFederated(ctx context.Context, r *realmConfig, username, email string, req Request) (store.Account, error) {
	id, err := a.randomHex(16)
	if err != nil {
		return store.Account{}, err
	}
	stamp, err := a.randomHex(16)
	if err != nil {
		return store.Account{}, err
	}
	now := a.now().UTC()
	state := store.StateActive
	if r.Registration.Approval {
		// The provider vouches for who the person is, not for what the
		// realm's operators check before they approve (a company's
		// documents): the account waits for them as any other does.
		state = store.StatePendingApproval
	}
	acct := store.Account{ID: id, Realm: r.name, Username: username, DisplayUsername: username, Email: email, State: state, SecurityStamp: stamp, CreatedAt: now, UpdatedAt: now}
	err = a.store.CreateAccount(ctx, acct, nil)
	if errors.Is(err, store.ErrConflict) && a.freeUnconfirmed(ctx, r, Registration{Realm: r.name, Request: req}, username, email) {
		// The name or address was held by a registration that never
		// confirmed it and has expired: the store deleted it only if it
		// still was unconfirmed and that old (an account confirmed,
		// active, waiting for approval or not yet stale stays), and the
		// provider's person takes its place, as a registration would.
		err = a.store.CreateAccount(ctx, acct, nil)
	}
	switch {
	case errors.Is(err, store.ErrConflict):
		return store.Account{}, ErrNotLinked
	case err != nil:
		return store.Account{}, fmt.Errorf("auth: federated registration: %w", err)
	}
	ev := a.event(EventRegistered, r.name, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"method": "federation"}
	a.record(ctx, ev)
	return acct, nil
}

// LinkedIdentity is one of an account's federated identities, as its
// owner sees it.
type LinkedIdentity struct {
	Provider   string    `json:"provider"`
	Label      string    `json:"label"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Identities lists the providers linked to an account.
func (v *Federation) Identities(ctx context.Context, accountID string) (_ []LinkedIdentity, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Federation.Identities")
	defer sp.end(&err)
	a := v.a
	acct, err := a.store.AccountByID(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	return a.identities(ctx, acct)
}

// identities lists acct's linked providers; none when no realm logs in
// through one.
func (a *Authenticator) identities(ctx context.Context, acct store.Account) ([]LinkedIdentity, error) {
	if a.fed == nil {
		return []LinkedIdentity{}, nil
	}
	fis, err := a.fed.FederatedIdentities(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	r := a.realmOf(acct.Realm)
	out := make([]LinkedIdentity, 0, len(fis))
	for _, fi := range fis {
		li := LinkedIdentity{Provider: fi.Issuer, Label: fi.Issuer, CreatedAt: fi.CreatedAt, LastUsedAt: fi.LastUsedAt}
		for _, rp := range r.providers {
			if rp.p.Issuer == fi.Issuer {
				li.Provider, li.Label = rp.p.Name, rp.p.Label
			}
		}
		out = append(out, li)
	}
	return out, nil
}

// FederationUnlink removes a provider from an account.
type FederationUnlink struct {
	AccountID, Provider string
	// Password, or a recent re-authentication (Request.Session), proves
	// the owner.
	Password string
	Request
}

// Unlink removes the account's identity of a provider, after its owner
// proved the password or a recent re-authentication, unless the account
// would be left without a way to log in (ErrLastWayIn).
func (v *Federation) Unlink(ctx context.Context, u FederationUnlink) (err error) {
	if v.unset() {
		return errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Federation.Unlink")
	defer sp.end(&err)
	a := v.a
	if a.fed == nil {
		return ErrUnknownProvider
	}
	acct, err := a.checkOwner(ctx, actionFederation, u.AccountID, u.Password, u.Request)
	if err != nil {
		return err
	}
	rp := a.realmOf(acct.Realm).providers[u.Provider]
	if rp == nil {
		return ErrUnknownProvider
	}
	subject, err := a.linkedSubject(ctx, acct, rp)
	if err != nil {
		return err
	}
	switch err := a.fed.UnlinkIdentity(ctx, acct.ID, rp.p.Issuer, subject, true); {
	case errors.Is(err, store.ErrStale):
		return ErrLastWayIn
	case errors.Is(err, store.ErrNotFound):
		return ErrNotLinked
	case err != nil:
		return fmt.Errorf("auth: unlinking %s: %w", rp.p.Name, err)
	}
	ev := a.event(EventIdentityUnlinked, acct.Realm, u.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"provider": rp.p.Name}
	a.record(ctx, ev)
	a.notice(ctx, acct, notify.IdentityUnlinked, u.Request, notify.Data{Provider: rp.p.Label})
	return nil
}

// FederationLogout asks for a provider's logout URL.
type FederationLogout struct {
	Realm, Provider string
	// IDTokenHint is the ID token of the login, when the host kept it;
	// empty sends the client ID instead.
	IDTokenHint string
	// State comes back with the person to Provider.PostLogoutURL.
	State string
}

// LogoutURL returns where to send the browser to log out at the provider
// as well (RP-initiated logout), or "" when the provider has no
// end_session_endpoint. End masuk's session first.
func (v *Federation) LogoutURL(ctx context.Context, l FederationLogout) (_ string, err error) {
	if v.unset() {
		return "", errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Federation.LogoutURL")
	defer sp.end(&err)
	_, rp, err := v.a.providerOf(l.Realm, l.Provider)
	if err != nil {
		return "", err
	}
	_, _, meta, err := rp.discover(ctx, v.a.now)
	if err != nil || meta.EndSession == "" {
		return "", err
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return "", fmt.Errorf("auth: %s's end_session_endpoint: %w", rp.p.Name, err)
	}
	q := u.Query()
	if l.IDTokenHint != "" {
		q.Set("id_token_hint", l.IDTokenHint)
	} else {
		q.Set("client_id", rp.p.ClientID)
	}
	if rp.p.PostLogoutURL != "" {
		q.Set("post_logout_redirect_uri", rp.p.PostLogoutURL)
		if l.State != "" {
			q.Set("state", l.State)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// checkClientKeys refuses one key ID given to two keys: JWKS publishes
// one key per ID, and a provider would not verify the other's
// assertions.
func (a *Authenticator) checkClientKeys() error {
	seen := map[string]*ecdsa.PrivateKey{}
	for _, r := range append([]*realmConfig{a.defaults}, slices.Collect(maps.Values(a.realms))...) {
		for _, rp := range r.providers {
			k := rp.p.ClientKey
			if k == nil {
				continue
			}
			if other, ok := seen[rp.p.ClientKeyID]; ok && !other.Equal(k) {
				return fmt.Errorf("%w: Federation providers: ClientKeyID %q names two different keys", ErrConfig, rp.p.ClientKeyID)
			}
			seen[rp.p.ClientKeyID] = k
		}
	}
	return nil
}

// JWKS returns the public keys of every realm's private_key_jwt
// providers as a JSON Web Key Set, for the URL registered at the
// providers (INApas asks for one).
func (a *Authenticator) JWKS() ([]byte, error) {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	seen := map[string]bool{}
	add := func(r *realmConfig) {
		for _, rp := range r.providers {
			if k := rp.p.ClientKey; k != nil && !seen[rp.p.ClientKeyID] {
				seen[rp.p.ClientKeyID] = true
				set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public(), KeyID: rp.p.ClientKeyID, Algorithm: string(curveAlg(k.Curve)), Use: "sig"})
			}
		}
	}
	add(a.defaults)
	for _, r := range a.realms {
		add(r)
	}
	slices.SortFunc(set.Keys, func(x, y jose.JSONWebKey) int { return strings.Compare(x.KeyID, y.KeyID) })
	return json.Marshal(set)
}

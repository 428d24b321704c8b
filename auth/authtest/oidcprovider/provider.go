// Package oidcprovider is an OpenID provider for tests: discovery, a JWKS
// whose keys rotate, an authorization endpoint that signs a chosen person
// in, a token endpoint that checks codes, PKCE and the client's
// authentication (private_key_jwt or client_secret_basic), and an
// end-session endpoint. It runs on an httptest.Server, so that a portal's
// tests (and masuk's own) can sign in through a provider without the
// network.
//
// A conforming provider never misbehaves; this one can, when a test sets
// Faults: a wrong issuer or nonce, an extra audience, an expired or
// unsigned token, a key rotated out, a callback without "iss", a sign-in
// older than the request ("auth_time"). Each is a refusal masuk must make.
//
// Never in production: it trusts whoever reaches it, keeps everything in
// memory and signs in whomever the test says.
package oidcprovider

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Client is a relying party registered at the provider.
type Client struct {
	ID string
	// Secret authenticates the client with client_secret_basic; empty
	// when it authenticates with private_key_jwt.
	Secret string
	// Keys are the public keys of its private_key_jwt assertions.
	Keys jose.JSONWebKeySet
	// RedirectURIs are the callbacks it may name, compared exactly.
	RedirectURIs []string
}

// Faults make the provider misbehave, each as an attacker or a broken
// provider would. The zero value is a conforming provider.
type Faults struct {
	// Issuer, when set, is the "iss" of the ID tokens instead of the
	// provider's.
	Issuer string
	// CallbackIssuer, when set, is the "iss" of the authorization
	// response instead of the provider's; NoCallbackIssuer leaves it out.
	CallbackIssuer   string
	NoCallbackIssuer bool
	// Audience adds an audience to the ID tokens (without "azp" unless
	// AuthorizedParty is set too); WrongAudience replaces the client's.
	Audience        string
	WrongAudience   bool
	AuthorizedParty string
	// Nonce, when set, is the ID token's nonce instead of the request's.
	Nonce string
	// Expired issues ID tokens that expired an hour ago; IssuedLongAgo
	// issues ones whose "iat" is a day old (and that expire in an hour).
	Expired       bool
	IssuedLongAgo bool
	// Unsigned issues ID tokens with "alg": "none".
	Unsigned bool
	// AccessTokenHash, when set, is the ID token's "at_hash".
	AccessTokenHash string
	// StaleAuthTime makes "auth_time" an hour before the approval, as a
	// provider that let a single sign-on session stand despite
	// "prompt=login" and "max_age=0" would; NoAuthTime leaves it out.
	StaleAuthTime bool
	NoAuthTime    bool
	// DiscoveryDown answers the discovery document with 503 Service
	// Unavailable; DiscoveryDelay answers it after that long (or when
	// the client gives up), as a provider that is down or slow would.
	DiscoveryDown  bool
	DiscoveryDelay time.Duration
}

// Provider is a running OpenID provider. Its methods are safe for
// concurrent use.
type Provider struct {
	srv *httptest.Server
	// Issuer is the provider's issuer identifier, its server's URL.
	Issuer string
	// Now is the provider's clock, for the times of its tokens and the
	// check of client assertions. Nil means time.Now; set it before the
	// first request, to the clock of the Authenticator under test.
	Now func() time.Time

	mu      sync.Mutex
	key     *ecdsa.PrivateKey
	kid     string
	retired []jose.JSONWebKey // rotated out but still published
	// old is the key rotated out last; useOld signs with it
	// (SignWithRetired).
	old     *ecdsa.PrivateKey
	oldKid  string
	useOld  bool
	clients map[string]Client
	claims  map[string]any
	codes   map[string]*grant
	jtis    map[string]bool
	faults  Faults
	logouts []url.Values
	serial  int
	// discoveries counts the requests for the discovery document.
	discoveries int
}

// grant is an authorization code's request.
type grant struct {
	client, redirect, nonce, challenge string
	claims                             map[string]any
	used                               bool
	// authTime is when the person signed in: the approval.
	authTime time.Time
}

// New starts a provider; Close stops it.
func New() *Provider {
	p := &Provider{clients: map[string]Client{}, codes: map[string]*grant{}, jtis: map[string]bool{}}
	p.key, p.kid = newKey(), "key-1"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /authorize", p.approve)
	mux.HandleFunc("POST /token", p.token)
	mux.HandleFunc("GET /logout", p.logout)
	p.srv = httptest.NewServer(mux)
	p.Issuer = p.srv.URL
	return p
}

// Close stops the provider's server.
func (p *Provider) Close() { p.srv.Close() }

func newKey() *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// Register registers a client.
func (p *Provider) Register(c Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[c.ID] = c
}

// SignIn makes the person whose claims are given ("sub" at least) the one
// the provider signs in from now on.
func (p *Provider) SignIn(claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.claims = maps.Clone(claims)
}

// SetFaults makes the provider misbehave as f says, from now on.
func (p *Provider) SetFaults(f Faults) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = f
}

// Rotate signs with a new key from now on. With keepOld the old key stays
// in the JWKS; without, it is gone, and tokens it signed no longer verify.
func (p *Provider) Rotate(keepOld bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if keepOld {
		p.retired = append(p.retired, jose.JSONWebKey{Key: p.key.Public(), KeyID: p.kid, Algorithm: string(jose.ES256), Use: "sig"})
	}
	p.old, p.oldKid = p.key, p.kid
	p.serial++
	p.key, p.kid = newKey(), fmt.Sprintf("key-%d", p.serial+1)
}

// SignWithRetired makes the provider sign ID tokens with the key it
// rotated out last, as a provider whose key leaked would be made to.
func (p *Provider) SignWithRetired(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.useOld = on && p.old != nil
}

// Logouts returns the query of every end-session request so far.
func (p *Provider) Logouts() []url.Values {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.logouts)
}

// Discoveries returns how many times the discovery document was asked
// for, answered or not.
func (p *Provider) Discoveries() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.discoveries
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.discoveries++
	f := p.faults
	p.mu.Unlock()
	if f.DiscoveryDelay > 0 {
		t := time.NewTimer(f.DiscoveryDelay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	if f.DiscoveryDown {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                         p.Issuer,
		"authorization_endpoint":                         p.Issuer + "/authorize",
		"token_endpoint":                                 p.Issuer + "/token",
		"jwks_uri":                                       p.Issuer + "/jwks",
		"end_session_endpoint":                           p.Issuer + "/logout",
		"response_types_supported":                       []string{"code"},
		"subject_types_supported":                        []string{"public"},
		"id_token_signing_alg_values_supported":          []string{"ES256"},
		"code_challenge_methods_supported":               []string{"S256"},
		"token_endpoint_auth_methods_supported":          []string{"private_key_jwt", "client_secret_basic"},
		"authorization_response_iss_parameter_supported": true,
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	p.mu.Lock()
	set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey{{Key: p.key.Public(), KeyID: p.kid, Algorithm: string(jose.ES256), Use: "sig"}}, p.retired...)}
	p.mu.Unlock()
	writeJSON(w, http.StatusOK, set)
}

// page is the provider's sign-in page: who will be signed in, and a
// button.
var page = template.Must(template.New("").Parse(`<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Penyedia identitas uji</title></head><body style="font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem">
<h1>Penyedia identitas uji</h1><p>Masuk ke <strong>{{.Client}}</strong> sebagai <strong>{{.Name}}</strong>?</p>
<form method="post" action="/authorize?{{.Query}}"><button type="submit" id="approve">Setujui</button></form></body></html>`))

// authorize shows who will be signed in; the form posts to approve.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	if _, err := p.check(r.URL.Query()); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	name, _ := p.claims["name"].(string)
	if name == "" {
		name, _ = p.claims["sub"].(string)
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, map[string]any{"Client": r.URL.Query().Get("client_id"), "Name": name, "Query": template.URL(r.URL.RawQuery)})
}

// check validates an authorization request and returns its client.
func (p *Provider) check(q url.Values) (Client, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, ok := p.clients[q.Get("client_id")]
	switch {
	case !ok:
		return Client{}, fmt.Errorf("unknown client")
	case !slices.Contains(c.RedirectURIs, q.Get("redirect_uri")):
		return Client{}, fmt.Errorf("redirect_uri not registered")
	case q.Get("response_type") != "code":
		return Client{}, fmt.Errorf("response_type must be code")
	case q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		return Client{}, fmt.Errorf("PKCE S256 required")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		return Client{}, fmt.Errorf("scope must hold openid")
	case p.claims == nil:
		return Client{}, fmt.Errorf("nobody to sign in (SignIn)")
	}
	return c, nil
}

// approve signs the person in and sends the browser back with a code.
func (p *Provider) approve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := p.check(q)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	code := random()
	p.mu.Lock()
	p.codes[code] = &grant{client: c.ID, redirect: q.Get("redirect_uri"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), claims: maps.Clone(p.claims), authTime: p.now()}
	iss := p.Issuer
	switch {
	case p.faults.NoCallbackIssuer:
		iss = ""
	case p.faults.CallbackIssuer != "":
		iss = p.faults.CallbackIssuer
	}
	p.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	v := back.Query()
	v.Set("code", code)
	v.Set("state", q.Get("state"))
	if iss != "" {
		v.Set("iss", iss)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// AuthorizeURL follows an authorization URL as a browser that approves at
// once would, and returns the callback URL the provider redirects to.
func (p *Provider) AuthorizeURL(authURL string) (string, error) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post(authURL, "application/x-www-form-urlencoded", nil)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return "", fmt.Errorf("oidcprovider: the provider answered %s", resp.Status)
	}
	return resp.Header.Get("Location"), nil
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		tokenError(w, "invalid_request")
		return
	}
	f := r.PostForm
	clientID, err := p.authenticate(r, f)
	if err != nil {
		w.Header().Set("WWW-Authenticate", "Basic")
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": err.Error()})
		return
	}
	p.mu.Lock()
	g, ok := p.codes[f.Get("code")]
	valid := ok && !g.used && g.client == clientID && g.redirect == f.Get("redirect_uri") && f.Get("grant_type") == "authorization_code"
	if ok {
		g.used = true
	}
	faults := p.faults
	key, kid := p.key, p.kid
	if p.useOld {
		key, kid = p.old, p.oldKid
	}
	p.mu.Unlock()
	if !valid {
		tokenError(w, "invalid_grant")
		return
	}
	sum := sha256.Sum256([]byte(f.Get("code_verifier")))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(g.challenge)) != 1 {
		tokenError(w, "invalid_grant")
		return
	}
	access := random()
	idToken, err := p.idToken(g, clientID, access, faults, key, kid)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": access, "token_type": "Bearer", "expires_in": 300, "id_token": idToken})
}

// authenticate checks the client's authentication: HTTP Basic with its
// secret, or a private_key_jwt assertion signed by one of its keys, for
// this token endpoint, unexpired and never seen before.
func (p *Provider) authenticate(r *http.Request, f url.Values) (string, error) {
	if id, secret, ok := r.BasicAuth(); ok {
		p.mu.Lock()
		c, known := p.clients[id]
		p.mu.Unlock()
		if !known || c.Secret == "" || subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
			return "", fmt.Errorf("bad client secret")
		}
		return id, nil
	}
	if f.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
		return "", fmt.Errorf("no client authentication")
	}
	tok, err := jwt.ParseSigned(f.Get("client_assertion"), []jose.SignatureAlgorithm{jose.ES256, jose.ES384, jose.ES512})
	if err != nil {
		return "", fmt.Errorf("assertion: %w", err)
	}
	var unverified jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return "", err
	}
	p.mu.Lock()
	c, known := p.clients[unverified.Issuer]
	p.mu.Unlock()
	if !known || len(c.Keys.Keys) == 0 {
		return "", fmt.Errorf("unknown client %q", unverified.Issuer)
	}
	var claims jwt.Claims
	if err := tok.Claims(&c.Keys, &claims); err != nil {
		return "", fmt.Errorf("assertion signature: %w", err)
	}
	if err := claims.ValidateWithLeeway(jwt.Expected{Issuer: c.ID, Subject: c.ID, AnyAudience: jwt.Audience{p.Issuer + "/token", p.Issuer}, Time: p.now()}, 0); err != nil {
		return "", fmt.Errorf("assertion claims: %w", err)
	}
	if claims.Expiry == nil || claims.Expiry.Time().Sub(p.now()) > 10*time.Minute || claims.ID == "" {
		return "", fmt.Errorf("assertion needs jti and a short exp")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.jtis[claims.ID] {
		return "", fmt.Errorf("assertion replayed")
	}
	p.jtis[claims.ID] = true
	if f.Get("client_id") != "" && f.Get("client_id") != c.ID {
		return "", fmt.Errorf("client_id differs from the assertion's")
	}
	return c.ID, nil
}

// idToken signs the ID token of grant g.
func (p *Provider) idToken(g *grant, clientID, access string, f Faults, key crypto.Signer, kid string) (string, error) {
	now := p.now()
	claims := maps.Clone(g.claims)
	aud := []string{clientID}
	if f.WrongAudience {
		aud = []string{"someone-else"}
	}
	if f.Audience != "" {
		aud = append(aud, f.Audience)
	}
	sum := sha256.Sum256([]byte(access))
	claims["iss"] = p.Issuer
	claims["aud"] = aud
	claims["iat"] = now.Unix()
	claims["exp"] = now.Add(5 * time.Minute).Unix()
	claims["nonce"] = g.nonce
	claims["at_hash"] = base64.RawURLEncoding.EncodeToString(sum[:16])
	switch {
	case f.NoAuthTime:
	case f.StaleAuthTime:
		claims["auth_time"] = g.authTime.Add(-time.Hour).Unix()
	default:
		claims["auth_time"] = g.authTime.Unix()
	}
	if f.Issuer != "" {
		claims["iss"] = f.Issuer
	}
	if f.AuthorizedParty != "" {
		claims["azp"] = f.AuthorizedParty
	}
	if f.Nonce != "" {
		claims["nonce"] = f.Nonce
	}
	if f.Expired {
		claims["exp"] = now.Add(-time.Hour).Unix()
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
	}
	if f.IssuedLongAgo {
		claims["iat"] = now.Add(-24 * time.Hour).Unix()
		claims["exp"] = now.Add(time.Hour).Unix()
	}
	if f.AccessTokenHash != "" {
		claims["at_hash"] = f.AccessTokenHash
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	if f.Unsigned {
		head := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
		return head + "." + base64.RawURLEncoding.EncodeToString(payload) + ".", nil
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", kid))
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func (p *Provider) logout(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	p.logouts = append(p.logouts, q)
	p.mu.Unlock()
	if back := q.Get("post_logout_redirect_uri"); back != "" {
		u, err := url.Parse(back)
		if err == nil {
			v := u.Query()
			if s := q.Get("state"); s != "" {
				v.Set("state", s)
			}
			u.RawQuery = v.Encode()
			http.Redirect(w, r, u.String(), http.StatusFound)
			return
		}
	}
	_, _ = w.Write([]byte("signed out"))
}

func (p *Provider) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func tokenError(w http.ResponseWriter, code string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func random() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

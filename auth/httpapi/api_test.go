package httpapi_test

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/httpapi"
	"github.com/masuk-id/masuk/captcha"
)

// The test portal's realms: "bebas" activates nothing, "lpse" activates
// and resets by link with a captcha after three failures, "sapk" by
// code, "wajib" requires a second factor.
func realms() map[string]auth.Realm {
	links := auth.Links{Reset: "https://portal.example.go.id/reset", Activate: "https://portal.example.go.id/aktivasi",
		ConfirmEmail: "https://portal.example.go.id/email"}
	return map[string]auth.Realm{
		"bebas": {Links: links},
		"lpse": {Links: links, Activation: auth.ActivationPolicy{Mode: auth.ActivationLink},
			Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAfterFailures, After: 3}},
		"sapk": {Links: links, Activation: auth.ActivationPolicy{Mode: auth.ActivationCode},
			Reset: auth.ResetPolicy{Delivery: auth.ByCode}},
		"wajib": {Links: links, SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}},
		// Not served by the API: Config.Realms leaves it out.
		"operator": {Links: links},
	}
}

const origin = "https://app.example.go.id"

// env is a portal's API on a test server, with a client whose every
// request and response is validated against the served OpenAPI document.
type env struct {
	t      *testing.T
	kit    *authtest.Kit
	srv    *httptest.Server
	client *http.Client
	api    *httpapi.Handler
	// answer solves every captcha the Kit's service issues.
	answer string
}

func newEnv(t *testing.T, mod ...func(*httpapi.Config)) *env {
	t.Helper()
	return newEnvOf(t, realms(), []string{"bebas", "lpse", "sapk", "wajib"}, mod...)
}

// newEnvOf is newEnv for an Authenticator of the realms rs, of which the
// API serves those listed.
func newEnvOf(t *testing.T, rs map[string]auth.Realm, served []string, mod ...func(*httpapi.Config)) *env {
	t.Helper()
	kit := authtest.New(t, auth.Config{Realms: rs}, authtest.WithCaptcha(captcha.Config{}))
	cfg := httpapi.Config{Auth: kit.Auth, BasePath: "/api", Realms: served,
		Captcha: kit.Captcha, AllowedOrigins: []string{origin}, Now: kit.Now, MaxBodyBytes: 16 << 10}
	for _, m := range mod {
		m(&cfg)
	}
	api, err := httpapi.New(cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	e := &env{t: t, kit: kit, srv: srv, api: api,
		answer: kit.SolveCaptcha(t, "test", "192.0.2.1").Answer}
	e.client = &http.Client{Transport: newValidator(t, srv, cfg.BasePath)}
	return e
}

// validator is a RoundTripper that validates every request and response
// against the document the server serves at openapi.json.
type validator struct {
	t      *testing.T
	router routers.Router
}

// exercised holds the operations ("POST /{realm}/login") the tests sent a
// request to, for TestMain.
var exercised sync.Map

// TestMain fails a run of every test that left an operation of the
// document unexercised: each is validated by a journey.
func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if code == 0 && flag.Lookup("test.run").Value.String() == "" {
		doc, err := openapi3.NewLoader().LoadFromFile("openapi.json")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for path, item := range doc.Paths.Map() {
			for method := range item.Operations() {
				if _, ok := exercised.Load(method + " " + path); !ok {
					fmt.Fprintf(os.Stderr, "no test sent a request to %s %s\n", method, path)
					code = 1
				}
			}
		}
	}
	os.Exit(code)
}

// The marks a test puts on a request's context.
type (
	// invalidKey marks a request that breaks the document on purpose
	// (a 415, an unknown field): only its response is validated.
	invalidKey struct{}
	// unlistedKey marks a request the document has no operation for (a
	// CORS preflight, an unknown path): it is not validated.
	unlistedKey struct{}
)

func newValidator(t *testing.T, srv *httptest.Server, base string) *validator {
	t.Helper()
	resp, err := http.Get(srv.URL + base + "/openapi.json")
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(raw)
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()), "the served document is valid OpenAPI")
	require.Equal(t, "3.1.0", doc.OpenAPI)
	require.Equal(t, base, doc.Servers[0].URL, "the document's server is the base path")
	doc.Servers = openapi3.Servers{{URL: srv.URL + base}}
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)
	return &validator{t: t, router: router}
}

func init() {
	openapi3filter.RegisterBodyDecoder("image/png", openapi3filter.FileBodyDecoder)
	openapi3filter.RegisterBodyDecoder("audio/wav", openapi3filter.FileBodyDecoder)
}

func (v *validator) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	ctx := req.Context()
	var in *openapi3filter.RequestValidationInput
	if ctx.Value(unlistedKey{}) == nil {
		route, params, err := v.router.FindRoute(req)
		if err != nil {
			v.t.Errorf("%s %s: no operation in the document: %v", req.Method, req.URL.Path, err)
		} else {
			check := req.Clone(ctx)
			check.Body = io.NopCloser(bytes.NewReader(body))
			in = &openapi3filter.RequestValidationInput{Request: check, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: bearerOnly, MultiError: true}}
			if ctx.Value(invalidKey{}) == nil {
				if err := openapi3filter.ValidateRequest(ctx, in); err != nil {
					v.t.Errorf("%s %s: the request breaks the document: %v", req.Method, req.URL.Path, err)
				}
			}
			exercised.Store(route.Method+" "+route.Path, true)
		}
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil || in == nil {
		return resp, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
		v.t.Errorf("%s %s: the %d answer breaks the document: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, raw)
	}
	return resp, nil
}

// bearerOnly checks the bearer scheme's requirement as the document
// states it: an Authorization header with a bearer token.
func bearerOnly(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	h := in.RequestValidationInput.Request.Header.Get("Authorization")
	if in.SecuritySchemeName != "bearer" || !strings.HasPrefix(h, "Bearer ") || len(h) == len("Bearer ") {
		return errors.New("no bearer token")
	}
	return nil
}

// call is one request a test sends.
type call struct {
	method, path string
	body         any    // JSON-encoded unless raw is set
	raw          []byte // sent as is, with contentType
	contentType  string
	token        string
	header       map[string]string
	invalid      bool // breaks the document on purpose
	unlisted     bool // has no operation in the document
}

// answer is what came back.
type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// send sends c to the API, below /api.
func (e *env) send(c call) answer {
	e.t.Helper()
	var rd io.Reader
	ct := c.contentType
	switch {
	case c.raw != nil:
		rd = bytes.NewReader(c.raw)
	case c.body != nil:
		b, err := json.Marshal(c.body)
		require.NoError(e.t, err)
		rd = bytes.NewReader(b)
		if ct == "" {
			ct = "application/json"
		}
	}
	ctx := context.Background()
	if c.invalid {
		ctx = context.WithValue(ctx, invalidKey{}, true)
	}
	if c.unlisted {
		ctx = context.WithValue(ctx, unlistedKey{}, true)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, e.srv.URL+"/api"+c.path, rd)
	require.NoError(e.t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	a := answer{status: resp.StatusCode, header: resp.Header, raw: raw}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		require.NoError(e.t, json.Unmarshal(raw, &a.body), "%s", raw)
	}
	return a
}

func (e *env) post(path string, body any, token string) answer {
	e.t.Helper()
	return e.send(call{method: http.MethodPost, path: path, body: body, token: token})
}

func (e *env) get(path, token string) answer {
	e.t.Helper()
	return e.send(call{method: http.MethodGet, path: path, token: token})
}

// obj reads a JSON object out of a decoded answer by path: obj(b, "error", "captcha").
func obj(v any, keys ...string) map[string]any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	m, _ := v.(map[string]any)
	return m
}

// str reads a string by path.
func str(v map[string]any, keys ...string) string {
	s, _ := obj(v, keys[:len(keys)-1]...)[keys[len(keys)-1]].(string)
	return s
}

// code is the error code of an answer, or "".
func (a answer) code() string { return str(a.body, "error", "code") }

// expect fails the test unless the answer has the status and, for an
// error, the code.
func (e *env) expect(a answer, status int, code string) answer {
	e.t.Helper()
	require.Equal(e.t, status, a.status, "%s", a.raw)
	assert.Equal(e.t, code, a.code(), "%s", a.raw)
	return a
}

// register registers an account in a realm that activates nothing.
func (e *env) register(realm, username, email, password string) {
	e.t.Helper()
	a := e.post(prefix(realm)+"/register", map[string]any{"username": username, "email": email, "password": password}, "")
	e.expect(a, http.StatusAccepted, "")
	assert.Equal(e.t, "none", a.body["activation"])
}

// login logs in in one step and returns the session's token.
func (e *env) login(realm, username, password string) string {
	e.t.Helper()
	a := e.expect(e.post(prefix(realm)+"/login", map[string]any{"username": username, "password": password}, ""), http.StatusOK, "")
	tok := str(a.body, "session", "token")
	require.NotEmpty(e.t, tok)
	return tok
}

// totpSecret reads the secret out of an otpauth URI.
func totpSecret(t *testing.T, uri string) []byte {
	t.Helper()
	u, err := url.Parse(uri)
	require.NoError(t, err)
	s := u.Query().Get("secret")
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(s))
	require.NoError(t, err)
	return secret
}

// prefix is the path segment of a realm, or "" for the single realm of
// a handler with Config.Realm.
func prefix(realm string) string {
	if realm == "" {
		return ""
	}
	return "/" + realm
}

package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/lockout"
)

// DefaultMaxBodyBytes bounds a request's body when Config.MaxBodyBytes is
// zero: the largest request, a registration with its profile, is a few
// kilobytes. A body that carries a passkey's credential may be
// auth.MaxPasskeyResponse longer.
const DefaultMaxBodyBytes = 64 << 10

// Config configures a [Handler].
type Config struct {
	// Auth is the Authenticator whose flows the API serves. Required.
	Auth *auth.Authenticator
	// BasePath is the path the host mounts the handler at, such as "/api"
	// for mux.Handle("/api/", h): every route lies below it, the captcha
	// media's URLs begin with it, and it is the OpenAPI document's server.
	// Empty means the root. It starts with "/" and does not end with one.
	BasePath string
	// Realm, when set, is the one realm the handler serves, at paths
	// without a realm segment ("/api/login"). Empty means each path names
	// its realm in its first segment below BasePath ("/api/lpse/login").
	Realm string
	// Realms are the realms a path segment may name, when Realm is empty.
	// Nil means every realm the Authenticator accepts; list them to keep a
	// realm (the operators') off the API. The document lists them.
	Realms []string
	// AllowedOrigins are the exact origins ("https://app.example.go.id")
	// whose scripts may call the API from another origin (CORS): their
	// preflight requests are answered and their answers may be read. Empty
	// means none: pages of the API's own origin and apps, which send no
	// Origin, only. A request from any other origin is refused with 403,
	// whatever it asks. No wildcard: "*" is refused by New. Credentials
	// (cookies) are never allowed; the API needs none.
	AllowedOrigins []string
	// PreflightMaxAge is how long a browser may keep a preflight's answer.
	// Zero means 10 minutes.
	PreflightMaxAge time.Duration
	// MaxBodyBytes bounds a request's body; a larger one is refused with
	// 413. Zero means DefaultMaxBodyBytes (64 KiB), and for a body that
	// carries a passkey's credential, auth.MaxPasskeyResponse (64 KiB)
	// more. A bound set here holds for every body, those with a
	// credential too (a passkey's is a few KiB).
	MaxBodyBytes int64
	// Captcha issues masuk's own captcha challenges, whose image and audio
	// the handler serves, for the realms whose captcha policy asks for one:
	// pass the Service that auth's Config.Captcha checks (captcha.Checker).
	// Nil means the API issues none: an error that needs a captcha says so
	// without a challenge, for a client that answers with a hosted widget's
	// token (captcha.answer) checked by captcha.HostedChecker.
	Captcha *captcha.Service
	// MediaBase is the absolute URL the captcha media's URLs begin with in
	// answers, such as "https://portal.example.go.id/api", for clients that
	// need absolute URLs. Empty means BasePath: URLs relative to the
	// API's origin.
	MediaBase string
	// ClientAddr returns the address of the client that sent a request,
	// which the lockout counts and the activity log records. Nil means the
	// host of r.RemoteAddr. Behind a reverse proxy, give the proxies'
	// networks: func(r *http.Request) string { return
	// lockout.ClientAddr(r, proxies) }.
	ClientAddr func(r *http.Request) string
	// Logger receives the failures answered with a 5xx (a store down, a
	// misconfiguration), whose detail the answer never holds. Nil means
	// slog.Default().
	Logger *slog.Logger
	// Now is the clock Retry-After is counted on: the Authenticator's
	// Config.Now. Nil means time.Now.
	Now func() time.Time
}

// Handler serves masuk's flows as JSON over HTTP, for mobile apps and
// single-page applications. It is safe for concurrent use.
type Handler struct {
	cfg     Config
	auth    *auth.Authenticator
	mux     *http.ServeMux
	origins map[string]bool
	realms  map[string]bool
	prefix  string // BasePath, and "/{realm}" in realm mode
	// maxCredential bounds the bodies that carry a passkey's credential.
	maxCredential int64
	doc           []byte // the OpenAPI document, as served
	methods       []string
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler for cfg, or an error naming the setting it refuses.
func New(cfg Config) (*Handler, error) {
	if cfg.Auth == nil {
		return nil, errors.New("httpapi: Config.Auth is required")
	}
	if cfg.BasePath != "" && (!strings.HasPrefix(cfg.BasePath, "/") || strings.HasSuffix(cfg.BasePath, "/") ||
		strings.ContainsAny(cfg.BasePath, "{}?#%")) {
		return nil, fmt.Errorf("httpapi: Config.BasePath %q must start with / and not end with one", cfg.BasePath)
	}
	if cfg.MaxBodyBytes < 0 {
		return nil, errors.New("httpapi: Config.MaxBodyBytes is negative")
	}
	maxCredential := cfg.MaxBodyBytes
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
		maxCredential = DefaultMaxBodyBytes + auth.MaxPasskeyResponse
	}
	if cfg.PreflightMaxAge < 0 {
		return nil, errors.New("httpapi: Config.PreflightMaxAge is negative")
	}
	if cfg.PreflightMaxAge == 0 {
		cfg.PreflightMaxAge = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientAddr == nil {
		cfg.ClientAddr = func(r *http.Request) string { return lockout.ClientAddr(r, nil) }
	}
	if cfg.MediaBase == "" {
		cfg.MediaBase = cfg.BasePath
	} else if u, err := url.Parse(cfg.MediaBase); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(cfg.MediaBase, "/") {
		return nil, fmt.Errorf("httpapi: Config.MediaBase %q is not an absolute http(s) URL without a trailing /", cfg.MediaBase)
	}
	h := &Handler{cfg: cfg, auth: cfg.Auth, origins: map[string]bool{}, maxCredential: maxCredential}
	for _, o := range cfg.AllowedOrigins {
		u, err := url.Parse(o)
		if o == "*" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.User != nil {
			return nil, fmt.Errorf("httpapi: Config.AllowedOrigins: %q is not an origin such as https://app.example.go.id", o)
		}
		h.origins[strings.ToLower(o)] = true
	}
	if cfg.Realm != "" {
		if _, err := cfg.Auth.Realm(cfg.Realm); err != nil {
			return nil, fmt.Errorf("httpapi: Config.Realm: %w", err)
		}
		if cfg.Realms != nil {
			return nil, errors.New("httpapi: Config.Realms is for realms named by the path; with Config.Realm, leave it nil")
		}
	}
	if cfg.Realms != nil {
		if len(cfg.Realms) == 0 {
			return nil, errors.New("httpapi: Config.Realms is empty: nil serves every realm, an empty list none")
		}
		h.realms = map[string]bool{}
		for _, name := range cfg.Realms {
			if _, err := cfg.Auth.Realm(name); err != nil {
				return nil, fmt.Errorf("httpapi: Config.Realms: %q: %w", name, err)
			}
			h.realms[name] = true
		}
	}
	h.prefix = cfg.BasePath
	if cfg.Realm == "" {
		h.prefix += "/{realm}"
	}
	doc, err := document(cfg)
	if err != nil {
		return nil, err
	}
	h.doc = doc
	h.mux = http.NewServeMux()
	for _, rt := range routes {
		h.mux.Handle(rt.method+" "+h.prefix+rt.path, h.endpoint(rt))
		if !slices.Contains(h.methods, rt.method) {
			h.methods = append(h.methods, rt.method)
		}
	}
	h.mux.HandleFunc("GET "+cfg.BasePath+"/openapi.json", h.openapi)
	h.methods = append(h.methods, http.MethodGet)
	h.mux.HandleFunc("/", h.unrouted)
	return h, nil
}

// ServeHTTP answers a request of the API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Add("Vary", "Origin")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")
	lang := locale(r)
	if origin := r.Header.Get("Origin"); origin != "" {
		cross, ok := h.origin(r, origin)
		if !ok {
			h.writeError(w, r, lang, errOrigin)
			return
		}
		if cross {
			hdr.Set("Access-Control-Allow-Origin", origin)
			hdr.Set("Access-Control-Expose-Headers", "Retry-After, WWW-Authenticate")
		}
		if cross && r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			hdr.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
			hdr.Set("Access-Control-Allow-Methods", "GET, POST, DELETE")
			hdr.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept-Language")
			hdr.Set("Access-Control-Max-Age", fmt.Sprint(int(h.cfg.PreflightMaxAge.Seconds())))
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// origin reports whether a request with an Origin header may be answered,
// and whether it comes from another origin than the API's own. The same
// origin is the request's own host, as a browser sends it: a browser
// cannot forge Origin, and a client that is not a browser needs no CORS.
func (h *Handler) origin(r *http.Request, origin string) (cross, ok bool) {
	if h.origins[strings.ToLower(origin)] {
		return true, true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false, false
	}
	return false, strings.EqualFold(u.Host, r.Host)
}

// unrouted answers a path the API does not have (404), or one it has for
// other methods (405, with Allow).
func (h *Handler) unrouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range h.methods {
		if slices.Contains(allow, m) {
			continue
		}
		probe := r.Clone(context.Background())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		h.writeError(w, r, locale(r), errNoRoute)
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	h.writeError(w, r, locale(r), errMethod)
}

// access says who may call a route.
type access uint8

const (
	public access = iota // anyone
	bearer               // a live session of the path's realm
)

// body says whether a route reads a JSON body.
type body uint8

const (
	noBody       body = iota // none is read
	optionalBody             // an empty body is {}
	requiredBody             // a JSON object, always
	// credentialBody is a JSON object, always, that may carry a
	// passkey's credential: bounded by the handler's maxCredential.
	credentialBody
)

// route is one endpoint: a handler and, in openapi.json, an operation of
// the same method and path (TestDocumentMatchesRoutes holds them
// together).
type route struct {
	method, path string
	access       access
	body         body
	serve        func(h *Handler, c *call) (int, any, error)
}

// call is one request to an endpoint, as its handler sees it.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	ctx   context.Context
	realm string
	lang  string
	// raw is the request's body, for decode: nil when empty.
	raw []byte
	// p and token, for a bearer route, are the session's principal and
	// token.
	p     *auth.Principal
	token string
}

// req describes the request for package auth. On a bearer route it names
// the session (Request.Session), so that a sensitive action whose
// password is left empty goes through when the owner proved it in this
// session recently, and answers reauth_required otherwise.
func (h *Handler) req(c *call) auth.Request {
	return auth.Request{ClientAddr: h.cfg.ClientAddr(c.r), UserAgent: c.r.UserAgent(), Locale: c.lang, Session: c.token}
}

// endpoint runs a route: it finds the realm, reads the body and the
// session, calls the route's handler and writes its answer or error.
func (h *Handler) endpoint(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, ctx: r.Context(), lang: locale(r), realm: h.cfg.Realm}
		status, v, err := h.run(rt, c)
		if err != nil {
			h.writeError(w, r, c.lang, err)
			return
		}
		switch v := v.(type) {
		case nil:
			w.WriteHeader(status)
		case media:
			w.Header().Set("Content-Type", v.contentType)
			w.WriteHeader(status)
			_, _ = w.Write(v.data)
		default:
			httpauth.WriteJSON(w, status, v)
		}
	})
}

func (h *Handler) run(rt route, c *call) (int, any, error) {
	if c.realm == "" {
		c.realm = c.r.PathValue("realm")
		if h.realms != nil && !h.realms[c.realm] {
			return 0, nil, auth.ErrUnknownRealm
		}
		if _, err := h.auth.Realm(c.realm); err != nil {
			return 0, nil, err
		}
	}
	if rt.body != noBody {
		raw, err := h.read(c, rt.body)
		if err != nil {
			return 0, nil, err
		}
		c.raw = raw
	}
	if rt.access == bearer {
		if err := h.authenticate(c); err != nil {
			return 0, nil, err
		}
	}
	return rt.serve(h, c)
}

// authenticate loads the session the Authorization header names. A
// session of another realm is no session here.
func (h *Handler) authenticate(c *call) error {
	scheme, token, _ := strings.Cut(c.r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return auth.ErrNoSession
	}
	p, err := h.auth.Sessions().Load(c.ctx, token)
	if err != nil {
		return err
	}
	if p.Realm != c.realm {
		return auth.ErrNoSession
	}
	c.p, c.token = p, token
	return nil
}

// locale returns the language of a request's messages: the one its
// Accept-Language header prefers, "id" or "en".
func locale(r *http.Request) string { return httpauth.AcceptLocale(r) }

// Package httpauth puts masuk's sessions into net/http: a middleware that
// loads the session from its cookie and puts who the request acts for in
// the request's context, a RequireAuth wrapper, and the cookie set at login
// and cleared at logout. It works with any router that speaks
// http.Handler.
//
// # Cookies
//
// The session cookie is named "__Host-masuk": the __Host- prefix makes
// browsers refuse it unless it is Secure, has Path=/ and no Domain, so no
// subdomain can set or read it. It is HttpOnly (scripts cannot read it)
// and SameSite=Lax (other sites' forms do not carry it), and it expires
// with the session's absolute lifetime; the idle timeout is enforced on
// the server at every request. [Config.Insecure] drops Secure and the
// prefix for a development server on http://localhost only.
//
// The cookie holds a random selector and a 256-bit secret; the server
// keeps a hash of the secret. Every request's session is checked against
// its account: a password change, a reset or an operator's action ends it
// at the very next request.
//
// # Forms and APIs
//
// Pages check the principal with [PrincipalFrom]; an API serves the
// JSON-ready types of package auth ([auth.Principal],
// [auth.SessionInfo], [auth.SecondFactorRequired]) with [WriteJSON] and
// answers errors with [WriteError], which never says more than the error
// lets a client know. Protect state-changing forms against cross-site
// requests with net/http's CrossOriginProtection.
package httpauth

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// Config configures [Sessions].
type Config struct {
	// Auth is the Authenticator whose sessions the cookie names. Required.
	Auth *auth.Authenticator
	// CookieName is the session cookie's name. Empty means "__Host-masuk"
	// (or "masuk" with Insecure). A name of your own must start with
	// "__Host-" unless Insecure.
	CookieName string
	// Insecure drops the cookie's Secure attribute and __Host- prefix, for
	// a development server on plain http://localhost. Never in
	// production.
	Insecure bool
	// TrustedProxies are the networks of the reverse proxies in front of
	// the portal, whose X-Forwarded-For header is believed when reading
	// the client's address (lockout.ClientAddr). Empty means none: the
	// address is the connection's.
	TrustedProxies []netip.Prefix
	// LoginURL is where RequireAuth sends a browser that is not logged in,
	// with the page it asked for as the "next" parameter. Empty means an
	// answer of 401 with a JSON error.
	LoginURL string
	// LocaleCookie names the cookie that holds the language a person
	// chose ("id" or "en"). Empty means "lang". Without it, the
	// Accept-Language header decides, and then Indonesian.
	LocaleCookie string
	// Now is the clock the cookies' Max-Age is counted on: the
	// Authenticator's Config.Now. Nil means time.Now.
	Now func() time.Time
}

// Sessions is the net/http side of masuk's sessions. It is safe for
// concurrent use.
type Sessions struct {
	cfg Config
}

// New returns Sessions for cfg.
func New(cfg Config) (*Sessions, error) {
	if cfg.Auth == nil {
		return nil, errors.New("httpauth: Config.Auth is required")
	}
	if cfg.CookieName == "" {
		cfg.CookieName = "__Host-masuk"
		if cfg.Insecure {
			cfg.CookieName = "masuk"
		}
	}
	if !cfg.Insecure && !strings.HasPrefix(cfg.CookieName, "__Host-") {
		return nil, errors.New("httpauth: Config.CookieName must start with __Host- unless Insecure")
	}
	if cfg.Insecure && (strings.HasPrefix(cfg.CookieName, "__Host-") || strings.HasPrefix(cfg.CookieName, "__Secure-")) {
		return nil, errors.New("httpauth: a __Host- or __Secure- cookie needs Secure, which Insecure drops: browsers would refuse it")
	}
	if cfg.LocaleCookie == "" {
		cfg.LocaleCookie = "lang"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.LoginURL != "" {
		if u, err := url.Parse(cfg.LoginURL); err != nil || u.Fragment != "" {
			return nil, errors.New("httpauth: Config.LoginURL is not a URL")
		}
	}
	return &Sessions{cfg: cfg}, nil
}

type principalKey struct{}

// PrincipalFrom returns who the request acts for, as the middleware found
// it, and false when the request carries no live session.
func PrincipalFrom(ctx context.Context) (*auth.Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*auth.Principal)
	return p, ok && p != nil
}

// Middleware loads the session named by the request's cookie and puts its
// principal in the request's context for [PrincipalFrom]; a request
// without a live session goes on without one, and a cookie that names no
// live session is cleared. When the session store fails, the request is
// answered 503: a portal that cannot check a session must not guess.
func (s *Sessions) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cfg.CookieName)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		p, err := s.cfg.Auth.Sessions().Load(r.Context(), c.Value)
		switch {
		case errors.Is(err, auth.ErrNoSession):
			s.clear(w)
			next.ServeHTTP(w, r)
		case err != nil:
			WriteError(w, err)
		default:
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
		}
	})
}

// RequireAuth lets through only requests with a live session (put there by
// Middleware, which must run first). Others are sent to Config.LoginURL
// when they are a browser's page requests, and answered 401 otherwise.
// Every answer it lets through is marked Cache-Control: no-store, so no
// shared cache keeps a page meant for one account.
func (s *Sessions) RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := PrincipalFrom(r.Context()); ok {
			w.Header().Set("Cache-Control", "no-store")
			next.ServeHTTP(w, r)
			return
		}
		if s.cfg.LoginURL != "" && r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
			u, _ := url.Parse(s.cfg.LoginURL)
			q := u.Query()
			q.Set("next", r.URL.RequestURI())
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.String(), http.StatusSeeOther)
			return
		}
		WriteError(w, auth.ErrNoSession)
	})
}

// Begin starts a session for an account that has just logged in (both
// steps) and sets its cookie. Call it also after a password change, which
// ends every session, the current one included.
func (s *Sessions) Begin(w http.ResponseWriter, r *http.Request, acct store.Account) (*auth.NewSession, error) {
	ns, err := s.cfg.Auth.Sessions().Start(r.Context(), auth.StartSession{Account: acct, Request: s.Request(r)})
	if err != nil {
		return nil, err
	}
	s.setCookie(w, s.cfg.CookieName, ns.Token, ns.ExpiresAt)
	return ns, nil
}

// clear tells the browser to drop the session cookie.
func (s *Sessions) clear(w http.ResponseWriter) { s.clearCookie(w, s.cfg.CookieName) }

// Token returns the session token the request's cookie carries, or "".
func (s *Sessions) Token(r *http.Request) string {
	if c, err := r.Cookie(s.cfg.CookieName); err == nil {
		return c.Value
	}
	return ""
}

// Logout ends the request's session and clears its cookie. With
// everywhere, it ends every session of the account.
func (s *Sessions) Logout(w http.ResponseWriter, r *http.Request, everywhere bool) error {
	defer s.clear(w)
	if everywhere {
		p, ok := PrincipalFrom(r.Context())
		if !ok {
			// Not behind Middleware: find the account from the cookie.
			var err error
			if p, err = s.cfg.Auth.Sessions().Load(r.Context(), s.Token(r)); errors.Is(err, auth.ErrNoSession) {
				return nil
			} else if err != nil {
				return err
			}
		}
		_, err := s.cfg.Auth.Sessions().RevokeOthers(r.Context(), auth.OthersRevocation{AccountID: p.AccountID, Request: s.Request(r)})
		return err
	}
	return s.cfg.Auth.Sessions().Logout(r.Context(), auth.LogoutRequest{Token: s.Token(r), Request: s.Request(r)})
}

// LogoutHandler answers a POST by ending the request's session (every
// session of the account when the form's "everywhere" field is "1"),
// clearing the cookie, and redirecting to after (or answering 204 when
// after is empty). Other methods are refused: a link must not log anyone
// out; and so is a POST from another origin (net/http's
// CrossOriginProtection), even a sibling subdomain that SameSite=Lax lets
// the cookie come from.
func (s *Sessions) LogoutHandler(after string) http.Handler {
	return http.NewCrossOriginProtection().Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
			return
		}
		if err := s.Logout(w, r, r.FormValue("everywhere") == "1"); err != nil {
			WriteError(w, err)
			return
		}
		if after == "" {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		http.Redirect(w, r, after, http.StatusSeeOther)
	}))
}

// Request describes r for package auth: the client's address (through the
// trusted proxies), the User-Agent, the language of the messages the
// request may cause, and the session cookie's token (auth.Request.Session),
// so that the sensitive actions of a session whose owner proved the
// password recently go through without asking for it again.
func (s *Sessions) Request(r *http.Request) auth.Request {
	req := auth.Request{
		ClientAddr: lockout.ClientAddr(r, s.cfg.TrustedProxies),
		UserAgent:  r.UserAgent(),
		Locale:     s.Locale(r),
	}
	if c, err := r.Cookie(s.cfg.CookieName); err == nil {
		req.Session = c.Value
	}
	return req
}

// Locale returns "id" or "en": the language cookie's, else the one the
// Accept-Language header prefers (AcceptLocale).
func (s *Sessions) Locale(r *http.Request) string {
	if c, err := r.Cookie(s.cfg.LocaleCookie); err == nil && (c.Value == "id" || c.Value == "en") {
		return c.Value
	}
	return AcceptLocale(r)
}

// locales are masuk's languages, Indonesian first: the answer when the
// header names neither.
var locales = language.NewMatcher([]language.Tag{language.Indonesian, language.English})

// maxAcceptLanguage bounds the header AcceptLocale reads: a browser's is
// a few dozen bytes, and no one's preferences need more.
const maxAcceptLanguage = 1 << 10

// AcceptLocale returns "id" or "en": the one of masuk's two languages
// that the request's Accept-Language header prefers, by the weights,
// regions and aliases of RFC 9110 and BCP 47 as golang.org/x/text/language
// reads them ("en-GB;q=0.6, id;q=0.9" is "id", the old code "in" is
// Indonesian), and "id" when it names neither, or is malformed or longer
// than 1 KiB.
func AcceptLocale(r *http.Request) string {
	h := r.Header.Get("Accept-Language")
	if h == "" || len(h) > maxAcceptLanguage {
		return "id"
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return "id"
	}
	if _, i, conf := locales.Match(tags...); conf != language.No && i == 1 {
		return "en"
	}
	return "id"
}

// The cookies of a login between its two steps and of a remembered
// device, named after the session cookie.
func (s *Sessions) pendingCookie() string { return s.cfg.CookieName + "-pending" }
func (s *Sessions) deviceCookie(realm string) string {
	return s.cfg.CookieName + "-device-" + realm
}

func (s *Sessions) setCookie(w http.ResponseWriter, name, value string, expires time.Time) {
	// Max-Age as well as Expires: a browser whose clock runs fast would
	// otherwise drop a cookie of a few minutes (the pending login's) at
	// once.
	maxAge := max(1, int(expires.Sub(s.cfg.Now()).Seconds()))
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", Expires: expires, MaxAge: maxAge,
		Secure: !s.cfg.Insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func (s *Sessions) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: "", Path: "/", MaxAge: -1, Expires: time.Unix(0, 0),
		Secure: !s.cfg.Insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

// SetPending keeps a login that waits for its second factor, or for the
// enrollment of a first one, in a cookie of its own (same attributes as
// the session's) until it expires: pass the error Login returned (or
// Enrolled.SecondStep). It reports whether err was such a login; any
// other error sets nothing. Read the cookie back with Pending and drop it
// with ClearPending once the login completes.
func (s *Sessions) SetPending(w http.ResponseWriter, err error) bool {
	var sfr *auth.SecondFactorRequired
	var er *auth.EnrollmentRequired
	switch {
	case errors.As(err, &sfr):
		s.setCookie(w, s.pendingCookie(), sfr.Pending, sfr.ExpiresAt)
	case errors.As(err, &er):
		s.setCookie(w, s.pendingCookie(), er.Pending, er.ExpiresAt)
	default:
		return false
	}
	return true
}

// Pending returns the pending login the request's cookie carries, or "".
func (s *Sessions) Pending(r *http.Request) string {
	if c, err := r.Cookie(s.pendingCookie()); err == nil {
		return c.Value
	}
	return ""
}

// ClearPending drops the pending login's cookie.
func (s *Sessions) ClearPending(w http.ResponseWriter) { s.clearCookie(w, s.pendingCookie()) }

// SetDevice remembers the device that Logins().SecondStep's result names,
// in a cookie of its realm's that expires with it, so that a browser
// remembered by two realms keeps both; a nil device sets nothing. Pass
// Device(r, realm) as LoginRequest.Device at the next login.
func (s *Sessions) SetDevice(w http.ResponseWriter, d *auth.RememberedDevice) {
	if d != nil {
		s.setCookie(w, s.deviceCookie(d.Realm), d.Token, d.ExpiresAt)
	}
}

// Device returns the cookie of the device remembered in realm, or "".
func (s *Sessions) Device(r *http.Request, realm string) string {
	if c, err := r.Cookie(s.deviceCookie(realm)); err == nil {
		return c.Value
	}
	return ""
}

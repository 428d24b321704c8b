package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for -postgres
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/metric"
	_ "modernc.org/sqlite" // the "sqlite" driver

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/httpapi"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/auth/password/breach"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/sqlstore"
	"github.com/masuk-id/masuk/totp"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// config is what the flags and environment set; tests fill it directly.
type config struct {
	// Addr is where main listens. newApp reads it only to derive BaseURL.
	Addr string
	// BaseURL is the portal's public URL; every link in an email is built
	// from it. Empty means http on Addr, when Addr is this machine only
	// (see baseURLFromAddr).
	BaseURL string
	// SQLite is the database file, used when Postgres is empty.
	SQLite string
	// Postgres is a PostgreSQL DSN.
	Postgres string
	// Redis is a Redis address or redis:// URL for the hot state.
	Redis string
	// Schema and RedisPrefix keep the portal's tables and keys apart from
	// others' in a shared database or Redis (tests use them). Empty means
	// the default schema and no prefix.
	Schema, RedisPrefix string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed for the client's address (lockout counts per address).
	TrustedProxies []netip.Prefix
	// SMTP sends email when SMTP.Addr is set; otherwise an in-memory
	// outbox keeps it, listed at /dev/outbox to this machine only.
	SMTP    notify.SMTPConfig
	SMTPTLS string
	// SMSGateway is the URL of an HTTP SMS gateway that takes a JSON
	// object {"to": "+62…", "message": "…"} with the bearer token
	// SMSToken; empty keeps SMS in the development outbox, or, with
	// SMTP, sends none (a realm's SMS codes then fail closed).
	SMSGateway, SMSToken string
	// KeyringHex is the 32-byte key that seals authenticator secrets, in
	// hex. Empty means a development key kept in a file beside the
	// database.
	KeyringHex string
	// Logger receives the portal's and masuk's logs. Nil means none.
	Logger *slog.Logger
	// Out is where the seeded operator's password is printed, once.
	Out io.Writer
	// Now is the clock, for tests. Nil means time.Now.
	Now func() time.Time
	// CaptchaRand is the source of captcha answers. Nil means
	// crypto/rand; tests pass a predictable one to solve the captcha.
	CaptchaRand io.Reader
	// BreachAPI, when set, is the base URL of a Pwned Passwords range API
	// (breach.DefaultBaseURL for Have I Been Pwned's) that every realm's
	// policy asks about new passwords. BreachDir is instead a directory of
	// downloaded range files. Both empty, the default, looks nothing up.
	BreachAPI, BreachDir string
	// BreachFailClosed refuses to set any password while the lookup fails,
	// instead of letting passwords through on the local rules and logging
	// the failure.
	BreachFailClosed bool
	// PasswordMinLength is the fewest characters of every realm's new
	// passwords. Zero means masuk's default, 8; NIST SP 800-63B asks for
	// 15 where the password is the only factor.
	PasswordMinLength int
	// OperatorPasskeys makes operators log in with a passkey as their
	// second step, and with nothing else (auth's
	// SecondFactorPhishingResistant): a look-alike site cannot relay it.
	// It needs a BaseURL whose host is a domain. Operators act in the
	// portals' realms only, so none can remove another's passkey: each
	// should keep two. False, the default, lets operators log in with the
	// password, and a second factor if they added one.
	OperatorPasskeys bool
	// MetricsAddr, when set, is where main serves masuk's metrics to
	// Prometheus at /metrics, apart from the portal. Without
	// MetricsToken it must be this machine only (a loopback address);
	// with it, a scraper sends the token as a bearer token. Empty, the
	// default, measures nothing.
	MetricsAddr, MetricsToken string
	// INApasIssuer, when set, makes SAPK, BPJS and BPN log in through
	// INApas (federation.go) as the client INApasClientID, which
	// authenticates with the EC key in the PEM file INApasKeyFile
	// (private_key_jwt, published under INApasKeyID at
	// /.well-known/jwks.json) or with INApasSecret (client_secret_basic).
	// Empty, the default, leaves INApas off.
	INApasIssuer, INApasClientID, INApasKeyFile, INApasKeyID, INApasSecret string
	// INApasAcceptMFA are the ID token's "amr" values that stand in for
	// a realm's own second factor. Nil means none: the realm asks for
	// its own after INApas, as after a password.
	INApasAcceptMFA []string
}

// realmInfo is one of the portal's realms: masuk's settings for it, as
// auth.Config.Realms takes them, and what the pages need besides.
type realmInfo struct {
	Slug string
	// Realm is masuk's settings of the realm: what it leaves zero comes
	// from the portal's defaults (realmDefaults), field by field.
	Realm auth.Realm
	// Register says whether people may register themselves.
	Register bool
	// ProfileField is the registration form's extra field.
	ProfileField string
	// Phone says whether the registration form asks for a mobile number:
	// "" not at all, "optional", or "required" where codes go to it.
	Phone string
	// Rules are the realm's password rules without the breached-password
	// lookup (the policy of Realm.Policy, built from the same settings),
	// for a form that reports what the rules refuse beside its other
	// problems, without a lookup outside masuk's budgets.
	Rules *password.Policy
}

// The realms' names, which are also their pages' path prefixes.
const (
	lpseRealm     = "lpse"
	sapkRealm     = "sapk"
	bpnRealm      = "bpn"
	bpjsRealm     = "bpjs"
	operatorRealm = "operator"
)

const operatorUsername = "operator"

// portals are the realms people register and log in to, in the order the
// home page lists them.
var portals = []string{lpseRealm, sapkRealm, bpnRealm, bpjsRealm}

// operatorScope is the realms operators act in: the portals', not their
// own.
var operatorScope = portals

// passkeys returns a realm's passkey settings: passkeys bound to the base
// URL's host (the relying party ID, which all realms share) and used on
// its origin only, and a login without a password where passwordless is
// set. Zero, no passkeys, when the host is an IP address (passkeySite).
//
// All realms are served from one host, so a browser offers every passkey
// it holds for the host at each realm's "log in with a passkey"; masuk
// refuses one of another realm. A portal whose realms want passkeys apart
// serves each from a host of its own.
func (a *app) passkeys(passwordless bool) auth.PasskeyPolicy {
	if a.rpID == "" {
		return auth.PasskeyPolicy{}
	}
	return auth.PasskeyPolicy{RPID: a.rpID, Origins: []string{a.origin}, Passwordless: passwordless}
}

// realmDefaults are the settings every realm starts from (auth.Config's
// Realm): the password policy of masuk's defaults, masuk's recommended
// lockout (5 failures lock for 15 minutes, doubling), and the pages and
// names the realms share.
func (a *app) realmDefaults(policy auth.PasswordPolicy) auth.Realm {
	return auth.Realm{
		Messages: auth.Messages{PortalName: "Portal Masuk"},
		Links:    auth.Links{Activity: a.link("/akun/aktivitas")},
		Policy:   policy,
	}
}

// portalRealms are the portal's realms, each with its own settings: the
// names, links and helpdesk in its emails, its password policy, lockout,
// registration, activation, reset, second step and passkeys. Links are
// built from the configured base URL, never from a request's Host header.
// SAPK and BPN have policies of their own; the others have the defaults'.
//
// Passkeys are a second factor in every realm, and the whole login, with
// no username or password, where their people log in often from their
// own phones: SAPK's civil servants, BPJS's members and BPN's partners
// (whose passkey, verified by a PIN or a fingerprint, is stronger than
// the password and code BPN otherwise requires). An LPSE account is a
// company's, which more than one of its staff may use: a passkey on one
// person's phone is its second factor only.
func (a *app) portalRealms(p realmPolicies) map[string]realmInfo {
	rules := p.rules
	// Operators may be held to a passkey (-operator-passkeys): neither a
	// code nor a recovery code, which a phishing page can ask for as well
	// as the password, completes their login.
	operatorSecondFactor := auth.SecondFactorDefault
	if a.cfg.OperatorPasskeys {
		operatorSecondFactor = auth.SecondFactorPhishingResistant
	}
	return map[string]realmInfo{
		// An e-procurement portal for companies, by NPWP: activation by
		// link, then an operator checks the company's documents; resets
		// by link; a lock lasts 30 minutes, as SPSE's does.
		lpseRealm: {
			Slug: lpseRealm,
			Realm: auth.Realm{
				Username: identifiers.NPWP,
				Messages: auth.Messages{PortalName: "Portal Masuk LPSE", Support: "helpdesk LPSE, lpse@example.go.id", GreetBy: "company"},
				Links: auth.Links{
					Reset:    a.link("/lpse/atur-sandi"),
					Activate: a.link("/lpse/aktivasi"),
					Login:    a.link("/lpse/masuk"),
					Forgot:   a.link("/lpse/lupa-sandi"),
				},
				Lockout:      lockout.Policy{Account: lockout.Rule{Threshold: 5, Window: 30 * time.Minute, Lock: 30 * time.Minute, MaxLock: 24 * time.Hour}},
				Registration: auth.RegistrationPolicy{Approval: true},
				Activation:   auth.ActivationPolicy{Mode: auth.ActivationLink},
				Reset:        auth.ResetPolicy{Delivery: auth.ByLink},
				SecondFactor: auth.SecondFactorPolicy{RememberFor: 30 * 24 * time.Hour},
				Passkeys:     a.passkeys(false),
			},
			Register:     true,
			ProfileField: "company",
			Rules:        rules,
		},
		// A civil-servant portal, by NIP, after MySAPK: codes by email
		// for activation and resets, the MySAPK password rule, and a
		// remembered device only for a week, as offices share computers.
		sapkRealm: {
			Slug: sapkRealm,
			Realm: auth.Realm{
				Username:     identifiers.NIP,
				Messages:     auth.Messages{PortalName: "Portal Masuk SAPK", Support: "helpdesk SAPK, sapk@example.go.id", GreetBy: "name"},
				Links:        auth.Links{Login: a.link("/sapk/masuk"), Forgot: a.link("/sapk/lupa-sandi")},
				Policy:       p.sapk,
				Activation:   auth.ActivationPolicy{Mode: auth.ActivationCode},
				Reset:        auth.ResetPolicy{Delivery: auth.ByCode},
				SecondFactor: auth.SecondFactorPolicy{RememberFor: 7 * 24 * time.Hour},
				Passkeys:     a.passkeys(true),
			},
			Register:     true,
			ProfileField: "name",
			Rules:        p.sapkRules,
		},
		// A land agency's portal for its partners (notaries, PPAT,
		// surveyors, banks): a username of their choosing, login by
		// username or email, 12 mixed characters, a second factor for
		// every partner (enrolled at the first login: an authenticator
		// app, or a code by SMS or email), 30-minute locks, resets by
		// link.
		bpnRealm: {
			Slug: bpnRealm,
			Realm: auth.Realm{
				Messages: auth.Messages{PortalName: "Portal Masuk Mitra BPN", Support: "helpdesk mitra BPN, mitra@example.go.id", GreetBy: "name"},
				Links: auth.Links{
					Reset:    a.link("/bpn/atur-sandi"),
					Activate: a.link("/bpn/aktivasi"),
					Login:    a.link("/bpn/masuk"),
					Forgot:   a.link("/bpn/lupa-sandi"),
				},
				Policy:       p.bpn,
				Login:        auth.LoginPolicy{ByEmail: true},
				Lockout:      lockout.Policy{Account: lockout.Rule{Threshold: 5, Window: 30 * time.Minute, Lock: 30 * time.Minute, MaxLock: 30 * time.Minute}},
				Activation:   auth.ActivationPolicy{Mode: auth.ActivationLink},
				Reset:        auth.ResetPolicy{Delivery: auth.ByLink},
				SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory, PhoneCodes: []auth.Method{auth.MethodSMS}, RememberFor: 7 * 24 * time.Hour},
				Passkeys:     a.passkeys(true),
			},
			Register:     true,
			ProfileField: "name",
			Phone:        "optional",
			Rules:        p.bpnRules,
		},
		// BPJS Ketenagakerjaan's members, by KPJ number: a captcha at
		// every login, a lock that only an operator ends (after checking
		// the member's identity), codes by SMS or email at the second
		// step, and a forgotten password reset by a code to the email
		// address or, by WhatsApp or SMS, to the registered phone.
		bpjsRealm: {
			Slug: bpjsRealm,
			Realm: auth.Realm{
				Username:     identifiers.KPJ,
				Messages:     auth.Messages{PortalName: "Portal Masuk BPJS Ketenagakerjaan", Support: "layanan peserta 175, peserta@example.go.id", GreetBy: "name"},
				Links:        auth.Links{Login: a.link("/bpjs/masuk"), Forgot: a.link("/bpjs/lupa-sandi")},
				Captcha:      auth.CaptchaPolicy{Mode: auth.CaptchaAlways},
				Lockout:      lockout.Policy{Account: lockout.Rule{Threshold: 5, UntilUnlocked: true}},
				Activation:   auth.ActivationPolicy{Mode: auth.ActivationCode},
				Reset:        auth.ResetPolicy{Delivery: auth.ByCode, Phone: []auth.Method{auth.MethodWhatsApp, auth.MethodSMS}},
				SecondFactor: auth.SecondFactorPolicy{PhoneCodes: []auth.Method{auth.MethodSMS, auth.MethodWhatsApp}, RememberFor: 7 * 24 * time.Hour},
				Passkeys:     a.passkeys(true),
			},
			Register:     true,
			ProfileField: "name",
			Phone:        "required",
			Rules:        rules,
		},
		// Operators are a realm of their own: their accounts cannot be
		// mixed up with the portals' and are never created by a
		// registration form. Their sessions are short, and their devices
		// are never remembered.
		operatorRealm: {
			Slug: operatorRealm,
			Realm: auth.Realm{
				Messages:     auth.Messages{PortalName: "Portal Masuk Operator"},
				Links:        auth.Links{Login: a.link("/operator/masuk")},
				Session:      auth.SessionPolicy{IdleTimeout: 15 * time.Minute, Lifetime: 8 * time.Hour},
				SecondFactor: auth.SecondFactorPolicy{RememberFor: -1, Requirement: operatorSecondFactor},
				Passkeys:     a.passkeys(false),
			},
			Rules: rules,
		},
	}
}

// app is the portal: masuk's Authenticator and the pages around it.
type app struct {
	cfg      config
	log      *slog.Logger
	now      func() time.Time
	base     *url.URL
	insecure bool
	// rpID and origin bind the realms' passkeys: the base URL's host and
	// origin; rpID is empty when passkeys are off (passkeySite).
	rpID, origin string
	auth         *auth.Authenticator
	sessions     *httpauth.Sessions
	// api serves every flow as JSON under /api/, for mobile apps.
	api http.Handler
	// metrics serves masuk's metrics to Prometheus on a listener of its
	// own (config.MetricsAddr); nil when there is none.
	metrics http.Handler
	captcha *captcha.Service
	// realms are the portal's realms, by name.
	realms map[string]realmInfo
	// outbox keeps the emails when no SMTP server is configured.
	outbox *notify.Outbox
	pages  map[string]*template.Template
	// seededPassword is the operator's password when this start created
	// the account, for tests.
	seededPassword string
	// inapasKey is the INApas client's private_key_jwt key, or nil.
	inapasKey *ecdsa.PrivateKey
	closers   []func() error
}

// newApp wires the portal for cfg: it opens and migrates the database,
// connects Redis and SMTP when asked, builds the Authenticator, seeds the
// operator account, and returns the portal's handler.
func newApp(cfg config) (*app, http.Handler, error) {
	a := &app{cfg: cfg, log: cfg.Logger, now: cfg.Now}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	if a.now == nil {
		a.now = time.Now
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
		a.cfg.Out = io.Discard
	}
	ok := false
	defer func() {
		if !ok {
			a.Close()
		}
	}()
	if err := a.checkBaseURL(); err != nil {
		return nil, nil, err
	}
	if err := a.passkeySite(); err != nil {
		return nil, nil, err
	}
	ctx := context.Background()
	sqls, err := a.openSQL(ctx)
	if err != nil {
		return nil, nil, err
	}

	// The hot state (lockout counters, captcha challenges, tokens and
	// sessions) lives in Redis when asked, in the database otherwise.
	var hot interface {
		store.Attempts
		store.Challenges
		store.Tokens
		store.Sessions
	} = sqls
	if cfg.Redis != "" {
		if hot, err = a.openRedis(ctx); err != nil {
			return nil, nil, err
		}
	}
	var mp metric.MeterProvider
	if cfg.MetricsAddr != "" {
		if err := checkMetrics(cfg.MetricsAddr, cfg.MetricsToken); err != nil {
			return nil, nil, err
		}
		sdk, h, err := newMetrics()
		if err != nil {
			return nil, nil, err
		}
		mp, a.metrics = sdk, metricsOnly(h, cfg.MetricsToken)
		a.closers = append(a.closers, func() error { return sdk.Shutdown(context.Background()) })
	}
	gen, err := captcha.NewGenerator(captcha.Config{Rand: cfg.CaptchaRand})
	if err != nil {
		return nil, nil, err
	}
	if a.captcha, err = captcha.NewService(captcha.ServiceConfig{Store: hot, Generator: gen, Now: a.now, MeterProvider: mp}); err != nil {
		return nil, nil, err
	}
	sender, err := a.sender()
	if err != nil {
		return nil, nil, err
	}
	keyring, err := a.keyring()
	if err != nil {
		return nil, nil, err
	}
	checker, err := a.breachChecker()
	if err != nil {
		return nil, nil, err
	}
	// Every realm's password policy asks the breach lookup, if any; SAPK's
	// adds the MySAPK rule (a capital letter and a digit), BPN's is the
	// partner portals' preset (12 characters of four kinds).
	base := password.PolicyConfig{MinLength: cfg.PasswordMinLength}
	sapk := base
	sapk.Composition = password.CompositionMySAPK
	bpn := password.PresetPartner12
	bpn.MinLength = max(bpn.MinLength, cfg.PasswordMinLength)
	var p realmPolicies
	policy, rules, err := policies(base, checker)
	if err != nil {
		return nil, nil, err
	}
	p.rules = rules
	if p.sapk, p.sapkRules, err = policies(sapk, checker); err != nil {
		return nil, nil, err
	}
	if p.bpn, p.bpnRules, err = policies(bpn, checker); err != nil {
		return nil, nil, err
	}
	if err := a.loadINApas(); err != nil {
		return nil, nil, err
	}
	a.realms = a.portalRealms(p)
	authRealms := map[string]auth.Realm{}
	for name, ri := range a.realms {
		ri.Realm.Federation = a.federation(name)
		a.realms[name] = ri
		authRealms[name] = ri.Realm
	}
	a.auth, err = auth.New(auth.Config{
		Store:    sqls,
		Attempts: hot,
		Tokens:   hot,
		Sessions: hot,
		Now:      a.now,
		Logger:   a.log,
		Sender:   sender,
		Captcha:  captcha.Checker(a.captcha),
		Keyring:  keyring,
		Realm:    a.realmDefaults(policy),
		Realms:   authRealms,

		MeterProvider: mp,
	})
	if err != nil {
		return nil, nil, err
	}
	a.closers = append(a.closers, a.auth.Close)
	// Insecure drops the cookie's Secure attribute and __Host- prefix,
	// which browsers refuse over plain http. checkBaseURL allows it only
	// for a base URL of http on a loopback address: a developer's machine.
	a.sessions, err = httpauth.New(httpauth.Config{Auth: a.auth, Insecure: a.insecure, LoginURL: "/", TrustedProxies: cfg.TrustedProxies})
	if err != nil {
		return nil, nil, err
	}
	if a.pages, err = parsePages(); err != nil {
		return nil, nil, err
	}
	// The JSON API, for the portals' mobile apps: the portals' realms
	// only (operators use the pages), bearer tokens, same-origin only
	// (no CORS origins: the apps are not browsers).
	if a.api, err = httpapi.New(httpapi.Config{
		Auth: a.auth, BasePath: "/api", Realms: portals, Captcha: a.captcha, Logger: a.log, Now: a.now,
		ClientAddr: func(r *http.Request) string { return lockout.ClientAddr(r, cfg.TrustedProxies) },
	}); err != nil {
		return nil, nil, err
	}
	if err := a.seedOperator(ctx); err != nil {
		return nil, nil, err
	}
	ok = true
	return a, a.routes(), nil
}

// realmPolicies are the realms' own password policies, each with its
// rules without the breached-password lookup (realmInfo.Rules), and the
// defaults' rules.
type realmPolicies struct {
	rules               *password.Policy
	sapk, bpn           *password.Policy
	sapkRules, bpnRules *password.Policy
}

// policies returns the password policy of cfg that asks checker too, and
// the same rules without it (realmInfo.Rules).
func policies(cfg password.PolicyConfig, checker password.BreachChecker) (policy, rules *password.Policy, err error) {
	if rules, err = password.NewPolicy(cfg); err != nil {
		return nil, nil, err
	}
	cfg.Breach = checker
	if policy, err = password.NewPolicy(cfg); err != nil {
		return nil, nil, err
	}
	return policy, rules, nil
}

// breachChecker returns the breached-password lookup that -breach-api or
// -breach-dir asks for, or nil (no lookup) when neither is set.
func (a *app) breachChecker() (password.BreachChecker, error) {
	cfg := a.cfg
	switch {
	case cfg.BreachAPI != "" && cfg.BreachDir != "":
		return nil, errors.New("portal: -breach-api and -breach-dir exclude each other")
	case cfg.BreachAPI != "":
		c, err := breach.NewClient(breach.ClientConfig{BaseURL: cfg.BreachAPI, FailClosed: cfg.BreachFailClosed, Logger: a.log,
			UserAgent: "masuk-portal (+https://github.com/masuk-id/masuk)"})
		if err != nil {
			return nil, fmt.Errorf("portal: -breach-api: %w", err)
		}
		return c, nil
	case cfg.BreachDir != "":
		d, err := breach.NewDir(breach.DirConfig{FS: os.DirFS(cfg.BreachDir), FailClosed: cfg.BreachFailClosed, Logger: a.log})
		if err != nil {
			return nil, fmt.Errorf("portal: -breach-dir: %w", err)
		}
		return d, nil
	}
	return nil, nil
}

// Close waits for the emails masuk sends in the background and closes the
// stores.
func (a *app) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

func (a *app) checkBaseURL() error {
	raw := a.cfg.BaseURL
	if raw == "" {
		var err error
		if raw, err = baseURLFromAddr(a.cfg.Addr); err != nil {
			return err
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("portal: -base-url %q is not an http or https URL", raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	a.base = u
	if u.Scheme == "http" {
		if !isLoopback(u.Hostname()) {
			return errors.New("portal: -base-url may be plain http only on localhost; serve https (or put a TLS proxy in front)")
		}
		a.insecure = true
		if host, _, err := net.SplitHostPort(a.cfg.Addr); err == nil && !isLoopback(host) {
			a.log.Warn("portal: listening beyond this machine with a plain-http -base-url: cookies are not Secure and there is no HSTS; a development portal only", "addr", a.cfg.Addr)
		}
	}
	return nil
}

// passkeySite sets what the realms' passkeys are bound to: the base URL's
// host as the relying party ID, and its origin. A browser binds a passkey
// to a domain, never to an IP address: with a base URL on one (as
// http://127.0.0.1:8080, the default), passkeys are off and the log says
// so, once; operators' passkeys (-operator-passkeys) are an error then,
// which must not be weakened to a password without a word.
func (a *app) passkeySite() error {
	host := strings.ToLower(a.base.Hostname())
	if _, err := netip.ParseAddr(host); err == nil || !isDomain(host) {
		if a.cfg.OperatorPasskeys {
			return fmt.Errorf("portal: -operator-passkeys needs a -base-url whose host is a domain name, not %q: passkeys are bound to a domain (for development, -base-url http://localhost:8080)", a.base.Host)
		}
		a.log.Warn("portal: passkeys are off: -base-url's host is not a domain name, and a passkey is bound to one (for development, -base-url http://localhost:PORT)",
			"base_url", a.base.String())
		return nil
	}
	a.rpID = host
	a.origin = a.base.Scheme + "://" + host
	// A browser's origin leaves out the scheme's own port.
	if port := a.base.Port(); port != "" && !(a.base.Scheme == "http" && port == "80") && !(a.base.Scheme == "https" && port == "443") {
		a.origin += ":" + port
	}
	return nil
}

// isDomain reports whether host is written as a domain name's ASCII form
// ("portal.example.go.id", "xn--..."): letters, digits, dots and dashes.
func isDomain(host string) bool {
	if host == "" {
		return false
	}
	for _, c := range host {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// baseURLFromAddr is the base URL of a portal started without -base-url:
// http on the address it listens on, so that the links in its emails
// reach it on whatever port it was given. ":9090" is read as
// http://localhost:9090, the usual way to say "this port on my machine".
//
// An address that listens beyond this machine (0.0.0.0, ::, a LAN
// address, a host name) is refused instead: the people it serves reach it
// by a name it cannot guess (localhost would be their own machine, so
// every link would be dead for them), and a portal for other machines must
// be https, which only -base-url can say. The error tells what to set.
func baseURLFromAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("portal: -addr %q is not host:port; set -base-url to the portal's address", addr)
	}
	switch {
	case host == "":
		host = "localhost"
	case isLoopback(host):
	default:
		return "", fmt.Errorf("portal: -addr %s listens beyond this machine: set -base-url to the address people use "+
			"(https://...), or -base-url http://localhost:%s for a development portal", addr, port)
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// outboxAllowed reports whether r may see the development outbox, which
// shows every code and link the portal has sent: only when it came
// straight from this machine (by the connection's address: no proxy's
// X-Forwarded-For counts, and a request that carries one is refused, for
// a proxy on this machine forwards other machines' requests) and named
// the portal by a loopback name (so that a site whose name was rebound to
// 127.0.0.1 cannot read it from a browser on this machine).
func (a *app) outboxAllowed(r *http.Request) bool {
	if a.outbox == nil {
		return false
	}
	for _, h := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if _, ok := r.Header[h]; ok {
			return false
		}
	}
	remote, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	if ip, err := netip.ParseAddr(remote); err != nil || !ip.Unmap().IsLoopback() {
		return false
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	switch strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")) {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	return false
}

// link returns the absolute URL of a page of the portal.
func (a *app) link(path string) string { return a.base.String() + path }

func (a *app) openSQL(ctx context.Context) (*sqlstore.Store, error) {
	driver, dsn, dialect := "sqlite", sqlstore.SQLiteDSN(a.cfg.SQLite), sqlstore.SQLite
	if a.cfg.Postgres != "" {
		driver, dsn, dialect = "pgx", a.cfg.Postgres, sqlstore.Postgres
	} else if a.cfg.SQLite == "" {
		return nil, errors.New("portal: no database: set -db or -postgres")
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return nil, err
	}
	// The pool as sqlstore's doc sizes it: the store calls in flight, not
	// the logins (whose hashes run outside the store), kept open under
	// load and given back when the portal is quiet.
	conns := 4 * runtime.GOMAXPROCS(0)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	a.closers = append(a.closers, db.Close)
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: dialect, Schema: a.cfg.Schema})
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("portal: migrating the %s database: %w", dialect, err)
	}
	a.log.Info("portal: database ready", "dialect", dialect.String())
	return s, nil
}

func (a *app) openRedis(ctx context.Context) (*redisstore.Store, error) {
	opts := &redis.Options{Addr: a.cfg.Redis}
	if strings.Contains(a.cfg.Redis, "://") {
		var err error
		if opts, err = redis.ParseURL(a.cfg.Redis); err != nil {
			return nil, errors.New("portal: -redis is not a valid redis:// URL")
		}
	}
	opts.ContextTimeoutEnabled = true
	client := redis.NewClient(opts)
	a.closers = append(a.closers, client.Close)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(pctx).Err(); err != nil {
		return nil, fmt.Errorf("portal: connecting to Redis at %s: %w", opts.Addr, err)
	}
	a.log.Info("portal: Redis keeps counters, captchas, tokens and sessions", "addr", opts.Addr)
	return redisstore.New(client, redisstore.Config{Prefix: a.cfg.RedisPrefix})
}

// sender returns what sends masuk's messages: emails by SMTP, or in
// development the outbox, and SMS by -sms-gateway when it is set.
func (a *app) sender() (notify.Sender, error) {
	email, err := a.emailSender()
	if err != nil || a.cfg.SMSGateway == "" {
		return email, err
	}
	// SMS through the gateway; the rest as before.
	g, err := notify.NewGateway(notify.GatewayConfig{URL: a.cfg.SMSGateway, Encoding: notify.JSON, BearerToken: a.cfg.SMSToken})
	if err != nil {
		return nil, fmt.Errorf("portal: -sms-gateway: %w", err)
	}
	a.log.Info("portal: sending SMS through a gateway", "gateway", g.String())
	route := notify.Route{Email: email, SMS: g}
	if a.outbox != nil {
		route.WhatsApp = a.outbox
	}
	return route, nil
}

// emailSender returns the sender of emails: SMTP, or, in development, the
// outbox, which takes every channel.
func (a *app) emailSender() (notify.Sender, error) {
	if a.cfg.SMTP.Addr == "" {
		if !a.insecure {
			// The outbox page would show everyone's codes and links.
			return nil, errors.New("portal: -smtp is required unless -base-url is http on localhost")
		}
		a.outbox = &notify.Outbox{Max: 200}
		a.log.Warn("portal: no SMTP server; emails are kept in memory and listed at /dev/outbox, to this machine only (development only)")
		return a.outbox, nil
	}
	c := a.cfg.SMTP
	switch a.cfg.SMTPTLS {
	case "", "starttls":
		c.TLS = notify.StartTLS
	case "implicit":
		c.TLS = notify.ImplicitTLS
	case "none":
		c.TLS, c.InsecureAllowPlaintext = notify.NoTLS, true
	default:
		return nil, fmt.Errorf("portal: -smtp-tls %q is not starttls, implicit or none", a.cfg.SMTPTLS)
	}
	s, err := notify.NewSMTP(c)
	if err != nil {
		return nil, err
	}
	a.log.Info("portal: sending email through SMTP", "smtp", c.String())
	return s, nil
}

// keyring returns the key ring that seals authenticator secrets: from
// MASUK_KEYRING_KEY, or in development from a file beside the database,
// made at the first start, so that enrolled apps keep working across
// restarts.
func (a *app) keyring() (*totp.Keyring, error) {
	keyHex := a.cfg.KeyringHex
	if keyHex == "" {
		path := "masuk-portal.totp-key"
		if a.cfg.Postgres == "" {
			path = a.cfg.SQLite + ".totp-key"
		}
		b, err := os.ReadFile(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			key := make([]byte, totp.KeySize)
			if _, err := rand.Read(key); err != nil {
				return nil, err
			}
			if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
				return nil, fmt.Errorf("portal: writing the development key: %w", err)
			}
			a.log.Warn("portal: generated a development key for authenticator secrets; set MASUK_KEYRING_KEY in production", "file", filepath.Clean(path))
			keyHex = hex.EncodeToString(key)
		case err != nil:
			return nil, fmt.Errorf("portal: reading the development key: %w", err)
		default:
			a.log.Warn("portal: authenticator secrets sealed with the development key; set MASUK_KEYRING_KEY in production", "file", filepath.Clean(path))
			keyHex = strings.TrimSpace(string(b))
		}
	}
	key, err := hex.DecodeString(keyHex)
	if err != nil || len(key) != totp.KeySize {
		return nil, fmt.Errorf("portal: the keyring key must be %d bytes in hex", totp.KeySize)
	}
	defer clear(key)
	return totp.NewKeyring("k1", map[string][]byte{"k1": key})
}

// seedOperator creates the operator account at the first start and prints
// its random password, once, to cfg.Out (not to the log).
func (a *app) seedOperator(ctx context.Context) error {
	pw := rand.Text()
	_, err := a.auth.Accounts().Register(ctx, auth.Registration{Realm: operatorRealm, Username: operatorUsername, Password: pw})
	switch {
	case errors.Is(err, auth.ErrAccountExists):
		a.log.Info("portal: the operator account exists; its password was printed at the first start")
		return nil
	case err != nil:
		return fmt.Errorf("portal: seeding the operator: %w", err)
	}
	a.seededPassword = pw
	fmt.Fprintf(a.cfg.Out, "\nOperator account created (shown once): log in at %s/operator/masuk\n  username: %s\n  password: %s\n\n",
		a.base, operatorUsername, pw)
	return nil
}

// routes returns the portal's handler: the pages on a ServeMux, the
// session middleware, cross-origin protection and security headers.
func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", staticFiles("/static/", static, a.notFound))
	mux.Handle("GET /captcha", a.captcha.Handler())
	mux.HandleFunc("GET /{$}", a.home)
	mux.HandleFunc("GET /bahasa", a.language)

	// Each realm's pages live under its own prefix. They are registered
	// per realm, not as "/{realm}/...", which would overlap "/static/";
	// the handlers read the realm with r.PathValue("realm") all the same.
	for slug, ri := range a.realms {
		page := func(pattern string, h http.HandlerFunc) {
			method, path, _ := strings.Cut(pattern, " ")
			mux.HandleFunc(method+" /"+slug+path, func(w http.ResponseWriter, r *http.Request) {
				r.SetPathValue("realm", slug)
				h(w, r)
			})
		}
		page("GET /masuk", a.loginPage)
		page("POST /masuk", a.loginPost)
		page("GET /verifikasi", a.secondFactorPage)
		page("POST /verifikasi", a.secondFactorPost)
		page("GET /pasang-verifikasi", a.enrollPage)
		page("POST /pasang-verifikasi", a.enrollPost)
		page("POST /pasang-verifikasi/konfirmasi", a.enrollConfirm)
		page("POST /pasang-verifikasi/passkey", a.enrollPasskey)
		if ri.Realm.Passkeys.Passwordless {
			page("POST /masuk/passkey", a.passkeyLogin)
		}
		if a.inapasOn(slug) {
			page("GET /inapas", a.fedStart)
			page("GET /inapas/kembali", a.fedCallback)
		}
		if !ri.Register {
			continue
		}
		page("GET /daftar", a.registerPage)
		page("POST /daftar", a.registerPost)
		page("GET /aktivasi", a.activatePage)
		page("POST /aktivasi", a.activatePost)
		page("POST /aktivasi/kirim-ulang", a.resendActivation)
		page("GET /lupa-sandi", a.forgotPage)
		page("POST /lupa-sandi", a.forgotPost)
		page("GET /atur-sandi", a.resetPage)
		page("POST /atur-sandi", a.resetPost)
	}

	must := a.sessions.RequireAuth
	mux.Handle("POST /keluar", must(http.HandlerFunc(a.logout)))
	mux.Handle("GET /akun", must(http.HandlerFunc(a.accountPage)))
	mux.Handle("GET /akun/sandi", must(http.HandlerFunc(a.passwordPage)))
	mux.Handle("POST /akun/sandi", must(http.HandlerFunc(a.passwordPost)))
	mux.Handle("GET /akun/keamanan", must(http.HandlerFunc(a.securityPage)))
	mux.Handle("POST /akun/keamanan/totp", must(http.HandlerFunc(a.totpBegin)))
	mux.Handle("POST /akun/keamanan/totp/konfirmasi", must(http.HandlerFunc(a.totpConfirm)))
	mux.Handle("POST /akun/keamanan/email", must(http.HandlerFunc(a.emailFactorAdd)))
	mux.Handle("POST /akun/keamanan/hapus", must(http.HandlerFunc(a.factorRemove)))
	mux.Handle("POST /akun/keamanan/passkey", must(http.HandlerFunc(a.passkeyAdd)))
	mux.Handle("POST /akun/keamanan/passkey/konfirmasi", must(http.HandlerFunc(a.passkeyConfirm)))
	mux.Handle("POST /akun/keamanan/passkey/nama", must(http.HandlerFunc(a.passkeyRename)))
	mux.Handle("POST /akun/keamanan/kode-pemulihan", must(http.HandlerFunc(a.recoveryRegenerate)))
	mux.Handle("POST /akun/keamanan/kode-pemulihan/unduh", must(http.HandlerFunc(a.recoveryDownload)))
	mux.Handle("POST /akun/keamanan/lupakan-perangkat", must(http.HandlerFunc(a.devicesForget)))
	mux.Handle("POST /akun/keamanan/konfirmasi", must(http.HandlerFunc(a.reauthPost)))
	mux.Handle("POST /akun/keamanan/kata-sandi", must(http.HandlerFunc(a.firstPassword)))
	mux.Handle("POST /akun/keamanan/ponsel", must(http.HandlerFunc(a.phoneRequest)))
	mux.Handle("POST /akun/keamanan/ponsel/kode", must(http.HandlerFunc(a.phoneConfirm)))
	mux.Handle("POST /akun/keamanan/ponsel/batal", must(http.HandlerFunc(a.phoneCancel)))
	if a.cfg.INApasIssuer != "" {
		mux.Handle("POST /akun/keamanan/inapas", must(http.HandlerFunc(a.fedLink)))
		mux.Handle("POST /akun/keamanan/inapas/putuskan", must(http.HandlerFunc(a.fedUnlink)))
		mux.Handle("POST /akun/keamanan/inapas/verifikasi", must(http.HandlerFunc(a.fedReauth)))
		mux.HandleFunc("GET /.well-known/jwks.json", a.jwks)
	}
	mux.Handle("GET /akun/sesi", must(http.HandlerFunc(a.sessionsPage)))
	mux.Handle("POST /akun/sesi/akhiri", must(http.HandlerFunc(a.sessionRevoke)))
	mux.Handle("POST /akun/sesi/lainnya", must(http.HandlerFunc(a.sessionsRevokeOthers)))
	mux.Handle("GET /akun/aktivitas", must(http.HandlerFunc(a.activityPage)))
	mux.Handle("POST /akun/data/unduh", must(http.HandlerFunc(a.exportOwn)))
	mux.Handle("GET /akun/hapus", must(http.HandlerFunc(a.erasePage)))
	// Not behind RequireAuth: the form sent a second time, after the
	// erasure ended its session, is told so on a page (eraseOwn).
	mux.HandleFunc("POST /akun/hapus", a.eraseOwn)
	mux.HandleFunc("GET /akun/dihapus", a.erasedPage)

	op := func(h http.HandlerFunc) http.Handler { return must(a.requireOperator(h)) }
	mux.Handle("GET /operator", op(a.operatorList))
	mux.Handle("GET /operator/akun", op(a.operatorAccount))
	mux.Handle("POST /operator/akun", op(a.operatorAction))
	mux.Handle("POST /operator/akun/ekspor", op(a.operatorExport))
	mux.Handle("POST /operator/akun/hapus", op(a.operatorErase))

	if a.outbox != nil {
		// outboxPage answers 404 but to this machine.
		mux.HandleFunc("GET /dev/outbox", a.outboxPage)
	}
	mux.HandleFunc("/", a.notFound)

	// Cross-origin protection refuses state-changing requests that a
	// browser says come from another site (Sec-Fetch-Site, else Origin);
	// it stands in for CSRF tokens. It runs before the session is loaded.
	cop := http.NewCrossOriginProtection()
	// The API reads JSON with bearer tokens and no cookies: it is beside
	// the pages, not behind their session and form handling.
	top := http.NewServeMux()
	top.Handle("/api/", a.secure(cop.Handler(a.api)))
	top.Handle("/", a.secure(cop.Handler(a.sessions.Middleware(a.forms(mux, mux)))))
	return top
}

// staticFiles serves the files of fsys under prefix, and the 404 page for
// anything else: a folder is never listed.
func staticFiles(prefix string, fsys fs.FS, notFound http.HandlerFunc) http.Handler {
	files := http.StripPrefix(prefix, http.FileServerFS(fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// fs.Stat refuses "", "sub/" and every other name that is not a
		// clean path, and says which names are folders.
		if fi, err := fs.Stat(fsys, strings.TrimPrefix(r.URL.Path, prefix)); err != nil || !fi.Mode().IsRegular() {
			notFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}

// forms reads the form of every request with a body before the pages do:
// PostFormValue drops the error of a body over maxBody and hands the page
// an empty form, which a login would answer with "wrong password". A body
// over the limit is answered 413, a malformed one 400, each with a page
// that leads back to the form when pages has one at the same address.
func (a *app) forms(pages *http.ServeMux, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			next.ServeHTTP(w, r)
			return
		}
		// ParseForm first: ParseMultipartForm drops its error when the
		// body is not multipart.
		err := r.ParseForm()
		if err == nil {
			if err = r.ParseMultipartForm(maxBody); errors.Is(err, http.ErrNotMultipart) {
				err = nil
			}
		}
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		lang := a.sessions.Locale(r)
		href, link := "/", t(lang, "back.home")
		if _, pattern := pages.Handler(&http.Request{Method: http.MethodGet, Host: r.Host, URL: &url.URL{Path: r.URL.Path}}); pattern == "GET "+r.URL.Path {
			href, link = r.URL.Path, t(lang, "back.form")
		}
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			a.message(w, r, "", http.StatusRequestEntityTooLarge, t(lang, "toolarge.title"), tf(lang, "err.toolarge", tooLarge.Limit>>10), href, link)
			return
		}
		a.message(w, r, "", http.StatusBadRequest, t(lang, "badrequest.title"), t(lang, "err.badrequest"), href, link)
	})
}

// maxBody bounds a request's body; the portal's largest form is a small
// fraction of it.
const maxBody = 64 << 10

// secure sets the security headers of every answer, bounds request
// bodies, and logs each request (its path, never its query, which may
// carry a token).
func (a *app) secure(next http.Handler) http.Handler {
	// Scripts only from the portal's own files (the show-password toggle,
	// static/sandi.js, and passkeys, static/passkey.js, which reads its
	// options from its form's data-options): no inline script, no other
	// site's. WebAuthn needs no connect-src: the browser's ceremony is no
	// fetch of the page's.
	//
	// With INApas, the forms that link it and log out lead there (a
	// browser holds a form's redirects to form-action too): its origin
	// joins 'self'.
	formAction := "'self'"
	if o := a.inapasOrigin(); o != "" {
		formAction += " " + o
	}
	csp := "default-src 'none'; script-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; " +
		"form-action " + formAction + "; frame-ancestors 'none'; base-uri 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Links with tokens must not leak to other sites through the
		// Referer header.
		h.Set("Referrer-Policy", "no-referrer")
		if !a.insecure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		start := a.now()
		next.ServeHTTP(w, r)
		a.log.Debug("portal: request", "method", r.Method, "path", r.URL.Path, "took", a.now().Sub(start))
	})
}

package authtest

import (
	"context"
	"encoding/base32"
	"errors"
	"io"
	"maps"
	"slices"

	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/totp"
)

// TB is the part of testing.TB a Kit uses; *testing.T, *testing.B and
// *testing.F satisfy it. (It is an interface of its own, rather than
// testing.TB, so that an Example function, which has no *testing.T, can
// pass one too.)
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// WrongPassword is the password FailLogins types. Do not give an account
// it.
const WrongPassword = "authtest: not the password"

// UserAgent is the user agent of the requests a Kit's helpers make.
const UserAgent = "masuk-authtest"

// TOTPLabel is the label of the authenticator apps EnrollTOTP enrolls,
// and the name of the passkeys AddPasskey adds.
const TOTPLabel = "authtest"

// Option changes what New builds.
type Option func(*options)

type options struct {
	start      time.Time
	seed       uint64
	captcha    *captcha.Config
	captchaSet bool
}

// WithStart starts the Kit's clock at t instead of [Start].
func WithStart(t time.Time) Option { return func(o *options) { o.start = t } }

// WithSeed seeds the Kit's random source; zero, the default, is a seed
// too.
func WithSeed(seed uint64) Option { return func(o *options) { o.seed = seed } }

// WithCaptcha builds a captcha Service for the Authenticator even when no
// realm asks for one explicitly (realms with the default captcha policy
// then ask after 3 failures, as they do in production with a
// Config.Captcha). cfg is the shape of the host's challenges (length,
// alphabet); its Rand is replaced. It cannot be combined with a
// Config.Captcha of the host's own.
func WithCaptcha(cfg captcha.Config) Option {
	return func(o *options) { o.captcha = &cfg; o.captchaSet = true }
}

// Kit is an Authenticator built for a test, and what a test needs to drive
// it: the clock, the store, the outbox its messages land in.
type Kit struct {
	// Auth is the Authenticator under test.
	Auth *auth.Authenticator
	// Clock is its clock, and that of its lockout guard and captcha
	// service; nil when the host set Config.Now.
	Clock *Clock
	// Store is Config.Store: a memstore.Store unless the host set one.
	Store store.Store
	// Outbox receives every message Auth sends; nil when the host set a
	// Config.Sender that is not a *notify.Outbox.
	Outbox *notify.Outbox
	// Hasher is the test hasher; nil when the host set Config.Hasher.
	Hasher *Hasher
	// Rand is Config.Rand, unless the host set it.
	Rand *Rand
	// Captcha is the captcha service Auth checks answers with; nil when
	// no realm asks for one, or when the host set Config.Captcha.
	Captcha *captcha.Service

	now           func() time.Time
	totp          totp.Params
	captchaAnswer string

	// apps are the parameters of the apps EnrollTOTP enrolled, by
	// secret: those of the account's realm, which may be its own.
	mu   sync.Mutex
	apps map[string]totp.Params
}

// The keyring that seals TOTP secrets when the host set none: a fixed
// all-zero key, for tests only.
const testKeyID = "authtest"

// New returns a Kit around an Authenticator built from the host's cfg.
// Whatever the host left unset that a test must control is filled in:
//
//   - Store: a memstore.Store.
//   - Hasher: a [Hasher].
//   - Now: the Kit's [Clock], starting at [Start].
//   - Rand: a [Rand], seeded with 0.
//   - Sender: a notify.Outbox (and Config.Realm.Messages.PortalName,
//     which a Sender requires, "Portal Uji" when empty).
//   - Captcha: when a realm's CaptchaPolicy asks for one (or
//     [WithCaptcha]), a captcha.Service on a memstore with the Kit's clock,
//     whose challenges all have one answer that [Kit.SolveCaptcha] knows.
//   - Keyring: a keyring with a fixed test key, so that authenticator
//     apps can be enrolled.
//
// Everything else (realms, password policy, captcha policy, reset,
// activation and session settings, links, messages) is the host's: set it
// as in production, and the test checks the host's configuration. New
// fails the test if auth.New refuses cfg. It registers a cleanup that waits
// for the Authenticator's background work.
func New(t TB, cfg auth.Config, opts ...Option) *Kit {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.start.IsZero() {
		o.start = Start
	}
	k := &Kit{totp: cfg.Realm.SecondFactor.TOTP}
	if cfg.Store == nil {
		cfg.Store = memstore.New()
	}
	k.Store = cfg.Store
	if cfg.Hasher == nil {
		k.Hasher = &Hasher{}
		cfg.Hasher = k.Hasher
	}
	if cfg.Now == nil {
		k.Clock = NewClock(o.start)
		cfg.Now = k.Clock.Now
	}
	k.now = cfg.Now
	if cfg.Rand == nil {
		k.Rand = NewRand(o.seed)
		cfg.Rand = k.Rand
	}
	if cfg.Sender == nil {
		cfg.Sender = &notify.Outbox{}
	}
	k.Outbox, _ = cfg.Sender.(*notify.Outbox)
	if cfg.Realm.Messages.PortalName == "" {
		cfg.Realm.Messages.PortalName = "Portal Uji"
	}
	if cfg.Keyring == nil {
		ring, err := totp.NewKeyring(testKeyID, map[string][]byte{testKeyID: make([]byte, totp.KeySize)})
		if err != nil {
			t.Fatalf("authtest: keyring: %v", err)
		}
		cfg.Keyring = ring
	}
	switch {
	case cfg.Captcha != nil && o.captchaSet:
		t.Fatalf("authtest: WithCaptcha and Config.Captcha both set")
	case cfg.Captcha == nil && (o.captchaSet || realmsAskForCaptcha(cfg.Realm, cfg.Realms)):
		var cc captcha.Config
		if o.captcha != nil {
			cc = *o.captcha
		}
		k.newCaptcha(t, cc, cfg.Rand)
		cfg.Captcha = captcha.Checker(k.Captcha)
	}
	a, err := auth.New(cfg)
	if err != nil {
		t.Fatalf("authtest: %v", err)
	}
	k.Auth = a
	t.Cleanup(func() { _ = a.Close() })
	return k
}

func realmsAskForCaptcha(def auth.Realm, realms map[string]auth.Realm) bool {
	for _, r := range append([]auth.Realm{def}, slices.Collect(maps.Values(realms))...) {
		if r.Captcha.Mode == auth.CaptchaAlways || r.Captcha.Mode == auth.CaptchaAfterFailures || r.Captcha.Registration {
			return true
		}
	}
	return false
}

// newCaptcha builds the captcha service. Its generator draws from a source
// that returns one byte over and over, so every challenge it issues has
// the same answer; the answer is asked of the generator itself, never
// computed here. The service, its single use, its expiry and its binding
// to a flow are captcha's own.
func (k *Kit) newCaptcha(t TB, cc captcha.Config, ids io.Reader) {
	t.Helper()
	cc.Rand = repeat(3)
	gen, err := captcha.NewGenerator(cc)
	if err != nil {
		t.Fatalf("authtest: captcha: %v", err)
	}
	if k.captchaAnswer, err = gen.Answer(); err != nil {
		t.Fatalf("authtest: captcha: %v", err)
	}
	svc, err := captcha.NewService(captcha.ServiceConfig{Store: memstore.New(), Generator: gen, Now: k.now, Rand: ids})
	if err != nil {
		t.Fatalf("authtest: captcha: %v", err)
	}
	k.Captcha = svc
}

// Now returns the time of the Authenticator's clock.
func (k *Kit) Now() time.Time { return k.now() }

// Advance moves the Kit's clock forward by d and returns the new time. It
// fails the test when the host set Config.Now.
func (k *Kit) Advance(t TB, d time.Duration) time.Time {
	t.Helper()
	if k.Clock == nil {
		t.Fatalf("authtest: Advance: the host set Config.Now; move its clock")
	}
	return k.Clock.Advance(d)
}

// SolveCaptcha issues a captcha challenge for flow to clientAddr, as the
// login page would, and returns the answer a person who read it would
// send. Give it to the login whose form showed the challenge; like any
// challenge it is good for one answer.
//
// It tests the captcha policy (when a login needs a captcha, what an
// unsolved or wrong one does), not the legibility of captcha's images: the
// Kit's challenges all have the same answer.
func (k *Kit) SolveCaptcha(t TB, flow, clientAddr string) auth.CaptchaAnswer {
	t.Helper()
	if k.Captcha == nil {
		t.Fatalf("authtest: SolveCaptcha: the Kit has no captcha service (no realm asks for one, or the host set Config.Captcha)")
	}
	is, err := k.Captcha.Issue(context.Background(), flow, clientAddr)
	if err != nil {
		t.Fatalf("authtest: SolveCaptcha: %v", err)
	}
	return auth.CaptchaAnswer{ID: is.ID, Flow: flow, Answer: k.captchaAnswer}
}

// FailLogins makes n logins to username in realm from clientAddr with
// [WrongPassword], solving the captcha whenever the realm asks for one (so
// that every attempt reaches the password check and counts), and fails
// the test unless each is refused with auth.ErrInvalidCredentials. A lock
// is the answer after the failures, not during them: to see it, log in
// once more. It returns once the notices the failures caused (the owner's
// lock notice) are sent, so that the next message a test reads is its own.
func (k *Kit) FailLogins(t TB, realm, username, clientAddr string, n int) {
	t.Helper()
	ctx := context.Background()
	for i := range n {
		req := auth.LoginRequest{Realm: realm, Username: username, Password: WrongPassword,
			Request: auth.Request{ClientAddr: clientAddr, UserAgent: UserAgent}}
		if k.Captcha != nil {
			need, err := k.Auth.Logins().CaptchaNeeded(ctx, auth.CaptchaQuery{Realm: realm, Username: username, ClientAddr: clientAddr})
			if err != nil {
				t.Fatalf("authtest: FailLogins: before attempt %d of %d: %v", i+1, n, err)
			}
			if need.Required {
				req.Captcha = k.SolveCaptcha(t, "authtest-login", clientAddr)
			}
		}
		if _, err := k.Auth.Logins().Login(ctx, req); !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("authtest: FailLogins: attempt %d of %d: got %v, want %v", i+1, n, err, auth.ErrInvalidCredentials)
		}
	}
	_ = k.Auth.Close()
}

// LastMessage waits for the Authenticator's background work
// (Authenticator.Close: reset and activation messages are sent after the
// request returned) and returns the newest message to the address to (an
// email address, or a phone number in E.164 form). It fails the test when
// there is none.
func (k *Kit) LastMessage(t TB, to string) notify.Message {
	t.Helper()
	if k.Outbox == nil {
		t.Fatalf("authtest: the host set a Config.Sender that is not a *notify.Outbox")
	}
	if err := k.Auth.Close(); err != nil {
		t.Fatalf("authtest: waiting for background work: %v", err)
	}
	m, ok := k.Outbox.Last(to)
	if !ok {
		t.Fatalf("authtest: no message to %s (%d messages to others)", to, k.Outbox.Len())
	}
	return m
}

// LastCode returns the code (reset, activation, second factor) in the
// newest message to the address to, as notify.ExtractCode finds it.
func (k *Kit) LastCode(t TB, to string) string {
	t.Helper()
	m := k.LastMessage(t, to)
	c, ok := notify.ExtractCode(m)
	if !ok {
		t.Fatalf("authtest: the last message to %s (%v) holds no code", to, m.Purpose)
	}
	return c
}

// LastLink returns the link in the newest message to the address to, as
// notify.ExtractLink finds it.
func (k *Kit) LastLink(t TB, to string) string {
	t.Helper()
	m := k.LastMessage(t, to)
	l, ok := notify.ExtractLink(m)
	if !ok {
		t.Fatalf("authtest: the last message to %s (%v) holds no link", to, m.Purpose)
	}
	return l
}

// LastToken returns the "token" parameter of the link in the newest
// message to the address to: what the page at the link passes to
// CompleteReset, Confirm or ConfirmEmailChange.
func (k *Kit) LastToken(t TB, to string) string {
	t.Helper()
	l := k.LastLink(t, to)
	u, err := url.Parse(l)
	if err != nil {
		t.Fatalf("authtest: the link to %s: %v", to, err)
	}
	tok := u.Query().Get("token")
	if tok == "" {
		t.Fatalf("authtest: the link to %s has no token parameter", to)
	}
	return tok
}

// EnrollTOTP enrolls an authenticator app for the account, as its owner
// would (BeginTOTP with the password, ConfirmTOTP with the app's first
// code), and returns the app's secret, for [Kit.TOTPCode], and the
// recovery codes the confirmation gave (nil if the account had some). The
// app computes its codes as the enrollment's otpauth URI tells it: with
// the algorithm, digits and period of the account's realm.
//
// The confirming code is used up: a login in the same 30-second step
// cannot use it again, so Advance the clock by a step first.
func (k *Kit) EnrollTOTP(t TB, accountID, password string) (secret []byte, recovery []string) {
	t.Helper()
	ctx := context.Background()
	r := auth.Request{UserAgent: UserAgent}
	e, err := k.Auth.Factors().BeginTOTP(ctx, auth.FactorChange{AccountID: accountID, Password: password, Label: TOTPLabel, Request: r})
	if err != nil {
		t.Fatalf("authtest: EnrollTOTP: %v", err)
	}
	u, err := url.Parse(e.URI)
	if err != nil {
		t.Fatalf("authtest: EnrollTOTP: the otpauth URI: %v", err)
	}
	q := u.Query()
	secret, err = base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(q.Get("secret"))
	if err != nil {
		t.Fatalf("authtest: EnrollTOTP: the secret: %v", err)
	}
	p, err := uriParams(q)
	if err != nil {
		t.Fatalf("authtest: EnrollTOTP: the otpauth URI: %v", err)
	}
	k.mu.Lock()
	if k.apps == nil {
		k.apps = map[string]totp.Params{}
	}
	k.apps[string(secret)] = p
	k.mu.Unlock()
	out, err := k.Auth.Factors().ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: accountID, FactorID: e.FactorID, Code: k.TOTPCode(t, secret), Request: r})
	if err != nil {
		t.Fatalf("authtest: EnrollTOTP: %v", err)
	}
	return secret, out.RecoveryCodes
}

// uriParams reads the algorithm, digits and period of an otpauth URI's
// query, as an app does.
func uriParams(q url.Values) (totp.Params, error) {
	alg, err := totp.ParseAlgorithm(q.Get("algorithm"))
	if err != nil {
		return totp.Params{}, err
	}
	digits, err := strconv.Atoi(q.Get("digits"))
	if err != nil {
		return totp.Params{}, err
	}
	period, err := strconv.Atoi(q.Get("period"))
	if err != nil {
		return totp.Params{}, err
	}
	p := totp.Params{Algorithm: alg, Digits: digits, Period: time.Duration(period) * time.Second}
	return p, p.Validate()
}

// TOTPCode returns the code an authenticator app holding secret shows at
// the Kit's time: with the parameters of its enrollment for a secret
// [Kit.EnrollTOTP] returned, and with those of Config.Realm.SecondFactor.TOTP
// for any other.
func (k *Kit) TOTPCode(t TB, secret []byte) string {
	t.Helper()
	k.mu.Lock()
	p, ok := k.apps[string(secret)]
	k.mu.Unlock()
	if !ok {
		p = k.totp
	}
	c, err := p.Code(secret, k.now())
	if err != nil {
		t.Fatalf("authtest: TOTPCode: %v", err)
	}
	return c
}

// Events returns the realm's events in the store, newest first (at most
// 1000).
func (k *Kit) Events(t TB, realm string) []store.Event {
	t.Helper()
	evs, err := k.Store.ListEvents(context.Background(), store.EventQuery{Realm: realm, Limit: 1000})
	if err != nil {
		t.Fatalf("authtest: Events: %v", err)
	}
	return evs
}

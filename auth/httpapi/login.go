package httpapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/store"
)

// The login: the password step, the second step, codes sent for it, the
// enrollment a realm that requires a second factor asks for, and the
// captcha.

// captchaAnswer is the captcha a request carries: the challenge's ID and
// the answer typed (or a hosted widget's token, with no ID).
type captchaAnswer struct {
	ID     string `json:"id"`
	Answer string `json:"answer"`
}

// challenge is a captcha the next attempt needs: with masuk's own
// challenges, its ID and the URLs of its image and audio.
type challenge struct {
	Required  bool              `json:"required"`
	ID        string            `json:"id,omitempty"`
	ExpiresAt *time.Time        `json:"expires_at,omitempty"`
	ImageURL  string            `json:"image_url,omitempty"`
	AudioURLs map[string]string `json:"audio_urls,omitempty"`
}

// The purposes a captcha is issued for, which bind its challenges.
const (
	purposeLogin    = "login"
	purposeRegister = "register"
)

// flow binds a realm's challenges to the form that asked for them.
func flow(purpose, realm string) string { return "api:" + purpose + ":" + realm }

// answer is the captcha a request carries, for package auth.
func (h *Handler) answer(c *call, purpose string, a *captchaAnswer) auth.CaptchaAnswer {
	if a == nil {
		return auth.CaptchaAnswer{}
	}
	return auth.CaptchaAnswer{ID: a.ID, Flow: flow(purpose, c.realm), Answer: a.Answer}
}

// challenge issues a captcha for purpose, replacing old (a challenge the
// client had, used up by now or not), or says only that one is required
// when the API issues none.
func (h *Handler) challenge(c *call, purpose, old string) (*challenge, error) {
	ch := &challenge{Required: true}
	svc := h.cfg.Captcha
	if svc == nil {
		return ch, nil
	}
	f, addr := flow(purpose, c.realm), h.cfg.ClientAddr(c.r)
	var is captcha.Issued
	var err error
	if old != "" {
		is, err = svc.Refresh(c.ctx, old, f, addr)
	} else {
		is, err = svc.Issue(c.ctx, f, addr)
	}
	if err != nil {
		return nil, err
	}
	base := h.cfg.MediaBase
	if h.cfg.Realm == "" {
		base += "/" + url.PathEscape(c.realm)
	}
	base += "/captcha/" + url.PathEscape(is.ID)
	at := is.ExpiresAt.UTC()
	ch.ID, ch.ExpiresAt, ch.ImageURL = is.ID, &at, base+"/image"
	ch.AudioURLs = map[string]string{}
	for _, lang := range captcha.AudioLanguages() {
		ch.AudioURLs[lang] = base + "/audio?lang=" + lang
	}
	return ch, nil
}

// needCaptcha answers err with a new challenge attached.
func (h *Handler) needCaptcha(c *call, purpose string, old *captchaAnswer, err error) error {
	var id string
	if old != nil {
		id = old.ID
	}
	ch, cerr := h.challenge(c, purpose, id)
	if cerr != nil {
		return cerr
	}
	return &withCaptcha{err, ch}
}

type loginBody struct {
	Username string         `json:"username"`
	Password string         `json:"password"`
	Captcha  *captchaAnswer `json:"captcha"`
	// Device is the token of a remembered device, from an earlier second
	// step with remember.
	Device string `json:"device"`
}

// sessionView is a session just begun: Token goes in the Authorization
// header of every later request.
type sessionView struct {
	Token     string    `json:"token"`
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
	IdleUntil time.Time `json:"idle_until"`
}

type deviceView struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// loginView is a completed login.
type loginView struct {
	Session       sessionView `json:"session"`
	Account       accountView `json:"account"`
	Device        *deviceView `json:"device,omitempty"`
	RecoveryCodes []string    `json:"recovery_codes,omitempty"`
}

func (h *Handler) login(c *call, b loginBody) (int, any, error) {
	res, err := h.auth.Logins().Login(c.ctx, auth.LoginRequest{
		Realm: c.realm, Username: b.Username, Password: b.Password,
		Captcha: h.answer(c, purposeLogin, b.Captcha), Device: b.Device, Request: h.req(c),
	})
	if err != nil {
		return 0, nil, h.loginFailed(c, b, err)
	}
	return h.loggedIn(c, res, nil)
}

// loginFailed adds to a failed login what the next attempt needs: a
// captcha challenge when it must carry one, or the lock this failure
// may have set.
func (h *Handler) loginFailed(c *call, b loginBody, err error) error {
	switch auth.Classify(err).Code {
	case auth.CodeCaptchaRequired, auth.CodeCaptchaInvalid:
		return h.needCaptcha(c, purposeLogin, b.Captcha, err)
	case auth.CodeInvalidCredentials:
		need, nerr := h.auth.Logins().CaptchaNeeded(c.ctx, auth.CaptchaQuery{Realm: c.realm, Username: b.Username, ClientAddr: h.cfg.ClientAddr(c.r)})
		if nerr != nil {
			return nerr // a lock, which says until when; or a failure
		}
		if need.Required {
			return h.needCaptcha(c, purposeLogin, b.Captcha, err)
		}
	}
	return err
}

// loggedIn starts the session of a completed login.
func (h *Handler) loggedIn(c *call, res *auth.LoginResult, recovery []string) (int, any, error) {
	if res == nil {
		return 0, nil, errors.New("httpapi: a completed enrollment carried no login")
	}
	ns, err := h.auth.Sessions().Start(c.ctx, auth.StartSession{Account: res.Account, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	v := loginView{Session: newSession(ns), Account: newAccount(res.Account), RecoveryCodes: recovery}
	if d := res.Device; d != nil {
		v.Device = &deviceView{Token: d.Token, ExpiresAt: d.ExpiresAt.UTC()}
	}
	return 200, v, nil
}

func newSession(ns *auth.NewSession) sessionView {
	return sessionView{Token: ns.Token, ID: ns.ID, ExpiresAt: ns.ExpiresAt.UTC(), IdleUntil: ns.IdleUntil.UTC()}
}

// accountView is an account as its owner sees it.
type accountView struct {
	ID        string            `json:"id"`
	Realm     string            `json:"realm"`
	Username  string            `json:"username"`
	Email     string            `json:"email,omitempty"`
	Phone     string            `json:"phone,omitempty"`
	State     string            `json:"state"`
	Profile   map[string]string `json:"profile,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
}

func newAccount(a store.Account) accountView {
	return accountView{ID: a.ID, Realm: a.Realm, Username: a.DisplayUsername, Email: a.Email, Phone: a.Phone,
		State: string(a.State), Profile: a.Profile, CreatedAt: a.CreatedAt.UTC()}
}

type secondStepBody struct {
	Pending string      `json:"pending"`
	Method  auth.Method `json:"method"`
	Code    string      `json:"code"`
	// Credential, with method passkey and in place of a code, is the
	// passkey's answer to the options of POST login/passkey/options.
	Credential json.RawMessage `json:"credential"`
	Remember   bool            `json:"remember"`
}

func (h *Handler) secondStep(c *call, b secondStepBody) (int, any, error) {
	code := b.Code
	switch {
	case b.Method == auth.MethodPasskey && b.Code != "":
		return 0, nil, malformed(badField("code", CodeInvalidValue))
	case b.Method == auth.MethodPasskey:
		cred, err := credentialOf(b.Credential)
		if err != nil {
			return 0, nil, err
		}
		code = string(cred)
	case b.Credential != nil:
		return 0, nil, malformed(badField("credential", CodeInvalidValue))
	}
	res, err := h.auth.Logins().SecondStep(c.ctx, auth.SecondStepRequest{
		Realm: c.realm, Pending: b.Pending, Method: b.Method, Code: code, Remember: b.Remember, Request: h.req(c),
	})
	if err != nil && b.Method == auth.MethodPasskey {
		return 0, nil, credentialFailed(err)
	}
	if err != nil {
		return 0, nil, err
	}
	return h.loggedIn(c, res, nil)
}

type sendCodeBody struct {
	Pending string      `json:"pending"`
	Method  auth.Method `json:"method"`
}

func (h *Handler) sendCode(c *call, b sendCodeBody) (int, any, error) {
	sent, err := h.auth.Logins().SendCode(c.ctx, auth.SendCodeRequest{Realm: c.realm, Pending: b.Pending, Method: b.Method, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	sent.ExpiresAt, sent.ResendAt = sent.ExpiresAt.UTC(), sent.ResendAt.UTC()
	return 200, sent, nil
}

// totpView is an authenticator app being enrolled: the URI and the QR code
// hold its secret, shown once.
type totpView struct {
	FactorID    string `json:"factor_id"`
	URI         string `json:"uri"`
	ManualKey   string `json:"manual_key"`
	QR          string `json:"qr"`
	Issuer      string `json:"issuer"`
	AccountName string `json:"account_name"`
}

func newTOTP(e *auth.TOTPEnrollment) totpView {
	return totpView{FactorID: e.FactorID, URI: e.URI, ManualKey: e.ManualKey,
		QR:     "data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QR),
		Issuer: e.Issuer, AccountName: e.AccountName}
}

type enrollTOTPBody struct {
	Pending string `json:"pending"`
	Label   string `json:"label"`
}

func (h *Handler) enrollTOTP(c *call, b enrollTOTPBody) (int, any, error) {
	e, err := h.auth.Factors().BeginTOTP(c.ctx, auth.FactorChange{Realm: c.realm, Pending: b.Pending, Label: b.Label, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, newTOTP(e), nil
}

type enrollConfirmBody struct {
	Pending  string `json:"pending"`
	FactorID string `json:"factor_id"`
	Code     string `json:"code"`
}

func (h *Handler) enrollTOTPConfirm(c *call, b enrollConfirmBody) (int, any, error) {
	en, err := h.auth.Factors().ConfirmTOTP(c.ctx, auth.TOTPConfirmation{Realm: c.realm, Pending: b.Pending, FactorID: b.FactorID, Code: b.Code, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return h.loggedIn(c, en.Login, en.RecoveryCodes)
}

type enrollCodesBody struct {
	Pending string           `json:"pending"`
	Kind    store.FactorKind `json:"kind"`
	Label   string           `json:"label"`
}

// codesEnrolled is codes by email, SMS or WhatsApp added at a login's
// request: the login goes on to its second step with them.
type codesEnrolled struct {
	FactorID     string      `json:"factor_id"`
	SecondFactor pendingStep `json:"second_factor"`
}

func (h *Handler) enrollCodes(c *call, b enrollCodesBody) (int, any, error) {
	en, err := h.auth.Factors().AddCodes(c.ctx, auth.CodeFactor{Kind: b.Kind,
		FactorChange: auth.FactorChange{Realm: c.realm, Pending: b.Pending, Label: b.Label, Request: h.req(c)}})
	if err != nil {
		return 0, nil, err
	}
	if en.SecondStep == nil {
		return 0, nil, errors.New("httpapi: an enrollment at a login's request carried no second step")
	}
	s := en.SecondStep
	return 200, codesEnrolled{FactorID: en.FactorID, SecondFactor: pendingStep{Pending: s.Pending, Methods: s.Methods, ExpiresAt: s.ExpiresAt.UTC()}}, nil
}

type captchaBody struct {
	Purpose  string `json:"purpose"`
	Username string `json:"username"`
	Replaces string `json:"replaces"`
}

// captchaFor says whether the next login (for a username) or registration
// needs a captcha and, when it does, issues one.
func (h *Handler) captchaFor(c *call, b captchaBody) (int, any, error) {
	var required bool
	switch b.Purpose {
	case purposeLogin, "":
		b.Purpose = purposeLogin
		need, err := h.auth.Logins().CaptchaNeeded(c.ctx, auth.CaptchaQuery{Realm: c.realm, Username: b.Username, ClientAddr: h.cfg.ClientAddr(c.r)})
		if err != nil {
			return 0, nil, err
		}
		required = need.Required
	case purposeRegister:
		rs, err := h.auth.Realm(c.realm)
		if err != nil {
			return 0, nil, err
		}
		required = rs.Captcha.Registration
	default:
		return 0, nil, malformed(badField("purpose", CodeInvalidValue))
	}
	if !required {
		return 200, challenge{}, nil
	}
	ch, err := h.challenge(c, b.Purpose, b.Replaces)
	if err != nil {
		return 0, nil, err
	}
	return 200, ch, nil
}

// media is an answer that is not JSON: a captcha's image or audio.
type media struct {
	contentType string
	data        []byte
}

func (h *Handler) captchaImage(c *call) (int, any, error) {
	if h.cfg.Captcha == nil {
		return 0, nil, errNoRoute
	}
	png, err := h.cfg.Captcha.Image(c.ctx, c.r.PathValue("id"))
	if err != nil {
		return 0, nil, err
	}
	return 200, media{"image/png", png}, nil
}

func (h *Handler) captchaAudio(c *call) (int, any, error) {
	if h.cfg.Captcha == nil {
		return 0, nil, errNoRoute
	}
	lang := c.lang
	if q := c.r.URL.Query().Get("lang"); q != "" {
		var ok bool
		if lang, ok = captcha.AudioLanguage(q); !ok {
			return 0, nil, malformed(badField("lang", CodeInvalidValue))
		}
	}
	wav, err := h.cfg.Captcha.Audio(c.ctx, c.r.PathValue("id"), lang)
	if err != nil {
		return 0, nil, err
	}
	return 200, media{"audio/wav", wav}, nil
}

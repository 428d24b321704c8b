package httpapi

import (
	"net/http"

	"github.com/masuk-id/masuk/auth"
)

// Accounts: registration and activation, forgotten passwords, and the
// owner's password and email address.

type registerBody struct {
	Username string            `json:"username"`
	Email    string            `json:"email"`
	Phone    string            `json:"phone"`
	Password string            `json:"password"`
	Profile  map[string]string `json:"profile"`
	Captcha  *captchaAnswer    `json:"captcha"`
}

// registered is a registration's answer, the same whether or not the
// username or email was taken (in a realm that confirms addresses): what
// comes next, and the flow a code must come back with.
type registered struct {
	Activation string `json:"activation"`
	Approval   bool   `json:"approval"`
	Flow       string `json:"flow,omitempty"`
}

func (h *Handler) register(c *call, b registerBody) (int, any, error) {
	rs, err := h.auth.Realm(c.realm)
	if err != nil {
		return 0, nil, err
	}
	reg, err := h.auth.Accounts().Register(c.ctx, auth.Registration{
		Realm: c.realm, Username: b.Username, Email: b.Email, Phone: b.Phone, Password: b.Password,
		Profile: b.Profile, Captcha: h.answer(c, purposeRegister, b.Captcha), Request: h.req(c),
	})
	if err != nil {
		if o := auth.Classify(err); o.Code == auth.CodeCaptchaRequired || o.Code == auth.CodeCaptchaInvalid {
			return 0, nil, h.needCaptcha(c, purposeRegister, b.Captcha, err)
		}
		return 0, nil, err
	}
	v := registered{Activation: activation(rs), Approval: rs.Registration.Approval}
	if v.Activation == "code" {
		v.Flow = reg.Flow
	}
	return http.StatusAccepted, v, nil
}

// activation names how the realm's new accounts confirm their address.
func activation(rs auth.Realm) string {
	switch rs.Activation.Mode {
	case auth.ActivationLink:
		return "link"
	case auth.ActivationCode:
		return "code"
	}
	return "none"
}

// tokenOrCode is a link's token, or a code typed with the username or
// email and the flow of the request that sent it.
type tokenOrCode struct {
	Token      string `json:"token"`
	Identifier string `json:"identifier"`
	Code       string `json:"code"`
	Flow       string `json:"flow"`
}

type stateView struct {
	State string `json:"state"`
}

func (h *Handler) activate(c *call, b tokenOrCode) (int, any, error) {
	done, err := h.auth.Accounts().Confirm(c.ctx, auth.Confirmation{Realm: c.realm, Token: b.Token,
		Identifier: b.Identifier, Code: b.Code, Flow: b.Flow, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, stateView{State: string(done.Account.State)}, nil
}

type identifierBody struct {
	Identifier string `json:"identifier"`
}

type flowView struct {
	Flow string `json:"flow"`
}

func (h *Handler) resendActivation(c *call, b identifierBody) (int, any, error) {
	started, err := h.auth.Accounts().ResendActivation(c.ctx, auth.ActivationRequest{Realm: c.realm, Identifier: b.Identifier, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusAccepted, flowView{started.Flow}, nil
}

type resetStarted struct {
	Delivery string `json:"delivery"`
	Flow     string `json:"flow"`
}

// resetRequestBody asks for a reset: by email, or, in a realm whose
// Reset.Phone offers it, by a code to the account's registered phone.
type resetRequestBody struct {
	Identifier string      `json:"identifier"`
	Phone      string      `json:"phone"`
	Method     auth.Method `json:"method"`
}

func (h *Handler) requestReset(c *call, b resetRequestBody) (int, any, error) {
	if err := phoneMethod(b.Method); err != nil {
		return 0, nil, err
	}
	rs, err := h.auth.Realm(c.realm)
	if err != nil {
		return 0, nil, err
	}
	started, err := h.auth.Accounts().RequestReset(c.ctx, auth.ResetRequest{Realm: c.realm, Identifier: b.Identifier,
		Phone: b.Phone, Method: b.Method, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	v := resetStarted{Delivery: "link", Flow: started.Flow}
	if rs.Reset.Delivery == auth.ByCode || b.Phone != "" {
		v.Delivery = "code" // a reset by phone always sends a code
	}
	return http.StatusAccepted, v, nil
}

// phoneMethod refuses a way to send a code to a phone other than SMS and
// WhatsApp; empty means the realm's first.
func phoneMethod(m auth.Method) error {
	switch m {
	case "", auth.MethodSMS, auth.MethodWhatsApp:
		return nil
	}
	return malformed(badField("method", CodeInvalidValue))
}

type resetBody struct {
	tokenOrCode
	NewPassword string `json:"new_password"`
}

func (h *Handler) completeReset(c *call, b resetBody) (int, any, error) {
	err := h.auth.Accounts().CompleteReset(c.ctx, auth.ResetCompletion{Realm: c.realm, Token: b.Token, Identifier: b.Identifier,
		Code: b.Code, Flow: b.Flow, NewPassword: b.NewPassword, Request: h.req(c)})
	return http.StatusNoContent, nil, err
}

type tokenBody struct {
	Token string `json:"token"`
}

func (h *Handler) confirmEmail(c *call, b tokenBody) (int, any, error) {
	_, err := h.auth.Accounts().ConfirmEmailChange(c.ctx, auth.EmailChangeConfirmation{Realm: c.realm, Token: b.Token, Request: h.req(c)})
	return http.StatusNoContent, nil, err
}

type passwordChangeBody struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

type sessionAnswer struct {
	Session sessionView `json:"session"`
}

// changePassword changes the password, which ends every session of the
// account, and begins a new one for the caller.
func (h *Handler) changePassword(c *call, b passwordChangeBody) (int, any, error) {
	err := h.auth.Accounts().ChangePassword(c.ctx, auth.PasswordChange{AccountID: c.p.AccountID, Current: b.Current, New: b.New, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	acct, err := h.auth.Accounts().Get(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	ns, err := h.auth.Sessions().Start(c.ctx, auth.StartSession{Account: acct, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, sessionAnswer{newSession(ns)}, nil
}

type emailChangeBody struct {
	Password string `json:"password"`
	NewEmail string `json:"new_email"`
}

func (h *Handler) changeEmail(c *call, b emailChangeBody) (int, any, error) {
	err := h.auth.Accounts().RequestEmailChange(c.ctx, auth.EmailChange{AccountID: c.p.AccountID, Password: b.Password, NewEmail: b.NewEmail, Request: h.req(c)})
	return http.StatusAccepted, nil, err
}

type phoneChangeBody struct {
	Password string      `json:"password"`
	Phone    string      `json:"phone"`
	Method   auth.Method `json:"method"`
}

// changePhone sends a code to the new number; nothing changes until it
// comes back (confirmPhone).
func (h *Handler) changePhone(c *call, b phoneChangeBody) (int, any, error) {
	if err := phoneMethod(b.Method); err != nil {
		return 0, nil, err
	}
	started, err := h.auth.Accounts().RequestPhoneChange(c.ctx, auth.PhoneChange{AccountID: c.p.AccountID, Password: b.Password,
		NewPhone: b.Phone, Method: b.Method, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	started.ExpiresAt = started.ExpiresAt.UTC()
	return http.StatusAccepted, started, nil
}

type codeFlowBody struct {
	Code string `json:"code"`
	Flow string `json:"flow"`
}

type accountAnswer struct {
	Account accountView `json:"account"`
}

func (h *Handler) confirmPhone(c *call, b codeFlowBody) (int, any, error) {
	acct, err := h.auth.Accounts().ConfirmPhoneChange(c.ctx, auth.PhoneChangeConfirmation{AccountID: c.p.AccountID,
		Code: b.Code, Flow: b.Flow, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, accountAnswer{newAccount(acct)}, nil
}

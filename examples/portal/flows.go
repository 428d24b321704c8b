package main

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/store"
)

// The pages anyone may open: home, login and its second step,
// registration, activation, and forgotten passwords.

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, "")
	v.D["Next"] = localPath(r.URL.Query().Get("next"), "")
	v.D["Realms"] = portals
	a.render(w, http.StatusOK, "home", v)
}

// realm returns the realm the path names, answering 404 for others.
func (a *app) realm(w http.ResponseWriter, r *http.Request) (realmInfo, bool) {
	ri, ok := a.realms[r.PathValue("realm")]
	if !ok {
		a.notFound(w, r)
	}
	return ri, ok
}

// notices are the messages a redirect may ask a page to show (?ok=...).
var notices = map[string]string{
	"loggedout": "login.loggedout",
	"reset":     "login.reset.done",
	"expired":   "login.expired",
}

// loginForm is the state of a login page.
type loginForm struct {
	Username string
	// Captcha asks for a captcha; OldCaptcha is the challenge to replace.
	Captcha    bool
	OldCaptcha string
	Errors     []string
	Next       string
}

// captchaFlow binds a realm's captcha challenges to its login form.
func captchaFlow(realm string) string { return "login:" + realm }

func (a *app) loginPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	f := loginForm{Next: localPath(r.URL.Query().Get("next"), "")}
	need, err := a.auth.Logins().CaptchaNeeded(r.Context(), auth.CaptchaQuery{Realm: ri.Slug, ClientAddr: a.sessions.Request(r).ClientAddr})
	if err != nil {
		if f.Errors = a.formError(a.sessions.Locale(r), err); f.Errors == nil {
			a.fail(w, r, err)
			return
		}
	}
	f.Captcha = need.Required
	v := a.view(r, ri.Slug)
	if key, ok := notices[r.URL.Query().Get("ok")]; ok {
		v.Notice = v.T(key)
	}
	a.renderLogin(w, r, v, http.StatusOK, f)
}

func (a *app) renderLogin(w http.ResponseWriter, r *http.Request, v *view, status int, f loginForm) {
	v.Errors = f.Errors
	v.D["Username"], v.D["Next"] = f.Username, f.Next
	if f.Captcha {
		is, err := a.captcha.Refresh(r.Context(), f.OldCaptcha, captchaFlow(v.Realm), a.sessions.Request(r).ClientAddr)
		switch {
		case errors.Is(err, captcha.ErrTooMany):
			v.Errors = append(v.Errors, v.T("err.throttled"))
		case err != nil:
			a.fail(w, r, err)
			return
		default:
			v.D["CaptchaID"] = is.ID
		}
	}
	a.render(w, status, "login", v)
}

func (a *app) loginPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	req := a.sessions.Request(r)
	f := loginForm{Username: r.PostFormValue("username"), OldCaptcha: r.PostFormValue("captcha_id"), Next: localPath(r.PostFormValue("next"), "")}
	if r.PostFormValue("refresh") != "" {
		// "New picture": no login, only a new challenge.
		f.Captcha = true
		a.renderLogin(w, r, v, http.StatusOK, f)
		return
	}
	res, err := a.auth.Logins().Login(r.Context(), auth.LoginRequest{
		Realm:    ri.Slug,
		Username: f.Username,
		Password: r.PostFormValue("password"),
		Captcha:  auth.CaptchaAnswer{ID: f.OldCaptcha, Flow: captchaFlow(ri.Slug), Answer: r.PostFormValue("captcha")},
		Device:   a.sessions.Device(r, ri.Slug),
		Request:  req,
	})
	var sfr *auth.SecondFactorRequired
	switch {
	case err == nil:
		a.loggedIn(w, r, res, ri.Slug, f.Next)
		return
	case errors.As(err, &sfr):
		// The pending login is a bearer secret for five minutes: it goes
		// in an HttpOnly cookie like the session's, never in a URL.
		a.setCookie(w, "masuk-2fa", sfr.Pending, sfr.ExpiresAt)
		ms := make([]string, len(sfr.Methods))
		for i, m := range sfr.Methods {
			ms[i] = string(m)
		}
		http.Redirect(w, r, "/"+ri.Slug+"/verifikasi?m="+strings.Join(ms, ",")+"&next="+url.QueryEscape(f.Next), http.StatusSeeOther)
		return
	}
	// The outcome's own message, but where the page says more: a wrong
	// password names the realm's kind of username, the captcha is "the
	// code in the picture" as the form calls it, and a registration
	// waiting for approval says the applicant will be told by email.
	status := http.StatusUnauthorized
	switch o := auth.Classify(err); o.Code {
	case auth.CodeCaptchaRequired:
		f.Errors = []string{v.T("login.captcha.required")}
	case auth.CodeCaptchaInvalid:
		f.Errors = []string{v.T("login.captcha.invalid")}
	case auth.CodeInvalidCredentials:
		f.Errors = []string{v.RealmT("login.invalid")}
	case auth.CodePendingConfirmation:
		f.Errors = []string{o.Message(v.Lang)}
		v.D["Resend"] = true
	case auth.CodePendingApproval:
		f.Errors = []string{v.T("login.pending.approval")}
	case auth.CodeNoUsableFactor, auth.CodeEnrollmentRequired:
		// This portal requires no second factor, so no login stops at an
		// enrollment; were one to, only an operator could help here.
		f.Errors = []string{o.Message(v.Lang)}
	default:
		if f.Errors = a.formError(v.Lang, err); f.Errors == nil {
			a.fail(w, r, err)
			return
		}
		status = o.Status // a lock, the hasher busy
	}
	// Whether the next attempt needs a captcha, or is locked already
	// (this failure may have been the one that locked the account).
	need, nerr := a.auth.Logins().CaptchaNeeded(r.Context(), auth.CaptchaQuery{Realm: ri.Slug, Username: f.Username, ClientAddr: req.ClientAddr})
	if nerr != nil {
		o := auth.Classify(nerr)
		if o.Code != auth.CodeLocked {
			a.fail(w, r, nerr)
			return
		}
		f.Errors, status = a.formError(v.Lang, nerr), o.Status
	}
	f.Captcha = need.Required
	a.renderLogin(w, r, v, status, f)
}

// loggedIn starts the session of a completed login and goes on.
func (a *app) loggedIn(w http.ResponseWriter, r *http.Request, res *auth.LoginResult, realm, next string) {
	a.sessions.SetDevice(w, res.Device)
	if _, err := a.sessions.Begin(w, r, res.Account); err != nil {
		a.fail(w, r, err)
		return
	}
	def := "/akun"
	if realm == operatorRealm {
		def = "/operator"
	}
	http.Redirect(w, r, localPath(next, def), http.StatusSeeOther)
}

// methods reads the second-factor methods a login offers from the query
// the login's redirect wrote. Changing them only changes which forms
// show: SecondStep checks the method.
func methods(r *http.Request) []string {
	var out []string
	for m := range strings.SplitSeq(r.FormValue("m"), ",") {
		switch auth.Method(m) {
		case auth.MethodTOTP, auth.MethodEmail, auth.MethodRecovery:
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

func (a *app) secondFactorPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	if a.cookie(r, "masuk-2fa") == "" {
		http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok=expired", http.StatusSeeOther)
		return
	}
	a.renderSecondFactor(w, r, a.view(r, ri.Slug), http.StatusOK)
}

func (a *app) renderSecondFactor(w http.ResponseWriter, r *http.Request, v *view, status int) {
	// The realm's own time a device is remembered, or none.
	if rs, err := a.auth.Realm(v.Realm); err == nil && rs.SecondFactor.RememberFor >= 24*time.Hour {
		v.D["RememberFor"] = quantity(v.Lang, int(rs.SecondFactor.RememberFor/(24*time.Hour)), "day")
	}
	v.D["Methods"] = methods(r)
	v.D["M"] = r.FormValue("m")
	v.D["Next"] = localPath(r.FormValue("next"), "")
	a.render(w, status, "verify", v)
}

func (a *app) secondFactorPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	pending := a.cookie(r, "masuk-2fa")
	method := auth.Method(r.PostFormValue("method"))
	var err error
	if r.PostFormValue("send") != "" {
		var sent auth.SentCode
		sent, err = a.auth.Logins().SendCode(r.Context(), auth.SendCodeRequest{Realm: ri.Slug, Pending: pending, Method: method, Request: a.sessions.Request(r)})
		if err == nil {
			v.Notice = v.Tf("sf.email.sent", sent.To, clock(v.Lang, sent.ExpiresAt))
			a.renderSecondFactor(w, r, v, http.StatusOK)
			return
		}
	} else {
		var res *auth.LoginResult
		res, err = a.auth.Logins().SecondStep(r.Context(), auth.SecondStepRequest{
			Realm: ri.Slug, Pending: pending, Method: method, Code: r.PostFormValue("code"),
			Remember: r.PostFormValue("remember") == "1", Request: a.sessions.Request(r),
		})
		if err == nil {
			a.clearCookie(w, "masuk-2fa")
			a.loggedIn(w, r, res, ri.Slug, r.PostFormValue("next"))
			return
		}
	}
	if auth.Classify(err).Code == auth.CodeNoPendingLogin {
		a.clearCookie(w, "masuk-2fa")
		http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok=expired", http.StatusSeeOther)
		return
	}
	if v.Errors = a.formError(v.Lang, err); v.Errors == nil {
		a.fail(w, r, err)
		return
	}
	a.renderSecondFactor(w, r, v, http.StatusUnauthorized)
}

func (a *app) registerPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	if !ri.Register {
		a.notFound(w, r)
		return
	}
	a.render(w, http.StatusOK, "register", a.view(r, ri.Slug))
}

func (a *app) registerPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	if !ri.Register {
		a.notFound(w, r)
		return
	}
	v := a.view(r, ri.Slug)
	username, email, name := r.PostFormValue("username"), r.PostFormValue("email"), r.PostFormValue("name")
	v.D["Username"], v.D["Email"], v.D["Name"] = username, email, name
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("password2") {
		v.Errors = []string{v.T("reg.mismatch")}
		a.render(w, http.StatusUnprocessableEntity, "register", v)
		return
	}
	// The store refuses a longer profile field, which would be an
	// internal error by then.
	if msg := v.tooLong("field.name."+ri.Slug, strings.TrimSpace(name), inputLimits.Name); msg != "" {
		v.Errors = []string{msg}
		a.render(w, http.StatusUnprocessableEntity, "register", v)
		return
	}
	reg, err := a.auth.Accounts().Register(r.Context(), auth.Registration{
		Realm: ri.Slug, Username: username, Email: email, Password: pw,
		// The language is kept so that an operator's decision reaches the
		// applicant in it.
		Profile: map[string]string{ri.ProfileField: strings.TrimSpace(name), "lang": v.Lang},
		Request: a.sessions.Request(r),
	})
	if err != nil {
		if v.Errors = a.formError(v.Lang, err); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.render(w, http.StatusUnprocessableEntity, "register", v)
		return
	}
	// A taken username or email answers as a new account does: the owner
	// of the address is told by email instead.
	switch ri.Realm.Activation.Mode {
	case auth.ActivationLink:
		a.message(w, r, ri.Slug, http.StatusOK, v.T("reg.done.title"), v.T("reg.done.lpse"), "/"+ri.Slug+"/masuk", v.T("home.login"))
	case auth.ActivationCode:
		// The code on its way works only with this registration's flow:
		// the code form follows at once, and keeps it.
		v.Notice = v.T("reg.done.sapk")
		v.D["ByCode"], v.D["Identifier"], v.D["Flow"] = true, username, reg.Flow
		a.render(w, http.StatusOK, "activate", v)
	default:
		a.message(w, r, ri.Slug, http.StatusOK, v.T("reg.done.title"), v.T("reg.done.none"), "/"+ri.Slug+"/masuk", v.T("home.login"))
	}
}

// activatePage shows the button that confirms an activation link (a GET
// changes nothing: mail scanners open links), or the form for a code.
func (a *app) activatePage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	v.D["Token"] = r.URL.Query().Get("token")
	v.D["ByCode"] = ri.Realm.Activation.Mode == auth.ActivationCode
	a.render(w, http.StatusOK, "activate", v)
}

func (a *app) activatePost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	c := auth.Confirmation{Realm: ri.Slug, Token: r.PostFormValue("token"), Identifier: r.PostFormValue("identifier"),
		Flow: r.PostFormValue("flow"), Code: r.PostFormValue("code"), Request: a.sessions.Request(r)}
	done, err := a.auth.Accounts().Confirm(r.Context(), c)
	if err != nil {
		if v.Errors = a.formError(v.Lang, err); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		v.D["Token"], v.D["Identifier"], v.D["Flow"] = c.Token, c.Identifier, c.Flow
		v.D["ByCode"] = ri.Realm.Activation.Mode == auth.ActivationCode
		a.render(w, http.StatusUnprocessableEntity, "activate", v)
		return
	}
	text := v.T("act.active")
	if done.Account.State == store.StatePendingApproval {
		text = v.T("act.approval")
	}
	a.message(w, r, ri.Slug, http.StatusOK, v.T("act.title"), text, "/"+ri.Slug+"/masuk", v.T("home.login"))
}

func (a *app) resendActivation(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	id := r.PostFormValue("identifier")
	started, err := a.auth.Accounts().ResendActivation(r.Context(), auth.ActivationRequest{Realm: ri.Slug, Identifier: id, Request: a.sessions.Request(r)})
	if err != nil {
		if v.Errors = a.formError(v.Lang, err); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		v.D["ByCode"] = ri.Realm.Activation.Mode == auth.ActivationCode
		a.render(w, http.StatusUnprocessableEntity, "activate", v)
		return
	}
	if ri.Realm.Activation.Mode == auth.ActivationCode {
		// The new code works only with this request's flow.
		v.Notice = v.T("act.resent")
		v.D["ByCode"], v.D["Identifier"], v.D["Flow"] = true, id, started.Flow
		a.render(w, http.StatusOK, "activate", v)
		return
	}
	a.message(w, r, ri.Slug, http.StatusOK, v.T("act.title"), v.T("act.resent"), "/"+ri.Slug+"/masuk", v.T("home.login"))
}

func (a *app) forgotPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	v.D["ByCode"] = ri.Realm.Reset.Delivery == auth.ByCode
	a.render(w, http.StatusOK, "forgot", v)
}

func (a *app) forgotPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	id := r.PostFormValue("identifier")
	started, err := a.auth.Accounts().RequestReset(r.Context(), auth.ResetRequest{Realm: ri.Slug, Identifier: id, Request: a.sessions.Request(r)})
	byCode := ri.Realm.Reset.Delivery == auth.ByCode
	if err != nil {
		if v.Errors = a.formError(v.Lang, err); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		v.D["Identifier"], v.D["ByCode"] = id, byCode
		a.render(w, http.StatusUnprocessableEntity, "forgot", v)
		return
	}
	// The same answer whether or not the account exists.
	if !byCode {
		a.message(w, r, ri.Slug, http.StatusOK, v.T("forgot.title"), v.T("forgot.sent"), "/"+ri.Slug+"/masuk", v.T("home.login"))
		return
	}
	v.Notice = v.T("forgot.sent")
	// The code on its way works only with this flow: the page keeps it.
	v.D["ByCode"], v.D["Identifier"], v.D["Flow"] = true, id, started.Flow
	a.render(w, http.StatusOK, "reset", v)
}

func (a *app) resetPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	v.D["Token"] = r.URL.Query().Get("token")
	v.D["ByCode"] = ri.Realm.Reset.Delivery == auth.ByCode
	a.render(w, http.StatusOK, "reset", v)
}

func (a *app) resetPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	c := auth.ResetCompletion{Realm: ri.Slug, Token: r.PostFormValue("token"), Identifier: r.PostFormValue("identifier"),
		Flow: r.PostFormValue("flow"), Code: r.PostFormValue("code"), NewPassword: r.PostFormValue("password"), Request: a.sessions.Request(r)}
	v.D["Token"], v.D["Identifier"], v.D["Code"], v.D["Flow"] = c.Token, c.Identifier, c.Code, c.Flow
	v.D["ByCode"] = ri.Realm.Reset.Delivery == auth.ByCode
	if c.NewPassword != r.PostFormValue("password2") {
		v.Errors = []string{v.T("reg.mismatch")}
		a.render(w, http.StatusUnprocessableEntity, "reset", v)
		return
	}
	if err := a.auth.Accounts().CompleteReset(r.Context(), c); err != nil {
		if v.Errors = a.formError(v.Lang, err); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.render(w, http.StatusUnprocessableEntity, "reset", v)
		return
	}
	http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok=reset", http.StatusSeeOther)
}

package main

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/captcha"
)

// The pages anyone may open: home, login and its second step,
// registration, activation, and forgotten passwords.

func (a *app) home(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, "")
	v.D["Next"] = localPath(r.URL.Query().Get("next"), "")
	v.D["Realms"] = portals
	if p := principal(r); p != nil {
		last, err := a.previousLogin(r.Context(), p)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v.D["LastLogin"] = last
	}
	a.render(w, http.StatusOK, "home", v)
}

// previousLogin returns the account's successful login before the one
// that began this session, from its activity history, or nil when there
// was none (within the history's last few hundred entries): the owner
// who reads a time they do not remember knows to look further.
func (a *app) previousLogin(ctx context.Context, p *auth.Principal) (*auth.ActivityEntry, error) {
	q := auth.ActivityQuery{AccountID: p.AccountID, Limit: 100}
	current := false
	for range 3 {
		list, err := a.auth.Activity().List(ctx, q)
		if err != nil {
			return nil, err
		}
		for i, e := range list {
			// Logins after this session began were made elsewhere; the
			// latest one up to its start is this session's own.
			if e.Kind != auth.EventLoginSucceeded || e.Time.After(p.Session.CreatedAt) {
				continue
			}
			if current {
				return &list[i], nil
			}
			current = true
		}
		if len(list) < q.Limit {
			break
		}
		q.Before = list[len(list)-1].ID
	}
	return nil, nil
}

// realm returns the realm the path names, answering 404 for others.
func (a *app) realm(w http.ResponseWriter, r *http.Request) (realmInfo, bool) {
	ri, ok := a.realms[r.PathValue("realm")]
	if !ok {
		a.notFound(w, r)
	}
	return ri, ok
}

// notices are the messages a redirect may ask a login page to show
// (?ok=...).
var notices = map[string]string{
	"loggedout":  "login.loggedout",
	"reset":      "login.reset.done",
	"expired":    "login.expired",
	"activated":  "act.active",
	"approval":   "act.approval",
	"registered": "reg.done.none",
}

// loginFields are the login form's inputs that an error may concern. A
// wrong username or password concerns the form as a whole: which of the
// two was wrong is not said.
var loginFields = fieldIDs{"captcha": "captcha"}

// loginForm is the state of a login page.
type loginForm struct {
	Username string
	// Captcha asks for a captcha; OldCaptcha is the challenge to replace.
	Captcha    bool
	OldCaptcha string
	Errors     []problem
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
	v := a.view(r, ri.Slug)
	if err != nil {
		if f.Errors = a.problems(v, err, loginFields); f.Errors == nil {
			a.fail(w, r, err)
			return
		}
	}
	f.Captcha = need.Required
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
		var tooMany *captcha.TooManyError
		switch {
		case errors.As(err, &tooMany):
			// No picture can be shown until the address's issuance budget
			// (captcha.ServiceConfig.IssueLimit) lets one be issued: the
			// page says when, and asks for no code it cannot show. The
			// login itself still needs a solved captcha, so that
			// exhausting the budget never spares one.
			v.Errors = slices.DeleteFunc(v.Errors, func(p problem) bool { return p.Field == "captcha" })
			v.fail("", v.Tf("login.captcha.toomany", clock(v.Lang, tooMany.RetryAt)))
			status = http.StatusTooManyRequests
		case err != nil:
			a.fail(w, r, err)
			return
		default:
			v.D["CaptchaID"] = is.ID
		}
	}
	if !a.beginPasswordless(w, r, v) {
		return
	}
	v.D["INApas"] = a.inapasOn(v.Realm)
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
	var enr *auth.EnrollmentRequired
	switch {
	case err == nil:
		a.loggedIn(w, r, res, ri.Slug, f.Next)
		return
	case errors.As(err, &sfr):
		a.toSecondStep(w, r, ri.Slug, sfr, f.Next, "")
		return
	case errors.As(err, &enr):
		// The realm requires a second factor and the account has none:
		// the pending enrollment, a bearer secret as the pending login
		// is, goes in a cookie of its own, and the page offers what the
		// account can enroll (enrollment.go).
		a.setEnrollment(w, enr)
		http.Redirect(w, r, enrollChoice(ri.Slug, f.Next), http.StatusSeeOther)
		return
	}
	// The outcome's own message, but where the page says more: a wrong
	// password names the realm's kind of username, the captcha is "the
	// code in the picture" as the form calls it, and a registration
	// waiting for approval says the applicant will be told by email.
	status := http.StatusUnauthorized
	switch o := auth.Classify(err); o.Code {
	case auth.CodeCaptchaRequired:
		f.Errors = []problem{{Field: "captcha", Text: v.T("login.captcha.required")}}
	case auth.CodeCaptchaInvalid:
		f.Errors = []problem{{Field: "captcha", Text: v.T("login.captcha.invalid")}}
	case auth.CodeInvalidCredentials:
		f.Errors = []problem{{Text: v.Tf("login.invalid", upperFirst(v.IDName()))}}
		// Near the lock, a warning: the owner stops to reset instead.
		if o.Remaining == 1 || o.Remaining == 2 {
			f.Errors = append(f.Errors, problem{Text: v.Tf("login.remaining", quantity(v.Lang, o.Remaining, "attempt"))})
		}
	case auth.CodePendingConfirmation:
		f.Errors = []problem{{Text: o.Message(v.Lang)}}
		v.D["Resend"] = true
	case auth.CodePendingApproval:
		f.Errors = []problem{{Text: v.T("login.pending.approval")}}
	case auth.CodeNoUsableFactor, auth.CodeEnrollmentRequired:
		// The account has no factor this portal can use, and can enroll
		// none here (a realm that requires one, an account without an
		// email or phone the portal can send to): only an operator can
		// help.
		f.Errors = []problem{{Text: o.Message(v.Lang)}}
	default:
		if f.Errors = a.problems(v, err, loginFields); f.Errors == nil {
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
		f.Errors, status = a.problems(v, nerr, loginFields), o.Status
	}
	f.Captcha = need.Required
	a.renderLogin(w, r, v, status, f)
}

// toSecondStep keeps a pending login in its cookie and goes to the
// second step's page, with a notice (secondStepNotices) or none.
func (a *app) toSecondStep(w http.ResponseWriter, r *http.Request, realm string, sfr *auth.SecondFactorRequired, next, notice string) {
	// The pending login is a bearer secret for five minutes: it goes in
	// an HttpOnly cookie like the session's, never in a URL.
	a.setCookie(w, "masuk-2fa", sfr.Pending, sfr.ExpiresAt)
	q := "?m=" + methodList(sfr.Methods) + "&next=" + url.QueryEscape(next)
	if notice != "" {
		q += "&ok=" + notice
	}
	http.Redirect(w, r, "/"+realm+"/verifikasi"+q, http.StatusSeeOther)
}

// methodList joins methods' names with commas, for a page's query.
func methodList(ms []auth.Method) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = string(m)
	}
	return strings.Join(names, ",")
}

// loggedIn starts the session of a completed login and goes on.
func (a *app) loggedIn(w http.ResponseWriter, r *http.Request, res *auth.LoginResult, realm, next string) {
	if !a.beginSession(w, r, res) {
		return
	}
	http.Redirect(w, r, afterLogin(realm, next), http.StatusSeeOther)
}

// beginSession starts the session of a completed login, and remembers the
// device when the login asked to. It answers a failure itself and
// reports whether it did not.
func (a *app) beginSession(w http.ResponseWriter, r *http.Request, res *auth.LoginResult) bool {
	a.sessions.SetDevice(w, res.Device)
	if a.cookie(r, fedLoginCookie) != "" {
		// This session is not INApas's (fedCallback sets it again when it is).
		a.clearCookie(w, fedLoginCookie)
	}
	if _, err := a.sessions.Begin(w, r, res.Account); err != nil {
		a.fail(w, r, err)
		return false
	}
	return true
}

// afterLogin is where a completed login goes: next when it stays on the
// portal, the account's page otherwise.
func afterLogin(realm, next string) string {
	def := "/akun"
	if realm == operatorRealm {
		def = "/operator"
	}
	return localPath(next, def)
}

// methods reads the second-factor methods a login offers from the query
// the login's redirect wrote. Changing them only changes which forms
// show: SecondStep checks the method.
func methods(r *http.Request) []string { return parseMethods(r.FormValue("m")) }

// parseMethods reads a list of methods that methodList wrote, keeping
// those the pages know, once each.
func parseMethods(list string) []string {
	var out []string
	for m := range strings.SplitSeq(list, ",") {
		switch auth.Method(m) {
		case auth.MethodPasskey, auth.MethodTOTP, auth.MethodEmail, auth.MethodSMS, auth.MethodWhatsApp, auth.MethodRecovery:
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
	v := a.view(r, ri.Slug)
	if key, ok := secondStepNotices[r.URL.Query().Get("ok")]; ok {
		v.Notice = v.T(key)
	}
	a.renderSecondFactor(w, r, v, http.StatusOK)
}

// secondStepNotices are the messages a redirect to the second step may
// ask for.
var secondStepNotices = map[string]string{"enrolled": "sf.enrolled"}

func (a *app) renderSecondFactor(w http.ResponseWriter, r *http.Request, v *view, status int) {
	// The realm's own time a device is remembered, or none.
	if rs, err := a.auth.Realm(v.Realm); err == nil && rs.SecondFactor.RememberFor >= 24*time.Hour {
		v.D["RememberFor"] = quantity(v.Lang, int(rs.SecondFactor.RememberFor/(24*time.Hour)), "day")
	}
	v.D["Methods"] = methods(r)
	if _, ok := v.D["Sent"]; !ok {
		v.D["Sent"] = ""
	}
	v.D["M"] = r.FormValue("m")
	// After INApas (federation.go), the page does not say the password
	// was right.
	if r.FormValue("via") == inapasName {
		v.D["Via"] = inapasName
	}
	v.D["Next"] = localPath(r.FormValue("next"), "")
	// The language switch stays on the step, with its methods, also from
	// the answer to a code sent or refused, which a POST gets.
	v.Path = "/" + v.Realm + "/verifikasi?m=" + url.QueryEscape(r.FormValue("m")) + "&next=" + url.QueryEscape(v.D["Next"].(string))
	// A passkey's options are on the page, for its button to use at
	// once: each rendering begins a ceremony (and voids the one before),
	// which costs the pending login one of its attempts.
	if !a.beginPasskeyStep(w, r, v) {
		return
	}
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
			// Where it went, masked: the address, or the phone number.
			v.Notice = v.Tf("sf."+string(sent.Method)+".sent", sent.To, clock(v.Lang, sent.ExpiresAt))
			// The code goes in the field of the method that sent it.
			v.D["Sent"] = string(sent.Method)
			a.renderSecondFactor(w, r, v, http.StatusOK)
			return
		}
	} else {
		code := r.PostFormValue("code")
		if method == auth.MethodPasskey {
			// The browser's answer, which passkey.js put in the form.
			code = r.PostFormValue("response")
			if passkeyMissing(v, code) {
				a.renderSecondFactor(w, r, v, http.StatusUnprocessableEntity)
				return
			}
		}
		var res *auth.LoginResult
		res, err = a.auth.Logins().SecondStep(r.Context(), auth.SecondStepRequest{
			Realm: ri.Slug, Pending: pending, Method: method, Code: code,
			Remember: r.PostFormValue("remember") == "1", Request: a.sessions.Request(r),
		})
		if err == nil {
			a.clearCookie(w, "masuk-2fa")
			if !a.beginSession(w, r, res) {
				return
			}
			// After INApas (the step's address says so), the logout goes
			// there too (federation.go). Claimed falsely, it only logs out
			// of INApas as well.
			if r.FormValue("via") == inapasName && a.inapasOn(ri.Slug) {
				a.setCookie(w, fedLoginCookie, ri.Slug, time.Time{})
			}
			http.Redirect(w, r, afterLogin(ri.Slug, r.PostFormValue("next")), http.StatusSeeOther)
			return
		}
		var enr *auth.EnrollmentRequired
		if errors.As(err, &enr) {
			// A realm that requires a passkey, of an account that had
			// only other factors: the one it passed proved the owner, who
			// now sets up the passkey.
			a.clearCookie(w, "masuk-2fa")
			a.setEnrollment(w, enr)
			http.Redirect(w, r, enrollChoice(ri.Slug, r.PostFormValue("next")), http.StatusSeeOther)
			return
		}
	}
	if auth.Classify(err).Code == auth.CodeNoPendingLogin {
		a.clearCookie(w, "masuk-2fa")
		http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok=expired", http.StatusSeeOther)
		return
	}
	if method == auth.MethodPasskey && auth.Classify(err).Code == auth.CodeInvalidCode {
		// masuk's message speaks of codes; this form has none.
		v.fail(passkeyField, auth.Classify(auth.ErrPasskeyRefused).Message(v.Lang))
	} else if v.Errors = a.problems(v, err, fieldIDs{"code": "code-" + string(method)}); v.Errors == nil {
		a.fail(w, r, err)
		return
	}
	a.renderSecondFactor(w, r, v, http.StatusUnauthorized)
}

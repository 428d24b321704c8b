package main

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/store"
)

// The flows of several steps: registration, activation, and forgotten
// passwords. Every step that a form leads to is a page of its own, reached
// by a redirect (never rendered as the answer to the POST), whose state
// is in its address or, where it must not be (a link's token, the flow
// and the identifier a code is bound to), in the step cookie: reloading
// the page, or switching its language, keeps the person on the step.

// step is the state of a flow between its pages, kept in an HttpOnly
// cookie for the hour the codes and links of its emails are worth waiting
// for.
type step struct {
	// Realm and Purpose ("reset", "activate") name the page that reads
	// the step; any other ignores it.
	Realm, Purpose string
	// Flow and Identifier are what a code on its way is bound to.
	Flow, Identifier string
	// Token is a link's token, moved out of the address as soon as the
	// link is opened, so that it stays out of the history, and out of
	// the language switch's link.
	Token string
}

const (
	stepCookie = "masuk-step"
	stepFor    = time.Hour
)

func (a *app) setStep(w http.ResponseWriter, s step) {
	q := url.Values{"r": {s.Realm}, "p": {s.Purpose}, "f": {s.Flow}, "i": {s.Identifier}, "t": {s.Token}}
	a.setCookie(w, stepCookie, base64.RawURLEncoding.EncodeToString([]byte(q.Encode())), a.now().Add(stepFor))
}

// step returns the step the cookie keeps for the realm's page of purpose,
// or the zero step.
func (a *app) step(r *http.Request, realm, purpose string) step {
	b, err := base64.RawURLEncoding.DecodeString(a.cookie(r, stepCookie))
	if err != nil {
		return step{}
	}
	q, err := url.ParseQuery(string(b))
	if err != nil || q.Get("r") != realm || q.Get("p") != purpose {
		return step{}
	}
	return step{Realm: realm, Purpose: purpose, Flow: q.Get("f"), Identifier: q.Get("i"), Token: q.Get("t")}
}

// tokenToStep moves a link's token from the address to the step cookie,
// and reports whether it did (and redirected to the same page without it).
func (a *app) tokenToStep(w http.ResponseWriter, r *http.Request, realm, purpose string) bool {
	q := r.URL.Query()
	token := q.Get("token")
	if token == "" {
		return false
	}
	a.setStep(w, step{Realm: realm, Purpose: purpose, Token: token})
	q.Del("token")
	target := r.URL.Path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return true
}

// fillStep gives a step's page the state the step keeps, where the form
// it answers has not given its own.
func fillStep(v *view, s step) {
	for k, val := range map[string]string{"Token": s.Token, "Flow": s.Flow, "Identifier": s.Identifier} {
		if _, ok := v.D[k]; !ok {
			v.D[k] = val
		}
	}
}

// registerOrder is the order of the registration form's fields.
var registerOrder = []string{"username", "name", "email", "phone", "password", "password2", "consent"}

// registerFields are the registration form's inputs by the fields of
// auth's outcomes.
var registerFields = fieldIDs{"username": "username", "email": "email", "phone": "phone", "password": "password",
	"profile.company": "name", "profile.name": "name"}

func (a *app) registerPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	if !ri.Register {
		a.notFound(w, r)
		return
	}
	v := a.view(r, ri.Slug)
	if r.URL.Query().Get("ok") == "sent" {
		// The step after a registration in a realm that activates by
		// link: check the email.
		a.message(w, r, ri.Slug, http.StatusOK, v.T("reg.done.title"), v.T("reg.done.link"), "/"+ri.Slug+"/masuk", v.T("home.login"))
		return
	}
	a.renderRegister(w, v, ri, http.StatusOK)
}

func (a *app) renderRegister(w http.ResponseWriter, v *view, ri realmInfo, status int) {
	v.D["ProfileLabel"] = v.T("profile." + ri.ProfileField)
	v.D["ProfileAutocomplete"] = profileAutocomplete[ri.ProfileField]
	v.D["Support"] = ri.Realm.Messages.Support
	v.D["Phone"] = ri.Phone
	a.render(w, status, "register", v)
}

// profileAutocomplete is the autocomplete token of each profile field.
var profileAutocomplete = map[string]string{"company": "organization", "name": "name"}

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
	v.D["Username"], v.D["Email"], v.D["Name"], v.D["Consent"] = username, email, name, r.PostFormValue("consent") == "1"
	phone := ""
	if ri.Phone != "" {
		// Only a realm that asks for a number takes one.
		phone = strings.TrimSpace(r.PostFormValue("phone"))
		v.D["PhoneValue"] = phone
	}
	pw := r.PostFormValue("password")
	reg := auth.Registration{
		Realm: ri.Slug, Username: username, Email: email, Phone: phone, Password: pw,
		// The language is kept so that an operator's decision reaches the
		// applicant in it.
		Profile: map[string]string{ri.ProfileField: strings.TrimSpace(name), "lang": v.Lang},
		Request: a.sessions.Request(r),
	}
	// Every problem of the form at once: what the portal checks itself,
	// and, when any is found, what masuk would refuse of the username,
	// email and password (Register stops at the first).
	if pw != r.PostFormValue("password2") {
		v.fail("password2", v.T("reg.mismatch"))
	}
	// The store refuses a longer profile field, which would be an
	// internal error by then.
	if msg := v.tooLong("profile."+ri.ProfileField, strings.TrimSpace(name), inputLimits.Name); msg != "" {
		v.fail("name", msg)
	}
	switch {
	case ri.Phone == "required" && phone == "":
		v.fail("phone", v.T("reg.phone.required"))
	case phone != "":
		if _, err := auth.CanonicalPhone(phone); err != nil {
			v.Errors = append(v.Errors, a.problems(v, err, registerFields)...)
		}
	}
	// Personal data is processed only with consent (UU 27/2022, PDP).
	if r.PostFormValue("consent") != "1" {
		v.fail("consent", v.T("reg.consent.required"))
	}
	if v.Errors != nil {
		a.precheck(r.Context(), v, ri, reg)
		// The summary lists them in the order of the form.
		slices.SortStableFunc(v.Errors, func(x, y problem) int {
			return slices.Index(registerOrder, x.Field) - slices.Index(registerOrder, y.Field)
		})
		a.renderRegister(w, v, ri, http.StatusUnprocessableEntity)
		return
	}
	done, err := a.auth.Accounts().Register(r.Context(), reg)
	if err != nil {
		if v.Errors = a.problems(v, err, registerFields); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.renderRegister(w, v, ri, http.StatusUnprocessableEntity)
		return
	}
	// A taken username or email answers as a new account does: the owner
	// of the address is told by email instead.
	switch ri.Realm.Activation.Mode {
	case auth.ActivationLink:
		http.Redirect(w, r, "/"+ri.Slug+"/daftar?ok=sent", http.StatusSeeOther)
	case auth.ActivationCode:
		// The code on its way works only with this registration's flow:
		// the code form follows, and keeps it.
		a.setStep(w, step{Realm: ri.Slug, Purpose: "activate", Flow: done.Flow, Identifier: username})
		http.Redirect(w, r, "/"+ri.Slug+"/aktivasi?ok=registered", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok=registered", http.StatusSeeOther)
	}
}

// precheck adds to a form that has problems already those masuk would
// find in its username, email and password, without registering: the
// identifier's and the email's form, and the realm's password rules
// without the breached-password lookup (ri.Rules), which runs only inside
// Register, under its budget.
func (a *app) precheck(ctx context.Context, v *view, ri realmInfo, reg auth.Registration) {
	username, err := auth.CanonicalUsername(reg.Username)
	if k := ri.Realm.Username; k != 0 {
		username, err = identifiers.Canonical(k, reg.Username, ri.Realm.UsernameMode)
	}
	if err != nil {
		v.Errors = append(v.Errors, a.problems(v, err, registerFields)...)
	}
	email := reg.Email
	if email == "" {
		v.fail("email", auth.Classify(auth.ErrEmailRequired).Message(v.Lang))
	} else if email, err = auth.CanonicalEmail(reg.Email); err != nil {
		v.Errors = append(v.Errors, a.problems(v, err, registerFields)...)
	}
	pc := password.Context{Username: username, Email: email, Realm: reg.Realm, Words: []string{reg.Username}}
	if err := ri.Rules.Check(ctx, reg.Password, pc); err != nil {
		v.Errors = append(v.Errors, a.problems(v, err, registerFields)...)
	}
}

// activateFields are the activation form's inputs.
var activateFields = fieldIDs{"code": "code", "username": "identifier", "email": "identifier"}

// activateNotices are the messages a redirect may ask the activation page
// to show.
var activateNotices = map[string]string{"registered": "reg.done.code", "resent": "act.resent"}

// activatePage shows the button that confirms an activation link (a GET
// changes nothing: mail scanners open links), or the form for a code, or,
// in a realm that activates by link, the form that sends a new link.
func (a *app) activatePage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok || a.tokenToStep(w, r, ri.Slug, "activate") {
		return
	}
	v := a.view(r, ri.Slug)
	if key, ok := activateNotices[r.URL.Query().Get("ok")]; ok {
		v.Notice = v.T(key)
	}
	a.renderActivate(w, r, v, ri, http.StatusOK)
}

func (a *app) renderActivate(w http.ResponseWriter, r *http.Request, v *view, ri realmInfo, status int) {
	fillStep(v, a.step(r, ri.Slug, "activate"))
	v.D["ByCode"] = ri.Realm.Activation.Mode == auth.ActivationCode
	a.render(w, status, "activate", v)
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
		if v.Errors = a.problems(v, err, activateFields); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		v.D["Identifier"], v.D["Token"], v.D["Flow"] = c.Identifier, c.Token, c.Flow
		a.renderActivate(w, r, v, ri, http.StatusUnprocessableEntity)
		return
	}
	a.clearCookie(w, stepCookie)
	ok2 := "activated"
	if done.Account.State == store.StatePendingApproval {
		ok2 = "approval"
	}
	http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok="+ok2, http.StatusSeeOther)
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
		if v.Errors = a.problems(v, err, fieldIDs{"username": "resend-id", "email": "resend-id"}); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.renderActivate(w, r, v, ri, http.StatusUnprocessableEntity)
		return
	}
	if ri.Realm.Activation.Mode == auth.ActivationCode {
		// The new code works only with this request's flow.
		a.setStep(w, step{Realm: ri.Slug, Purpose: "activate", Flow: started.Flow, Identifier: id})
	}
	http.Redirect(w, r, "/"+ri.Slug+"/aktivasi?ok=resent", http.StatusSeeOther)
}

// forgotFields are the forgotten-password form's inputs.
var forgotFields = fieldIDs{"username": "identifier", "email": "identifier", "phone": "phone", "method": "via"}

// forgotView gives the forgotten-password form the ways the realm sends a
// reset: its email delivery, and each of its Reset.Phone channels, with
// the one chosen.
func forgotView(v *view, ri realmInfo, via string) {
	v.D["ByCode"] = ri.Realm.Reset.Delivery == auth.ByCode
	if len(ri.Realm.Reset.Phone) == 0 {
		return
	}
	ways := []string{"email"}
	for _, m := range ri.Realm.Reset.Phone {
		ways = append(ways, string(m))
	}
	if !slices.Contains(ways, via) {
		via = "email"
	}
	v.D["Ways"], v.D["Via"] = ways, via
}

func (a *app) forgotPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	if r.URL.Query().Get("ok") == "sent" {
		// The step after a request in a realm that resets by link.
		a.message(w, r, ri.Slug, http.StatusOK, v.T("forgot.title"), v.T("forgot.sent"), "/"+ri.Slug+"/masuk", v.T("home.login"))
		return
	}
	forgotView(v, ri, "")
	a.render(w, http.StatusOK, "forgot", v)
}

func (a *app) forgotPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	id := r.PostFormValue("identifier")
	req := auth.ResetRequest{Realm: ri.Slug, Identifier: id, Request: a.sessions.Request(r)}
	byCode := ri.Realm.Reset.Delivery == auth.ByCode
	// A code to the registered phone, by the channel chosen: the number
	// typed must be the account's, which masuk checks without telling.
	via := r.PostFormValue("via")
	if via != "" && via != "email" {
		req.Phone, req.Method, byCode = strings.TrimSpace(r.PostFormValue("phone")), auth.Method(via), true
		v.D["Phone"] = req.Phone
		if req.Phone == "" {
			v.fail("phone", v.T("reg.phone.required"))
		}
	}
	var started auth.ResetStarted
	var err error
	if v.Errors == nil {
		started, err = a.auth.Accounts().RequestReset(r.Context(), req)
		if err != nil {
			v.Errors = a.problems(v, err, forgotFields)
			if v.Errors == nil {
				a.fail(w, r, err)
				return
			}
		}
	}
	if v.Errors != nil {
		v.D["Identifier"] = id
		forgotView(v, ri, via)
		a.render(w, http.StatusUnprocessableEntity, "forgot", v)
		return
	}
	// The same answer whether or not the account exists.
	if !byCode {
		http.Redirect(w, r, "/"+ri.Slug+"/lupa-sandi?ok=sent", http.StatusSeeOther)
		return
	}
	// The code on its way works only with this flow: the step keeps it.
	a.setStep(w, step{Realm: ri.Slug, Purpose: "reset", Flow: started.Flow, Identifier: id})
	sent := "sent"
	if req.Phone != "" {
		sent = "sent-phone"
	}
	http.Redirect(w, r, "/"+ri.Slug+"/atur-sandi?ok="+sent, http.StatusSeeOther)
}

// resetFields are the new-password form's inputs.
var resetFields = fieldIDs{"code": "code", "password": "password", "username": "identifier", "email": "identifier"}

func (a *app) resetPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok || a.tokenToStep(w, r, ri.Slug, "reset") {
		return
	}
	v := a.view(r, ri.Slug)
	switch r.URL.Query().Get("ok") {
	case "sent":
		v.Notice = v.T("forgot.sent")
	case "sent-phone":
		v.Notice = v.T("forgot.sent.phone")
	}
	a.renderReset(w, r, v, ri, http.StatusOK)
}

func (a *app) renderReset(w http.ResponseWriter, r *http.Request, v *view, ri realmInfo, status int) {
	s := a.step(r, ri.Slug, "reset")
	fillStep(v, s)
	// A code came by the realm's delivery, or, whatever that is, by
	// phone: a step with a flow and no link's token waits for a code.
	v.D["ByCode"] = ri.Realm.Reset.Delivery == auth.ByCode || (s.Flow != "" && s.Token == "") || r.PostFormValue("flow") != ""
	a.render(w, status, "reset", v)
}

func (a *app) resetPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	c := auth.ResetCompletion{Realm: ri.Slug, Token: r.PostFormValue("token"), Identifier: r.PostFormValue("identifier"),
		Flow: r.PostFormValue("flow"), Code: r.PostFormValue("code"), NewPassword: r.PostFormValue("password"), Request: a.sessions.Request(r)}
	v.D["Identifier"], v.D["Code"] = c.Identifier, c.Code
	v.D["Token"], v.D["Flow"] = c.Token, c.Flow
	if c.NewPassword != r.PostFormValue("password2") {
		v.fail("password2", v.T("reg.mismatch"))
		// And what the realm's rules refuse of the new password, at once.
		if err := ri.Rules.Check(r.Context(), c.NewPassword, password.Context{Realm: ri.Slug}); err != nil {
			v.Errors = append(a.problems(v, err, resetFields), v.Errors...)
		}
		a.renderReset(w, r, v, ri, http.StatusUnprocessableEntity)
		return
	}
	if err := a.auth.Accounts().CompleteReset(r.Context(), c); err != nil {
		if v.Errors = a.problems(v, err, resetFields); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.renderReset(w, r, v, ri, http.StatusUnprocessableEntity)
		return
	}
	a.clearCookie(w, stepCookie)
	http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok=reset", http.StatusSeeOther)
}

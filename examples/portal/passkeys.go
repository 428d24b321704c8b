package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/masuk-id/masuk/auth"
)

// Passkeys (WebAuthn), on the portal's pages: added on the security page
// or at the setup a login requires, used at the second step, and, in the
// realms that offer it, for a whole login without a password. The
// browser's part is static/passkey.js: a form marked data-passkey carries
// the options masuk gave for it in data-options (rendered by the server,
// escaped by html/template: no inline script, no request of its own), and
// the script puts the browser's answer in the form's hidden "response"
// field and sends it. Without script, or without passkeys in the browser,
// the button says why (the script) or the server answers the empty form
// with why (passkeyMissing), without spending the ceremony.
//
// A ceremony's state stays out of URLs: the ceremonies that add a passkey
// or complete a second step are bound inside masuk to the account or the
// pending login, so their forms carry only the answer; a login without a
// password carries its Ceremony, a bearer secret for five minutes, in a
// hidden field of the page that rendered its options.

// passkeyField is the id of a passkey form's button, where its problems
// are shown and the summary's link leads.
const passkeyField = "passkey"

// passkeysOn reports whether the realm has passkeys: a base URL on a
// domain (passkeySite).
func (a *app) passkeysOn(realm string) bool {
	return a.realms[realm].Realm.Passkeys.RPID != ""
}

// passwordless reports whether the realm's login page offers a login with
// a passkey alone.
func (a *app) passwordless(realm string) bool {
	return a.realms[realm].Realm.Passkeys.Passwordless && a.passkeysOn(realm)
}

// passkeyMissing reports whether a passkey form came without the
// browser's answer (no script, or a browser without passkeys), and adds
// why to the page. Such a form is never handed to masuk, which would
// count it as a wrong answer and use up the ceremony.
func passkeyMissing(v *view, response string) bool {
	if response != "" {
		return false
	}
	v.fail(passkeyField, v.T("pk.noscript"))
	return true
}

// beginPasskeyCreate begins adding a passkey for the change (an owner's,
// or a pending enrollment's) and shows the page whose button makes it. It
// returns masuk's error, which each caller answers in its own way.
func (a *app) beginPasskeyCreate(w http.ResponseWriter, r *http.Request, v *view, c auth.FactorChange, status int) error {
	ch, err := a.auth.Factors().BeginPasskey(r.Context(), c)
	if err != nil {
		return err
	}
	v.D["PasskeyOptions"] = string(ch.Options)
	if _, ok := v.D["Label"]; !ok {
		v.D["Label"] = ""
	}
	a.render(w, status, "passkey", v)
	return nil
}

// passkeyAdd begins adding a passkey on the security page, after the
// page's usual check of the password (as adding an authenticator app).
func (a *app) passkeyAdd(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, principal(r).Realm)
	// The language switch goes back to the security page: this page
	// answers a POST, and its ceremony is not begun twice.
	v.Path = "/akun/keamanan"
	if err := a.beginPasskeyCreate(w, r, v, a.factorChange(r), http.StatusOK); err != nil {
		a.securityError(w, r, err)
	}
}

// passkeyConfirm stores the passkey the browser made, and shows the first
// recovery codes when the account had none. An answer that does not
// verify (cancelled, expired, a passkey registered already) begins the
// ceremony again, on the same page, with why.
func (a *app) passkeyConfirm(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	v := a.view(r, p.Realm)
	v.Path = "/akun/keamanan"
	label, response := r.PostFormValue("label"), r.PostFormValue("response")
	v.D["Label"] = label
	if msg := v.tooLong("pk.label", label, inputLimits.Label); msg != "" {
		v.fail("label", msg)
	} else if !passkeyMissing(v, response) {
		en, err := a.auth.Factors().ConfirmPasskey(r.Context(), auth.PasskeyConfirmation{AccountID: p.AccountID, Response: []byte(response),
			Name: strings.TrimSpace(label), Request: a.sessions.Request(r)})
		if err == nil {
			if len(en.RecoveryCodes) == 0 || a.phishingResistant(p.Realm) {
				http.Redirect(w, r, "/akun/keamanan?ok=passkey#passkeys", http.StatusSeeOther)
				return
			}
			a.enrolled(w, r, en.RecoveryCodes)
			return
		}
		if !a.passkeyCreateRefused(v, err) {
			a.securityError(w, r, err)
			return
		}
	}
	if err := a.beginPasskeyCreate(w, r, v, a.factorChange(r), http.StatusUnprocessableEntity); err != nil {
		a.securityError(w, r, err)
	}
}

// passkeyCreateRefused adds to the page why the passkey the browser made
// was not stored, and reports whether the error is one a person can fix
// by trying again.
func (a *app) passkeyCreateRefused(v *view, err error) bool {
	if auth.Classify(err).Code == auth.CodeInvalidCode {
		// masuk's message speaks of codes; this form has none.
		v.fail(passkeyField, v.T("pk.create.refused"))
		return true
	}
	ps := a.problems(v, err, fieldIDs{"name": "label", "passkey": passkeyField})
	v.Errors = append(v.Errors, ps...)
	return ps != nil
}

// phishingResistant reports whether the realm takes passkeys alone at the
// second step. Recovery codes do not complete its logins, so the page of
// new ones, which says they do, is not shown there.
func (a *app) phishingResistant(realm string) bool {
	return a.realms[realm].Realm.SecondFactor.Requirement == auth.SecondFactorPhishingResistant
}

// passkeyRename renames one of the account's passkeys. A name is only the
// owner's to read: masuk asks no password for it.
func (a *app) passkeyRename(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id, label := r.PostFormValue("passkey_id"), strings.TrimSpace(r.PostFormValue("label"))
	v := a.view(r, p.Realm)
	if msg := v.tooLong("pk.rename.label", label, inputLimits.Label); msg != "" {
		v.fail("pk-"+id, msg)
		a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
		return
	}
	err := a.auth.Factors().RenamePasskey(r.Context(), auth.PasskeyRename{AccountID: p.AccountID, PasskeyID: id, Name: label})
	switch auth.Classify(err).Code {
	case "":
		http.Redirect(w, r, "/akun/keamanan?ok=renamed#passkeys", http.StatusSeeOther)
	case auth.CodeNotFound:
		// Removed meanwhile, elsewhere: the page shows what is left.
		http.Redirect(w, r, "/akun/keamanan#passkeys", http.StatusSeeOther)
	default:
		a.securityError(w, r, err)
	}
}

// enrollPasskeyBegin begins the passkey a login's setup asks for, on the
// page whose button makes it.
func (a *app) enrollPasskeyBegin(w http.ResponseWriter, r *http.Request, v *view, c auth.FactorChange, status int) error {
	v.D["Action"] = "/" + v.Realm + "/pasang-verifikasi/passkey"
	v.D["Next"] = localPath(r.FormValue("next"), "")
	v.D["Back"] = enrollChoice(v.Realm, r.FormValue("next"))
	v.Path = v.D["Back"].(string)
	return a.beginPasskeyCreate(w, r, v, c, status)
}

// enrollPasskey stores the passkey a login's setup made, which completes
// the login: making it proved the device, as an authenticator app's first
// code does.
func (a *app) enrollPasskey(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	pending := a.enrollment(r).Pending
	label, response := r.PostFormValue("label"), r.PostFormValue("response")
	v.D["Label"] = label
	if msg := v.tooLong("pk.label", label, inputLimits.Label); msg != "" {
		v.fail("label", msg)
	} else if !passkeyMissing(v, response) {
		en, err := a.auth.Factors().ConfirmPasskey(r.Context(), auth.PasskeyConfirmation{Realm: ri.Slug, Pending: pending,
			Response: []byte(response), Name: strings.TrimSpace(label), Request: a.sessions.Request(r)})
		if err == nil {
			a.clearCookie(w, enrollCookie)
			a.enrolledAtLogin(w, r, v, en, "setup.passkey.done")
			return
		}
		if a.enrollExpired(w, r, ri.Slug, err) {
			return
		}
		if !a.passkeyCreateRefused(v, err) {
			a.fail(w, r, err)
			return
		}
	}
	err := a.enrollPasskeyBegin(w, r, v, auth.FactorChange{Realm: ri.Slug, Pending: pending, Request: a.sessions.Request(r)}, http.StatusUnprocessableEntity)
	if err != nil && !a.enrollExpired(w, r, ri.Slug, err) {
		a.fail(w, r, err)
	}
}

// beginPasskeyStep begins the second step's passkey ceremony for the
// pending login, when the login offers a passkey, and gives the page its
// options. It reports false when it answered the request itself: the
// pending login ended (expired, used, out of attempts).
func (a *app) beginPasskeyStep(w http.ResponseWriter, r *http.Request, v *view) bool {
	ms, _ := v.D["Methods"].([]string)
	if !slices.Contains(ms, string(auth.MethodPasskey)) {
		return true
	}
	ch, err := a.auth.Logins().BeginPasskey(r.Context(), auth.PasskeyStart{Realm: v.Realm, Pending: a.cookie(r, "masuk-2fa"), Request: a.sessions.Request(r)})
	switch auth.Classify(err).Code {
	case "":
		v.D["PasskeyOptions"] = string(ch.Options)
	case auth.CodeNoPendingLogin:
		a.clearCookie(w, "masuk-2fa")
		http.Redirect(w, r, "/"+v.Realm+"/masuk?ok=expired", http.StatusSeeOther)
		return false
	case auth.CodeMethodUnavailable, auth.CodePasskeysUnavailable:
		// The passkey was removed since the password step (or the query
		// names a method the login does not have): the other ways stay.
		v.D["Methods"] = slices.DeleteFunc(slices.Clone(ms), func(m string) bool { return m == string(auth.MethodPasskey) })
	default:
		a.fail(w, r, err)
		return false
	}
	return true
}

// beginPasswordless begins the ceremony of the login page's "log in with
// a passkey", in a realm that offers it, and gives the page its options
// and Ceremony. Each client address may begin so many (each stores a
// challenge): past them the page says until when, and the password form
// works as ever.
func (a *app) beginPasswordless(w http.ResponseWriter, r *http.Request, v *view) bool {
	if !a.passwordless(v.Realm) {
		return true
	}
	ch, err := a.auth.Logins().BeginPasskey(r.Context(), auth.PasskeyStart{Realm: v.Realm, Request: a.sessions.Request(r)})
	switch o := auth.Classify(err); o.Code {
	case "":
		v.D["PasskeyOptions"], v.D["Ceremony"] = string(ch.Options), ch.Ceremony
	case auth.CodeThrottled:
		v.D["PasskeyRetry"] = clock(v.Lang, o.RetryAt)
	default:
		a.fail(w, r, err)
		return false
	}
	return true
}

// passkeyLogin logs in with a passkey alone, in a realm that offers it:
// the browser's answer names the passkey, and through it the account.
// A refusal is one answer, as a wrong password is; it counts toward the
// lock of the account (or of the address, for a passkey masuk does not
// know), and the login page comes back with a new ceremony.
func (a *app) passkeyLogin(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	req := a.sessions.Request(r)
	f := loginForm{Next: localPath(r.PostFormValue("next"), "")}
	// The language switch goes to the login page: this one answers a
	// POST.
	v.Path = "/" + ri.Slug + "/masuk"
	if f.Next != "" {
		v.Path += "?next=" + url.QueryEscape(f.Next)
	}
	status := http.StatusUnprocessableEntity
	if passkeyMissing(v, r.PostFormValue("response")) {
		f.Errors = v.Errors
	} else {
		res, err := a.auth.Logins().PasskeyLogin(r.Context(), auth.PasskeyLoginRequest{Realm: ri.Slug, Ceremony: r.PostFormValue("ceremony"),
			Response: []byte(r.PostFormValue("response")), Request: req})
		if err == nil {
			a.loggedIn(w, r, res, ri.Slug, f.Next)
			return
		}
		if f.Errors = a.problems(v, err, fieldIDs{"passkey": passkeyField}); f.Errors == nil {
			a.fail(w, r, err)
			return
		}
		o := auth.Classify(err)
		if o.Code == auth.CodePasskeyRefused {
			// Beside the button: a lock, say, concerns the whole page.
			f.Errors[0].Field = passkeyField
		}
		status = o.Status
	}
	// The page as the login's: with the captcha if the address needs one.
	need, err := a.auth.Logins().CaptchaNeeded(r.Context(), auth.CaptchaQuery{Realm: ri.Slug, ClientAddr: req.ClientAddr})
	if err != nil && auth.Classify(err).Code != auth.CodeLocked {
		a.fail(w, r, err)
		return
	}
	f.Captcha = need.Required
	a.renderLogin(w, r, v, status, f)
}

package main

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"slices"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// The enrollment a login requires: in a realm whose SecondFactor is
// SecondFactorMandatory, a login of an account without a factor stops at
// an *auth.EnrollmentRequired. Its page offers the factors the library
// lists for the account, in its order; a passkey completes the login when
// it is made, an authenticator app with its first code, and codes by
// email, SMS or WhatsApp go on to the second step with the factor just
// added. Nothing here depends on the realm: the realm's settings decide
// what is offered.

// enrollCookie keeps the pending enrollment, a bearer secret as the
// pending login is (in an HttpOnly cookie, never in a URL), with the
// factors the library listed for it: the pages of the enrollment read
// them from there, so that a reload or the language switch, which keep
// only a page's path and next, shows them all the same.
const enrollCookie = "masuk-enroll"

// pendingEnrollment is what enrollCookie keeps.
type pendingEnrollment struct {
	Pending string
	// Methods are the factors the account can enroll, in the library's
	// order.
	Methods []string
}

func (a *app) setEnrollment(w http.ResponseWriter, e *auth.EnrollmentRequired) {
	q := url.Values{"p": {e.Pending}, "m": {methodList(e.Methods)}}
	a.setCookie(w, enrollCookie, base64.RawURLEncoding.EncodeToString([]byte(q.Encode())), e.ExpiresAt)
}

// enrollment returns the pending enrollment the cookie keeps, or the zero
// one.
func (a *app) enrollment(r *http.Request) pendingEnrollment {
	b, err := base64.RawURLEncoding.DecodeString(a.cookie(r, enrollCookie))
	if err != nil {
		return pendingEnrollment{}
	}
	q, err := url.ParseQuery(string(b))
	if err != nil {
		return pendingEnrollment{}
	}
	// Recovery codes are never enrolled: they come with the first factor.
	ms := slices.DeleteFunc(parseMethods(q.Get("m")), func(m string) bool { return m == string(auth.MethodRecovery) })
	return pendingEnrollment{Pending: q.Get("p"), Methods: ms}
}

// codeKinds are the factors of codes that a method enrolls.
var codeKinds = map[auth.Method]store.FactorKind{
	auth.MethodEmail:    store.FactorEmail,
	auth.MethodSMS:      store.FactorSMS,
	auth.MethodWhatsApp: store.FactorWhatsApp,
}

// enrollExpired ends an enrollment that no longer stands (expired, used,
// out of attempts, voided by a password change, or replaced by a factor
// enrolled elsewhere) as the second step ends an expired login: back to
// the login, which says so. It reports whether it did.
func (a *app) enrollExpired(w http.ResponseWriter, r *http.Request, realm string, err error) bool {
	if auth.Classify(err).Code != auth.CodeNoPendingLogin {
		return false
	}
	a.clearCookie(w, enrollCookie)
	http.Redirect(w, r, "/"+realm+"/masuk?ok=expired", http.StatusSeeOther)
	return true
}

// enrollChoice is the address of the page that offers the factors, for a
// login going on to next.
func enrollChoice(realm, next string) string {
	return "/" + realm + "/pasang-verifikasi?next=" + url.QueryEscape(localPath(next, ""))
}

func (a *app) enrollPage(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	if a.enrollment(r).Pending == "" {
		http.Redirect(w, r, "/"+ri.Slug+"/masuk?ok=expired", http.StatusSeeOther)
		return
	}
	a.renderEnrollChoice(w, r, a.view(r, ri.Slug), http.StatusOK)
}

func (a *app) renderEnrollChoice(w http.ResponseWriter, r *http.Request, v *view, status int) {
	ms := a.enrollment(r).Methods
	v.D["Methods"] = ms
	v.D["Next"] = localPath(r.FormValue("next"), "")
	// What the step asks for, which the page's intro says: a code; a
	// passkey or a code; or, where the realm takes nothing else, a
	// passkey.
	v.D["PasskeyOnly"] = slices.Equal(ms, []string{string(auth.MethodPasskey)})
	v.D["Passkey"] = slices.Contains(ms, string(auth.MethodPasskey))
	a.render(w, status, "setup", v)
}

// enrollPost enrolls the factor the person chose: a passkey's page, whose
// button makes it, an authenticator app's page with its QR code, or codes
// by email, SMS or WhatsApp, which go on to the second step.
func (a *app) enrollPost(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	change := auth.FactorChange{Realm: ri.Slug, Pending: a.enrollment(r).Pending, Request: a.sessions.Request(r)}
	next := localPath(r.PostFormValue("next"), "")
	method := auth.Method(r.PostFormValue("method"))
	var err error
	if method == auth.MethodPasskey {
		// The passkey is made on the next page, whose button asks the
		// browser for it.
		if err = a.enrollPasskeyBegin(w, r, v, change, http.StatusOK); err == nil {
			return
		}
	} else if method == auth.MethodTOTP {
		var e *auth.TOTPEnrollment
		if e, err = a.auth.Factors().BeginTOTP(r.Context(), change); err == nil {
			// The QR code inline, as on the security page: the secret
			// never has a URL of its own.
			v.D["QR"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QR))
			v.D["ManualKey"], v.D["FactorID"], v.D["Issuer"] = e.ManualKey, e.FactorID, e.Issuer
			a.renderEnrollTOTP(w, r, v, http.StatusOK)
			return
		}
	} else {
		var en *auth.Enrolled
		en, err = a.auth.Factors().AddCodes(r.Context(), auth.CodeFactor{Kind: codeKinds[method], FactorChange: change})
		if err == nil {
			a.clearCookie(w, enrollCookie)
			a.toSecondStep(w, r, ri.Slug, en.SecondStep, next, "enrolled")
			return
		}
	}
	if a.enrollExpired(w, r, ri.Slug, err) {
		return
	}
	if v.Errors = a.problems(v, err, nil); v.Errors == nil {
		a.fail(w, r, err)
		return
	}
	a.renderEnrollChoice(w, r, v, http.StatusUnprocessableEntity)
}

// renderEnrollTOTP shows the authenticator app's enrollment, which
// confirms at this realm's page and leads back to the choice.
func (a *app) renderEnrollTOTP(w http.ResponseWriter, r *http.Request, v *view, status int) {
	v.D["Action"] = "/" + v.Realm + "/pasang-verifikasi/konfirmasi"
	v.D["Next"] = localPath(r.FormValue("next"), "")
	v.D["Back"] = enrollChoice(v.Realm, r.FormValue("next"))
	// The language switch goes back to the choice: the page answers a
	// POST, and the app's key is not shown twice.
	v.Path = v.D["Back"].(string)
	a.render(w, status, "enroll", v)
}

// enrollConfirm confirms the authenticator app with its first code, which
// completes the login: the session starts, and the first recovery codes
// are shown, once, before the person goes on.
func (a *app) enrollConfirm(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	v := a.view(r, ri.Slug)
	id := r.PostFormValue("factor_id")
	en, err := a.auth.Factors().ConfirmTOTP(r.Context(), auth.TOTPConfirmation{
		Realm: ri.Slug, Pending: a.enrollment(r).Pending, FactorID: id, Code: r.PostFormValue("code"), Request: a.sessions.Request(r),
	})
	switch auth.Classify(err).Code {
	case "":
	case auth.CodeInvalidCode:
		// Better than "wrong code": the usual cause is the phone's clock.
		v.fail("code", v.T("enroll.retry"))
		v.D["FactorID"] = id
		a.renderEnrollTOTP(w, r, v, http.StatusUnprocessableEntity)
		return
	case auth.CodeNotFound:
		// An enrollment begun again elsewhere replaced this one.
		http.Redirect(w, r, enrollChoice(ri.Slug, r.PostFormValue("next")), http.StatusSeeOther)
		return
	default:
		if a.enrollExpired(w, r, ri.Slug, err) {
			return
		}
		a.fail(w, r, err)
		return
	}
	a.clearCookie(w, enrollCookie)
	a.enrolledAtLogin(w, r, v, en, "setup.totp.done")
}

// enrolledAtLogin starts the session of a login that the enrollment of
// its factor completed, and shows the first recovery codes, once, with
// the notice (a message key) of what was set up; or goes on to where the
// login was going, when there are none to show.
func (a *app) enrolledAtLogin(w http.ResponseWriter, r *http.Request, v *view, en *auth.Enrolled, notice string) {
	if !a.beginSession(w, r, en.Login) {
		return
	}
	next := afterLogin(v.Realm, r.PostFormValue("next"))
	if len(en.RecoveryCodes) == 0 || a.phishingResistant(v.Realm) {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	v.Notice = v.T(notice)
	// Logged in from this answer on: the header says so (the request
	// itself came without a session).
	acct := en.Login.Account
	v.User = &auth.Principal{Account: acct, AccountID: acct.ID, Realm: acct.Realm, Username: acct.DisplayUsername}
	v.D["Codes"], v.D["Done"] = en.RecoveryCodes, next
	// The page answers a POST: the language switch goes on as its link
	// does.
	v.Path = next
	a.render(w, http.StatusOK, "codes", v)
}

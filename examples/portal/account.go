package main

import (
	"cmp"
	"encoding/base64"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/secret"
)

// The pages of a logged-in owner: the account, the password, the second
// factors, the sessions and the history. RequireAuth has checked the
// session before any of them runs.

// principal returns who the request acts for.
func principal(r *http.Request) *auth.Principal {
	p, _ := httpauth.PrincipalFrom(r.Context())
	return p
}

func (a *app) logout(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if err := a.sessions.Logout(w, r, r.PostFormValue("everywhere") == "1"); err != nil {
		a.fail(w, r, err)
		return
	}
	// A session that came from INApas logs out there too, when INApas
	// can (federation.go); it comes back to the login page.
	if u := a.fedLogoutURL(w, r, p.Realm); u != "" {
		http.Redirect(w, r, u, http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/"+p.Realm+"/masuk?ok=loggedout", http.StatusSeeOther)
}

func (a *app) accountPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	v := a.view(r, p.Realm)
	v.D["Account"] = p.Account
	v.D["Phone"] = maskPhone(p.Account.Phone)
	a.render(w, http.StatusOK, "account", v)
}

func (a *app) passwordPage(w http.ResponseWriter, r *http.Request) {
	a.render(w, http.StatusOK, "password", a.view(r, principal(r).Realm))
}

func (a *app) passwordPost(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	v := a.view(r, p.Realm)
	next := r.PostFormValue("password")
	if next != r.PostFormValue("password2") {
		v.fail("password2", v.T("reg.mismatch"))
		// And what the realm's rules refuse of the new password, at once.
		if err := a.realms[p.Realm].Rules.Check(r.Context(), next, password.Context{Username: p.Username, Email: p.Account.Email, Realm: p.Realm}); err != nil {
			v.Errors = append(a.problems(v, err, fieldIDs{"password": "password"}), v.Errors...)
		}
		a.render(w, http.StatusUnprocessableEntity, "password", v)
		return
	}
	err := a.auth.Accounts().ChangePassword(r.Context(), auth.PasswordChange{AccountID: p.AccountID, Current: r.PostFormValue("current"), New: next, Request: a.sessions.Request(r)})
	if err != nil {
		// auth's "password" is the current one when it is wrong, the new
		// one when the policy refuses it.
		ids := fieldIDs{"password": "password"}
		if c := auth.Classify(err).Code; c == auth.CodeWrongPassword || c == auth.CodeInvalidCredentials || c == auth.CodeLocked {
			ids = fieldIDs{"password": "current"}
		}
		if v.Errors = a.problems(v, err, ids); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.render(w, http.StatusUnprocessableEntity, "password", v)
		return
	}
	// The change ended every session, this one too; start a new one, for
	// the account as it is now (its new security stamp).
	acct, err := a.auth.Accounts().Get(r.Context(), p.AccountID)
	if err == nil {
		_, err = a.sessions.Begin(w, r, acct)
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.User = nil
	v.Notice = v.T("pw.done")
	a.render(w, http.StatusOK, "password", v)
}

// securityNotices are the messages a redirect to the security page may ask
// for.
var securityNotices = map[string]string{"removed": "sec.removed", "forgotten": "sec.forgotten", "added": "sec.added",
	"confirmed": "sec.confirmed", "phonechanged": "sec.phone.changed", "passkey": "pk.added", "renamed": "pk.renamed",
	"linked": "fed.linked.done", "unlinked": "fed.unlinked.done", "verified": "fed.reauth.done", "passwordset": "fed.pw.done"}

func (a *app) securityPage(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, principal(r).Realm)
	if key, ok := securityNotices[r.URL.Query().Get("ok")]; ok {
		v.Notice = v.T(key)
	}
	a.renderSecurity(w, r, v, http.StatusOK)
}

// renderSecurity shows the security page: the passkeys and the other
// factors and what changes them, enabled while the session's proof of the
// password is recent (unless the caller set D["Reauth"]), and the phone
// number where the realm uses one.
func (a *app) renderSecurity(w http.ResponseWriter, r *http.Request, v *view, status int) {
	p := principal(r)
	s, err := a.auth.Factors().Summary(r.Context(), p.AccountID)
	if o := auth.Classify(err); o.Code == auth.CodeFactorsUnavailable {
		// Second factors are off in the realm: the page says so.
		v.fail("", o.Message(v.Lang))
	} else if err != nil {
		a.fail(w, r, err)
		return
	}
	rs, err := a.auth.Realm(p.Realm)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.D["Summary"] = s
	// Passkeys where the realm has them (a base URL on a domain); and
	// whether they log in without a password there, which the section
	// says.
	v.D["PasskeysOn"], v.D["Passwordless"] = a.passkeysOn(p.Realm), a.passwordless(p.Realm)
	// Where the realm takes a passkey alone at the second step
	// (-operator-passkeys), no other factor is offered: none would count.
	v.D["PasskeysOnly"] = a.phishingResistant(p.Realm)
	if p.Account.Phone != "" {
		// Codes to the phone, by the channels the realm sends.
		v.D["PhoneCodes"] = rs.SecondFactor.PhoneCodes
	}
	if _, set := v.D["Reauth"]; !set {
		v.D["Reauth"] = p.ReauthUntil.After(a.now())
	}
	a.reauthNotes(v, p, rs.Session.ReauthWithin)
	if pv := a.phoneSection(r, v, rs, s); pv != nil {
		v.D["Phone"] = pv
	}
	if a.inapasOn(p.Realm) {
		ids, err := a.auth.Federation().Identities(r.Context(), p.AccountID)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v.D["INApas"], v.D["Identities"] = true, ids
		// An account INApas made has no password: INApas verifies its
		// owner instead, and the page offers a first password.
		none, err := a.noPassword(r)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v.D["NoPassword"] = none && len(ids) > 0
	}
	a.dataSection(v, p.Realm)
	a.render(w, status, "security", v)
}

// factorChange reads the form of a change to the second factors. The
// page sends no password: the session's recent proof of it stands in
// (auth.Request.Session). A client that sends one has it checked.
func (a *app) factorChange(r *http.Request) auth.FactorChange {
	return auth.FactorChange{AccountID: principal(r).AccountID, Password: r.PostFormValue("password"),
		Label: r.PostFormValue("label"), Request: a.sessions.Request(r)}
}

// securityError shows an error a person can fix on the security page; an
// action refused for want of a recent proof of the password brings back
// the confirmation form.
func (a *app) securityError(w http.ResponseWriter, r *http.Request, err error) {
	if a.reauthRequired(w, r, err) {
		return
	}
	v := a.view(r, principal(r).Realm)
	if v.Errors = a.problems(v, err, nil); v.Errors == nil {
		a.fail(w, r, err)
		return
	}
	a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
}

// labelTooLong answers a factor's label longer than the store keeps, and
// reports whether it did.
func (a *app) labelTooLong(w http.ResponseWriter, r *http.Request) bool {
	v := a.view(r, principal(r).Realm)
	msg := v.tooLong("field.label", r.PostFormValue("label"), inputLimits.Label)
	if msg == "" {
		return false
	}
	v.fail("label", msg)
	a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
	return true
}

func (a *app) totpBegin(w http.ResponseWriter, r *http.Request) {
	if a.labelTooLong(w, r) {
		return
	}
	e, err := a.auth.Factors().BeginTOTP(r.Context(), a.factorChange(r))
	if err != nil {
		a.securityError(w, r, err)
		return
	}
	v := a.view(r, principal(r).Realm)
	// The QR code goes inline as a data: URL (the CSP allows data: images
	// only), so the secret never has a URL of its own.
	v.D["QR"] = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.QR))
	v.D["ManualKey"], v.D["FactorID"] = e.ManualKey, e.FactorID
	// The name the app lists the account under: the realm's issuer, so
	// that each portal is an entry of its own.
	v.D["Issuer"] = e.Issuer
	a.render(w, http.StatusOK, "enroll", v)
}

func (a *app) totpConfirm(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	id := r.PostFormValue("factor_id")
	en, err := a.auth.Factors().ConfirmTOTP(r.Context(), auth.TOTPConfirmation{AccountID: p.AccountID, FactorID: id, Code: r.PostFormValue("code"), Request: a.sessions.Request(r)})
	switch auth.Classify(err).Code {
	case "":
	case auth.CodeInvalidCode:
		// Better than "wrong code": the usual cause is the phone's clock.
		v := a.view(r, p.Realm)
		v.fail("code", v.T("enroll.retry"))
		v.D["FactorID"] = id
		a.render(w, http.StatusUnprocessableEntity, "enroll", v)
		return
	case auth.CodeNotFound:
		// An enrollment begun again elsewhere replaced this one.
		http.Redirect(w, r, "/akun/keamanan", http.StatusSeeOther)
		return
	default:
		a.fail(w, r, err)
		return
	}
	a.enrolled(w, r, en.RecoveryCodes)
}

// enrolled shows the first recovery codes, once, or goes back to the
// security page when the account had codes already.
func (a *app) enrolled(w http.ResponseWriter, r *http.Request, codes []string) {
	if len(codes) == 0 {
		http.Redirect(w, r, "/akun/keamanan?ok=added", http.StatusSeeOther)
		return
	}
	v := a.view(r, principal(r).Realm)
	v.D["Codes"] = codes
	a.render(w, http.StatusOK, "codes", v)
}

// emailFactorAdd adds codes by email, or by the phone channel the form
// names (masuk refuses a channel the realm does not send, or an account
// without a phone).
func (a *app) emailFactorAdd(w http.ResponseWriter, r *http.Request) {
	if a.labelTooLong(w, r) {
		return
	}
	kind, ok := codeKinds[auth.Method(cmp.Or(r.PostFormValue("kind"), "email"))]
	if !ok {
		a.securityError(w, r, auth.ErrMethodUnavailable)
		return
	}
	en, err := a.auth.Factors().AddCodes(r.Context(), auth.CodeFactor{Kind: kind, FactorChange: a.factorChange(r)})
	if err != nil {
		a.securityError(w, r, err)
		return
	}
	a.enrolled(w, r, en.RecoveryCodes)
}

func (a *app) factorRemove(w http.ResponseWriter, r *http.Request) {
	if err := a.auth.Factors().Remove(r.Context(), auth.FactorRemoval{FactorID: r.PostFormValue("factor_id"), FactorChange: a.factorChange(r)}); err != nil {
		a.securityError(w, r, err)
		return
	}
	http.Redirect(w, r, "/akun/keamanan?ok=removed", http.StatusSeeOther)
}

func (a *app) recoveryRegenerate(w http.ResponseWriter, r *http.Request) {
	codes, err := a.auth.Factors().RegenerateRecoveryCodes(r.Context(), a.factorChange(r))
	if err != nil {
		a.securityError(w, r, err)
		return
	}
	a.enrolled(w, r, codes.Codes)
}

// maxRecoveryCodes bounds the codes a download may carry: more than masuk
// ever makes at once.
const maxRecoveryCodes = 32

// recoveryDownload answers the codes the page of new recovery codes sends
// back as a text file to keep. The portal keeps no code (masuk stores them
// hashed), so it serves only what the form carried, and only codes: the
// file can be had from that page alone, right after the codes were made,
// and is never cached (secure sets Cache-Control: no-store).
func (a *app) recoveryDownload(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	v := a.view(r, p.Realm)
	codes := r.PostForm["code"]
	if len(codes) == 0 || len(codes) > maxRecoveryCodes {
		http.Redirect(w, r, "/akun/keamanan", http.StatusSeeOther)
		return
	}
	var b strings.Builder
	b.WriteString(v.Tf("codes.file", v.PortalName, p.Account.DisplayUsername, v.When(a.now())) + "\r\n\r\n")
	for _, c := range codes {
		if _, ok := secret.NormalizeRecoveryCode(c); !ok {
			http.Redirect(w, r, "/akun/keamanan", http.StatusSeeOther)
			return
		}
		b.WriteString(c + "\r\n")
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="kode-pemulihan-`+p.Realm+`.txt"`)
	h.Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, b.String())
}

func (a *app) devicesForget(w http.ResponseWriter, r *http.Request) {
	if err := a.auth.Factors().ForgetDevice(r.Context(), auth.DeviceForget{AccountID: principal(r).AccountID, Request: a.sessions.Request(r)}); err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/akun/keamanan?ok=forgotten", http.StatusSeeOther)
}

func (a *app) sessionsPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	list, err := a.auth.Sessions().List(r.Context(), auth.SessionQuery{AccountID: p.AccountID, Current: p.Session.ID})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v := a.view(r, p.Realm)
	switch q := r.URL.Query(); q.Get("ok") {
	case "revoked":
		v.Notice = v.T("sess.revoked")
	case "others":
		n, _ := strconv.Atoi(q.Get("n"))
		v.Notice = v.Tf("sess.others.done", n)
	}
	v.D["Sessions"] = list
	a.render(w, http.StatusOK, "sessions", v)
}

func (a *app) sessionRevoke(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	err := a.auth.Sessions().Revoke(r.Context(), auth.Revocation{AccountID: p.AccountID, SessionID: r.PostFormValue("id"), Request: a.sessions.Request(r)})
	// A session that ended meanwhile is as good as revoked.
	if err != nil && auth.Classify(err).Code != auth.CodeNotFound {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/akun/sesi?ok=revoked", http.StatusSeeOther)
}

func (a *app) sessionsRevokeOthers(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	n, err := a.auth.Sessions().RevokeOthers(r.Context(), auth.OthersRevocation{AccountID: p.AccountID, Current: p.Session.ID, Request: a.sessions.Request(r)})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/akun/sesi?ok=others&n="+strconv.Itoa(n.Count), http.StatusSeeOther)
}

// activityRow is one line of a history, as a page shows it.
type activityRow struct {
	auth.ActivityEntry
	// By and Reason are an operator's, when one acted.
	By, Reason string
}

func activityRows(list []auth.ActivityEntry) []activityRow {
	rows := make([]activityRow, len(list))
	for i, e := range list {
		rows[i] = activityRow{ActivityEntry: e, By: e.Details["by"], Reason: e.Details["reason"]}
		if rows[i].By == "" {
			// A login's "reason" is for operators, never for the person.
			rows[i].Reason = ""
		}
	}
	return rows
}

const activityPerPage = 25

func (a *app) activityPage(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	before, _ := strconv.ParseInt(r.URL.Query().Get("sebelum"), 10, 64)
	list, err := a.auth.Activity().List(r.Context(), auth.ActivityQuery{AccountID: p.AccountID, Before: before, Limit: activityPerPage})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v := a.view(r, p.Realm)
	v.D["Entries"] = activityRows(list)
	if len(list) == activityPerPage {
		v.D["Older"] = list[len(list)-1].ID
	}
	a.render(w, http.StatusOK, "activity", v)
}

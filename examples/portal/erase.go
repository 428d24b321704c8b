package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/masuk-id/masuk/auth"
)

// The owner's data-subject rights of UU 27/2022 (issue 19): a copy of the
// account's data, downloaded from the security page, and the account's
// erasure, on a page of its own; and the same two for an operator, on
// the operator's view of an account.
//
// The download holds personal data, so it takes the security page's
// proof of the password (Principal.ReauthUntil): a session stolen while
// idle cannot have it without the password. The erasure cannot be undone,
// so it asks for the password every time, whatever the session proved
// before, and for a tick that says the owner means it.

// eraseField and confirmField are the ids of the erasure form's inputs.
const (
	eraseField   = "erase-password"
	confirmField = "erase-confirm"
)

// dataSection gives the security page's section on the account's data:
// whether its realm lets owners erase their accounts (the portals' do;
// operators' accounts are the seeded operator's to keep).
func (a *app) dataSection(v *view, realm string) {
	v.D["Erasable"] = slices.Contains(portals, realm)
}

// exportOwn answers the account's data as a JSON file to keep, while the
// session's proof of the password is recent; past it, the security page
// with its confirmation form and why.
func (a *app) exportOwn(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !p.ReauthUntil.After(a.now()) {
		a.reauthRequired(w, r, auth.ErrReauthRequired)
		return
	}
	x, err := a.auth.Accounts().Export(r.Context(), p.AccountID)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	for i := range x.Sessions {
		x.Sessions[i].Current = x.Sessions[i].ID == p.Session.ID
	}
	a.sendExport(w, r, x)
}

// sendExport writes x as an attachment named after its realm and today's
// date in WIB, data-akun-lpse-2026-12-07.json, never cached.
func (a *app) sendExport(w http.ResponseWriter, r *http.Request, x auth.AccountExport) {
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		a.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="data-akun-`+x.Realm+"-"+a.now().In(wib).Format("2006-01-02")+`.json"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(append(b, '\n'))
}

// erasePage shows what an erasure deletes and keeps, and its form.
func (a *app) erasePage(w http.ResponseWriter, r *http.Request) {
	a.renderErase(w, r, a.view(r, principal(r).Realm), http.StatusOK)
}

// renderErase shows the erasure page; what it keeps of the history is
// the realm's Retention.
func (a *app) renderErase(w http.ResponseWriter, r *http.Request, v *view, status int) {
	p := principal(r)
	if !slices.Contains(portals, p.Realm) {
		a.notFound(w, r)
		return
	}
	rs, err := a.auth.Realm(p.Realm)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.D["DeletesEvents"] = rs.Retention.Events == auth.ErasedEventsDelete
	a.render(w, status, "erase", v)
}

// eraseOwn erases the account with the password the form gives (never
// on the session's earlier proof of it), ends the session's cookie and
// goes on to a page that says so. A form sent again after the erasure
// (a second click) finds no session, or no account, and erases nothing
// more; it says so.
func (a *app) eraseOwn(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if p == nil {
		lang := a.sessions.Locale(r)
		a.message(w, r, "", http.StatusUnauthorized, t(lang, "erase.gone.title"), t(lang, "erase.gone"), "/", t(lang, "back.home"))
		return
	}
	if !slices.Contains(portals, p.Realm) {
		a.notFound(w, r)
		return
	}
	v := a.view(r, p.Realm)
	pw := r.PostFormValue("password")
	if pw == "" {
		v.fail(eraseField, v.T("erase.err.password"))
	}
	if r.PostFormValue("confirm") != "1" {
		v.fail(confirmField, v.T("erase.err.confirm"))
	}
	if v.Errors != nil {
		a.renderErase(w, r, v, http.StatusUnprocessableEntity)
		return
	}
	// No session in the request: masuk takes the password alone, however
	// recently the session proved it.
	req := a.sessions.Request(r)
	req.Session = ""
	err := a.auth.Accounts().Erase(r.Context(), auth.AccountErasure{AccountID: p.AccountID, Password: pw, Request: req})
	if err != nil && auth.Classify(err).Code != auth.CodeNotFound {
		if v.Errors = a.problems(v, err, fieldIDs{"password": eraseField}); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.renderErase(w, r, v, http.StatusUnprocessableEntity)
		return
	}
	// Erased, now or by the same form a moment before (not found). The
	// session went with the account; Logout clears its cookie.
	if err := a.sessions.Logout(w, r, false); err != nil {
		a.log.ErrorContext(r.Context(), "portal: ending the erased account's session", "error", err)
	}
	http.Redirect(w, r, "/akun/dihapus?realm="+url.QueryEscape(p.Realm), http.StatusSeeOther)
}

// erasedPage says that the account is deleted, and what was kept.
func (a *app) erasedPage(w http.ResponseWriter, r *http.Request) {
	realm := r.URL.Query().Get("realm")
	if !slices.Contains(portals, realm) {
		realm = ""
	}
	v := a.view(r, realm)
	if realm != "" {
		if rs, err := a.auth.Realm(realm); err == nil {
			v.D["DeletesEvents"] = rs.Retention.Events == auth.ErasedEventsDelete
		}
	}
	a.render(w, http.StatusOK, "erased", v)
}

// operatorExport answers an account's data as a JSON file, for an
// operator who handles its owner's request, with the reason the form
// gives: Operator.Export keeps only the accounts the operator may read,
// and records who took the copy and why in the account's history.
func (a *app) operatorExport(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, operatorRealm)
	id, reason := r.PostFormValue("id"), strings.TrimSpace(r.PostFormValue("reason"))
	v.D["ExportReason"] = reason
	op, err := a.operator(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	acct, err := op.Account(r.Context(), id)
	if a.operatorRead(w, r, err) {
		return
	}
	if reason == "" {
		v.fail("export-reason", v.T("err.reason"))
	} else if msg := v.tooLong("op.export.reason", reason, inputLimits.Reason); msg != "" {
		v.fail("export-reason", msg)
	}
	if v.Errors == nil {
		x, err := op.Export(r.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: reason, Request: a.sessions.Request(r)})
		if err == nil {
			a.sendExport(w, r, x)
			return
		}
		if v.Errors = a.problems(v, err, fieldIDs{"reason": "export-reason"}); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
	}
	a.renderOperatorAccount(w, r, op, v, id, http.StatusUnprocessableEntity)
}

// operatorErase erases an account, with the reason the form gives and a
// tick that the operator means it; masuk's EventErased names the
// operator and the reason. An account already gone (the same form sent
// twice) goes back to the list as erased.
func (a *app) operatorErase(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, operatorRealm)
	id, reason := r.PostFormValue("id"), strings.TrimSpace(r.PostFormValue("reason"))
	realm := r.PostFormValue("realm")
	if !slices.Contains(portals, realm) {
		realm = lpseRealm
	}
	done := "/operator?realm=" + url.QueryEscape(realm) + "&ok=erased"
	v.D["EraseReason"] = reason
	op, err := a.operator(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	acct, err := op.Account(r.Context(), id)
	if auth.Classify(err).Code == auth.CodeNotFound {
		http.Redirect(w, r, done, http.StatusSeeOther)
		return
	}
	if a.operatorRead(w, r, err) {
		return
	}
	if reason == "" {
		v.fail("erase-reason", v.T("err.reason"))
	} else if msg := v.tooLong("op.erase.reason", reason, inputLimits.Reason); msg != "" {
		v.fail("erase-reason", msg)
	}
	if r.PostFormValue("confirm") != "1" {
		v.fail(confirmField, v.T("op.erase.err.confirm"))
	}
	if v.Errors == nil {
		err = op.Erase(r.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: reason, Request: a.sessions.Request(r)})
		switch {
		case err == nil, auth.Classify(err).Code == auth.CodeNotFound:
			http.Redirect(w, r, "/operator?realm="+url.QueryEscape(acct.Realm)+"&ok=erased", http.StatusSeeOther)
			return
		default:
			if v.Errors = a.problems(v, err, fieldIDs{"reason": "erase-reason"}); v.Errors == nil {
				a.fail(w, r, err)
				return
			}
		}
	}
	a.renderOperatorAccount(w, r, op, v, id, http.StatusUnprocessableEntity)
}

package main

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// The operator's pages: accounts by state, and the actions on one. Every
// action names the operator and a reason, which the account's history
// keeps.

// requireOperator lets through only sessions of the operator realm.
func (a *app) requireOperator(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := principal(r); p == nil || p.Realm != operatorRealm {
			lang := a.sessions.Locale(r)
			a.message(w, r, "", http.StatusForbidden, t(lang, "err.forbidden"), t(lang, "err.forbidden"), "/", t(lang, "back.home"))
			return
		}
		next(w, r)
	})
}

// operatorName is how the operator is recorded in a history: the
// account's username and ID.
func operatorName(p *auth.Principal) string { return p.Username + "#" + p.AccountID }

var accountStates = []store.AccountState{store.StatePendingApproval, store.StatePendingConfirmation, store.StateActive, store.StateDisabled}

func (a *app) operatorList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	realm := q.Get("realm")
	if realm != "sapk" {
		realm = "lpse"
	}
	state := store.AccountState(q.Get("state"))
	if state != "" && !state.Valid() {
		state = ""
	}
	v := a.view(r, operatorRealm)
	list, err := a.auth.ListAccounts(r.Context(), store.AccountQuery{Realm: realm, State: state, Search: q.Get("q"), Limit: 100})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.D["Accounts"], v.D["ListRealm"], v.D["State"], v.D["Search"], v.D["States"] = list, realm, string(state), q.Get("q"), accountStates
	a.render(w, http.StatusOK, "operator_list", v)
}

func (a *app) operatorAccount(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("id") == "" {
		// The address without an account, as a page that leads back to
		// the form gives it: the list.
		http.Redirect(w, r, "/operator", http.StatusSeeOther)
		return
	}
	v := a.view(r, operatorRealm)
	if action := r.URL.Query().Get("ok"); action != "" {
		if _, ok := messages["action."+action]; ok {
			v.Notice = v.Tf("op.done", v.T("action."+action))
		}
	}
	a.renderOperatorAccount(w, r, v, r.URL.Query().Get("id"), http.StatusOK)
}

func (a *app) renderOperatorAccount(w http.ResponseWriter, r *http.Request, v *view, id string, status int) {
	acct, err := a.accounts.AccountByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	lock, err := a.auth.LockStatus(r.Context(), acct.Realm, acct.Username)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	history, err := a.auth.Activity(r.Context(), acct.ID, auth.ActivityQuery{Limit: 30})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.D["Acct"], v.D["Lock"], v.D["History"] = acct, lock, history
	a.render(w, status, "operator_account", v)
}

func (a *app) operatorAction(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	v := a.view(r, operatorRealm)
	id, action, reason := r.PostFormValue("id"), r.PostFormValue("action"), strings.TrimSpace(r.PostFormValue("reason"))
	acct, err := a.accounts.AccountByID(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		a.notFound(w, r)
		return
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if reason == "" {
		v.Error = v.T("err.reason")
		a.renderOperatorAccount(w, r, v, id, http.StatusUnprocessableEntity)
		return
	}
	if v.Error = v.tooLong("field.reason", reason, inputLimits.Reason); v.Error != "" {
		a.renderOperatorAccount(w, r, v, id, http.StatusUnprocessableEntity)
		return
	}
	req := a.sessions.Request(r)
	// Messages to the owner go in the language they registered in.
	req.Locale = acct.Profile["lang"]
	// Operators act on the portals' realms, never on operators (their
	// own realm), and never on their own account.
	op := auth.OperatorAction{AccountID: id, Operator: operatorName(p), OperatorAccount: p.AccountID, Scope: operatorScope, Reason: reason, Request: req}
	d := auth.Decision{AccountID: id, Operator: op.Operator, OperatorAccount: p.AccountID, Scope: operatorScope, Reason: reason, Request: req}
	ctx := r.Context()
	switch action {
	case "approve":
		_, err = a.auth.Approve(ctx, d)
	case "reject":
		_, err = a.auth.Reject(ctx, d)
	case "unlock":
		_, err = a.auth.Unlock(ctx, auth.UnlockRequest{Realm: acct.Realm, Username: acct.Username, Operator: op.Operator, Scope: operatorScope, Reason: reason, Request: req})
	case "force_reset":
		err = a.auth.ForceReset(ctx, op)
	case "disable":
		err = a.auth.Disable(ctx, op)
	case "enable":
		err = a.auth.Enable(ctx, op)
	case "end_sessions":
		_, err = a.auth.EndSessions(ctx, op)
	default:
		a.notFound(w, r)
		return
	}
	switch {
	case errors.Is(err, auth.ErrWrongState):
		v.Error = v.T("err.wrongstate")
	case errors.Is(err, auth.ErrSelfAction):
		v.Error = v.T("err.self")
	case errors.Is(err, auth.ErrOutOfScope):
		v.Error = v.T("err.scope")
	case errors.Is(err, auth.ErrReasonRequired):
		v.Error = v.T("err.reason")
	case errors.Is(err, auth.ErrEmailRequired):
		v.Error = v.T("err.email.required")
	case err != nil:
		a.fail(w, r, err)
		return
	default:
		http.Redirect(w, r, "/operator/akun?id="+url.QueryEscape(id)+"&ok="+action, http.StatusSeeOther)
		return
	}
	a.renderOperatorAccount(w, r, v, id, http.StatusUnprocessableEntity)
}

// outboxPage lists the emails the development outbox holds, newest first,
// with their links made clickable, to a browser on this machine only
// (outboxAllowed).
func (a *app) outboxPage(w http.ResponseWriter, r *http.Request) {
	if !a.outboxAllowed(r) {
		a.notFound(w, r)
		return
	}
	type mail struct {
		To, Subject, Text, Link string
	}
	msgs := a.outbox.Messages()
	list := make([]mail, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		link, _ := notify.ExtractLink(m)
		list = append(list, mail{To: m.To, Subject: m.Subject, Text: m.Text, Link: link})
	}
	v := a.view(r, "")
	v.D["Mails"] = list
	a.render(w, http.StatusOK, "outbox", v)
}

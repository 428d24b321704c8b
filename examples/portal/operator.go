package main

import (
	"net/http"
	"net/url"
	"slices"
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

// operator returns masuk's operator service for the request's operator:
// recorded by username and account ID, acting in the portals' realms
// (never in operators', their own), never on their own account.
func (a *app) operator(r *http.Request) (*auth.Operator, error) {
	p := principal(r)
	return a.auth.Operator(auth.OperatorIdentity{Name: p.Username + "#" + p.AccountID, AccountID: p.AccountID, Realms: operatorScope})
}

var accountStates = []store.AccountState{store.StatePendingApproval, store.StatePendingConfirmation, store.StateActive, store.StateDisabled}

func (a *app) operatorList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	realm := q.Get("realm")
	if !slices.Contains(portals, realm) {
		realm = lpseRealm
	}
	state := store.AccountState(q.Get("state"))
	if state != "" && !state.Valid() {
		state = ""
	}
	v := a.view(r, operatorRealm)
	if q.Get("ok") == "erased" {
		v.Notice = v.T("op.erased")
	}
	op, err := a.operator(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	list, err := op.List(r.Context(), store.AccountQuery{Realm: realm, State: state, Search: q.Get("q"), Limit: 100})
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
	op, err := a.operator(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.renderOperatorAccount(w, r, op, v, r.URL.Query().Get("id"), http.StatusOK)
}

// operatorRead answers an account the operator may not read, or that
// does not exist, and reports whether it did.
func (a *app) operatorRead(w http.ResponseWriter, r *http.Request, err error) bool {
	if err == nil {
		return false
	}
	switch o := auth.Classify(err); o.Code {
	case auth.CodeNotFound:
		a.notFound(w, r)
	case auth.CodeOutOfScope:
		lang := a.sessions.Locale(r)
		a.message(w, r, operatorRealm, o.Status, t(lang, "err.forbidden"), o.Message(lang), "/operator", t(lang, "op.title"))
	default:
		a.fail(w, r, err)
	}
	return true
}

func (a *app) renderOperatorAccount(w http.ResponseWriter, r *http.Request, op *auth.Operator, v *view, id string, status int) {
	acct, err := op.Account(r.Context(), id)
	if a.operatorRead(w, r, err) {
		return
	}
	lock, err := op.LockStatus(r.Context(), auth.LockQuery{Realm: acct.Realm, Username: acct.Username})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	history, err := op.Activity(r.Context(), auth.ActivityQuery{AccountID: acct.ID, Limit: 30})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.D["Acct"], v.D["Lock"], v.D["History"] = acct, lock, history
	// Where only an operator ends a lock, masuk asks how the owner's
	// identity was checked before an unlock: the realm's settings say so.
	rs, err := a.auth.Realm(acct.Realm)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	v.D["IdentityRequired"] = rs.Lockout.Account.UntilUnlocked || rs.Lockout.Account.PermanentAfter != 0
	// What an erasure keeps of the account's history.
	v.D["DeletesEvents"] = rs.Retention.Events == auth.ErasedEventsDelete
	// The account's passkeys, where its realm has them, each with a form
	// that removes it (a lost phone's, say).
	on := a.passkeysOn(acct.Realm)
	v.D["PasskeysOn"] = on
	if on {
		keys, err := op.Passkeys(r.Context(), acct.ID)
		if err != nil {
			a.fail(w, r, err)
			return
		}
		v.D["Passkeys"] = keys
		// The passkey whose removal came back with a problem, and the
		// reason typed for it.
		if _, ok := v.D["PasskeyID"]; !ok {
			v.D["PasskeyID"], v.D["PasskeyReason"] = "", ""
		}
	}
	// The realm by the name its emails give it.
	v.D["Portal"] = a.realms[acct.Realm].Realm.Messages.PortalName
	a.render(w, status, "operator_account", v)
}

func (a *app) operatorAction(w http.ResponseWriter, r *http.Request) {
	v := a.view(r, operatorRealm)
	id, action, reason := r.PostFormValue("id"), r.PostFormValue("action"), strings.TrimSpace(r.PostFormValue("reason"))
	identity := strings.TrimSpace(r.PostFormValue("identity_check"))
	// The reason's field: the actions' form's, or, for a passkey's
	// removal, the passkey's own form's.
	passkeyID := r.PostFormValue("passkey_id")
	reasonField := "reason"
	if action == "remove_passkey" {
		reasonField = "pk-" + passkeyID
		v.D["PasskeyID"], v.D["PasskeyReason"] = passkeyID, reason
	} else {
		// What was typed stays in the form when it comes back.
		v.D["Reason"], v.D["IdentityCheck"] = reason, identity
	}
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
		// masuk asks a reason of a rejection and a passkey's removal
		// only; this portal of every action, for the history.
		v.fail(reasonField, v.T("err.reason"))
	} else if msg := v.tooLong("field.reason", reason, inputLimits.Reason); msg != "" {
		v.fail(reasonField, msg)
	}
	if msg := v.tooLong("field.identity_check", identity, inputLimits.IdentityCheck()); msg != "" {
		v.fail("identity_check", msg)
	}
	if v.Errors != nil {
		a.renderOperatorAccount(w, r, op, v, id, http.StatusUnprocessableEntity)
		return
	}
	req := a.sessions.Request(r)
	// Messages to the owner go in the language they registered in.
	req.Locale = acct.Profile["lang"]
	act := auth.OperatorAction{AccountID: id, Reason: reason, Request: req}
	d := auth.Decision{AccountID: id, Reason: reason, Request: req}
	ctx := r.Context()
	switch action {
	case "approve":
		_, err = op.Approve(ctx, d)
	case "reject":
		_, err = op.Reject(ctx, d)
	case "unlock":
		_, err = op.Unlock(ctx, auth.UnlockRequest{Realm: acct.Realm, Username: acct.Username, Reason: reason, IdentityCheck: identity, Request: req})
	case "force_reset":
		err = op.ForceReset(ctx, act)
	case "disable":
		err = op.Disable(ctx, act)
	case "enable":
		err = op.Enable(ctx, act)
	case "end_sessions":
		_, err = op.EndSessions(ctx, act)
	case "remove_passkey":
		err = op.RemovePasskey(ctx, auth.PasskeyRemoval{PasskeyID: passkeyID, OperatorAction: act})
		if auth.Classify(err).Code == auth.CodeNotFound {
			// Removed meanwhile, by its owner or another operator: the
			// page shows the passkeys left, and records nothing.
			http.Redirect(w, r, "/operator/akun?id="+url.QueryEscape(id), http.StatusSeeOther)
			return
		}
	default:
		a.notFound(w, r)
		return
	}
	if err == nil {
		http.Redirect(w, r, "/operator/akun?id="+url.QueryEscape(id)+"&ok="+action, http.StatusSeeOther)
		return
	}
	// The account in a state the action does not apply to, the
	// operator's own, one without an email address to send a reset to:
	// masuk's messages say it.
	if v.Errors = a.problems(v, err, fieldIDs{"reason": reasonField, "identity_check": "identity_check"}); v.Errors == nil {
		a.fail(w, r, err)
		return
	}
	a.renderOperatorAccount(w, r, op, v, id, http.StatusUnprocessableEntity)
}

// outboxPage lists the emails the development outbox holds, newest first,
// with their links made clickable, to a browser on this machine only
// (outboxAllowed).
func (a *app) outboxPage(w http.ResponseWriter, r *http.Request) {
	if !a.outboxAllowed(r) {
		a.notFound(w, r)
		return
	}
	// Every channel's messages: emails, and the SMS and WhatsApp codes
	// a gateway would have carried.
	type mail struct {
		Channel, To, Subject, Text, Link, Code string
	}
	msgs := a.outbox.Messages()
	list := make([]mail, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- {
		m := msgs[i]
		link, _ := notify.ExtractLink(m)
		list = append(list, mail{Channel: m.Channel.String(), To: m.To, Subject: m.Subject, Text: m.Text, Link: link, Code: m.Code})
	}
	v := a.view(r, "")
	v.D["Mails"] = list
	a.render(w, http.StatusOK, "outbox", v)
}

package main

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// The security page asks for the password once (issue 17, defect 14):
// within the realm's Session.ReauthWithin of the last proof of the
// password in the session (Principal.ReauthUntil), its forms carry no
// password field and masuk lets their actions through on the session
// (auth.Request.Session, which httpauth's Request fills); past it, the page
// shows one form that confirms the password (Sessions.Reauthenticate) and
// disables the others until then. The same page changes the account's
// phone number, in realms that use one.

// reauthField is the id of the confirmation form's password input.
const reauthField = "reauth-password"

// reauthPost confirms the password in the request's session, and goes
// back to the security page with its forms enabled. A wrong password
// counts toward the lock, as at login.
func (a *app) reauthPost(w http.ResponseWriter, r *http.Request) {
	_, err := a.auth.Sessions().Reauthenticate(r.Context(), auth.Reauthentication{
		Token: a.sessions.Token(r), Password: r.PostFormValue("password"), Request: a.sessions.Request(r)})
	if err != nil {
		v := a.view(r, principal(r).Realm)
		if v.Errors = a.problems(v, err, fieldIDs{"password": reauthField}); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		v.D["Reauth"] = false
		a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
		return
	}
	http.Redirect(w, r, "/akun/keamanan?ok=confirmed", http.StatusSeeOther)
}

// reauthRequired answers an action refused because the session's proof of
// the password ended between the page and the form (ErrReauthRequired):
// the page again, with the confirmation form and why; and reports whether
// it did.
func (a *app) reauthRequired(w http.ResponseWriter, r *http.Request, err error) bool {
	if !errors.Is(err, auth.ErrReauthRequired) {
		return false
	}
	v := a.view(r, principal(r).Realm)
	if none, _ := a.noPassword(r); none {
		v.fail(fedReauthField, v.T("fed.reauth.expired"))
	} else {
		v.fail(reauthField, v.T("sec.reauth.expired"))
	}
	v.D["Reauth"] = false
	a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
	return true
}

// phoneView is the security page's section on the phone number.
type phoneView struct {
	// Current is the account's number, masked, or "".
	Current string
	// Methods are the channels a code to the new number may take, the
	// realm's SecondFactor.PhoneCodes in its order, and Method the one
	// chosen (the first, unless the form said otherwise).
	Methods []string
	Method  string
	// Typed is the new number as the form sent it.
	Typed string
	// Sent is set while a code is on its way: To the new number, masked,
	// and Via its channel.
	Sent    bool
	To, Via string
}

// phoneStep is the step cookie's purpose while a code to a new number is
// on its way; the step keeps the flow, and the channel and the masked
// number (as "method to") in Identifier.
const phoneStep = "phone"

// usesPhone reports whether the account's realm uses its phone number: to
// reset a forgotten password (Reset.Phone), or for the codes of one of the
// account's second factors (SMS or WhatsApp, among SecondFactor.PhoneCodes).
func usesPhone(rs auth.Realm, s auth.FactorsSummary) bool {
	if len(rs.Reset.Phone) > 0 {
		return true
	}
	return slices.ContainsFunc(s.Factors, func(f auth.FactorInfo) bool {
		return f.Kind == store.FactorSMS || f.Kind == store.FactorWhatsApp
	})
}

// phoneSection returns the page's section on the phone number, or nil in
// a realm that does not use one.
func (a *app) phoneSection(r *http.Request, v *view, rs auth.Realm, s auth.FactorsSummary) *phoneView {
	p := principal(r)
	if !usesPhone(rs, s) {
		return nil
	}
	pv := &phoneView{Current: maskPhone(p.Account.Phone)}
	for _, m := range rs.SecondFactor.PhoneCodes {
		pv.Methods = append(pv.Methods, string(m))
	}
	pv.Typed, _ = v.D["NewPhone"].(string)
	if m := r.PostFormValue("method"); slices.Contains(pv.Methods, m) {
		pv.Method = m
	} else if len(pv.Methods) > 0 {
		pv.Method = pv.Methods[0]
	}
	if st := a.step(r, p.Realm, phoneStep); st.Flow != "" {
		pv.Sent = true
		pv.Via, pv.To, _ = strings.Cut(st.Identifier, " ")
	}
	return pv
}

// maskPhone hides a number in E.164 form as masuk's messages do: the
// country code and first digits, and the last two.
func maskPhone(phone string) string {
	if phone == "" {
		return ""
	}
	if len(phone) < 9 {
		return "****"
	}
	shown := min(6, len(phone)-6)
	return phone[:shown] + strings.Repeat("*", len(phone)-shown-2) + phone[len(phone)-2:]
}

// phoneRequest sends a code to the new number the form gives, by the
// channel it chose; the code step follows on the same page.
func (a *app) phoneRequest(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	v := a.view(r, p.Realm)
	typed := r.PostFormValue("phone")
	v.D["NewPhone"] = typed
	if msg := v.tooLong("sec.phone.new", typed, inputLimits.PhoneNumber()); msg != "" {
		v.fail("phone", msg)
		a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
		return
	}
	started, err := a.auth.Accounts().RequestPhoneChange(r.Context(), auth.PhoneChange{AccountID: p.AccountID, NewPhone: typed,
		Method: auth.Method(r.PostFormValue("method")), Request: a.sessions.Request(r)})
	if a.reauthRequired(w, r, err) {
		return
	}
	if err != nil {
		if v.Errors = a.problems(v, err, fieldIDs{"phone": "phone", "method": "phone"}); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
		return
	}
	a.setStep(w, step{Realm: p.Realm, Purpose: phoneStep, Flow: started.Flow, Identifier: string(started.Method) + " " + started.To})
	http.Redirect(w, r, "/akun/keamanan#ponsel", http.StatusSeeOther)
}

// phoneConfirm completes the change with the code sent to the new number,
// for the flow the step cookie keeps. masuk tells the old number and the
// email address.
func (a *app) phoneConfirm(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	st := a.step(r, p.Realm, phoneStep)
	if st.Flow == "" {
		// The step ended (another change, or an hour passed).
		http.Redirect(w, r, "/akun/keamanan#ponsel", http.StatusSeeOther)
		return
	}
	_, err := a.auth.Accounts().ConfirmPhoneChange(r.Context(), auth.PhoneChangeConfirmation{AccountID: p.AccountID,
		Code: r.PostFormValue("code"), Flow: st.Flow, Request: a.sessions.Request(r)})
	if err != nil {
		v := a.view(r, p.Realm)
		if auth.Classify(err).Code == auth.CodeInvalidToken {
			v.fail("phone-code", v.T("sec.phone.wrongcode"))
		} else if v.Errors = a.problems(v, err, fieldIDs{"code": "phone-code"}); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.renderSecurity(w, r, v, http.StatusUnprocessableEntity)
		return
	}
	a.clearCookie(w, stepCookie)
	http.Redirect(w, r, "/akun/keamanan?ok=phonechanged#ponsel", http.StatusSeeOther)
}

// phoneCancel forgets a change whose code was sent, for another number.
func (a *app) phoneCancel(w http.ResponseWriter, r *http.Request) {
	if a.step(r, principal(r).Realm, phoneStep).Flow != "" {
		a.clearCookie(w, stepCookie)
	}
	http.Redirect(w, r, "/akun/keamanan#ponsel", http.StatusSeeOther)
}

// PhoneNumber is the longest phone number the forms take, as people type
// it: "+62 (812) 3456-7890" with its blanks, dashes and brackets.
func (limits) PhoneNumber() int { return 32 }

// IdentityCheck is the longest note of how an owner's identity was
// checked: masuk keeps 1000 bytes of an event's detail, that many
// characters of up to four bytes each.
func (limits) IdentityCheck() int { return 1000 / 4 }

// reauthNotes give the page what it says of the window: until when the
// password is not asked again, and how long a confirmation lasts.
func (a *app) reauthNotes(v *view, p *auth.Principal, within time.Duration) {
	v.D["ReauthUntil"] = clock(v.Lang, p.ReauthUntil)
	v.D["ReauthFor"] = quantity(v.Lang, max(int(within/time.Minute), 1), "minute")
}

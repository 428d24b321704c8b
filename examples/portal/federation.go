package main

import (
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
)

// "Masuk dengan INApas": logins through INApas, Indonesia's national
// digital identity (an OpenID Connect provider), when -inapas-issuer is
// set. Each realm has its own callback, /<realm>/inapas/kembali, built
// from the base URL and registered at INApas as it is.
//
//   - SAPK links an INApas identity by its "nip" claim, and BPJS by a
//     "kpj" claim, to an account that has no password, and makes one
//     where none exists: both realms let people register themselves, and
//     INApas has checked the person, which the registration form does not.
//     An account with a password is linked while signed in only (masuk's
//     LinkByClaim never hands a squatter's account to the person whose
//     number it names). INApas's claim list is not public: which claims
//     it sends, and under which names, must be confirmed at onboarding
//     (the NIP may arrive under another name, the KPJ not at all); the
//     names here are the portal's assumption.
//   - BPN links only an account that is signed in and proved its
//     password (LinkSignedIn): its partners are notaries and banks, whose
//     accounts are not a citizen's own.
//   - LPSE's accounts are companies', which no person's identity names;
//     operators use passwords and passkeys only.
//
// The start (GET /<realm>/inapas) keeps the binding masuk gives in a
// cookie that only the realm's start and callback receive, for as long as the
// person may take at INApas, beside those of starts in other tabs (at
// most four); the callback takes its own out, whatever the answer.

// inapasName is the provider's name in masuk's requests and events.
const inapasName = "inapas"

// inapasRealms are the realms that log in through INApas, when it is
// configured.
var inapasRealms = map[string]bool{sapkRealm: true, bpjsRealm: true, bpnRealm: true}

// fedCookie is the cookie of a start's binding; fedLoginCookie says that
// the session came from INApas, for the logout.
const (
	fedCookie      = "masuk-inapas"
	fedLoginCookie = "masuk-inapas-sesi"
)

// loadINApas checks the INApas settings and reads the client's key.
func (a *app) loadINApas() error {
	c := a.cfg
	if c.INApasIssuer == "" {
		if c.INApasClientID != "" || c.INApasKeyFile != "" || c.INApasSecret != "" {
			return errors.New("portal: -inapas-client-id, -inapas-key and $MASUK_INAPAS_SECRET need -inapas-issuer")
		}
		return nil
	}
	switch {
	case c.INApasClientID == "":
		return errors.New("portal: -inapas-issuer needs -inapas-client-id")
	case (c.INApasKeyFile == "") == (c.INApasSecret == ""):
		return errors.New("portal: INApas needs exactly one of -inapas-key (private_key_jwt) and $MASUK_INAPAS_SECRET (client_secret_basic)")
	case c.INApasKeyFile != "" && c.INApasKeyID == "":
		return errors.New("portal: -inapas-key needs -inapas-key-id, the key's id in /.well-known/jwks.json")
	}
	if c.INApasKeyFile != "" {
		b, err := os.ReadFile(c.INApasKeyFile)
		if err != nil {
			return fmt.Errorf("portal: -inapas-key: %w", err)
		}
		if a.inapasKey, err = parseECKey(b); err != nil {
			return fmt.Errorf("portal: -inapas-key %s: %w", c.INApasKeyFile, err)
		}
	}
	a.log.Info("portal: INApas logins on", "issuer", c.INApasIssuer, "realms", "sapk bpjs bpn")
	return nil
}

// parseECKey reads a PEM file's EC private key, in SEC 1 ("EC PRIVATE
// KEY", openssl ecparam -genkey) or PKCS #8 ("PRIVATE KEY") form.
func parseECKey(b []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	switch block.Type {
	case "EC PRIVATE KEY":
		return x509.ParseECPrivateKey(block.Bytes)
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		if ec, ok := k.(*ecdsa.PrivateKey); ok {
			return ec, nil
		}
		return nil, errors.New("not an EC key")
	}
	return nil, fmt.Errorf("a PEM block of type %q, not an EC private key", block.Type)
}

// inapasOn reports whether a realm logs in through INApas.
func (a *app) inapasOn(realm string) bool {
	return a.cfg.INApasIssuer != "" && inapasRealms[realm]
}

// federation returns a realm's providers: INApas, where it is on.
func (a *app) federation(realm string) auth.FederationPolicy {
	if !a.inapasOn(realm) {
		return auth.FederationPolicy{}
	}
	c := a.cfg
	p := auth.Provider{
		Name: inapasName, Label: "INApas",
		Issuer: c.INApasIssuer, ClientID: c.INApasClientID,
		ClientKey: a.inapasKey, ClientKeyID: c.INApasKeyID, ClientSecret: c.INApasSecret,
		RedirectURL:   a.link("/" + realm + "/inapas/kembali"),
		PostLogoutURL: a.link("/" + realm + "/masuk?ok=loggedout"),
		AcceptMFA:     c.INApasAcceptMFA,
	}
	switch realm {
	case sapkRealm:
		p.Link, p.UsernameClaim, p.Create = auth.LinkByClaim, "nip", true
	case bpjsRealm:
		p.Link, p.UsernameClaim, p.Create = auth.LinkByClaim, "kpj", true
	}
	return auth.FederationPolicy{Providers: []auth.Provider{p}}
}

// inapasOrigin is the origin of INApas's pages, which the portal's forms
// may lead to (the link's start and the logout redirect there): the
// issuer's. A provider whose authorization or end-session endpoint is on
// another origin needs that origin in the CSP's form-action too.
func (a *app) inapasOrigin() string {
	u, err := url.Parse(a.cfg.INApasIssuer)
	if err != nil || a.cfg.INApasIssuer == "" {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// setBinding keeps a start's binding for the realm's callback, whether
// it links ("l"), verifies the owner ("v") or logs in ("m"), and the page
// a login goes on to: a login's beside the bindings of the logins still
// running in the browser's other tabs (see fedbinding.go).
func (a *app) setBinding(w http.ResponseWriter, r *http.Request, realm, intent, next string, fr *auth.FederationRedirect) {
	logins, link := a.fedJars(realm)
	e := fedEntry{intent: intent, binding: fr.Binding, next: next, key: stateKeyOf(fr.URL), exp: fr.ExpiresAt.Unix()}
	if intent != "m" {
		// A link or a verification starts on the security page, which
		// the login's cookie (its path the realm's INApas pages) does not
		// reach: it keeps its one entry in a cookie of its own.
		a.writeFedEntries(w, link, []fedEntry{e})
		return
	}
	a.writeFedEntries(w, logins, append([]fedEntry{e}, a.fedEntries(r, logins)...))
}

// takeBinding takes the entry of the answer's start (by its state) out of
// its binding cookie, clearing the cookie when it was the last. next is
// a path of the portal, or "".
func (a *app) takeBinding(w http.ResponseWriter, r *http.Request, realm string) (intent, binding, next string) {
	key := stateKey(r.URL.Query().Get("state"))
	if key == "" {
		return "", "", ""
	}
	logins, link := a.fedJars(realm)
	for _, jar := range []fedJar{logins, link} {
		entries := a.fedEntries(r, jar)
		for i, e := range entries {
			if e.key != key {
				continue
			}
			a.writeFedEntries(w, jar, append(entries[:i:i], entries[i+1:]...))
			return e.intent, e.binding, localPath(e.next, "")
		}
	}
	return "", "", ""
}

// fedStart starts a login through INApas: GET /<realm>/inapas.
func (a *app) fedStart(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	fr, err := a.auth.Federation().Begin(r.Context(), auth.FederationStart{Realm: ri.Slug, Provider: inapasName, Request: a.sessions.Request(r)})
	if err != nil {
		a.fedFailed(w, r, ri.Slug, "/"+ri.Slug+"/masuk", err)
		return
	}
	a.setBinding(w, r, ri.Slug, "m", localPath(r.URL.Query().Get("next"), ""), fr)
	http.Redirect(w, r, fr.URL, http.StatusSeeOther)
}

// fedLink starts linking INApas to the signed-in account, after its
// password or the page's recent confirmation: POST /akun/keamanan/inapas.
func (a *app) fedLink(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !a.inapasOn(p.Realm) {
		a.notFound(w, r)
		return
	}
	fr, err := a.auth.Federation().Begin(r.Context(), auth.FederationStart{Realm: p.Realm, Provider: inapasName,
		AccountID: p.AccountID, Password: r.PostFormValue("password"), Request: a.sessions.Request(r)})
	if err != nil {
		a.fedSecurityError(w, r, err)
		return
	}
	a.setBinding(w, r, p.Realm, "l", "", fr)
	http.Redirect(w, r, fr.URL, http.StatusSeeOther)
}

// fedUnlink removes INApas from the account: POST
// /akun/keamanan/inapas/putuskan.
func (a *app) fedUnlink(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !a.inapasOn(p.Realm) {
		a.notFound(w, r)
		return
	}
	err := a.auth.Federation().Unlink(r.Context(), auth.FederationUnlink{AccountID: p.AccountID, Provider: inapasName,
		Password: r.PostFormValue("password"), Request: a.sessions.Request(r)})
	if err != nil {
		a.fedSecurityError(w, r, err)
		return
	}
	http.Redirect(w, r, "/akun/keamanan?ok=unlinked#inapas", http.StatusSeeOther)
}

// fedSecurityError shows a refused link or unlink on the INApas section
// of the security page.
func (a *app) fedSecurityError(w http.ResponseWriter, r *http.Request, err error) {
	if a.reauthRequired(w, r, err) {
		return
	}
	v := a.view(r, principal(r).Realm)
	if v.Errors = a.problems(v, err, nil); v.Errors == nil {
		a.fail(w, r, err)
		return
	}
	for i := range v.Errors {
		v.Errors[i].Field = "inapas"
	}
	a.renderSecurity(w, r, v, auth.Classify(err).Status)
}

// fedCallback takes INApas's answer: GET /<realm>/inapas/kembali, with
// "code", "state", "iss" or "error", and the binding's cookie, which it
// clears. A login ends as one with the password does; a link goes back
// to the security page.
func (a *app) fedCallback(w http.ResponseWriter, r *http.Request) {
	ri, ok := a.realm(w, r)
	if !ok {
		return
	}
	intent, binding, next := a.takeBinding(w, r, ri.Slug)
	q := r.URL.Query()
	cb := auth.FederationCallback{
		Realm: ri.Slug, Provider: inapasName,
		Code: q.Get("code"), State: q.Get("state"), Issuer: q.Get("iss"), Error: q.Get("error"),
		Binding: binding, Request: a.sessions.Request(r),
	}
	if p := principal(r); (intent == "l" || intent == "v") && p != nil {
		// A link, or a verification ("v"), completes for the signed-in
		// account that began it (the session cookie is SameSite=Lax, so
		// the provider's redirect carries it); masuk refuses any other.
		cb.AccountID, cb.Reauthenticate = p.AccountID, intent == "v"
	}
	res, err := a.auth.Federation().Callback(r.Context(), cb)
	back := "/" + ri.Slug + "/masuk"
	if intent == "l" || intent == "v" {
		back = "/akun/keamanan#inapas"
	}
	var sfr *auth.SecondFactorRequired
	var enr *auth.EnrollmentRequired
	switch {
	case err == nil && res.Reauthenticated:
		http.Redirect(w, r, "/akun/keamanan?ok=verified", http.StatusSeeOther)
	case err == nil && res.Login == nil:
		http.Redirect(w, r, "/akun/keamanan?ok=linked#inapas", http.StatusSeeOther)
	case err == nil:
		if !a.beginSession(w, r, res.Login) {
			return
		}
		// The session came from INApas: the logout goes there too.
		a.setCookie(w, fedLoginCookie, ri.Slug, time.Time{})
		http.Redirect(w, r, afterLogin(ri.Slug, next), http.StatusSeeOther)
	case errors.As(err, &sfr):
		// As toSecondStep, and the page says that INApas, not the
		// password, was right.
		a.setCookie(w, "masuk-2fa", sfr.Pending, sfr.ExpiresAt)
		http.Redirect(w, r, "/"+ri.Slug+"/verifikasi?m="+methodList(sfr.Methods)+"&next="+url.QueryEscape(next)+"&via="+inapasName, http.StatusSeeOther)
	case errors.As(err, &enr):
		a.setEnrollment(w, enr)
		http.Redirect(w, r, enrollChoice(ri.Slug, next), http.StatusSeeOther)
	default:
		a.fedFailed(w, r, ri.Slug, back, err)
	}
}

// fedFailed answers a start or an answer that logs nobody in, on a page
// that says why and leads back.
func (a *app) fedFailed(w http.ResponseWriter, r *http.Request, realm, back string, err error) {
	v := a.view(r, realm)
	o := auth.Classify(err)
	var text string
	switch o.Code {
	case auth.CodeNotLinked:
		text = v.Tf("fed.notlinked", v.IDName())
	case auth.CodeFederationRefused:
		text = v.T("fed.refused")
	default:
		ps := a.problems(v, err, nil)
		if ps == nil {
			a.fail(w, r, err)
			return
		}
		text = ps[0].Text
	}
	link := v.T("fed.back.login")
	if strings.HasPrefix(back, "/akun") {
		link = v.T("fed.back.security")
	}
	a.message(w, r, realm, o.Status, v.T("fed.failed"), text, back, link)
}

// jwks serves the public keys of the portal's INApas client
// (private_key_jwt), at the URL registered at INApas.
func (a *app) jwks(w http.ResponseWriter, r *http.Request) {
	b, err := a.auth.JWKS()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jwk-set+json")
	w.Header().Set("Cache-Control", "max-age=300")
	_, _ = w.Write(b)
}

// fedLogoutURL is where the logout goes on to when the session came from
// INApas and INApas has an end_session_endpoint; "" otherwise. It clears
// the cookie that said so.
func (a *app) fedLogoutURL(w http.ResponseWriter, r *http.Request, realm string) string {
	if a.cookie(r, fedLoginCookie) == "" {
		return ""
	}
	a.clearCookie(w, fedLoginCookie)
	if a.cookie(r, fedLoginCookie) != realm || !a.inapasOn(realm) {
		return ""
	}
	u, err := a.auth.Federation().LogoutURL(r.Context(), auth.FederationLogout{Realm: realm, Provider: inapasName})
	if err != nil {
		a.log.WarnContext(r.Context(), "portal: INApas's logout URL", "error", err)
		return ""
	}
	return u
}

package main

import (
	"net/http"

	"github.com/masuk-id/masuk/auth"
)

// An account INApas made has no password: where the security page would
// ask for the password, it asks the person to verify with INApas
// instead (a fresh sign-in there, masuk's re-authentication through the
// provider), and it offers to set a first password, after which the
// account logs in without INApas too and may unlink it.

// fedReauthField is the id of the verification's button, for its errors.
const fedReauthField = "inapas-reauth"

// firstPasswordField is the id of the first password's input.
const firstPasswordField = "first-password"

// reauthMessages are the security page's texts for an account without a
// password.
var reauthMessages = map[string][2]string{
	"fed.reauth.title":   {"Verifikasi dengan INApas", "Verify with INApas"},
	"fed.reauth.intro":   {"Akun ini belum memiliki kata sandi. Untuk mengubah pengaturan keamanan, masuk sekali lagi di INApas. Setelah itu, selama %s Anda tidak ditanya lagi.", "This account has no password yet. To change your security settings, sign in at INApas once more. You will not be asked again for %s."},
	"fed.reauth.button":  {"Verifikasi dengan INApas", "Verify with INApas"},
	"fed.reauth.note":    {"Formulir di bawah ini dapat dipakai setelah Anda memverifikasi diri dengan INApas.", "The forms below can be used once you have verified with INApas."},
	"fed.reauth.until":   {"Anda sudah terverifikasi: perubahan di halaman ini tidak memerlukan verifikasi lagi sampai pukul %s.", "You are verified: changes on this page need no verification until %s."},
	"fed.reauth.expired": {"Verifikasi Anda berakhir sebelum formulir dikirim, jadi tidak ada yang diubah. Verifikasi lagi dengan INApas, lalu ulangi.", "Your verification ended before the form was sent, so nothing was changed. Verify with INApas again, then try once more."},
	"fed.reauth.done":    {"Anda sudah terverifikasi dengan INApas.", "You are verified with INApas."},
	"fed.pw.title":       {"Kata sandi", "Password"},
	"fed.pw.intro":       {"Akun ini dibuat melalui INApas dan belum memiliki kata sandi. Buat kata sandi agar Anda juga dapat masuk tanpa INApas.", "This account was made through INApas and has no password yet. Set a password so that you can also log in without INApas."},
	"fed.pw.new":         {"Kata sandi baru", "New password"},
	"fed.pw.button":      {"Buat kata sandi", "Set a password"},
	"fed.pw.done":        {"Kata sandi telah dibuat. Mulai sekarang Anda dapat masuk dengan nama pengguna dan kata sandi ini.", "Your password is set. You can now log in with your username and this password."},
}

// noPassword reports whether the signed-in account has no password and
// can verify with INApas instead: it was made through INApas, and the
// realm logs in through INApas.
func (a *app) noPassword(r *http.Request) (bool, error) {
	p := principal(r)
	if !a.inapasOn(p.Realm) {
		return false, nil
	}
	has, err := a.auth.Accounts().HasPassword(r.Context(), p.AccountID)
	return !has, err
}

// fedReauth starts the verification with INApas of the signed-in owner,
// in this session: POST /akun/keamanan/inapas/verifikasi. No password.
func (a *app) fedReauth(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	if !a.inapasOn(p.Realm) {
		a.notFound(w, r)
		return
	}
	fr, err := a.auth.Federation().Begin(r.Context(), auth.FederationStart{Realm: p.Realm, Provider: inapasName,
		AccountID: p.AccountID, Reauthenticate: true, Request: a.sessions.Request(r)})
	if err != nil {
		a.fedSecurityError(w, r, err)
		return
	}
	a.setBinding(w, r, p.Realm, "v", "", fr)
	http.Redirect(w, r, fr.URL, http.StatusSeeOther)
}

// firstPassword sets the first password of an account INApas made, after
// the verification: POST /akun/keamanan/kata-sandi. The session goes on.
func (a *app) firstPassword(w http.ResponseWriter, r *http.Request) {
	p := principal(r)
	err := a.auth.Accounts().SetFirstPassword(r.Context(), auth.FirstPassword{AccountID: p.AccountID,
		New: r.PostFormValue("password"), Request: a.sessions.Request(r)})
	if a.reauthRequired(w, r, err) {
		return
	}
	if err != nil {
		v := a.view(r, p.Realm)
		if v.Errors = a.problems(v, err, fieldIDs{"password": firstPasswordField}); v.Errors == nil {
			a.fail(w, r, err)
			return
		}
		a.renderSecurity(w, r, v, auth.Classify(err).Status)
		return
	}
	http.Redirect(w, r, "/akun/keamanan?ok=passwordset", http.StatusSeeOther)
}

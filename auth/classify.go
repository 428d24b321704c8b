package auth

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// Code is a stable, machine-readable name of what an error means, for an
// API's clients and a page's logic: "invalid_credentials", "locked",
// "policy". Codes never change meaning; new ones may appear.
type Code string

// The codes Classify gives.
const (
	CodeInvalidCredentials     Code = "invalid_credentials"
	CodeWrongPassword          Code = "wrong_password"
	CodePendingConfirmation    Code = "pending_confirmation"
	CodePendingApproval        Code = "pending_approval"
	CodeLocked                 Code = "locked"
	CodeThrottled              Code = "throttled"
	CodeCooldown               Code = "cooldown"
	CodeCaptchaRequired        Code = "captcha_required"
	CodeCaptchaInvalid         Code = "captcha_invalid"
	CodeSecondFactorRequired   Code = "second_factor_required"
	CodeEnrollmentRequired     Code = "enrollment_required"
	CodeNoPendingLogin         Code = "login_expired"
	CodeInvalidCode            Code = "invalid_code"
	CodeMethodUnavailable      Code = "method_unavailable"
	CodeNoUsableFactor         Code = "no_usable_factor"
	CodeTooManyFactors         Code = "too_many_factors"
	CodeFactorsUnavailable     Code = "factors_unavailable"
	CodeLastFactor             Code = "last_factor"
	CodePasskeyRefused         Code = "passkey_refused"
	CodePasskeysUnavailable    Code = "passkeys_unavailable"
	CodeFederationRefused      Code = "federation_refused"
	CodeUnknownProvider        Code = "unknown_provider"
	CodeNotLinked              Code = "not_linked"
	CodeAlreadyLinked          Code = "already_linked"
	CodeLastWayIn              Code = "last_way_in"
	CodeHasPassword            Code = "has_password"
	CodeInvalidToken           Code = "invalid_token"
	CodePolicy                 Code = "policy"
	CodeUsernameInvalid        Code = "username_invalid"
	CodeEmailInvalid           Code = "email_invalid"
	CodeEmailRequired          Code = "email_required"
	CodePhoneInvalid           Code = "phone_invalid"
	CodePhoneSame              Code = "phone_same"
	CodeReauthRequired         Code = "reauth_required"
	CodeIdentityCheckRequired  Code = "identity_check_required"
	CodeFieldInvalid           Code = "field_invalid"
	CodeAccountExists          Code = "account_exists"
	CodeConcurrentChange       Code = "concurrent_change"
	CodeWrongState             Code = "wrong_state"
	CodeReasonRequired         Code = "reason_required"
	CodeOutOfScope             Code = "out_of_scope"
	CodeSelfAction             Code = "self_action"
	CodeUnauthenticated        Code = "unauthenticated"
	CodeUnknownRealm           Code = "unknown_realm"
	CodeNotFound               Code = "not_found"
	CodeBusy                   Code = "busy"
	CodeBreachCheckUnavailable Code = "breach_check_unavailable"
	CodeNotConfigured          Code = "not_configured"
	CodeUnavailable            Code = "unavailable"
)

// Outcome is what an error means to whoever caused it and to an API: a
// stable code, an HTTP status, the form fields it concerns, when to try
// again, and a message in Indonesian or English.
type Outcome struct {
	// Code names the outcome.
	Code Code
	// Status is the HTTP status an API answers with: 4xx for anything a
	// person can cause (403 for second factors a realm does not offer),
	// 501 for a feature the host did not set up (ErrNotConfigured), 503
	// for a store or service that failed or a hasher that is busy, 500
	// for a configuration the host must fix (ErrConfig).
	Status int
	// Fields are the form fields the error concerns ("username",
	// "password", "email", "code", "captcha", "profile.company"), for a
	// page that marks them; empty when it concerns the whole request.
	Fields []string
	// RetryAt, for a lock, a throttle or a cooldown, is when to try again;
	// zero when no wait helps (a lock only an operator ends).
	RetryAt time.Time
	// Permanent, for a lock, means only an operator ends it.
	Permanent bool
	// Remaining, for a wrong password, is how many more failures the
	// username's lock allows (0: the next attempt is refused until the
	// lock ends), for a warning before the lock; -1 when unknown.
	Remaining int

	err error
	msg [2]string // id, en
}

// Message returns the outcome for the person who caused it, in Indonesian
// ("id", also for "") or English ("en"): every rule a password breaks, the
// part of a national number that is wrong, whether only the helpdesk ends
// a lock. It never repeats what the person typed, and it names no time:
// RetryAt says until when, for the page to show in its own time zone.
func (o Outcome) Message(locale string) string {
	en := locale == "en" || (len(locale) > 2 && locale[:3] == "en-")
	lang := "id"
	if en {
		lang = "en"
	}
	var pe *password.PolicyError
	var ie *identifiers.Error
	var fe *FieldError
	switch {
	case errors.As(o.err, &pe):
		msg := o.msg[b2i(en)]
		for _, v := range pe.Violations {
			msg += " " + v.Message(lang)
		}
		return msg
	case errors.As(o.err, &ie):
		return ie.Message(lang)
	case errors.As(o.err, &fe):
		return fe.Message(lang)
	}
	return o.msg[b2i(en)]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Unwrap returns the error classified.
func (o Outcome) Unwrap() error { return o.err }

// outcomes maps the sentinels a caller can meet to their outcome, first
// match wins; the typed errors (locks, throttles, policy, identifiers,
// fields) are handled before.
var outcomes = []struct {
	err    error
	code   Code
	status int
	fields []string
	id, en string
}{
	{ErrReauthRequired, CodeReauthRequired, http.StatusUnauthorized, []string{"password"}, "Masukkan kata sandi Anda untuk melanjutkan.", "Enter your password to continue."},
	{ErrWrongPassword, CodeWrongPassword, http.StatusUnauthorized, []string{"password"}, "Kata sandi salah.", "Wrong password."},
	{ErrInvalidCredentials, CodeInvalidCredentials, http.StatusUnauthorized, []string{"username", "password"}, "Nama pengguna atau kata sandi salah.", "Wrong username or password."},
	{ErrPendingConfirmation, CodePendingConfirmation, http.StatusForbidden, nil, "Alamat email belum dikonfirmasi. Periksa email Anda.", "The email address is not confirmed yet. Check your email."},
	{ErrPendingApproval, CodePendingApproval, http.StatusForbidden, nil, "Pendaftaran sedang menunggu persetujuan operator.", "The registration is awaiting an operator's approval."},
	{ErrCaptchaRequired, CodeCaptchaRequired, http.StatusUnauthorized, []string{"captcha"}, "Selesaikan captcha terlebih dahulu.", "Solve the captcha first."},
	{ErrCaptchaInvalid, CodeCaptchaInvalid, http.StatusUnauthorized, []string{"captcha"}, "Jawaban captcha salah. Coba captcha yang baru.", "The captcha answer is wrong. Try the new one."},
	{ErrSecondFactorRequired, CodeSecondFactorRequired, http.StatusUnauthorized, nil, "Masukkan kode verifikasi.", "Enter your verification code."},
	{ErrEnrollmentRequired, CodeEnrollmentRequired, http.StatusUnauthorized, nil, "Akun ini wajib memakai verifikasi dua langkah. Daftarkan satu metode untuk melanjutkan.", "This account must use two-step verification. Set up a method to continue."},
	{ErrNoPendingLogin, CodeNoPendingLogin, http.StatusUnauthorized, nil, "Sesi masuk berakhir. Silakan masuk kembali.", "The login has expired. Please log in again."},
	{ErrInvalidCode, CodeInvalidCode, http.StatusUnauthorized, []string{"code"}, "Kode salah atau sudah kedaluwarsa.", "The code is wrong or has expired."},
	{ErrFederationRefused, CodeFederationRefused, http.StatusUnauthorized, nil, "Masuk melalui penyedia identitas tidak berhasil. Silakan coba lagi.", "Signing in through the identity provider did not succeed. Please try again."},
	{ErrUnknownProvider, CodeUnknownProvider, http.StatusNotFound, nil, "Penyedia identitas tidak dikenal di portal ini.", "This portal does not know that identity provider."},
	{ErrNotLinked, CodeNotLinked, http.StatusForbidden, nil, "Identitas ini belum terhubung ke akun di portal ini. Masuk dengan kata sandi, lalu hubungkan di halaman keamanan akun.", "This identity is not linked to an account on this portal yet. Log in with your password, then link it on your account's security page."},
	{ErrAlreadyLinked, CodeAlreadyLinked, http.StatusConflict, nil, "Identitas ini sudah terhubung ke akun lain, atau akun ini sudah terhubung ke penyedia tersebut.", "This identity is already linked to another account, or this account is already linked to that provider."},
	{ErrLastWayIn, CodeLastWayIn, http.StatusConflict, nil, "Ini satu-satunya cara masuk ke akun Anda. Buat kata sandi terlebih dahulu.", "This is the only way into your account. Set a password first."},
	{ErrHasPassword, CodeHasPassword, http.StatusConflict, nil, "Akun ini sudah memiliki kata sandi. Ubah kata sandi dengan memasukkan kata sandi saat ini.", "This account already has a password. Change it by entering the current one."},
	{ErrPasskeyRefused, CodePasskeyRefused, http.StatusUnauthorized, nil, "Passkey tidak diterima. Coba lagi, atau masuk dengan kata sandi.", "The passkey was not accepted. Try again, or log in with your password."},
	{ErrMethodUnavailable, CodeMethodUnavailable, http.StatusBadRequest, []string{"method"}, "Metode verifikasi ini tidak tersedia.", "This verification method is not available."},
	{ErrSecondFactorUnavailable, CodeNoUsableFactor, http.StatusForbidden, nil, "Tidak ada metode verifikasi yang dapat dipakai. Hubungi petugas.", "No verification method can be used. Contact the helpdesk."},
	{ErrTooManyFactors, CodeTooManyFactors, http.StatusConflict, nil, "Akun ini sudah memiliki terlalu banyak metode verifikasi. Hapus satu terlebih dahulu.", "This account has too many verification methods. Remove one first."},
	{ErrLastFactor, CodeLastFactor, http.StatusConflict, nil, "Portal ini mewajibkan verifikasi dua langkah. Tambahkan metode lain sebelum menghapus yang terakhir.", "This portal requires two-step verification. Add another method before removing the last one."},
	{ErrInvalidToken, CodeInvalidToken, http.StatusBadRequest, []string{"code"}, "Tautan atau kode tidak valid, sudah digunakan, atau kedaluwarsa.", "The link or code is invalid, used or expired."},
	{secret.ErrWrongToken, CodeInvalidToken, http.StatusBadRequest, []string{"code"}, "Tautan atau kode tidak valid, sudah digunakan, atau kedaluwarsa.", "The link or code is invalid, used or expired."},
	{secret.ErrInvalidCode, CodeInvalidCode, http.StatusUnauthorized, []string{"code"}, "Kode salah atau sudah kedaluwarsa.", "The code is wrong or has expired."},
	{secret.ErrWrongCode, CodeInvalidCode, http.StatusUnauthorized, []string{"code"}, "Kode salah atau sudah kedaluwarsa.", "The code is wrong or has expired."},
	{totp.ErrInvalidCode, CodeInvalidCode, http.StatusUnauthorized, []string{"code"}, "Kode salah atau sudah kedaluwarsa.", "The code is wrong or has expired."},
	{totp.ErrWrongCode, CodeInvalidCode, http.StatusUnauthorized, []string{"code"}, "Kode salah atau sudah kedaluwarsa.", "The code is wrong or has expired."},
	{password.ErrPolicy, CodePolicy, http.StatusUnprocessableEntity, []string{"password"}, "Kata sandi tidak memenuhi ketentuan:", "The password does not meet the rules:"},
	{password.ErrTooLong, CodePolicy, http.StatusUnprocessableEntity, []string{"password"}, "Kata sandi terlalu panjang.", "The password is too long."},
	{password.ErrEmpty, CodePolicy, http.StatusUnprocessableEntity, []string{"password"}, "Kata sandi wajib diisi.", "A password is required."},
	{password.ErrMismatch, CodeInvalidCredentials, http.StatusUnauthorized, []string{"username", "password"}, "Nama pengguna atau kata sandi salah.", "Wrong username or password."},
	{ErrInvalidUsername, CodeUsernameInvalid, http.StatusUnprocessableEntity, []string{"username"}, "Nama pengguna tidak valid.", "The username is not valid."},
	{ErrInvalidEmail, CodeEmailInvalid, http.StatusUnprocessableEntity, []string{"email"}, "Alamat email tidak valid.", "The email address is not valid."},
	{ErrEmailRequired, CodeEmailRequired, http.StatusUnprocessableEntity, []string{"email"}, "Alamat email wajib diisi.", "An email address is required."},
	{ErrInvalidField, CodeFieldInvalid, http.StatusUnprocessableEntity, nil, "Isian tidak valid.", "A field is not valid."},
	{totp.ErrInvalidLabel, CodeFieldInvalid, http.StatusUnprocessableEntity, []string{"label"}, "Nama perangkat tidak valid.", "The device name is not valid."},
	{notify.ErrInvalidRecipient, CodeFieldInvalid, http.StatusUnprocessableEntity, nil, "Alamat tujuan tidak valid.", "The address to send to is not valid."},
	{ErrInvalidPhone, CodePhoneInvalid, http.StatusUnprocessableEntity, []string{"phone"}, "Nomor ponsel tidak valid.", "The mobile number is not valid."},
	{ErrSamePhone, CodePhoneSame, http.StatusUnprocessableEntity, []string{"phone"}, "Nomor ini sudah menjadi nomor ponsel akun Anda.", "This is already your account's mobile number."},
	{ErrAccountExists, CodeAccountExists, http.StatusConflict, []string{"username", "email"}, "Akun dengan nama pengguna atau email ini sudah ada.", "An account with this username or email already exists."},
	{ErrConcurrentChange, CodeConcurrentChange, http.StatusConflict, nil, "Kata sandi baru saja diubah. Muat ulang dan coba lagi.", "The password was just changed. Reload and try again."},
	{store.ErrConflict, CodeConcurrentChange, http.StatusConflict, nil, "Data ini baru saja diubah. Muat ulang dan coba lagi.", "This was just changed. Reload and try again."},
	{store.ErrStale, CodeConcurrentChange, http.StatusConflict, nil, "Data ini baru saja diubah. Muat ulang dan coba lagi.", "This was just changed. Reload and try again."},
	{store.ErrInvalid, CodeFieldInvalid, http.StatusUnprocessableEntity, nil, "Isian tidak valid.", "A field is not valid."},
	{store.ErrCapacity, CodeThrottled, http.StatusTooManyRequests, nil, "Terlalu banyak permintaan. Coba lagi nanti.", "Too many requests. Try again later."},
	{lockout.ErrLocked, CodeLocked, http.StatusTooManyRequests, nil, "Terlalu banyak percobaan gagal. Coba lagi nanti.", "Too many failed attempts. Try again later."},
	{lockout.ErrThrottled, CodeThrottled, http.StatusTooManyRequests, nil, "Terlalu banyak permintaan. Coba lagi nanti.", "Too many requests. Try again later."},
	{store.ErrCooldown, CodeCooldown, http.StatusTooManyRequests, nil, "Tunggu sebentar sebelum meminta kode baru.", "Wait a moment before asking for a new code."},
	{ErrWrongState, CodeWrongState, http.StatusConflict, nil, "Tindakan ini tidak berlaku untuk akun dalam keadaan ini.", "This action does not apply to an account in this state."},
	{ErrIdentityCheckRequired, CodeIdentityCheckRequired, http.StatusUnprocessableEntity, []string{"identity_check"}, "Catat cara identitas pemilik akun diperiksa.", "Record how the account owner's identity was checked."},
	{ErrReasonRequired, CodeReasonRequired, http.StatusUnprocessableEntity, []string{"reason"}, "Alasan wajib diisi.", "A reason is required."},
	{ErrOutOfScope, CodeOutOfScope, http.StatusForbidden, nil, "Akun ini berada di luar portal yang Anda kelola.", "This account is outside the portals you manage."},
	{ErrSelfAction, CodeSelfAction, http.StatusForbidden, nil, "Operator tidak dapat melakukan tindakan ini pada akunnya sendiri.", "An operator cannot do this to their own account."},
	{ErrNoSession, CodeUnauthenticated, http.StatusUnauthorized, nil, "Silakan masuk terlebih dahulu.", "Please log in first."},
	{ErrUnknownRealm, CodeUnknownRealm, http.StatusNotFound, nil, "Portal tidak dikenal.", "Unknown portal."},
	{ErrInvalidRealm, CodeUnknownRealm, http.StatusNotFound, nil, "Portal tidak dikenal.", "Unknown portal."},
	{store.ErrNotFound, CodeNotFound, http.StatusNotFound, nil, "Tidak ditemukan.", "Not found."},
	{password.ErrBusy, CodeBusy, http.StatusServiceUnavailable, nil, "Layanan sedang sibuk. Coba lagi sebentar lagi.", "The service is busy. Try again in a moment."},
	{password.ErrBreachUnavailable, CodeBreachCheckUnavailable, http.StatusServiceUnavailable, []string{"password"}, "Pemeriksaan kata sandi sedang tidak tersedia. Coba lagi sebentar lagi.", "The password check is unavailable. Try again in a moment."},
	{ErrPasskeysUnavailable, CodePasskeysUnavailable, http.StatusForbidden, nil, "Passkey tidak tersedia di portal ini.", "Passkeys are not available on this portal."},
	{ErrFactorsUnavailable, CodeFactorsUnavailable, http.StatusForbidden, nil, "Verifikasi dua langkah tidak tersedia di portal ini.", "Two-step verification is not available on this portal."},
	{ErrNotConfigured, CodeNotConfigured, http.StatusNotImplemented, nil, "Fitur ini tidak tersedia di portal ini.", "This feature is not available on this portal."},
}

// Classify says what err, returned by any method of this package, means:
// its code, HTTP status, the fields it concerns, when to try again, and a
// message in Indonesian and English. Outcomes a person can cause are 4xx
// (a busy hasher is 503: try again); a store or service that failed, or
// anything Classify does not know, is 503 "unavailable", whose message
// tells nothing of the cause (that belongs in the server's log). A nil err
// is a zero Outcome.
func Classify(err error) Outcome {
	if err == nil {
		return Outcome{}
	}
	o := Outcome{err: err, Remaining: -1}
	var cred *CredentialsError
	if errors.As(err, &cred) {
		o.Remaining = cred.Remaining
	}
	var le *lockout.LockedError
	var te *lockout.ThrottledError
	var ce *store.CooldownError
	var ie *identifiers.Error
	var ue *UsernameError
	var fe *FieldError
	var rej CaptchaRejection
	if errors.As(err, &rej) && rej.CaptchaRejected() {
		err = ErrCaptchaInvalid // a checker's rejection, met outside auth
	}
	switch {
	case errors.As(err, &le):
		o.Code, o.Status, o.Permanent = CodeLocked, http.StatusTooManyRequests, le.Permanent
		if le.Permanent {
			o.msg = [2]string{"Akun terkunci. Hubungi petugas untuk membukanya.", "The account is locked. Contact the helpdesk to unlock it."}
		} else {
			o.RetryAt = le.Until
			o.msg = [2]string{"Terlalu banyak percobaan gagal. Coba lagi nanti.", "Too many failed attempts. Try again later."}
		}
		return o
	case errors.As(err, &te):
		o.Code, o.Status, o.RetryAt = CodeThrottled, http.StatusTooManyRequests, te.RetryAt
		o.msg = [2]string{"Terlalu banyak permintaan. Coba lagi nanti.", "Too many requests. Try again later."}
		return o
	case errors.As(err, &ce):
		o.Code, o.Status, o.RetryAt = CodeCooldown, http.StatusTooManyRequests, ce.Until
		o.msg = [2]string{"Tunggu sebentar sebelum meminta kode baru.", "Wait a moment before asking for a new code."}
		return o
	case errors.Is(err, ErrInvalidPhone):
		// Before the identifiers' case: a phone number's *identifiers.Error
		// concerns the phone field, not the username.
		o.Code, o.Status, o.Fields = CodePhoneInvalid, http.StatusUnprocessableEntity, []string{"phone"}
		o.msg = [2]string{"Nomor ponsel tidak valid.", "The mobile number is not valid."}
		return o
	case errors.As(err, &ie), errors.As(err, &ue):
		o.Code, o.Status, o.Fields = CodeUsernameInvalid, http.StatusUnprocessableEntity, []string{"username"}
		o.msg = [2]string{"Nama pengguna tidak valid.", "The username is not valid."}
		return o
	case errors.As(err, &fe):
		o.Code, o.Status, o.Fields = CodeFieldInvalid, http.StatusUnprocessableEntity, []string{fe.Field}
		return o
	}
	for _, c := range outcomes {
		if errors.Is(err, c.err) {
			// A copy: the table is shared, the caller's Outcome is its own.
			o.Code, o.Status, o.Fields, o.msg = c.code, c.status, slices.Clone(c.fields), [2]string{c.id, c.en}
			return o
		}
	}
	o.Code, o.Status = CodeUnavailable, http.StatusServiceUnavailable
	if errors.Is(err, ErrConfig) {
		o.Status = http.StatusInternalServerError
	}
	o.msg = [2]string{"Layanan sedang tidak tersedia. Coba lagi nanti.", "The service is unavailable. Try again later."}
	return o
}

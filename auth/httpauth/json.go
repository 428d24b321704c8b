package httpauth

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// WriteJSON writes v as JSON with the status code, marked not to be cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error is the JSON body WriteError writes.
type Error struct {
	// Code is stable, for programs: "invalid_credentials", "locked",
	// "second_factor_required", ...
	Code string `json:"error"`
	// Message is for people, in Indonesian and English.
	Message map[string]string `json:"message"`
	// RetryAfter, for "locked" and "throttled", is when to try again;
	// zero for a lock only an operator ends.
	RetryAfter time.Time `json:"retry_after,omitzero"`
	// SecondFactor, for "second_factor_required", lists the methods and
	// when the pending login ends. The pending login itself is never
	// written: keep it server-side.
	SecondFactor *auth.SecondFactorRequired `json:"second_factor,omitempty"`
	// Violations, for "password_policy", lists every rule the password
	// breaks, in both languages.
	Violations []map[string]string `json:"violations,omitempty"`
}

// errorCodes maps the outcomes of package auth to an HTTP status, a code
// and a message.
var errorCodes = []struct {
	err    error
	status int
	code   string
	id, en string
}{
	{auth.ErrInvalidCredentials, http.StatusUnauthorized, "invalid_credentials", "Nama pengguna atau kata sandi salah.", "Wrong username or password."},
	{auth.ErrNoSession, http.StatusUnauthorized, "unauthenticated", "Silakan masuk terlebih dahulu.", "Please log in first."},
	{lockout.ErrLocked, http.StatusTooManyRequests, "locked", "Terlalu banyak percobaan gagal. Coba lagi nanti.", "Too many failed attempts. Try again later."},
	{lockout.ErrThrottled, http.StatusTooManyRequests, "throttled", "Terlalu banyak permintaan. Coba lagi nanti.", "Too many requests. Try again later."},
	{store.ErrCooldown, http.StatusTooManyRequests, "cooldown", "Tunggu sebentar sebelum meminta kode baru.", "Wait a moment before asking for a new code."},
	{auth.ErrSecondFactorRequired, http.StatusUnauthorized, "second_factor_required", "Masukkan kode verifikasi.", "Enter your verification code."},
	{auth.ErrNoPendingLogin, http.StatusUnauthorized, "login_expired", "Sesi masuk berakhir. Silakan masuk kembali.", "The login has expired. Please log in again."},
	{auth.ErrInvalidCode, http.StatusUnauthorized, "invalid_code", "Kode salah atau sudah kedaluwarsa.", "The code is wrong or has expired."},
	{auth.ErrInvalidToken, http.StatusBadRequest, "invalid_token", "Tautan atau kode tidak valid atau sudah kedaluwarsa.", "The link or code is invalid or has expired."},
	{auth.ErrPendingConfirmation, http.StatusForbidden, "pending_confirmation", "Alamat email belum dikonfirmasi.", "The email address is not confirmed yet."},
	{auth.ErrPendingApproval, http.StatusForbidden, "pending_approval", "Pendaftaran sedang menunggu persetujuan operator.", "The registration is awaiting an operator's approval."},
	{auth.ErrCaptchaRequired, http.StatusUnauthorized, "captcha_required", "Selesaikan captcha terlebih dahulu.", "Solve the captcha first."},
	{auth.ErrCaptchaInvalid, http.StatusUnauthorized, "captcha_invalid", "Jawaban captcha salah.", "The captcha answer is wrong."},
	{password.ErrBusy, http.StatusServiceUnavailable, "busy", "Layanan sedang sibuk. Coba lagi sebentar lagi.", "The service is busy. Try again in a moment."},
	{password.ErrPolicy, http.StatusUnprocessableEntity, "password_policy", "Kata sandi tidak memenuhi ketentuan.", "The password does not meet the rules."},
	{auth.ErrMethodUnavailable, http.StatusBadRequest, "method_unavailable", "Metode verifikasi ini tidak tersedia.", "This verification method is not available."},
	{store.ErrNotFound, http.StatusNotFound, "not_found", "Tidak ditemukan.", "Not found."},
	{auth.ErrWrongState, http.StatusConflict, "wrong_state", "Akun tidak dalam keadaan yang sesuai untuk tindakan ini.", "The account is not in a state this action applies to."},
	{auth.ErrConcurrentChange, http.StatusConflict, "concurrent_change", "Kata sandi baru saja diubah. Muat ulang dan coba lagi.", "The password was just changed. Reload and try again."},
	{auth.ErrUnknownRealm, http.StatusNotFound, "unknown_realm", "Portal tidak dikenal.", "Unknown portal."},
}

// WriteError answers err as JSON: the outcomes of package auth get their
// own status and code (a lock 429 with Retry-After, a wrong password 401,
// ...), with a message in Indonesian and English and nothing more than
// the outcome tells; any other error, a store or configuration failure, is
// a 503 that says only "unavailable" (the detail belongs in the server's
// log, not to the client).
func WriteError(w http.ResponseWriter, err error) {
	body := Error{Code: "unavailable", Message: map[string]string{
		"id": "Layanan sedang tidak tersedia. Coba lagi nanti.", "en": "The service is unavailable. Try again later."}}
	status := http.StatusServiceUnavailable
	for _, c := range errorCodes {
		if errors.Is(err, c.err) {
			status, body.Code, body.Message = c.status, c.code, map[string]string{"id": c.id, "en": c.en}
			break
		}
	}
	var le *lockout.LockedError
	var te *lockout.ThrottledError
	var ce *store.CooldownError
	var sfr *auth.SecondFactorRequired
	var pe *password.PolicyError
	switch {
	case errors.As(err, &le):
		if !le.Permanent {
			body.RetryAfter = le.Until
		}
	case errors.As(err, &te):
		body.RetryAfter = te.RetryAt
	case errors.As(err, &ce):
		body.RetryAfter = ce.Until
	case errors.As(err, &sfr):
		body.SecondFactor = sfr
	case errors.As(err, &pe):
		for _, v := range pe.Violations {
			body.Violations = append(body.Violations, map[string]string{"id": v.Message("id"), "en": v.Message("en")})
		}
	}
	if !body.RetryAfter.IsZero() {
		secs := math.Ceil(time.Until(body.RetryAfter).Seconds())
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(secs))))
	}
	WriteJSON(w, status, body)
}

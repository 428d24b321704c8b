package httpapi

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/captcha"
)

// The codes of the API's own errors, about the HTTP request rather than
// the flow; every other error's code is auth.Classify's.
const (
	CodeMalformedRequest     auth.Code = "malformed_request"
	CodeRequestTooLarge      auth.Code = "request_too_large"
	CodeUnsupportedMediaType auth.Code = "unsupported_media_type"
	CodeMethodNotAllowed     auth.Code = "method_not_allowed"
	CodeOriginNotAllowed     auth.Code = "origin_not_allowed"
	// The codes of a field of a malformed request: a field the operation
	// does not have, a value of the wrong JSON type, or a value not among
	// those the field takes.
	CodeUnknownField auth.Code = "unknown_field"
	CodeInvalidType  auth.Code = "invalid_type"
	CodeInvalidValue auth.Code = "invalid_value"
)

// errorBody is the JSON of every error: {"error": {...}}.
type errorBody struct {
	Error apiError `json:"error"`
}

// apiError is an error as the API answers it.
type apiError struct {
	Code    auth.Code    `json:"code"`
	Message string       `json:"message"`
	Fields  []fieldError `json:"fields,omitempty"`
	// RetryAfter, for locks, throttles and cooldowns, is how many seconds
	// to wait (the Retry-After header's value); RetryAt is until when.
	RetryAfter int        `json:"retry_after,omitempty"`
	RetryAt    *time.Time `json:"retry_at,omitempty"`
	// LockedUntil is when a lock ends; Permanent, for a lock only an
	// operator ends.
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	Permanent   bool       `json:"permanent,omitempty"`
	// RemainingAttempts, after a wrong password, is how many more
	// failures the lock allows (auth.Outcome.Remaining), when known.
	RemainingAttempts *int         `json:"remaining_attempts,omitempty"`
	Captcha           *challenge   `json:"captcha,omitempty"`
	SecondFactor      *pendingStep `json:"second_factor,omitempty"`
	Enrollment        *pendingStep `json:"enrollment,omitempty"`
}

// fieldError is one field an error concerns.
type fieldError struct {
	Field   string    `json:"field"`
	Code    auth.Code `json:"code"`
	Message string    `json:"message"`
	// Rule, for a password policy's violation, names the rule broken.
	Rule password.Rule `json:"rule,omitempty"`
}

// pendingStep is a login waiting for its second factor, or for the
// enrollment of a first one. Pending is a bearer secret: the client keeps
// it in memory and sends it with the next step.
type pendingStep struct {
	Pending   string        `json:"pending"`
	Methods   []auth.Method `json:"methods"`
	ExpiresAt time.Time     `json:"expires_at"`
}

// requestError is an error about the HTTP request itself.
type requestError struct {
	status int
	code   auth.Code
	msg    [2]string // id, en
	fields []fieldError
}

func (e *requestError) Error() string { return "httpapi: " + string(e.code) }

var (
	errNoRoute     = &requestError{http.StatusNotFound, auth.CodeNotFound, [2]string{"Alamat ini tidak ada di API.", "There is no such address in the API."}, nil}
	errMethod      = &requestError{http.StatusMethodNotAllowed, CodeMethodNotAllowed, [2]string{"Metode HTTP ini tidak berlaku untuk alamat ini.", "This HTTP method does not apply to this address."}, nil}
	errOrigin      = &requestError{http.StatusForbidden, CodeOriginNotAllowed, [2]string{"Situs asal permintaan ini tidak diizinkan memakai API.", "The site this request comes from may not use the API."}, nil}
	errTooLarge    = &requestError{http.StatusRequestEntityTooLarge, CodeRequestTooLarge, [2]string{"Permintaan terlalu besar.", "The request is too large."}, nil}
	errMediaType   = &requestError{http.StatusUnsupportedMediaType, CodeUnsupportedMediaType, [2]string{"Kirim isi permintaan sebagai application/json.", "Send the request's body as application/json."}, nil}
	errCaptchaMany = &requestError{http.StatusTooManyRequests, auth.CodeThrottled, [2]string{"Terlalu banyak captcha diminta. Coba lagi nanti.", "Too many captchas were asked for. Try again later."}, nil}
)

// malformed is a request whose body or query cannot be read; fields say
// which fields, when it is them.
func malformed(fields ...fieldError) *requestError {
	return &requestError{http.StatusBadRequest, CodeMalformedRequest,
		[2]string{"Permintaan tidak dapat dibaca: isinya harus satu objek JSON dengan isian yang dikenal.", "The request could not be read: its body must be one JSON object with known fields."}, fields}
}

// fieldMessages phrase the codes of a malformed request's fields.
var fieldMessages = map[auth.Code][2]string{
	CodeUnknownField: {"Isian ini tidak dikenal.", "This field is not known."},
	CodeInvalidType:  {"Isian ini berjenis salah.", "This field has the wrong type."},
	CodeInvalidValue: {"Nilai isian ini tidak dikenal.", "This field's value is not one the API knows."},
}

func badField(name string, code auth.Code) fieldError {
	return fieldError{Field: name, Code: code}
}

// pick returns the message of msg in lang.
func pick(msg [2]string, lang string) string {
	if lang == "en" {
		return msg[1]
	}
	return msg[0]
}

// withCaptcha is an error whose answer carries a captcha challenge for
// the next attempt.
type withCaptcha struct {
	error
	ch *challenge
}

func (e *withCaptcha) Unwrap() error { return e.error }

// ofCredential is an error about a passkey's credential, which package
// auth names "code" (the second step's answer): the answer names the
// body's field, "credential".
type ofCredential struct{ error }

func (e ofCredential) Unwrap() error { return e.error }

// credentialFailed marks err, if any, as ofCredential.
func credentialFailed(err error) error {
	if err == nil {
		return nil
	}
	return ofCredential{err}
}

// writeError answers err in the error shape: auth.Classify's code, status
// and fields, its message in lang, and what the client needs to go on (a
// lock's end, a captcha, a pending login). A 5xx says nothing of its cause,
// which goes to the log.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, lang string, err error) {
	var re *requestError
	if errors.As(err, &re) {
		e := apiError{Code: re.code, Message: pick(re.msg, lang)}
		for _, f := range re.fields {
			f.Message = pick(fieldMessages[f.Code], lang)
			e.Fields = append(e.Fields, f)
		}
		httpauth.WriteJSON(w, re.status, errorBody{e})
		return
	}
	if errors.Is(err, captcha.ErrTooMany) {
		h.writeError(w, r, lang, errCaptchaMany)
		return
	}
	o := auth.Classify(err)
	e := apiError{Code: o.Code, Message: o.Message(lang), Permanent: o.Permanent}
	if o.Remaining >= 0 {
		e.RemainingAttempts = &o.Remaining
	}
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		for _, v := range pe.Violations {
			e.Fields = append(e.Fields, fieldError{Field: "password", Code: auth.CodePolicy, Message: v.Message(lang), Rule: v.Rule})
		}
	} else {
		var oc ofCredential
		credential := errors.As(err, &oc)
		for _, f := range o.Fields {
			if credential && f == "code" {
				f = "credential"
			}
			e.Fields = append(e.Fields, fieldError{Field: f, Code: o.Code, Message: o.Message(lang)})
		}
	}
	if !o.RetryAt.IsZero() {
		at := o.RetryAt.UTC()
		e.RetryAfter = max(1, int(math.Ceil(at.Sub(h.cfg.Now()).Seconds())))
		if o.Code == auth.CodeLocked {
			e.LockedUntil = &at
		} else {
			e.RetryAt = &at
		}
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	var sfr *auth.SecondFactorRequired
	var er *auth.EnrollmentRequired
	var wc *withCaptcha
	switch {
	case errors.As(err, &sfr):
		e.SecondFactor = &pendingStep{Pending: sfr.Pending, Methods: sfr.Methods, ExpiresAt: sfr.ExpiresAt.UTC()}
	case errors.As(err, &er):
		e.Enrollment = &pendingStep{Pending: er.Pending, Methods: er.Methods, ExpiresAt: er.ExpiresAt.UTC()}
	}
	if errors.As(err, &wc) {
		e.Captcha = wc.ch
	}
	switch {
	case o.Status == http.StatusUnauthorized && (o.Code == auth.CodeUnauthenticated):
		w.Header().Set("WWW-Authenticate", `Bearer realm="masuk"`)
	case o.Status >= 500:
		h.cfg.Logger.ErrorContext(r.Context(), "httpapi: request failed", "method", r.Method, "path", r.URL.Path, "code", string(o.Code), "error", err)
	}
	httpauth.WriteJSON(w, o.Status, errorBody{e})
}

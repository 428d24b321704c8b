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
	// Code is stable, for programs: auth.Classify's code
	// ("invalid_credentials", "locked", "second_factor_required", ...).
	Code auth.Code `json:"error"`
	// Message is for people, in Indonesian and English.
	Message map[string]string `json:"message"`
	// Fields are the form fields the error concerns.
	Fields []string `json:"fields,omitempty"`
	// RetryAfter, for "locked", "throttled" and "cooldown", is when to try
	// again; zero for a lock only an operator ends.
	RetryAfter time.Time `json:"retry_after,omitzero"`
	// SecondFactor, for "second_factor_required", lists the methods and
	// when the pending login ends. The pending login itself is never
	// written: keep it server-side.
	SecondFactor *auth.SecondFactorRequired `json:"second_factor,omitempty"`
	// Enrollment, for "enrollment_required", lists the methods the account
	// may enroll and when the pending enrollment ends; it too is never
	// written itself.
	Enrollment *auth.EnrollmentRequired `json:"enrollment,omitempty"`
	// Violations, for "policy", lists every rule the password breaks, in
	// both languages.
	Violations []map[string]string `json:"violations,omitempty"`
}

// WriteError answers err as JSON with auth.Classify's outcome: its status
// and code (a lock 429 with Retry-After, a wrong password 401, ...), the
// fields it concerns, and its message in Indonesian and English, and
// nothing more than the outcome tells; a store or configuration failure
// says only "unavailable" (the detail belongs in the server's log, not to
// the client).
func WriteError(w http.ResponseWriter, err error) {
	o := auth.Classify(err)
	body := Error{Code: o.Code, Fields: o.Fields, RetryAfter: o.RetryAt,
		Message: map[string]string{"id": o.Message("id"), "en": o.Message("en")}}
	var sfr *auth.SecondFactorRequired
	var er *auth.EnrollmentRequired
	var pe *password.PolicyError
	switch {
	case errors.As(err, &sfr):
		body.SecondFactor = sfr
	case errors.As(err, &er):
		body.Enrollment = er
	case errors.As(err, &pe):
		for _, v := range pe.Violations {
			body.Violations = append(body.Violations, map[string]string{"id": v.Message("id"), "en": v.Message("en")})
		}
	}
	if !body.RetryAfter.IsZero() {
		secs := math.Ceil(time.Until(body.RetryAfter).Seconds())
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(secs))))
	}
	WriteJSON(w, o.Status, body)
}

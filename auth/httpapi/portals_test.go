package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// The four portals, as their realms are configured in one Authenticator:
//
//   - lpse: NPWP usernames, activation by link then an operator's
//     approval, reset by link;
//   - sapk: NIP usernames, MySAPK's composition rule, reset by code, a
//     lock only an operator ends, a second factor for everyone;
//   - bpn: free-form usernames, login by email too, 12 characters of four
//     kinds, a second factor enrolled at the first login, 5 failures lock
//     for 30 minutes, reset by link;
//   - bpjs: KPJ usernames, a captcha at every login, 5 failures lock
//     until an operator unlocks, second factors by SMS or email code,
//     reset codes by email, WhatsApp or SMS.
func portalRealms(t *testing.T) map[string]auth.Realm {
	t.Helper()
	links := auth.Links{Reset: "https://portal.example.go.id/reset", Activate: "https://portal.example.go.id/aktivasi",
		ConfirmEmail: "https://portal.example.go.id/email"}
	sapkPolicy, err := password.NewPolicy(password.PolicyConfig{Composition: password.CompositionMySAPK})
	require.NoError(t, err)
	bpnPolicy, err := password.NewPolicy(password.PolicyConfig{MinLength: 12, Composition: password.CompositionUpperLowerDigitSymbol})
	require.NoError(t, err)
	return map[string]auth.Realm{
		"lpse": {Links: links, Username: identifiers.NPWP,
			Activation:   auth.ActivationPolicy{Mode: auth.ActivationLink},
			Registration: auth.RegistrationPolicy{Approval: true}},
		"sapk": {Links: links, Username: identifiers.NIP, Policy: sapkPolicy,
			Reset:        auth.ResetPolicy{Delivery: auth.ByCode},
			Lockout:      lockout.Policy{Account: lockout.Rule{UntilUnlocked: true}},
			SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}},
		"bpn": {Links: links, Login: auth.LoginPolicy{ByEmail: true}, Policy: bpnPolicy,
			SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory},
			Lockout:      lockout.Policy{Account: lockout.Rule{Threshold: 5, Lock: 30 * time.Minute}}},
		"bpjs": {Links: links, Username: identifiers.KPJ,
			Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways},
			Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 5, UntilUnlocked: true}},
			Reset:   auth.ResetPolicy{Delivery: auth.ByCode, Phone: []auth.Method{auth.MethodWhatsApp, auth.MethodSMS}},
			SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOptional,
				PhoneCodes: []auth.Method{auth.MethodSMS, auth.MethodWhatsApp}}},
	}
}

func newPortals(t *testing.T) *env {
	t.Helper()
	return newEnvOf(t, portalRealms(t), []string{"lpse", "sapk", "bpn", "bpjs"})
}

const (
	npwp       = "01.000.161.8-092.000"
	nip        = "198609262015051001"
	kpj        = "19012345678"
	sapkPass   = "Kopi tubruk 2026"
	bpnPass    = "Nasi-Uduk-Betawi-2026"
	bpjsEmail  = "peserta@example.id"
	bpjsPhone  = "+6281234567890" // registered as 0812-3456-7890
	bpjsPhone2 = "+6285712345678"
)

// withCaptcha adds a solved captcha to a login's body when the realm asks
// for one for the username, and returns the body.
func (e *env) withCaptcha(realm string, body map[string]any) map[string]any {
	e.t.Helper()
	delete(body, "captcha")
	ch := e.expect(e.post("/"+realm+"/captcha", map[string]any{"username": body["username"]}, ""), http.StatusOK, "")
	if ch.body["required"] == true {
		body["captcha"] = map[string]any{"id": ch.body["id"], "answer": e.answer}
	}
	return body
}

// registerBPJS registers a BPJS member with a phone number.
func (e *env) registerBPJS() {
	e.t.Helper()
	a := e.post("/bpjs/register", map[string]any{"username": "190-1234-5678", "email": bpjsEmail, "phone": "0812-3456-7890", "password": pw}, "")
	e.expect(a, http.StatusAccepted, "")
	assert.Equal(e.t, "none", a.body["activation"])
}

// loginBPJS logs in to BPJS with a solved captcha and returns the
// session's token.
func (e *env) loginBPJS(password string) string {
	e.t.Helper()
	a := e.expect(e.post("/bpjs/login", e.withCaptcha("bpjs", map[string]any{"username": kpj, "password": password}), ""), http.StatusOK, "")
	return str(a.body, "session", "token")
}

// remaining is the remaining_attempts of an error, or -1 when absent.
func remaining(a answer) int {
	n, ok := obj(a.body, "error")["remaining_attempts"].(float64)
	if !ok {
		return -1
	}
	return int(n)
}

// TestBPNEmailLoginEnrollmentAndLock: BPN's login by email stops at the
// enrollment of a second factor, which completes it; the next login by
// email needs the second step. Wrong passwords, typed either way, count
// down one lock, which lasts 30 minutes and is emailed to the owner.
func TestBPNEmailLoginEnrollmentAndLock(t *testing.T) {
	e := newPortals(t)
	weak := e.expect(e.post("/bpn/register", map[string]any{"username": "budi.santoso", "email": "budi@bpn.example.id", "password": "Pendek-1a"}, ""),
		http.StatusUnprocessableEntity, "policy")
	var rules []any
	for _, f := range weak.body["error"].(map[string]any)["fields"].([]any) {
		rules = append(rules, obj(f)["rule"])
	}
	assert.Contains(t, rules, "too_short")
	e.register("bpn", "budi.santoso", "budi@bpn.example.id", bpnPass)
	e.expect(e.post("/bpn/register", map[string]any{"username": "siti@bpn", "email": "siti@bpn.example.id", "password": bpnPass}, ""),
		http.StatusUnprocessableEntity, "username_invalid")

	// The first login, by email, enrolls an authenticator app.
	a := e.expect(e.post("/bpn/login", map[string]any{"username": "Budi@BPN.example.id", "password": bpnPass}, ""), http.StatusUnauthorized, "enrollment_required")
	pending := str(a.body, "error", "enrollment", "pending")
	en := e.expect(e.post("/bpn/login/enroll/totp", map[string]any{"pending": pending, "label": "HP Budi"}, ""), http.StatusOK, "")
	secret := totpSecret(t, str(en.body, "uri"))
	done := e.expect(e.post("/bpn/login/enroll/totp/confirm", map[string]any{"pending": pending, "factor_id": en.body["factor_id"], "code": e.kit.TOTPCode(t, secret)}, ""), http.StatusOK, "")
	assert.Equal(t, "budi.santoso", str(done.body, "account", "username"))
	assert.Len(t, done.body["recovery_codes"], 10)
	e.kit.Advance(t, 30*time.Second)

	// The next login by email goes through the second step.
	a = e.expect(e.post("/bpn/login", map[string]any{"username": "budi@bpn.example.id", "password": bpnPass}, ""), http.StatusUnauthorized, "second_factor_required")
	sf := str(a.body, "error", "second_factor", "pending")
	done = e.expect(e.post("/bpn/login/second-step", map[string]any{"pending": sf, "method": "totp", "code": e.kit.TOTPCode(t, secret)}, ""), http.StatusOK, "")
	me := e.expect(e.get("/bpn/account", str(done.body, "session", "token")), http.StatusOK, "")
	assert.Equal(t, "budi@bpn.example.id", str(me.body, "account", "email"))

	// Wrong passwords by email and by username count down one lock.
	for i, typed := range []string{"budi@bpn.example.id", "budi.santoso", "BUDI@bpn.example.id", "budi.santoso"} {
		a := e.expect(e.post("/bpn/login", e.withCaptcha("bpn", map[string]any{"username": typed, "password": "Salah-Sandi-2026"}), ""),
			http.StatusUnauthorized, "invalid_credentials")
		assert.Equal(t, 4-i, remaining(a), "after failure %d", i+1)
	}
	en2 := e.send(call{method: http.MethodPost, path: "/bpn/login", header: map[string]string{"Accept-Language": "en"},
		body: e.withCaptcha("bpn", map[string]any{"username": "budi.santoso", "password": "Salah-Sandi-2026"})})
	e.expect(en2, http.StatusTooManyRequests, "locked")
	assert.Equal(t, "Too many failed attempts. Try again later.", str(en2.body, "error", "message"))
	until, err := time.Parse(time.RFC3339, str(en2.body, "error", "locked_until"))
	require.NoError(t, err)
	assert.Equal(t, 30*time.Minute, until.Sub(e.kit.Now()).Round(time.Second), "the lock lasts 30 minutes")
	assert.Equal(t, "1800", en2.header.Get("Retry-After"))
	assert.Equal(t, -1, remaining(en2))
	assert.Equal(t, notify.AccountLocked, e.kit.LastMessage(t, "budi@bpn.example.id").Purpose, "the owner is told of the lock")

	// Locked, the right password does not help; 30 minutes later it does.
	e.expect(e.post("/bpn/captcha", map[string]any{"username": "budi@bpn.example.id"}, ""), http.StatusTooManyRequests, "locked")
	e.expect(e.post("/bpn/login", map[string]any{"username": "budi@bpn.example.id", "password": bpnPass}, ""), http.StatusTooManyRequests, "locked")
	e.kit.Advance(t, 29*time.Minute)
	e.expect(e.post("/bpn/login", map[string]any{"username": "budi@bpn.example.id", "password": bpnPass}, ""), http.StatusTooManyRequests, "locked")
	e.kit.Advance(t, time.Minute+time.Second)
	a = e.expect(e.post("/bpn/login", e.withCaptcha("bpn", map[string]any{"username": "budi@bpn.example.id", "password": bpnPass}), ""),
		http.StatusUnauthorized, "second_factor_required")
	e.expect(e.post("/bpn/login/second-step", map[string]any{"pending": str(a.body, "error", "second_factor", "pending"), "method": "totp",
		"code": e.kit.TOTPCode(t, secret)}, ""), http.StatusOK, "")
}

// TestBPJSCaptchaLockAndUnlock: every BPJS login needs a captcha, whose
// image and audio the API serves; five wrong passwords lock the KPJ until
// an operator unlocks it.
func TestBPJSCaptchaLockAndUnlock(t *testing.T) {
	e := newPortals(t)
	e.registerBPJS()

	// Even the right password, the first time, needs a captcha.
	a := e.expect(e.post("/bpjs/login", map[string]any{"username": kpj, "password": pw}, ""), http.StatusUnauthorized, "captcha_required")
	ch := obj(a.body, "error", "captcha")
	require.NotEmpty(t, ch["id"])
	img := e.send(call{method: http.MethodGet, path: strings.TrimPrefix(ch["image_url"].(string), "/api")})
	require.Equal(t, http.StatusOK, img.status)
	assert.Equal(t, "\x89PNG", string(img.raw[:4]))
	for _, lang := range []string{"id", "en"} {
		u := obj(ch, "audio_urls")[lang].(string)
		assert.True(t, strings.HasPrefix(u, "/api/bpjs/captcha/"), u)
		audio := e.send(call{method: http.MethodGet, path: strings.TrimPrefix(u, "/api")})
		require.Equal(t, http.StatusOK, audio.status)
		assert.Equal(t, "RIFF", string(audio.raw[:4]))
	}
	body := map[string]any{"username": kpj, "password": pw, "captcha": map[string]any{"id": ch["id"], "answer": e.answer}}
	e.expect(e.post("/bpjs/login", body, ""), http.StatusOK, "")
	// The challenge is used up; the next login needs another.
	a = e.expect(e.post("/bpjs/login", body, ""), http.StatusUnauthorized, "captcha_invalid")
	assert.NotEmpty(t, str(a.body, "error", "captcha", "id"))
	e.loginBPJS(pw)

	// Five wrong passwords, each with its captcha: the fifth locks, until
	// an operator unlocks.
	wrong := map[string]any{"username": kpj, "password": "salah sekali"}
	for i := range 4 {
		a := e.expect(e.post("/bpjs/login", e.withCaptcha("bpjs", wrong), ""), http.StatusUnauthorized, "invalid_credentials")
		assert.Equal(t, 4-i, remaining(a))
		assert.NotEmpty(t, str(a.body, "error", "captcha", "id"), "the next login needs a captcha: the answer carries one")
	}
	locked := e.expect(e.post("/bpjs/login", e.withCaptcha("bpjs", wrong), ""), http.StatusTooManyRequests, "locked")
	assert.Equal(t, true, obj(locked.body, "error")["permanent"])
	assert.Empty(t, str(locked.body, "error", "locked_until"), "no end but an operator's")
	assert.Empty(t, locked.header.Get("Retry-After"))
	assert.Equal(t, "Akun terkunci. Hubungi petugas untuk membukanya.", str(locked.body, "error", "message"))
	e.kit.Advance(t, 48*time.Hour)
	e.expect(e.post("/bpjs/captcha", map[string]any{"username": kpj}, ""), http.StatusTooManyRequests, "locked")
	body = map[string]any{"username": kpj, "password": pw, "captcha": map[string]any{"id": e.kit.SolveCaptcha(t, "api:login:bpjs", "127.0.0.1").ID, "answer": e.answer}}
	e.expect(e.post("/bpjs/login", body, ""), http.StatusTooManyRequests, "locked")

	op, err := e.kit.Auth.Operator(auth.OperatorIdentity{Name: "helpdesk-bpjs", Realms: []string{"bpjs"}})
	require.NoError(t, err)
	before, err := op.Unlock(context.Background(), auth.UnlockRequest{Realm: "bpjs", Username: kpj, Reason: "peserta minta dibuka", IdentityCheck: "identitas dicek lewat panggilan video ke nomor terdaftar"})
	require.NoError(t, err)
	assert.True(t, before.Locked())
	e.loginBPJS(pw)
}

// TestBPJSResetByPhoneAndEmail: a reset code goes by WhatsApp to the
// registered number only when the number typed is the account's, with
// the same answer either way, and completes as an emailed code does.
func TestBPJSResetByPhoneAndEmail(t *testing.T) {
	e := newPortals(t)
	e.registerBPJS()
	require.NoError(t, e.kit.Auth.Close())
	sent := e.kit.Outbox.Len()

	// A number that is not the account's: the same answer, nothing sent.
	other := e.expect(e.post("/bpjs/password/reset", map[string]any{"identifier": kpj, "phone": "0813-1111-2222", "method": "whatsapp"}, ""), http.StatusAccepted, "")
	require.NoError(t, e.kit.Auth.Close())
	assert.Equal(t, sent, e.kit.Outbox.Len(), "nothing goes to a number that is not the account's")

	started := e.expect(e.post("/bpjs/password/reset", map[string]any{"identifier": kpj, "phone": "(0812) 3456 7890", "method": "whatsapp"}, ""), http.StatusAccepted, "")
	assert.Equal(t, "code", started.body["delivery"])
	assert.Equal(t, other.body["delivery"], started.body["delivery"], "the same answer, the number the account's or not")
	m := e.kit.LastMessage(t, bpjsPhone)
	assert.Equal(t, notify.WhatsApp, m.Channel)
	assert.Equal(t, notify.ResetCode, m.Purpose)
	code := e.kit.LastCode(t, bpjsPhone)
	e.expect(e.post("/bpjs/password/reset/complete", map[string]any{"identifier": kpj, "code": code, "flow": other.body["flow"], "new_password": "rendang padang sabtu malam"}, ""),
		http.StatusBadRequest, "invalid_token")
	const next = "rendang padang sabtu malam"
	e.expect(e.post("/bpjs/password/reset/complete", map[string]any{"identifier": kpj, "code": code, "flow": started.body["flow"], "new_password": next}, ""), http.StatusNoContent, "")
	e.loginBPJS(next)

	// Bad input is refused, in the person's language, and sends nothing.
	before := e.kit.Outbox.Len()
	bad := e.send(call{method: http.MethodPost, path: "/bpjs/password/reset", body: map[string]any{"identifier": kpj, "phone": "0812", "method": "sms"},
		header: map[string]string{"Accept-Language": "en"}})
	e.expect(bad, http.StatusUnprocessableEntity, "phone_invalid")
	fields := bad.body["error"].(map[string]any)["fields"].([]any)
	require.Len(t, fields, 1)
	assert.Equal(t, "phone", obj(fields[0])["field"])
	idBad := e.expect(e.post("/bpjs/password/reset", map[string]any{"identifier": kpj, "phone": "0812", "method": "sms"}, ""), http.StatusUnprocessableEntity, "phone_invalid")
	assert.NotEqual(t, str(bad.body, "error", "message"), str(idBad.body, "error", "message"), "English and Indonesian")
	e.expect(e.send(call{method: http.MethodPost, path: "/bpjs/password/reset", body: map[string]any{"identifier": kpj, "phone": bpjsPhone, "method": "email"}, invalid: true}),
		http.StatusBadRequest, "malformed_request")
	e.expect(e.post("/bpjs/password/reset", map[string]any{"identifier": kpj, "method": "sms"}, ""), http.StatusBadRequest, "method_unavailable")
	e.expect(e.post("/bpn/password/reset", map[string]any{"identifier": "budi", "phone": bpjsPhone}, ""), http.StatusBadRequest, "method_unavailable")
	require.NoError(t, e.kit.Auth.Close())
	assert.Equal(t, before, e.kit.Outbox.Len())

	// By email, a day later (one address asks for two a day).
	e.kit.Advance(t, 25*time.Hour)
	started = e.expect(e.post("/bpjs/password/reset", map[string]any{"identifier": bpjsEmail}, ""), http.StatusAccepted, "")
	assert.Equal(t, "code", started.body["delivery"])
	m = e.kit.LastMessage(t, bpjsEmail)
	assert.Equal(t, notify.Email, m.Channel)
	const third = "soto betawi minggu pagi"
	e.expect(e.post("/bpjs/password/reset/complete", map[string]any{"identifier": bpjsEmail, "code": e.kit.LastCode(t, bpjsEmail), "flow": started.body["flow"], "new_password": third}, ""), http.StatusNoContent, "")
	e.loginBPJS(third)
}

// TestSAPKResetByCode: a NIP typed in another form asks for a code by
// email; MySAPK's composition rule holds at the reset; the account then
// logs in to its mandatory enrollment.
func TestSAPKResetByCode(t *testing.T) {
	e := newPortals(t)
	e.expect(e.post("/sapk/register", map[string]any{"username": nip, "email": "pns@example.go.id", "password": "kopi tubruk pagi hari"}, ""),
		http.StatusUnprocessableEntity, "policy")
	e.register("sapk", "19860926 201505 1 001", "pns@example.go.id", sapkPass)
	e.expect(e.post("/sapk/register", map[string]any{"username": "19860926 201505 1 00", "email": "lain@example.go.id", "password": sapkPass}, ""),
		http.StatusUnprocessableEntity, "username_invalid")

	started := e.expect(e.post("/sapk/password/reset", map[string]any{"identifier": nip}, ""), http.StatusAccepted, "")
	assert.Equal(t, "code", started.body["delivery"])
	code := e.kit.LastCode(t, "pns@example.go.id")
	reset := map[string]any{"identifier": "19860926 201505 1 001", "code": code, "flow": started.body["flow"], "new_password": "kopi tubruk sore hari"}
	weak := e.expect(e.post("/sapk/password/reset/complete", reset, ""), http.StatusUnprocessableEntity, "policy")
	var rules []any
	for _, f := range weak.body["error"].(map[string]any)["fields"].([]any) {
		rules = append(rules, obj(f)["rule"])
	}
	assert.ElementsMatch(t, []any{"needs_upper", "needs_digit"}, rules, "MySAPK's composition")
	const next = "Teh manis 2027 pagi"
	reset["new_password"] = next
	e.expect(e.post("/sapk/password/reset/complete", reset, ""), http.StatusNoContent, "")
	e.expect(e.post("/sapk/password/reset/complete", reset, ""), http.StatusBadRequest, "invalid_token")
	e.expect(e.post("/sapk/login", map[string]any{"username": nip, "password": sapkPass}, ""), http.StatusUnauthorized, "invalid_credentials")
	e.expect(e.post("/sapk/login", map[string]any{"username": nip, "password": next}, ""), http.StatusUnauthorized, "enrollment_required")
}

// TestPhoneChangeByWhatsApp: the new number gets a code by WhatsApp, and
// the account has it once the code comes back; bad input is refused and
// changes nothing.
func TestPhoneChangeByWhatsApp(t *testing.T) {
	e := newPortals(t)
	e.registerBPJS()
	tok := e.loginBPJS(pw)

	change := func(body map[string]any, lang string) answer {
		return e.send(call{method: http.MethodPost, path: "/bpjs/phone/change", body: body, token: tok, header: map[string]string{"Accept-Language": lang}})
	}
	e.expect(change(map[string]any{"password": "salah sekali", "phone": "0857-1234-5678", "method": "whatsapp"}, "id"), http.StatusUnauthorized, "wrong_password")
	for _, c := range []struct {
		phone, code string
		id, en      string
	}{
		{"0812 3456 7890", "phone_same", "Nomor ini sudah menjadi nomor ponsel akun Anda.", "This is already your account's mobile number."},
		{"021-555-1234", "phone_invalid", "", ""},
	} {
		id := e.expect(change(map[string]any{"password": pw, "phone": c.phone, "method": "whatsapp"}, "id"), http.StatusUnprocessableEntity, c.code)
		en := e.expect(change(map[string]any{"password": pw, "phone": c.phone, "method": "whatsapp"}, "en"), http.StatusUnprocessableEntity, c.code)
		fields := en.body["error"].(map[string]any)["fields"].([]any)
		require.Len(t, fields, 1)
		assert.Equal(t, "phone", obj(fields[0])["field"])
		if c.id != "" {
			assert.Equal(t, c.id, str(id.body, "error", "message"))
			assert.Equal(t, c.en, str(en.body, "error", "message"))
		} else {
			assert.NotEqual(t, str(id.body, "error", "message"), str(en.body, "error", "message"))
		}
	}
	e.expect(e.send(call{method: http.MethodPost, path: "/bpjs/phone/change", body: map[string]any{"phone": "0857-1234-5678", "method": "email"}, token: tok, invalid: true}),
		http.StatusBadRequest, "malformed_request")
	require.NoError(t, e.kit.Auth.Close())
	_, sentNew := e.kit.Outbox.Last(bpjsPhone2)
	assert.False(t, sentNew, "no code went to the new number yet")

	// Within the login's window, no password is needed.
	started := e.expect(e.post("/bpjs/phone/change", map[string]any{"phone": "0857-1234-5678", "method": "whatsapp"}, tok), http.StatusAccepted, "")
	assert.Equal(t, "whatsapp", started.body["method"])
	assert.NotContains(t, started.body["to"], "12345678", "the number is masked")
	assert.NotEmpty(t, started.body["expires_at"])
	m := e.kit.LastMessage(t, bpjsPhone2)
	assert.Equal(t, notify.WhatsApp, m.Channel)
	e.expect(e.post("/bpjs/phone/change/confirm", map[string]any{"code": "00000000", "flow": started.body["flow"]}, tok), http.StatusBadRequest, "invalid_token")
	me := e.expect(e.get("/bpjs/account", tok), http.StatusOK, "")
	assert.Equal(t, bpjsPhone, str(me.body, "account", "phone"), "nothing changed yet")
	done := e.expect(e.post("/bpjs/phone/change/confirm", map[string]any{"code": e.kit.LastCode(t, bpjsPhone2), "flow": started.body["flow"]}, tok), http.StatusOK, "")
	assert.Equal(t, bpjsPhone2, str(done.body, "account", "phone"))
	me = e.expect(e.get("/bpjs/account", tok), http.StatusOK, "")
	assert.Equal(t, bpjsPhone2, str(me.body, "account", "phone"))

	// Resets by phone now go to the new number only.
	e.expect(e.post("/bpjs/password/reset", map[string]any{"identifier": kpj, "phone": "0857 1234 5678"}, ""), http.StatusAccepted, "")
	assert.Equal(t, notify.ResetCode, e.kit.LastMessage(t, bpjsPhone2).Purpose)
}

// TestReauthWindow: the sensitive actions of a session leave the password
// out while the login's proof of it is recent; 11 minutes later they are
// refused with reauth_required until the password is proved again.
func TestReauthWindow(t *testing.T) {
	e := newPortals(t)
	e.registerBPJS()
	tok := e.loginBPJS(pw)
	me := e.expect(e.get("/bpjs/account", tok), http.StatusOK, "")
	until, err := time.Parse(time.RFC3339, str(me.body, "reauth_until"))
	require.NoError(t, err)
	assert.Equal(t, 10*time.Minute, until.Sub(e.kit.Now()).Round(time.Second))

	// Within the window: a second factor by SMS, without the password.
	added := e.expect(e.post("/bpjs/factors/codes", map[string]any{"kind": "sms"}, tok), http.StatusOK, "")
	require.NotEmpty(t, added.body["factor_id"])

	e.kit.Advance(t, 11*time.Minute)
	for _, c := range []call{
		{method: http.MethodPost, path: "/bpjs/recovery-codes"},
		{method: http.MethodPost, path: "/bpjs/factors/totp"},
		{method: http.MethodPost, path: "/bpjs/factors/codes", body: map[string]any{"kind": "email"}},
		{method: http.MethodPost, path: "/bpjs/factors/" + added.body["factor_id"].(string) + "/remove", body: map[string]any{}},
		{method: http.MethodPost, path: "/bpjs/email/change", body: map[string]any{"new_email": "baru@example.id"}},
		{method: http.MethodPost, path: "/bpjs/phone/change", body: map[string]any{"phone": "0857-1234-5678"}},
	} {
		c.token = tok
		a := e.expect(e.send(c), http.StatusUnauthorized, "reauth_required")
		assert.Equal(t, "Masukkan kata sandi Anda untuk melanjutkan.", str(a.body, "error", "message"), c.path)
		assert.Empty(t, a.header.Get("WWW-Authenticate"), "the session is still good")
		assert.Equal(t, "password", obj(a.body["error"].(map[string]any)["fields"].([]any)[0])["field"])
	}
	e.expect(e.get("/bpjs/account", tok), http.StatusOK, "")
	f := e.expect(e.get("/bpjs/factors", tok), http.StatusOK, "")
	assert.Len(t, f.body["factors"], 1, "the refused actions changed nothing")

	// Another session's proof does not stand in: one begun now, through
	// the second step by SMS.
	a := e.expect(e.post("/bpjs/login", e.withCaptcha("bpjs", map[string]any{"username": kpj, "password": pw}), ""), http.StatusUnauthorized, "second_factor_required")
	pending := str(a.body, "error", "second_factor", "pending")
	sent := e.expect(e.post("/bpjs/login/send-code", map[string]any{"pending": pending, "method": "sms"}, ""), http.StatusOK, "")
	assert.Equal(t, "sms", sent.body["method"])
	assert.Equal(t, notify.SMS, e.kit.LastMessage(t, bpjsPhone).Channel)
	a = e.expect(e.post("/bpjs/login/second-step", map[string]any{"pending": pending, "method": "sms", "code": e.kit.LastCode(t, bpjsPhone)}, ""), http.StatusOK, "")
	other := str(a.body, "session", "token")
	e.expect(e.post("/bpjs/recovery-codes", nil, tok), http.StatusUnauthorized, "reauth_required")
	e.expect(e.post("/bpjs/recovery-codes", nil, other), http.StatusOK, "")

	e.expect(e.post("/bpjs/reauthenticate", map[string]any{"password": "salah sekali"}, tok), http.StatusUnauthorized, "wrong_password")
	re := e.expect(e.post("/bpjs/reauthenticate", map[string]any{"password": pw}, tok), http.StatusOK, "")
	until, err = time.Parse(time.RFC3339, str(re.body, "reauth_until"))
	require.NoError(t, err)
	assert.Equal(t, 10*time.Minute, until.Sub(e.kit.Now()).Round(time.Second))
	me = e.expect(e.get("/bpjs/account", tok), http.StatusOK, "")
	assert.Equal(t, str(re.body, "reauth_until"), str(me.body, "reauth_until"))
	app := e.expect(e.post("/bpjs/factors/totp", nil, tok), http.StatusOK, "")
	assert.NotEmpty(t, app.body["factor_id"])
	codes := e.expect(e.post("/bpjs/recovery-codes", nil, tok), http.StatusOK, "")
	assert.Len(t, codes.body["codes"], 10)
	e.expect(e.post("/bpjs/factors/"+added.body["factor_id"].(string)+"/remove", nil, tok), http.StatusNoContent, "")

	// A password given and right renews the window, past it.
	e.kit.Advance(t, 11*time.Minute)
	e.expect(e.post("/bpjs/factors/codes", map[string]any{"kind": "email"}, tok), http.StatusUnauthorized, "reauth_required")
	e.expect(e.post("/bpjs/factors/codes", map[string]any{"kind": "email", "password": pw}, tok), http.StatusOK, "")
	e.expect(e.post("/bpjs/recovery-codes", nil, tok), http.StatusOK, "")
}

// TestLPSEApproval: an NPWP in its dotted form registers, its owner
// follows the activation link, and an operator's approval lets it log in
// by the NPWP's digits.
func TestLPSEApproval(t *testing.T) {
	e := newPortals(t)
	reg := e.expect(e.post("/lpse/register", map[string]any{"username": npwp, "email": "cv.maju@example.id", "password": pw}, ""), http.StatusAccepted, "")
	assert.Equal(t, "link", reg.body["activation"])
	assert.Equal(t, true, reg.body["approval"])
	act := e.expect(e.post("/lpse/activation", map[string]any{"token": e.kit.LastToken(t, "cv.maju@example.id")}, ""), http.StatusOK, "")
	assert.Equal(t, "pending_approval", act.body["state"])
	e.expect(e.post("/lpse/login", map[string]any{"username": "010001618092000", "password": pw}, ""), http.StatusForbidden, "pending_approval")

	op, err := e.kit.Auth.Operator(auth.OperatorIdentity{Name: "verifikator", Realms: []string{"lpse"}})
	require.NoError(t, err)
	acct, err := op.List(context.Background(), store.AccountQuery{Realm: "lpse", State: store.StatePendingApproval})
	require.NoError(t, err)
	require.Len(t, acct, 1)
	_, err = op.Approve(context.Background(), auth.Decision{AccountID: acct[0].ID})
	require.NoError(t, err)
	a := e.expect(e.post("/lpse/login", map[string]any{"username": "010001618092000", "password": pw}, ""), http.StatusOK, "")
	assert.Equal(t, npwp, str(a.body, "account", "username"))

	started := e.expect(e.post("/lpse/password/reset", map[string]any{"identifier": "01.000.161.8-092.000"}, ""), http.StatusAccepted, "")
	assert.Equal(t, "link", started.body["delivery"])
	e.expect(e.post("/lpse/password/reset", map[string]any{"identifier": npwp, "phone": bpjsPhone}, ""), http.StatusBadRequest, "method_unavailable")
}

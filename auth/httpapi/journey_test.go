package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const pw = "nasi uduk betawi pagi"

func TestLoginOneStep(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "Budi.Santoso", "budi@example.id", pw)

	a := e.expect(e.post("/bebas/login", map[string]any{"username": "BUDI.SANTOSO", "password": pw}, ""), http.StatusOK, "")
	tok := str(a.body, "session", "token")
	assert.Equal(t, "Budi.Santoso", str(a.body, "account", "username"))
	exp, err := time.Parse(time.RFC3339, str(a.body, "session", "expires_at"))
	require.NoError(t, err)
	assert.True(t, exp.After(e.kit.Now()), "the session expires in the future")

	me := e.expect(e.get("/bebas/account", tok), http.StatusOK, "")
	assert.Equal(t, "budi@example.id", str(me.body, "account", "email"))
	assert.Equal(t, true, obj(me.body, "session")["current"])

	// Another realm's API does not know the session.
	e.expect(e.get("/sapk/account", tok), http.StatusUnauthorized, "unauthenticated")

	// A wrong password and an unknown username answer alike, in the
	// request's language.
	wrong := e.expect(e.post("/bebas/login", map[string]any{"username": "budi.santoso", "password": "salah sekali"}, ""), http.StatusUnauthorized, "invalid_credentials")
	unknown := e.expect(e.post("/bebas/login", map[string]any{"username": "tidak.ada", "password": "salah sekali"}, ""), http.StatusUnauthorized, "invalid_credentials")
	assert.Equal(t, wrong.body, unknown.body)
	assert.Equal(t, "Nama pengguna atau kata sandi salah.", str(wrong.body, "error", "message"))
	en := e.send(call{method: http.MethodPost, path: "/bebas/login", body: map[string]any{"username": "x", "password": "y"},
		header: map[string]string{"Accept-Language": "en-GB,en;q=0.9,id;q=0.5"}})
	assert.Equal(t, "Wrong username or password.", str(en.body, "error", "message"))
}

// enrollTOTP enrolls an authenticator app through the API and returns
// its secret.
func (e *env) enrollTOTP(realm, tok string) []byte {
	e.t.Helper()
	en := e.expect(e.post("/"+realm+"/factors/totp", map[string]any{"password": pw, "label": "HP Budi"}, tok), http.StatusOK, "")
	assert.True(e.t, strings.HasPrefix(str(en.body, "qr"), "data:image/png;base64,"))
	secret := totpSecret(e.t, str(en.body, "uri"))
	done := e.expect(e.post("/"+realm+"/factors/totp/confirm", map[string]any{"factor_id": en.body["factor_id"], "code": e.kit.TOTPCode(e.t, secret)}, tok), http.StatusOK, "")
	assert.Len(e.t, done.body["recovery_codes"], 10)
	e.kit.Advance(e.t, 30*time.Second) // the confirming code is used
	return secret
}

// pending logs in with the password and returns the second step's pending
// login, checking the methods it offers.
func (e *env) pending(realm, username string, method string) string {
	e.t.Helper()
	a := e.expect(e.post("/"+realm+"/login", map[string]any{"username": username, "password": pw}, ""), http.StatusUnauthorized, "second_factor_required")
	sf := obj(a.body, "error", "second_factor")
	assert.Contains(e.t, sf["methods"], method)
	require.NotEmpty(e.t, sf["pending"])
	return sf["pending"].(string)
}

func TestLoginTwoStepsTOTP(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "budi", "budi@example.id", pw)
	tok := e.login("bebas", "budi", pw)
	secret := e.enrollTOTP("bebas", tok)

	f := e.expect(e.get("/bebas/factors", tok), http.StatusOK, "")
	require.Len(t, f.body["factors"], 1)
	rc := e.expect(e.get("/bebas/recovery-codes", tok), http.StatusOK, "")
	assert.EqualValues(t, 10, rc.body["remaining"])

	pending := e.pending("bebas", "budi", "totp")
	e.expect(e.post("/bebas/login/second-step", map[string]any{"pending": pending, "method": "totp", "code": "000000"}, ""), http.StatusUnauthorized, "invalid_code")
	done := e.expect(e.post("/bebas/login/second-step", map[string]any{"pending": pending, "method": "totp", "code": e.kit.TOTPCode(t, secret)}, ""), http.StatusOK, "")
	e.expect(e.get("/bebas/account", str(done.body, "session", "token")), http.StatusOK, "")
	// The pending login completes once.
	e.expect(e.post("/bebas/login/second-step", map[string]any{"pending": pending, "method": "totp", "code": e.kit.TOTPCode(t, secret)}, ""), http.StatusUnauthorized, "login_expired")

	// A recovery code logs in too.
	regen := e.expect(e.post("/bebas/recovery-codes", map[string]any{"password": pw}, tok), http.StatusOK, "")
	codes := regen.body["codes"].([]any)
	done = e.expect(e.post("/bebas/login/second-step", map[string]any{"pending": e.pending("bebas", "budi", "recovery"), "method": "recovery", "code": codes[0]}, ""), http.StatusOK, "")
	require.NotEmpty(t, str(done.body, "session", "token"))
}

// TestOneTimeCodeOnce: one authenticator code submitted many times at
// once, to two pending logins, logs in exactly once.
func TestOneTimeCodeOnce(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "budi", "budi@example.id", pw)
	secret := e.enrollTOTP("bebas", e.login("bebas", "budi", pw))
	pendings := []string{e.pending("bebas", "budi", "totp"), e.pending("bebas", "budi", "totp")}
	code := e.kit.TOTPCode(t, secret)

	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := range 8 {
		wg.Go(func() {
			a := e.post("/bebas/login/second-step", map[string]any{"pending": pendings[i%2], "method": "totp", "code": code}, "")
			mu.Lock()
			statuses[a.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, map[int]int{http.StatusOK: 1, http.StatusUnauthorized: 7}, statuses)
}

func TestLoginTwoStepsEmailCode(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "budi", "budi@example.id", pw)
	tok := e.login("bebas", "budi", pw)
	added := e.expect(e.post("/bebas/factors/codes", map[string]any{"password": pw, "kind": "email"}, tok), http.StatusOK, "")
	require.NotEmpty(t, added.body["factor_id"])

	pending := e.pending("bebas", "budi", "email")
	sent := e.expect(e.post("/bebas/login/send-code", map[string]any{"pending": pending, "method": "email"}, ""), http.StatusOK, "")
	assert.Equal(t, "email", sent.body["method"])
	assert.NotContains(t, sent.body["to"], "budi@", "the address is masked")
	// A second code at once is refused until the cooldown passes.
	again := e.expect(e.post("/bebas/login/send-code", map[string]any{"pending": pending, "method": "email"}, ""), http.StatusTooManyRequests, "cooldown")
	assert.NotEmpty(t, again.header.Get("Retry-After"))
	assert.NotEmpty(t, str(again.body, "error", "retry_at"))

	code := e.kit.LastCode(t, "budi@example.id")
	done := e.expect(e.post("/bebas/login/second-step", map[string]any{"pending": pending, "method": "email", "code": code, "remember": true}, ""), http.StatusOK, "")
	device := str(done.body, "device", "token")
	require.NotEmpty(t, device)

	// The remembered device skips the second step.
	e.expect(e.post("/bebas/login", map[string]any{"username": "budi", "password": pw, "device": device}, ""), http.StatusOK, "")
	f := e.expect(e.get("/bebas/factors", tok), http.StatusOK, "")
	require.Len(t, f.body["devices"], 1)
	e.expect(e.post("/bebas/devices/forget", nil, tok), http.StatusNoContent, "")
	e.pending("bebas", "budi", "email")
}

func TestEnrollmentRequired(t *testing.T) {
	e := newEnv(t)
	e.register("wajib", "budi", "budi@example.id", pw)
	a := e.expect(e.post("/wajib/login", map[string]any{"username": "budi", "password": pw}, ""), http.StatusUnauthorized, "enrollment_required")
	pending := str(a.body, "error", "enrollment", "pending")
	require.NotEmpty(t, pending)
	assert.Contains(t, obj(a.body, "error", "enrollment")["methods"], "totp")

	en := e.expect(e.post("/wajib/login/enroll/totp", map[string]any{"pending": pending}, ""), http.StatusOK, "")
	secret := totpSecret(t, str(en.body, "uri"))
	e.expect(e.post("/wajib/login/enroll/totp/confirm", map[string]any{"pending": pending, "factor_id": en.body["factor_id"], "code": "123"}, ""), http.StatusUnauthorized, "invalid_code")
	done := e.expect(e.post("/wajib/login/enroll/totp/confirm", map[string]any{"pending": pending, "factor_id": en.body["factor_id"], "code": e.kit.TOTPCode(t, secret)}, ""), http.StatusOK, "")
	assert.Len(t, done.body["recovery_codes"], 10)
	tok := str(done.body, "session", "token")

	// The realm keeps the last factor.
	f := e.expect(e.get("/wajib/factors", tok), http.StatusOK, "")
	id := obj(f.body["factors"].([]any)[0])["id"].(string)
	e.expect(e.post("/wajib/factors/"+id+"/remove", map[string]any{"password": pw}, tok), http.StatusConflict, "last_factor")

	// Codes by email, enrolled at another account's login, lead on to
	// the second step with them.
	e.register("wajib", "siti", "siti@example.id", pw)
	a = e.expect(e.post("/wajib/login", map[string]any{"username": "siti", "password": pw}, ""), http.StatusUnauthorized, "enrollment_required")
	codes := e.expect(e.post("/wajib/login/enroll/codes", map[string]any{"pending": str(a.body, "error", "enrollment", "pending"), "kind": "email"}, ""), http.StatusOK, "")
	next := str(codes.body, "second_factor", "pending")
	e.expect(e.post("/wajib/login/send-code", map[string]any{"pending": next, "method": "email"}, ""), http.StatusOK, "")
	e.expect(e.post("/wajib/login/second-step", map[string]any{"pending": next, "method": "email", "code": e.kit.LastCode(t, "siti@example.id")}, ""), http.StatusOK, "")
}

func TestCaptchaThenLock(t *testing.T) {
	e := newEnv(t)
	reg := e.expect(e.post("/lpse/register", map[string]any{"username": "budi", "email": "budi@example.id", "password": pw}, ""), http.StatusAccepted, "")
	assert.Equal(t, "link", reg.body["activation"])
	e.expect(e.post("/lpse/activation", map[string]any{"token": e.kit.LastToken(t, "budi@example.id")}, ""), http.StatusOK, "")

	wrong := map[string]any{"username": "budi", "password": "bukan ini"}
	no := e.expect(e.post("/lpse/captcha", map[string]any{"username": "budi"}, ""), http.StatusOK, "")
	assert.Equal(t, false, no.body["required"])
	for range 2 {
		a := e.expect(e.post("/lpse/login", wrong, ""), http.StatusUnauthorized, "invalid_credentials")
		assert.Nil(t, obj(a.body, "error", "captcha"))
	}
	// The third failure makes the next attempt need a captcha: the answer
	// carries one.
	a := e.expect(e.post("/lpse/login", wrong, ""), http.StatusUnauthorized, "invalid_credentials")
	ch := obj(a.body, "error", "captcha")
	require.NotEmpty(t, ch["id"])

	// Its image and audio are served.
	img := e.send(call{method: http.MethodGet, path: strings.TrimPrefix(ch["image_url"].(string), "/api")})
	require.Equal(t, http.StatusOK, img.status)
	assert.Equal(t, "image/png", img.header.Get("Content-Type"))
	assert.Equal(t, "\x89PNG", string(img.raw[:4]))
	audio := e.send(call{method: http.MethodGet, path: strings.TrimPrefix(obj(ch, "audio_urls")["en"].(string), "/api")})
	require.Equal(t, http.StatusOK, audio.status)
	assert.Equal(t, "RIFF", string(audio.raw[:4]))
	e.expect(e.get("/lpse/captcha/no-such-challenge/image", ""), http.StatusNotFound, "not_found")

	// Without the captcha, even the right password is refused, with a
	// new challenge; a wrong answer likewise.
	right := map[string]any{"username": "budi", "password": pw}
	a = e.expect(e.post("/lpse/login", right, ""), http.StatusUnauthorized, "captcha_required")
	ch = obj(a.body, "error", "captcha")
	right["captcha"] = map[string]any{"id": ch["id"], "answer": "0000000"}
	a = e.expect(e.post("/lpse/login", right, ""), http.StatusUnauthorized, "captcha_invalid")
	ch = obj(a.body, "error", "captcha")
	right["captcha"] = map[string]any{"id": ch["id"], "answer": e.answer}
	e.expect(e.post("/lpse/login", right, ""), http.StatusOK, "")

	// Failures go on, each with its captcha solved, until the account
	// locks: the answer says until when.
	var locked answer
	for i := range 10 {
		ch := obj(e.post("/lpse/captcha", map[string]any{"username": "budi"}, "").body)
		require.Equal(t, true, ch["required"], "attempt %d", i)
		wrong["captcha"] = map[string]any{"id": ch["id"], "answer": e.answer}
		if locked = e.post("/lpse/login", wrong, ""); locked.code() == "locked" {
			break
		}
		e.expect(locked, http.StatusUnauthorized, "invalid_credentials")
	}
	e.expect(locked, http.StatusTooManyRequests, "locked")
	until, err := time.Parse(time.RFC3339, str(locked.body, "error", "locked_until"))
	require.NoError(t, err)
	assert.True(t, until.After(e.kit.Now()))
	assert.NotEmpty(t, locked.header.Get("Retry-After"))
	// Locked, the right password does not help either.
	e.expect(e.post("/lpse/captcha", map[string]any{"username": "budi"}, ""), http.StatusTooManyRequests, "locked")

	// Once the lock ends, the right password logs in, with a captcha if
	// the failures still ask for one.
	e.kit.Advance(t, until.Sub(e.kit.Now())+time.Second)
	delete(right, "captcha")
	if ch = obj(e.post("/lpse/captcha", map[string]any{"username": "budi"}, "").body); ch["required"] == true {
		right["captcha"] = map[string]any{"id": ch["id"], "answer": e.answer}
	}
	e.expect(e.post("/lpse/login", right, ""), http.StatusOK, "")
}

func TestResetByLink(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "budi", "budi@example.id", pw)
	known := e.expect(e.post("/bebas/password/reset", map[string]any{"identifier": "budi@example.id"}, ""), http.StatusAccepted, "")
	unknown := e.expect(e.post("/bebas/password/reset", map[string]any{"identifier": "siapa@example.id"}, ""), http.StatusAccepted, "")
	assert.Equal(t, known.body["delivery"], unknown.body["delivery"], "the same answer, account or not")
	assert.Equal(t, "link", known.body["delivery"])

	token := e.kit.LastToken(t, "budi@example.id")
	weak := e.expect(e.post("/bebas/password/reset/complete", map[string]any{"token": token, "new_password": "budi"}, ""), http.StatusUnprocessableEntity, "policy")
	fields := weak.body["error"].(map[string]any)["fields"].([]any)
	require.NotEmpty(t, fields)
	assert.Equal(t, "password", obj(fields[0])["field"])
	assert.NotEmpty(t, obj(fields[0])["rule"])

	const next = "rendang padang sabtu malam"
	e.expect(e.post("/bebas/password/reset/complete", map[string]any{"token": token, "new_password": next}, ""), http.StatusNoContent, "")
	e.expect(e.post("/bebas/password/reset/complete", map[string]any{"token": token, "new_password": next}, ""), http.StatusBadRequest, "invalid_token")
	e.expect(e.post("/bebas/login", map[string]any{"username": "budi", "password": pw}, ""), http.StatusUnauthorized, "invalid_credentials")
	e.login("bebas", "budi", next)
}

func TestRegisterActivateAndResetByCode(t *testing.T) {
	e := newEnv(t)
	reg := e.expect(e.post("/sapk/register", map[string]any{"username": "budi", "email": "budi@example.id", "password": pw,
		"profile": map[string]any{"name": "Budi Santoso"}}, ""), http.StatusAccepted, "")
	assert.Equal(t, "code", reg.body["activation"])
	flow := reg.body["flow"]
	require.NotEmpty(t, flow)
	// A taken username answers as a new one does.
	again := e.expect(e.post("/sapk/register", map[string]any{"username": "BUDI", "email": "lain@example.id", "password": pw}, ""), http.StatusAccepted, "")
	assert.Equal(t, reg.body["activation"], again.body["activation"])

	e.expect(e.post("/sapk/login", map[string]any{"username": "budi", "password": pw}, ""), http.StatusForbidden, "pending_confirmation")
	code := e.kit.LastCode(t, "budi@example.id")
	e.expect(e.post("/sapk/activation", map[string]any{"identifier": "budi", "code": code, "flow": "another flow"}, ""), http.StatusBadRequest, "invalid_token")
	act := e.expect(e.post("/sapk/activation", map[string]any{"identifier": "budi", "code": code, "flow": flow}, ""), http.StatusOK, "")
	assert.Equal(t, "active", act.body["state"])
	tok := e.login("sapk", "budi", pw)
	me := e.expect(e.get("/sapk/account", tok), http.StatusOK, "")
	assert.Equal(t, "Budi Santoso", obj(me.body, "account", "profile")["name"])

	started := e.expect(e.post("/sapk/password/reset", map[string]any{"identifier": "budi"}, ""), http.StatusAccepted, "")
	assert.Equal(t, "code", started.body["delivery"])
	code = e.kit.LastCode(t, "budi@example.id")
	const next = "rendang padang sabtu malam"
	e.expect(e.post("/sapk/password/reset/complete", map[string]any{"identifier": "budi", "code": code, "flow": started.body["flow"], "new_password": next}, ""), http.StatusNoContent, "")
	// The reset ended the session.
	e.expect(e.get("/sapk/account", tok), http.StatusUnauthorized, "unauthenticated")
	e.login("sapk", "budi", next)

	// Resending the activation answers alike for anyone.
	e.expect(e.post("/sapk/activation/resend", map[string]any{"identifier": "siapa"}, ""), http.StatusAccepted, "")
}

func TestSessionsAndLogout(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "budi", "budi@example.id", pw)
	phone, laptop, tablet := e.login("bebas", "budi", pw), e.login("bebas", "budi", pw), e.login("bebas", "budi", pw)

	list := e.expect(e.get("/bebas/sessions", phone), http.StatusOK, "")
	sessions := list.body["sessions"].([]any)
	require.Len(t, sessions, 3)
	var other string
	for _, s := range sessions {
		if obj(s)["current"] != true {
			other = obj(s)["id"].(string)
		}
	}
	e.expect(e.send(call{method: http.MethodDelete, path: "/bebas/sessions/" + other, token: phone}), http.StatusNoContent, "")
	require.Len(t, e.expect(e.get("/bebas/sessions", phone), http.StatusOK, "").body["sessions"], 2)

	n := e.expect(e.post("/bebas/sessions/revoke-others", nil, phone), http.StatusOK, "")
	assert.EqualValues(t, 1, n.body["count"])
	for _, tok := range []string{laptop, tablet} {
		e.expect(e.get("/bebas/account", tok), http.StatusUnauthorized, "unauthenticated")
	}

	act := e.expect(e.get("/bebas/activity?limit=5", phone), http.StatusOK, "")
	entries := act.body["entries"].([]any)
	require.Len(t, entries, 5)
	assert.NotZero(t, act.body["before"])
	for _, en := range entries {
		assert.NotContains(t, obj(en, "details"), "reason", "a failure's reason is for operators")
	}
	e.expect(e.send(call{method: http.MethodGet, path: "/bebas/activity?limit=1000", token: phone, invalid: true}), http.StatusBadRequest, "malformed_request")

	// A password change ends every session and begins a new one.
	ch := e.expect(e.post("/bebas/password/change", map[string]any{"current": pw, "new": "rendang padang sabtu malam"}, phone), http.StatusOK, "")
	e.expect(e.get("/bebas/account", phone), http.StatusUnauthorized, "unauthenticated")
	fresh := str(ch.body, "session", "token")

	e.expect(e.post("/bebas/logout", nil, fresh), http.StatusNoContent, "")
	out := e.expect(e.get("/bebas/account", fresh), http.StatusUnauthorized, "unauthenticated")
	assert.Contains(t, out.header.Get("WWW-Authenticate"), "Bearer")
	e.expect(e.post("/bebas/logout", nil, fresh), http.StatusUnauthorized, "unauthenticated")
	e.expect(e.send(call{method: http.MethodGet, path: "/bebas/account", invalid: true}), http.StatusUnauthorized, "unauthenticated")
}

func TestEmailChangeAndFactorRemoval(t *testing.T) {
	e := newEnv(t)
	e.register("bebas", "budi", "budi@example.id", pw)
	tok := e.login("bebas", "budi", pw)
	e.expect(e.post("/bebas/email/change", map[string]any{"password": "salah sekali", "new_email": "baru@example.id"}, tok), http.StatusUnauthorized, "wrong_password")
	e.expect(e.post("/bebas/email/change", map[string]any{"password": pw, "new_email": "baru@example.id"}, tok), http.StatusAccepted, "")
	e.expect(e.post("/bebas/email/confirm", map[string]any{"token": "tidak-ada"}, ""), http.StatusBadRequest, "invalid_token")
	e.expect(e.post("/bebas/email/confirm", map[string]any{"token": e.kit.LastToken(t, "baru@example.id")}, ""), http.StatusNoContent, "")
	me := e.expect(e.get("/bebas/account", tok), http.StatusOK, "")
	assert.Equal(t, "baru@example.id", str(me.body, "account", "email"))

	e.enrollTOTP("bebas", tok)
	f := e.expect(e.get("/bebas/factors", tok), http.StatusOK, "")
	id := obj(f.body["factors"].([]any)[0])["id"].(string)
	e.expect(e.post("/bebas/factors/"+id+"/remove", map[string]any{"password": "salah sekali"}, tok), http.StatusUnauthorized, "wrong_password")
	e.expect(e.post("/bebas/factors/"+id+"/remove", map[string]any{"password": pw}, tok), http.StatusNoContent, "")
	assert.Empty(t, e.expect(e.get("/bebas/factors", tok), http.StatusOK, "").body["factors"])
	e.login("bebas", "budi", pw) // one step again

	reg := e.expect(e.post("/lpse/captcha", map[string]any{"purpose": "register"}, ""), http.StatusOK, "")
	assert.Equal(t, false, reg.body["required"])
	e.expect(e.send(call{method: http.MethodPost, path: "/lpse/captcha", body: map[string]any{"purpose": "admin"}, invalid: true}), http.StatusBadRequest, "malformed_request")
	doc := e.expect(e.get("/openapi.json", ""), http.StatusOK, "")
	assert.Equal(t, "3.1.0", doc.body["openapi"])
}

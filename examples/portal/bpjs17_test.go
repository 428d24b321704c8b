package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

const (
	kpj       = "19012345678"
	bpjsPass  = "kartu peserta jmo 2026"
	bpjsPhone = "+6281234567890"
)

// activeBPJS registers and activates a BPJS member with a phone number.
func (p *portal) activeBPJS(b *browser, email string) {
	t := p.t
	status, body := b.post("/bpjs/daftar", url.Values{"consent": {"1"}, "username": {kpj}, "name": {"Rahmat Hidayat"}, "email": {email},
		"phone": {"0812-3456-7890"}, "password": {bpjsPass}, "password2": {bpjsPass}})
	require.Equal(t, http.StatusOK, status, body)
	code, ok := notify.ExtractCode(p.mail(email))
	require.True(t, ok)
	status, body = b.post("/bpjs/aktivasi", url.Values{"identifier": {kpj}, "flow": {flowOf(t, body)}, "code": {code}})
	require.Equal(t, http.StatusOK, status, body)
}

// accountIDOf finds the ID of a realm's account by its username, as an
// operator would.
func accountIDOf(t *testing.T, p *portal, realm, username string) string {
	t.Helper()
	op, err := p.app.auth.Operator(auth.OperatorIdentity{Name: "test", Realms: []string{realm}})
	require.NoError(t, err)
	list, err := op.List(t.Context(), store.AccountQuery{Realm: realm, Search: username})
	require.NoError(t, err)
	require.Len(t, list, 1)
	return list[0].ID
}

// loginBPJS logs in with the captcha BPJS asks at every login.
func (b *browser) loginBPJS(username, password string) (int, string) {
	_, body := b.get("/bpjs/masuk")
	id := find(b.p.t, body, `name="captcha_id" value="([^"]+)"`)
	return b.login("bpjs", username, password, "captcha_id", id, "captcha", "000000")
}

// TestBPJSRegistrationAsksForThePhone: the BPJS form requires a mobile
// number, refuses one that is not an Indonesian mobile with the phone's
// own message next to the field, and keeps it in E.164; LPSE's form has
// no phone field.
func TestBPJSRegistrationAsksForThePhone(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	_, body := b.get("/bpjs/daftar")
	assert.Contains(t, body, `id="phone" name="phone" type="tel"`)
	assert.Regexp(t, `id="phone"[^>]* required`, body)
	_, body = b.get("/lpse/daftar")
	assert.NotContains(t, body, `id="phone"`)
	_, body = b.get("/bpn/daftar")
	assert.Contains(t, body, `id="phone"`)
	assert.NotRegexp(t, `id="phone"[^>]* required`, body, "optional for BPN")

	form := url.Values{"consent": {"1"}, "username": {kpj}, "name": {"Rahmat"}, "email": {"rahmat@example.id"}, "password": {bpjsPass}, "password2": {bpjsPass}}
	status, body := b.post("/bpjs/daftar", form)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "reg.phone.required"))
	form.Set("phone", "021-555-1234")
	status, body = b.post("/bpjs/daftar", form)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Regexp(t, `id="phone"[^>]* aria-invalid="true"`, body)

	p.activeBPJS(b, "rahmat@example.id")
	acct, err := p.app.auth.Accounts().Get(t.Context(), accountIDOf(t, p, "bpjs", kpj))
	require.NoError(t, err)
	assert.Equal(t, bpjsPhone, acct.Phone)
}

// TestBPJSCaptchaEveryLoginAndResetByPhone: even the right password needs
// the captcha; a forgotten password is reset by a WhatsApp code to the
// registered number (a wrong number gets the same answer and no code).
func TestBPJSCaptchaEveryLoginAndResetByPhone(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeBPJS(b, "rahmat@example.id")

	status, body := b.login("bpjs", kpj, bpjsPass)
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, `name="captcha_id"`)
	status, body = b.loginBPJS(kpj, bpjsPass)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", b.url.Path)
	b.post("/keluar", url.Values{})

	_, body = b.get("/bpjs/lupa-sandi")
	for _, via := range []string{"email", "whatsapp", "sms"} {
		assert.Contains(t, body, `name="via" value="`+via+`"`)
	}
	before := p.app.outbox.Len()
	status, body = b.post("/bpjs/lupa-sandi", url.Values{"identifier": {kpj}, "via": {"whatsapp"}, "phone": {"0813-1111-2222"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "forgot.sent.phone"))
	require.NoError(t, p.app.auth.Close())
	assert.Equal(t, before, p.app.outbox.Len(), "a number that is not the account's gets nothing")

	status, body = b.post("/bpjs/lupa-sandi", url.Values{"identifier": {kpj}, "via": {"whatsapp"}, "phone": {""}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "reg.phone.required"))

	status, body = b.post("/bpjs/lupa-sandi", url.Values{"identifier": {kpj}, "via": {"whatsapp"}, "phone": {"(0812) 3456 7890"}})
	require.Equal(t, http.StatusOK, status, body)
	m := p.mail(bpjsPhone)
	assert.Equal(t, notify.WhatsApp, m.Channel)
	assert.Equal(t, notify.ResetCode, m.Purpose)
	status, body = b.post("/bpjs/atur-sandi", url.Values{"identifier": {kpj}, "flow": {flowOf(t, body)}, "code": {m.Code},
		"password": {"kartu baru peserta 2027"}, "password2": {"kartu baru peserta 2027"}})
	require.Equal(t, http.StatusOK, status, body)
	status, body = b.loginBPJS(kpj, "kartu baru peserta 2027")
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", b.url.Path)

	// The development outbox shows the WhatsApp message, and its code.
	_, body = b.get("/dev/outbox")
	assert.Contains(t, body, "WhatsApp")
	assert.Contains(t, body, m.Code)
}

// TestRemainingAttemptsWarning: the two failures before the lock warn
// how many are left, in the person's language, with the plural English
// needs; earlier ones do not.
func TestRemainingAttemptsWarning(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeBPJS(b, "rahmat@example.id")
	var bodies []string
	for range 4 {
		_, body := b.loginBPJS(kpj, "salah-sekali")
		bodies = append(bodies, body)
	}
	assert.NotContains(t, bodies[1], "sebelum akun dikunci")
	assert.Contains(t, bodies[2], "Sisa 2 percobaan lagi sebelum akun dikunci")
	assert.Contains(t, bodies[3], "Sisa 1 percobaan lagi sebelum akun dikunci")
	en := p.browser()
	en.get("/bahasa?lang=en&next=/")
	_, body := en.loginBPJS("19099999999", "salah-sekali")
	assert.NotContains(t, body, "left before the account locks", "four left: no warning yet")
	for range 2 {
		_, body = en.loginBPJS("19099999999", "salah-sekali")
	}
	assert.Contains(t, body, "2 attempts left before the account locks")
	_, body = en.loginBPJS("19099999999", "salah-sekali")
	assert.Contains(t, body, "1 attempt left before the account locks")
}

// TestAddPhoneCodesOnTheSecurityPage: a member with a phone adds codes by
// SMS on the security page, among the realm's channels; the next login's
// second step offers SMS. A realm's account without a phone sees no such
// form, and a made-up kind is refused.
func TestAddPhoneCodesOnTheSecurityPage(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeBPJS(b, "rahmat@example.id")
	_, body := b.loginBPJS(kpj, bpjsPass)
	require.Equal(t, "/akun", b.url.Path, body)
	_, body = b.get("/akun/keamanan")
	assert.Contains(t, body, `name="kind" value="sms"`)
	assert.Contains(t, body, `name="kind" value="whatsapp"`)
	status, _ := b.post("/akun/keamanan/email", url.Values{"kind": {"pigeon"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	status, body = b.post("/akun/keamanan/email", url.Values{"kind": {"sms"}})
	require.Equal(t, http.StatusOK, status, body)
	b.post("/keluar", url.Values{})
	_, body = b.loginBPJS(kpj, bpjsPass)
	assert.Contains(t, b.url.RawQuery, "sms", body)

	s := p.browser()
	p.activeSAPK(s, "siti@example.go.id")
	s.login("sapk", nip, sapkPass)
	_, body = s.get("/akun/keamanan")
	assert.NotContains(t, body, `name="kind"`)
}

// TestBPNLoginTakesTheEmail: BPN's login form says it takes the email,
// and is long enough for one; a realm that does not log in by email says
// only its username.
func TestBPNLoginTakesTheEmail(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	_, body := b.get("/bpn/masuk")
	assert.Contains(t, body, ">Nama pengguna atau email</label>")
	assert.Regexp(t, `id="username"[^>]*maxlength="254"`, body)
	_, body = b.get("/bpjs/masuk")
	assert.Contains(t, body, ">Nomor KPJ</label>")
	assert.Regexp(t, `id="username"[^>]*maxlength="64"`, body)
	p.activeBPN(b, "mitra.jaya", "kantor@mitra.example.id")
	_, body = b.login("bpn", "kantor@mitra.example.id", "salah-sekali")
	assert.Contains(t, body, "Nama pengguna atau kata sandi salah.")
	b.get("/bahasa?lang=en&next=/")
	_, body = b.login("bpn", "kantor@mitra.example.id", "salah-sekali")
	assert.Contains(t, body, "Username or password is wrong.")
}

// TestSMSGateway: with -sms-gateway, SMS go to the gateway (JSON, bearer
// token) and not to the outbox, while emails and WhatsApp codes stay in
// the outbox.
func TestSMSGateway(t *testing.T) {
	type sent struct{ To, Message, Auth string }
	got := make(chan sent, 4)
	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct{ To, Message string }
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		got <- sent{m.To, m.Message, r.Header.Get("Authorization")}
		w.Write([]byte(`{"status":"ok"}`))
	}))
	t.Cleanup(gw.Close)
	p := newPortal(t, func(c *config) { c.SMSGateway, c.SMSToken = gw.URL, "rahasia-gateway" })
	b := p.browser()
	p.activeBPJS(b, "rahmat@example.id")
	before := p.app.outbox.Len()
	_, body := b.post("/bpjs/lupa-sandi", url.Values{"identifier": {kpj}, "via": {"sms"}, "phone": {"0812-3456-7890"}})
	require.NoError(t, p.app.auth.Close())
	select {
	case s := <-got:
		assert.Equal(t, bpjsPhone, s.To)
		assert.Equal(t, "Bearer rahasia-gateway", s.Auth)
		code, ok := notify.ExtractCode(notify.Message{Channel: notify.SMS, Text: s.Message})
		require.True(t, ok, s.Message)
		assert.Equal(t, before, p.app.outbox.Len(), "the SMS did not also go to the outbox")
		status, body := b.post("/bpjs/atur-sandi", url.Values{"identifier": {kpj}, "flow": {flowOf(t, body)}, "code": {code},
			"password": {"kartu baru peserta 2027"}, "password2": {"kartu baru peserta 2027"}})
		require.Equal(t, http.StatusOK, status, body)
	default:
		t.Fatal("the gateway received no SMS")
	}
	b.post("/bpjs/lupa-sandi", url.Values{"identifier": {kpj}, "via": {"whatsapp"}, "phone": {"0812-3456-7890"}})
	assert.Equal(t, notify.WhatsApp, p.mail(bpjsPhone).Channel, "WhatsApp stays in the outbox")
}

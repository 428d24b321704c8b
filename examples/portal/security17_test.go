package main

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
)

// The tests of this file hold issue 17's security page: the password
// asked once (defect 14), the phone number changed by a code to the new
// one, and the operator's record of how an owner's identity was checked
// before an unlock (BPJS).

// loginBPJS logs a member in, solving the captcha BPJS asks at every
// login.
func loginBPJS(t *testing.T, b *browser) {
	t.Helper()
	_, body := b.get("/bpjs/masuk")
	id := captchaID(body)
	require.NotEmpty(t, id, "BPJS asks for a captcha at every login")
	_, body = b.login("bpjs", kpj, bpjsPass, "captcha_id", id, "captcha", "000000")
	require.Equal(t, "/akun", b.url.Path, body)
}

// failures is the operator's count of the account's failures in the
// current window.
func failures(t *testing.T, p *portal, realm string) string {
	t.Helper()
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body := op.get("/operator?realm=" + realm)
	_, body = op.get("/operator/akun?id=" + find(t, body, `/operator/akun\?id=([0-9a-f]+)`))
	return find(t, body, strings.Replace(t2("id", "op.lock.failures"), "%d", `(\d+)`, 1))
}

// TestSecurityAsksThePasswordOnce (defect 14): right after the login the
// security page has no password field and its actions go through on the
// session; eleven minutes on (past the 10-minute window), it shows one
// confirmation form, its other forms are disabled, and an action sent
// without the password is refused with the confirmation form and why. A
// wrong confirmation is an error that counts toward the lock; the right
// one enables the forms again.
func TestSecurityAsksThePasswordOnce(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path)

	status, body := b.get("/akun/keamanan")
	require.Equal(t, http.StatusOK, status, body)
	assert.NotContains(t, body, `type="password"`, "no password field right after the login")
	assert.NotContains(t, body, " disabled")
	assert.Contains(t, body, tf("id", "sec.reauth.until", clock("id", p.clock.Now().Add(10*time.Minute))))
	status, body = b.post("/akun/keamanan/email", url.Values{})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "codes.title"), "email codes added without a password")

	p.clock.Advance(11 * time.Minute)
	_, body = b.get("/akun/keamanan")
	assert.Contains(t, body, `<h2 id="reauth-title">`+t2("id", "sec.reauth.title")+`</h2>`)
	assert.Contains(t, inputTagOf(t, body, "reauth-password"), `type="password"`)
	assert.Equal(t, 1, strings.Count(body, `type="password"`), "one password field, the confirmation's")
	assert.Contains(t, body, `<fieldset class="plain" disabled aria-describedby="reauth-note">`)
	assert.Contains(t, body, t2("id", "sec.reauth.note"))
	assert.Contains(t, body, tf("id", "sec.reauth.intro", "10 menit"))

	// The window ended between the page and the form: refused, with the
	// confirmation form and the reason beside its field.
	status, body = b.post("/akun/keamanan/kode-pemulihan", url.Values{})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.NotContains(t, body, t2("id", "codes.title"), "no new codes")
	assert.Contains(t, body, `<p class="field-error" id="reauth-password-error"><span>`+t2("id", "sec.reauth.expired")+`</span></p>`)
	assert.Contains(t, inputTagOf(t, body, "reauth-password"), `aria-invalid="true"`)
	assert.Contains(t, body, `<fieldset class="plain" disabled`)

	assert.Equal(t, "0", failures(t, p, "sapk"))
	status, body = b.post("/akun/keamanan/konfirmasi", url.Values{"password": {"salah-sekali"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="reauth-password-error"><span>`+t2("id", "err.password")+`</span></p>`)
	assert.Contains(t, body, `<fieldset class="plain" disabled`)
	assert.Equal(t, "1", failures(t, p, "sapk"), "a wrong confirmation counts toward the lock")

	status, body = b.post("/akun/keamanan/konfirmasi", url.Values{"password": {sapkPass}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun/keamanan", b.url.Path)
	assert.Contains(t, body, `<p class="notice" role="status">`+t2("id", "sec.confirmed")+`</p>`)
	assert.NotContains(t, body, `type="password"`)
	assert.NotContains(t, body, " disabled")
	status, body = b.post("/akun/keamanan/kode-pemulihan", url.Values{})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "codes.title"), "new recovery codes without a password")

	// In English, the same.
	p.clock.Advance(11 * time.Minute)
	b.get("/bahasa?lang=en")
	_, body = b.get("/akun/keamanan")
	assert.Contains(t, body, "Confirm your password")
	_, body = b.post("/akun/keamanan/email", url.Values{})
	assert.Contains(t, body, t2("en", "sec.reauth.expired"))
}

// TestBPJSPhoneChange: a BPJS member sees the number masked, and changes
// it by a code sent by WhatsApp to the new one; the same number and one
// that is not a number are refused beside the field, and so is a wrong
// code. The old number and the email address are told.
func TestBPJSPhoneChange(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeBPJS(b, "budi@example.com")
	loginBPJS(t, b)
	_, body := b.get("/akun")
	assert.Contains(t, body, "<dd>+62812******90</dd>")

	_, body = b.get("/akun/keamanan")
	assert.Contains(t, body, `<h2 id="ponsel">`+t2("id", "sec.phone")+`</h2>`)
	assert.Contains(t, body, tf("id", "sec.phone.current", "+62812******90"))
	tag := inputTagOf(t, body, "phone")
	assert.Contains(t, tag, `maxlength="32"`)
	assert.Contains(t, body, `<input type="radio" name="method" value="sms" checked> SMS`, "the realm's first channel")
	assert.Contains(t, body, `<input type="radio" name="method" value="whatsapp"> WhatsApp`)

	for _, c := range []struct{ phone, want string }{
		{"0812 3456 7890", auth.Classify(auth.ErrSamePhone).Message("id")},
		{"12345", ""},
	} {
		status, body := b.post("/akun/keamanan/ponsel", url.Values{"phone": {c.phone}, "method": {"whatsapp"}})
		assert.Equal(t, http.StatusUnprocessableEntity, status, c.phone)
		errText := find(t, body, `<p class="field-error" id="phone-error"><span>([^<]+)</span></p>`)
		if c.want != "" {
			assert.Equal(t, c.want, errText)
		}
		tag := inputTagOf(t, body, "phone")
		assert.Contains(t, tag, `aria-invalid="true"`, c.phone)
		assert.Contains(t, tag, `value="`+c.phone+`"`, "what was typed stays")
		assert.Contains(t, body, `value="whatsapp" checked`, "and the channel chosen")
	}

	p.app.outbox.Reset()
	status, body := b.post("/akun/keamanan/ponsel", url.Values{"phone": {"0813-9876-5432"}, "method": {"whatsapp"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, tf("id", "sec.phone.sent", "WhatsApp", "+62813******32"))
	assert.Contains(t, inputTagOf(t, body, "phone-code"), `autocomplete="one-time-code"`)
	assert.NotContains(t, body, `id="phone"`, "the code step replaces the number's form")
	m := p.mail("+6281398765432")
	assert.Equal(t, notify.WhatsApp, m.Channel)
	code, ok := notify.ExtractCode(m)
	require.True(t, ok)

	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	status, body = b.post("/akun/keamanan/ponsel/kode", url.Values{"code": {wrong}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="phone-code-error"><span>`+t2("id", "sec.phone.wrongcode")+`</span></p>`)
	assert.Contains(t, body, tf("id", "sec.phone.current", "+62812******90"), "not changed")

	status, body = b.post("/akun/keamanan/ponsel/kode", url.Values{"code": {code}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `<p class="notice" role="status">`+t2("id", "sec.phone.changed")+`</p>`)
	assert.Contains(t, body, tf("id", "sec.phone.current", "+62813******32"))
	assert.Contains(t, body, `id="phone"`, "the step is over")
	assert.Equal(t, notify.PhoneChanged, p.mail(bpjsPhone).Purpose, "the old number is told")
	assert.Equal(t, notify.PhoneChanged, p.mail("budi@example.com").Purpose, "and the email address")
	_, body = b.get("/akun/aktivitas")
	assert.Contains(t, body, eventLabel("id", auth.EventPhoneChanged))

	// A realm that uses no phone has no such section.
	s := p.browser()
	p.activeSAPK(s, "siti@example.go.id")
	s.login("sapk", nip, sapkPass)
	_, body = s.get("/akun/keamanan")
	assert.NotContains(t, body, `id="ponsel"`)
}

// TestOperatorUnlockNeedsIdentityCheck: BPJS locks only an operator
// ends, and masuk asks how the member's identity was checked: without it
// the unlock is refused beside the field; with it the account is
// unlocked, and the history shows the check, labelled, in both
// languages.
func TestOperatorUnlockNeedsIdentityCheck(t *testing.T) {
	p := newPortal(t)
	p.activeBPJS(p.browser(), "budi@example.com")
	lockWith(t, p.browser(), "bpjs", kpj)

	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body := op.get("/operator?realm=bpjs")
	id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
	_, body = op.get("/operator/akun?id=" + id)
	assert.Contains(t, body, t2("id", "op.lock.permanent"))
	assert.Contains(t, body, t2("id", "op.identity.required"))

	status, body := op.post("/operator/akun", url.Values{"id": {id}, "action": {"unlock"}, "reason": {"Peserta datang ke kantor cabang"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="identity_check-error"><span>`+auth.Classify(auth.ErrIdentityCheckRequired).Message("id")+`</span></p>`)
	assert.Contains(t, inputTagOf(t, body, "identity_check"), `aria-invalid="true"`)
	assert.Contains(t, inputTagOf(t, body, "reason"), `value="Peserta datang ke kantor cabang"`)
	assert.Contains(t, body, t2("id", "op.lock.permanent"), "still locked")

	const check = "KTP asli di kantor cabang Jakarta Selatan"
	status, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"unlock"}, "reason": {"Peserta datang ke kantor cabang"}, "identity_check": {check}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "op.lock.none"))
	for _, lang := range []string{"id", "en"} {
		op.get("/bahasa?lang=" + lang)
		_, body = op.get("/operator/akun?id=" + id)
		assert.Contains(t, body, `<small class="detail">`+detailLabels["identity_check"][lix(lang)]+": "+check+`</small>`, lang)
	}
	b := p.browser()
	loginBPJS(t, b)
}

// TestBrowserSecurity17 shows, in a real browser at a phone's width, in
// Indonesian and English, the security page right after the login (no
// password field), past the window (one confirmation form, the others
// disabled) and after the confirmation; a BPJS member's phone change by
// WhatsApp, with its code step; and the operator's unlock refused for
// want of the identity check, then recorded with it.
func TestBrowserSecurity17(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	p.activeBPJS(p.browser(), "budi@example.com")
	c := newChrome(t, p)
	c.timeout = 5 * time.Minute
	check := func(b *tab, lang, name string) {
		t.Helper()
		assert.Empty(t, untranslated(lang, b.text()), "%s %s", lang, name)
		assert.False(t, eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`), "%s %s is wider than the screen", lang, name)
		b.shot(fmt.Sprintf("sec17-%s-375-%s", lang, name))
	}
	passwords := `document.querySelectorAll("input[type=password]").length`
	disabled := `Array.from(document.querySelectorAll("fieldset")).some(f => f.disabled)`

	b := c.person()
	b.do(chromedp.EmulateViewport(375, 800))
	b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.path())
	for i, lang := range []string{"id", "en"} {
		b.open("/bahasa?lang=" + lang + "&next=/akun/keamanan")
		assert.Equal(t, 0, eval[int](b, passwords), lang)
		assert.False(t, eval[bool](b, disabled), lang)
		check(b, lang, "keamanan")

		p.clock.Advance(11 * time.Minute)
		b.open("/akun/keamanan")
		assert.Equal(t, 1, eval[int](b, passwords), lang)
		assert.True(t, eval[bool](b, disabled), lang)
		check(b, lang, "keamanan-konfirmasi")
		b.fill("#reauth-password", sapkPass)
		b.click(`form[action="/akun/keamanan/konfirmasi"] > button`)
		assert.Contains(t, b.text(), t2(lang, "sec.confirmed"))
		assert.Equal(t, 0, eval[int](b, passwords), lang)
		assert.False(t, eval[bool](b, disabled), lang)
		// Email codes first, then new recovery codes: without a password.
		b.click([]string{`form[action="/akun/keamanan/email"] > button`, `form[action="/akun/keamanan/kode-pemulihan"] > button`}[i])
		assert.Contains(t, b.text(), t2(lang, "codes.title"))
		b.open("/akun/keamanan")
		check(b, lang, "keamanan-dikonfirmasi")
	}

	m := c.person()
	m.do(chromedp.EmulateViewport(375, 800))
	for i, lang := range []string{"id", "en"} {
		m.open("/bahasa?lang=" + lang + "&next=/bpjs/masuk")
		if i == 0 {
			m.fill("#username", kpj, "#password", bpjsPass, "#captcha", "000000")
			m.click(`form[action$="/masuk"] > button`)
			require.Equal(t, "/akun", m.path())
			m.open("/akun/keamanan")
		} else {
			m.open("/akun/keamanan")
		}
		m.fill("#phone", []string{"0812-3456-7890", "0813 9876 5432"}[i])
		m.click(`form[action="/akun/keamanan/ponsel"] > button`)
		assert.Contains(t, m.text(), auth.Classify(auth.ErrSamePhone).Message(lang))
		check(m, lang, "ponsel-sama")

		to := []string{"+6281398765432", "+6285712345678"}[i]
		p.app.outbox.Reset()
		m.fill("#phone", "0"+to[3:])
		m.do(chromedp.Click(chromedp.CSS(`input[name=method][value=whatsapp]`)))
		m.click(`form[action="/akun/keamanan/ponsel"] > button`)
		check(m, lang, "ponsel-kode")
		msg := p.mail(to)
		assert.Equal(t, notify.WhatsApp, msg.Channel)
		code, ok := notify.ExtractCode(msg)
		require.True(t, ok)
		m.fill("#phone-code", code)
		m.click(`form[action="/akun/keamanan/ponsel/kode"] > button`)
		assert.Contains(t, m.text(), t2(lang, "sec.phone.changed"))
		assert.Contains(t, m.text(), tf(lang, "sec.phone.current", maskPhone(to)))
		check(m, lang, "ponsel-diganti")
	}

	lockWith(t, p.browser(), "bpjs", kpj)
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body := op.get("/operator?realm=bpjs")
	id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
	o := c.person()
	o.do(chromedp.EmulateViewport(375, 800))
	o.login("operator", operatorUsername, p.app.seededPassword)
	for _, lang := range []string{"id", "en"} {
		o.open("/bahasa?lang=" + lang + "&next=/operator/akun?id=" + id)
		o.fill("#reason", "Peserta datang ke kantor cabang")
		o.click(`button[value=unlock]`)
		assert.Contains(t, o.text(), auth.Classify(auth.ErrIdentityCheckRequired).Message(lang))
		check(o, lang, "operator-buka-kunci-salah")
	}
	o.fill("#identity_check", "Panggilan video ke nomor terdaftar")
	o.click(`button[value=unlock]`)
	for _, lang := range []string{"id", "en"} {
		o.open("/bahasa?lang=" + lang + "&next=/operator/akun?id=" + id)
		assert.Contains(t, o.text(), detailLabels["identity_check"][lix(lang)]+": Panggilan video ke nomor terdaftar")
		check(o, lang, "operator-buka-kunci")
	}
}

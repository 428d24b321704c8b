package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// The tests of issue 17's login: the enrollment that BPN's mandatory
// second factor asks of a partner at the first login (an authenticator
// app, or codes by email), and the second step by a code sent to the
// phone (BPJS's SMS).

const bpnPass = "Sawah#Hijau2026"

// activeBPN registers a BPN partner with the portal's form and activates
// the account by the link from the outbox.
func (p *portal) activeBPN(b *browser, username, email string) {
	t := p.t
	t.Helper()
	status, body := b.post("/bpn/daftar", url.Values{"consent": {"1"}, "username": {username}, "name": {"Sari Wulandari, S.H., M.Kn."},
		"email": {email}, "password": {bpnPass}, "password2": {bpnPass}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/bpn/daftar", b.url.Path, "the page that says to check the email")
	p.activateByLink(b, email)
}

// activateByLink opens the activation link of the newest email to the
// address and confirms it.
func (p *portal) activateByLink(b *browser, email string) {
	t := p.t
	t.Helper()
	link, ok := notify.ExtractLink(p.mail(email))
	require.True(t, ok)
	require.True(t, strings.HasPrefix(link, "http://127.0.0.1:8080/bpn/aktivasi?token="), link)
	_, body := b.get(pathOf(t, link))
	status, body := b.post("/bpn/aktivasi", url.Values{"token": {find(t, body, `name="token" value="([^"]+)"`)}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "act.active"))
}

// firstBPNLogin registers and activates a BPN partner and logs in for the
// first time, which stops at the enrollment; it returns that page.
func (p *portal) firstBPNLogin(b *browser, username, email string) string {
	t := p.t
	t.Helper()
	p.activeBPN(b, username, email)
	_, body := b.login("bpn", username, bpnPass)
	require.Equal(t, "/bpn/pasang-verifikasi", b.url.Path, body)
	return body
}

// noFollow sends a request without following its redirect, to read the
// answer's cookies and location.
func noFollow(t *testing.T, p *portal, path string, form url.Values) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp
}

// TestBPNEnrollsAuthenticatorAtFirstLogin: a BPN partner's first login
// stops at the enrollment BPN requires, kept in an HttpOnly cookie and
// never in the address; the page offers what the library lists for the
// account, in its order (no SMS for an account without a phone). The app's
// first code completes the login, which shows the first recovery codes
// once and goes on to where the login was going. The next login asks for
// the app's code.
func TestBPNEnrollsAuthenticatorAtFirstLogin(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeBPN(b, "sari.notaris", "sari@notaris.example.id")

	resp := noFollow(t, p, "/bpn/masuk", url.Values{"username": {"sari.notaris"}, "password": {bpnPass}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	loc := resp.Header.Get("Location")
	assert.True(t, strings.HasPrefix(loc, "/bpn/pasang-verifikasi?"), loc)
	var pending *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == enrollCookie {
			pending = c
		}
	}
	require.NotNil(t, pending, "the pending enrollment is kept in a cookie")
	assert.True(t, pending.HttpOnly)
	assert.Equal(t, http.SameSiteLaxMode, pending.SameSite)
	assert.NotContains(t, loc, pending.Value, "never in the address")

	// By email as well as by username (BPN's Login.ByEmail), with the page
	// the login was going to.
	_, body := b.login("bpn", "sari@notaris.example.id", bpnPass, "next", "/akun/sesi")
	require.Equal(t, "/bpn/pasang-verifikasi", b.url.Path, body)
	assert.Contains(t, body, t2("id", "setup.title"))
	assert.Contains(t, body, tf("id", "setup.intro", "Portal Masuk Mitra BPN"))
	assert.Less(t, strings.Index(body, t2("id", "setup.totp.choose")), strings.Index(body, t2("id", "setup.email.choose")),
		"the app first, then email, in the library's order")
	assert.NotContains(t, body, t2("id", "setup.sms.choose"), "no phone, no SMS")
	assert.NotContains(t, body, t2("id", "login.expired"))
	choice := b.url.RequestURI()

	// The authenticator app: its QR code inline, its key in groups.
	status, body := b.post(choice, url.Values{"method": {"totp"}, "next": {"/akun/sesi"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, `src="data:image/png;base64,`)
	assert.Contains(t, body, tf("id", "enroll.issuer", "Portal Masuk Mitra BPN"))
	assert.Contains(t, body, `action="/bpn/pasang-verifikasi/konfirmasi"`)
	assert.Contains(t, body, t2("id", "setup.other"))
	assert.Equal(t, "/bahasa?lang=en&next=%2fbpn%2fpasang-verifikasi%3fnext%3d%252Fakun%252Fsesi", langLink(t, body),
		"the language switch goes back to the choice, not to the POST's address")
	secret := manualKey(t, body)
	factor := find(t, body, `name="factor_id" value="([^"]+)"`)
	confirm := "/bpn/pasang-verifikasi/konfirmasi"

	status, body = b.post(confirm, url.Values{"factor_id": {factor}, "code": {"000000"}, "next": {"/akun/sesi"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "enroll.retry"))
	assert.Contains(t, body, `aria-invalid="true"`)
	status, _ = b.get("/akun")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "/", b.url.Path, "no session before the app's code")

	code, err := totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	status, body = b.post(confirm, url.Values{"factor_id": {factor}, "code": {code}, "next": {"/akun/sesi"}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "codes.title"))
	assert.Contains(t, body, t2("id", "setup.totp.done"))
	recovery := regexp.MustCompile(`<li><code>([^<]+)</code></li>`).FindAllStringSubmatch(body, -1)
	assert.Len(t, recovery, 10)
	assert.Contains(t, body, `href="/akun/sesi">`+t2("id", "codes.done"), "then where the login was going")
	assert.Contains(t, body, `action="/keluar"`, "the header says the person is logged in")

	// Logged in: the page's download works with the session it began;
	// the enrollment is used up.
	codes := url.Values{}
	for _, c := range recovery {
		codes.Add("code", c[1])
	}
	status, body = b.post("/akun/keamanan/kode-pemulihan/unduh", codes)
	require.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, recovery[0][1])
	assert.Contains(t, body, "Portal Masuk Mitra BPN")
	_, body = b.get("/akun/sesi")
	assert.Equal(t, "/akun/sesi", b.url.Path, body)
	_, body = b.get(choice)
	assert.Equal(t, "/bpn/masuk", b.url.Path)
	assert.Contains(t, body, t2("id", "login.expired"))

	// The next login asks for the app's code; the first one is used.
	b.post("/keluar", nil)
	_, body = b.login("bpn", "sari.notaris", bpnPass)
	require.Equal(t, "/bpn/verifikasi", b.url.Path, body)
	assert.Contains(t, body, t2("id", "sf.totp"))
	assert.Contains(t, body, t2("id", "sf.recovery"))
	_, body = b.post(b.url.RequestURI(), url.Values{"method": {"totp"}, "code": {code}})
	assert.Contains(t, body, auth.Classify(auth.ErrInvalidCode).Message("id"), "the enrollment's code cannot log in again")
	p.clock.Advance(time.Minute)
	code, err = totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	_, body = b.post(b.url.RequestURI(), url.Values{"method": {"totp"}, "code": {code}})
	assert.Equal(t, "/akun", b.url.Path, body)
}

// TestBPNEnrollsEmailCodes: a partner who chooses codes by email goes on
// to the second step with them alone; the first code proves the address
// and completes the login, and the next login asks for a code by email.
// An account with a phone is offered SMS too (BPN's PhoneCodes), after
// the app and email.
func TestBPNEnrollsEmailCodes(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.firstBPNLogin(b, "budi.ppat", "budi@ppat.example.id")
	_, body := b.post(b.url.RequestURI(), url.Values{"method": {"email"}})
	require.Equal(t, "/bpn/verifikasi", b.url.Path, body)
	assert.Equal(t, "email", b.url.Query().Get("m"), "the factor just added, alone")
	assert.Contains(t, body, t2("id", "sf.enrolled"))
	assert.Contains(t, body, t2("id", "sf.email.send"))
	assert.NotContains(t, body, t2("id", "sf.totp"))
	assert.NotContains(t, body, t2("id", "sf.recovery"), "no recovery codes before the address is proved")

	p.app.outbox.Reset()
	_, body = b.post(b.url.RequestURI(), url.Values{"method": {"email"}, "send": {"1"}})
	assert.Contains(t, body, "b***@ppat.example.id")
	code, ok := notify.ExtractCode(p.mail("budi@ppat.example.id"))
	require.True(t, ok)
	status, body := b.post(b.url.RequestURI(), url.Values{"method": {"email"}, "code": {"000000"}})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, auth.Classify(auth.ErrInvalidCode).Message("id"))
	_, body = b.post(b.url.RequestURI(), url.Values{"method": {"email"}, "code": {code}})
	assert.Equal(t, "/akun", b.url.Path, body)
	_, body = b.get("/akun/keamanan")
	assert.Contains(t, body, t2("id", "sec.kind.email"))

	b.post("/keluar", nil)
	_, body = b.login("bpn", "budi.ppat", bpnPass)
	require.Equal(t, "/bpn/verifikasi", b.url.Path, body)
	assert.Contains(t, b.url.Query().Get("m"), "email")
	assert.NotContains(t, body, t2("id", "sf.enrolled"))

	// A partner with a phone number (the registration form does not ask
	// for one yet): the library lists SMS, and the page offers it.
	ctx := context.Background()
	_, err := p.app.auth.Accounts().Register(ctx, auth.Registration{Realm: bpnRealm, Username: "rina.surveyor", Email: "rina@survei.example.id",
		Phone: "+6281234567890", Password: bpnPass})
	require.NoError(t, err)
	other := p.browser()
	p.activateByLink(other, "rina@survei.example.id")
	_, body = other.login("bpn", "rina.surveyor", bpnPass)
	require.Equal(t, "/bpn/pasang-verifikasi", other.url.Path, body)
	assert.Less(t, strings.Index(body, t2("id", "setup.totp.choose")), strings.Index(body, t2("id", "setup.email.choose")))
	assert.Less(t, strings.Index(body, t2("id", "setup.email.choose")), strings.Index(body, t2("id", "setup.sms.choose")))
	assert.NotContains(t, body, t2("id", "setup.whatsapp.choose"), "BPN sends no WhatsApp")
	// A method the page was not told of is refused by the library.
	status, body = other.post(other.url.RequestURI(), url.Values{"method": {"whatsapp"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, auth.Classify(auth.ErrMethodUnavailable).Message("id"))
	assert.Equal(t, "/bpn/pasang-verifikasi", other.url.Path)
	_, body = other.post(other.url.RequestURI(), url.Values{"method": {"sms"}})
	require.Equal(t, "/bpn/verifikasi", other.url.Path, body)
	assert.Equal(t, "sms", other.url.Query().Get("m"))
	assert.Contains(t, body, t2("id", "sf.sms.send"))
}

// bpjsWithSMS makes an active BPJS member with a phone, and adds codes by
// SMS as its second factor: the registration form does not ask for a
// phone yet, nor the security page for SMS, so the library does.
func (p *portal) bpjsWithSMS(kpj, phone, email string) {
	t := p.t
	t.Helper()
	ctx := context.Background()
	reg, err := p.app.auth.Accounts().Register(ctx, auth.Registration{Realm: bpjsRealm, Username: kpj, Email: email, Phone: phone, Password: bpjsPass})
	require.NoError(t, err)
	code, ok := notify.ExtractCode(p.mail(email))
	require.True(t, ok)
	done, err := p.app.auth.Accounts().Confirm(ctx, auth.Confirmation{Realm: bpjsRealm, Identifier: kpj, Code: code, Flow: reg.Flow})
	require.NoError(t, err)
	_, err = p.app.auth.Factors().AddCodes(ctx, auth.CodeFactor{Kind: store.FactorSMS, FactorChange: auth.FactorChange{AccountID: done.Account.ID, Password: bpjsPass}})
	require.NoError(t, err)
}

// TestBPJSSecondStepBySMS: a BPJS member who added codes by SMS is asked
// for one at the login, by SMS or, failing that, WhatsApp (BPJS's
// PhoneCodes, in its order); the notice names the number masked, and the
// SMS's code completes the login.
func TestBPJSSecondStepBySMS(t *testing.T) {
	p := newPortal(t)
	const kpj, phone = "19012345678", "+6281234567890"
	p.bpjsWithSMS(kpj, phone, "joko@example.com")

	b := p.browser()
	_, body := b.get("/bpjs/masuk")
	// BPJS asks for a captcha at every login; the test's answers are 0s.
	_, body = b.login("bpjs", kpj, bpjsPass, "captcha_id", captchaID(body), "captcha", "000000")
	require.Equal(t, "/bpjs/verifikasi", b.url.Path, body)
	assert.Equal(t, "sms,whatsapp,recovery", b.url.Query().Get("m"))
	assert.Less(t, strings.Index(body, t2("id", "sf.sms.send")), strings.Index(body, t2("id", "sf.whatsapp.send")))
	assert.Contains(t, body, `id="code-sms"`)
	assert.Contains(t, body, `id="code-whatsapp"`)
	assert.NotContains(t, body, t2("id", "sf.email.send"))

	p.app.outbox.Reset()
	_, body = b.post(b.url.RequestURI(), url.Values{"method": {"sms"}, "send": {"1"}})
	sms := p.mail(phone)
	assert.Equal(t, notify.SMS, sms.Channel)
	sent, _, _ := strings.Cut(tf("id", "sf.sms.sent", "+62812******90", ""), " Berlaku")
	assert.Contains(t, body, sent)
	assert.NotContains(t, body, phone, "the number is masked")
	assert.Contains(t, inputTagOf(t, body, "code-sms"), "autofocus", "the code goes in the SMS's field")
	assert.NotContains(t, inputTagOf(t, body, "code-whatsapp"), "autofocus")
	// The language switch of the answer to the POST stays on the step.
	_, body = b.get(langLink(t, body))
	assert.Equal(t, "/bpjs/verifikasi", b.url.Path)
	assert.Equal(t, "sms,whatsapp,recovery", b.url.Query().Get("m"))
	assert.Contains(t, body, t2("en", "sf.sms.send"))
	_, body = b.get(langLink(t, body))
	assert.Contains(t, body, t2("id", "sf.sms.send"))
	code, ok := notify.ExtractCode(sms)
	require.True(t, ok)

	status, body := b.post(b.url.RequestURI(), url.Values{"method": {"sms"}, "code": {"000000"}})
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, inputTagOf(t, body, "code-sms"), `aria-invalid="true"`, "the error is on the SMS's field")
	_, body = b.post(b.url.RequestURI(), url.Values{"method": {"sms"}, "code": {code}})
	assert.Equal(t, "/akun", b.url.Path, body)
}

// TestEnrollmentExpired: a pending enrollment that has expired leads back
// to the login, which says so, whether the person then chooses a factor
// or confirms an app begun in time; and the page without the cookie does
// the same.
func TestEnrollmentExpired(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.firstBPNLogin(b, "sari.notaris", "sari@notaris.example.id")
	choice := b.url.RequestURI()
	p.clock.Advance(6 * time.Minute)
	_, body := b.post(choice, url.Values{"method": {"email"}})
	assert.Equal(t, "/bpn/masuk", b.url.Path)
	assert.Equal(t, "expired", b.url.Query().Get("ok"))
	assert.Contains(t, body, t2("id", "login.expired"))
	_, body = b.get(choice)
	assert.Equal(t, "/bpn/masuk", b.url.Path, "the cookie is gone")
	assert.Contains(t, body, t2("id", "login.expired"))

	// An app begun in time, confirmed too late.
	_, body = b.login("bpn", "sari.notaris", bpnPass)
	require.Equal(t, "/bpn/pasang-verifikasi", b.url.Path, body)
	_, body = b.post(b.url.RequestURI(), url.Values{"method": {"totp"}})
	secret := manualKey(t, body)
	factor := find(t, body, `name="factor_id" value="([^"]+)"`)
	p.clock.Advance(6 * time.Minute)
	code, err := totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	_, body = b.post("/bpn/pasang-verifikasi/konfirmasi", url.Values{"factor_id": {factor}, "code": {code}})
	assert.Equal(t, "/bpn/masuk", b.url.Path)
	assert.Contains(t, body, t2("id", "login.expired"))
	b.get("/akun")
	assert.Equal(t, "/", b.url.Path, "no session")
}

// TestLoginMessages: every message the second step's and the enrollment's
// templates name by method exists, in both languages.
func TestLoginMessages(t *testing.T) {
	for _, m := range []auth.Method{auth.MethodEmail, auth.MethodSMS, auth.MethodWhatsApp} {
		for _, k := range []string{"sf.%s", "sf.%s.send", "sf.%s.sent"} {
			assert.Contains(t, messages, strings.Replace(k, "%s", string(m), 1))
		}
	}
	for _, m := range []auth.Method{auth.MethodPasskey, auth.MethodTOTP, auth.MethodEmail, auth.MethodSMS, auth.MethodWhatsApp} {
		for _, k := range []string{"setup.%s", "setup.%s.about", "setup.%s.choose"} {
			assert.Contains(t, messages, strings.Replace(k, "%s", string(m), 1))
		}
	}
	for _, set := range []map[string][2]string{loginMessages, passkeyMessages, federationMessages} {
		for k := range set {
			assert.Equal(t, strings.Count(messages[k][0], "%"), strings.Count(messages[k][1], "%"), k)
		}
	}
}

// phonePage checks that a page at a phone's width is fully translated and
// no wider than the screen, and shoots it as lang-375-realm-name.png.
func phonePage(b *tab, lang, realm, name string) {
	t := b.c.t
	t.Helper()
	assert.Empty(t, untranslated(lang, b.text()), "%s %s %s", lang, realm, name)
	assert.False(t, eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`),
		"%s %s %s is wider than the screen", lang, realm, name)
	b.shot(fmt.Sprintf("%s-375-%s-%s", lang, realm, name))
}

// focusOn waits for the element with the id to take the focus, and
// returns the id of the one that has it: autofocus runs at the page's
// first rendering, which may come just after its load event.
func focusOn(b *tab, id string) string {
	b.c.t.Helper()
	focused := ""
	for range 40 {
		if focused = eval[string](b, `document.activeElement.id`); focused == id {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	return focused
}

// TestBrowserBPNFirstLogin walks, in a real browser at a phone's width
// (375 px), in Indonesian and in English, a BPN partner's registration,
// activation by the link from the outbox, first login, enrollment of an
// authenticator app by its key, and the account: each page fully
// translated and no wider than the screen, shot as
// lang-375-bpn-page.png.
func TestBrowserBPNFirstLogin(t *testing.T) {
	p := newPortal(t)
	c := newChrome(t, p)
	c.timeout = 3 * time.Minute
	for _, lang := range []string{"id", "en"} {
		b := c.person()
		b.do(chromedp.EmulateViewport(375, 800))
		b.open("/bahasa?lang=" + lang + "&next=/")
		username, email := "sari.notaris."+lang, "sari."+lang+"@notaris.example.id"

		b.open("/bpn/daftar")
		b.fill("#username", username, "#name", "Sari Wulandari, S.H., M.Kn.", "#email", email, "#password", bpnPass, "#password2", bpnPass)
		b.do(chromedp.Click(chromedp.CSS("#consent")))
		b.click(`form[action="/bpn/daftar"] > button`)
		assert.Contains(t, b.text(), t2(lang, "reg.done.link"))
		link, ok := notify.ExtractLink(p.mail(email))
		require.True(t, ok)
		b.open(pathOf(t, link))
		b.click(`form[action="/bpn/aktivasi"] > button`)
		assert.Contains(t, b.text(), t2(lang, "act.active"))

		b.login("bpn", username, bpnPass)
		require.Equal(t, "/bpn/pasang-verifikasi", strings.Split(b.path(), "?")[0])
		text := b.text()
		assert.Contains(t, text, t2(lang, "setup.title"))
		assert.Contains(t, text, t2(lang, "setup.email.choose"))
		phonePage(b, lang, "bpn", "pasang-verifikasi")

		b.click(`form:has(input[name="method"][value="totp"]) > button`)
		b.do(chromedp.WaitVisible(chromedp.CSS(`img[src^="data:image/png;base64,"]`)))
		groups := eval[[]int](b, `Array.from(document.querySelectorAll("code.key span")).map(s => s.getClientRects().length)`)
		require.NotEmpty(t, groups)
		for i, n := range groups {
			assert.Equal(t, 1, n, "group %d of the key is on one line", i)
		}
		phonePage(b, lang, "bpn", "pasang-aplikasi")
		secret := manualKey(t, b.html())
		b.fill("#code", "000000")
		b.click(`form[action="/bpn/pasang-verifikasi/konfirmasi"] > button`)
		assert.Contains(t, b.text(), t2(lang, "enroll.retry"))
		phonePage(b, lang, "bpn", "pasang-aplikasi-salah")
		code, err := totp.Params{}.Code(secret, p.clock.Now())
		require.NoError(t, err)
		b.fill("#code", code)
		b.click(`form[action="/bpn/pasang-verifikasi/konfirmasi"] > button`)
		text = b.text()
		assert.Contains(t, text, t2(lang, "codes.title"))
		assert.Contains(t, text, t2(lang, "setup.totp.done"))
		assert.Contains(t, text, t2(lang, "nav.logout"), "the header says the person is logged in")
		phonePage(b, lang, "bpn", "kode-pemulihan")

		b.click(`a.button[href="/akun"]`)
		assert.Equal(t, "/akun", b.path())
		assert.Contains(t, b.text(), username)
		phonePage(b, lang, "bpn", "akun")
	}
}

// TestBrowserBPJSSecondStepBySMS: a BPJS member's second step by SMS in a
// real browser at 375 px, in both languages: the page offers SMS, then
// WhatsApp; the notice names the number masked; the SMS's code logs in.
// Shot as lang-375-bpjs-verifikasi(-terkirim).png.
func TestBrowserBPJSSecondStepBySMS(t *testing.T) {
	p := newPortal(t)
	c := newChrome(t, p)
	c.timeout = 2 * time.Minute
	for i, lang := range []string{"id", "en"} {
		kpj, phone := fmt.Sprintf("1901234567%d", i), fmt.Sprintf("+628123456789%d", i)
		p.bpjsWithSMS(kpj, phone, "peserta"+lang+"@example.com")
		b := c.person()
		b.do(chromedp.EmulateViewport(375, 800))
		b.open("/bahasa?lang=" + lang + "&next=/bpjs/masuk")
		b.fill("#username", kpj, "#password", bpjsPass, "#captcha", "000000")
		b.click(`form[action$="/masuk"] > button`)
		require.Equal(t, "/bpjs/verifikasi", strings.Split(b.path(), "?")[0])
		phonePage(b, lang, "bpjs", "verifikasi")
		b.click(`form:has(#code-sms) button[name="send"]`)
		assert.Contains(t, b.text(), phone[:6]+"******"+phone[len(phone)-2:])
		assert.Equal(t, "code-sms", focusOn(b, "code-sms"), "the SMS's field has the focus")
		phonePage(b, lang, "bpjs", "verifikasi-terkirim")
		code, ok := notify.ExtractCode(p.mail(phone))
		require.True(t, ok)
		b.fill("#code-sms", code)
		b.click(`form:has(#code-sms) > button:not([name="send"])`)
		assert.Equal(t, "/akun", b.path())
	}
}

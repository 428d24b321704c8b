package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/totp"
)

// The tests of this file hold the fixes of issue 17, §5: the portal's
// defects of use, each by the behaviour a person meets.

// langLink is the address of the page's language switch.
func langLink(t *testing.T, body string) string {
	t.Helper()
	return find(t, body, `<a href="(/bahasa\?[^"]+)" lang=`)
}

// inputTagOf returns the tag of the input with the id.
func inputTagOf(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<input id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindString(body)
	require.NotEmpty(t, m, "no input #%s", id)
	return m
}

// TestLoginButtonFirst (defect 1): Enter in a field submits a form's
// first submit button, which must be the login's, not "new picture"'s.
func TestLoginButtonFirst(t *testing.T) {
	p := newPortal(t)
	_, body := fail(p.browser(), "sapk", nip, 3)
	require.NotEmpty(t, captchaID(body))
	form := find(t, body, `(?s)(<form method="post" action="/sapk/masuk".*?</form>)`)
	first := regexp.MustCompile(`<button[^>]*>`).FindString(form)
	assert.NotContains(t, first, `name="refresh"`, "the first button is the login's: %s", first)
	assert.Contains(t, form, `name="refresh"`, "new picture is still offered")
}

// TestCaptchaBudgetSaysWhen (defect 2): past the captcha issuance budget of
// an address, the login page says until when, in its own words, and asks
// for no captcha it cannot show; even the right password waits until
// then, when a picture is shown again.
func TestCaptchaBudgetSaysWhen(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	b := p.browser()
	_, body := fail(b, "sapk", nip, 3)
	var status int
	for i := 0; captchaID(body) != ""; i++ {
		require.Less(t, i, 40, "the budget ends")
		status, body = b.post("/sapk/masuk", url.Values{"username": {nip}, "captcha_id": {captchaID(body)}, "refresh": {"1"}})
	}
	retry := clock("id", p.clock.Now().Add(10*time.Minute))
	for _, page := range []func() (int, string){
		func() (int, string) { return status, body },
		func() (int, string) { return b.get("/sapk/masuk") },
		func() (int, string) { return b.login("sapk", nip, sapkPass) },
	} {
		status, body := page()
		assert.Equal(t, http.StatusTooManyRequests, status)
		assert.Contains(t, body, tf("id", "login.captcha.toomany", retry))
		assert.NotContains(t, body, "%s")
		assert.NotContains(t, body, `name="captcha"`, "no field for a captcha that is not shown")
		assert.NotContains(t, body, t2("id", "login.captcha.required"))
	}
	p.clock.Advance(10 * time.Minute)
	_, body = b.get("/sapk/masuk")
	id := captchaID(body)
	require.NotEmpty(t, id, "a picture again")
	_, body = b.login("sapk", nip, sapkPass, "captcha_id", id, "captcha", "000000")
	assert.Equal(t, "/akun", b.url.Path, body)
}

// TestPolicyLabelIsTheRuleEnforced (defect 3): the label under a new
// password says the rule the realm's policy enforces, read from it: with
// a least length of 12, every realm says 12, SAPK adds its capital and
// digit, and a password of 10 characters is refused as the label says.
func TestPolicyLabelIsTheRuleEnforced(t *testing.T) {
	p := newPortal(t, func(c *config) { c.PasswordMinLength = 12 })
	b := p.browser()
	for realm, want := range map[string]string{
		"lpse": "Minimal 12 karakter; bukan kata sandi yang umum, dan tidak memuat NPWP atau email Anda.",
		"sapk": "Minimal 12 karakter, dengan setidaknya 1 huruf kapital dan 1 angka; bukan kata sandi yang umum, dan tidak memuat NIP atau email Anda.",
	} {
		_, body := b.get("/" + realm + "/daftar")
		assert.Contains(t, body, `<small id="policy">`+want+`</small>`, realm)
	}
	b.get("/bahasa?lang=en")
	_, body := b.get("/sapk/daftar")
	assert.Contains(t, body, "At least 12 characters, with at least 1 capital letter and 1 digit; not a common password, and not containing your NIP or email.")
	status, body := b.post("/sapk/daftar", url.Values{"consent": {"1"}, "username": {nip}, "name": {"Siti"}, "email": {"siti@example.go.id"},
		"password": {"Rahasia2x9"}, "password2": {"Rahasia2x9"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, "at least 12 characters")
}

// TestOperatorPagesTranslated (defect 4): the state filter is labelled as
// a state, a list's cells name their column on a phone, and an
// operator's entry in a history names the operator, not a raw key.
func TestOperatorPagesTranslated(t *testing.T) {
	p := newPortal(t)
	p.activeLPSE(p.browser(), "budi@example.co.id")
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	for _, lang := range []string{"id", "en"} {
		op.get("/bahasa?lang=" + lang)
		_, body := op.get("/operator?realm=lpse")
		assert.Contains(t, body, `<label for="state">`+t2(lang, "op.state")+`</label>`)
		assert.Contains(t, body, `<span class="cell-label" aria-hidden="true">`+t2(lang, "op.state")+`: </span>`)
		id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
		_, body = op.get("/operator/akun?id=" + id)
		assert.NotContains(t, body, "operator#", "the operator's raw name")
		assert.Regexp(t, `<small class="detail">`+detailLabels["by"][lix(lang)]+`: operator \(`+strings.Fields(t2(lang, "op.by"))[1][1:]+` [0-9a-f]{8}\)</small>`, body)
		for _, raw := range []string{">company<", ">lang<", ">lpse<", "by=operator", "reason="} {
			assert.NotContains(t, body, raw)
		}
	}
}

// TestLanguageSwitchKeepsTheStep (defect 8): switching the language on a
// step of a flow (the code form after a registration or a reset request,
// "check your email", an activation link's button) stays on that step,
// with the state it needs.
func TestLanguageSwitchKeepsTheStep(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	status, body := b.post("/sapk/daftar", url.Values{"consent": {"1"}, "username": {nip}, "name": {"Siti Aminah"}, "email": {"siti@example.go.id"},
		"password": {sapkPass}, "password2": {sapkPass}})
	require.Equal(t, http.StatusOK, status, body)
	flow := flowOf(t, body)
	_, body = b.get(langLink(t, body))
	assert.Equal(t, "/sapk/aktivasi", b.url.Path)
	assert.Contains(t, body, t2("en", "reg.done.code"), "the same step, in English")
	assert.Equal(t, flow, flowOf(t, body), "with the registration's flow")
	assert.Contains(t, inputTagOf(t, body, "identifier"), `value="`+nip+`"`)
	code, ok := notify.ExtractCode(p.mail("siti@example.go.id"))
	require.True(t, ok)
	_, body = b.post("/sapk/aktivasi", url.Values{"identifier": {nip}, "flow": {flowOf(t, body)}, "code": {code}})
	assert.Contains(t, body, t2("en", "act.active"))

	p.app.outbox.Reset()
	_, body = b.post("/sapk/lupa-sandi", url.Values{"identifier": {nip}})
	flow = flowOf(t, body)
	_, body = b.get(langLink(t, body))
	assert.Equal(t, "/sapk/atur-sandi", b.url.Path)
	assert.Contains(t, body, t2("id", "reset.code.intro"))
	assert.Equal(t, flow, flowOf(t, body))
	code, _ = notify.ExtractCode(p.mail("siti@example.go.id"))
	_, body = b.post("/sapk/atur-sandi", url.Values{"identifier": {nip}, "flow": {flowOf(t, body)}, "code": {code},
		"password": {"BaruLagi2027x"}, "password2": {"BaruLagi2027x"}})
	assert.Contains(t, body, t2("id", "login.reset.done"))

	// LPSE: "check your email" after registering, then the link's button.
	_, body = b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"},
		"password": {lpsePass}, "password2": {lpsePass}})
	assert.Contains(t, body, t2("id", "reg.done.link"))
	_, body = b.get(langLink(t, body))
	assert.Contains(t, body, t2("en", "reg.done.link"))
	link, _ := notify.ExtractLink(p.mail("budi@example.co.id"))
	_, body = b.get(pathOf(t, link))
	assert.Equal(t, "/lpse/aktivasi", b.url.Path, "the token leaves the address")
	token := find(t, body, `name="token" value="([^"]+)"`)
	assert.NotContains(t, langLink(t, body), token)
	_, body = b.get(langLink(t, body))
	assert.Contains(t, body, t2("id", "act.link.intro"))
	assert.Equal(t, token, find(t, body, `name="token" value="([^"]+)"`))
	_, body = b.post("/lpse/aktivasi", url.Values{"token": {token}})
	assert.Contains(t, body, t2("id", "act.approval"))
}

// TestEveryProblemAtOnce (defect 9): a form shows every problem it has at
// once, each beside its field (aria-invalid, aria-describedby) and in a
// summary that takes the focus without script.
func TestEveryProblemAtOnce(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	status, body := b.post("/lpse/daftar", url.Values{"username": {"01.312.166.0-091.00"}, "name": {"PT Contoh"}, "email": {"budi@"},
		"password": {"rahasia"}, "password2": {"rahasia2"}})
	require.Equal(t, http.StatusUnprocessableEntity, status)
	summary := find(t, body, `(?s)(<div class="error" id="problems"[^>]*>.*?</div>)`)
	assert.Contains(t, summary, `tabindex="-1" autofocus`)
	for field, msg := range map[string]string{
		"username":  "NPWP",
		"email":     auth.Classify(auth.ErrInvalidEmail).Message("id"),
		"password":  "Kata sandi minimal 8 karakter.",
		"password2": t2("id", "reg.mismatch"),
		"consent":   t2("id", "reg.consent.required"),
	} {
		tag := inputTagOf(t, body, field)
		assert.Contains(t, tag, `aria-invalid="true"`, field)
		assert.Regexp(t, `aria-describedby="`+field+`-error\b`, tag)
		errText := find(t, body, `(?s)<p class="field-error" id="`+field+`-error">(.*?)</p>`)
		assert.Contains(t, errText, msg, field)
		assert.Contains(t, summary, `<a href="#`+field+`">`, field)
	}
	assert.NotContains(t, inputTagOf(t, body, "name"), "aria-invalid")
	assert.NotContains(t, body, "autofocus>", "no field takes the focus from the summary")
}

// TestWording (defect 10): a password with a run of an NPWP's digits is
// refused naming the NPWP, without a birth date, which only a NIP holds;
// each realm names its own number; the captcha's field has one label; an
// activation link's page asks for nothing but the button.
func TestWording(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	_, body := b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"},
		"password": {"tender 312166 jembatan"}, "password2": {"tender 312166 jembatan"}})
	assert.Contains(t, body, tf("id", "policy.digits", 6, "NPWP"))
	assert.NotContains(t, body, "tanggal lahir")
	_, body = b.post("/sapk/daftar", url.Values{"consent": {"1"}, "username": {nip}, "name": {"Siti"}, "email": {"siti@example.go.id"},
		"password": {"Kantor198609baru"}, "password2": {"Kantor198609baru"}})
	assert.Contains(t, body, tf("id", "policy.digits.born", 6, "NIP"))

	for realm, want := range map[string]string{"lpse": "NPWP atau email", "sapk": "NIP atau email"} {
		_, body = b.get("/" + realm + "/lupa-sandi")
		assert.Contains(t, body, `<label for="identifier">`+want+`</label>`)
	}

	_, body = fail(b, "sapk", nip, 3)
	require.NotEmpty(t, captchaID(body))
	assert.Equal(t, 1, strings.Count(body, t2("id", "captcha.label")), "one label for the code")
	assert.NotContains(t, body, "<legend")
	assert.Contains(t, body, `<label for="captcha">`+t2("id", "captcha.label")+`</label>`)

	_, body = b.get("/lpse/aktivasi?token=abc")
	assert.Contains(t, body, `name="token" value="abc"`)
	assert.NotContains(t, body, "kirim-ulang", "an activation link's page has no other form")
}

// TestAuthenticatorKeyAndRecoveryFile (defect 11): each realm is its own
// entry in an authenticator app; the manual key is written in groups that
// never break; the new recovery codes can be downloaded as a text file,
// never cached.
func TestAuthenticatorKeyAndRecoveryFile(t *testing.T) {
	p := newPortal(t)
	issuers := map[string]bool{}
	for _, realm := range portals {
		rs, err := p.app.auth.Realm(realm)
		require.NoError(t, err)
		assert.Equal(t, p.app.realms[realm].Realm.Messages.PortalName, rs.SecondFactor.Issuer, realm)
		issuers[rs.SecondFactor.Issuer] = true
	}
	assert.Len(t, issuers, len(portals), "one entry per realm")

	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	b.login("sapk", nip, sapkPass)
	status, body := b.post("/akun/keamanan/totp", url.Values{"password": {sapkPass}})
	require.Equal(t, http.StatusOK, status, body)
	assert.Regexp(t, `<code class="key">(<span>[A-Z2-7]{4}</span> )+<span>[A-Z2-7]{1,4}</span></code>`, body)
	css, err := staticFS.ReadFile("static/style.css")
	require.NoError(t, err)
	assert.Contains(t, string(css), "code.key span { white-space: nowrap; }")
	code, err := totp.Params{}.Code(manualKey(t, body), p.clock.Now())
	require.NoError(t, err)
	_, body = b.post("/akun/keamanan/totp/konfirmasi", url.Values{"factor_id": {find(t, body, `name="factor_id" value="([^"]+)"`)}, "code": {code}})
	codes := regexp.MustCompile(`<li><code>([^<]+)</code></li>`).FindAllStringSubmatch(body, -1)
	require.NotEmpty(t, codes)
	form := find(t, body, `(?s)(<form method="post" action="/akun/keamanan/kode-pemulihan/unduh".*?</form>)`)
	f := url.Values{}
	for _, m := range regexp.MustCompile(`name="code" value="([^"]+)"`).FindAllStringSubmatch(form, -1) {
		f.Add("code", m[1])
	}
	require.Len(t, f["code"], len(codes))

	req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/akun/keamanan/kode-pemulihan/unduh", strings.NewReader(f.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := b.c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	text, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/plain; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="kode-pemulihan-sapk.txt"`, resp.Header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	for _, c := range codes {
		assert.Contains(t, string(text), c[1]+"\r\n")
	}
	// Only codes, and only from a session.
	status, _ = b.post("/akun/keamanan/kode-pemulihan/unduh", url.Values{"code": {"<script>"}})
	assert.Equal(t, "/akun/keamanan", b.url.Path, "not a code: no file")
	assert.Equal(t, http.StatusOK, status)
	_, _ = p.browser().post("/akun/keamanan/kode-pemulihan/unduh", f)
}

// TestRegistrationPage (defect 12): registration links to the login, says
// where the helpdesk is, and refuses to register without consent to the
// terms and privacy policy (UU PDP); the NPWP field lets a phone type dots
// and dashes, the NIP field asks for digits.
func TestRegistrationPage(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	_, body := b.get("/lpse/daftar")
	assert.Contains(t, body, `<a href="/lpse/masuk">`+t2("id", "reg.login")+`</a>`)
	assert.Contains(t, body, tf("id", "reg.support", "helpdesk LPSE, lpse@example.go.id"))
	assert.Contains(t, inputTagOf(t, body, "consent"), "required")
	assert.Contains(t, inputTagOf(t, body, "username"), `inputmode="text"`)
	_, body = b.get("/lpse/masuk")
	assert.Contains(t, inputTagOf(t, body, "username"), `inputmode="text"`)
	_, body = b.get("/sapk/daftar")
	assert.Contains(t, inputTagOf(t, body, "username"), `inputmode="numeric"`)
	assert.Contains(t, body, tf("id", "reg.support", "helpdesk SAPK, sapk@example.go.id"))
	_, body = b.get("/operator/masuk")
	assert.NotContains(t, inputTagOf(t, body, "username"), "inputmode")

	status, body := b.post("/lpse/daftar", url.Values{"username": {npwp}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"},
		"password": {lpsePass}, "password2": {lpsePass}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, find(t, body, `(?s)<p class="field-error" id="consent-error">(.*?)</p>`), t2("id", "reg.consent.required"))
	assert.Contains(t, inputTagOf(t, body, "username"), `value="`+npwp+`"`, "what was typed stays")
}

// TestLastLoginOnHome (defect 12): the home page of a logged-in owner says
// when and where the previous login was, from the account's activity.
func TestLastLoginOnHome(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	first := p.browser()
	first.login("sapk", nip, sapkPass)
	_, body := first.get("/")
	assert.NotContains(t, body, `id="last-login"`, "no login before the first")
	before := p.clock.Now()
	p.clock.Advance(2 * time.Hour)
	b := p.browser()
	b.login("sapk", nip, sapkPass)
	_, body = b.get("/")
	want := tf("id", "home.lastlogin", stamp("id", before), "127.0.0.1", auth.ParseDevice("Go-http-client/1.1").Label("id"))
	last := find(t, body, `(?s)<p id="last-login">(.*?) <a`)
	assert.Equal(t, want[:strings.Index(want, " (")], last[:strings.Index(last, " (")])
	// A login elsewhere later does not change what this session was
	// preceded by.
	p.clock.Advance(10 * time.Minute)
	p.browser().login("sapk", nip, sapkPass)
	_, body = b.get("/")
	assert.Contains(t, body, stamp("id", before))
}

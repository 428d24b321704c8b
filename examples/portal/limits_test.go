package main

import (
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// TestBodyTooLarge: a form over the body limit is answered 413 with a
// page in the person's language, never handled as an empty form.
func TestBodyTooLarge(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	big := url.Values{"username": {nip}, "password": {sapkPass}, "filler": {strings.Repeat("x", maxBody)}}
	for _, lang := range []string{"id", "en"} {
		b := p.browser()
		b.get("/bahasa?lang=" + lang)
		status, body := b.post("/sapk/masuk", big)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, "%s: %s", lang, body)
		assert.Contains(t, body, t2(lang, "toolarge.title"))
		assert.Contains(t, body, tf(lang, "err.toolarge", maxBody>>10))
		assert.Contains(t, body, `class="button" href="/sapk/masuk">`+t2(lang, "back.form"), "a link back to the form")
		assert.NotEqual(t, "/akun", b.url.Path)
	}

	// Logged in, too: the password change, and a form whose address has
	// no page, whose link goes home.
	b := p.browser()
	_, body := b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path, body)
	status, body := b.post("/akun/sandi", url.Values{"current": {sapkPass}, "password": {strings.Repeat("Ab1", maxBody/3)}})
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, body, `class="button" href="/akun/sandi">`)
	status, body = b.post("/akun/keamanan/totp", url.Values{"password": {strings.Repeat("x", maxBody)}})
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Contains(t, body, `class="button" href="/">`+t2("id", "back.home"))

	// Just under the limit is a form like any other.
	under := url.Values{"username": {nip}, "password": {sapkPass}}
	under.Set("filler", strings.Repeat("x", maxBody-len(under.Encode())-len("&filler=")))
	require.Equal(t, maxBody, len(under.Encode()))
	_, body = p.browser().post("/sapk/masuk", under)
	assert.Contains(t, body, nip, "logged in")

	// A body that is no form is answered 400, not read as an empty form.
	req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/sapk/masuk", strings.NewReader("username=%zz"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	status, body = p.browser().do(req)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, t2("id", "err.badrequest"))
}

// TestStaticListsNoFolders: /static/ serves its files and no listing.
func TestStaticListsNoFolders(t *testing.T) {
	p := newPortal(t)
	for path, want := range map[string]int{
		"/static/":             http.StatusNotFound,
		"/static":              http.StatusNotFound,
		"/static/style.css":    http.StatusOK,
		"/static/style.css/":   http.StatusNotFound,
		"/static/nothing.css":  http.StatusNotFound,
		"/static/./":           http.StatusNotFound,
		"/static/%2e/":         http.StatusNotFound,
		"/static/index.html":   http.StatusNotFound,
		"/static/../static/":   http.StatusNotFound,
		"/static//":            http.StatusNotFound,
		"/static/style.css?x=": http.StatusOK,
	} {
		resp, err := http.Get(p.srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, path)
		if want == http.StatusOK {
			assert.Equal(t, "text/css; charset=utf-8", resp.Header.Get("Content-Type"))
		}
	}
}

// TestStaticFilesInFolders: files in a folder are served, the folder is
// not listed, with or without its slash.
func TestStaticFilesInFolders(t *testing.T) {
	fsys := fstest.MapFS{
		"style.css":      {Data: []byte("body{}")},
		"sub/x.css":      {Data: []byte("p{}")},
		"sub/index.html": {Data: []byte("<p>index</p>")},
	}
	h := staticFiles("/static/", fsys, http.NotFound)
	for path, want := range map[string]int{
		"/static/":               http.StatusNotFound,
		"/static/sub/":           http.StatusNotFound,
		"/static/sub":            http.StatusNotFound,
		"/static/sub/x.css":      http.StatusOK,
		"/static/style.css":      http.StatusOK,
		"/static/sub/index.html": http.StatusMovedPermanently, // to the folder, which is a 404
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		assert.Equal(t, want, rec.Code, path)
		assert.NotContains(t, rec.Body.String(), "x.css", path)
	}
}

// renderAll renders every page template in every state that shows other
// inputs (a code or a link, the captcha, each second-step method, factors
// to remove), and returns the pages by template and state.
func renderAll(t *testing.T, a *app) map[string]string {
	t.Helper()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	acct := store.Account{ID: "0123abcd", Realm: "sapk", Username: nip, DisplayUsername: nip, Email: "siti@example.go.id",
		State: store.StateActive, Profile: map[string]string{"name": "Siti"}, CreatedAt: now}
	user := &auth.Principal{Account: acct, AccountID: acct.ID, Realm: acct.Realm, Username: acct.Username}
	passkeys := []auth.PasskeyInfo{{ID: "cGsx", Name: "Ponsel", Synced: true, CreatedAt: now}}
	data := func(byCode bool, token string) map[string]any {
		return map[string]any{
			"ByCode": byCode, "Token": token, "Identifier": nip, "Code": "", "Username": nip, "Name": "Siti", "Email": acct.Email,
			"Next": "/akun", "CaptchaID": "c1", "Resend": true, "Realms": []string{"lpse", "sapk"},
			"Methods": []string{"passkey", "totp", "email", "recovery"}, "M": "passkey,totp,email,recovery",
			"Summary": auth.FactorsSummary{Factors: []auth.FactorInfo{{ID: "f1", Kind: store.FactorTOTP, Label: "Ponsel", ConfirmedAt: now}},
				RecoveryCodes: 10, Devices: []auth.DeviceInfo{{ID: "d1", Label: "Firefox", CreatedAt: now}}, Passkeys: passkeys},
			"PasskeysOn": true, "Passwordless": true, "Passkeys": passkeys, "PasskeyID": "", "PasskeyReason": "",
			"PasskeyOptions": `{"publicKey":{"challenge":"AA"}}`, "Ceremony": "c1", "Label": "",
			"QR": template.URL("data:image/png;base64,AA=="), "ManualKey": "ABCD EFGH", "FactorID": "f1", "Codes": []string{"AAAA-BBBB"},
			"Sessions": []auth.SessionInfo{{ID: "s1", Current: true}, {ID: "s2"}}, "Account": acct,
			"Entries": []activityRow{{ActivityEntry: auth.ActivityEntry{Kind: "login.succeeded", Time: now}}}, "Older": int64(1),
			"Acct": acct, "Lock": lockout.Status{}, "History": []auth.ActivityEntry{{Kind: "login.failed", Time: now}},
			"Accounts": []store.Account{acct}, "ListRealm": "sapk", "State": "", "Search": "", "States": accountStates,
			"Mails": []struct{ Channel, To, Subject, Text, Link, Code string }{
				{"email", "a@example.go.id", "S", "T", "http://127.0.0.1:8080/x", ""},
				{"whatsapp", "+6281234567890", "", "123456 adalah kode", "", "123456"},
			},
			"Title": "T", "Text": "T", "Href": "/", "LinkText": "L",
		}
	}
	states := []struct {
		name, realm string
		d           map[string]any
	}{
		{"sapk, by code", "sapk", data(true, "")},
		{"lpse, by link", "lpse", data(false, "t1")},
		{"operator", operatorRealm, data(false, "")},
	}
	pages := map[string]string{}
	for name := range a.pages {
		for _, s := range states {
			v := a.view(httptest.NewRequest(http.MethodGet, "/", nil), s.realm)
			v.User, v.D = user, s.d
			rec := httptest.NewRecorder()
			a.render(rec, http.StatusOK, name, v)
			require.Equal(t, http.StatusOK, rec.Code, "%s (%s): %s", name, s.name, rec.Body)
			pages[name+" ("+s.name+")"] = rec.Body.String()
		}
	}
	return pages
}

var (
	inputTag = regexp.MustCompile(`(?is)<(input|textarea)\b([^>]*)>`)
	htmlAttr = regexp.MustCompile(`([a-zA-Z-]+)(?:\s*=\s*"([^"]*)")?`)
)

// TestInputsHaveMaxlength: every field a person types into, on every
// page, says how long it may be, so that the browser stops the typing
// before the server refuses it.
func TestInputsHaveMaxlength(t *testing.T) {
	p := newPortal(t)
	seen := 0
	for page, body := range renderAll(t, p.app) {
		for _, m := range inputTag.FindAllStringSubmatch(body, -1) {
			attrs := map[string]string{}
			for _, a := range htmlAttr.FindAllStringSubmatch(m[2], -1) {
				attrs[strings.ToLower(a[1])] = a[2]
			}
			switch attrs["type"] {
			case "hidden", "checkbox", "radio", "submit":
				continue
			}
			seen++
			n, err := strconv.Atoi(attrs["maxlength"])
			if !assert.True(t, err == nil && n > 0, "%s: %s has no maxlength", page, m[0]) {
				continue
			}
			want, ok := wantMaxlength(page, attrs)
			if assert.True(t, ok, "%s: %s is a field this test does not know", page, m[0]) {
				assert.Equal(t, want, n, "%s: %s", page, m[0])
			}
		}
	}
	assert.Greater(t, seen, 20, "the pages' inputs were found")
}

// wantMaxlength is the limit a field of a page should show.
func wantMaxlength(page string, attrs map[string]string) (int, bool) {
	l := inputLimits
	switch attrs["name"] {
	case "username":
		return l.Username, true
	case "password", "password2", "current":
		return l.Password, true
	case "email":
		return l.Email, true
	case "identifier":
		return l.Identifier, true
	case "name":
		return l.Name, true
	case "label":
		return l.Label, true
	case "reason":
		return l.Reason, true
	case "identity_check":
		return l.IdentityCheck(), true
	case "captcha":
		return l.Captcha, true
	case "q":
		return l.Search, true
	case "code":
		switch {
		case attrs["id"] == "code-recovery":
			return l.RecoveryCode, true
		case strings.HasPrefix(page, "verify "), strings.HasPrefix(page, "enroll "):
			return l.SentCode, true
		case strings.HasPrefix(page, "activate "), strings.HasPrefix(page, "reset "):
			return l.ResetCode, true
		}
	}
	return 0, false
}

// TestLimitsFitTheLibrary: the limits the pages show are never above
// what masuk keeps, however the characters are encoded.
func TestLimitsFitTheLibrary(t *testing.T) {
	l := inputLimits
	assert.LessOrEqual(t, l.Name*utf8.UTFMax, store.MaxProfileValueBytes)
	assert.LessOrEqual(t, l.Label*utf8.UTFMax, store.MaxFactorLabel)
	assert.LessOrEqual(t, l.Reason*utf8.UTFMax, 2000, "notify's limit for a reason")
	assert.LessOrEqual(t, l.Password, password.DefaultMaxLength)
	assert.LessOrEqual(t, l.Email, store.MaxEmailBytes)

	// A username of l.Username characters is accepted; one more is not.
	_, err := auth.CanonicalUsername(strings.Repeat("a", l.Username))
	assert.NoError(t, err)
	_, err = auth.CanonicalUsername(strings.Repeat("a", l.Username+1))
	assert.ErrorIs(t, err, auth.ErrInvalidUsername)

	// A recovery code as people type it, blanks and dashes and all, fits.
	codes, err := secret.NewRecoveryCodes(nil, 1)
	require.NoError(t, err)
	typed := strings.Join(strings.Split(codes[0], "-"), " - ")
	assert.LessOrEqual(t, len(typed), l.RecoveryCode, typed)
	_, ok := secret.NormalizeRecoveryCode(typed)
	assert.True(t, ok)
}

// TestLongInputsRefused: the server holds the limits the pages' maxlength
// shows, for a client that ignores them, with a message rather than an
// internal error or a record cut short.
func TestLongInputsRefused(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")

	// A device name longer than a factor's label holds.
	_, body := b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path, body)
	status, body := b.post("/akun/keamanan/totp", url.Values{"password": {sapkPass}, "label": {strings.Repeat("Ponsel ", 40)}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, body)

	// A company name longer than a profile field holds.
	const pw = "pengadaan barang 2026"
	status, body = p.browser().post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {strings.Repeat("PT Contoh ", 103)},
		"email": {"budi@example.co.id"}, "password": {pw}, "password2": {pw}})
	assert.Equal(t, http.StatusUnprocessableEntity, status, body)

	// An operator's reason: 500 characters at most, however many bytes.
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body = op.get("/operator?realm=sapk")
	id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
	status, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"disable"}, "reason": {strings.Repeat("é", 501)}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "state.active"), "not disabled")
	status, body = op.post("/operator/akun", url.Values{"id": {id}, "action": {"disable"}, "reason": {strings.Repeat("é", 500)}})
	assert.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "state.disabled"))
}

// TestOverlongFieldsAreNoInternalError posts every form with each field
// four times its limit, as a client that ignores maxlength may: the
// answer may refuse it, never fail with a server error (the portal
// answers a store's failure 503, so 500 alone would not catch one).
func TestOverlongFieldsAreNoInternalError(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	b.login("sapk", nip, sapkPass)
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body := op.get("/operator?realm=sapk")
	id := find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
	anon := p.browser()

	long := func(n int) string { return strings.Repeat("9", 4*n) }
	l := inputLimits
	for _, f := range []struct {
		who    *browser
		path   string
		fields url.Values
	}{
		{anon, "/sapk/masuk", url.Values{"username": {long(l.Username)}, "password": {long(l.Password)}, "captcha": {long(l.Captcha)}, "captcha_id": {"x"}}},
		{anon, "/operator/masuk", url.Values{"username": {long(l.Username)}, "password": {long(l.Password)}}},
		{anon, "/lpse/daftar", url.Values{"consent": {"1"}, "username": {long(l.Username)}, "name": {"PT"}, "email": {"a@example.go.id"}, "password": {"x"}, "password2": {"x"}}},
		{anon, "/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT"}, "email": {long(l.Email) + "@example.go.id"}, "password": {"x"}, "password2": {"x"}}},
		{anon, "/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT"}, "email": {"a@example.go.id"}, "password": {long(l.Password)}, "password2": {long(l.Password)}}},
		{anon, "/sapk/lupa-sandi", url.Values{"identifier": {long(l.Identifier)}}},
		{anon, "/sapk/atur-sandi", url.Values{"identifier": {long(l.Identifier)}, "code": {long(l.ResetCode)}, "password": {"x"}, "password2": {"x"}}},
		{anon, "/lpse/atur-sandi", url.Values{"token": {long(100)}, "password": {long(l.Password)}, "password2": {long(l.Password)}}},
		{anon, "/sapk/aktivasi", url.Values{"identifier": {long(l.Identifier)}, "code": {long(l.ResetCode)}}},
		{anon, "/sapk/aktivasi/kirim-ulang", url.Values{"identifier": {long(l.Identifier)}}},
		{anon, "/sapk/verifikasi", url.Values{"method": {"recovery"}, "code": {long(l.RecoveryCode)}}},
		{b, "/akun/sandi", url.Values{"current": {long(l.Password)}, "password": {long(l.Password)}, "password2": {long(l.Password)}}},
		{b, "/akun/keamanan/totp", url.Values{"password": {long(l.Password)}, "label": {long(l.Label)}}},
		{b, "/akun/keamanan/hapus", url.Values{"password": {long(l.Password)}, "factor_id": {long(100)}}},
		{b, "/akun/keamanan/kode-pemulihan", url.Values{"password": {long(l.Password)}}},
		{b, "/akun/sesi/akhiri", url.Values{"id": {long(100)}}},
		{op, "/operator/akun", url.Values{"id": {id}, "action": {"unlock"}, "reason": {long(l.Reason)}}},
	} {
		status, body := f.who.post(f.path, f.fields)
		assert.Less(t, status, http.StatusInternalServerError, "%s %v: %s", f.path, f.fields, body)
	}
	for _, q := range []string{"/operator?q=" + long(l.Search)} {
		status, body := op.get(q)
		assert.Less(t, status, http.StatusInternalServerError, "%s: %s", q, body)
	}
}

package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/totp"
)

// The tests of this file prove, end to end, that each realm has the
// settings of its own auth.Realm: its name and links in the emails it
// sends, its lockout, how long it remembers a device, and its sessions'
// idle timeout.

const lpsePass = "pengadaan barang 2026"

// activeLPSE registers an LPSE company, confirms its email by the link and
// has the operator approve it.
func (p *portal) activeLPSE(b *browser, email string) {
	t := p.t
	t.Helper()
	status, body := b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {email},
		"password": {lpsePass}, "password2": {lpsePass}})
	require.Equal(t, http.StatusOK, status, body)
	link, ok := notify.ExtractLink(p.mail(email))
	require.True(t, ok)
	_, body = b.get(pathOf(t, link))
	status, body = b.post("/lpse/aktivasi", url.Values{"token": {find(t, body, `name="token" value="([^"]+)"`)}})
	require.Equal(t, http.StatusOK, status, body)
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body = op.get("/operator?realm=lpse&state=pending_approval")
	status, body = op.post("/operator/akun", url.Values{"id": {find(t, body, `/operator/akun\?id=([0-9a-f]+)`)}, "action": {"approve"}, "reason": {"Dokumen lengkap"}})
	require.Equal(t, http.StatusOK, status, body)
}

// mailIs checks that an email names portal, and no other realm's portal,
// and links to want (a prefix), when want is set.
func mailIs(t *testing.T, m notify.Message, portal, want string) {
	t.Helper()
	for _, part := range []string{m.Subject + m.Text, m.HTML} {
		assert.Contains(t, part, portal, "%v", m.Purpose)
		for _, other := range []string{"Portal Masuk LPSE", "Portal Masuk SAPK"} {
			if other != portal {
				assert.NotContains(t, part, other, "%v", m.Purpose)
			}
		}
	}
	if want == "" {
		_, ok := notify.ExtractLink(m)
		assert.False(t, ok, "%v has no link", m.Purpose)
		return
	}
	link, ok := notify.ExtractLink(m)
	require.True(t, ok, "%v has a link", m.Purpose)
	assert.True(t, strings.HasPrefix(link, want), "%v links to %s, not %s", m.Purpose, link, want)
}

// TestRealmEmailsCarryTheirOwnNameAndLinks: every email of a realm names
// that realm's portal and links to that realm's pages: LPSE's activation,
// approval and reset by link; SAPK's activation and reset codes, and the
// notice of an operator's forced reset, which sends the owner to SAPK's
// own "forgot password" page. The pages' titles carry the same names.
func TestRealmEmailsCarryTheirOwnNameAndLinks(t *testing.T) {
	p := newPortal(t)
	const base = "http://127.0.0.1:8080"

	b := p.browser()
	const budi = "budi@example.co.id"
	status, body := b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {budi},
		"password": {lpsePass}, "password2": {lpsePass}})
	require.Equal(t, http.StatusOK, status, body)
	m := p.mail(budi)
	assert.Equal(t, notify.ActivationLink, m.Purpose)
	mailIs(t, m, "Portal Masuk LPSE", base+"/lpse/aktivasi?token=")
	link, _ := notify.ExtractLink(m)
	_, body = b.get(pathOf(t, link))
	b.post("/lpse/aktivasi", url.Values{"token": {find(t, body, `name="token" value="([^"]+)"`)}})
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body = op.get("/operator?realm=lpse&state=pending_approval")
	// Each email is waited for after the outbox is emptied, so that an
	// earlier one cannot pass for it.
	p.app.outbox.Reset()
	op.post("/operator/akun", url.Values{"id": {find(t, body, `/operator/akun\?id=([0-9a-f]+)`)}, "action": {"approve"}, "reason": {"Dokumen lengkap"}})
	m = p.mail(budi)
	assert.Equal(t, notify.RegistrationApproved, m.Purpose)
	mailIs(t, m, "Portal Masuk LPSE", base+"/lpse/masuk")
	p.app.outbox.Reset()
	b.post("/lpse/lupa-sandi", url.Values{"identifier": {npwp}})
	m = p.mail(budi)
	assert.Equal(t, notify.ResetLink, m.Purpose)
	mailIs(t, m, "Portal Masuk LPSE", base+"/lpse/atur-sandi?token=")

	const siti = "siti@example.go.id"
	status, body = b.post("/sapk/daftar", url.Values{"consent": {"1"}, "username": {nip}, "name": {"Siti Aminah"}, "email": {siti},
		"password": {sapkPass}, "password2": {sapkPass}})
	require.Equal(t, http.StatusOK, status, body)
	m = p.mail(siti)
	assert.Equal(t, notify.ActivationCode, m.Purpose)
	mailIs(t, m, "Portal Masuk SAPK", "")
	code, _ := notify.ExtractCode(m)
	b.post("/sapk/aktivasi", url.Values{"identifier": {nip}, "flow": {flowOf(t, body)}, "code": {code}})
	p.app.outbox.Reset()
	b.post("/sapk/lupa-sandi", url.Values{"identifier": {nip}})
	m = p.mail(siti)
	assert.Equal(t, notify.ResetCode, m.Purpose)
	mailIs(t, m, "Portal Masuk SAPK", "")
	_, body = op.get("/operator?realm=sapk")
	p.app.outbox.Reset()
	op.post("/operator/akun", url.Values{"id": {find(t, body, `/operator/akun\?id=([0-9a-f]+)`)}, "action": {"force_reset"}, "reason": {"Akun dicurigai"}})
	m = p.mail(siti)
	assert.Equal(t, notify.ResetRequired, m.Purpose)
	mailIs(t, m, "Portal Masuk SAPK", base+"/sapk/lupa-sandi")

	for realm, name := range map[string]string{"lpse": "Portal Masuk LPSE", "sapk": "Portal Masuk SAPK", "operator": "Portal Masuk Operator"} {
		_, body = p.browser().get("/" + realm + "/masuk")
		assert.Contains(t, body, " · "+name+"</title>", realm)
	}
}

// lockWith fails logins for username until the realm locks it, solving
// the captcha each asks for, and returns the page of the lock.
func lockWith(t *testing.T, b *browser, realm, username string) string {
	t.Helper()
	var body string
	for i := range 10 {
		var extra []string
		if i > 0 {
			if id := captchaID(body); id != "" {
				extra = []string{"captcha_id", id, "captcha", "000000"}
			}
		}
		var status int
		status, body = b.login(realm, username, "salah-sekali", extra...)
		if status == http.StatusTooManyRequests {
			return body
		}
	}
	t.Fatalf("%s did not lock %s", realm, username)
	return ""
}

// captchaID is the captcha a login page shows, or "".
func captchaID(body string) string {
	const attr = `name="captcha_id" value="`
	_, rest, ok := strings.Cut(body, attr)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, `"`)
	return id
}

// TestRealmLockoutsDiffer: five failures lock an NPWP in LPSE for 30
// minutes and a NIP in SAPK for 15, each realm by its own Realm.Lockout;
// 20 minutes on, SAPK lets its owner in and LPSE still refuses.
func TestRealmLockoutsDiffer(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	p.activeLPSE(p.browser(), "budi@example.co.id")

	b := p.browser()
	assert.Contains(t, lockWith(t, b, "lpse", npwp), "Coba lagi dalam 30 menit")
	assert.Contains(t, lockWith(t, b, "sapk", nip), "Coba lagi dalam 15 menit")
	// The right password, from another browser, is refused as long.
	for realm, c := range map[string]struct{ user, pass, want string }{
		"lpse": {npwp, lpsePass, "30 menit"},
		"sapk": {nip, sapkPass, "15 menit"},
	} {
		status, body := p.browser().login(realm, c.user, c.pass)
		assert.Equal(t, http.StatusTooManyRequests, status, realm)
		assert.Contains(t, body, "Coba lagi dalam "+c.want, realm)
	}

	p.clock.Advance(20 * time.Minute)
	other := p.browser()
	_, body := other.login("sapk", nip, sapkPass)
	if id := captchaID(body); id != "" {
		// The address's failures may still ask for a captcha.
		_, body = other.login("sapk", nip, sapkPass, "captcha_id", id, "captcha", "000000")
	}
	assert.Equal(t, "/akun", other.url.Path, "SAPK's lock has ended: %s", body)
	status, body := p.browser().login("lpse", npwp, lpsePass)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Contains(t, body, "Coba lagi dalam 10 menit", "LPSE's has not")
}

// enrollTOTP enrolls an authenticator app for the logged-in browser and
// returns its secret and the page that showed it.
func enrollTOTP(t *testing.T, p *portal, b *browser, password string) ([]byte, string) {
	t.Helper()
	status, body := b.post("/akun/keamanan/totp", url.Values{"password": {password}})
	require.Equal(t, http.StatusOK, status, body)
	page := body
	secret := manualKey(t, body)
	code, err := totp.Params{}.Code(secret, p.clock.Now())
	require.NoError(t, err)
	status, body = b.post("/akun/keamanan/totp/konfirmasi", url.Values{"factor_id": {find(t, body, `name="factor_id" value="([^"]+)"`)}, "code": {code}})
	require.Equal(t, http.StatusOK, status, body)
	require.Contains(t, body, t2("id", "codes.title"))
	return secret, page
}

// TestRealmRememberedDevices: each realm is an entry of its own in an
// authenticator app (its name as the issuer); the second step offers to
// remember a device for the realm's own time (30 days in LPSE, 7 in SAPK,
// never for operators), and a remembered device skips the second step
// that long: eight days on, LPSE still skips it and SAPK asks again.
func TestRealmRememberedDevices(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	p.activeLPSE(p.browser(), "budi@example.co.id")
	accounts := []struct {
		realm, username, password, issuer string
		days                              int
	}{
		{"lpse", npwp, lpsePass, "Portal Masuk LPSE", 30},
		{"sapk", nip, sapkPass, "Portal Masuk SAPK", 7},
		{"operator", operatorUsername, p.app.seededPassword, "Portal Masuk Operator", 0},
	}
	browsers := map[string]*browser{}
	for _, a := range accounts {
		b := p.browser()
		browsers[a.realm] = b
		b.login(a.realm, a.username, a.password)
		secret, page := enrollTOTP(t, p, b, a.password)
		assert.Contains(t, page, tf("id", "enroll.issuer", a.issuer))
		b.post("/keluar", nil)

		p.clock.Advance(time.Minute)
		_, body := b.login(a.realm, a.username, a.password)
		require.Equal(t, "/"+a.realm+"/verifikasi", b.url.Path, body)
		if a.days > 0 {
			assert.Contains(t, body, tf("id", "sf.remember", quantity("id", a.days, "day")), a.realm)
		} else {
			assert.NotContains(t, body, `name="remember"`, "operators' devices are never remembered")
		}
		code, err := totp.Params{}.Code(secret, p.clock.Now())
		require.NoError(t, err)
		// Asked all the same: an operator's device stays unremembered.
		_, body = b.post(b.url.RequestURI(), url.Values{"method": {"totp"}, "code": {code}, "remember": {"1"}})
		require.NotEqual(t, "/"+a.realm+"/verifikasi", b.url.Path, body)
		b.post("/keluar", nil)
	}

	p.clock.Advance(8 * 24 * time.Hour)
	for _, a := range accounts {
		b := browsers[a.realm]
		_, body := b.login(a.realm, a.username, a.password)
		if a.days > 8 {
			assert.NotEqual(t, "/"+a.realm+"/verifikasi", b.url.Path, "%s remembers the device: %s", a.realm, body)
		} else {
			assert.Equal(t, "/"+a.realm+"/verifikasi", b.url.Path, "%s asks again: %s", a.realm, body)
		}
	}
}

// TestRealmSessionTimeouts: an operator's session ends after 15 idle
// minutes (the operator realm's Session), a civil servant's lasts the
// defaults' 30.
func TestRealmSessionTimeouts(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	require.Equal(t, "/operator", op.url.Path)
	b := p.browser()
	b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path)

	p.clock.Advance(16 * time.Minute)
	b.get("/akun")
	assert.Equal(t, "/akun", b.url.Path, "SAPK's session is still alive")
	op.get("/operator")
	assert.Equal(t, "/", op.url.Path, "the operator's session has ended")
}

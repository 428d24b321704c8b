package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/notify"
)

// TestBrowserBPJS walks a BPJS Ketenagakerjaan member's journey in each
// language at a phone's width: registration with the mobile number, the
// activation code, a login that solves the captcha BPJS asks every time,
// five wrong passwords that lock until an operator unlocks, and the
// forgotten password reset by a WhatsApp code to the registered number
// (which also ends the lock). Screenshots: <lang>-375-bpjs-<page>.png.
func TestBrowserBPJS(t *testing.T) {
	for i, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			p := newPortal(t)
			c := newChrome(t, p)
			c.timeout = 5 * time.Minute
			b := c.person()
			b.open("/bahasa?lang=" + lang + "&next=/")
			b.do(chromedp.EmulateViewport(375, 800))
			shot := func(name string) {
				t.Helper()
				assert.Empty(t, untranslated(lang, b.text()), name)
				wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > document.documentElement.clientWidth`))
				require.NoError(t, err)
				assert.False(t, wide, "%s is wider than the screen", name)
				b.shot(fmt.Sprintf("%s-375-bpjs-%s", lang, name))
			}
			member := fmt.Sprintf("1901234567%d", i)
			email := fmt.Sprintf("peserta%d@example.id", i)

			b.open("/bpjs/daftar")
			b.fill("#username", member, "#name", "Rahmat Hidayat", "#email", email, "#phone", "0812 3456 7890",
				"#password", bpjsPass, "#password2", bpjsPass)
			b.do(chromedp.Click(chromedp.CSS("#consent")))
			shot("daftar")
			b.click(`form[action="/bpjs/daftar"] > button`)
			code, ok := notify.ExtractCode(p.mail(email))
			require.True(t, ok)
			b.fill("#code", code)
			b.click(`form[action="/bpjs/aktivasi"] > button`)
			assert.Contains(t, b.text(), t2(lang, "act.active"))

			// The captcha at every login, with its picture and its audio.
			b.open("/bpjs/masuk")
			b.do(chromedp.WaitVisible(chromedp.CSS(`.captcha img`)))
			assert.Contains(t, b.html(), `<audio`)
			b.fill("#username", member, "#password", bpjsPass, "#captcha", "000000")
			shot("masuk")
			b.click(`form[action$="/masuk"] > button`)
			require.Equal(t, "/akun", b.path())
			b.click(`header form[action="/keluar"] > button`)

			for range 5 {
				b.open("/bpjs/masuk")
				b.fill("#username", member, "#password", "salah-sekali", "#captcha", "000000")
				b.click(`form[action$="/masuk"] > button`)
			}
			assert.Contains(t, b.text(), t2(lang, "login.locked.permanent"))
			shot("terkunci")

			b.open("/bpjs/lupa-sandi")
			b.do(chromedp.Click(chromedp.CSS(`input[name="via"][value="whatsapp"]`)))
			b.fill("#identifier", member, "#phone", "0812-3456-7890")
			shot("lupa-sandi")
			b.click(`form[action="/bpjs/lupa-sandi"] > button`)
			m := p.mail(bpjsPhone)
			require.Equal(t, notify.WhatsApp, m.Channel)
			b.fill("#code", m.Code, "#password", "kartu baru peserta 2027", "#password2", "kartu baru peserta 2027")
			shot("atur-sandi")
			b.click(`form[action="/bpjs/atur-sandi"] > button`)
			b.fill("#username", member, "#password", "kartu baru peserta 2027", "#captcha", "000000")
			b.click(`form[action$="/masuk"] > button`)
			require.Equal(t, "/akun", b.path(), "the reset ended the lock")
			assert.Contains(t, b.text(), member)
		})
	}
}

// TestBrowserBPNLockAndReset walks a BPN partner's lock and reset in each
// language at a phone's width: five wrong passwords typed with the email
// lock the account for 30 minutes (the warning before it names the tries
// left), the forgotten password is reset by the emailed link, which ends
// the lock, and the next login goes on to the second factor every partner
// must set up. Screenshots: <lang>-375-bpn-<page>.png.
func TestBrowserBPNLockAndReset(t *testing.T) {
	for i, lang := range []string{"id", "en"} {
		t.Run(lang, func(t *testing.T) {
			p := newPortal(t)
			username, email := fmt.Sprintf("mitra.%d", i), fmt.Sprintf("mitra%d@notaris.example.id", i)
			p.activeBPN(p.browser(), username, email)
			c := newChrome(t, p)
			c.timeout = 5 * time.Minute
			b := c.person()
			b.open("/bahasa?lang=" + lang + "&next=/")
			b.do(chromedp.EmulateViewport(375, 800))
			shot := func(name string) {
				t.Helper()
				assert.Empty(t, untranslated(lang, b.text()), name)
				b.shot(fmt.Sprintf("%s-375-bpn-%s", lang, name))
			}
			// login logs in, solving the captcha BPN asks after three
			// failures.
			login := func(typed, pw string) {
				t.Helper()
				b.open("/bpn/masuk")
				b.fill("#username", typed, "#password", pw)
				if captchaID(b.html()) != "" {
					b.fill("#captcha", "000000")
				}
				b.click(`form[action$="/masuk"] > button`)
			}
			for n := range 5 {
				login(email, "salah-sekali")
				if n == 3 {
					assert.Contains(t, b.text(), tf(lang, "login.remaining", quantity(lang, 1, "attempt")))
					shot("masuk-sisa")
				}
			}
			login(username, bpnPass)
			assert.Contains(t, b.text(), quantity(lang, 30, "minute"), "locked for 30 minutes, whichever way it is typed")
			shot("terkunci")

			b.open("/bpn/lupa-sandi")
			b.fill("#identifier", email)
			b.click(`form[action="/bpn/lupa-sandi"] > button`)
			link, ok := notify.ExtractLink(p.mailOf(email, notify.ResetLink))
			require.True(t, ok)
			b.open(pathOf(t, link))
			b.fill("#password", "Sawah#Baru2027x", "#password2", "Sawah#Baru2027x")
			shot("atur-sandi")
			b.click(`form[action="/bpn/atur-sandi"] > button`)
			login(email, "Sawah#Baru2027x")
			assert.Contains(t, b.path(), "/bpn/pasang-verifikasi", "the reset ended the lock; the partner sets up a second factor")
		})
	}
}

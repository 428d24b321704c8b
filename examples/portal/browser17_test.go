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

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/totp"
)

// TestBrowserINApas is "Masuk dengan INApas" in Chromium, at a phone's
// width (375 px), in each language, on SQLite and on PostgreSQL with
// Redis, with a local provider standing in for INApas: a civil servant
// clicks "Masuk dengan INApas" on SAPK's login page, approves at the
// provider and lands signed in, then logs out there too; a BPN partner
// whose INApas is not linked is told to log in with the password and
// link it; signed in with the password (and the app's code), links it
// on the security page; and then logs in with INApas (and BPN's second
// step). Each page is fully translated and no wider than the screen,
// shot (on SQLite) as lang-375-inapas-page.png.
func TestBrowserINApas(t *testing.T) {
	forLanguages(t, func(t *testing.T, lang string) {
		forBackends(t, func(t *testing.T, backend func(*config)) {
			p := newINApasPortal(t, backend)
			secret := p.bpnWithApp(p.browser(), "sari.notaris", "sari@notaris.example.id")
			c := newChrome(t, p.portal)
			c.timeout = 3 * time.Minute
			shots := !strings.Contains(t.Name(), "postgres")
			page := func(b *tab, name string) {
				t.Helper()
				if strings.HasPrefix(b.path(), "/") {
					assert.Empty(t, untranslated(lang, b.text()), name)
				}
				assert.False(t, eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`), "%s is wider than the screen", name)
				if shots {
					b.shot(lang + "-375-inapas-" + name)
				}
			}
			approve := func(b *tab) {
				t.Helper()
				b.do(chromedp.WaitVisible(chromedp.CSS("#approve")))
				page(b, "penyedia")
				b.click("#approve")
			}
			code := func() string {
				t.Helper()
				p.clock.Advance(30 * time.Second)
				c, err := totp.Params{}.Code(secret, p.clock.Now())
				require.NoError(t, err)
				return c
			}

			// SAPK: INApas vouches for the NIP; the account is made.
			p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip, "name": "Siti Aminah"})
			b := c.personIn(lang)
			b.do(chromedp.EmulateViewport(375, 800))
			b.open("/sapk/masuk")
			assert.Contains(t, b.text(), t2(lang, "fed.login.button"))
			page(b, "sapk-masuk")
			b.click("#inapas")
			approve(b)
			require.Equal(t, "/akun", b.path())
			assert.Contains(t, b.text(), nip)
			page(b, "sapk-akun")
			b.click(`header form[action="/keluar"] > button`)
			require.Equal(t, "/sapk/masuk", strings.Split(b.path(), "?")[0], "back from INApas's logout")
			assert.Contains(t, b.text(), t2(lang, "login.loggedout"))
			assert.Len(t, p.op.Logouts(), 1)

			// BPN: not linked yet.
			p.op.SignIn(map[string]any{"sub": "inapas-sari", "name": "Sari Wulandari"})
			b = c.personIn(lang)
			b.do(chromedp.EmulateViewport(375, 800))
			b.open("/bpn/masuk")
			page(b, "bpn-masuk")
			b.click("#inapas")
			approve(b)
			assert.Contains(t, b.text(), t2(lang, "fed.failed"))
			page(b, "belum-terhubung")

			// Linked after the password, on the security page.
			b.login("bpn", "sari.notaris", bpnPass)
			require.Equal(t, "/bpn/verifikasi", strings.Split(b.path(), "?")[0])
			b.fill("#code-totp", code())
			b.click(`form:has(#code-totp) > button`)
			require.Equal(t, "/akun", b.path())
			b.open("/akun/keamanan#inapas")
			assert.Contains(t, b.text(), t2(lang, "fed.none"))
			page(b, "keamanan")
			b.click("#inapas-link")
			approve(b)
			require.Equal(t, "/akun/keamanan", strings.Split(b.path(), "?")[0])
			assert.Contains(t, b.text(), t2(lang, "fed.linked.done"))
			page(b, "terhubung")
			b.click(`header form[action="/keluar"] > button`)
			require.Equal(t, "/bpn/masuk", strings.Split(b.path(), "?")[0])

			// Then INApas logs in, and BPN's own second step follows.
			b.click("#inapas")
			approve(b)
			require.Equal(t, "/bpn/verifikasi", strings.Split(b.path(), "?")[0])
			page(b, "bpn-verifikasi")
			b.fill("#code-totp", code())
			b.click(`form:has(#code-totp) > button`)
			require.Equal(t, "/akun", b.path())
			assert.Contains(t, b.text(), "sari.notaris")
			b.click(`header form[action="/keluar"] > button`)
			require.Equal(t, "/bpn/masuk", strings.Split(b.path(), "?")[0], "back from INApas's logout")
			assert.Len(t, p.op.Logouts(), 2)
		})
	})
}

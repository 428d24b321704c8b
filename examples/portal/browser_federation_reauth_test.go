package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBrowserINApasFirstPassword is an account INApas made, in Chromium
// at 375 px in each language: past the login's window, its security page
// asks to verify with INApas instead of a password; after the fresh
// sign-in there, it sets a first password, which logs in. Each page is
// fully translated and no wider than the screen, shot as
// lang-375-inapas-sandi-page.png.
func TestBrowserINApasFirstPassword(t *testing.T) {
	forLanguages(t, func(t *testing.T, lang string) {
		p := newINApasPortal(t)
		c := newChrome(t, p.portal)
		c.timeout = 2 * time.Minute
		page := func(b *tab, name string) {
			t.Helper()
			if strings.HasPrefix(b.path(), "/") {
				assert.Empty(t, untranslated(lang, b.text()), name)
			}
			assert.False(t, eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`), "%s is wider than the screen", name)
			b.shot(lang + "-375-inapas-sandi-" + name)
		}
		approve := func(b *tab) {
			t.Helper()
			b.do(chromedp.WaitVisible(chromedp.CSS("#approve")))
			b.click("#approve")
		}

		p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip, "name": "Siti Aminah"})
		b := c.personIn(lang)
		b.do(chromedp.EmulateViewport(375, 800))
		b.open("/sapk/masuk")
		b.click("#inapas")
		approve(b)
		require.Equal(t, "/akun", b.path())

		p.clock.Advance(11 * time.Minute)
		b.open("/akun/keamanan")
		assert.Contains(t, b.text(), t2(lang, "fed.reauth.title"))
		assert.Contains(t, b.text(), t2(lang, "fed.pw.title"))
		page(b, "verifikasi")
		b.click("#inapas-reauth")
		approve(b)
		require.Equal(t, "/akun/keamanan", strings.Split(b.path(), "?")[0])
		assert.Contains(t, b.text(), t2(lang, "fed.reauth.done"))
		page(b, "terverifikasi")

		b.fill("#first-password", "Teh-Manis-Hangat-2026")
		b.click("#first-password-set")
		require.Equal(t, "/akun/keamanan", strings.Split(b.path(), "?")[0])
		assert.Contains(t, b.text(), t2(lang, "fed.pw.done"))
		page(b, "dibuat")

		other := c.personIn(lang)
		other.login("sapk", nip, "Teh-Manis-Hangat-2026")
		assert.Equal(t, "/akun", other.path(), "the first password logs in")
	})
}

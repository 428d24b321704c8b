package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
)

// downloads lets the tab's browser context save files in a folder of the
// test's, and returns the folder.
func (b *tab) downloads() string {
	b.c.t.Helper()
	dir := b.c.t.TempDir()
	on := true
	_, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
		Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: chromedp.FromContext(b.ctx).BrowserContextID,
		DownloadPath: dir, EventsEnabled: &on})
	require.NoError(b.c.t, err)
	return dir
}

// download clicks a button whose answer is a file, waits for the file,
// and returns its name and content.
func (b *tab) download(dir, sel string) (string, []byte) {
	b.c.t.Helper()
	begin := chromedp.BrowserEvents(b.ctx, cdpbrowser.DownloadWillBegin)
	progress := chromedp.BrowserEvents(b.ctx, cdpbrowser.DownloadProgress)
	b.do(chromedp.Click(chromedp.CSS(sel)))
	var name string
	for ev, err := range begin {
		require.NoError(b.c.t, err)
		name = ev.SuggestedFilename
		break
	}
	for ev, err := range progress {
		require.NoError(b.c.t, err)
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			break
		}
		require.NotEqual(b.c.t, cdpbrowser.DownloadProgressStateCanceled, ev.State)
	}
	content, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(b.c.t, err)
	return name, content
}

// TestBrowserErase walks issue 19's pages in each language at a phone's
// width, on SQLite and on PostgreSQL with Redis: an owner downloads the
// account's data from the security page, deletes the account (a wrong
// password first, shown beside its field with the focus on the summary),
// lands on the page that says it is deleted, and is logged out; an
// operator exports another account's data and erases it with a reason.
// Each page is fully translated and no wider than the screen, shot (on
// SQLite) as lang-375-erase-page.png.
func TestBrowserErase(t *testing.T) {
	forLanguages(t, func(t *testing.T, lang string) {
		forBackends(t, func(t *testing.T, backend func(*config)) {
			p := newPortal(t, backend)
			p.activeSAPK(p.browser(), "siti@example.go.id")
			p.activeLPSE(p.browser(), "budi@example.co.id")
			lpseID := accountID(t, p, "lpse")
			c := newChrome(t, p)
			c.timeout = 3 * time.Minute
			shots := !strings.Contains(t.Name(), "postgres")
			page := func(b *tab, name string) {
				t.Helper()
				assert.Empty(t, untranslated(lang, b.text()), name)
				assert.False(t, eval[bool](b, `document.documentElement.scrollWidth > document.documentElement.clientWidth`), "%s is wider than the screen", name)
				if shots {
					b.shot(lang + "-375-erase-" + name)
				}
			}
			today := p.clock.Now().In(wib).Format("2006-01-02")

			b := c.personIn(lang)
			b.do(chromedp.EmulateViewport(375, 800))
			dir := b.downloads()
			b.login("sapk", nip, sapkPass)
			require.Equal(t, "/akun", b.path())
			page(b, "akun")

			// The download, from the security page's section.
			b.click(`a[href="/akun/keamanan#data"]`)
			assert.Contains(t, b.text(), t2(lang, "data.intro"))
			b.do(chromedp.ScrollIntoView(chromedp.CSS(`#data`)))
			page(b, "keamanan-data")
			name, content := b.download(dir, `form[action="/akun/data/unduh"] > button`)
			assert.Equal(t, "data-akun-sapk-"+today+".json", name)
			var x auth.AccountExport
			require.NoError(t, json.Unmarshal(content, &x))
			assert.Equal(t, nip, x.Username)
			assert.Equal(t, "sapk", x.Realm)
			assert.Equal(t, "/akun/keamanan", b.path(), "the page stays")

			// Past the confirmation's window, the download waits for the
			// password, as the page's other forms do.
			p.clock.Advance(11 * time.Minute)
			b.open("/akun/keamanan")
			assert.True(t, eval[bool](b, `document.querySelector('form[action="/akun/data/unduh"] button').matches(":disabled")`), "the download is disabled")
			b.do(chromedp.ScrollIntoView(chromedp.CSS(`#data`)))
			page(b, "keamanan-data-konfirmasi")
			b.fill("#reauth-password", sapkPass)
			b.click(`form[action="/akun/keamanan/konfirmasi"] > button`)
			assert.False(t, eval[bool](b, `document.querySelector('form[action="/akun/data/unduh"] button').matches(":disabled")`), "the download is enabled again")

			// The erasure: a wrong password first.
			b.click(`a[href="/akun/hapus"]`)
			assert.Contains(t, b.text(), t2(lang, "erase.kept.pseudonymise"))
			page(b, "hapus")
			b.fill("#erase-password", "salah-sekali")
			b.do(chromedp.Click(chromedp.CSS("#erase-confirm")))
			b.click(`form[action="/akun/hapus"] button`)
			assert.Equal(t, "true", eval[string](b, `document.getElementById("erase-password").getAttribute("aria-invalid")`))
			assert.Equal(t, t2(lang, "err.password"), b.read(chromedp.Text(chromedp.CSS(`#erase-password-error`))))
			focused := ""
			for range 40 {
				if focused = eval[string](b, `document.activeElement.id`); focused == "problems" {
					break
				}
				time.Sleep(25 * time.Millisecond)
			}
			assert.Equal(t, "problems", focused, "the summary has the focus")
			page(b, "hapus-salah")

			b.fill("#erase-password", sapkPass)
			b.do(chromedp.Click(chromedp.CSS("#erase-confirm")))
			b.click(`form[action="/akun/hapus"] button`)
			assert.Equal(t, "/akun/dihapus?realm=sapk", b.path())
			assert.Contains(t, b.text(), tf(lang, "erased.in", "Portal Masuk SAPK"))
			page(b, "dihapus")
			assert.NotContains(t, b.html(), `action="/keluar"`, "logged out")
			b.open("/akun")
			assert.Equal(t, "/", strings.Split(b.path(), "?")[0], "the session ended")

			// The operator: an export, then the erasure with a reason.
			op := c.personIn(lang)
			op.do(chromedp.EmulateViewport(375, 800))
			opDir := op.downloads()
			op.login("operator", operatorUsername, p.app.seededPassword)
			op.open("/operator/akun?id=" + lpseID)
			op.do(chromedp.ScrollIntoView(chromedp.CSS(`#hapus`)))
			page(op, "operator-akun")
			op.fill("#export-reason", "Permintaan pemilik, surat 11/2026")
			name, content = op.download(opDir, `form[action="/operator/akun/ekspor"] button`)
			assert.Equal(t, "data-akun-lpse-"+today+".json", name)
			require.NoError(t, json.Unmarshal(content, &x))
			assert.Equal(t, lpseID, x.AccountID)
			op.fill("#erase-reason", "Permintaan pemilik, surat 12/2026")
			op.do(chromedp.Click(chromedp.CSS("#erase-confirm")))
			op.click(`form[action="/operator/akun/hapus"] button`)
			assert.Equal(t, "/operator", strings.Split(op.path(), "?")[0])
			assert.Contains(t, op.text(), t2(lang, "op.erased"))
			assert.NotRegexp(t, regexp.MustCompile(regexp.QuoteMeta(lpseID)), op.html())
			page(op, "operator-dihapus")
		})
	})
}

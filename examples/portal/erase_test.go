package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// The tests of this file hold issue 19's portal half: the owner's
// download of the account's data and the account's erasure, and the
// operator's export and erasure.

// download posts a form whose answer is a file, and returns the answer
// with its body.
func (b *browser) download(path string, form url.Values) (*http.Response, []byte) {
	b.p.t.Helper()
	resp, err := b.c.PostForm(b.p.srv.URL+path, form)
	require.NoError(b.p.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.p.t, err)
	return resp, body
}

// isExport checks that an answer is the export of an account of realm, as
// a file to keep, and returns it.
func isExport(t *testing.T, p *portal, resp *http.Response, body []byte, realm string) auth.AccountExport {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.Equal(t, `attachment; filename="data-akun-`+realm+"-"+p.clock.Now().In(wib).Format("2006-01-02")+`.json"`, resp.Header.Get("Content-Disposition"))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	var x auth.AccountExport
	require.NoError(t, json.Unmarshal(body, &x))
	return x
}

// accountID is the account's ID, from the operator's list.
func accountID(t *testing.T, p *portal, realm string) string {
	t.Helper()
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body := op.get("/operator?realm=" + realm)
	return find(t, body, `/operator/akun\?id=([0-9a-f]+)`)
}

// erasedEvents are the events masuk kept of an erased account, newest
// first, read from the portal's SQLite database.
func erasedEvents(t *testing.T, p *portal, realm, id string) []store.Event {
	t.Helper()
	return eventsOf(t, p, realm, store.Pseudonym(id))
}

// eventsOf are an account's events, newest first, read from the portal's
// SQLite database.
func eventsOf(t *testing.T, p *portal, realm, accountID string) []store.Event {
	t.Helper()
	db, err := sql.Open("sqlite", sqlstore.SQLiteDSN(p.app.cfg.SQLite))
	require.NoError(t, err)
	defer db.Close()
	s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.SQLite})
	require.NoError(t, err)
	evs, err := s.ListEvents(context.Background(), store.EventQuery{Realm: realm, AccountID: accountID})
	require.NoError(t, err)
	return evs
}

// TestExportNeedsReauth: right after the login (which proved the
// password) the owner downloads the account's data as a JSON file, no
// cache; eleven minutes on, past the confirmation's window, the download
// is refused with the security page's confirmation form and why, until
// the password is confirmed. The file is that account's only: another
// account's username, email and events are not in it, and no secret is.
func TestExportNeedsReauth(t *testing.T) {
	p := newPortal(t)
	p.activeLPSE(p.browser(), "budi@example.co.id")
	other := p.browser()
	other.login("lpse", npwp, lpsePass)
	require.Equal(t, "/akun", other.url.Path)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path)

	_, body := b.get("/akun/keamanan")
	assert.Contains(t, body, `<h2 id="data">`+t2("id", "data.title")+`</h2>`)
	assert.Contains(t, body, `<a href="/akun/hapus">`+t2("id", "data.erase.link")+`</a>`)
	_, body = b.get("/akun")
	assert.Contains(t, body, `<a href="/akun/keamanan#data">`+t2("id", "data.title")+`</a>`)

	resp, raw := b.download("/akun/data/unduh", nil)
	x := isExport(t, p, resp, raw, "sapk")
	assert.Equal(t, "sapk", x.Realm)
	assert.Equal(t, nip, x.Username)
	assert.Equal(t, "siti@example.go.id", x.Email)
	assert.Equal(t, "Siti Aminah", x.Profile["name"])
	require.Len(t, x.Sessions, 1)
	assert.True(t, x.Sessions[0].Current, "this session is marked")
	kinds := map[auth.EventKind]bool{}
	for _, e := range x.Activity {
		kinds[e.Kind] = true
	}
	assert.True(t, kinds[auth.EventRegistered] && kinds[auth.EventLoginSucceeded], "the history: %v", kinds)
	for _, s := range []string{"013121660091000", "budi@example.co.id", "PT Contoh", "lpse", sapkPass, "$argon2"} {
		assert.NotContains(t, string(raw), s, "another account's data, or a secret")
	}

	// Past the window: the confirmation form, and no file.
	p.clock.Advance(11 * time.Minute)
	resp, raw = b.download("/akun/data/unduh", nil)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Empty(t, resp.Header.Get("Content-Disposition"))
	page := string(raw)
	assert.Contains(t, page, `<p class="field-error" id="reauth-password-error"><span>`+t2("id", "sec.reauth.expired")+`</span></p>`)
	assert.NotContains(t, page, `"username"`)
	assert.Contains(t, page, `<fieldset class="plain" disabled aria-describedby="reauth-note">`+"\n"+`<legend class="sr">`+t2("id", "data.title"))

	status, _ := b.post("/akun/keamanan/konfirmasi", url.Values{"password": {sapkPass}})
	require.Equal(t, http.StatusOK, status)
	resp, raw = b.download("/akun/data/unduh", nil)
	assert.Equal(t, nip, isExport(t, p, resp, raw, "sapk").Username)
}

// TestOwnerErase: the erasure page says what is deleted and kept; a
// wrong password, an empty one (an earlier confirmation does not stand
// in) or a missing tick is shown beside its field and deletes nothing.
// The right password with the tick erases the account and every one of
// its sessions, clears the cookie and lands on a page that says so; the
// form sent again is told that nothing more was deleted; the NIP logs in
// no more. masuk keeps the erasure, by the owner, and the history
// without the owner's address.
func TestOwnerErase(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	id := accountID(t, p, "sapk")
	elsewhere := p.browser()
	elsewhere.login("sapk", nip, sapkPass)
	b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path)

	status, body := b.get("/akun/hapus")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "erase.deleted"))
	assert.Contains(t, body, t2("id", "erase.kept.pseudonymise"))
	assert.Contains(t, body, tf("id", "erase.free", "NIP"))
	assert.Contains(t, inputTagOf(t, body, eraseField), `type="password"`)
	assert.Contains(t, inputTagOf(t, body, eraseField), `aria-describedby="erase-password-hint"`)

	erase := url.Values{"password": {"salah-sekali"}, "confirm": {"1"}}
	status, body = b.post("/akun/hapus", erase)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="erase-password-error"><span>`+t2("id", "err.password")+`</span></p>`)
	assert.Contains(t, inputTagOf(t, body, eraseField), `aria-describedby="erase-password-error erase-password-hint" aria-invalid="true"`)
	assert.Contains(t, body, `id="problems" role="alert" tabindex="-1" autofocus`)
	assert.Contains(t, body, `<a href="#erase-password">`+t2("id", "err.password")+`</a>`)
	assert.NotContains(t, body, "salah-sekali", "the password is not sent back")

	// The session proved the password at the login, a minute ago: that
	// does not stand in for it here.
	status, body = b.post("/akun/hapus", url.Values{"confirm": {"1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="erase-password-error"><span>`+t2("id", "erase.err.password")+`</span></p>`)
	status, body = b.post("/akun/hapus", url.Values{"password": {sapkPass}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="erase-confirm-error"><span>`+t2("id", "erase.err.confirm")+`</span></p>`)
	assert.Contains(t, inputTagOf(t, body, confirmField), `aria-invalid="true"`)
	status, _ = b.get("/akun")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "/akun", b.url.Path, "nothing deleted, still logged in")
	assert.Equal(t, "1", failures(t, p, "sapk"), "the wrong password counted toward the lock")

	// The form sent twice at once (a double click): one erases, the
	// other finds no account or no session; neither fails.
	srv, err := url.Parse(p.srv.URL)
	require.NoError(t, err)
	cookies := b.c.Jar.Cookies(srv)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	send := func() (int, string) {
		req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/akun/hapus", strings.NewReader(url.Values{"password": {sapkPass}, "confirm": {"1"}}.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for _, c := range cookies {
			req.AddCookie(c)
		}
		resp, err := noFollow.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode == http.StatusSeeOther {
			assert.Equal(t, "/akun/dihapus?realm=sapk", resp.Header.Get("Location"))
			assert.Contains(t, resp.Header.Values("Set-Cookie"), "masuk=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; HttpOnly; SameSite=Lax", "the cookie is cleared")
		}
		return resp.StatusCode, string(body)
	}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Go(func() { statuses[i], _ = send() })
	}
	wg.Wait()
	assert.Contains(t, statuses, http.StatusSeeOther, "one of them erased")
	for _, s := range statuses {
		assert.Contains(t, []int{http.StatusSeeOther, http.StatusUnauthorized}, s)
	}
	// And once more, well after: the page says nothing more was deleted.
	status, body = send()
	assert.Equal(t, http.StatusUnauthorized, status)
	assert.Contains(t, body, t2("id", "erase.gone"))

	status, body = b.get("/akun/dihapus?realm=sapk")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, tf("id", "erased.in", "Portal Masuk SAPK"))
	assert.Contains(t, body, t2("id", "erase.kept.pseudonymise"))
	b.get("/bahasa?lang=en&next=/akun/dihapus?realm=sapk")
	_, body = b.get("/akun/dihapus?realm=sapk")
	assert.Contains(t, body, tf("en", "erased.in", "Portal Masuk SAPK"))

	// No session of the account works any more, here or elsewhere.
	for _, who := range []*browser{elsewhere} {
		who.get("/akun")
		assert.Equal(t, "/", who.url.Path, "the other session ended")
	}
	req, err := http.NewRequest(http.MethodGet, p.srv.URL+"/akun", nil)
	require.NoError(t, err)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	req.Header.Set("Accept", "text/html")
	resp, err := noFollow.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode, "the old cookie opens nothing")
	status, body = p.browser().login("sapk", nip, sapkPass)
	assert.Equal(t, http.StatusUnauthorized, status, "the NIP logs in no more")
	assert.Contains(t, body, tf("id", "login.invalid", "NIP"))

	evs := erasedEvents(t, p, "sapk", id)
	require.NotEmpty(t, evs)
	assert.Equal(t, string(auth.EventErased), evs[0].Kind)
	assert.Equal(t, map[string]string{"by": "owner"}, evs[0].Details)
	for _, e := range evs {
		assert.Empty(t, e.ClientAddr, "%s", e.Kind)
		assert.Empty(t, e.Username, "%s", e.Kind)
	}
}

// TestEraseCrossOriginRefused: the erasure's and the downloads' forms,
// sent from another site, are refused (the portal's
// CrossOriginProtection) and delete and send nothing.
func TestEraseCrossOriginRefused(t *testing.T) {
	p := newPortal(t)
	b := p.browser()
	p.activeSAPK(b, "siti@example.go.id")
	id := accountID(t, p, "sapk")
	b.login("sapk", nip, sapkPass)
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	for _, c := range []struct {
		who  *browser
		path string
		form url.Values
	}{
		{b, "/akun/hapus", url.Values{"password": {sapkPass}, "confirm": {"1"}}},
		{b, "/akun/data/unduh", nil},
		{op, "/operator/akun/hapus", url.Values{"id": {id}, "realm": {"sapk"}, "reason": {"Permintaan pemilik"}, "confirm": {"1"}}},
		{op, "/operator/akun/ekspor", url.Values{"id": {id}, "reason": {"Permintaan pemilik"}}},
	} {
		req, err := http.NewRequest(http.MethodPost, p.srv.URL+c.path, strings.NewReader(c.form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, err := c.who.c.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, c.path)
		assert.Empty(t, resp.Header.Get("Content-Disposition"), c.path)
		assert.NotContains(t, string(body), nip, c.path)
	}
	status, _ := b.get("/akun")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "/akun", b.url.Path, "not erased")
	status, _ = op.get("/operator/akun?id=" + id)
	assert.Equal(t, http.StatusOK, status, "not erased")
}

// TestOperatorEraseAndExport: an operator exports an account's data as
// a JSON file, and erases the account with a reason and a tick (each
// missing is shown beside its field, and erases nothing); the list then
// says it was erased, the account's page is gone, the owner's session
// ends, and masuk's record of the erasure names the operator and the
// reason. The form sent again goes back to the list. An operator cannot
// export or erase an operator's account, their own included; a portal's
// owner cannot reach the operator's forms.
func TestOperatorEraseAndExport(t *testing.T) {
	p := newPortal(t)
	owner := p.browser()
	p.activeSAPK(owner, "siti@example.go.id")
	owner.login("sapk", nip, sapkPass)
	id := accountID(t, p, "sapk")
	op := p.browser()
	op.login("operator", operatorUsername, p.app.seededPassword)
	_, body := op.get("/operator/akun?id=" + id)
	assert.Contains(t, body, `<h2 id="data">`+t2("id", "op.data")+`</h2>`)
	assert.Contains(t, body, t2("id", "op.erase.kept.pseudonymise"))

	// An export needs a reason, which the owner's history shows.
	status, body := op.post("/operator/akun/ekspor", url.Values{"id": {id}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="export-reason-error"><span>`+t2("id", "err.reason")+`</span></p>`)
	resp, raw := op.download("/operator/akun/ekspor", url.Values{"id": {id}, "reason": {"Permintaan pemilik, surat 11/2026"}})
	x := isExport(t, p, resp, raw, "sapk")
	assert.Equal(t, id, x.AccountID)
	assert.Equal(t, nip, x.Username)
	evs := eventsOf(t, p, "sapk", id)
	require.NotEmpty(t, evs)
	assert.Equal(t, string(auth.EventExported), evs[0].Kind)
	assert.Equal(t, "Permintaan pemilik, surat 11/2026", evs[0].Details["reason"])

	// The owner may not; nor may an operator take an operator's account.
	status, _ = owner.post("/operator/akun/ekspor", url.Values{"id": {id}, "reason": {"x"}})
	assert.Equal(t, http.StatusForbidden, status)
	status, _ = owner.post("/operator/akun/hapus", url.Values{"id": {id}, "reason": {"x"}, "confirm": {"1"}})
	assert.Equal(t, http.StatusForbidden, status)
	opID := principalID(t, p, op)
	resp, _ = op.download("/operator/akun/ekspor", url.Values{"id": {opID}, "reason": {"x"}})
	assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	status, _ = op.post("/operator/akun/hapus", url.Values{"id": {opID}, "reason": {"x"}, "confirm": {"1"}})
	assert.Equal(t, http.StatusForbidden, status)

	status, body = op.post("/operator/akun/hapus", url.Values{"id": {id}, "realm": {"sapk"}, "confirm": {"1"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="erase-reason-error"><span>`+t2("id", "err.reason")+`</span></p>`)
	assert.Contains(t, inputTagOf(t, body, "erase-reason"), `aria-invalid="true"`)
	status, body = op.post("/operator/akun/hapus", url.Values{"id": {id}, "realm": {"sapk"}, "reason": {"Permintaan pemilik, surat 12/2026"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, `<p class="field-error" id="erase-confirm-error"><span>`+t2("id", "op.erase.err.confirm")+`</span></p>`)
	assert.Contains(t, inputTagOf(t, body, "erase-reason"), `value="Permintaan pemilik, surat 12/2026"`, "the reason stays")
	status, _ = owner.get("/akun")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "/akun", owner.url.Path, "not erased")

	form := url.Values{"id": {id}, "realm": {"sapk"}, "reason": {"Permintaan pemilik, surat 12/2026"}, "confirm": {"1"}}
	status, body = op.post("/operator/akun/hapus", form)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/operator", op.url.Path)
	assert.Equal(t, "sapk", op.url.Query().Get("realm"))
	assert.Contains(t, body, `<p class="notice" role="status">`+t2("id", "op.erased")+`</p>`)
	assert.NotContains(t, body, id)
	status, _ = op.get("/operator/akun?id=" + id)
	assert.Equal(t, http.StatusNotFound, status)
	status, body = op.post("/operator/akun/hapus", form)
	assert.Equal(t, http.StatusOK, status, "sent again: back to the list")
	assert.Contains(t, body, t2("id", "op.erased"))

	owner.get("/akun")
	assert.Equal(t, "/", owner.url.Path, "the owner's session ended")
	evs = erasedEvents(t, p, "sapk", id)
	require.NotEmpty(t, evs)
	assert.Equal(t, string(auth.EventErased), evs[0].Kind)
	assert.Equal(t, map[string]string{"by": operatorUsername + "#" + opID, "reason": "Permintaan pemilik, surat 12/2026"}, evs[0].Details)
	assert.Equal(t, 1, countKind(evs, auth.EventErased), "one erasure recorded")
}

// principalID is the account ID of the browser's session.
func principalID(t *testing.T, p *portal, b *browser) string {
	t.Helper()
	srv, err := url.Parse(p.srv.URL)
	require.NoError(t, err)
	for _, c := range b.c.Jar.Cookies(srv) {
		if c.Name == "masuk" {
			pr, err := p.app.auth.Sessions().Load(context.Background(), c.Value)
			require.NoError(t, err)
			return pr.AccountID
		}
	}
	require.FailNow(t, "no session cookie")
	return ""
}

func countKind(evs []store.Event, kind auth.EventKind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == string(kind) {
			n++
		}
	}
	return n
}

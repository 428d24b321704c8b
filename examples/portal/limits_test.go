package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
		assert.NotEqual(t, "/akun", b.url.Path)
	}

	// Logged in, too: the password change.
	b := p.browser()
	_, body := b.login("sapk", nip, sapkPass)
	require.Equal(t, "/akun", b.url.Path, body)
	status, _ := b.post("/akun/sandi", url.Values{"current": {sapkPass}, "password": {strings.Repeat("Ab1", maxBody/3)}})
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)

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

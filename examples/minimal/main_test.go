package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMinimal(t *testing.T) {
	h, err := newHandler()
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	defer srv.Close()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	c := &http.Client{Jar: jar}
	get := func(method, path string, form url.Values) string {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return string(body)
	}
	assert.Contains(t, get("POST", "/login", url.Values{"username": {"budi"}, "password": {"salah"}}), "Nama pengguna atau kata sandi salah.")
	assert.Contains(t, get("POST", "/login", url.Values{"username": {"siti"}, "password": {"salah"}}), "Nama pengguna atau kata sandi salah.", "an unknown user reads the same")
	assert.Contains(t, get("POST", "/login", url.Values{"username": {"BUDI"}, "password": {"kopi tubruk pagi"}}), "Halo, budi.")
	assert.Contains(t, get("GET", "/", nil), "Halo, budi.")
	assert.Contains(t, get("POST", "/logout", url.Values{}), `action="/login"`)
	for range 5 {
		get("POST", "/login", url.Values{"username": {"budi"}, "password": {"salah"}})
	}
	locked := get("POST", "/login", url.Values{"username": {"budi"}, "password": {"kopi tubruk pagi"}})
	assert.Contains(t, locked, "Terlalu banyak percobaan gagal.")
	assert.Regexp(t, `Terkunci sampai \d\d:\d\d:\d\d\.`, locked)
}

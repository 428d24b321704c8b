package main

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/internal/fakepwned"
)

// breachedPass passes every realm's local rules, and the fake corpus has
// seen it 3 times.
const breachedPass = "Jakarta#2024"

var breachCorpus = map[string]int{breachedPass: 3}

func registerLPSE(b *browser, pw string) (int, string) {
	return b.post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"},
		"password": {pw}, "password2": {pw}})
}

var breachMessage = password.Violation{Rule: password.RuleBreached, Limit: 3}.Message("id")

// -breach-api: every realm's policy asks the range API, here a local one.
func TestBreachAPI(t *testing.T) {
	api := fakepwned.New(t, breachCorpus)
	p := newPortal(t, func(c *config) { c.BreachAPI = api.URL })
	b := p.browser()
	seeding := len(api.Requests())
	assert.Equal(t, 1, seeding, "the seeded operator's password is checked like any other")

	status, body := registerLPSE(b, breachedPass)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, breachMessage)
	assert.Equal(t, "Kata sandi ini telah muncul 3 kali dalam kebocoran data.", breachMessage)
	reqs := api.Requests()[seeding:]
	require.Len(t, reqs, 1)
	prefix, _ := fakepwned.Hash(breachedPass)
	assert.Equal(t, "/range/"+prefix, reqs[0].Path)
	assert.Equal(t, "true", reqs[0].Header.Get("Add-Padding"))

	// The SAPK realm's own rules and the breach check, reported together.
	status, body = b.post("/sapk/daftar", url.Values{"consent": {"1"}, "username": {nip}, "name": {"Siti Aminah"}, "email": {"siti@example.go.id"},
		"password": {"jakarta#2024"}, "password2": {"jakarta#2024"}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, password.Violation{Rule: password.RuleNeedsUpper, Limit: 1}.Message("id"))
	assert.NotContains(t, body, "kebocoran data", "another hash: not in the corpus")

	// A password change is checked too.
	p.activeSAPK(b, "siti@example.go.id")
	b.login("sapk", nip, sapkPass)
	status, body = b.post("/akun/sandi", url.Values{"current": {sapkPass}, "password": {breachedPass}, "password2": {breachedPass}})
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, breachMessage)

	status, body = registerLPSE(p.browser(), "pengadaan barang 2026")
	require.Equal(t, http.StatusOK, status, body)
}

// While the API fails, -breach-fail-closed refuses with "try again";
// without it the password goes through on the local rules.
func TestBreachAPIDown(t *testing.T) {
	api := fakepwned.New(t, breachCorpus)
	closed := newPortal(t, func(c *config) { c.BreachAPI, c.BreachFailClosed = api.URL, true })
	open := newPortal(t, func(c *config) { c.BreachAPI = api.URL })
	api.Fail(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) })

	status, body := registerLPSE(closed.browser(), "pengadaan barang 2026")
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, t2("id", "err.breach"))
	assert.Contains(t, registerLPSEInEnglish(closed), t2("en", "err.breach"))

	status, body = registerLPSE(open.browser(), "pengadaan barang 2026")
	require.Equal(t, http.StatusOK, status, body)
	assert.Contains(t, body, t2("id", "reg.done.link"))

	// Failing closed, even the first start needs an answer: the seeded
	// operator's password is set like any other.
	_, _, err := newApp(config{BaseURL: "http://127.0.0.1:8080", SQLite: filepath.Join(t.TempDir(), "portal.db"),
		BreachAPI: api.URL, BreachFailClosed: true})
	require.ErrorIs(t, err, password.ErrBreachUnavailable)
}

// registerLPSEInEnglish switches a browser to English and registers.
func registerLPSEInEnglish(p *portal) string {
	b := p.browser()
	b.get("/bahasa?lang=en&next=/lpse/daftar")
	_, body := registerLPSE(b, "pengadaan barang 2026")
	return body
}

// -breach-dir reads downloaded range files.
func TestBreachDir(t *testing.T) {
	dir := t.TempDir()
	for pw, n := range breachCorpus {
		prefix, suffix := fakepwned.Hash(pw)
		body := strings.Repeat("0", 35) + ":1\r\n" + suffix + ":" + strconv.Itoa(n)
		require.NoError(t, os.WriteFile(filepath.Join(dir, prefix+".txt"), []byte(body), 0o644))
	}
	// Failing open: this directory lacks most ranges, that of the seeded
	// operator's password among them.
	p := newPortal(t, func(c *config) { c.BreachDir = dir })
	status, body := registerLPSE(p.browser(), breachedPass)
	assert.Equal(t, http.StatusUnprocessableEntity, status)
	assert.Contains(t, body, breachMessage)

	// This password's range file is not in the directory either: failing
	// open, the local rules decide.
	status, body = registerLPSE(p.browser(), "pengadaan barang 2026")
	require.Equal(t, http.StatusOK, status, body)
}

func TestBreachFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-postgres=", "-redis="})
	require.NoError(t, err)
	assert.Empty(t, cfg.BreachAPI, "off by default")
	assert.Empty(t, cfg.BreachDir)
	assert.False(t, cfg.BreachFailClosed)

	cfg, err = parseFlags([]string{"-breach-api", "https://api.pwnedpasswords.com", "-breach-fail-closed"})
	require.NoError(t, err)
	assert.Equal(t, "https://api.pwnedpasswords.com", cfg.BreachAPI)
	assert.True(t, cfg.BreachFailClosed)

	for _, change := range []func(*config){
		func(c *config) { c.BreachAPI, c.BreachDir = "https://api.pwnedpasswords.com", t.TempDir() },
		func(c *config) { c.BreachAPI = "api.pwnedpasswords.com" },
		func(c *config) { c.BreachDir = filepath.Join(t.TempDir(), "missing") },
	} {
		cfg := config{BaseURL: "http://127.0.0.1:8080", SQLite: filepath.Join(t.TempDir(), "portal.db")}
		change(&cfg)
		_, _, err := newApp(cfg)
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "portal: -breach-"), err.Error())
	}
}

package main

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/notify"
)

// TestOutboxOnlyForThisMachine: the development outbox, which shows every
// code and link the portal sends, answers only a client on this machine
// (by the connection's address, never by X-Forwarded-For) that asked for
// it by a loopback name (not a name rebound to 127.0.0.1). Everyone else
// gets the portal's 404 and no link to it.
func TestOutboxOnlyForThisMachine(t *testing.T) {
	p := newPortal(t, func(c *config) {
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8")}
	})
	h := p.srv.Config.Handler
	for _, c := range []struct {
		name, remote, host, forwardedFor string
		want                             int
	}{
		{"loopback", "127.0.0.1:40000", "127.0.0.1:8080", "", http.StatusOK},
		{"localhost on another port", "127.0.0.1:40000", "localhost:9090", "", http.StatusOK},
		{"localhost without a port", "127.0.0.1:40000", "localhost", "", http.StatusOK},
		{"ipv6 loopback", "[::1]:40000", "[::1]:8080", "", http.StatusOK},
		{"network client", "192.0.2.10:40000", "127.0.0.1:8080", "", http.StatusNotFound},
		{"network client by the LAN address", "192.0.2.10:40000", "192.168.1.5:8080", "", http.StatusNotFound},
		{"loopback client by the LAN address", "127.0.0.1:40000", "192.168.1.5:8080", "", http.StatusNotFound},
		{"DNS rebinding", "127.0.0.1:40000", "evil.example:8080", "", http.StatusNotFound},
		{"localhost as a subdomain", "127.0.0.1:40000", "localhost.evil.example", "", http.StatusNotFound},
		{"trusted proxy naming a loopback client", "10.0.0.2:40000", "localhost:8080", "127.0.0.1", http.StatusNotFound},
		{"proxy on this machine forwarding a network client", "127.0.0.1:40000", "127.0.0.1:8080", "192.0.2.10", http.StatusNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, path := range []string{"/dev/outbox", "/"} {
				req := httptest.NewRequest(http.MethodGet, "http://"+c.host+path, nil)
				req.RemoteAddr = c.remote
				if c.forwardedFor != "" {
					req.Header.Set("X-Forwarded-For", c.forwardedFor)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if path == "/" {
					assert.Equal(t, c.want == http.StatusOK, strings.Contains(rec.Body.String(), `href="/dev/outbox"`), "the footer's link")
					continue
				}
				assert.Equal(t, c.want, rec.Code)
				if c.want == http.StatusOK {
					assert.Contains(t, rec.Body.String(), t2("id", "outbox.title"))
				} else {
					assert.Contains(t, rec.Body.String(), t2("id", "err.notfound"))
				}
			}
		})
	}
}

// TestBaseURLFromAddr: without -base-url, links in emails are built from
// -addr, so that a portal on another port sends links that work. An
// address that listens beyond this machine needs an explicit -base-url.
func TestBaseURLFromAddr(t *testing.T) {
	for _, c := range []struct{ addr, base, want string }{
		{"127.0.0.1:9090", "", "http://127.0.0.1:9090"},
		{":9090", "", "http://localhost:9090"},
		{"localhost:9090", "", "http://localhost:9090"},
		{"[::1]:9090", "", "http://[::1]:9090"},
		{"0.0.0.0:8080", "", ""},
		{"[::]:8080", "", ""},
		{"192.168.1.5:8080", "", ""},
		{"portal.example:8080", "", ""},
		{"8080", "", ""},
		{"0.0.0.0:8080", "http://localhost:8080", "http://localhost:8080"},
		{"0.0.0.0:8080", "https://portal.example.go.id", "https://portal.example.go.id"},
	} {
		t.Run(c.addr+" "+c.base, func(t *testing.T) {
			cfg := config{Addr: c.addr, BaseURL: c.base, SQLite: filepath.Join(t.TempDir(), "portal.db"), CaptchaRand: zeros}
			if strings.HasPrefix(c.base, "https:") {
				cfg.SMTP.Addr, cfg.SMTP.From = "127.0.0.1:1", "noreply@example.go.id"
			}
			a, _, err := newApp(cfg)
			if c.want == "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "-base-url")
				return
			}
			require.NoError(t, err)
			t.Cleanup(func() { a.Close() })
			assert.Equal(t, c.want, a.base.String())
		})
	}

	// The link in an activation email, end to end, from the command line.
	cfg, err := parseFlags([]string{"-addr", "127.0.0.1:9090", "-db", filepath.Join(t.TempDir(), "portal.db"), "-postgres=", "-redis="})
	require.NoError(t, err)
	cfg.CaptchaRand = zeros
	a, h, err := newApp(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		require.NoError(t, a.Close())
	})
	p := &portal{t: t, app: a, srv: srv}
	assert.Empty(t, cfg.BaseURL, "-base-url has no default of its own")
	const pw = "pengadaan barang 2026"
	status, body := p.browser().post("/lpse/daftar", url.Values{"consent": {"1"}, "username": {npwp}, "name": {"PT Contoh"}, "email": {"budi@example.co.id"}, "password": {pw}, "password2": {pw}})
	require.Equal(t, http.StatusOK, status, body)
	link, ok := notify.ExtractLink(p.mail("budi@example.co.id"))
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(link, "http://127.0.0.1:9090/lpse/aktivasi?token="), link)
}

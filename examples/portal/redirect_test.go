package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLocalPath: a "next" parameter is followed only when a browser would
// stay on this site with it. Browsers drop tabs and newlines anywhere in a
// URL and read a backslash as a slash, so "/\t/evil.example" and
// "/\\evil.example" are both "//evil.example": another site. Percent
// encodings are refused too when decoding them gives such a path, for the
// proxies and frameworks that decode before they redirect again.
func TestLocalPath(t *testing.T) {
	const def = "/home"
	bad := []string{
		"",
		"akun",
		"evil.example",
		"https://evil.example/",
		"http:/evil.example",
		"javascript:alert(1)",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\/evil.example",
		"/\t/evil.example",
		"\t//evil.example",
		"/\n/evil.example",
		"/\r\n/evil.example",
		"/\x00/evil.example",
		"/\x0b/evil.example",
		"/\x7f/evil.example",
		" /akun",
		"/ /evil.example",
		"/akun\\..\\..\\evil",
		"/%09/evil.example",
		"/%0a/evil.example",
		"/%0D%0ASet-Cookie:%20x=1",
		"/akun?x=%00",
		"/%2F%2Fevil.example",
		"/%2f/evil.example",
		"/%2F/evil.example",
		"/%5Cevil.example",
		"/%5c%5cevil.example",
		"/%252F%252Fevil.example",
		"/%25252F%25252Fevil.example",
		"/%2509/evil.example",
		"/%",
		"/akun%zz",
		"/\u00a0/evil.example",
		"/\u3000/evil.example",
		"/\uff0f\uff0fevil.example",
		"/" + strings.Repeat("a", 4096),
	}
	for _, next := range bad {
		assert.Equal(t, def, localPath(next, def), "%q", next)
	}
	good := []string{
		"/",
		"/akun",
		"/akun/",
		"/akun/aktivitas?sebelum=42",
		"/operator/akun?id=0123456789abcdef",
		"/operator?realm=sapk&state=active&q=budi%40example.co.id",
		"/operator?q=PT+Contoh",
		"/lpse/masuk?next=%2Fakun",
		"/akun#sesi",
		"/akun?x=//evil.example",
		"/a//b",
	}
	for _, next := range good {
		assert.Equal(t, next, localPath(next, def), "%q", next)
	}
}

// TestRedirectsStayOnSite follows, without a browser, every redirect that
// takes a location from a request: the language switch and a login's
// "next" (its first step and its second).
func TestRedirectsStayOnSite(t *testing.T) {
	p := newPortal(t)
	p.activeSAPK(p.browser(), "siti@example.go.id")
	// location sends one request and returns where it redirects to. The
	// transport alone, unlike a Client, neither follows the redirect nor
	// refuses a Location it cannot parse.
	location := func(method, path, form string) string {
		t.Helper()
		req, err := http.NewRequest(method, p.srv.URL+path, strings.NewReader(form))
		require.NoError(t, err)
		if form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		return resp.Header.Get("Location")
	}
	payloads := []string{
		"/%09/evil.example",
		"/%0a/evil.example",
		"%2F%2Fevil.example",
		"/%5Cevil.example",
		"/%252F%252Fevil.example",
		"https://evil.example/",
	}
	for _, next := range payloads {
		assert.Equal(t, "/", location(http.MethodGet, "/bahasa?lang=en&next="+next, ""), "/bahasa next=%s", next)
		form := url.Values{"username": {nip}, "password": {sapkPass}}.Encode() + "&next=" + next
		assert.Equal(t, "/akun", location(http.MethodPost, "/sapk/masuk", form), "login next=%s", next)
	}

	// A page with a tab in its path offers a language switch that goes
	// home, not to the path as the browser would read it.
	_, body := p.browser().get("/%09/evil.example")
	href := find(t, body, `<a href="(/bahasa\?[^"]+)"`)
	assert.Equal(t, "/", location(http.MethodGet, href, ""))

	// A legitimate next still works, query and all.
	assert.Equal(t, "/sapk/masuk?ok=expired", location(http.MethodGet, "/bahasa?lang=en&next="+url.QueryEscape("/sapk/masuk?ok=expired"), ""))
	form := url.Values{"username": {nip}, "password": {sapkPass}, "next": {"/akun/aktivitas?sebelum=9"}}.Encode()
	assert.Equal(t, "/akun/aktivitas?sebelum=9", location(http.MethodPost, "/sapk/masuk", form))
}

// FuzzLocalPath: whatever localPath accepts keeps a browser on the site,
// however many times it is decoded, and it returns nothing else.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/akun", "/\t/evil.example", "/%2F%2Fx", "/%5Cx", "/operator?q=a%40b", "/%252F%252Fx", "//x", "/a//b"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://portal.example/akun/")
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next, "/home")
		if got == "/home" {
			return
		}
		if got != next {
			t.Fatalf("localPath(%q) = %q: neither the input nor the default", next, got)
		}
		s := next
		for range 5 {
			u, err := url.Parse(s)
			if err != nil {
				t.Fatalf("localPath accepted %q, which does not parse: %v", s, err)
			}
			if r := base.ResolveReference(u); r.Host != base.Host || r.Scheme != base.Scheme {
				t.Fatalf("localPath accepted %q, which leads to %s", next, r)
			}
			if strings.ContainsAny(s, "\t\r\n\\") || strings.HasPrefix(s, "//") {
				t.Fatalf("localPath accepted %q, which a browser reads as another path (%q)", next, s)
			}
			d, err := url.PathUnescape(s)
			if err != nil || d == s {
				return
			}
			s = d
		}
	})
}

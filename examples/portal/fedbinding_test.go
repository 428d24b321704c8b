package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
)

// TestINApasTwoTabs: a browser that starts "Masuk dengan INApas" in two
// tabs completes both, whichever answer comes back first, each going on
// to its own page; the cookie keeps at most four starts (the oldest's
// answer is then refused) and stays small.
func TestINApasTwoTabs(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip, "name": "Siti Aminah"})
	b := p.browser()
	first := p.start(b, http.MethodGet, "/sapk/inapas?next=%2fakun%2fsesi")
	second := p.start(b, http.MethodGet, "/sapk/inapas")
	back1, back2 := p.approve(first), p.approve(second)

	status, body := b.get(back1)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun/sesi", b.url.Path, "the first tab's answer completes, though the second began later")
	status, body = b.get(back2)
	require.Equal(t, http.StatusOK, status, body)
	assert.Equal(t, "/akun", b.url.Path, "and so does the second's, to its own page")
	u, _ := url.Parse(p.srv.URL + "/sapk/inapas/kembali")
	for _, c := range b.c.Jar.Cookies(u) {
		assert.NotEqual(t, "masuk-inapas", c.Name, "the last answer cleared the cookie")
	}

	// Five starts: the cookie keeps the newest four.
	b = p.browser()
	var starts []string
	for range auth.MaxFederationBindings + 1 {
		starts = append(starts, p.start(b, http.MethodGet, "/sapk/inapas?next=%2fakun%2f"+strings.Repeat("x", 300)))
	}
	cks := b.c.Jar.Cookies(u)
	require.Len(t, cks, 1)
	assert.Len(t, strings.Split(cks[0].Value, "~"), auth.MaxFederationBindings)
	assert.Less(t, len(cks[0].Value), 2048, "a long next path is not kept")
	status, body = b.get(p.approve(starts[0]))
	assert.Equal(t, http.StatusUnauthorized, status, "the oldest start was dropped: %s", body)
	assert.Contains(t, body, t2("id", "fed.refused"))
	for _, s := range starts[1:] {
		status, body = b.get(p.approve(s))
		require.Equal(t, http.StatusOK, status, body)
		assert.Equal(t, "/akun", b.url.Path)
	}
}

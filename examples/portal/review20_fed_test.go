package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReview20VerifyEntryKept (review of issue 20): "Verifikasi dengan
// INApas" keeps its binding as intent "v", which fedEntries drops on
// read ("m" and "l" only): the verification's answer arrives with no
// binding and no intent and is refused as a login's, so an account INApas
// made can never verify, nor set a first password.
func TestReview20VerifyEntryKept(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})
	b := p.browser()
	_, _ = b.get(p.approve(p.start(b, http.MethodGet, "/sapk/inapas")))
	require.Equal(t, "/akun", b.url.Path)
	p.clock.Advance(11 * time.Minute)

	status, body := b.get(p.approve(p.start(b, http.MethodPost, "/akun/keamanan/inapas/verifikasi")))
	assert.Equal(t, http.StatusOK, status, "a fresh INApas sign-in verifies the owner: %s", firstLine(body))
	assert.Equal(t, "/akun/keamanan", b.url.Path)
}

// TestReview20VerifyKeepsOtherTabs (review of issue 20): the
// verification's start (POST /akun/keamanan/...) writes the logins'
// cookie (path /<realm>/inapas), which that request never receives: it
// overwrites the entries of logins running in other tabs.
func TestReview20VerifyKeepsOtherTabs(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})
	b := p.browser()
	_, _ = b.get(p.approve(p.start(b, http.MethodGet, "/sapk/inapas")))
	require.Equal(t, "/akun", b.url.Path)
	other := p.start(b, http.MethodGet, "/sapk/inapas?next=%2fakun%2fsesi") // a login in another tab
	_ = p.start(b, http.MethodPost, "/akun/keamanan/inapas/verifikasi")
	status, body := b.get(p.approve(other))
	assert.Equal(t, http.StatusOK, status, "the other tab's login still completes: %s", firstLine(body))
}

// TestReview20FailurePageNoCode (review of issue 20): a refused answer's
// page puts the callback URL, with the provider's code and state, in its
// language link (next=...): the code of an answer that came to a browser
// without the binding is still unspent at the provider.
func TestReview20FailurePageNoCode(t *testing.T) {
	p := newINApasPortal(t)
	p.op.SignIn(map[string]any{"sub": "inapas-siti", "nip": nip})
	back := p.approve(p.start(p.browser(), http.MethodGet, "/sapk/inapas"))
	status, body := p.browser().get(back) // another browser: no binding
	require.Equal(t, http.StatusUnauthorized, status)
	u, err := url.Parse(back)
	require.NoError(t, err)
	code := u.Query().Get("code")
	require.NotEmpty(t, code)
	assert.NotContains(t, body, code, "the page repeats the unspent code")
}

func firstLine(s string) string {
	if i := strings.Index(s, "<h1>"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}

package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store/memstore"
)

// R19-P1: a host on masuk with Config.Realms nil and the same Prometheus
// setup as the portal: one login naming an invalid-UTF-8 realm, or a long
// one, and what does a scrape give?
func TestR19PromRawRealm(t *testing.T) {
	mp, h, err := newMetrics()
	require.NoError(t, err)
	a, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, MeterProvider: mp})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = a.Accounts().Register(ctx, auth.Registration{Realm: "bpn", Username: "u", Password: "kopi tubruk di pagi hari"})
	require.NoError(t, err)
	_, err = a.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "u", Password: "kopi tubruk di pagi hari"})
	require.NoError(t, err)
	code0, body0 := scrape(t, metricsOnly(h, ""), "")
	require.Equal(t, http.StatusOK, code0)
	require.Contains(t, body0, `masuk_realm="bpn"`)
	for _, r := range []string{"\xff\xfe", strings.Repeat("A", 10000), "budi@example.id"} {
		_, _ = a.Logins().Login(ctx, auth.LoginRequest{Realm: r, Username: "u", Password: "p"})
	}
	code, body := scrape(t, metricsOnly(h, ""), "")
	t.Logf("status %d, %d bytes", code, len(body))
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "masuk_logins_total") {
			t.Logf("%.200s", l)
		}
	}
	assert.Equal(t, http.StatusOK, code)
	assert.NotContains(t, body, "budi@example.id")
	assert.NotContains(t, body, strings.Repeat("A", 100))
	assert.Contains(t, body, `masuk_realm="bpn"`)
}

// R19-P2: the token check, exact.
func TestR19MetricsTokenExact(t *testing.T) {
	token := strings.Repeat("ab", 20)
	h := metricsOnly(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), token)
	for _, c := range []struct {
		auth string
		ok   bool
	}{
		{"Bearer " + token, true},
		{"bearer " + token, true},
		{"BEARER " + token, true},
		{"Bearer " + token + " ", true}, // trailing space trimmed by the HTTP parser
		{"Bearer  " + token, false},
		{"Bearer " + token[:39], false},
		{"Bearer " + token + "x", false},
		{"Bearer " + token[:20], false},
		{"Bearer ", false},
		{"Bearer", false},
		{"", false},
		{"Basic " + token, false},
		{"Bearer\t" + token, false},
		{token, false},
	} {
		srv := httptest.NewServer(h)
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		srv.Close()
		assert.Equal(t, c.ok, resp.StatusCode == http.StatusOK, "%q → %d", c.auth, resp.StatusCode)
	}
	// other paths and methods
	for _, p := range []string{"/metrics/", "/metrics?x=1", "/", "/debug/pprof/"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		assert.NotEqual(t, http.StatusOK, rec.Code, p)
	}
}

// R19-P3: addresses that are not this machine only are refused without a
// token.
func TestR19CheckMetricsAddrs(t *testing.T) {
	for _, c := range []struct {
		addr string
		ok   bool
	}{
		{"0.0.0.0:9464", false},
		{":9464", false},
		{"[::]:9464", false},
		{"localhost.evil.com:9464", false},
		{"127.0.0.1.nip.io:9464", false},
		{"[::ffff:127.0.0.1]:9464", true},
		{"[::ffff:0.0.0.0]:9464", false},
		{"[::1%lo]:9464", true},
		{"127.0.0.2:9464", true},
		{"LOCALHOST:9464", false},
		{"localhost.:9464", false},
		{"[0:0:0:0:0:0:0:0]:9464", false},
		{"0:9464", false},
	} {
		err := checkMetrics(c.addr, "")
		assert.Equal(t, c.ok, err == nil, "%s: %v", c.addr, err)
	}
}

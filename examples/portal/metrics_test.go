package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scrape GETs /metrics from the metrics handler with the token, if any.
func scrape(t *testing.T, h http.Handler, token string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(body)
}

// TestMetricsListener: with -metrics-addr, masuk's metrics are served in
// Prometheus' format on their own handler, and not on the portal's.
func TestMetricsListener(t *testing.T) {
	p := newPortal(t, func(c *config) { c.MetricsAddr = "127.0.0.1:9464" })
	require.NotNil(t, p.app.metrics)
	b := p.browser()
	code, _ := b.login("lpse", "01.312.166.0-091.000", "bukan sandinya")
	require.Equal(t, http.StatusUnauthorized, code)

	code, body := scrape(t, p.app.metrics, "")
	require.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, `masuk_logins_total{masuk_login_step="password",masuk_outcome="invalid_credentials",masuk_realm="lpse"`)
	assert.Contains(t, body, "masuk_password_duration_seconds_bucket")
	assert.Contains(t, body, "masuk_background_running")
	assert.Contains(t, body, "go_goroutines", "the runtime's metrics are beside masuk's")
	assert.NotContains(t, body, "01.312.166.0-091.000")

	code, _ = b.get("/metrics")
	assert.Equal(t, http.StatusNotFound, code, "the portal's own listener does not serve them")
}

// TestMetricsToken: with $MASUK_METRICS_TOKEN, a scrape without the token
// is refused.
func TestMetricsToken(t *testing.T) {
	token := strings.Repeat("ab", 20)
	p := newPortal(t, func(c *config) { c.MetricsAddr, c.MetricsToken = "0.0.0.0:9464", token })
	code, _ := scrape(t, p.app.metrics, "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, _ = scrape(t, p.app.metrics, token+"x")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, body := scrape(t, p.app.metrics, token)
	assert.Equal(t, http.StatusOK, code)
	assert.Contains(t, body, "go_goroutines")
}

// TestCheckMetrics: metrics reachable from other machines need a token.
func TestCheckMetrics(t *testing.T) {
	token := strings.Repeat("ab", 16)
	for _, c := range []struct {
		addr, token string
		ok          bool
	}{
		{"localhost:9464", "", true},
		{"127.0.0.1:9464", "", true},
		{"[::1]:9464", "", true},
		{":9464", "", false},
		{"0.0.0.0:9464", "", false},
		{"10.0.0.5:9464", "", false},
		{"metrics.internal:9464", "", false},
		{"0.0.0.0:9464", token, true},
		{"0.0.0.0:9464", token[:31], false},
		{"localhost", "", false},
	} {
		err := checkMetrics(c.addr, c.token)
		if c.ok {
			assert.NoError(t, err, c.addr)
		} else {
			assert.Error(t, err, c.addr)
		}
	}
	_, _, err := newApp(config{MetricsAddr: "0.0.0.0:9464", SQLite: t.TempDir() + "/p.db", BaseURL: "http://127.0.0.1:8080"})
	assert.ErrorIs(t, err, errMetricsExposed)
}

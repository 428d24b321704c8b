package main

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
)

// newMetrics returns the MeterProvider that masuk and its captcha report
// to, and the handler that serves what they reported in Prometheus' text
// format, with the Go runtime's and the process's metrics beside them.
// The registry is the portal's own, not Prometheus' global one.
func newMetrics() (*sdkmetric.MeterProvider, http.Handler, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, nil, err
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, nil, err
	}
	exp, err := otelprom.New(otelprom.WithRegisterer(reg))
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: %w", err)
	}
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{MaxRequestsInFlight: 2})
	return sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp)), h, nil
}

// metricsOnly serves h at /metrics to whoever shows the bearer token, when
// there is one, and nothing else.
func metricsOnly(h http.Handler, token string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if token != "" {
			got, ok := bearer(r)
			if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
	return mux
}

// bearer returns the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) (string, bool) {
	const prefix = "Bearer "
	v := r.Header.Get("Authorization")
	if len(v) <= len(prefix) || !strings.EqualFold(v[:len(prefix)], prefix) {
		return "", false
	}
	return v[len(prefix):], true
}

// errMetricsExposed refuses a metrics listener that others could reach
// without a token.
var errMetricsExposed = errors.New("-metrics-addr is not this machine only: set $MASUK_METRICS_TOKEN, which scrapers then send as a bearer token")

// minMetricsToken is the shortest token accepted: 128 bits in hex.
const minMetricsToken = 32

// checkMetrics accepts a metrics address on a loopback host, or any with
// a token of at least minMetricsToken characters. The metrics tell
// operators how many logins fail and locks fall, per realm: for them,
// not for the portal's users, so they never share the portal's listener.
func checkMetrics(addr, token string) error {
	if token != "" && len(token) < minMetricsToken {
		return fmt.Errorf("$MASUK_METRICS_TOKEN is shorter than %d characters", minMetricsToken)
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-metrics-addr: %w", err)
	}
	if token != "" {
		return nil
	}
	if host == "localhost" {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return errMetricsExposed
}

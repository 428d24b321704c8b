package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store/memstore"
)

// discardSpans is a span exporter that keeps nothing.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }

// BenchmarkTelemetry is what masuk's telemetry adds to a session load and
// to a failed login, on memstore (where nothing else hides it) and the
// test hasher: "off" is no provider; "metrics" the SDK's MeterProvider
// with a reader that is never collected; "metrics+traces" adds the SDK's
// TracerProvider, sampling every span, batched to an exporter that drops
// them. Compare the three in one run.
func BenchmarkTelemetry(b *testing.B) {
	for _, c := range []struct {
		name           string
		metrics, trace bool
	}{{"off", false, false}, {"metrics", true, false}, {"metrics+traces", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			cfg := auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Now: authtest.NewClock(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)).Now}
			if c.metrics {
				mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
				b.Cleanup(func() { _ = mp.Shutdown(context.Background()) })
				cfg.MeterProvider = mp
			}
			if c.trace {
				tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(discardSpans{}))
				b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
				cfg.TracerProvider = tp
			}
			a, err := auth.New(cfg)
			require.NoError(b, err)
			ctx := b.Context()
			acct, err := accountOf(a.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: goodPassword}))
			require.NoError(b, err)
			ns, err := a.Sessions().Start(ctx, auth.StartSession{Account: acct, Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "bench"}})
			require.NoError(b, err)
			b.Run("load", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := a.Sessions().Load(ctx, ns.Token); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("failed-login", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					// An unknown username: no lock ever falls, so every
					// iteration does the same work.
					_, err := a.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "siapa", Password: "salah", Request: auth.Request{ClientAddr: "203.0.113.9"}})
					if err == nil {
						b.Fatal("logged in")
					}
				}
			})
		})
	}
}

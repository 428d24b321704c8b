package captcha_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/masuk-id/masuk/captcha"
)

// TestServiceMetrics: challenges issued and refused, answers solved and
// wrong, each counted by outcome.
func TestServiceMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	l := newLifecycle(t, func(c *captcha.ServiceConfig) {
		c.IssueLimit = 2
		c.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	})
	ctx := context.Background()
	a := l.issue(t, "f")
	b := l.issue(t, "f")
	_, err := l.svc.Issue(ctx, "f", "203.0.113.7")
	require.ErrorIs(t, err, captcha.ErrTooMany)
	require.NoError(t, l.svc.Verify(ctx, a.ID, "f", answer))
	require.ErrorIs(t, l.svc.Verify(ctx, b.ID, "f", "999999"), captcha.ErrWrong)
	require.ErrorIs(t, l.svc.Verify(ctx, a.ID, "f", answer), captcha.ErrWrong, "used up")

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	got := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			for _, dp := range m.Data.(metricdata.Sum[int64]).DataPoints {
				v, _ := dp.Attributes.Value("masuk.outcome")
				got[m.Name+" "+v.String()] += dp.Value
			}
		}
	}
	assert.Equal(t, map[string]int64{
		"masuk.captcha.issued issued":   2,
		"masuk.captcha.issued too_many": 1,
		"masuk.captcha.verified solved": 1,
		"masuk.captcha.verified wrong":  2,
	}, got)
}

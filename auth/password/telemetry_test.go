package password

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// TestHasherMetrics: every hash is timed by algorithm, every wait for a
// slot by queue, and every refusal of a full queue counted.
func TestHasherMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	const callers = 20
	h := newTestHasher(t, Config{MaxConcurrent: 1, MaxWaiting: 2, MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	ctx := context.Background()
	encoded, err := h.Hash(ctx, "kuda laut biru")
	require.NoError(t, err)
	_, err = h.Verify(ctx, "salah", encoded)
	require.ErrorIs(t, err, ErrMismatch)
	_, err = h.Verify(ctx, "salah", "$argon2id$v=19$rusak")
	require.ErrorIs(t, err, ErrMalformed)

	// One runs, two wait, the rest are refused.
	p := probe(h)
	p.entered = make(chan struct{}, callers)
	p.release = make(chan struct{})
	results := make(chan error, callers)
	for range callers {
		go func() {
			_, err := h.Verify(ctx, "kuda laut biru", encoded)
			results <- err
		}()
	}
	<-p.entered
	for range callers - 3 {
		require.ErrorIs(t, <-results, ErrBusy)
	}
	close(p.release)
	for range 3 {
		require.NoError(t, <-results)
	}

	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	hist := map[string]uint64{}
	var rejected int64
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, InstrumentationName, sm.Scope.Name)
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					for _, kv := range dp.Attributes.ToSlice() {
						hist[m.Name+" "+kv.Value.String()] += dp.Count
					}
				}
			case metricdata.Sum[int64]:
				require.Equal(t, "masuk.password.rejected", m.Name)
				for _, dp := range d.DataPoints {
					v, _ := dp.Attributes.Value(attrQueue)
					assert.Equal(t, "login", v.String())
					rejected += dp.Value
				}
			}
		}
	}
	assert.Equal(t, map[string]uint64{
		"masuk.password.duration argon2id": 1 + 1 + 3, // the hash, the wrong password, the three let in
		"masuk.password.duration pad":      1,         // the malformed hash's stand-in cost
		"masuk.password.wait new_password": 1,
		"masuk.password.wait login":        1 + 1 + 3,
	}, hist)
	assert.Equal(t, int64(callers-3), rejected)
}

// TestHasherTypedNilMeterProvider: a provider holding a nil pointer is
// refused at New.
func TestHasherTypedNilMeterProvider(t *testing.T) {
	var mp *sdkmetric.MeterProvider
	_, err := New(Config{MeterProvider: mp})
	assert.ErrorIs(t, err, ErrConfig)
}

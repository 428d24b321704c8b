package password

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/masuk-id/masuk/internal/typednil"
)

// InstrumentationName is the name of the meter a Hasher asks
// Config.MeterProvider for.
const InstrumentationName = "github.com/masuk-id/masuk/auth/password"

// The attributes of the Hasher's metrics.
const (
	attrAlgorithm = attribute.Key("masuk.password.algorithm")
	attrQueue     = attribute.Key("masuk.password.queue")
)

// The queues a caller waits in: logins (Verify) and new passwords (Hash).
var (
	queueLogin       = metric.WithAttributes(attrQueue.String("login"))
	queueNewPassword = metric.WithAttributes(attrQueue.String("new_password"))
)

// The algorithms a hash's time is recorded under; "pad" is the argon2id
// run that makes a cheap verification cost what a real one does.
var (
	algArgon2id = metric.WithAttributes(attrAlgorithm.String("argon2id"))
	algArgon2i  = metric.WithAttributes(attrAlgorithm.String("argon2i"))
	algBcrypt   = metric.WithAttributes(attrAlgorithm.String("bcrypt"))
	algPad      = metric.WithAttributes(attrAlgorithm.String("pad"))
)

// telemetry is a Hasher's instruments; its zero value, when no
// MeterProvider is configured, measures nothing and reads no clock.
type telemetry struct {
	on       bool
	duration metric.Float64Histogram
	wait     metric.Float64Histogram
	rejected metric.Int64Counter
}

// hashBuckets are the histograms' bounds in seconds: a hash at the
// defaults takes tens of milliseconds, a wait up to several hashes.
var hashBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

func (t *telemetry) init(mp metric.MeterProvider) error {
	if mp == nil {
		return nil
	}
	if typednil.Is(mp) {
		return fmt.Errorf("%w: MeterProvider holds a nil %T", ErrConfig, mp)
	}
	m := mp.Meter(InstrumentationName)
	var err1, err2, err3 error
	t.duration, err1 = m.Float64Histogram("masuk.password.duration",
		metric.WithDescription("Time of one password hash or verification, without the wait for a slot, by algorithm."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(hashBuckets...))
	t.wait, err2 = m.Float64Histogram("masuk.password.wait",
		metric.WithDescription("Time a hash waited for a slot of the concurrency limit (0 when one was free), by queue (login, new_password)."),
		metric.WithUnit("s"), metric.WithExplicitBucketBoundaries(append([]float64{0}, hashBuckets...)...))
	t.rejected, err3 = m.Int64Counter("masuk.password.rejected",
		metric.WithDescription("Hashes refused with ErrBusy because the limit's queue was full, by queue."),
		metric.WithUnit("{hash}"))
	if err := errors.Join(err1, err2, err3); err != nil {
		return fmt.Errorf("%w: making the metrics: %w", ErrConfig, err)
	}
	t.on = true
	return nil
}

// now is the start of something measured; zero when nothing is.
func (t *telemetry) now() time.Time {
	if !t.on {
		return time.Time{}
	}
	return time.Now()
}

// waited records a wait for a slot in queue that began at start and ended
// with err.
func (t *telemetry) waited(ctx context.Context, queue metric.MeasurementOption, start time.Time, err error) {
	if !t.on {
		return
	}
	if errors.Is(err, ErrBusy) {
		t.rejected.Add(ctx, 1, queue)
		return
	}
	t.wait.Record(ctx, time.Since(start).Seconds(), queue)
}

// hashed records a hash of alg that began at start.
func (t *telemetry) hashed(ctx context.Context, alg metric.MeasurementOption, start time.Time) {
	if t.on {
		t.duration.Record(ctx, time.Since(start).Seconds(), alg)
	}
}

// slot takes a slot of the limit for a verification.
func (h *Hasher) slot(ctx context.Context) error {
	start := h.tel.now()
	err := h.lim.acquire(ctx)
	h.tel.waited(ctx, queueLogin, start, err)
	return err
}

// sharedSlot takes a slot of the limit for the hash of a new password.
func (h *Hasher) sharedSlot(ctx context.Context) error {
	start := h.tel.now()
	err := h.lim.acquireShared(ctx)
	h.tel.waited(ctx, queueNewPassword, start, err)
	return err
}

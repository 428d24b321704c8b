package captcha

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/masuk-id/masuk/internal/typednil"
)

// InstrumentationName is the name of the meter a Service asks
// ServiceConfig.MeterProvider for.
const InstrumentationName = "github.com/masuk-id/masuk/captcha"

// attrOutcome is the outcome of an issue (issued, too_many, failed) or of
// a verification (solved, wrong, failed).
const attrOutcome = attribute.Key("masuk.outcome")

// telemetry is a Service's instruments; its zero value measures nothing.
type telemetry struct {
	on       bool
	issued   metric.Int64Counter
	verified metric.Int64Counter
}

func (t *telemetry) init(mp metric.MeterProvider) error {
	if mp == nil {
		return nil
	}
	if typednil.Is(mp) {
		return fmt.Errorf("captcha: ServiceConfig.MeterProvider is a nil %T", mp)
	}
	m := mp.Meter(InstrumentationName)
	var err1, err2 error
	t.issued, err1 = m.Int64Counter("masuk.captcha.issued",
		metric.WithDescription("Captcha challenges asked for (Issue and Refresh), by outcome (issued, too_many, failed)."),
		metric.WithUnit("{challenge}"))
	t.verified, err2 = m.Int64Counter("masuk.captcha.verified",
		metric.WithDescription("Captcha answers verified, by outcome (solved, wrong, failed)."),
		metric.WithUnit("{answer}"))
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("captcha: making the metrics: %w", err)
	}
	t.on = true
	return nil
}

// issue counts an Issue that ended with err.
func (t *telemetry) issue(ctx context.Context, err error) {
	if !t.on {
		return
	}
	o := "issued"
	switch {
	case errors.Is(err, ErrTooMany):
		o = "too_many"
	case err != nil:
		o = "failed"
	}
	t.issued.Add(ctx, 1, metric.WithAttributes(attrOutcome.String(o)))
}

// verify counts a Verify that ended with err.
func (t *telemetry) verify(ctx context.Context, err error) {
	if !t.on {
		return
	}
	o := "solved"
	switch {
	case errors.Is(err, ErrWrong):
		o = "wrong"
	case err != nil:
		o = "failed"
	}
	t.verified.Add(ctx, 1, metric.WithAttributes(attrOutcome.String(o)))
}

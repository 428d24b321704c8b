package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"weak"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// InstrumentationName is the name of the meter and the tracer masuk's
// auth package asks Config.MeterProvider and Config.TracerProvider for:
// the instrumentation scope of its metrics and spans.
const InstrumentationName = "github.com/masuk-id/masuk/auth"

// The attributes masuk puts on its metrics and spans. None carries a
// username, an email, a phone number, an account ID, an address or a
// secret: a realm, an outcome code, a channel, a kind.
const (
	attrRealm   = attribute.Key("masuk.realm")
	attrOutcome = attribute.Key("masuk.outcome")
	attrStep    = attribute.Key("masuk.login.step")
	attrKind    = attribute.Key("masuk.event.kind")
	attrChannel = attribute.Key("masuk.message.channel")
	attrPurpose = attribute.Key("masuk.message.purpose")
	attrStage   = attribute.Key("masuk.reset.stage")
)

// The outcomes that are not an error's code.
const (
	outcomeSucceeded = "succeeded"
	outcomeSent      = "sent"
	outcomeFailed    = "failed"
)

// maxRealmLabels bounds the realm names metrics carry when Config.Realms
// is nil and any well-formed name is a realm: past it, a realm is counted
// as "other", so that a client inventing realm names cannot make a
// metric's series grow without end.
const maxRealmLabels = 64

// telemetry is the Authenticator's instruments. With no MeterProvider
// (metrics false) and no TracerProvider (tracing false) nothing is
// measured and nothing allocates.
type telemetry struct {
	metrics bool
	tracing bool
	tracer  trace.Tracer

	logins   metric.Int64Counter
	events   metric.Int64Counter
	locks    metric.Int64Counter
	unlocks  metric.Int64Counter
	resets   metric.Int64Counter
	captchas metric.Int64Counter
	messages metric.Int64Counter
	sessions metric.Int64Counter

	// configured are the realm names of Config.Realms, nil when any name
	// goes; seen counts the names labelled so far in that case.
	configured map[string]*realmConfig
	seenMu     sync.Mutex
	seen       map[string]bool
	// sets are the attribute sets measured so far, each made once: the
	// labels are few (realms × outcomes), and making a set sorts and
	// allocates.
	sets sync.Map // labels → metric.MeasurementOption
}

// labels are up to three attributes, unset keys left empty.
type labels struct {
	keys [3]attribute.Key
	vals [3]string
}

// with returns the measurement option of l's attribute set.
func (t *telemetry) with(l labels) metric.MeasurementOption {
	if o, ok := t.sets.Load(l); ok {
		return o.(metric.MeasurementOption)
	}
	kvs := make([]attribute.KeyValue, 0, len(l.keys))
	for i, k := range l.keys {
		if k != "" {
			kvs = append(kvs, k.String(l.vals[i]))
		}
	}
	o, _ := t.sets.LoadOrStore(l, metric.WithAttributeSet(attribute.NewSet(kvs...)))
	return o.(metric.MeasurementOption)
}

// init makes the instruments of cfg's providers. It runs after the
// realms are resolved, whose names label the metrics.
func (t *telemetry) init(a *Authenticator, mp metric.MeterProvider, tp trace.TracerProvider) error {
	t.configured = a.realms
	if tp != nil {
		t.tracing, t.tracer = true, tp.Tracer(InstrumentationName)
	}
	if mp == nil {
		return nil
	}
	m := mp.Meter(InstrumentationName)
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithDescription(desc), metric.WithUnit(unit))
		errs = append(errs, err)
		return c
	}
	t.logins = counter("masuk.logins", "{attempt}", "Login attempts by realm, step (password, second_step, passkey) and outcome (succeeded, or the error's code).")
	t.events = counter("masuk.events", "{event}", "Events recorded in the activity log, by realm and kind.")
	t.locks = counter("masuk.lockout.locks", "{lock}", "Accounts locked by failed attempts, by realm.")
	t.unlocks = counter("masuk.lockout.unlocks", "{lock}", "Locks ended by an operator, by realm.")
	t.resets = counter("masuk.resets", "{reset}", "Password resets by realm and stage (requested, completed).")
	t.captchas = counter("masuk.captchas", "{captcha}", "Captcha answers checked at login, by realm and outcome (succeeded, or the error's code), and captchas asked for (captcha_required).")
	t.messages = counter("masuk.messages", "{message}", "Emails, SMS and WhatsApp messages handed to the sender, by channel, purpose and outcome (sent, failed).")
	t.sessions = counter("masuk.sessions.loaded", "{session}", "Sessions loaded by realm and outcome (succeeded, or the error's code; the realm is empty when no session was found).")
	running, err1 := m.Int64ObservableGauge("masuk.background.running", metric.WithDescription("Background jobs running now."), metric.WithUnit("{job}"))
	dropped, err2 := m.Int64ObservableCounter("masuk.background.dropped", metric.WithDescription("Background jobs not run because too many were running."), metric.WithUnit("{job}"))
	panicked, err3 := m.Int64ObservableCounter("masuk.background.panics", metric.WithDescription("Background jobs that panicked (a bug: each is logged with its stack)."), metric.WithUnit("{job}"))
	sinkDropped, err4 := m.Int64ObservableCounter("masuk.events.dropped", metric.WithDescription("Events Config.EventSink never received because too many were waiting for it."), metric.WithUnit("{event}"))
	errs = append(errs, err1, err2, err3, err4)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: making the metrics: %w", ErrConfig, err)
	}
	// The callback lives as long as the MeterProvider (Close leaves the
	// Authenticator usable, and so its metrics), but does not keep the
	// Authenticator alive: one that is gone observes nothing.
	wa := weak.Make(a)
	_, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		a := wa.Value()
		if a == nil {
			return nil
		}
		s := a.Background()
		o.ObserveInt64(running, int64(s.Running))
		o.ObserveInt64(dropped, s.Dropped)
		o.ObserveInt64(panicked, s.Panicked)
		o.ObserveInt64(sinkDropped, s.EventsDropped)
		return nil
	}, running, dropped, panicked, sinkDropped)
	if err != nil {
		return fmt.Errorf("%w: registering the metrics' callback: %w", ErrConfig, err)
	}
	t.metrics = true
	return nil
}

// realm is the label of realm name: "" for none; "invalid" for a name
// no realm can have (what a client typed: never recorded); with
// Config.Realms, the name when it lists it and "unknown" otherwise; with
// Realms nil, where every well-formed name is a realm, the name once
// something proved the realm real (proven: a login succeeded, a session
// loaded, an account was made in it), for at most maxRealmLabels names,
// and "other" for the rest, so that invented names neither grow a
// metric nor crowd the real realms out of their labels.
func (t *telemetry) realm(name string, proven bool) string {
	switch {
	case name == "":
		return ""
	case checkRealm(name) != nil:
		return "invalid"
	case t.configured != nil:
		if _, ok := t.configured[name]; ok {
			return name
		}
		return "unknown"
	}
	t.seenMu.Lock()
	defer t.seenMu.Unlock()
	switch {
	case t.seen[name]:
		return name
	case !proven || len(t.seen) >= maxRealmLabels:
		return "other"
	}
	if t.seen == nil {
		t.seen = make(map[string]bool)
	}
	t.seen[name] = true
	return name
}

// outcome is the label of a call's result: succeeded, or the error's code.
func outcome(err error) string {
	if err == nil {
		return outcomeSucceeded
	}
	return string(Classify(err).Code)
}

// login counts a login attempt at step in realm.
func (t *telemetry) login(ctx context.Context, realm, step string, err error) {
	if !t.metrics {
		return
	}
	r, o := t.realm(realm, err == nil), outcome(err)
	t.logins.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrRealm, attrStep, attrOutcome}, [3]string{r, step, o}}))
	if errors.Is(err, ErrCaptchaRequired) {
		t.captchas.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrRealm, attrOutcome}, [3]string{r, o}}))
	}
}

// captcha counts a captcha answer checked in realm.
func (t *telemetry) captcha(ctx context.Context, realm string, err error) {
	if !t.metrics {
		return
	}
	t.captchas.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrRealm, attrOutcome}, [3]string{t.realm(realm, false), outcome(err)}}))
}

// message counts a message handed to the sender.
func (t *telemetry) message(ctx context.Context, m notify.Message, err error) {
	if !t.metrics {
		return
	}
	o := outcomeSent
	if err != nil {
		o = outcomeFailed
	}
	t.messages.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrChannel, attrPurpose, attrOutcome}, [3]string{m.Channel.String(), m.Purpose.String(), o}}))
}

// session counts a session load.
func (t *telemetry) session(ctx context.Context, realm string, err error) {
	if !t.metrics {
		return
	}
	t.sessions.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrRealm, attrOutcome}, [3]string{t.realm(realm, err == nil), outcome(err)}}))
}

// event counts an event recorded, and what it means: a lock, an unlock, a
// reset asked for or completed.
func (t *telemetry) event(ctx context.Context, e store.Event) {
	if !t.metrics {
		return
	}
	k := EventKind(e.Kind)
	r := t.realm(e.Realm, k == EventLoginSucceeded || k == EventRegistered)
	t.events.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrRealm, attrKind}, [3]string{r, e.Kind}}))
	realm := t.with(labels{[3]attribute.Key{attrRealm}, [3]string{r}})
	switch k {
	case EventLocked:
		t.locks.Add(ctx, 1, realm)
	case EventUnlocked:
		t.unlocks.Add(ctx, 1, realm)
	case EventResetRequested:
		t.resets.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrRealm, attrStage}, [3]string{r, "requested"}}))
	case EventPasswordReset:
		t.resets.Add(ctx, 1, t.with(labels{[3]attribute.Key{attrRealm, attrStage}, [3]string{r, "completed"}}))
	}
}

// call is the span of one public call; the zero call, when tracing is
// off, does nothing.
type call struct{ span trace.Span }

// span starts the span of the public call name ("masuk.Logins.Login").
func (a *Authenticator) span(ctx context.Context, name string) (context.Context, call) {
	if !a.tel.tracing {
		return ctx, call{}
	}
	ctx, s := a.tel.tracer.Start(ctx, name)
	return ctx, call{s}
}

// realm labels the call with the realm it concerns.
func (c call) realm(a *Authenticator, name string) {
	if c.span != nil {
		c.span.SetAttributes(attrRealm.String(a.tel.realm(name, false)))
	}
}

// end ends the span with the call's outcome: succeeded, or the error's
// code. Errors that a person causes (a wrong password, a lock) are
// outcomes; those of the service (a store down, a busy hasher, a
// configuration) also set the span's status to Error. The error's text is
// not recorded: it may hold what a person typed.
func (c call) end(err *error) {
	if c.span == nil {
		return
	}
	if *err == nil {
		c.span.SetAttributes(attrOutcome.String(outcomeSucceeded))
	} else {
		o := Classify(*err)
		c.span.SetAttributes(attrOutcome.String(string(o.Code)))
		if o.Status >= http.StatusInternalServerError {
			c.span.SetStatus(codes.Error, string(o.Code))
		}
	}
	c.span.End()
}

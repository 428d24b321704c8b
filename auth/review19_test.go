package auth_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
	"weak"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/metric"
	mnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/trace"
	tnoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// R19-1: with Config.Realms nil, the realm a client sends is a metric
// label and a span attribute before checkRealm runs: a 10,000-byte name,
// invalid UTF-8, an email address typed in the realm field all end up in
// the telemetry as is.
func TestR19RawRealmInTelemetry(t *testing.T) {
	k := newTelemetryKit(t, func(c *auth.Config) { c.Realms = nil })
	for _, realm := range []string{strings.Repeat("x", 10000), "\xff\xfe", "budi.santoso@example.id", "BPN"} {
		_, err := k.login(realm, telUser, "salah", auth.CaptchaAnswer{})
		require.ErrorIs(t, err, auth.ErrInvalidRealm)
	}
	for _, a := range k.allAttributes(t) {
		assert.LessOrEqual(t, len(a), 100, "attribute of %d bytes", len(a))
		assert.True(t, utf8.ValidString(a), "invalid UTF-8 attribute %q", a)
		assert.NotContains(t, a, "@", "an address typed as the realm: %q", a)
	}
}

// R19-2: with Config.Realms nil, 64 requests with realm names that are
// not even valid (refused with ErrInvalidRealm) use up the realm labels
// for the life of the process: the real realm is then "other".
func TestR19InvalidRealmsCrowdOutRealOnes(t *testing.T) {
	k := newTelemetryKit(t, func(c *auth.Config) { c.Realms = nil })
	for i := range 64 {
		_, err := k.login(fmt.Sprintf("JUNK-%d", i), telUser, "salah", auth.CaptchaAnswer{})
		require.ErrorIs(t, err, auth.ErrInvalidRealm)
	}
	_, err := k.Auth.Accounts().Register(context.Background(), auth.Registration{Realm: "bpn", Username: telUser, Email: telEmail, Password: telPassword})
	require.NoError(t, err)
	_, err = k.login("bpn", telUser, telPassword, auth.CaptchaAnswer{})
	require.NoError(t, err)
	realms := k.counts(t, "masuk.logins", "masuk.realm")
	assert.Equal(t, int64(1), realms["masuk.realm=bpn"], "the real realm keeps its label: %v", realms)
	assert.Equal(t, int64(64), realms["masuk.realm=invalid"], "%v", realms)
}

// R19-3 (held): with Realms set, an invented realm is "unknown".
func TestR19ConfiguredRealmsBounded(t *testing.T) {
	k := newTelemetryKit(t)
	for _, realm := range []string{"\xff", strings.Repeat("y", 10000), "zzz"} {
		_, _ = k.login(realm, telUser, "salah", auth.CaptchaAnswer{})
	}
	for _, a := range k.allAttributes(t) {
		assert.LessOrEqual(t, len(a), 100)
		assert.True(t, utf8.ValidString(a))
	}
}

// R19-4 (held): long usernames, store failures: no username, address or
// error text in any attribute.
func TestR19NoPersonalData(t *testing.T) {
	k := newTelemetryKit(t)
	long := strings.Repeat("u", 10000)
	_, _ = k.login("bpn", long, "pw", auth.CaptchaAnswer{})
	_, _ = k.login("bpn", "\xff\xfeuser", "pw", auth.CaptchaAnswer{})
	_, _ = k.login("bpn", telEmail, telPassword, auth.CaptchaAnswer{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // a store failure (context canceled) on every call
	_, _ = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpn", Username: telUser, Password: telPassword, Request: auth.Request{ClientAddr: telAddr}})
	_, _ = k.Auth.Sessions().Load(context.Background(), "tok-"+telUser)
	for _, a := range k.allAttributes(t) {
		for _, bad := range []string{telUser, telEmail, telAddr, telPassword, "uuuu", "\xff", "canceled", "tok-"} {
			assert.NotContains(t, a, bad)
		}
	}
}

// R19-5 (held): tracing on, Postgres: erasure and the one-read session
// load still work.
func TestR19TracingOptionalRolesPostgres(t *testing.T) {
	db, schema := testdb.Postgres(t)
	k := newTelemetryKit(t, func(c *auth.Config) { c.Store = sqlStore(t, db, sqlstore.Postgres, schema) })
	ctx := context.Background()
	reg, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "bpn", Username: telUser, Email: telEmail, Password: telPassword})
	require.NoError(t, err)
	res, err := k.login("bpn", telUser, telPassword, auth.CaptchaAnswer{})
	require.NoError(t, err)
	s, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: res.Account})
	require.NoError(t, err)
	k.spans.Reset()
	_, err = k.Auth.Sessions().Load(ctx, s.Token)
	require.NoError(t, err)
	var names []string
	for _, sp := range k.spans.Ended() {
		if strings.HasPrefix(sp.Name(), "masuk.store.") {
			names = append(names, sp.Name())
		}
	}
	assert.Equal(t, []string{"masuk.store.sessionaccounts.SessionAccount"}, names)
	require.NoError(t, k.Auth.Accounts().Erase(ctx, auth.AccountErasure{AccountID: reg.Account.ID, Password: telPassword}))
	_, err = k.Auth.Sessions().Load(ctx, s.Token)
	assert.ErrorIs(t, err, auth.ErrNoSession)
}

// A host's MeterProvider whose instruments panic, or fail to be made.
type panicMP struct {
	mnoop.MeterProvider
	fail bool
}
type panicMeter struct {
	mnoop.Meter
	fail bool
}
type panicCounter struct{ mnoop.Int64Counter }

func (p panicMP) Meter(string, ...metric.MeterOption) metric.Meter { return panicMeter{fail: p.fail} }
func (m panicMeter) Int64Counter(string, ...metric.Int64CounterOption) (metric.Int64Counter, error) {
	if m.fail {
		return mnoop.Int64Counter{}, errors.New("exporter says no")
	}
	return panicCounter{}, nil
}
func (panicCounter) Add(context.Context, int64, ...metric.AddOption) { panic("host meter") }

type panicTP struct{ tnoop.TracerProvider }
type panicTracer struct{ tnoop.Tracer }

func (panicTP) Tracer(string, ...trace.TracerOption) trace.Tracer { return panicTracer{} }
func (panicTracer) Start(context.Context, string, ...trace.SpanStartOption) (context.Context, trace.Span) {
	panic("host tracer")
}

// R19-6: a provider whose instrument creation fails: New refuses, but
// the error does not wrap ErrConfig, which "every error New returns for
// a configuration it refuses" wraps (password.New's does).
func TestR19InstrumentErrorIsErrConfig(t *testing.T) {
	_, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, MeterProvider: panicMP{fail: true}})
	require.Error(t, err)
	assert.ErrorIs(t, err, auth.ErrConfig, "%v", err)
}

// R19-7 (held, documents behaviour): a panicking meter or tracer makes
// the login panic; it never returns a result.
func TestR19PanickingProvidersFailClosed(t *testing.T) {
	for name, cfg := range map[string]auth.Config{
		"meter":  {MeterProvider: panicMP{}},
		"tracer": {TracerProvider: panicTP{}},
	} {
		t.Run(name, func(t *testing.T) {
			k := authtest.New(t, cfg)
			ctx := context.Background()
			var res *auth.LoginResult
			func() {
				defer func() { _ = recover() }()
				_, _ = k.Auth.Accounts().Register(ctx, auth.Registration{Username: telUser, Email: telEmail, Password: telPassword})
			}()
			assert.Panics(t, func() {
				res, _ = k.Auth.Logins().Login(ctx, auth.LoginRequest{Username: telUser, Password: telPassword})
			})
			assert.Nil(t, res)
		})
	}
}

// R19-8 (held): logins while the MeterProvider is shut down and collected,
// under -race.
func TestR19ShutdownWhileLoggingIn(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	k := newTelemetryKit(t, func(c *auth.Config) { c.MeterProvider = mp; c.Realms = nil })
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				_, _ = k.login(fmt.Sprintf("r%d", (g*50+i)%100), telUser, "salah", auth.CaptchaAnswer{})
			}
		}()
	}
	go func() { _ = k.Auth.Close() }()
	_ = reader.Collect(context.Background(), new(metricdata.ResourceMetrics))
	require.NoError(t, mp.Shutdown(context.Background()))
	wg.Wait()
}

// R19-10: every New registers a callback on the MeterProvider that is
// never unregistered, not even by Close: an Authenticator built and
// closed (a config reload, a test suite, a tenant rebuilt) stays reachable
// for the life of the provider, and its gauges still report beside the
// new one's, under the same (empty) attribute set.
func TestR19CallbackOutlivesAuthenticator(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	var ptrs []weak.Pointer[auth.Authenticator]
	for range 3 {
		a, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, MeterProvider: mp})
		require.NoError(t, err)
		require.NoError(t, a.Close())
		ptrs = append(ptrs, weak.Make(a))
	}
	for range 3 {
		runtime.GC()
	}
	alive := 0
	for _, p := range ptrs {
		if p.Value() != nil {
			alive++
		}
	}
	assert.Zero(t, alive, "closed and dropped Authenticators still reachable through the MeterProvider")
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(context.Background(), &rm))
	runtime.KeepAlive(mp)
}

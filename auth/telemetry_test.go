package auth_test

import (
	"context"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// telemetryKit is a Kit whose Authenticator reports to an in-memory
// metric reader and span recorder.
type telemetryKit struct {
	*authtest.Kit
	reader *sdkmetric.ManualReader
	spans  *tracetest.SpanRecorder
}

const (
	telUser     = "budi.santoso"
	telEmail    = "budi.santoso@example.id"
	telPassword = "Kopi-Tubruk-Pagi-2026"
	telAddr     = "203.0.113.77"
)

func newTelemetryKit(t *testing.T, mutate ...func(*auth.Config)) *telemetryKit {
	t.Helper()
	reader := sdkmetric.NewManualReader()
	spans := tracetest.NewSpanRecorder()
	cfg := auth.Config{
		Realm: auth.Realm{Links: auth.Links{Reset: "https://mitra.example.go.id/atur-sandi"}},
		Realms: map[string]auth.Realm{
			"bpn":  {Lockout: lockout.Policy{Account: lockout.Rule{Threshold: 3, Lock: 30 * time.Minute}}, Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaNever}},
			"bpjs": {Captcha: auth.CaptchaPolicy{Mode: auth.CaptchaAlways}},
		},
		MeterProvider:  sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)),
		TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	k := authtest.New(t, cfg, authtest.WithCaptcha(captcha.Config{}))
	return &telemetryKit{Kit: k, reader: reader, spans: spans}
}

// counts returns the sums of the metric name, by the attribute set each
// is recorded under, written as "k=v,k=v" in the order of keys.
func (k *telemetryKit) counts(t *testing.T, name string, keys ...attribute.Key) map[string]int64 {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, k.reader.Collect(context.Background(), &rm))
	out := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			sum, ok := m.Data.(metricdata.Sum[int64])
			require.True(t, ok, "%s is a sum of int64", name)
			for _, dp := range sum.DataPoints {
				var parts []string
				for _, key := range keys {
					v, _ := dp.Attributes.Value(key)
					parts = append(parts, string(key)+"="+v.String())
				}
				out[strings.Join(parts, ",")] += dp.Value
			}
		}
	}
	return out
}

// allAttributes returns every attribute value of every metric and span
// recorded so far, for the test that none of them is personal.
func (k *telemetryKit) allAttributes(t *testing.T) []string {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, k.reader.Collect(context.Background(), &rm))
	var out []string
	add := func(s attribute.Set) {
		for _, kv := range s.ToSlice() {
			out = append(out, string(kv.Key)+"="+kv.Value.String())
		}
	}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					add(dp.Attributes)
				}
			case metricdata.Gauge[int64]:
				for _, dp := range d.DataPoints {
					add(dp.Attributes)
				}
			}
		}
	}
	for _, s := range k.spans.Ended() {
		out = append(out, "span="+s.Name(), "status="+s.Status().Description)
		for _, kv := range s.Attributes() {
			out = append(out, string(kv.Key)+"="+kv.Value.String())
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				out = append(out, string(kv.Key)+"="+kv.Value.String())
			}
		}
	}
	return out
}

func (k *telemetryKit) login(realm, username, pw string, ans auth.CaptchaAnswer) (*auth.LoginResult, error) {
	return k.Auth.Logins().Login(context.Background(), auth.LoginRequest{
		Realm: realm, Username: username, Password: pw, Captcha: ans, Request: auth.Request{ClientAddr: telAddr},
	})
}

// TestTelemetryMetrics: the metrics a host watches count what happened,
// by realm and outcome: logins, locks and unlocks, captchas, messages,
// resets, sessions loaded, events.
func TestTelemetryMetrics(t *testing.T) {
	k := newTelemetryKit(t)
	ctx := context.Background()
	acct, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "bpn", Username: telUser, Email: telEmail, Password: telPassword})
	require.NoError(t, err)
	_, err = k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "bpjs", Username: "12345678901", Password: telPassword})
	require.NoError(t, err)

	// bpn: one success, three failures that lock, one refusal.
	res, err := k.login("bpn", telUser, telPassword, auth.CaptchaAnswer{})
	require.NoError(t, err)
	s, err := k.Auth.Sessions().Start(ctx, auth.StartSession{Account: res.Account})
	require.NoError(t, err)
	for range 3 {
		_, err = k.login("bpn", telUser, "salah", auth.CaptchaAnswer{})
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	_, err = k.login("bpn", telUser, telPassword, auth.CaptchaAnswer{})
	require.ErrorIs(t, err, lockout.ErrLocked)
	op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "petugas", AccountID: "op-1", Realms: []string{"bpn"}})
	require.NoError(t, err)
	_, err = op.Unlock(ctx, auth.UnlockRequest{Realm: "bpn", Username: telUser, Reason: "telepon ke kantor"})
	require.NoError(t, err)
	// The lock's notice is sent in the background, as the reset's link
	// below is: wait for it, so that the link is the last message.
	require.Equal(t, notify.AccountLocked, k.LastMessage(t, telEmail).Purpose)

	// bpjs: a captcha at every login: none, a wrong one, a right one.
	_, err = k.login("bpjs", "12345678901", telPassword, auth.CaptchaAnswer{})
	require.ErrorIs(t, err, auth.ErrCaptchaRequired)
	wrong := k.SolveCaptcha(t, "login", telAddr)
	wrong.Answer = "000000x"
	_, err = k.login("bpjs", "12345678901", telPassword, wrong)
	require.ErrorIs(t, err, auth.ErrCaptchaInvalid)
	_, err = k.login("bpjs", "12345678901", telPassword, k.SolveCaptcha(t, "login", telAddr))
	require.NoError(t, err)

	// A reset by link, requested and completed.
	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "bpn", Identifier: telUser})
	require.NoError(t, err)
	require.NoError(t, k.Auth.Accounts().CompleteReset(ctx, auth.ResetCompletion{Realm: "bpn", Token: k.LastToken(t, telEmail), NewPassword: "Sandi-Baru-2026!z"}))

	// Sessions: one loaded, one not found, one ended by the reset.
	_, err = k.Auth.Sessions().Load(ctx, s.Token)
	require.ErrorIs(t, err, auth.ErrNoSession, "the reset ended the account's sessions")
	res, err = k.login("bpn", telUser, "Sandi-Baru-2026!z", auth.CaptchaAnswer{})
	require.NoError(t, err)
	s, err = k.Auth.Sessions().Start(ctx, auth.StartSession{Account: res.Account})
	require.NoError(t, err)
	_, err = k.Auth.Sessions().Load(ctx, s.Token)
	require.NoError(t, err)
	_, err = k.Auth.Sessions().Load(ctx, "not-a-token")
	require.ErrorIs(t, err, auth.ErrNoSession)
	require.NoError(t, k.Auth.Close())

	logins := k.counts(t, "masuk.logins", "masuk.realm", "masuk.login.step", "masuk.outcome")
	assert.Equal(t, map[string]int64{
		"masuk.realm=bpn,masuk.login.step=password,masuk.outcome=succeeded":           2,
		"masuk.realm=bpn,masuk.login.step=password,masuk.outcome=invalid_credentials": 3,
		"masuk.realm=bpn,masuk.login.step=password,masuk.outcome=locked":              1,
		"masuk.realm=bpjs,masuk.login.step=password,masuk.outcome=captcha_required":   1,
		"masuk.realm=bpjs,masuk.login.step=password,masuk.outcome=captcha_invalid":    1,
		"masuk.realm=bpjs,masuk.login.step=password,masuk.outcome=succeeded":          1,
	}, logins)
	assert.Equal(t, map[string]int64{"masuk.realm=bpn": 1}, k.counts(t, "masuk.lockout.locks", "masuk.realm"))
	assert.Equal(t, map[string]int64{"masuk.realm=bpn": 1}, k.counts(t, "masuk.lockout.unlocks", "masuk.realm"))
	assert.Equal(t, map[string]int64{
		"masuk.realm=bpjs,masuk.outcome=captcha_required": 1,
		"masuk.realm=bpjs,masuk.outcome=captcha_invalid":  1,
		"masuk.realm=bpjs,masuk.outcome=succeeded":        1,
	}, k.counts(t, "masuk.captchas", "masuk.realm", "masuk.outcome"))
	assert.Equal(t, map[string]int64{
		"masuk.realm=bpn,masuk.reset.stage=requested": 1,
		"masuk.realm=bpn,masuk.reset.stage=completed": 1,
	}, k.counts(t, "masuk.resets", "masuk.realm", "masuk.reset.stage"))
	assert.Equal(t, map[string]int64{
		"masuk.realm=bpn,masuk.outcome=succeeded":    1,
		"masuk.realm=,masuk.outcome=unauthenticated": 2,
	}, k.counts(t, "masuk.sessions.loaded", "masuk.realm", "masuk.outcome"))
	msgs := k.counts(t, "masuk.messages", "masuk.message.channel", "masuk.message.purpose", "masuk.outcome")
	assert.Equal(t, map[string]int64{
		"masuk.message.channel=email,masuk.message.purpose=account_locked,masuk.outcome=sent":   1,
		"masuk.message.channel=email,masuk.message.purpose=reset_link,masuk.outcome=sent":       1,
		"masuk.message.channel=email,masuk.message.purpose=password_changed,masuk.outcome=sent": 1,
	}, msgs)

	events := k.counts(t, "masuk.events", "masuk.realm")
	var stored int64
	for _, realm := range []string{"bpn", "bpjs"} {
		stored += int64(len(k.Events(t, realm)))
	}
	assert.Equal(t, stored, events["masuk.realm=bpn"]+events["masuk.realm=bpjs"], "every event recorded is counted")

	for _, v := range k.allAttributes(t) {
		for _, personal := range []string{telUser, telEmail, telPassword, "12345678901", telAddr, acct.Account.ID, "Sandi-Baru"} {
			assert.NotContains(t, v, personal, "no metric or span names a person")
		}
	}
}

// TestTelemetrySpans: a public call is a span whose children are its
// store calls; the outcome is an attribute; only a failure of the service
// is an Error status.
func TestTelemetrySpans(t *testing.T) {
	k := newTelemetryKit(t)
	ctx := context.Background()
	_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "bpn", Username: telUser, Email: telEmail, Password: telPassword})
	require.NoError(t, err)
	k.spans.Reset()
	_, err = k.login("bpn", telUser, "salah", auth.CaptchaAnswer{})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)

	var login sdktrace.ReadOnlySpan
	children := map[string]bool{}
	for _, s := range k.spans.Ended() {
		if s.Name() == "masuk.Logins.Login" {
			login = s
		}
	}
	require.NotNil(t, login)
	for _, s := range k.spans.Ended() {
		if s.Parent().SpanID() == login.SpanContext().SpanID() {
			children[s.Name()] = true
		}
	}
	assert.True(t, children["masuk.store.accounts.AccountByUsername"], "%v", children)
	assert.True(t, children["masuk.store.attempts.FailAttempt"] || children["masuk.store.attempts.TakeAttempt"], "%v", children)
	assert.True(t, children["masuk.store.events.AppendEvent"], "%v", children)
	assert.Contains(t, login.Attributes(), attribute.String("masuk.outcome", "invalid_credentials"))
	assert.Contains(t, login.Attributes(), attribute.String("masuk.realm", "bpn"))
	assert.Equal(t, "Unset", login.Status().Code.String(), "a wrong password is an outcome, not an error of the service")
}

// TestTracingKeepsOptionalRoles: wrapping the roles in traced ones hides
// neither erasure nor the one-read session load (of sqlstore: memstore
// reads the two from memory).
func TestTracingKeepsOptionalRoles(t *testing.T) {
	k := newTelemetryKit(t, func(c *auth.Config) { c.Store = sqlStore(t, testdb.SQLite(t), sqlstore.SQLite, "") })
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
	var store []string
	for _, sp := range k.spans.Ended() {
		if strings.HasPrefix(sp.Name(), "masuk.store.") {
			store = append(store, sp.Name())
		}
	}
	assert.Equal(t, []string{"masuk.store.sessionaccounts.SessionAccount"}, store, "one store call per load")
	require.NoError(t, k.Auth.Accounts().Erase(ctx, auth.AccountErasure{AccountID: reg.Account.ID, Password: telPassword}))
	_, err = k.Auth.Accounts().Get(ctx, reg.Account.ID)
	assert.Error(t, err, "erased")
}

// TestTelemetryRealmLabelsBounded: with any realm name accepted, a realm
// is labelled by its name only once something proved it real (an account
// registered, a login succeeded), and at most 64 are: invented names are
// "other", and names no realm can have "invalid".
func TestTelemetryRealmLabelsBounded(t *testing.T) {
	k := newTelemetryKit(t, func(c *auth.Config) { c.Realms = nil })
	ctx := context.Background()
	for i := range 100 {
		_, err := k.login(fmt.Sprintf("realm%d", i), "siapa", "salah", auth.CaptchaAnswer{})
		require.Error(t, err)
	}
	_, err := k.login("Bukan Realm!", "siapa", "salah", auth.CaptchaAnswer{})
	require.ErrorIs(t, err, auth.ErrInvalidRealm)
	assert.Equal(t, map[string]int64{"masuk.realm=other": 100, "masuk.realm=invalid": 1}, k.counts(t, "masuk.logins", "masuk.realm"), "nothing proved those realms")

	for i := range 70 {
		realm := fmt.Sprintf("nyata%d", i)
		_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: realm, Username: telUser, Password: telPassword})
		require.NoError(t, err)
		_, err = k.login(realm, telUser, telPassword, auth.CaptchaAnswer{})
		require.NoError(t, err)
	}
	realms := k.counts(t, "masuk.logins", "masuk.realm", "masuk.outcome")
	named := 0
	for key := range realms {
		if strings.HasPrefix(key, "masuk.realm=nyata") {
			named++
		}
	}
	assert.Equal(t, 64, named)
	assert.Equal(t, int64(6), realms["masuk.realm=other,masuk.outcome=succeeded"])
}

// TestTelemetryTypedNil: a provider holding a nil pointer is refused.
func TestTelemetryTypedNil(t *testing.T) {
	var mp *sdkmetric.MeterProvider
	var tp *sdktrace.TracerProvider
	_, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, MeterProvider: mp})
	assert.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorContains(t, err, "MeterProvider")
	_, err = auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, TracerProvider: tp})
	assert.ErrorIs(t, err, auth.ErrConfig)
	assert.ErrorContains(t, err, "TracerProvider")
}

// TestEveryPublicCallIsTraced: every exported method of a service that
// takes a context starts the span named after it.
func TestEveryPublicCallIsTraced(t *testing.T) {
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	services := map[string]bool{"Logins": true, "Accounts": true, "Sessions": true, "Factors": true, "Activity": true, "Operator": true, "Federation": true}
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || len(fn.Type.Params.List) == 0 {
				continue
			}
			star, ok := fn.Recv.List[0].Type.(*ast.StarExpr)
			if !ok {
				continue
			}
			recv := star.X.(*ast.Ident).Name
			if sel, ok := fn.Type.Params.List[0].Type.(*ast.SelectorExpr); !services[recv] || !ok || sel.Sel.Name != "Context" {
				continue
			}
			want := fmt.Sprintf("%q", "masuk."+recv+"."+fn.Name.Name)
			found := false
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				c, ok := n.(*ast.CallExpr)
				if s, isSel := fn2sel(c, ok); isSel && s == "span" && len(c.Args) == 2 {
					if lit, ok := c.Args[1].(*ast.BasicLit); ok && lit.Value == want {
						found = true
					}
				}
				return !found
			})
			assert.True(t, found, "%s.%s (%s) starts no span named %s", recv, fn.Name.Name, name, want)
			checked++
		}
	}
	assert.Greater(t, checked, 50)
}

func fn2sel(c *ast.CallExpr, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	sel, ok := c.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	return sel.Sel.Name, true
}

// TestTelemetryEventsDropped: the events a slow sink never received are
// a metric, as BackgroundStats counts them.
func TestTelemetryEventsDropped(t *testing.T) {
	s := &stuckSink{release: make(chan struct{})}
	k := newTelemetryKit(t, func(c *auth.Config) { c.EventSink, c.EventBuffer = s, 2 })
	for range 10 {
		_, err := k.login("bpn", "siapa", "salah", auth.CaptchaAnswer{})
		require.Error(t, err)
	}
	dropped := k.Auth.Background().EventsDropped
	require.Positive(t, dropped)
	assert.Equal(t, map[string]int64{"": dropped}, k.counts(t, "masuk.events.dropped"))
	close(s.release)
	require.NoError(t, k.Auth.Close())
}

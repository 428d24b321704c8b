// Package review16_test holds the attack tests of the sixteenth review,
// of package auth's API v2: per-realm settings, the enrollment a
// mandatory second factor starts at login, operators' scope, Classify,
// the services. It is a package of its own so that it compiles while
// package auth's own tests are migrated to v2.
package review16_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store"
)

const (
	// pw passes the default password policy.
	pw = "Sandi-Kuat-2026!x"
	// addr is the client address of the tests' requests.
	addr = "203.0.113.40"
)

var ctx = context.Background()

func req() auth.Request { return auth.Request{ClientAddr: addr, UserAgent: authtest.UserAgent} }

// register registers an active account with an email address in realm.
func register(t *testing.T, k *authtest.Kit, realm, username string) store.Account {
	t.Helper()
	r, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: realm, Username: username, Email: username + "@example.go.id", Password: pw, Request: req()})
	require.NoError(t, err)
	require.Equal(t, store.StateActive, r.Account.State)
	return r.Account
}

// login logs in with pw.
func login(k *authtest.Kit, realm, username string) (*auth.LoginResult, error) {
	return k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: realm, Username: username, Password: pw, Request: req()})
}

// enrollment logs in and returns the pending enrollment the login stops
// at.
func enrollment(t *testing.T, k *authtest.Kit, realm, username string) *auth.EnrollmentRequired {
	t.Helper()
	_, err := login(k, realm, username)
	var er *auth.EnrollmentRequired
	require.ErrorAs(t, err, &er)
	return er
}

// mandatory is a portal whose "bpn" realm requires a second factor.
func mandatory(t *testing.T, cfg auth.Config) *authtest.Kit {
	t.Helper()
	if cfg.Realms == nil {
		cfg.Realms = map[string]auth.Realm{}
	}
	cfg.Realms["bpn"] = auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}}
	return authtest.New(t, cfg)
}

// gate holds the first n callers of Wait until all n have arrived (or
// until a timeout, so that a fixed library, which lets fewer through,
// is not held for ever), to make a race happen every time.
type gate struct {
	n       int32
	armed   atomic.Bool
	arrived atomic.Int32
	once    sync.Once
	open    chan struct{}
}

func newGate(n int) *gate { return &gate{n: int32(n), open: make(chan struct{})} }

// arm starts holding callers.
func (g *gate) arm() { g.armed.Store(true) }

// Wait holds the caller while the gate is armed and fewer than n have
// arrived.
func (g *gate) Wait() {
	if !g.armed.Load() {
		return
	}
	if g.arrived.Add(1) > g.n {
		return
	}
	if g.arrived.Load() >= g.n {
		g.once.Do(func() { close(g.open) })
	}
	select {
	case <-g.open:
	case <-time.After(300 * time.Millisecond):
	}
}

// parallel runs f n times at once and returns the errors.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = f(i) })
	}
	wg.Wait()
	return errs
}

// successes counts the nil errors.
func successes(errs []error) int {
	n := 0
	for _, err := range errs {
		if err == nil {
			n++
		}
	}
	return n
}

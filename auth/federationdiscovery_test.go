package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest/oidcprovider"
)

// beginFrom starts a login in sapk from the i-th address, so that the
// per-address budget is not what refuses.
func (k *fedKit) beginFrom(ctx context.Context, i int) error {
	_, err := k.Auth.Federation().Begin(ctx, auth.FederationStart{Realm: "sapk", Provider: "inapas", Request: auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", i)}})
	return err
}

// TestFederationSlowDiscoveryDoesNotBlock: a provider whose discovery
// hangs holds no lock over the realm's logins: callers whose context
// ends return at once, one read runs at a time, a read given up by its
// caller counts as no failure, and the provider's recovery is seen at
// the next login.
func TestFederationSlowDiscoveryDoesNotBlock(t *testing.T) {
	k := newFedKit(t)
	k.op.SetFaults(oidcprovider.Faults{DiscoveryDelay: time.Minute})

	ctx, cancel := context.WithCancel(context.Background())
	const callers = 4
	var wg sync.WaitGroup
	errs := make([]error, callers)
	took := make([]time.Duration, callers)
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			start := time.Now()
			errs[i] = k.beginFrom(ctx, i)
			took[i] = time.Since(start)
		}()
	}
	require.Eventually(t, func() bool { return k.op.Discoveries() == 1 }, 5*time.Second, 5*time.Millisecond)
	// A caller with a deadline of its own, while the read hangs.
	short, cancelShort := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelShort()
	start := time.Now()
	err := k.beginFrom(short, 9)
	assert.Error(t, err)
	assert.Less(t, time.Since(start), 5*time.Second, "a waiter returns when its own context ends")
	assert.Equal(t, 1, k.op.Discoveries(), "one read at a time")

	cancel()
	wg.Wait()
	for i := range callers {
		assert.ErrorIs(t, errs[i], context.Canceled)
		assert.Less(t, took[i], 5*time.Second, "a canceled caller returns promptly, not after the provider's minute")
	}

	k.op.SetFaults(oidcprovider.Faults{})
	require.NoError(t, k.beginFrom(context.Background(), 20), "given-up reads are no failure: no pause, and the provider is read again")
	n := k.op.Discoveries()
	require.NoError(t, k.beginFrom(context.Background(), 21))
	assert.Equal(t, n, k.op.Discoveries(), "the document is kept")
}

// TestFederationDiscoveryFailureBacksOff: a provider that is down is
// asked once, not by every login; the logins meanwhile are refused at
// once (503, "unavailable"); the pause grows with each failure in a row,
// and once the provider is back the next login after the pause works.
func TestFederationDiscoveryFailureBacksOff(t *testing.T) {
	k := newFedKit(t)
	ctx := context.Background()
	k.op.SetFaults(oidcprovider.Faults{DiscoveryDown: true})

	err := k.beginFrom(ctx, 1)
	require.Error(t, err)
	assert.Equal(t, auth.CodeUnavailable, auth.Classify(err).Code)
	for i := range 5 {
		require.Error(t, k.beginFrom(ctx, 10+i))
	}
	_, err = k.Auth.Federation().LogoutURL(ctx, auth.FederationLogout{Realm: "sapk", Provider: "inapas"})
	require.Error(t, err)
	assert.Equal(t, 1, k.op.Discoveries(), "not asked again within the pause")

	k.Advance(t, 2*time.Second)
	require.Error(t, k.beginFrom(ctx, 2))
	assert.Equal(t, 2, k.op.Discoveries(), "asked again after the pause")
	k.Advance(t, 2*time.Second)
	require.Error(t, k.beginFrom(ctx, 3))
	assert.Equal(t, 2, k.op.Discoveries(), "the second pause is longer")
	k.Advance(t, 2*time.Second)
	require.Error(t, k.beginFrom(ctx, 4))
	assert.Equal(t, 3, k.op.Discoveries())

	for range 10 {
		k.Advance(t, time.Minute)
		require.Error(t, k.beginFrom(ctx, 5))
	}
	k.op.SetFaults(oidcprovider.Faults{})
	require.Error(t, k.beginFrom(ctx, 6), "still within the pause")
	k.Advance(t, time.Minute)
	require.NoError(t, k.beginFrom(ctx, 7), "the pause is at most a minute, and the provider is back")
	n := k.op.Discoveries()
	k.op.SignIn(map[string]any{"sub": "inapas-r", "nip": fedNIP})
	_, err = k.Auth.Federation().Callback(ctx, k.answer(t, "sapk", k.begin(t, "sapk", "", "")))
	require.NoError(t, err, "a login completes after the recovery")
	assert.Equal(t, n, k.op.Discoveries())
}

// TestFederationRealmBudgetBeforeDiscovery: a start the realm's budget
// refuses asks the provider nothing.
func TestFederationRealmBudgetBeforeDiscovery(t *testing.T) {
	k := newFedKit(t, func(c *auth.Config) {
		r := c.Realms["sapk"]
		r.Federation.PerRealm.Requests, r.Federation.PerRealm.Window = 1, time.Hour
		c.Realms["sapk"] = r
	})
	k.op.SetFaults(oidcprovider.Faults{DiscoveryDown: true})
	require.Error(t, k.beginFrom(context.Background(), 1))
	require.Equal(t, 1, k.op.Discoveries())
	k.Advance(t, 10*time.Minute)
	err := k.beginFrom(context.Background(), 2)
	require.Equal(t, auth.CodeThrottled, auth.Classify(err).Code, "%v", err)
	assert.Equal(t, 1, k.op.Discoveries(), "past the pause, but refused before discovery")
}

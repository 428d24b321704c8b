package auth_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store/memstore"
)

// TestNewChecksCodeGuessingOfFilledRealm: New checks the chance of
// guessing a realm's reset and activation codes on the realm's settings
// once its zero fields are filled, so that a realm that resets or
// activates by code with the default limits is accepted (it used to make
// New divide by the zero window of an unfilled rate and panic), and one
// whose own settings allow too much guessing is refused.
func TestNewChecksCodeGuessingOfFilledRealm(t *testing.T) {
	newAuth := func(r auth.Realm) (*auth.Authenticator, error) {
		return auth.New(auth.Config{Store: memstore.New(), Sender: &notify.Outbox{},
			Realm:  auth.Realm{Messages: auth.Messages{PortalName: "Portal SAPK"}},
			Realms: map[string]auth.Realm{"sapk": r}})
	}
	for name, r := range map[string]auth.Realm{
		"reset by code":      {Reset: auth.ResetPolicy{Delivery: auth.ByCode}},
		"activation by code": {Activation: auth.ActivationPolicy{Mode: auth.ActivationCode}},
		"both":               {Reset: auth.ResetPolicy{Delivery: auth.ByCode}, Activation: auth.ActivationPolicy{Mode: auth.ActivationCode}},
	} {
		t.Run(name, func(t *testing.T) {
			var a *auth.Authenticator
			var err error
			require.NotPanics(t, func() { a, err = newAuth(r) })
			require.NoError(t, err)
			require.NoError(t, a.Close())
		})
	}

	// Six-digit codes wherever the reset is asked from, with the default
	// limits: 2 × (30 × 3 + 10 × 3) / 10⁶ is 2.4 in 10,000.
	var err error
	require.NotPanics(t, func() {
		_, err = newAuth(auth.Realm{Reset: auth.ResetPolicy{Delivery: auth.ByCode, CodeDigits: 6, NewNetworkCodeDigits: 6}})
	})
	require.ErrorIs(t, err, auth.ErrConfig)
	assert.Contains(t, err.Error(), "guessed")
	assert.False(t, errors.Is(err, auth.ErrUnknownRealm))
}

package review16_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/store/memstore"
)

// Attack (on the host's configuration): a realm of Config.Realms takes
// every field it leaves zero from Config.Realm, and a zero field cannot
// be told from one set to its zero value. So a weakening setting in
// Config.Realm (second factors off, lenient national numbers, the email
// fallback) reaches every realm, including one that names the strong
// setting explicitly: a host that writes
//
//	Realm:  auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOff}},
//	Realms: map[string]auth.Realm{"lpse": {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOptional}}, ...},
//
// got "lpse" with second factors off: its accounts' authenticator apps
// were never asked for, and the password alone logged them in. Choices
// with a Default zero value (SecondFactorDefault) now let "lpse" keep
// what it names (TestExplicitOptionalRealmKeepsItsSecondFactor); for the
// settings whose zero value is a choice (a bool, identifiers.Strict), New
// refuses such defaults when Realms is set (they belong in the realms
// that want them), rather than serve them silently.
func TestDefaultsARealmCannotUndo(t *testing.T) {
	for name, def := range map[string]auth.Realm{
		"lenient numbers": {Username: identifiers.NIP, UsernameMode: identifiers.Lenient},
		"email fallback":  {SecondFactor: auth.SecondFactorPolicy{EmailFallback: true}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Realm: def, Realms: map[string]auth.Realm{
				"lpse": {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOptional}, UsernameMode: identifiers.Strict},
			}})
			assert.ErrorIs(t, err, auth.ErrConfig)
			// Without Realms, Config.Realm is every realm's own: it stands.
			_, err = auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Realm: def})
			assert.NoError(t, err)
			// Set in the realm that wants it, it stands too.
			_, err = auth.New(auth.Config{Store: memstore.New(), Hasher: &authtest.Hasher{}, Realms: map[string]auth.Realm{"lpse": {}, "sapk": def}})
			assert.NoError(t, err)
		})
	}
}

// The harm, shown: an account of "lpse" that enrolled an authenticator app
// logs in with its password alone once the defaults turn second factors
// off, though "lpse" asks for them explicitly.
func TestExplicitOptionalRealmKeepsItsSecondFactor(t *testing.T) {
	mem := memstore.New()
	realms := map[string]auth.Realm{"lpse": {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOptional}}}
	k := authtest.New(t, auth.Config{Store: mem, Realms: realms})
	acct := register(t, k, "lpse", "budi")
	k.EnrollTOTP(t, acct.ID, pw)

	// The host adds a realm without second factors, the way the realm
	// docs' "defaults" suggest.
	k2, err := auth.New(auth.Config{Store: mem, Hasher: k.Hasher, Now: k.Now, Realm: auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorOff}},
		Realms: map[string]auth.Realm{"lpse": realms["lpse"], "publik": {}}})
	require.NoError(t, err)
	defer k2.Close()
	_, err = k2.Logins().Login(ctx, auth.LoginRequest{Realm: "lpse", Username: "budi", Password: pw, Request: req()})
	assert.ErrorIs(t, err, auth.ErrSecondFactorRequired, "the password alone logged in an account with an authenticator app")
}

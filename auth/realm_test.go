package auth_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/notify"
)

func realmsFixture(t *testing.T) *fixture {
	return newFixture(t, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{
			"lpse": {Username: identifiers.NPWP},
			"sapk": {Username: identifiers.NIP},
			"ppid": {},
		}
	})
}

// TestNPWPRealm: in an LPSE-style realm every typing of one NPWP is one
// account, 15- and 16-digit forms included.
func TestNPWPRealm(t *testing.T) {
	f := realmsFixture(t)
	acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Password: goodPassword}))
	require.NoError(t, err)
	assert.Equal(t, "0013121660091000", acct.Username)
	assert.Equal(t, "01.312.166.0-091.000", acct.DisplayUsername)

	for _, typed := range []string{"013121660091000", " 01 312 166 0 091 000 ", "0013121660091000", "01.312.166.0-091.000"} {
		res, err := f.login(t, "lpse", typed, goodPassword)
		require.NoError(t, err, typed)
		assert.Equal(t, acct.ID, res.Account.ID, typed)
	}
	_, err = f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "0013121660091000", Password: goodPassword})
	require.ErrorIs(t, err, auth.ErrAccountExists, "the same NPWP in its 16-digit form")

	// A mistyped number is refused at registration with what is wrong...
	_, err = f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.312.166.1-091.000", Password: goodPassword})
	require.ErrorIs(t, err, identifiers.ErrCheckDigit)
	var ie *identifiers.Error
	require.ErrorAs(t, err, &ie)
	assert.NotEmpty(t, ie.Message("id"))
	_, err = f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.312.166.0/091.000", Password: goodPassword})
	require.ErrorIs(t, err, identifiers.ErrCharacter)

	// ...and at login it is just a failed login that costs no hash.
	before := f.hasher.Verifies()
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.Equal(t, before, f.hasher.Verifies())
	assert.Equal(t, auth.ReasonInvalidUsername, reasonOf(f.events(t, "lpse")[0]))
}

// TestNIPRealm: the digits of a NIP (a birth date among them) are context
// words the password may not contain.
func TestNIPRealm(t *testing.T) {
	f := realmsFixture(t)
	const nip = "19850312 201001 1 001"
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: nip, Password: "Rahasia19850312"})
	require.ErrorIs(t, err, password.ErrPolicy)
	var pe *password.PolicyError
	require.ErrorAs(t, err, &pe)
	rules := make([]password.Rule, 0, len(pe.Violations))
	for _, v := range pe.Violations {
		rules = append(rules, v.Rule)
	}
	assert.Contains(t, rules, password.RuleContextDigits)

	acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: nip, Password: goodPassword}))
	require.NoError(t, err)
	assert.Equal(t, "198503122010011001", acct.Username)
	_, err = f.login(t, "sapk", "198503122010011001", goodPassword)
	require.NoError(t, err)

	// The same number is a separate account in another realm.
	_, err = f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "ppid", Username: "198503122010011001", Password: goodPassword})
	require.NoError(t, err)
}

func TestUnknownRealm(t *testing.T) {
	f := realmsFixture(t)
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "bpjs", Username: "siti", Password: goodPassword})
	require.ErrorIs(t, err, auth.ErrUnknownRealm)
	_, err = f.login(t, "bpjs", "siti", goodPassword)
	require.ErrorIs(t, err, auth.ErrUnknownRealm)
}

func TestRealmConfigChecked(t *testing.T) {
	for name, realms := range map[string]map[string]auth.Realm{
		"bad name": {"LPSE": {}},
		"bad kind": {"lpse": {Username: identifiers.Kind(200)}},
		"bad mode": {"lpse": {Username: identifiers.NPWP, UsernameMode: identifiers.Mode(9)}},
	} {
		_, err := auth.New(auth.Config{Store: newFixture(t).store, Realms: realms})
		assert.Error(t, err, name)
	}
}

// A realm's Messages.Locale is the language of its messages when the
// request names none; a request that names one has it.
func TestRealmMessagesLocale(t *testing.T) {
	f := newMFAFixture(t, withLinks, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{"lpse": {Messages: auth.Messages{Locale: "en"}}, "ppid": {}}
	})
	f.register(t, "lpse", "budi")
	f.register(t, "ppid", "budi")
	for _, c := range []struct{ realm, asked, want string }{
		{"lpse", "", "en"},
		{"lpse", "id", "id"},
		{"ppid", "", "id"},
		{"ppid", "en", "en"},
	} {
		f.requestReset(t, auth.ResetRequest{Realm: c.realm, Identifier: "budi", Request: auth.Request{ClientAddr: req.ClientAddr, Locale: c.asked}})
		m := f.lastMessage(t, "budi@example.id")
		assert.Equal(t, notify.ResetLink, m.Purpose)
		assert.Equal(t, c.want, m.Locale, "%s, asked %q", c.realm, c.asked)
		f.clock.Advance(24 * time.Hour) // a new day's budget of messages
	}
}

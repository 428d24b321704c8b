package auth_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

const (
	rpKPJ   = "19012345678"
	rpPhone = "+6281234567890"
	rpEmail = "peserta@contoh.example.id"
)

// rpKit is a BPJS-like realm: KPJ usernames, reset codes by email, or by
// WhatsApp or SMS to the registered phone.
func rpKit(t *testing.T) (*authtest.Kit, store.Account) {
	t.Helper()
	k := authtest.New(t, auth.Config{
		Realms: map[string]auth.Realm{
			"bpjs": {
				Username:     identifiers.KPJ,
				Reset:        auth.ResetPolicy{Delivery: auth.ByCode, Phone: []auth.Method{auth.MethodWhatsApp, auth.MethodSMS}},
				SecondFactor: auth.SecondFactorPolicy{PhoneCodes: []auth.Method{auth.MethodSMS, auth.MethodWhatsApp}},
			},
			"email-only": {Reset: auth.ResetPolicy{Delivery: auth.ByCode}},
		},
	})
	r, err := k.Auth.Accounts().Register(context.Background(), auth.Registration{
		Realm: "bpjs", Username: rpKPJ, Email: rpEmail, Phone: "0812-3456-7890", Password: prPassword,
		Request: auth.Request{ClientAddr: prAddr},
	})
	require.NoError(t, err)
	return k, r.Account
}

func rpRequest(t *testing.T, k *authtest.Kit, r auth.ResetRequest) (auth.ResetStarted, error) {
	if r.Realm == "" {
		r.Realm = "bpjs"
	}
	if r.ClientAddr == "" {
		r.ClientAddr = prAddr
	}
	started, err := k.Auth.Accounts().RequestReset(context.Background(), r)
	require.NoError(t, k.Auth.Close())
	return started, err
}

// TestResetByPhone: a code goes to the registered number by the way asked
// (the realm's first by default), and resets the password as an emailed
// code does.
func TestResetByPhone(t *testing.T) {
	k, acct := rpKit(t)
	assert.Equal(t, rpPhone, acct.Phone)
	for i, c := range []struct {
		method  auth.Method
		channel notify.Channel
	}{{"", notify.WhatsApp}, {auth.MethodSMS, notify.SMS}, {auth.MethodWhatsApp, notify.WhatsApp}} {
		before := len(k.Outbox.Messages())
		// Each from an address of its own: one address gets two a day.
		addr := fmt.Sprintf("198.51.100.%d", i+1)
		started, err := rpRequest(t, k, auth.ResetRequest{Identifier: rpKPJ, Phone: "(0812) 3456 7890", Method: c.method, Request: auth.Request{ClientAddr: addr}})
		require.NoError(t, err)
		msgs := k.Outbox.Messages()
		require.Len(t, msgs, before+1, "method %q", c.method)
		m := msgs[len(msgs)-1]
		assert.Equal(t, rpPhone, m.To)
		assert.Equal(t, c.channel, m.Channel)
		assert.Equal(t, notify.ResetCode, m.Purpose)
		code := k.LastCode(t, rpPhone)
		if c.method == auth.MethodWhatsApp {
			err := k.Auth.Accounts().CompleteReset(context.Background(), auth.ResetCompletion{
				Realm: "bpjs", Identifier: rpKPJ, Code: code, Flow: started.Flow, NewPassword: "Sandi-Baru-2026!z",
				Request: auth.Request{ClientAddr: prAddr},
			})
			require.NoError(t, err)
		}
	}
	_, err := k.Auth.Logins().Login(context.Background(), auth.LoginRequest{Realm: "bpjs", Username: rpKPJ, Password: "Sandi-Baru-2026!z", Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
}

// TestResetByPhoneWrongNumber: a number that is not the account's gets
// the same answer and no message, and the attempt is recorded.
func TestResetByPhoneWrongNumber(t *testing.T) {
	k, _ := rpKit(t)
	before := len(k.Outbox.Messages())
	_, err := rpRequest(t, k, auth.ResetRequest{Identifier: rpKPJ, Phone: "0813-1111-2222"})
	require.NoError(t, err)
	_, err = rpRequest(t, k, auth.ResetRequest{Identifier: "19099999999", Phone: "0812-3456-7890"})
	require.NoError(t, err)
	assert.Len(t, k.Outbox.Messages(), before)
	evs := k.Events(t, "bpjs")
	var reasons []string
	for _, e := range evs {
		if e.Kind == string(auth.EventResetRequested) {
			reasons = append(reasons, e.Details["reason"])
		}
	}
	assert.Contains(t, reasons, string(auth.ReasonWrongPhone))
	assert.Contains(t, reasons, string(auth.ReasonUnknownUser))
}

// TestResetByPhoneRefusals: bad numbers and ways the realm does not offer
// are refused up front, with typed errors, and send nothing.
func TestResetByPhoneRefusals(t *testing.T) {
	k, _ := rpKit(t)
	before := len(k.Outbox.Messages())
	for _, c := range []struct {
		r    auth.ResetRequest
		want error
	}{
		{auth.ResetRequest{Identifier: rpKPJ, Phone: "021-555-1234"}, auth.ErrInvalidPhone},
		{auth.ResetRequest{Identifier: rpKPJ, Phone: "+1 202 555 0100"}, auth.ErrInvalidPhone},
		{auth.ResetRequest{Identifier: rpKPJ, Phone: string(make([]byte, 10000))}, auth.ErrInvalidPhone},
		{auth.ResetRequest{Identifier: rpKPJ, Phone: rpPhone, Method: auth.MethodEmail}, auth.ErrMethodUnavailable},
		{auth.ResetRequest{Identifier: rpKPJ, Method: auth.MethodSMS}, auth.ErrMethodUnavailable},
		{auth.ResetRequest{Realm: "email-only", Identifier: "nama", Phone: rpPhone}, auth.ErrMethodUnavailable},
	} {
		_, err := rpRequest(t, k, c.r)
		assert.ErrorIs(t, err, c.want, "%+v", c.r.Phone)
	}
	assert.Len(t, k.Outbox.Messages(), before)
}

// TestResetByPhoneSharesTheBudget: phone and email requests spend one
// budget per account, so asking by both ways does not double the codes.
func TestResetByPhoneSharesTheBudget(t *testing.T) {
	k, _ := rpKit(t)
	before := len(k.Outbox.Messages())
	for i := range 6 {
		r := auth.ResetRequest{Identifier: rpKPJ}
		if i%2 == 0 {
			r.Phone = rpPhone
		}
		_, err := rpRequest(t, k, r)
		require.NoError(t, err)
	}
	// PerAccountAddress defaults to 2 a day from one address.
	assert.Len(t, k.Outbox.Messages(), before+2)
}

// TestResetByPhonePerNumber: phone numbers are not unique, and a
// registration does not prove its number, so whoever registers many
// accounts with a stranger's number must not be able to send that number
// a reset code per account: what one number receives is limited, whatever
// the accounts and addresses asking.
func TestResetByPhonePerNumber(t *testing.T) {
	k, _ := rpKit(t)
	ctx := context.Background()
	const accounts = 40
	for i := range accounts {
		_, err := k.Auth.Accounts().Register(ctx, auth.Registration{
			Realm: "bpjs", Username: fmt.Sprintf("1905%07d", i), Phone: "0812-3456-7890", Password: prPassword,
			Request: auth.Request{ClientAddr: fmt.Sprintf("203.0.%d.1", 113+i/20)},
		})
		require.NoError(t, err)
	}
	before := len(k.Outbox.Messages())
	for i := range accounts {
		_, err := rpRequest(t, k, auth.ResetRequest{Identifier: fmt.Sprintf("1905%07d", i), Phone: rpPhone,
			Request: auth.Request{ClientAddr: fmt.Sprintf("192.0.2.%d", i+1)}})
		require.NoError(t, err)
	}
	sent := 0
	for _, m := range k.Outbox.Messages()[before:] {
		if m.To == rpPhone {
			sent++
		}
	}
	// Reset.PerAccount (30 a day) is also what one number receives.
	assert.LessOrEqual(t, sent, 30)
	assert.Positive(t, sent)
}

// TestResetByPhoneGuessingBounded: a realm that resets by link but also
// by phone sends codes, so New holds its code settings to the same bound
// of 1 in 10,000 a day as a realm that resets by code.
func TestResetByPhoneGuessingBounded(t *testing.T) {
	for _, c := range []auth.ResetPolicy{
		{Attempts: 100},
		{PerAccount: lockout.Rate{Requests: 100, Window: time.Hour}},
	} {
		c.Phone = []auth.Method{auth.MethodSMS}
		_, cfg := fixtureConfig([]func(*auth.Config){func(cfg *auth.Config) {
			cfg.Realms = map[string]auth.Realm{"ppid": {}, "bpjs": {Reset: c}}
		}})
		_, err := auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig, "%+v", c)
	}
	// Links alone are not guessed.
	_, cfg := fixtureConfig([]func(*auth.Config){func(cfg *auth.Config) {
		cfg.Realms = map[string]auth.Realm{"ppid": {}, "bpjs": {Reset: auth.ResetPolicy{Attempts: 100}}}
	}})
	_, err := auth.New(cfg)
	require.NoError(t, err)
}

// TestResetByPhoneCodeDiesWithTheNumber: a reset code sent to a number
// works only while that number is the account's. A code issued in the
// background while a phone change lands (after the change voided the
// account's codes), or before an operator's tool moved the number in the
// store, must not let the old number's holder reset the password.
func TestResetByPhoneCodeDiesWithTheNumber(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	started, err := rpRequest(t, k, auth.ResetRequest{Identifier: rpKPJ, Phone: rpPhone})
	require.NoError(t, err)
	code := k.LastCode(t, rpPhone)
	// The number moves without the flow that voids codes: the interleaving
	// in which the code was issued after ConfirmPhoneChange voided them.
	require.NoError(t, k.Store.SetPhone(ctx, acct.ID, rpPhone, "+6285712345678", k.Now()))
	err = k.Auth.Accounts().CompleteReset(ctx, auth.ResetCompletion{
		Realm: "bpjs", Identifier: rpKPJ, Code: code, Flow: started.Flow, NewPassword: "Sandi-Baru-2026!z",
		Request: auth.Request{ClientAddr: prAddr},
	})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
	_, err = k.Auth.Logins().Login(ctx, auth.LoginRequest{Realm: "bpjs", Username: rpKPJ, Password: prPassword, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err, "the password is unchanged")
}

package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// newPhoneFixture has two realms: "bpjs" sends codes to phones by
// WhatsApp, and by SMS when the person asks; "lpse" keeps the default,
// SMS alone.
func newPhoneFixture(t *testing.T, mutate ...func(*auth.Config)) *mfaFixture {
	return newMFAFixture(t, append([]func(*auth.Config){func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{
			"bpjs": {Messages: auth.Messages{PortalName: "BPJSTK"}, SecondFactor: auth.SecondFactorPolicy{PhoneCodes: []auth.Method{auth.MethodWhatsApp, auth.MethodSMS}}},
			"lpse": {},
		}
	}}, mutate...)...)
}

func (f *mfaFixture) registerPhone(t *testing.T, realm string) store.Account {
	t.Helper()
	acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: realm, Username: "budi", Email: "budi@example.id", Phone: "0812-3456-7890", Password: goodPassword}))
	require.NoError(t, err)
	require.Equal(t, "+6281234567890", acct.Phone)
	return acct
}

func (f *mfaFixture) addCodes(t *testing.T, acct store.Account, kind store.FactorKind) error {
	t.Helper()
	_, err := f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: kind, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
	return err
}

func TestWhatsAppCodes(t *testing.T) {
	f := newPhoneFixture(t)
	acct := f.registerPhone(t, "bpjs")
	require.NoError(t, f.addCodes(t, acct, store.FactorSMS))
	require.NoError(t, f.addCodes(t, acct, store.FactorWhatsApp))
	require.NoError(t, f.auth.Close())
	added := f.outbox.Messages()
	require.NotEmpty(t, added)
	assert.Contains(t, added[len(added)-1].Text, "kode melalui WhatsApp", "the owner is told, naming the channel")

	// WhatsApp first, as the realm orders them, whatever the order of
	// enrollment.
	p := f.pending(t, "bpjs", "budi")
	assert.Equal(t, []auth.Method{auth.MethodWhatsApp, auth.MethodSMS, auth.MethodRecovery}, p.Methods)

	sent, err := f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "bpjs", Pending: p.Pending, Method: auth.MethodWhatsApp, Request: req})
	require.NoError(t, err)
	assert.Equal(t, auth.MethodWhatsApp, sent.Method)
	assert.NotContains(t, sent.To, "3456", "the number is masked")
	m, ok := f.outbox.Last("+6281234567890")
	require.True(t, ok)
	assert.Equal(t, notify.WhatsApp, m.Channel)
	require.Len(t, m.Code, 6)

	// A WhatsApp code is not an SMS code.
	_, err = f.verify(t, "bpjs", p.Pending, auth.MethodSMS, m.Code)
	require.ErrorIs(t, err, auth.ErrInvalidCode)
	res, err := f.verify(t, "bpjs", p.Pending, auth.MethodWhatsApp, m.Code)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)

	// The fallback is the person's choice: a code by SMS when asked.
	p = f.pending(t, "bpjs", "budi")
	f.clock.Advance(time.Minute)
	_, err = f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "bpjs", Pending: p.Pending, Method: auth.MethodSMS, Request: req})
	require.NoError(t, err)
	m, _ = f.outbox.Last("+6281234567890")
	assert.Equal(t, notify.SMS, m.Channel)
	code, ok := notify.ExtractCode(m)
	require.True(t, ok)
	_, err = f.verify(t, "bpjs", p.Pending, auth.MethodSMS, code)
	require.NoError(t, err)
}

// A realm that does not send codes by WhatsApp does not enroll them; an
// account that enrolled them elsewhere, or before the realm stopped, gets
// codes to the same phone by SMS, never a login on its password alone;
// and a realm that sends neither fails closed.
func TestWhatsAppCodesOnlyWhereTheRealmSendsThem(t *testing.T) {
	f := newPhoneFixture(t, func(c *auth.Config) {
		c.Realms["ppid"] = auth.Realm{SecondFactor: auth.SecondFactorPolicy{PhoneCodes: []auth.Method{auth.MethodWhatsApp}}}
	})
	acct := f.registerPhone(t, "lpse")
	require.ErrorIs(t, f.addCodes(t, acct, store.FactorWhatsApp), auth.ErrMethodUnavailable)

	now := f.clock.Now()
	require.NoError(t, f.store.CreateFactor(t.Context(), store.Factor{ID: "0123456789abcdef0123456789abcdef", AccountID: acct.ID, Kind: store.FactorWhatsApp, CreatedAt: now, ConfirmedAt: now}))
	p := f.pending(t, "lpse", "budi")
	assert.Equal(t, []auth.Method{auth.MethodSMS}, p.Methods)

	// ppid sends by WhatsApp only; an account whose phone factor it
	// offers nothing for, and that has no other, cannot log in.
	other, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "ppid", Username: "sari", Password: goodPassword}))
	require.NoError(t, err)
	require.NoError(t, f.store.CreateFactor(t.Context(), store.Factor{ID: "fedcba9876543210fedcba9876543210", AccountID: other.ID, Kind: store.FactorSMS, CreatedAt: now, ConfirmedAt: now}))
	_, err = f.login(t, "ppid", "sari", goodPassword)
	require.ErrorIs(t, err, auth.ErrSecondFactorUnavailable, "no phone on record: fail closed")
}

// Found in review: a person who chose WhatsApp at a login that required a
// factor, for a number without WhatsApp, was offered WhatsApp alone ever
// after, and only the helpdesk could let them in. The same phone's SMS is
// offered after the chosen channel.
func TestWhatsAppFallsBackToSMSOnRequest(t *testing.T) {
	f := newPhoneFixture(t, func(c *auth.Config) {
		r := c.Realms["bpjs"]
		r.SecondFactor.Requirement = auth.SecondFactorMandatory
		c.Realms["bpjs"] = r
	})
	f.registerPhone(t, "bpjs")
	_, err := f.login(t, "bpjs", "budi", goodPassword)
	var er *auth.EnrollmentRequired
	require.ErrorAs(t, err, &er)
	en, err := f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorWhatsApp, FactorChange: auth.FactorChange{Realm: "bpjs", Pending: er.Pending, Request: req}})
	require.NoError(t, err)
	require.NotNil(t, en.SecondStep)

	// The WhatsApp code never comes; at the next login the person asks
	// for one by SMS.
	f.clock.Advance(10 * time.Minute)
	p := f.pending(t, "bpjs", "budi")
	assert.Equal(t, []auth.Method{auth.MethodWhatsApp, auth.MethodSMS}, p.Methods)
	_, err = f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "bpjs", Pending: p.Pending, Method: auth.MethodSMS, Request: req})
	require.NoError(t, err)
	m, ok := f.outbox.Last("+6281234567890")
	require.True(t, ok)
	require.Equal(t, notify.SMS, m.Channel)
	code, _ := notify.ExtractCode(m)
	_, err = f.verify(t, "bpjs", p.Pending, auth.MethodSMS, code)
	require.NoError(t, err)

	// An account that chose SMS is offered SMS first.
	g := newPhoneFixture(t)
	acct := g.registerPhone(t, "bpjs")
	require.NoError(t, g.addCodes(t, acct, store.FactorSMS))
	assert.Equal(t, []auth.Method{auth.MethodSMS, auth.MethodWhatsApp, auth.MethodRecovery}, g.pending(t, "bpjs", "budi").Methods)
}

// New refuses what PhoneCodes cannot mean.
func TestPhoneCodesChecked(t *testing.T) {
	for _, codes := range [][]auth.Method{{auth.MethodEmail}, {auth.MethodSMS, auth.MethodSMS}, {"fax"}, {auth.MethodTOTP}} {
		_, cfg := fixtureConfig([]func(*auth.Config){func(c *auth.Config) {
			c.Realms = map[string]auth.Realm{"bpjs": {SecondFactor: auth.SecondFactorPolicy{PhoneCodes: codes}}}
		}})
		_, err := auth.New(cfg)
		assert.ErrorIs(t, err, auth.ErrConfig, "%v", codes)
	}
	// What a realm shows of them is its own copy.
	f := newPhoneFixture(t)
	r, err := f.auth.Realm("bpjs")
	require.NoError(t, err)
	r.SecondFactor.PhoneCodes[0] = auth.MethodSMS
	r, err = f.auth.Realm("bpjs")
	require.NoError(t, err)
	assert.Equal(t, []auth.Method{auth.MethodWhatsApp, auth.MethodSMS}, r.SecondFactor.PhoneCodes)
}

// A Sender that does not deliver WhatsApp makes the code fail, and the
// unsent code does not hold the cooldown.
func TestWhatsAppWithoutASender(t *testing.T) {
	smsOnly := &channelSender{only: notify.SMS}
	f := newPhoneFixture(t, func(c *auth.Config) { c.Sender = smsOnly })
	acct := f.registerPhone(t, "bpjs")
	require.NoError(t, f.addCodes(t, acct, store.FactorWhatsApp))
	require.NoError(t, f.addCodes(t, acct, store.FactorSMS))
	p := f.pending(t, "bpjs", "budi")
	_, err := f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "bpjs", Pending: p.Pending, Method: auth.MethodWhatsApp, Request: req})
	require.ErrorIs(t, err, notify.ErrUnsupportedChannel)
	_, err = f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "bpjs", Pending: p.Pending, Method: auth.MethodSMS, Request: req})
	require.NoError(t, err, "no cooldown from a code nobody received")
}

// channelSender delivers one channel to an outbox and refuses the others,
// as a Sender without a WhatsApp or SMS gateway does.
type channelSender struct {
	only notify.Channel
	notify.Outbox
}

func (s *channelSender) Send(ctx context.Context, m notify.Message) error {
	if m.Channel != s.only && m.Channel != notify.Email {
		return notify.ErrUnsupportedChannel
	}
	return s.Outbox.Send(ctx, m)
}

// Found in review: a WhatsApp template approved in Indonesian only made
// every English request's code fail (a 503 anyone could cause with
// Accept-Language: en). The code goes in the realm's language instead.
func TestWhatsAppInTheRealmsLanguage(t *testing.T) {
	idOnly := &localeSender{}
	f := newPhoneFixture(t, func(c *auth.Config) { c.Sender = idOnly })
	acct := f.registerPhone(t, "bpjs")
	require.NoError(t, f.addCodes(t, acct, store.FactorWhatsApp))
	p := f.pending(t, "bpjs", "budi")
	en := req
	en.Locale = "en"
	_, err := f.auth.Logins().SendCode(t.Context(), auth.SendCodeRequest{Realm: "bpjs", Pending: p.Pending, Method: auth.MethodWhatsApp, Request: en})
	require.NoError(t, err)
	m, ok := idOnly.Last("+6281234567890")
	require.True(t, ok)
	assert.Equal(t, "id", m.Locale)
	_, err = f.verify(t, "bpjs", p.Pending, auth.MethodWhatsApp, m.Code)
	require.NoError(t, err)
}

// localeSender refuses WhatsApp messages in any language but Indonesian,
// as a WhatsAppCloud whose template is approved in Indonesian only does.
type localeSender struct{ notify.Outbox }

func (s *localeSender) Send(ctx context.Context, m notify.Message) error {
	if m.Channel == notify.WhatsApp && m.Locale != "id" {
		return notify.ErrUnsupportedLocale
	}
	return s.Outbox.Send(ctx, m)
}

// Issue 17, defect 6: emails greeted a company by its NPWP. A realm's
// Messages.GreetBy names the profile field to greet by; an account that
// left it empty, or filled it past what a greeting holds, is greeted by
// its username as before.
func TestMessagesGreetByProfile(t *testing.T) {
	f := newMFAFixture(t, func(c *auth.Config) {
		c.Realms = map[string]auth.Realm{
			"lpse": {Messages: auth.Messages{PortalName: "LPSE", GreetBy: "company"}},
			"ppid": {Messages: auth.Messages{PortalName: "PPID"}},
		}
	})
	for _, tc := range []struct {
		realm, username, company, want string
	}{
		{"lpse", "maju", "PT Maju Jaya", "Yth. PT Maju Jaya,"},
		{"lpse", "tanpa", "", "Yth. tanpa,"},
		{"lpse", "panjang", strings.Repeat("PT Sangat Panjang ", 20), "Yth. panjang,"},
		{"ppid", "warga", "PT Warga", "Yth. warga,"},
	} {
		acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: tc.realm, Username: tc.username, Email: tc.username + "@example.id",
			Password: goodPassword, Profile: map[string]string{"company": tc.company}}))
		require.NoError(t, err)
		_, err = f.auth.Factors().AddCodes(t.Context(), auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: acct.ID, Password: goodPassword, Request: req}})
		require.NoError(t, err)
		require.NoError(t, f.auth.Close())
		m := f.lastMessage(t, tc.username+"@example.id")
		assert.Contains(t, m.Text, tc.want, tc.username)
	}
}

package auth_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
)

const pcNew = "+6285712345678"

// TestPhoneChange: a code to the new number confirms it; the old number
// and the email are told; reset codes then go to the new number.
func TestPhoneChange(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	started, err := k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{
		AccountID: acct.ID, Password: prPassword, NewPhone: "0857-1234-5678", Method: auth.MethodWhatsApp,
		Request: auth.Request{ClientAddr: prAddr},
	})
	require.NoError(t, err)
	assert.Equal(t, auth.MethodWhatsApp, started.Method)
	assert.Equal(t, "+62857******78", started.To)
	m := k.LastMessage(t, pcNew)
	assert.Equal(t, notify.WhatsApp, m.Channel)
	assert.Equal(t, notify.PhoneChangeCode, m.Purpose)
	code := k.LastCode(t, pcNew)

	// The account's own number is unchanged until the code comes back.
	got, err := k.Auth.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, rpPhone, got.Phone)

	_, err = k.Auth.Accounts().ConfirmPhoneChange(ctx, auth.PhoneChangeConfirmation{AccountID: acct.ID, Code: code, Flow: "another-flow", Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrInvalidToken, "a code redeems only with its own flow")
	changed, err := k.Auth.Accounts().ConfirmPhoneChange(ctx, auth.PhoneChangeConfirmation{AccountID: acct.ID, Code: code, Flow: started.Flow, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	assert.Equal(t, pcNew, changed.Phone)
	got, err = k.Auth.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, pcNew, got.Phone)

	old := k.LastMessage(t, rpPhone)
	assert.Equal(t, notify.PhoneChanged, old.Purpose)
	assert.Equal(t, notify.SMS, old.Channel)
	assert.Contains(t, old.Text, "+62857******78")
	mail := k.LastMessage(t, rpEmail)
	assert.Equal(t, notify.PhoneChanged, mail.Purpose)

	_, err = k.Auth.Accounts().ConfirmPhoneChange(ctx, auth.PhoneChangeConfirmation{AccountID: acct.ID, Code: code, Flow: started.Flow, Request: auth.Request{ClientAddr: prAddr}})
	assert.ErrorIs(t, err, auth.ErrInvalidToken, "a code works once")

	_, err = rpRequest(t, k, auth.ResetRequest{Identifier: rpKPJ, Phone: "0857 1234 5678"})
	require.NoError(t, err)
	assert.Equal(t, notify.ResetCode, k.LastMessage(t, pcNew).Purpose)
	var events []string
	for _, e := range k.Events(t, "bpjs") {
		events = append(events, e.Kind)
	}
	assert.Contains(t, events, string(auth.EventPhoneChangeRequested))
	assert.Contains(t, events, string(auth.EventPhoneChanged))
}

// TestPhoneChangeRefusals: each bad request is a typed error and changes
// nothing.
func TestPhoneChangeRefusals(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	before := len(k.Outbox.Messages())
	for _, c := range []struct {
		r    auth.PhoneChange
		want error
	}{
		{auth.PhoneChange{Password: prPassword, NewPhone: "021-555-1234"}, auth.ErrInvalidPhone},
		{auth.PhoneChange{Password: prPassword, NewPhone: string(make([]byte, 10000))}, auth.ErrInvalidPhone},
		{auth.PhoneChange{Password: prPassword, NewPhone: "0812 3456 7890"}, auth.ErrSamePhone},
		{auth.PhoneChange{Password: prPassword, NewPhone: pcNew, Method: auth.MethodTOTP}, auth.ErrMethodUnavailable},
		{auth.PhoneChange{Password: prPassword, NewPhone: pcNew, Method: auth.MethodEmail}, auth.ErrMethodUnavailable},
		{auth.PhoneChange{Password: "salah", NewPhone: pcNew}, auth.ErrInvalidCredentials},
	} {
		c.r.AccountID, c.r.ClientAddr = acct.ID, prAddr
		_, err := k.Auth.Accounts().RequestPhoneChange(ctx, c.r)
		assert.ErrorIs(t, err, c.want, "%+v", c.r.NewPhone[:min(len(c.r.NewPhone), 20)])
	}
	require.NoError(t, k.Auth.Close())
	assert.Len(t, k.Outbox.Messages(), before)
	got, err := k.Auth.Accounts().Get(ctx, acct.ID)
	require.NoError(t, err)
	assert.Equal(t, rpPhone, got.Phone)
}

// TestPhoneChangeOneWinner: two requests race to confirm two changes
// from one number; exactly one lands, the other is refused.
func TestPhoneChangeOneWinner(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	type pending struct{ flow, code, phone string }
	var ps []pending
	for _, phone := range []string{"+6285712345678", "+6281398765432"} {
		s, err := k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{AccountID: acct.ID, Password: prPassword, NewPhone: phone, Request: auth.Request{ClientAddr: prAddr}})
		require.NoError(t, err)
		ps = append(ps, pending{s.Flow, k.LastCode(t, phone), phone})
	}
	errs := make([]error, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			_, errs[i] = k.Auth.Accounts().ConfirmPhoneChange(ctx, auth.PhoneChangeConfirmation{AccountID: acct.ID, Code: p.code, Flow: p.flow, Request: auth.Request{ClientAddr: prAddr}})
		})
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else {
			assert.ErrorIs(t, err, auth.ErrInvalidToken)
		}
	}
	assert.Equal(t, 1, wins)
}

// TestPhoneChangePerRecipientAcrossRealms: with Config.Realms nil any
// realm name goes, so the codes one number receives are counted in one
// budget whatever realm the accounts asking are in: naming a fresh realm
// for each account must not buy the stranger's number a fresh
// EmailChange.PerRecipient (3 a day).
func TestPhoneChangePerRecipientAcrossRealms(t *testing.T) {
	k := authtest.New(t, auth.Config{})
	ctx := context.Background()
	sent := 0
	for i := range 6 {
		addr := fmt.Sprintf("198.51.100.%d", i+1)
		r, err := k.Auth.Accounts().Register(ctx, auth.Registration{
			Realm: fmt.Sprintf("portal-%d", i), Username: "penyerang", Password: prPassword, Request: auth.Request{ClientAddr: addr},
		})
		require.NoError(t, err)
		_, err = k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{AccountID: r.Account.ID, Password: prPassword, NewPhone: pcNew, Request: auth.Request{ClientAddr: addr}})
		if err == nil {
			sent++
		} else {
			require.ErrorIs(t, err, lockout.ErrThrottled)
		}
	}
	assert.Equal(t, 3, sent)
}

// TestPhoneChangeWrongCodeRecorded: a wrong confirmation code is recorded
// in the history of the account it was tried on, as a wrong reset code
// is, so that guessing is seen.
func TestPhoneChangeWrongCodeRecorded(t *testing.T) {
	k, acct := rpKit(t)
	ctx := context.Background()
	started, err := k.Auth.Accounts().RequestPhoneChange(ctx, auth.PhoneChange{AccountID: acct.ID, Password: prPassword, NewPhone: pcNew, Request: auth.Request{ClientAddr: prAddr}})
	require.NoError(t, err)
	wrong := "000000"
	if k.LastCode(t, pcNew) == wrong {
		wrong = "111111"
	}
	_, err = k.Auth.Accounts().ConfirmPhoneChange(ctx, auth.PhoneChangeConfirmation{AccountID: acct.ID, Code: wrong, Flow: started.Flow, Request: auth.Request{ClientAddr: prAddr}})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
	var failed []string
	for _, e := range k.Events(t, "bpjs") {
		if e.Kind == string(auth.EventTokenFailed) {
			failed = append(failed, e.AccountID+"|"+e.Username)
		}
	}
	assert.Equal(t, []string{acct.ID + "|" + acct.Username}, failed)
}

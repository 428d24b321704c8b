package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// ErrSamePhone: a phone change names the number the account already has.
var ErrSamePhone = errors.New("auth: the new phone number is the account's")

const (
	purposePhoneChange = "phone_change"
	dataPhone          = "phone"
	dataFrom           = "from"
)

// PhoneChange is a request by a logged-in owner to change the account's
// phone number, the one that SMS and WhatsApp codes and phone resets go
// to.
type PhoneChange struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Password is the owner's current password.
	Password string
	// NewPhone is the new number as typed ("0812-3456-7890", "+62 812…").
	NewPhone string
	// Method is how the confirmation code goes to the new number: one of
	// the realm's SecondFactor.PhoneCodes. Empty means the first of them.
	Method Method
	Request
}

// PhoneChangeStarted is RequestPhoneChange's answer.
type PhoneChangeStarted struct {
	// Flow binds the code on its way to this request alone: confirm with
	// PhoneChangeConfirmation.Flow set to it.
	Flow string `json:"flow"`
	// To is the new number, masked, and Method how the code went.
	To     string `json:"to"`
	Method Method `json:"method"`
	// ExpiresAt is when the code stops working.
	ExpiresAt time.Time `json:"expires_at"`
}

// RequestPhoneChange starts changing the account's phone number, after
// checking the current password (a wrong one counts toward the lock): a
// code goes to the new number by SMS or WhatsApp, and nothing changes
// until it comes back (ConfirmPhoneChange). Phone numbers are not unique:
// one family's phone may serve several accounts.
//
// Its errors: ErrInvalidPhone; ErrSamePhone; ErrMethodUnavailable for a
// Method the realm's SecondFactor.PhoneCodes does not list;
// ErrInvalidCredentials; a *lockout.ThrottledError past the realm's
// EmailChange.PerAccount or PerAddress (which count changes of the phone
// number with those of the address); ErrNotConfigured without a Sender;
// a *notify.GatewayError or another failure of the Sender, after which no
// code is live.
func (v *Accounts) RequestPhoneChange(ctx context.Context, c PhoneChange) (_ PhoneChangeStarted, err error) {
	if v.unset() {
		return PhoneChangeStarted{}, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Accounts.RequestPhoneChange")
	defer sp.end(&err)
	a := v.a
	if a.sender == nil || a.tokens == nil {
		return PhoneChangeStarted{}, ErrNotConfigured
	}
	phone, err := CanonicalPhone(c.NewPhone)
	if err != nil {
		return PhoneChangeStarted{}, err
	}
	acct, err := a.checkOwner(ctx, actionPhoneChange, c.AccountID, c.Password, c.Request)
	if err != nil {
		return PhoneChangeStarted{}, err
	}
	realm := a.realmOf(acct.Realm)
	m := c.Method
	if m == "" {
		m = realm.SecondFactor.PhoneCodes[0]
	}
	if !slices.Contains(realm.SecondFactor.PhoneCodes, m) {
		return PhoneChangeStarted{}, ErrMethodUnavailable
	}
	if phone == acct.Phone {
		return PhoneChangeStarted{}, ErrSamePhone
	}
	s := lockout.Subject{Realm: acct.Realm, Username: acct.Username, Addr: c.ClientAddr}
	if err := realm.guard.Throttle(ctx, "email_change", s, realm.EmailChange.PerAccount, realm.EmailChange.PerAddress); err != nil {
		return PhoneChangeStarted{}, err
	}
	// Whoever holds accounts can point each at a stranger's number: what
	// goes to one number is limited, whoever asks.
	if !a.mayMailTo(ctx, "phone_change_to", realm, phone, realm.EmailChange.PerRecipient) {
		return PhoneChangeStarted{}, &lockout.ThrottledError{RetryAt: a.now().Add(realm.EmailChange.PerRecipient.Window)}
	}
	flow, err := a.randomHex(16)
	if err != nil {
		return PhoneChangeStarted{}, err
	}
	t := mailedToken{tokens: realm.phoneChanges, purpose: purposePhoneChange, byCode: true, code: notify.PhoneChangeCode,
		binding: flowBinding(flow), channel: phoneChannel(m), data: map[string]string{dataPhone: phone, dataFrom: acct.Phone}}
	ev := a.event(EventPhoneChangeRequested, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"method": string(m)}
	expires, err := a.issueAndSend(ctx, t, acct, phone, c.Request, a.messageData(acct))
	if err != nil {
		ev = withReason(ev, ReasonError)
		ev.Details["error"] = err.Error()
		a.record(ctx, ev)
		return PhoneChangeStarted{}, err
	}
	a.record(ctx, ev)
	return PhoneChangeStarted{Flow: flow, To: mask(notify.SMS, phone), Method: m, ExpiresAt: expires}, nil
}

// PhoneChangeConfirmation completes a phone change.
type PhoneChangeConfirmation struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Code is the code sent to the new number, and Flow the
	// PhoneChangeStarted.Flow of the request that sent it.
	Code, Flow string
	Request
}

// ConfirmPhoneChange completes a phone change with the code sent to the
// new number, and returns the account with it. The change holds only if
// the number and the password are still what they were when it was asked
// for. The old number (by SMS) and the email address are told.
//
// Its errors: ErrInvalidToken for a code that is wrong, expired, used or
// out of tries, or whose change no longer applies; a
// *lockout.ThrottledError past the client address's tries
// (EmailChange.Tries).
func (v *Accounts) ConfirmPhoneChange(ctx context.Context, c PhoneChangeConfirmation) (_ store.Account, err error) {
	if v.unset() {
		return store.Account{}, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Accounts.ConfirmPhoneChange")
	defer sp.end(&err)
	a := v.a
	acct, err := a.store.AccountByID(ctx, c.AccountID)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	realm := a.realmOf(acct.Realm)
	if realm.phoneChanges == nil {
		return store.Account{}, ErrNotConfigured
	}
	red, acct, err := a.redeem(ctx, realm, realm.phoneChanges, redemption{realm: acct.Realm, purpose: purposePhoneChange, accountID: acct.ID, identifier: acct.Username, code: c.Code, flow: c.Flow, req: c.Request})
	if err != nil {
		return store.Account{}, err
	}
	to, from := red.Data[dataPhone], red.Data[dataFrom]
	if to == "" || acct.Phone != from {
		return store.Account{}, ErrInvalidToken
	}
	if err := realm.phoneChanges.Consume(ctx, red); err != nil {
		return store.Account{}, err
	}
	now := a.now().UTC()
	switch err := a.store.SetPhone(ctx, acct.ID, from, to, now); {
	case errors.Is(err, store.ErrStale):
		return store.Account{}, ErrInvalidToken
	case err != nil:
		return store.Account{}, fmt.Errorf("auth: phone change: %w", err)
	}
	old := acct
	acct.Phone, acct.UpdatedAt = to, now
	ctx = context.WithoutCancel(ctx)
	// What went to the old number (a login or reset code) must not
	// outlive it, nor other changes from it.
	if err := a.tokens.VoidTokens(ctx, acct.ID, purposeSMS, purposeWA, purposeReset, purposePhoneChange); err != nil {
		a.log.ErrorContext(ctx, "masuk: voiding the old number's codes", "account", acct.ID, "error", err)
	}
	ev := a.event(EventPhoneChanged, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	d := a.messageData(acct)
	d.NewPhone, d.Time = mask(notify.SMS, to), now
	for _, n := range []struct {
		c  notify.Channel
		to string
	}{{notify.SMS, old.Phone}, {notify.Email, acct.Email}} {
		if n.to == "" {
			continue
		}
		if err := a.send(ctx, acct.Realm, n.c, n.to, notify.PhoneChanged, c.Locale, d); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling the owner of a phone change", "account", acct.ID, "channel", n.c.String(), "error", err)
		}
	}
	return acct, nil
}

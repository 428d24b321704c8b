package review16_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// Attack (on the host): a handler built around a service's zero value
// (auth.Logins{} in a struct literal, a nil *auth.Accounts field left
// unset by a constructor that forgot it) panics on its first request
// with a nil-pointer dereference, instead of an error the handler can
// answer. The services are exported types, so their zero values can be
// made; each method must answer them with ErrNotConfigured.
func TestZeroValueServicesError(t *testing.T) {
	var (
		logins   auth.Logins
		accounts auth.Accounts
		sessions auth.Sessions
		factors  auth.Factors
		activity auth.Activity
		operator auth.Operator
	)
	calls := map[string]func() error{
		"Logins.Login": func() error {
			_, err := logins.Login(ctx, auth.LoginRequest{Realm: "bpn", Username: "x", Password: "y"})
			return err
		},
		"Logins.SecondStep": func() error {
			_, err := logins.SecondStep(ctx, auth.SecondStepRequest{Realm: "bpn", Pending: "x"})
			return err
		},
		"Logins.SendCode": func() error { _, err := logins.SendCode(ctx, auth.SendCodeRequest{Realm: "bpn"}); return err },
		"Logins.CaptchaNeeded": func() error {
			_, err := logins.CaptchaNeeded(ctx, auth.CaptchaQuery{Realm: "bpn"})
			return err
		},
		"Accounts.Register": func() error {
			_, err := accounts.Register(ctx, auth.Registration{Realm: "bpn", Username: "x", Password: pw})
			return err
		},
		"Accounts.Get":     func() error { _, err := accounts.Get(ctx, "x"); return err },
		"Accounts.Confirm": func() error { _, err := accounts.Confirm(ctx, auth.Confirmation{Token: "x"}); return err },
		"Accounts.ResendActivation": func() error {
			_, err := accounts.ResendActivation(ctx, auth.ActivationRequest{Realm: "bpn", Identifier: "x"})
			return err
		},
		"Accounts.RequestReset": func() error {
			_, err := accounts.RequestReset(ctx, auth.ResetRequest{Realm: "bpn", Identifier: "x"})
			return err
		},
		"Accounts.CompleteReset":  func() error { return accounts.CompleteReset(ctx, auth.ResetCompletion{Token: "x"}) },
		"Accounts.ChangePassword": func() error { return accounts.ChangePassword(ctx, auth.PasswordChange{AccountID: "x"}) },
		"Accounts.RequestEmailChange": func() error {
			return accounts.RequestEmailChange(ctx, auth.EmailChange{AccountID: "x", NewEmail: "a@b.id"})
		},
		"Accounts.ConfirmEmailChange": func() error {
			_, err := accounts.ConfirmEmailChange(ctx, auth.EmailChangeConfirmation{Token: "x"})
			return err
		},
		"Sessions.Start":  func() error { _, err := sessions.Start(ctx, auth.StartSession{}); return err },
		"Sessions.Load":   func() error { _, err := sessions.Load(ctx, "x"); return err },
		"Sessions.List":   func() error { _, err := sessions.List(ctx, auth.SessionQuery{AccountID: "x"}); return err },
		"Sessions.Logout": func() error { return sessions.Logout(ctx, auth.LogoutRequest{Token: "x"}) },
		"Sessions.Revoke": func() error { return sessions.Revoke(ctx, auth.Revocation{AccountID: "x", SessionID: "y"}) },
		"Sessions.RevokeOthers": func() error {
			_, err := sessions.RevokeOthers(ctx, auth.OthersRevocation{AccountID: "x"})
			return err
		},
		"Factors.Summary":   func() error { _, err := factors.Summary(ctx, "x"); return err },
		"Factors.BeginTOTP": func() error { _, err := factors.BeginTOTP(ctx, auth.FactorChange{AccountID: "x"}); return err },
		"Factors.ConfirmTOTP": func() error {
			_, err := factors.ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: "x"})
			return err
		},
		"Factors.AddCodes": func() error { _, err := factors.AddCodes(ctx, auth.CodeFactor{Kind: "email"}); return err },
		"Factors.Remove":   func() error { return factors.Remove(ctx, auth.FactorRemoval{FactorID: "x"}) },
		"Factors.RegenerateRecoveryCodes": func() error {
			_, err := factors.RegenerateRecoveryCodes(ctx, auth.FactorChange{AccountID: "x"})
			return err
		},
		"Factors.ForgetDevice": func() error { return factors.ForgetDevice(ctx, auth.DeviceForget{AccountID: "x"}) },
		"Activity.List":        func() error { _, err := activity.List(ctx, auth.ActivityQuery{AccountID: "x"}); return err },
		"Operator.Account":     func() error { _, err := operator.Account(ctx, "x"); return err },
		"Operator.List":        func() error { _, err := operator.List(ctx, store.AccountQuery{Realm: "bpn"}); return err },
		"Operator.Activity": func() error {
			_, err := operator.Activity(ctx, auth.ActivityQuery{AccountID: "x"})
			return err
		},
		"Operator.LockStatus": func() error {
			_, err := operator.LockStatus(ctx, auth.LockQuery{Realm: "bpn", Username: "x"})
			return err
		},
		"Operator.Unlock": func() error {
			_, err := operator.Unlock(ctx, auth.UnlockRequest{Realm: "bpn", Username: "x"})
			return err
		},
		"Operator.Approve":     func() error { _, err := operator.Approve(ctx, auth.Decision{AccountID: "x"}); return err },
		"Operator.Reject":      func() error { _, err := operator.Reject(ctx, auth.Decision{AccountID: "x", Reason: "r"}); return err },
		"Operator.ForceReset":  func() error { return operator.ForceReset(ctx, auth.OperatorAction{AccountID: "x"}) },
		"Operator.Disable":     func() error { return operator.Disable(ctx, auth.OperatorAction{AccountID: "x"}) },
		"Operator.Enable":      func() error { return operator.Enable(ctx, auth.OperatorAction{AccountID: "x"}) },
		"Operator.EndSessions": func() error { _, err := operator.EndSessions(ctx, auth.OperatorAction{AccountID: "x"}); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			var err error
			assert.NotPanics(t, func() { err = call() }, "the zero value panics")
			assert.ErrorIs(t, err, auth.ErrNotConfigured)
		})
	}
	// A nil service pointer, as a struct field nobody set, answers alike.
	var nilLogins *auth.Logins
	assert.NotPanics(t, func() {
		_, err := nilLogins.Login(ctx, auth.LoginRequest{})
		assert.ErrorIs(t, err, auth.ErrNotConfigured)
	})
}

// A nil *auth.Authenticator (a handler's field that New's error left nil)
// hands out services that answer ErrNotConfigured too.
func TestNilAuthenticatorServicesError(t *testing.T) {
	var a *auth.Authenticator
	assert.NotPanics(t, func() {
		_, err := a.Logins().Login(ctx, auth.LoginRequest{})
		assert.ErrorIs(t, err, auth.ErrNotConfigured)
		_, err = a.Accounts().Get(ctx, "x")
		assert.ErrorIs(t, err, auth.ErrNotConfigured)
		_, err = a.Sessions().Load(ctx, "x")
		assert.ErrorIs(t, err, auth.ErrNotConfigured)
		_, err = a.Factors().Summary(ctx, "x")
		assert.ErrorIs(t, err, auth.ErrNotConfigured)
		_, err = a.Activity().List(ctx, auth.ActivityQuery{})
		assert.ErrorIs(t, err, auth.ErrNotConfigured)
		_, err = a.Operator(auth.OperatorIdentity{Name: "op", Realms: []string{"bpn"}})
		assert.ErrorIs(t, err, auth.ErrNotConfigured)
	})
}

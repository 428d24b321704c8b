package review16_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/sqlstore"
)

// longInputs are what an attacker types into every field: 10,000
// characters of several kinds.
var longInputs = map[string]string{
	"letters":  strings.Repeat("A", 10000),
	"digits":   strings.Repeat("1", 10000),
	"dots":     "01.312.166.0-091.000" + strings.Repeat(".", 10000),
	"email":    "a@" + strings.Repeat("b", 10000) + ".id",
	"invalid":  strings.Repeat("\xff\x00", 5000),
	"unicode":  strings.Repeat("é", 5000),
	"spaces":   strings.Repeat(" ", 5000) + "budi" + strings.Repeat(" ", 5000),
	"controls": strings.Repeat("\r\n", 5000),
}

func sweepConfig(st store.Store) auth.Config {
	links := auth.Links{Reset: "https://p.example.go.id/reset", Activate: "https://p.example.go.id/aktivasi", ConfirmEmail: "https://p.example.go.id/email"}
	return auth.Config{
		Store: st,
		Realm: auth.Realm{Links: links},
		Realms: map[string]auth.Realm{
			"bebas": {},
			"npwp":  {Username: identifiers.NPWP, Reset: auth.ResetPolicy{Delivery: auth.ByCode}},
			"kode":  {Activation: auth.ActivationPolicy{Mode: auth.ActivationCode}},
			"bpn":   {SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}, Activation: auth.ActivationPolicy{Mode: auth.ActivationLink}},
		},
	}
}

// sweepStores are the backends the sweep runs on.
func sweepStores(t *testing.T) map[string]func(t *testing.T) store.Store {
	m := map[string]func(t *testing.T) store.Store{"memstore": func(*testing.T) store.Store { return memstore.New() }}
	if os.Getenv(testdb.PostgresEnv) != "" {
		m["postgres"] = func(t *testing.T) store.Store {
			db, schema := testdb.Postgres(t)
			s, err := sqlstore.New(db, sqlstore.Config{Dialect: sqlstore.Postgres, Schema: schema})
			require.NoError(t, err)
			require.NoError(t, s.Migrate(t.Context()))
			return s
		}
	}
	m["sqlite"] = func(t *testing.T) store.Store {
		s, err := sqlstore.New(testdb.SQLite(t), sqlstore.Config{Dialect: sqlstore.SQLite})
		require.NoError(t, err)
		require.NoError(t, s.Migrate(t.Context()))
		return s
	}
	return m
}

// Attack: 10,000 characters (letters, digits, separators, invalid UTF-8
// and NUL, control characters) in every field of every request struct
// of the v2 services, with the other fields valid. Nothing may panic, no
// answer may be a 5xx (which a person must never be able to cause, and
// which pages show as "the portal is down"), and no answer's message may
// repeat the input.
func TestLongInputsInEveryField(t *testing.T) {
	for name, open := range sweepStores(t) {
		t.Run(name, func(t *testing.T) {
			k := authtest.New(t, sweepConfig(open(t)))
			budi := register(t, k, "bebas", "budi")
			k.EnrollTOTP(t, budi.ID, pw)
			npwp := register(t, k, "npwp", "013121660091000")
			op, err := k.Auth.Operator(auth.OperatorIdentity{Name: "op", Realms: []string{auth.AnyRealm}})
			require.NoError(t, err)
			_, err = login(k, "bebas", "budi")
			var sfr *auth.SecondFactorRequired
			require.ErrorAs(t, err, &sfr)

			L, A, F, S, O := k.Auth.Logins(), k.Auth.Accounts(), k.Auth.Factors(), k.Auth.Sessions(), op
			calls := map[string]func(s string) error{
				"Login.Realm": func(s string) error {
					_, err := L.Login(ctx, auth.LoginRequest{Realm: s, Username: "budi", Password: pw})
					return err
				},
				"Login.Username": func(s string) error {
					_, err := L.Login(ctx, auth.LoginRequest{Realm: "bebas", Username: s, Password: pw})
					return err
				},
				"Login.Password": func(s string) error {
					_, err := L.Login(ctx, auth.LoginRequest{Realm: "bebas", Username: "budi", Password: s})
					return err
				},
				"Login.Captcha": func(s string) error {
					_, err := L.Login(ctx, auth.LoginRequest{Realm: "bebas", Username: "budi", Password: pw, Captcha: auth.CaptchaAnswer{ID: s, Flow: s, Answer: s}})
					return err
				},
				"Login.Device": func(s string) error {
					_, err := L.Login(ctx, auth.LoginRequest{Realm: "bebas", Username: "budi", Password: pw, Device: s})
					return err
				},
				"Login.UserAgent": func(s string) error {
					_, err := L.Login(ctx, auth.LoginRequest{Realm: "bebas", Username: "budi", Password: pw, Request: auth.Request{ClientAddr: s, UserAgent: s, Locale: s}})
					return err
				},
				"SecondStep.Pending": func(s string) error {
					_, err := L.SecondStep(ctx, auth.SecondStepRequest{Realm: "bebas", Pending: s, Method: auth.MethodTOTP, Code: "123456"})
					return err
				},
				"SecondStep.Method": func(s string) error {
					_, err := L.SecondStep(ctx, auth.SecondStepRequest{Realm: "bebas", Pending: sfr.Pending, Method: auth.Method(s), Code: "123456"})
					return err
				},
				"SecondStep.Code": func(s string) error {
					_, err := L.SecondStep(ctx, auth.SecondStepRequest{Realm: "bebas", Pending: sfr.Pending, Method: auth.MethodTOTP, Code: s})
					return err
				},
				"SecondStep.RecoveryCode": func(s string) error {
					_, err := L.SecondStep(ctx, auth.SecondStepRequest{Realm: "bebas", Pending: sfr.Pending, Method: auth.MethodRecovery, Code: s})
					return err
				},
				"SendCode.Pending": func(s string) error {
					_, err := L.SendCode(ctx, auth.SendCodeRequest{Realm: "bebas", Pending: s, Method: auth.MethodEmail})
					return err
				},
				"SendCode.Method": func(s string) error {
					_, err := L.SendCode(ctx, auth.SendCodeRequest{Realm: "bebas", Pending: sfr.Pending, Method: auth.Method(s)})
					return err
				},
				"CaptchaNeeded": func(s string) error {
					_, err := L.CaptchaNeeded(ctx, auth.CaptchaQuery{Realm: "bebas", Username: s, ClientAddr: s})
					return err
				},
				"Register.Username": func(s string) error {
					_, err := A.Register(ctx, auth.Registration{Realm: "bebas", Username: s, Password: pw})
					return err
				},
				"Register.NPWP": func(s string) error {
					_, err := A.Register(ctx, auth.Registration{Realm: "npwp", Username: s, Email: "n@example.go.id", Password: pw})
					return err
				},
				"Register.Email": func(s string) error {
					_, err := A.Register(ctx, auth.Registration{Realm: "bebas", Username: "x1", Email: s, Password: pw})
					return err
				},
				"Register.Phone": func(s string) error {
					_, err := A.Register(ctx, auth.Registration{Realm: "bebas", Username: "x2", Phone: s, Password: pw})
					return err
				},
				"Register.Password": func(s string) error {
					_, err := A.Register(ctx, auth.Registration{Realm: "bebas", Username: "x3", Password: s})
					return err
				},
				"Register.Profile": func(s string) error {
					_, err := A.Register(ctx, auth.Registration{Realm: "bebas", Username: "x4", Password: pw, Profile: map[string]string{s: s}})
					return err
				},
				"Register.Request": func(s string) error {
					_, err := A.Register(ctx, auth.Registration{Realm: "bebas", Username: "x5", Password: pw, Request: auth.Request{ClientAddr: s, UserAgent: s, Locale: s}})
					return err
				},
				"Confirm.Token": func(s string) error { _, err := A.Confirm(ctx, auth.Confirmation{Token: s}); return err },
				"Confirm.Code": func(s string) error {
					_, err := A.Confirm(ctx, auth.Confirmation{Realm: "kode", Identifier: s, Code: s, Flow: s})
					return err
				},
				"ResendActivation": func(s string) error {
					_, err := A.ResendActivation(ctx, auth.ActivationRequest{Realm: "kode", Identifier: s})
					return err
				},
				"RequestReset": func(s string) error {
					_, err := A.RequestReset(ctx, auth.ResetRequest{Realm: "npwp", Identifier: s})
					return err
				},
				"CompleteReset.Token": func(s string) error { return A.CompleteReset(ctx, auth.ResetCompletion{Token: s, NewPassword: pw}) },
				"CompleteReset.Code": func(s string) error {
					return A.CompleteReset(ctx, auth.ResetCompletion{Realm: "npwp", Identifier: npwp.Username, Code: s, Flow: s, NewPassword: pw})
				},
				"CompleteReset.Password": func(s string) error {
					return A.CompleteReset(ctx, auth.ResetCompletion{Realm: "npwp", Identifier: npwp.Username, Code: "12345678", NewPassword: s})
				},
				"ChangePassword.AccountID": func(s string) error {
					return A.ChangePassword(ctx, auth.PasswordChange{AccountID: s, Current: pw, New: pw + "2"})
				},
				"ChangePassword.Current": func(s string) error {
					return A.ChangePassword(ctx, auth.PasswordChange{AccountID: npwp.ID, Current: s, New: pw + "2"})
				},
				"RequestEmailChange": func(s string) error {
					return A.RequestEmailChange(ctx, auth.EmailChange{AccountID: npwp.ID, Password: pw, NewEmail: s})
				},
				"ConfirmEmailChange": func(s string) error {
					_, err := A.ConfirmEmailChange(ctx, auth.EmailChangeConfirmation{Realm: "bebas", Token: s})
					return err
				},
				"Get":             func(s string) error { _, err := A.Get(ctx, s); return err },
				"Sessions.Load":   func(s string) error { _, err := S.Load(ctx, s); return err },
				"Sessions.Logout": func(s string) error { return S.Logout(ctx, auth.LogoutRequest{Token: s}) },
				"Sessions.List":   func(s string) error { _, err := S.List(ctx, auth.SessionQuery{AccountID: s, Current: s}); return err },
				"Sessions.Revoke": func(s string) error { return S.Revoke(ctx, auth.Revocation{AccountID: npwp.ID, SessionID: s}) },
				"Sessions.RevokeOthers": func(s string) error {
					_, err := S.RevokeOthers(ctx, auth.OthersRevocation{AccountID: npwp.ID, Current: s})
					return err
				},
				"Factors.Summary": func(s string) error { _, err := F.Summary(ctx, s); return err },
				"BeginTOTP.Label": func(s string) error {
					_, err := F.BeginTOTP(ctx, auth.FactorChange{AccountID: npwp.ID, Password: pw, Label: s})
					return err
				},
				"BeginTOTP.Pending": func(s string) error {
					_, err := F.BeginTOTP(ctx, auth.FactorChange{Realm: "bpn", Pending: s})
					return err
				},
				"BeginTOTP.Password": func(s string) error {
					_, err := F.BeginTOTP(ctx, auth.FactorChange{AccountID: npwp.ID, Password: s})
					return err
				},
				"ConfirmTOTP": func(s string) error {
					_, err := F.ConfirmTOTP(ctx, auth.TOTPConfirmation{AccountID: npwp.ID, FactorID: s, Code: s})
					return err
				},
				"ConfirmTOTP.Pending": func(s string) error {
					_, err := F.ConfirmTOTP(ctx, auth.TOTPConfirmation{Realm: "bpn", Pending: s, FactorID: s, Code: s})
					return err
				},
				"AddCodes.Kind": func(s string) error {
					_, err := F.AddCodes(ctx, auth.CodeFactor{Kind: store.FactorKind(s), FactorChange: auth.FactorChange{AccountID: npwp.ID, Password: pw}})
					return err
				},
				"AddCodes.Label": func(s string) error {
					_, err := F.AddCodes(ctx, auth.CodeFactor{Kind: store.FactorEmail, FactorChange: auth.FactorChange{AccountID: npwp.ID, Password: pw, Label: s}})
					return err
				},
				"Remove": func(s string) error {
					return F.Remove(ctx, auth.FactorRemoval{FactorID: s, FactorChange: auth.FactorChange{AccountID: budi.ID, Password: pw}})
				},
				"RegenerateRecoveryCodes": func(s string) error {
					_, err := F.RegenerateRecoveryCodes(ctx, auth.FactorChange{AccountID: s, Password: s})
					return err
				},
				"ForgetDevice": func(s string) error { return F.ForgetDevice(ctx, auth.DeviceForget{AccountID: budi.ID, DeviceID: s}) },
				"Activity.List": func(s string) error {
					_, err := k.Auth.Activity().List(ctx, auth.ActivityQuery{AccountID: s})
					return err
				},
				"Operator.Account": func(s string) error { _, err := O.Account(ctx, s); return err },
				"Operator.List": func(s string) error {
					_, err := O.List(ctx, store.AccountQuery{Realm: "bebas", Search: s, After: s})
					return err
				},
				"Operator.List.Realm": func(s string) error { _, err := O.List(ctx, store.AccountQuery{Realm: s}); return err },
				"Operator.List.State": func(s string) error {
					_, err := O.List(ctx, store.AccountQuery{Realm: "bebas", State: store.AccountState(s)})
					return err
				},
				"Operator.LockStatus": func(s string) error {
					_, err := O.LockStatus(ctx, auth.LockQuery{Realm: "bebas", Username: s})
					return err
				},
				"Operator.Unlock": func(s string) error {
					_, err := O.Unlock(ctx, auth.UnlockRequest{Realm: "bebas", Username: s, Reason: "x"})
					return err
				},
				"Operator.Unlock.Reason": func(s string) error {
					_, err := O.Unlock(ctx, auth.UnlockRequest{Realm: "bebas", Username: "budi", Reason: s})
					return err
				},
				"Operator.Disable": func(s string) error { return O.Disable(ctx, auth.OperatorAction{AccountID: s, Reason: s}) },
				"Operator.Reject": func(s string) error {
					_, err := O.Reject(ctx, auth.Decision{AccountID: npwp.ID, Reason: s})
					return err
				},
				"Operator.Activity": func(s string) error { _, err := O.Activity(ctx, auth.ActivityQuery{AccountID: s}); return err },
				"Operator.Name": func(s string) error {
					_, err := k.Auth.Operator(auth.OperatorIdentity{Name: s, Realms: []string{s}})
					return err
				},
			}
			for call, f := range calls {
				for kind, s := range longInputs {
					var err error
					require.NotPanics(t, func() { err = f(s) }, "%s with %s", call, kind)
					if err == nil {
						continue
					}
					o := auth.Classify(err)
					assert.Less(t, o.Status, 500, "%s with %s: %v", call, kind, err)
					for _, lang := range []string{"id", "en"} {
						assert.NotContains(t, o.Message(lang), s[:50], "%s with %s", call, kind)
					}
					assert.Less(t, len(err.Error()), 2000, "%s with %s: the error repeats the input: %.200s", call, kind, err)
				}
			}
		})
	}
}

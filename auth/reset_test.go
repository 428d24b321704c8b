package auth_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

const nip = "198609262015051001"

var links = auth.Links{
	Reset:        "https://sapk.example.go.id/lupa-sandi",
	Activate:     "https://lpse.example.go.id/aktivasi?src=email",
	ConfirmEmail: "https://lpse.example.go.id/email/konfirmasi",
	Login:        "https://lpse.example.go.id/masuk",
	Forgot:       "https://lpse.example.go.id/lupa-sandi",
}

// flowFixture has the two seed portals' realms: MySAPK (NIP usernames,
// reset by code, its composition rule) and LPSE (NPWP usernames,
// activation by link, operator approval, reset by link).
func newFlowFixture(t *testing.T, mutate ...func(*auth.Config)) *mfaFixture {
	t.Helper()
	pol, err := password.NewPolicy(password.PolicyConfig{Composition: password.CompositionMySAPK})
	require.NoError(t, err)
	return newMFAFixture(t, append([]func(*auth.Config){func(c *auth.Config) {
		c.Realm.Policy = pol
		c.Realm.Links = links
		c.Realms = map[string]auth.Realm{
			"sapk": {Username: identifiers.NIP, Reset: auth.ResetPolicy{Delivery: auth.ByCode}, Messages: auth.Messages{PortalName: "MySAPK"}},
			"lpse": {Username: identifiers.NPWP, Activation: auth.ActivationPolicy{Mode: auth.ActivationLink}, Registration: auth.RegistrationPolicy{Approval: true}},
		}
	}}, mutate...)...)
}

const sapkPassword = "Kopi tubruk 2026"

// requestReset asks for a reset and returns its flow, which a code
// redeems with.
func (f *fixture) requestReset(t *testing.T, r auth.ResetRequest) string {
	t.Helper()
	started, err := f.auth.Accounts().RequestReset(t.Context(), r)
	require.NoError(t, err)
	return started.Flow
}

func (f *mfaFixture) registerNIP(t *testing.T) store.Account {
	t.Helper()
	acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: nip, Email: "pns@example.go.id", Password: sapkPassword}))
	require.NoError(t, err)
	return acct
}

// lastMessage waits for the background work and returns the last
// message to addr.
func (f *mfaFixture) lastMessage(t *testing.T, addr string) notify.Message {
	t.Helper()
	return f.kit.LastMessage(t, addr)
}

func (f *mfaFixture) lastCode(t *testing.T, addr string) string {
	t.Helper()
	return f.kit.LastCode(t, addr)
}

func (f *mfaFixture) lastToken(t *testing.T, addr, page string) string {
	t.Helper()
	l := f.kit.LastLink(t, addr)
	require.True(t, strings.HasPrefix(l, page), "link %s is not on %s (case 35)", l, page)
	return f.kit.LastToken(t, addr)
}

// TestMySAPKFlow is the whole MySAPK "Lupa Kata Sandi": NIP → a code by
// email → a new password under the MySAPK rule → success → login.
func TestMySAPKFlow(t *testing.T) {
	f := newFlowFixture(t)
	f.registerNIP(t)

	// The NIP as people type it, with blanks.
	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: "19860926 201505 1 001", Request: req})
	code := f.lastCode(t, "pns@example.go.id")
	assert.Equal(t, notify.ResetCode, f.lastMessage(t, "pns@example.go.id").Purpose)
	assert.Contains(t, f.lastMessage(t, "pns@example.go.id").Subject, "MySAPK", "the realm's own portal name")

	complete := func(pw string) error {
		return f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code, NewPassword: pw, Request: req})
	}
	// A password against the rule is refused, and the code stays usable.
	err := complete("teh manis hangat sekali")
	var pe *password.PolicyError
	require.ErrorAs(t, err, &pe)
	require.NoError(t, complete("Teh manis 7 hangat"))

	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	_, err = f.login(t, "sapk", nip, "Teh manis 7 hangat")
	require.NoError(t, err)
	// The owner is told, and the code does not work twice (case 26).
	assert.Equal(t, notify.PasswordChanged, f.lastMessage(t, "pns@example.go.id").Purpose)
	require.ErrorIs(t, complete("Teh manis 8 hangat"), auth.ErrInvalidToken)
	ev := f.events(t, "sapk")
	assert.Equal(t, auth.EventTokenFailed, kindOf(ev[0]), "the code tried again is recorded in the account's history")
	assert.Equal(t, map[string]string{"purpose": "reset", "by": "code"}, ev[0].Details)
	assert.Equal(t, auth.EventLoginSucceeded, kindOf(ev[1]))
}

// TestResetCodeExpires is case 28 at the flow: a reset code works until 15
// minutes have passed, and not after.
func TestResetCodeExpires(t *testing.T) {
	for _, late := range []bool{false, true} {
		f := newFlowFixture(t)
		f.registerNIP(t)
		flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip})
		code := f.lastCode(t, "pns@example.go.id")
		f.clock.Advance(15*time.Minute - time.Second)
		if late {
			f.clock.Advance(time.Second)
		}
		err := f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code, NewPassword: "Teh manis 7 hangat"})
		if late {
			require.ErrorIs(t, err, auth.ErrInvalidToken)
		} else {
			require.NoError(t, err)
		}
	}
}

// TestResetRequestUniform is case 11's answer: known and unknown
// identifiers, by username or email, get the same answer, and only the
// known one gets mail. (The timing is BenchmarkRequestReset, in
// BENCHMARKS.md.)
func TestResetRequestUniform(t *testing.T) {
	f := newFlowFixture(t)
	f.registerNIP(t)
	for _, id := range []string{nip, "199009132025242014", "pns@example.go.id", "nobody@example.go.id"} {
		f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: id, Request: req})
		require.NoError(t, f.auth.Close())
		f.clock.Advance(2 * time.Minute)
	}
	require.NoError(t, f.auth.Close())
	assert.Equal(t, 2, f.outbox.Len())
	// A malformed NIP is told as such: its form is public.
	_, err := f.auth.Accounts().RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: "12345"})
	var ie *identifiers.Error
	require.ErrorAs(t, err, &ie)
}

// TestResetFlood is case 33: a flood of requests for one account sends at
// most its limits' messages (two a day to one client address), answers the
// same past them, and neither changes nor locks the account; one address is
// refused visibly past 30 requests an hour, whatever they name.
func TestResetFlood(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	for _, id := range []string{nip, "199009132025242014"} {
		for range 10 {
			f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: id, Request: req})
		}
	}
	require.NoError(t, f.auth.Close())
	assert.Equal(t, 2, f.outbox.Len(), "two messages a day from one address; none for an unknown NIP")
	got, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, acct.SecurityStamp, got.SecurityStamp)
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.NoError(t, err)

	// From many identifiers, one address is throttled.
	f.clock.Advance(2 * time.Hour)
	n := 0
	for i := range 40 {
		id := "1990091320252420" + string(rune('1'+i%9)) + string(rune('0'+i/9))
		if _, err := f.auth.Accounts().RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: id, Request: req}); errors.Is(err, lockout.ErrThrottled) {
			n++
		}
	}
	assert.Equal(t, 10, n, "30 an hour from one address")
}

// An attacker who knows the owner's NIP and email, working from ten
// addresses at the highest rate the limits allow, cannot stop the owner
// from receiving a code and completing the reset on the first try: every
// request has a code of its own, bound to its flow, the attacker's wrong
// guesses touch only the attacker's flows, and the account's limits leave
// the owner's address its own messages.
func TestResetSurvivesAttackerOnTenAddresses(t *testing.T) {
	f := newFlowFixture(t)
	f.registerNIP(t)
	for a := range 10 {
		r := auth.Request{ClientAddr: fmt.Sprintf("198.51.100.%d", a+1)}
		for range 35 {
			for _, id := range []string{nip, "pns@example.go.id"} {
				flow, err := f.auth.Accounts().RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: id, Request: r})
				if errors.Is(err, lockout.ErrThrottled) {
					continue
				}
				require.NoError(t, err)
				for g := range 5 {
					err := f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: id, Flow: flow.Flow,
						Code: fmt.Sprintf("%06d", g), NewPassword: "Penyerang 123 menang", Request: r})
					if !errors.Is(err, lockout.ErrThrottled) {
						require.ErrorIs(t, err, auth.ErrInvalidToken)
					}
				}
			}
		}
	}
	require.NoError(t, f.auth.Close())
	assert.LessOrEqual(t, f.outbox.Len(), 20, "two a day from each of the attacker's addresses")

	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip, Request: req})
	code := f.lastCode(t, "pns@example.go.id")
	require.NoError(t, f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code,
		NewPassword: "Teh manis 7 hangat", Request: req}), "the owner's first try")
}

// New refuses reset settings under which one account's codes could be
// guessed with a chance above 1 in 10,000 a day.
func TestResetGuessingBounded(t *testing.T) {
	for _, c := range []auth.ResetPolicy{
		{Attempts: 100},
		{PerAccount: lockout.Rate{Requests: 100, Window: time.Hour}},
		{Attempts: 5, PerAccount: lockout.Rate{Requests: 30, Window: 24 * time.Hour}},
	} {
		// Set for every realm, and a realm that resets by code takes it...
		_, cfg := fixtureConfig([]func(*auth.Config){func(cfg *auth.Config) {
			cfg.Realm.Reset = c
			cfg.Realms = map[string]auth.Realm{"sapk": {Reset: auth.ResetPolicy{Delivery: auth.ByCode}}}
		}})
		_, err := auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig, "%+v", c)
		// ...or set in the realm itself.
		_, cfg = fixtureConfig([]func(*auth.Config){func(cfg *auth.Config) {
			c.Delivery = auth.ByCode
			cfg.Realms = map[string]auth.Realm{"ppid": {}, "sapk": {Reset: c}}
		}})
		_, err = auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig, "%+v", c)
	}
	// Longer codes allow more tries; links are not guessed.
	for _, r := range []auth.Realm{{Reset: auth.ResetPolicy{Delivery: auth.ByLink}}, {Reset: auth.ResetPolicy{Delivery: auth.ByCode}}} {
		_, cfg := fixtureConfig([]func(*auth.Config){func(cfg *auth.Config) {
			cfg.Realm.Reset = auth.ResetPolicy{Attempts: 5, CodeDigits: 8}
			cfg.Realms = map[string]auth.Realm{"sapk": r}
		}})
		_, err := auth.New(cfg)
		require.NoError(t, err)
	}
}

// TestResetParallel is case 27: of N parallel completions with one code
// or one link, exactly one sets the password, for N up to 1,000: a code
// out of tries is kept until the calls it let through are done.
func TestResetParallel(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 10, 100, 1000} {
		for _, byLink := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d/link=%v", n, byLink), func(t *testing.T) {
				f := newFlowFixture(t)
				f.registerNIP(t)
				c := auth.ResetCompletion{Realm: "sapk", Identifier: nip}
				if byLink {
					acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Email: "pt@example.id", Password: sapkPassword}))
					require.NoError(t, err)
					tok := f.lastToken(t, "pt@example.id", links.Activate)
					_, err = f.auth.Accounts().Confirm(t.Context(), auth.Confirmation{Token: tok})
					require.NoError(t, err)
					_, err = f.operator(t, "op", "lpse").Approve(t.Context(), auth.Decision{AccountID: acct.ID})
					require.NoError(t, err)
					f.requestReset(t, auth.ResetRequest{Realm: "lpse", Identifier: "pt@example.id", Request: req})
					c = auth.ResetCompletion{Token: f.lastToken(t, "pt@example.id", links.Reset)}
				} else {
					c.Flow = f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip, Request: req})
					c.Code = f.lastCode(t, "pns@example.go.id")
				}
				var ok atomic.Int32
				var wg sync.WaitGroup
				for i := range n {
					wg.Go(func() {
						c := c
						c.NewPassword = "Teh manis hangat " + string(rune('A'+i%26)) + "7"
						err := f.auth.Accounts().CompleteReset(t.Context(), c)
						if err == nil {
							ok.Add(1)
						} else if !errors.Is(err, auth.ErrInvalidToken) {
							t.Errorf("unexpected: %v", err)
						}
					})
				}
				wg.Wait()
				assert.Equal(t, int32(1), ok.Load())
			})
		}
	}
}

// TestResetBoundToAccount is cases 29, 30 and 34: a code is for the
// account and the flow it was sent to; a password change voids it;
// malformed tokens are refused.
func TestResetBoundToAccount(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: "199009132025242014", Email: "pppk@example.go.id", Password: sapkPassword})
	require.NoError(t, err)
	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip})
	code := f.lastCode(t, "pns@example.go.id")
	complete := func(id, flow, code string) error {
		return f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: id, Flow: flow, Code: code, NewPassword: "Teh manis 7 hangat"})
	}
	require.ErrorIs(t, complete("199009132025242014", flow, code), auth.ErrInvalidToken, "case 29")
	require.ErrorIs(t, complete("198001012006041001", flow, code), auth.ErrInvalidToken, "unknown NIP")

	// A second request has a code of its own, bound to its own flow; each
	// code works only with its flow.
	f.clock.Advance(time.Minute)
	flow2 := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip})
	second := f.lastCode(t, "pns@example.go.id")
	if second != code {
		require.ErrorIs(t, complete(nip, flow2, code), auth.ErrInvalidToken)
		require.ErrorIs(t, complete(nip, flow, second), auth.ErrInvalidToken)
	}
	require.ErrorIs(t, complete(nip, "", code), auth.ErrInvalidToken, "no flow, no code")
	// A password change voids every outstanding code (case 30).
	require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: sapkPassword, New: "Es teler 77 segar"}))
	require.ErrorIs(t, complete(nip, flow2, second), auth.ErrInvalidToken)
	require.ErrorIs(t, complete(nip, flow, code), auth.ErrInvalidToken)

	// Case 34, on the link flow.
	for _, tok := range []string{"", strings.Repeat("a", 10<<10), "%00", "zz.zz", "0123456789ABCDEF0123456789ABCDEF.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		err := f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "lpse", Token: tok, NewPassword: "Teh manis 7 hangat"})
		require.ErrorIs(t, err, auth.ErrInvalidToken)
	}
}

// TestResetUnlocksAndKeepsSecondFactor is cases 6, 31 and 32: a reset ends a
// lock, logs no one in, forgets remembered devices, and the next login still
// asks for the second factor.
func TestResetUnlocksAndKeepsSecondFactor(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	secret, _ := f.enrollWith(t, acct, sapkPassword)
	f.clock.Advance(time.Minute)
	for range 5 {
		_, err := f.login(t, "sapk", nip, "wrong password")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	_, err := f.login(t, "sapk", nip, sapkPassword)
	require.ErrorIs(t, err, lockout.ErrLocked)
	require.NoError(t, f.auth.Close()) // the lock notice goes first

	flow := f.requestReset(t, auth.ResetRequest{Realm: "sapk", Identifier: nip})
	code := f.lastCode(t, "pns@example.go.id")
	require.NoError(t, f.auth.Accounts().CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Flow: flow, Code: code, NewPassword: "Teh manis 7 hangat"}))
	ev := f.events(t, "sapk")[0]
	assert.Equal(t, auth.EventPasswordReset, kindOf(ev))
	assert.Equal(t, "true", ev.Details["unlocked"])

	_, err = f.login(t, "sapk", nip, "Teh manis 7 hangat")
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr, "case 32: the second factor is still asked")
	_, err = f.verify(t, "sapk", sfr.Pending, auth.MethodTOTP, code6(t, secret, f.clock.Now()))
	require.NoError(t, err)
}

// TestLPSEFlow is the whole LPSE registration: NPWP → activation link →
// waiting for approval → approved → login; and a rejection with a reason.
func TestLPSEFlow(t *testing.T) {
	f := newFlowFixture(t)
	reg := auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Email: "pt.maju@example.co.id", Password: sapkPassword, Request: req,
		Profile: map[string]string{"nama_perusahaan": "PT Maju Jaya", "nib": "8120000000001"}}
	acct, err := accountOf(f.auth.Accounts().Register(t.Context(), reg))
	require.NoError(t, err)
	assert.Equal(t, store.StatePendingConfirmation, acct.State)
	stored, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "PT Maju Jaya", stored.Profile["nama_perusahaan"])
	_, err = f.login(t, "lpse", "013121660091000", sapkPassword)
	require.ErrorIs(t, err, auth.ErrPendingConfirmation)

	tok := f.lastToken(t, "pt.maju@example.co.id", links.Activate)
	assert.Equal(t, notify.ActivationLink, f.lastMessage(t, "pt.maju@example.co.id").Purpose)
	// The link names its realm: a page need not know it.
	confirmed, err := f.auth.Accounts().Confirm(t.Context(), auth.Confirmation{Token: tok})
	require.NoError(t, err)
	assert.Equal(t, store.StatePendingApproval, confirmed.Account.State)
	_, err = f.auth.Accounts().Confirm(t.Context(), auth.Confirmation{Realm: "lpse", Token: tok})
	require.ErrorIs(t, err, auth.ErrInvalidToken, "used twice")
	_, err = f.login(t, "lpse", "01.312.166.0-091.000", sapkPassword)
	require.ErrorIs(t, err, auth.ErrPendingApproval)

	_, err = f.auth.Operator(auth.OperatorIdentity{Realms: []string{auth.AnyRealm}})
	require.Error(t, err, "the operator is required")
	op := f.operator(t, "op-1", auth.AnyRealm)
	got, err := op.Approve(t.Context(), auth.Decision{AccountID: acct.ID, Reason: "dokumen lengkap"})
	require.NoError(t, err)
	assert.Equal(t, store.StateActive, got.State)
	m := f.lastMessage(t, "pt.maju@example.co.id")
	assert.Equal(t, notify.RegistrationApproved, m.Purpose)
	assert.Equal(t, "op-1", f.events(t, "lpse")[0].Details["by"])
	_, err = op.Approve(t.Context(), auth.Decision{AccountID: acct.ID})
	require.ErrorIs(t, err, auth.ErrWrongState)
	_, err = f.login(t, "lpse", "013121660091000", sapkPassword)
	require.NoError(t, err)

	// A second company, rejected with a reason it is told.
	other, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.000.161.8-092.000", Email: "cv.jaya@example.co.id", Password: sapkPassword}))
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	_, err = op.Reject(t.Context(), auth.Decision{AccountID: other.ID})
	require.ErrorIs(t, err, auth.ErrReasonRequired)
	_, err = op.Reject(t.Context(), auth.Decision{AccountID: other.ID, Reason: "NIB tidak sesuai"})
	require.NoError(t, err)
	m = f.lastMessage(t, "cv.jaya@example.co.id")
	assert.Equal(t, notify.RegistrationRejected, m.Purpose)
	assert.Contains(t, m.Text, "NIB tidak sesuai")
}

// TestRegisterTakenUniform is case 12: registering a taken username or
// email answers as a new registration does, and the owner is told.
func TestRegisterTakenUniform(t *testing.T) {
	f := newFlowFixture(t)
	reg := auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Email: "pt.maju@example.co.id", Password: sapkPassword}
	_, err := f.auth.Accounts().Register(t.Context(), reg)
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	f.outbox.Reset()

	again := reg
	again.Username = "013121660091000"
	again.Email = "lain@example.co.id"
	acct, err := accountOf(f.auth.Accounts().Register(t.Context(), again))
	require.NoError(t, err, "a taken username answers like a new one")
	assert.Empty(t, acct.ID)
	assert.Equal(t, notify.AccountExists, f.lastMessage(t, "lain@example.co.id").Purpose)
}

// TestEmailChange: the new address is confirmed before it replaces the old
// one, and the old one is told.
func TestEmailChange(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	err := f.auth.Accounts().RequestEmailChange(t.Context(), auth.EmailChange{AccountID: acct.ID, Password: "wrong password", NewEmail: "baru@example.go.id"})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	require.NoError(t, f.auth.Accounts().RequestEmailChange(t.Context(), auth.EmailChange{AccountID: acct.ID, Password: sapkPassword, NewEmail: "Baru@Example.go.id"}))
	assert.Equal(t, notify.EmailChangeNotice, f.lastMessage(t, "pns@example.go.id").Purpose)
	tok := f.lastToken(t, "baru@example.go.id", links.ConfirmEmail)

	// Nothing changed yet.
	got, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "pns@example.go.id", got.Email)

	changed, err := f.auth.Accounts().ConfirmEmailChange(t.Context(), auth.EmailChangeConfirmation{Realm: "sapk", Token: tok, Request: req})
	require.NoError(t, err)
	assert.Equal(t, "baru@example.go.id", changed.Account.Email)
	_, err = f.store.AccountByEmail(t.Context(), "sapk", "baru@example.go.id")
	require.NoError(t, err)
	_, err = f.auth.Accounts().ConfirmEmailChange(t.Context(), auth.EmailChangeConfirmation{Realm: "sapk", Token: tok, Request: req})
	require.ErrorIs(t, err, auth.ErrInvalidToken)
}

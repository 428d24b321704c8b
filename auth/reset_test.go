package auth_test

import (
	"errors"
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
		c.Policy = pol
		c.Links = links
		c.Realms = map[string]auth.Realm{
			"sapk": {Username: identifiers.NIP, Reset: auth.ByCode, PortalName: "MySAPK"},
			"lpse": {Username: identifiers.NPWP, Activation: auth.ActivationLink, Approval: true},
		}
	}}, mutate...)...)
}

const sapkPassword = "Kopi tubruk 2026"

func (f *mfaFixture) registerNIP(t *testing.T) store.Account {
	t.Helper()
	acct, err := f.auth.Register(t.Context(), auth.Registration{Realm: "sapk", Username: nip, Email: "pns@example.go.id", Password: sapkPassword})
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
	require.NoError(t, f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: "19860926 201505 1 001", Request: req}))
	code := f.lastCode(t, "pns@example.go.id")
	assert.Equal(t, notify.ResetCode, f.lastMessage(t, "pns@example.go.id").Purpose)
	assert.Contains(t, f.lastMessage(t, "pns@example.go.id").Subject, "MySAPK", "the realm's own portal name")

	complete := func(pw string) error {
		return f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Code: code, NewPassword: pw, Request: req})
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
	assert.Equal(t, auth.EventLoginSucceeded, f.events(t, "sapk")[0].Kind)
}

// TestResetCodeExpires is case 28 at the flow: a reset code works until 15
// minutes have passed, and not after.
func TestResetCodeExpires(t *testing.T) {
	for _, late := range []bool{false, true} {
		f := newFlowFixture(t)
		f.registerNIP(t)
		require.NoError(t, f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: nip}))
		code := f.lastCode(t, "pns@example.go.id")
		f.now = f.now.Add(15*time.Minute - time.Second)
		if late {
			f.now = f.now.Add(time.Second)
		}
		err := f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Code: code, NewPassword: "Teh manis 7 hangat"})
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
		require.NoError(t, f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: id, Request: req}), id)
		require.NoError(t, f.auth.Close())
		f.now = f.now.Add(2 * time.Minute)
	}
	require.NoError(t, f.auth.Close())
	assert.Equal(t, 2, f.outbox.Len())
	// A malformed NIP is told as such: its form is public.
	err := f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: "12345"})
	var ie *identifiers.Error
	require.ErrorAs(t, err, &ie)
}

// TestResetFlood is case 33: a flood of requests is throttled per
// identifier (known or not alike) and per address, sends at most one
// message a minute, and neither changes nor locks the account.
func TestResetFlood(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	throttled := map[string]int{}
	for _, id := range []string{nip, "199009132025242014"} {
		for range 20 {
			if err := f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: id, Request: req}); err != nil {
				require.ErrorIs(t, err, lockout.ErrThrottled)
				throttled[id]++
			}
		}
	}
	assert.Equal(t, map[string]int{nip: 15, "199009132025242014": 15}, throttled, "5 an hour each, known or not")
	require.NoError(t, f.auth.Close())
	assert.Equal(t, 1, f.outbox.Len(), "the cooldown lets one message through")
	got, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, acct.SecurityStamp, got.SecurityStamp)
	_, err = f.login(t, "sapk", nip, sapkPassword)
	require.NoError(t, err)

	// From many identifiers, one address is throttled too.
	f.now = f.now.Add(2 * time.Hour)
	n := 0
	for i := range 40 {
		id := "1990091320252420" + string(rune('1'+i%9)) + string(rune('0'+i/9))
		if errors.Is(f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: id, Request: req}), lockout.ErrThrottled) {
			n++
		}
	}
	assert.Equal(t, 10, n, "30 an hour from one address")
}

// TestResetParallel is case 27: of 100 parallel completions with one code,
// exactly one sets the password.
func TestResetParallel(t *testing.T) {
	f := newFlowFixture(t, func(c *auth.Config) { c.Reset.Attempts = 100 })
	f.registerNIP(t)
	require.NoError(t, f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: nip}))
	code := f.lastCode(t, "pns@example.go.id")
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			err := f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Code: code, NewPassword: "Teh manis hangat " + string(rune('A'+i%26)) + "7"})
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, auth.ErrInvalidToken) {
				t.Errorf("unexpected: %v", err)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), ok.Load())
}

// TestResetBoundToAccount is cases 29, 30 and 34: a code is for the account
// it was sent to; a password change voids it; a new code voids the old;
// malformed tokens are refused.
func TestResetBoundToAccount(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	_, err := f.auth.Register(t.Context(), auth.Registration{Realm: "sapk", Username: "199009132025242014", Email: "pppk@example.go.id", Password: sapkPassword})
	require.NoError(t, err)
	require.NoError(t, f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: nip}))
	code := f.lastCode(t, "pns@example.go.id")
	complete := func(id, code string) error {
		return f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: id, Code: code, NewPassword: "Teh manis 7 hangat"})
	}
	require.ErrorIs(t, complete("199009132025242014", code), auth.ErrInvalidToken, "case 29")
	require.ErrorIs(t, complete("198001012006041001", code), auth.ErrInvalidToken, "unknown NIP")

	// A new code voids the old one (case 30).
	f.now = f.now.Add(time.Minute)
	require.NoError(t, f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: nip}))
	second := f.lastCode(t, "pns@example.go.id")
	if second != code {
		require.ErrorIs(t, complete(nip, code), auth.ErrInvalidToken)
	}
	// A password change voids the outstanding code (case 30).
	require.NoError(t, f.auth.ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: sapkPassword, New: "Es teler 77 segar"}))
	require.ErrorIs(t, complete(nip, second), auth.ErrInvalidToken)

	// Case 34, on the link flow.
	for _, tok := range []string{"", strings.Repeat("a", 10<<10), "%00", "zz.zz", "0123456789ABCDEF0123456789ABCDEF.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"} {
		err := f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "lpse", Token: tok, NewPassword: "Teh manis 7 hangat"})
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
	f.now = f.now.Add(time.Minute)
	for range 5 {
		_, err := f.login(t, "sapk", nip, "wrong password")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	}
	_, err := f.login(t, "sapk", nip, sapkPassword)
	require.ErrorIs(t, err, lockout.ErrLocked)

	require.NoError(t, f.auth.RequestReset(t.Context(), auth.ResetRequest{Realm: "sapk", Identifier: nip}))
	code := f.lastCode(t, "pns@example.go.id")
	require.NoError(t, f.auth.CompleteReset(t.Context(), auth.ResetCompletion{Realm: "sapk", Identifier: nip, Code: code, NewPassword: "Teh manis 7 hangat"}))
	assert.Equal(t, "true", f.events(t, "sapk")[0].Details["unlocked"])

	_, err = f.login(t, "sapk", nip, "Teh manis 7 hangat")
	var sfr *auth.SecondFactorRequired
	require.ErrorAs(t, err, &sfr, "case 32: the second factor is still asked")
	_, err = f.verify(t, "sapk", sfr.Pending, auth.MethodTOTP, code6(t, secret, f.now))
	require.NoError(t, err)
}

// TestLPSEFlow is the whole LPSE registration: NPWP → activation link →
// waiting for approval → approved → login; and a rejection with a reason.
func TestLPSEFlow(t *testing.T) {
	f := newFlowFixture(t)
	reg := auth.Registration{Realm: "lpse", Username: "01.312.166.0-091.000", Email: "pt.maju@example.co.id", Password: sapkPassword, Request: req,
		Profile: map[string]string{"nama_perusahaan": "PT Maju Jaya", "nib": "8120000000001"}}
	acct, err := f.auth.Register(t.Context(), reg)
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
	got, err := f.auth.ConfirmAccount(t.Context(), auth.Confirmation{Token: tok})
	require.NoError(t, err)
	assert.Equal(t, store.StatePendingApproval, got.State)
	_, err = f.auth.ConfirmAccount(t.Context(), auth.Confirmation{Realm: "lpse", Token: tok})
	require.ErrorIs(t, err, auth.ErrInvalidToken, "used twice")
	_, err = f.login(t, "lpse", "01.312.166.0-091.000", sapkPassword)
	require.ErrorIs(t, err, auth.ErrPendingApproval)

	_, err = f.auth.Approve(t.Context(), auth.Decision{AccountID: acct.ID})
	require.Error(t, err, "the operator is required")
	got, err = f.auth.Approve(t.Context(), auth.Decision{AccountID: acct.ID, Operator: "op-1", Reason: "dokumen lengkap"})
	require.NoError(t, err)
	assert.Equal(t, store.StateActive, got.State)
	m := f.lastMessage(t, "pt.maju@example.co.id")
	assert.Equal(t, notify.RegistrationApproved, m.Purpose)
	assert.Equal(t, "op-1", f.events(t, "lpse")[0].Details["by"])
	_, err = f.auth.Approve(t.Context(), auth.Decision{AccountID: acct.ID, Operator: "op-1"})
	require.ErrorIs(t, err, auth.ErrWrongState)
	_, err = f.login(t, "lpse", "013121660091000", sapkPassword)
	require.NoError(t, err)

	// A second company, rejected with a reason it is told.
	other, err := f.auth.Register(t.Context(), auth.Registration{Realm: "lpse", Username: "01.000.161.8-092.000", Email: "cv.jaya@example.co.id", Password: sapkPassword})
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	_, err = f.auth.Reject(t.Context(), auth.Decision{AccountID: other.ID, Operator: "op-1"})
	require.ErrorIs(t, err, auth.ErrReasonRequired)
	_, err = f.auth.Reject(t.Context(), auth.Decision{AccountID: other.ID, Operator: "op-1", Reason: "NIB tidak sesuai"})
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
	_, err := f.auth.Register(t.Context(), reg)
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	f.outbox.Reset()

	again := reg
	again.Username = "013121660091000"
	again.Email = "lain@example.co.id"
	acct, err := f.auth.Register(t.Context(), again)
	require.NoError(t, err, "a taken username answers like a new one")
	assert.Empty(t, acct.ID)
	assert.Equal(t, notify.AccountExists, f.lastMessage(t, "lain@example.co.id").Purpose)
}

// TestEmailChange: the new address is confirmed before it replaces the old
// one, and the old one is told.
func TestEmailChange(t *testing.T) {
	f := newFlowFixture(t)
	acct := f.registerNIP(t)
	err := f.auth.RequestEmailChange(t.Context(), auth.EmailChange{AccountID: acct.ID, Password: "wrong password", NewEmail: "baru@example.go.id"})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	require.NoError(t, f.auth.RequestEmailChange(t.Context(), auth.EmailChange{AccountID: acct.ID, Password: sapkPassword, NewEmail: "Baru@Example.go.id"}))
	assert.Equal(t, notify.EmailChangeNotice, f.lastMessage(t, "pns@example.go.id").Purpose)
	tok := f.lastToken(t, "baru@example.go.id", links.ConfirmEmail)

	// Nothing changed yet.
	got, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, "pns@example.go.id", got.Email)

	got, err = f.auth.ConfirmEmailChange(t.Context(), "sapk", tok, req)
	require.NoError(t, err)
	assert.Equal(t, "baru@example.go.id", got.Email)
	_, err = f.store.AccountByEmail(t.Context(), "sapk", "baru@example.go.id")
	require.NoError(t, err)
	_, err = f.auth.ConfirmEmailChange(t.Context(), "sapk", tok, req)
	require.ErrorIs(t, err, auth.ErrInvalidToken)
}

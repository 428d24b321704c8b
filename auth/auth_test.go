package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)

type fixture struct {
	auth   *auth.Authenticator
	store  *memstore.Store
	hasher *authtest.Hasher
	logs   *bytes.Buffer
	// clock is the Authenticator's clock, which background work reads
	// too: move it with Advance or Set, never by assignment.
	clock *authtest.Clock
}

func newFixture(t *testing.T, mutate ...func(*auth.Config)) *fixture {
	t.Helper()
	f, cfg := fixtureConfig(mutate)
	a, err := auth.New(cfg)
	require.NoError(t, err)
	f.auth = a
	return f
}

// fixtureConfig returns a fixture without its Authenticator and the
// Config to build it from: the fixture's store, hasher, clock and log,
// changed by mutate.
func fixtureConfig(mutate []func(*auth.Config)) (*fixture, auth.Config) {
	f := &fixture{store: memstore.New(), hasher: &authtest.Hasher{}, logs: new(bytes.Buffer), clock: authtest.NewClock(t0)}
	cfg := auth.Config{
		Store:  f.store,
		Hasher: f.hasher,
		Now:    f.clock.Now,
		Logger: slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	return f, cfg
}

const goodPassword = "kopi tubruk di pagi hari"

// accountOf is Register's account, for tests that need only that.
func accountOf(r auth.Registered, err error) (store.Account, error) { return r.Account, err }

func (f *fixture) register(t *testing.T, realm, username string) store.Account {
	t.Helper()
	acct, err := accountOf(f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: realm, Username: username, Email: username + "@example.id", Password: goodPassword}))
	require.NoError(t, err)
	return acct
}

func (f *fixture) login(t *testing.T, realm, username, pw string) (*auth.LoginResult, error) {
	t.Helper()
	return f.auth.Logins().Login(t.Context(), auth.LoginRequest{Realm: realm, Username: username, Password: pw,
		Request: auth.Request{ClientAddr: "203.0.113.9", UserAgent: "test"}})
}

// operator returns the operator service of an operator named name who
// may act in realms.
func (f *fixture) operator(t *testing.T, name string, realms ...string) *auth.Operator {
	t.Helper()
	op, err := f.auth.Operator(auth.OperatorIdentity{Name: name, Realms: realms})
	require.NoError(t, err)
	return op
}

// kindOf and reasonOf are an event's kind and reason, typed as auth
// names them.
func kindOf(e store.Event) auth.EventKind { return auth.EventKind(e.Kind) }

func reasonOf(e store.Event) auth.Reason { return auth.Reason(e.Details["reason"]) }

// lastEvent returns the realm's newest event of the kind.
func (f *fixture) lastEvent(t *testing.T, realm string, kind auth.EventKind) store.Event {
	t.Helper()
	for _, e := range f.events(t, realm) {
		if kindOf(e) == kind {
			return e
		}
	}
	t.Fatalf("no %s event in %s", kind, realm)
	return store.Event{}
}

// events returns the realm's events, newest first, once the background
// work (new-device checks, messages) has recorded its own.
func (f *fixture) events(t *testing.T, realm string) []store.Event {
	t.Helper()
	require.NoError(t, f.auth.Close())
	evs, err := f.store.ListEvents(t.Context(), store.EventQuery{Realm: realm, Limit: 1000})
	require.NoError(t, err)
	return evs
}

func TestNewRequiresStore(t *testing.T) {
	_, err := auth.New(auth.Config{})
	require.Error(t, err)
}

func TestRegisterAndLogin(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "lpse", "Budi.Santoso")
	assert.Equal(t, "budi.santoso", acct.Username)
	assert.Equal(t, "Budi.Santoso", acct.DisplayUsername)
	assert.Equal(t, store.StateActive, acct.State)
	assert.Len(t, acct.ID, 32)

	res, err := f.login(t, "lpse", "  BUDI.SANTOSO ", goodPassword)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, res.Account.ID)

	evs := f.events(t, "lpse")
	require.Len(t, evs, 2)
	assert.Equal(t, auth.EventLoginSucceeded, kindOf(evs[0]))
	assert.Equal(t, acct.ID, evs[0].AccountID)
	assert.Equal(t, "203.0.113.9", evs[0].ClientAddr)
	assert.Equal(t, auth.EventRegistered, kindOf(evs[1]))
}

// TestUniformFailures is matrix case 10, and the structural half of case 9:
// an unknown user, a wrong password and a disabled account give one error,
// and each costs exactly one password verification. (The timing half is
// BenchmarkLoginUnknownVsKnown, recorded in BENCHMARKS.md.)
func TestUniformFailures(t *testing.T) {
	f := newFixture(t)
	f.register(t, "bpjs", "siti")
	disabled := f.register(t, "bpjs", "joko")
	require.NoError(t, f.store.SetAccountState(t.Context(), disabled.ID, store.StateActive, store.StateDisabled, t0))

	cases := []struct {
		name, username, pw string
		reason             auth.Reason
	}{
		{"unknown user", "nobody", goodPassword, auth.ReasonUnknownUser},
		{"wrong password", "siti", "not the password", auth.ReasonBadPassword},
		{"disabled, right password", "joko", goodPassword, auth.ReasonDisabled},
		{"disabled, wrong password", "joko", "not the password", auth.ReasonBadPassword},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.hasher.Verifies()
			res, err := f.login(t, "bpjs", c.username, c.pw)
			assert.Nil(t, res)
			require.ErrorIs(t, err, auth.ErrInvalidCredentials)
			assert.Equal(t, auth.ErrInvalidCredentials.Error(), err.Error(), "one message for every failure")
			assert.Equal(t, int64(1), f.hasher.Verifies()-before, "verifications")
			ev := f.events(t, "bpjs")[0]
			assert.Equal(t, auth.EventLoginFailed, kindOf(ev))
			assert.Equal(t, c.reason, reasonOf(ev))
		})
	}
}

func TestPendingStatesOnlyAfterPassword(t *testing.T) {
	f := newFixture(t)
	for _, st := range []struct {
		state store.AccountState
		want  error
	}{
		{store.StatePendingConfirmation, auth.ErrPendingConfirmation},
		{store.StatePendingApproval, auth.ErrPendingApproval},
	} {
		acct := f.register(t, "sapk", "user-"+string(st.state))
		require.NoError(t, f.store.SetAccountState(t.Context(), acct.ID, store.StateActive, st.state, t0))
		_, err := f.login(t, "sapk", acct.Username, "wrong password here")
		require.ErrorIs(t, err, auth.ErrInvalidCredentials, "wrong password on a %s account", st.state)
		_, err = f.login(t, "sapk", acct.Username, goodPassword)
		require.ErrorIs(t, err, st.want)
	}
}

// TestCanonicalUsername is matrix cases 20, 22 and 23.
func TestCanonicalUsername(t *testing.T) {
	same := map[string]string{
		"alice":        "alice",
		"Alice":        "alice",
		"ALICE":        "alice",
		"ＡＬＩＣＥ":        "alice",
		"  alice\t":    "alice",
		"ᴮᴵᴳᴮᴵᴿᴰ":      "bigbird",
		"Straße":       "strasse",
		"budi.santoso": "budi.santoso",
		"Dewi_Lestari": "dewi_lestari",
		"b@example.id": "b@example.id",
		"Ελένη":        "ελένη",
		"Андрей":       "андрей",
	}
	for in, want := range same {
		got, err := auth.CanonicalUsername(in)
		require.NoError(t, err, "%q", in)
		assert.Equal(t, want, got, "%q", in)
	}
	refused := map[string]auth.UsernameReason{
		"":                       auth.UsernameEmpty,
		"   ":                    auth.UsernameEmpty,
		"ali\x00ce":              auth.UsernameForbiddenRune,
		"ali\nce":                auth.UsernameForbiddenRune,
		"ali\rce":                auth.UsernameForbiddenRune,
		"ali ce":                 auth.UsernameForbiddenRune,
		"ali\u200bce":            auth.UsernameForbiddenRune, // zero-width space
		"ali\u200dce":            auth.UsernameForbiddenRune, // zero-width joiner
		"\u202ealice":            auth.UsernameForbiddenRune, // right-to-left override
		"ali\ufeffce":            auth.UsernameForbiddenRune, // BOM
		"ali\U000e0041ce":        auth.UsernameForbiddenRune, // tag character
		"\xff\xfe":               auth.UsernameInvalidUTF8,
		"аdmin":                  auth.UsernameMixedScript, // Cyrillic а
		"pаypal":                 auth.UsernameMixedScript,
		strings.Repeat("a", 65):  auth.UsernameTooLong,
		strings.Repeat("a", 300): auth.UsernameTooLong,
	}
	for in, want := range refused {
		_, err := auth.CanonicalUsername(in)
		var ue *auth.UsernameError
		require.ErrorAs(t, err, &ue, "%q", in)
		assert.Equal(t, want, ue.Reason, "%q", in)
		assert.ErrorIs(t, err, auth.ErrInvalidUsername)
		if strings.TrimSpace(in) != "" {
			assert.NotContains(t, err.Error(), in, "the error repeats the username")
		}
	}
}

func FuzzCanonicalUsername(f *testing.F) {
	for _, s := range []string{"Alice", "budi.SANTOSO@Example.ID", "x~!#$%^&*()_+{}|:\"<>?`-=[]\\;',./", "ＡＬＩＣＥ", "ᴮᴵᴳᴮᴵᴿᴰ", "Straße", "ǅemal", "ﬃ", "İstanbul", "ΣΑΣ", "a\u0345\u0307", "x\u0130\u0345", "аdmin"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		once, err := auth.CanonicalUsername(in)
		if err != nil {
			return
		}
		if slow, err := auth.CanonicalUnicode(strings.TrimSpace(in)); err != nil || slow != once {
			t.Fatalf("fast and general paths disagree on %q: %q vs %q (%v)", in, once, slow, err)
		}
		twice, err := auth.CanonicalUsername(once)
		if err != nil {
			t.Fatalf("canonical %q of %q is refused: %v", once, in, err)
		}
		if once != twice {
			t.Fatalf("not idempotent: %q → %q → %q", in, once, twice)
		}
	})
}

func TestCanonicalEmailAndPhone(t *testing.T) {
	for in, want := range map[string]string{
		" Budi@Example.ID ":    "budi@example.id",
		"dewi+lpse@mail.co.id": "dewi+lpse@mail.co.id",
	} {
		got, err := auth.CanonicalEmail(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, in := range []string{"", "budi", "Budi <budi@example.id>", "budi@localhost", "bu di@example.id", "budi@exa\nmple.id", "a\u200b@example.id"} {
		_, err := auth.CanonicalEmail(in)
		assert.ErrorIs(t, err, auth.ErrInvalidEmail, "%q", in)
	}
	for in, want := range map[string]string{
		"0812-3456-7890":      "+6281234567890",
		"62 812 3456 7890":    "+6281234567890",
		"+62 (812) 3456 7890": "+6281234567890",
		"+62 0812.3456.7890":  "+6281234567890",
	} {
		got, err := auth.CanonicalPhone(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for in, reason := range map[string]error{
		"":                      identifiers.ErrEmpty,
		"12345":                 identifiers.ErrCountry,
		"812 3456 7890":         identifiers.ErrCountry,
		"82 10 1234 5678":       identifiers.ErrCountry,
		"0812-3456-789O":        identifiers.ErrCharacter,
		"+62+812345678":         identifiers.ErrCharacter,
		"0812 3456 7890 1234 5": identifiers.ErrLength,
		"+1 415 555 2671":       identifiers.ErrCountry,
		"0062 812.3456.7890":    identifiers.ErrCountry,
		"(021) 5795-1234":       identifiers.ErrPrefix,
		"0828-1234-5678":        identifiers.ErrOperator,
		"+62":                   identifiers.ErrLength,
	} {
		_, err := auth.CanonicalPhone(in)
		assert.ErrorIs(t, err, auth.ErrInvalidPhone, "%q", in)
		assert.ErrorIs(t, err, reason, "%q", in)
		o := auth.Classify(err)
		assert.Equal(t, auth.CodePhoneInvalid, o.Code, "%q", in)
		assert.Equal(t, []string{"phone"}, o.Fields, "%q", in)
	}
}

func TestRegisterRefusals(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "rina")
	cases := []struct {
		name string
		r    auth.Registration
		want error
	}{
		{"taken username", auth.Registration{Realm: "lpse", Username: "RINA", Password: goodPassword}, auth.ErrAccountExists},
		{"taken email", auth.Registration{Realm: "lpse", Username: "rina2", Email: "Rina@example.id", Password: goodPassword}, auth.ErrAccountExists},
		{"bad realm", auth.Registration{Realm: "LPSE Pusat", Username: "rina3", Password: goodPassword}, auth.ErrInvalidRealm},
		{"bad username", auth.Registration{Realm: "lpse", Username: "ri\u200bna", Password: goodPassword}, auth.ErrInvalidUsername},
		{"bad email", auth.Registration{Realm: "lpse", Username: "rina4", Email: "rina", Password: goodPassword}, auth.ErrInvalidEmail},
		{"bad phone", auth.Registration{Realm: "lpse", Username: "rina5", Phone: "call me", Password: goodPassword}, auth.ErrInvalidPhone},
		{"short password", auth.Registration{Realm: "lpse", Username: "rina6", Password: "pendek"}, password.ErrPolicy},
		{"common password", auth.Registration{Realm: "lpse", Username: "rina7", Password: "password123"}, password.ErrPolicy},
		{"username in password", auth.Registration{Realm: "lpse", Username: "wahyudi", Password: "Wahyudi-jaya-2026"}, password.ErrPolicy},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hashes := f.hasher.Hashes()
			_, err := f.auth.Accounts().Register(t.Context(), c.r)
			require.ErrorIs(t, err, c.want)
			if !errors.Is(err, auth.ErrAccountExists) {
				assert.Equal(t, hashes, f.hasher.Hashes(), "refused before hashing")
			}
		})
	}
	// The same username in another realm is another account.
	_, err := f.auth.Accounts().Register(t.Context(), auth.Registration{Realm: "sapk", Username: "rina", Email: "rina@example.id", Password: goodPassword})
	require.NoError(t, err)
}

// TestConcurrentRegistration is matrix case 24 through the Authenticator.
func TestConcurrentRegistration(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) {
		c.Realm.Registration.PerUsername = lockout.Rate{Requests: 100, Window: time.Hour}
	})
	typed := []string{"Alice", "alice", "ALICE", "ＡＬＩＣＥ"}
	const n = 50
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, errs[i] = f.auth.Accounts().Register(context.Background(), auth.Registration{Realm: "lpse", Username: typed[i%len(typed)], Password: goodPassword})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
		} else {
			require.ErrorIs(t, err, auth.ErrAccountExists)
		}
	}
	assert.Equal(t, 1, won)
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "sapk", "198503122010011001")
	const next = "gado-gado tanpa kacang"

	err := f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: "wrong current one", New: next})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials, "matrix case 54: the current password is required")
	assert.Equal(t, auth.EventPasswordChangeFailed, kindOf(f.events(t, "sapk")[0]))

	err = f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "short"})
	require.ErrorIs(t, err, password.ErrPolicy)

	require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: next}))
	after, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.NotEqual(t, acct.SecurityStamp, after.SecurityStamp, "a password change rotates the security stamp")

	_, err = f.login(t, "sapk", acct.Username, goodPassword)
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	_, err = f.login(t, "sapk", acct.Username, next)
	require.NoError(t, err)

	// Changing from a password that is no longer current fails.
	err = f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "rendang padang asli enak"})
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
}

// TestUpgradeOnLogin: an outdated hash verifies, is replaced at login
// through the conditional update, and the stamp stays.
func TestUpgradeOnLogin(t *testing.T) {
	f := newFixture(t)
	acct := f.register(t, "lpse", "tono")
	old := &authtest.Hasher{Version: "0"}
	oldHash, err := old.Hash(t.Context(), goodPassword)
	require.NoError(t, err)
	require.NoError(t, f.store.SetCredential(t.Context(), store.Credential{AccountID: acct.ID, Hash: oldHash, ChangedAt: t0}, acct.SecurityStamp))

	_, err = f.login(t, "lpse", "tono", goodPassword)
	require.NoError(t, err)
	cred, err := f.store.CredentialByAccount(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(cred.Hash, authtest.Prefix+"1$"), "upgraded hash %q", cred.Hash)
	assert.Equal(t, t0, cred.ChangedAt, "an upgrade is not a password change")
	after, err := f.store.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, acct.SecurityStamp, after.SecurityStamp)
	evs := f.events(t, "lpse")
	assert.Equal(t, auth.EventLoginSucceeded, kindOf(evs[0]))
	assert.Equal(t, auth.EventPasswordUpgraded, kindOf(evs[1]))
}

// resetDuringLogin is a store in which a password reset lands between the
// login's read of the credential and its upgrade of it.
type resetDuringLogin struct {
	*memstore.Store
	reset store.Credential
}

func (s *resetDuringLogin) SwapCredential(ctx context.Context, old string, c store.Credential, stamp string) error {
	if err := s.Store.SetCredential(ctx, s.reset, "stamp-after-reset"); err != nil {
		return err
	}
	return s.Store.SwapCredential(ctx, old, c, stamp)
}

func TestUpgradeCannotUndoReset(t *testing.T) {
	mem := memstore.New()
	racy := &resetDuringLogin{Store: mem}
	f := newFixture(t, func(c *auth.Config) { c.Store = racy })
	f.store = mem
	acct := f.register(t, "lpse", "wati")
	oldHash, err := (&authtest.Hasher{Version: "0"}).Hash(t.Context(), goodPassword)
	require.NoError(t, err)
	require.NoError(t, mem.SetCredential(t.Context(), store.Credential{AccountID: acct.ID, Hash: oldHash, ChangedAt: t0}, acct.SecurityStamp))
	resetHash, err := f.hasher.Hash(t.Context(), "sandi baru setelah reset")
	require.NoError(t, err)
	racy.reset = store.Credential{AccountID: acct.ID, Hash: resetHash, ChangedAt: t0.Add(time.Minute)}

	_, err = f.login(t, "lpse", "wati", goodPassword)
	require.NoError(t, err, "the login itself verified before the reset")
	cred, err := mem.CredentialByAccount(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, resetHash, cred.Hash, "the reset's password survives the upgrade")
	assert.Equal(t, auth.ReasonNotUpgraded, reasonOf(f.events(t, "lpse")[1]))
}

// TestNothingSecretInLogs is matrix case 52.
func TestNothingSecretInLogs(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "agus")
	const secret = "Rahasia-Sekali-2026!"
	_, _ = f.login(t, "lpse", "agus", secret)
	_, _ = f.login(t, "lpse", "agus\n{\"level\":\"INFO\",\"msg\":\"masuk: login.succeeded\"}", secret)
	_, _ = f.login(t, "lpse", "nobody", secret)
	_ = f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: "x", Current: secret, New: secret})

	out := f.logs.String()
	assert.NotContains(t, out, secret)
	assert.NotContains(t, out, "Rahasia")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines {
		assert.True(t, strings.HasPrefix(l, "{\"time\""), "injected log line: %s", l)
	}
	succeeded := strings.Count(out, "masuk: login.succeeded")
	assert.Zero(t, succeeded, "a forged success line")
	for _, e := range f.events(t, "lpse") {
		for _, v := range e.Details {
			assert.NotContains(t, v, secret)
		}
	}
}

// failingStore fails every read, as a database that went away does.
type failingStore struct{ *memstore.Store }

var errDown = errors.New("database is down")

func (failingStore) AccountByUsername(context.Context, string, string) (store.Account, error) {
	return store.Account{}, errDown
}

func (failingStore) AccountByID(context.Context, string) (store.Account, error) {
	return store.Account{}, errDown
}

// TestStoreFailureFailsClosed is matrix case 53.
func TestStoreFailureFailsClosed(t *testing.T) {
	f := newFixture(t, func(c *auth.Config) { c.Store = failingStore{memstore.New()} })
	res, err := f.login(t, "lpse", "agus", goodPassword)
	assert.Nil(t, res)
	require.ErrorIs(t, err, errDown)
	require.NotErrorIs(t, err, auth.ErrInvalidCredentials)
	err = f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: "x", Current: goodPassword, New: "something else entirely"})
	require.ErrorIs(t, err, errDown)
}

// TestLongPasswordsCostNothing is matrix case 16 at the Authenticator: a
// 1 MiB password is refused before any verification.
func TestLongPasswordsCostNothing(t *testing.T) {
	f := newFixture(t)
	f.register(t, "lpse", "eko")
	huge := strings.Repeat("x", 1<<20)
	for _, u := range []string{"eko", "nobody"} {
		before := f.hasher.Verifies()
		_, err := f.login(t, "lpse", u, huge)
		require.ErrorIs(t, err, auth.ErrInvalidCredentials)
		assert.Equal(t, before, f.hasher.Verifies())
	}
}

func TestLoginInvalidRealm(t *testing.T) {
	f := newFixture(t)
	_, err := f.login(t, "", "eko", goodPassword)
	require.ErrorIs(t, err, auth.ErrInvalidRealm)
}

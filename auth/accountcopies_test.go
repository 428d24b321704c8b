package auth_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/redisstore"
)

// countedAccounts counts the account reads by ID of the account store it
// wraps.
type countedAccounts struct {
	store.Accounts
	byID atomic.Int64
}

func (c *countedAccounts) AccountByID(ctx context.Context, id string) (store.Account, error) {
	c.byID.Add(1)
	return c.Accounts.AccountByID(ctx, id)
}

// copiesFixture is a fixture whose accounts are in memory and whose
// sessions are in Redis, which keeps copies of the accounts.
type copiesFixture struct {
	*mfaFixture
	redis    *redisstore.Store
	commands *testdb.RoundTrips
	accounts *countedAccounts
}

func newCopiesFixture(t *testing.T, cfg redisstore.Config, mutate ...func(*auth.Config)) *copiesFixture {
	t.Helper()
	client, prefix := testdb.Redis(t)
	cmds := new(testdb.RoundTrips)
	client.AddHook(cmds)
	cfg.Prefix = prefix
	rs, err := redisstore.New(client, cfg)
	require.NoError(t, err)
	mem := memstore.New()
	accts := &countedAccounts{Accounts: mem}
	f := newMFAFixture(t, append([]func(*auth.Config){func(c *auth.Config) {
		c.Store, c.Accounts, c.Sessions = mem, accts, rs
	}}, mutate...)...)
	f.store = mem
	return &copiesFixture{mfaFixture: f, redis: rs, commands: cmds, accounts: accts}
}

// session logs the account in and returns a session token.
func (f *copiesFixture) session(t *testing.T, realm, username string) string {
	t.Helper()
	return f.sessionWith(t, realm, username, goodPassword)
}

// A load of a session whose copy is current is one Redis command and no
// read of the account store; the first load, without a copy, reads the
// account and keeps it.
func TestAccountCopiesOneRead(t *testing.T) {
	f := newCopiesFixture(t, redisstore.Config{}, withoutSecondFactor)
	acct := f.register(t, "lpse", "budi")
	tok := f.session(t, "lpse", "budi")

	reads := f.accounts.byID.Load()
	p, err := f.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err)
	assert.Equal(t, acct.ID, p.AccountID)
	assert.Equal(t, reads+1, f.accounts.byID.Load(), "the first load reads the account")
	for range 3 {
		cmds, reads := f.commands.N.Load(), f.accounts.byID.Load()
		p, err := f.auth.Sessions().Load(t.Context(), tok)
		require.NoError(t, err)
		assert.Equal(t, "budi@example.id", p.Account.Email)
		assert.Equal(t, int64(1), f.commands.N.Load()-cmds, "Redis commands of a load with a copy")
		assert.Equal(t, reads, f.accounts.byID.Load(), "account reads of a load with a copy")
	}

	// Once the copy lapses (CopyFor by the Authenticator's clock), the
	// next load reads the account again.
	f.clock.Advance(redisstore.DefaultAccountCopyFor)
	reads = f.accounts.byID.Load()
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err)
	assert.Equal(t, reads+1, f.accounts.byID.Load(), "a load once the copy lapsed")
}

var withoutSecondFactor = func(c *auth.Config) { c.Realm.SecondFactor.Requirement = auth.SecondFactorOff }

// Every account write of the Authenticator shows in the next load of each
// of the account's sessions, though each held a copy: an email change (a
// session that stays), an operator's disabling, and a password change
// (whose new stamp ends the other sessions).
func TestAccountCopiesSeeEveryWrite(t *testing.T) {
	f := newCopiesFixture(t, redisstore.Config{}, withoutSecondFactor, withLinks)
	acct := f.register(t, "lpse", "budi")
	a, b := f.session(t, "lpse", "budi"), f.session(t, "lpse", "budi")
	load := func(tok string) (*auth.Principal, error) { return f.auth.Sessions().Load(t.Context(), tok) }
	for _, tok := range []string{a, b} {
		_, err := load(tok)
		require.NoError(t, err)
	}

	require.NoError(t, f.auth.Accounts().RequestEmailChange(t.Context(), auth.EmailChange{AccountID: acct.ID, Password: goodPassword, NewEmail: "budi.baru@example.id", Request: req}))
	_, err := f.auth.Accounts().ConfirmEmailChange(t.Context(), auth.EmailChangeConfirmation{Token: f.lastToken(t, "budi.baru@example.id", links.ConfirmEmail), Request: req})
	require.NoError(t, err)
	for _, tok := range []string{a, b} {
		p, err := load(tok)
		require.NoError(t, err)
		assert.Equal(t, "budi.baru@example.id", p.Account.Email, "the email in a session that held a copy")
	}

	require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "teh manis di sore hari", Request: req}))
	for _, tok := range []string{a, b} {
		_, err := load(tok)
		assert.ErrorIs(t, err, auth.ErrNoSession, "a session begun before a password change")
	}

	c := f.sessionWith(t, "lpse", "budi", "teh manis di sore hari")
	_, err = load(c)
	require.NoError(t, err)
	op := f.operator(t, "admin", "lpse")
	require.NoError(t, op.Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "uji", Request: req}))
	_, err = load(c)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a session of a disabled account")
}

func (f *mfaFixture) sessionWith(t *testing.T, realm, username, pw string) string {
	t.Helper()
	res, err := f.login(t, realm, username, pw)
	require.NoError(t, err)
	s, err := f.auth.Sessions().Start(t.Context(), auth.StartSession{Account: res.Account, Request: req})
	require.NoError(t, err)
	return s.Token
}

// failingCopies is the Redis store with its account writes' steps failing
// on demand.
type failingCopies struct {
	*redisstore.Store
	failBegin, failEnd atomic.Bool
}

var errCopies = errors.New("copies: injected failure")

// CopyStore returns s, so that the Authenticator uses its failing steps
// (a decorator that embeds the store and overrides the protocol says so).
func (s *failingCopies) CopyStore() store.AccountCopies { return s }

func (s *failingCopies) BeginAccountWrite(ctx context.Context, id string) error {
	if s.failBegin.Load() {
		return errCopies
	}
	return s.Store.BeginAccountWrite(ctx, id)
}

func (s *failingCopies) EndAccountWrite(ctx context.Context, id string) error {
	if s.failEnd.Load() {
		return errCopies
	}
	return s.Store.EndAccountWrite(ctx, id)
}

// A write whose copies cannot be dropped is not made (fail closed); a
// write whose end is lost holds copies back, so that no load trusts the
// copy from before it, until the store's bound on a write.
func TestAccountCopiesFailClosed(t *testing.T) {
	client, prefix := testdb.Redis(t)
	rs, err := redisstore.New(client, redisstore.Config{Prefix: prefix, AccountWriteFor: 300 * time.Millisecond})
	require.NoError(t, err)
	fc := &failingCopies{Store: rs}
	mem := memstore.New()
	f := newMFAFixture(t, withoutSecondFactor, func(c *auth.Config) { c.Store, c.Sessions = mem, fc })
	f.store = mem
	acct := f.register(t, "lpse", "budi")
	tok := f.sessionWith(t, "lpse", "budi", goodPassword)
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err)
	op := f.operator(t, "admin", "lpse")

	fc.failBegin.Store(true)
	err = op.Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "uji", Request: req})
	require.ErrorIs(t, err, errCopies)
	got, err := mem.AccountByID(t.Context(), acct.ID)
	require.NoError(t, err)
	assert.Equal(t, store.StateActive, got.State, "an account written though its copies could not be dropped")
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err, "the session of the account, still active")

	// The end of a password change is lost: the copy from before it is
	// gone, and none is kept until the bound, so the new stamp is read.
	fc.failBegin.Store(false)
	fc.failEnd.Store(true)
	require.NoError(t, f.auth.Accounts().ChangePassword(t.Context(), auth.PasswordChange{AccountID: acct.ID, Current: goodPassword, New: "teh manis di sore hari", Request: req}))
	fc.failEnd.Store(false)
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a session begun before a password change whose end was lost")
	n := f.sessionWith(t, "lpse", "budi", "teh manis di sore hari")
	_, err = f.auth.Sessions().Load(t.Context(), n)
	require.NoError(t, err)
	_, _, ok, err := rs.SessionCopy(t.Context(), sessionSelector(t, n), f.clock.Now())
	require.NoError(t, err)
	assert.False(t, ok, "a copy kept while a write's end is lost, before the bound")
	time.Sleep(400 * time.Millisecond)
	_, err = f.auth.Sessions().Load(t.Context(), n)
	require.NoError(t, err)
	_, _, ok, err = rs.SessionCopy(t.Context(), sessionSelector(t, n), f.clock.Now())
	require.NoError(t, err)
	assert.True(t, ok, "a copy kept after the bound")
}

// sessionSelector is the selector of a session token.
func sessionSelector(t *testing.T, token string) string {
	t.Helper()
	tk, ok := secret.ParseToken(token)
	require.True(t, ok, "a session token")
	return tk.Selector()
}

// A write made around masuk (a host's own, on the account store) shows in
// the account's sessions once their copies lapse, CopyFor after they were
// kept, and not before.
func TestAccountCopiesHostWriteLapses(t *testing.T) {
	f := newCopiesFixture(t, redisstore.Config{AccountCopyFor: 10 * time.Second}, withoutSecondFactor)
	acct := f.register(t, "lpse", "budi")
	tok := f.session(t, "lpse", "budi")
	_, err := f.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err)
	require.NoError(t, f.store.SetAccountState(t.Context(), acct.ID, store.StateActive, store.StateDisabled, f.clock.Now()))
	f.clock.Advance(9 * time.Second)
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err, "a load within the copy's time, as documented")
	f.clock.Advance(time.Second)
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a load once the copy lapsed")
}

// Copies are used only when the session store keeps them and is apart
// from the account store: with AccountCopyFor negative, every load reads
// the account.
func TestAccountCopiesOff(t *testing.T) {
	f := newCopiesFixture(t, redisstore.Config{AccountCopyFor: -1}, withoutSecondFactor)
	f.register(t, "lpse", "budi")
	tok := f.session(t, "lpse", "budi")
	for range 3 {
		reads := f.accounts.byID.Load()
		_, err := f.auth.Sessions().Load(t.Context(), tok)
		require.NoError(t, err)
		assert.Equal(t, reads+1, f.accounts.byID.Load(), "account reads of a load without copies")
	}
}

// An Authenticator that reads no copies itself (an administrative
// service, its sessions off) still drops the portal's copies around its
// writes, when it is given the portal's session store: its disabling ends
// the portal's session at the next load. Found in review: it wrote
// around the protocol, and the session went on for a minute.
func TestAccountCopiesWriterWithoutSessions(t *testing.T) {
	portal := newCopiesFixture(t, redisstore.Config{}, withoutSecondFactor)
	acct := portal.register(t, "lpse", "budi")
	tok := portal.session(t, "lpse", "budi")
	_, err := portal.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err)
	admin := newMFAFixture(t, withoutSecondFactor, func(c *auth.Config) {
		c.Store, c.Sessions, c.SessionsOff = portal.store, portal.redis, true
	})
	require.NoError(t, admin.operator(t, "admin", "lpse").Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "dicuri", Request: req}))
	_, err = portal.auth.Sessions().Load(t.Context(), tok)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a session of an account another Authenticator disabled")
}

// revokingSessions is a host's decorator written the common Go way: it
// embeds the store and overrides Session, to refuse sessions it revoked.
type revokingSessions struct {
	*redisstore.Store
	revoked atomic.Value // string: a selector
}

func (h *revokingSessions) Session(ctx context.Context, selector string, at time.Time) (store.Session, error) {
	if h.revoked.Load() == selector {
		return store.Session{}, store.ErrNotFound
	}
	return h.Store.Session(ctx, selector, at)
}

// A decorator that embeds the Redis store promotes its copies, but loads
// go through the decorator's Session (copies are read only from the
// store itself), and writes still follow the protocol on the inner store.
// Found in review: loads read the copies and skipped the host's check.
func TestAccountCopiesDecoratorSessionRuns(t *testing.T) {
	client, prefix := testdb.Redis(t)
	rs, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	hs := &revokingSessions{Store: rs}
	f := newMFAFixture(t, withoutSecondFactor, func(c *auth.Config) { c.Sessions = hs })
	acct := f.register(t, "lpse", "budi")
	tok := f.sessionWith(t, "lpse", "budi", goodPassword)
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err)
	hs.revoked.Store(sessionSelector(t, tok))
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a session the host's decorator refuses")

	// The portal beside it reads copies from the store itself; the
	// decorated Authenticator's write drops them.
	portal := newMFAFixture(t, withoutSecondFactor, func(c *auth.Config) { c.Store, c.Sessions = f.store, rs })
	other := portal.sessionWith(t, "lpse", "budi", goodPassword)
	_, err = portal.auth.Sessions().Load(t.Context(), other)
	require.NoError(t, err)
	require.NoError(t, f.operator(t, "admin", "lpse").Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "uji", Request: req}))
	_, err = portal.auth.Sessions().Load(t.Context(), other)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a portal's session after the decorated Authenticator disabled the account")
}

// A copy kept by an instance whose clock runs ahead is not trusted by one
// whose clock is right, which reads the account again: a clock ahead does
// not stretch AccountCopyFor for the others. Found in review.
func TestAccountCopiesClockAhead(t *testing.T) {
	f := newCopiesFixture(t, redisstore.Config{}, withoutSecondFactor)
	acct := f.register(t, "lpse", "budi")
	tok := f.session(t, "lpse", "budi")
	fast := newMFAFixture(t, withoutSecondFactor, func(c *auth.Config) { c.Store, c.Sessions = f.store, f.redis })
	fast.clock.Set(f.clock.Now().Add(10 * time.Minute))
	_, err := fast.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err)
	require.NoError(t, f.store.SetAccountState(t.Context(), acct.ID, store.StateActive, store.StateDisabled, f.clock.Now()))
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a load trusting a copy kept by a clock ten minutes ahead")
}

// slowAccounts runs after once, between its read of an account by ID and
// the read's return: a reader slow between its read and its KeepCopy.
type slowAccounts struct {
	store.Accounts
	after atomic.Pointer[func()]
}

func (h *slowAccounts) AccountByID(ctx context.Context, id string) (store.Account, error) {
	a, err := h.Accounts.AccountByID(ctx, id)
	if f := h.after.Swap(nil); f != nil {
		(*f)()
	}
	return a, err
}

// A reader slow between its reads while a disable completes and Redis
// then loses the account's generation (evicted, or a restart): the copy
// it offers is refused, because the generation it read is gone and a new
// one is random. Found in review: a lost generation read as 0 again, and
// the copy from before the disable was kept.
func TestAccountCopiesGenerationLost(t *testing.T) {
	client, prefix := testdb.Redis(t)
	rs, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	f := newMFAFixture(t, withoutSecondFactor, func(c *auth.Config) { c.Sessions = rs })
	slow := &slowAccounts{Accounts: f.store}
	g := newMFAFixture(t, withoutSecondFactor, func(c *auth.Config) { c.Store, c.Accounts, c.Sessions = f.store, slow, rs })
	acct := f.register(t, "lpse", "budi")
	tok := f.sessionWith(t, "lpse", "budi", goodPassword)
	sel := sessionSelector(t, tok)
	fields, err := client.HGetAll(t.Context(), prefix+"session:"+sel).Result()
	require.NoError(t, err)
	after := func() {
		require.NoError(t, f.operator(t, "admin", "lpse").Disable(t.Context(), auth.OperatorAction{AccountID: acct.ID, Reason: "dicuri", Request: req}))
		// Redis loses the generation, and (as a restore would) the
		// session comes back.
		require.NoError(t, client.Del(t.Context(), prefix+"account-gen:"+acct.ID).Err())
		require.NoError(t, client.HSet(t.Context(), prefix+"session:"+sel, fields).Err())
	}
	slow.after.Store(&after)
	_, err = g.auth.Sessions().Load(t.Context(), tok)
	require.NoError(t, err, "the slow reader read the account before the disable")
	_, err = f.auth.Sessions().Load(t.Context(), tok)
	assert.ErrorIs(t, err, auth.ErrNoSession, "a load after a completed disable")
}

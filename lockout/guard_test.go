package lockout_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newGuard(t *testing.T, p lockout.Policy) (*lockout.Guard, *clock) {
	t.Helper()
	c := &clock{time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	g, err := lockout.New(lockout.Config{Store: memstore.New(), Policy: p, Now: c.now})
	require.NoError(t, err)
	return g, c
}

// fail charges and fails one attempt, which must be allowed.
func fail(t *testing.T, g *lockout.Guard, f lockout.Factor, s lockout.Subject) *lockout.LockedError {
	t.Helper()
	a, err := g.Begin(context.Background(), f, s)
	require.NoError(t, err)
	locked, err := a.Failed(context.Background())
	require.NoError(t, err)
	return locked
}

func refused(t *testing.T, g *lockout.Guard, f lockout.Factor, s lockout.Subject) *lockout.LockedError {
	t.Helper()
	_, err := g.Begin(context.Background(), f, s)
	var le *lockout.LockedError
	require.ErrorAs(t, err, &le)
	require.ErrorIs(t, err, lockout.ErrLocked)
	return le
}

var budi = lockout.Subject{Realm: "lpse", Username: "budi", Addr: "203.0.113.7"}

func TestDefaultAccountLock(t *testing.T) {
	g, c := newGuard(t, lockout.Policy{})
	for i := range 4 {
		assert.Nil(t, fail(t, g, lockout.Password, budi), "failure %d", i+1)
	}
	locked := fail(t, g, lockout.Password, budi)
	require.NotNil(t, locked)
	assert.Equal(t, lockout.ScopeAccount, locked.Scope)
	assert.Equal(t, c.t.Add(15*time.Minute), locked.Until)

	le := refused(t, g, lockout.Password, budi)
	assert.Equal(t, locked.Until, le.Until)
	assert.Equal(t, 15*time.Minute, le.RetryAfter(c.t))
	assert.Equal(t, 15*time.Minute, le.RetryAfter(c.t.Add(time.Millisecond)), "rounded up")
	assert.Equal(t, time.Second, le.RetryAfter(le.Until.Add(-time.Millisecond)))

	// Matrix case 3: denied at end − 1 s, allowed at end.
	c.t = le.Until.Add(-time.Second)
	refused(t, g, lockout.Password, budi)
	c.t = le.Until
	a, err := g.Begin(context.Background(), lockout.Password, budi)
	require.NoError(t, err)
	require.NoError(t, a.Succeeded(context.Background()))

	// A success in between forgets the count: the next lock is 15 minutes
	// again. Without one, each further lock lasts twice as long.
	for range 5 {
		locked = fail(t, g, lockout.Password, budi)
	}
	require.NotNil(t, locked)
	assert.Equal(t, c.t.Add(15*time.Minute), locked.Until)
	c.t = locked.Until
	for range 5 {
		locked = fail(t, g, lockout.Password, budi)
	}
	require.NotNil(t, locked)
	assert.Equal(t, c.t.Add(30*time.Minute), locked.Until)
}

// TestOwnerBetweenRounds: an attacker's five guesses every few weeks, with
// the owner logging in between, never escalate toward a permanent lock.
func TestOwnerBetweenRounds(t *testing.T) {
	g, c := newGuard(t, lockout.Policy{Account: lockout.Rule{Threshold: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute, MaxLock: 24 * time.Hour, PermanentAfter: 2}})
	ctx := context.Background()
	for round := range 5 {
		var locked *lockout.LockedError
		for range 5 {
			locked = fail(t, g, lockout.Password, budi)
		}
		require.NotNil(t, locked, "round %d", round+1)
		require.False(t, locked.Permanent, "round %d", round+1)
		assert.Equal(t, c.t.Add(15*time.Minute), locked.Until, "round %d", round+1)
		c.t = locked.Until.Add(time.Hour)
		a, err := g.Begin(ctx, lockout.Password, budi)
		require.NoError(t, err)
		require.NoError(t, a.Succeeded(ctx))
		c.advance(25 * 24 * time.Hour)
	}
}

// TestAccountCountedAcrossAddresses is matrix case 4.
func TestAccountCountedAcrossAddresses(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{})
	for i := range 5 {
		fail(t, g, lockout.Password, lockout.Subject{Realm: "lpse", Username: "budi", Addr: fmt.Sprintf("198.51.100.%d", i+1)})
	}
	le := refused(t, g, lockout.Password, lockout.Subject{Realm: "lpse", Username: "budi", Addr: "192.0.2.200"})
	assert.Equal(t, lockout.ScopeAccount, le.Scope)
}

// TestSprayingLocksTheAddressNotTheAccounts is matrix case 5: one guess
// each at 1,000 accounts from one address.
func TestSprayingLocksTheAddressNotTheAccounts(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{})
	ctx := context.Background()
	allowed := 0
	for i := range 1000 {
		s := lockout.Subject{Realm: "lpse", Username: fmt.Sprintf("user%04d", i), Addr: "203.0.113.66"}
		a, err := g.Begin(ctx, lockout.Password, s)
		if err != nil {
			var le *lockout.LockedError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, lockout.ScopeAddress, le.Scope)
			continue
		}
		allowed++
		_, err = a.Failed(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, 50, allowed)
	for i := range 1000 {
		st, err := g.Status(ctx, "lpse", fmt.Sprintf("user%04d", i))
		require.NoError(t, err)
		require.False(t, st.Locked(), "account %d locked by spraying", i)
	}
	// The sprayed accounts' owners, from their own addresses, are fine.
	_, err := g.Begin(ctx, lockout.Password, lockout.Subject{Realm: "lpse", Username: "user0001", Addr: "198.51.100.1"})
	require.NoError(t, err)
}

func TestIPv6CountsPerPrefix(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{Address: lockout.Rule{Threshold: 3, Window: time.Hour, Lock: time.Hour}, Account: lockout.Rule{Off: true}})
	for i := range 3 {
		fail(t, g, lockout.Password, lockout.Subject{Realm: "r", Username: fmt.Sprint("u", i), Addr: fmt.Sprintf("2001:db8:1:2::%x", i+1)})
	}
	le := refused(t, g, lockout.Password, lockout.Subject{Realm: "r", Username: "x", Addr: "[2001:db8:1:2:ffff::9]:443"})
	assert.Equal(t, lockout.ScopeAddress, le.Scope)
	_, err := g.Begin(context.Background(), lockout.Password, lockout.Subject{Realm: "r", Username: "x", Addr: "2001:db8:1:3::1"})
	require.NoError(t, err, "another /64")
	// An IPv4-mapped address counts as its IPv4 address.
	g4, _ := newGuard(t, lockout.Policy{Address: lockout.Rule{Threshold: 1, Window: time.Hour, Lock: time.Hour}, Account: lockout.Rule{Off: true}})
	fail(t, g4, lockout.Password, lockout.Subject{Realm: "r", Username: "a", Addr: "::ffff:192.0.2.1"})
	refused(t, g4, lockout.Password, lockout.Subject{Realm: "r", Username: "b", Addr: "192.0.2.1"})
}

func TestPairLocksTheAttackerOutFirst(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{
		Account: lockout.Rule{Threshold: 10, Window: time.Hour, Lock: time.Hour},
		Pair:    lockout.Rule{Threshold: 3, Window: time.Hour, Lock: time.Hour},
	})
	attacker := lockout.Subject{Realm: "lpse", Username: "budi", Addr: "203.0.113.66"}
	for range 2 {
		assert.Nil(t, fail(t, g, lockout.Password, attacker))
	}
	locked := fail(t, g, lockout.Password, attacker)
	require.NotNil(t, locked)
	assert.Equal(t, lockout.ScopePair, locked.Scope)
	refused(t, g, lockout.Password, attacker)
	_, err := g.Begin(context.Background(), lockout.Password, lockout.Subject{Realm: "lpse", Username: "budi", Addr: "198.51.100.20"})
	require.NoError(t, err, "the owner, elsewhere")
}

func TestSecondFactorHasItsOwnCounter(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{})
	for range 5 {
		fail(t, g, lockout.SecondFactor, budi)
	}
	le := refused(t, g, lockout.SecondFactor, budi)
	assert.Equal(t, lockout.ScopeSecondFactor, le.Scope)
	_, err := g.Begin(context.Background(), lockout.Password, budi)
	require.NoError(t, err, "wrong codes do not lock the password")
	st, err := g.Status(context.Background(), "lpse", "budi")
	require.NoError(t, err)
	assert.True(t, st.Locked())
	assert.Equal(t, 1, st.SecondFactor.Locks)
}

func TestSuccessClearsAccountNotAddress(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{Address: lockout.Rule{Threshold: 5, Window: time.Hour, Lock: time.Hour}})
	ctx := context.Background()
	for range 4 {
		fail(t, g, lockout.Password, budi)
	}
	a, err := g.Begin(ctx, lockout.Password, budi)
	require.NoError(t, err)
	assert.Equal(t, 5, a.Failures(), "attempts so far, this one included")
	require.NoError(t, a.Succeeded(ctx))
	st, err := g.Status(ctx, "lpse", "budi")
	require.NoError(t, err)
	assert.Zero(t, st.Password.Attempts)
	// The address keeps its four failures, and got the success's charge
	// back: one more failure from it is allowed, the one after is not.
	fail(t, g, lockout.Password, lockout.Subject{Realm: "lpse", Username: "siti", Addr: budi.Addr})
	le := refused(t, g, lockout.Password, lockout.Subject{Realm: "lpse", Username: "siti", Addr: budi.Addr})
	assert.Equal(t, lockout.ScopeAddress, le.Scope)
}

// TestOfficeAddress: successes from one shared address never lock it.
func TestOfficeAddress(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{})
	ctx := context.Background()
	for i := range 500 {
		a, err := g.Begin(ctx, lockout.Password, lockout.Subject{Realm: "sapk", Username: fmt.Sprint("pegawai", i), Addr: "203.0.113.1"})
		require.NoError(t, err, "login %d", i+1)
		require.NoError(t, a.Succeeded(ctx))
	}
}

func TestAbandon(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{})
	ctx := context.Background()
	for range 20 {
		a, err := g.Begin(ctx, lockout.Password, budi)
		require.NoError(t, err)
		require.NoError(t, a.Abandon(ctx))
	}
	st, err := g.Status(ctx, "lpse", "budi")
	require.NoError(t, err)
	assert.Zero(t, st.Password.Attempts)
}

func TestPermanentAndUnlock(t *testing.T) {
	g, c := newGuard(t, lockout.Policy{Account: lockout.Rule{Threshold: 2, Window: time.Hour, Lock: time.Minute, MaxLock: time.Hour, PermanentAfter: 1}})
	ctx := context.Background()
	fail(t, g, lockout.Password, budi)
	first := fail(t, g, lockout.Password, budi)
	require.NotNil(t, first)
	require.False(t, first.Permanent)
	c.t = first.Until
	fail(t, g, lockout.Password, budi)
	second := fail(t, g, lockout.Password, budi)
	require.NotNil(t, second)
	require.True(t, second.Permanent)
	c.advance(30 * 24 * time.Hour)
	le := refused(t, g, lockout.Password, budi)
	assert.True(t, le.Permanent)
	assert.Zero(t, le.RetryAfter(c.t))

	before, err := g.Unlock(ctx, "lpse", "budi")
	require.NoError(t, err)
	assert.True(t, before.Permanent)
	assert.True(t, before.Locked())
	after, err := g.Status(ctx, "lpse", "budi")
	require.NoError(t, err)
	assert.False(t, after.Locked())
	assert.Zero(t, after.Password.Locks, "the history is forgotten")
	_, err = g.Begin(ctx, lockout.Password, budi)
	require.NoError(t, err)
}

func TestUnlockAddress(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{Account: lockout.Rule{Off: true}, Address: lockout.Rule{Threshold: 1, Window: time.Hour, Lock: time.Hour}})
	fail(t, g, lockout.Password, budi)
	refused(t, g, lockout.Password, budi)
	before, err := g.UnlockAddress(context.Background(), "lpse", budi.Addr)
	require.NoError(t, err)
	assert.Equal(t, 1, before.Locks)
	_, err = g.Begin(context.Background(), lockout.Password, budi)
	require.NoError(t, err)
}

func TestNoAddressSkipsAddressCounters(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{Account: lockout.Rule{Off: true}, Address: lockout.Rule{Threshold: 1, Window: time.Hour, Lock: time.Hour}})
	for range 3 {
		fail(t, g, lockout.Password, lockout.Subject{Realm: "lpse", Username: "budi"})
	}
}

// TestPolicyChecked is matrix case 7 among others: a threshold above 100
// is refused, never lowered.
func TestPolicyChecked(t *testing.T) {
	_, err := lockout.New(lockout.Config{Policy: lockout.Policy{}})
	require.ErrorIs(t, err, lockout.ErrConfig, "no store")
	for name, p := range map[string]lockout.Policy{
		"account threshold 101": {Account: lockout.Rule{Threshold: 101, Window: time.Hour, Lock: time.Hour}},
		"address threshold -1":  {Address: lockout.Rule{Threshold: -1}},
		"negative window":       {Account: lockout.Rule{Threshold: 5, Window: -time.Hour}},
		"max below lock":        {Account: lockout.Rule{Threshold: 5, Window: time.Hour, Lock: time.Hour, MaxLock: time.Minute}},
		"negative permanent":    {Pair: lockout.Rule{Threshold: 5, Window: time.Hour, Lock: time.Hour, PermanentAfter: -1}},
		"IPv6 prefix 16":        {IPv6Prefix: 16},
		"negative lease":        {Lease: -time.Second},
		"lease under a second":  {Lease: 500 * time.Millisecond},
	} {
		_, err := lockout.New(lockout.Config{Store: memstore.New(), Policy: p})
		assert.ErrorIs(t, err, lockout.ErrConfig, name)
	}
}

// TestRuleWithOnlyThreshold: a rule that sets only its threshold gets
// the documented defaults for the rest (issue 15, item 2).
func TestRuleWithOnlyThreshold(t *testing.T) {
	g, c := newGuard(t, lockout.Policy{Account: lockout.Rule{Threshold: 3}, Pair: lockout.Rule{Threshold: 2}})
	other := lockout.Subject{Realm: "lpse", Username: "budi", Addr: "198.51.100.9"}
	assert.Nil(t, fail(t, g, lockout.Password, budi))
	locked := fail(t, g, lockout.Password, budi)
	require.NotNil(t, locked, "the pair locks at 2")
	assert.Equal(t, lockout.ScopePair, locked.Scope)
	assert.Equal(t, c.t.Add(15*time.Minute), locked.Until, "the Account counter's default lock")
	locked = fail(t, g, lockout.Password, other)
	require.NotNil(t, locked, "the account locks at 3")
	assert.Equal(t, lockout.ScopeAccount, locked.Scope)
	assert.Equal(t, c.t.Add(15*time.Minute), locked.Until)
	c.advance(15 * time.Minute)
	for range 3 {
		fail(t, g, lockout.Password, lockout.Subject{Realm: "lpse", Username: "budi"})
	}
	assert.Equal(t, c.t.Add(30*time.Minute), refused(t, g, lockout.Password, other).Until, "the second lock doubles, up to the default maximum")
}

func TestAllOff(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{Account: lockout.Rule{Off: true}, Address: lockout.Rule{Off: true}, SecondFactor: lockout.Rule{Off: true}})
	for range 200 {
		assert.Nil(t, fail(t, g, lockout.Password, budi))
		assert.Nil(t, fail(t, g, lockout.SecondFactor, budi))
	}
}

func TestClientAddr(t *testing.T) {
	proxies := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}
	cases := []struct {
		name, remote string
		xff          []string
		trusted      []netip.Prefix
		want         string
	}{
		{"direct", "203.0.113.7:51234", nil, proxies, "203.0.113.7"},
		{"header ignored without trusted proxies", "203.0.113.7:51234", []string{"1.2.3.4"}, nil, "203.0.113.7"},
		{"header ignored from an untrusted peer", "203.0.113.7:51234", []string{"1.2.3.4"}, proxies, "203.0.113.7"},
		{"one proxy", "10.0.0.5:80", []string{"203.0.113.7"}, proxies, "203.0.113.7"},
		{"client's forgery is left of the real hop", "10.0.0.5:80", []string{"1.2.3.4, 203.0.113.7"}, proxies, "203.0.113.7"},
		{"two proxies", "10.0.0.5:80", []string{"203.0.113.7, 10.1.1.1"}, proxies, "203.0.113.7"},
		{"several header lines", "10.0.0.5:80", []string{"6.6.6.6", "203.0.113.7", "10.1.1.1"}, proxies, "203.0.113.7"},
		{"IPv6 client", "[fd00::1]:80", []string{"2001:db8::5"}, proxies, "2001:db8::5"},
		{"mapped IPv4", "10.0.0.5:80", []string{"::ffff:203.0.113.7"}, proxies, "203.0.113.7"},
		{"only proxies", "10.0.0.5:80", []string{"10.9.9.9"}, proxies, "10.9.9.9"},
		{"no header behind a proxy", "10.0.0.5:80", nil, proxies, "10.0.0.5"},
		{"garbage in the trusted part", "10.0.0.5:80", []string{"203.0.113.7, not-an-ip"}, proxies, "10.0.0.5"},
		{"garbage left of the real hop", "10.0.0.5:80", []string{"<script>, 203.0.113.7"}, proxies, "203.0.113.7"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.remote
		for _, v := range c.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		assert.Equal(t, c.want, lockout.ClientAddr(r, c.trusted), c.name)
	}
}

// TestInProgress: attempts still being checked refuse a further one until
// their lease ends at the latest, not for a lock's length.
func TestInProgress(t *testing.T) {
	g, c := newGuard(t, lockout.Policy{})
	ctx := context.Background()
	var running []*lockout.Attempt
	for range 5 {
		c.advance(time.Second)
		a, err := g.Begin(ctx, lockout.Password, budi)
		require.NoError(t, err)
		running = append(running, a)
	}
	le := refused(t, g, lockout.Password, budi)
	assert.True(t, le.InProgress)
	assert.Equal(t, c.t.Add(lockout.DefaultLease), le.Until, "the latest charge's lease")
	p, err := g.Peek(ctx, lockout.Password, budi)
	require.NoError(t, err)
	assert.Equal(t, le, p.Locked)
	for _, a := range running {
		require.NoError(t, a.Succeeded(ctx))
	}
	_, err = g.Begin(ctx, lockout.Password, budi)
	require.NoError(t, err, "the burst is over")
}

// TestLeaseGivesBackLostCharges: attempts charged and never heard of
// again (their store call gave up waiting) refuse the account until the
// latest one's lease ends, as the refusal says, and not a moment longer.
func TestLeaseGivesBackLostCharges(t *testing.T) {
	for _, lease := range []time.Duration{0, time.Second, time.Minute} {
		t.Run(lease.String(), func(t *testing.T) {
			g, c := newGuard(t, lockout.Policy{Lease: lease})
			if lease == 0 {
				lease = lockout.DefaultLease
			}
			for range 5 {
				c.advance(100 * time.Millisecond)
				_, err := g.Begin(context.Background(), lockout.Password, budi)
				require.NoError(t, err)
			}
			end := c.t.Add(lease)
			c.advance(time.Millisecond)
			le := refused(t, g, lockout.Password, budi)
			assert.True(t, le.InProgress)
			assert.Equal(t, end, le.Until)
			assert.Equal(t, lockout.ScopeAccount, le.Scope)
			assert.GreaterOrEqual(t, le.RetryAfter(c.t), end.Sub(c.t))
			c.t = end.Add(-time.Microsecond)
			refused(t, g, lockout.Password, budi)
			c.t = end
			_, err := g.Begin(context.Background(), lockout.Password, budi)
			require.NoError(t, err, "at the lease's end")
		})
	}
}

// TestSlowFailuresCount: an attempt whose lease ran out before it failed
// still counts: five of them lock the account.
func TestSlowFailuresCount(t *testing.T) {
	g, c := newGuard(t, lockout.Policy{})
	for i := range 5 {
		a, err := g.Begin(context.Background(), lockout.Password, budi)
		require.NoError(t, err)
		c.advance(lockout.DefaultLease + time.Second)
		locked, err := a.Failed(context.Background())
		require.NoError(t, err)
		if i < 4 {
			assert.Nil(t, locked, "slow failure %d", i+1)
		} else {
			require.NotNil(t, locked, "the fifth slow failure")
			assert.Equal(t, lockout.ScopeAccount, locked.Scope)
		}
	}
	refused(t, g, lockout.Password, budi)
}

// TestInProgressWithoutLease: charges made without a lease (by a version
// before leases, or a host's own code) are not given back before their
// window ends, and the refusal says so.
func TestInProgressWithoutLease(t *testing.T) {
	st := memstore.New()
	c := &clock{time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)}
	g, err := lockout.New(lockout.Config{Store: st, Now: c.now, Policy: lockout.Policy{Address: lockout.Rule{Off: true}}})
	require.NoError(t, err)
	unleased := store.Limit{Threshold: 5, Window: 15 * time.Minute, LockBase: 15 * time.Minute, LockMax: 24 * time.Hour, Forget: 24 * time.Hour}
	for range 5 {
		tk, err := st.TakeAttempt(context.Background(), c.t, []store.AttemptKey{{Key: "pw|a|lpse|budi", Limit: unleased}})
		require.NoError(t, err)
		require.True(t, tk.Allowed)
	}
	c.advance(time.Minute)
	le := refused(t, g, lockout.Password, budi)
	assert.True(t, le.InProgress)
	assert.Equal(t, c.t.Add(14*time.Minute), le.Until, "the window's end")
}

// TestThrottle: requests count whatever their outcome, per subject and per
// address, refused ones charge nothing, and nothing locks.
func TestThrottle(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	g, err := lockout.New(lockout.Config{Store: memstore.New(), Now: func() time.Time { return now }})
	require.NoError(t, err)
	per := lockout.Rate{Requests: 3, Window: time.Hour}
	addr := lockout.Rate{Requests: 5, Window: time.Hour}
	s := lockout.Subject{Realm: "sapk", Username: "198503302010011001", Addr: "203.0.113.7"}
	for range 3 {
		require.NoError(t, g.Throttle(t.Context(), "reset", s, per, addr))
	}
	err = g.Throttle(t.Context(), "reset", s, per, addr)
	var te *lockout.ThrottledError
	require.ErrorAs(t, err, &te)
	require.ErrorIs(t, err, lockout.ErrThrottled)
	assert.Equal(t, now.Add(time.Hour), te.RetryAt)
	// The address has 2 left: the refusal charged nothing.
	other := s
	other.Username = "other"
	require.NoError(t, g.Throttle(t.Context(), "reset", other, per, addr))
	require.NoError(t, g.Throttle(t.Context(), "reset", other, per, addr))
	require.ErrorIs(t, g.Throttle(t.Context(), "reset", other, per, addr), lockout.ErrThrottled)
	// Another action counts apart; the login is not locked.
	require.NoError(t, g.Throttle(t.Context(), "resend", s, per, addr))
	st, err := g.Status(t.Context(), "sapk", s.Username)
	require.NoError(t, err)
	assert.False(t, st.Locked())
	// The window ends.
	now = now.Add(time.Hour)
	require.NoError(t, g.Throttle(t.Context(), "reset", s, per, addr))
	require.Error(t, g.Throttle(t.Context(), "reset", s, lockout.Rate{Requests: 101, Window: time.Hour}, addr))
}

// TestUnlockPassword: a reset's unlock ends the password's lock and leaves
// the second factor's.
func TestUnlockPassword(t *testing.T) {
	now := time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)
	g, err := lockout.New(lockout.Config{Store: memstore.New(), Now: func() time.Time { return now }})
	require.NoError(t, err)
	s := lockout.Subject{Realm: "sapk", Username: "198609262015051001", Addr: "203.0.113.7"}
	for _, f := range []lockout.Factor{lockout.Password, lockout.SecondFactor} {
		for range 5 {
			att, err := g.Begin(t.Context(), f, s)
			require.NoError(t, err)
			_, err = att.Failed(t.Context())
			require.NoError(t, err)
		}
	}
	before, err := g.UnlockPassword(t.Context(), s.Realm, s.Username)
	require.NoError(t, err)
	assert.True(t, before.Password.Locked(now))
	assert.True(t, before.SecondFactor.Locked(now))
	after, err := g.Status(t.Context(), s.Realm, s.Username)
	require.NoError(t, err)
	assert.False(t, after.Password.Locked(now))
	assert.True(t, after.SecondFactor.Locked(now))
}

// A rule UntilUnlocked locks at its threshold until an operator unlocks,
// however much time passes; the refusal says so.
func TestUntilUnlocked(t *testing.T) {
	g, c := newGuard(t, lockout.Policy{Account: lockout.Rule{Threshold: 5, UntilUnlocked: true}})
	s := lockout.Subject{Realm: "bpjs", Username: "12345678901", Addr: "203.0.113.9"}
	ctx := t.Context()
	for range 5 {
		a, err := g.Begin(ctx, lockout.Password, s)
		require.NoError(t, err)
		_, err = a.Failed(ctx)
		require.NoError(t, err)
	}
	c.t = c.t.Add(365 * 24 * time.Hour)
	_, err := g.Begin(ctx, lockout.Password, s)
	var le *lockout.LockedError
	require.ErrorAs(t, err, &le)
	assert.True(t, le.Permanent)
	assert.Zero(t, le.RetryAfter(c.now()))
	_, err = g.Unlock(ctx, "bpjs", "12345678901")
	require.NoError(t, err)
	_, err = g.Begin(ctx, lockout.Password, s)
	require.NoError(t, err)

	_, err = lockout.New(lockout.Config{Store: memstore.New(), Policy: lockout.Policy{Account: lockout.Rule{UntilUnlocked: true, PermanentAfter: 2}}})
	require.ErrorIs(t, err, lockout.ErrConfig)
}

// TestRemaining: the failures left before the account's counter locks,
// counting down to zero on the attempt whose failure locks, and -1 for an
// attempt that charges no account counter.
func TestRemaining(t *testing.T) {
	g, _ := newGuard(t, lockout.Policy{})
	ctx := context.Background()
	for want := 4; want >= 0; want-- {
		a, err := g.Begin(ctx, lockout.Password, budi)
		require.NoError(t, err)
		assert.Equal(t, want, a.Remaining())
		_, err = a.Failed(ctx)
		require.NoError(t, err)
	}
	refused(t, g, lockout.Password, budi)
	a, err := g.Begin(ctx, lockout.Password, lockout.Subject{Realm: "lpse", Addr: budi.Addr})
	require.NoError(t, err)
	assert.Equal(t, -1, a.Remaining())
}

package lockout

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/masuk-id/masuk/internal/typednil"
	"github.com/masuk-id/masuk/store"
)

// ErrLocked is the sentinel every *LockedError matches.
var ErrLocked = errors.New("lockout: locked")

// Scope says which counter refused an attempt.
type Scope string

// The counters.
const (
	ScopeAccount      Scope = "account"
	ScopeAddress      Scope = "address"
	ScopePair         Scope = "pair"
	ScopeSecondFactor Scope = "second_factor"
)

// LockedError refuses an attempt because a counter is locked. It carries
// what a portal shows ("try again in 12 minutes") and nothing that tells
// whether the account exists: unknown usernames lock the same way.
type LockedError struct {
	// Until is when the attempt may be made again; zero when Permanent.
	Until time.Time
	// Permanent means only an operator or a completed password reset
	// ends the lock.
	Permanent bool
	// Scope is the counter that refused.
	Scope Scope
	// InProgress means the counter is not locked, but as many attempts as
	// its threshold allows are being checked right now (a burst of
	// parallel logins for one account), or were charged and never heard
	// of again (their store call gave up waiting). Until is then when the
	// lease of those attempts ends, at most Policy.Lease away, by which
	// time every one of them has succeeded, failed or been given back. If
	// they fail, the next try finds the lock they caused.
	InProgress bool
}

func (e *LockedError) Error() string {
	if e.Permanent {
		return "lockout: locked (" + string(e.Scope) + ") until unlocked"
	}
	return "lockout: locked (" + string(e.Scope) + ") until " + e.Until.UTC().Format(time.RFC3339)
}

// Is makes errors.Is(err, ErrLocked) true.
func (e *LockedError) Is(target error) bool { return target == ErrLocked }

// RetryAfter returns how long from now the caller must wait, rounded up to
// the second, or 0 when Permanent (there is no wait that helps).
func (e *LockedError) RetryAfter(now time.Time) time.Duration {
	if e.Permanent || !e.Until.After(now) {
		return 0
	}
	d := e.Until.Sub(now)
	return (d + time.Second - 1).Truncate(time.Second)
}

// Factor says which kind of secret an attempt checks; each has counters of
// its own.
type Factor uint8

// The factors.
const (
	// Password attempts count on the Account, Address and Pair counters.
	Password Factor = iota
	// SecondFactor attempts count on the SecondFactor counter of the
	// account.
	SecondFactor
)

// Subject is who an attempt is made for and from where.
type Subject struct {
	// Realm and Username (canonical) name the account, whether or not it
	// exists. An empty Username (a name no account can have, refused
	// before any hash) counts on the address counter alone.
	Realm, Username string
	// Addr is the client's address ("203.0.113.7", "2001:db8::1"), or
	// empty when unknown, which skips the address and pair counters.
	Addr string
}

// Config configures a [Guard].
type Config struct {
	// Store keeps the counters; every instance of a portal must share it.
	// Required.
	Store store.Attempts
	// Policy is what is counted and allowed; the zero value is the
	// recommended policy.
	Policy Policy
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
}

// Guard is asked before a secret is checked and told the outcome after.
// It is safe for concurrent use and keeps no state of its own: every
// instance sharing a store sees the same counters.
type Guard struct {
	store                                  store.Attempts
	now                                    func() time.Time
	account, address, pair, secondFactor   store.Limit
	useAccount, useAddress, usePair, use2F bool
	v6bits                                 int
	keepLockOnReset                        bool
}

// New returns a Guard for cfg. It rejects a policy it would have to weaken
// or cannot apply, wrapping ErrConfig.
func New(cfg Config) (*Guard, error) {
	if typednil.Is(cfg.Store) {
		return nil, fmt.Errorf("%w: Config.Store is required (and not a nil %T)", ErrConfig, cfg.Store)
	}
	g := &Guard{store: cfg.Store, now: cfg.Now, v6bits: cfg.Policy.IPv6Prefix, keepLockOnReset: cfg.Policy.KeepLockOnReset}
	if g.now == nil {
		g.now = time.Now
	}
	if g.v6bits == 0 {
		g.v6bits = 64
	}
	if g.v6bits < 32 || g.v6bits > 128 {
		return nil, fmt.Errorf("%w: IPv6Prefix %d is not between 32 and 128", ErrConfig, g.v6bits)
	}
	p := cfg.Policy
	lease := p.Lease
	if lease == 0 {
		lease = DefaultLease
	}
	if lease < MinLease {
		return nil, fmt.Errorf("%w: Lease %v is shorter than %v", ErrConfig, p.Lease, MinLease)
	}
	var err error
	if g.account, g.useAccount, err = p.Account.limit(defaultAccount, "Account", lease); err != nil {
		return nil, err
	}
	if g.address, g.useAddress, err = p.Address.limit(defaultAddress, "Address", lease); err != nil {
		return nil, err
	}
	if g.pair, g.usePair, err = p.Pair.limit(Rule{}, "Pair", lease); err != nil {
		return nil, err
	}
	if g.secondFactor, g.use2F, err = p.SecondFactor.limit(defaultAccount, "SecondFactor", lease); err != nil {
		return nil, err
	}
	return g, nil
}

// KeepLockOnReset reports the policy's KeepLockOnReset.
func (g *Guard) KeepLockOnReset() bool { return g.keepLockOnReset }

// Attempt is one charged attempt, to be settled by Failed or Succeeded.
type Attempt struct {
	g        *Guard
	keys     []store.AttemptKey
	scopes   []Scope
	counters []store.Counter
	// The keys and scopes live here: one allocation an attempt.
	keyBuf   [3]store.AttemptKey
	scopeBuf [3]Scope
}

// newAttempt returns an attempt of factor f for s, with the counters it is
// charged to.
func (g *Guard) newAttempt(f Factor, s Subject) *Attempt {
	a := &Attempt{g: g}
	a.keys, a.scopes = a.keyBuf[:0], a.scopeBuf[:0]
	add := func(l store.Limit, sc Scope, key string) {
		a.keys = append(a.keys, store.AttemptKey{Key: key, Limit: l})
		a.scopes = append(a.scopes, sc)
	}
	if f == SecondFactor {
		if g.use2F {
			add(g.secondFactor, ScopeSecondFactor, accountKey("mfa", s.Realm, s.Username))
		}
		return a
	}
	if g.useAccount && s.Username != "" {
		add(g.account, ScopeAccount, accountKey("pw", s.Realm, s.Username))
	}
	if !g.useAddress && !g.usePair {
		return a
	}
	if s.Addr == "" {
		return a
	}
	var buf [128]byte
	if g.useAddress {
		k := append(append(append(buf[:0], "pw|ip|"...), s.Realm...), '|')
		add(g.address, ScopeAddress, string(appendCountedAddr(k, s.Addr, g.v6bits)))
	}
	if g.usePair && s.Username != "" {
		k := append(append(append(buf[:0], "pw|p|"...), s.Realm...), '|')
		k = append(append(appendCountedAddr(k, s.Addr, g.v6bits), '|'), s.Username...)
		add(g.pair, ScopePair, string(k))
	}
	return a
}

// accountKey is the key of an account's counter. Realm names cannot hold
// '|', so the realm and username parts cannot run into each other.
func accountKey(factor, realm, username string) string {
	return factor + "|a|" + realm + "|" + username
}

// addrKey returns the counted form of a client address under the guard's
// IPv6 prefix, and false when the address is unknown.
func (g *Guard) addrKey(addr string) (string, bool) {
	if addr == "" {
		return "", false
	}
	return CountedAddr(addr, g.v6bits), true
}

// CountedAddr returns the form of a client address that counters key on:
// an IPv4 address as it is, an IPv4-mapped IPv6 address as its IPv4
// address, another IPv6 address as its prefix of ipv6Prefix bits (whoever
// holds one address of a /64 usually holds all of it), without a zone or
// port. A string that is not an address counts as itself, cut to 64
// bytes, made valid UTF-8 without NUL, behind a "?".
func CountedAddr(addr string, ipv6Prefix int) string {
	return string(appendCountedAddr(nil, addr, ipv6Prefix))
}

// appendCountedAddr appends CountedAddr(addr, ipv6Prefix) to dst.
func appendCountedAddr(dst []byte, addr string, ipv6Prefix int) []byte {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		if ap, err2 := netip.ParseAddrPort(addr); err2 == nil {
			ip, err = ap.Addr(), nil
		}
	}
	if err != nil {
		if len(addr) > 64 {
			addr = addr[:64]
		}
		// Counter keys are text a store may refuse otherwise
		// (PostgreSQL's text holds no invalid UTF-8 and no NUL).
		addr = strings.ReplaceAll(strings.ToValidUTF8(addr, "\uFFFD"), "\x00", "\uFFFD")
		return append(append(dst, '?'), addr...)
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is4() || ipv6Prefix >= 128 || ipv6Prefix <= 0 {
		return ip.AppendTo(dst)
	}
	p, _ := ip.Prefix(ipv6Prefix)
	return p.AppendTo(dst)
}

// Begin charges an attempt of factor f for s, before any secret is
// checked. When a counter is locked, or has as many attempts running as
// its threshold allows, it charges nothing and returns a *LockedError; the
// caller must then refuse without checking the secret, even a correct one.
// With no counter in use it returns an Attempt that does nothing.
func (g *Guard) Begin(ctx context.Context, f Factor, s Subject) (*Attempt, error) {
	a := g.newAttempt(f, s)
	if len(a.keys) == 0 {
		return a, nil
	}
	at := g.now()
	tk, err := g.store.TakeAttempt(ctx, at, a.keys)
	if err != nil {
		return nil, fmt.Errorf("lockout: %w", err)
	}
	if !tk.Allowed {
		return nil, g.lockedError(at, a.keys, a.scopes, tk.Counters)
	}
	a.counters = tk.Counters
	return a, nil
}

// lockedError describes the counter that refused, the one that frees
// last.
func (g *Guard) lockedError(at time.Time, keys []store.AttemptKey, scopes []Scope, cs []store.Counter) *LockedError {
	var worst *LockedError
	for i, c := range cs {
		var e *LockedError
		switch {
		case c.Permanent:
			e = &LockedError{Permanent: true, Scope: scopes[i]}
		case c.Locked(at):
			e = &LockedError{Until: c.LockedUntil, Scope: scopes[i]}
		case c.Attempts >= keys[i].Limit.Threshold:
			// Every allowed attempt is still being checked, or was charged
			// and never heard of again.
			e = &LockedError{Until: inProgressUntil(at, c, keys[i].Limit), Scope: scopes[i], InProgress: true}
		default:
			continue
		}
		if worst == nil || e.Permanent || (!worst.Permanent && e.Until.After(worst.Until)) {
			worst = e
		}
	}
	if worst == nil {
		// The store refused without a reason in its counters: refuse all
		// the same, for the shortest lock.
		worst = &LockedError{Until: at.Add(keys[0].Limit.LockBase), Scope: scopes[0]}
	}
	return worst
}

// inProgressUntil returns when a counter that is not locked but has no
// attempts left, c at time at under l, lets an attempt through again at
// the latest: when the lease of its charges in flight ends, if giving
// them back leaves room, and otherwise (charges made without a lease, or
// before leases) when its window ends, which gives every charge back.
func inProgressUntil(at time.Time, c store.Counter, l store.Limit) time.Time {
	until := c.WindowStart.Add(l.Window)
	if c.WindowStart.IsZero() {
		until = at.Add(l.Window)
	}
	if c.InFlight > 0 && c.Attempts-c.InFlight < l.Threshold && c.LeaseUntil.Before(until) {
		until = c.LeaseUntil
	}
	return until
}

// Failed records that the attempt's secret was wrong. When the failure
// locks a counter it returns that lock, for the caller's log and
// notifications; otherwise nil.
func (a *Attempt) Failed(ctx context.Context) (*LockedError, error) {
	if len(a.keys) == 0 {
		return nil, nil
	}
	at := a.g.now()
	cs, err := a.g.store.FailAttempt(ctx, at, a.keys)
	if err != nil {
		return nil, fmt.Errorf("lockout: %w", err)
	}
	var locked *LockedError
	for i, c := range cs {
		before := a.counters[i]
		if c.Locks > before.Locks || (c.Permanent && !before.Permanent) {
			e := &LockedError{Until: c.LockedUntil, Permanent: c.Permanent, Scope: a.scopes[i]}
			if locked == nil || e.Scope == ScopeAccount || e.Scope == ScopeSecondFactor {
				locked = e
			}
		}
	}
	return locked, nil
}

// Succeeded records that the attempt's secret was right: it clears the
// account's and the pair's attempts, and gives back the address's charge
// (the address counts failures only: fifty colleagues logging in from one
// office address lock nothing), while the address's earlier failures stay
// (one good password must not buy an attacker a fresh spraying budget).
func (a *Attempt) Succeeded(ctx context.Context) error {
	var clearKeys []string
	var release []store.AttemptKey
	for i, k := range a.keys {
		if a.scopes[i] == ScopeAddress {
			release = append(release, k)
		} else {
			clearKeys = append(clearKeys, k.Key)
		}
	}
	if len(clearKeys) > 0 {
		if err := a.g.store.ClearAttempts(ctx, clearKeys); err != nil {
			return fmt.Errorf("lockout: %w", err)
		}
	}
	if len(release) > 0 {
		if err := a.g.store.ReleaseAttempts(ctx, a.g.now(), release); err != nil {
			return fmt.Errorf("lockout: %w", err)
		}
	}
	return nil
}

// Abandon gives back the attempt's charge on every counter: the secret was
// never checked (the hasher was busy, the store failed), and an attempt
// that was not made must not count toward a lock.
func (a *Attempt) Abandon(ctx context.Context) error {
	if len(a.keys) == 0 {
		return nil
	}
	if err := a.g.store.ReleaseAttempts(ctx, a.g.now(), a.keys); err != nil {
		return fmt.Errorf("lockout: %w", err)
	}
	return nil
}

// Failures returns how many attempts the account's counter (the
// second-factor counter for a second-factor attempt) held once this one
// was charged, this one included: a captcha policy can ask for a captcha
// from the Nth on.
func (a *Attempt) Failures() int {
	for i, sc := range a.scopes {
		if sc == ScopeAccount || sc == ScopeSecondFactor {
			return a.counters[i].Attempts
		}
	}
	return 0
}

// Remaining returns how many more failures the account's counter (the
// second-factor counter for a second-factor attempt) allows before it
// locks, should this attempt fail: for a "2 attempts left" warning. It
// counts the attempts charged as of Begin, this one included, so parallel
// attempts may make it a little high; it is never below zero. It returns
// -1 when the attempt charges no such counter.
func (a *Attempt) Remaining() int {
	for i, sc := range a.scopes {
		if sc == ScopeAccount || sc == ScopeSecondFactor {
			return max(0, a.keys[i].Limit.Threshold-a.counters[i].Attempts)
		}
	}
	return -1
}

// Before returns the most attempts any of the attempt's counters held
// before this one was charged. Unlike Peek's, the number comes from the
// atomic charge itself, so parallel attempts each see a different one: a
// policy enforced on it cannot be raced past.
func (a *Attempt) Before() int {
	n := 0
	for _, c := range a.counters {
		n = max(n, c.Attempts-1)
	}
	return n
}

// Status is what an operator sees of an account's counters.
type Status struct {
	// Password and SecondFactor are the account's two counters, settled
	// as of the call: a run-out window or lock reads as over.
	Password, SecondFactor store.Counter
	// LockedUntil is when the later of the two locks ends; zero when
	// neither is in force or when Permanent.
	LockedUntil time.Time
	// Permanent means one of them is locked until unlocked.
	Permanent bool
}

// Locked reports whether either counter is locked.
func (s Status) Locked() bool { return s.Permanent || !s.LockedUntil.IsZero() }

// Status returns the state of the account counters of a username (its
// canonical form) in a realm, whether or not an account has it.
func (g *Guard) Status(ctx context.Context, realm, username string) (Status, error) {
	at := g.now()
	var cs [2]store.Counter
	for i, k := range g.accountKeys(realm, username) {
		c, err := g.store.Counter(ctx, at, k)
		if err != nil {
			return Status{}, fmt.Errorf("lockout: %w", err)
		}
		cs[i] = c
	}
	return status(at, cs), nil
}

func (g *Guard) accountKeys(realm, username string) [2]store.AttemptKey {
	return [2]store.AttemptKey{
		{Key: accountKey("pw", realm, username), Limit: g.account},
		{Key: accountKey("mfa", realm, username), Limit: g.secondFactor},
	}
}

func status(at time.Time, cs [2]store.Counter) Status {
	st := Status{Password: cs[0], SecondFactor: cs[1]}
	for _, c := range cs {
		if c.Permanent {
			st.Permanent = true
		} else if c.Locked(at) && c.LockedUntil.After(st.LockedUntil) {
			st.LockedUntil = c.LockedUntil
		}
	}
	if st.Permanent {
		st.LockedUntil = time.Time{}
	}
	return st
}

// Unlock ends the locks of a username's account counters (password and
// second factor) and forgets their history; it returns the status they
// had. Locks of the addresses the attacks came from stay, and end by
// themselves.
func (g *Guard) Unlock(ctx context.Context, realm, username string) (Status, error) {
	return g.unlock(ctx, realm, username, 2)
}

// UnlockPassword ends the password lock of a username and forgets its
// history, and leaves the second-factor counter as it is: what a completed
// password reset does. A reset proves control of the mailbox, not of the
// second factor, so it must not give whoever reads the mailbox a fresh
// round of second-factor guesses. It returns the status before.
func (g *Guard) UnlockPassword(ctx context.Context, realm, username string) (Status, error) {
	return g.unlock(ctx, realm, username, 1)
}

func (g *Guard) unlock(ctx context.Context, realm, username string, n int) (Status, error) {
	at := g.now()
	var cs [2]store.Counter
	keys := g.accountKeys(realm, username)
	for i, k := range keys[:n] {
		c, err := g.store.Unlock(ctx, k.Key)
		if err != nil {
			return Status{}, fmt.Errorf("lockout: %w", err)
		}
		cs[i] = store.Settle(c, k.Limit, at)
	}
	for i := n; i < len(keys); i++ {
		c, err := g.store.Counter(ctx, at, keys[i])
		if err != nil {
			return Status{}, fmt.Errorf("lockout: %w", err)
		}
		cs[i] = c
	}
	return status(at, cs), nil
}

// UnlockAddress ends the lock of a client address in a realm.
func (g *Guard) UnlockAddress(ctx context.Context, realm, addr string) (store.Counter, error) {
	key, ok := g.addrKey(addr)
	if !ok {
		return store.Counter{}, nil
	}
	c, err := g.store.Unlock(ctx, "pw|ip|"+realm+"|"+key)
	if err != nil {
		return store.Counter{}, fmt.Errorf("lockout: %w", err)
	}
	return c, nil
}

// Peek is what the counters of an attempt say before it is made.
type Peek struct {
	// Failures is the most attempts any of the attempt's counters holds in
	// its window: a captcha policy asks for a captcha from some number on.
	Failures int
	// Locked, when not nil, is the lock that Begin would refuse with.
	Locked *LockedError
}

// Peek reads the counters an attempt of factor f for s would be charged
// to, changing nothing: one store read for each counter in use.
func (g *Guard) Peek(ctx context.Context, f Factor, s Subject) (Peek, error) {
	a := g.newAttempt(f, s)
	at := g.now()
	cs := make([]store.Counter, len(a.keys))
	var p Peek
	for i, k := range a.keys {
		c, err := g.store.Counter(ctx, at, k)
		if err != nil {
			return Peek{}, fmt.Errorf("lockout: %w", err)
		}
		cs[i] = c
		p.Failures = max(p.Failures, c.Attempts)
	}
	for i, c := range cs {
		if c.Locked(at) || c.Attempts >= a.keys[i].Limit.Threshold {
			p.Locked = g.lockedError(at, a.keys, a.scopes, cs)
			break
		}
	}
	return p, nil
}

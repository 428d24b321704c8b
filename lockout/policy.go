package lockout

import (
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/store"
)

// ErrConfig is wrapped by every error New returns for a policy it refuses.
var ErrConfig = errors.New("lockout: invalid configuration")

// Rule limits the failures counted under one key.
//
// A zero field takes the default of the rule's counter, as [Policy] names
// it: Rule{Threshold: 3} as the Account rule locks after 3 failures in 15
// minutes, for 15 minutes, doubling up to 24 hours. The Pair counter,
// which is off by default, takes the Account counter's defaults for the
// fields a Pair rule leaves zero. Only the zero Rule means the default
// rule itself (off, for Pair).
type Rule struct {
	// Threshold is how many failed attempts a window allows before the key
	// locks, 1 to 100 (NIST SP 800-63B §3.2.2 caps it at 100). Zero means
	// the counter's default.
	Threshold int
	// Window is how long a failed attempt counts, from the first one.
	// Zero means the counter's default.
	Window time.Duration
	// Lock is how long the first lock lasts; each further lock doubles
	// it, up to MaxLock. Zero means the counter's default.
	Lock time.Duration
	// MaxLock caps a growing lock. Zero means Lock when Lock is set (every
	// lock as long as the first), and the counter's default when Lock is
	// zero too.
	MaxLock time.Duration
	// PermanentAfter, when above zero, makes the lock that follows that
	// many temporary locks permanent: only an operator's unlock or a
	// completed password reset ends it. Zero means never, the default of
	// every counter.
	PermanentAfter int
	// UntilUnlocked makes every lock, the first included, last until an
	// operator unlocks it (or, unless Policy.KeepLockOnReset, the owner
	// completes a password reset), as BPJS Ketenagakerjaan's portal does.
	// Lock and MaxLock then only bound nothing: the lock has no end.
	UntilUnlocked bool
	// Off turns this counter off.
	Off bool
}

// Policy says what is counted and how much is allowed. The zero value is
// the recommended policy: every zero field means the default it names.
type Policy struct {
	// Account limits the password failures for one username in one realm,
	// whether or not an account has it, so a lock never tells that an
	// account exists. Zero: 5 failures in 15 minutes lock for 15 minutes,
	// doubling for each further lock up to 24 hours.
	Account Rule
	// Address limits the password failures from one client address across
	// every username of a realm: it stops password spraying (one guess at
	// each of many accounts) without locking any account. IPv6 addresses
	// count per /64 (see IPv6Prefix). Zero: 50 failures in 15 minutes lock
	// the address for 15 minutes, doubling up to 1 hour; 50 because the
	// offices of a ministry often share one public address.
	//
	// The address must be the client's, not a proxy's: behind a reverse
	// proxy, derive it with ClientAddr, or a few users' typos lock
	// everyone out.
	Address Rule
	// Pair limits the failures for one username from one address. Zero:
	// off; the zero fields of a Pair rule that is set take the Account
	// counter's default values (not those of the policy's Account rule). Set its threshold below Account's to lock an attacker's
	// address out of an account before the account itself locks for
	// everyone.
	Pair Rule
	// SecondFactor limits the wrong second-factor codes (TOTP, emailed or
	// SMS codes, recovery codes) for one account, on counters of their own,
	// so a stolen password cannot be turned into a lock of the password.
	// Zero: 5 failures in 15 minutes lock for 15 minutes, doubling up to
	// 24 hours.
	SecondFactor Rule
	// IPv6Prefix is how many leading bits of an IPv6 address name one
	// client; whoever holds one address usually holds its whole /64. Zero
	// means 64; 32 to 128.
	IPv6Prefix int
	// KeepLockOnReset, when true, keeps a lock in force after the owner
	// completes a password reset. The zero value ends it: a reset proves
	// control of the mailbox, and letting it unlock is what keeps an
	// attacker from locking a victim out for good.
	KeepLockOnReset bool
	// Lease is how long an attempt that has been charged may go without
	// news of its outcome: when the lease of the latest attempt charged to
	// a counter ends, the charges whose attempts have neither failed nor
	// succeeded are given back. A login whose store call gave up waiting
	// (a stalled store) may have been charged with no one left to settle
	// the charge; the lease ends it within seconds instead of at the
	// window's end. It applies to the Account, Address, Pair and
	// SecondFactor counters. Zero means DefaultLease; New refuses less
	// than MinLease. See the package documentation for the trade-off.
	Lease time.Duration
}

// DefaultLease is the lease of a Policy whose Lease is zero: ten times
// what a login takes when the hasher is saturated (its wait for a slot is
// bounded at about eight hash times, well under a second with the
// default argon2id parameters), with room for a slow store.
const DefaultLease = 10 * time.Second

// MinLease is the shortest lease New accepts: a lease shorter than a
// login gives back the charges of logins still being checked.
const MinLease = time.Second

var (
	defaultAccount = Rule{Threshold: 5, Window: 15 * time.Minute, Lock: 15 * time.Minute, MaxLock: 24 * time.Hour}
	defaultAddress = Rule{Threshold: 50, Window: 15 * time.Minute, Lock: 15 * time.Minute, MaxLock: time.Hour}
)

// limit returns the store limit of r, its charges leased for lease, and
// whether the counter is on. Zero fields of r take def's values, or, when
// def is off (the zero Rule), defaultAccount's; the zero Rule is def
// itself.
func (r Rule) limit(def Rule, name string, lease time.Duration) (store.Limit, bool, error) {
	if r.Off || (r == Rule{} && def == Rule{}) {
		return store.Limit{}, false, nil
	}
	if def == (Rule{}) {
		def = defaultAccount
	}
	if r.MaxLock == 0 {
		if r.Lock != 0 {
			r.MaxLock = r.Lock
		} else {
			r.MaxLock = def.MaxLock
		}
	}
	if r.Threshold == 0 {
		r.Threshold = def.Threshold
	}
	if r.Window == 0 {
		r.Window = def.Window
	}
	if r.Lock == 0 {
		r.Lock = def.Lock
	}
	if r.PermanentAfter == 0 {
		r.PermanentAfter = def.PermanentAfter
	}
	l := store.Limit{
		Threshold:      r.Threshold,
		Window:         r.Window,
		LockBase:       r.Lock,
		LockMax:        r.MaxLock,
		PermanentAfter: r.PermanentAfter,
		Lease:          lease,
		// A key's lock count is kept a day after its last attempt, and at
		// least as long as its window and its longest lock.
		Forget: max(24*time.Hour, r.Window, r.MaxLock),
	}
	if r.UntilUnlocked {
		if r.PermanentAfter != 0 {
			return l, false, fmt.Errorf("%w: %s sets both UntilUnlocked and PermanentAfter", ErrConfig, name)
		}
		l.PermanentAfter = store.EveryLockPermanent
	}
	switch {
	case r.Threshold < 1 || r.Threshold > 100:
		return l, false, fmt.Errorf("%w: %s threshold %d is not between 1 and 100", ErrConfig, name, r.Threshold)
	case r.Window < 0 || r.Lock < 0:
		return l, false, fmt.Errorf("%w: %s window or lock is negative", ErrConfig, name)
	case r.MaxLock < r.Lock:
		return l, false, fmt.Errorf("%w: %s maximum lock is shorter than the first lock", ErrConfig, name)
	case r.PermanentAfter < 0:
		return l, false, fmt.Errorf("%w: %s PermanentAfter is negative", ErrConfig, name)
	}
	return l, true, nil
}

package store

import (
	"context"
	"time"
)

// AccountCopies is implemented by a session store apart from the account
// store (redisstore, beside accounts in SQL) that can keep, in each
// session, a copy of the session's account, so that a request's session
// and account are one read of the session store. No transaction covers
// both stores, so the copies are kept by a protocol that the caller (the
// Authenticator) follows and every one of the account store's writers
// must follow too:
//
//   - A writer of an account (its state, email, phone, security stamp, or
//     its deletion) calls BeginAccountWrite before the write and
//     EndAccountWrite after it, whether the write succeeded or not. Begin
//     drops every copy of the account and refuses new ones until the
//     matching End, or until a bound of the store's after which an
//     unfinished write (whose End was lost) is deemed done; End drops
//     every copy again. A writer that cannot Begin does not write.
//   - A reader whose session holds no copy reads the account's
//     generation (CopyGeneration), then the account from the account
//     store, then offers it back (KeepCopy) with that generation; the
//     store keeps it only when no write began since the generation was
//     read and none is under way.
//
// So a copy is never older than the last write that completed, and a
// write whose End is lost holds copies back until the store's bound. A
// write that bypasses the protocol (a host's own SQL) shows in copies at
// the latest when they lapse: CopyFor after they were kept.
//
// A writer that shares the accounts with a portal (an administrative
// service, even one with no sessions of its own) must follow the protocol
// on the portal's session store; the Authenticator does so whenever its
// sessions role keeps copies, whether or not it reads them. A writer that
// does not (a host's own SQL, a service on another Redis prefix) is seen
// by the portal's sessions within CopyFor, plus the difference between
// the instances' clocks.
//
// Losing Redis's writes (a failover to a replica that did not have them,
// a restore from a snapshot) can bring back a copy that a lost
// BeginAccountWrite had dropped, as it brings back a session a lost
// logout had ended; end every session after such an event.
type AccountCopies interface {
	// CopyFor is how long a kept copy serves. Zero or less means the
	// store keeps no copies: the caller reads every account from the
	// account store, and calls only BeginAccountWrite and
	// EndAccountWrite (which other readers' copies need).
	CopyFor() time.Duration
	// CopyStore returns the store that keeps the copies: itself. A
	// decorator that embeds the store (and perhaps overrides Session)
	// promotes this method, which then returns the inner store, not the
	// decorator: the Authenticator then reads sessions through the
	// decorator, as it would without copies, and still follows the
	// protocol on the inner store around its writes.
	CopyStore() AccountCopies
	// SessionCopy returns the session with the selector if it is live at
	// time at, as Session does, and the copy of its account that the
	// session holds, with ok true, if it holds one kept less than CopyFor
	// before at (and not after at: a copy kept by a clock ahead of the
	// caller's is as none); ok is false when it holds none.
	SessionCopy(ctx context.Context, selector string, at time.Time) (s Session, a Account, ok bool, err error)
	// CopyGeneration returns the account's generation, a number that
	// every BeginAccountWrite and EndAccountWrite of the account changes.
	CopyGeneration(ctx context.Context, accountID string) (uint64, error)
	// KeepCopy keeps a copy of a in the session with the selector, for
	// CopyFor from time at, and reports true, when the session is a live
	// session of a's account at time at, gen is still the account's
	// generation (which a store may have lost since: then no copy is
	// kept), and no write of the account is under way; otherwise it
	// changes nothing and reports false. It never creates a session.
	KeepCopy(ctx context.Context, selector string, a Account, gen uint64, at time.Time) (bool, error)
	// BeginAccountWrite drops every copy of the account, in each of its
	// sessions, and refuses to keep new ones until the matching
	// EndAccountWrite or the store's bound. Writes may overlap: copies
	// are kept again when the last has ended.
	BeginAccountWrite(ctx context.Context, accountID string) error
	// EndAccountWrite ends a write that BeginAccountWrite began, and drops
	// every copy of the account again.
	EndAccountWrite(ctx context.Context, accountID string) error
}

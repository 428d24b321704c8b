package redisstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultPrefix begins every key when [Config.Prefix] is empty.
const DefaultPrefix = "masuk:"

// Config says how a [Store] uses Redis.
type Config struct {
	// Prefix begins every key the store writes, so that it can share a
	// database with the host's own keys, and two stores with different
	// prefixes can share one. Empty means DefaultPrefix, "masuk:". With a
	// *redis.ClusterClient or a *redis.Ring it must begin with a hash tag,
	// such as "{masuk}:", so that the keys of one call share a hash slot
	// (see the package documentation).
	Prefix string
	// MaxChallenges bounds how many live captcha challenges the store
	// keeps: CreateChallenge refuses more with store.ErrCapacity. Zero
	// means DefaultMaxChallenges; a negative value means no bound, for a
	// host that relies on the challenges' TTL and the captcha package's
	// per-address issuance limit alone. See the package documentation.
	MaxChallenges int
	// AccountCopyFor is how long a copy of an account kept in a session
	// (store.AccountCopies) serves before the next load reads the account
	// again: the longest that a write of the account made without the
	// copies' protocol (a host's own SQL) goes unseen by its sessions.
	// Zero means DefaultAccountCopyFor; a negative value keeps no copies,
	// and every load reads the session here and the account from its own
	// store.
	AccountCopyFor time.Duration
	// AccountWriteFor is how long an account write that began and never
	// ended (its instance died, or Redis failed, between the two) holds
	// back new copies of the account. Zero means DefaultAccountWriteFor.
	// It must be longer than any account write takes.
	AccountWriteFor time.Duration
}

// DefaultMaxChallenges is how many live captcha challenges a Store keeps
// when [Config.MaxChallenges] is zero: about 1 GB of Redis's memory, at
// about 100 KB each with an image and audio in two languages.
const DefaultMaxChallenges = 10_000

// Store keeps masuk's hot, expiring state in Redis. It is safe for
// concurrent use, by as many instances of a portal as share the Redis
// server. The zero value is not usable; call [New].
type Store struct {
	client redis.UniversalClient
	prefix string
	// maxChallenges is Config.MaxChallenges, DefaultMaxChallenges for
	// zero; negative for no bound.
	maxChallenges int
	// copyFor is Config.AccountCopyFor, defaulted; zero for none.
	copyFor time.Duration
	// writeFor is Config.AccountWriteFor, defaulted.
	writeFor time.Duration
}

// New returns a store that keeps its state in the Redis server or cluster
// that client reaches. It does no I/O. The host keeps client and closes it
// after the last use of the store.
func New(client redis.UniversalClient, cfg Config) (*Store, error) {
	if client == nil {
		return nil, errors.New("redisstore: client is nil")
	}
	prefix := cfg.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	switch client.(type) {
	case *redis.ClusterClient, *redis.Ring:
		if !hasHashTag(prefix) {
			return nil, fmt.Errorf("redisstore: with %T, Config.Prefix %q must begin with a hash tag such as \"{masuk}:\", so that the keys of one call share a hash slot", client, prefix)
		}
	}
	s := &Store{client: client, prefix: prefix, maxChallenges: cfg.MaxChallenges}
	if s.maxChallenges == 0 {
		s.maxChallenges = DefaultMaxChallenges
	}
	switch {
	case cfg.AccountCopyFor == 0:
		s.copyFor = DefaultAccountCopyFor
	case cfg.AccountCopyFor > 0:
		s.copyFor = cfg.AccountCopyFor
	}
	switch {
	case cfg.AccountWriteFor == 0:
		s.writeFor = DefaultAccountWriteFor
	case cfg.AccountWriteFor < time.Millisecond:
		return nil, fmt.Errorf("redisstore: Config.AccountWriteFor is %v, less than a millisecond", cfg.AccountWriteFor)
	default:
		s.writeFor = cfg.AccountWriteFor
	}
	return s, nil
}

// hasHashTag reports whether the hash slot of every key that begins with
// prefix is decided by prefix alone: prefix has a "{", and after it a "}"
// with at least one byte between them, as Redis Cluster reads hash tags.
func hasHashTag(prefix string) bool {
	open := strings.IndexByte(prefix, '{')
	if open < 0 {
		return false
	}
	return strings.IndexByte(prefix[open+1:], '}') > 0
}

// Error is a failure of Redis or of the way to it rather than an outcome
// the store contract names: a cancelled context, a closed client, a lost
// connection, an error reply. errors.Is sees its cause: context.Canceled,
// context.DeadlineExceeded, redis.ErrClosed, *net.OpError, redis.Error
// replies. As with any network store, a call whose context ends while its
// command is in flight may or may not have been applied.
type Error struct {
	// Op is the method that failed, e.g. "TakeAttempt".
	Op string
	// Err is the cause. When the context was done, it wraps both the
	// context's error and the client's.
	Err error
}

// Error returns "redisstore: <Op>: <cause>".
func (e *Error) Error() string { return "redisstore: " + e.Op + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// fail wraps err, a failure of Redis during op, in an *Error.
func fail(ctx context.Context, op string, err error) error {
	cerr := ctx.Err()
	if d, ok := ctx.Deadline(); ok && cerr == nil && !time.Now().Before(d) {
		// The connection's deadline, which is the context's, can pass
		// before the context's own timer fires.
		cerr = context.DeadlineExceeded
	}
	if cerr != nil && !errors.Is(err, cerr) {
		// The client reported what the cancellation did to it (an i/o
		// timeout); keep both.
		err = fmt.Errorf("%w: %w", cerr, err)
	}
	return &Error{Op: op, Err: err}
}

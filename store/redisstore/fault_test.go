package redisstore_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
)

// The fault tests check that every method fails closed when Redis cannot
// be reached, the client is closed or the context is done: it returns a
// *redisstore.Error whose cause errors.Is can see, and does not panic.

var (
	t0    = time.Date(2026, 3, 17, 8, 30, 15, 123456000, time.UTC)
	limit = store.Limit{Threshold: 3, Window: time.Minute, LockBase: time.Minute, LockMax: time.Hour, Forget: time.Hour}
	keys  = []store.AttemptKey{{Key: "pw|a|lpse|198503122010011001", Limit: limit}, {Key: "pw|ip|192.0.2.1", Limit: limit}}
)

// challengeID is the challenge the methods read and take.
const challengeID = "ch-0123456789abcdef"

// method is one call of a store method.
type method struct {
	name string
	call func(ctx context.Context, s *redisstore.Store) error
}

var methods = []method{
	{"TakeAttempt", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.TakeAttempt(ctx, t0, keys)
		return err
	}},
	{"FailAttempt", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.FailAttempt(ctx, t0, keys)
		return err
	}},
	{"ReleaseAttempts", func(ctx context.Context, s *redisstore.Store) error {
		return s.ReleaseAttempts(ctx, t0, keys)
	}},
	{"ClearAttempts", func(ctx context.Context, s *redisstore.Store) error {
		return s.ClearAttempts(ctx, []string{keys[0].Key})
	}},
	{"Unlock", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.Unlock(ctx, keys[0].Key)
		return err
	}},
	{"Counter", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.Counter(ctx, t0, keys[0])
		return err
	}},
	{"CreateChallenge", func(ctx context.Context, s *redisstore.Store) error {
		return s.CreateChallenge(ctx, newChallenge(time.Minute))
	}},
	{"Challenge", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.Challenge(ctx, challengeID, t0)
		return err
	}},
	{"TakeChallenge", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.TakeChallenge(ctx, challengeID, t0)
		return err
	}},
	{"IssueToken", func(ctx context.Context, s *redisstore.Store) error {
		return s.IssueToken(ctx, methodToken(), time.Minute)
	}},
	{"AttemptToken", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.AttemptToken(ctx, store.TokenKey{Selector: tokenSelector}, t0)
		return err
	}},
	{"ConsumeToken", func(ctx context.Context, s *redisstore.Store) error {
		return s.ConsumeToken(ctx, tokenSelector, methodToken().Hash)
	}},
	{"VoidTokens", func(ctx context.Context, s *redisstore.Store) error {
		return s.VoidTokens(ctx, methodToken().AccountID)
	}},
}

// requireFailedClosed checks that err is a *redisstore.Error of method m
// whose cause is cause.
func requireFailedClosed(t *testing.T, m method, err, cause error) {
	t.Helper()
	var e *redisstore.Error
	require.ErrorAs(t, err, &e, m.name)
	assert.Equal(t, m.name, e.Op)
	assert.True(t, strings.HasPrefix(err.Error(), "redisstore: "+m.name+": "), "message %q", err)
	require.ErrorIs(t, err, cause, m.name)
}

// closedPort returns the address of a TCP port on the loopback interface
// that nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func storeAt(t *testing.T, opt *redis.Options) (*redisstore.Store, *redis.Client) {
	t.Helper()
	opt.MaxRetries = -1 // fail at once
	opt.DialerRetries = 1
	opt.DialTimeout = time.Second
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	s, err := redisstore.New(client, redisstore.Config{})
	require.NoError(t, err)
	return s, client
}

func TestConnectionRefused(t *testing.T) {
	s, _ := storeAt(t, &redis.Options{Addr: closedPort(t)})
	for _, m := range methods {
		err := m.call(t.Context(), s)
		requireFailedClosed(t, m, err, syscall.ECONNREFUSED)
		var op *net.OpError
		require.ErrorAs(t, err, &op, m.name)
	}
}

func TestClosedClient(t *testing.T) {
	s, client := storeAt(t, &redis.Options{Addr: closedPort(t)})
	require.NoError(t, client.Close())
	for _, m := range methods {
		requireFailedClosed(t, m, m.call(t.Context(), s), redis.ErrClosed)
	}
}

// TestCanceledContext calls every method with a cancelled context: it
// fails before any command is sent, so that even a server that is there
// sees nothing.
func TestCanceledContext(t *testing.T) {
	s, _ := storeAt(t, &redis.Options{Addr: closedPort(t)})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, m := range methods {
		requireFailedClosed(t, m, m.call(ctx, s), context.Canceled)
	}
}

// TestDeadlineNoAnswer calls every method on a server that accepts
// connections and never answers: with Options.ContextTimeoutEnabled, the
// context's deadline ends the call.
func TestDeadlineNoAnswer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = conn.Close() })
		}
	}()
	s, _ := storeAt(t, &redis.Options{Addr: l.Addr().String(), ContextTimeoutEnabled: true})
	for _, m := range methods {
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		start := time.Now()
		err := m.call(ctx, s)
		cancel()
		requireFailedClosed(t, m, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second, m.name)
	}
}

// TestCanceledContextChargesNothing calls TakeAttempt with a cancelled
// context on a real server: nothing is charged.
func TestCanceledContextChargesNothing(t *testing.T) {
	s := newStore(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.TakeAttempt(ctx, t0, keys)
	requireFailedClosed(t, methods[0], err, context.Canceled)
	for _, k := range keys {
		c, err := s.Counter(t.Context(), t0, k)
		require.NoError(t, err)
		require.Equal(t, store.Counter{Key: k.Key}, c)
	}
}

func TestNew(t *testing.T) {
	_, err := redisstore.New(nil, redisstore.Config{})
	require.Error(t, err)

	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{closedPort(t)}})
	defer cluster.Close()
	ring := redis.NewRing(&redis.RingOptions{Addrs: map[string]string{"a": closedPort(t)}})
	defer ring.Close()
	plain := redis.NewClient(&redis.Options{Addr: closedPort(t)})
	defer plain.Close()
	for _, c := range []redis.UniversalClient{cluster, ring} {
		for _, prefix := range []string{"", "masuk:", "{}masuk:", "masuk}{:", "{masuk:"} {
			_, err := redisstore.New(c, redisstore.Config{Prefix: prefix})
			assert.Error(t, err, "%T with prefix %q", c, prefix)
		}
		for _, prefix := range []string{"{masuk}:", "portal:{masuk}:", "}{m}"} {
			_, err := redisstore.New(c, redisstore.Config{Prefix: prefix})
			assert.NoError(t, err, "%T with prefix %q", c, prefix)
		}
	}
	for _, prefix := range []string{"", "masuk:", "{masuk}:"} {
		_, err := redisstore.New(plain, redisstore.Config{Prefix: prefix})
		assert.NoError(t, err, "prefix %q", prefix)
	}
}

// TestTimeOutOfRange: the scripts compute in float64 microseconds, exact
// for the years 1970 to 2112 only.
func TestTimeOutOfRange(t *testing.T) {
	s, _ := storeAt(t, &redis.Options{Addr: closedPort(t)})
	for _, at := range []time.Time{{}, time.Unix(0, 0), time.Date(2113, 1, 1, 0, 0, 0, 0, time.UTC)} {
		_, err := s.TakeAttempt(t.Context(), at, keys)
		require.ErrorIs(t, err, store.ErrInvalid, "%v", at)
		_, err = s.FailAttempt(t.Context(), at, keys)
		require.ErrorIs(t, err, store.ErrInvalid, "%v", at)
		require.ErrorIs(t, s.ReleaseAttempts(t.Context(), at, keys), store.ErrInvalid, "%v", at)
	}
}

func TestErrorMessage(t *testing.T) {
	cause := errors.New("boom")
	err := &redisstore.Error{Op: "Unlock", Err: cause}
	require.Equal(t, "redisstore: Unlock: boom", err.Error())
	require.ErrorIs(t, err, cause)
}

package redisstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
)

// sessionSelector is the session the fault tests' methods create, read,
// touch and delete, of the account sessionAccount.
const (
	sessionSelector = "ses-0123456789abcdef"
	sessionAccount  = "acc-0123456789"
)

// methodSession is the session the fault tests' methods create.
func methodSession() store.Session {
	sess := newSession(sessionAccount, 30*time.Minute, 12*time.Hour)
	sess.Selector = sessionSelector
	return sess
}

// sessionMethods are the methods of store.Sessions, in an order in which
// each succeeds on a server, run after run: the first ends what the last
// run left.
var sessionMethods = []method{
	{"DeleteSessions", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.DeleteSessions(ctx, sessionAccount, "")
		return err
	}},
	{"CreateSession", func(ctx context.Context, s *redisstore.Store) error {
		return s.CreateSession(ctx, methodSession())
	}},
	{"Session", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.Session(ctx, sessionSelector, t0)
		return err
	}},
	{"TouchSession", func(ctx context.Context, s *redisstore.Store) error {
		return s.TouchSession(ctx, sessionSelector, t0.Add(time.Minute), t0.Add(31*time.Minute))
	}},
	{"Sessions", func(ctx context.Context, s *redisstore.Store) error {
		_, err := s.Sessions(ctx, sessionAccount, t0)
		return err
	}},
	{"DeleteSession", func(ctx context.Context, s *redisstore.Store) error {
		return s.DeleteSession(ctx, sessionAccount, sessionSelector)
	}},
}

func init() { methods = append(methods, sessionMethods...) }

// newSession returns a valid session of the account begun at t0 that goes
// idle after idle and expires after ttl; its hash is binary.
func newSession(account string, idle, ttl time.Duration) store.Session {
	return store.Session{
		Selector:   randomString("ses-"),
		Hash:       []byte("\x00\xffhash-of-a-secret\r\n\x00"),
		AccountID:  account,
		Realm:      "lpse",
		Stamp:      randomString("stamp-"),
		ClientAddr: "203.0.113.7",
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
		CreatedAt:  t0,
		LastSeenAt: t0,
		IdleUntil:  t0.Add(idle),
		ExpiresAt:  t0.Add(ttl),
		Data:       map[string]string{"amr": "pwd,otp", "binary": "\x00\xff", "empty": ""},
	}
}

// TestSessionFieldsExact: a session reads back as it was created, binary
// hash and data included, to the microsecond, in UTC, by its selector and
// in its account's list; no data reads back nil.
func TestSessionFieldsExact(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	sess := newSession(randomString("acc-"), 30*time.Minute, 12*time.Hour)
	wib := time.FixedZone("WIB", 7*3600)
	sess.CreatedAt = sess.CreatedAt.Add(789 * time.Nanosecond).In(wib) // kept to the microsecond
	sess.LastSeenAt = sess.CreatedAt
	require.NoError(t, s.CreateSession(ctx, sess))
	want := sess
	want.CreatedAt = want.CreatedAt.Truncate(time.Microsecond).UTC()
	want.LastSeenAt = want.CreatedAt
	want.VerifiedAt = want.CreatedAt
	want.IdleUntil, want.ExpiresAt = want.IdleUntil.UTC(), want.ExpiresAt.UTC()

	got, err := s.Session(ctx, sess.Selector, t0)
	require.NoError(t, err)
	require.Equal(t, want, got)
	list, err := s.Sessions(ctx, sess.AccountID, t0)
	require.NoError(t, err)
	require.Equal(t, []store.Session{want}, list)

	bare := newSession(randomString("acc-"), time.Minute, time.Hour)
	bare.Data, bare.ClientAddr, bare.UserAgent = map[string]string{}, "", ""
	require.NoError(t, s.CreateSession(ctx, bare))
	got, err = s.Session(ctx, bare.Selector, t0)
	require.NoError(t, err)
	require.Nil(t, got.Data)
	require.Empty(t, got.ClientAddr)
}

// TestSessionConcurrentTouch: parallel touches through two clients, in no
// order, leave each time at the latest asked for, IdleUntil at most
// ExpiresAt, and the index's score at IdleUntil; a reader never sees a
// time move back.
func TestSessionConcurrentTouch(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	other, err := redisstore.New(redis.NewClient(client.Options()), redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	sess := newSession(randomString("acc-"), 30*time.Minute, 30*time.Minute+150*time.Second)
	require.NoError(t, s.CreateSession(ctx, sess))

	const n = 200
	done := make(chan struct{})
	var readers, wg sync.WaitGroup
	readers.Go(func() {
		var last store.Session
		for {
			select {
			case <-done:
				return
			default:
			}
			got, err := other.Session(ctx, sess.Selector, t0)
			if !assert.NoError(t, err) {
				return
			}
			if got.LastSeenAt.Before(last.LastSeenAt) || got.IdleUntil.Before(last.IdleUntil) {
				t.Errorf("a time moved back: %v after %v, %v after %v", got.LastSeenAt, last.LastSeenAt, got.IdleUntil, last.IdleUntil)
				return
			}
			last = got
		}
	})
	for i := range n {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = other
			}
			// Permutations of 0 to 199 seconds; the latest of each
			// comes from a different touch.
			seen := t0.Add(time.Duration(i*67%n) * time.Second)
			idle := sess.IdleUntil.Add(time.Duration(i*31%n) * time.Second)
			assert.NoError(t, st.TouchSession(ctx, sess.Selector, seen, idle))
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()

	got, err := s.Session(ctx, sess.Selector, t0)
	require.NoError(t, err)
	require.Equal(t, t0.Add((n-1)*time.Second), got.LastSeenAt)
	require.Equal(t, sess.ExpiresAt, got.IdleUntil, "capped at ExpiresAt")
	score, err := client.ZScore(ctx, prefix+"sessions:"+sess.AccountID, sess.Selector).Result()
	require.NoError(t, err)
	require.Equal(t, float64(sess.ExpiresAt.UnixMicro()), score)
}

// TestSessionConcurrentCap: of many sessions of one account created in
// parallel through two clients, MaxSessionsPerAccount stay, and the index
// names exactly those.
func TestSessionConcurrentCap(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	other, err := redisstore.New(redis.NewClient(client.Options()), redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	account := randomString("acc-")
	const n = 4 * store.MaxSessionsPerAccount
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = other
			}
			sess := newSession(account, time.Hour+time.Duration(i*37%n)*time.Second, 12*time.Hour)
			assert.NoError(t, st.CreateSession(ctx, sess))
		})
	}
	wg.Wait()
	list, err := s.Sessions(ctx, account, t0)
	require.NoError(t, err)
	require.Len(t, list, store.MaxSessionsPerAccount)
	members, err := client.ZRange(ctx, prefix+"sessions:"+account, 0, -1).Result()
	require.NoError(t, err)
	require.Len(t, members, store.MaxSessionsPerAccount)
	keys, err := client.Keys(ctx, prefix+"session:*").Result()
	require.NoError(t, err)
	require.Len(t, keys, store.MaxSessionsPerAccount, "the ended sessions' hashes are gone")
	for _, sess := range list {
		require.Contains(t, members, sess.Selector)
	}
}

// TestSessionCapTies: of sessions that go idle at the same time, the cap
// ends the one created first, then the one whose selector sorts first.
func TestSessionCapTies(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	account := randomString("acc-")
	var first store.Session
	for i := range store.MaxSessionsPerAccount {
		sess := newSession(account, time.Hour, 12*time.Hour)
		sess.Selector = fmt.Sprintf("ses-%02d-0123456789", i)
		sess.CreatedAt = t0.Add(-time.Duration(i) * time.Second) // the last begun is the oldest
		sess.LastSeenAt = sess.CreatedAt
		require.NoError(t, s.CreateSession(ctx, sess))
		first = sess
	}
	require.NoError(t, s.CreateSession(ctx, newSession(account, time.Hour, 12*time.Hour)))
	_, err := s.Session(ctx, first.Selector, t0)
	require.ErrorIs(t, err, store.ErrNotFound, "the oldest of those that go idle first")
	list, err := s.Sessions(ctx, account, t0)
	require.NoError(t, err)
	require.Len(t, list, store.MaxSessionsPerAccount)
}

// TestSessionTTL: Redis drops a session when it goes idle, by the TTL of
// its creation or of the touch that moved it last, never past its
// ExpiresAt, and the account's index with the longest-lived session in
// it; a TTL is at least a minute.
func TestSessionTTL(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	account := randomString("acc-")
	short := newSession(account, 10*time.Minute, 12*time.Hour)
	long := newSession(account, time.Hour+time.Microsecond, 12*time.Hour) // rounded up to the millisecond
	tiny := newSession(randomString("acc-"), time.Microsecond, time.Microsecond)
	for _, sess := range []store.Session{long, short, tiny} {
		require.NoError(t, s.CreateSession(ctx, sess))
	}
	requireTTL := func(key string, want time.Duration) {
		t.Helper()
		ttl, err := client.PTTL(ctx, key).Result()
		require.NoError(t, err)
		require.LessOrEqual(t, ttl, want, key)
		require.Greater(t, ttl, want-5*time.Second, key)
	}
	sessionKey := func(sess store.Session) string { return prefix + "session:" + sess.Selector }
	index := prefix + "sessions:" + account
	requireTTL(sessionKey(short), 10*time.Minute)
	requireTTL(sessionKey(long), time.Hour+time.Millisecond)
	requireTTL(index, time.Hour+time.Millisecond)
	requireTTL(sessionKey(tiny), time.Minute)
	_, err := s.Session(ctx, tiny.Selector, t0)
	require.NoError(t, err, "the floor keeps a session Redis would have dropped at once")

	// A touch five minutes in with idle 30 minutes on: 30 minutes from
	// the touch, for the session and the index.
	require.NoError(t, s.TouchSession(ctx, short.Selector, t0.Add(5*time.Minute), t0.Add(95*time.Minute)))
	requireTTL(sessionKey(short), 90*time.Minute)
	requireTTL(index, 90*time.Minute)
	// A touch that does not move IdleUntil keeps the TTL.
	require.NoError(t, s.TouchSession(ctx, short.Selector, t0.Add(6*time.Minute), t0.Add(10*time.Minute)))
	requireTTL(sessionKey(short), 90*time.Minute)
	// A touch that asks for more than ExpiresAt: the TTL ends there.
	capped := newSession(account, 10*time.Minute, 20*time.Minute)
	require.NoError(t, s.CreateSession(ctx, capped))
	require.NoError(t, s.TouchSession(ctx, capped.Selector, t0.Add(time.Minute), t0.Add(time.Hour)))
	requireTTL(sessionKey(capped), 19*time.Minute)
	requireTTL(index, 90*time.Minute)
}

// TestSessionIndexPruned: a member of an account's index whose session
// Redis dropped, or whose selector another account's session now holds,
// is not listed, counted for the cap or deleted; a session dead at the
// caller's time is deleted with its member when the index is walked.
func TestSessionIndexPruned(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	account, other := randomString("acc-"), randomString("acc-")
	index := prefix + "sessions:" + account

	dropped := newSession(account, time.Hour, 12*time.Hour)
	taken := newSession(account, time.Hour, 12*time.Hour)
	dead := newSession(account, time.Minute, 12*time.Hour)
	live := newSession(account, time.Hour, 12*time.Hour)
	for _, sess := range []store.Session{dropped, taken, dead, live} {
		require.NoError(t, s.CreateSession(ctx, sess))
	}
	// Redis drops two sessions (by TTL, or eviction), and another
	// account's session takes one of their selectors.
	require.NoError(t, client.Del(ctx, prefix+"session:"+dropped.Selector, prefix+"session:"+taken.Selector).Err())
	theirs := newSession(other, time.Hour, 12*time.Hour)
	theirs.Selector = taken.Selector
	require.NoError(t, s.CreateSession(ctx, theirs))

	require.ErrorIs(t, s.DeleteSession(ctx, account, taken.Selector), store.ErrNotFound)
	list, err := s.Sessions(ctx, account, t0.Add(time.Minute))
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, live.Selector, list[0].Selector)
	members, err := client.ZRange(ctx, index, 0, -1).Result()
	require.NoError(t, err)
	require.Equal(t, []string{live.Selector}, members)
	n, err := client.Exists(ctx, prefix+"session:"+dead.Selector).Result()
	require.NoError(t, err)
	require.Zero(t, n, "the dead session is deleted")

	// A stale member does not count for DeleteSessions, nor is another
	// account's session deleted through it.
	require.NoError(t, client.ZAdd(ctx, index, redis.Z{Score: float64(t0.Add(time.Hour).UnixMicro()), Member: taken.Selector}).Err())
	ended, err := s.DeleteSessions(ctx, account, "")
	require.NoError(t, err)
	require.Equal(t, 1, ended)
	_, err = s.Session(ctx, theirs.Selector, t0)
	require.NoError(t, err, "another account's session survives")
	n, err = client.Exists(ctx, index).Result()
	require.NoError(t, err)
	require.Zero(t, n, "the emptied index is gone")
}

// TestSessionTouchReindexes: a touch puts its session back in its
// account's index if the index was lost, so that the account's list and
// DeleteSessions find it again.
func TestSessionTouchReindexes(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	sess := newSession(randomString("acc-"), 30*time.Minute, 12*time.Hour)
	require.NoError(t, s.CreateSession(ctx, sess))
	require.NoError(t, client.Del(ctx, prefix+"sessions:"+sess.AccountID).Err())
	require.NoError(t, s.TouchSession(ctx, sess.Selector, t0.Add(time.Minute), t0.Add(31*time.Minute)))
	ended, err := s.DeleteSessions(ctx, sess.AccountID, "")
	require.NoError(t, err)
	require.Equal(t, 1, ended)
}

// TestSessionInvalid: what CheckSession refuses, and times outside the
// years the scripts' numbers hold, are store.ErrInvalid, without a server.
func TestSessionInvalid(t *testing.T) {
	s, _ := storeAt(t, &redis.Options{Addr: closedPort(t)})
	ctx := t.Context()
	sess := newSession("acc", time.Minute, time.Hour)
	sess.Stamp = ""
	require.ErrorIs(t, s.CreateSession(ctx, sess), store.ErrInvalid)
	sess = newSession("acc", time.Minute, time.Hour)
	sess.CreatedAt, sess.LastSeenAt, sess.IdleUntil = time.Unix(0, 0), time.Unix(0, 0), time.Unix(60, 0)
	require.ErrorIs(t, s.CreateSession(ctx, sess), store.ErrInvalid)
	sess = newSession("acc", time.Minute, time.Hour)
	sess.ExpiresAt = time.Date(2113, 1, 1, 0, 0, 0, 0, time.UTC)
	require.ErrorIs(t, s.CreateSession(ctx, sess), store.ErrInvalid)
	require.ErrorIs(t, s.TouchSession(ctx, sessionSelector, time.Time{}, t0), store.ErrInvalid)
	require.ErrorIs(t, s.TouchSession(ctx, sessionSelector, t0, time.Time{}), store.ErrInvalid)
	_, err := s.Sessions(ctx, "acc", time.Time{})
	require.ErrorIs(t, err, store.ErrInvalid)
}

// sessionLifecycle creates, caps, touches, lists and deletes sessions on
// s: every script, each reaching from the key it is given to the other,
// as TestCluster runs them on Redis Cluster.
func sessionLifecycle(t *testing.T, s *redisstore.Store) {
	t.Helper()
	ctx := t.Context()
	account := randomString("acc-")
	var all []store.Session
	for i := range store.MaxSessionsPerAccount + 1 {
		sess := newSession(account, time.Hour+time.Duration(i)*time.Second, 12*time.Hour)
		require.NoError(t, s.CreateSession(ctx, sess))
		all = append(all, sess)
	}
	_, err := s.Session(ctx, all[0].Selector, t0)
	require.ErrorIs(t, err, store.ErrNotFound, "ended by the cap")
	require.NoError(t, s.TouchSession(ctx, all[1].Selector, t0.Add(time.Minute), t0.Add(2*time.Hour)))
	list, err := s.Sessions(ctx, account, t0.Add(time.Minute))
	require.NoError(t, err)
	require.Len(t, list, store.MaxSessionsPerAccount)
	require.Equal(t, all[1].Selector, list[0].Selector, "the most recently seen first")
	require.NoError(t, s.DeleteSession(ctx, account, all[2].Selector))
	require.ErrorIs(t, s.DeleteSession(ctx, randomString("acc-"), all[3].Selector), store.ErrNotFound)
	n, err := s.DeleteSessions(ctx, account, all[1].Selector)
	require.NoError(t, err)
	require.Equal(t, store.MaxSessionsPerAccount-2, n)
	n, err = s.DeleteSessions(ctx, account, "")
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestSessionLifecycle(t *testing.T) {
	sessionLifecycle(t, newStore(t))
}

// TestSessionOldLayout: a session stored before its static parts were
// packed in one field (one field per part, its data as data:<key>, no
// verified) reads as it did, by its selector and in its account's list,
// and can be touched, verified and keep its account's copy.
func TestSessionOldLayout(t *testing.T) {
	client, prefix := testdb.Redis(t)
	s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	ctx := t.Context()
	sess := newSession(randomString("acc-"), 30*time.Minute, 12*time.Hour)
	us := func(t time.Time) int64 { return t.UnixMicro() }
	require.NoError(t, client.HSet(ctx, prefix+"session:"+sess.Selector,
		"account", sess.AccountID, "realm", sess.Realm, "hash", sess.Hash, "stamp", sess.Stamp,
		"addr", sess.ClientAddr, "agent", sess.UserAgent,
		"created", us(sess.CreatedAt), "seen", us(sess.LastSeenAt), "idle", us(sess.IdleUntil), "expires", us(sess.ExpiresAt),
		"data:amr", sess.Data["amr"], "data:binary", sess.Data["binary"], "data:empty", "").Err())
	require.NoError(t, client.ZAdd(ctx, prefix+"sessions:"+sess.AccountID, redis.Z{Score: float64(us(sess.IdleUntil)), Member: sess.Selector}).Err())
	want := sess
	want.VerifiedAt = sess.CreatedAt
	got, err := s.Session(ctx, sess.Selector, t0)
	require.NoError(t, err)
	require.Equal(t, want, got)
	list, err := s.Sessions(ctx, sess.AccountID, t0)
	require.NoError(t, err)
	require.Equal(t, []store.Session{want}, list)

	require.NoError(t, s.TouchSession(ctx, sess.Selector, t0.Add(time.Minute), t0.Add(31*time.Minute)))
	require.NoError(t, s.VerifySession(ctx, sess.Selector, t0.Add(time.Minute)))
	acct := store.Account{ID: sess.AccountID, Realm: sess.Realm, Username: "budi", State: store.StateActive, SecurityStamp: sess.Stamp}
	gen, err := s.CopyGeneration(ctx, acct.ID)
	require.NoError(t, err)
	kept, err := s.KeepCopy(ctx, sess.Selector, acct, gen, t0.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, kept)
	got, copied, ok, err := s.SessionCopy(ctx, sess.Selector, t0.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, acct, copied)
	want.LastSeenAt, want.IdleUntil, want.VerifiedAt = t0.Add(time.Minute), t0.Add(31*time.Minute), t0.Add(time.Minute)
	require.Equal(t, want, got)
}

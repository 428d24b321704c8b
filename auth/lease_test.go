package auth_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// stalledAttempts is a lockout store that, while stalled, loses the
// replies of TakeAttempt: the charge lands on the real store, and the
// caller gets the error of a call that gave up waiting, as after a
// network store stalls past the login's deadline and then resumes.
type stalledAttempts struct {
	store.Attempts
	stalled atomic.Bool
}

func (s *stalledAttempts) TakeAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) (store.Take, error) {
	tk, err := s.Attempts.TakeAttempt(ctx, at, keys)
	if err != nil || !s.stalled.Load() {
		return tk, err
	}
	return store.Take{}, context.DeadlineExceeded
}

// TestLostChargesExpire is the regression test of issue 15, item 1: five
// logins, one at a time, whose charges landed while their replies were
// lost fail closed; afterwards the owner is refused as "in progress" for
// no longer than the lease of those charges, is told a retry-after no
// shorter than that, and logs in once it has passed, long before the
// 15-minute window would have ended.
func TestLostChargesExpire(t *testing.T) {
	for _, bk := range everyBackend() {
		t.Run(bk.name, func(t *testing.T) {
			st, hot := bk.open(t)
			var real store.Attempts
			if hot != nil {
				real = hot
			} else {
				real = st.(store.Attempts)
			}
			attempts := &stalledAttempts{Attempts: real}
			clock := authtest.NewClock(authtest.Start)
			h := &authtest.Hasher{}
			a, err := auth.New(auth.Config{Store: st, Attempts: attempts, Hasher: h, Now: clock.Now})
			require.NoError(t, err)
			registerBudi(t, a)
			login := func() (*auth.LoginResult, error) {
				return a.Logins().Login(t.Context(), auth.LoginRequest{Realm: "lpse", Username: "budi", Password: goodPassword,
					Request: auth.Request{ClientAddr: "203.0.113.7"}})
			}

			attempts.stalled.Store(true)
			var lastCharge time.Time
			for i := range 5 {
				lastCharge = clock.Advance(time.Second)
				res, err := login()
				require.ErrorIs(t, err, context.DeadlineExceeded, "stalled login %d", i+1)
				require.Nil(t, res, "stalled login %d", i+1)
			}
			require.Zero(t, h.Verifies(), "a login whose charge was lost ran a hash")
			attempts.stalled.Store(false)

			leaseEnd := lastCharge.Add(lockout.DefaultLease)
			require.Less(t, leaseEnd.Sub(authtest.Start), time.Minute, "the lease is seconds, not the window")
			for _, now := range []time.Time{lastCharge.Add(time.Millisecond), leaseEnd.Add(-time.Millisecond)} {
				clock.Set(now)
				_, err := login()
				le := lockedErr(t, err)
				assert.True(t, le.InProgress, "at %v", now)
				assert.False(t, le.Permanent)
				assert.GreaterOrEqual(t, le.RetryAfter(now), leaseEnd.Sub(now), "retry-after at %v", now)
				assert.False(t, le.Until.Before(leaseEnd), "until %v, lease ends %v", le.Until, leaseEnd)
			}
			require.Zero(t, h.Verifies(), "a refused login ran a hash")

			clock.Set(leaseEnd)
			res, err := login()
			require.NoError(t, err, "the owner at the lease's end")
			assert.Equal(t, "budi", res.Account.Username)
		})
	}
}

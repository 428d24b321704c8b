package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/masuk-id/masuk/store"
)

var _ store.Attempts = (*Store)(nil)

// A counter is the hash <prefix>attempt:<key> with the fields of
// counterFields: times are Unix microseconds and durations microseconds,
// 0 for none; permanent is 0 or 1. A counter written before leases has
// no inflight and lease fields, which read as 0: nothing in flight. A counter that settles to nothing is
// deleted; one written with nothing in it is never stored.
const attemptKeyPart = "attempt:"

// counterFields are a counter's hash fields, in the order the scripts
// return them.
var counterFields = []string{"attempts", "window", "until", "permanent", "locks", "last", "inflight", "lease"}

// numFields is how many values the scripts return for each counter, and
// limitArgs how many ARGV describe each key's limit.
const (
	numFields = 8
	limitArgs = 7
)

// maxMicros bounds the times and durations the scripts compute with, so
// that their sums stay exact in Lua's numbers, which are float64: times
// must fall after the Unix epoch and before 2112-09-17, and longer
// durations count as this long (142 years).
const maxMicros = 1 << 52

// luaCommon is the start of the attempt scripts: store.Settle, the
// limits, reading and writing a counter. ARGV[1] is the time of the call;
// the limit of KEYS[i] is the seven ARGV from 2+7*(i-1): threshold,
// window, lock base, lock max, permanent after, forget, lease.
const luaCommon = `
local at = tonumber(ARGV[1])

local function limit(i)
  local o = 1 + (i - 1) * 7
  return {threshold = tonumber(ARGV[o + 1]), window = tonumber(ARGV[o + 2]),
    base = tonumber(ARGV[o + 3]), max = tonumber(ARGV[o + 4]),
    permanentAfter = tonumber(ARGV[o + 5]), forget = tonumber(ARGV[o + 6]),
    lease = tonumber(ARGV[o + 7])}
end

local function read(key)
  local v = redis.call('HMGET', key, 'attempts', 'window', 'until', 'permanent', 'locks', 'last', 'inflight', 'lease')
  return {attempts = tonumber(v[1]) or 0, window = tonumber(v[2]) or 0, lockedUntil = tonumber(v[3]) or 0,
    permanent = tonumber(v[4]) or 0, locks = tonumber(v[5]) or 0, last = tonumber(v[6]) or 0,
    inflight = tonumber(v[7]) or 0, lease = tonumber(v[8]) or 0}
end

-- settle is store.Settle.
local function settle(c, l)
  if c.permanent == 1 then
    return c
  end
  if c.inflight > 0 and at >= c.lease then
    c.attempts = math.max(c.attempts - c.inflight, 0)
    c.inflight, c.lease = 0, 0
    if c.attempts == 0 then
      c.window = 0
    end
  end
  if c.lockedUntil ~= 0 and at >= c.lockedUntil then
    c.lockedUntil, c.attempts, c.window, c.inflight, c.lease = 0, 0, 0, 0, 0
  end
  if c.lockedUntil == 0 and c.window ~= 0 and at - c.window >= l.window then
    c.attempts, c.window, c.inflight, c.lease = 0, 0, 0, 0
  end
  if c.lockedUntil == 0 and c.last ~= 0 and at - c.last >= l.forget then
    c.attempts, c.window, c.permanent, c.locks, c.last, c.inflight, c.lease = 0, 0, 0, 0, 0, 0, 0
  end
  return c
end

-- settleOne is store's settleOne: one charge out of flight.
local function settleOne(c)
  c.inflight = c.inflight - 1
  if c.inflight == 0 then
    c.lease = 0
  end
end

-- same reports whether two counters are equal.
local function same(a, b)
  return a.attempts == b.attempts and a.window == b.window and a.lockedUntil == b.lockedUntil and
    a.permanent == b.permanent and a.locks == b.locks and a.last == b.last and
    a.inflight == b.inflight and a.lease == b.lease
end

local function copy(c)
  local d = {}
  for k, v in pairs(c) do
    d[k] = v
  end
  return d
end

-- locked is store.Counter.Locked.
local function locked(c)
  return c.permanent == 1 or (c.lockedUntil ~= 0 and at < c.lockedUntil)
end

local function int(n)
  return string.format('%d', n)
end

-- write stores c, to expire when it will have settled to nothing: when
-- its lock has ended and l.forget has passed since its last attempt; a
-- permanent lock never expires.
local function write(key, c, l)
  if c.attempts == 0 and c.window == 0 and c.lockedUntil == 0 and c.permanent == 0 and c.locks == 0 and c.last == 0 and
      c.inflight == 0 and c.lease == 0 then
    redis.call('DEL', key)
    return
  end
  redis.call('HSET', key, 'attempts', int(c.attempts), 'window', int(c.window), 'until', int(c.lockedUntil),
    'permanent', int(c.permanent), 'locks', int(c.locks), 'last', int(c.last),
    'inflight', int(c.inflight), 'lease', int(c.lease))
  if c.permanent == 1 then
    redis.call('PERSIST', key)
    return
  end
  local ends = c.lockedUntil
  if c.last ~= 0 and c.last + l.forget > ends then
    ends = c.last + l.forget
  end
  if ends <= at then
    redis.call('DEL', key)
  else
    redis.call('PEXPIRE', key, int(math.ceil((ends - at) / 1000)))
  end
end

local function reply(allowed, cs)
  local r = {allowed}
  for _, c in ipairs(cs) do
    for _, v in ipairs({c.attempts, c.window, c.lockedUntil, c.permanent, c.locks, c.last, c.inflight, c.lease}) do
      r[#r + 1] = v
    end
  end
  return r
end
`

// takeScript is store.TakeCounter for every key, charging them all only
// when every key allows it.
var takeScript = redis.NewScript(luaCommon + `
local cs, ls, allowed = {}, {}, 1
for i = 1, #KEYS do
  ls[i] = limit(i)
  cs[i] = settle(read(KEYS[i]), ls[i])
  if locked(cs[i]) or cs[i].attempts >= ls[i].threshold then
    allowed = 0
  end
end
if allowed == 1 then
  for i, c in ipairs(cs) do
    if c.window == 0 then
      c.window = at
    end
    c.attempts = c.attempts + 1
    c.last = at
    if ls[i].lease > 0 then
      c.inflight = c.inflight + 1
      if at + ls[i].lease > c.lease then
        c.lease = at + ls[i].lease
      end
    end
    write(KEYS[i], c, ls[i])
  end
end
return reply(allowed, cs)
`)

// failScript is store.FailCounter for every key. It writes only the keys
// it changes (settles a charge in flight, counts a failure afresh, locks):
// the others' stored state settles as it did.
var failScript = redis.NewScript(luaCommon + `
-- lockDuration is store.Limit.LockDuration.
local function lockDuration(l, locks)
  local d = l.base
  for _ = 1, locks do
    if 2 * d >= l.max then
      return l.max
    end
    d = 2 * d
  end
  return math.min(d, l.max)
end

local cs = {}
for i = 1, #KEYS do
  local l = limit(i)
  local c = settle(read(KEYS[i]), l)
  if not locked(c) then
    local settled = copy(c)
    if c.inflight > 0 then
      settleOne(c)
    elseif l.lease > 0 then
      if c.window == 0 then
        c.window = at
      end
      c.attempts = c.attempts + 1
      c.last = at
    end
    if c.attempts >= l.threshold then
      if l.permanentAfter == -1 or (l.permanentAfter > 0 and c.locks >= l.permanentAfter) then
        c.permanent = 1
      else
        c.lockedUntil = at + lockDuration(l, c.locks)
      end
      c.locks = c.locks + 1
      c.inflight, c.lease = 0, 0
    end
    if not same(c, settled) then
      write(KEYS[i], c, l)
    end
  end
  cs[i] = c
end
return reply(0, cs)
`)

// releaseScript is store.ReleaseCounter for every key. It writes only the
// keys it takes an attempt back from: the others' stored state settles as
// it did, and a key without a counter stays without one.
var releaseScript = redis.NewScript(luaCommon + `
for i = 1, #KEYS do
  local l = limit(i)
  local c = settle(read(KEYS[i]), l)
  if not locked(c) and c.attempts > 0 and (c.inflight > 0 or l.lease == 0) then
    if c.inflight > 0 then
      settleOne(c)
    end
    c.attempts = c.attempts - 1
    if c.attempts == 0 then
      c.window = 0
    end
    if c.attempts == 0 and c.locks == 0 then
      redis.call('DEL', KEYS[i])
    else
      write(KEYS[i], c, l)
    end
  end
end
return 0
`)

// clearScript zeroes the attempts of the counters that exist and, unless
// a counter is locked for good, forgets its lock count.
var clearScript = redis.NewScript(`
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then
    redis.call('HSET', key, 'attempts', '0', 'window', '0', 'inflight', '0', 'lease', '0')
    if redis.call('HGET', key, 'permanent') ~= '1' then
      redis.call('HSET', key, 'locks', '0')
    end
  end
end
return 0
`)

// unlockScript deletes a counter and returns it as it was.
var unlockScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'attempts', 'window', 'until', 'permanent', 'locks', 'last', 'inflight', 'lease')
redis.call('DEL', KEYS[1])
return v
`)

// TakeAttempt implements [store.Attempts] with one script, one round
// trip.
func (s *Store) TakeAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) (store.Take, error) {
	rkeys, args, err := s.attemptArgs(at, keys)
	if err != nil {
		return store.Take{}, err
	}
	allowed, cs, err := s.runCounters(ctx, "TakeAttempt", takeScript, keys, rkeys, args)
	if err != nil {
		return store.Take{}, err
	}
	return store.Take{Allowed: allowed, Counters: cs}, nil
}

// FailAttempt implements [store.Attempts] with one script, one round
// trip.
func (s *Store) FailAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) ([]store.Counter, error) {
	rkeys, args, err := s.attemptArgs(at, keys)
	if err != nil {
		return nil, err
	}
	_, cs, err := s.runCounters(ctx, "FailAttempt", failScript, keys, rkeys, args)
	return cs, err
}

// ReleaseAttempts implements [store.Attempts] with one script, one round
// trip.
func (s *Store) ReleaseAttempts(ctx context.Context, at time.Time, keys []store.AttemptKey) error {
	rkeys, args, err := s.attemptArgs(at, keys)
	if err != nil {
		return err
	}
	if err := run(ctx, s.client, releaseScript, rkeys, args...).Err(); err != nil {
		return fail(ctx, "ReleaseAttempts", err)
	}
	return nil
}

// ClearAttempts implements [store.Attempts] with one script, one round
// trip.
func (s *Store) ClearAttempts(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	rkeys := make([]string, len(keys))
	for i, k := range keys {
		rkeys[i] = s.attemptKey(k)
	}
	if err := run(ctx, s.client, clearScript, rkeys).Err(); err != nil {
		return fail(ctx, "ClearAttempts", err)
	}
	return nil
}

// Unlock implements [store.Attempts] with one script, one round trip.
func (s *Store) Unlock(ctx context.Context, key string) (store.Counter, error) {
	v, err := run(ctx, s.client, unlockScript, []string{s.attemptKey(key)}).Slice()
	if err != nil {
		return store.Counter{}, fail(ctx, "Unlock", err)
	}
	c, err := fieldsCounter(key, v)
	if err != nil {
		return store.Counter{}, fail(ctx, "Unlock", err)
	}
	return c, nil
}

// Counter implements [store.Attempts] with one HMGET.
func (s *Store) Counter(ctx context.Context, at time.Time, key store.AttemptKey) (store.Counter, error) {
	if err := ctx.Err(); err != nil {
		return store.Counter{}, fail(ctx, "Counter", err)
	}
	v, err := s.client.HMGet(ctx, s.attemptKey(key.Key), counterFields...).Result()
	if err != nil {
		return store.Counter{}, fail(ctx, "Counter", err)
	}
	c, err := fieldsCounter(key.Key, v)
	if err != nil {
		return store.Counter{}, fail(ctx, "Counter", err)
	}
	return store.Settle(c, key.Limit, at.UTC()), nil
}

func (s *Store) attemptKey(key string) string { return s.prefix + attemptKeyPart + key }

// attemptArgs checks keys and returns the scripts' KEYS and ARGV for them
// at time at.
func (s *Store) attemptArgs(at time.Time, keys []store.AttemptKey) (rkeys []string, args []any, err error) {
	if err := store.CheckAttemptKeys(keys); err != nil {
		return nil, nil, err
	}
	now, err := unixMicros(at)
	if err != nil {
		return nil, nil, err
	}
	rkeys = make([]string, len(keys))
	args = make([]any, 0, 1+limitArgs*len(keys))
	args = append(args, now)
	for i, k := range keys {
		rkeys[i] = s.attemptKey(k.Key)
		l := k.Limit
		args = append(args, l.Threshold, micros(l.Window), micros(l.LockBase), micros(l.LockMax), l.PermanentAfter, micros(l.Forget), micros(l.Lease))
	}
	return rkeys, args, nil
}

// micros returns d in whole microseconds, rounded up, at most maxMicros.
func micros(d time.Duration) int64 {
	us := int64(d / time.Microsecond)
	if d%time.Microsecond != 0 {
		us++
	}
	return min(us, maxMicros)
}

// runCounters runs script, which returns whether it allowed the attempt
// and the counter of every key.
func (s *Store) runCounters(ctx context.Context, op string, script *redis.Script, keys []store.AttemptKey, rkeys []string, args []any) (allowed bool, cs []store.Counter, err error) {
	r, err := run(ctx, s.client, script, rkeys, args...).Int64Slice()
	if err == nil && len(r) != 1+numFields*len(keys) {
		err = fmt.Errorf("script returned %d values for %d keys", len(r), len(keys))
	}
	if err != nil {
		return false, nil, fail(ctx, op, err)
	}
	cs = make([]store.Counter, len(keys))
	for i, k := range keys {
		cs[i] = counter(k.Key, r[1+numFields*i:])
	}
	return r[0] == 1, cs, nil
}

// run runs script with EVALSHA, and with EVAL when Redis does not have it
// (after a restart or SCRIPT FLUSH).
func run(ctx context.Context, c redis.Scripter, script *redis.Script, keys []string, args ...any) *redis.Cmd {
	if err := ctx.Err(); err != nil {
		cmd := redis.NewCmd(ctx)
		cmd.SetErr(err)
		return cmd
	}
	return script.Run(ctx, c, keys, args...)
}

// counter returns the counter whose fields, in the order of
// counterFields, begin v.
func counter(key string, v []int64) store.Counter {
	return store.Counter{
		Key:         key,
		Attempts:    int(v[0]),
		WindowStart: microTime(v[1]),
		LockedUntil: microTime(v[2]),
		Permanent:   v[3] == 1,
		Locks:       int(v[4]),
		LastAttempt: microTime(v[5]),
		InFlight:    int(v[6]),
		LeaseUntil:  microTime(v[7]),
	}
}

// fieldsCounter returns the counter whose fields HMGET returned: strings,
// or nil when the key or field does not exist.
func fieldsCounter(key string, fields []any) (store.Counter, error) {
	if len(fields) != len(counterFields) {
		return store.Counter{}, fmt.Errorf("%d fields of counter %q, want %d", len(fields), key, len(counterFields))
	}
	v := make([]int64, len(fields))
	for i, f := range fields {
		if f == nil {
			continue
		}
		str, ok := f.(string)
		if !ok {
			return store.Counter{}, fmt.Errorf("field %s of counter %q is %T", counterFields[i], key, f)
		}
		n, err := strconv.ParseInt(str, 10, 64)
		if err != nil {
			return store.Counter{}, fmt.Errorf("field %s of counter %q: %w", counterFields[i], key, err)
		}
		v[i] = n
	}
	return counter(key, v), nil
}

func microTime(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

package redisstore

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/masuk-id/masuk/store"
)

var _ store.Sessions = (*Store)(nil)

// A session is the hash <prefix>session:<selector> with the fields
// account, created, seen, idle, expires and verified (Unix microseconds:
// CreatedAt, LastSeenAt, IdleUntil, ExpiresAt, VerifiedAt), which the
// scripts read and move, and s, the rest, which never changes and no
// script reads, packed in one value (see packSession): a load's HGETALL
// then returns a few fields rather than one per part. A session stored
// before s (with the fields realm, hash, stamp, addr, agent and
// data:<key> for each entry of its Data, and perhaps no verified, read as
// created) reads as it did. It
// expires (PEXPIRE) when it goes idle: its TTL is IdleUntil less the
// caller's time, set when it is created and lengthened, never shortened,
// when a touch moves IdleUntil on. As IdleUntil is at most ExpiresAt, that
// is never past its absolute end, but for the floor of minSessionTTL.
//
// The sorted set <prefix>sessions:<account ID> is the account's index: its
// members are the selectors of the account's sessions, each scored with
// its IdleUntil, so that the cap finds the session that goes idle first
// without reading the others' hashes. It expires when the longest-lived
// session written into it would. A member may outlive its session (Redis
// dropped the hash by its TTL), and, after that, name another account's
// session that took the selector; the scripts check the account of the
// hash a member names before they act on it, and drop members that name
// no session of the account, or one dead at the caller's time, as they
// go.
//
// As with tokens, both keys begin with the prefix, so that a script given
// a session's key reaches its account's index, which it learns only by
// reading the session, in the same hash slot.
const (
	sessionKeyPart      = "session:"
	sessionIndexKeyPart = "sessions:"
)

// minSessionTTL is the shortest TTL a session or an index is given, so
// that Redis does not drop a session that lives less than that by the
// caller's clock (a test's) before the caller has read it: the TTL only
// frees memory, and what is live is decided by the caller's time.
const minSessionTTL = time.Minute

// sessionFields are the fields CreateSession writes.
var sessionFields = []string{"account", "created", "seen", "idle", "expires", "verified", "s"}

// luaSessions is the start of the session scripts: the keys, and prune.
// ARGV[1] is the prefix.
const luaSessions = `
local prefix = ARGV[1]

local function sessionKey(selector)
  return prefix .. 'session:' .. selector
end

local function int(n)
  return string.format('%d', n)
end

-- live reports whether the session whose idle and expires fields are
-- given is live at time at.
local function live(idle, expires, at)
  return at < tonumber(idle) and at < tonumber(expires)
end

-- prune walks the index of account and drops the members that name no
-- session of the account, and those whose session is dead at time at,
-- deleting the session too. It returns the remaining members, in the
-- index's order (IdleUntil, then selector).
local function prune(index, account, at)
  local kept = {}
  for _, selector in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    local key = sessionKey(selector)
    local v = redis.call('HMGET', key, 'account', 'idle', 'expires')
    if v[1] ~= account then
      redis.call('ZREM', index, selector)
    elseif not live(v[2], v[3], at) then
      redis.call('DEL', key)
      redis.call('ZREM', index, selector)
    else
      kept[#kept + 1] = selector
    end
  end
  return kept
end
`

// createSessionScript stores the session KEYS[1], unless the key exists,
// in the index KEYS[2], once it has pruned the index at ARGV[4], the
// session's CreatedAt, and ended the sessions that go idle first (the
// earliest IdleUntil, then CreatedAt, then selector) while the account has
// ARGV[7], the cap, or more. ARGV[2] is the selector, ARGV[3] the account,
// ARGV[5] IdleUntil, ARGV[6] the TTL in milliseconds, and the rest the
// hash's fields and values. It returns 1 for a conflict, otherwise 0.
var createSessionScript = redis.NewScript(luaSessions + `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 1
end
local selector, account, created, idle = ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5]
local ttl, max = tonumber(ARGV[6]), tonumber(ARGV[7])
local kept = prune(KEYS[2], account, created)
local n = #kept
while n >= max do
  local first = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
  local victim, victimCreated
  for _, s in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], first[2], first[2])) do
    local c = tonumber(redis.call('HGET', sessionKey(s), 'created'))
    if not victim or c < victimCreated then
      victim, victimCreated = s, c
    end
  end
  redis.call('DEL', sessionKey(victim))
  redis.call('ZREM', KEYS[2], victim)
  n = n - 1
end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], idle, selector)
if redis.call('PTTL', KEYS[2]) < ttl then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return 0
`)

// touchSessionScript moves the session KEYS[1], whose selector is ARGV[2],
// forward: its seen to ARGV[3] and its idle to ARGV[4], at most its
// expires, each only if that is later, when it is live at ARGV[3]. Its
// score in its account's index follows its idle, and its TTL and the
// index's are lengthened to its idle less ARGV[3], at least ARGV[5]
// milliseconds, if they are shorter. It returns 1 if it touched the
// session, 0 if there is none live.
var touchSessionScript = redis.NewScript(luaSessions + `
local selector, seen, idle = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local v = redis.call('HMGET', KEYS[1], 'account', 'seen', 'idle', 'expires')
if not v[1] or not live(v[3], v[4], seen) then
  return 0
end
local newSeen, newIdle = tonumber(v[2]), tonumber(v[3])
if seen > newSeen then
  newSeen = seen
end
if idle > newIdle then
  newIdle = math.min(idle, tonumber(v[4]))
end
redis.call('HSET', KEYS[1], 'seen', int(newSeen), 'idle', int(newIdle))
local index = prefix .. 'sessions:' .. v[1]
redis.call('ZADD', index, int(newIdle), selector)
local ttl = math.max(math.ceil((newIdle - seen) / 1000), tonumber(ARGV[5]))
if redis.call('PTTL', KEYS[1]) < ttl then
  redis.call('PEXPIRE', KEYS[1], int(ttl))
end
if redis.call('PTTL', index) < ttl then
  redis.call('PEXPIRE', index, int(ttl))
end
return 1
`)

// verifySessionScript moves the verified field of the session KEYS[1]
// forward to ARGV[2], when it is live at ARGV[2]. It returns 1 if the
// session is live, 0 if there is none live.
var verifySessionScript = redis.NewScript(luaSessions + `
local at = tonumber(ARGV[2])
local v = redis.call('HMGET', KEYS[1], 'account', 'idle', 'expires', 'verified', 'created')
if not v[1] or not live(v[2], v[3], at) then
  return 0
end
if at > tonumber(v[4] or v[5]) then
  redis.call('HSET', KEYS[1], 'verified', int(at))
end
return 1
`)

// sessionsScript prunes the index KEYS[1] of the account ARGV[2] at
// ARGV[3], and returns the selector and then the fields and values of
// each session that remains.
var sessionsScript = redis.NewScript(luaSessions + `
local r = {}
for _, selector in ipairs(prune(KEYS[1], ARGV[2], tonumber(ARGV[3]))) do
  r[#r + 1] = selector
  r[#r + 1] = redis.call('HGETALL', sessionKey(selector))
end
return r
`)

// deleteSessionScript deletes the session KEYS[1], whose selector is
// ARGV[3], and its member of the index KEYS[2], if it is the account
// ARGV[2]'s, and returns 1 if it did.
var deleteSessionScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'account') ~= ARGV[2] then
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[3])
return 1
`)

// deleteSessionsScript deletes the sessions in the index KEYS[1] of the
// account ARGV[2] but the one with the selector ARGV[3], and their
// members, and returns how many sessions it deleted.
var deleteSessionsScript = redis.NewScript(luaSessions + `
local account, except = ARGV[2], ARGV[3]
local n = 0
for _, selector in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if selector ~= except then
    local key = sessionKey(selector)
    if redis.call('HGET', key, 'account') == account then
      redis.call('DEL', key)
      n = n + 1
    end
    redis.call('ZREM', KEYS[1], selector)
  end
end
return n
`)

// CreateSession implements [store.Sessions] with one script, one round
// trip, which checks the selector, prunes the account's index, ends the
// sessions over the cap and stores the new one atomically. Times must
// fall in the years 1970 to 2112, or it is store.ErrInvalid.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	if err := store.CheckSession(sess); err != nil {
		return err
	}
	verifiedAt := sess.VerifiedAt
	if verifiedAt.IsZero() {
		verifiedAt = sess.CreatedAt
	}
	var us [5]int64
	for i, t := range []time.Time{sess.CreatedAt, sess.LastSeenAt, sess.IdleUntil, sess.ExpiresAt, verifiedAt} {
		var err error
		if us[i], err = unixMicros(t); err != nil {
			return err
		}
	}
	created, seen, idle, expires, verified := us[0], us[1], us[2], us[3], us[4]
	ttlMillis := max((idle-created+999)/1000, minSessionTTL.Milliseconds())
	args := make([]any, 0, 7+2*len(sessionFields))
	args = append(args, s.prefix, sess.Selector, sess.AccountID, created, idle, ttlMillis, store.MaxSessionsPerAccount,
		"account", sess.AccountID, "created", created, "seen", seen, "idle", idle, "expires", expires, "verified", verified,
		"s", packSession(sess))
	keys := []string{s.sessionKey(sess.Selector), s.sessionIndexKey(sess.AccountID)}
	r, err := run(ctx, s.client, createSessionScript, keys, args...).Int()
	if err != nil {
		return fail(ctx, "CreateSession", err)
	}
	if r == 1 {
		return store.ErrConflict
	}
	return nil
}

// Session implements [store.Sessions] with one HGETALL, which writes
// nothing: a session dead at time at is not found, and Redis drops it by
// its TTL.
func (s *Store) Session(ctx context.Context, selector string, at time.Time) (store.Session, error) {
	sess, _, err := s.readSession(ctx, "Session", selector, at)
	return sess, err
}

// readSession reads the session with the selector, if it is live at time
// at, with one HGETALL, and returns it with its hash's fields; op names
// the caller in errors.
func (s *Store) readSession(ctx context.Context, op, selector string, at time.Time) (store.Session, map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return store.Session{}, nil, fail(ctx, op, err)
	}
	fields, err := s.client.HGetAll(ctx, s.sessionKey(selector)).Result()
	if err != nil {
		return store.Session{}, nil, fail(ctx, op, err)
	}
	if len(fields) == 0 {
		return store.Session{}, nil, store.ErrNotFound
	}
	sess, err := fieldsSession(selector, fields)
	if err != nil {
		return store.Session{}, nil, fail(ctx, op, err)
	}
	if !sessionLive(sess, at) {
		return store.Session{}, nil, store.ErrNotFound
	}
	return sess, fields, nil
}

// TouchSession implements [store.Sessions] with one script, one round
// trip. Times must fall in the years 1970 to 2112, or it is
// store.ErrInvalid.
func (s *Store) TouchSession(ctx context.Context, selector string, seen, idleUntil time.Time) error {
	seenUs, err := unixMicros(seen)
	if err != nil {
		return err
	}
	idleUs, err := unixMicros(idleUntil)
	if err != nil {
		return err
	}
	n, err := run(ctx, s.client, touchSessionScript, []string{s.sessionKey(selector)}, s.prefix, selector, seenUs, idleUs, minSessionTTL.Milliseconds()).Int()
	if err != nil {
		return fail(ctx, "TouchSession", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// Sessions implements [store.Sessions] with one script, one round trip,
// which also drops the account's sessions dead at time at. Time at must
// fall in the years 1970 to 2112, or it is store.ErrInvalid. Sessions
// seen at the same time are ordered by CreatedAt, the latest first, then
// by selector.
func (s *Store) Sessions(ctx context.Context, accountID string, at time.Time) ([]store.Session, error) {
	now, err := unixMicros(at)
	if err != nil {
		return nil, err
	}
	v, err := run(ctx, s.client, sessionsScript, []string{s.sessionIndexKey(accountID)}, s.prefix, accountID, now).Slice()
	if err == nil && len(v)%2 != 0 {
		err = fmt.Errorf("script returned %d values, not selector and fields pairs", len(v))
	}
	if err != nil {
		return nil, fail(ctx, "Sessions", err)
	}
	sessions := make([]store.Session, 0, len(v)/2)
	for i := 0; i < len(v); i += 2 {
		sess, err := replySession(v[i], v[i+1])
		if err != nil {
			return nil, fail(ctx, "Sessions", err)
		}
		if sessionLive(sess, at) {
			sessions = append(sessions, sess)
		}
	}
	slices.SortFunc(sessions, func(a, b store.Session) int {
		if c := b.LastSeenAt.Compare(a.LastSeenAt); c != 0 {
			return c
		}
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(a.Selector, b.Selector)
	})
	return sessions, nil
}

// VerifySession implements [store.Sessions] with one script, one round
// trip. Time at must fall in the years 1970 to 2112, or it is
// store.ErrInvalid.
func (s *Store) VerifySession(ctx context.Context, selector string, at time.Time) error {
	atUs, err := unixMicros(at)
	if err != nil {
		return err
	}
	n, err := run(ctx, s.client, verifySessionScript, []string{s.sessionKey(selector)}, s.prefix, atUs).Int()
	if err != nil {
		return fail(ctx, "VerifySession", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteSession implements [store.Sessions] with one script, one round
// trip. A session of another account is not found, and stays.
func (s *Store) DeleteSession(ctx context.Context, accountID, selector string) error {
	keys := []string{s.sessionKey(selector), s.sessionIndexKey(accountID)}
	n, err := run(ctx, s.client, deleteSessionScript, keys, s.prefix, accountID, selector).Int()
	if err != nil {
		return fail(ctx, "DeleteSession", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// DeleteSessions implements [store.Sessions] with one script, one round
// trip. It counts the sessions it deleted, which may include some that
// were dead by the caller's clock but that neither Redis's TTL nor
// another call had removed yet.
func (s *Store) DeleteSessions(ctx context.Context, accountID, except string) (int, error) {
	n, err := run(ctx, s.client, deleteSessionsScript, []string{s.sessionIndexKey(accountID)}, s.prefix, accountID, except).Int()
	if err != nil {
		return 0, fail(ctx, "DeleteSessions", err)
	}
	return n, nil
}

func (s *Store) sessionKey(selector string) string { return s.prefix + sessionKeyPart + selector }

func (s *Store) sessionIndexKey(accountID string) string {
	return s.prefix + sessionIndexKeyPart + accountID
}

// sessionLive reports whether sess is live at time at.
func sessionLive(sess store.Session, at time.Time) bool {
	return at.Before(sess.IdleUntil) && at.Before(sess.ExpiresAt)
}

// replySession returns the session whose selector and HGETALL reply a
// script returned.
func replySession(selector, fields any) (store.Session, error) {
	sel, ok := selector.(string)
	if !ok {
		return store.Session{}, fmt.Errorf("script returned a selector of type %T", selector)
	}
	v, ok := fields.([]any)
	if !ok || len(v)%2 != 0 {
		return store.Session{}, fmt.Errorf("script returned fields of session %q of type %T, not pairs", sel, fields)
	}
	m := make(map[string]string, len(v)/2)
	for i := 0; i < len(v); i += 2 {
		f, ok1 := v[i].(string)
		val, ok2 := v[i+1].(string)
		if !ok1 || !ok2 {
			return store.Session{}, fmt.Errorf("script returned a field of session %q of type %T or %T", sel, v[i], v[i+1])
		}
		m[f] = val
	}
	return fieldsSession(sel, m)
}

// fieldsSession returns the session with the selector whose hash is
// fields.
func fieldsSession(selector string, fields map[string]string) (store.Session, error) {
	sess := store.Session{Selector: selector, AccountID: fields["account"]}
	if packed, ok := fields["s"]; ok {
		if !unpackSession(packed, &sess) {
			return store.Session{}, fmt.Errorf("field s of session %q does not read", selector)
		}
	} else {
		sess.Realm, sess.Hash, sess.Stamp = fields["realm"], []byte(fields["hash"]), fields["stamp"]
		sess.ClientAddr, sess.UserAgent = fields["addr"], fields["agent"]
		for f, v := range fields {
			key, ok := strings.CutPrefix(f, dataField)
			if !ok {
				continue
			}
			if sess.Data == nil {
				sess.Data = make(map[string]string)
			}
			sess.Data[key] = v
		}
	}
	for _, t := range []struct {
		field string
		to    *time.Time
	}{
		{"created", &sess.CreatedAt}, {"seen", &sess.LastSeenAt},
		{"idle", &sess.IdleUntil}, {"expires", &sess.ExpiresAt}, {"verified", &sess.VerifiedAt},
	} {
		v, ok := fields[t.field]
		if !ok && t.field == "verified" {
			v = fields["created"] // stored before VerifiedAt
		}
		us, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return store.Session{}, fmt.Errorf("field %s of session %q: %w", t.field, selector, err)
		}
		*t.to = microTime(us)
	}
	return sess, nil
}

// packVersion begins a session's field s: its encoding.
const packVersion = 1

// packSession returns a session's field s: packVersion; the realm, hash,
// stamp, client address and user agent, each its length (uvarint) and
// bytes; the Data's entries (uvarint), each key and value so.
func packSession(sess store.Session) []byte {
	n := 16 + len(sess.Realm) + len(sess.Hash) + len(sess.Stamp) + len(sess.ClientAddr) + len(sess.UserAgent)
	for k, v := range sess.Data {
		n += len(k) + len(v) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, packVersion)
	for _, v := range []string{sess.Realm, string(sess.Hash), sess.Stamp, sess.ClientAddr, sess.UserAgent} {
		b = appendString(b, v)
	}
	b = binary.AppendUvarint(b, uint64(len(sess.Data)))
	for k, v := range sess.Data {
		b = appendString(appendString(b, k), v)
	}
	return b
}

// unpackSession reads what packSession wrote into sess, or reports
// false.
func unpackSession(packed string, sess *store.Session) bool {
	if len(packed) == 0 || packed[0] != packVersion {
		return false
	}
	d := copyDecoder{raw: packed[1:]}
	var hash string
	for _, to := range []*string{&sess.Realm, &hash, &sess.Stamp, &sess.ClientAddr, &sess.UserAgent} {
		*to = d.string()
	}
	sess.Hash = []byte(hash)
	n := d.uvarint()
	if n > store.MaxSessionData {
		return false
	}
	if n > 0 {
		sess.Data = make(map[string]string, n)
		for range n {
			k := d.string()
			sess.Data[k] = d.string()
		}
	}
	return !d.bad && d.raw == ""
}

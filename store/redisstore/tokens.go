package redisstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/masuk-id/masuk/store"
)

var _ store.Tokens = (*Store)(nil)

// A token is the hash <prefix>token:<selector> with the fields account,
// purpose, binding (absent when empty), hash (binary, as given), attempts,
// max, issued and expires (Unix microseconds), and data:<key> for each
// entry of its Data. It expires (PEXPIRE) when its lifetime, expires less
// issued, has passed since it was stored.
//
// The hash <prefix>tokens:<account ID> is the account's index: each field
// names a purpose and binding, and its value is the selector of the
// account's token of that purpose and binding, so that a token is found by
// account, purpose and binding, and VoidTokens and the bound of
// store.MaxTokensPerPurpose find the account's tokens without scanning.
// The field of the empty binding is the purpose itself, as it was before
// bindings, so that an index written then reads the same. The field of
// another binding is one no purpose can be, as a purpose is at most
// store.MaxTokenPurpose (64) bytes: a header of 65 bytes (the purpose's
// length as one byte, the purpose, NUL bytes to fill) and then the
// binding. The index expires when the last token written into it would.
// An entry may outlive its token (Redis dropped the token by its TTL); the
// scripts check that the token an entry names is the account's and of
// that purpose and binding before they act on it.
//
// Both keys begin with the prefix, whose hash tag under Redis Cluster puts
// them in one slot, so one script reaches a token by its selector and then
// its account's index, or the index and then the token, atomically. The
// scripts are given the key they start from in KEYS and the prefix in
// ARGV[1], and build the key they find from there: it is known only once
// the first is read, and it is in the same slot.
const (
	tokenKeyPart      = "token:"
	tokenIndexKeyPart = "tokens:"
	dataField         = "data:"
)

// luaTokens is the start of the token scripts: the keys, the index's
// fields, and forget.
const luaTokens = `
local prefix = ARGV[1]

local function tokenKey(selector)
  return prefix .. 'token:' .. selector
end

local function indexKey(account)
  return prefix .. 'tokens:' .. account
end

-- header begins the index field of every binding but the empty one of
-- the purpose (at most 64 bytes): 65 bytes, longer than any purpose.
local function header(purpose)
  return string.char(#purpose) .. purpose .. string.rep('\0', 64 - #purpose)
end

-- field is the index field of the token of purpose and binding.
local function field(purpose, binding)
  if binding == '' then
    return purpose
  end
  return header(purpose) .. binding
end

-- purposeOf is the purpose of the index field f.
local function purposeOf(f)
  if #f > 64 then
    return string.sub(f, 2, 1 + string.byte(f, 1))
  end
  return f
end

-- forget deletes the token selector of account, purpose and binding, and
-- its index entry if the entry names it.
local function forget(selector, account, purpose, binding)
  redis.call('DEL', tokenKey(selector))
  local index, f = indexKey(account), field(purpose, binding)
  if redis.call('HGET', index, f) == selector then
    redis.call('HDEL', index, f)
  end
end
`

// Replies of issueScript, first of its reply; a cooldown is followed by
// when it ends.
const (
	issueStored   = 0
	issueConflict = 1
	issueCooldown = 2
)

// issueScript stores the token KEYS[1] of the account whose index is
// KEYS[2], deleting the account's token of the same purpose and binding,
// unless another account's, purpose's or binding's token has the
// selector, or, when ARGV[7], the cooldown in microseconds, is above zero,
// the token it would delete is another (its selector differs), live at
// ARGV[5], the time of issue, and younger than the cooldown. Then, when
// the account has ARGV[9] (store.MaxTokensPerPurpose) or more other live
// tokens of the purpose, it deletes those that expire first (then those
// issued first, then the least selectors) to make room; on the way it
// drops the purpose's expired tokens and the entries whose token is gone.
// ARGV[2] is the selector, ARGV[3] the account, ARGV[4] the purpose,
// ARGV[8] the binding, ARGV[6] the TTL in milliseconds, and the rest the
// hash's fields and values.
//
// A token issued again with its own selector replaces itself without a
// cooldown: it is not one of the "other" tokens the contract cools down
// on, and so an IssueToken that go-redis retries after a lost reply
// stores the token instead of refusing it for its own sake.
var issueScript = redis.NewScript(luaTokens + `
local selector, account, purpose, binding = ARGV[2], ARGV[3], ARGV[4], ARGV[8]
local issued, ttl, cooldown, bound = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[9])
local own = field(purpose, binding)
local taken = redis.call('HMGET', KEYS[1], 'account', 'purpose', 'binding')
if taken[1] and (taken[1] ~= account or taken[2] ~= purpose or (taken[3] or '') ~= binding) then
  return {1}
end
local old = redis.call('HGET', KEYS[2], own)
if old then
  local o = redis.call('HMGET', tokenKey(old), 'account', 'purpose', 'binding', 'issued', 'expires')
  if o[1] == account and o[2] == purpose and (o[3] or '') == binding then
    local oldIssued = tonumber(o[4])
    if old ~= selector and cooldown > 0 and issued < tonumber(o[5]) and issued - oldIssued < cooldown then
      return {2, oldIssued + cooldown}
    end
    redis.call('DEL', tokenKey(old))
  end
end
local live = {}
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  local f, sel = entries[i], entries[i + 1]
  if f ~= own and purposeOf(f) == purpose then
    local v = redis.call('HMGET', tokenKey(sel), 'account', 'purpose', 'binding', 'issued', 'expires')
    if v[1] ~= account or v[2] ~= purpose or field(purpose, v[3] or '') ~= f then
      redis.call('HDEL', KEYS[2], f)
    elseif issued >= tonumber(v[5]) then
      redis.call('DEL', tokenKey(sel))
      redis.call('HDEL', KEYS[2], f)
    else
      live[#live + 1] = {sel, f, tonumber(v[5]), tonumber(v[4])}
    end
  end
end
if #live >= bound then
  table.sort(live, function(a, b)
    if a[3] ~= b[3] then
      return a[3] < b[3]
    end
    if a[4] ~= b[4] then
      return a[4] < b[4]
    end
    return a[1] < b[1]
  end)
  for i = 1, #live - bound + 1 do
    redis.call('DEL', tokenKey(live[i][1]))
    redis.call('HDEL', KEYS[2], live[i][2])
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 10))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('HSET', KEYS[2], own, selector)
if redis.call('PTTL', KEYS[2]) < ttl then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return {0}
`)

// attemptTokenScript charges an attempt to a token and returns its
// selector and then its fields and values, or nothing when there is no
// token to charge, deleting one that has expired at ARGV[2] (one that has
// no attempts left stays, for the caller charged its last to consume).
// With a selector, ARGV[3], KEYS[1] is the token; without, it is the index
// of the account ARGV[4], ARGV[5] the purpose and ARGV[6] the binding.
var attemptTokenScript = redis.NewScript(luaTokens + `
local at, selector, account, purpose, binding = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local key = KEYS[1]
if selector == '' then
  selector = redis.call('HGET', KEYS[1], field(purpose, binding))
  if not selector then
    return {}
  end
  key = tokenKey(selector)
end
local v = redis.call('HMGET', key, 'account', 'purpose', 'attempts', 'max', 'expires', 'binding')
if not v[1] then
  return {}
end
local b = v[6] or ''
if ARGV[3] == '' and (v[1] ~= account or v[2] ~= purpose or b ~= binding) then
  return {}
end
if at >= tonumber(v[5]) then
  forget(selector, v[1], v[2], b)
  return {}
end
if tonumber(v[3]) >= tonumber(v[4]) then
  return {}
end
redis.call('HINCRBY', key, 'attempts', 1)
local r = redis.call('HGETALL', key)
table.insert(r, 1, selector)
return r
`)

// consumeTokenScript deletes the token KEYS[1], whose selector is
// ARGV[2], if its hash is ARGV[3], and returns 1 if it did.
//
// The comparison is Lua's, not constant-time. What it compares is a hash
// of a secret, which the caller has already compared in constant time
// with the hash of what was typed (AttemptToken, then ConsumeToken), and
// not the secret: its timing tells an attacker nothing about a secret he
// could use, and a guess is charged by AttemptToken before it gets here.
var consumeTokenScript = redis.NewScript(luaTokens + `
local v = redis.call('HMGET', KEYS[1], 'account', 'purpose', 'hash', 'binding')
if not v[1] or v[3] ~= ARGV[3] then
  return 0
end
forget(ARGV[2], v[1], v[2], v[4] or '')
return 1
`)

// voidTokensScript deletes the tokens of the account ARGV[2], whose index
// is KEYS[1], of every binding of the purposes ARGV[3] on, or of every
// purpose in the index when none is given, and their entries.
var voidTokensScript = redis.NewScript(luaTokens + `
local account = ARGV[2]
local purposes = {}
for i = 3, #ARGV do
  purposes[ARGV[i]] = true
end
local entries = redis.call('HGETALL', KEYS[1])
for i = 1, #entries, 2 do
  local f, selector = entries[i], entries[i + 1]
  if #ARGV == 2 or purposes[purposeOf(f)] then
    local v = redis.call('HMGET', tokenKey(selector), 'account', 'purpose', 'binding')
    if v[1] == account and field(v[2], v[3] or '') == f then
      redis.call('DEL', tokenKey(selector))
    end
    redis.call('HDEL', KEYS[1], f)
  end
end
return 0
`)

// IssueToken implements [store.Tokens] with one script, one round trip.
// The cooldown is rounded up to whole microseconds.
func (s *Store) IssueToken(ctx context.Context, t store.Token, cooldown time.Duration) error {
	if err := store.CheckToken(t); err != nil {
		return err
	}
	issued, err := unixMicros(t.IssuedAt)
	if err != nil {
		return err
	}
	expires, err := unixMicros(t.ExpiresAt)
	if err != nil {
		return err
	}
	ttl := t.ExpiresAt.Sub(t.IssuedAt)
	ttlMillis := int64((ttl + time.Millisecond - 1) / time.Millisecond)
	var cool int64
	if cooldown > 0 {
		cool = micros(cooldown)
	}
	args := make([]any, 0, 9+2*(8+len(t.Data)))
	args = append(args, s.prefix, t.Selector, t.AccountID, t.Purpose, issued, ttlMillis, cool, t.Binding, store.MaxTokensPerPurpose,
		"account", t.AccountID, "purpose", t.Purpose, "hash", t.Hash, "attempts", 0,
		"max", t.MaxAttempts, "issued", issued, "expires", expires)
	if t.Binding != "" {
		args = append(args, "binding", t.Binding)
	}
	for k, v := range t.Data {
		args = append(args, dataField+k, v)
	}
	r, err := run(ctx, s.client, issueScript, []string{s.tokenKey(t.Selector), s.tokenIndexKey(t.AccountID)}, args...).Int64Slice()
	if err == nil && (len(r) == 0 || r[0] == issueCooldown && len(r) != 2) {
		err = fmt.Errorf("script returned %v", r)
	}
	if err != nil {
		return fail(ctx, "IssueToken", err)
	}
	switch r[0] {
	case issueConflict:
		return store.ErrConflict
	case issueCooldown:
		return &store.CooldownError{Until: microTime(r[1])}
	}
	return nil
}

// AttemptToken implements [store.Tokens] with one script, one round trip.
// Time at must fall in the years 1970 to 2112, or it is store.ErrInvalid.
func (s *Store) AttemptToken(ctx context.Context, k store.TokenKey, at time.Time) (store.Token, error) {
	if err := store.CheckTokenKey(k); err != nil {
		return store.Token{}, err
	}
	now, err := unixMicros(at)
	if err != nil {
		return store.Token{}, err
	}
	key := s.tokenKey(k.Selector)
	if k.Selector == "" {
		if len(k.Purpose) > store.MaxTokenPurpose {
			return store.Token{}, store.ErrNotFound // never stored
		}
		key = s.tokenIndexKey(k.AccountID)
	}
	v, err := run(ctx, s.client, attemptTokenScript, []string{key}, s.prefix, now, k.Selector, k.AccountID, k.Purpose, k.Binding).StringSlice()
	if err == nil && len(v) > 0 && len(v)%2 != 1 {
		err = fmt.Errorf("script returned %d values, not a selector and field and value pairs", len(v))
	}
	if err != nil {
		return store.Token{}, fail(ctx, "AttemptToken", err)
	}
	if len(v) == 0 {
		return store.Token{}, store.ErrNotFound
	}
	t, err := fieldsToken(v[0], v[1:])
	if err != nil {
		return store.Token{}, fail(ctx, "AttemptToken", err)
	}
	return t, nil
}

// ConsumeToken implements [store.Tokens] with one script, one round trip.
func (s *Store) ConsumeToken(ctx context.Context, selector string, hash []byte) error {
	if selector == "" {
		return store.ErrNotFound
	}
	n, err := run(ctx, s.client, consumeTokenScript, []string{s.tokenKey(selector)}, s.prefix, selector, hash).Int()
	if err != nil {
		return fail(ctx, "ConsumeToken", err)
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// VoidTokens implements [store.Tokens] with one script, one round trip.
// An empty account ID is store.ErrInvalid.
func (s *Store) VoidTokens(ctx context.Context, accountID string, purposes ...string) error {
	if accountID == "" {
		return fmt.Errorf("redisstore: VoidTokens: account id is empty: %w", store.ErrInvalid)
	}
	args := make([]any, 0, 2+len(purposes))
	args = append(args, s.prefix, accountID)
	for _, p := range purposes {
		args = append(args, p)
	}
	if err := run(ctx, s.client, voidTokensScript, []string{s.tokenIndexKey(accountID)}, args...).Err(); err != nil {
		return fail(ctx, "VoidTokens", err)
	}
	return nil
}

func (s *Store) tokenKey(selector string) string { return s.prefix + tokenKeyPart + selector }

func (s *Store) tokenIndexKey(accountID string) string {
	return s.prefix + tokenIndexKeyPart + accountID
}

// fieldsToken returns the token with the selector whose hash fields and
// values, in pairs, are v.
func fieldsToken(selector string, v []string) (store.Token, error) {
	t := store.Token{Selector: selector}
	ints := map[string]int64{}
	for i := 0; i < len(v); i += 2 {
		f, val := v[i], v[i+1]
		switch f {
		case "account":
			t.AccountID = val
		case "purpose":
			t.Purpose = val
		case "binding":
			t.Binding = val
		case "hash":
			t.Hash = []byte(val)
		case "attempts", "max", "issued", "expires":
			n, err := strconv.ParseInt(val, 10, 64)
			if err != nil {
				return store.Token{}, fmt.Errorf("field %s of token %q: %w", f, selector, err)
			}
			ints[f] = n
		default:
			key, ok := strings.CutPrefix(f, dataField)
			if !ok {
				continue
			}
			if t.Data == nil {
				t.Data = make(map[string]string)
			}
			t.Data[key] = val
		}
	}
	for _, f := range []string{"attempts", "max", "issued", "expires"} {
		if _, ok := ints[f]; !ok {
			return store.Token{}, fmt.Errorf("token %q has no field %s", selector, f)
		}
	}
	t.Attempts, t.MaxAttempts = int(ints["attempts"]), int(ints["max"])
	t.IssuedAt, t.ExpiresAt = microTime(ints["issued"]), microTime(ints["expires"])
	return t, nil
}

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
// purpose, hash (binary, as given), attempts, max, issued and expires
// (Unix microseconds), and data:<key> for each entry of its Data. It
// expires (PEXPIRE) when its lifetime, expires less issued, has passed
// since it was stored.
//
// The hash <prefix>tokens:<account ID> is the account's index: each field
// is a purpose and its value the selector of the account's token of that
// purpose, so that a token is found by account and purpose, and VoidTokens
// finds every purpose without scanning. It expires when the last token
// written into it would. An entry may outlive its token (Redis dropped the
// token by its TTL); the scripts check that the token an entry names is
// the account's and of that purpose before they act on it.
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

// luaTokens is the start of the token scripts: the keys, and forget.
const luaTokens = `
local prefix = ARGV[1]

local function tokenKey(selector)
  return prefix .. 'token:' .. selector
end

local function indexKey(account)
  return prefix .. 'tokens:' .. account
end

-- forget deletes the token selector of account and purpose, and its
-- index entry if the entry names it.
local function forget(selector, account, purpose)
  redis.call('DEL', tokenKey(selector))
  local index = indexKey(account)
  if redis.call('HGET', index, purpose) == selector then
    redis.call('HDEL', index, purpose)
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
// KEYS[2], deleting the account's token of the same purpose, unless
// another account's or purpose's token has the selector, or, when
// ARGV[7], the cooldown in microseconds, is above zero, the token it would
// delete is another (its selector differs), live at ARGV[5], the time of
// issue, and younger than the cooldown. ARGV[2] is the selector, ARGV[3]
// the account, ARGV[4] the purpose, ARGV[6] the TTL in milliseconds, and
// the rest the hash's fields and values.
//
// A token issued again with its own selector replaces itself without a
// cooldown: it is not one of the "other" tokens the contract cools down
// on, and so an IssueToken that go-redis retries after a lost reply
// stores the token instead of refusing it for its own sake.
var issueScript = redis.NewScript(luaTokens + `
local selector, account, purpose = ARGV[2], ARGV[3], ARGV[4]
local issued, ttl, cooldown = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local taken = redis.call('HMGET', KEYS[1], 'account', 'purpose')
if taken[1] and (taken[1] ~= account or taken[2] ~= purpose) then
  return {1}
end
local old = redis.call('HGET', KEYS[2], purpose)
if old then
  local o = redis.call('HMGET', tokenKey(old), 'account', 'purpose', 'issued', 'expires')
  if o[1] == account and o[2] == purpose then
    local oldIssued = tonumber(o[3])
    if old ~= selector and cooldown > 0 and issued < tonumber(o[4]) and issued - oldIssued < cooldown then
      return {2, oldIssued + cooldown}
    end
    redis.call('DEL', tokenKey(old))
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('HSET', KEYS[2], purpose, selector)
if redis.call('PTTL', KEYS[2]) < ttl then
  redis.call('PEXPIRE', KEYS[2], ttl)
end
return {0}
`)

// attemptTokenScript charges an attempt to a token and returns its
// selector and then its fields and values, or nothing when there is no
// token to charge, deleting one that has expired at ARGV[2] (one that has
// no attempts left stays, for the caller charged its last to consume). With a selector, ARGV[3], KEYS[1] is the token;
// without, it is the index of the account ARGV[4], and ARGV[5] the
// purpose.
var attemptTokenScript = redis.NewScript(luaTokens + `
local at, selector, account, purpose = tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local key = KEYS[1]
if selector == '' then
  selector = redis.call('HGET', KEYS[1], purpose)
  if not selector then
    return {}
  end
  key = tokenKey(selector)
end
local v = redis.call('HMGET', key, 'account', 'purpose', 'attempts', 'max', 'expires')
if not v[1] then
  return {}
end
if ARGV[3] == '' and (v[1] ~= account or v[2] ~= purpose) then
  return {}
end
if at >= tonumber(v[5]) then
  forget(selector, v[1], v[2])
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
local v = redis.call('HMGET', KEYS[1], 'account', 'purpose', 'hash')
if not v[1] or v[3] ~= ARGV[3] then
  return 0
end
forget(ARGV[2], v[1], v[2])
return 1
`)

// voidTokensScript deletes the tokens of the account ARGV[2], whose index
// is KEYS[1], of the purposes ARGV[3] on, or of every purpose in the index
// when none is given.
var voidTokensScript = redis.NewScript(luaTokens + `
local account = ARGV[2]
local purposes = {}
if #ARGV > 2 then
  for i = 3, #ARGV do
    purposes[#purposes + 1] = ARGV[i]
  end
else
  purposes = redis.call('HKEYS', KEYS[1])
end
for _, purpose in ipairs(purposes) do
  local selector = redis.call('HGET', KEYS[1], purpose)
  if selector then
    local v = redis.call('HMGET', tokenKey(selector), 'account', 'purpose')
    if v[1] == account and v[2] == purpose then
      redis.call('DEL', tokenKey(selector))
    end
    redis.call('HDEL', KEYS[1], purpose)
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
	args := make([]any, 0, 7+2*(7+len(t.Data)))
	args = append(args, s.prefix, t.Selector, t.AccountID, t.Purpose, issued, ttlMillis, cool,
		"account", t.AccountID, "purpose", t.Purpose, "hash", t.Hash, "attempts", 0,
		"max", t.MaxAttempts, "issued", issued, "expires", expires)
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
		key = s.tokenIndexKey(k.AccountID)
	}
	v, err := run(ctx, s.client, attemptTokenScript, []string{key}, s.prefix, now, k.Selector, k.AccountID, k.Purpose).StringSlice()
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

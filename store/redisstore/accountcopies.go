package redisstore

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/masuk-id/masuk/store"
)

var _ store.AccountCopies = (*Store)(nil)

// DefaultAccountCopyFor is how long a copy of an account kept in a
// session serves when [Config.AccountCopyFor] is zero: the longest that a
// write of the account bypassing masuk (a host's own SQL) stays unseen by
// the account's sessions.
const DefaultAccountCopyFor = time.Minute

// DefaultAccountWriteFor is how long an account write that began and did
// not end holds back new copies of the account when
// [Config.AccountWriteFor] is zero: longer than any write should take.
const DefaultAccountWriteFor = time.Minute

// accountGenTTL is how long an account's generation outlives its last
// write. A reader that read the generation before the key lapsed and
// offers a copy after a write and the lapse would find the generation it
// read (none) again: it would have to hold a read this long.
const accountGenTTL = 24 * time.Hour

// Copies of accounts (store.AccountCopies): a session's hash keeps its
// account's copy in the field acct (see encodeCopy: with it, when it
// lapses, by the caller's clock). Beside them, per account:
//
//   - <prefix>account-gen:<account ID>, the generation: a counter that
//     each BeginAccountWrite and EndAccountWrite increments, expiring
//     accountGenTTL after the last;
//   - <prefix>account-writes:<account ID>, the writes under way: a
//     counter that BeginAccountWrite increments and EndAccountWrite
//     decrements (deleting it at zero), expiring AccountWriteFor after
//     the last Begin, so that a write whose End was lost holds copies back
//     no longer than that.
//
// Begin and End drop the copy fields of each session the account's index
// names (only those whose hash says it is the account's: the index's
// members may be stale), each in one script. KeepCopy's script keeps a
// copy only in a live session of the account, when the generation is the
// one the caller read before reading the account and no write is under
// way. A session's copy goes with its hash.
const (
	accountGenKeyPart    = "account-gen:"
	accountWritesKeyPart = "account-writes:"
)

// luaDropCopies drops the copies of the account ARGV[2] from the sessions
// its index KEYS[3] names; ARGV[1] is the prefix.
const luaDropCopies = `
local prefix, account = ARGV[1], ARGV[2]
local function dropCopies()
  for _, selector in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
    local key = prefix .. 'session:' .. selector
    if redis.call('HGET', key, 'account') == account then
      redis.call('HDEL', key, 'acct')
    end
  end
end
`

// beginWriteScript begins a write of the account ARGV[2]: its generation
// KEYS[1] moves on (and lives ARGV[4] milliseconds), its writes KEYS[2]
// count one more (and live ARGV[3] milliseconds), and the copies in the
// sessions of its index KEYS[3] go.
var beginWriteScript = redis.NewScript(luaDropCopies + `
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
dropCopies()
return 0
`)

// endWriteScript ends a write of the account ARGV[2]: its generation
// KEYS[1] moves on (and lives ARGV[4] milliseconds), its writes KEYS[2]
// count one fewer (the key goes at zero; a count that lapsed stays gone),
// and the copies in the sessions of its index KEYS[3] go.
var endWriteScript = redis.NewScript(luaDropCopies + `
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if redis.call('EXISTS', KEYS[2]) == 1 and redis.call('DECR', KEYS[2]) <= 0 then
  redis.call('DEL', KEYS[2])
end
dropCopies()
return 0
`)

// keepCopyScript keeps the copy ARGV[4] (which holds when it lapses) in the
// session KEYS[1] when it is a session of the account ARGV[1] live at
// ARGV[3], the account's generation KEYS[2] is there and is ARGV[2], and
// no write of it is under way (KEYS[3]). It returns 1 if it kept it.
var keepCopyScript = redis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'account', 'idle', 'expires')
if v[1] ~= ARGV[1] then
  return 0
end
local at = tonumber(ARGV[3])
if not (at < tonumber(v[2]) and at < tonumber(v[3])) then
  return 0
end
if redis.call('GET', KEYS[2]) ~= ARGV[2] then
  return 0
end
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then
  return 0
end
redis.call('HSET', KEYS[1], 'acct', ARGV[4])
return 1
`)

// copyVersion begins every copy: its encoding, which a later one may
// change (a copy of another encoding reads as none, and is replaced).
const copyVersion = 1

// generationScript returns the account's generation KEYS[1], first
// setting it to ARGV[1], a random number, when there is none (for ARGV[2]
// milliseconds). A generation that Redis loses (evicted, or expired) comes
// back as another random number, never one a reader read before: a
// reader's copy is then refused rather than taken for current.
var generationScript = redis.NewScript(`
local g = redis.call('GET', KEYS[1])
if not g then
  g = ARGV[1]
  redis.call('SET', KEYS[1], g, 'PX', ARGV[2])
end
return g
`)

// encodeCopy returns a as a session keeps it until the time until (Unix
// microseconds): copyVersion; until (varint); the ID, realm,
// username, display username, email, phone, state and stamp, each its
// length (uvarint) and bytes; the profile's entries plus one (0 for a nil
// map), each key and value so; and the creation and update times, each
// its Unix seconds (varint) and nanoseconds (uvarint). It is read on
// every load, where JSON's decoding cost a fifth of the load.
func encodeCopy(a store.Account, until int64) []byte {
	n := 32
	for _, v := range []string{a.ID, a.Realm, a.Username, a.DisplayUsername, a.Email, a.Phone, string(a.State), a.SecurityStamp} {
		n += len(v) + 2
	}
	for k, v := range a.Profile {
		n += len(k) + len(v) + 4
	}
	b := make([]byte, 0, n)
	b = append(b, copyVersion)
	b = binary.AppendVarint(b, until)
	for _, v := range []string{a.ID, a.Realm, a.Username, a.DisplayUsername, a.Email, a.Phone, string(a.State), a.SecurityStamp} {
		b = appendString(b, v)
	}
	if a.Profile == nil {
		b = binary.AppendUvarint(b, 0)
	} else {
		b = binary.AppendUvarint(b, uint64(len(a.Profile))+1)
		for k, v := range a.Profile {
			b = appendString(appendString(b, k), v)
		}
	}
	for _, t := range []time.Time{a.CreatedAt, a.UpdatedAt} {
		b = binary.AppendVarint(b, t.Unix())
		b = binary.AppendUvarint(b, uint64(t.Nanosecond()))
	}
	return b
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// decodeCopy reads what encodeCopy wrote, or reports false. Times read
// back in UTC.
func decodeCopy(raw string) (a store.Account, until int64, ok bool) {
	if len(raw) == 0 || raw[0] != copyVersion {
		return store.Account{}, 0, false
	}
	d := copyDecoder{raw: raw[1:]}
	until = d.varint()
	for _, to := range []*string{&a.ID, &a.Realm, &a.Username, &a.DisplayUsername, &a.Email, &a.Phone, (*string)(&a.State), &a.SecurityStamp} {
		*to = d.string()
	}
	if n := d.uvarint(); n > 0 && n <= store.MaxProfileFields+1 {
		a.Profile = make(map[string]string, n-1)
		for range n - 1 {
			k := d.string()
			a.Profile[k] = d.string()
		}
	} else if n != 0 {
		return store.Account{}, 0, false
	}
	for _, to := range []*time.Time{&a.CreatedAt, &a.UpdatedAt} {
		sec, nsec := d.varint(), d.uvarint()
		if nsec >= 1e9 {
			d.bad = true
		}
		*to = time.Unix(sec, int64(nsec)).UTC()
	}
	if d.bad || d.raw != "" {
		return store.Account{}, 0, false
	}
	return a, until, true
}

// copyDecoder reads a copy's parts off raw; bad is set, and stays, at
// the first that does not read.
type copyDecoder struct {
	raw string
	bad bool
}

func (d *copyDecoder) uvarint() uint64 {
	v, n := binary.Uvarint([]byte(d.raw[:min(len(d.raw), binary.MaxVarintLen64)]))
	if n <= 0 {
		d.bad, d.raw = true, ""
		return 0
	}
	d.raw = d.raw[n:]
	return v
}

// varint reads what binary.AppendVarint wrote: a zig-zag uvarint.
func (d *copyDecoder) varint() int64 {
	u := d.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (d *copyDecoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.raw)) {
		d.bad, d.raw = true, ""
		return ""
	}
	s := d.raw[:n]
	d.raw = d.raw[n:]
	return s
}

// CopyFor implements [store.AccountCopies]: Config.AccountCopyFor,
// DefaultAccountCopyFor for zero, and zero (no copies) for a negative
// setting.
func (s *Store) CopyFor() time.Duration { return s.copyFor }

// SessionCopy implements [store.AccountCopies] with one HGETALL, the
// read Session makes: the copy is in the session's hash.
func (s *Store) SessionCopy(ctx context.Context, selector string, at time.Time) (store.Session, store.Account, bool, error) {
	sess, fields, err := s.readSession(ctx, "SessionCopy", selector, at)
	if err != nil {
		return store.Session{}, store.Account{}, false, err
	}
	acct, ok := s.sessionsCopy(sess, fields, at)
	return sess, acct, ok, nil
}

// sessionsCopy returns the copy of the account that the hash fields of
// sess hold, if it is one of sess's account and has not lapsed at time
// at. A copy that does not decode is as none: the next KeepCopy replaces
// it.
func (s *Store) sessionsCopy(sess store.Session, fields map[string]string, at time.Time) (store.Account, bool) {
	if s.copyFor <= 0 {
		return store.Account{}, false
	}
	raw, ok := fields["acct"]
	if !ok {
		return store.Account{}, false
	}
	a, until, ok := decodeCopy(raw)
	// A copy is trusted from when it was kept (until less CopyFor) by the
	// caller's clock: one kept by a clock ahead of it is as none, and is
	// replaced by the caller's, so that a fast clock does not stretch
	// CopyFor for the others.
	if now := at.UnixMicro(); !ok || now >= until || now < until-s.copyFor.Microseconds() || a.ID != sess.AccountID {
		return store.Account{}, false
	}
	return a, true
}

// CopyGeneration implements [store.AccountCopies] with one script, one
// round trip: an account that has none is given a random generation.
func (s *Store) CopyGeneration(ctx context.Context, accountID string) (uint64, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("redisstore: CopyGeneration: %w", err)
	}
	// Far from the top of Redis's integers, so that increments never
	// overflow.
	start := binary.BigEndian.Uint64(b[:]) >> 2
	v, err := run(ctx, s.client, generationScript, []string{s.prefix + accountGenKeyPart + accountID}, start, accountGenTTL.Milliseconds()).Text()
	if err != nil {
		return 0, fail(ctx, "CopyGeneration", err)
	}
	g, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fail(ctx, "CopyGeneration", err)
	}
	return g, nil
}

// CopyStore implements [store.AccountCopies]: s itself.
func (s *Store) CopyStore() store.AccountCopies { return s }

// KeepCopy implements [store.AccountCopies] with one script, one round
// trip. Time at must fall in the years 1970 to 2112, or it is
// store.ErrInvalid.
func (s *Store) KeepCopy(ctx context.Context, selector string, a store.Account, gen uint64, at time.Time) (bool, error) {
	if s.copyFor <= 0 {
		return false, nil
	}
	atUs, err := unixMicros(at)
	if err != nil {
		return false, err
	}
	until, err := unixMicros(at.Add(s.copyFor))
	if err != nil {
		return false, err
	}
	raw := encodeCopy(a, until)
	keys := []string{s.sessionKey(selector), s.prefix + accountGenKeyPart + a.ID, s.prefix + accountWritesKeyPart + a.ID}
	n, err := run(ctx, s.client, keepCopyScript, keys, a.ID, strconv.FormatUint(gen, 10), atUs, raw).Int()
	if err != nil {
		return false, fail(ctx, "KeepCopy", err)
	}
	return n == 1, nil
}

// BeginAccountWrite implements [store.AccountCopies] with one script, one
// round trip.
func (s *Store) BeginAccountWrite(ctx context.Context, accountID string) error {
	return s.accountWrite(ctx, "BeginAccountWrite", beginWriteScript, accountID)
}

// EndAccountWrite implements [store.AccountCopies] with one script, one
// round trip.
func (s *Store) EndAccountWrite(ctx context.Context, accountID string) error {
	return s.accountWrite(ctx, "EndAccountWrite", endWriteScript, accountID)
}

func (s *Store) accountWrite(ctx context.Context, op string, script *redis.Script, accountID string) error {
	keys := []string{s.prefix + accountGenKeyPart + accountID, s.prefix + accountWritesKeyPart + accountID, s.sessionIndexKey(accountID)}
	err := run(ctx, s.client, script, keys, s.prefix, accountID, s.writeFor.Milliseconds(), accountGenTTL.Milliseconds()).Err()
	if err != nil {
		return fail(ctx, op, err)
	}
	return nil
}

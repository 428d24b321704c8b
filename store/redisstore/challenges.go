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

var _ store.Challenges = (*Store)(nil)

// A challenge is the hash <prefix>challenge:<id> with the fields flow,
// answer (the answer's hash), issued and expires (Unix microseconds),
// image, and audio:<language> for each WAV; an empty image is no field.
// It expires (PEXPIRE) when its TTL, expires less issued, has passed
// since it was stored. Unless the store is unbounded, the sorted set
// <prefix>challenges holds the IDs of the challenges that are live or
// have not been found expired yet, each scored with its expiry, so that a
// script can count them.
const (
	challengeKeyPart = "challenge:"
	challengeIndex   = "challenges"
	audioField       = "audio:"
)

// Replies of createScript besides 0, stored.
const (
	createConflict = 1
	createFull     = 2
)

// createScript stores the challenge KEYS[1], unless it exists, and, when
// ARGV[5], the bound, is not negative, only while the index KEYS[2]
// holds fewer IDs than that, once it has dropped those expired by
// ARGV[2], the time of issue. ARGV[1] is the ID, ARGV[3] the expiry,
// ARGV[4] the TTL in milliseconds, and the rest the hash's fields and
// values.
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 1
end
if tonumber(ARGV[5]) >= 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
  if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[5]) then
    return 2
  end
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
  if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[4]) then
    redis.call('PEXPIRE', KEYS[2], ARGV[4])
  end
end
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 0
`)

// takeChallengeScript deletes the challenge KEYS[1], and its ID ARGV[1]
// from the index KEYS[2], and returns its fields and values.
var takeChallengeScript = redis.NewScript(`
local v = redis.call('HGETALL', KEYS[1])
if #v > 0 then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
return v
`)

// CreateChallenge implements [store.Challenges] with one script, one
// round trip. An empty image or WAV reads back nil, and so does an empty
// audio map.
func (s *Store) CreateChallenge(ctx context.Context, c store.Challenge) error {
	if err := store.CheckChallenge(c); err != nil {
		return err
	}
	issued, err := unixMicros(c.IssuedAt)
	if err != nil {
		return err
	}
	expires, err := unixMicros(c.ExpiresAt)
	if err != nil {
		return err
	}
	ttl := c.ExpiresAt.Sub(c.IssuedAt)
	ttlMillis := int64((ttl + time.Millisecond - 1) / time.Millisecond)
	args := make([]any, 0, 5+2*(4+1+len(c.Audio)))
	args = append(args, c.ID, issued, expires, ttlMillis, s.maxChallenges,
		"flow", c.Flow, "answer", c.AnswerHash, "issued", issued, "expires", expires)
	if len(c.Image) > 0 {
		args = append(args, "image", c.Image)
	}
	for lang, wav := range c.Audio {
		args = append(args, audioField+lang, wav)
	}
	r, err := run(ctx, s.client, createScript, s.challengeKeys(c.ID), args...).Int()
	if err != nil {
		return fail(ctx, "CreateChallenge", err)
	}
	switch r {
	case createConflict:
		return store.ErrConflict
	case createFull:
		return store.ErrCapacity
	}
	return nil
}

// Challenge implements [store.Challenges] with one HGETALL.
func (s *Store) Challenge(ctx context.Context, id string, at time.Time) (store.Challenge, error) {
	if err := ctx.Err(); err != nil {
		return store.Challenge{}, fail(ctx, "Challenge", err)
	}
	fields, err := s.client.HGetAll(ctx, s.challengeKeys(id)[0]).Result()
	if err != nil {
		return store.Challenge{}, fail(ctx, "Challenge", err)
	}
	return liveChallenge(ctx, "Challenge", id, fields, at)
}

// TakeChallenge implements [store.Challenges] with one script, one round
// trip, which deletes the challenge and returns it; a challenge that has
// expired at time at is deleted too, and not returned.
func (s *Store) TakeChallenge(ctx context.Context, id string, at time.Time) (store.Challenge, error) {
	v, err := run(ctx, s.client, takeChallengeScript, s.challengeKeys(id), id).StringSlice()
	if err == nil && len(v)%2 != 0 {
		err = fmt.Errorf("script returned %d values, not field and value pairs", len(v))
	}
	if err != nil {
		return store.Challenge{}, fail(ctx, "TakeChallenge", err)
	}
	fields := make(map[string]string, len(v)/2)
	for i := 0; i < len(v); i += 2 {
		fields[v[i]] = v[i+1]
	}
	return liveChallenge(ctx, "TakeChallenge", id, fields, at)
}

// challengeKeys returns the key of the challenge with the ID and of the
// index.
func (s *Store) challengeKeys(id string) []string {
	return []string{s.prefix + challengeKeyPart + id, s.prefix + challengeIndex}
}

// liveChallenge returns the challenge whose hash fields are given if it
// is live at time at, and store.ErrNotFound if there are none or it has
// expired: Redis drops a challenge by its own clock, the store decides by
// the caller's.
func liveChallenge(ctx context.Context, op, id string, fields map[string]string, at time.Time) (store.Challenge, error) {
	if len(fields) == 0 {
		return store.Challenge{}, store.ErrNotFound
	}
	c := store.Challenge{ID: id, Flow: fields["flow"], AnswerHash: []byte(fields["answer"])}
	if image := fields["image"]; image != "" {
		c.Image = []byte(image)
	}
	for f, v := range fields {
		lang, ok := strings.CutPrefix(f, audioField)
		if !ok {
			continue
		}
		if c.Audio == nil {
			c.Audio = make(map[string][]byte)
		}
		var wav []byte
		if v != "" {
			wav = []byte(v)
		}
		c.Audio[lang] = wav
	}
	for _, t := range []struct {
		field string
		to    *time.Time
	}{{"issued", &c.IssuedAt}, {"expires", &c.ExpiresAt}} {
		us, err := strconv.ParseInt(fields[t.field], 10, 64)
		if err != nil {
			return store.Challenge{}, fail(ctx, op, fmt.Errorf("field %s of challenge %q: %w", t.field, id, err))
		}
		*t.to = time.UnixMicro(us).UTC()
	}
	if !at.Before(c.ExpiresAt) {
		return store.Challenge{}, store.ErrNotFound
	}
	return c, nil
}

// unixMicros returns t in Unix microseconds, or store.ErrInvalid when t
// is outside the years the scripts' numbers hold exactly.
func unixMicros(t time.Time) (int64, error) {
	us := t.UnixMicro()
	if us <= 0 || us >= maxMicros {
		return 0, fmt.Errorf("redisstore: time %v is outside the years 1970 to 2112: %w", t, store.ErrInvalid)
	}
	return us, nil
}

package redisstore_test

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
)

// tokenSelector is the token the fault tests' methods issue, attempt and
// consume.
const tokenSelector = "sel-0123456789abcdef"

// methodToken is the token the fault tests' methods issue.
func methodToken() store.Token {
	tk := newToken("acc-0123456789", "reset", time.Minute, 5)
	tk.Selector = tokenSelector
	return tk
}

func randomString(prefix string) string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// newToken returns a valid token of the account and purpose issued at t0
// that expires after ttl and allows max attempts; its hash is binary.
func newToken(account, purpose string, ttl time.Duration, max int) store.Token {
	return store.Token{
		Selector:    randomString("sel-"),
		AccountID:   account,
		Purpose:     purpose,
		Hash:        []byte("\x00\xffhash-of-a-secret\r\n\x00"),
		Data:        map[string]string{"email": "budi@example.go.id", "methods": "totp,email", "empty": ""},
		MaxAttempts: max,
		IssuedAt:    t0,
		ExpiresAt:   t0.Add(ttl),
	}
}

func newTokenStore(t *testing.T) (*redisstore.Store, *redis.Client, string) {
	t.Helper()
	client, prefix := testdb.Redis(t)
	s, err := redisstore.New(client, redisstore.Config{Prefix: prefix})
	require.NoError(t, err)
	return s, client, prefix
}

// TestTokenFieldsExact: a token reads back as it was issued, binary hash
// included, to the microsecond, by its selector and by its account and
// purpose, with the attempt charged; no data reads back nil.
func TestTokenFieldsExact(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	tk := newToken(randomString("acc-"), "login.email", 10*time.Minute, 5)
	tk.IssuedAt = tk.IssuedAt.Add(789 * time.Nanosecond) // kept to the microsecond
	require.NoError(t, s.IssueToken(ctx, tk, 0))
	tk.IssuedAt = tk.IssuedAt.Truncate(time.Microsecond)

	got, err := s.AttemptToken(ctx, store.TokenKey{Selector: tk.Selector}, t0)
	require.NoError(t, err)
	want := tk
	want.Attempts = 1
	require.Equal(t, want, got)

	got, err = s.AttemptToken(ctx, store.TokenKey{AccountID: tk.AccountID, Purpose: tk.Purpose}, t0)
	require.NoError(t, err)
	want.Attempts = 2
	require.Equal(t, want, got)

	bare := newToken(randomString("acc-"), "reset", time.Minute, 1)
	bare.Data = map[string]string{}
	require.NoError(t, s.IssueToken(ctx, bare, 0))
	got, err = s.AttemptToken(ctx, store.TokenKey{Selector: bare.Selector}, t0)
	require.NoError(t, err)
	require.Nil(t, got.Data)
}

// TestTokenConcurrentConsume: of many parallel consumers of one token,
// across clients, exactly one wins, and the account's index forgets it.
func TestTokenConcurrentConsume(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	tk := newToken(randomString("acc-"), "reset", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, tk, 0))
	other, err := redisstore.New(redis.NewClient(client.Options()), redisstore.Config{Prefix: prefix})
	require.NoError(t, err)

	var wins, misses atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			st := s
			if i%2 == 1 {
				st = other
			}
			switch err := st.ConsumeToken(ctx, tk.Selector, tk.Hash); {
			case err == nil:
				wins.Add(1)
			case errors.Is(err, store.ErrNotFound):
				misses.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	require.EqualValues(t, 1, wins.Load())
	require.EqualValues(t, 199, misses.Load())
	n, err := client.Exists(ctx, prefix+"token:"+tk.Selector, prefix+"tokens:"+tk.AccountID).Result()
	require.NoError(t, err)
	require.Zero(t, n, "the token and the emptied index are gone")
}

// TestTokenConcurrentAttempts: of many parallel attempts at a token that
// allows 5, exactly 5 are charged, each with a count of its own, and the
// others leave it to be consumed.
func TestTokenConcurrentAttempts(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	tk := newToken(randomString("acc-"), "login.sms", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, tk, 0))

	var mu sync.Mutex
	seen := map[int]bool{}
	var misses atomic.Int64
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			k := store.TokenKey{Selector: tk.Selector}
			if i%2 == 1 {
				k = store.TokenKey{AccountID: tk.AccountID, Purpose: tk.Purpose}
			}
			got, err := s.AttemptToken(ctx, k, t0.Add(time.Minute))
			if errors.Is(err, store.ErrNotFound) {
				misses.Add(1)
				return
			}
			if !assert.NoError(t, err) {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			assert.False(t, seen[got.Attempts], "attempt %d twice", got.Attempts)
			seen[got.Attempts] = true
		})
	}
	wg.Wait()
	require.Equal(t, map[int]bool{1: true, 2: true, 3: true, 4: true, 5: true}, seen)
	require.EqualValues(t, 195, misses.Load())
	n, err := client.Exists(ctx, prefix+"token:"+tk.Selector, prefix+"tokens:"+tk.AccountID).Result()
	require.NoError(t, err)
	require.EqualValues(t, 2, n, "the attempts after the last kept the token and its entry")
	require.NoError(t, s.ConsumeToken(ctx, tk.Selector, tk.Hash))
}

// TestTokenLastAttemptConsumable: the last allowed attempt leaves the
// token to be consumed.
func TestTokenLastAttemptConsumable(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	tk := newToken(randomString("acc-"), "reset", 10*time.Minute, 1)
	require.NoError(t, s.IssueToken(ctx, tk, 0))
	got, err := s.AttemptToken(ctx, store.TokenKey{Selector: tk.Selector}, t0)
	require.NoError(t, err)
	require.Equal(t, 1, got.Attempts)
	require.ErrorIs(t, s.ConsumeToken(ctx, tk.Selector, []byte("0123456789abcdef-wrong")), store.ErrNotFound)
	require.NoError(t, s.ConsumeToken(ctx, tk.Selector, tk.Hash))
	require.ErrorIs(t, s.ConsumeToken(ctx, tk.Selector, tk.Hash), store.ErrNotFound)
}

// TestTokenExpiry: expiry is by the caller's clock: a token Redis still
// has is not found at its expiry, and is deleted.
func TestTokenExpiry(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	tk := newToken(randomString("acc-"), "activate", time.Hour, 5)
	require.NoError(t, s.IssueToken(ctx, tk, 0))
	_, err := s.AttemptToken(ctx, store.TokenKey{Selector: tk.Selector}, tk.ExpiresAt.Add(-time.Microsecond))
	require.NoError(t, err)
	_, err = s.AttemptToken(ctx, store.TokenKey{AccountID: tk.AccountID, Purpose: tk.Purpose}, tk.ExpiresAt)
	require.ErrorIs(t, err, store.ErrNotFound)
	n, err := client.Exists(ctx, prefix+"token:"+tk.Selector).Result()
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = s.AttemptToken(ctx, store.TokenKey{Selector: tk.Selector}, t0)
	require.ErrorIs(t, err, store.ErrNotFound, "gone for good")
}

// TestTokenCooldown: a token younger than the cooldown and live refuses
// another, writing nothing, and says until when; an older or expired one
// is voided.
func TestTokenCooldown(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	account := randomString("acc-")
	first := newToken(account, "login.email", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, first, time.Minute))

	second := newToken(account, "login.email", 10*time.Minute, 5)
	second.IssuedAt = t0.Add(30 * time.Second)
	second.ExpiresAt = second.IssuedAt.Add(10 * time.Minute)
	err := s.IssueToken(ctx, second, time.Minute+time.Nanosecond)
	require.ErrorIs(t, err, store.ErrCooldown)
	var ce *store.CooldownError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, t0.Add(time.Minute+time.Microsecond), ce.Until, "rounded up to the microsecond")
	_, err = s.AttemptToken(ctx, store.TokenKey{Selector: second.Selector}, second.IssuedAt)
	require.ErrorIs(t, err, store.ErrNotFound, "nothing written")
	got, err := s.AttemptToken(ctx, store.TokenKey{AccountID: account, Purpose: "login.email"}, second.IssuedAt)
	require.NoError(t, err)
	require.Equal(t, first.Selector, got.Selector)

	other := newToken(account, "reset", 10*time.Minute, 5)
	other.IssuedAt = second.IssuedAt
	other.ExpiresAt = second.ExpiresAt
	require.NoError(t, s.IssueToken(ctx, other, time.Minute), "another purpose cools down apart")

	second.IssuedAt = t0.Add(time.Minute)
	require.NoError(t, s.IssueToken(ctx, second, time.Minute), "the cooldown has passed")
	_, err = s.AttemptToken(ctx, store.TokenKey{Selector: first.Selector}, second.IssuedAt)
	require.ErrorIs(t, err, store.ErrNotFound, "voided")

	short := newToken(randomString("acc-"), "login.email", time.Second, 5)
	require.NoError(t, s.IssueToken(ctx, short, 0))
	next := newToken(short.AccountID, "login.email", 10*time.Minute, 5)
	next.IssuedAt = t0.Add(time.Second)
	next.ExpiresAt = next.IssuedAt.Add(time.Minute)
	require.NoError(t, s.IssueToken(ctx, next, time.Hour), "an expired token sets no cooldown")
}

// TestTokenIssueVoids: a new token voids the account's token of the
// purpose, and only that one; a selector in use by another account's
// token is a conflict, by the same account and purpose's a replacement.
func TestTokenIssueVoids(t *testing.T) {
	s := newStore(t)
	ctx := t.Context()
	account := randomString("acc-")
	old := newToken(account, "reset", 10*time.Minute, 5)
	keep := newToken(account, "login.email", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, old, 0))
	require.NoError(t, s.IssueToken(ctx, keep, 0))
	next := newToken(account, "reset", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, next, 0))
	require.ErrorIs(t, s.ConsumeToken(ctx, old.Selector, old.Hash), store.ErrNotFound)
	_, err := s.AttemptToken(ctx, store.TokenKey{Selector: keep.Selector}, t0)
	require.NoError(t, err)

	stolen := newToken(randomString("acc-"), "reset", 10*time.Minute, 5)
	stolen.Selector = next.Selector
	require.ErrorIs(t, s.IssueToken(ctx, stolen, 0), store.ErrConflict)
	stolen = newToken(account, "activate", 10*time.Minute, 5)
	stolen.Selector = next.Selector
	require.ErrorIs(t, s.IssueToken(ctx, stolen, 0), store.ErrConflict)

	again := next
	again.Hash = []byte("another-hash-0123456789")
	require.NoError(t, s.IssueToken(ctx, again, 0))
	require.ErrorIs(t, s.ConsumeToken(ctx, next.Selector, next.Hash), store.ErrNotFound)
	require.NoError(t, s.ConsumeToken(ctx, again.Selector, again.Hash))
}

// TestTokenVoid: VoidTokens deletes the purposes given, or every one, of
// the account alone.
func TestTokenVoid(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	account, other := randomString("acc-"), randomString("acc-")
	byPurpose := map[string]store.Token{}
	for _, p := range []string{"reset", "login.email", "activate"} {
		byPurpose[p] = newToken(account, p, 10*time.Minute, 5)
		require.NoError(t, s.IssueToken(ctx, byPurpose[p], 0))
	}
	theirs := newToken(other, "reset", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, theirs, 0))

	require.NoError(t, s.VoidTokens(ctx, account, "reset", "unknown"))
	live := func(tk store.Token) bool {
		_, err := s.AttemptToken(ctx, store.TokenKey{Selector: tk.Selector}, t0)
		if errors.Is(err, store.ErrNotFound) {
			return false
		}
		require.NoError(t, err)
		return true
	}
	require.False(t, live(byPurpose["reset"]))
	require.True(t, live(byPurpose["login.email"]))
	require.True(t, live(byPurpose["activate"]))
	require.True(t, live(theirs))

	require.NoError(t, s.VoidTokens(ctx, account))
	require.False(t, live(byPurpose["login.email"]))
	require.False(t, live(byPurpose["activate"]))
	require.True(t, live(theirs))
	n, err := client.Exists(ctx, prefix+"tokens:"+account).Result()
	require.NoError(t, err)
	require.Zero(t, n)

	require.NoError(t, s.VoidTokens(ctx, randomString("acc-")), "an account without tokens")
	require.ErrorIs(t, s.VoidTokens(ctx, ""), store.ErrInvalid)
}

// TestTokenIndexFields: the account's index names a token of the empty
// binding by its purpose, as before bindings, and one of another binding
// by a field no purpose can be, however a purpose is made up of bytes.
func TestTokenIndexFields(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	account := randomString("acc-")
	// A purpose of 64 bytes that begins as the field of purpose "p" with
	// a binding does.
	crafted := "\x01p" + strings.Repeat("\x00", store.MaxTokenPurpose-2)
	plain := newToken(account, crafted, 10*time.Minute, 5)
	bound := newToken(account, "p", 10*time.Minute, 5)
	bound.Binding = "\x00b"
	unbound := newToken(account, "p", 10*time.Minute, 5)
	for _, tk := range []store.Token{plain, bound, unbound} {
		require.NoError(t, s.IssueToken(ctx, tk, 0))
	}
	fields, err := client.HKeys(ctx, prefix+"tokens:"+account).Result()
	require.NoError(t, err)
	header := "\x01p" + strings.Repeat("\x00", 63)
	require.ElementsMatch(t, []string{crafted, "p", header + "\x00b"}, fields)
	got, err := s.AttemptToken(ctx, store.TokenKey{AccountID: account, Purpose: "p", Binding: "\x00b"}, t0)
	require.NoError(t, err)
	require.Equal(t, bound.Selector, got.Selector)
	require.Equal(t, "\x00b", got.Binding)
	got, err = s.AttemptToken(ctx, store.TokenKey{AccountID: account, Purpose: crafted}, t0)
	require.NoError(t, err)
	require.Equal(t, plain.Selector, got.Selector)
	require.Empty(t, got.Binding)
	_, err = s.AttemptToken(ctx, store.TokenKey{AccountID: account, Purpose: strings.Repeat("p", store.MaxTokenPurpose+1), Binding: "b"}, t0)
	require.ErrorIs(t, err, store.ErrNotFound, "a purpose longer than any stored")

	require.NoError(t, s.VoidTokens(ctx, account, "p"))
	for _, tk := range []store.Token{bound, unbound} {
		require.ErrorIs(t, s.ConsumeToken(ctx, tk.Selector, tk.Hash), store.ErrNotFound)
	}
	fields, err = client.HKeys(ctx, prefix+"tokens:"+account).Result()
	require.NoError(t, err)
	require.Equal(t, []string{crafted}, fields)
	require.NoError(t, s.ConsumeToken(ctx, plain.Selector, plain.Hash))
}

// TestTokenTTL: Redis drops a token when its lifetime has passed since it
// was stored, and the account's index when the last token written into it
// would.
func TestTokenTTL(t *testing.T) {
	s, client, prefix := newTokenStore(t)
	ctx := t.Context()
	account := randomString("acc-")
	long := newToken(account, "reset", time.Hour+time.Microsecond, 5) // rounded up to the millisecond
	short := newToken(account, "login.email", 5*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, long, 0))
	require.NoError(t, s.IssueToken(ctx, short, 0))
	for _, tc := range []struct {
		key  string
		want time.Duration
	}{
		{prefix + "token:" + short.Selector, 5 * time.Minute},
		{prefix + "token:" + long.Selector, time.Hour + time.Millisecond},
		{prefix + "tokens:" + account, time.Hour + time.Millisecond},
	} {
		ttl, err := client.PTTL(ctx, tc.key).Result()
		require.NoError(t, err)
		require.LessOrEqual(t, ttl, tc.want, tc.key)
		require.Greater(t, ttl, tc.want-5*time.Second, tc.key)
	}
	// An attempt keeps the TTL.
	_, err := s.AttemptToken(ctx, store.TokenKey{Selector: short.Selector}, t0)
	require.NoError(t, err)
	ttl, err := client.PTTL(ctx, prefix+"token:"+short.Selector).Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 5*time.Minute-5*time.Second)
}

// TestTokenInvalid: what CheckToken and CheckTokenKey refuse, and times
// outside the years the scripts' numbers hold, are store.ErrInvalid,
// without a server.
func TestTokenInvalid(t *testing.T) {
	s, _ := storeAt(t, &redis.Options{Addr: closedPort(t)})
	ctx := t.Context()
	tk := newToken("acc", "reset", time.Minute, 5)
	tk.Selector = "short"
	require.ErrorIs(t, s.IssueToken(ctx, tk, 0), store.ErrInvalid)
	tk = newToken("acc", "reset", time.Minute, 5)
	tk.IssuedAt, tk.ExpiresAt = time.Unix(0, 0), time.Unix(60, 0)
	require.ErrorIs(t, s.IssueToken(ctx, tk, 0), store.ErrInvalid)
	_, err := s.AttemptToken(ctx, store.TokenKey{AccountID: "acc"}, t0)
	require.ErrorIs(t, err, store.ErrInvalid)
	_, err = s.AttemptToken(ctx, store.TokenKey{Selector: tokenSelector}, time.Time{})
	require.ErrorIs(t, err, store.ErrInvalid)
}

// tokenLifecycle issues, replaces, charges, consumes and voids tokens on
// s: every script, each reaching from the key it is given to the other,
// as TestCluster runs them on Redis Cluster.
func tokenLifecycle(t *testing.T, s *redisstore.Store) {
	t.Helper()
	ctx := t.Context()
	account := randomString("acc-")
	old := newToken(account, "reset", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, old, 0))
	tk := newToken(account, "reset", 10*time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, tk, 0))
	require.ErrorIs(t, s.IssueToken(ctx, newToken(account, "reset", time.Minute, 5), time.Minute), store.ErrCooldown)
	require.NoError(t, s.IssueToken(ctx, tk, time.Minute), "the same token again, as a retry sends it")
	_, err := s.AttemptToken(ctx, store.TokenKey{Selector: old.Selector}, t0)
	require.ErrorIs(t, err, store.ErrNotFound)
	got, err := s.AttemptToken(ctx, store.TokenKey{AccountID: account, Purpose: "reset"}, t0)
	require.NoError(t, err)
	require.Equal(t, tk.Selector, got.Selector)
	require.NoError(t, s.ConsumeToken(ctx, tk.Selector, tk.Hash))
	_, err = s.AttemptToken(ctx, store.TokenKey{Selector: tk.Selector}, t0)
	require.ErrorIs(t, err, store.ErrNotFound)

	expired := newToken(account, "login.email", time.Minute, 5)
	require.NoError(t, s.IssueToken(ctx, expired, 0))
	_, err = s.AttemptToken(ctx, store.TokenKey{Selector: expired.Selector}, expired.ExpiresAt)
	require.ErrorIs(t, err, store.ErrNotFound)
	for _, p := range []string{"a", "b"} {
		require.NoError(t, s.IssueToken(ctx, newToken(account, p, time.Minute, 5), 0))
	}
	require.NoError(t, s.VoidTokens(ctx, account, "a"))
	require.NoError(t, s.VoidTokens(ctx, account))
	_, err = s.AttemptToken(ctx, store.TokenKey{AccountID: account, Purpose: "b"}, t0)
	require.ErrorIs(t, err, store.ErrNotFound)
}

func TestTokenLifecycle(t *testing.T) {
	tokenLifecycle(t, newStore(t))
}

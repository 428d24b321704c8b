package password

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"
)

type vector struct {
	Name        string `json:"name"`
	Password    string `json:"password"`
	PasswordHex string `json:"passwordHex"`
	Salt        string `json:"salt"`
	Encoded     string `json:"encoded"`
	Match       bool   `json:"match"`
	NeedsRehash bool   `json:"needsRehash"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	require.NoError(t, err)
	var file struct{ Vectors []vector }
	require.NoError(t, json.Unmarshal(raw, &file))
	require.NotEmpty(t, file.Vectors)
	for i, v := range file.Vectors {
		if v.PasswordHex != "" {
			pw, err := hex.DecodeString(v.PasswordHex)
			require.NoError(t, err, v.Name)
			file.Vectors[i].Password = string(pw)
		}
	}
	return file.Vectors
}

// TestVectors verifies every known-answer vector with a default Hasher and
// reproduces those that give their salt with Hash.
func TestVectors(t *testing.T) {
	h, err := New(Config{})
	require.NoError(t, err)
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			t.Parallel()
			got, err := h.Verify(context.Background(), v.Password, v.Encoded)
			if !v.Match {
				require.ErrorIs(t, err, ErrMismatch)
				assert.Equal(t, Verified{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, v.NeedsRehash, got.NeedsRehash)
			assert.Equal(t, v.NeedsRehash, h.NeedsRehash(v.Encoded))
			if v.Salt == "" {
				return
			}
			hs, err := New(Config{Rand: strings.NewReader(v.Salt)})
			require.NoError(t, err)
			encoded, err := hs.Hash(context.Background(), v.Password)
			require.NoError(t, err)
			assert.Equal(t, v.Encoded, encoded)
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"zero", Config{}, true},
		{"46 MiB t=1", Config{Argon2: Argon2Params{Memory: 47104, Time: 1}}, true},
		{"12 MiB t=3", Config{Argon2: Argon2Params{Memory: 12288, Time: 3}}, true},
		{"9 MiB t=4", Config{Argon2: Argon2Params{Memory: 9216, Time: 4}}, true},
		{"7 MiB t=5", Config{Argon2: Argon2Params{Memory: 7168, Time: 5}}, true},
		{"64 MiB t=3 p=4", Config{Argon2: Argon2Params{Memory: 65536, Time: 3, Threads: 4}}, true},
		{"memory below 19 MiB at t=2", Config{Argon2: Argon2Params{Memory: 19455}}, false},
		{"7 MiB t=4", Config{Argon2: Argon2Params{Memory: 7168, Time: 4}}, false},
		{"46 MiB by one KiB short at t=1", Config{Argon2: Argon2Params{Memory: 47103, Time: 1}}, false},
		{"9 MiB defaults to t=2", Config{Argon2: Argon2Params{Memory: 9216}}, false},
		{"memory in bytes by mistake", Config{Argon2: Argon2Params{Memory: 64 << 20}}, false},
		{"time above bound", Config{Argon2: Argon2Params{Time: maxTime + 1}}, false},
		{"salt 15 bytes", Config{Argon2: Argon2Params{SaltLength: 15}}, false},
		{"key 15 bytes", Config{Argon2: Argon2Params{KeyLength: 15}}, false},
		{"key 16 bytes", Config{Argon2: Argon2Params{KeyLength: 16}}, true},
		{"negative MaxConcurrent", Config{MaxConcurrent: -1}, false},
		{"negative MaxWaiting means none", Config{MaxWaiting: -1}, true},
		{"MaxBytes 255", Config{MaxBytes: 255}, false},
		{"MaxBytes 256", Config{MaxBytes: 256}, true},
		{"legacy bare md5", Config{Legacy: LegacyConfig{Bare: LegacyMD5}}, true},
		{"legacy bare with site salt", Config{Legacy: LegacyConfig{Bare: LegacySHA1, Salt: "x", Placement: SaltSuffix}}, true},
		{"legacy unknown algorithm", Config{Legacy: LegacyConfig{Bare: "sha512"}}, false},
		{"legacy salt without placement", Config{Legacy: LegacyConfig{Bare: LegacyMD5, Salt: "x"}}, false},
		{"legacy placement without salt", Config{Legacy: LegacyConfig{Bare: LegacyMD5, Placement: SaltPrefix}}, false},
		{"legacy salt without algorithm", Config{Legacy: LegacyConfig{Salt: "x", Placement: SaltPrefix}}, false},
		{"legacy unknown placement", Config{Legacy: LegacyConfig{Bare: LegacyMD5, Salt: "x", Placement: "middle"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := New(tt.cfg)
			if tt.ok {
				require.NoError(t, err)
				require.NotNil(t, h)
				return
			}
			require.ErrorIs(t, err, ErrConfig)
			assert.True(t, strings.HasPrefix(err.Error(), "password: "), err.Error())
		})
	}
}

func TestNewDefaults(t *testing.T) {
	h, err := New(Config{})
	require.NoError(t, err)
	assert.Equal(t, Argon2Params{Memory: 19456, Time: 2, Threads: 1, SaltLength: 16, KeyLength: 32}, h.Params())
	assert.Equal(t, 4096, h.maxBytes)
	assert.Equal(t, 2*runtime.GOMAXPROCS(0), cap(h.lim.slots))
	assert.Equal(t, int64(8*cap(h.lim.slots)), h.lim.maxWaiting)

	h, err = New(Config{Argon2: Argon2Params{Memory: 47104, Time: 1}, MaxConcurrent: 3, MaxWaiting: -1})
	require.NoError(t, err)
	assert.Equal(t, Argon2Params{Memory: 47104, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}, h.Params())
	assert.Equal(t, 3, cap(h.lim.slots))
	assert.Equal(t, int64(0), h.lim.maxWaiting)
}

var phcRE = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	encoded, err := h.Hash(ctx, "kuda laut biru")
	require.NoError(t, err)
	m := phcRE.FindStringSubmatch(encoded)
	require.NotNil(t, m, encoded)
	assert.Equal(t, []string{"64", "1", "1"}, m[1:4])
	assert.Len(t, m[4], 22) // 16 bytes
	assert.Len(t, m[5], 43) // 32 bytes

	again, err := h.Hash(ctx, "kuda laut biru")
	require.NoError(t, err)
	assert.NotEqual(t, encoded, again, "salts must differ")

	got, err := h.Verify(ctx, "kuda laut biru", encoded)
	require.NoError(t, err)
	assert.False(t, got.NeedsRehash)
	assert.False(t, h.NeedsRehash(encoded))

	assertOnlyMatch(t, h, encoded, "kuda laut biru",
		"kuda laut bir", "Kuda laut biru", "kuda laut biru ", " kuda laut biru", "kuda laut biru\x00", "")

	// The same hash read by a Hasher with other parameters needs a rehash.
	other, err := New(Config{})
	require.NoError(t, err)
	got, err = other.Verify(ctx, "kuda laut biru", encoded)
	require.NoError(t, err)
	assert.True(t, got.NeedsRehash)
	assert.True(t, other.NeedsRehash(encoded))
}

func TestHashEmpty(t *testing.T) {
	h := newTestHasher(t, Config{})
	_, err := h.Hash(context.Background(), "")
	assert.ErrorIs(t, err, ErrEmpty)
}

func TestHashRandError(t *testing.T) {
	h := newTestHasher(t, Config{Rand: bytes.NewReader(make([]byte, 8))})
	_, err := h.Hash(context.Background(), "kuda laut biru")
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrMismatch)
	assert.True(t, strings.HasPrefix(err.Error(), "password: reading salt"), err.Error())
}

// Case 20: NUL and whatever follows it are hashed.
func TestNULPreserved(t *testing.T) {
	h := newTestHasher(t, Config{})
	assertOnlyMatch(t, h, "", "abc\x00def", "abc", "abc\x00", "abc\x00de", "abcdef")
	assertOnlyMatch(t, h, "", "abc", "abc\x00def", "abc\x00")
}

// assertOnlyMatch checks that encoded (Hash(pw) when empty) verifies pw and
// none of others.
func assertOnlyMatch(t *testing.T, h *Hasher, encoded, pw string, others ...string) {
	t.Helper()
	ctx := context.Background()
	if encoded == "" {
		var err error
		encoded, err = h.Hash(ctx, pw)
		require.NoError(t, err)
	}
	_, err := h.Verify(ctx, pw, encoded)
	assert.NoError(t, err, "%q", pw)
	for _, other := range others {
		_, err := h.Verify(ctx, other, encoded)
		assert.ErrorIs(t, err, ErrMismatch, "%q verified a hash of %q", other, pw)
	}
}

// Case 21: composed and decomposed input verify the same, both ways; other
// bytes (invalid UTF-8) are kept as they are.
func TestNFC(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	const nfc, nfd = "caf\u00e9 cr\u00e8me", "cafe\u0301 cre\u0300me"
	require.NotEqual(t, nfc, nfd)
	for _, set := range []string{nfc, nfd} {
		encoded, err := h.Hash(ctx, set)
		require.NoError(t, err)
		assertOnlyMatch(t, h, encoded, nfc, "cafe creme")
		assertOnlyMatch(t, h, encoded, nfd, "cafe creme")
	}

	// NFC keeps compatibility characters distinct (NFKC would not), and
	// invalid UTF-8 as it is.
	assertOnlyMatch(t, h, "", "\ufb01ve\u00b2", "five2", "\ufb01ve2")
	assertOnlyMatch(t, h, "", "pass\xffword", "pass\ufffdword", "pass\xfeword", "password")
}

// Case 16: a password over MaxBytes is refused before any hashing, waiting
// or copying: no argon2 call, no allocation.
func TestTooLongRejectedBeforeHashing(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	p := probe(h)
	encoded, err := h.Hash(ctx, "kuda laut biru")
	require.NoError(t, err)
	bcryptHash, err := bcrypt.GenerateFromPassword([]byte("kuda laut biru"), bcrypt.MinCost)
	require.NoError(t, err)
	var bcryptCalls int
	h.bcryptCompare = func(hash, pw []byte) error { bcryptCalls++; return bcrypt.CompareHashAndPassword(hash, pw) }
	p.calls.Store(0)

	for _, size := range []int{4097, 1 << 20, 10 << 20} {
		pw := strings.Repeat("a", size)
		for _, enc := range []string{encoded, string(bcryptHash), "$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99"} {
			_, err := h.Verify(ctx, pw, enc)
			assert.ErrorIs(t, err, ErrTooLong, "size %d", size)
			allocs := testing.AllocsPerRun(5, func() { _, _ = h.Verify(ctx, pw, enc) })
			assert.Zero(t, allocs, "Verify of %d bytes allocated", size)
		}
		_, err := h.Hash(ctx, pw)
		assert.ErrorIs(t, err, ErrTooLong, "size %d", size)
		allocs := testing.AllocsPerRun(5, func() { _, _ = h.Hash(ctx, pw) })
		assert.Zero(t, allocs, "Hash of %d bytes allocated", size)
	}
	assert.Zero(t, p.calls.Load(), "argon2 ran for an oversized password")
	assert.Zero(t, bcryptCalls, "bcrypt ran for an oversized password")

	// Exactly MaxBytes is accepted, and a smaller MaxBytes applies.
	_, err = h.Hash(ctx, strings.Repeat("a", 4096))
	assert.NoError(t, err)
	small := newTestHasher(t, Config{MaxBytes: 300})
	_, err = small.Hash(ctx, strings.Repeat("a", 301))
	assert.ErrorIs(t, err, ErrTooLong)
}

// Case 15: bcrypt ignores bytes past 72; Verify must not.
func TestBcryptOver72Bytes(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	prefix := strings.Repeat("x", 71) + "y" // 72 bytes
	hash, err := bcrypt.GenerateFromPassword([]byte(prefix), bcrypt.MinCost)
	require.NoError(t, err)
	for _, minor := range []string{"$2a$", "$2b$", "$2y$"} {
		encoded := minor + string(hash[4:])
		got, err := h.Verify(ctx, prefix, encoded)
		require.NoError(t, err, minor)
		assert.True(t, got.NeedsRehash)

		// x/crypto itself would accept the longer password.
		require.NoError(t, bcrypt.CompareHashAndPassword([]byte(encoded), []byte(prefix+"Z")))
		for _, long := range []string{prefix + "Z", prefix + "ZZZ", prefix + "\x00"} {
			_, err = h.Verify(ctx, long, encoded)
			assert.ErrorIs(t, err, ErrMismatch, "%s with %d bytes", minor, len(long))
		}
	}
}

func TestMalformed(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	p := probe(h)
	var bcryptCalls int
	h.bcryptCompare = func(hash, pw []byte) error { bcryptCalls++; return nil }
	const salt, key = "c29tZXNhbHRzb21lc2FsdA", "K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE"
	argon := func(s string) string { return s + "$" + salt + "$" + key }
	tests := []string{
		"",
		"$",
		"password",
		"5f4dcc3b5aa765d61d8327deb882cf99", // bare hex without Config.Legacy
		"$argon2id$",
		"$argon2d$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		argon("$argon2id$v=16$m=19456,t=2,p=1"),
		argon("$argon2id$m=19456,t=2,p=1"),
		argon("$argon2id$v=19$t=2,m=19456,p=1"),
		argon("$argon2id$v=19$m=19456,t=2"),
		argon("$argon2id$v=19$m=19456,t=2,p=1,keyid=x"),
		argon("$argon2id$v=19$m=019456,t=2,p=1"),
		argon("$argon2id$v=19$m=+19456,t=2,p=1"),
		argon("$argon2id$v=19$m=19456,t=0,p=1"),
		argon("$argon2id$v=19$m=19456,t=2,p=0"),
		argon("$argon2id$v=19$m=19456,t=2,p=256"),
		argon("$argon2id$v=19$m=7,t=2,p=1"),
		argon("$argon2id$v=19$m=15,t=1,p=2"),
		argon("$argon2id$v=19$m=4194305,t=1,p=1"),
		argon("$argon2id$v=19$m=99999999999,t=1,p=1"),
		argon("$argon2id$v=19$m=19456,t=1025,p=1"),
		argon("$argon2id$v=19$m=19456,t=2,p=1") + "$extra",
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "=",
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbH$" + key,                                        // 7-byte salt
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$c29tZXNhbHQ",                                 // 8-byte key
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptF", // non-zero padding bits
		"$argon2id$v=19$m=19456,t=2,p=1$!!!$" + key,
		"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",   // 59 characters
		"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeWW", // 61
		"$2x$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3e",
		"$2$05$/OK.fbVrR/bpIqNJ5ianF.CE5elHaaO4EbggVDjb8P19RukzXSM3eX",
		"$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"$2a$21$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"$2a$x5$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"$2a$05xCCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe$",
		"$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf9",
		"$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf9z",
		"$masuk-md5$salt=none$00$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-md5$salt=prefix$$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-md5$salt=$$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-md5$salt=middle$00$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-md5$salt=prefix$0g$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-md5$none$$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99$",
		"$masuk-md4$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-sha1$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99",
		"$1$deadbeef$Q7g0UO4hRC0mgQUQ/qkjZ0",
		"$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
		"$scrypt$ln=17,r=8,p=1$c2FsdA$aGFzaA",
	}
	for _, encoded := range tests {
		_, err := h.Verify(ctx, "password", encoded)
		assert.ErrorIs(t, err, ErrMalformed, "%q", encoded)
		assert.True(t, h.NeedsRehash(encoded), "%q", encoded)
	}
	// Each costs exactly the one throwaway argon2id run that keeps its
	// answer as slow as any other, and never a verification.
	assert.Equal(t, int64(len(tests)), p.calls.Load(), "argon2 runs for malformed hashes")
	assert.Zero(t, bcryptCalls, "bcrypt ran for a malformed hash")
}

func TestNeedsRehash(t *testing.T) {
	h, err := New(Config{})
	require.NoError(t, err)
	const tail = "$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE"
	tests := []struct {
		encoded string
		want    bool
	}{
		{"$argon2id$v=19$m=19456,t=2,p=1" + tail, false},
		{"$argon2id$v=19$m=19456,t=3,p=1" + tail, true},
		{"$argon2id$v=19$m=65536,t=2,p=1" + tail, true},
		{"$argon2id$v=19$m=19456,t=2,p=2" + tail, true},
		{"$argon2i$v=19$m=19456,t=2,p=1" + tail, true},
		{"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE", true},           // 8-byte salt
		{"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPpg", true}, // 31-byte key
		{"$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", true},
		{"$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99", true},
		{"garbage", true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, h.NeedsRehash(tt.encoded), tt.encoded)
	}
}

func TestArgon2ParamsRoundTrip(t *testing.T) {
	// A Hasher at non-default parameters writes them and reads them back.
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	h.params = Argon2Params{Memory: 128, Time: 3, Threads: 2, SaltLength: 24, KeyLength: 64}
	encoded, err := h.Hash(ctx, "kuda laut biru")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(encoded, "$argon2id$v=19$m=128,t=3,p=2$"), encoded)
	got, err := h.Verify(ctx, "kuda laut biru", encoded)
	require.NoError(t, err)
	assert.False(t, got.NeedsRehash)
	a, err := parseArgon2(encoded)
	require.NoError(t, err)
	assert.Equal(t, h.params, a.params)
}

func TestEncodeLegacy(t *testing.T) {
	tests := []struct {
		name      string
		alg       LegacyAlgorithm
		salt      string
		placement SaltPlacement
		digest    string
		want      string // empty: an error
	}{
		{"md5 unsalted", LegacyMD5, "", SaltNone, "5f4dcc3b5aa765d61d8327deb882cf99", "$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99"},
		{"md5 placement defaults to none", LegacyMD5, "", "", "5F4DCC3B5AA765D61D8327DEB882CF99", "$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99"},
		{"sha1 prefix", LegacySHA1, "s4lt!", SaltPrefix, "1849c3be0bd7576df230ea965349084f421ddae5", "$masuk-sha1$salt=prefix$73346c7421$1849c3be0bd7576df230ea965349084f421ddae5"},
		{"sha256 suffix with $ in salt", LegacySHA256, "a$b", SaltSuffix, strings.Repeat("ab", 32), "$masuk-sha256$salt=suffix$612462$" + strings.Repeat("ab", 32)},
		{"unknown algorithm", "sha512", "", SaltNone, strings.Repeat("ab", 64), ""},
		{"salt without placement", LegacyMD5, "x", "", "5f4dcc3b5aa765d61d8327deb882cf99", ""},
		{"placement without salt", LegacyMD5, "", SaltPrefix, "5f4dcc3b5aa765d61d8327deb882cf99", ""},
		{"unknown placement", LegacyMD5, "x", "infix", "5f4dcc3b5aa765d61d8327deb882cf99", ""},
		{"digest too short", LegacyMD5, "", SaltNone, "5f4dcc3b5aa765d61d8327deb882cf9", ""},
		{"digest of another algorithm", LegacySHA1, "", SaltNone, "5f4dcc3b5aa765d61d8327deb882cf99", ""},
		{"digest not hex", LegacyMD5, "", SaltNone, "5f4dcc3b5aa765d61d8327deb882cfzz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeLegacy(tt.alg, tt.salt, tt.placement, tt.digest)
			if tt.want == "" {
				require.ErrorIs(t, err, ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLegacyRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	// The salt is any bytes the old system used, NUL and '$' included.
	encoded, err := EncodeLegacy(LegacySHA256, "\x00$salt", SaltPrefix, "f0d2c1f1f4b26ecb1cd0a9ec1ca7bf15b8a06c2c7bb1ebd4b5e8f3e17ef5e5b1")
	require.NoError(t, err)
	_, err = h.Verify(ctx, "anything", encoded)
	assert.ErrorIs(t, err, ErrMismatch)

	d := legacyDigest{alg: LegacySHA256, salt: "\x00$salt", placement: SaltPrefix}
	sum := LegacySHA256.newHash()
	sum.Write([]byte("\x00$saltrahasia"))
	encoded, err = EncodeLegacy(d.alg, d.salt, d.placement, hex.EncodeToString(sum.Sum(nil)))
	require.NoError(t, err)
	got, err := h.Verify(ctx, "rahasia", encoded)
	require.NoError(t, err)
	assert.True(t, got.NeedsRehash)
}

func TestLegacyBare(t *testing.T) {
	ctx := context.Background()
	const md5Password = "5f4dcc3b5aa765d61d8327deb882cf99"
	plain := newTestHasher(t, Config{})
	_, err := plain.Verify(ctx, "password", md5Password)
	assert.ErrorIs(t, err, ErrMalformed, "a bare hex string is not guessed to be a digest")

	h := newTestHasher(t, Config{Legacy: LegacyConfig{Bare: LegacyMD5}})
	for _, enc := range []string{md5Password, strings.ToUpper(md5Password)} {
		got, err := h.Verify(ctx, "password", enc)
		require.NoError(t, err)
		assert.True(t, got.NeedsRehash)
		_, err = h.Verify(ctx, "Password", enc)
		assert.ErrorIs(t, err, ErrMismatch)
	}
	_, err = h.Verify(ctx, "password", "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8") // SHA-1 length
	assert.ErrorIs(t, err, ErrMalformed)
	// Self-describing strings still work alongside.
	_, err = h.Verify(ctx, "password", "$masuk-sha1$salt=none$$5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8")
	assert.NoError(t, err)

	// A site-wide salt, after the password.
	salted := newTestHasher(t, Config{Legacy: LegacyConfig{Bare: LegacySHA1, Salt: "s4lt!", Placement: SaltSuffix}})
	got, err := salted.Verify(ctx, "rahasia123", "0d341d717cb08c4cca8052e5380588f5d8c6a509")
	require.NoError(t, err)
	assert.True(t, got.NeedsRehash)
	_, err = salted.Verify(ctx, "rahasia123", "1849c3be0bd7576df230ea965349084f421ddae5") // prefix digest
	assert.ErrorIs(t, err, ErrMismatch)
}

// Case 17: 500 concurrent verifications with MaxConcurrent 2 and
// MaxWaiting 10: exactly 2 run, 10 wait, 488 get ErrBusy at once; never
// more than 2 run.
func TestConcurrencyLimit(t *testing.T) {
	const callers, running, waiting = 500, 2, 10
	h := newTestHasher(t, Config{MaxConcurrent: running, MaxWaiting: waiting})
	encoded, err := h.Hash(context.Background(), "kuda laut biru")
	require.NoError(t, err)
	p := probe(h)
	p.entered = make(chan struct{}, callers)
	p.release = make(chan struct{})

	results := make(chan error, callers)
	for range callers {
		go func() {
			_, err := h.Verify(context.Background(), "kuda laut biru", encoded)
			results <- err
		}()
	}
	// Until release is closed, the two slots stay taken, so every caller
	// but the 2 running and the 10 waiting must come back busy.
	for range running {
		<-p.entered
	}
	for range callers - running - waiting {
		require.ErrorIs(t, <-results, ErrBusy)
	}
	assert.Equal(t, int64(waiting), h.lim.waiting.Load())
	assert.Equal(t, int64(running), p.running.Load())

	close(p.release)
	for range running + waiting {
		require.NoError(t, <-results)
	}
	assert.Equal(t, int64(running+waiting), p.calls.Load())
	assert.LessOrEqual(t, p.peak.Load(), int64(running))
	assert.Zero(t, h.lim.waiting.Load())
	assert.Zero(t, len(h.lim.slots))
}

// New passwords hash in at most half the slots and never take a place in
// the queue that logins wait in: with MaxConcurrent 4 and MaxWaiting 8,
// 100 parallel Hash calls run 2 at once, queue 4 and refuse the rest,
// while 2 verifications run beside them and 8 more wait.
func TestNewPasswordsTakeHalf(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{MaxConcurrent: 4, MaxWaiting: 8})
	encoded, err := h.Hash(ctx, "kuda laut biru")
	require.NoError(t, err)
	p := probe(h)
	p.entered = make(chan struct{}, 200)
	p.release = make(chan struct{})

	const hashes = 100
	hashed := make(chan error, hashes)
	for range hashes {
		go func() {
			_, err := h.Hash(ctx, "kuda laut biru")
			hashed <- err
		}()
	}
	for range 2 {
		<-p.entered
	}
	for range hashes - 2 - 4 {
		require.ErrorIs(t, <-hashed, ErrBusy)
	}
	assert.Equal(t, int64(2), p.running.Load(), "new passwords hold at most half the slots")
	assert.Zero(t, h.lim.waiting.Load(), "new passwords take no place in the logins' queue")

	verified := make(chan error, 20)
	for range 20 {
		go func() {
			_, err := h.Verify(ctx, "kuda laut biru", encoded)
			verified <- err
		}()
	}
	for range 2 {
		<-p.entered
	}
	for range 20 - 2 - 8 {
		require.ErrorIs(t, <-verified, ErrBusy)
	}
	assert.Equal(t, int64(4), p.running.Load())
	assert.Equal(t, int64(8), h.lim.waiting.Load())

	close(p.release)
	// The two hashes that ran succeed. The four that waited in their own
	// queue then join the logins' queue, which the eight verifications
	// may still fill: a new password that finds it full is refused, as
	// logins come first.
	ok := 0
	for range 4 + 2 {
		if err := <-hashed; err == nil {
			ok++
		} else {
			require.ErrorIs(t, err, ErrBusy)
		}
	}
	assert.GreaterOrEqual(t, ok, 2)
	for range 8 + 2 {
		require.NoError(t, <-verified)
	}
	assert.LessOrEqual(t, p.peak.Load(), int64(4))
	assert.Zero(t, len(h.lim.slots))
	assert.Zero(t, len(h.lim.share.slots))
}

// Verify and bcrypt share the same slots as Hash.
func TestConcurrencyLimitVerify(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{MaxConcurrent: 1, MaxWaiting: -1})
	encoded, err := h.Hash(ctx, "kuda laut biru")
	require.NoError(t, err)
	p := probe(h)
	p.entered = make(chan struct{}, 1)
	p.release = make(chan struct{})
	done := make(chan error, 1)
	go func() { _, err := h.Verify(ctx, "kuda laut biru", encoded); done <- err }()
	<-p.entered

	_, err = h.Verify(ctx, "kuda laut biru", encoded)
	assert.ErrorIs(t, err, ErrBusy)
	_, err = h.Verify(ctx, "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")
	assert.ErrorIs(t, err, ErrBusy)
	_, err = h.Hash(ctx, "kuda laut biru")
	assert.ErrorIs(t, err, ErrBusy)
	// Legacy digests cost an argon2id run too, under the same limit.
	_, err = h.Verify(ctx, "password", "$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99")
	assert.ErrorIs(t, err, ErrBusy)

	close(p.release)
	require.NoError(t, <-done)
}

// A caller waiting for a slot gives up when its context ends.
func TestWaitHonoursContext(t *testing.T) {
	h := newTestHasher(t, Config{MaxConcurrent: 1, MaxWaiting: 1})
	p := probe(h)
	p.entered = make(chan struct{}, 1)
	p.release = make(chan struct{})
	done := make(chan error, 1)
	go func() { _, err := h.Hash(context.Background(), "kuda laut biru"); done <- err }()
	<-p.entered

	for _, cause := range []error{context.Canceled, context.DeadlineExceeded} {
		ctx, cancel := context.WithCancelCause(context.Background())
		h.lim.onWait = func() {
			if cause == context.Canceled {
				cancel(nil)
			} else {
				cancel(context.DeadlineExceeded)
			}
		}
		_, err := h.Hash(ctx, "kuda laut biru")
		require.ErrorIs(t, err, context.Canceled)
		assert.True(t, strings.HasPrefix(err.Error(), "password: "), err.Error())
		assert.Zero(t, h.lim.waiting.Load())
	}
	h.lim.onWait = nil

	// A context that has already ended does not even take a free slot.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	close(p.release)
	require.NoError(t, <-done)
	_, err := h.Hash(ctx, "kuda laut biru")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = h.Verify(ctx, "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int64(1), p.calls.Load())
}

// No error from the Hasher contains the password.
func TestErrorsOmitPassword(t *testing.T) {
	ctx := context.Background()
	const secret = "Zq9#rahasia-XYZ"
	h := newTestHasher(t, Config{MaxBytes: 256})
	encoded, err := h.Hash(ctx, secret)
	require.NoError(t, err)
	inputs := []struct{ pw, enc string }{
		{secret + "!", encoded},
		{strings.Repeat(secret, 20), encoded},
		{secret, "$argon2id$v=19$m=1,t=1,p=1$" + secret + "$x"},
		{secret, "$masuk-md5$salt=none$$" + secret},
		{secret, "$2a$05$" + secret},
		{secret, secret},
	}
	for _, in := range inputs {
		_, err := h.Verify(ctx, in.pw, in.enc)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret)
		assert.True(t, strings.HasPrefix(err.Error(), "password: "), err.Error())
		assert.Equal(t, strings.ToLower(err.Error()), err.Error())
	}
	for _, sentinel := range []error{ErrMismatch, ErrTooLong, ErrBusy, ErrMalformed, ErrEmpty, ErrConfig, ErrPolicy} {
		assert.True(t, strings.HasPrefix(sentinel.Error(), "password: "), sentinel.Error())
		assert.Equal(t, strings.ToLower(sentinel.Error()), sentinel.Error())
	}
	assert.False(t, errors.Is(ErrMismatch, ErrMalformed))
}

// TestCheapHashesCostAFullHash: a legacy digest and an unreadable hash cost
// one argon2id run at the Hasher's parameters, as the stand-in hash of an
// unknown user does, so timing does not single out migrated accounts.
func TestCheapHashesCostAFullHash(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, Config{})
	p := probe(h)
	for name, c := range map[string]struct {
		pw, encoded string
		want        error
	}{
		"md5 match":    {"password", "$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99", nil},
		"md5 mismatch": {"Password", "$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99", ErrMismatch},
		"malformed":    {"password", "$nonsense$", ErrMalformed},
	} {
		before := p.calls.Load()
		_, err := h.Verify(ctx, c.pw, c.encoded)
		if c.want == nil {
			require.NoError(t, err, name)
		} else {
			require.ErrorIs(t, err, c.want, name)
		}
		assert.Equal(t, int64(1), p.calls.Load()-before, "argon2 runs for %s", name)
	}
}

package secret_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/fakerand"
	"github.com/masuk-id/masuk/secret"
)

// Matrix case 25: 10^5 tokens from crypto/rand, all different, each with
// a 128-bit selector and a 256-bit verifier.
func TestTokenUnique(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	selectors := make(map[string]struct{}, n)
	verifiers := make(map[string]struct{}, n)
	for range n {
		tok, err := secret.NewToken(nil)
		require.NoError(t, err)
		s := tok.String()
		require.Len(t, s, secret.TokenLen)
		sel, ver, ok := strings.Cut(s, ".")
		require.True(t, ok)
		require.Equal(t, tok.Selector(), sel)
		require.Len(t, sel, 2*16, "128 bits")
		require.Len(t, ver, 2*32, "256 bits")
		_, dup := selectors[sel]
		require.False(t, dup, "selector %s twice", sel)
		_, dup = verifiers[ver]
		require.False(t, dup, "verifier twice")
		selectors[sel], verifiers[ver] = struct{}{}, struct{}{}
	}
}

func TestTokenRoundTrip(t *testing.T) {
	tok, err := secret.NewToken(nil)
	require.NoError(t, err)
	back, ok := secret.ParseToken(tok.String())
	require.True(t, ok)
	assert.Equal(t, tok, back)
	assert.Equal(t, tok.Hash("reset"), back.Hash("reset"))

	// From the reader given, selector first.
	src := bytes.NewReader(bytes.Repeat([]byte{0xab}, 16+32))
	tok, err = secret.NewToken(src)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("ab", 16)+"."+strings.Repeat("ab", 32), tok.String())
	_, err = secret.NewToken(strings.NewReader("too short"))
	assert.Error(t, err)
}

// The hash is pinned: SHA-256 of the prefix, the purpose, a NUL and the
// verifier in hex. It is the one the auth package stored for its
// pending-login and remembered-device tokens before it used reset's
// LinkToken, which became Token; testdata/token-hashes.tsv pins more.
func TestTokenHash(t *testing.T) {
	tok, err := secret.NewToken(fakerand.Repeat(0x5a))
	require.NoError(t, err)
	want := sha256.Sum256([]byte("masuk/auth token v1\x00reset\x00" + strings.Repeat("5a", 32)))
	assert.Equal(t, want[:], tok.Hash("reset"))
	assert.Len(t, tok.Hash(""), sha256.Size)
	assert.NotEqual(t, tok.Hash("reset"), tok.Hash("confirm"))
	assert.NotEqual(t, tok.Hash("reset"), tok.Hash("reset\x00"))
	other, err := secret.NewToken(fakerand.Repeat(0x5b))
	require.NoError(t, err)
	assert.NotEqual(t, tok.Hash("reset"), other.Hash("reset"))
	assert.NotContains(t, hex.EncodeToString(tok.Hash("reset")), strings.Repeat("5a", 32))
}

func TestTokenVerify(t *testing.T) {
	tok, err := secret.NewToken(fakerand.Repeat(0x5a))
	require.NoError(t, err)
	h := tok.Hash("session")
	require.NoError(t, tok.Verify(h, "session"))
	other, err := secret.NewToken(bytes.NewReader(append(bytes.Repeat([]byte{0x5a}, 47), 0x5b)))
	require.NoError(t, err)
	require.Equal(t, tok.Selector(), other.Selector(), "one selector, verifiers a bit apart")
	for _, tc := range []struct {
		name    string
		tok     secret.Token
		hash    []byte
		purpose string
	}{
		{"another purpose", tok, h, "device"},
		{"a purpose's prefix", tok, h, "sessio"},
		{"another verifier", other, h, "session"},
		{"no hash", tok, nil, "session"},
		{"a truncated hash", tok, h[:16], "session"},
		{"a longer hash", tok, append(bytes.Clone(h), 0), "session"},
		{"the zero token", secret.Token{}, h, "session"},
	} {
		require.ErrorIs(t, tc.tok.Verify(tc.hash, tc.purpose), secret.ErrWrongToken, tc.name)
	}
}

var parseSeeds = []string{
	strings.Repeat("0", 32) + "." + strings.Repeat("f", 64),
	"0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"0123456789ABCDEF0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"0123456789abcdef0123456789abcdef%2e0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
	"0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\x00",
	"", ".", "%00", "a.b", "..", strings.Repeat(".", 97),
}

func TestParseToken(t *testing.T) {
	valid := parseSeeds[1]
	tok, ok := secret.ParseToken(valid)
	require.True(t, ok)
	assert.Equal(t, valid, tok.String())
	assert.Equal(t, valid[:32], tok.Selector())
	for _, s := range []string{
		"", ".", "%00", "\x00", strings.Repeat("a", 10<<10), strings.Repeat("a", 97),
		strings.ToUpper(valid), valid[:32] + "%2e" + valid[33:], valid + " ", " " + valid,
		valid[:50] + "G" + valid[51:], valid[:50] + "\x00" + valid[51:], valid[:50] + "\xff" + valid[51:],
		valid[:32] + valid[33:], valid[:33] + "." + valid[34:], valid[:31] + ".0" + valid[33:],
	} {
		_, ok := secret.ParseToken(s)
		assert.False(t, ok, "%q", s)
	}
}

func FuzzParseToken(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tok, ok := secret.ParseToken(s)
		if !ok {
			if tok != (secret.Token{}) {
				t.Fatalf("refused %q but returned %v", s, tok)
			}
			return
		}
		if tok.String() != s {
			t.Fatalf("ParseToken(%q).String() = %q", s, tok.String())
		}
		if !strings.HasPrefix(s, tok.Selector()+".") {
			t.Fatalf("selector %q of %q", tok.Selector(), s)
		}
	})
}

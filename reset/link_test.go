package reset_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/fakerand"
	"github.com/masuk-id/masuk/reset"
)

// Matrix case 25: 10^5 tokens from crypto/rand, all different, each with
// a 128-bit selector and a 256-bit secret.
func TestLinkTokenUnique(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	selectors := make(map[string]struct{}, n)
	secrets := make(map[string]struct{}, n)
	for range n {
		lt, err := reset.NewLinkToken(nil)
		require.NoError(t, err)
		s := lt.String()
		require.Len(t, s, reset.LinkTokenLen)
		sel, sec, ok := strings.Cut(s, ".")
		require.True(t, ok)
		require.Equal(t, lt.Selector(), sel)
		require.Len(t, sel, 2*16, "128 bits")
		require.Len(t, sec, 2*32, "256 bits")
		_, dup := selectors[sel]
		require.False(t, dup, "selector %s twice", sel)
		_, dup = secrets[sec]
		require.False(t, dup, "secret twice")
		selectors[sel], secrets[sec] = struct{}{}, struct{}{}
	}
}

func TestLinkTokenRoundTrip(t *testing.T) {
	lt, err := reset.NewLinkToken(nil)
	require.NoError(t, err)
	back, ok := reset.ParseLinkToken(lt.String())
	require.True(t, ok)
	assert.Equal(t, lt, back)
	assert.Equal(t, lt.Hash("reset"), back.Hash("reset"))

	// From the reader given, selector first.
	src := bytes.NewReader(bytes.Repeat([]byte{0xab}, 16+32))
	lt, err = reset.NewLinkToken(src)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("ab", 16)+"."+strings.Repeat("ab", 32), lt.String())
	_, err = reset.NewLinkToken(strings.NewReader("too short"))
	assert.Error(t, err)
}

// The hash is pinned: SHA-256 of the prefix, the purpose, a NUL and the
// secret in hex. It is the one the auth package stored for its
// pending-login and remembered-device tokens before it used LinkToken.
func TestLinkTokenHash(t *testing.T) {
	lt, err := reset.NewLinkToken(fakerand.Repeat(0x5a))
	require.NoError(t, err)
	want := sha256.Sum256([]byte("masuk/auth token v1\x00reset\x00" + strings.Repeat("5a", 32)))
	assert.Equal(t, want[:], lt.Hash("reset"))
	assert.Len(t, lt.Hash(""), sha256.Size)
	assert.NotEqual(t, lt.Hash("reset"), lt.Hash("confirm"))
	assert.NotEqual(t, lt.Hash("reset"), lt.Hash("reset\x00"))
	other, err := reset.NewLinkToken(fakerand.Repeat(0x5b))
	require.NoError(t, err)
	assert.NotEqual(t, lt.Hash("reset"), other.Hash("reset"))
	assert.NotContains(t, hex.EncodeToString(lt.Hash("reset")), strings.Repeat("5a", 32))
}

var parseSeeds = []string{
	strings.Repeat("0", 32) + "." + strings.Repeat("f", 64),
	"0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"0123456789ABCDEF0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	"0123456789abcdef0123456789abcdef%2e0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde",
	"0123456789abcdef0123456789abcdef.0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\x00",
	"", ".", "%00", "a.b", "..", strings.Repeat(".", 97),
}

func TestParseLinkToken(t *testing.T) {
	valid := parseSeeds[1]
	lt, ok := reset.ParseLinkToken(valid)
	require.True(t, ok)
	assert.Equal(t, valid, lt.String())
	assert.Equal(t, valid[:32], lt.Selector())
	for _, s := range []string{
		"", ".", "%00", "\x00", strings.Repeat("a", 10<<10), strings.Repeat("a", 97),
		strings.ToUpper(valid), valid[:32] + "%2e" + valid[33:], valid + " ", " " + valid,
		valid[:50] + "G" + valid[51:], valid[:50] + "\x00" + valid[51:], valid[:50] + "\xff" + valid[51:],
		valid[:32] + valid[33:], valid[:33] + "." + valid[34:], valid[:31] + ".0" + valid[33:],
	} {
		_, ok := reset.ParseLinkToken(s)
		assert.False(t, ok, "%q", s)
	}
}

func FuzzParseLinkToken(f *testing.F) {
	for _, s := range parseSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lt, ok := reset.ParseLinkToken(s)
		if !ok {
			if lt != (reset.LinkToken{}) {
				t.Fatalf("refused %q but returned %v", s, lt)
			}
			return
		}
		if lt.String() != s {
			t.Fatalf("ParseLinkToken(%q).String() = %q", s, lt.String())
		}
		if !strings.HasPrefix(s, lt.Selector()+".") {
			t.Fatalf("selector %q of %q", lt.Selector(), s)
		}
	})
}

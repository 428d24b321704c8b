package totp_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/totp"
)

// testKey returns a key of printable bytes, so that a leak would show in
// printed output as well as in hex.
func testKey(c byte) []byte {
	return bytes.Repeat([]byte{c}, totp.KeySize)
}

func newRing(t *testing.T, current string, keys map[string][]byte) *totp.Keyring {
	t.Helper()
	k, err := totp.NewKeyring(current, keys)
	require.NoError(t, err)
	return k
}

func TestSealOpen(t *testing.T) {
	k := newRing(t, "2026-03", map[string][]byte{"2026-03": testKey('K')})
	ad := []byte("factor-0001")
	sealed, err := k.Seal(testSecret, ad)
	require.NoError(t, err)
	require.Len(t, sealed, len(testSecret)+30+len("2026-03"))
	require.Equal(t, append([]byte{1, 7}, "2026-03"...), sealed[:9], "version, id length, id")
	require.NotContains(t, string(sealed), string(testSecret))

	got, err := k.Open(sealed, ad)
	require.NoError(t, err)
	require.Equal(t, testSecret, got)
	require.False(t, k.NeedsReseal(sealed))

	// A random nonce each time: the same secret seals differently.
	again, err := k.Seal(testSecret, ad)
	require.NoError(t, err)
	require.NotEqual(t, sealed, again)
	require.NotEqual(t, sealed[9:21], again[9:21], "nonce")

	// Bound to the additional data: another factor's row does not open.
	for _, other := range [][]byte{nil, []byte("factor-0002"), []byte("factor-000"), append(ad, 0)} {
		_, err := k.Open(sealed, other)
		require.ErrorIs(t, err, totp.ErrInvalidSealed, "%q", other)
	}
}

// TestOpenDamaged flips every bit and cuts at every length: nothing
// opens, nothing panics.
func TestOpenDamaged(t *testing.T) {
	k := newRing(t, "a", map[string][]byte{"a": testKey('K'), "b": testKey('L')})
	sealed, err := k.Seal(testSecret, nil)
	require.NoError(t, err)
	for i := range sealed {
		for bit := range 8 {
			d := bytes.Clone(sealed)
			d[i] ^= 1 << bit
			got, err := k.Open(d, nil)
			require.Error(t, err, "byte %d bit %d", i, bit)
			require.Nil(t, got)
			if !errorIsAny(err, totp.ErrInvalidSealed, totp.ErrUnknownKey) {
				t.Fatalf("byte %d bit %d: %v", i, bit, err)
			}
		}
	}
	for n := range len(sealed) {
		_, err := k.Open(sealed[:n], nil)
		require.ErrorIs(t, err, totp.ErrInvalidSealed, "%d bytes", n)
		require.True(t, n >= 3 || k.NeedsReseal(sealed[:n]))
	}
	v2 := bytes.Clone(sealed)
	v2[0] = 2
	_, err = k.Open(v2, nil)
	require.ErrorIs(t, err, totp.ErrInvalidSealed)
	require.True(t, k.NeedsReseal(v2))
}

// TestKeyRotation follows a rotation from one key to the next.
func TestKeyRotation(t *testing.T) {
	old, next := testKey('O'), testKey('N')
	before := newRing(t, "2025-01", map[string][]byte{"2025-01": old})
	sealedOld, err := before.Seal(testSecret, []byte("f1"))
	require.NoError(t, err)

	during := newRing(t, "2026-01", map[string][]byte{"2025-01": old, "2026-01": next})
	got, err := during.Open(sealedOld, []byte("f1"))
	require.NoError(t, err)
	require.Equal(t, testSecret, got)
	require.True(t, during.NeedsReseal(sealedOld))

	sealedNew, err := during.Seal(got, []byte("f1"))
	require.NoError(t, err)
	require.False(t, during.NeedsReseal(sealedNew))
	require.Equal(t, "2026-01", string(sealedNew[2:9]))

	after := newRing(t, "2026-01", map[string][]byte{"2026-01": next})
	_, err = after.Open(sealedOld, []byte("f1"))
	require.ErrorIs(t, err, totp.ErrUnknownKey)
	got, err = after.Open(sealedNew, []byte("f1"))
	require.NoError(t, err)
	require.Equal(t, testSecret, got)

	// The same id with another key does not open.
	impostor := newRing(t, "2025-01", map[string][]byte{"2025-01": next})
	_, err = impostor.Open(sealedOld, []byte("f1"))
	require.ErrorIs(t, err, totp.ErrInvalidSealed)
}

func TestNewKeyringInvalid(t *testing.T) {
	for _, tc := range []struct {
		current string
		keys    map[string][]byte
	}{
		{"", nil},
		{"a", nil},
		{"a", map[string][]byte{"b": testKey('K')}},
		{"a", map[string][]byte{"a": testKey('K')[:16]}},
		{"a", map[string][]byte{"a": nil}},
		{"a", map[string][]byte{"a": append(testKey('K'), 0)}},
		{"a", map[string][]byte{"a": testKey('K'), "b": testKey('K')[:31]}},
		{"", map[string][]byte{"": testKey('K')}},
		{"a b", map[string][]byte{"a b": testKey('K')}},
		{"a", map[string][]byte{"a": testKey('K'), "b/c": testKey('K')}},
		{"é", map[string][]byte{"é": testKey('K')}},
		{strings.Repeat("a", 33), map[string][]byte{strings.Repeat("a", 33): testKey('K')}},
	} {
		_, err := totp.NewKeyring(tc.current, tc.keys)
		require.ErrorIs(t, err, totp.ErrInvalidKeyring, "%q", tc.current)
	}
	_, err := totp.NewKeyring(strings.Repeat("a", 32), map[string][]byte{strings.Repeat("a", 32): testKey('K')})
	require.NoError(t, err)
}

// TestKeyringCopiesKeys checks that the caller may clear its key bytes
// after NewKeyring, and that printing a Keyring shows no key material.
func TestKeyringCopiesKeys(t *testing.T) {
	key := testKey('K')
	k := newRing(t, "a", map[string][]byte{"a": key})
	sealed, err := k.Seal(testSecret, nil)
	require.NoError(t, err)
	clear(key)
	got, err := k.Open(sealed, nil)
	require.NoError(t, err)
	require.Equal(t, testSecret, got)

	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
		for _, v := range []any{k, *k} {
			out := fmt.Sprintf(verb, v)
			require.NotContains(t, out, "KKKKKKKK", verb)
			require.NotContains(t, out, hex.EncodeToString(testKey('K')[:8]), verb)
		}
	}
}

func TestZeroKeyring(t *testing.T) {
	var k totp.Keyring
	_, err := k.Seal(testSecret, nil)
	require.ErrorIs(t, err, totp.ErrInvalidKeyring)
	sealed, err := newRing(t, "a", map[string][]byte{"a": testKey('K')}).Seal(testSecret, nil)
	require.NoError(t, err)
	_, err = k.Open(sealed, nil)
	require.ErrorIs(t, err, totp.ErrUnknownKey)
}

func TestKeyringConcurrent(t *testing.T) {
	k := newRing(t, "a", map[string][]byte{"a": testKey('K')})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ad := []byte{byte(i)}
			for range 100 {
				s, err := k.Seal(testSecret, ad)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := k.Open(s, ad)
				if err != nil || !bytes.Equal(got, testSecret) {
					t.Error("round trip failed", err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzOpen(f *testing.F) {
	k, err := totp.NewKeyring("a", map[string][]byte{"a": testKey('K')})
	require.NoError(f, err)
	sealed, err := k.Seal(testSecret, []byte("ad"))
	require.NoError(f, err)
	f.Add(sealed, []byte("ad"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{1, 1, 'a'}, []byte(nil))
	f.Add([]byte{1, 200, 'a'}, []byte(nil))
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		got, err := k.Open(sealed, ad)
		if err == nil {
			// Only a real seal opens; the seed is the one the fuzzer
			// can reach.
			require.Equal(t, testSecret, got)
			return
		}
		require.Nil(t, got)
		require.True(t, errorIsAny(err, totp.ErrInvalidSealed, totp.ErrUnknownKey), "%v", err)
		k.NeedsReseal(sealed)
	})
}

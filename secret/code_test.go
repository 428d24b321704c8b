package secret_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/secret"
)

func TestNewCode(t *testing.T) {
	for _, tc := range []struct{ digits, want int }{{0, 6}, {6, 6}, {8, 8}, {10, 10}} {
		seen := map[string]bool{}
		for range 50 {
			c, err := secret.NewCode(nil, tc.digits)
			require.NoError(t, err)
			require.Len(t, c, tc.want)
			for i := 0; i < len(c); i++ {
				require.True(t, c[i] >= '0' && c[i] <= '9', c)
			}
			seen[c] = true
		}
		require.Greater(t, len(seen), 45, "codes repeat")
	}
	for _, d := range []int{-6, 1, 5, 11, 20} {
		_, err := secret.NewCode(nil, d)
		require.Error(t, err, "%d digits", d)
	}
}

// draws returns a source that gives the 64-bit values vs in turn.
func draws(vs ...uint64) *bytes.Reader {
	var b []byte
	for _, v := range vs {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return bytes.NewReader(b)
}

// TestNewCodeUniform checks the rejection sampling: values in the
// top 2^64 mod 10^digits are drawn again, those below are used with
// leading zeros.
func TestNewCodeUniform(t *testing.T) {
	const n = 1_000_000
	limit := uint64(math.MaxUint64) - (math.MaxUint64%n+1)%n // the highest value used
	require.Zero(t, (limit+1)%n)

	for _, tc := range []struct {
		src  []uint64
		want string
	}{
		{[]uint64{1}, "000001"},
		{[]uint64{42 + 3*n}, "000042"},
		{[]uint64{limit}, "999999"},
		{[]uint64{limit + 1, 7}, "000007"},
		{[]uint64{math.MaxUint64, math.MaxUint64, 123456}, "123456"},
	} {
		c, err := secret.NewCode(draws(tc.src...), 6)
		require.NoError(t, err)
		require.Equal(t, tc.want, c, "%v", tc.src)
	}
	c, err := secret.NewCode(draws(9_876_543_210), 10)
	require.NoError(t, err)
	require.Equal(t, "9876543210", c)

	bad := make([]uint64, 16)
	for i := range bad {
		bad[i] = math.MaxUint64
	}
	_, err = secret.NewCode(draws(bad...), 6)
	require.Error(t, err, "a source stuck above the limit")
	_, err = secret.NewCode(bytes.NewReader([]byte{1, 2, 3}), 6)
	require.Error(t, err, "short read")
	boom := errors.New("boom")
	_, err = secret.NewCode(iotest.ErrReader(boom), 6)
	require.ErrorIs(t, err, boom)
}

func TestHashCode(t *testing.T) {
	h := secret.HashCode("login", "acct-1", "123456")
	require.Len(t, h, sha256.Size)
	require.Equal(t, h, secret.HashCode("login", "acct-1", "123456"))
	plain := sha256.Sum256([]byte("123456"))
	require.NotEqual(t, plain[:], h)
	// Each field counts, and their boundaries cannot move.
	for _, other := range [][3]string{
		{"reset", "acct-1", "123456"},
		{"login", "acct-2", "123456"},
		{"login", "acct-1", "123457"},
		{"logina", "cct-1", "123456"},
		{"login", "acct-11", "23456"},
		{"", "loginacct-1", "123456"},
	} {
		require.NotEqual(t, h, secret.HashCode(other[0], other[1], other[2]), "%q", other)
	}
}

func TestVerifyCode(t *testing.T) {
	h := secret.HashCode("login", "acct-1", "012345")
	require.NoError(t, secret.VerifyCode(h, "login", "acct-1", "012345"))
	for _, tc := range []struct {
		purpose, account, typed string
		want                    error
	}{
		{"login", "acct-1", "012346", secret.ErrWrongCode},
		{"login", "acct-1", "12345" + "0", secret.ErrWrongCode},
		{"login", "acct-1", "0123456", secret.ErrWrongCode},
		{"reset", "acct-1", "012345", secret.ErrWrongCode},
		{"login", "acct-2", "012345", secret.ErrWrongCode},
		{"login", "acct-1", "", secret.ErrInvalidCode},
		{"login", "acct-1", "01234", secret.ErrInvalidCode},
		{"login", "acct-1", "01234567890", secret.ErrInvalidCode},
		{"login", "acct-1", " 012345", secret.ErrInvalidCode},
		{"login", "acct-1", "012 345", secret.ErrInvalidCode},
		{"login", "acct-1", "012345\n", secret.ErrInvalidCode},
		{"login", "acct-1", "01234a", secret.ErrInvalidCode},
		{"login", "acct-1", "０１２３４５", secret.ErrInvalidCode},
		{"login", "acct-1", "٠١٢٣٤٥", secret.ErrInvalidCode},
		{"login", "acct-1", strings.Repeat("0", 10000), secret.ErrInvalidCode},
	} {
		require.ErrorIs(t, secret.VerifyCode(h, tc.purpose, tc.account, tc.typed), tc.want, "%+v", tc)
	}
	// A damaged or missing hash matches nothing.
	for _, bad := range [][]byte{nil, h[:16], append(bytes.Clone(h), 0)} {
		require.ErrorIs(t, secret.VerifyCode(bad, "login", "acct-1", "012345"), secret.ErrWrongCode)
	}
}

func FuzzVerifyCode(f *testing.F) {
	const code = "482913"
	h := secret.HashCode("login", "acct-1", code)
	for _, s := range []string{code, "", "48291", "4829130", " 482913", "４８２９１３", "48291a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		err := secret.VerifyCode(h, "login", "acct-1", typed)
		switch {
		case typed == code:
			require.NoError(t, err)
		case err == nil:
			t.Fatalf("%q verified", typed)
		default:
			require.True(t, errors.Is(err, secret.ErrInvalidCode) || errors.Is(err, secret.ErrWrongCode), "%v", err)
		}
	})
}

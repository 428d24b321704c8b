package secret_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/secret"
)

var recoveryForm = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){5}$`)

// TestNewRecoveryCodes checks case 44's "≥64 bits each": ten codes by
// default, 120 bits each, all different, in the readable grouping.
func TestNewRecoveryCodes(t *testing.T) {
	require.GreaterOrEqual(t, secret.RecoveryCodeBits, 112, "ASVS 6.5.2's plain-hash threshold")
	codes, err := secret.NewRecoveryCodes(nil, 0)
	require.NoError(t, err)
	require.Len(t, codes, secret.DefaultRecoveryCodes)
	require.Equal(t, 10, secret.DefaultRecoveryCodes)
	seen := map[string]bool{}
	for _, c := range codes {
		require.Regexp(t, recoveryForm, c)
		require.False(t, seen[c])
		seen[c] = true
		n, ok := secret.NormalizeRecoveryCode(c)
		require.True(t, ok)
		require.Equal(t, c, n, "already normalized")
	}
	for _, n := range []int{1, secret.MaxRecoveryCodes} {
		codes, err := secret.NewRecoveryCodes(nil, n)
		require.NoError(t, err)
		require.Len(t, codes, n)
	}
	for _, n := range []int{-1, secret.MaxRecoveryCodes + 1} {
		_, err := secret.NewRecoveryCodes(nil, n)
		require.Error(t, err, "%d codes", n)
	}
}

// TestNewRecoveryCodesSource checks the codes against a known source:
// every 15 bytes make one code, and a broken source is an error.
func TestNewRecoveryCodesSource(t *testing.T) {
	src := append(bytes.Repeat([]byte{0}, 15), bytes.Repeat([]byte{0xff}, 15)...)
	codes, err := secret.NewRecoveryCodes(bytes.NewReader(src), 2)
	require.NoError(t, err)
	require.Equal(t, []string{"0000-0000-0000-0000-0000-0000", "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"}, codes)

	_, err = secret.NewRecoveryCodes(bytes.NewReader(src[:29]), 2)
	require.Error(t, err, "short read")
	boom := errors.New("boom")
	_, err = secret.NewRecoveryCodes(iotest.ErrReader(boom), 1)
	require.ErrorIs(t, err, boom)
	_, err = secret.NewRecoveryCodes(bytes.NewReader(make([]byte, 30)), 2)
	require.Error(t, err, "a source that repeats itself")
}

func TestNormalizeRecoveryCode(t *testing.T) {
	const want = "7KQM-2XHD-9RTA-P4WN-CJ10-VY8E"
	for _, typed := range []string{
		want,
		"7kqm-2xhd-9rta-p4wn-cj10-vy8e",
		"7KQM2XHD9RTAP4WNCJ10VY8E",
		"7KQM 2XHD 9RTA P4WN CJ10 VY8E",
		" 7KQM--2XHD 9RTA-P4WN-CJ10-VY8E ",
		"7KQM-2XHD-9RTA-P4WN-CJIO-VY8E", // I for 1, O for 0
		"7KQM-2XHD-9RTA-P4WN-CJlo-VY8E", // l for 1, o for 0
	} {
		got, ok := secret.NormalizeRecoveryCode(typed)
		require.True(t, ok, "%q", typed)
		require.Equal(t, want, got, "%q", typed)
		h, err := secret.HashRecoveryCode(typed)
		require.NoError(t, err)
		wantHash, err := secret.HashRecoveryCode(want)
		require.NoError(t, err)
		require.Equal(t, wantHash, h, "%q", typed)
	}
	for _, typed := range []string{
		"",
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8",   // 23 symbols
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8EA", // 25
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8U",  // U
		"7KQM_2XHD_9RTA_P4WN_CJ10_VY8E",
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8E\n",
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8\t",
		"７KQM-2XHD-9RTA-P4WN-CJ10-VY8E", // full-width 7
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8É",
		"7KQM-2XHD-9RTA-P4WN-CJ10-VY8E" + strings.Repeat(" ", 72), // over 100 bytes
		strings.Repeat("-", 1000),
	} {
		got, ok := secret.NormalizeRecoveryCode(typed)
		require.False(t, ok, "%q", typed)
		require.Empty(t, got)
		_, err := secret.HashRecoveryCode(typed)
		require.ErrorIs(t, err, secret.ErrInvalidCode, "%q", typed)
	}
}

// TestHashRecoveryCode checks what is stored: 32 bytes, different per
// code, not a bare SHA-256 of the code.
func TestHashRecoveryCode(t *testing.T) {
	codes, err := secret.NewRecoveryCodes(nil, 20)
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, c := range codes {
		h, err := secret.HashRecoveryCode(c)
		require.NoError(t, err)
		require.Len(t, h, sha256.Size)
		require.False(t, seen[string(h)])
		seen[string(h)] = true
		for _, plain := range []string{c, strings.ReplaceAll(c, "-", "")} {
			sum := sha256.Sum256([]byte(plain))
			require.NotEqual(t, sum[:], h)
		}
	}
	// A known answer, so that a change of the stored form is noticed:
	// stored hashes must keep matching.
	h, err := secret.HashRecoveryCode("0000-0000-0000-0000-0000-0000")
	require.NoError(t, err)
	sum := sha256.Sum256([]byte("masuk/totp recovery code v1\x00" + strings.Repeat("0", 24)))
	require.Equal(t, sum[:], h)
}

func FuzzNormalizeRecoveryCode(f *testing.F) {
	for _, s := range []string{"7KQM-2XHD-9RTA-P4WN-CJ10-VY8E", "7kqm 2xhd 9rta p4wn cjio vy8e", "", "U", "７", strings.Repeat("a", 24)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, typed string) {
		got, ok := secret.NormalizeRecoveryCode(typed)
		h, err := secret.HashRecoveryCode(typed)
		if !ok {
			require.Empty(t, got)
			require.ErrorIs(t, err, secret.ErrInvalidCode)
			return
		}
		require.Regexp(t, recoveryForm, got)
		again, ok := secret.NormalizeRecoveryCode(got)
		require.True(t, ok)
		require.Equal(t, got, again)
		require.NoError(t, err)
		want, err := secret.HashRecoveryCode(got)
		require.NoError(t, err)
		require.Equal(t, want, h)
	})
}

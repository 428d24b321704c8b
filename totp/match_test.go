package totp_test

import (
	"encoding/base32"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/totp"
)

var (
	// testSecret is the RFC 6238 SHA-1 seed.
	testSecret = []byte("12345678901234567890")
	// testTime is in the middle of step 41152263 (RFC 6238's 1234567890).
	testTime = time.Unix(1234567890, 0)
)

const testStep = 1234567890 / 30

// TestMatchSkew checks case 40: with skew 1, the codes of T−1, T and T+1
// are accepted and those of T±2 refused; with NoSkew only T; with skew 2,
// T±2 as well. The step Match returns is the code's own.
func TestMatchSkew(t *testing.T) {
	for _, tc := range []struct {
		skew int
		want int64 // widest offset accepted
	}{
		{totp.NoSkew, 0},
		{0, 1}, // the default
		{1, 1},
		{2, 2},
	} {
		for _, digits := range []int{6, 8} {
			p := totp.Params{Digits: digits, Skew: tc.skew}
			for off := int64(-4); off <= 4; off++ {
				t.Run(fmt.Sprintf("skew%d/%ddigits/%+d", tc.skew, digits, off), func(t *testing.T) {
					code, err := p.Code(testSecret, testTime.Add(time.Duration(off)*30*time.Second))
					require.NoError(t, err)
					step, err := p.Match(testSecret, code, testTime)
					if off < -tc.want || off > tc.want {
						require.ErrorIs(t, err, totp.ErrWrongCode)
						require.Zero(t, step)
						return
					}
					require.NoError(t, err)
					require.Equal(t, int64(testStep)+off, step)
				})
			}
		}
	}
}

// TestMatchStepEdges checks that the step turns exactly at multiples of
// the period, for 30 and 60 seconds.
func TestMatchStepEdges(t *testing.T) {
	for _, period := range []time.Duration{30 * time.Second, 60 * time.Second} {
		p := totp.Params{Period: period, Skew: totp.NoSkew}
		start := time.Unix(testStep*30/int64(period/time.Second)*int64(period/time.Second), 0)
		code, err := p.Code(testSecret, start)
		require.NoError(t, err)
		for _, at := range []time.Time{start, start.Add(period - time.Nanosecond)} {
			_, err := p.Match(testSecret, code, at)
			require.NoError(t, err, "%v at %v", period, at)
		}
		for _, at := range []time.Time{start.Add(-time.Nanosecond), start.Add(period)} {
			_, err := p.Match(testSecret, code, at)
			require.ErrorIs(t, err, totp.ErrWrongCode, "%v at %v", period, at)
		}
	}
}

// TestMatchMalformed checks case 41: codes of the wrong length, with
// anything but ASCII digits, or empty are ErrInvalidCode, never a panic
// and never ErrWrongCode.
func TestMatchMalformed(t *testing.T) {
	good, err := totp.Params{}.Code(testSecret, testTime)
	require.NoError(t, err)
	for _, code := range []string{
		"",
		"12345",
		"1234567",
		"12345678",
		"12345a",
		"abcdef",
		" " + good[1:],
		good + " ",
		" " + good,
		good[:3] + " " + good[3:],
		"\t" + good[1:],
		good[:5] + "\x00",
		"+12345",
		"-12345",
		"１２３４５６", // full-width
		"١٢٣٤٥٦", // Arabic-Indic
		"۱۲۳۴۵۶", // extended Arabic-Indic
		"१२३४५६", // Devanagari
		"12345\u0660",
		"\xff\xfe\xfd\xfc\xfb\xfa",
		"123456\n",
	} {
		step, err := totp.Params{}.Match(testSecret, code, testTime)
		require.ErrorIs(t, err, totp.ErrInvalidCode, "%q", code)
		require.Zero(t, step)
	}
	// Eight digits: a six-digit code is malformed.
	_, err = totp.Params{Digits: 8}.Match(testSecret, good, testTime)
	require.ErrorIs(t, err, totp.ErrInvalidCode)
}

func TestMatchWrong(t *testing.T) {
	p := totp.Params{Skew: 2}
	accepted := map[string]bool{}
	for off := -2; off <= 2; off++ {
		c, err := p.Code(testSecret, testTime.Add(time.Duration(off)*30*time.Second))
		require.NoError(t, err)
		accepted[c] = true
	}
	for _, code := range []string{"000000", "999999", "123456", "000001"} {
		if accepted[code] {
			continue
		}
		_, err := p.Match(testSecret, code, testTime)
		require.ErrorIs(t, err, totp.ErrWrongCode, code)
	}
	// Another secret's code.
	other := []byte("abcdefghijklmnopqrst")
	c, err := p.Code(other, testTime)
	require.NoError(t, err)
	if !accepted[c] {
		_, err = p.Match(testSecret, c, testTime)
		require.ErrorIs(t, err, totp.ErrWrongCode)
	}
}

// TestParamsInvalid checks that Params out of range are refused with
// ErrInvalidParams by Validate, Match, Code and URI, and never panic
// (pquerna/otp panics on an unknown algorithm).
func TestParamsInvalid(t *testing.T) {
	for _, p := range []totp.Params{
		{Algorithm: 3},
		{Algorithm: 255},
		{Digits: 5},
		{Digits: 7},
		{Digits: 10},
		{Digits: -6},
		{Period: time.Second},
		{Period: 14 * time.Second},
		{Period: 121 * time.Second},
		{Period: 30*time.Second + time.Millisecond},
		{Period: -30 * time.Second},
		{Skew: 3},
		{Skew: -2},
	} {
		require.ErrorIs(t, p.Validate(), totp.ErrInvalidParams, "%+v", p)
		_, err := p.Match(testSecret, "123456", testTime)
		require.ErrorIs(t, err, totp.ErrInvalidParams, "%+v", p)
		_, err = p.Code(testSecret, testTime)
		require.ErrorIs(t, err, totp.ErrInvalidParams, "%+v", p)
		_, err = totp.Enrollment{Issuer: "X", Account: "y", Secret: testSecret, Params: p}.URI()
		require.ErrorIs(t, err, totp.ErrInvalidParams, "%+v", p)
	}
	for _, p := range []totp.Params{
		{},
		{Algorithm: totp.SHA256, Digits: 8, Period: 60 * time.Second, Skew: 2},
		{Algorithm: totp.SHA512, Digits: 6, Period: 15 * time.Second, Skew: totp.NoSkew},
		{Period: 2 * time.Minute, Skew: 1},
	} {
		require.NoError(t, p.Validate(), "%+v", p)
	}
}

func TestSecretBounds(t *testing.T) {
	for _, n := range []int{0, 1, 10, totp.MinSecretSize - 1, totp.MaxSecretSize + 1, 1000} {
		secret := make([]byte, n)
		_, err := totp.Params{}.Match(secret, "123456", testTime)
		require.ErrorIs(t, err, totp.ErrInvalidSecret, "%d bytes", n)
		_, err = totp.Params{}.Code(secret, testTime)
		require.ErrorIs(t, err, totp.ErrInvalidSecret, "%d bytes", n)
	}
	for _, n := range []int{totp.MinSecretSize, totp.SecretSize, totp.MaxSecretSize} {
		secret := make([]byte, n)
		code, err := totp.Params{}.Code(secret, testTime)
		require.NoError(t, err)
		_, err = totp.Params{}.Match(secret, code, testTime)
		require.NoError(t, err, "%d bytes", n)
	}
}

// TestMatchEpoch checks times at and before the Unix epoch: no step
// below 0 is tried, nothing panics.
func TestMatchEpoch(t *testing.T) {
	p := totp.Params{}
	c0, err := p.Code(testSecret, time.Unix(0, 0))
	require.NoError(t, err)
	step, err := p.Match(testSecret, c0, time.Unix(0, 0))
	require.NoError(t, err)
	require.Zero(t, step)
	step, err = p.Match(testSecret, c0, time.Unix(-1, 0)) // step −1: step 0 is T+1
	require.NoError(t, err)
	require.Zero(t, step)
	_, err = p.Match(testSecret, c0, time.Unix(-3600, 0))
	require.ErrorIs(t, err, totp.ErrWrongCode)
	_, err = p.Code(testSecret, time.Unix(-1, 0))
	require.ErrorIs(t, err, totp.ErrInvalidParams)
}

// TestAgainstPquerna compares Code and Match with pquerna/otp's
// GenerateCodeCustom and ValidateCustom for random secrets, times and
// parameters.
func TestAgainstPquerna(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	algs := []struct {
		a  totp.Algorithm
		pq otp.Algorithm
	}{{totp.SHA1, otp.AlgorithmSHA1}, {totp.SHA256, otp.AlgorithmSHA256}, {totp.SHA512, otp.AlgorithmSHA512}}
	for range 500 {
		secret := make([]byte, totp.MinSecretSize+rng.IntN(totp.MaxSecretSize-totp.MinSecretSize+1))
		for i := range secret {
			secret[i] = byte(rng.Uint32())
		}
		alg := algs[rng.IntN(3)]
		digits := []int{6, 8}[rng.IntN(2)]
		period := []int{15, 30, 60, 120}[rng.IntN(4)]
		skew := []int{totp.NoSkew, 1, 2}[rng.IntN(3)]
		pqSkew := uint(max(skew, 0))
		at := time.Unix(rng.Int64N(1<<34), 0)
		p := totp.Params{Algorithm: alg.a, Digits: digits, Period: time.Duration(period) * time.Second, Skew: skew}
		opts := pqtotp.ValidateOpts{Period: uint(period), Skew: 0, Digits: otp.Digits(digits), Algorithm: alg.pq}
		b32 := base32.StdEncoding.EncodeToString(secret)

		want, err := pqtotp.GenerateCodeCustom(b32, at, opts)
		require.NoError(t, err)
		got, err := p.Code(secret, at)
		require.NoError(t, err)
		require.Equal(t, want, got, "%+v at %v", p, at)

		// A code from somewhere near: Match accepts it exactly when
		// pquerna does with the same skew.
		near := at.Add(time.Duration(rng.IntN(7)-3) * time.Duration(period) * time.Second)
		code, err := pqtotp.GenerateCodeCustom(b32, near, opts)
		require.NoError(t, err)
		opts.Skew = pqSkew
		ok, err := pqtotp.ValidateCustom(code, b32, at, opts)
		require.NoError(t, err)
		_, err = p.Match(secret, code, at)
		assert.Equal(t, ok, err == nil, "%+v code of %v at %v: %v", p, near, at, err)
	}
}

// TestReplayContract shows what the caller does with the step (cases 37
// and 38): a step at or below the last accepted one is refused, so each
// code is used once and steps only move forward.
func TestReplayContract(t *testing.T) {
	p := totp.Params{}
	var last int64 = -1 // the store's last accepted step; -1: none yet
	accept := func(code string, at time.Time) bool {
		step, err := p.Match(testSecret, code, at)
		if err != nil || step <= last { // in a store: one atomic compare-and-set
			return false
		}
		last = step
		return true
	}
	now := testTime
	code, err := p.Code(testSecret, now)
	require.NoError(t, err)
	require.True(t, accept(code, now))
	require.False(t, accept(code, now), "the same code again")
	require.False(t, accept(code, now.Add(30*time.Second)), "the same code in the next step, within the skew")

	prev, err := p.Code(testSecret, now.Add(-30*time.Second))
	require.NoError(t, err)
	require.False(t, accept(prev, now), "the code of T−1 after T")

	next, err := p.Code(testSecret, now.Add(30*time.Second))
	require.NoError(t, err)
	require.True(t, accept(next, now.Add(30*time.Second)), "a new code in a later step")
}

func TestParseAlgorithm(t *testing.T) {
	for _, a := range []totp.Algorithm{totp.SHA1, totp.SHA256, totp.SHA512} {
		got, err := totp.ParseAlgorithm(a.String())
		require.NoError(t, err)
		require.Equal(t, a, got)
	}
	for _, s := range []string{"", "sha1", "SHA-1", "SHA384", "MD5", "Algorithm(3)", " SHA1"} {
		_, err := totp.ParseAlgorithm(s)
		require.ErrorIs(t, err, totp.ErrInvalidParams, "%q", s)
	}
}

// FuzzMatch checks that any string is refused cleanly unless it is the
// code of a step in the window: ErrInvalidCode exactly when it is not six
// ASCII digits.
func FuzzMatch(f *testing.F) {
	good, err := totp.Params{}.Code(testSecret, testTime)
	require.NoError(f, err)
	for _, s := range []string{good, "", "12345", "1234567", " " + good[1:], "１２３４５６", "١٢٣٤٥٦", "12345\x00"} {
		f.Add(s)
	}
	p := totp.Params{}
	f.Fuzz(func(t *testing.T, code string) {
		step, err := p.Match(testSecret, code, testTime)
		wellFormed := len(code) == 6 && strings.Trim(code, "0123456789") == ""
		switch {
		case !wellFormed:
			require.ErrorIs(t, err, totp.ErrInvalidCode)
			require.Zero(t, step)
		case err == nil:
			require.LessOrEqual(t, step-testStep, int64(1))
			require.GreaterOrEqual(t, step-testStep, int64(-1))
			want, err := p.Code(testSecret, time.Unix(step*30, 0))
			require.NoError(t, err)
			require.Equal(t, want, code)
		default:
			require.ErrorIs(t, err, totp.ErrWrongCode)
			require.Zero(t, step)
		}
	})
}

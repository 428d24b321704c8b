package breach

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// SHA-1("password"), the first line of the API's own documentation.
const (
	pwPrefix = "5BAA6"
	pwSuffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8"
)

func TestRangeKey(t *testing.T) {
	prefix, suffix := rangeKey("password")
	assert.Equal(t, pwPrefix, prefix)
	assert.Equal(t, pwSuffix, suffix)
	// The bytes as given: no normalisation, no case change.
	prefix, _ = rangeKey("Password")
	assert.Equal(t, "8BE3C", prefix)
	prefix, suffix = rangeKey("")
	assert.Equal(t, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709", prefix+suffix)
}

func TestParseRange(t *testing.T) {
	other := strings.Repeat("0", 35)
	tests := []struct {
		name string
		body string
		want int
		bad  bool
	}{
		{"empty range", "", 0, false},
		{"found among others, CRLF, no final ending", other + ":3\r\n" + pwSuffix + ":52256179\r\nFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:1", 52256179, false},
		{"36 digits", other + ":3\r\n" + pwSuffix + ":52\r\n" + other + "A:1", 0, true},
		{"final CRLF", pwSuffix + ":7\r\n", 7, false},
		{"LF", other + ":3\n" + pwSuffix + ":7\n", 7, false},
		{"absent", other + ":3\r\n", 0, false},
		{"lower-case hex", strings.ToLower(pwSuffix) + ":9", 9, false},
		{"padding line is count 0", pwSuffix + ":0", 0, false},
		{"leading zeros", pwSuffix + ":0012", 12, false},
		{"ten digits clamped", pwSuffix + ":9999999999", math.MaxInt32, false},
		{"eleven digits", pwSuffix + ":99999999999", 0, true},
		{"empty count", pwSuffix + ":", 0, true},
		{"no colon", pwSuffix + "7", 0, true},
		{"signed count", pwSuffix + ":+7", 0, true},
		{"negative count", pwSuffix + ":-7", 0, true},
		{"space before count", pwSuffix + ": 7", 0, true},
		{"trailing space", pwSuffix + ":7 ", 0, true},
		{"34 digits", pwSuffix[1:] + ":7", 0, true},
		{"full hash", pwPrefix + pwSuffix + ":7", 0, true},
		{"not hex", "G" + pwSuffix[1:] + ":7", 0, true},
		{"blank line inside", other + ":3\r\n\r\n" + pwSuffix + ":7", 0, true},
		{"lone CR", other + ":3\r" + pwSuffix + ":7", 0, true},
		{"byte-order mark", "\ufeff" + pwSuffix + ":7", 0, true},
		{"HTML error page", "<html><body>Bad gateway</body></html>", 0, true},
		{"a bad line after the match", pwSuffix + ":7\r\nnonsense", 0, true},
		{"duplicates take the larger", pwSuffix + ":7\r\n" + pwSuffix + ":70", 70, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRange([]byte(tt.body), pwSuffix)
			if tt.bad {
				require.ErrorIs(t, err, ErrMalformed)
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestReadRange(t *testing.T) {
	b, err := readRange(strings.NewReader(strings.Repeat("x", MaxRangeBytes)))
	require.NoError(t, err)
	assert.Len(t, b, MaxRangeBytes)
	_, err = readRange(strings.NewReader(strings.Repeat("x", MaxRangeBytes+1)))
	assert.ErrorIs(t, err, ErrTooLarge)
}

func TestLookupError(t *testing.T) {
	assert.Equal(t, "breach: range API: 503 Service Unavailable", (&LookupError{source: "range API", StatusCode: 503}).Error())
	assert.Equal(t, "breach: range API: 200 OK: malformed range", (&LookupError{source: "range API", StatusCode: 200, Err: ErrMalformed}).Error())
	assert.Equal(t, "breach: range file: range too large", (&LookupError{source: "range file", Err: ErrTooLarge}).Error())
	assert.Equal(t, "breach: lookup failed: 599", (&LookupError{StatusCode: 599}).Error())
	assert.True(t, errors.Is(&LookupError{Err: ErrTooLarge}, ErrTooLarge))
}

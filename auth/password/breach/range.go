package breach

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/masuk-id/masuk/auth/password"
)

// Sizes of a range and of its key.
const (
	// MaxRangeBytes is the most a range (an API answer or a range file)
	// may hold; a longer one is refused with ErrTooLarge. Ranges of the
	// Pwned Passwords corpus are about 40 KB, padded ones a little more.
	MaxRangeBytes = 1 << 20
	// prefixLen is how many hex digits of a SHA-1 leave the process: the
	// range's name.
	prefixLen = 5
	// suffixLen is the rest of the 40 hex digits, which every line of a
	// range starts with.
	suffixLen = 2*sha1.Size - prefixLen
	// maxCountDigits bounds a line's count: ten digits is more than the
	// corpus holds passwords.
	maxCountDigits = 10
)

// Errors of a lookup, wrapped in a *[LookupError].
var (
	// ErrMalformed: a range is not lines of 35 hex digits, a colon and a
	// count.
	ErrMalformed = errors.New("breach: malformed range")
	// ErrTooLarge: a range is more than MaxRangeBytes long.
	ErrTooLarge = errors.New("breach: range too large")
)

// LookupError is a failed lookup: the range API could not be reached,
// answered with a status other than 200 OK, with too much or with
// something that is not a range; or a range file could not be read. It
// never names the range, whose name is 20 bits of the password's hash.
type LookupError struct {
	// StatusCode is the HTTP status the range API answered with, 0 when
	// there was no answer or the range came from a file.
	StatusCode int
	// Err is why, when there is more to say than StatusCode: ErrMalformed,
	// ErrTooLarge, context.DeadlineExceeded when the lookup ran out of its
	// Timeout, a network or file error.
	Err error

	source string // "range API" or "range file"
}

// Error returns the reason, such as "breach: range API: 503 Service
// Unavailable".
func (e *LookupError) Error() string {
	s := "breach: lookup failed"
	if e.source != "" {
		s = "breach: " + e.source
	}
	if e.StatusCode != 0 {
		s += ": " + strconv.Itoa(e.StatusCode)
		if text := http.StatusText(e.StatusCode); text != "" {
			s += " " + text
		}
	}
	if e.Err != nil {
		s += ": " + strings.TrimPrefix(e.Err.Error(), "breach: ")
	}
	return s
}

// Unwrap returns Err.
func (e *LookupError) Unwrap() error { return e.Err }

// rangeKey returns the upper-case hex SHA-1 of password, split into the
// prefix that names its range and the suffix looked for in it.
func rangeKey(password string) (prefix, suffix string) {
	sum := sha1.Sum([]byte(password))
	var buf [2 * sha1.Size]byte
	hex.Encode(buf[:], sum[:])
	upper := bytes.ToUpper(buf[:])
	return string(upper[:prefixLen]), string(upper[prefixLen:])
}

// readRange reads a range of at most MaxRangeBytes from r.
func readRange(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, MaxRangeBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxRangeBytes {
		return nil, ErrTooLarge
	}
	return body, nil
}

// parseRange returns the count on the line of body that starts with
// suffix (35 upper-case hex digits), 0 when there is none, or ErrMalformed
// unless every line is 35 hex digits of either case, a colon, and a count
// of 1 to 10 decimal digits, ended by CRLF or LF (the last line may have
// no ending). An empty body is an empty range; a count too large for an
// int32 is read as math.MaxInt32. Padding lines, whose count is 0, never
// count.
func parseRange(body []byte, suffix string) (int, error) {
	found := 0
	for len(body) > 0 {
		line := body
		if i := bytes.IndexByte(body, '\n'); i >= 0 {
			line, body = body[:i], body[i+1:]
			line = bytes.TrimSuffix(line, []byte{'\r'})
		} else {
			body = nil
		}
		if len(line) < suffixLen+2 || len(line) > suffixLen+1+maxCountDigits || line[suffixLen] != ':' {
			return 0, ErrMalformed
		}
		match := true
		for i, c := range line[:suffixLen] {
			switch {
			case '0' <= c && c <= '9', 'A' <= c && c <= 'F':
			case 'a' <= c && c <= 'f':
				c -= 'a' - 'A'
			default:
				return 0, ErrMalformed
			}
			match = match && c == suffix[i]
		}
		count := int64(0)
		for _, c := range line[suffixLen+1:] {
			if c < '0' || c > '9' {
				return 0, ErrMalformed
			}
			count = count*10 + int64(c-'0')
		}
		if match {
			found = max(found, int(min(count, math.MaxInt32)))
		}
	}
	return found, nil
}

// judge applies a checker's MinCount and failure mode to the result of a
// lookup: a count below min is 0; a failure is returned when the checker
// fails closed, or when ctx itself has ended (the caller has given up and
// nothing is let through), and is otherwise logged and let through.
type judge struct {
	min    int
	closed bool
	log    *slog.Logger
	source string // "range API" or "range files", for the log
}

func newJudge(minCount int, failClosed bool, log *slog.Logger, source string) (judge, error) {
	if minCount < 0 {
		return judge{}, fmt.Errorf("breach: MinCount %d is negative", minCount)
	}
	if log == nil {
		log = slog.Default()
	}
	return judge{min: max(minCount, 1), closed: failClosed, log: log, source: source}, nil
}

func (j judge) result(ctx context.Context, n int, err error) (int, error) {
	switch {
	case err == nil && n < j.min:
		return 0, nil
	case err == nil:
		return n, nil
	case ctx.Err() != nil:
		return 0, context.Cause(ctx)
	case j.closed:
		return 0, err
	}
	j.log.WarnContext(ctx, "breach: lookup failed; password let through (fail open)", "source", j.source, "error", err)
	return 0, nil
}

var _ password.BreachChecker = (*Client)(nil)
var _ password.BreachChecker = (*Dir)(nil)

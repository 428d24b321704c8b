package breach

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// lineRE is a range line as the format is documented, for the oracle.
var lineRE = regexp.MustCompile(`^([0-9A-Fa-f]{35}):([0-9]{1,10})$`)

// oracle parses body the slow, obvious way.
func oracle(body, suffix string) (int, bool) {
	if body == "" {
		return 0, true
	}
	lines := strings.Split(body, "\n")
	ended := len(lines) - 1 // lines[:ended] had a line feed after them
	if lines[ended] == "" {
		lines = lines[:ended]
	}
	found := 0
	for i, line := range lines {
		if i < ended {
			line = strings.TrimSuffix(line, "\r")
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			return 0, false
		}
		n, err := strconv.ParseInt(m[2], 10, 64)
		if err != nil {
			return 0, false
		}
		if strings.EqualFold(m[1], suffix) {
			found = max(found, int(min(n, math.MaxInt32)))
		}
	}
	return found, true
}

// FuzzParseRange feeds parseRange arbitrary answers: it must never panic,
// and must agree with the oracle on every body, malformed or not.
func FuzzParseRange(f *testing.F) {
	other := strings.Repeat("0", 35)
	for _, seed := range []string{
		"",
		pwSuffix + ":52256179",
		other + ":3\r\n" + pwSuffix + ":52256179\r\nFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0",
		other + ":3\n" + pwSuffix + ":7\n",
		strings.ToLower(pwSuffix) + ":9\r\n",
		pwSuffix + ":9999999999",
		pwSuffix + ":99999999999",
		pwSuffix + ":",
		pwSuffix + ":-1",
		pwSuffix + "::1",
		"\r\n",
		"\n",
		":\r\n",
		other + ":3\r\n\r\n" + pwSuffix + ":7",
		"<html>502 Bad Gateway</html>",
		"\xff\xfe\x00",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseRange(body, pwSuffix)
		want, ok := oracle(string(body), pwSuffix)
		switch {
		case err != nil && !errors.Is(err, ErrMalformed):
			t.Fatalf("unexpected error %v", err)
		case (err == nil) != ok:
			t.Fatalf("parseRange error %v, oracle ok %v", err, ok)
		case err != nil && got != 0:
			t.Fatalf("count %d with error", got)
		case got != want:
			t.Fatalf("count %d, oracle %d", got, want)
		}
	})
}

package breach_test

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/auth/password/breach"
	"github.com/masuk-id/masuk/internal/fakepwned"
)

var update = flag.Bool("update", false, "rewrite testdata/ranges from corpus")

// rangeFiles returns the range files of corpus, as the official
// downloader writes them: the API's answer without padding, lines
// separated by CRLF, none after the last. Each range holds 20 made-up
// hashes besides the corpus's, so that a lookup has lines to skip.
func rangeFiles(corpus map[string]int, eol string) map[string]string {
	lines := map[string][]string{}
	for pw, n := range corpus {
		prefix, suffix := fakepwned.Hash(pw)
		lines[prefix] = append(lines[prefix], suffix+":"+strconv.Itoa(n))
	}
	files := map[string]string{}
	for prefix, ls := range lines {
		for i := range 20 {
			sum := sha1.Sum([]byte(prefix + strconv.Itoa(i)))
			ls = append(ls, strings.ToUpper(hex.EncodeToString(sum[:]))[:35]+":"+strconv.Itoa(i+1))
		}
		slices.Sort(ls)
		files[prefix+".txt"] = strings.Join(ls, eol)
	}
	return files
}

// The fixture in testdata/ranges is rangeFiles(corpus); go test -update
// rewrites it.
func TestFixture(t *testing.T) {
	want := rangeFiles(corpus, "\r\n")
	dir := filepath.Join("testdata", "ranges")
	if *update {
		require.NoError(t, os.RemoveAll(dir))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for name, body := range want {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
		}
	}
	got := map[string]string{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		got[e.Name()] = string(b)
	}
	assert.Equal(t, want, got, "testdata/ranges is stale: go test -run TestFixture -update")
}

func newDir(t *testing.T, cfg breach.DirConfig) *breach.Dir {
	t.Helper()
	d, err := breach.NewDir(cfg)
	require.NoError(t, err)
	return d
}

func TestDirCounts(t *testing.T) {
	runVectors(t, func(minCount int) password.BreachChecker {
		return newDir(t, breach.DirConfig{FS: os.DirFS("testdata/ranges"), MinCount: minCount})
	})
}

// Files whose line ends were converted to LF read the same.
func TestDirLineFeeds(t *testing.T) {
	fsys := fstest.MapFS{}
	for name, body := range rangeFiles(corpus, "\n") {
		fsys[name] = &fstest.MapFile{Data: []byte(body + "\n")}
	}
	runVectors(t, func(minCount int) password.BreachChecker {
		return newDir(t, breach.DirConfig{FS: fsys, MinCount: minCount})
	})
}

func TestNewDir(t *testing.T) {
	_, err := breach.NewDir(breach.DirConfig{})
	assert.Error(t, err)
	_, err = breach.NewDir(breach.DirConfig{FS: os.DirFS(filepath.Join(t.TempDir(), "missing"))})
	assert.ErrorIs(t, err, fs.ErrNotExist)
	file := filepath.Join(t.TempDir(), "ranges.txt")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	_, err = breach.NewDir(breach.DirConfig{FS: os.DirFS(file)})
	assert.Error(t, err)
	_, err = breach.NewDir(breach.DirConfig{FS: os.DirFS("testdata/ranges"), MinCount: -1})
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "breach: "), err.Error())
}

// A missing, malformed or oversized range file fails the lookup: an error
// failing closed, a warning failing open. Neither names the file, which
// is the range.
func TestDirFailures(t *testing.T) {
	const pw = "Qwerty123!"
	prefix, suffix := fakepwned.Hash(pw)
	name := prefix + ".txt"
	tests := []struct {
		name string
		fsys fstest.MapFS
		is   error
	}{
		{"missing", fstest.MapFS{"00000.txt": {}}, fs.ErrNotExist},
		{"malformed", fstest.MapFS{name: {Data: []byte(suffix + ":12\r\n<html>")}}, breach.ErrMalformed},
		{"oversized", fstest.MapFS{name: {Data: []byte(strings.Repeat(suffix+":1\r\n", breach.MaxRangeBytes/38+1))}}, breach.ErrTooLarge},
		{"a directory", fstest.MapFS{name + "/x": {}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs logBuffer
			d := newDir(t, breach.DirConfig{FS: tt.fsys, FailClosed: true, Logger: logs.logger()})
			n, err := d.Breached(t.Context(), pw)
			assert.Zero(t, n)
			var le *breach.LookupError
			require.ErrorAs(t, err, &le)
			assert.Zero(t, le.StatusCode)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "breach: range file: "), err.Error())
			assert.NotContains(t, err.Error(), prefix)
			assert.Empty(t, logs.String())

			d = newDir(t, breach.DirConfig{FS: tt.fsys, Logger: logs.logger()})
			n, err = d.Breached(t.Context(), pw)
			require.NoError(t, err)
			assert.Zero(t, n)
			assert.Contains(t, logs.String(), "fail open")
			assert.NotContains(t, logs.String(), prefix)
		})
	}
}

func TestDirContext(t *testing.T) {
	d := newDir(t, breach.DirConfig{FS: os.DirFS("testdata/ranges")})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := d.Breached(ctx, "Qwerty123!")
	assert.ErrorIs(t, err, context.Canceled)
}

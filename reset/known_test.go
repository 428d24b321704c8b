package reset_test

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/reset"
)

// readHashes reads a tab-separated file of known answers: comment lines
// start with #, and a field "" is the empty string.
func readHashes(t *testing.T, name string, cols int) [][]string {
	t.Helper()
	f, err := os.Open(name)
	require.NoError(t, err)
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			row := strings.Split(line, "\t")
			require.Len(t, row, cols, line)
			for i, c := range row {
				if c == `""` {
					row[i] = ""
				}
			}
			rows = append(rows, row)
		}
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, rows)
	return rows
}

// TestLinkTokenKnownHashes pins what is stored for a token: tokens stored
// before a change of the code must keep verifying after it.
func TestLinkTokenKnownHashes(t *testing.T) {
	for _, row := range readHashes(t, "testdata/token-hashes.tsv", 3) {
		lt, ok := reset.ParseLinkToken(row[0])
		require.True(t, ok, row[0])
		require.Equal(t, row[2], hex.EncodeToString(lt.Hash(row[1])), "%q", row)
	}
}

package secret_test

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/secret"
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

// The known answers in testdata were computed before these secrets moved
// here from packages reset and totp, with the functions of those packages
// (commit 4b87f98 ran the same files against them): what was stored then
// must verify now.

// TestTokenKnownHashes pins what is stored for a token: tokens stored
// before a change of the code must keep verifying after it.
func TestTokenKnownHashes(t *testing.T) {
	for _, row := range readHashes(t, "testdata/token-hashes.tsv", 3) {
		tok, ok := secret.ParseToken(row[0])
		require.True(t, ok, row[0])
		require.Equal(t, row[2], hex.EncodeToString(tok.Hash(row[1])), "%q", row)
		h, err := hex.DecodeString(row[2])
		require.NoError(t, err)
		require.NoError(t, tok.Verify(h, row[1]), "%q", row)
	}
}

// TestCodeKnownHashes pins what is stored for a sent code: codes
// outstanding at an upgrade must keep verifying after it.
func TestCodeKnownHashes(t *testing.T) {
	for _, row := range readHashes(t, "testdata/code-hashes.tsv", 4) {
		purpose, account, code, want := row[0], row[1], row[2], row[3]
		require.Equal(t, want, hex.EncodeToString(secret.HashCode(purpose, account, code)), "%q", row)
		h, err := hex.DecodeString(want)
		require.NoError(t, err)
		require.NoError(t, secret.VerifyCode(h, purpose, account, code), "%q", row)
	}
}

// TestRecoveryCodeKnownHashes pins what is stored for a recovery code: a
// set shown long ago must keep verifying.
func TestRecoveryCodeKnownHashes(t *testing.T) {
	for _, row := range readHashes(t, "testdata/recovery-code-hashes.tsv", 2) {
		h, err := secret.HashRecoveryCode(row[0])
		require.NoError(t, err, row[0])
		require.Equal(t, row[1], hex.EncodeToString(h), "%q", row)
	}
}

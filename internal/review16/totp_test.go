package review16_test

import (
	"encoding/base32"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// manualKeySecret decodes a TOTPEnrollment's ManualKey, as an app would.
func manualKeySecret(t *testing.T, key string) []byte {
	t.Helper()
	s, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ReplaceAll(key, " ", ""))
	require.NoError(t, err)
	return s
}

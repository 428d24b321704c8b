package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/store/memstore"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(t.Context(), &out, memstore.New(), "id"))
	s := out.String()
	assert.Contains(t, s, "refused: ")
	assert.Contains(t, s, `stored as "budi.santoso", shown as "Budi.Santoso"`)
	assert.Equal(t, 2, strings.Count(s, "refused (invalid_credentials): Nama pengguna atau kata sandi salah."), "a wrong password and an unknown user read the same")
	assert.Contains(t, s, "welcome, Budi.Santoso")
	assert.Regexp(t, `login.failed +user="budi.santoso" +reason="bad_password"`, s)
	assert.Regexp(t, `login.failed +user="siti" +reason="unknown_user"`, s)
	assert.Contains(t, s, "login.succeeded")
	assert.NotContains(t, s, "nasi goreng", "a password reached the log")
}

package main

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAPIMounted: the portal serves the JSON API and its OpenAPI document
// under /api/, for the four portals' realms and not the operators'.
func TestAPIMounted(t *testing.T) {
	p := newPortal(t)
	resp, err := http.Get(p.srv.URL + "/api/openapi.json")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var doc struct {
		OpenAPI string `json:"openapi"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	assert.True(t, strings.HasPrefix(doc.OpenAPI, "3.1"), doc.OpenAPI)

	for realm, want := range map[string]int{"bpjs": http.StatusUnauthorized, "bpn": http.StatusUnauthorized, "operator": http.StatusNotFound} {
		req, err := http.NewRequest(http.MethodPost, p.srv.URL+"/api/"+realm+"/login", strings.NewReader(`{"username":"19012345678","password":"salah-sekali"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, want, resp.StatusCode, "%s: %s", realm, body)
		assert.Equal(t, "application/json", strings.Split(resp.Header.Get("Content-Type"), ";")[0], realm)
	}
}

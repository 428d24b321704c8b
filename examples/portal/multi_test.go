package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/internal/testdb"
)

// TestTwoInstances runs two portals on one PostgreSQL and one Redis, as a
// portal behind a load balancer does: a lock made through one holds on
// the other, and a session begun on one is honoured by the other.
func TestTwoInstances(t *testing.T) {
	_, schema := testdb.Postgres(t)
	_, prefix := testdb.Redis(t)
	clk := authtest.NewClock(time.Now().UTC().Truncate(time.Second))
	var ps []*portal
	for range 2 {
		a, h, err := newApp(config{
			BaseURL:     "http://127.0.0.1:8080",
			Postgres:    os.Getenv(testdb.PostgresEnv),
			Schema:      schema,
			Redis:       os.Getenv(testdb.RedisEnv),
			RedisPrefix: prefix,
			Now:         clk.Now,
			CaptchaRand: zeros,
		})
		require.NoError(t, err)
		srv := httptest.NewServer(h)
		t.Cleanup(func() {
			srv.Close()
			require.NoError(t, a.Close())
		})
		ps = append(ps, &portal{t: t, app: a, srv: srv, clock: clk})
	}
	one, two := ps[0], ps[1]
	one.activeSAPK(one.browser(), "siti@example.go.id")

	// Five failures through the first, with the captcha the third asks for.
	b := one.browser()
	_, body := fail(b, "sapk", nip, 3)
	for range 2 {
		id := find(t, body, `name="captcha_id" value="([^"]+)"`)
		_, body = b.login("sapk", nip, "salah-sekali", "captcha_id", id, "captcha", "000000")
	}
	require.Contains(t, body, "Coba lagi dalam 15 menit")

	// The second refuses the right password.
	other := two.browser()
	status, body := other.login("sapk", nip, sapkPass)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Contains(t, body, "Coba lagi dalam 15 menit")

	// After the lock, a session begun on the first works on the second
	// (both servers are 127.0.0.1, so one cookie jar serves both).
	clk.Advance(15 * time.Minute)
	_, body = b.login("sapk", nip, sapkPass)
	if b.url.Path != "/akun" {
		// The address's failures may still ask for a captcha.
		id := find(t, body, `name="captcha_id" value="([^"]+)"`)
		_, body = b.login("sapk", nip, sapkPass, "captcha_id", id, "captcha", "000000")
	}
	require.Equal(t, "/akun", b.url.Path, body)
	onTwo := &browser{p: two, c: b.c}
	status, _ = onTwo.get("/akun")
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "/akun", onTwo.url.Path)
}

package auth_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// syncBuffer is a bytes.Buffer safe for the sink's goroutine and the
// test's.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEventSinkJSONLines: every event the store keeps reaches the sink,
// in order, as one JSON object a line, with the store's ID.
func TestEventSinkJSONLines(t *testing.T) {
	var out syncBuffer
	f := newFixture(t, func(c *auth.Config) { c.EventSink = auth.JSONLines(&out) })
	f.register(t, "lpse", "budi")
	_, err := f.login(t, "lpse", "budi", "salah")
	require.ErrorIs(t, err, auth.ErrInvalidCredentials)
	_, err = f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
	evs := f.events(t, "lpse") // newest first; Close has flushed the sink

	var lines []map[string]any
	sc := bufio.NewScanner(bytes.NewReader([]byte(out.String())))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		lines = append(lines, m)
	}
	require.Len(t, lines, len(evs))
	for i, m := range lines {
		e := evs[len(evs)-1-i]
		assert.Equal(t, float64(e.ID), m["id"])
		assert.Equal(t, e.Kind, m["kind"])
		assert.Equal(t, "lpse", m["realm"])
		assert.Equal(t, e.Time.UTC().Format(time.RFC3339Nano), m["time"])
	}
	assert.Equal(t, string(auth.EventLoginFailed), lines[len(lines)-2]["kind"])
	assert.Equal(t, "bad_password", lines[len(lines)-2]["details"].(map[string]any)["reason"])
	assert.Equal(t, string(auth.EventLoginSucceeded), lines[len(lines)-1]["kind"])
	assert.NotContains(t, out.String(), goodPassword)
}

// stuckSink blocks every delivery until released, and fails or panics
// when told.
type stuckSink struct {
	release chan struct{}
	mu      sync.Mutex
	got     []store.Event
	fail    bool
	panics  bool
}

func (s *stuckSink) Event(_ context.Context, e store.Event) error {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, e)
	switch {
	case s.panics:
		panic("a bug in the host's sink")
	case s.fail:
		return errors.New("SIEM unreachable")
	}
	return nil
}

// TestEventSinkNeverBlocks: a sink that hangs slows no login; what does
// not fit the buffer is dropped and counted; Close waits for the rest.
func TestEventSinkNeverBlocks(t *testing.T) {
	s := &stuckSink{release: make(chan struct{})}
	f := newFixture(t, func(c *auth.Config) { c.EventSink, c.EventBuffer = s, 2 })
	f.register(t, "lpse", "budi")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 10 {
			_, _ = f.login(t, "lpse", "budi", "salah")
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("logins waited for the sink")
	}
	dropped := f.auth.Background().EventsDropped
	assert.Positive(t, dropped, "the buffer of 2 overflowed")
	close(s.release)
	require.NoError(t, f.auth.Close())
	evs, err := f.store.ListEvents(t.Context(), store.EventQuery{Realm: "lpse", Limit: 1000})
	require.NoError(t, err)
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Equal(t, int64(len(evs)), int64(len(s.got))+dropped, "every event delivered or counted")
}

// TestEventSinkFailures: a sink's error and panic are logged, and the
// next event is delivered all the same.
func TestEventSinkFailures(t *testing.T) {
	s := &stuckSink{release: make(chan struct{}), fail: true}
	close(s.release)
	f := newFixture(t, func(c *auth.Config) { c.EventSink = s })
	f.register(t, "lpse", "budi")
	require.NoError(t, f.auth.Close())
	s.mu.Lock()
	s.fail, s.panics = false, true
	s.mu.Unlock()
	_, _ = f.login(t, "lpse", "budi", "salah")
	require.NoError(t, f.auth.Close())
	s.mu.Lock()
	s.panics = false
	s.mu.Unlock()
	_, err := f.login(t, "lpse", "budi", goodPassword)
	require.NoError(t, err)
	require.NoError(t, f.auth.Close())
	s.mu.Lock()
	defer s.mu.Unlock()
	assert.Equal(t, string(auth.EventLoginSucceeded), s.got[len(s.got)-1].Kind)
	assert.Contains(t, f.logs.String(), "SIEM unreachable")
	assert.Contains(t, f.logs.String(), "the event sink panicked")
}

func TestEventSinkConfig(t *testing.T) {
	for _, mutate := range []func(*auth.Config){
		func(c *auth.Config) { c.EventSink, c.EventBuffer = auth.JSONLines(&bytes.Buffer{}), -1 },
		func(c *auth.Config) { var s *stuckSink; c.EventSink = s },
	} {
		_, cfg := fixtureConfig([]func(*auth.Config){mutate})
		_, err := auth.New(cfg)
		require.ErrorIs(t, err, auth.ErrConfig)
	}
}

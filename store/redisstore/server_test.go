package redisstore_test

import (
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/internal/testdb"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/redisstore"
	"github.com/masuk-id/masuk/store/storetest"
)

// The tests in this file start redis-server processes of their own, on
// free loopback ports with their files in t.TempDir(), to run a one-node
// Redis Cluster and to restart a server. They run when MASUK_TEST_REDIS is
// set and redis-server is on the PATH.

// server is a redis-server process the test started.
type server struct {
	t    *testing.T
	bin  string
	dir  string
	port int
	args []string
	cmd  *exec.Cmd
}

// newServer returns a server on a free port, not yet started, with the
// extra configuration args.
func newServer(t *testing.T, args ...string) *server {
	t.Helper()
	if os.Getenv(testdb.RedisEnv) == "" {
		t.Skipf("Redis tests are off: set %s", testdb.RedisEnv)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server is not on the PATH")
	}
	s := &server{t: t, bin: bin, dir: t.TempDir(), port: freePort(t), args: args}
	t.Cleanup(s.stop)
	return s
}

// freePort returns a loopback port that is free, and so is the one 10000
// above it, which Redis Cluster uses for its bus.
func freePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close()
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		_ = bus.Close()
		return port
	}
	t.Fatal("no free port pair")
	return 0
}

func (s *server) addr() string { return "127.0.0.1:" + strconv.Itoa(s.port) }

// start starts the server and waits until it answers.
func (s *server) start() {
	s.t.Helper()
	args := append([]string{"--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--dir", s.dir,
		"--save", "", "--daemonize", "no", "--logfile", "redis.log"}, s.args...)
	s.cmd = exec.Command(s.bin, args...)
	require.NoError(s.t, s.cmd.Start())
	c := redis.NewClient(&redis.Options{Addr: s.addr(), MaxRetries: -1, DialerRetries: 1})
	defer c.Close()
	require.Eventually(s.t, func() bool { return c.Ping(context.Background()).Err() == nil }, 10*time.Second, 20*time.Millisecond, "redis-server did not start")
}

// stop stops the server, as a crash or a power cut would: without saving.
func (s *server) stop() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
}

// TestCluster runs the conformance suite on a one-node Redis Cluster
// through a *redis.ClusterClient, with a hash-tag prefix. Without one, the
// keys of one call would hash to different slots, and Redis Cluster
// refuses a script that touches them.
func TestCluster(t *testing.T) {
	srv := newServer(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	srv.start()
	ctx := t.Context()
	node := redis.NewClient(&redis.Options{Addr: srv.addr()})
	defer node.Close()
	require.NoError(t, node.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", "0", "16383").Err())
	require.Eventually(t, func() bool {
		info, err := node.ClusterInfo(ctx).Result()
		return err == nil && strings.Contains(info, "cluster_state:ok")
	}, 10*time.Second, 20*time.Millisecond, "the cluster did not come up")

	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{srv.addr()}})
	defer cluster.Close()
	storetest.Run(t, func(t *testing.T) any {
		s, err := redisstore.New(cluster, redisstore.Config{Prefix: "{masuk}:"})
		require.NoError(t, err)
		return s
	})
	s, err := redisstore.New(cluster, redisstore.Config{Prefix: "{masuk}:"})
	require.NoError(t, err)
	tokenLifecycle(t, s)
	sessionLifecycle(t, s)

	// What the hash tag prevents: a plain client, which New cannot tell
	// from a single server, with a prefix that is not one.
	s, err = redisstore.New(node, redisstore.Config{Prefix: "masuk:"})
	require.NoError(t, err)
	_, err = s.TakeAttempt(ctx, t0, keys)
	var e *redisstore.Error
	require.ErrorAs(t, err, &e)
	require.ErrorContains(t, err, "CROSSSLOT")
}

// lockedAcrossRestart locks a key on srv, restarts the server as a crash
// would, and returns the key's counter afterwards. The store's script is
// gone too after the restart; TakeAttempt loads it again.
func lockedAcrossRestart(t *testing.T, srv *server) store.Counter {
	t.Helper()
	srv.start()
	client := redis.NewClient(&redis.Options{Addr: srv.addr()})
	defer client.Close()
	s, err := redisstore.New(client, redisstore.Config{})
	require.NoError(t, err)
	ctx := t.Context()
	k := keys[:1]
	for range limit.Threshold {
		_, err := s.TakeAttempt(ctx, t0, k)
		require.NoError(t, err)
		_, err = s.FailAttempt(ctx, t0, k)
		require.NoError(t, err)
	}
	tk, err := s.TakeAttempt(ctx, t0, k)
	require.NoError(t, err)
	require.False(t, tk.Allowed, "locked before the restart")

	srv.stop()
	srv.start()
	// The client finds its connections to the old process dead, a
	// command at a time.
	require.Eventually(t, func() bool { return client.Ping(ctx).Err() == nil }, 10*time.Second, 20*time.Millisecond)
	c, err := s.Counter(ctx, t0, k[0])
	require.NoError(t, err)
	_, err = s.TakeAttempt(ctx, t0.Add(time.Second), k)
	require.NoError(t, err, "TakeAttempt after the restart")
	return c
}

// TestRestartWithoutPersistence: a server without persistence forgets
// every counter and lock when it restarts.
func TestRestartWithoutPersistence(t *testing.T) {
	c := lockedAcrossRestart(t, newServer(t, "--appendonly", "no"))
	require.Equal(t, store.Counter{Key: keys[0].Key}, c)
}

// TestRestartWithAOF: with the append-only file, synced on every write,
// the lock survives the restart, TTL included.
func TestRestartWithAOF(t *testing.T) {
	c := lockedAcrossRestart(t, newServer(t, "--appendonly", "yes", "--appendfsync", "always"))
	require.True(t, c.Locked(t0), "%+v", c)
	require.Equal(t, limit.Threshold, c.Attempts)
}

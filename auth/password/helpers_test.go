package password

import (
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
)

// testParams are far below what New accepts, for tests that are not about
// the parameters: hashing at them takes microseconds, even under -race.
var testParams = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLength: 16, KeyLength: 32}

// newTestHasher returns a Hasher for cfg that hashes at testParams. New
// keeps refusing such parameters; only this package's tests can set them.
func newTestHasher(t testing.TB, cfg Config) *Hasher {
	t.Helper()
	h, err := New(cfg)
	require.NoError(t, err)
	h.params = testParams
	return h
}

// kdfProbe wraps a Hasher's argon2 functions to count calls, track how many
// run at once, and optionally stall them.
type kdfProbe struct {
	calls, running, peak atomic.Int64
	// entered, when not nil, receives one value as each call starts.
	entered chan struct{}
	// release, when not nil, must be closed before a call can finish.
	release chan struct{}
}

type kdf = func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte

func (p *kdfProbe) wrap(f kdf) kdf {
	return func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
		p.calls.Add(1)
		n := p.running.Add(1)
		defer p.running.Add(-1)
		for {
			peak := p.peak.Load()
			if n <= peak || p.peak.CompareAndSwap(peak, n) {
				break
			}
		}
		if p.entered != nil {
			p.entered <- struct{}{}
		}
		if p.release != nil {
			<-p.release
		}
		return f(password, salt, time, memory, threads, keyLen)
	}
}

// probe installs a kdfProbe on h's argon2id and argon2i.
func probe(h *Hasher) *kdfProbe {
	p := &kdfProbe{}
	h.argon2id = p.wrap(h.argon2id)
	h.argon2i = p.wrap(h.argon2i)
	return p
}

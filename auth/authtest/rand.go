package authtest

import (
	"encoding/binary"
	"io"
	"math/rand/v2"
	"sync"
)

// Rand is a deterministic random source: the same seed gives the same
// bytes, so account IDs, tokens and codes repeat from run to run (as far
// as the order of the calls that read it does). It is safe for concurrent
// use. It is predictable by design: never use it outside tests.
type Rand struct {
	mu sync.Mutex
	c  *rand.ChaCha8
}

var _ io.Reader = (*Rand)(nil)

// NewRand returns a Rand for seed.
func NewRand(seed uint64) *Rand {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	copy(key[8:], "masuk/auth/authtest")
	return &Rand{c: rand.NewChaCha8(key)}
}

// Read fills p and never fails.
func (r *Rand) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.c.Read(p)
}

// repeat is a source whose every byte is the same: a captcha Generator
// drawing from it makes the same answer every time.
type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

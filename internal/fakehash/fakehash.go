// Package fakehash is a fast, deliberately weak password hasher for masuk's
// own tests. It keeps the contract of password.Hasher (the same errors, a
// NeedsRehash signal) and counts what it does, so tests can assert how many
// verifications a flow cost without spending 40 ms on each.
//
// Never use it outside tests: one SHA-256 is no password hash.
package fakehash

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"sync/atomic"

	"github.com/masuk-id/masuk/auth/password"
)

// Hasher hashes as "$fake$<version>$<hex sha256(version|password)>".
type Hasher struct {
	// Version is written into new hashes; a hash of another version
	// verifies with NeedsRehash set, as an outdated argon2id hash would.
	Version string
	// MaxBytes bounds the password, as password.Config.MaxBytes does; 0
	// means 4096.
	MaxBytes int

	hashes, verifies atomic.Int64
}

// Hashes returns how many times Hash ran.
func (h *Hasher) Hashes() int64 { return h.hashes.Load() }

// Verifies returns how many times Verify compared a password.
func (h *Hasher) Verifies() int64 { return h.verifies.Load() }

func (h *Hasher) version() string {
	if h.Version == "" {
		return "1"
	}
	return h.Version
}

func (h *Hasher) tooLong(pw string) bool {
	limit := h.MaxBytes
	if limit == 0 {
		limit = 4096
	}
	return len(pw) > limit
}

func digest(version, pw string) string {
	sum := sha256.Sum256([]byte(version + "|" + pw))
	return hex.EncodeToString(sum[:])
}

// Hash implements auth.Hasher.
func (h *Hasher) Hash(ctx context.Context, pw string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if h.tooLong(pw) {
		return "", password.ErrTooLong
	}
	h.hashes.Add(1)
	return "$fake$" + h.version() + "$" + digest(h.version(), pw), nil
}

// Verify implements auth.Hasher.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (password.Verified, error) {
	if err := ctx.Err(); err != nil {
		return password.Verified{}, err
	}
	if h.tooLong(pw) {
		return password.Verified{}, password.ErrTooLong
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 4 || parts[0] != "" || parts[1] != "fake" {
		return password.Verified{}, password.ErrMalformed
	}
	h.verifies.Add(1)
	if subtle.ConstantTimeCompare([]byte(digest(parts[2], pw)), []byte(parts[3])) != 1 {
		return password.Verified{}, password.ErrMismatch
	}
	return password.Verified{NeedsRehash: parts[2] != h.version()}, nil
}

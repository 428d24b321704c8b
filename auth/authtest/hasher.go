package authtest

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
	"sync/atomic"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/password"
)

// Hasher is a fast, deliberately weak password hasher for tests: one
// SHA-256 of the version and the password, written
// "$authtest$<version>$<hex digest>". A test that runs a hundred logins
// spends microseconds on it instead of seconds of argon2id.
//
// It is not a password hash. One SHA-256 is guessed at billions of
// passwords a second on one graphics card: never use Hasher outside tests,
// and never let a hash it wrote reach a real database. (A production
// Authenticator given such a hash cannot verify it, so it is not silently
// accepted there either.)
//
// It keeps the contract of password.Hasher that auth relies on: the same
// errors for a malformed hash (password.ErrMalformed), a mismatch
// (password.ErrMismatch) and a password too long (password.ErrTooLong),
// and NeedsRehash for a hash of another Version. It counts what it does,
// so a test can check that a refusal ran no hash. Its zero value is ready
// to use and it is safe for concurrent use.
type Hasher struct {
	// Version is written into new hashes; a hash of another version
	// verifies with NeedsRehash set, as an outdated argon2id hash would.
	// Empty means "1".
	Version string
	// MaxBytes bounds the password, as password.Config.MaxBytes does. Zero
	// means 4096.
	MaxBytes int

	hashes, verifies atomic.Int64
}

var _ auth.Hasher = (*Hasher)(nil)

// Prefix begins every hash a Hasher writes.
const Prefix = "$authtest$"

// Hashes returns how many times Hash hashed a password.
func (h *Hasher) Hashes() int64 { return h.hashes.Load() }

// Verifies returns how many times Verify compared a password with a hash.
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
	return Prefix + h.version() + "$" + digest(h.version(), pw), nil
}

// Verify implements auth.Hasher.
func (h *Hasher) Verify(ctx context.Context, pw, encoded string) (password.Verified, error) {
	if err := ctx.Err(); err != nil {
		return password.Verified{}, err
	}
	if h.tooLong(pw) {
		return password.Verified{}, password.ErrTooLong
	}
	rest, ok := strings.CutPrefix(encoded, Prefix)
	version, sum, ok2 := strings.Cut(rest, "$")
	if !ok || !ok2 || version == "" || strings.Contains(sum, "$") {
		return password.Verified{}, password.ErrMalformed
	}
	h.verifies.Add(1)
	if subtle.ConstantTimeCompare([]byte(digest(version, pw)), []byte(sum)) != 1 {
		return password.Verified{}, password.ErrMismatch
	}
	return password.Verified{NeedsRehash: version != h.version()}, nil
}

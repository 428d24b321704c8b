package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/unicode/norm"

	"go.opentelemetry.io/otel/metric"
)

// Errors returned by [Hasher]. Each one is a sentinel to test with
// errors.Is; a returned error may wrap it with detail.
var (
	// ErrMismatch means the password does not match the encoded hash.
	ErrMismatch = errors.New("password: does not match")
	// ErrTooLong means the password is longer than Config.MaxBytes. It is
	// returned before any hashing or waiting.
	ErrTooLong = errors.New("password: too long")
	// ErrBusy means Config.MaxConcurrent hashes are running and
	// Config.MaxWaiting callers are already waiting for a slot.
	ErrBusy = errors.New("password: too many hashes in progress")
	// ErrMalformed means the encoded hash cannot be parsed, is of a format
	// the Hasher does not know, or has parameters outside the bounds it
	// accepts.
	ErrMalformed = errors.New("password: malformed or unknown hash")
	// ErrEmpty means Hash was given an empty password. Verify does not
	// return it: an empty password matches nothing and gets ErrMismatch.
	ErrEmpty = errors.New("password: empty")
	// ErrConfig is wrapped by every error of [New] and [NewPolicy] about
	// a configuration they refuse.
	ErrConfig = errors.New("password: invalid configuration")
)

// Defaults of [Config] and [Argon2Params].
const (
	DefaultMemory     uint32 = 19456 // KiB, 19 MiB
	DefaultTime       uint32 = 2
	DefaultThreads    uint8  = 1
	DefaultSaltLength uint32 = 16
	DefaultKeyLength  uint32 = 32
	DefaultMaxBytes          = 4096
)

// Upper bounds on Argon2 parameters, for New and for stored hashes: they
// stop a typo (bytes for KiB) or a corrupt stored hash from allocating
// without bound.
const (
	maxMemory     = 4 << 20 // KiB, 4 GiB
	maxTime       = 1024
	maxSaltLength = 1024
	maxKeyLength  = 1024
	minSaltParsed = 8  // the Argon2 specification's minimum salt
	minKeyParsed  = 16 // shorter tags are too easy to collide with
)

// Argon2Params are the argon2id parameters of new hashes. A zero field
// takes its default.
type Argon2Params struct {
	// Memory is the memory cost in KiB. Default 19456 (19 MiB).
	Memory uint32
	// Time is the number of passes over the memory. Default 2.
	Time uint32
	// Threads is the degree of parallelism. Default 1.
	Threads uint8
	// SaltLength is the length of the random salt in bytes. Default 16,
	// the minimum New accepts.
	SaltLength uint32
	// KeyLength is the length of the derived key in bytes. Default 32;
	// New accepts no less than 16.
	KeyLength uint32
}

// minimums are the argon2id memory/time pairs that OWASP's Password
// Storage Cheat Sheet and ASVS 5.0 Appendix C call equivalent; parameters
// are accepted when they reach at least one pair.
var minimums = [...]struct{ memory, time uint32 }{
	{19456, 2}, {47104, 1}, {12288, 3}, {9216, 4}, {7168, 5},
}

func (p Argon2Params) withDefaults() Argon2Params {
	if p.Memory == 0 {
		p.Memory = DefaultMemory
	}
	if p.Time == 0 {
		p.Time = DefaultTime
	}
	if p.Threads == 0 {
		p.Threads = DefaultThreads
	}
	if p.SaltLength == 0 {
		p.SaltLength = DefaultSaltLength
	}
	if p.KeyLength == 0 {
		p.KeyLength = DefaultKeyLength
	}
	return p
}

func (p Argon2Params) validate() error {
	strong := false
	for _, m := range minimums {
		if p.Memory >= m.memory && p.Time >= m.time {
			strong = true
			break
		}
	}
	switch {
	case !strong:
		return fmt.Errorf("%w: argon2id memory %d KiB with time %d is below the OWASP minimums (19456 KiB with time 2, 47104/1, 12288/3, 9216/4, 7168/5)", ErrConfig, p.Memory, p.Time)
	case p.Memory > maxMemory:
		return fmt.Errorf("%w: argon2id memory %d KiB is above %d KiB (4 GiB); memory is in KiB", ErrConfig, p.Memory, maxMemory)
	case p.Time > maxTime:
		return fmt.Errorf("%w: argon2id time %d is above %d", ErrConfig, p.Time, maxTime)
	case p.SaltLength < DefaultSaltLength || p.SaltLength > maxSaltLength:
		return fmt.Errorf("%w: salt length %d is outside 16..%d bytes", ErrConfig, p.SaltLength, maxSaltLength)
	case p.KeyLength < 16 || p.KeyLength > maxKeyLength:
		return fmt.Errorf("%w: key length %d is outside 16..%d bytes", ErrConfig, p.KeyLength, maxKeyLength)
	}
	return nil
}

// Config configures a [Hasher]. The zero value is ready to use: argon2id
// at the OWASP parameters, a concurrency bound from GOMAXPROCS, 4096-byte
// passwords and crypto/rand salts.
type Config struct {
	// Argon2 holds the parameters of new hashes; zero fields take the
	// defaults. New rejects parameters below the OWASP minimums rather
	// than raising them.
	Argon2 Argon2Params
	// MaxConcurrent bounds how many hashes (argon2 or bcrypt) run at once,
	// and so the memory they hold: MaxConcurrent × Argon2.Memory. Zero
	// means 2×GOMAXPROCS.
	MaxConcurrent int
	// MaxWaiting bounds how many callers may wait for a slot when
	// MaxConcurrent hashes are running; past it, Hash and Verify return
	// ErrBusy at once. Zero means 8×MaxConcurrent: with each hash taking
	// tens of milliseconds, the last waiter starts within about eight hash
	// times. Negative means no caller waits.
	MaxWaiting int
	// MaxBytes is the longest password, in bytes, that Hash and Verify
	// accept; a longer one gets ErrTooLong before any hashing or waiting.
	// Zero means 4096. New rejects less than 256, which would refuse some
	// 64-character passwords (ASVS 6.2.9).
	MaxBytes int
	// Legacy says how Verify reads bare hex digests, if the host's store
	// holds any. The zero value reads none.
	Legacy LegacyConfig
	// Rand is the source of salts. Nil means crypto/rand.Reader. Reads are
	// serialised, so it need not be safe for concurrent use.
	Rand io.Reader
	// MeterProvider receives the time of each hash, the waits for a slot
	// and the refusals of a full queue (masuk.password.duration,
	// masuk.password.wait, masuk.password.rejected). Nil means none.
	MeterProvider metric.MeterProvider
}

// Hasher hashes new passwords with argon2id and verifies passwords against
// argon2id, argon2i, bcrypt and legacy digests. It is safe for concurrent
// use; create it with [New].
type Hasher struct {
	params   Argon2Params
	maxBytes int
	legacy   LegacyConfig
	lim      *limiter
	tel      telemetry

	randMu sync.Mutex
	rand   io.Reader

	// Hooks, replaced by tests to count or stall the expensive work.
	argon2id      func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
	argon2i       func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
	bcryptCompare func(hash, password []byte) error
}

// Verified is what a successful [Hasher.Verify] reports.
type Verified struct {
	// NeedsRehash is true when the hash is not argon2id at the Hasher's
	// parameters (bcrypt, a legacy digest, argon2i, or argon2id at other
	// parameters): the caller should store a fresh Hash of the password it
	// just verified.
	NeedsRehash bool
}

// New returns a Hasher for cfg, or an error wrapping ErrConfig when a
// setting is invalid or weaker than the minimums in Config's comments.
func New(cfg Config) (*Hasher, error) {
	params := cfg.Argon2.withDefaults()
	if err := params.validate(); err != nil {
		return nil, err
	}
	maxConcurrent := cfg.MaxConcurrent
	switch {
	case maxConcurrent < 0:
		return nil, fmt.Errorf("%w: MaxConcurrent %d is negative", ErrConfig, maxConcurrent)
	case maxConcurrent == 0:
		maxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	maxWaiting := cfg.MaxWaiting
	switch {
	case maxWaiting < 0:
		maxWaiting = 0
	case maxWaiting == 0:
		maxWaiting = 8 * maxConcurrent
	}
	maxBytes := cfg.MaxBytes
	switch {
	case maxBytes == 0:
		maxBytes = DefaultMaxBytes
	case maxBytes < 256:
		return nil, fmt.Errorf("%w: MaxBytes %d is below 256", ErrConfig, maxBytes)
	}
	if err := cfg.Legacy.validate(); err != nil {
		return nil, err
	}
	r := cfg.Rand
	if r == nil {
		r = rand.Reader
	}
	h := &Hasher{
		params:        params,
		maxBytes:      maxBytes,
		legacy:        cfg.Legacy,
		lim:           newLimiter(maxConcurrent, maxWaiting),
		rand:          r,
		argon2id:      argon2.IDKey,
		argon2i:       argon2.Key,
		bcryptCompare: bcrypt.CompareHashAndPassword,
	}
	if err := h.tel.init(cfg.MeterProvider); err != nil {
		return nil, err
	}
	return h, nil
}

// Params returns the argon2id parameters of new hashes, defaults filled in.
func (h *Hasher) Params() Argon2Params { return h.params }

// Hash returns the argon2id hash of the NFC form of password as a PHC
// string:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with salt and key in unpadded standard base64, as the reference
// implementation writes them. It returns ErrEmpty for an empty password,
// ErrTooLong for one over MaxBytes, ErrBusy when too many hashes are
// running and waiting, and ctx's error (wrapped) if ctx ends while it
// waits for a slot.
//
// Hash serves new passwords (registrations, resets, changes), which
// anyone may ask for in bulk; Verify serves logins. So that a flood of
// the first cannot keep the second waiting, hashes of new passwords run in
// at most half of MaxConcurrent's slots (at least one), and wait in a
// queue of their own, half as long as MaxWaiting's: logins always have the
// other half of the slots, and nearly all of their queue.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if password == "" {
		return "", ErrEmpty
	}
	if len(password) > h.maxBytes {
		return "", ErrTooLong
	}
	salt := make([]byte, h.params.SaltLength)
	h.randMu.Lock()
	_, err := io.ReadFull(h.rand, salt)
	h.randMu.Unlock()
	if err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	if err := h.sharedSlot(ctx); err != nil {
		return "", err
	}
	defer h.lim.releaseShared()
	p := h.params
	start := h.tel.now()
	key := h.argon2id(normalize(password), salt, p.Time, p.Memory, p.Threads, p.KeyLength)
	h.tel.hashed(ctx, algArgon2id, start)
	return encodeArgon2(argon2idID, p, salt, key), nil
}

// Verify checks password against encoded and returns nil when it matches.
// It reads:
//
//   - argon2id and argon2i PHC strings (any parameters within sane bounds),
//     verified against the NFC form of password;
//   - bcrypt hashes with the prefixes $2a$, $2b$ and PHP's $2y$, verified
//     against password's bytes as received; a password over 72 bytes never
//     matches, although bcrypt itself would ignore the excess;
//   - legacy MD5, SHA-1 and SHA-256 hex digests written by [EncodeLegacy],
//     and bare ones when Config.Legacy says how to read them, verified
//     against password's bytes as received.
//
// Every match but argon2id at h's parameters has Verified.NeedsRehash set.
// A legacy digest, and an encoded hash that cannot be read, cost one
// argon2id run at h's parameters besides, so that their accounts answer in
// the time any other does. bcrypt hashes and argon2 hashes at other
// parameters cost what their own parameters cost: hosts migrating them
// should rehash at login (Verified.NeedsRehash) and know that until then
// their timing differs from an unknown user's.
// Errors: ErrMismatch, ErrTooLong (checked first), ErrMalformed for an
// encoded hash it cannot read, ErrBusy, or ctx's error (wrapped) if ctx
// ends while Verify waits for a slot.
func (h *Hasher) Verify(ctx context.Context, password, encoded string) (Verified, error) {
	if len(password) > h.maxBytes {
		return Verified{}, ErrTooLong
	}
	v, err := h.verify(ctx, password, encoded)
	if errors.Is(err, ErrMalformed) {
		if perr := h.padCost(ctx); perr != nil {
			return Verified{}, perr
		}
	}
	return v, err
}

func (h *Hasher) verify(ctx context.Context, password, encoded string) (Verified, error) {
	switch {
	case strings.HasPrefix(encoded, "$argon2"):
		return h.verifyArgon2(ctx, password, encoded)
	case isBcryptPrefix(encoded):
		return h.verifyBcrypt(ctx, password, encoded)
	default:
		// A legacy digest takes microseconds and a hash that cannot be
		// read takes nothing; an unknown user costs the caller an argon2id
		// run against its stand-in hash. So that the time of an answer
		// does not tell which accounts were migrated from MD5 (or hold a
		// broken hash), these cost one argon2id run at h's parameters too,
		// under the same limit.
		d, err := h.parseLegacy(encoded)
		if err != nil {
			return Verified{}, err
		}
		if err := h.padCost(ctx); err != nil {
			return Verified{}, err
		}
		if password == "" || !d.matches(password) {
			return Verified{}, ErrMismatch
		}
		return Verified{NeedsRehash: true}, nil
	}
}

// padSalt is the salt of padCost's throwaway hash.
var padSalt = []byte("masuk: cost pad!")

// padCost runs one argon2id at h's parameters and throws it away, under
// the concurrency limit, so that a verification that would otherwise be
// cheap costs what a real one does.
func (h *Hasher) padCost(ctx context.Context) error {
	if err := h.slot(ctx); err != nil {
		return err
	}
	defer h.lim.release()
	p := h.params
	start := h.tel.now()
	h.argon2id([]byte("masuk"), padSalt, p.Time, p.Memory, p.Threads, p.KeyLength)
	h.tel.hashed(ctx, algPad, start)
	return nil
}

// NeedsRehash reports whether encoded is anything but an argon2id hash at
// h's parameters, including when it cannot be parsed at all. It does no
// hashing; use it to find stored hashes to upgrade at their next login.
func (h *Hasher) NeedsRehash(encoded string) bool {
	a, err := parseArgon2(encoded)
	return err != nil || a.id != argon2idID || a.params != h.params
}

func (h *Hasher) verifyArgon2(ctx context.Context, password, encoded string) (Verified, error) {
	a, err := parseArgon2(encoded)
	if err != nil {
		return Verified{}, err
	}
	if password == "" {
		return Verified{}, ErrMismatch
	}
	kdf, alg := h.argon2id, algArgon2id
	if a.id == argon2iID {
		kdf, alg = h.argon2i, algArgon2i
	}
	if err := h.slot(ctx); err != nil {
		return Verified{}, err
	}
	defer h.lim.release()
	p := a.params
	start := h.tel.now()
	key := kdf(normalize(password), a.salt, p.Time, p.Memory, p.Threads, p.KeyLength)
	h.tel.hashed(ctx, alg, start)
	if subtle.ConstantTimeCompare(key, a.key) != 1 {
		return Verified{}, ErrMismatch
	}
	return Verified{NeedsRehash: a.id != argon2idID || p != h.params}, nil
}

// bcryptMaxBytes is the length past which bcrypt ignores a password.
const bcryptMaxBytes = 72

func (h *Hasher) verifyBcrypt(ctx context.Context, password, encoded string) (Verified, error) {
	if err := checkBcrypt(encoded); err != nil {
		return Verified{}, err
	}
	if password == "" {
		return Verified{}, ErrMismatch
	}
	pw := []byte(password)
	tooLong := len(pw) > bcryptMaxBytes
	if tooLong {
		// bcrypt would compare only the first 72 bytes and could match.
		// Do the same work anyway, so the answer takes the usual time,
		// and refuse whatever it says.
		pw = pw[:bcryptMaxBytes]
	}
	if err := h.slot(ctx); err != nil {
		return Verified{}, err
	}
	defer h.lim.release()
	start := h.tel.now()
	err := h.bcryptCompare([]byte(encoded), pw)
	h.tel.hashed(ctx, algBcrypt, start)
	switch {
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) || (err == nil && tooLong):
		return Verified{}, ErrMismatch
	case err != nil:
		return Verified{}, fmt.Errorf("%w: bcrypt: %v", ErrMalformed, err)
	}
	return Verified{NeedsRehash: true}, nil
}

// normalize returns the NFC form of password; see the package doc for why
// NFC.
func normalize(password string) []byte {
	return norm.NFC.AppendString(nil, password)
}

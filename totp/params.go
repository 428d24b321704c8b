package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"hash"
	"strconv"
	"time"
)

// Algorithm is the hash function under a factor's HMAC. Its values are
// stable and may be stored as they are.
type Algorithm uint8

// The algorithms of RFC 6238.
const (
	// SHA1 is the default and the only algorithm every authenticator app
	// supports. HMAC-SHA-1 is not weakened by SHA-1's collisions.
	SHA1 Algorithm = iota
	// SHA256 is HMAC-SHA-256. Some apps ignore it and show wrong codes.
	SHA256
	// SHA512 is HMAC-SHA-512. Some apps ignore it and show wrong codes.
	SHA512
)

// String returns the algorithm's name as the otpauth URI writes it:
// "SHA1", "SHA256" or "SHA512".
func (a Algorithm) String() string {
	switch a {
	case SHA1:
		return "SHA1"
	case SHA256:
		return "SHA256"
	case SHA512:
		return "SHA512"
	}
	return "Algorithm(" + strconv.Itoa(int(a)) + ")"
}

// ParseAlgorithm returns the Algorithm whose [Algorithm.String] is name:
// "SHA1", "SHA256" or "SHA512", as a store keeps a factor's algorithm.
// Any other name, in another case included, returns [ErrInvalidParams].
func ParseAlgorithm(name string) (Algorithm, error) {
	for _, a := range [...]Algorithm{SHA1, SHA256, SHA512} {
		if name == a.String() {
			return a, nil
		}
	}
	return 0, fmt.Errorf("%w: unknown algorithm %q", ErrInvalidParams, name)
}

func (a Algorithm) hash() func() hash.Hash {
	switch a {
	case SHA1:
		return sha1.New
	case SHA256:
		return sha256.New
	case SHA512:
		return sha512.New
	}
	return nil
}

// NoSkew is the [Params.Skew] that accepts the current step only.
const NoSkew = -1

// Bounds of a TOTP secret's size in bytes. RFC 4226 §4 (R6) requires at
// least 128 bits and recommends 160, which is what [NewSecret] makes; a
// secret longer than SHA-512's output adds nothing.
const (
	MinSecretSize = 16
	MaxSecretSize = 64
)

// Params says how codes are computed and how far from the current time
// they are accepted. The zero value is the default everybody's app
// supports: SHA-1, 6 digits, 30 seconds, one step either side.
//
// Algorithm, Digits and Period describe the factor: they go into its
// otpauth URI and must be stored with it, since the app computes codes
// with them. Skew is the verifier's policy and can change at any time.
// What each zero value means is fixed and will not change.
type Params struct {
	// Algorithm is the HMAC hash. The zero value is SHA1.
	Algorithm Algorithm
	// Digits is the code's length: 6 or 8. Zero means 6.
	Digits int
	// Period is the time step: whole seconds from 15 seconds to 2 minutes
	// (NIST SP 800-63B's longest). Zero means 30 seconds, RFC 6238's
	// default and ASVS 6.5.5's limit.
	Period time.Duration
	// Skew is how many steps before and after the current one are also
	// accepted, for clocks that drift and people who type slowly: 1 or 2.
	// Zero means 1, the one step RFC 6238 §5.2 allows; [NoSkew] accepts
	// the current step only.
	Skew int
}

// params is Params with its defaults filled in and checked.
type params struct {
	hash   func() hash.Hash
	digits int
	mod    uint32 // 10^digits
	period int64  // seconds
	skew   int64
}

func (p Params) resolve() (params, error) {
	r := params{hash: p.Algorithm.hash(), digits: p.Digits, period: 30, skew: int64(p.Skew)}
	if r.hash == nil {
		return params{}, fmt.Errorf("%w: unknown algorithm %d", ErrInvalidParams, p.Algorithm)
	}
	switch p.Digits {
	case 0, 6:
		r.digits, r.mod = 6, 1_000_000
	case 8:
		r.mod = 100_000_000
	default:
		return params{}, fmt.Errorf("%w: %d digits, want 6 or 8", ErrInvalidParams, p.Digits)
	}
	if p.Period != 0 {
		if p.Period < 15*time.Second || p.Period > 2*time.Minute || p.Period%time.Second != 0 {
			return params{}, fmt.Errorf("%w: period %v, want whole seconds from 15s to 2m", ErrInvalidParams, p.Period)
		}
		r.period = int64(p.Period / time.Second)
	}
	switch p.Skew {
	case NoSkew:
		r.skew = 0
	case 0:
		r.skew = 1
	case 1, 2:
	default:
		return params{}, fmt.Errorf("%w: skew %d, want 1, 2, 0 (1) or NoSkew", ErrInvalidParams, p.Skew)
	}
	return r, nil
}

// step returns the number of whole periods from the Unix epoch to at
// (RFC 6238's T, with T0 = 0).
func (r params) step(at time.Time) int64 {
	u := at.Unix()
	s := u / r.period
	if u < 0 && u%r.period != 0 {
		s--
	}
	return s
}

// Validate reports whether p is usable, with an error wrapping
// [ErrInvalidParams] if not. Call it when the host's configuration is
// read; [Params.Match] and the others check again and fail the same way.
func (p Params) Validate() error {
	_, err := p.resolve()
	return err
}

// Match checks code against secret at the time at, and returns the
// time step it belongs to.
//
// It tries T, the step of at, then T−1, T+1, T−2, T+2 as far as Skew
// allows, each step on its own, and returns the first that matches: the
// current step when the code matches two (one chance in a million with 6
// digits). Codes are compared in constant time.
//
// Match does not prevent replay: a code stays valid for all the steps it
// matches. The caller must then store the step as the factor's last
// accepted step, atomically and only if it is greater than the one
// stored, and refuse the code otherwise (see the package documentation).
//
// The code is taken exactly as given: Digits ASCII digits and nothing
// else. A form that lets people type "123 456" should remove the blank
// first. A malformed code returns [ErrInvalidCode], one that matches no
// step [ErrWrongCode], and a secret or Params out of bounds
// [ErrInvalidSecret] or [ErrInvalidParams]; the step is then 0.
//
// at must come from the server's clock (ASVS 6.5.8), never from the
// client.
func (p Params) Match(secret []byte, code string, at time.Time) (step int64, err error) {
	r, err := p.resolve()
	if err != nil {
		return 0, err
	}
	if err := checkSecret(secret); err != nil {
		return 0, err
	}
	got, err := parseCode(code, r.digits)
	if err != nil {
		return 0, err
	}
	t := r.step(at)
	// One HMAC for every step: from the second on, Reset restores its
	// keyed state instead of hashing the key again. One buffer too: what
	// is passed to the hash escapes, and would be allocated per step.
	mac := hmac.New(r.hash, secret)
	buf := new(hotpBuffer)
	for _, d := range window[:2*r.skew+1] {
		s := t + d
		if s < 0 {
			continue
		}
		if subtle.ConstantTimeEq(int32(hotp(mac, buf, uint64(s), r.mod)), int32(got)) == 1 {
			return s, nil
		}
	}
	return 0, ErrWrongCode
}

// Code returns the code an authenticator app shows at the time at. It is
// for tests, examples and tools; a server checks codes with
// [Params.Match].
func (p Params) Code(secret []byte, at time.Time) (string, error) {
	r, err := p.resolve()
	if err != nil {
		return "", err
	}
	if err := checkSecret(secret); err != nil {
		return "", err
	}
	t := r.step(at)
	if t < 0 {
		return "", fmt.Errorf("%w: time %v is before 1970", ErrInvalidParams, at)
	}
	return formatUint(uint64(hotp(hmac.New(r.hash, secret), new(hotpBuffer), uint64(t), r.mod)), r.digits), nil
}

// window is the order in which Match tries the steps around the current
// one, as far as the skew goes.
var window = [...]int64{0, -1, 1, -2, 2}

func checkSecret(secret []byte) error {
	if len(secret) < MinSecretSize || len(secret) > MaxSecretSize {
		return fmt.Errorf("%w: %d bytes, want %d to %d", ErrInvalidSecret, len(secret), MinSecretSize, MaxSecretSize)
	}
	return nil
}

// hotpBuffer holds a counter and an HMAC output, for [hotp].
type hotpBuffer struct {
	msg [8]byte
	sum [sha512.Size]byte
}

// hotp returns RFC 4226's HOTP value of counter under mac (an HMAC keyed
// with the secret), before it is written out in decimal. buf is scratch
// space, reused from step to step.
func hotp(mac hash.Hash, buf *hotpBuffer, counter uint64, mod uint32) uint32 {
	binary.BigEndian.PutUint64(buf.msg[:], counter)
	mac.Reset()
	mac.Write(buf.msg[:])
	sum := mac.Sum(buf.sum[:0])
	off := sum[len(sum)-1] & 0x0f // dynamic truncation, RFC 4226 §5.4
	return (binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fff_ffff) % mod
}

// parseCode returns the value of a code of exactly digits ASCII digits.
func parseCode(code string, digits int) (uint32, error) {
	if len(code) != digits {
		return 0, ErrInvalidCode
	}
	var v uint32
	for i := 0; i < len(code); i++ {
		c := code[i]
		if c < '0' || c > '9' {
			return 0, ErrInvalidCode
		}
		v = v*10 + uint32(c-'0')
	}
	return v, nil
}

// formatUint writes v in decimal with leading zeros to digits digits, at
// most 10.
func formatUint(v uint64, digits int) string {
	var buf [10]byte
	for i := digits - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[:digits])
}

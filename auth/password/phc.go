package password

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2 variants in PHC strings.
const (
	argon2idID = "argon2id"
	argon2iID  = "argon2i"
)

// b64 is the PHC string format's base64: standard alphabet, no padding.
// Strict decoding also refuses non-zero trailing bits, so every hash has
// exactly one spelling.
var b64 = base64.RawStdEncoding.Strict()

// argon2Hash is a parsed argon2 PHC string.
type argon2Hash struct {
	id        string // argon2idID or argon2iID
	params    Argon2Params
	salt, key []byte
}

func encodeArgon2(id string, p Argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$%s$v=%d$m=%d,t=%d,p=%d$%s$%s",
		id, argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parseArgon2 parses $argon2id$v=19$m=M,t=T,p=P$salt$key (or argon2i),
// the form the reference implementation writes: the version is required
// and must be 19 (0x13, the only one x/crypto implements), the parameters
// come in that order and nothing else. Parameters outside what Argon2
// allows, or beyond the bounds in this package, are ErrMalformed.
func parseArgon2(encoded string) (argon2Hash, error) {
	var a argon2Hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return a, fmt.Errorf("%w: argon2: want 5 fields", ErrMalformed)
	}
	a.id = parts[1]
	if a.id != argon2idID && a.id != argon2iID {
		return a, fmt.Errorf("%w: argon2: unknown variant", ErrMalformed)
	}
	if parts[2] != "v=19" {
		return a, fmt.Errorf("%w: argon2: unsupported version", ErrMalformed)
	}
	rest := parts[3]
	m, rest, ok1 := cutParam(rest, "m=", ',')
	t, rest, ok2 := cutParam(rest, "t=", ',')
	p, rest, ok3 := cutParam(rest, "p=", 0)
	if !ok1 || !ok2 || !ok3 || rest != "" {
		return a, fmt.Errorf("%w: argon2: want parameters m=,t=,p=", ErrMalformed)
	}
	var err error
	if a.salt, err = b64.DecodeString(parts[4]); err != nil {
		return a, fmt.Errorf("%w: argon2: salt is not unpadded base64", ErrMalformed)
	}
	if a.key, err = b64.DecodeString(parts[5]); err != nil {
		return a, fmt.Errorf("%w: argon2: key is not unpadded base64", ErrMalformed)
	}
	switch {
	case t < 1 || t > maxTime:
		return a, fmt.Errorf("%w: argon2: time %d outside 1..%d", ErrMalformed, t, maxTime)
	case p < 1 || p > 255:
		return a, fmt.Errorf("%w: argon2: parallelism %d outside 1..255", ErrMalformed, p)
	case m < 8*p || m > maxMemory:
		// Argon2 needs 8 KiB per lane; x/crypto would raise a smaller m
		// silently and compute another hash than the one stored.
		return a, fmt.Errorf("%w: argon2: memory %d KiB outside %d..%d", ErrMalformed, m, 8*p, maxMemory)
	case len(a.salt) < minSaltParsed || len(a.salt) > maxSaltLength:
		return a, fmt.Errorf("%w: argon2: salt of %d bytes outside %d..%d", ErrMalformed, len(a.salt), minSaltParsed, maxSaltLength)
	case len(a.key) < minKeyParsed || len(a.key) > maxKeyLength:
		return a, fmt.Errorf("%w: argon2: key of %d bytes outside %d..%d", ErrMalformed, len(a.key), minKeyParsed, maxKeyLength)
	}
	a.params = Argon2Params{
		Memory:     uint32(m),
		Time:       uint32(t),
		Threads:    uint8(p),
		SaltLength: uint32(len(a.salt)),
		KeyLength:  uint32(len(a.key)),
	}
	return a, nil
}

// cutParam reads name=<decimal> from the start of s, followed by sep (or
// the end of s when sep is 0), and returns the value and what follows sep.
// Decimals have no sign and no leading zeros, as PHC requires.
func cutParam(s, name string, sep byte) (uint64, string, bool) {
	s, ok := strings.CutPrefix(s, name)
	if !ok {
		return 0, "", false
	}
	end := len(s)
	if sep != 0 {
		end = strings.IndexByte(s, sep)
		if end < 0 {
			return 0, "", false
		}
	}
	digits := s[:end]
	if digits == "" || len(digits) > 10 || (digits[0] == '0' && len(digits) > 1) {
		return 0, "", false
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil {
		return 0, "", false
	}
	if sep != 0 {
		end++
	}
	return v, s[end:], true
}

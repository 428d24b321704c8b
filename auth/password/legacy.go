package password

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// bcrypt hashes.

// bcryptMaxCost bounds the cost of stored bcrypt hashes Verify runs: cost
// 20 already takes over a minute, and cost 31 days, during which a slot
// of the limiter would be held.
const bcryptMaxCost = 20

func isBcryptPrefix(encoded string) bool {
	return strings.HasPrefix(encoded, "$2a$") || strings.HasPrefix(encoded, "$2b$") || strings.HasPrefix(encoded, "$2y$")
}

// checkBcrypt checks the shape of a $2a$/$2b$/$2y$ hash: a two-digit cost
// from 04 to bcryptMaxCost and 53 characters of bcrypt's base64 (22 of
// salt, 31 of hash). $2x$ (PHP's marker for hashes made by the buggy
// crypt_blowfish before 5.3.7) and $2$ are not accepted.
func checkBcrypt(encoded string) error {
	if len(encoded) != 60 || encoded[6] != '$' {
		return fmt.Errorf("%w: bcrypt: want 60 characters", ErrMalformed)
	}
	c1, c2 := encoded[4], encoded[5]
	if c1 < '0' || c1 > '9' || c2 < '0' || c2 > '9' {
		return fmt.Errorf("%w: bcrypt: bad cost", ErrMalformed)
	}
	if cost := int(c1-'0')*10 + int(c2-'0'); cost < 4 || cost > bcryptMaxCost {
		return fmt.Errorf("%w: bcrypt: cost %d outside 4..%d", ErrMalformed, cost, bcryptMaxCost)
	}
	for i := 7; i < len(encoded); i++ {
		c := encoded[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '/') {
			return fmt.Errorf("%w: bcrypt: bad character", ErrMalformed)
		}
	}
	return nil
}

// Legacy digests.

// LegacyAlgorithm names the digest an old system stored as hex.
type LegacyAlgorithm string

// Legacy digest algorithms Verify can check. They are fast, unsuitable
// for passwords and accepted only so that accounts can be carried over
// and rehashed at their next login.
const (
	LegacyMD5    LegacyAlgorithm = "md5"
	LegacySHA1   LegacyAlgorithm = "sha1"
	LegacySHA256 LegacyAlgorithm = "sha256"
)

// newHash returns the hash function of a, or nil for an unknown a.
func (a LegacyAlgorithm) newHash() hash.Hash {
	switch a {
	case LegacyMD5:
		return md5.New()
	case LegacySHA1:
		return sha1.New()
	case LegacySHA256:
		return sha256.New()
	}
	return nil
}

// SaltPlacement says where an old system put the salt relative to the
// password before digesting them.
type SaltPlacement string

// Salt placements.
const (
	// SaltNone: the digest is of the password alone.
	SaltNone SaltPlacement = "none"
	// SaltPrefix: the digest is of salt followed by password.
	SaltPrefix SaltPlacement = "prefix"
	// SaltSuffix: the digest is of password followed by salt.
	SaltSuffix SaltPlacement = "suffix"
)

// LegacyConfig says how [Hasher.Verify] reads an encoded hash that is a
// bare hex digest, the way many old portals stored passwords. Bare
// digests are read only when Bare is set: a hex string is never guessed
// to be a digest. Per-row salts, which live in another column, cannot be
// described here; turn such rows into self-describing strings with
// [EncodeLegacy] instead.
type LegacyConfig struct {
	// Bare is the algorithm of bare hex digests (32 hex digits for MD5,
	// 40 for SHA-1, 64 for SHA-256, either case). Empty, the default,
	// means an encoded hash that is a bare hex string is ErrMalformed.
	Bare LegacyAlgorithm
	// Salt is a site-wide salt the old system added to every password
	// before digesting it, as the exact bytes it used. Empty means none.
	Salt string
	// Placement says where Salt went: SaltPrefix or SaltSuffix. It must
	// be empty or SaltNone when Salt is empty.
	Placement SaltPlacement
}

func (c LegacyConfig) validate() error {
	if c.Bare == "" {
		if c.Salt != "" || c.Placement != "" {
			return fmt.Errorf("%w: Legacy.Salt and Legacy.Placement need Legacy.Bare", ErrConfig)
		}
		return nil
	}
	if c.Bare.newHash() == nil {
		return fmt.Errorf("%w: unknown legacy algorithm %q", ErrConfig, c.Bare)
	}
	if err := checkPlacement(c.Salt, c.Placement); err != nil {
		return fmt.Errorf("%w: Legacy: %v", ErrConfig, err)
	}
	return nil
}

func checkPlacement(salt string, placement SaltPlacement) error {
	switch placement {
	case "", SaltNone:
		if salt != "" {
			return fmt.Errorf("a salt needs placement %q or %q", SaltPrefix, SaltSuffix)
		}
	case SaltPrefix, SaltSuffix:
		if salt == "" {
			return fmt.Errorf("placement %q needs a salt", placement)
		}
	default:
		return fmt.Errorf("unknown salt placement %q", placement)
	}
	return nil
}

// legacyPrefix starts every string EncodeLegacy writes.
const legacyPrefix = "$masuk-"

// EncodeLegacy turns a digest from an old system into a string that
// [Hasher.Verify] recognises, so that a host can import its users without
// a password reset and have them rehashed at their next login. The
// arguments are the digest algorithm, the salt as the exact bytes the old
// system joined to the password (empty for none), where it joined them
// (SaltNone, SaltPrefix or SaltSuffix), and the digest in hex, either case.
// The result is
//
//	$masuk-<algorithm>$salt=<placement>$<hex salt>$<hex digest>
//
// for example $masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99 for
// an unsalted MD5 of "password". Hosts migrating in SQL can build the
// same string there: the salt field is the salt's bytes in hex (MySQL
// HEX(salt), PostgreSQL encode(convert_to(salt, 'UTF8'), 'hex')), and Verify
// accepts hex of either case. Errors wrap ErrMalformed.
func EncodeLegacy(alg LegacyAlgorithm, salt string, placement SaltPlacement, hexDigest string) (string, error) {
	h := alg.newHash()
	if h == nil {
		return "", fmt.Errorf("%w: unknown legacy algorithm %q", ErrMalformed, alg)
	}
	if placement == "" {
		placement = SaltNone
	}
	if err := checkPlacement(salt, placement); err != nil {
		return "", fmt.Errorf("%w: legacy: %v", ErrMalformed, err)
	}
	digest, err := decodeDigest(hexDigest, h.Size())
	if err != nil {
		return "", err
	}
	return legacyPrefix + string(alg) + "$salt=" + string(placement) + "$" +
		hex.EncodeToString([]byte(salt)) + "$" + hex.EncodeToString(digest), nil
}

// legacyDigest is a parsed legacy digest.
type legacyDigest struct {
	alg       LegacyAlgorithm
	salt      string
	placement SaltPlacement
	digest    []byte
}

// parseLegacy parses a string written by EncodeLegacy or, when the Hasher
// is configured for them, a bare hex digest.
func (h *Hasher) parseLegacy(encoded string) (legacyDigest, error) {
	if rest, ok := strings.CutPrefix(encoded, legacyPrefix); ok {
		return parseEncodedLegacy(rest)
	}
	if h.legacy.Bare == "" {
		return legacyDigest{}, fmt.Errorf("%w: unknown format", ErrMalformed)
	}
	d := legacyDigest{alg: h.legacy.Bare, salt: h.legacy.Salt, placement: h.legacy.Placement}
	var err error
	d.digest, err = decodeDigest(encoded, d.alg.newHash().Size())
	return d, err
}

// parseEncodedLegacy parses what follows "$masuk-" in
// $masuk-<alg>$salt=<placement>$<hex salt>$<hex digest>.
func parseEncodedLegacy(s string) (legacyDigest, error) {
	var d legacyDigest
	parts := strings.Split(s, "$")
	if len(parts) != 4 {
		return d, fmt.Errorf("%w: legacy: want 4 fields", ErrMalformed)
	}
	d.alg = LegacyAlgorithm(parts[0])
	h := d.alg.newHash()
	if h == nil {
		return d, fmt.Errorf("%w: legacy: unknown algorithm", ErrMalformed)
	}
	placement, ok := strings.CutPrefix(parts[1], "salt=")
	if !ok {
		return d, fmt.Errorf("%w: legacy: want salt=<placement>", ErrMalformed)
	}
	d.placement = SaltPlacement(placement)
	salt, err := hex.DecodeString(parts[2])
	if err != nil {
		return d, fmt.Errorf("%w: legacy: salt is not hex", ErrMalformed)
	}
	d.salt = string(salt)
	if d.placement == "" {
		return d, fmt.Errorf("%w: legacy: empty salt placement", ErrMalformed)
	}
	if err := checkPlacement(d.salt, d.placement); err != nil {
		return d, fmt.Errorf("%w: legacy: %v", ErrMalformed, err)
	}
	d.digest, err = decodeDigest(parts[3], h.Size())
	return d, err
}

func decodeDigest(s string, size int) ([]byte, error) {
	if len(s) != 2*size {
		return nil, fmt.Errorf("%w: legacy: want a digest of %d hex digits", ErrMalformed, 2*size)
	}
	digest, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: legacy: digest is not hex", ErrMalformed)
	}
	return digest, nil
}

// matches reports whether password, as received and not normalised (the
// old system did not normalise either), digests to d.
func (d legacyDigest) matches(password string) bool {
	h := d.alg.newHash()
	if d.placement == SaltPrefix {
		h.Write([]byte(d.salt))
	}
	h.Write([]byte(password))
	if d.placement == SaltSuffix {
		h.Write([]byte(d.salt))
	}
	return subtle.ConstantTimeCompare(h.Sum(nil), d.digest) == 1
}

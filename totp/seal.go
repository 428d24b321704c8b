package totp

import (
	"crypto/aes"
	"crypto/cipher"
	"fmt"
)

// KeySize is the size of a [Keyring] key in bytes: AES-256.
const KeySize = 32

// maxKeyID bounds a key id's length.
const maxKeyID = 32

// sealVersion is the first byte of everything Seal writes.
const sealVersion = 1

// Keyring seals TOTP secrets for storage with AES-256-GCM under keys the
// host provides, each with an id, so that keys can be rotated: new
// secrets are sealed under the current key, and secrets sealed under an
// older key still open while it is in the ring.
//
// A sealed secret is, in version 1:
//
//	0x01 | len(id) | id | nonce (12 bytes) | ciphertext | tag (16 bytes)
//
// where id is the key id (1 to 32 bytes) and the nonce is random. The GCM
// additional data is the header (the first 2+len(id) bytes) followed by
// the caller's additional data, so neither the key id nor the binding can
// be changed. A sealed secret is 30 + len(id) bytes longer than the
// secret.
//
// Nonces always come from crypto/rand, never from an injected reader: a
// repeated nonce under one key gives the key away, so no test should be
// able to make one. With random 96-bit nonces, a key seals at most 2^32
// secrets (NIST SP 800-38D §8.3); rotate long before that.
//
// A Keyring does not change after [NewKeyring] and is safe for concurrent
// use; its zero value seals nothing. It keeps no copy of the key bytes, only the expanded AES keys;
// printing it shows no key material.
type Keyring struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewKeyring returns a Keyring that seals under keys[current] and opens
// what was sealed under any key in keys. Each key is [KeySize] random
// bytes, from the host's secret store; ids are 1 to 32 characters of
// [A-Za-z0-9._-] such as "2026-03". The caller may overwrite keys after
// the call. A missing current key, a key of the wrong size or a bad id
// returns [ErrInvalidKeyring].
func NewKeyring(current string, keys map[string][]byte) (*Keyring, error) {
	if _, ok := keys[current]; !ok {
		return nil, fmt.Errorf("%w: no key for the current id %q", ErrInvalidKeyring, current)
	}
	k := &Keyring{current: current, aeads: make(map[string]cipher.AEAD, len(keys))}
	for id, key := range keys {
		if !validKeyID(id) {
			return nil, fmt.Errorf("%w: key id %q is not 1 to %d characters of [A-Za-z0-9._-]", ErrInvalidKeyring, id, maxKeyID)
		}
		if len(key) != KeySize {
			return nil, fmt.Errorf("%w: key %q is %d bytes, want %d", ErrInvalidKeyring, id, len(key), KeySize)
		}
		block, err := aes.NewCipher(key) // expands the key: key itself is not kept
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKeyring, err)
		}
		aead, err := cipher.NewGCMWithRandomNonce(block)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKeyring, err)
		}
		k.aeads[id] = aead
	}
	return k, nil
}

func validKeyID(id string) bool {
	if id == "" || len(id) > maxKeyID {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Seal encrypts secret under the current key and returns the sealed
// secret, bound to additionalData: pass what identifies the secret's
// owner, such as the factor's id or the account's, and pass the same to
// [Keyring.Open]. Then a sealed secret copied to another account's row
// does not open.
func (k *Keyring) Seal(secret, additionalData []byte) ([]byte, error) {
	aead := k.aeads[k.current]
	if aead == nil {
		return nil, fmt.Errorf("%w: not made by NewKeyring", ErrInvalidKeyring)
	}
	n := 2 + len(k.current)
	out := make([]byte, n, n+len(secret)+aead.Overhead())
	out[0] = sealVersion
	out[1] = byte(len(k.current))
	copy(out[2:], k.current)
	return aead.Seal(out, nil, secret, withHeader(out, additionalData)), nil
}

// Open returns the secret sealed in sealed with additionalData, under
// whichever key of the ring sealed it. A key id the ring does not hold
// returns [ErrUnknownKey]; anything else that does not open (a damaged
// or truncated value, other additional data) returns [ErrInvalidSealed].
func (k *Keyring) Open(sealed, additionalData []byte) ([]byte, error) {
	id, n, err := parseSealed(sealed)
	if err != nil {
		return nil, err
	}
	aead, ok := k.aeads[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	if len(sealed)-n < aead.Overhead() {
		return nil, fmt.Errorf("%w: truncated", ErrInvalidSealed)
	}
	secret, err := aead.Open(nil, nil, sealed[n:], withHeader(sealed[:n], additionalData))
	if err != nil {
		return nil, fmt.Errorf("%w: it does not authenticate", ErrInvalidSealed)
	}
	return secret, nil
}

// NeedsReseal reports whether sealed was sealed under a key other than
// the current one, or cannot be read at all. After a key rotation, open
// such secrets and seal them again (when the factor is next used, or in
// a batch), then remove the old key from the ring.
func (k *Keyring) NeedsReseal(sealed []byte) bool {
	id, _, err := parseSealed(sealed)
	return err != nil || id != k.current
}

// parseSealed returns the key id of sealed and the length of its header.
func parseSealed(sealed []byte) (id string, n int, err error) {
	if len(sealed) < 2 {
		return "", 0, fmt.Errorf("%w: truncated", ErrInvalidSealed)
	}
	if sealed[0] != sealVersion {
		return "", 0, fmt.Errorf("%w: unknown version %d", ErrInvalidSealed, sealed[0])
	}
	n = 2 + int(sealed[1])
	if len(sealed) < n || !validKeyID(string(sealed[2:n])) {
		return "", 0, fmt.Errorf("%w: bad key id", ErrInvalidSealed)
	}
	return string(sealed[2:n]), n, nil
}

// withHeader returns the GCM additional data: header, then ad.
func withHeader(header, ad []byte) []byte {
	b := make([]byte, 0, len(header)+len(ad))
	return append(append(b, header...), ad...)
}

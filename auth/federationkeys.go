package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/go-jose/go-jose/v4"
)

// maxProviderBody is the most masuk reads of any answer of a provider:
// its discovery document, its key set, its token endpoint's answer. A
// provider that sends more is refused, not read into memory.
const maxProviderBody = 1 << 20

// errProviderBody is the error of an answer over maxProviderBody.
var errProviderBody = errors.New("auth: the provider's answer is larger than 1 MiB")

// boundedTransport refuses answers larger than maxProviderBody.
type boundedTransport struct{ base http.RoundTripper }

func (t boundedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > maxProviderBody {
		resp.Body.Close()
		return nil, errProviderBody
	}
	resp.Body = &boundedBody{ReadCloser: resp.Body, left: maxProviderBody}
	return resp, nil
}

// boundedBody fails a read past its bound.
type boundedBody struct {
	io.ReadCloser
	left int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		if n, _ := b.ReadCloser.Read(one[:]); n > 0 {
			return 0, errProviderBody
		}
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	return n, err
}

// bounded returns a copy of c whose answers are bounded.
func bounded(c *http.Client) *http.Client {
	b := *c
	base := b.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	b.Transport = boundedTransport{base}
	return &b
}

// keySet is a provider's JSON Web Key Set, fetched at the first use and
// again for an ID token whose key it does not hold. Fetches run one at a
// time, and a token that found no key waits for a fetch that began after
// it looked, never an older one: a key the provider has just published
// is found, and a key it has just retired is not brought back by a fetch
// that began before the retirement. (go-oidc's RemoteKeySet can do both
// when fetches overlap.)
type keySet struct {
	url    string
	client *http.Client
	algs   []jose.SignatureAlgorithm

	mu   sync.Mutex
	keys []jose.JSONWebKey
	// gen counts completed fetches.
	gen uint64
	// fetch is held during a fetch.
	fetch sync.Mutex
}

// VerifySignature implements oidc.KeySet.
func (k *keySet) VerifySignature(ctx context.Context, raw string) ([]byte, error) {
	jws, err := jose.ParseSignedCompact(raw, k.algs)
	if err != nil {
		return nil, fmt.Errorf("auth: parsing the ID token: %w", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, errors.New("auth: the ID token does not have exactly one signature")
	}
	kid := jws.Signatures[0].Header.KeyID
	k.mu.Lock()
	keys, gen := k.keys, k.gen
	k.mu.Unlock()
	if payload, ok := verifyWith(jws, kid, keys); ok {
		return payload, nil
	}
	if keys, err = k.refresh(ctx, gen); err != nil {
		return nil, err
	}
	if payload, ok := verifyWith(jws, kid, keys); ok {
		return payload, nil
	}
	return nil, errors.New("auth: no key of the provider verifies the ID token")
}

// verifyWith verifies jws with the key named kid (any key when the token
// names none).
func verifyWith(jws *jose.JSONWebSignature, kid string, keys []jose.JSONWebKey) ([]byte, bool) {
	for _, key := range keys {
		if kid != "" && key.KeyID != kid {
			continue
		}
		if payload, err := jws.Verify(&key); err == nil {
			return payload, true
		}
	}
	return nil, false
}

// refresh fetches the key set unless a fetch completed since seen, the
// generation the caller looked at.
func (k *keySet) refresh(ctx context.Context, seen uint64) ([]jose.JSONWebKey, error) {
	k.fetch.Lock()
	defer k.fetch.Unlock()
	k.mu.Lock()
	if k.gen != seen {
		keys := k.keys
		k.mu.Unlock()
		return keys, nil
	}
	k.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, fmt.Errorf("auth: the provider's key set: %w", err)
	}
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("auth: the provider's key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("auth: the provider's key set: %s", resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		return nil, fmt.Errorf("auth: the provider's key set: %w", err)
	}
	k.mu.Lock()
	k.keys, k.gen = set.Keys, k.gen+1
	k.mu.Unlock()
	return set.Keys, nil
}

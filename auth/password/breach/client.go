package breach

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of [ClientConfig].
const (
	// DefaultBaseURL is the Pwned Passwords API of Have I Been Pwned.
	DefaultBaseURL = "https://api.pwnedpasswords.com"
	// DefaultTimeout bounds one lookup, from the request to the last byte
	// of the answer.
	DefaultTimeout = 3 * time.Second
	// DefaultUserAgent names masuk to whoever runs the API: Have I Been
	// Pwned asks its clients to say who they are.
	DefaultUserAgent = "masuk-breach-check (+https://github.com/masuk-id/masuk)"
)

// ClientConfig configures a [Client]. The zero value asks
// api.pwnedpasswords.com, with padding, for at most 3 seconds, treats a
// password seen once as breached, and lets passwords through (logging
// why) when the API cannot answer.
type ClientConfig struct {
	// BaseURL is where the range API is: a lookup is a GET of
	// BaseURL + "/range/" + 5 hex digits. Empty means DefaultBaseURL. It
	// may have a path, for a mirror under one; it may not have a query or
	// fragment. Plain http is accepted, for a mirror on the host's own
	// network: only the 5 digits travel, but an attacker on the path
	// could then forge answers.
	BaseURL string
	// HTTPClient sends the requests. Nil means http.DefaultClient. Its own
	// Timeout, if any, applies on top of Timeout.
	HTTPClient *http.Client
	// Timeout bounds each lookup. Zero means DefaultTimeout (3 s); it
	// must not be negative. A lookup that runs out of it has failed.
	Timeout time.Duration
	// UserAgent is sent with every request. Empty means DefaultUserAgent;
	// a host may name its portal here.
	UserAgent string
	// MinCount is how many times a password must have been seen to count
	// as breached. Zero means 1: any password in the corpus. A higher
	// value refuses fewer passwords, and only the most used.
	MinCount int
	// FailClosed makes a failed lookup an error, which Policy.Check
	// returns wrapping password.ErrBreachUnavailable: nobody can set a
	// password while the API is down. False, the default, lets the
	// password through on the local rules alone and logs the failure to
	// Logger. See "Failures" in the package doc.
	FailClosed bool
	// Logger receives a warning for each failed lookup when FailClosed is
	// false. Nil means slog.Default(), so that a check that stopped
	// working is seen. Neither the password nor any part of its hash is
	// logged.
	Logger *slog.Logger
}

// Client looks passwords up in a range API compatible with Have I Been
// Pwned's Pwned Passwords, by k-anonymity: only the first 5 hex digits of
// the password's SHA-1 are sent. It is a password.BreachChecker, safe for
// concurrent use; create it with [NewClient].
type Client struct {
	rangeURL  string // BaseURL + "/range/"
	http      *http.Client
	timeout   time.Duration
	userAgent string
	judge     judge
}

// NewClient returns a Client for cfg, or an error when a setting is
// malformed or out of bounds.
func NewClient(cfg ClientConfig) (*Client, error) {
	base := cfg.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	switch {
	case err != nil:
		return nil, fmt.Errorf("breach: BaseURL: %w", err)
	case u.Scheme != "https" && u.Scheme != "http", u.Host == "":
		return nil, fmt.Errorf("breach: BaseURL %q is not an http or https URL", base)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("breach: BaseURL %q has a query or fragment", base)
	case cfg.Timeout < 0:
		return nil, fmt.Errorf("breach: Timeout %v is negative", cfg.Timeout)
	}
	j, err := newJudge(cfg.MinCount, cfg.FailClosed, cfg.Logger, "range API")
	if err != nil {
		return nil, err
	}
	c := &Client{
		rangeURL:  strings.TrimRight(u.String(), "/") + "/range/",
		http:      cfg.HTTPClient,
		timeout:   cfg.Timeout,
		userAgent: cfg.UserAgent,
		judge:     j,
	}
	if c.http == nil {
		c.http = http.DefaultClient
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	return c, nil
}

// Breached returns how many times password appears in the corpus, 0 when
// it does not or was seen fewer than MinCount times. It asks for the
// range of the password's SHA-1, with padding, and looks for the rest of
// the hash in the answer. A lookup that fails is an error (a
// *[LookupError]) when the Client fails closed, or when ctx ends (the
// context's error); otherwise it is logged and returns 0.
func (c *Client) Breached(ctx context.Context, password string) (int, error) {
	prefix, suffix := rangeKey(password)
	n, err := c.lookup(ctx, prefix, suffix)
	return c.judge.result(ctx, n, err)
}

func (c *Client) lookup(ctx context.Context, prefix, suffix string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	fail := func(status int, err error) (int, error) {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return 0, &LookupError{source: "range API", StatusCode: status, Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.rangeURL+prefix, nil)
	if err != nil {
		return fail(0, err)
	}
	req.Header.Set("Add-Padding", "true")
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		// A *url.Error names the URL, whose last part is the prefix:
		// keep only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fail(0, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Read a little, so that the connection can be used again.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		return fail(resp.StatusCode, nil)
	}
	body, err := readRange(resp.Body)
	if err != nil {
		return fail(resp.StatusCode, err)
	}
	n, err := parseRange(body, suffix)
	if err != nil {
		return fail(resp.StatusCode, err)
	}
	return n, nil
}

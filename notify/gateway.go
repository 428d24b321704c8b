package notify

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Encoding is how a [Gateway] puts the message's fields into its request.
type Encoding uint8

// The encodings.
const (
	// Form, the zero Encoding, posts the fields as
	// application/x-www-form-urlencoded (Zenziva, Twilio).
	Form Encoding = iota
	// JSON posts them as one JSON object of strings (Motict, OCA).
	JSON
	// Query sends them in the URL's query string, with no body, for
	// gateways that take GET requests.
	Query
)

// NumberFormat is how a [Gateway] writes the recipient's number: gateways
// in Indonesia each want their own.
type NumberFormat uint8

// The number formats.
const (
	// E164, the zero NumberFormat, writes "+6281234567890".
	E164 NumberFormat = iota
	// International writes the E.164 digits without the "+",
	// "6281234567890".
	International
	// National writes the number as dialled in Indonesia,
	// "081234567890"; the gateway can then reach Indonesian numbers
	// only.
	National
)

// GatewayConfig configures a [Gateway]: where its requests go, how they
// carry the message, and how its replies say the message was taken.
// Fields a gateway does not use stay zero.
type GatewayConfig struct {
	// Name names the gateway in errors and logs, such as "zenziva";
	// default "sms gateway".
	Name string
	// Channel is what the gateway sends: SMS (the default) or WhatsApp,
	// for the gateways that send a message's Text from an ordinary
	// WhatsApp account. Such a message is not an authentication template:
	// it has no copy-code button, and linked devices show it too. Prefer
	// [WhatsAppCloud].
	Channel Channel
	// URL is the gateway's endpoint. It must be https, except for a
	// loopback host (a gateway's local test double, or a relay on the
	// same machine).
	URL string
	// Encoding is how the fields travel; default Form. Form and JSON are
	// POSTed; Query is sent with GET.
	Encoding Encoding
	// ToField, TextField and FromField name the request's fields for the
	// recipient, the text and the sender ID; defaults "to" and "message",
	// and no sender field. From is the sender ID (a registered masking
	// name such as "LPSE"), sent only when both are set.
	ToField, TextField, FromField string
	From                          string
	// Number is the recipient's format; default E164.
	Number NumberFormat
	// Params are fields sent with every request, such as an account's
	// userkey and passkey for a gateway that takes its credentials in the
	// body. They are secrets: a Gateway never prints them.
	Params map[string]string

	// Username and Password, when Username is set, authenticate with
	// HTTP Basic (Twilio: the account SID and auth token). BearerToken
	// sends "Authorization: Bearer <token>". Header and HeaderValue send
	// one header of the gateway's choosing (Motict: "Authorization: <key>").
	// At most one of the three is set.
	Username, Password string
	BearerToken        string
	Header             string
	HeaderValue        string

	// SuccessPath and SuccessValue say what a successful reply holds,
	// since gateways answer 200 to messages they refuse. SuccessPath is a
	// dotted path into the reply's JSON ("status", "data.id",
	// "messages.0.id"); SuccessValue is what it must hold, written as
	// JSON writes it without quotes ("1", "true", "success"). With
	// SuccessValue empty, the path must hold something other than null,
	// false or "". With SuccessPath empty, any 2xx reply is a success.
	SuccessPath, SuccessValue string
	// IDPath is the dotted path of the gateway's message ID in a
	// successful reply, returned in [Receipt.ID]; optional.
	IDPath string
	// ErrorCodePath is the dotted path of the gateway's own error code in
	// a refusal, returned in [GatewayError.Code]; optional. Nothing else
	// of a refusal's body is kept: some gateways repeat the message, and
	// the message is the code.
	ErrorCodePath string

	// Timeout bounds each request; default 10 seconds.
	Timeout time.Duration
	// Retries is how many times a request the gateway answered with a 5xx
	// status is sent again, RetryWait apart (doubling each time); default
	// 2 and 500 milliseconds. A negative Retries sends once. Nothing else
	// is retried: a timeout or a dropped connection may have sent the
	// message already, and a 4xx will be refused again; the person can
	// ask for a new code.
	Retries   int
	RetryWait time.Duration
	// Client is the HTTP client, for a proxy, a transport's timeouts or
	// private roots; default one of its own. Either way the Gateway
	// follows no redirect (it uses a copy of Client that refuses them): a
	// gateway that moves is configured anew.
	Client *http.Client
}

// String prints the configuration without its secrets, so that it can be
// logged.
func (c GatewayConfig) String() string {
	var auth string
	switch {
	case c.Username != "":
		auth = "basic " + c.Username + ":[redacted]"
	case c.BearerToken != "":
		auth = "bearer [redacted]"
	case c.Header != "":
		auth = c.Header + ": [redacted]"
	}
	params := make([]string, 0, len(c.Params))
	for k := range c.Params {
		params = append(params, k+"=[redacted]")
	}
	return fmt.Sprintf("notify.GatewayConfig{Name:%q URL:%q Auth:%q Params:%v}", c.Name, printableURL(c.URL), auth, params)
}

// GoString is String, so that %#v does not print the secrets either.
func (c GatewayConfig) GoString() string { return c.String() }

// Receipt is what a gateway answered to a message it took.
type Receipt struct {
	// ID is the gateway's ID for the message, from GatewayConfig.IDPath;
	// empty without one.
	ID string
}

// ErrRejected means a gateway answered, and did not take the message. It
// arrives as the Err of a [*GatewayError].
var ErrRejected = errors.New("notify: the gateway refused the message")

// GatewayError is a failure to hand a message to an SMS gateway or to
// WhatsApp, after the message itself was accepted as valid. Its text names
// the gateway, the status and the gateway's code, never the message.
type GatewayError struct {
	// Gateway is GatewayConfig.Name, or "whatsapp".
	Gateway string
	// Status is the reply's HTTP status, zero when there was no reply.
	Status int
	// Code is the gateway's own error code, when its reply gives one
	// (WhatsApp's "131026": the number has no WhatsApp).
	Code string
	// Temporary reports whether sending again later may succeed: a 5xx
	// or 429 reply, a network failure, a timeout. A refusal (4xx, or a 2xx
	// whose body says no) is permanent until something changes.
	Temporary bool
	// Err is ErrRejected for a reply that refused the message, or the
	// network's or the context's error when there was no reply.
	Err error
}

func (e *GatewayError) Error() string {
	var b strings.Builder
	b.WriteString("notify: " + e.Gateway)
	if e.Status != 0 {
		b.WriteString(": status " + strconv.Itoa(e.Status))
	}
	if e.Code != "" {
		b.WriteString(": code " + strconv.Quote(e.Code))
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	if e.Temporary {
		b.WriteString(" (temporary)")
	}
	return b.String()
}

// Unwrap returns Err.
func (e *GatewayError) Unwrap() error { return e.Err }

// maxReply is the most of a reply's body a gateway reads.
const maxReply = 64 << 10

// Gateway is a [Sender] of SMS through an HTTP gateway, configured for
// the gateway's request and reply (see [GatewayConfig]). It refuses other
// channels with [ErrUnsupportedChannel] and invalid messages with the errors of
// [Message.Validate], before any request; a failure to deliver is a
// [*GatewayError]. It is safe for concurrent use.
type Gateway struct {
	cfg    GatewayConfig
	method string
	t      transport
}

var _ Sender = (*Gateway)(nil)

// NewGateway checks cfg and returns its Gateway, or an error wrapping
// [ErrConfig] that names what is missing or contradictory.
func NewGateway(cfg GatewayConfig) (*Gateway, error) {
	if cfg.Name == "" {
		cfg.Name = "sms gateway"
	}
	if err := checkEndpoint(cfg.URL); err != nil {
		return nil, err
	}
	if cfg.Channel == 0 {
		cfg.Channel = SMS
	}
	if cfg.Channel != SMS && cfg.Channel != WhatsApp {
		return nil, fmt.Errorf("%w: a gateway sends SMS or WhatsApp, not %v", ErrConfig, cfg.Channel)
	}
	if cfg.Encoding > Query {
		return nil, fmt.Errorf("%w: unknown Encoding %d", ErrConfig, cfg.Encoding)
	}
	if cfg.Number > National {
		return nil, fmt.Errorf("%w: unknown NumberFormat %d", ErrConfig, cfg.Number)
	}
	auths := 0
	for _, set := range []bool{cfg.Username != "", cfg.BearerToken != "", cfg.Header != ""} {
		if set {
			auths++
		}
	}
	switch {
	case auths > 1:
		return nil, fmt.Errorf("%w: set one of Username, BearerToken and Header", ErrConfig)
	case cfg.Username == "" && cfg.Password != "":
		return nil, fmt.Errorf("%w: a Password without a Username", ErrConfig)
	case (cfg.Header == "") != (cfg.HeaderValue == ""):
		return nil, fmt.Errorf("%w: Header and HeaderValue go together", ErrConfig)
	case cfg.Header != "" && !validHeaderName(cfg.Header):
		return nil, fmt.Errorf("%w: Header %q is not a header name", ErrConfig, cfg.Header)
	case hasControl(cfg.Username + cfg.Password + cfg.BearerToken + cfg.HeaderValue):
		return nil, fmt.Errorf("%w: a credential holds a control character", ErrConfig)
	case cfg.SuccessValue != "" && cfg.SuccessPath == "":
		return nil, fmt.Errorf("%w: a SuccessValue without a SuccessPath", ErrConfig)
	}
	if cfg.ToField == "" {
		cfg.ToField = "to"
	}
	if cfg.TextField == "" {
		cfg.TextField = "message"
	}
	for _, f := range []string{cfg.FromField, cfg.ToField, cfg.TextField} {
		if _, dup := cfg.Params[f]; dup && f != "" {
			return nil, fmt.Errorf("%w: Params has the field %q that the message fills", ErrConfig, f)
		}
	}
	if cfg.ToField == cfg.TextField || (cfg.FromField != "" && (cfg.FromField == cfg.ToField || cfg.FromField == cfg.TextField)) {
		return nil, fmt.Errorf("%w: two of ToField, TextField and FromField are one field", ErrConfig)
	}
	t, err := newTransport(cfg.Client, cfg.Timeout, cfg.Retries, cfg.RetryWait,
		sendSpec{name: cfg.Name, success: cfg.SuccessPath, value: cfg.SuccessValue, id: cfg.IDPath, code: cfg.ErrorCodePath})
	if err != nil {
		return nil, err
	}
	cfg.Params = clone(cfg.Params)
	g := &Gateway{cfg: cfg, method: http.MethodPost, t: t}
	if cfg.Encoding == Query {
		g.method = http.MethodGet
	}
	return g, nil
}

// transport is what a Gateway and a WhatsAppCloud share: the client, and
// how each message's requests are timed, retried and read.
type transport struct {
	client *http.Client
	spec   sendSpec
}

// newTransport fills in the defaults of the Timeout, Retries and
// RetryWait both configurations document (10 seconds, 2 and 500
// milliseconds), refusing negative durations, and takes a copy of client
// that follows no redirect.
func newTransport(client *http.Client, timeout time.Duration, retries int, wait time.Duration, spec sendSpec) (transport, error) {
	if timeout < 0 || wait < 0 {
		return transport{}, fmt.Errorf("%w: a negative Timeout or RetryWait", ErrConfig)
	}
	spec.timeout = cmp.Or(timeout, 10*time.Second)
	spec.retries = cmp.Or(retries, 2)
	spec.wait = cmp.Or(wait, 500*time.Millisecond)
	return transport{client: noRedirects(client), spec: spec}, nil
}

// send sends the request build makes, as send does.
func (t transport) send(ctx context.Context, build func(context.Context) (*http.Request, error)) (Receipt, error) {
	return send(ctx, t.client, t.spec, build)
}

// noRedirects returns a copy of c (or of a new client) that follows no
// redirect: a gateway that answers 3xx is refused rather than followed,
// with the message, the code and the credentials, to wherever it points.
func noRedirects(c *http.Client) *http.Client {
	out := &http.Client{}
	if c != nil {
		*out = *c
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return out
}

// hasControl reports whether s holds an ASCII control character, which
// no header value may.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
}

// printableURL is raw without its query, fragment and user information,
// which may hold credentials (a gateway's userkey in the query string).
func printableURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(not a URL)"
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// checkEndpoint refuses a URL that is not https (or http to a loopback
// host), or that carries credentials of its own.
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Opaque != "":
		return fmt.Errorf("%w: URL %q is not an absolute URL", ErrConfig, printableURL(raw))
	case u.User != nil:
		return fmt.Errorf("%w: URL holds credentials; use Username and Password", ErrConfig)
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
	default:
		return fmt.Errorf("%w: URL %q is not https", ErrConfig, printableURL(raw))
	}
	return nil
}

func validHeaderName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '-' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}

func clone(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// String names the gateway and its host, without secrets.
func (g *Gateway) String() string {
	host := ""
	if u, err := url.Parse(g.cfg.URL); err == nil {
		host = u.Host
	}
	return "notify.Gateway{" + g.cfg.Name + " " + host + "}"
}

// GoString is String, so that %#v does not print the secrets either.
func (g *Gateway) GoString() string { return g.String() }

// Send hands m to the gateway, as Deliver does.
func (g *Gateway) Send(ctx context.Context, m Message) error {
	_, err := g.Deliver(ctx, m)
	return err
}

// Deliver hands m, an SMS (or, for a gateway configured so, a WhatsApp
// message), to the gateway and returns what it answered.
func (g *Gateway) Deliver(ctx context.Context, m Message) (Receipt, error) {
	if m.Channel != g.cfg.Channel {
		return Receipt{}, fmt.Errorf("%w: %s sends %v only", ErrUnsupportedChannel, g.cfg.Name, g.cfg.Channel)
	}
	if err := m.Validate(); err != nil {
		return Receipt{}, err
	}
	to, err := formatNumber(m.To, g.cfg.Number)
	if err != nil {
		return Receipt{}, err
	}
	fields := make(map[string]string, len(g.cfg.Params)+3)
	for k, v := range g.cfg.Params {
		fields[k] = v
	}
	fields[g.cfg.ToField], fields[g.cfg.TextField] = to, m.Text
	if g.cfg.FromField != "" && g.cfg.From != "" {
		fields[g.cfg.FromField] = g.cfg.From
	}
	build := func(ctx context.Context) (*http.Request, error) { return g.request(ctx, fields) }
	return g.t.send(ctx, build)
}

// request builds one request carrying fields.
func (g *Gateway) request(ctx context.Context, fields map[string]string) (*http.Request, error) {
	target, body, ctype := g.cfg.URL, io.Reader(nil), ""
	switch g.cfg.Encoding {
	case Form:
		v := url.Values{}
		for k, f := range fields {
			v.Set(k, f)
		}
		body, ctype = strings.NewReader(v.Encode()), "application/x-www-form-urlencoded"
	case JSON:
		b, err := json.Marshal(fields)
		if err != nil {
			return nil, err
		}
		body, ctype = bytes.NewReader(b), "application/json"
	case Query:
		u, err := url.Parse(target)
		if err != nil {
			return nil, err
		}
		q := u.Query()
		for k, f := range fields {
			q.Set(k, f)
		}
		u.RawQuery = q.Encode()
		target = u.String()
	}
	r, err := http.NewRequestWithContext(ctx, g.method, target, body)
	if err != nil {
		return nil, err
	}
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	r.Header.Set("Accept", "application/json")
	switch {
	case g.cfg.Username != "":
		r.SetBasicAuth(g.cfg.Username, g.cfg.Password)
	case g.cfg.BearerToken != "":
		r.Header.Set("Authorization", "Bearer "+g.cfg.BearerToken)
	case g.cfg.Header != "":
		r.Header.Set(g.cfg.Header, g.cfg.HeaderValue)
	}
	return r, nil
}

// formatNumber writes the E.164 number to in format f.
func formatNumber(to string, f NumberFormat) (string, error) {
	switch f {
	case International:
		return to[1:], nil
	case National:
		rest, ok := strings.CutPrefix(to, "+62")
		if !ok {
			return "", fmt.Errorf("%w: %s is not an Indonesian number, which the gateway needs", ErrInvalidRecipient, to[:min(len(to), 4)]+"…")
		}
		return "0" + rest, nil
	}
	return to, nil
}

// sendSpec is how send talks to one gateway.
type sendSpec struct {
	name           string
	timeout        time.Duration
	retries        int
	wait           time.Duration
	success, value string
	id, code       string
}

// send sends the request build makes, again after a 5xx reply as spec
// allows, and reads the reply.
func send(ctx context.Context, client *http.Client, spec sendSpec, build func(context.Context) (*http.Request, error)) (Receipt, error) {
	wait := spec.wait
	for attempt := 0; ; attempt++ {
		rc, err := sendOnce(ctx, client, spec, build)
		var ge *GatewayError
		if err == nil || !errors.As(err, &ge) || ge.Status < 500 || attempt >= spec.retries {
			return rc, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return Receipt{}, err
		case <-t.C:
		}
		wait *= 2
	}
}

func sendOnce(ctx context.Context, client *http.Client, spec sendSpec, build func(context.Context) (*http.Request, error)) (Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, spec.timeout)
	defer cancel()
	r, err := build(ctx)
	if err != nil {
		return Receipt{}, &GatewayError{Gateway: spec.name, Err: err}
	}
	resp, err := client.Do(r)
	if err != nil {
		// The URL is the gateway's: with a Query encoding it holds the
		// message, so the error keeps only its cause.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return Receipt{}, &GatewayError{Gateway: spec.name, Temporary: ctx.Err() == nil || errors.Is(ctx.Err(), context.DeadlineExceeded), Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return Receipt{}, &GatewayError{Gateway: spec.name, Status: resp.StatusCode, Temporary: true, Err: err}
	}
	var reply any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // message IDs may be longer than a float64 keeps
	parsed := dec.Decode(&reply) == nil
	lookup := func(path string) (any, bool) {
		if !parsed || path == "" {
			return nil, false
		}
		return jsonPath(reply, path)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		code, _ := lookup(spec.code)
		return Receipt{}, &GatewayError{Gateway: spec.name, Status: resp.StatusCode, Code: scalarText(code),
			Temporary: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests, Err: ErrRejected}
	}
	if spec.success != "" {
		v, ok := lookup(spec.success)
		if !ok || (spec.value == "" && !truthy(v)) || (spec.value != "" && scalarText(v) != spec.value) {
			code, _ := lookup(spec.code)
			return Receipt{}, &GatewayError{Gateway: spec.name, Status: resp.StatusCode, Code: scalarText(code), Err: ErrRejected}
		}
	}
	id, _ := lookup(spec.id)
	return Receipt{ID: scalarText(id)}, nil
}

// jsonPath follows a dotted path ("messages.0.id") into a decoded JSON
// value: object keys, and array indexes in decimal.
func jsonPath(v any, path string) (any, bool) {
	for part := range strings.SplitSeq(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = t[part]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(t) {
				return nil, false
			}
			v = t[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// maxReplyText is the longest ID or error code taken from a reply.
const maxReplyText = 128

// scalarText writes a JSON scalar as JSON writes it, strings unquoted; an
// object, an array or null is "". A string longer than maxReplyText or
// holding a control character is "" too: an ID or a code is short, and a
// host logs it.
func scalarText(v any) string {
	switch t := v.(type) {
	case string:
		if len(t) > maxReplyText || hasControl(t) {
			return ""
		}
		return t
	case bool:
		return strconv.FormatBool(t)
	case json.Number:
		return t.String()
	}
	return ""
}

// truthy reports whether v is present in the sense of SuccessPath with no
// SuccessValue: not null, false or "".
func truthy(v any) bool {
	switch t := v.(type) {
	case nil:
		return false
	case bool:
		return t
	case string:
		return t != ""
	}
	return true
}

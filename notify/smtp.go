package notify

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/smtp"
	"net/textproto"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// TLSMode says how [SMTP] protects the connection to the server.
type TLSMode uint8

// The TLS modes. The zero mode is StartTLS.
const (
	// StartTLS connects in plaintext and upgrades with STARTTLS (RFC 3207)
	// before anything else is sent, usually on port 587. A server that
	// does not offer STARTTLS is refused; there is no fallback to
	// plaintext, which an attacker on the path could force.
	StartTLS TLSMode = iota
	// ImplicitTLS speaks TLS from the first byte (RFC 8314), usually on
	// port 465.
	ImplicitTLS
	// NoTLS sends in plaintext. It needs SMTPConfig.InsecureAllowPlaintext
	// and a loopback Addr (a local relay or a development mail catcher)
	// and cannot authenticate.
	NoTLS
)

// String returns "starttls", "implicit-tls" or "none".
func (t TLSMode) String() string {
	switch t {
	case StartTLS:
		return "starttls"
	case ImplicitTLS:
		return "implicit-tls"
	case NoTLS:
		return "none"
	}
	return "tlsmode(" + strconv.Itoa(int(t)) + ")"
}

// maxFromName keeps the From field on one short line, even encoded.
const maxFromName = 100

// DefaultSMTPTimeout is how long an [SMTP] Send may take when
// SMTPConfig.Timeout is zero.
const DefaultSMTPTimeout = 10 * time.Second

// SMTPConfig configures [NewSMTP]. Addr and From are required; the zero
// value of every other field is the safe choice.
type SMTPConfig struct {
	// Addr is the server's host and port, such as "smtp.example.go.id:587".
	// The host is also the name its TLS certificate must carry.
	Addr string
	// From is the sender, a bare address or one with a name:
	// "Portal Mitra ATR/BPN <noreply@atrbpn.go.id>". Its domain also ends
	// every Message-ID.
	From string

	// Username and Password, when Username is set, are sent with AUTH
	// PLAIN, only ever over TLS. Empty: no authentication (a relay that
	// trusts the host's address).
	Username string
	Password string

	// TLS is how the connection is protected. Default: StartTLS.
	TLS TLSMode
	// TLSConfig is cloned and used for the TLS connection. Nil means
	// Go's defaults: certificates checked against the system's roots and
	// the host in Addr, TLS 1.2 or later. Set RootCAs to trust a private
	// CA. InsecureSkipVerify and versions below TLS 1.2 are refused.
	TLSConfig *tls.Config
	// InsecureAllowPlaintext must be true for TLS: NoTLS, which is only
	// accepted for a loopback Addr ("localhost", 127.0.0.0/8, ::1).
	InsecureAllowPlaintext bool

	// Timeout bounds each Send, from dialing to the server's acceptance
	// of the message, on top of the context's own deadline. Default:
	// DefaultSMTPTimeout (10 s).
	Timeout time.Duration
	// HelloName is the name sent with EHLO. Default: "localhost". Some
	// servers want the sending machine's fully qualified name.
	HelloName string

	// Now gives the Date of each message. Default: time.Now.
	Now func() time.Time
	// Rand gives each message's Message-ID and MIME boundary. Default:
	// crypto/rand.Reader.
	Rand io.Reader
}

// String describes the configuration without its password.
func (c SMTPConfig) String() string {
	pw := ""
	if c.Password != "" {
		pw = "[redacted]"
	}
	return fmt.Sprintf("notify.SMTPConfig{Addr:%q From:%q Username:%q Password:%q TLS:%v}", c.Addr, c.From, c.Username, pw, c.TLS)
}

// GoString is String, so that %#v does not print the password either.
func (c SMTPConfig) GoString() string { return c.String() }

// SMTP is a [Sender] that hands email to an SMTP server (a submission
// server or a relay), using net/smtp. It opens one connection per Send
// and closes it afterwards: notifications are few and far between, and a
// connection per message needs no pool, no keep-alive and no recovery from
// a server that dropped an idle connection. It is safe for concurrent use.
//
// It refuses SMS with [ErrUnsupportedChannel] and invalid messages with
// the errors of [Message.Validate], before connecting; a failure to
// deliver is a [*SendError].
type SMTP struct {
	addr, host string
	from       *mail.Address
	domain     string
	username   string
	password   string
	tlsMode    TLSMode
	tlsConfig  *tls.Config
	timeout    time.Duration
	helloName  string
	now        func() time.Time
	rand       io.Reader
}

var _ Sender = (*SMTP)(nil)

// NewSMTP checks cfg and returns a sender. It returns an error wrapping
// [ErrConfig] when Addr or From is missing or malformed, a password comes
// without a username or the other way round, NoTLS is asked for without
// InsecureAllowPlaintext, for an address that is not loopback, or with a
// username, or TLSConfig turns off certificate checks or allows a version
// below TLS 1.2. It does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("%w: Addr %q is not host:port", ErrConfig, cfg.Addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("%w: Addr %q has no valid port", ErrConfig, cfg.Addr)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil || checkEmailAddress(from.Address) != nil {
		return nil, fmt.Errorf("%w: From %q is not an email address", ErrConfig, cfg.From)
	}
	if err := checkHeaderValue("From name", from.Name); err != nil || len(from.Name) > maxFromName {
		return nil, fmt.Errorf("%w: From %q: the name must be one line of at most %d bytes", ErrConfig, cfg.From, maxFromName)
	}
	s := &SMTP{
		addr:      cfg.Addr,
		host:      host,
		from:      from,
		domain:    from.Address[strings.LastIndexByte(from.Address, '@')+1:],
		username:  cfg.Username,
		password:  cfg.Password,
		tlsMode:   cfg.TLS,
		timeout:   cfg.Timeout,
		helloName: cfg.HelloName,
		now:       cfg.Now,
		rand:      cfg.Rand,
	}
	switch {
	case cfg.Username == "" && cfg.Password != "":
		return nil, fmt.Errorf("%w: Password without Username", ErrConfig)
	case cfg.Username != "" && cfg.Password == "":
		return nil, fmt.Errorf("%w: Username without Password", ErrConfig)
	case strings.ContainsAny(cfg.Username+cfg.Password, "\x00\r\n"):
		// AUTH PLAIN separates its fields with NUL.
		return nil, fmt.Errorf("%w: NUL or line break in Username or Password", ErrConfig)
	}
	switch cfg.TLS {
	case StartTLS, ImplicitTLS:
	case NoTLS:
		if !cfg.InsecureAllowPlaintext {
			return nil, fmt.Errorf("%w: TLS: NoTLS needs InsecureAllowPlaintext", ErrConfig)
		}
		if !isLoopbackHost(host) {
			return nil, fmt.Errorf("%w: TLS: NoTLS is only allowed to a loopback address, not %q", ErrConfig, host)
		}
		if cfg.Username != "" {
			return nil, fmt.Errorf("%w: TLS: NoTLS would send the password in plaintext; AUTH needs TLS", ErrConfig)
		}
	default:
		return nil, fmt.Errorf("%w: unknown TLS mode %v", ErrConfig, cfg.TLS)
	}
	if cfg.TLSConfig != nil {
		if cfg.TLSConfig.InsecureSkipVerify {
			return nil, fmt.Errorf("%w: TLSConfig.InsecureSkipVerify would accept any server; set RootCAs instead", ErrConfig)
		}
		if v := cfg.TLSConfig.MinVersion; v != 0 && v < tls.VersionTLS12 {
			return nil, fmt.Errorf("%w: TLSConfig.MinVersion below TLS 1.2", ErrConfig)
		}
		s.tlsConfig = cfg.TLSConfig.Clone()
	} else {
		s.tlsConfig = &tls.Config{}
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = host
	}
	if s.tlsConfig.MinVersion == 0 {
		s.tlsConfig.MinVersion = tls.VersionTLS12
	}
	switch {
	case s.timeout < 0:
		return nil, fmt.Errorf("%w: negative Timeout", ErrConfig)
	case s.timeout == 0:
		s.timeout = DefaultSMTPTimeout
	}
	if s.helloName == "" {
		s.helloName = "localhost"
	} else if !validDomain(s.helloName) {
		return nil, fmt.Errorf("%w: HelloName %q is not a host name", ErrConfig, s.helloName)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	return s, nil
}

// String describes the sender without its password.
func (s *SMTP) String() string {
	return fmt.Sprintf("notify.SMTP{%s %v from %s}", s.addr, s.tlsMode, s.from.Address)
}

// GoString is String, so that %#v does not print the password either.
func (s *SMTP) GoString() string { return s.String() }

// isLoopbackHost reports whether host is "localhost" or a loopback IP.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// Send validates m, which must be an Email, and hands it to the server:
// dial, TLS, EHLO, STARTTLS, AUTH, MAIL, RCPT and DATA, all within ctx and
// the configured Timeout. The deadline is set on the connection, and
// cancelling ctx breaks off whatever step is under way; the error then
// wraps ctx.Err(). Once the server has accepted the message, a failure to
// say QUIT is ignored, so that the caller does not send it twice.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if m.Channel != Email {
		return fmt.Errorf("%w: the SMTP sender sends email, not %v", ErrUnsupportedChannel, m.Channel)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	var random [16 + 15]byte
	if _, err := io.ReadFull(s.rand, random[:]); err != nil {
		return fmt.Errorf("notify: reading randomness: %w", err)
	}
	id := "<" + hex.EncodeToString(random[:16]) + "@" + s.domain + ">"
	msg, err := writeEmail(s.from, m, s.now(), id, hex.EncodeToString(random[16:]))
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.deliver(ctx, m.To, msg)
}

// deliver runs one SMTP transaction on a new connection.
//
// It uses net/smtp, which is frozen (no new features) but kept secure, and
// which gets right what a new client on net/textproto would have to: replies
// that span lines, EHLO extensions, dot-stuffing in DATA, CR and LF refused
// in every command argument, and AUTH PLAIN that will not run over
// plaintext to a remote host. What it lacks is contexts; the connection's
// deadlines, set here from ctx, stand in for them.
func (s *SMTP) deliver(ctx context.Context, to string, msg []byte) error {
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return sendError(ctx, "dial", err)
	}
	defer conn.Close()
	if s.tlsMode == NoTLS {
		// "localhost" might resolve elsewhere; what counts is where the
		// connection went.
		if a, ok := conn.RemoteAddr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
			return &SendError{Op: "dial", Err: errors.New("plaintext connection to a non-loopback address refused")}
		}
	}
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return sendError(ctx, "dial", err)
		}
	}
	// Cancelling ctx sets a deadline in the past, which ends any read or
	// write under way at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	var c net.Conn = conn
	if s.tlsMode == ImplicitTLS {
		tc := tls.Client(conn, s.tlsConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return sendError(ctx, "tls", err)
		}
		c = tc
	}
	client, err := smtp.NewClient(c, s.host)
	if err != nil {
		return sendError(ctx, "greeting", err)
	}
	defer client.Close()
	if err := client.Hello(s.helloName); err != nil {
		return sendError(ctx, "hello", err)
	}
	if s.tlsMode == StartTLS {
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return &SendError{Op: "starttls", Err: errors.New("server does not offer STARTTLS")}
		}
		if err := client.StartTLS(s.tlsConfig); err != nil {
			return sendError(ctx, "starttls", err)
		}
	}
	if s.username != "" {
		// The extensions read after STARTTLS: a server may offer AUTH
		// only over TLS.
		if ok, mechs := client.Extension("AUTH"); !ok || !hasWord(mechs, "PLAIN") {
			return &SendError{Op: "auth", Err: errors.New("server does not offer AUTH PLAIN")}
		}
		if err := client.Auth(smtp.PlainAuth("", s.username, s.password, s.host)); err != nil {
			return sendError(ctx, "auth", err)
		}
	}
	if err := client.Mail(s.from.Address); err != nil {
		return sendError(ctx, "mail", err)
	}
	if err := client.Rcpt(to); err != nil {
		return sendError(ctx, "rcpt", err)
	}
	w, err := client.Data()
	if err != nil {
		return sendError(ctx, "data", err)
	}
	if _, err := w.Write(msg); err != nil {
		return sendError(ctx, "data", err)
	}
	if err := w.Close(); err != nil {
		return sendError(ctx, "data", err)
	}
	_ = client.Quit()
	return nil
}

// hasWord reports whether the space-separated list holds word, in any
// case.
func hasWord(list, word string) bool {
	for w := range strings.FieldsSeq(list) {
		if strings.EqualFold(w, word) {
			return true
		}
	}
	return false
}

// sendError classifies err, which happened at step op.
func sendError(ctx context.Context, op string, err error) *SendError {
	e := &SendError{Op: op, Err: err}
	var reply *textproto.Error
	switch {
	case ctx.Err() != nil:
		e.Err = ctx.Err()
		e.Temporary = e.Err == context.DeadlineExceeded
	case errors.Is(err, os.ErrDeadlineExceeded):
		// The connection's deadline is ctx's, which passed a moment
		// before ctx noticed.
		e.Err = context.DeadlineExceeded
		e.Temporary = true
	case errors.As(err, &reply):
		e.Code = reply.Code
		e.Temporary = 400 <= reply.Code && reply.Code < 500
	default:
		e.Temporary = temporaryNetError(err)
	}
	return e
}

// temporaryNetError reports whether err is a network failure that may
// pass: a refused or reset connection, a connection closed early, a
// failed DNS lookup other than "no such host". Certificate and TLS
// protocol failures are not.
func temporaryNetError(err error) bool {
	var (
		verify *tls.CertificateVerificationError
		header tls.RecordHeaderError
		unkCA  x509.UnknownAuthorityError
		host   x509.HostnameError
		inval  x509.CertificateInvalidError
		dns    *net.DNSError
		ne     net.Error
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &header), errors.As(err, &unkCA),
		errors.As(err, &host), errors.As(err, &inval), strings.Contains(err.Error(), "tls: "):
		return false
	case errors.As(err, &dns):
		return !dns.IsNotFound
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE):
		return true
	}
	return errors.As(err, &ne)
}

package notify

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testCert is a self-signed certificate for 127.0.0.1 and localhost,
// made once per test binary, and a pool that trusts it.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "masuk notify test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

func trustTestCert() *tls.Config {
	_, pool := testCert()
	return &tls.Config{RootCAs: pool}
}

// received is one message the test server accepted.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool
	user string
}

// testServer is a go-smtp server on a loopback port.
type testServer struct {
	addr string

	// Set before the first connection:
	user, pass string          // require AUTH PLAIN with these
	mailErr    error           // returned by MAIL FROM
	rcptErr    error           // returned by RCPT TO
	dataErr    error           // returned after DATA
	dataHold   <-chan struct{} // DATA waits for it

	mu        sync.Mutex
	msgs      []received
	authTries int
}

type serverOptions struct {
	starttls, implicitTLS bool
	user, pass            string
	mailErr, rcptErr      error
	dataErr               error
	dataHold              <-chan struct{}
}

func startServer(t *testing.T, o serverOptions) *testServer {
	t.Helper()
	ts := &testServer{user: o.user, pass: o.pass, mailErr: o.mailErr, rcptErr: o.rcptErr, dataErr: o.dataErr, dataHold: o.dataHold}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &testSession{ts: ts, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.ErrorLog = log.New(io.Discard, "", 0)
	s.ReadTimeout = 10 * time.Second
	s.WriteTimeout = 10 * time.Second
	cert, _ := testCert()
	serverTLS := &tls.Config{Certificates: []tls.Certificate{cert}}
	if o.starttls {
		s.TLSConfig = serverTLS
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if o.implicitTLS {
		l = tls.NewListener(l, serverTLS)
	}
	ts.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return ts
}

func (ts *testServer) received() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.msgs...)
}

type testSession struct {
	ts   *testServer
	conn *smtp.Conn
	user string
	msg  received
}

func (s *testSession) AuthMechanisms() []string {
	if s.ts.user == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.ts.mu.Lock()
		s.ts.authTries++
		s.ts.mu.Unlock()
		if username != s.ts.user || password != s.ts.pass {
			return smtp.ErrAuthFailed
		}
		s.user = username
		return nil
	}), nil
}

func (s *testSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.ts.user != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	if s.ts.mailErr != nil {
		return s.ts.mailErr
	}
	s.msg = received{from: from, user: s.user}
	return nil
}

func (s *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.ts.rcptErr != nil {
		return s.ts.rcptErr
	}
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	if s.ts.dataHold != nil {
		<-s.ts.dataHold
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.ts.dataErr != nil {
		return s.ts.dataErr
	}
	s.msg.data = data
	_, s.msg.tls = s.conn.TLSConnectionState()
	s.ts.mu.Lock()
	s.ts.msgs = append(s.ts.msgs, s.msg)
	s.ts.mu.Unlock()
	return nil
}

func (s *testSession) Reset()        { s.msg = received{} }
func (s *testSession) Logout() error { return nil }

// newTestSMTP returns a sender for ts with fixed time and randomness.
func newTestSMTP(t *testing.T, ts *testServer, cfg SMTPConfig) *SMTP {
	t.Helper()
	cfg.Addr = ts.addr
	if cfg.From == "" {
		cfg.From = "Portal Mitra ATR/BPN <noreply@atrbpn.example.go.id>"
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Date(2026, 3, 2, 14, 5, 0, 0, wib) }
	}
	s, err := NewSMTP(cfg)
	require.NoError(t, err)
	return s
}

func rendered(t *testing.T, p Purpose, locale, to string) Message {
	t.Helper()
	d := fullData()
	d.PortalName = "Portal Mitra ATR/BPN"
	d.Username = "Sri Wahyuningsih"
	m, err := Render(p, locale, d)
	require.NoError(t, err)
	m.To = to
	return m
}

// checkReceived parses what the server got with net/mail and
// mime/multipart and compares it with m, part by part.
func checkReceived(t *testing.T, got received, m Message) {
	t.Helper()
	assert.Equal(t, "noreply@atrbpn.example.go.id", got.from)
	assert.Equal(t, []string{m.To}, got.to)
	msg, err := mail.ReadMessage(bytes.NewReader(got.data))
	require.NoError(t, err)
	h := msg.Header

	from, err := mail.ParseAddress(h.Get("From"))
	require.NoError(t, err)
	assert.Equal(t, mail.Address{Name: "Portal Mitra ATR/BPN", Address: "noreply@atrbpn.example.go.id"}, *from)
	assert.Equal(t, m.To, h.Get("To"))
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(h.Get("Subject"))
	require.NoError(t, err)
	assert.Equal(t, m.Subject, subject)
	date, err := h.Date()
	require.NoError(t, err)
	assert.True(t, date.Equal(time.Date(2026, 3, 2, 14, 5, 0, 0, wib)))
	assert.Regexp(t, `^<[0-9a-f]{32}@atrbpn\.example\.go\.id>$`, h.Get("Message-ID"))
	assert.Equal(t, "1.0", h.Get("MIME-Version"))
	assert.Equal(t, "auto-generated", h.Get("Auto-Submitted"))
	assert.Equal(t, m.Locale, h.Get("Content-Language"))
	for name, value := range m.Headers {
		got, err := dec.DecodeHeader(h.Get(name))
		require.NoError(t, err)
		assert.Equal(t, value, got)
	}

	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	require.NoError(t, err)
	if m.HTML == "" {
		assert.Equal(t, "text/plain", mediaType)
		assert.Equal(t, "utf-8", params["charset"])
		assert.Equal(t, "quoted-printable", h.Get("Content-Transfer-Encoding"))
		body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
		require.NoError(t, err)
		assert.Equal(t, m.Text, crlfToLF(body))
		return
	}
	assert.Equal(t, "multipart/alternative", mediaType)
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for _, want := range []struct{ ctype, body string }{
		{"text/plain", m.Text},
		{"text/html", m.HTML},
	} {
		// NextPart decodes quoted-printable, and takes the
		// Content-Transfer-Encoding field away once it has.
		p, err := mr.NextPart()
		require.NoError(t, err)
		ctype, params, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		assert.Equal(t, want.ctype, ctype)
		assert.Equal(t, "utf-8", params["charset"])
		assert.Empty(t, p.Header.Get("Content-Transfer-Encoding"), "decoded")
		body, err := io.ReadAll(p)
		require.NoError(t, err)
		assert.Equal(t, want.body, crlfToLF(body))
	}
	_, err = mr.NextPart()
	assert.Equal(t, io.EOF, err)

	// On the wire, each line fits in 78 characters: quoted-printable and
	// folded header fields.
	for line := range strings.Lines(string(got.data)) {
		assert.LessOrEqual(t, len(strings.TrimRight(line, "\r\n")), 78, line)
	}
}

func crlfToLF(b []byte) string { return strings.ReplaceAll(string(b), "\r\n", "\n") }

// requireSendError checks that err is a *SendError at step op, temporary
// or not, and returns it.
func requireSendError(t *testing.T, err error, op string, temporary bool) *SendError {
	t.Helper()
	var se *SendError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, op, se.Op)
	assert.Equal(t, temporary, se.Temporary, "%v", err)
	return se
}

func TestSMTPStartTLSWithAuth(t *testing.T) {
	ts := startServer(t, serverOptions{starttls: true, user: "portal", pass: "rahasia-sekali"})
	s := newTestSMTP(t, ts, SMTPConfig{
		Username:  "portal",
		Password:  "rahasia-sekali",
		TLSConfig: trustTestCert(),
	})
	m := rendered(t, ResetLink, "id", "sri@example.go.id")
	m.Headers = map[string]string{"Reply-To": "helpdesk@atrbpn.example.go.id", "X-Kantor": "Kantor Pertanahan Kab. Bogor – Loket 3"}
	require.NoError(t, s.Send(t.Context(), m))

	got := ts.received()
	require.Len(t, got, 1)
	assert.True(t, got[0].tls, "delivered over TLS")
	assert.Equal(t, "portal", got[0].user, "authenticated")
	checkReceived(t, got[0], m)
}

func TestSMTPImplicitTLS(t *testing.T) {
	ts := startServer(t, serverOptions{implicitTLS: true, user: "portal", pass: "rahasia"})
	s := newTestSMTP(t, ts, SMTPConfig{TLS: ImplicitTLS, Username: "portal", Password: "rahasia", TLSConfig: trustTestCert()})
	m := rendered(t, SecondFactorCode, "en", "sri@example.go.id")
	require.NoError(t, s.Send(t.Context(), m))
	got := ts.received()
	require.Len(t, got, 1)
	assert.True(t, got[0].tls)
	assert.Equal(t, "portal", got[0].user)
	checkReceived(t, got[0], m)
}

// A loopback relay without TLS: allowed when asked for, and a text-only
// message goes as a single text/plain part.
func TestSMTPPlaintextLoopback(t *testing.T) {
	ts := startServer(t, serverOptions{})
	s := newTestSMTP(t, ts, SMTPConfig{TLS: NoTLS, InsecureAllowPlaintext: true})
	m := rendered(t, ResetCode, "id", "sri@example.go.id")
	m.HTML = ""
	require.NoError(t, s.Send(t.Context(), m))
	got := ts.received()
	require.Len(t, got, 1)
	assert.False(t, got[0].tls)
	checkReceived(t, got[0], m)
	code, ok := ExtractCode(m)
	assert.True(t, ok)
	assert.Contains(t, string(got[0].data), "    "+code+"\r\n")
}

// A server that does not offer STARTTLS (or an attacker who stripped it
// from the EHLO reply) gets nothing: no AUTH, no message.
func TestSMTPRefusesServerWithoutSTARTTLS(t *testing.T) {
	ts := startServer(t, serverOptions{user: "portal", pass: "rahasia"})
	s := newTestSMTP(t, ts, SMTPConfig{Username: "portal", Password: "rahasia", TLSConfig: trustTestCert()})
	err := s.Send(t.Context(), rendered(t, ResetLink, "id", "sri@example.go.id"))
	requireSendError(t, err, "starttls", false)
	assert.Zero(t, ts.authTries)
	assert.Empty(t, ts.received())
}

// A certificate the sender does not trust ends the send before AUTH.
func TestSMTPUntrustedCertificate(t *testing.T) {
	for _, mode := range []TLSMode{StartTLS, ImplicitTLS} {
		t.Run(mode.String(), func(t *testing.T) {
			ts := startServer(t, serverOptions{starttls: mode == StartTLS, implicitTLS: mode == ImplicitTLS, user: "portal", pass: "rahasia"})
			s := newTestSMTP(t, ts, SMTPConfig{TLS: mode, Username: "portal", Password: "rahasia"}) // system roots only
			err := s.Send(t.Context(), rendered(t, ResetLink, "id", "sri@example.go.id"))
			requireSendError(t, err, map[TLSMode]string{StartTLS: "starttls", ImplicitTLS: "tls"}[mode], false)
			var verr *tls.CertificateVerificationError
			assert.ErrorAs(t, err, &verr)
			assert.Zero(t, ts.authTries)
			assert.Empty(t, ts.received())
		})
	}
	// The certificate names 127.0.0.1 and localhost; a TLSConfig that
	// expects another name fails too.
	ts := startServer(t, serverOptions{starttls: true})
	cfg := trustTestCert()
	cfg.ServerName = "smtp.example.go.id"
	s := newTestSMTP(t, ts, SMTPConfig{TLSConfig: cfg})
	err := s.Send(t.Context(), rendered(t, ResetLink, "id", "sri@example.go.id"))
	requireSendError(t, err, "starttls", false)
	assert.Empty(t, ts.received())
}

func TestSMTPReplies(t *testing.T) {
	reply := func(code int, msg string) *smtp.SMTPError {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: msg}
	}
	tests := []struct {
		name      string
		opts      serverOptions
		password  string
		op        string
		code      int
		temporary bool
	}{
		{"mailbox busy", serverOptions{rcptErr: reply(450, "mailbox busy")}, "", "rcpt", 450, true},
		{"no such user", serverOptions{rcptErr: reply(550, "no such user")}, "", "rcpt", 550, false},
		{"sender refused", serverOptions{mailErr: reply(553, "sender not allowed")}, "", "mail", 553, false},
		{"greylisted", serverOptions{mailErr: reply(451, "greylisted, try again later")}, "", "mail", 451, true},
		{"queue full", serverOptions{dataErr: reply(452, "insufficient storage")}, "", "data", 452, true},
		{"spam", serverOptions{dataErr: reply(554, "rejected as spam")}, "", "data", 554, false},
		{"wrong password", serverOptions{user: "portal", pass: "rahasia"}, "salah", "auth", 535, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.starttls = true
			ts := startServer(t, tt.opts)
			cfg := SMTPConfig{TLSConfig: trustTestCert()}
			if tt.opts.user != "" {
				cfg.Username, cfg.Password = tt.opts.user, tt.password
			}
			s := newTestSMTP(t, ts, cfg)
			err := s.Send(t.Context(), rendered(t, SecondFactorCode, "id", "sri@example.go.id"))
			se := requireSendError(t, err, tt.op, tt.temporary)
			assert.Equal(t, tt.code, se.Code)
			var te *textproto.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.code, te.Code)
			assert.Empty(t, ts.received())
			assert.NotContains(t, err.Error(), "salah", "the password is never in an error")
		})
	}
}

// rawServer accepts connections and hands each to serve.
func rawServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var wg sync.WaitGroup
	t.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				serve(c)
			})
		}
	})
	return l.Addr().String()
}

// hang reads until the client goes away, answering nothing.
func hang(c net.Conn) { io.Copy(io.Discard, c) }

func plaintextSender(t *testing.T, addr string, timeout time.Duration) *SMTP {
	t.Helper()
	s, err := NewSMTP(SMTPConfig{Addr: addr, From: "noreply@example.go.id", TLS: NoTLS, InsecureAllowPlaintext: true, Timeout: timeout})
	require.NoError(t, err)
	return s
}

func TestSMTPHangingServer(t *testing.T) {
	addr := rawServer(t, hang)
	m := rendered(t, SecondFactorCode, "id", "sri@example.go.id")

	t.Run("context deadline", func(t *testing.T) {
		s := plaintextSender(t, addr, 0)
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := s.Send(ctx, m)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		requireSendError(t, err, "greeting", true)
	})
	t.Run("configured timeout", func(t *testing.T) {
		s := plaintextSender(t, addr, 100*time.Millisecond)
		start := time.Now()
		err := s.Send(context.Background(), m)
		assert.Less(t, time.Since(start), 5*time.Second)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	t.Run("cancelled", func(t *testing.T) {
		s := plaintextSender(t, addr, 0)
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		err := s.Send(ctx, m)
		assert.ErrorIs(t, err, context.Canceled)
		requireSendError(t, err, "greeting", false)
	})
}

// A server that stops answering in the middle of a transaction is
// broken off at the deadline too.
func TestSMTPHangsInData(t *testing.T) {
	hold := make(chan struct{})
	ts := startServer(t, serverOptions{starttls: true, dataHold: hold})
	t.Cleanup(func() { close(hold) })
	s := newTestSMTP(t, ts, SMTPConfig{TLSConfig: trustTestCert(), Timeout: 300 * time.Millisecond})
	start := time.Now()
	err := s.Send(t.Context(), rendered(t, ResetLink, "en", "sri@example.go.id"))
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	requireSendError(t, err, "data", true)
}

func TestSMTPGreetingRefused(t *testing.T) {
	for _, tt := range []struct {
		greeting  string
		temporary bool
	}{
		{"421 4.3.2 too busy, try later\r\n", true},
		{"554 5.7.1 no service for you\r\n", false},
	} {
		addr := rawServer(t, func(c net.Conn) {
			io.WriteString(c, tt.greeting)
			bufio.NewReader(c).ReadString('\n')
		})
		err := plaintextSender(t, addr, 0).Send(t.Context(), rendered(t, ResetCode, "id", "sri@example.go.id"))
		requireSendError(t, err, "greeting", tt.temporary)
	}
}

func TestSMTPConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	err = plaintextSender(t, addr, 0).Send(t.Context(), rendered(t, ResetCode, "id", "sri@example.go.id"))
	se := requireSendError(t, err, "dial", true)
	assert.Zero(t, se.Code)
}

// A server that advertises no AUTH PLAIN over TLS is not sent the
// password any other way.
func TestSMTPNoAuthPlain(t *testing.T) {
	ts := startServer(t, serverOptions{starttls: true}) // offers no AUTH
	s := newTestSMTP(t, ts, SMTPConfig{Username: "portal", Password: "rahasia", TLSConfig: trustTestCert()})
	err := s.Send(t.Context(), rendered(t, ResetLink, "id", "sri@example.go.id"))
	requireSendError(t, err, "auth", false)
	assert.Empty(t, ts.received())
}

// Messages the sender refuses never open a connection.
func TestSMTPRefusesBeforeConnecting(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	addr := rawServer(t, func(c net.Conn) {
		mu.Lock()
		conns++
		mu.Unlock()
	})
	s := plaintextSender(t, addr, 0)
	sms, err := RenderSMS(SecondFactorCode, "id", fullData())
	require.NoError(t, err)
	sms.To = "+6281234567890"
	assert.ErrorIs(t, s.Send(t.Context(), sms), ErrUnsupportedChannel)

	m := rendered(t, ResetLink, "id", "sri@example.go.id")
	m.Subject = "Atur ulang\r\nBcc: semua@example.go.id"
	assert.ErrorIs(t, s.Send(t.Context(), m), ErrInvalidMessage)
	m = rendered(t, ResetLink, "id", "sri@example.go.id\r\nRCPT TO:<x@evil.example>")
	assert.ErrorIs(t, s.Send(t.Context(), m), ErrInvalidRecipient)
	m = rendered(t, ResetLink, "id", "sri@example.go.id")
	m.Headers = map[string]string{"Bcc": "semua@example.go.id"}
	assert.ErrorIs(t, s.Send(t.Context(), m), ErrInvalidMessage)

	time.Sleep(10 * time.Millisecond) // let a stray connection show
	mu.Lock()
	defer mu.Unlock()
	assert.Zero(t, conns)
}

func TestSMTPConcurrent(t *testing.T) {
	ts := startServer(t, serverOptions{starttls: true, user: "portal", pass: "rahasia"})
	s := newTestSMTP(t, ts, SMTPConfig{Username: "portal", Password: "rahasia", TLSConfig: trustTestCert(), Now: time.Now})
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			assert.NoError(t, s.Send(t.Context(), rendered(t, SecondFactorCode, "id", fmt.Sprintf("u%d@example.go.id", i))))
		})
	}
	wg.Wait()
	got := ts.received()
	require.Len(t, got, 10)
	ids := map[string]bool{}
	for _, r := range got {
		msg, err := mail.ReadMessage(bytes.NewReader(r.data))
		require.NoError(t, err)
		ids[msg.Header.Get("Message-ID")] = true
	}
	assert.Len(t, ids, 10, "every Message-ID is new")
}

func TestNewSMTP(t *testing.T) {
	good := SMTPConfig{Addr: "smtp.example.go.id:587", From: "noreply@example.go.id"}
	with := func(f func(*SMTPConfig)) SMTPConfig {
		c := good
		f(&c)
		return c
	}
	ok := []SMTPConfig{
		good,
		with(func(c *SMTPConfig) { c.From = "Portal Mitra ATR/BPN <noreply@example.go.id>" }),
		with(func(c *SMTPConfig) { c.From = "Kementerian – Uji <noreply@example.go.id>" }),
		with(func(c *SMTPConfig) { c.Username, c.Password = "u", "p" }),
		with(func(c *SMTPConfig) { c.TLS, c.Addr = ImplicitTLS, "smtp.example.go.id:465" }),
		with(func(c *SMTPConfig) { c.TLS, c.InsecureAllowPlaintext, c.Addr = NoTLS, true, "127.0.0.1:1025" }),
		with(func(c *SMTPConfig) { c.TLS, c.InsecureAllowPlaintext, c.Addr = NoTLS, true, "localhost:25" }),
		with(func(c *SMTPConfig) { c.TLS, c.InsecureAllowPlaintext, c.Addr = NoTLS, true, "[::1]:25" }),
		with(func(c *SMTPConfig) { c.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS13} }),
		with(func(c *SMTPConfig) { c.HelloName = "app1.example.go.id" }),
		with(func(c *SMTPConfig) { c.Timeout = time.Minute }),
	}
	for _, cfg := range ok {
		_, err := NewSMTP(cfg)
		assert.NoError(t, err, "%v", cfg)
	}
	bad := map[string]SMTPConfig{
		"no Addr":                    with(func(c *SMTPConfig) { c.Addr = "" }),
		"no port":                    with(func(c *SMTPConfig) { c.Addr = "smtp.example.go.id" }),
		"bad port":                   with(func(c *SMTPConfig) { c.Addr = "smtp.example.go.id:0" }),
		"named port":                 with(func(c *SMTPConfig) { c.Addr = "smtp.example.go.id:smtp" }),
		"no host":                    with(func(c *SMTPConfig) { c.Addr = ":587" }),
		"no From":                    with(func(c *SMTPConfig) { c.From = "" }),
		"bad From":                   with(func(c *SMTPConfig) { c.From = "noreply" }),
		"From with line break":       with(func(c *SMTPConfig) { c.From = "noreply@example.go.id\r\nBcc: x@evil.example" }),
		"From name too long":         with(func(c *SMTPConfig) { c.From = strings.Repeat("é", 51) + " <noreply@example.go.id>" }),
		"From two addresses":         with(func(c *SMTPConfig) { c.From = "a@example.go.id, b@example.go.id" }),
		"password without username":  with(func(c *SMTPConfig) { c.Password = "p" }),
		"username without password":  with(func(c *SMTPConfig) { c.Username = "u" }),
		"NUL in password":            with(func(c *SMTPConfig) { c.Username, c.Password = "u", "p\x00q" }),
		"NoTLS not allowed":          with(func(c *SMTPConfig) { c.TLS, c.Addr = NoTLS, "127.0.0.1:25" }),
		"NoTLS to an address":        with(func(c *SMTPConfig) { c.TLS, c.InsecureAllowPlaintext, c.Addr = NoTLS, true, "192.0.2.1:25" }),
		"NoTLS to a name":            with(func(c *SMTPConfig) { c.TLS, c.InsecureAllowPlaintext = NoTLS, true }),
		"NoTLS to a private address": with(func(c *SMTPConfig) { c.TLS, c.InsecureAllowPlaintext, c.Addr = NoTLS, true, "10.0.0.5:25" }),
		"plaintext AUTH to loopback": with(func(c *SMTPConfig) {
			c.TLS, c.InsecureAllowPlaintext, c.Addr, c.Username, c.Password = NoTLS, true, "127.0.0.1:25", "u", "p"
		}),
		"plaintext AUTH to an address": with(func(c *SMTPConfig) {
			c.TLS, c.InsecureAllowPlaintext, c.Addr, c.Username, c.Password = NoTLS, true, "192.0.2.1:25", "u", "p"
		}),
		"unknown TLS mode":   with(func(c *SMTPConfig) { c.TLS = 7 }),
		"InsecureSkipVerify": with(func(c *SMTPConfig) { c.TLSConfig = &tls.Config{InsecureSkipVerify: true} }),
		"TLS 1.0":            with(func(c *SMTPConfig) { c.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS10} }),
		"negative timeout":   with(func(c *SMTPConfig) { c.Timeout = -time.Second }),
		"bad HelloName":      with(func(c *SMTPConfig) { c.HelloName = "app1\r\nMAIL FROM:<x@evil.example>" }),
	}
	for name, cfg := range bad {
		_, err := NewSMTP(cfg)
		assert.ErrorIs(t, err, ErrConfig, name)
	}
}

// A plaintext sender checks where the connection went, not only the name
// it was given.
func TestSMTPNoTLSChecksPeer(t *testing.T) {
	assert.True(t, isLoopbackHost("localhost"))
	assert.True(t, isLoopbackHost("LOCALHOST"))
	assert.True(t, isLoopbackHost("127.0.0.2"))
	assert.True(t, isLoopbackHost("::1"))
	assert.False(t, isLoopbackHost("localhost.example.go.id"))
	assert.False(t, isLoopbackHost("0.0.0.0"))
	assert.False(t, isLoopbackHost("::ffff:192.0.2.1"))
}

func TestSMTPConfigHidesPassword(t *testing.T) {
	cfg := SMTPConfig{Addr: "smtp.example.go.id:587", From: "noreply@example.go.id", Username: "portal", Password: "sangat-rahasia-123"}
	s, err := NewSMTP(cfg)
	require.NoError(t, err)
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		assert.NotContains(t, fmt.Sprintf(format, cfg), "sangat-rahasia-123", format)
		assert.NotContains(t, fmt.Sprintf(format, &cfg), "sangat-rahasia-123", format)
		assert.NotContains(t, fmt.Sprintf(format, s), "sangat-rahasia-123", format)
	}
	assert.Contains(t, fmt.Sprint(cfg), "[redacted]")
}

func TestSendErrorMessage(t *testing.T) {
	reply := &textproto.Error{Code: 450, Msg: "4.2.1 mailbox busy"}
	err := &SendError{Op: "rcpt", Code: 450, Temporary: true, Err: reply}
	assert.Equal(t, "notify: smtp rcpt: "+reply.Error()+" (temporary)", err.Error())
	err = &SendError{Op: "dial", Err: errors.New("x")}
	assert.Equal(t, "notify: smtp dial: x", err.Error())
}

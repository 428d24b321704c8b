package notify

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzWriteEmail checks the promise that a message Validate accepts cannot
// forge header fields or parts: whatever To, Subject, a header and the
// bodies hold, the email written for it parses back with net/mail and
// mime/multipart into exactly the fields and parts the sender meant, with
// the same values, and no line is longer than RFC 5322 allows.
func FuzzWriteEmail(f *testing.F) {
	type seed struct{ to, subject, name, value, text, html string }
	for _, s := range []seed{
		{"budi@example.go.id", "Kode verifikasi masuk LPSE", "Reply-To", "helpdesk@example.go.id", "Kode:\n\n    482913\n", "<p>482913</p>"},
		{"budi@example.go.id\r\nBcc: x@evil.example", "s", "X-A", "b", "t", ""},
		{"budi@example.go.id", "Halo\r\nBcc: x@evil.example", "X-A", "b", "t", ""},
		{"budi@example.go.id", "Halo\nBcc: x@evil.example", "X-A", "b", "t", ""},
		{"budi@example.go.id", "Halo\rBcc: x@evil.example", "X-A", "b", "t", ""},
		{"budi@example.go.id", "s", "X-A", "b\r\nBcc: x@evil.example", "t", ""},
		{"budi@example.go.id", "s", "X-A: b\r\nBcc", "x@evil.example", "t", ""},
		{"budi@example.go.id", "s", "Bcc", "x@evil.example", "t", ""},
		{"budi@example.go.id", "=?utf-8?q?Halo=0D=0ABcc:_x@evil.example?=", "X-A", "b", "t", ""},
		{"budi@example.go.id", "Atur ulang kata sandi – Kementerian ATR/BPN ✓", "X-Portal", "Kantor Pertanahan Kab. Bogor ×", "ä\r\n.\r\n", "<p>ä</p>\n.\n"},
		{"budi@example.go.id", strings.Repeat("é", 250), "X-Long", strings.Repeat("ü ", 160), strings.Repeat("x", 2000), ""},
		{"budi@example.go.id", "s", "X-A", "b", "--boundary\r\n\r\nContent-Type: text/html\r\n", "--\r\n"},
		{"budi@example.go.id", "s", "X-A", "b", "line\rwith\rcarriage returns\n\n.\n..\n", ""},
		{"budi@example.go.id", "\u2028", "X-A", "\u0085", "t", ""},
		{"budi@example.go.id", " leading and trailing ", "X-A", " b ", "t", ""},
		{"a@b", "s", "x", "=?", "t", ""},
	} {
		f.Add(s.to, s.subject, s.name, s.value, s.text, s.html)
	}
	from := &mail.Address{Name: "Portal ATR/BPN – Uji", Address: "noreply@example.go.id"}
	date := time.Date(2026, 3, 2, 14, 5, 0, 0, wib)
	const boundary = "0123456789abcdef0123456789abcd"
	f.Fuzz(func(t *testing.T, to, subject, name, value, text, html string) {
		m := Message{To: to, Channel: Email, Subject: subject, Text: text, HTML: html, Locale: "id",
			Headers: map[string]string{name: value}}
		if m.Validate() != nil {
			return
		}
		if strings.Contains(text, "--"+boundary) || strings.Contains(html, "--"+boundary) {
			return // the fixed boundary stands in for a random one
		}
		raw, err := writeEmail(from, m, date, "<id@example.go.id>", boundary)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(raw)) {
			if !strings.HasSuffix(line, "\r\n") || strings.ContainsAny(line[:len(line)-2], "\r\n") {
				t.Fatalf("line without CRLF or with a bare CR or LF: %q", line)
			}
			if len(line) > 1000 {
				t.Fatalf("line of %d bytes", len(line))
			}
		}
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%v\n%s", err, raw)
		}
		want := []string{"From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Language",
			"Auto-Submitted", "Content-Type", textproto.CanonicalMIMEHeaderKey(name)}
		if html == "" {
			want = append(want, "Content-Transfer-Encoding")
		}
		var got []string
		for k, vs := range msg.Header {
			if len(vs) != 1 {
				t.Fatalf("header %s appears %d times", k, len(vs))
			}
			got = append(got, k)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			t.Fatalf("header fields %v, want %v", got, want)
		}
		if got := msg.Header.Get("To"); got != to {
			t.Fatalf("To %q, want %q", got, to)
		}
		var dec mime.WordDecoder
		for field, want := range map[string]string{"Subject": subject, name: value} {
			got, err := dec.DecodeHeader(msg.Header.Get(field))
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(got) != strings.TrimSpace(want) {
				t.Fatalf("%s %q, want %q", field, got, want)
			}
		}
		addr, err := mail.ParseAddress(msg.Header.Get("From"))
		if err != nil || *addr != *from {
			t.Fatalf("From %v (%v), want %v", addr, err, from)
		}

		norm := func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		}
		mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		if html == "" {
			if mediaType != "text/plain" {
				t.Fatalf("Content-Type %s", mediaType)
			}
			// Single part: the caller decodes quoted-printable.
			body := readPart(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
			// ... and the line break that ends the message.
			if norm(body) != norm(text) && norm(body) != norm(text)+"\n" {
				t.Fatalf("text %q, want %q", body, text)
			}
			return
		}
		if mediaType != "multipart/alternative" || params["boundary"] != boundary {
			t.Fatalf("Content-Type %s %v", mediaType, params)
		}
		mr := multipart.NewReader(msg.Body, boundary)
		for _, want := range []struct{ ctype, body string }{
			{"text/plain; charset=utf-8", text},
			{"text/html; charset=utf-8", html},
		} {
			p, err := mr.NextRawPart()
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Header.Get("Content-Type"); got != want.ctype {
				t.Fatalf("part Content-Type %q, want %q", got, want.ctype)
			}
			if body := readPart(t, p.Header.Get("Content-Transfer-Encoding"), p); norm(body) != norm(want.body) {
				t.Fatalf("part %s %q, want %q", want.ctype, body, want.body)
			}
		}
		if _, err := mr.NextPart(); err != io.EOF {
			t.Fatalf("a third part: %v", err)
		}
	})
}

// readPart decodes a body that must be quoted-printable.
func readPart(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	if cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding %q", cte)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// FuzzRender feeds Render the fields a user or an attacker controls (a
// display name, a User-Agent, an address, a link and code from a buggy
// host): it must either refuse them with a *DataError or write a message
// that Validate accepts, with as many lines as it has with harmless
// values, and with no tag of theirs left unescaped in the HTML body.
func FuzzRender(f *testing.F) {
	for _, s := range [][4]string{
		{"Budi Santoso", "Chrome di Windows", "203.0.113.7", "https://example.go.id/r?t=a&b=c"},
		{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>", `"><svg onload=alert(1)>`, "javascript:alert(1)"},
		{"Budi\r\nBcc: x@evil.example", "Chrome\n\nKlik https://evil.example", "1.2.3.4\u2028", "https://example.go.id/\r\nx"},
		{"{{.Code}}", "{{template \"footer\" .}}", "%s%v", "https://example.go.id/{{.Code}}"},
		{"\xff\xfe", "\x00", "\u0085", "https://"},
		{strings.Repeat("é", 150), strings.Repeat("Mozilla/5.0 ", 50), "", "http://localhost:8080/a"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	baseline := map[Purpose]int{}
	for _, p := range []Purpose{NewDevice, ResetLink} {
		m, err := Render(p, "id", fullData())
		if err != nil {
			f.Fatal(err)
		}
		baseline[p] = strings.Count(m.Text, "\n")
	}
	f.Fuzz(func(t *testing.T, username, device, addr, link string) {
		for _, p := range []Purpose{NewDevice, ResetLink} {
			d := fullData()
			d.Username, d.Device, d.ClientAddr, d.Link = username, device, addr, link
			m, err := Render(p, "id", d)
			if err != nil {
				var de *DataError
				if !errors.As(err, &de) {
					t.Fatalf("%v: %v", p, err)
				}
				continue
			}
			m.To = "budi@example.go.id"
			if err := m.Validate(); err != nil {
				t.Fatalf("%v: %v", p, err)
			}
			if strings.Contains(m.Text, "<no value>") {
				t.Fatal("<no value>")
			}
			// An empty optional value drops its line or sentence; nothing
			// adds one.
			if n := strings.Count(m.Text, "\n"); n > baseline[p] {
				t.Fatalf("%v: %d lines, want at most %d:\n%s", p, n, baseline[p], m.Text)
			}
			for _, v := range []string{username, device, addr} {
				if opensTag(v) && strings.Contains(m.HTML, strings.TrimSpace(v)) {
					t.Fatalf("%q unescaped in HTML", v)
				}
			}
		}
	})
}

// opensTag reports whether s holds "<" followed by what would start a tag,
// a comment or a processing instruction.
func opensTag(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if c := s[i+1]; s[i] == '<' && ('a' <= c|0x20 && c|0x20 <= 'z' || c == '/' || c == '!' || c == '?') {
			return true
		}
	}
	return false
}

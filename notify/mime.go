package notify

import (
	"bytes"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"
)

// writeEmail renders m, which Validate has accepted, as an RFC 5322
// message with CRLF line endings: the header fields, then either one
// text/plain part or, when m.HTML is set, multipart/alternative with a
// text/plain and a text/html part, each UTF-8 and quoted-printable.
// boundary is drawn at random for each message after its bodies are
// written, so that no body can contain it.
func writeEmail(from *mail.Address, m Message, date time.Time, messageID, boundary string) ([]byte, error) {
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(value)
		b.WriteString("\r\n")
	}
	header("From", from.String())
	header("To", m.To)
	header("Subject", encodeHeader(m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", messageID)
	header("MIME-Version", "1.0")
	if m.Locale != "" {
		header("Content-Language", m.Locale)
	}
	// RFC 3834: an automatic message, which auto-responders must not
	// answer.
	header("Auto-Submitted", "auto-generated")
	for _, name := range slices.Sorted(maps.Keys(m.Headers)) {
		header(name, encodeHeader(m.Headers[name]))
	}

	if m.HTML == "" {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := writeQP(&b, m.Text); err != nil {
			return nil, err
		}
		if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
			// The message ends with a line break, as SMTP's DATA needs.
			b.WriteString("\r\n")
		}
		return b.Bytes(), nil
	}

	mw := multipart.NewWriter(&b)
	if err := mw.SetBoundary(boundary); err != nil {
		return nil, err
	}
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": boundary}))
	b.WriteString("\r\n")
	// Text first: multipart/alternative lists the parts from the plainest
	// to the richest, and a reader shows the last it understands.
	for _, part := range []struct{ ctype, body string }{
		{"text/plain; charset=utf-8", m.Text},
		{"text/html; charset=utf-8", m.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		if err := writeQP(w, part.body); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// writeQP writes s quoted-printable, with its line breaks, whichever they
// were, as CRLF.
func writeQP(w io.Writer, s string) error {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	qp := quotedprintable.NewWriter(w)
	if _, err := qp.Write([]byte(s)); err != nil {
		return err
	}
	return qp.Close()
}

// encodeHeader returns v as it is when it is printable ASCII, and
// otherwise as RFC 2047 Q-encoded words of UTF-8, one per folded line, so
// that no line grows past 78 characters however long v is. Validate has
// made sure v holds no control character and no "=?", so that a plain
// value cannot be mistaken for an encoded one.
func encodeHeader(v string) string {
	enc := mime.QEncoding.Encode("utf-8", v)
	if enc == v {
		return v
	}
	// The encoder separates words with a space; inside a word "?", "="
	// and " " are always encoded, so "?= =?" only occurs between words.
	// Whitespace between encoded words is not part of the text (RFC 2047
	// section 6.2), so folding there changes nothing.
	return strings.ReplaceAll(enc, "?= =?", "?=\r\n =?")
}

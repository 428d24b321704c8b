package notify

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidate(t *testing.T) {
	ok := Message{To: "budi@example.go.id", Channel: Email, Subject: "Subjek", Text: "Isi.", Locale: "id"}
	sms := Message{To: "+6281234567890", Channel: SMS, Text: "482913 adalah kode Anda."}
	with := func(m Message, f func(*Message)) Message {
		f(&m)
		return m
	}
	header := func(name, value string) func(*Message) {
		return func(m *Message) { m.Headers = map[string]string{name: value} }
	}
	tests := []struct {
		name string
		m    Message
		err  error
	}{
		{"email", ok, nil},
		{"email with HTML and headers", with(ok, func(m *Message) {
			m.HTML = "<p>Isi.</p>"
			m.Headers = map[string]string{"Reply-To": "helpdesk@example.go.id", "X-Portal": "LPSE Kemenkeu – Jakarta"}
		}), nil},
		{"sms", sms, nil},
		{"no locale", with(ok, func(m *Message) { m.Locale = "" }), nil},
		{"plus address", with(ok, func(m *Message) { m.To = "budi+lpse@example.go.id" }), nil},
		{"atext address", with(ok, func(m *Message) { m.To = "o'brien.x_y-z=1@sub.example.go.id" }), nil},

		{"no channel", with(ok, func(m *Message) { m.Channel = 0 }), ErrUnsupportedChannel},
		{"unknown channel", with(ok, func(m *Message) { m.Channel = 9 }), ErrUnsupportedChannel},

		{"empty recipient", with(ok, func(m *Message) { m.To = "" }), ErrInvalidRecipient},
		{"CRLF in recipient", with(ok, func(m *Message) { m.To = "budi@example.go.id\r\nBcc: x@evil.example" }), ErrInvalidRecipient},
		{"LF in recipient", with(ok, func(m *Message) { m.To = "budi@example.go.id\nx" }), ErrInvalidRecipient},
		{"display name", with(ok, func(m *Message) { m.To = "Budi <budi@example.go.id>" }), ErrInvalidRecipient},
		{"angle brackets", with(ok, func(m *Message) { m.To = "<budi@example.go.id>" }), ErrInvalidRecipient},
		{"two recipients", with(ok, func(m *Message) { m.To = "a@example.go.id, b@example.go.id" }), ErrInvalidRecipient},
		{"quoted local part", with(ok, func(m *Message) { m.To = `"budi santoso"@example.go.id` }), ErrInvalidRecipient},
		{"domain literal", with(ok, func(m *Message) { m.To = "budi@[127.0.0.1]" }), ErrInvalidRecipient},
		{"non-ASCII", with(ok, func(m *Message) { m.To = "büdi@example.go.id" }), ErrInvalidRecipient},
		{"IDN domain", with(ok, func(m *Message) { m.To = "budi@contoh.indonesia" }), nil},
		{"unicode domain", with(ok, func(m *Message) { m.To = "budi@cöntoh.id" }), ErrInvalidRecipient},
		{"no domain", with(ok, func(m *Message) { m.To = "budi@" }), ErrInvalidRecipient},
		{"no at", with(ok, func(m *Message) { m.To = "budi" }), ErrInvalidRecipient},
		{"leading dot", with(ok, func(m *Message) { m.To = ".budi@example.go.id" }), ErrInvalidRecipient},
		{"double dot", with(ok, func(m *Message) { m.To = "bu..di@example.go.id" }), ErrInvalidRecipient},
		{"hyphen label", with(ok, func(m *Message) { m.To = "budi@-example.go.id" }), ErrInvalidRecipient},
		{"space", with(ok, func(m *Message) { m.To = "budi @example.go.id" }), ErrInvalidRecipient},
		{"too long", with(ok, func(m *Message) { m.To = strings.Repeat("a", 64) + "@" + strings.Repeat("b", 190) + ".id" }), ErrInvalidRecipient},
		{"long local part", with(ok, func(m *Message) { m.To = strings.Repeat("a", 65) + "@example.go.id" }), ErrInvalidRecipient},
		{"phone to email", with(ok, func(m *Message) { m.To = "+6281234567890" }), ErrInvalidRecipient},

		{"email to SMS", with(sms, func(m *Message) { m.To = "budi@example.go.id" }), ErrInvalidRecipient},
		{"local phone number", with(sms, func(m *Message) { m.To = "081234567890" }), ErrInvalidRecipient},
		{"phone with spaces", with(sms, func(m *Message) { m.To = "+62 812 3456 7890" }), ErrInvalidRecipient},
		{"phone too short", with(sms, func(m *Message) { m.To = "+6281234" }), ErrInvalidRecipient},
		{"phone too long", with(sms, func(m *Message) { m.To = "+6281234567890123" }), ErrInvalidRecipient},
		{"phone +0", with(sms, func(m *Message) { m.To = "+0281234567890" }), ErrInvalidRecipient},
		{"SMS with subject", with(sms, func(m *Message) { m.Subject = "x" }), ErrInvalidMessage},
		{"SMS with HTML", with(sms, func(m *Message) { m.HTML = "<p>x</p>" }), ErrInvalidMessage},
		{"SMS with headers", with(sms, header("X-A", "b")), ErrInvalidMessage},
		{"empty SMS", with(sms, func(m *Message) { m.Text = " " }), ErrInvalidMessage},

		{"empty subject", with(ok, func(m *Message) { m.Subject = " " }), ErrInvalidMessage},
		{"CRLF in subject", with(ok, func(m *Message) { m.Subject = "Halo\r\nBcc: x@evil.example" }), ErrInvalidMessage},
		{"LF in subject", with(ok, func(m *Message) { m.Subject = "Halo\nBcc: x@evil.example" }), ErrInvalidMessage},
		{"CR in subject", with(ok, func(m *Message) { m.Subject = "Halo\rBcc: x@evil.example" }), ErrInvalidMessage},
		{"NUL in subject", with(ok, func(m *Message) { m.Subject = "Halo\x00" }), ErrInvalidMessage},
		{"NEL in subject", with(ok, func(m *Message) { m.Subject = "Halo\u0085x" }), ErrInvalidMessage},
		{"line separator in subject", with(ok, func(m *Message) { m.Subject = "Halo\u2028x" }), ErrInvalidMessage},
		{"encoded word in subject", with(ok, func(m *Message) { m.Subject = "=?utf-8?q?Halo=0D=0ABcc:_x?=" }), ErrInvalidMessage},
		{"invalid UTF-8 subject", with(ok, func(m *Message) { m.Subject = "\xff" }), ErrInvalidMessage},
		{"long subject", with(ok, func(m *Message) { m.Subject = strings.Repeat("a", 501) }), ErrInvalidMessage},

		{"CRLF in header value", with(ok, header("X-A", "b\r\nBcc: x@evil.example")), ErrInvalidMessage},
		{"LF in header value", with(ok, header("X-A", "b\nBcc: x@evil.example")), ErrInvalidMessage},
		{"CRLF in header name", with(ok, header("X-A: b\r\nBcc", "x@evil.example")), ErrInvalidMessage},
		{"colon in header name", with(ok, header("Bcc: x@evil.example\r\nX-A", "b")), ErrInvalidMessage},
		{"space in header name", with(ok, header("X A", "b")), ErrInvalidMessage},
		{"empty header name", with(ok, header("", "b")), ErrInvalidMessage},
		{"non-ASCII header name", with(ok, header("X-Ä", "b")), ErrInvalidMessage},
		{"Bcc header", with(ok, header("bcc", "x@evil.example")), ErrInvalidMessage},
		{"Cc header", with(ok, header("Cc", "x@evil.example")), ErrInvalidMessage},
		{"To header", with(ok, header("TO", "x@evil.example")), ErrInvalidMessage},
		{"From header", with(ok, header("From", "x@evil.example")), ErrInvalidMessage},
		{"Content-Type header", with(ok, header("Content-Type", "text/html")), ErrInvalidMessage},
		{"Content-Transfer-Encoding header", with(ok, header("content-transfer-encoding", "8bit")), ErrInvalidMessage},
		{"MIME-Version header", with(ok, header("MIME-Version", "1.0")), ErrInvalidMessage},

		{"empty text", with(ok, func(m *Message) { m.Text = "" }), ErrInvalidMessage},
		{"NUL in text", with(ok, func(m *Message) { m.Text = "a\x00b" }), ErrInvalidMessage},
		{"invalid UTF-8 HTML", with(ok, func(m *Message) { m.HTML = "\xff" }), ErrInvalidMessage},
		{"CRLF in text", with(ok, func(m *Message) { m.Text = "a\r\nb\rc\n\td" }), nil},
		{"malformed locale", with(ok, func(m *Message) { m.Locale = "id\r\nX: y" }), ErrInvalidMessage},
		{"long locale", with(ok, func(m *Message) { m.Locale = "en-" + strings.Repeat("a", 9) }), ErrInvalidMessage},
		{"regional locale", with(ok, func(m *Message) { m.Locale = "id-ID" }), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate()
			if tt.err == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.err)
			// The error never repeats a line break it found.
			assert.NotContains(t, err.Error(), "\n")
			assert.NotContains(t, err.Error(), "\r")
		})
	}
}

func TestChannelString(t *testing.T) {
	assert.Equal(t, "email", Email.String())
	assert.Equal(t, "sms", SMS.String())
	assert.Equal(t, "channel(0)", Channel(0).String())
}

package notify

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// Limits on what a Message may hold. A header line must fit in the 998
// characters RFC 5322 allows; with the field name and encoding that leaves
// room for 500 bytes of value.
const (
	maxAddressLen = 254
	maxHeaderName = 76
	maxHeaderLen  = 500
)

// Validate reports whether m can be sent as it is, with the error a
// [Sender] would return: [ErrUnsupportedChannel], [ErrInvalidRecipient] or
// [ErrInvalidMessage], wrapped with the reason. It checks every rule that
// keeps a message from forging header fields: no line break or other
// control character in To, Subject or Headers, no header a sender writes
// itself. Senders call it first; an SMS gateway written by a host should
// too.
func (m Message) Validate() error {
	switch m.Channel {
	case Email:
		if m.Code != "" {
			return fmt.Errorf("%w: only a WhatsApp message has a Code", ErrInvalidMessage)
		}
		if err := checkEmailAddress(m.To); err != nil {
			return err
		}
		if err := checkHeaderValue("subject", m.Subject); err != nil {
			return err
		}
		if strings.TrimSpace(m.Subject) == "" {
			return fmt.Errorf("%w: empty subject", ErrInvalidMessage)
		}
		for name, value := range m.Headers {
			if err := checkHeaderName(name); err != nil {
				return err
			}
			if err := checkHeaderValue("header "+name, value); err != nil {
				return err
			}
		}
		if err := checkBody("text", m.Text); err != nil {
			return err
		}
		if m.HTML != "" {
			if err := checkBody("html", m.HTML); err != nil {
				return err
			}
		}
	case SMS, WhatsApp:
		if err := checkPhone(m.To); err != nil {
			return err
		}
		if m.Subject != "" || m.HTML != "" || len(m.Headers) != 0 {
			return fmt.Errorf("%w: a %v message has no subject, HTML or headers", ErrInvalidMessage, m.Channel)
		}
		if err := checkBody("text", m.Text); err != nil {
			return err
		}
		if m.Channel == WhatsApp && !validCode(m.Code) {
			return fmt.Errorf("%w: a WhatsApp message's Code is 4 to 15 ASCII letters and digits", ErrInvalidMessage)
		}
		if m.Channel == SMS && m.Code != "" {
			return fmt.Errorf("%w: only a WhatsApp message has a Code", ErrInvalidMessage)
		}
	default:
		return fmt.Errorf("%w: %v", ErrUnsupportedChannel, m.Channel)
	}
	if !validLocale(m.Locale) {
		return fmt.Errorf("%w: malformed locale", ErrInvalidMessage)
	}
	return nil
}

// checkEmailAddress accepts a bare dot-atom address: ASCII letters, digits
// and RFC 5322 atext in the local part, LDH labels in the domain. That
// rules out display names, quoted local parts, domain literals, spaces,
// angle brackets and line breaks, so the address can go into RCPT TO:<>
// and the To field as it is.
func checkEmailAddress(s string) error {
	if s == "" {
		return fmt.Errorf("%w: empty", ErrInvalidRecipient)
	}
	if len(s) > maxAddressLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrInvalidRecipient, maxAddressLen)
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at > 64 || at == len(s)-1 {
		return fmt.Errorf("%w: not an email address", ErrInvalidRecipient)
	}
	local, domain := s[:at], s[at+1:]
	for i := 0; i < len(local); i++ {
		if !isAlnumOr(local[i], atext+".") {
			return fmt.Errorf("%w: character %q in local part", ErrInvalidRecipient, local[i])
		}
	}
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return fmt.Errorf("%w: misplaced dot in local part", ErrInvalidRecipient)
	}
	if !validDomain(domain) {
		return fmt.Errorf("%w: malformed domain", ErrInvalidRecipient)
	}
	// The rules above are stricter than RFC 5322; net/mail is the second
	// opinion, so that nothing accepted here reads differently there.
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s || a.Name != "" {
		return fmt.Errorf("%w: not an email address", ErrInvalidRecipient)
	}
	return nil
}

// Characters allowed besides ASCII letters and digits.
const (
	// atext is the rest of RFC 5322's atext, the characters of an
	// address's dot-atom local part.
	atext = "!#$%&'*+-/=?^_`{|}~"
	// tchar is the rest of RFC 9110's tchar, the characters of a token.
	tchar = "!#$%&'*+-.^_`|~"
)

// isAlnumOr reports whether c is an ASCII letter or digit or one of
// extra.
func isAlnumOr(c byte, extra string) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte(extra, c) >= 0
}

// validDomain reports whether s is a host name of LDH labels.
func validDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isAlnumOr(label[i], "-") {
				return false
			}
		}
	}
	return true
}

// validCode reports whether c can be a WhatsApp template's code.
func validCode(c string) bool {
	if len(c) < 4 || len(c) > 15 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if b := c[i]; !(b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z') {
			return false
		}
	}
	return true
}

// checkPhone accepts an E.164 number: "+", a non-zero digit, then 7 to 14
// more digits.
func checkPhone(s string) error {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return fmt.Errorf("%w: not a phone number in E.164 form (+628...)", ErrInvalidRecipient)
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%w: not a phone number in E.164 form (+628...)", ErrInvalidRecipient)
		}
	}
	return nil
}

// reservedHeaders are the fields an SMTP sender writes itself, or that
// would add recipients or change how the body is read.
var reservedHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "sender": true,
	"subject": true, "date": true, "message-id": true, "mime-version": true,
	"return-path": true, "received": true, "auto-submitted": true,
	"resent-from": true, "resent-to": true, "resent-cc": true, "resent-bcc": true,
	"resent-sender": true, "resent-date": true, "resent-message-id": true,
}

// checkHeaderName accepts a field name of token characters (letters,
// digits and !#$%&'*+-.^_`|~, the names every mail parser reads alike)
// that no sender writes itself.
func checkHeaderName(name string) error {
	if name == "" || len(name) > maxHeaderName {
		return fmt.Errorf("%w: header name of %d bytes", ErrInvalidMessage, len(name))
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnumOr(c, tchar) {
			return fmt.Errorf("%w: character %q in a header name", ErrInvalidMessage, c)
		}
	}
	lower := strings.ToLower(name)
	if reservedHeaders[lower] || strings.HasPrefix(lower, "content-") {
		return fmt.Errorf("%w: header %s is written by the sender", ErrInvalidMessage, name)
	}
	return nil
}

// checkHeaderValue accepts one line of UTF-8 text without control
// characters, short enough to fit a header line once encoded, and without
// "=?", which mail readers would take for the start of an RFC 2047
// encoded word.
func checkHeaderValue(what, v string) error {
	if len(v) > maxHeaderLen {
		return fmt.Errorf("%w: %s longer than %d bytes", ErrInvalidMessage, what, maxHeaderLen)
	}
	if !utf8.ValidString(v) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrInvalidMessage, what)
	}
	for _, r := range v {
		if isControl(r) {
			return fmt.Errorf("%w: control character %U in %s", ErrInvalidMessage, r, what)
		}
	}
	if strings.Contains(v, "=?") {
		return fmt.Errorf("%w: %s contains \"=?\"", ErrInvalidMessage, what)
	}
	return nil
}

// checkBody accepts non-empty UTF-8 text whose only control characters
// are line breaks and tabs.
func checkBody(what, s string) error {
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("%w: empty %s body", ErrInvalidMessage, what)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s body is not UTF-8", ErrInvalidMessage, what)
	}
	for _, r := range s {
		if isControl(r) && r != '\n' && r != '\r' && r != '\t' {
			return fmt.Errorf("%w: control character %U in %s body", ErrInvalidMessage, r, what)
		}
	}
	return nil
}

// isControl reports whether r is a C0 or C1 control character or DEL, or
// one of the Unicode line and paragraph separators.
func isControl(r rune) bool {
	return r < 0x20 || 0x7f <= r && r <= 0x9f || r == '\u2028' || r == '\u2029'
}

// validLocale accepts "" and BCP 47-shaped tags such as "id" or "en-US".
func validLocale(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 35 {
		return false
	}
	for i, part := range strings.Split(s, "-") {
		if part == "" || len(part) > 8 || i == 0 && len(part) < 2 {
			return false
		}
		for j := 0; j < len(part); j++ {
			if !isAlnumOr(part[j], "") {
				return false
			}
		}
	}
	return true
}

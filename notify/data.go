package notify

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Data is what a message says. Each [Purpose] needs some fields (listed
// at its constant) and may use others; [Render] refuses a message whose
// needed fields are empty. PortalName is needed by every purpose; Username
// and Support are used by every email when set. A string is empty when it
// holds only spaces.
//
// No field holds a password, and no template prints one: masuk never sends
// a password, not even a temporary one.
type Data struct {
	// PortalName is the portal's name as users know it, such as
	// "LPSE Kementerian Keuangan". Needed by every purpose; an SMS starts
	// with it, so keep it short.
	PortalName string
	// Username is how the email greets the recipient: a person's or
	// company's name, or the username. Optional: without it the greeting
	// is to the portal's user. Never put a password here.
	Username string
	// Support is where to get help, such as "helpdesk@lpse.go.id atau
	// 1500-123"; optional. Emails that tell of a change the owner may
	// not have made point there.
	Support string

	// Link is an absolute http or https URL: the reset, activation or
	// confirmation link, or the login or activity page. Build it from
	// configuration, never from the request's Host header.
	Link string
	// Code is the code to type: 4 to 16 ASCII letters, digits and
	// hyphens.
	Code string
	// ExpiresIn is how long Link or Code stays valid, shown rounded down
	// to the minute ("15 menit", "1 hour 30 minutes").
	ExpiresIn time.Duration

	// Time is when the event happened, shown in its own location with
	// the zone's abbreviation ("2 Maret 2026 pukul 14.05 WIB"). Pass it in
	// the location the recipient lives in: time.LoadLocation("Asia/Jakarta")
	// for WIB, "Asia/Makassar" for WITA, "Asia/Jayapura" for WIT.
	Time time.Time
	// Until is when a lock ends, shown like Time; zero means it lasts
	// until an operator unlocks the account.
	Until time.Time
	// ClientAddr is the client's IP address, possibly with a place
	// ("203.0.113.7, Jakarta").
	ClientAddr string
	// Device describes the client, such as "Chrome di Windows"; longer
	// than 100 characters, it is cut short with "...". A User-Agent header
	// is attacker-controlled: it is shown as text and escaped in HTML, and
	// Render refuses one with a control character.
	Device string

	// Factor is the second factor added or removed.
	Factor Factor
	// NewAddress is the email address replacing the recipient's.
	NewAddress string
	// NewPhone is the phone number replacing the account's, masked as
	// masuk shows numbers ("+62812******90"): a "+", digits and "*".
	NewPhone string
	// Reason is why an operator rejected a registration, written for the
	// applicant; it may span lines.
	Reason string
	// Provider is the name people know an identity provider by
	// ("INApas").
	Provider string
}

// Factor names a kind of second factor in [Data.Factor].
type Factor uint8

// The factors a message can name.
const (
	// FactorAuthenticator is an authenticator app (TOTP).
	FactorAuthenticator Factor = iota + 1
	// FactorEmailCode is a code sent by email.
	FactorEmailCode
	// FactorSMSCode is a code sent by SMS.
	FactorSMSCode
	// FactorWhatsAppCode is a code sent by WhatsApp.
	FactorWhatsAppCode
	// FactorRecoveryCodes is a set of recovery codes.
	FactorRecoveryCodes
	// FactorPasskey is a passkey.
	FactorPasskey

	factorEnd
)

// factorNames are each factor's name in a sentence, per locale.
var factorNames = [factorEnd][2]string{
	FactorAuthenticator: {"aplikasi autentikator", "authenticator app"},
	FactorEmailCode:     {"kode melalui email", "codes by email"},
	FactorSMSCode:       {"kode melalui SMS", "codes by SMS"},
	FactorWhatsAppCode:  {"kode melalui WhatsApp", "codes by WhatsApp"},
	FactorRecoveryCodes: {"kode pemulihan", "recovery codes"},
	FactorPasskey:       {"passkey", "passkey"},
}

// String returns the factor's English name, such as "authenticator app".
func (f Factor) String() string {
	if f == 0 || f >= factorEnd {
		return "factor(" + strconv.Itoa(int(f)) + ")"
	}
	return factorNames[f][en]
}

// Limits on Data fields, in bytes unless said otherwise.
const (
	maxShortField = 200
	maxLinkLen    = 2000
	maxReasonLen  = 2000
	maxDeviceRune = 100
)

// value returns the field's text as the templates show it in loc, ""
// when the field is empty, or a reason it cannot be shown.
func (d *Data) value(field string, loc locale) (string, string) {
	switch field {
	case "PortalName":
		return plainText(d.PortalName, maxShortField)
	case "Username":
		return plainText(d.Username, maxShortField)
	case "Support":
		return plainText(d.Support, maxShortField)
	case "Provider":
		return plainText(d.Provider, maxShortField)
	case "ClientAddr":
		return plainText(d.ClientAddr, maxShortField)
	case "Device":
		v, reason := plainText(d.Device, 4*maxShortField)
		if utf8.RuneCountInString(v) > maxDeviceRune {
			v = string([]rune(v)[:maxDeviceRune-3]) + "..."
		}
		return v, reason
	case "Reason":
		v := strings.TrimSpace(strings.ReplaceAll(d.Reason, "\r\n", "\n"))
		if len(v) > maxReasonLen {
			return "", "longer than " + strconv.Itoa(maxReasonLen) + " bytes"
		}
		// Lines are fine in a reason; every other control character is
		// not.
		for line := range strings.SplitSeq(v, "\n") {
			if _, reason := plainText(line, maxReasonLen); reason != "" {
				return "", reason
			}
		}
		return v, ""
	case "NewAddress":
		v := strings.TrimSpace(d.NewAddress)
		if v != "" && checkEmailAddress(v) != nil {
			return "", "not a bare email address"
		}
		return v, ""
	case "NewPhone":
		v := strings.TrimSpace(d.NewPhone)
		if len(v) > 16 || (v != "" && (v[0] != '+' || strings.Trim(v[1:], "0123456789*") != "")) {
			return "", "not a masked phone number"
		}
		return v, ""
	case "Link":
		return checkLink(strings.TrimSpace(d.Link))
	case "Code":
		return checkCode(strings.TrimSpace(d.Code))
	case "ExpiresIn":
		if d.ExpiresIn < 0 {
			return "", "negative"
		}
		if d.ExpiresIn == 0 {
			return "", ""
		}
		return formatDuration(d.ExpiresIn, loc), ""
	case "Time":
		return formatTime(d.Time, loc), ""
	case "Until":
		return formatTime(d.Until, loc), ""
	case "Factor":
		if d.Factor == 0 {
			return "", ""
		}
		if d.Factor >= factorEnd {
			return "", "unknown factor"
		}
		return factorNames[d.Factor][loc], ""
	}
	panic("notify: no Data field " + field)
}

// plainText trims s and accepts it when it is UTF-8 of at most max bytes
// without control characters, so that a field cannot add lines or
// invisible text to a message.
func plainText(s string, max int) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case !utf8.ValidString(s):
		return "", "not UTF-8"
	case len(s) > max:
		return "", "longer than " + strconv.Itoa(max) + " bytes"
	}
	for _, r := range s {
		if isControl(r) || r == '\t' {
			return "", "control character " + strconv.QuoteRune(r)
		}
	}
	return s, ""
}

// checkLink accepts an absolute http or https URL with a host, and
// nothing that would end it early in a text body: no spaces, quotes,
// angle brackets or control characters.
func checkLink(s string) (string, string) {
	if s == "" {
		return "", ""
	}
	if len(s) > maxLinkLen {
		return "", "longer than " + strconv.Itoa(maxLinkLen) + " bytes"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' {
			return "", "character " + strconv.QuoteRune(rune(c)) + " in a link (percent-encode it)"
		}
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", "not an absolute http or https URL"
	}
	return s, ""
}

// checkCode accepts 4 to 16 ASCII letters, digits and hyphens.
func checkCode(s string) (string, string) {
	if s == "" {
		return "", ""
	}
	if len(s) < 4 || len(s) > 16 {
		return "", "not 4 to 16 characters"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnumOr(c, "-") {
			return "", "character " + strconv.QuoteRune(rune(c)) + " in a code"
		}
	}
	return s, ""
}

// locale is a language masuk writes messages in.
type locale uint8

const (
	id locale = iota
	en
)

var localeTags = [...]string{id: "id", en: "en"}

// parseLocale maps "" and every Indonesian tag ("id", "id-ID", the old
// "in") to id and every English tag to en.
func parseLocale(s string) (locale, bool) {
	lang, _, _ := strings.Cut(strings.ToLower(s), "-")
	lang, _, _ = strings.Cut(lang, "_")
	switch lang {
	case "", "id", "in", "ind":
		return id, true
	case "en", "eng":
		return en, true
	}
	return 0, false
}

var months = [2][12]string{
	id: {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
	en: {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
}

// formatTime writes t as people write dates in loc: "2 Maret 2026 pukul
// 14.05 WIB" (PUEBI writes hours and minutes with a dot) or "2 March 2026
// at 14:05 WIB". The zero time is "".
func formatTime(t time.Time, loc locale) string {
	if t.IsZero() {
		return ""
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(t.Day()))
	b.WriteByte(' ')
	b.WriteString(months[loc][t.Month()-1])
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(t.Year()))
	if loc == id {
		b.WriteString(" pukul ")
		b.WriteString(t.Format("15.04"))
	} else {
		b.WriteString(" at ")
		b.WriteString(t.Format("15:04"))
	}
	b.WriteByte(' ')
	b.WriteString(zoneName(t))
	return b.String()
}

// zoneName returns t's zone abbreviation (WIB, WITA, WIT, UTC) or, for a
// zone without one, its offset as "UTC+7" or "UTC+5:30".
func zoneName(t time.Time) string {
	name, offset := t.Zone()
	if name != "" && name[0] != '+' && name[0] != '-' {
		return name
	}
	if offset == 0 {
		return "UTC"
	}
	sign := "+"
	if offset < 0 {
		sign, offset = "-", -offset
	}
	s := "UTC" + sign + strconv.Itoa(offset/3600)
	if m := offset % 3600 / 60; m != 0 {
		s += ":" + strconv.Itoa(m/10) + strconv.Itoa(m%10)
	}
	return s
}

// formatDuration writes d rounded down to the minute, in days when it is
// a whole number of them, else in hours and minutes: "15 menit", "1 jam
// 30 menit", "2 hari"; "1 minute", "1 hour 30 minutes", "2 days". Under a
// minute it is in seconds.
func formatDuration(d time.Duration, loc locale) string {
	unit := func(n int64, idName, enName string) string {
		s := strconv.FormatInt(n, 10) + " "
		if loc == id {
			return s + idName
		}
		if n == 1 {
			return s + enName
		}
		return s + enName + "s"
	}
	if d < time.Minute {
		return unit(max(int64(d/time.Second), 1), "detik", "second")
	}
	const day = 24 * time.Hour
	if d >= day && d%day == 0 {
		return unit(int64(d/day), "hari", "day")
	}
	h, m := int64(d/time.Hour), int64(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return unit(m, "menit", "minute")
	case m == 0:
		return unit(h, "jam", "hour")
	}
	return unit(h, "jam", "hour") + " " + unit(m, "menit", "minute")
}

package notify

import (
	"errors"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	wib  = time.FixedZone("WIB", 7*3600)
	wita = time.FixedZone("WITA", 8*3600)
)

// fullData sets every field of Data.
func fullData() Data {
	return Data{
		PortalName: "LPSE Kemenkeu",
		Username:   "Budi Santoso",
		Support:    "helpdesk@lpse.example.go.id",
		Link:       "https://lpse.example.go.id/atur-ulang?token=Zm9vYmFy&lang=id",
		Code:       "482913",
		ExpiresIn:  15 * time.Minute,
		Time:       time.Date(2026, 3, 2, 14, 5, 0, 0, wib),
		Until:      time.Date(2026, 3, 2, 14, 35, 0, 0, wib),
		ClientAddr: "203.0.113.7",
		Device:     "Chrome di Windows",
		Factor:     FactorAuthenticator,
		NewAddress: "budi.baru@example.go.id",
		NewPhone:   "+62812******90",
		Reason:     "Dokumen NIB tidak terbaca.\nNPWP tidak sesuai dengan akta.",
		Provider:   "INApas",
	}
}

// neededData sets only the fields p needs.
func neededData(p Purpose) Data {
	full := fullData()
	d := Data{PortalName: full.PortalName}
	src, dst := reflect.ValueOf(full), reflect.ValueOf(&d).Elem()
	for _, f := range purposes[p].needs {
		dst.FieldByName(f).Set(src.FieldByName(f))
	}
	return d
}

// shown is what a field of fullData looks like in a message.
var shown = map[string][2]string{
	"Link":       {fullData().Link, fullData().Link},
	"Code":       {"482913", "482913"},
	"ExpiresIn":  {"15 menit", "15 minutes"},
	"Time":       {"2 Maret 2026 pukul 14.05 WIB", "2 March 2026 at 14:05 WIB"},
	"Until":      {"2 Maret 2026 pukul 14.35 WIB", "2 March 2026 at 14:35 WIB"},
	"ClientAddr": {"203.0.113.7", "203.0.113.7"},
	"Device":     {"Chrome di Windows", "Chrome di Windows"},
	"Factor":     {"aplikasi autentikator", "authenticator app"},
	"NewAddress": {"budi.baru@example.go.id", "budi.baru@example.go.id"},
	"Reason":     {"Dokumen NIB tidak terbaca.\nNPWP tidak sesuai dengan akta.", "Dokumen NIB tidak terbaca.\nNPWP tidak sesuai dengan akta."},
	"Username":   {"Budi Santoso", "Budi Santoso"},
	"Support":    {"helpdesk@lpse.example.go.id", "helpdesk@lpse.example.go.id"},
}

// checkRendered holds for every message Render writes.
func checkRendered(t *testing.T, m Message) {
	t.Helper()
	assert.Equal(t, Email, m.Channel)
	assert.NotEmpty(t, m.Subject)
	assert.NotContains(t, m.Subject, "\n")
	for _, body := range []string{m.Subject, m.Text, m.HTML} {
		assert.NotContains(t, body, "<no value>")
		assert.NotContains(t, body, "{{")
		assert.NotContains(t, body, "ZgotmplZ") // html/template's mark of a refused value
		for line := range strings.Lines(body) {
			// An empty value between two spaces (after the indent)...
			assert.NotContains(t, strings.TrimLeft(line, " "), "  ")
		}
		assert.NotContains(t, body, " .") // ... or before a full stop
		assert.NotContains(t, body, " ,")
		assert.NotContains(t, body, "()")
	}
	for line := range strings.Lines(m.Text) {
		// A label with nothing after it ("Perangkat:") means a value
		// was empty.
		line = strings.TrimSpace(line)
		if strings.HasSuffix(line, ":") && !strings.HasPrefix(line, "Yth.") {
			next := strings.SplitAfter(m.Text, line)[1]
			assert.True(t, strings.HasPrefix(next, "\n\n"), "label without value: %q", line)
		}
	}
	assert.True(t, strings.HasPrefix(m.HTML, "<!DOCTYPE html>\n<html lang=\""+m.Locale+"\">"), m.HTML[:40])
	assert.True(t, strings.HasSuffix(m.Text, "\n"))
	assert.NotContains(t, m.Text, "\n\n\n")
	m.To = "budi@example.go.id"
	assert.NoError(t, m.Validate())
}

func TestRenderEveryPurpose(t *testing.T) {
	for _, p := range Purposes() {
		for loc, tag := range localeTags {
			t.Run(p.String()+"/"+tag, func(t *testing.T) {
				m, err := Render(p, tag, fullData())
				require.NoError(t, err)
				checkRendered(t, m)
				assert.Equal(t, p, m.Purpose)
				assert.Equal(t, tag, m.Locale)
				assert.Contains(t, m.Subject, "LPSE Kemenkeu")
				for _, f := range slices.Concat(purposes[p].needs, purposes[p].uses, commonUses) {
					want := shown[f][loc]
					assert.Contains(t, m.Text, want, f)
					if f != "Link" { // escaped as &amp; in HTML
						assert.Contains(t, m.HTML, strings.Split(want, "\n")[0], f)
					}
				}
				if slices.Contains(purposes[p].needs, "Code") {
					advice := []string{
						"Jangan berikan kode ini kepada siapa pun, termasuk petugas.",
						"Do not share this code with anyone, including our staff.",
					}[loc]
					assert.Contains(t, m.Text, advice)
					assert.Contains(t, m.HTML, advice)
					code, ok := ExtractCode(m)
					assert.True(t, ok)
					assert.Equal(t, "482913", code)
				}
				if slices.Contains(purposes[p].needs, "Link") || slices.Contains(purposes[p].uses, "Link") {
					link, ok := ExtractLink(m)
					assert.True(t, ok)
					assert.Equal(t, fullData().Link, link)
					assert.Contains(t, m.HTML, `href="https://lpse.example.go.id/atur-ulang?token=Zm9vYmFy&amp;lang=id"`)
				}
				assert.Contains(t, m.Text, []string{"Yth. Budi Santoso,", "Dear Budi Santoso,"}[loc])
			})
		}
	}
}

// Every purpose renders with only what it needs, and then shows no empty
// label, sentence or salutation.
func TestRenderNeededDataOnly(t *testing.T) {
	for _, p := range Purposes() {
		for loc, tag := range localeTags {
			t.Run(p.String()+"/"+tag, func(t *testing.T) {
				m, err := Render(p, tag, neededData(p))
				require.NoError(t, err)
				checkRendered(t, m)
				assert.Contains(t, m.Text, []string{"Yth. Pengguna LPSE Kemenkeu,", "Dear LPSE Kemenkeu user,"}[loc])
				for _, f := range append(purposes[p].uses, commonUses...) {
					if f == "Until" { // its absence is said, not omitted
						continue
					}
					assert.NotContains(t, m.Text, shown[f][loc], f)
				}
				if purposes[p].sms {
					s, err := RenderSMS(p, tag, neededData(p))
					require.NoError(t, err)
					assert.NotContains(t, s.Text, "<no value>")
				}
			})
		}
	}
}

func TestRenderMissingData(t *testing.T) {
	for _, p := range Purposes() {
		for _, field := range append([]string{"PortalName"}, purposes[p].needs...) {
			t.Run(p.String()+"/"+field, func(t *testing.T) {
				d := neededData(p)
				f := reflect.ValueOf(&d).Elem().FieldByName(field)
				f.SetZero()
				for _, render := range []func(Purpose, string, Data) (Message, error){Render, RenderSMS} {
					if reflect.ValueOf(render).Pointer() == reflect.ValueOf(RenderSMS).Pointer() && !purposes[p].sms {
						continue
					}
					_, err := render(p, "id", d)
					require.ErrorIs(t, err, ErrMissingData)
					var de *DataError
					require.ErrorAs(t, err, &de)
					assert.Equal(t, field, de.Field)
					assert.Equal(t, p, de.Purpose)
					assert.Equal(t, "notify: "+p.String()+": Data."+field+" is missing", err.Error())
				}
				// Blank is empty too.
				if f.Kind() == reflect.String {
					f.SetString(" \t ")
					_, err := Render(p, "en", d)
					assert.ErrorIs(t, err, ErrMissingData)
				}
			})
		}
	}
}

func TestRenderInvalidData(t *testing.T) {
	tests := []struct {
		name  string
		field string
		set   func(*Data)
	}{
		{"line break in username", "Username", func(d *Data) { d.Username = "Budi\nKlik https://evil.example" }},
		{"carriage return in device", "Device", func(d *Data) { d.Device = "Chrome\r\nBcc: x" }},
		{"NUL in portal name", "PortalName", func(d *Data) { d.PortalName = "LPSE\x00" }},
		{"tab in client address", "ClientAddr", func(d *Data) { d.ClientAddr = "1.2.3.4\t5" }},
		{"line separator in support", "Support", func(d *Data) { d.Support = "a\u2028b" }},
		{"invalid UTF-8", "Username", func(d *Data) { d.Username = "\xff" }},
		{"very long username", "Username", func(d *Data) { d.Username = strings.Repeat("a", 201) }},
		{"control character in reason", "Reason", func(d *Data) { d.Reason = "ok\nnot\x1bok" }},
		{"javascript link", "Link", func(d *Data) { d.Link = "javascript:alert(1)" }},
		{"relative link", "Link", func(d *Data) { d.Link = "/atur-ulang?token=x" }},
		{"ftp link", "Link", func(d *Data) { d.Link = "ftp://example.go.id/x" }},
		{"space in link", "Link", func(d *Data) { d.Link = "https://example.go.id/a b" }},
		{"quote in link", "Link", func(d *Data) { d.Link = `https://example.go.id/"><script>` }},
		{"credentials in link", "Link", func(d *Data) { d.Link = "https://user:pw@example.go.id/" }},
		{"non-ASCII link", "Link", func(d *Data) { d.Link = "https://contoh.go.id/ä" }},
		{"short code", "Code", func(d *Data) { d.Code = "123" }},
		{"long code", "Code", func(d *Data) { d.Code = "12345678901234567" }},
		{"space in code", "Code", func(d *Data) { d.Code = "123 456" }},
		{"non-ASCII digits in code", "Code", func(d *Data) { d.Code = "١٢٣٤٥٦" }},
		{"negative expiry", "ExpiresIn", func(d *Data) { d.ExpiresIn = -time.Minute }},
		{"unknown factor", "Factor", func(d *Data) { d.Factor = 99 }},
		{"new address with name", "NewAddress", func(d *Data) { d.NewAddress = "Budi <budi@example.go.id>" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Purpose
			for _, q := range Purposes() {
				if tt.field == "PortalName" || slices.Contains(purposes[q].needs, tt.field) ||
					slices.Contains(purposes[q].uses, tt.field) || slices.Contains(commonUses, tt.field) {
					p = q
					break
				}
			}
			require.NotZero(t, p)
			d := fullData()
			tt.set(&d)
			_, err := Render(p, "id", d)
			require.ErrorIs(t, err, ErrInvalidData)
			var de *DataError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tt.field, de.Field)
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	d := fullData()
	d.Username = `<script>alert("x")</script>`
	d.Device = `<img src=x onerror=alert(1)>`
	d.ClientAddr = `"><a href="https://evil.example">`
	d.Reason = `<b>bold</b> & <i>"quoted"</i>`
	d.Support = `<a href="https://evil.example">helpdesk</a>`
	for _, p := range Purposes() {
		m, err := Render(p, "en", d)
		require.NoError(t, err)
		for _, raw := range []string{"<script", "<img", `<a href="https://evil`, "<b>", "<i>"} {
			assert.NotContains(t, m.HTML, raw, p)
		}
		assert.Contains(t, m.HTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", p)
		// The text body shows them as they are: it is never read as HTML.
		assert.Contains(t, m.Text, d.Username, p)
	}
}

func TestRenderLocale(t *testing.T) {
	for _, tag := range []string{"", "id", "ID", "id-ID", "id_ID", "in"} {
		m, err := Render(ResetCode, tag, fullData())
		require.NoError(t, err, tag)
		assert.Equal(t, "id", m.Locale)
		assert.Contains(t, m.Text, "Yth.")
	}
	for _, tag := range []string{"en", "EN", "en-US", "en-GB", "en_AU"} {
		m, err := Render(ResetCode, tag, fullData())
		require.NoError(t, err, tag)
		assert.Equal(t, "en", m.Locale)
		assert.Contains(t, m.Text, "Dear")
	}
	for _, tag := range []string{"jv", "fr", "x", "ide", "en\n", " id"} {
		_, err := Render(ResetCode, tag, fullData())
		assert.ErrorIs(t, err, ErrUnsupportedLocale, tag)
		_, err = RenderSMS(ResetCode, tag, fullData())
		assert.ErrorIs(t, err, ErrUnsupportedLocale, tag)
	}
}

func TestRenderUnknownPurpose(t *testing.T) {
	for _, p := range []Purpose{0, purposeEnd, 255} {
		_, err := Render(p, "id", fullData())
		assert.ErrorIs(t, err, ErrUnknownPurpose)
		_, err = RenderSMS(p, "id", fullData())
		assert.ErrorIs(t, err, ErrUnknownPurpose)
		assert.Contains(t, p.String(), "purpose(")
	}
}

// gsm7 holds the GSM 03.38 basic character set; gsm7Ext the characters
// of its extension table, which take two septets each.
const (
	gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// septets returns the length of s in GSM-7 septets, and false when s
// holds a character GSM-7 lacks (the message would go as UCS-2, with 70
// characters to an SMS).
func septets(s string) (int, bool) {
	n := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsm7, r):
			n++
		case strings.ContainsRune(gsm7Ext, r):
			n += 2
		default:
			return n, false
		}
	}
	return n, true
}

// An SMS fits in one GSM-7 message for a portal name of 20 characters,
// the longest month, a two-digit day, the longest factor name and an
// expiry of hours and minutes.
func TestRenderSMSLength(t *testing.T) {
	worst := fullData()
	worst.PortalName = "Portal Mitra ATR BPN" // 20 characters
	worst.Code = "12345678"
	worst.ExpiresIn = 1*time.Hour + 30*time.Minute
	worst.Time = time.Date(2026, 9, 30, 23, 59, 0, 0, wita)
	worst.Until = worst.Time.Add(23 * time.Hour)
	for _, p := range Purposes() {
		for _, tag := range localeTags {
			for _, f := range []Factor{FactorAuthenticator, FactorEmailCode, FactorSMSCode, FactorRecoveryCodes} {
				d := worst
				d.Factor = f
				m, err := RenderSMS(p, tag, d)
				if !purposes[p].sms {
					require.ErrorIs(t, err, ErrUnsupportedChannel)
					continue
				}
				require.NoError(t, err)
				n, ok := septets(m.Text)
				assert.True(t, ok, "not GSM-7: %q", m.Text)
				assert.LessOrEqual(t, n, 160, "%v %s: %q", p, tag, m.Text)
				assert.Equal(t, SMS, m.Channel)
				assert.Equal(t, p, m.Purpose)
				assert.Empty(t, m.Subject)
				assert.Empty(t, m.HTML)
				assert.NotContains(t, m.Text, "\n")
				m.To = "+6281234567890"
				assert.NoError(t, m.Validate())
				if slices.Contains(purposes[p].needs, "Code") {
					assert.True(t, strings.HasPrefix(m.Text, "12345678 "), m.Text)
					code, ok := ExtractCode(m)
					assert.True(t, ok)
					assert.Equal(t, "12345678", code)
					assert.Contains(t, m.Text, []string{"Jangan berikan kode ini kepada siapa pun, termasuk petugas.", "Do not share this code with anyone, including our staff."}[localeIndex(tag)])
				} else {
					assert.True(t, strings.HasPrefix(m.Text, "Portal Mitra ATR BPN: "), m.Text)
				}
				assert.NotContains(t, m.Text, "http", "no links by SMS")
			}
		}
	}
}

func localeIndex(tag string) int {
	loc, _ := parseLocale(tag)
	return int(loc)
}

func TestRenderSMSTexts(t *testing.T) {
	d := fullData()
	tests := []struct {
		p    Purpose
		tag  string
		want string
	}{
		{SecondFactorCode, "id", "482913 adalah kode verifikasi masuk LPSE Kemenkeu Anda. Berlaku 15 menit. Jangan berikan kode ini kepada siapa pun, termasuk petugas."},
		{SecondFactorCode, "en", "482913 is your LPSE Kemenkeu login code. Valid for 15 minutes. Do not share this code with anyone, including our staff."},
		{AccountLocked, "id", "LPSE Kemenkeu: akun Anda dikunci karena terlalu banyak percobaan masuk yang gagal, hingga 2 Maret 2026 pukul 14.35 WIB."},
		{NewDevice, "en", "LPSE Kemenkeu: your account was used from a new device on 2 March 2026 at 14:05 WIB. If this was not you, change your password now."},
	}
	for _, tt := range tests {
		m, err := RenderSMS(tt.p, tt.tag, d)
		require.NoError(t, err)
		assert.Equal(t, tt.want, m.Text)
	}
	// Without Until, the lock lasts until an operator ends it.
	d.Until = time.Time{}
	m, err := RenderSMS(AccountLocked, "id", d)
	require.NoError(t, err)
	assert.Equal(t, "LPSE Kemenkeu: akun Anda dikunci karena terlalu banyak percobaan masuk yang gagal. Hubungi petugas untuk membukanya.", m.Text)
}

// No message carries a password: Data has nowhere to put one.
func TestDataHasNoPassword(t *testing.T) {
	typ := reflect.TypeFor[Data]()
	for i := range typ.NumField() {
		name := strings.ToLower(typ.Field(i).Name)
		assert.NotContains(t, name, "password")
		assert.NotContains(t, name, "secret")
	}
}

func TestRenderDeviceCutShort(t *testing.T) {
	d := fullData()
	d.Device = strings.Repeat("Mozilla/5.0 ", 30)
	m, err := Render(NewDevice, "id", d)
	require.NoError(t, err)
	want := strings.TrimSpace(d.Device)[:97] + "..."
	assert.Contains(t, m.Text, "Perangkat: "+want+"\n")
}

func TestRenderReasonLines(t *testing.T) {
	d := fullData()
	d.Reason = "Dokumen NIB tidak terbaca.\r\nNPWP tidak sesuai dengan akta."
	m, err := Render(RegistrationRejected, "id", d)
	require.NoError(t, err)
	assert.Contains(t, m.Text, "\n\nDokumen NIB tidak terbaca.\nNPWP tidak sesuai dengan akta.\n\n")
	assert.Contains(t, m.HTML, "white-space:pre-line;\">Dokumen NIB tidak terbaca.\nNPWP tidak sesuai dengan akta.</p>")
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d      time.Duration
		id, en string
	}{
		{30 * time.Second, "30 detik", "30 seconds"},
		{time.Second, "1 detik", "1 second"},
		{time.Millisecond, "1 detik", "1 second"},
		{time.Minute, "1 menit", "1 minute"},
		{5 * time.Minute, "5 menit", "5 minutes"},
		{5*time.Minute + 59*time.Second, "5 menit", "5 minutes"},
		{15 * time.Minute, "15 menit", "15 minutes"},
		{time.Hour, "1 jam", "1 hour"},
		{90 * time.Minute, "1 jam 30 menit", "1 hour 30 minutes"},
		{61 * time.Minute, "1 jam 1 menit", "1 hour 1 minute"},
		{24 * time.Hour, "1 hari", "1 day"},
		{30 * 24 * time.Hour, "30 hari", "30 days"},
		{25 * time.Hour, "25 jam", "25 hours"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.id, formatDuration(tt.d, id), tt.d)
		assert.Equal(t, tt.en, formatDuration(tt.d, en), tt.d)
	}
}

func TestFormatTime(t *testing.T) {
	tests := []struct {
		t      time.Time
		id, en string
	}{
		{time.Date(2026, 3, 2, 14, 5, 0, 0, wib), "2 Maret 2026 pukul 14.05 WIB", "2 March 2026 at 14:05 WIB"},
		{time.Date(2026, 12, 31, 0, 0, 59, 0, wita), "31 Desember 2026 pukul 00.00 WITA", "31 December 2026 at 00:00 WITA"},
		{time.Date(2026, 8, 17, 10, 0, 0, 0, time.FixedZone("WIT", 9*3600)), "17 Agustus 2026 pukul 10.00 WIT", "17 August 2026 at 10:00 WIT"},
		{time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC), "1 Januari 2026 pukul 09.30 UTC", "1 January 2026 at 09:30 UTC"},
		{time.Date(2026, 5, 1, 9, 30, 0, 0, time.FixedZone("", 7*3600)), "1 Mei 2026 pukul 09.30 UTC+7", "1 May 2026 at 09:30 UTC+7"},
		{time.Date(2026, 5, 1, 9, 30, 0, 0, time.FixedZone("+0530", 19800)), "1 Mei 2026 pukul 09.30 UTC+5:30", "1 May 2026 at 09:30 UTC+5:30"},
		{time.Date(2026, 5, 1, 9, 30, 0, 0, time.FixedZone("", -3*3600)), "1 Mei 2026 pukul 09.30 UTC-3", "1 May 2026 at 09:30 UTC-3"},
		{time.Time{}, "", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.id, formatTime(tt.t, id))
		assert.Equal(t, tt.en, formatTime(tt.t, en))
	}
}

func TestFactorString(t *testing.T) {
	assert.Equal(t, "authenticator app", FactorAuthenticator.String())
	assert.Equal(t, "recovery codes", FactorRecoveryCodes.String())
	assert.Equal(t, "factor(0)", Factor(0).String())
	assert.Equal(t, "reset_link", ResetLink.String())
	assert.Equal(t, "account_exists", AccountExists.String())
	assert.Len(t, Purposes(), int(purposeEnd-1))
}

// Every template file is one Render reads, and every purpose has its
// file in every locale.
func TestTemplateFiles(t *testing.T) {
	want := []string{"templates/layout.html"}
	for _, tag := range localeTags {
		want = append(want, "templates/"+tag+"/common.tmpl")
		for _, p := range Purposes() {
			want = append(want, "templates/"+tag+"/"+p.String()+".tmpl")
		}
	}
	var got []string
	require.NoError(t, fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, path)
		}
		return err
	}))
	assert.ElementsMatch(t, want, got)
	_, err := defaultTemplates()
	require.NoError(t, err)
}

func TestDataErrorMessage(t *testing.T) {
	d := fullData()
	d.Link = "ftp://x"
	_, err := Render(ResetLink, "id", d)
	assert.Equal(t, "notify: reset_link: Data.Link: not an absolute http or https URL", err.Error())
	assert.True(t, errors.Is(err, ErrInvalidData))
	assert.False(t, errors.Is(err, ErrMissingData))
}

package notify

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ownFile returns masuk's own template file name.
func ownFile(t *testing.T, name string) string {
	t.Helper()
	b, err := templateFS.ReadFile("templates/" + name)
	require.NoError(t, err)
	return string(b)
}

// An Indonesian reset code in the portal's own words.
const ownResetCode = `{{define "subject"}}Kode reset {{.PortalName}}{{end}}
{{define "text"}}{{template "salutation" .}}

Kode reset Anda: {{.Code}} (berlaku {{.ExpiresIn}}).
{{template "footer" .}}{{end}}
{{define "sms"}}{{.PortalName}}: kode reset {{.Code}}, berlaku {{.ExpiresIn}}.{{end}}
{{define "html"}}{{template "html_salutation" .}}<p>Kode reset Anda:</p>{{template "html_code" .}}{{end}}
`

func TestTemplatesOverride(t *testing.T) {
	tm, err := NewTemplates(fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(ownResetCode)}})
	require.NoError(t, err)

	m, err := tm.Render(ResetCode, "id", fullData())
	require.NoError(t, err)
	checkRendered(t, m)
	assert.Equal(t, "Kode reset LPSE Kemenkeu", m.Subject)
	assert.Contains(t, m.Text, "Kode reset Anda: 482913 (berlaku 15 menit).")
	assert.Contains(t, m.Text, "Yth. Budi Santoso,") // masuk's common.tmpl
	assert.Contains(t, m.HTML, "<p>Kode reset Anda:</p>")
	assert.Contains(t, m.HTML, "482913")
	sms, err := tm.RenderSMS(ResetCode, "id", fullData())
	require.NoError(t, err)
	assert.Equal(t, "LPSE Kemenkeu: kode reset 482913, berlaku 15 menit.", sms.Text)
	wa, err := tm.RenderWhatsApp(ResetCode, "id-ID", fullData())
	require.NoError(t, err)
	assert.Equal(t, sms.Text, wa.Text)
	assert.Equal(t, "482913", wa.Code)

	// Everything else is masuk's.
	for _, p := range Purposes() {
		for _, tag := range localeTags {
			if p == ResetCode && tag == "id" {
				continue
			}
			want, err := Render(p, tag, fullData())
			require.NoError(t, err)
			got, err := tm.Render(p, tag, fullData())
			require.NoError(t, err)
			assert.Equal(t, want, got, "%v/%s", p, tag)
		}
	}
	// The package's functions keep masuk's wording.
	m, err = Render(ResetCode, "id", fullData())
	require.NoError(t, err)
	assert.Equal(t, "Kode atur ulang kata sandi LPSE Kemenkeu", m.Subject)
}

// A nil or zero *Templates is masuk's own.
func TestTemplatesNil(t *testing.T) {
	want, err := Render(NewDevice, "en", fullData())
	require.NoError(t, err)
	for _, tm := range []*Templates{nil, {}} {
		got, err := tm.Render(NewDevice, "en", fullData())
		require.NoError(t, err)
		assert.Equal(t, want, got)
		_, err = tm.Render(NewDevice, "fr", fullData())
		assert.ErrorIs(t, err, ErrUnsupportedLocale)
		_, err = tm.RenderSMS(ResetLink, "id", fullData())
		assert.ErrorIs(t, err, ErrUnsupportedChannel)
		_, err = tm.RenderWhatsApp(NewDevice, "id", fullData())
		assert.ErrorIs(t, err, ErrUnsupportedChannel)
	}
}

// Overriding the shared pieces changes every message of the locale; a
// purpose's file may redefine a shared piece for itself alone.
func TestTemplatesCommon(t *testing.T) {
	common := strings.Replace(ownFile(t, "en/common.tmpl"), "Kind regards,", "Warm regards,", 1)
	tm, err := NewTemplates(fstest.MapFS{
		"en/common.tmpl":     {Data: []byte(common)},
		"en/new_device.tmpl": {Data: []byte(ownFile(t, "en/new_device.tmpl") + `{{define "footer"}}-- {{.PortalName}}{{end}}`)},
		".DS_Store":          {Data: []byte{0}},
		".git/config":        {Data: []byte("x")},
		"id/.reset_code.swp": {Data: []byte{0}},
		"layout.html":        {Data: []byte(ownFile(t, "layout.html"))},
	})
	require.NoError(t, err)
	m, err := tm.Render(PasswordChanged, "en", fullData())
	require.NoError(t, err)
	assert.Contains(t, m.Text, "Warm regards,")
	m, err = tm.Render(NewDevice, "en", fullData())
	require.NoError(t, err)
	assert.NotContains(t, m.Text, "regards,")
	assert.True(t, strings.HasSuffix(m.Text, "-- LPSE Kemenkeu\n"), m.Text)
	m, err = tm.Render(PasswordChanged, "id", fullData())
	require.NoError(t, err)
	assert.Contains(t, m.Text, "Hormat kami,")
}

func TestNewTemplatesRefuses(t *testing.T) {
	own := ownFile(t, "id/reset_code.tmpl")
	for _, tt := range []struct {
		name  string
		files fstest.MapFS
		want  string
	}{
		{
			"syntax error",
			fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(strings.Replace(own, "{{.Code}}", "{{.Code}", 1))}},
			"notify: invalid configuration: id/reset_code.tmpl: template: reset_code.tmpl:",
		},
		{
			"no subject",
			fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(strings.Replace(own, `{{define "subject"}}Kode atur ulang kata sandi {{.PortalName}}{{end}}`, "", 1))}},
			`notify: invalid configuration: id/reset_code.tmpl: defines no "subject"`,
		},
		{
			"no sms",
			fstest.MapFS{"en/second_factor_code.tmpl": {Data: []byte(`{{define "subject"}}Code{{end}}{{define "text"}}{{.Code}}{{end}}{{define "html"}}{{.Code}}{{end}}`)}},
			`notify: invalid configuration: en/second_factor_code.tmpl: defines no "sms"`,
		},
		{
			"sms for a link",
			fstest.MapFS{"en/reset_link.tmpl": {Data: []byte(ownFile(t, "en/reset_link.tmpl") + `{{define "sms"}}{{.Link}}{{end}}`)}},
			`notify: invalid configuration: en/reset_link.tmpl: defines "sms", but reset_link is not sent by SMS`,
		},
		{
			"a field the purpose is not given",
			fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(strings.Replace(own, "{{.Code}}", "{{.Link}}", 1))}},
			`notify: invalid configuration: id/reset_code.tmpl: template: reset_code.tmpl:`,
		},
		{
			"a field Data does not have",
			fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(strings.Replace(own, "{{.Code}}", "{{.Kode}}", 1))}},
			`map has no entry for key "Kode"`,
		},
		{
			"an optional field's branch",
			fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(strings.Replace(own, "{{if .ClientAddr}}", "{{if not .ClientAddr}}{{template \"nothing\"}}{{end}}{{if .ClientAddr}}", 1))}},
			`notify: invalid configuration: id/reset_code.tmpl: template: reset_code.tmpl:`,
		},
		{
			"an empty subject",
			fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(strings.Replace(own, "Kode atur ulang kata sandi {{.PortalName}}", " ", 1))}},
			`notify: invalid configuration: id/reset_code.tmpl: "subject" writes nothing`,
		},
		{
			"an empty sms",
			fstest.MapFS{"en/factor_added.tmpl": {Data: []byte(strings.Replace(ownFile(t, "en/factor_added.tmpl"), `{{define "sms"}}`, `{{define "sms"}}{{" "}}{{end}}{{define "unused"}}`, 1))}},
			`notify: invalid configuration: en/factor_added.tmpl: "sms" writes nothing`,
		},
		{
			"a line break in the subject",
			fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(strings.Replace(own, "Kode atur ulang", "Kode\x00atur ulang", 1))}},
			`notify: invalid configuration: id/reset_code.tmpl: invalid message`,
		},
		{
			"a shared piece taken away",
			fstest.MapFS{"en/common.tmpl": {Data: []byte(strings.Replace(ownFile(t, "en/common.tmpl"), `{{define "salutation"}}`, `{{define "greeting"}}`, 1))}},
			`notify: invalid configuration: en/reset_link.tmpl (with en/common.tmpl): template: reset_link.tmpl:4:11: executing "text" at <{{template "salutation" .}}>: template "salutation" not defined`,
		},
		{
			"a broken layout",
			fstest.MapFS{"layout.html": {Data: []byte(`{{define "layout"}}<p>{{template "html" .}}{{end}`)}},
			`notify: invalid configuration: layout.html: template: layout.html:1:`,
		},
		{
			"a layout without one",
			fstest.MapFS{"layout.html": {Data: []byte(`{{define "frame"}}{{template "html" .}}{{end}}`)}},
			`notify: invalid configuration: id/reset_link.tmpl (with layout.html): layout.html defines no "layout"`,
		},
		{
			"a misspelled purpose",
			fstest.MapFS{"id/reset_codes.tmpl": {Data: []byte(own)}},
			`notify: invalid configuration: templates: id/reset_codes.tmpl is not a file masuk reads`,
		},
		{
			"a file outside a locale",
			fstest.MapFS{"reset_code.tmpl": {Data: []byte(own)}},
			`notify: invalid configuration: templates: reset_code.tmpl is not a file masuk reads`,
		},
		{
			"an unknown locale",
			fstest.MapFS{"id-ID/reset_code.tmpl": {Data: []byte(own)}},
			`notify: invalid configuration: templates: id-ID/ is not a locale`,
		},
		{
			"another extension",
			fstest.MapFS{"id/reset_code.html": {Data: []byte(own)}},
			`notify: invalid configuration: templates: id/reset_code.html is not a file masuk reads`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := NewTemplates(tt.files)
			require.Error(t, err)
			assert.Nil(t, tm)
			assert.ErrorIs(t, err, ErrConfig)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "notify: notify:")
			assert.NotContains(t, err.Error(), ": notify: ")
		})
	}
}

func TestNewTemplatesNilAndBrokenFS(t *testing.T) {
	_, err := NewTemplates(nil)
	assert.ErrorIs(t, err, ErrConfig)
	_, err = NewTemplates(brokenFS{})
	assert.ErrorIs(t, err, ErrConfig)
	assert.ErrorContains(t, err, "disk on fire")
}

type brokenFS struct{}

func (brokenFS) Open(string) (fs.File, error) { return nil, errors.New("disk on fire") }

// masuk's own files, given back, are masuk's templates.
func TestNewTemplatesOwnFiles(t *testing.T) {
	own, err := fs.Sub(templateFS, "templates")
	require.NoError(t, err)
	tm, err := NewTemplates(own)
	require.NoError(t, err)
	for _, p := range Purposes() {
		want, err := Render(p, "id", fullData())
		require.NoError(t, err)
		got, err := tm.Render(p, "id", fullData())
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

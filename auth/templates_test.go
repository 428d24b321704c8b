package auth_test

import (
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/notify"
)

// The portal's own wording for a reset code, by email and SMS.
const portalResetCode = `{{define "subject"}}Kode reset {{.PortalName}}{{end}}
{{define "text"}}{{template "salutation" .}}

Kode reset dari portal, berlaku {{.ExpiresIn}}:

{{.Code}}
{{template "footer" .}}{{end}}
{{define "sms"}}{{.Code}} kode reset dari portal {{.PortalName}}.{{end}}
{{define "html"}}{{template "html_salutation" .}}<p>Kode reset dari portal:</p>{{template "html_code" .}}{{end}}
`

// TestConfigTemplates: an Authenticator with Config.Templates writes
// every message with them, by email and by SMS; what they leave out is
// masuk's.
func TestConfigTemplates(t *testing.T) {
	tm, err := notify.NewTemplates(fstest.MapFS{"id/reset_code.tmpl": {Data: []byte(portalResetCode)}})
	require.NoError(t, err)
	k := authtest.New(t, auth.Config{
		Templates: tm,
		Realm: auth.Realm{
			Messages: auth.Messages{PortalName: "MySAPK"},
			Reset:    auth.ResetPolicy{Delivery: auth.ByCode, Phone: []auth.Method{auth.MethodSMS}},
		},
	})
	ctx := t.Context()
	_, err = k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "sapk", Username: "budi", Email: "budi@example.id", Phone: "+6281234567890", Password: goodPassword})
	require.NoError(t, err)

	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "sapk", Identifier: "budi"})
	require.NoError(t, err)
	m := k.LastMessage(t, "budi@example.id")
	assert.Equal(t, "Kode reset MySAPK", m.Subject)
	assert.Contains(t, m.Text, "Kode reset dari portal, berlaku 15 menit:\n\n"+k.LastCode(t, "budi@example.id")+"\n")
	assert.Contains(t, m.HTML, "<p>Kode reset dari portal:</p>")

	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "sapk", Identifier: "budi", Phone: "0812-3456-7890"})
	require.NoError(t, err)
	m = k.LastMessage(t, "+6281234567890")
	assert.Equal(t, notify.SMS, m.Channel)
	assert.Equal(t, k.LastCode(t, "+6281234567890")+" kode reset dari portal MySAPK.", m.Text)

	// In English, and for every other purpose, masuk's own.
	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "sapk", Identifier: "budi", Request: auth.Request{Locale: "en"}})
	require.NoError(t, err)
	m = k.LastMessage(t, "budi@example.id")
	want, err := notify.Render(notify.ResetCode, "en", notify.Data{PortalName: "MySAPK", Username: "budi", Code: k.LastCode(t, "budi@example.id"), ExpiresIn: 15 * time.Minute})
	require.NoError(t, err)
	assert.Equal(t, want.Subject, m.Subject)
	assert.Equal(t, want.Text, m.Text)
}

// TestConfigTemplatesNil: a nil *notify.Templates is masuk's own, not a
// typed nil New refuses.
func TestConfigTemplatesNil(t *testing.T) {
	var tm *notify.Templates
	k := authtest.New(t, auth.Config{Templates: tm, Realm: auth.Realm{Reset: auth.ResetPolicy{Delivery: auth.ByCode}}})
	ctx := t.Context()
	_, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "sapk", Username: "budi", Email: "budi@example.id", Password: goodPassword})
	require.NoError(t, err)
	_, err = k.Auth.Accounts().RequestReset(ctx, auth.ResetRequest{Realm: "sapk", Identifier: "budi"})
	require.NoError(t, err)
	assert.Equal(t, "Kode atur ulang kata sandi Portal Uji", k.LastMessage(t, "budi@example.id").Subject)
}

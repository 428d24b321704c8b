package notify

import (
	"embed"
	"io"
	"strings"
)

// templateFS holds the message templates: templates/layout.html, the
// HTML frame of every email, and for each locale a common.tmpl and one
// <purpose>.tmpl per purpose defining "subject", "text", "html" and,
// for purposes also sent as SMS, "sms". [NewTemplates] reads a host's
// files in the same layout.
//
//go:embed templates
var templateFS embed.FS

// purposeSpec says what a purpose's templates are given.
type purposeSpec struct {
	name string
	// needs are the Data fields that must be set.
	needs []string
	// uses are the Data fields the templates show when set.
	uses []string
	// sms says whether the purpose is also sent as SMS.
	sms bool
}

// commonUses are the fields every email may show.
var commonUses = []string{"Username", "Support"}

var purposes = [purposeEnd]purposeSpec{
	ResetLink:            {name: "reset_link", needs: []string{"Link", "ExpiresIn"}, uses: []string{"ClientAddr"}},
	ResetCode:            {name: "reset_code", needs: []string{"Code", "ExpiresIn"}, uses: []string{"ClientAddr"}, sms: true},
	ActivationLink:       {name: "activation_link", needs: []string{"Link", "ExpiresIn"}},
	ActivationCode:       {name: "activation_code", needs: []string{"Code", "ExpiresIn"}, sms: true},
	SecondFactorCode:     {name: "second_factor_code", needs: []string{"Code", "ExpiresIn"}, sms: true},
	NewDevice:            {name: "new_device", needs: []string{"Time"}, uses: []string{"ClientAddr", "Device", "Link"}, sms: true},
	AccountLocked:        {name: "account_locked", uses: []string{"Until", "Link"}, sms: true},
	PasswordChanged:      {name: "password_changed", needs: []string{"Time"}, uses: []string{"ClientAddr", "Device"}, sms: true},
	FactorAdded:          {name: "factor_added", needs: []string{"Factor", "Time"}, sms: true},
	FactorRemoved:        {name: "factor_removed", needs: []string{"Factor", "Time"}, sms: true},
	RecoveryCodeUsed:     {name: "recovery_code_used", needs: []string{"Time"}, uses: []string{"ClientAddr", "Device"}, sms: true},
	EmailChangeConfirm:   {name: "email_change_confirm", needs: []string{"Link", "ExpiresIn"}},
	EmailChangeNotice:    {name: "email_change_notice", needs: []string{"NewAddress", "Time"}},
	RegistrationApproved: {name: "registration_approved", uses: []string{"Link"}},
	RegistrationRejected: {name: "registration_rejected", needs: []string{"Reason"}},
	AccountExists:        {name: "account_exists", uses: []string{"Link"}},
	ResetRequired:        {name: "reset_required", needs: []string{"Time"}, uses: []string{"Link"}},
	PhoneChangeCode:      {name: "phone_change_code", needs: []string{"Code", "ExpiresIn"}, sms: true},
	PhoneChanged:         {name: "phone_changed", needs: []string{"NewPhone", "Time"}, sms: true},
	IdentityLinked:       {name: "identity_linked", needs: []string{"Provider", "Time"}, sms: true},
	IdentityUnlinked:     {name: "identity_unlinked", needs: []string{"Provider", "Time"}, sms: true},
	PasswordSet:          {name: "password_set", needs: []string{"Time"}, uses: []string{"ClientAddr", "Device"}, sms: true},
}

// Render writes the email for purpose p in the given locale from d: it
// returns a Message with Channel Email and Purpose, Locale, Subject, Text
// and HTML set; the caller sets To and sends it. Every field p needs must
// be set, or Render returns a [*DataError] that wraps [ErrMissingData];
// a field that holds a control character, or a Link that is not an http
// or https URL, gives one that wraps [ErrInvalidData].
//
// The locale is "id" (Indonesian, also for "") or "en"; regional tags
// such as "id-ID" or "en-GB" are accepted; any other gives
// [ErrUnsupportedLocale]. An unknown purpose gives [ErrUnknownPurpose].
//
// Text and HTML say the same: the text body for readers that show only
// text, and for every reader's search and preview. User-supplied fields
// are escaped in the HTML body.
func Render(p Purpose, locale string, d Data) (Message, error) {
	return (*Templates)(nil).Render(p, locale, d)
}

// RenderSMS writes the SMS for purpose p: a Message with Channel SMS and
// only Text set, one line, at most 160 GSM-7 characters for a portal name
// of up to 20 characters and times in WIB. Codes, alerts and notices have
// an SMS; links do not, since Indonesians are rightly taught never to open
// a link from an SMS, and RenderSMS of ResetLink, ActivationLink,
// EmailChangeConfirm, EmailChangeNotice, RegistrationApproved,
// RegistrationRejected, AccountExists or ResetRequired returns
// [ErrUnsupportedChannel].
// Otherwise it works and fails like [Render].
func RenderSMS(p Purpose, locale string, d Data) (Message, error) {
	return (*Templates)(nil).RenderSMS(p, locale, d)
}

// RenderWhatsApp writes the WhatsApp message for purpose p, which must
// carry a code (ResetCode, ActivationCode, SecondFactorCode,
// PhoneChangeCode): WhatsApp
// sends one-time codes in authentication templates, and nothing else
// without a conversation the person started. The Message has Channel
// WhatsApp, Code set to d.Code, and the Text of p's SMS. Other purposes
// give [ErrUnsupportedChannel].
func RenderWhatsApp(p Purpose, locale string, d Data) (Message, error) {
	return (*Templates)(nil).RenderWhatsApp(p, locale, d)
}

// values checks d for purpose p in loc and returns what the templates
// are given: the fields p needs or uses, and Lang. A field the templates
// are not given cannot be printed by mistake: the templates run with
// missingkey=error.
func values(p Purpose, loc locale, d *Data) (map[string]string, error) {
	spec := &purposes[p]
	values := map[string]string{"Lang": localeTags[loc]}
	set := func(field string, needed bool) error {
		v, reason := d.value(field, loc)
		if reason != "" {
			return &DataError{Purpose: p, Field: field, Err: ErrInvalidData, reason: reason}
		}
		if v == "" && needed {
			return &DataError{Purpose: p, Field: field, Err: ErrMissingData}
		}
		values[field] = v
		return nil
	}
	if err := set("PortalName", true); err != nil {
		return nil, err
	}
	for _, f := range spec.needs {
		if err := set(f, true); err != nil {
			return nil, err
		}
	}
	for _, fields := range [][]string{spec.uses, commonUses} {
		for _, f := range fields {
			if err := set(f, false); err != nil {
				return nil, err
			}
		}
	}
	return values, nil
}

// execute runs the named template. Its error is a bug in a template,
// which the tests and NewTemplates rule out; it names the file and line.
func execute(t interface {
	ExecuteTemplate(io.Writer, string, any) error
}, name string, values map[string]string) (string, error) {
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, name, values); err != nil {
		return "", err
	}
	return b.String(), nil
}

// tidy trims trailing spaces from each line, drops leading and trailing
// blank lines, keeps at most one blank line in a row, and ends the text
// with a newline, so that templates can be laid out for reading.
func tidy(s string) string {
	var b strings.Builder
	blank := false
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			blank = b.Len() > 0
			continue
		}
		if blank {
			b.WriteByte('\n')
			blank = false
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

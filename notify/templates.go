package notify

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
)

// Templates are the templates messages are written with: masuk's own, or
// a host's wording in place of some of them. [NewTemplates] builds them
// from a host's files; a nil *Templates is masuk's own, the ones [Render],
// [RenderSMS] and [RenderWhatsApp] use. They are safe for concurrent use.
type Templates struct {
	all *[purposeEnd][len(localeTags)]*compiled
}

// compiled are one purpose's templates in one locale.
type compiled struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// NewTemplates returns masuk's templates with the files of fsys in place
// of masuk's own. fsys is laid out as masuk's templates are: layout.html,
// the HTML frame of every email; for each locale, id/common.tmpl and
// en/common.tmpl, the pieces every message of the locale shares
// ("salutation", "footer", "contact", "html_salutation", "html_link",
// "html_code", "html_footer"); and one {locale}/{purpose}.tmpl per
// purpose and locale, such as id/reset_code.tmpl, defining "subject",
// "text", "html" and, for purposes also sent as SMS, "sms". Each file
// fsys leaves out is masuk's; copy masuk's file (templates/ in the
// source) and change it rather than start from nothing. Names starting
// with a dot are skipped.
//
// NewTemplates checks every purpose in every locale, as it would be
// written: every file parses, defines the templates its purpose needs and
// no "sms" for a purpose without one, and writes a message that
// [Message.Validate] accepts, with a subject, a text and (where there is
// one) an SMS, from sample data with every field the purpose needs or
// uses set and again with only those it needs. The templates are given
// only those fields, so a template that shows another (a Link in an
// email that has none) is refused here rather than when a person waits
// for the message. Any other file in fsys, such as a misspelled name,
// is refused too: an override that is never read must not go unnoticed.
// Every error wraps [ErrConfig] and names the file.
//
// The templates are executed as masuk's are, text with text/template and
// HTML with html/template, with missingkey=error. masuk's promises about
// its wording (one SMS of 160 characters, the advice never to give a code
// away) are the host's to keep in its own.
func NewTemplates(fsys fs.FS) (*Templates, error) {
	if fsys == nil {
		return nil, fmt.Errorf("%w: templates: nil fs.FS", ErrConfig)
	}
	files := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir() && (name == "." || slices.Contains(localeTags[:], name)):
			return nil
		case d.IsDir():
			return fmt.Errorf("%w: templates: %s/ is not a locale (want %s)", ErrConfig, name, strings.Join(localeTags[:], ", "))
		case !templateName(name):
			return fmt.Errorf("%w: templates: %s is not a file masuk reads (want layout.html, {locale}/common.tmpl or {locale}/{purpose}.tmpl)", ErrConfig, name)
		}
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		files[name] = string(b)
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrConfig) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: templates: %v", ErrConfig, err)
	}
	return buildTemplates(files)
}

// templateName reports whether name is the name of a template file.
func templateName(name string) bool {
	if name == "layout.html" {
		return true
	}
	dir, file := path.Split(name)
	if !slices.Contains(localeTags[:], strings.TrimSuffix(dir, "/")) {
		return false
	}
	if file == "common.tmpl" {
		return true
	}
	for p := Purpose(1); p < purposeEnd; p++ {
		if file == purposes[p].name+".tmpl" {
			return true
		}
	}
	return false
}

// defaultTemplates are masuk's own, parsed and checked once, on first
// use.
var defaultTemplates = sync.OnceValues(func() (*Templates, error) {
	return buildTemplates(nil)
})

// buildTemplates parses and checks every purpose's templates in every
// locale, taking each file from host when it is there and from masuk's
// own otherwise.
func buildTemplates(host map[string]string) (*Templates, error) {
	read := func(name string) (string, error) {
		if s, ok := host[name]; ok {
			return s, nil
		}
		b, err := templateFS.ReadFile("templates/" + name)
		return string(b), err
	}
	all := new([purposeEnd][len(localeTags)]*compiled)
	for p := Purpose(1); p < purposeEnd; p++ {
		for loc, tag := range localeTags {
			file := tag + "/" + purposes[p].name + ".tmpl"
			names := []string{tag + "/common.tmpl", file, "layout.html"}
			text := texttemplate.New(purposes[p].name).Option("missingkey=error")
			html := htmltemplate.New(purposes[p].name).Option("missingkey=error")
			for i, name := range names {
				src, err := read(name)
				if err != nil {
					return nil, fmt.Errorf("notify: %w", err)
				}
				// Named by their base names, as ParseFS names them, so that
				// an error reads "reset_code.tmpl:12".
				base := path.Base(name)
				if i < 2 {
					if _, err := text.New(base).Parse(src); err != nil {
						return nil, fmt.Errorf("%w: %s: %v", ErrConfig, name, err)
					}
				}
				if _, err := html.New(base).Parse(src); err != nil {
					return nil, fmt.Errorf("%w: %s: %v", ErrConfig, name, err)
				}
			}
			c := &compiled{text: text, html: html}
			if err := c.check(p, locale(loc)); err != nil {
				// Name the host's other files it was read with, which may
				// be at fault: a common.tmpl without a "salutation".
				var with []string
				for _, name := range names {
					if _, ok := host[name]; ok && name != file {
						with = append(with, name)
					}
				}
				if with != nil {
					file += " (with " + strings.Join(with, ", ") + ")"
				}
				// The error of a Render inside starts "notify: " too.
				return nil, fmt.Errorf("%w: %s: %s", ErrConfig, file, strings.TrimPrefix(err.Error(), "notify: "))
			}
			all[p][loc] = c
		}
	}
	return &Templates{all: all}, nil
}

// check makes sure c writes p's messages in loc.
func (c *compiled) check(p Purpose, loc locale) error {
	if c.html.Lookup("layout") == nil {
		return errors.New(`layout.html defines no "layout"`)
	}
	for _, name := range []string{"subject", "text", "html"} {
		if c.text.Lookup(name) == nil {
			return fmt.Errorf("defines no %q", name)
		}
	}
	switch hasSMS := c.text.Lookup("sms") != nil; {
	case hasSMS && !purposes[p].sms:
		return fmt.Errorf(`defines "sms", but %v is not sent by SMS`, p)
	case !hasSMS && purposes[p].sms:
		return errors.New(`defines no "sms"`)
	}
	for _, d := range []Data{sampleData(p, true), sampleData(p, false)} {
		values, err := values(p, loc, &d)
		if err != nil {
			return err
		}
		m, err := c.email(p, loc, values)
		if err != nil {
			return err
		}
		m.To = "nama@example.com"
		if m.Subject == "" {
			return errors.New(`"subject" writes nothing`)
		}
		if strings.TrimSpace(m.Text) == "" {
			return errors.New(`"text" writes nothing`)
		}
		if err := m.Validate(); err != nil {
			return err
		}
		if !purposes[p].sms {
			continue
		}
		if m, err = c.sms(p, loc, values); err != nil {
			return err
		}
		m.To = "+6281234567890"
		if m.Text == "" {
			return errors.New(`"sms" writes nothing`)
		}
		if err := m.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// sampleData sets every field p needs, and with all every field it uses.
func sampleData(p Purpose, all bool) Data {
	t := time.Date(2026, 3, 2, 14, 5, 0, 0, time.FixedZone("WIB", 7*60*60))
	full := Data{
		PortalName: "Portal",
		Username:   "Budi Santoso",
		Support:    "helpdesk@example.go.id",
		Link:       "https://portal.example.go.id/tautan?token=Zm9vYmFy",
		Code:       "482913",
		ExpiresIn:  15 * time.Minute,
		Time:       t,
		Until:      t.Add(30 * time.Minute),
		ClientAddr: "203.0.113.7",
		Device:     "Chrome di Windows",
		Factor:     FactorAuthenticator,
		NewAddress: "budi.baru@example.go.id",
		NewPhone:   "+62812******90",
		Reason:     "Dokumen tidak terbaca.\nNPWP tidak sesuai.",
		Provider:   "INApas",
	}
	if all {
		return full
	}
	d := Data{PortalName: full.PortalName}
	for _, f := range purposes[p].needs {
		switch f {
		case "Link":
			d.Link = full.Link
		case "Code":
			d.Code = full.Code
		case "ExpiresIn":
			d.ExpiresIn = full.ExpiresIn
		case "Time":
			d.Time = full.Time
		case "Factor":
			d.Factor = full.Factor
		case "NewAddress":
			d.NewAddress = full.NewAddress
		case "NewPhone":
			d.NewPhone = full.NewPhone
		case "Reason":
			d.Reason = full.Reason
		case "Provider":
			d.Provider = full.Provider
		default:
			panic("notify: no sample for Data." + f)
		}
	}
	return d
}

// Render writes the email for purpose p with t's templates; it works and
// fails like the package's [Render]. A nil t is masuk's own templates.
func (t *Templates) Render(p Purpose, locale string, d Data) (Message, error) {
	c, loc, values, err := t.prepare(p, locale, &d)
	if err != nil {
		return Message{}, err
	}
	return c.email(p, loc, values)
}

// RenderSMS writes the SMS for purpose p with t's templates; it works and
// fails like the package's [RenderSMS]. A nil t is masuk's own templates.
func (t *Templates) RenderSMS(p Purpose, locale string, d Data) (Message, error) {
	if p != 0 && p < purposeEnd && !purposes[p].sms {
		return Message{}, fmt.Errorf("%w: %v has no SMS", ErrUnsupportedChannel, p)
	}
	c, loc, values, err := t.prepare(p, locale, &d)
	if err != nil {
		return Message{}, err
	}
	return c.sms(p, loc, values)
}

// RenderWhatsApp writes the WhatsApp message for purpose p with the text
// of t's SMS; it works and fails like the package's [RenderWhatsApp]. A
// nil t is masuk's own templates.
func (t *Templates) RenderWhatsApp(p Purpose, locale string, d Data) (Message, error) {
	if p != 0 && p < purposeEnd && !slices.Contains(purposes[p].needs, "Code") {
		return Message{}, fmt.Errorf("%w: %v carries no code for WhatsApp", ErrUnsupportedChannel, p)
	}
	m, err := t.RenderSMS(p, locale, d)
	if err != nil {
		return Message{}, err
	}
	m.Channel, m.Code = WhatsApp, d.Code
	return m, nil
}

// prepare checks p, locale and d and returns the templates and the
// values they are given.
func (t *Templates) prepare(p Purpose, locale string, d *Data) (*compiled, locale, map[string]string, error) {
	if p == 0 || p >= purposeEnd {
		return nil, 0, nil, fmt.Errorf("%w: %v", ErrUnknownPurpose, p)
	}
	loc, ok := parseLocale(locale)
	if !ok {
		return nil, 0, nil, fmt.Errorf("%w: %q", ErrUnsupportedLocale, locale)
	}
	if t == nil || t.all == nil {
		var err error
		if t, err = defaultTemplates(); err != nil {
			return nil, 0, nil, err
		}
	}
	values, err := values(p, loc, d)
	if err != nil {
		return nil, 0, nil, err
	}
	return t.all[p][loc], loc, values, nil
}

// email writes p's email from values.
func (c *compiled) email(p Purpose, loc locale, values map[string]string) (Message, error) {
	m := Message{Channel: Email, Purpose: p, Locale: localeTags[loc]}
	subject, err := execute(c.text, "subject", values)
	if err != nil {
		return Message{}, fmt.Errorf("notify: %w", err)
	}
	m.Subject = strings.Join(strings.Fields(subject), " ")
	text, err := execute(c.text, "text", values)
	if err != nil {
		return Message{}, fmt.Errorf("notify: %w", err)
	}
	m.Text = tidy(text)
	html, err := execute(c.html, "layout", values)
	if err != nil {
		return Message{}, fmt.Errorf("notify: %w", err)
	}
	m.HTML = tidy(html)
	return m, nil
}

// sms writes p's SMS from values.
func (c *compiled) sms(p Purpose, loc locale, values map[string]string) (Message, error) {
	text, err := execute(c.text, "sms", values)
	if err != nil {
		return Message{}, fmt.Errorf("notify: %w", err)
	}
	return Message{
		Channel: SMS,
		Purpose: p,
		Locale:  localeTags[loc],
		Text:    strings.Join(strings.Fields(text), " "),
	}, nil
}

package main

import (
	"bytes"
	"errors"
	"html"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/captcha"
	"github.com/masuk-id/masuk/identifiers"
	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// view is what every page template is given: the language, who is
// logged in, the realm of the page, a notice or errors, and the page's
// own data in D.
type view struct {
	Lang  string
	Realm string
	// PortalName is the realm's name, as masuk's emails to it give it.
	PortalName string
	User       *auth.Principal
	// Username is the kind of national number the realm's usernames
	// are; zero for free-form usernames. The labels, hints and messages
	// that name the username derive from it.
	Username identifiers.Kind
	// Registers says whether people may register in the realm.
	Registers bool
	// ByEmail says whether the realm's login takes the email address as
	// well as the username (auth.LoginPolicy.ByEmail).
	ByEmail bool
	Path    string
	Notice  string
	// Errors are what is wrong with the form the page answers: a summary
	// lists them all, and each field shows its own beside it.
	Errors []problem
	Outbox bool
	// Max is how long each kind of field may be, for maxlength.
	Max limits
	D   map[string]any
	// policy is the realm's password policy, which PolicyRules states.
	policy auth.PasswordPolicy
}

// limits are the longest values the portal's fields take, in characters.
// The pages repeat them as maxlength, so that a browser stops the typing
// before the server refuses it; each is at or under the limit masuk
// enforces. A browser counts UTF-16 code units, never fewer than the
// characters (code points) masuk and the portal count, so a value the
// browser lets through is never refused for its length.
type limits struct {
	// Username is auth's limit for a username: 64 characters (and 256
	// bytes, which 64 characters of a username cannot pass).
	Username int
	// Email is the longest address store.CheckEmail accepts.
	Email int
	// Identifier is a username or an email, on the forms that take both.
	Identifier int
	// Password is the policy's longest password; every realm keeps the
	// default.
	Password int
	// Name is a registration's profile field: store.MaxProfileValueBytes
	// bytes hold that many characters of up to four bytes each.
	Name int
	// Label names a factor: store.MaxFactorLabel bytes, as Name.
	Label int
	// Reason is an operator's reason, which the history keeps and a
	// rejection's email repeats (notify takes 2000 bytes: 500 characters
	// of up to four).
	Reason int
	// ResetCode, SentCode, RecoveryCode and Captcha are twice the longest
	// code's symbols: masuk ignores the blanks and dashes people type
	// between groups, and a code pasted from a plain-text email comes
	// with its indent, which a maxlength of the bare length would cut off
	// the end of the code.
	ResetCode, SentCode, RecoveryCode, Captcha int
	// Search is the operator's search, the start of a username or email.
	Search int
	// Phone is a mobile number as people type it: "+62 812-3456-7890"
	// with its blanks, dashes and brackets.
	Phone int
}

// inputLimits are the portal's limits.
var inputLimits = limits{
	Username:     64,
	Email:        store.MaxEmailBytes,
	Identifier:   store.MaxEmailBytes,
	Password:     password.DefaultMaxLength,
	Name:         store.MaxProfileValueBytes / utf8.UTFMax,
	Label:        store.MaxFactorLabel / utf8.UTFMax,
	Reason:       500,
	Phone:        32,
	ResetCode:    2 * reset.MaxCodeDigits,
	SentCode:     2 * secret.MaxCodeDigits,
	RecoveryCode: 2 * secret.RecoveryCodeBits / 5,
	Captcha:      2 * captcha.MaxLength,
	Search:       store.MaxEmailBytes,
}

// tooLong returns the message for a value of field (a message key) over
// max characters, or "" when it is not.
func (v *view) tooLong(field, value string, max int) string {
	if utf8.RuneCountInString(value) <= max {
		return ""
	}
	return v.Tf("err.toolong", v.T(field), max)
}

// problem is one thing wrong with what a form sent: the sentence, and the
// id of the input it concerns, or "" for the form as a whole.
type problem struct {
	Field string
	Text  string
}

// fieldIDs names, for a page, the inputs that stand for the fields of
// auth.Classify's outcomes ("username", "password", "profile.company"):
// an error that concerns a field the page has is shown beside it, others
// in the summary only.
type fieldIDs map[string]string

// fail adds a problem with field (an input's id, or "").
func (v *view) fail(field, text string) {
	v.Errors = append(v.Errors, problem{Field: field, Text: text})
}

// fieldProblems returns the problems of one field.
func (v *view) fieldProblems(field string) []string {
	var out []string
	for _, p := range v.Errors {
		if p.Field == field {
			out = append(out, p.Text)
		}
	}
	return out
}

// Described returns the attributes of the input with the id field: its
// aria-describedby (its own error, when it has one, then the hints whose
// ids are given) and aria-invalid when it has a problem.
func (v *view) Described(field string, hints ...string) template.HTMLAttr {
	ids := hints
	invalid := len(v.fieldProblems(field)) > 0
	if invalid {
		ids = append([]string{field + "-error"}, hints...)
	}
	var b strings.Builder
	if len(ids) > 0 {
		b.WriteString(`aria-describedby="` + html.EscapeString(strings.Join(ids, " ")) + `"`)
	}
	if invalid {
		b.WriteString(` aria-invalid="true"`)
	}
	return template.HTMLAttr(b.String())
}

// FieldError returns the problems of the input with the id field, to show
// beside it (its aria-describedby names the element), or nothing.
func (v *view) FieldError(field string) template.HTML {
	texts := v.fieldProblems(field)
	if len(texts) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<p class="field-error" id="` + html.EscapeString(field) + `-error">`)
	for _, t := range texts {
		b.WriteString(`<span>` + html.EscapeString(t) + `</span>`)
	}
	b.WriteString(`</p>`)
	return template.HTML(b.String())
}

// T returns the message key in the page's language.
func (v *view) T(key string) string { return t(v.Lang, key) }

// Tf formats the message key in the page's language.
func (v *view) Tf(key string, args ...any) string { return tf(v.Lang, key, args...) }

// Detail names one detail of an event for an operator: "alasan: kata
// sandi salah".
func (v *view) Detail(key, value string) string { return detail(v.Lang, key, value) }

// ProfileField names a field of a registration's profile, and its value
// where that is a code (the language the applicant used).
func (v *view) ProfileField(key, value string) [2]string {
	label := key
	if m, ok := messages["profile."+key]; ok {
		label = m[lix(v.Lang)]
	}
	if m, ok := messages["lang.name."+value]; ok && key == "lang" {
		value = m[lix(v.Lang)]
	}
	return [2]string{label, value}
}

// Groups splits a key written in groups ("ABCD EFGH") into its groups.
func (v *view) Groups(key string) []string { return strings.Fields(key) }

// When formats a time for a table.
func (v *view) When(tm time.Time) string { return stamp(v.Lang, tm) }

// Device names the browser and system of a User-Agent header, "Chrome on
// Windows", for lists a person reads; the header itself goes in a title.
func (v *view) Device(userAgent string) string { return auth.ParseDevice(userAgent).Label(v.Lang) }

// Event names an event kind.
func (v *view) Event(kind auth.EventKind) string { return eventLabel(v.Lang, kind) }

// OtherLang is the language the switch offers.
func (v *view) OtherLang() string {
	if v.Lang == "en" {
		return "id"
	}
	return "en"
}

// parsePages parses each page template with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" {
			continue
		}
		tm, err := template.ParseFS(templateFS, "templates/layout.html", name)
		if err != nil {
			return nil, err
		}
		pages[base] = tm
	}
	return pages, nil
}

// view returns the view of a request.
func (a *app) view(r *http.Request, realm string) *view {
	// The path as it was sent, escaped: the language switch hands it to
	// localPath, which refuses what would not come back to this page.
	v := &view{Lang: a.sessions.Locale(r), Realm: realm, Path: r.URL.EscapedPath(), Outbox: a.outboxAllowed(r), Max: inputLimits, D: map[string]any{}}
	v.PortalName = a.realms[realm].Realm.Messages.PortalName
	v.Username, v.Registers = a.realms[realm].Realm.Username, a.realms[realm].Register
	v.ByEmail = a.realms[realm].Realm.Login.ByEmail
	if rs, err := a.auth.Realm(realm); realm != "" && err == nil {
		v.policy = rs.Policy
	}
	if v.PortalName == "" {
		v.PortalName = v.T("portal.name")
	}
	if p, ok := httpauth.PrincipalFrom(r.Context()); ok {
		v.User = p
	}
	if r.URL.RawQuery != "" && r.Method == http.MethodGet {
		// Keep the query when switching languages, except tokens and a
		// provider's answer (its code, state and issuer, still unspent on
		// a page that refused them), which do not belong in a link that
		// can end up anywhere.
		q := r.URL.Query()
		for _, k := range []string{"token", "code", "state", "iss", "session_state"} {
			q.Del(k)
		}
		if len(q) > 0 {
			v.Path += "?" + q.Encode()
		}
	}
	return v
}

// render writes a page.
func (a *app) render(w http.ResponseWriter, status int, page string, v *view) {
	tm, ok := a.pages[page]
	if !ok {
		a.log.Error("portal: no such page template", "page", page)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := tm.ExecuteTemplate(&buf, "layout", v); err != nil {
		a.log.Error("portal: rendering a page", "page", page, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message renders a page that only says something, with a link on.
func (a *app) message(w http.ResponseWriter, r *http.Request, realm string, status int, title, text, href, linkText string) {
	v := a.view(r, realm)
	v.D["Title"], v.D["Text"], v.D["Href"], v.D["LinkText"] = title, text, href, linkText
	a.render(w, status, "message", v)
}

// fail answers a failure that the person cannot fix: the error is logged
// (errors from auth never carry a password, token or code) and the page
// says only that something went wrong, with auth.Classify's status (503
// for a store or service that failed, 500 otherwise).
func (a *app) fail(w http.ResponseWriter, r *http.Request, err error) {
	a.log.ErrorContext(r.Context(), "portal: request failed", "path", r.URL.Path, "error", err)
	lang := a.sessions.Locale(r)
	status := http.StatusInternalServerError
	if o := auth.Classify(err); o.Status >= 500 {
		status = o.Status
	}
	a.message(w, r, "", status, t(lang, "error.title"), t(lang, "err.internal"), "/", t(lang, "back.home"))
}

func (a *app) notFound(w http.ResponseWriter, r *http.Request) {
	lang := a.sessions.Locale(r)
	a.message(w, r, "", http.StatusNotFound, t(lang, "notfound.title"), t(lang, "err.notfound"), "/", t(lang, "back.home"))
}

// problems turns an error a person can fix, or wait out, into the
// problems of the page's form: auth.Classify's message, except where the
// portal says more, on the first of the outcome's fields that the page has
// (ids), or on the form as a whole. It returns nil for an error nobody on
// the page can fix (a store or a service that failed, a setting the
// portal lacks), which the caller answers with fail, so that it is logged
// and never shown.
func (a *app) problems(v *view, err error, ids fieldIDs) []problem {
	o := auth.Classify(err)
	field := ""
	for _, f := range o.Fields {
		if id, ok := ids[f]; ok {
			field = id
			break
		}
	}
	one := func(text string) []problem { return []problem{{Field: field, Text: text}} }
	lang := v.Lang
	var pe *password.PolicyError
	switch o.Code {
	case "", auth.CodeUnavailable, auth.CodeNotConfigured:
		return nil
	case auth.CodeLocked:
		// Until when, in minutes and by the clock.
		return one(a.lockedMessage(lang, o))
	case auth.CodeThrottled:
		return one(tf(lang, "err.throttled", clock(lang, o.RetryAt)))
	case auth.CodeCooldown:
		return one(tf(lang, "sf.cooldown", clock(lang, o.RetryAt)))
	case auth.CodeInvalidCredentials, auth.CodeWrongPassword:
		// The forms other than the login's ask for the password alone.
		return one(t(lang, "err.password"))
	case auth.CodeBreachCheckUnavailable:
		return one(t(lang, "err.breach"))
	case auth.CodePolicy:
		// Each rule the password breaks, one to a line.
		if errors.As(err, &pe) {
			var out []problem
			for _, msg := range v.violations(pe) {
				out = append(out, problem{Field: field, Text: msg})
			}
			return out
		}
	}
	return one(o.Message(lang))
}

// violations says each rule a password breaks, in the page's language:
// masuk's sentences, except that a run of the username's digits names the
// realm's own number, and a birth date only for the numbers that hold
// one.
func (v *view) violations(pe *password.PolicyError) []string {
	out := make([]string, len(pe.Violations))
	for i, vi := range pe.Violations {
		out[i] = vi.Message(v.Lang)
		if vi.Rule == password.RuleContextDigits && v.Username != 0 {
			key := "policy.digits"
			if bornIn(v.Username) {
				key = "policy.digits.born"
			}
			out[i] = v.Tf(key, vi.Limit, v.IDName())
		}
	}
	return out
}

// lockedMessage says how long a lock lasts, in whole minutes rounded up,
// and until when; or that only an operator or a reset ends it.
func (a *app) lockedMessage(lang string, o auth.Outcome) string {
	if o.Permanent || o.RetryAt.IsZero() {
		return t(lang, "login.locked.permanent")
	}
	left := o.RetryAt.Sub(a.now())
	mins := int((left + time.Minute - 1) / time.Minute)
	return tf(lang, "login.locked", quantity(lang, max(mins, 1), "minute"), clock(lang, o.RetryAt))
}

// cookieName gives a cookie the __Host- prefix over https.
func (a *app) cookieName(base string) string {
	if a.insecure {
		return base
	}
	return "__Host-" + base
}

func (a *app) setCookie(w http.ResponseWriter, name, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: a.cookieName(name), Value: value, Path: "/", Expires: expires,
		Secure: !a.insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (a *app) clearCookie(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: a.cookieName(name), Path: "/", MaxAge: -1,
		Secure: !a.insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

func (a *app) cookie(r *http.Request, name string) string {
	if c, err := r.Cookie(a.cookieName(name)); err == nil {
		return c.Value
	}
	return ""
}

// maxNext bounds a "next" parameter; the longest page address the portal
// makes is far shorter.
const maxNext = 2048

// localPath returns next when a browser that follows it stays on this
// site, and def otherwise. Every redirect to a location taken from a
// request goes through it.
//
// It accepts a path that begins with one "/" and holds only printable
// ASCII: browsers drop tabs and newlines anywhere in a URL and read "\"
// as "/", so "/\t/evil.example" and "/\evil.example" would both be
// "//evil.example", another site. It decodes the percent encodings, again
// while they change, and refuses what any round of decoding turns into
// such a path or a control character (a proxy or framework that decodes
// before redirecting again must not be handed "/%2F%2Fevil.example"). It
// returns next as given, never decoded.
func localPath(next, def string) string {
	if len(next) > maxNext || !strings.HasPrefix(next, "/") {
		return def
	}
	for i := 0; i < len(next); i++ {
		if c := next[i]; c <= ' ' || c >= 0x7f {
			return def
		}
	}
	s := next
	for range 4 {
		if len(s) > 1 && (s[1] == '/' || s[1] == '\\') || strings.ContainsFunc(s, func(r rune) bool {
			return r == '\\' || unicode.IsControl(r)
		}) {
			return def
		}
		if !strings.Contains(s, "%") {
			return next
		}
		d, err := url.PathUnescape(s)
		if err != nil {
			return def
		}
		s = d
	}
	// Encoded more than four times over: no page of the portal.
	return def
}

// language sets the language cookie and goes back to the page.
func (a *app) language(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if lang != "id" && lang != "en" {
		lang = "id"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		Secure: !a.insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.URL.Query().Get("next"), "/"), http.StatusSeeOther)
}

package password

import (
	"errors"
	"strconv"
	"strings"
)

// ErrPolicy is what every *[PolicyError] is, for errors.Is.
var ErrPolicy = errors.New("password: does not satisfy the policy")

// Rule identifies a policy rule. Its values are stable snake_case strings
// a host can store, log or map to its own messages.
type Rule string

// Rules a [Violation] can name.
const (
	// RuleTooShort: fewer code points than Limit (the minimum).
	RuleTooShort Rule = "too_short"
	// RuleTooLong: more code points than Limit (the maximum).
	RuleTooLong Rule = "too_long"
	// RuleCommon: the whole password is in the blocklist.
	RuleCommon Rule = "common"
	// RuleContext: the password contains a context word of the kind in
	// Violation.Context.
	RuleContext Rule = "context"
	// RuleContextDigits: the password contains Limit consecutive digits of
	// a username that is a national number, such as the birth date inside
	// a NIP.
	RuleContextDigits Rule = "context_digits"
	// RuleNeedsUpper: fewer uppercase letters than Limit.
	RuleNeedsUpper Rule = "needs_upper"
	// RuleNeedsLower: fewer lowercase letters than Limit.
	RuleNeedsLower Rule = "needs_lower"
	// RuleNeedsDigit: fewer digits than Limit.
	RuleNeedsDigit Rule = "needs_digit"
	// RuleNeedsSymbol: fewer symbols than Limit.
	RuleNeedsSymbol Rule = "needs_symbol"
	// RuleBreached: the password appears Limit times in the corpus of
	// breached passwords of PolicyConfig.Breach.
	RuleBreached Rule = "breached"
)

// Kinds of context word, in Violation.Context.
const (
	ContextUsername = "username"
	ContextEmail    = "email"
	ContextRealm    = "realm"
	ContextWord     = "word"
)

// Violation is one rule a password breaks. It never holds the password
// or the word it matched.
type Violation struct {
	// Rule is the rule broken.
	Rule Rule `json:"rule"`
	// Limit is the rule's number, where it has one: the minimum or maximum
	// length, the required count of a character class, the length of a
	// forbidden run of digits, how many times a breached password was
	// seen.
	Limit int `json:"limit,omitempty"`
	// Context is the kind of context word matched (ContextUsername,
	// ContextEmail, ContextRealm or ContextWord) for RuleContext and
	// RuleContextDigits; empty otherwise.
	Context string `json:"context,omitempty"`
}

// Message returns a sentence for the user explaining v, in Indonesian for
// lang "id" (the default for any language but English) or in English for
// "en"; regional variants such as "en-US" or "id_ID" are accepted. Numbers
// of four digits or more are grouped as each language writes them:
// 52.256.179 in Indonesian, 52,256,179 in English.
func (v Violation) Message(lang string) string {
	m, ok := messages[messageKey{v.Rule, v.Context}]
	if !ok {
		m, ok = messages[messageKey{v.Rule, ""}]
	}
	if !ok {
		m = unknownMessage
	}
	s, sep := m.id, '.'
	if isEnglish(lang) {
		s, sep = m.en, ','
		if v.Limit == 1 && m.enOne != "" {
			s = m.enOne
		}
	}
	if i := strings.Index(s, "%d"); i >= 0 {
		s = s[:i] + groupDigits(v.Limit, sep) + s[i+len("%d"):]
	}
	return s
}

// groupDigits writes n in decimal with sep between groups of three digits.
func groupDigits(n int, sep rune) string {
	s := strconv.Itoa(n)
	digits := strings.TrimPrefix(s, "-")
	if len(digits) < 4 {
		return s
	}
	var b strings.Builder
	b.WriteString(s[:len(s)-len(digits)])
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteRune(sep)
		}
		b.WriteRune(d)
	}
	return b.String()
}

func isEnglish(lang string) bool {
	base, _, _ := strings.Cut(lang, "-")
	base, _, _ = strings.Cut(base, "_")
	return strings.EqualFold(base, "en")
}

type messageKey struct {
	rule    Rule
	context string
}

// message is a violation's sentence in Indonesian and English, where %d
// stands for its Limit; enOne, if set, is the English for a Limit of 1.
type message struct{ id, en, enOne string }

var unknownMessage = message{
	id: "Kata sandi tidak memenuhi ketentuan.",
	en: "Password does not meet the requirements.",
}

// messages are looked up by rule and context kind, then by rule alone.
var messages = map[messageKey]message{
	{RuleTooShort, ""}: {
		id: "Kata sandi minimal %d karakter.",
		en: "Password must be at least %d characters long.",
	},
	{RuleTooLong, ""}: {
		id: "Kata sandi maksimal %d karakter.",
		en: "Password must be at most %d characters long.",
	},
	{RuleCommon, ""}: {
		id: "Kata sandi ini terlalu umum dan mudah ditebak.",
		en: "This password is too common and easy to guess.",
	},
	{RuleContext, ContextUsername}: {
		id: "Kata sandi tidak boleh memuat nama pengguna Anda.",
		en: "Password must not contain your username.",
	},
	{RuleContext, ContextEmail}: {
		id: "Kata sandi tidak boleh memuat alamat email Anda.",
		en: "Password must not contain your email address.",
	},
	{RuleContext, ContextRealm}: {
		id: "Kata sandi tidak boleh memuat nama layanan ini.",
		en: "Password must not contain the name of this service.",
	},
	{RuleContext, ""}: {
		id: "Kata sandi tidak boleh memuat kata yang berkaitan dengan akun atau layanan ini.",
		en: "Password must not contain words related to this account or service.",
	},
	{RuleContextDigits, ""}: {
		id: "Kata sandi tidak boleh memuat %d angka berurutan dari nama pengguna Anda (misalnya tanggal lahir).",
		en: "Password must not contain %d consecutive digits of your username (such as a birth date).",
	},
	{RuleNeedsUpper, ""}: {
		id:    "Kata sandi harus memuat minimal %d huruf kapital.",
		en:    "Password must contain at least %d uppercase letters.",
		enOne: "Password must contain at least 1 uppercase letter.",
	},
	{RuleNeedsLower, ""}: {
		id:    "Kata sandi harus memuat minimal %d huruf kecil.",
		en:    "Password must contain at least %d lowercase letters.",
		enOne: "Password must contain at least 1 lowercase letter.",
	},
	{RuleNeedsDigit, ""}: {
		id:    "Kata sandi harus memuat minimal %d angka.",
		en:    "Password must contain at least %d digits.",
		enOne: "Password must contain at least 1 digit.",
	},
	{RuleNeedsSymbol, ""}: {
		id:    "Kata sandi harus memuat minimal %d simbol (karakter selain huruf dan angka).",
		en:    "Password must contain at least %d symbols (characters other than letters and digits).",
		enOne: "Password must contain at least 1 symbol (a character other than a letter or digit).",
	},
	{RuleBreached, ""}: {
		id:    "Kata sandi ini telah muncul %d kali dalam kebocoran data.",
		en:    "This password has appeared %d times in data breaches.",
		enOne: "This password has appeared once in a data breach.",
	},
}

// PolicyError lists every rule a password breaks. errors.Is(err,
// ErrPolicy) is true for it.
type PolicyError struct {
	Violations []Violation
}

// Error returns the rules broken, for logs, for example
// "password: does not satisfy the policy: too_short (8), common,
// context (username)". It never contains the password.
func (e *PolicyError) Error() string {
	var b strings.Builder
	b.WriteString(ErrPolicy.Error())
	for i, v := range e.Violations {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(string(v.Rule))
		switch {
		case v.Context != "":
			b.WriteString(" (" + v.Context + ")")
		case v.Limit != 0:
			b.WriteString(" (" + strconv.Itoa(v.Limit) + ")")
		}
	}
	return b.String()
}

// Is reports whether target is ErrPolicy.
func (e *PolicyError) Is(target error) bool { return target == ErrPolicy }

// Messages returns the Message of every violation, in order.
func (e *PolicyError) Messages(lang string) []string {
	msgs := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		msgs[i] = v.Message(lang)
	}
	return msgs
}

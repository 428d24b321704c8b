package password

import (
	"errors"
	"fmt"
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
	// forbidden run of digits.
	Limit int `json:"limit,omitempty"`
	// Context is the kind of context word matched (ContextUsername,
	// ContextEmail, ContextRealm or ContextWord) for RuleContext and
	// RuleContextDigits; empty otherwise.
	Context string `json:"context,omitempty"`
}

// Message returns a sentence for the user explaining v, in Indonesian for
// lang "id" (the default for any language but English) or in English for
// "en"; regional variants such as "en-US" or "id_ID" are accepted.
func (v Violation) Message(lang string) string {
	if isEnglish(lang) {
		return v.english()
	}
	return v.indonesian()
}

func isEnglish(lang string) bool {
	base, _, _ := strings.Cut(lang, "-")
	base, _, _ = strings.Cut(base, "_")
	return strings.EqualFold(base, "en")
}

func (v Violation) indonesian() string {
	switch v.Rule {
	case RuleTooShort:
		return fmt.Sprintf("Kata sandi minimal %d karakter.", v.Limit)
	case RuleTooLong:
		return fmt.Sprintf("Kata sandi maksimal %d karakter.", v.Limit)
	case RuleCommon:
		return "Kata sandi ini terlalu umum dan mudah ditebak."
	case RuleContext:
		switch v.Context {
		case ContextUsername:
			return "Kata sandi tidak boleh memuat nama pengguna Anda."
		case ContextEmail:
			return "Kata sandi tidak boleh memuat alamat email Anda."
		case ContextRealm:
			return "Kata sandi tidak boleh memuat nama layanan ini."
		}
		return "Kata sandi tidak boleh memuat kata yang berkaitan dengan akun atau layanan ini."
	case RuleContextDigits:
		return fmt.Sprintf("Kata sandi tidak boleh memuat %d angka berurutan dari nama pengguna Anda (misalnya tanggal lahir).", v.Limit)
	case RuleNeedsUpper:
		return fmt.Sprintf("Kata sandi harus memuat minimal %d huruf kapital.", v.Limit)
	case RuleNeedsLower:
		return fmt.Sprintf("Kata sandi harus memuat minimal %d huruf kecil.", v.Limit)
	case RuleNeedsDigit:
		return fmt.Sprintf("Kata sandi harus memuat minimal %d angka.", v.Limit)
	case RuleNeedsSymbol:
		return fmt.Sprintf("Kata sandi harus memuat minimal %d simbol (karakter selain huruf dan angka).", v.Limit)
	}
	return "Kata sandi tidak memenuhi ketentuan."
}

func (v Violation) english() string {
	switch v.Rule {
	case RuleTooShort:
		return fmt.Sprintf("Password must be at least %s long.", plural(v.Limit, "character"))
	case RuleTooLong:
		return fmt.Sprintf("Password must be at most %s long.", plural(v.Limit, "character"))
	case RuleCommon:
		return "This password is too common and easy to guess."
	case RuleContext:
		switch v.Context {
		case ContextUsername:
			return "Password must not contain your username."
		case ContextEmail:
			return "Password must not contain your email address."
		case ContextRealm:
			return "Password must not contain the name of this service."
		}
		return "Password must not contain words related to this account or service."
	case RuleContextDigits:
		return fmt.Sprintf("Password must not contain %d consecutive digits of your username (such as a birth date).", v.Limit)
	case RuleNeedsUpper:
		return fmt.Sprintf("Password must contain at least %s.", plural(v.Limit, "uppercase letter"))
	case RuleNeedsLower:
		return fmt.Sprintf("Password must contain at least %s.", plural(v.Limit, "lowercase letter"))
	case RuleNeedsDigit:
		return fmt.Sprintf("Password must contain at least %s.", plural(v.Limit, "digit"))
	case RuleNeedsSymbol:
		return fmt.Sprintf("Password must contain at least %s (a character other than a letter or digit).", plural(v.Limit, "symbol"))
	}
	return "Password does not meet the requirements."
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
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

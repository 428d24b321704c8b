package main

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/identifiers"
)

// The texts that differ by realm derive from the realm's settings (its
// auth.Realm), never from its name: the kind of number its usernames are
// names the field, its hint and keyboard, and the password policy it
// enforces writes its own rules under the password field.

// kindKey is the message suffix of an identifier kind: "npwp", "nip", or
// "free" for a realm of free-form usernames. The NPWP's 15- and 16-digit
// kinds are written and named as the NPWP.
func kindKey(k identifiers.Kind) string {
	switch k {
	case 0:
		return "free"
	case identifiers.NPWP15, identifiers.NPWP16:
		return "npwp"
	}
	return k.String()
}

// IDName names the realm's username inside a sentence: "NPWP", "NIP",
// "nama pengguna".
func (v *view) IDName() string {
	if m, ok := messages["idname."+kindKey(v.Username)]; ok {
		return m[lix(v.Lang)]
	}
	return strings.ToUpper(v.Username.String())
}

// IDLabel is the label of the username field: "NPWP", "NIP (civil-servant
// number)", "Nama pengguna".
func (v *view) IDLabel() string {
	if m, ok := messages["idlabel."+kindKey(v.Username)]; ok {
		return m[lix(v.Lang)]
	}
	return v.IDName()
}

// IDHint says how the realm's username is written: "18 digit." for a NIP,
// the two lengths and the punctuation of an NPWP; nothing for a
// free-form username.
func (v *view) IDHint() string {
	if m, ok := messages["idhint."+kindKey(v.Username)]; ok {
		return m[lix(v.Lang)]
	}
	if n := v.Username.Len(); n > 0 {
		return v.Tf("idhint.digits", n)
	}
	return ""
}

// IdentifierLabel labels the fields that take the username or the email
// address: "NPWP atau email".
func (v *view) IdentifierLabel() string { return upperFirst(v.Tf("field.identifier", v.IDName())) }

// Inputmode is the keyboard the username field asks a phone for, or ""
// for the default one.
//
// An NPWP is usually written with dots and a dash (01.312.166.0-091.000),
// as it is printed on the card, and people copy it so. inputmode
// "numeric" would give iOS users a keypad of digits only (no "." or "-"),
// and "decimal" one with the locale's decimal separator only (the comma,
// in Indonesian), so either would leave them unable to type the number as
// printed: the NPWP field keeps the full keyboard ("text"), and masuk
// reads any typing of it. A NIP is 18 bare digits, for which the numeric
// keypad is right; a free-form username wants letters.
func (v *view) Inputmode() string {
	switch {
	case v.Username == 0:
		return ""
	case punctuated(v.Username):
		return "text"
	}
	return "numeric"
}

// punctuated reports whether numbers of kind k are usually written with
// dots and dashes.
func punctuated(k identifiers.Kind) bool {
	switch k {
	case identifiers.NPWP, identifiers.NPWP15, identifiers.NPWP16, identifiers.NITKU:
		return true
	}
	return false
}

// bornIn reports whether numbers of kind k hold their owner's birth date
// (a NIP starts with it, a NIK holds it): only there may a message about
// a password that repeats the number's digits speak of a birth date.
func bornIn(k identifiers.Kind) bool { return k == identifiers.NIP || k == identifiers.NIK }

// minLengthPolicy is a password policy that says its rules, as
// *password.Policy does.
type minLengthPolicy interface {
	MinLength() int
	Composition() password.Composition
}

// PolicyRules says, in the page's language, the rules that the realm's
// password policy enforces, read from the policy itself (auth's settings
// of the realm): its least length and the character classes it asks for,
// and that it refuses common passwords and the username or email. A
// label can then never promise another rule than the one enforced.
func (v *view) PolicyRules() string {
	p, ok := v.policy.(minLengthPolicy)
	if !ok {
		return v.T("policy.generic")
	}
	var parts []string
	c := p.Composition()
	for _, class := range []struct {
		n    int
		unit string
	}{{c.Upper, "upper"}, {c.Lower, "lower"}, {c.Digit, "digit"}, {c.Symbol, "symbol"}} {
		if class.n > 0 {
			parts = append(parts, quantity(v.Lang, class.n, class.unit))
		}
	}
	s := v.Tf("policy.min", p.MinLength())
	if len(parts) > 0 {
		s += v.Tf("policy.classes", andList(v.Lang, parts))
	}
	return s + v.Tf("policy.rest", v.IDName()) + "."
}

// andList joins items as a sentence does: "a, b dan c", "a, b and c".
func andList(lang string, items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + t(lang, "list.and") + items[len(items)-1]
}

// upperFirst capitalises the first letter of s, for a name that starts a
// sentence ("Nama pengguna atau kata sandi salah").
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

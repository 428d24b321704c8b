package auth

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/masuk-id/masuk/store"
)

// ErrInvalidField is the sentinel every *FieldError matches.
var ErrInvalidField = errors.New("auth: invalid field")

// FieldError reports a form field that masuk refuses before any other
// work: too long, too many, or holding what cannot be stored. It names the
// field and never repeats its value, so it is safe to log and to show.
type FieldError struct {
	// Field names the field: "profile.company" for a field of
	// Registration.Profile, "profile" for the profile as a whole.
	Field string
	// Max is the limit the field broke, in bytes (or fields, for
	// "profile"); 0 when the field holds something it may not.
	Max int
}

func (e *FieldError) Error() string {
	if e.Max > 0 {
		return fmt.Sprintf("auth: field %s is longer than %d", e.Field, e.Max)
	}
	return "auth: field " + e.Field + " holds a character it may not"
}

// Is makes errors.Is(err, ErrInvalidField) true.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidField }

// Message returns the error for a form, in Indonesian ("id") or English.
func (e *FieldError) Message(locale string) string {
	if locale == "en" {
		if e.Field == "profile" && e.Max > 0 {
			return fmt.Sprintf("The form has more than %d fields.", e.Max)
		}
		if e.Max > 0 {
			return fmt.Sprintf("%s is too long: at most %d characters.", fieldLabel(e.Field), e.Max)
		}
		return fieldLabel(e.Field) + " holds a character that is not allowed."
	}
	if e.Field == "profile" && e.Max > 0 {
		return fmt.Sprintf("Formulir berisi lebih dari %d isian.", e.Max)
	}
	if e.Max > 0 {
		return fmt.Sprintf("%s terlalu panjang: paling banyak %d karakter.", fieldLabel(e.Field), e.Max)
	}
	return fieldLabel(e.Field) + " berisi karakter yang tidak diizinkan."
}

func fieldLabel(field string) string {
	if name, ok := strings.CutPrefix(field, "profile."); ok {
		return name
	}
	return field
}

// checkProfile refuses, with a *FieldError, a registration's profile that
// the store would refuse: the same bounds as store.CheckAccount, checked
// before any hash, so that a 10,000-character company name costs nothing
// and gets an answer a form can show.
func checkProfile(p map[string]string) error {
	if len(p) > store.MaxProfileFields {
		return &FieldError{Field: "profile", Max: store.MaxProfileFields}
	}
	for k, v := range p {
		switch {
		case k == "" || len(k) > store.MaxProfileKeyBytes || !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0:
			return &FieldError{Field: "profile"}
		case len(v) > store.MaxProfileValueBytes:
			return &FieldError{Field: "profile." + k, Max: store.MaxProfileValueBytes}
		case !utf8.ValidString(v) || strings.IndexFunc(v, hiddenRune) >= 0:
			return &FieldError{Field: "profile." + k}
		}
	}
	return nil
}

// hiddenRune reports whether r has no place in a name or a company that
// operators read: a control character (a line break, a tab, an escape),
// a bidirectional control that reorders what follows it (U+202E shows
// "gpj.exe" as "exe.jpg"), an invisible mark or separator (U+200B, the
// byte-order mark, U+2028 and U+2029), or a non-character. The zero-width
// joiners (U+200C, U+200D), which scripts and emoji need, are allowed.
func hiddenRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069: // embeddings, overrides, isolates
		return true
	case r == 0x200E, r == 0x200F, r == 0x061C: // directional marks
		return true
	case r == 0x200B, r == 0x2060, r == 0xFEFF, r == 0x2028, r == 0x2029, r == 0x00AD: // invisible
		return true
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE: // non-characters
		return true
	}
	return false
}

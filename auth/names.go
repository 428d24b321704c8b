package auth

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/masuk-id/masuk/identifiers"
)

// The longest inputs accepted, checked before any other work.
const (
	maxUsernameBytes = 256
	maxUsernameRunes = 64
	maxEmailBytes    = 254
	maxRealmBytes    = 64
)

// ErrInvalidUsername is the sentinel every *UsernameError matches.
var ErrInvalidUsername = errors.New("auth: invalid username")

// UsernameReason says what is wrong with a username.
type UsernameReason string

// The reasons a username is refused.
const (
	UsernameEmpty       UsernameReason = "empty"
	UsernameTooLong     UsernameReason = "too_long"
	UsernameInvalidUTF8 UsernameReason = "invalid_utf8"
	// UsernameForbiddenRune: a control, format (bidi, zero-width), private
	// use, unassigned or surrogate character, or a space inside the name.
	UsernameForbiddenRune UsernameReason = "forbidden_character"
	// UsernameMixedScript: letters of Latin, Greek and Cyrillic mixed in one
	// name, the usual way to make "аdmin" (Cyrillic а) pass for "admin".
	UsernameMixedScript UsernameReason = "mixed_script"
	// UsernameAtSign: an "@" in a username of a realm that logs in by
	// email (LoginPolicy.ByEmail), where it would read as an address.
	UsernameAtSign UsernameReason = "at_sign"
)

// UsernameError reports why a username was refused. It never repeats the
// username itself, so it is safe to log.
type UsernameError struct {
	Reason UsernameReason
	// Pos is the 1-based position (in characters) of the offending
	// character, for UsernameForbiddenRune; otherwise 0.
	Pos int
}

func (e *UsernameError) Error() string {
	if e.Pos > 0 {
		return "auth: invalid username: " + string(e.Reason) + " at character " + strconv.Itoa(e.Pos)
	}
	return "auth: invalid username: " + string(e.Reason)
}

// Is makes errors.Is(err, ErrInvalidUsername) true.
func (e *UsernameError) Is(target error) bool { return target == ErrInvalidUsername }

var folder = cases.Fold()

// CanonicalUsername returns the form under which a free-form username is
// stored and looked up: surrounding white space trimmed, NFKC-normalised and
// case-folded, so that "ＡＬＩＣＥ", "Alice" and "alice" are one account and
// "ᴮᴵᴳᴮᴵᴿᴰ" is "bigbird". It refuses control, bidi and zero-width
// characters, inner white space and mixed Latin, Greek and Cyrillic letters
// with a *UsernameError. CanonicalUsername(CanonicalUsername(x)) ==
// CanonicalUsername(x) for every accepted x.
//
// Realms whose usernames are national numbers canonicalise with the
// identifiers package instead.
func CanonicalUsername(typed string) (string, error) {
	if len(typed) > maxUsernameBytes {
		return "", &UsernameError{Reason: UsernameTooLong}
	}
	if !utf8.ValidString(typed) {
		return "", &UsernameError{Reason: UsernameInvalidUTF8}
	}
	s := strings.TrimSpace(typed)
	if s == "" {
		return "", &UsernameError{Reason: UsernameEmpty}
	}
	if c, ok := canonicalASCII(s); ok {
		return c, nil
	}
	return canonicalUnicode(s)
}

// canonicalASCII is CanonicalUsername for the usual name: printable ASCII
// without spaces, for which NFKC changes nothing and case folding is
// lower-casing. It reports false for anything else.
func canonicalASCII(s string) (string, bool) {
	if len(s) > maxUsernameRunes {
		return "", false
	}
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e {
			return "", false
		}
		upper = upper || ('A' <= c && c <= 'Z')
	}
	if !upper {
		return s, true
	}
	return strings.ToLower(s), true
}

// canonicalUnicode is CanonicalUsername for every other name.
func canonicalUnicode(s string) (string, error) {
	if err := checkRunes(s); err != nil {
		return "", err
	}
	// Folding can leave text that NFKC changes again (and the reverse), so
	// repeat until nothing changes; two rounds suffice for every input seen
	// by the fuzz test, the bound keeps a pathological one cheap.
	for range 4 {
		next := norm.NFKC.String(folder.String(norm.NFKC.String(s)))
		if next == s {
			break
		}
		s = next
	}
	// Normalisation can produce characters the input did not have (NFKC
	// turns some symbols into spaces), so check again.
	if err := checkRunes(s); err != nil {
		return "", err
	}
	if utf8.RuneCountInString(s) > maxUsernameRunes {
		return "", &UsernameError{Reason: UsernameTooLong}
	}
	if mixedScripts(s) {
		return "", &UsernameError{Reason: UsernameMixedScript}
	}
	return s, nil
}

func checkRunes(s string) error {
	pos := 0
	for _, r := range s {
		pos++
		if r == utf8.RuneError || unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs) ||
			!unicode.In(r, assigned...) {
			return &UsernameError{Reason: UsernameForbiddenRune, Pos: pos}
		}
	}
	return nil
}

// assigned is every general category except Cn (unassigned): the
// RangeTables of the categories letter, mark, number, punctuation, symbol,
// separator and other.
var assigned = []*unicode.RangeTable{unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.C}

// mixedScripts reports whether s holds letters from more than one of the
// scripts whose letters are commonly confused with each other.
func mixedScripts(s string) bool {
	var seen int
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r):
			seen |= 1
		case unicode.Is(unicode.Greek, r):
			seen |= 2
		case unicode.Is(unicode.Cyrillic, r):
			seen |= 4
		}
	}
	return seen&(seen-1) != 0
}

// ErrInvalidEmail means an email address is not a plain address.
var ErrInvalidEmail = errors.New("auth: invalid email address")

// CanonicalEmail returns the form under which an email address is stored and
// looked up: trimmed and lower-cased. It accepts only a bare address
// ("name@example.id"), not one with a display name or angle brackets.
func CanonicalEmail(typed string) (string, error) {
	s := strings.TrimSpace(typed)
	if s == "" || len(s) > maxEmailBytes {
		return "", ErrInvalidEmail
	}
	for _, r := range s {
		if r < 0x21 || r == 0x7f || unicode.In(r, unicode.Cf, unicode.Cc) {
			return "", ErrInvalidEmail
		}
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return "", ErrInvalidEmail
	}
	at := strings.LastIndexByte(s, '@')
	if at < 1 || !strings.Contains(s[at+1:], ".") {
		return "", ErrInvalidEmail
	}
	return strings.ToLower(s), nil
}

// ErrInvalidPhone means a phone number is not a number masuk can send to.
var ErrInvalidPhone = errors.New("auth: invalid phone number")

// CanonicalPhone returns an Indonesian mobile number in E.164 form
// ("+6281234567890"), as [identifiers.Phone] reads it in strict mode: the
// ways Indonesians write their numbers ("0812-3456-7890",
// "62 812 3456 7890", "+62 (812) 3456 7890") are one number; fixed lines,
// numbers of other countries and prefixes no operator holds are refused,
// since masuk sends codes to it by SMS or WhatsApp. Its error wraps
// ErrInvalidPhone and the *identifiers.Error that says why, whose Message
// a form can show.
func CanonicalPhone(typed string) (string, error) {
	p, err := identifiers.Canonical(identifiers.Phone, typed, identifiers.Strict)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidPhone, err)
	}
	return p, nil
}

// ErrInvalidRealm means a realm name is empty, too long or holds characters
// other than lower-case ASCII letters, digits, '.', '-' and '_'.
var ErrInvalidRealm = errors.New("auth: invalid realm")

func checkRealm(realm string) error {
	if realm == "" || len(realm) > maxRealmBytes {
		return ErrInvalidRealm
	}
	for i := 0; i < len(realm); i++ {
		c := realm[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return ErrInvalidRealm
		}
	}
	return nil
}

func trimmed(s string) string { return strings.TrimSpace(s) }

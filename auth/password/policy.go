package password

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Length bounds of [PolicyConfig].
const (
	DefaultMinLength = 8
	DefaultMaxLength = 256
	// maxMaxLength keeps every password a Policy accepts within a default
	// Hasher's MaxBytes: 1024 code points are at most 4096 bytes of UTF-8.
	maxMaxLength = 1024
)

// Context-word settings.
const (
	// minContextRunes is the shortest context word looked for: shorter
	// ones ("ani", "id") occur in too many good passwords.
	minContextRunes = 4
	// minNationalDigits makes a username a national number (NIP, NPWP,
	// NIK...) once spaces, dots and dashes are removed.
	minNationalDigits = 8
	// nationalRun is the shortest run of a national number's digits a
	// password may not contain: a birth date (yyyymmdd inside a NIP, ddmmyy
	// inside a NIK) is at least six digits.
	nationalRun = 6
)

// Composition is a minimum count of each character class. Classes are
// Unicode's: an upper- or lowercase letter (unicode.IsUpper, IsLower), a
// decimal digit (unicode.IsDigit), and a symbol, which is any character
// that is neither a letter nor a digit (punctuation, space, emoji). A
// letter without case, such as one of Arabic script, counts as none of
// upper, lower or symbol.
//
// ASVS 6.2.5 and NIST SP 800-63B say not to impose composition rules; the
// zero Composition imposes none. Set one only where a regulation or an
// existing portal's published rules require it.
type Composition struct {
	Upper, Lower, Digit, Symbol int
}

// Composition presets.
var (
	// CompositionMySAPK is the rule of BKN's MySAPK civil-servant portal:
	// at least one capital letter and one digit.
	CompositionMySAPK = Composition{Upper: 1, Digit: 1}
	// CompositionUpperLowerDigitSymbol asks for one of each class, as
	// ASP.NET Core Identity does by default (PasswordOptions.RequireUppercase,
	// RequireLowercase, RequireDigit and RequireNonAlphanumeric) and as many
	// portals built on it or copying it do.
	CompositionUpperLowerDigitSymbol = Composition{Upper: 1, Lower: 1, Digit: 1, Symbol: 1}
)

// PresetPartner12 is the policy of partner portals such as the land
// agency's (BPN) for notaries, surveyors and banks: at least 12
// characters, with an upper-case and a lower-case letter, a digit and a
// symbol. Copy it and set Breach or Blocklist as for any PolicyConfig:
//
//	cfg := password.PresetPartner12
//	cfg.Breach = checker
//	policy, err := password.NewPolicy(cfg)
var PresetPartner12 = PolicyConfig{MinLength: 12, Composition: CompositionUpperLowerDigitSymbol}

// PolicyConfig configures a [Policy]. The zero value is a sound policy:
// 8 to 256 code points, the embedded blocklist, context words, no
// composition rules, and no breached-password lookup.
type PolicyConfig struct {
	// MinLength is the fewest code points a password may have. Zero means
	// 8, the least NewPolicy accepts (ASVS 6.2.1); NIST SP 800-63B rev. 4
	// asks for 15 where the password is the only factor.
	MinLength int
	// MaxLength is the most code points a password may have. Zero means
	// 256. NewPolicy accepts 64 (ASVS 6.2.9) to 1024, so that an accepted
	// password always fits a default Hasher's 4096-byte MaxBytes.
	MaxLength int
	// Blocklist holds the host's own words, rejected (rule "common") when
	// they are the whole password, compared case-insensitively. They add
	// to the embedded list.
	Blocklist []string
	// DisableEmbeddedBlocklist turns off the embedded list of common
	// passwords, leaving only Blocklist. ASVS 6.2.4 and NIST require a
	// blocklist: set this only to supply a larger one through Blocklist.
	DisableEmbeddedBlocklist bool
	// Composition sets minimum counts of character classes. The zero
	// value sets none; see [Composition].
	Composition Composition
	// Breach, when set, looks every new password up in a corpus of
	// passwords exposed in data breaches (rule "breached"), after the
	// local rules; package breach has a client of the Pwned Passwords
	// range API and a reader of its downloaded corpus. Nil, the default,
	// looks nothing up. See "Breached passwords" in the package doc.
	Breach BreachChecker
}

// Policy decides whether a new password may be set. It is safe for
// concurrent use; create it with [NewPolicy].
type Policy struct {
	min, max    int
	embedded    map[string]struct{} // nil when disabled
	extra       map[string]struct{}
	composition Composition
	breach      BreachChecker // nil when off
}

// NewPolicy returns a Policy for cfg, or an error wrapping ErrConfig when
// a setting is outside the bounds in PolicyConfig's comments. The first
// call that uses the embedded blocklist loads it.
func NewPolicy(cfg PolicyConfig) (*Policy, error) {
	p := &Policy{min: cfg.MinLength, max: cfg.MaxLength, composition: cfg.Composition, breach: cfg.Breach}
	if p.min == 0 {
		p.min = DefaultMinLength
	}
	if p.max == 0 {
		p.max = DefaultMaxLength
	}
	c := p.composition
	switch {
	case p.min < DefaultMinLength:
		return nil, fmt.Errorf("%w: MinLength %d is below %d", ErrConfig, p.min, DefaultMinLength)
	case p.max < 64 || p.max > maxMaxLength:
		return nil, fmt.Errorf("%w: MaxLength %d is outside 64..%d", ErrConfig, p.max, maxMaxLength)
	case p.min > p.max:
		return nil, fmt.Errorf("%w: MinLength %d is above MaxLength %d", ErrConfig, p.min, p.max)
	case c.Upper < 0 || c.Lower < 0 || c.Digit < 0 || c.Symbol < 0:
		return nil, fmt.Errorf("%w: negative Composition count", ErrConfig)
	case c.Upper+c.Lower+c.Digit+c.Symbol > p.max:
		return nil, fmt.Errorf("%w: Composition asks for more than MaxLength characters", ErrConfig)
	case p.breach != nil && isNilChecker(p.breach):
		return nil, fmt.Errorf("%w: Breach is a typed nil", ErrConfig)
	}
	if !cfg.DisableEmbeddedBlocklist {
		list, err := embeddedBlocklist()
		if err != nil {
			return nil, err
		}
		p.embedded = list
	}
	for _, w := range cfg.Blocklist {
		if w = fold(w); w != "" {
			if p.extra == nil {
				p.extra = make(map[string]struct{}, len(cfg.Blocklist))
			}
			p.extra[w] = struct{}{}
		}
	}
	return p, nil
}

// MinLength returns the fewest code points a password may have.
func (p *Policy) MinLength() int { return p.min }

// MaxLength returns the most code points a password may have.
func (p *Policy) MaxLength() int { return p.max }

// Composition returns the least count of each character class a password
// must have; the zero Composition when the policy asks for none. With
// MinLength it lets a page state the rules the policy enforces.
func (p *Policy) Composition() Composition { return p.composition }

// Context holds what a password must not contain: the account's and the
// service's own words. Empty fields are ignored.
type Context struct {
	// Username is the account's username. When it is a national number
	// (8 digits or more once spaces, dots and dashes are removed), a
	// password may also not contain 6 consecutive digits of it.
	Username string
	// Email is the account's email address; its local part is used.
	Email string
	// Realm is the name of the service or portal.
	Realm string
	// Words are other words tied to the account or the service: a display
	// name, an organisation, the portal's brand.
	Words []string
}

// Check returns nil when password may be set, or a *[PolicyError] listing
// every rule it breaks, in a stable order: length, blocklist, context
// words, composition, breach. Length is counted in code points of the NFC
// form (NIST SP 800-63B: each code point is one character); nothing is
// trimmed or truncated. The blocklist and context words are compared
// case-insensitively: a blocklisted word must be the whole password, a
// context word of 4 or more characters (the whole value or a part of it
// between punctuation) must not occur anywhere in it.
//
// With a [BreachChecker] (PolicyConfig.Breach), Check then looks the
// password up, under ctx, unless the blocklist has refused it already,
// and reports a password found in the corpus as one more violation
// (RuleBreached, with the count in Limit). When the lookup fails, Check
// returns an error wrapping [ErrBreachUnavailable] and the checker's
// error, or the *PolicyError of the local rules when there is one: a
// password those refuse needs no lookup to be refused.
//
// A password more than 16×MaxLength bytes long is reported as too long
// without being examined further.
func (p *Policy) Check(ctx context.Context, password string, c Context) error {
	if len(password) > 16*p.max {
		return &PolicyError{Violations: []Violation{{Rule: RuleTooLong, Limit: p.max}}}
	}
	pw := norm.NFC.String(password)
	var vs []Violation
	var n, upper, lower, digit, symbol int
	for _, r := range pw {
		n++
		switch {
		case unicode.IsUpper(r):
			upper++
		case unicode.IsLower(r):
			lower++
		case unicode.IsDigit(r):
			digit++
		case !unicode.IsLetter(r):
			symbol++
		}
	}
	switch {
	case n < p.min:
		vs = append(vs, Violation{Rule: RuleTooShort, Limit: p.min})
	case n > p.max:
		vs = append(vs, Violation{Rule: RuleTooLong, Limit: p.max})
	}
	folded := strings.ToLower(pw)
	common := p.blocked(folded)
	if common {
		vs = append(vs, Violation{Rule: RuleCommon})
	}
	vs = checkContext(vs, folded, c)
	for _, need := range [...]struct {
		rule      Rule
		have, min int
	}{
		{RuleNeedsUpper, upper, p.composition.Upper},
		{RuleNeedsLower, lower, p.composition.Lower},
		{RuleNeedsDigit, digit, p.composition.Digit},
		{RuleNeedsSymbol, symbol, p.composition.Symbol},
	} {
		if need.have < need.min {
			vs = append(vs, Violation{Rule: need.rule, Limit: need.min})
		}
	}
	if p.breach != nil && !common {
		count, err := p.breached(ctx, password, pw)
		switch {
		case err != nil && vs == nil:
			return fmt.Errorf("%w: %w", ErrBreachUnavailable, err)
		case err == nil && count > 0:
			vs = append(vs, Violation{Rule: RuleBreached, Limit: count})
		}
	}
	if vs == nil {
		return nil
	}
	return &PolicyError{Violations: vs}
}

// breached asks the BreachChecker about the NFC form of the password,
// which is what a Hasher hashes, and also about the form received when
// that differs: a corpus holds the bytes that leaked, and a login typing
// either form would verify.
func (p *Policy) breached(ctx context.Context, received, nfc string) (int, error) {
	n, err := p.breach.Breached(ctx, nfc)
	if err != nil || received == nfc {
		return n, err
	}
	m, err := p.breach.Breached(ctx, received)
	if err != nil {
		return 0, err
	}
	return max(n, m), nil
}

func (p *Policy) blocked(folded string) bool {
	if _, ok := p.embedded[folded]; ok {
		return true
	}
	_, ok := p.extra[folded]
	return ok
}

// fold returns the form in which words are compared: NFC, lowercase.
func fold(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// checkContext appends a violation for each kind of context word that the
// folded password contains, and one when it contains a run of a national
// number's digits.
func checkContext(vs []Violation, folded string, c Context) []Violation {
	email := c.Email
	if at := strings.LastIndexByte(email, '@'); at >= 0 {
		email = email[:at]
	}
	if containsContext(folded, c.Username) {
		vs = append(vs, Violation{Rule: RuleContext, Context: ContextUsername})
	}
	if containsContext(folded, email) {
		vs = append(vs, Violation{Rule: RuleContext, Context: ContextEmail})
	}
	if containsContext(folded, c.Realm) {
		vs = append(vs, Violation{Rule: RuleContext, Context: ContextRealm})
	}
	for _, w := range c.Words {
		if containsContext(folded, w) {
			vs = append(vs, Violation{Rule: RuleContext, Context: ContextWord})
			break
		}
	}
	if containsNationalRun(folded, c.Username) {
		vs = append(vs, Violation{Rule: RuleContextDigits, Limit: nationalRun, Context: ContextUsername})
	}
	return vs
}

// containsContext reports whether folded contains value, or a part of value
// between characters that are neither letters nor digits, counting only
// those of at least minContextRunes runes.
func containsContext(folded, value string) bool {
	if value == "" {
		return false
	}
	value = fold(value)
	if longEnough(value) && strings.Contains(folded, value) {
		return true
	}
	for part := range strings.FieldsFuncSeq(value, notLetterOrDigit) {
		if len(part) < len(value) && longEnough(part) && strings.Contains(folded, part) {
			return true
		}
	}
	return false
}

func longEnough(s string) bool { return utf8.RuneCountInString(s) >= minContextRunes }

func notLetterOrDigit(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }

// isDateSeparator reports the characters removed from national numbers
// and from passwords before their digits are compared.
func isDateSeparator(r rune) bool { return r == ' ' || r == '.' || r == '-' || r == '/' }

// containsNationalRun reports whether username is a national number and
// folded, once date separators are removed, contains nationalRun
// consecutive digits of it.
func containsNationalRun(folded, username string) bool {
	var buf [64]byte
	digits := buf[:0]
	for _, r := range username {
		switch {
		case '0' <= r && r <= '9':
			if len(digits) == len(buf) {
				return false
			}
			digits = append(digits, byte(r))
		case isDateSeparator(r):
		default:
			return false
		}
	}
	if len(digits) < minNationalDigits {
		return false
	}
	if strings.ContainsFunc(folded, isDateSeparator) {
		folded = strings.Map(func(r rune) rune {
			if isDateSeparator(r) {
				return -1
			}
			return r
		}, folded)
	}
	for i := 0; i+nationalRun <= len(digits); i++ {
		if strings.Contains(folded, string(digits[i:i+nationalRun])) {
			return true
		}
	}
	return false
}

package password

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newPolicy(t testing.TB, cfg PolicyConfig) *Policy {
	t.Helper()
	p, err := NewPolicy(cfg)
	require.NoError(t, err)
	return p
}

// violations returns the violations of err, nil when err is nil.
func violations(t *testing.T, err error) []Violation {
	t.Helper()
	if err == nil {
		return nil
	}
	require.ErrorIs(t, err, ErrPolicy)
	var pe *PolicyError
	require.ErrorAs(t, err, &pe)
	require.NotEmpty(t, pe.Violations)
	return pe.Violations
}

func TestNewPolicy(t *testing.T) {
	tests := []struct {
		name string
		cfg  PolicyConfig
		ok   bool
	}{
		{"zero", PolicyConfig{}, true},
		{"min 8", PolicyConfig{MinLength: 8}, true},
		{"min 15", PolicyConfig{MinLength: 15}, true},
		{"min 7", PolicyConfig{MinLength: 7}, false},
		{"min 6 as some portals have", PolicyConfig{MinLength: 6, Composition: CompositionMySAPK}, false},
		{"negative min", PolicyConfig{MinLength: -1}, false},
		{"max 64", PolicyConfig{MaxLength: 64}, true},
		{"max 63", PolicyConfig{MaxLength: 63}, false},
		{"max 1024", PolicyConfig{MaxLength: 1024}, true},
		{"max 1025", PolicyConfig{MaxLength: 1025}, false},
		{"min above max", PolicyConfig{MinLength: 65, MaxLength: 64}, false},
		{"min equals max", PolicyConfig{MinLength: 64, MaxLength: 64}, true},
		{"negative composition", PolicyConfig{Composition: Composition{Digit: -1}}, false},
		{"composition above max", PolicyConfig{MaxLength: 64, Composition: Composition{Upper: 32, Lower: 33}}, false},
		{"presets", PolicyConfig{Composition: CompositionUpperLowerDigitSymbol}, true},
		{"no embedded list", PolicyConfig{DisableEmbeddedBlocklist: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewPolicy(tt.cfg)
			if !tt.ok {
				require.ErrorIs(t, err, ErrConfig)
				assert.True(t, strings.HasPrefix(err.Error(), "password: "), err.Error())
				return
			}
			require.NoError(t, err)
			want := max(tt.cfg.MinLength, DefaultMinLength)
			assert.Equal(t, want, p.MinLength())
			want = tt.cfg.MaxLength
			if want == 0 {
				want = DefaultMaxLength
			}
			assert.Equal(t, want, p.MaxLength())
			assert.Equal(t, tt.cfg.Composition, p.Composition())
		})
	}
}

// Cases 13, 14 and 19: length is in code points of the NFC form, long and
// lowercase passphrases and emoji are accepted, nothing is truncated.
func TestCheckLength(t *testing.T) {
	def := newPolicy(t, PolicyConfig{})
	nist := newPolicy(t, PolicyConfig{MinLength: 15})
	short := newPolicy(t, PolicyConfig{MaxLength: 64})
	long64 := strings.Repeat("kuda laut ", 6) + "biru" // 64 characters
	require.Equal(t, 64, utf8.RuneCountInString(long64))
	tests := []struct {
		name string
		p    *Policy
		pw   string
		want []Violation
	}{
		{"é×15 composed counts 15", nist, strings.Repeat("\u00e9", 15), nil},
		{"é×15 decomposed counts 15", nist, strings.Repeat("e\u0301", 15), nil},
		{"é×14 decomposed is short", nist, strings.Repeat("e\u0301", 14), []Violation{{Rule: RuleTooShort, Limit: 15}}},
		{"14 ASCII is short", nist, "kudalautbiru14", []Violation{{Rule: RuleTooShort, Limit: 15}}},
		{"15 ASCII", nist, "kudalautbiru-15", nil},
		{"8 by default", def, "kud4-l4u", nil},
		{"7 by default", def, "kud4-l4", []Violation{{Rule: RuleTooShort, Limit: 8}}},
		{"empty", def, "", []Violation{{Rule: RuleTooShort, Limit: 8}}},
		{"lowercase passphrase", def, "kuda laut biru makan pisang goreng", nil},
		{"emoji", def, "🐱🐶🐭🐹🐰🦊🐻🐼", nil},
		{"emoji with ZWJ sequences count code points", def, "👩‍👩‍👧👨‍🚀", nil},
		{"spaces only are length", def, "        ", nil},
		{"64 characters accepted by max 64", short, long64, nil},
		{"65 characters over max 64", short, long64 + "!", []Violation{{Rule: RuleTooLong, Limit: 64}}},
		{"257 over the default", def, strings.Repeat("x", 257), []Violation{{Rule: RuleTooLong, Limit: 256}}},
		{"256 within the default", def, strings.Repeat("x", 256), nil},
		{"huge is too long without scanning", def, strings.Repeat("x", 10<<20), []Violation{{Rule: RuleTooLong, Limit: 256}}},
		{"NUL is a character", def, "abc\x00defg", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := violations(t, tt.p.Check(t.Context(), tt.pw, Context{}))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckBlocklist(t *testing.T) {
	def := newPolicy(t, PolicyConfig{Blocklist: []string{"Kemenkeu-Jaya", "", "  "}})
	none := newPolicy(t, PolicyConfig{DisableEmbeddedBlocklist: true, Blocklist: []string{"garuda-perkasa"}})
	common := []Violation{{Rule: RuleCommon}}
	tests := []struct {
		name string
		p    *Policy
		pw   string
		want []Violation
	}{
		{"top English", def, "password", common},
		{"case-insensitive", def, "PassWord", common},
		{"zxcvbn digits", def, "12345678", common},
		{"zxcvbn last entry", def, "mercede1", common},
		{"short and common", def, "123456", []Violation{{Rule: RuleTooShort, Limit: 8}, {Rule: RuleCommon}}},
		{"Indonesian base word", def, "bismillah", common},
		{"Indonesian with suffix", def, "Sayang123", common},
		{"Indonesian with year", def, "Indonesia2024", common},
		{"Indonesian with symbol suffix", def, "rahasia@123", common},
		{"Indonesian 1945", def, "merdeka1945", common},
		{"host word, case-insensitive", def, "kemenkeu-jaya", common},
		{"whole password only", def, "password-kuda-laut", nil},
		{"not a list entry", def, "kuda laut biru", nil},
		{"embedded list disabled", none, "password", nil},
		{"host list still applies", none, "Garuda-Perkasa", common},
		{"NFC before comparing", newPolicy(t, PolicyConfig{Blocklist: []string{"kafe\u0301-enak"}}), "KAF\u00c9-ENAK", common},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, violations(t, tt.p.Check(t.Context(), tt.pw, Context{})))
		})
	}
}

func TestEmbeddedBlocklist(t *testing.T) {
	set, err := embeddedBlocklist()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(set), 30000+8000)
	for w := range set {
		require.Equal(t, fold(w), w, "entries must be stored as Check compares them")
		require.NotContains(t, w, "\n")
	}
	for _, w := range []string{"123456", "password", "qwerty", "sayang", "cintaku123", "katasandi", "bismillah", "jakarta2025", "persib1"} {
		assert.Contains(t, set, w)
	}
	again, err := embeddedBlocklist()
	require.NoError(t, err)
	assert.Equal(t, len(set), len(again), "loaded once")
}

func TestCheckContext(t *testing.T) {
	p := newPolicy(t, PolicyConfig{})
	user := func(kind string) []Violation { return []Violation{{Rule: RuleContext, Context: kind}} }
	digits := []Violation{{Rule: RuleContextDigits, Limit: 6, Context: ContextUsername}}
	tests := []struct {
		name string
		pw   string
		c    Context
		want []Violation
	}{
		{"username whole", "xbudisantosox", Context{Username: "BudiSantoso"}, user(ContextUsername)},
		{"username part", "Santoso#Lestari9", Context{Username: "budi.santoso"}, user(ContextUsername)},
		{"username part short is ignored", "ani-suka-kopi-hitam", Context{Username: "ani"}, nil},
		{"username absent", "kuda laut biru", Context{Username: "budi.santoso"}, nil},
		{"email local part", "wulandari-2024!", Context{Email: "rina.wulandari@example.go.id"}, user(ContextEmail)},
		{"email domain is not context", "example-kuda-laut", Context{Email: "rina@example.go.id"}, nil},
		{"realm", "Simpeg#Kuat2024", Context{Realm: "simpeg"}, user(ContextRealm)},
		{"extra word part", "keuangan-saya-99", Context{Words: []string{"Kementerian Keuangan"}}, user(ContextWord)},
		{"extra words reported once", "keuangan-kementerian", Context{Words: []string{"Kementerian", "Keuangan"}}, user(ContextWord)},
		{"unicode case-insensitive match", "ÉLODIE-kuda-laut", Context{Username: "élodie"}, user(ContextUsername)},
		{"several kinds", "budisantoso@lpse", Context{Username: "budisantoso", Email: "budisantoso@x.id", Realm: "lpse"}, []Violation{
			{Rule: RuleContext, Context: ContextUsername}, {Rule: RuleContext, Context: ContextEmail}, {Rule: RuleContext, Context: ContextRealm},
		}},

		{"NIP birth date", "lahir19850312!", Context{Username: "198503122010011001"}, digits},
		{"NIP birth date with separators", "Lahir 1985-03-12 ok", Context{Username: "198503122010011001"}, digits},
		{"NIP date with slashes", "kuda 1985/03/12", Context{Username: "19850312 201001 1 001"}, digits},
		{"NIP six digits from the middle", "kuda-220100-laut", Context{Username: "198503122010011001"}, digits},
		{"NIP five digits are fine", "kuda-19850-laut", Context{Username: "198503122010011001"}, nil},
		{"NIP reordered date is not a run", "kuda-12031985", Context{Username: "198503122010011001"}, nil},
		{"NPWP formatted", "x012345abcdefg", Context{Username: "01.234.567.8-901.000"}, digits},
		{"whole NIP is both context and digits", "kuda198503122010011001", Context{Username: "198503122010011001"}, append(user(ContextUsername), digits...)},
		{"7 digits is not a national number", "abc1234567xyz", Context{Username: "1234567"}, user(ContextUsername)},
		{"7 digits, six of them", "abc123456xyz", Context{Username: "1234567"}, nil},
		{"letters make it no national number", "abc123456xyz", Context{Username: "budi12345678"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, violations(t, p.Check(t.Context(), tt.pw, tt.c)))
		})
	}
}

func TestCheckComposition(t *testing.T) {
	mysapk := newPolicy(t, PolicyConfig{Composition: CompositionMySAPK})
	all := newPolicy(t, PolicyConfig{Composition: CompositionUpperLowerDigitSymbol})
	many := newPolicy(t, PolicyConfig{Composition: Composition{Upper: 2, Lower: 2, Digit: 2, Symbol: 2}})
	tests := []struct {
		name string
		p    *Policy
		pw   string
		want []Violation
	}{
		{"MySAPK missing both", mysapk, "kudalautbiru", []Violation{{Rule: RuleNeedsUpper, Limit: 1}, {Rule: RuleNeedsDigit, Limit: 1}}},
		{"MySAPK satisfied", mysapk, "Kudalautbiru7", nil},
		{"ASP.NET style satisfied", all, "Kuda laut 7", nil},
		{"ASP.NET style, space is a symbol", all, "Kuda laut7", nil},
		{"ASP.NET style missing symbol", all, "Kudalautbiru7", []Violation{{Rule: RuleNeedsSymbol, Limit: 1}}},
		{"Unicode classes", all, "ÉCOLE-été-٣", nil},
		{"emoji is a symbol", many, "KUdalaut🐱🐶12", nil},
		{"counts", many, "Kudalaut-1", []Violation{{Rule: RuleNeedsUpper, Limit: 2}, {Rule: RuleNeedsDigit, Limit: 2}, {Rule: RuleNeedsSymbol, Limit: 2}}},
		{"letters without case count as nothing", mysapk, "كلمةالسرالعربية", []Violation{{Rule: RuleNeedsUpper, Limit: 1}, {Rule: RuleNeedsDigit, Limit: 1}}},
		{"none by default", newPolicy(t, PolicyConfig{}), "kudalautbiru", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, violations(t, tt.p.Check(t.Context(), tt.pw, Context{})))
		})
	}
}

// Every violation is reported at once, in a stable order.
func TestCheckReportsEverything(t *testing.T) {
	p := newPolicy(t, PolicyConfig{MinLength: 12, Composition: CompositionUpperLowerDigitSymbol})
	err := p.Check(t.Context(), "budi", Context{Username: "budi.s", Email: "budi@example.id", Realm: "budi", Words: []string{"budi"}})
	assert.Equal(t, []Violation{
		{Rule: RuleTooShort, Limit: 12},
		{Rule: RuleCommon},
		{Rule: RuleContext, Context: ContextUsername},
		{Rule: RuleContext, Context: ContextEmail},
		{Rule: RuleContext, Context: ContextRealm},
		{Rule: RuleContext, Context: ContextWord},
		{Rule: RuleNeedsUpper, Limit: 1},
		{Rule: RuleNeedsDigit, Limit: 1},
		{Rule: RuleNeedsSymbol, Limit: 1},
	}, violations(t, err))
	assert.Equal(t, "password: does not satisfy the policy: too_short (12), common, context (username), context (email), context (realm), context (word), needs_upper (1), needs_digit (1), needs_symbol (1)", err.Error())
}

func TestPolicyError(t *testing.T) {
	const secret = "Zq9#Rahasia"
	p := newPolicy(t, PolicyConfig{MinLength: 12, Blocklist: []string{secret}})
	err := p.Check(t.Context(), secret, Context{Username: "rahasia"})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrPolicy))
	assert.False(t, errors.Is(err, ErrMismatch))
	assert.NotContains(t, strings.ToLower(err.Error()), strings.ToLower(secret))
	assert.NotContains(t, err.Error(), "rahasia", "nor the context word")
	assert.True(t, strings.HasPrefix(err.Error(), "password: "))
	assert.Equal(t, strings.ToLower(err.Error()), err.Error())

	var pe *PolicyError
	require.ErrorAs(t, err, &pe)
	for _, lang := range []string{"id", "en"} {
		for _, m := range pe.Messages(lang) {
			assert.NotContains(t, strings.ToLower(m), "rahasia")
		}
	}
	raw, jerr := json.Marshal(pe.Violations)
	require.NoError(t, jerr)
	assert.JSONEq(t, `[{"rule":"too_short","limit":12},{"rule":"common"},{"rule":"context","context":"username"}]`, string(raw))

	wrapped := errors.Join(errors.New("auth: register"), err)
	assert.ErrorIs(t, wrapped, ErrPolicy)
}

func TestViolationMessage(t *testing.T) {
	vs := []Violation{
		{Rule: RuleTooShort, Limit: 8},
		{Rule: RuleTooLong, Limit: 256},
		{Rule: RuleCommon},
		{Rule: RuleContext, Context: ContextUsername},
		{Rule: RuleContext, Context: ContextEmail},
		{Rule: RuleContext, Context: ContextRealm},
		{Rule: RuleContext, Context: ContextWord},
		{Rule: RuleContextDigits, Limit: 6, Context: ContextUsername},
		{Rule: RuleNeedsUpper, Limit: 1},
		{Rule: RuleNeedsLower, Limit: 2},
		{Rule: RuleNeedsDigit, Limit: 1},
		{Rule: RuleNeedsSymbol, Limit: 3},
		{Rule: RuleBreached, Limit: 52256179},
		{Rule: "future_rule"},
	}
	seen := map[string]bool{}
	for _, v := range vs {
		id, en := v.Message("id"), v.Message("en")
		for _, m := range []string{id, en} {
			assert.NotEmpty(t, m)
			assert.NotContains(t, m, "%!", "formatting error in %q", m)
			assert.False(t, seen[m], "duplicate message %q", m)
			seen[m] = true
		}
		assert.Equal(t, id, v.Message(""), "Indonesian is the default")
		assert.Equal(t, id, v.Message("fr"))
		assert.Equal(t, id, v.Message("id-ID"))
		assert.Equal(t, en, v.Message("en-US"))
		assert.Equal(t, en, v.Message("EN_gb"))
	}
	assert.Equal(t, "Kata sandi minimal 8 karakter.", Violation{Rule: RuleTooShort, Limit: 8}.Message("id"))
	assert.Equal(t, "Password must be at least 8 characters long.", Violation{Rule: RuleTooShort, Limit: 8}.Message("en"))
	assert.Equal(t, "Password must contain at least 1 uppercase letter.", Violation{Rule: RuleNeedsUpper, Limit: 1}.Message("en"))
	assert.Equal(t, "Password must contain at least 2 digits.", Violation{Rule: RuleNeedsDigit, Limit: 2}.Message("en"))
	assert.Equal(t, "Kata sandi ini telah muncul 52.256.179 kali dalam kebocoran data.", Violation{Rule: RuleBreached, Limit: 52256179}.Message("id"))
	assert.Equal(t, "This password has appeared 52,256,179 times in data breaches.", Violation{Rule: RuleBreached, Limit: 52256179}.Message("en"))
	assert.Equal(t, "This password has appeared once in a data breach.", Violation{Rule: RuleBreached, Limit: 1}.Message("en"))
	assert.Equal(t, "Kata sandi ini telah muncul 1 kali dalam kebocoran data.", Violation{Rule: RuleBreached, Limit: 1}.Message("id"))
	assert.Equal(t, "Kata sandi maksimal 1.024 karakter.", Violation{Rule: RuleTooLong, Limit: 1024}.Message("id"))
	assert.Equal(t, "Password must be at most 1,024 characters long.", Violation{Rule: RuleTooLong, Limit: 1024}.Message("en"))
}

func TestGroupDigits(t *testing.T) {
	for _, tt := range []struct {
		n    int
		want string
	}{{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1.000"}, {52256179, "52.256.179"}, {100000, "100.000"}, {-1234, "-1.234"}} {
		assert.Equal(t, tt.want, groupDigits(tt.n, '.'))
	}
}

// Check is cheap on the common path: an accepted password with a full
// context costs a handful of allocations, none for the blocklist.
func TestCheckAllocations(t *testing.T) {
	p := newPolicy(t, PolicyConfig{})
	c := Context{Username: "budi.santoso", Email: "budi.santoso@example.go.id", Realm: "lpse", Words: []string{"Kementerian Keuangan"}}
	require.NoError(t, p.Check(t.Context(), "kuda laut biru makan pisang", c))
	allocs := testing.AllocsPerRun(100, func() { _ = p.Check(t.Context(), "kuda laut biru makan pisang", c) })
	assert.LessOrEqual(t, allocs, 8.0)
	allocs = testing.AllocsPerRun(100, func() { _ = p.Check(t.Context(), "kuda laut biru makan pisang", Context{}) })
	assert.Zero(t, allocs)
}

// TestPresetPartner12: 12 characters of all four classes pass; one short,
// or without any one class, does not.
func TestPresetPartner12(t *testing.T) {
	p, err := NewPolicy(PresetPartner12)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(t.Context(), "Notaris#2026a", Context{}); err != nil {
		t.Errorf("a 13-character mixed password: %v", err)
	}
	for _, pw := range []string{"Notaris#202", "notaris#2026a", "NOTARIS#2026A", "Notaris#abcde", "Notaris22026a"} {
		if err := p.Check(t.Context(), pw, Context{}); err == nil {
			t.Errorf("%q passed", pw)
		}
	}
	if p.MinLength() != 12 {
		t.Errorf("MinLength = %d", p.MinLength())
	}
}

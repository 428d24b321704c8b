package password

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeBreach is a BreachChecker with a corpus in memory, recording what it
// is asked.
type fakeBreach struct {
	corpus map[string]int
	err    error

	mu    sync.Mutex
	asked []string
	ctxs  []context.Context
}

func (f *fakeBreach) Breached(ctx context.Context, password string) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, password)
	f.ctxs = append(f.ctxs, ctx)
	if f.err != nil {
		return 0, f.err
	}
	return f.corpus[password], nil
}

func TestNewPolicyBreach(t *testing.T) {
	var nilChecker *fakeBreach
	_, err := NewPolicy(PolicyConfig{Breach: nilChecker})
	require.ErrorIs(t, err, ErrConfig, "a typed nil would panic at the first Check")
	_, err = NewPolicy(PolicyConfig{Breach: &fakeBreach{}})
	require.NoError(t, err)
}

// The breach check is one more rule: reported last, with the other
// violations, its count in Limit.
func TestCheckBreach(t *testing.T) {
	fb := &fakeBreach{corpus: map[string]int{
		"kuda laut biru makan pisang": 2,
		"Jakarta#2024":                52256179,
		"budi-jakarta-1":              1,
		"password":                    9999999,
	}}
	p := newPolicy(t, PolicyConfig{Breach: fb, Composition: CompositionMySAPK})
	tests := []struct {
		name  string
		pw    string
		c     Context
		want  []Violation
		asked bool
	}{
		{"not breached", "Kuda laut biru 2026", Context{}, nil, true},
		{"breached alone", "Jakarta#2024", Context{}, []Violation{{Rule: RuleBreached, Limit: 52256179}}, true},
		{"breached with the local rules", "kuda laut biru makan pisang", Context{}, []Violation{
			{Rule: RuleNeedsUpper, Limit: 1}, {Rule: RuleNeedsDigit, Limit: 1}, {Rule: RuleBreached, Limit: 2}}, true},
		{"breached and containing the username", "budi-jakarta-1", Context{Username: "budi"}, []Violation{
			{Rule: RuleContext, Context: ContextUsername}, {Rule: RuleNeedsUpper, Limit: 1}, {Rule: RuleBreached, Limit: 1}}, true},
		{"blocklisted: not asked", "password", Context{}, []Violation{
			{Rule: RuleCommon}, {Rule: RuleNeedsUpper, Limit: 1}, {Rule: RuleNeedsDigit, Limit: 1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb.asked = nil
			assert.Equal(t, tt.want, violations(t, p.Check(t.Context(), tt.pw, tt.c)))
			if tt.asked {
				assert.Equal(t, []string{tt.pw}, fb.asked)
			} else {
				assert.Empty(t, fb.asked)
			}
		})
	}

	// Off by default: nothing is asked.
	fb.asked = nil
	require.NoError(t, newPolicy(t, PolicyConfig{}).Check(t.Context(), "Jakarta#2024", Context{}))
	assert.Empty(t, fb.asked)
}

type ctxKey struct{}

// The caller's context reaches the checker.
func TestCheckBreachContext(t *testing.T) {
	fb := &fakeBreach{}
	p := newPolicy(t, PolicyConfig{Breach: fb})
	ctx := context.WithValue(t.Context(), ctxKey{}, "request 7")
	require.NoError(t, p.Check(ctx, "Kuda laut biru 2026", Context{}))
	require.Len(t, fb.ctxs, 1)
	assert.Equal(t, "request 7", fb.ctxs[0].Value(ctxKey{}))
}

// The NFC form is asked, and the form received when it differs; the
// larger count wins.
func TestCheckBreachForms(t *testing.T) {
	const nfd, nfc = "cafe\u0301 kopi susu", "caf\u00e9 kopi susu"
	fb := &fakeBreach{corpus: map[string]int{nfd: 7}}
	p := newPolicy(t, PolicyConfig{Breach: fb})
	assert.Equal(t, []Violation{{Rule: RuleBreached, Limit: 7}}, violations(t, p.Check(t.Context(), nfd, Context{})))
	assert.Equal(t, []string{nfc, nfd}, fb.asked)

	fb.asked = nil
	require.NoError(t, p.Check(t.Context(), nfc, Context{}), "the NFC form is not in this corpus")
	assert.Equal(t, []string{nfc}, fb.asked, "an NFC password is asked once")

	fb.corpus = map[string]int{nfc: 3}
	assert.Equal(t, []Violation{{Rule: RuleBreached, Limit: 3}}, violations(t, p.Check(t.Context(), nfd, Context{})))
}

// A failed lookup is ErrBreachUnavailable when the local rules accept the
// password, and leaves their violations alone when they do not.
func TestCheckBreachUnavailable(t *testing.T) {
	cause := errors.New("breach: range API: 503 Service Unavailable")
	fb := &fakeBreach{err: cause}
	p := newPolicy(t, PolicyConfig{Breach: fb})

	err := p.Check(t.Context(), "Kuda laut biru 2026", Context{})
	require.ErrorIs(t, err, ErrBreachUnavailable)
	require.ErrorIs(t, err, cause)
	assert.NotErrorIs(t, err, ErrPolicy)
	var pe *PolicyError
	assert.False(t, errors.As(err, &pe))
	assert.Equal(t, "password: breached-password check unavailable: breach: range API: 503 Service Unavailable", err.Error())

	err = p.Check(t.Context(), "kuda", Context{})
	assert.Equal(t, []Violation{{Rule: RuleTooShort, Limit: 8}}, violations(t, err))
	assert.NotErrorIs(t, err, ErrBreachUnavailable)

	// The second form's failure counts too.
	second := &failSecond{err: cause}
	p = newPolicy(t, PolicyConfig{Breach: second})
	require.ErrorIs(t, p.Check(t.Context(), "cafe\u0301 kopi susu", Context{}), ErrBreachUnavailable)
}

// failSecond answers its first question and fails the next.
type failSecond struct {
	n   int
	err error
}

func (f *failSecond) Breached(context.Context, string) (int, error) {
	f.n++
	if f.n > 1 {
		return 0, f.err
	}
	return 0, nil
}

// lengthBreach calls a password breached len(password)%3 times: a
// stateless checker for the fuzzer.
type lengthBreach struct{}

func (lengthBreach) Breached(_ context.Context, password string) (int, error) {
	return len(password) % 3, nil
}

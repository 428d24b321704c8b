package identifiers_test

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/identifiers"
)

// vector is one row of testdata/vectors.tsv.
type vector struct {
	line    int
	kind    identifiers.Kind
	mode    identifiers.Mode
	input   string
	want    string // canonical digits, or "" when an error is wanted
	reason  string // the wanted error's Reason.String()
	pos     int    // the wanted Pos of a Character error
	got     int    // the wanted Got of a Length error
	display string
	source  string
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	f, err := os.Open("testdata/vectors.tsv")
	require.NoError(t, err)
	defer f.Close()
	var vs []vector
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 6, "line %d", n)
		v := vector{line: n, display: cols[4], source: cols[5]}
		v.kind, err = identifiers.ParseKind(cols[0])
		require.NoError(t, err, "line %d", n)
		switch cols[1] {
		case "strict":
			v.mode = identifiers.Strict
		case "lenient":
			v.mode = identifiers.Lenient
		default:
			t.Fatalf("line %d: mode %q", n, cols[1])
		}
		v.input = cols[2]
		if strings.HasPrefix(v.input, `"`) {
			v.input, err = strconv.Unquote(v.input)
			require.NoError(t, err, "line %d", n)
		}
		want, isErr := strings.CutPrefix(cols[3], "!")
		switch {
		case !isErr:
			v.want = want
		case strings.HasPrefix(want, "character@"):
			v.reason = "character"
			v.pos, err = strconv.Atoi(strings.TrimPrefix(want, "character@"))
			require.NoError(t, err, "line %d", n)
		case strings.HasPrefix(want, "length:"):
			v.reason = "length"
			v.got, err = strconv.Atoi(strings.TrimPrefix(want, "length:"))
			require.NoError(t, err, "line %d", n)
		default:
			v.reason = want
		}
		require.NotEmpty(t, v.source, "line %d: every vector names its source", n)
		vs = append(vs, v)
	}
	require.NoError(t, sc.Err())
	require.NotEmpty(t, vs)
	return vs
}

func (v vector) name() string {
	return strconv.Itoa(v.line) + "/" + v.kind.String() + "/" + v.mode.String()
}

func TestVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.name(), func(t *testing.T) {
			got, err := identifiers.Canonical(v.kind, v.input, v.mode)
			verr := identifiers.Validate(v.kind, v.input, v.mode)
			if v.reason == "" {
				require.NoError(t, err, "%q (%s)", v.input, v.source)
				assert.NoError(t, verr)
				assert.Equal(t, v.want, got, v.source)
				shown, err := identifiers.Format(v.kind, v.input)
				require.NoError(t, err)
				if v.display != "" {
					assert.Equal(t, v.display, shown, v.source)
				}
				back, err := identifiers.Canonical(v.kind, shown, v.mode)
				require.NoError(t, err, "Canonical(Format(x)) for %q", shown)
				assert.Equal(t, got, back)
				return
			}
			require.Error(t, err, "%q should be rejected (%s), got %q", v.input, v.source, got)
			assert.Empty(t, got)
			assert.Equal(t, err, verr, "Validate and Canonical agree")
			var e *identifiers.Error
			require.True(t, errors.As(err, &e))
			assert.Equal(t, v.kind, e.Kind)
			assert.Equal(t, v.reason, e.Reason.String(), "%q: %v (%s)", v.input, err, v.source)
			assert.Equal(t, v.pos, e.Pos)
			assert.Equal(t, v.got, e.Got)
		})
	}
}

// TestVectorsNPWPForms checks every valid legacy NPWP of the vectors in
// its other forms: as NPWP it canonicalises to 0 + the 15 digits, which is
// a valid NPWP16 and converts back.
func TestVectorsNPWPForms(t *testing.T) {
	n := 0
	for _, v := range loadVectors(t) {
		if v.kind != identifiers.NPWP15 || v.reason != "" {
			continue
		}
		n++
		c, err := identifiers.Canonical(identifiers.NPWP, v.input, v.mode)
		require.NoError(t, err, v.input)
		assert.Equal(t, "0"+v.want, c)
		require.NoError(t, identifiers.Validate(identifiers.NPWP16, c, v.mode))
		p, err := identifiers.ParseNPWP(v.input, v.mode)
		require.NoError(t, err)
		legacy, ok := p.NPWP15()
		assert.True(t, ok)
		assert.Equal(t, v.want, legacy)
		shown, _ := p.Format15()
		f, err := identifiers.Format(identifiers.NPWP15, v.input)
		require.NoError(t, err)
		assert.Equal(t, f, shown)
	}
	assert.Greater(t, n, 190, "the real numbers of python-stdnum's tests")
}

// TestVectorsStrictImpliesLenient checks that lenient mode accepts every
// number strict mode accepts, with the same canonical form.
func TestVectorsStrictImpliesLenient(t *testing.T) {
	for _, v := range loadVectors(t) {
		if v.mode != identifiers.Strict || v.reason != "" {
			continue
		}
		got, err := identifiers.Canonical(v.kind, v.input, identifiers.Lenient)
		require.NoError(t, err, v.input)
		assert.Equal(t, v.want, got)
	}
}

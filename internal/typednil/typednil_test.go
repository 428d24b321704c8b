package typednil_test

import (
	"io"
	"os"
	"testing"

	"github.com/masuk-id/masuk/internal/typednil"
)

func TestIs(t *testing.T) {
	var f *os.File
	var r io.Reader = f
	var m map[string]int
	for _, tc := range []struct {
		v    any
		want bool
	}{
		{nil, true}, {f, true}, {r, true}, {m, true}, {(func())(nil), true},
		{os.Stdin, false}, {0, false}, {"", false}, {struct{}{}, false}, {map[string]int{}, false},
	} {
		if got := typednil.Is(tc.v); got != tc.want {
			t.Errorf("Is(%#v) = %v, want %v", tc.v, got, tc.want)
		}
	}
}

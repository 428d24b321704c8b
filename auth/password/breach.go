package password

import (
	"context"
	"errors"
	"reflect"
)

// BreachChecker looks passwords up in a corpus of passwords exposed in
// data breaches, which NIST SP 800-63B and ASVS 6.2.12 ask a verifier to
// refuse. Package breach (auth/password/breach) has two: a client of the
// Pwned Passwords range API and a reader of the corpus downloaded from
// it. A [Policy] consults one when PolicyConfig.Breach is set.
type BreachChecker interface {
	// Breached returns how many times password appears in the corpus, 0
	// when it does not. It must not keep, log or send the password. An
	// error means the lookup failed, and the Policy then neither accepts
	// nor refuses the password (see [ErrBreachUnavailable]); a checker
	// that prefers to let passwords through when it fails returns 0 and
	// nil instead, and reports the failure its own way.
	Breached(ctx context.Context, password string) (int, error)
}

// ErrBreachUnavailable is wrapped, with the checker's error, by what
// [Policy.Check] returns when its [BreachChecker] failed to look the
// password up and no local rule refused it: the password is neither
// accepted nor refused. Ask the user to try again in a moment.
var ErrBreachUnavailable = errors.New("password: breached-password check unavailable")

// isNilChecker reports whether b is an interface holding a nil pointer
// (or map, func...), which would panic at the first Check.
func isNilChecker(b BreachChecker) bool {
	v := reflect.ValueOf(b)
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// Package typednil tells a nil interface value from one that holds a nil
// pointer: the typed nil that a configuration field ends up holding when
// a host writes
//
//	var rs *redisstore.Store // never set
//	cfg := auth.Config{Tokens: rs}
//
// Such a field is not nil, yet every call through it panics. masuk's
// constructors refuse it instead, with [Is].
package typednil

import "reflect"

// Is reports whether v is nil, or an interface holding a nil pointer, map,
// slice, func or channel.
func Is(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

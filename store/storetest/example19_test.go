package storetest_test

import (
	"testing"

	"github.com/masuk-id/masuk/store/memstore"
	"github.com/masuk-id/masuk/store/storetest"
)

// A backend's tests run the whole store contract with one call: one
// subtest for each clause of each interface the store implements, and a
// skip, with a message, for each it does not. The opener gives every
// clause a store of its own; one that shares a database registers its
// cleanup with t.Cleanup.
//
// An Example function has no *testing.T, so this one is compiled but not
// run: its body is the test function to put in the backend's _test.go
// file, with the backend's constructor in place of memstore.New.
func ExampleRun() {
	TestConformance := func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) any {
			return memstore.New()
		})
	}
	_ = TestConformance
}

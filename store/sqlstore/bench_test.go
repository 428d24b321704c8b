package sqlstore_test

import (
	"testing"

	"github.com/masuk-id/masuk/internal/testdb"
)

// BenchmarkRecordedFailures measures failed logins recorded per second
// (testdb.BenchmarkFailures): "distinct" accounts, one per goroutine at a
// time, and one "shared" account that every goroutine tries. Run with
//
//	MASUK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//		go test -run '^$' -bench RecordedFailures -benchtime 5s ./store/sqlstore/
func BenchmarkRecordedFailures(b *testing.B) {
	for _, bk := range backends() {
		b.Run(bk.name, func(b *testing.B) {
			for _, shared := range []bool{false, true} {
				name := map[bool]string{false: "distinct", true: "shared"}[shared]
				b.Run(name, func(b *testing.B) {
					s, _, _ := bk.newStore(b)
					testdb.BenchmarkFailures(b, s, shared)
				})
			}
		})
	}
}

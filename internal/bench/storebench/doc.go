// Package storebench measures what a login and a registration cost on each
// backend masuk ships: memstore, SQLite and PostgreSQL, with a test-only
// hash (so the store's share is visible) and with production argon2id (so
// it is plain that the hash still dominates). It holds only benchmarks:
//
//	MASUK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run XXX -bench . -benchtime 2s ./internal/bench/storebench
package storebench

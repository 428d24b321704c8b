// Package storebench measures what a login and a registration cost on each
// backend masuk ships: memstore, SQLite and PostgreSQL, with a test-only
// hash (so the store's share is visible) and with production argon2id (so
// it is plain that the hash still dominates), and what the lockout
// counters alone cost on those and on Redis (BenchmarkAttempts). It holds
// only benchmarks:
//
//	MASUK_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	MASUK_TEST_REDIS=redis://127.0.0.1:6379/0 \
//	  go test -run XXX -bench . -benchtime 2s ./internal/bench/storebench
package storebench

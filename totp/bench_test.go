package totp_test

import (
	"encoding/base32"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"
	pqtotp "github.com/pquerna/otp/totp"

	"github.com/masuk-id/masuk/totp"
)

// The benchmarks of issue 7: checking a code with replay protection
// against pquerna/otp's ValidateCustom with skew 1 (goal: at most 2×
// its time). Run them in one process, so both sides are measured alike:
//
//	go test -run '^$' -bench . -benchmem -count 6 ./totp/
//
// Every benchmark checks the same secret (RFC 6238's SHA-1 seed) at the
// same time with SHA-1, 6 digits, 30 seconds and one step of skew, for
// three codes:
//
//   - "T+1": the code of the step after the current one. Match tries T,
//     T−1 and T+1 in that order, so it computes all three steps and
//     matches at the last; pquerna tries T, T+1, T−1 and stops at the
//     second.
//   - "T-1": the code of the step before, the far edge for pquerna (three
//     steps) and two steps for Match.
//   - "wrong": a code of no step in the window: three steps for both,
//     what an attacker's guesses cost.

// benchCase is a code to check and the step Match returns for it.
type benchCase struct {
	name string
	code string
	step int64 // 0 for a wrong code
}

func benchCases(b *testing.B) []benchCase {
	b.Helper()
	p := totp.Params{Algorithm: totp.SHA1, Digits: 6, Period: 30 * time.Second, Skew: 1}
	var cs []benchCase
	seen := map[string]bool{}
	for _, off := range []int64{1, -1} {
		code, err := p.Code(testSecret, testTime.Add(time.Duration(off)*30*time.Second))
		if err != nil {
			b.Fatal(err)
		}
		name := "T+1"
		if off < 0 {
			name = "T-1"
		}
		cs = append(cs, benchCase{name, code, testStep + off})
		seen[code] = true
	}
	cur, err := p.Code(testSecret, testTime)
	if err != nil {
		b.Fatal(err)
	}
	seen[cur] = true
	wrong := "000000"
	for seen[wrong] {
		wrong = "000001"
	}
	return append(cs, benchCase{"wrong", wrong, 0})
}

// benchParams are issue 7's defaults, set explicitly.
var benchParams = totp.Params{Algorithm: totp.SHA1, Digits: 6, Period: 30 * time.Second, Skew: 1}

// sinkStep keeps the compiler from dropping the work.
var sinkStep int64

// BenchmarkMatch measures Params.Match alone.
func BenchmarkMatch(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				step, err := benchParams.Match(testSecret, c.code, testTime)
				if step != c.step || (c.step == 0) != errors.Is(err, totp.ErrWrongCode) {
					b.Fatalf("step %d, %v", step, err)
				}
				sinkStep = step
			}
		})
	}
}

// lastStep stands for the store's replay protection
// (store.Factors.AcceptStep): the factor's last accepted step, moved
// forward by a compare-and-set under a mutex.
type lastStep struct {
	mu   sync.Mutex
	last int64
}

// accept sets the last step to step if step is above it, and reports
// whether it did.
func (l *lastStep) accept(step int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if step <= l.last {
		return false
	}
	l.last = step
	return true
}

// BenchmarkMatchReplay measures what a server does per code: Match,
// then, for a matching code, the compare-and-set of the last step. The
// last step is put back before each check so that every check is
// accepted once, as a new code would be.
func BenchmarkMatchReplay(b *testing.B) {
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			var l lastStep
			b.ReportAllocs()
			for b.Loop() {
				l.last = testStep - 5 // a code of a minute or two ago
				step, err := benchParams.Match(testSecret, c.code, testTime)
				ok := err == nil && l.accept(step)
				if ok != (c.step != 0) {
					b.Fatalf("accepted %v: step %d, %v", ok, step, err)
				}
				sinkStep = step
			}
		})
	}
}

// sinkOK keeps the compiler from dropping pquerna's work.
var sinkOK bool

// BenchmarkPquernaValidateCustom measures pquerna/otp's
// totp.ValidateCustom with skew 1, which takes the secret in base32 and
// returns a bool: it says nothing of the step, so it cannot protect
// against replay.
func BenchmarkPquernaValidateCustom(b *testing.B) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(testSecret)
	opts := pqtotp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ok, err := pqtotp.ValidateCustom(c.code, secret, testTime, opts)
				if err != nil || ok != (c.step != 0) {
					b.Fatalf("%v, %v", ok, err)
				}
				sinkOK = ok
			}
		})
	}
}

// BenchmarkPquernaReplay measures what replay protection takes with
// pquerna/otp: ValidateCustom with skew 0, once per step of the window
// (T, T+1, T−1, its own order) until one matches, to learn the step,
// then the same compare-and-set as BenchmarkMatchReplay.
func BenchmarkPquernaReplay(b *testing.B) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(testSecret)
	opts := pqtotp.ValidateOpts{Period: 30, Skew: 0, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, c := range benchCases(b) {
		b.Run(c.name, func(b *testing.B) {
			var l lastStep
			b.ReportAllocs()
			for b.Loop() {
				l.last = testStep - 5
				var step int64
				for _, d := range [...]int64{0, 1, -1} {
					ok, err := pqtotp.ValidateCustom(c.code, secret, testTime.Add(time.Duration(d)*30*time.Second), opts)
					if err != nil {
						b.Fatal(err)
					}
					if ok {
						step = testStep + d
						break
					}
				}
				ok := step != 0 && l.accept(step)
				if ok != (c.step != 0) {
					b.Fatalf("accepted %v: step %d", ok, step)
				}
				sinkStep = step
			}
		})
	}
}

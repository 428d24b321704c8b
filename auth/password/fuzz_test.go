package password

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// FuzzVerify feeds Verify and NeedsRehash arbitrary encoded hashes: they
// must never panic, must answer with the documented errors, and must never
// run a KDF with parameters outside the bounds. The KDFs are replaced by
// cheap stand-ins that check their arguments, so that a fuzzed m=4194304
// costs nothing.
func FuzzVerify(f *testing.F) {
	seeds := []string{
		"$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$K13EBUiG7JV+9ZxztmHFTdb7J0WQsnj2V8bZaqyPptE",
		"$argon2i$v=19$m=65536,t=4,p=1$c29tZXNhbHRzb21lc2FsdA$66AOtG4yGTBJlcFdp6TVuQp5snEsR3bBA4QT3Qey8zo",
		"$argon2id$v=19$m=4194304,t=1024,p=255$c29tZXNhbHQ$c29tZXNhbHRzb21lc2FsdA",
		"$argon2id$v=19$m=0,t=0,p=0$$",
		"$argon2id$v=19$m=,t=,p=$$",
		"$argon2id$v=19$m=19456,t=2,p=1$$",
		"$argon2id$$$$$",
		"$argon2id$v=19$m=18446744073709551616,t=2,p=1$c29tZXNhbHQ$c29tZXNhbHQ",
		"$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a",
		"$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
		"$2a$",
		"$masuk-md5$salt=none$$5f4dcc3b5aa765d61d8327deb882cf99",
		"$masuk-sha256$salt=suffix$73346c7421$1ae095d72a02b53fe61fc6dbd1919b27e4208209dba6a898940e0aef241494de",
		"$masuk-sha1$salt=prefix$$",
		"$masuk-",
		"5f4dcc3b5aa765d61d8327deb882cf99",
		"",
		"$",
		"\x00",
		"$argon2id$v=19$m=19456,t=2,p=1$\xff\xfe$\x00",
	}
	for _, s := range seeds {
		f.Add("password", s)
	}
	f.Add("", seeds[0])
	f.Add("abc\x00def", seeds[12])
	f.Add(strings.Repeat("x", 73), seeds[8])

	f.Fuzz(func(t *testing.T, pw, encoded string) {
		h, err := New(Config{MaxConcurrent: 1, MaxWaiting: -1, Legacy: LegacyConfig{Bare: LegacyMD5}})
		if err != nil {
			t.Fatal(err)
		}
		stand := func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
			if time < 1 || time > maxTime || threads < 1 || memory < 8*uint32(threads) || memory > maxMemory ||
				len(salt) < minSaltParsed || len(salt) > maxSaltLength || keyLen < minKeyParsed || keyLen > maxKeyLength {
				t.Fatalf("KDF run with t=%d m=%d p=%d salt=%d key=%d", time, memory, threads, len(salt), keyLen)
			}
			return make([]byte, keyLen)
		}
		h.argon2id, h.argon2i = stand, stand
		h.bcryptCompare = func(hash, pw []byte) error {
			if len(pw) > bcryptMaxBytes {
				t.Fatalf("bcrypt given %d bytes", len(pw))
			}
			if err := checkBcrypt(string(hash)); err != nil {
				t.Fatalf("bcrypt given a hash that failed the check: %v", err)
			}
			return bcrypt.ErrMismatchedHashAndPassword
		}

		v, err := h.Verify(context.Background(), pw, encoded)
		switch {
		case err == nil:
			if pw == "" {
				t.Fatal("empty password matched")
			}
		case errors.Is(err, ErrMismatch), errors.Is(err, ErrMalformed), errors.Is(err, ErrTooLong):
			if v != (Verified{}) {
				t.Fatalf("error %v with %+v", err, v)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
		if !strings.HasPrefix(encoded, "$argon2id$") && !h.NeedsRehash(encoded) {
			t.Fatal("only argon2id can be current")
		}
		if len(h.lim.slots) != 0 || h.lim.waiting.Load() != 0 {
			t.Fatal("limiter slot leaked")
		}
	})
}

// FuzzCheck runs Policy.Check on arbitrary passwords and contexts: it must
// not panic, and every violation must be one of the documented rules.
func FuzzCheck(f *testing.F) {
	f.Add("kuda laut biru", "budi.santoso", "budi@example.id", "lpse", "Kementerian Keuangan")
	f.Add("lahir19850312", "198503122010011001", "", "", "")
	f.Add("", "", "", "", "")
	f.Add("\xff\xfe\x00", "\xff12345678", "@", "\u0301", "e\u0301")
	f.Add(strings.Repeat("e\u0301", 300), "1.2.3.4.5.6.7.8", "a@b@c", "x", "")
	p, err := NewPolicy(PolicyConfig{Composition: CompositionUpperLowerDigitSymbol, Breach: lengthBreach{}})
	if err != nil {
		f.Fatal(err)
	}
	known := map[Rule]bool{RuleTooShort: true, RuleTooLong: true, RuleCommon: true, RuleContext: true, RuleBreached: true,
		RuleContextDigits: true, RuleNeedsUpper: true, RuleNeedsLower: true, RuleNeedsDigit: true, RuleNeedsSymbol: true}
	f.Fuzz(func(t *testing.T, pw, username, email, realm, word string) {
		err := p.Check(context.Background(), pw, Context{Username: username, Email: email, Realm: realm, Words: []string{word}})
		if err == nil {
			return
		}
		var pe *PolicyError
		if !errors.As(err, &pe) || len(pe.Violations) == 0 || !errors.Is(err, ErrPolicy) {
			t.Fatalf("bad error %v", err)
		}
		for _, v := range pe.Violations {
			if !known[v.Rule] {
				t.Fatalf("unknown rule %q", v.Rule)
			}
		}
	})
}

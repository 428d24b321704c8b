package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Bounds of a code's length in digits. Each digit is log2(10), about 3.32
// bits: six digits are about 20 bits, the least ASVS 6.5.4 allows for a
// code sent out of band, and ten about 33.
const (
	DefaultCodeDigits = 6
	MinCodeDigits     = 6
	MaxCodeDigits     = 10
)

// maxDraws bounds NewCode's rejection sampling. A working source needs a
// second draw once in about 3·10^13 codes; a source that fails 16 times
// in a row is broken.
const maxDraws = 16

// NewCode returns a code of digits decimal digits ([DefaultCodeDigits] if
// digits is 0) to send by email, SMS or WhatsApp, read from r, or from
// crypto/rand if r is nil. Every code is equally likely: it draws 64 bits
// and draws again when they fall in the top 2^64 mod 10^digits values,
// which would make low codes more frequent.
func NewCode(r io.Reader, digits int) (string, error) {
	if digits == 0 {
		digits = DefaultCodeDigits
	}
	if digits < MinCodeDigits || digits > MaxCodeDigits {
		return "", fmt.Errorf("secret: %d digits, want %d to %d", digits, MinCodeDigits, MaxCodeDigits)
	}
	if r == nil {
		r = rand.Reader
	}
	n := uint64(math.Pow10(digits))
	limit := math.MaxUint64 - (math.MaxUint64%n+1)%n // the values ≤ limit are a multiple of n
	var b [8]byte
	for range maxDraws {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return "", fmt.Errorf("secret: reading random source: %w", err)
		}
		if v := binary.BigEndian.Uint64(b[:]); v <= limit {
			return formatUint(v%n, digits), nil
		}
	}
	return "", fmt.Errorf("secret: the random source gave %d values out of range in a row", maxDraws)
}

// formatUint writes v in decimal with leading zeros to digits digits.
func formatUint(v uint64, digits int) string {
	var buf [MaxCodeDigits]byte
	for i := digits - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[:digits])
}

// codeHashPrefix separates code hashes from any other SHA-256. It names
// the totp package, where codes were first hashed, and must not change:
// codes outstanding at an upgrade are checked against hashes made with
// it.
const codeHashPrefix = "masuk/totp delivered code v1\x00"

// HashCode returns what is stored for a code made by [NewCode]: the
// SHA-256 of a fixed prefix, purpose, accountID and code, each
// length-prefixed, 32 bytes.
//
// purpose names the flow the code was sent for, such as "login" or
// "reset", and accountID the account it was sent to, so that a code sent
// for one flow or account does not verify in another (an emailed reset
// code is not a second factor). They act as a salt, which is all a hash
// of a six-digit code can have: anyone who reads the hash can try the
// million codes in a moment. Hashing keeps codes out of backups, dumps
// and logs; what protects them is their short life, the cap on attempts
// and single use, which the store enforces.
func HashCode(purpose, accountID, code string) []byte {
	b := make([]byte, 0, len(codeHashPrefix)+12+len(purpose)+len(accountID)+len(code))
	b = append(b, codeHashPrefix...)
	for _, s := range [...]string{purpose, accountID, code} {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	sum := sha256.Sum256(b)
	return sum[:]
}

// VerifyCode checks what a user typed against the hash [HashCode] gave
// for the code sent to them for purpose and accountID, in constant time.
// It returns nil for a match, [ErrInvalidCode] for something that is not
// [MinCodeDigits] to [MaxCodeDigits] ASCII digits, and [ErrWrongCode]
// otherwise. It does not trim blanks or read full-width digits.
//
// The caller counts attempts, refuses an expired code before calling it,
// and deletes the code atomically when it matches, so it is used once.
func VerifyCode(hash []byte, purpose, accountID, typed string) error {
	if len(typed) < MinCodeDigits || len(typed) > MaxCodeDigits {
		return ErrInvalidCode
	}
	for i := 0; i < len(typed); i++ {
		if typed[i] < '0' || typed[i] > '9' {
			return ErrInvalidCode
		}
	}
	if subtle.ConstantTimeCompare(hash, HashCode(purpose, accountID, typed)) != 1 {
		return ErrWrongCode
	}
	return nil
}

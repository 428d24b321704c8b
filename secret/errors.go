package secret

import "errors"

// Outcomes of checking a secret: [VerifyCode], [HashRecoveryCode],
// [Token.Verify].
var (
	// ErrInvalidCode means a code is malformed: empty, the wrong length,
	// or holding anything but the ASCII characters it is made of (a
	// blank inside a sent code, a U in a recovery code, a full-width or
	// Arabic-Indic digit). Nobody's code looks like that; count it as a
	// failed attempt all the same, and tell the user what a code looks
	// like.
	ErrInvalidCode = errors.New("secret: invalid code")
	// ErrWrongCode means a code is well formed but does not match.
	ErrWrongCode = errors.New("secret: wrong code")
	// ErrWrongToken means a token does not match the stored hash: it was
	// issued for another purpose, or the hash is not its own.
	ErrWrongToken = errors.New("secret: wrong token")
)

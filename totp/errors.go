package totp

import "errors"

// Outcomes of checking a code: [Params.Match].
var (
	// ErrInvalidCode means the code is malformed: empty, the wrong
	// length, or holding anything but ASCII digits (a blank, a letter, a
	// full-width or Arabic-Indic digit). Nobody's code looks like that;
	// count it as a failed attempt all the same, and tell the user what a
	// code looks like.
	ErrInvalidCode = errors.New("totp: invalid code")
	// ErrWrongCode means the code is well formed but does not match.
	ErrWrongCode = errors.New("totp: wrong code")
)

// Errors for configuration and inputs the caller controls.
var (
	// ErrInvalidParams means a [Params] field is out of range.
	ErrInvalidParams = errors.New("totp: invalid parameters")
	// ErrInvalidSecret means a TOTP secret is shorter than
	// [MinSecretSize] or longer than [MaxSecretSize].
	ErrInvalidSecret = errors.New("totp: invalid secret")
	// ErrInvalidLabel means an [Enrollment]'s Issuer or Account cannot be
	// put in an otpauth URI: empty, too long, not UTF-8, or holding a
	// colon or a control character.
	ErrInvalidLabel = errors.New("totp: invalid issuer or account")
	// ErrQRSize means the size asked of [Enrollment.QR] is smaller than
	// the QR code's own size (one pixel per module, quiet zone included)
	// or larger than [MaxQRSize].
	ErrQRSize = errors.New("totp: QR code size out of range")
)

// Errors of [Keyring].
var (
	// ErrInvalidKeyring means [NewKeyring] was given no current key, a
	// current id with no key, a key that is not 32 bytes, or a key id
	// that is not 1 to 32 characters of [A-Za-z0-9._-].
	ErrInvalidKeyring = errors.New("totp: invalid keyring")
	// ErrUnknownKey means a sealed secret names a key id the [Keyring]
	// does not hold: a key was removed before everything sealed under it
	// was resealed.
	ErrUnknownKey = errors.New("totp: sealed under an unknown key")
	// ErrInvalidSealed means a sealed secret cannot be opened: it is
	// truncated or altered, of an unknown format version, or sealed with
	// other additional data (another account's or factor's id).
	ErrInvalidSealed = errors.New("totp: invalid sealed secret")
)

package store

import (
	"bytes"
	"context"
	"time"
)

// FactorKind names a kind of second factor.
type FactorKind string

// The kinds of second factor.
const (
	// FactorTOTP is an authenticator app: a sealed secret and the last
	// time step it accepted.
	FactorTOTP FactorKind = "totp"
	// FactorEmail is a code sent to the account's email address.
	FactorEmail FactorKind = "email"
	// FactorSMS is a code sent to the account's phone number.
	FactorSMS FactorKind = "sms"
	// FactorWhatsApp is a code sent to the account's phone number by
	// WhatsApp.
	FactorWhatsApp FactorKind = "whatsapp"
)

// Valid reports whether k is one of the defined kinds.
func (k FactorKind) Valid() bool {
	switch k {
	case FactorTOTP, FactorEmail, FactorSMS, FactorWhatsApp:
		return true
	}
	return false
}

// Factor is one second factor of an account.
type Factor struct {
	// ID names the factor: 16 to 128 bytes chosen by the caller (auth
	// draws 128 random bits). IDs are unique across accounts.
	ID string
	// AccountID is the account the factor belongs to.
	AccountID string
	// Kind is what the factor is.
	Kind FactorKind
	// Label is the owner's name for it ("Budi's phone"), for display.
	Label string
	// Secret is the TOTP secret, sealed (totp.Keyring.Seal): never the
	// secret itself. Required for FactorTOTP, empty for the others.
	Secret []byte
	// Algorithm, Digits and Period are the TOTP parameters the secret was
	// enrolled with ("SHA1", 6, 30); zero for the others.
	Algorithm string
	Digits    int
	Period    int
	// LastStep is the highest TOTP time step accepted so far, so that no
	// code is accepted twice: [Factors.ConfirmFactor] and
	// [Factors.AcceptStep] only ever move it forward.
	LastStep int64
	// CreatedAt is when the factor was added. ConfirmedAt is when its
	// first code was accepted, zero until then: an unconfirmed factor is
	// an enrollment in progress and does not log anyone in.
	CreatedAt, ConfirmedAt time.Time
}

// Confirmed reports whether the factor's enrollment is complete.
func (f Factor) Confirmed() bool { return !f.ConfirmedAt.IsZero() }

// Factors keeps the second factors of accounts.
type Factors interface {
	// CreateFactor stores f. It returns ErrConflict when the ID is taken,
	// ErrNotFound when the account does not exist, ErrCapacity when it has
	// [MaxFactorsPerAccount] factors already, and ErrInvalid when a field
	// is missing or out of bounds (see [CheckFactor]). A TOTP factor's
	// LastStep starts as given.
	CreateFactor(ctx context.Context, f Factor) error
	// Factors returns the account's factors, confirmed or not, oldest
	// first (by CreatedAt, then ID); none is an empty slice, not an error.
	Factors(ctx context.Context, accountID string) ([]Factor, error)
	// ConfirmFactor completes an enrollment: it sets ConfirmedAt to at and
	// LastStep to step, so the code that confirmed the factor cannot then
	// log in, in one atomic step, if the factor is not yet confirmed and
	// step is above LastStep. It returns ErrNotFound when the account has
	// no factor with the ID and ErrStale when it is already confirmed or
	// the step is not above LastStep.
	ConfirmFactor(ctx context.Context, accountID, id string, step int64, at time.Time) error
	// AcceptStep records that the confirmed factor accepted a code of time
	// step step: it sets LastStep to step if step is above it, in one
	// atomic compare-and-set, and returns ErrStale otherwise (the code, or
	// an older one, was used already). Of any number of concurrent calls
	// with one step, exactly one succeeds. It returns ErrNotFound when the
	// account has no confirmed factor with the ID.
	AcceptStep(ctx context.Context, accountID, id string, step int64) error
	// ResealFactor replaces the factor's sealed secret with secret (under
	// a new key), if it is still old; otherwise ErrStale. ErrNotFound when
	// the account has no factor with the ID, ErrInvalid for an empty
	// secret.
	ResealFactor(ctx context.Context, accountID, id string, old, secret []byte) error
	// DeleteFactor removes the factor, or returns ErrNotFound.
	DeleteFactor(ctx context.Context, accountID, id string) error
}

// MaxFactorsPerAccount is how many factors, confirmed or not, an account
// may have; CreateFactor refuses one more with ErrCapacity.
const MaxFactorsPerAccount = 20

// Bounds checked by [CheckFactor] and [CheckRecoveryCodes].
const (
	MaxFactorSecret  = 1024
	MaxFactorLabel   = 200
	MaxRecoveryCodes = 100
	MinRecoveryHash  = 16
	MaxRecoveryHash  = 64
)

// CheckFactor returns ErrInvalid, wrapped with the reason, when f is not a
// factor CreateFactor may store, for implementations.
func CheckFactor(f Factor) error {
	switch {
	case len(f.ID) < 16 || len(f.ID) > 128:
		return invalid("factor id is not 16 to 128 bytes")
	case f.AccountID == "":
		return invalid("factor account id is empty")
	case !f.Kind.Valid():
		return invalid("factor kind is not valid")
	case len(f.Label) > MaxFactorLabel:
		return invalid("factor label is too long")
	case f.CreatedAt.IsZero():
		return invalid("factor creation time is zero")
	case len(f.Secret) > MaxFactorSecret:
		return invalid("factor secret is too long")
	}
	if f.Kind == FactorTOTP {
		switch {
		case len(f.Secret) == 0:
			return invalid("totp factor has no secret")
		case f.Algorithm == "" || f.Digits <= 0 || f.Period <= 0:
			return invalid("totp factor parameters are missing")
		}
	} else if len(f.Secret) != 0 {
		return invalid("only a totp factor has a secret")
	}
	return nil
}

// RecoveryCodes describes an account's set of recovery codes.
type RecoveryCodes struct {
	// Remaining is how many unused codes are left.
	Remaining int
	// CreatedAt is when the set was made; zero when there is none.
	CreatedAt time.Time
}

// Recovery keeps the recovery codes of accounts, hashed: each usable once,
// and a new set replaces the old one whole. A code is checked without
// being spent by [Recovery.FindRecoveryCode] and spent, once, by
// [Recovery.UseRecoveryCode].
type Recovery interface {
	// SetRecoveryCodes replaces the account's set with the given hashes,
	// made at time at, in one atomic step: no code of the old set works
	// afterwards. No hashes removes the set. It returns ErrNotFound when
	// the account does not exist and ErrInvalid for more than
	// [MaxRecoveryCodes] hashes, a hash of the wrong size or a duplicate.
	SetRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte, at time.Time) error
	// UseRecoveryCode removes the code with the hash from the account's
	// set and returns how many are left, in one atomic step; of any number
	// of concurrent calls with one code, exactly one succeeds. A code not
	// in the set (used, replaced, never made) is ErrNotFound.
	UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (remaining int, err error)
	// FindRecoveryCode returns nil when the hash is that of an unused code
	// of the account's set, and ErrNotFound otherwise (used, replaced,
	// never made, no set, no such account). It changes nothing, so a
	// caller can check a code, complete what the code is for (consume the
	// pending login it finishes) and only then use the code up with
	// UseRecoveryCode: a code is spent only together with what it
	// completes. Two callers may both find one code; UseRecoveryCode
	// decides which of them spends it.
	FindRecoveryCode(ctx context.Context, accountID string, hash []byte) error
	// RecoveryCodes describes the account's set; an account without one
	// has a zero RecoveryCodes, not an error.
	RecoveryCodes(ctx context.Context, accountID string) (RecoveryCodes, error)
}

// CheckRecoveryCodes returns ErrInvalid, wrapped with the reason, when
// hashes is not a set SetRecoveryCodes may store, for implementations.
func CheckRecoveryCodes(accountID string, hashes [][]byte) error {
	if accountID == "" {
		return invalid("recovery codes account id is empty")
	}
	if len(hashes) > MaxRecoveryCodes {
		return invalid("too many recovery codes")
	}
	for i, h := range hashes {
		if len(h) < MinRecoveryHash || len(h) > MaxRecoveryHash {
			return invalid("recovery code hash is not 16 to 64 bytes")
		}
		for _, prev := range hashes[:i] {
			if bytes.Equal(prev, h) {
				return invalid("recovery code hashes repeat")
			}
		}
	}
	return nil
}

// Device is a browser its owner asked to remember after a second factor,
// so that logins from it ask only for the password until it expires.
type Device struct {
	// Selector names the remembered device: 16 to 128 bytes, unique, sent
	// in the cookie beside the secret.
	Selector string
	// AccountID is the account that remembered it.
	AccountID string
	// Hash is a hash of the cookie's secret, 16 to 64 bytes; never the
	// secret.
	Hash []byte
	// Stamp is the account's security stamp when the device was
	// remembered: a password change or reset ends every remembered device,
	// which the caller checks against the account.
	Stamp string
	// Label describes the device for the owner's list (a summary of the
	// user agent); at most 200 bytes.
	Label string
	// CreatedAt is when it was remembered and ExpiresAt when that ends.
	CreatedAt, ExpiresAt time.Time
}

// MaxDevicesPerAccount is how many remembered devices a store keeps for an
// account; remembering one more forgets the one that expires first.
const MaxDevicesPerAccount = 20

// Devices keeps remembered devices. Expiry is checked on every read.
type Devices interface {
	// RememberDevice stores d. When the account already has
	// [MaxDevicesPerAccount] live devices, the one that expires first is
	// forgotten in the same atomic step. It returns ErrConflict when the
	// selector is taken, ErrNotFound when the account does not exist and
	// ErrInvalid when a field is missing or out of bounds.
	RememberDevice(ctx context.Context, d Device) error
	// Device returns the device with the selector if it is live at time
	// at, or ErrNotFound.
	Device(ctx context.Context, selector string, at time.Time) (Device, error)
	// Devices returns the account's devices live at time at, newest first.
	Devices(ctx context.Context, accountID string, at time.Time) ([]Device, error)
	// ForgetDevice removes one of the account's devices, or returns
	// ErrNotFound.
	ForgetDevice(ctx context.Context, accountID, selector string) error
	// ForgetDevices removes all of the account's devices.
	ForgetDevices(ctx context.Context, accountID string) error
}

// CheckDevice returns ErrInvalid, wrapped with the reason, when d is not a
// device RememberDevice may store, for implementations.
func CheckDevice(d Device) error {
	switch {
	case len(d.Selector) < 16 || len(d.Selector) > 128:
		return invalid("device selector is not 16 to 128 bytes")
	case d.AccountID == "":
		return invalid("device account id is empty")
	case len(d.Hash) < 16 || len(d.Hash) > 64:
		return invalid("device hash is not 16 to 64 bytes")
	case d.Stamp == "":
		return invalid("device stamp is empty")
	case len(d.Label) > MaxFactorLabel:
		return invalid("device label is too long")
	case d.CreatedAt.IsZero() || !d.ExpiresAt.After(d.CreatedAt):
		return invalid("device times are missing or expire before creation")
	}
	return nil
}

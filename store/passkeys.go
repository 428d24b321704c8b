package store

import (
	"context"
	"time"
	"unicode/utf8"
)

// Passkey is a WebAuthn credential of an account: a key pair whose private
// half never leaves the person's authenticator (a phone, a laptop's
// secure chip, a security key) and whose public half the store keeps. It
// is bound to the relying party ID it was made for, so a phishing site
// cannot use it.
type Passkey struct {
	// ID is the credential ID the authenticator chose: 1 to
	// [MaxPasskeyID] bytes, unique across accounts.
	ID []byte
	// AccountID is the account it logs in to.
	AccountID string
	// PublicKey is the credential's public key in COSE form, as the
	// authenticator sent it: 1 to [MaxPasskeyKey] bytes.
	PublicKey []byte
	// SignCount is the authenticator's signature counter as last seen:
	// [Passkeys.UsePasskey] moves it by compare-and-set. Passkeys synced
	// between devices report 0 for ever.
	SignCount uint32
	// Transports are the ways the browser may reach the authenticator
	// ("internal", "hybrid", "usb", "nfc", "ble"), at most
	// [MaxPasskeyTransports] of at most 32 bytes each.
	Transports []string
	// AAGUID names the authenticator's model, 16 bytes, or is empty;
	// all zero for most synced passkeys.
	AAGUID []byte
	// BackupEligible reports whether the credential may be synced between
	// devices (fixed when it was made); BackedUp whether it is synced now,
	// as of its last use.
	BackupEligible, BackedUp bool
	// Name is the owner's name for it ("Budi's phone"): at most
	// [MaxFactorLabel] bytes of UTF-8.
	Name string
	// CreatedAt is when it was added, LastUsedAt when it last logged in
	// (zero until then).
	CreatedAt, LastUsedAt time.Time
}

// PasskeyUse is one login with a passkey, for [Passkeys.UsePasskey].
type PasskeyUse struct {
	// AccountID and ID name the passkey.
	AccountID string
	ID        []byte
	// From is the SignCount the caller read, To the one the
	// authenticator just sent.
	From, To uint32
	// BackedUp is the backup state the authenticator just reported.
	BackedUp bool
	// At is when it was used.
	At time.Time
}

// Passkeys keeps the passkeys of accounts.
type Passkeys interface {
	// CreatePasskey stores p. It returns ErrConflict when the credential
	// ID is taken (by any account), ErrNotFound when the account does
	// not exist, ErrCapacity when it has [MaxPasskeysPerAccount]
	// passkeys already, and ErrInvalid when a field is missing or out of
	// bounds (see [CheckPasskey]); either way nothing is written.
	CreatePasskey(ctx context.Context, p Passkey) error
	// Passkeys returns the account's passkeys, oldest first (by
	// CreatedAt, then ID); none is an empty slice, not an error.
	Passkeys(ctx context.Context, accountID string) ([]Passkey, error)
	// Passkey returns the passkey with the credential ID, whichever
	// account it belongs to, or ErrNotFound: a login without a username
	// learns the account from it.
	Passkey(ctx context.Context, id []byte) (Passkey, error)
	// UsePasskey records a login with the passkey: it sets SignCount to
	// u.To, BackedUp to u.BackedUp and LastUsedAt to u.At, in one atomic
	// compare-and-set, if SignCount is still u.From; otherwise it writes
	// nothing and returns ErrStale (another login with the passkey
	// recorded its count first). Of any number of concurrent calls from
	// one count, at most one succeeds when u.To differs from u.From. It
	// returns ErrNotFound when the account has no passkey with the ID.
	// Whether the count went forward (a count that goes back is a copied
	// key) is the caller's to judge, as is the backup state, which the
	// caller sets only on a backup-eligible passkey (WebAuthn refuses
	// the other answers); u.At is never zero.
	UsePasskey(ctx context.Context, u PasskeyUse) error
	// RenamePasskey sets the passkey's Name, or returns ErrNotFound when
	// the account has no passkey with the ID, or ErrInvalid for a name
	// out of bounds.
	RenamePasskey(ctx context.Context, accountID string, id []byte, name string) error
	// DeletePasskey removes the passkey, or returns ErrNotFound when the
	// account has no passkey with the ID.
	DeletePasskey(ctx context.Context, accountID string, id []byte) error
}

// MaxPasskeysPerAccount is how many passkeys an account may have;
// CreatePasskey refuses one more with ErrCapacity.
const MaxPasskeysPerAccount = 20

// Bounds checked by [CheckPasskey].
const (
	// MaxPasskeyID is the longest credential ID WebAuthn allows.
	MaxPasskeyID         = 1023
	MaxPasskeyKey        = 2048
	MaxPasskeyTransports = 8
	MaxPasskeyTransport  = 32
)

// CheckPasskey returns ErrInvalid, wrapped with the reason, when p is not
// a passkey CreatePasskey may store, for implementations.
func CheckPasskey(p Passkey) error {
	switch {
	case len(p.ID) == 0 || len(p.ID) > MaxPasskeyID:
		return invalid("passkey id is not 1 to 1023 bytes")
	case p.AccountID == "":
		return invalid("passkey account id is empty")
	case len(p.PublicKey) == 0 || len(p.PublicKey) > MaxPasskeyKey:
		return invalid("passkey public key is not 1 to 2048 bytes")
	case len(p.AAGUID) != 0 && len(p.AAGUID) != 16:
		return invalid("passkey aaguid is not 16 bytes")
	case len(p.Transports) > MaxPasskeyTransports:
		return invalid("passkey has too many transports")
	case p.CreatedAt.IsZero():
		return invalid("passkey creation time is zero")
	case p.BackedUp && !p.BackupEligible:
		return invalid("passkey is backed up but not backup eligible")
	}
	for _, t := range p.Transports {
		if t == "" || len(t) > MaxPasskeyTransport || !utf8.ValidString(t) {
			return invalid("passkey transport is not 1 to 32 bytes of UTF-8")
		}
	}
	return CheckPasskeyName(p.Name)
}

// CheckPasskeyName returns ErrInvalid, wrapped with the reason, when name
// is not a name RenamePasskey may store, for implementations.
func CheckPasskeyName(name string) error {
	if len(name) > MaxFactorLabel || !utf8.ValidString(name) {
		return invalid("passkey name is not at most 200 bytes of UTF-8")
	}
	return nil
}

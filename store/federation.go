package store

import (
	"context"
	"time"
)

// FederatedIdentity links an account to a person's identity at an OpenID
// Connect provider (INApas, Google, a ministry's single sign-on): the
// provider's issuer and its subject, the only pair OpenID Connect promises
// is stable (OpenID Connect Core 1.0 §5.7). An email address or a NIK the
// provider sends is never the key.
type FederatedIdentity struct {
	// Realm is the realm of the account: one person's identity at one
	// provider may be linked once in each realm.
	Realm string
	// Issuer is the provider's issuer URL, exactly as its ID tokens carry
	// it ("iss"): 1 to [MaxIssuerBytes] bytes of UTF-8 without NUL,
	// compared byte for byte.
	Issuer string
	// Subject is the provider's identifier of the person ("sub"): 1 to
	// [MaxSubjectBytes] bytes of UTF-8 without NUL, compared byte for
	// byte.
	Subject string
	// AccountID is the account it logs in to.
	AccountID string
	// CreatedAt is when it was linked, LastUsedAt when it last logged in
	// (zero until then).
	CreatedAt, LastUsedAt time.Time
}

// Federation keeps the links between accounts and their identities at
// OpenID Connect providers. A store that keeps accounts implements it;
// one that keeps only hot state (redisstore) does not.
type Federation interface {
	// LinkIdentity stores f. It returns ErrConflict when (Realm, Issuer,
	// Subject) is already linked, to any account, or when the account
	// already has an identity of f.Issuer (one per provider per account);
	// ErrNotFound when the account does not exist or is in another realm
	// than f.Realm; and ErrInvalid when a field is missing or out of
	// bounds (see [CheckFederatedIdentity]); in each case nothing is
	// written. Of concurrent links of one identity, exactly one succeeds.
	LinkIdentity(ctx context.Context, f FederatedIdentity) error
	// FederatedIdentity returns the link of (realm, issuer, subject), or
	// ErrNotFound: a login through the provider learns the account from
	// it.
	FederatedIdentity(ctx context.Context, realm, issuer, subject string) (FederatedIdentity, error)
	// FederatedIdentities returns the account's links, oldest first (by
	// CreatedAt, then Issuer); none is an empty slice, not an error.
	FederatedIdentities(ctx context.Context, accountID string) ([]FederatedIdentity, error)
	// UseFederatedIdentity sets LastUsedAt of the link of (realm, issuer,
	// subject) to at. It returns ErrNotFound when there is no such link,
	// and ErrInvalid, writing nothing, when at is zero.
	UseFederatedIdentity(ctx context.Context, realm, issuer, subject string, at time.Time) error
	// UnlinkIdentity deletes the account's link of (issuer, subject), or
	// returns ErrNotFound when the account has no such link. When
	// keepAWay is true, it deletes the link only if the account keeps
	// another way to log in: a password credential, another federated
	// identity, or a passkey where the store keeps passkeys; otherwise it
	// writes nothing and returns ErrStale. The check and the delete are
	// one atomic step: of concurrent unlinks of an account's last two
	// identities (and no other way in) with keepAWay, exactly one
	// succeeds.
	UnlinkIdentity(ctx context.Context, accountID, issuer, subject string, keepAWay bool) error
}

// Bounds checked by [CheckFederatedIdentity].
const (
	// MaxIssuerBytes bounds [FederatedIdentity.Issuer], an https URL.
	MaxIssuerBytes = 512
	// MaxSubjectBytes bounds [FederatedIdentity.Subject], the length
	// OpenID Connect Core 1.0 §2 gives "sub".
	MaxSubjectBytes = 255
)

// CheckFederatedIdentity returns ErrInvalid, wrapped with the reason, when
// f is not a link LinkIdentity may store, for implementations.
func CheckFederatedIdentity(f FederatedIdentity) error {
	switch {
	case f.Realm == "":
		return invalid("federated identity realm is empty")
	case f.AccountID == "":
		return invalid("federated identity account id is empty")
	case f.Issuer == "" || len(f.Issuer) > MaxIssuerBytes:
		return invalid("federated identity issuer is not 1 to 512 bytes")
	case f.Subject == "" || len(f.Subject) > MaxSubjectBytes:
		return invalid("federated identity subject is not 1 to 255 bytes")
	case !plainText(f.Issuer) || !plainText(f.Subject):
		return invalid("federated identity issuer or subject is not UTF-8 without NUL")
	case f.CreatedAt.IsZero():
		return invalid("federated identity creation time is zero")
	}
	return nil
}

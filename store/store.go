package store

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Errors returned by every implementation of the interfaces in this package.
// Implementations may wrap them; callers test with errors.Is.
var (
	// ErrNotFound means the record asked for does not exist.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means a record with the same identity already exists:
	// an account ID, or a canonical username or email within a realm.
	ErrConflict = errors.New("store: conflict")
	// ErrStale means a conditional update found the record changed since
	// the caller read it; nothing was written.
	ErrStale = errors.New("store: stale")
	// ErrInvalid means a record is missing a required field or carries a
	// value the contract does not allow; nothing was written.
	ErrInvalid = errors.New("store: invalid record")
)

// Store is the union of the interfaces the auth package needs from its
// durable storage.
type Store interface {
	Accounts
	Credentials
	Events
}

// AccountState is where an account stands in its life cycle.
type AccountState string

// The states of an account. Only [StateActive] accounts may log in.
const (
	// StatePendingConfirmation: registered, email not yet confirmed.
	StatePendingConfirmation AccountState = "pending_confirmation"
	// StatePendingApproval: email confirmed, waiting for an operator.
	StatePendingApproval AccountState = "pending_approval"
	// StateActive: may log in.
	StateActive AccountState = "active"
	// StateDisabled: turned off by an operator.
	StateDisabled AccountState = "disabled"
)

// Valid reports whether s is one of the defined states.
func (s AccountState) Valid() bool {
	switch s {
	case StatePendingConfirmation, StatePendingApproval, StateActive, StateDisabled:
		return true
	}
	return false
}

// Account is one person's account in one realm. The same person holds a
// separate account, with its own credential, in each realm.
type Account struct {
	// ID is the account's identity, unique across realms. It is chosen by
	// the caller (auth draws 128 random bits) and never changes.
	ID string
	// Realm scopes usernames and emails: the same username may exist once
	// in each realm.
	Realm string
	// Username is the canonical form (for national numbers, the digits;
	// otherwise case-folded NFKC), unique within the realm.
	Username string
	// DisplayUsername is the username as the person typed it at
	// registration, for display only.
	DisplayUsername string
	// Email is the canonical email address, or empty. A non-empty email is
	// unique within the realm.
	Email string
	// Phone is the phone number in E.164 form, or empty. It is not unique.
	Phone string
	// State is the account's life-cycle state.
	State AccountState
	// SecurityStamp changes whenever the credentials change; sessions and
	// tokens issued under an older stamp are no longer honoured.
	SecurityStamp string
	// Profile holds the free-form fields the registration collected (a
	// company's name, its NIB, an office), for display and for operators.
	// It never holds a secret. It is bounded: see [CheckAccount]. An empty
	// Profile reads back as nil.
	Profile map[string]string
	// CreatedAt and UpdatedAt are set by the caller.
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Bounds of [Account.Profile], checked by [CheckAccount]. Keys and values
// are UTF-8 without NUL, which every backend can hold as text.
const (
	MaxProfileFields     = 32
	MaxProfileKeyBytes   = 64
	MaxProfileValueBytes = 1 << 10
)

// MaxEmailBytes is the longest email address [CheckEmail] accepts, the
// longest a mail server forwards (RFC 5321 with RFC 3696's erratum).
const MaxEmailBytes = 254

// Accounts keeps accounts.
type Accounts interface {
	// CreateAccount stores a new account and, when cred is not nil, its
	// credential, in one atomic step. It returns ErrConflict when the ID is
	// taken, or the username or a non-empty email is taken in the realm,
	// and ErrInvalid when the ID, realm, username, state or security stamp
	// is missing or the credential names another account.
	CreateAccount(ctx context.Context, a Account, cred *Credential) error
	// AccountByID returns the account with the given ID, or ErrNotFound.
	AccountByID(ctx context.Context, id string) (Account, error)
	// AccountByUsername returns the account with the given canonical
	// username in the realm, or ErrNotFound.
	AccountByUsername(ctx context.Context, realm, username string) (Account, error)
	// AccountByEmail returns the account with the given canonical email in
	// the realm, or ErrNotFound. An empty email is never found.
	AccountByEmail(ctx context.Context, realm, email string) (Account, error)
	// SetAccountState moves the account from state from to state to and
	// sets UpdatedAt to at, only if it is still in state from; otherwise
	// it returns ErrStale (ErrNotFound if there is no such account, and
	// ErrInvalid, writing nothing, if to is not a valid state).
	SetAccountState(ctx context.Context, id string, from, to AccountState, at time.Time) error
	// SetEmail changes the account's email address to to ("" removes it)
	// and sets UpdatedAt to at, in one atomic step, only if the address is
	// still from, the one the caller read ("" for none). Of concurrent
	// calls that move accounts of a realm to one address, at most one
	// succeeds. Otherwise it writes nothing and returns ErrStale when the
	// address is no longer from, ErrConflict when another account of the
	// realm has the address to, ErrNotFound when there is no such account,
	// and ErrInvalid when to is neither empty nor a canonical-looking
	// address (see [CheckEmail]).
	SetEmail(ctx context.Context, id, from, to string, at time.Time) error
	// SetPhone changes the account's phone number to to ("" removes it)
	// and sets UpdatedAt to at, in one atomic step, only if the number is
	// still from, the one the caller read ("" for none); of concurrent
	// calls from one number, at most one succeeds. Numbers are not unique.
	// Otherwise it writes nothing and returns ErrStale when the number is
	// no longer from, ErrNotFound when there is no such account, and
	// ErrInvalid when to is neither empty nor in E.164 form (see
	// [CheckPhone]).
	SetPhone(ctx context.Context, id, from, to string, at time.Time) error
	// DeleteAccount deletes the account, only if it is still in state
	// state and its UpdatedAt is before updatedBefore, together with its
	// credential and every record the store keeps keyed to it (its
	// factors, recovery codes, remembered devices, passkeys and federated
	// identities, and its tokens and sessions when the store keeps those
	// too), in one atomic step; the
	// account's username and email are then free for CreateAccount. The
	// activity log keeps the account's events. Otherwise it writes nothing
	// and returns ErrStale when the account is in another state or was
	// updated at or after updatedBefore, ErrNotFound when there is no such
	// account, and ErrInvalid when state is not a valid state or
	// updatedBefore is zero.
	//
	// It expires registrations that were never confirmed, so that they
	// stop holding a username or an email: conditional on the state and
	// the time, a deletion and a concurrent SetAccountState that confirms
	// the account never both succeed, and a confirmed account is never
	// deleted.
	DeleteAccount(ctx context.Context, id string, state AccountState, updatedBefore time.Time) error
}

// Credential is an account's password, as a PHC-format hash string.
type Credential struct {
	AccountID string
	// Hash is the encoded hash, e.g. "$argon2id$v=19$m=19456,t=2,p=1$…".
	Hash string
	// ChangedAt is when the password was last set by its owner, an
	// operator or a reset; an upgrade of the hash keeps it.
	ChangedAt time.Time
}

// Credentials keeps the password hashes of accounts.
type Credentials interface {
	// CredentialByAccount returns the account's credential, or ErrNotFound
	// when the account has none.
	CredentialByAccount(ctx context.Context, accountID string) (Credential, error)
	// SetCredential stores c as the account's credential, whatever it was,
	// and gives the account the new security stamp, in one atomic step: a
	// password reset or an operator's change. It returns ErrNotFound when
	// the account does not exist and ErrInvalid when stamp or the hash is
	// empty.
	SetCredential(ctx context.Context, c Credential, stamp string) error
	// SwapCredential stores c only if the account's stored hash is still
	// oldHash, and then, when stamp is not empty, gives the account that
	// security stamp, in one atomic step. A password change passes a new
	// stamp; an upgrade of an outdated hash at login passes "" and keeps
	// the stamp. It returns ErrStale when the stored hash differs (or the
	// account has no credential), so an upgrade can never undo a password
	// change made meanwhile; ErrNotFound when the account does not exist;
	// ErrInvalid when the hash is empty.
	SwapCredential(ctx context.Context, oldHash string, c Credential, stamp string) error
	// AddCredential stores c only if the account has no credential yet,
	// and then, when stamp is not empty, gives the account that security
	// stamp, in one atomic step: the first password of an account made
	// by an identity provider. It returns ErrConflict when the account
	// has a credential (which it leaves as it is), so that of two
	// parallel first passwords exactly one is stored and neither
	// replaces a password without the current one; ErrNotFound when the
	// account does not exist; ErrInvalid when the hash is empty.
	AddCredential(ctx context.Context, c Credential, stamp string) error
}

// Event is one entry of the activity log.
type Event struct {
	// ID is assigned by the store when the event is appended. IDs are
	// unique and grow in the order appends begin, so they order the log
	// and page through it; a listing taken while events are being written
	// may miss one that is still being committed with a smaller ID.
	ID int64
	// Kind names what happened, e.g. "login.succeeded".
	Kind string
	// Realm is the realm the event happened in.
	Realm string
	// AccountID is the account concerned, or empty when none is known (a
	// failed login for a username that has no account).
	AccountID string
	// Username is the canonical username the request named, if any.
	Username string
	// Time is when it happened, by the caller's clock.
	Time time.Time
	// ClientAddr and UserAgent describe where the request came from.
	ClientAddr string
	UserAgent  string
	// Details holds further facts, e.g. {"reason": "bad_password"}. It never
	// holds a secret.
	Details map[string]string
}

// EventQuery selects events, newest first.
type EventQuery struct {
	// Realm is required.
	Realm string
	// AccountID, when not empty, keeps only that account's events.
	AccountID string
	// Before, when above zero, keeps only events with an ID below it: pass
	// the last ID of one page to get the next. Zero or less means no bound.
	Before int64
	// Limit is the most events returned: 0 means 50; above 1000 is 1000.
	Limit int
}

// Events keeps the activity log: appended to, never changed, and pruned
// by age.
type Events interface {
	// AppendEvent stores e and returns the ID it was given. The ID field of
	// e is ignored. It returns ErrInvalid when Kind, Realm or Time is
	// missing.
	AppendEvent(ctx context.Context, e Event) (int64, error)
	// ListEvents returns the events that q selects, newest first. It
	// returns ErrInvalid when q.Realm is empty.
	ListEvents(ctx context.Context, q EventQuery) ([]Event, error)
	// PruneEvents deletes at most limit of the events, of every realm,
	// whose Time is before before, the oldest first, and returns how many
	// it deleted: the log's retention, which a caller runs now and then
	// with the oldest time it keeps, in batches of limit until fewer come
	// back, so that no single call holds a year of rows. An event at before
	// stays; a zero before deletes nothing; a limit below 1 is ErrInvalid.
	// IDs are never given again: an event appended afterwards gets an ID
	// above every ID given before.
	PruneEvents(ctx context.Context, before time.Time, limit int) (int, error)
	// PruneRealmEvents is PruneEvents kept to one realm: it deletes at
	// most limit of realm's events whose Time is before before, the
	// oldest first, and returns how many it deleted, leaving every other
	// realm's events as they are. It applies a retention of the realm's
	// own (a portal that keeps its activity two years beside one that
	// keeps it one) without the shorter cutoff reaching the longer realm;
	// a caller runs it in batches of limit, as PruneEvents. An event at
	// before stays; a zero before deletes nothing; calls that run at once
	// delete each event once, their counts adding up to what went. An
	// empty realm or a limit below 1 is ErrInvalid and deletes nothing: a
	// realm lost on the way must not become a pruning of every realm,
	// which is why this is a method of its own rather than a realm
	// argument of PruneEvents. IDs are never given again, as with
	// PruneEvents. It is required, not an optional interface, so that a
	// store that wraps another cannot turn a realm's retention off.
	PruneRealmEvents(ctx context.Context, realm string, before time.Time, limit int) (int, error)
}

// EffectiveLimit returns the page size q asks for after applying the default and the
// cap, for implementations.
func (q EventQuery) EffectiveLimit() int {
	switch {
	case q.Limit <= 0:
		return 50
	case q.Limit > 1000:
		return 1000
	}
	return q.Limit
}

// CheckAccount returns ErrInvalid, wrapped with the reason, when a is not a
// record CreateAccount may store, for implementations. Its Profile must
// have at most [MaxProfileFields] entries, keys of 1 to
// [MaxProfileKeyBytes] bytes and values of at most [MaxProfileValueBytes],
// all valid UTF-8 without NUL.
func CheckAccount(a Account, cred *Credential) error {
	switch {
	case a.ID == "":
		return invalid("account id is empty")
	case a.Realm == "":
		return invalid("account realm is empty")
	case a.Username == "":
		return invalid("account username is empty")
	case !a.State.Valid():
		return invalid("account state is not valid")
	case a.SecurityStamp == "":
		return invalid("account security stamp is empty")
	case cred != nil && cred.AccountID != a.ID:
		return invalid("credential names another account")
	case cred != nil && cred.Hash == "":
		return invalid("credential hash is empty")
	case len(a.Profile) > MaxProfileFields:
		return invalid("account profile has more than 32 fields")
	}
	for k, v := range a.Profile {
		switch {
		case k == "" || len(k) > MaxProfileKeyBytes:
			return invalid("account profile key is not 1 to 64 bytes")
		case len(v) > MaxProfileValueBytes:
			return invalid("account profile value is longer than 1 KiB")
		case !plainText(k) || !plainText(v):
			return invalid("account profile field is not UTF-8 without NUL")
		}
	}
	return nil
}

// plainText reports whether s is valid UTF-8 without NUL, which every
// backend can keep as text.
func plainText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// CheckPhone returns ErrInvalid, wrapped with the reason, when phone is
// neither empty nor in E.164 form ("+" and 8 to 15 digits, the first not
// 0), for implementations of SetPhone. It checks the form only: the caller
// canonicalizes the number.
func CheckPhone(phone string) error {
	if phone == "" {
		return nil
	}
	if len(phone) < 9 || len(phone) > 16 || phone[0] != '+' || phone[1] == '0' {
		return invalid("phone is not + and 8 to 15 digits")
	}
	for i := 1; i < len(phone); i++ {
		if phone[i] < '0' || phone[i] > '9' {
			return invalid("phone holds a character other than a digit")
		}
	}
	return nil
}

// CheckEmail returns ErrInvalid, wrapped with the reason, when email is
// neither empty nor a canonical-looking address, for implementations of
// SetEmail: at most [MaxEmailBytes] of valid UTF-8 without ASCII spaces or
// control or format characters, with a local part and a domain either
// side of its last '@', lower-cased (as strings.ToLower leaves it). It
// does not parse the address: the caller canonicalizes it.
func CheckEmail(email string) error {
	if email == "" {
		return nil
	}
	if len(email) > MaxEmailBytes || !utf8.ValidString(email) {
		return invalid("email is longer than 254 bytes or not UTF-8")
	}
	for _, r := range email {
		if r <= ' ' || r == 0x7f || unicode.In(r, unicode.Cc, unicode.Cf) {
			return invalid("email holds a space or a control character")
		}
	}
	if at := strings.LastIndexByte(email, '@'); at < 1 || at == len(email)-1 {
		return invalid("email has no local part or no domain")
	}
	if strings.ToLower(email) != email {
		return invalid("email is not lower-cased")
	}
	return nil
}

// CheckEvent returns ErrInvalid, wrapped with the reason, when e is not a
// record AppendEvent may store, for implementations.
func CheckEvent(e Event) error {
	switch {
	case e.Kind == "":
		return invalid("event kind is empty")
	case e.Realm == "":
		return invalid("event realm is empty")
	case e.Time.IsZero():
		return invalid("event time is zero")
	}
	return nil
}

type invalidError string

func (e invalidError) Error() string        { return "store: invalid record: " + string(e) }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(reason string) error { return invalidError(reason) }

// CheckCredential returns ErrInvalid, wrapped with the reason, when c is not
// a credential SetCredential or SwapCredential may store, for
// implementations. SetCredential also requires a stamp: see CheckStamp.
func CheckCredential(c Credential) error {
	switch {
	case c.AccountID == "":
		return invalid("credential account id is empty")
	case c.Hash == "":
		return invalid("credential hash is empty")
	}
	return nil
}

// CheckStamp returns ErrInvalid when a security stamp that must be set is
// empty, for implementations.
func CheckStamp(stamp string) error {
	if stamp == "" {
		return invalid("security stamp is empty")
	}
	return nil
}

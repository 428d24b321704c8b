package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// Errors of operators' actions.
var (
	// ErrOutOfScope: the account (or realm) is outside the operator's
	// realms. Nothing was read or changed.
	ErrOutOfScope = errors.New("auth: account is outside the operator's realms")
	// ErrSelfAction: an operator tried to act on its own account (disable
	// it, approve or reject it, force a reset on it, end its sessions,
	// unlock it). Another operator must.
	ErrSelfAction = errors.New("auth: an operator cannot act on its own account")
	// ErrWrongState: an operator's action named an account that is not in
	// the state the action applies to (say, approving one that is already
	// active).
	ErrWrongState = errors.New("auth: account is not in a state this action applies to")
	// ErrReasonRequired: rejecting a registration needs a reason, which
	// the applicant is told.
	ErrReasonRequired = errors.New("auth: a reason is required")
	// ErrIdentityCheckRequired: an unlock in a realm whose locks only an
	// operator ends needs UnlockRequest.IdentityCheck.
	ErrIdentityCheckRequired = errors.New("auth: how the owner's identity was checked is required")
)

// AnyRealm in an operator's Realms lets it act in every realm.
const AnyRealm = "*"

// OperatorIdentity is who acts as an operator, and where it may act.
type OperatorIdentity struct {
	// Name identifies the operator in the log, such as its username.
	// Required; at most 200 bytes.
	Name string
	// AccountID is the operator's own account ID, when operators log in
	// with masuk's accounts: an operator may not act on its own account.
	AccountID string
	// Realms are the realms whose accounts the operator may see and act
	// on (AnyRealm for all). Required.
	Realms []string
}

// Operator does what a portal's helpdesk does: finds accounts, reads their
// history and locks, unlocks, approves or rejects registrations, forces
// resets, disables and enables accounts and ends their sessions. Every
// action is recorded in the account's history with the operator and the
// reason; every method refuses an account outside the operator's realms
// (ErrOutOfScope), and every action one on the operator's own account
// (ErrSelfAction). Obtain it from [Authenticator.Operator].
type Operator struct {
	a  *Authenticator
	id OperatorIdentity
}

// Operator returns the operator service for an operator's identity: the
// only way to operators' actions, each bounded by the identity's realms.
// Check who may be an operator before calling it: it trusts the identity
// it is given.
func (a *Authenticator) Operator(id OperatorIdentity) (*Operator, error) {
	switch {
	case a == nil:
		return nil, errNoAuthenticator
	case id.Name == "":
		// The host builds the identity from its own operator's session:
		// a missing name is its bug, not the operator's.
		return nil, fmt.Errorf("%w: OperatorIdentity.Name is required", ErrConfig)
	case len(id.Name) > maxOperatorBytes:
		return nil, &FieldError{Field: "operator", Max: maxOperatorBytes}
	case len(id.Realms) == 0:
		return nil, ErrOutOfScope
	}
	id.Realms = slices.Clone(id.Realms)
	return &Operator{a: a, id: id}, nil
}

// Bounds of what an operator types, which the log keeps.
const (
	maxOperatorBytes = 200
	maxReasonBytes   = maxDetail
)

// OperatorAction is an operator's action on an account.
type OperatorAction struct {
	// AccountID is the account acted on.
	AccountID string
	// Reason says why, for the log; at most 1,000 bytes.
	Reason string
	Request
}

// inScope reports whether realm is one of the operator's.
func (o *Operator) inScope(realm string) bool {
	return slices.Contains(o.id.Realms, realm) || slices.Contains(o.id.Realms, AnyRealm)
}

// account returns the account an operator acts on, after checking that
// its realm is the operator's and, for an action, that it is not the
// operator's own and the reason is not too long.
func (o *Operator) account(ctx context.Context, accountID, reason string, acting bool) (store.Account, error) {
	if len(reason) > maxReasonBytes {
		return store.Account{}, &FieldError{Field: "reason", Max: maxReasonBytes}
	}
	if acting && o.id.AccountID != "" && o.id.AccountID == accountID {
		return store.Account{}, ErrSelfAction
	}
	acct, err := o.a.store.AccountByID(ctx, accountID)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	if !o.inScope(acct.Realm) {
		return store.Account{}, ErrOutOfScope
	}
	// Again with the ID the store holds: a host's store may find an
	// account by another spelling of its ID (a case-insensitive
	// collation, trailing blanks).
	if acting && o.id.AccountID != "" && o.id.AccountID == acct.ID {
		return store.Account{}, ErrSelfAction
	}
	return acct, nil
}

// record records an operator's action on acct.
func (o *Operator) record(ctx context.Context, kind EventKind, acct store.Account, reason string, req Request) {
	ev := o.a.event(kind, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"by": o.id.Name, "reason": reason}
	o.a.record(ctx, ev)
}

// Account returns the account with the ID, for the operator's page. A
// wrapped store.ErrNotFound when there is none, ErrOutOfScope when it is
// of another realm.
func (o *Operator) Account(ctx context.Context, accountID string) (_ store.Account, err error) {
	if o.unset() {
		return store.Account{}, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Account")
	defer sp.end(&err)
	return o.account(ctx, accountID, "", false)
}

// List lists a realm's accounts: by state (say, those waiting for
// approval) and by the beginning of the username or email. A search is
// canonicalised like a login's username, so "BUDI" finds "budi" and a
// whole NPWP typed with dots finds its account; the beginning of a
// national number is matched by its digits, against the canonical form (a
// 15-digit NPWP is kept as 16 digits, with a leading 0).
//
// Its errors: ErrOutOfScope; ErrNotConfigured when no store lists
// accounts (Config.Lister).
func (o *Operator) List(ctx context.Context, q store.AccountQuery) (_ []store.Account, err error) {
	if o.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.List")
	defer sp.end(&err)
	a := o.a
	// Scope first: an operator learns nothing of realms outside its own,
	// not even which exist.
	if !o.inScope(q.Realm) {
		return nil, ErrOutOfScope
	}
	realm, err := a.realm(q.Realm)
	if err != nil {
		return nil, err
	}
	l := a.roles.lister
	if l == nil {
		return nil, fmt.Errorf("%w: no store lists accounts (Config.Lister)", ErrNotConfigured)
	}
	if q.Search != "" {
		q.Search = realm.searchPrefix(q.Search)
	}
	list, err := l.ListAccounts(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("auth: list accounts: %w", err)
	}
	return list, nil
}

// Activity returns an account's history, as Activity.List does for its
// owner.
func (o *Operator) Activity(ctx context.Context, q ActivityQuery) (_ []ActivityEntry, err error) {
	if o.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Activity")
	defer sp.end(&err)
	if _, err := o.account(ctx, q.AccountID, "", false); err != nil {
		return nil, err
	}
	return o.a.activity(ctx, q)
}

// LockQuery names the username whose locks an operator reads.
type LockQuery struct {
	// Realm and Username name the account; the username as typed.
	Realm, Username string
}

// LockStatus returns the lockout counters of a username in a realm,
// whether or not an account has it.
func (o *Operator) LockStatus(ctx context.Context, q LockQuery) (_ lockout.Status, err error) {
	if o.unset() {
		return lockout.Status{}, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.LockStatus")
	defer sp.end(&err)
	realm, username, err := o.lockTarget(q.Realm, q.Username)
	if err != nil {
		return lockout.Status{}, err
	}
	return realm.guard.Status(ctx, q.Realm, username)
}

// lockTarget checks the realm and canonicalises the username of a lock.
func (o *Operator) lockTarget(realmName, typed string) (*realmConfig, string, error) {
	if !o.inScope(realmName) {
		return nil, "", ErrOutOfScope
	}
	realm, err := o.a.realm(realmName)
	if err != nil {
		return nil, "", err
	}
	username, err := realm.username(typed, false)
	if err != nil {
		return nil, "", err
	}
	return realm, username, nil
}

// UnlockRequest is an operator's request to end the locks of a username.
type UnlockRequest struct {
	// Realm and Username name the account; the username as typed.
	Realm, Username string
	// Reason says why, for the log.
	Reason string
	// IdentityCheck says how the owner's identity was checked before the
	// unlock ("KTP asli di kantor cabang", "panggilan video dengan
	// nomor terdaftar"), for the log (event detail "identity_check").
	// Required in a realm whose locks only an operator ends
	// (lockout.Rule.UntilUnlocked or PermanentAfter): there the unlock is
	// all that stands between a guesser and the account.
	IdentityCheck string
	Request
}

// Unlock ends the password and second-factor locks of a username in a realm
// and forgets their history, and records who did it. It works whether or
// not an account has the username (an attacker may have locked a name
// before its owner registered it) and returns the status before.
func (o *Operator) Unlock(ctx context.Context, r UnlockRequest) (_ lockout.Status, err error) {
	if o.unset() {
		return lockout.Status{}, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Unlock")
	defer sp.end(&err)
	a := o.a
	if len(r.Reason) > maxReasonBytes {
		return lockout.Status{}, &FieldError{Field: "reason", Max: maxReasonBytes}
	}
	if len(r.IdentityCheck) > maxReasonBytes {
		return lockout.Status{}, &FieldError{Field: "identity_check", Max: maxReasonBytes}
	}
	realm, username, err := o.lockTarget(r.Realm, r.Username)
	if err != nil {
		return lockout.Status{}, err
	}
	if rule := realm.Lockout.Account; (rule.UntilUnlocked || rule.PermanentAfter != 0) && strings.TrimSpace(r.IdentityCheck) == "" {
		return lockout.Status{}, ErrIdentityCheckRequired
	}
	ev := a.event(EventUnlocked, r.Realm, r.Request)
	ev.Username = username
	if acct, err := a.store.AccountByUsername(ctx, r.Realm, username); err == nil {
		if o.id.AccountID != "" && acct.ID == o.id.AccountID {
			return lockout.Status{}, ErrSelfAction
		}
		ev.AccountID = acct.ID
	}
	before, err := realm.guard.Unlock(ctx, r.Realm, username)
	if err != nil {
		return lockout.Status{}, fmt.Errorf("auth: unlock: %w", err)
	}
	ev.Details = map[string]string{"by": o.id.Name, "reason": r.Reason, "was_locked": fmt.Sprint(before.Locked())}
	if r.IdentityCheck != "" {
		ev.Details["identity_check"] = r.IdentityCheck
	}
	a.record(ctx, ev)
	return before, nil
}

// Decision is an operator's decision on a registration.
type Decision struct {
	// AccountID is the account decided on.
	AccountID string
	// Reason says why. Required to reject: the applicant is told it.
	Reason string
	Request
}

// Approve lets an account that waits for approval log in, records who
// approved it, and tells the applicant.
//
// Its errors: ErrWrongState when the account is not waiting for approval,
// ErrOutOfScope, ErrSelfAction, a wrapped store.ErrNotFound for an unknown
// account.
func (o *Operator) Approve(ctx context.Context, d Decision) (_ store.Account, err error) {
	if o.unset() {
		return store.Account{}, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Approve")
	defer sp.end(&err)
	return o.decide(ctx, d, store.StateActive, EventApproved, notify.RegistrationApproved)
}

// Reject refuses a registration that waits for approval (or for its email
// confirmation): the account is disabled, who rejected it and why are
// recorded, and the applicant is told the reason.
//
// Its errors: ErrReasonRequired, ErrWrongState, ErrOutOfScope,
// ErrSelfAction, a wrapped store.ErrNotFound.
func (o *Operator) Reject(ctx context.Context, d Decision) (_ store.Account, err error) {
	if o.unset() {
		return store.Account{}, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Reject")
	defer sp.end(&err)
	if d.Reason == "" {
		return store.Account{}, ErrReasonRequired
	}
	return o.decide(ctx, d, store.StateDisabled, EventRejected, notify.RegistrationRejected)
}

func (o *Operator) decide(ctx context.Context, d Decision, to store.AccountState, kind EventKind, p notify.Purpose) (store.Account, error) {
	a := o.a
	acct, err := o.account(ctx, d.AccountID, d.Reason, true)
	if err != nil {
		return store.Account{}, err
	}
	from := acct.State
	if from != store.StatePendingApproval && (to != store.StateDisabled || from != store.StatePendingConfirmation) {
		return store.Account{}, ErrWrongState
	}
	now := a.now().UTC()
	switch err := a.store.SetAccountState(ctx, acct.ID, from, to, now); {
	case errors.Is(err, store.ErrStale):
		return store.Account{}, ErrWrongState
	case err != nil:
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	acct.State, acct.UpdatedAt = to, now
	o.record(ctx, kind, acct, d.Reason, d.Request)
	if acct.Email != "" && a.sender != nil {
		md := a.messageData(acct)
		md.Reason, md.Link = d.Reason, a.realmOf(acct.Realm).Links.Login
		if err := a.send(context.WithoutCancel(ctx), acct.Realm, notify.Email, acct.Email, p, d.Locale, md); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling an applicant", "account", acct.ID, "error", err)
		}
	}
	return acct, nil
}

// ForceReset makes the owner set a new password before logging in again,
// as a helpdesk does for an account it believes compromised: the current
// password stops working at once (it is replaced by one nobody knows, under
// a new security stamp, which ends every session, pending login and
// remembered device), and the owner gets a reset link, in a realm that
// resets by link, or a notice to ask for a code with "Forgot password", in
// one that resets by code. Locks end, as after any reset, unless the
// realm's Lockout.KeepLockOnReset.
//
// Its errors: ErrNotConfigured without a Sender, a token store or (for
// links) Links.Reset; ErrEmailRequired when the account has no address to
// send the reset to (nothing is changed then); ErrOutOfScope,
// ErrSelfAction.
func (o *Operator) ForceReset(ctx context.Context, op OperatorAction) (err error) {
	if o.unset() {
		return errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.ForceReset")
	defer sp.end(&err)
	a := o.a
	acct, err := o.account(ctx, op.AccountID, op.Reason, true)
	if err != nil {
		return err
	}
	realm := a.realmOf(acct.Realm)
	if a.sender == nil || realm.resets == nil || (realm.Reset.Delivery == ByLink && realm.Links.Reset == "") {
		return ErrNotConfigured
	}
	if acct.Email == "" {
		return ErrEmailRequired
	}
	unknown, err := a.randomHex(32)
	if err != nil {
		return err
	}
	hash, err := a.hasher.Hash(ctx, unknown)
	if err != nil {
		return fmt.Errorf("auth: force reset: %w", err)
	}
	stamp, err := a.newStamp()
	if err != nil {
		return err
	}
	if err := a.store.SetCredential(ctx, store.Credential{AccountID: acct.ID, Hash: hash, ChangedAt: a.now().UTC()}, stamp); err != nil {
		return fmt.Errorf("auth: force reset: %w", err)
	}
	acct.SecurityStamp = stamp
	o.record(ctx, EventForcedReset, acct, op.Reason, op.Request)
	a.endSessions(ctx, acct, o.id.Name, op.Request)
	if err := a.sendForcedReset(ctx, realm, acct, op.Request); err != nil {
		return fmt.Errorf("auth: force reset: the password was replaced, but the message failed: %w", err)
	}
	return nil
}

// sendForcedReset tells the owner of an account an operator reset. A
// realm that resets by link sends the link, which nobody can guess. One
// that resets by code sends no code (a code no request's flow holds could
// be used up by anyone's three wrong guesses): the owner is told to ask
// for one with "Forgot password", which binds it to the owner's own flow.
func (a *Authenticator) sendForcedReset(ctx context.Context, realm *realmConfig, acct store.Account, r Request) error {
	if realm.Reset.Delivery == ByLink {
		return a.sendResetMessage(ctx, realm, acct, r, "", 0, "")
	}
	d := a.messageData(acct)
	d.Time, d.Link = a.now(), realm.Links.Forgot
	return a.send(ctx, acct.Realm, notify.Email, acct.Email, notify.ResetRequired, r.Locale, d)
}

// Disable turns an account off: it cannot log in, its sessions end at
// once, and logins to it answer as for a wrong password.
func (o *Operator) Disable(ctx context.Context, op OperatorAction) (err error) {
	if o.unset() {
		return errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Disable")
	defer sp.end(&err)
	a := o.a
	acct, err := o.account(ctx, op.AccountID, op.Reason, true)
	if err != nil {
		return err
	}
	if acct.State == store.StateDisabled {
		return ErrWrongState
	}
	switch err := a.store.SetAccountState(ctx, acct.ID, acct.State, store.StateDisabled, a.now().UTC()); {
	case errors.Is(err, store.ErrStale):
		return ErrWrongState
	case err != nil:
		return fmt.Errorf("auth: disable: %w", err)
	}
	o.record(ctx, EventDisabled, acct, op.Reason, op.Request)
	if a.sessions != nil {
		n, err := a.sessions.DeleteSessions(context.WithoutCancel(ctx), acct.ID, "")
		if err != nil {
			// The state refuses them meanwhile; Enable ends them again.
			return fmt.Errorf("auth: disable: the account is disabled, but its sessions could not be ended: %w", err)
		}
		if n > 0 {
			a.sessionsRevoked(ctx, acct.ID, n, "all", o.id.Name, op.Request)
		}
	}
	return nil
}

// Enable turns a disabled account back on.
func (o *Operator) Enable(ctx context.Context, op OperatorAction) (err error) {
	if o.unset() {
		return errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.Enable")
	defer sp.end(&err)
	a := o.a
	acct, err := o.account(ctx, op.AccountID, op.Reason, true)
	if err != nil {
		return err
	}
	if acct.State != store.StateDisabled {
		return ErrWrongState
	}
	// No session begun before or while the account was disabled (a
	// login that raced the Disable, one a failed delete left) may come
	// back with it.
	if a.sessions != nil {
		if _, err := a.sessions.DeleteSessions(ctx, acct.ID, ""); err != nil {
			return fmt.Errorf("auth: enable: %w", err)
		}
	}
	switch err := a.store.SetAccountState(ctx, acct.ID, store.StateDisabled, store.StateActive, a.now().UTC()); {
	case errors.Is(err, store.ErrStale):
		return ErrWrongState
	case err != nil:
		return fmt.Errorf("auth: enable: %w", err)
	}
	o.record(ctx, EventEnabled, acct, op.Reason, op.Request)
	return nil
}

// EndSessions ends every session of the account.
func (o *Operator) EndSessions(ctx context.Context, op OperatorAction) (_ Revoked, err error) {
	if o.unset() {
		return Revoked{}, errNoAuthenticator
	}
	ctx, sp := o.a.span(ctx, "masuk.Operator.EndSessions")
	defer sp.end(&err)
	a := o.a
	acct, err := o.account(ctx, op.AccountID, op.Reason, true)
	if err != nil {
		return Revoked{}, err
	}
	ss, err := a.sessionStore()
	if err != nil {
		return Revoked{}, err
	}
	n, err := ss.DeleteSessions(ctx, acct.ID, "")
	if err != nil {
		return Revoked{Count: n}, fmt.Errorf("auth: end sessions: %w", err)
	}
	ev := a.event(EventSessionsRevoked, acct.Realm, op.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"which": "all", "count": fmt.Sprint(n), "by": o.id.Name, "reason": op.Reason}
	a.record(ctx, ev)
	return Revoked{Count: n}, nil
}

// searchPrefix canonicalises the beginning of a username or email as an
// operator typed it: a whole identifier as a login would, the beginning of
// a national number by its digits, anything else case-folded.
func (r Realm) searchPrefix(typed string) string {
	if id, _, err := r.identifier(typed); err == nil {
		return id
	}
	if r.Username != 0 && !strings.Contains(typed, "@") {
		digits := strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, typed)
		if digits != "" {
			return digits
		}
	}
	if c, err := CanonicalUsername(typed); err == nil {
		return c
	}
	return strings.ToLower(strings.TrimSpace(typed))
}

package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// Errors of operators' actions.
var (
	// ErrOutOfScope: the operator's Scope does not include the realm of
	// the account acted on (or is empty). Nothing was changed.
	ErrOutOfScope = errors.New("auth: account is outside the operator's realms")
	// ErrSelfAction: an operator tried to disable, reject, force a reset
	// on or end the sessions of its own account. Another operator must.
	ErrSelfAction = errors.New("auth: an operator cannot act on its own account")
)

// AnyRealm in an operator's Scope lets it act in every realm.
const AnyRealm = "*"

// OperatorAction is an operator's action on an account. Every action is
// recorded in the account's history with the operator and the reason.
type OperatorAction struct {
	// AccountID is the account acted on.
	AccountID string
	// Operator identifies who acts, for the log. Required.
	Operator string
	// OperatorAccount is the operator's own account ID, when operators
	// log in with masuk's accounts: an operator may not disable, force a
	// reset on or end the sessions of its own account (ErrSelfAction).
	OperatorAccount string
	// Scope lists the realms whose accounts the operator may act on
	// (AnyRealm for all). Required: an account of a realm outside it, or
	// an empty Scope, is refused with ErrOutOfScope.
	Scope []string
	// Reason says why, for the log.
	Reason string
	Request
}

// Bounds of what an operator types, which the log keeps.
const (
	maxOperatorBytes = 200
	maxReasonBytes   = maxDetail
)

// checkOperator refuses an operator's action that does not name the
// operator, or whose name or reason is longer than the log keeps.
func checkOperator(operator, reason string) error {
	switch {
	case operator == "":
		return errors.New("auth: the operator is required")
	case len(operator) > maxOperatorBytes:
		return &FieldError{Field: "operator", Max: maxOperatorBytes}
	case len(reason) > maxReasonBytes:
		return &FieldError{Field: "reason", Max: maxReasonBytes}
	}
	return nil
}

// inScope reports whether realm is one of scope's.
func inScope(scope []string, realm string) bool {
	return slices.Contains(scope, realm) || slices.Contains(scope, AnyRealm)
}

// operatorAccount returns the account an operator acts on, after checking
// that the operator is named, may act in its realm, and is not acting on
// itself.
func (a *Authenticator) operatorAccount(ctx context.Context, op OperatorAction) (store.Account, error) {
	if err := checkOperator(op.Operator, op.Reason); err != nil {
		return store.Account{}, err
	}
	if len(op.Scope) == 0 {
		return store.Account{}, ErrOutOfScope
	}
	if op.OperatorAccount != "" && op.OperatorAccount == op.AccountID {
		return store.Account{}, ErrSelfAction
	}
	acct, err := a.store.AccountByID(ctx, op.AccountID)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	if !inScope(op.Scope, acct.Realm) {
		return store.Account{}, ErrOutOfScope
	}
	return acct, nil
}

func (a *Authenticator) operatorEvent(ctx context.Context, kind string, acct store.Account, op OperatorAction) {
	ev := a.event(kind, acct.Realm, op.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"by": op.Operator, "reason": op.Reason}
	a.record(ctx, ev)
}

// Account returns the account with the ID, for an operator's page or for
// a host that needs the account as it is now (after a password change, to
// start a new session under its new security stamp). A wrapped
// store.ErrNotFound when there is none.
func (a *Authenticator) Account(ctx context.Context, id string) (store.Account, error) {
	acct, err := a.store.AccountByID(ctx, id)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	return acct, nil
}

// ForceReset makes the owner set a new password before logging in again,
// as a helpdesk does for an account it believes compromised: the current
// password stops working at once (it is replaced by one nobody knows, under
// a new security stamp, which ends every session, pending login and
// remembered device), and the owner gets a reset link, in a realm that
// resets by link, or a notice to ask for a code with "Forgot password", in
// one that resets by code. Locks end, as after any reset, unless
// ResetConfig.KeepLock.
//
// Its errors: ErrNotConfigured without a Sender, a token store or (for
// links) Links.Reset; ErrEmailRequired when the account has no address to
// send the reset to (nothing is changed then).
func (a *Authenticator) ForceReset(ctx context.Context, op OperatorAction) error {
	acct, err := a.operatorAccount(ctx, op)
	if err != nil {
		return err
	}
	realm, err := a.realm(acct.Realm)
	if err != nil {
		return err
	}
	if a.sender == nil || a.resets == nil || (realm.Reset == ByLink && a.links.Reset == "") {
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
	a.operatorEvent(ctx, EventForcedReset, acct, op)
	a.endSessions(ctx, acct, op.Operator, op.Request)
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
func (a *Authenticator) sendForcedReset(ctx context.Context, realm Realm, acct store.Account, r Request) error {
	if realm.Reset == ByLink {
		return a.sendResetMessage(ctx, realm, acct, r, "", 0)
	}
	d := a.messageData(acct)
	d.Time, d.Link = a.now(), a.links.Forgot
	return a.send(ctx, notify.Email, acct.Email, notify.ResetRequired, r.Locale, d)
}

// Disable turns an account off: it cannot log in, its sessions end at
// once, and logins to it answer as for a wrong password.
func (a *Authenticator) Disable(ctx context.Context, op OperatorAction) error {
	acct, err := a.operatorAccount(ctx, op)
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
	a.operatorEvent(ctx, EventDisabled, acct, op)
	if a.sessions != nil {
		n, err := a.sessions.DeleteSessions(context.WithoutCancel(ctx), acct.ID, "")
		if err != nil {
			// The state refuses them meanwhile; Enable ends them again.
			return fmt.Errorf("auth: disable: the account is disabled, but its sessions could not be ended: %w", err)
		}
		if n > 0 {
			a.sessionsRevoked(ctx, acct.ID, n, "all", op.Operator, op.Request)
		}
	}
	return nil
}

// Enable turns a disabled account back on.
func (a *Authenticator) Enable(ctx context.Context, op OperatorAction) error {
	acct, err := a.operatorAccount(ctx, op)
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
	a.operatorEvent(ctx, EventEnabled, acct, op)
	return nil
}

// EndSessions ends every session of the account, for an operator, and
// returns how many ended.
func (a *Authenticator) EndSessions(ctx context.Context, op OperatorAction) (int, error) {
	acct, err := a.operatorAccount(ctx, op)
	if err != nil {
		return 0, err
	}
	ss, err := a.sessionStore()
	if err != nil {
		return 0, err
	}
	n, err := ss.DeleteSessions(ctx, acct.ID, "")
	if err != nil {
		return n, fmt.Errorf("auth: end sessions: %w", err)
	}
	ev := a.event(EventSessionsRevoked, acct.Realm, op.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"which": "all", "count": fmt.Sprint(n), "by": op.Operator, "reason": op.Reason}
	a.record(ctx, ev)
	return n, nil
}

// ListAccounts lists a realm's accounts for an operator: by state (say,
// those waiting for approval) and by the beginning of the username or
// email. A search is canonicalised like a login's username, so "BUDI"
// finds "budi" and a whole NPWP typed with dots finds its account; the
// beginning of a national number is matched by its digits, against the
// canonical form (a 15-digit NPWP is kept as 16 digits, with a leading 0).
//
// Its errors: ErrNotConfigured when the store does not implement
// store.AccountLister.
func (a *Authenticator) ListAccounts(ctx context.Context, q store.AccountQuery) ([]store.Account, error) {
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

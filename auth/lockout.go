package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// begin asks the guard before a password is checked. A refusal is recorded
// and returned as the *lockout.LockedError, whatever the password.
func (a *Authenticator) begin(ctx context.Context, f lockout.Factor, ev store.Event) (*lockout.Attempt, error) {
	att, err := a.guard.Begin(ctx, f, lockout.Subject{Realm: ev.Realm, Username: ev.Username, Addr: ev.ClientAddr})
	var le *lockout.LockedError
	switch {
	case errors.As(err, &le):
		return nil, a.refusedLocked(ctx, ev, le)
	case err != nil:
		a.record(ctx, withReason(ev, ReasonError))
		return nil, fmt.Errorf("auth: %w", err)
	}
	return att, nil
}

// settle tells the guard how the attempt ended: err is nil for a right
// password, ErrInvalidCredentials for a wrong one; any other error (the
// hasher was busy, the store failed) means the password was never checked,
// and the attempt's charge is given back.
func (a *Authenticator) settle(ctx context.Context, att *lockout.Attempt, ev store.Event, err error) {
	ctx = context.WithoutCancel(ctx)
	switch {
	case err == nil || errors.Is(err, ErrPendingConfirmation) || errors.Is(err, ErrPendingApproval) ||
		errors.Is(err, ErrSecondFactorRequired) || errors.Is(err, ErrSecondFactorUnavailable):
		// The password was right: whatever else the login needs, the
		// password's count starts over.
		if err := att.Succeeded(ctx); err != nil {
			a.log.ErrorContext(ctx, "masuk: clearing attempts", "realm", ev.Realm, "username", ev.Username, "error", err)
		}
	case errors.Is(err, ErrInvalidCredentials):
		locked, err := att.Failed(ctx)
		if err != nil {
			a.log.ErrorContext(ctx, "masuk: recording a failed attempt", "realm", ev.Realm, "username", ev.Username, "error", err)
			return
		}
		if locked != nil {
			ev.Kind = EventLocked
			ev.Details = map[string]string{"scope": string(locked.Scope), "until": until(locked)}
			a.record(ctx, ev)
		}
	default:
		if err := att.Abandon(ctx); err != nil {
			a.log.ErrorContext(ctx, "masuk: giving back an attempt", "realm", ev.Realm, "username", ev.Username, "error", err)
		}
	}
}

// refusedLocked records an attempt refused by a lock and returns the lock.
func (a *Authenticator) refusedLocked(ctx context.Context, ev store.Event, le *lockout.LockedError) error {
	ev = withReason(ev, ReasonLocked)
	ev.Details["scope"] = string(le.Scope)
	ev.Details["until"] = until(le)
	a.record(ctx, ev)
	return le
}

func until(le *lockout.LockedError) string {
	if le.Permanent {
		return "permanent"
	}
	return le.Until.UTC().Format(time.RFC3339)
}

// UnlockRequest is an operator's request to end the locks of an account.
type UnlockRequest struct {
	// Realm and Username name the account; the username as typed.
	Realm, Username string
	// Operator identifies who unlocks, for the log. Required.
	Operator string
	// Scope lists the realms the operator may act in (AnyRealm for all).
	// Required: a realm outside it, or an empty Scope, is refused with
	// ErrOutOfScope.
	Scope []string
	// Reason says why, for the log.
	Reason string
	Request
}

// Unlock ends the password and second-factor locks of a username in a realm
// and forgets their history, and records who did it. It works whether or
// not an account has the username (an attacker may have locked a name
// before its owner registered it) and returns the status before.
func (a *Authenticator) Unlock(ctx context.Context, r UnlockRequest) (lockout.Status, error) {
	if err := checkOperator(r.Operator, r.Reason); err != nil {
		return lockout.Status{}, err
	}
	if !inScope(r.Scope, r.Realm) {
		return lockout.Status{}, ErrOutOfScope
	}
	realm, err := a.realm(r.Realm)
	if err != nil {
		return lockout.Status{}, err
	}
	username, err := realm.username(r.Username, false)
	if err != nil {
		return lockout.Status{}, err
	}
	before, err := a.guard.Unlock(ctx, r.Realm, username)
	if err != nil {
		return lockout.Status{}, fmt.Errorf("auth: unlock: %w", err)
	}
	ev := a.event(EventUnlocked, r.Realm, r.Request)
	ev.Username = username
	if acct, err := a.store.AccountByUsername(ctx, r.Realm, username); err == nil {
		ev.AccountID = acct.ID
	}
	ev.Details = map[string]string{"by": r.Operator, "reason": r.Reason, "was_locked": fmt.Sprint(before.Locked())}
	a.record(ctx, ev)
	return before, nil
}

// LockStatus returns the lockout counters of a username in a realm, for an
// operator's screen.
func (a *Authenticator) LockStatus(ctx context.Context, realmName, typed string) (lockout.Status, error) {
	realm, err := a.realm(realmName)
	if err != nil {
		return lockout.Status{}, err
	}
	username, err := realm.username(typed, false)
	if err != nil {
		return lockout.Status{}, err
	}
	return a.guard.Status(ctx, realmName, username)
}

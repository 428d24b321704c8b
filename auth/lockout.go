package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// begin asks the guard before a password is checked. A refusal is recorded
// and returned as the *lockout.LockedError, whatever the password.
func (a *Authenticator) begin(ctx context.Context, r *realmConfig, f lockout.Factor, ev store.Event) (*lockout.Attempt, error) {
	att, err := r.guard.Begin(ctx, f, lockout.Subject{Realm: ev.Realm, Username: ev.Username, Addr: ev.ClientAddr})
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
		errors.Is(err, ErrSecondFactorRequired) || errors.Is(err, ErrEnrollmentRequired) || errors.Is(err, ErrSecondFactorUnavailable):
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
			ev.Kind = string(EventLocked)
			ev.Details = map[string]string{"scope": string(locked.Scope), "until": until(locked)}
			a.record(ctx, ev)
			if locked.Scope == lockout.ScopeAccount {
				a.lockNotice(ctx, ev, locked)
			}
		}
	default:
		if err := att.Abandon(ctx); err != nil {
			a.log.ErrorContext(ctx, "masuk: giving back an attempt", "realm", ev.Realm, "username", ev.Username, "error", err)
		}
	}
}

// lockNotice tells the owner of the account a username names, if there is
// one with an email address, that failures locked it: until when (or until
// an operator unlocks it), and where to reset the password when a reset
// ends the lock. In the background, so that a lock of a username with an
// account answers in the time of one without. One notice a lock: the
// attempts a lock refuses are never charged, so none of them locks again.
func (a *Authenticator) lockNotice(ctx context.Context, ev store.Event, locked *lockout.LockedError) {
	realm := a.realmOf(ev.Realm)
	a.later(ctx, "lock notice", func(ctx context.Context) {
		acct, err := a.store.AccountByUsername(ctx, ev.Realm, ev.Username)
		if err != nil || acct.Email == "" || acct.State != store.StateActive {
			return
		}
		d := a.messageData(acct)
		if !locked.Permanent {
			d.Until = locked.Until
		}
		if !realm.guard.KeepLockOnReset() {
			d.Link = realm.Links.Forgot
		}
		if err := a.send(ctx, acct.Realm, notify.Email, acct.Email, notify.AccountLocked, "", d); err != nil {
			a.log.ErrorContext(ctx, "masuk: telling the owner of a lock", "account", acct.ID, "error", err)
		}
	})
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

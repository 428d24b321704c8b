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

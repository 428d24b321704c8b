package auth

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// ActivityEntry is one line of an account's history, for its owner.
type ActivityEntry struct {
	// ID orders the history; pass the last one to Activity for the next
	// page.
	ID int64 `json:"id"`
	// Kind names what happened: one of the Event constants, such as
	// EventLoginSucceeded or EventPasswordReset.
	Kind       EventKind         `json:"kind"`
	Time       time.Time         `json:"time"`
	ClientAddr string            `json:"client_addr,omitempty"`
	UserAgent  string            `json:"user_agent,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
}

// ActivityQuery pages through an account's history.
type ActivityQuery struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Before, when above zero, returns the entries older than the entry
	// with that ID.
	Before int64
	// Limit is the most entries returned: 0 means 50, at most 1000.
	Limit int
}

// Activity reads an account's history. Obtain it from
// [Authenticator.Activity].
type Activity struct{ a *Authenticator }

// List returns the account's history, newest first: logins and failures,
// locks and unlocks, resets and password changes, factor changes, sessions
// ended, links and codes tried wrong, and operators' actions with who did
// them. Show it so owners can spot a login that was not theirs.
func (v *Activity) List(ctx context.Context, q ActivityQuery) (_ []ActivityEntry, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Activity.List")
	defer sp.end(&err)
	return v.a.activity(ctx, q)
}

func (a *Authenticator) activity(ctx context.Context, q ActivityQuery) ([]ActivityEntry, error) {
	acct, err := a.store.AccountByID(ctx, q.AccountID)
	if err != nil {
		return nil, fmt.Errorf("auth: activity: %w", err)
	}
	evs, err := a.store.ListEvents(ctx, store.EventQuery{Realm: acct.Realm, AccountID: acct.ID, Before: q.Before, Limit: q.Limit})
	if err != nil {
		return nil, fmt.Errorf("auth: activity: %w", err)
	}
	out := make([]ActivityEntry, len(evs))
	for i, e := range evs {
		out[i] = ActivityEntry{ID: e.ID, Kind: EventKind(e.Kind), Time: e.Time, ClientAddr: e.ClientAddr, UserAgent: e.UserAgent, Details: maps.Clone(e.Details)}
	}
	return out, nil
}

// recentLogins is how many of an account's latest events are searched for
// an earlier login from the same device and network.
const recentLogins = 200

// newDevice reports whether a successful login of acct from req, recorded
// as the event before, comes from a browser or a network not seen in the
// account's recent logins before it. The first
// login of an account is not new: there is nothing to compare with, and the
// owner has just registered.
func (a *Authenticator) newDevice(ctx context.Context, acct store.Account, req Request, before int64) bool {
	evs, err := a.store.ListEvents(ctx, store.EventQuery{Realm: acct.Realm, AccountID: acct.ID, Before: before, Limit: recentLogins})
	if err != nil {
		a.log.ErrorContext(ctx, "masuk: reading recent logins", "account", acct.ID, "error", err)
		return false
	}
	addr := networkOf(clean(req.ClientAddr, store.MaxSessionAddr))
	agent := clean(req.UserAgent, store.MaxSessionUserAgent)
	var any, ua, network bool
	for _, e := range evs {
		if EventKind(e.Kind) != EventLoginSucceeded {
			continue
		}
		any = true
		ua = ua || e.UserAgent == agent
		network = network || networkOf(e.ClientAddr) == addr
		if ua && network {
			return false
		}
	}
	return any
}

// loggedInFrom reports whether acct's recent history holds a completed
// login from the network of addr (see networkOf).
func (a *Authenticator) loggedInFrom(ctx context.Context, acct store.Account, addr string) bool {
	if addr == "" {
		return false
	}
	evs, err := a.store.ListEvents(ctx, store.EventQuery{Realm: acct.Realm, AccountID: acct.ID, Limit: recentLogins})
	if err != nil {
		a.log.ErrorContext(ctx, "masuk: reading recent logins", "account", acct.ID, "error", err)
		return false
	}
	network := networkOf(clean(addr, store.MaxSessionAddr))
	for _, e := range evs {
		if EventKind(e.Kind) == EventLoginSucceeded && networkOf(e.ClientAddr) == network {
			return true
		}
	}
	return false
}

// networkOf is the network a client address is counted in for new-device
// alerts: an IPv4 /24 or an IPv6 /48, so that a phone moving between
// addresses of one provider's pool is not new each time.
func networkOf(addr string) string {
	v4 := lockout.CountedAddr(addr, 48)
	for i := len(v4) - 1; i >= 0; i-- {
		if v4[i] == '.' {
			return v4[:i]
		}
		if v4[i] == ':' || v4[i] == '/' {
			break
		}
	}
	return v4
}

// loggedIn records a completed login (both steps) and, in the background,
// when it comes from a new device or network, records that and tells the
// owner.
func (a *Authenticator) loggedIn(ctx context.Context, ev store.Event, acct store.Account, req Request) {
	ev.Kind = string(EventLoginSucceeded)
	id := a.record(ctx, ev)
	if a.sender == nil || id == 0 {
		return
	}
	// The history is read after the answer: a login costs its hash and
	// a few store calls, not a scan of the account's recent events.
	a.later(ctx, "new-device alert", func(ctx context.Context) {
		if !a.newDevice(ctx, acct, req, id) {
			return
		}
		ne := ev
		ne.Kind, ne.Details = string(EventNewDevice), nil
		a.record(ctx, ne)
		a.notice(ctx, acct, notify.NewDevice, req, notify.Data{Time: ev.Time, Link: a.realmOf(acct.Realm).Links.Activity})
	})
}

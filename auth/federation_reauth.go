package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/masuk-id/masuk/store"
)

// Re-authentication through a provider: the proof of a signed-in owner
// whose account has no password (Provider.Create made it), or who would
// rather not type it, for the sensitive actions checkOwner guards.

// intentReauth is the intent of a started re-authentication, beside
// "login" and "link".
const intentReauth = "reauth"

// dataSession is the hash of the selector of the session a
// re-authentication began in: the proof goes to that session only.
const dataSession = "session"

// actionReauth names a re-authentication through a provider in the
// "action" detail of its failed events.
const actionReauth = "reauthenticate"

// authTimeLeeway is how far before Begin the provider's "auth_time" may
// be: the provider's clock and the realm's may differ by this much. A
// sign-in at the provider that long before Begin is not a proof made for
// this re-authentication, but neither is it one made hours ago in a
// long single sign-on session, which is what the check refuses.
const authTimeLeeway = 30 * time.Second

// forAccount reports whether a started flow's intent is for a signed-in
// account (a link or a re-authentication), whose answer must come with
// FederationCallback.AccountID.
func forAccount(intent string) bool { return intent == "link" || intent == intentReauth }

// reauthStart is what Begin keeps and sends for a re-authentication.
type reauthStart struct {
	accountID, stamp, session string
}

// beginReauth checks a re-authentication's start: a signed-in owner
// (Request.Session is the account's live session), an active account of
// the realm, an identity of the provider linked to it. No password is
// asked: proving who the person is is what the provider is asked for.
func (a *Authenticator) beginReauth(ctx context.Context, r *realmConfig, rp *relyingParty, s FederationStart) (*reauthStart, error) {
	if s.AccountID == "" || s.Session == "" {
		return nil, ErrNoSession
	}
	if s.Password != "" {
		// A password would be a proof of its own: a caller that sends one
		// here meant another call, and none is checked in its stead.
		return nil, ErrInvalidField
	}
	acct, err := a.store.AccountByID(ctx, s.AccountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ErrNoSession
	case err != nil:
		return nil, fmt.Errorf("auth: %w", err)
	case acct.Realm != r.name:
		return nil, ErrUnknownRealm
	case acct.State != store.StateActive:
		return nil, ErrInvalidCredentials
	}
	sess, err := a.ownSession(ctx, acct, s.Session)
	switch {
	case errors.Is(err, ErrReauthRequired):
		return nil, ErrNoSession
	case err != nil:
		return nil, err
	}
	if _, err := a.linkedSubject(ctx, acct, rp); err != nil {
		return nil, err
	}
	return &reauthStart{accountID: acct.ID, stamp: acct.SecurityStamp, session: sessionHash(sess.Selector)}, nil
}

// keep adds the re-authentication's facts to its token's data.
func (re *reauthStart) keep(data map[string]string) {
	if re != nil {
		data[dataSession] = re.session
	}
}

// authOptions ask the provider for a fresh authentication, whatever
// single sign-on session it holds: "prompt=login" and "max_age=0"
// (OpenID Connect Core 3.1.2.1), which also makes it send "auth_time".
// They go after the provider's AuthParams, which cannot weaken them.
func (re *reauthStart) authOptions() []oauth2.AuthCodeOption {
	if re == nil {
		return nil
	}
	return []oauth2.AuthCodeOption{oauth2.SetAuthURLParam("prompt", "login"), oauth2.SetAuthURLParam("max_age", "0")}
}

// sessionHash is what a started re-authentication keeps of its session's
// selector.
func sessionHash(selector string) string {
	sum := sha256.Sum256([]byte("masuk/federation/session\x00" + selector))
	return hex.EncodeToString(sum[:])
}

// linkedSubject returns the subject of acct's identity at the provider,
// or ErrNotLinked when it has none.
func (a *Authenticator) linkedSubject(ctx context.Context, acct store.Account, rp *relyingParty) (string, error) {
	fis, err := a.fed.FederatedIdentities(ctx, acct.ID)
	if err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	for _, fi := range fis {
		if fi.Issuer == rp.p.Issuer {
			return fi.Subject, nil
		}
	}
	return "", ErrNotLinked
}

// reauthEvent makes ev, a federated answer's failure event, the failed
// re-authentication of the account that began it.
func reauthEvent(ev store.Event, t store.Token) store.Event {
	ev.Kind, ev.AccountID = string(EventReauthFailed), t.AccountID
	ev.Details["action"] = actionReauth
	return ev
}

// reauthenticated completes a re-authentication: the provider vouched,
// just now, for the very identity linked to the account that began it,
// in the session that began it. Only then is the proof recorded in the
// session. Every refusal is ErrFederationRefused, recorded as a failed
// re-authentication.
func (a *Authenticator) reauthenticated(ctx context.Context, r *realmConfig, rp *relyingParty, t store.Token, id *oidc.IDToken, cl idClaims, ev store.Event, req Request) (*FederationResult, error) {
	refuse := func(reason Reason) (*FederationResult, error) {
		a.record(ctx, fedReason(ev, reason))
		return nil, ErrFederationRefused
	}
	acct, err := a.store.AccountByID(ctx, t.AccountID)
	if err != nil {
		a.record(ctx, fedReason(ev, ReasonError))
		return nil, fmt.Errorf("auth: re-authenticating through %s: %w", rp.p.Name, err)
	}
	ev.Username = acct.Username
	if acct.State != store.StateActive || subtle.ConstantTimeCompare([]byte(acct.SecurityStamp), []byte(t.Data[dataStamp])) != 1 {
		// Disabled, or its password changed, since Begin.
		return refuse(ReasonPendingUsed)
	}
	sess, err := a.ownSession(ctx, acct, req.Session)
	if err != nil || subtle.ConstantTimeCompare([]byte(sessionHash(sess.Selector)), []byte(t.Data[dataSession])) != 1 {
		if err != nil && !errors.Is(err, ErrReauthRequired) {
			a.record(ctx, fedReason(ev, ReasonError))
			return nil, err
		}
		return refuse(ReasonNoCode)
	}
	if !freshAuth(cl.raw["auth_time"], t.IssuedAt, a.now()) {
		// The provider let a sign-in from before Begin stand (a long
		// single sign-on session, a provider that ignores max_age): no
		// proof made now.
		return refuse(ReasonStaleAuthentication)
	}
	fi, err := a.fed.FederatedIdentity(ctx, r.name, rp.p.Issuer, id.Subject)
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && fi.AccountID != acct.ID):
		// Someone else signed in at the provider: their identity proves
		// nothing about this account, even when it is linked to another.
		return refuse(ReasonOtherIdentity)
	case err != nil:
		a.record(ctx, fedReason(ev, ReasonError))
		return nil, fmt.Errorf("auth: re-authenticating through %s: %w", rp.p.Name, err)
	}
	now, err := a.verifySession(ctx, sess.Selector)
	if err != nil {
		a.record(ctx, fedReason(ev, ReasonError))
		return nil, err
	}
	if err := a.fed.UseFederatedIdentity(ctx, r.name, rp.p.Issuer, id.Subject, now); err != nil {
		a.log.ErrorContext(ctx, "masuk: recording a federated identity's use", "provider", rp.p.Name, "error", err)
	}
	ok := a.event(EventReauthenticated, r.name, req)
	ok.AccountID, ok.Username = acct.ID, acct.Username
	ok.Details = map[string]string{"method": "federation", "provider": rp.p.Name}
	a.record(ctx, ok)
	return &FederationResult{Reauthenticated: true, ReauthUntil: now.Add(a.settingsOf(acct.Realm).Session.ReauthWithin), Provider: rp.p.Name}, nil
}

// freshAuth reports whether the ID token's "auth_time" (seconds since the
// epoch, as JSON decodes it) says the person signed in at the provider
// after begun, less authTimeLeeway, and not in the future beyond a
// minute. A token without one is not fresh.
func freshAuth(v any, begun, now time.Time) bool {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > math.MaxInt32*4 {
		return false
	}
	at := time.Unix(int64(f), 0)
	return !at.Before(begun.Add(-authTimeLeeway).Truncate(time.Second)) && !at.After(now.Add(time.Minute))
}

// recentAuth reports whether the ID token's "auth_time" says the person
// signed in at the provider within the last within (less authTimeLeeway
// of clock difference) and not in the future beyond a minute. A token
// without one is not recent.
func recentAuth(v any, now time.Time, within time.Duration) bool {
	return freshAuth(v, now.Add(-within), now)
}

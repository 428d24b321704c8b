package auth

import (
	"context"
	"log/slog"
	"maps"
	"strings"

	"github.com/masuk-id/masuk/store"
)

// EventKind names what an event records: the Kind of a store.Event that
// masuk writes, and of an ActivityEntry.
type EventKind string

// The kinds of events masuk records, in the store's log and to its logger.
const (
	EventLoginSucceeded       EventKind = "login.succeeded"
	EventLoginFailed          EventKind = "login.failed"
	EventRegistered           EventKind = "account.registered"
	EventPasswordChanged      EventKind = "password.changed"
	EventPasswordChangeFailed EventKind = "password.change_failed"
	// EventPasswordSet: an account without a password (one a provider
	// made) got its first one (Accounts.SetFirstPassword).
	EventPasswordSet EventKind = "password.set"
	// EventPasswordUpgraded: an outdated hash (bcrypt, a legacy digest,
	// older argon2id parameters) was replaced at login. The password did
	// not change, and neither did the security stamp.
	EventPasswordUpgraded EventKind = "password.upgraded"
	// EventLocked: a failure locked a counter; details "scope" (account,
	// address, pair, second_factor) and "until" (RFC 3339, or
	// "permanent").
	EventLocked EventKind = "lockout.locked"
	// EventUnlocked: an operator ended a lock; details "by", "reason" and
	// "was_locked".
	EventUnlocked EventKind = "lockout.unlocked"
	// EventSecondFactorRequired: the password was right and the login
	// waits for its second factor; detail "methods".
	EventSecondFactorRequired EventKind = "login.second_factor_required"
	// EventEnrollmentRequired: the password was right, and the login
	// waits for the account to enroll the second factor its realm
	// requires; detail "methods".
	EventEnrollmentRequired EventKind = "login.enrollment_required"
	// EventCodeSent: a code for the second step went out; detail "method".
	EventCodeSent EventKind = "login.code_sent"
	// EventFactorAdded and EventFactorRemoved: details "factor" (totp,
	// email, sms) and "factor_id".
	EventFactorAdded   EventKind = "factor.added"
	EventFactorRemoved EventKind = "factor.removed"
	// EventFactorChangeFailed: a change to the second factors was refused
	// because the current password was wrong.
	EventFactorChangeFailed EventKind = "factor.change_failed"
	// EventRecoveryCodesRenewed: a new set of recovery codes replaced the
	// old one.
	EventRecoveryCodesRenewed EventKind = "recovery.renewed"
	// EventRecoveryCodeUsed: a recovery code completed a login.
	EventRecoveryCodeUsed EventKind = "recovery.used"
	// EventDeviceRemembered and EventDeviceForgotten: a device was
	// remembered after a second factor, or forgotten (detail "device":
	// its ID or "all").
	EventDeviceRemembered EventKind = "device.remembered"
	EventDeviceForgotten  EventKind = "device.forgotten"
	// EventResetRequested: a reset was asked for; recorded after the
	// answer, with the reason it sent nothing, if it sent nothing
	// (ReasonUnknownUser, ReasonNotResettable, ReasonThrottled), and
	// detail "network" "known" when the request came from a network the
	// account has logged in from.
	EventResetRequested EventKind = "password.reset_requested"
	// EventPasswordReset: a reset link or code set a new password; detail
	// "unlocked".
	EventPasswordReset EventKind = "password.reset"
	// EventTokenFailed: a reset, activation or email-change link or code
	// did not open the account; details "purpose" and "by" (link, code).
	// Recorded in the history of the account it named, when it named one.
	EventTokenFailed EventKind = "token.failed"
	// EventRegisteredAgain: a registration named a username or email that
	// is taken; the owner of the address was told (or, past the limit,
	// ReasonNoticeDropped).
	EventRegisteredAgain EventKind = "account.registered_again"
	// EventExpired: an account that never confirmed its email address
	// within Registration.UnconfirmedFor was deleted, because a new
	// registration named its username or email.
	EventExpired EventKind = "account.expired"
	// EventConfirmed: a new account confirmed its email address; detail
	// "state" (active or pending_approval).
	EventConfirmed EventKind = "account.confirmed"
	// EventApproved and EventRejected: an operator decided on a
	// registration; details "by" and "reason".
	EventApproved EventKind = "account.approved"
	EventRejected EventKind = "account.rejected"
	// EventEmailChangeRequested: a confirmation link went to a new
	// address (ReasonTaken when the address belongs to another account
	// and its owner was told instead).
	EventEmailChangeRequested EventKind = "email.change_requested"
	// EventEmailChanged: the new address was confirmed and replaced the
	// old one.
	EventEmailChanged EventKind = "email.changed"
	// EventPhoneChangeRequested: a code went to a new phone number;
	// detail "method" (sms or whatsapp).
	EventPhoneChangeRequested EventKind = "phone.change_requested"
	// EventPhoneChanged: the code confirmed the new number, which
	// replaced the old one; the old number and the email were told.
	EventPhoneChanged EventKind = "phone.changed"
	// EventNewDevice: a completed login came from a browser or network
	// not seen in the account's recent logins; the owner was told.
	EventNewDevice EventKind = "login.new_device"
	// EventLogout: a session was ended by its owner; detail "session".
	EventLogout EventKind = "session.logout"
	// EventReauthenticated: the owner proved the password again in a
	// session (Sessions.Reauthenticate); EventReauthFailed: the password
	// was wrong, there or before an action that asks for it (detail
	// "action": email_change, phone_change, erase, federation).
	EventReauthenticated EventKind = "session.reauthenticated"
	EventReauthFailed    EventKind = "session.reauth_failed"
	// EventSessionsRevoked: sessions were ended, details "which" (one,
	// others, all), "count" and, for an operator, "by".
	EventSessionsRevoked EventKind = "session.revoked"
	// Operators' actions, each with details "by" and "reason".
	EventForcedReset EventKind = "operator.forced_reset"
	EventDisabled    EventKind = "account.disabled"
	// EventErased: an account was erased, by its owner or an operator
	// (Accounts.Erase, Operator.Erase); detail "by" ("owner", or the
	// operator's name, with "reason"). It names the account by
	// store.Pseudonym, as the events the erasure kept do.
	EventErased EventKind = "account.erased"
	// EventExported: an operator took a copy of the account's data
	// (Operator.Export); details "by" and "reason".
	EventExported EventKind = "account.exported"
	// EventPasskeyCloned: a login with a passkey was refused because the
	// authenticator's signature counter went back (details "stored" and
	// "sent", and the passkey's "factor_id"): two copies of its key may
	// be in use. The passkey stays; an operator should look, and may
	// remove it.
	EventPasskeyCloned EventKind = "passkey.cloned"
	EventEnabled       EventKind = "account.enabled"
	// EventIdentityLinked: an identity at an OpenID provider was linked
	// to the account; details "provider" and "how" ("signed_in", or
	// "claim" at a first login through a provider that links by claim).
	EventIdentityLinked EventKind = "federation.linked"
	// EventIdentityUnlinked: the owner removed a provider; detail
	// "provider".
	EventIdentityUnlinked EventKind = "federation.unlinked"
)

// Reason says why an attempt failed or did less than asked: an event's
// "reason" detail. Reasons are for the log and for operators, never for
// the person logging in, who sees only ErrInvalidCredentials.
type Reason string

// The reasons.
const (
	ReasonUnknownUser         Reason = "unknown_user"
	ReasonBadPassword         Reason = "bad_password"
	ReasonDisabled            Reason = "disabled"
	ReasonPendingConfirmation Reason = "pending_confirmation"
	ReasonPendingApproval     Reason = "pending_approval"
	ReasonInvalidUsername     Reason = "invalid_username"
	ReasonNoCredential        Reason = "no_credential"
	ReasonBusy                Reason = "busy"
	ReasonLocked              Reason = "locked"
	ReasonCaptchaRequired     Reason = "captcha_required"
	ReasonCaptchaInvalid      Reason = "captcha_invalid"
	ReasonError               Reason = "error"
	// ReasonBadCode, ReasonReplayedCode and ReasonNoCode: a second factor's
	// code was wrong, already used, or never sent.
	ReasonBadCode      Reason = "bad_code"
	ReasonReplayedCode Reason = "replayed_code"
	ReasonNoCode       Reason = "no_code"
	// ReasonPendingUsed: the code was right, but another request completed
	// the pending login first.
	ReasonPendingUsed Reason = "pending_used"
	// ReasonNoticeDropped: a notice to the owner of an address was not
	// sent, because one went less than Registration.NoticeEvery ago.
	ReasonNoticeDropped Reason = "notice_dropped"
	// ReasonThrottled: the request came more often than its limits allow;
	// nothing was sent.
	ReasonThrottled Reason = "throttled"
	// ReasonNotResettable: the account is not active, or has no address
	// to send the reset to.
	ReasonNotResettable Reason = "not_resettable"
	// ReasonWrongPhone: a reset by phone named a number that is not the
	// account's; nothing was sent.
	ReasonWrongPhone Reason = "wrong_phone"
	// ReasonTaken: an email change named an address another account has.
	ReasonTaken Reason = "taken"
	// ReasonCooldown: a message went to the account too recently.
	ReasonCooldown Reason = "cooldown"
	// ReasonNotUpgraded: an outdated hash could not be replaced (the
	// detail "error" says why); the old one still works.
	ReasonNotUpgraded Reason = "not_upgraded"
	// ReasonNoUsableFactor: the password was right, but the account's
	// second factors cannot be used here (see ErrSecondFactorUnavailable).
	ReasonNoUsableFactor Reason = "no_usable_factor"
	// ReasonNotVerified: the authenticator made or used a passkey without
	// verifying its user (no PIN, no fingerprint) where the realm needs
	// it.
	ReasonNotVerified Reason = "not_verified"
	// ReasonUnknownPasskey: a login without a password named a passkey
	// that no account of the realm has.
	ReasonUnknownPasskey Reason = "unknown_passkey"
	// ReasonPasskeyCloned: a passkey's signature counter went back, or
	// stood still, from the one stored: its key may have been copied out
	// of the authenticator (see EventPasskeyCloned).
	ReasonPasskeyCloned Reason = "passkey_cloned"
	// ReasonStaleAuthentication: a re-authentication through a provider
	// came back with a sign-in older than its start ("auth_time"), or
	// none: the provider's single sign-on, not a proof made now.
	ReasonStaleAuthentication Reason = "stale_authentication"
	// ReasonOtherIdentity: a re-authentication through a provider came
	// back signed in as an identity that is not the account's.
	ReasonOtherIdentity Reason = "other_identity"
)

// Request describes where a request came from, for the activity log.
type Request struct {
	// ClientAddr is the client's address as the host determined it.
	ClientAddr string
	// UserAgent is the client's User-Agent header.
	UserAgent string
	// Locale is the language of the messages the request makes masuk
	// send, "id" or "en"; empty means the realm's Messages.Locale.
	Locale string
	// Session is the token of the session the request came with
	// (NewSession.Token), for the sensitive actions that take the owner's
	// password: with it, an action whose password is left empty goes
	// through when the owner proved the password in this session within
	// the realm's Session.ReauthWithin, and is refused with
	// ErrReauthRequired otherwise; a password given and right renews the
	// proof. It is never logged.
	Session string `json:"-"`
}

// record appends e to the store's log and writes it to the logger, and
// returns the ID the store gave it (0 when it could not be stored). It does
// so even when ctx is canceled (a client that hangs up mid-login still
// leaves its trace), and a failure to record is logged, not returned: the
// audit trail must not become a way to deny logins.
func (a *Authenticator) record(ctx context.Context, e store.Event) int64 {
	ctx = context.WithoutCancel(ctx)
	cleanDetails(e.Details)
	id, err := a.store.AppendEvent(ctx, e)
	if err == nil {
		a.recordedOne(ctx)
	}
	a.tel.event(ctx, e)
	// The sink gets the event even when the store refused it: a SIEM is
	// where an operator looks when the database is in trouble.
	se := e
	se.ID, se.Details = id, maps.Clone(e.Details)
	a.sink.send(se)
	level := slog.LevelInfo
	if k := EventKind(e.Kind); k == EventLoginFailed || k == EventPasswordChangeFailed || k == EventFactorChangeFailed || k == EventTokenFailed {
		level = slog.LevelWarn
	}
	if err != nil {
		level = slog.LevelError
	}
	if !a.log.Enabled(ctx, level) {
		return id
	}
	attrs := make([]slog.Attr, 0, 8+len(e.Details))
	attrs = append(attrs,
		slog.String("realm", e.Realm),
		slog.String("account", e.AccountID),
		slog.String("username", e.Username),
		slog.String("client_addr", e.ClientAddr),
		slog.String("user_agent", e.UserAgent),
	)
	for k, v := range e.Details {
		attrs = append(attrs, slog.String(k, v))
	}
	if err != nil {
		attrs = append(attrs, slog.String("record_error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int64("event_id", id))
	}
	a.log.LogAttrs(ctx, level, "masuk: "+e.Kind, attrs...)
	return id
}

func (a *Authenticator) event(kind EventKind, realm string, req Request) store.Event {
	return store.Event{Kind: string(kind), Realm: realm, Time: a.now(), ClientAddr: clean(req.ClientAddr, store.MaxSessionAddr), UserAgent: clean(req.UserAgent, store.MaxSessionUserAgent)}
}

// clean makes a client-supplied value fit the log: valid UTF-8 without NUL
// or other control characters (a PostgreSQL text column refuses invalid
// UTF-8 and NUL, and an event it refuses would hide the attempt from the
// owner's history; a line break would forge a line of a text log) and at
// most n bytes (a megabyte User-Agent must not become a megabyte per
// failed login).
func clean(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexFunc(s, isControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isControl(r) {
				return '\uFFFD'
			}
			return r
		}, s)
	}
	return cut(s, n)
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// maxDetail is the longest value of an event's detail: an operator's
// reason, an error's text.
const maxDetail = 1000

// cleanDetails cleans every value of an event's details as clean does:
// they hold an operator's reason, which a form sent.
func cleanDetails(d map[string]string) {
	for k, v := range d {
		d[k] = clean(v, maxDetail)
	}
}

func withReason(e store.Event, reason Reason) store.Event {
	e.Details = map[string]string{"reason": string(reason)}
	return e
}

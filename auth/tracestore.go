package auth

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/masuk-id/masuk/store"
)

// The store's spans: with a TracerProvider, New wraps every role in a
// traced one of the same role, whose calls are each a span named
// "masuk.store.<role>.<method>". The wrappers embed nothing: a method
// added to a role does not compile until it is traced here, and an
// optional role (store.Erasure, store.SessionAccounts, store.AccountCopies) is found on the
// host's store before wrapping, so that tracing never hides one.

// attrStoreResult is a store call's result: ok, or the sentinel it
// returned (not_found, conflict, stale, invalid), or error.
const attrStoreResult = attribute.Key("masuk.store.result")

// startStore starts the span of a store call.
func startStore(ctx context.Context, t trace.Tracer, name string) (context.Context, trace.Span) {
	return t.Start(ctx, name, trace.WithSpanKind(trace.SpanKindClient))
}

// endStore ends a store call's span with its result and returns err. The
// store's sentinels are answers; any other error sets the span's status
// to Error, named by its type only (a driver's message may quote a row).
func endStore(sp trace.Span, err error) error {
	result := "ok"
	switch {
	case err == nil:
	case errors.Is(err, store.ErrNotFound):
		result = "not_found"
	case errors.Is(err, store.ErrConflict):
		result = "conflict"
	case errors.Is(err, store.ErrStale):
		result = "stale"
	case errors.Is(err, store.ErrInvalid):
		result = "invalid"
	default:
		result = "error"
		sp.SetStatus(codes.Error, "store call failed")
	}
	sp.SetAttributes(attrStoreResult.String(result))
	sp.End()
	return err
}

// traced returns rs with every role wrapped in a traced one.
func (rs roles) traced(t trace.Tracer) roles {
	w := rs
	w.accounts = tracedAccounts{rs.accounts, t}
	w.credentials = tracedCredentials{rs.credentials, t}
	w.events = tracedEvents{rs.events, t}
	w.attempts = tracedAttempts{rs.attempts, t}
	if rs.tokens != nil {
		w.tokens = tracedTokens{rs.tokens, t}
	}
	if rs.sessions != nil {
		w.sessions = tracedSessions{rs.sessions, t}
	}
	if rs.factors != nil {
		w.factors = tracedFactors{rs.factors, t}
	}
	if rs.recovery != nil {
		w.recovery = tracedRecovery{rs.recovery, t}
	}
	if rs.devices != nil {
		w.devices = tracedDevices{rs.devices, t}
	}
	if rs.lister != nil {
		w.lister = tracedAccountLister{rs.lister, t}
	}
	if rs.passkeys != nil {
		w.passkeys = tracedPasskeys{rs.passkeys, t}
	}
	if rs.federation != nil {
		w.federation = tracedFederation{rs.federation, t}
	}
	if rs.erasure != nil {
		w.erasure = tracedErasure{rs.erasure, t}
	}
	if rs.joined != nil {
		w.joined = tracedSessionAccounts{rs.joined, t}
	}
	if rs.copies != nil {
		w.copies = tracedAccountCopies{rs.copies, t}
	}
	return w
}

// tracedTokens is a store.Tokens whose every call is a span.
type tracedTokens struct {
	s store.Tokens
	t trace.Tracer
}

func (w tracedTokens) IssueToken(ctx context.Context, t store.Token, cooldown time.Duration) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.tokens.IssueToken")
	return endStore(sp, w.s.IssueToken(ctx, t, cooldown))
}

func (w tracedTokens) AttemptToken(ctx context.Context, k store.TokenKey, at time.Time) (store.Token, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.tokens.AttemptToken")
	v, err := w.s.AttemptToken(ctx, k, at)
	return v, endStore(sp, err)
}

func (w tracedTokens) ConsumeToken(ctx context.Context, selector string, hash []byte) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.tokens.ConsumeToken")
	return endStore(sp, w.s.ConsumeToken(ctx, selector, hash))
}

func (w tracedTokens) VoidTokens(ctx context.Context, accountID string, purposes ...string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.tokens.VoidTokens")
	return endStore(sp, w.s.VoidTokens(ctx, accountID, purposes...))
}

// tracedAccounts is a store.Accounts whose every call is a span.
type tracedAccounts struct {
	s store.Accounts
	t trace.Tracer
}

func (w tracedAccounts) CreateAccount(ctx context.Context, a store.Account, cred *store.Credential) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.CreateAccount")
	return endStore(sp, w.s.CreateAccount(ctx, a, cred))
}

func (w tracedAccounts) AccountByID(ctx context.Context, id string) (store.Account, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.AccountByID")
	v, err := w.s.AccountByID(ctx, id)
	return v, endStore(sp, err)
}

func (w tracedAccounts) AccountByUsername(ctx context.Context, realm string, username string) (store.Account, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.AccountByUsername")
	v, err := w.s.AccountByUsername(ctx, realm, username)
	return v, endStore(sp, err)
}

func (w tracedAccounts) AccountByEmail(ctx context.Context, realm string, email string) (store.Account, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.AccountByEmail")
	v, err := w.s.AccountByEmail(ctx, realm, email)
	return v, endStore(sp, err)
}

func (w tracedAccounts) SetAccountState(ctx context.Context, id string, from store.AccountState, to store.AccountState, at time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.SetAccountState")
	return endStore(sp, w.s.SetAccountState(ctx, id, from, to, at))
}

func (w tracedAccounts) SetEmail(ctx context.Context, id string, from string, to string, at time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.SetEmail")
	return endStore(sp, w.s.SetEmail(ctx, id, from, to, at))
}

func (w tracedAccounts) SetPhone(ctx context.Context, id string, from string, to string, at time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.SetPhone")
	return endStore(sp, w.s.SetPhone(ctx, id, from, to, at))
}

func (w tracedAccounts) DeleteAccount(ctx context.Context, id string, state store.AccountState, updatedBefore time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accounts.DeleteAccount")
	return endStore(sp, w.s.DeleteAccount(ctx, id, state, updatedBefore))
}

// tracedCredentials is a store.Credentials whose every call is a span.
type tracedCredentials struct {
	s store.Credentials
	t trace.Tracer
}

func (w tracedCredentials) CredentialByAccount(ctx context.Context, accountID string) (store.Credential, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.credentials.CredentialByAccount")
	v, err := w.s.CredentialByAccount(ctx, accountID)
	return v, endStore(sp, err)
}

func (w tracedCredentials) SetCredential(ctx context.Context, c store.Credential, stamp string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.credentials.SetCredential")
	return endStore(sp, w.s.SetCredential(ctx, c, stamp))
}

func (w tracedCredentials) SwapCredential(ctx context.Context, oldHash string, c store.Credential, stamp string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.credentials.SwapCredential")
	return endStore(sp, w.s.SwapCredential(ctx, oldHash, c, stamp))
}

func (w tracedCredentials) AddCredential(ctx context.Context, c store.Credential, stamp string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.credentials.AddCredential")
	return endStore(sp, w.s.AddCredential(ctx, c, stamp))
}

// tracedEvents is a store.Events whose every call is a span.
type tracedEvents struct {
	s store.Events
	t trace.Tracer
}

func (w tracedEvents) AppendEvent(ctx context.Context, e store.Event) (int64, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.events.AppendEvent")
	v, err := w.s.AppendEvent(ctx, e)
	return v, endStore(sp, err)
}

func (w tracedEvents) ListEvents(ctx context.Context, q store.EventQuery) ([]store.Event, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.events.ListEvents")
	v, err := w.s.ListEvents(ctx, q)
	return v, endStore(sp, err)
}

func (w tracedEvents) PruneEvents(ctx context.Context, before time.Time, limit int) (int, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.events.PruneEvents")
	v, err := w.s.PruneEvents(ctx, before, limit)
	return v, endStore(sp, err)
}

func (w tracedEvents) PruneRealmEvents(ctx context.Context, realm string, before time.Time, limit int) (int, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.events.PruneRealmEvents")
	v, err := w.s.PruneRealmEvents(ctx, realm, before, limit)
	return v, endStore(sp, err)
}

// tracedAttempts is a store.Attempts whose every call is a span.
type tracedAttempts struct {
	s store.Attempts
	t trace.Tracer
}

func (w tracedAttempts) TakeAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) (store.Take, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.attempts.TakeAttempt")
	v, err := w.s.TakeAttempt(ctx, at, keys)
	return v, endStore(sp, err)
}

func (w tracedAttempts) FailAttempt(ctx context.Context, at time.Time, keys []store.AttemptKey) ([]store.Counter, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.attempts.FailAttempt")
	v, err := w.s.FailAttempt(ctx, at, keys)
	return v, endStore(sp, err)
}

func (w tracedAttempts) ReleaseAttempts(ctx context.Context, at time.Time, keys []store.AttemptKey) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.attempts.ReleaseAttempts")
	return endStore(sp, w.s.ReleaseAttempts(ctx, at, keys))
}

func (w tracedAttempts) ClearAttempts(ctx context.Context, keys []string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.attempts.ClearAttempts")
	return endStore(sp, w.s.ClearAttempts(ctx, keys))
}

func (w tracedAttempts) Unlock(ctx context.Context, key string) (store.Counter, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.attempts.Unlock")
	v, err := w.s.Unlock(ctx, key)
	return v, endStore(sp, err)
}

func (w tracedAttempts) Counter(ctx context.Context, at time.Time, key store.AttemptKey) (store.Counter, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.attempts.Counter")
	v, err := w.s.Counter(ctx, at, key)
	return v, endStore(sp, err)
}

// tracedErasure is a store.Erasure whose every call is a span.
type tracedErasure struct {
	s store.Erasure
	t trace.Tracer
}

func (w tracedErasure) EraseAccount(ctx context.Context, id string, mode store.EventErasure, e store.Event) (int64, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.erasure.EraseAccount")
	v, err := w.s.EraseAccount(ctx, id, mode, e)
	return v, endStore(sp, err)
}

// tracedFactors is a store.Factors whose every call is a span.
type tracedFactors struct {
	s store.Factors
	t trace.Tracer
}

func (w tracedFactors) CreateFactor(ctx context.Context, f store.Factor) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.factors.CreateFactor")
	return endStore(sp, w.s.CreateFactor(ctx, f))
}

func (w tracedFactors) Factors(ctx context.Context, accountID string) ([]store.Factor, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.factors.Factors")
	v, err := w.s.Factors(ctx, accountID)
	return v, endStore(sp, err)
}

func (w tracedFactors) ConfirmFactor(ctx context.Context, accountID string, id string, step int64, at time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.factors.ConfirmFactor")
	return endStore(sp, w.s.ConfirmFactor(ctx, accountID, id, step, at))
}

func (w tracedFactors) AcceptStep(ctx context.Context, accountID string, id string, step int64) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.factors.AcceptStep")
	return endStore(sp, w.s.AcceptStep(ctx, accountID, id, step))
}

func (w tracedFactors) ResealFactor(ctx context.Context, accountID string, id string, old []byte, secret []byte) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.factors.ResealFactor")
	return endStore(sp, w.s.ResealFactor(ctx, accountID, id, old, secret))
}

func (w tracedFactors) DeleteFactor(ctx context.Context, accountID string, id string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.factors.DeleteFactor")
	return endStore(sp, w.s.DeleteFactor(ctx, accountID, id))
}

// tracedRecovery is a store.Recovery whose every call is a span.
type tracedRecovery struct {
	s store.Recovery
	t trace.Tracer
}

func (w tracedRecovery) SetRecoveryCodes(ctx context.Context, accountID string, hashes [][]byte, at time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.recovery.SetRecoveryCodes")
	return endStore(sp, w.s.SetRecoveryCodes(ctx, accountID, hashes, at))
}

func (w tracedRecovery) UseRecoveryCode(ctx context.Context, accountID string, hash []byte) (int, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.recovery.UseRecoveryCode")
	v, err := w.s.UseRecoveryCode(ctx, accountID, hash)
	return v, endStore(sp, err)
}

func (w tracedRecovery) FindRecoveryCode(ctx context.Context, accountID string, hash []byte) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.recovery.FindRecoveryCode")
	return endStore(sp, w.s.FindRecoveryCode(ctx, accountID, hash))
}

func (w tracedRecovery) RecoveryCodes(ctx context.Context, accountID string) (store.RecoveryCodes, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.recovery.RecoveryCodes")
	v, err := w.s.RecoveryCodes(ctx, accountID)
	return v, endStore(sp, err)
}

// tracedDevices is a store.Devices whose every call is a span.
type tracedDevices struct {
	s store.Devices
	t trace.Tracer
}

func (w tracedDevices) RememberDevice(ctx context.Context, d store.Device) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.devices.RememberDevice")
	return endStore(sp, w.s.RememberDevice(ctx, d))
}

func (w tracedDevices) Device(ctx context.Context, selector string, at time.Time) (store.Device, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.devices.Device")
	v, err := w.s.Device(ctx, selector, at)
	return v, endStore(sp, err)
}

func (w tracedDevices) Devices(ctx context.Context, accountID string, at time.Time) ([]store.Device, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.devices.Devices")
	v, err := w.s.Devices(ctx, accountID, at)
	return v, endStore(sp, err)
}

func (w tracedDevices) ForgetDevice(ctx context.Context, accountID string, selector string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.devices.ForgetDevice")
	return endStore(sp, w.s.ForgetDevice(ctx, accountID, selector))
}

func (w tracedDevices) ForgetDevices(ctx context.Context, accountID string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.devices.ForgetDevices")
	return endStore(sp, w.s.ForgetDevices(ctx, accountID))
}

// tracedPasskeys is a store.Passkeys whose every call is a span.
type tracedPasskeys struct {
	s store.Passkeys
	t trace.Tracer
}

func (w tracedPasskeys) CreatePasskey(ctx context.Context, p store.Passkey) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.passkeys.CreatePasskey")
	return endStore(sp, w.s.CreatePasskey(ctx, p))
}

func (w tracedPasskeys) Passkeys(ctx context.Context, accountID string) ([]store.Passkey, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.passkeys.Passkeys")
	v, err := w.s.Passkeys(ctx, accountID)
	return v, endStore(sp, err)
}

func (w tracedPasskeys) Passkey(ctx context.Context, id []byte) (store.Passkey, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.passkeys.Passkey")
	v, err := w.s.Passkey(ctx, id)
	return v, endStore(sp, err)
}

func (w tracedPasskeys) UsePasskey(ctx context.Context, u store.PasskeyUse) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.passkeys.UsePasskey")
	return endStore(sp, w.s.UsePasskey(ctx, u))
}

func (w tracedPasskeys) RenamePasskey(ctx context.Context, accountID string, id []byte, name string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.passkeys.RenamePasskey")
	return endStore(sp, w.s.RenamePasskey(ctx, accountID, id, name))
}

func (w tracedPasskeys) DeletePasskey(ctx context.Context, accountID string, id []byte) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.passkeys.DeletePasskey")
	return endStore(sp, w.s.DeletePasskey(ctx, accountID, id))
}

// tracedSessions is a store.Sessions whose every call is a span.
type tracedSessions struct {
	s store.Sessions
	t trace.Tracer
}

func (w tracedSessions) CreateSession(ctx context.Context, s store.Session) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessions.CreateSession")
	return endStore(sp, w.s.CreateSession(ctx, s))
}

func (w tracedSessions) Session(ctx context.Context, selector string, at time.Time) (store.Session, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessions.Session")
	v, err := w.s.Session(ctx, selector, at)
	return v, endStore(sp, err)
}

func (w tracedSessions) TouchSession(ctx context.Context, selector string, seen time.Time, idleUntil time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessions.TouchSession")
	return endStore(sp, w.s.TouchSession(ctx, selector, seen, idleUntil))
}

func (w tracedSessions) VerifySession(ctx context.Context, selector string, at time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessions.VerifySession")
	return endStore(sp, w.s.VerifySession(ctx, selector, at))
}

func (w tracedSessions) Sessions(ctx context.Context, accountID string, at time.Time) ([]store.Session, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessions.Sessions")
	v, err := w.s.Sessions(ctx, accountID, at)
	return v, endStore(sp, err)
}

func (w tracedSessions) DeleteSession(ctx context.Context, accountID string, selector string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessions.DeleteSession")
	return endStore(sp, w.s.DeleteSession(ctx, accountID, selector))
}

func (w tracedSessions) DeleteSessions(ctx context.Context, accountID string, except string) (int, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessions.DeleteSessions")
	v, err := w.s.DeleteSessions(ctx, accountID, except)
	return v, endStore(sp, err)
}

// tracedAccountLister is a store.AccountLister whose every call is a span.
type tracedAccountLister struct {
	s store.AccountLister
	t trace.Tracer
}

func (w tracedAccountLister) ListAccounts(ctx context.Context, q store.AccountQuery) ([]store.Account, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.lister.ListAccounts")
	v, err := w.s.ListAccounts(ctx, q)
	return v, endStore(sp, err)
}

// tracedSessionAccounts is a store.SessionAccounts whose every call is a span.
type tracedSessionAccounts struct {
	s store.SessionAccounts
	t trace.Tracer
}

func (w tracedSessionAccounts) SessionAccount(ctx context.Context, selector string, at time.Time) (store.Session, store.Account, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.sessionaccounts.SessionAccount")
	se, acct, err := w.s.SessionAccount(ctx, selector, at)
	return se, acct, endStore(sp, err)
}

// tracedFederation is a store.Federation whose every call is a span.
type tracedFederation struct {
	s store.Federation
	t trace.Tracer
}

func (w tracedFederation) LinkIdentity(ctx context.Context, f store.FederatedIdentity) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.federation.LinkIdentity")
	return endStore(sp, w.s.LinkIdentity(ctx, f))
}

func (w tracedFederation) FederatedIdentity(ctx context.Context, realm, issuer, subject string) (store.FederatedIdentity, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.federation.FederatedIdentity")
	v, err := w.s.FederatedIdentity(ctx, realm, issuer, subject)
	return v, endStore(sp, err)
}

func (w tracedFederation) FederatedIdentities(ctx context.Context, accountID string) ([]store.FederatedIdentity, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.federation.FederatedIdentities")
	v, err := w.s.FederatedIdentities(ctx, accountID)
	return v, endStore(sp, err)
}

func (w tracedFederation) UseFederatedIdentity(ctx context.Context, realm, issuer, subject string, at time.Time) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.federation.UseFederatedIdentity")
	return endStore(sp, w.s.UseFederatedIdentity(ctx, realm, issuer, subject, at))
}

func (w tracedFederation) UnlinkIdentity(ctx context.Context, accountID, issuer, subject string, keepAWay bool) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.federation.UnlinkIdentity")
	return endStore(sp, w.s.UnlinkIdentity(ctx, accountID, issuer, subject, keepAWay))
}

// tracedAccountCopies is a store.AccountCopies whose every call but
// CopyFor and CopyStore (settings) is a span.
type tracedAccountCopies struct {
	s store.AccountCopies
	t trace.Tracer
}

func (w tracedAccountCopies) CopyFor() time.Duration { return w.s.CopyFor() }

// CopyStore returns w: the roles are resolved before they are traced.
func (w tracedAccountCopies) CopyStore() store.AccountCopies { return w }

func (w tracedAccountCopies) SessionCopy(ctx context.Context, selector string, at time.Time) (store.Session, store.Account, bool, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accountcopies.SessionCopy")
	se, acct, ok, err := w.s.SessionCopy(ctx, selector, at)
	return se, acct, ok, endStore(sp, err)
}

func (w tracedAccountCopies) CopyGeneration(ctx context.Context, accountID string) (uint64, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accountcopies.CopyGeneration")
	v, err := w.s.CopyGeneration(ctx, accountID)
	return v, endStore(sp, err)
}

func (w tracedAccountCopies) KeepCopy(ctx context.Context, selector string, a store.Account, gen uint64, at time.Time) (bool, error) {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accountcopies.KeepCopy")
	v, err := w.s.KeepCopy(ctx, selector, a, gen, at)
	return v, endStore(sp, err)
}

func (w tracedAccountCopies) BeginAccountWrite(ctx context.Context, accountID string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accountcopies.BeginAccountWrite")
	return endStore(sp, w.s.BeginAccountWrite(ctx, accountID))
}

func (w tracedAccountCopies) EndAccountWrite(ctx context.Context, accountID string) error {
	ctx, sp := startStore(ctx, w.t, "masuk.store.accountcopies.EndAccountWrite")
	return endStore(sp, w.s.EndAccountWrite(ctx, accountID))
}

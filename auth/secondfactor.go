package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// Outcomes of the second step of a login.
var (
	// ErrSecondFactorRequired: the password was right and the account has
	// a second factor. Login returns it inside a *SecondFactorRequired
	// that carries the pending login to pass to Logins.SecondStep.
	ErrSecondFactorRequired = errors.New("auth: second factor required")
	// ErrNoPendingLogin: the second step named no login waiting for it:
	// none given, a malformed or unknown one, one that expired, was
	// completed, ran out of attempts, belongs to another realm, or was
	// voided by a password change; or a pending enrollment of an account
	// that has a second factor now. Start again with the password.
	ErrNoPendingLogin = errors.New("auth: no pending login")
	// ErrInvalidCode: the code of the second step, or of an enrollment, is
	// wrong, expired, already used or malformed. The person may try again
	// (within the lockout's second-factor limit).
	ErrInvalidCode = errors.New("auth: invalid or expired code")
	// ErrMethodUnavailable: the method is not one the pending login
	// offers, or the portal cannot send codes (no Config.Sender).
	ErrMethodUnavailable = errors.New("auth: second-factor method not available")
	// ErrSecondFactorUnavailable: the account has second factors, but none
	// that this portal can use now (say, codes by SMS without a sender),
	// or its realm requires one and it can enroll none. The login fails
	// closed; an operator must help.
	ErrSecondFactorUnavailable = errors.New("auth: no usable second factor")
	// ErrEnrollmentRequired: the password was right, and the account's
	// realm requires a second factor, which the account has not enrolled
	// yet. Login returns it inside an *EnrollmentRequired that carries the
	// pending enrollment.
	ErrEnrollmentRequired = errors.New("auth: a second factor must be enrolled")
)

// EnrollmentRequired is the error Login returns when the password was
// right, the realm requires a second factor (SecondFactorMandatory), and
// the account has none yet (errors.Is ErrEnrollmentRequired). The person
// enrolls one with Factors' BeginTOTP and ConfirmTOTP, or AddCodes, giving
// Pending in place of a password; confirming an authenticator app
// completes the login, and adding codes by email or SMS leads to the
// second step with them.
type EnrollmentRequired struct {
	// Pending is the pending enrollment: a bearer secret of its own, to
	// keep as a pending login is kept.
	Pending string `json:"-"`
	// Methods are the factors the account can enroll here, in the order a
	// page should offer them.
	Methods []Method `json:"methods"`
	// ExpiresAt is when the pending enrollment ends.
	ExpiresAt time.Time `json:"expires_at"`
}

func (e *EnrollmentRequired) Error() string { return "auth: a second factor must be enrolled" }

// Is reports whether target is ErrEnrollmentRequired.
func (e *EnrollmentRequired) Is(target error) bool { return target == ErrEnrollmentRequired }

// Method is a way to complete the second step of a login.
type Method string

// The methods.
const (
	// MethodTOTP is a code from an authenticator app.
	MethodTOTP Method = "totp"
	// MethodEmail is a code sent to the account's email address.
	MethodEmail Method = "email"
	// MethodSMS is a code sent to the account's phone.
	MethodSMS Method = "sms"
	// MethodWhatsApp is a code sent to the account's phone by WhatsApp.
	MethodWhatsApp Method = "whatsapp"
	// MethodRecovery is one of the account's recovery codes.
	MethodRecovery Method = "recovery"
)

// SecondFactorRequired is the error Login returns when the password was
// right and the account has a second factor (errors.Is
// ErrSecondFactorRequired). It is an error, not a result, so that a host
// that forgets the second step lets nobody in.
type SecondFactorRequired struct {
	// Pending is the pending login: pass it to Logins' SecondStep and
	// SendCode. It is a bearer secret of its own: keep it server-side or
	// in an HttpOnly cookie, never in a URL, and never log it.
	Pending string `json:"-"`
	// Methods are the ways the login can be completed, in the order a page
	// should offer them.
	Methods []Method `json:"methods"`
	// ExpiresAt is when the pending login ends.
	ExpiresAt time.Time `json:"expires_at"`
}

func (e *SecondFactorRequired) Error() string {
	return "auth: second factor required"
}

// Is reports whether target is ErrSecondFactorRequired.
func (e *SecondFactorRequired) Is(target error) bool { return target == ErrSecondFactorRequired }

// Token purposes of the second step.
const (
	purposePending = "login.pending"
	purposeEnroll  = "login.enroll"
	purposeEmail   = "login.email"
	purposeSMS     = "login.sms"
	purposeWA      = "login.whatsapp"
)

// Keys of a pending login's token data.
const (
	dataRealm   = "realm"
	dataStamp   = "stamp"
	dataMethods = "methods"
	// dataThenEnroll marks a pending login of a realm that requires a
	// passkey, of an account that has only other factors: once one of
	// them passes, the login goes on to enroll a passkey.
	dataThenEnroll = "then_enroll"
)

// methods returns the ways acct can complete a login in realm r, and
// whether it has a second factor at all.
func (a *Authenticator) methods(ctx context.Context, r *realmConfig, acct store.Account) ([]Method, bool, error) {
	if a.factors == nil || r.SecondFactor.Requirement == SecondFactorOff {
		return nil, false, nil
	}
	fs, err := a.factors.Factors(ctx, acct.ID)
	if err != nil {
		return nil, false, err
	}
	var passkeys []store.Passkey
	if r.webauthn != nil {
		if passkeys, err = a.passkeys.Passkeys(ctx, acct.ID); err != nil {
			return nil, false, err
		}
	}
	if r.SecondFactor.Requirement == SecondFactorPhishingResistant && len(passkeys) > 0 {
		// Only a passkey meets the realm's requirement: no code, however
		// it came, and no recovery code, which a phishing page can ask
		// for as well as a password. An account without a passkey yet
		// passes the factors it has, and then enrolls one (secondStep).
		return []Method{MethodPasskey}, true, nil
	}
	has := len(passkeys) > 0
	var totpOK, email, sms, wa bool
	for _, f := range fs {
		if !f.Confirmed() {
			continue
		}
		has = true
		switch f.Kind {
		case store.FactorTOTP:
			totpOK = totpOK || a.keyring != nil
		case store.FactorEmail:
			email = true
		case store.FactorSMS:
			sms = true
		case store.FactorWhatsApp:
			wa = true
		}
	}
	if !has {
		return nil, false, nil
	}
	var ms []Method
	if len(passkeys) > 0 {
		ms = append(ms, MethodPasskey)
	}
	if totpOK {
		ms = append(ms, MethodTOTP)
	}
	if (email || r.SecondFactor.EmailFallback) && acct.Email != "" && a.sender != nil {
		ms = append(ms, MethodEmail)
	}
	// A code by SMS or WhatsApp proves the phone number either way: an
	// account with either factor gets every channel the realm sends, the
	// one it chose first, then the others in the realm's order, to fall
	// back to when a code does not come (a number without WhatsApp must
	// not lock its owner out).
	if (sms || wa) && acct.Phone != "" && a.sender != nil {
		ms = append(ms, phoneMethods(r.SecondFactor.PhoneCodes, sms, wa)...)
	}
	rc, err := a.recovery.RecoveryCodes(ctx, acct.ID)
	if err != nil {
		return nil, true, err
	}
	if rc.Remaining > 0 {
		ms = append(ms, MethodRecovery)
	}
	return ms, true, nil
}

// phoneMethods orders a realm's phone channels for an account that
// enrolled codes by SMS (sms), by WhatsApp (wa) or both: the channels the
// account chose first, in the realm's order, then the rest.
func phoneMethods(realm []Method, sms, wa bool) []Method {
	chose := func(m Method) bool { return (m == MethodSMS && sms) || (m == MethodWhatsApp && wa) }
	out := make([]Method, 0, len(realm))
	for _, m := range realm {
		if chose(m) {
			out = append(out, m)
		}
	}
	for _, m := range realm {
		if !chose(m) {
			out = append(out, m)
		}
	}
	return out
}

// enrollable returns the factors acct can enroll in realm r.
func (a *Authenticator) enrollable(r *realmConfig, acct store.Account) []Method {
	var ms []Method
	if r.webauthn != nil {
		ms = append(ms, MethodPasskey)
	}
	if r.SecondFactor.Requirement == SecondFactorPhishingResistant {
		return ms
	}
	if a.keyring != nil {
		ms = append(ms, MethodTOTP)
	}
	if acct.Email != "" && a.sender != nil {
		ms = append(ms, MethodEmail)
	}
	if acct.Phone != "" && a.sender != nil {
		ms = append(ms, r.SecondFactor.PhoneCodes...)
	}
	return ms
}

// secondStep decides, after the password verified, whether the login is
// complete: it is when the account has no second factor (and its realm
// requires none) or the request carries a device the owner remembered.
// Otherwise it starts a pending login, returned as a
// *SecondFactorRequired, or, for an account of a realm that requires a
// factor and has none, a pending enrollment, returned as an
// *EnrollmentRequired.
func (a *Authenticator) secondStep(ctx context.Context, r *realmConfig, acct store.Account, device string) (string, error) {
	ms, has, err := a.methods(ctx, r, acct)
	if err != nil {
		return "", err
	}
	if !has {
		if r.SecondFactor.Requirement != SecondFactorMandatory && r.SecondFactor.Requirement != SecondFactorPhishingResistant {
			return "", nil
		}
		enroll := a.enrollable(r, acct)
		if len(enroll) == 0 {
			return "", ErrSecondFactorUnavailable
		}
		t, secret, err := a.issuePending(ctx, r, acct, purposeEnroll, enroll)
		if err != nil {
			return "", err
		}
		return "", &EnrollmentRequired{Pending: secret, Methods: enroll, ExpiresAt: t.ExpiresAt}
	}
	// A remembered device is a cookie, which a phishing page can relay as
	// well as a password: it stands in for no passkey.
	if device != "" && r.SecondFactor.Requirement != SecondFactorPhishingResistant && a.rememberedDevice(ctx, r, acct, device) {
		return "remembered_device", nil
	}
	if len(ms) == 0 {
		return "", ErrSecondFactorUnavailable
	}
	t, secret, err := a.issuePending(ctx, r, acct, purposePending, ms)
	if err != nil {
		return "", err
	}
	return "", &SecondFactorRequired{Pending: secret, Methods: ms, ExpiresAt: t.ExpiresAt}
}

// upgradeNeeded reports whether a login of realm r with methods ms must
// enroll a passkey after its second step: the realm requires one, and the
// account has only factors that a phishing page can relay. They still
// prove the owner before the passkey is added, so that a password alone
// never enrolls one over an account's authenticator app.
func upgradeNeeded(r *realmConfig, ms []Method) bool {
	return r.SecondFactor.Requirement == SecondFactorPhishingResistant && !slices.Contains(ms, MethodPasskey)
}

// issuePending stores a pending login (or enrollment) of acct, bound to
// its realm, its password and the methods it may use, and returns it with
// the secret that names it.
func (a *Authenticator) issuePending(ctx context.Context, r *realmConfig, acct store.Account, purpose string, ms []Method) (store.Token, string, error) {
	st, err := secret.NewToken(a.rand)
	if err != nil {
		return store.Token{}, "", fmt.Errorf("auth: %w", err)
	}
	now := a.now().UTC()
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = string(m)
	}
	t := store.Token{
		Selector:  st.Selector(),
		AccountID: acct.ID,
		Purpose:   purpose,
		// Each pending login is bound to itself: a login from a second
		// browser does not void the first's.
		Binding:     st.Selector(),
		Hash:        st.Hash(purpose),
		Data:        map[string]string{dataRealm: acct.Realm, dataStamp: acct.SecurityStamp, dataMethods: strings.Join(names, ",")},
		MaxAttempts: r.SecondFactor.PendingAttempts,
		IssuedAt:    now,
		ExpiresAt:   now.Add(r.SecondFactor.PendingFor),
	}
	if purpose == purposePending && upgradeNeeded(r, ms) {
		t.Data[dataThenEnroll] = "passkey"
	}
	if err := a.tokens.IssueToken(ctx, t, 0); err != nil {
		return store.Token{}, "", fmt.Errorf("auth: starting the second step: %w", err)
	}
	return t, st.String(), nil
}

// secondStepFailed records a login whose password verified but that did
// not complete: it waits for its second factor, or cannot get one.
func (a *Authenticator) secondStepFailed(ctx context.Context, ev store.Event, err error) error {
	var sfr *SecondFactorRequired
	var enr *EnrollmentRequired
	switch {
	case errors.As(err, &sfr):
		ev.Kind = string(EventSecondFactorRequired)
		ev.Details = map[string]string{"methods": methodNames(sfr.Methods)}
		a.record(ctx, ev)
		return err
	case errors.As(err, &enr):
		ev.Kind = string(EventEnrollmentRequired)
		ev.Details = map[string]string{"methods": methodNames(enr.Methods)}
		a.record(ctx, ev)
		return err
	case errors.Is(err, ErrSecondFactorUnavailable):
		a.record(ctx, withReason(ev, ReasonNoUsableFactor))
		return err
	default:
		a.record(ctx, withReason(ev, ReasonError))
		return fmt.Errorf("auth: login: %w", err)
	}
}

// methodNames joins methods' names with commas.
func methodNames(ms []Method) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = string(m)
	}
	return strings.Join(names, ",")
}

// SecondStepRequest completes a login with its second factor.
type SecondStepRequest struct {
	// Realm is the realm of the login.
	Realm string
	// Pending is SecondFactorRequired.Pending from Login.
	Pending string
	// Method is how Code was obtained.
	Method Method
	// Code is what the person typed: the app's code, the code sent by
	// email or SMS, or a recovery code (any case, with or without
	// dashes). Blanks around and inside a numeric code are ignored. For
	// MethodPasskey it is the JSON of the PublicKeyCredential that
	// navigator.credentials.get returned for Logins.BeginPasskey's
	// options.
	Code string
	// Remember asks to remember this device, so that logins from it skip
	// the second factor until the realm's SecondFactor.RememberFor passes.
	Remember bool
	Request
}

// SecondStep completes a login that Login left waiting for its second
// factor.
//
// The pending login must be live, from the same realm, and issued under
// the account's current password: a password change or reset voids it.
// A locked second factor is refused with a *lockout.LockedError before the
// code is checked; a wrong code counts on the lockout's second-factor
// counter and returns ErrInvalidCode, and the person may try again until
// the pending login runs out of attempts. An authenticator code is
// accepted once: a code, or an older one, already accepted is refused
// (the store's compare-and-set of the last step decides, so of two
// parallel submissions one wins). A recovery code is used up, and the
// owner is told.
//
// The code is checked without being used; then the pending login is
// consumed (of parallel completions, exactly one wins), and only then is
// the code used up: no code is ever used up without the login it
// completes. When asked, the device is remembered: the result's Device is
// the cookie value to set.
//
// Its errors: ErrNoPendingLogin, ErrInvalidCode, ErrMethodUnavailable,
// *lockout.LockedError, and wrapped store failures.
func (l *Logins) SecondStep(ctx context.Context, req SecondStepRequest) (_ *LoginResult, err error) {
	if l.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := l.a.span(ctx, "masuk.Logins.SecondStep")
	defer sp.end(&err)
	sp.realm(l.a, req.Realm)
	defer func() { l.a.tel.login(ctx, req.Realm, "second_step", err) }()
	a := l.a
	p, err := a.pending(ctx, req.Realm, purposePending, req.Pending)
	if err != nil {
		return nil, err
	}
	r := p.realm
	ev := a.event(EventLoginFailed, p.acct.Realm, req.Request)
	ev.AccountID, ev.Username = p.acct.ID, p.acct.Username
	if !slices.Contains(p.methods, req.Method) {
		return nil, ErrMethodUnavailable
	}
	att, err := a.begin(ctx, r, lockout.SecondFactor, ev)
	if err != nil {
		return nil, err
	}
	var use useCode
	var reason Reason
	if req.Method == MethodPasskey {
		use, reason, err = a.checkPasskeyStep(ctx, r, p, req.Code, req.Request)
	} else {
		use, reason, err = a.checkSecondFactor(ctx, r, p.acct, req.Method, req.Code)
	}
	if err == nil {
		// The code is right. The pending login is used up first, once
		// (of parallel completions, one wins), and only then the code: a
		// code is never used up without the login it completes.
		if err = a.tokens.ConsumeToken(ctx, p.token.Selector, p.token.Hash); errors.Is(err, store.ErrNotFound) {
			err = ErrNoPendingLogin
		}
		if err == nil {
			reason, err = use(ctx)
		}
	}
	a.settleSecondFactor(ctx, att, ev, err)
	if err != nil {
		switch {
		case errors.Is(err, ErrInvalidCode):
			ev = withReason(ev, reason)
		case errors.Is(err, ErrNoPendingLogin):
			ev = withReason(ev, ReasonPendingUsed)
		default:
			ev = withReason(ev, ReasonError)
		}
		ev.Details["method"] = string(req.Method)
		a.record(ctx, ev)
		return nil, err
	}
	if p.token.Data[dataThenEnroll] != "" {
		return nil, a.enrollAfter(ctx, r, p.acct, ev, req)
	}
	res := &LoginResult{Account: p.acct}
	if req.Remember && r.SecondFactor.RememberFor > 0 && a.devices != nil && r.SecondFactor.Requirement != SecondFactorPhishingResistant {
		d, err := a.rememberDevice(ctx, r, p.acct, req.Request)
		if err != nil {
			a.log.ErrorContext(ctx, "masuk: remembering a device", "account", p.acct.ID, "error", err)
		} else {
			res.Device = d
		}
	}
	ev.Details = map[string]string{"second_factor": string(req.Method)}
	a.loggedIn(ctx, ev, p.acct, req.Request)
	if req.Method == MethodRecovery {
		a.recoveryUsed(ctx, p.acct, req.Request)
	}
	return res, nil
}

// enrollAfter ends a second step that proved the owner of an account whose
// realm requires a passkey it does not have: the login goes on to enroll
// one, with a pending enrollment, instead of completing.
func (a *Authenticator) enrollAfter(ctx context.Context, r *realmConfig, acct store.Account, ev store.Event, req SecondStepRequest) error {
	if req.Method == MethodRecovery {
		a.recoveryUsed(ctx, acct, req.Request)
	}
	enroll := a.enrollable(r, acct)
	if len(enroll) == 0 {
		a.record(ctx, withReason(ev, ReasonNoUsableFactor))
		return ErrSecondFactorUnavailable
	}
	t, secret, err := a.issuePending(ctx, r, acct, purposeEnroll, enroll)
	if err != nil {
		a.record(ctx, withReason(ev, ReasonError))
		return err
	}
	ev.Kind = string(EventEnrollmentRequired)
	ev.Details = map[string]string{"methods": methodNames(enroll), "second_factor": string(req.Method)}
	a.record(ctx, ev)
	return &EnrollmentRequired{Pending: secret, Methods: enroll, ExpiresAt: t.ExpiresAt}
}

// settleSecondFactor tells the guard how a second-factor attempt ended.
func (a *Authenticator) settleSecondFactor(ctx context.Context, att *lockout.Attempt, ev store.Event, err error) {
	switch {
	case err == nil:
		a.settle(ctx, att, ev, nil)
	case errors.Is(err, errNoCeremony):
		// Nothing was verified: a second submission of one answer (a
		// double click) is no guess, and costs the owner nothing.
		a.settle(ctx, att, ev, err)
	case errors.Is(err, ErrInvalidCode):
		a.settle(ctx, att, ev, ErrInvalidCredentials)
	default:
		a.settle(ctx, att, ev, err)
	}
}

// pendingLogin is a pending login (or enrollment) that was found and
// charged an attempt.
type pendingLogin struct {
	token   store.Token
	acct    store.Account
	realm   *realmConfig
	methods []Method
}

// pending finds the pending login of the purpose that s names, charges it
// an attempt, and checks that it still stands: same realm, account
// active, password not changed since.
func (a *Authenticator) pending(ctx context.Context, realm, purpose, s string) (pendingLogin, error) {
	r, err := a.realm(realm)
	if err != nil {
		return pendingLogin{}, err
	}
	st, ok := secret.ParseToken(s)
	if !ok || a.tokens == nil {
		return pendingLogin{}, ErrNoPendingLogin
	}
	t, err := a.tokens.AttemptToken(ctx, store.TokenKey{Selector: st.Selector()}, a.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return pendingLogin{}, ErrNoPendingLogin
	case err != nil:
		return pendingLogin{}, fmt.Errorf("auth: finding the pending login: %w", err)
	}
	if t.Purpose != purpose || st.Verify(t.Hash, purpose) != nil || t.Data[dataRealm] != realm {
		return pendingLogin{}, ErrNoPendingLogin
	}
	acct, err := a.store.AccountByID(ctx, t.AccountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return pendingLogin{}, ErrNoPendingLogin
	case err != nil:
		return pendingLogin{}, fmt.Errorf("auth: finding the pending login: %w", err)
	}
	if acct.State != store.StateActive || subtle.ConstantTimeCompare([]byte(acct.SecurityStamp), []byte(t.Data[dataStamp])) != 1 {
		return pendingLogin{}, ErrNoPendingLogin
	}
	if purpose == purposeEnroll {
		// A pending enrollment stands in for a second factor the account
		// did not have; once it has one (its owner enrolled it with
		// another login meanwhile), the login must pass that factor, and
		// the pending enrollment is void.
		switch has, err := a.hasRequiredFactor(ctx, r, acct.ID); {
		case err != nil:
			return pendingLogin{}, fmt.Errorf("auth: finding the pending login: %w", err)
		case has:
			return pendingLogin{}, ErrNoPendingLogin
		}
	}
	p := pendingLogin{token: t, acct: acct, realm: r}
	for m := range strings.SplitSeq(t.Data[dataMethods], ",") {
		if m != "" {
			p.methods = append(p.methods, Method(m))
		}
	}
	return p, nil
}

// hasRequiredFactor reports whether the account has a factor that meets
// its realm's requirement: a passkey where the realm requires a
// phishing-resistant factor, any confirmed factor elsewhere.
//
// Passkeys count only in a realm that has them: an account whose realm
// stopped offering passkeys enrolls another factor.
func (a *Authenticator) hasRequiredFactor(ctx context.Context, r *realmConfig, accountID string) (bool, error) {
	if r.SecondFactor.Requirement != SecondFactorPhishingResistant {
		fs, err := a.factors.Factors(ctx, accountID)
		if err != nil || slices.ContainsFunc(fs, store.Factor.Confirmed) {
			return err == nil, err
		}
	}
	if r.webauthn == nil || a.passkeys == nil {
		return false, nil
	}
	ks, err := a.passkeys.Passkeys(ctx, accountID)
	return len(ks) > 0, err
}

// hasConfirmedFactor reports whether the account has a confirmed second
// factor or a passkey.
func (a *Authenticator) hasConfirmedFactor(ctx context.Context, accountID string) (bool, error) {
	if a.factors == nil {
		return false, nil
	}
	fs, err := a.factors.Factors(ctx, accountID)
	if err != nil {
		return false, err
	}
	if slices.ContainsFunc(fs, store.Factor.Confirmed) {
		return true, nil
	}
	if a.passkeys == nil {
		return false, nil
	}
	ks, err := a.passkeys.Passkeys(ctx, accountID)
	return len(ks) > 0, err
}

// useCode uses up a second-factor code that checked out; it returns
// ErrInvalidCode, with the reason, when another login used it meanwhile.
type useCode func(ctx context.Context) (Reason, error)

// checkSecondFactor checks a code by method, changing nothing but the
// attempts it charges, and returns the way to use the code up once the
// pending login is consumed. It returns ErrInvalidCode, with the reason
// for the log, when the code does not open the account.
func (a *Authenticator) checkSecondFactor(ctx context.Context, r *realmConfig, acct store.Account, m Method, code string) (useCode, Reason, error) {
	switch m {
	case MethodTOTP:
		return a.checkTOTP(ctx, r, acct, compactDigits(code))
	case MethodEmail:
		return a.checkSentCode(ctx, acct, purposeEmail, compactDigits(code))
	case MethodSMS:
		return a.checkSentCode(ctx, acct, purposeSMS, compactDigits(code))
	case MethodWhatsApp:
		return a.checkSentCode(ctx, acct, purposeWA, compactDigits(code))
	case MethodRecovery:
		return a.checkRecoveryCode(ctx, acct, code)
	}
	return nil, "", ErrMethodUnavailable
}

// checkTOTP matches code against each of the account's confirmed
// authenticator apps. Using it records the step it matched, which only
// moves forward, by compare-and-set: a code is accepted once.
func (a *Authenticator) checkTOTP(ctx context.Context, r *realmConfig, acct store.Account, code string) (useCode, Reason, error) {
	fs, err := a.factors.Factors(ctx, acct.ID)
	if err != nil {
		return nil, ReasonError, fmt.Errorf("auth: reading factors: %w", err)
	}
	reason := ReasonBadCode
	for _, f := range fs {
		if f.Kind != store.FactorTOTP || !f.Confirmed() {
			continue
		}
		key, p, err := a.openFactor(r, f)
		if err != nil {
			a.log.ErrorContext(ctx, "masuk: opening an authenticator secret", "account", acct.ID, "factor", f.ID, "error", err)
			continue
		}
		step, err := p.Match(key, code, a.now())
		clear(key)
		if err != nil {
			continue
		}
		if step <= f.LastStep {
			reason = ReasonReplayedCode
			continue
		}
		use := func(ctx context.Context) (Reason, error) {
			switch err := a.factors.AcceptStep(ctx, acct.ID, f.ID, step); {
			case errors.Is(err, store.ErrStale), errors.Is(err, store.ErrNotFound):
				return ReasonReplayedCode, ErrInvalidCode
			case err != nil:
				return ReasonError, fmt.Errorf("auth: recording the code's step: %w", err)
			}
			a.reseal(ctx, f)
			return "", nil
		}
		return use, "", nil
	}
	return nil, reason, ErrInvalidCode
}

// checkSentCode checks a code sent by email or SMS: an attempt is charged
// before the comparison; using it consumes it, once.
func (a *Authenticator) checkSentCode(ctx context.Context, acct store.Account, purpose, code string) (useCode, Reason, error) {
	t, err := a.tokens.AttemptToken(ctx, store.TokenKey{AccountID: acct.ID, Purpose: purpose}, a.now().UTC())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, ReasonNoCode, ErrInvalidCode
	case err != nil:
		return nil, ReasonError, fmt.Errorf("auth: finding the sent code: %w", err)
	}
	if secret.VerifyCode(t.Hash, purpose, acct.ID, code) != nil {
		return nil, ReasonBadCode, ErrInvalidCode
	}
	use := func(ctx context.Context) (Reason, error) {
		switch err := a.tokens.ConsumeToken(ctx, t.Selector, t.Hash); {
		case errors.Is(err, store.ErrNotFound):
			return ReasonReplayedCode, ErrInvalidCode
		case err != nil:
			return ReasonError, fmt.Errorf("auth: using the sent code: %w", err)
		}
		return "", nil
	}
	return use, "", nil
}

// checkRecoveryCode finds a recovery code in the account's set; using it
// removes it, once.
func (a *Authenticator) checkRecoveryCode(ctx context.Context, acct store.Account, code string) (useCode, Reason, error) {
	if a.recovery == nil {
		return nil, "", ErrMethodUnavailable
	}
	h, err := secret.HashRecoveryCode(code)
	if err != nil {
		return nil, ReasonBadCode, ErrInvalidCode
	}
	switch err := a.recovery.FindRecoveryCode(ctx, acct.ID, h); {
	case errors.Is(err, store.ErrNotFound):
		return nil, ReasonBadCode, ErrInvalidCode
	case err != nil:
		return nil, ReasonError, fmt.Errorf("auth: finding a recovery code: %w", err)
	}
	use := func(ctx context.Context) (Reason, error) {
		switch _, err := a.recovery.UseRecoveryCode(ctx, acct.ID, h); {
		case errors.Is(err, store.ErrNotFound):
			return ReasonReplayedCode, ErrInvalidCode
		case err != nil:
			return ReasonError, fmt.Errorf("auth: using a recovery code: %w", err)
		}
		return "", nil
	}
	return use, "", nil
}

// compactDigits removes blanks, which people type between groups of a
// code ("123 456"); the rest is checked as it is.
func compactDigits(s string) string {
	if !strings.ContainsAny(s, " \t-") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// SendCodeRequest asks for a code by email or SMS for a pending login.
type SendCodeRequest struct {
	// Realm is the realm of the login.
	Realm string
	// Pending is SecondFactorRequired.Pending from Login.
	Pending string
	// Method is MethodEmail, MethodSMS or MethodWhatsApp.
	Method Method
	Request
}

// SentCode tells a page where a code went, without revealing the address.
type SentCode struct {
	// Method is how it went.
	Method Method `json:"method"`
	// To is the address or number, masked: "b***@example.go.id",
	// "+62812****7890".
	To string `json:"to"`
	// ExpiresAt is when the code stops working.
	ExpiresAt time.Time `json:"expires_at"`
	// ResendAt is when another code may be asked for.
	ResendAt time.Time `json:"resend_at"`
}

// SendCode sends a code for the second step of a pending login, by email
// or SMS, to the address the account has on record (never to one given in
// the request). A new code voids the one sent before. Codes are valid for
// the realm's SecondFactor.CodeFor, may be tried CodeAttempts times, and
// are stored hashed.
//
// Its errors: ErrNoPendingLogin; ErrMethodUnavailable when the pending
// login does not offer the method; a *store.CooldownError (errors.Is
// store.ErrCooldown) saying when another code may be sent; a
// *lockout.ThrottledError when codes are asked for the account, or from
// the address, more often than the realm's SecondFactor.CodesPerAccount
// and CodesPerAddress allow; a failure of the Sender, wrapped.
func (l *Logins) SendCode(ctx context.Context, req SendCodeRequest) (_ SentCode, err error) {
	if l.unset() {
		return SentCode{}, errNoAuthenticator
	}
	ctx, sp := l.a.span(ctx, "masuk.Logins.SendCode")
	defer sp.end(&err)
	a := l.a
	p, err := a.pending(ctx, req.Realm, purposePending, req.Pending)
	if err != nil {
		return SentCode{}, err
	}
	if !slices.Contains(p.methods, req.Method) {
		return SentCode{}, ErrMethodUnavailable
	}
	return a.sendCode(ctx, p.realm, p.acct, req.Method, req.Request)
}

// phoneChannel is the channel of a way codes go to a phone.
func phoneChannel(m Method) notify.Channel {
	if m == MethodWhatsApp {
		return notify.WhatsApp
	}
	return notify.SMS
}

// sendCode sends a code for the second step to acct's address or phone
// on record.
func (a *Authenticator) sendCode(ctx context.Context, r *realmConfig, acct store.Account, m Method, req Request) (SentCode, error) {
	if a.sender == nil {
		return SentCode{}, ErrMethodUnavailable
	}
	var purpose, to string
	var channel notify.Channel
	switch m {
	case MethodEmail:
		purpose, to, channel = purposeEmail, acct.Email, notify.Email
	case MethodSMS:
		purpose, to, channel = purposeSMS, acct.Phone, notify.SMS
	case MethodWhatsApp:
		purpose, to, channel = purposeWA, acct.Phone, notify.WhatsApp
	default:
		return SentCode{}, ErrMethodUnavailable
	}
	if channel != notify.Email && !slices.Contains(r.SecondFactor.PhoneCodes, m) {
		return SentCode{}, ErrMethodUnavailable
	}
	if to == "" {
		return SentCode{}, ErrMethodUnavailable
	}
	// Besides the cooldown per account, a rate per account and per client
	// address: whoever knows a password must not be able to send mail or
	// SMS without end, to one account or to many.
	sf := r.SecondFactor
	s := lockout.Subject{Realm: acct.Realm, Username: acct.Username, Addr: req.ClientAddr}
	if err := r.guard.Throttle(ctx, "send_code", s, sf.CodesPerAccount, sf.CodesPerAddress); err != nil {
		return SentCode{}, err
	}
	code, err := secret.NewCode(a.rand, sf.CodeDigits)
	if err != nil {
		return SentCode{}, fmt.Errorf("auth: %w", err)
	}
	sel, err := a.randomHex(16)
	if err != nil {
		return SentCode{}, err
	}
	now := a.now().UTC()
	t := store.Token{
		Selector:    sel,
		AccountID:   acct.ID,
		Purpose:     purpose,
		Hash:        secret.HashCode(purpose, acct.ID, code),
		MaxAttempts: sf.CodeAttempts,
		IssuedAt:    now,
		ExpiresAt:   now.Add(sf.CodeFor),
	}
	if err := a.tokens.IssueToken(ctx, t, sf.CodeCooldown); err != nil {
		if errors.Is(err, store.ErrCooldown) {
			return SentCode{}, err
		}
		return SentCode{}, fmt.Errorf("auth: storing the code: %w", err)
	}
	d := a.messageData(acct)
	d.Code, d.ExpiresIn = code, sf.CodeFor
	if err := a.send(ctx, acct.Realm, channel, to, notify.SecondFactorCode, req.Locale, d); err != nil {
		// A code nobody received must not count toward the cooldown.
		if verr := a.tokens.VoidTokens(context.WithoutCancel(ctx), acct.ID, purpose); verr != nil {
			a.log.ErrorContext(ctx, "masuk: voiding an unsent code", "account", acct.ID, "error", verr)
		}
		return SentCode{}, err
	}
	ev := a.event(EventCodeSent, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"method": string(m)}
	a.record(ctx, ev)
	return SentCode{Method: m, To: mask(channel, to), ExpiresAt: t.ExpiresAt, ResendAt: now.Add(sf.CodeCooldown)}, nil
}

// mask hides most of an address: the first letter of an email's local
// part, and the middle of a phone number.
func mask(c notify.Channel, to string) string {
	if c == notify.Email {
		at := strings.LastIndexByte(to, '@')
		if at < 1 {
			return "***"
		}
		return to[:1] + "***" + to[at:]
	}
	// A phone number in E.164 form: its country code and first digits,
	// and its last two, with at least four digits hidden.
	if len(to) < 9 {
		return "****"
	}
	shown := min(6, len(to)-6)
	return to[:shown] + strings.Repeat("*", len(to)-shown-2) + to[len(to)-2:]
}

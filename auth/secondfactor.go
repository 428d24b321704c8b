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
	"github.com/masuk-id/masuk/totp"
)

// Outcomes of the second step of a login.
var (
	// ErrSecondFactorRequired: the password was right and the account has
	// a second factor. Login returns it inside a *SecondFactorRequired
	// that carries the pending login to pass to VerifySecondFactor.
	ErrSecondFactorRequired = errors.New("auth: second factor required")
	// ErrNoPendingLogin: the second step named no login waiting for it:
	// none given, a malformed or unknown one, one that expired, was
	// completed, ran out of attempts, belongs to another realm, or was
	// voided by a password change. Start again with the password.
	ErrNoPendingLogin = errors.New("auth: no pending login")
	// ErrInvalidCode: the code of the second step, or of an enrollment, is
	// wrong, expired, already used or malformed. The person may try again
	// (within the lockout's second-factor limit).
	ErrInvalidCode = errors.New("auth: invalid or expired code")
	// ErrMethodUnavailable: the method is not one the pending login
	// offers, or the portal cannot send codes (no Config.Sender).
	ErrMethodUnavailable = errors.New("auth: second-factor method not available")
	// ErrSecondFactorUnavailable: the account has second factors, but none
	// that this portal can use now (say, codes by SMS without a sender).
	// The login fails closed; an operator must help.
	ErrSecondFactorUnavailable = errors.New("auth: no usable second factor")
)

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
	// MethodRecovery is one of the account's recovery codes.
	MethodRecovery Method = "recovery"
)

// SecondFactorRequired is the error Login returns when the password was
// right and the account has a second factor (errors.Is
// ErrSecondFactorRequired). It is an error, not a result, so that a host
// that forgets the second step lets nobody in.
type SecondFactorRequired struct {
	// Pending is the pending login: pass it to VerifySecondFactor and
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

// SecondFactorConfig configures second factors. Its zero value works with
// codes by email and SMS when Config.Sender is set, and without
// authenticator apps.
type SecondFactorConfig struct {
	// Off turns second factors off: logins never ask for one, and the
	// Factors, Recovery and Devices roles are not needed. The zero value
	// keeps them on, and New refuses a configuration without a store for
	// them, so that no composition of stores turns them off unseen.
	Off bool
	// Keyring seals the secrets of authenticator apps at rest. Nil means
	// authenticator apps cannot be enrolled (and enrolled ones cannot be
	// verified: keep the keys).
	Keyring *totp.Keyring
	// Issuer names the portal in authenticator apps, such as "LPSE
	// Kemenkeu". Empty means Config.Messages.PortalName.
	Issuer string
	// TOTP gives the algorithm, digits and period of new enrollments and
	// the skew of verification. The zero value is SHA-1, 6 digits, 30
	// seconds, one step either side.
	TOTP totp.Params
	// PendingFor is how long a login waits for its second factor. Zero
	// means 5 minutes; at most 15.
	PendingFor time.Duration
	// PendingAttempts is how many second-step calls (codes tried, codes
	// sent) one pending login allows. Zero means 10. The lockout's
	// second-factor rule limits wrong codes across pending logins.
	PendingAttempts int
	// CodeFor is how long a code sent by email or SMS is valid. Zero means
	// 5 minutes; at most 10 (ASVS 6.5.5).
	CodeFor time.Duration
	// CodeCooldown is how long after one code another may be sent. Zero
	// means 60 seconds.
	CodeCooldown time.Duration
	// CodeAttempts is how many times one sent code may be tried. Zero
	// means 5.
	CodeAttempts int
	// CodeDigits is the length of a sent code: 6 to 10. Zero means 6.
	CodeDigits int
	// RememberFor is how long a device the owner asked to remember skips
	// the second factor. Zero means 30 days, at most a year; a negative
	// value turns remembering off.
	RememberFor time.Duration
	// EmailFallback, when true, offers a code by email to every account
	// that has a confirmed second factor and an email address, as a way
	// back in for someone who lost the phone with the authenticator app.
	// The zero value offers it only to accounts that added codes by email
	// as a factor: with the fallback on, whoever controls the mailbox and
	// knows the password passes both steps.
	EmailFallback bool
}

// secondFactor is SecondFactorConfig with its defaults filled in.
type secondFactor struct {
	SecondFactorConfig
	factors  store.Factors
	recovery store.Recovery
	devices  store.Devices
}

func newSecondFactor(c SecondFactorConfig, rs roles, m Messages) (secondFactor, error) {
	sf := secondFactor{SecondFactorConfig: c}
	if !c.Off {
		sf.factors, sf.recovery, sf.devices = rs.factors, rs.recovery, rs.devices
	}
	if sf.Issuer == "" {
		sf.Issuer = m.PortalName
	}
	if sf.Keyring != nil && sf.Issuer == "" {
		return sf, errors.New("auth: Config.SecondFactor.Keyring is set and neither SecondFactor.Issuer nor Messages.PortalName names the portal for authenticator apps")
	}
	if err := sf.TOTP.Validate(); err != nil {
		return sf, fmt.Errorf("auth: Config.SecondFactor.TOTP: %w", err)
	}
	def := func(d *time.Duration, v time.Duration, name string) error {
		switch {
		case *d == 0:
			*d = v
		case *d < 0 && name != "RememberFor":
			return fmt.Errorf("auth: Config.SecondFactor.%s is negative", name)
		}
		return nil
	}
	for _, f := range []struct {
		d    *time.Duration
		v    time.Duration
		name string
	}{
		{&sf.PendingFor, 5 * time.Minute, "PendingFor"},
		{&sf.CodeFor, 5 * time.Minute, "CodeFor"},
		{&sf.CodeCooldown, time.Minute, "CodeCooldown"},
		{&sf.RememberFor, 30 * 24 * time.Hour, "RememberFor"},
	} {
		if err := def(f.d, f.v, f.name); err != nil {
			return sf, err
		}
	}
	switch {
	case sf.PendingFor > 15*time.Minute:
		return sf, errors.New("auth: Config.SecondFactor.PendingFor is above 15 minutes")
	case sf.CodeFor > 10*time.Minute:
		return sf, errors.New("auth: Config.SecondFactor.CodeFor is above 10 minutes, the most ASVS 6.5.5 allows a code sent by email or SMS")
	case sf.RememberFor > 365*24*time.Hour:
		return sf, errors.New("auth: Config.SecondFactor.RememberFor is above a year")
	}
	if sf.PendingAttempts == 0 {
		sf.PendingAttempts = 10
	}
	if sf.CodeAttempts == 0 {
		sf.CodeAttempts = 5
	}
	if sf.PendingAttempts < 1 || sf.PendingAttempts > store.MaxTokenAttempts ||
		sf.CodeAttempts < 1 || sf.CodeAttempts > store.MaxTokenAttempts {
		return sf, fmt.Errorf("auth: Config.SecondFactor attempts must be 1 to %d", store.MaxTokenAttempts)
	}
	if sf.CodeDigits == 0 {
		sf.CodeDigits = secret.DefaultCodeDigits
	}
	if sf.CodeDigits < secret.MinCodeDigits || sf.CodeDigits > secret.MaxCodeDigits {
		return sf, fmt.Errorf("auth: Config.SecondFactor.CodeDigits must be %d to %d", secret.MinCodeDigits, secret.MaxCodeDigits)
	}
	return sf, nil
}

// Token purposes of the second step.
const (
	purposePending = "login.pending"
	purposeEmail   = "login.email"
	purposeSMS     = "login.sms"
)

// Keys of a pending login's token data.
const (
	dataRealm   = "realm"
	dataStamp   = "stamp"
	dataMethods = "methods"
)

// methods returns the ways acct can complete a login, and whether it has a
// second factor at all.
func (a *Authenticator) methods(ctx context.Context, acct store.Account) ([]Method, bool, error) {
	if a.sf.factors == nil {
		return nil, false, nil
	}
	fs, err := a.sf.factors.Factors(ctx, acct.ID)
	if err != nil {
		return nil, false, err
	}
	var has, totpOK, email, sms bool
	for _, f := range fs {
		if !f.Confirmed() {
			continue
		}
		has = true
		switch f.Kind {
		case store.FactorTOTP:
			totpOK = totpOK || a.sf.Keyring != nil
		case store.FactorEmail:
			email = true
		case store.FactorSMS:
			sms = true
		}
	}
	if !has {
		return nil, false, nil
	}
	var ms []Method
	if totpOK {
		ms = append(ms, MethodTOTP)
	}
	if (email || a.sf.EmailFallback) && acct.Email != "" && a.sender != nil {
		ms = append(ms, MethodEmail)
	}
	if sms && acct.Phone != "" && a.sender != nil {
		ms = append(ms, MethodSMS)
	}
	if a.sf.recovery != nil {
		rc, err := a.sf.recovery.RecoveryCodes(ctx, acct.ID)
		if err != nil {
			return nil, true, err
		}
		if rc.Remaining > 0 {
			ms = append(ms, MethodRecovery)
		}
	}
	return ms, true, nil
}

// secondStep decides, after the password verified, whether the login is
// complete: it is when the account has no second factor or the request
// carries a device the owner remembered. Otherwise it starts a pending
// login and returns it as a *SecondFactorRequired.
func (a *Authenticator) secondStep(ctx context.Context, acct store.Account, device string) (string, error) {
	ms, has, err := a.methods(ctx, acct)
	if err != nil {
		return "", err
	}
	if !has {
		return "", nil
	}
	if device != "" && a.rememberedDevice(ctx, acct, device) {
		return "remembered_device", nil
	}
	if len(ms) == 0 {
		return "", ErrSecondFactorUnavailable
	}
	if a.tokens == nil {
		return "", errors.New("auth: the account has a second factor, and Config.Tokens is nil while Config.Store does not implement store.Tokens")
	}
	st, err := secret.NewToken(a.rand)
	if err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	now := a.now().UTC()
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = string(m)
	}
	t := store.Token{
		Selector:  st.Selector(),
		AccountID: acct.ID,
		Purpose:   purposePending,
		// Each pending login is bound to itself: a login from a second
		// browser does not void the first's.
		Binding:     st.Selector(),
		Hash:        st.Hash(purposePending),
		Data:        map[string]string{dataRealm: acct.Realm, dataStamp: acct.SecurityStamp, dataMethods: strings.Join(names, ",")},
		MaxAttempts: a.sf.PendingAttempts,
		IssuedAt:    now,
		ExpiresAt:   now.Add(a.sf.PendingFor),
	}
	if err := a.tokens.IssueToken(ctx, t, 0); err != nil {
		return "", fmt.Errorf("auth: starting the second step: %w", err)
	}
	return "", &SecondFactorRequired{Pending: st.String(), Methods: ms, ExpiresAt: t.ExpiresAt}
}

// secondStepFailed records a login whose password verified but that did
// not complete: it waits for its second factor, or cannot get one.
func (a *Authenticator) secondStepFailed(ctx context.Context, ev store.Event, err error) error {
	var sfr *SecondFactorRequired
	switch {
	case errors.As(err, &sfr):
		ev.Kind = EventSecondFactorRequired
		ms := make([]string, len(sfr.Methods))
		for i, m := range sfr.Methods {
			ms[i] = string(m)
		}
		ev.Details = map[string]string{"methods": strings.Join(ms, ",")}
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

// SecondFactorRequest completes a login with its second factor.
type SecondFactorRequest struct {
	// Realm is the realm of the login.
	Realm string
	// Pending is SecondFactorRequired.Pending from Login.
	Pending string
	// Method is how Code was obtained.
	Method Method
	// Code is what the person typed: the app's code, the code sent by
	// email or SMS, or a recovery code (any case, with or without
	// dashes). Blanks around and inside a numeric code are ignored.
	Code string
	// Remember asks to remember this device, so that logins from it skip
	// the second factor until SecondFactorConfig.RememberFor passes.
	Remember bool
	Request
}

// VerifySecondFactor completes a login that Login left waiting for its
// second factor.
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
// On success the pending login is consumed (of parallel completions,
// exactly one succeeds) and, when asked, the device is remembered: the
// result's Device is the cookie value to set.
//
// Its errors: ErrNoPendingLogin, ErrInvalidCode, ErrMethodUnavailable,
// *lockout.LockedError, and wrapped store failures.
func (a *Authenticator) VerifySecondFactor(ctx context.Context, r SecondFactorRequest) (*LoginResult, error) {
	p, err := a.pending(ctx, r.Realm, r.Pending)
	if err != nil {
		return nil, err
	}
	ev := a.event(EventLoginFailed, p.acct.Realm, r.Request)
	ev.AccountID, ev.Username = p.acct.ID, p.acct.Username
	if !slices.Contains(p.methods, r.Method) {
		return nil, ErrMethodUnavailable
	}
	att, err := a.begin(ctx, lockout.SecondFactor, ev)
	if err != nil {
		return nil, err
	}
	use, reason, err := a.checkSecondFactor(ctx, p.acct, r.Method, r.Code)
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
			ev = withReason(ev, "pending_used")
		default:
			ev = withReason(ev, ReasonError)
		}
		ev.Details["method"] = string(r.Method)
		a.record(ctx, ev)
		return nil, err
	}
	res := &LoginResult{Account: p.acct}
	if r.Remember && a.sf.RememberFor > 0 && a.sf.devices != nil {
		d, err := a.rememberDevice(ctx, p.acct, r.Request)
		if err != nil {
			a.log.ErrorContext(ctx, "masuk: remembering a device", "account", p.acct.ID, "error", err)
		} else {
			res.Device = d
		}
	}
	ev.Details = map[string]string{"second_factor": string(r.Method)}
	a.loggedIn(ctx, ev, p.acct, r.Request)
	if r.Method == MethodRecovery {
		a.recoveryUsed(ctx, p.acct, r.Request)
	}
	return res, nil
}

// settleSecondFactor tells the guard how a second-factor attempt ended.
func (a *Authenticator) settleSecondFactor(ctx context.Context, att *lockout.Attempt, ev store.Event, err error) {
	switch {
	case err == nil:
		a.settle(ctx, att, ev, nil)
	case errors.Is(err, ErrInvalidCode):
		a.settle(ctx, att, ev, ErrInvalidCredentials)
	default:
		a.settle(ctx, att, ev, err)
	}
}

// pendingLogin is a pending login that was found and charged an attempt.
type pendingLogin struct {
	token   store.Token
	acct    store.Account
	methods []Method
}

// pending finds the pending login that s names, charges it an attempt, and
// checks that it still stands: same realm, account active, password not
// changed since.
func (a *Authenticator) pending(ctx context.Context, realm, s string) (pendingLogin, error) {
	if _, err := a.realm(realm); err != nil {
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
	if t.Purpose != purposePending || subtle.ConstantTimeCompare(t.Hash, st.Hash(purposePending)) != 1 || t.Data[dataRealm] != realm {
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
	p := pendingLogin{token: t, acct: acct}
	for m := range strings.SplitSeq(t.Data[dataMethods], ",") {
		if m != "" {
			p.methods = append(p.methods, Method(m))
		}
	}
	return p, nil
}

// useCode uses up a second-factor code that checked out; it returns
// ErrInvalidCode, with the reason, when another login used it meanwhile.
type useCode func(ctx context.Context) (string, error)

// checkSecondFactor checks a code by method, changing nothing but the
// attempts it charges, and returns the way to use the code up once the
// pending login is consumed. It returns ErrInvalidCode, with the reason
// for the log, when the code does not open the account.
func (a *Authenticator) checkSecondFactor(ctx context.Context, acct store.Account, m Method, code string) (useCode, string, error) {
	switch m {
	case MethodTOTP:
		return a.checkTOTP(ctx, acct, compactDigits(code))
	case MethodEmail:
		return a.checkSentCode(ctx, acct, purposeEmail, compactDigits(code))
	case MethodSMS:
		return a.checkSentCode(ctx, acct, purposeSMS, compactDigits(code))
	case MethodRecovery:
		return a.checkRecoveryCode(ctx, acct, code)
	}
	return nil, "", ErrMethodUnavailable
}

// Reasons a second factor failed, in the event's "reason" detail.
const (
	ReasonBadCode      = "bad_code"
	ReasonReplayedCode = "replayed_code"
	ReasonNoCode       = "no_code"
)

// checkTOTP matches code against each of the account's confirmed
// authenticator apps. Using it records the step it matched, which only
// moves forward, by compare-and-set: a code is accepted once.
func (a *Authenticator) checkTOTP(ctx context.Context, acct store.Account, code string) (useCode, string, error) {
	fs, err := a.sf.factors.Factors(ctx, acct.ID)
	if err != nil {
		return nil, ReasonError, fmt.Errorf("auth: reading factors: %w", err)
	}
	reason := ReasonBadCode
	for _, f := range fs {
		if f.Kind != store.FactorTOTP || !f.Confirmed() {
			continue
		}
		secret, p, err := a.openFactor(f)
		if err != nil {
			a.log.ErrorContext(ctx, "masuk: opening an authenticator secret", "account", acct.ID, "factor", f.ID, "error", err)
			continue
		}
		step, err := p.Match(secret, code, a.now())
		clear(secret)
		if err != nil {
			continue
		}
		if step <= f.LastStep {
			reason = ReasonReplayedCode
			continue
		}
		use := func(ctx context.Context) (string, error) {
			switch err := a.sf.factors.AcceptStep(ctx, acct.ID, f.ID, step); {
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
func (a *Authenticator) checkSentCode(ctx context.Context, acct store.Account, purpose, code string) (useCode, string, error) {
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
	use := func(ctx context.Context) (string, error) {
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
func (a *Authenticator) checkRecoveryCode(ctx context.Context, acct store.Account, code string) (useCode, string, error) {
	if a.sf.recovery == nil {
		return nil, "", ErrMethodUnavailable
	}
	h, err := secret.HashRecoveryCode(code)
	if err != nil {
		return nil, ReasonBadCode, ErrInvalidCode
	}
	switch err := a.sf.recovery.FindRecoveryCode(ctx, acct.ID, h); {
	case errors.Is(err, store.ErrNotFound):
		return nil, ReasonBadCode, ErrInvalidCode
	case err != nil:
		return nil, ReasonError, fmt.Errorf("auth: finding a recovery code: %w", err)
	}
	use := func(ctx context.Context) (string, error) {
		switch _, err := a.sf.recovery.UseRecoveryCode(ctx, acct.ID, h); {
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
	// Method is MethodEmail or MethodSMS.
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
// SecondFactorConfig.CodeFor, may be tried CodeAttempts times, and are
// stored hashed.
//
// Its errors: ErrNoPendingLogin; ErrMethodUnavailable when the pending
// login does not offer the method; a *store.CooldownError (errors.Is
// store.ErrCooldown) saying when another code may be sent; a
// *lockout.ThrottledError when codes are asked for the account, or from
// the address, more often than ResetConfig's rates allow; a failure of
// the Sender, wrapped.
func (a *Authenticator) SendCode(ctx context.Context, r SendCodeRequest) (SentCode, error) {
	p, err := a.pending(ctx, r.Realm, r.Pending)
	if err != nil {
		return SentCode{}, err
	}
	if (r.Method != MethodEmail && r.Method != MethodSMS) || !slices.Contains(p.methods, r.Method) || a.sender == nil {
		return SentCode{}, ErrMethodUnavailable
	}
	purpose, to, channel := purposeEmail, p.acct.Email, notify.Email
	if r.Method == MethodSMS {
		purpose, to, channel = purposeSMS, p.acct.Phone, notify.SMS
	}
	if to == "" {
		return SentCode{}, ErrMethodUnavailable
	}
	// Besides the cooldown per account, a rate per account and per client
	// address: whoever knows a password must not be able to send mail or
	// SMS without end, to one account or to many.
	s := lockout.Subject{Realm: p.acct.Realm, Username: p.acct.Username, Addr: r.ClientAddr}
	if err := a.guard.Throttle(ctx, "send_code", s, a.reset.PerIdentifier, a.reset.PerAddress); err != nil {
		return SentCode{}, err
	}
	code, err := secret.NewCode(a.rand, a.sf.CodeDigits)
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
		AccountID:   p.acct.ID,
		Purpose:     purpose,
		Hash:        secret.HashCode(purpose, p.acct.ID, code),
		MaxAttempts: a.sf.CodeAttempts,
		IssuedAt:    now,
		ExpiresAt:   now.Add(a.sf.CodeFor),
	}
	if err := a.tokens.IssueToken(ctx, t, a.sf.CodeCooldown); err != nil {
		if errors.Is(err, store.ErrCooldown) {
			return SentCode{}, err
		}
		return SentCode{}, fmt.Errorf("auth: storing the code: %w", err)
	}
	d := a.messageData(p.acct)
	d.Code, d.ExpiresIn = code, a.sf.CodeFor
	if err := a.send(ctx, channel, to, notify.SecondFactorCode, r.Locale, d); err != nil {
		// A code nobody received must not count toward the cooldown.
		if verr := a.tokens.VoidTokens(context.WithoutCancel(ctx), p.acct.ID, purpose); verr != nil {
			a.log.ErrorContext(ctx, "masuk: voiding an unsent code", "account", p.acct.ID, "error", verr)
		}
		return SentCode{}, err
	}
	ev := a.event(EventCodeSent, p.acct.Realm, r.Request)
	ev.AccountID, ev.Username = p.acct.ID, p.acct.Username
	ev.Details = map[string]string{"method": string(r.Method)}
	a.record(ctx, ev)
	return SentCode{Method: r.Method, To: mask(channel, to), ExpiresAt: t.ExpiresAt, ResendAt: now.Add(a.sf.CodeCooldown)}, nil
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

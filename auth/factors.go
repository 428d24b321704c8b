package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// ErrFactorsUnavailable: second factors are off in the account's realm,
// or (for authenticator apps) Config.Keyring is nil.
var ErrFactorsUnavailable = errors.New("auth: second factors are not configured")

// ErrTooManyFactors: the account has store.MaxFactorsPerAccount second
// factors already; its owner must remove one before adding another.
var ErrTooManyFactors = errors.New("auth: too many second factors")

// ErrLastFactor: the account's realm requires a second factor
// (SecondFactorMandatory) and this is the account's last confirmed one;
// its owner must add another before removing it.
var ErrLastFactor = errors.New("auth: the realm requires a second factor: add another before removing the last")

// createFactor stores f, naming a full account ErrTooManyFactors.
func (a *Authenticator) createFactor(ctx context.Context, f store.Factor) error {
	err := a.factors.CreateFactor(ctx, f)
	if errors.Is(err, store.ErrCapacity) {
		return ErrTooManyFactors
	}
	return err
}

// FactorInfo describes a second factor for its owner's settings page. It
// holds no secret.
type FactorInfo struct {
	ID          string           `json:"id"`
	Kind        store.FactorKind `json:"kind"`
	Label       string           `json:"label"`
	CreatedAt   time.Time        `json:"created_at"`
	ConfirmedAt time.Time        `json:"confirmed_at,omitzero"`
}

// FactorsSummary is what an account has for its second step.
type FactorsSummary struct {
	// Factors are the confirmed factors, oldest first.
	Factors []FactorInfo `json:"factors"`
	// RecoveryCodes is how many unused recovery codes are left.
	RecoveryCodes int `json:"recovery_codes"`
	// Devices are the remembered devices, newest first.
	Devices []DeviceInfo `json:"devices"`
	// Passkeys are the passkeys, oldest first.
	Passkeys []PasskeyInfo `json:"passkeys"`
}

// DeviceInfo describes a remembered device.
type DeviceInfo struct {
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Factors enrolls and removes second factors, recovery codes and
// remembered devices. Obtain it from [Authenticator.Factors].
type Factors struct{ a *Authenticator }

// Summary describes the account's second factors, recovery codes and
// remembered devices.
func (v *Factors) Summary(ctx context.Context, accountID string) (_ FactorsSummary, err error) {
	if v.unset() {
		return FactorsSummary{}, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.Summary")
	defer sp.end(&err)
	a := v.a
	var s FactorsSummary
	if a.factors == nil {
		return s, ErrFactorsUnavailable
	}
	fs, err := a.factors.Factors(ctx, accountID)
	if err != nil {
		return s, fmt.Errorf("auth: factors: %w", err)
	}
	s.Factors = []FactorInfo{}
	for _, f := range fs {
		if f.Confirmed() {
			s.Factors = append(s.Factors, FactorInfo{ID: f.ID, Kind: f.Kind, Label: f.Label, CreatedAt: f.CreatedAt, ConfirmedAt: f.ConfirmedAt})
		}
	}
	rc, err := a.recovery.RecoveryCodes(ctx, accountID)
	if err != nil {
		return s, fmt.Errorf("auth: factors: %w", err)
	}
	s.RecoveryCodes = rc.Remaining
	if s.Passkeys, err = a.passkeyInfos(ctx, accountID); err != nil {
		return s, err
	}
	s.Devices = []DeviceInfo{}
	if a.devices != nil {
		ds, err := a.devices.Devices(ctx, accountID, a.now().UTC())
		if err != nil {
			return s, fmt.Errorf("auth: factors: %w", err)
		}
		for _, d := range ds {
			s.Devices = append(s.Devices, DeviceInfo{ID: d.Selector, Label: d.Label, CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt})
		}
	}
	return s, nil
}

// FactorChange is a request to add or remove a second factor: by a
// logged-in owner, who gives the current password (a stolen session alone
// must not be able to change how the account logs in), or, for the first
// factor of an account whose realm requires one, by a login that Login
// stopped at an *EnrollmentRequired, which gives its pending enrollment.
type FactorChange struct {
	// AccountID is the account, as the host's session knows it, and
	// Password the owner's current password.
	AccountID, Password string
	// Realm and Pending, instead of AccountID and Password: the realm of
	// the login and EnrollmentRequired.Pending. Only enrollments take
	// them.
	Realm, Pending string
	// Label names the factor for its owner ("Budi's phone"); optional.
	Label string
	Request
}

// enrollee is the account a factor change is for, and the pending
// enrollment it came with, if any.
type enrollee struct {
	acct    store.Account
	realm   *realmConfig
	pending *pendingLogin
}

// enrollee checks who a factor change is for: the owner's current password
// (counted like a login's), or a live pending enrollment of method.
func (a *Authenticator) enrollee(ctx context.Context, c FactorChange, m Method) (enrollee, error) {
	if c.Pending == "" {
		acct, err := a.checkOwner(ctx, actionFactor, c.AccountID, c.Password, c.Request)
		if err != nil {
			return enrollee{}, err
		}
		return enrollee{acct: acct, realm: a.realmOf(acct.Realm)}, nil
	}
	p, err := a.pending(ctx, c.Realm, purposeEnroll, c.Pending)
	if err != nil {
		return enrollee{}, err
	}
	if !slices.Contains(p.methods, m) {
		return enrollee{}, ErrMethodUnavailable
	}
	return enrollee{acct: p.acct, realm: p.realm, pending: &p}, nil
}

// TOTPEnrollment is an authenticator app being set up: show QR (or the
// ManualKey) once, then ask for a code and pass it to ConfirmTOTP.
type TOTPEnrollment struct {
	// FactorID names the factor for ConfirmTOTP.
	FactorID string `json:"factor_id"`
	// URI is the otpauth URI; it holds the secret. Never log it.
	URI string `json:"-"`
	// QR is a PNG of the URI.
	QR []byte `json:"-"`
	// ManualKey is the secret in groups of four base32 letters, for a phone
	// that cannot scan.
	ManualKey string `json:"-"`
	// Issuer and AccountName are what the app will list the account
	// under ("MySAPK", "199001012015031001"), for the page to show.
	Issuer      string `json:"issuer"`
	AccountName string `json:"account_name"`
}

// BeginTOTP starts enrolling an authenticator app: it checks the current
// password (like a login: a wrong one counts toward the lock), makes a
// 160-bit secret, seals it, and stores the factor unconfirmed. An earlier
// unconfirmed enrollment of the account is dropped. The factor does not
// log anyone in until ConfirmTOTP accepts a first code.
func (v *Factors) BeginTOTP(ctx context.Context, c FactorChange) (_ *TOTPEnrollment, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.BeginTOTP")
	defer sp.end(&err)
	a := v.a
	if a.factors == nil || a.keyring == nil {
		return nil, ErrFactorsUnavailable
	}
	if err := checkLabel(c.Label); err != nil {
		return nil, err
	}
	who, err := a.enrollee(ctx, c, MethodTOTP)
	if err != nil {
		return nil, err
	}
	acct, realm := who.acct, who.realm
	if realm.SecondFactor.Requirement == SecondFactorOff {
		return nil, ErrFactorsUnavailable
	}
	fs, err := a.factors.Factors(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	for _, f := range fs {
		if f.Kind == store.FactorTOTP && !f.Confirmed() {
			if err := a.factors.DeleteFactor(ctx, acct.ID, f.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, fmt.Errorf("auth: enroll: %w", err)
			}
		}
	}
	key, err := totp.NewSecret(a.rand)
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	defer clear(key)
	id, err := a.randomHex(16)
	if err != nil {
		return nil, err
	}
	sealed, err := a.keyring.Seal(key, factorAD(acct.ID, id))
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	p := realm.SecondFactor.TOTP
	if p.Period == 0 {
		p.Period = 30 * time.Second
	}
	if p.Digits == 0 {
		p.Digits = 6
	}
	e := totp.Enrollment{Issuer: realm.SecondFactor.Issuer, Account: acct.DisplayUsername, Secret: key, Params: p}
	if e.Account == "" {
		e.Account = acct.Username
	}
	e.Account = strings.ReplaceAll(e.Account, ":", " ")
	uri, err := e.URI()
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	qr, err := e.QR(256)
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	f := store.Factor{
		ID:        id,
		AccountID: acct.ID,
		Kind:      store.FactorTOTP,
		Label:     c.Label,
		Secret:    sealed,
		Algorithm: p.Algorithm.String(),
		Digits:    p.Digits,
		Period:    int(p.Period / time.Second),
		LastStep:  -1,
		CreatedAt: a.now().UTC(),
	}
	if err := a.createFactor(ctx, f); err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	return &TOTPEnrollment{FactorID: id, URI: uri, QR: qr, ManualKey: e.ManualKey(), Issuer: e.Issuer, AccountName: e.Account}, nil
}

// TOTPConfirmation completes the enrollment of an authenticator app.
type TOTPConfirmation struct {
	// AccountID is the account, as the host's session knows it; or, for
	// an enrollment a login requires, Realm and Pending, as they were
	// given to BeginTOTP.
	AccountID, Realm, Pending string
	// FactorID is TOTPEnrollment.FactorID.
	FactorID string
	// Code is the first code the app shows.
	Code string
	Request
}

// Enrolled is the outcome of an enrollment.
type Enrolled struct {
	// FactorID names the new factor.
	FactorID string `json:"factor_id"`
	// RecoveryCodes is a new set of recovery codes when the account had
	// none: show them once, and tell the owner to keep them somewhere
	// safe. Nil when the account already had a set, and for codes by
	// email or SMS that a login required (Enrolled.SecondStep proves them
	// first).
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// Login, for an enrollment a login required, is the completed login:
	// confirming an authenticator app proves it, as its code would at the
	// second step.
	Login *LoginResult `json:"-"`
	// SecondStep, for an enrollment of codes by email or SMS that a login
	// required, is the login's second step with them: send a code
	// (Logins.SendCode) and complete it (Logins.SecondStep).
	SecondStep *SecondFactorRequired `json:"-"`
}

// ConfirmTOTP completes an enrollment with the first code the app shows.
// That code is recorded as used, so it cannot also log in. When the
// account has no recovery codes yet, a set is made and returned, and the
// owner is told that a factor was added. For an enrollment that a login
// required, the pending enrollment is used up and the login completes
// (Enrolled.Login).
//
// Its errors: ErrInvalidCode for a wrong code (the enrollment stays and
// may be tried again), a wrapped store.ErrNotFound for an unknown factor,
// ErrNoPendingLogin for a pending enrollment that no longer stands,
// ErrFactorsUnavailable.
func (v *Factors) ConfirmTOTP(ctx context.Context, c TOTPConfirmation) (_ *Enrolled, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.ConfirmTOTP")
	defer sp.end(&err)
	a := v.a
	if a.factors == nil || a.keyring == nil {
		return nil, ErrFactorsUnavailable
	}
	var acct store.Account
	var pending *pendingLogin
	if c.Pending != "" {
		p, err := a.pending(ctx, c.Realm, purposeEnroll, c.Pending)
		if err != nil {
			return nil, err
		}
		acct, pending = p.acct, &p
	} else {
		var err error
		if acct, err = a.store.AccountByID(ctx, c.AccountID); err != nil {
			return nil, fmt.Errorf("auth: confirm: %w", err)
		}
	}
	realm := a.realmOf(acct.Realm)
	fs, err := a.factors.Factors(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: confirm: %w", err)
	}
	i := -1
	for j, f := range fs {
		if f.ID == c.FactorID && f.Kind == store.FactorTOTP {
			i = j
		}
	}
	if i < 0 {
		return nil, fmt.Errorf("auth: confirm: %w", store.ErrNotFound)
	}
	f := fs[i]
	if f.Confirmed() {
		return nil, ErrInvalidCode
	}
	key, p, err := a.openFactor(realm, f)
	if err != nil {
		return nil, fmt.Errorf("auth: confirm: %w", err)
	}
	step, err := p.Match(key, compactDigits(c.Code), a.now())
	clear(key)
	if err != nil {
		return nil, ErrInvalidCode
	}
	if pending != nil {
		// The enrollment completes the login: used up once, before the
		// factor is confirmed, as a second step's code would be.
		if err := a.tokens.ConsumeToken(ctx, pending.token.Selector, pending.token.Hash); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, ErrNoPendingLogin
			}
			return nil, fmt.Errorf("auth: confirm: %w", err)
		}
	}
	switch err := a.factors.ConfirmFactor(ctx, acct.ID, f.ID, step, a.now().UTC()); {
	case errors.Is(err, store.ErrStale):
		return nil, ErrInvalidCode
	case err != nil:
		return nil, fmt.Errorf("auth: confirm: %w", err)
	}
	out := &Enrolled{FactorID: f.ID}
	if out.RecoveryCodes, err = a.firstRecoveryCodes(ctx, acct.ID); err != nil {
		a.log.ErrorContext(ctx, "masuk: making recovery codes", "account", acct.ID, "error", err)
	}
	a.factorChanged(ctx, acct, EventFactorAdded, f, notify.FactorAuthenticator, c.Request)
	if pending != nil {
		ev := a.event(EventLoginSucceeded, acct.Realm, c.Request)
		ev.AccountID, ev.Username = acct.ID, acct.Username
		ev.Details = map[string]string{"second_factor": "totp_enrolled"}
		a.loggedIn(ctx, ev, acct, c.Request)
		out.Login = &LoginResult{Account: acct}
	}
	return out, nil
}

// codeFactors name each kind of factor in the owner's notices.
var codeFactors = map[store.FactorKind]notify.Factor{
	store.FactorTOTP:     notify.FactorAuthenticator,
	store.FactorEmail:    notify.FactorEmailCode,
	store.FactorSMS:      notify.FactorSMSCode,
	store.FactorWhatsApp: notify.FactorWhatsAppCode,
}

// CodeFactor adds codes by email, SMS or WhatsApp as a second factor.
type CodeFactor struct {
	// Kind is store.FactorEmail, store.FactorSMS or store.FactorWhatsApp.
	Kind store.FactorKind
	FactorChange
}

// AddCodes adds codes by email (kind store.FactorEmail), SMS
// (store.FactorSMS) or WhatsApp (store.FactorWhatsApp) as a second
// factor, sent to the account's address or phone on record, after checking the current password (or the pending
// enrollment of a login that requires one: the login then goes on to its
// second step with the new factor alone, Enrolled.SecondStep, whose code
// proves the address). It returns the factor's ID and, when the account
// had none and the owner gave the password, a first set of recovery
// codes: an enrollment a login required gets none (they would pass the
// second step without the address), and the owner makes them with
// RegenerateRecoveryCodes once logged in. The owner is told.
//
// Codes by email are the weakest second factor: a forgotten password is
// reset through the same mailbox, so whoever controls the mailbox passes
// both steps (NIST SP 800-63B does not count email as an out-of-band
// authenticator). Offer them only where an authenticator app is out of
// reach, and prefer codes by SMS or an app.
//
// Its errors: ErrMethodUnavailable for a kind that is not a factor of
// codes, or an account without the address or phone it needs;
// ErrInvalidCredentials; ErrFactorsUnavailable.
func (v *Factors) AddCodes(ctx context.Context, c CodeFactor) (_ *Enrolled, err error) {
	if v.unset() {
		return nil, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.AddCodes")
	defer sp.end(&err)
	a := v.a
	kind := c.Kind
	if a.factors == nil || a.sender == nil || a.tokens == nil {
		return nil, ErrFactorsUnavailable
	}
	m := MethodEmail
	switch kind {
	case store.FactorEmail:
	case store.FactorSMS:
		m = MethodSMS
	case store.FactorWhatsApp:
		m = MethodWhatsApp
	default:
		// The kind is not repeated: a form sent it, of any length.
		return nil, fmt.Errorf("auth: the kind is not a factor of codes: %w", ErrMethodUnavailable)
	}
	if err := checkLabel(c.Label); err != nil {
		return nil, err
	}
	who, err := a.enrollee(ctx, c.FactorChange, m)
	if err != nil {
		return nil, err
	}
	acct := who.acct
	if who.realm.SecondFactor.Requirement == SecondFactorOff {
		return nil, ErrFactorsUnavailable
	}
	if (kind == store.FactorEmail && acct.Email == "") || (kind != store.FactorEmail && (acct.Phone == "" || !slices.Contains(who.realm.SecondFactor.PhoneCodes, m))) {
		return nil, ErrMethodUnavailable
	}
	if who.pending != nil {
		// The pending enrollment is used up first, once: of parallel
		// submissions of it, one stores a factor, makes recovery codes
		// and tells the owner, and the others store nothing.
		if err := a.tokens.ConsumeToken(ctx, who.pending.token.Selector, who.pending.token.Hash); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, ErrNoPendingLogin
			}
			return nil, fmt.Errorf("auth: add factor: %w", err)
		}
	}
	id, err := a.randomHex(16)
	if err != nil {
		return nil, err
	}
	now := a.now().UTC()
	f := store.Factor{ID: id, AccountID: acct.ID, Kind: kind, Label: c.Label, CreatedAt: now, ConfirmedAt: now}
	if err := a.createFactor(ctx, f); err != nil {
		return nil, fmt.Errorf("auth: add factor: %w", err)
	}
	out := &Enrolled{FactorID: id}
	if who.pending == nil {
		if out.RecoveryCodes, err = a.firstRecoveryCodes(ctx, acct.ID); err != nil {
			a.log.ErrorContext(ctx, "masuk: making recovery codes", "account", acct.ID, "error", err)
		}
	}
	nf := codeFactors[kind]
	a.factorChanged(ctx, acct, EventFactorAdded, f, nf, c.Request)
	if who.pending != nil {
		// The login that required the enrollment goes on to its second
		// step with the factor just added, and with it alone: its first
		// code proves the address. Whoever started the login has shown
		// only the password, so it gets no recovery codes, which would
		// pass this second step and every later one without the
		// address; the owner makes them once logged in.
		t, secret, err := a.issuePending(ctx, who.realm, acct, purposePending, []Method{m})
		if err != nil {
			return nil, fmt.Errorf("auth: add factor: %w", err)
		}
		out.SecondStep = &SecondFactorRequired{Pending: secret, Methods: []Method{m}, ExpiresAt: t.ExpiresAt}
	}
	return out, nil
}

// FactorRemoval removes a second factor.
type FactorRemoval struct {
	// FactorID is the factor's ID, from Summary.
	FactorID string
	FactorChange
}

// Remove removes a second factor after checking the current password, and
// tells the owner. When the last confirmed factor goes, the recovery codes
// and remembered devices go with it. In a realm whose SecondFactor
// requires a factor (SecondFactorMandatory), the last confirmed factor
// cannot be removed: Remove returns ErrLastFactor, and the owner adds
// another first.
func (v *Factors) Remove(ctx context.Context, c FactorRemoval) (err error) {
	if v.unset() {
		return errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.Remove")
	defer sp.end(&err)
	a, factorID := v.a, c.FactorID
	if a.factors == nil {
		return ErrFactorsUnavailable
	}
	if c.Pending != "" {
		return ErrNoPendingLogin
	}
	acct, err := a.checkOwner(ctx, actionFactor, c.AccountID, c.Password, c.Request)
	if err != nil {
		return err
	}
	fs, err := a.factors.Factors(ctx, acct.ID)
	if err != nil {
		return fmt.Errorf("auth: remove factor: %w", err)
	}
	var gone *store.Factor
	left := 0
	for i, f := range fs {
		switch {
		case f.ID == factorID:
			gone = &fs[i]
		case f.Confirmed():
			left++
		}
	}
	if gone == nil {
		if id, ok := parsePasskeyID(factorID); ok && a.passkeys != nil {
			return a.removePasskey(ctx, acct, id, false, c.Request, nil)
		}
		return fmt.Errorf("auth: remove factor: %w", store.ErrNotFound)
	}
	if a.passkeys != nil && a.realmOf(acct.Realm).webauthn != nil {
		ks, err := a.passkeys.Passkeys(ctx, acct.ID)
		if err != nil {
			return fmt.Errorf("auth: remove factor: %w", err)
		}
		left += len(ks)
	}
	keep := gone.Confirmed() && a.realmOf(acct.Realm).SecondFactor.Requirement == SecondFactorMandatory
	if left == 0 && keep {
		return ErrLastFactor
	}
	if err := a.factors.DeleteFactor(ctx, acct.ID, factorID); err != nil {
		return fmt.Errorf("auth: remove factor: %w", err)
	}
	if keep {
		// Two removals at once each counted the other's factor as left,
		// and the store has no delete-unless-last: look again, and put
		// this factor back when none is left.
		if err := a.keepLastFactor(ctx, a.realmOf(acct.Realm), *gone); err != nil {
			return err
		}
	}
	if left == 0 {
		a.lastFactorGone(ctx, acct.ID)
	}
	if gone.Confirmed() {
		nf := codeFactors[gone.Kind]
		a.factorChanged(ctx, acct, EventFactorRemoved, *gone, nf, c.Request)
	}
	return nil
}

// lastFactorGone removes the recovery codes and remembered devices of an
// account whose last factor went: they stood in for it.
func (a *Authenticator) lastFactorGone(ctx context.Context, accountID string) {
	if err := a.recovery.SetRecoveryCodes(ctx, accountID, nil, a.now().UTC()); err != nil {
		a.log.ErrorContext(ctx, "masuk: removing recovery codes", "account", accountID, "error", err)
	}
	if a.devices != nil {
		if err := a.devices.ForgetDevices(ctx, accountID); err != nil {
			a.log.ErrorContext(ctx, "masuk: forgetting devices", "account", accountID, "error", err)
		}
	}
}

// keepLastFactor stores f, just removed, again when its account has no
// confirmed factor left, and then returns ErrLastFactor. It fails closed:
// when the factors cannot be read, f is put back too.
func (a *Authenticator) keepLastFactor(ctx context.Context, r *realmConfig, f store.Factor) error {
	has, err := a.hasRequiredFactor(ctx, r, f.AccountID)
	if err == nil && has {
		return nil
	}
	if cerr := a.factors.CreateFactor(context.WithoutCancel(ctx), f); cerr != nil {
		a.log.ErrorContext(ctx, "masuk: putting back the last factor", "account", f.AccountID, "factor", f.ID, "error", cerr)
		return fmt.Errorf("auth: remove factor: the last factor was removed and could not be put back: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("auth: remove factor: %w", err)
	}
	return ErrLastFactor
}

// RecoveryCodes is a new set of recovery codes: show them once.
type RecoveryCodes struct {
	Codes []string `json:"codes"`
}

// RegenerateRecoveryCodes replaces the account's recovery codes with a new
// set, after checking the current password; the old codes stop working at
// once. Show the codes once. The owner is told.
func (v *Factors) RegenerateRecoveryCodes(ctx context.Context, c FactorChange) (_ RecoveryCodes, err error) {
	if v.unset() {
		return RecoveryCodes{}, errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.RegenerateRecoveryCodes")
	defer sp.end(&err)
	a := v.a
	if a.recovery == nil {
		return RecoveryCodes{}, ErrFactorsUnavailable
	}
	if c.Pending != "" {
		return RecoveryCodes{}, ErrNoPendingLogin
	}
	acct, err := a.checkOwner(ctx, actionFactor, c.AccountID, c.Password, c.Request)
	if err != nil {
		return RecoveryCodes{}, err
	}
	codes, err := a.newRecoveryCodes(ctx, acct.ID)
	if err != nil {
		return RecoveryCodes{}, err
	}
	ev := a.event(EventRecoveryCodesRenewed, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	a.notice(ctx, acct, notify.FactorAdded, c.Request, notify.Data{Factor: notify.FactorRecoveryCodes})
	return RecoveryCodes{Codes: codes}, nil
}

// firstRecoveryCodes makes a set of recovery codes when the account has
// none, and returns nil otherwise.
func (a *Authenticator) firstRecoveryCodes(ctx context.Context, accountID string) ([]string, error) {
	rc, err := a.recovery.RecoveryCodes(ctx, accountID)
	if err != nil || rc.Remaining > 0 {
		return nil, err
	}
	return a.newRecoveryCodes(ctx, accountID)
}

func (a *Authenticator) newRecoveryCodes(ctx context.Context, accountID string) ([]string, error) {
	codes, err := secret.NewRecoveryCodes(a.rand, 0)
	if err != nil {
		return nil, fmt.Errorf("auth: recovery codes: %w", err)
	}
	hashes := make([][]byte, len(codes))
	for i, c := range codes {
		if hashes[i], err = secret.HashRecoveryCode(c); err != nil {
			return nil, fmt.Errorf("auth: recovery codes: %w", err)
		}
	}
	if err := a.recovery.SetRecoveryCodes(ctx, accountID, hashes, a.now().UTC()); err != nil {
		return nil, fmt.Errorf("auth: recovery codes: %w", err)
	}
	return codes, nil
}

// recoveryUsed records and tells the owner that a recovery code logged in.
func (a *Authenticator) recoveryUsed(ctx context.Context, acct store.Account, req Request) {
	ev := a.event(EventRecoveryCodeUsed, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	a.notice(ctx, acct, notify.RecoveryCodeUsed, req, notify.Data{})
}

// factorChanged records a factor added or removed and tells the owner.
func (a *Authenticator) factorChanged(ctx context.Context, acct store.Account, kind EventKind, f store.Factor, nf notify.Factor, req Request) {
	ev := a.event(kind, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"factor": string(f.Kind), "factor_id": f.ID}
	a.record(ctx, ev)
	p := notify.FactorAdded
	if kind == EventFactorRemoved {
		p = notify.FactorRemoved
	}
	a.notice(ctx, acct, p, req, notify.Data{Factor: nf})
}

// checkLabel refuses, before the password is checked, a factor's label
// longer than the store keeps.
func checkLabel(label string) error {
	if len(label) > store.MaxFactorLabel || !utf8.ValidString(label) {
		return &FieldError{Field: "label", Max: store.MaxFactorLabel}
	}
	return nil
}

// checkOwner verifies the current password of an active account before
// action (a change to how it logs in, its address or phone, its erasure),
// counting a wrong one toward the lock and recording it: a failed factor
// change for the factors' actions, a failed re-authentication naming the
// action for the others.
func (a *Authenticator) checkOwner(ctx context.Context, action, accountID, pw string, req Request) (store.Account, error) {
	acct, err := a.store.AccountByID(ctx, accountID)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	if pw == "" && req.Session != "" {
		if err := a.recentProof(ctx, acct, req.Session); err != nil {
			return store.Account{}, err
		}
		return acct, nil
	}
	kind := EventFactorChangeFailed
	if action != actionFactor {
		kind = EventReauthFailed
	}
	ev := a.event(kind, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	ev.Details = map[string]string{"action": action}
	att, err := a.begin(ctx, a.realmOf(acct.Realm), lockout.Password, ev)
	if err != nil {
		return store.Account{}, err
	}
	_, err = a.checkCurrent(ctx, ev, acct, pw)
	a.settle(ctx, att, ev, err)
	if err == nil && req.Session != "" {
		a.proved(ctx, acct, req.Session)
	}
	return acct, err
}

// The actions checkOwner guards, as its events name them.
const (
	actionFactor      = "factor"
	actionEmailChange = "email_change"
	actionPhoneChange = "phone_change"
	actionErase       = "erase"
	actionFederation  = "federation"
)

// factorAD is the additional data a factor's secret is sealed with, so
// that a sealed secret copied to another factor or account does not open.
func factorAD(accountID, factorID string) []byte {
	return []byte("masuk/factor\x00" + accountID + "\x00" + factorID)
}

// openFactor opens a TOTP factor's secret and returns it with the factor's
// parameters under the configured skew.
func (a *Authenticator) openFactor(r *realmConfig, f store.Factor) ([]byte, totp.Params, error) {
	alg, err := totp.ParseAlgorithm(f.Algorithm)
	if err != nil {
		return nil, totp.Params{}, fmt.Errorf("auth: factor %s: %w", f.ID, err)
	}
	p := totp.Params{Algorithm: alg, Digits: f.Digits, Period: time.Duration(f.Period) * time.Second, Skew: r.SecondFactor.TOTP.Skew}
	key, err := a.keyring.Open(f.Secret, factorAD(f.AccountID, f.ID))
	if err != nil {
		return nil, p, err
	}
	return key, p, nil
}

// reseal seals a factor's secret again under the current key after a key
// rotation. A failure leaves the old sealing, which still opens.
func (a *Authenticator) reseal(ctx context.Context, f store.Factor) {
	if !a.keyring.NeedsReseal(f.Secret) {
		return
	}
	ad := factorAD(f.AccountID, f.ID)
	key, err := a.keyring.Open(f.Secret, ad)
	if err != nil {
		return
	}
	sealed, err := a.keyring.Seal(key, ad)
	clear(key)
	if err == nil {
		err = a.factors.ResealFactor(ctx, f.AccountID, f.ID, f.Secret, sealed)
	}
	if err != nil && !errors.Is(err, store.ErrStale) {
		a.log.ErrorContext(ctx, "masuk: resealing a factor", "account", f.AccountID, "factor", f.ID, "error", err)
	}
}

// RememberedDevice is a device to remember: set Token as a cookie
// (HttpOnly, Secure, SameSite=Lax) that expires at ExpiresAt, and pass it
// back as LoginRequest.Device.
type RememberedDevice struct {
	Token     string    `json:"-"`
	ExpiresAt time.Time `json:"expires_at"`
	// Realm is the realm of the account that remembered the device: one
	// browser keeps a device cookie per realm (httpauth names them so).
	Realm string `json:"realm"`
}

const purposeDevice = "device"

func (a *Authenticator) rememberDevice(ctx context.Context, r *realmConfig, acct store.Account, req Request) (*RememberedDevice, error) {
	st, err := secret.NewToken(a.rand)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	now := a.now().UTC()
	label := deviceName(req.UserAgent)
	if len(label) > store.MaxFactorLabel {
		label = label[:store.MaxFactorLabel]
		label = strings.ToValidUTF8(label, "")
	}
	d := store.Device{
		Selector:  st.Selector(),
		AccountID: acct.ID,
		Hash:      st.Hash(purposeDevice),
		Stamp:     acct.SecurityStamp,
		Label:     label,
		CreatedAt: now,
		ExpiresAt: now.Add(r.SecondFactor.RememberFor),
	}
	if err := a.devices.RememberDevice(ctx, d); err != nil {
		return nil, err
	}
	ev := a.event(EventDeviceRemembered, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	return &RememberedDevice{Token: st.String(), ExpiresAt: d.ExpiresAt, Realm: acct.Realm}, nil
}

// rememberedDevice reports whether token names a device that acct
// remembered, that has not expired, under the current password.
func (a *Authenticator) rememberedDevice(ctx context.Context, r *realmConfig, acct store.Account, token string) bool {
	if a.devices == nil || r.SecondFactor.RememberFor <= 0 {
		return false
	}
	st, ok := secret.ParseToken(token)
	if !ok {
		return false
	}
	d, err := a.devices.Device(ctx, st.Selector(), a.now().UTC())
	if err != nil {
		return false
	}
	return d.AccountID == acct.ID &&
		subtle.ConstantTimeCompare([]byte(d.Stamp), []byte(acct.SecurityStamp)) == 1 &&
		st.Verify(d.Hash, purposeDevice) == nil
}

// DeviceForget forgets remembered devices of an account.
type DeviceForget struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// DeviceID is the device's ID, from Summary; empty forgets them all.
	DeviceID string
	Request
}

// ForgetDevice forgets one remembered device of the account, or all of
// them when DeviceID is empty.
func (v *Factors) ForgetDevice(ctx context.Context, f DeviceForget) (err error) {
	if v.unset() {
		return errNoAuthenticator
	}
	ctx, sp := v.a.span(ctx, "masuk.Factors.ForgetDevice")
	defer sp.end(&err)
	a, accountID, id := v.a, f.AccountID, f.DeviceID
	if a.devices == nil {
		return ErrFactorsUnavailable
	}
	acct, err := a.store.AccountByID(ctx, accountID)
	if err != nil {
		return fmt.Errorf("auth: forget device: %w", err)
	}
	if id == "" {
		err = a.devices.ForgetDevices(ctx, accountID)
	} else {
		err = a.devices.ForgetDevice(ctx, accountID, id)
	}
	if err != nil {
		return fmt.Errorf("auth: forget device: %w", err)
	}
	ev := a.event(EventDeviceForgotten, acct.Realm, f.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	if id == "" {
		id = "all"
	}
	ev.Details = map[string]string{"device": id}
	a.record(ctx, ev)
	return nil
}

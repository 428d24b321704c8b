package auth

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/totp"
)

// ErrFactorsUnavailable: the store does not keep second factors, or (for
// authenticator apps) Config.SecondFactor.Keyring is nil.
var ErrFactorsUnavailable = errors.New("auth: second factors are not configured")

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
}

// DeviceInfo describes a remembered device.
type DeviceInfo struct {
	ID        string    `json:"id"`
	Label     string    `json:"label"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Factors describes the account's second factors, recovery codes and
// remembered devices.
func (a *Authenticator) Factors(ctx context.Context, accountID string) (FactorsSummary, error) {
	var s FactorsSummary
	if a.sf.factors == nil {
		return s, ErrFactorsUnavailable
	}
	fs, err := a.sf.factors.Factors(ctx, accountID)
	if err != nil {
		return s, fmt.Errorf("auth: factors: %w", err)
	}
	s.Factors = []FactorInfo{}
	for _, f := range fs {
		if f.Confirmed() {
			s.Factors = append(s.Factors, FactorInfo{ID: f.ID, Kind: f.Kind, Label: f.Label, CreatedAt: f.CreatedAt, ConfirmedAt: f.ConfirmedAt})
		}
	}
	if a.sf.recovery != nil {
		rc, err := a.sf.recovery.RecoveryCodes(ctx, accountID)
		if err != nil {
			return s, fmt.Errorf("auth: factors: %w", err)
		}
		s.RecoveryCodes = rc.Remaining
	}
	s.Devices = []DeviceInfo{}
	if a.sf.devices != nil {
		ds, err := a.sf.devices.Devices(ctx, accountID, a.now().UTC())
		if err != nil {
			return s, fmt.Errorf("auth: factors: %w", err)
		}
		for _, d := range ds {
			s.Devices = append(s.Devices, DeviceInfo{ID: d.Selector, Label: d.Label, CreatedAt: d.CreatedAt, ExpiresAt: d.ExpiresAt})
		}
	}
	return s, nil
}

// FactorChange is a request by a logged-in owner to add or remove a second
// factor. The current password is required: a stolen session alone must
// not be able to change how the account logs in.
type FactorChange struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Password is the owner's current password.
	Password string
	// Label names the factor for its owner ("Budi's phone"); optional.
	Label string
	Request
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
}

// BeginTOTP starts enrolling an authenticator app: it checks the current
// password (like a login: a wrong one counts toward the lock), makes a
// 160-bit secret, seals it, and stores the factor unconfirmed. An earlier
// unconfirmed enrollment of the account is dropped. The factor does not
// log anyone in until ConfirmTOTP accepts a first code.
func (a *Authenticator) BeginTOTP(ctx context.Context, c FactorChange) (*TOTPEnrollment, error) {
	if a.sf.factors == nil || a.sf.Keyring == nil {
		return nil, ErrFactorsUnavailable
	}
	if err := checkLabel(c.Label); err != nil {
		return nil, err
	}
	acct, err := a.checkOwner(ctx, c.AccountID, c.Password, c.Request)
	if err != nil {
		return nil, err
	}
	fs, err := a.sf.factors.Factors(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	for _, f := range fs {
		if f.Kind == store.FactorTOTP && !f.Confirmed() {
			if err := a.sf.factors.DeleteFactor(ctx, acct.ID, f.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, fmt.Errorf("auth: enroll: %w", err)
			}
		}
	}
	secret, err := totp.NewSecret(a.rand)
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	defer clear(secret)
	id, err := a.randomHex(16)
	if err != nil {
		return nil, err
	}
	sealed, err := a.sf.Keyring.Seal(secret, factorAD(acct.ID, id))
	if err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	p := a.sf.TOTP
	if p.Period == 0 {
		p.Period = 30 * time.Second
	}
	if p.Digits == 0 {
		p.Digits = 6
	}
	e := totp.Enrollment{Issuer: a.sf.Issuer, Account: acct.DisplayUsername, Secret: secret, Params: p}
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
	if err := a.sf.factors.CreateFactor(ctx, f); err != nil {
		return nil, fmt.Errorf("auth: enroll: %w", err)
	}
	return &TOTPEnrollment{FactorID: id, URI: uri, QR: qr, ManualKey: e.ManualKey()}, nil
}

// TOTPConfirmation completes the enrollment of an authenticator app.
type TOTPConfirmation struct {
	AccountID string
	// FactorID is TOTPEnrollment.FactorID.
	FactorID string
	// Code is the first code the app shows.
	Code string
	Request
}

// Enrolled is the outcome of a confirmed enrollment.
type Enrolled struct {
	// RecoveryCodes is a new set of recovery codes when the account had
	// none: show them once, and tell the owner to keep them somewhere
	// safe. Nil when the account already had a set.
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

// ConfirmTOTP completes an enrollment with the first code the app shows.
// That code is recorded as used, so it cannot also log in. When the
// account has no recovery codes yet, a set is made and returned, and the
// owner is told that a factor was added.
//
// Its errors: ErrInvalidCode for a wrong code (the enrollment stays and
// may be tried again), a wrapped store.ErrNotFound for an unknown factor,
// ErrFactorsUnavailable.
func (a *Authenticator) ConfirmTOTP(ctx context.Context, c TOTPConfirmation) (*Enrolled, error) {
	if a.sf.factors == nil || a.sf.Keyring == nil {
		return nil, ErrFactorsUnavailable
	}
	acct, err := a.store.AccountByID(ctx, c.AccountID)
	if err != nil {
		return nil, fmt.Errorf("auth: confirm: %w", err)
	}
	fs, err := a.sf.factors.Factors(ctx, acct.ID)
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
	secret, p, err := a.openFactor(f)
	if err != nil {
		return nil, fmt.Errorf("auth: confirm: %w", err)
	}
	step, err := p.Match(secret, compactDigits(c.Code), a.now())
	clear(secret)
	if err != nil {
		return nil, ErrInvalidCode
	}
	switch err := a.sf.factors.ConfirmFactor(ctx, acct.ID, f.ID, step, a.now().UTC()); {
	case errors.Is(err, store.ErrStale):
		return nil, ErrInvalidCode
	case err != nil:
		return nil, fmt.Errorf("auth: confirm: %w", err)
	}
	out := &Enrolled{}
	if out.RecoveryCodes, err = a.firstRecoveryCodes(ctx, acct.ID); err != nil {
		a.log.ErrorContext(ctx, "masuk: making recovery codes", "account", acct.ID, "error", err)
	}
	a.factorChanged(ctx, acct, EventFactorAdded, f, notify.FactorAuthenticator, c.Request)
	return out, nil
}

// AddCodeFactor adds codes by email (kind store.FactorEmail) or SMS
// (store.FactorSMS) as a second factor, sent to the account's address or
// phone on record, after checking the current password. It returns the
// factor's ID and, when the account had none, a first set of recovery
// codes. The owner is told.
//
// Codes by email are the weakest second factor: a forgotten password is
// reset through the same mailbox, so whoever controls the mailbox passes
// both steps (NIST SP 800-63B does not count email as an out-of-band
// authenticator). Offer them only where an authenticator app is out of
// reach, and prefer codes by SMS or an app.
func (a *Authenticator) AddCodeFactor(ctx context.Context, kind store.FactorKind, c FactorChange) (string, *Enrolled, error) {
	if a.sf.factors == nil || a.sender == nil || a.tokens == nil {
		return "", nil, ErrFactorsUnavailable
	}
	if kind != store.FactorEmail && kind != store.FactorSMS {
		return "", nil, fmt.Errorf("auth: %q is not a factor of codes", kind)
	}
	if err := checkLabel(c.Label); err != nil {
		return "", nil, err
	}
	acct, err := a.checkOwner(ctx, c.AccountID, c.Password, c.Request)
	if err != nil {
		return "", nil, err
	}
	if (kind == store.FactorEmail && acct.Email == "") || (kind == store.FactorSMS && acct.Phone == "") {
		return "", nil, ErrMethodUnavailable
	}
	id, err := a.randomHex(16)
	if err != nil {
		return "", nil, err
	}
	now := a.now().UTC()
	f := store.Factor{ID: id, AccountID: acct.ID, Kind: kind, Label: c.Label, CreatedAt: now, ConfirmedAt: now}
	if err := a.sf.factors.CreateFactor(ctx, f); err != nil {
		return "", nil, fmt.Errorf("auth: add factor: %w", err)
	}
	out := &Enrolled{}
	if out.RecoveryCodes, err = a.firstRecoveryCodes(ctx, acct.ID); err != nil {
		a.log.ErrorContext(ctx, "masuk: making recovery codes", "account", acct.ID, "error", err)
	}
	nf := notify.FactorEmailCode
	if kind == store.FactorSMS {
		nf = notify.FactorSMSCode
	}
	a.factorChanged(ctx, acct, EventFactorAdded, f, nf, c.Request)
	return id, out, nil
}

// RemoveFactor removes a second factor after checking the current
// password, and tells the owner. When the last confirmed factor goes, the
// recovery codes and remembered devices go with it.
func (a *Authenticator) RemoveFactor(ctx context.Context, factorID string, c FactorChange) error {
	if a.sf.factors == nil {
		return ErrFactorsUnavailable
	}
	acct, err := a.checkOwner(ctx, c.AccountID, c.Password, c.Request)
	if err != nil {
		return err
	}
	fs, err := a.sf.factors.Factors(ctx, acct.ID)
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
		return fmt.Errorf("auth: remove factor: %w", store.ErrNotFound)
	}
	if err := a.sf.factors.DeleteFactor(ctx, acct.ID, factorID); err != nil {
		return fmt.Errorf("auth: remove factor: %w", err)
	}
	if left == 0 {
		if a.sf.recovery != nil {
			if err := a.sf.recovery.SetRecoveryCodes(ctx, acct.ID, nil, a.now().UTC()); err != nil {
				a.log.ErrorContext(ctx, "masuk: removing recovery codes", "account", acct.ID, "error", err)
			}
		}
		if a.sf.devices != nil {
			if err := a.sf.devices.ForgetDevices(ctx, acct.ID); err != nil {
				a.log.ErrorContext(ctx, "masuk: forgetting devices", "account", acct.ID, "error", err)
			}
		}
	}
	if gone.Confirmed() {
		nf := map[store.FactorKind]notify.Factor{store.FactorTOTP: notify.FactorAuthenticator, store.FactorEmail: notify.FactorEmailCode, store.FactorSMS: notify.FactorSMSCode}[gone.Kind]
		a.factorChanged(ctx, acct, EventFactorRemoved, *gone, nf, c.Request)
	}
	return nil
}

// RegenerateRecoveryCodes replaces the account's recovery codes with a new
// set, after checking the current password; the old codes stop working at
// once. Show the codes once. The owner is told.
func (a *Authenticator) RegenerateRecoveryCodes(ctx context.Context, c FactorChange) ([]string, error) {
	if a.sf.recovery == nil {
		return nil, ErrFactorsUnavailable
	}
	acct, err := a.checkOwner(ctx, c.AccountID, c.Password, c.Request)
	if err != nil {
		return nil, err
	}
	codes, err := a.newRecoveryCodes(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	ev := a.event(EventRecoveryCodesRenewed, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	a.notice(ctx, acct, notify.FactorAdded, c.Request, notify.Data{Factor: notify.FactorRecoveryCodes})
	return codes, nil
}

// firstRecoveryCodes makes a set of recovery codes when the account has
// none, and returns nil otherwise.
func (a *Authenticator) firstRecoveryCodes(ctx context.Context, accountID string) ([]string, error) {
	if a.sf.recovery == nil {
		return nil, nil
	}
	rc, err := a.sf.recovery.RecoveryCodes(ctx, accountID)
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
	if err := a.sf.recovery.SetRecoveryCodes(ctx, accountID, hashes, a.now().UTC()); err != nil {
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
func (a *Authenticator) factorChanged(ctx context.Context, acct store.Account, kind string, f store.Factor, nf notify.Factor, req Request) {
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

// checkOwner verifies the current password of an active account before a
// change to how it logs in, counting a wrong one toward the lock.
func (a *Authenticator) checkOwner(ctx context.Context, accountID, pw string, req Request) (store.Account, error) {
	acct, err := a.store.AccountByID(ctx, accountID)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	ev := a.event(EventFactorChangeFailed, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	att, err := a.begin(ctx, lockout.Password, ev)
	if err != nil {
		return store.Account{}, err
	}
	_, err = a.checkCurrent(ctx, ev, acct, pw)
	a.settle(ctx, att, ev, err)
	return acct, err
}

// factorAD is the additional data a factor's secret is sealed with, so
// that a sealed secret copied to another factor or account does not open.
func factorAD(accountID, factorID string) []byte {
	return []byte("masuk/factor\x00" + accountID + "\x00" + factorID)
}

// openFactor opens a TOTP factor's secret and returns it with the factor's
// parameters under the configured skew.
func (a *Authenticator) openFactor(f store.Factor) ([]byte, totp.Params, error) {
	alg, err := totp.ParseAlgorithm(f.Algorithm)
	if err != nil {
		return nil, totp.Params{}, fmt.Errorf("auth: factor %s: %w", f.ID, err)
	}
	p := totp.Params{Algorithm: alg, Digits: f.Digits, Period: time.Duration(f.Period) * time.Second, Skew: a.sf.TOTP.Skew}
	secret, err := a.sf.Keyring.Open(f.Secret, factorAD(f.AccountID, f.ID))
	if err != nil {
		return nil, p, err
	}
	return secret, p, nil
}

// reseal seals a factor's secret again under the current key after a key
// rotation. A failure leaves the old sealing, which still opens.
func (a *Authenticator) reseal(ctx context.Context, f store.Factor) {
	if !a.sf.Keyring.NeedsReseal(f.Secret) {
		return
	}
	ad := factorAD(f.AccountID, f.ID)
	secret, err := a.sf.Keyring.Open(f.Secret, ad)
	if err != nil {
		return
	}
	sealed, err := a.sf.Keyring.Seal(secret, ad)
	clear(secret)
	if err == nil {
		err = a.sf.factors.ResealFactor(ctx, f.AccountID, f.ID, f.Secret, sealed)
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
}

const purposeDevice = "device"

func (a *Authenticator) rememberDevice(ctx context.Context, acct store.Account, req Request) (*RememberedDevice, error) {
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
		ExpiresAt: now.Add(a.sf.RememberFor),
	}
	if err := a.sf.devices.RememberDevice(ctx, d); err != nil {
		return nil, err
	}
	ev := a.event(EventDeviceRemembered, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	a.record(ctx, ev)
	return &RememberedDevice{Token: st.String(), ExpiresAt: d.ExpiresAt}, nil
}

// rememberedDevice reports whether token names a device that acct
// remembered, that has not expired, under the current password.
func (a *Authenticator) rememberedDevice(ctx context.Context, acct store.Account, token string) bool {
	if a.sf.devices == nil || a.sf.RememberFor <= 0 {
		return false
	}
	st, ok := secret.ParseToken(token)
	if !ok {
		return false
	}
	d, err := a.sf.devices.Device(ctx, st.Selector(), a.now().UTC())
	if err != nil {
		return false
	}
	return d.AccountID == acct.ID &&
		subtle.ConstantTimeCompare([]byte(d.Stamp), []byte(acct.SecurityStamp)) == 1 &&
		subtle.ConstantTimeCompare(d.Hash, st.Hash(purposeDevice)) == 1
}

// ForgetDevice forgets one remembered device of the account (its ID from
// Factors), or all of them when id is empty.
func (a *Authenticator) ForgetDevice(ctx context.Context, accountID, id string, req Request) error {
	if a.sf.devices == nil {
		return ErrFactorsUnavailable
	}
	acct, err := a.store.AccountByID(ctx, accountID)
	if err != nil {
		return fmt.Errorf("auth: forget device: %w", err)
	}
	if id == "" {
		err = a.sf.devices.ForgetDevices(ctx, accountID)
	} else {
		err = a.sf.devices.ForgetDevice(ctx, accountID, id)
	}
	if err != nil {
		return fmt.Errorf("auth: forget device: %w", err)
	}
	ev := a.event(EventDeviceForgotten, acct.Realm, req)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	if id == "" {
		id = "all"
	}
	ev.Details = map[string]string{"device": id}
	a.record(ctx, ev)
	return nil
}

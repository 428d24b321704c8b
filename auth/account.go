package auth

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// Registration is a request to create an account.
type Registration struct {
	// Realm is the realm the account is created in.
	Realm string
	// Username is the username as typed; it is stored canonically and
	// kept as typed for display.
	Username string
	// Email and Phone are optional; a non-empty email is unique in the
	// realm.
	Email string
	Phone string
	// Password is the password exactly as typed.
	Password string
	// Profile holds the registration form's other fields (a company's
	// name, its NIB, an office), kept with the account for display and
	// for the operators who approve it; at most 32 fields of 1 KiB, never
	// a secret. A profile out of bounds is a *FieldError.
	Profile map[string]string
	// Captcha is the captcha the form carried, in a realm whose
	// CaptchaPolicy.Registration asks for one.
	Captcha CaptchaAnswer
	Request
}

// Accounts registers and activates accounts, resets forgotten passwords,
// and changes passwords and email addresses: everything an account's owner
// does to the account itself. Obtain it from [Authenticator.Accounts].
type Accounts struct{ a *Authenticator }

// Get returns the account with the ID as it is now, for a host that needs
// it (after a password change, to start a new session under its new
// security stamp). A wrapped store.ErrNotFound when there is none.
func (s *Accounts) Get(ctx context.Context, accountID string) (_ store.Account, err error) {
	if s.unset() {
		return store.Account{}, errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.Get")
	defer sp.end(&err)
	acct, err := s.a.store.AccountByID(ctx, accountID)
	if err != nil {
		return store.Account{}, fmt.Errorf("auth: %w", err)
	}
	return acct, nil
}

// Registered is what Register answers.
type Registered struct {
	// Account is the new account. It is zero when a realm that confirms
	// addresses answered a registration of a taken username or email as
	// it would a new one: never show or serialize it (it is left out of
	// JSON), or the answer tells which names are taken.
	Account store.Account `json:"-"`
	// Flow binds the activation code on its way, in a realm that
	// activates by code, to this registration: pass it back in
	// Confirmation.Flow with the code. It is set whether or not an account
	// was made, so that it tells nothing. Keep it with the person's form,
	// as ResetStarted.Flow.
	Flow string
}

// Register creates an account after checking the username, email, phone
// and the password against the policy. The account starts active, or, by
// the realm's settings, waiting for its email confirmation (an activation
// link or code is sent) or for an operator's approval.
//
// Before any password hash it checks every field's form and bounds, the
// realm's registration captcha, the Registration.PerAddress limit per client
// address, the password policy, and the limits per username and email
// (which only registrations that pass the policy count). Only then does it
// hash, in the Hasher's share for new passwords, which leaves logins their
// own.
//
// In a realm that confirms email addresses, a registration whose username
// or email is taken answers as a new one does: Register returns a zero
// Account and no error, and the owner of the address (or, for a taken
// username, the applicant) gets an email saying the account exists, at
// most one a day. Show "check your email" in both cases. The messages go
// out in the background (Close waits for them). In a realm without
// confirmation, nothing can hide that the account exists, and Register
// returns ErrAccountExists. An account that never confirmed its address
// holds its username and email for Registration.UnconfirmedFor only: a
// registration that names either afterwards takes its place.
//
// Its errors: a *UsernameError (errors.Is ErrInvalidUsername) or, in a
// realm of national-number usernames, an *identifiers.Error saying which part
// of the number is wrong; ErrUnknownRealm, ErrInvalidRealm,
// ErrInvalidEmail, ErrInvalidPhone, ErrEmailRequired, a *FieldError for a
// profile out of bounds, ErrCaptchaRequired or ErrCaptchaInvalid, a
// *lockout.ThrottledError (errors.Is lockout.ErrThrottled) past a limit, a
// *password.PolicyError listing every rule the password breaks (errors.Is
// password.ErrPolicy), password.ErrBusy, or ErrAccountExists when the
// username or email is taken in a realm without confirmation. Of many
// parallel registrations of one name, exactly one succeeds.
func (s *Accounts) Register(ctx context.Context, r Registration) (_ Registered, err error) {
	if s.unset() {
		return Registered{}, errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.Register")
	defer sp.end(&err)
	a := s.a
	realm, err := a.realm(r.Realm)
	if err != nil {
		return Registered{}, err
	}
	username, err := realm.username(r.Username, true)
	if err != nil {
		return Registered{}, err
	}
	if realm.Login.ByEmail && strings.Contains(username, "@") {
		return Registered{}, &UsernameError{Reason: UsernameAtSign}
	}
	var email, phone string
	if realm.Activation.Mode != ActivationNone {
		if r.Email == "" {
			return Registered{}, ErrEmailRequired
		}
		if a.sender == nil || realm.activations == nil || (realm.Activation.Mode == ActivationLink && realm.Links.Activate == "") {
			return Registered{}, ErrNotConfigured
		}
	}
	if r.Email != "" {
		if email, err = CanonicalEmail(r.Email); err != nil {
			return Registered{}, err
		}
	}
	if r.Phone != "" {
		if phone, err = CanonicalPhone(r.Phone); err != nil {
			return Registered{}, err
		}
	}
	if err := checkProfile(r.Profile); err != nil {
		return Registered{}, err
	}
	if err := a.registrationCaptcha(ctx, realm, r); err != nil {
		return Registered{}, err
	}
	addr := lockout.Subject{Realm: a.budgetRealm(r.Realm), Addr: r.ClientAddr}
	if err := realm.guard.Throttle(ctx, "register", addr, lockout.Rate{}, realm.Registration.PerAddress); err != nil {
		return Registered{}, err
	}
	pc := password.Context{Username: username, Email: email, Realm: r.Realm, Words: []string{r.Username}}
	if err := realm.Policy.Check(ctx, r.Password, pc); err != nil {
		return Registered{}, err
	}
	// Only a registration that would hash counts on its username and
	// email: junk cannot spend the owner's budget for free.
	if err := a.throttleNames(ctx, realm, username, email); err != nil {
		return Registered{}, err
	}
	hash, err := a.hasher.Hash(ctx, r.Password)
	if err != nil {
		return Registered{}, fmt.Errorf("auth: register: %w", err)
	}
	id, err := a.randomHex(16)
	if err != nil {
		return Registered{}, err
	}
	stamp, err := a.newStamp()
	if err != nil {
		return Registered{}, err
	}
	now := a.now().UTC()
	state, _ := realm.activation()
	acct := store.Account{
		ID:              id,
		Realm:           r.Realm,
		Username:        username,
		DisplayUsername: trimmed(r.Username),
		Email:           email,
		Phone:           phone,
		State:           state,
		Profile:         maps.Clone(r.Profile),
		SecurityStamp:   stamp,
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	cred := store.Credential{AccountID: id, Hash: hash, ChangedAt: now}
	flow, err := a.randomHex(16)
	if err != nil {
		return Registered{}, err
	}
	err = a.store.CreateAccount(ctx, acct, &cred)
	if errors.Is(err, store.ErrConflict) && a.freeUnconfirmed(ctx, realm, r, username, email) {
		err = a.store.CreateAccount(ctx, acct, &cred)
	}
	if err != nil {
		if errors.Is(err, store.ErrConflict) {
			if realm.Activation.Mode == ActivationNone {
				return Registered{}, ErrAccountExists
			}
			a.registeredAgain(ctx, realm, r, email)
			return Registered{Flow: flow}, nil
		}
		return Registered{}, fmt.Errorf("auth: register: %w", err)
	}
	ev := a.event(EventRegistered, r.Realm, r.Request)
	ev.AccountID, ev.Username = id, username
	ev.Details = map[string]string{"state": string(state)}
	a.record(ctx, ev)
	a.registered(ctx, realm, acct, r.Request, flow)
	return Registered{Account: acct, Flow: flow}, nil
}

// throttleNames counts a registration on its username and its email,
// taken or not.
func (a *Authenticator) throttleNames(ctx context.Context, realm *realmConfig, username, email string) error {
	c := realm.Registration
	if err := realm.guard.Throttle(ctx, "register_name", lockout.Subject{Realm: realm.name, Username: username}, c.PerUsername, lockout.Rate{}); err != nil {
		return err
	}
	if email == "" {
		return nil
	}
	return realm.guard.Throttle(ctx, "register_email", lockout.Subject{Realm: realm.name, Username: email}, c.PerEmail, lockout.Rate{})
}

// PasswordChange is a request by a logged-in owner to change the password.
type PasswordChange struct {
	// AccountID is the account, as the host's session knows it.
	AccountID string
	// Current is the password the owner typed to prove it is them.
	Current string
	// New is the new password.
	New string
	Request
}

// ChangePassword replaces the password of an active account after verifying
// the current one, and gives the account a new security stamp, which ends
// its other sessions and voids its outstanding tokens.
//
// The current password is checked like a login: a locked account is
// refused with a *lockout.LockedError before any hash, and a wrong password
// counts toward the lock (an attacker holding a stolen session gets no free
// guesses).
//
// Its errors: ErrWrongPassword (errors.Is ErrInvalidCredentials) when the
// current password is wrong, ErrInvalidCredentials when
// the account is not active (recorded as a failure); a *password.PolicyError
// for the new password; ErrConcurrentChange when the password was changed by
// another request meanwhile; a wrapped store.ErrNotFound for an unknown
// account ID.
func (s *Accounts) ChangePassword(ctx context.Context, c PasswordChange) (err error) {
	if s.unset() {
		return errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.ChangePassword")
	defer sp.end(&err)
	a := s.a
	acct, err := a.store.AccountByID(ctx, c.AccountID)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	realm := a.realmOf(acct.Realm)
	ev := a.event(EventPasswordChangeFailed, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	att, err := a.begin(ctx, realm, lockout.Password, ev)
	if err != nil {
		return err
	}
	cred, err := a.checkCurrent(ctx, ev, acct, c.Current)
	a.settle(ctx, att, ev, err)
	if err != nil {
		return err
	}
	pc := password.Context{Username: acct.Username, Email: acct.Email, Realm: acct.Realm, Words: []string{acct.DisplayUsername}}
	if err := realm.Policy.Check(ctx, c.New, pc); err != nil {
		return err
	}
	hash, err := a.hasher.Hash(ctx, c.New)
	if err != nil {
		return fmt.Errorf("auth: change password: %w", err)
	}
	stamp, err := a.newStamp()
	if err != nil {
		return err
	}
	next := store.Credential{AccountID: acct.ID, Hash: hash, ChangedAt: a.now().UTC()}
	if err := a.store.SwapCredential(ctx, cred.Hash, next, stamp); err != nil {
		if errors.Is(err, store.ErrStale) {
			return ErrConcurrentChange
		}
		return fmt.Errorf("auth: change password: %w", err)
	}
	ev.Kind = string(EventPasswordChanged)
	a.record(ctx, ev)
	acct.SecurityStamp = stamp
	a.endSessions(ctx, acct, "", c.Request)
	a.notice(ctx, acct, notify.PasswordChanged, c.Request, notify.Data{})
	return nil
}

// checkCurrent verifies the owner's current password before a change and
// returns the credential it verified.
func (a *Authenticator) checkCurrent(ctx context.Context, ev store.Event, acct store.Account, pw string) (store.Credential, error) {
	cred, err := a.store.CredentialByAccount(ctx, acct.ID)
	if errors.Is(err, store.ErrNotFound) {
		return cred, a.refuse(ctx, ev, pw, ReasonNoCredential)
	}
	if err != nil {
		return cred, fmt.Errorf("auth: change password: %w", err)
	}
	if _, err := a.hasher.Verify(ctx, pw, cred.Hash); err != nil {
		if err = a.failed(ctx, ev, err, ReasonBadPassword); errors.Is(err, ErrInvalidCredentials) {
			return cred, ErrWrongPassword
		}
		return cred, err
	}
	if acct.State != store.StateActive {
		a.record(ctx, withReason(ev, ReasonDisabled))
		return cred, ErrInvalidCredentials
	}
	return cred, nil
}

package auth

import (
	"errors"
	"fmt"

	"github.com/masuk-id/masuk/identifiers"
)

// ErrUnknownRealm means Config.Realms is set and does not name the realm.
var ErrUnknownRealm = errors.New("auth: unknown realm")

// Realm configures one realm: one portal's separate set of accounts.
type Realm struct {
	// Username is the kind of national number that the realm's usernames
	// are, e.g. identifiers.NPWP for an LPSE portal, identifiers.NIP for a
	// civil-servant portal, identifiers.KPJ for BPJS Ketenagakerjaan. Any
	// typing of the same number ("01.312.166.0-091.000",
	// "013121660091000") is then the same account. The zero value means
	// free-form usernames, canonicalised by [CanonicalUsername].
	Username identifiers.Kind
	// UsernameMode is how strictly registration checks the number: the zero
	// value, identifiers.Strict, applies every published rule;
	// identifiers.Lenient only length, digits and the NPWP check digit, for
	// portals whose members hold irregular numbers. Login looks an account
	// up by the number's digits whatever the mode, so tightening the mode
	// never locks out an account registered under the looser one.
	UsernameMode identifiers.Mode
	// Captcha says when the realm's logins need a solved captcha. The zero
	// value asks after 3 failures when Config.Captcha is set, and never
	// when it is not.
	Captcha CaptchaPolicy
	// Activation is how new accounts confirm their email address: the
	// zero value, ActivationNone, not at all; ActivationLink or
	// ActivationCode by a message to it, which makes an email address
	// required at registration.
	Activation Activation
	// Approval, when true, makes every new account wait for an operator
	// to Approve it (after confirming its address), as LPSE does while it
	// checks a company's documents.
	Approval bool
	// PortalName names the realm's portal in the messages its accounts
	// receive ("LPSE Kementerian Keuangan"). Empty means
	// Config.Messages.PortalName.
	PortalName string
	// Reset is how a forgotten password is reset: the zero value, ByLink,
	// by a link to Config.Links.Reset; ByCode by a code typed with the
	// username, as MySAPK does.
	Reset Delivery
}

func checkRealms(realms map[string]Realm) error {
	for name, r := range realms {
		if err := checkRealm(name); err != nil {
			return fmt.Errorf("auth: Config.Realms: %q: %w", name, err)
		}
		if r.Username != 0 {
			if _, err := identifiers.ParseKind(r.Username.String()); err != nil {
				return fmt.Errorf("auth: Config.Realms: %q: username kind: %w", name, err)
			}
		}
		if r.UsernameMode != identifiers.Strict && r.UsernameMode != identifiers.Lenient {
			return fmt.Errorf("auth: Config.Realms: %q: unknown username mode %d", name, r.UsernameMode)
		}
		if r.Activation > ActivationCode || r.Reset > ByCode {
			return fmt.Errorf("auth: Config.Realms: %q: unknown activation or reset delivery", name)
		}
	}
	return nil
}

// realm returns the configuration of the named realm after checking the
// name.
func (a *Authenticator) realm(name string) (Realm, error) {
	if err := checkRealm(name); err != nil {
		return Realm{}, err
	}
	if a.realms == nil {
		return Realm{}, nil
	}
	r, ok := a.realms[name]
	if !ok {
		return Realm{}, ErrUnknownRealm
	}
	return r, nil
}

// username returns the canonical form of a typed username in realm r. At
// registration it applies the realm's mode; at login it only
// needs the digits that name the account.
func (r Realm) username(typed string, registering bool) (string, error) {
	if r.Username == 0 {
		return CanonicalUsername(typed)
	}
	mode := r.UsernameMode
	if !registering {
		mode = identifiers.Lenient
	}
	return identifiers.Canonical(r.Username, typed, mode)
}

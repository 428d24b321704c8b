package auth

import (
	"fmt"

	"github.com/masuk-id/masuk/internal/typednil"
	"github.com/masuk-id/masuk/store"
)

// roles are the stores the Authenticator uses, one per role, resolved from
// Config by the one rule: a role's own field, or else Store when it
// implements the role.
type roles struct {
	accounts    store.Accounts
	credentials store.Credentials
	events      store.Events
	attempts    store.Attempts
	tokens      store.Tokens
	sessions    store.Sessions
	factors     store.Factors
	recovery    store.Recovery
	devices     store.Devices
	lister      store.AccountLister
	passkeys    store.Passkeys
	federation  store.Federation
	// erasure is the accounts role's store.Erasure when that store also
	// keeps the events, so that an account and its events go in one
	// step; nil otherwise.
	erasure store.Erasure
	// joined is the sessions role's store.SessionAccounts when that store
	// also keeps the accounts: a session and its account in one read;
	// nil otherwise.
	joined store.SessionAccounts
	// copies is the store that keeps copies of accounts in the sessions
	// role's sessions (store.AccountCopies), when that store is apart
	// from the accounts: every account write follows its protocol, even
	// when this Authenticator reads no copies (its sessions off, copies
	// off, or a decorator around the store). nil otherwise.
	copies store.AccountCopies
	// copyReads is true when loads read the copies: sessions are on, the
	// store keeps copies (CopyFor), and the sessions role is that store
	// itself, not a decorator whose own Session would be skipped.
	copyReads bool
}

// durable is the accounts, credentials and events roles as one
// store.Store.
type durable struct {
	store.Accounts
	store.Credentials
	store.Events
}

// role returns the role's own field when set, or else s when it
// implements the role.
func role[R any](own R, s store.Store) R {
	if !isNil(own) {
		return own
	}
	if r, ok := any(s).(R); ok {
		return r
	}
	var zero R
	return zero
}

// isNil reports whether v is nil or holds a typed nil.
func isNil(v any) bool { return typednil.Is(v) }

// typedNil returns an error naming the first field of cfg that holds a
// typed nil: an interface set to a nil pointer, which New refuses rather
// than let it panic at first use (or inside background work).
func typedNil(cfg Config) error {
	for _, f := range []struct {
		name string
		v    any
	}{
		{"Store", cfg.Store}, {"Accounts", cfg.Accounts}, {"Credentials", cfg.Credentials},
		{"Events", cfg.Events}, {"Attempts", cfg.Attempts}, {"Tokens", cfg.Tokens},
		{"Sessions", cfg.Sessions}, {"Factors", cfg.Factors}, {"Recovery", cfg.Recovery},
		{"Devices", cfg.Devices}, {"Lister", cfg.Lister}, {"Passkeys", cfg.Passkeys}, {"Federation", cfg.Federation}, {"Hasher", cfg.Hasher},
		{"Realm.Policy", cfg.Realm.Policy}, {"Rand", cfg.Rand}, {"Captcha", cfg.Captcha}, {"Sender", cfg.Sender},
		{"MeterProvider", cfg.MeterProvider}, {"TracerProvider", cfg.TracerProvider},
	} {
		if f.v != nil && isNil(f.v) {
			return fmt.Errorf("%w: Config.%s holds a nil %T", ErrConfig, f.name, f.v)
		}
	}
	for name, r := range cfg.Realms {
		if r.Policy != nil && isNil(r.Policy) {
			return fmt.Errorf("%w: Config.Realms[%q].Policy holds a nil %T", ErrConfig, name, r.Policy)
		}
	}
	return nil
}

// resolveRoles applies the rule to every role and refuses a feature that
// is on without a store for its role.
func resolveRoles(cfg Config) (roles, error) {
	if err := typedNil(cfg); err != nil {
		return roles{}, err
	}
	s := cfg.Store
	r := roles{
		accounts:    role(cfg.Accounts, s),
		credentials: role(cfg.Credentials, s),
		events:      role(cfg.Events, s),
		attempts:    role(cfg.Attempts, s),
		tokens:      role(cfg.Tokens, s),
		sessions:    role(cfg.Sessions, s),
		factors:     role(cfg.Factors, s),
		recovery:    role(cfg.Recovery, s),
		devices:     role(cfg.Devices, s),
		lister:      role(cfg.Lister, s),
		passkeys:    role(cfg.Passkeys, s),
		federation:  role(cfg.Federation, s),
	}
	if e, ok := r.accounts.(store.Erasure); ok && sameStore(r.accounts, r.events) {
		r.erasure = e
	}
	if j, ok := r.sessions.(store.SessionAccounts); ok && sameStore(r.sessions, r.accounts) {
		r.joined = j
	}
	if c, ok := r.sessions.(store.AccountCopies); ok && r.joined == nil && !sameStore(r.sessions, r.accounts) && !isNil(c.CopyStore()) {
		r.copies = c.CopyStore()
		r.copyReads = !cfg.SessionsOff && r.copies.CopyFor() > 0 && sameStore(r.copies, r.sessions)
	}
	sf, remember := secondFactorsOn(cfg), rememberOn(cfg)
	for _, need := range []struct {
		on             bool
		missing        bool
		name, iface, f string
	}{
		{true, r.accounts == nil, "Accounts", "store.Accounts", "accounts"},
		{true, r.credentials == nil, "Credentials", "store.Credentials", "passwords"},
		{true, r.events == nil, "Events", "store.Events", "the activity log"},
		{true, r.attempts == nil, "Attempts", "store.Attempts", "the lockout and the budgets of every entry point"},
		{sf, r.factors == nil, "Factors", "store.Factors", "second factors (on unless every realm's SecondFactor.Requirement is SecondFactorOff)"},
		{sf, r.recovery == nil, "Recovery", "store.Recovery", "second factors (on unless every realm's SecondFactor.Requirement is SecondFactorOff)"},
		{sf && remember, r.devices == nil, "Devices", "store.Devices", "remembered devices (on unless second factors are off, or SecondFactor.RememberFor is negative, everywhere)"},
		{sf, r.tokens == nil, "Tokens", "store.Tokens", "second factors (on unless every realm's SecondFactor.Requirement is SecondFactorOff)"},
		{cfg.Sender != nil, r.tokens == nil, "Tokens", "store.Tokens", "the flows that send links and codes (Config.Sender is set)"},
		{!cfg.SessionsOff, r.sessions == nil, "Sessions", "store.Sessions", "sessions (on unless Config.SessionsOff)"},
		{passkeysOn(cfg), r.passkeys == nil, "Passkeys", "store.Passkeys", "passkeys (on in a realm whose Passkeys.RPID is set)"},
		{passkeysOn(cfg), r.tokens == nil, "Tokens", "store.Tokens", "passkeys (on in a realm whose Passkeys.RPID is set)"},
		{federationOn(cfg), r.federation == nil, "Federation", "store.Federation", "logins through identity providers (on in a realm with Federation.Providers)"},
		{federationOn(cfg), r.tokens == nil, "Tokens", "store.Tokens", "logins through identity providers (on in a realm with Federation.Providers)"},
	} {
		if need.on && need.missing {
			return roles{}, &MissingRoleError{Role: need.name, Feature: need.f, Interface: need.iface}
		}
	}
	return r, nil
}

// everyRealm returns the settings of every realm Config names, each with
// what it leaves zero taken from Config.Realm: Config.Realm alone when
// Realms is nil.
func everyRealm(cfg Config) []Realm {
	if cfg.Realms == nil {
		return []Realm{cfg.Realm}
	}
	rs := make([]Realm, 0, len(cfg.Realms))
	for _, r := range cfg.Realms {
		rs = append(rs, merged(r, cfg.Realm))
	}
	return rs
}

// secondFactorsOn reports whether any realm may ask for a second factor.
func secondFactorsOn(cfg Config) bool {
	for _, r := range everyRealm(cfg) {
		if r.SecondFactor.Requirement != SecondFactorOff {
			return true
		}
	}
	return false
}

// passkeysOn reports whether any realm has passkeys.
func passkeysOn(cfg Config) bool {
	for _, r := range everyRealm(cfg) {
		if r.Passkeys.RPID != "" {
			return true
		}
	}
	return false
}

// federationOn reports whether any realm logs in through a provider.
func federationOn(cfg Config) bool {
	for _, r := range everyRealm(cfg) {
		if len(r.Federation.Providers) > 0 {
			return true
		}
	}
	return false
}

// rememberOn reports whether any realm with second factors remembers
// devices.
func rememberOn(cfg Config) bool {
	for _, r := range everyRealm(cfg) {
		if r.SecondFactor.Requirement != SecondFactorOff && r.SecondFactor.RememberFor >= 0 {
			return true
		}
	}
	return false
}

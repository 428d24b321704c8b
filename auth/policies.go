package auth

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"time"

	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
)

// Each policy's fill gives its zero fields their defaults and refuses a
// setting out of bounds; New runs them on every realm, after the realm has
// taken Config.Realm's fields.

// rateDefault is a rate and the default a zero one takes.
type rateDefault struct {
	rate *lockout.Rate
	def  lockout.Rate
}

// fillRates gives each zero rate its default and refuses one out of
// bounds.
func fillRates(what string, rs []rateDefault) error {
	for _, r := range rs {
		if *r.rate == (lockout.Rate{}) {
			*r.rate = r.def
		}
		if r.rate.Requests < 1 || r.rate.Requests > 100 || r.rate.Window <= 0 {
			return fmt.Errorf("%s: a rate must allow 1 to 100 requests in a positive window", what)
		}
	}
	return nil
}

// durationDefault is a duration, the default a zero one takes, and its
// greatest value (zero for none).
type durationDefault struct {
	d        *time.Duration
	def, max time.Duration
	name     string
}

// fillDurations gives each zero duration its default and refuses one
// negative or above its bound.
func fillDurations(ds []durationDefault) error {
	for _, d := range ds {
		if *d.d == 0 {
			*d.d = d.def
		}
		switch {
		case *d.d < 0:
			return fmt.Errorf("%s is negative", d.name)
		case d.max > 0 && *d.d > d.max:
			return fmt.Errorf("%s is above %v", d.name, d.max)
		}
	}
	return nil
}

func (m *Messages) fill(sender notify.Sender) error {
	if m.Location == nil {
		m.Location = wib
	}
	if m.Locale == "" {
		m.Locale = "id"
	}
	if sender != nil && m.PortalName == "" {
		return errors.New("Messages.PortalName is required with Config.Sender")
	}
	if _, err := notify.Render(notify.PasswordChanged, m.Locale, notify.Data{PortalName: "x", Time: time.Unix(0, 0)}); err != nil {
		return fmt.Errorf("Messages.Locale: %w", err)
	}
	return nil
}

// wib is Western Indonesian Time, which needs no time zone database.
var wib = time.FixedZone("WIB", 7*60*60)

func (l Links) check() error {
	for name, s := range map[string]string{"Reset": l.Reset, "Activate": l.Activate, "ConfirmEmail": l.ConfirmEmail, "Login": l.Login, "Forgot": l.Forgot, "Activity": l.Activity} {
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
			return fmt.Errorf("%s is not an absolute http or https URL without a fragment", "Links."+name)
		}
	}
	return nil
}

func (c CaptchaPolicy) check(checker CaptchaChecker) error {
	if c.Registration && checker == nil {
		return errors.New("Captcha.Registration asks for a captcha at registration, but Config.Captcha is nil")
	}
	switch c.Mode {
	case CaptchaDefault, CaptchaNever:
	case CaptchaAlways, CaptchaAfterFailures:
		if checker == nil {
			return errors.New("Captcha.Mode asks for a captcha, but Config.Captcha is nil")
		}
	default:
		return fmt.Errorf("unknown captcha mode %d", c.Mode)
	}
	if c.After < 0 || c.After > 100 {
		return fmt.Errorf("Captcha.After %d is not between 0 and 100", c.After)
	}
	return nil
}

func (c *RegistrationPolicy) fill() error {
	if err := fillDurations([]durationDefault{
		{&c.NoticeEvery, 24 * time.Hour, 0, "Registration.NoticeEvery"},
		{&c.UnconfirmedFor, 7 * 24 * time.Hour, 0, "Registration.UnconfirmedFor"},
	}); err != nil {
		return err
	}
	if c.UnconfirmedFor < 24*time.Hour {
		return errors.New("Registration.UnconfirmedFor is below 24 hours, the activation's longest lifetime")
	}
	return fillRates("Registration", []rateDefault{
		{&c.PerAddress, lockout.Rate{Requests: 20, Window: time.Hour}},
		{&c.PerUsername, lockout.Rate{Requests: 5, Window: time.Hour}},
		{&c.PerEmail, lockout.Rate{Requests: 5, Window: time.Hour}},
	})
}

func (c *ActivationPolicy) fill() error {
	if c.Mode == ActivationDefault {
		c.Mode = ActivationNone
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	if c.CodeDigits == 0 {
		c.CodeDigits = reset.DefaultCodeDigits
	}
	if err := fillDurations([]durationDefault{
		{&c.For, 24 * time.Hour, reset.MaxLifetime, "Activation.For"},
		{&c.Cooldown, time.Minute, 0, "Activation.Cooldown"},
	}); err != nil {
		return err
	}
	return fillRates("Activation", []rateDefault{
		{&c.PerAccount, lockout.Rate{Requests: 15, Window: 24 * time.Hour}},
		{&c.PerAccountAddress, lockout.Rate{Requests: 2, Window: 24 * time.Hour}},
		{&c.PerAddress, lockout.Rate{Requests: 30, Window: time.Hour}},
		{&c.Tries, lockout.Rate{Requests: 60, Window: time.Hour}},
	})
}

func (c *ResetPolicy) fill() error {
	if c.Delivery == DeliveryDefault {
		c.Delivery = ByLink
	}
	c.Phone = slices.Clone(c.Phone) // the realm's own, not Config.Realm's
	if err := checkPhoneMethods("Reset.Phone", c.Phone); err != nil {
		return err
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	if c.CodeDigits == 0 {
		c.CodeDigits = reset.DefaultCodeDigits
	}
	if c.NewNetworkCodeDigits == 0 {
		c.NewNetworkCodeDigits = max(reset.MaxCodeDigits, c.CodeDigits)
	}
	if c.NewNetworkCodeDigits < c.CodeDigits || c.NewNetworkCodeDigits > reset.MaxCodeDigits {
		return fmt.Errorf("Reset.NewNetworkCodeDigits must be CodeDigits to %d", reset.MaxCodeDigits)
	}
	if err := fillDurations([]durationDefault{
		{&c.LinkFor, reset.DefaultLinkFor, reset.MaxLifetime, "Reset.LinkFor"},
		{&c.CodeFor, reset.DefaultCodeFor, reset.MaxLifetime, "Reset.CodeFor"},
	}); err != nil {
		return err
	}
	return fillRates("Reset", []rateDefault{
		{&c.PerAccount, lockout.Rate{Requests: 30, Window: 24 * time.Hour}},
		{&c.PerAccountKnown, lockout.Rate{Requests: 10, Window: 24 * time.Hour}},
		{&c.PerAccountAddress, lockout.Rate{Requests: 2, Window: 24 * time.Hour}},
		{&c.PerAddress, lockout.Rate{Requests: 30, Window: time.Hour}},
		{&c.Tries, lockout.Rate{Requests: 60, Window: time.Hour}},
	})
}

func (c *EmailChangePolicy) fill() error {
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	if c.Attempts < 1 || c.Attempts > store.MaxTokenAttempts {
		return fmt.Errorf("EmailChange.Attempts must be 1 to %d", store.MaxTokenAttempts)
	}
	if err := fillDurations([]durationDefault{
		{&c.LinkFor, time.Hour, reset.MaxLifetime, "EmailChange.LinkFor"},
		{&c.Cooldown, time.Minute, 0, "EmailChange.Cooldown"},
	}); err != nil {
		return err
	}
	return fillRates("EmailChange", []rateDefault{
		{&c.PerAccount, lockout.Rate{Requests: 5, Window: time.Hour}},
		{&c.PerAddress, lockout.Rate{Requests: 30, Window: time.Hour}},
		{&c.PerRecipient, lockout.Rate{Requests: 3, Window: 24 * time.Hour}},
		{&c.Tries, lockout.Rate{Requests: 60, Window: time.Hour}},
	})
}

func (c *SessionPolicy) fill() error {
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.Lifetime == 0 {
		c.Lifetime = 12 * time.Hour
	}
	if c.TouchEvery == 0 {
		c.TouchEvery = min(time.Minute, c.IdleTimeout/10)
	}
	if c.ReauthWithin == 0 {
		c.ReauthWithin = min(10*time.Minute, c.IdleTimeout)
	}
	switch {
	case c.ReauthWithin < 0 || c.ReauthWithin > c.IdleTimeout:
		return errors.New("Session.ReauthWithin must be at most Session.IdleTimeout")
	case c.IdleTimeout < time.Minute || c.Lifetime < c.IdleTimeout:
		return errors.New("Session.IdleTimeout must be at least a minute and Session.Lifetime at least Session.IdleTimeout")
	case c.TouchEvery < 0 || c.TouchEvery > c.IdleTimeout/10:
		return errors.New("Session.TouchEvery must be at most a tenth of Session.IdleTimeout")
	}
	return nil
}

func (c *SecondFactorPolicy) fill(m Messages) error {
	if c.Requirement == SecondFactorDefault {
		c.Requirement = SecondFactorOptional
	}
	if c.Issuer == "" {
		c.Issuer = m.PortalName
	}
	if c.PhoneCodes == nil {
		c.PhoneCodes = []Method{MethodSMS}
	}
	c.PhoneCodes = slices.Clone(c.PhoneCodes) // the realm's own, not Config.Realm's
	if err := checkPhoneMethods("SecondFactor.PhoneCodes", c.PhoneCodes); err != nil {
		return err
	}
	if err := c.TOTP.Validate(); err != nil {
		return fmt.Errorf("SecondFactor.TOTP: %w", err)
	}
	if c.RememberFor == 0 {
		c.RememberFor = 30 * 24 * time.Hour
	}
	if c.RememberFor > 365*24*time.Hour {
		return errors.New("SecondFactor.RememberFor is above a year")
	}
	if err := fillDurations([]durationDefault{
		{&c.PendingFor, 5 * time.Minute, 15 * time.Minute, "SecondFactor.PendingFor"},
		// ASVS 6.5.5: at most 10 minutes for a code sent by email or SMS.
		{&c.CodeFor, 5 * time.Minute, 10 * time.Minute, "SecondFactor.CodeFor"},
		{&c.CodeCooldown, time.Minute, 0, "SecondFactor.CodeCooldown"},
	}); err != nil {
		return err
	}
	if c.PendingAttempts == 0 {
		c.PendingAttempts = 10
	}
	if c.CodeAttempts == 0 {
		c.CodeAttempts = 5
	}
	if c.PendingAttempts < 1 || c.PendingAttempts > store.MaxTokenAttempts ||
		c.CodeAttempts < 1 || c.CodeAttempts > store.MaxTokenAttempts {
		return fmt.Errorf("SecondFactor attempts must be 1 to %d", store.MaxTokenAttempts)
	}
	if c.CodeDigits == 0 {
		c.CodeDigits = secret.DefaultCodeDigits
	}
	if c.CodeDigits < secret.MinCodeDigits || c.CodeDigits > secret.MaxCodeDigits {
		return fmt.Errorf("SecondFactor.CodeDigits must be %d to %d", secret.MinCodeDigits, secret.MaxCodeDigits)
	}
	return fillRates("SecondFactor", []rateDefault{
		{&c.CodesPerAccount, lockout.Rate{Requests: 5, Window: time.Hour}},
		{&c.CodesPerAddress, lockout.Rate{Requests: 30, Window: time.Hour}},
	})
}

// checkPhoneMethods checks a list of the ways codes go to a phone.
func checkPhoneMethods(field string, ms []Method) error {
	for i, m := range ms {
		if (m != MethodSMS && m != MethodWhatsApp) || slices.Contains(ms[:i], m) {
			return fmt.Errorf("%s must list MethodWhatsApp and MethodSMS, each at most once, not %q", field, m)
		}
	}
	return nil
}

// maxGuessing is the highest chance, per account and any 24 hours, of
// guessing a code sent by email that New accepts.
const maxGuessing = 1e-4

// perDay is how many requests a rate allows within any 24 hours at most:
// a fixed window's budget may be spent at its end and again at the start
// of the next, so a day overlaps one window more than it holds.
func perDay(r lockout.Rate) float64 {
	day := 24 * time.Hour
	windows := time.Duration(1)
	if r.Window < day {
		windows = (day + r.Window - 1) / r.Window
	}
	return float64(r.Requests) * float64(windows+1)
}

// guessing is the chance of guessing one of n codes of the given digits,
// each tried attempts times.
func guessing(n float64, digits, attempts int) float64 {
	return n * float64(attempts) / math.Pow10(digits)
}

// checkGuessing refuses settings under which a realm that resets or
// activates by code lets an attacker guess one account's code with a
// chance above maxGuessing within a day. A realm that resets by link
// but also by phone (Reset.Phone) sends codes too.
func (r Realm) checkGuessing() error {
	if r.Reset.Delivery == ByCode || len(r.Reset.Phone) > 0 {
		c := r.Reset
		p := guessing(perDay(c.PerAccount), c.NewNetworkCodeDigits, c.Attempts) + guessing(perDay(c.PerAccountKnown), c.CodeDigits, c.Attempts)
		if p > maxGuessing {
			return fmt.Errorf("Reset.PerAccount, PerAccountKnown and Attempts let one account's reset codes be guessed within a day with a chance of %.2g, above 1 in 10,000: lower them, or lengthen the codes", p)
		}
	}
	if r.Activation.Mode == ActivationCode {
		c := r.Activation
		// The registration's own code, and the resends.
		p := guessing(perDay(c.PerAccount)+1, c.CodeDigits, c.Attempts)
		if p > maxGuessing {
			return fmt.Errorf("Activation.PerAccount and Attempts let one account's activation codes be guessed within a day with a chance of %.2g, above 1 in 10,000: lower them, or lengthen CodeDigits", p)
		}
	}
	return nil
}

// resolveRealm returns the settings of realm name: r's under def's, the
// defaults under both, checked, with the lockout Guard and the token
// issuers they build.
func (a *Authenticator) resolveRealm(name string, r, def Realm, cfg Config) (*realmConfig, error) {
	m := merged(r, def)
	// With Config.Realms set, Config.Realm only lends the realms what they
	// leave zero: the names every realm's messages need are asked of the
	// realms, not of it.
	base := name == "" && cfg.Realms != nil
	fail := func(err error) (*realmConfig, error) {
		if name == "" {
			return nil, fmt.Errorf("%w: Config.Realm: %w", ErrConfig, err)
		}
		return nil, fmt.Errorf("%w: Config.Realms[%q]: %w", ErrConfig, name, err)
	}
	if err := m.check(name); err != nil {
		return fail(err)
	}
	for _, fill := range []func() error{
		func() error {
			if base {
				return m.Messages.fill(nil)
			}
			return m.Messages.fill(cfg.Sender)
		},
		m.Links.check,
		func() error { return m.Captcha.check(cfg.Captcha) },
		m.Registration.fill,
		m.Activation.fill,
		m.Reset.fill,
		m.EmailChange.fill,
		m.Session.fill,
		func() error { return m.Retention.fill(a.events.retention) },
		func() error { return m.SecondFactor.fill(m.Messages) },
		// A closure, not the method value m.checkGuessing: that would
		// copy m now, before the fills above give it its defaults.
		func() error { return m.checkGuessing() },
	} {
		if err := fill(); err != nil {
			return fail(err)
		}
	}
	if !base && cfg.Keyring != nil && m.SecondFactor.Issuer == "" && m.SecondFactor.Requirement != SecondFactorOff {
		return fail(errors.New("Config.Keyring is set and neither SecondFactor.Issuer nor Messages.PortalName names the portal for authenticator apps"))
	}
	if m.Policy == nil {
		m.Policy = a.defaultPolicy
	}
	rc := &realmConfig{resolved: &resolved{Realm: m}, name: name}
	if !base {
		w, err := rc.Passkeys.fill(rc.SecondFactor)
		if err != nil {
			return fail(err)
		}
		rc.webauthn = w
		if rc.providers, err = rc.Federation.fill(rc.SecondFactor); err != nil {
			return fail(err)
		}
	}
	g, err := lockout.New(lockout.Config{Store: a.roles.attempts, Policy: m.Lockout, Now: a.now})
	if err != nil {
		return fail(fmt.Errorf("the Lockout policy: %w", err))
	}
	rc.guard = g
	if a.tokens != nil {
		for _, t := range []struct {
			dst         **reset.Tokens
			link, code  time.Duration
			digits, try int
		}{
			{&rc.resets, m.Reset.LinkFor, m.Reset.CodeFor, m.Reset.CodeDigits, m.Reset.Attempts},
			{&rc.activations, m.Activation.For, m.Activation.For, m.Activation.CodeDigits, m.Activation.Attempts},
			{&rc.emailChanges, m.EmailChange.LinkFor, m.EmailChange.LinkFor, 0, m.EmailChange.Attempts},
			// A new phone number confirms with a code of the second
			// factor's length, lifetime and tries.
			{&rc.phoneChanges, m.SecondFactor.CodeFor, m.SecondFactor.CodeFor, m.SecondFactor.CodeDigits, m.SecondFactor.CodeAttempts},
		} {
			if *t.dst, err = reset.New(reset.Config{Store: a.tokens, Now: a.now, Rand: a.rand, LinkFor: t.link, CodeFor: t.code, CodeDigits: t.digits, MaxAttempts: t.try}); err != nil {
				return fail(err)
			}
		}
	}
	return rc, nil
}

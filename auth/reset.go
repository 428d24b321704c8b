package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth/password"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/store"
)

// ErrInvalidToken: a reset, activation or email-change link or code is
// malformed, unknown, wrong, expired, used, voided or out of attempts. One
// error for all, so that it tells nothing more.
var ErrInvalidToken = reset.ErrInvalidToken

// ErrNotConfigured: the flow needs a setting the Config lacks, such as the
// page a link should point to, or a Sender.
var ErrNotConfigured = errors.New("auth: not configured")

// Delivery is how a realm sends a secret that proves control of a mailbox:
// a link to click or a code to type.
type Delivery uint8

// The deliveries.
const (
	// ByLink sends a link built from Config.Links.
	ByLink Delivery = iota
	// ByCode sends a numeric code, which the person types together with
	// the username, as MySAPK does.
	ByCode
)

// Links are the pages that masuk's emails point to: absolute http or https
// URLs, to which a link's token is added as the "token" query parameter.
// They come from configuration and never from a request's Host header, so a
// forged Host cannot send someone's reset link to another site.
type Links struct {
	// Reset is the page that sets a new password, for realms that reset
	// by link.
	Reset string
	// Activate is the page that confirms a new account's email address,
	// for realms that activate by link.
	Activate string
	// ConfirmEmail is the page that confirms a changed email address.
	ConfirmEmail string
	// Login is the login page, linked from the approval notice; optional.
	Login string
	// Forgot is the forgotten-password page, linked from the notice to the
	// owner of an address registered again; optional.
	Forgot string
	// Activity is the page of the account's history, linked from the
	// new-device alert; optional.
	Activity string
}

func (l Links) check() error {
	for name, s := range map[string]string{"Reset": l.Reset, "Activate": l.Activate, "ConfirmEmail": l.ConfirmEmail, "Login": l.Login, "Forgot": l.Forgot, "Activity": l.Activity} {
		if s == "" {
			continue
		}
		u, err := url.Parse(s)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
			return fmt.Errorf("auth: Config.Links.%s is not an absolute http or https URL without a fragment", name)
		}
	}
	return nil
}

// link adds the token to page.
func link(page, token string) (string, error) {
	if page == "" {
		return "", ErrNotConfigured
	}
	u, err := url.Parse(page)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("token", token)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// ResetConfig configures forgotten-password resets. Its zero value is the
// recommended one.
//
// # Availability and guessing
//
// Whoever knows a person's username and email can ask for resets on their
// behalf. Four things keep that from stopping the owner. Every request gets
// its own link or code (a new one does not void the others), bound to the
// request's flow (ResetStarted.Flow), so nobody else's guesses can use it
// up. The messages one account receives are limited per client address
// (PerAccountAddress) and in all, and past a limit the answer stays the
// same while mail silently stops; so only the client address's own
// requests are ever refused visibly (PerAddress). The limit in all is two
// budgets: one for requests from networks the account has logged in from
// (PerAccountKnown), which a stranger elsewhere cannot spend, and one for
// the rest (PerAccount). With the defaults, an attacker working from 14
// addresses gets at most 28 of the 30 messages a day that strangers' networks
// may cause, and none of the 10 that the owner's own networks have.
//
// Guessing is bounded per account. A code sent to a network the account
// has logged in from has CodeDigits digits; one sent anywhere else, where
// an attacker asks from, has NewNetworkCodeDigits; each is tried at most
// Attempts times. New refuses settings under which the chance of guessing
// any reset code of one account within any 24 hours exceeds 1 in 10,000,
// counting that a fixed window's budget can be spent twice within a day
// at its turn: with the defaults, 2 × (30 × 3 / 10⁸ + 10 × 3 / 10⁶), or
// 0.62 in 10,000.
type ResetConfig struct {
	// LinkFor is how long a reset link works. Zero means 1 hour; at most
	// 24 hours.
	LinkFor time.Duration
	// CodeFor is how long a reset code works. Zero means 15 minutes; at
	// most 24 hours.
	CodeFor time.Duration
	// CodeDigits is the length of a reset code sent at the request of a
	// network the account has logged in from: 6 to 8. Zero means 6.
	CodeDigits int
	// NewNetworkCodeDigits is the length of a reset code sent at the
	// request of any other network: 6 to 8, at least CodeDigits. Zero
	// means 8: the requests an attacker can make come from there, and the
	// longer code keeps guessing bounded while the owner keeps three
	// tries.
	NewNetworkCodeDigits int
	// Attempts is how many times one link or code may be tried. Zero
	// means 3.
	Attempts int
	// Cooldown is how long after one email-change message another may go
	// to the same account. Zero means 60 seconds.
	Cooldown time.Duration
	// PerAccount limits the reset messages one account receives at the
	// request of networks it has not logged in from: past it RequestReset
	// answers as usual and sends nothing. Zero means 30 a day.
	PerAccount lockout.Rate
	// PerAccountKnown limits those at the request of networks it has
	// logged in from recently (an IPv4 /24, an IPv6 /48): a budget of
	// their own, which requests from elsewhere cannot spend. Zero means
	// 10 a day.
	PerAccountKnown lockout.Rate
	// PerAccountAddress limits the reset messages one account receives
	// at the request of one client address (an IPv6 /64): past it the
	// answer stays the same and nothing is sent. Zero means 2 a day.
	PerAccountAddress lockout.Rate
	// PerAddress limits reset and activation requests from one client
	// address, whatever they name: past it they are refused with a
	// *lockout.ThrottledError. Zero means 30 an hour.
	PerAddress lockout.Rate
	// Tries limits the reset, activation and email-change links and codes
	// tried from one client address, right or wrong: past it they are
	// refused with a *lockout.ThrottledError before any is looked at.
	// Zero means 60 an hour.
	Tries lockout.Rate
	// PerIdentifier limits the codes of the second step sent to one
	// account, and its email changes. Zero means 5 an hour.
	PerIdentifier lockout.Rate
	// KeepLock, when true, keeps a lockout lock in force after a
	// completed reset (so does the Guard's lockout.Policy.KeepLockOnReset).
	// The zero value ends the password's lock, as the portals do: a reset
	// proves control of the mailbox, and ending the lock is what keeps an
	// attacker from locking the owner out for good. The second factor's
	// lock is never ended by a reset: whoever reads the mailbox must not
	// get a fresh round of second-factor guesses.
	KeepLock bool
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

// guessing is the chance of guessing one of a day's codes, n of them of
// the given digits, each tried attempts times.
func guessing(n float64, digits, attempts int) float64 {
	return n * float64(attempts) / math.Pow10(digits)
}

// checkGuessing refuses settings under which a realm that resets or
// activates by code lets an attacker guess one account's code with a
// chance above maxGuessing within a day.
func checkGuessing(realms map[string]Realm, r ResetConfig, act ActivationConfig) error {
	byCode, activates := false, false
	for _, realm := range realms {
		byCode = byCode || realm.Reset == ByCode
		activates = activates || realm.Activation == ActivationCode
	}
	if byCode {
		p := guessing(perDay(r.PerAccount), r.NewNetworkCodeDigits, r.Attempts) + guessing(perDay(r.PerAccountKnown), r.CodeDigits, r.Attempts)
		if p > maxGuessing {
			return fmt.Errorf("%w: Config.Reset lets one account's reset codes be guessed within a day with a chance of %.2g, above 1 in 10,000: lower PerAccount, PerAccountKnown or Attempts, or lengthen the codes", ErrConfig, p)
		}
	}
	if activates {
		// The registration's own code, and the resends.
		p := guessing(perDay(act.PerAccount)+1, act.CodeDigits, act.Attempts)
		if p > maxGuessing {
			return fmt.Errorf("%w: Config.Activation lets one account's activation codes be guessed within a day with a chance of %.2g, above 1 in 10,000: lower PerAccount or Attempts, or lengthen CodeDigits", ErrConfig, p)
		}
	}
	return nil
}

// ActivationConfig configures how new accounts confirm their email
// address, in realms whose Activation asks for it. Its zero value is the
// recommended one. As with resets, each registration and each resend gets
// a link or code of its own, bound to its flow (Registered.Flow,
// ActivationStarted.Flow), so that a stranger can neither void it nor
// spend its tries.
type ActivationConfig struct {
	// For is how long an activation link or code works. Zero means 24
	// hours, the most allowed.
	For time.Duration
	// CodeDigits is the length of an activation code: 6 to 8. Zero means
	// 6.
	CodeDigits int
	// Attempts is how many times one link or code may be tried. Zero
	// means 3.
	Attempts int
	// Cooldown is how long after one activation message another may go to
	// the same account and flow. Zero means 60 seconds.
	Cooldown time.Duration
	// PerAccount limits the activation messages ResendActivation sends to
	// one account: past it the answer stays the same and nothing is sent.
	// Zero means 15 a day; New refuses more than keeps guessing of the
	// account's codes within 1 in 10,000 a day.
	PerAccount lockout.Rate
	// PerAccountAddress limits them per client address (an IPv6 /64).
	// Zero means 2 a day.
	PerAccountAddress lockout.Rate
}

func (c *ActivationConfig) fill() error {
	if c.For == 0 {
		c.For = 24 * time.Hour
	}
	if c.Attempts == 0 {
		c.Attempts = 3
	}
	if c.CodeDigits == 0 {
		c.CodeDigits = reset.DefaultCodeDigits
	}
	if c.Cooldown == 0 {
		c.Cooldown = time.Minute
	}
	if c.Cooldown < 0 {
		return fmt.Errorf("%w: Config.Activation.Cooldown is negative", ErrConfig)
	}
	return fillRates("Activation", []rateDefault{
		{&c.PerAccount, lockout.Rate{Requests: 15, Window: 24 * time.Hour}},
		{&c.PerAccountAddress, lockout.Rate{Requests: 2, Window: 24 * time.Hour}},
	})
}

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
			return fmt.Errorf("%w: Config.%s: a rate must allow 1 to 100 requests in a positive window", ErrConfig, what)
		}
	}
	return nil
}

// Token purposes of the flows that prove control of a mailbox.
const (
	purposeReset       = "reset"
	purposeActivate    = "activate"
	purposeEmailChange = "email_change"
)

// Keys of those tokens' data.
const (
	dataEmail = "email"
)

func newResetTokens(t store.Tokens, c ResetConfig, now func() time.Time, rnd io.Reader) (*reset.Tokens, error) {
	if t == nil {
		return nil, nil
	}
	return reset.New(reset.Config{Store: t, Now: now, Rand: rnd, LinkFor: c.LinkFor, CodeFor: c.CodeFor, CodeDigits: c.CodeDigits, MaxAttempts: c.Attempts})
}

func (c *ResetConfig) fill() error {
	if c.Cooldown == 0 {
		c.Cooldown = time.Minute
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
	switch {
	case c.Cooldown < 0:
		return fmt.Errorf("%w: Config.Reset.Cooldown is negative", ErrConfig)
	case c.NewNetworkCodeDigits < c.CodeDigits || c.NewNetworkCodeDigits > reset.MaxCodeDigits:
		return fmt.Errorf("%w: Config.Reset.NewNetworkCodeDigits must be CodeDigits to %d", ErrConfig, reset.MaxCodeDigits)
	}
	return fillRates("Reset", []rateDefault{
		{&c.PerAccount, lockout.Rate{Requests: 30, Window: 24 * time.Hour}},
		{&c.PerAccountKnown, lockout.Rate{Requests: 10, Window: 24 * time.Hour}},
		{&c.PerAccountAddress, lockout.Rate{Requests: 2, Window: 24 * time.Hour}},
		{&c.PerAddress, lockout.Rate{Requests: 30, Window: time.Hour}},
		{&c.Tries, lockout.Rate{Requests: 60, Window: time.Hour}},
		{&c.PerIdentifier, lockout.Rate{Requests: 5, Window: time.Hour}},
	})
}

// ResetRequest asks for a forgotten password to be reset.
type ResetRequest struct {
	// Realm is the realm of the account.
	Realm string
	// Identifier is what the person typed: the username (a NIP, an NPWP,
	// ...) or the email address.
	Identifier string
	Request
}

// ResetStarted is RequestReset's answer: the same whether or not the
// identifier names an account.
type ResetStarted struct {
	// Flow binds the link or code on its way to this request alone: a
	// code redeems only with ResetCompletion.Flow set to it, so that
	// nobody else's wrong guesses can use the owner's code up. Keep it
	// with the person's form (a hidden field, a cookie, an app's state);
	// it is not a secret from them, but give it to nobody else. Links
	// carry their own secret and need no flow.
	Flow string `json:"flow"`
}

// RequestReset sends a reset link or code (by the realm's Reset delivery)
// to the email address of the account that the identifier names.
//
// Its answer is the same, in the same time, whether or not there is such
// an account: it checks the identifier's form and the client address's
// rate (ResetConfig.PerAddress), and returns; the lookup and the message
// happen afterwards, in the background (Close waits for them). It never
// locks or changes the account. Each request gets a link or code of its
// own, bound to the flow it returns; earlier ones keep working until they
// expire or the password changes. Past the account's limits
// (ResetConfig.PerAccount, PerAccountAddress) it answers the same and
// sends nothing: show "if the account exists, a message is on its way"
// whatever it returns, unless the error is about the form or the rate.
//
// Its errors: the identifier's form (a *UsernameError, an
// *identifiers.Error, ErrInvalidEmail); a *lockout.ThrottledError
// (errors.Is lockout.ErrThrottled) when the client address asks too often,
// whatever it names; ErrNotConfigured without a Sender or without
// Links.Reset in a realm that resets by link.
func (a *Authenticator) RequestReset(ctx context.Context, r ResetRequest) (ResetStarted, error) {
	realm, err := a.realm(r.Realm)
	if err != nil {
		return ResetStarted{}, err
	}
	if a.sender == nil || a.resets == nil || (realm.Reset == ByLink && a.links.Reset == "") {
		return ResetStarted{}, ErrNotConfigured
	}
	id, byEmail, err := a.mailRequest(ctx, "reset", realm, r.Realm, r.Identifier, r.ClientAddr)
	if err != nil {
		return ResetStarted{}, err
	}
	flow, err := a.randomHex(16)
	if err != nil {
		return ResetStarted{}, err
	}
	a.later(ctx, "reset message", func(ctx context.Context) { a.sendReset(ctx, r, realm, id, byEmail, flow) })
	return ResetStarted{Flow: flow}, nil
}

// mailRequest reads the identifier of a request that sends a message to
// an account's address, and counts the request on its client address, the
// one limit that answers visibly: the limits per account are silent, so
// that nobody can use them to stop the owner's own requests.
func (a *Authenticator) mailRequest(ctx context.Context, action string, realm Realm, realmName, identifier, clientAddr string) (id string, byEmail bool, err error) {
	if id, byEmail, err = realm.identifier(identifier); err != nil {
		return "", false, err
	}
	s := lockout.Subject{Realm: a.budgetRealm(realmName), Addr: clientAddr}
	return id, byEmail, a.guard.Throttle(ctx, action, s, lockout.Rate{}, a.reset.PerAddress)
}

// budgetRealm is the realm a client address's budgets count in: the realm
// itself, or, when Config.Realms is nil and any realm name goes, one for
// all, so that varying the name buys nobody a fresh budget.
func (a *Authenticator) budgetRealm(realm string) string {
	if a.realms == nil {
		return "*"
	}
	return realm
}

// mailBudget is the limits of the messages a flow sends to an account at
// a client's request: per client address, and in all.
type mailBudget struct {
	action            string
	perAddr, perTotal lockout.Rate
}

// mayMail counts a message about to go to an account's address at the
// request of clientAddr, and reports whether it may go: within the
// budget's limits per address and in all. Past either, the message is
// dropped, and the request that asked for it has already had its answer.
func (a *Authenticator) mayMail(ctx context.Context, b mailBudget, acct store.Account, clientAddr string) bool {
	var err error
	if clientAddr != "" {
		pair := acct.ID + "|" + lockout.CountedAddr(clientAddr, 64)
		err = a.guard.Throttle(ctx, b.action+"_pair", lockout.Subject{Realm: acct.Realm, Username: pair}, b.perAddr, lockout.Rate{})
	}
	if err == nil {
		err = a.guard.Throttle(ctx, b.action+"_account", lockout.Subject{Realm: acct.Realm, Username: acct.ID}, b.perTotal, lockout.Rate{})
	}
	if err != nil && !errors.Is(err, lockout.ErrThrottled) {
		a.log.ErrorContext(ctx, "masuk: counting a message", "account", acct.ID, "error", err)
	}
	return err == nil
}

// identifier returns the canonical form of what a person typed to name an
// account: an email address when it holds an "@", a username otherwise.
func (r Realm) identifier(typed string) (id string, byEmail bool, err error) {
	if strings.Contains(typed, "@") {
		id, err = CanonicalEmail(typed)
		return id, true, err
	}
	id, err = r.username(typed, false)
	return id, false, err
}

// lookup finds the account an identifier names.
func (a *Authenticator) lookup(ctx context.Context, realm, id string, byEmail bool) (store.Account, error) {
	if byEmail {
		return a.store.AccountByEmail(ctx, realm, id)
	}
	return a.store.AccountByUsername(ctx, realm, id)
}

// sendReset is the background half of RequestReset.
func (a *Authenticator) sendReset(ctx context.Context, r ResetRequest, realm Realm, id string, byEmail bool, flow string) {
	ev := a.event(EventResetRequested, r.Realm, r.Request)
	ev.Username = id
	acct, err := a.lookup(ctx, r.Realm, id, byEmail)
	switch {
	case errors.Is(err, store.ErrNotFound):
		a.record(ctx, withReason(ev, ReasonUnknownUser))
		return
	case err != nil:
		a.record(ctx, withReason(ev, ReasonError))
		return
	}
	ev.AccountID, ev.Username = acct.ID, acct.Username
	if acct.State != store.StateActive || acct.Email == "" {
		// Only an active account with an address can be reset: a pending
		// one is activated first, a disabled one stays so.
		a.record(ctx, withReason(ev, "not_resettable"))
		return
	}
	// The owner's own networks have a budget of their own, and shorter
	// codes; requests from anywhere else, where an attacker asks from,
	// share the other, and get longer codes.
	b := mailBudget{action: "reset_mail", perAddr: a.reset.PerAccountAddress, perTotal: a.reset.PerAccount}
	digits := a.reset.NewNetworkCodeDigits
	if a.loggedInFrom(ctx, acct, r.ClientAddr) {
		b.action, b.perTotal, digits = "reset_mail_known", a.reset.PerAccountKnown, a.reset.CodeDigits
		ev.Details = map[string]string{"network": "known"}
	}
	if !a.mayMail(ctx, b, acct, r.ClientAddr) {
		a.record(ctx, withReason(ev, ReasonThrottled))
		return
	}
	if err := a.sendResetMessage(ctx, realm, acct, r.Request, flowBinding(flow), digits); err != nil {
		ev = withReason(ev, ReasonError)
		ev.Details["error"] = err.Error()
		a.record(ctx, ev)
		return
	}
	a.record(ctx, ev)
}

// flowBinding is the binding of the tokens issued for a flow: a hash of
// it, so that the store never holds a flow a request could present.
func flowBinding(flow string) string {
	if flow == "" {
		return ""
	}
	h := sha256.Sum256([]byte("masuk/flow\x00" + flow))
	return hex.EncodeToString(h[:16])
}

// mailedToken is a link or code that proves control of a mailbox: what
// it is for, and the messages that carry it.
type mailedToken struct {
	tokens  *reset.Tokens
	purpose string
	// byCode sends a code (message code); otherwise a link to page
	// (message link).
	byCode     bool
	page       string
	link, code notify.Purpose
	cooldown   time.Duration
	// binding binds the token to the flow that asked for it: tokens of
	// other bindings stay live.
	binding string
	// digits is a code's length; zero means the tokens' own.
	digits int
	// data adds to the realm and stamp every such token is bound to.
	data map[string]string
}

// mailToken issues t for acct, bound to its realm and security stamp (a
// credential change voids it), and emails it to the address to, with d's
// other fields.
func (a *Authenticator) mailToken(ctx context.Context, t mailedToken, acct store.Account, to string, r Request, d notify.Data) error {
	data := map[string]string{dataRealm: acct.Realm, dataStamp: acct.SecurityStamp}
	maps.Copy(data, t.data)
	iss := reset.Issue{AccountID: acct.ID, Purpose: t.purpose, Binding: t.binding, CodeDigits: t.digits, Data: data, Cooldown: t.cooldown}
	p := t.link
	var issued reset.Issued
	var err error
	if t.byCode {
		p = t.code
		issued, err = t.tokens.IssueCode(ctx, iss)
		d.Code = issued.Token
	} else if issued, err = t.tokens.IssueLink(ctx, iss); err == nil {
		d.Link, err = link(t.page, issued.Token)
	}
	if err != nil {
		return err
	}
	d.ExpiresIn = issued.ExpiresAt.Sub(a.now()).Round(time.Minute)
	return a.send(ctx, notify.Email, to, p, r.Locale, d)
}

// sendResetMessage mails a reset link or code, by the realm's delivery,
// bound to binding; a code has the given digits.
func (a *Authenticator) sendResetMessage(ctx context.Context, realm Realm, acct store.Account, r Request, binding string, digits int) error {
	d := a.messageData(acct)
	d.ClientAddr, d.Device = r.ClientAddr, deviceName(r.UserAgent)
	t := mailedToken{tokens: a.resets, purpose: purposeReset, byCode: realm.Reset == ByCode, page: a.links.Reset,
		link: notify.ResetLink, code: notify.ResetCode, binding: binding, digits: digits}
	return a.mailToken(ctx, t, acct, acct.Email, r, d)
}

// ResetCompletion sets a new password with a reset link or code.
type ResetCompletion struct {
	// Realm is the realm of the account. With a link's Token it may be
	// empty: the token names its realm.
	Realm string
	// Token is the token of the reset link, in a realm that resets by
	// link.
	Token string
	// Identifier and Code, in a realm that resets by code: the username
	// or email as typed, and the code from the email.
	Identifier, Code string
	// Flow is ResetStarted.Flow of the request that sent the code: a code
	// redeems only with its own flow. (A code an operator's ForceReset
	// sent has none: leave Flow empty.)
	Flow string
	// NewPassword is the new password, checked against the policy.
	NewPassword string
	Request
}

// CompleteReset sets a new password with a reset link's token or a reset
// code. It does not log anyone in: the person logs in next with the new
// password, and with the second factor if the account has one.
//
// The link or code must be live and issued under the account's current
// password (a change since voids it). The new password must pass the
// policy; when it does not, the link or code stays usable for another
// try. On success the password is set with a new security stamp (which
// voids every pending login, remembered device and token issued under the
// old one), every other reset link or code of the account is voided, the
// lockout's locks on the account end (unless ResetConfig.KeepLock), and
// the owner is told.
//
// Its errors: ErrInvalidToken for every link or code that does not open the
// account; a *password.PolicyError; wrapped store failures.
func (a *Authenticator) CompleteReset(ctx context.Context, c ResetCompletion) error {
	if c.Token == "" || c.Realm != "" {
		if _, err := a.realm(c.Realm); err != nil {
			return err
		}
	}
	if a.resets == nil {
		return ErrNotConfigured
	}
	red, acct, err := a.redeem(ctx, a.resets, redemption{realm: c.Realm, purpose: purposeReset, token: c.Token, identifier: c.Identifier, code: c.Code, flow: c.Flow, req: c.Request})
	if err != nil {
		return err
	}
	// The hash the new one replaces, read while the account's stamp is
	// still the token's: a password change that lands from here on makes
	// the conditional write below fail, so an older reset link can never
	// overwrite a newer password.
	old, err := a.store.CredentialByAccount(ctx, acct.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("auth: reset: %w", err)
	}
	if again, err := a.store.AccountByID(ctx, acct.ID); err != nil || again.SecurityStamp != acct.SecurityStamp {
		return ErrInvalidToken
	}
	ev := a.event(EventPasswordReset, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	pc := password.Context{Username: acct.Username, Email: acct.Email, Realm: acct.Realm, Words: []string{acct.DisplayUsername}}
	if err := a.policy.Check(ctx, c.NewPassword, pc); err != nil {
		return err
	}
	hash, err := a.hasher.Hash(ctx, c.NewPassword)
	if err != nil {
		return fmt.Errorf("auth: reset: %w", err)
	}
	stamp, err := a.newStamp()
	if err != nil {
		return err
	}
	if err := a.resets.Consume(ctx, red); err != nil {
		return err
	}
	cred := store.Credential{AccountID: acct.ID, Hash: hash, ChangedAt: a.now().UTC()}
	if old.Hash == "" {
		err = a.store.SetCredential(ctx, cred, stamp)
	} else {
		err = a.store.SwapCredential(ctx, old.Hash, cred, stamp)
	}
	switch {
	case errors.Is(err, store.ErrStale):
		// The password changed meanwhile, which voids this token.
		return ErrInvalidToken
	case err != nil:
		return fmt.Errorf("auth: reset: %w", err)
	}
	ctx = context.WithoutCancel(ctx)
	if err := a.resets.Void(ctx, acct.ID, purposeReset); err != nil {
		a.log.ErrorContext(ctx, "masuk: voiding reset tokens", "account", acct.ID, "error", err)
	}
	ev.Details = map[string]string{}
	if !a.reset.KeepLock && !a.guard.KeepLockOnReset() {
		before, err := a.guard.UnlockPassword(ctx, acct.Realm, acct.Username)
		if err != nil {
			a.log.ErrorContext(ctx, "masuk: unlocking after a reset", "account", acct.ID, "error", err)
		}
		ev.Details["unlocked"] = fmt.Sprint(!before.Password.LockedUntil.IsZero() || before.Password.Permanent)
	}
	a.record(ctx, ev)
	a.endSessions(ctx, acct, "", c.Request)
	a.notice(ctx, acct, notify.PasswordChanged, c.Request, notify.Data{})
	return nil
}

// redemption is what a person sends to prove control of a mailbox: a
// link's token, or an identifier with a code (and the flow the code is
// bound to), and where it came from.
type redemption struct {
	realm, purpose, token, identifier, code, flow string
	req                                           Request
}

// redeem verifies a link's token, or an identifier and code, for its
// purpose, and returns the redemption (not yet consumed) and the account,
// which must be in the realm, and whose security stamp must still be the
// one the token was issued under.
//
// Every try counts on the client address (ResetConfig.Tries), right or
// wrong, before any is looked at; a wrong one is recorded, in the history
// of the account it names when it names one, so that guessing is seen.
func (a *Authenticator) redeem(ctx context.Context, tokens *reset.Tokens, r redemption) (reset.Redemption, store.Account, error) {
	if err := a.guard.Throttle(ctx, "tries", lockout.Subject{Realm: a.budgetRealm(r.realm), Addr: r.req.ClientAddr}, lockout.Rate{}, a.reset.Tries); err != nil {
		return reset.Redemption{}, store.Account{}, err
	}
	ev := a.event(EventTokenFailed, r.realm, r.req)
	red, acct, err := a.verifyRedemption(ctx, tokens, r, &ev)
	if errors.Is(err, ErrInvalidToken) {
		if ev.Realm != "" {
			ev.Details = map[string]string{"purpose": r.purpose, "by": map[bool]string{true: "link", false: "code"}[r.token != ""]}
			a.record(ctx, ev)
		}
	}
	return red, acct, err
}

// verifyRedemption is redeem's check, which fills in ev the account it
// finds.
func (a *Authenticator) verifyRedemption(ctx context.Context, tokens *reset.Tokens, r redemption, ev *store.Event) (reset.Redemption, store.Account, error) {
	realmName, purpose, token, identifier, code := r.realm, r.purpose, r.token, r.identifier, r.code
	var red reset.Redemption
	var err error
	if token != "" {
		red, err = tokens.VerifyLink(ctx, purpose, token)
	} else {
		realm, rerr := a.realm(realmName)
		if rerr != nil {
			return red, store.Account{}, rerr
		}
		id, byEmail, ierr := realm.identifier(identifier)
		if ierr != nil {
			return red, store.Account{}, ErrInvalidToken
		}
		code = compactDigits(code)
		acct, lerr := a.lookup(ctx, realmName, id, byEmail)
		switch {
		case errors.Is(lerr, store.ErrNotFound):
			// The same store work as for a known account, so that timing
			// does not tell which usernames exist.
			_, _ = tokens.VerifyCode(ctx, reset.Key{AccountID: "-", Purpose: purpose, Binding: flowBinding(r.flow)}, code)
			return red, store.Account{}, ErrInvalidToken
		case lerr != nil:
			return red, store.Account{}, fmt.Errorf("auth: %w", lerr)
		}
		ev.AccountID, ev.Username = acct.ID, acct.Username
		red, err = tokens.VerifyCode(ctx, reset.Key{AccountID: acct.ID, Purpose: purpose, Binding: flowBinding(r.flow)}, code)
	}
	if err != nil {
		return red, store.Account{}, err
	}
	if realmName == "" {
		// A link names its realm; a code is looked up in the one given.
		realmName = red.Data[dataRealm]
	}
	acct, err := a.store.AccountByID(ctx, red.AccountID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return red, store.Account{}, ErrInvalidToken
	case err != nil:
		return red, store.Account{}, fmt.Errorf("auth: %w", err)
	}
	ev.Realm, ev.AccountID, ev.Username = acct.Realm, acct.ID, acct.Username
	if acct.Realm != realmName || red.Data[dataRealm] != realmName ||
		subtle.ConstantTimeCompare([]byte(red.Data[dataStamp]), []byte(acct.SecurityStamp)) != 1 {
		return red, store.Account{}, ErrInvalidToken
	}
	return red, acct, nil
}

package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
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

// ResetRequest asks for a forgotten password to be reset.
type ResetRequest struct {
	// Realm is the realm of the account.
	Realm string
	// Identifier is what the person typed: the username (a NIP, an NPWP,
	// ...) or the email address.
	Identifier string
	// Phone, in a realm whose Reset.Phone lists a way, asks for the code
	// by phone rather than by email: the account's registered number as
	// typed ("0812-3456-7890", "+62 812…"). The code goes there only if
	// it is the account's number.
	Phone string
	// Method is how the code goes to Phone: one of the realm's
	// Reset.Phone. Empty means the first of them.
	Method Method
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
// to the email address of the account that the identifier names; or, with
// ResetRequest.Phone, a code by SMS or WhatsApp to the account's phone
// number, if it is the number typed.
//
// Its answer is the same, in the same time, whether or not there is such
// an account: it checks the identifier's form and the client address's
// rate (ResetPolicy.PerAddress), and returns; the lookup and the message
// happen afterwards, in the background (Close waits for them). It never
// locks or changes the account. Each request gets a link or code of its
// own, bound to the flow it returns; earlier ones keep working until they
// expire or the password changes. Past the account's limits
// (ResetPolicy.PerAccount, PerAccountKnown, PerAccountAddress) it answers the same and
// sends nothing: show "if the account exists, a message is on its way"
// whatever it returns, unless the error is about the form or the rate.
//
// Its errors: the identifier's form (a *UsernameError, an
// *identifiers.Error, ErrInvalidEmail); the phone number's
// (ErrInvalidPhone); ErrMethodUnavailable for a Method or a phone the
// realm's Reset.Phone does not offer; a *lockout.ThrottledError
// (errors.Is lockout.ErrThrottled) when the client address asks too often,
// whatever it names; ErrNotConfigured without a Sender or without
// Links.Reset in a realm that resets by link.
func (s *Accounts) RequestReset(ctx context.Context, r ResetRequest) (_ ResetStarted, err error) {
	if s.unset() {
		return ResetStarted{}, errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.RequestReset")
	defer sp.end(&err)
	a := s.a
	realm, err := a.realm(r.Realm)
	if err != nil {
		return ResetStarted{}, err
	}
	if a.sender == nil || realm.resets == nil || (realm.Reset.Delivery == ByLink && realm.Links.Reset == "" && r.Phone == "") {
		return ResetStarted{}, ErrNotConfigured
	}
	to, err := realm.resetPhone(r)
	if err != nil {
		return ResetStarted{}, err
	}
	id, byEmail, err := a.mailRequest(ctx, "reset", realm.Reset.PerAddress, realm, r.Identifier, r.ClientAddr)
	if err != nil {
		return ResetStarted{}, err
	}
	flow, err := a.randomHex(16)
	if err != nil {
		return ResetStarted{}, err
	}
	a.later(ctx, "reset message", func(ctx context.Context) { a.sendReset(ctx, r, realm, id, byEmail, flow, to) })
	return ResetStarted{Flow: flow}, nil
}

// phoneReset is where a reset by phone goes: the number, canonical, and
// the way.
type phoneReset struct {
	phone  string
	method Method
}

// resetPhone reads the phone and method of a reset request: the zero
// phoneReset for a reset by email.
func (r *realmConfig) resetPhone(req ResetRequest) (phoneReset, error) {
	if req.Phone == "" {
		if req.Method != "" {
			return phoneReset{}, ErrMethodUnavailable
		}
		return phoneReset{}, nil
	}
	if len(r.Reset.Phone) == 0 {
		return phoneReset{}, ErrMethodUnavailable
	}
	m := req.Method
	if m == "" {
		m = r.Reset.Phone[0]
	}
	if !slices.Contains(r.Reset.Phone, m) {
		return phoneReset{}, ErrMethodUnavailable
	}
	phone, err := CanonicalPhone(req.Phone)
	if err != nil {
		return phoneReset{}, err
	}
	return phoneReset{phone: phone, method: m}, nil
}

// mailRequest reads the identifier of a request that sends a message to
// an account's address, and counts the request on its client address, the
// one limit that answers visibly: the limits per account are silent, so
// that nobody can use them to stop the owner's own requests.
func (a *Authenticator) mailRequest(ctx context.Context, action string, perAddress lockout.Rate, realm *realmConfig, identifier, clientAddr string) (id string, byEmail bool, err error) {
	if id, byEmail, err = realm.identifier(identifier); err != nil {
		return "", false, err
	}
	s := lockout.Subject{Realm: a.budgetRealm(realm.name), Addr: clientAddr}
	return id, byEmail, realm.guard.Throttle(ctx, action, s, lockout.Rate{}, perAddress)
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
func (a *Authenticator) mayMail(ctx context.Context, realm *realmConfig, b mailBudget, acct store.Account, clientAddr string) bool {
	var err error
	if clientAddr != "" {
		pair := acct.ID + "|" + lockout.CountedAddr(clientAddr, 64)
		err = realm.guard.Throttle(ctx, b.action+"_pair", lockout.Subject{Realm: acct.Realm, Username: pair}, b.perAddr, lockout.Rate{})
	}
	if err == nil {
		err = realm.guard.Throttle(ctx, b.action+"_account", lockout.Subject{Realm: acct.Realm, Username: acct.ID}, b.perTotal, lockout.Rate{})
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
func (a *Authenticator) sendReset(ctx context.Context, r ResetRequest, realm *realmConfig, id string, byEmail bool, flow string, to phoneReset) {
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
	if to.method != "" {
		ev.Details = map[string]string{"channel": string(to.method)}
	}
	if acct.State != store.StateActive || (to.method == "" && acct.Email == "") {
		// Only an active account with an address can be reset: a pending
		// one is activated first, a disabled one stays so.
		a.record(ctx, withReason(ev, ReasonNotResettable))
		return
	}
	if to.method != "" && (acct.Phone == "" || subtle.ConstantTimeCompare([]byte(acct.Phone), []byte(to.phone)) != 1) {
		a.record(ctx, withReason(ev, ReasonWrongPhone))
		return
	}
	// The owner's own networks have a budget of their own, and shorter
	// codes; requests from anywhere else, where an attacker asks from,
	// share the other, and get longer codes.
	c := realm.Reset
	b := mailBudget{action: "reset_mail", perAddr: c.PerAccountAddress, perTotal: c.PerAccount}
	digits := c.NewNetworkCodeDigits
	if a.loggedInFrom(ctx, acct, r.ClientAddr) {
		b.action, b.perTotal, digits = "reset_mail_known", c.PerAccountKnown, c.CodeDigits
		if ev.Details == nil {
			ev.Details = map[string]string{}
		}
		ev.Details["network"] = "known"
	}
	if !a.mayMail(ctx, realm, b, acct, r.ClientAddr) {
		a.record(ctx, withReason(ev, ReasonThrottled))
		return
	}
	// Numbers are not unique and a registration does not prove its
	// number: whoever registers accounts with a stranger's number must not
	// buy a budget per account. What one number receives is limited as
	// one account's is, whichever accounts ask.
	if to.method != "" && !a.mayMailTo(ctx, b.action+"_phone", realm, to.phone, b.perTotal) {
		a.record(ctx, withReason(ev, ReasonThrottled))
		return
	}
	if err := a.sendResetMessage(ctx, realm, acct, r.Request, flowBinding(flow), digits, to.method); err != nil {
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
	// channel is how it goes: notify.Email when zero.
	channel notify.Channel
}

// mailToken issues t for acct, bound to its realm and security stamp (a
// credential change voids it), and emails it to the address to, with d's
// other fields.
func (a *Authenticator) mailToken(ctx context.Context, t mailedToken, acct store.Account, to string, r Request, d notify.Data) error {
	_, err := a.issueAndSend(ctx, t, acct, to, r, d)
	return err
}

// issueAndSend is mailToken, which also returns when the token expires.
func (a *Authenticator) issueAndSend(ctx context.Context, t mailedToken, acct store.Account, to string, r Request, d notify.Data) (time.Time, error) {
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
		return time.Time{}, err
	}
	d.ExpiresIn = issued.ExpiresAt.Sub(a.now()).Round(time.Minute)
	c := t.channel
	if c == 0 {
		c = notify.Email
	}
	return issued.ExpiresAt, a.send(ctx, acct.Realm, c, to, p, r.Locale, d)
}

// sendResetMessage mails a reset link or code, by the realm's delivery,
// bound to binding; a code has the given digits. With a phone method it
// sends a code to the account's phone that way instead.
func (a *Authenticator) sendResetMessage(ctx context.Context, realm *realmConfig, acct store.Account, r Request, binding string, digits int, phone Method) error {
	d := a.messageData(acct)
	d.ClientAddr, d.Device = r.ClientAddr, deviceName(r.UserAgent)
	t := mailedToken{tokens: realm.resets, purpose: purposeReset, byCode: realm.Reset.Delivery == ByCode, page: realm.Links.Reset,
		link: notify.ResetLink, code: notify.ResetCode, binding: binding, digits: digits}
	to := acct.Email
	if phone != "" {
		t.byCode, t.channel, to = true, phoneChannel(phone), acct.Phone
		// The code works only while the number is the account's.
		t.data = map[string]string{dataPhone: acct.Phone}
	}
	return a.mailToken(ctx, t, acct, to, r, d)
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
// password (a change since voids it); a code sent to a phone, to the
// account's current number. The new password must pass the
// policy; when it does not, the link or code stays usable for another
// try. On success the password is set with a new security stamp (which
// voids every pending login, remembered device and token issued under the
// old one), every other reset link or code of the account is voided, the
// lockout's password lock on the account ends (unless the realm's
// Lockout.KeepLockOnReset; the second factor's lock never does), and the
// owner is told.
//
// Its errors: ErrInvalidToken for every link or code that does not open the
// account; a *password.PolicyError; wrapped store failures.
func (s *Accounts) CompleteReset(ctx context.Context, c ResetCompletion) (err error) {
	if s.unset() {
		return errNoAuthenticator
	}
	ctx, sp := s.a.span(ctx, "masuk.Accounts.CompleteReset")
	defer sp.end(&err)
	a := s.a
	budget := a.defaults
	if c.Token == "" || c.Realm != "" {
		r, err := a.realm(c.Realm)
		if err != nil {
			return err
		}
		budget = r
	}
	if budget.resets == nil {
		return ErrNotConfigured
	}
	red, acct, err := a.redeem(ctx, budget, budget.resets, redemption{realm: c.Realm, purpose: purposeReset, token: c.Token, identifier: c.Identifier, code: c.Code, flow: c.Flow, req: c.Request})
	if err != nil {
		return err
	}
	realm := a.realmOf(acct.Realm)
	// The hash the new one replaces, read while the account's stamp is
	// still the token's: a password change that lands from here on makes
	// the conditional write below fail, so an older reset link can never
	// overwrite a newer password.
	old, err := a.store.CredentialByAccount(ctx, acct.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("auth: reset: %w", err)
	}
	// A code sent to a phone dies with the number: one issued while a
	// phone change voided the account's codes, or before a host moved the
	// number in the store, must not serve the old number's holder.
	phone, byPhone := red.Data[dataPhone]
	if again, err := a.store.AccountByID(ctx, acct.ID); err != nil || again.SecurityStamp != acct.SecurityStamp ||
		(byPhone && subtle.ConstantTimeCompare([]byte(again.Phone), []byte(phone)) != 1) {
		return ErrInvalidToken
	}
	ev := a.event(EventPasswordReset, acct.Realm, c.Request)
	ev.AccountID, ev.Username = acct.ID, acct.Username
	pc := password.Context{Username: acct.Username, Email: acct.Email, Realm: acct.Realm, Words: []string{acct.DisplayUsername}}
	if err := realm.Policy.Check(ctx, c.NewPassword, pc); err != nil {
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
	if err := realm.resets.Consume(ctx, red); err != nil {
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
	if err := realm.resets.Void(ctx, acct.ID, purposeReset); err != nil {
		a.log.ErrorContext(ctx, "masuk: voiding reset tokens", "account", acct.ID, "error", err)
	}
	ev.Details = map[string]string{}
	if !realm.guard.KeepLockOnReset() {
		before, err := realm.guard.UnlockPassword(ctx, acct.Realm, acct.Username)
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
	// accountID, for a code of a logged-in owner, names the account
	// instead of identifier, which is then its username, for the log.
	accountID string
	req       Request
}

// redeem verifies a link's token, or an identifier and code, for its
// purpose, and returns the redemption (not yet consumed) and the account,
// which must be in the realm, and whose security stamp must still be the
// one the token was issued under.
//
// Every try counts on the client address (the budget realm's Tries of
// the flow), right or wrong, before any is looked at; a wrong one is
// recorded, in the history of the account it names when it names one, so
// that guessing is seen.
func (a *Authenticator) redeem(ctx context.Context, budget *realmConfig, tokens *reset.Tokens, r redemption) (reset.Redemption, store.Account, error) {
	if err := budget.guard.Throttle(ctx, "tries."+r.purpose, lockout.Subject{Realm: a.budgetRealm(r.realm), Addr: r.req.ClientAddr}, lockout.Rate{}, budget.tries(r.purpose)); err != nil {
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

// tries is the realm's limit on the links and codes of purpose tried from
// one client address.
func (r *realmConfig) tries(purpose string) lockout.Rate {
	switch purpose {
	case purposeActivate:
		return r.Activation.Tries
	case purposeEmailChange, purposePhoneChange:
		return r.EmailChange.Tries
	}
	return r.Reset.Tries
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
		if r.accountID != "" {
			ev.AccountID, ev.Username = r.accountID, r.identifier
			red, err = tokens.VerifyCode(ctx, reset.Key{AccountID: r.accountID, Purpose: purpose, Binding: flowBinding(r.flow)}, compactDigits(code))
			return a.redeemed(ctx, red, err, realmName, ev)
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
	return a.redeemed(ctx, red, err, realmName, ev)
}

// redeemed finishes verifyRedemption once the token is verified (err
// nil): the account must exist, be in the realm, and still have the
// security stamp the token was issued under.
func (a *Authenticator) redeemed(ctx context.Context, red reset.Redemption, err error, realmName string, ev *store.Event) (reset.Redemption, store.Account, error) {
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

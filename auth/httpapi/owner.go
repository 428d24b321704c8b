package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// The owner's endpoints, behind a bearer session: the account, second
// factors, sessions, activity and logout.

type meView struct {
	Account accountView      `json:"account"`
	Session auth.SessionInfo `json:"session"`
	// ReauthUntil is until when the sensitive actions may leave the
	// password out (auth.Principal.ReauthUntil).
	ReauthUntil time.Time `json:"reauth_until"`
	// HasPassword is false for an account a provider made: it proves
	// itself through the provider and may set a first password.
	HasPassword bool `json:"has_password"`
}

func (h *Handler) me(c *call) (int, any, error) {
	has, err := h.auth.Accounts().HasPassword(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	return 200, meView{Account: newAccount(c.p.Account), Session: sessionInfo(c.p.Session), ReauthUntil: c.p.ReauthUntil.UTC(), HasPassword: has}, nil
}

type reauthView struct {
	ReauthUntil time.Time `json:"reauth_until"`
}

// reauthenticate proves the password again in the bearer's session, so
// that its sensitive actions may leave the password out for the realm's
// Session.ReauthWithin.
func (h *Handler) reauthenticate(c *call, b passwordBody) (int, any, error) {
	p, err := h.auth.Sessions().Reauthenticate(c.ctx, auth.Reauthentication{Token: c.token, Password: b.Password, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, reauthView{p.ReauthUntil.UTC()}, nil
}

func sessionInfo(s auth.SessionInfo) auth.SessionInfo {
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = s.CreatedAt.UTC(), s.LastSeenAt.UTC(), s.ExpiresAt.UTC()
	return s
}

func (h *Handler) factors(c *call) (int, any, error) {
	s, err := h.auth.Factors().Summary(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	return 200, factorsSummary(s), nil
}

// factorsSummary is s as the API answers it: empty lists, not null, and
// times in UTC.
func factorsSummary(s auth.FactorsSummary) auth.FactorsSummary {
	if s.Factors == nil {
		s.Factors = []auth.FactorInfo{}
	}
	if s.Devices == nil {
		s.Devices = []auth.DeviceInfo{}
	}
	for i := range s.Factors {
		s.Factors[i].CreatedAt, s.Factors[i].ConfirmedAt = s.Factors[i].CreatedAt.UTC(), s.Factors[i].ConfirmedAt.UTC()
	}
	for i := range s.Devices {
		s.Devices[i].CreatedAt, s.Devices[i].ExpiresAt = s.Devices[i].CreatedAt.UTC(), s.Devices[i].ExpiresAt.UTC()
	}
	s.Passkeys = passkeyInfos(s.Passkeys)
	return s
}

// passwordBody is a change to the second factors, which needs the
// current password, so that a stolen session alone cannot change how the
// account logs in: given, or proved in this session within the realm's
// Session.ReauthWithin when left empty.
type passwordBody struct {
	Password string `json:"password"`
}

type labelBody struct {
	Password string `json:"password"`
	Label    string `json:"label"`
}

func (h *Handler) change(c *call, password, label string) auth.FactorChange {
	return auth.FactorChange{AccountID: c.p.AccountID, Password: password, Label: label, Request: h.req(c)}
}

func (h *Handler) beginTOTP(c *call, b labelBody) (int, any, error) {
	e, err := h.auth.Factors().BeginTOTP(c.ctx, h.change(c, b.Password, b.Label))
	if err != nil {
		return 0, nil, err
	}
	return 200, newTOTP(e), nil
}

type confirmBody struct {
	FactorID string `json:"factor_id"`
	Code     string `json:"code"`
}

func (h *Handler) confirmTOTP(c *call, b confirmBody) (int, any, error) {
	en, err := h.auth.Factors().ConfirmTOTP(c.ctx, auth.TOTPConfirmation{AccountID: c.p.AccountID, FactorID: b.FactorID, Code: b.Code, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, en, nil
}

type codesBody struct {
	Password string           `json:"password"`
	Kind     store.FactorKind `json:"kind"`
	Label    string           `json:"label"`
}

func (h *Handler) addCodes(c *call, b codesBody) (int, any, error) {
	en, err := h.auth.Factors().AddCodes(c.ctx, auth.CodeFactor{Kind: b.Kind, FactorChange: h.change(c, b.Password, b.Label)})
	if err != nil {
		return 0, nil, err
	}
	return 200, en, nil
}

func (h *Handler) removeFactor(c *call, b passwordBody) (int, any, error) {
	err := h.auth.Factors().Remove(c.ctx, auth.FactorRemoval{FactorID: c.r.PathValue("id"), FactorChange: h.change(c, b.Password, "")})
	return http.StatusNoContent, nil, err
}

type remainingView struct {
	Remaining int `json:"remaining"`
}

func (h *Handler) recoveryCount(c *call) (int, any, error) {
	s, err := h.auth.Factors().Summary(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	return 200, remainingView{s.RecoveryCodes}, nil
}

func (h *Handler) regenerateRecovery(c *call, b passwordBody) (int, any, error) {
	codes, err := h.auth.Factors().RegenerateRecoveryCodes(c.ctx, h.change(c, b.Password, ""))
	if err != nil {
		return 0, nil, err
	}
	return 200, codes, nil
}

type forgetBody struct {
	DeviceID string `json:"device_id"`
}

func (h *Handler) forgetDevices(c *call, b forgetBody) (int, any, error) {
	err := h.auth.Factors().ForgetDevice(c.ctx, auth.DeviceForget{AccountID: c.p.AccountID, DeviceID: b.DeviceID, Request: h.req(c)})
	return http.StatusNoContent, nil, err
}

type sessionsView struct {
	Sessions []auth.SessionInfo `json:"sessions"`
}

func (h *Handler) sessions(c *call) (int, any, error) {
	list, err := h.auth.Sessions().List(c.ctx, auth.SessionQuery{AccountID: c.p.AccountID, Current: c.p.Session.ID})
	if err != nil {
		return 0, nil, err
	}
	v := sessionsView{Sessions: make([]auth.SessionInfo, len(list))}
	for i, s := range list {
		v.Sessions[i] = sessionInfo(s)
	}
	return 200, v, nil
}

// revokeSession ends one session of the account; one that has ended
// already is as good as revoked.
func (h *Handler) revokeSession(c *call) (int, any, error) {
	err := h.auth.Sessions().Revoke(c.ctx, auth.Revocation{AccountID: c.p.AccountID, SessionID: c.r.PathValue("id"), Request: h.req(c)})
	if auth.Classify(err).Code == auth.CodeNotFound {
		err = nil
	}
	return http.StatusNoContent, nil, err
}

func (h *Handler) revokeOthers(c *call, _ struct{}) (int, any, error) {
	n, err := h.auth.Sessions().RevokeOthers(c.ctx, auth.OthersRevocation{AccountID: c.p.AccountID, Current: c.p.Session.ID, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, n, nil
}

type logoutBody struct {
	// Everywhere ends every session of the account, this one included.
	Everywhere bool `json:"everywhere"`
	// Provider, for a session that began with a login through that
	// provider, asks for its logout URL too (federation_logout.go).
	Provider string `json:"provider"`
}

func (h *Handler) logout(c *call, b logoutBody) (int, any, error) {
	if b.Provider != "" {
		return h.logoutProvider(c, b)
	}
	if b.Everywhere {
		_, err := h.auth.Sessions().RevokeOthers(c.ctx, auth.OthersRevocation{AccountID: c.p.AccountID, Request: h.req(c)})
		return http.StatusNoContent, nil, err
	}
	err := h.auth.Sessions().Logout(c.ctx, auth.LogoutRequest{Token: c.token, Request: h.req(c)})
	return http.StatusNoContent, nil, err
}

// The bounds of an activity page.
const (
	activityPage    = 25
	activityMaxPage = 100
)

type activityEntry struct {
	ID         int64             `json:"id"`
	Kind       auth.EventKind    `json:"kind"`
	Time       time.Time         `json:"time"`
	ClientAddr string            `json:"client_addr,omitempty"`
	UserAgent  string            `json:"user_agent,omitempty"`
	Device     string            `json:"device"`
	Details    map[string]string `json:"details,omitempty"`
}

type activityView struct {
	Entries []activityEntry `json:"entries"`
	// Before, when there may be older entries, is the query parameter
	// that pages to them.
	Before int64 `json:"before,omitempty"`
}

// activity pages through the account's history, newest first. A failed
// login's reason is for operators and is left out, unless an operator
// acted and gave it.
func (h *Handler) activity(c *call) (int, any, error) {
	q := c.r.URL.Query()
	var before int64
	limit := activityPage
	if s := q.Get("before"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return 0, nil, malformed(badField("before", CodeInvalidValue))
		}
		before = n
	}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > activityMaxPage {
			return 0, nil, malformed(badField("limit", CodeInvalidValue))
		}
		limit = n
	}
	list, err := h.auth.Activity().List(c.ctx, auth.ActivityQuery{AccountID: c.p.AccountID, Before: before, Limit: limit})
	if err != nil {
		return 0, nil, err
	}
	v := activityView{Entries: make([]activityEntry, len(list))}
	for i, e := range list {
		v.Entries[i] = newActivityEntry(e, c.lang)
	}
	if len(list) == limit {
		v.Before = list[len(list)-1].ID
	}
	return 200, v, nil
}

// newActivityEntry is e for its owner, the device named in lang: a
// failed login's reason is left out, unless an operator acted and gave
// it.
func newActivityEntry(e auth.ActivityEntry, lang string) activityEntry {
	details := e.Details
	if _, by := details["by"]; !by && details["reason"] != "" {
		details = make(map[string]string, len(e.Details))
		for k, val := range e.Details {
			if k != "reason" {
				details[k] = val
			}
		}
	}
	if len(details) == 0 {
		details = nil
	}
	return activityEntry{ID: e.ID, Kind: e.Kind, Time: e.Time.UTC(), ClientAddr: e.ClientAddr,
		UserAgent: e.UserAgent, Device: auth.ParseDevice(e.UserAgent).Label(lang), Details: details}
}

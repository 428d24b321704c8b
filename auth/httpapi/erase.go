package httpapi

import (
	"net/http"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/store"
)

// The owner's data-subject rights of UU 27/2022: a copy of the account's
// data, and its erasure.

// exportView is auth.AccountExport as the API answers it: times in UTC,
// empty lists rather than null, the current session marked and the
// history's entries as GET activity gives them.
type exportView struct {
	AccountID       string              `json:"account_id"`
	Realm           string              `json:"realm"`
	Username        string              `json:"username"`
	DisplayUsername string              `json:"display_username"`
	Email           string              `json:"email,omitempty"`
	Phone           string              `json:"phone,omitempty"`
	State           store.AccountState  `json:"state"`
	Profile         map[string]string   `json:"profile,omitempty"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
	Factors         auth.FactorsSummary `json:"factors"`
	Identities      []identityView      `json:"identities"`
	Sessions        []auth.SessionInfo  `json:"sessions"`
	Activity        []activityEntry     `json:"activity"`
}

// export answers the account's data, for its owner to keep: no secret is
// in it.
func (h *Handler) export(c *call) (int, any, error) {
	x, err := h.auth.Accounts().Export(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	v := exportView{AccountID: x.AccountID, Realm: x.Realm, Username: x.Username, DisplayUsername: x.DisplayUsername,
		Email: x.Email, Phone: x.Phone, State: x.State, Profile: x.Profile,
		CreatedAt: x.CreatedAt.UTC(), UpdatedAt: x.UpdatedAt.UTC(), Factors: factorsSummary(x.Factors),
		Identities: identityViews(x.Identities),
		Sessions:   make([]auth.SessionInfo, len(x.Sessions)), Activity: make([]activityEntry, len(x.Activity))}
	for i, s := range x.Sessions {
		s.Current = s.ID == c.p.Session.ID
		v.Sessions[i] = sessionInfo(s)
	}
	for i, e := range x.Activity {
		v.Activity[i] = newActivityEntry(e, c.lang)
	}
	return 200, v, nil
}

// erase erases the account for good, with the current password or a
// recent proof of it in this session; the bearer's session goes with it.
func (h *Handler) erase(c *call, b passwordBody) (int, any, error) {
	err := h.auth.Accounts().Erase(c.ctx, auth.AccountErasure{AccountID: c.p.AccountID, Password: b.Password, Request: h.req(c)})
	return http.StatusNoContent, nil, err
}

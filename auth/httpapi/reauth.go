package httpapi

import (
	"net/http"

	"github.com/masuk-id/masuk/auth"
)

// Re-authentication through a provider, and the first password, for an
// account a provider made (it has no password to prove): the app opens
// the provider's URL for a fresh sign-in there, sends the answer back,
// and the session's sensitive actions then leave the password out, as
// after POST reauthenticate; setting a first password is one of them.

// beginProviderReauth starts a re-authentication of the bearer through a
// provider linked to the account: no password.
func (h *Handler) beginProviderReauth(c *call, _ struct{}) (int, any, error) {
	r, err := h.auth.Federation().Begin(c.ctx, auth.FederationStart{Realm: c.realm, Provider: c.r.PathValue("provider"),
		AccountID: c.p.AccountID, Reauthenticate: true, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, newRedirect(r), nil
}

// finishProviderReauth completes it with the provider's answer. An answer
// of another kind (a login's, a link's) proves nothing here:
// federation_refused.
func (h *Handler) finishProviderReauth(c *call, b answerBody) (int, any, error) {
	cb, err := h.callback(c, b)
	if err != nil {
		return 0, nil, err
	}
	cb.AccountID, cb.Reauthenticate = c.p.AccountID, true
	res, err := h.auth.Federation().Callback(c.ctx, cb)
	if err != nil {
		return 0, nil, err
	}
	if !res.Reauthenticated {
		return 0, nil, auth.ErrFederationRefused
	}
	return 200, reauthView{res.ReauthUntil.UTC()}, nil
}

type firstPasswordBody struct {
	New string `json:"new"`
}

// setFirstPassword gives the bearer's account, which has none, its first
// password, after a recent proof in this session. The session goes on.
func (h *Handler) setFirstPassword(c *call, b firstPasswordBody) (int, any, error) {
	err := h.auth.Accounts().SetFirstPassword(c.ctx, auth.FirstPassword{AccountID: c.p.AccountID, New: b.New, Request: h.req(c)})
	return http.StatusNoContent, nil, err
}

package httpapi

import (
	"net/http"
	"slices"

	"github.com/masuk-id/masuk/auth"
)

// providerLogoutView is a logout that also logs out at the provider
// (RP-initiated logout): the app opens LogoutURL in the system browser,
// where the provider ends its own session and, where the provider was
// given a post-logout URL, sends the person back.
type providerLogoutView struct {
	// LogoutURL is empty when the provider has no end_session_endpoint,
	// the account has no identity of that provider, or the provider could
	// not be asked: the session has ended all the same.
	LogoutURL string `json:"logout_url,omitempty"`
}

// logoutProvider ends the session (or, with everywhere, every session of
// the account) as logout does and answers the provider's logout URL. A
// provider the realm does not have is unknown_provider, and nothing is
// ended. The API does not keep which provider a session came from: the
// app names it, and the URL is given only for a provider linked to the
// account (a provider's logout URL holds nothing secret, but an app is
// not sent to a provider the account has nothing to do with).
func (h *Handler) logoutProvider(c *call, b logoutBody) (int, any, error) {
	rs, err := h.auth.Realm(c.p.Realm)
	if err != nil {
		return 0, nil, err
	}
	if !slices.ContainsFunc(rs.Federation.Providers, func(p auth.Provider) bool { return p.Name == b.Provider }) {
		return 0, nil, auth.ErrUnknownProvider
	}
	ids, err := h.auth.Federation().Identities(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	if b.Everywhere {
		_, err = h.auth.Sessions().RevokeOthers(c.ctx, auth.OthersRevocation{AccountID: c.p.AccountID, Request: h.req(c)})
	} else {
		err = h.auth.Sessions().Logout(c.ctx, auth.LogoutRequest{Token: c.token, Request: h.req(c)})
	}
	if err != nil {
		return 0, nil, err
	}
	if !slices.ContainsFunc(ids, func(li auth.LinkedIdentity) bool { return li.Provider == b.Provider }) {
		return http.StatusOK, providerLogoutView{}, nil
	}
	u, err := h.auth.Federation().LogoutURL(c.ctx, auth.FederationLogout{Realm: c.p.Realm, Provider: b.Provider})
	if err != nil {
		// The session has ended; the provider's own is left as it is.
		h.cfg.Logger.WarnContext(c.ctx, "httpapi: a provider's logout URL", "provider", b.Provider, "error", err)
		return http.StatusOK, providerLogoutView{}, nil
	}
	return http.StatusOK, providerLogoutView{LogoutURL: u}, nil
}

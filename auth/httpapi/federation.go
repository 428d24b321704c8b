package httpapi

import (
	"net/http"
	"time"

	"github.com/masuk-id/masuk/auth"
)

// Logins and links through a realm's identity providers (OpenID
// Connect), for apps: the authorization URL goes out, the code comes
// back. The app keeps the binding itself, opens the URL in the system
// browser, and receives the provider's answer at its registered redirect
// URL (a claimed https link or the app's own scheme, as the provider
// allows).

type providerView struct {
	Name  string `json:"name"`
	Label string `json:"label"`
}

type providersView struct {
	Providers []providerView `json:"providers"`
}

// providers lists the realm's providers, for the app's buttons.
func (h *Handler) providers(c *call) (int, any, error) {
	rs, err := h.auth.Realm(c.realm)
	if err != nil {
		return 0, nil, err
	}
	v := providersView{Providers: make([]providerView, len(rs.Federation.Providers))}
	for i, p := range rs.Federation.Providers {
		v.Providers[i] = providerView{Name: p.Name, Label: p.Label}
	}
	return 200, v, nil
}

// redirectView is a started login or link: the app opens URL and keeps
// Binding, in memory, until the answer comes back.
type redirectView struct {
	URL       string    `json:"url"`
	Binding   string    `json:"binding"`
	ExpiresAt time.Time `json:"expires_at"`
}

func newRedirect(r *auth.FederationRedirect) redirectView {
	return redirectView{URL: r.URL, Binding: r.Binding, ExpiresAt: r.ExpiresAt.UTC()}
}

func (h *Handler) beginProviderLogin(c *call, _ struct{}) (int, any, error) {
	r, err := h.auth.Federation().Begin(c.ctx, auth.FederationStart{Realm: c.realm, Provider: c.r.PathValue("provider"), Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, newRedirect(r), nil
}

// answerBody is the provider's answer, as the redirect brought it to the
// app, with the binding of its start.
type answerBody struct {
	Code    string `json:"code"`
	State   string `json:"state"`
	Issuer  string `json:"iss"`
	Error   string `json:"error"`
	Binding string `json:"binding"`
}

// maxAnswerField bounds each field of an answer: a provider's code and
// state are far shorter, and a longer one is not sent on to the
// provider's token endpoint.
const maxAnswerField = 2048

// callback is b for package auth, or a malformed request when a field is
// longer than any provider's.
func (h *Handler) callback(c *call, b answerBody) (auth.FederationCallback, error) {
	for name, v := range map[string]string{"code": b.Code, "state": b.State, "iss": b.Issuer, "error": b.Error, "binding": b.Binding} {
		if len(v) > maxAnswerField {
			return auth.FederationCallback{}, malformed(badField(name, CodeInvalidValue))
		}
	}
	return auth.FederationCallback{Realm: c.realm, Provider: c.r.PathValue("provider"), Code: b.Code, State: b.State,
		Issuer: b.Issuer, Error: b.Error, Binding: b.Binding, Request: h.req(c)}, nil
}

// providerLoginView is a completed login through a provider: a login as
// POST login answers it, and what the answer did to the account.
type providerLoginView struct {
	loginView
	Linked   bool   `json:"linked"`
	Created  bool   `json:"created"`
	Provider string `json:"provider"`
}

// finishProviderLogin completes a login with the provider's answer. The
// second step and the enrollment a realm asks for are errors, answered
// as POST login answers them. An answer that belonged to a link (begun at
// POST identities/{provider}/start) does nothing here: federation_refused.
func (h *Handler) finishProviderLogin(c *call, b answerBody) (int, any, error) {
	cb, err := h.callback(c, b)
	if err != nil {
		return 0, nil, err
	}
	res, err := h.auth.Federation().Callback(c.ctx, cb)
	if err != nil {
		return 0, nil, err
	}
	if res.Login == nil {
		return 0, nil, auth.ErrFederationRefused
	}
	status, v, err := h.loggedIn(c, res.Login, nil)
	if err != nil {
		return 0, nil, err
	}
	return status, providerLoginView{loginView: v.(loginView), Linked: res.Linked, Created: res.Created, Provider: res.Provider}, nil
}

type identityView struct {
	Provider   string     `json:"provider"`
	Label      string     `json:"label"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

type identitiesView struct {
	Identities []identityView `json:"identities"`
}

func identityViews(list []auth.LinkedIdentity) []identityView {
	out := make([]identityView, len(list))
	for i, li := range list {
		out[i] = identityView{Provider: li.Provider, Label: li.Label, CreatedAt: li.CreatedAt.UTC()}
		if !li.LastUsedAt.IsZero() {
			at := li.LastUsedAt.UTC()
			out[i].LastUsedAt = &at
		}
	}
	return out
}

func (h *Handler) identities(c *call) (int, any, error) {
	list, err := h.auth.Federation().Identities(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	return 200, identitiesView{identityViews(list)}, nil
}

// beginLink starts a link of the bearer's account to a provider, after
// the password or a recent proof of it in this session.
func (h *Handler) beginLink(c *call, b passwordBody) (int, any, error) {
	r, err := h.auth.Federation().Begin(c.ctx, auth.FederationStart{Realm: c.realm, Provider: c.r.PathValue("provider"),
		AccountID: c.p.AccountID, Password: b.Password, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, newRedirect(r), nil
}

type linkedView struct {
	Linked   bool   `json:"linked"`
	Provider string `json:"provider"`
}

// finishLink completes a link with the provider's answer. An answer that
// belonged to a login starts no session here: it is federation_refused.
func (h *Handler) finishLink(c *call, b answerBody) (int, any, error) {
	cb, err := h.callback(c, b)
	if err != nil {
		return 0, nil, err
	}
	cb.AccountID = c.p.AccountID
	res, err := h.auth.Federation().Callback(c.ctx, cb)
	if err != nil {
		return 0, nil, err
	}
	if res.Login != nil || !res.Linked {
		return 0, nil, auth.ErrFederationRefused
	}
	return 200, linkedView{Linked: true, Provider: res.Provider}, nil
}

func (h *Handler) unlink(c *call, b passwordBody) (int, any, error) {
	err := h.auth.Federation().Unlink(c.ctx, auth.FederationUnlink{AccountID: c.p.AccountID, Provider: c.r.PathValue("provider"),
		Password: b.Password, Request: h.req(c)})
	return http.StatusNoContent, nil, err
}

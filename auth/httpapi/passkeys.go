package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/masuk-id/masuk/auth"
)

// Passkeys: the ceremonies' options for the app's platform API (Android's
// Credential Manager, iOS's AuthenticationServices, a browser's
// navigator.credentials) and the credentials it answers with, for a login
// without a password, the second step, an enrollment a login requires,
// and the owner's settings.

// credentialOf returns the bytes of a body's passkey credential, as the
// client sent them: the JSON object of a PublicKeyCredential (its
// toJSON()), for package auth to parse and verify. Anything else is
// refused before a ceremony is used up.
func credentialOf(raw json.RawMessage) ([]byte, error) {
	if !bytes.HasPrefix(raw, []byte("{")) {
		return nil, malformed(badField("credential", CodeInvalidType))
	}
	if len(raw) > auth.MaxPasskeyResponse {
		return nil, &auth.FieldError{Field: "credential", Max: auth.MaxPasskeyResponse}
	}
	return raw, nil
}

// challengeView is a ceremony begun: its options for the platform's API,
// and, for a login without a password, the ceremony to send back.
func challengeView(ch *auth.PasskeyChallenge) *auth.PasskeyChallenge {
	ch.ExpiresAt = ch.ExpiresAt.UTC()
	return ch
}

type passkeyOptionsBody struct {
	// Pending is the pending login of a second step; empty for a login
	// without a password.
	Pending string `json:"pending"`
}

// passkeyOptions begins a login's passkey ceremony: the second step of
// the pending login, or, without one, a login with a passkey alone.
func (h *Handler) passkeyOptions(c *call, b passkeyOptionsBody) (int, any, error) {
	ch, err := h.auth.Logins().BeginPasskey(c.ctx, auth.PasskeyStart{Realm: c.realm, Pending: b.Pending, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, challengeView(ch), nil
}

type passkeyLoginBody struct {
	Ceremony   string          `json:"ceremony"`
	Credential json.RawMessage `json:"credential"`
}

// passkeyLogin completes a login without a password.
func (h *Handler) passkeyLogin(c *call, b passkeyLoginBody) (int, any, error) {
	cred, err := credentialOf(b.Credential)
	if err != nil {
		return 0, nil, err
	}
	res, err := h.auth.Logins().PasskeyLogin(c.ctx, auth.PasskeyLoginRequest{Realm: c.realm, Ceremony: b.Ceremony, Response: cred, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return h.loggedIn(c, res, nil)
}

type enrollPasskeyBody struct {
	Pending string `json:"pending"`
}

func (h *Handler) enrollPasskey(c *call, b enrollPasskeyBody) (int, any, error) {
	ch, err := h.auth.Factors().BeginPasskey(c.ctx, auth.FactorChange{Realm: c.realm, Pending: b.Pending, Request: h.req(c)})
	if err != nil {
		return 0, nil, err
	}
	return 200, challengeView(ch), nil
}

type enrollPasskeyConfirmBody struct {
	Pending    string          `json:"pending"`
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name"`
}

// enrollPasskeyConfirm stores the passkey a login required and completes
// the login: making it proved the device.
func (h *Handler) enrollPasskeyConfirm(c *call, b enrollPasskeyConfirmBody) (int, any, error) {
	cred, err := credentialOf(b.Credential)
	if err != nil {
		return 0, nil, err
	}
	en, err := h.auth.Factors().ConfirmPasskey(c.ctx, auth.PasskeyConfirmation{Realm: c.realm, Pending: b.Pending,
		Response: cred, Name: b.Name, Request: h.req(c)})
	if err != nil {
		return 0, nil, credentialFailed(err)
	}
	return h.loggedIn(c, en.Login, en.RecoveryCodes)
}

func (h *Handler) beginPasskey(c *call, b passwordBody) (int, any, error) {
	ch, err := h.auth.Factors().BeginPasskey(c.ctx, h.change(c, b.Password, ""))
	if err != nil {
		return 0, nil, err
	}
	return 200, challengeView(ch), nil
}

type passkeyConfirmBody struct {
	Credential json.RawMessage `json:"credential"`
	Name       string          `json:"name"`
}

func (h *Handler) confirmPasskey(c *call, b passkeyConfirmBody) (int, any, error) {
	cred, err := credentialOf(b.Credential)
	if err != nil {
		return 0, nil, err
	}
	en, err := h.auth.Factors().ConfirmPasskey(c.ctx, auth.PasskeyConfirmation{AccountID: c.p.AccountID,
		Response: cred, Name: b.Name, Request: h.req(c)})
	if err != nil {
		return 0, nil, credentialFailed(err)
	}
	return 200, en, nil
}

type passkeysView struct {
	Passkeys []auth.PasskeyInfo `json:"passkeys"`
}

func (h *Handler) passkeys(c *call) (int, any, error) {
	list, err := h.auth.Factors().Passkeys(c.ctx, c.p.AccountID)
	if err != nil {
		return 0, nil, err
	}
	return 200, passkeysView{passkeyInfos(list)}, nil
}

// passkeyInfos returns list, never nil, with its times in UTC.
func passkeyInfos(list []auth.PasskeyInfo) []auth.PasskeyInfo {
	out := make([]auth.PasskeyInfo, len(list))
	for i, p := range list {
		p.CreatedAt, p.LastUsedAt = p.CreatedAt.UTC(), p.LastUsedAt.UTC()
		out[i] = p
	}
	return out
}

type nameBody struct {
	Name string `json:"name"`
}

// renamePasskey changes a passkey's name, which only its owner sees: no
// password is asked.
func (h *Handler) renamePasskey(c *call, b nameBody) (int, any, error) {
	err := h.auth.Factors().RenamePasskey(c.ctx, auth.PasskeyRename{AccountID: c.p.AccountID, PasskeyID: c.r.PathValue("id"), Name: b.Name})
	return http.StatusNoContent, nil, err
}

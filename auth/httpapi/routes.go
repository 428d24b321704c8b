package httpapi

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// routes are the API's endpoints, each below the realm's prefix ("/api"
// or "/api/{realm}"). To add one, write its handler, add it here and
// describe it in openapi.json; TestDocumentMatchesRoutes fails until both
// are done.
var routes = []route{
	// The login.
	{"POST", "/login", public, requiredBody, with((*Handler).login)},
	{"POST", "/login/second-step", public, credentialBody, with((*Handler).secondStep)},
	{"POST", "/login/send-code", public, requiredBody, with((*Handler).sendCode)},
	{"POST", "/login/passkey/options", public, optionalBody, with((*Handler).passkeyOptions)},
	{"POST", "/login/passkey", public, credentialBody, with((*Handler).passkeyLogin)},
	{"POST", "/login/enroll/totp", public, requiredBody, with((*Handler).enrollTOTP)},
	{"POST", "/login/enroll/totp/confirm", public, requiredBody, with((*Handler).enrollTOTPConfirm)},
	{"POST", "/login/enroll/codes", public, requiredBody, with((*Handler).enrollCodes)},
	{"POST", "/login/enroll/passkey", public, requiredBody, with((*Handler).enrollPasskey)},
	{"POST", "/login/enroll/passkey/confirm", public, credentialBody, with((*Handler).enrollPasskeyConfirm)},
	{"POST", "/captcha", public, optionalBody, with((*Handler).captchaFor)},
	{"GET", "/login/providers", public, noBody, (*Handler).providers},
	{"POST", "/login/providers/{provider}/start", public, optionalBody, with((*Handler).beginProviderLogin)},
	{"POST", "/login/providers/{provider}/finish", public, requiredBody, with((*Handler).finishProviderLogin)},
	{"GET", "/captcha/{id}/image", public, noBody, (*Handler).captchaImage},
	{"GET", "/captcha/{id}/audio", public, noBody, (*Handler).captchaAudio},
	// Registration, activation, forgotten passwords, email confirmation.
	{"POST", "/register", public, requiredBody, with((*Handler).register)},
	{"POST", "/activation", public, requiredBody, with((*Handler).activate)},
	{"POST", "/activation/resend", public, requiredBody, with((*Handler).resendActivation)},
	{"POST", "/password/reset", public, requiredBody, with((*Handler).requestReset)},
	{"POST", "/password/reset/complete", public, requiredBody, with((*Handler).completeReset)},
	{"POST", "/email/confirm", public, requiredBody, with((*Handler).confirmEmail)},
	// The owner's, behind a bearer session.
	{"GET", "/account", bearer, noBody, (*Handler).me},
	{"GET", "/account/export", bearer, noBody, (*Handler).export},
	{"POST", "/account/erase", bearer, optionalBody, with((*Handler).erase)},
	{"POST", "/password/change", bearer, requiredBody, with((*Handler).changePassword)},
	{"POST", "/password/set", bearer, requiredBody, with((*Handler).setFirstPassword)},
	{"POST", "/email/change", bearer, requiredBody, with((*Handler).changeEmail)},
	{"POST", "/phone/change", bearer, requiredBody, with((*Handler).changePhone)},
	{"POST", "/phone/change/confirm", bearer, requiredBody, with((*Handler).confirmPhone)},
	{"POST", "/reauthenticate", bearer, requiredBody, with((*Handler).reauthenticate)},
	{"POST", "/reauthenticate/providers/{provider}/start", bearer, optionalBody, with((*Handler).beginProviderReauth)},
	{"POST", "/reauthenticate/providers/{provider}/finish", bearer, requiredBody, with((*Handler).finishProviderReauth)},
	{"GET", "/factors", bearer, noBody, (*Handler).factors},
	{"POST", "/factors/totp", bearer, optionalBody, with((*Handler).beginTOTP)},
	{"POST", "/factors/totp/confirm", bearer, requiredBody, with((*Handler).confirmTOTP)},
	{"POST", "/factors/codes", bearer, requiredBody, with((*Handler).addCodes)},
	{"POST", "/factors/passkey", bearer, optionalBody, with((*Handler).beginPasskey)},
	{"POST", "/factors/passkey/confirm", bearer, credentialBody, with((*Handler).confirmPasskey)},
	{"POST", "/factors/{id}/remove", bearer, optionalBody, with((*Handler).removeFactor)},
	{"GET", "/passkeys", bearer, noBody, (*Handler).passkeys},
	{"POST", "/passkeys/{id}/rename", bearer, requiredBody, with((*Handler).renamePasskey)},
	{"GET", "/recovery-codes", bearer, noBody, (*Handler).recoveryCount},
	{"POST", "/recovery-codes", bearer, optionalBody, with((*Handler).regenerateRecovery)},
	{"POST", "/devices/forget", bearer, optionalBody, with((*Handler).forgetDevices)},
	{"GET", "/identities", bearer, noBody, (*Handler).identities},
	{"POST", "/identities/{provider}/start", bearer, optionalBody, with((*Handler).beginLink)},
	{"POST", "/identities/{provider}/finish", bearer, requiredBody, with((*Handler).finishLink)},
	{"POST", "/identities/{provider}/remove", bearer, optionalBody, with((*Handler).unlink)},
	{"GET", "/sessions", bearer, noBody, (*Handler).sessions},
	{"DELETE", "/sessions/{id}", bearer, noBody, (*Handler).revokeSession},
	{"POST", "/sessions/revoke-others", bearer, optionalBody, with((*Handler).revokeOthers)},
	{"GET", "/activity", bearer, noBody, (*Handler).activity},
	{"POST", "/logout", bearer, optionalBody, with((*Handler).logout)},
}

// spec is the OpenAPI document, for a handler whose realm is a path
// segment ("/{realm}/login") at the root; document adapts it to a
// Config.
//
//go:embed openapi.json
var spec []byte

// realmParam is the path parameter of the realm, a reference every path
// item of spec holds.
const realmParam = "#/components/parameters/realm"

// document returns spec as a handler for cfg serves it: its server is
// BasePath; with Config.Realm, the paths have no realm segment; with
// Config.Realms, the realm parameter lists them.
func document(cfg Config) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(spec, &doc); err != nil {
		return nil, fmt.Errorf("httpapi: openapi.json: %w", err)
	}
	base := cfg.BasePath
	if base == "" {
		base = "/"
	}
	doc["servers"] = []any{map[string]any{"url": base}}
	paths, _ := doc["paths"].(map[string]any)
	if cfg.Realm != "" {
		out := map[string]any{}
		for p, item := range paths {
			rest, ok := strings.CutPrefix(p, "/{realm}")
			if !ok {
				out[p] = item
				continue
			}
			it, _ := item.(map[string]any)
			var params []any
			list, _ := it["parameters"].([]any)
			for _, prm := range list {
				if m, _ := prm.(map[string]any); m["$ref"] != realmParam {
					params = append(params, prm)
				}
			}
			if params == nil {
				delete(it, "parameters")
			} else {
				it["parameters"] = params
			}
			out[rest] = it
		}
		doc["paths"] = out
		comps, _ := doc["components"].(map[string]any)
		if prms, ok := comps["parameters"].(map[string]any); ok {
			delete(prms, "realm")
		}
	} else if cfg.Realms != nil {
		comps, _ := doc["components"].(map[string]any)
		prms, _ := comps["parameters"].(map[string]any)
		realm, _ := prms["realm"].(map[string]any)
		schema, _ := realm["schema"].(map[string]any)
		if schema == nil {
			return nil, fmt.Errorf("httpapi: openapi.json has no realm parameter")
		}
		enum := make([]any, len(cfg.Realms))
		for i, r := range cfg.Realms {
			enum[i] = r
		}
		schema["enum"] = enum
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// openapi serves the OpenAPI document.
func (h *Handler) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(h.doc)
}

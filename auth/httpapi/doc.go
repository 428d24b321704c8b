// Package httpapi serves every flow of package auth as JSON over HTTP, for
// mobile apps and single-page applications: login in one or two steps
// with the captcha, registration and activation, forgotten passwords, the
// password and email address, second factors, passkeys and recovery
// codes, the phone number, logins and links through identity providers,
// sessions, activity, logout, and the owner's copy of the account's data
// and its erasure. [New] takes a [Config] and
// returns a [Handler] the host mounts:
//
//	api, err := httpapi.New(httpapi.Config{
//		Auth: a, BasePath: "/api", Realms: []string{"lpse", "sapk"},
//		Captcha: captchas, AllowedOrigins: []string{"https://app.lpse.example.go.id"},
//		ClientAddr: func(r *http.Request) string { return lockout.ClientAddr(r, proxies) },
//	})
//	mux.Handle("/api/", api)
//
// The realm is the first path segment below BasePath ("/api/lpse/login"),
// or, with Config.Realm, the one realm the handler serves ("/api/login").
//
// # The document
//
// The handler serves an OpenAPI 3.1 document of every path, request body
// and response at BasePath + "/openapi.json" ("/api/openapi.json"), with
// the paths and server adapted to its Config. Its tests hold the handlers
// to it: every request and response of the journey tests is validated
// against it with github.com/getkin/kin-openapi, whose openapi3filter
// validates 3.1 documents with a JSON Schema 2020-12 validator. The
// document keeps to what that validates: plain objects with
// additionalProperties false, enums, formats, and contentMediaType for
// the captcha's media; no webhooks, no $dynamicRef, no type arrays.
//
// # Sessions: bearer tokens
//
// A completed login answers with a session token; the client sends it as
// "Authorization: Bearer <token>" with every request of the owner's
// endpoints. No cookie is ever set or read, so a browser never adds the
// credential on its own, and no CSRF token is needed. A token of another
// realm's session, or of one that ended (logout, a password change, an
// operator's action), answers 401 unauthenticated. Pending logins,
// remembered devices and session tokens are secrets the client keeps in
// memory or the platform's secure storage, never in a URL.
//
// # Sensitive actions and the re-authentication window
//
// Adding or removing a second factor, new recovery codes and changes of
// the email address or phone number take the current password, so that a
// stolen token alone cannot change how the account logs in. The handler
// passes the bearer token as auth.Request.Session: an action that leaves
// the password out goes through when the owner proved it in this session
// within the realm's Session.ReauthWithin (the login, POST
// reauthenticate, or an action's own password), and answers 401
// reauth_required otherwise, which is no reason to drop the session. GET
// account says until when in reauth_until, for a page that asks for the
// password once before several actions.
//
// # Errors
//
// Every error has one shape, derived from auth.Classify:
//
//	{"error": {"code": "locked", "message": "Terlalu banyak percobaan gagal. ...",
//	  "fields": [{"field": "password", "code": "policy", "rule": "too_short", "message": "..."}],
//	  "retry_after": 900, "locked_until": "2026-11-23T09:15:00Z", "remaining_attempts": 2,
//	  "captcha": {"required": true, "id": "...", "image_url": "...", "audio_urls": {...}},
//	  "second_factor": {"pending": "...", "methods": ["totp", "recovery"], "expires_at": "..."}}}
//
// Messages are in the language of Accept-Language: Indonesian, the
// default, or English. Nothing a person can cause is a 5xx, and a 5xx
// says nothing of its cause (Config.Logger gets it). Answers never tell
// whether an account exists: a wrong password, an unknown username and a
// disabled account are one invalid_credentials, and a reset, a resend of
// the activation and a registration in a realm that confirms addresses
// answer alike whether or not the account exists.
//
// A wrong password carries remaining_attempts, how many more failures
// the lock allows, when the lockout knows it: 0 means this failure locked
// the username, and the next attempt answers 429 locked. In a realm whose
// captcha policy reads the counters (all but auth.CaptchaNever), the
// failure that locks answers 429 locked at once, with until when.
//
// A login whose account has a second factor answers 401
// second_factor_required with the pending login; one whose realm requires
// a factor the account lacks, 401 enrollment_required with the pending
// enrollment, which the login/enroll endpoints take in place of a
// password. When the next login needs a captcha, the error carries a new
// challenge, whose image and audio the handler serves (with
// Config.Captcha); a lock carries locked_until and Retry-After.
//
// # Passkeys
//
// In a realm with passkeys (auth.Realm.Passkeys), each ceremony is two
// requests: the first answers options, a WebAuthn options object
// ({"publicKey": {...}}) whose publicKey the app hands as it came to its
// platform's API (a browser's navigator.credentials after
// PublicKeyCredential.parseCreationOptionsFromJSON or
// parseRequestOptionsFromJSON, Android's Credential Manager, iOS's
// AuthenticationServices); the second sends back, as the JSON object
// "credential", the credential the platform made (a browser's toJSON()).
// The handler keeps the credential's bytes as they came for package auth
// to verify; anything but an object is refused with 400
// malformed_request. Each challenge is used once and lives 5 minutes.
//
//   - A login without a password: POST login/passkey/options with an
//     empty body, then POST login/passkey with the answer's ceremony.
//   - The second step: POST login/passkey/options with the pending
//     login, then POST login/second-step with method "passkey" and the
//     credential in place of a code.
//   - An enrollment a login requires: POST login/enroll/passkey and
//     login/enroll/passkey/confirm with the pending enrollment.
//   - The owner's: POST factors/passkey (with the password, as for any
//     factor) and factors/passkey/confirm; GET passkeys; POST
//     passkeys/{id}/rename; and removal, as for any factor, by POST
//     factors/{id}/remove with the passkey's id.
//
// # Identity providers
//
// In a realm with providers (auth.Realm.Federation: INApas, a ministry's
// single sign-on), an app logs in through one as mobile apps do OAuth
// (RFC 8252): the authorization URL goes out, the code comes back. The
// provider's redirect URL (auth.Provider.RedirectURL) is the app's own,
// a claimed https link or the app's scheme, registered at the provider;
// the API never receives the browser.
//
//   - GET login/providers lists the realm's providers, for the buttons.
//   - POST login/providers/{provider}/start answers the URL, a binding
//     and until when. The app keeps the binding in memory (no cookie is
//     set: it ties the answer to this app, and the PKCE verifier and the
//     nonce derive from it) and opens the URL in the system browser,
//     never a web view.
//   - POST login/providers/{provider}/finish takes the redirect's code,
//     state, iss and error with the binding, and answers as POST login
//     does: a session, or 401 second_factor_required or
//     enrollment_required when the realm asks for its own second factor;
//     with linked and created, when the answer found the account by a
//     claim or made it. A cancelled, replayed, late or forged answer is
//     one 401 federation_refused; an identity no account is linked to,
//     403 not_linked.
//   - The owner's, behind the bearer session: GET identities; POST
//     identities/{provider}/start (with the password, as for a second
//     factor) and identities/{provider}/finish link the provider; POST
//     identities/{provider}/remove unlinks it, unless it is the
//     account's last way in (409 last_way_in).
//   - An account a provider made has no password (GET account:
//     has_password false). POST reauthenticate/providers/{provider}/start
//     and reauthenticate/providers/{provider}/finish prove its owner
//     again through the linked provider, with a fresh sign-in there,
//     as POST reauthenticate does with the password; POST password/set
//     then sets a first password (409 has_password when there is one).
//   - POST logout with {"provider": "inapas"}, for a session that began
//     through that provider, ends it as logout does and answers 200 with
//     logout_url, the provider's end-session URL (RP-initiated logout),
//     for the app to open in the system browser. It is left out when the
//     provider has none, the account has no identity of that provider,
//     or the provider cannot be reached; an unknown provider ends nothing
//     (404 unknown_provider).
//
// An app may begin several logins at once and keeps each one's binding;
// every answer is finished with its own.
//
// A start's answer is finished where it began, by the account that began
// it: a login's answer brought to identities/{provider}/finish, a link's
// to the login's finish, or a link's to another account's finish does
// nothing and answers federation_refused, as does a re-authentication's
// answer brought anywhere but reauthenticate/providers/{provider}/finish,
// or another's brought there. Each field of an answer is at
// most 2 KiB.
//
// # Requests
//
// A body is one JSON object with only the operation's fields, declared
// "Content-Type: application/json" (415 otherwise) and at most
// Config.MaxBodyBytes (413), or, by default, 64 KiB more for one that
// carries a passkey's credential; unknown fields, values of the wrong
// type and anything after the object are refused with 400
// malformed_request, naming the field. Bad input changes nothing.
//
// # Browsers from other origins
//
// Config.AllowedOrigins lists the exact origins whose scripts may call
// the API; their preflight requests are answered and every answer says
// "Vary: Origin". A request whose Origin is neither listed nor the API's
// own is refused with 403 origin_not_allowed, whatever it asks. No
// wildcard, and no credentials: the API needs no cookies.
//
// # Adding an endpoint
//
// An endpoint is a handler, an entry of the route table and an operation
// of openapi.json; a test fails when the table and the document differ.
package httpapi

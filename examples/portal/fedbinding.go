package main

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
)

// The binding cookies keep one entry per start still running in the
// browser, newest first, so that a login begun in a second tab does not
// overwrite the first tab's: each answer finds its own entry by its
// state. The logins' cookie has the path /<realm>/inapas, so that a start
// (GET /<realm>/inapas) reads the entries it adds to and the callback
// (/<realm>/inapas/kembali) receives them; a link, begun on the security
// page, keeps its one entry in a cookie of its own that only the callback
// receives (a second link begun replaces the first). An entry is
// "intent.binding.next.key.expiry": the intent ("m" a login, "l" a link,
// "v" a verification, which keeps its entry where a link does),
// masuk's binding, the page a login goes on to (base64url), the first 8
// bytes of the state's SHA-256 in hex (the answer's state names its
// entry; the binding stays in the cookie alone) and when the start
// expires (Unix seconds). Entries are joined by "~". At most
// auth.MaxFederationBindings are kept, the oldest dropped, and expired
// ones go at every write: with a next path of at most maxFedNext bytes,
// the cookie stays under 2 KiB.

// fedLinkCookie is the cookie of a link's start.
const fedLinkCookie = "masuk-inapas-tautan"

// fedJar names one of the binding cookies and its path.
type fedJar struct{ name, path string }

// fedJars are a realm's binding cookies: the logins' and the link's.
func (a *app) fedJars(realm string) (logins, link fedJar) {
	prefix := "__Secure-"
	if a.insecure {
		prefix = ""
	}
	return fedJar{prefix + fedCookie, "/" + realm + "/inapas"}, fedJar{prefix + fedLinkCookie, "/" + realm + "/inapas/kembali"}
}

// maxFedNext bounds the page a login goes on to, in an entry; a longer
// one is dropped (the login goes to the account's page).
const maxFedNext = 256

// fedEntry is one start's entry in the binding cookie.
type fedEntry struct {
	intent, binding, next, key string
	exp                        int64
}

// stateKey names an answer's start by its state.
func stateKey(state string) string {
	if state == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:8])
}

// stateKeyOf is stateKey of an authorization URL's state.
func stateKeyOf(authURL string) string {
	u, err := url.Parse(authURL)
	if err != nil {
		return ""
	}
	return stateKey(u.Query().Get("state"))
}

// fedEntries reads the binding cookie's unexpired entries; malformed ones
// are dropped.
func (a *app) fedEntries(r *http.Request, jar fedJar) []fedEntry {
	c, err := r.Cookie(jar.name)
	if err != nil {
		return nil
	}
	now := a.now().Unix()
	var out []fedEntry
	for i, raw := range strings.Split(c.Value, "~") {
		if i == auth.MaxFederationBindings {
			break
		}
		f := strings.Split(raw, ".")
		if len(f) != 5 || (f[0] != "m" && f[0] != "l" && f[0] != "v") || f[1] == "" || f[3] == "" {
			continue
		}
		next, err := base64.RawURLEncoding.DecodeString(f[2])
		exp, eerr := strconv.ParseInt(f[4], 10, 64)
		if err != nil || eerr != nil || exp <= now {
			continue
		}
		out = append(out, fedEntry{intent: f[0], binding: f[1], next: string(next), key: f[3], exp: exp})
	}
	return out
}

// writeFedEntries sets the binding cookie to entries (the newest first),
// at most auth.MaxFederationBindings, until the newest expires; none
// clears it.
func (a *app) writeFedEntries(w http.ResponseWriter, jar fedJar, entries []fedEntry) {
	ck := &http.Cookie{Name: jar.name, Path: jar.path, MaxAge: -1,
		Secure: !a.insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode}
	if len(entries) > auth.MaxFederationBindings {
		entries = entries[:auth.MaxFederationBindings]
	}
	parts := make([]string, 0, len(entries))
	var last int64
	for _, e := range entries {
		next := e.next
		if len(next) > maxFedNext {
			next = ""
		}
		parts = append(parts, e.intent+"."+e.binding+"."+base64.RawURLEncoding.EncodeToString([]byte(next))+"."+e.key+"."+strconv.FormatInt(e.exp, 10))
		last = max(last, e.exp)
	}
	if len(parts) > 0 {
		ck.Value = strings.Join(parts, "~")
		ck.MaxAge = max(int(time.Unix(last, 0).Sub(a.now())/time.Second), 1)
	}
	http.SetCookie(w, ck)
}

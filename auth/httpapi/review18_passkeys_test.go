package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/masuk-id/masuk/auth"
)

// Finding 8: httpapi does not know passkeys, and the auth change did not
// tell it. On the branch as it is, five of its tests fail: every GET
// /factors answers a "passkeys" member its document forbids
// (FactorsSummary has additionalProperties false). A portal that turns
// passkeys on for a realm the API serves gets worse: the login of an
// account without a factor (SecondFactorMandatory) answers methods
// ["passkey", ...] outside the document's Method enum, passkey first, and
// the API has no route to enroll one or to answer the second step's
// passkey; a SecondFactorPhishingResistant realm answers ["passkey"]
// alone, and its accounts cannot log in through the API at all.
// httpapi.New accepts such a realm in silence.
func TestReview18Finding8HTTPAPIWithPasskeys(t *testing.T) {
	rs := realms()
	pk := auth.PasskeyPolicy{RPID: "app.example.go.id", Origins: []string{origin}}
	rs["wajib"] = auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorMandatory}, Passkeys: pk}
	rs["kunci"] = auth.Realm{SecondFactor: auth.SecondFactorPolicy{Requirement: auth.SecondFactorPhishingResistant}, Passkeys: pk}
	e := newEnvOf(t, rs, []string{"bebas", "wajib", "kunci"})
	e.register("kunci", "ani", "ani@example.id", pw)
	a := e.post("/kunci/login", map[string]any{"username": "ani", "password": pw}, "")
	e.expect(a, http.StatusUnauthorized, "enrollment_required")
	methods := obj(a.body, "error", "enrollment")["methods"]
	t.Logf("kunci enrollment: %v", a.body)
	assert.NotEqual(t, []any{"passkey"}, methods, "finding 8: the API offers a method it cannot serve")
}

package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/store/memstore"
)

// TestDocumentMatchesRoutes: every route has its operation in the
// document, of the same method, access and body, and every operation its
// route; for a handler of realms by path and one of a single realm.
func TestDocumentMatchesRoutes(t *testing.T) {
	a, err := auth.New(auth.Config{Store: memstore.New()})
	require.NoError(t, err)
	for name, cfg := range map[string]Config{
		"realm by path": {Auth: a, BasePath: "/api"},
		"one realm":     {Auth: a, Realm: "lpse"},
	} {
		t.Run(name, func(t *testing.T) {
			h, err := New(cfg)
			require.NoError(t, err)
			doc, err := openapi3.NewLoader().LoadFromData(h.doc)
			require.NoError(t, err)
			require.NoError(t, doc.Validate(context.Background()))
			prefix := "/{realm}"
			if cfg.Realm != "" {
				prefix = ""
			}
			want := []string{"GET /openapi.json"}
			for _, rt := range routes {
				key := rt.method + " " + prefix + rt.path
				want = append(want, key)
				item := doc.Paths.Value(prefix + rt.path)
				require.NotNil(t, item, "%s has no path in openapi.json", key)
				op := item.GetOperation(rt.method)
				require.NotNil(t, op, "%s has no operation in openapi.json", key)
				assert.Equal(t, rt.access == bearer, op.Security != nil && len(*op.Security) > 0, "%s: security", key)
				switch rt.body {
				case noBody:
					assert.Nil(t, op.RequestBody, "%s reads no body", key)
				default:
					require.NotNil(t, op.RequestBody, "%s reads a body", key)
					assert.Equal(t, rt.body != optionalBody, op.RequestBody.Value.Required, "%s: body required", key)
					assert.NotNil(t, op.RequestBody.Value.Content.Get("application/json"), "%s: JSON body", key)
				}
				for status, resp := range op.Responses.Map() {
					if strings.HasSuffix(status, "XX") {
						assert.Equal(t, "#/components/responses/Error", resp.Ref, "%s %s", key, status)
					}
				}
				assert.NotNil(t, op.Responses.Value("4XX"), "%s: errors", key)
				assert.NotNil(t, op.Responses.Value("5XX"), "%s: errors", key)
				if cfg.Realm == "" {
					assert.Equal(t, "#/components/parameters/realm", item.Parameters[0].Ref, "%s: the realm", key)
				}
			}
			var got []string
			for path, item := range doc.Paths.Map() {
				for method := range item.Operations() {
					got = append(got, method+" "+path)
				}
			}
			sort.Strings(want)
			sort.Strings(got)
			assert.Equal(t, want, got)
		})
	}
}

// TestRequestErrorsAre4xx: the errors the handler answers on its own are
// 4xx, which the document's 4XX covers, in both languages.
func TestRequestErrorsAre4xx(t *testing.T) {
	for _, e := range []*requestError{errNoRoute, errMethod, errOrigin, errTooLarge, errMediaType, errCaptchaMany, malformed()} {
		assert.GreaterOrEqual(t, e.status, 400)
		assert.Less(t, e.status, 500)
		assert.NotEqual(t, e.msg[0], e.msg[1], "translated")
		assert.NotEmpty(t, http.StatusText(e.status))
	}
	for code, msg := range fieldMessages {
		assert.NotEqual(t, msg[0], msg[1], "%s is translated", code)
	}
}

// TestEveryBodyIsStrict: every route that reads a body refuses a field
// it does not have, and changes nothing.
func TestEveryBodyIsStrict(t *testing.T) {
	kit := authtest.New(t, auth.Config{})
	ctx := context.Background()
	reg, err := kit.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Password: "nasi uduk betawi pagi"})
	require.NoError(t, err)
	ns, err := kit.Auth.Sessions().Start(ctx, auth.StartSession{Account: reg.Account})
	require.NoError(t, err)
	h, err := New(Config{Auth: kit.Auth})
	require.NoError(t, err)
	for _, rt := range routes {
		if rt.body == noBody {
			continue
		}
		path := "/lpse" + strings.NewReplacer("{id}", "x", "{provider}", "inapas").Replace(rt.path)
		r := httptest.NewRequest(rt.method, path, strings.NewReader(`{"zzz": 1}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+ns.Token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusBadRequest, w.Code, "%s %s", rt.method, rt.path)
		assert.Contains(t, w.Body.String(), `"field":"zzz","code":"unknown_field"`, "%s %s", rt.method, rt.path)
	}
	_, err = kit.Auth.Sessions().Load(ctx, ns.Token)
	assert.NoError(t, err, "the session lives on")
}

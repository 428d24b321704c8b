package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/httpapi"
	"github.com/masuk-id/masuk/store/memstore"
)

// A portal mounts the API under /api/; an app registers, logs in and
// sends the session's token as a bearer token.
func ExampleNew() {
	a, err := auth.New(auth.Config{Store: memstore.New()})
	if err != nil {
		panic(err)
	}
	api, err := httpapi.New(httpapi.Config{Auth: a, BasePath: "/api", Realms: []string{"lpse"}})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	send := func(method, path, body, token string) map[string]any {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", "en")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		fmt.Print(resp.StatusCode)
		return v
	}

	v := send("POST", "/api/lpse/register", `{"username": "Budi", "password": "nasi uduk betawi pagi"}`, "")
	fmt.Println("", v["activation"])
	v = send("POST", "/api/lpse/login", `{"username": "budi", "password": "nasi uduk betawi"}`, "")
	fmt.Println("", v["error"].(map[string]any)["message"])
	v = send("POST", "/api/lpse/login", `{"username": "budi", "password": "nasi uduk betawi pagi"}`, "")
	token := v["session"].(map[string]any)["token"].(string)
	fmt.Println("", v["account"].(map[string]any)["username"])
	v = send("GET", "/api/lpse/account", "", token)
	fmt.Println("", v["account"].(map[string]any)["state"])
	send("POST", "/api/lpse/logout", "", token)
	fmt.Println()
	v = send("GET", "/api/lpse/account", "", token)
	fmt.Println("", v["error"].(map[string]any)["code"])
	// Output:
	// 202 none
	// 401 Wrong username or password.
	// 200 Budi
	// 200 active
	// 204
	// 401 unauthenticated
}

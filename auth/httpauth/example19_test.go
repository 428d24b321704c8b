package httpauth_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/store/memstore"
)

// A portal's login form and a page only its members see: the middleware
// loads the session from the cookie, RequireAuth sends the others to the
// login page, and the login handler begins the session and sets the
// cookie once both steps passed.
func ExampleNew() {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC) // time.Now in a server
	clock := func() time.Time { return now }
	a, err := auth.New(auth.Config{
		Store:  memstore.New(),
		Hasher: &authtest.Hasher{}, // the default argon2id in a server
		Now:    clock,
	})
	if err != nil {
		panic(err)
	}
	if _, err := a.Accounts().Register(context.Background(), auth.Registration{Realm: "lpse", Username: "budi", Password: "kopi tubruk di pagi hari"}); err != nil {
		panic(err)
	}
	sessions, err := httpauth.New(httpauth.Config{Auth: a, LoginURL: "/masuk", Now: clock})
	if err != nil {
		panic(err)
	}

	mux := http.NewServeMux()
	login := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := a.Logins().Login(r.Context(), auth.LoginRequest{
			Realm: "lpse", Username: r.FormValue("username"), Password: r.FormValue("password"),
			Device: sessions.Device(r, "lpse"), Request: sessions.Request(r),
		})
		if sessions.SetPending(w, err) {
			http.Redirect(w, r, "/masuk/kode", http.StatusSeeOther) // the second step's form
			return
		}
		if err != nil {
			httpauth.WriteError(w, err) // 401 for a wrong password, 429 for a lock
			return
		}
		if _, err := sessions.Begin(w, r, res.Account); err != nil {
			httpauth.WriteError(w, err)
			return
		}
		http.Redirect(w, r, "/akun", http.StatusSeeOther)
	})
	mux.Handle("POST /masuk", http.NewCrossOriginProtection().Handler(login))
	mux.Handle("GET /akun", sessions.RequireAuth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := httpauth.PrincipalFrom(r.Context())
		fmt.Fprintln(w, "Selamat datang,", p.Username)
	})))
	portal := sessions.Middleware(mux)

	// A browser, played by httptest: it keeps the cookies it is given.
	var jar []*http.Cookie
	do := func(method, path string, form url.Values) *http.Response {
		r := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		r.Header.Set("Accept", "text/html")
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range jar {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		portal.ServeHTTP(w, r)
		res := w.Result()
		jar = append(jar, res.Cookies()...)
		return res
	}

	res := do("GET", "/akun", nil)
	fmt.Println(res.StatusCode, res.Header.Get("Location"))
	res = do("POST", "/masuk", url.Values{"username": {"budi"}, "password": {"teh manis"}})
	fmt.Println(res.StatusCode)
	res = do("POST", "/masuk", url.Values{"username": {"budi"}, "password": {"kopi tubruk di pagi hari"}})
	fmt.Println(res.StatusCode, res.Header.Get("Location"), res.Cookies()[0].Name)
	res = do("GET", "/akun", nil)
	page, _ := io.ReadAll(res.Body)
	fmt.Println(res.StatusCode, res.Header.Get("Cache-Control"))
	fmt.Print(string(page))
	// Output:
	// 303 /masuk?next=%2Fakun
	// 401
	// 303 /akun __Host-masuk
	// 200 no-store
	// Selamat datang, budi
}

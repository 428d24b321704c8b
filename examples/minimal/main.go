// Command minimal is the smallest useful integration of masuk: a login
// form, lockout after five wrong passwords, a page only a logged-in person
// sees, and logout, on an http.ServeMux and memstore.
//
//	cd examples && go run ./minimal    # then open http://127.0.0.1:8081, budi / kopi tubruk pagi
package main

import (
	"context"
	"fmt"
	"html"
	"log"
	"net/http"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/httpauth"
	"github.com/masuk-id/masuk/store/memstore"
)

const form = `<form method="post" action="/login"><p>%s</p>
<input name="username" placeholder="username"> <input name="password" type="password" placeholder="password">
<button>Masuk</button></form>`

func main() {
	h, err := newHandler()
	if err != nil {
		log.Fatal(err)
	}
	log.Println("listening on http://127.0.0.1:8081")
	log.Fatal(http.ListenAndServe("127.0.0.1:8081", h))
}

func newHandler() (http.Handler, error) {
	a, err := auth.New(auth.Config{Store: memstore.New()})
	if err != nil {
		return nil, err
	}
	if _, err := a.Accounts().Register(context.Background(), auth.Registration{Realm: "demo", Username: "budi", Password: "kopi tubruk pagi"}); err != nil {
		return nil, err
	}
	// Insecure: plain http on localhost only; in production, serve https.
	s, err := httpauth.New(httpauth.Config{Auth: a, Insecure: true})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if p, ok := httpauth.PrincipalFrom(r.Context()); ok {
			fmt.Fprintf(w, `<p>Halo, %s.</p><form method="post" action="/logout"><button>Keluar</button></form>`, html.EscapeString(p.Username))
			return
		}
		fmt.Fprintf(w, form, "")
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		res, err := a.Logins().Login(r.Context(), auth.LoginRequest{Realm: "demo", Username: r.FormValue("username"), Password: r.FormValue("password"), Request: s.Request(r)})
		if err != nil {
			// Classify says what the error means to the person who typed:
			// a wrong password and an unknown username read the same, and
			// a lock says until when.
			o := auth.Classify(err)
			msg := o.Message("id")
			if !o.RetryAt.IsZero() {
				msg += " Terkunci sampai " + o.RetryAt.Format("15:04:05") + "."
			}
			fmt.Fprintf(w, form, html.EscapeString(msg))
			return
		}
		if _, err := s.Begin(w, r, res.Account); err != nil {
			httpauth.WriteError(w, err)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.Handle("/logout", s.LogoutHandler("/"))
	return http.NewCrossOriginProtection().Handler(s.Middleware(mux)), nil
}

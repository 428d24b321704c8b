package captcha

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/masuk-id/masuk/store"
)

// Handler serves the media of live challenges: GET ?id=ID for the PNG,
// GET ?id=ID&audio=id (or en) for the WAV, with Cache-Control: no-store so
// that no cache keeps a challenge. An unknown or expired challenge is 404.
// Mount it where the login page's <img> and <audio> elements point, e.g.
// mux.Handle("GET /captcha", svc.Handler()).
func (s *Service) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		id := r.URL.Query().Get("id")
		var body []byte
		var err error
		if lang := r.URL.Query().Get("audio"); lang != "" {
			h.Set("Content-Type", "audio/wav")
			body, err = s.Audio(r.Context(), id, lang)
		} else {
			h.Set("Content-Type", "image/png")
			body, err = s.Image(r.Context(), id)
		}
		switch {
		case errors.Is(err, store.ErrNotFound), errors.Is(err, ErrLanguage):
			h.Del("Content-Type")
			http.Error(w, "no such challenge", http.StatusNotFound)
			return
		case err != nil:
			h.Del("Content-Type")
			http.Error(w, "captcha unavailable", http.StatusServiceUnavailable)
			return
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body)
	})
}

// Package fakepwned is a Pwned Passwords range API for masuk's own tests:
// a local server that answers as api.pwnedpasswords.com does, from a
// corpus the test gives, records what it was asked, and fails on demand.
//
// It answers GET /range/{5 hex digits} with 200 and the corpus's hashes
// in that range as lines "SUFFIX:COUNT" (35 upper-case hex digits, a
// colon, a decimal count), sorted, separated by CRLF, with no line ending
// after the last; with the header "Add-Padding: true", it adds lines of
// random suffixes and count 0 until the range holds 800 to 1,000 lines. A
// prefix that is not 5 hex digits gets 400, another method 405.
package fakepwned

import (
	"crypto/sha1"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Server is a fake range API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the server's base URL, such as http://127.0.0.1:34567.
	URL string

	ranges map[string]map[string]int // prefix → suffix → count

	mu       sync.Mutex
	requests []Request
	fault    http.HandlerFunc
}

// Request is what the server was asked.
type Request struct {
	Method   string
	Path     string // as sent, not decoded
	RawQuery string
	Header   http.Header
}

// New starts a Server whose corpus has each password of corpus seen the
// given number of times, and stops it when the test ends.
func New(tb testing.TB, corpus map[string]int) *Server {
	tb.Helper()
	s := NewHandler(corpus)
	srv := httptest.NewServer(s)
	tb.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// NewHandler returns a Server that is not listening, for a test to mount
// under a path of its own; URL is empty.
func NewHandler(corpus map[string]int) *Server {
	s := &Server{ranges: map[string]map[string]int{}}
	for pw, n := range corpus {
		prefix, suffix := Hash(pw)
		if s.ranges[prefix] == nil {
			s.ranges[prefix] = map[string]int{}
		}
		s.ranges[prefix][suffix] = n
	}
	return s
}

// Hash returns the upper-case hex SHA-1 of password, split after its
// fifth digit.
func Hash(password string) (prefix, suffix string) {
	sum := sha1.Sum([]byte(password))
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	return h[:5], h[5:]
}

// Fail makes the server answer every request with h from now on; nil
// restores the range API.
func (s *Server) Fail(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = h
}

// Requests returns the requests the server has received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery, Header: r.Header.Clone()})
	fault := s.fault
	s.mu.Unlock()
	if fault != nil {
		fault(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "Method not allowed", http.StatusMethodNotAllowed)
		return
	}
	prefix, ok := strings.CutPrefix(r.URL.Path, "/range/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	prefix = strings.ToUpper(prefix)
	if len(prefix) != 5 || strings.Trim(prefix, "0123456789ABCDEF") != "" {
		http.Error(w, "The hash prefix was not in a valid format", http.StatusBadRequest)
		return
	}
	var lines []string
	for suffix, n := range s.ranges[prefix] {
		lines = append(lines, suffix+":"+strconv.Itoa(n))
	}
	if r.Header.Get("Add-Padding") == "true" {
		for want := 800 + rand.IntN(201); len(lines) < want; {
			var b [18]byte
			for i := range b {
				b[i] = byte(rand.Uint32())
			}
			lines = append(lines, strings.ToUpper(hex.EncodeToString(b[:]))[:35]+":0")
		}
	}
	slices.Sort(lines)
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte(strings.Join(lines, "\r\n")))
}

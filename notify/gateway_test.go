package notify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/notify"
)

// code is the secret every test's SMS carries; no error, log or printed
// configuration may show it.
const code = "482913"

func sms(to string) notify.Message {
	return notify.Message{To: to, Channel: notify.SMS, Purpose: notify.SecondFactorCode, Locale: "id",
		Text: code + " adalah kode verifikasi LPSE Anda. Jangan berikan kode ini kepada siapa pun."}
}

// seen is what a gateway double received.
type seen struct {
	mu       sync.Mutex
	requests int
	method   string
	header   http.Header
	fields   map[string]string
}

func (s *seen) record(r *http.Request) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	s.method, s.header, s.fields = r.Method, r.Header.Clone(), map[string]string{}
	switch {
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		_ = json.NewDecoder(r.Body).Decode(&s.fields)
	default:
		_ = r.ParseForm()
		for k := range r.Form {
			s.fields[k] = r.Form.Get(k)
		}
	}
	return s.fields
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// zenziva answers as Zenziva's reguler API does: a form with userkey,
// passkey, to (08...) and message; {"status":"1"} when taken, another
// status and a text when not.
func zenziva(s *seen) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.record(r)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case f["userkey"] != "uk-7f3a" || f["passkey"] != "pk-91c2":
			fmt.Fprint(w, `{"status":"0","text":"Userkey atau Passkey salah"}`)
		case !strings.HasPrefix(f["to"], "08"):
			fmt.Fprintf(w, `{"status":"0","to":%q,"text":"Nomor tujuan tidak valid: %s"}`, f["to"], f["message"])
		default:
			fmt.Fprintf(w, `{"messageId":"1234567890123456789","to":%q,"status":"1","text":"Success"}`, f["to"])
		}
	}
}

// motict answers as Motict's OTP API does: JSON with phone_number in
// E.164 and the key in Authorization.
func motict(s *seen) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.record(r)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "api-key" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"Unauthorized"}`)
			return
		}
		if !strings.HasPrefix(f["phone_number"], "+62") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"message":"invalid phone number"}`)
			return
		}
		fmt.Fprint(w, `{"message":"success","data":{"id":"a1b2","request_id":"r-9","full_content":"..."}}`)
	}
}

// oca answers as OCA (Telkom) does: JSON with recipient_number starting
// 62; {"success":true} when taken, an errors list with a code when not.
func oca(s *seen) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.record(r)
		w.Header().Set("Content-Type", "application/json")
		if !strings.HasPrefix(f["recipient_number"], "62") {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"errors":[{"message":[{"value":%q,"msg":"Invalid country code","param":"recipient_number","location":"body"}],"code":"39"}]}`, f["recipient_number"])
			return
		}
		fmt.Fprint(w, `{"success":true,"msg_id":987654}`)
	}
}

// twilio answers as Twilio's Messages resource does: a form with To in
// E.164, HTTP Basic with the account SID, 201 with a sid, or an error
// object with a numeric code.
func twilio(s *seen) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := s.record(r)
		w.Header().Set("Content-Type", "application/json")
		if u, p, ok := r.BasicAuth(); !ok || u != "AC123" || p != "token" {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"code":20003,"message":"Authenticate","more_info":"https://www.twilio.com/docs/errors/20003","status":401}`)
			return
		}
		if f["To"] == "+628999999999" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"code":21211,"message":"The 'To' number is not a valid phone number.","status":400}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"sid":"SM0123456789abcdef","status":"queued","error_code":null}`)
	}
}

func newGateway(t *testing.T, h http.Handler, cfg notify.GatewayConfig) *notify.Gateway {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	if cfg.URL == "" {
		cfg.URL = srv.URL + "/send"
	} else {
		cfg.URL = srv.URL + cfg.URL
	}
	g, err := notify.NewGateway(cfg)
	require.NoError(t, err)
	return g
}

// noSecret checks that nothing a host may log shows the code or a
// credential.
func noSecret(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{code, "pk-91c2", "uk-7f3a", "api-key", "token", "tok-123"} {
			assert.NotContains(t, s, secret, "%q shows a secret", s)
		}
	}
}

func TestGatewayIndonesianGateways(t *testing.T) {
	t.Run("zenziva", func(t *testing.T) {
		s := &seen{}
		g := newGateway(t, zenziva(s), notify.GatewayConfig{Name: "zenziva", Number: notify.National,
			Params: map[string]string{"userkey": "uk-7f3a", "passkey": "pk-91c2"}, SuccessPath: "status", SuccessValue: "1", IDPath: "messageId"})
		rc, err := g.Deliver(t.Context(), sms("+6281234567890"))
		require.NoError(t, err)
		assert.Equal(t, "1234567890123456789", rc.ID, "a long ID keeps its digits")
		assert.Equal(t, http.MethodPost, s.method)
		assert.Equal(t, "081234567890", s.fields["to"])
		assert.Equal(t, sms("").Text, s.fields["message"])

		// A refusal in a 200 reply is an error; the reply's text, which
		// repeats the message here, is not kept.
		bad := newGateway(t, zenziva(&seen{}), notify.GatewayConfig{Name: "zenziva", Number: notify.National,
			Params: map[string]string{"userkey": "uk-7f3a", "passkey": "wrong"}, SuccessPath: "status", SuccessValue: "1", ErrorCodePath: "status"})
		err = bad.Send(t.Context(), sms("+6281234567890"))
		var ge *notify.GatewayError
		require.ErrorAs(t, err, &ge)
		assert.ErrorIs(t, err, notify.ErrRejected)
		assert.Equal(t, 200, ge.Status)
		assert.Equal(t, "0", ge.Code)
		assert.False(t, ge.Temporary)
		noSecret(t, err.Error())
	})
	t.Run("motict", func(t *testing.T) {
		s := &seen{}
		g := newGateway(t, motict(s), notify.GatewayConfig{Name: "motict", Encoding: notify.JSON, ToField: "phone_number",
			Header: "Authorization", HeaderValue: "api-key", SuccessPath: "message", SuccessValue: "success", IDPath: "data.id"})
		rc, err := g.Deliver(t.Context(), sms("+6281234567890"))
		require.NoError(t, err)
		assert.Equal(t, "a1b2", rc.ID)
		assert.Equal(t, "+6281234567890", s.fields["phone_number"])
		assert.Equal(t, "application/json", s.header.Get("Content-Type"))

		bad := newGateway(t, motict(&seen{}), notify.GatewayConfig{Name: "motict", Encoding: notify.JSON, ToField: "phone_number",
			Header: "Authorization", HeaderValue: "tok-123", SuccessPath: "message", SuccessValue: "success"})
		err = bad.Send(t.Context(), sms("+6281234567890"))
		var ge *notify.GatewayError
		require.ErrorAs(t, err, &ge)
		assert.Equal(t, 401, ge.Status)
		assert.False(t, ge.Temporary)
		noSecret(t, err.Error(), fmt.Sprint(bad), fmt.Sprintf("%#v", bad))
	})
	t.Run("oca", func(t *testing.T) {
		s := &seen{}
		g := newGateway(t, oca(s), notify.GatewayConfig{Name: "oca", Encoding: notify.JSON, ToField: "recipient_number",
			TextField: "message_body", FromField: "sender_id", From: "LPSE", Number: notify.International,
			BearerToken: "tok-123", SuccessPath: "success", IDPath: "msg_id", ErrorCodePath: "errors.0.code"})
		rc, err := g.Deliver(t.Context(), sms("+6281234567890"))
		require.NoError(t, err)
		assert.Equal(t, "987654", rc.ID)
		assert.Equal(t, map[string]string{"recipient_number": "6281234567890", "message_body": sms("").Text, "sender_id": "LPSE"}, s.fields)
		assert.Equal(t, "Bearer tok-123", s.header.Get("Authorization"))

		// The same gateway given the wrong number format: its error code,
		// from the path into its errors list.
		bad := newGateway(t, oca(&seen{}), notify.GatewayConfig{Name: "oca", Encoding: notify.JSON, ToField: "recipient_number",
			TextField: "message_body", Number: notify.National, SuccessPath: "success", ErrorCodePath: "errors.0.code"})
		err = bad.Send(t.Context(), sms("+6281234567890"))
		var ge *notify.GatewayError
		require.ErrorAs(t, err, &ge)
		assert.Equal(t, "39", ge.Code)
		assert.Equal(t, `notify: oca: status 400: code "39": notify: the gateway refused the message`, err.Error())
	})
	t.Run("twilio", func(t *testing.T) {
		s := &seen{}
		g := newGateway(t, twilio(s), notify.GatewayConfig{Name: "twilio", ToField: "To", TextField: "Body", FromField: "MessagingServiceSid",
			From: "MG42", Username: "AC123", Password: "token", IDPath: "sid", ErrorCodePath: "code"})
		rc, err := g.Deliver(t.Context(), sms("+6281234567890"))
		require.NoError(t, err)
		assert.Equal(t, "SM0123456789abcdef", rc.ID)
		assert.Equal(t, "MG42", s.fields["MessagingServiceSid"])

		err = g.Send(t.Context(), sms("+628999999999"))
		var ge *notify.GatewayError
		require.ErrorAs(t, err, &ge)
		assert.Equal(t, "21211", ge.Code, "a numeric code, as written")
		assert.Equal(t, 400, ge.Status)
		noSecret(t, err.Error(), fmt.Sprint(g))
	})
}

func TestGatewayRetriesServerErrorsOnly(t *testing.T) {
	var calls atomic.Int32
	fail := 2
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(calls.Add(1)) <= fail {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		fmt.Fprint(w, `{"status":"1"}`)
	})
	g := newGateway(t, h, notify.GatewayConfig{RetryWait: time.Millisecond, SuccessPath: "status", SuccessValue: "1"})
	require.NoError(t, g.Send(t.Context(), sms("+6281234567890")))
	assert.Equal(t, int32(3), calls.Load(), "two 502s, then taken")

	// Past the retries: the last 5xx, temporary.
	calls.Store(0)
	fail = 10
	err := g.Send(t.Context(), sms("+6281234567890"))
	var ge *notify.GatewayError
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, 502, ge.Status)
	assert.True(t, ge.Temporary)
	assert.Equal(t, int32(3), calls.Load(), "once and two retries")

	// Retries < 0: once.
	calls.Store(0)
	once := newGateway(t, h, notify.GatewayConfig{Retries: -1})
	require.Error(t, once.Send(t.Context(), sms("+6281234567890")))
	assert.Equal(t, int32(1), calls.Load())

	// A 4xx and a 429 are not sent again; a 429 is temporary.
	for status, temporary := range map[int]bool{http.StatusBadRequest: false, http.StatusTooManyRequests: true} {
		var n atomic.Int32
		g := newGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(status)
		}), notify.GatewayConfig{RetryWait: time.Millisecond})
		err := g.Send(t.Context(), sms("+6281234567890"))
		require.ErrorAs(t, err, &ge)
		assert.Equal(t, temporary, ge.Temporary, "%d", status)
		assert.Equal(t, int32(1), n.Load(), "%d", status)
	}
}

// A timeout may come after the gateway sent the message: it is not
// retried (the person asks again), it is temporary, and it keeps no URL
// (a Query gateway's URL holds the message).
func TestGatewayTimeoutIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer close(release)
	g, err := notify.NewGateway(notify.GatewayConfig{URL: srv.URL + "/send?user=u", Encoding: notify.Query, Timeout: 50 * time.Millisecond, RetryWait: time.Millisecond})
	require.NoError(t, err)
	err = g.Send(t.Context(), sms("+6281234567890"))
	var ge *notify.GatewayError
	require.ErrorAs(t, err, &ge)
	assert.True(t, ge.Temporary)
	assert.Zero(t, ge.Status)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int32(1), calls.Load())
	noSecret(t, err.Error())
	assert.NotContains(t, err.Error(), "8123456789")
}

func TestGatewayQuery(t *testing.T) {
	s := &seen{}
	g := newGateway(t, zenziva(s), notify.GatewayConfig{URL: "/api?userkey=uk-7f3a", Encoding: notify.Query, Number: notify.National,
		Params: map[string]string{"passkey": "pk-91c2"}, SuccessPath: "status", SuccessValue: "1"})
	require.NoError(t, g.Send(t.Context(), sms("+6281234567890")))
	assert.Equal(t, http.MethodGet, s.method)
	assert.Equal(t, "081234567890", s.fields["to"])
	assert.Equal(t, "uk-7f3a", s.fields["userkey"], "the URL's own query stays")
}

// Nothing is requested for a message the gateway cannot send.
func TestGatewayRefusesBeforeSending(t *testing.T) {
	s := &seen{}
	g := newGateway(t, zenziva(s), notify.GatewayConfig{Number: notify.National})
	email := notify.Message{To: "budi@example.go.id", Channel: notify.Email, Locale: "id", Subject: "x", Text: "x"}
	assert.ErrorIs(t, g.Send(t.Context(), email), notify.ErrUnsupportedChannel)
	assert.ErrorIs(t, g.Send(t.Context(), sms("0812345678")), notify.ErrInvalidRecipient)
	err := g.Send(t.Context(), sms("+6591234567"))
	assert.ErrorIs(t, err, notify.ErrInvalidRecipient, "a national-format gateway reaches Indonesia only")
	m := sms("+6281234567890")
	m.Text = ""
	assert.ErrorIs(t, g.Send(t.Context(), m), notify.ErrInvalidMessage)
	assert.Zero(t, s.count())
}

// A reply larger than anything a gateway answers is read only so far,
// and a success reply that is not JSON does not pass a SuccessPath.
func TestGatewayReplies(t *testing.T) {
	big := newGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"status":"1","pad":"`)
		_, _ = io.Copy(w, io.LimitReader(neverEnding('a'), 10<<20))
		fmt.Fprint(w, `"}`)
	}), notify.GatewayConfig{SuccessPath: "status", SuccessValue: "1"})
	err := big.Send(t.Context(), sms("+6281234567890"))
	assert.ErrorIs(t, err, notify.ErrRejected, "cut at the limit, the reply is not JSON")

	html := newGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<html>OK</html>`)
	}), notify.GatewayConfig{SuccessPath: "status"})
	assert.ErrorIs(t, html.Send(t.Context(), sms("+6281234567890")), notify.ErrRejected)

	for body, ok := range map[string]bool{`{"sid":"SM1"}`: true, `{"sid":""}`: false, `{"sid":null}`: false, `{"sid":false}`: false, `{}`: false, `{"sid":0}`: true} {
		g := newGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }), notify.GatewayConfig{SuccessPath: "sid"})
		err := g.Send(t.Context(), sms("+6281234567890"))
		assert.Equal(t, ok, err == nil, "%s: %v", body, err)
	}
	// Without a SuccessPath a 2xx is enough, whatever its body.
	plain := newGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "OK") }), notify.GatewayConfig{})
	assert.NoError(t, plain.Send(t.Context(), sms("+6281234567890")))
	// A redirect is not followed: a gateway that moved is refused.
	moved := newGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://elsewhere.example/send", http.StatusFound)
	}), notify.GatewayConfig{})
	var ge *notify.GatewayError
	require.ErrorAs(t, moved.Send(t.Context(), sms("+6281234567890")), &ge)
	assert.Equal(t, http.StatusFound, ge.Status)
}

type neverEnding byte

func (b neverEnding) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestNewGatewayRefuses(t *testing.T) {
	cases := map[string]notify.GatewayConfig{
		"no URL":              {},
		"relative URL":        {URL: "/send"},
		"plain http":          {URL: "http://gateway.example/send"},
		"credentials in URL":  {URL: "https://user:pw@gateway.example/send"},
		"unknown encoding":    {URL: "https://gateway.example", Encoding: 9},
		"unknown number":      {URL: "https://gateway.example", Number: 9},
		"two auths":           {URL: "https://gateway.example", Username: "a", BearerToken: "b"},
		"password alone":      {URL: "https://gateway.example", Password: "p"},
		"header without":      {URL: "https://gateway.example", Header: "X-Key"},
		"bad header":          {URL: "https://gateway.example", Header: "X Key", HeaderValue: "v"},
		"line break":          {URL: "https://gateway.example", BearerToken: "a\r\nX-Evil: 1"},
		"value without path":  {URL: "https://gateway.example", SuccessValue: "1"},
		"negative timeout":    {URL: "https://gateway.example", Timeout: -1},
		"param is the text":   {URL: "https://gateway.example", Params: map[string]string{"message": "x"}},
		"to is text":          {URL: "https://gateway.example", ToField: "m", TextField: "m"},
		"from is to":          {URL: "https://gateway.example", FromField: "to"},
		"ftp":                 {URL: "ftp://gateway.example/send"},
		"opaque":              {URL: "https:gateway.example"},
		"negative retry wait": {URL: "https://gateway.example", RetryWait: -time.Second},
	}
	for name, cfg := range cases {
		_, err := notify.NewGateway(cfg)
		assert.ErrorIs(t, err, notify.ErrConfig, name)
	}
	for _, ok := range []string{"https://gateway.example/send", "http://127.0.0.1:8080/send", "http://localhost/send", "http://[::1]/x"} {
		_, err := notify.NewGateway(notify.GatewayConfig{URL: ok})
		assert.NoError(t, err, ok)
	}
	// A host that changes its map after NewGateway changes nothing.
	params := map[string]string{"userkey": "uk-7f3a", "passkey": "pk-91c2"}
	s := &seen{}
	g := newGateway(t, zenziva(s), notify.GatewayConfig{Number: notify.National, Params: params, SuccessPath: "status", SuccessValue: "1"})
	params["passkey"] = "changed"
	require.NoError(t, g.Send(t.Context(), sms("+6281234567890")))
	cfg := notify.GatewayConfig{URL: "https://gateway.example", Params: params, Username: "AC123", Password: "token", BearerToken: "tok-123"}
	noSecret(t, cfg.String(), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg))
}

// Concurrent sends share a Gateway.
func TestGatewayConcurrent(t *testing.T) {
	s := &seen{}
	g := newGateway(t, zenziva(s), notify.GatewayConfig{Number: notify.National, Params: map[string]string{"userkey": "uk-7f3a", "passkey": "pk-91c2"}, SuccessPath: "status", SuccessValue: "1"})
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() { errs <- g.Send(context.Background(), sms("+6281234567890")) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, 20, s.count())
}

// Found in review: a host's own Client (for a proxy, or private roots)
// followed a gateway's redirect to another host over plain http, with the
// credentials, the header and the code. A Gateway follows none, whatever
// its client.
func TestGatewayHostClientFollowsNoRedirect(t *testing.T) {
	s := &seen{}
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.record(r)
		fmt.Fprint(w, `{"status":"1"}`)
	}))
	defer evil.Close()
	gw := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer gw.Close()
	for _, client := range []*http.Client{gw.Client(), {Transport: gw.Client().Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}} {
		g, err := notify.NewGateway(notify.GatewayConfig{URL: gw.URL + "/send", Client: client, Header: "X-Key", HeaderValue: "api-key",
			Params: map[string]string{"passkey": "pk-91c2"}, SuccessPath: "status", SuccessValue: "1"})
		require.NoError(t, err)
		var ge *notify.GatewayError
		require.ErrorAs(t, g.Send(t.Context(), sms("+6281234567890")), &ge)
		assert.Equal(t, http.StatusTemporaryRedirect, ge.Status)
	}
	assert.Zero(t, s.count(), "nothing reached the redirect's target")
}

// Found in review: a URL's query (a gateway's userkey and passkey) was
// printed with the configuration and in NewGateway's errors; a NUL in a
// credential was accepted and failed every send.
func TestGatewayConfigHidesTheQuery(t *testing.T) {
	cfg := notify.GatewayConfig{URL: "https://console.zenziva.net/api?userkey=uk-7f3a&passkey=pk-91c2", Encoding: notify.Query}
	noSecret(t, cfg.String(), fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg))
	assert.Contains(t, cfg.String(), "https://console.zenziva.net/api")
	for _, u := range []string{"https:zenziva.net/api?passkey=pk-91c2", "http://zenziva.net/api?passkey=pk-91c2", "https://[::1/x?passkey=pk-91c2"} {
		_, err := notify.NewGateway(notify.GatewayConfig{URL: u})
		require.ErrorIs(t, err, notify.ErrConfig, u)
		noSecret(t, err.Error())
	}
	wa := notify.WhatsAppConfig{BaseURL: "https://graph.example/v23.0?access_token=tok-123", Token: "tok-123"}
	noSecret(t, wa.String(), fmt.Sprintf("%v %#v", wa, wa))
	for _, cfg := range []notify.GatewayConfig{
		{URL: "https://gw.example", Header: "X-Key", HeaderValue: "abc\x00def"},
		{URL: "https://gw.example", BearerToken: "abc\x7f"},
		{URL: "https://gw.example", Username: "u", Password: "p\tq"},
	} {
		_, err := notify.NewGateway(cfg)
		assert.ErrorIs(t, err, notify.ErrConfig)
	}
	_, err := notify.NewWhatsAppCloud(notify.WhatsAppConfig{PhoneNumberID: "1", Token: "EAAG\x00x", Template: "kode"})
	assert.ErrorIs(t, err, notify.ErrConfig)
}

// Found in review: an ID or error code from a reply reached the host's
// logs whatever its length or content.
func TestGatewayReplyTextIsBounded(t *testing.T) {
	for body, want := range map[string]string{
		`{"id":"SM1"}`: "SM1",
		`{"id":"` + strings.Repeat("x", 129) + `"}`: "",
		`{"id":"a\nFAKE LOG LINE"}`:                 "",
		`{"id":12345678901234567890}`:               "12345678901234567890",
	} {
		g := newGateway(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }), notify.GatewayConfig{IDPath: "id"})
		rc, err := g.Deliver(t.Context(), sms("+6281234567890"))
		require.NoError(t, err)
		assert.Equal(t, want, rc.ID, body)
	}
	m := sms("+6281234567890")
	m.Code = code
	assert.ErrorIs(t, m.Validate(), notify.ErrInvalidMessage, "a Code on an SMS")
}

package notify_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/notify"
)

// cloudAPI is a double of the WhatsApp Cloud API's messages endpoint. It
// checks the request as the API reference documents it and answers with
// the documented shapes: 200 with contacts and messages, or a Graph error
// object. fail, when set, names the Graph error to answer with.
type cloudAPI struct {
	mu    sync.Mutex
	calls atomic.Int32
	got   map[string]any
	fail  func(to string) (status int, code int)
}

func (c *cloudAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.calls.Add(1)
	w.Header().Set("Content-Type", "application/json")
	graphError := func(status, code int, msg string) {
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":%q,"type":"OAuthException","code":%d,"error_data":{"messaging_product":"whatsapp","details":%q},"fbtrace_id":"Az8or2yhqkZfEZ-_4Qn_Bam"}}`, msg, code, msg)
	}
	if r.Method != http.MethodPost || r.URL.Path != "/v23.0/106540352242922/messages" {
		graphError(http.StatusBadRequest, 100, "Unsupported post request")
		return
	}
	if r.Header.Get("Authorization") != "Bearer EAAG-token" {
		graphError(http.StatusUnauthorized, 190, "Error validating access token")
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		graphError(http.StatusBadRequest, 100, "Invalid parameter")
		return
	}
	c.mu.Lock()
	c.got = body
	fail := c.fail
	c.mu.Unlock()
	to, _ := body["to"].(string)
	if fail != nil {
		if status, code := fail(to); status != 0 {
			graphError(status, code, "refused")
			return
		}
	}
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA","message_status":"accepted"}]}`, to, to)
}

func (c *cloudAPI) request() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got
}

func newWhatsApp(t *testing.T, api *cloudAPI, mutate ...func(*notify.WhatsAppConfig)) *notify.WhatsAppCloud {
	t.Helper()
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	cfg := notify.WhatsAppConfig{BaseURL: srv.URL + "/v23.0", PhoneNumberID: "106540352242922", Token: "EAAG-token",
		Template: "kode_masuk", Languages: map[string]string{"id": "id", "en": "en_US"}, RetryWait: time.Millisecond}
	for _, m := range mutate {
		m(&cfg)
	}
	w, err := notify.NewWhatsAppCloud(cfg)
	require.NoError(t, err)
	return w
}

func whatsAppCode(t *testing.T, locale string) notify.Message {
	t.Helper()
	m, err := notify.RenderWhatsApp(notify.SecondFactorCode, locale, notify.Data{PortalName: "LPSE", Code: code, ExpiresIn: 5 * time.Minute})
	require.NoError(t, err)
	m.To = "+6281234567890"
	return m
}

func TestWhatsAppCloudSendsTheTemplate(t *testing.T) {
	api := &cloudAPI{}
	w := newWhatsApp(t, api)
	rc, err := w.Deliver(t.Context(), whatsAppCode(t, "en"))
	require.NoError(t, err)
	assert.Equal(t, "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA", rc.ID)
	want := `{"messaging_product":"whatsapp","recipient_type":"individual","to":"6281234567890","type":"template",
		"template":{"name":"kode_masuk","language":{"code":"en_US"},"components":[
			{"type":"body","parameters":[{"type":"text","text":"482913"}]},
			{"type":"button","sub_type":"url","index":"0","parameters":[{"type":"text","text":"482913"}]}]}}`
	got, err := json.Marshal(api.request())
	require.NoError(t, err)
	assert.JSONEq(t, want, string(got))

	// Indonesian takes the template's Indonesian language.
	require.NoError(t, w.Send(t.Context(), whatsAppCode(t, "id")))
	assert.Equal(t, map[string]any{"code": "id"}, api.request()["template"].(map[string]any)["language"])
}

func TestWhatsAppCloudErrors(t *testing.T) {
	cases := []struct {
		name      string
		status    int
		code      int
		temporary bool
		calls     int32
	}{
		{"no WhatsApp on the number", http.StatusBadRequest, 131026, false, 1},
		{"template not approved", http.StatusNotFound, 132001, false, 1},
		{"pair rate limit", http.StatusBadRequest, 131056, true, 1},
		{"throughput", http.StatusTooManyRequests, 130429, true, 1},
		{"the API's trouble, retried", http.StatusInternalServerError, 131000, true, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api := &cloudAPI{fail: func(string) (int, int) { return tc.status, tc.code }}
			err := newWhatsApp(t, api).Send(t.Context(), whatsAppCode(t, "id"))
			var ge *notify.GatewayError
			require.ErrorAs(t, err, &ge)
			assert.ErrorIs(t, err, notify.ErrRejected)
			assert.Equal(t, "whatsapp", ge.Gateway)
			assert.Equal(t, tc.status, ge.Status)
			assert.Equal(t, fmt.Sprint(tc.code), ge.Code)
			assert.Equal(t, tc.temporary, ge.Temporary)
			assert.Equal(t, tc.calls, api.calls.Load())
			noSecret(t, err.Error())
		})
	}
	// An expired token: 401, code 190, and the token never printed.
	api := &cloudAPI{}
	w := newWhatsApp(t, api, func(c *notify.WhatsAppConfig) { c.Token = "tok-123" })
	err := w.Send(t.Context(), whatsAppCode(t, "id"))
	var ge *notify.GatewayError
	require.ErrorAs(t, err, &ge)
	assert.Equal(t, "190", ge.Code)
	assert.False(t, ge.Temporary)
	noSecret(t, err.Error(), fmt.Sprint(w), fmt.Sprintf("%#v", w), notify.WhatsAppConfig{Token: "tok-123"}.String(), fmt.Sprintf("%#v", notify.WhatsAppConfig{Token: "tok-123"}))
}

func TestWhatsAppCloudRefusesBeforeSending(t *testing.T) {
	api := &cloudAPI{}
	w := newWhatsApp(t, api, func(c *notify.WhatsAppConfig) { c.Languages = map[string]string{"id": "id"} })
	sms, err := notify.RenderSMS(notify.SecondFactorCode, "id", notify.Data{PortalName: "LPSE", Code: code, ExpiresIn: time.Minute})
	require.NoError(t, err)
	sms.To = "+6281234567890"
	assert.ErrorIs(t, w.Send(t.Context(), sms), notify.ErrUnsupportedChannel)
	assert.ErrorIs(t, w.Send(t.Context(), whatsAppCode(t, "en")), notify.ErrUnsupportedLocale, "no English template")
	m := whatsAppCode(t, "id")
	m.Code = "48 29"
	assert.ErrorIs(t, w.Send(t.Context(), m), notify.ErrInvalidMessage)
	m = whatsAppCode(t, "id")
	m.To = "081234567890"
	assert.ErrorIs(t, w.Send(t.Context(), m), notify.ErrInvalidRecipient)
	assert.Zero(t, api.calls.Load())

	// Only purposes with a code go by WhatsApp.
	_, err = notify.RenderWhatsApp(notify.AccountLocked, "id", notify.Data{PortalName: "LPSE"})
	assert.ErrorIs(t, err, notify.ErrUnsupportedChannel)
	_, err = notify.RenderWhatsApp(notify.ResetLink, "id", notify.Data{PortalName: "LPSE", Link: "https://lpse.example/r", ExpiresIn: time.Hour})
	assert.ErrorIs(t, err, notify.ErrUnsupportedChannel)
	for _, p := range []notify.Purpose{notify.ResetCode, notify.ActivationCode, notify.SecondFactorCode} {
		m, err := notify.RenderWhatsApp(p, "en", notify.Data{PortalName: "LPSE", Code: code, ExpiresIn: time.Hour})
		require.NoError(t, err, p)
		assert.Equal(t, notify.WhatsApp, m.Channel)
		assert.Equal(t, code, m.Code)
		got, ok := notify.ExtractCode(m)
		assert.True(t, ok)
		assert.Equal(t, code, got)
	}
}

func TestNewWhatsAppCloudRefuses(t *testing.T) {
	ok := notify.WhatsAppConfig{PhoneNumberID: "106540352242922", Token: "t", Template: "kode_masuk"}
	_, err := notify.NewWhatsAppCloud(ok)
	require.NoError(t, err, "the default base URL")
	for name, mutate := range map[string]func(*notify.WhatsAppConfig){
		"plain http":      func(c *notify.WhatsAppConfig) { c.BaseURL = "http://graph.example/v23.0" },
		"no number":       func(c *notify.WhatsAppConfig) { c.PhoneNumberID = "" },
		"number not ID":   func(c *notify.WhatsAppConfig) { c.PhoneNumberID = "../me" },
		"no token":        func(c *notify.WhatsAppConfig) { c.Token = "" },
		"token injection": func(c *notify.WhatsAppConfig) { c.Token = "t\r\nX: y" },
		"no template":     func(c *notify.WhatsAppConfig) { c.Template = "" },
		"template name":   func(c *notify.WhatsAppConfig) { c.Template = "Kode Masuk" },
		"language":        func(c *notify.WhatsAppConfig) { c.Languages = map[string]string{"id": "id\"x"} },
		"timeout":         func(c *notify.WhatsAppConfig) { c.Timeout = -1 },
	} {
		cfg := ok
		mutate(&cfg)
		_, err := notify.NewWhatsAppCloud(cfg)
		assert.ErrorIs(t, err, notify.ErrConfig, name)
	}
}

// An unofficial WhatsApp gateway goes through Gateway, with Channel
// WhatsApp: it sends the Text.
func TestGatewayForWhatsApp(t *testing.T) {
	s := &seen{}
	g := newGateway(t, zenziva(s), notify.GatewayConfig{Channel: notify.WhatsApp, Number: notify.National,
		Params: map[string]string{"userkey": "uk-7f3a", "passkey": "pk-91c2"}, SuccessPath: "status", SuccessValue: "1"})
	m := whatsAppCode(t, "id")
	require.NoError(t, g.Send(t.Context(), m))
	assert.Equal(t, m.Text, s.fields["message"])
	assert.ErrorIs(t, g.Send(t.Context(), sms("+6281234567890")), notify.ErrUnsupportedChannel, "a WhatsApp gateway sends no SMS")
	_, err := notify.NewGateway(notify.GatewayConfig{URL: "https://gw.example", Channel: notify.Email})
	assert.ErrorIs(t, err, notify.ErrConfig)
}

// The development outbox keeps every channel.
func TestOutboxKeepsWhatsApp(t *testing.T) {
	var ob notify.Outbox
	require.NoError(t, ob.Send(t.Context(), whatsAppCode(t, "id")))
	m, ok := ob.Last("+6281234567890")
	require.True(t, ok)
	assert.Equal(t, notify.WhatsApp, m.Channel)
	assert.Equal(t, "whatsapp", m.Channel.String())
}

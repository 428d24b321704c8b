package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// WhatsAppConfig configures a [WhatsAppCloud] sender: the business's
// phone number on the WhatsApp Business Platform, its token, and the
// authentication template that carries the codes.
type WhatsAppConfig struct {
	// BaseURL is the Graph API's, with its version; default
	// "https://graph.facebook.com/v23.0". It must be https, except for a
	// loopback host (a test double).
	BaseURL string
	// PhoneNumberID is the ID of the business's sending number (digits),
	// from the WhatsApp Manager; required.
	PhoneNumberID string
	// Token is a system user's access token with the
	// whatsapp_business_messaging permission; required. A WhatsAppCloud
	// never prints it.
	Token string
	// Template is the name of the approved authentication template with a
	// copy-code button, in every language of Languages; required.
	Template string
	// Languages maps a message's locale ("id", "en") to the template's
	// language code; default {"id": "id", "en": "en"}. A message in a
	// locale without one is refused with ErrUnsupportedLocale.
	Languages map[string]string

	// Timeout, Retries, RetryWait and Client are as in GatewayConfig:
	// each request within Timeout (default 10 seconds), a 5xx reply sent
	// again Retries times (default 2; negative, never) RetryWait apart
	// (default 500 milliseconds, doubling), and nothing else retried.
	Timeout   time.Duration
	Retries   int
	RetryWait time.Duration
	Client    *http.Client
}

// String prints the configuration without its token.
func (c WhatsAppConfig) String() string {
	return fmt.Sprintf("notify.WhatsAppConfig{BaseURL:%q PhoneNumberID:%q Token:[redacted] Template:%q}", printableURL(c.BaseURL), c.PhoneNumberID, c.Template)
}

// GoString is String, so that %#v does not print the token either.
func (c WhatsAppConfig) GoString() string { return c.String() }

// whatsAppTemporary are the Graph error codes after which a later try may
// succeed: the API's own trouble (1, 2, 131000) and its rate limits (4,
// 80007, 130429 per number, 131056 per recipient pair).
var whatsAppTemporary = []string{"1", "2", "4", "80007", "130429", "131000", "131056"}

// WhatsAppCloud is a [Sender] of one-time codes through the WhatsApp
// Business Platform's Cloud API, as template messages: the business's
// approved authentication template, whose body and copy-code button both
// carry [Message.Code]. It sends WhatsApp messages only (those
// [RenderWhatsApp] writes); others get [ErrUnsupportedChannel], and
// invalid ones the errors of [Message.Validate], before any request.
//
// Meta answers 200 when it accepts a message, not when it is delivered:
// [Receipt.ID] is the message's wamid, which delivery webhooks name. A
// refusal is a [*GatewayError] whose Code is the Graph error code (131026:
// the number cannot receive WhatsApp messages; 131056: too many messages
// to this number; 190: the token expired), Temporary for the codes of rate
// limits and of the API's own trouble. It is safe for concurrent use.
type WhatsAppCloud struct {
	cfg      WhatsAppConfig
	endpoint string
	t        transport
}

var _ Sender = (*WhatsAppCloud)(nil)

// NewWhatsAppCloud checks cfg and returns its sender, or an error
// wrapping [ErrConfig] that names what is missing.
func NewWhatsAppCloud(cfg WhatsAppConfig) (*WhatsAppCloud, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://graph.facebook.com/v23.0"
	}
	if err := checkEndpoint(cfg.BaseURL); err != nil {
		return nil, err
	}
	switch {
	case cfg.PhoneNumberID == "" || strings.Trim(cfg.PhoneNumberID, "0123456789") != "":
		return nil, fmt.Errorf("%w: PhoneNumberID %q is not a phone number ID", ErrConfig, cfg.PhoneNumberID)
	case cfg.Token == "" || strings.Contains(cfg.Token, " ") || hasControl(cfg.Token):
		return nil, fmt.Errorf("%w: no Token, or one with a space or line break", ErrConfig)
	case cfg.Template == "" || strings.Trim(cfg.Template, "abcdefghijklmnopqrstuvwxyz0123456789_") != "":
		return nil, fmt.Errorf("%w: Template %q is not a template name (lower-case letters, digits, _)", ErrConfig, cfg.Template)
	}
	if cfg.Languages == nil {
		cfg.Languages = map[string]string{"id": "id", "en": "en"}
	}
	cfg.Languages = clone(cfg.Languages)
	for loc, code := range cfg.Languages {
		if code == "" || strings.Trim(code, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "" {
			return nil, fmt.Errorf("%w: Languages[%q] = %q is not a language code", ErrConfig, loc, code)
		}
	}
	t, err := newTransport(cfg.Client, cfg.Timeout, cfg.Retries, cfg.RetryWait,
		sendSpec{name: "whatsapp", success: "messages.0.id", id: "messages.0.id", code: "error.code"})
	if err != nil {
		return nil, err
	}
	return &WhatsAppCloud{cfg: cfg, endpoint: strings.TrimSuffix(cfg.BaseURL, "/") + "/" + cfg.PhoneNumberID + "/messages", t: t}, nil
}

// String names the sender and its number, without the token.
func (w *WhatsAppCloud) String() string {
	host := ""
	if u, err := url.Parse(w.cfg.BaseURL); err == nil {
		host = u.Host
	}
	return "notify.WhatsAppCloud{" + host + " " + w.cfg.PhoneNumberID + " " + w.cfg.Template + "}"
}

// GoString is String, so that %#v does not print the token either.
func (w *WhatsAppCloud) GoString() string { return w.String() }

// Send hands the WhatsApp message m to the Cloud API, as Deliver does.
func (w *WhatsAppCloud) Send(ctx context.Context, m Message) error {
	_, err := w.Deliver(ctx, m)
	return err
}

// Deliver hands the WhatsApp message m to the Cloud API and returns the
// message's wamid.
func (w *WhatsAppCloud) Deliver(ctx context.Context, m Message) (Receipt, error) {
	if m.Channel != WhatsApp {
		return Receipt{}, fmt.Errorf("%w: the WhatsApp sender sends WhatsApp codes, not %v", ErrUnsupportedChannel, m.Channel)
	}
	if err := m.Validate(); err != nil {
		return Receipt{}, err
	}
	lang, ok := w.cfg.Languages[m.Locale]
	if !ok {
		return Receipt{}, fmt.Errorf("%w: no template language for %q", ErrUnsupportedLocale, m.Locale)
	}
	body, err := json.Marshal(templateMessage(m.To[1:], w.cfg.Template, lang, m.Code))
	if err != nil {
		return Receipt{}, err
	}
	build := func(ctx context.Context) (*http.Request, error) {
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, w.endpoint, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+w.cfg.Token)
		return r, nil
	}
	rc, err := w.t.send(ctx, build)
	var ge *GatewayError
	if errors.As(err, &ge) && slices.Contains(whatsAppTemporary, ge.Code) {
		ge.Temporary = true
	}
	return rc, err
}

// The Cloud API's template message, as its reference documents it.
type (
	waMessage struct {
		Product       string     `json:"messaging_product"`
		RecipientType string     `json:"recipient_type"`
		To            string     `json:"to"`
		Type          string     `json:"type"`
		Template      waTemplate `json:"template"`
	}
	waTemplate struct {
		Name       string        `json:"name"`
		Language   waLanguage    `json:"language"`
		Components []waComponent `json:"components"`
	}
	waLanguage struct {
		Code string `json:"code"`
	}
	waComponent struct {
		Type       string        `json:"type"`
		SubType    string        `json:"sub_type,omitempty"`
		Index      string        `json:"index,omitempty"`
		Parameters []waParameter `json:"parameters"`
	}
	waParameter struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
)

// templateMessage is the request that sends code to the WhatsApp number
// to (E.164 digits without the "+") in the authentication template name:
// the code fills the body's one parameter and the copy-code button's.
func templateMessage(to, name, lang, code string) waMessage {
	param := []waParameter{{Type: "text", Text: code}}
	return waMessage{
		Product: "whatsapp", RecipientType: "individual", To: to, Type: "template",
		Template: waTemplate{Name: name, Language: waLanguage{Code: lang}, Components: []waComponent{
			{Type: "body", Parameters: param},
			{Type: "button", SubType: "url", Index: "0", Parameters: param},
		}},
	}
}

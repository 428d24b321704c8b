package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// messageData returns the Data every message to acct starts from.
func (a *Authenticator) messageData(acct store.Account) notify.Data {
	m := a.realmOf(acct.Realm).Messages
	name := strings.TrimSpace(acct.Profile[m.GreetBy])
	if m.GreetBy == "" || name == "" || len(name) > maxGreeting {
		name = acct.DisplayUsername
	}
	if name == "" {
		name = acct.Username
	}
	return notify.Data{PortalName: m.PortalName, Support: m.Support, Username: name}
}

// maxGreeting is the longest name a message greets by (notify's bound on
// Data.Username); a longer profile field greets by the username instead
// of failing the message.
const maxGreeting = 200

// send renders a message for an address of realm, in the request's
// locale or else the realm's, with the realm's time zone, and sends it.
func (a *Authenticator) send(ctx context.Context, realm string, c notify.Channel, to string, p notify.Purpose, locale string, d notify.Data) error {
	if a.sender == nil {
		return ErrMethodUnavailable
	}
	m := a.realmOf(realm).Messages
	if !d.Time.IsZero() {
		d.Time = d.Time.In(m.Location)
	}
	if !d.Until.IsZero() {
		d.Until = d.Until.In(m.Location)
	}
	render := a.templates.Render
	switch c {
	case notify.SMS:
		render = a.templates.RenderSMS
	case notify.WhatsApp:
		render = a.templates.RenderWhatsApp
	}
	if locale == "" {
		// notify reads "" as Indonesian: the realm's language must be
		// asked for by name.
		locale = m.Locale
	}
	msg, err := render(p, locale, d)
	if errors.Is(err, notify.ErrUnsupportedLocale) {
		msg, err = render(p, m.Locale, d)
	}
	if err != nil {
		return fmt.Errorf("auth: writing the %v message: %w", p, err)
	}
	msg.To = to
	err = a.sender.Send(ctx, msg)
	if errors.Is(err, notify.ErrUnsupportedLocale) && msg.Locale != m.Locale {
		// The sender has no template in the request's language (a
		// WhatsApp template approved in Indonesian only): the realm's.
		if msg, err = render(p, m.Locale, d); err == nil {
			msg.To = to
			err = a.sender.Send(ctx, msg)
		}
	}
	a.tel.message(ctx, msg, err)
	if err != nil {
		return fmt.Errorf("auth: sending the %v message: %w", p, err)
	}
	return nil
}

// notice tells the owner of acct about something that happened to the
// account, by email when it has an address and otherwise by SMS. A notice
// that cannot be sent is logged, not returned: what it tells of has
// happened already.
func (a *Authenticator) notice(ctx context.Context, acct store.Account, p notify.Purpose, req Request, d notify.Data) {
	if a.sender == nil {
		return
	}
	c, to := notify.Email, acct.Email
	if to == "" {
		c, to = notify.SMS, acct.Phone
	}
	if to == "" {
		return
	}
	base := a.messageData(acct)
	base.Time, base.ClientAddr, base.Device = d.Time, req.ClientAddr, deviceName(req.UserAgent)
	base.Factor, base.Until, base.Link = d.Factor, d.Until, d.Link
	if base.Time.IsZero() {
		base.Time = a.now()
	}
	ctx = context.WithoutCancel(ctx)
	if err := a.send(ctx, acct.Realm, c, to, p, req.Locale, base); err != nil {
		a.log.ErrorContext(ctx, "masuk: sending a notice", "account", acct.ID, "purpose", p.String(), "error", err)
	}
}

// deviceName shortens a User-Agent header for a message, dropping control
// characters, which notify refuses.
func deviceName(ua string) string {
	b := make([]rune, 0, min(len(ua), 100))
	for _, r := range ua {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			continue
		}
		b = append(b, r)
		if len(b) == 100 {
			break
		}
	}
	return string(b)
}

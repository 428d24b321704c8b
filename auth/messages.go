package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/masuk-id/masuk/notify"
	"github.com/masuk-id/masuk/store"
)

// Messages describes the portal in the emails and SMS that masuk sends
// through Config.Sender.
type Messages struct {
	// PortalName is the portal's name as its users know it, such as "LPSE
	// Kementerian Keuangan". Required when Config.Sender is set.
	PortalName string
	// Support says where to get help, such as "helpdesk@lpse.go.id atau
	// 1500-123"; optional. Messages about a change the owner may not have
	// made point there.
	Support string
	// Location is the time zone of the times in messages. Nil means WIB
	// (UTC+7, Asia/Jakarta).
	Location *time.Location
	// Locale is the language of messages when the request does not name
	// one: "id" or "en". Empty means "id".
	Locale string
}

// wib is Western Indonesian Time, which needs no time zone database.
var wib = time.FixedZone("WIB", 7*60*60)

func (m *Messages) fill(sender notify.Sender) error {
	if m.Location == nil {
		m.Location = wib
	}
	if m.Locale == "" {
		m.Locale = "id"
	}
	if sender != nil && m.PortalName == "" {
		return errors.New("auth: Config.Messages.PortalName is required with Config.Sender (Realm.PortalName may name each realm's portal)")
	}
	if _, err := notify.Render(notify.PasswordChanged, m.Locale, notify.Data{PortalName: "x", Time: time.Unix(0, 0)}); err != nil {
		return fmt.Errorf("auth: Config.Messages.Locale: %w", err)
	}
	return nil
}

// messageData returns the Data every message to acct starts from.
func (a *Authenticator) messageData(acct store.Account) notify.Data {
	name := acct.DisplayUsername
	if name == "" {
		name = acct.Username
	}
	return notify.Data{PortalName: a.portalName(acct.Realm), Support: a.messages.Support, Username: name}
}

// portalName names the realm's portal in its messages.
func (a *Authenticator) portalName(realm string) string {
	if r, ok := a.realms[realm]; ok && r.PortalName != "" {
		return r.PortalName
	}
	return a.messages.PortalName
}

// send renders a message in the request's locale, falling back to the
// portal's, and sends it.
func (a *Authenticator) send(ctx context.Context, c notify.Channel, to string, p notify.Purpose, locale string, d notify.Data) error {
	if a.sender == nil {
		return ErrMethodUnavailable
	}
	if !d.Time.IsZero() {
		d.Time = d.Time.In(a.messages.Location)
	}
	if !d.Until.IsZero() {
		d.Until = d.Until.In(a.messages.Location)
	}
	render := notify.Render
	if c == notify.SMS {
		render = notify.RenderSMS
	}
	m, err := render(p, locale, d)
	if errors.Is(err, notify.ErrUnsupportedLocale) {
		m, err = render(p, a.messages.Locale, d)
	}
	if err != nil {
		return fmt.Errorf("auth: writing the %v message: %w", p, err)
	}
	m.To = to
	if err := a.sender.Send(ctx, m); err != nil {
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
	if err := a.send(ctx, c, to, p, req.Locale, base); err != nil {
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

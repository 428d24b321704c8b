package notify

import (
	"context"
	"fmt"
)

// Route is a [Sender] that hands each message to the sender of its
// channel: emails to an SMTP sender, SMS to a [Gateway], WhatsApp codes to
// a [WhatsAppCloud]. A channel without a sender is refused with
// [ErrUnsupportedChannel], so that a realm that offers codes by SMS with
// no gateway behind it fails closed, visibly, rather than dropping them.
// The zero Route refuses everything. It is safe for concurrent use when
// its senders are.
type Route struct {
	Email, SMS, WhatsApp Sender
}

var _ Sender = Route{}

// Send implements [Sender].
func (r Route) Send(ctx context.Context, m Message) error {
	var s Sender
	switch m.Channel {
	case Email:
		s = r.Email
	case SMS:
		s = r.SMS
	case WhatsApp:
		s = r.WhatsApp
	}
	if s == nil {
		return fmt.Errorf("%w: no sender for %v", ErrUnsupportedChannel, m.Channel)
	}
	return s.Send(ctx, m)
}

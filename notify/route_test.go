package notify

import (
	"context"
	"errors"
	"testing"
)

// TestRouteByChannel: each message goes to its channel's sender only; a
// channel without one is ErrUnsupportedChannel, and nothing is sent.
func TestRouteByChannel(t *testing.T) {
	var mail, sms Outbox
	r := Route{Email: &mail, SMS: &sms}
	ctx := context.Background()
	for _, m := range []Message{
		{To: "budi@example.go.id", Channel: Email, Subject: "S", Text: "T"},
		{To: "+6281234567890", Channel: SMS, Text: "123456 adalah kode"},
	} {
		if err := r.Send(ctx, m); err != nil {
			t.Fatalf("%v: %v", m.Channel, err)
		}
	}
	if mail.Len() != 1 || sms.Len() != 1 {
		t.Fatalf("email %d, sms %d messages; want 1 and 1", mail.Len(), sms.Len())
	}
	if got := mail.Messages()[0].Channel; got != Email {
		t.Errorf("the email sender got a %v message", got)
	}
	wa := Message{To: "+6281234567890", Channel: WhatsApp, Text: "123456", Code: "123456"}
	for _, m := range []Message{wa, {To: "x", Channel: 0, Text: "T"}} {
		if err := r.Send(ctx, m); !errors.Is(err, ErrUnsupportedChannel) {
			t.Errorf("%v: got %v, want ErrUnsupportedChannel", m.Channel, err)
		}
	}
	if err := (Route{}).Send(ctx, wa); !errors.Is(err, ErrUnsupportedChannel) {
		t.Errorf("the zero Route: got %v", err)
	}
	if mail.Len()+sms.Len() != 2 {
		t.Error("a refused message was sent")
	}
}

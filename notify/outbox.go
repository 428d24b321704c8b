package notify

import (
	"context"
	"maps"
	"strings"
	"sync"
)

// DefaultOutboxMax is how many messages an [Outbox] keeps when Max is
// zero.
const DefaultOutboxMax = 1000

// Outbox is a [Sender] that keeps messages in memory instead of sending
// them: for tests, which read back the code or link a flow sent, and for a
// development server, which can show them on a page. Its zero value is
// ready to use; it is safe for concurrent use. It validates every message
// as the SMTP sender does, so a message a test sends here would also be
// accepted there, and it accepts both channels.
type Outbox struct {
	// Max is how many messages the outbox keeps; when it is full, the
	// oldest is dropped. Zero means DefaultOutboxMax. Set it before the
	// first Send.
	Max int

	mu       sync.Mutex
	messages []Message
	// arrived is closed, and replaced, at every Send, waking Wait.
	arrived chan struct{}
}

var _ Sender = (*Outbox)(nil)

// Send validates m and keeps a copy of it. It fails only when m is
// invalid ([Message.Validate]) or ctx is done.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	m.Headers = maps.Clone(m.Headers)
	o.mu.Lock()
	defer o.mu.Unlock()
	limit := o.Max
	if limit <= 0 {
		limit = DefaultOutboxMax
	}
	if len(o.messages) >= limit {
		n := copy(o.messages, o.messages[len(o.messages)-limit+1:])
		clear(o.messages[n:])
		o.messages = o.messages[:n]
	}
	o.messages = append(o.messages, m)
	if o.arrived != nil {
		close(o.arrived)
		o.arrived = nil
	}
	return nil
}

// Messages returns the messages kept, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	ms := make([]Message, len(o.messages))
	for i, m := range o.messages {
		m.Headers = maps.Clone(m.Headers)
		ms[i] = m
	}
	return ms
}

// Last returns the newest message kept for the recipient to, compared
// exactly, and whether there is one.
func (o *Outbox) Last(to string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last(to)
}

func (o *Outbox) last(to string) (Message, bool) {
	for i := len(o.messages) - 1; i >= 0; i-- {
		if m := o.messages[i]; m.To == to {
			m.Headers = maps.Clone(m.Headers)
			return m, true
		}
	}
	return Message{}, false
}

// Wait returns the newest message kept for to, waiting for one to be sent
// if there is none, until ctx is done. It is for a test whose code under
// test sends in the background, as a reset request should (so that it
// answers as fast for unknown accounts): call [Outbox.Reset], trigger the
// send, then Wait.
func (o *Outbox) Wait(ctx context.Context, to string) (Message, error) {
	for {
		o.mu.Lock()
		m, ok := o.last(to)
		if o.arrived == nil {
			o.arrived = make(chan struct{})
		}
		arrived := o.arrived
		o.mu.Unlock()
		if ok {
			return m, nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// Len returns how many messages are kept.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.messages)
}

// Reset drops every message kept.
func (o *Outbox) Reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	clear(o.messages)
	o.messages = o.messages[:0]
}

// ExtractCode returns the code in m's text body: the first line that holds
// only 4 to 10 ASCII digits (after spaces), as every email [Render] writes
// has it, or failing that, the digits an SMS starts with, as every SMS
// [RenderSMS] writes has them.
func ExtractCode(m Message) (string, bool) {
	for line := range strings.Lines(m.Text) {
		if line = strings.TrimSpace(line); isCode(line) {
			return line, true
		}
	}
	if m.Channel == WhatsApp && m.Code != "" {
		return m.Code, true
	}
	if m.Channel == SMS || m.Channel == WhatsApp {
		first, _, _ := strings.Cut(m.Text, " ")
		if isCode(first) {
			return first, true
		}
	}
	return "", false
}

func isCode(s string) bool {
	if len(s) < 4 || len(s) > 10 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ExtractLink returns the first http or https URL in m's text body: a
// line that holds only the URL, as every email [Render] writes has it, or
// failing that, the first word that starts with "https://" or "http://",
// without the brackets, quotes and punctuation around it.
func ExtractLink(m Message) (string, bool) {
	for line := range strings.Lines(m.Text) {
		if line = strings.TrimSpace(line); isLink(line) && !strings.ContainsAny(line, " \t") {
			return line, true
		}
	}
	for word := range strings.FieldsSeq(m.Text) {
		word = strings.TrimLeft(word, "([{<'\"")
		if word = strings.TrimRight(word, ".,;:!?)]}>'\""); isLink(word) {
			return word, true
		}
	}
	return "", false
}

func isLink(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		rest, ok = strings.CutPrefix(s, "http://")
	}
	return ok && rest != ""
}

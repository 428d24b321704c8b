package notify

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func email(to, text string) Message {
	return Message{To: to, Channel: Email, Subject: "Subjek", Text: text}
}

func TestOutbox(t *testing.T) {
	ctx := t.Context()
	var o Outbox
	_, ok := o.Last("a@example.go.id")
	assert.False(t, ok)
	assert.Empty(t, o.Messages())

	require.NoError(t, o.Send(ctx, email("a@example.go.id", "satu")))
	require.NoError(t, o.Send(ctx, email("b@example.go.id", "dua")))
	require.NoError(t, o.Send(ctx, email("a@example.go.id", "tiga")))
	require.NoError(t, o.Send(ctx, Message{To: "+6281234567890", Channel: SMS, Text: "empat"}))

	assert.Equal(t, 4, o.Len())
	ms := o.Messages()
	require.Len(t, ms, 4)
	for i, want := range []string{"satu", "dua", "tiga", "empat"} {
		assert.Equal(t, want, ms[i].Text)
	}
	m, ok := o.Last("a@example.go.id")
	assert.True(t, ok)
	assert.Equal(t, "tiga", m.Text)
	m, ok = o.Last("+6281234567890")
	assert.True(t, ok)
	assert.Equal(t, SMS, m.Channel)
	_, ok = o.Last("A@example.go.id") // compared exactly
	assert.False(t, ok)

	o.Reset()
	assert.Zero(t, o.Len())
	_, ok = o.Last("a@example.go.id")
	assert.False(t, ok)
}

func TestOutboxRefusesWhatSMTPRefuses(t *testing.T) {
	var o Outbox
	err := o.Send(t.Context(), email("a@example.go.id\r\nBcc: x@evil.example", "x"))
	assert.ErrorIs(t, err, ErrInvalidRecipient)
	err = o.Send(t.Context(), Message{To: "a@example.go.id", Text: "no channel"})
	assert.ErrorIs(t, err, ErrUnsupportedChannel)
	m := email("a@example.go.id", "x")
	m.Subject = "Halo\r\nBcc: x@evil.example"
	assert.ErrorIs(t, o.Send(t.Context(), m), ErrInvalidMessage)
	assert.Zero(t, o.Len())

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	assert.ErrorIs(t, o.Send(ctx, email("a@example.go.id", "x")), context.Canceled)
	assert.Zero(t, o.Len())
}

func TestOutboxMax(t *testing.T) {
	o := Outbox{Max: 3}
	for i := range 5 {
		require.NoError(t, o.Send(t.Context(), email("a@example.go.id", fmt.Sprint(i))))
	}
	ms := o.Messages()
	require.Len(t, ms, 3)
	assert.Equal(t, []string{"2", "3", "4"}, []string{ms[0].Text, ms[1].Text, ms[2].Text})

	var d Outbox // zero Max: DefaultOutboxMax
	for range DefaultOutboxMax + 10 {
		require.NoError(t, d.Send(t.Context(), email("a@example.go.id", "x")))
	}
	assert.Equal(t, DefaultOutboxMax, d.Len())

	one := Outbox{Max: 1}
	require.NoError(t, one.Send(t.Context(), email("a@example.go.id", "a")))
	require.NoError(t, one.Send(t.Context(), email("a@example.go.id", "b")))
	assert.Equal(t, "b", one.Messages()[0].Text)
}

// The outbox keeps its own copy of Headers: a caller changing its map
// afterwards changes nothing kept, and a reader changing the copy it got
// changes nothing either.
func TestOutboxCopiesHeaders(t *testing.T) {
	var o Outbox
	m := email("a@example.go.id", "x")
	m.Headers = map[string]string{"Reply-To": "helpdesk@example.go.id"}
	require.NoError(t, o.Send(t.Context(), m))
	m.Headers["Reply-To"] = "changed@example.go.id"
	got := o.Messages()[0]
	assert.Equal(t, "helpdesk@example.go.id", got.Headers["Reply-To"])
	got.Headers["Reply-To"] = "changed@example.go.id"
	last, _ := o.Last("a@example.go.id")
	assert.Equal(t, "helpdesk@example.go.id", last.Headers["Reply-To"])
}

func TestOutboxConcurrent(t *testing.T) {
	var o Outbox
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			to := fmt.Sprintf("u%d@example.go.id", i%5)
			assert.NoError(t, o.Send(t.Context(), email(to, fmt.Sprint(i))))
			o.Messages()
			o.Last(to)
			o.Len()
		})
	}
	wg.Wait()
	assert.Equal(t, 50, o.Len())
}

func TestOutboxWait(t *testing.T) {
	var o Outbox
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()

	// Sent before: Wait returns at once.
	require.NoError(t, o.Send(ctx, email("a@example.go.id", "sudah")))
	m, err := o.Wait(ctx, "a@example.go.id")
	require.NoError(t, err)
	assert.Equal(t, "sudah", m.Text)

	// Sent later, in the background, after another recipient's message.
	started := make(chan struct{})
	go func() {
		<-started
		assert.NoError(t, o.Send(ctx, email("other@example.go.id", "lain")))
		assert.NoError(t, o.Send(ctx, email("b@example.go.id", "nanti")))
	}()
	close(started)
	m, err = o.Wait(ctx, "b@example.go.id")
	require.NoError(t, err)
	assert.Equal(t, "nanti", m.Text)

	// Never sent: Wait ends with the context.
	short, cancel2 := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel2()
	_, err = o.Wait(short, "never@example.go.id")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// Many waiters, for many recipients, all wake.
func TestOutboxWaitMany(t *testing.T) {
	var o Outbox
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 20 {
		to := fmt.Sprintf("u%d@example.go.id", i)
		wg.Go(func() {
			m, err := o.Wait(ctx, to)
			assert.NoError(t, err)
			assert.Equal(t, to, m.To)
		})
		wg.Go(func() { assert.NoError(t, o.Send(ctx, email(to, "x"))) })
	}
	wg.Wait()
}

func TestExtractCode(t *testing.T) {
	tests := []struct {
		m    Message
		want string
	}{
		{Message{Channel: Email, Text: "Yth. 1985031520,\n\nKode:\n\n    482913\n\nBerlaku 5 menit."}, "482913"},
		{Message{Channel: Email, Text: "Kode:\n\t12345678\t\n"}, "12345678"},
		{Message{Channel: Email, Text: "pada 2 Maret 2026\n2026-03-02\n"}, ""},
		{Message{Channel: Email, Text: "Kode Anda 482913."}, ""}, // not on a line of its own
		{Message{Channel: Email, Text: "\n123\n12345678901\n"}, ""},
		{Message{Channel: Email, Text: "\n١٢٣٤٥٦\n"}, ""},
		{Message{Channel: SMS, Text: "482913 adalah kode verifikasi masuk."}, "482913"},
		{Message{Channel: SMS, Text: "Kode 482913 berlaku"}, ""},
		{Message{Channel: SMS, Text: ""}, ""},
	}
	for _, tt := range tests {
		got, ok := ExtractCode(tt.m)
		assert.Equal(t, tt.want != "", ok, tt.m.Text)
		assert.Equal(t, tt.want, got, tt.m.Text)
	}
}

func TestExtractLink(t *testing.T) {
	tests := []struct {
		text string
		want string
	}{
		{"Buka tautan berikut:\n\nhttps://example.go.id/r?t=abc&x=1\n\nBerlaku 1 jam.", "https://example.go.id/r?t=abc&x=1"},
		{"Lihat http://localhost:8080/aktivasi/xyz.", "http://localhost:8080/aktivasi/xyz"},
		{"(https://example.go.id/a)", "https://example.go.id/a"},
		{"tidak ada tautan; ftp://example.go.id/x", ""},
		{"https://", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := ExtractLink(Message{Channel: Email, Text: tt.text})
		assert.Equal(t, tt.want != "", ok, tt.text)
		assert.Equal(t, tt.want, got, tt.text)
	}
}

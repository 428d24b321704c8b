package notify

import (
	"context"
	"strconv"
)

// A Sender delivers a [Message]. Send returns when the message has been
// handed over (to the SMTP server, the SMS gateway, the [Outbox]) or has
// failed; a nil error says nothing about when the message will be read.
//
// Send must be safe for concurrent use, must honour ctx's deadline and
// cancellation, and must refuse a message it cannot deliver: a channel it
// does not handle with [ErrUnsupportedChannel], a malformed message with
// the errors of [Message.Validate]. It must not log the message's Text or
// HTML: they hold codes and links that let their reader into an account.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Channel is the way a message travels.
type Channel uint8

// The channels. The zero Channel is not one: a [Message] must name its
// channel, and [Render] and [RenderSMS] do.
const (
	// Email is a message with a subject, a text body and an optional HTML
	// body, sent to an email address.
	Email Channel = iota + 1
	// SMS is a short text body, sent to a phone number in E.164 form
	// ("+6281234567890").
	SMS
	// WhatsApp is a one-time code sent to a phone number's WhatsApp, in
	// E.164 form, with the text an SMS of the same purpose would have (for
	// the outbox, and for gateways that send plain WhatsApp messages).
	// The Cloud API sends the Code alone, in the business's authentication
	// template.
	WhatsApp
)

// String returns "email", "sms" or "whatsapp".
func (c Channel) String() string {
	switch c {
	case Email:
		return "email"
	case SMS:
		return "sms"
	case WhatsApp:
		return "whatsapp"
	}
	return "channel(" + strconv.Itoa(int(c)) + ")"
}

// Message is one email or SMS to one recipient. [Render] and [RenderSMS]
// fill everything but To.
type Message struct {
	// To is the recipient: a bare email address ("budi@example.go.id", no
	// display name, ASCII only: IDN domains in their xn-- form) or, for
	// SMS, a phone number in E.164 form ("+6281234567890").
	To string
	// Channel is Email or SMS.
	Channel Channel
	// Purpose says which message this is; zero for a message the host
	// writes itself. Senders may use it to route or count messages; it is
	// never shown to the recipient.
	Purpose Purpose
	// Locale is the language of the message, "id" or "en" for the ones
	// [Render] writes. An email carries it as Content-Language.
	Locale string

	// Subject is the email's subject, one line. Empty for SMS.
	Subject string
	// Text is the plain-text body of an email, or the whole SMS.
	Text string
	// HTML is the email's HTML body, sent beside Text as
	// multipart/alternative; optional. Empty for SMS.
	HTML string
	// Code is the one-time code of a WhatsApp message, which an
	// authentication template carries apart from any text: 4 to 15 ASCII
	// letters and digits. Empty for the other channels.
	Code string

	// Headers are extra email header fields, such as Reply-To. Names are
	// RFC 5322 field names; values are one line each and are RFC 2047
	// encoded when they are not plain ASCII. The fields a sender writes
	// itself (From, To, Cc, Bcc, Subject, Date, Message-ID, MIME-Version,
	// Content-*, ...) cannot be set here. Nil for SMS.
	Headers map[string]string
}

// Purpose says which of masuk's messages a [Message] is. Each has a
// template in Indonesian and English; see [Render] for the [Data] each one
// needs.
type Purpose uint8

// The purposes. The zero Purpose marks a message the host wrote itself.
const (
	// ResetLink carries a link that sets a new password (Link,
	// ExpiresIn; optional ClientAddr of the request).
	ResetLink Purpose = iota + 1
	// ResetCode carries a code that sets a new password (Code,
	// ExpiresIn; optional ClientAddr of the request). Also as SMS.
	ResetCode
	// ActivationLink carries a link that confirms a new account's email
	// address (Link, ExpiresIn).
	ActivationLink
	// ActivationCode carries a code that confirms a new account's email
	// address or phone number (Code, ExpiresIn). Also as SMS.
	ActivationCode
	// SecondFactorCode carries a login code sent as the second factor
	// (Code, ExpiresIn). Also as SMS.
	SecondFactorCode
	// NewDevice tells the owner of a login from a device not seen before
	// (Time; optional ClientAddr, Device, Link to the account's activity).
	// Also as SMS.
	NewDevice
	// AccountLocked tells the owner that too many failed attempts locked
	// the account (optional Until: zero means until an operator unlocks
	// it; optional Link to reset the password, which also unlocks). Also
	// as SMS.
	AccountLocked
	// PasswordChanged tells the owner the password was changed or reset
	// (Time; optional ClientAddr, Device). Also as SMS.
	PasswordChanged
	// FactorAdded tells the owner a second factor was added (Factor,
	// Time). Also as SMS.
	FactorAdded
	// FactorRemoved tells the owner a second factor was removed (Factor,
	// Time). Also as SMS.
	FactorRemoved
	// RecoveryCodeUsed tells the owner a recovery code was used to log in
	// (Time; optional ClientAddr, Device). Also as SMS.
	RecoveryCodeUsed
	// EmailChangeConfirm goes to a new email address and carries the link
	// that confirms it (Link, ExpiresIn).
	EmailChangeConfirm
	// EmailChangeNotice goes to the old email address and says which
	// address will replace it (NewAddress, Time).
	EmailChangeNotice
	// RegistrationApproved tells the applicant an operator approved the
	// account (optional Link to log in).
	RegistrationApproved
	// RegistrationRejected tells the applicant an operator rejected the
	// registration, and why (Reason).
	RegistrationRejected
	// AccountExists goes to the owner of an address someone tried to
	// register again, so that the registration page can answer the same
	// for taken and free addresses (optional Link to the page that resets
	// a forgotten password).
	AccountExists
	// ResetRequired tells the owner that an operator replaced the
	// password, which no longer works, and that a new one is set through
	// "Forgot password" (Time; optional Link to that page).
	ResetRequired
	// PhoneChangeCode carries the code that confirms a new phone number
	// for an account (Code, ExpiresIn). Also as SMS, and as WhatsApp.
	PhoneChangeCode
	// PhoneChanged tells the owner, at the old number and the email
	// address, that the account's phone number was changed (NewPhone,
	// masked, and Time). Also as SMS.
	PhoneChanged
	// IdentityLinked tells the owner that an identity provider (INApas,
	// a ministry's single sign-on) now logs in to the account (Provider,
	// Time). Also as SMS.
	IdentityLinked
	// IdentityUnlinked tells the owner that an identity provider no
	// longer logs in to the account (Provider, Time). Also as SMS.
	IdentityUnlinked
	// PasswordSet tells the owner that an account that logged in only
	// through an identity provider now has a password too (Time;
	// optional ClientAddr, Device). Also as SMS.
	PasswordSet

	purposeEnd
)

// String returns the purpose's name in snake case, such as "reset_link",
// which is also the name of its template files.
func (p Purpose) String() string {
	if p == 0 || p >= purposeEnd {
		return "purpose(" + strconv.Itoa(int(p)) + ")"
	}
	return purposes[p].name
}

// Purposes returns every purpose, in order.
func Purposes() []Purpose {
	ps := make([]Purpose, 0, purposeEnd-1)
	for p := Purpose(1); p < purposeEnd; p++ {
		ps = append(ps, p)
	}
	return ps
}

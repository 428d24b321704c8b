package notify

import "errors"

// Errors for messages a [Sender] refuses before sending anything. They
// arrive wrapped, with the reason; test them with [errors.Is].
var (
	// ErrInvalidRecipient means Message.To is not a bare ASCII email
	// address (for Email) or an E.164 phone number (for SMS).
	ErrInvalidRecipient = errors.New("notify: invalid recipient")
	// ErrUnsupportedChannel means the sender does not deliver messages of
	// this channel (an SMS to the SMTP sender), the channel is not Email
	// or SMS, or a purpose has no template for it (RenderSMS of a link).
	ErrUnsupportedChannel = errors.New("notify: unsupported channel")
	// ErrInvalidMessage means the message cannot be sent as it is: an
	// empty body, a subject or header with a line break or control
	// character, a header the sender writes itself, text that is not
	// UTF-8.
	ErrInvalidMessage = errors.New("notify: invalid message")
)

// Errors of [Render] and [RenderSMS].
var (
	// ErrUnknownPurpose means the Purpose is not one of the constants.
	ErrUnknownPurpose = errors.New("notify: unknown purpose")
	// ErrUnsupportedLocale means the locale is neither Indonesian nor
	// English.
	ErrUnsupportedLocale = errors.New("notify: unsupported locale")
	// ErrMissingData means a field the purpose needs is empty; the error
	// is a [*DataError] that names it.
	ErrMissingData = errors.New("notify: missing data")
	// ErrInvalidData means a field holds something a message must not
	// show: a control character, a link that is not http or https; the
	// error is a [*DataError] that names it.
	ErrInvalidData = errors.New("notify: invalid data")
)

// ErrConfig means [NewSMTP], [NewGateway] or [NewWhatsAppCloud] was given
// a configuration it refuses (a missing or malformed field, or a setting
// that would send mail or credentials unprotected), or [NewTemplates]
// templates it refuses.
var ErrConfig = errors.New("notify: invalid configuration")

// DataError says which field of [Data] a purpose's message could not be
// written without. errors.Is(err, ErrMissingData) or ErrInvalidData tells
// which of the two it is.
type DataError struct {
	Purpose Purpose
	// Field is the name of the Data field, such as "Code".
	Field string
	// Err is ErrMissingData or ErrInvalidData.
	Err error

	reason string
}

func (e *DataError) Error() string {
	s := "notify: " + e.Purpose.String() + ": Data." + e.Field
	if e.Err == ErrMissingData {
		return s + " is missing"
	}
	return s + ": " + e.reason
}

// Unwrap returns Err.
func (e *DataError) Unwrap() error { return e.Err }

// SendError is a failure to hand a message over to an SMTP server, after
// the message itself was accepted as valid.
type SendError struct {
	// Op is the step that failed: "dial", "tls", "greeting", "hello",
	// "starttls", "auth", "mail", "rcpt" or "data".
	Op string
	// Code is the server's SMTP reply code when it refused a step (421,
	// 450, 535, 550, ...), zero when there was no reply.
	Code int
	// Temporary reports whether sending the same message again later may
	// succeed: a 4xx reply, a network failure, a deadline exceeded. A 5xx
	// reply, a TLS failure, a server without STARTTLS or AUTH PLAIN, or a
	// cancelled context is permanent: retrying will not help until
	// something else changes.
	Temporary bool
	// Err is the underlying error: a *textproto.Error for a reply,
	// context.DeadlineExceeded or context.Canceled when ctx ended the
	// send, a network or TLS error otherwise.
	Err error
}

func (e *SendError) Error() string {
	s := "notify: smtp " + e.Op + ": " + e.Err.Error()
	if e.Temporary {
		s += " (temporary)"
	}
	return s
}

// Unwrap returns Err.
func (e *SendError) Unwrap() error { return e.Err }

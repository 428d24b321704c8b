// Package notify writes and sends the emails and text messages masuk sends
// to people: password reset links and codes, account activation,
// second-factor codes, and the notices of what happened to an account (a
// login from a new device, a lock, a changed password, an added or removed
// factor, a changed email address, an approved or rejected registration).
//
// It has three parts. [Render] and [RenderSMS] write a [Message] from a
// [Purpose], a locale and [Data], in Indonesian or English. A [Sender]
// delivers it: [SMTP] to a mail server, [Gateway] to an SMS gateway's HTTP
// API, [WhatsAppCloud] to WhatsApp, [Outbox] to memory for tests and
// development. [Message.Validate] holds
// the rules every sender applies before it sends anything.
//
// # Choosing a sender
//
// In production, email goes through [NewSMTP] to the portal's submission
// server or relay. Use StartTLS on port 587 or ImplicitTLS on port 465;
// both check the server's certificate against the system's roots, or
// against SMTPConfig.TLSConfig.RootCAs for a private CA. [SMTP] opens one
// connection per message and is done within SMTPConfig.Timeout (10 seconds
// by default) or the context's deadline, whichever comes first. A failure
// to deliver is a [*SendError]; its Temporary field says whether trying
// again later may help (a 4xx reply, a network failure, a timeout) or not
// (a 5xx reply, a certificate the sender does not trust).
//
// Send blocks for a whole SMTP conversation, which can take seconds. A
// flow that must answer the same whether or not an account exists (a reset
// request, a registration) must not wait for it: send from a goroutine or
// a queue the host owns, and retry temporary failures there. notify starts
// no goroutines of its own.
//
// In tests and on a developer's machine, use an [Outbox]: it keeps the
// messages in memory, at most Outbox.Max of them, and gives them back with
// [Outbox.Last] or, for a message sent in the background, [Outbox.Wait].
// [ExtractCode] and [ExtractLink] take the code or link out of a message,
// so that a test can follow a flow the way its user would. An Outbox
// validates what it is given exactly as SMTP does.
//
// # Templates and locales
//
// Every Purpose has a template in Indonesian ("id", the default) and
// English ("en"); regional tags such as "id-ID" and "en-GB" are accepted.
// Each gives a subject, a plain-text body and an HTML body with the same
// content, and, for codes and alerts, an SMS. The templates are files
// embedded in the package (templates/id/*.tmpl and templates/en/*.tmpl);
// text bodies are executed with text/template and HTML bodies with
// html/template, which escapes every value for its context.
//
// Each Purpose's documentation lists the fields of Data it needs. Render
// refuses a message with one of them empty ([ErrMissingData]) rather than
// sending "Kode Anda: " to a user; the templates are given only the
// fields their purpose declares and run with missingkey=error, so a
// template cannot print a field nobody set. Optional fields (ClientAddr,
// Device, Until, Support, ...) leave out their line or sentence when
// empty. Durations read "15 menit" or "15 minutes", times "2 Maret 2026
// pukul 14.05 WIB" or "2 March 2026 at 14:05 WIB", in the location of the
// time.Time given.
//
// The Indonesian is written the way government portals write to citizens:
// formal ("Yth.", "Anda"), short, and with the advice people need where
// they need it ("Jangan berikan kode ini kepada siapa pun, termasuk
// petugas."). Every email ends with a reminder that the portal never asks
// for a password or a code.
//
// An SMS ([RenderSMS]) is one line of at most 160 GSM-7 characters, for a
// portal name of up to 20 characters, so that it goes as one message.
// Codes come first, where phones offer to copy them. Links are never sent
// by SMS: Indonesians are taught, rightly, not to open them.
//
// # Your own wording
//
// A portal that wants its own wording for some messages gives
// [NewTemplates] an fs.FS (its own go:embed, or os.DirFS) laid out as
// masuk's templates are: layout.html, id/common.tmpl and en/common.tmpl,
// and {locale}/{purpose}.tmpl, such as id/reset_code.tmpl. It holds only
// the files it changes; every other is masuk's. Start from masuk's file
// (templates/ in the source), which shows the templates each file
// defines ("subject", "text", "html" and, for codes and alerts, "sms")
// and the shared pieces it may use ("salutation", "footer", "contact",
// "html_code", ...). A purpose's file may redefine a shared piece for
// itself alone; a common.tmpl changes it for every message of its
// locale.
//
// NewTemplates checks everything before a message is sent: every
// purpose in both locales parses, defines what it must, and writes a
// message [Message.Validate] accepts from sample data, once with every
// field its purpose has and once with only those it needs, so that the
// branches for an empty optional field run too. The templates are given
// only their purpose's fields, so a reset code's email that shows a Link
// is refused here; so is a file whose name masuk does not read, such as
// id/reset_codes.tmpl, which would otherwise change nothing. The error
// wraps [ErrConfig] and names the file.
//
// [Templates.Render], [Templates.RenderSMS] and [Templates.RenderWhatsApp]
// then work as the package's functions do, which use masuk's own
// templates (as does a nil *Templates). In auth, set Config.Templates.
// Keep what masuk's wording promises: one SMS of at most 160 characters,
// the code first in an SMS and on a line of its own in an email (where
// [ExtractCode] and the test kit find it), the advice never to give a
// code away, and no password. html/template escapes every value in the
// HTML; text bodies and SMS are plain text.
//
// A host can also write a [Message] of its own and send it through the
// same Sender.
//
// # SMS gateways
//
// SMS gateways differ from country to country and contract to contract;
// [Gateway] speaks to any of them over HTTP, configured by a
// [GatewayConfig]: the URL, the fields' names and encoding (form, JSON or
// query), the number's format (+62…, 62… or 08…: Indonesian gateways
// each want their own), the credentials (HTTP Basic, a bearer token, a
// header of the gateway's own, or fields in the body), and what in the
// reply says the message was taken: gateways answer 200 to messages they
// refuse, so a success needs a JSON path that holds the right value. The
// tests hold it to the documented requests and replies of Zenziva,
// Motict, OCA (Telkom) and Twilio.
//
// A [Gateway] retries a 5xx reply, twice by default, and nothing else: a
// timeout may come after the gateway sent the code, and a second code by
// itself confuses the person and costs the portal; they can ask again. A
// failure is a [*GatewayError] with the status, the gateway's own error
// code (from a configured path) and whether a later try may help; it
// keeps nothing else of the reply, which may repeat the message.
//
// # WhatsApp
//
// WhatsApp carries one-time codes, and only those: [RenderWhatsApp] writes
// a [Message] with Channel [WhatsApp] and the Code apart from its Text.
// [WhatsAppCloud] sends it through the WhatsApp Business Platform's Cloud
// API in the business's approved authentication template (its body and
// copy-code button both carry the code; Meta writes the wording, in each
// language the template is approved in). Such messages reach only the
// person's primary phone, not linked devices, and Indonesia requires the
// authentication category for codes. A [Gateway] with Channel WhatsApp
// sends the Text through an unofficial gateway that uses an ordinary
// WhatsApp account, without those protections; prefer the Cloud API.
//
// Which channel a person's codes take, and the fallback from WhatsApp to
// SMS, is the caller's choice; fall back only when the person asks (a
// "send by SMS" button after a wait), never automatically: automatic
// fallback doubles the cost and is what SMS-pumping fraud exploits.
//
// A host with an SDK for its gateway implements [Sender] itself: Send
// must refuse a Message whose Channel is not SMS with
// [ErrUnsupportedChannel], call [Message.Validate] (which checks that To
// is an E.164 number such as "+6281234567890"), pass ctx to the gateway's
// HTTP request, and return an error when the gateway does not accept the
// message. It must not log m.Text: it is the code. A small Sender that
// passes Email to an [SMTP] and SMS to the gateway gives masuk one Sender
// for both; see the example.
//
// # Security
//
// No secrets in logs. A Message's Text and HTML carry codes and links that
// let their reader into an account; neither [SMTP], [Gateway] nor [Outbox]
// logs them, a [*SendError] carries the server's reply, never the message,
// and a [*GatewayError] neither (nor the URL, which for a query-encoded
// gateway holds the message). [SMTPConfig], [SMTP], [GatewayConfig] and
// [Gateway] print without their passwords, tokens and credential fields,
// with %v and %#v alike. No template prints a password, and [Data] has nowhere to put one.
//
// Header injection. [Message.Validate] accepts only a bare ASCII address
// in To (no display name, no quoted local part, no line break), rejects a
// line break or any other control character in Subject and Headers, and
// refuses the header fields a sender writes itself (From, To, Cc, Bcc,
// Subject, Content-*, ...). Non-ASCII values are RFC 2047 encoded and
// folded; bodies are quoted-printable. A fuzz test writes whatever passes
// these checks and parses it back, looking for a field or part that
// should not be there. Render refuses control characters in Data too, so
// that a User-Agent cannot add a line to a message, and accepts only
// http and https links.
//
// TLS. StartTLS is required when configured: a server that does not offer
// it, or an attacker who removes the offer, gets nothing. Certificates are
// always checked, TLS 1.2 is the minimum, and NewSMTP refuses
// InsecureSkipVerify. The password is sent with AUTH PLAIN only over TLS
// and only to a server that offers it. NoTLS exists for a relay on the
// same machine: it must be asked for with InsecureAllowPlaintext, it is
// refused for an address that is not loopback, it cannot authenticate,
// and the connection's peer is checked again when it is made.
//
// Links. Build links from the portal's configured base URL, never from
// the request's Host header (OWASP Forgot Password Cheat Sheet), or an
// attacker can have reset links point to their own server.
//
// Delivery. Whether mail arrives depends on the portal's domain: publish
// SPF, sign with DKIM at the relay, and publish DMARC. Each message
// carries "Auto-Submitted: auto-generated" (RFC 3834) so that
// auto-responders do not answer it.
//
// In a test of a portal's flows, [github.com/masuk-id/masuk/auth/authtest.Kit.LastMessage] reads the newest
// message an [Outbox] holds for an address, after waiting for the messages
// auth sends in the background.
package notify

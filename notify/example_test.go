package notify_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log"
	"testing/fstest"
	"time"

	"github.com/masuk-id/masuk/notify"
)

// Render writes the whole message: here the email with a reset code, in
// Indonesian.
func ExampleRender() {
	m, err := notify.Render(notify.ResetCode, "id", notify.Data{
		PortalName: "LPSE Kemenkeu",
		Username:   "Budi Santoso",
		Code:       "482913",
		ExpiresIn:  15 * time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Subject:", m.Subject)
	fmt.Println()
	fmt.Print(m.Text)
	// Output:
	// Subject: Kode atur ulang kata sandi LPSE Kemenkeu
	//
	// Yth. Budi Santoso,
	//
	// Kami menerima permintaan untuk mengatur ulang kata sandi akun LPSE Kemenkeu Anda. Masukkan kode berikut pada halaman atur ulang kata sandi:
	//
	//     482913
	//
	// Kode ini berlaku selama 15 menit dan hanya dapat digunakan satu kali. Jangan berikan kode ini kepada siapa pun, termasuk petugas.
	//
	// Jika Anda tidak meminta pengaturan ulang kata sandi, abaikan email ini. Kata sandi Anda tidak berubah.
	//
	// Hormat kami,
	// LPSE Kemenkeu
	//
	// --
	// Email ini dikirim secara otomatis; mohon tidak membalas email ini.
	// LPSE Kemenkeu tidak pernah meminta kata sandi atau kode verifikasi Anda melalui email, telepon, maupun pesan singkat.
}

// A field the purpose needs cannot be left out.
func ExampleRender_missingData() {
	_, err := notify.Render(notify.ResetCode, "id", notify.Data{
		PortalName: "LPSE Kemenkeu",
		ExpiresIn:  15 * time.Minute,
	})
	var de *notify.DataError
	fmt.Println(errors.Is(err, notify.ErrMissingData), errors.As(err, &de) && de.Field == "Code")
	fmt.Println(err)
	// Output:
	// true true
	// notify: reset_code: Data.Code is missing
}

// A test sends a reset code in Indonesian into an Outbox, then reads the
// code back as the user would.
func ExampleExtractCode() {
	ctx := context.Background()
	var outbox notify.Outbox // in a test: the Sender given to the code under test

	m, err := notify.Render(notify.ResetCode, "id", notify.Data{
		PortalName: "SIPP BPJS",
		Code:       "730155",
		ExpiresIn:  10 * time.Minute,
	})
	if err != nil {
		log.Fatal(err)
	}
	m.To = "sri@example.go.id"
	if err := outbox.Send(ctx, m); err != nil {
		log.Fatal(err)
	}

	sent, ok := outbox.Last("sri@example.go.id")
	fmt.Println(ok, sent.Purpose, sent.Locale)
	code, ok := notify.ExtractCode(sent)
	fmt.Println(code, ok)
	// Output:
	// true reset_code id
	// 730155 true
}

// RenderSMS writes one GSM-7 SMS, the code first.
func ExampleRenderSMS() {
	d := notify.Data{PortalName: "SIPP BPJS", Code: "730155", ExpiresIn: 5 * time.Minute}
	for _, locale := range []string{"id", "en"} {
		m, err := notify.RenderSMS(notify.SecondFactorCode, locale, d)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(m.Text)
	}
	wib := time.FixedZone("WIB", 7*60*60)
	m, err := notify.RenderSMS(notify.AccountLocked, "id", notify.Data{
		PortalName: "SIPP BPJS",
		Until:      time.Date(2026, 3, 2, 14, 35, 0, 0, wib),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Text)
	// Output:
	// 730155 adalah kode verifikasi masuk SIPP BPJS Anda. Berlaku 5 menit. Jangan berikan kode ini kepada siapa pun, termasuk petugas.
	// 730155 is your SIPP BPJS login code. Valid for 5 minutes. Do not share this code with anyone, including our staff.
	// SIPP BPJS: akun Anda dikunci karena terlalu banyak percobaan masuk yang gagal, hingga 2 Maret 2026 pukul 14.35 WIB.
}

// A portal writes its reset codes in its own words; every other message
// stays masuk's. In production the files come from the host's embedded
// files or os.DirFS("templates"), laid out as masuk's are.
func ExampleNewTemplates() {
	tm, err := notify.NewTemplates(fstest.MapFS{
		"id/reset_code.tmpl": {Data: []byte(`
{{define "subject"}}Kode reset {{.PortalName}}{{end}}

{{define "text"}}
{{template "salutation" .}}

Kode reset kata sandi Anda: {{.Code}}. Berlaku {{.ExpiresIn}}; jangan berikan kepada siapa pun.
{{template "footer" .}}
{{end}}

{{define "sms"}}{{.Code}}: kode reset {{.PortalName}}, berlaku {{.ExpiresIn}}. Jangan berikan kepada siapa pun.{{end}}

{{define "html"}}
{{template "html_salutation" .}}
<p>Kode reset kata sandi Anda:</p>
{{template "html_code" .}}
<p>Berlaku {{.ExpiresIn}}; jangan berikan kepada siapa pun.</p>
{{end}}
`)},
	})
	if err != nil {
		log.Fatal(err)
	}
	d := notify.Data{PortalName: "SIPP BPJS", Code: "730155", ExpiresIn: 5 * time.Minute}
	m, err := tm.Render(notify.ResetCode, "id", d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Subject)
	sms, err := tm.RenderSMS(notify.ResetCode, "id", d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sms.Text)
	m, err = tm.Render(notify.ResetCode, "en", d)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Subject)

	// A file that leaves out what its purpose needs is refused, and so
	// is one that shows a field its purpose does not have: before any
	// message is sent.
	_, err = notify.NewTemplates(fstest.MapFS{
		"en/factor_added.tmpl": {Data: []byte(`{{define "subject"}}{{.Factor}} added{{end}}`)},
	})
	fmt.Println(err)
	// Output:
	// Kode reset SIPP BPJS
	// 730155: kode reset SIPP BPJS, berlaku 5 menit. Jangan berikan kepada siapa pun.
	// Your SIPP BPJS password reset code
	// notify: invalid configuration: en/factor_added.tmpl: defines no "text"
}

// Code under test sends in the background; the test waits for the
// message.
func ExampleOutbox_Wait() {
	var outbox notify.Outbox
	go func() {
		m, _ := notify.Render(notify.ActivationLink, "en", notify.Data{
			PortalName: "OSS",
			Link:       "https://oss.example.go.id/aktivasi?token=c2VjcmV0",
			ExpiresIn:  24 * time.Hour,
		})
		m.To = "pt.maju@example.co.id"
		outbox.Send(context.Background(), m)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	m, err := outbox.Wait(ctx, "pt.maju@example.co.id")
	if err != nil {
		log.Fatal(err)
	}
	link, _ := notify.ExtractLink(m)
	fmt.Println(m.Subject)
	fmt.Println(link)
	// Output:
	// Activate your OSS account
	// https://oss.example.go.id/aktivasi?token=c2VjcmV0
}

// An SMTP sender for a submission server with STARTTLS and a password,
// trusting a private CA.
func ExampleNewSMTP() {
	roots := x509.NewCertPool() // add the CA that signed the server's certificate
	sender, err := notify.NewSMTP(notify.SMTPConfig{
		Addr:      "smtp.atrbpn.example.go.id:587",
		From:      "Portal Mitra ATR/BPN <noreply@atrbpn.example.go.id>",
		Username:  "portal-mitra",
		Password:  "from the secret store, not the source", // never logged
		TLS:       notify.StartTLS,
		TLSConfig: &tls.Config{RootCAs: roots},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sender)
	// Output:
	// notify.SMTP{smtp.atrbpn.example.go.id:587 starttls from noreply@atrbpn.example.go.id}
}

// gateway is an SMS gateway's client, as a host would have one.
type gateway struct{}

func (gateway) Post(ctx context.Context, phone, text string) error {
	fmt.Printf("gateway: %d characters to %s\n", len(text), phone)
	return nil
}

// smsSender is a host's Sender for its SMS gateway.
type smsSender struct{ gw gateway }

func (s smsSender) Send(ctx context.Context, m notify.Message) error {
	if m.Channel != notify.SMS {
		return notify.ErrUnsupportedChannel
	}
	if err := m.Validate(); err != nil {
		return err
	}
	// Never log m.Text: it holds the code.
	return s.gw.Post(ctx, m.To, m.Text)
}

// channels gives masuk one Sender for both channels.
type channels struct{ email, sms notify.Sender }

func (c channels) Send(ctx context.Context, m notify.Message) error {
	if m.Channel == notify.SMS {
		return c.sms.Send(ctx, m)
	}
	return c.email.Send(ctx, m)
}

// A host plugs in its SMS gateway by implementing Sender, and routes
// each message to the sender for its channel.
func Example_smsGateway() {
	var email notify.Outbox // an *notify.SMTP in production
	var sender notify.Sender = channels{email: &email, sms: smsSender{}}

	d := notify.Data{PortalName: "SIPP BPJS", Code: "730155", ExpiresIn: 5 * time.Minute}
	m, _ := notify.RenderSMS(notify.SecondFactorCode, "id", d)
	m.To = "+6281234567890"
	fmt.Println(sender.Send(context.Background(), m))

	m.To = "081234567890" // not E.164
	fmt.Println(sender.Send(context.Background(), m))

	m, _ = notify.Render(notify.SecondFactorCode, "id", d)
	m.To = "sri@example.go.id"
	fmt.Println(sender.Send(context.Background(), m), email.Len())
	// Output:
	// gateway: 128 characters to +6281234567890
	// <nil>
	// notify: invalid recipient: not a phone number in E.164 form (+628...)
	// <nil> 1
}

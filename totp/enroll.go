package totp

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/boombuler/barcode/qr"
)

// SecretSize is the size in bytes of the secrets [NewSecret] makes: 160
// bits, RFC 4226's recommendation and what authenticator apps expect.
const SecretSize = 20

// NewSecret returns a new TOTP secret of [SecretSize] bytes read from r,
// or from crypto/rand if r is nil. Seal it before it is stored (see
// [Keyring]) and never log it.
func NewSecret(r io.Reader) ([]byte, error) {
	if r == nil {
		r = rand.Reader
	}
	s := make([]byte, SecretSize)
	if _, err := io.ReadFull(r, s); err != nil {
		return nil, fmt.Errorf("totp: reading random source: %w", err)
	}
	return s, nil
}

// MaxLabelSize bounds an [Enrollment]'s Issuer and Account, in bytes.
const MaxLabelSize = 128

// Enrollment is what an authenticator app is given to set up a factor:
// the otpauth URI, shown as a QR code or, for a phone that cannot scan
// one, as the key to type.
type Enrollment struct {
	// Issuer is the portal's name as the app lists it, such as
	// "LPSE Kemenkeu". It appears before the account and in the issuer
	// parameter.
	Issuer string
	// Account names the account within the portal, such as the username
	// or email address.
	Account string
	// Secret is the factor's secret, from [NewSecret].
	Secret []byte
	// Params gives the algorithm, digits and period the app is told to
	// use; Skew is not part of the URI.
	Params Params
}

// redacted stands for the secret where an [Enrollment] is printed.
const redacted = "[redacted]"

// Format prints e without its secret, for every verb, so that an
// Enrollment passed to fmt or to a log by mistake does not leak it.
func (e Enrollment) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprintf(f, "totp.Enrollment{Issuer:%q, Account:%q, Secret:%s, Params:%#v}", e.Issuer, e.Account, redacted, e.Params)
		return
	}
	fmt.Fprintf(f, "{Issuer:%s Account:%s Secret:%s Params:%+v}", e.Issuer, e.Account, redacted, e.Params)
}

// LogValue logs e without its secret.
func (e Enrollment) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("issuer", e.Issuer),
		slog.String("account", e.Account),
		slog.String("secret", redacted),
		slog.String("algorithm", e.Params.Algorithm.String()),
		slog.Int("digits", e.Params.Digits),
		slog.Duration("period", e.Params.Period),
	)
}

// URI returns the otpauth URI of Google's Key Uri Format, which
// authenticator apps read from a QR code:
//
//	otpauth://totp/ISSUER:ACCOUNT?secret=BASE32&issuer=ISSUER&algorithm=SHA1&digits=6&period=30
//
// with the secret in unpadded base32, every parameter written out, the
// defaults included, and the names percent-encoded (every byte but
// letters, digits and "-._~"). Issuer and Account must be non-empty UTF-8 of at
// most [MaxLabelSize] bytes with no colon (apps split the label at the
// first one) and no control or formatting character; anything else
// returns [ErrInvalidLabel].
//
// The URI holds the secret: send it to the user's browser once, over
// TLS, and never log it.
func (e Enrollment) URI() (string, error) {
	r, err := e.Params.resolve()
	if err != nil {
		return "", err
	}
	if err := checkSecret(e.Secret); err != nil {
		return "", err
	}
	if err := checkLabel("issuer", e.Issuer); err != nil {
		return "", err
	}
	if err := checkLabel("account", e.Account); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("otpauth://totp/")
	b.WriteString(escapeURI(e.Issuer))
	b.WriteByte(':')
	b.WriteString(escapeURI(e.Account))
	b.WriteString("?secret=")
	b.WriteString(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(e.Secret))
	b.WriteString("&issuer=")
	b.WriteString(escapeURI(e.Issuer))
	b.WriteString("&algorithm=")
	b.WriteString(e.Params.Algorithm.String())
	b.WriteString("&digits=")
	b.WriteString(strconv.Itoa(r.digits))
	b.WriteString("&period=")
	b.WriteString(strconv.FormatInt(r.period, 10))
	return b.String(), nil
}

// escapeURI percent-encodes every byte of s but RFC 3986's unreserved
// characters, so that a name reads the same in the label and in a query
// value, to net/url and to apps alike: a blank is %20 (apps show a "+"
// as it is), and "&", "=", "+", "#" and "/" cannot end a parameter or
// the label early. pquerna/otp's Generate leaves "&", "=" and "+" as
// they are in the issuer parameter, which cuts "A&B" to "A".
func escapeURI(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// ManualKey returns the secret as a person types it into an app that
// cannot scan the QR code: base32 without padding, in groups of four
// separated by blanks ("GEZD GNBV GY3T ..."). Apps ignore the blanks.
// Like the URI, it must be shown once and never logged.
func (e Enrollment) ManualKey() string {
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(e.Secret)
	var b strings.Builder
	for i := 0; i < len(s); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[i:min(i+4, len(s))])
	}
	return b.String()
}

func checkLabel(field, s string) error {
	if s == "" || len(s) > MaxLabelSize {
		return fmt.Errorf("%w: %s is %d bytes, want 1 to %d", ErrInvalidLabel, field, len(s), MaxLabelSize)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not UTF-8", ErrInvalidLabel, field)
	}
	for _, c := range s {
		if c == ':' {
			return fmt.Errorf("%w: %s holds a colon", ErrInvalidLabel, field)
		}
		if unicode.IsControl(c) || unicode.Is(unicode.Cf, c) {
			return fmt.Errorf("%w: %s holds control character %U", ErrInvalidLabel, field, c)
		}
	}
	return nil
}

// Bounds of [Enrollment.QR]'s size, in pixels.
const (
	// QRQuietZone is the white border around a QR code, in modules, that
	// the QR standard asks for and QR adds.
	QRQuietZone = 4
	// MaxQRSize is the largest image QR draws.
	MaxQRSize = 2048
)

// QR returns a PNG image, size pixels square, of a QR code (error
// correction level M) holding the URI: what the user scans to enroll.
//
// The code is drawn with whole pixels per module, centred, with a quiet
// zone of at least [QRQuietZone] modules on each side, in black on
// white. A URI with the default parameters and a 20-byte secret makes a
// code of 41 to 57 modules, depending on the names, so 200 to 300 pixels
// suit a web page. A size too small for one pixel per module, or larger
// than [MaxQRSize], returns [ErrQRSize].
func (e Enrollment) QR(size int) ([]byte, error) {
	uri, err := e.URI()
	if err != nil {
		return nil, err
	}
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("totp: encoding the QR code: %w", err)
	}
	n := code.Bounds().Dx()
	full := n + 2*QRQuietZone
	if size < full || size > MaxQRSize {
		return nil, fmt.Errorf("%w: %d pixels, want %d to %d", ErrQRSize, size, full, MaxQRSize)
	}
	scale := size / full
	off := (size - scale*n) / 2
	// A two-colour palette: the PNG is written one bit per pixel.
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	b := code.Bounds()
	for y := range n {
		for x := range n {
			if c, _, _, _ := code.At(b.Min.X+x, b.Min.Y+y).RGBA(); c != 0 {
				continue // white
			}
			for py := off + y*scale; py < off+(y+1)*scale; py++ {
				row := img.Pix[py*img.Stride:]
				for px := off + x*scale; px < off+(x+1)*scale; px++ {
					row[px] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp: encoding the PNG: %w", err)
	}
	return buf.Bytes(), nil
}

package totp_test

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/boombuler/barcode/qr"
	"github.com/pquerna/otp"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/totp"
)

func TestNewSecret(t *testing.T) {
	a, err := totp.NewSecret(nil)
	require.NoError(t, err)
	require.Len(t, a, totp.SecretSize)
	b, err := totp.NewSecret(nil)
	require.NoError(t, err)
	require.NotEqual(t, a, b)

	src := bytes.Repeat([]byte{7}, 40)
	s, err := totp.NewSecret(bytes.NewReader(src))
	require.NoError(t, err)
	require.Equal(t, src[:totp.SecretSize], s)

	// A short read is an error, never a partly random secret.
	_, err = totp.NewSecret(bytes.NewReader(src[:totp.SecretSize-1]))
	require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	boom := errors.New("boom")
	_, err = totp.NewSecret(iotest.ErrReader(boom))
	require.ErrorIs(t, err, boom)
	// One byte at a time is fine.
	s, err = totp.NewSecret(iotest.OneByteReader(bytes.NewReader(src)))
	require.NoError(t, err)
	require.Equal(t, src[:totp.SecretSize], s)
}

// TestURIParsesBack writes URIs for awkward names and every parameter,
// and reads them back with pquerna/otp's NewKeyFromURL.
func TestURIParsesBack(t *testing.T) {
	secret, err := totp.NewSecret(nil)
	require.NoError(t, err)
	for _, tc := range []struct {
		issuer, account string
		params          totp.Params
		alg             otp.Algorithm
		digits          otp.Digits
		period          uint64
	}{
		{"LPSE Kemenkeu", "budi@example.go.id", totp.Params{}, otp.AlgorithmSHA1, otp.DigitsSix, 30},
		{"Kementerian ATR/BPN", "Sri Mulyani", totp.Params{Algorithm: totp.SHA256, Digits: 8, Period: time.Minute}, otp.AlgorithmSHA256, otp.DigitsEight, 60},
		{"BPJS Ketenagakerjaan", "12.345.678.9-012.000", totp.Params{Algorithm: totp.SHA512, Period: 15 * time.Second}, otp.AlgorithmSHA512, otp.DigitsSix, 15},
		{"A&B ?#%+=", "x&secret=AAAA&issuer=Evil", totp.Params{}, otp.AlgorithmSHA1, otp.DigitsSix, 30},
		{"A+B/C;D,E@F", "a+b/c?d#e", totp.Params{}, otp.AlgorithmSHA1, otp.DigitsSix, 30},
		{"LPSE&secret=AAAAAAAAAAAAAAAAAAAAAAAAAA", "budi", totp.Params{}, otp.AlgorithmSHA1, otp.DigitsSix, 30},
		{"Dinas Dukcapil — Kota Medan", "Ñoño 名前", totp.Params{}, otp.AlgorithmSHA1, otp.DigitsSix, 30},
		{strings.Repeat("i", totp.MaxLabelSize), strings.Repeat("a", totp.MaxLabelSize), totp.Params{}, otp.AlgorithmSHA1, otp.DigitsSix, 30},
	} {
		e := totp.Enrollment{Issuer: tc.issuer, Account: tc.account, Secret: secret, Params: tc.params}
		uri, err := e.URI()
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(uri, "otpauth://totp/"), uri)

		require.NotContains(t, uri, " ")
		require.NotContains(t, uri, "+")
		u, err := url.Parse(uri)
		require.NoError(t, err)
		q := u.Query()
		require.Len(t, q, 5, uri)
		for _, k := range []string{"secret", "issuer", "algorithm", "digits", "period"} {
			require.Len(t, q[k], 1, "%s in %s", k, uri)
		}

		key, err := otp.NewKeyFromURL(uri)
		require.NoError(t, err)
		require.Equal(t, "totp", key.Type())
		require.Equal(t, tc.issuer, key.Issuer(), uri)
		require.Equal(t, tc.account, key.AccountName(), uri)
		require.Equal(t, base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(secret), key.Secret())
		require.NotContains(t, key.Secret(), "=", "unpadded")
		require.Equal(t, tc.alg, key.Algorithm())
		require.Equal(t, tc.digits, key.Digits())
		require.Equal(t, tc.period, key.Period())
		// Every parameter written out, in upper case (eduMFA#234).
		require.Contains(t, uri, "algorithm="+tc.params.Algorithm.String())
	}
}

// TestURILabels checks case 42's "':' rejected in issuer or account",
// and the other label rules.
func TestURILabels(t *testing.T) {
	bad := []string{
		"",
		"Ex:Co",
		":",
		"a:",
		strings.Repeat("a", totp.MaxLabelSize+1),
		"line\nbreak",
		"nul\x00",
		"tab\there",
		"del\x7f",
		"bidi\u202eevil",
		"zero\u200bwidth",
		"bad\xffutf8",
	}
	for _, s := range bad {
		for _, e := range []totp.Enrollment{
			{Issuer: s, Account: "budi", Secret: testSecret},
			{Issuer: "LPSE", Account: s, Secret: testSecret},
		} {
			_, err := e.URI()
			require.ErrorIs(t, err, totp.ErrInvalidLabel, "issuer %q account %q", e.Issuer, e.Account)
			_, err = e.QR(300)
			require.ErrorIs(t, err, totp.ErrInvalidLabel)
		}
	}
}

func TestURISecret(t *testing.T) {
	for _, s := range [][]byte{nil, {}, make([]byte, totp.MinSecretSize-1), make([]byte, totp.MaxSecretSize+1)} {
		_, err := totp.Enrollment{Issuer: "LPSE", Account: "budi", Secret: s}.URI()
		require.ErrorIs(t, err, totp.ErrInvalidSecret, "%d bytes", len(s))
	}
}

// TestURICodes checks that the app, reading the URI, computes the codes
// Match accepts: pquerna's own key gives the same secret back.
func TestURICodes(t *testing.T) {
	p := totp.Params{Algorithm: totp.SHA256, Digits: 8, Period: time.Minute}
	uri, err := totp.Enrollment{Issuer: "LPSE", Account: "budi", Secret: testSecret, Params: p}.URI()
	require.NoError(t, err)
	key, err := otp.NewKeyFromURL(uri)
	require.NoError(t, err)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(key.Secret())
	require.NoError(t, err)
	require.Equal(t, testSecret, secret)
}

func TestManualKey(t *testing.T) {
	e := totp.Enrollment{Secret: testSecret}
	k := e.ManualKey()
	require.Equal(t, "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", k)
	secret, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ReplaceAll(k, " ", ""))
	require.NoError(t, err)
	require.Equal(t, testSecret, secret)
	// 32 base32 characters for 20 bytes; odd sizes end with a short group.
	require.Equal(t, "AAAA AAAA AAAA AAAA AAAA AAAA AA", totp.Enrollment{Secret: make([]byte, 16)}.ManualKey())
}

// TestQR decodes the PNG, checks its size, colours and quiet zone, and
// reads the modules back at their centres: they must be the QR code of
// the URI.
func TestQR(t *testing.T) {
	e := totp.Enrollment{Issuer: "LPSE Kemenkeu", Account: "budi@example.go.id", Secret: testSecret}
	uri, err := e.URI()
	require.NoError(t, err)
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	require.NoError(t, err)
	n := code.Bounds().Dx()
	minSize := n + 2*totp.QRQuietZone

	for _, size := range []int{minSize, minSize + 1, 2*minSize - 1, 256, 300, totp.MaxQRSize} {
		data, err := e.QR(size)
		require.NoError(t, err, "size %d", size)
		img, err := png.Decode(bytes.NewReader(data))
		require.NoError(t, err)
		require.Equal(t, image.Rect(0, 0, size, size), img.Bounds())

		scale := size / minSize
		off := (size - scale*n) / 2
		require.GreaterOrEqual(t, off, totp.QRQuietZone*scale, "quiet zone")
		black := func(x, y int) bool {
			r, g, b, _ := img.At(x, y).RGBA()
			require.True(t, r == g && g == b && (r == 0 || r == 0xffff), "only black and white at %d,%d", x, y)
			return r == 0
		}
		for i := range off {
			for j := range size {
				require.False(t, black(i, j) || black(j, i) || black(size-1-i, j) || black(j, size-1-i), "quiet zone at %d,%d", i, j)
			}
		}
		for y := range n {
			for x := range n {
				wantBlack := code.At(x, y) == color.Black
				require.Equal(t, wantBlack, black(off+x*scale+scale/2, off+y*scale+scale/2), "module %d,%d at size %d", x, y, size)
			}
		}
	}
	for _, size := range []int{-1, 0, 1, minSize - 1, totp.MaxQRSize + 1} {
		_, err := e.QR(size)
		require.ErrorIs(t, err, totp.ErrQRSize, "size %d", size)
	}
}

var qrSample = flag.String("qr-sample", "", "write a sample enrollment QR code PNG to this file")

// TestQRSample writes a QR code to look at, when asked:
// go test ./totp -run TestQRSample -qr-sample /tmp/qr.png
func TestQRSample(t *testing.T) {
	if *qrSample == "" {
		t.Skip("no -qr-sample file")
	}
	data, err := totp.Enrollment{Issuer: "LPSE Kemenkeu", Account: "budi@example.go.id", Secret: testSecret}.QR(256)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(*qrSample, data, 0o644))
}

// TestEnrollmentRedacted checks that an Enrollment passed to fmt or to a
// log by mistake does not show its secret, in any form.
func TestEnrollmentRedacted(t *testing.T) {
	e := totp.Enrollment{Issuer: "LPSE", Account: "budi", Secret: testSecret}
	b32 := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(testSecret)
	leaks := func(s string) bool {
		return strings.Contains(s, string(testSecret)) || strings.Contains(s, b32[:8]) ||
			strings.Contains(s, "49 50 51") || strings.Contains(s, "313233") ||
			strings.Contains(s, base64.StdEncoding.EncodeToString(testSecret)[:8])
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{e, &e} {
			out := fmt.Sprintf(verb, v)
			require.False(t, leaks(out), "%s: %s", verb, out)
			require.Contains(t, out, "budi", verb)
		}
	}
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&buf, nil), slog.NewJSONHandler(&buf, nil)} {
		slog.New(h).Info("enrolling", "enrollment", e)
	}
	require.False(t, leaks(buf.String()), buf.String())
	require.Contains(t, buf.String(), "budi")
}

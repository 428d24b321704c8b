package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"strconv"
	"strings"
)

// read reads the request's body, bounded by Config.MaxBodyBytes (or, for
// a body with a passkey's credential, by maxCredential): nil for an
// empty body (refused unless optional), and otherwise only a body
// declared application/json.
func (h *Handler) read(c *call, b body) ([]byte, error) {
	limit := h.cfg.MaxBodyBytes
	if b == credentialBody {
		limit = h.maxCredential
	}
	if c.r.ContentLength > limit {
		return nil, errTooLarge
	}
	raw, err := io.ReadAll(io.LimitReader(c.r.Body, limit+1))
	if err != nil {
		return nil, malformed()
	}
	if int64(len(raw)) > limit {
		return nil, errTooLarge
	}
	if len(raw) == 0 {
		if b != optionalBody {
			return nil, malformed()
		}
		return nil, nil
	}
	mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, errMediaType
	}
	return raw, nil
}

// decode reads the body read found into v, strictly: one JSON object,
// with no field v does not have and every value of its field's type. An
// empty optional body leaves v as it is.
func decode(c *call, v any) error {
	if c.raw == nil {
		return nil
	}
	trimmed := bytes.TrimLeft(c.raw, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return malformed()
	}
	dec := json.NewDecoder(bytes.NewReader(c.raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return malformed(badField(te.Field, CodeInvalidType))
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, uerr := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			if uerr != nil || len(name) > 64 {
				return malformed()
			}
			return malformed(badField(name, CodeUnknownField))
		}
		return malformed()
	}
	if _, err := dec.Token(); err != io.EOF {
		return malformed() // a second value, or garbage after the first
	}
	return nil
}

// with makes a route's handler of one that takes the request's body,
// decoded into T by decode.
func with[T any](serve func(h *Handler, c *call, b T) (int, any, error)) func(*Handler, *call) (int, any, error) {
	return func(h *Handler, c *call) (int, any, error) {
		var b T
		if err := decode(c, &b); err != nil {
			return 0, nil, err
		}
		return serve(h, c, b)
	}
}

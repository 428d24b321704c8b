package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/masuk-id/masuk/auth"
	"github.com/masuk-id/masuk/auth/authtest"
)

// FuzzReview18PasskeyLogin feeds the login without a password (reachable
// by anyone, no account needed) answers whose parts are fuzzed around a
// real passkey's answer: the authenticator data (flags, counter,
// extensions in CBOR), the client data, the signature, the user handle,
// the credential ID. It must refuse, never panic, and never log in with a
// part changed.
//
//	go test -run '^$' -fuzz FuzzReview18PasskeyLogin -fuzztime 60s ./auth/
func FuzzReview18PasskeyLogin(f *testing.F) {
	fx, cfg := fixtureConfig([]func(*auth.Config){passkeyRealm(true), func(c *auth.Config) {
		c.Realm.Messages = auth.Messages{PortalName: "LPSE Uji"}
		c.Logger = slog.New(slog.DiscardHandler) // not a growing buffer
	}})
	k := authtest.New(f, cfg)
	ctx := context.Background()
	reg, err := k.Auth.Accounts().Register(ctx, auth.Registration{Realm: "lpse", Username: "budi", Email: "budi@example.id", Password: goodPassword})
	if err != nil {
		f.Fatal(err)
	}
	key := authtest.NewSoftAuthenticator(pkOrigin)
	k.AddPasskey(f, reg.Account.ID, goodPassword, key)

	answer := func() (*auth.PasskeyChallenge, map[string]any, map[string]any) {
		fx.clock.Advance(25 * time.Hour) // past any lock the refusals made
		ch, err := k.Auth.Logins().BeginPasskey(ctx, auth.PasskeyStart{Realm: "lpse"})
		if err != nil {
			f.Fatal(err)
		}
		raw, err := key.Get(ch.Options)
		if err != nil {
			f.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			f.Fatal(err)
		}
		return ch, m, m["response"].(map[string]any)
	}
	part := func(r map[string]any, name string) []byte {
		b, _ := r18b64.DecodeString(r[name].(string))
		return b
	}
	_, m, r := answer()
	f.Add(part(r, "authenticatorData"), part(r, "clientDataJSON"), part(r, "signature"), part(r, "userHandle"), part(m, "rawId"), uint8(0))
	ad := part(r, "authenticatorData")
	f.Add(append(append(bytes.Clone(ad[:32]), ad[32]|0x80), append(ad[33:37], 0xa1, 0x63, 'f', 'o', 'o', 0xf5)...), []byte{}, []byte{}, []byte{}, []byte{}, uint8(0x1e))

	f.Fuzz(func(t *testing.T, ad, cdj, sig, uh, id []byte, use uint8) {
		ch, m, r := answer()
		changed := false
		set := func(bit uint8, obj map[string]any, name string, v []byte) {
			if use&bit == 0 {
				return
			}
			if old, _ := r18b64.DecodeString(obj[name].(string)); !bytes.Equal(old, v) {
				changed = true
			}
			obj[name] = r18b64.EncodeToString(v)
		}
		set(1, r, "authenticatorData", ad)
		set(2, r, "clientDataJSON", cdj)
		set(4, r, "signature", sig)
		set(8, r, "userHandle", uh)
		set(16, m, "rawId", id)
		if use&32 != 0 {
			m["id"] = r18b64.EncodeToString(id)
		}
		body, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		res, err := k.Auth.Logins().PasskeyLogin(ctx, auth.PasskeyLoginRequest{Realm: "lpse", Ceremony: ch.Ceremony, Response: body})
		if err == nil && changed {
			t.Fatalf("logged in as %s with a changed answer: %s", res.Account.Username, body)
		}
	})
}

package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/masuk-id/masuk/store"
)

func TestCheckEmail(t *testing.T) {
	for _, ok := range []string{
		"",
		"budi@example.id",
		"budi.santoso+lpse@mail.example.go.id",
		"dédi@éxample.id",
		"a@b",
		"i\u0307@example.id", // what strings.ToLower makes of "İ"
		strings.Repeat("d", store.MaxEmailBytes-len("@example.id")) + "@example.id",
	} {
		assert.NoError(t, store.CheckEmail(ok), "%q", ok)
	}
	for _, bad := range []string{
		"Budi@example.id",
		"budi@EXAMPLE.ID",
		"Édi@example.id",
		"budi",
		"@example.id",
		"budi@",
		"budi santoso@example.id",
		" budi@example.id",
		"budi@example.id\n",
		"budi\x00@example.id",
		"budi\x7f@example.id",
		"budi\u00ad@example.id",
		"budi\xff@example.id",
		strings.Repeat("d", store.MaxEmailBytes-len("@example.id")+1) + "@example.id",
	} {
		assert.ErrorIs(t, store.CheckEmail(bad), store.ErrInvalid, "%q", bad)
	}
}

func TestCheckAccountProfile(t *testing.T) {
	a := store.Account{ID: "acc-1", Realm: "lpse", Username: "budi", State: store.StateActive, SecurityStamp: "s"}
	a.Profile = map[string]string{"company": "PT Maju", "nib": "9120001234567", "empty": ""}
	assert.NoError(t, store.CheckAccount(a, nil))
	a.Profile = map[string]string{strings.Repeat("k", store.MaxProfileKeyBytes): strings.Repeat("v", store.MaxProfileValueBytes)}
	assert.NoError(t, store.CheckAccount(a, nil), "at the bounds")
	for name, p := range map[string]map[string]string{
		"empty key":  {"": "x"},
		"long key":   {strings.Repeat("k", store.MaxProfileKeyBytes+1): "x"},
		"long value": {"k": strings.Repeat("v", store.MaxProfileValueBytes+1)},
		"NUL":        {"k": "\x00"},
		"not UTF-8":  {"k\xc3": "x"},
		"many fields": func() map[string]string {
			p := map[string]string{}
			for i := range store.MaxProfileFields + 1 {
				p[strings.Repeat("k", i+1)] = ""
			}
			return p
		}(),
	} {
		a.Profile = p
		assert.ErrorIs(t, store.CheckAccount(a, nil), store.ErrInvalid, name)
	}
}

func TestCheckFederatedIdentity(t *testing.T) {
	at := time.Date(2026, 3, 17, 8, 30, 0, 0, time.UTC)
	ok := store.FederatedIdentity{Realm: "lpse", Issuer: "https://sso.inapas.go.id", Subject: "3f1c9a", AccountID: "acc-1", CreatedAt: at}
	assert.NoError(t, store.CheckFederatedIdentity(ok))
	bounds := ok
	bounds.Issuer = strings.Repeat("i", store.MaxIssuerBytes)
	bounds.Subject = strings.Repeat("s", store.MaxSubjectBytes)
	assert.NoError(t, store.CheckFederatedIdentity(bounds), "at the bounds")
	for name, mutate := range map[string]func(*store.FederatedIdentity){
		"no realm":         func(f *store.FederatedIdentity) { f.Realm = "" },
		"no account":       func(f *store.FederatedIdentity) { f.AccountID = "" },
		"no issuer":        func(f *store.FederatedIdentity) { f.Issuer = "" },
		"long issuer":      func(f *store.FederatedIdentity) { f.Issuer = strings.Repeat("i", store.MaxIssuerBytes+1) },
		"issuer not UTF-8": func(f *store.FederatedIdentity) { f.Issuer += "\xff" },
		"no subject":       func(f *store.FederatedIdentity) { f.Subject = "" },
		"long subject":     func(f *store.FederatedIdentity) { f.Subject = strings.Repeat("s", store.MaxSubjectBytes+1) },
		"subject with NUL": func(f *store.FederatedIdentity) { f.Subject += "\x00" },
		"no creation time": func(f *store.FederatedIdentity) { f.CreatedAt = time.Time{} },
	} {
		f := ok
		mutate(&f)
		err := store.CheckFederatedIdentity(f)
		assert.ErrorIs(t, err, store.ErrInvalid, name)
		assert.ErrorContains(t, err, "store: invalid record: federated identity ", name)
	}
}

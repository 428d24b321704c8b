package redisstore

import (
	"reflect"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// A copy reads back as the account it was made of, every field: a nil,
// an empty and a full profile, zero times, times before 1970 and after
// 2262 (beyond nanoseconds in an int64).
func TestCopyEncodingRoundTrip(t *testing.T) {
	full := map[string]string{"nip": "198503302010011001", "instansi": "Badan Kepegawaian Negara", "": "kosong"}
	for i, a := range []store.Account{
		{},
		{ID: "acc-1", Realm: "sapk", Username: "198503302010011001", DisplayUsername: "1985 0330 2010 01 1 001",
			Email: "budi@example.id", Phone: "+6281234567890", State: store.StateActive, SecurityStamp: "s1",
			Profile: full, CreatedAt: time.Date(2026, 3, 17, 8, 30, 15, 123456789, time.UTC), UpdatedAt: time.Date(2300, 1, 1, 0, 0, 0, 1, time.UTC)},
		{ID: "acc-2", Profile: map[string]string{}, CreatedAt: time.Date(1969, 12, 31, 23, 59, 59, 999, time.UTC)},
	} {
		got, until, ok := decodeCopy(string(encodeCopy(a, int64(i)-1)))
		if !ok || !reflect.DeepEqual(got, a) || until != int64(i)-1 {
			t.Errorf("%d: decodeCopy(encodeCopy(a)) = %+v, %v; want %+v", i, got, ok, a)
		}
	}
}

// A copy cut short, or with bytes after it, or of another version, reads
// as none, and no input panics.
func FuzzDecodeCopy(f *testing.F) {
	good := string(encodeCopy(store.Account{ID: "acc-1", Realm: "lpse", Profile: map[string]string{"a": "b"}, CreatedAt: time.Unix(1, 2).UTC()}, 1e15))
	for i := range len(good) {
		if _, _, ok := decodeCopy(good[:i]); ok {
			f.Fatalf("a copy cut to %d of %d bytes read", i, len(good))
		}
	}
	if _, _, ok := decodeCopy(good + "x"); ok {
		f.Fatal("a copy with a byte after it read")
	}
	if _, _, ok := decodeCopy("\x02" + good[1:]); ok {
		f.Fatal("a copy of another version read")
	}
	f.Add(good)
	f.Add("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01")
	f.Fuzz(func(t *testing.T, raw string) {
		a, _, ok := decodeCopy(raw)
		if ok && len(a.Profile) > store.MaxProfileFields {
			t.Fatalf("a copy read with %d profile fields", len(a.Profile))
		}
	})
}

// A session's packed part reads back as written; cut short, with a byte
// after it, of another version or with too many data entries, it reads
// as nothing, and no input panics.
func FuzzUnpackSession(f *testing.F) {
	sess := store.Session{Realm: "sapk", Hash: []byte{0, 1, 0xff}, Stamp: "s1", ClientAddr: "203.0.113.7", UserAgent: "Mozilla/5.0",
		Data: map[string]string{"amr": "pwd,otp", "": "\x00"}}
	good := string(packSession(sess))
	var got store.Session
	if !unpackSession(good, &got) || !reflect.DeepEqual(got, sess) {
		f.Fatalf("unpackSession(packSession(s)) = %+v, want %+v", got, sess)
	}
	for i := range len(good) {
		if unpackSession(good[:i], new(store.Session)) {
			f.Fatalf("a packed session cut to %d of %d bytes read", i, len(good))
		}
	}
	if unpackSession(good+"x", new(store.Session)) || unpackSession("\x02"+good[1:], new(store.Session)) {
		f.Fatal("a packed session with a byte after it, or of another version, read")
	}
	f.Add(good)
	f.Add("\x01\x00\x00\x00\x00\x00\xff\xff\xff\xff\x0f")
	f.Fuzz(func(t *testing.T, raw string) {
		var s store.Session
		if unpackSession(raw, &s) && len(s.Data) > store.MaxSessionData {
			t.Fatalf("a packed session read with %d data entries", len(s.Data))
		}
	})
}

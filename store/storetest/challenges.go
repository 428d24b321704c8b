package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

func challengeClauses() []clause {
	return []clause{
		{"CreateReadTake", testChallengeRoundTrip},
		{"SingleUse", testChallengeSingleUse},
		{"ExpiryAtRead", testChallengeExpiry},
		{"DuplicateID", testChallengeDuplicate},
		{"Invalid", testChallengeInvalid},
		{"ConcurrentTake", testChallengeConcurrentTake},
		{"ReturnedCopies", testChallengeCopies},
	}
}

func challenge(ttl time.Duration) store.Challenge {
	return store.Challenge{
		ID:         newID("ch-"),
		Flow:       newID("login-form-"),
		AnswerHash: []byte("0123456789abcdef0123456789abcdef"),
		Image:      []byte("\x89PNG\r\n\x1a\n fake image"),
		Audio:      map[string][]byte{"id": []byte("RIFF id"), "en": []byte("RIFF en")},
		IssuedAt:   at,
		ExpiresAt:  at.Add(ttl),
	}
}

func testChallengeRoundTrip(t *testing.T, open Opener) {
	s := as[store.Challenges](t, open)
	c := challenge(10 * time.Minute)
	noErr(t, s.CreateChallenge(ctx(t), c), "CreateChallenge")
	got, err := s.Challenge(ctx(t), c.ID, at.Add(time.Minute))
	noErr(t, err, "Challenge")
	equal(t, got, c, "Challenge")
	// Reading the media does not use the challenge up.
	got, err = s.TakeChallenge(ctx(t), c.ID, at.Add(time.Minute))
	noErr(t, err, "TakeChallenge")
	equal(t, got, c, "TakeChallenge")
	_, err = s.Challenge(ctx(t), c.ID, at.Add(time.Minute))
	isErr(t, err, store.ErrNotFound, "Challenge after it was taken")
	_, err = s.TakeChallenge(ctx(t), newID("ch-unknown-"), at)
	isErr(t, err, store.ErrNotFound, "TakeChallenge(unknown)")
}

// testChallengeSingleUse is matrix cases 45 and 49 at the store: taking a
// challenge, whatever the caller then decides about the answer, leaves
// nothing to take again.
func testChallengeSingleUse(t *testing.T, open Opener) {
	s := as[store.Challenges](t, open)
	c := challenge(10 * time.Minute)
	noErr(t, s.CreateChallenge(ctx(t), c), "CreateChallenge")
	_, err := s.TakeChallenge(ctx(t), c.ID, at)
	noErr(t, err, "first TakeChallenge")
	_, err = s.TakeChallenge(ctx(t), c.ID, at)
	isErr(t, err, store.ErrNotFound, "second TakeChallenge")
}

// testChallengeExpiry is matrix case 48: expiry is enforced when the
// challenge is read, by the caller's clock, with no sweeper involved.
func testChallengeExpiry(t *testing.T, open Opener) {
	s := as[store.Challenges](t, open)
	c := challenge(time.Minute)
	noErr(t, s.CreateChallenge(ctx(t), c), "CreateChallenge")
	_, err := s.Challenge(ctx(t), c.ID, c.ExpiresAt.Add(-time.Microsecond))
	noErr(t, err, "Challenge just before expiry")
	_, err = s.Challenge(ctx(t), c.ID, c.ExpiresAt)
	isErr(t, err, store.ErrNotFound, "Challenge at expiry")
	_, err = s.TakeChallenge(ctx(t), c.ID, c.ExpiresAt)
	isErr(t, err, store.ErrNotFound, "TakeChallenge at expiry")
	_, err = s.TakeChallenge(ctx(t), c.ID, c.ExpiresAt.Add(-time.Second))
	isErr(t, err, store.ErrNotFound, "TakeChallenge of an expired challenge read earlier")
}

func testChallengeDuplicate(t *testing.T, open Opener) {
	s := as[store.Challenges](t, open)
	c := challenge(time.Minute)
	noErr(t, s.CreateChallenge(ctx(t), c), "CreateChallenge")
	d := challenge(time.Minute)
	d.ID = c.ID
	isErr(t, s.CreateChallenge(ctx(t), d), store.ErrConflict, "same ID")
	got, err := s.TakeChallenge(ctx(t), c.ID, at)
	noErr(t, err, "TakeChallenge")
	equal(t, got.Flow, c.Flow, "the first challenge survives")
}

func testChallengeInvalid(t *testing.T, open Opener) {
	s := as[store.Challenges](t, open)
	for name, mutate := range map[string]func(*store.Challenge){
		"short id":     func(c *store.Challenge) { c.ID = "abc" },
		"no flow":      func(c *store.Challenge) { c.Flow = "" },
		"no answer":    func(c *store.Challenge) { c.AnswerHash = nil },
		"no issue":     func(c *store.Challenge) { c.IssuedAt = time.Time{} },
		"expired":      func(c *store.Challenge) { c.ExpiresAt = c.IssuedAt },
		"huge image":   func(c *store.Challenge) { c.Image = make([]byte, store.MaxChallengeImage+1) },
		"no audio key": func(c *store.Challenge) { c.Audio = map[string][]byte{"": nil} },
	} {
		c := challenge(time.Minute)
		mutate(&c)
		isErr(t, s.CreateChallenge(ctx(t), c), store.ErrInvalid, name)
	}
}

// testChallengeConcurrentTake: of 100 parallel takes of one challenge,
// exactly one gets it.
func testChallengeConcurrentTake(t *testing.T, open Opener) {
	s := as[store.Challenges](t, open)
	c := challenge(time.Minute)
	noErr(t, s.CreateChallenge(ctx(t), c), "CreateChallenge")
	const n = 100
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = s.TakeChallenge(ctx(t), c.ID, at) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("TakeChallenge: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d parallel takes got the challenge, want exactly 1", won, n)
	}
}

func testChallengeCopies(t *testing.T, open Opener) {
	s := as[store.Challenges](t, open)
	c := challenge(time.Minute)
	noErr(t, s.CreateChallenge(ctx(t), c), "CreateChallenge")
	c.AnswerHash[0] ^= 0xff // the caller's slice is the caller's
	got, err := s.Challenge(ctx(t), c.ID, at)
	noErr(t, err, "Challenge")
	if got.AnswerHash[0] == c.AnswerHash[0] {
		t.Fatal("the store kept the caller's slice")
	}
	got.Image[0] = 'X'
	again, err := s.Challenge(ctx(t), c.ID, at)
	noErr(t, err, "Challenge")
	if again.Image[0] == 'X' {
		t.Fatal("the store handed out its own slice")
	}
}

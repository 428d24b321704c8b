package store

import (
	"context"
	"errors"
	"time"
)

// ErrCapacity means the store holds as many records of a kind as it is
// configured to; nothing was written. Stores that bound what an
// unauthenticated client can make them keep (captcha challenges) return it.
var ErrCapacity = errors.New("store: at capacity")

// Challenge is a captcha challenge: its answer, hashed, and its media,
// rendered when it was issued (the answer is not kept, so they cannot be
// rendered later).
type Challenge struct {
	// ID names the challenge: at least 128 random bits, chosen by the
	// caller.
	ID string
	// Flow binds the challenge to what asked for it (a login form's id, a
	// session): an answer is accepted only for the same flow.
	Flow string
	// AnswerHash is a hash of the normalised answer; never the answer.
	AnswerHash []byte
	// Image is the PNG; Audio the WAV in each language, keyed "id", "en".
	Image []byte
	Audio map[string][]byte
	// IssuedAt is when it was made, and ExpiresAt when it stops being
	// usable, by the caller's clock.
	IssuedAt, ExpiresAt time.Time
}

// Challenges keeps captcha challenges, each usable once, until it expires.
// Expiry is checked on every read, not left to a sweeper.
type Challenges interface {
	// CreateChallenge stores c. It returns ErrConflict when the ID is
	// taken, ErrInvalid when a required field is missing, and ErrCapacity
	// when the store keeps as many live challenges as it may (judged at
	// c.IssuedAt); when both the ID is taken and the store is full, either
	// error may come back. An empty Image, Audio map or recording may read
	// back as nil.
	CreateChallenge(ctx context.Context, c Challenge) error
	// Challenge returns the challenge with the ID if it is live at time at
	// (not taken, not expired), without taking it: for serving its media.
	// Otherwise it returns ErrNotFound.
	Challenge(ctx context.Context, id string, at time.Time) (Challenge, error)
	// TakeChallenge removes the challenge with the ID and returns it, if it
	// is live at time at; otherwise ErrNotFound. Of any number of calls
	// for one ID, at most one gets it: a challenge is used once, whether
	// the answer then given is right or wrong.
	TakeChallenge(ctx context.Context, id string, at time.Time) (Challenge, error)
}

// Bounds of a challenge's fields, checked by CheckChallenge.
const (
	MaxChallengeImage = 256 << 10
	MaxChallengeAudio = 1 << 20
)

// CheckChallenge returns ErrInvalid, wrapped with the reason, when c is not
// a challenge CreateChallenge may store, for implementations.
func CheckChallenge(c Challenge) error {
	switch {
	case len(c.ID) < 16 || len(c.ID) > 128:
		return invalid("challenge id is not 16 to 128 bytes")
	case c.Flow == "":
		return invalid("challenge flow is empty")
	case len(c.AnswerHash) < 16:
		return invalid("challenge answer hash is missing")
	case c.IssuedAt.IsZero() || !c.ExpiresAt.After(c.IssuedAt):
		return invalid("challenge times are missing or expire before issue")
	case len(c.Image) > MaxChallengeImage:
		return invalid("challenge image is too large")
	}
	for lang, a := range c.Audio {
		if lang == "" || len(a) > MaxChallengeAudio {
			return invalid("challenge audio is too large or has no language")
		}
	}
	return nil
}

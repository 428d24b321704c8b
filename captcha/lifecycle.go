package captcha

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/masuk-id/masuk/internal/typednil"
	"github.com/masuk-id/masuk/lockout"
	"github.com/masuk-id/masuk/store"
)

// Outcomes of the challenge lifecycle.
var (
	// ErrWrong: the answer does not solve the challenge. An unknown,
	// expired, already used or other flow's challenge, and an empty or
	// blank answer, all give ErrWrong: none of them ever verifies.
	ErrWrong error = rejection("captcha: wrong answer or no such challenge")
	// ErrTooMany: the client address asked for more challenges than the
	// issuance limit allows; nothing was stored. Issue and Refresh return
	// it as a *TooManyError, which says when the address may ask again.
	ErrTooMany = errors.New("captcha: too many challenges from this address")
)

// TooManyError is the [ErrTooMany] of Issue and Refresh: RetryAt is when
// the client address may be issued a challenge again, so that a page can
// say when to come back instead of asking for a challenge it cannot show.
// errors.Is(err, ErrTooMany) is true for it.
type TooManyError struct {
	RetryAt time.Time
}

func (e *TooManyError) Error() string { return ErrTooMany.Error() }

// Is reports whether target is ErrTooMany.
func (e *TooManyError) Is(target error) bool { return target == ErrTooMany }

// ServiceConfig configures a [Service]. Only Store is required.
type ServiceConfig struct {
	// Store keeps the challenges; every instance of a portal must share
	// it. Required.
	Store store.Challenges
	// Limiter counts the challenges issued to each client address. Nil
	// means Store, which must then implement store.Attempts (memstore,
	// sqlstore and redisstore do).
	Limiter store.Attempts
	// Generator renders answers, images and audio. Nil means
	// NewGenerator(Config{}): 6 digits on 240×80.
	Generator *Generator
	// TTL is how long a challenge may be answered. Zero means 10 minutes;
	// at most one hour.
	TTL time.Duration
	// IssueLimit challenges per IssueWindow are issued to one client
	// address (IPv6 per /64, and at most 100 per window to one IPv6 /48);
	// more are refused with ErrTooMany. Zero means 30 per 10 minutes: a
	// person refreshes a few times, a flood is cut short. IssueLimit is at
	// most 100.
	IssueLimit  int
	IssueWindow time.Duration
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// Rand is the source of challenge IDs. Nil means crypto/rand.Reader.
	Rand io.Reader
	// MeterProvider receives the counts of challenges issued and answers
	// verified (masuk.captcha.issued, masuk.captcha.verified, by
	// outcome). Nil means none.
	MeterProvider metric.MeterProvider
}

// Service issues captcha challenges and verifies their answers: each
// challenge bound to the flow that asked for it, answerable once, until it
// expires, with its answer stored only as a hash.
type Service struct {
	store   store.Challenges
	limiter store.Attempts
	gen     *Generator
	ttl     time.Duration
	limit   store.Limit
	now     func() time.Time
	rand    io.Reader
	tel     telemetry
}

// Issued is a new challenge as a page shows it: its ID (for the form's
// hidden field and the media URLs) and when it expires.
type Issued struct {
	ID        string    `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// maxFlow bounds a flow identifier.
const maxFlow = 256

// NewService returns a Service for cfg, or an error for a configuration it
// would have to weaken.
func NewService(cfg ServiceConfig) (*Service, error) {
	if typednil.Is(cfg.Store) {
		return nil, fmt.Errorf("captcha: ServiceConfig.Store is required (and not a nil %T)", cfg.Store)
	}
	if cfg.Limiter != nil && typednil.Is(cfg.Limiter) {
		return nil, fmt.Errorf("captcha: ServiceConfig.Limiter is a nil %T", cfg.Limiter)
	}
	s := &Service{store: cfg.Store, limiter: cfg.Limiter, gen: cfg.Generator, ttl: cfg.TTL, now: cfg.Now, rand: cfg.Rand}
	if s.limiter == nil {
		l, ok := cfg.Store.(store.Attempts)
		if !ok {
			return nil, errors.New("captcha: ServiceConfig.Limiter is nil and Store does not implement store.Attempts")
		}
		s.limiter = l
	}
	if s.gen == nil {
		g, err := NewGenerator(Config{})
		if err != nil {
			return nil, err
		}
		s.gen = g
	}
	if s.ttl == 0 {
		s.ttl = 10 * time.Minute
	}
	if s.ttl < 0 || s.ttl > time.Hour {
		return nil, fmt.Errorf("captcha: TTL %v is not between 0 and 1 hour", s.ttl)
	}
	n, w := cfg.IssueLimit, cfg.IssueWindow
	if n == 0 {
		n = 30
	}
	if w == 0 {
		w = 10 * time.Minute
	}
	s.limit = store.Limit{Threshold: n, Window: w, LockBase: w, LockMax: w, Forget: w}
	if !s.limit.Valid() {
		return nil, fmt.Errorf("captcha: issue limit %d per %v is not valid (1 to 100, positive window)", n, w)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if err := s.tel.init(cfg.MeterProvider); err != nil {
		return nil, err
	}
	return s, nil
}

// Issue makes a new challenge for flow (the login form's or session's
// identifier, which Verify must be given again) asked for from clientAddr,
// rendering its image and audio. It returns a *TooManyError (errors.Is
// ErrTooMany) past the issuance limit and store.ErrCapacity when the store
// is full.
func (s *Service) Issue(ctx context.Context, flow, clientAddr string) (_ Issued, err error) {
	defer func() { s.tel.issue(ctx, err) }()
	if flow == "" || len(flow) > maxFlow {
		return Issued{}, errors.New("captcha: flow must be 1 to 256 bytes")
	}
	now := s.now()
	tk, err := s.limiter.TakeAttempt(ctx, now, s.issueKeys(clientAddr))
	if err != nil {
		return Issued{}, fmt.Errorf("captcha: %w", err)
	}
	if !tk.Allowed {
		return Issued{}, &TooManyError{RetryAt: retryAt(tk, now, s.limit.Window)}
	}
	id, err := s.newID()
	if err != nil {
		return Issued{}, err
	}
	answer, err := s.gen.Answer()
	if err != nil {
		return Issued{}, err
	}
	c := store.Challenge{ID: id, Flow: flow, AnswerHash: answerHash(id, answer), IssuedAt: now, ExpiresAt: now.Add(s.ttl), Audio: map[string][]byte{}}
	var buf bytes.Buffer
	if err := s.gen.Image(&buf, answer); err != nil {
		return Issued{}, err
	}
	c.Image = bytes.Clone(buf.Bytes())
	for _, lang := range AudioLanguages() {
		buf.Reset()
		if err := s.gen.Audio(&buf, answer, lang); err != nil {
			return Issued{}, err
		}
		c.Audio[lang] = bytes.Clone(buf.Bytes())
	}
	if err := s.store.CreateChallenge(ctx, c); err != nil {
		return Issued{}, fmt.Errorf("captcha: %w", err)
	}
	return Issued{ID: id, ExpiresAt: c.ExpiresAt}, nil
}

// Refresh replaces a challenge the person could not read: the old one is
// used up (whatever flow it belonged to) and a new one is issued for flow.
// It counts toward the issuance limit like Issue.
func (s *Service) Refresh(ctx context.Context, oldID, flow, clientAddr string) (Issued, error) {
	if oldID != "" {
		if _, err := s.store.TakeChallenge(ctx, oldID, s.now()); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Issued{}, fmt.Errorf("captcha: %w", err)
		}
	}
	return s.Issue(ctx, flow, clientAddr)
}

// Verify uses up the challenge with the ID and reports whether answer, as
// typed, solves it for flow: nil if it does, ErrWrong if not (or if there
// is no such live challenge). Any other error is the store's; the caller
// must treat it as not solved.
func (s *Service) Verify(ctx context.Context, id, flow, answer string) (err error) {
	defer func() { s.tel.verify(ctx, err) }()
	if id == "" || len(id) > 128 {
		return ErrWrong
	}
	c, err := s.store.TakeChallenge(ctx, id, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return ErrWrong
	}
	if err != nil {
		return fmt.Errorf("captcha: %w", err)
	}
	norm, ok := Normalize(answer)
	flowOK := subtle.ConstantTimeCompare([]byte(c.Flow), []byte(flow)) == 1
	answerOK := subtle.ConstantTimeCompare(answerHash(c.ID, norm), c.AnswerHash) == 1
	if !ok || !flowOK || !answerOK {
		return ErrWrong
	}
	return nil
}

// Image returns the PNG of a live challenge, or store.ErrNotFound.
func (s *Service) Image(ctx context.Context, id string) ([]byte, error) {
	c, err := s.store.Challenge(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	return c.Image, nil
}

// Audio returns the WAV of a live challenge in lang ("id", "en", or a tag
// such as "id-ID" that AudioLanguage maps to one), or store.ErrNotFound.
func (s *Service) Audio(ctx context.Context, id, lang string) ([]byte, error) {
	c, err := s.store.Challenge(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	lang, ok := AudioLanguage(lang)
	a, found := c.Audio[lang]
	if !ok || !found {
		return nil, ErrLanguage
	}
	return a, nil
}

// retryAt is when the refused issue tk may be tried again: the end of the
// latest lock among its counters, or, should none say, a window from now.
func retryAt(tk store.Take, now time.Time, window time.Duration) time.Time {
	var at time.Time
	for _, c := range tk.Counters {
		if c.Locked(now) && !c.Permanent && c.LockedUntil.After(at) {
			at = c.LockedUntil
		}
	}
	if at.IsZero() {
		at = now.Add(window)
	}
	return at
}

// issueKeys returns the counters an issue is charged to: the client's
// address (IPv6 per /64) and, for IPv6, its /48 as well, which allows 100
// per window: one allocation holds 65,536 /64s, and without a coarser
// counter one network could fill the store for everyone.
func (s *Service) issueKeys(clientAddr string) []store.AttemptKey {
	keys := []store.AttemptKey{{Key: "cap|ip|" + lockout.CountedAddr(clientAddr, 64), Limit: s.limit}}
	if net := lockout.CountedAddr(clientAddr, 48); net != lockout.CountedAddr(clientAddr, 128) {
		l := s.limit
		l.Threshold = 100
		keys = append(keys, store.AttemptKey{Key: "cap|net|" + net, Limit: l})
	}
	return keys
}

func (s *Service) newID() (string, error) {
	var b [18]byte // 144 bits
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", fmt.Errorf("captcha: reading randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// answerHash is what a challenge keeps of its answer: SHA-256 over the
// challenge's ID and the normalised answer, so equal answers of different
// challenges hash differently.
func answerHash(id, normalized string) []byte {
	h := sha256.New()
	h.Write([]byte("masuk captcha answer\x00"))
	h.Write([]byte(id))
	h.Write([]byte{0})
	h.Write([]byte(normalized))
	return h.Sum(nil)
}

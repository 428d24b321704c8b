// Package captcha makes the captcha challenges a login form shows when it
// needs one: answers, distorted images of them, the same answers spoken in
// Indonesian and English, and the form the typed answer is compared in. It
// also verifies the tokens of hosted captcha services (Cloudflare
// Turnstile, hCaptcha, reCAPTCHA) for portals that use one instead.
//
// A captcha is friction, not authentication (OWASP): it makes each
// password guess cost a person's attention, and it works together with the
// lockout package, never instead of it.
//
// # Making a challenge
//
// A [Generator] holds the shape of a portal's challenges ([Config]: size,
// length, alphabet, random source) and is safe for concurrent use; make one
// per shape and keep it:
//
//	g, err := captcha.NewGenerator(captcha.Config{}) // 6 digits, 240×80
//	answer, err := g.Answer()
//	err = g.Image(&png, answer)            // image/png
//	err = g.Audio(&wav, answer, "id")      // audio/wav, and again with "en"
//
// [Generator.Answer] draws each character uniformly from the alphabet with
// crypto/rand (bytes that would bias the choice are discarded).
// [Generator.Image] draws the answer as a PNG: each character in Go Bold or
// Go Mono Bold, rotated by up to ±22°, scaled and moved on its own,
// crossed by two or three curves, sprinkled with dots and warped by sine
// waves; in 16 shades of one dark ink on a light background. A default
// image is 3 to 5 KB and takes a small fraction of the time base64Captcha
// needs for the same size and length (see BENCHMARKS.md). Each call
// distorts differently, so a refresh of the same answer is a new picture.
//
// The person's input goes through [Normalize] before it is hashed or
// compared: white space anywhere is dropped and letters are upper-cased,
// so "12 34 56" and "ace479" are "123456" and "ACE479". Anything else
// (punctuation, full-width digits, an empty or blank answer) is not an
// answer at all: Normalize reports false, and that must count as a wrong
// answer.
//
// # Answers are used once
//
// A challenge is worth something only if each one allows a single guess
// and expires. Keep the answer where the client cannot see it, hashed,
// bound to the form that asked for it; check expiry when the answer
// arrives, not in a sweeper; and consume the challenge on the first answer,
// right or wrong (store.Challenges is that contract). An unknown challenge
// with an empty answer must never verify: that was base64Captcha's
// CVE-2023-45292, still half open in its v1.3.8. The image, the audio and
// every language of a challenge share its one answer and its one use.
//
// A [Service] does all of that on a store.Challenges (memstore, sqlstore
// or redisstore):
//
//	svc, err := captcha.NewService(captcha.ServiceConfig{Store: st})
//	is, err := svc.Issue(ctx, formID, clientAddr)      // is.ID for the form
//	mux.Handle("GET /captcha", svc.Handler())           // ?id=…, ?id=…&audio=id
//	err = svc.Verify(ctx, idFromForm, formID, typed)    // nil, or ErrWrong
//
// [Service.Issue] renders the image and the audio in every language when
// the challenge is made and stores them with the hash of the answer (the
// answer itself is kept nowhere, so nothing can render it later). Issuance
// is limited per client address (30 per 10 minutes by default, IPv6 per
// /64), and memstore bounds the live challenges, so a flood neither fills
// the store nor burns the CPU. [Service.Verify] takes the challenge out of
// the store before it compares anything: a wrong answer, an answer for
// another flow, an empty answer and an unknown ID all give [ErrWrong], and
// none leaves a second chance. [Service.Refresh] uses up the old challenge
// and issues a new one. Most hosts never call Verify: auth.Login does, when
// the realm's captcha policy asks for one.
//
// In a test of a portal's captcha policy, [github.com/masuk-id/masuk/auth/authtest.Kit.SolveCaptcha] issues a
// challenge from the Service an authtest Kit builds and returns its
// answer.
//
// # Choosing an alphabet
//
// [Digits], the default, is the easiest to read and to hear: ten shapes
// nobody confuses and names every listener knows (nol, satu, dua; zero,
// one, two). Six digits are about 20 bits, which is plenty for a challenge
// that allows one guess.
//
// [DigitsLetters] adds the upper-case letters that stay distinct once
// distorted: it leaves out 0 O Q D, 1 I L, 2 Z, 5 S, 6 G, 8 B and U V, and
// F and P, which a crossing line turns into E and R. Its 17 characters
// give six-character answers of about 24.5 bits. Letter names are harder
// to hear than digits, especially in English, where C, E and T rhyme, as
// do A, J and K, and M and N; if many of a portal's users rely on the
// audio, prefer Digits.
//
// A custom [Alphabet] is any set of 2 to 36 distinct digits and upper-case
// ASCII letters; every such character has a glyph and a recording.
//
// # Accessibility
//
// An image alone shuts out people who cannot see it. WCAG 2 success
// criterion 1.1.1 asks for a text alternative naming the purpose of the
// captcha and an alternative in another modality (techniques G143, G144):
// offer [Generator.Audio] beside every image, in the person's language.
// The audio speaks the answer character by character, in Indonesian
// ("id", also "id-ID" and "in") or English ("en"), with pauses and voices
// that vary, over low noise and a quiet babble of other characters played
// backwards, so that a speech recogniser has more to untangle than a
// listener. It is an 8 kHz, 8-bit mono WAV, about 50 KB and 6 seconds for
// six digits.
// [AudioLanguages] lists the languages; [AudioLanguage] maps what a browser
// asks for ("id-ID", "en-GB") to one of them.
//
// The recordings were made with the espeak-ng speech synthesiser from
// Debian's packages by internal/sounds/generate.sh, which is committed
// beside them: rerun it to change voice or speed. They are embedded in the
// package (about 200 KB).
//
// Images use a contrast ratio above 7:1 between ink and background for
// people with low vision. Even so, transcribing characters is a cognitive
// function test (WCAG 2.2 success criterion 3.3.8): ask for a captcha only
// when needed, such as after failed logins, and keep another way in for
// those who cannot solve one.
//
// # Hosted services
//
// A portal that embeds a hosted widget verifies its token with a
// [Verifier]: [NewTurnstile], [NewHCaptcha] or [NewReCAPTCHA] with the
// secret key, and options for the expected hostnames ([HostedHostnames]),
// action ([HostedAction]), reCAPTCHA v3's minimum score ([HostedMinScore],
// 0.5 by default), the HTTP client ([HostedClient]) and the time limit
// ([HostedTimeout], 5 seconds by default).
//
// Verification fails closed. A token the service refuses, or that was
// solved on another site or for another action, or scored too low, is
// [ErrHostedRejected]; a service that cannot be reached in time, answers
// with an HTTP error or with something that is not a verdict, or complains
// about the secret, is [ErrHostedUnavailable]. Both are errors: an
// attacker who can slow the service down gains nothing. A [*HostedError]
// carries the service's error codes and the reason, without the secret or
// the token, for logs.
package captcha

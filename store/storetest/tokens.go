package storetest

import (
	"bytes"
	"crypto/subtle"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Tokens do not check that their account exists, so these clauses need
// nothing but store.Tokens: account IDs are made up.

func tokenClauses() []clause {
	return []clause{
		{"IssueAttemptConsume", testTokenRoundTrip},
		{"Keys", testTokenKeys},
		{"AttemptsRunOut", testTokenAttempts},
		{"ExpiryAtRead", testTokenExpiry},
		{"IssueVoidsPrevious", testTokenReplaces},
		{"Cooldown", testTokenCooldown},
		{"CooldownIgnoredWhenGone", testTokenCooldownGone},
		{"ConsumeWrongHash", testConsumeWrongHash},
		{"Void", testVoidTokens},
		{"Invalid", testTokenInvalid},
		{"AtBounds", testTokenBounds},
		{"SelectorConflict", testTokenSelectorConflict},
		{"ConcurrentRedeem", testTokenConcurrentRedeem},
		{"ConcurrentAttempts", testTokenConcurrentAttempts},
		{"ConcurrentRedeemPastAttempts", testTokenRedeemPastAttempts},
		{"SpentStaysRefused", testTokenSpentStays},
		{"Bindings", testTokenBindings},
		{"BindingReissue", testTokenBindingReissue},
		{"BindingVoid", testTokenBindingVoid},
		{"BindingCooldown", testTokenBindingCooldown},
		{"BindingCap", testTokenBindingCap},
		{"BindingCapTies", testTokenBindingCapTies},
		{"ConcurrentBindingCap", testTokenConcurrentBindingCap},
		{"ReturnedCopies", testTokenCopies},
		{"CanceledContext", testTokensCanceled},
	}
}

const tokenTTL = 15 * time.Minute

func token(accountID, purpose string) store.Token {
	return store.Token{
		Selector:    newID("token-"),
		AccountID:   accountID,
		Purpose:     purpose,
		Hash:        hashes(1, 32)[0],
		Data:        map[string]string{"email": "budi.baru@example.id", "methods": "totp,email"},
		MaxAttempts: 5,
		IssuedAt:    at,
		ExpiresAt:   at.Add(tokenTTL),
	}
}

// normToken is t as AttemptToken returns it after attempts attempts: times
// in UTC, and empty Data as nil (a store may read back either).
func normToken(t store.Token, attempts int) store.Token {
	t.Attempts = attempts
	t.IssuedAt, t.ExpiresAt = t.IssuedAt.UTC(), t.ExpiresAt.UTC()
	if len(t.Data) == 0 {
		t.Data = nil
	}
	return t
}

func issue(t *testing.T, s store.Tokens, toks ...store.Token) {
	t.Helper()
	for _, tok := range toks {
		noErr(t, s.IssueToken(ctx(t), tok, 0), "IssueToken "+tok.Selector)
	}
}

func bySelector(tok store.Token) store.TokenKey { return store.TokenKey{Selector: tok.Selector} }

func byOwner(tok store.Token) store.TokenKey {
	return store.TokenKey{AccountID: tok.AccountID, Purpose: tok.Purpose, Binding: tok.Binding}
}

// attempt charges an attempt to the token k finds at time when, and
// requires it to be tok after attempts attempts.
func attempt(t *testing.T, s store.Tokens, k store.TokenKey, when time.Time, tok store.Token, attempts int) {
	t.Helper()
	got, err := s.AttemptToken(ctx(t), k, when)
	noErr(t, err, fmt.Sprintf("AttemptToken(%+v)", k))
	if len(got.Data) == 0 {
		got.Data = nil
	}
	equal(t, got, normToken(tok, attempts), fmt.Sprintf("AttemptToken(%+v)", k))
	if got.IssuedAt.Location() != time.UTC || got.ExpiresAt.Location() != time.UTC {
		t.Fatalf("token times %v, %v are not in UTC", got.IssuedAt, got.ExpiresAt)
	}
}

func gone(t *testing.T, s store.Tokens, k store.TokenKey, when time.Time, what string) {
	t.Helper()
	_, err := s.AttemptToken(ctx(t), k, when)
	isErr(t, err, store.ErrNotFound, what)
}

func testTokenRoundTrip(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "reset")
	tok.IssuedAt, tok.ExpiresAt = tok.IssuedAt.In(wib), tok.ExpiresAt.In(wib)
	tok.Attempts = 3 // the store sets it: a new token has none
	issue(t, s, tok)
	attempt(t, s, bySelector(tok), at.Add(time.Minute), tok, 1)
	attempt(t, s, byOwner(tok), at.Add(time.Minute), tok, 2)
	noErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), "ConsumeToken")
	gone(t, s, bySelector(tok), at.Add(time.Minute), "AttemptToken by selector after ConsumeToken")
	gone(t, s, byOwner(tok), at.Add(time.Minute), "AttemptToken by account and purpose after ConsumeToken")
	isErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), store.ErrNotFound, "ConsumeToken again")

	// Data is optional: none may read back as nil or empty.
	for name, data := range map[string]map[string]string{"nil": nil, "empty": {}} {
		bare := token(newID("acc-"), "login.pending")
		bare.Data = data
		issue(t, s, bare)
		attempt(t, s, byOwner(bare), at, bare, 1)
		noErr(t, s.ConsumeToken(ctx(t), bare.Selector, bare.Hash), "ConsumeToken of a token with "+name+" data")
	}
}

// testTokenKeys: a key finds a token by its selector when it has one,
// otherwise by account and purpose.
func testTokenKeys(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc := newID("acc-")
	tok := token(acc, "login.email")
	other := token(acc, "reset")
	issue(t, s, tok, other)
	attempt(t, s, store.TokenKey{Selector: tok.Selector, AccountID: other.AccountID, Purpose: other.Purpose}, at, tok, 1)
	attempt(t, s, store.TokenKey{Selector: tok.Selector, AccountID: newID("acc-")}, at, tok, 2)
	attempt(t, s, byOwner(other), at, other, 1)
	gone(t, s, store.TokenKey{AccountID: acc, Purpose: "activate"}, at, "AttemptToken(a purpose without a token)")
	gone(t, s, store.TokenKey{AccountID: newID("acc-"), Purpose: tok.Purpose}, at, "AttemptToken(an account without a token)")
	gone(t, s, store.TokenKey{Selector: newID("token-"), AccountID: acc, Purpose: tok.Purpose}, at, "AttemptToken(unknown selector)")
	for name, k := range map[string]store.TokenKey{
		"empty":        {},
		"no purpose":   {AccountID: acc},
		"no account":   {Purpose: tok.Purpose},
		"long binding": {AccountID: acc, Purpose: tok.Purpose, Binding: strings.Repeat("b", store.MaxTokenBinding+1)},
	} {
		_, err := s.AttemptToken(ctx(t), k, at)
		if !errors.Is(err, store.ErrInvalid) && !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("AttemptToken(%s key): got error %v, want ErrInvalid or ErrNotFound", name, err)
		}
	}
	attempt(t, s, bySelector(tok), at, tok, 3)
}

// testTokenAttempts: the attempt after MaxAttempts finds nothing, and
// leaves the token to the caller charged the last allowed attempt, which
// may still consume it.
func testTokenAttempts(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "login.sms")
	tok.MaxAttempts = 3
	issue(t, s, tok)
	for i := 1; i <= 3; i++ {
		attempt(t, s, bySelector(tok), at, tok, i)
	}
	gone(t, s, bySelector(tok), at, "the attempt after the last allowed")
	gone(t, s, byOwner(tok), at, "AttemptToken by account and purpose after the token ran out")
	noErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), "ConsumeToken, by the caller charged the last attempt, after the token ran out")
	isErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), store.ErrNotFound, "ConsumeToken again")

	one := token(newID("acc-"), "login.sms")
	one.MaxAttempts = 1
	issue(t, s, one)
	attempt(t, s, byOwner(one), at, one, 1)
	gone(t, s, byOwner(one), at, "the second attempt of a token that allows one")
	gone(t, s, bySelector(one), at, "AttemptToken by selector after the token ran out")
}

// testTokenExpiry: as for challenges, a token is live strictly before
// ExpiresAt, by the caller's clock, and an attempt at an expired token
// deletes it.
func testTokenExpiry(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "reset")
	issue(t, s, tok)
	attempt(t, s, bySelector(tok), tok.ExpiresAt.Add(-time.Microsecond), tok, 1)
	gone(t, s, bySelector(tok), tok.ExpiresAt, "AttemptToken at expiry")
	gone(t, s, bySelector(tok), tok.ExpiresAt.Add(-time.Second), "AttemptToken of an expired token read earlier")
	isErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), store.ErrNotFound, "ConsumeToken of an expired token read earlier")

	late := token(newID("acc-"), "reset")
	issue(t, s, late)
	gone(t, s, byOwner(late), late.ExpiresAt.Add(time.Hour), "AttemptToken by account and purpose after expiry")
	gone(t, s, byOwner(late), at, "AttemptToken by account and purpose of an expired token read earlier")

	// ConsumeToken does not check expiry: the caller consumes what
	// AttemptToken just returned.
	edge := token(newID("acc-"), "reset")
	issue(t, s, edge)
	attempt(t, s, bySelector(edge), edge.ExpiresAt.Add(-time.Microsecond), edge, 1)
	noErr(t, s.ConsumeToken(ctx(t), edge.Selector, edge.Hash), "ConsumeToken of a token attempted just before expiry")
}

// testTokenReplaces: an account holds one token per purpose; a new one
// voids the old, and only that.
func testTokenReplaces(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc := newID("acc-")
	first := token(acc, "reset")
	otherPurpose := token(acc, "activate")
	otherAccount := token(newID("acc-"), "reset")
	issue(t, s, first, otherPurpose, otherAccount)
	second := token(acc, "reset")
	second.IssuedAt = at.Add(time.Minute)
	second.ExpiresAt = second.IssuedAt.Add(tokenTTL)
	second.Data = map[string]string{"via": "code"}
	issue(t, s, second)
	gone(t, s, bySelector(first), at.Add(time.Minute), "the replaced token by selector")
	isErr(t, s.ConsumeToken(ctx(t), first.Selector, first.Hash), store.ErrNotFound, "ConsumeToken of the replaced token")
	attempt(t, s, byOwner(second), at.Add(time.Minute), second, 1)
	attempt(t, s, bySelector(otherPurpose), at.Add(time.Minute), otherPurpose, 1)
	attempt(t, s, bySelector(otherAccount), at.Add(time.Minute), otherAccount, 1)

	// Issuing under the selector of the token it replaces is no conflict.
	third := token(acc, "reset")
	third.Selector = second.Selector
	third.IssuedAt = at.Add(2 * time.Minute)
	third.ExpiresAt = third.IssuedAt.Add(tokenTTL)
	issue(t, s, third)
	attempt(t, s, bySelector(third), third.IssuedAt, third, 1)
	isErr(t, s.ConsumeToken(ctx(t), second.Selector, second.Hash), store.ErrNotFound, "ConsumeToken with the replaced token's hash")
	noErr(t, s.ConsumeToken(ctx(t), third.Selector, third.Hash), "ConsumeToken")
}

func testTokenCooldown(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	const cooldown = time.Minute
	acc := newID("acc-")
	first := token(acc, "login.email")
	noErr(t, s.IssueToken(ctx(t), first, cooldown), "IssueToken (first, with a cooldown)")
	for _, d := range []time.Duration{0, 30 * time.Second, cooldown - time.Microsecond} {
		again := token(acc, "login.email")
		again.IssuedAt = at.Add(d).In(wib)
		again.ExpiresAt = again.IssuedAt.Add(tokenTTL)
		err := s.IssueToken(ctx(t), again, cooldown)
		isErr(t, err, store.ErrCooldown, fmt.Sprintf("IssueToken %v after the first", d))
		var ce *store.CooldownError
		if !errors.As(err, &ce) {
			t.Fatalf("IssueToken %v after the first: %T is not a *store.CooldownError", d, err)
		}
		if !ce.Until.Equal(at.Add(cooldown)) {
			t.Fatalf("CooldownError.Until is %v, want %v", ce.Until, at.Add(cooldown))
		}
		gone(t, s, bySelector(again), again.IssuedAt, "the token refused for the cooldown")
	}
	attempt(t, s, bySelector(first), at.Add(time.Second), first, 1) // nothing was voided

	// The cooldown binds one account and purpose only.
	noErr(t, s.IssueToken(ctx(t), token(acc, "reset"), cooldown), "another purpose during the cooldown")
	noErr(t, s.IssueToken(ctx(t), token(newID("acc-"), "login.email"), cooldown), "another account during the cooldown")
	// No cooldown asked, none applied.
	quick := token(acc, "reset")
	quick.IssuedAt = at.Add(time.Second)
	noErr(t, s.IssueToken(ctx(t), quick, 0), "IssueToken without a cooldown")

	next := token(acc, "login.email")
	next.IssuedAt = at.Add(cooldown)
	next.ExpiresAt = next.IssuedAt.Add(tokenTTL)
	noErr(t, s.IssueToken(ctx(t), next, cooldown), "IssueToken once the cooldown is over")
	gone(t, s, bySelector(first), next.IssuedAt, "the token replaced after the cooldown")
	attempt(t, s, byOwner(next), next.IssuedAt, next, 1)
}

// testTokenCooldownGone: the cooldown counts from a live token only: one
// expired, consumed or voided does not hold back the next. (One run out
// of attempts is still live: see testTokenSpentStays.)
func testTokenCooldownGone(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	const cooldown = 5 * time.Minute
	later := func(tok store.Token, d time.Duration) store.Token {
		n := token(tok.AccountID, tok.Purpose)
		n.IssuedAt = tok.IssuedAt.Add(d)
		n.ExpiresAt = n.IssuedAt.Add(tokenTTL)
		return n
	}

	expired := token(newID("acc-"), "login.email")
	expired.ExpiresAt = at.Add(time.Minute)
	noErr(t, s.IssueToken(ctx(t), expired, cooldown), "IssueToken")
	next := later(expired, time.Minute) // at the first one's ExpiresAt
	noErr(t, s.IssueToken(ctx(t), next, cooldown), "IssueToken after the previous token expired")
	attempt(t, s, byOwner(next), next.IssuedAt, next, 1)

	consumed := token(newID("acc-"), "login.email")
	noErr(t, s.IssueToken(ctx(t), consumed, cooldown), "IssueToken")
	attempt(t, s, bySelector(consumed), at, consumed, 1)
	noErr(t, s.ConsumeToken(ctx(t), consumed.Selector, consumed.Hash), "ConsumeToken")
	noErr(t, s.IssueToken(ctx(t), later(consumed, time.Second), cooldown), "IssueToken after the previous token was consumed")

	voided := token(newID("acc-"), "login.email")
	noErr(t, s.IssueToken(ctx(t), voided, cooldown), "IssueToken")
	noErr(t, s.VoidTokens(ctx(t), voided.AccountID), "VoidTokens")
	noErr(t, s.IssueToken(ctx(t), later(voided, time.Second), cooldown), "IssueToken after the previous token was voided")

	spent := token(newID("acc-"), "login.email")
	spent.MaxAttempts = 1
	spent.ExpiresAt = at.Add(time.Minute)
	noErr(t, s.IssueToken(ctx(t), spent, cooldown), "IssueToken")
	attempt(t, s, bySelector(spent), at, spent, 1)
	gone(t, s, bySelector(spent), at, "the attempt after the last allowed")
	noErr(t, s.IssueToken(ctx(t), later(spent, time.Minute), cooldown), "IssueToken after the previous token, run out of attempts, expired")
}

func testConsumeWrongHash(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "reset")
	other := token(newID("acc-"), "reset")
	issue(t, s, tok, other)
	attempt(t, s, bySelector(tok), at, tok, 1)
	wrong := slices.Clone(tok.Hash)
	wrong[len(wrong)-1] ^= 1
	for name, h := range map[string][]byte{
		"one bit off":       wrong,
		"a prefix":          tok.Hash[:16],
		"longer":            append(slices.Clone(tok.Hash), 0),
		"nil":               nil,
		"another's hash":    other.Hash,
		"the hash repeated": bytes.Repeat(tok.Hash, 2),
	} {
		isErr(t, s.ConsumeToken(ctx(t), tok.Selector, h), store.ErrNotFound, "ConsumeToken with "+name)
	}
	isErr(t, s.ConsumeToken(ctx(t), newID("token-"), tok.Hash), store.ErrNotFound, "ConsumeToken(unknown selector)")
	attempt(t, s, bySelector(tok), at, tok, 2) // still usable
	noErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), "ConsumeToken with the right hash")
	attempt(t, s, bySelector(other), at, other, 1)
}

func testVoidTokens(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc := newID("acc-")
	reset, code, activate := token(acc, "reset"), token(acc, "reset.code"), token(acc, "activate")
	otherAccount := token(newID("acc-"), "reset")
	issue(t, s, reset, code, activate, otherAccount)
	noErr(t, s.VoidTokens(ctx(t), acc, "reset", "reset.code", "never-issued"), "VoidTokens(some purposes)")
	gone(t, s, bySelector(reset), at, "a voided token")
	gone(t, s, byOwner(code), at, "a voided token")
	isErr(t, s.ConsumeToken(ctx(t), reset.Selector, reset.Hash), store.ErrNotFound, "ConsumeToken of a voided token")
	attempt(t, s, bySelector(activate), at, activate, 1)
	noErr(t, s.VoidTokens(ctx(t), acc), "VoidTokens(every purpose)")
	gone(t, s, bySelector(activate), at, "a token voided with every purpose")
	attempt(t, s, bySelector(otherAccount), at, otherAccount, 1)
	noErr(t, s.VoidTokens(ctx(t), acc), "VoidTokens with nothing to void")
	noErr(t, s.VoidTokens(ctx(t), newID("acc-"), "reset"), "VoidTokens(an account without tokens)")
}

// testTokenInvalid: a refused token writes nothing, and in particular does
// not void the account's token of the same purpose.
func testTokenInvalid(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc := newID("acc-")
	kept := token(acc, "reset")
	kept.MaxAttempts = 100
	issue(t, s, kept)
	tooMany := make(map[string]string, store.MaxTokenData+1)
	for i := range store.MaxTokenData + 1 {
		tooMany[fmt.Sprint("k", i)] = "v"
	}
	for name, mutate := range map[string]func(*store.Token){
		"short selector":    func(tk *store.Token) { tk.Selector = strings.Repeat("s", 15) },
		"long selector":     func(tk *store.Token) { tk.Selector = newID("") + strings.Repeat("s", 113) },
		"no account":        func(tk *store.Token) { tk.AccountID = "" },
		"no purpose":        func(tk *store.Token) { tk.Purpose = "" },
		"long purpose":      func(tk *store.Token) { tk.Purpose = strings.Repeat("p", store.MaxTokenPurpose+1) },
		"long binding":      func(tk *store.Token) { tk.Binding = strings.Repeat("b", store.MaxTokenBinding+1) },
		"no hash":           func(tk *store.Token) { tk.Hash = nil },
		"short hash":        func(tk *store.Token) { tk.Hash = tk.Hash[:15] },
		"long hash":         func(tk *store.Token) { tk.Hash = make([]byte, 65) },
		"no attempts":       func(tk *store.Token) { tk.MaxAttempts = 0 },
		"negative attempts": func(tk *store.Token) { tk.MaxAttempts = -1 },
		"too many attempts": func(tk *store.Token) { tk.MaxAttempts = store.MaxTokenAttempts + 1 },
		"no issue time":     func(tk *store.Token) { tk.IssuedAt = time.Time{} },
		"no expiry":         func(tk *store.Token) { tk.ExpiresAt = time.Time{} },
		"expired":           func(tk *store.Token) { tk.ExpiresAt = tk.IssuedAt },
		"expires before":    func(tk *store.Token) { tk.ExpiresAt = tk.IssuedAt.Add(-time.Minute) },
		"too much data":     func(tk *store.Token) { tk.Data = tooMany },
		"empty data key":    func(tk *store.Token) { tk.Data = map[string]string{"": "v"} },
		"long data key":     func(tk *store.Token) { tk.Data = map[string]string{strings.Repeat("k", store.MaxTokenDataSize+1): "v"} },
		"long data value":   func(tk *store.Token) { tk.Data = map[string]string{"k": strings.Repeat("v", store.MaxTokenDataSize+1)} },
	} {
		tk := token(acc, "reset")
		tk.IssuedAt = at.Add(time.Second)
		mutate(&tk)
		isErr(t, s.IssueToken(ctx(t), tk, 0), store.ErrInvalid, name)
		isErr(t, s.IssueToken(ctx(t), tk, time.Minute), store.ErrInvalid, name+", with a cooldown")
		if len(tk.Selector) >= 16 && len(tk.Selector) <= 128 {
			gone(t, s, bySelector(tk), at.Add(time.Second), name+": the refused token")
		}
	}
	_, err := s.AttemptToken(ctx(t), byOwner(kept), at.Add(time.Second))
	noErr(t, err, "AttemptToken of the token issued before the refused ones")
	noErr(t, s.ConsumeToken(ctx(t), kept.Selector, kept.Hash), "ConsumeToken of the token issued before the refused ones")
}

// testTokenBounds: the bounds of CheckToken are inclusive.
func testTokenBounds(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	full := make(map[string]string, store.MaxTokenData)
	for i := range store.MaxTokenData {
		k := fmt.Sprintf("%04d", i) + strings.Repeat("k", store.MaxTokenDataSize-4)
		full[k] = strings.Repeat(string(rune('a'+i%26)), store.MaxTokenDataSize)
	}
	big := token(newID("acc-"), strings.Repeat("p", store.MaxTokenPurpose))
	big.Selector = newID("") + strings.Repeat("s", 112)
	big.Hash = hashes(1, 64)[0]
	big.MaxAttempts = store.MaxTokenAttempts
	big.Data = full
	big.Binding = strings.Repeat("b", store.MaxTokenBinding)
	small := token(newID("acc-"), "r")
	small.Selector = newID("")
	small.Hash = hashes(1, 16)[0]
	small.MaxAttempts = 1
	small.Data = map[string]string{"k": ""}
	issue(t, s, big, small)
	attempt(t, s, bySelector(big), at, big, 1)
	attempt(t, s, byOwner(big), at, big, 2)
	attempt(t, s, bySelector(small), at, small, 1)
	noErr(t, s.ConsumeToken(ctx(t), big.Selector, big.Hash), "ConsumeToken")
	noErr(t, s.ConsumeToken(ctx(t), small.Selector, small.Hash), "ConsumeToken")
}

// testTokenSelectorConflict: a selector is taken unless IssueToken would
// void the token that holds it (the same account's, purpose's and
// binding's); a conflict writes and voids nothing.
func testTokenSelectorConflict(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc, other := newID("acc-"), newID("acc-")
	held := token(acc, "reset")
	theirs := token(other, "reset")
	issue(t, s, held, theirs)
	attempts := 0
	for name, tk := range map[string]store.Token{
		"another account, same purpose": token(other, "reset"),
		"same account, another purpose": token(acc, "activate"),
		"same account and purpose, another binding": func() store.Token {
			tk := token(acc, "reset")
			tk.Binding = "browser-2"
			return tk
		}(),
	} {
		tk.Selector = held.Selector
		isErr(t, s.IssueToken(ctx(t), tk, 0), store.ErrConflict, name)
		attempts++
		attempt(t, s, byOwner(theirs), at, theirs, attempts) // not voided
	}
	gone(t, s, store.TokenKey{AccountID: acc, Purpose: "activate"}, at, "the conflicting token")
	gone(t, s, store.TokenKey{AccountID: acc, Purpose: "reset", Binding: "browser-2"}, at, "the conflicting bound token")
	attempt(t, s, bySelector(held), at, held, 1)
}

// testTokenConcurrentRedeem: 100 redemptions of one token at once, each
// attempting then consuming: exactly one consumes it.
func testTokenConcurrentRedeem(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "reset")
	tok.MaxAttempts = store.MaxTokenAttempts
	issue(t, s, tok)
	const n = 100
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got, err := s.AttemptToken(ctx(t), bySelector(tok), at)
			if err != nil {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("AttemptToken: %v", err)
				}
				errs[i] = err
				return
			}
			if !bytes.Equal(got.Hash, tok.Hash) {
				t.Errorf("AttemptToken returned hash %x, want %x", got.Hash, tok.Hash)
			}
			errs[i] = s.ConsumeToken(ctx(t), tok.Selector, tok.Hash)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("ConsumeToken: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of %d parallel redemptions consumed the token, want exactly 1", won, n)
	}
	gone(t, s, bySelector(tok), at, "the redeemed token")
}

// testTokenConcurrentAttempts: of 100 attempts at once on a token that
// allows 5, exactly 5 are charged and compared, each with its own count.
func testTokenConcurrentAttempts(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "login.sms")
	tok.MaxAttempts = 5
	issue(t, s, tok)
	const n = 100
	errs := make([]error, n)
	counts := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got, err := s.AttemptToken(ctx(t), byOwner(tok), at)
			counts[i], errs[i] = got.Attempts, err
		})
	}
	wg.Wait()
	var charged []int
	for i, err := range errs {
		switch {
		case err == nil:
			charged = append(charged, counts[i])
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("AttemptToken: %v", err)
		}
	}
	slices.Sort(charged)
	equal(t, charged, []int{1, 2, 3, 4, 5}, "Attempts of the parallel attempts that were allowed")
	gone(t, s, bySelector(tok), at, "the token after its attempts ran out")
	noErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), "ConsumeToken after the attempts ran out")
}

// testTokenRedeemPastAttempts: N redemptions of one token at once, each
// the way auth makes one (AttemptToken, a constant-time comparison of the
// hash, ConsumeToken), all with the right secret, against a token that
// allows 5 attempts: exactly one succeeds, for every N, whether the
// redemptions run freely or all attempts are charged before any
// comparison ends (the schedule in which a store that deletes a token on
// the attempt after its last lets none succeed). As in testConcurrentTake,
// at most 50 calls are in flight at once, as many as a pool of
// connections lets through, so that SQLite's writers do not time out
// waiting for each other.
func testTokenRedeemPastAttempts(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	for _, n := range []int{1, 2, 5, 6, 10, 100, 1000} {
		for _, lockstep := range []bool{false, true} {
			tok := token(newID("acc-"), "login.email")
			tok.MaxAttempts = 5
			issue(t, s, tok)
			secret := slices.Clone(tok.Hash) // the hash of what each one typed
			var attempted, wg sync.WaitGroup
			attempted.Add(n)
			errs := make([]error, n)
			sem := make(chan struct{}, 50)
			for i := range n {
				wg.Go(func() {
					k := bySelector(tok) // a link
					if i%2 == 1 {
						k = byOwner(tok) // a code typed by hand
					}
					sem <- struct{}{}
					got, err := s.AttemptToken(ctx(t), k, at)
					<-sem
					attempted.Done()
					if lockstep {
						attempted.Wait()
					}
					switch {
					case err != nil:
						errs[i] = err
					case subtle.ConstantTimeCompare(got.Hash, secret) != 1:
						errs[i] = fmt.Errorf("AttemptToken returned hash %x, want %x", got.Hash, secret)
					default:
						sem <- struct{}{}
						errs[i] = s.ConsumeToken(ctx(t), got.Selector, got.Hash)
						<-sem
					}
				})
			}
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch {
				case err == nil:
					won++
				case !errors.Is(err, store.ErrNotFound):
					t.Fatalf("N=%d, lockstep %v: %v", n, lockstep, err)
				}
			}
			if won != 1 {
				t.Fatalf("N=%d, lockstep %v: %d parallel redemptions with the right secret succeeded, want exactly 1", n, lockstep, won)
			}
			gone(t, s, bySelector(tok), at, "the redeemed token")
			isErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), store.ErrNotFound, "ConsumeToken of the redeemed token")
		}
	}
}

// testTokenSpentStays: a token out of attempts stays, refused, until it
// expires or is consumed, voided or replaced: no AttemptToken deletes it,
// so it still holds back a new token for the cooldown, and IssueToken
// (past the cooldown, or without one) still replaces it.
func testTokenSpentStays(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	const cooldown = 5 * time.Minute
	acc := newID("acc-")
	spent := token(acc, "login.sms")
	spent.MaxAttempts = 2
	noErr(t, s.IssueToken(ctx(t), spent, cooldown), "IssueToken")
	attempt(t, s, bySelector(spent), at, spent, 1)
	attempt(t, s, byOwner(spent), at, spent, 2)
	for i := range 10 {
		when := at.Add(time.Duration(i) * time.Second)
		gone(t, s, bySelector(spent), when, "an attempt by selector at a token out of attempts")
		gone(t, s, byOwner(spent), when, "an attempt by account and purpose at a token out of attempts")
	}
	wrong := slices.Clone(spent.Hash)
	wrong[0] ^= 1
	isErr(t, s.ConsumeToken(ctx(t), spent.Selector, wrong), store.ErrNotFound, "ConsumeToken of a spent token with a wrong hash")
	noErr(t, s.VoidTokens(ctx(t), acc, "another"), "VoidTokens(another purpose)")

	// Not replaceable by attempting it to death: the cooldown still holds.
	next := token(acc, "login.sms")
	next.IssuedAt = at.Add(time.Minute)
	next.ExpiresAt = next.IssuedAt.Add(tokenTTL)
	err := s.IssueToken(ctx(t), next, cooldown)
	isErr(t, err, store.ErrCooldown, "IssueToken within the cooldown of a token out of attempts")
	var ce *store.CooldownError
	if errors.As(err, &ce) && !ce.Until.Equal(at.Add(cooldown)) {
		t.Fatalf("CooldownError.Until is %v, want %v", ce.Until, at.Add(cooldown))
	}
	gone(t, s, bySelector(next), next.IssuedAt, "the token refused for the cooldown")
	gone(t, s, byOwner(spent), next.IssuedAt, "the spent token, after the refused issue")

	// Past the cooldown, IssueToken replaces it.
	next.IssuedAt = at.Add(cooldown)
	next.ExpiresAt = next.IssuedAt.Add(tokenTTL)
	noErr(t, s.IssueToken(ctx(t), next, cooldown), "IssueToken past the cooldown of a token out of attempts")
	isErr(t, s.ConsumeToken(ctx(t), spent.Selector, spent.Hash), store.ErrNotFound, "ConsumeToken of the replaced spent token")
	attempt(t, s, byOwner(next), next.IssuedAt, next, 1)
	noErr(t, s.ConsumeToken(ctx(t), next.Selector, next.Hash), "ConsumeToken of the new token")

	// Without a cooldown, at once; and an expired spent token is gone.
	again := token(acc, "reset")
	again.MaxAttempts = 1
	issue(t, s, again)
	attempt(t, s, bySelector(again), at, again, 1)
	gone(t, s, byOwner(again), at, "the attempt after the last allowed")
	fresh := token(acc, "reset")
	fresh.IssuedAt = at.Add(time.Second)
	issue(t, s, fresh)
	isErr(t, s.ConsumeToken(ctx(t), again.Selector, again.Hash), store.ErrNotFound, "ConsumeToken of the spent token replaced without a cooldown")
	attempt(t, s, byOwner(fresh), fresh.IssuedAt, fresh, 1)

	late := token(acc, "activate")
	late.MaxAttempts = 1
	issue(t, s, late)
	attempt(t, s, bySelector(late), at, late, 1)
	gone(t, s, bySelector(late), late.ExpiresAt, "a spent token at its expiry")
	gone(t, s, byOwner(late), at, "a spent token found expired, read again earlier")
}

func testTokenCopies(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "email.change")
	want := tok
	want.Hash = slices.Clone(tok.Hash)
	want.Data = maps.Clone(tok.Data)
	issue(t, s, tok)
	tok.Hash[0] ^= 0xff // the caller's slice and map are the caller's
	tok.Data["email"] = "attacker@example.com"
	tok.Data["extra"] = "x"
	got, err := s.AttemptToken(ctx(t), bySelector(want), at)
	noErr(t, err, "AttemptToken")
	equal(t, got, normToken(want, 1), "token after the caller changed what it issued")
	got.Hash[0] ^= 0xff
	got.Data["email"] = "attacker@example.com"
	delete(got.Data, "methods")
	attempt(t, s, bySelector(want), at, want, 2)
	noErr(t, s.ConsumeToken(ctx(t), want.Selector, want.Hash), "ConsumeToken")
}

func testTokensCanceled(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	tok := token(newID("acc-"), "reset")
	c, cancel := contextWithCancel(t)
	cancel()
	if err := s.IssueToken(c, tok, 0); err == nil {
		t.Fatal("IssueToken with a canceled context succeeded")
	}
	gone(t, s, bySelector(tok), at, "a token issued under a canceled context")
	issue(t, s, tok)
	if _, err := s.AttemptToken(c, bySelector(tok), at); err == nil {
		t.Fatal("AttemptToken with a canceled context succeeded")
	}
	if err := s.ConsumeToken(c, tok.Selector, tok.Hash); err == nil {
		t.Fatal("ConsumeToken with a canceled context succeeded")
	}
	if err := s.VoidTokens(c, tok.AccountID); err == nil {
		t.Fatal("VoidTokens with a canceled context succeeded")
	}
	attempt(t, s, bySelector(tok), at, tok, 1) // nothing was charged, consumed or voided
}

package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/masuk-id/masuk/store"
)

// Clauses of bound tokens (store.Token.Binding): several live tokens of
// one account and purpose, one per binding, at most
// store.MaxTokensPerPurpose.

func boundToken(accountID, purpose, binding string) store.Token {
	tok := token(accountID, purpose)
	tok.Binding = binding
	return tok
}

// live reports whether the token with the selector is live, charging it
// an attempt when it is.
func live(t *testing.T, s store.Tokens, selector string, when time.Time) bool {
	t.Helper()
	_, err := s.AttemptToken(ctx(t), store.TokenKey{Selector: selector}, when)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	noErr(t, err, "AttemptToken")
	return true
}

// testTokenBindings: tokens of one account and purpose with different
// bindings live side by side, each found by its binding or its selector
// and each redeemable; the empty binding is one of them.
func testTokenBindings(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc := newID("acc-")
	a := boundToken(acc, "login.pending", "browser-a")
	b := boundToken(acc, "login.pending", "browser-b")
	b.Data = map[string]string{"methods": "totp"}
	none := token(acc, "login.pending")
	issue(t, s, a, b, none)
	attempt(t, s, byOwner(a), at, a, 1)
	attempt(t, s, byOwner(b), at, b, 1)
	attempt(t, s, byOwner(none), at, none, 1)
	attempt(t, s, bySelector(b), at, b, 2)
	// By selector, the binding of the key is ignored, as its account and
	// purpose are.
	attempt(t, s, store.TokenKey{Selector: a.Selector, Binding: "browser-b"}, at, a, 2)
	gone(t, s, store.TokenKey{AccountID: acc, Purpose: "login.pending", Binding: "browser-c"}, at, "AttemptToken(a binding without a token)")
	gone(t, s, store.TokenKey{AccountID: acc, Purpose: "reset", Binding: "browser-a"}, at, "AttemptToken(a bound token's binding, another purpose)")
	gone(t, s, store.TokenKey{AccountID: newID("acc-"), Purpose: "login.pending", Binding: "browser-a"}, at, "AttemptToken(a bound token's binding, another account)")

	noErr(t, s.ConsumeToken(ctx(t), a.Selector, a.Hash), "ConsumeToken(a)")
	gone(t, s, byOwner(a), at, "the consumed bound token")
	attempt(t, s, byOwner(b), at, b, 3)
	attempt(t, s, byOwner(none), at, none, 2)
	noErr(t, s.ConsumeToken(ctx(t), b.Selector, b.Hash), "ConsumeToken(b)")
	noErr(t, s.ConsumeToken(ctx(t), none.Selector, none.Hash), "ConsumeToken(no binding)")
}

// testTokenBindingReissue: a new token voids the account's token of the
// same purpose and binding only, and may take its selector.
func testTokenBindingReissue(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc := newID("acc-")
	a, b, none := boundToken(acc, "login.pending", "browser-a"), boundToken(acc, "login.pending", "browser-b"), token(acc, "login.pending")
	issue(t, s, a, b, none)
	a2 := boundToken(acc, "login.pending", "browser-a")
	a2.IssuedAt = at.Add(time.Minute)
	a2.ExpiresAt = a2.IssuedAt.Add(tokenTTL)
	issue(t, s, a2)
	gone(t, s, bySelector(a), a2.IssuedAt, "the replaced bound token")
	isErr(t, s.ConsumeToken(ctx(t), a.Selector, a.Hash), store.ErrNotFound, "ConsumeToken of the replaced bound token")
	attempt(t, s, byOwner(a2), a2.IssuedAt, a2, 1)
	attempt(t, s, byOwner(b), a2.IssuedAt, b, 1)
	attempt(t, s, byOwner(none), a2.IssuedAt, none, 1)

	// The unbound token is replaced alone too.
	none2 := token(acc, "login.pending")
	none2.IssuedAt = a2.IssuedAt
	issue(t, s, none2)
	gone(t, s, bySelector(none), a2.IssuedAt, "the replaced unbound token")
	attempt(t, s, byOwner(a2), a2.IssuedAt, a2, 2)
	attempt(t, s, byOwner(b), a2.IssuedAt, b, 2)

	// Under the selector of the token it replaces.
	a3 := boundToken(acc, "login.pending", "browser-a")
	a3.Selector = a2.Selector
	a3.IssuedAt = at.Add(2 * time.Minute)
	a3.ExpiresAt = a3.IssuedAt.Add(tokenTTL)
	issue(t, s, a3)
	attempt(t, s, byOwner(a3), a3.IssuedAt, a3, 1)
	isErr(t, s.ConsumeToken(ctx(t), a2.Selector, a2.Hash), store.ErrNotFound, "ConsumeToken with the replaced token's hash")
	attempt(t, s, byOwner(b), a3.IssuedAt, b, 3)
}

// testTokenBindingVoid: VoidTokens voids every binding of the purposes it
// names, or of every purpose.
func testTokenBindingVoid(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	acc := newID("acc-")
	var pending []store.Token
	for _, b := range []string{"", "browser-a", "browser-b"} {
		pending = append(pending, boundToken(acc, "login.pending", b))
	}
	reset := boundToken(acc, "reset", "browser-a")
	other := boundToken(newID("acc-"), "login.pending", "browser-a")
	issue(t, s, pending...)
	issue(t, s, reset, other)
	noErr(t, s.VoidTokens(ctx(t), acc, "login.pending"), "VoidTokens(login.pending)")
	for _, tok := range pending {
		gone(t, s, byOwner(tok), at, fmt.Sprintf("a voided token of binding %q", tok.Binding))
		isErr(t, s.ConsumeToken(ctx(t), tok.Selector, tok.Hash), store.ErrNotFound, "ConsumeToken of a voided bound token")
	}
	attempt(t, s, byOwner(reset), at, reset, 1)
	attempt(t, s, byOwner(other), at, other, 1)

	issue(t, s, pending...)
	noErr(t, s.VoidTokens(ctx(t), acc), "VoidTokens(every purpose)")
	for _, tok := range append(pending, reset) {
		gone(t, s, bySelector(tok), at, fmt.Sprintf("a token of purpose %q, binding %q, voided with every purpose", tok.Purpose, tok.Binding))
	}
	attempt(t, s, byOwner(other), at, other, 2)
}

// testTokenBindingCooldown: the cooldown compares a new token only with
// the account's token of the same purpose and binding.
func testTokenBindingCooldown(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	const cooldown = time.Minute
	acc := newID("acc-")
	a := boundToken(acc, "login.email", "browser-a")
	noErr(t, s.IssueToken(ctx(t), a, cooldown), "IssueToken(a)")
	later := func(binding string, d time.Duration) store.Token {
		tok := boundToken(acc, "login.email", binding)
		tok.IssuedAt = at.Add(d)
		tok.ExpiresAt = tok.IssuedAt.Add(tokenTTL)
		return tok
	}
	b := later("browser-b", time.Second)
	noErr(t, s.IssueToken(ctx(t), b, cooldown), "another binding during the cooldown")
	none := later("", 2*time.Second)
	noErr(t, s.IssueToken(ctx(t), none, cooldown), "no binding during the cooldown of a bound token")

	a2 := later("browser-a", 30*time.Second)
	err := s.IssueToken(ctx(t), a2, cooldown)
	isErr(t, err, store.ErrCooldown, "the same binding during its cooldown")
	var ce *store.CooldownError
	if errors.As(err, &ce) && !ce.Until.Equal(at.Add(cooldown)) {
		t.Fatalf("CooldownError.Until is %v, want %v, from the token of the same binding", ce.Until, at.Add(cooldown))
	}
	gone(t, s, bySelector(a2), a2.IssuedAt, "the token refused for the cooldown")
	b2 := later("browser-b", 40*time.Second)
	err = s.IssueToken(ctx(t), b2, cooldown)
	if !errors.As(err, &ce) || !ce.Until.Equal(b.IssuedAt.Add(cooldown)) {
		t.Fatalf("IssueToken(b again): got %v, want a *CooldownError until %v", err, b.IssuedAt.Add(cooldown))
	}
	attempt(t, s, byOwner(a), a2.IssuedAt, a, 1)
	attempt(t, s, byOwner(b), a2.IssuedAt, b, 1)
	attempt(t, s, byOwner(none), a2.IssuedAt, none, 1)

	a3 := later("browser-a", cooldown)
	noErr(t, s.IssueToken(ctx(t), a3, cooldown), "the same binding once its cooldown is over")
	gone(t, s, bySelector(a), a3.IssuedAt, "the token replaced after the cooldown")
	attempt(t, s, byOwner(b), a3.IssuedAt, b, 2)
}

// testTokenBindingCap: an account holds at most MaxTokensPerPurpose live
// tokens of one purpose; one more voids the one that expires first, in
// the same step, and nothing else.
func testTokenBindingCap(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	const n = store.MaxTokensPerPurpose
	acc := newID("acc-")
	toks := make([]store.Token, n)
	for i := range toks {
		toks[i] = boundToken(acc, "login.pending", fmt.Sprint("browser-", i))
		// Issued in order, expiring in another: the 8th expires first, the
		// 12th next.
		toks[i].ExpiresAt = at.Add(tokenTTL + time.Duration((i*7)%n)*time.Minute)
		if i == 12 {
			toks[i].ExpiresAt = at.Add(tokenTTL + 30*time.Second)
		}
	}
	issue(t, s, toks...)
	otherPurpose := boundToken(acc, "reset", "browser-0")
	otherAccount := boundToken(newID("acc-"), "login.pending", "browser-0")
	issue(t, s, otherPurpose, otherAccount)
	when := at.Add(time.Second)

	// Replacing one of the 32 voids nothing else.
	again := boundToken(acc, "login.pending", "browser-3")
	again.IssuedAt = when
	again.ExpiresAt = toks[3].ExpiresAt
	issue(t, s, again)
	toks[3] = again

	extra := boundToken(acc, "login.pending", "browser-extra")
	extra.IssuedAt = when
	extra.ExpiresAt = at.Add(tokenTTL + 16*time.Minute)
	issue(t, s, extra)
	gone(t, s, byOwner(toks[0]), when, "the token that expires first, past the bound")
	for _, tok := range toks[1:] {
		attempt(t, s, byOwner(tok), when, tok, 1)
	}
	attempt(t, s, byOwner(extra), when, extra, 1)
	attempt(t, s, byOwner(otherPurpose), when, otherPurpose, 1)
	attempt(t, s, byOwner(otherAccount), when, otherAccount, 1)

	// One more voids the next to expire: the 13th, not the second issued.
	extra2 := boundToken(acc, "login.pending", "")
	extra2.IssuedAt = when
	extra2.ExpiresAt = extra.ExpiresAt
	issue(t, s, extra2)
	gone(t, s, byOwner(toks[12]), when, "the token that expires next, past the bound")
	attempt(t, s, byOwner(toks[1]), when, toks[1], 2)
	attempt(t, s, byOwner(extra2), when, extra2, 1)

	// Tokens expired when the next is issued do not count. By then the 16
	// tokens that expire within 16 minutes of the first and the two extra
	// ones have expired, and 18 new ones leave the 14 others live; the
	// next new one voids the first of those to expire, the 8th (i*7%32 is
	// 17).
	later := at.Add(tokenTTL + 16*time.Minute)
	var kept, fresh []store.Token
	for i, tok := range toks {
		if off := (i * 7) % n; off > 16 && i != 12 {
			kept = append(kept, tok)
		}
	}
	for i := range 19 {
		tok := boundToken(acc, "login.pending", fmt.Sprint("fresh-", i))
		tok.IssuedAt = later
		tok.ExpiresAt = later.Add(time.Hour)
		fresh = append(fresh, tok)
	}
	issue(t, s, fresh[:18]...)
	equal(t, len(kept), 14, "tokens that have not expired")
	for _, tok := range append(kept, fresh[:18]...) {
		if !live(t, s, tok.Selector, later) {
			t.Fatalf("token of binding %q was voided, though the expired ones leave room for it", tok.Binding)
		}
	}
	issue(t, s, fresh[18])
	gone(t, s, bySelector(toks[7]), later, "the live token that expires first, past the bound")
	liveNow := 0
	for _, tok := range append(toks, append(fresh, extra, extra2)...) {
		if live(t, s, tok.Selector, later) {
			liveNow++
		}
	}
	equal(t, liveNow, n, "live tokens of the purpose")
}

// testTokenBindingCapTies: of the tokens past the bound that expire
// together, the one issued first is voided.
func testTokenBindingCapTies(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	const n = store.MaxTokensPerPurpose
	acc := newID("acc-")
	expires := at.Add(time.Hour)
	toks := make([]store.Token, n)
	for i := range toks {
		toks[i] = boundToken(acc, "login.pending", fmt.Sprint("browser-", i))
		toks[i].IssuedAt = at.Add(time.Duration((i*5)%n) * time.Second) // the 0th first, the 13th next
		toks[i].ExpiresAt = expires
	}
	issue(t, s, toks...)
	when := at.Add(time.Minute)
	for _, evicted := range []int{0, 13} {
		extra := boundToken(acc, "login.pending", newID("browser-"))
		extra.IssuedAt = when
		extra.ExpiresAt = expires
		issue(t, s, extra)
		gone(t, s, bySelector(toks[evicted]), when, fmt.Sprintf("the token issued first (%d) of those that expire first", evicted))
		attempt(t, s, byOwner(extra), when, extra, 1)
	}
	attempt(t, s, byOwner(toks[1]), when, toks[1], 1)
}

// testTokenConcurrentBindingCap: tokens of many bindings issued at once
// for one account and purpose leave exactly MaxTokensPerPurpose live.
func testTokenConcurrentBindingCap(t *testing.T, open Opener) {
	s := as[store.Tokens](t, open)
	const n = 3 * store.MaxTokensPerPurpose
	acc := newID("acc-")
	toks := make([]store.Token, n)
	for i := range toks {
		toks[i] = boundToken(acc, "login.pending", fmt.Sprint("browser-", i))
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.IssueToken(ctx(t), toks[i], 0) })
	}
	wg.Wait()
	for _, err := range errs {
		noErr(t, err, "IssueToken")
	}
	liveNow := 0
	for _, tok := range toks {
		if live(t, s, tok.Selector, at) {
			liveNow++
		}
	}
	equal(t, liveNow, store.MaxTokensPerPurpose, "live tokens after parallel issues of distinct bindings")
}

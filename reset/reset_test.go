package reset_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/reset"
	"github.com/masuk-id/masuk/secret"
	"github.com/masuk-id/masuk/store"
	"github.com/masuk-id/masuk/store/memstore"
)

const (
	purposeReset   = "reset"
	purposeConfirm = "confirm"
)

// kind is links or codes: how to issue, verify and redeem one, so
// that one test covers links and codes.
type kind struct {
	name   string
	issue  func(*reset.Tokens, context.Context, reset.Issue) (reset.Issued, error)
	verify func(tk *reset.Tokens, ctx context.Context, accountID, purpose, token string) (reset.Redemption, error)
	redeem func(tk *reset.Tokens, ctx context.Context, accountID, purpose, token string) (reset.Redemption, error)
	// wrong returns a token of the right form that is not token.
	wrong func(token string) string
	ttl   time.Duration
}

var kinds = []kind{
	{
		name:  "link",
		issue: (*reset.Tokens).IssueLink,
		verify: func(tk *reset.Tokens, ctx context.Context, _, purpose, token string) (reset.Redemption, error) {
			return tk.VerifyLink(ctx, purpose, token)
		},
		redeem: func(tk *reset.Tokens, ctx context.Context, _, purpose, token string) (reset.Redemption, error) {
			return tk.RedeemLink(ctx, purpose, token)
		},
		wrong: func(token string) string { return token[:len(token)-1] + nextHex(token[len(token)-1]) },
		ttl:   reset.DefaultLinkFor,
	},
	{
		name:  "code",
		issue: (*reset.Tokens).IssueCode,
		verify: func(tk *reset.Tokens, ctx context.Context, account, purpose, code string) (reset.Redemption, error) {
			return tk.VerifyCode(ctx, reset.Key{AccountID: account, Purpose: purpose}, code)
		},
		redeem: func(tk *reset.Tokens, ctx context.Context, account, purpose, code string) (reset.Redemption, error) {
			return tk.RedeemCode(ctx, reset.Key{AccountID: account, Purpose: purpose}, code)
		},
		wrong: func(code string) string {
			return code[:len(code)-1] + string('0'+(code[len(code)-1]-'0'+1)%10)
		},
		ttl: reset.DefaultCodeFor,
	},
}

func nextHex(c byte) string {
	const digits = "0123456789abcdef"
	return string(digits[(strings.IndexByte(digits, c)+1)%16])
}

func eachKind(t *testing.T, test func(t *testing.T, k kind)) {
	t.Helper()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) { test(t, k) })
	}
}

func TestNew(t *testing.T) {
	s := memstore.New()
	for _, tc := range []struct {
		name string
		cfg  reset.Config
	}{
		{"no store", reset.Config{}},
		{"negative LinkFor", reset.Config{Store: s, LinkFor: -time.Second}},
		{"LinkFor above 24 h", reset.Config{Store: s, LinkFor: 24*time.Hour + time.Nanosecond}},
		{"LinkFor a week", reset.Config{Store: s, LinkFor: 7 * 24 * time.Hour}},
		{"negative CodeFor", reset.Config{Store: s, CodeFor: -time.Minute}},
		{"CodeFor above 24 h", reset.Config{Store: s, CodeFor: 25 * time.Hour}},
		{"5 digits", reset.Config{Store: s, CodeDigits: 5}},
		{"9 digits", reset.Config{Store: s, CodeDigits: 9}},
		{"negative digits", reset.Config{Store: s, CodeDigits: -6}},
		{"negative attempts", reset.Config{Store: s, MaxAttempts: -1}},
		{"101 attempts", reset.Config{Store: s, MaxAttempts: 101}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tk, err := reset.New(tc.cfg)
			assert.Error(t, err)
			assert.Nil(t, tk)
			if err != nil {
				assert.True(t, strings.HasPrefix(err.Error(), "reset: "), err.Error())
			}
		})
	}
	for _, cfg := range []reset.Config{
		{Store: s, LinkFor: 24 * time.Hour, CodeFor: 24 * time.Hour, CodeDigits: 8, MaxAttempts: 100},
		{Store: s, LinkFor: time.Minute, CodeFor: time.Minute, CodeDigits: 6, MaxAttempts: 1},
	} {
		_, err := reset.New(cfg)
		assert.NoError(t, err, "%+v", cfg)
	}
}

func TestDefaults(t *testing.T) {
	tk, _ := newTokens(t, memstore.New(), reset.Config{})
	link, err := tk.IssueLink(t.Context(), reset.Issue{AccountID: "a", Purpose: purposeReset})
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Hour), link.ExpiresAt)
	assert.Len(t, link.Token, secret.TokenLen)
	code, err := tk.IssueCode(t.Context(), reset.Issue{AccountID: "a", Purpose: purposeConfirm})
	require.NoError(t, err)
	assert.Equal(t, t0.Add(15*time.Minute), code.ExpiresAt)
	assert.Regexp(t, `^[0-9]{6}$`, code.Token)

	tk, _ = newTokens(t, memstore.New(), reset.Config{CodeDigits: 8})
	code, err = tk.IssueCode(t.Context(), reset.Issue{AccountID: "a", Purpose: purposeConfirm})
	require.NoError(t, err)
	assert.Regexp(t, `^[0-9]{8}$`, code.Token)
}

// Matrix case 25: the store is handed hashes, never a secret or a code.
func TestNothingSecretAtRest(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		rec := &recorder{Tokens: s}
		tk, _ := newTokens(t, rec, reset.Config{})
		var sent []string
		for i := range 20 {
			iss := reset.Issue{AccountID: fmt.Sprint("acct-", i), Purpose: purposeReset, Data: map[string]string{"realm": "lpse"}}
			link, err := tk.IssueLink(t.Context(), iss)
			require.NoError(t, err)
			iss.Purpose = purposeConfirm
			code, err := tk.IssueCode(t.Context(), iss)
			require.NoError(t, err)
			sent = append(sent, link.Token, code.Token)
		}
		require.Len(t, rec.issued, len(sent))
		for i, tok := range rec.issued {
			plain := sent[i]
			if lt, ok := secret.ParseToken(plain); ok {
				assert.Equal(t, lt.Selector(), tok.Selector, "a link is stored under its selector")
				plain = plain[len(lt.Selector())+1:]
			}
			assert.Len(t, tok.Hash, 32)
			// What the store keeps of it, as the store returns it.
			got, err := s.AttemptToken(t.Context(), store.TokenKey{Selector: tok.Selector}, t0)
			require.NoError(t, err)
			for _, held := range []store.Token{tok, got} {
				assert.Equal(t, tok.Hash, held.Hash)
				fields := fmt.Sprintf("%s|%s|%s|%v|%x", held.Selector, held.AccountID, held.Purpose, held.Data, held.Hash)
				assert.NotContains(t, fields, plain, "token %d", i)
				assert.False(t, bytes.Contains(held.Hash, []byte(plain)), "token %d", i)
				if raw, err := hex.DecodeString(plain); err == nil && len(raw) == secret.VerifierSize {
					assert.False(t, bytes.Contains(held.Hash, raw), "token %d", i)
				}
			}
		}
	})
}

// Matrix case 26, and the split of verify and consume.
func TestSingleUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		eachKind(t, func(t *testing.T, k kind) {
			tk, _ := newTokens(t, s, reset.Config{})
			ctx := t.Context()
			iss := reset.Issue{AccountID: "budi", Purpose: purposeReset, Data: map[string]string{"realm": "lpse"}}

			sent, err := k.issue(tk, ctx, iss)
			require.NoError(t, err)
			red, err := k.redeem(tk, ctx, "budi", purposeReset, sent.Token)
			require.NoError(t, err)
			assert.Equal(t, "budi", red.AccountID)
			assert.Equal(t, purposeReset, red.Purpose)
			assert.Equal(t, iss.Data, red.Data)
			assert.Equal(t, t0, red.IssuedAt.UTC())
			assert.Equal(t, t0.Add(k.ttl), red.ExpiresAt.UTC())
			_, err = k.redeem(tk, ctx, "budi", purposeReset, sent.Token)
			assert.ErrorIs(t, err, reset.ErrInvalidToken, "used twice")

			// Verified any number of times, consumed once.
			sent, err = k.issue(tk, ctx, iss)
			require.NoError(t, err)
			red, err = k.verify(tk, ctx, "budi", purposeReset, sent.Token)
			require.NoError(t, err)
			red.Data["realm"] = "changed by the caller"
			red, err = k.verify(tk, ctx, "budi", purposeReset, sent.Token)
			require.NoError(t, err, "verifying does not use the token up")
			assert.Equal(t, "lpse", red.Data["realm"], "Data is a copy")
			require.NoError(t, tk.Consume(ctx, red))
			assert.ErrorIs(t, tk.Consume(ctx, red), reset.ErrInvalidToken, "consumed twice")
			_, err = k.verify(tk, ctx, "budi", purposeReset, sent.Token)
			assert.ErrorIs(t, err, reset.ErrInvalidToken, "verified after consumed")

			assert.ErrorIs(t, tk.Consume(ctx, reset.Redemption{}), reset.ErrInvalidToken, "zero Redemption")
		})
	})
}

// Matrix case 27: of 100 parallel redemptions of one token, exactly one
// succeeds, whether each redeems in one call or verifies then consumes.
func TestParallelRedemption(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		eachKind(t, func(t *testing.T, k kind) {
			tk, _ := newTokens(t, s, reset.Config{MaxAttempts: 100})
			for _, split := range []bool{false, true} {
				sent, err := k.issue(tk, t.Context(), reset.Issue{AccountID: "budi", Purpose: purposeReset})
				require.NoError(t, err)
				var wins, losses atomic.Int64
				var wg sync.WaitGroup
				errs := make(chan error, 100)
				start := make(chan struct{})
				for range 100 {
					wg.Go(func() {
						<-start
						var err error
						if split {
							var red reset.Redemption
							if red, err = k.verify(tk, context.Background(), "budi", purposeReset, sent.Token); err == nil {
								err = tk.Consume(context.Background(), red)
							}
						} else {
							_, err = k.redeem(tk, context.Background(), "budi", purposeReset, sent.Token)
						}
						switch {
						case err == nil:
							wins.Add(1)
						case errors.Is(err, reset.ErrInvalidToken):
							losses.Add(1)
						default:
							errs <- err
						}
					})
				}
				close(start)
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Errorf("split %v: %v", split, err)
				}
				assert.EqualValues(t, 1, wins.Load(), "split %v", split)
				assert.EqualValues(t, 99, losses.Load(), "split %v", split)
			}
		})
	})
}

// Matrix case 28: accepted a second before the lifetime ends, refused at
// its end and after, by the configured clock.
func TestExpiry(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		eachKind(t, func(t *testing.T, k kind) {
			for _, ttl := range []time.Duration{0, 10 * time.Minute, 24 * time.Hour} {
				tk, clk := newTokens(t, s, reset.Config{LinkFor: ttl, CodeFor: ttl})
				if ttl == 0 {
					ttl = k.ttl
				}
				for _, tc := range []struct {
					after time.Duration
					ok    bool
				}{
					{ttl - time.Second, true},
					{ttl, false},
					{ttl + time.Second, false},
					{ttl - time.Nanosecond, true},
				} {
					clk.Set(t0)
					sent, err := k.issue(tk, t.Context(), reset.Issue{AccountID: "budi", Purpose: purposeReset})
					require.NoError(t, err)
					require.Equal(t, t0.Add(ttl), sent.ExpiresAt)
					clk.Add(tc.after)
					_, err = k.redeem(tk, t.Context(), "budi", purposeReset, sent.Token)
					if tc.ok {
						assert.NoError(t, err, "ttl %v, after %v", ttl, tc.after)
					} else {
						assert.ErrorIs(t, err, reset.ErrInvalidToken, "ttl %v, after %v", ttl, tc.after)
					}
				}

				// Expired between verify and consume.
				clk.Set(t0)
				sent, err := k.issue(tk, t.Context(), reset.Issue{AccountID: "budi", Purpose: purposeReset})
				require.NoError(t, err)
				clk.Add(ttl - time.Second)
				red, err := k.verify(tk, t.Context(), "budi", purposeReset, sent.Token)
				require.NoError(t, err)
				clk.Add(time.Second)
				assert.ErrorIs(t, tk.Consume(t.Context(), red), reset.ErrInvalidToken, "ttl %v: consumed when expired", ttl)
			}
		})
	})
}

// Matrix case 29: a code redeems only for the account it was sent to; a
// link's account comes from the token alone.
func TestAccountBinding(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		tk, _ := newTokens(t, s, reset.Config{})
		ctx := t.Context()
		forA, err := tk.IssueCode(ctx, reset.Issue{AccountID: "ani", Purpose: purposeReset})
		require.NoError(t, err)
		forB, err := tk.IssueCode(ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
		require.NoError(t, err)
		_, err = tk.VerifyCode(ctx, reset.Key{AccountID: "budi", Purpose: purposeReset}, forA.Token)
		if forA.Token != forB.Token { // one in a million
			assert.ErrorIs(t, err, reset.ErrInvalidToken, "A's code with B's account")
		}
		_, err = tk.VerifyCode(ctx, reset.Key{AccountID: "carla", Purpose: purposeReset}, forA.Token)
		assert.ErrorIs(t, err, reset.ErrInvalidToken, "A's code with an account that has none")
		red, err := tk.RedeemCode(ctx, reset.Key{AccountID: "ani", Purpose: purposeReset}, forA.Token)
		require.NoError(t, err, "A's code still works for A")
		assert.Equal(t, "ani", red.AccountID)

		link, err := tk.IssueLink(ctx, reset.Issue{AccountID: "ani", Purpose: purposeConfirm})
		require.NoError(t, err)
		red, err = tk.RedeemLink(ctx, purposeConfirm, link.Token)
		require.NoError(t, err)
		assert.Equal(t, "ani", red.AccountID)
	})
}

// Matrix case 30: a new token voids the older one of its account and
// purpose, and Void voids.
func TestVoiding(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		eachKind(t, func(t *testing.T, k kind) {
			tk, _ := newTokens(t, s, reset.Config{})
			ctx := t.Context()
			issue := func(acct, purpose string) string {
				t.Helper()
				sent, err := k.issue(tk, ctx, reset.Issue{AccountID: acct, Purpose: purpose})
				require.NoError(t, err)
				return sent.Token
			}
			old := issue("budi", purposeReset)
			other := issue("budi", purposeConfirm)
			someoneElse := issue("ani", purposeReset)
			latest := issue("budi", purposeReset)
			if old != latest {
				_, err := k.verify(tk, ctx, "budi", purposeReset, old)
				assert.ErrorIs(t, err, reset.ErrInvalidToken, "the older token")
			}
			_, err := k.verify(tk, ctx, "budi", purposeReset, latest)
			assert.NoError(t, err, "the newer token")
			_, err = k.verify(tk, ctx, "budi", purposeConfirm, other)
			assert.NoError(t, err, "another purpose's")
			_, err = k.verify(tk, ctx, "ani", purposeReset, someoneElse)
			assert.NoError(t, err, "another account's")

			require.NoError(t, tk.Void(ctx, "budi", purposeReset))
			_, err = k.verify(tk, ctx, "budi", purposeReset, latest)
			assert.ErrorIs(t, err, reset.ErrInvalidToken, "voided")
			_, err = k.verify(tk, ctx, "budi", purposeConfirm, other)
			assert.NoError(t, err, "another purpose's, after Void of one")

			require.NoError(t, tk.Void(ctx, "budi"))
			_, err = k.verify(tk, ctx, "budi", purposeConfirm, other)
			assert.ErrorIs(t, err, reset.ErrInvalidToken, "Void of every purpose")
			_, err = k.verify(tk, ctx, "ani", purposeReset, someoneElse)
			assert.NoError(t, err, "another account's, after Void")
		})

		// A link and a code of one purpose are one token.
		tk, _ := newTokens(t, s, reset.Config{})
		link, err := tk.IssueLink(t.Context(), reset.Issue{AccountID: "budi", Purpose: purposeReset})
		require.NoError(t, err)
		code, err := tk.IssueCode(t.Context(), reset.Issue{AccountID: "budi", Purpose: purposeReset})
		require.NoError(t, err)
		_, err = tk.VerifyLink(t.Context(), purposeReset, link.Token)
		assert.ErrorIs(t, err, reset.ErrInvalidToken, "a link voided by a code")
		_, err = tk.VerifyCode(t.Context(), reset.Key{AccountID: "budi", Purpose: purposeReset}, code.Token)
		assert.NoError(t, err)
	})
}

// The attempt cap: MaxAttempts wrong tries, then even the right one fails;
// fewer leave it working.
func TestAttemptCap(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		eachKind(t, func(t *testing.T, k kind) {
			for _, max := range []int{0, 1, 3} {
				tk, _ := newTokens(t, s, reset.Config{MaxAttempts: max})
				if max == 0 {
					max = reset.DefaultMaxAttempts
				}
				ctx := t.Context()
				for wrong := max - 1; wrong <= max; wrong++ {
					sent, err := k.issue(tk, ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
					require.NoError(t, err)
					for range wrong {
						_, err := k.verify(tk, ctx, "budi", purposeReset, k.wrong(sent.Token))
						require.ErrorIs(t, err, reset.ErrInvalidToken)
					}
					_, err = k.redeem(tk, ctx, "budi", purposeReset, sent.Token)
					if wrong < max {
						assert.NoError(t, err, "max %d, %d wrong", max, wrong)
					} else {
						assert.ErrorIs(t, err, reset.ErrInvalidToken, "max %d, %d wrong", max, wrong)
					}
				}
			}
		})
	})
}

// A token of one purpose never verifies as another's.
func TestPurposeSeparation(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		eachKind(t, func(t *testing.T, k kind) {
			tk, _ := newTokens(t, s, reset.Config{})
			ctx := t.Context()
			sent, err := k.issue(tk, ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
			require.NoError(t, err)
			for _, p := range []string{purposeConfirm, "Reset", "reset ", "rese", ""} {
				_, err = k.redeem(tk, ctx, "budi", p, sent.Token)
				assert.ErrorIs(t, err, reset.ErrInvalidToken, "as %q", p)
			}
			_, err = k.redeem(tk, ctx, "budi", purposeReset, sent.Token)
			assert.NoError(t, err, "as its own purpose")
		})
	})
}

// Matrix case 34: malformed tokens are refused without a panic and
// without reaching the store.
func TestMalformed(t *testing.T) {
	valid := strings.Repeat("0", 32) + "." + strings.Repeat("a", 64)
	links := []string{
		"",
		".",
		strings.Repeat("a", 10<<10),
		valid[:32] + valid[33:] + "0", // no dot
		valid[:len(valid)-1],
		valid + "0",
		strings.ToUpper(valid),
		valid[:40] + "g" + valid[41:],
		valid[:40] + "\x00" + valid[41:],
		valid[:40] + "%00" + valid[43:],
		"%00",
		valid[:32] + "-" + valid[33:],
		valid[:31] + "." + valid[32:],
		" " + valid[1:],
		valid[:96] + "\n",
		strings.Repeat("é", 48) + ".",
	}
	codes := []string{
		"", "12345", "123456789", "12345a", "１２３４５６", " 123456", "123456 ", "12 3456",
		"-12345", "+123456", "%00", "123\x00456", strings.Repeat("1", 10<<10), "0x1234",
	}
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		rec := &recorder{Tokens: s}
		tk, _ := newTokens(t, rec, reset.Config{})
		ctx := t.Context()
		for _, l := range links {
			for _, f := range []func(context.Context, string, string) (reset.Redemption, error){tk.VerifyLink, tk.RedeemLink} {
				assert.NotPanics(t, func() {
					_, err := f(ctx, purposeReset, l)
					assert.ErrorIs(t, err, reset.ErrInvalidToken, "%q", l)
				})
			}
		}
		for _, c := range codes {
			for _, f := range []func(context.Context, reset.Key, string) (reset.Redemption, error){tk.VerifyCode, tk.RedeemCode} {
				assert.NotPanics(t, func() {
					_, err := f(ctx, reset.Key{AccountID: "budi", Purpose: purposeReset}, c)
					assert.ErrorIs(t, err, reset.ErrInvalidToken, "%q", c)
				})
			}
		}
		for _, args := range [][2]string{{"", purposeReset}, {"budi", ""}} {
			_, err := tk.VerifyCode(ctx, reset.Key{AccountID: args[0], Purpose: args[1]}, "123456")
			assert.ErrorIs(t, err, reset.ErrInvalidToken, "%q", args)
		}
		_, err := tk.VerifyLink(ctx, "", valid)
		assert.ErrorIs(t, err, reset.ErrInvalidToken, "no purpose")
		assert.Zero(t, rec.calls.Load(), "calls to the store")

		// Well formed but unknown: one store call each, the same answer.
		_, err = tk.VerifyLink(ctx, purposeReset, valid)
		assert.ErrorIs(t, err, reset.ErrInvalidToken)
		_, err = tk.VerifyCode(ctx, reset.Key{AccountID: "budi", Purpose: purposeReset}, "123456")
		assert.ErrorIs(t, err, reset.ErrInvalidToken)
		assert.EqualValues(t, 2, rec.calls.Load(), "calls to the store")
	})
}

func TestCooldown(t *testing.T) {
	eachBackend(t, func(t *testing.T, s store.Tokens) {
		eachKind(t, func(t *testing.T, k kind) {
			tk, clk := newTokens(t, s, reset.Config{})
			ctx := t.Context()
			iss := reset.Issue{AccountID: "budi", Purpose: purposeReset, Cooldown: time.Minute}
			first, err := k.issue(tk, ctx, iss)
			require.NoError(t, err)
			clk.Add(59 * time.Second)
			_, err = k.issue(tk, ctx, iss)
			require.ErrorIs(t, err, store.ErrCooldown)
			var ce *store.CooldownError
			require.ErrorAs(t, err, &ce)
			assert.True(t, ce.Until.Equal(t0.Add(time.Minute)), "until %v", ce.Until)
			_, err = k.verify(tk, ctx, "budi", purposeReset, first.Token)
			require.NoError(t, err, "a refused issue leaves the live token")

			clk.Add(time.Second)
			second, err := k.issue(tk, ctx, iss)
			require.NoError(t, err)
			_, err = k.redeem(tk, ctx, "budi", purposeReset, second.Token)
			require.NoError(t, err)

			iss.Cooldown = -time.Second
			_, err = k.issue(tk, ctx, iss)
			assert.Error(t, err)
		})
	})
}

func TestIssueInvalid(t *testing.T) {
	rec := &recorder{Tokens: memstore.New()}
	tk, _ := newTokens(t, rec, reset.Config{})
	bigData := map[string]string{}
	for i := range store.MaxTokenData + 1 {
		bigData[fmt.Sprint(i)] = "x"
	}
	for _, iss := range []reset.Issue{
		{Purpose: purposeReset},
		{AccountID: "budi"},
		{AccountID: "budi", Purpose: strings.Repeat("p", store.MaxTokenPurpose+1)},
		{AccountID: "budi", Purpose: purposeReset, Data: bigData},
		{AccountID: "budi", Purpose: purposeReset, Data: map[string]string{"": "x"}},
		{AccountID: "budi", Purpose: purposeReset, Data: map[string]string{"k": strings.Repeat("x", store.MaxTokenDataSize+1)}},
	} {
		_, err := tk.IssueLink(t.Context(), iss)
		assert.ErrorIs(t, err, store.ErrInvalid)
		_, err = tk.IssueCode(t.Context(), iss)
		assert.ErrorIs(t, err, store.ErrInvalid)
	}
	assert.Zero(t, rec.calls.Load(), "calls to the store")

	// Data is the caller's: changing it after issuing changes nothing.
	data := map[string]string{"email": "budi@example.id"}
	sent, err := tk.IssueLink(t.Context(), reset.Issue{AccountID: "budi", Purpose: purposeReset, Data: data})
	require.NoError(t, err)
	data["email"] = "mallory@example.id"
	red, err := tk.RedeemLink(t.Context(), purposeReset, sent.Token)
	require.NoError(t, err)
	assert.Equal(t, "budi@example.id", red.Data["email"])
}

// failing is a store whose every method fails.
type failing struct{ err error }

func (f failing) IssueToken(context.Context, store.Token, time.Duration) error { return f.err }
func (f failing) AttemptToken(context.Context, store.TokenKey, time.Time) (store.Token, error) {
	return store.Token{}, f.err
}
func (f failing) ConsumeToken(context.Context, string, []byte) error  { return f.err }
func (f failing) VoidTokens(context.Context, string, ...string) error { return f.err }

// A store failure is not an invalid token: it is returned, wrapped, so
// that the host fails closed and can tell an outage from a typo.
func TestStoreFailure(t *testing.T) {
	boom := errors.New("connection refused")
	tk, _ := newTokens(t, failing{boom}, reset.Config{})
	ctx := t.Context()
	check := func(err error, what string) {
		t.Helper()
		assert.ErrorIs(t, err, boom, what)
		assert.NotErrorIs(t, err, reset.ErrInvalidToken, what)
		if err != nil {
			assert.True(t, strings.HasPrefix(err.Error(), "reset: "), err.Error())
		}
	}
	_, err := tk.IssueLink(ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
	check(err, "IssueLink")
	_, err = tk.IssueCode(ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
	check(err, "IssueCode")
	lt, err := secret.NewToken(nil)
	require.NoError(t, err)
	_, err = tk.VerifyLink(ctx, purposeReset, lt.String())
	check(err, "VerifyLink")
	_, err = tk.RedeemCode(ctx, reset.Key{AccountID: "budi", Purpose: purposeReset}, "123456")
	check(err, "RedeemCode")
	check(tk.Void(ctx, "budi"), "Void")

	// Consume of a redemption from a store that then fails.
	s := memstore.New()
	ok, _ := newTokens(t, s, reset.Config{})
	sent, err := ok.IssueLink(ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
	require.NoError(t, err)
	red, err := ok.VerifyLink(ctx, purposeReset, sent.Token)
	require.NoError(t, err)
	check(tk.Consume(ctx, red), "Consume")

	// A random source that fails.
	bad, err := reset.New(reset.Config{Store: s, Rand: strings.NewReader("short")})
	require.NoError(t, err)
	_, err = bad.IssueLink(ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
	assert.Error(t, err)
	_, err = bad.IssueCode(ctx, reset.Issue{AccountID: "budi", Purpose: purposeReset})
	assert.Error(t, err)

	// A cancelled context is a failure too, not an invalid token.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ok.VerifyLink(cancelled, purposeReset, sent.Token)
	assert.ErrorIs(t, err, context.Canceled)
}

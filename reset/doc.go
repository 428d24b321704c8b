// Package reset issues and redeems one-time tokens for named purposes: the
// link or code of a forgotten-password reset, of an email activation, of a
// change of email address. Tokens are kept by a [store.Tokens], hashed;
// they expire, allow a few attempts, and redeem once.
//
// Most hosts do not call it: the auth package builds its flows on it. Reach
// for it to build a flow of your own that proves control of a mailbox or
// phone. The tokens and codes themselves, and their hashes, come from
// package [github.com/masuk-id/masuk/secret]; for a bearer token that is
// not a one-time link, use [secret.Token] directly.
//
// # Which API
//
// Make one [Tokens] with [New] per set of settings. Issue with
// [Tokens.IssueLink] or [Tokens.IssueCode], and send Issued.Token. When
// it comes back, redeem it:
//
//   - [Tokens.RedeemLink] and [Tokens.RedeemCode] verify and consume in
//     one call, for flows that check nothing in between, such as
//     confirming an address.
//   - [Tokens.VerifyLink] and [Tokens.VerifyCode] verify only, and return
//     a [Redemption]; [Tokens.Consume] then uses the token up. Between
//     the two the caller checks what it must: that a new password passes
//     the policy, that the account may still act. A password the policy
//     refuses does not burn the link; the person fixes it and sends it
//     again. Act on the redemption only after Consume returns nil: of any
//     number of concurrent redemptions of one token, exactly one gets
//     nil.
//
// [Tokens.Void] voids an account's outstanding tokens, of some purposes or
// of all; issuing a token voids the account's older one of its purpose and
// [Issue.Binding], so only the last link or code sent for a binding works.
// Tokens of other bindings stay: auth binds each reset to the request that
// asked for it, so that a stranger's request cannot void the owner's code,
// and a code redeems only with its binding ([Key]), so that a stranger's
// wrong guesses cannot spend its tries.
//
// # Links and codes
//
// A link carries a [secret.Token]: a 128-bit selector that the store
// looks the token up by, and a 256-bit verifier, from crypto/rand. The
// account is found from the token alone, so the link is all a person
// needs, and a token can never be redeemed for another account. Links live for
// Config.LinkFor, one hour by default.
//
// A code is 6 to 8 digits (Config.CodeDigits, 6 by default, about 20
// bits) for a person to type, with the username, where a link cannot go:
// an SMS, a mail read on another device. It is bound to the account and
// the purpose ([secret.HashCode]), and redeemed with the account ID, which
// the caller finds from the username the person typed; a code sent to
// one account never redeems for another. Codes live for Config.CodeFor,
// 15 minutes by default.
//
// Both lifetimes are at most 24 hours, the cap NIST SP 800-63B rev 4 sets
// for codes sent by email; [New] refuses more. An expired token is
// refused by the caller's clock, Config.Now, on every read.
//
// # Attempts
//
// Each verification charges the token an attempt in the store before any
// comparison, atomically, so however many requests arrive at once, no
// more than Config.MaxAttempts (5 by default) guesses are compared; later
// ones are refused. A wrong guess leaves the token usable until then: a
// typo costs one attempt, and a guesser gets 5 tries at a million codes.
// A token out of tries is kept, refused, until it expires: a redemption
// that was charged one of the allowed tries may still be comparing, and
// must find it to consume it, so that of many parallel redemptions of a
// right code one always wins.
// Issue.Cooldown limits how often a new code may be sent, so that a
// guesser cannot simply ask for more; the auth package also rate-limits
// the requests themselves.
//
// # Uniform answers
//
// Every refusal is [ErrInvalidToken]: malformed, unknown, wrong, expired,
// used, voided, replaced, out of attempts. The person is told to ask for a
// new one; a guesser learns nothing. A malformed token or code is refused
// before the store is touched, which tells nobody anything they did not
// send; every well-formed one costs one store operation, whether or not
// it names a token. Store failures are returned wrapped, not as
// ErrInvalidToken, so that a host fails closed and can tell an outage
// from a typo.
//
// # Nothing secret at rest
//
// The store holds the token's hash, never its verifier or code: a link's
// is a SHA-256 of the purpose and the 256-bit verifier
// ([secret.Token.Hash]), which nobody can reverse; a code's is
// [secret.HashCode], which keeps codes out of backups and logs but, at 20
// bits, is not what protects them: their short life, the attempt cap and
// single use are. Comparisons are in constant time ([secret.Token.Verify],
// [secret.VerifyCode]). Issue.Data is stored as given and must hold no
// secret.
//
// # Binding a token to the account's credentials
//
// A token should die when the credentials it was issued under change: a
// reset link sent before a password change, or before another reset,
// must not work after it. Put the account's security stamp, a value that
// changes with every credential change, in Issue.Data, and compare it
// with the account's current stamp after verifying and before consuming:
//
//	iss := reset.Issue{AccountID: acct.ID, Purpose: "reset",
//		Data: map[string]string{"stamp": acct.SecurityStamp}}
//	...
//	red, err := tokens.VerifyLink(ctx, "reset", token)
//	// load the account red.AccountID; refuse with ErrInvalidToken when
//	// red.Data["stamp"] != acct.SecurityStamp
//
// A credential change then voids every token issued before it, in every
// store, without finding them. [Tokens.Void] on a change does the same
// for the tokens a host knows of.
//
// In a test of a portal's reset or activation flow,
// [github.com/masuk-id/masuk/auth/authtest.Kit.LastCode] and [github.com/masuk-id/masuk/auth/authtest.Kit.LastToken] read the code or the link's
// token that the flow sent.
package reset

// Package password hashes passwords, verifies them against what a portal
// already stores, and decides which new passwords a portal accepts.
//
// Two types do the work. A [Hasher] (from [New]) hashes with argon2id and
// verifies argon2id, argon2i, bcrypt and legacy MD5/SHA-1/SHA-256 digests,
// telling the caller when a stored hash should be upgraded. A [Policy] (from
// [NewPolicy]) checks a new password's length, a blocklist of common
// passwords, the account's own words and, only where required, composition
// rules, and reports every rule broken at once. Most hosts use both through
// package auth; use them directly to hash or check passwords elsewhere.
//
// # Hashing
//
// [Hasher.Hash] returns a PHC string of the form the Argon2 reference
// implementation writes:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with salt and key in unpadded standard base64. The string carries its
// parameters, so raising them later needs no migration: [Hasher.Verify]
// verifies a hash at whatever parameters it was made with, and reports
// Verified.NeedsRehash when they differ from the Hasher's, so the caller
// stores a new hash of the password it has just verified. [Hasher.NeedsRehash]
// tells the same without a password.
//
// # Parameters
//
// The defaults are OWASP's first recommendation for argon2id, which ASVS 5.0
// (Appendix C) repeats: m=19456 KiB (19 MiB), t=2, p=1, with a 16-byte salt
// and a 32-byte key. OWASP lists pairs of memory and passes that cost an
// attacker about the same: 46 MiB (47104 KiB) with t=1, 19 MiB with t=2,
// 12 MiB with t=3, 9 MiB with t=4 and 7 MiB with t=5. [New] accepts
// parameters that reach at least one pair and rejects weaker ones instead of
// raising them behind the host's back. More memory is the better way to
// spend a budget: RFC 9106's first recommendation is 2 GiB with t=1, its
// second, where memory is short, 64 MiB with t=3 (both with p=4).
//
// Each hash holds its memory for its whole run, about 40 ms at the defaults
// on a current server core, so a flood of logins could exhaust memory. A
// Hasher therefore runs at most Config.MaxConcurrent hashes at once (2 per
// CPU by default: 19 MiB × 2 × GOMAXPROCS), lets at most Config.MaxWaiting
// more callers wait (8 per slot by default), and fails the rest at once
// with [ErrBusy]. Waiting ends with the caller's context. A password longer
// than Config.MaxBytes (4096 bytes by default) is refused with [ErrTooLong]
// before anything else, so a 10 MiB password costs a length comparison.
// Pick MaxConcurrent × Memory to fit the memory the process may use, and
// measure Hash on the production machine: 20 to 100 ms is usual for a login.
//
// The limit bounds the hashing memory that is live; Go's collector, at its
// default GOGC=100, lets the heap grow to about twice what is live before
// it collects, so a process busy hashing can reach twice MaxConcurrent ×
// Memory. To hold it closer, set the runtime's soft memory limit
// (GOMEMLIMIT, or runtime/debug.SetMemoryLimit) to the memory you budget:
// under a flood of 500 logins with the defaults on 2 CPUs, peak RSS was
// about 200 MiB without it and 126 MiB with GOMEMLIMIT=116MiB (see
// BENCHMARKS.md at the repository's root).
//
// # Normalisation
//
// Argon2 hashes bytes, and the same visible password can arrive as different
// bytes: "é" is one code point (U+00E9) from most keyboards and two
// ("e" and U+0301) from some phones and from macOS file names. Hash and
// Verify therefore hash the NFC form of the password (Unicode Normalization
// Form C, via golang.org/x/text/unicode/norm), so both spellings verify the
// same.
//
// ASVS 6.2.8 asks to verify a password exactly as received, without
// truncation or case change; NIST SP 800-63B rev. 3 recommends NFKC or
// NFKD. NFC is the form that satisfies both aims as far as they can be: it
// only joins canonically equivalent sequences, which are the same text by
// Unicode's definition, while NFKC would also fold distinct characters
// ("ﬁ" into "fi", "²" into "2", full-width into ASCII), discarding part of
// what the user chose. Nothing else changes: no trimming, no case folding,
// no truncation; NUL and control characters are hashed like any other, and
// invalid UTF-8 passes through unchanged. Every argon2 hash this package
// writes or reads is of the NFC form; should that ever change, the new form
// would get a new PHC identifier. An argon2 hash imported from a system that
// did not normalise verifies as before for every password typed in NFC, which
// is nearly all input.
//
// # Migrating stored hashes
//
// Verify also accepts what older portals store, so their users keep their
// passwords and are moved to argon2id at their next login (every match
// reports NeedsRehash):
//
//   - bcrypt, as $2a$, $2b$ and PHP's $2y$ (PHP password_hash). bcrypt reads
//     only the first 72 bytes of a password; Verify refuses a longer password
//     outright, so that a long password cannot match by its prefix. $2x$
//     (PHP's marker for hashes of the buggy crypt_blowfish) is refused.
//   - argon2i PHC strings (PHP's PASSWORD_ARGON2I), and argon2id at any
//     parameters.
//   - Hex digests of MD5, SHA-1 or SHA-256, unsalted or salted before or
//     after the password.
//
// Import each legacy digest with [EncodeLegacy], which records the
// algorithm, the salt and where it went in a self-describing string:
//
//	$masuk-sha1$salt=suffix$<hex salt>$<hex digest>
//
// A store full of bare hex digests (unsalted, or with one site-wide salt)
// can instead be described once in Config.Legacy ([LegacyConfig]). A bare
// hex string is never taken for a digest otherwise.
//
// bcrypt and legacy digests are verified against the password's bytes as
// received, not its NFC form: the old system did not normalise them either.
//
// # Policy
//
// [Policy.Check] applies the rules ASVS 5.0 (section 6.2) and NIST SP
// 800-63B rev. 4 set for a new password:
//
//   - Length in code points of the NFC form, 8 to 256 by default
//     ([PolicyConfig] MinLength, MaxLength); "é" counts one however it was
//     typed. Set MinLength to 15 where the password is the only factor (NIST
//     rev. 4). Long passwords are refused, never cut.
//   - A blocklist: zxcvbn's 30,000 most common passwords and 8,694 common
//     Indonesian ones (see data/README.md), compared with the whole password
//     case-insensitively, plus the host's own words.
//   - Context words (a [Context]): the username, the local part of the email
//     address, the realm, and extra words such as a display name, looked for
//     anywhere in the password, case-insensitively, when they have at least 4
//     characters. A username that is a national number (NIP, NPWP, NIK)
//     also forbids any 6 consecutive digits of it, such as the birth date
//     inside a NIP.
//   - Composition rules only if configured ([Composition]); ASVS and NIST
//     advise against them, but some portals' published rules require them
//     ([CompositionMySAPK]).
//   - Breached passwords only if configured (PolicyConfig.Breach); see below.
//
// Check returns a *[PolicyError] that lists every violation, so a form can
// show them all at once; [Violation.Message] words each one in Indonesian
// or English. Neither the error nor the messages ever contain the password.
//
// # Breached passwords
//
// NIST SP 800-63B requires the blocklist to hold passwords known to be
// compromised, and ASVS 5.0 (6.2.12, level 2) a check against breached
// passwords. The embedded list holds the 39,000 most common; the corpus of
// breached passwords Have I Been Pwned publishes (Pwned Passwords) holds
// hundreds of millions, each one in the lists attackers replay against
// login forms. Set PolicyConfig.Breach to a [BreachChecker] and Check looks
// each new password up once the local rules have run, unless the blocklist
// refused it already, and reports one found as [RuleBreached] with the
// number of times it was seen ("Kata sandi ini telah muncul 384 kali dalam
// kebocoran data." / "This password has appeared 384 times in data
// breaches."), together with the other violations. It is off by default,
// since it needs the network or a download of tens of gigabytes.
//
// Package breach (auth/password/breach) has the two checkers: breach.Client
// asks the Pwned Passwords range API by k-anonymity, sending only the first
// 5 hex digits of the password's SHA-1 and finding the rest of the hash in
// the range that comes back, padded so that even its length tells nothing;
// breach.Dir reads the same ranges from a copy the host downloaded, so that
// nothing leaves the machine. The checker is given the NFC form of the
// password, which is what a Hasher hashes, and also the form received when
// that differs, since a breach corpus holds the bytes that leaked.
//
// A lookup can fail. A checker that fails open lets the password through on
// the local rules alone and logs why: registrations keep working while the
// API is down, and a breached password may get through meanwhile. One that
// fails closed makes Check return an error wrapping [ErrBreachUnavailable]
// (not a *PolicyError: the password was neither accepted nor refused), which
// the user should see as "try again in a moment": nothing unchecked gets
// through, and nobody can set a password while the API is down. The breach
// package's doc weighs the two; its checkers fail open unless told
// otherwise. A password the local rules refuse is refused whatever the
// lookup says.
//
// # References
//
//   - OWASP Password Storage Cheat Sheet:
//     https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html
//   - OWASP ASVS 5.0, V6 Authentication and Appendix C:
//     https://github.com/OWASP/ASVS/tree/v5.0.0_release/5.0/en
//   - NIST SP 800-63B rev. 4, section 3.1.1.2:
//     https://pages.nist.gov/800-63-4/sp800-63b.html
//   - Pwned Passwords API: https://haveibeenpwned.com/API/v3#PwnedPasswords
//   - RFC 9106, Argon2: https://www.rfc-editor.org/rfc/rfc9106.html
//   - PHC string format:
//     https://github.com/P-H-C/phc-string-format/blob/master/phc-sf-spec.md
//   - Unicode Normalization Forms (UAX #15): https://unicode.org/reports/tr15/
package password

// Package breach looks passwords up in the Pwned Passwords corpus of Have I
// Been Pwned, the passwords exposed in data breaches: a [Client] asks its
// range API over the network, a [Dir] reads a copy downloaded ahead of
// time. Either is a password.BreachChecker: set it as
// password.PolicyConfig.Breach and Policy.Check refuses a password found
// in the corpus with the rule password.RuleBreached ("this password has
// appeared 384 times in data breaches"), reported with the other rules'
// violations.
//
//	checker, err := breach.NewClient(breach.ClientConfig{})
//	...
//	policy, err := password.NewPolicy(password.PolicyConfig{Breach: checker})
//
// No lookup happens unless a host asks for one: PolicyConfig.Breach is nil
// by default.
//
// # Why
//
// NIST SP 800-63B rev. 4 (section 3.1.1.2) says a verifier SHALL compare a
// prospective password against a blocklist of values known to be commonly
// used, expected or compromised (rev. 3 put "passwords obtained from
// previous breach corpuses" first among them); ASVS 5.0 asks for a check
// against breached passwords at level 2 (6.2.12). The blocklist embedded in package password holds the
// most common 39,000 or so; the corpus holds hundreds of millions, each
// with how many times it was seen. A password seen even once is in the
// lists attackers replay against every login form (credential stuffing).
//
// # k-anonymity
//
// The corpus is published as SHA-1 hashes. A [Client] never sends the
// password or its hash: it sends the first 5 hex digits of the hash,
//
//	GET https://api.pwnedpasswords.com/range/BFD36
//
// and the API answers with every hash in the corpus that starts with them,
// one a line, as the other 35 digits, a colon and a count, lines separated
// by CRLF:
//
//	17727EAB0E800E62A776C76381DEFBC4145:384
//	1B0E9BD5DCF1D4AD2A7F85A0E7F5B4A2C3D:0
//	...
//
// The Client looks for the rest of its hash in the answer itself. The API,
// and anyone watching, learns which of the 1,048,576 ranges was asked for,
// each of which holds hundreds of hashes, and not which password; the
// passwords that share a range are most of them not in the corpus at all.
// The request asks for padding (the header Add-Padding: true): the API
// adds lines of random suffixes with a count of 0, which the Client skips,
// so that the length of an encrypted answer does not tell the range
// either. The 5 digits are still 20 bits of an unsalted hash of the
// password, so this package never writes them into an error or a log.
//
// Every line of an answer is checked: 35 hex digits, a colon and a count
// of 1 to 10 digits, CRLF or LF between lines; anything else (an error
// page served with 200, a truncated answer) fails the lookup with
// [ErrMalformed], and an answer over [MaxRangeBytes] (1 MiB, some 25 times
// a real range) with [ErrTooLarge].
//
// A host that runs its own mirror of the API, or reaches the API through
// a proxy, sets ClientConfig.BaseURL (the mirror answers GET
// {BaseURL}/range/{prefix} as the API does) and HTTPClient.
//
// # Offline corpus
//
// A portal that may not reach the Internet, or does not want to depend on
// a service it does not run, reads a downloaded copy with a [Dir]. The
// copy is a directory of 1,048,576 range files, one per prefix, named by
// the prefix in upper case and ".txt" (00000.txt to FFFFF.txt), each
// holding what the API answers for it without padding. That is what Have I
// Been Pwned's own downloader writes when asked for one file per range:
//
//	dotnet tool install --global haveibeenpwned-downloader
//	haveibeenpwned-downloader pwnedpasswords -s false   # writes ./pwnedpasswords/*.txt
//
// and what curl writes with
//
//	curl -s --retry 10 --retry-all-errors --parallel --parallel-max 64 -o '#1#2#3#4#5.txt' \
//	  'https://api.pwnedpasswords.com/range/{0,1,2,3,4,5,6,7,8,9,A,B,C,D,E,F}{0,1,2,3,4,5,6,7,8,9,A,B,C,D,E,F}{0,1,2,3,4,5,6,7,8,9,A,B,C,D,E,F}{0,1,2,3,4,5,6,7,8,9,A,B,C,D,E,F}{0,1,2,3,4,5,6,7,8,9,A,B,C,D,E,F}'
//
// The whole copy takes tens of gigabytes. Files whose line ends were
// converted to LF read the same. Then:
//
//	checker, err := breach.NewDir(breach.DirConfig{FS: os.DirFS("/var/lib/pwnedpasswords")})
//
// A lookup opens and reads one file of some 40 KB; nothing is held in
// memory between lookups. A missing file (an interrupted download) fails
// the lookups that need it, so check that all 1,048,576 are there. The
// corpus grows: download a new copy now and then into a new directory and
// point the portal at it.
//
// The format is the per-range directory rather than the downloader's
// other output, one sorted file of every full hash, because each file is
// byte for byte an answer of the API, so one parser, and one fuzz test,
// serves both checkers; because a lookup reads 40 KB instead of searching
// a file of tens of gigabytes; and because an incomplete download shows as
// missing files rather than as a shorter file that looks whole.
//
// # Failures
//
// A lookup can fail: the API is down, slow (ClientConfig.Timeout, 3
// seconds by default) or answers with an error or with something that is
// not a range; a range file is missing or damaged. What then happens to
// the password is the host's choice:
//
//   - Fail open (the default): the password is judged by the local rules
//     alone (length, blocklist, context words) and the failure is logged
//     as a warning to Logger (slog.Default() when nil), so that a check
//     that stopped working is seen. Registration, password change and
//     reset keep working through an outage of a service the portal does
//     not run, at the price of perhaps accepting a breached password
//     meanwhile.
//   - Fail closed (FailClosed): Breached returns a *[LookupError], and
//     Policy.Check an error wrapping password.ErrBreachUnavailable and the
//     LookupError. Show "try again in a moment" (package httpauth answers
//     it with 503). No password is accepted unchecked, but while the API
//     is down nobody can register, change or reset a password.
//
// ASVS 5.0 (16.5.3) asks systems to fail closed in general. A portal that
// must never accept a breached password should fail closed and use a
// [Dir], which fails only when its files are damaged; one that calls the
// public API usually fails open, and watches its logs. Either way the end
// of the caller's context is never let through: Breached returns the
// context's error. The local rules always apply, and a password they
// refuse is refused whatever the lookup says.
//
// # References
//
//   - NIST SP 800-63B rev. 4, section 3.1.1.2:
//     https://pages.nist.gov/800-63-4/sp800-63b.html
//   - OWASP ASVS 5.0, V6 Authentication (6.2.12):
//     https://github.com/OWASP/ASVS/tree/v5.0.0_release/5.0/en
//   - Pwned Passwords API: https://haveibeenpwned.com/API/v3#PwnedPasswords
//   - Padding: https://www.troyhunt.com/enhancing-pwned-passwords-privacy-with-padding/
//   - The downloader: https://github.com/HaveIBeenPwned/PwnedPasswordsDownloader
package breach

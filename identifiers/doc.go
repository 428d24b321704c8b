// Package identifiers parses, validates, normalises and formats the
// Indonesian national numbers that government portals use as usernames:
// NIK, NPWP (15 and 16 digits), NITKU, NIP (PNS and PPPK), the BPJS
// Kesehatan card number, the BPJS Ketenagakerjaan KPJ, NIB, NUPTK and NISN;
// and Indonesian mobile phone numbers.
//
// People type these numbers with dots, dashes and spaces, or without. The
// package reads every such typing of one number as the same canonical
// digit string and rejects a mistyped number with an error that says what
// is wrong. Its rules are those documented by the issuing authorities and
// confirmed by real numbers, and a lenient mode admits the real numbers
// that break them.
//
// # Which function to use
//
//   - [Canonical] turns what someone typed into the canonical digits of
//     the kind you expect. Use its result as the account key, so that
//     01.312.166.0-091.000 and 013121660091000 log in to one account.
//   - [Validate] only checks, without allocating; use it in hot paths and
//     form validation.
//   - [Format] gives the display form: 99.999.999.9-999.999 for the legacy
//     NPWP, "YYYYMMDD YYYYMM G NNN" for a NIP, plain digits for the rest.
//   - [ParseNIK], [ParseNPWP], [ParseNITKU] and [ParseNIP] return typed
//     values exposing what the number encodes: region codes, birth dates,
//     sex, serials, tax office, the 15↔16-digit NPWP conversion.
//     [ParsePhone] returns a [PhoneNumber] in the forms SMS and WhatsApp
//     gateways want (+62…, 62…, 08…) and its operator's name. The
//     length-only kinds encode nothing public, so [Canonical] is all they
//     need.
//   - [Digits] extracts the digits of any typing without checking a kind,
//     for uses such as a password policy's context words.
//   - [Candidates] lists the kinds a string is valid as, for a hint after a
//     rejection.
//
// Every error is an [*Error] carrying the [Kind], the [Reason] and, where
// it helps, the position of a bad character or the digit counts. Compare
// with errors.Is against the sentinels ([ErrLength], [ErrCheckDigit], ...),
// log its Error text, and show [Error.Message] to the user, in Indonesian
// ("id") or English ("en").
//
// # Input
//
// Surrounding whitespace is trimmed; then spaces, dots and dashes are
// removed, and nothing else: letters, slashes, tabs inside the number and
// non-ASCII digits (Arabic-Indic, full-width) are rejected with their
// 1-based character position. Values stay strings, since many numbers
// start with 0.
//
// # Strict and lenient
//
// [Strict], the zero [Mode], applies every rule below. [Lenient] checks
// only the length, the characters and the NPWP rules where they are known
// to apply (15-digit numbers and 16-digit numbers starting with 0: the
// check digit, and a serial other than 000000, which no real number has
// and forms use as a "no NPWP" placeholder), so that a portal can accept
// holders of irregular legacy numbers, such as a NIK whose birth date does
// not exist. Strict is the right default
// for registration; a portal that already holds irregular numbers may log
// in with Lenient.
//
// No rule depends on today's date.
//
// # The rules
//
//   - [NIK], 16 digits PP RR DD ddmmyy SSSS: the province code is one of
//     the 38 Kemendagri codes (11–19, 21, 31–36, 51–53, 61–65, 71–76, 81,
//     82, 91–96; not the BPS codes, which differ for Papua); regency and
//     district are not checked, because codes are reassigned when
//     provinces split and old NIKs keep theirs; the day is 01–31, or 41–71
//     for women; the date exists in 19yy or in 20yy; the serial is not
//     0000.
//   - [NPWP15], 15 digits AA BBBBBB C DDD EEE: C is the Luhn check digit of
//     the 8 digits before it; the serial BBBBBB is not 000000. The
//     taxpayer-type code is not whitelisted: real numbers carry codes that
//     published lists lack.
//   - [NPWP16], 16 digits: 0 followed by a valid NPWP15, or else a
//     resident's NIK, checked by the NIK rules. [NPWP] accepts either
//     length and canonicalises to 16 digits.
//   - [NITKU], 22 digits: a valid NPWP16 and a 6-digit sequence.
//   - [NIP], 18 digits: a real birth date YYYYMMDD; digits 13–14 a month
//     01–12 (PNS) or 21–29 (PPPK, 2 and a count 1–9); digit 15 is 1 or 2;
//     the serial is not 000.
//   - [BPJSKesehatan] (13), [KPJ] (11), [NIB] (13), [NUPTK] (16) and
//     [NISN] (10): the length only, since no layout or checksum is
//     published.
//   - [Phone], a mobile number: besides digits, spaces, dots and dashes it
//     may hold parentheses and one "+" before its first digit. With "+",
//     or digits starting 62, the country code must be 62 (one doubled
//     trunk 0 after it is dropped); otherwise the number starts with the
//     trunk 0. 00 (an international call prefix) and a bare 8... are
//     refused: 82 10... is a Korean number typed without its "+", so a
//     form with a fixed "+62" box sends the box's "+62" too. What
//     remains, the national significant number, starts with 8 and a
//     network digit other than 0 (freephone, premium) and 4, and has 9
//     to 12 digits (10 to 13 written with the 0). Strict mode also
//     requires a prefix 08XY that an operator holds (Telkomsel, Indosat
//     Ooredoo Hutchison, XL, AXIS, Smartfren: reason [Operator]); lenient
//     mode accepts every prefix of the pattern, for prefixes allocated
//     after the table. Fixed lines (021...) are refused: a landline cannot
//     receive a code by SMS. The canonical form is E.164,
//     "+6281234567890"; the display form 0812-3456-7890.
//
// # Ambiguity
//
// Lengths overlap: 16 digits can be a NIK, an NPWP16 and a NUPTK, and 13
// digits a BPJS Kesehatan number or a NIB. A portal must say which kind
// it expects (a realm of companies logs in by NPWP, one of civil servants
// by NIP); this package never guesses from the length.
//
// An NPWP changed length in 2024, and [NPWP]'s canonical form is the
// 16-digit one: a 15-digit number gains a leading 0, so a company logs in
// to one account with either form. For a resident individual the official
// NPWP16 is the NIK, which no rule derives from the legacy number, so such
// a person's legacy NPWP and NIK remain two keys; a portal that must join
// them needs the taxpayer's own word (or DJP's records).
//
// A NIK holds only two digits of the birth year. [NIKNumber.BirthDate]
// guesses the century with a fixed pivot; [NIKNumber.BirthDateAsOf]
// guesses relative to a date the caller supplies.
//
// # Sources
//
//   - NIK: UU 23/2006 as amended by UU 24/2013; the layout as published
//     by Dukcapil; province codes of Kepmendagri 300.2.2-2138/2025.
//   - NPWP: SE-60/PJ/2013 (layout); the check digit as reverse-engineered
//     and confirmed against real numbers by python-stdnum; PMK
//     112/PMK.03/2022, PMK 136/2023 and PER-6/PJ/2024 (16-digit NPWP,
//     NIK as NPWP, NITKU).
//   - NIP: Perka BKN 22/2007 and 43/2007; the PPPK code as reported by BKN
//     in the press and decoded by muzhawir/indonesian_id.
//   - NIB: PP 24/2018 and PP 5/2021; NUPTK: Persesjen Kemdikbud 1/2018;
//     NISN: PDSP Kemdikbud; KPJ: the official JMO app ("Nomor KPJ harus
//     11 digit"); BPJS Kesehatan: the VClaim API.
//   - Phone: Permen Kominfo 14/2018 (numbering plan: mobile networks are
//     08XY); the mobile pattern and the operators' prefixes of
//     libphonenumber v9.0.35 (PhoneNumberMetadata.xml and
//     carrier/en/62.txt).
package identifiers

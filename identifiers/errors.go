package identifiers

import (
	"strconv"
	"strings"
	"unicode"
)

// Reason says which rule a number broke.
type Reason uint8

// The reasons an [Error] can carry. The zero Reason is not used.
const (
	// Empty means the input holds no digits at all.
	Empty Reason = iota + 1
	// Length means the number has the wrong count of digits
	// ([Error.Want], [Error.Got]).
	Length
	// Character means the input holds something other than a digit,
	// space, dot or dash ([Error.Pos], [Error.Char]).
	Character
	// CheckDigit means the NPWP check digit does not match.
	CheckDigit
	// Date means the birth date in a NIK or NIP does not exist.
	Date
	// Province means the first two digits of a NIK are not a province
	// code.
	Province
	// Sex means the sex digit of a NIP is neither 1 nor 2.
	Sex
	// Serial means the serial number is zero (NIK 0000, NIP 000, NPWP
	// 000000).
	Serial
	// Appointment means digits 13–14 of a NIP are neither a month (PNS)
	// nor a PPPK code 21–29.
	Appointment
	// UnknownKind means the kind is not one this package knows.
	UnknownKind
	// Country means a [Phone] number is not Indonesian: it has a country
	// code other than +62, or an international call prefix (00).
	Country
	// Prefix means a [Phone] number does not start with a mobile prefix:
	// it is a fixed line (021...), or a freephone or premium number
	// (0800, 0809).
	Prefix
	// Operator means, in [Strict] mode, that no mobile operator holds a
	// [Phone] number's prefix 08XY.
	Operator

	reasonEnd
)

var reasonNames = [reasonEnd]string{
	Empty:       "empty",
	Length:      "length",
	Character:   "character",
	CheckDigit:  "check digit",
	Date:        "date",
	Province:    "province",
	Sex:         "sex",
	Serial:      "serial",
	Appointment: "appointment",
	UnknownKind: "unknown kind",
	Country:     "country",
	Prefix:      "prefix",
	Operator:    "operator",
}

// String returns a short lowercase name for the reason, such as
// "check digit".
func (r Reason) String() string {
	if r == 0 || r >= reasonEnd {
		return "reason(" + strconv.Itoa(int(r)) + ")"
	}
	return reasonNames[r]
}

// Sentinel errors, one per [Reason]. Every error this package returns is an
// [*Error], and errors.Is matches it against the sentinel of its reason:
//
//	if errors.Is(err, identifiers.ErrCheckDigit) { ... }
var (
	ErrEmpty       = &Error{Reason: Empty}
	ErrLength      = &Error{Reason: Length}
	ErrCharacter   = &Error{Reason: Character}
	ErrCheckDigit  = &Error{Reason: CheckDigit}
	ErrDate        = &Error{Reason: Date}
	ErrProvince    = &Error{Reason: Province}
	ErrSex         = &Error{Reason: Sex}
	ErrSerial      = &Error{Reason: Serial}
	ErrAppointment = &Error{Reason: Appointment}
	ErrUnknownKind = &Error{Reason: UnknownKind}
	ErrCountry     = &Error{Reason: Country}
	ErrPrefix      = &Error{Reason: Prefix}
	ErrOperator    = &Error{Reason: Operator}
)

// Error reports why a number is not valid as the kind asked for. Its
// Error method gives an English text for logs; [Error.Message] gives a
// text a portal can show to the person who typed the number.
type Error struct {
	// Kind is the kind the caller asked for; 0 when none was (as in
	// [Digits]).
	Kind Kind
	// Reason is the rule the number broke.
	Reason Reason
	// Pos is the 1-based position, counted in characters (runes) of the
	// input as given, of the first character that is not allowed. It is
	// set only for [Character].
	Pos int
	// Char is the character at Pos, or utf8.RuneError for a byte that is
	// not UTF-8. It is set only for [Character].
	Char rune
	// Want and Got are the expected and the actual count of digits. They
	// are set only for [Length]; for [NPWP] Want is the nearer of 15 and
	// 16.
	Want, Got int
}

// Error returns a lowercase English description prefixed with the package
// and kind names, such as "identifiers: nik: got 15 digits, want 16".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("identifiers: ")
	if e.Kind.valid() {
		b.WriteString(e.Kind.String())
		b.WriteString(": ")
	}
	switch e.Reason {
	case Empty:
		b.WriteString("no digits")
	case Length:
		if e.Got == 0 && e.Want == 0 {
			b.WriteString("wrong number of digits")
			break
		}
		b.WriteString("got " + strconv.Itoa(e.Got) + " digits, want ")
		switch e.Kind {
		case NPWP:
			b.WriteString("15 or 16")
		case Phone:
			b.WriteString("10 to 13")
		default:
			b.WriteString(strconv.Itoa(e.Want))
		}
	case Character:
		if e.Pos == 0 {
			b.WriteString("invalid character")
			break
		}
		b.WriteString("invalid character " + strconv.QuoteRune(e.Char) + " at position " + strconv.Itoa(e.Pos))
	case CheckDigit:
		b.WriteString("wrong check digit")
	case Date:
		b.WriteString("invalid birth date")
	case Province:
		b.WriteString("unknown province code")
	case Sex:
		b.WriteString("sex digit is neither 1 nor 2")
	case Serial:
		b.WriteString("serial number is zero")
	case Appointment:
		b.WriteString("digits 13-14 are neither an appointment month nor a PPPK code")
	case UnknownKind:
		b.WriteString("unknown kind")
	case Country:
		b.WriteString("not an Indonesian number")
	case Prefix:
		b.WriteString("not a mobile prefix")
	case Operator:
		b.WriteString("no operator holds the prefix")
	default:
		b.WriteString("invalid")
	}
	return b.String()
}

// Is reports whether target is an [*Error] with the same Reason and, when
// the target sets a Kind, the same Kind. It makes errors.Is(err,
// [ErrCheckDigit]) work.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Reason == e.Reason && (t.Kind == 0 || t.Kind == e.Kind)
}

// Message returns a sentence for the person who typed the number: in
// Indonesian for "id" and any language other than English, in English for
// "en" and its regional variants ("en-US").
func (e *Error) Message(lang string) string {
	en := 0
	if isEnglish(lang) {
		en = 1
	}
	text := messageInvalid[en]
	if e.Reason < reasonEnd && messages[e.Reason][en] != "" {
		text = messages[e.Reason][en]
	}
	want := strconv.Itoa(e.Want)
	switch {
	case e.Kind == Phone && e.Reason == Character:
		text = messagePhoneCharacter[en]
	case e.Reason != Length:
	case e.Kind == NPWP:
		want = []string{"15 atau 16", "15 or 16"}[en]
	case e.Kind == Phone:
		text = messagePhoneLength[en]
	case e.Want == 0:
		text = messageLength[en]
	}
	at := []string{"pada posisi ", "at position "}[en]
	return strings.NewReplacer(
		"{name}", e.Kind.label(en == 1),
		"{want}", want,
		"{got}", strconv.Itoa(e.Got),
		"{char}", e.charText(at),
	).Replace(text)
}

// messages holds the texts of Error.Message by reason, in Indonesian and
// in English.
var messages = [reasonEnd][2]string{
	Empty: {
		"{name} wajib diisi.",
		"Please enter your {name}.",
	},
	Length: {
		"{name} harus {want} digit (yang diisi {got} digit).",
		"The {name} must have {want} digits (you entered {got}).",
	},
	Character: {
		"Karakter {char}tidak diperbolehkan. {name} hanya boleh berisi angka (spasi, titik dan tanda hubung diabaikan).",
		"The character {char}is not allowed. The {name} may contain only digits (spaces, dots and dashes are ignored).",
	},
	CheckDigit: {
		"{name} tidak valid: digit pemeriksa tidak cocok. Periksa kembali nomor yang diisi.",
		"The {name} is not valid: its check digit does not match. Please check the number.",
	},
	Date: {
		"{name} tidak valid: tanggal lahir di dalamnya tidak ada.",
		"The {name} is not valid: the birth date in it does not exist.",
	},
	Province: {
		"{name} tidak valid: dua digit pertama bukan kode provinsi.",
		"The {name} is not valid: its first two digits are not a province code.",
	},
	Sex: {
		"{name} tidak valid: digit ke-15 (jenis kelamin) harus 1 atau 2.",
		"The {name} is not valid: digit 15 (sex) must be 1 or 2.",
	},
	Serial: {
		"{name} tidak valid: nomor urut tidak boleh nol.",
		"The {name} is not valid: its serial number must not be zero.",
	},
	Appointment: {
		"{name} tidak valid: digit ke-13 dan ke-14 harus bulan TMT (01–12) atau kode PPPK (21–29).",
		"The {name} is not valid: digits 13 and 14 must be the appointment month (01–12) or a PPPK code (21–29).",
	},
	UnknownKind: {
		"Jenis nomor tidak dikenal.",
		"Unknown kind of number.",
	},
	Country: {
		"{name} harus nomor Indonesia: diawali 08 atau +62.",
		"The {name} must be an Indonesian number, starting with 08 or +62.",
	},
	Prefix: {
		"{name} tidak valid: bukan awalan nomor ponsel (08xx). Nomor telepon rumah atau kantor tidak dapat dipakai.",
		"The {name} is not valid: it does not start with a mobile prefix (08xx). Landline numbers cannot be used.",
	},
	Operator: {
		"{name} tidak valid: awalannya tidak dipakai operator seluler mana pun. Periksa kembali nomornya.",
		"The {name} is not valid: no mobile operator uses its prefix. Please check the number.",
	},
}

// messagePhoneCharacter is the Character text of a [Phone] number, which
// may also hold parentheses and a leading "+".
var messagePhoneCharacter = [2]string{
	"Karakter {char}tidak diperbolehkan. {name} hanya boleh berisi angka, diawali + bila perlu (spasi, titik, tanda hubung dan tanda kurung diabaikan).",
	"The character {char}is not allowed. The {name} may contain only digits, after a + if you like (spaces, dots, dashes and brackets are ignored).",
}

// messagePhoneLength is the Length text of a [Phone] number, whose digits
// are counted as written with the leading 0.
var messagePhoneLength = [2]string{
	"{name} harus 10 sampai 13 digit, diawali 08 (yang diisi {got} digit).",
	"The {name} must have 10 to 13 digits, starting with 08 (you entered {got}).",
}

// messageLength is the Length text when the error carries no lengths;
// messageInvalid is the text of an unknown reason.
var (
	messageLength  = [2]string{"{name} tidak sesuai panjangnya.", "The {name} has the wrong number of digits."}
	messageInvalid = [2]string{"{name} tidak valid.", "The {name} is not valid."}
)

func isEnglish(lang string) bool {
	lang = strings.TrimSpace(lang)
	if len(lang) < 2 || !strings.EqualFold(lang[:2], "en") {
		return false
	}
	return len(lang) == 2 || lang[2] == '-' || lang[2] == '_'
}

// charText names the offending character for a message: the character
// itself when it is printable, then its position.
func (e *Error) charText(at string) string {
	s := ""
	if unicode.IsPrint(e.Char) && e.Char != unicode.ReplacementChar {
		s = strconv.QuoteRune(e.Char) + " "
	}
	if e.Pos > 0 {
		s += at + strconv.Itoa(e.Pos) + " "
	}
	return s
}

// kindLabels holds the names of the kinds in messages, in Indonesian and
// in English, where they are not the upper-case kind name.
var kindLabels = [kindEnd][2]string{
	0:             {"Nomor", "number"},
	NPWP15:        {"NPWP (15 digit)", "NPWP (15 digits)"},
	NPWP16:        {"NPWP (16 digit)", "NPWP (16 digits)"},
	BPJSKesehatan: {"Nomor kartu BPJS Kesehatan", "BPJS Kesehatan card number"},
	KPJ:           {"Nomor KPJ", "KPJ number"},
	Phone:         {"Nomor ponsel", "mobile number"},
}

// label returns the name of the kind to use in a message.
func (k Kind) label(en bool) string {
	if k >= kindEnd {
		k = 0
	}
	lang := 0
	if en {
		lang = 1
	}
	if l := kindLabels[k][lang]; l != "" {
		return l
	}
	return strings.ToUpper(kindNames[k])
}

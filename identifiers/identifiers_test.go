package identifiers_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/masuk-id/masuk/identifiers"
)

func TestKindNames(t *testing.T) {
	// The names are stable: hosts store them in configuration.
	want := []string{"nik", "npwp15", "npwp16", "npwp", "nitku", "nip", "bpjs_kesehatan", "kpj", "nib", "nuptk", "nisn", "phone"}
	var got []string
	for _, k := range identifiers.Kinds() {
		got = append(got, k.String())
		back, err := identifiers.ParseKind(k.String())
		require.NoError(t, err)
		assert.Equal(t, k, back)
	}
	assert.Equal(t, want, got)

	k, err := identifiers.ParseKind(" BPJS_Kesehatan ")
	require.NoError(t, err)
	assert.Equal(t, identifiers.BPJSKesehatan, k)

	for _, name := range []string{"", "ktp", "npwp 15", "bpjs", "\u212apj", "nuptk\x00"} {
		_, err := identifiers.ParseKind(name)
		assert.ErrorIs(t, err, identifiers.ErrUnknownKind, name)
	}
	assert.Equal(t, "kind(0)", identifiers.Kind(0).String())
	assert.Equal(t, "kind(200)", identifiers.Kind(200).String())
}

func TestKindLen(t *testing.T) {
	want := map[identifiers.Kind]int{
		identifiers.NIK: 16, identifiers.NPWP15: 15, identifiers.NPWP16: 16, identifiers.NPWP: 16,
		identifiers.NITKU: 22, identifiers.NIP: 18, identifiers.BPJSKesehatan: 13, identifiers.KPJ: 11,
		identifiers.NIB: 13, identifiers.NUPTK: 16, identifiers.NISN: 10, identifiers.Phone: 14,
	}
	for _, k := range identifiers.Kinds() {
		assert.Equal(t, want[k], k.Len(), k.String())
	}
	assert.Zero(t, identifiers.Kind(0).Len())
}

func TestKindText(t *testing.T) {
	type config struct {
		Username identifiers.Kind `json:"username"`
	}
	b, err := json.Marshal(config{identifiers.NPWP})
	require.NoError(t, err)
	assert.JSONEq(t, `{"username":"npwp"}`, string(b))

	var c config
	require.NoError(t, json.Unmarshal([]byte(`{"username":"nip"}`), &c))
	assert.Equal(t, identifiers.NIP, c.Username)
	assert.Error(t, json.Unmarshal([]byte(`{"username":"passport"}`), &c))
	_, err = json.Marshal(config{})
	assert.Error(t, err, "the zero kind names none")
}

func TestModeString(t *testing.T) {
	assert.Equal(t, "strict", identifiers.Strict.String())
	assert.Equal(t, "lenient", identifiers.Lenient.String())
	assert.Equal(t, "mode(9)", identifiers.Mode(9).String())
	// An unknown mode is strict.
	assert.ErrorIs(t, identifiers.Validate(identifiers.NIK, "3273010119800002", identifiers.Mode(9)), identifiers.ErrDate)
}

func TestUnknownKind(t *testing.T) {
	for _, k := range []identifiers.Kind{0, 13, 255} {
		err := identifiers.Validate(k, "3171011708450001", identifiers.Strict)
		assert.ErrorIs(t, err, identifiers.ErrUnknownKind)
		_, err = identifiers.Canonical(k, "3171011708450001", identifiers.Strict)
		assert.ErrorIs(t, err, identifiers.ErrUnknownKind)
		_, err = identifiers.Format(k, "3171011708450001")
		assert.ErrorIs(t, err, identifiers.ErrUnknownKind)
	}
}

func TestErrorIs(t *testing.T) {
	err := identifiers.Validate(identifiers.NPWP, "01.451.869.7-054.000", identifiers.Strict)
	assert.ErrorIs(t, err, identifiers.ErrCheckDigit)
	assert.NotErrorIs(t, err, identifiers.ErrLength)
	assert.ErrorIs(t, err, &identifiers.Error{Kind: identifiers.NPWP, Reason: identifiers.CheckDigit})
	assert.NotErrorIs(t, err, &identifiers.Error{Kind: identifiers.NPWP15, Reason: identifiers.CheckDigit})
	assert.NotErrorIs(t, err, errors.New("identifiers: npwp: wrong check digit"))

	var e *identifiers.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identifiers.NPWP, e.Kind)
	assert.Equal(t, identifiers.CheckDigit, e.Reason)

	sentinels := map[identifiers.Reason]error{
		identifiers.Empty: identifiers.ErrEmpty, identifiers.Length: identifiers.ErrLength,
		identifiers.Character: identifiers.ErrCharacter, identifiers.CheckDigit: identifiers.ErrCheckDigit,
		identifiers.Date: identifiers.ErrDate, identifiers.Province: identifiers.ErrProvince,
		identifiers.Sex: identifiers.ErrSex, identifiers.Serial: identifiers.ErrSerial,
		identifiers.Appointment: identifiers.ErrAppointment, identifiers.UnknownKind: identifiers.ErrUnknownKind,
	}
	for r := range sentinels {
		for r2, s2 := range sentinels {
			assert.Equal(t, r == r2, errors.Is(&identifiers.Error{Kind: identifiers.NIK, Reason: r}, s2), "%v is %v", r, s2)
		}
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		err    *identifiers.Error
		text   string
		id, en string
	}{{
		&identifiers.Error{Kind: identifiers.NIK, Reason: identifiers.Length, Want: 16, Got: 15},
		"identifiers: nik: got 15 digits, want 16",
		"NIK harus 16 digit (yang diisi 15 digit).",
		"The NIK must have 16 digits (you entered 15).",
	}, {
		&identifiers.Error{Kind: identifiers.NPWP, Reason: identifiers.Length, Want: 15, Got: 14},
		"identifiers: npwp: got 14 digits, want 15 or 16",
		"NPWP harus 15 atau 16 digit (yang diisi 14 digit).",
		"The NPWP must have 15 or 16 digits (you entered 14).",
	}, {
		&identifiers.Error{Kind: identifiers.NIP, Reason: identifiers.Character, Pos: 3, Char: 'O'},
		"identifiers: nip: invalid character 'O' at position 3",
		`Karakter 'O' pada posisi 3 tidak diperbolehkan. NIP hanya boleh berisi angka (spasi, titik dan tanda hubung diabaikan).`,
		`The character 'O' at position 3 is not allowed. The NIP may contain only digits (spaces, dots and dashes are ignored).`,
	}, {
		&identifiers.Error{Kind: identifiers.NIK, Reason: identifiers.Character, Pos: 5, Char: '\t'},
		`identifiers: nik: invalid character '\t' at position 5`,
		`Karakter pada posisi 5 tidak diperbolehkan. NIK hanya boleh berisi angka (spasi, titik dan tanda hubung diabaikan).`,
		`The character at position 5 is not allowed. The NIK may contain only digits (spaces, dots and dashes are ignored).`,
	}, {
		&identifiers.Error{Kind: identifiers.NPWP15, Reason: identifiers.CheckDigit},
		"identifiers: npwp15: wrong check digit",
		"NPWP (15 digit) tidak valid: digit pemeriksa tidak cocok. Periksa kembali nomor yang diisi.",
		"The NPWP (15 digits) is not valid: its check digit does not match. Please check the number.",
	}, {
		&identifiers.Error{Kind: identifiers.NIK, Reason: identifiers.Date},
		"identifiers: nik: invalid birth date",
		"NIK tidak valid: tanggal lahir di dalamnya tidak ada.",
		"The NIK is not valid: the birth date in it does not exist.",
	}, {
		&identifiers.Error{Kind: identifiers.NIK, Reason: identifiers.Province},
		"identifiers: nik: unknown province code",
		"NIK tidak valid: dua digit pertama bukan kode provinsi.",
		"The NIK is not valid: its first two digits are not a province code.",
	}, {
		&identifiers.Error{Kind: identifiers.NIP, Reason: identifiers.Sex},
		"identifiers: nip: sex digit is neither 1 nor 2",
		"NIP tidak valid: digit ke-15 (jenis kelamin) harus 1 atau 2.",
		"The NIP is not valid: digit 15 (sex) must be 1 or 2.",
	}, {
		&identifiers.Error{Kind: identifiers.NIP, Reason: identifiers.Serial},
		"identifiers: nip: serial number is zero",
		"NIP tidak valid: nomor urut tidak boleh nol.",
		"The NIP is not valid: its serial number must not be zero.",
	}, {
		&identifiers.Error{Kind: identifiers.NIP, Reason: identifiers.Appointment},
		"identifiers: nip: digits 13-14 are neither an appointment month nor a PPPK code",
		"NIP tidak valid: digit ke-13 dan ke-14 harus bulan TMT (01–12) atau kode PPPK (21–29).",
		"The NIP is not valid: digits 13 and 14 must be the appointment month (01–12) or a PPPK code (21–29).",
	}, {
		&identifiers.Error{Kind: identifiers.KPJ, Reason: identifiers.Empty},
		"identifiers: kpj: no digits",
		"Nomor KPJ wajib diisi.",
		"Please enter your KPJ number.",
	}, {
		&identifiers.Error{Kind: identifiers.BPJSKesehatan, Reason: identifiers.Length, Want: 13, Got: 12},
		"identifiers: bpjs_kesehatan: got 12 digits, want 13",
		"Nomor kartu BPJS Kesehatan harus 13 digit (yang diisi 12 digit).",
		"The BPJS Kesehatan card number must have 13 digits (you entered 12).",
	}, {
		&identifiers.Error{Reason: identifiers.Character, Pos: 1, Char: utf8.RuneError},
		`identifiers: invalid character '�' at position 1`,
		`Karakter pada posisi 1 tidak diperbolehkan. Nomor hanya boleh berisi angka (spasi, titik dan tanda hubung diabaikan).`,
		`The character at position 1 is not allowed. The number may contain only digits (spaces, dots and dashes are ignored).`,
	}, {
		&identifiers.Error{Kind: identifiers.Phone, Reason: identifiers.Length, Want: 10, Got: 7},
		"identifiers: phone: got 7 digits, want 10 to 13",
		"Nomor ponsel harus 10 sampai 13 digit, diawali 08 (yang diisi 7 digit).",
		"The mobile number must have 10 to 13 digits, starting with 08 (you entered 7).",
	}, {
		&identifiers.Error{Kind: identifiers.Phone, Reason: identifiers.Character, Pos: 2, Char: '+'},
		"identifiers: phone: invalid character '+' at position 2",
		"Karakter '+' pada posisi 2 tidak diperbolehkan. Nomor ponsel hanya boleh berisi angka, diawali + bila perlu (spasi, titik, tanda hubung dan tanda kurung diabaikan).",
		"The character '+' at position 2 is not allowed. The mobile number may contain only digits, after a + if you like (spaces, dots, dashes and brackets are ignored).",
	}, {
		&identifiers.Error{Kind: identifiers.Phone, Reason: identifiers.Country},
		"identifiers: phone: not an Indonesian number",
		"Nomor ponsel harus nomor Indonesia: diawali 08 atau +62.",
		"The mobile number must be an Indonesian number, starting with 08 or +62.",
	}, {
		&identifiers.Error{Kind: identifiers.Phone, Reason: identifiers.Prefix},
		"identifiers: phone: not a mobile prefix",
		"Nomor ponsel tidak valid: bukan awalan nomor ponsel (08xx). Nomor telepon rumah atau kantor tidak dapat dipakai.",
		"The mobile number is not valid: it does not start with a mobile prefix (08xx). Landline numbers cannot be used.",
	}, {
		&identifiers.Error{Kind: identifiers.Phone, Reason: identifiers.Operator},
		"identifiers: phone: no operator holds the prefix",
		"Nomor ponsel tidak valid: awalannya tidak dipakai operator seluler mana pun. Periksa kembali nomornya.",
		"The mobile number is not valid: no mobile operator uses its prefix. Please check the number.",
	}, {
		identifiers.ErrUnknownKind,
		"identifiers: unknown kind",
		"Jenis nomor tidak dikenal.",
		"Unknown kind of number.",
	}}
	for _, tt := range tests {
		assert.Equal(t, tt.text, tt.err.Error())
		assert.Equal(t, tt.id, tt.err.Message("id"))
		assert.Equal(t, tt.id, tt.err.Message(""), "Indonesian is the default")
		assert.Equal(t, tt.id, tt.err.Message("jv"), "Indonesian is the default")
		assert.Equal(t, tt.en, tt.err.Message("en"))
		assert.Equal(t, tt.en, tt.err.Message("en-US"))
		assert.Equal(t, tt.en, tt.err.Message("EN_gb"))
	}
	// Every reason has its own texts; none falls through to a default.
	for r := identifiers.Empty; r <= identifiers.Operator; r++ {
		e := &identifiers.Error{Kind: identifiers.NIK, Reason: r, Want: 16, Got: 3, Pos: 1, Char: 'x'}
		assert.NotEqual(t, "identifiers: nik: invalid", e.Error(), r)
		assert.NotEqual(t, "NIK tidak valid.", e.Message("id"), r)
		assert.NotEqual(t, "The NIK is not valid.", e.Message("en"), r)
		assert.NotContains(t, r.String(), "reason(")
	}
	assert.Equal(t, "reason(0)", identifiers.Reason(0).String())
	assert.Equal(t, "Nomor tidak sesuai panjangnya.", identifiers.ErrLength.Message("id"))
	assert.Equal(t, "The number has the wrong number of digits.", identifiers.ErrLength.Message("en"))
	assert.Equal(t, "The number is not valid.", (&identifiers.Error{}).Message("en"))
	assert.Equal(t, "NIP tidak valid.", (&identifiers.Error{Kind: identifiers.NIP, Reason: 200}).Message("id"))
	assert.Equal(t, "identifiers: nip: invalid", (&identifiers.Error{Kind: identifiers.NIP, Reason: 200}).Error())
}

func TestDigits(t *testing.T) {
	tests := []struct {
		in, want string
		reason   identifiers.Reason
		pos      int
	}{
		{"01.312.166.0-091.000", "013121660091000", 0, 0},
		{" 19860926 201505 1 001 ", "198609262015051001", 0, 0},
		{"123", "123", 0, 0},
		{"0", "0", 0, 0},
		{"", "", identifiers.Empty, 0},
		{" .-. ", "", identifiers.Empty, 0},
		{"budi.santoso", "", identifiers.Character, 1},
		{"12 ab", "", identifiers.Character, 4},
		{"١٢٣", "", identifiers.Character, 1},
		{"12\xff3", "", identifiers.Character, 3},
	}
	for _, tt := range tests {
		got, err := identifiers.Digits(tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		if tt.reason == 0 {
			assert.NoError(t, err, tt.in)
			continue
		}
		var e *identifiers.Error
		require.ErrorAs(t, err, &e, tt.in)
		assert.Equal(t, tt.reason, e.Reason, tt.in)
		assert.Equal(t, tt.pos, e.Pos, tt.in)
		assert.Zero(t, e.Kind)
	}
}

func TestCharacterErrorDetail(t *testing.T) {
	err := identifiers.Validate(identifiers.NIK, " \u00a03171\u066301708450001", identifiers.Strict)
	var e *identifiers.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, identifiers.Character, e.Reason)
	assert.Equal(t, 7, e.Pos, "counted in characters of the input as given")
	assert.Equal(t, '\u0663', e.Char)

	err = identifiers.Validate(identifiers.NIK, "3171\xc0", identifiers.Strict)
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 5, e.Pos)
	assert.Equal(t, utf8.RuneError, e.Char)

	// A bad character is reported before the length.
	err = identifiers.Validate(identifiers.NIK, "12x", identifiers.Strict)
	assert.ErrorIs(t, err, identifiers.ErrCharacter)
}

func TestLengthErrorDetail(t *testing.T) {
	tests := []struct {
		kind      identifiers.Kind
		in        string
		want, got int
	}{
		{identifiers.NIK, "317101170845", 16, 12},
		{identifiers.NPWP, "01312166009100", 15, 14},
		{identifiers.NPWP, "00131216600910001", 16, 17},
		{identifiers.NITKU, "0013121660091000", 22, 16},
		{identifiers.NISN, "12345678901234567890123456789", 10, 29},
	}
	for _, tt := range tests {
		err := identifiers.Validate(tt.kind, tt.in, identifiers.Strict)
		var e *identifiers.Error
		require.ErrorAs(t, err, &e)
		assert.Equal(t, identifiers.Length, e.Reason)
		assert.Equal(t, tt.want, e.Want, tt.in)
		assert.Equal(t, tt.got, e.Got, tt.in)
	}
}

func TestCandidates(t *testing.T) {
	tests := []struct {
		in   string
		want []identifiers.Kind
	}{
		{"3171011708450001", []identifiers.Kind{identifiers.NIK, identifiers.NPWP16, identifiers.NPWP, identifiers.NUPTK}},
		{"0013121660091000", []identifiers.Kind{identifiers.NPWP16, identifiers.NPWP, identifiers.NUPTK}},
		{"9971011708450001", []identifiers.Kind{identifiers.NUPTK}},
		{"01.312.166.0-091.000", []identifiers.Kind{identifiers.NPWP15, identifiers.NPWP}},
		{"0011336526592", []identifiers.Kind{identifiers.BPJSKesehatan, identifiers.NIB}},
		{"19860926 201505 1 001", []identifiers.Kind{identifiers.NIP}},
		{"0013121660091000000000", []identifiers.Kind{identifiers.NITKU}},
		{"19012345678", []identifiers.Kind{identifiers.KPJ}},
		{"0081234567", []identifiers.Kind{identifiers.NISN}},
		{"budi@example.id", nil},
		{"12345", nil},
		{"", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, identifiers.Candidates(tt.in), tt.in)
	}
}

func TestCanonicalReusesCleanInput(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = identifiers.Canonical(identifiers.NIP, "198609262015051001", identifiers.Strict)
	})
	assert.Zero(t, allocs)
	allocs = testing.AllocsPerRun(100, func() {
		_, _ = identifiers.Canonical(identifiers.Phone, "+6281234567890", identifiers.Strict)
	})
	assert.Zero(t, allocs, "a phone number already in E.164")
}

func TestValidateDoesNotAllocate(t *testing.T) {
	for _, b := range benchInputs {
		allocs := testing.AllocsPerRun(100, func() {
			if identifiers.Validate(b.kind, b.in, identifiers.Strict) != nil {
				panic("invalid benchmark input " + b.in)
			}
		})
		assert.Zero(t, allocs, b.kind.String())
	}
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, e164, intl, national, display, operator string
	}{
		{"0812-3456-7890", "+6281234567890", "6281234567890", "081234567890", "0812-3456-7890", "Telkomsel"},
		{"+62 857 1234 567", "+628571234567", "628571234567", "08571234567", "0857-123-4567", "Indosat Ooredoo Hutchison"},
		{"62 878 123 456", "+62878123456", "62878123456", "0878123456", "0878-123-456", "XL"},
		{"(0831) 1234-5678-9", "+62831123456789", "62831123456789", "0831123456789", "0831-1234-56789", "AXIS"},
		{"0888 1234 5678", "+6288812345678", "6288812345678", "088812345678", "0888-1234-5678", "Smartfren"},
	}
	for _, tt := range tests {
		p, err := identifiers.ParsePhone(tt.in, identifiers.Strict)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.e164, p.E164(), tt.in)
		assert.Equal(t, tt.e164, p.String(), tt.in)
		assert.Equal(t, tt.intl, p.International(), tt.in)
		assert.Equal(t, tt.national, p.National(), tt.in)
		assert.Equal(t, tt.display, p.Format(), tt.in)
		assert.Equal(t, tt.operator, p.Operator(), tt.in)
		shown, err := identifiers.Format(identifiers.Phone, tt.in)
		require.NoError(t, err)
		assert.Equal(t, tt.display, shown)
	}
	// A prefix that the operators' table lacks: lenient mode reads it,
	// with no operator to name.
	p, err := identifiers.ParsePhone("0828-1234-5678", identifiers.Lenient)
	require.NoError(t, err)
	assert.Empty(t, p.Operator())
	_, err = identifiers.ParsePhone("0828-1234-5678", identifiers.Strict)
	assert.ErrorIs(t, err, identifiers.ErrOperator)
	// The zero value is no number.
	var zero identifiers.PhoneNumber
	assert.Empty(t, zero.E164()+zero.International()+zero.National()+zero.Format()+zero.Operator())
	// Every typing of one number is one key, the E.164 form, and no
	// kind's rules read a phone number but Phone's.
	assert.Equal(t, []identifiers.Kind{identifiers.Phone}, identifiers.Candidates("+62 812-3456-7890"))
}

func TestParseNIK(t *testing.T) {
	n, err := identifiers.ParseNIK("72.10.14.250797.1234", identifiers.Strict)
	require.NoError(t, err)
	assert.Equal(t, "7210142507971234", n.String())
	assert.Equal(t, "7210142507971234", n.Format())
	assert.Equal(t, "72", n.Province())
	assert.Equal(t, "7210", n.Regency())
	assert.Equal(t, "721014", n.District())
	assert.Equal(t, "1234", n.Serial())
	assert.False(t, n.Female())
	bd, ok := n.BirthDate()
	assert.True(t, ok)
	assert.Equal(t, date(1997, time.July, 25), bd)

	n, err = identifiers.ParseNIK("3171015708450001", identifiers.Strict)
	require.NoError(t, err)
	assert.True(t, n.Female())
	bd, _ = n.BirthDate()
	assert.Equal(t, date(1945, time.August, 17), bd)

	_, err = identifiers.ParseNIK("3171015708450000", identifiers.Strict)
	assert.ErrorIs(t, err, identifiers.ErrSerial)

	// Lenient mode may hold a date that does not exist.
	n, err = identifiers.ParseNIK("3273010119800002", identifiers.Lenient)
	require.NoError(t, err)
	_, ok = n.BirthDate()
	assert.False(t, ok)
	_, ok = n.BirthDateAsOf(date(2026, 1, 1))
	assert.False(t, ok)

	var zero identifiers.NIKNumber
	assert.Empty(t, zero.String())
	assert.Empty(t, zero.Province())
	assert.Empty(t, zero.Serial())
	assert.False(t, zero.Female())
	_, ok = zero.BirthDate()
	assert.False(t, ok)
}

func TestNIKBirthDateCentury(t *testing.T) {
	tests := []struct {
		nik       string
		fixed     time.Time
		asOf      time.Time
		wantAsOf  time.Time
		rationale string
	}{
		{"3171011708450001", date(1945, 8, 17), date(2026, 1, 1), date(1945, 8, 17), "45 is past the pivot"},
		{"3171010101290001", date(2029, 1, 1), date(2026, 1, 1), date(1929, 1, 1), "29 is before the pivot; as of 2026 it is 1929"},
		{"3171010101300001", date(1930, 1, 1), date(2031, 1, 1), date(2030, 1, 1), "30 is the pivot; as of 2031 it is 2030"},
		{"3171010101000001", date(2000, 1, 1), date(1999, 12, 31), date(1900, 1, 1), "00 as of 1999 is 1900"},
		{"3171011505260001", date(2026, 5, 15), date(2026, 5, 15), date(2026, 5, 15), "born today"},
		{"3171011505260001", date(2026, 5, 15), date(2026, 5, 14), date(1926, 5, 15), "born tomorrow is impossible"},
		{"3171012902000001", date(2000, 2, 29), date(1990, 1, 1), date(2000, 2, 29), "29 Feb 1900 does not exist"},
		{"3171016902960001", date(1996, 2, 29), date(2026, 1, 1), date(1996, 2, 29), "a woman born on 29 Feb 1996"},
	}
	for _, tt := range tests {
		n, err := identifiers.ParseNIK(tt.nik, identifiers.Strict)
		require.NoError(t, err, tt.nik)
		got, ok := n.BirthDate()
		assert.True(t, ok)
		assert.Equal(t, tt.fixed, got, tt.rationale)
		got, ok = n.BirthDateAsOf(tt.asOf)
		assert.True(t, ok)
		assert.Equal(t, tt.wantAsOf, got, tt.rationale)
	}
	// The date in another time zone is what counts, not the UTC instant.
	n, _ := identifiers.ParseNIK("3171011505260001", identifiers.Strict)
	wib := time.FixedZone("WIB", 7*3600)
	got, _ := n.BirthDateAsOf(time.Date(2026, 5, 15, 1, 0, 0, 0, wib)) // 14 May in UTC
	assert.Equal(t, date(2026, 5, 15), got)
}

func TestParseNPWP(t *testing.T) {
	for _, in := range []string{"01.312.166.0-091.000", "013121660091000", "0013121660091000", "001.312.166.0-091.000"} {
		n, err := identifiers.ParseNPWP(in, identifiers.Strict)
		require.NoError(t, err, in)
		assert.Equal(t, "0013121660091000", n.String())
		assert.Equal(t, "0013121660091000", n.Format())
		assert.False(t, n.IsNIK())
		_, ok := n.NIK()
		assert.False(t, ok)
		s, ok := n.NPWP15()
		assert.True(t, ok)
		assert.Equal(t, "013121660091000", s)
		s, ok = n.Format15()
		assert.True(t, ok)
		assert.Equal(t, "01.312.166.0-091.000", s)
		assert.Equal(t, "01", n.TaxpayerType())
		assert.Equal(t, "312166", n.Serial())
		assert.Equal(t, "0", n.CheckDigit())
		assert.Equal(t, "091", n.TaxOffice())
		assert.Equal(t, "000", n.Branch())
	}

	n, err := identifiers.ParseNPWP("3171 0117 0845 0001", identifiers.Strict)
	require.NoError(t, err)
	assert.True(t, n.IsNIK())
	nik, ok := n.NIK()
	assert.True(t, ok)
	assert.Equal(t, "31", nik.Province())
	_, ok = n.NPWP15()
	assert.False(t, ok)
	_, ok = n.Format15()
	assert.False(t, ok)
	assert.Empty(t, n.TaxpayerType())
	assert.Empty(t, n.Serial())
	assert.Empty(t, n.CheckDigit())
	assert.Empty(t, n.TaxOffice())
	assert.Empty(t, n.Branch())

	_, err = identifiers.ParseNPWP("00.000.000.0-000.000", identifiers.Lenient)
	assert.ErrorIs(t, err, identifiers.ErrSerial)

	var zero identifiers.NPWPNumber
	assert.False(t, zero.IsNIK())
	_, ok = zero.NPWP15()
	assert.False(t, ok)
	assert.Empty(t, zero.TaxOffice())
}

func TestParseNITKU(t *testing.T) {
	n, err := identifiers.ParseNITKU("0013121660091000 000001", identifiers.Strict)
	require.NoError(t, err)
	assert.Equal(t, "0013121660091000000001", n.String())
	assert.Equal(t, "0013121660091000000001", n.Format())
	assert.Equal(t, "0013121660091000", n.NPWP().String())
	assert.Equal(t, "000001", n.Branch())
	assert.False(t, n.IsHeadOffice())

	n, err = identifiers.ParseNITKU("3171011708450001000000", identifiers.Strict)
	require.NoError(t, err)
	assert.True(t, n.IsHeadOffice())
	assert.True(t, n.NPWP().IsNIK())

	_, err = identifiers.ParseNITKU("0014518697054000000000", identifiers.Lenient)
	assert.ErrorIs(t, err, identifiers.ErrCheckDigit)

	var zero identifiers.NITKUNumber
	assert.Empty(t, zero.NPWP().String())
	assert.Empty(t, zero.Branch())
	assert.False(t, zero.IsHeadOffice())
}

func TestParseNIP(t *testing.T) {
	n, err := identifiers.ParseNIP("19860926 201505 1 001", identifiers.Strict)
	require.NoError(t, err)
	assert.Equal(t, "198609262015051001", n.String())
	assert.Equal(t, "19860926 201505 1 001", n.Format())
	bd, ok := n.BirthDate()
	assert.True(t, ok)
	assert.Equal(t, date(1986, 9, 26), bd)
	assert.False(t, n.IsPPPK())
	assert.Empty(t, n.PPPKCode())
	assert.Equal(t, 2015, n.AppointmentYear())
	assert.Equal(t, 5, n.AppointmentMonth())
	assert.False(t, n.Female())
	assert.Equal(t, "001", n.Serial())

	n, err = identifiers.ParseNIP("199009132025242014", identifiers.Strict)
	require.NoError(t, err)
	assert.True(t, n.IsPPPK())
	assert.Equal(t, "24", n.PPPKCode())
	assert.Equal(t, 2025, n.AppointmentYear())
	assert.Zero(t, n.AppointmentMonth())
	assert.True(t, n.Female())
	assert.Equal(t, "014", n.Serial())
	assert.Equal(t, "19900913 202524 2 014", n.Format())

	n, err = identifiers.ParseNIP("198602302015201000", identifiers.Lenient)
	require.NoError(t, err)
	_, ok = n.BirthDate()
	assert.False(t, ok)
	assert.False(t, n.IsPPPK())
	assert.Zero(t, n.AppointmentMonth())

	var zero identifiers.NIPNumber
	assert.Empty(t, zero.Format())
	assert.Empty(t, zero.Serial())
	assert.Zero(t, zero.AppointmentYear())
	assert.Zero(t, zero.AppointmentMonth())
	assert.False(t, zero.IsPPPK())
	_, ok = zero.BirthDate()
	assert.False(t, ok)
}

func TestFormatAcceptsLenient(t *testing.T) {
	// A portal that logs in leniently must be able to show every number
	// it holds.
	got, err := identifiers.Format(identifiers.NIP, "198609262015131000")
	require.NoError(t, err)
	assert.Equal(t, "19860926 201513 1 000", got)
	_, err = identifiers.Format(identifiers.NPWP15, "014518697054000")
	assert.ErrorIs(t, err, identifiers.ErrCheckDigit)
	got, err = identifiers.Format(identifiers.NPWP, "01.312.166.0-091.000")
	require.NoError(t, err)
	assert.Equal(t, "0013121660091000", got)
}

func TestDigitPrefixWords(t *testing.T) {
	// Every byte value at every offset of the 8-byte words that digit
	// scanning tests at once, and of the bytes after them.
	for _, k := range []identifiers.Kind{identifiers.NISN, identifiers.KPJ, identifiers.NUPTK} {
		base := "12345678901234567890"[:k.Len()]
		for i := range base {
			for c := 0; c < 256; c++ {
				in := base[:i] + string([]byte{byte(c)}) + base[i+1:]
				err := identifiers.Validate(k, in, identifiers.Strict)
				trimmed := (i == 0 || i == len(base)-1) && strings.ContainsRune("\t\n\v\f\r ", rune(c))
				switch {
				case c >= '0' && c <= '9':
					assert.NoError(t, err, "%q", in)
				case c == '.' || c == '-' || c == ' ' || trimmed:
					assert.ErrorIs(t, err, identifiers.ErrLength, "%q", in)
				default:
					var e *identifiers.Error
					require.ErrorAs(t, err, &e, "%q", in)
					assert.Equal(t, identifiers.Character, e.Reason, "%q", in)
					assert.Equal(t, i+1, e.Pos, "%q", in)
				}
			}
		}
	}
}

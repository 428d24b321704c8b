package identifiers

// The rules of each kind, applied to its normalised digits. Each check
// returns the first rule broken, in the order of the digits, or 0.

// provinces holds the Kemendagri (Dukcapil) province codes, which NIKs use:
// Kepmendagri 300.2.2-2138/2025. 65 is Kalimantan Utara (2012); 93–96 are
// Papua Selatan, Papua Tengah, Papua Pegunungan and Papua Barat Daya (2022).
// These are not the BPS codes, which number the Papua provinces
// differently.
var provinces = [100]bool{
	11: true, 12: true, 13: true, 14: true, 15: true, 16: true, 17: true, 18: true, 19: true,
	21: true,
	31: true, 32: true, 33: true, 34: true, 35: true, 36: true,
	51: true, 52: true, 53: true,
	61: true, 62: true, 63: true, 64: true, 65: true,
	71: true, 72: true, 73: true, 74: true, 75: true, 76: true,
	81: true, 82: true,
	91: true, 92: true, 93: true, 94: true, 95: true, 96: true,
}

// check applies the rules of kind k in mode m to the digits d, whose
// length validate has checked.
func check[T digitString](k Kind, d T, m Mode) Reason {
	switch k {
	case NIK:
		return checkNIK(d, m)
	case NPWP15:
		return checkNPWP15(d, m)
	case NPWP16:
		return checkNPWP16(d, m)
	case NPWP:
		if len(d) == 15 {
			return checkNPWP15(d, m)
		}
		return checkNPWP16(d, m)
	case NITKU:
		// The trailing 6 digits are a sequence: 000000 for the head
		// office, 000001 and up for branches. Any value is valid.
		return checkNPWP16(d[:16], m)
	case NIP:
		return checkNIP(d, m)
	}
	// BPJS Kesehatan, KPJ, NIB, NUPTK and NISN: no published rule beyond
	// the length.
	return 0
}

// checkNIK applies the NIK rules to 16 digits PP RR DD ddmmyy SSSS.
// Lenient mode checks nothing beyond the length.
func checkNIK[T digitString](d T, m Mode) Reason {
	if m == Lenient {
		return 0
	}
	if !provinces[num2(d, 0)] {
		return Province
	}
	if _, _, ok := nikDate(d[6:12]); !ok {
		return Date
	}
	if allZero(d[12:16]) {
		return Serial
	}
	return 0
}

// nikDate decodes the ddmmyy field of a NIK: women have 40 added to the day
// (day codes 01–31 and 41–71). The date must exist in 19yy or 20yy, which
// for 29 February means yy divisible by 4 (2000 was a leap year).
func nikDate[T digitString](d T) (day, month int, ok bool) {
	day, month = num2(d, 0), num2(d, 2)
	if day > 40 {
		day -= 40
	}
	leap := num2(d, 4)%4 == 0
	return day, month, day >= 1 && day <= daysIn(month, leap)
}

// checkNPWP15 applies the rules to the 15 digits AA BBBBBB C DDD EEE, in
// both modes: the serial BBBBBB is not 000000, and C is the Luhn check
// digit of AA BBBBBB. DJP assigns no zero serial, and forms use the
// all-zero number as a placeholder for "no NPWP", so even lenient mode,
// which must not lock out real numbers, rejects it.
func checkNPWP15[T digitString](d T, _ Mode) Reason {
	if allZero(d[2:8]) {
		return Serial
	}
	if !luhn9(d[:9]) {
		return CheckDigit
	}
	return 0
}

// checkNPWP16 applies the rules to 16 digits: 0 followed by a legacy
// number, or else a resident's NIK.
func checkNPWP16[T digitString](d T, m Mode) Reason {
	if d[0] == '0' {
		return checkNPWP15(d[1:], m)
	}
	return checkNIK(d, m)
}

// checkNIP applies the rules to the 18 digits YYYYMMDD YYYYMM G NNN (PNS)
// or YYYYMMDD YYYY 2F G NNN (PPPK). Lenient mode checks nothing beyond the
// length.
func checkNIP[T digitString](d T, m Mode) Reason {
	if m == Lenient {
		return 0
	}
	year, month, day := num4(d, 0), num2(d, 4), num2(d, 6)
	if day < 1 || day > daysIn(month, isLeap(year)) {
		return Date
	}
	if a := num2(d, 12); !(a >= 1 && a <= 12) && !(a >= 21 && a <= 29) {
		return Appointment
	}
	if d[14] != '1' && d[14] != '2' {
		return Sex
	}
	if allZero(d[15:18]) {
		return Serial
	}
	return 0
}

// num2 returns the value of the two digits at d[i:i+2].
func num2[T digitString](d T, i int) int {
	return int(d[i]-'0')*10 + int(d[i+1]-'0')
}

// num4 returns the value of the four digits at d[i:i+4].
func num4[T digitString](d T, i int) int {
	return num2(d, i)*100 + num2(d, i+2)
}

// digitString is what the helpers read digits from: the normalised buffer
// or a parsed value's string.
type digitString interface{ ~string | ~[]byte }

func allZero[T digitString](d T) bool {
	for i := 0; i < len(d); i++ {
		if d[i] != '0' {
			return false
		}
	}
	return true
}

// luhn9 reports whether the 9 digits d, check digit last, pass the Luhn
// check: from the right, every second digit is doubled (its digits summed)
// and the total is a multiple of 10.
func luhn9[T digitString](d T) bool {
	sum := int(d[0]-'0') + int(d[2]-'0') + int(d[4]-'0') + int(d[6]-'0') + int(d[8]-'0') +
		luhnDouble[d[1]-'0'] + luhnDouble[d[3]-'0'] + luhnDouble[d[5]-'0'] + luhnDouble[d[7]-'0']
	return sum%10 == 0
}

// luhnDouble maps a digit to the sum of the digits of its double.
var luhnDouble = [10]int{0, 2, 4, 6, 8, 1, 3, 5, 7, 9}

// daysIn returns the number of days in month (1–12), or 0 for a month
// that does not exist.
func daysIn(month int, leap bool) int {
	switch month {
	case 1, 3, 5, 7, 8, 10, 12:
		return 31
	case 4, 6, 9, 11:
		return 30
	case 2:
		if leap {
			return 29
		}
		return 28
	}
	return 0
}

func isLeap(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

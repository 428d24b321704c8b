package main

// realmMessages name the realms, and say what is particular to the two
// portals of partners (BPN) and members (BPJS): the phone number, the
// reset by phone, and the operator's check of a member's identity.
var realmMessages = map[string][2]string{
	"realm.lpse":           {"LPSE (penyedia, dengan NPWP)", "LPSE (suppliers, by NPWP)"},
	"realm.sapk":           {"SAPK (ASN, dengan NIP)", "SAPK (civil servants, by NIP)"},
	"realm.bpn":            {"Mitra BPN (notaris, PPAT, surveyor, bank)", "BPN partners (notaries, PPAT, surveyors, banks)"},
	"realm.bpjs":           {"BPJS Ketenagakerjaan (peserta, dengan nomor KPJ)", "BPJS Ketenagakerjaan (members, by KPJ number)"},
	"realm.operator":       {"Operator", "Operator"},
	"realm.lpse.short":     {"LPSE", "LPSE"},
	"realm.sapk.short":     {"SAPK", "SAPK"},
	"realm.bpn.short":      {"Mitra BPN", "BPN partners"},
	"realm.bpjs.short":     {"BPJS Ketenagakerjaan", "BPJS Ketenagakerjaan"},
	"realm.operator.short": {"Operator", "Operator"},
	"idname.kpj":           {"nomor KPJ", "KPJ number"},
	"idlabel.kpj":          {"Nomor KPJ", "KPJ number (membership card)"},
}

// loginMessages are those of the second step and of the enrollment a
// login requires.
var loginMessages = map[string][2]string{}

// securityMessages are those of the account's security page: asking for
// the password once, and changing the phone number; and of the operator's
// check of an owner's identity before an unlock.
var securityMessages = map[string][2]string{
	"sec.reauth.title":   {"Konfirmasi kata sandi", "Confirm your password"},
	"sec.reauth.intro":   {"Masukkan kata sandi Anda sekali untuk mengubah pengaturan keamanan. Setelah itu, selama %s Anda tidak ditanya lagi.", "Enter your password once to change your security settings. You will not be asked again for %s."},
	"sec.reauth.button":  {"Konfirmasi", "Confirm"},
	"sec.reauth.note":    {"Formulir di bawah ini dapat dipakai setelah Anda mengonfirmasi kata sandi.", "The forms below can be used once you have confirmed your password."},
	"sec.reauth.until":   {"Kata sandi Anda sudah dikonfirmasi: perubahan di halaman ini tidak memerlukannya sampai pukul %s.", "Your password is confirmed: changes on this page need it no more until %s."},
	"sec.reauth.expired": {"Konfirmasi kata sandi Anda berakhir sebelum formulir dikirim, jadi tidak ada yang diubah. Masukkan kata sandi lagi, lalu ulangi.", "Your password confirmation ended before the form was sent, so nothing was changed. Enter your password again, then try once more."},
	"sec.confirmed":      {"Kata sandi dikonfirmasi.", "Password confirmed."},

	"sec.phone":                 {"Nomor ponsel", "Mobile number"},
	"sec.phone.current":         {"Nomor saat ini: %s", "Current number: %s"},
	"sec.phone.none":            {"Akun ini belum memiliki nomor ponsel.", "This account has no mobile number yet."},
	"sec.phone.new":             {"Nomor ponsel baru", "New mobile number"},
	"sec.phone.hint":            {"Nomor seluler Indonesia, misalnya 0812-3456-7890. Nomor lama tetap berlaku sampai kode ke nomor baru dimasukkan.", "An Indonesian mobile number, such as 0812-3456-7890. The old number stays until the code sent to the new one is entered."},
	"sec.phone.via":             {"Kirim kode melalui", "Send the code by"},
	"sec.phone.method.whatsapp": {"WhatsApp", "WhatsApp"},
	"sec.phone.method.sms":      {"SMS", "SMS"},
	"sec.phone.send":            {"Kirim kode", "Send the code"},
	"sec.phone.sent":            {"Kode dikirim melalui %s ke %s.", "A code went by %s to %s."},
	"sec.phone.code":            {"Kode dari pesan", "Code from the message"},
	"sec.phone.confirm":         {"Ganti nomor", "Change the number"},
	"sec.phone.cancel":          {"Pakai nomor lain", "Use another number"},
	"sec.phone.wrongcode":       {"Kode salah, sudah dipakai, atau kedaluwarsa. Periksa pesan terbaru, atau pakai nomor lain untuk meminta kode baru.", "The code is wrong, used or expired. Check the latest message, or use another number to ask for a new code."},
	"sec.phone.changed":         {"Nomor ponsel Anda sudah diganti. Nomor lama dan alamat email Anda diberi tahu.", "Your mobile number has been changed. Your old number and your email address have been told."},

	"field.identity_check": {"Cara identitas pemilik diperiksa", "How the owner's identity was checked"},
	"op.identity.hint":     {"Misalnya: KTP asli di kantor cabang, atau panggilan video ke nomor terdaftar. Dicatat di riwayat akun.", "For example: original ID card at a branch office, or a video call to the registered number. Kept in the account's history."},
	"op.identity.required": {"Wajib untuk membuka kunci di portal ini: kuncinya hanya berakhir oleh operator.", "Required to unlock in this portal: its locks end only by an operator."},
}

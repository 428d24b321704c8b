package main

// realmMessages name the realms, and say what is particular to the two
// portals of partners (BPN) and members (BPJS): the phone number, the
// reset by phone, and the operator's check of a member's identity.
var realmMessages = map[string][2]string{
	"realm.lpse":              {"LPSE (penyedia, dengan NPWP)", "LPSE (suppliers, by NPWP)"},
	"realm.sapk":              {"SAPK (ASN, dengan NIP)", "SAPK (civil servants, by NIP)"},
	"realm.bpn":               {"Mitra BPN (notaris, PPAT, surveyor, bank)", "BPN partners (notaries, PPAT, surveyors, banks)"},
	"realm.bpjs":              {"BPJS Ketenagakerjaan (peserta, dengan nomor KPJ)", "BPJS Ketenagakerjaan (members, by KPJ number)"},
	"realm.operator":          {"Operator", "Operator"},
	"realm.lpse.short":        {"LPSE", "LPSE"},
	"realm.sapk.short":        {"SAPK", "SAPK"},
	"realm.bpn.short":         {"Mitra BPN", "BPN partners"},
	"realm.bpjs.short":        {"BPJS Ketenagakerjaan", "BPJS Ketenagakerjaan"},
	"realm.operator.short":    {"Operator", "Operator"},
	"field.phone":             {"Nomor HP", "Mobile number"},
	"field.optional":          {"tidak wajib", "optional"},
	"reg.phone.hint":          {"Nomor seluler Indonesia, misalnya 0812-3456-7890. Kode verifikasi dan atur ulang kata sandi dapat dikirim ke nomor ini.", "An Indonesian mobile number, such as 0812-3456-7890. Verification and password-reset codes can go to it."},
	"reg.phone.required":      {"Nomor HP wajib diisi.", "A mobile number is required."},
	"forgot.via":              {"Kirim kode atur ulang melalui", "Send the reset code by"},
	"forgot.via.email":        {"Email terdaftar", "The registered email"},
	"forgot.via.whatsapp":     {"WhatsApp ke nomor HP terdaftar", "WhatsApp to the registered mobile number"},
	"forgot.via.sms":          {"SMS ke nomor HP terdaftar", "SMS to the registered mobile number"},
	"forgot.phone":            {"Nomor HP terdaftar", "Registered mobile number"},
	"forgot.phone.hint":       {"Isi bila memilih WhatsApp atau SMS. Kode hanya dikirim bila nomor ini sama dengan nomor akun.", "Fill in when you choose WhatsApp or SMS. The code goes only if this is the account's number."},
	"forgot.sent.phone":       {"Jika akun tersebut ada dan nomor itu nomor HP-nya, kode sedang dikirim ke nomor tersebut.", "If the account exists and that is its mobile number, a code is on its way to it."},
	"outbox.channel.email":    {"Email", "Email"},
	"outbox.channel.sms":      {"SMS", "SMS"},
	"outbox.channel.whatsapp": {"WhatsApp", "WhatsApp"},
	"outbox.code":             {"Kode (tombol salin)", "Code (copy button)"},
	"login.remaining":         {"Sisa %s lagi sebelum akun dikunci. Lupa kata sandi? Atur ulang sekarang.", "%s left before the account locks. Forgotten your password? Reset it now."},
	"sec.codes.add.sms":       {"Tambah kode melalui SMS", "Add codes by SMS"},
	"sec.codes.add.whatsapp":  {"Tambah kode melalui WhatsApp", "Add codes by WhatsApp"},
	"idname.kpj":              {"nomor KPJ", "KPJ number"},
	"idlabel.kpj":             {"Nomor KPJ", "KPJ number (membership card)"},
}

// loginMessages are those of the second step and of the enrollment a
// login requires.
var loginMessages = map[string][2]string{
	// The second step by a code sent to the phone.
	"sf.sms":           {"Kode melalui SMS", "Code by SMS"},
	"sf.sms.send":      {"Kirim kode lewat SMS", "Text me a code"},
	"sf.sms.sent":      {"Kode telah dikirim lewat SMS ke %s. Berlaku sampai pukul %s.", "A code was texted to %s. It works until %s."},
	"sf.whatsapp":      {"Kode melalui WhatsApp", "Code by WhatsApp"},
	"sf.whatsapp.send": {"Kirim kode lewat WhatsApp", "Send me a code on WhatsApp"},
	"sf.whatsapp.sent": {"Kode telah dikirim lewat WhatsApp ke %s. Berlaku sampai pukul %s.", "A code was sent on WhatsApp to %s. It works until %s."},
	"sf.enrolled":      {"Cara verifikasi sudah dipasang. Minta kode, lalu ketik kode itu untuk menyelesaikan masuk.", "It is set up. Ask for a code, then type it to finish logging in."},

	// The enrollment a login requires.
	"setup.title":           {"Pasang verifikasi dua langkah", "Set up two-step verification"},
	"setup.intro":           {"%s meminta langkah kedua setiap kali Anda masuk: selain kata sandi, sebuah kode. Pilih dari mana kode itu datang.", "%s asks for a second step at every login: a code as well as your password. Choose where the code comes from."},
	"setup.later":           {"Setelah masuk, Anda dapat menambah cara lain di Akun saya → Verifikasi dua langkah.", "Once logged in, you can add other ways under My account → Two-step verification."},
	"setup.other":           {"Pilih cara lain", "Choose another way"},
	"setup.totp":            {"Aplikasi autentikator", "Authenticator app"},
	"setup.totp.about":      {"Aplikasi di ponsel Anda membuat kodenya sendiri, juga tanpa sinyal atau kuota.", "An app on your phone makes the codes itself, even without signal or data."},
	"setup.totp.choose":     {"Pasang aplikasi autentikator", "Set up an authenticator app"},
	"setup.totp.done":       {"Aplikasi autentikator sudah terpasang, dan Anda sudah masuk.", "Your authenticator app is set up, and you are logged in."},
	"setup.email":           {"Kode melalui email", "Code by email"},
	"setup.email.about":     {"Setiap kali Anda masuk, kami mengirim kode ke alamat email akun Anda.", "At every login, we email a code to your account's address."},
	"setup.email.choose":    {"Pakai kode melalui email", "Use codes by email"},
	"setup.sms":             {"Kode melalui SMS", "Code by SMS"},
	"setup.sms.about":       {"Setiap kali Anda masuk, kami mengirim kode lewat SMS ke nomor ponsel akun Anda.", "At every login, we text a code to your account's phone number."},
	"setup.sms.choose":      {"Pakai kode melalui SMS", "Use codes by SMS"},
	"setup.whatsapp":        {"Kode melalui WhatsApp", "Code by WhatsApp"},
	"setup.whatsapp.about":  {"Setiap kali Anda masuk, kami mengirim kode lewat WhatsApp ke nomor ponsel akun Anda.", "At every login, we send a code on WhatsApp to your account's phone number."},
	"setup.whatsapp.choose": {"Pakai kode melalui WhatsApp", "Use codes by WhatsApp"},
}

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

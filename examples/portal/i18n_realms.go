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
	"idname.kpj":              {"nomor KPJ", "KPJ number"},
	"idlabel.kpj":             {"Nomor KPJ", "KPJ number (membership card)"},
}

// loginMessages are those of the second step and of the enrollment a
// login requires.
var loginMessages = map[string][2]string{}

// securityMessages are those of the account's security page: asking for
// the password once, and changing the phone number.
var securityMessages = map[string][2]string{}

package main

// erasureMessages are those of the account's data (erase.go): the
// security page's section with the download, the erasure page and the
// page after it, and the operator's export and erasure.
var erasureMessages = map[string][2]string{
	// The security page's section.
	"data.title":      {"Data saya", "My data"},
	"data.intro":      {"Unduh salinan data akun Anda dalam berkas JSON: profil, faktor kedua dan passkey (tanpa rahasianya), sesi aktif, dan seluruh riwayat aktivitas.", "Download a copy of your account's data as a JSON file: your profile, second factors and passkeys (without their secrets), active sessions and your whole activity history."},
	"data.download":   {"Unduh data saya", "Download my data"},
	"data.erase.hint": {"Anda juga dapat menghapus akun ini untuk selamanya.", "You can also delete this account for good."},
	"data.erase.link": {"Hapus akun", "Delete account"},

	// The erasure page.
	"erase.title":             {"Hapus akun", "Delete account"},
	"erase.warning":           {"Penghapusan tidak dapat dibatalkan. Akun yang dihapus tidak dapat dipulihkan, juga oleh helpdesk.", "Deletion cannot be undone. A deleted account cannot be restored, not even by the helpdesk."},
	"erase.deleted.title":     {"Yang dihapus", "What is deleted"},
	"erase.deleted":           {"Akun Anda beserta kata sandi, alamat email, nomor ponsel, data pendaftaran, faktor kedua dan kode pemulihan, perangkat yang diingat, passkey, dan semua sesi. Anda langsung keluar dari semua perangkat.", "Your account with its password, email address, phone number, registration details, second factors and recovery codes, remembered devices, passkeys and every session. You are logged out everywhere at once."},
	"erase.free":              {"Setelahnya, %s dan alamat email Anda dapat dipakai lagi untuk mendaftar.", "Afterwards your %s and email address can be used to register again."},
	"erase.kept.title":        {"Yang disimpan", "What is kept"},
	"erase.kept.pseudonymise": {"Riwayat aktivitas akun disimpan untuk audit, tetapi tanpa nama pengguna, alamat IP, peramban, atau rincian lain yang menunjuk kepada Anda. Catatan bahwa akun ini dihapus juga disimpan, tanpa data Anda.", "The account's activity history is kept for the audit, but without your username, IP address, browser or other details that point to you. A record that this account was deleted is kept too, without your data."},
	"erase.kept.delete":       {"Riwayat aktivitas akun ikut dihapus. Hanya catatan bahwa sebuah akun dihapus yang disimpan, tanpa data Anda.", "The account's activity history is deleted too. Only a record that an account was deleted is kept, without your data."},
	"erase.export":            {"Ingin menyimpan salinan data Anda? Unduh dulu di bagian Data saya.", "Want a copy of your data? Download it first under My data."},
	"erase.password.hint":     {"Masukkan kata sandi Anda lagi, meskipun baru saja dikonfirmasi.", "Enter your password again, even if you confirmed it a moment ago."},
	"erase.confirm":           {"Saya mengerti bahwa akun saya dihapus untuk selamanya.", "I understand that my account is deleted for good."},
	"erase.button":            {"Hapus akun saya", "Delete my account"},
	"erase.cancel":            {"Batal, kembali ke Data saya", "Cancel, back to My data"},
	"erase.err.password":      {"Masukkan kata sandi Anda.", "Enter your password."},
	"erase.err.confirm":       {"Centang kotak ini jika Anda ingin menghapus akun.", "Tick this box if you want to delete the account."},

	// After the erasure.
	"erased.title":     {"Akun telah dihapus", "Account deleted"},
	"erased.text":      {"Akun Anda telah dihapus, dan Anda telah keluar dari semua perangkat.", "Your account has been deleted, and you have been logged out everywhere."},
	"erased.in":        {"Akun Anda di %s telah dihapus, dan Anda telah keluar dari semua perangkat.", "Your account on %s has been deleted, and you have been logged out everywhere."},
	"erase.gone.title": {"Sesi berakhir", "Session ended"},
	"erase.gone":       {"Anda tidak lagi masuk, jadi permintaan ini tidak menghapus apa pun. Jika Anda baru saja menghapus akun Anda, penghapusan itu sudah selesai.", "You are no longer logged in, so this request deleted nothing. If you have just deleted your account, that deletion is complete."},

	// The operator's.
	"op.data":                    {"Data akun", "Account data"},
	"op.export.hint":             {"Salinan data akun dalam JSON, untuk permintaan pemiliknya; tanpa rahasia apa pun.", "A copy of the account's data as JSON, for its owner's request; it holds no secret."},
	"op.export":                  {"Ekspor data", "Export data"},
	"op.export.reason":           {"Alasan ekspor", "Reason for the export"},
	"op.erase.reason":            {"Alasan penghapusan", "Reason for the erasure"},
	"op.erase.title":             {"Hapus akun", "Erase account"},
	"op.erase.hint":              {"Akun beserta kata sandi, faktor kedua, passkey, dan sesinya dihapus untuk selamanya. Catatan penghapusan menyimpan nama Anda dan alasannya.", "The account with its password, second factors, passkeys and sessions is deleted for good. The record of the erasure keeps your name and the reason."},
	"op.erase.kept.pseudonymise": {"Riwayatnya disimpan tanpa data pribadi.", "Its history is kept without personal data."},
	"op.erase.kept.delete":       {"Riwayatnya ikut dihapus.", "Its history is deleted too."},
	"op.erase.confirm":           {"Saya telah memeriksa permintaan ini; penghapusan tidak dapat dibatalkan.", "I have checked this request; the erasure cannot be undone."},
	"op.erase.err.confirm":       {"Centang kotak ini untuk menghapus akun.", "Tick this box to erase the account."},
	"op.erase.button":            {"Hapus akun untuk selamanya", "Erase the account for good"},
	"op.erased":                  {"Akun telah dihapus. Catatan penghapusan menyimpan nama Anda dan alasannya.", "The account was erased. The record of the erasure keeps your name and the reason."},
}

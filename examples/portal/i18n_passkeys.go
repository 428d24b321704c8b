package main

// passkeyMessages are those of passkeys (passkeys.go): the security
// page's section and the page that makes one, the second step's and the
// enrollment's passkey, the login without a password, the operator's
// removal, and what static/passkey.js says when the browser cannot or
// does not answer.
var passkeyMessages = map[string][2]string{
	// The security page.
	"pk.title":                {"Passkey", "Passkeys"},
	"pk.kind":                 {"passkey", "passkey"},
	"pk.intro":                {"Passkey membuktikan bahwa Anda yang masuk: perangkat Anda (ponsel, laptop, atau kunci keamanan) membukanya dengan sidik jari, wajah, atau PIN layar, dan hanya untuk portal ini, sehingga situs palsu tidak dapat memakainya.", "A passkey proves it is you logging in: your device (phone, laptop or security key) unlocks it with your fingerprint, face or screen PIN, and only for this portal, so a fake site cannot use it."},
	"pk.intro.passwordless":   {"Di portal ini passkey juga cukup untuk masuk, tanpa kata sandi.", "On this portal a passkey also logs you in on its own, without your password."},
	"pk.none":                 {"Belum ada passkey.", "No passkey yet."},
	"pk.add":                  {"Tambah passkey", "Add a passkey"},
	"pk.unnamed":              {"Passkey tanpa nama", "Unnamed passkey"},
	"pk.created":              {"dibuat %s", "added %s"},
	"pk.used":                 {"terakhir dipakai %s", "last used %s"},
	"pk.unused":               {"belum pernah dipakai", "not used yet"},
	"pk.synced":               {"tersinkron ke perangkat Anda yang lain", "synced to your other devices"},
	"pk.rename":               {"Ganti nama", "Rename"},
	"pk.rename.label":         {"Nama passkey", "Passkey name"},
	"pk.renamed":              {"Nama passkey telah diganti.", "The passkey was renamed."},
	"pk.added":                {"Passkey telah ditambahkan. Mulai sekarang Anda dapat masuk dengannya.", "The passkey was added. You can log in with it from now on."},
	"pk.create.title":         {"Buat passkey", "Create a passkey"},
	"pk.create.intro":         {"Beri nama passkey ini agar mudah dikenali, lalu tekan tombol di bawah. Peramban akan meminta sidik jari, wajah, PIN layar, atau kunci keamanan Anda.", "Name this passkey so that you can tell it apart, then press the button below. Your browser will ask for your fingerprint, face, screen PIN or security key."},
	"pk.label":                {"Nama passkey (opsional)", "Passkey name (optional)"},
	"pk.label.hint":           {"Misalnya: Ponsel Siti, Laptop kantor.", "For example: Siti's phone, office laptop."},
	"pk.create.button":        {"Buat passkey", "Create the passkey"},
	"pk.create.failed":        {"Passkey tidak dibuat: permintaan dibatalkan, waktunya habis, atau perangkat menolaknya. Coba lagi.", "No passkey was made: the request was cancelled, timed out, or refused by the device. Try again."},
	"pk.create.refused":       {"Passkey tidak dapat disimpan: jawaban perangkat tidak sah atau sudah kedaluwarsa, atau passkey itu sudah terdaftar. Coba lagi.", "The passkey could not be saved: the device's answer was not valid or had expired, or that passkey is registered already. Try again."},
	"pk.back":                 {"Kembali ke verifikasi dua langkah", "Back to two-step verification"},
	"pk.unsupported":          {"Peramban ini tidak dapat memakai passkey. Perbarui peramban, atau pakai cara lain.", "This browser cannot use passkeys. Update it, or use another way."},
	"pk.noscript":             {"Passkey memerlukan JavaScript dan peramban yang mendukung passkey. Aktifkan JavaScript, atau pakai cara lain.", "Passkeys need JavaScript and a browser that supports them. Turn JavaScript on, or use another way."},
	"pk.get.failed":           {"Tidak ada passkey yang dipakai: permintaan dibatalkan, waktunya habis, atau perangkat tidak menyimpan passkey untuk portal ini. Coba lagi.", "No passkey was used: the request was cancelled, timed out, or the device holds no passkey for this portal. Try again."},
	"pk.login.title":          {"Tanpa kata sandi", "Without a password"},
	"pk.login.hint":           {"Sudah membuat passkey di portal ini? Masuk dengan passkey saja, tanpa %s dan kata sandi.", "Made a passkey on this portal? Log in with it alone, without your %s and password."},
	"pk.login.button":         {"Masuk dengan passkey", "Log in with a passkey"},
	"pk.login.throttled":      {"Masuk dengan passkey belum dapat ditawarkan ke jaringan Anda. Coba lagi setelah pukul %s, atau masuk dengan kata sandi.", "Logging in with a passkey cannot be offered to your network just now. Try again after %s, or log in with your password."},
	"sf.passkey":              {"Passkey", "Passkey"},
	"sf.passkey.about":        {"Pakai sidik jari, wajah, PIN layar, atau kunci keamanan di perangkat tempat passkey Anda tersimpan.", "Use your fingerprint, face, screen PIN or security key on the device that holds your passkey."},
	"sf.passkey.use":          {"Gunakan passkey", "Use a passkey"},
	"setup.passkey":           {"Passkey", "Passkey"},
	"setup.passkey.about":     {"Perangkat Anda menyimpan passkey dan membukanya dengan sidik jari, wajah, atau PIN layar: tidak ada kode untuk diketik, dan situs palsu tidak dapat memakainya.", "Your device keeps a passkey and unlocks it with your fingerprint, face or screen PIN: no code to type, and no fake site can use it."},
	"setup.passkey.choose":    {"Buat passkey", "Create a passkey"},
	"setup.passkey.done":      {"Passkey sudah dibuat, dan Anda sudah masuk.", "Your passkey is made, and you are logged in."},
	"setup.intro.passkey":     {"%s meminta langkah kedua setiap kali Anda masuk, selain kata sandi: passkey di perangkat Anda, atau sebuah kode. Pilih salah satu.", "%s asks for a second step at every login, as well as your password: a passkey on your device, or a code. Choose one."},
	"setup.intro.passkeyonly": {"%s meminta passkey setiap kali Anda masuk, selain kata sandi: perangkat Anda membuktikannya, dan situs palsu tidak dapat memintanya. Buat satu sekarang.", "%s asks for a passkey at every login, as well as your password: your device proves it, and no fake site can ask for it. Make one now."},
	"op.passkeys":             {"Passkey", "Passkeys"},
	"op.passkeys.none":        {"Akun ini belum memiliki passkey.", "This account has no passkey."},
	"op.passkeys.hint":        {"Hapus passkey dari perangkat yang hilang atau dicuri. Pemilik diberi tahu melalui email, dan tindakan dicatat dengan nama Anda dan alasannya.", "Remove the passkey of a lost or stolen device. The owner is told by email, and the action is recorded with your name and the reason."},
	"action.remove_passkey":   {"Hapus passkey", "Remove the passkey"},
}

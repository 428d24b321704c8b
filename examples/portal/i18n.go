package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/masuk-id/masuk/auth"
)

// messages holds every string the portal shows, in Indonesian and English:
// messages[key] = {id, en}. Templates reach it through view.T. It joins
// the sets of each part of the portal; a key in two sets is a bug that
// TestMessagesComplete reports.
var messages = joinMessages(baseMessages, realmMessages, loginMessages, securityMessages, passkeyMessages, erasureMessages, federationMessages, reauthMessages)

// joinMessages returns one map of every set's messages, and remembers the
// keys two sets define (duplicateMessages) for the test to report.
func joinMessages(sets ...map[string][2]string) map[string][2]string {
	out := map[string][2]string{}
	for _, set := range sets {
		for k, m := range set {
			if _, dup := out[k]; dup {
				duplicateMessages = append(duplicateMessages, k)
			}
			out[k] = m
		}
	}
	return out
}

// duplicateMessages are the keys more than one set defines.
var duplicateMessages []string

// baseMessages are the messages of the pages every realm shares.
var baseMessages = map[string][2]string{
	"portal.name":    {"Portal Masuk", "Portal Masuk"},
	"portal.tagline": {"Contoh portal yang dibangun di atas masuk", "An example portal built on masuk"},
	"lang.switch":    {"English", "Bahasa Indonesia"},
	"nav.home":       {"Beranda", "Home"},
	"nav.account":    {"Akun saya", "My account"},
	"nav.operator":   {"Operator", "Operator"},
	"nav.logout":     {"Keluar", "Log out"},
	"nav.outbox":     {"Kotak keluar (pengembangan)", "Outbox (development)"},
	"skip":           {"Langsung ke isi", "Skip to content"},

	"home.title":           {"Pilih portal", "Choose a portal"},
	"home.intro":           {"Dua portal dengan akun terpisah: satu orang dapat memiliki akun di masing-masing, dengan kata sandi sendiri.", "Two portals with separate accounts: one person may hold an account in each, with its own password."},
	"home.login":           {"Masuk", "Log in"},
	"home.register":        {"Daftar", "Register"},
	"home.lastlogin":       {"Sebelumnya Anda masuk pada %s dari %s (%s).", "Before this, you last logged in on %s from %s (%s)."},
	"home.lastlogin.check": {"Bukan Anda? Periksa riwayat aktivitas.", "Not you? Check your activity history."},
	"home.loggedin":        {"Anda masuk sebagai %s (%s).", "You are logged in as %s (%s)."},

	// The realm's username, by the kind of number it is (kindKey).
	"idname.npwp":        {"NPWP", "NPWP"},
	"idname.nip":         {"NIP", "NIP"},
	"idname.free":        {"nama pengguna", "username"},
	"idlabel.npwp":       {"NPWP", "NPWP (tax number)"},
	"idlabel.nip":        {"NIP", "NIP (civil-servant number)"},
	"idlabel.free":       {"Nama pengguna", "Username"},
	"idhint.npwp":        {"15 atau 16 digit, boleh dengan titik dan tanda hubung.", "15 or 16 digits, dots and dashes allowed."},
	"idhint.digits":      {"%d digit.", "%d digits."},
	"field.password":     {"Kata sandi", "Password"},
	"field.password2":    {"Ulangi kata sandi", "Repeat the password"},
	"field.email":        {"Alamat email", "Email address"},
	"field.identifier":   {"%s atau email", "%s or email"},
	"field.code":         {"Kode", "Code"},
	"field.current":      {"Kata sandi saat ini", "Current password"},
	"field.new":          {"Kata sandi baru", "New password"},
	"field.reason":       {"Alasan", "Reason"},
	"field.label":        {"Nama perangkat (opsional)", "Device name (optional)"},
	"policy.min":         {"Minimal %d karakter", "At least %d characters"},
	"policy.classes":     {", dengan setidaknya %s", ", with at least %s"},
	"policy.rest":        {"; bukan kata sandi yang umum, dan tidak memuat %s atau email Anda", "; not a common password, and not containing your %s or email"},
	"policy.generic":     {"Kata sandi harus memenuhi ketentuan portal ini.", "The password must meet this portal's rules."},
	"policy.digits":      {"Kata sandi tidak boleh memuat %d angka berurutan dari %s Anda.", "The password must not contain %d consecutive digits of your %s."},
	"policy.digits.born": {"Kata sandi tidak boleh memuat %d angka berurutan dari %s Anda (misalnya tanggal lahir).", "The password must not contain %d consecutive digits of your %s (such as a birth date)."},
	"list.and":           {" dan ", " and "},

	"login.title":            {"Masuk ke %s", "Log in to %s"},
	"login.submit":           {"Masuk", "Log in"},
	"login.forgot":           {"Lupa kata sandi?", "Forgot your password?"},
	"login.register":         {"Belum punya akun? Daftar", "No account yet? Register"},
	"login.invalid":          {"%s atau kata sandi salah.", "%s or password is wrong."},
	"login.locked":           {"Terlalu banyak percobaan yang gagal. Coba lagi dalam %s (pukul %s).", "Too many failed attempts. Try again in %s (at %s)."},
	"login.locked.permanent": {"Akun ini dikunci. Hubungi operator, atau atur ulang kata sandi untuk membukanya.", "This account is locked. Contact an operator, or reset your password to unlock it."},
	"login.captcha.required": {"Demi keamanan, ketik kode pada gambar.", "For your security, type the code in the picture."},
	"login.captcha.invalid":  {"Kode pada gambar salah. Coba kode yang baru.", "The code in the picture was wrong. Try the new one."},
	"login.captcha.toomany":  {"Terlalu banyak gambar kode diminta dari jaringan Anda, sehingga gambar baru belum dapat ditampilkan. Coba masuk lagi setelah pukul %s.", "Too many code pictures were asked for from your network, so no new one can be shown yet. Try to log in again after %s."},
	"login.pending.approval": {"Pendaftaran Anda sedang diperiksa operator. Anda akan diberi tahu melalui email.", "Your registration is being reviewed by an operator. You will be told by email."},
	"login.loggedout":        {"Anda telah keluar.", "You have logged out."},
	"login.expired":          {"Waktu verifikasi habis. Silakan masuk lagi.", "The verification timed out. Please log in again."},
	"login.reset.done":       {"Kata sandi telah diubah. Silakan masuk dengan kata sandi baru.", "Your password has been changed. Log in with the new one."},

	"captcha.label":   {"Kode pada gambar", "Code in the picture"},
	"captcha.hint":    {"Ketik angka pada gambar, atau dengarkan kodenya.", "Type the digits in the picture, or listen to the code."},
	"captcha.alt":     {"Gambar berisi kode enam angka untuk diketik", "Picture of a six-digit code to type"},
	"captcha.refresh": {"Ganti gambar", "New picture"},
	"captcha.audio":   {"Dengarkan kodenya", "Listen to the code"},

	"sf.title":      {"Verifikasi dua langkah", "Two-step verification"},
	"sf.intro":      {"Kata sandi benar. Selesaikan dengan salah satu cara berikut.", "Your password was right. Finish with one of these."},
	"sf.totp":       {"Kode dari aplikasi autentikator", "Code from your authenticator app"},
	"sf.email":      {"Kode melalui email", "Code by email"},
	"sf.email.send": {"Kirim kode ke email saya", "Email me a code"},
	"sf.email.sent": {"Kode telah dikirim ke %s. Berlaku sampai pukul %s.", "A code was sent to %s. It works until %s."},
	"sf.recovery":   {"Kode pemulihan", "Recovery code"},
	"sf.remember":   {"Ingat perangkat ini selama %s", "Remember this device for %s"},
	"sf.submit":     {"Verifikasi", "Verify"},
	"sf.cooldown":   {"Tunggu sampai pukul %s sebelum meminta kode lagi.", "Wait until %s before asking for another code."},

	"reg.title":            {"Daftar di %s", "Register with %s"},
	"reg.submit":           {"Daftar", "Register"},
	"reg.have.account":     {"Sudah punya akun?", "Already have an account?"},
	"reg.login":            {"Masuk di sini", "Log in here"},
	"reg.consent":          {"Saya menyetujui syarat dan ketentuan serta kebijakan privasi, termasuk pemrosesan data pribadi saya untuk pendaftaran ini (UU PDP).", "I agree to the terms and the privacy policy, including the processing of my personal data for this registration (Indonesia's PDP Law)."},
	"reg.consent.required": {"Pendaftaran memerlukan persetujuan Anda atas syarat dan kebijakan privasi.", "Registering needs your consent to the terms and the privacy policy."},
	"reg.support":          {"Butuh bantuan? Hubungi %s.", "Need help? Contact %s."},
	"reg.mismatch":         {"Kedua kata sandi tidak sama.", "The two passwords differ."},
	"reg.done.title":       {"Periksa email Anda", "Check your email"},
	"reg.done.link":        {"Kami mengirim tautan aktivasi ke alamat email Anda. Setelah dikonfirmasi, operator akan memeriksa pendaftaran Anda.", "We sent an activation link to your email address. Once you confirm it, an operator will review your registration."},
	"reg.done.code":        {"Kami mengirim kode aktivasi ke alamat email Anda. Masukkan kode itu untuk mengaktifkan akun.", "We sent an activation code to your email address. Enter it to activate your account."},
	"reg.done.none":        {"Akun Anda telah dibuat. Silakan masuk.", "Your account has been created. Please log in."},

	"err.summary":   {"Periksa isian berikut:", "Please check the following:"},
	"err.throttled": {"Terlalu banyak permintaan. Coba lagi setelah pukul %s.", "Too many requests. Try again after %s."},
	"err.internal":  {"Terjadi kesalahan. Coba lagi nanti.", "Something went wrong. Try again later."},
	"err.notfound":  {"Halaman tidak ditemukan.", "Page not found."},
	"err.forbidden": {"Anda tidak berhak membuka halaman ini.", "You may not open this page."},
	"err.reason":    {"Alasan wajib diisi.", "A reason is required."},
	"err.toolong":   {"%s terlalu panjang: paling banyak %d karakter.", "%s is too long: at most %d characters."},
	"err.password":  {"Kata sandi salah.", "The password is wrong."},
	"err.breach":    {"Kata sandi belum dapat diperiksa terhadap data kebocoran. Coba lagi sebentar lagi.", "The password could not be checked against breached passwords yet. Try again in a moment."},

	"act.title":      {"Aktivasi akun", "Account activation"},
	"act.link.intro": {"Tekan tombol di bawah untuk mengonfirmasi alamat email Anda.", "Press the button below to confirm your email address."},
	"act.code.intro": {"Masukkan %s atau email Anda dan kode aktivasi dari email.", "Enter your %s or email and the activation code from the email."},
	"act.submit":     {"Konfirmasi", "Confirm"},
	"act.active":     {"Alamat email terkonfirmasi. Akun Anda aktif; silakan masuk.", "Your email address is confirmed and your account is active; please log in."},
	"act.approval":   {"Alamat email terkonfirmasi. Operator akan memeriksa pendaftaran Anda; Anda akan diberi tahu melalui email.", "Your email address is confirmed. An operator will review your registration; you will be told by email."},
	"act.resend":     {"Kirim ulang aktivasi", "Send the activation again"},
	"act.resent":     {"Jika ada akun yang menunggu konfirmasi, pesan baru sedang dikirim.", "If an account is waiting for confirmation, a new message is on its way."},

	"forgot.title":      {"Lupa kata sandi", "Forgotten password"},
	"forgot.intro.link": {"Masukkan %s atau email akun Anda. Kami akan mengirim tautan untuk mengatur kata sandi baru.", "Enter your account's %s or email. We will send a link to set a new password."},
	"forgot.intro.code": {"Masukkan %s atau email akun Anda. Kami akan mengirim kode untuk mengatur kata sandi baru.", "Enter your account's %s or email. We will send a code to set a new password."},
	"forgot.submit":     {"Kirim", "Send"},
	"forgot.sent":       {"Jika akun tersebut ada, pesan sedang dikirim ke alamat emailnya.", "If the account exists, a message is on its way to its email address."},

	"reset.title":      {"Atur kata sandi baru", "Set a new password"},
	"reset.submit":     {"Simpan kata sandi", "Save the password"},
	"reset.code.intro": {"Masukkan kode dari email dan kata sandi baru Anda.", "Enter the code from the email and your new password."},

	"account.title":      {"Akun saya", "My account"},
	"account.realm":      {"Portal", "Portal"},
	"account.username":   {"Nama pengguna", "Username"},
	"account.email":      {"Email", "Email"},
	"account.password":   {"Ubah kata sandi", "Change password"},
	"account.security":   {"Verifikasi dua langkah", "Two-step verification"},
	"account.sessions":   {"Sesi aktif", "Active sessions"},
	"account.activity":   {"Riwayat aktivitas", "Activity history"},
	"account.logout.all": {"Keluar dari semua perangkat", "Log out everywhere"},

	"pw.show":   {"Tampilkan kata sandi", "Show password"},
	"pw.hide":   {"Sembunyikan kata sandi", "Hide password"},
	"pw.title":  {"Ubah kata sandi", "Change password"},
	"pw.submit": {"Ubah", "Change"},
	"pw.done":   {"Kata sandi telah diubah. Sesi lain telah diakhiri.", "Your password was changed. Your other sessions have ended."},

	"sec.title":           {"Verifikasi dua langkah", "Two-step verification"},
	"sec.none":            {"Belum ada faktor kedua. Tambahkan satu agar kata sandi saja tidak cukup untuk masuk.", "No second factor yet. Add one so that a password alone is not enough to log in."},
	"sec.factors":         {"Faktor kedua Anda", "Your second factors"},
	"sec.recovery.left":   {"Sisa kode pemulihan: %d", "Recovery codes left: %d"},
	"sec.devices":         {"Perangkat yang diingat", "Remembered devices"},
	"sec.devices.forget":  {"Lupakan semua perangkat", "Forget every device"},
	"sec.totp.add":        {"Tambah aplikasi autentikator", "Add an authenticator app"},
	"sec.email.add":       {"Tambah kode melalui email", "Add codes by email"},
	"sec.remove":          {"Hapus", "Remove"},
	"sec.regen":           {"Buat kode pemulihan baru", "Make new recovery codes"},
	"sec.password.needed": {"Untuk mengubah cara masuk, masukkan kata sandi Anda.", "To change how you log in, enter your password."},
	"sec.kind.totp":       {"Aplikasi autentikator", "Authenticator app"},
	"sec.kind.email":      {"Kode melalui email", "Code by email"},
	"sec.kind.sms":        {"Kode melalui SMS", "Code by SMS"},
	"sec.removed":         {"Faktor kedua telah dihapus.", "The second factor was removed."},
	"sec.forgotten":       {"Semua perangkat telah dilupakan.", "Every device has been forgotten."},
	"sec.added":           {"Faktor kedua telah ditambahkan.", "The second factor was added."},
	"enroll.title":        {"Pindai kode QR", "Scan the QR code"},
	"enroll.intro":        {"Pindai kode ini dengan aplikasi autentikator (Google Authenticator, Microsoft Authenticator, FreeOTP, ...), lalu ketik kode enam angka yang muncul.", "Scan this code with an authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP, ...), then type the six-digit code it shows."},
	"enroll.qr.alt":       {"Kode QR untuk aplikasi autentikator", "QR code for the authenticator app"},
	"enroll.manual":       {"Tidak bisa memindai? Ketik kunci ini:", "Cannot scan? Type this key:"},
	"enroll.issuer":       {"Aplikasi akan mencantumkannya sebagai %s.", "The app will list it as %s."},
	"enroll.submit":       {"Aktifkan", "Turn on"},
	"enroll.retry":        {"Kode salah. Periksa jam ponsel Anda dan ketik kode yang sedang tampil.", "Wrong code. Check your phone's clock and type the code it shows now."},
	"codes.title":         {"Simpan kode pemulihan Anda", "Save your recovery codes"},
	"codes.intro":         {"Setiap kode dapat dipakai sekali untuk masuk jika Anda kehilangan ponsel. Kode ini hanya ditampilkan sekarang: cetak atau simpan di tempat aman.", "Each code logs you in once if you lose your phone. They are shown only now: print them or keep them somewhere safe."},
	"codes.download":      {"Unduh sebagai berkas teks", "Download as a text file"},
	"codes.file":          {"Kode pemulihan %s untuk %s, dibuat %s. Setiap kode dapat dipakai sekali.", "Recovery codes of %s for %s, made %s. Each code works once."},
	"codes.done":          {"Saya sudah menyimpannya", "I have saved them"},

	"sess.title":       {"Sesi aktif", "Active sessions"},
	"sess.current":     {"sesi ini", "this session"},
	"sess.started":     {"Mulai", "Started"},
	"sess.lastseen":    {"Terakhir aktif", "Last active"},
	"sess.device":      {"Perangkat", "Device"},
	"sess.address":     {"Alamat", "Address"},
	"sess.revoke":      {"Akhiri", "End"},
	"sess.others":      {"Keluar dari perangkat lain", "Log out everywhere else"},
	"sess.revoked":     {"Sesi telah diakhiri.", "The session has ended."},
	"sess.others.done": {"Sesi lain telah diakhiri: %d.", "Other sessions ended: %d."},

	"activity.title": {"Riwayat aktivitas", "Activity history"},
	"activity.when":  {"Waktu", "When"},
	"activity.what":  {"Kejadian", "What"},
	"activity.where": {"Dari", "From"},
	"activity.older": {"Lebih lama", "Older"},
	"activity.empty": {"Belum ada aktivitas.", "No activity yet."},
	"activity.by":    {"oleh operator", "by operator"},

	"op.title":          {"Operator: daftar akun", "Operator: accounts"},
	"op.filter":         {"Tampilkan", "Show"},
	"op.by":             {"%s (akun %s)", "%s (account %s)"},
	"op.state":          {"Status", "State"},
	"op.search":         {"Cari (awal nama pengguna atau email)", "Search (start of username or email)"},
	"op.state.all":      {"Semua keadaan", "Every state"},
	"op.empty":          {"Tidak ada akun.", "No accounts."},
	"op.detail":         {"Rincian", "Details"},
	"op.account":        {"Operator: akun %s", "Operator: account %s"},
	"op.lock":           {"Penguncian", "Lockout"},
	"op.lock.none":      {"Tidak terkunci.", "Not locked."},
	"op.lock.until":     {"Terkunci sampai %s.", "Locked until %s."},
	"op.lock.permanent": {"Terkunci sampai dibuka.", "Locked until unlocked."},
	"op.lock.failures":  {"Kegagalan dalam jendela saat ini: %d", "Failures in the current window: %d"},
	"op.actions":        {"Tindakan", "Actions"},
	"op.reason.hint":    {"Setiap tindakan dicatat dengan nama Anda dan alasannya.", "Every action is recorded with your name and the reason."},
	"op.profile":        {"Data pendaftaran", "Registration data"},
	"profile.company":   {"Nama perusahaan", "Company name"},
	"profile.name":      {"Nama lengkap", "Full name"},
	"profile.lang":      {"Bahasa", "Language"},
	"lang.name.id":      {"Bahasa Indonesia", "Indonesian"},
	"lang.name.en":      {"Bahasa Inggris", "English"},
	"op.done":           {"Tindakan dicatat: %s.", "Action recorded: %s."},
	"op.history":        {"Riwayat", "History"},
	"op.created":        {"Terdaftar", "Registered"},

	"action.approve":      {"Setujui", "Approve"},
	"action.reject":       {"Tolak", "Reject"},
	"action.unlock":       {"Buka kunci", "Unlock"},
	"action.force_reset":  {"Paksa atur ulang kata sandi", "Force a password reset"},
	"action.disable":      {"Nonaktifkan", "Disable"},
	"action.enable":       {"Aktifkan", "Enable"},
	"action.end_sessions": {"Akhiri semua sesi", "End every session"},

	"state.pending_confirmation": {"Menunggu konfirmasi email", "Waiting for email confirmation"},
	"state.pending_approval":     {"Menunggu persetujuan", "Waiting for approval"},
	"state.active":               {"Aktif", "Active"},
	"state.disabled":             {"Nonaktif", "Disabled"},

	"outbox.title": {"Kotak keluar pengembangan", "Development outbox"},
	"outbox.intro": {"Email yang dikirim masuk, disimpan di memori karena tidak ada server SMTP. Jangan aktifkan di produksi.", "The emails masuk sent, kept in memory because no SMTP server is configured. Never in production."},
	"outbox.empty": {"Belum ada email.", "No email yet."},
	"outbox.to":    {"Kepada", "To"},
	"outbox.open":  {"Buka tautan", "Open the link"},

	"notfound.title":   {"Tidak ditemukan", "Not found"},
	"toolarge.title":   {"Formulir terlalu besar", "Form too large"},
	"err.toolarge":     {"Isian yang dikirim melebihi batas %d KiB, sehingga tidak diproses. Periksa isiannya, lalu kirim lagi.", "What you sent is over the %d KiB limit, so nothing was done with it. Check what you typed, and send it again."},
	"badrequest.title": {"Permintaan tidak valid", "Invalid request"},
	"err.badrequest":   {"Formulir yang dikirim tidak dapat dibaca. Isi lagi, lalu kirim sekali lagi.", "The form you sent could not be read. Fill it in again and send it once more."},
	"error.title":      {"Terjadi kesalahan", "Something went wrong"},
	"back.home":        {"Kembali ke beranda", "Back to the home page"},
	"back.form":        {"Kembali ke formulir", "Back to the form"},
}

// eventLabels names the events of the activity history.
var eventLabels = map[auth.EventKind][2]string{
	auth.EventLoginSucceeded:       {"Berhasil masuk", "Logged in"},
	auth.EventLoginFailed:          {"Gagal masuk", "Failed login"},
	auth.EventSecondFactorRequired: {"Kata sandi benar, menunggu faktor kedua", "Password right, waiting for the second factor"},
	auth.EventCodeSent:             {"Kode masuk dikirim", "Login code sent"},
	auth.EventNewDevice:            {"Masuk dari perangkat atau jaringan baru", "Login from a new device or network"},
	auth.EventRegistered:           {"Akun didaftarkan", "Account registered"},
	auth.EventRegisteredAgain:      {"Pendaftaran ulang dengan data yang sama", "Registered again with the same details"},
	auth.EventConfirmed:            {"Email dikonfirmasi", "Email confirmed"},
	auth.EventApproved:             {"Pendaftaran disetujui", "Registration approved"},
	auth.EventRejected:             {"Pendaftaran ditolak", "Registration rejected"},
	auth.EventDisabled:             {"Akun dinonaktifkan", "Account disabled"},
	auth.EventEnabled:              {"Akun diaktifkan", "Account enabled"},
	auth.EventPasswordChanged:      {"Kata sandi diubah", "Password changed"},
	auth.EventPasswordSet:          {"Kata sandi dibuat", "Password set"},
	auth.EventPasswordChangeFailed: {"Gagal mengubah kata sandi", "Failed password change"},
	auth.EventPasswordUpgraded:     {"Penyimpanan kata sandi diperbarui", "Password storage upgraded"},
	auth.EventResetRequested:       {"Atur ulang kata sandi diminta", "Password reset requested"},
	auth.EventPasswordReset:        {"Kata sandi diatur ulang", "Password reset"},
	auth.EventLocked:               {"Akun terkunci", "Account locked"},
	auth.EventUnlocked:             {"Kunci dibuka", "Unlocked"},
	auth.EventFactorAdded:          {"Faktor kedua ditambahkan", "Second factor added"},
	auth.EventFactorRemoved:        {"Faktor kedua dihapus", "Second factor removed"},
	auth.EventFactorChangeFailed:   {"Gagal mengubah faktor kedua", "Failed second-factor change"},
	auth.EventRecoveryCodesRenewed: {"Kode pemulihan diperbarui", "Recovery codes renewed"},
	auth.EventRecoveryCodeUsed:     {"Kode pemulihan digunakan", "Recovery code used"},
	auth.EventDeviceRemembered:     {"Perangkat diingat", "Device remembered"},
	auth.EventDeviceForgotten:      {"Perangkat dilupakan", "Device forgotten"},
	auth.EventEmailChangeRequested: {"Perubahan email diminta", "Email change requested"},
	auth.EventEmailChanged:         {"Email diubah", "Email changed"},
	auth.EventLogout:               {"Keluar", "Logged out"},
	auth.EventSessionsRevoked:      {"Sesi diakhiri", "Sessions ended"},
	auth.EventEnrollmentRequired:   {"Kata sandi benar, menunggu pendaftaran faktor kedua", "Password right, waiting for a second factor to be set up"},
	auth.EventTokenFailed:          {"Tautan atau kode salah dicoba", "A wrong link or code was tried"},
	auth.EventExpired:              {"Akun yang tidak dikonfirmasi dihapus", "Unconfirmed account removed"},
	auth.EventForcedReset:          {"Operator memaksa atur ulang kata sandi", "Operator forced a password reset"},
	auth.EventPhoneChangeRequested: {"Perubahan nomor ponsel diminta", "Mobile number change requested"},
	auth.EventPhoneChanged:         {"Nomor ponsel diubah", "Mobile number changed"},
	auth.EventReauthenticated:      {"Identitas dikonfirmasi ulang", "Identity confirmed again"},
	auth.EventReauthFailed:         {"Gagal mengonfirmasi identitas", "Failed identity confirmation"},
	auth.EventErased:               {"Akun dihapus", "Account erased"},
	auth.EventExported:             {"Salinan data diambil petugas", "Data copied by an operator"},
	auth.EventPasskeyCloned:        {"Passkey ditolak: penghitungnya mundur, mungkin telah disalin", "Passkey refused: its counter went back; it may have been copied"},
}

// detailLabels name the details of an event in an operator's view of an
// account's history.
var detailLabels = map[string][2]string{
	"reason":        {"alasan", "reason"},
	"by":            {"oleh", "by"},
	"state":         {"keadaan", "state"},
	"scope":         {"penghitung", "counter"},
	"until":         {"sampai", "until"},
	"unlocked":      {"kunci dibuka", "unlocked"},
	"was_locked":    {"tadinya terkunci", "was locked"},
	"network":       {"jaringan", "network"},
	"methods":       {"cara", "methods"},
	"method":        {"cara", "method"},
	"second_factor": {"faktor kedua", "second factor"},
	"factor":        {"faktor", "factor"},
	"factor_id":     {"ID faktor", "factor ID"},
	"device":        {"perangkat", "device"},
	"session":       {"sesi", "session"},
	"which":         {"yang mana", "which"},
	"count":         {"jumlah", "count"},
	"purpose":       {"untuk", "for"},
	"error":         {"galat", "error"},
	"passwordless":  {"tanpa kata sandi", "without a password"},
	"stored":        {"penghitung tersimpan", "stored counter"},
	"sent":          {"penghitung terkirim", "sent counter"},

	// An unlock's note of how the owner's identity was checked.
	"identity_check": {"identitas diperiksa dengan", "identity checked by"},
}

// detailValues name the values of details that are codes, by detail and
// value ("reason.bad_password"): the reasons a login failed, the
// counters that lock, the methods of a second step. A value without a
// name (an operator's reason, an ID) is shown as it is.
var detailValues = map[string][2]string{
	"reason." + string(auth.ReasonUnknownUser):         {"pengguna tidak dikenal", "unknown user"},
	"reason." + string(auth.ReasonBadPassword):         {"kata sandi salah", "wrong password"},
	"reason." + string(auth.ReasonDisabled):            {"akun nonaktif", "account disabled"},
	"reason." + string(auth.ReasonPendingConfirmation): {"email belum dikonfirmasi", "email not confirmed"},
	"reason." + string(auth.ReasonPendingApproval):     {"menunggu persetujuan", "waiting for approval"},
	"reason." + string(auth.ReasonInvalidUsername):     {"nama pengguna tidak valid", "invalid username"},
	"reason." + string(auth.ReasonNoCredential):        {"tanpa kata sandi", "no password set"},
	"reason." + string(auth.ReasonBusy):                {"server sibuk", "server busy"},
	"reason." + string(auth.ReasonLocked):              {"terkunci", "locked"},
	"reason." + string(auth.ReasonCaptchaRequired):     {"tanpa captcha", "captcha missing"},
	"reason." + string(auth.ReasonCaptchaInvalid):      {"captcha salah", "wrong captcha"},
	"reason." + string(auth.ReasonError):               {"galat", "error"},
	"reason." + string(auth.ReasonBadCode):             {"kode salah", "wrong code"},
	"reason." + string(auth.ReasonReplayedCode):        {"kode sudah dipakai", "code already used"},
	"reason." + string(auth.ReasonNoCode):              {"kode belum dikirim", "no code sent"},
	"reason." + string(auth.ReasonPendingUsed):         {"sudah diselesaikan permintaan lain", "completed by another request"},
	"reason." + string(auth.ReasonNoticeDropped):       {"pemberitahuan tidak dikirim", "notice not sent"},
	"reason." + string(auth.ReasonThrottled):           {"terlalu sering", "too often"},
	"reason." + string(auth.ReasonNotResettable):       {"tidak dapat diatur ulang", "cannot be reset"},
	"reason." + string(auth.ReasonTaken):               {"alamat sudah dipakai", "address taken"},
	"reason." + string(auth.ReasonCooldown):            {"terlalu cepat", "too soon"},
	"reason." + string(auth.ReasonNotUpgraded):         {"tidak diperbarui", "not upgraded"},
	"reason." + string(auth.ReasonNoUsableFactor):      {"tanpa faktor kedua yang dapat dipakai", "no usable second factor"},
	"reason." + string(auth.ReasonNotVerified):         {"perangkat tidak memverifikasi pengguna", "the device did not verify its user"},
	"reason." + string(auth.ReasonUnknownPasskey):      {"passkey tidak dikenal", "unknown passkey"},
	"reason." + string(auth.ReasonPasskeyCloned):       {"penghitung passkey mundur", "the passkey's counter went back"},
	"reason." + string(auth.ReasonOtherIdentity):       {"identitas lain di penyedia", "another identity at the provider"},
	"reason." + string(auth.ReasonStaleAuthentication): {"masuk di penyedia sebelum permintaan", "signed in at the provider before the request"},
	"scope.account":        {"akun", "account"},
	"scope.address":        {"alamat", "address"},
	"scope.pair":           {"akun dari alamat ini", "account from this address"},
	"scope.second_factor":  {"faktor kedua", "second factor"},
	"network.known":        {"pernah dipakai akun ini", "used by this account before"},
	"which.one":            {"satu", "one"},
	"which.others":         {"yang lain", "the others"},
	"which.all":            {"semua", "all"},
	"purpose.reset":        {"atur ulang kata sandi", "password reset"},
	"purpose.activate":     {"aktivasi", "activation"},
	"purpose.email_change": {"perubahan email", "email change"},
	"until.permanent":      {"sampai dibuka", "until unlocked"},
	"true":                 {"ya", "yes"},
	"false":                {"tidak", "no"},
	"totp":                 {"aplikasi autentikator", "authenticator app"},
	"totp_enrolled":        {"aplikasi autentikator didaftarkan", "authenticator app set up"},
	"email":                {"kode melalui email", "code by email"},
	"sms":                  {"kode melalui SMS", "code by SMS"},
	"whatsapp":             {"kode melalui WhatsApp", "code by WhatsApp"},
	"purpose.phone_change": {"perubahan nomor ponsel", "mobile number change"},
	"recovery":             {"kode pemulihan", "recovery code"},
	"passkey":              {"passkey", "passkey"},
	"passkey_enrolled":     {"passkey dibuat", "passkey set up"},
	"remembered":           {"perangkat yang diingat", "remembered device"},
}

// detail names one detail of an event and its value in lang: "alasan:
// kata sandi salah". A state is named as the account's states are; a
// list of methods ("totp,recovery") method by method.
func detail(lang, key, value string) string {
	label := key
	if m, ok := detailLabels[key]; ok {
		label = m[lix(lang)]
	}
	name := func(v string) string {
		for _, k := range []string{key + "." + v, v} {
			if m, ok := detailValues[k]; ok {
				return m[lix(lang)]
			}
		}
		if key == "state" {
			if m, ok := messages["state."+v]; ok {
				return m[lix(lang)]
			}
		}
		return v
	}
	if key == "by" {
		// An operator is recorded as "username#account ID" (see
		// app.operator): the name, and the start of the ID that tells
		// two operators of one name apart.
		if name, id, ok := strings.Cut(value, "#"); ok {
			value = tf(lang, "op.by", name, id[:min(len(id), 8)])
		}
	}
	switch key {
	case "methods", "method", "second_factor", "factor", "state", "scope", "network", "which", "purpose",
		"unlocked", "was_locked", "reason", "until", "passwordless":
		parts := strings.Split(value, ",")
		for i, p := range parts {
			parts[i] = name(p)
		}
		value = strings.Join(parts, ", ")
	}
	return label + ": " + value
}

// lix is the index of lang in the message pairs.
func lix(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// t returns the message key in lang, or the key itself when it has none
// (a test checks that every key the templates use exists).
func t(lang, key string) string {
	if m, ok := messages[key]; ok {
		return m[lix(lang)]
	}
	return key
}

// units are the words quantity counts in: Indonesian, English singular
// and English plural.
var units = map[string][3]string{
	"minute":  {"menit", "minute", "minutes"},
	"day":     {"hari", "day", "days"},
	"attempt": {"percobaan", "attempt", "attempts"},
	"upper":   {"huruf kapital", "capital letter", "capital letters"},
	"lower":   {"huruf kecil", "lowercase letter", "lowercase letters"},
	"digit":   {"angka", "digit", "digits"},
	"symbol":  {"simbol", "symbol", "symbols"},
}

// quantity says n of unit in lang: Indonesian nouns have no plural ("1
// menit", "5 menit"); English ones do ("1 minute", "5 minutes").
func quantity(lang string, n int, unit string) string {
	w := units[unit]
	switch {
	case lix(lang) == 0:
		return fmt.Sprintf("%d %s", n, w[0])
	case n == 1:
		return "1 " + w[1]
	}
	return fmt.Sprintf("%d %s", n, w[2])
}

// tf formats the message key in lang with args.
func tf(lang, key string, args ...any) string { return fmt.Sprintf(t(lang, key), args...) }

// eventLabel names an event kind in lang.
func eventLabel(lang string, kind auth.EventKind) string {
	if m, ok := eventLabels[kind]; ok {
		return m[lix(lang)]
	}
	return string(kind)
}

// wib is Western Indonesian Time, the zone the portal shows times in.
var wib = time.FixedZone("WIB", 7*60*60)

// clock formats a time of day for messages, "14.05 WIB" or "14:05 WIB".
func clock(lang string, tm time.Time) string {
	if lang == "en" {
		return tm.In(wib).Format("15:04 MST")
	}
	return tm.In(wib).Format("15.04 MST")
}

// stamp formats a date and time for tables.
func stamp(lang string, tm time.Time) string {
	if tm.IsZero() {
		return "-"
	}
	if lang == "en" {
		return tm.In(wib).Format("2 Jan 2006 15:04 MST")
	}
	return tm.In(wib).Format("02-01-2006 15.04 MST")
}

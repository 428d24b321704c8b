package main

// federationMessages are those of INApas (federation.go): the login
// page's button, the page of an answer that logs nobody in, and the
// security page's section.
var federationMessages = map[string][2]string{
	"fed.login.title":   {"Identitas Digital", "Digital identity"},
	"fed.login.hint":    {"Punya INApas? Masuk dengan identitas digital nasional Anda, tanpa kata sandi portal ini.", "Have INApas? Log in with your national digital identity, without this portal's password."},
	"fed.login.button":  {"Masuk dengan INApas", "Log in with INApas"},
	"fed.failed":        {"Masuk dengan INApas tidak berhasil", "Logging in with INApas did not succeed"},
	"fed.refused":       {"Jawaban INApas tidak dapat diterima: Anda membatalkannya, waktunya habis, jawaban itu sudah dipakai, atau datang ke peramban lain. Silakan coba lagi dari awal.", "INApas's answer could not be accepted: you cancelled, it took too long, it was used already, or it came to another browser. Please start again."},
	"fed.notlinked":     {"Akun INApas Anda belum terhubung ke akun di portal ini. Masuk dengan %s dan kata sandi, lalu hubungkan INApas di Akun saya › Verifikasi dua langkah.", "Your INApas is not linked to an account on this portal yet. Log in with your %s and password, then link INApas under My account › Two-step verification."},
	"fed.back.login":    {"Kembali ke halaman masuk", "Back to the login page"},
	"fed.back.security": {"Kembali ke Verifikasi dua langkah", "Back to two-step verification"},
	"fed.sf.intro":      {"INApas telah memastikan identitas Anda. Selesaikan dengan salah satu cara berikut.", "INApas has confirmed who you are. Finish with one of these."},
	"fed.intro":         {"Hubungkan INApas, identitas digital nasional, agar Anda dapat masuk ke akun ini dengannya.", "Link INApas, the national digital identity, so that you can log in to this account with it."},
	"fed.none":          {"INApas belum terhubung.", "INApas is not linked."},
	"fed.link":          {"Hubungkan INApas", "Link INApas"},
	"fed.unlink":        {"Putuskan", "Unlink"},
	"fed.linked.on":     {"terhubung %s", "linked %s"},
	"fed.linked.done":   {"INApas telah terhubung. Mulai sekarang Anda dapat masuk dengan INApas.", "INApas is linked. You can log in with INApas from now on."},
	"fed.unlinked.done": {"INApas telah diputuskan dari akun ini.", "INApas was unlinked from this account."},
}

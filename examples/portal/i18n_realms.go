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
// the password once, and changing the phone number.
var securityMessages = map[string][2]string{}

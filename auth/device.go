package auth

import "strings"

// Device is what a User-Agent header says of the browser and the system
// a request came from, for the lists of sessions, remembered devices and
// activity a person reads ("Chrome on Windows"), never for a decision:
// the header is whatever the client sends.
type Device struct {
	// Browser is "Chrome", "Firefox", "Safari", "Edge", "Opera",
	// "Samsung Internet" or "UC Browser"; empty when none is recognised.
	Browser string
	// OS is "Windows", "macOS", "Linux", "Android", "iOS", "iPadOS" or
	// "ChromeOS"; empty when none is recognised.
	OS string
}

// ParseDevice reads the browser and system out of a User-Agent header.
// It looks for the tokens browsers put there, the most specific first
// (Edge and Opera say "Chrome" too, and Chrome says "Safari").
func ParseDevice(userAgent string) Device {
	ua := userAgent
	if len(ua) > 512 {
		ua = ua[:512] // every real header says what it says well before this
	}
	var d Device
	for _, b := range browsers {
		if strings.Contains(ua, b.token) && (b.not == "" || !strings.Contains(ua, b.not)) {
			d.Browser = b.name
			break
		}
	}
	for _, o := range systems {
		if strings.Contains(ua, o.token) {
			d.OS = o.name
			break
		}
	}
	return d
}

var browsers = []struct{ token, not, name string }{
	{"Edg/", "", "Edge"},
	{"EdgA/", "", "Edge"},
	{"EdgiOS/", "", "Edge"},
	{"OPR/", "", "Opera"},
	{"SamsungBrowser/", "", "Samsung Internet"},
	{"UCBrowser/", "", "UC Browser"},
	{"Firefox/", "", "Firefox"},
	{"FxiOS/", "", "Firefox"},
	{"CriOS/", "", "Chrome"},
	{"Chrome/", "", "Chrome"},
	{"Safari/", "Chrom", "Safari"},
}

var systems = []struct{ token, name string }{
	{"Windows", "Windows"},
	{"iPhone", "iOS"},
	{"iPad", "iPadOS"},
	{"Android", "Android"},
	{"CrOS", "ChromeOS"},
	{"Mac OS X", "macOS"},
	{"Macintosh", "macOS"},
	{"Linux", "Linux"},
}

// Label says the device in lang, "id" or "en": "Chrome di Windows",
// "Chrome on Windows"; the browser or the system alone when only one is
// known, and "perangkat tidak dikenal" / "unknown device" when neither
// is.
func (d Device) Label(lang string) string {
	en := strings.HasPrefix(strings.ToLower(lang), "en")
	switch {
	case d.Browser != "" && d.OS != "":
		if en {
			return d.Browser + " on " + d.OS
		}
		return d.Browser + " di " + d.OS
	case d.Browser != "":
		return d.Browser
	case d.OS != "":
		return d.OS
	case en:
		return "unknown device"
	}
	return "perangkat tidak dikenal"
}

package lockout

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ClientAddr returns the address of the client that sent r, for counting:
// the host part of r.RemoteAddr, unless that is one of the trusted proxy
// networks, in which case it reads X-Forwarded-For from right to left,
// skipping trusted proxies, and returns the first address that is not one.
// That address was written by the outermost trusted proxy, so the client
// cannot forge it; whatever the client put further left is never read.
//
// With no trusted networks the header is never read: a client can write
// anything into it. Behind a proxy that is not listed, every request comes
// from the proxy's address; list your proxies, or the Address counter
// locks everyone out at once.
func ClientAddr(r *http.Request, trusted []netip.Prefix) string {
	remote := remoteIP(r.RemoteAddr)
	if !remote.IsValid() {
		return r.RemoteAddr
	}
	if !isTrusted(remote, trusted) {
		return remote.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for j := len(parts) - 1; j >= 0; j-- {
			ip, err := netip.ParseAddr(strings.TrimSpace(parts[j]))
			if err != nil {
				// A trusted proxy wrote garbage: the chain cannot be read
				// further, and the last hop we can vouch for is remote.
				return remote.String()
			}
			ip = ip.Unmap().WithZone("")
			if !isTrusted(ip, trusted) {
				return ip.String()
			}
			remote = ip
		}
	}
	// Every hop was a trusted proxy: the request began at one of them.
	return remote.String()
}

func remoteIP(addr string) netip.Addr {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return ip.Unmap().WithZone("")
}

func isTrusted(ip netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

package ratelimit

import "net/netip"

// AddressKey is the rate-limit key of a client address: an IPv4 address
// itself, an IPv6 address its /64 (one subscriber usually holds a whole
// /64, so per-address limits would be trivial to dodge). A value that is not
// an address is its own key.
func AddressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.WithZone("").Unmap()
	if a.Is4() {
		return a.String()
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Behind a trusted proxy the client is the last address the proxies did
// not add; a client's own X-Forwarded-For entries are ignored, and an
// untrusted peer's header is never read.
func TestClientIPBehindProxy(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1, 10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Deps: Deps{TrustedProxies: proxies}}
	var got string
	h := s.withClientIP(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = clientIP(r) }))
	for _, tc := range []struct{ remote, xff, want string }{
		{"127.0.0.1:5000", "203.0.113.9", "203.0.113.9"},
		{"127.0.0.1:5000", "6.6.6.6, 203.0.113.9", "203.0.113.9"},  // forged first entry ignored
		{"127.0.0.1:5000", "203.0.113.9, 10.1.2.3", "203.0.113.9"}, // two trusted hops
		{"198.51.100.7:5000", "203.0.113.9", "198.51.100.7"},       // untrusted peer: header ignored
		{"127.0.0.1:5000", "", "127.0.0.1"},                        // no header
		{"127.0.0.1:5000", "junk, 203.0.113.9", "203.0.113.9"},     // garbage further left is never reached
		{"127.0.0.1:5000", "203.0.113.9, junk", "127.0.0.1"},       // garbage at the right: keep the proxy
		{"[::1]:5000", "2001:db8::1", "::1"},                       // ::1 not trusted here
		{"127.0.0.1:5000", "::ffff:203.0.113.9", "203.0.113.9"},    // mapped IPv4
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != tc.want {
			t.Errorf("%s + %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/33"); err == nil {
		t.Error("bad prefix accepted")
	}
	if _, err := ParseTrustedProxies("nginx"); err == nil {
		t.Error("a host name accepted")
	}
}

package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"net"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeSMTP speaks enough SMTP (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA,
// QUIT) on 127.0.0.1 to receive what Sender sends.
type fakeSMTP struct {
	ln       net.Listener
	cert     *tls.Certificate // offered for STARTTLS when set
	implicit bool             // the listener is TLS already

	mu       sync.Mutex
	from     string
	rcpt     []string
	data     string
	auth     string
	startTLS bool
	done     chan struct{}
}

func startFake(t *testing.T, cert *tls.Certificate, implicit bool) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if implicit {
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{*cert}})
	}
	f := &fakeSMTP{ln: ln, cert: cert, implicit: implicit, done: make(chan struct{})}
	t.Cleanup(func() { ln.Close() })
	go f.serve()
	return f
}

func (f *fakeSMTP) port() string {
	_, p, _ := net.SplitHostPort(f.ln.Addr().String())
	return p
}

func (f *fakeSMTP) serve() {
	conn, err := f.ln.Accept()
	if err != nil {
		return
	}
	defer close(f.done)
	defer func() { conn.Close() }()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	say := func(s string) { io.WriteString(conn, s+"\r\n") }
	say("220 fake.test ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO", "HELO":
			if f.cert != nil && !f.implicit && !f.startTLS {
				say("250-fake.test")
				say("250-STARTTLS")
				say("250 AUTH PLAIN")
			} else {
				say("250-fake.test")
				say("250 AUTH PLAIN")
			}
		case "STARTTLS":
			say("220 go ahead")
			tc := tls.Server(conn, &tls.Config{Certificates: []tls.Certificate{*f.cert}})
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, r = tc, bufio.NewReader(tc)
			f.mu.Lock()
			f.startTLS = true
			f.mu.Unlock()
		case "AUTH":
			parts := strings.Fields(line)
			if len(parts) == 3 {
				b, _ := base64.StdEncoding.DecodeString(parts[2])
				f.mu.Lock()
				f.auth = string(b)
				f.mu.Unlock()
			}
			say("235 ok")
		case "MAIL":
			f.mu.Lock()
			f.from = line
			f.mu.Unlock()
			say("250 ok")
		case "RCPT":
			f.mu.Lock()
			f.rcpt = append(f.rcpt, line)
			f.mu.Unlock()
			say("250 ok")
		case "DATA":
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			f.mu.Lock()
			f.data = b.String()
			f.mu.Unlock()
			say("250 queued")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown")
		}
	}
}

func selfSigned(t *testing.T) (*tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// decode reads a received message back: subject through RFC 2047, body
// through base64.
func decode(t *testing.T, raw string) (*netmail.Message, string, string) {
	t.Helper()
	m, err := netmail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("received message does not parse: %v\n%s", err, raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("subject: %v", err)
	}
	if m.Header.Get("Content-Transfer-Encoding") != "base64" || !strings.Contains(m.Header.Get("Content-Type"), "charset=UTF-8") {
		t.Fatalf("body headers: %v", m.Header)
	}
	enc, _ := io.ReadAll(m.Body)
	body, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(enc)))
	if err != nil {
		t.Fatalf("body: %v", err)
	}
	return m, subject, string(body)
}

const (
	subject = "【依申请公开提醒】2026年3月20日：已超期 1 件，临近到期 2 件；这是一个足够长、需要折行编码的中文主题"
	body    = "刘敏，您好：\n\n截至 2026年3月20日，您承办的申请中：\n  YSQ-2026-ABCDEF-GHJKMN  答复期限 2026年3月13日，已超期 5 个工作日\n.以点开头的一行\n"
)

func TestSendPlain(t *testing.T) {
	f := startFake(t, nil, false)
	s, err := New("smtp://robot:s3cret@127.0.0.1:" + f.port() + "?from=gongkai@example.gov.cn&tls=none")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 20, 8, 30, 0, 0, time.FixedZone("CST", 8*3600))
	s.Now = func() time.Time { return now }
	if err := s.Send(context.Background(), []string{"liumin@example.gov.cn"}, subject, body); err != nil {
		t.Fatal(err)
	}
	<-f.done
	m, subj, text := decode(t, f.data)
	if subj != subject {
		t.Errorf("subject %q", subj)
	}
	if text != strings.ReplaceAll(body, "\n", "\r\n") {
		t.Errorf("body %q", text)
	}
	for _, line := range strings.Split(f.data, "\r\n") {
		if len(line) > 78 {
			t.Errorf("line longer than 78: %q", line)
		}
	}
	if d, err := m.Header.Date(); err != nil || !d.Equal(now) {
		t.Errorf("Date: %v %v", d, err)
	}
	if id := m.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@example.gov.cn>") {
		t.Errorf("Message-ID %q", id)
	}
	if m.Header.Get("To") != "liumin@example.gov.cn" || m.Header.Get("Auto-Submitted") != "auto-generated" {
		t.Errorf("headers %v", m.Header)
	}
	if f.from != "MAIL FROM:<gongkai@example.gov.cn>" || len(f.rcpt) != 1 || f.rcpt[0] != "RCPT TO:<liumin@example.gov.cn>" {
		t.Errorf("envelope %q %q", f.from, f.rcpt)
	}
	if f.auth != "\x00robot\x00s3cret" { // plain auth is allowed to localhost only
		t.Errorf("auth %q", f.auth)
	}
}

func TestSendSTARTTLSAndImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	for _, mode := range []string{StartTLS, TLS} {
		f := startFake(t, cert, mode == TLS)
		s, err := New("smtp://127.0.0.1:" + f.port() + "?from=" + "%E5%85%AC%E5%BC%80%E5%B9%B3%E5%8F%B0%20%3Cgongkai@example.gov.cn%3E" + "&tls=" + mode)
		if err != nil {
			t.Fatal(err)
		}
		s.TLSConfig = &tls.Config{RootCAs: pool}
		if err := s.Send(context.Background(), []string{"a@example.gov.cn", "b@example.gov.cn"}, subject, body); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		<-f.done
		if mode == StartTLS && !f.startTLS {
			t.Errorf("STARTTLS not used")
		}
		m, subj, _ := decode(t, f.data)
		if subj != subject || len(f.rcpt) != 2 {
			t.Errorf("%s: subject %q rcpt %q", mode, subj, f.rcpt)
		}
		from, err := m.Header.AddressList("From")
		if err != nil || len(from) != 1 || from[0].Name != "公开平台" || from[0].Address != "gongkai@example.gov.cn" {
			t.Errorf("%s: From %v %v", mode, from, err)
		}
	}
}

func TestSTARTTLSRequired(t *testing.T) {
	f := startFake(t, nil, false) // offers no STARTTLS
	s, _ := New("smtp://127.0.0.1:" + f.port() + "?from=gongkai@example.gov.cn")
	if err := s.Send(context.Background(), []string{"a@example.gov.cn"}, "x", "y"); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("server without STARTTLS: %v", err)
	}
}

func TestParseURL(t *testing.T) {
	good := []struct{ url, host, port, tls, user string }{
		{"smtp://u:p@mail.example.gov.cn?from=a@example.gov.cn", "mail.example.gov.cn", "587", StartTLS, "u"},
		{"smtp://mail.example.gov.cn:2525?from=a@example.gov.cn&tls=none", "mail.example.gov.cn", "2525", NoTLS, ""},
		{"smtp://mail.example.gov.cn?from=a@example.gov.cn&tls=tls", "mail.example.gov.cn", "465", TLS, ""},
		{"smtps://mail.example.gov.cn?from=a@example.gov.cn", "mail.example.gov.cn", "465", TLS, ""},
	}
	for _, g := range good {
		c, err := ParseURL(g.url)
		if err != nil || c.Host != g.host || c.Port != g.port || c.TLS != g.tls || c.User != g.user || c.From.Address != "a@example.gov.cn" {
			t.Errorf("%s: %+v %v", g.url, c, err)
		}
	}
	for _, bad := range []string{"http://x?from=a@b.cn", "smtp://?from=a@b.cn", "smtp://x", "smtp://x?from=nope", "smtp://x?from=a@b.cn&tls=ssl"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	c, _ := ParseURL("smtp://u:topsecret@x?from=a@b.cn")
	if strings.Contains(c.String(), "topsecret") {
		t.Errorf("String shows the password: %s", c)
	}
}

func TestComposeNoHeaderInjection(t *testing.T) {
	m := Compose(netmail.Address{Address: "a@b.cn"}, []string{"c@d.cn"}, "提醒\r\nBcc: x@evil.example", "正文", time.Now())
	msg, err := netmail.ReadMessage(strings.NewReader(string(m)))
	if err != nil || msg.Header.Get("Bcc") != "" {
		t.Errorf("header injection: %v %v", msg.Header, err)
	}
}

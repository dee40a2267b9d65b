// Package mail sends plain-text e-mail (the daily reminder digests) through
// an SMTP server configured by one URL:
//
//	smtp://user:pass@host:587?from=gongkai@example.gov.cn&tls=starttls
//
// tls is starttls (default; port 587), tls (implicit TLS, port 465) or none
// (port 25; only for a relay on the same machine or network — credentials
// are refused over an unencrypted connection except to localhost).
// Messages are UTF-8: the subject as RFC 2047 encoded words, the body
// base64, with Date, Message-ID and Auto-Submitted headers.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// TLS modes.
const (
	StartTLS = "starttls"
	TLS      = "tls"
	NoTLS    = "none"
)

// Config is a parsed SMTP URL.
type Config struct {
	Host, Port string
	User, Pass string
	From       netmail.Address
	TLS        string
}

// ParseURL reads smtp://[user[:pass]@]host[:port]?from=ADDR[&tls=MODE].
// Errors never repeat the password.
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Config{}, errors.New("发件服务器地址格式不正确，应为 smtp://用户:密码@主机:端口?from=发件地址&tls=starttls|tls|none")
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return Config{}, fmt.Errorf("发件服务器地址应以 smtp:// 开头（现为 %q）", u.Scheme+"://")
	}
	c := Config{Host: u.Hostname(), Port: u.Port(), TLS: u.Query().Get("tls")}
	if c.Host == "" {
		return Config{}, errors.New("发件服务器地址缺少主机名")
	}
	if u.User != nil {
		c.User = u.User.Username()
		c.Pass, _ = u.User.Password()
	}
	if c.TLS == "" {
		c.TLS = StartTLS
		if u.Scheme == "smtps" {
			c.TLS = TLS
		}
	}
	switch c.TLS {
	case StartTLS:
		c.Port = orDefault(c.Port, "587")
	case TLS:
		c.Port = orDefault(c.Port, "465")
	case NoTLS:
		c.Port = orDefault(c.Port, "25")
	default:
		return Config{}, fmt.Errorf("tls 参数应为 starttls、tls 或 none（现为 %q）", c.TLS)
	}
	from := u.Query().Get("from")
	if from == "" {
		return Config{}, errors.New("发件服务器地址缺少 from 参数（发件地址），例如 ?from=gongkai@example.gov.cn")
	}
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return Config{}, fmt.Errorf("from 参数不是有效的电子邮箱：%q", from)
	}
	c.From = *a
	return c, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// String is the configuration without the password, for logs.
func (c Config) String() string {
	user := ""
	if c.User != "" {
		user = c.User + "@"
	}
	return fmt.Sprintf("smtp://%s%s?from=%s&tls=%s", user, net.JoinHostPort(c.Host, c.Port), c.From.Address, c.TLS)
}

// Sender sends messages through the configured server, one connection per
// message (a digest run sends a handful).
type Sender struct {
	Config
	// TLSConfig overrides the client TLS settings (tests trust their own
	// certificate with it); nil verifies the server against the system roots.
	TLSConfig *tls.Config
	// Hello is the name sent in EHLO; empty = the host name.
	Hello   string
	Timeout time.Duration    // per message; 0 = 60 s
	Now     func() time.Time // for the Date header; nil = time.Now
}

// New returns a Sender for an SMTP URL.
func New(raw string) (*Sender, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	return &Sender{Config: c}, nil
}

func (s *Sender) tlsConfig() *tls.Config {
	if s.TLSConfig != nil {
		c := s.TLSConfig.Clone()
		if c.ServerName == "" {
			c.ServerName = s.Host
		}
		return c
	}
	return &tls.Config{ServerName: s.Host, MinVersion: tls.VersionTLS12}
}

// Send delivers one plain-text message to the recipients.
func (s *Sender) Send(ctx context.Context, to []string, subject, body string) error {
	if len(to) == 0 {
		return errors.New("mail: no recipients")
	}
	for _, t := range to {
		if a, err := netmail.ParseAddress(t); err != nil || a.Address != t {
			return fmt.Errorf("mail: bad recipient %q", t)
		}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	msg := Compose(s.From, to, subject, body, now())
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, s.Port)
	var conn net.Conn
	var err error
	if s.TLS == TLS {
		conn, err = (&tls.Dialer{Config: s.tlsConfig()}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("连接发件服务器 %s 失败：%w", addr, err)
	}
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) }) // cancellation interrupts a blocked read
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("发件服务器 %s 未正常应答：%w", addr, err)
	}
	defer c.Close()
	if err := s.converse(c, to, msg); err != nil {
		return fmt.Errorf("经 %s 发送邮件失败：%w", addr, err)
	}
	return nil
}

func (s *Sender) converse(c *smtp.Client, to []string, msg []byte) error {
	hello := s.Hello
	if hello == "" {
		hello, _ = os.Hostname()
		if hello == "" || strings.ContainsAny(hello, " \r\n") {
			hello = "localhost"
		}
	}
	if err := c.Hello(hello); err != nil {
		return err
	}
	if s.TLS == StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("服务器不支持 STARTTLS（如确需明文发送，使用 tls=none）")
		}
		if err := c.StartTLS(s.tlsConfig()); err != nil {
			return err
		}
	}
	if s.User != "" {
		if err := c.Auth(smtp.PlainAuth("", s.User, s.Pass, s.Host)); err != nil {
			return fmt.Errorf("登录失败：%w", err)
		}
	}
	if err := c.Mail(s.From.Address); err != nil {
		return err
	}
	for _, t := range to {
		if err := c.Rcpt(t); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// Compose builds the message: headers in CRLF lines, the subject and any
// display names as RFC 2047 encoded words, the body base64 in 76-column
// lines (so any text, with any line length, passes every relay).
func Compose(from netmail.Address, to []string, subject, body string, now time.Time) []byte {
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", strings.Join(to, ", "))
	header("Subject", encodeHeader(subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", messageID(from.Address, now))
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=UTF-8")
	header("Content-Transfer-Encoding", "base64")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no vacation replies
	b.WriteString("\r\n")
	text := strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	if enc != "" {
		b.WriteString(enc + "\r\n")
	}
	return b.Bytes()
}

// encodeHeader encodes a header value as UTF-8 B encoded words when it is
// not plain ASCII: words of at most 42 bytes (whole characters), one per
// line, so every line stays within 78 columns after "Subject: ".
func encodeHeader(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' ' // no header injection
		}
		return r
	}, v)
	if mime.BEncoding.Encode("UTF-8", v) == v {
		return v // ASCII needs no encoding
	}
	var words []string
	for v != "" {
		n := 0
		for n < len(v) {
			_, l := utf8.DecodeRuneInString(v[n:])
			if n+l > 42 && n > 0 {
				break
			}
			n += l
		}
		words = append(words, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(strings.ToValidUTF8(v[:n], "\uFFFD")))+"?=")
		v = v[n:]
	}
	return strings.Join(words, "\r\n ")
}

func messageID(from string, now time.Time) string {
	b := make([]byte, 12)
	rand.Read(b)
	domain := "localhost"
	if i := strings.LastIndexByte(from, '@'); i >= 0 && i < len(from)-1 {
		domain = from[i+1:]
	}
	return fmt.Sprintf("<%d.%s@%s>", now.Unix(), hex.EncodeToString(b), domain)
}

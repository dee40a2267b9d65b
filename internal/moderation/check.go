package moderation

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/textsearch"
)

// Field is one input a citizen typed.
type Field struct {
	Name  string // the form field, for errors
	Label string // how the form labels it, for messages
	Value string
	Long  bool // a body: MaxBody applies, else MaxShort
	Max   int  // a tighter limit for this field (0: the config's)
}

// Submission is what Check looks at.
type Submission struct {
	Fields   []Field
	Contact  string // the phone or e-mail given, if any
	IP       string // the client address
	Honeypot string // the value of the hidden field people never fill
}

// Verdict is the outcome of a check that did not refuse.
type Verdict struct {
	// Hold: the text waits for a moderator even in ModePost, because it
	// matched the review word list (Matched).
	Hold    bool
	Matched []string
}

// Refusals that name no field. They are deliberately plain: a spammer
// learns nothing from them, a person knows whom to ask.
var (
	errHoneypot = apperr.New(apperr.Invalid, "提交未成功，请刷新页面后重新填写")
	errBlocked  = apperr.New(apperr.Forbidden, "您的提交未被受理。如有疑问，请通过政务服务热线咨询。")
)

// Honeypot refuses a submission whose hidden field was filled: people
// never see it (it is off screen, out of the tab order and hidden from
// screen readers), form-filling robots fill every field.
func Honeypot(value string) error {
	if value != "" {
		return errHoneypot
	}
	return nil
}

// Check applies the policy to a submission: it refuses (an error naming
// the field where there is one) or returns whether the text must wait for a
// moderator. Callers trim the values first.
func (c Config) Check(s Submission) (Verdict, error) {
	if err := Honeypot(s.Honeypot); err != nil {
		return Verdict{}, err
	}
	if c.blockedIP(s.IP) || c.blockedContact(s.Contact) {
		return Verdict{}, errBlocked
	}
	var fs apperr.Fields
	links := 0
	linkField := ""
	var v Verdict
	for _, f := range s.Fields {
		max := c.MaxShort
		if f.Long {
			max = c.MaxBody
		}
		if f.Max > 0 && f.Max < max {
			max = f.Max
		}
		if n := utf8.RuneCountInString(f.Value); n > max {
			fs.Add(f.Name, fmt.Sprintf("%s最多 %d 字（现为 %d 字）", f.Label, max, n))
			continue
		}
		if n := CountLinks(f.Value); n > 0 {
			links += n
			if linkField == "" || f.Long {
				linkField = f.Name
			}
		}
		norm := Normalize(f.Value)
		if w := firstWord(norm, c.BlockWords); w != "" {
			fs.Add(f.Name, fmt.Sprintf("%s含有不允许发布的词语“%s”，请修改后再提交", f.Label, w))
			continue
		}
		for _, bc := range c.BlockContacts {
			if nc := contactNeedle(bc); len(nc) >= 5 && strings.Contains(norm, nc) {
				return Verdict{}, errBlocked
			}
		}
		for _, w := range c.ReviewWords {
			if nw := Normalize(w); nw != "" && strings.Contains(norm, nw) && !contains(v.Matched, w) {
				v.Matched = append(v.Matched, w)
			}
		}
	}
	if links > c.MaxLinks {
		msg := fmt.Sprintf("最多可包含 %d 个网址（现为 %d 个），请删去多余的网址", c.MaxLinks, links)
		if c.MaxLinks == 0 {
			msg = "不能包含网址，请删去后再提交"
		}
		fs.Add(linkField, msg)
	}
	if err := fs.Err(); err != nil {
		return Verdict{}, err
	}
	v.Hold = len(v.Matched) > 0
	return v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func firstWord(norm string, words []string) string {
	for _, w := range words {
		if nw := Normalize(w); nw != "" && strings.Contains(norm, nw) {
			return w
		}
	}
	return ""
}

func (c Config) blockedIP(ip string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return false
	}
	a = a.WithZone("").Unmap()
	for _, p := range c.BlockIPs {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (c Config) blockedContact(contact string) bool {
	nc := NormalizeContact(contact)
	if nc == "" {
		return false
	}
	for _, bc := range c.BlockContacts {
		if NormalizeContact(bc) == nc {
			return true
		}
	}
	return false
}

// contactNeedle is a blocked contact as it appears in normalized text
// (Normalize drops the @ and dots of an address).
func contactNeedle(bc string) string {
	if strings.Contains(bc, "@") {
		return Normalize(bc)
	}
	return NormalizeContact(bc)
}

// NormalizeContact reduces a contact to what identifies it: an e-mail
// address in lower case, or a phone number's digits without the +86
// country code, so "138 0013 8000" and "+86-13800138000" are one contact.
func NormalizeContact(s string) string {
	s = strings.ToLower(strings.TrimSpace(textsearch.Fold(s)))
	if strings.Contains(s, "@") {
		return strings.Join(strings.Fields(s), "")
	}
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	return d
}

// linkRE matches a web address: with a scheme, starting www., or a bare
// domain under a common top-level domain. An address ends at the first
// character that is not ASCII URL syntax, so Chinese text or a comma right
// after it is not swallowed (and a second address behind it still counts). Text is folded first, so
// full-width ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ counts too.
var linkRE = regexp.MustCompile(`(?:https?://|www\.)[a-z0-9\-._~:/?#@!$&*+=%]+|[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|cn|net|org|gov|edu|info|top|xyz|vip|cc|me|io|co|biz|shop|site|online|club|tk|ru|hk|tw)\b`)

// CountLinks counts web addresses in s; an e-mail address is not one.
func CountLinks(s string) int {
	f := textsearch.Fold(s)
	n := 0
	for _, m := range linkRE.FindAllStringIndex(f, -1) {
		if m[0] > 0 && f[m[0]-1] == '@' {
			continue
		}
		n++
	}
	return n
}

// Normalize folds text for matching words and comparing opinions: NFKC
// (full-width to half-width), lower case, traditional to simplified
// characters (textsearch.Fold), then letters and digits only, so spacing,
// punctuation and "加 微 信" style padding do not matter.
func Normalize(s string) string {
	f := textsearch.Fold(s)
	var b strings.Builder
	b.Grow(len(f))
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

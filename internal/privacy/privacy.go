// Package privacy owns the pre-publication screening of text and attachments
// for personal information (resident ID, mobile and landline numbers, bank
// cards, e-mail addresses) and classification markings (绝密/机密/秘密★…,
// 内部资料 and similar), as required by 保密审查 and 敏感信息专项整治 before
// anything is disclosed. It also owns the plain-text extraction of the
// attachment formats staff upload (xlsx, docx, pdf, csv, txt) so that the
// same rules apply to attachments as to the page body.
//
// Scan is a hand-written single pass over the text; scanRegexp in the tests is
// a regexp formulation of the same rules that Scan is checked against.
package privacy

import (
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind names what a Finding is.
type Kind string

// The kinds of sensitive content Scan reports.
const (
	KindIDCard        Kind = "id_card"
	KindMobile        Kind = "mobile"
	KindLandline      Kind = "landline"
	KindBankCard      Kind = "bank_card"
	KindEmail         Kind = "email"
	KindSecretMarking Kind = "secret_marking"
)

// Label is the name staff see in review screens and reports.
func (k Kind) Label() string {
	switch k {
	case KindIDCard:
		return "身份证号码"
	case KindMobile:
		return "手机号码"
	case KindLandline:
		return "固定电话"
	case KindBankCard:
		return "银行卡号"
	case KindEmail:
		return "电子邮箱"
	case KindSecretMarking:
		return "密级标识"
	}
	return string(k)
}

// Severity orders findings for review; High blocks publication outright.
type Severity int

// Severities, ordered so that a larger value is more serious.
const (
	Low Severity = iota + 1
	Medium
	High
)

func (s Severity) String() string {
	switch s {
	case Low:
		return "low"
	case Medium:
		return "medium"
	case High:
		return "high"
	}
	return "unknown"
}

// Label is the Chinese name of the severity for review screens.
func (s Severity) Label() string {
	switch s {
	case Low:
		return "低"
	case Medium:
		return "中"
	case High:
		return "高"
	}
	return "未知"
}

// SeverityOf returns the fixed severity of a kind.
func SeverityOf(k Kind) Severity {
	switch k {
	case KindIDCard, KindBankCard, KindSecretMarking:
		return High
	case KindMobile, KindEmail:
		return Medium
	case KindLandline:
		return Low
	}
	return Low
}

// Finding is one match. Offset and Length count runes of the scanned text so
// that UIs working on JavaScript strings or []rune can highlight it.
type Finding struct {
	Kind     Kind
	Severity Severity
	Offset   int    // rune offset in the scanned text
	Length   int    // in runes
	Text     string // the matched text as it appears
	Masked   string // Text with the identifying middle replaced by '*'
	Context  string // surrounding text with every finding in it masked
}

// contextRunes is how much surrounding text a reviewer needs to judge a
// finding without the report itself becoming a second copy of the data.
const contextRunes = 15

// span is a finding before it is dressed up: both byte and rune bounds are
// kept so that finishing never has to re-count runes from the start.
type span struct {
	kind   Kind
	bs, be int // bytes
	rs, re int // runes
}

// kindRank breaks ties between candidates with the same start and length.
// The rules make such ties impossible today; the order exists so that the
// fast scanner and the regexp reference can never disagree if one appears.
func kindRank(k Kind) int {
	switch k {
	case KindSecretMarking:
		return 0
	case KindIDCard:
		return 1
	case KindBankCard:
		return 2
	case KindMobile:
		return 3
	case KindLandline:
		return 4
	case KindEmail:
		return 5
	}
	return 6
}

// Scan reports personal information and classification markings in text,
// ordered by offset and never overlapping. Where candidates overlap, the one
// starting first wins, then the longer one.
//
// Full-width digits, letters and punctuation count as their ASCII forms.
// Numbers must stand apart from other digits (and, for bank cards, from
// letters too), so serial numbers, credit codes and dates do not yield
// fragments. Resident IDs must carry a valid province, birth date and check
// character; bank cards a card issuer prefix and a valid Luhn digit; a
// number that is a valid unified social credit code is never a card.
func Scan(text string) []Finding {
	return finish(text, scanSpans(text, todayYMD()))
}

// todayYMD bounds birth dates: nobody in a document is born tomorrow. Local
// time is what the staff member's calendar says.
func todayYMD() int {
	t := time.Now()
	return t.Year()*10000 + int(t.Month())*100 + t.Day()
}

func finish(text string, spans []span) []Finding {
	if len(spans) == 0 {
		return nil
	}
	out := make([]Finding, len(spans))
	// All masked forms and contexts are written into one buffer and sliced
	// out of it: a fixed few allocations per scan instead of two per
	// finding, which matters on documents with thousands of findings.
	type bounds struct{ cs, ms, me, ce int }
	bs := make([]bounds, len(spans))
	var b strings.Builder
	size := 0
	for _, sp := range spans {
		size += sp.be - sp.bs + 8*contextRunes
	}
	b.Grow(size)
	for i, sp := range spans {
		lo := sp.bs
		floor := 0
		if i > 0 {
			floor = spans[i-1].be
		}
		// Step over UTF-8 continuation bytes rather than decoding: the
		// context is for display, and a stray byte is a rune like any other.
		for n := 0; n < contextRunes && lo > floor; n++ {
			lo--
			for lo > floor && text[lo]&0xC0 == 0x80 && sp.bs-lo < 4*contextRunes {
				lo--
			}
		}
		hi := sp.be
		ceil := len(text)
		if i+1 < len(spans) {
			ceil = spans[i+1].bs
		}
		for n := 0; n < contextRunes && hi < ceil; n++ {
			hi++
			for hi < ceil && text[hi]&0xC0 == 0x80 && hi-sp.be < 4*contextRunes {
				hi++
			}
		}
		// Neighbouring findings are cut off rather than shown, so a context
		// line can never carry another raw value.
		var bd bounds
		bd.cs = b.Len()
		writeContext(&b, text[lo:sp.bs])
		bd.ms = b.Len()
		writeMasked(&b, sp.kind, text[sp.bs:sp.be])
		bd.me = b.Len()
		writeContext(&b, text[sp.be:hi])
		bd.ce = b.Len()
		bs[i] = bd
	}
	all := b.String()
	for i, sp := range spans {
		bd := bs[i]
		out[i] = Finding{
			Kind:     sp.kind,
			Severity: SeverityOf(sp.kind),
			Offset:   sp.rs,
			Length:   sp.re - sp.rs,
			Text:     text[sp.bs:sp.be],
			Masked:   all[bd.ms:bd.me],
			Context:  all[bd.cs:bd.ce],
		}
	}
	return out
}

// writeContext keeps a context on one line for report tables and logs, and
// valid UTF-8 whatever the input was.
func writeContext(b *strings.Builder, s string) {
	if plainText(s) {
		b.WriteString(s)
		return
	}
	for _, r := range s {
		if r == '\r' || r == '\n' || r == '\t' {
			r = ' '
		}
		b.WriteRune(r)
	}
}

// plainText reports whether s is printable ASCII and well-formed three-byte
// UTF-8 (which covers CJK and full-width forms), the case for nearly every
// context, so that it can be copied as is.
func plainText(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c < utf8.RuneSelf:
			if c == '\r' || c == '\n' || c == '\t' {
				return false
			}
			i++
		case c >= 0xE1 && c <= 0xEF && c != 0xED && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80:
			i += 3
		default:
			return false
		}
	}
	return true
}

// writeMasked writes s with the identifying part of the match hidden,
// keeping enough (area code, issuing bank, first letter of a mailbox) for a
// reviewer to recognise what it was. Separators and full-width forms are
// kept as written so the masked text lines up with the original rune for
// rune.
func writeMasked(b *strings.Builder, k Kind, s string) {
	switch k {
	case KindSecretMarking:
		b.WriteString(s)
		return
	case KindEmail:
		writeMaskedEmail(b, s)
		return
	case KindLandline:
		writeMaskedLandline(b, s)
		return
	}
	digits := 0
	for _, r := range s {
		if r = normRune(r); isDigit(r) || r == 'X' || r == 'x' {
			digits++
		}
	}
	// from and to are ordinals of digits to hide, counted over the digits
	// (and ID check letter) only, so separators do not shift them.
	var from, to int
	switch k {
	case KindIDCard:
		from, to = 6, digits-4
		if digits == 15 {
			to = 12
		}
	case KindBankCard:
		from, to = 6, digits-4
	case KindMobile:
		from, to = digits-8, digits-4
	}
	o := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if n := normRune(r); isDigit(n) || n == 'X' || n == 'x' {
			if o >= from && o < to {
				b.WriteByte('*')
				o++
				i += size
				continue
			}
			o++
		}
		b.WriteString(s[i : i+size])
		i += size
	}
}

// writeMaskedLandline hides digits 2–4 of the subscriber number
// (010-6***5678, 0571-8***567): the exchange prefix and the tail stay, which
// is what staff use to tell lines apart. The subscriber number is the second
// run of digits; the area code is the first.
func writeMaskedLandline(b *strings.Builder, s string) {
	run, inRun, pos := 0, false, 0
	for _, r := range s {
		if isDigit(normRune(r)) {
			if !inRun {
				run++
				inRun, pos = true, 0
			}
			if run == 2 && pos >= 1 && pos <= 3 {
				r = '*'
			}
			pos++
		} else {
			inRun = false
		}
		b.WriteRune(r)
	}
}

// writeMaskedEmail keeps the first character of the mailbox and writes a
// fixed three stars (fewer for a two-letter mailbox) so the length of the
// local part is not shown; the result is never longer than the input, so
// Mask cannot shift later text. A one-letter mailbox has nothing to keep.
func writeMaskedEmail(b *strings.Builder, s string) {
	at := strings.IndexAny(s, "@＠")
	if at < 0 {
		b.WriteString(s)
		return
	}
	local := utf8.RuneCountInString(s[:at])
	if local < 2 {
		b.WriteByte('*')
		b.WriteString(s[at:])
		return
	}
	_, first := utf8.DecodeRuneInString(s)
	b.WriteString(s[:first])
	for n := min(3, local-1); n > 0; n-- {
		b.WriteByte('*')
	}
	b.WriteString(s[at:])
}

// Mask replaces every finding in text by its Masked form. Findings whose
// Offset/Length no longer select their Text (the text was edited after
// scanning) or that overlap an earlier one are skipped rather than guessed at.
func Mask(text string, fs []Finding) string {
	if len(fs) == 0 {
		return text
	}
	sorted := make([]Finding, len(fs))
	copy(sorted, fs)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Offset < sorted[j].Offset })

	var b strings.Builder
	b.Grow(len(text))
	ri, bi := 0, 0 // rune and byte position reached in text
	written := 0   // bytes of text already copied to b
	doneR := 0     // rune end of the last finding applied
	advance := func(to int) {
		for ri < to && bi < len(text) {
			_, size := utf8.DecodeRuneInString(text[bi:])
			bi += size
			ri++
		}
	}
	for _, f := range sorted {
		if f.Offset < doneR || f.Length <= 0 {
			continue
		}
		advance(f.Offset)
		if ri != f.Offset {
			break
		}
		startR, startB := ri, bi
		advance(f.Offset + f.Length)
		if ri != f.Offset+f.Length || text[startB:bi] != f.Text {
			// Back to the start, so that a later finding inside this
			// span can still apply.
			ri, bi = startR, startB
			continue
		}
		b.WriteString(text[written:startB])
		b.WriteString(f.Masked)
		written, doneR = bi, ri
	}
	b.WriteString(text[written:])
	return b.String()
}

package privacy

import (
	"strings"
	"unicode/utf8"
)

// The scanner walks the text once. Almost every rune of a government
// document is a CJK character that can start nothing, so the loop decodes
// three-byte sequences inline and tests one bit in a 64K-bit table (8 KB, it
// stays in L1) before doing anything else. Only at a rune that can start a
// candidate (a digit, + ( @ [ 【, or the first character of a marking) does
// it look ahead, and a run of digits that matches nothing is skipped whole.
//
// Selection is leftmost, then longest: at each trigger the longest valid
// candidate starting there is taken and the scan resumes after it. E-mail
// addresses are the one kind whose start lies behind the rune that reveals
// them ('@'); when one is found, findings already emitted inside its local
// part are replaced exactly as leftmost-longest selection would have done.

var (
	asciiTrig [utf8.RuneSelf]bool
	trig3     [1 << 10]uint64 // one bit per BMP rune
)

func init() {
	for _, c := range "0123456789+(@[" {
		asciiTrig[c] = true
	}
	set := func(r rune) { trig3[r>>6] |= 1 << (r & 63) }
	for _, r := range "绝机秘密内注不【（＋＠［" {
		set(r)
	}
	for r := '０'; r <= '９'; r++ {
		set(r)
	}
}

type scanner struct {
	s     string
	today int
	spans []span
}

func scanSpans(s string, today int) []span {
	sc := scanner{s: s, today: today}
	sc.run()
	return sc.spans
}

func (sc *scanner) run() {
	s := sc.s
	n := len(s)
	i, ri := 0, 0
	for i < n {
		c := s[i]
		if c < utf8.RuneSelf {
			if !asciiTrig[c] {
				i++
				ri++
				continue
			}
			i, ri = sc.trigger(rune(c), i, ri)
			continue
		}
		// E1–EC and EE–EF lead bytes are valid with any two continuation
		// bytes; E0 and ED have narrower second-byte ranges and, like
		// everything else, go through the decoder below.
		if c >= 0xE1 && c != 0xED && c <= 0xEF && i+2 < n {
			c1, c2 := s[i+1], s[i+2]
			if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
				r := rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)
				if trig3[r>>6]&(1<<(r&63)) == 0 {
					i += 3
					ri++
					continue
				}
				if r < 0x4E00 || r > 0x9FFF {
					i, ri = sc.trigger(normRune(r), i, ri)
					continue
				}
				// A CJK trigger: 不, 内, 注, 机, 秘 and 密 are frequent in
				// ordinary prose, so the common miss must cost no more than
				// a comparison of the next character.
				if !strings.HasPrefix(s[i+3:], markingSecond(r)) {
					i += 3
					ri++
					continue
				}
				if c := sc.marking(r, i, ri); c.ok {
					sc.spans = append(sc.spans, span{c.kind, i, c.be, ri, c.re})
					i, ri = c.be, c.re
					continue
				}
				i += 3
				ri++
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r < 0x10000 && trig3[r>>6]&(1<<(r&63)) != 0 {
			i, ri = sc.trigger(normRune(r), i, ri)
			continue
		}
		i += size
		ri++
	}
}

// cur is a position in the text, in bytes and in runes.
type cur struct{ i, ri int }

// cand is a candidate ending at (be, re); ok is false for none.
type cand struct {
	kind   Kind
	be, re int
	ok     bool
}

func candAt(k Kind, c cur) cand { return cand{k, c.i, c.ri, true} }

func better(a, b cand) cand {
	switch {
	case !b.ok:
		return a
	case !a.ok, b.re > a.re, b.re == a.re && kindRank(b.kind) < kindRank(a.kind):
		return b
	}
	return a
}

// at returns the normalised rune at byte i and its size, or -1 at the end.
// Look-ahead after a trigger is mostly over CJK and full-width forms, so the
// three-byte case is decoded here rather than in utf8's general path.
func (sc *scanner) at(i int) (rune, int) {
	s := sc.s
	if i >= len(s) {
		return -1, 0
	}
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	if c >= 0xE1 && c != 0xED && c <= 0xEF && i+2 < len(s) {
		c1, c2 := s[i+1], s[i+2]
		if c1&0xC0 == 0x80 && c2&0xC0 == 0x80 {
			return normRune(rune(c&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F)), 3
		}
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return normRune(r), size
}

func (sc *scanner) peek(c cur) rune {
	r, _ := sc.at(c.i)
	return r
}

func (sc *scanner) next(c *cur) rune {
	r, size := sc.at(c.i)
	if size > 0 {
		c.i += size
		c.ri++
	}
	return r
}

// prev returns the normalised rune before byte i, or -1 at the start. It is
// only ever asked whether that rune is a digit or letter, and the only
// multi-byte runes that normalise to one are full-width forms (lead byte
// EF), so other multi-byte runes are not decoded.
func (sc *scanner) prev(i int) rune {
	if i == 0 {
		return -1
	}
	if c := sc.s[i-1]; c < utf8.RuneSelf {
		return rune(c)
	}
	if i < 3 || sc.s[i-3] != 0xEF {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeLastRuneInString(sc.s[:i])
	return normRune(r)
}

// digitAt returns the ASCII digit for an ASCII or full-width digit at byte
// i and its size, or size 0.
func (sc *scanner) digitAt(i int) (byte, int) {
	s := sc.s
	if i < len(s) {
		c := s[i]
		if c-'0' <= 9 {
			return c, 1
		}
		if c == 0xEF && i+2 < len(s) && s[i+1] == 0xBC && s[i+2]-0x90 <= 9 {
			return '0' + s[i+2] - 0x90, 3
		}
	}
	return 0, 0
}

func (sc *scanner) skipDigits(c cur) (int, int) {
	for {
		_, size := sc.digitAt(c.i)
		if size == 0 {
			return c.i, c.ri
		}
		c.i += size
		c.ri++
	}
}

// trigger handles a rune that may start a candidate and returns where the
// scan resumes.
func (sc *scanner) trigger(r rune, i, ri int) (int, int) {
	at := cur{i, ri}
	var best cand
	switch r {
	case '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if isDigit(sc.prev(i)) {
			return sc.skipDigits(at)
		}
		var runEnd cur
		if best, runEnd = sc.digitCands(at); !best.ok {
			return runEnd.i, runEnd.ri
		}
	case '+':
		if !isDigit(sc.prev(i)) {
			best = sc.mobile(at)
		}
	case '(':
		best = sc.landlineParen(at)
	case '@':
		return sc.email(at)
	case '[', '【':
		best = sc.bracket(r, at)
	case '绝', '机', '秘', '密', '内', '注', '不':
		best = sc.marking(r, i, ri)
	}
	if best.ok {
		sc.spans = append(sc.spans, span{best.kind, i, best.be, ri, best.re})
		return best.be, best.re
	}
	sc.next(&at)
	return at.i, at.ri
}

// digitCands returns the best candidate starting at the first digit of a
// run, and the end of the run.
func (sc *scanner) digitCands(at cur) (cand, cur) {
	var d [20]byte
	n := 0
	end := at
	for {
		c, size := sc.digitAt(end.i)
		if size == 0 {
			break
		}
		if n < len(d) {
			d[n] = c
		}
		n++
		end.i += size
		end.ri++
	}
	// Every rule needs its first digit run to have one of these lengths:
	// 86 or 86+3/7/11 before a mobile body, 3/7/11 for the body itself,
	// 3–4 for an area code or card group, 15–19 for IDs and cards. Years,
	// dates and amounts stop here.
	switch n {
	case 2, 3, 4, 5, 7, 9, 11, 13, 15, 16, 17, 18, 19:
	default:
		return cand{}, end
	}
	next := sc.peek(end)
	var best cand
	switch n {
	case 18:
		// A value passing both the ID and the credit-code checks (possible,
		// if rare, for organ codes starting 11–13 or 51–53) is reported: a
		// missed ID leaks a person, a false one costs a reviewer a click.
		if !isDigit(next) && validID18(d[:18], sc.today) {
			best = better(best, candAt(KindIDCard, end))
		}
	case 17:
		if next == 'X' || next == 'x' {
			e := end
			sc.next(&e)
			d[17] = byte(next)
			if !isDigit(sc.peek(e)) && validID18(d[:18], sc.today) {
				best = better(best, candAt(KindIDCard, e))
			}
		}
	case 15:
		if !isDigit(next) && validID15(d[:15], sc.today) {
			best = better(best, candAt(KindIDCard, end))
		}
	}
	// Card numbers must stand apart from letters too: the digits of a
	// credit code such as 91350100…17X are a run of 17 next to a letter.
	if !isAlnum(sc.prev(at.i)) {
		if n >= 16 && n <= 19 && !isAlnum(next) && validBank(d[:n], sc.today) {
			best = better(best, candAt(KindBankCard, end))
		}
		if n == 4 && isSep(next) {
			best = better(best, sc.bankGrouped(at))
		}
	}
	if d[0] == '1' && (n == 3 || n == 7 || n == 11) ||
		d[0] == '8' && d[1] == '6' && (n == 2 || n == 5 || n == 9 || n == 13) {
		best = better(best, sc.mobile(at))
	}
	if d[0] == '0' && (n == 3 || n == 4) {
		best = better(best, sc.landline(at))
	}
	return best, end
}

// bankGrouped matches dddd-dddd-dddd-dddd with an optional group of 1–3.
func (sc *scanner) bankGrouped(c cur) cand {
	var d [19]byte
	n := 0
	take := func(c *cur, k int) bool {
		for ; k > 0; k-- {
			r := sc.next(c)
			if !isDigit(r) {
				return false
			}
			d[n] = byte(r)
			n++
		}
		return true
	}
	if !take(&c, 4) {
		return cand{}
	}
	for g := 0; g < 3; g++ {
		if !isSep(sc.next(&c)) || !take(&c, 4) {
			return cand{}
		}
	}
	tail := false
	if isSep(sc.peek(c)) {
		e := c
		sc.next(&e)
		m := 0
		for m < 4 && isDigit(sc.peek(e)) {
			m++
			sc.next(&e)
		}
		if m >= 1 && m <= 3 && !isAlnum(sc.peek(e)) {
			sc.next(&c)
			take(&c, m)
			tail = true
		}
	}
	if !tail && isAlnum(sc.peek(c)) {
		return cand{}
	}
	if !validBank(d[:n], sc.today) {
		return cand{}
	}
	return candAt(KindBankCard, c)
}

// mobile matches [+]86 prefixes and 1[3-9]x xxxx xxxx with optional single
// separators between the 3-4-4 groups.
func (sc *scanner) mobile(c cur) cand {
	if r := sc.peek(c); r == '+' || r == '8' {
		p := c
		if r == '+' {
			sc.next(&p)
		}
		if sc.next(&p) == '8' && sc.next(&p) == '6' {
			if isSep(sc.peek(p)) {
				sc.next(&p)
			}
			if e, ok := sc.mobileBody(p); ok {
				return candAt(KindMobile, e)
			}
		}
		return cand{}
	}
	if e, ok := sc.mobileBody(c); ok {
		return candAt(KindMobile, e)
	}
	return cand{}
}

func (sc *scanner) mobileBody(c cur) (cur, bool) {
	if sc.next(&c) != '1' {
		return c, false
	}
	if r := sc.next(&c); r < '3' || r > '9' {
		return c, false
	}
	if !isDigit(sc.next(&c)) {
		return c, false
	}
	for g := 0; g < 2; g++ {
		if isSep(sc.peek(c)) {
			sc.next(&c)
		}
		for k := 0; k < 4; k++ {
			if !isDigit(sc.next(&c)) {
				return c, false
			}
		}
	}
	return c, !isDigit(sc.peek(c))
}

// area consumes a whole digit run that is a Chinese area code: 010, 02x or
// 0[3-9]xx.
func (sc *scanner) area(c *cur) bool {
	var d [4]byte
	n := 0
	for isDigit(sc.peek(*c)) {
		r := sc.next(c)
		if n < len(d) {
			d[n] = byte(r)
		}
		n++
	}
	if n < 3 || d[0] != '0' {
		return false
	}
	switch n {
	case 3:
		return d[1] == '1' && d[2] == '0' || d[1] == '2'
	case 4:
		return d[1] >= '3' && d[1] <= '9'
	}
	return false
}

// subscriber matches a 7–8 digit local number not starting with 0 or 1 (those
// are trunk and service prefixes) and an optional -extension of 1–6 digits.
func (sc *scanner) subscriber(c cur) cand {
	if r := sc.peek(c); r < '2' || r > '9' {
		return cand{}
	}
	n := 0
	for isDigit(sc.peek(c)) {
		sc.next(&c)
		n++
	}
	if n != 7 && n != 8 {
		return cand{}
	}
	if sc.peek(c) == '-' {
		e := c
		sc.next(&e)
		m := 0
		for isDigit(sc.peek(e)) {
			sc.next(&e)
			m++
		}
		if m >= 1 && m <= 6 {
			return candAt(KindLandline, e)
		}
	}
	return candAt(KindLandline, c)
}

func (sc *scanner) landline(c cur) cand {
	if !sc.area(&c) || !isSep(sc.next(&c)) {
		return cand{}
	}
	return sc.subscriber(c)
}

func (sc *scanner) landlineParen(c cur) cand {
	sc.next(&c)
	if !sc.area(&c) || sc.next(&c) != ')' {
		return cand{}
	}
	if isSep(sc.peek(c)) {
		sc.next(&c)
	}
	return sc.subscriber(c)
}

// email is called at '@'. It returns where the scan resumes.
func (sc *scanner) email(at cur) (int, int) {
	after := at
	sc.next(&after)
	end, ok := sc.domain(after)
	if !ok {
		return after.i, after.ri
	}
	// The local part is at most 64 characters, so at most that much text
	// behind '@' can start the address.
	type pos struct {
		b, r  int
		alnum bool
	}
	var win [64]pos // nearest first
	nw := 0
	for b, r := at.i, at.ri; nw < len(win) && b > 0; {
		ch, size := utf8.DecodeLastRuneInString(sc.s[:b])
		ch = normRune(ch)
		if !isLocalChar(ch) {
			break
		}
		b -= size
		r--
		win[nw] = pos{b, r, isAlnum(ch)}
		nw++
	}
	if nw == 0 {
		return after.i, after.ri
	}
	// Replay leftmost-longest selection over the emitted findings that
	// reach into the window, now that candidates starting at every letter
	// or digit of the window (all ending at end) are known.
	k := len(sc.spans)
	for k > 0 && sc.spans[k-1].re > win[nw-1].r {
		k--
	}
	j := nw - 1
	from := win[nw-1].r
	for {
		for j >= 0 && (win[j].r < from || !win[j].alnum) {
			j--
		}
		if j < 0 {
			return after.i, after.ri
		}
		if k == len(sc.spans) || win[j].r <= sc.spans[k].rs {
			break
		}
		from = sc.spans[k].re
		k++
	}
	sc.spans = append(sc.spans[:k], span{KindEmail, win[j].b, end.i, win[j].r, end.ri})
	return end.i, end.ri
}

// domain matches labels separated by dots, at least two, the last all
// letters (2–24), taking as many labels as satisfy that.
func (sc *scanner) domain(c cur) (cur, bool) {
	var best cur
	ok := false
	labels := 0
	for {
		n, alpha := 0, true
		for {
			r := sc.peek(c)
			if !isDomainChar(r) {
				break
			}
			alpha = alpha && isAlpha(r)
			sc.next(&c)
			n++
		}
		if n == 0 {
			break
		}
		labels++
		if labels >= 2 && alpha && n >= 2 && n <= 24 {
			best, ok = c, true
		}
		if sc.peek(c) != '.' {
			break
		}
		sc.next(&c)
	}
	return best, ok
}

// level consumes 绝密, 机密 or 秘密.
func (sc *scanner) level(c *cur) bool {
	switch sc.next(c) {
	case '绝', '机', '秘':
		return sc.next(c) == '密'
	}
	return false
}

// star consumes ★ or ☆ and an optional term: N年, N个月 or 长期.
func (sc *scanner) star(c *cur) bool {
	if r := sc.next(c); r != '★' && r != '☆' {
		return false
	}
	e := *c
	switch r := sc.peek(e); {
	case isDigit(r):
		for isDigit(sc.peek(e)) {
			sc.next(&e)
		}
		switch sc.next(&e) {
		case '年':
			*c = e
		case '个':
			if sc.next(&e) == '月' {
				*c = e
			}
		}
	case r == '长':
		sc.next(&e)
		if sc.next(&e) == '期' {
			*c = e
		}
	}
	return true
}

func (sc *scanner) optStar(c *cur) {
	if r := sc.peek(*c); r == '★' || r == '☆' {
		sc.star(c)
	}
}

// levelStar is the marking as printed on documents: 机密★10年.
func (sc *scanner) levelStar(c cur) cand {
	if !sc.level(&c) || !sc.star(&c) {
		return cand{}
	}
	return candAt(KindSecretMarking, c)
}

// bracket is a marking in brackets opening a line: 【机密】 or [秘密★5年].
func (sc *scanner) bracket(open rune, c cur) cand {
	start := c.i
	sc.next(&c)
	if !sc.level(&c) {
		return cand{}
	}
	sc.optStar(&c)
	want := ']'
	if open == '【' {
		want = '】'
	}
	if sc.next(&c) != want || !sc.lineStart(start) {
		return cand{}
	}
	return candAt(KindSecretMarking, c)
}

// lineStart reports whether only spaces and tabs precede byte i on its line.
func (sc *scanner) lineStart(i int) bool {
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(sc.s[:i])
		switch normRune(r) {
		case '\n':
			return true
		case ' ', '\t':
			i -= size
		default:
			return false
		}
	}
	return true
}

// classField is a form field: 密级：机密 or 密级:秘密★5年.
func (sc *scanner) classField(c cur) cand {
	if sc.next(&c) != '密' || sc.next(&c) != '级' || sc.next(&c) != ':' {
		return cand{}
	}
	for r := sc.peek(c); r == ' ' || r == '\t'; r = sc.peek(c) {
		sc.next(&c)
	}
	if !sc.level(&c) {
		return cand{}
	}
	sc.optStar(&c)
	return candAt(KindSecretMarking, c)
}

// markingSecond is the character that must follow a CJK trigger for any
// marking to start there.
func markingSecond(r rune) string {
	switch r {
	case '绝', '机', '秘':
		return "密"
	case '密':
		return "级"
	case '内':
		return "部"
	case '注':
		return "意"
	case '不':
		return "得"
	}
	return "\x00"
}

// marking handles the CJK characters that can start a marking. r is the
// (three-byte) rune at byte i.
func (sc *scanner) marking(r rune, i, ri int) cand {
	rest := sc.s[i+3:]
	at := cur{i, ri}
	switch r {
	case '绝', '机', '秘':
		if strings.HasPrefix(rest, "密") {
			return sc.levelStar(at)
		}
	case '密':
		if strings.HasPrefix(rest, "级") {
			return sc.classField(at)
		}
	case '内':
		if strings.HasPrefix(rest, "部资料") || strings.HasPrefix(rest, "部文件") {
			return cand{KindSecretMarking, i + 12, ri + 4, true}
		}
	case '注':
		if strings.HasPrefix(rest, "意保密") {
			return cand{KindSecretMarking, i + 12, ri + 4, true}
		}
	case '不':
		if strings.HasPrefix(rest, "得外传") {
			return cand{KindSecretMarking, i + 12, ri + 4, true}
		}
	}
	return cand{}
}

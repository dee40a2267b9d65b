package textsearch

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Query limits. Longer input is cut, with a Notice, so no query can cause a slow scan.
const (
	maxQueryRunes  = 100
	maxQueryTerms  = 16
	maxCoverPerTrm = 8 // tokens of one phrase used for scoring
)

// Query is a parsed search query: clauses that must all match (each an OR of terms) and
// terms that must not match.
type Query struct {
	clauses []clause
	excl    []*qterm
	notice  string
}

type clause struct{ alts []*qterm }

// qterm is one search term: a single token or a phrase, restricted to some fields.
type qterm struct {
	fields uint8
	atoms  []qatom
	cover  []string // tokens (without field byte) whose bitmaps are ANDed for candidates
	score  []string // tokens used for ranking (cover without pairs)
	vunits []vunit  // positional tokens that must sit at these relative offsets
	chain  []string // when vunits are bigrams c0c1, c1c2, …: the inner characters c1, c2, …
	exact  bool     // the cover bitmap is exactly the match set (no position check)
	quoted bool
}

// vunit is a positional token (bigram, word or word–character pair) of a phrase and its
// offset from the phrase's first atom.
type vunit struct {
	tok string
	off uint32
}

// qatom is a CJK character or a word at a position relative to the term's first atom.
type qatom struct {
	r    rune
	word string
	off  uint32
}

func (a qatom) token() string {
	if a.r != 0 {
		return string(a.r)
	}
	return a.word
}

// Empty reports whether nothing searchable remains; Search then matches every document.
func (q *Query) Empty() bool { return q == nil || len(q.clauses) == 0 && len(q.excl) == 0 }

// Notice is the zh-CN note about degraded input ("" if none).
func (q *Query) Notice() string { return q.notice }

// String returns a normalised form of the query.
func (q *Query) String() string {
	if q == nil {
		return ""
	}
	var parts []string
	for _, c := range q.clauses {
		if len(c.alts) == 1 {
			parts = append(parts, c.alts[0].String())
			continue
		}
		var alts []string
		for _, t := range c.alts {
			alts = append(alts, t.String())
		}
		parts = append(parts, "("+strings.Join(alts, " OR ")+")")
	}
	for _, t := range q.excl {
		parts = append(parts, "-"+t.String())
	}
	return strings.Join(parts, " ")
}

func (t *qterm) text() string {
	var b strings.Builder
	for i, a := range t.atoms {
		if i > 0 {
			prev := t.atoms[i-1]
			if a.off != prev.off+1 || (a.r == 0 && prev.r == 0) {
				b.WriteByte(' ')
			}
		}
		b.WriteString(a.token())
	}
	return b.String()
}

func (t *qterm) String() string {
	s := t.text()
	if len(t.atoms) > 1 && (t.quoted || strings.Contains(s, " ")) {
		s = `"` + s + `"`
	}
	switch t.fields {
	case 1 << fieldTitle:
		s = "title:" + s
	case 1 << fieldBody:
		s = "body:" + s
	case 1 << fieldDocNo:
		s = "docno:" + s
	}
	return s
}

var fieldNames = map[string]uint8{
	"标题": 1 << fieldTitle, "title": 1 << fieldTitle,
	"正文": 1 << fieldBody, "body": 1 << fieldBody,
	"文号": 1 << fieldDocNo, "docno": 1 << fieldDocNo,
}

func isQuote(r rune) bool {
	switch r {
	case '"', '＂', '“', '”', '「', '」', '『', '』', '﹁', '﹂', '﹃', '﹄':
		return true
	}
	return false
}

// clausePunct splits an unquoted chunk into separate terms (after folding).
func clausePunct(r rune) bool {
	switch r {
	case ',', '。', '、', ';', '!', '?', '…', '‘', '’', '“', '”', '"', '｡', '､':
		return true
	}
	return false
}

type lexItem struct {
	text   string
	quoted bool
	neg    bool
	fields uint8
	or     bool
}

// fieldPrefix recognises 标题: title: 正文: body: 文号: docno: (either colon, any width or
// script) at the start of rs and returns the field mask and the prefix length.
func fieldPrefix(rs []rune) (uint8, int) {
	for i := 0; i < len(rs) && i < 7; i++ {
		if rs[i] == ':' || rs[i] == '：' {
			if m, ok := fieldNames[Fold(string(rs[:i]))]; ok {
				return m, i + 1
			}
			return 0, 0
		}
	}
	return 0, 0
}

func lex(rs []rune) []lexItem {
	var items []lexItem
	i := 0
	for i < len(rs) {
		if unicode.IsSpace(rs[i]) {
			i++
			continue
		}
		it := lexItem{fields: allFields}
		j := i
		if rs[j] == '-' || rs[j] == '－' {
			it.neg = true
			j++
		}
		if m, k := fieldPrefix(rs[j:]); k > 0 {
			it.fields = m
			j += k
		}
		if j < len(rs) && isQuote(rs[j]) {
			k := j + 1
			for k < len(rs) && !isQuote(rs[k]) {
				k++
			}
			it.text, it.quoted = string(rs[j+1:k]), true
			items = append(items, it)
			i = k + 1
			continue
		}
		k := j
		for k < len(rs) && !unicode.IsSpace(rs[k]) && !isQuote(rs[k]) {
			k++
		}
		it.text = string(rs[j:k])
		i = k
		if k == j {
			if k < len(rs) && isQuote(rs[k]) {
				continue // handled on the next round as a quoted phrase
			}
			continue
		}
		if !it.neg && it.fields == allFields {
			switch norm.NFKC.String(it.text) {
			case "OR", "|", "||", "或":
				it.or = true
			case "AND", "&&", "&", "+", "且":
				continue
			}
		}
		items = append(items, it)
	}
	return items
}

// Parse parses a query as typed by a user. It never fails: odd input is cut or ignored.
func Parse(q string) *Query {
	initFold()
	var notes []string
	rs := make([]rune, 0, min(len(q), 4*maxQueryRunes))
	n := 0
	for _, r := range q {
		if r == utf8.RuneError || unicode.IsControl(r) {
			r = ' '
		}
		if !unicode.IsSpace(r) || len(rs) > 0 && !unicode.IsSpace(rs[len(rs)-1]) {
			if n >= maxQueryRunes {
				notes = append(notes, fmt.Sprintf("关键词过长，已按前 %d 个字检索", maxQueryRunes))
				break
			}
			rs = append(rs, r)
			n++
		}
	}
	query := &Query{}
	terms := 0
	pendingOR := false
	dropped := false
	for _, it := range lex(rs) {
		if it.or {
			pendingOR = len(query.clauses) > 0
			continue
		}
		for k, t := range buildTerms(it) {
			if terms >= maxQueryTerms {
				dropped = true
				break
			}
			terms++
			switch {
			case it.neg:
				query.excl = append(query.excl, t)
			case pendingOR && k == 0:
				c := &query.clauses[len(query.clauses)-1]
				c.alts = append(c.alts, t)
			default:
				query.clauses = append(query.clauses, clause{alts: []*qterm{t}})
			}
		}
		pendingOR = false
	}
	if dropped {
		notes = append(notes, fmt.Sprintf("检索词过多，已按前 %d 个检索", maxQueryTerms))
	}
	query.notice = strings.Join(notes, "；")
	return query
}

// buildTerms folds a lexed chunk and cuts it into terms.
func buildTerms(it lexItem) []*qterm {
	folded := Fold(it.text)
	parts := []string{folded}
	if !it.quoted {
		parts = strings.FieldsFunc(folded, clausePunct)
	}
	var out []*qterm
	for _, p := range parts {
		if t := newTerm(p, it.fields, it.quoted); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// newTerm analyses already folded text into a term; nil if it has no atoms.
func newTerm(folded string, fields uint8, quoted bool) *qterm {
	t := &qterm{fields: fields, quoted: quoted}
	var first uint32
	sc := scanner{}
	sc.emit = func(a *atom) {
		if len(t.atoms) == 0 {
			first = a.pos
		}
		qa := qatom{r: a.r, off: a.pos - first}
		if a.r == 0 {
			qa.word = string(a.word)
		}
		t.atoms = append(t.atoms, qa)
	}
	for i, r := range folded {
		sc.feed(r, i, i+utf8.RuneLen(r))
	}
	sc.finish()
	if len(t.atoms) == 0 {
		return nil
	}
	// Cover tokens: bigrams inside CJK runs, lone CJK characters, words, and pairs tying a
	// lone character to an adjacent word. Positions are checked on bigrams, words and
	// pairs; a lone character next to neither (between separators inside a quoted phrase)
	// only has to occur in the field.
	seen := map[string]bool{}
	add := func(s string, score bool) {
		if !seen[s] {
			seen[s] = true
			t.cover = append(t.cover, s)
			if score {
				t.score = append(t.score, s)
			}
		}
	}
	as := t.atoms
	// adj: atom i touches atom i-1.
	adj := func(i int) bool { return i > 0 && i < len(as) && as[i].off == as[i-1].off+1 }
	pinned := make([]bool, len(as)) // words placed by a pair
	for i, a := range as {
		if a.r == 0 {
			add(a.word, true)
			continue
		}
		cjkPrev := adj(i) && as[i-1].r != 0
		cjkNext := adj(i+1) && as[i+1].r != 0
		if cjkPrev {
			bg := string(as[i-1].r) + string(a.r)
			add(bg, true)
			t.vunits = append(t.vunits, vunit{bg, as[i-1].off})
		}
		if cjkPrev || cjkNext {
			continue
		}
		add(string(a.r), true)
		switch {
		case adj(i) && as[i-1].r == 0:
			p := as[i-1].word + string(a.r)
			add(p, false)
			t.vunits = append(t.vunits, vunit{p, as[i-1].off})
			pinned[i-1] = true
		case adj(i+1) && as[i+1].r == 0:
			p := string(a.r) + as[i+1].word
			add(p, false)
			t.vunits = append(t.vunits, vunit{p, a.off})
			pinned[i+1] = true
		}
	}
	for i, a := range as {
		if a.r == 0 && !pinned[i] {
			t.vunits = append(t.vunits, vunit{a.word, a.off})
		}
	}
	// Offsets relative to the first positional token: lone characters before it impose no
	// position.
	if len(t.vunits) > 0 {
		base := t.vunits[0].off
		for _, u := range t.vunits {
			base = min(base, u.off)
		}
		for i := range t.vunits {
			t.vunits[i].off -= base
		}
	}
	t.exact = len(t.vunits) <= 1
	if !t.exact {
		t.chain = bigramChain(t.vunits)
	}
	if len(t.score) > maxCoverPerTrm {
		sel := make([]string, 0, maxCoverPerTrm)
		for k := range maxCoverPerTrm {
			sel = append(sel, t.score[k*(len(t.score)-1)/(maxCoverPerTrm-1)])
		}
		t.score = sel
	}
	return t
}

// bigramChain returns the inner characters c1 … ck-1 when the positional tokens are the
// bigrams c0c1, c1c2, … ck-1ck at offsets 0, 1, … (a run of CJK characters), else nil.
func bigramChain(us []vunit) []string {
	var inner []string
	var last rune
	for i, u := range us {
		r0, n0 := utf8.DecodeRuneInString(u.tok)
		r1, n1 := utf8.DecodeRuneInString(u.tok[n0:])
		if u.off != uint32(i) || n0+n1 != len(u.tok) || !isCJK(r0) || !isCJK(r1) {
			return nil
		}
		if i > 0 {
			if r0 != last {
				return nil
			}
			inner = append(inner, string(r0))
		}
		last = r1
	}
	return inner
}

// positive returns every term that can match (for highlighting).
func (q *Query) positive() []*qterm {
	var ts []*qterm
	for _, c := range q.clauses {
		ts = append(ts, c.alts...)
	}
	return ts
}

package textsearch

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fields are separate token spaces. The byte is the first byte of every token string.
const (
	fieldTitle = 0
	fieldBody  = 1
	fieldDocNo = 2
	numFields  = 3

	allFields = 1<<fieldTitle | 1<<fieldBody | 1<<fieldDocNo
)

var fieldByte = [numFields]byte{'t', 'b', 'd'}

const (
	prefixFacet    = 'f' // 'f' + facet + "\x00" + value
	prefixInternal = 'x'
	tokTier1       = "x1" // docs with Tier != 0
)

const (
	maxWordRunes = 32      // longer Latin/digit words are cut (on both sides)
	maxPositions = 1 << 19 // atoms indexed per field; text beyond is not indexed
	posBits      = 19
)

// charClass classifies a folded rune.
const (
	classSep = iota
	classCJK
	classWord
)

func classOf(r rune) int {
	switch {
	case r < 0x80:
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' {
			return classWord
		}
		return classSep
	case r >= 0x4E00 && r <= 0x9FFF:
		return classCJK
	case r == utf8.RuneError:
		return classSep
	case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r) || r == 0x30FC:
		if unicode.IsLetter(r) || unicode.IsNumber(r) {
			return classCJK
		}
		return classSep
	case unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Mc, r):
		return classWord
	}
	return classSep
}

func isCJK(r rune) bool { return classOf(r) == classCJK }

// atom is one position in a field: a CJK character or a Latin/digit word. Separator runs
// (punctuation, spaces, symbols, emoji…) take one position each, so atoms at positions p and
// p+1 are adjacent in the text with nothing between them.
type atom struct {
	word       []byte // for words; only valid during the callback
	r          rune   // for CJK characters
	prev       rune   // the CJK character right before this atom, or 0
	prevWord   []byte // for CJK characters: the word right before, or nil (valid during the callback)
	pos        uint32
	start, end int // source byte range (for snippets)
}

// scanner turns folded runes into atoms.
type scanner struct {
	emit      func(a *atom)
	pos       uint32
	prev      rune // last atom was this CJK character (adjacent to what comes next)
	lastWord  []byte
	afterWord bool // last atom was a word, with nothing after it yet
	sepOpen   bool
	word      []byte
	wordRunes int
	wordPrev  rune
	ws, we    int
	a         atom
}

func (s *scanner) reset() {
	s.pos, s.prev, s.sepOpen, s.word, s.wordRunes, s.afterWord = 0, 0, false, s.word[:0], 0, false
}

func (s *scanner) flushWord() {
	if len(s.word) == 0 {
		return
	}
	s.a = atom{word: s.word, prev: s.wordPrev, pos: s.pos, start: s.ws, end: s.we}
	s.emit(&s.a)
	s.pos++
	s.lastWord = append(s.lastWord[:0], s.word...)
	s.afterWord = true
	s.word = s.word[:0]
	s.wordRunes = 0
}

// feed takes one folded rune and the source byte range it came from.
func (s *scanner) feed(r rune, start, end int) {
	switch classOf(r) {
	case classCJK:
		s.flushWord()
		s.a = atom{r: r, prev: s.prev, pos: s.pos, start: start, end: end}
		if s.afterWord {
			s.a.prevWord = s.lastWord
		}
		s.emit(&s.a)
		s.prev = r
		s.afterWord = false
		s.pos++
		s.sepOpen = false
	case classWord:
		if len(s.word) == 0 {
			s.ws = start
			s.wordPrev = s.prev
		}
		s.prev = 0
		s.afterWord = false
		s.sepOpen = false
		if s.wordRunes < maxWordRunes {
			s.word = utf8.AppendRune(s.word, r)
			s.wordRunes++
		}
		s.we = end
	default:
		s.flushWord()
		s.prev = 0
		s.afterWord = false
		if !s.sepOpen {
			s.pos++
			s.sepOpen = true
		}
	}
}

func (s *scanner) finish() { s.flushWord() }

// scanText folds text and feeds it through s.
func (s *scanner) scanText(text string) {
	initFold()
	var buf [8]rune
	for i, r := range text {
		end := i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			end = i + 1
			s.feed(' ', i, end)
			continue
		}
		if r < 0x80 {
			// fast path, same as foldRune
			switch {
			case r >= 'A' && r <= 'Z':
				r += 'a' - 'A'
			}
			s.feed(r, i, end)
			continue
		}
		for _, c := range foldRune(buf[:0], r) {
			s.feed(c, i, end)
		}
	}
	s.finish()
}

// Token strings: field byte + folded text. The text alone tells the kind: one CJK
// character (unigram), two (bigram), a word (no CJK), or a word and a CJK character that
// touch (pair: "26号", "第5").
const (
	kindUni = iota
	kindBi
	kindWord
	kindPair
)

func textKind(text string) int {
	cjk, other := 0, 0
	for _, r := range text {
		if isCJK(r) {
			cjk++
		} else {
			other++
		}
	}
	switch {
	case other == 0 && cjk == 1:
		return kindUni
	case other == 0:
		return kindBi
	case cjk == 0:
		return kindWord
	}
	return kindPair
}

func isTextTok(tok string) bool {
	return len(tok) > 1 && (tok[0] == 't' || tok[0] == 'b' || tok[0] == 'd')
}

// positional reports whether a token string (with its field byte) carries positions:
// bigrams, words and pairs do; unigrams, facets and internal tokens do not.
func positional(tok string) bool {
	return isTextTok(tok) && textKind(tok[1:]) != kindUni
}

// hasTF reports whether a token string stores term frequencies.
func hasTF(tok string) bool { return isTextTok(tok) }

// Packed index entries for one document: field(2) | r1(21) | r2(21) | pos(19).
// Unigram: r2 = 0. Bigram: r1 = first, r2 = second. Word: r1 = wordBase + word index.
// Pairs: word then character (r1 = wordBase + index, r2 = character) or character then
// word (r1 = character, r2 = wordBase + index).
const wordBase = 0x110000

// isStringKey reports whether a packed key involves a word (so it is looked up by string).
func isStringKey(key uint64) bool {
	return rune(key>>21&(1<<21-1)) >= wordBase || rune(key&(1<<21-1)) >= wordBase
}

func packKey(field int, r1, r2 rune) uint64 {
	return uint64(field)<<42 | uint64(r1)<<21 | uint64(r2)
}

// adoc is an analysed document, ready to be added to a memory segment: its tokens grouped
// (one group per distinct token with its positions), groups ordered by memory-segment shard.
type adoc struct {
	key      string
	date     int64
	tier     uint8
	lens     [numFields]uint32
	groups   []agroup
	shardOff [memShards + 1]int32
	pos      []uint32 // positions of all groups, each group's contiguous and increasing
	words    []string
	facets   []string // facet token strings
}

type agroup struct {
	key uint64 // packKey
	tf  uint32
	pos uint32 // index of the first position in adoc.pos
}

type analyzer struct {
	sc     scanner
	field  int
	out    []uint64 // packKey<<posBits | pos, in text order
	words  []string
	wordIx map[string]uint32
	count  uint32
	// grouping table (open addressing, reused between documents)
	slots []uint64
	sgrp  []int32
	used  []int32
	gi    []int32
}

func newAnalyzer() *analyzer {
	a := &analyzer{wordIx: make(map[string]uint32)}
	a.sc.emit = a.onAtom
	return a
}

func (a *analyzer) onAtom(at *atom) {
	if at.pos >= maxPositions {
		return
	}
	a.count++
	if at.r != 0 {
		a.out = append(a.out, packKey(a.field, at.r, 0)<<posBits|uint64(at.pos))
		if at.prev != 0 {
			a.out = append(a.out, packKey(a.field, at.prev, at.r)<<posBits|uint64(at.pos-1))
		}
		if at.prevWord != nil {
			a.out = append(a.out, packKey(a.field, wordBase+a.wordID(at.prevWord), at.r)<<posBits|uint64(at.pos-1))
		}
		return
	}
	w := wordBase + a.wordID(at.word)
	a.out = append(a.out, packKey(a.field, w, 0)<<posBits|uint64(at.pos))
	if at.prev != 0 {
		a.out = append(a.out, packKey(a.field, at.prev, w)<<posBits|uint64(at.pos-1))
	}
}

func (a *analyzer) wordID(word []byte) rune {
	ix, ok := a.wordIx[string(word)]
	if !ok {
		ix = uint32(len(a.words))
		w := string(word)
		a.words = append(a.words, w)
		a.wordIx[w] = ix
	}
	return rune(ix)
}

func cleanTier(t int) uint8 {
	if t < 0 {
		return 0
	}
	if t > 255 {
		return 255
	}
	return uint8(t)
}

// analyze tokenizes a document. The analyzer is reusable (not concurrently).
func (a *analyzer) analyze(d *Doc) *adoc {
	clear(a.wordIx)
	a.words = nil
	a.out = a.out[:0]
	ad := &adoc{key: d.Key, date: d.Date, tier: cleanTier(d.Tier)}
	for f, text := range [numFields]string{d.Title, d.Body, d.DocNo} {
		a.field = f
		a.count = 0
		a.sc.reset()
		a.sc.scanText(text)
		ad.lens[f] = a.count
	}
	ad.words = a.words
	a.group(ad)
	for name, vals := range d.Facets {
		for _, v := range vals {
			ad.facets = append(ad.facets, facetToken(name, v))
		}
	}
	slices.Sort(ad.facets)
	ad.facets = slices.Compact(ad.facets)
	return ad
}

// group collects a.out into token groups with a small hash table (cheaper than sorting),
// then orders the groups by shard.
func (a *analyzer) group(ad *adoc) {
	n := len(a.out)
	size := 1024
	for size < 2*n {
		size *= 2
	}
	if len(a.slots) < size {
		a.slots = make([]uint64, size)
		a.sgrp = make([]int32, size)
	}
	mask := uint64(len(a.slots) - 1)
	var groups []agroup
	a.gi = slices.Grow(a.gi[:0], n)[:n]
	for i, e := range a.out {
		key := e >> posBits
		h := (key * 0x9E3779B97F4A7C15) >> 20 & mask
		for {
			s := a.slots[h]
			if s == 0 {
				a.slots[h] = key + 1
				a.sgrp[h] = int32(len(groups))
				a.used = append(a.used, int32(h))
				groups = append(groups, agroup{key: key})
				break
			}
			if s == key+1 {
				break
			}
			h = (h + 1) & mask
		}
		g := a.sgrp[h]
		a.gi[i] = g
		groups[g].tf++
	}
	for _, h := range a.used {
		a.slots[h] = 0
	}
	a.used = a.used[:0]
	// Shard of every group, then counting sort of the groups by shard.
	var tokb []byte
	shard := make([]uint8, len(groups))
	for g := range groups {
		key := groups[g].key
		if isStringKey(key) {
			tokb = appendToken(tokb[:0], key, ad.words)
			shard[g] = uint8(shardOfString(string(tokb)))
		} else {
			shard[g] = uint8(shardOfKey(key))
		}
		ad.shardOff[shard[g]+1]++
	}
	for s := 1; s <= memShards; s++ {
		ad.shardOff[s] += ad.shardOff[s-1]
	}
	next := ad.shardOff
	order := make([]int32, len(groups)) // old group → new index
	ad.groups = make([]agroup, len(groups))
	var p uint32
	for g := range groups {
		ni := next[shard[g]]
		next[shard[g]]++
		order[g] = ni
	}
	// Positions in new group order.
	for g := range groups {
		ad.groups[order[g]] = groups[g]
	}
	for g := range ad.groups {
		ad.groups[g].pos = p
		p += ad.groups[g].tf
		ad.groups[g].tf = 0
	}
	ad.pos = make([]uint32, n)
	for i, e := range a.out {
		g := &ad.groups[order[a.gi[i]]]
		ad.pos[g.pos+g.tf] = uint32(e & (1<<posBits - 1))
		g.tf++
	}
}

func facetToken(name, value string) string {
	return string(prefixFacet) + strings.ReplaceAll(name, "\x00", "") + "\x00" + value
}

// appendToken renders a packed key (without position) as a token string.
func appendToken(b []byte, key uint64, words []string) []byte {
	b = append(b, fieldByte[key>>42])
	for _, r := range [2]rune{rune(key >> 21 & (1<<21 - 1)), rune(key & (1<<21 - 1))} {
		switch {
		case r >= wordBase:
			b = append(b, words[r-wordBase]...)
		case r != 0:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

func tokenString(key uint64, words []string) string {
	return string(appendToken(make([]byte, 0, 8), key, words))
}

// cjkKey converts a CJK unigram/bigram token string to its packed key.
func cjkKey(tok string) (uint64, bool) {
	if len(tok) < 2 {
		return 0, false
	}
	f := -1
	for i, b := range fieldByte {
		if tok[0] == b {
			f = i
		}
	}
	if f < 0 {
		return 0, false
	}
	r1, n1 := utf8.DecodeRuneInString(tok[1:])
	if !isCJK(r1) {
		return 0, false
	}
	rest := tok[1+n1:]
	if rest == "" {
		return packKey(f, r1, 0), true
	}
	r2, n2 := utf8.DecodeRuneInString(rest)
	if n2 != len(rest) || !isCJK(r2) {
		return 0, false
	}
	return packKey(f, r1, r2), true
}

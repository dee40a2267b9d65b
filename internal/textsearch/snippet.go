package textsearch

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a piece of original text; Hit marks text that matched the query.
type Span struct {
	Text string
	Hit  bool
}

// match is one occurrence of a query term in the original text (byte range).
type match struct {
	start, end int
	term       int
}

// tokOcc is an occurrence of a token in a text: position and source byte range.
type tokOcc struct {
	pos        uint32
	start, end int
}

// textTokens lists the occurrences of the wanted tokens (unigrams, bigrams, words, pairs;
// without field byte) in a text, as the index would see them.
func textTokens(text string, want map[string]bool) map[string][]tokOcc {
	occ := map[string][]tokOcc{}
	var prevStart int
	var buf []byte
	rec := func(pos uint32, start, end int) {
		if want[string(buf)] {
			k := string(buf)
			occ[k] = append(occ[k], tokOcc{pos, start, end})
		}
	}
	sc := scanner{}
	sc.emit = func(a *atom) {
		if a.r != 0 {
			buf = utf8.AppendRune(buf[:0], a.r)
			rec(a.pos, a.start, a.end)
			if a.prev != 0 {
				buf = utf8.AppendRune(utf8.AppendRune(buf[:0], a.prev), a.r)
				rec(a.pos-1, prevStart, a.end)
			}
			if a.prevWord != nil {
				buf = utf8.AppendRune(append(buf[:0], a.prevWord...), a.r)
				rec(a.pos-1, prevStart, a.end)
			}
		} else {
			buf = append(buf[:0], a.word...)
			rec(a.pos, a.start, a.end)
			if a.prev != 0 {
				buf = append(utf8.AppendRune(buf[:0], a.prev), a.word...)
				rec(a.pos-1, prevStart, a.end)
			}
		}
		prevStart = a.start
	}
	sc.scanText(text)
	return occ
}

// findMatches locates every occurrence of the query's positive terms in text, with the
// same rules as the index: positional tokens at their offsets, lone characters anywhere.
// The byte ranges are those of the original characters.
func (q *Query) findMatches(text string) []match {
	if q == nil {
		return nil
	}
	terms := q.positive()
	if len(terms) == 0 || text == "" {
		return nil
	}
	want := map[string]bool{}
	for _, t := range terms {
		for _, tok := range t.cover {
			want[tok] = true
		}
	}
	occ := textTokens(text, want)
	at := map[string]map[uint32]tokOcc{} // position index, built on demand
	lookup := func(tok string, pos uint32) (tokOcc, bool) {
		m, ok := at[tok]
		if !ok {
			m = make(map[uint32]tokOcc, len(occ[tok]))
			for _, o := range occ[tok] {
				m[o.pos] = o
			}
			at[tok] = m
		}
		o, found := m[pos]
		return o, found
	}
	var ms []match
	for ti, t := range terms {
		for _, tok := range t.cover {
			if len(occ[tok]) == 0 {
				goto next // the term does not occur
			}
		}
		if len(t.vunits) == 0 {
			for _, tok := range t.cover {
				for _, o := range occ[tok] {
					ms = append(ms, match{o.start, o.end, ti})
				}
			}
			continue
		}
		for _, o := range occ[t.vunits[0].tok] {
			if o.pos < t.vunits[0].off {
				continue
			}
			base := o.pos - t.vunits[0].off
			start, end := o.start, o.end
			ok := true
			for _, u := range t.vunits[1:] {
				o2, found := lookup(u.tok, base+u.off)
				if !found {
					ok = false
					break
				}
				start, end = min(start, o2.start), max(end, o2.end)
			}
			if ok {
				ms = append(ms, match{start, end, ti})
			}
		}
		// Lone characters not tied to a position.
		for _, tok := range t.cover {
			if textKind(tok) != kindUni || slices.ContainsFunc(t.vunits, func(u vunit) bool { return strings.Contains(u.tok, tok) }) {
				continue
			}
			for _, o := range occ[tok] {
				ms = append(ms, match{o.start, o.end, ti})
			}
		}
	next:
	}
	slices.SortFunc(ms, func(a, b match) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	return ms
}

// hitRanges merges overlapping matches into marked byte ranges.
func hitRanges(ms []match) [][2]int {
	var out [][2]int
	for _, m := range ms {
		if n := len(out); n > 0 && m.start <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], m.end)
			continue
		}
		out = append(out, [2]int{m.start, m.end})
	}
	return out
}

// spans cuts text[from:to] into spans with the marked ranges.
func spans(text string, from, to int, ranges [][2]int) []Span {
	var out []Span
	pos := from
	for _, r := range ranges {
		s, e := max(r[0], from), min(r[1], to)
		if s >= e {
			continue
		}
		if s > pos {
			out = append(out, Span{Text: text[pos:s]})
		}
		out = append(out, Span{Text: text[s:e], Hit: true})
		pos = e
	}
	if pos < to {
		out = append(out, Span{Text: text[pos:to]})
	}
	return out
}

// Highlight returns the whole original text with the runs matching the query marked (for
// titles and 文号).
func (q *Query) Highlight(text string) []Span {
	if text == "" {
		return nil
	}
	return spans(text, 0, len(text), hitRanges(q.findMatches(text)))
}

// Snippet returns up to about maxRunes characters of the original text around the matches:
// the window covering the most distinct query terms (two windows joined by "…" when that
// covers more), with the matches marked, "…" where text was left out and runs of white
// space collapsed to one space.
func (q *Query) Snippet(text string, maxRunes int) []Span {
	if maxRunes <= 0 {
		maxRunes = 120
	}
	text = collapseSpace(text)
	if text == "" {
		return nil
	}
	ms := q.findMatches(text)
	if len(ms) > 2000 {
		ms = ms[:2000]
	}
	// Rune index of every byte offset.
	idx := make([]int32, len(text)+1)
	total := 0
	for b := range text {
		idx[b] = int32(total)
		total++
	}
	idx[len(text)] = int32(total)
	for b := 1; b < len(text); b++ {
		if !utf8.RuneStart(text[b]) {
			idx[b] = idx[b-1]
		}
	}
	runeAt := func(b int) int { return int(idx[b]) }
	if len(ms) == 0 {
		end := byteOfRune(text, maxRunes)
		out := []Span{{Text: text[:end]}}
		if end < len(text) {
			out = append(out, Span{Text: "…"})
		}
		return out
	}
	type rm struct{ s, e, term int }
	rms := make([]rm, len(ms))
	for i, m := range ms {
		rms[i] = rm{runeAt(m.start), runeAt(m.end), m.term}
	}
	// best returns the window [s,e) of at most width runes covering the most distinct
	// terms (then most matches) among rms[allowed].
	best := func(width int, skip map[int]bool) (int, int, map[int]bool) {
		bs, be, bestTerms, bestCount := -1, -1, map[int]bool{}, 0
		for i := range rms {
			if skip[rms[i].term] {
				continue
			}
			terms := map[int]bool{}
			count, end := 0, rms[i].e
			for j := i; j < len(rms) && rms[j].e-rms[i].s <= width; j++ {
				if skip[rms[j].term] {
					continue
				}
				terms[rms[j].term] = true
				count++
				end = max(end, rms[j].e)
			}
			if len(terms) > len(bestTerms) || len(terms) == len(bestTerms) && count > bestCount {
				bs, be, bestTerms, bestCount = rms[i].s, end, terms, count
			}
		}
		return bs, be, bestTerms
	}
	place := func(s, e, width int) (int, int) {
		extra := width - (e - s)
		if extra < 0 {
			return s, s + width
		}
		start := max(0, s-extra/3)
		end := min(total, start+width)
		start = max(0, end-width)
		return start, end
	}
	distinct := map[int]bool{}
	for _, m := range rms {
		distinct[m.term] = true
	}
	s1, e1, cov := best(maxRunes, nil)
	windows := [][2]int{}
	if len(cov) < len(distinct) && maxRunes >= 40 {
		half := maxRunes / 2
		a1, b1, c1 := best(half, nil)
		a2, b2, c2 := best(half, c1)
		if a2 >= 0 && len(c1)+len(c2) > len(cov) {
			w1s, w1e := place(a1, b1, half)
			w2s, w2e := place(a2, b2, half)
			if w2s < w1s {
				w1s, w1e, w2s, w2e = w2s, w2e, w1s, w1e
			}
			if w2s <= w1e { // overlapping: one window
				windows = append(windows, [2]int{w1s, max(w1e, w2e)})
			} else {
				windows = append(windows, [2]int{w1s, w1e}, [2]int{w2s, w2e})
			}
		}
	}
	if len(windows) == 0 {
		s, e := place(s1, e1, maxRunes)
		windows = append(windows, [2]int{s, e})
	}
	ranges := hitRanges(ms)
	var out []Span
	for i, w := range windows {
		if w[0] > 0 || i > 0 {
			out = append(out, Span{Text: "…"})
		}
		bs, be := byteOfRune(text, w[0]), byteOfRune(text, w[1])
		// Do not cut a match in half at the window edges.
		for _, r := range ranges {
			if r[0] < bs && r[1] > bs {
				bs = r[0]
			}
			if r[0] < be && r[1] > be {
				be = r[1]
			}
		}
		out = append(out, spans(text, bs, be, ranges)...)
		if i == len(windows)-1 && be < len(text) {
			out = append(out, Span{Text: "…"})
		}
	}
	return out
}

func byteOfRune(s string, n int) int {
	if n <= 0 {
		return 0
	}
	i := 0
	for b := range s {
		if i == n {
			return b
		}
		i++
	}
	return len(s)
}

func collapseSpace(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) && !strings.Contains(s, "  ") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	sp := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			sp = true
			continue
		}
		if sp && b.Len() > 0 {
			b.WriteByte(' ')
		}
		sp = false
		b.WriteRune(r)
	}
	return b.String()
}

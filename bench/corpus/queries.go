package corpus

import (
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// The filtered variant of every query keeps one issuer and the years FilterYearFrom..FilterYearTo.
const (
	FilterYearFrom = 2015
	FilterYearTo   = 2022
)

// ClassNames lists the query classes in report order.
var ClassNames = []string{"rare", "mid", "common", "and3", "phrase3"}

// Query is one benchmark query.
type Query struct {
	Words  []string `json:"words"`
	Phrase bool     `json:"phrase,omitempty"` // the words are adjacent: one phrase
	Text   string   `json:"text"`             // in gongkai query syntax
	Issuer string   `json:"issuer"`           // issuer of the filtered variant
	// DF is the number of documents whose folded text (title, 文号 or body; traditional
	// characters written in simplified form) contains every word (or the phrase); DFFiltered
	// the same among documents of Issuer published FilterYearFrom..FilterYearTo. They are what an
	// exact engine with traditional→simplified folding must report as the total.
	DF         int `json:"df"`
	DFFiltered int `json:"df_filtered"`
	// The same counts on the text as written, without traditional→simplified folding (what an
	// engine without that folding, e.g. Bleve's cjk analyzer, finds).
	DFUnfolded         int `json:"df_unfolded"`
	DFFilteredUnfolded int `json:"df_filtered_unfolded"`
}

// Class is one query class with its measured statistics.
type Class struct {
	Name       string  `json:"name"`
	Definition string  `json:"definition"`
	Distinct   int     `json:"distinct"` // distinct queries; fewer than len(Queries) means repeats
	MeanDF     float64 `json:"mean_df"`
	MinDF      int     `json:"min_df"`
	MaxDF      int     `json:"max_df"`
	Queries    []Query `json:"queries"`
}

// QuerySet is the set of query classes measured on one corpus.
type QuerySet struct {
	N        int     `json:"n"`
	Seed     uint64  `json:"seed"`
	YearFrom int     `json:"year_from"`
	YearTo   int     `json:"year_to"`
	Seconds  float64 `json:"seconds"`
	Classes  []Class `json:"classes"`
}

// Save writes the set as JSON.
func (qs *QuerySet) Save(path string) error {
	b, err := json.MarshalIndent(qs, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// LoadQueries reads a set written by Save.
func LoadQueries(path string) (*QuerySet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var qs QuerySet
	if err := json.Unmarshal(b, &qs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &qs, nil
}

// docSet is a set of document indexes: a bitset (dense) or a sorted list.
type docSet struct {
	bits []uint64
	ids  []int32
}

func (s *docSet) count() int {
	if s.bits == nil {
		return len(s.ids)
	}
	n := 0
	for _, w := range s.bits {
		n += bits.OnesCount64(w)
	}
	return n
}

func (s *docSet) each(fn func(i int)) {
	if s.bits == nil {
		for _, i := range s.ids {
			fn(int(i))
		}
		return
	}
	for k, w := range s.bits {
		for w != 0 {
			fn(k*64 + bits.TrailingZeros64(w))
			w &= w - 1
		}
	}
}

type window struct {
	doc int
	ids [3]int32
}

type qbuilder struct {
	g       *Generator
	workers int
	log     io.Writer
	issuer  []uint8
	year    []uint8
	wordDF  []int32
	windows []window
}

// ranges splits [0,n) into w contiguous parts whose bounds are multiples of 64.
func ranges(n, w int) [][2]int {
	var out [][2]int
	per := (n/w + 63) &^ 63
	if per == 0 {
		per = 64
	}
	for lo := 0; lo < n; lo += per {
		out = append(out, [2]int{lo, min(n, lo+per)})
	}
	return out
}

// pass1 counts, for every word id, the documents it occurs in (as a generated word), records
// each document's issuer and year and samples three-word windows.
func (b *qbuilder) pass1() {
	n := b.g.n
	b.issuer = make([]uint8, n)
	b.year = make([]uint8, n)
	V := CoreSize() + tailSize
	step := max(1, n/4000)
	rs := ranges(n, b.workers)
	counts := make([][]int32, len(rs))
	wins := make([][]window, len(rs))
	var wg sync.WaitGroup
	for k, rg := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := b.g.Worker()
			cnt := make([]int32, V)
			last := make([]int32, V)
			for i := range last {
				last[i] = -1
			}
			var buf []int32
			for i := rg[0]; i < rg[1]; i++ {
				m := b.g.Meta(i)
				b.issuer[i] = uint8(m.Issuer)
				b.year[i] = uint8(m.Year - firstYear)
				doc := int32(i)
				w.WordIDs(i, func(id int) {
					if last[id] != doc {
						last[id] = doc
						cnt[id]++
					}
				})
				if i%step == 0 {
					buf = w.BodyWords(i, buf[:0])
					var pos []int
					for p := 0; p+2 < len(buf); p++ {
						if buf[p] >= 0 && buf[p+1] >= 0 && buf[p+2] >= 0 &&
							WordRunes(int(buf[p])) >= 2 && WordRunes(int(buf[p+1])) >= 2 && WordRunes(int(buf[p+2])) >= 2 {
							pos = append(pos, p)
						}
					}
					if len(pos) > 0 {
						r := newRNG(b.g.seed, uint64(i)*4+2)
						p := pos[r.intn(len(pos))]
						wins[k] = append(wins[k], window{i, [3]int32{buf[p], buf[p+1], buf[p+2]}})
					}
				}
			}
			counts[k] = cnt
		}()
	}
	wg.Wait()
	b.wordDF = counts[0]
	for _, c := range counts[1:] {
		for i, x := range c {
			b.wordDF[i] += x
		}
	}
	for _, w := range wins {
		b.windows = append(b.windows, w...)
	}
}

// pass2 measures, for every candidate string, the exact set of documents whose folded title,
// 文号 or body contains it.
func (b *qbuilder) pass2(cands []string, dense []bool) (sets []docSet, diff [][]int32) {
	n := b.g.n
	const filterBits = 1 << 20
	filter := make([]uint64, filterBits/64)
	index := map[uint64][]int32{}
	key := func(r1, r2 rune) uint64 { return uint64(r1)<<21 | uint64(r2) }
	hash := func(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> (64 - 20) }
	for c, s := range cands {
		r1, n1 := utf8.DecodeRuneInString(s)
		r2, _ := utf8.DecodeRuneInString(s[n1:])
		k := key(r1, r2)
		index[k] = append(index[k], int32(c))
		h := hash(k)
		filter[h/64] |= 1 << (h % 64)
	}
	sets = make([]docSet, len(cands))
	for c := range cands {
		if dense[c] {
			sets[c].bits = make([]uint64, (n+63)/64)
		}
	}
	// scan calls hit(c) for every candidate c found in s.
	scan := func(s string, hit func(c int32)) {
		for p := 0; p < len(s); {
			if s[p] < utf8.RuneSelf {
				p++
				continue
			}
			r1, n1 := utf8.DecodeRuneInString(s[p:])
			r2, _ := utf8.DecodeRuneInString(s[p+n1:])
			kk := key(r1, r2)
			h := hash(kk)
			if filter[h/64]&(1<<(h%64)) != 0 {
				for _, c := range index[kk] {
					if strings.HasPrefix(s[p:], cands[c]) {
						hit(c)
					}
				}
			}
			p += n1
		}
	}
	rs := ranges(n, b.workers)
	sparse := make([][][]int32, len(rs))
	diffs := make([][][]int32, len(rs))
	var wg sync.WaitGroup
	for k, rg := range rs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := b.g.Worker()
			last := make([]int32, len(cands))
			rawLast := make([]int32, len(cands))
			for i := range last {
				last[i] = -1
				rawLast[i] = -1
			}
			mine := make([][]int32, len(cands))
			mineDiff := make([][]int32, len(cands))
			var matched []int32
			var doc int32
			var i int
			onFolded := func(c int32) {
				if last[c] == doc {
					return
				}
				last[c] = doc
				matched = append(matched, c)
				if dense[c] {
					sets[c].bits[i/64] |= 1 << (i % 64)
				} else {
					mine[c] = append(mine[c], doc)
				}
			}
			onRaw := func(c int32) { rawLast[c] = doc }
			for i = rg[0]; i < rg[1]; i++ {
				d := w.Doc(i, true)
				doc = int32(i)
				matched = matched[:0]
				scan(d.Title, onFolded)
				scan(d.DocNo, onFolded)
				scan(d.Body, onFolded)
				if len(matched) == 0 {
					continue
				}
				raw := w.Doc(i, false)
				if raw.Title == d.Title && raw.Body == d.Body {
					continue
				}
				scan(raw.Title, onRaw)
				scan(raw.DocNo, onRaw)
				scan(raw.Body, onRaw)
				for _, c := range matched {
					if rawLast[c] != doc {
						mineDiff[c] = append(mineDiff[c], doc)
					}
				}
			}
			sparse[k] = mine
			diffs[k] = mineDiff
		}()
	}
	wg.Wait()
	diff = make([][]int32, len(cands))
	for c := range cands {
		for k := range rs {
			diff[c] = append(diff[c], diffs[k][c]...)
		}
		if dense[c] {
			continue
		}
		for k := range rs {
			sets[c].ids = append(sets[c].ids, sparse[k][c]...)
		}
	}
	return sets, diff
}

func (b *qbuilder) filtered(s *docSet, issuer int) int {
	lo, hi := uint8(FilterYearFrom-firstYear), uint8(FilterYearTo-firstYear)
	n := 0
	s.each(func(i int) {
		if int(b.issuer[i]) == issuer && b.year[i] >= lo && b.year[i] <= hi {
			n++
		}
	})
	return n
}

func (b *qbuilder) logf(format string, args ...any) {
	if b.log != nil {
		fmt.Fprintf(b.log, format+"\n", args...)
	}
}

// shuffled returns a deterministic permutation of xs for the given stream.
func shuffled[T any](xs []T, seed, stream uint64) []T {
	out := slices.Clone(xs)
	r := newRNG(seed, stream)
	for i := len(out) - 1; i > 0; i-- {
		j := r.intn(i + 1)
		out[i], out[j] = out[j], out[i]
	}
	return out
}

const streamQueries = 1 << 60

// BuildQueries generates the corpus twice (word counts, then exact substring counts of the
// candidates) and picks perClass queries for every class, so the class definitions hold for
// this N. workers goroutines share the work; the result does not depend on their number.
func BuildQueries(g *Generator, perClass, workers int, log io.Writer) *QuerySet {
	start := time.Now()
	b := &qbuilder{g: g, workers: max(1, workers), log: log}
	n := g.n
	b.pass1()
	b.logf("queries: pass 1 (word counts) %.1fs", time.Since(start).Seconds())

	rareT := max(1, (n+5000)/10000)
	rareLo, rareHi := max(1, (rareT+1)/2), max(2, 2*rareT)
	pct := func(p float64) int { return int(p * float64(n) / 100) }

	// Candidates by word-level document frequency (a lower bound of the substring frequency).
	var rareC, midC, commonC, poolC []int
	for id, df := range b.wordDF {
		r := WordRunes(id)
		d := int(df)
		switch {
		case r < 2 || d == 0:
		case d <= rareHi && d >= max(1, rareLo/2):
			rareC = append(rareC, id)
		case d >= pct(2) && d <= pct(8):
			midC = append(midC, id)
		}
		if r >= 2 && d >= pct(15) && d <= pct(55) {
			poolC = append(poolC, id)
		}
		if r == 2 && d >= pct(40) {
			commonC = append(commonC, id)
		}
	}
	rareC = shuffled(rareC, g.seed, streamQueries+1)
	rareC = rareC[:min(len(rareC), 1200)]
	midC = shuffled(midC, g.seed, streamQueries+2)
	midC = midC[:min(len(midC), 600)]
	poolC = shuffled(poolC, g.seed, streamQueries+4)
	poolC = poolC[:min(len(poolC), 150)]
	wins := shuffled(b.windows, g.seed, streamQueries+5)

	var cands []string
	var dense []bool
	candOf := map[string]int{}
	addCand := func(s string, d bool) int {
		if c, ok := candOf[s]; ok {
			dense[c] = dense[c] || d
			return c
		}
		candOf[s] = len(cands)
		cands = append(cands, s)
		dense = append(dense, d)
		return len(cands) - 1
	}
	for _, id := range rareC {
		addCand(Word(id), false)
	}
	for _, id := range midC {
		addCand(Word(id), true)
	}
	for _, id := range commonC {
		addCand(Word(id), true)
	}
	for _, id := range poolC {
		addCand(Word(id), true)
	}
	type phrase struct {
		words []string
		text  string
	}
	var phrases []phrase
	seenPhrase := map[string]bool{}
	for _, w := range wins {
		p := phrase{words: []string{Word(int(w.ids[0])), Word(int(w.ids[1])), Word(int(w.ids[2]))}}
		p.text = strings.Join(p.words, "")
		if seenPhrase[p.text] {
			continue
		}
		seenPhrase[p.text] = true
		phrases = append(phrases, p)
		addCand(p.text, false)
		if len(phrases) >= 1500 {
			break
		}
	}
	b.logf("queries: %d candidates (rare %d, mid %d, common %d, and-pool %d, phrases %d)",
		len(cands), len(rareC), len(midC), len(commonC), len(poolC), len(phrases))
	t2 := time.Now()
	sets, diff := b.pass2(cands, dense)
	b.logf("queries: pass 2 (exact substring counts) %.1fs", time.Since(t2).Seconds())
	df := make([]int, len(cands))
	for c := range cands {
		df[c] = sets[c].count()
	}

	qs := &QuerySet{N: n, Seed: g.seed, YearFrom: FilterYearFrom, YearTo: FilterYearTo}
	issuerRNG := newRNG(g.seed, streamQueries+100)
	finish := func(name, def string, picked []Query) {
		cl := Class{Name: name, Definition: def, Distinct: len(picked), MinDF: -1}
		if len(picked) == 0 {
			qs.Classes = append(qs.Classes, cl)
			b.logf("queries: class %s: no query qualifies", name)
			return
		}
		for len(cl.Queries) < perClass {
			for _, q := range picked {
				if len(cl.Queries) == perClass {
					break
				}
				cl.Queries = append(cl.Queries, q)
			}
		}
		sum := 0
		for k := range cl.Queries {
			q := &cl.Queries[k]
			sum += q.DF
			if cl.MinDF < 0 || q.DF < cl.MinDF {
				cl.MinDF = q.DF
			}
			cl.MaxDF = max(cl.MaxDF, q.DF)
		}
		cl.MeanDF = float64(sum) / float64(len(cl.Queries))
		qs.Classes = append(qs.Classes, cl)
		b.logf("queries: class %-7s distinct %3d  df mean %.1f min %d max %d  (%s)", name, cl.Distinct, cl.MeanDF, cl.MinDF, cl.MaxDF, def)
	}
	single := func(ids []int, lo, hi, stream uint64, twoOnly bool) []Query {
		var out []Query
		for _, id := range shuffled(ids, g.seed, stream) {
			w := Word(id)
			c := candOf[w]
			if uint64(df[c]) < lo || uint64(df[c]) > hi || (twoOnly && WordRunes(id) != 2) {
				continue
			}
			iss := issuerRNG.intn(len(issuers))
			d := &docSet{ids: diff[c]}
			out = append(out, Query{Words: []string{w}, Text: w, Issuer: issuers[iss].name, DF: df[c], DFFiltered: b.filtered(&sets[c], iss),
				DFUnfolded: df[c] - len(diff[c]), DFFilteredUnfolded: b.filtered(&sets[c], iss) - b.filtered(d, iss)})
			if len(out) == perClass {
				break
			}
		}
		return out
	}
	finish("rare", fmt.Sprintf("one word in %d–%d documents (≈0.01%% of %d)", rareLo, rareHi, n),
		single(rareC, uint64(rareLo), uint64(rareHi), streamQueries+11, false))
	finish("mid", fmt.Sprintf("one word in 3–8%% of documents (%d–%d)", pct(3), pct(8)),
		single(midC, uint64(pct(3)), uint64(pct(8)), streamQueries+12, false))
	finish("common", fmt.Sprintf("one 2-character word in ≥50%% of documents (≥%d)", (n+1)/2),
		single(commonC, uint64((n+1)/2), uint64(n), streamQueries+13, true))

	// three words ANDed
	var pool []int
	for _, id := range poolC {
		d := df[candOf[Word(id)]]
		if d >= pct(15) && d <= pct(60) {
			pool = append(pool, id)
		}
	}
	var and3 []Query
	if len(pool) >= 3 {
		r := newRNG(g.seed, streamQueries+14)
		seen := map[[3]int]bool{}
		tmp := docSet{bits: make([]uint64, (n+63)/64)}
		for try := 0; try < 200_000 && len(and3) < perClass; try++ {
			ids := [3]int{pool[r.intn(len(pool))], pool[r.intn(len(pool))], pool[r.intn(len(pool))]}
			slices.Sort(ids[:])
			if ids[0] == ids[1] || ids[1] == ids[2] || seen[ids] {
				continue
			}
			ws := []string{Word(ids[0]), Word(ids[1]), Word(ids[2])}
			if strings.Contains(ws[0], ws[1]) || strings.Contains(ws[1], ws[0]) ||
				strings.Contains(ws[0], ws[2]) || strings.Contains(ws[2], ws[0]) ||
				strings.Contains(ws[1], ws[2]) || strings.Contains(ws[2], ws[1]) {
				continue
			}
			seen[ids] = true
			a, bb, c := sets[candOf[ws[0]]].bits, sets[candOf[ws[1]]].bits, sets[candOf[ws[2]]].bits
			for k := range tmp.bits {
				tmp.bits[k] = a[k] & bb[k] & c[k]
			}
			d := tmp.count()
			if d < max(1, n/200) || d > n/10 {
				continue
			}
			iss := issuerRNG.intn(len(issuers))
			q := Query{Words: ws, Issuer: issuers[iss].name, DF: d, DFFiltered: b.filtered(&tmp, iss)}
			for _, w := range ws {
				for _, i := range diff[candOf[w]] {
					tmp.bits[i/64] &^= 1 << (i % 64)
				}
			}
			q.DFUnfolded, q.DFFilteredUnfolded = tmp.count(), b.filtered(&tmp, iss)
			q.Words = shuffled(ws, g.seed, streamQueries+1000+uint64(try))
			q.Text = strings.Join(q.Words, " ")
			and3 = append(and3, q)
		}
	}
	finish("and3", fmt.Sprintf("three words (each in 15–60%% of documents) ANDed, together in 0.5–10%% (%d–%d)", max(1, n/200), n/10), and3)

	var ph []Query
	for _, p := range shuffled(phrases, g.seed, streamQueries+15) {
		c := candOf[p.text]
		if df[c] == 0 {
			continue
		}
		iss := issuerRNG.intn(len(issuers))
		dd := &docSet{ids: diff[c]}
		ph = append(ph, Query{Words: p.words, Phrase: true, Text: p.text, Issuer: issuers[iss].name, DF: df[c], DFFiltered: b.filtered(&sets[c], iss),
			DFUnfolded: df[c] - len(diff[c]), DFFilteredUnfolded: b.filtered(&sets[c], iss) - b.filtered(dd, iss)})
		if len(ph) == perClass {
			break
		}
	}
	finish("phrase3", "three adjacent words taken from random documents, searched as one phrase", ph)
	qs.Seconds = time.Since(start).Seconds()
	return qs
}

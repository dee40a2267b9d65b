package textsearch

import (
	"bytes"
	"cmp"
	"container/heap"
	"errors"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// Sort orders search hits.
type Sort int

const (
	ByRelevance Sort = iota // Tier, then BM25F score desc, then Date desc, then Key
	ByDate                  // Tier, then Date desc, then Key
)

// Request is one search.
type Request struct {
	Query   string              // as typed by a user
	Filters map[string][]string // facet → accepted values: OR within a facet, AND across facets; a facet with no values is ignored
	Sort    Sort
	Offset  int
	Limit   int      // 0 → 20; at most 100
	Facets  []string // facet names to count over the whole filtered result set
}

// Hit is one result.
type Hit struct {
	Key   string
	Score float64
	Date  int64
	Tier  int
}

// FacetCount is the number of matching documents with one facet value.
type FacetCount struct {
	Value string
	Count int
}

// Result of a search.
type Result struct {
	Total  int                     // exact
	Hits   []Hit                   //
	Facets map[string][]FacetCount // sorted by count desc, then value asc; zero counts omitted
	Query  *Query                  // parsed query, for snippets
	Notice string                  // zh-CN note when input was degraded
}

const (
	defaultLimit = 20
	maxLimit     = 100
)

// BM25F parameters. Title matches weigh three times body matches, 文号 twice.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

var fieldWeight = [numFields]float64{fieldTitle: 3, fieldBody: 1, fieldDocNo: 2}

// Search runs a query. The error is non-nil only for a malformed request (or after Close).
func (ix *Index) Search(req Request) (Result, error) {
	if req.Offset < 0 {
		return Result{}, errors.New("textsearch: negative offset")
	}
	if req.Limit < 0 {
		return Result{}, errors.New("textsearch: negative limit")
	}
	if req.Sort != ByRelevance && req.Sort != ByDate {
		return Result{}, errors.New("textsearch: unknown sort")
	}
	limit := req.Limit
	if limit == 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	q := Parse(req.Query)
	res := Result{Query: q, Notice: q.notice}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.closed {
		return Result{}, ErrClosed
	}
	ex := &exec{q: q, req: &req, segs: ix.segs}
	ex.k = req.Offset + limit
	if ex.k < req.Offset { // overflow
		ex.k = req.Offset
	}
	ex.run(&res, limit)
	if ix.searches.Add(1)%16 == 0 {
		ix.trimResident()
	}
	return res, nil
}

type exec struct {
	q    *Query
	req  *Request
	segs []*segment
	k    int
	runs []*segRun

	// global statistics for scoring
	toks   []*scoreTok
	nLive  int
	avgDLW float64
}

type scoreTok struct {
	tok  string
	mask uint8
	df   int
	idf  float64
}

type segRun struct {
	idx   int
	s     *segment
	lists map[string]*plist
	terms map[*qterm]*termState
	R     *roaring.Bitmap
	ver   verifier // cursors for phrase checks
}

func (sr *segRun) list(tok string) *plist {
	if pl, ok := sr.lists[tok]; ok {
		return pl
	}
	var p *plist
	if pl, ok := sr.s.r.lookup(tok); ok {
		p = &pl
	}
	sr.lists[tok] = p
	return p
}

func fieldTok(f int, tok string) string { return string(fieldByte[f]) + tok }

func (ex *exec) run(res *Result, limit int) {
	for i, s := range ex.segs {
		if s.live == 0 {
			continue
		}
		ex.runs = append(ex.runs, &segRun{idx: i, s: s, lists: map[string]*plist{}, terms: map[*qterm]*termState{}})
		ex.nLive += s.live
	}
	ex.matchAll()
	for _, sr := range ex.runs {
		res.Total += int(sr.R.GetCardinality())
	}
	if len(ex.req.Facets) > 0 {
		res.Facets = ex.facets()
	}
	if res.Total <= ex.req.Offset {
		return
	}
	if !ex.q.Empty() {
		ex.stats()
	}
	var h *hitHeap
	if ex.req.Sort == ByDate || len(ex.toks) == 0 {
		h = ex.topByDate()
	} else {
		h = ex.topByScore()
	}
	ents := h.sorted()
	if ex.req.Offset >= len(ents) {
		return
	}
	ents = ents[ex.req.Offset:min(len(ents), ex.req.Offset+limit)]
	res.Hits = make([]Hit, len(ents))
	for i, e := range ents {
		sr := ex.runs[e.run]
		score := e.score
		if ex.req.Sort == ByDate && len(ex.toks) > 0 {
			score = ex.scoreOne(sr, e.id)
		}
		res.Hits[i] = Hit{Key: sr.s.r.keyString(e.id), Score: score, Date: e.date, Tier: int(e.tier)}
	}
}

// ---------------------------------------------------------------- matching

func fullBitmap(n int) *roaring.Bitmap {
	bm := roaring.New()
	bm.AddRange(0, uint64(n))
	return bm
}

// termState is what a segment knows about a term: candidates per field (documents having
// all its cover tokens in that field), their union, and the positional tokens' lists.
type termState struct {
	cand      *roaring.Bitmap
	fieldCand [numFields]*roaring.Bitmap
	vlists    [numFields][]*plist
}

func (ex *exec) term(sr *segRun, t *qterm) *termState {
	if ts, ok := sr.terms[t]; ok {
		return ts
	}
	ts := &termState{}
	for f := range numFields {
		if t.fields&(1<<f) == 0 {
			continue
		}
		var bms []*roaring.Bitmap
		for _, tok := range t.cover {
			pl := sr.list(fieldTok(f, tok))
			if pl == nil {
				bms = nil
				break
			}
			bms = append(bms, pl.bm)
		}
		if len(bms) == 0 {
			continue
		}
		x := andAll(bms)
		ts.fieldCand[f] = x
		if ts.cand == nil {
			ts.cand = x
		} else {
			ts.cand = roaring.Or(ts.cand, x)
		}
		for _, u := range t.vunits {
			ts.vlists[f] = append(ts.vlists[f], sr.list(fieldTok(f, u.tok)))
		}
	}
	if ts.cand == nil {
		ts.cand = roaring.New()
	}
	sr.terms[t] = ts
	return ts
}

// termCand is the candidate set of a term in one segment; exact when t.exact.
func (ex *exec) termCand(sr *segRun, t *qterm) *roaring.Bitmap { return ex.term(sr, t).cand }

// andAll intersects bitmaps, smallest first. It never modifies its inputs; with one input
// the input itself is returned.
func andAll(bms []*roaring.Bitmap) *roaring.Bitmap {
	if len(bms) == 1 {
		return bms[0]
	}
	slices.SortFunc(bms, func(a, b *roaring.Bitmap) int { return cmp.Compare(a.GetCardinality(), b.GetCardinality()) })
	x := roaring.And(bms[0], bms[1])
	for _, b := range bms[2:] {
		if x.IsEmpty() {
			break
		}
		x.And(b)
	}
	return x
}

func (ex *exec) filter(sr *segRun) (*roaring.Bitmap, bool) {
	if len(ex.req.Filters) == 0 {
		return nil, false
	}
	names := make([]string, 0, len(ex.req.Filters))
	for name, vals := range ex.req.Filters {
		if len(vals) > 0 {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, false
	}
	slices.Sort(names)
	var bms []*roaring.Bitmap
	for _, name := range names {
		var u *roaring.Bitmap
		for _, v := range ex.req.Filters[name] {
			pl := sr.list(facetToken(name, v))
			if pl == nil {
				continue
			}
			if u == nil {
				u = pl.bm
			} else {
				u = roaring.Or(u, pl.bm)
			}
		}
		if u == nil {
			return roaring.New(), true
		}
		bms = append(bms, u)
	}
	return andAll(bms), true
}

// matchAll computes the match set of every segment. When phrases have to be checked on
// positions (the costly part) and there are several segments, the segments are shared out
// among up to GOMAXPROCS goroutines: a segment's matching touches only its own segRun.
func (ex *exec) matchAll() {
	workers := min(runtime.GOMAXPROCS(0), len(ex.runs))
	if workers < 2 || !ex.q.hasPhrase() {
		for _, sr := range ex.runs {
			ex.match(sr)
		}
		return
	}
	var next atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(ex.runs); i = int(next.Add(1)) - 1 {
				ex.match(ex.runs[i])
			}
		}()
	}
	wg.Wait()
}

// hasPhrase reports whether some term must be checked on positions.
func (q *Query) hasPhrase() bool {
	for _, c := range q.clauses {
		for _, t := range c.alts {
			if !t.exact {
				return true
			}
		}
	}
	for _, t := range q.excl {
		if !t.exact {
			return true
		}
	}
	return false
}

// match computes sr.R, the exact set of live matching documents of the segment.
func (ex *exec) match(sr *segRun) {
	var bms []*roaring.Bitmap
	if f, ok := ex.filter(sr); ok {
		bms = append(bms, f)
	}
	for _, c := range ex.q.clauses {
		var u *roaring.Bitmap
		for _, t := range c.alts {
			x := ex.termCand(sr, t)
			if u == nil {
				u = x
			} else {
				u = roaring.Or(u, x)
			}
		}
		bms = append(bms, u)
	}
	var R *roaring.Bitmap
	if len(bms) == 0 {
		R = fullBitmap(sr.s.r.numDocs())
	} else {
		R = andAll(bms)
	}
	if sr.s.del != nil && !R.IsEmpty() {
		R = roaring.AndNot(R, sr.s.del)
	}
	// Phrases: each clause keeps the documents where one of its terms matches (an exact
	// term by its candidates, the others on positions, each only for the documents no
	// earlier alternative matched); then excluded terms drop theirs.
	for _, c := range ex.q.clauses {
		if R.IsEmpty() {
			break
		}
		if !slices.ContainsFunc(c.alts, func(t *qterm) bool { return !t.exact }) {
			continue
		}
		var u *roaring.Bitmap
		for _, t := range c.alts {
			rest := R
			if u != nil {
				if u.GetCardinality() == R.GetCardinality() {
					break
				}
				rest = roaring.AndNot(R, u)
			}
			x := ex.verifySet(sr, t, rest)
			if u == nil {
				u = x
			} else {
				u.Or(x)
			}
		}
		R = u
	}
	for _, t := range ex.q.excl {
		if R.IsEmpty() {
			break
		}
		R = roaring.AndNot(R, ex.verifySet(sr, t, R))
	}
	sr.R = R
}

// ---------------------------------------------------------------- facets

func (ex *exec) facets() map[string][]FacetCount {
	out := make(map[string][]FacetCount)
	seen := map[string]bool{}
	for _, name := range ex.req.Facets {
		if seen[name] {
			continue
		}
		seen[name] = true
		counts := map[string]int{}
		pre := facetToken(name, "")
		for _, sr := range ex.runs {
			if sr.R.IsEmpty() {
				continue
			}
			if fs, ok := sr.s.r.(*fileSeg); ok {
				if col := fs.facets[name]; col != nil && useColumn(sr.R, col) {
					countColumn(sr.R, col, counts)
					continue
				} else if col == nil {
					continue // no document of this segment has the facet
				}
			}
			sr.s.r.prefix(pre, func(tok string, pl plist) {
				if c := sr.R.AndCardinality(pl.bm); c > 0 {
					counts[tok[len(pre):]] += int(c)
				}
			})
		}
		fc := make([]FacetCount, 0, len(counts))
		for v, c := range counts {
			fc = append(fc, FacetCount{Value: v, Count: c})
		}
		slices.SortFunc(fc, func(a, b FacetCount) int {
			if c := cmp.Compare(b.Count, a.Count); c != 0 {
				return c
			}
			return strings.Compare(a.Value, b.Value)
		})
		out[name] = fc
	}
	return out
}

// useColumn decides between one pass over the matches with the forward column and one
// bitmap intersection per value.
func useColumn(R *roaring.Bitmap, col *facetCol) bool {
	nv := float64(len(col.valOffs)/4 - 1)
	r, n := float64(R.GetCardinality()), float64(col.n)
	bitmapCost := nv*r + n // sorted-array intersections
	if r*16 > n {
		bitmapCost = n // dense matches: bit tests
	}
	return 2*r < bitmapCost
}

func countColumn(R *roaring.Bitmap, col *facetCol, counts map[string]int) {
	nv := len(col.valOffs)/4 - 1
	byID := make([]int, nv)
	it := R.ManyIterator()
	var buf [512]uint32
	for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
		for _, d := range buf[:k] {
			lo, hi := le32(col.docOffs, int(d)), le32(col.docOffs, int(d)+1)
			for j := lo; j < hi; j++ {
				if v := int(le32(col.ids, int(j))); v < nv {
					byID[v]++
				}
			}
		}
	}
	for v, c := range byID {
		if c > 0 {
			counts[col.value(v)] += c
		}
	}
}

// ---------------------------------------------------------------- scoring

// stats computes document frequencies and average lengths over all live documents, so
// scores do not depend on how documents are spread over segments.
func (ex *exec) stats() {
	type key struct {
		tok  string
		mask uint8
	}
	seen := map[key]*scoreTok{}
	for _, c := range ex.q.clauses {
		for _, t := range c.alts {
			for _, tok := range t.score {
				k := key{tok, t.fields}
				if seen[k] == nil {
					st := &scoreTok{tok: tok, mask: t.fields}
					seen[k] = st
					ex.toks = append(ex.toks, st)
				}
			}
		}
	}
	var sum float64
	for _, sr := range ex.runs {
		for f := range numFields {
			sum += fieldWeight[f] * float64(sr.s.liveLen[f])
		}
	}
	if ex.nLive > 0 {
		ex.avgDLW = sum / float64(ex.nLive)
	}
	if ex.avgDLW <= 0 {
		ex.avgDLW = 1
	}
	for _, st := range ex.toks {
		for _, sr := range ex.runs {
			var u *roaring.Bitmap
			for f := range numFields {
				if st.mask&(1<<f) == 0 {
					continue
				}
				if pl := sr.list(fieldTok(f, st.tok)); pl != nil {
					if u == nil {
						u = pl.bm
					} else {
						u = roaring.Or(u, pl.bm)
					}
				}
			}
			if u == nil {
				continue
			}
			if sr.s.del != nil {
				st.df += int(u.GetCardinality() - u.AndCardinality(sr.s.del))
			} else {
				st.df += int(u.GetCardinality())
			}
		}
		n := float64(ex.nLive)
		df := float64(st.df)
		st.idf = math.Log(1 + (n-df+0.5)/(df+0.5))
	}
}

// weightedLen is a document's BM25F length: title×3 + body + 文号×2.
func weightedLen(l [numFields]uint32) float64 {
	return fieldWeight[0]*float64(l[0]) + fieldWeight[1]*float64(l[1]) + fieldWeight[2]*float64(l[2])
}

// normOf is BM25's k1·(1 − b + b·dlw/avg), written as a + c·dlw (the one formula used
// everywhere, so equal documents get bit-identical scores in every segment).
func normOf(dlw, avg float64) float64 {
	return bm25K1*(1-bm25B) + bm25K1*bm25B/avg*dlw
}

func (ex *exec) norm(sr *segRun, d uint32) float64 {
	return normOf(weightedLen(sr.s.r.docLens(d)), ex.avgDLW)
}

func bm25(idf, tfw, norm float64) float64 {
	if tfw <= 0 {
		return 0
	}
	return idf * tfw * (bm25K1 + 1) / (tfw + norm)
}

// scoreOne scores one document with rank lookups.
func (ex *exec) scoreOne(sr *segRun, d uint32) float64 {
	nm := ex.norm(sr, d)
	var s float64
	for _, st := range ex.toks {
		var tfw float64
		for f := range numFields {
			if st.mask&(1<<f) == 0 {
				continue
			}
			if pl := sr.list(fieldTok(f, st.tok)); pl != nil {
				if r := pl.rankOf(d); r >= 0 {
					tfw += fieldWeight[f] * float64(pl.tfAt(r))
				}
			}
		}
		s += bm25(st.idf, tfw, nm)
	}
	return s
}

var scratchPool = sync.Pool{New: func() any { return new([]float32) }}

// topByScore scores every candidate (tier 0 only when there are enough of them) and keeps
// the best k. Term frequencies of tokens whose posting lists are not much longer than the
// candidate set are spread into dense per-segment arrays in one sequential pass; the rest
// are looked up by rank.
func (ex *exec) topByScore() *hitHeap {
	h := &hitHeap{ex: ex, byScore: true, k: ex.k}
	tier0 := 0
	t0 := make([]*roaring.Bitmap, len(ex.runs))
	for i, sr := range ex.runs {
		t0[i] = sr.R
		if pl := sr.list(tokTier1); pl != nil {
			t0[i] = roaring.AndNot(sr.R, pl.bm)
		}
		tier0 += int(t0[i].GetCardinality())
	}
	for i, sr := range ex.runs {
		cand := sr.R
		if tier0 >= ex.k {
			cand = t0[i]
		}
		if !cand.IsEmpty() {
			ex.scoreSeg(sr, i, cand, h)
		}
	}
	return h
}

// tfSrc is a token whose frequencies are looked up per candidate: by a rank cursor moving
// forward with the candidates, or, for a handful of candidates, by Rank.
type tfSrc struct {
	pl *plist
	w  float64
	rc *rankCursor
}

func (ex *exec) scoreSeg(sr *segRun, run int, cand *roaring.Bitmap, h *hitHeap) {
	n := sr.s.r.numDocs()
	nc := int(cand.GetCardinality())
	type tokPlan struct {
		st     *scoreTok
		dense  []float32
		sparse []tfSrc
	}
	plans := make([]tokPlan, 0, len(ex.toks))
	var pooled []*[]float32
	for _, st := range ex.toks {
		tp := tokPlan{st: st}
		for f := range numFields {
			if st.mask&(1<<f) == 0 {
				continue
			}
			pl := sr.list(fieldTok(f, st.tok))
			if pl == nil {
				continue
			}
			if pl.df > 8*nc {
				var rc *rankCursor
				if nc >= minCursorCands {
					rc = new(rankCursor)
					rc.reset(pl, nc)
				}
				tp.sparse = append(tp.sparse, tfSrc{pl, fieldWeight[f], rc})
				continue
			}
			if tp.dense == nil {
				p := scratchPool.Get().(*[]float32)
				if cap(*p) < n {
					*p = make([]float32, n)
				}
				*p = (*p)[:n]
				pooled = append(pooled, p)
				tp.dense = *p
			}
			w := float32(fieldWeight[f])
			it := pl.bm.ManyIterator()
			var buf [512]uint32
			rank := 0
			for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
				for _, d := range buf[:k] {
					tp.dense[d] += w * float32(pl.tfAt(rank))
					rank++
				}
			}
		}
		plans = append(plans, tp)
	}
	// norm(d) = k1·(1 − b + b·dlw(d)/avg) = a + c·dlw(d)
	var dlw []float32
	if fs, ok := sr.s.r.(*fileSeg); ok {
		dlw = fs.weightedLens()
	}
	it := cand.ManyIterator()
	var buf [512]uint32
	for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
		for _, d := range buf[:k] {
			var nm float64
			if dlw != nil {
				nm = normOf(float64(dlw[d]), ex.avgDLW)
			} else {
				nm = ex.norm(sr, d)
			}
			var s float64
			for i := range plans {
				tp := &plans[i]
				var tfw float64
				if tp.dense != nil {
					tfw = float64(tp.dense[d])
				}
				for _, src := range tp.sparse {
					r := -1
					if src.rc != nil {
						r = src.rc.seek(d)
					} else {
						r = src.pl.rankOf(d)
					}
					if r >= 0 {
						tfw += src.w * float64(src.pl.tfAt(r))
					}
				}
				s += bm25(tp.st.idf, tfw, nm)
			}
			tier := sr.s.r.tier(d)
			if len(h.ents) == h.k && h.k > 0 && (tier > h.ents[0].tier || tier == h.ents[0].tier && s < h.ents[0].score) {
				continue // cannot enter the heap
			}
			h.offer(hitEnt{score: s, date: sr.s.r.date(d), tier: tier, run: run, id: d})
		}
	}
	for _, p := range pooled {
		clear(*p)
		scratchPool.Put(p)
	}
}

// topByDate keeps the k newest matches. A segment whose matches are dense is walked in its
// stored date order (tier, date desc, key), stopping after k hits; a sparse one is scanned.
func (ex *exec) topByDate() *hitHeap {
	h := &hitHeap{ex: ex, k: ex.k}
	for i, sr := range ex.runs {
		nr := int(sr.R.GetCardinality())
		if nr == 0 {
			continue
		}
		n := sr.s.r.numDocs()
		order := sr.s.r.dateOrder()
		if order != nil && int64(ex.k)*int64(n)/int64(nr)*4 < int64(nr) {
			found := 0
			for j := 0; j < n && found < ex.k; j++ {
				d := le32(order, j)
				if !sr.R.Contains(d) {
					continue
				}
				found++
				e := hitEnt{date: sr.s.r.date(d), tier: sr.s.r.tier(d), run: i, id: d}
				if !h.offer(e) {
					break // later ones of this segment are worse still
				}
			}
			continue
		}
		it := sr.R.ManyIterator()
		var buf [512]uint32
		for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
			for _, d := range buf[:k] {
				h.offer(hitEnt{date: sr.s.r.date(d), tier: sr.s.r.tier(d), run: i, id: d})
			}
		}
	}
	return h
}

// ---------------------------------------------------------------- top-k heap

type hitEnt struct {
	score float64
	date  int64
	tier  uint8
	run   int
	id    uint32
}

type hitHeap struct {
	ex      *exec
	byScore bool
	k       int
	ents    []hitEnt
}

// better reports whether a ranks before b.
func (h *hitHeap) better(a, b *hitEnt) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	if h.byScore && a.score != b.score {
		return a.score > b.score
	}
	if a.date != b.date {
		return a.date > b.date
	}
	ka := h.ex.runs[a.run].s.r.keyBytes(a.id)
	kb := h.ex.runs[b.run].s.r.keyBytes(b.id)
	return bytes.Compare(ka, kb) < 0
}

func (h *hitHeap) Len() int           { return len(h.ents) }
func (h *hitHeap) Less(i, j int) bool { return h.better(&h.ents[j], &h.ents[i]) } // worst on top
func (h *hitHeap) Swap(i, j int)      { h.ents[i], h.ents[j] = h.ents[j], h.ents[i] }
func (h *hitHeap) Push(x any)         { h.ents = append(h.ents, x.(hitEnt)) }
func (h *hitHeap) Pop() any {
	e := h.ents[len(h.ents)-1]
	h.ents = h.ents[:len(h.ents)-1]
	return e
}

// offer adds e if it is among the best k; it reports whether it was.
func (h *hitHeap) offer(e hitEnt) bool {
	if h.k <= 0 {
		return false
	}
	if len(h.ents) < h.k {
		heap.Push(h, e)
		return true
	}
	if !h.better(&e, &h.ents[0]) {
		return false
	}
	h.ents[0] = e
	heap.Fix(h, 0)
	return true
}

func (h *hitHeap) sorted() []hitEnt {
	out := slices.Clone(h.ents)
	sort.Slice(out, func(i, j int) bool { return h.better(&out[i], &out[j]) })
	return out
}

package textsearch

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The property test compares Search with a naive scan over the live documents: same Total,
// same hits in the same order with the same scores, same facet counts.

type oracleDoc struct {
	d     Doc
	atoms [numFields][]atom
	lens  [numFields]int
	toks  [numFields]map[string][]uint32
}

func analyseOracle(d Doc) *oracleDoc {
	od := &oracleDoc{d: d}
	for f, text := range [numFields]string{d.Title, d.Body, d.DocNo} {
		sc := scanner{}
		sc.emit = func(a *atom) {
			c := *a
			c.word = slices.Clone(a.word)
			od.atoms[f] = append(od.atoms[f], c)
		}
		sc.scanText(text)
		od.lens[f] = len(od.atoms[f])
		od.toks[f] = od.tokens(f)
	}
	return od
}

// tokens lists the token occurrences of a field (independently of the analyzer).
func (od *oracleDoc) tokens(f int) map[string][]uint32 {
	out := map[string][]uint32{}
	as := od.atoms[f]
	for i, a := range as {
		var self string
		if a.r != 0 {
			self = string(a.r)
		} else {
			self = string(a.word)
		}
		out[self] = append(out[self], a.pos)
		if i > 0 && as[i-1].pos+1 == a.pos {
			b := as[i-1]
			switch {
			case b.r != 0 && a.r != 0:
				out[string(b.r)+self] = append(out[string(b.r)+self], b.pos)
			case b.r == 0 && a.r != 0:
				out[string(b.word)+self] = append(out[string(b.word)+self], b.pos)
			case b.r != 0 && a.r == 0:
				out[string(b.r)+self] = append(out[string(b.r)+self], b.pos)
			}
		}
	}
	return out
}

// matchTerm: every cover token in one field, and the positional tokens at their offsets.
func (od *oracleDoc) matchTerm(t *qterm) bool {
	for f := range numFields {
		if t.fields&(1<<f) == 0 {
			continue
		}
		toks := od.toks[f]
		ok := true
		for _, c := range t.cover {
			ok = ok && len(toks[c]) > 0
		}
		if !ok {
			continue
		}
		if len(t.vunits) == 0 {
			return true
		}
		for _, p := range toks[t.vunits[0].tok] {
			if p < t.vunits[0].off {
				continue
			}
			base := p - t.vunits[0].off
			all := true
			for _, u := range t.vunits[1:] {
				all = all && slices.Contains(toks[u.tok], base+u.off)
			}
			if all {
				return true
			}
		}
	}
	return false
}

// tf counts a token in a field.
func (od *oracleDoc) tf(f int, tok string) int {
	return min(len(od.toks[f][tok]), tfMax)
}

type oracle struct{ docs map[string]*oracleDoc }

func (o *oracle) search(req Request) Result {
	q := Parse(req.Query)
	var live []*oracleDoc
	for _, od := range o.docs {
		live = append(live, od)
	}
	var hits []*oracleDoc
	for _, od := range live {
		ok := true
		for _, c := range q.clauses {
			any := false
			for _, t := range c.alts {
				if od.matchTerm(t) {
					any = true
					break
				}
			}
			ok = ok && any
		}
		for _, t := range q.excl {
			if od.matchTerm(t) {
				ok = false
			}
		}
		for name, vals := range req.Filters {
			if len(vals) == 0 {
				continue
			}
			in := false
			for _, v := range vals {
				in = in || slices.Contains(od.d.Facets[name], v)
			}
			ok = ok && in
		}
		if ok {
			hits = append(hits, od)
		}
	}
	res := Result{Total: len(hits), Query: q}
	if len(req.Facets) > 0 {
		res.Facets = map[string][]FacetCount{}
		for _, name := range req.Facets {
			counts := map[string]int{}
			for _, od := range hits {
				vs := slices.Clone(od.d.Facets[name])
				slices.Sort(vs)
				for _, v := range slices.Compact(vs) {
					counts[v]++
				}
			}
			fc := []FacetCount{}
			for v, c := range counts {
				fc = append(fc, FacetCount{v, c})
			}
			slices.SortFunc(fc, func(a, b FacetCount) int {
				if a.Count != b.Count {
					return b.Count - a.Count
				}
				return strings.Compare(a.Value, b.Value)
			})
			res.Facets[name] = fc
		}
	}
	// Scores: BM25F over the score tokens of the positive terms.
	type st struct {
		tok  string
		mask uint8
		idf  float64
	}
	var toks []st
	seen := map[string]bool{}
	for _, c := range q.clauses {
		for _, t := range c.alts {
			for _, tok := range t.score {
				k := fmt.Sprint(tok, t.fields)
				if !seen[k] {
					seen[k] = true
					toks = append(toks, st{tok: tok, mask: t.fields})
				}
			}
		}
	}
	var sum float64
	for _, od := range live {
		for f := range numFields {
			sum += fieldWeight[f] * float64(od.lens[f])
		}
	}
	avg := 1.0
	if len(live) > 0 && sum > 0 {
		avg = sum / float64(len(live))
	}
	for i := range toks {
		df := 0
		for _, od := range live {
			for f := range numFields {
				if toks[i].mask&(1<<f) != 0 && od.tf(f, toks[i].tok) > 0 {
					df++
					break
				}
			}
		}
		n, d := float64(len(live)), float64(df)
		toks[i].idf = math.Log(1 + (n-d+0.5)/(d+0.5))
	}
	type sh struct {
		od    *oracleDoc
		score float64
	}
	var scored []sh
	for _, od := range hits {
		dl := 3*float64(od.lens[0]) + float64(od.lens[1]) + 2*float64(od.lens[2])
		nm := bm25K1*(1-bm25B) + bm25K1*bm25B/avg*dl
		var s float64
		for _, t := range toks {
			var tfw float64
			for f := range numFields {
				if t.mask&(1<<f) != 0 {
					tfw += fieldWeight[f] * float64(od.tf(f, t.tok))
				}
			}
			s += bm25(t.idf, tfw, nm)
		}
		scored = append(scored, sh{od, s})
	}
	slices.SortFunc(scored, func(a, b sh) int {
		if c := cmp.Compare(cleanTier(a.od.d.Tier), cleanTier(b.od.d.Tier)); c != 0 {
			return c
		}
		if req.Sort == ByRelevance && a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		if c := cmp.Compare(b.od.d.Date, a.od.d.Date); c != 0 {
			return c
		}
		return strings.Compare(a.od.d.Key, b.od.d.Key)
	})
	limit := req.Limit
	if limit == 0 {
		limit = defaultLimit
	}
	limit = min(limit, maxLimit)
	for i := req.Offset; i < len(scored) && i < req.Offset+limit; i++ {
		s := scored[i]
		score := s.score
		if len(toks) == 0 {
			score = 0
		}
		res.Hits = append(res.Hits, Hit{Key: s.od.d.Key, Score: score, Date: s.od.d.Date, Tier: int(cleanTier(s.od.d.Tier))})
	}
	return res
}

var oracleChars = []string{"财", "財", "政", "预", "預", "算", "税", "收", "改", "革", "年", "号", "工", "作"}

func randText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		switch x := rng.IntN(20); {
		case x < 14:
			b.WriteString(oracleChars[rng.IntN(len(oracleChars))])
		case x == 14:
			b.WriteString([]string{"，", "。", " ", "（", "）", "、", "〔", "〕"}[rng.IntN(8)])
		case x == 15:
			b.WriteString([]string{"ab", "ＡＢ", "12", "１２", "x9"}[rng.IntN(5)])
		case x == 16:
			b.WriteString("2024")
		default:
			b.WriteString(oracleChars[rng.IntN(4)])
		}
	}
	return b.String()
}

var oracleBody = 40 // maximum body length of randDoc, in atoms

func randDoc(rng *rand.Rand, key string) Doc {
	d := Doc{
		Key:   key,
		Title: randText(rng, rng.IntN(6)),
		Body:  randText(rng, rng.IntN(oracleBody)),
		Date:  int64(rng.IntN(20)),
		Tier:  rng.IntN(4) / 3,
		Facets: map[string][]string{
			"org":  {fmt.Sprintf("o%d", rng.IntN(4))},
			"year": {fmt.Sprint(2020 + rng.IntN(4))},
		},
	}
	if rng.IntN(3) == 0 {
		d.DocNo = fmt.Sprintf("政办〔%d〕%d号", 2020+rng.IntN(3), rng.IntN(5))
	}
	if rng.IntN(4) == 0 {
		d.Facets["org"] = append(d.Facets["org"], fmt.Sprintf("o%d", rng.IntN(4)))
	}
	return d
}

func randQuery(rng *rand.Rand) string {
	var parts []string
	for range 1 + rng.IntN(3) {
		t := randText(rng, 1+rng.IntN(4))
		if rng.IntN(4) == 0 {
			t = `"` + t + `"`
		}
		switch rng.IntN(8) {
		case 0:
			t = "-" + t
		case 1:
			t = "标题:" + t
		case 2:
			t = "正文:" + t
		case 3:
			t = "文号:" + t
		}
		parts = append(parts, t)
		if rng.IntN(5) == 0 {
			parts = append(parts, "OR")
		}
	}
	return strings.Join(parts, " ")
}

func compareResults(t *testing.T, ctx string, req Request, got, want Result) {
	t.Helper()
	if got.Total != want.Total {
		t.Fatalf("%s: %+v: total %d, want %d (query %s)", ctx, req, got.Total, want.Total, got.Query)
	}
	if len(got.Hits) != len(want.Hits) {
		t.Fatalf("%s: %+v: %d hits, want %d", ctx, req, len(got.Hits), len(want.Hits))
	}
	for i := range got.Hits {
		g, w := got.Hits[i], want.Hits[i]
		if g.Key != w.Key || g.Date != w.Date || g.Tier != w.Tier || math.Abs(g.Score-w.Score) > 1e-9 {
			t.Fatalf("%s: %+v (query %s): hit %d = %+v, want %+v\ngot  %v\nwant %v", ctx, req, got.Query, i, g, w, got.Hits, want.Hits)
		}
	}
	for name, w := range want.Facets {
		g := got.Facets[name]
		if len(g) == 0 && len(w) == 0 {
			continue
		}
		if !slices.Equal(g, w) {
			t.Fatalf("%s: %+v: facet %s = %v, want %v", ctx, req, name, g, w)
		}
	}
}

func TestOracle(t *testing.T) {
	rounds := 12
	if testing.Short() {
		rounds = 4
	}
	runOracle(t, oracleConfig{rounds: rounds, keys: 120, batch: 25, body: 40, queries: 40})
}

// TestOracleVerifyModes runs the oracle with each strategy of the rank cursors forced
// (frozen bytes, walking the bitmap, Rank), with cursors and the frequency proof of bigram
// chains even for a few candidates, without that proof, and, with larger documents and
// segments, with posting lists long enough for skip tables and term frequencies past the
// 4-bit cap.
func TestOracleVerifyModes(t *testing.T) {
	defer func(m int, nc bool, mc int) {
		verifyMode, noChainProof, minCursorCands = m, nc, mc
	}(verifyMode, noChainProof, minCursorCands)
	defaultMin := minCursorCands
	for _, m := range []struct {
		name       string
		verifyMode int
		noChain    bool
		minCands   int
	}{
		{"default", 0, false, defaultMin},
		{"frozen", 0, false, 0},
		{"walk", 1, false, 0},
		{"rank", 2, false, 0},
		{"noproof", 0, true, 0},
	} {
		verifyMode, noChainProof, minCursorCands = m.verifyMode, m.noChain, m.minCands
		t.Run(m.name, func(t *testing.T) {
			runOracle(t, oracleConfig{rounds: 4, keys: 120, batch: 25, body: 40, queries: 40})
			runOracle(t, oracleConfig{rounds: 2, keys: 1500, batch: 400, body: 400, queries: 60, seed: 7, flush: []int{1000, 700}})
		})
	}
}

type oracleConfig struct {
	rounds, keys, batch, body, queries int
	seed                               uint64
	flush                              []int // documents per in-memory segment, by round
}

func runOracle(t *testing.T, cfg oracleConfig) {
	t.Helper()
	oracleBody = cfg.body
	defer func() { oracleBody = 40 }()
	for round := range cfg.rounds {
		rng := rand.New(rand.NewPCG(uint64(round)+cfg.seed*1000, 99))
		dir := ""
		if round%2 == 1 {
			dir = t.TempDir()
		}
		func() {
			flush := cfg.flush
			if flush == nil {
				flush = []int{3, 17, 1000, 5}
			}
			defer setFlushDocs(flush[round%len(flush)])()
			ix, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { ix.Close() }()
			o := &oracle{docs: map[string]*oracleDoc{}}
			for step := range 12 {
				// Writes: new documents, replacements, deletions.
				var batch []Doc
				for range rng.IntN(cfg.batch) {
					d := randDoc(rng, fmt.Sprintf("k%03d", rng.IntN(cfg.keys)))
					batch = append(batch, d)
				}
				if rng.IntN(2) == 0 {
					ix.PutBatch(batch)
				} else {
					for _, d := range batch {
						ix.Put(d)
					}
				}
				for _, d := range batch {
					o.docs[d.Key] = analyseOracle(d)
				}
				for range rng.IntN(6) {
					k := fmt.Sprintf("k%03d", rng.IntN(cfg.keys))
					ix.Delete(k)
					delete(o.docs, k)
				}
				if dir != "" && step%4 == 3 {
					if err := ix.Checkpoint(); err != nil {
						t.Fatal(err)
					}
					if rng.IntN(2) == 0 {
						ix.Close()
						if ix, err = Open(dir); err != nil {
							t.Fatal(err)
						}
					}
				}
				if ix.Len() != len(o.docs) {
					t.Fatalf("round %d step %d: Len %d, want %d", round, step, ix.Len(), len(o.docs))
				}
				for range cfg.queries {
					req := Request{Query: randQuery(rng), Sort: Sort(rng.IntN(2)), Facets: []string{"org", "year"}}
					if rng.IntN(3) == 0 {
						req.Filters = map[string][]string{"org": {fmt.Sprintf("o%d", rng.IntN(5))}}
						if rng.IntN(2) == 0 {
							req.Filters["year"] = []string{"2021", "2022"}
						}
					}
					if rng.IntN(4) == 0 {
						req.Offset = rng.IntN(10)
						req.Limit = 1 + rng.IntN(7)
					}
					got, err := ix.Search(req)
					if err != nil {
						t.Fatal(err)
					}
					if want := o.search(req); got.Total != want.Total {
						all := req
						all.Offset, all.Limit = 0, 100
						g, _ := ix.Search(all)
						w := o.search(all)
						gk := map[string]bool{}
						for _, h := range g.Hits {
							gk[h.Key] = true
						}
						for _, h := range w.Hits {
							if !gk[h.Key] {
								t.Logf("missing %s: %+v", h.Key, o.docs[h.Key].d)
							}
							delete(gk, h.Key)
						}
						for k := range gk {
							t.Logf("extra %s: %+v", k, o.docs[k].d)
						}
					}
					compareResults(t, fmt.Sprintf("round %d step %d", round, step), req, got, o.search(req))
				}
			}
		}()
	}
}

func TestOracleHelpersSane(t *testing.T) {
	od := analyseOracle(Doc{Body: "财政预算，财政"})
	if od.tf(fieldBody, "财政") != 2 || od.tf(fieldBody, "政预") != 1 || od.tf(fieldBody, "算财") != 0 || od.tf(fieldBody, "财") != 2 {
		t.Error("oracle tf")
	}
	if !utf8.ValidString(randText(rand.New(rand.NewPCG(1, 1)), 50)) {
		t.Error("randText")
	}
}

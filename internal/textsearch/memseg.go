package textsearch

import (
	"encoding/binary"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// skipEvery is the number of postings between entries of a positional token's skip table.
const skipEvery = 32

// memPost is the growing posting list of one token in a memory segment: one byte stream of
// postings, each uvarint(doc delta) [uvarint(tf)] [tf uvarint position deltas]. One stream
// per token keeps appends cache-friendly; a query converts it to the segment-file layout
// (cached until the next append).
type memPost struct {
	buf  []byte
	last uint32
	n    uint32
}

const memShards = 8

// memShard holds the tokens whose hash falls in it, so that documents are inverted by
// several goroutines at once.
type memShard struct {
	cjk   map[uint64]int32 // CJK unigrams and bigrams by packed key → posts index
	other map[string]int32 // words, facets, internal tokens by token string
	posts []memPost
	bytes int64
}

// memSeg is the mutable segment that receives new documents. Readers and the writer are
// kept apart by Index.mu.
type memSeg struct {
	keys   []string
	dates  []int64
	tiers  []uint8
	lens   [][numFields]uint32
	keyIdx map[string]uint32
	shards [memShards]memShard
	facets map[string][]string // facet name → value tokens, for prefix scans
	bytes  int64

	cacheMu sync.Mutex
	cache   map[string]cachedList
}

type cachedList struct {
	n  uint32
	pl plist
}

func newMemSeg() *memSeg {
	m := &memSeg{
		keyIdx: make(map[string]uint32),
		facets: make(map[string][]string),
		cache:  make(map[string]cachedList),
	}
	for i := range m.shards {
		m.shards[i].cjk = make(map[uint64]int32)
		m.shards[i].other = make(map[string]int32)
	}
	return m
}

const memPostOverhead = 80

func (m *memSeg) numDocs() int { return len(m.keys) }

func shardOfKey(key uint64) int { return int((key * 0x9E3779B97F4A7C15) >> 61) }

func shardOfString(s string) int {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return int(h >> 61)
}

// shardOfTok returns the shard of a token string and, for CJK tokens, its packed key.
func shardOfTok(tok string) (int, uint64, bool) {
	if k, ok := cjkKey(tok); ok {
		return shardOfKey(k), k, true
	}
	return shardOfString(tok), 0, false
}

// addBatch appends analysed documents (nil entries are skipped) and returns their ids.
func (m *memSeg) addBatch(ads []*adoc) {
	first := uint32(len(m.keys))
	ids := make([]uint32, len(ads))
	for i, ad := range ads {
		if ad == nil {
			continue
		}
		id := uint32(len(m.keys))
		ids[i] = id
		m.keys = append(m.keys, ad.key)
		m.dates = append(m.dates, ad.date)
		m.tiers = append(m.tiers, ad.tier)
		m.lens = append(m.lens, ad.lens)
		m.keyIdx[ad.key] = id
		m.bytes += int64(len(ad.key)) + 64
	}
	if uint32(len(m.keys)) == first {
		return
	}
	var newFacets [memShards][]string
	if len(ads) < 4 || runtime.GOMAXPROCS(0) == 1 {
		for s := range memShards {
			newFacets[s] = m.shards[s].invert(ads, ids, s)
		}
	} else {
		var wg sync.WaitGroup
		for s := range memShards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				newFacets[s] = m.shards[s].invert(ads, ids, s)
			}()
		}
		wg.Wait()
	}
	for _, fs := range newFacets {
		for _, tok := range fs {
			if i := strings.IndexByte(tok, 0); i > 0 {
				m.facets[tok[1:i]] = append(m.facets[tok[1:i]], tok)
			}
		}
	}
	m.bytes = int64(len(m.keys)) * 64
	for i := range m.shards {
		m.bytes += m.shards[i].bytes
	}
}

// invert adds the postings of shard s; it returns new facet tokens.
func (sh *memShard) invert(ads []*adoc, ids []uint32, s int) []string {
	var newFacets []string
	var tokb []byte
	for di, ad := range ads {
		if ad == nil {
			continue
		}
		id := ids[di]
		for _, g := range ad.groups[ad.shardOff[s]:ad.shardOff[s+1]] {
			key := g.key
			pos := ad.pos[g.pos : g.pos+g.tf]
			if isStringKey(key) {
				tokb = appendToken(tokb[:0], key, ad.words)
				p := sh.postOther(string(tokb))
				sh.bytes += int64(p.add(id, pos, true, true))
				continue
			}
			idx, ok := sh.cjk[key]
			if !ok {
				idx = int32(len(sh.posts))
				sh.posts = append(sh.posts, memPost{})
				sh.cjk[key] = idx
				sh.bytes += memPostOverhead
			}
			sh.bytes += int64(sh.posts[idx].add(id, pos, true, key&(1<<21-1) != 0))
		}
		for _, f := range ad.facets {
			if shardOfString(f) == s {
				if _, ok := sh.other[f]; !ok {
					newFacets = append(newFacets, f)
				}
				sh.bytes += int64(sh.postOther(f).add(id, nil, false, false))
			}
		}
		if ad.tier != 0 && shardOfString(tokTier1) == s {
			sh.bytes += int64(sh.postOther(tokTier1).add(id, nil, false, false))
		}
	}
	return newFacets
}

func (sh *memShard) postOther(tok string) *memPost {
	idx, ok := sh.other[tok]
	if !ok {
		idx = int32(len(sh.posts))
		sh.posts = append(sh.posts, memPost{})
		sh.other[tok] = idx
		sh.bytes += memPostOverhead + int64(len(tok))
	}
	return &sh.posts[idx]
}

func (p *memPost) add(doc uint32, pos []uint32, withTF, withPos bool) int {
	before := len(p.buf)
	d := doc
	if p.n > 0 {
		d = doc - p.last
	}
	p.buf = binary.AppendUvarint(p.buf, uint64(d))
	if withTF {
		p.buf = binary.AppendUvarint(p.buf, uint64(len(pos)))
	}
	if withPos {
		var last uint32
		for _, x := range pos {
			p.buf = binary.AppendUvarint(p.buf, uint64(x-last))
			last = x
		}
	}
	p.last = doc
	p.n++
	return len(p.buf) - before
}

func (m *memSeg) post(tok string) *memPost {
	s, key, isCJK := shardOfTok(tok)
	sh := &m.shards[s]
	var idx int32
	var ok bool
	if isCJK {
		idx, ok = sh.cjk[key]
	} else {
		idx, ok = sh.other[tok]
	}
	if !ok {
		return nil
	}
	return &sh.posts[idx]
}

// memIter walks a memPost's postings.
type memIter struct {
	b               []byte
	withTF, withPos bool
	cur             uint32
	i, n            uint32
}

func (it *memIter) next() (doc uint32, tf int, raw []byte, ok bool) {
	if it.i >= it.n {
		return 0, 0, nil, false
	}
	d, k := binary.Uvarint(it.b)
	it.b = it.b[k:]
	if it.i == 0 {
		it.cur = uint32(d)
	} else {
		it.cur += uint32(d)
	}
	it.i++
	tf = 1
	if it.withTF {
		v, k := binary.Uvarint(it.b)
		it.b = it.b[k:]
		tf = int(v)
	}
	if it.withPos {
		j, c := 0, tf
		for c > 0 && j < len(it.b) {
			if it.b[j] < 0x80 {
				c--
			}
			j++
		}
		raw = it.b[:j]
		it.b = it.b[j:]
	}
	return it.cur, tf, raw, true
}

func (p *memPost) iter(tok string) *memIter {
	return &memIter{b: p.buf, n: p.n, withTF: hasTF(tok), withPos: positional(tok)}
}

// plist converts a posting stream to the segment-file layout.
func (p *memPost) plist(tok string) plist {
	it := p.iter(tok)
	ids := make([]uint32, 0, p.n)
	var b postingsBuilder
	b.reset(it.withTF, it.withPos)
	for {
		doc, tf, raw, ok := it.next()
		if !ok {
			break
		}
		ids = append(ids, doc)
		b.add(tf, raw)
	}
	bm := roaring.New()
	bm.AddMany(ids)
	return plist{bm: bm, df: len(ids), tf: b.tf, skip: b.skip, pos: b.pos}
}

// segReader implementation.

func (m *memSeg) lookup(tok string) (plist, bool) {
	p := m.post(tok)
	if p == nil || p.n == 0 {
		return plist{}, false
	}
	m.cacheMu.Lock()
	c, ok := m.cache[tok]
	m.cacheMu.Unlock()
	if ok && c.n == p.n {
		return c.pl, true
	}
	pl := p.plist(tok)
	m.cacheMu.Lock()
	m.cache[tok] = cachedList{p.n, pl}
	m.cacheMu.Unlock()
	return pl, true
}

func (m *memSeg) prefix(pre string, fn func(tok string, pl plist)) {
	var toks []string
	if len(pre) > 1 && pre[0] == prefixFacet && pre[len(pre)-1] == 0 {
		toks = slices.Clone(m.facets[pre[1:len(pre)-1]])
	} else {
		for i := range m.shards {
			for t := range m.shards[i].other {
				if strings.HasPrefix(t, pre) {
					toks = append(toks, t)
				}
			}
		}
	}
	slices.Sort(toks)
	for _, t := range toks {
		if pl, ok := m.lookup(t); ok {
			fn(t, pl)
		}
	}
}

func (m *memSeg) date(i uint32) int64                { return m.dates[i] }
func (m *memSeg) tier(i uint32) uint8                { return m.tiers[i] }
func (m *memSeg) docLens(i uint32) [numFields]uint32 { return m.lens[i] }
func (m *memSeg) keyString(i uint32) string          { return m.keys[i] }
func (m *memSeg) keyBytes(i uint32) []byte           { return []byte(m.keys[i]) }
func (m *memSeg) findKey(key string) (uint32, bool) {
	i, ok := m.keyIdx[key]
	return i, ok
}
func (m *memSeg) dateOrder() []byte { return nil }

// sortedTokens returns every token string of the segment in byte order, with its posting
// stream (for writing a file).
func (m *memSeg) sortedTokens() []memTok {
	n := 0
	for i := range m.shards {
		n += len(m.shards[i].posts)
	}
	toks := make([]memTok, 0, n)
	for i := range m.shards {
		sh := &m.shards[i]
		for k, idx := range sh.cjk {
			toks = append(toks, memTok{tokenString(k, nil), &sh.posts[idx]})
		}
		for t, idx := range sh.other {
			toks = append(toks, memTok{t, &sh.posts[idx]})
		}
	}
	slices.SortFunc(toks, func(a, b memTok) int { return strings.Compare(a.tok, b.tok) })
	return toks
}

type memTok struct {
	tok string
	p   *memPost
}

func (m *memSeg) numTokens() int {
	n := 0
	for i := range m.shards {
		n += len(m.shards[i].posts)
	}
	return n
}

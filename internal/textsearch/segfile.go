package textsearch

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/fnv"
	"io"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
)

// A segment file is immutable. Layout (little endian):
//
//	"GKTSSEG1"
//	postings, per token in byte order: frozen roaring bitmap (8-byte aligned) | tf bytes |
//	    skip table (uint32 per 16 postings, 4-aligned) | positions
//	dictionary: per token {termOff u32, df u32, postOff u64, bmLen u32, posLen u32}
//	token blob (all token strings concatenated)
//	per-document columns: dates i64, tiers u8, lengths 3×u32, key offsets u32, key blob,
//	    ids sorted by key u32, ids in date order u32, bloom filter over keys
//	facet columns: per facet its values and, per document, the indexes of its values
//	footer (footerSize bytes, ending with a CRC of itself)
//
// Frozen roaring bitmaps (CRoaring's frozen format) are read in place by FrozenView, so a
// memory-mapped segment costs no heap beyond the small per-query views.

var segMagic = []byte("GKTSSEG1")

const (
	segVersion  = 2
	footerWords = 22
	footerSize  = footerWords * 8
	dictEntry   = 24
	bloomK      = 7
)

// ErrCorrupt is returned by Open when the saved index cannot be read. The index is
// derived data: delete the directory and rebuild.
var ErrCorrupt = errors.New("textsearch: saved index is corrupt")

type segReader interface {
	numDocs() int
	lookup(tok string) (plist, bool)
	prefix(pre string, fn func(tok string, pl plist))
	date(i uint32) int64
	tier(i uint32) uint8
	docLens(i uint32) [numFields]uint32
	keyString(i uint32) string
	keyBytes(i uint32) []byte
	findKey(key string) (uint32, bool)
	dateOrder() []byte
}

// ---------------------------------------------------------------- reader

type fileSeg struct {
	data                         []byte
	n, nTerms                    int
	dict, blob                   []byte
	dates, tiers, lens           []byte
	keyOffs, keyBlob             []byte
	keySort, dateOrd, bloomWords []byte
	sumLens                      [numFields]uint64
	facets                       map[string]*facetCol

	dlwOnce sync.Once
	dlw     []float32 // weighted document lengths, computed on first use
}

// weightedLens returns every document's BM25F length (title×3 + body + 文号×2).
func (s *fileSeg) weightedLens() []float32 {
	s.dlwOnce.Do(func() {
		s.dlw = make([]float32, s.n)
		for i := range s.dlw {
			s.dlw[i] = float32(weightedLen(s.docLens(uint32(i))))
		}
	})
	return s.dlw
}

// facetCol is a facet's forward column: the values of every document, for counting facets
// over large match sets in one pass.
type facetCol struct {
	valOffs, valBlob []byte // value strings (sorted, as in the dictionary)
	docOffs, ids     []byte // document d has ids[docOffs[d]:docOffs[d+1]]
	n                int
}

func (c *facetCol) value(i int) string {
	return string(c.valBlob[le32(c.valOffs, i):le32(c.valOffs, i+1)])
}

func le64(b []byte, i int) uint64 { return binary.LittleEndian.Uint64(b[i*8:]) }
func le32(b []byte, i int) uint32 { return binary.LittleEndian.Uint32(b[i*4:]) }

func openSegBytes(data []byte) (*fileSeg, error) {
	if len(data) < len(segMagic)+footerSize || !bytes.Equal(data[:len(segMagic)], segMagic) {
		return nil, fmt.Errorf("%w: bad segment header", ErrCorrupt)
	}
	ft := data[len(data)-footerSize:]
	if crc32.ChecksumIEEE(ft[:footerSize-8]) != uint32(le64(ft, footerWords-1)) {
		return nil, fmt.Errorf("%w: bad segment footer", ErrCorrupt)
	}
	if string(ft[:8]) != "GKTSFOOT" || le64(ft, 1) != segVersion {
		return nil, fmt.Errorf("%w: unknown segment version", ErrCorrupt)
	}
	s := &fileSeg{data: data, n: int(le64(ft, 2)), nTerms: int(le64(ft, 3))}
	body := uint64(len(data) - footerSize)
	var bad bool
	sec := func(off, length uint64) []byte {
		if off > body || length > body-off {
			bad = true
			return nil
		}
		return data[off : off+length]
	}
	n := uint64(s.n)
	s.dict = sec(le64(ft, 4), uint64(s.nTerms)*dictEntry)
	s.blob = sec(le64(ft, 5), le64(ft, 6))
	s.dates = sec(le64(ft, 7), n*8)
	s.tiers = sec(le64(ft, 8), n)
	s.lens = sec(le64(ft, 9), n*4*numFields)
	s.keyOffs = sec(le64(ft, 10), (n+1)*4)
	if !bad {
		s.keyBlob = sec(le64(ft, 11), uint64(le32(s.keyOffs, s.n)))
	}
	s.keySort = sec(le64(ft, 12), n*4)
	s.dateOrd = sec(le64(ft, 13), n*4)
	s.bloomWords = sec(le64(ft, 14), le64(ft, 15)*8)
	for f := range numFields {
		s.sumLens[f] = le64(ft, 16+f)
	}
	if bad || len(s.bloomWords) == 0 {
		return nil, fmt.Errorf("%w: segment sections out of range", ErrCorrupt)
	}
	if err := s.readFacets(data[:body], le64(ft, 19), le64(ft, 20)); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *fileSeg) readFacets(data []byte, off, length uint64) error {
	bad := fmt.Errorf("%w: bad facet columns", ErrCorrupt)
	if off > uint64(len(data)) || length > uint64(len(data))-off {
		return bad
	}
	b := data[off : off+length]
	p := uint64(0)
	take := func(n uint64) []byte {
		if n > uint64(len(b))-p {
			p = uint64(len(b)) + 1
			return nil
		}
		x := b[p : p+n]
		p += n
		return x
	}
	u32 := func() uint32 {
		x := take(4)
		if x == nil {
			return 0
		}
		return le32(x, 0)
	}
	nf := u32()
	s.facets = make(map[string]*facetCol, nf)
	for range nf {
		name := string(take(uint64(u32())))
		nv := uint64(u32())
		c := &facetCol{n: s.n}
		c.valOffs = take((nv + 1) * 4)
		if c.valOffs == nil {
			return bad
		}
		c.valBlob = take(uint64(le32(c.valOffs, int(nv))))
		c.docOffs = take(uint64(s.n+1) * 4)
		if c.docOffs == nil {
			return bad
		}
		c.ids = take(uint64(le32(c.docOffs, s.n)) * 4)
		if p > uint64(len(b)) {
			return bad
		}
		s.facets[name] = c
	}
	return nil
}

func (s *fileSeg) numDocs() int { return s.n }

func (s *fileSeg) termOff(i int) uint32 {
	if i >= s.nTerms {
		return uint32(len(s.blob))
	}
	return le32(s.dict, i*dictEntry/4)
}

func (s *fileSeg) term(i int) []byte { return s.blob[s.termOff(i):s.termOff(i+1)] }

// find returns the index of the first token ≥ tok.
func (s *fileSeg) find(tok string) int {
	return sortSearch(s.nTerms, func(i int) bool { return compareBS(s.term(i), tok) >= 0 })
}

func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if !f(h) {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

func compareBS(b []byte, s string) int {
	n := min(len(b), len(s))
	for i := 0; i < n; i++ {
		if b[i] != s[i] {
			if b[i] < s[i] {
				return -1
			}
			return 1
		}
	}
	return cmp.Compare(len(b), len(s))
}

func (s *fileSeg) entry(i int, tok string) (plist, bool) {
	e := s.dict[i*dictEntry:]
	df := int(binary.LittleEndian.Uint32(e[4:]))
	postOff := binary.LittleEndian.Uint64(e[8:])
	bmLen := uint64(binary.LittleEndian.Uint32(e[16:]))
	posLen := uint64(binary.LittleEndian.Uint32(e[20:]))
	body := uint64(len(s.data) - footerSize)
	if postOff > body || bmLen > body-postOff {
		return plist{}, false
	}
	bm, err := frozenBitmap(s.data[postOff : postOff+bmLen])
	if err != nil {
		return plist{}, false
	}
	pl := plist{bm: bm, frozen: s.data[postOff : postOff+bmLen], df: df}
	p := postOff + bmLen
	if hasTF(tok) {
		tl := uint64(df+1) / 2
		if tl > body-p {
			return plist{}, false
		}
		pl.tf = s.data[p : p+tl]
		p += tl
	}
	if positional(tok) {
		p = (p + 3) &^ 3
		sk := uint64((df+skipEvery-1)/skipEvery) * 4
		if p > body || sk+posLen > body-p {
			return plist{}, false
		}
		pl.skip = s.data[p : p+sk]
		pl.pos = s.data[p+sk : p+sk+posLen]
	}
	return pl, true
}

func (s *fileSeg) lookup(tok string) (plist, bool) {
	i := s.find(tok)
	if i >= s.nTerms || compareBS(s.term(i), tok) != 0 {
		return plist{}, false
	}
	return s.entry(i, tok)
}

func (s *fileSeg) prefix(pre string, fn func(tok string, pl plist)) {
	for i := s.find(pre); i < s.nTerms; i++ {
		t := s.term(i)
		if !bytes.HasPrefix(t, []byte(pre)) {
			return
		}
		tok := string(t)
		if pl, ok := s.entry(i, tok); ok {
			fn(tok, pl)
		}
	}
}

func (s *fileSeg) date(i uint32) int64 { return int64(le64(s.dates, int(i))) }
func (s *fileSeg) tier(i uint32) uint8 { return s.tiers[i] }
func (s *fileSeg) docLens(i uint32) [numFields]uint32 {
	var l [numFields]uint32
	for f := range numFields {
		l[f] = le32(s.lens, f*s.n+int(i))
	}
	return l
}
func (s *fileSeg) keyBytes(i uint32) []byte {
	return s.keyBlob[le32(s.keyOffs, int(i)):le32(s.keyOffs, int(i)+1)]
}
func (s *fileSeg) keyString(i uint32) string { return string(s.keyBytes(i)) }
func (s *fileSeg) dateOrder() []byte         { return s.dateOrd }

func keyHash(key string) (uint32, uint32) {
	h := fnv.New64a()
	h.Write([]byte(key))
	v := h.Sum64()
	return uint32(v), uint32(v>>32) | 1
}

func (s *fileSeg) findKey(key string) (uint32, bool) {
	m := uint32(len(s.bloomWords) / 8 * 64)
	h1, h2 := keyHash(key)
	for k := uint32(0); k < bloomK; k++ {
		bit := (h1 + k*h2) % m
		if le64(s.bloomWords, int(bit/64))&(1<<(bit%64)) == 0 {
			return 0, false
		}
	}
	j := sortSearch(s.n, func(j int) bool {
		return compareBS(s.keyBytes(le32(s.keySort, j)), key) >= 0
	})
	if j < s.n {
		id := le32(s.keySort, j)
		if compareBS(s.keyBytes(id), key) == 0 {
			return id, true
		}
	}
	return 0, false
}

// ---------------------------------------------------------------- writer

// mergeSrc is one input of a segment write: a reader and the ids to keep.
type mergeSrc struct {
	r     segReader
	del   *roaring.Bitmap // may be nil
	base  uint32          // first new id of this source's documents
	newID []int32         // old id → new id (global in the output), -1 if dropped
}

// termStream iterates a source's tokens in byte order.
type termStream struct {
	mem  []memTok
	file *fileSeg
	i, n int
	cur  string
}

func newTermStream(r segReader) *termStream {
	ts := &termStream{i: -1}
	switch r := r.(type) {
	case *memSeg:
		ts.mem = r.sortedTokens()
		ts.n = len(ts.mem)
	case *fileSeg:
		ts.file = r
		ts.n = r.nTerms
	}
	ts.next()
	return ts
}

func (ts *termStream) done() bool { return ts.i >= ts.n }

func (ts *termStream) next() {
	ts.i++
	if ts.done() {
		return
	}
	if ts.mem != nil {
		ts.cur = ts.mem[ts.i].tok
	} else {
		ts.cur = string(ts.file.term(ts.i))
	}
}

type postingIter interface {
	next() (doc uint32, tf int, raw []byte, ok bool)
}

func (ts *termStream) postings() postingIter {
	if ts.mem != nil {
		return ts.mem[ts.i].p.iter(ts.cur)
	}
	pl, ok := ts.file.entry(ts.i, ts.cur)
	if !ok {
		return &memIter{}
	}
	return pl.iter()
}

type countingWriter struct {
	w   *bufio.Writer
	off uint64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.off += uint64(n)
	c.err = err
	return n, err
}

func (c *countingWriter) pad(align uint64) {
	var zero [8]byte
	if r := c.off % align; r != 0 {
		c.Write(zero[:align-r])
	}
}

func (c *countingWriter) u32(v uint32) { c.Write(binary.LittleEndian.AppendUint32(nil, v)) }
func (c *countingWriter) u64(v uint64) { c.Write(binary.LittleEndian.AppendUint64(nil, v)) }

type facetBuild struct {
	name   string
	values []string
	pairs  []uint64 // doc<<32 | value index
}

// segInfo summarises a written segment.
type segInfo struct {
	docs  int
	bytes int64
}

// writeSegment writes the live documents of srcs, in order, as one segment.
func writeSegment(out io.Writer, srcs []*mergeSrc) (segInfo, error) {
	w := &countingWriter{w: bufio.NewWriterSize(out, 1<<20)}
	// New ids.
	var n uint32
	for _, s := range srcs {
		s.base = n
		s.newID = make([]int32, s.r.numDocs())
		for i := range s.newID {
			if s.del != nil && s.del.Contains(uint32(i)) {
				s.newID[i] = -1
				continue
			}
			s.newID[i] = int32(n)
			n++
		}
	}
	w.Write(segMagic)

	// Postings, merging the sources' sorted token streams.
	streams := make([]*termStream, len(srcs))
	for i, s := range srcs {
		streams[i] = newTermStream(s.r)
	}
	var (
		dict   []byte
		blob   []byte
		nt     uint64
		ids    []uint32
		pb     postingsBuilder
		frozen []byte
		fcols  []*facetBuild
	)
	for {
		tok, have := "", false
		for _, ts := range streams {
			if !ts.done() && (!have || ts.cur < tok) {
				tok, have = ts.cur, true
			}
		}
		if !have {
			break
		}
		withTF, withPos := hasTF(tok), positional(tok)
		ids = ids[:0]
		pb.reset(withTF, withPos)
		for si, ts := range streams {
			if ts.done() || ts.cur != tok {
				continue
			}
			it := ts.postings()
			ts.next()
			nid := srcs[si].newID
			for {
				d, tf, raw, ok := it.next()
				if !ok {
					break
				}
				if int(d) >= len(nid) || nid[d] < 0 {
					continue
				}
				ids = append(ids, uint32(nid[d]))
				pb.add(tf, raw)
			}
		}
		if len(ids) == 0 {
			continue
		}
		if tok[0] == prefixFacet {
			if i := strings.IndexByte(tok, 0); i > 0 {
				name := tok[1:i]
				if len(fcols) == 0 || fcols[len(fcols)-1].name != name {
					fcols = append(fcols, &facetBuild{name: name})
				}
				fb := fcols[len(fcols)-1]
				v := uint32(len(fb.values))
				fb.values = append(fb.values, tok[i+1:])
				for _, d := range ids {
					fb.pairs = append(fb.pairs, uint64(d)<<32|uint64(v))
				}
			}
		}
		if uint64(len(pb.pos)) > 1<<32-1 || uint64(len(blob))+uint64(len(tok)) > 1<<32-1 {
			return segInfo{}, errors.New("textsearch: segment too large")
		}
		w.pad(8)
		postOff := w.off
		frozen = appendFrozen(frozen[:0], ids)
		w.Write(frozen)
		bmLen := w.off - postOff
		if withTF {
			w.Write(pb.tf)
		}
		if withPos {
			w.pad(4)
			w.Write(pb.skip)
			w.Write(pb.pos)
		}
		dict = binary.LittleEndian.AppendUint32(dict, uint32(len(blob)))
		dict = binary.LittleEndian.AppendUint32(dict, uint32(len(ids)))
		dict = binary.LittleEndian.AppendUint64(dict, postOff)
		dict = binary.LittleEndian.AppendUint32(dict, uint32(bmLen))
		if withPos {
			dict = binary.LittleEndian.AppendUint32(dict, uint32(len(pb.pos)))
		} else {
			dict = binary.LittleEndian.AppendUint32(dict, 0)
		}
		blob = append(blob, tok...)
		nt++
	}

	// Dictionary.
	var ft [footerWords]uint64
	ft[1] = segVersion
	ft[2] = uint64(n)
	ft[3] = nt
	w.pad(8)
	ft[4] = w.off
	w.Write(dict)
	ft[5] = w.off
	ft[6] = uint64(len(blob))
	w.Write(blob)
	dict, blob = nil, nil

	// Per-document columns.
	type docRef struct {
		s *mergeSrc
		i uint32
	}
	refs := make([]docRef, 0, n)
	for _, s := range srcs {
		for i, id := range s.newID {
			if id >= 0 {
				refs = append(refs, docRef{s, uint32(i)})
			}
		}
	}
	w.pad(8)
	ft[7] = w.off
	for _, r := range refs {
		w.u64(uint64(r.s.r.date(r.i)))
	}
	ft[8] = w.off
	for _, r := range refs {
		w.Write([]byte{r.s.r.tier(r.i)})
	}
	w.pad(8)
	ft[9] = w.off
	var sums [numFields]uint64
	for f := range numFields {
		for _, r := range refs {
			l := r.s.r.docLens(r.i)[f]
			sums[f] += uint64(l)
			w.u32(l)
		}
	}
	copy(ft[16:], sums[:])
	keys := make([]string, len(refs))
	var koff uint64
	w.pad(8)
	ft[10] = w.off
	for i, r := range refs {
		keys[i] = r.s.r.keyString(r.i)
		w.u32(uint32(koff))
		koff += uint64(len(keys[i]))
	}
	if koff > 1<<32-1 {
		return segInfo{}, errors.New("textsearch: segment keys too large")
	}
	w.u32(uint32(koff))
	ft[11] = w.off
	for _, k := range keys {
		io.WriteString(w, k)
	}
	perm := make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	slices.SortFunc(perm, func(a, b uint32) int { return strings.Compare(keys[a], keys[b]) })
	w.pad(8)
	ft[12] = w.off
	for _, id := range perm {
		w.u32(id)
	}
	dates := make([]int64, n)
	tiers := make([]uint8, n)
	for i, r := range refs {
		dates[i] = r.s.r.date(r.i)
		tiers[i] = r.s.r.tier(r.i)
	}
	slices.SortFunc(perm, func(a, b uint32) int {
		if c := cmp.Compare(tiers[a], tiers[b]); c != 0 {
			return c
		}
		if c := cmp.Compare(dates[b], dates[a]); c != 0 {
			return c
		}
		return strings.Compare(keys[a], keys[b])
	})
	ft[13] = w.off
	for _, id := range perm {
		w.u32(id)
	}
	// Bloom filter over keys, ~10 bits per key.
	words := (uint64(n)*10+63)/64 + 1
	bloom := make([]uint64, words)
	m := uint32(words * 64)
	for _, k := range keys {
		h1, h2 := keyHash(k)
		for j := uint32(0); j < bloomK; j++ {
			bit := (h1 + j*h2) % m
			bloom[bit/64] |= 1 << (bit % 64)
		}
	}
	w.pad(8)
	ft[14] = w.off
	ft[15] = words
	for _, b := range bloom {
		w.u64(b)
	}

	// Facet columns.
	w.pad(8)
	ft[19] = w.off
	w.u32(uint32(len(fcols)))
	for _, fc := range fcols {
		w.u32(uint32(len(fc.name)))
		io.WriteString(w, fc.name)
		w.u32(uint32(len(fc.values)))
		var vo uint32
		for _, v := range fc.values {
			w.u32(vo)
			vo += uint32(len(v))
		}
		w.u32(vo)
		for _, v := range fc.values {
			io.WriteString(w, v)
		}
		slices.Sort(fc.pairs)
		j := 0
		for d := uint32(0); d <= n; d++ {
			w.u32(uint32(j))
			for j < len(fc.pairs) && uint32(fc.pairs[j]>>32) == d {
				j++
			}
		}
		for _, pr := range fc.pairs {
			w.u32(uint32(pr))
		}
	}
	ft[20] = w.off - ft[19]

	// Footer.
	var fb []byte
	fb = append(fb, "GKTSFOOT"...)
	for _, v := range ft[1 : footerWords-1] {
		fb = binary.LittleEndian.AppendUint64(fb, v)
	}
	fb = binary.LittleEndian.AppendUint64(fb, uint64(crc32.ChecksumIEEE(fb)))
	w.Write(fb)
	if w.err != nil {
		return segInfo{}, w.err
	}
	if err := w.w.Flush(); err != nil {
		return segInfo{}, err
	}
	return segInfo{docs: int(n), bytes: int64(w.off)}, nil
}

// appendFrozen appends the sorted, distinct ids as a bitmap in CRoaring's frozen format
// (what roaring's FrozenView reads in place): bitset container words, run intervals, array
// values, then keys, counts, type codes and a header. Each 65,536-id chunk gets the smallest
// container kind, as roaring's RunOptimize would choose.
func appendFrozen(dst []byte, ids []uint32) []byte {
	type cont struct {
		key    uint16
		typ    byte
		lo, hi int
		runs   int
	}
	var cs []cont
	var stack [16]cont
	cs = stack[:0]
	for lo := 0; lo < len(ids); {
		key := ids[lo] >> 16
		hi := lo + 1
		runs := 1
		for hi < len(ids) && ids[hi]>>16 == key {
			if ids[hi] != ids[hi-1]+1 {
				runs++
			}
			hi++
		}
		n := hi - lo
		c := cont{key: uint16(key), lo: lo, hi: hi, runs: runs}
		arr, run := 2*n, 2+4*runs
		switch {
		case run < arr && run < 8192:
			c.typ = 3
		case n <= 4096:
			c.typ = 2
		default:
			c.typ = 1
		}
		cs = append(cs, c)
		lo = hi
	}
	for _, c := range cs {
		if c.typ != 1 {
			continue
		}
		var words [1024]uint64
		for _, v := range ids[c.lo:c.hi] {
			words[v&0xFFFF>>6] |= 1 << (v & 63)
		}
		for _, w := range words {
			dst = binary.LittleEndian.AppendUint64(dst, w)
		}
	}
	for _, c := range cs {
		if c.typ != 3 {
			continue
		}
		start := ids[c.lo]
		for i := c.lo + 1; i <= c.hi; i++ {
			if i == c.hi || ids[i] != ids[i-1]+1 {
				dst = binary.LittleEndian.AppendUint16(dst, uint16(start))
				dst = binary.LittleEndian.AppendUint16(dst, uint16(ids[i-1]-start))
				if i < c.hi {
					start = ids[i]
				}
			}
		}
	}
	for _, c := range cs {
		if c.typ != 2 {
			continue
		}
		for _, v := range ids[c.lo:c.hi] {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		}
	}
	for _, c := range cs {
		dst = binary.LittleEndian.AppendUint16(dst, c.key)
	}
	for _, c := range cs {
		if c.typ == 3 {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(c.runs))
		} else {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(c.hi-c.lo-1))
		}
	}
	for _, c := range cs {
		dst = append(dst, c.typ)
	}
	return binary.LittleEndian.AppendUint32(dst, uint32(frozenCookie|len(cs)<<15))
}

// frozenCookie is CRoaring's frozen-format cookie (roaring's serialization_littleendian.go).
const frozenCookie = 13766

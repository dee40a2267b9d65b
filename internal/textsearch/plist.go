package textsearch

import (
	"encoding/binary"

	"github.com/RoaringBitmap/roaring/v2"
)

// plist is one token's posting list in one segment: which documents (a bitmap of local
// ids), how often (a 4-bit term frequency per posting in id order, two per byte, low nibble
// first, capped at 15 — BM25 has saturated long before) and, for unigrams and words, where
// (per posting: [uvarint count if the nibble is 15] then uvarint position deltas; a skip
// table holds the byte offset of every skipEvery-th posting).
type plist struct {
	bm     *roaring.Bitmap
	frozen []byte // the bitmap's frozen bytes, in a segment file
	df     int
	tf     []byte
	skip   []byte
	pos    []byte
}

const tfMax = 15

func (pl *plist) tfAt(rank int) int {
	if pl.tf == nil {
		return 1
	}
	return int(pl.tf[rank>>1] >> (uint(rank&1) * 4) & 15)
}

// posCount reads the number of positions of a posting whose nibble is nib.
func posCount(b []byte, nib int) (int, []byte) {
	if nib < tfMax {
		return nib, b
	}
	v, k := binary.Uvarint(b)
	if k <= 0 {
		return 0, nil
	}
	return int(v), b[k:]
}

// skipVarints skips n uvarints.
func skipVarints(b []byte, n int) []byte {
	i := 0
	for n > 0 && i < len(b) {
		if b[i] < 0x80 {
			n--
		}
		i++
	}
	return b[i:]
}

// rankOf returns the 0-based rank of doc in the posting list, or -1.
func (pl *plist) rankOf(doc uint32) int {
	if !pl.bm.Contains(doc) {
		return -1
	}
	return int(pl.bm.Rank(doc)) - 1
}

// plistIter walks a segment-file posting list in id order.
type plistIter struct {
	pl   *plist
	it   roaring.ManyIntIterable
	buf  []uint32
	bi   int
	rank int
	pos  []byte
}

func (pl *plist) iter() *plistIter {
	return &plistIter{pl: pl, it: pl.bm.ManyIterator(), buf: make([]uint32, 0, 256), pos: pl.pos}
}

func (it *plistIter) next() (doc uint32, tf int, raw []byte, ok bool) {
	if it.bi >= len(it.buf) {
		n := it.it.NextMany(it.buf[:cap(it.buf)])
		if n == 0 {
			return 0, 0, nil, false
		}
		it.buf, it.bi = it.buf[:n], 0
	}
	doc = it.buf[it.bi]
	it.bi++
	nib := it.pl.tfAt(it.rank)
	it.rank++
	tf = nib
	if it.pl.pos != nil {
		tf, it.pos = posCount(it.pos, nib)
		rest := skipVarints(it.pos, tf)
		raw = it.pos[:len(it.pos)-len(rest)]
		it.pos = rest
	}
	return doc, tf, raw, true
}

// postingsBuilder accumulates term frequencies and positions in the file layout.
type postingsBuilder struct {
	withTF, withPos bool
	n               int
	tf, skip, pos   []byte
}

func (b *postingsBuilder) reset(withTF, withPos bool) {
	b.withTF, b.withPos, b.n = withTF, withPos, 0
	b.tf, b.skip, b.pos = b.tf[:0], b.skip[:0], b.pos[:0]
}

// add appends one posting: tf and the raw position deltas (tf of them for positional tokens).
func (b *postingsBuilder) add(tf int, raw []byte) {
	nib := byte(min(max(tf, 0), tfMax))
	if b.withTF {
		if b.n&1 == 0 {
			b.tf = append(b.tf, nib)
		} else {
			b.tf[len(b.tf)-1] |= nib << 4
		}
	}
	if b.withPos {
		if b.n%skipEvery == 0 {
			b.skip = binary.LittleEndian.AppendUint32(b.skip, uint32(len(b.pos)))
		}
		if nib == tfMax {
			b.pos = binary.AppendUvarint(b.pos, uint64(tf))
		}
		b.pos = append(b.pos, raw...)
	}
	b.n++
}

package textsearch

import (
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
)

// rankCursor finds the ranks of ascending document ids in one posting list: the number of
// postings before each. On a segment file it reads the frozen bitmap directly and carries
// the rank forward from one id to the next (popcounts of the bitset words in between, a
// galloping search in an array, a walk over runs), so a lookup costs what lies between two
// candidates, not what lies before one. Lists without frozen bytes (the in-memory segment)
// are walked alongside the candidates, or asked for Rank when the candidates are few.
type rankCursor struct {
	mode int // rankFrozen, rankWalk or rankBitmap
	bm   *roaring.Bitmap
	fr   frozenRanker

	// rankWalk: the ids read ahead.
	it     roaring.ManyIntIterable
	buf    [256]uint32
	bn, bi int // buf[bi:bn] are the ids not yet passed
	brank  int // rank of buf[bi]
}

const (
	rankFrozen = iota
	rankWalk
	rankBitmap
)

// rankModeRatio: without frozen bytes, a cursor asks for Rank when the list has this many
// times more postings than there are candidates to look up (walking costs ~1 ns a posting,
// a Rank on a bitset container up to a few hundred).
const rankModeRatio = 128

// verifyMode forces a strategy (tests): 0 automatic, 1 walk, 2 Rank.
var verifyMode = 0

func (c *rankCursor) reset(pl *plist, nCand int) {
	c.bm = pl.bm
	c.it = nil
	c.bn, c.bi, c.brank = 0, 0, 0
	switch {
	case verifyMode == 0 && pl.frozen != nil && c.fr.init(pl.frozen):
		c.mode = rankFrozen
	case verifyMode == 2 || verifyMode == 0 && pl.df > rankModeRatio*nCand:
		c.mode = rankBitmap
	default:
		c.mode = rankWalk
		c.it = pl.bm.ManyIterator()
	}
}

// seek returns the rank of d, or -1 if d is not in the list; d must not be below a
// document sought before.
func (c *rankCursor) seek(d uint32) int {
	switch c.mode {
	case rankFrozen:
		return c.fr.rank(d)
	case rankBitmap:
		if !c.bm.Contains(d) {
			return -1
		}
		return int(c.bm.Rank(d)) - 1
	}
	for {
		if c.bi >= c.bn {
			c.bn = c.it.NextMany(c.buf[:])
			c.bi = 0
			if c.bn == 0 {
				return -1
			}
		}
		b := c.buf[c.bi:c.bn]
		if b[len(b)-1] < d {
			c.brank += len(b)
			c.bi = c.bn
			continue
		}
		// The next candidate is usually near: look at a few ids before bisecting.
		j := 0
		for j < 8 && b[j] < d {
			j++
		}
		if j == 8 {
			j, _ = slices.BinarySearch(b, d)
		}
		found := b[j] == d
		c.bi += j
		c.brank += j
		if !found {
			return -1
		}
		return c.brank
	}
}

// release drops references into the bitmap.
func (c *rankCursor) release() { c.it, c.bm = nil, nil; c.fr = frozenRanker{} }

// frozenRanker reads ranks from a bitmap in the frozen layout written by appendFrozen:
// bitset words, run intervals and array values (each kind in container order), then per
// container its key, its count (cardinality − 1, or the number of runs) and its kind, then
// a header.
type frozenRanker struct {
	keys, counts, types []byte
	bits, runs, arrs    []byte
	n                   int

	ci         int // current container
	cbase      int // rank of its first id
	card       int
	typ        byte
	data       []byte
	bo, ro, ao int // where the next container of each kind starts

	wi, wrank int // bitset: current word, rank at its start
	ai        int // array: current index
	ri, rrank int // runs: current run, rank at its start
}

// init parses the layout; false if it is not what appendFrozen writes.
func (f *frozenRanker) init(buf []byte) bool {
	*f = frozenRanker{}
	if len(buf) < 4 {
		return false
	}
	header := binary.LittleEndian.Uint32(buf[len(buf)-4:])
	if header&0x7fff != frozenCookie {
		return false
	}
	n := int(header >> 15)
	body := buf[:len(buf)-4]
	if len(body) < 5*n {
		return false
	}
	f.types = body[len(body)-n:]
	f.counts = body[len(body)-3*n : len(body)-n]
	f.keys = body[len(body)-5*n : len(body)-3*n]
	data := body[:len(body)-5*n]
	var nb, nrun, narr int
	for i, t := range f.types {
		c := int(binary.LittleEndian.Uint16(f.counts[2*i:]))
		switch t {
		case 1:
			nb++
		case 2:
			narr += c + 1
		case 3:
			nrun += c
		default:
			return false
		}
	}
	if len(data) != nb*8192+nrun*4+narr*2 {
		return false
	}
	f.bits, f.runs, f.arrs = data[:nb*8192], data[nb*8192:nb*8192+nrun*4], data[nb*8192+nrun*4:]
	f.n = n
	if n > 0 {
		f.enter()
	}
	return true
}

// enter makes container ci current.
func (f *frozenRanker) enter() {
	c := int(binary.LittleEndian.Uint16(f.counts[2*f.ci:]))
	f.typ = f.types[f.ci]
	f.wi, f.wrank, f.ai, f.ri, f.rrank = 0, 0, 0, 0, 0
	switch f.typ {
	case 1:
		f.data = f.bits[f.bo : f.bo+8192]
		f.bo += 8192
		f.card = c + 1
	case 2:
		f.data = f.arrs[f.ao : f.ao+2*(c+1)]
		f.ao += 2 * (c + 1)
		f.card = c + 1
	case 3:
		f.data = f.runs[f.ro : f.ro+4*c]
		f.ro += 4 * c
		f.card = 0
		for k := 0; k < c; k++ {
			f.card += int(binary.LittleEndian.Uint16(f.data[4*k+2:])) + 1
		}
	}
}

func (f *frozenRanker) rank(d uint32) int {
	hi := uint16(d >> 16)
	for f.ci < f.n && binary.LittleEndian.Uint16(f.keys[2*f.ci:]) < hi {
		f.cbase += f.card
		f.ci++
		if f.ci < f.n {
			f.enter()
		}
	}
	if f.ci >= f.n || binary.LittleEndian.Uint16(f.keys[2*f.ci:]) != hi {
		return -1
	}
	lo := uint16(d)
	switch f.typ {
	case 1:
		w := int(lo >> 6)
		for f.wi < w {
			f.wrank += bits.OnesCount64(binary.LittleEndian.Uint64(f.data[8*f.wi:]))
			f.wi++
		}
		word := binary.LittleEndian.Uint64(f.data[8*w:])
		bit := uint64(1) << (lo & 63)
		if word&bit == 0 {
			return -1
		}
		return f.cbase + f.wrank + bits.OnesCount64(word&(bit-1))
	case 2:
		f.ai = gallop16(f.data, f.ai, f.card, lo)
		if f.ai < f.card && binary.LittleEndian.Uint16(f.data[2*f.ai:]) == lo {
			return f.cbase + f.ai
		}
		return -1
	default:
		nr := len(f.data) / 4
		for f.ri < nr {
			start := binary.LittleEndian.Uint16(f.data[4*f.ri:])
			length := binary.LittleEndian.Uint16(f.data[4*f.ri+2:])
			if int(lo) > int(start)+int(length) {
				f.rrank += int(length) + 1
				f.ri++
				continue
			}
			if lo < start {
				return -1
			}
			return f.cbase + f.rrank + int(lo-start)
		}
		return -1
	}
}

// gallop16 returns the first index ≥ i of the sorted uint16 array a (n values) whose value
// is ≥ v, or n.
func gallop16(a []byte, i, n int, v uint16) int {
	at := func(k int) uint16 { return binary.LittleEndian.Uint16(a[2*k:]) }
	if i >= n || at(i) >= v {
		return i
	}
	step := 1
	for i+step < n && at(i+step) < v {
		i += step
		step <<= 1
	}
	lo, hi := i+1, min(i+step, n)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if at(m) < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

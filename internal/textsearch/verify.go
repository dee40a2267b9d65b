package textsearch

import (
	"encoding/binary"
	"math/bits"

	"github.com/RoaringBitmap/roaring/v2"
)

// Phrase verification over a set of candidates.
//
// A term with two or more positional tokens (a phrase, or a word of three or more
// characters) is checked on positions, for the candidates that survive everything else.
// The candidates of one field are visited in ascending id order with one forward cursor
// per distinct positional token: the cursor carries the candidate's rank in the token's
// posting list forward from the previous candidate's (rankCursor), and reaches the
// candidate's positions from where the previous candidate's ended, jumping with the skip
// table when a block boundary lies between them and skipping varints eight bytes at a
// time otherwise. Nothing is decoded twice, nothing is allocated per candidate, and no map
// is consulted in the loop. Runs of CJK characters are first tried with chainProven, which
// needs term frequencies only.

// posCursor walks one positional token's posting list forward.
type posCursor struct {
	rankCursor
	pl *plist

	prank int // the posting whose position data starts at pos[poff]
	poff  int

	cur  int // rank whose positions are in pos (-1: none)
	pos  []uint32
	rank int // rank of the current document (-1: not in the list)
}

func (c *posCursor) reset(pl *plist, nCand int) {
	c.rankCursor.reset(pl, nCand)
	c.pl = pl
	c.prank, c.poff = 0, 0
	c.cur = -1
	c.pos = c.pos[:0]
}

// positions decodes the positions of the posting at rank r (not below the previous one).
func (c *posCursor) positions(r int) []uint32 {
	if r == c.cur {
		return c.pos
	}
	pl := c.pl
	c.pos = c.pos[:0]
	c.cur = r
	if blk := r / skipEvery; blk != c.prank/skipEvery || r < c.prank {
		if (blk+1)*4 > len(pl.skip) {
			return c.pos
		}
		off := int(binary.LittleEndian.Uint32(pl.skip[blk*4:]))
		if off > len(pl.pos) {
			return c.pos
		}
		c.prank, c.poff = blk*skipEvery, off
	}
	b := pl.pos[c.poff:]
	// Skip the postings between: their counts come from the nibbles, except a capped
	// nibble whose count is stored before its positions.
	acc := 0
	for j := c.prank; j < r; j++ {
		nib := pl.tfAt(j)
		if nib < tfMax {
			acc += nib
			continue
		}
		b = skipVarintsFast(b, acc)
		var n int
		n, b = posCount(b, nib)
		acc = n
	}
	b = skipVarintsFast(b, acc)
	n, b := posCount(b, pl.tfAt(r))
	var p uint32
	for ; n > 0; n-- {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			break
		}
		b = b[k:]
		p += uint32(v)
		c.pos = append(c.pos, p)
	}
	c.prank = r + 1
	c.poff = len(pl.pos) - len(b)
	return c.pos
}

// skipVarintsFast skips n uvarints, counting terminating bytes (high bit clear) eight at
// a time.
func skipVarintsFast(b []byte, n int) []byte {
	const hi = 0x8080808080808080
	i := 0
	for n > 8 && i+8 <= len(b) {
		w := binary.LittleEndian.Uint64(b[i:])
		n -= bits.OnesCount64(^w & hi)
		i += 8
	}
	// A chunk holds at most 8 terminators and is taken only while more than 8 remain, so
	// the n-th terminator lies ahead.
	for n > 0 && i < len(b) {
		if b[i] < 0x80 {
			n--
		}
		i++
	}
	return b[i:]
}

// phraseUnit is a positional token of a term with its cursor.
type phraseUnit struct {
	cur int    // index into verifier.curs
	off uint32 // offset in the phrase
	k   int    // scan index into the cursor's positions
}

// verifier holds the cursors of one term in one field.
type verifier struct {
	curs  []posCursor
	units []phraseUnit
	chain []int // cursors of the inner characters of a bigram chain
}

// verifySet returns the documents of S at which term t matches. For an exact term that is
// S ∩ candidates; otherwise positions are checked, field by field, for the documents not
// yet found in an earlier field. S is not modified.
func (ex *exec) verifySet(sr *segRun, t *qterm, S *roaring.Bitmap) *roaring.Bitmap {
	ts := ex.term(sr, t)
	if t.exact || len(t.vunits) == 0 {
		return roaring.And(S, ts.cand)
	}
	var found *roaring.Bitmap
	var ids []uint32
	for f := range numFields {
		fc := ts.fieldCand[f]
		if fc == nil {
			continue
		}
		sf := roaring.And(S, fc)
		if found != nil && !found.IsEmpty() {
			sf.AndNot(found)
		}
		if sf.IsEmpty() {
			continue
		}
		ids = sr.verifyField(t, f, ts.vlists[f], sf, ids[:0])
		if len(ids) == 0 {
			continue
		}
		if found == nil {
			found = roaring.New()
		}
		found.AddMany(ids)
	}
	if found == nil {
		found = roaring.New()
	}
	return found
}

// verifyField appends to out the documents of cand (all having every positional token of
// t in field f) where t's positional tokens sit at their offsets.
func (sr *segRun) verifyField(t *qterm, f int, lists []*plist, cand *roaring.Bitmap, out []uint32) []uint32 {
	v := &sr.ver
	nc := int(cand.GetCardinality())
	v.units = v.units[:0]
	v.chain = v.chain[:0]
	nCurs := 0
	cursor := func(pl *plist) int {
		for j := 0; j < nCurs; j++ {
			if v.curs[j].pl == pl {
				return j
			}
		}
		if nCurs == len(v.curs) {
			v.curs = append(v.curs, posCursor{})
		}
		v.curs[nCurs].reset(pl, nc)
		nCurs++
		return nCurs - 1
	}
	for i, u := range t.vunits {
		v.units = append(v.units, phraseUnit{cur: cursor(lists[i]), off: u.off})
	}
	// A chain of bigrams can often be proven from frequencies alone (see chainProven):
	// the cursors of its inner characters' unigram lists only read term frequencies.
	if t.chain != nil && !noChainProof && nc >= minCursorCands {
		for _, c := range t.chain {
			pl := sr.list(fieldTok(f, c))
			if pl == nil {
				v.chain = v.chain[:0]
				break
			}
			v.chain = append(v.chain, cursor(pl))
		}
	}
	curs := v.curs[:nCurs]
	units := v.units
	chain := v.chain
	it := cand.ManyIterator()
	var buf [256]uint32
	for k := it.NextMany(buf[:]); k > 0; k = it.NextMany(buf[:]) {
		for _, d := range buf[:k] {
			for i := range curs {
				c := &curs[i]
				c.rank = c.seek(d)
			}
			if len(chain) > 0 && chainProven(curs, units, chain) || phraseAt(curs, units) {
				out = append(out, d)
			}
		}
	}
	for i := range curs {
		curs[i].release()
		curs[i].pl = nil
	}
	return out
}

// minCursorCands: below this many candidates in a segment, a cursor's set-up (and the
// chain proof's extra dictionary lookups) cost more than they save.
var minCursorCands = 64

// noChainProof turns the frequency proof of bigram chains off (tests).
var noChainProof = false

// chainProven reports whether term frequencies alone prove that the bigrams b1 = c0c1,
// b2 = c1c2, … bk = ck-1ck occur at consecutive positions somewhere in the field.
//
// Take the occurrences of one bigram bj as possible anchors. An anchor fails to extend
// one step to the right (bj+1 one position later) only if its cj is one of the
// tf(cj) − tf(bj+1) occurrences of cj not followed by cj+1 (each occurrence of bj+1 starts
// at a distinct occurrence of cj); the next step fails only where, in addition, a cj+1 is
// not followed by cj+2: at most tf(cj+1) − tf(bj+2) anchors; and so on, and to the left
// with tf(ci) − tf(bi) occurrences of ci not preceded by ci-1. If tf(bj) exceeds the sum
// of these, some anchor extends to the whole chain. Frequencies are 4-bit and capped at
// 15: a capped tf(bj) is still a lower bound, a capped character count proves nothing.
func chainProven(curs []posCursor, units []phraseUnit, chain []int) bool {
	k := len(units)
	if k > 64 {
		return false
	}
	var tb, tc [65]int // tb[i] = tf(bi) for i in 1..k, tc[i] = tf(ci) for i in 1..k-1
	for i := 1; i <= k; i++ {
		c := &curs[units[i-1].cur]
		if c.rank < 0 {
			return false
		}
		tb[i] = c.pl.tfAt(c.rank)
		if i < k {
			u := &curs[chain[i-1]]
			if u.rank < 0 {
				return false
			}
			tc[i] = u.pl.tfAt(u.rank)
		}
	}
	const unknown = 1 << 20
	// left[j] = Σ_{i<j} (tc[i] − tb[i]); right[j] = Σ_{i>j} (tc[i-1] − tb[i]).
	var right [66]int
	for i := k; i >= 2; i-- {
		miss := tc[i-1] - tb[i]
		if tc[i-1] >= tfMax {
			miss = unknown
		}
		right[i-1] = right[i] + miss
	}
	left := 0
	for j := 1; j <= k; j++ {
		if tb[j] > left+right[j] {
			return true
		}
		if j < k {
			miss := tc[j] - tb[j]
			if tc[j] >= tfMax {
				miss = unknown
			}
			left += miss
		}
	}
	return false
}

// phraseAt checks the current document of the cursors: anchored on the unit whose token
// occurs least often in it, every unit must sit at its offset from one start.
func phraseAt(curs []posCursor, units []phraseUnit) bool {
	anchor := 0
	best := tfMax + 1
	for i := range units {
		c := &curs[units[i].cur]
		if c.rank < 0 {
			return false
		}
		if tf := c.pl.tfAt(c.rank); tf < best {
			best, anchor = tf, i
		}
	}
	an := &units[anchor]
	apos := curs[an.cur].positions(curs[an.cur].rank)
	for i := range units {
		units[i].k = 0
	}
	decoded := false
	for _, p := range apos {
		if p < an.off {
			continue
		}
		start := p - an.off
		if !decoded {
			for i := range units {
				c := &curs[units[i].cur]
				c.positions(c.rank)
			}
			decoded = true
		}
		all := true
		for i := range units {
			if i == anchor {
				continue
			}
			u := &units[i]
			ps := curs[u.cur].pos
			want := start + u.off
			for u.k < len(ps) && ps[u.k] < want {
				u.k++
			}
			if u.k == len(ps) {
				return false // no later start can match this unit either
			}
			if ps[u.k] != want {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

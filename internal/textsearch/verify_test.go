package textsearch

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// positionsAt decodes the positions of the posting at rank into buf, from the skip table
// entry of its block: the straightforward reading of the format, against which the
// cursors are checked.
func (pl *plist) positionsAt(rank int, buf []uint32) []uint32 {
	buf = buf[:0]
	if pl.pos == nil {
		return buf
	}
	blk := rank / skipEvery
	if (blk+1)*4 > len(pl.skip) {
		return buf
	}
	off := binary.LittleEndian.Uint32(pl.skip[blk*4:])
	if int(off) > len(pl.pos) {
		return buf
	}
	b := pl.pos[off:]
	for j := blk * skipEvery; j < rank; j++ {
		var n int
		n, b = posCount(b, pl.tfAt(j))
		b = skipVarints(b, n)
	}
	n, b := posCount(b, pl.tfAt(rank))
	var cur uint32
	for i := 0; i < n; i++ {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			break
		}
		b = b[k:]
		cur += uint32(v)
		buf = append(buf, cur)
	}
	return buf
}

func TestSkipVarintsFast(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		var b []byte
		n := rng.IntN(80)
		for range n {
			b = binary.AppendUvarint(b, uint64(rng.IntN(1<<(1+rng.IntN(30)))))
		}
		b = append(b, 1, 2, 3)
		k := rng.IntN(n + 1)
		if got, want := skipVarintsFast(b, k), skipVarints(b, k); len(got) != len(want) {
			t.Fatalf("skip %d of %d: %d bytes left, want %d", k, n, len(got), len(want))
		}
	}
}

// TestPosCursor builds posting lists with long runs, capped frequencies and multi-byte
// deltas, in bitset, array and run containers over several 65,536-id chunks, and reads
// them with cursors in every mode (frozen bytes, walking, Rank), for random ascending
// subsets, including ids that are not in the list.
func TestPosCursor(t *testing.T) {
	defer func(m int) { verifyMode = m }(verifyMode)
	rng := rand.New(rand.NewPCG(3, 4))
	kinds := map[byte]int{}
	for round := range 300 {
		n := 1 + rng.IntN(3000)
		if round%5 == 0 {
			n = 1 + rng.IntN(150000)
		}
		var ids []uint32
		var want [][]uint32
		var b postingsBuilder
		b.reset(true, true)
		d := uint32(rng.IntN(70000))
		for range n {
			tf := 1 + rng.IntN(4)
			if rng.IntN(6) == 0 {
				tf = 10 + rng.IntN(30)
			}
			var raw []byte
			var ps []uint32
			var p uint32
			for range tf {
				delta := uint32(1 + rng.IntN(1<<(1+rng.IntN(16))))
				p += delta
				ps = append(ps, p)
				raw = binary.AppendUvarint(raw, uint64(delta))
			}
			b.add(tf, raw)
			ids = append(ids, d)
			want = append(want, ps)
			switch round % 3 {
			case 0: // runs
				d++
				if rng.IntN(50) == 0 {
					d += uint32(rng.IntN(100))
				}
			case 1: // dense: bitsets
				d += uint32(1 + rng.IntN(3))
			default: // sparse: arrays
				d += uint32(1 + rng.IntN(1+rng.IntN(3000)))
			}
		}
		bm := roaring.New()
		bm.AddMany(ids)
		frozen := appendFrozen(nil, ids)
		nc := int(binary.LittleEndian.Uint32(frozen[len(frozen)-4:]) >> 15)
		for _, ty := range frozen[len(frozen)-4-nc : len(frozen)-4] {
			kinds[ty]++
		}
		pl := &plist{bm: bm, frozen: frozen, df: n, tf: b.tf, skip: b.skip, pos: b.pos}
		for mode := range 3 {
			verifyMode = mode
			var c posCursor
			c.reset(pl, max(1, n/(1+round%300)))
			if mode == 0 && c.mode != rankFrozen {
				t.Fatalf("round %d: frozen bytes not used", round)
			}
			var ref []uint32
			every := 1 + round%40
			for r := 0; r < n; r++ {
				if rng.IntN(every) != 0 {
					continue
				}
				if r > 0 && ids[r-1]+1 < ids[r] && rng.IntN(4) == 0 {
					absent := ids[r-1] + 1 + uint32(rng.IntN(int(ids[r]-ids[r-1]-1)))
					if got := c.seek(absent); got != -1 {
						t.Fatalf("round %d mode %d: seek(%d) absent = %d", round, mode, absent, got)
					}
				}
				got := c.seek(ids[r])
				if got != r {
					t.Fatalf("round %d mode %d: seek(%d) = %d, want %d", round, mode, ids[r], got, r)
				}
				ps := c.positions(got)
				if rng.IntN(3) == 0 {
					ps = c.positions(got) // again: cached
				}
				if !slices.Equal(ps, want[r]) {
					t.Fatalf("round %d rank %d: positions %v, want %v", round, r, ps, want[r])
				}
				if ref = pl.positionsAt(r, ref); !slices.Equal(ref, want[r]) {
					t.Fatalf("round %d rank %d: positionsAt %v, want %v", round, r, ref, want[r])
				}
			}
			if got := c.seek(ids[n-1] + 1 + uint32(rng.IntN(100000))); got != -1 {
				t.Fatalf("round %d mode %d: seek past the end = %d", round, mode, got)
			}
		}
	}
	if kinds[1] == 0 || kinds[2] == 0 || kinds[3] == 0 {
		t.Errorf("container kinds exercised: %v", kinds)
	}
}

// TestChainProven checks the frequency proof of bigram chains against positions: whenever
// it claims a phrase, the phrase is there; and it does claim many.
func TestChainProven(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	chars := []string{"财", "政", "预", "算", "税", "收", "改", "革", "工", "作"}
	proven, present := 0, 0
	for range 20000 {
		var qs strings.Builder
		for range 3 + rng.IntN(3) {
			qs.WriteString(chars[rng.IntN(1+rng.IntN(len(chars)))])
		}
		var body strings.Builder
		for range 1 + rng.IntN(30) {
			switch rng.IntN(12) {
			case 0:
				body.WriteString("，")
			case 1, 2:
				body.WriteString(qs.String())
			}
			body.WriteString(chars[rng.IntN(1+rng.IntN(len(chars)))])
		}
		q := Parse("正文:" + qs.String())
		term := q.clauses[0].alts[0]
		if term.chain == nil || len(term.chain) != len(term.vunits)-1 {
			t.Fatalf("%s: chain %q for %d bigrams", qs.String(), term.chain, len(term.vunits))
		}
		od := analyseOracle(Doc{Body: body.String()})
		toks := od.toks[fieldBody]
		// Only documents that are candidates: every bigram present.
		cand := true
		for _, u := range term.vunits {
			cand = cand && len(toks[u.tok]) > 0
		}
		if !cand {
			continue
		}
		curs := make([]posCursor, 0, 2*len(term.vunits))
		var units []phraseUnit
		var chain []int
		add := func(tok string) int {
			curs = append(curs, posCursor{pl: &plist{tf: []byte{byte(min(len(toks[tok]), tfMax))}}, rank: 0})
			return len(curs) - 1
		}
		for _, u := range term.vunits {
			units = append(units, phraseUnit{cur: add(u.tok), off: u.off})
		}
		for _, c := range term.chain {
			chain = append(chain, add(c))
		}
		has := od.matchTerm(term)
		if has {
			present++
		}
		if chainProven(curs, units, chain) {
			proven++
			if !has {
				t.Fatalf("body %s, query %s: proven but absent", body.String(), qs.String())
			}
		}
	}
	t.Logf("%d candidates with the phrase, %d proven by frequencies", present, proven)
	if proven < present/20 || proven == present {
		t.Errorf("proof too rarely or always used: %d of %d", proven, present)
	}
}

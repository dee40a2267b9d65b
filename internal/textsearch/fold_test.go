package textsearch

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"unicode/utf8"

	"github.com/RoaringBitmap/roaring/v2"
)

func TestFold(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ＡＢＣ１２３", "abc123"},
		{"ABC abc", "abc abc"},
		{"財政預算", "财政预算"},
		{"财政预算", "财政预算"},
		{"國務院辦公廳關於", "国务院办公厅关于"},
		{"闽政办〔2020〕26号", "闽政办[2020]26号"},
		{"闽政办[2020]26号", "闽政办[2020]26号"},
		{"闽政办（2020）26号", "闽政办[2020]26号"},
		{"闽政办(2020)26号", "闽政办[2020]26号"},
		{"闽政办【2020】26号", "闽政办[2020]26号"},
		{"闽政办﹝2020﹞26号", "闽政办[2020]26号"},
		{"闽政办［2020］26号", "闽政办[2020]26号"},
		{"閩政辦〔2020〕26號", "闽政办[2020]26号"},
		{"全角：，。", "全角:,。"},
		{"\u3000空格", " 空格"},
		{"ｶﾀｶﾅ", "カタカナ"},
		{"①②", "12"},
		{"Ⅻ", "xii"},
		{"zero\u200bwidth", "zerowidth"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFoldIdempotentAndTable(t *testing.T) {
	initFold()
	if len(t2s) < 4000 {
		t.Fatalf("traditional→simplified table has %d entries", len(t2s))
	}
	for _, pair := range [][2]string{{"財", "财"}, {"後", "后"}, {"於", "于"}, {"臺", "台"}, {"發", "发"}, {"髮", "发"}, {"薴", "苎"}} {
		if got := Fold(pair[0]); got != pair[1] {
			t.Errorf("Fold(%s) = %s, want %s", pair[0], got, pair[1])
		}
	}
	for r := rune(0); r < 0x30000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		f := Fold(s)
		if ff := Fold(f); ff != f {
			t.Fatalf("Fold not idempotent for %U: %q → %q", r, f, ff)
		}
	}
}

func atomsOf(text string) []string {
	var out []string
	sc := scanner{}
	sc.emit = func(a *atom) {
		if a.r != 0 {
			out = append(out, string(a.r)+"@"+strconv.Itoa(int(a.pos)))
		} else {
			out = append(out, string(a.word)+"@"+strconv.Itoa(int(a.pos)))
		}
	}
	sc.scanText(text)
	return out
}

func TestScannerPositions(t *testing.T) {
	// Separator runs take one position; CJK characters and words one each.
	got := atomsOf("财政。预算 ab12 Ｘ，，，年")
	want := []string{"财@0", "政@1", "预@3", "算@4", "ab12@6", "x@8", "年@10"}
	if !slices.Equal(got, want) {
		t.Fatalf("atoms = %v, want %v", got, want)
	}
}

func tokensOf(d Doc) map[string][]uint32 {
	a := newAnalyzer()
	ad := a.analyze(&d)
	out := map[string][]uint32{}
	for _, g := range ad.groups {
		tok := tokenString(g.key, ad.words)
		out[tok] = slices.Clone(ad.pos[g.pos : g.pos+g.tf])
	}
	return out
}

func TestTokenizer(t *testing.T) {
	toks := tokensOf(Doc{Key: "k", Title: "財政", Body: "财政预算，2024年 ABC；税", DocNo: "闽政办〔2020〕26号"})
	want := map[string][]uint32{
		"t财": {0}, "t政": {1}, "t财政": {0},
		"b财": {0}, "b政": {1}, "b预": {2}, "b算": {3}, "b财政": {0}, "b政预": {1}, "b预算": {2},
		"b2024": {5}, "b年": {6}, "b2024年": {5}, "babc": {8}, "b税": {10},
		"d闽": {0}, "d政": {1}, "d办": {2}, "d闽政": {0}, "d政办": {1}, "d2020": {4}, "d26": {6}, "d号": {7}, "d26号": {6},
	}
	for tok, pos := range want {
		if !slices.Equal(toks[tok], pos) {
			t.Errorf("token %q positions %v, want %v", tok, toks[tok], pos)
		}
	}
	for tok := range toks {
		if _, ok := want[tok]; !ok {
			t.Errorf("unexpected token %q", tok)
		}
	}
	// A lone character between punctuation is still a unigram.
	toks = tokensOf(Doc{Key: "k", Body: "（税）"})
	if len(toks) != 1 || toks["b税"] == nil {
		t.Errorf("lone character tokens: %v", toks)
	}
	// Year 2024年: the word and the character are adjacent, which a pair token records.
	toks = tokensOf(Doc{Key: "k", Body: "第5条"})
	if !slices.Equal(toks["b第5"], []uint32{0}) || !slices.Equal(toks["b5条"], []uint32{1}) || len(toks) != 5 {
		t.Errorf("pairs: %v", toks)
	}
	toks = tokensOf(Doc{Key: "k", Body: "2024年"})
	if !slices.Equal(toks["b2024"], []uint32{0}) || !slices.Equal(toks["b年"], []uint32{1}) || !slices.Equal(toks["b2024年"], []uint32{0}) {
		t.Errorf("mixed run tokens: %v", toks)
	}
}

func TestTokenKinds(t *testing.T) {
	for tok, want := range map[string]bool{"b财": false, "b财政": true, "babc": true, "t2024": true, "d26号": true, "b第5": true, "forg\x00x": false, "x1": false} {
		if got := positional(tok); got != want {
			t.Errorf("positional(%q) = %v", tok, got)
		}
	}
	for _, tok := range []string{"b财", "t财政", "d号"} {
		k, ok := cjkKey(tok)
		if !ok || tokenString(k, nil) != tok {
			t.Errorf("cjkKey round trip of %q: %v %q", tok, ok, tokenString(k, nil))
		}
	}
	if _, ok := cjkKey("babc"); ok {
		t.Error("cjkKey accepted a word")
	}
}

func TestAppendFrozen(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := 0; iter < 300; iter++ {
		var ids []uint32
		switch iter % 5 {
		case 0: // sparse
			for range rng.IntN(100) {
				ids = append(ids, rng.Uint32N(1<<20))
			}
		case 1: // dense chunk
			for x := range uint32(70000) {
				if rng.IntN(3) > 0 {
					ids = append(ids, x)
				}
			}
		case 2: // runs
			for s := uint32(0); s < 300000; s += 1000 + rng.Uint32N(5000) {
				for x := s; x < s+rng.Uint32N(3000); x++ {
					ids = append(ids, x)
				}
			}
		case 3: // around the array/bitmap threshold
			for x := range uint32(4090 + rng.IntN(12)) {
				ids = append(ids, x*2)
			}
		default:
			for x := range uint32(rng.IntN(200000)) {
				if rng.IntN(100) == 0 {
					ids = append(ids, x)
				}
			}
		}
		slices.Sort(ids)
		ids = slices.Compact(ids)
		want := roaring.BitmapOf(ids...)
		buf := appendFrozen(make([]byte, 0, 8), ids)
		ab := make([]byte, (len(buf)+7)/8*8) // fresh allocation: 8-byte aligned
		copy(ab, buf)
		got, err := frozenBitmap(ab[:len(buf)])
		if err != nil {
			t.Fatalf("iteration %d: %v", iter, err)
		}
		if dec, err := decodeFrozen(ab[:len(buf)]); err != nil || !dec.Equals(want) {
			t.Fatalf("iteration %d: decodeFrozen: %v", iter, err)
		}
		if !got.Equals(want) || got.GetCardinality() != uint64(len(ids)) {
			t.Fatalf("iteration %d: frozen bitmap differs (%d vs %d)", iter, got.GetCardinality(), len(ids))
		}
		if len(ids) > 0 && (got.Rank(ids[len(ids)/2]) != uint64(len(ids)/2+1) || !got.Contains(ids[0])) {
			t.Fatalf("iteration %d: rank/contains wrong", iter)
		}
	}
}

func TestFoldValidUTF8(t *testing.T) {
	for _, s := range []string{"\xff\xfe财政", "a\x00b", "😀财政"} {
		if f := Fold(s); !utf8.ValidString(f) {
			t.Errorf("Fold(%q) = %q is not valid UTF-8", s, f)
		}
	}
}

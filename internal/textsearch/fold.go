package textsearch

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// ts_characters.txt is derived from OpenCC's TSCharacters (Apache-2.0); see its header.
//
//go:embed ts_characters.txt
var tsCharacters string

// Folding is done one character at a time so that every folded rune can be traced back to
// the original character it came from (Snippet and Highlight depend on that). The result is
// NFKC applied per character (not across characters: a base letter followed by a separate
// combining mark is not composed; combining marks are dropped instead), then lower case,
// then traditional → simplified, then the 文号 bracket fold. The same function folds
// documents and queries, so both sides always agree.

const (
	foldSame  = 0xFFFFFFFF // rune folds to itself
	foldDrop  = 0xFFFFFFFE // rune folds to nothing
	foldMulti = 0x80000000 // low bits index foldMultiTab
)

var (
	foldOnce     sync.Once
	t2s          map[rune]rune
	foldBMP      []uint32 // indexed by rune < 0x10000
	foldMultiTab [][]rune
)

func loadT2S() map[rune]rune {
	m := make(map[rune]rune, 4200)
	for line := range strings.SplitSeq(tsCharacters, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		t, n1 := utf8.DecodeRuneInString(line)
		s, n2 := utf8.DecodeRuneInString(line[n1:])
		if n1+n2 != len(line) || t == utf8.RuneError || s == utf8.RuneError {
			continue
		}
		m[t] = s
	}
	// Resolve chains (A→B, B→C) so that folding is idempotent.
	for t, s := range m {
		seen := 0
		for {
			n, ok := m[s]
			if !ok || n == s || seen > 8 {
				break
			}
			s = n
			seen++
		}
		m[t] = s
	}
	return m
}

// bracketFold maps the bracket forms used in 文号 and elsewhere to [ and ].
func bracketFold(r rune) rune {
	switch r {
	case '(', '〔', '【', '（', '﹝', '〖', '［', '{', '｛', '〘', '⦅', '﹙', '⟦', '〚', '⁽', '₍':
		return '['
	case ')', '〕', '】', '）', '﹞', '〗', '］', '}', '｝', '〙', '⦆', '﹚', '⟧', '〛', '⁾', '₎':
		return ']'
	}
	return r
}

// slowFold folds one rune without the table.
func slowFold(r rune) []rune {
	var out []rune
	for _, c := range norm.NFKC.String(string(r)) {
		c = unicode.ToLower(c)
		if unicode.Is(unicode.Mn, c) || c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF {
			continue
		}
		if s, ok := t2s[c]; ok {
			c = s
		}
		out = append(out, bracketFold(c))
	}
	return out
}

// foldFixed applies slowFold until nothing changes, so Fold(Fold(s)) == Fold(s).
func foldFixed(r rune) []rune {
	out := slowFold(r)
	for range 4 {
		var next []rune
		changed := false
		for _, c := range out {
			f := slowFold(c)
			if len(f) != 1 || f[0] != c {
				changed = true
			}
			next = append(next, f...)
		}
		if !changed {
			break
		}
		out = next
	}
	return out
}

func initFold() {
	foldOnce.Do(func() {
		t2s = loadT2S()
		tab := make([]uint32, 0x10000)
		for r := rune(0); r < 0x10000; r++ {
			if r >= 0xD800 && r <= 0xDFFF {
				tab[r] = foldSame
				continue
			}
			out := foldFixed(r)
			switch {
			case len(out) == 0:
				tab[r] = foldDrop
			case len(out) == 1 && out[0] == r:
				tab[r] = foldSame
			case len(out) == 1:
				tab[r] = uint32(out[0])
			default:
				tab[r] = foldMulti | uint32(len(foldMultiTab))
				foldMultiTab = append(foldMultiTab, out)
			}
		}
		foldBMP = tab
	})
}

// foldRune appends the folded form of r to dst.
func foldRune(dst []rune, r rune) []rune {
	if r < 0x80 {
		switch {
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case r == '(' || r == '{':
			r = '['
		case r == ')' || r == '}':
			r = ']'
		}
		return append(dst, r)
	}
	if r < 0x10000 {
		v := foldBMP[r]
		switch {
		case v == foldSame:
			return append(dst, r)
		case v == foldDrop:
			return dst
		case v&foldMulti != 0:
			return append(dst, foldMultiTab[v&^foldMulti]...)
		default:
			return append(dst, rune(v))
		}
	}
	return append(dst, foldFixed(r)...)
}

// Fold returns s normalised for matching: NFKC (full-width → half-width, compatibility
// forms), lower case, traditional → simplified Chinese (OpenCC TSCharacters, one character
// at a time), and the bracket forms 〔〕【】[]（）(){} and similar folded to [ and ].
// Combining marks, zero-width characters and invalid UTF-8 bytes are dropped.
func Fold(s string) string {
	initFold()
	var b strings.Builder
	b.Grow(len(s))
	var buf [8]rune
	for _, r := range s {
		if r == utf8.RuneError {
			continue
		}
		for _, c := range foldRune(buf[:0], r) {
			b.WriteRune(c)
		}
	}
	return b.String()
}

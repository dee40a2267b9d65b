package privacy

import (
	"fmt"
	"reflect"
	"testing"
	"unicode/utf8"
)

// diffFindings reports the first difference between Scan and scanRegexp.
func diffFindings(t *testing.T, label, text string) bool {
	t.Helper()
	got, want := Scan(text), scanRegexp(text)
	if reflect.DeepEqual(got, want) {
		return true
	}
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w Finding
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if !reflect.DeepEqual(g, w) {
			rs := []rune(text)
			lo := max(0, min(g.Offset, w.Offset)-20)
			hi := min(len(rs), max(g.Offset+g.Length, w.Offset+w.Length)+20)
			t.Errorf("%s: finding %d differs\n scan:   %+v\n regexp: %+v\n around: %q", label, i, g, w, string(rs[lo:hi]))
			return false
		}
	}
	return false
}

// TestScanMatchesRegexpGenerated runs both scanners over about 5 MB of
// generated notices and adversarial concatenations.
func TestScanMatchesRegexpGenerated(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		diffFindings(t, fmt.Sprintf("doc seed %d", seed), genDoc(seed, 1<<20, 15, 5))
	}
	diffFindings(t, "separated", genSeparated(3, 5000))
	for seed := uint64(1); seed <= 200; seed++ {
		if !diffFindings(t, fmt.Sprintf("adversarial seed %d", seed), genAdversarial(seed, 8<<10)) {
			break
		}
	}
}

// TestScanMatchesRegexpPairs runs both scanners over every pair of edge
// atoms, alone and between a digit and a letter, so that every boundary
// and separator rule meets every other.
func TestScanMatchesRegexpPairs(t *testing.T) {
	values := []string{"110105199003071239", "11010519491231002X", "350102850615301", "13800138000", "+86 138 0013 8000",
		"010-62345678", "(0591)87654321-12", "6222021234567890128", "6222 0212 3456 7890 128", "zhangsan@example.com",
		"机密★10年", "【秘密】", "密级：绝密", "内部资料", "91350100M000100Y43", "912563416858783106"}
	pieces := append(append([]string{}, atoms...), values...)
	n := 0
	for _, a := range pieces {
		for _, b := range pieces {
			for _, w := range [][2]string{{"", ""}, {"7", "a"}, {"\n", "。"}} {
				n++
				if !diffFindings(t, "pair", w[0]+a+b+w[1]) {
					return
				}
			}
		}
	}
	t.Logf("%d inputs", n)
}

func FuzzScan(f *testing.F) {
	for _, tc := range scanCases {
		f.Add(tc.in)
	}
	for seed := uint64(1); seed <= 8; seed++ {
		f.Add(genAdversarial(seed, 300))
	}
	f.Fuzz(func(t *testing.T, text string) {
		fs := Scan(text)
		rs := []rune(text)
		end := 0
		for _, x := range fs {
			if x.Offset < end || x.Length <= 0 || x.Offset+x.Length > len(rs) {
				t.Fatalf("finding out of order or bounds: %+v (previous end %d, %d runes)", x, end, len(rs))
			}
			if got := string(rs[x.Offset : x.Offset+x.Length]); got != x.Text {
				t.Fatalf("runes at %d+%d are %q, Text is %q", x.Offset, x.Length, got, x.Text)
			}
			if utf8.RuneCountInString(x.Masked) > x.Length {
				t.Fatalf("Masked %q longer than Text %q", x.Masked, x.Text)
			}
			if !utf8.ValidString(x.Context) {
				t.Fatalf("Context %q is not UTF-8", x.Context)
			}
			end = x.Offset + x.Length
		}
		if m := Mask(text, fs); utf8.RuneCountInString(m) > len(rs) {
			t.Fatalf("Mask grew the text from %d to %d runes", len(rs), utf8.RuneCountInString(m))
		}
		if ref := scanRegexp(text); !reflect.DeepEqual(fs, ref) {
			t.Fatalf("Scan and scanRegexp differ on %q\n scan   %+v\n regexp %+v", text, fs, ref)
		}
	})
}

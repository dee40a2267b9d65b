package corpus

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDeterministic(t *testing.T) {
	h := func() string {
		g := New(42, 200)
		w := g.Worker()
		s := sha256.New()
		for i := 0; i < 200; i++ {
			d := w.Doc(i, false)
			fmt.Fprintf(s, "%s|%s|%s|%s|%d|%d|%d|%d\n", d.Key, d.Title, d.DocNo, d.Body, d.Date, d.Issuer, d.Genre, d.Validity)
		}
		return fmt.Sprintf("%x", s.Sum(nil))
	}
	a, b := h(), h()
	if a != b {
		t.Fatalf("same seed, different bytes: %s %s", a, b)
	}
	// out-of-order generation gives the same document
	g := New(42, 200)
	w1, w2 := g.Worker(), g.Worker()
	for _, i := range []int{5, 150, 7} {
		x, y := w1.Doc(i, false), w2.Doc(i, false)
		if x != y {
			t.Fatalf("doc %d differs", i)
		}
	}
}

func TestShape(t *testing.T) {
	g := New(1, 2000)
	w := g.Worker()
	var runes, tradDocs int
	for i := 0; i < 2000; i++ {
		d := w.Doc(i, false)
		n := utf8.RuneCountInString(d.Title)
		if n < 10 || n > 30 {
			t.Errorf("title %q has %d characters", d.Title, n)
		}
		runes += utf8.RuneCountInString(d.Body)
		if d.Traditional {
			tradDocs++
		}
	}
	if avg := runes / 2000; avg < 850 || avg > 1300 {
		t.Errorf("average body length %d", avg)
	}
	t.Logf("core words %d, avg body %d chars, traditional docs %d", CoreSize(), runes/2000, tradDocs)
}

func TestPrint(t *testing.T) {
	if testing.Short() {
		return
	}
	g := New(7, 10)
	w := g.Worker()
	for i := 0; i < 3; i++ {
		d := w.Doc(i, false)
		t.Logf("%s %s | %s | %s %s %s %s\n%s", d.Key, d.Title, d.DocNo, time.Unix(d.Date, 0).Format("2006-01-02"), d.IssuerName(), d.GenreName(), d.ValidityName(), d.Body)
	}
}

func BenchmarkDoc(b *testing.B) {
	g := New(1, 1<<30)
	w := g.Worker()
	for i := 0; b.Loop(); i++ {
		d := w.Doc(i, false)
		b.SetBytes(int64(len(d.Body)))
	}
}

// TestQueryCounts checks the measured counts against a brute-force scan.
func TestQueryCounts(t *testing.T) {
	const n = 3000
	g := New(3, n)
	qs := BuildQueries(g, 20, 2, nil)
	w := g.Worker()
	folded := make([]Doc, n)
	raw := make([]Doc, n)
	for i := range folded {
		folded[i] = w.Doc(i, true)
		raw[i] = w.Doc(i, false)
	}
	issuerIdx := map[string]int{}
	for i, name := range Issuers() {
		issuerIdx[name] = i
	}
	count := func(docs []Doc, q Query, filtered bool) int {
		c := 0
		for _, d := range docs {
			if filtered && (d.Issuer != issuerIdx[q.Issuer] || d.Year < FilterYearFrom || d.Year > FilterYearTo) {
				continue
			}
			has := func(s string) bool {
				return strings.Contains(d.Title, s) || strings.Contains(d.DocNo, s) || strings.Contains(d.Body, s)
			}
			ok := true
			if q.Phrase {
				ok = has(strings.Join(q.Words, ""))
			} else {
				for _, word := range q.Words {
					ok = ok && has(word)
				}
			}
			if ok {
				c++
			}
		}
		return c
	}
	for _, cl := range qs.Classes {
		if len(cl.Queries) == 0 {
			t.Errorf("class %s is empty", cl.Name)
		}
		for _, q := range cl.Queries {
			if got := count(folded, q, false); got != q.DF {
				t.Errorf("%s %q: df %d, brute force %d", cl.Name, q.Text, q.DF, got)
			}
			if got := count(folded, q, true); got != q.DFFiltered {
				t.Errorf("%s %q: filtered df %d, brute force %d", cl.Name, q.Text, q.DFFiltered, got)
			}
			if got := count(raw, q, false); got != q.DFUnfolded {
				t.Errorf("%s %q: unfolded df %d, brute force %d", cl.Name, q.Text, q.DFUnfolded, got)
			}
			if got := count(raw, q, true); got != q.DFFilteredUnfolded {
				t.Errorf("%s %q: unfolded filtered df %d, brute force %d", cl.Name, q.Text, q.DFFilteredUnfolded, got)
			}
		}
	}
}

// TestFileRoundTrip writes a corpus file and reads it back.
func TestFileRoundTrip(t *testing.T) {
	g := New(5, 300)
	path := t.TempDir() + "/c.bin"
	fw, err := CreateFile(path, 5, 300)
	if err != nil {
		t.Fatal(err)
	}
	src := Generated(g)
	var want []Doc
	for {
		d, err := src.Next()
		if err != nil {
			break
		}
		want = append(want, d)
		if err := fw.Write(&d); err != nil {
			t.Fatal(err)
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	fs, seed, err := FromFile(path)
	if err != nil || seed != 5 || fs.N() != 300 {
		t.Fatalf("open: %v seed %d n %d", err, seed, fs.N())
	}
	defer fs.Close()
	for i, w := range want {
		d, err := fs.Next()
		if err != nil || d != w {
			t.Fatalf("doc %d differs (%v)", i, err)
		}
		if i > 0 && d.Date < want[i-1].Date {
			t.Fatalf("doc %d out of publication order", i)
		}
	}
}

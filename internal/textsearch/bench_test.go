//go:build linux

package textsearch

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBenchSynthetic builds a synthetic corpus and measures the query classes of
// /work/shared/reference/search-measurements.md. It runs only when asked:
//
//	TEXTSEARCH_BENCH=100000 go test ./internal/textsearch/ -run BenchSynthetic -v -timeout 0
//
// TEXTSEARCH_BENCH_DIR keeps the index (default: a temporary directory);
// TEXTSEARCH_BENCH_PHASE=build only builds and checkpoints, =query only reopens an existing
// index and queries (run it as a separate process to see the serving process's memory).
func TestBenchSynthetic(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TEXTSEARCH_BENCH"))
	if n <= 0 {
		t.Skip("set TEXTSEARCH_BENCH=<docs> to run")
	}
	dir := os.Getenv("TEXTSEARCH_BENCH_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	phase := os.Getenv("TEXTSEARCH_BENCH_PHASE")
	qfile := filepath.Join(dir, "bench-queries.txt")
	if phase != "query" {
		c := newCorpus(1, 500000)
		os.RemoveAll(dir)
		ix, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		cpu0 := cpuTime()
		var genTime time.Duration
		batch := make([]Doc, 0, 1000)
		for i := 0; i < n; i++ {
			g := time.Now()
			batch = append(batch, c.doc(i, 1000))
			genTime += time.Since(g)
			if len(batch) == cap(batch) || i == n-1 {
				ix.PutBatch(batch)
				batch = batch[:0]
			}
			if (i+1)%100000 == 0 {
				el := time.Since(start) - genTime
				t.Logf("%d docs, %.0f docs/s (excluding generation), rss %s", i+1, float64(i+1)/el.Seconds(), rss())
			}
		}
		putTime := time.Since(start) - genTime
		putCPU := cpuTime() - cpu0 - genTime
		cp := time.Now()
		if err := ix.Checkpoint(); err != nil {
			t.Fatal(err)
		}
		cpTime := time.Since(cp)
		st := ix.Stats()
		t.Logf("build: %d docs, put %.1fs = %.0f docs/s (generation %.1fs excluded), checkpoint %.1fs, overall %.0f docs/s",
			n, putTime.Seconds(), float64(n)/putTime.Seconds(), genTime.Seconds(), cpTime.Seconds(), float64(n)/(putTime+cpTime).Seconds())
		t.Logf("put CPU time %.1fs (%.0f µs per document; generation subtracted); load average %s", putCPU.Seconds(), putCPU.Seconds()*1e6/float64(n), loadAvg())
		t.Logf("stats: %+v; disk %.1f MB; builder %s", st, float64(st.DiskBytes)/1e6, rss())
		ix.Close()
		t.Logf("segments: %s", sizeBreakdown(dir))
		os.WriteFile(qfile, []byte(strings.Join(benchQueries(c), "\n")), 0o644)
		if phase == "build" {
			return
		}
	}
	b, err := os.ReadFile(qfile)
	if err != nil {
		t.Fatal(err)
	}
	classes := map[string][]string{}
	var order []string
	for _, line := range strings.Split(string(b), "\n") {
		cls, q, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		if classes[cls] == nil {
			order = append(order, cls)
		}
		classes[cls] = append(classes[cls], q)
	}
	runtime.GC()
	t0 := time.Now()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	r, err := ix.Search(Request{Query: classes[order[0]][0], Facets: []string{"org", "kind"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reopen + first query: %v (%d docs, first total %d), rss %s", time.Since(t0), ix.Len(), r.Total, rss())
	rng := rand.New(rand.NewPCG(7, 7))
	var out strings.Builder
	fmt.Fprintf(&out, "\n| class | filters | sort | p50 ms | p99 ms | max ms | mean total |\n|---|---|---|---|---|---|---|\n")
	for _, cls := range order {
		if only := os.Getenv("TEXTSEARCH_BENCH_CLASS"); only != "" && only != cls {
			continue
		}
		for _, filt := range []bool{false, true} {
			for _, sort := range []Sort{ByDate, ByRelevance} {
				var lat []float64
				total := 0
				qs := classes[cls]
				for i := 0; i < 200; i++ {
					req := Request{Query: qs[i%len(qs)], Sort: sort, Facets: []string{"org", "kind"}}
					if filt {
						y := 2000 + rng.IntN(22)
						var years []string
						for k := 0; k < 5; k++ {
							years = append(years, fmt.Sprint(y+k))
						}
						req.Filters = map[string][]string{"org": {fmt.Sprintf("org%02d", 1+rng.IntN(50))}, "year": years}
					}
					s := time.Now()
					res, err := ix.Search(req)
					lat = append(lat, float64(time.Since(s).Microseconds())/1000)
					if err != nil {
						t.Fatal(err)
					}
					total += res.Total
				}
				slices.Sort(lat)
				fn := "none"
				if filt {
					fn = "org+years"
				}
				sn := "date"
				if sort == ByRelevance {
					sn = "relevance"
				}
				fmt.Fprintf(&out, "| %s | %s | %s | %.2f | %.2f | %.2f | %d |\n", cls, fn, sn,
					lat[len(lat)/2], lat[len(lat)*99/100], lat[len(lat)-1], total/len(lat))
			}
		}
	}
	t.Log(out.String())
	t.Logf("load average %s", loadAvg())
	t.Logf("serving process after queries: %s", rss())

	// Updates after reopening: new documents and replacements, then a checkpoint.
	c2 := newCorpus(2, 50000)
	var docs []Doc
	for i := range 2000 {
		d := c2.doc(i, 1000)
		if i%2 == 1 {
			d.Key = fmt.Sprintf("info/%08d", i*97%ix.Len()) // replace an existing document
		} else {
			d.Key = fmt.Sprintf("new/%08d", i)
		}
		docs = append(docs, d)
	}
	s := time.Now()
	for i := 0; i < len(docs); i += 100 {
		ix.PutBatch(docs[i : i+100])
	}
	put := time.Since(s)
	s = time.Now()
	single := docs[0]
	single.Key = "new/single"
	ix.Put(single)
	one := time.Since(s)
	s = time.Now()
	if err := ix.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	t.Logf("after reopen: 2,000 puts (half replacing) %v (%.0f docs/s), one Put %v, Checkpoint %v; %d docs; %s",
		put, 2000/put.Seconds(), one, time.Since(s), ix.Len(), rss())
}

func benchQueries(c *corpus) []string {
	var lines []string
	add := func(cls string, qs []string) {
		if len(qs) == 0 {
			return
		}
		for i := 0; i < 200; i++ {
			lines = append(lines, cls+"\t"+qs[i%len(qs)])
		}
	}
	add("rare", c.wordsByDF(0.00005, 0.0002, 0))
	add("mid", c.wordsByDF(0.04, 0.06, 0))
	common := c.wordsByDF(0.5, 1, 2)
	if len(common) > 0 {
		// the one closest to 78%
		best := common[0]
		bd := 2.0
		for _, w := range common {
			for i, v := range c.vocab {
				if v == w {
					d := float64(c.df[i])/float64(c.n) - 0.78
					if d < 0 {
						d = -d
					}
					if d < bd {
						best, bd = w, d
					}
					break
				}
			}
		}
		add("common", []string{best})
	}
	pool := c.wordsByDF(0.2, 0.4, 0)
	rng := rand.New(rand.NewPCG(3, 3))
	var and3 []string
	for i := 0; i < 200 && len(pool) >= 3; i++ {
		p := rng.Perm(len(pool))
		and3 = append(and3, pool[p[0]]+" "+pool[p[1]]+" "+pool[p[2]])
	}
	add("and3", and3)
	add("phrase3", c.triples)
	return lines
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.TrimSpace(string(b))
}

func rss() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	var cur, peak string
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			cur = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak = strings.TrimSpace(v)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return fmt.Sprintf("rss %s (peak %s), go heap %d MB", cur, peak, ms.HeapInuse>>20)
}

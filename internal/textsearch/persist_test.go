package textsearch

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func snapshotResults(t *testing.T, ix *Index, reqs []Request) []Result {
	t.Helper()
	var out []Result
	for _, r := range reqs {
		res, err := ix.Search(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, res)
	}
	return out
}

func sameResults(t *testing.T, ctx string, reqs []Request, a, b []Result) {
	t.Helper()
	for i := range reqs {
		compareResults(t, ctx, reqs[i], b[i], a[i])
		for name, fa := range a[i].Facets {
			if !slices.Equal(fa, b[i].Facets[name]) {
				t.Fatalf("%s: facet %s differs", ctx, name)
			}
		}
	}
}

func testRequests(rng *rand.Rand) []Request {
	var reqs []Request
	for range 60 {
		reqs = append(reqs, Request{Query: randQuery(rng), Sort: Sort(rng.IntN(2)), Facets: []string{"org", "year"}, Limit: 50})
	}
	reqs = append(reqs, Request{Facets: []string{"org"}, Limit: 100}, Request{Sort: ByDate, Limit: 100})
	return reqs
}

func TestCheckpointRoundTrip(t *testing.T) {
	defer setFlushDocs(40)()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(5, 5))
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 300 {
		ix.Put(randDoc(rng, fmt.Sprintf("k%03d", rng.IntN(250))))
		if i%37 == 0 {
			ix.Delete(fmt.Sprintf("k%03d", rng.IntN(250)))
		}
		if i == 150 {
			if err := ix.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		}
	}
	ix.SetSeq(4242)
	reqs := testRequests(rng)
	before := snapshotResults(t, ix, reqs)
	n := ix.Len()
	if err := ix.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	sameResults(t, "after checkpoint", reqs, before, snapshotResults(t, ix, reqs))
	st := ix.Stats()
	ix.Close()
	if _, err := ix.Search(Request{}); !errors.Is(err, ErrClosed) {
		t.Errorf("search after close: %v", err)
	}

	ix, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if ix.Seq() != 4242 || ix.Len() != n {
		t.Fatalf("reopened: seq %d len %d, want 4242 %d", ix.Seq(), ix.Len(), n)
	}
	if st2 := ix.Stats(); st2.Docs != st.Docs || st2.Segments != st.Segments {
		t.Errorf("stats %+v, before close %+v", st2, st)
	}
	sameResults(t, "after reopen", reqs, before, snapshotResults(t, ix, reqs))
	// Releasing mapped pages (a tiny resident limit releases them every 16 searches) does
	// not change results.
	ix.SetResidentLimit(1)
	for range 3 {
		sameResults(t, "with page release", reqs, before, snapshotResults(t, ix, reqs))
	}

	// A second process cannot open the same directory.
	if _, err := Open(dir); err == nil {
		t.Error("second Open of a locked directory succeeded")
	}
}

func TestCheckpointCrashSafety(t *testing.T) {
	defer setFlushDocs(10)()
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(6, 6))
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for range 60 {
		ix.Put(randDoc(rng, fmt.Sprintf("k%03d", rng.IntN(80))))
	}
	ix.SetSeq(1)
	if err := ix.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	reqs := testRequests(rng)
	saved := snapshotResults(t, ix, reqs)
	savedLen := ix.Len()

	// Changes after the checkpoint, some already flushed to segment files, then a "crash"
	// (Close does not checkpoint).
	for range 45 {
		ix.Put(randDoc(rng, fmt.Sprintf("k%03d", rng.IntN(80))))
	}
	ix.Delete("k001")
	ix.SetSeq(2)
	ix.Close()
	// Debris a crash in the middle of a checkpoint can leave.
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "seg-00000000000000ff.seg.tmp"), []byte("GKTSSEG1 half written"), 0o644))
	must(os.WriteFile(filepath.Join(dir, manifestName(99)+".tmp"), []byte(`{"version":1,"gen":99`), 0o644))
	must(os.WriteFile(filepath.Join(dir, "seg-00000000000000fe.seg"), []byte("GKTSSEG1 unreferenced"), 0o644))

	ix, err = Open(dir)
	must(err)
	if ix.Seq() != 1 || ix.Len() != savedLen {
		t.Fatalf("after crash: seq %d len %d, want 1 %d", ix.Seq(), ix.Len(), savedLen)
	}
	sameResults(t, "after crash", reqs, saved, snapshotResults(t, ix, reqs))
	for _, name := range []string{"seg-00000000000000ff.seg.tmp", manifestName(99) + ".tmp", "seg-00000000000000fe.seg"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("%s not cleaned up", name)
		}
	}

	// A newer manifest that is damaged (torn write) is skipped in favour of the previous one.
	for range 30 {
		ix.Put(randDoc(rng, fmt.Sprintf("k%03d", rng.IntN(80))))
	}
	ix.SetSeq(3)
	must(ix.Checkpoint())
	reqs3 := testRequests(rng)
	saved3 := snapshotResults(t, ix, reqs3)
	gen := ix.Stats().Gen
	ix.Close()
	b, err := os.ReadFile(filepath.Join(dir, manifestName(gen)))
	must(err)
	must(os.WriteFile(filepath.Join(dir, manifestName(gen+1)), b[:len(b)/2], 0o644))
	ix, err = Open(dir)
	must(err)
	if ix.Seq() != 3 {
		t.Fatalf("torn manifest: seq %d", ix.Seq())
	}
	sameResults(t, "torn manifest", reqs3, saved3, snapshotResults(t, ix, reqs3))
	ix.Close()

	// A damaged segment that the manifest references is reported, not ignored.
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.seg"))
	if len(segs) == 0 {
		t.Fatal("no segment files")
	}
	fi, _ := os.Stat(segs[0])
	must(os.Truncate(segs[0], fi.Size()-10))
	if _, err := Open(dir); !errors.Is(err, ErrCorrupt) {
		t.Errorf("truncated segment: %v", err)
	}
}

func TestCheckpointMemoryNoop(t *testing.T) {
	ix := openFixture(t, "", fixture)
	if err := ix.Checkpoint(); err != nil {
		t.Fatal(err)
	}
	if st := ix.Stats(); st.DiskBytes != 0 {
		t.Errorf("memory index reports disk bytes: %+v", st)
	}
}

func TestMergesPurgeDeletions(t *testing.T) {
	defer setFlushDocs(20)()
	dir := t.TempDir()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	rng := rand.New(rand.NewPCG(8, 8))
	for round := range 12 {
		for i := range 30 {
			ix.Put(randDoc(rng, fmt.Sprintf("k%d-%d", round, i)))
		}
		for i := range 20 {
			ix.Delete(fmt.Sprintf("k%d-%d", round, i))
		}
		if err := ix.Checkpoint(); err != nil {
			t.Fatal(err)
		}
	}
	st := ix.Stats()
	if st.Docs != 120 || st.Deleted*2 > st.Docs || st.Segments > 12 {
		t.Errorf("after merges: %+v", st)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) > 2*st.Segments+3 {
		t.Errorf("%d files for %d segments: %v", len(files), st.Segments, files)
	}
}

// TestConcurrentSearch runs searches while one goroutine writes, flushes, merges and
// checkpoints (run with -race).
func TestConcurrentSearch(t *testing.T) {
	defer setFlushDocs(25)()
	dir := t.TempDir()
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	ix.SetResidentLimit(1) // release mapped pages often, while others read them
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range 100 {
		ix.Put(randDoc(rng, fmt.Sprintf("k%03d", i)))
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var searches atomic.Int64
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for !stop.Load() {
				req := Request{Query: randQuery(r), Sort: Sort(r.IntN(2)), Facets: []string{"org"}}
				res, err := ix.Search(req)
				if err != nil {
					t.Error(err)
					return
				}
				if len(res.Hits) > res.Total {
					t.Errorf("hits %d > total %d", len(res.Hits), res.Total)
				}
				for _, h := range res.Hits {
					if h.Key == "" {
						t.Error("empty key")
					}
				}
				q := res.Query
				q.Snippet("财政预算改革年号", 10)
				ix.Has("k001")
				ix.Len()
				ix.Stats()
				searches.Add(1)
			}
		}()
	}
	deadline := time.Now().Add(3 * time.Second)
	if testing.Short() {
		deadline = time.Now().Add(time.Second)
	}
	for i := 0; time.Now().Before(deadline) || searches.Load() < 50; i++ {
		switch {
		case i%10 == 9:
			if err := ix.Checkpoint(); err != nil {
				t.Fatal(err)
			}
		case i%10 == 8:
			ix.Delete(fmt.Sprintf("k%03d", rng.IntN(300)))
		case i%5 == 0:
			var batch []Doc
			for range 20 {
				batch = append(batch, randDoc(rng, fmt.Sprintf("k%03d", rng.IntN(300))))
			}
			ix.PutBatch(batch)
		default:
			ix.Put(randDoc(rng, fmt.Sprintf("k%03d", rng.IntN(300))))
		}
		ix.SetSeq(int64(i))
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d searches during writes", searches.Load())
}

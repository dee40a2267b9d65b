package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"gongkai.dev/gongkai/bench/corpus"
)

type engineRun struct {
	eng   engine
	n     int
	dir   string
	build buildReport
	query queryReport
	qs    *corpus.QuerySet
}

func cmdAll(args []string) error {
	fl := flag.NewFlagSet("all", flag.ExitOnError)
	n := fl.Int("n", 10000, "number of documents")
	seed := fl.Uint64("seed", 1, "corpus seed")
	bleveMax := fl.Int("bleve-max", 100000, "index at most this many documents with Bleve (0 = no cap)")
	engList := fl.String("engines", "gongkai,bleve", "engines to run, in order")
	work := fl.String("work", "", "work directory (default /tmp/bench-N)")
	keep := fl.Bool("keep", false, "keep the indexes (default: delete them after querying)")
	batch := fl.Int("batch", 1000, "documents per engine call when building")
	order := fl.String("order", "date", "feed order: date (publication order) or index")
	per := fl.Int("per-class", 200, "queries per class")
	warmup := fl.Int("warmup", 10, "warm-up queries per class")
	maxSec := fl.Float64("max-seconds", 300, "time cap per result row")
	reuse := fl.Bool("reuse", false, "reuse an engine's results already in the work directory (build.json and query-ENGINE.json for the same N and seed) instead of running it again")
	fl.Parse(args)
	if *work == "" {
		*work = fmt.Sprintf("/tmp/bench-%d", *n)
	}
	if err := os.MkdirAll(*work, 0o755); err != nil {
		return err
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	run := func(args ...string) error {
		fmt.Fprintf(os.Stderr, "\n$ searchbench %s\n", strings.Join(args, " "))
		cmd := exec.Command(exe, args...)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		return cmd.Run()
	}
	start := time.Now()
	querySets := map[int]*corpus.QuerySet{}
	qfile := func(n int) (string, error) {
		path := filepath.Join(*work, fmt.Sprintf("queries-%d-seed%d.json", n, *seed))
		if _, err := os.Stat(path); err != nil {
			if err := run("queries", "-n", fmt.Sprint(n), "-seed", fmt.Sprint(*seed), "-per-class", fmt.Sprint(*per), "-out", path); err != nil {
				return "", err
			}
		}
		if querySets[n] == nil {
			qs, err := corpus.LoadQueries(path)
			if err != nil {
				return "", err
			}
			querySets[n] = qs
		}
		return path, nil
	}

	var runs []*engineRun
	for _, name := range strings.Split(*engList, ",") {
		eng, err := getEngine(strings.TrimSpace(name))
		if err != nil {
			return err
		}
		r := &engineRun{eng: eng, n: *n}
		runs = append(runs, r)
		if eng.name == "bleve" && *bleveMax > 0 && r.n > *bleveMax {
			r.n = *bleveMax
		}
		r.dir = filepath.Join(*work, fmt.Sprintf("%s-%d", eng.name, r.n))
		qf, err := qfile(r.n)
		if err != nil {
			return err
		}
		r.qs = querySets[r.n]
		if *reuse && readJSON(filepath.Join(r.dir, "build.json"), &r.build) == nil &&
			readJSON(filepath.Join(r.dir, "query-"+eng.name+".json"), &r.query) == nil &&
			r.build.N == r.n && r.build.Seed == *seed && r.query.N == r.n {
			fmt.Fprintf(os.Stderr, "\nreusing the %s results in %s (built %s)\n", eng.name, r.dir, r.build.Started)
			continue
		}
		if err := os.RemoveAll(r.dir); err != nil {
			return err
		}
		if err := run("build", "-engine", eng.name, "-n", fmt.Sprint(r.n), "-seed", fmt.Sprint(*seed),
			"-dir", r.dir, "-batch", fmt.Sprint(*batch), "-order", *order); err != nil {
			return err
		}
		if err := run("query", "-engine", eng.name, "-dir", r.dir, "-queries", qf, "-per-class", fmt.Sprint(*per),
			"-warmup", fmt.Sprint(*warmup), "-max-seconds", fmt.Sprint(*maxSec)); err != nil {
			return err
		}
		if err := readJSON(filepath.Join(r.dir, "build.json"), &r.build); err != nil {
			return err
		}
		if err := readJSON(filepath.Join(r.dir, "query-"+eng.name+".json"), &r.query); err != nil {
			return err
		}
		if !*keep {
			os.RemoveAll(filepath.Join(r.dir, "index"))
		}
	}
	md := allReport(runs, *n, *seed, time.Since(start))
	fmt.Print(md)
	path := filepath.Join(*work, fmt.Sprintf("report-%d.md", *n))
	if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "\nreport written to %s\n", path)
	return nil
}

func allReport(runs []*engineRun, n int, seed uint64, took time.Duration) string {
	var b strings.Builder
	tookS := "run took " + took.Round(time.Second).String()
	if took < time.Second {
		tookS = "assembled from earlier runs"
	}
	fmt.Fprintf(&b, "## searchbench: %s documents, seed %d (%s; %s; %s)\n\n",
		fmtInt(n), seed, time.Now().Format("2006-01-02 15:04"), machine(), tookS)
	for _, r := range runs {
		if r.n != n {
			fmt.Fprintf(&b, "**%s ran at %s documents, not %s (-bleve-max): its figures and the ratios below compare a smaller index.**\n\n",
				r.eng.label, fmtInt(r.n), fmtInt(n))
		}
	}

	for _, r := range runs {
		fmt.Fprintf(&b, "- %s: built %s (%s); queried in a separate process: %s.\n", r.eng.label, r.build.Started, r.dir, r.query.Opened)
	}
	b.WriteString("\n### Summary\n")
	b.WriteString("| engine | docs | indexing docs/s (engine time / wall) | size on disk (× text) | build peak RSS | reopen: open / first answer | serving RSS after first query / peak | common p99 date / relevance | worst class p99 |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		q, bd := &r.query, &r.build
		cd, _ := findRow(q, "common", "none", "date")
		cr, _ := findRow(q, "common", "none", "relevance")
		w := worst(q)
		fmt.Fprintf(&b, "| %s | %s | %s / %s | %s (%.1f×) | %s | %.1f ms / %.1f ms | %s / %s | %s / %s ms | %s ms (%s, %s, %s) |\n",
			r.eng.label, fmtInt(r.n), fmtInt(int(bd.DocsPerSec+0.5)), fmtInt(int(bd.WallDocsPerSec+0.5)),
			fmtBytes(bd.SizeBytes), float64(bd.SizeBytes)/float64(bd.TextBytes), fmtBytes(bd.PeakRSS),
			q.OpenMs, q.FirstAnswerMs, fmtBytes(q.RSSAfterFirst), fmtBytes(q.PeakRSS),
			f2(cd.P99), f2(cr.P99), f2(w.P99), w.Class, w.Filters, w.Sort)
	}
	b.WriteString("\n")

	b.WriteString("### Build and query runs\n| engine | docs | text | engine add time | persist + close | corpus generation | build wall | docs/s (engine) | docs/s (wall) | load avg during build | query run | load avg during queries |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range runs {
		bd, q := &r.build, &r.query
		fmt.Fprintf(&b, "| %s | %s | %s | %.1f s | %.1f s | %.1f s | %.1f s | %.0f | %.0f | %.1f → %.1f | %.0f s | %.1f → %.1f |\n", r.eng.label, fmtInt(r.n),
			fmtBytes(bd.TextBytes), bd.IndexSeconds, bd.FinishSeconds, bd.GenSeconds, bd.WallSeconds, bd.DocsPerSec, bd.WallDocsPerSec,
			bd.LoadStart, bd.LoadEnd, q.Seconds, q.LoadStart, q.LoadEnd)
	}
	b.WriteString("\n")

	done := map[int]bool{}
	for _, r := range runs {
		if done[r.n] {
			continue
		}
		done[r.n] = true
		fmt.Fprintf(&b, "### Query classes at %s documents (exact counts on the folded text)\n", fmtInt(r.n))
		b.WriteString(queryClassTable(r.qs))
		b.WriteString("\n")
	}

	for _, r := range runs {
		b.WriteString(engineTable(&r.query))
		b.WriteString("\n")
	}

	// ratio table: Bleve p99 / gongkai p99
	var gk, bl *engineRun
	for _, r := range runs {
		switch r.eng.name {
		case "gongkai":
			gk = r
		case "bleve":
			bl = r
		}
	}
	if gk != nil && bl != nil {
		title := "### gongkai vs Bleve"
		if gk.n != bl.n {
			title += fmt.Sprintf(" (gongkai at %s documents, Bleve at %s)", fmtInt(gk.n), fmtInt(bl.n))
		}
		b.WriteString(title + "\n")
		b.WriteString("| class | filters | sort | gongkai p50 ms | gongkai p99 ms | gongkai mean total | Bleve p50 ms | Bleve p99 ms | Bleve mean total | Bleve p99 / gongkai p99 |\n|---|---|---|---|---|---|---|---|---|---|\n")
		for _, g := range gk.query.Rows {
			x, ok := findRow(&bl.query, g.Class, g.Filters, g.Sort)
			if !ok {
				continue
			}
			ratio := "–"
			if g.P99 > 0 {
				ratio = fmt.Sprintf("%.1f×", x.P99/g.P99)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %.0f | %s | %s | %.0f | %s |\n", g.Class, g.Filters, g.Sort,
				f2(g.P50), f2(g.P99), g.MeanTotal, f2(x.P50), f2(x.P99), x.MeanTotal, ratio)
		}
		b.WriteString("\n")
	}

	b.WriteString("### Checks\n")
	for _, r := range runs {
		cs := checks(&r.query)
		if unfoldedOK(&r.query) {
			fmt.Fprintf(&b, "- %s: %s.\n", r.eng.label, foldingGap(&r.query))
		}
		if len(cs) == 0 && unfoldedOK(&r.query) {
			continue
		}
		if len(cs) == 0 {
			fmt.Fprintf(&b, "- %s: every total equals the exact count; facet counts sum to the total; date order holds.\n", r.eng.label)
			continue
		}
		for _, c := range cs {
			fmt.Fprintf(&b, "- %s: %s\n", r.eng.label, c)
		}
	}
	b.WriteString("\n")
	return b.String()
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"gongkai.dev/gongkai/bench/corpus"
)

// rowResult is one line of the results table: a class × filter × sort combination.
type rowResult struct {
	Class     string  `json:"class"`
	Filters   string  `json:"filters"` // "none" or "issuer+years"
	Sort      string  `json:"sort"`    // "date" or "relevance"
	N         int     `json:"n"`       // queries run (fewer than planned when the row hit its time cap)
	Planned   int     `json:"planned"`
	P50       float64 `json:"p50_ms"`
	P99       float64 `json:"p99_ms"`
	Max       float64 `json:"max_ms"`
	Mean      float64 `json:"mean_ms"`
	MeanTotal float64 `json:"mean_total"`
	Expected  float64 `json:"mean_expected"` // mean of the exact counts from the query set
	Exact     int     `json:"exact"`         // queries whose total equals the exact count
	// queries whose total equals the exact count on the text without traditional folding
	ExactUnfolded    int         `json:"exact_unfolded"`
	ExpectedUnfolded float64     `json:"mean_expected_unfolded"`
	FacetsOK         int         `json:"facets_ok"` // issuer and genre facet counts sum to the total
	OrderOK          int         `json:"order_ok"`  // date-sorted hits come newest first
	Errors           int         `json:"errors"`
	FirstErr         string      `json:"first_error,omitempty"`
	Slowest          []slowQuery `json:"slowest,omitempty"`
}

// slowQuery records one of the slowest queries of a row.
type slowQuery struct {
	Text  string  `json:"text"`
	Ms    float64 `json:"ms"`
	Total int     `json:"total"`
}

type queryReport struct {
	Engine        string      `json:"engine"`
	Label         string      `json:"label"`
	N             int         `json:"n"` // documents in the index (from build.json)
	QueriesN      int         `json:"queries_n"`
	Opened        string      `json:"opened"`
	OpenMs        float64     `json:"open_ms"`         // Open call
	FirstAnswerMs float64     `json:"first_answer_ms"` // process start → first answered query
	FirstQuery    string      `json:"first_query"`
	FirstQueryMs  float64     `json:"first_query_ms"`
	RSSAfterOpen  int64       `json:"rss_after_open"`
	RSSAfterFirst int64       `json:"rss_after_first"`
	RSSEnd        int64       `json:"rss_end"`
	PeakRSS       int64       `json:"peak_rss"` // VmHWM of the serving process
	Warmup        int         `json:"warmup"`
	Seconds       float64     `json:"seconds"`
	LoadStart     float64     `json:"load_start"`
	LoadEnd       float64     `json:"load_end"`
	Rows          []rowResult `json:"rows"`
}

func cmdQuery(args []string) error {
	fl := flag.NewFlagSet("query", flag.ExitOnError)
	engName := fl.String("engine", "gongkai", "engine: gongkai or bleve")
	dir := fl.String("dir", "", "work directory of a build (DIR/index, DIR/build.json)")
	qfile := fl.String("queries", "", "query set (default DIR/queries.json; generated in a child process when missing)")
	per := fl.Int("per-class", 200, "queries per class and row (at most the number in the query set)")
	warmup := fl.Int("warmup", 10, "warm-up queries per class before measuring (not counted)")
	maxSec := fl.Float64("max-seconds", 300, "time cap per row; a row stops early when it is exceeded")
	slow := fl.Int("slow", 5, "record this many slowest queries per row in the JSON report")
	classes := fl.String("classes", "", "comma-separated classes to run (default: all)")
	cpuProfile := fl.String("cpuprofile", "", "write a CPU profile of the measured queries to this file")
	out := fl.String("out", "", "report JSON (default DIR/query-ENGINE.json)")
	fl.Parse(args)
	if *dir == "" {
		return errors.New("-dir is required")
	}
	eng, err := getEngine(*engName)
	if err != nil {
		return err
	}
	var br buildReport
	if err := readJSON(filepath.Join(*dir, "build.json"), &br); err != nil {
		return fmt.Errorf("reading the build report: %w", err)
	}
	if br.Engine != eng.name {
		return fmt.Errorf("%s holds a %s index, not %s", *dir, br.Engine, eng.name)
	}
	if *qfile == "" {
		*qfile = filepath.Join(*dir, "queries.json")
		if _, err := os.Stat(*qfile); err != nil {
			// measured in a child process so this process's memory stays the server's own
			exe, _ := os.Executable()
			cmd := exec.Command(exe, "queries", "-n", fmt.Sprint(br.N), "-seed", fmt.Sprint(br.Seed), "-out", *qfile)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("generating the query set: %w", err)
			}
		}
	}
	qs, err := corpus.LoadQueries(*qfile)
	if err != nil {
		return err
	}
	if qs.N != br.N || qs.Seed != br.Seed {
		return fmt.Errorf("%s is for n=%d seed=%d, the index for n=%d seed=%d", *qfile, qs.N, qs.Seed, br.N, br.Seed)
	}
	if *classes != "" {
		keep := map[string]bool{}
		for _, c := range strings.Split(*classes, ",") {
			keep[strings.TrimSpace(c)] = true
		}
		var cs []corpus.Class
		for _, c := range qs.Classes {
			if keep[c.Name] {
				cs = append(cs, c)
			}
		}
		qs.Classes = cs
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		profileStart = func() { pprof.StartCPUProfile(f) }
		defer pprof.StopCPUProfile()
	}
	rep, err := runQueries(eng, filepath.Join(*dir, "index"), qs, *per, *warmup, *maxSec, *slow)
	if err != nil {
		return err
	}
	rep.N = br.N
	if *out == "" {
		*out = filepath.Join(*dir, "query-"+eng.name+".json")
	}
	if err := writeJSON(*out, rep); err != nil {
		return err
	}
	fmt.Print(engineTable(rep))
	return nil
}

func runQueries(eng engine, indexDir string, qs *corpus.QuerySet, per, warmup int, maxSec float64, slow int) (*queryReport, error) {
	rep := &queryReport{Engine: eng.name, Label: eng.label, QueriesN: qs.N, Warmup: warmup, LoadStart: loadAvg()}
	years := filterYears()
	t0 := time.Now()
	s, err := eng.open(indexDir)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	rep.OpenMs = ms(time.Since(t0))
	rep.RSSAfterOpen = curRSS()

	// The first answered query: a common word, relevance order, facets.
	var first *corpus.Query
	for k := range qs.Classes {
		if qs.Classes[k].Name == "common" && len(qs.Classes[k].Queries) > 0 {
			first = &qs.Classes[k].Queries[0]
		}
	}
	if first == nil {
		first = &qs.Classes[0].Queries[0]
	}
	t1 := time.Now()
	if _, err := s.Search(first, false, years, false); err != nil {
		return nil, fmt.Errorf("first query: %w", err)
	}
	rep.FirstQueryMs = ms(time.Since(t1))
	rep.FirstAnswerMs = ms(time.Since(processStart))
	rep.FirstQuery = first.Text
	rep.RSSAfterFirst = curRSS()
	rep.Opened = s.Describe()
	fmt.Fprintf(os.Stderr, "query %s: opened %s in %.1f ms; first answer %.1f ms after process start (query %q took %.1f ms); RSS %s\n",
		eng.name, rep.Opened, rep.OpenMs, rep.FirstAnswerMs, first.Text, rep.FirstQueryMs, fmtBytes(rep.RSSAfterFirst))

	for _, cl := range qs.Classes {
		for i := 0; i < warmup && i < len(cl.Queries); i++ {
			if _, err := s.Search(&cl.Queries[i], i%2 == 1, years, i%4 >= 2); err != nil {
				return nil, fmt.Errorf("warm-up %s: %w", cl.Name, err)
			}
		}
	}

	if profileStart != nil {
		profileStart()
	}
	start := time.Now()
	for _, cl := range qs.Classes {
		for _, filtered := range []bool{false, true} {
			for _, byDate := range []bool{true, false} {
				row := rowResult{Class: cl.Name, Filters: "none", Sort: "relevance", Planned: min(per, len(cl.Queries))}
				if filtered {
					row.Filters = "issuer+years"
				}
				if byDate {
					row.Sort = "date"
				}
				var durs []time.Duration
				var timed []slowQuery
				var sumTotal, sumExp, sumUnf float64
				rowStart := time.Now()
				for i := 0; i < row.Planned; i++ {
					q := &cl.Queries[i]
					expected, unfolded := q.DF, q.DFUnfolded
					if filtered {
						expected, unfolded = q.DFFiltered, q.DFFilteredUnfolded
					}
					tq := time.Now()
					o, err := s.Search(q, filtered, years, byDate)
					d := time.Since(tq)
					if err != nil {
						row.Errors++
						if row.FirstErr == "" {
							row.FirstErr = fmt.Sprintf("%q: %v", q.Text, err)
						}
						continue
					}
					durs = append(durs, d)
					timed = append(timed, slowQuery{Text: q.Text, Ms: ms(d), Total: o.Total})
					sumTotal += float64(o.Total)
					sumExp += float64(expected)
					sumUnf += float64(unfolded)
					if o.Total == expected {
						row.Exact++
					}
					if o.Total == unfolded {
						row.ExactUnfolded++
					}
					if o.GenreSum == o.Total && o.IssuerSum == o.Total {
						row.FacetsOK++
					}
					if o.DateOrdered {
						row.OrderOK++
					}
					if time.Since(rowStart).Seconds() > maxSec {
						break
					}
				}
				row.N = len(durs)
				if row.N > 0 {
					var sum time.Duration
					for _, d := range durs {
						sum += d
					}
					row.Mean = ms(sum) / float64(row.N)
					sortDurations(durs)
					row.P50 = percentile(durs, 50)
					row.P99 = percentile(durs, 99)
					row.Max = ms(durs[len(durs)-1])
					row.MeanTotal = sumTotal / float64(row.N)
					sort.Slice(timed, func(i, j int) bool { return timed[i].Ms > timed[j].Ms })
					row.Slowest = timed[:min(slow, len(timed))]
					row.Expected = sumExp / float64(row.N)
					row.ExpectedUnfolded = sumUnf / float64(row.N)
				}
				rep.Rows = append(rep.Rows, row)
				fmt.Fprintf(os.Stderr, "  %-8s %-13s %-10s n=%d p50 %.2f ms p99 %.2f ms max %.2f ms  hits %.0f (exact %.0f; %d/%d equal)\n",
					row.Class, row.Filters, row.Sort, row.N, row.P50, row.P99, row.Max, row.MeanTotal, row.Expected, row.Exact, row.N)
			}
		}
	}
	rep.Seconds = time.Since(start).Seconds()
	rep.RSSEnd = curRSS()
	rep.LoadEnd = loadAvg()
	rep.PeakRSS = peakRSS()
	return rep, nil
}

// profileStart, when set, starts CPU profiling after the index is open and warmed up.
var profileStart func()

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

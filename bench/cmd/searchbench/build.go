package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"gongkai.dev/gongkai/bench/corpus"
)

type buildReport struct {
	Engine         string  `json:"engine"`
	Label          string  `json:"label"`
	N              int     `json:"n"`
	Seed           uint64  `json:"seed"`
	Order          string  `json:"order"`
	Batch          int     `json:"batch"`
	TextBytes      int64   `json:"text_bytes"`        // UTF-8 bytes of title + 文号 + body
	GenSeconds     float64 `json:"gen_seconds"`       // generating or reading the corpus
	IndexSeconds   float64 `json:"index_seconds"`     // inside the engine's add calls
	FinishSeconds  float64 `json:"finish_seconds"`    // final persist + close
	WallSeconds    float64 `json:"wall_seconds"`      // everything
	DocsPerSec     float64 `json:"docs_per_sec"`      // N / (index + finish)
	WallDocsPerSec float64 `json:"wall_docs_per_sec"` // N / wall
	SizeBytes      int64   `json:"size_bytes"`        // disk usage of the index directory
	PeakRSS        int64   `json:"peak_rss"`          // VmHWM of the build process
	Started        string  `json:"started"`
	LoadStart      float64 `json:"load_start"` // 1-minute load average before and after
	LoadEnd        float64 `json:"load_end"`
}

func cmdBuild(args []string) error {
	fl := flag.NewFlagSet("build", flag.ExitOnError)
	engName := fl.String("engine", "gongkai", "engine: gongkai or bleve")
	n := fl.Int("n", 10000, "number of documents")
	seed := fl.Uint64("seed", 1, "corpus seed")
	dir := fl.String("dir", "", "work directory; the index goes to DIR/index, the report to DIR/build.json")
	file := fl.String("corpus", "", "read the documents from this corpus file instead of generating them")
	batch := fl.Int("batch", 1000, "documents per engine call")
	order := fl.String("order", "date", "feed order when generating: date (publication order) or index")
	force := fl.Bool("force", false, "replace an existing index in DIR")
	fl.Parse(args)
	if *dir == "" {
		return errors.New("-dir is required")
	}
	eng, err := getEngine(*engName)
	if err != nil {
		return err
	}
	indexDir := filepath.Join(*dir, "index")
	if _, err := os.Stat(indexDir); err == nil {
		if !*force {
			return fmt.Errorf("%s exists (use -force to replace it)", indexDir)
		}
		if err := os.RemoveAll(indexDir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	g := corpus.New(*seed, *n)
	src, err := source(g, *file, *order)
	if err != nil {
		return err
	}
	defer src.Close()
	ix, err := eng.create(indexDir)
	if err != nil {
		return err
	}
	rep := buildReport{Engine: eng.name, Label: eng.label, N: *n, Seed: *seed, Order: *order, Batch: *batch,
		Started: start.Format(time.RFC3339), LoadStart: loadAvg()}
	if *file != "" {
		rep.Order = "file " + *file
	}
	fmt.Fprintf(os.Stderr, "build %s: %s documents into %s\n", eng.name, fmtInt(*n), indexDir)
	var inIndex, inGen time.Duration
	docs := make([]corpus.Doc, 0, *batch)
	done := 0
	step := max(*n/10, *batch)
	nextReport := step
	for {
		t0 := time.Now()
		docs = docs[:0]
		for len(docs) < *batch {
			d, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			rep.TextBytes += int64(len(d.Title) + len(d.DocNo) + len(d.Body))
			docs = append(docs, d)
		}
		t1 := time.Now()
		inGen += t1.Sub(t0)
		if len(docs) == 0 {
			break
		}
		if err := ix.Add(docs); err != nil {
			return err
		}
		inIndex += time.Since(t1)
		done += len(docs)
		if done >= nextReport || done == *n {
			fmt.Fprintf(os.Stderr, "  %s docs  %.0fs  %.0f docs/s (engine time)  RSS %s\n",
				fmtInt(done), time.Since(start).Seconds(), float64(done)/inIndex.Seconds(), fmtBytes(curRSS()))
			nextReport += step
		}
	}
	t := time.Now()
	if err := ix.Finish(done); err != nil {
		return err
	}
	rep.FinishSeconds = time.Since(t).Seconds()
	rep.WallSeconds = time.Since(start).Seconds()
	rep.GenSeconds = inGen.Seconds()
	rep.IndexSeconds = inIndex.Seconds()
	rep.DocsPerSec = float64(done) / (rep.IndexSeconds + rep.FinishSeconds)
	rep.WallDocsPerSec = float64(done) / rep.WallSeconds
	rep.PeakRSS = peakRSS()
	rep.LoadEnd = loadAvg()
	rep.SizeBytes, err = dirSize(indexDir)
	if err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(*dir, "build.json"), rep); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "build %s: %s docs, %.0f docs/s (engine: add %.1fs + persist %.1fs; corpus %.1fs; wall %.1fs), "+
		"text %s, index %s on disk, peak RSS %s\n",
		eng.name, fmtInt(done), rep.DocsPerSec, rep.IndexSeconds, rep.FinishSeconds, rep.GenSeconds, rep.WallSeconds,
		fmtBytes(rep.TextBytes), fmtBytes(rep.SizeBytes), fmtBytes(rep.PeakRSS))
	return nil
}

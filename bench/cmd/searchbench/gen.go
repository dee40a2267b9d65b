package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"gongkai.dev/gongkai/bench/corpus"
)

func cmdGen(args []string) error {
	fl := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fl.Int("n", 10000, "number of documents")
	seed := fl.Uint64("seed", 1, "corpus seed")
	out := fl.String("out", "corpus.bin", "output file")
	order := fl.String("order", "date", "document order: date (publication order) or index (generation order)")
	fl.Parse(args)
	g := corpus.New(*seed, *n)
	src, err := source(g, "", *order)
	if err != nil {
		return err
	}
	fw, err := corpus.CreateFile(*out, *seed, *n)
	if err != nil {
		return err
	}
	start := time.Now()
	var bytes int64
	for {
		d, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		bytes += int64(len(d.Title) + len(d.DocNo) + len(d.Body))
		if err := fw.Write(&d); err != nil {
			return err
		}
	}
	if err := fw.Close(); err != nil {
		return err
	}
	el := time.Since(start)
	st, _ := os.Stat(*out)
	fmt.Printf("wrote %s: %s documents, %s of text, file %s, %.1fs (%.0f docs/s)\n",
		*out, fmtInt(*n), fmtBytes(bytes), fmtBytes(st.Size()), el.Seconds(), float64(*n)/el.Seconds())
	return nil
}

// source returns the documents to index: from a corpus file, or generated on the fly.
func source(g *corpus.Generator, file, order string) (corpus.Source, error) {
	if file != "" {
		src, seed, err := corpus.FromFile(file)
		if err != nil {
			return nil, err
		}
		if src.N() != g.N() || seed != g.Seed() {
			src.Close()
			return nil, fmt.Errorf("%s holds n=%d seed=%d, not n=%d seed=%d", file, src.N(), seed, g.N(), g.Seed())
		}
		return src, nil
	}
	switch order {
	case "date":
		return corpus.Generated(g), nil
	case "index":
		return corpus.GeneratedInIndexOrder(g), nil
	}
	return nil, fmt.Errorf("unknown -order %q", order)
}

func cmdQueries(args []string) error {
	fl := flag.NewFlagSet("queries", flag.ExitOnError)
	n := fl.Int("n", 10000, "number of documents")
	seed := fl.Uint64("seed", 1, "corpus seed")
	out := fl.String("out", "queries.json", "output file")
	per := fl.Int("per-class", 200, "queries per class")
	workers := fl.Int("workers", runtime.GOMAXPROCS(0), "goroutines")
	fl.Parse(args)
	g := corpus.New(*seed, *n)
	qs := corpus.BuildQueries(g, *per, *workers, os.Stderr)
	if err := qs.Save(*out); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %s (%.1fs, peak RSS %s)\n", *out, qs.Seconds, fmtBytes(peakRSS()))
	return nil
}

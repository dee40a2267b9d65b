package main

import (
	"fmt"
	"sort"
	"strings"

	"gongkai.dev/gongkai/bench/corpus"
)

// indexer receives the corpus in batches.
type indexer interface {
	Add(docs []corpus.Doc) error
	// Finish persists the index (with the number of documents as its sequence) and closes it.
	Finish(n int) error
}

// outcome is what one answered query returned.
type outcome struct {
	Total       int
	Hits        int
	GenreSum    int // sum of the genre facet counts (every document has one genre)
	IssuerSum   int
	DateOrdered bool // hits are in non-increasing date order (checked when the engine returns dates)
}

// searcher answers benchmark queries on a reopened index.
type searcher interface {
	// Search runs q, top 20, exact total, facet counts for issuer and genre; filtered adds
	// issuer = q.Issuer and year ∈ years; byDate sorts newest first instead of by relevance.
	Search(q *corpus.Query, filtered bool, years []string, byDate bool) (outcome, error)
	// Describe tells what was opened (documents, sequence…), for the report.
	Describe() string
	Close() error
}

type engine struct {
	name   string
	label  string // for reports
	create func(dir string) (indexer, error)
	open   func(dir string) (searcher, error)
}

var engines = map[string]engine{}

func register(e engine) { engines[e.name] = e }

func getEngine(name string) (engine, error) {
	e, ok := engines[name]
	if !ok {
		var names []string
		for n := range engines {
			names = append(names, n)
		}
		sort.Strings(names)
		return e, fmt.Errorf("unknown engine %q (have %s)", name, strings.Join(names, ", "))
	}
	return e, nil
}

// filterYears returns the year facet values of the filtered variant.
func filterYears() []string {
	var ys []string
	for y := corpus.FilterYearFrom; y <= corpus.FilterYearTo; y++ {
		ys = append(ys, fmt.Sprint(y))
	}
	return ys
}

const topK = 20

package main

import (
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"

	"gongkai.dev/gongkai/bench/corpus"
)

// Bleve v2.5.7 with the cjk analyzer (width folding, lower case, CJK bigrams; no
// traditional→simplified folding) on title, body and 文号; keyword fields with doc values for
// issuer, genre, year and validity; a numeric date with doc values for sorting. Text fields keep
// term vectors (needed for phrases) but neither stored values nor doc values.

func init() {
	register(engine{
		name:   "bleve",
		label:  "Bleve v2.5.7 (cjk)",
		create: bleveCreate,
		open:   bleveOpen,
	})
}

var bleveTextFields = []string{"title", "body", "docno"}

func bleveMapping() mapping.IndexMapping {
	text := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = cjk.AnalyzerName
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = true
		f.DocValues = false
		return f
	}
	kw := func() *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = true
		return f
	}
	dm := bleve.NewDocumentStaticMapping()
	for _, name := range bleveTextFields {
		dm.AddFieldMappingsAt(name, text())
	}
	for _, name := range []string{"issuer", "genre", "year", "validity"} {
		dm.AddFieldMappingsAt(name, kw())
	}
	date := bleve.NewNumericFieldMapping()
	date.Store = false
	date.IncludeInAll = false
	date.DocValues = true
	dm.AddFieldMappingsAt("date", date)

	im := bleve.NewIndexMapping()
	im.DefaultMapping = dm
	im.DefaultAnalyzer = cjk.AnalyzerName
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false
	return im
}

type bleveIndexer struct{ idx bleve.Index }

func bleveCreate(dir string) (indexer, error) {
	idx, err := bleve.NewUsing(dir, bleveMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, err
	}
	return &bleveIndexer{idx: idx}, nil
}

func (b *bleveIndexer) Add(docs []corpus.Doc) error {
	batch := b.idx.NewBatch()
	for i := range docs {
		d := &docs[i]
		err := batch.Index(d.Key, map[string]any{
			"title":    d.Title,
			"body":     d.Body,
			"docno":    d.DocNo,
			"issuer":   d.IssuerName(),
			"genre":    d.GenreName(),
			"year":     strconv.Itoa(d.Year),
			"validity": d.ValidityName(),
			"date":     float64(d.Date),
		})
		if err != nil {
			return err
		}
	}
	return b.idx.Batch(batch)
}

func (b *bleveIndexer) Finish(n int) error {
	if err := b.idx.SetInternal([]byte("bench_docs"), []byte(strconv.Itoa(n))); err != nil {
		return err
	}
	return b.idx.Close()
}

type bleveSearcher struct{ idx bleve.Index }

func bleveOpen(dir string) (searcher, error) {
	idx, err := bleve.Open(dir)
	if err != nil {
		return nil, err
	}
	return &bleveSearcher{idx: idx}, nil
}

// bleveWord matches a word (or phrase) as adjacent bigrams in title, body or 文号.
func bleveWord(w string) query.Query {
	var qs []query.Query
	for _, f := range bleveTextFields {
		q := bleve.NewMatchPhraseQuery(w)
		q.SetField(f)
		qs = append(qs, q)
	}
	return bleve.NewDisjunctionQuery(qs...)
}

func bleveQuery(q *corpus.Query, filtered bool, years []string) query.Query {
	var main query.Query
	switch {
	case q.Phrase:
		joined := ""
		for _, w := range q.Words {
			joined += w
		}
		main = bleveWord(joined)
	case len(q.Words) == 1:
		main = bleveWord(q.Words[0])
	default:
		var cs []query.Query
		for _, w := range q.Words {
			cs = append(cs, bleveWord(w))
		}
		main = bleve.NewConjunctionQuery(cs...)
	}
	if !filtered {
		return main
	}
	iss := bleve.NewTermQuery(q.Issuer)
	iss.SetField("issuer")
	var ys []query.Query
	for _, y := range years {
		t := bleve.NewTermQuery(y)
		t.SetField("year")
		ys = append(ys, t)
	}
	return bleve.NewConjunctionQuery(main, iss, bleve.NewDisjunctionQuery(ys...))
}

func (b *bleveSearcher) Search(q *corpus.Query, filtered bool, years []string, byDate bool) (outcome, error) {
	req := bleve.NewSearchRequestOptions(bleveQuery(q, filtered, years), topK, 0, false)
	req.AddFacet("issuer", bleve.NewFacetRequest("issuer", 50))
	req.AddFacet("genre", bleve.NewFacetRequest("genre", 8))
	if byDate {
		req.SortBy([]string{"-date"})
	}
	res, err := b.idx.Search(req)
	if err != nil {
		return outcome{}, err
	}
	o := outcome{Total: int(res.Total), Hits: len(res.Hits), DateOrdered: true}
	for name, fr := range res.Facets {
		sum := fr.Other
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				sum += t.Count
			}
		}
		switch name {
		case "issuer":
			o.IssuerSum = sum
		case "genre":
			o.GenreSum = sum
		}
	}
	return o, nil
}

func (b *bleveSearcher) Describe() string {
	n, err := b.idx.DocCount()
	if err != nil {
		return err.Error()
	}
	v, _ := b.idx.GetInternal([]byte("bench_docs"))
	return fmt.Sprintf("%d documents (built with %s)", n, v)
}

func (b *bleveSearcher) Close() error { return b.idx.Close() }

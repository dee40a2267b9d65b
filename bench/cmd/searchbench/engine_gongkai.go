//go:build !nogongkai

package main

import (
	"fmt"
	"os"
	"strconv"

	"gongkai.dev/gongkai/bench/corpus"
	"gongkai.dev/gongkai/internal/textsearch"
)

// The gongkai engine (internal/textsearch), used as the product uses it: PutBatch, then
// SetSeq + Checkpoint to persist; Open reopens the saved index.

func init() {
	register(engine{
		name:   "gongkai",
		label:  "gongkai textsearch",
		create: gkCreate,
		open:   gkOpen,
	})
}

type gkIndexer struct {
	ix  *textsearch.Index
	buf []textsearch.Doc
}

func gkCreate(dir string) (indexer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ix, err := textsearch.Open(dir)
	if err != nil {
		return nil, err
	}
	return &gkIndexer{ix: ix}, nil
}

// gkDoc converts a corpus document; 已废止 documents get tier 1 (ranked after current ones).
func gkDoc(d *corpus.Doc) textsearch.Doc {
	tier := 0
	if d.Validity == 2 {
		tier = 1
	}
	return textsearch.Doc{
		Key: d.Key, Title: d.Title, DocNo: d.DocNo, Body: d.Body, Date: d.Date, Tier: tier,
		Facets: map[string][]string{
			"issuer":   {d.IssuerName()},
			"genre":    {d.GenreName()},
			"year":     {strconv.Itoa(d.Year)},
			"validity": {d.ValidityName()},
		},
	}
}

func (g *gkIndexer) Add(docs []corpus.Doc) error {
	g.buf = g.buf[:0]
	for i := range docs {
		g.buf = append(g.buf, gkDoc(&docs[i]))
	}
	g.ix.PutBatch(g.buf)
	return nil
}

func (g *gkIndexer) Finish(n int) error {
	g.ix.SetSeq(int64(n))
	if err := g.ix.Checkpoint(); err != nil {
		g.ix.Close()
		return err
	}
	return g.ix.Close()
}

type gkSearcher struct{ ix *textsearch.Index }

func gkOpen(dir string) (searcher, error) {
	ix, err := textsearch.Open(dir)
	if err != nil {
		return nil, err
	}
	return &gkSearcher{ix: ix}, nil
}

var gkFacets = []string{"issuer", "genre"}

func (g *gkSearcher) Search(q *corpus.Query, filtered bool, years []string, byDate bool) (outcome, error) {
	req := textsearch.Request{Query: q.Text, Limit: topK, Facets: gkFacets, Sort: textsearch.ByRelevance}
	if byDate {
		req.Sort = textsearch.ByDate
	}
	if filtered {
		req.Filters = map[string][]string{"issuer": {q.Issuer}, "year": years}
	}
	res, err := g.ix.Search(req)
	if err != nil {
		return outcome{}, err
	}
	o := outcome{Total: res.Total, Hits: len(res.Hits), DateOrdered: true}
	for _, fc := range res.Facets["issuer"] {
		o.IssuerSum += fc.Count
	}
	for _, fc := range res.Facets["genre"] {
		o.GenreSum += fc.Count
	}
	if byDate {
		for i := 1; i < len(res.Hits); i++ {
			a, b := res.Hits[i-1], res.Hits[i]
			if a.Tier > b.Tier || (a.Tier == b.Tier && a.Date < b.Date) {
				o.DateOrdered = false
			}
		}
	}
	return o, nil
}

func (g *gkSearcher) Describe() string {
	return fmt.Sprintf("%d documents, seq %d", g.ix.Len(), g.ix.Seq())
}

func (g *gkSearcher) Close() error { return g.ix.Close() }

package textsearch

import "testing"

func benchDocs(n int) []Doc {
	c := newCorpus(1, 500000)
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = c.doc(i, 1000)
	}
	return docs
}

func BenchmarkAnalyze(b *testing.B) {
	docs := benchDocs(1000)
	a := newAnalyzer()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a.analyze(&docs[i%len(docs)])
	}
}

func BenchmarkInvert(b *testing.B) {
	docs := benchDocs(5000)
	a := newAnalyzer()
	ads := make([]*adoc, len(docs))
	for i := range docs {
		ads[i] = a.analyze(&docs[i])
	}
	b.ResetTimer()
	m := newMemSeg()
	for i := 0; i < b.N; i += 128 {
		if m.numDocs() > 60000 {
			m = newMemSeg()
		}
		j := i % len(ads)
		m.addBatch(ads[j:min(j+128, len(ads))])
	}
}

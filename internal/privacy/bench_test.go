package privacy

import (
	"sync"
	"testing"
)

// benchDoc is ~4 MB of generated notice text shared by both benchmarks so
// that their MB/s figures compare like with like. One piece in ten is a
// number (dates, 文号, amounts, credit codes, serials) and one in a hundred
// is personal data or a marking: about 7% of runes are digits and there is
// a finding every 4 KB or so, which is denser than real notices.
var benchDoc = sync.OnceValue(func() string { return genDoc(42, 4<<20, 10, 1) })

func BenchmarkScan(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		Scan(doc)
	}
}

func BenchmarkScanRegexp(b *testing.B) {
	doc := benchDoc()
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		scanRegexp(doc)
	}
}

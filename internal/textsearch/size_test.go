package textsearch

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
)

// sizeBreakdown sums the parts of the segment files in dir.
func sizeBreakdown(dir string) string {
	files, _ := filepath.Glob(filepath.Join(dir, "seg-*.seg"))
	var size, bm, bmBig, tf, sk, pos, dict, blob, terms, postBig, postUni, docs int
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return err.Error()
		}
		s, err := openSegBytes(data)
		if err != nil {
			return err.Error()
		}
		size += len(data)
		docs += s.n
		terms += s.nTerms
		dict += len(s.dict)
		blob += len(s.blob)
		for i := 0; i < s.nTerms; i++ {
			e := s.dict[i*dictEntry:]
			df := int(binary.LittleEndian.Uint32(e[4:]))
			bl := int(binary.LittleEndian.Uint32(e[16:]))
			pl := int(binary.LittleEndian.Uint32(e[20:]))
			tok := string(s.term(i))
			bm += bl
			if hasTF(tok) {
				tf += (df + 1) / 2
				if textKind(tok[1:]) == kindBi {
					bmBig += bl
					postBig += df
				} else {
					postUni += df
				}
			}
			if positional(tok) {
				sk += (df + skipEvery - 1) / skipEvery * 4
				pos += pl
			}
		}
	}
	per := func(n int) string { return fmt.Sprintf("%.0f B/doc", float64(n)/float64(max(docs, 1))) }
	return fmt.Sprintf("%d segments, %d docs, %d dictionary entries, %.1f MB (%s): bitmaps %s (bigrams %s), tf %s, skip %s, positions %s, dictionary %s; postings/doc: bigram %.0f, other %.0f",
		len(files), docs, terms, float64(size)/1e6, per(size), per(bm), per(bmBig), per(tf), per(sk), per(pos), per(dict+blob),
		float64(postBig)/float64(max(docs, 1)), float64(postUni)/float64(max(docs, 1)))
}

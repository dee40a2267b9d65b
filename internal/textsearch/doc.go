// Package textsearch is gongkai's Chinese full-text search engine: a derived index that the
// application feeds from its change log, saves with the change-log sequence number it
// reflects, reopens on start-up and rebuilds whenever it likes. It imports no database code;
// it only indexes, persists, reopens and answers queries.
//
// # Text and tokens
//
// Text is folded one character at a time (Fold): NFKC (full-width → half-width), lower
// case, traditional → simplified Chinese with a character table derived from OpenCC's
// TSCharacters (ts_characters.txt, Apache-2.0), and the 文号 brackets 〔〕【】[]（）() and
// similar folded to [ ]. Documents and queries are folded the same way, so 財政 finds 财政
// and the other way round, ＡＢＣ１２３ finds abc123, and 闽政办〔2020〕26号 finds
// 闽政办(2020)26号. Because folding is per character, every folded character knows the
// original bytes it came from, which is how Snippet and Highlight mark the original text.
//
// Folded text is cut into atoms: each CJK character is one atom, each run of Latin letters
// and digits is one word atom, and each run of anything else (punctuation, spaces, symbols,
// emoji) takes one position of its own. The tokens of a field are every CJK character
// (unigram, so one-character queries work even for a character standing alone between
// punctuation), every pair of adjacent CJK characters (bigram; Chinese words are mostly two
// characters), every word, and every word touching a CJK character ("pair": 2024年, 26号,
// 第5). Title, body and 文号 are separate token spaces (the token string starts with a field
// byte); a plain query term matches a document if it occurs in any of the three. Facet
// values are tokens too ("f" + facet + NUL + value), as is the set of tier-1 documents.
//
// # Postings: bitmaps, frequencies, positions
//
// Documents get local ids in insertion order within a segment. For every token a segment
// stores a roaring bitmap of the ids that contain it, in CRoaring's "frozen" layout so that
// it can be used in place from a memory-mapped file; a 4-bit term frequency per posting
// (capped at 15, where BM25 has long saturated); and, for bigrams, words and pairs, the
// positions, as uvarint deltas per posting with a skip table every 32 postings. Unigrams
// carry no positions. A phrase is verified on the positions of its bigrams, words and
// pairs (consecutive positions are adjacent in the text, since separators take a position
// of their own): a bigram's positions are a small, contiguous part of the file, whereas the
// positions of a common character are spread over megabytes, so checking a phrase touches
// few pages, which keeps both latency and the resident memory of a serving process low. A
// lone character inside a quoted phrase that touches neither another character nor a word
// (`"财 政预算"`) only has to occur in the same field, and a separator inside a phrase
// matches any single position; both are documented looseness, not accidents.
//
// Exact totals and facet counts come from bitmap cardinalities (And, AndCardinality), never
// from visiting documents, which is why a term present in 80% of a million documents costs
// milliseconds, and why filters (facet values ORed within a facet, ANDed across facets)
// make queries cheaper rather than dearer.
//
// # Segments, memory mapping, checkpoints
//
// New documents go to a small in-memory segment (token → one growing byte stream of
// postings; inverted in parallel by hash shards). When it reaches 65,536 documents it is
// written as an immutable segment file and memory-mapped (syscall.Mmap on Unix); a heap
// buffer stands in for the file when the index has no directory. A segment file holds the
// postings, a sorted token dictionary searched by binary search, and per-document columns:
// dates, tiers, field lengths, keys (with ids sorted by key and a Bloom filter, for upserts),
// the ids in date order and the facet values. Deleting or replacing a document sets a bit in its segment's
// tombstone bitmap. Put after Open is therefore cheap: a key lookup per segment (Bloom
// filter first) and an append to the in-memory segment.
//
// Checkpoint writes the in-memory segment as a file, merges small segments (tiers of ×4
// from 1,024 documents; segments of 65,536 and more are rewritten only to drop deletions
// above a third), writes changed tombstone bitmaps, then a new manifest listing segment
// files, tombstone files, the next segment id and Seq. Every file is written to a temporary
// name, synced and renamed, and the directory synced, so a crash at any point leaves either
// the previous manifest or the new one, each naming only complete files. Open reads the
// newest manifest whose checksum holds, maps its segments and deletes everything else of
// ours (temporary files, segments flushed after the last checkpoint, superseded files);
// nothing is rebuilt, so reopening takes milliseconds and memory grows only with the pages
// queries touch. Because the kernel maps 64 KB around every page fault, a long-running
// server would still end up with much of the index resident; Search therefore checks the
// process's resident file pages every 16 searches and, above SetResidentLimit (1 GiB by
// default), releases the mappings' pages (madvise DONTNEED: they stay in the page cache
// and come back with a minor fault). Close does not checkpoint: the application replays
// its change log from Seq. An advisory lock keeps a second process from opening the same
// directory.
//
// # Queries
//
// Parse never fails. Whitespace separates terms, which are ANDed; OR (also | and 或)
// between terms makes alternatives; -term excludes; "quoted text" (also “” and 「」) is a
// phrase; 标题: title: 正文: body: 文号: docno: (either colon) restrict a term to a field.
// Unquoted input is also cut at clause punctuation (，。、；！？). Within a term, a run of
// three or more CJK characters is a phrase (its bigrams must be adjacent and in order, so
// 财政预算 does not match 财政。预算), two characters are one bigram and one character is a
// unigram; a mixed run such as 2024年预算 or 闽政办〔2020〕26号 is a phrase of its atoms,
// separators included. Queries are cut to 100 characters and 16 terms with a zh-CN Notice;
// anything that leaves no atom (punctuation, emoji, control characters, SQL or FTS syntax
// fragments) is dropped, and a query with nothing left is Empty and matches every document,
// so browsing with filters works.
//
// Search computes, per segment, the exact match set: the filter bitmap, each term's
// candidates (the AND of its tokens' bitmaps, ORed over its fields), alternatives ORed,
// clauses ANDed, tombstones removed, and then phrases verified on positions for the
// surviving candidates only, and excluded terms removed likewise. Verification visits a
// term's candidates in id order with one forward cursor per positional token: the
// cursor's rank moves on with popcounts over the frozen bitmap's words (or array and run
// containers) between two candidates, its position data with the skip table and a
// word-at-a-time varint skip, so nothing is decoded twice and nothing is searched from the
// start; each document is checked anchored on the token with the fewest occurrences in it.
// A run of CJK characters (a chain of bigrams) is often proven without positions at all:
// the unigram frequencies of its inner characters bound how many occurrences of one bigram
// can fail to extend to the whole chain (chainProven). When phrases are involved, the
// segments are matched in parallel. Totals follow from the match bitmaps; facet counts
// too, by intersecting the match bitmap with each value's bitmap, or, when the matches are
// many and the values numerous, in one pass over the matches with the segment's per-facet
// forward column (the value ids of every document).
//
// # Ranking
//
// ByRelevance is BM25F: per token, tf = 3×title + 1×body + 2×文号 occurrences (only the
// fields the term allows), length normalised by the same weighting of the field lengths,
// idf from the number of live documents containing the token; a phrase scores as its
// tokens. Statistics are computed over live documents across all segments, so scores do not
// depend on how documents happen to be spread over segments (a checkpoint and reopen give
// identical results). Every candidate is scored: a token's frequencies are spread into a
// dense per-segment array in one sequential pass when its posting list is not much longer
// than the candidate set, and read with a forward rank cursor otherwise; with 4-bit frequencies and
// float32 accumulators, and each segment's weighted document lengths computed once, a term
// in 78% of a million documents (780,000 candidates) is fully ranked in about 7 ms (15 ms
// p99) on the 2-core test machine, so no approximation (impact ordering, candidate caps,
// early termination) is needed and the ranking stays exact.
// When there are at least offset+limit tier-0 matches, tier-1 documents are not scored.
// A heap keeps the best offset+limit. Tier always comes first; ties go to the newer date,
// then the smaller key.
//
// ByDate needs no scores: each segment stores its ids ordered by (tier, date desc, key),
// and a segment whose match set is dense is walked in that order until enough hits are
// found; a sparse match set is scanned instead. The page's hits are scored afterwards for
// display.
//
// # Concurrency
//
// Search may run from many goroutines while one goroutine writes. Readers hold a read lock
// for the duration of a search; writers take the write lock only for short steps (inserting
// a sub-batch of 128 analysed documents, swapping a written segment in), while analysis and
// segment writing happen outside it, so searches wait at most a few milliseconds.
package textsearch

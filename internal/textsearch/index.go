package textsearch

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"
)

// Doc is one document to index.
type Doc struct {
	Key    string              // unique, stable external key, e.g. "info/01J…"
	Title  string              //
	DocNo  string              // 文号, e.g. 闽政办〔2020〕26号
	Body   string              // plain text (body, summary, attachment text…)
	Date   int64               // sort key for date order; larger = newer (unix seconds)
	Tier   int                 // 0 = normal; 1 = ranked after all tier-0 hits in every sort
	Facets map[string][]string // facet → values
}

// Stats describes the index.
type Stats struct {
	Docs      int   // live documents
	Deleted   int   // replaced or deleted documents still taking space (purged by merges)
	Segments  int   // immutable segments (files, or serialized in memory for dir "")
	MemDocs   int   // documents in the in-memory segment (not yet in a segment file)
	MemBytes  int64 // rough heap size of the in-memory segment
	DiskBytes int64 // bytes of the files of the last checkpoint plus segments flushed since
	Tokens    int   // dictionary entries summed over segments (a token in two segments counts twice)
	Seq       int64 // change-log sequence number
	Gen       uint64
}

// ErrClosed is returned by Search after Close.
var ErrClosed = errors.New("textsearch: index closed")

// Flush thresholds of the in-memory segment. Variables so tests can lower them.
var (
	flushDocs  = 65536
	flushBytes = int64(384 << 20)
)

type segment struct {
	id       uint64
	r        segReader
	mem      *memSeg // set for memory segments
	del      *roaring.Bitmap
	delDirty bool
	delFile  string
	live     int
	liveLen  [numFields]int64
	file     string // base name in dir; "" when not a file
	size     int64
	release  func() error
}

func (s *segment) deleted(i uint32) bool { return s.del != nil && s.del.Contains(i) }

// Index is a search index. Search may be called from many goroutines while one goroutine
// writes (Put, PutBatch, Delete, SetSeq, Checkpoint); writers are also serialised, so
// several writing goroutines are safe, just not faster.
type Index struct {
	dir string

	wmu sync.Mutex   // serialises writers
	mu  sync.RWMutex // readers vs. short structural changes

	segs     []*segment // oldest first; the last one is the active memory segment
	seq      int64
	nextID   uint64
	gen      uint64
	lock     *os.File
	closed   bool
	flushErr error

	searches      atomic.Int64
	residentLimit atomic.Int64
	trimming      atomic.Bool
}

// DefaultResidentLimit is the resident memory that mapped segment pages may take before
// Search releases them (see SetResidentLimit).
const DefaultResidentLimit = 1 << 30

// SetResidentLimit sets how much of the memory-mapped index may stay mapped into the
// process (resident file pages, Linux RssFile) before Search releases the mappings' pages;
// they stay in the OS page cache, so the next access costs a minor fault, not a disk read.
// Without this, the kernel's fault-around maps 64 KB around every page a query touches and
// a long-running server's resident size creeps up to the size of the index. 0 or less
// disables the release.
func (ix *Index) SetResidentLimit(bytes int64) { ix.residentLimit.Store(bytes) }

// trimResident releases mapped pages when over the limit (reader lock held).
func (ix *Index) trimResident() {
	lim := ix.residentLimit.Load()
	if lim <= 0 || ix.dir == "" || !ix.trimming.CompareAndSwap(false, true) {
		return
	}
	defer ix.trimming.Store(false)
	if r := residentFileBytes(); r < 0 || r <= lim {
		return
	}
	for _, s := range ix.segs {
		if fs, ok := s.r.(*fileSeg); ok && s.release != nil {
			releaseMapped(fs.data)
		}
	}
}

// Open opens the index saved in dir, or starts an empty one if dir holds none. dir "" keeps
// the index in memory only. Opening maps the segment files; nothing is rebuilt.
func Open(dir string) (*Index, error) {
	initFold()
	ix := &Index{dir: dir, nextID: 1}
	ix.residentLimit.Store(DefaultResidentLimit)
	if dir == "" {
		ix.segs = []*segment{ix.newMemSegment()}
		return ix, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	lf, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := lockDir(lf); err != nil {
		lf.Close()
		return nil, fmt.Errorf("textsearch: %s is in use by another process: %w", dir, err)
	}
	ix.lock = lf
	if err := ix.load(); err != nil {
		ix.releaseAll()
		lf.Close()
		return nil, err
	}
	ix.segs = append(ix.segs, ix.newMemSegment())
	return ix, nil
}

func (ix *Index) newMemSegment() *segment {
	m := newMemSeg()
	return &segment{r: m, mem: m}
}

// ---------------------------------------------------------------- manifest

type manifest struct {
	Version  int           `json:"version"`
	Gen      uint64        `json:"gen"`
	Seq      int64         `json:"seq"`
	NextID   uint64        `json:"next_id"`
	Segments []manifestSeg `json:"segments"`
}

type manifestSeg struct {
	ID   uint64 `json:"id"`
	File string `json:"file"`
	Size int64  `json:"size"`
	Docs int    `json:"docs"`
	Del  string `json:"del,omitempty"`
}

const manifestPrefix = "manifest-"

func manifestName(gen uint64) string { return fmt.Sprintf("%s%016x.json", manifestPrefix, gen) }
func segName(id uint64) string       { return fmt.Sprintf("seg-%016x.seg", id) }
func delName(id, gen uint64) string  { return fmt.Sprintf("seg-%016x.del-%016x", id, gen) }

func encodeManifest(m *manifest) []byte {
	b, _ := json.Marshal(m)
	return fmt.Appendf(b, "\n#crc32=%08x\n", crc32.ChecksumIEEE(b))
}

func decodeManifest(b []byte) (*manifest, error) {
	i := bytes.LastIndex(b, []byte("\n#crc32="))
	if i < 0 {
		return nil, ErrCorrupt
	}
	want, err := strconv.ParseUint(strings.TrimSpace(string(b[i+8:])), 16, 32)
	if err != nil || uint32(want) != crc32.ChecksumIEEE(b[:i]) {
		return nil, ErrCorrupt
	}
	var m manifest
	if err := json.Unmarshal(b[:i], &m); err != nil || m.Version != 1 {
		return nil, ErrCorrupt
	}
	return &m, nil
}

// load reads the newest valid manifest and maps its segments.
func (ix *Index) load() error {
	ents, err := os.ReadDir(ix.dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), manifestPrefix) && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	var m *manifest
	for i := len(names) - 1; i >= 0 && m == nil; i-- {
		b, err := os.ReadFile(filepath.Join(ix.dir, names[i]))
		if err != nil {
			continue
		}
		m, _ = decodeManifest(b)
	}
	if m == nil {
		if len(names) > 0 {
			return fmt.Errorf("%w: no readable manifest in %s", ErrCorrupt, ix.dir)
		}
		ix.cleanup(nil)
		return nil
	}
	ix.gen, ix.seq, ix.nextID = m.Gen, m.Seq, m.NextID
	keep := map[string]bool{manifestName(m.Gen): true}
	for _, ms := range m.Segments {
		s, err := ix.openSegFile(ms.ID, ms.File, ms.Size)
		if err != nil {
			return err
		}
		keep[ms.File] = true
		if ms.Del != "" {
			keep[ms.Del] = true
			if err := s.loadDel(filepath.Join(ix.dir, ms.Del)); err != nil {
				ix.segs = append(ix.segs, s)
				return err
			}
			s.delFile = ms.Del
		}
		ix.segs = append(ix.segs, s)
	}
	ix.cleanup(keep)
	return nil
}

func (ix *Index) openSegFile(id uint64, name string, size int64) (*segment, error) {
	f, err := os.Open(filepath.Join(ix.dir, name))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if size >= 0 && st.Size() != size {
		return nil, fmt.Errorf("%w: %s has %d bytes, want %d", ErrCorrupt, name, st.Size(), size)
	}
	data, release, err := mapFile(f, st.Size())
	if err != nil {
		return nil, err
	}
	fs, err := openSegBytes(data)
	if err != nil {
		release()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return newFileSegment(id, fs, name, st.Size(), release), nil
}

func newFileSegment(id uint64, fs *fileSeg, name string, size int64, release func() error) *segment {
	s := &segment{id: id, r: fs, file: name, size: size, release: release, live: fs.n}
	for f := range numFields {
		s.liveLen[f] = int64(fs.sumLens[f])
	}
	return s
}

func (s *segment) loadDel(path string) error {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 4 {
		return fmt.Errorf("%w: tombstones %s: %v", ErrCorrupt, path, err)
	}
	body := b[:len(b)-4]
	if crc32.ChecksumIEEE(body) != le32(b[len(b)-4:], 0) {
		return fmt.Errorf("%w: tombstones %s", ErrCorrupt, path)
	}
	del := roaring.New()
	if _, err := del.ReadFrom(bytes.NewReader(body)); err != nil {
		return fmt.Errorf("%w: tombstones %s: %v", ErrCorrupt, path, err)
	}
	n := uint32(s.r.numDocs())
	it := del.Iterator()
	for it.HasNext() {
		d := it.Next()
		if d >= n {
			return fmt.Errorf("%w: tombstones %s out of range", ErrCorrupt, path)
		}
		l := s.r.docLens(d)
		for f := range numFields {
			s.liveLen[f] -= int64(l[f])
		}
	}
	s.live -= int(del.GetCardinality())
	s.del = del
	return nil
}

// cleanup removes files of ours that keep does not name (keep nil: all of them).
func (ix *Index) cleanup(keep map[string]bool) {
	ents, err := os.ReadDir(ix.dir)
	if err != nil {
		return
	}
	live := map[string]bool{}
	for _, s := range ix.segs {
		if s.file != "" {
			live[s.file] = true
		}
	}
	for _, e := range ents {
		n := e.Name()
		ours := strings.HasPrefix(n, "seg-") || strings.HasPrefix(n, manifestPrefix) || strings.HasSuffix(n, ".tmp")
		if !ours || keep[n] || (live[n] && !strings.HasSuffix(n, ".tmp")) {
			continue
		}
		os.Remove(filepath.Join(ix.dir, n))
	}
}

// ---------------------------------------------------------------- writing

// Put adds or replaces (by Key) one document. Documents with an empty Key are ignored.
func (ix *Index) Put(d Doc) { ix.PutBatch([]Doc{d}) }

const putChunk = 256

// PutBatch adds or replaces documents; text analysis runs in parallel.
func (ix *Index) PutBatch(ds []Doc) {
	if len(ds) == 0 {
		return
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if ix.closed {
		return
	}
	if len(ds) == 1 {
		if ds[0].Key != "" {
			ix.insert([]*adoc{newAnalyzer().analyze(&ds[0])})
		}
		return
	}
	type batch struct {
		ads []*adoc
		wg  sync.WaitGroup
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	start := func(part []Doc) *batch {
		b := &batch{ads: make([]*adoc, len(part))}
		for w := range workers {
			b.wg.Add(1)
			go func() {
				defer b.wg.Done()
				a := newAnalyzer()
				for i := w; i < len(part); i += workers {
					if part[i].Key != "" {
						b.ads[i] = a.analyze(&part[i])
					}
				}
			}()
		}
		return b
	}
	next := start(ds[:min(putChunk, len(ds))])
	for off := 0; off < len(ds); off += putChunk {
		cur := next
		cur.wg.Wait()
		if end := off + putChunk; end < len(ds) {
			next = start(ds[end:min(end+putChunk, len(ds))])
		}
		ix.insert(cur.ads)
	}
}

// insert adds analysed documents (wmu held).
func (ix *Index) insert(ads []*adoc) {
	for len(ads) > 0 {
		n := min(len(ads), 128)
		// A key twice in one batch: only the last version counts.
		seen := make(map[string]int, n)
		for i, ad := range ads[:n] {
			if ad == nil {
				continue
			}
			if j, ok := seen[ad.key]; ok {
				ads[j] = nil
			}
			seen[ad.key] = i
		}
		ix.mu.Lock()
		act := ix.segs[len(ix.segs)-1]
		for _, ad := range ads[:n] {
			if ad == nil {
				continue
			}
			ix.removeLocked(ad.key)
			act.live++
			for f := range numFields {
				act.liveLen[f] += int64(ad.lens[f])
			}
		}
		act.mem.addBatch(ads[:n])
		full := act.mem.numDocs() >= flushDocs || act.mem.bytes >= flushBytes
		ix.mu.Unlock()
		ads = ads[n:]
		if full {
			ix.flushActive()
		}
	}
}

// removeLocked tombstones the live version of key, if any (mu held).
func (ix *Index) removeLocked(key string) bool {
	for i := len(ix.segs) - 1; i >= 0; i-- {
		s := ix.segs[i]
		id, ok := s.r.findKey(key)
		if !ok || s.deleted(id) {
			continue
		}
		if s.del == nil {
			s.del = roaring.New()
		}
		s.del.Add(id)
		s.delDirty = true
		s.live--
		l := s.r.docLens(id)
		for f := range numFields {
			s.liveLen[f] -= int64(l[f])
		}
		return true
	}
	return false
}

// Delete removes a document; no-op if absent.
func (ix *Index) Delete(key string) {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if ix.closed {
		return
	}
	ix.mu.Lock()
	ix.removeLocked(key)
	ix.mu.Unlock()
}

// Has reports whether a live document has this key.
func (ix *Index) Has(key string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for i := len(ix.segs) - 1; i >= 0; i-- {
		s := ix.segs[i]
		if id, ok := s.r.findKey(key); ok && !s.deleted(id) {
			return true
		}
	}
	return false
}

// Seq returns the change-log sequence number the index reflects.
func (ix *Index) Seq() int64 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.seq
}

// SetSeq records the change-log sequence number; Checkpoint saves it.
func (ix *Index) SetSeq(seq int64) {
	ix.mu.Lock()
	ix.seq = seq
	ix.mu.Unlock()
}

// Len returns the number of live documents.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := 0
	for _, s := range ix.segs {
		n += s.live
	}
	return n
}

// flushActive turns the active memory segment into an immutable segment (wmu held).
func (ix *Index) flushActive() {
	ix.mu.Lock()
	act := ix.segs[len(ix.segs)-1]
	if act.mem.numDocs() == 0 {
		ix.mu.Unlock()
		return
	}
	ix.segs = append(ix.segs, ix.newMemSegment())
	ix.mu.Unlock()
	if err := ix.rewrite([]*segment{act}); err != nil && ix.flushErr == nil {
		ix.flushErr = err
	}
}

// rewrite writes the live documents of group (consecutive segments, oldest first) as one
// new immutable segment and swaps it in. Readers keep searching the old segments
// meanwhile; wmu is held so nothing else changes them.
func (ix *Index) rewrite(group []*segment) error {
	srcs := make([]*mergeSrc, len(group))
	live := 0
	for i, s := range group {
		srcs[i] = &mergeSrc{r: s.r, del: s.del}
		live += s.live
	}
	var ns *segment
	if live > 0 {
		id := ix.nextID
		ix.nextID++
		var err error
		ns, err = ix.writeSeg(id, srcs)
		if err != nil {
			return err
		}
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	pos := slices.Index(ix.segs, group[0])
	out := ix.segs[:pos:pos]
	if ns != nil {
		out = append(out, ns)
	}
	out = append(out, ix.segs[pos+len(group):]...)
	ix.segs = out
	for _, s := range group {
		if s.release != nil {
			s.release()
		}
	}
	return nil
}

func (ix *Index) writeSeg(id uint64, srcs []*mergeSrc) (*segment, error) {
	if ix.dir == "" {
		var buf bytes.Buffer
		info, err := writeSegment(&buf, srcs)
		if err != nil {
			return nil, err
		}
		data := make([]byte, buf.Len()) // fresh, 8-byte aligned
		copy(data, buf.Bytes())
		fs, err := openSegBytes(data)
		if err != nil {
			return nil, err
		}
		return newFileSegment(id, fs, "", info.bytes, nil), nil
	}
	name := segName(id)
	tmp := filepath.Join(ix.dir, name+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	info, err := writeSegment(f, srcs)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(ix.dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return ix.openSegFile(id, name, info.bytes)
}

// Merge policy: segments are grouped in size tiers (×4 from 1,024 documents up to
// flushDocs); when a tier holds mergeWidth segments they are merged into one. Segments of
// flushDocs documents and more are only rewritten to purge deletions (over a third).
const mergeWidth = 4

func sizeTier(n int) int {
	t := 0
	for lim := 1024; n >= lim && t < 8; lim *= 4 {
		t++
	}
	return t
}

// pickMerge returns the next group of consecutive file segments to rewrite, or nil.
func (ix *Index) pickMerge() []*segment {
	var files []*segment
	for _, s := range ix.segs {
		if s.mem == nil {
			files = append(files, s)
		}
	}
	for _, s := range files {
		if n := s.r.numDocs(); n > 0 && (n-s.live)*3 > n {
			return []*segment{s}
		}
	}
	// Consecutive runs of small segments of the same tier.
	for i := 0; i < len(files); {
		if files[i].r.numDocs() >= flushDocs {
			i++
			continue
		}
		t := sizeTier(files[i].live)
		j := i + 1
		for j < len(files) && files[j].r.numDocs() < flushDocs && sizeTier(files[j].live) <= t {
			j++
		}
		if j-i >= mergeWidth {
			return files[i:j]
		}
		i++
	}
	return nil
}

// Checkpoint writes everything (documents, deletions, Seq) to dir so that Open finds it.
// A crash at any point leaves the previous checkpoint or this one. No-op for dir "".
func (ix *Index) Checkpoint() error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	if ix.closed {
		return ErrClosed
	}
	if ix.dir == "" {
		return nil
	}
	ix.flushErr = nil
	// Flush every memory segment (the active one and any whose earlier flush failed).
	for {
		var m *segment
		for _, s := range ix.segs {
			if s.mem != nil && s.mem.numDocs() > 0 {
				m = s
				break
			}
		}
		if m == nil {
			break
		}
		if m == ix.segs[len(ix.segs)-1] {
			ix.mu.Lock()
			ix.segs = append(ix.segs, ix.newMemSegment())
			ix.mu.Unlock()
		}
		if err := ix.rewrite([]*segment{m}); err != nil {
			return err
		}
	}
	for g := ix.pickMerge(); g != nil; g = ix.pickMerge() {
		if err := ix.rewrite(g); err != nil {
			return err
		}
	}
	gen := ix.gen + 1
	m := &manifest{Version: 1, Gen: gen, NextID: ix.nextID}
	ix.mu.RLock()
	m.Seq = ix.seq
	segs := slices.Clone(ix.segs)
	ix.mu.RUnlock()
	keep := map[string]bool{manifestName(gen): true}
	for _, s := range segs {
		if s.mem != nil {
			continue
		}
		ms := manifestSeg{ID: s.id, File: s.file, Size: s.size, Docs: s.r.numDocs()}
		if s.delDirty {
			if err := ix.writeDel(s, gen); err != nil {
				return err
			}
		}
		ms.Del = s.delFile
		m.Segments = append(m.Segments, ms)
		keep[s.file] = true
		if s.delFile != "" {
			keep[s.delFile] = true
		}
	}
	// Segment and tombstone renames must be durable before a manifest names them.
	if err := syncDir(ix.dir); err != nil {
		return err
	}
	if err := writeFileAtomic(ix.dir, manifestName(gen), encodeManifest(m)); err != nil {
		return err
	}
	ix.mu.Lock()
	ix.gen = gen
	ix.mu.Unlock()
	ix.cleanup(keep)
	return nil
}

func (ix *Index) writeDel(s *segment, gen uint64) error {
	ix.mu.RLock()
	var buf bytes.Buffer
	_, err := s.del.WriteTo(&buf)
	ix.mu.RUnlock()
	if err != nil {
		return err
	}
	b := buf.Bytes()
	b = binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	name := delName(s.id, gen)
	if err := writeFileAtomic(ix.dir, name, b); err != nil {
		return err
	}
	ix.mu.Lock()
	s.delFile = name
	s.delDirty = false
	ix.mu.Unlock()
	return nil
}

// writeFileAtomic writes name in dir via a synced temporary file and a rename, then syncs
// the directory.
func writeFileAtomic(dir, name string, data []byte) error {
	tmp := filepath.Join(dir, name+".tmp")
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, filepath.Join(dir, name))
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && runtime.GOOS != "windows" {
		return err
	}
	return nil
}

// Stats returns figures about the index.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Stats{Seq: ix.seq, Gen: ix.gen}
	for _, s := range ix.segs {
		st.Docs += s.live
		st.Deleted += s.r.numDocs() - s.live
		if s.mem != nil {
			st.MemDocs += s.mem.numDocs()
			st.MemBytes += s.mem.bytes
			st.Tokens += s.mem.numTokens()
			continue
		}
		st.Segments++
		st.DiskBytes += s.size
		st.Tokens += s.r.(*fileSeg).nTerms
		if s.del != nil && s.delFile != "" {
			st.DiskBytes += int64(s.del.GetSerializedSizeInBytes()) + 4
		}
	}
	if ix.dir == "" {
		st.DiskBytes = 0
	}
	return st
}

// Close releases the index. It does not checkpoint: changes since the last Checkpoint are
// not saved (the application replays them from its change log, starting after Seq).
func (ix *Index) Close() error {
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	ix.releaseAll()
	ix.segs = nil
	if ix.lock != nil {
		ix.lock.Close()
		ix.lock = nil
	}
	return nil
}

func (ix *Index) releaseAll() {
	for _, s := range ix.segs {
		if s.release != nil {
			s.release()
			s.release = nil
		}
	}
}

// Package search is the portal's one search box and the policy library's
// listing: it decides what public content is indexed (published 主动公开
// records — policies, interpretations and all other genres — with the text
// of their attachments, and the items of every org's current published
// catalog), keeps the derived textsearch index current from the change log
// (it is a changes.View), rebuilds it on demand, and turns index hits back
// into what pages and the API show (titles and snippets highlighted on the
// original text, facet labels, links).
//
// The database is the truth. The index lives in DataDir/search, remembers the
// change-log sequence number it reflects, and is checkpointed to disk in the
// background; after a crash it reopens at its last checkpoint and replays the
// log from there.
package search

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"gongkai.dev/gongkai/internal/apperr"
	"gongkai.dev/gongkai/internal/catalog"
	"gongkai.dev/gongkai/internal/changes"
	"gongkai.dev/gongkai/internal/db"
	"gongkai.dev/gongkai/internal/info"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/privacy"
	"gongkai.dev/gongkai/internal/textsearch"
)

// mapping names what documents look like; bump it when recordDoc or itemDoc
// change, and every index built before is rebuilt at start-up.
const mapping = "3"

// Kinds of indexed content (facet "kind").
const (
	KindPolicy  = "policy"  // 规章、行政规范性文件、政策文件
	KindInterp  = "interp"  // 政策解读
	KindInfo    = "info"    // other 政府信息
	KindCatalog = "catalog" // 标准目录事项
)

// KindLabels are the Chinese names of kinds.
var KindLabels = map[string]string{KindPolicy: "政策文件", KindInterp: "政策解读", KindInfo: "政府信息", KindCatalog: "目录事项"}

// Service is the search capability.
type Service struct {
	DB      *db.DB
	Orgs    *org.Service
	Info    *info.Service
	Catalog *catalog.Service
	Logger  *slog.Logger
	// Dir holds the index; "" keeps it in memory (tests).
	Dir string
	// NoAutoBuild makes Open start a missing or outdated index empty
	// instead of building it (the reindex command builds it right after).
	NoAutoBuild bool

	ix   atomic.Pointer[textsearch.Index]
	lock *os.File // flock on Dir: one process owns an index directory
	// dirty counts changes applied since the last checkpoint.
	dirty     atomic.Int64
	lastCheck atomic.Int64
	mu        sync.Mutex // one writer: Apply, Reindex, Checkpoint
	// life guards the index's lifetime: searches hold it shared, swapping
	// in a rebuilt index or closing holds it exclusively (a closed index's
	// memory-mapped files must not be read).
	life sync.RWMutex
	// crashAfterCommit is a test hook (GONGKAI_TEST_CRASH_AFTER_COMMIT):
	// the process kills itself with SIGKILL before applying a change, to
	// prove the log replays after a crash between commit and index update.
	crashAfterCommit bool
}

// ArmCrashHook enables the crash test hook when GONGKAI_TEST_CRASH_AFTER_COMMIT=1:
// from now on, the next change to apply kills the process first. The app
// arms it after the start-up catch-up, so the process dies exactly between
// a later commit and its index update.
func (s *Service) ArmCrashHook() {
	s.crashAfterCommit = os.Getenv("GONGKAI_TEST_CRASH_AFTER_COMMIT") == "1"
}

// ErrLocked means another process holds the index directory.
var ErrLocked = errors.New("search index in use by another process")

// Open opens (or creates) the index. It does not catch up with the log:
// the caller's changes.Follower does, right after.
func (s *Service) Open(ctx context.Context) error {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Dir == "" {
		ix, err := textsearch.Open("")
		if err != nil {
			return err
		}
		s.ix.Store(ix)
		return nil
	}
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(s.Dir, "lock"), os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		return fmt.Errorf("%w: %s", ErrLocked, s.Dir)
	}
	s.lock = lock
	cur := filepath.Join(s.Dir, "index")
	ok := readMapping(s.Dir) == mapping
	var ix *textsearch.Index
	if ok {
		ix, err = textsearch.Open(cur)
		if err != nil {
			s.Logger.Warn("search index unreadable; rebuilding", "dir", cur, "err", err)
			ok = false
		}
	}
	if !ok {
		// A missing, outdated or broken index starts empty at sequence 0,
		// so the follower's catch-up indexes everything from the log...
		// which only holds changes since the log began; a full rebuild from
		// the tables covers all content.
		if err := os.RemoveAll(cur); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		if ix, err = textsearch.Open(cur); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		s.ix.Store(ix)
		if s.NoAutoBuild {
			return nil
		}
		if err := s.rebuildInto(ctx, ix, nil); err != nil {
			return err
		}
		if err := ix.Checkpoint(); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		return writeMapping(s.Dir)
	}
	s.ix.Store(ix)
	return nil
}

func readMapping(dir string) string {
	b, _ := os.ReadFile(filepath.Join(dir, "mapping"))
	return strings.TrimSpace(string(b))
}

func writeMapping(dir string) error {
	tmp := filepath.Join(dir, "mapping.tmp")
	if err := os.WriteFile(tmp, []byte(mapping+"\n"), 0o640); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "mapping"))
}

// Close checkpoints and closes the index.
func (s *Service) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.life.Lock()
	defer s.life.Unlock()
	ix := s.ix.Load()
	if ix == nil {
		return nil
	}
	err := ix.Checkpoint()
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	s.ix.Store(nil)
	if s.lock != nil {
		s.lock.Close()
	}
	return err
}

// Seq is the change-log sequence number the index reflects.
func (s *Service) Seq() int64 {
	if ix := s.ix.Load(); ix != nil {
		return ix.Seq()
	}
	return 0
}

// Len is the number of indexed documents.
func (s *Service) Len() int {
	if ix := s.ix.Load(); ix != nil {
		return ix.Len()
	}
	return 0
}

// Apply indexes the current state of every changed object.
func (s *Service) Apply(ctx context.Context, cs []changes.Change) error {
	if s.crashAfterCommit {
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.ix.Load()
	for _, c := range cs {
		var err error
		switch c.Kind {
		case changes.Info:
			err = s.applyRecord(ctx, ix, c.ObjectID)
		case changes.Catalog:
			err = s.applyCatalog(ctx, ix, c.ObjectID)
		}
		// Org and site changes alter labels only, resolved when results
		// are shown; nothing indexed depends on them.
		if err != nil {
			return fmt.Errorf("search: apply change %d (%s %s): %w", c.Seq, c.Kind, c.ObjectID, err)
		}
		ix.SetSeq(c.Seq)
	}
	s.dirty.Add(int64(len(cs)))
	return nil
}

// Checkpoint persists the index when changes were applied since the last
// one; the follower's timer calls it, so a crash loses at most the work of
// replaying the log since then.
func (s *Service) Checkpoint() error {
	if s.dirty.Load() == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.dirty.Load()
	if err := s.ix.Load().Checkpoint(); err != nil {
		return err
	}
	s.dirty.Add(-n)
	s.lastCheck.Store(time.Now().Unix())
	return nil
}

func recordKey(id string) string { return "info/" + id }

func itemKey(orgID, key string) string { return "item/" + orgID + "/" + key }

func (s *Service) applyRecord(ctx context.Context, ix *textsearch.Index, id string) error {
	r, err := s.Info.Get(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		ix.Delete(recordKey(id))
		return nil
	}
	if err != nil {
		return err
	}
	if !public(r) {
		ix.Delete(recordKey(id))
		return nil
	}
	d, err := s.recordDoc(ctx, r)
	if err != nil {
		return err
	}
	ix.Put(d)
	return nil
}

func public(r info.Record) bool {
	return r.Status == info.StatusPublished && r.Attribute == info.Proactive
}

// kindOf is the record's kind facet.
func kindOf(r info.Record) string {
	switch {
	case info.IsPolicy(r.Genre):
		return KindPolicy
	case r.Genre == info.GenreInterpretation:
		return KindInterp
	}
	return KindInfo
}

// yearOf is the year a policy is filed under: its 成文日期, else publication.
func yearOf(r info.Record) string {
	if len(r.WrittenOn) >= 4 {
		return r.WrittenOn[:4]
	}
	if len(r.PublishedOn) >= 4 {
		return r.PublishedOn[:4]
	}
	return ""
}

// tierOf ranks abolished and expired documents after current ones: they
// stay findable, marked, below what is in force.
func tierOf(validity string) int {
	if validity == info.ValidAbolished || validity == info.ValidExpired {
		return 1
	}
	return 0
}

func (s *Service) recordDoc(ctx context.Context, r info.Record) (textsearch.Doc, error) {
	var body strings.Builder
	body.WriteString(r.Summary)
	body.WriteString("\n")
	body.WriteString(r.Keywords)
	body.WriteString("\n")
	body.WriteString(info.PlainText(r.Body))
	atts, err := s.Info.Attachments(ctx, r.ID)
	if err != nil {
		return textsearch.Doc{}, err
	}
	for _, a := range atts {
		body.WriteString("\n")
		body.WriteString(a.Name)
		_, data, err := s.Info.AttachmentData(ctx, r.ID, a.Hash)
		if err != nil {
			return textsearch.Doc{}, err
		}
		if text, err := extractText(a.Name, data); err == nil {
			body.WriteString("\n")
			body.WriteString(text)
		}
		// A file whose text cannot be read (a scan, an image, a zip) is
		// found by its name only.
	}
	facets := map[string][]string{"kind": {kindOf(r)}, "org": {r.OrgID}, "genre": {r.Genre}, "validity": {r.Validity}}
	for k, v := range map[string]string{"year": yearOf(r), "topic": r.Topic, "domain": r.DomainID, "doc_kind": r.DocKind} {
		if v != "" {
			facets[k] = []string{v}
		}
	}
	return textsearch.Doc{Key: recordKey(r.ID), Title: r.Title, DocNo: r.DocNo, Body: body.String(),
		Date: r.PublishedAt.Unix(), Tier: tierOf(r.Validity), Facets: facets}, nil
}

func (s *Service) applyCatalog(ctx context.Context, ix *textsearch.Index, orgID string) error {
	// Keys of items of every version the org ever had: whatever is not in
	// the current version leaves the index.
	old, err := db.QueryStrings(ctx, s.DB.R, `SELECT DISTINCT i.item_key FROM catalog_items i
		JOIN catalog_versions v ON v.id = i.version_id WHERE v.org_id = $1`, orgID)
	if err != nil {
		return err
	}
	docs, err := s.catalogDocs(ctx, orgID)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, d := range docs {
		keep[d.Key] = true
	}
	for _, k := range old {
		if !keep[itemKey(orgID, k)] {
			ix.Delete(itemKey(orgID, k))
		}
	}
	ix.PutBatch(docs)
	return nil
}

func (s *Service) catalogDocs(ctx context.Context, orgID string) ([]textsearch.Doc, error) {
	v, err := s.Catalog.Current(ctx, orgID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil // no catalog published yet
	}
	if err != nil {
		return nil, err
	}
	items, err := s.Catalog.Items(ctx, v.ID)
	if err != nil {
		return nil, err
	}
	out := make([]textsearch.Doc, 0, len(items))
	for _, it := range items {
		body := strings.Join([]string{it.Content, it.Basis, it.TimeLimit.Text, it.Subject, strings.Join(it.Channels, "、"),
			it.ChannelOther}, "\n")
		out = append(out, textsearch.Doc{Key: itemKey(orgID, it.Key), Title: it.Title(), Body: body,
			Date: v.PublishedAt.Unix(), Facets: map[string][]string{"kind": {KindCatalog}, "org": {orgID}, "domain": {it.DomainID},
				"year": {strconv.Itoa(v.Year)}}})
	}
	return out, nil
}

// rebuildInto indexes all public content from the tables into ix and sets
// its sequence number to the log position read before the scan, so changes
// committed during the scan are replayed afterwards (harmless if already
// seen: applying reads current state).
func (s *Service) rebuildInto(ctx context.Context, ix *textsearch.Index, progress func(done, total int)) error {
	seq, err := changes.Last(ctx, s.DB.R)
	if err != nil {
		return err
	}
	ids, err := db.QueryStrings(ctx, s.DB.R, "SELECT id FROM info_records WHERE status = 'published' AND attribute = 'proactive' ORDER BY published_at, id")
	if err != nil {
		return err
	}
	orgs, err := s.Orgs.ListOrgs(ctx)
	if err != nil {
		return err
	}
	total := len(ids) + len(orgs)
	done := 0
	const chunk = 200
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		var batch []textsearch.Doc
		for _, id := range ids[:n] {
			r, err := s.Info.Get(ctx, id)
			if err != nil {
				return err
			}
			if !public(r) {
				continue
			}
			d, err := s.recordDoc(ctx, r)
			if err != nil {
				return err
			}
			batch = append(batch, d)
		}
		ix.PutBatch(batch)
		ids = ids[n:]
		done += n
		if progress != nil {
			progress(done, total)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for _, o := range orgs {
		docs, err := s.catalogDocs(ctx, o.ID)
		if err != nil {
			return err
		}
		ix.PutBatch(docs)
		done++
		if progress != nil {
			progress(done, total)
		}
	}
	ix.SetSeq(seq)
	return nil
}

// Reindex rebuilds the index from the database into a fresh directory and
// swaps it in; searches keep being answered by the old index meanwhile.
func (s *Service) Reindex(ctx context.Context, progress func(done, total int)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Dir == "" {
		ix, err := textsearch.Open("")
		if err != nil {
			return err
		}
		if err := s.rebuildInto(ctx, ix, progress); err != nil {
			return err
		}
		s.life.Lock()
		s.ix.Swap(ix).Close()
		s.life.Unlock()
		return nil
	}
	next := filepath.Join(s.Dir, "index.new")
	if err := os.RemoveAll(next); err != nil {
		return err
	}
	ix, err := textsearch.Open(next)
	if err != nil {
		return err
	}
	if err := s.rebuildInto(ctx, ix, progress); err != nil {
		ix.Close()
		os.RemoveAll(next)
		return err
	}
	if err := ix.Checkpoint(); err != nil {
		ix.Close()
		return err
	}
	if err := ix.Close(); err != nil {
		return err
	}
	// Swap directories: close the old index, move the new one in, reopen.
	cur := filepath.Join(s.Dir, "index")
	s.life.Lock()
	defer s.life.Unlock()
	s.ix.Load().Close()
	if err := os.RemoveAll(cur); err != nil {
		return err
	}
	if err := os.Rename(next, cur); err != nil {
		return err
	}
	reopened, err := textsearch.Open(cur)
	if err != nil {
		return err
	}
	s.ix.Store(reopened)
	s.dirty.Store(0)
	return writeMapping(s.Dir)
}

// extractText is the attachment text extractor (a variable so tests can
// count calls).
var extractText = privacy.ExtractText

// Stats describe the index for the back office.
type Stats struct {
	Docs int
	Seq  int64
	Log  int64 // newest sequence number in the change log
}

// Stats returns the index state next to the change log's.
func (s *Service) Stats(ctx context.Context) (Stats, error) {
	last, err := changes.Last(ctx, s.DB.R)
	return Stats{Docs: s.Len(), Seq: s.Seq(), Log: last}, err
}

// knownFacets are the filters requests may use.
var knownFacets = []string{"kind", "org", "genre", "year", "validity", "topic", "domain", "doc_kind"}

func isKnownFacet(f string) bool { return slices.Contains(knownFacets, f) }

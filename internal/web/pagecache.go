package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Published pages are rendered once (DESIGN.md): the page cache keeps the
// rendered bytes of public portal pages and serves them until a change
// invalidates them.
//
// A handler opts in by declaring, while it renders, what its page shows:
//
//	cacheTags(r, "info:"+rec.ID, "orgs")
//
// Only a 200 response whose handler declared at least one tag, set no
// cookie and did not call cacheNoStore is stored, so nothing is cached by
// accident: error pages, redirects, withdrawn notices (410), attachments
// and every /admin and /api response pass straight through.
//
// Tags (the change-log follower in pages_view.go emits the same strings):
//
//	info:<recordID>  a record's detail page and its attachment list
//	org:<orgID>      pages listing or summarising one org's public content
//	orgs             pages naming orgs (the tree, breadcrumbs, publishers)
//	all              pages listing content across orgs (sitemap, …)
//	site             every page (site settings); InvalidatePages("site")
//	                 empties the cache, so a page never needs to declare it
//
// Placement: the cache sits outside secureHeaders and CrossOriginProtection
// (observe → page cache → secureHeaders → CSRF → mux). It stores the whole
// header set the chain produced on the render — security headers and
// Content-Type included — plus its own ETag, Cache-Control and
// Content-Length, all as ready-made slices, so a hit is a map lookup, a few
// map assignments and one write: no middleware, template or database work.
// Those headers are the same for every public GET (secureHeaders only
// varies by the /admin prefix, which is never cached); a per-request
// header added there later (a CSP nonce) would have to move inside.
//
// What varies: the page is keyed by the request URI (path and raw query)
// and the 长者模式 cookie. Portal pages show no user (the header has a
// fixed 工作人员登录 link), so nothing else varies — with one exception:
// feeds and the sitemap print absolute URLs from the 网站地址 setting, or
// from the request's Host when it is unset; in that case siteBase calls
// cacheNoStore so a forged Host cannot be cached. HEAD shares the GET entry.
//
// Browsers get Cache-Control: no-cache and a strong ETag: they revalidate
// every time (a 304 costs a hash comparison), so an invalidation is visible
// at once, also through a CDN that honours no-cache.

// Page tags that name no object.
const (
	tagOrgs = "orgs"
	tagAll  = "all"
	tagSite = "site"
)

// defaultPageCacheBytes bounds the cache when Deps.PageCacheBytes is 0.
const defaultPageCacheBytes = 256 << 20

// entryOverhead approximates an entry's bookkeeping beyond its body.
const entryOverhead = 512

type pageCtxKey struct{}

// pageDeps collects what a page being rendered depends on.
type pageDeps struct {
	tags    []string
	noStore bool
}

// cacheTags declares that the page being rendered shows the objects named
// by tags. Outside the page cache (admin, API, export of uncached routes) it
// does nothing.
func cacheTags(r *http.Request, tags ...string) {
	if d, ok := r.Context().Value(pageCtxKey{}).(*pageDeps); ok {
		d.tags = append(d.tags, tags...)
	}
}

// cacheNoStore keeps the page being rendered out of the cache (it depends on
// something the key does not capture).
func cacheNoStore(r *http.Request) {
	if d, ok := r.Context().Value(pageCtxKey{}).(*pageDeps); ok {
		d.noStore = true
	}
}

type pageKey struct {
	elder bool
	uri   string
}

type pageEntry struct {
	key     pageKey
	tags    []string
	pattern string // route pattern, for the request metrics on hits
	etag    string
	body    []byte
	header  http.Header // for 200: everything, ready to assign
	header3 http.Header // for 304: without Content-Length and Content-Type
	size    int64

	prev, next *pageEntry // LRU list, most recent first
}

type pageFlight struct{ done chan struct{} }

// pageCache is an LRU cache of rendered pages, bounded in bytes.
type pageCache struct {
	max int64

	mu      sync.Mutex
	entries map[pageKey]*pageEntry
	byTag   map[string]map[*pageEntry]struct{}
	head    *pageEntry
	tail    *pageEntry
	size    int64
	flights map[pageKey]*pageFlight

	// Stale-render guard. clock counts invalidations; a render remembers
	// the clock when it started and is not stored if a flush or one of
	// its tags was invalidated after that. tagInval is only needed while
	// renders are in flight and is emptied whenever none is.
	clock     uint64
	flushedAt uint64
	tagInval  map[string]uint64
	inflight  int

	renders       atomic.Int64 // handler runs through the cache
	served        atomic.Int64 // answers from a stored page
	hits, misses  prometheus.Counter
	invalidations prometheus.Counter
	evictions     prometheus.Counter
	stores        prometheus.Counter
}

func newPageCache(max int64) *pageCache {
	c := &pageCache{max: max, entries: map[pageKey]*pageEntry{}, byTag: map[string]map[*pageEntry]struct{}{},
		flights: map[pageKey]*pageFlight{}, tagInval: map[string]uint64{}}
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: "gongkai_page_cache_" + name, Help: help})
	}
	c.hits = counter("hits_total", "Public page requests answered from the page cache.")
	c.misses = counter("misses_total", "Cacheable public page requests that had to render.")
	c.stores = counter("stores_total", "Rendered pages stored in the page cache.")
	c.invalidations = counter("invalidations_total", "Tags invalidated (each flush counts once).")
	c.evictions = counter("evictions_total", "Pages evicted to stay within the size bound.")
	return c
}

func (c *pageCache) register(reg *prometheus.Registry) {
	reg.MustRegister(c.hits, c.misses, c.stores, c.invalidations, c.evictions,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gongkai_page_cache_bytes",
			Help: "Approximate bytes held by the page cache."}, func() float64 {
			c.mu.Lock()
			defer c.mu.Unlock()
			return float64(c.size)
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "gongkai_page_cache_pages",
			Help: "Pages held by the page cache."}, func() float64 {
			c.mu.Lock()
			defer c.mu.Unlock()
			return float64(len(c.entries))
		}))
}

// initPageCache builds the cache from Deps.PageCacheBytes, registers its
// metrics and returns next wrapped by it (or next itself when disabled).
func (s *Server) initPageCache(next http.Handler) http.Handler {
	max := s.PageCacheBytes
	if max < 0 {
		return next
	}
	if max == 0 {
		max = defaultPageCacheBytes
	}
	s.pcache = newPageCache(max)
	s.pcache.register(s.Registry)
	return s.pcache.wrap(next)
}

// InvalidatePages drops every cached page that declared one of tags;
// "site" drops them all. Renders in flight that depend on them are not
// stored when they finish.
func (s *Server) InvalidatePages(tags ...string) {
	if s.pcache != nil {
		s.pcache.invalidate(tags...)
	}
}

// InvalidateAllPages empties the page cache.
func (s *Server) InvalidateAllPages() {
	if s.pcache != nil {
		s.pcache.invalidate(tagSite)
	}
}

// PageCacheStats is a snapshot of the page cache.
type PageCacheStats struct {
	Pages   int   // stored pages
	Bytes   int64 // their approximate size
	Hits    int64 // requests answered from a stored page
	Renders int64 // cacheable requests that ran their handler
}

// PageCacheStats reports the page cache's size and counters (zero when
// disabled).
func (s *Server) PageCacheStats() PageCacheStats {
	c := s.pcache
	if c == nil {
		return PageCacheStats{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return PageCacheStats{Pages: len(c.entries), Bytes: c.size, Hits: c.served.Load(), Renders: c.renders.Load()}
}

// cacheablePath reports whether a GET of path may be a cached portal page.
// The admin and API are excluded outright, so a shared helper that declares
// tags can never get a back-office page (which shows the user) stored.
func cacheablePath(path string) bool {
	for _, p := range []string{"/admin", "/api/", "/static/", "/metrics", "/healthz", "/elder"} {
		if strings.HasPrefix(path, p) {
			return false
		}
	}
	return true
}

// hasParam reports whether a raw query has parameter name.
func hasParam(rawQuery, name string) bool {
	for rawQuery != "" {
		var kv string
		kv, rawQuery, _ = strings.Cut(rawQuery, "&")
		if k, _, _ := strings.Cut(kv, "="); k == name {
			return true
		}
	}
	return false
}

func requestElder(r *http.Request) bool {
	if len(r.Header["Cookie"]) == 0 {
		return false
	}
	c, err := r.Cookie(elderCookie)
	return err == nil && c.Value == "1"
}

func (c *pageCache) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead || !cacheablePath(r.URL.Path) ||
			hasParam(r.URL.RawQuery, "ok") { // a redirect's flash message
			next.ServeHTTP(w, r)
			return
		}
		uri := r.RequestURI
		if uri == "" {
			uri = r.URL.RequestURI()
		}
		key := pageKey{elder: requestElder(r), uri: uri}
		waited := false
		for {
			e, f, leader := c.lookup(key, !waited)
			if e != nil {
				c.hits.Inc()
				c.served.Add(1)
				r.Pattern = e.pattern
				e.serve(w, r)
				return
			}
			if f != nil && !leader {
				// Another request is rendering this page: wait for it once.
				select {
				case <-f.done:
				case <-r.Context().Done():
					return
				}
				waited = true
				continue
			}
			c.misses.Inc()
			c.fill(w, r, key, next, f)
			return
		}
	})
}

// lookup returns the entry for key, or the flight rendering it; with lead
// set and no flight under way, the caller becomes the leader of a new one.
func (c *pageCache) lookup(key pageKey, lead bool) (e *pageEntry, f *pageFlight, leader bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil {
		c.touch(e)
		return e, nil, false
	}
	if f := c.flights[key]; f != nil {
		if lead {
			return nil, f, false
		}
		return nil, nil, false // waited already: render alongside
	}
	if !lead {
		return nil, nil, false
	}
	f = &pageFlight{done: make(chan struct{})}
	c.flights[key] = f
	return nil, f, true
}

// fill renders the page through next, stores it when it qualifies and
// answers the request.
func (c *pageCache) fill(w http.ResponseWriter, r *http.Request, key pageKey, next http.Handler, f *pageFlight) {
	c.mu.Lock()
	start := c.clock
	c.inflight++
	c.mu.Unlock()

	done := false
	finish := func() {
		if done {
			return
		}
		done = true
		c.mu.Lock()
		c.inflight--
		if c.inflight == 0 {
			clear(c.tagInval)
		}
		if f != nil && c.flights[key] == f {
			delete(c.flights, key)
			close(f.done)
		}
		c.mu.Unlock()
	}
	defer finish() // also when the handler panics

	deps := &pageDeps{}
	rec := &pageRecorder{w: w, deps: deps}
	r2 := r.WithContext(context.WithValue(r.Context(), pageCtxKey{}, deps))
	c.renders.Add(1)
	next.ServeHTTP(rec, r2)
	r.Pattern = r2.Pattern
	if !rec.buffering {
		finish()
		return
	}
	e := newPageEntry(key, r2.Pattern, deps.tags, w.Header(), rec.buf.Bytes())
	c.store(e, start)
	finish() // waiters find the entry; a slow client below holds nobody up
	e.serve(w, r)
}

// pageRecorder decides at WriteHeader whether the response is a storable
// page (then it buffers the body) or passes everything straight through.
type pageRecorder struct {
	w         http.ResponseWriter
	deps      *pageDeps
	decided   bool
	buffering bool
	buf       bytes.Buffer
}

func (p *pageRecorder) Header() http.Header { return p.w.Header() }

func (p *pageRecorder) WriteHeader(code int) {
	if p.decided {
		return
	}
	p.decided = true
	h := p.w.Header()
	if code == http.StatusOK && len(p.deps.tags) > 0 && !p.deps.noStore && len(h["Set-Cookie"]) == 0 {
		p.buffering = true
		return
	}
	p.w.WriteHeader(code)
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	if !p.decided {
		p.WriteHeader(http.StatusOK)
	}
	if p.buffering {
		return p.buf.Write(b)
	}
	return p.w.Write(b)
}

func (p *pageRecorder) Unwrap() http.ResponseWriter { return p.w }

func newPageEntry(key pageKey, pattern string, tags []string, h http.Header, body []byte) *pageEntry {
	sum := sha256.Sum256(body)
	etag := `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
	e := &pageEntry{key: key, pattern: pattern, etag: etag, body: bytes.Clone(body)}
	e.header = make(http.Header, len(h)+3)
	e.header3 = make(http.Header, len(h)+2)
	for k, v := range h {
		e.header[k] = append([]string(nil), v...)
		if k != "Content-Type" && k != "Content-Length" {
			e.header3[k] = e.header[k]
		}
	}
	for k, v := range map[string]string{"Etag": etag, "Cache-Control": "no-cache"} {
		e.header[k] = []string{v}
		e.header3[k] = e.header[k]
	}
	e.header["Content-Length"] = []string{strconv.Itoa(len(body))}
	seen := map[string]bool{}
	for _, t := range tags {
		if !seen[t] {
			seen[t] = true
			e.tags = append(e.tags, t)
		}
	}
	e.size = int64(len(body)+len(key.uri)+len(pattern)+entryOverhead) + int64(len(e.tags))*64
	return e
}

// serve answers r from e: 304 when the client has it, headers only for HEAD.
func (e *pageEntry) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatches(inm, e.etag) {
		for k, v := range e.header3 {
			h[k] = v
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	for k, v := range e.header {
		h[k] = v
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(e.body)
	}
}

// etagMatches is If-None-Match's weak comparison against a strong tag.
func etagMatches(values []string, etag string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if t == "*" || strings.TrimPrefix(t, "W/") == etag {
				return true
			}
		}
	}
	return false
}

// store keeps e unless it is too large or something it depends on was
// invalidated since the render started.
func (c *pageCache) store(e *pageEntry, start uint64) {
	if len(e.tags) == 0 || e.size > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flushedAt > start {
		return
	}
	for _, t := range e.tags {
		if c.tagInval[t] > start {
			return
		}
	}
	if old := c.entries[e.key]; old != nil {
		c.remove(old)
	}
	c.entries[e.key] = e
	for _, t := range e.tags {
		set := c.byTag[t]
		if set == nil {
			set = map[*pageEntry]struct{}{}
			c.byTag[t] = set
		}
		set[e] = struct{}{}
	}
	c.pushFront(e)
	c.size += e.size
	c.stores.Inc()
	for c.size > c.max && c.tail != nil {
		c.remove(c.tail)
		c.evictions.Inc()
	}
}

func (c *pageCache) invalidate(tags ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock++
	for _, t := range tags {
		c.invalidations.Inc()
		if t == tagSite {
			c.flushedAt = c.clock
			clear(c.entries)
			clear(c.byTag)
			c.head, c.tail, c.size = nil, nil, 0
			continue
		}
		if c.inflight > 0 {
			c.tagInval[t] = c.clock
		}
		for e := range c.byTag[t] {
			c.remove(e)
		}
	}
}

// remove unlinks e from the map, its tags and the LRU list.
func (c *pageCache) remove(e *pageEntry) {
	if c.entries[e.key] == e {
		delete(c.entries, e.key)
	}
	for _, t := range e.tags {
		if set := c.byTag[t]; set != nil {
			delete(set, e)
			if len(set) == 0 {
				delete(c.byTag, t)
			}
		}
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else if c.head == e {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else if c.tail == e {
		c.tail = e.prev
	}
	e.prev, e.next = nil, nil
	c.size -= e.size
}

func (c *pageCache) pushFront(e *pageEntry) {
	e.prev, e.next = nil, c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
}

func (c *pageCache) touch(e *pageEntry) {
	if c.head == e {
		return
	}
	e.prev.next = e.next
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	c.pushFront(e)
}

// attachmentNotModified gives a published attachment its validators: the
// content hash is a strong ETag (blobs are stored by hash, so the bytes at
// a URL never change). Cache-Control is no-cache rather than a long max-age
// because availability does change: a record withdrawn for a privacy
// mistake must stop serving its attachments at once, also from caches.
// Revalidation is a 304 without reading the blob. It reports whether it
// answered the request.
func (s *Server) attachmentNotModified(w http.ResponseWriter, r *http.Request, recordID, hash string) bool {
	etag := `"` + hash + `"`
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("Etag", etag)
	inm := r.Header["If-None-Match"]
	if len(inm) == 0 || !etagMatches(inm, etag) {
		return false
	}
	atts, err := s.Info.Attachments(r.Context(), recordID)
	if err != nil {
		return false
	}
	for _, a := range atts {
		if a.Hash == hash {
			w.WriteHeader(http.StatusNotModified)
			return true
		}
	}
	return false
}

package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakePages is a handler whose pages declare tags from the query (?tags=a,b)
// and print how often they were rendered, so a test sees whether a response
// came from the cache.
type fakePages struct {
	n     atomic.Int64
	gate  chan struct{} // when set, renders wait here after declaring tags
	entry chan struct{} // signalled when a gated render has declared its tags
}

func (f *fakePages) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.n.Add(1)
	if tags := r.URL.Query().Get("tags"); tags != "" {
		cacheTags(r, strings.Split(tags, ",")...)
	}
	if f.gate != nil {
		f.entry <- struct{}{}
		<-f.gate
	}
	w.Header().Set("X-Frame-Options", "DENY") // as secureHeaders would
	switch r.URL.Path {
	case "/err":
		http.Error(w, "no", http.StatusNotFound)
		return
	case "/redirect":
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	case "/cookie":
		http.SetCookie(w, &http.Cookie{Name: "x", Value: "1"})
	case "/nostore":
		cacheNoStore(r)
	}
	elder := ""
	if requestElder(r) {
		elder = " elder"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<p>%s render %d%s</p>", r.URL.RequestURI(), n, elder)
}

func newTestCache(max int64) (*pageCache, *fakePages, http.Handler) {
	c := newPageCache(max)
	f := &fakePages{}
	return c, f, c.wrap(f)
}

type testResp struct {
	code   int
	header http.Header
	body   string
}

func do(h http.Handler, method, target string, hdr ...string) testResp {
	r := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return testResp{w.Code, w.Header(), w.Body.String()}
}

func TestPageCacheHitMissConditionalHead(t *testing.T) {
	c, f, h := newTestCache(1 << 20)
	const u = "/page?tags=org:1"
	first := do(h, "GET", u)
	if first.code != 200 || !strings.Contains(first.body, "render 1") {
		t.Fatalf("first: %+v", first)
	}
	etag := first.header.Get("Etag")
	if !strings.HasPrefix(etag, `"`) || first.header.Get("Cache-Control") != "no-cache" ||
		first.header.Get("Content-Length") != fmt.Sprint(len(first.body)) || first.header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("first headers: %v", first.header)
	}
	hit := do(h, "GET", u)
	if hit.body != first.body || hit.header.Get("Etag") != etag || hit.header.Get("X-Frame-Options") != "DENY" ||
		hit.header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("hit: %+v", hit)
	}
	for _, inm := range []string{etag, "W/" + etag, `"other", ` + etag, "*"} {
		if r := do(h, "GET", u, "If-None-Match", inm); r.code != 304 || r.body != "" || r.header.Get("Etag") != etag ||
			r.header.Get("Content-Length") != "" {
			t.Errorf("If-None-Match %s: %+v", inm, r)
		}
	}
	if r := do(h, "GET", u, "If-None-Match", `"stale"`); r.code != 200 || r.body != first.body {
		t.Errorf("stale etag: %+v", r)
	}
	head := do(h, "HEAD", u)
	if head.code != 200 || head.body != "" || head.header.Get("Content-Length") != fmt.Sprint(len(first.body)) {
		t.Errorf("HEAD: %+v", head)
	}
	if f.n.Load() != 1 || c.renders.Load() != 1 {
		t.Fatalf("rendered %d times, want 1", f.n.Load())
	}
	// 长者模式 is its own variant; other cookies are not.
	elder := do(h, "GET", u, "Cookie", "gk_elder=1")
	if !strings.Contains(elder.body, "render 2 elder") || elder.header.Get("Etag") == etag {
		t.Fatalf("elder: %+v", elder)
	}
	if r := do(h, "GET", u, "Cookie", "gk_elder=1; gk_session=abc"); r.body != elder.body {
		t.Errorf("elder hit: %+v", r)
	}
	if r := do(h, "GET", u, "Cookie", "gk_session=abc"); r.body != first.body {
		t.Errorf("other cookie: %+v", r)
	}
	// The query is part of the key.
	if r := do(h, "GET", u+"&page=2"); !strings.Contains(r.body, "render 3") {
		t.Errorf("query variant: %+v", r)
	}
	// A HEAD miss fills the entry GET then uses.
	if r := do(h, "HEAD", "/other?tags=all"); r.code != 200 || r.body != "" {
		t.Errorf("HEAD miss: %+v", r)
	}
	if r := do(h, "GET", "/other?tags=all"); !strings.Contains(r.body, "render 4") {
		t.Errorf("GET after HEAD: %+v", r)
	}
	if f.n.Load() != 4 {
		t.Errorf("renders %d, want 4", f.n.Load())
	}
}

func TestPageCacheInvalidation(t *testing.T) {
	c, f, h := newTestCache(1 << 20)
	s := &Server{pcache: c}
	a, b := "/a?tags=info:1,orgs", "/b?tags=org:2"
	renders := func() int64 { return f.n.Load() }
	do(h, "GET", a)
	do(h, "GET", b)
	do(h, "GET", a, "Cookie", "gk_elder=1")
	if renders() != 3 {
		t.Fatal(renders())
	}
	s.InvalidatePages("org:1", "info:2", "all") // unrelated
	do(h, "GET", a)
	do(h, "GET", b)
	if renders() != 3 {
		t.Fatalf("unrelated tags re-rendered: %d", renders())
	}
	s.InvalidatePages("info:1")
	if r := do(h, "GET", a); !strings.Contains(r.body, "render 4") {
		t.Fatalf("after info:1: %s", r.body)
	}
	if r := do(h, "GET", a, "Cookie", "gk_elder=1"); !strings.Contains(r.body, "render 5") {
		t.Fatalf("elder variant after info:1: %s", r.body)
	}
	do(h, "GET", b)
	if renders() != 5 {
		t.Fatalf("b re-rendered: %d", renders())
	}
	s.InvalidatePages("site")
	do(h, "GET", a)
	do(h, "GET", b)
	if renders() != 7 {
		t.Fatalf("site flush: %d", renders())
	}
	s.InvalidateAllPages()
	do(h, "GET", b)
	if renders() != 8 {
		t.Fatalf("InvalidateAllPages: %d", renders())
	}
	if st := s.PageCacheStats(); st.Pages != 1 || st.Renders != 8 || st.Bytes <= 0 {
		t.Errorf("stats: %+v", st)
	}
	if len(c.byTag["info:1"]) != 0 || len(c.tagInval) != 0 {
		t.Errorf("bookkeeping left behind: %v %v", c.byTag, c.tagInval)
	}
	var nilServer Server // disabled cache: no-ops
	nilServer.InvalidatePages("x")
	nilServer.InvalidateAllPages()
}

func TestPageCacheNeverStores(t *testing.T) {
	_, f, h := newTestCache(1 << 20)
	cases := []struct {
		method, target string
		hdr            []string
	}{
		{"GET", "/err?tags=all", nil},
		{"GET", "/redirect?tags=all", nil},
		{"GET", "/cookie?tags=all", nil},
		{"GET", "/nostore?tags=all", nil},
		{"GET", "/untagged", nil},
		{"GET", "/page?tags=all&ok=saved", nil},
		{"GET", "/admin/page?tags=all", nil},
		{"GET", "/api/v1/x?tags=all", nil},
		{"POST", "/page?tags=all", nil},
	}
	for _, c := range cases {
		before := f.n.Load()
		first := do(h, c.method, c.target, c.hdr...)
		second := do(h, c.method, c.target, c.hdr...)
		if f.n.Load() != before+2 {
			t.Errorf("%s %s was cached", c.method, c.target)
		}
		if first.header.Get("Etag") != "" || second.header.Get("Cache-Control") == "no-cache" {
			t.Errorf("%s %s got cache headers: %v", c.method, c.target, second.header)
		}
	}
	if r := do(h, "GET", "/err?tags=all"); r.code != 404 {
		t.Errorf("error status passed through as %d", r.code)
	}
	if r := do(h, "GET", "/redirect?tags=all"); r.code != 303 || r.header.Get("Location") != "/" {
		t.Errorf("redirect passed through as %+v", r)
	}
	if r := do(h, "GET", "/cookie?tags=all"); r.header.Get("Set-Cookie") == "" {
		t.Error("cookie lost")
	}
}

// An invalidation during a render keeps that render out of the cache; an
// unrelated one does not.
func TestPageCacheStaleRenderGuard(t *testing.T) {
	for _, tc := range []struct {
		name       string
		invalidate []string
		stored     bool
	}{
		{"own tag", []string{"info:1"}, false},
		{"second tag", []string{"org:1"}, false},
		{"flush", []string{"site"}, false},
		{"unrelated", []string{"info:2"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, f, h := newTestCache(1 << 20)
			f.gate, f.entry = make(chan struct{}), make(chan struct{})
			done := make(chan testResp)
			go func() { done <- do(h, "GET", "/x?tags=info:1,org:1") }()
			<-f.entry // the render has declared its tags and read its data
			c.invalidate(tc.invalidate...)
			close(f.gate)
			r := <-done
			if r.code != 200 || !strings.Contains(r.body, "render 1") {
				t.Fatalf("in-flight render not served: %+v", r)
			}
			f.gate = nil
			again := do(h, "GET", "/x?tags=info:1,org:1")
			if stored := strings.Contains(again.body, "render 1"); stored != tc.stored {
				t.Errorf("stored %v, want %v", stored, tc.stored)
			}
			if len(c.tagInval) != 0 || c.inflight != 0 {
				t.Errorf("guard state left: %v %d", c.tagInval, c.inflight)
			}
		})
	}
}

// Concurrent misses of one page render it once.
func TestPageCacheStampede(t *testing.T) {
	_, f, h := newTestCache(1 << 20)
	f.gate, f.entry = make(chan struct{}), make(chan struct{}, 1)
	var wg sync.WaitGroup
	bodies := make([]string, 16)
	wg.Add(1)
	go func() { defer wg.Done(); bodies[0] = do(h, "GET", "/hot?tags=all").body }()
	<-f.entry
	for i := 1; i < len(bodies); i++ {
		wg.Add(1)
		go func() { defer wg.Done(); bodies[i] = do(h, "GET", "/hot?tags=all").body }()
	}
	time.Sleep(50 * time.Millisecond) // let them queue behind the first render
	close(f.gate)
	wg.Wait()
	if f.n.Load() != 1 {
		t.Fatalf("rendered %d times", f.n.Load())
	}
	for _, b := range bodies {
		if b != bodies[0] {
			t.Fatalf("bodies differ: %q vs %q", b, bodies[0])
		}
	}
}

func TestPageCacheBoundedLRU(t *testing.T) {
	c, f, h := newTestCache(8 * (entryOverhead + 200))
	for i := range 8 {
		do(h, "GET", fmt.Sprintf("/p%d?tags=all", i))
	}
	do(h, "GET", "/p0?tags=all") // most recently used now
	for i := 8; i < 12; i++ {
		do(h, "GET", fmt.Sprintf("/p%d?tags=all", i))
	}
	if c.size > c.max {
		t.Fatalf("size %d over %d", c.size, c.max)
	}
	n := f.n.Load()
	do(h, "GET", "/p0?tags=all")
	if f.n.Load() != n {
		t.Error("recently used page was evicted")
	}
	do(h, "GET", "/p1?tags=all")
	if f.n.Load() != n+1 {
		t.Error("least recently used page was kept")
	}
	// A page larger than a quarter of the cache is served, not stored.
	big := newPageEntry(pageKey{uri: "/big"}, "", []string{"all"}, http.Header{}, make([]byte, c.max))
	c.store(big, c.clock)
	if c.entries[big.key] != nil {
		t.Error("oversized page stored")
	}
	// The list and the map agree.
	count := 0
	for e := c.head; e != nil; e = e.next {
		count++
	}
	if count != len(c.entries) {
		t.Errorf("list %d entries, map %d", count, len(c.entries))
	}
}

func TestPageCacheHelpers(t *testing.T) {
	for _, c := range []struct {
		raw  string
		want bool
	}{{"ok=saved", true}, {"a=1&ok=", true}, {"ok", true}, {"book=1", false}, {"a=ok", false}, {"", false}} {
		if got := hasParam(c.raw, "ok"); got != c.want {
			t.Errorf("hasParam(%q) = %v", c.raw, got)
		}
	}
	for _, p := range []string{"/admin", "/admin/info", "/api/v1/orgs", "/static/site.css", "/elder", "/metrics", "/healthz"} {
		if cacheablePath(p) {
			t.Errorf("%s cacheable", p)
		}
	}
	if !cacheablePath("/zfxxgk/x/xxgk") || !cacheablePath("/") {
		t.Error("portal path not cacheable")
	}
}

func TestExportFileLayout(t *testing.T) {
	html := "text/html; charset=utf-8"
	for _, c := range []struct {
		uri    string
		status int
		ct     string
		want   string
	}{
		{"/", 200, html, "index.html"},
		{"/zfxxgk/", 200, html, "zfxxgk/index.html"},
		{"/zfxxgk/C/", 200, html, "zfxxgk/C/index.html"},
		{"/zfxxgk/C/xxgk", 200, html, "zfxxgk/C/xxgk.html"},
		{"/zfxxgk/C/xxgk/ID", 200, html, "zfxxgk/C/xxgk/ID.html"},
		{"/zfxxgk/C/xxgk/ID", 410, html, "_gone/zfxxgk/C/xxgk/ID.html"},
		{"/zfxxgk/C/xxgk/ID/fj/H", 200, "application/pdf", "zfxxgk/C/xxgk/ID/fj/H"},
		{"/zfxxgk/C/xxgk?tc=%E6%94%BF&page=2", 200, html, "_q/zfxxgk/C/xxgk/tc=%E6%94%BF&page=2.html"},
		{"/zfxxgk/C/feed.atom?sx=K", 200, "application/atom+xml", "_q/zfxxgk/C/feed.atom/sx=K.atom"},
		{"/zfxxgk/C/feed.json", 200, "application/feed+json", "zfxxgk/C/feed.json"},
		{"/sitemap.xml", 200, "application/xml", "sitemap.xml"},
		{"/static/site.css", 200, "text/css", "static/site.css"},
		{"/404.html", 404, html, "404.html"},
	} {
		if got := exportFile(c.uri, c.status, c.ct); got != c.want {
			t.Errorf("exportFile(%s) = %s, want %s", c.uri, got, c.want)
		}
	}
	if got := escapesCase("a%E6%9db", false); got != "a%e6%9db" {
		t.Error(got)
	}
	if got := escapesCase("a%e6%9Db", true); got != "a%E6%9Db" {
		t.Error(got)
	}
	if got := nginxQuote(`a "b" $c`); got != `"a \"b\" %24c"` {
		t.Error(got)
	}
}

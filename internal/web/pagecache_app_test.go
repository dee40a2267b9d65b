package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/info"
)

// Portal pages are rendered once, served from the cache with the same
// headers, re-rendered after exactly the invalidations that concern them,
// and kept current by real changes.
func TestPortalPageCache(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	w := env.App.Web
	dh := orgByShort(t, env, "东湖街道")
	recs, _, err := env.App.Info.List(ctx, info.Filter{OrgIDs: []string{dh.ID}, Statuses: []string{info.StatusPublished},
		Attribute: info.Proactive, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var rec info.Record // one whose page shows no org-level content
	for _, r := range recs {
		if r.CatalogKey == "" && r.ReplacedBy == "" {
			rec = r
		}
	}
	if rec.ID == "" {
		t.Fatal("demo has no plain published record")
	}
	detail := "/zfxxgk/" + dh.Code + "/xxgk/" + rec.ID
	list := "/zfxxgk/" + dh.Code + "/xxgk"
	c := env.Client(t)
	renders := func() int64 { return w.PageCacheStats().Renders }

	first := c.Get(detail)
	n := renders()
	again := c.Get(detail)
	if first.StatusCode != 200 || again.Body != first.Body || renders() != n {
		t.Fatalf("second request rendered again (%d → %d) or differs", n, renders())
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
		"Permissions-Policy", "Content-Type"} {
		if again.Header.Get(h) == "" || again.Header.Get(h) != first.Header.Get(h) {
			t.Errorf("cached response header %s = %q, first %q", h, again.Header.Get(h), first.Header.Get(h))
		}
	}
	etag := again.Header.Get("Etag")
	if etag == "" || again.Header.Get("Cache-Control") != "no-cache" || etag != first.Header.Get("Etag") {
		t.Fatalf("validators: %v", again.Header)
	}
	req, _ := http.NewRequest(http.MethodGet, env.URL+detail, nil)
	req.Header.Set("If-None-Match", etag)
	if r := c.Do(req); r.StatusCode != http.StatusNotModified || r.Body != "" {
		t.Errorf("conditional GET: %d", r.StatusCode)
	}
	req, _ = http.NewRequest(http.MethodHead, env.URL+detail, nil)
	if r := c.Do(req); r.StatusCode != 200 || r.Body != "" || r.Header.Get("Etag") != etag {
		t.Errorf("HEAD: %d %v", r.StatusCode, r.Header)
	}
	// Portal pages do not show who is signed in: staff get the same bytes.
	ed := env.Client(t)
	ed.Login("editor", pw)
	if r := ed.Get(detail); r.Body != first.Body {
		t.Error("a signed-in user sees a different portal page")
	}
	if r := ed.Get("/admin/"); r.StatusCode != 200 || r.Header.Get("Etag") != "" || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("admin page: %d %v", r.StatusCode, r.Header)
	}
	// 长者模式 is a separate variant.
	req, _ = http.NewRequest(http.MethodGet, env.URL+detail, nil)
	req.AddCookie(&http.Cookie{Name: "gk_elder", Value: "1"})
	if r := c.Do(req); !strings.Contains(r.Body, `class="elder"`) || r.Header.Get("Etag") == etag {
		t.Error("elder variant served from the normal page")
	}

	listBody := c.Get(list).Body
	n = renders()
	w.InvalidatePages("info:unrelated", "org:unrelated", "all") // the detail page shows no cross-org list
	c.Get(detail)
	c.Get(list)
	if renders() != n {
		t.Errorf("unrelated invalidation re-rendered %d pages", renders()-n)
	}
	w.InvalidatePages("org:" + dh.ID)
	c.Get(detail)
	if renders() != n {
		t.Error("org invalidation re-rendered a detail page that shows no org content")
	}
	if c.Get(list).Body != listBody || renders() != n+1 {
		t.Error("org invalidation did not re-render the org's list")
	}
	w.InvalidatePages("info:" + rec.ID)
	c.Get(detail)
	if renders() != n+2 {
		t.Error("record invalidation did not re-render its page")
	}

	// The policy library's browsing pages are cached; typed queries are not.
	c.Get("/zcwjk")
	n = renders()
	if c.Get("/zcwjk"); renders() != n {
		t.Error("policy library landing page not cached")
	}
	c.Get("/search?q=" + url.QueryEscape("低保"))
	if c.Get("/search?q=" + url.QueryEscape("低保")); renders() != n+2 {
		t.Errorf("typed search query: %d renders, want 2", renders()-n)
	}

	// A real change goes through the change log: withdrawing the record
	// turns its cached page into the notice and drops it from the list.
	_, admin, err := env.App.Orgs.Login(ctx, "admin", pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Info.Withdraw(ctx, admin, "127.0.0.1", rec.ID, "测试撤回"); err != nil {
		t.Fatal(err)
	}
	if r := c.Get(detail); r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "测试撤回") {
		t.Errorf("withdrawn record still served from the cache: %d", r.StatusCode)
	}
	if r := c.Get(list); strings.Contains(r.Body, rec.ID) {
		t.Error("withdrawn record still in the cached list")
	}
	n = renders()
	if c.Get("/zcwjk"); renders() != n+1 {
		t.Error("a publication change did not re-render the policy library")
	}

	// Flash pages and errors are never stored; the metrics count hits.
	if r := c.Get(list + "?ok=saved"); r.StatusCode != 200 || r.Header.Get("Etag") != "" {
		t.Error("flash page went through the cache")
	}
	n = renders()
	c.Get("/zfxxgk/no-such-org/")
	if r := c.Get("/zfxxgk/no-such-org/"); r.StatusCode != 404 || renders() != n+2 {
		t.Errorf("error page cached: %d renders", renders()-n)
	}
	if m := c.Get("/metrics").Body; !strings.Contains(m, "gongkai_page_cache_hits_total") ||
		!strings.Contains(m, "gongkai_page_cache_invalidations_total") {
		t.Error("page cache metrics missing")
	}
}

package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/info"
)

type apiResult struct {
	Total int
	Hits  []struct {
		Kind, Title, URL, Validity string
		Interpretations            []struct{ Title, URL string }
		Policy                     *struct{ Title, URL string }
	}
	Facets map[string][]struct {
		Value, Label string
		Count        int
	}
	Notice string
	Error  *struct {
		Code   string
		Fields []struct{ Field, Message string }
	}
}

func apiSearch(t *testing.T, c *apptest.Client, query string) (int, apiResult) {
	t.Helper()
	r := c.Get("/api/v1/search?" + query)
	var out apiResult
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
		t.Fatalf("%s: not JSON: %v\n%s", query, err, r.Body)
	}
	return r.StatusCode, out
}

// The policy library on the demo data: every published policy is listed,
// with facet counts that add up, interpretations linked both ways, and
// abolished documents marked and ranked last.
func TestPolicyLibraryPortal(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	c := env.Client(t)
	_, want, err := env.App.Info.List(ctx, info.Filter{Statuses: []string{info.StatusPublished}, Genres: info.PolicyGenres,
		Attribute: info.Proactive})
	if err != nil || want < 10 {
		t.Fatalf("demo policies: %d %v", want, err)
	}
	status, all := apiSearch(t, c, "kind=policy")
	if status != 200 || all.Total != want {
		t.Fatalf("kind=policy: %d total %d, want %d", status, all.Total, want)
	}
	for _, facet := range []string{"org", "year", "validity", "genre", "doc_kind", "topic"} {
		sum := 0
		for _, f := range all.Facets[facet] {
			sum += f.Count
		}
		// Every policy has one value of these (topic and doc_kind are set on all demo policies).
		if sum != want {
			t.Errorf("facet %s sums to %d, want %d: %+v", facet, sum, want, all.Facets[facet])
		}
	}
	// Abolished after current, in both sorts.
	for _, sort := range []string{"relevance", "date"} {
		_, res := apiSearch(t, c, "kind=policy&sort="+sort+"&q="+url.QueryEscape("最低生活保障"))
		if res.Total < 2 || res.Hits[len(res.Hits)-1].Validity != "abolished" || res.Hits[0].Validity != "current" {
			t.Errorf("%s: %+v", sort, res.Hits)
		}
	}
	// 文号 with other brackets finds the 2019 measure written as [2019].
	if _, res := apiSearch(t, c, "q="+url.QueryEscape("示政办发〔2019〕8号")); res.Total != 1 {
		t.Errorf("文号 variant: %d", res.Total)
	}
	// Traditional query.
	if _, res := apiSearch(t, c, "q="+url.QueryEscape("營商環境")); res.Total == 0 {
		t.Errorf("traditional 營商環境 found nothing")
	}
	// 双向关联 on the pages.
	_, bz := apiSearch(t, c, "kind=policy&q="+url.QueryEscape("标题:营商环境"))
	if bz.Total != 1 || len(bz.Hits[0].Interpretations) != 2 {
		t.Fatalf("营商环境 policy: %+v", bz)
	}
	page := c.Get(strings.TrimPrefix(bz.Hits[0].URL, env.URL))
	if page.StatusCode != 200 || !strings.Contains(page.Body, "相关解读") || !strings.Contains(page.Body, "一图读懂") {
		t.Errorf("policy page lacks its interpretations")
	}
	ip := c.Get(strings.TrimPrefix(bz.Hits[0].Interpretations[0].URL, env.URL))
	if !strings.Contains(ip.Body, "解读的文件（原文）") || !strings.Contains(ip.Body, "解读机关") {
		t.Errorf("interpretation page lacks the link back or the 解读机关")
	}
	// The library page: filters with counts, GET-only, no script.
	lib := c.Get("/zcwjk?year=2023")
	if lib.StatusCode != 200 || !strings.Contains(lib.Body, "发文机关") || !strings.Contains(lib.Body, "有效性") ||
		!strings.Contains(lib.Body, "城乡居民最低生活保障实施办法") || strings.Contains(lib.Body, "营商环境若干措施") {
		t.Errorf("library filtered by 2023: %d\n%s", lib.StatusCode, apptest.Text(lib.Body))
	}
	doc := apptest.Parse(t, lib.Body)
	if n := len(apptest.All(apptest.Parse(t, c.Get("/zcwjk").Body), ".facet a")); n < 15 {
		t.Errorf("only %d facet links on the library page", n)
	}
	if sel := apptest.All(doc, `.facet a[aria-current="true"]`); len(sel) != 1 {
		t.Errorf("selected year not marked: %d", len(sel))
	}
}

func TestSearchBadInput(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	for _, q := range []string{strings.Repeat("政策", 1000), `"营商`, "，。！？…", "\x01\x02", "' OR 1=1 --", "NEAR(营商 环境)",
		"标题:*", `<script>alert(1)</script>`} {
		r := c.Get("/search?q=" + url.QueryEscape(q))
		if r.StatusCode != 200 || strings.Contains(r.Body, "<script>alert") {
			t.Errorf("%q: %d", q, r.StatusCode)
		}
		if status, _ := apiSearch(t, c, "q="+url.QueryEscape(q)); status != 200 {
			t.Errorf("API %q: %d", q, status)
		}
	}
	if _, res := apiSearch(t, c, "q="+url.QueryEscape(strings.Repeat("政策", 1000))); res.Notice == "" {
		t.Errorf("2,000-character query has no notice")
	}
	// Malformed filters: the API names the field; the page drops them and says so.
	for param, field := range map[string]string{"year=20x6": "year", "sort=hot": "sort", "kind=blog": "kind", "page=0": "page",
		"size=abc": "size", "in=all": "in"} {
		status, res := apiSearch(t, c, param)
		if status != http.StatusBadRequest || res.Error == nil || res.Error.Code != "invalid_input" || len(res.Error.Fields) == 0 ||
			res.Error.Fields[0].Field != field {
			t.Errorf("%s: %d %+v", param, status, res.Error)
		}
		if r := c.Get("/search?" + param); r.StatusCode != 200 || !strings.Contains(r.Body, "已忽略无效的筛选条件") {
			t.Errorf("page %s: %d", param, r.StatusCode)
		}
	}
	// Unknown but well-formed values match nothing.
	if status, res := apiSearch(t, c, "org=000000000"); status != 200 || res.Total != 0 {
		t.Errorf("unknown org: %d %d", status, res.Total)
	}
	spec := c.Get("/api/v1/openapi.json")
	var doc struct {
		OpenAPI string
		Paths   map[string]any
	}
	if err := json.Unmarshal([]byte(spec.Body), &doc); err != nil || doc.Paths["/api/v1/search"] == nil {
		t.Errorf("openapi: %v", err)
	}
}

// 三同步 in the back office: a 行政规范性文件 without an interpretation plan
// cannot go to review; the message names the rule.
func TestSimultaneousInterpretationInAdmin(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	dh := orgByShort(t, env, "东湖街道")
	ed := env.Client(t)
	ed.Login("editor", pw)
	r := ed.Post("/admin/info", url.Values{"org_id": {dh.ID}, "title": {"东湖街道居民公约管理办法"}, "genre": {"行政规范性文件"},
		"formed_on": {"2026-11-16"}, "attribute": {"proactive"}, "body": {"第一条"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	show := r.Location()
	r = ed.Post(strings.TrimSuffix(show, "?ok=created")+"/submit", url.Values{})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "三同步") {
		t.Fatalf("submit without plan: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
}

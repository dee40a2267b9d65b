package web_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/info"
)

// The whole path: an editor drafts with an attachment, the reviewer and the
// leader approve with the 保密审查 confirmation, and the portal shows it.
func TestInfoEditorToPortal(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	dh := orgByShort(t, env, "东湖街道")
	ed, rev, lead, other := env.Client(t), env.Client(t), env.Client(t), env.Client(t)
	ed.Login("editor", pw)
	rev.Login("reviewer", pw)
	lead.Login("leader", pw)
	other.Login("jyj.editor", pw)

	r := ed.Post("/admin/info", url.Values{"org_id": {dh.ID}, "title": {""}, "genre": {"通知公告"}, "formed_on": {"2026-13-01"},
		"attribute": {"proactive"}, "body": {"保留的正文"}})
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusBadRequest || apptest.First(doc, "#e-title") == nil || apptest.First(doc, "#e-formed_on") == nil ||
		apptest.TextOf(apptest.First(doc, "textarea#f-body")) != "保留的正文" {
		t.Fatalf("bad draft: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Post("/admin/info", url.Values{"org_id": {dh.ID}, "title": {"关于端到端测试的通知"}, "genre": {"通知公告"},
		"formed_on": {"2026-11-18"}, "attribute": {"proactive"}, "doc_no": {"东街〔2026〕99号"},
		"body": {"第一段\n第二段<script>alert(1)</script>"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	path := strings.Split(r.Location(), "?")[0]
	id := strings.TrimPrefix(path, "/admin/info/")

	// Another street's editor cannot see it; the record is absent for them.
	if r := other.Get(path); r.StatusCode != 404 {
		t.Fatalf("other org sees the draft: %d", r.StatusCode)
	}
	if r := upload(t, ed, path+"/attachments", "说明.txt", []byte("联系人电话 13912345678"), false); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("attach: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := upload(t, ed, path+"/attachments", "伪装.pdf", []byte("plain text"), false); r.StatusCode != http.StatusBadRequest ||
		!strings.Contains(r.Body, "与扩展名 .pdf 不符") {
		t.Fatalf("disguised attachment: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Get(path)
	if !strings.Contains(r.Body, "手机号码") || !strings.Contains(r.Body, "139****5678") || strings.Contains(r.Body, "13912345678") {
		t.Fatalf("screening not shown masked: %s", apptest.Text(r.Body))
	}
	if r := ed.Post(path+"/submit", url.Values{"comment": {"请审核"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	// The leader's turn has not come; the reviewer must confirm 保密审查.
	if r := lead.Post(path+"/approve", url.Values{"secrecy_confirmed": {"1"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("leader before reviewer: %d", r.StatusCode)
	}
	r = rev.Post(path+"/approve", url.Values{"comment": {"同意"}})
	if r.StatusCode != http.StatusBadRequest || apptest.First(apptest.Parse(t, r.Body), "#e-secrecy_confirmed") == nil {
		t.Fatalf("approve without confirmation: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	queue := rev.Get("/admin/info?tab=queue").Body
	if !strings.Contains(queue, "关于端到端测试的通知") {
		t.Fatal("record not in the reviewer's queue")
	}
	if r := rev.Post(path+"/approve", url.Values{"secrecy_confirmed": {"1"}, "comment": {"同意"}}); r.Location() != path+"?ok=approved" {
		t.Fatalf("reviewer approve: %d %s", r.StatusCode, r.Location())
	}
	// Every party's view of the record renders at this stage.
	for who, c := range map[string]*apptest.Client{"editor": ed, "reviewer": rev, "leader": lead} {
		if r := c.Get(path + "?ok=approved"); r.StatusCode != 200 || !strings.Contains(r.Body, "审核记录") {
			t.Fatalf("%s's view after step 1: %d %s", who, r.StatusCode, apptest.Text(r.Body))
		}
	}
	// Not public until the last step.
	anon := env.Client(t)
	if r := anon.Get("/zfxxgk/" + dh.Code + "/xxgk/" + id); r.StatusCode != 404 {
		t.Fatalf("public before final approval: %d", r.StatusCode)
	}
	if r := lead.Post(path+"/approve", url.Values{"secrecy_confirmed": {"1"}}); r.Location() != path+"?ok=published" {
		t.Fatalf("leader approve: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := ed.Get(path + "?ok=published"); r.StatusCode != 200 || !strings.Contains(r.Body, "在时限内") {
		t.Fatalf("editor's view after publication: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	rec, _ := env.App.Info.Get(ctx, id)
	if rec.Status != info.StatusPublished || !strings.HasPrefix(rec.IndexNo, dh.Code+"/") {
		t.Fatalf("published: %+v", rec)
	}

	r = anon.Get("/zfxxgk/" + dh.Code + "/xxgk/" + id)
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != 200 || apptest.TextOf(apptest.First(doc, "main h1")) != "关于端到端测试的通知" {
		t.Fatalf("portal detail: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	meta := apptest.TextOf(apptest.First(doc, "table.info-meta"))
	for _, want := range []string{"索引号", rec.IndexNo, "主题分类", "发布机构", "成文日期", "东街〔2026〕99号", "发布日期", "有效性", "现行有效"} {
		if !strings.Contains(meta, want) {
			t.Errorf("metadata table lacks %q: %s", want, meta)
		}
	}
	if strings.Contains(r.Body, "<script>alert") || !strings.Contains(r.Body, "<p>第一段</p>") {
		t.Error("body not sanitized")
	}
	if a := apptest.First(doc, "ol.attachments a"); a == nil {
		t.Error("attachment not listed")
	} else if r := anon.Get(apptest.Attr(a, "href")); r.StatusCode != 200 || r.Body != "联系人电话 13912345678" {
		t.Errorf("attachment download: %d", r.StatusCode)
	}
	if r := anon.Get("/zfxxgk/" + dh.Code + "/xxgk?tc=" + url.QueryEscape("通知公告")); !strings.Contains(r.Body, "关于端到端测试的通知") {
		t.Error("not in its 体裁 column")
	}
	if r := anon.Get("/zfxxgk/" + dh.Code + "/fdzdgknr"); !strings.Contains(r.Body, "关于端到端测试的通知") {
		t.Error("not on the statutory-content page")
	}

	// Feeds and sitemap.
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	r = anon.Get("/zfxxgk/" + dh.Code + "/feed.atom")
	if err := xml.Unmarshal([]byte(r.Body), &feed); err != nil || len(feed.Entries) == 0 || feed.Entries[0].Title != "关于端到端测试的通知" {
		t.Fatalf("atom: %v %.300s", err, r.Body)
	}
	var jf struct {
		Version string `json:"version"`
		Items   []struct {
			Title string `json:"title"`
		} `json:"items"`
	}
	r = anon.Get("/zfxxgk/" + dh.Code + "/feed.json")
	if err := json.Unmarshal([]byte(r.Body), &jf); err != nil || !strings.Contains(jf.Version, "jsonfeed.org/version/1.1") || len(jf.Items) == 0 {
		t.Fatalf("json feed: %v %.300s", err, r.Body)
	}
	r = anon.Get("/sitemap.xml")
	if !strings.Contains(r.Body, "/zfxxgk/"+dh.Code+"/xxgk/"+id) || !strings.Contains(r.Body, "/bzml/sx/") {
		t.Fatal("sitemap lacks the record or catalog items")
	}

	// Withdrawal leaves a notice, not a dead link.
	ed.Post(path+"/withdraw", url.Values{"withdrawn_reason": {"测试撤回"}})
	r = anon.Get("/zfxxgk/" + dh.Code + "/xxgk/" + id)
	if r.StatusCode != http.StatusGone || !strings.Contains(r.Body, "已撤回") || !strings.Contains(r.Body, "测试撤回") {
		t.Fatalf("withdrawn: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
}

func TestInfoDemoStates(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	dh := orgByShort(t, env, "东湖街道")
	counts := map[string]int{}
	recs, _, _ := env.App.Info.List(ctx, info.Filter{OrgIDs: []string{dh.ID}, Limit: 100})
	late, abolished := 0, 0
	for _, r := range recs {
		counts[r.Status]++
		if r.Late {
			late++
		}
		if r.Validity == info.ValidAbolished && r.ReplacedBy != "" {
			abolished++
		}
	}
	if counts[info.StatusDraft] < 2 || counts[info.StatusReview] < 2 || counts[info.StatusPublished] < 4 || counts[info.StatusWithdrawn] != 1 ||
		late == 0 || abolished != 1 {
		t.Fatalf("demo states: %v late %d abolished %d", counts, late, abolished)
	}
	c := env.Client(t)
	c.Login("gkb", pw)
	if body := c.Get("/admin/info?tab=sweep").Body; !strings.Contains(body, "已过有效期") {
		t.Errorf("sweep lacks the expired trial measure: %s", apptest.Text(body))
	}
	// The statutory-content page counts records per catalog item.
	page := apptest.Parse(t, env.Client(t).Get("/zfxxgk/"+dh.Code+"/fdzdgknr").Body)
	counted := false
	for _, li := range apptest.All(page, "ul.item-list li") {
		if txt := apptest.TextOf(li); strings.HasPrefix(txt, "部门预算 / 部门预算及说明") {
			counted = strings.Contains(txt, "1 条，最近 ")
		}
	}
	if !counted {
		t.Error("statutory page lacks the per-item count for 部门预算")
	}
	// The catalog item page lists the record published under it.
	cur, _ := env.App.Catalog.Current(ctx, dh.ID)
	items := mustItems(t, env, cur.ID)
	for _, it := range items {
		if it.Level1 == "部门预算" {
			body := env.Client(t).Get("/zfxxgk/" + dh.Code + "/bzml/sx/" + it.Key).Body
			if !strings.Contains(body, "东湖街道2026年部门预算公开") || !strings.Contains(body, "最近一次公开") {
				t.Errorf("catalog item does not link its record")
			}
		}
	}
}

// The review screen works in a real browser: the reviewer signs in with the
// keyboard, opens the queue, confirms 保密审查 and approves.
func TestBrowserReviewScreen(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := browser(t)
	// Each step gets little time, so a failure shows the page, not a timeout.
	ctx, cancel := context.WithTimeout(ctx, 40*time.Second)
	defer cancel()
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
			t.Fatalf("browser: %v\npage: %.1500s", err, text)
		}
	}
	do(chromedp.Navigate(env.URL+"/admin/login"), chromedp.WaitVisible(chromedp.CSS("#f-username")),
		chromedp.Focus(chromedp.CSS("#f-username")), chromedp.KeyEvent("reviewer"), chromedp.KeyEvent(kb.Tab),
		chromedp.KeyEvent("Demo@2026"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS("nav.side-nav")),
		chromedp.Navigate(env.URL+"/admin/info?tab=queue"), chromedp.WaitVisible(chromedp.CSS("table.list")))
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("table.list tbody a")))
	if err != nil || !strings.Contains(title, "便民服务中心") {
		t.Fatalf("queue: %q %v", title, err)
	}
	do(chromedp.Click(chromedp.CSS("table.list tbody a")), chromedp.WaitVisible(chromedp.CSS(`h2#h-rev`)))
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("section[aria-labelledby=h-rev]").innerText`))
	if !strings.Contains(text, "已进行保密审查") {
		t.Fatalf("review form lacks the 保密审查 confirmation: %s", text)
	}
	// chromedp's Click waits forever on this page in headless chromium 156
	// (queries and script work), so the clicks are dispatched as DOM clicks:
	// the real form still submits and the server still redirects.
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const c = document.querySelector('input[name="secrecy_confirmed"]'); c.click(); return c.checked })()`))
	if err != nil || !checked {
		t.Fatalf("the 保密审查 checkbox did not tick: %v", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { document.querySelector('form[action$="/approve"] button').click(); return true })()`)); err != nil {
		t.Fatal(err)
	}
	do(chromedp.WaitVisible(chromedp.CSS("div.notice.ok")))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("div.notice.ok")))
	if err != nil || !strings.Contains(msg, "审核通过") {
		t.Fatalf("after approve: %q %v", msg, err)
	}
}

func TestInfoSettingsFlowAndMasking(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	dh := orgByShort(t, env, "东湖街道")
	admin := env.Client(t)
	admin.Login("admin", pw)
	r := admin.Post("/admin/settings", url.Values{"site.name": {"示范区人民政府"}, "site.index_template": {"{code}/{YYYY}"}})
	if r.StatusCode != http.StatusBadRequest || apptest.First(apptest.Parse(t, r.Body), "p[id=e-site.index_template]") == nil {
		t.Fatalf("template without serial: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := admin.Post("/admin/orgs/"+dh.ID+"/review-flow", url.Values{"step1": {"leader"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("set flow: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if flow, _ := env.App.Info.Flow(ctx, dh.ID); len(flow) != 1 || flow[0] != "leader" {
		t.Fatalf("flow: %v", flow)
	}
	ed := env.Client(t)
	ed.Login("editor", pw)
	if r := ed.Post("/admin/orgs/"+dh.ID+"/review-flow", url.Values{"step1": {"reviewer"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("editor sets flow: %d", r.StatusCode)
	}
	// The demo draft with an ID number and a phone: one click masks both.
	recs, _, _ := env.App.Info.List(ctx, info.Filter{OrgIDs: []string{dh.ID}, Statuses: []string{info.StatusDraft}})
	for _, rec := range recs {
		if strings.Contains(rec.Title, "最低生活保障对象公示") {
			if r := ed.Post("/admin/info/"+rec.ID+"/mask", nil); r.Location() != "/admin/info/"+rec.ID+"?ok=masked" {
				t.Fatalf("mask: %d %s", r.StatusCode, apptest.Text(r.Body))
			}
			after, _ := env.App.Info.Get(ctx, rec.ID)
			if strings.Contains(after.Body, "13812345678") || !strings.Contains(after.Body, "138****5678") {
				t.Fatalf("not masked: %s", after.Body)
			}
			return
		}
	}
	t.Fatal("demo draft with personal data not found")
}

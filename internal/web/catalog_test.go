package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/catalog"
)

// upload posts a file to the import form like a browser.
func upload(t *testing.T, c *apptest.Client, path, filename string, content []byte, dryRun bool) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", filename)
	fw.Write(content)
	if dryRun {
		mw.WriteField("dry_run", "1")
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.Base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.Base)
	return c.Do(req)
}

func TestCatalogPermissions(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	dh, xc, qs := orgByShort(t, env, "东湖街道"), orgByShort(t, env, "西城街道"), orgByShort(t, env, "青石镇")
	users := []string{"admin", "gkb", "editor", "reviewer", "leader", "handler"}
	clients := map[string]*apptest.Client{}
	for _, u := range users {
		clients[u] = env.Client(t)
		clients[u].Login(u, pw)
	}
	draft, err := env.App.Catalog.DraftOf(ctx, dh.ID)
	if err != nil {
		t.Fatal(err)
	}
	items, _ := env.App.Catalog.Items(ctx, draft.ID)
	item := items[0]
	A, R, F, N := 200, 303, 403, 404
	form := url.Values{"domain_id": {item.DomainID}, "level1": {item.Level1}, "level2": {item.Level2}, "content": {item.Content},
		"basis": {item.Basis}, "time_limit": {item.TimeLimit.Text}, "subject": {item.Subject}, "channel": item.Channels,
		"audience": item.Audience, "method": item.Method, "level": item.Levels}
	rows := []struct {
		method, path string
		form         url.Values
		want         [6]int // admin gkb editor reviewer leader handler
	}{
		{"GET", "/admin/catalog", nil, [6]int{A, A, A, A, A, A}},
		{"GET", "/admin/catalog/" + dh.ID, nil, [6]int{A, A, A, A, A, N}},
		{"GET", "/admin/catalog/" + qs.ID, nil, [6]int{A, A, N, N, N, N}},
		{"GET", "/admin/catalog/" + dh.ID + "/v/2", nil, [6]int{A, A, A, A, A, N}},
		{"GET", "/admin/catalog/" + dh.ID + "/items/" + item.ID + "/edit", nil, [6]int{A, F, A, F, F, N}},
		{"POST", "/admin/catalog/" + dh.ID + "/items/" + item.ID, form, [6]int{R, F, R, F, F, N}},
		{"POST", "/admin/catalog/" + xc.ID + "/draft", url.Values{"year": {"2027"}}, [6]int{R, F, N, N, N, N}},
		{"GET", "/admin/catalog-domains", nil, [6]int{A, F, N, N, N, N}},
		{"GET", "/admin/catalog/" + dh.ID + "/diff?from=1&to=2", nil, [6]int{A, A, A, A, A, N}},
	}
	for _, rw := range rows {
		for i, u := range users {
			var r *apptest.Response
			if rw.method == "GET" {
				r = clients[u].Get(rw.path)
			} else {
				r = clients[u].Post(rw.path, rw.form)
			}
			if r.StatusCode != rw.want[i] {
				t.Errorf("%s %s %s = %d, want %d (%s)", u, rw.method, rw.path, r.StatusCode, rw.want[i], apptest.Text(r.Body))
			}
		}
	}
	// The editor cannot publish; the reviewer can, once the draft is complete.
	if r := clients["editor"].Post("/admin/catalog/"+dh.ID+"/publish", nil); r.StatusCode != F {
		t.Errorf("editor publish: %d", r.StatusCode)
	}
	r := clients["reviewer"].Post("/admin/catalog/"+dh.ID+"/publish", nil)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "补全后才能发布") || !strings.Contains(r.Body, "每季度更新") {
		t.Fatalf("publish incomplete draft: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	for _, it := range mustItems(t, env, draft.ID) {
		if !it.TimeLimit.Parsed() {
			f := url.Values{"domain_id": {it.DomainID}, "level1": {it.Level1}, "level2": {it.Level2}, "content": {it.Content},
				"basis": {it.Basis}, "time_limit": {"信息形成之日起10个工作日内"}, "subject": {it.Subject}, "channel": it.Channels,
				"audience": it.Audience, "method": it.Method, "level": it.Levels}
			if r := clients["editor"].Post("/admin/catalog/"+dh.ID+"/items/"+it.ID, f); r.StatusCode != R {
				t.Fatalf("fix time limit: %d %s", r.StatusCode, apptest.Text(r.Body))
			}
		}
	}
	if r := clients["reviewer"].Post("/admin/catalog/"+dh.ID+"/publish", nil); r.StatusCode != R {
		t.Fatalf("publish: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	cur, _ := env.App.Catalog.Current(ctx, dh.ID)
	if cur.Number != 2 {
		t.Fatalf("current after publish: %+v", cur)
	}
	// Now published, the item can no longer be edited by anyone.
	if r := clients["admin"].Post("/admin/catalog/"+dh.ID+"/items/"+item.ID, form); r.StatusCode != N {
		t.Errorf("edit after publish: %d", r.StatusCode)
	}
}

func mustItems(t *testing.T, env *apptest.Env, versionID string) []catalog.Item {
	t.Helper()
	items, err := env.App.Catalog.Items(context.Background(), versionID)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func TestCatalogItemFormValidation(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	dh := orgByShort(t, env, "东湖街道")
	c := env.Client(t)
	c.Login("editor", pw)
	r := c.Post("/admin/catalog/"+dh.ID+"/items", url.Values{"domain_id": {""}, "level1": {""}, "content": {"内容保留"},
		"channel": {"政府网站"}, "time_limit": {"尽快"}})
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusBadRequest || apptest.First(doc, "#e-domain_id") == nil || apptest.First(doc, "#e-level1") == nil {
		t.Fatalf("bad item: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if got := apptest.TextOf(apptest.First(doc, "textarea#f-content")); got != "内容保留" {
		t.Errorf("content lost: %q", got)
	}
	if apptest.First(doc, `input[name=channel][value=政府网站][checked]`) == nil {
		t.Error("channel tick lost")
	}
	if !strings.Contains(r.Body, "未能识别：尽快") {
		t.Error("time-limit preview missing")
	}
}

func TestCatalogPortalAndAPI(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	c := env.Client(t)
	dh, hb := orgByShort(t, env, "东湖街道"), orgByShort(t, env, "湖滨社区")
	cur, _ := env.App.Catalog.Current(ctx, dh.ID)
	items := mustItems(t, env, cur.ID)

	r := c.Get("/zfxxgk/" + dh.Code + "/bzml")
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != 200 || apptest.First(doc, `a[href=/zfxxgk/`+dh.Code+`/bzml/sx/`+items[0].Key+`]`) == nil {
		t.Fatalf("catalog page: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if strings.Contains(r.Body, "老年助餐服务") {
		t.Error("draft item shown on the portal")
	}
	r = c.Get("/zfxxgk/" + dh.Code + "/bzml/ly/" + items[0].DomainID)
	if r.StatusCode != 200 || !strings.Contains(r.Body, items[0].Content) || !strings.Contains(r.Body, "公开渠道和载体") {
		t.Errorf("domain page: %d", r.StatusCode)
	}
	r = c.Get("/zfxxgk/" + dh.Code + "/bzml/sx/" + items[0].Key)
	doc = apptest.Parse(t, r.Body)
	for _, label := range []string{"公开内容（要素）", "公开依据", "公开时限", "公开主体", "公开渠道和载体", "公开对象", "公开方式", "公开层级"} {
		found := false
		for _, dt := range apptest.All(doc, "dl.item-fields dt") {
			if apptest.TextOf(dt) == label {
				found = true
			}
		}
		if !found {
			t.Errorf("item page lacks %s", label)
		}
	}
	if r := c.Get("/zfxxgk/" + dh.Code + "/bzml/v/2"); r.StatusCode != 404 {
		t.Errorf("draft version on the portal: %d", r.StatusCode)
	}
	if r := c.Get("/zfxxgk/" + dh.Code + "/bzml/sx/nokey"); r.StatusCode != 404 {
		t.Errorf("unknown item: %d", r.StatusCode)
	}
	if r := c.Get("/zfxxgk/" + orgByShort(t, env, "西城街道").Code + "/bzml"); r.StatusCode != 200 || !strings.Contains(r.Body, "尚未发布标准目录") {
		t.Errorf("org without catalog: %d", r.StatusCode)
	}

	// API.
	var list struct {
		Items []struct {
			Org struct{ Code string } `json:"org"`
		} `json:"items"`
		Total int `json:"total"`
	}
	r = c.Get("/api/v1/catalogs")
	if err := json.Unmarshal([]byte(r.Body), &list); err != nil || list.Total != 5 {
		t.Fatalf("api catalogs: %v %s", err, r.Body)
	}
	var v catalog.JSONVersion
	r = c.Get("/api/v1/catalogs/" + hb.Code)
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil || v.Org.Code != hb.Code || len(v.Items) == 0 || v.Items[0].URL == "" ||
		v.Items[0].TimeLimitDescription == "" || v.Status != "published" {
		t.Fatalf("api catalog: %v %.300s", err, r.Body)
	}
	if r := c.Get("/api/v1/catalogs/" + dh.Code + "/versions/2"); r.StatusCode != 404 {
		t.Errorf("api draft version: %d", r.StatusCode)
	}
	if r := c.Get("/api/v1/catalogs/" + dh.Code + "/versions"); !strings.Contains(r.Body, `"number":1`) || strings.Contains(r.Body, `"number":2`) {
		t.Errorf("api versions: %s", r.Body)
	}
	if r := c.Get("/api/v1/catalogs/" + dh.Code + "/items/" + items[0].Key); r.StatusCode != 200 || !strings.Contains(r.Body, items[0].Key) {
		t.Errorf("api item: %d", r.StatusCode)
	}
	if r := c.Get("/api/v1/"); !strings.Contains(r.Body, `"/api/v1/catalogs/{code}/items/{key}"`) {
		t.Errorf("api index does not describe the catalog endpoints: %s", r.Body)
	}
	if r := c.Get("/api/v1/catalog-domains"); !strings.Contains(r.Body, `"total":26`) {
		t.Errorf("api domains: %.200s", r.Body)
	}

	// The back office shows the community's inconsistency with its street.
	admin := env.Client(t)
	admin.Login("gkb", pw)
	r = admin.Get("/admin/catalog/" + hb.ID)
	if !strings.Contains(r.Body, "与上级目录中同一事项的公开内容不一致") || !strings.Contains(r.Body, "申请条件、救助标准、办理流程") {
		t.Errorf("consistency finding not shown: %s", apptest.Text(r.Body))
	}
	r = admin.Get("/admin/catalog/" + dh.ID + "/diff?from=1&to=2")
	for _, want := range []string{"新增事项（1）", "老年助餐服务", "删除事项（1）", "耕地地力保护补贴", "修改事项（2）", "线上申请入口"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("diff lacks %q", want)
		}
	}
}

func TestCatalogExchangeOverHTTP(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	qs, xc := orgByShort(t, env, "青石镇"), orgByShort(t, env, "西城街道")
	admin := env.Client(t)
	admin.Login("admin", pw)
	r := admin.Get("/admin/catalog/" + qs.ID + "/export?v=1&format=xlsx")
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), ".xlsx") || len(r.Body) < 1000 {
		t.Fatalf("export: %d %s", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	workbook := []byte(r.Body)
	if r := admin.Get("/admin/catalog/" + qs.ID + "/export?v=1&format=json"); !json.Valid([]byte(r.Body)) {
		t.Fatal("json export invalid")
	}

	// A dry run reports and writes nothing.
	r = upload(t, admin, "/admin/catalog/"+xc.ID+"/import", "青石镇.xlsx", workbook, true)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "检查通过") {
		t.Fatalf("dry run: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if _, err := env.App.Catalog.DraftOf(ctx, xc.ID); err == nil {
		t.Fatal("dry run created a draft")
	}
	// Junk is refused with a message, and writes nothing.
	r = upload(t, admin, "/admin/catalog/"+xc.ID+"/import", "目录.xlsx", bytes.Repeat([]byte("垃圾"), 1000), false)
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "不是有效的 Excel") {
		t.Fatalf("junk: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if _, err := env.App.Catalog.DraftOf(ctx, xc.ID); err == nil {
		t.Fatal("junk created a draft")
	}
	// A real import fills a new draft.
	r = upload(t, admin, "/admin/catalog/"+xc.ID+"/import", "青石镇.xlsx", workbook, false)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "已导入") {
		t.Fatalf("import: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	d, err := env.App.Catalog.DraftOf(ctx, xc.ID)
	src, _ := env.App.Catalog.Current(ctx, qs.ID)
	if err != nil || d.Items != src.Items {
		t.Fatalf("imported draft: %+v %v (source %d items)", d, err, src.Items)
	}
	// Too big is refused before parsing.
	big := make([]byte, catalog.MaxUpload+10)
	if r := upload(t, admin, "/admin/catalog/"+xc.ID+"/import", "big.xlsx", big, true); r.StatusCode != http.StatusBadRequest {
		t.Errorf("oversized upload: %d", r.StatusCode)
	}
	_ = io.Discard
}

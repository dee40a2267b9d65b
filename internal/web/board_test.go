package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/board"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/moderation"
)

// bdOrg finds an org id by short name.
func bdOrg(t *testing.T, env *apptest.Env, short string) string {
	t.Helper()
	orgs, err := env.App.Orgs.ListOrgs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.ShortName == short {
			return o.ID
		}
	}
	t.Fatalf("no org %s", short)
	return ""
}

// bdLoosen raises the form's per-address limit: these tests send many
// forms from 127.0.0.1 (the rate limits have their own test).
func bdLoosen(t *testing.T, env *apptest.Env) {
	t.Helper()
	vals := moderation.Defaults().Values()
	vals[moderation.KeyIPRate] = "100/10m"
	if _, err := moderation.Save(context.Background(), env.App.DB, paPrincipal(t, env, "admin").Actor("127.0.0.1"),
		env.App.Board.Clock(), vals); err != nil {
		t.Fatal(err)
	}
}

func bdCount(t *testing.T, env *apptest.Env) int {
	t.Helper()
	var n int
	if err := env.App.DB.R.QueryRow("SELECT COUNT(*) FROM board_messages").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The citizen's path: the entry page, the published list with the facts
// the rules ask for, the form with its errors (a 100 KB message named), the
// no-script answer lookup, submission and replay, tracking, the staff's
// reply, publication and the rating.
func TestBoardPortal(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	bdLoosen(t, env)
	c := env.Client(t)

	r := c.Get("/hdjl")
	if r.StatusCode != 200 || !strings.Contains(r.Body, "我要留言") || !strings.Contains(r.Body, "湖滨社区新增停车位") ||
		!strings.Contains(r.Body, "/hdjl/wd/") {
		t.Fatalf("/hdjl: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Get("/hdjl/ly")
	doc := apptest.Parse(t, r.Body)
	var heads []string
	for _, th := range apptest.All(doc, "table.ly-table thead th[scope=col]") {
		heads = append(heads, apptest.TextOf(th))
	}
	if r.StatusCode != 200 || strings.Join(heads, ",") != "留言标题,类别,受理日期,答复部门,答复日期,答复内容（摘要）" ||
		len(apptest.All(doc, "table.ly-table tbody th[scope=row]")) < 4 || strings.Contains(r.Body, "13912345678") {
		t.Fatalf("/hdjl/ly: %v %s", heads, apptest.Text(r.Body))
	}
	pub, _, err := env.App.Board.PublicList(context.Background(), board.PublicFilter{Limit: 1})
	if err != nil || len(pub) == 0 {
		t.Fatal(err)
	}
	if r := c.Get("/hdjl/ly/" + pub[0].ID); r.StatusCode != 200 || !strings.Contains(r.Body, "答复内容") ||
		!strings.Contains(r.Body, pub[0].RepliedOn[:4]+"年") {
		t.Errorf("published message: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Get("/hdjl/ly?lb=correction"); !strings.Contains(r.Body, "附件打不开") || strings.Contains(r.Body, "低保申请") {
		t.Errorf("category filter: %s", apptest.Text(r.Body))
	}

	// The form: every problem named, the input kept.
	form := c.Get("/hdjl/ly/new?org=" + bdOrg(t, env, "东湖街道"))
	key := submitKey(t, form.Body)
	if !strings.Contains(form.Body, `src="/static/board.js"`) || !strings.Contains(form.Body, "12388") {
		t.Errorf("form page: %s", apptest.Text(form.Body))
	}
	before := bdCount(t, env)
	r = c.Post("/hdjl/ly/new", url.Values{"submit_key": {key}, "title": {"<b>标题</b>"}})
	doc = apptest.Parse(t, r.Body)
	for _, f := range []string{"f-org_id", "f-body"} {
		if n := apptest.First(doc, "#"+f); n == nil || apptest.Attr(n, "aria-invalid") != "true" {
			t.Errorf("%s not marked invalid", f)
		}
	}
	if r.StatusCode != 400 || apptest.First(doc, "#e-category") == nil || !strings.Contains(r.Body, "&lt;b&gt;标题&lt;/b&gt;") {
		t.Errorf("empty form: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	big := url.Values{"submit_key": {key}, "category": {board.CatConsult}, "org_id": {bdOrg(t, env, "东湖街道")}, "title": {"长留言"},
		"body": {strings.Repeat("长", 100*1024/3)}}
	r = c.Post("/hdjl/ly/new", big)
	if e := apptest.First(apptest.Parse(t, r.Body), "#e-body"); r.StatusCode != 400 || e == nil || !strings.Contains(apptest.TextOf(e), "留言内容最多 3000 字") {
		t.Errorf("100 KB message: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	// The no-script lookup stores nothing.
	r = c.Post("/hdjl/ly/new", url.Values{"submit_key": {key}, "op": {"suggest"}, "title": {"老人怎么申请低保"}, "body": {"需要什么材料"}})
	if r.StatusCode != 200 || apptest.First(apptest.Parse(t, r.Body), "#ly-suggest ul.suggest-list a") == nil ||
		!strings.Contains(r.Body, "最低生活保障") || bdCount(t, env) != before {
		t.Errorf("lookup: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	good := url.Values{"submit_key": {key}, "category": {board.CatConsult}, "org_id": {bdOrg(t, env, "东湖街道")},
		"title": {"莲花社区周末能办居住证吗"}, "body": {"我叫钱多多，电话 13766668888，想问莲花社区服务站周末能不能办居住证。"},
		"name": {"钱多多"}, "contact": {"13766668888"}, "consent": {"1"}}
	r = c.Post("/hdjl/ly/new", good)
	no := apptest.TextOf(apptest.First(apptest.Parse(t, r.Body), ".tracking-no strong"))
	if r.StatusCode != 200 || !strings.HasPrefix(no, "LY-") || bdCount(t, env) != before+1 {
		t.Fatalf("submit: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Post("/hdjl/ly/new", good); !strings.Contains(r.Body, no) || bdCount(t, env) != before+1 {
		t.Errorf("replay: %s", apptest.Text(r.Body))
	}
	r = c.Get("/hdjl/ly/cx?no=" + no)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "待受理") || !strings.Contains(r.Body, "示范区东湖街道办事处") ||
		r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("tracking: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Get("/hdjl/ly/cx?no=LY-2026-AAAAAA-AAAAAA"); r.StatusCode != 404 {
		t.Errorf("unknown number: %d", r.StatusCode)
	}
	m, err := env.App.Board.Track(context.Background(), no)
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Get("/hdjl/ly/" + m.ID); r.StatusCode != 404 {
		t.Errorf("unpublished message on the portal: %d", r.StatusCode)
	}

	// Staff: another org sees nothing; the routed org accepts and replies.
	other := env.Client(t)
	other.Login("jyj.editor", demo.Password)
	if r := other.Get("/admin/board/" + m.ID); r.StatusCode != 404 {
		t.Errorf("another org's page: %d", r.StatusCode)
	}
	if r := other.Post("/admin/board/"+m.ID+"/reply", url.Values{"reply": {"越权答复"}}); r.StatusCode != 404 {
		t.Errorf("another org's reply: %d", r.StatusCode)
	}
	staff := env.Client(t)
	staff.Login("editor", demo.Password)
	if r := staff.Get("/admin/board"); r.StatusCode != 200 || !strings.Contains(r.Body, no) {
		t.Errorf("inbox: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := staff.Post("/admin/board/"+m.ID+"/reply", url.Values{"reply": {" "}}); r.StatusCode != 400 ||
		apptest.First(apptest.Parse(t, r.Body), "#e-reply") == nil {
		t.Errorf("empty reply: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := staff.Post("/admin/board/"+m.ID+"/accept", nil); r.StatusCode != 303 || r.Location() != "/admin/board/"+m.ID+"?ok=ly_accept" {
		t.Errorf("accept: %d %s", r.StatusCode, r.Location())
	}
	if r := staff.Post("/admin/board/"+m.ID+"/reply", url.Values{"reply": {"钱多多您好：莲花社区服务站周六上午可以办理居住证，请致电 0000-88881012 预约。"}}); r.StatusCode != 303 {
		t.Errorf("reply: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Get("/hdjl/ly/cx?no=" + no)
	if !strings.Contains(r.Body, "周六上午可以办理") || apptest.First(apptest.Parse(t, r.Body), "form.rate-form input[name=rating]") == nil {
		t.Errorf("tracking after the reply: %s", apptest.Text(r.Body))
	}
	if r := c.Post("/hdjl/ly/cx/pj", url.Values{"no": {no}}); r.StatusCode != 400 || apptest.First(apptest.Parse(t, r.Body), "#e-rating") == nil {
		t.Errorf("rating without a choice: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Post("/hdjl/ly/cx/pj", url.Values{"no": {no}, "rating": {board.RateSatisfied}, "rating_comment": {"很快"}}); r.StatusCode != 303 {
		t.Errorf("rating: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Post("/hdjl/ly/cx/pj", url.Values{"no": {no}, "rating": {board.RateUnsatisfied}}); r.StatusCode != 409 ||
		!strings.Contains(r.Body, "只能评价一次") {
		t.Errorf("second rating: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// Publication: an editor may not; the reviewer publishes the masked text.
	if r := staff.Post("/admin/board/"+m.ID+"/publish", url.Values{"public_title": {"x"}, "public_body": {"y"}, "public_reply": {"z"}}); r.StatusCode != 403 {
		t.Errorf("editor publishes: %d", r.StatusCode)
	}
	rev := env.Client(t)
	rev.Login("reviewer", demo.Password)
	page := rev.Get("/admin/board/" + m.ID)
	pd := apptest.Parse(t, page.Body)
	body := apptest.TextOf(apptest.First(pd, "#f-public_body"))
	reply := apptest.TextOf(apptest.First(pd, "#f-public_reply"))
	if strings.Contains(body, "13766668888") || strings.Contains(body, "钱多多") || !strings.Contains(reply, "0000-88881012") ||
		strings.Contains(reply, "钱多多") {
		t.Fatalf("publication draft: %q / %q", body, reply)
	}
	r = rev.Post("/admin/board/"+m.ID+"/publish", url.Values{"public_title": {apptest.Attr(apptest.First(pd, "#f-public_title"), "value")},
		"public_body": {body}, "public_reply": {reply}})
	if r.StatusCode != 303 {
		t.Fatalf("publish: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Get("/hdjl/ly/" + m.ID)
	if r.StatusCode != 200 || strings.Contains(r.Body, "13766668888") || !strings.Contains(r.Body, "137****8888") ||
		!strings.Contains(r.Body, "满意") || !strings.Contains(r.Body, "示范区东湖街道办事处") {
		t.Errorf("published page: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// Statistics and Q&A pages.
	r = c.Get("/hdjl/ly/tj")
	if doc := apptest.Parse(t, r.Body); r.StatusCode != 200 || apptest.First(doc, "table.stats-table caption") == nil ||
		len(apptest.All(doc, "table.stats-table tbody th[scope=row]")) == 0 {
		t.Errorf("statistics: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Get("/hdjl/wd?q=" + url.QueryEscape("创业补贴"))
	if r.StatusCode != 200 || !strings.Contains(r.Body, "高校毕业生") || !strings.Contains(r.Body, "/zfxxgk/") {
		t.Errorf("Q&A search: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Get("/hdjl/wd/suggest?q=" + url.QueryEscape("孩子明年上小学，报名要带什么"))
	var js struct{ Items []board.Suggestion }
	if err := json.Unmarshal([]byte(r.Body), &js); err != nil || r.Header.Get("Content-Type") != "application/json; charset=utf-8" ||
		len(js.Items) == 0 || !strings.Contains(js.Items[0].Question, "入学") {
		t.Errorf("suggest: %s %v", r.Body, err)
	}
	if r := c.Get("/hdjl/wd/suggest?q=" + url.QueryEscape("！！")); r.Body != "{\"items\":[]}\n" {
		t.Errorf("suggest for nothing: %q", r.Body)
	}
}

// The per-address limit on the message form: 429 with Retry-After and the
// text kept; a replay of an accepted form is not refused.
func TestBoardRateLimit(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	orgID := bdOrg(t, env, "青石镇")
	var first url.Values
	for i := range 5 {
		f := url.Values{"submit_key": {submitKey(t, c.Get("/hdjl/ly/new").Body)}, "category": {board.CatConsult}, "org_id": {orgID},
			"title": {"第 " + strconv.Itoa(i) + " 条"}, "body": {"内容"}}
		if i == 0 {
			first = f
		}
		if r := c.Post("/hdjl/ly/new", f); r.StatusCode != 200 {
			t.Fatalf("submission %d: %d %s", i+1, r.StatusCode, apptest.Text(r.Body))
		}
	}
	r := c.Post("/hdjl/ly/new", url.Values{"submit_key": {strings.Repeat("c", 32)}, "category": {board.CatConsult}, "org_id": {orgID},
		"title": {"第六条"}, "body": {"第六条留言的内容"}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "提交过于频繁") ||
		!strings.Contains(apptest.TextOf(apptest.First(apptest.Parse(t, r.Body), "#f-body")), "第六条留言的内容") {
		t.Errorf("sixth submission: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Post("/hdjl/ly/new", first); r.StatusCode != 200 || !strings.Contains(r.Body, "留言已提交") {
		t.Errorf("replay when limited: %d", r.StatusCode)
	}
}

// The back office: transfer and the former org's clear refusal, the
// 审核员's held queue, the veto list, the settings (district
// administrators only) and the Q&A editor.
func TestBoardAdmin(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	ctx := context.Background()
	m, err := env.App.Board.Submit(ctx, "192.0.2.1", "", board.Input{OrgID: bdOrg(t, env, "东湖街道"), Category: board.CatSuggest,
		Title: "建议增设社区图书室", Body: "建议在湖滨社区增设图书室。", Consent: true})
	if err != nil {
		t.Fatal(err)
	}
	ed := env.Client(t)
	ed.Login("editor", demo.Password)
	r := ed.Post("/admin/board/"+m.ID+"/transfer", url.Values{"to_org": {bdOrg(t, env, "湖滨社区")}, "transfer_reason": {""}})
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != 400 || apptest.First(doc, "#e-to_org") == nil || apptest.First(doc, "#e-transfer_reason") == nil ||
		apptest.First(doc, "#e-reject_reason") != nil {
		t.Errorf("bad transfer: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Post("/admin/board/"+m.ID+"/transfer", url.Values{"to_org": {bdOrg(t, env, "区教育局")}, "transfer_reason": {"属教育系统公共文化设施"}})
	if r.StatusCode != 303 || r.Location() != "/admin/board?ok=ly_transfer" {
		t.Fatalf("transfer: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := ed.Get("/admin/board?ok=ly_transfer"); !strings.Contains(r.Body, "办理历史和答复期限保留") {
		t.Errorf("flash: %s", apptest.Text(r.Body))
	}
	r = ed.Post("/admin/board/"+m.ID+"/reply", url.Values{"reply": {"答复"}})
	if r.StatusCode != 403 || !strings.Contains(r.Body, "已转交示范区教育局办理") {
		t.Errorf("former org replies: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	jyj := env.Client(t)
	jyj.Login("jyj.editor", demo.Password)
	r = jyj.Get("/admin/board/" + m.ID)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "属教育系统公共文化设施") || !strings.Contains(r.Body, "留言人选择：示范区东湖街道办事处") {
		t.Errorf("receiving org: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// The reviewer sees the held demo message and the publish tab.
	rev := env.Client(t)
	rev.Login("reviewer", demo.Password)
	r = rev.Get("/admin/board?tab=held")
	if r.StatusCode != 200 || !strings.Contains(r.Body, "楼下烧烤店油烟扰民") || !strings.Contains(r.Body, "含审核词") {
		t.Errorf("held tab: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	// The supervisor sees the escalated and the three-month list.
	gkb := env.Client(t)
	gkb.Login("gkb", demo.Password)
	if r := gkb.Get("/admin/board?tab=overdue"); !strings.Contains(r.Body, "升级督办") || !strings.Contains(r.Body, "建议政府网站增加无障碍阅读功能") {
		t.Errorf("overdue tab: %s", apptest.Text(r.Body))
	}
	if r := gkb.Get("/admin/board/veto"); r.StatusCode != 200 || !strings.Contains(r.Body, "尚未回应") {
		t.Errorf("veto list: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := gkb.Get("/admin/"); !strings.Contains(r.Body, `href="/admin/board"`) || !strings.Contains(r.Body, "留言提醒") ||
		!strings.Contains(r.Body, "建议政府网站增加无障碍阅读功能") || strings.Contains(r.Body, "社区养老服务站的开放时间") {
		t.Errorf("supervisor's dashboard (escalated only): %s", apptest.Text(r.Body))
	}
	// The org's own staff are reminded of its overdue message (level 1).
	if r := ed.Get("/admin/"); !strings.Contains(r.Body, "社区养老服务站的开放时间") {
		t.Errorf("editor's dashboard: %s", apptest.Text(r.Body))
	}

	// Settings: district administrators only; bad values named.
	if r := ed.Get("/admin/board/settings"); r.StatusCode != 404 && r.StatusCode != 403 {
		t.Errorf("editor opens settings: %d", r.StatusCode)
	}
	adm := env.Client(t)
	adm.Login("admin", demo.Password)
	vals := url.Values{}
	for k, v := range board.Defaults().Values() {
		vals.Set(k, v)
	}
	vals.Set(board.KeyLimitPrefix+board.CatConsult, "99")
	vals.Set(board.KeyChannels, "没有冒号的行")
	r = adm.Post("/admin/board/settings", vals)
	if r.StatusCode != 400 || !strings.Contains(r.Body, "1–60") || !strings.Contains(r.Body, "渠道名称：办理方式") {
		t.Errorf("bad settings: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	vals.Set(board.KeyLimitPrefix+board.CatConsult, "4")
	vals.Set(board.KeyChannels, "信访事项：请向信访工作机构提出。")
	if r := adm.Post("/admin/board/settings", vals); r.StatusCode != 303 {
		t.Errorf("settings: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := env.Client(t).Get("/hdjl/ly/new"); !strings.Contains(r.Body, "4 个工作日内答复") || strings.Contains(r.Body, "12388") {
		t.Errorf("form after the settings: %s", apptest.Text(r.Body))
	}

	// Q&A: the editor drafts, the reviewer publishes.
	r = ed.Post("/admin/board/qa", url.Values{"org_id": {bdOrg(t, env, "东湖街道")}, "question": {""}, "answer": {"答"}})
	if r.StatusCode != 400 || apptest.First(apptest.Parse(t, r.Body), "#e-question") == nil {
		t.Errorf("empty question: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Post("/admin/board/qa", url.Values{"org_id": {bdOrg(t, env, "东湖街道")}, "question": {"东湖街道的便民服务中心几点上班？"},
		"answer": {"工作日 8:30–12:00、14:30–17:30。"}, "keywords": {"上班时间 办公时间"}})
	if r.StatusCode != 303 {
		t.Fatalf("create Q&A: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	qaURL := strings.SplitN(r.Location(), "?", 2)[0]
	qaID := qaURL[strings.LastIndex(qaURL, "/")+1:]
	if r := bdAnon(env, t).Get("/hdjl/wd/" + qaID); r.StatusCode != 404 {
		t.Errorf("draft on the portal: %d", r.StatusCode)
	}
	if r := ed.Post(qaURL+"/publish", nil); r.StatusCode != 403 {
		t.Errorf("editor publishes Q&A: %d", r.StatusCode)
	}
	if r := rev.Post(qaURL+"/publish", nil); r.StatusCode != 303 {
		t.Errorf("reviewer publishes Q&A: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := bdAnon(env, t).Get("/hdjl/wd/" + qaID); r.StatusCode != 200 || !strings.Contains(r.Body, "14:30–17:30") {
		t.Errorf("published Q&A: %d", r.StatusCode)
	}
	if r := rev.Post(qaURL+"/withdraw", url.Values{"withdraw_reason": {""}}); r.StatusCode != 400 ||
		apptest.First(apptest.Parse(t, r.Body), "#e-withdraw_reason") == nil {
		t.Errorf("withdraw without reason: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
}

func bdAnon(env *apptest.Env, t *testing.T) *apptest.Client { return env.Client(t) }

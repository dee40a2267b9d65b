package web_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/demo"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/participate"
)

// These tests run on the real clock (sessions need it): the demo's story
// is dated back from the day it is seeded, so its open solicitation is
// open and its catalog is the one of the year the story starts in.
func paYear(env *apptest.Env) string {
	return strconv.Itoa(env.App.Participate.Today().AddDays(-170).Year)
}

func paPrincipal(t *testing.T, env *apptest.Env, user string) *org.Principal {
	t.Helper()
	_, p, err := env.App.Orgs.Login(context.Background(), user, demo.Password, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// paDemo finds the demo's solicitation in a stage.
func paDemo(t *testing.T, env *apptest.Env, stage string) participate.Solicitation {
	t.Helper()
	rows, _, err := env.App.Participate.List(context.Background(), paPrincipal(t, env, "admin"), participate.Filter{Stage: stage})
	if err != nil || len(rows) == 0 {
		t.Fatalf("no demo solicitation in stage %s: %v", stage, err)
	}
	return rows[0].Solicitation
}

func submitKey(t *testing.T, body string) string {
	t.Helper()
	doc := apptest.Parse(t, body)
	n := apptest.First(doc, "input[name=submit_key]")
	if n == nil {
		t.Fatalf("no submit key in the form:\n%s", apptest.Text(body))
	}
	return apptest.Attr(n, "value")
}

// The portal: the entry page, the lists, a solicitation with its anchored
// draft and folded comments, the comment form from GET to thank-you page,
// replays, the receipt, a closed solicitation's refusal, the rules page and
// the catalog.
func TestParticipatePortal(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	open := paDemo(t, env, participate.StageOpen)
	closed := paDemo(t, env, participate.StageReported)

	r := c.Get("/hdjl")
	year := paYear(env)
	if r.StatusCode != 200 || !strings.Contains(r.Body, open.Title) || !strings.Contains(r.Body, "/hdjl/zdjc/"+year) ||
		!strings.Contains(r.Body, "留言咨询") {
		t.Fatalf("/hdjl: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	for path, want := range map[string]string{
		"/hdjl/zjyj":               open.Title,
		"/hdjl/zjyj?zt=reported":   closed.Title,
		"/hdjl/zjyj?zt=processing": "暂无",
		"/hdjl/gz":                 "含有商业广告、推销或者与本事项无关的链接",
		"/hdjl/zdjc":               year + " 年度目录",
	} {
		if r := c.Get(path); r.StatusCode != 200 || !strings.Contains(r.Body, want) {
			t.Errorf("%s: %d, want %q\n%s", path, r.StatusCode, want, apptest.Text(r.Body))
		}
	}
	if r := c.Get("/hdjl/zjyj?zt=open"); strings.Contains(r.Body, closed.Title) {
		t.Error("open tab lists the closed solicitation")
	}

	// The open solicitation: stage line, anchored paragraphs, folded copies,
	// no personal data, no pending or rejected comment.
	r = c.Get("/hdjl/zjyj/" + open.ID)
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != 200 || apptest.TextOf(apptest.First(doc, "li[aria-current=step]")) == "" ||
		!strings.Contains(apptest.TextOf(apptest.First(doc, "li[aria-current=step]")), "意见征集中") {
		t.Fatalf("detail: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	blocks := participate.Blocks(open.Draft)
	if n := len(apptest.All(doc, "div.draft-block")); n != len(blocks) {
		t.Errorf("%d draft blocks, want %d", n, len(blocks))
	}
	if a := apptest.First(doc, "#duan-9 a"); a == nil || apptest.Attr(a, "href") != "/hdjl/zjyj/"+open.ID+"/yj?duan=9" || apptest.TextOf(a) != "对第 9 段提意见" {
		t.Errorf("paragraph 9's comment link: %v", a)
	}
	if !strings.Contains(r.Body, "另有 2 条相同或相近意见") || !strings.Contains(apptest.TextOf(apptest.First(doc, "details")), "边角空地") {
		t.Errorf("folded copies: %s", apptest.Text(r.Body))
	}
	for _, hidden := range []string{"陈建国", "13800000011", "13812345678", "上访", "example-parking", "198.51.100"} {
		if strings.Contains(r.Body, hidden) {
			t.Errorf("detail page shows %q", hidden)
		}
	}
	if r := c.Get("/hdjl/zjyj/nope"); r.StatusCode != 404 {
		t.Errorf("unknown solicitation: %d", r.StatusCode)
	}

	// The comment form, anchored to paragraph 9: the paragraph is quoted and
	// prefilled; a submission is durable before the thank-you page.
	r = c.Get("/hdjl/zjyj/" + open.ID + "/yj?duan=9")
	if r.StatusCode != 200 || !strings.Contains(r.Body, blocks[8].Text) || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("form: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	key := submitKey(t, r.Body)
	form := url.Values{"submit_key": {key}, "duan": {"9"}, "passage": {"电动自行车集中停放和充电设施"},
		"body": {"建议充电设施由街道统一招标建设。联系我 13700001111"}, "name": {"赵六"}, "contact": {"13700001111"}}
	r = c.Post("/hdjl/zjyj/"+open.ID+"/yj", form)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "意见已提交") {
		t.Fatalf("submit: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	receipt := apptest.TextOf(apptest.First(apptest.Parse(t, r.Body), ".tracking-no strong"))
	if !strings.HasPrefix(receipt, "YJ-"+strconv.Itoa(env.App.Participate.Today().Year)+"-") {
		t.Fatalf("receipt %q", receipt)
	}
	var n int
	env.App.DB.R.QueryRow("SELECT COUNT(*) FROM participate_comments WHERE receipt_no = $1 AND passage = $2", receipt,
		"电动自行车集中停放和充电设施").Scan(&n)
	if n != 1 {
		t.Fatalf("comment stored %d times", n)
	}
	// A double submit is the same comment.
	r = c.Post("/hdjl/zjyj/"+open.ID+"/yj", form)
	if again := apptest.TextOf(apptest.First(apptest.Parse(t, r.Body), ".tracking-no strong")); again != receipt {
		t.Errorf("replay answered %q, want %q", again, receipt)
	}
	env.App.DB.R.QueryRow("SELECT COUNT(*) FROM participate_comments WHERE solicitation_id = $1 AND body LIKE '建议充电设施由街道%'", open.ID).Scan(&n)
	if n != 1 {
		t.Errorf("replay stored a second comment (%d)", n)
	}
	// The receipt shows the masked text and the status, never the name.
	r = c.Get("/hdjl/zjyj/cx?no=" + url.QueryEscape(receipt))
	if r.StatusCode != 200 || !strings.Contains(r.Body, "待审核") || strings.Contains(r.Body, "13700001111") || strings.Contains(r.Body, "赵六") ||
		!strings.Contains(r.Body, "137****1111") || r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("receipt page: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Get("/hdjl/zjyj/cx?no=YJ-2026-AAAAAA-AAAAAA"); r.StatusCode != 404 || !strings.Contains(r.Body, "没有查到") {
		t.Errorf("unknown receipt: %d", r.StatusCode)
	}

	// Bad input comes back with the field named and the text kept.
	r = c.Post("/hdjl/zjyj/"+open.ID+"/yj", url.Values{"submit_key": {submitKey(t, c.Get("/hdjl/zjyj/"+open.ID+"/yj").Body)},
		"body": {strings.Repeat("很长的意见", 1000)}, "contact": {"not a contact"}})
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != 400 || apptest.First(doc, "#f-body[aria-invalid=true]") == nil || apptest.First(doc, "#f-contact[aria-invalid=true]") == nil ||
		!strings.Contains(apptest.TextOf(apptest.First(doc, "#f-body")), "很长的意见") {
		t.Errorf("invalid form: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	// A body over the form's byte limit is refused clearly.
	big := url.Values{"body": {strings.Repeat("字", 100_000)}}
	if r := c.Post("/hdjl/zjyj/"+open.ID+"/yj", big); r.StatusCode != 400 || !strings.Contains(r.Body, "过长") {
		t.Errorf("300 KB body: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// The closed solicitation refuses, says since when, keeps the text.
	r = c.Get("/hdjl/zjyj/" + closed.ID + "/yj")
	if r.StatusCode != 200 || apptest.First(apptest.Parse(t, r.Body), "form.comment-form") != nil || !strings.Contains(r.Body, "已于") {
		t.Errorf("closed form page: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = c.Post("/hdjl/zjyj/"+closed.ID+"/yj", url.Values{"body": {"迟到的意见"}, "submit_key": {strings.Repeat("a", 32)}})
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "不再接收意见") || apptest.TextOf(apptest.First(doc, "#f-kept")) != "迟到的意见" {
		t.Errorf("comment on a closed solicitation: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	// The closed one shows its adoption report with the stage line complete.
	r = c.Get("/hdjl/zjyj/" + closed.ID)
	doc = apptest.Parse(t, r.Body)
	if !strings.Contains(apptest.TextOf(apptest.First(doc, "li[aria-current=step]")), "采纳情况已公布") ||
		len(apptest.All(doc, "table.report-table tbody tr")) < 3 || !strings.Contains(r.Body, "不予公开 1 条") ||
		apptest.First(doc, "a.anchor-link") != nil {
		t.Errorf("reported solicitation: %s", apptest.Text(r.Body))
	}

	// The catalog: a year page grouped by deciding body, an entry page with
	// every stage, unknown years and ids 404.
	r = c.Get("/hdjl/zdjc/" + year)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "示范区人民政府") || !strings.Contains(r.Body, "已调出目录") ||
		!strings.Contains(r.Body, "/hdjl/zjyj/"+open.ID) {
		t.Errorf("catalog %s: %d %s", year, r.StatusCode, apptest.Text(r.Body))
	}
	y, _ := strconv.Atoi(year)
	ds, _ := env.App.Participate.PublicDecisions(context.Background(), y)
	for _, d := range ds {
		if len(d.Stages) != len(participate.StageKinds) {
			continue
		}
		r = c.Get("/hdjl/zdjc/" + year + "/" + d.ID)
		if r.StatusCode != 200 || !strings.Contains(r.Body, "听证参加人名单") || !strings.Contains(r.Body, "区政府第 12 次常务会议") {
			t.Errorf("entry page: %d %s", r.StatusCode, apptest.Text(r.Body))
		}
		if r := c.Get("/hdjl/zdjc/" + strconv.Itoa(y-1) + "/" + d.ID); r.StatusCode != http.StatusMovedPermanently {
			t.Errorf("entry under another year: %d", r.StatusCode)
		}
	}
	for _, p := range []string{"/hdjl/zdjc/1999", "/hdjl/zdjc/abc", "/hdjl/zdjc/2099", "/hdjl/zdjc/" + year + "/nope"} {
		if r := c.Get(p); r.StatusCode != 404 {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
}

// Per-address limit on the form: 429 with Retry-After, the text kept; a
// replay of an accepted form is not refused.
func TestParticipateRateLimit(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	c := env.Client(t)
	open := paDemo(t, env, participate.StageOpen)
	var first url.Values
	for i := range 5 {
		f := url.Values{"submit_key": {submitKey(t, c.Get("/hdjl/zjyj/"+open.ID+"/yj").Body)}, "body": {"第 " + strconv.Itoa(i) + " 条意见"}}
		if i == 0 {
			first = f
		}
		if r := c.Post("/hdjl/zjyj/"+open.ID+"/yj", f); r.StatusCode != 200 {
			t.Fatalf("submission %d: %d %s", i+1, r.StatusCode, apptest.Text(r.Body))
		}
	}
	r := c.Post("/hdjl/zjyj/"+open.ID+"/yj", url.Values{"submit_key": {strings.Repeat("b", 32)}, "body": {"第六条意见"}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "提交过于频繁") ||
		!strings.Contains(apptest.TextOf(apptest.First(apptest.Parse(t, r.Body), "#f-body")), "第六条意见") {
		t.Errorf("sixth submission: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := c.Post("/hdjl/zjyj/"+open.ID+"/yj", first); r.StatusCode != 200 || !strings.Contains(r.Body, "意见已提交") {
		t.Errorf("replay when limited: %d", r.StatusCode)
	}
}

// The back office: who sees what, the queue with bulk moderation, a
// rejection without reason refused on the page, the report editor, the
// exports, the settings and the catalog editor.
func TestParticipateAdmin(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	open := paDemo(t, env, participate.StageOpen)
	closed := paDemo(t, env, participate.StageReported)

	other := env.Client(t)
	other.Login("editor", demo.Password) // 东湖街道
	if r := other.Get("/admin/participate/" + open.ID); r.StatusCode != 404 {
		t.Errorf("another org's editor: %d", r.StatusCode)
	}
	if r := other.Get("/admin/participate/" + open.ID + "/export?format=xlsx"); r.StatusCode != 404 {
		t.Errorf("another org's editor exporting: %d", r.StatusCode)
	}
	if r := other.Get("/admin/participate/settings"); r.StatusCode != 404 && r.StatusCode != 403 {
		t.Errorf("settings for a street editor: %d", r.StatusCode)
	}
	if r := other.Get("/admin/participate"); r.StatusCode != 200 || strings.Contains(r.Body, open.Title) {
		t.Errorf("another org's list: %d", r.StatusCode)
	}

	rev := env.Client(t)
	rev.Login("zfb.reviewer", demo.Password)
	r := rev.Get("/admin/participate")
	if r.StatusCode != 200 || !strings.Contains(r.Body, open.Title) || !strings.Contains(r.Body, "待审核") {
		t.Fatalf("list: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = rev.Get("/admin/participate/queue?s=" + open.ID)
	doc := apptest.Parse(t, r.Body)
	boxes := apptest.All(doc, "input[name=id]")
	if r.StatusCode != 200 || len(boxes) < 2 || !strings.Contains(r.Body, "命中审核词") || !strings.Contains(r.Body, "138****5678") ||
		strings.Contains(r.Body, "13812345678") {
		t.Fatalf("queue: %d %d boxes %s", r.StatusCode, len(boxes), apptest.Text(r.Body))
	}
	var ids []string
	for _, b := range boxes {
		ids = append(ids, apptest.Attr(b, "value"))
	}
	next := "/admin/participate/queue?s=" + open.ID + "&status=pending"
	// Rejecting without a reason: nothing changes, the queue says why.
	r = rev.Post("/admin/participate/moderate", url.Values{"id": ids, "action": {"reject"}, "next": {next}})
	if r.StatusCode != 400 || !strings.Contains(r.Body, "请选择不予公开的理由") {
		t.Errorf("reject without reason: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	// Bulk approval.
	r = rev.Post("/admin/participate/moderate", url.Values{"id": ids[:2], "action": {"approve"}, "next": {next}})
	if r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Location(), "n=2") {
		t.Fatalf("bulk approve: %d %s", r.StatusCode, r.Location())
	}
	if r := rev.Get(r.Location()); !strings.Contains(r.Body, "已处理 2 条意见") {
		t.Errorf("after bulk approve: %s", apptest.Text(r.Body))
	}
	// One comment's page: the moderator sees the private contact.
	cm, _, err := env.App.Participate.GetComment(context.Background(), paPrincipal(t, env, "zfb.reviewer"), ids[2])
	if err != nil {
		t.Fatal(err)
	}
	r = rev.Get("/admin/participate/" + open.ID + "/comments/" + cm.ID)
	if r.StatusCode != 200 || !strings.Contains(r.Body, cm.ReceiptNo) {
		t.Errorf("comment page: %d", r.StatusCode)
	}
	r = rev.Post("/admin/participate/moderate", url.Values{"id": {cm.ID}, "action": {"reject"}, "reason": {"其他（见说明）"},
		"next": {"/admin/participate/" + open.ID + "/comments/" + cm.ID}})
	if r.StatusCode != 400 || !strings.Contains(r.Body, "选择“其他”时请写明理由") {
		t.Errorf("其他 without note on the comment page: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// The report editor of the open solicitation: not yet publishable.
	ed := env.Client(t)
	ed.Login("zfb.editor", demo.Password)
	r = ed.Get("/admin/participate/" + open.ID + "/report")
	if r.StatusCode != 200 || !strings.Contains(r.Body, "结束后才能公布采纳情况") || apptest.First(apptest.Parse(t, r.Body), "datalist#reason-templates option") == nil {
		t.Errorf("report editor: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	approved, _, _ := env.App.Participate.Comments(context.Background(), paPrincipal(t, env, "zfb.editor"),
		participate.CommentFilter{SolicitationID: open.ID, Status: participate.CommentApproved})
	r = ed.Post("/admin/participate/"+open.ID+"/report/bulk", url.Values{"op": {"decide"}, "id": {approved[0].ID}, "decision": {"not_adopted"}})
	if r.StatusCode != 400 || apptest.First(apptest.Parse(t, r.Body), "#f-reason[aria-invalid=true]") == nil {
		t.Errorf("not adopted without reason: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Post("/admin/participate/"+open.ID+"/report/bulk", url.Values{"op": {"decide"}, "id": {approved[0].ID, approved[1].ID},
		"decision": {"partly"}, "reason": {"涉及事项需进一步调查研究"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("bulk decision: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Post("/admin/participate/"+open.ID+"/report/autogroup", nil)
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("auto-group: %d", r.StatusCode)
	}
	if r := ed.Get(r.Location()); !strings.Contains(r.Body, "自动分组") || len(apptest.All(apptest.Parse(t, r.Body), "form.group-form")) == 0 {
		t.Errorf("after auto-group: %s", apptest.Text(r.Body))
	}

	// Exports of the reported solicitation open back.
	jyj := env.Client(t)
	jyj.Login("jyj.editor", demo.Password)
	r = jyj.Get("/admin/participate/" + closed.ID + "/export?format=xlsx")
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx export: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	x, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("采纳情况")
	x.Close()
	if len(rows) < 5 || !strings.Contains(rows[1][0], "总体说明") {
		t.Errorf("exported report sheet: %v", rows)
	}
	for what, want := range map[string]string{"comments": "意见编号", "report": "总体说明"} {
		r = jyj.Get("/admin/participate/" + closed.ID + "/export?format=csv&what=" + what)
		if !strings.HasPrefix(r.Body, "\uFEFF") || !strings.Contains(r.Header.Get("Content-Type"), "text/csv") {
			t.Errorf("%s CSV: %q", what, r.Header.Get("Content-Type"))
			continue
		}
		cr := csv.NewReader(bytes.NewReader([]byte(r.Body[3:])))
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil || len(recs) < 3 || !strings.Contains(strings.Join(recs[0], ","), want) {
			t.Errorf("%s CSV: %v %v", what, recs, err)
		}
	}

	// Settings: district administrators only; an invalid value is named.
	adm := env.Client(t)
	adm.Login("admin", demo.Password)
	if r := adm.Get("/admin/participate/settings"); r.StatusCode != 200 || !strings.Contains(r.Body, "审核词") {
		t.Fatalf("settings: %d", r.StatusCode)
	}
	if r := ed.Get("/admin/participate/settings"); r.StatusCode != 403 && r.StatusCode != 404 {
		t.Errorf("settings for a department editor: %d", r.StatusCode)
	}
	r = adm.Post("/admin/participate/settings", url.Values{"form": {"moderation"}, "moderation.mode": {"pre"}, "moderation.max_body": {"5"},
		"moderation.max_short": {"60"}, "moderation.max_links": {"2"}, "moderation.ip_rate": {"5/10m"}, "moderation.contact_rate": {"3/10m"},
		"moderation.near_dup": {"0.5"}, "moderation.reject_reasons": {"其他（见说明）"}})
	if r.StatusCode != 400 || apptest.First(apptest.Parse(t, r.Body), "[aria-invalid=true]") == nil || !strings.Contains(r.Body, "100–20000") {
		t.Errorf("invalid settings: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = adm.Post("/admin/participate/settings", url.Values{"form": {"reasons"}, participate.KeyReasonTemplates: {"理由一\n理由二"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("reason templates: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if ts, _ := env.App.Participate.ReasonTemplates(context.Background()); strings.Join(ts, "|") != "理由一|理由二" {
		t.Errorf("templates saved: %v", ts)
	}

	// The catalog editor: a hearing with materials sent late is refused
	// next to the field.
	year := paYear(env)
	r = adm.Get("/admin/decisions?year=" + year)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "已调出目录") {
		t.Fatalf("catalog list: %d", r.StatusCode)
	}
	r = adm.Post("/admin/decisions", url.Values{"org_id": {orgByShort(t, env, "示范区").ID}, "year": {year}, "title": {"测试事项"},
		"undertaker_id": {orgByShort(t, env, "区民政局").ID}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("new entry: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	entry := strings.SplitN(strings.TrimPrefix(r.Location(), "/admin/decisions/"), "?", 2)[0]
	r = adm.Post("/admin/decisions/"+entry+"/stages/hearing", url.Values{"hearing_on": {"2026-12-20"}, "hearing_list_on": {"2026-12-10"},
		"hearing_materials_on": {"2026-12-18"}, "hearing_participants": {"居民代表"}})
	if r.StatusCode != 400 || apptest.First(apptest.Parse(t, r.Body), "#f-hearing_materials_on[aria-invalid=true]") == nil {
		t.Errorf("late hearing materials: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = adm.Post("/admin/decisions/"+entry+"/stages/hearing", url.Values{"hearing_on": {"2026-12-20"}, "hearing_list_on": {"2026-12-10"},
		"hearing_materials_on": {"2026-12-11"}, "hearing_participants": {"居民代表"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("hearing: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := adm.Post("/admin/decisions/"+entry+"/list", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("list entry: %d", r.StatusCode)
	}
	if r := adm.Get("/hdjl/zdjc/" + year + "/" + entry); r.StatusCode != 200 || !strings.Contains(r.Body, "测试事项") {
		t.Errorf("listed entry on the portal: %d", r.StatusCode)
	}
}

// Drafting through the forms: new, edit, attach files checked by content,
// publish (by the reviewer), extend; and the catalog's forms.
func TestParticipateAdminForms(t *testing.T) {
	env := apptest.Start(t, apptest.Options{})
	today := env.App.Participate.Today()
	ed := env.Client(t)
	ed.Login("zfb.editor", demo.Password)
	rev := env.Client(t)
	rev.Login("zfb.reviewer", demo.Password)
	zfb := orgByShort(t, env, "区政府办")

	r := ed.Get("/admin/participate/new")
	if r.StatusCode != 200 || apptest.First(apptest.Parse(t, r.Body), "select#f-decision_id") == nil {
		t.Fatalf("new form: %d", r.StatusCode)
	}
	form := url.Values{"org_id": {zfb.ID}, "title": {"关于《测试办法（征求意见稿）》公开征求意见的公告"}, "major": {"1"},
		"start_on": {today.String()}, "end_on": {today.AddDays(9).String()}, "explanation": {"起草说明"},
		"draft": {"第一条 测试。\n第二条 测试。"}}
	r = ed.Post("/admin/participate", form)
	doc := apptest.Parse(t, r.Body)
	if r.StatusCode != 400 || apptest.First(doc, "#f-end_on[aria-invalid=true]") == nil || !strings.Contains(r.Body, "不少于30日") ||
		apptest.Attr(apptest.First(doc, "#f-title"), "value") != form.Get("title") {
		t.Fatalf("10-day major solicitation: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	form.Set("shorten_reason", "防汛工程须在汛期前开工")
	r = ed.Post("/admin/participate", form)
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	page := strings.SplitN(r.Location(), "?", 2)[0]
	id := strings.TrimPrefix(page, "/admin/participate/")
	r = ed.Get(page)
	if r.StatusCode != 200 || !strings.Contains(r.Body, "防汛工程须在汛期前开工") || !strings.Contains(r.Body, "由本单位审核员发布") {
		t.Fatalf("show: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := ed.Get(page + "/edit"); r.StatusCode != 200 || !strings.Contains(r.Body, "防汛工程") {
		t.Errorf("edit form: %d", r.StatusCode)
	}
	form.Set("title", "关于《测试办法（征求意见稿）》公开征求意见的公告（修改）")
	if r := ed.Post(page, form); r.StatusCode != http.StatusSeeOther {
		t.Errorf("update: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	// Files are what their content says.
	if r := postFile(t, ed, page+"/files", nil, "示意图.png", tinyPNG()); r.StatusCode != http.StatusSeeOther {
		t.Errorf("png: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := postFile(t, ed, page+"/files", nil, "征求意见稿.pdf", []byte("MZ not a pdf at all")); r.StatusCode != 400 ||
		!strings.Contains(r.Body, "文件内容与扩展名") {
		t.Errorf("fake pdf: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := postFile(t, ed, page+"/files", nil, "脚本.exe", []byte("MZ")); r.StatusCode != 400 || !strings.Contains(r.Body, "不支持的文件类型") {
		t.Errorf("exe: %d", r.StatusCode)
	}
	files, _ := env.App.Participate.Files(context.Background(), id)
	if len(files) != 1 || files[0].ContentType != "image/png" {
		t.Fatalf("files: %+v", files)
	}
	// The editor cannot publish; the reviewer can; then the text is fixed.
	if r := ed.Post(page+"/publish", nil); r.StatusCode != 403 {
		t.Errorf("editor publishing: %d", r.StatusCode)
	}
	if r := rev.Post(page+"/publish", nil); r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Location(), "ok=published") {
		t.Fatalf("publish: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := ed.Post(page, form); r.StatusCode != 409 && r.StatusCode != 400 {
		t.Errorf("editing after publication: %d", r.StatusCode)
	}
	if r := postFile(t, ed, page+"/files", nil, "b.png", tinyPNG()); r.StatusCode == http.StatusSeeOther {
		t.Error("file added after publication")
	}
	anon := env.Client(t)
	if r := anon.Get("/hdjl/zjyj/" + id + "/fj/" + files[0].Hash); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("public attachment: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r := anon.Get("/hdjl/zjyj/" + id); !strings.Contains(r.Body, "缩短期限的理由：防汛工程须在汛期前开工") {
		t.Errorf("shortening reason not published: %s", apptest.Text(r.Body))
	}
	r = rev.Post(page+"/extend", url.Values{"end_on": {today.AddDays(29).String()}})
	if r.StatusCode != 400 || apptest.First(apptest.Parse(t, r.Body), "#f-extend_reason[aria-invalid=true]") == nil {
		t.Errorf("extension without reason: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r := rev.Post(page+"/extend", url.Values{"end_on": {today.AddDays(29).String()}, "extend_reason": {"意见较多"}}); r.StatusCode != http.StatusSeeOther {
		t.Errorf("extension: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// The catalog's forms.
	adm := env.Client(t)
	adm.Login("admin", demo.Password)
	if r := adm.Get("/admin/decisions/new"); r.StatusCode != 200 || apptest.First(apptest.Parse(t, r.Body), "select#f-undertaker_id") == nil {
		t.Fatalf("new entry form: %d", r.StatusCode)
	}
	r = adm.Post("/admin/decisions", url.Values{"org_id": {orgByShort(t, env, "示范区").ID}, "year": {"20x6"}, "title": {""}})
	if r.StatusCode != 400 || len(apptest.All(apptest.Parse(t, r.Body), "[aria-invalid=true]")) < 2 {
		t.Errorf("bad entry: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	ds, _ := env.App.Participate.Decisions(context.Background(), paPrincipal(t, env, "admin"), today.AddDays(-170).Year)
	if len(ds) == 0 {
		t.Fatal("no demo entries")
	}
	for _, p := range []string{"/admin/decisions/" + ds[0].ID, "/admin/decisions/" + ds[0].ID + "/edit"} {
		if r := adm.Get(p); r.StatusCode != 200 {
			t.Errorf("%s: %d", p, r.StatusCode)
		}
	}
	if r := ed.Get("/admin/decisions/" + ds[0].ID); r.StatusCode != 200 {
		t.Errorf("undertaker's editor on the entry page: %d", r.StatusCode)
	}
	other := env.Client(t)
	other.Login("editor", demo.Password)
	if r := other.Get("/admin/decisions/" + ds[0].ID); r.StatusCode != 404 {
		t.Errorf("another org's editor on the entry page: %d", r.StatusCode)
	}
}

package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"gongkai.dev/gongkai/internal/apptest"
	"gongkai.dev/gongkai/internal/org"
	"gongkai.dev/gongkai/internal/privacy"
	"gongkai.dev/gongkai/internal/report"
)

var reportDay = time.Date(2026, 12, 15, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))

func principal(t *testing.T, env *apptest.Env, username string) *org.Principal {
	t.Helper()
	_, p, err := env.App.Orgs.Login(context.Background(), username, pw, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The portal's 年报 column lists published reports only; a report page has
// the format's merged header cells and the figures of the snapshot; the
// downloads open; drafts and unknown years are 404; publishing a report
// updates the cached column at once.
func TestAnnualReportPortal(t *testing.T) {
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return reportDay }})
	ctx := context.Background()
	c := env.Client(t)
	zfb, jyj := orgByShort(t, env, "区政府办"), orgByShort(t, env, "区教育局")
	base := "/zfxxgk/" + zfb.Code + "/xxgknb"

	list := c.Get(base)
	doc := apptest.Parse(t, list.Body)
	link := apptest.First(doc, "main ul.annual-list a")
	if list.StatusCode != 200 || link == nil || apptest.Attr(link, "href") != base+"/2025" ||
		apptest.TextOf(link) != "示范区人民政府办公室2025年政府信息公开工作年度报告" {
		t.Fatalf("list: %d %s", list.StatusCode, apptest.Text(list.Body))
	}

	page := c.Get(base + "/2025")
	if page.StatusCode != 200 {
		t.Fatalf("report page: %d %s", page.StatusCode, apptest.Text(page.Body))
	}
	pub, err := env.App.Report.Published(ctx, zfb.ID, 2025)
	if err != nil {
		t.Fatal(err)
	}
	doc = apptest.Parse(t, page.Body)
	if h1 := apptest.TextOf(apptest.First(doc, "main h1")); h1 != pub.Title {
		t.Errorf("h1 %q", h1)
	}
	var headings []string
	for _, h := range apptest.All(doc, "article.annual-report h2") {
		headings = append(headings, apptest.TextOf(h))
	}
	if strings.Join(headings[:6], "|") != strings.Join(report.SectionHeadings[:], "|") {
		t.Errorf("sections %v", headings)
	}
	for sel, want := range map[string]string{
		"th#t3-applicant[colspan=7]": "申请人情况", "th#t3-result[rowspan=22]": "三、本年度办理结果", "th#t3-org[colspan=5]": "法人或其他组织",
		"th#t3-c0[rowspan=2]": "自然人", "th#t4-suit[colspan=10]": "行政诉讼", "th#t2-g8": "第二十条第（八）项",
		"td#t3-r0-c6": itoa(pub.Table3[report.RowNew][report.ColTotal]), "td#t3-r24-c6": itoa(pub.Table3[report.RowForward][report.ColTotal]),
		"td#t4-r0-c0": itoa(pub.Table4[0][0]),
	} {
		if got := apptest.TextOf(apptest.First(doc, sel)); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if n := len(apptest.All(doc, "table.annual-t3 td.fail")); n != 0 {
		t.Errorf("published report marks %d failing cells", n)
	}
	if !strings.Contains(page.Body, "信息处理费") || !strings.Contains(page.Body, "纸质台账") {
		t.Errorf("sections or notes missing")
	}

	d := c.Get(base + "/2025.docx")
	text, err := privacy.ExtractText("r.docx", []byte(d.Body))
	if d.StatusCode != 200 || err != nil || !strings.Contains(text, pub.Title) || !strings.Contains(d.Header.Get("Content-Disposition"), "filename*=UTF-8''") {
		t.Errorf("docx: %d %v %v", d.StatusCode, err, d.Header)
	}
	x := c.Get(base + "/2025.xlsx")
	f, err := excelize.OpenReader(strings.NewReader(x.Body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	if v, _ := f.GetCellValue(report.SheetNames[1], "J6"); v != itoa(pub.Table3[report.RowNew][report.ColTotal]) {
		t.Errorf("xlsx J6 = %q", v)
	}
	f.Close()
	var j report.Document
	if r := c.Get(base + "/2025.json"); r.StatusCode != 200 || json.Unmarshal([]byte(r.Body), &j) != nil || j.Table3 != pub.Table3 {
		t.Errorf("json: %d", r.StatusCode)
	}

	for _, path := range []string{base + "/2026", base + "/2024.docx", base + "/abcd", base + "/2025.pdf", "/zfxxgk/" + jyj.Code + "/xxgknb/2026"} {
		if r := c.Get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "年度报告</h1>") {
			t.Errorf("%s: %d", path, r.StatusCode)
		}
	}
	hubin := orgByShort(t, env, "湖滨社区")
	if r := c.Get("/zfxxgk/" + hubin.Code + "/xxgknb"); r.StatusCode != 200 || !strings.Contains(r.Body, "不编制政府信息公开工作年度报告") {
		t.Errorf("community column: %d", r.StatusCode)
	}

	// 区教育局 has a 2026 draft only: its column is empty until a report is
	// published, and then shows it without waiting for the cache.
	jl := "/zfxxgk/" + jyj.Code + "/xxgknb"
	if r := c.Get(jl); !strings.Contains(r.Body, "暂无已发布") || strings.Contains(r.Body, "2026年政府信息公开工作年度报告") {
		t.Fatalf("draft visible on the portal: %s", apptest.Text(r.Body))
	}
	c.Get(jl) // now cached
	editor, leader := principal(t, env, "jyj.editor"), principal(t, env, "jyj.leader")
	rep := env.App.Report
	if _, err := rep.SaveFigures(ctx, editor, "127.0.0.1", jyj.ID, 2025, report.Manual{Licensing: 30}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := rep.SaveSections(ctx, editor, "127.0.0.1", jyj.ID, 2025, report.Sections{Overview: "2025年，区教育局……",
		Problems: "（一）问题。（二）改进。", Other: "本年度未收取信息处理费。"}); err != nil {
		t.Fatal(err)
	}
	if _, err := rep.Publish(ctx, leader, "127.0.0.1", jyj.ID, 2025); err != nil {
		t.Fatal(err)
	}
	if r := c.Get(jl); !strings.Contains(r.Body, "示范区教育局2025年政府信息公开工作年度报告") {
		t.Errorf("published report not on the cached column: %s", apptest.Text(r.Body))
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// The back office: the list with its deadline reminders; a unit's report
// page where bad figures are named per field, an unbalanced supplement is
// shown failing with the cells marked in words, publication is refused
// naming them, an import names row and cell; other units see nothing.
func TestAnnualReportAdmin(t *testing.T) {
	env := apptest.Start(t, apptest.Options{Now: func() time.Time { return reportDay }})
	jyj := orgByShort(t, env, "区教育局")
	page := "/admin/report/" + jyj.ID + "/2025"
	ed := env.Client(t)
	ed.Login("jyj.editor", pw)

	list := ed.Get("/admin/report")
	doc := apptest.Parse(t, list.Body)
	if list.StatusCode != 200 || apptest.First(doc, `nav.side-nav a[aria-current=page][href="/admin/report"]`) == nil ||
		!strings.Contains(list.Body, "已逾期 318 天") || strings.Contains(list.Body, "示范区民政局") {
		t.Fatalf("list: %d %s", list.StatusCode, apptest.Text(list.Body))
	}

	r := ed.Get(page)
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != 200 || apptest.First(doc, "form#figures") == nil || apptest.First(doc, `form[action$="/publish"]`) != nil {
		t.Fatalf("editor's page: %d", r.StatusCode)
	}
	if !strings.Contains(r.Body, "尚未填报") || !strings.Contains(r.Body, "“一、总体情况”尚未填写") {
		t.Errorf("blockers not shown")
	}

	// Bad figures: every field named, values kept.
	r = ed.Post(page+"/figures", url.Values{"licensing": {"-1"}, "penalty": {"三"}, "enforcement": {"0"}, "fee": {"1.23456"}})
	doc = apptest.Parse(t, r.Body)
	if r.StatusCode != http.StatusBadRequest || apptest.First(doc, "input#f-licensing[aria-invalid=true]") == nil ||
		!strings.Contains(r.Body, "行政许可 本年处理决定数量：不能为负数") || !strings.Contains(r.Body, "“三”不是数字") ||
		!strings.Contains(r.Body, "超过 4 位小数") || apptest.Attr(apptest.First(doc, "input#f-fee"), "value") != "1.23456" {
		t.Fatalf("bad figures: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r = ed.Post(page+"/figures", url.Values{"licensing": {"30"}, "penalty": {"2"}, "enforcement": {"0"}, "fee": {"0"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("figures: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// An unbalanced supplement is saved, and the page marks the cells.
	sup := url.Values{report.SupplementField(3, report.RowNew, 1): {"2"}, "supplement_note": {"纸质台账"}}
	if r = ed.Post(page+"/supplement", sup); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("supplement: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Get(page)
	doc = apptest.Parse(t, r.Body)
	cell := apptest.First(doc, "td#t3-r0-c1.fail")
	if cell == nil || !strings.Contains(apptest.TextOf(cell), "（不符）") || !strings.Contains(apptest.TextOf(doc), "表三 商业企业列：一+二=2，三（七）+四=0") {
		t.Fatalf("failing cells not marked: %s", apptest.Text(r.Body))
	}
	if a := apptest.First(doc, `a[href="#t3-r0-c1"]`); a == nil {
		t.Errorf("problem does not link to its cell")
	}

	// The editor may not publish; the leader is refused with the reasons.
	if r = ed.Post(page+"/publish", url.Values{"confirm": {"1"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("editor publishes: %d", r.StatusCode)
	}
	lead := env.Client(t)
	lead.Login("jyj.leader", pw)
	if r = lead.Post(page+"/publish", nil); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "请先勾选") {
		t.Errorf("publish without confirmation: %d", r.StatusCode)
	}
	r = lead.Post(page+"/publish", url.Values{"confirm": {"1"}})
	doc = apptest.Parse(t, r.Body)
	box := apptest.First(doc, "div#publish-errors[role=alert]")
	if r.StatusCode != http.StatusBadRequest || box == nil || !strings.Contains(apptest.TextOf(box), "表三 商业企业列：一+二=2，三（七）+四=0") ||
		apptest.First(box, `a[href="#t3-r0-c1"]`) == nil || !strings.Contains(apptest.TextOf(box), "“五、存在的主要问题及改进情况”尚未填写") {
		t.Fatalf("refusal: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if _, err := env.App.Report.Published(context.Background(), jyj.ID, 2025); err == nil {
		t.Fatal("published despite the refusal")
	}

	// The generated draft fills the text areas without saving.
	r = ed.Get(page + "?draft=1")
	doc = apptest.Parse(t, r.Body)
	if ta := apptest.First(doc, "textarea#f-overview"); ta == nil || !strings.Contains(apptest.TextOf(ta), "（一）主动公开。") ||
		!strings.Contains(apptest.TextOf(apptest.First(doc, "textarea#f-other")), "信息处理费") {
		t.Errorf("draft not generated")
	}

	// An import with a bad cell names row and cell, and saves nothing.
	var b bytes.Buffer
	d, _ := env.App.Report.Current(context.Background(), jyj.ID, 2025)
	if err := report.WriteXLSX(&b, d); err != nil {
		t.Fatal(err)
	}
	f, _ := excelize.OpenReader(&b)
	f.SetCellStr(report.SheetNames[0], "B12", "约5件")
	var fixed bytes.Buffer
	f.Write(&fixed)
	f.Close()
	r = postFile(t, ed, page+"/import", nil, "表二.xlsx", fixed.Bytes())
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "第 12 行 B 列：“行政处罚”的本年处理决定数量“约5件”不是数字") {
		t.Errorf("import: %d %s", r.StatusCode, apptest.Text(r.Body))
	}

	// Downloads and preview of the draft.
	if r = ed.Get(page + "/export?format=docx"); r.StatusCode != 200 || !strings.HasPrefix(r.Body, "PK") {
		t.Errorf("docx export: %d", r.StatusCode)
	}
	if r = ed.Get(page + "/export?format=pdf"); r.StatusCode != http.StatusBadRequest {
		t.Errorf("bad format: %d", r.StatusCode)
	}
	r = ed.Get(page + "/preview")
	if r.StatusCode != 200 || !strings.Contains(r.Body, "预览：本报告尚未发布") || !strings.Contains(r.Body, "（不符）") {
		t.Errorf("preview: %d", r.StatusCode)
	}

	// Another unit's editor and the public see nothing of it.
	other := env.Client(t)
	other.Login("editor", pw)
	if r = other.Get(page); r.StatusCode != http.StatusNotFound {
		t.Errorf("another unit's editor: %d", r.StatusCode)
	}
	if r = other.Post(page+"/figures", url.Values{"licensing": {"1"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("another unit's editor saves: %d", r.StatusCode)
	}
	hubin := env.Client(t)
	hubin.Login("hubin", pw)
	if r = hubin.Get("/admin/report"); r.StatusCode != 200 || !strings.Contains(r.Body, "不是行政机关") {
		t.Errorf("community editor's list: %d", r.StatusCode)
	}
	// The supervisor sees every unit's report and compiles the government's.
	gkb := env.Client(t)
	gkb.Login("gkb", pw)
	if r = gkb.Get(page); r.StatusCode != 200 || strings.Contains(r.Body, `id="figures"`) {
		t.Errorf("supervisor view: %d", r.StatusCode)
	}
	gov := "/admin/report/" + orgByShort(t, env, "示范区").ID + "/2025"
	if r = gkb.Get(gov); r.StatusCode != 200 || !strings.Contains(r.Body, "汇总范围") || !strings.Contains(r.Body, `id="figures"`) {
		t.Errorf("government report page: %d", r.StatusCode)
	}
	if r = gkb.Get("/admin/report/open?org=" + jyj.ID + "&year=2019"); r.StatusCode != http.StatusSeeOther {
		t.Errorf("open: %d", r.StatusCode)
	}
	if r = gkb.Get("/admin/report/" + jyj.ID + "/2019"); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "旧版格式") {
		t.Errorf("2019: %d", r.StatusCode)
	}

	// Balanced and written: the leader publishes; the page shows it frozen.
	sup.Set(report.SupplementField(3, report.RowIndex("（一）"), 1), "2")
	if r = ed.Post(page+"/supplement", sup); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("supplement: %d", r.StatusCode)
	}
	if r = ed.Post(page+"/sections", url.Values{"overview": {"2025年，区教育局……"}, "problems": {"（一）问题。\n（二）改进。"},
		"other": {"本年度未收取信息处理费。"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sections: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	if r = lead.Post(page+"/publish", url.Values{"confirm": {"1"}}); r.StatusCode != http.StatusSeeOther || r.Location() != page+"?ok=published" {
		t.Fatalf("publish: %d %s", r.StatusCode, apptest.Text(r.Body))
	}
	r = ed.Get(page + "?ok=published")
	doc = apptest.Parse(t, r.Body)
	if !strings.Contains(r.Body, "已于 2026年12月15日 10:00 由韩梅发布") || apptest.First(doc, "form#figures") != nil || apptest.First(doc, "form#publish") != nil {
		t.Errorf("published page: %s", apptest.Text(r.Body))
	}
	if r = ed.Post(page+"/figures", url.Values{"licensing": {"1"}}); r.StatusCode != http.StatusConflict {
		t.Errorf("edit after publication: %d", r.StatusCode)
	}
}
